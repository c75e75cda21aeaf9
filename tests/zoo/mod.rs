//! The bug zoo: a store provider built like the sample, with switches that each break one
//! documented contract. `Defect::None` follows every rule.

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use mapisim::ids::EntryId;
use mapisim::prelude::*;
use mapisim::profile::{ProviderDef, ServiceDef};
use mapisim::props::*;
use mapisim::sample::SampleStore;
use mapisim::spi::{MapiErrorInfo, OpenedEntry};

pub(crate) mod ab;
pub(crate) mod xp;

/// The zoo's registered MAPIUID.
pub(crate) const ZOO_UID: MapiUid = MapiUid(*b"mapisim:zoo:uid1");

/// What the zoo provider gets wrong.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum Defect {
    #[default]
    None,
    /// The DLL does not export `MSProviderInit`.
    NoExport,
    /// Every `MSProviderInit` returns the same provider object.
    SingletonProvider,
    /// `MSProviderInit` succeeds with an SPI version newer than MAPI's.
    NewerVersion,
    /// `MSProviderInit` reports an SPI version older than MAPI accepts.
    AncientVersion,
    /// `MSProviderInit` refuses any MAPI SPI version but its own (an equality check).
    RejectsNewerMapi,
    /// `MSProviderInit` loads the sample's DLL itself and never frees it.
    LoadsAndForgets,
    /// `MSProviderInit` AddRefs `lpMalloc` (a raw `AddRef`) and never releases it.
    MallocKept,
    /// `Logon` releases the support object once more than it AddRef'd it (a raw `Release`).
    SupportOverRelease,
    /// `CompareStoreIDs` always answers FALSE, even for an ID and itself.
    CompareNeverSame,
    /// `CompareStoreIDs` answers whether the first ID sorts before the second (or equals it).
    CompareOneWay,
    /// A fresh `Logon` does not AddRef the support object.
    NoSupportAddRef,
    /// A fresh `Logon` AddRefs the support object twice: the store keeps one reference, the
    /// logon object the other.
    DoubleSupportAddRef,
    /// A fresh `Logon` AddRefs the support object twice and the store keeps both (released
    /// together in its final release).
    TwoSupportRefsInStore,
    /// A fresh `Logon` returns no logon object.
    NoLogonObject,
    /// `Logon` AddRefs the support object, keeps it, and fails.
    FailKeepsSupport,
    /// `Logon` always fails with this error.
    FailLogon(MapiError),
    /// `Logon` fails with this error and explains it in a `MAPIERROR` (allocated with routines
    /// that are not MAPI's when the flag is set).
    FailExplained(MapiError, bool),
    /// `Logon` fails and explains it in a `MAPIERROR` whose strings are UTF-16 though MAPI did
    /// not pass `MAPI_UNICODE`.
    ExplainsInUnicode,
    /// The first `Logon` fails with this error, later ones succeed.
    FailFirstLogon(MapiError),
    /// `Logon` on an open store returns the existing logon object too.
    ReuseReturnsLogon,
    /// The store's `QueryInterface` answers `IMsgStore` with a separate object whose
    /// `IUnknown` is itself.
    QiTearOffIdentity,
    /// The store's `QueryInterface` refuses `IMAPIProp` (and answers `IMsgStore` with a
    /// tear-off that does answer it).
    QiNotReflexive,
    /// The store answers `IMsgStore` with a tear-off that refuses `IMAPIProp`.
    QiNotSymmetric,
    /// The store answers `IMSCapabilities` itself, and `IMsgStore` with a tear-off that refuses
    /// `IMSCapabilities`.
    QiNotTransitive,
    /// The store answers `IMAPIProp` the first time it is asked, and refuses it afterwards.
    QiUnstable,
    /// The store's `QueryInterface` answers every IID with the store.
    QiAnswersAll,
    /// `Logon` returns the store whatever interface MAPI asked for.
    IgnoresInterface,
    /// The provider object answers for `IMAPIProviderShutdown` and opts out of fast shutdown.
    OptsOutOfFastShutdown,
    /// `Logon` on an open store returns a new logon object.
    ReuseReturnsNewLogon,
    /// `Logon` on an open store returns a new store object.
    ReuseReturnsOtherStore,
    /// `Logon` on an open store AddRefs the support object again.
    ReuseAddRefsSupport,
    /// `Logon` on an open store registers its MAPIUID again.
    ReuseRegistersUid,
    /// `Logon` on an open store returns spool-security data.
    ReuseReturnsSpoolData,
    /// `Logon` on an open store merges a new status into the store's row with
    /// `STATUSROW_UPDATE` (correct).
    ReuseUpdatesStatusRow,
    /// `Logon` on an open store replaces the store's status row (no `STATUSROW_UPDATE`).
    ReuseReplacesStatusRow,
    /// `Logon` on an open store opens its profile section.
    ReuseOpensSection,
    /// A fresh `Logon` does not record `PR_ENTRYID` in its profile section.
    NoProfileEntryId,
    /// A fresh `Logon` does not record `PR_RECORD_KEY` in its profile section.
    NoProfileRecordKey,
    /// A fresh `Logon` registers no MAPIUID.
    NoProviderUid,
    /// A fresh `Logon` answers `MAPI_E_LOGON_FAILED` when `SetProviderUID` fails, whatever the
    /// failure was.
    ChangesErrors,
    /// A fresh `Logon` creates no status row.
    NoStatusRow,
    /// `Logon` shows a dialog (`Details`) even when called with `MDB_NO_DIALOG`.
    DialogInLogon,
    /// `Logon` shows a dialog when MAPI allows one, and fails with `MAPI_E_LOGON_FAILED` under
    /// `MDB_NO_DIALOG` or in a Windows service (correct).
    AsksWhenAllowed,
    /// A fresh `Logon` returns no spool-security data.
    NoSpoolSecurity,
    /// `Logon` calls `SpoolerNotify`.
    SpoolerNotifyInLogon,
    /// `Logon` calls `PrepareSubmit`.
    PrepareSubmitInLogon,
    /// The store's `GetProps` lacks `PR_MDB_PROVIDER`.
    MissingStoreProp,
    /// The store has no Unicode: its `GetProps` answers Unicode strings with
    /// `MAPI_E_BAD_CHARWIDTH`, 8-bit ones as asked (correct).
    AnsiOnlyStore,
    /// The store answers every string, 8-bit or Unicode, with `MAPI_E_BAD_CHARWIDTH`.
    NoStringAtAll,
    /// The store's `PR_ENTRYID` and `PR_STORE_ENTRYID` are not wrapped.
    UnwrappedStoreEntryId,
    /// The logon object keeps the support reference instead of the store, and never releases it
    /// (until it is destroyed).
    LogonHoldsSupport,
    /// The logon object keeps the support reference and its `Logoff` releases it (the generic
    /// page's pattern; the store calls `StoreLogoffTransports` through the logon's reference).
    LogonReleasesSupportInLogoff,
    /// `SpoolerLogon` returns a new store object.
    SpoolerReturnsOtherStore,
    /// `SpoolerLogon` always fails with `MAPI_E_LOGON_FAILED`.
    SpoolerLogonFails,
    /// `StoreLogoff` calls `SpoolerNotify` with a transport's flag.
    BadSpoolerNotifyFlags,
    /// `StoreLogoff` submits a message (`PrepareSubmit`) without `SpoolerNotify(NOTIFY_READYTOSEND)`
    /// first.
    SubmitsUnannounced,
    /// `StoreLogoff` submits a message after `SpoolerNotify(NOTIFY_READYTOSEND)` (correct).
    SubmitsAnnounced,
    /// `StoreLogoff` notifies the store's advise sinks (a correct store).
    NotifiesAtStoreLogoff,
    /// `StoreLogoff` calls `StoreLogoffTransports` twice.
    SltTwice,
    /// `StoreLogoffTransports` is never called.
    SltNever,
    /// `StoreLogoff` passes `LOGOFF_ABORT` instead of the saved flag.
    SltWrongFlag,
    /// `StoreLogoff` only saves the flag; the call comes from the final release.
    SltDeferred,
    /// `CompareStoreIDs` looks the IDs up among its open stores, and fails when none is open.
    CompareNeedsOpenStore,
    /// `StoreLogoff` calls `StoreLogoffTransports` and returns no flags, whatever it answered.
    IgnoresSltAnswer,
    /// The store object holds its logon object.
    StoreHoldsLogon,
    /// The store and the logon object hold each other (a reference cycle).
    Cycle,
    /// `Logon` keeps a plain object of its own in the DLL's statics: a DLL-wide cache, kept for
    /// later sessions and released when the DLL unloads (correct).
    CacheInStatics,
    /// `Logon` keeps a status object (`IMAPIStatus`) in the DLL's statics past the session.
    StashStatusInStatics,
    /// The DLL's statics keep the logon object (until the DLL unloads).
    StashLogon,
    /// The DLL's statics keep the provider object.
    StashProvider,
    /// `Logon` panics.
    PanicInLogon,
    /// `IMSLogon::Logoff` panics.
    PanicInLogoff,
    /// `Shutdown` panics.
    PanicInShutdown,
    /// The store's final release panics.
    PanicInDrop,
    /// `SetProviderUID` is called with a reserved flag set.
    ReservedFlags,
    /// `Logoff` calls back into the support object (allowed: checks there is no deadlock).
    ReentrantLogoff,
    /// The DLL does not export the service entry point the service names.
    NoServiceEntry,
    /// The service entry fails `MSG_SERVICE_DELETE`.
    DeleteFails,
    /// The service entry shows its property sheet whatever its flags say.
    UiWithoutPermission,
    /// `Logon` returns `MAPI_E_UNCONFIGURED` until the service entry configured the provider.
    NeedsConfiguration,
    /// `Logon` always returns `MAPI_E_UNCONFIGURED`, and configuring does not help.
    NeverConfigured,
    /// `Logon` writes `PR_RESOURCE_FLAGS` into its profile section.
    WritesResourceFlags,
    /// `Logon` registers a MAPIUID it got from `NewUID`.
    RegistersNewUid,
    /// The service entry makes a MAPIUID with `NewUID` at `MSG_SERVICE_CREATE` and keeps it in
    /// the provider's profile section; `Logon` registers it.
    UidFromServiceEntry,
    /// `Logon` reads its profile section's properties and never frees the array.
    LeaksProfileProps,
    /// `Logon` never frees the wrapped entry ID MAPI allocated for it.
    LeaksWrappedId,
    /// `Logon` frees the wrapped entry ID twice.
    DoubleFree,
    /// `Logon` reads the wrapped entry ID after freeing it.
    UseAfterFree,
    /// `Logon` frees a block made by `MAPIAllocateMore` on its own.
    FreesLinkedBlock,
    /// `Logon` frees a block of other routines than MAPI's.
    ForeignFree,
    /// `Logon` calls `MAPIAllocateMore` on a root it has freed, and never frees the result.
    MoreOnFreed,
    /// `Logon` allocates a scratch root and a linked part; when the part fails, it returns the
    /// error and leaks the root.
    LeakOnAllocFailure,
    /// `Logon` returns a spool-security blob made by other routines than MAPI's.
    ForeignSpoolBlob,
    /// `Logon` returns a linked block as its spool-security blob.
    LinkedSpoolBlob,
    /// `StoreLogoff` frees the spool-security blob it handed to MAPI.
    FreesHandedBlob,
    /// The provider keeps `lpMalloc` (one reference) and releases it twice: once in `Shutdown`
    /// (a raw `Release`), once with itself.
    MallocOverRelease,
    /// `Logon` shows UI (`IMAPISupport::Details`) though MAPI_NT_SERVICE is set.
    UiInService,
    /// `Logon` starts a worker thread that wraps an entry ID through the support object and
    /// allocates a buffer, and frees neither.
    WorkerLeaks,
}

/// The provider-private property the zoo's service entry sets when it configures a provider.
pub(crate) const CONFIGURED: PropTag = PropTag(0x6600_000B);

/// The provider-private property where the zoo's service entry keeps a MAPIUID it generated.
pub(crate) const SAVED_UID: PropTag = PropTag(0x6601_0102);

/// The DLL's statics: born at load, dropped at unload.
#[derive(Default)]
pub(crate) struct Statics {
    singleton: Mutex<Option<Ref<ZooProvider>>>,
    stash: Mutex<Vec<Ref<u32>>>,
    kept_provider: Mutex<Option<Ref<ZooProvider>>>,
    kept_logon: Mutex<Option<Ref<ZooLogon>>>,
    pub(crate) logons: AtomicU32,
}

/// The zoo's DLL.
pub(crate) struct ZooLibrary {
    defect: Defect,
    statics: Arc<Statics>,
}

impl ZooLibrary {
    pub(crate) fn new(defect: Defect) -> ZooLibrary {
        ZooLibrary {
            defect,
            statics: Arc::default(),
        }
    }
}

impl ProviderLibrary for ZooLibrary {
    fn exports(&self) -> Exports {
        match self.defect {
            Defect::NoExport => Exports::SERVICE_ENTRY,
            Defect::NoServiceEntry => Exports::MS_PROVIDER_INIT,
            _ => Exports::MS_PROVIDER_INIT | Exports::SERVICE_ENTRY,
        }
    }

    fn service_entry(&self, args: &mapisim::spi::ServiceEntryArgs<'_>) -> MapiResult<()> {
        match args.context {
            ServiceContext::Delete if self.defect == Defect::DeleteFails => {
                // It explains, in a MAPIERROR MAPI frees.
                args.mapi_error
                    .set(
                        args.support
                            .get_mem_alloc_routines()?
                            .allocate_value(MapiErrorInfo {
                                version: 0,
                                error: Some(TString::ansi_from_str("the store's files are in use")),
                                component: None,
                                low_level_error: 0,
                                context: 0,
                            })?,
                    );
                Err(MapiError::CallFailed)
            }
            ServiceContext::Create if self.defect == Defect::UidFromServiceEntry => {
                let uid = args.support.new_uid()?;
                for row in args.admin.get_provider_table(0)? {
                    let row: PropBag = row.into_iter().collect();
                    let provider = row.get_uid(PR_PROVIDER_UID).ok_or(MapiError::CorruptData)?;
                    let section = args.admin.open_profile_section(
                        Some(&provider),
                        None,
                        ProfileSectionFlags::MODIFY,
                    )?;
                    section.set_props(&[Prop {
                        tag: SAVED_UID,
                        value: PropValue::from(uid),
                    }])?;
                }
                Ok(())
            }
            ServiceContext::Create if self.defect == Defect::UiWithoutPermission => {
                let nothing: Ref<dyn MapiProp> =
                    Ref::new(ZooStore::detached(PropBag::new(), MemRoutines::new())).into();
                args.support
                    .do_config_propsheet(0, 0, TStr::ansi(b"Zoo"), &nothing.unknown(), &nothing, 0)
            }
            ServiceContext::Configure if self.defect != Defect::NeverConfigured => {
                for row in args.admin.get_provider_table(0)? {
                    let row: PropBag = row.into_iter().collect();
                    let uid = row.get_uid(PR_PROVIDER_UID).ok_or(MapiError::CorruptData)?;
                    // A section is an IProfSect, never an IMsgStore: MAPI must refuse that
                    // (the configuration, and the tests that need it, fail otherwise).
                    if args
                        .admin
                        .open_profile_section(Some(&uid), Some(&Iid::IMSGSTORE), ProfileSectionFlags::MODIFY)
                        .err()
                        != Some(MapiError::InterfaceNotSupported)
                    {
                        return Err(MapiError::CallFailed);
                    }
                    let section = args.admin.open_profile_section(
                        Some(&uid),
                        Some(&Iid::IPROFSECT),
                        ProfileSectionFlags::MODIFY,
                    )?;
                    section.set_props(&[Prop {
                        tag: CONFIGURED,
                        value: PropValue::Boolean(true),
                    }])?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        args.provider_version.set(SpiVersion::CURRENT);
        let refused = match self.defect {
            // An equality check: a newer MAPI is refused too.
            Defect::RejectsNewerMapi => args.mapi_version != SpiVersion::CURRENT,
            _ => args.mapi_version < SpiVersion::CURRENT,
        };
        if refused {
            return Err(MapiError::Version);
        }
        if self.defect == Defect::MallocKept {
            args.malloc.add_ref_raw();
        }
        if self.defect == Defect::LoadsAndForgets {
            // A module handle dropped without FreeLibrary: the load stays held.
            drop(args.instance.process().load_library(SampleStore::DLL_FILE)?);
        }
        let version = match self.defect {
            Defect::NewerVersion => SpiVersion(0x0002_0000),
            Defect::AncientVersion => SpiVersion(0x0000_0001),
            _ => SpiVersion::CURRENT,
        };
        let make = || {
            Ref::new(ZooProvider {
                defect: self.defect,
                statics: Arc::clone(&self.statics),
                stores: Arc::new(Mutex::new(Vec::new())),
                kept_support: Mutex::new(None),
                logons_seen: AtomicU32::new(0),
                routines: args.routines.clone(),
                init_flags: args.flags,
                malloc: args.malloc.clone(),
            })
        };
        let provider = if self.defect == Defect::SingletonProvider {
            let mut slot = self.statics.singleton.lock().unwrap();
            slot.get_or_insert_with(make).clone()
        } else {
            make()
        };
        if self.defect == Defect::StashProvider {
            *self.statics.kept_provider.lock().unwrap() = Some(provider.clone());
        }
        if self.defect == Defect::OptsOutOfFastShutdown {
            provider.expose::<dyn ProviderShutdown>();
        }
        Ok(ProviderInit {
            provider: provider.into(),
            version,
        })
    }
}

struct OpenStore {
    id: EntryId,
    logon: WeakRef<ZooLogon>,
    store: WeakRef<ZooStore>,
}

pub(crate) struct ZooProvider {
    defect: Defect,
    statics: Arc<Statics>,
    stores: Arc<Mutex<Vec<OpenStore>>>,
    kept_support: Mutex<Option<Ref<dyn MapiSupport>>>,
    logons_seen: AtomicU32,
    routines: MemRoutines,
    init_flags: ProviderInitFlags,
    malloc: Ref<dyn Malloc>,
}

fn same(a: &EntryId, b: &EntryId) -> bool {
    a.provider_uid() == ZOO_UID && b.provider_uid() == ZOO_UID && a.data() == b.data()
}

impl ZooProvider {
    /// Memory misuse in `Logon` that involves only the provider's own buffers.
    fn memory_defects(&self) -> MapiResult<()> {
        let r = &self.routines;
        match self.defect {
            Defect::FreesLinkedBlock => {
                let root = r.allocate_buffer(8)?;
                let part = r.allocate_more(8, root)?;
                let _ = r.free_buffer(Some(part));
                r.free_buffer(Some(root))?;
            }
            Defect::ForeignFree => {
                let elsewhere = MemRoutines::new().allocate_buffer(8)?;
                let _ = r.free_buffer(Some(elsewhere));
            }
            Defect::MoreOnFreed => {
                let root = r.allocate_buffer(8)?;
                r.free_buffer(Some(root))?;
                // Believes the part is freed with its (already freed) root.
                let _ = r.allocate_more(8, root);
            }
            Defect::LeakOnAllocFailure => {
                let scratch = r.allocate_buffer(16)?;
                let _part = r.allocate_more(16, scratch)?;
                r.free_buffer(Some(scratch))?;
            }
            _ => {}
        }
        Ok(())
    }

    fn find(&self, id: &EntryId) -> Option<(Ref<ZooLogon>, Ref<ZooStore>)> {
        let stores = self.stores.lock().unwrap();
        let open = stores.iter().find(|s| same(&s.id, id))?;
        Some((open.logon.upgrade()?, open.store.upgrade()?))
    }

    fn reuse(
        &self,
        args: &StoreLogonArgs<'_>,
        store: Ref<ZooStore>,
        logon: Ref<ZooLogon>,
    ) -> MapiResult<Warned<StoreLogon>> {
        let d = self.defect;
        let mut out = StoreLogon {
            logon: None,
            store: store.clone().into(),
            spool_security: None,
        };
        if let Some(iid) = &args.interface
            && d != Defect::IgnoresInterface
        {
            out.store
                .query_interface(iid)
                .map_err(|_| MapiError::InterfaceNotSupported)?;
        }
        match d {
            Defect::ReuseReturnsLogon => out.logon = Some(logon.into()),
            Defect::ReuseReturnsNewLogon => {
                let fresh = Ref::new(ZooLogon {
                    defect: Defect::None,
                    store: store.downgrade(),
                    strong_store: Mutex::new(None),
                    stores: Arc::new(Mutex::new(Vec::new())),
                    id: logon.id.clone(),
                    support: Mutex::new(None),
                });
                out.logon = Some(fresh.into());
            }
            Defect::ReuseReturnsOtherStore => {
                out.store = Ref::new(ZooStore::detached(
                    store.props.lock().unwrap().clone(),
                    self.routines.clone(),
                ))
                .into();
            }
            Defect::ReuseAddRefsSupport => {
                *self.kept_support.lock().unwrap() = Some(args.support.clone());
            }
            Defect::ReuseRegistersUid => args.support.set_provider_uid(&ZOO_UID, 0)?,
            Defect::ReuseReturnsSpoolData => {
                out.spool_security = Some(self.routines.allocate_bytes(b"again")?);
            }
            Defect::ReuseUpdatesStatusRow | Defect::ReuseReplacesStatusRow => {
                let flags = if d == Defect::ReuseUpdatesStatusRow {
                    StatusRowFlags::UPDATE
                } else {
                    StatusRowFlags::empty()
                };
                let status = Prop {
                    tag: PR_STATUS_STRING_W,
                    value: PropValue::Unicode("Opened again".into()),
                };
                args.support.modify_status_row(&[status], flags)?;
            }
            Defect::ReuseOpensSection => {
                drop(
                    args.support
                        .open_profile_section(None, ProfileSectionFlags::empty())?,
                );
            }
            _ => {}
        }
        Ok(Warned::ok(out))
    }
}

/// Only exposed with `Defect::OptsOutOfFastShutdown`: the zoo's provider has no fast shutdown.
impl ProviderShutdown for ZooProvider {
    fn query_fast_shutdown(&self) -> MapiResult<()> {
        Err(MapiError::NoSupport)
    }
}

impl MsProvider for ZooProvider {
    fn shutdown(&self, _flags: u32) -> MapiResult<()> {
        if self.defect == Defect::PanicInShutdown {
            panic!("zoo: panic in Shutdown");
        }
        self.stores.lock().unwrap().clear();
        drop(self.kept_support.lock().unwrap().take());
        if self.defect == Defect::MallocOverRelease {
            // The pointer was kept as if MAPI had given a reference with it, and is released
            // here as well as with the provider: one Release more than it took.
            let _ = self.malloc.release_raw();
        }
        Ok(())
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        let d = self.defect;
        let n = self.logons_seen.fetch_add(1, Ordering::SeqCst);
        self.statics.logons.fetch_add(1, Ordering::SeqCst);
        if d == Defect::PanicInLogon {
            panic!("zoo: panic in Logon");
        }
        if let Defect::FailLogon(e) = d {
            return Err(e);
        }
        if let Defect::FailExplained(e, foreign) = d {
            // A correct provider explains with the routines MAPI gave; `foreign` uses others.
            let routines = if foreign {
                MemRoutines::new()
            } else {
                self.routines.clone()
            };
            let unicode = args.flags.contains(StoreLogonFlags::UNICODE);
            let text = |s: &str| {
                Some(if unicode {
                    TString::wide_from_str(s)
                } else {
                    TString::ansi_from_str(s)
                })
            };
            args.mapi_error.set(routines.allocate_value(MapiErrorInfo {
                version: 0,
                error: text("the store's file is locked"),
                component: text("Zoo Store"),
                low_level_error: 32,
                context: 7,
            })?);
            return Err(e);
        }
        if d == Defect::ExplainsInUnicode {
            // UTF-16 strings, though MAPI did not pass MAPI_UNICODE.
            args.mapi_error.set(self.routines.allocate_value(MapiErrorInfo {
                version: 0,
                error: Some(TString::wide_from_str("locked")),
                component: None,
                low_level_error: 0,
                context: 0,
            })?);
            return Err(MapiError::LogonFailed);
        }
        if let Defect::FailFirstLogon(e) = d
            && n == 0
        {
            return Err(e);
        }
        if d == Defect::FailKeepsSupport {
            *self.kept_support.lock().unwrap() = Some(args.support.clone());
            return Err(MapiError::LogonFailed);
        }
        if let Some(bytes) = args.entry_id
            && let Ok(id) = EntryId::parse(bytes)
            && let Some((logon, store)) = self.find(&id)
        {
            return self.reuse(args, store, logon);
        }
        // A correct store refuses an interface it does not have; one defect ignores the ask.
        if let Some(iid) = args.interface
            && ![Iid::IUNKNOWN, Iid::IMAPIPROP, Iid::IMSGSTORE].contains(&iid)
            && d != Defect::IgnoresInterface
        {
            return Err(MapiError::InterfaceNotSupported);
        }

        if d == Defect::NeverConfigured {
            return Err(MapiError::Unconfigured);
        }
        // A store that needs to ask the user: where no UI is allowed it fails as the flag's page
        // says; elsewhere it shows its dialog (refused by the simulator, which has none).
        if d == Defect::AsksWhenAllowed {
            if args.flags.contains(StoreLogonFlags::NO_DIALOG)
                || self.init_flags.contains(ProviderInitFlags::NT_SERVICE)
            {
                return Err(MapiError::LogonFailed);
            }
            let id = args.entry_id.unwrap_or_default().to_vec();
            let _ = args.support.details(&mut 0, None, None, &id, None, None, None, 0);
        }
        if d == Defect::NeedsConfiguration {
            let section = args
                .support
                .open_profile_section(None, ProfileSectionFlags::empty())?;
            let current = self.routines.take(section.get_props(None, 0)?.into_value())?;
            let current: PropBag = current.into_iter().collect();
            if current.get_bool(CONFIGURED) != Some(true) {
                return Err(MapiError::Unconfigured);
            }
        }
        let support = args.support.clone();
        if d == Defect::SupportOverRelease {
            let _ = support.release_raw();
        }
        if d == Defect::SpoolerNotifyInLogon {
            support.spooler_notify(
                SpoolerNotifyFlags::READYTOSEND,
                mapisim::spi::SpoolerNotifyData::Null,
            )?;
        }
        if d == Defect::PrepareSubmitInLogon {
            let message: Ref<dyn MapiProp> =
                Ref::new(ZooStore::detached(PropBag::new(), MemRoutines::new())).into();
            let _ = support.prepare_submit(&message, 0);
        }
        let section = support.open_profile_section(None, ProfileSectionFlags::MODIFY)?;
        let array = section.get_props(None, 0)?.into_value();
        let current: PropBag = if d == Defect::LeaksProfileProps {
            // Reads the array and forgets to free it.
            self.routines.value(&array)?.into_iter().collect()
        } else {
            self.routines.take(array)?.into_iter().collect()
        };
        let id = match args.entry_id {
            Some(bytes) => EntryId::parse(bytes).map_err(|_| MapiError::InvalidEntryid)?,
            None => EntryId::new(
                ZOO_UID,
                current
                    .get_uid(PR_PROVIDER_UID)
                    .ok_or(MapiError::CorruptData)?
                    .0
                    .to_vec(),
            ),
        };
        let wrapped_buffer = support.wrap_store_entry_id(&id.to_bytes())?;
        let wrapped = match d {
            Defect::LeaksWrappedId => self.routines.read(wrapped_buffer)?,
            Defect::DoubleFree => {
                let bytes = self.routines.take_bytes(wrapped_buffer)?;
                let _ = self.routines.free_buffer(Some(wrapped_buffer));
                bytes
            }
            Defect::UseAfterFree => {
                self.routines.free_buffer(Some(wrapped_buffer))?;
                // Reads the block it has just freed: refused, and reported. Then wraps again.
                match self.routines.read(wrapped_buffer) {
                    Ok(bytes) => bytes,
                    Err(_) => {
                        let again = support.wrap_store_entry_id(&id.to_bytes())?;
                        self.routines.take_bytes(again)?
                    }
                }
            }
            _ => self.routines.take_bytes(wrapped_buffer)?,
        };
        self.memory_defects()?;
        if d == Defect::WorkerLeaks {
            let routines = &self.routines;
            let support = &support;
            std::thread::scope(|threads| {
                threads.spawn(move || {
                    let _ = support.wrap_store_entry_id(b"the worker's");
                    let _ = routines.allocate_buffer(4);
                });
            });
        }
        if d == Defect::UiInService && self.init_flags.contains(ProviderInitFlags::NT_SERVICE) {
            let _ = support.details(&mut 0, None, None, &id.to_bytes(), None, None, None, 0);
        }
        let mut recorded = PropBag::new();
        recorded
            .put(PR_DISPLAY_NAME_W, "Zoo Store")
            .put(PR_PROVIDER_DISPLAY_W, "Zoo Store Provider");
        if d != Defect::NoProfileEntryId {
            recorded.put(PR_ENTRYID, wrapped.clone());
        }
        if d != Defect::NoProfileRecordKey {
            recorded.put(PR_RECORD_KEY, id.data().to_vec());
        }
        section.set_props(&recorded.iter().cloned().collect::<Vec<_>>())?;
        if d == Defect::DialogInLogon {
            // The dialog is refused (the simulator has none); the logon goes on.
            let _ = support.details(&mut 0, None, None, &id.to_bytes(), None, None, None, 0);
        }
        if d == Defect::WritesResourceFlags {
            let problems = section.set_props(&[Prop {
                tag: PR_RESOURCE_FLAGS,
                value: PropValue::from_u32(ResourceFlags::DEFAULT_STORE.bits()),
            }])?;
            assert_eq!(problems.len(), 1, "the write is refused");
        }
        drop(section);
        let flags = if d == Defect::ReservedFlags { 1 } else { 0 };
        if d == Defect::ChangesErrors {
            support
                .set_provider_uid(&ZOO_UID, flags)
                .map_err(|_| MapiError::LogonFailed)?;
        } else if d != Defect::NoProviderUid {
            support.set_provider_uid(&ZOO_UID, flags)?;
        }
        if d == Defect::RegistersNewUid {
            let uid = support.new_uid()?;
            support.set_provider_uid(&uid, 0)?;
        }
        if d == Defect::UidFromServiceEntry
            && let Some(uid) = current.get_uid(SAVED_UID)
        {
            support.set_provider_uid(&uid, 0)?;
        }

        let shown = if d == Defect::UnwrappedStoreEntryId {
            id.to_bytes()
        } else {
            wrapped
        };
        let mut props = PropBag::new();
        props.set(PR_DISPLAY_NAME_W, "Zoo Store").unwrap();
        props.set(PR_ENTRYID, shown.clone()).unwrap();
        props.set(PR_STORE_ENTRYID, shown).unwrap();
        props.set(PR_OBJECT_TYPE, ObjectType::Store.value()).unwrap();
        props.set(PR_RECORD_KEY, id.data().to_vec()).unwrap();
        props.set(PR_STORE_RECORD_KEY, id.data().to_vec()).unwrap();
        if d != Defect::MissingStoreProp {
            props.set(PR_MDB_PROVIDER, ZOO_UID).unwrap();
        }
        props.set(PR_STORE_SUPPORT_MASK, 0u32).unwrap();

        let (store_support, logon_support) = match d {
            Defect::NoSupportAddRef => (None, None),
            Defect::LogonHoldsSupport | Defect::LogonReleasesSupportInLogoff => (None, Some(support)),
            Defect::DoubleSupportAddRef => {
                let extra = support.clone();
                (Some(support), Some(extra))
            }
            _ => (Some(support), None),
        };
        let second_support = (d == Defect::TwoSupportRefsInStore)
            .then(|| store_support.clone())
            .flatten();
        let spool = match d {
            Defect::NoSpoolSecurity => None,
            Defect::ForeignSpoolBlob => Some(MemRoutines::new().allocate_bytes(id.data())?),
            Defect::LinkedSpoolBlob => {
                let root = self.routines.allocate_buffer(4)?;
                let part = self.routines.allocate_more(id.data().len() as u32, root)?;
                self.routines.write(part, 0, id.data())?;
                Some(part)
            }
            _ => Some(self.routines.allocate_bytes(id.data())?),
        };
        let store = Ref::new(ZooStore {
            defect: d,
            routines: self.routines.clone(),
            handed_blob: Mutex::new(spool),
            support: Mutex::new(store_support),
            props: Mutex::new(props),
            logoff_flag: Mutex::new(None),
            transports_done: AtomicBool::new(false),
            logon: Mutex::new(None),
            logon_ref: Mutex::new(WeakRef::empty()),
            second_support: Mutex::new(second_support),
            prop_queries: AtomicU32::new(0),
        });
        // The zoo's store answers QueryInterface itself (correctly, unless a defect says not).
        store.answer_queries();
        let logon = Ref::new(ZooLogon {
            defect: d,
            store: store.downgrade(),
            strong_store: Mutex::new(None),
            stores: Arc::clone(&self.stores),
            id: id.clone(),
            support: Mutex::new(logon_support),
        });
        *store.logon_ref.lock().unwrap() = logon.downgrade();
        match d {
            Defect::StoreHoldsLogon => *store.logon.lock().unwrap() = Some(logon.clone_held_by(&store)),
            Defect::Cycle => {
                *store.logon.lock().unwrap() = Some(logon.clone_held_by(&store));
                *logon.strong_store.lock().unwrap() = Some(store.clone_held_by(&logon));
            }
            Defect::CacheInStatics => self.statics.stash.lock().unwrap().push(Ref::new(7u32)),
            Defect::StashStatusInStatics => self
                .statics
                .stash
                .lock()
                .unwrap()
                .push(Ref::new_as(7u32, InterfaceKind::MapiStatus)),
            Defect::StashLogon => *self.statics.kept_logon.lock().unwrap() = Some(logon.clone()),
            _ => {}
        }
        if d != Defect::NoStatusRow {
            let added = args.support.modify_status_row(
                &[
                    Prop {
                        tag: PR_DISPLAY_NAME_W,
                        value: PropValue::Unicode("Zoo Store".into()),
                    },
                    Prop {
                        tag: PR_STATUS_CODE,
                        value: PropValue::from_u32(StatusCode::AVAILABLE.bits()),
                    },
                ],
                StatusRowFlags::empty(),
            );
            if let Err(e) = added {
                // The spool-security block goes back only with a logon that succeeds.
                if let Some(blob) = spool {
                    let _ = self.routines.free_buffer(Some(blob));
                }
                return Err(e);
            }
        }
        self.stores.lock().unwrap().push(OpenStore {
            id: id.clone(),
            logon: logon.downgrade(),
            store: store.downgrade(),
        });
        let logon_out: Option<Ref<dyn MsLogon>> = if d == Defect::NoLogonObject {
            None
        } else {
            Some(logon.into())
        };
        Ok(Warned::ok(StoreLogon {
            logon: logon_out,
            store: store.into(),
            spool_security: spool,
        }))
    }

    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        if self.defect == Defect::SpoolerLogonFails {
            return Err(MapiError::LogonFailed);
        }
        let id = match args.entry_id {
            Some(bytes) => EntryId::parse(bytes).map_err(|_| MapiError::InvalidEntryid)?,
            None => EntryId::new(ZOO_UID, args.spool_security.to_vec()),
        };
        let (logon, store) = self.find(&id).ok_or(MapiError::LogonFailed)?;
        let store: Ref<dyn MsgStore> = if self.defect == Defect::SpoolerReturnsOtherStore {
            Ref::new(ZooStore::detached(
                store.props.lock().unwrap().clone(),
                self.routines.clone(),
            ))
            .into()
        } else {
            store.into()
        };
        Ok(Warned::ok(StoreLogon {
            logon: Some(logon.into()),
            store,
            spool_security: None,
        }))
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], _flags: u32) -> MapiResult<bool> {
        let a = EntryId::parse(a).map_err(|_| MapiError::InvalidEntryid)?;
        let b = EntryId::parse(b).map_err(|_| MapiError::InvalidEntryid)?;
        if self.defect == Defect::CompareNeedsOpenStore && self.stores.lock().unwrap().is_empty() {
            return Err(MapiError::NotFound);
        }
        Ok(match self.defect {
            Defect::CompareNeverSame => false,
            Defect::CompareOneWay => a.data() <= b.data(),
            _ => same(&a, &b),
        })
    }
}

pub(crate) struct ZooLogon {
    defect: Defect,
    store: WeakRef<ZooStore>,
    strong_store: Mutex<Option<Ref<ZooStore>>>,
    stores: Arc<Mutex<Vec<OpenStore>>>,
    id: EntryId,
    support: Mutex<Option<Ref<dyn MapiSupport>>>,
}

impl MsLogon for ZooLogon {
    /// Opens the zoo's store by its entry ID.
    fn open_entry(&self, entry_id: &[u8], _interface: Option<Iid>, _flags: u32) -> MapiResult<OpenedEntry> {
        let id = EntryId::parse(entry_id).map_err(|_| MapiError::InvalidEntryid)?;
        if !same(&id, &self.id) {
            return Err(MapiError::NotFound);
        }
        let store = self.store.upgrade().ok_or(MapiError::ObjectDeleted)?;
        Ok(OpenedEntry::Store(store.into()))
    }

    fn logoff(&self, _flags: u32) -> MapiResult<()> {
        if self.defect == Defect::PanicInLogoff {
            panic!("zoo: panic in Logoff");
        }
        if self.defect == Defect::ReentrantLogoff
            && let Some(store) = self.store.upgrade()
            && let Some(support) = store.support.lock().unwrap().clone()
        {
            // Calls back into MAPI from inside Logoff: must not deadlock.
            let _ = support.new_uid();
            let _ = support.get_mem_alloc_routines();
        }
        self.stores.lock().unwrap().retain(|s| !same(&s.id, &self.id));
        if self.defect == Defect::LogonReleasesSupportInLogoff {
            drop(self.support.lock().unwrap().take());
        }
        Ok(())
    }
}

pub(crate) struct ZooStore {
    defect: Defect,
    routines: MemRoutines,
    /// The spool-security blob it handed to MAPI (the store must forget it; one defect does not).
    handed_blob: Mutex<Option<BufferId>>,
    support: Mutex<Option<Ref<dyn MapiSupport>>>,
    props: Mutex<PropBag>,
    logoff_flag: Mutex<Option<LogoffFlags>>,
    transports_done: AtomicBool,
    logon: Mutex<Option<Ref<ZooLogon>>>,
    /// A weak link to its logon object.
    logon_ref: Mutex<WeakRef<ZooLogon>>,
    /// A second reference to the support object, released with the first.
    second_support: Mutex<Option<Ref<dyn MapiSupport>>>,
    /// How many times `QueryInterface` asked for `IMAPIProp`.
    prop_queries: AtomicU32,
}

/// A tear-off: a separate object a store gives for one interface, which answers
/// `QueryInterface` for `answers` itself and, when `identity` is set, for `IUnknown` with that
/// store (as a correct tear-off does).
pub(crate) struct ZooTearOff {
    identity: Option<WeakRef<ZooStore>>,
    answers: Vec<Iid>,
}

impl MapiProp for ZooTearOff {}

impl MsgStore for ZooTearOff {
    fn store_logoff(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        Ok(flags)
    }
}

impl QueryInterface for ZooTearOff {
    fn query_interface(this: &Ref<Self>, iid: &Iid) -> MapiResult<Ref<dyn Unknown>> {
        if *iid == Iid::IUNKNOWN
            && let Some(store) = this.identity.as_ref().and_then(WeakRef::upgrade)
        {
            return Ok(store.unknown());
        }
        if *iid == Iid::IUNKNOWN || this.answers.contains(iid) {
            Ok(this.unknown())
        } else {
            Err(MapiError::InterfaceNotSupported)
        }
    }
}

impl ZooTearOff {
    fn give(identity: Option<WeakRef<ZooStore>>, answers: &[Iid]) -> Ref<dyn Unknown> {
        let custom = identity.is_some();
        let tear_off = Ref::new(ZooTearOff {
            identity,
            answers: answers.to_vec(),
        });
        let as_store: Ref<dyn MsgStore> = tear_off.clone().into();
        drop(as_store);
        if custom {
            tear_off.answer_queries();
        }
        tear_off.unknown()
    }
}

impl QueryInterface for ZooStore {
    fn query_interface(this: &Ref<Self>, iid: &Iid) -> MapiResult<Ref<dyn Unknown>> {
        let me = Some(this.downgrade());
        let store_and_prop = [Iid::IMSGSTORE, Iid::IMAPIPROP];
        match this.defect {
            Defect::QiAnswersAll => return Ok(this.unknown()),
            Defect::QiTearOffIdentity if *iid == Iid::IMSGSTORE => {
                return Ok(ZooTearOff::give(None, &store_and_prop));
            }
            Defect::QiNotReflexive if *iid == Iid::IMAPIPROP => {
                return Err(MapiError::InterfaceNotSupported);
            }
            Defect::QiNotReflexive if *iid == Iid::IMSGSTORE => {
                return Ok(ZooTearOff::give(me, &store_and_prop));
            }
            Defect::QiNotSymmetric if *iid == Iid::IMSGSTORE => {
                return Ok(ZooTearOff::give(me, &[Iid::IMSGSTORE]));
            }
            Defect::QiNotTransitive if *iid == Iid::IMSCAPABILITIES => return Ok(this.unknown()),
            Defect::QiNotTransitive if *iid == Iid::IMSGSTORE => {
                return Ok(ZooTearOff::give(me, &store_and_prop));
            }
            Defect::QiUnstable
                if *iid == Iid::IMAPIPROP && this.prop_queries.fetch_add(1, Ordering::SeqCst) > 0 =>
            {
                return Err(MapiError::InterfaceNotSupported);
            }
            _ => {}
        }
        this.query_table(iid)
    }
}

impl ZooStore {
    fn detached(props: PropBag, routines: MemRoutines) -> ZooStore {
        ZooStore {
            defect: Defect::None,
            routines,
            handed_blob: Mutex::new(None),
            support: Mutex::new(None),
            props: Mutex::new(props),
            logoff_flag: Mutex::new(None),
            transports_done: AtomicBool::new(true),
            logon: Mutex::new(None),
            logon_ref: Mutex::new(WeakRef::empty()),
            second_support: Mutex::new(None),
            prop_queries: AtomicU32::new(0),
        }
    }

    fn transports(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        if self.defect == Defect::SltNever || self.transports_done.swap(true, Ordering::SeqCst) {
            return Ok(LogoffFlags::COMPLETE);
        }
        let support = self.support.lock().unwrap().clone().or_else(|| {
            // A logon object that keeps the support reference lends it to its store.
            let logon = self.logon_ref.lock().unwrap().upgrade()?;
            logon.support.lock().unwrap().clone()
        });
        let answer = match support {
            Some(s) => s.store_logoff_transports(flags),
            None => Ok(LogoffFlags::COMPLETE),
        };
        // Not logged off: the next StoreLogoff or the final release tries again.
        if !answer.as_ref().is_ok_and(|a| a.contains(LogoffFlags::COMPLETE)) {
            self.transports_done.store(false, Ordering::SeqCst);
        }
        answer
    }
}

impl MapiProp for ZooStore {
    fn get_props(&self, tags: Option<&[PropTag]>, _flags: u32) -> MapiResult<Warned<PropArray>> {
        let mut selected = self.props.lock().unwrap().select(tags);
        // A store without Unicode: a Unicode string asked for is MAPI_E_BAD_CHARWIDTH (and, for
        // the broken one, the 8-bit form too).
        let narrow = |ty: PropType| {
            ty == PropType::UNICODE || (self.defect == Defect::NoStringAtAll && ty == PropType::STRING8)
        };
        if matches!(self.defect, Defect::AnsiOnlyStore | Defect::NoStringAtAll)
            && let Some(tags) = tags
        {
            for (prop, asked) in selected.value.iter_mut().zip(tags) {
                if narrow(asked.prop_type()) {
                    *prop = Prop {
                        tag: asked.with_type(PropType::ERROR),
                        value: PropValue::Error(MapiError::BadCharwidth),
                    };
                } else if asked.prop_type() == PropType::STRING8
                    && let PropValue::Unicode(text) = &prop.value
                {
                    *prop = Prop {
                        tag: *asked,
                        value: PropValue::String8(text.as_str().into()),
                    };
                }
            }
        }
        selected.try_map(|props| self.routines.allocate_value(props))
    }
}

impl ZooStore {
    /// The key the store's notifications go under: its entry ID.
    fn notify_key(&self) -> Vec<u8> {
        self.props
            .lock()
            .unwrap()
            .get_binary(PR_STORE_ENTRYID)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }
}

impl MsgStore for ZooStore {
    /// Sinks subscribe with MAPI under the store's entry ID, as the sample's do.
    fn advise(
        &self,
        entry_id: Option<&[u8]>,
        mask: EventMask,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        let key = entry_id.map_or_else(|| self.notify_key(), <[u8]>::to_vec);
        let support = self
            .support
            .lock()
            .unwrap()
            .clone()
            .ok_or(MapiError::InvalidObject)?;
        support.subscribe(&key, mask, SubscribeFlags::empty(), sink)
    }

    fn unadvise(&self, connection: usize) -> MapiResult<()> {
        let support = self
            .support
            .lock()
            .unwrap()
            .clone()
            .ok_or(MapiError::InvalidObject)?;
        support.unsubscribe(connection)
    }

    fn store_logoff(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        *self.logoff_flag.lock().unwrap() = Some(flags);
        if self.defect == Defect::NotifiesAtStoreLogoff {
            // A store that tells its sinks it is going away (a correct store).
            let support = self.support.lock().unwrap().clone();
            if let Some(support) = support {
                let key = self.notify_key();
                let note = Notification::object(EventMask::OBJECT_MODIFIED, ObjectType::Store, key.clone());
                support.notify(&key, &[note], 0)?;
            }
        }
        if self.defect == Defect::FreesHandedBlob {
            // The blob went to MAPI with the Logon: it is MAPI's to free now.
            let blob = self.handed_blob.lock().unwrap().take();
            let _ = self.routines.free_buffer(blob);
        }
        match self.defect {
            Defect::SltDeferred => Ok(LogoffFlags::empty()),
            Defect::IgnoresSltAnswer => {
                self.transports(flags)?;
                Ok(LogoffFlags::empty())
            }
            Defect::SltWrongFlag => self.transports(LogoffFlags::ABORT),
            Defect::SltTwice => {
                self.transports(flags)?;
                let support = self.support.lock().unwrap().clone();
                match support {
                    Some(s) => s.store_logoff_transports(flags),
                    None => Ok(LogoffFlags::COMPLETE),
                }
            }
            Defect::BadSpoolerNotifyFlags => {
                let support = self.support.lock().unwrap().clone();
                if let Some(s) = support {
                    let _ =
                        s.spooler_notify(SpoolerNotifyFlags::NEWMAIL, mapisim::spi::SpoolerNotifyData::Null);
                }
                self.transports(flags)
            }
            Defect::SubmitsUnannounced | Defect::SubmitsAnnounced => {
                let support = self.support.lock().unwrap().clone();
                if let Some(s) = support {
                    if self.defect == Defect::SubmitsAnnounced {
                        let _ = s.spooler_notify(
                            SpoolerNotifyFlags::READYTOSEND,
                            mapisim::spi::SpoolerNotifyData::Null,
                        );
                    }
                    let message: Ref<dyn MapiProp> =
                        Ref::new(ZooStore::detached(PropBag::new(), self.routines.clone())).into();
                    let _ = s.prepare_submit(&message, 0);
                }
                self.transports(flags)
            }
            _ => self.transports(flags),
        }
    }
}

impl Drop for ZooStore {
    fn drop(&mut self) {
        if self.defect == Defect::PanicInDrop {
            panic!("zoo: panic in the store's final release");
        }
        let flag = self.logoff_flag.lock().unwrap().unwrap_or(LogoffFlags::ABORT);
        let _ = self.transports(flag);
        drop(self.second_support.lock().unwrap().take());
        drop(self.support.lock().unwrap().take());
    }
}

/// The zoo's DLL base name and file.
pub(crate) const ZOO_DLL: &str = "ZOO.DLL";
pub(crate) const ZOO_FILE: &str = "ZOO32.DLL";

/// A service with one zoo store.
pub(crate) fn zoo_service(name: &str) -> ServiceDef {
    ServiceDef::new(name)
        .prop(PR_SERVICE_DLL_NAME_A, ZOO_DLL)
        .prop(PR_SERVICE_ENTRY_NAME, "ServiceEntry")
        .provider(
            ProviderDef::store(ZOO_DLL)
                .display_name("Zoo Store")
                .provider_display("Zoo Store Provider")
                .resource_flags(ResourceFlags::DEFAULT_STORE),
        )
}

/// A simulator hosting the zoo with `defect` (service "ZOO") and the sample (service "SMPMS").
pub(crate) fn simulator(defect: Defect) -> Simulator {
    builder(defect).build()
}

pub(crate) fn builder(defect: Defect) -> SimulatorBuilder {
    Simulator::builder()
        .library(ZOO_FILE, move || ZooLibrary::new(defect))
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(zoo_service("ZOO"))
        .service(SampleStore::service("SMPMS"))
}

/// Creates profile `name` with the zoo service.
/// The sample's DLL and the services of its Mapisvc.inf (its default profile is the sample
/// store).
pub(crate) fn sample_builder() -> SimulatorBuilder {
    Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .mapisvc_inf(SampleStore::MAPISVC_INF)
        .unwrap()
}

pub(crate) fn zoo_profile(sim: &Simulator, name: &str) {
    sim.profiles().create(name).unwrap().add_service("ZOO").unwrap();
}

/// The usual end: an orderly `StoreLogoff` and the store's release, the session's logoff and
/// release, `MAPIUninitialize`, and the report.
pub(crate) fn close_and_finish(
    sim: Simulator,
    mapi: mapisim::runtime::Mapi,
    session: Session,
    store: StoreHandle,
) -> Report {
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish()
}

/// Opens the default store of the session.
pub(crate) fn open_default(session: &Session, flags: OpenStoreFlags) -> MapiResult<StoreHandle> {
    let row = session.msg_stores_table()?.default_store()?;
    session.open_msg_store(&row.entry_id, flags)
}

/// The documented lifecycle, start to end, on the zoo: initialize, logon, open, spooler,
/// StoreLogoff, release, logoff, uninitialize. Errors are ignored: the report tells.
pub(crate) fn run_lifecycle(sim: &Simulator) {
    zoo_profile(sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    if let Ok(store) = open_default(&session, OpenStoreFlags::WRITE) {
        sim.spooler().run_until_idle();
        let _ = store.store_logoff(LogoffFlags::ORDERLY);
        drop(store);
    }
    let _ = session.logoff(SessionLogoffFlags::empty());
    drop(session);
    let _ = mapi.uninitialize();
}

/// How a client ends a store's life, for the tables that try every way.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Ending {
    /// `StoreLogoff`, the store's release, then the session's `Logoff`.
    StoreLogoffThenRelease,
    /// The store's release without `StoreLogoff`, then the session's `Logoff`.
    PlainRelease,
    /// The session's `Logoff` while the client still holds the store, released afterwards.
    SessionLogoffHeld,
    /// The last `MAPIUninitialize` while the client still holds the store and the session.
    UninitializeHeld,
    /// The store opened twice (the second `Logon` reuses the open store), `StoreLogoff` through
    /// the first handle, both released.
    Reopen,
    /// `StoreLogoff` with `LOGOFF_ABORT` (which busy transports refuse), then the release.
    AbortThenRelease,
}

impl Ending {
    /// The four ways a store's teardown starts.
    pub(crate) const TEARDOWNS: [Ending; 4] = [
        Ending::StoreLogoffThenRelease,
        Ending::PlainRelease,
        Ending::SessionLogoffHeld,
        Ending::UninitializeHeld,
    ];

    /// Every ending.
    pub(crate) const ALL: [Ending; 6] = [
        Ending::StoreLogoffThenRelease,
        Ending::PlainRelease,
        Ending::SessionLogoffHeld,
        Ending::UninitializeHeld,
        Ending::Reopen,
        Ending::AbortThenRelease,
    ];

    /// The client rules the ending breaks on purpose: none but the client's own mistakes.
    pub(crate) fn client_rules(self) -> Vec<&'static str> {
        match self {
            Ending::UninitializeHeld => vec!["CLIENT-LOGOFF", "CLIENT-RELEASE"],
            Ending::SessionLogoffHeld => vec!["CLIENT-RELEASE"],
            _ => Vec::new(),
        }
    }
}

/// One store's life on `sim` (profile `profile`): initialize, log on, open the default store,
/// run the spooler, end as `ending` says; then the report.
pub(crate) fn store_life(sim: Simulator, profile: &str, ending: Ending) -> Report {
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex(profile, LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    sim.spooler().run_until_idle();
    match ending {
        Ending::UninitializeHeld => {
            mapi.uninitialize().unwrap();
            drop(store);
            drop(session);
            return sim.finish();
        }
        Ending::StoreLogoffThenRelease => {
            store.store_logoff(LogoffFlags::ORDERLY).unwrap();
            drop(store);
        }
        Ending::PlainRelease => drop(store),
        Ending::SessionLogoffHeld => {
            session.logoff(SessionLogoffFlags::empty()).unwrap();
            drop(store);
            drop(session);
            mapi.uninitialize().unwrap();
            return sim.finish();
        }
        Ending::Reopen => {
            let again = open_default(&session, OpenStoreFlags::WRITE).unwrap();
            store.store_logoff(LogoffFlags::ORDERLY).unwrap();
            drop(again);
            drop(store);
        }
        Ending::AbortThenRelease => {
            // (Whether the store passes a refusal on is SLT-OUTPUT-ACTED's to judge.)
            store.store_logoff(LogoffFlags::ABORT).unwrap();
            drop(store);
        }
    }
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish()
}
