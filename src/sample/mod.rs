//! The reference sample store provider: small, in-memory, and following every rule the simulator
//! checks. It is the model to copy when writing a store provider against [`crate::spi`].
//!
//! What it does, step by step, is what the MAPI documentation asks of a store provider:
//!
//! - **`MSProviderInit`** ([`SampleLibrary`]): refuses a MAPI whose SPI is older than its own with
//!   `MAPI_E_VERSION`, and returns a *new* provider object each time. The provider keeps `lpMalloc`
//!   (cloning it: the `AddRef`), the allocation routines, and the list of its open stores.
//! - **`Logon`** ([`SampleProvider`]): first looks for the store among its open stores (by the
//!   entry ID); if it is open, returns it AddRef'd and no logon object, and does nothing else.
//!   Otherwise: AddRefs the support object and keeps it in the store object, opens its own profile
//!   section, records `PR_DISPLAY_NAME`, the *wrapped* `PR_ENTRYID`, `PR_PROVIDER_DISPLAY` and
//!   `PR_RECORD_KEY` there (never `PR_RESOURCE_FLAGS` or `PR_PROVIDER_DLL_NAME`), registers its
//!   hard-coded MAPIUID, creates the logon and store objects, adds its status row, makes the profile
//!   section permanent (not for `MDB_TEMPORARY`), and returns spool-security data without pointers.
//! - **`SpoolerLogon`**: returns the same logon and store objects.
//! - **`CompareStoreIDs`**: compares its own (unwrapped) store IDs.
//! - **`StoreLogoff`** ([`SampleMsgStore`]): saves the flag and passes it, once, to
//!   `StoreLogoffTransports`; a store released without `StoreLogoff` calls it with `LOGOFF_ABORT`
//!   from its final release, then drops its support reference, which starts MAPI's teardown.
//! - **`IMSLogon::Logoff`** ([`SampleLogon`]): takes the store off the provider's list.
//! - **`Shutdown`**: lets go of what the provider holds.
//!
//! The logon object points at its store with a weak link, so the two never keep each other alive.

mod ab;
mod message;
mod xp;

pub use ab::{SAMPLE_AB_UID, SampleAbLogon, SampleAbProvider, sample_container_id, sample_user_id};
pub use message::{SampleMessage, sample_new_message_id};
pub use xp::{SAMPLE_ADDRESS_TYPE, SAMPLE_XP_UID, SampleXpLogon, SampleXpProvider};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{
    EventMask, LockState, LogoffFlags, ObjectType, ProfileSectionFlags, ResourceFlags, ResourceMethods,
    ResourceType, ServiceContext, SpiVersion, StatusCode, StatusRowFlags, StoreLogonFlags, SubscribeFlags,
};
use crate::ids::{EntryId, Iid, MapiUid};
use crate::object::{Ref, WeakRef};
use crate::profile::{ProviderDef, ServiceDef};
use crate::props::{
    PR_DISPLAY_NAME_W, PR_ENTRYID, PR_MDB_PROVIDER, PR_OBJECT_TYPE, PR_PROVIDER_DISPLAY_W, PR_PROVIDER_UID,
    PR_RECORD_KEY, PR_RESOURCE_METHODS, PR_SERVICE_DLL_NAME_A, PR_SERVICE_ENTRY_NAME, PR_STATUS_CODE,
    PR_STORE_ENTRYID, PR_STORE_RECORD_KEY, PR_STORE_SUPPORT_MASK, Prop, PropBag, PropTag, PropValue,
};
use crate::runtime::{Behavior, SltTiming};
use crate::spi::{
    AbProvider, Exports, InitArgs, Malloc, MapiProp, MapiSupport, MemRoutines, MsLogon, MsProvider, MsgStore,
    ProviderInit, ProviderLibrary, ServiceEntryArgs, SpoolerLogonArgs, StoreLogon, StoreLogonArgs,
    XpProvider,
};
use crate::spi::{AdviseSink, BufferId, Notification, OpenedEntry, PropArray, PropProblem, ProviderShutdown};
use crate::sync::lock;

/// The sample's registered MAPIUID: a hard-coded constant, the same in every version.
pub const SAMPLE_PROVIDER_UID: MapiUid = MapiUid(*b"mapisim:sample:1");

/// `PR_MDB_PROVIDER` of the sample's stores: the MAPIUID naming the store type.
pub const SAMPLE_MDB_PROVIDER: MapiUid = MapiUid(*b"mapisim:sampleMS");

/// The reference store provider: its DLL names and the service that holds it.
#[derive(Debug)]
pub struct SampleStore;

impl SampleStore {
    /// The base name a profile holds (`PR_PROVIDER_DLL_NAME`).
    pub const DLL_BASE: &'static str = "SMPMS.DLL";
    /// The file MAPI loads: the base name with `32` inserted.
    pub const DLL_FILE: &'static str = "SMPMS32.DLL";

    /// A fresh instance of the sample's DLL with the default configuration (for the default
    /// [`Behavior`]). Pass it to [`SimulatorBuilder::library`](crate::runtime::SimulatorBuilder::library).
    pub fn library() -> SampleLibrary {
        SampleLibrary::new(SampleConfig::default())
    }

    /// The Mapisvc.inf section a provider author ships for the sample: the message service
    /// `SMPMS`, in `[Default Services]` too, with one store provider. Reading it with
    /// [`SimulatorBuilder::mapisvc_inf`](crate::runtime::SimulatorBuilder::mapisvc_inf) gives the
    /// same service as [`SampleStore::service`]`("SMPMS")`.
    ///
    /// ```
    /// use mapisim::profile::inf;
    /// use mapisim::sample::SampleStore;
    ///
    /// let parsed = inf::parse(SampleStore::MAPISVC_INF);
    /// assert!(parsed.diagnostics.is_empty());
    /// assert_eq!(parsed.inf.service_defs().unwrap()[0].name(), "SMPMS");
    /// ```
    pub const MAPISVC_INF: &'static str = "\
[Services]
SMPMS=Sample Message Store

[Default Services]
SMPMS=Sample Message Store

[SMPMS]
PR_DISPLAY_NAME=Sample Message Store
PR_SERVICE_DLL_NAME=SMPMS.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry
Providers=SMPMS MS

[SMPMS MS]
PR_DISPLAY_NAME=Sample Store
PR_PROVIDER_DISPLAY=Sample Store Provider
PR_PROVIDER_DLL_NAME=SMPMS.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE
";

    /// The sample store provider as a profile holds it: the default store.
    fn provider() -> ProviderDef {
        ProviderDef::store(SampleStore::DLL_BASE)
            .display_name("Sample Store")
            .provider_display("Sample Store Provider")
            .resource_flags(ResourceFlags::DEFAULT_STORE)
    }

    /// A message service named `name` with one sample store provider, the default store, and the
    /// sample's service entry point.
    pub fn service(name: &str) -> ServiceDef {
        ServiceDef::new(name)
            .display_name("Sample Message Store")
            .prop(PR_SERVICE_DLL_NAME_A, SampleStore::DLL_BASE)
            .prop(PR_SERVICE_ENTRY_NAME, "ServiceEntry")
            .provider(SampleStore::provider())
    }
}

/// The sample DLL's whole message service: the sample address book, store and transport in one
/// service, as a provider author ships them. Within the service MAPI starts the address book
/// before the store; the spooler starts the transport when a message is submitted.
#[derive(Debug)]
pub struct SampleSuite;

impl SampleSuite {
    /// The service's name in Mapisvc.inf and in profiles.
    pub const NAME: &'static str = "SMPSUITE";

    /// The Mapisvc.inf sections of the service: its providers live in the sample's DLL
    /// (`SMPMS.DLL`). Reading it gives the same service as [`SampleSuite::service`].
    ///
    /// ```
    /// use mapisim::profile::inf;
    /// use mapisim::sample::SampleSuite;
    ///
    /// let parsed = inf::parse(SampleSuite::MAPISVC_INF);
    /// assert!(parsed.diagnostics.is_empty());
    /// let services = parsed.inf.service_defs().unwrap();
    /// assert_eq!(services[0].name(), SampleSuite::NAME);
    /// ```
    pub const MAPISVC_INF: &'static str = "\
[Services]
SMPSUITE=Sample Messaging Suite

[SMPSUITE]
PR_DISPLAY_NAME=Sample Messaging Suite
PR_SERVICE_DLL_NAME=SMPMS.DLL
PR_SERVICE_ENTRY_NAME=ServiceEntry
Providers=SMPSUITE AB, SMPSUITE MS, SMPSUITE XP

[SMPSUITE AB]
PR_DISPLAY_NAME=Sample Address Book
PR_PROVIDER_DISPLAY=Sample Address Book Provider
PR_PROVIDER_DLL_NAME=SMPMS.DLL
PR_RESOURCE_TYPE=MAPI_AB_PROVIDER
PR_RESOURCE_FLAGS=0

[SMPSUITE MS]
PR_DISPLAY_NAME=Sample Store
PR_PROVIDER_DISPLAY=Sample Store Provider
PR_PROVIDER_DLL_NAME=SMPMS.DLL
PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE

[SMPSUITE XP]
PR_DISPLAY_NAME=Sample Transport
PR_PROVIDER_DISPLAY=Sample Transport Provider
PR_PROVIDER_DLL_NAME=SMPMS.DLL
PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER
PR_RESOURCE_FLAGS=0
";

    /// A message service named `name` with the sample address book, the sample store (the
    /// default store) and the sample transport.
    pub fn service(name: &str) -> ServiceDef {
        ServiceDef::new(name)
            .display_name("Sample Messaging Suite")
            .prop(PR_SERVICE_DLL_NAME_A, SampleStore::DLL_BASE)
            .prop(PR_SERVICE_ENTRY_NAME, "ServiceEntry")
            .provider(
                ProviderDef::new(ResourceType::AbProvider, SampleStore::DLL_BASE)
                    .display_name("Sample Address Book")
                    .provider_display("Sample Address Book Provider"),
            )
            .provider(SampleStore::provider())
            .provider(
                ProviderDef::new(ResourceType::TransportProvider, SampleStore::DLL_BASE)
                    .display_name("Sample Transport")
                    .provider_display("Sample Transport Provider"),
            )
    }
}

/// How the sample plays the variants where the documents disagree; match it to the simulator's
/// [`Behavior`] with [`SampleConfig::for_behavior`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SampleConfig {
    /// When the store calls `StoreLogoffTransports`.
    pub store_logoff_transports: SltTiming,
    /// Whether `IMSLogon::Logoff` releases the support object when the store still holds it (the
    /// generic page's task of `Logoff`); the store's final release releases it otherwise. Right
    /// under either teardown variant. On by default.
    pub release_support_in_logoff: bool,
}

impl Default for SampleConfig {
    fn default() -> Self {
        SampleConfig {
            store_logoff_transports: SltTiming::default(),
            release_support_in_logoff: true,
        }
    }
}

impl SampleConfig {
    /// The configuration that follows `behavior`.
    pub fn for_behavior(behavior: &Behavior) -> SampleConfig {
        SampleConfig {
            store_logoff_transports: behavior.store_logoff_transports,
            ..SampleConfig::default()
        }
    }
}

/// The sample's DLL: one instance per load.
#[derive(Debug)]
pub struct SampleLibrary {
    config: SampleConfig,
}

impl SampleLibrary {
    /// A DLL instance with this configuration.
    pub fn new(config: SampleConfig) -> SampleLibrary {
        SampleLibrary { config }
    }
}

impl ProviderLibrary for SampleLibrary {
    fn exports(&self) -> Exports {
        Exports::MS_PROVIDER_INIT
            | Exports::AB_PROVIDER_INIT
            | Exports::XP_PROVIDER_INIT
            | Exports::SERVICE_ENTRY
    }

    /// The sample's message-service entry point. The store lives in memory, so creating the
    /// service needs no questions (and no UI); configuring it takes a new `PR_DISPLAY_NAME` for
    /// its store from the properties; deleting it always succeeds.
    fn service_entry(&self, args: &ServiceEntryArgs<'_>) -> MapiResult<()> {
        match args.context {
            ServiceContext::Install | ServiceContext::Uninstall | ServiceContext::Create => Ok(()),
            ServiceContext::Delete => Ok(()),
            ServiceContext::Configure => {
                let Some(name) = args
                    .props
                    .iter()
                    .find(|p| p.tag.id() == PR_DISPLAY_NAME_W.id())
                    .and_then(|p| p.value.as_str())
                else {
                    return Ok(());
                };
                for row in args.admin.get_provider_table(0)? {
                    let row: PropBag = row.into_iter().collect();
                    let uid = row.get_uid(PR_PROVIDER_UID).ok_or(MapiError::CorruptData)?;
                    let section =
                        args.admin
                            .open_profile_section(Some(&uid), None, ProfileSectionFlags::MODIFY)?;
                    section.set_props(&[Prop {
                        tag: PR_DISPLAY_NAME_W,
                        value: PropValue::Unicode(name.into()),
                    }])?;
                }
                Ok(())
            }
            ServiceContext::ProviderCreate | ServiceContext::ProviderDelete => Err(MapiError::NoSupport),
        }
    }

    /// The version check of `MSProviderInit`, and a new provider object.
    fn ab_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn AbProvider>> {
        args.provider_version.set(SpiVersion::CURRENT);
        if args.mapi_version < SpiVersion::CURRENT {
            return Err(MapiError::Version);
        }
        let provider = Ref::new(SampleAbProvider::new(args.routines.clone()));
        // The provider object also answers for IMAPIProviderShutdown (fast shutdown).
        provider.expose::<dyn ProviderShutdown>();
        Ok(ProviderInit {
            provider: provider.into(),
            version: SpiVersion::CURRENT,
        })
    }

    /// The version check of `MSProviderInit`, and a new provider object.
    fn xp_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn XpProvider>> {
        args.provider_version.set(SpiVersion::CURRENT);
        if args.mapi_version < SpiVersion::CURRENT {
            return Err(MapiError::Version);
        }
        let provider = Ref::new(SampleXpProvider::new());
        provider.expose::<dyn ProviderShutdown>();
        Ok(ProviderInit {
            provider: provider.into(),
            version: SpiVersion::CURRENT,
        })
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        // As Microsoft's samples do: our version first, then a MAPI older than our SPI cannot host
        // us (any newer one can).
        args.provider_version.set(SpiVersion::CURRENT);
        if args.mapi_version < SpiVersion::CURRENT {
            return Err(MapiError::Version);
        }
        let provider = Ref::new(SampleProvider {
            malloc: Mutex::new(Some(args.malloc.clone())),
            routines: args.routines.clone(),
            config: self.config,
            stores: Arc::new(Mutex::new(HashMap::new())),
        });
        // The provider object also answers for IMAPIProviderShutdown (fast shutdown).
        provider.expose::<dyn ProviderShutdown>();
        Ok(ProviderInit {
            provider: provider.into(),
            version: SpiVersion::CURRENT,
        })
    }
}

/// One store the provider has open.
struct OpenStore {
    id: EntryId,
    logon: WeakRef<SampleLogon>,
    store: WeakRef<SampleMsgStore>,
}

/// The stores open, by the data of their entry ID (every one the sample's: its provider UID).
type OpenStores = Arc<Mutex<HashMap<Vec<u8>, OpenStore>>>;

/// The sample's `IMSProvider`.
pub struct SampleProvider {
    malloc: Mutex<Option<Ref<dyn Malloc>>>,
    routines: MemRoutines,
    config: SampleConfig,
    stores: OpenStores,
}

impl std::fmt::Debug for SampleProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleProvider")
            .field("open_stores", &lock(&self.stores).len())
            .finish()
    }
}

impl SampleProvider {
    /// The allocation routines the provider was initialized with.
    pub fn routines(&self) -> &MemRoutines {
        &self.routines
    }

    /// The open store with this ID (as its objects, AddRef'd).
    fn find(&self, id: &EntryId) -> Option<(Ref<SampleLogon>, Ref<SampleMsgStore>)> {
        if id.provider_uid() != SAMPLE_PROVIDER_UID {
            return None;
        }
        let stores = lock(&self.stores);
        let open = stores.get(id.data()).filter(|s| same_store(&s.id, id))?;
        Some((open.logon.upgrade()?, open.store.upgrade()?))
    }

    fn store_id_from(entry_id: Option<&[u8]>, section: &PropBag) -> MapiResult<EntryId> {
        match entry_id {
            Some(bytes) => {
                let id = EntryId::parse(bytes).map_err(|_| MapiError::InvalidEntryid)?;
                if id.provider_uid() == SAMPLE_PROVIDER_UID {
                    Ok(id)
                } else {
                    Err(MapiError::InvalidEntryid)
                }
            }
            None => {
                let section_uid = section.get_uid(PR_PROVIDER_UID).ok_or(MapiError::CorruptData)?;
                Ok(EntryId::new(SAMPLE_PROVIDER_UID, section_uid.0.to_vec()))
            }
        }
    }
}

/// Whether two of the sample's store IDs name the same store.
fn same_store(a: &EntryId, b: &EntryId) -> bool {
    a.provider_uid() == SAMPLE_PROVIDER_UID && b.provider_uid() == SAMPLE_PROVIDER_UID && a.data() == b.data()
}

/// Fast shutdown: the sample keeps nothing unsaved (its stores live in its profile sections and
/// in memory), so it takes part — it answers `S_OK` throughout, and has nothing to postpone or
/// save.
impl ProviderShutdown for SampleProvider {
    fn query_fast_shutdown(&self) -> MapiResult<()> {
        Ok(())
    }

    fn notify_process_shutdown(&self) -> MapiResult<()> {
        Ok(())
    }

    fn do_fast_shutdown(&self) -> MapiResult<()> {
        Ok(())
    }
}

impl MsProvider for SampleProvider {
    fn shutdown(&self, _flags: u32) -> MapiResult<()> {
        // Every logon is gone; let go of what the provider holds.
        lock(&self.stores).clear();
        drop(lock(&self.malloc).take());
        Ok(())
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        // An open store is found by its entry ID first, before anything else is done. It is
        // returned with the interface asked for, if it has it.
        if let Some(bytes) = args.entry_id
            && let Ok(id) = EntryId::parse(bytes)
            && let Some((_, store)) = self.find(&id)
        {
            let store: Ref<dyn MsgStore> = store.into();
            if let Some(iid) = &args.interface {
                store
                    .query_interface(iid)
                    .map_err(|_| MapiError::InterfaceNotSupported)?;
            }
            return Ok(Warned::ok(StoreLogon {
                logon: None,
                store,
                spool_security: None,
            }));
        }
        // A fresh store has the interfaces of a store: nothing else is asked of it.
        if let Some(iid) = args.interface
            && !SampleMsgStore::INTERFACES.contains(&iid)
        {
            return Err(MapiError::InterfaceNotSupported);
        }

        // A fresh logon. The buffers MAPI hands over are read and freed at once.
        let support = args.support.clone();
        let section = support.open_profile_section(None, ProfileSectionFlags::MODIFY)?;
        let current = section.get_props(None, 0)?.into_value();
        let current: PropBag = self.routines.take(current)?.into_iter().collect();
        let id = SampleProvider::store_id_from(args.entry_id, &current)?;
        let wrapped = support.wrap_store_entry_id(&id.to_bytes())?;
        let wrapped = self.routines.take_bytes(wrapped)?;
        // The spool-security blob goes to MAPI, which frees it. It is allocated before anything
        // is set up, so that a failure leaves nothing to undo; it is freed if a later step fails.
        let mut blob = b"SMPMS:".to_vec();
        blob.extend_from_slice(id.data());
        let spool_security = self.routines.allocate_bytes(&blob)?;
        match self.fresh_logon(args, support, section, &current, id, wrapped, spool_security) {
            Ok(out) => Ok(out),
            Err(e) => {
                self.routines.free_buffer(Some(spool_security))?;
                Err(e)
            }
        }
    }

    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        let id = match args.entry_id {
            Some(bytes) => EntryId::parse(bytes).map_err(|_| MapiError::InvalidEntryid)?,
            None => {
                let data = args
                    .spool_security
                    .strip_prefix(b"SMPMS:")
                    .ok_or(MapiError::LogonFailed)?;
                EntryId::new(SAMPLE_PROVIDER_UID, data.to_vec())
            }
        };
        let (logon, store) = self.find(&id).ok_or(MapiError::LogonFailed)?;
        store.spooler_logged_on.store(true, Ordering::Relaxed);
        Ok(Warned::ok(StoreLogon {
            logon: Some(logon.into()),
            store: store.into(),
            spool_security: None,
        }))
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], _flags: u32) -> MapiResult<bool> {
        let a = EntryId::parse(a).map_err(|_| MapiError::InvalidEntryid)?;
        let b = EntryId::parse(b).map_err(|_| MapiError::InvalidEntryid)?;
        Ok(same_store(&a, &b))
    }
}

impl SampleProvider {
    /// The rest of a fresh logon, once the buffers it needs are in hand.
    #[allow(clippy::too_many_arguments)]
    fn fresh_logon(
        &self,
        args: &StoreLogonArgs<'_>,
        support: Ref<dyn MapiSupport>,
        section: Ref<dyn crate::spi::ProfSect>,
        current: &PropBag,
        id: EntryId,
        wrapped: Vec<u8>,
        spool_security: BufferId,
    ) -> MapiResult<Warned<StoreLogon>> {
        let display_name = current
            .get_str(PR_DISPLAY_NAME_W)
            .unwrap_or("Sample Store")
            .to_owned();
        section.set_props(&[
            Prop {
                tag: PR_DISPLAY_NAME_W,
                value: PropValue::Unicode(display_name.clone().into()),
            },
            Prop {
                tag: PR_ENTRYID,
                value: PropValue::Binary(wrapped.clone()),
            },
            Prop {
                tag: PR_PROVIDER_DISPLAY_W,
                value: PropValue::Unicode("Sample Store Provider".into()),
            },
            Prop {
                tag: PR_RECORD_KEY,
                value: PropValue::Binary(id.data().to_vec()),
            },
        ])?;
        drop(section);
        support.set_provider_uid(&SAMPLE_PROVIDER_UID, 0)?;

        let mut props = PropBag::new();
        props
            .put(PR_DISPLAY_NAME_W, display_name.as_str())
            .put(PR_ENTRYID, wrapped.clone())
            .put(PR_STORE_ENTRYID, wrapped)
            .put(PR_OBJECT_TYPE, ObjectType::Store.value())
            .put(PR_RECORD_KEY, id.data().to_vec())
            .put(PR_STORE_RECORD_KEY, id.data().to_vec())
            .put(PR_MDB_PROVIDER, SAMPLE_MDB_PROVIDER)
            .put(PR_STORE_SUPPORT_MASK, 0u32);

        let store = Ref::new(SampleMsgStore {
            me: std::sync::OnceLock::new(),
            outbox: message::Outbox::default(),
            routines: self.routines.clone(),
            support: Mutex::new(Some(support)),
            props: Mutex::new(props),
            logoff_flag: Mutex::new(None),
            transports_logged_off: AtomicBool::new(false),
            spooler_logged_on: AtomicBool::new(false),
            timing: self.config.store_logoff_transports,
        });
        let _ = store.me.set(store.downgrade());
        let logon = Ref::new(SampleLogon {
            store: store.downgrade(),
            stores: Arc::clone(&self.stores),
            id: id.clone(),
            logged_off: AtomicBool::new(false),
            release_support_in_logoff: self.config.release_support_in_logoff,
        });

        args.support.modify_status_row(
            &status_row(&display_name, "Sample Store Provider"),
            StatusRowFlags::empty(),
        )?;
        if !args.flags.contains(StoreLogonFlags::TEMPORARY) {
            args.support.modify_profile(0)?;
        }

        // The first logon of a store stays the one found (two opened at once on two threads).
        lock(&self.stores)
            .entry(id.data().to_vec())
            .or_insert_with(|| OpenStore {
                id: id.clone(),
                logon: logon.downgrade(),
                store: store.downgrade(),
            });
        Ok(Warned::ok(StoreLogon {
            logon: Some(logon.into()),
            store: store.into(),
            spool_security: Some(spool_security),
        }))
    }
}

/// A read-only object of a sample provider (an address-book entry, a message's fixed part): its
/// properties, and the routines to hand them out with.
pub(crate) struct ReadOnly {
    pub(crate) props: PropBag,
    pub(crate) routines: MemRoutines,
}

impl MapiProp for ReadOnly {
    /// The properties, in a buffer allocated with MAPI's routines for the caller to free.
    fn get_props(&self, tags: Option<&[PropTag]>, _flags: u32) -> MapiResult<Warned<PropArray>> {
        self.props
            .select(tags)
            .try_map(|props| self.routines.allocate_value(props))
    }

    fn get_prop_list(&self, _flags: u32) -> MapiResult<Vec<PropTag>> {
        Ok(self.props.tags().collect())
    }
}

/// The columns of a sample provider's status row: its names, available, no status methods.
fn status_row(display_name: &str, provider_display: &str) -> [Prop; 4] {
    [
        Prop {
            tag: PR_DISPLAY_NAME_W,
            value: PropValue::Unicode(display_name.into()),
        },
        Prop {
            tag: PR_PROVIDER_DISPLAY_W,
            value: PropValue::Unicode(provider_display.into()),
        },
        Prop {
            tag: PR_STATUS_CODE,
            value: PropValue::from_u32(StatusCode::AVAILABLE.bits()),
        },
        Prop {
            tag: PR_RESOURCE_METHODS,
            value: PropValue::from_u32(ResourceMethods::empty().bits()),
        },
    ]
}

/// The sample's `IMSLogon`.
pub struct SampleLogon {
    store: WeakRef<SampleMsgStore>,
    stores: OpenStores,
    id: EntryId,
    logged_off: AtomicBool,
    release_support_in_logoff: bool,
}

impl std::fmt::Debug for SampleLogon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleLogon")
            .field("logged_off", &self.logged_off.load(Ordering::Relaxed))
            .finish()
    }
}

impl MsLogon for SampleLogon {
    fn logoff(&self, _flags: u32) -> MapiResult<()> {
        self.logged_off.store(true, Ordering::Relaxed);
        if self.id.provider_uid() == SAMPLE_PROVIDER_UID {
            lock(&self.stores).remove(self.id.data());
        }
        if self.release_support_in_logoff
            && let Some(store) = self.store.upgrade()
        {
            // The provider-in-Logoff variant: Logoff itself lets go of the support object.
            let support = lock(&store.support).take();
            drop(store);
            drop(support);
        }
        Ok(())
    }

    fn compare_entry_ids(&self, a: &[u8], b: &[u8], _flags: u32) -> MapiResult<bool> {
        Ok(a == b)
    }

    /// Opens what the sample can open by entry ID: its store.
    fn open_entry(&self, entry_id: &[u8], _interface: Option<Iid>, _flags: u32) -> MapiResult<OpenedEntry> {
        let id = EntryId::parse(entry_id).map_err(|_| MapiError::InvalidEntryid)?;
        if !same_store(&id, &self.id) {
            return Err(MapiError::NotFound);
        }
        let store = self.store.upgrade().ok_or(MapiError::ObjectDeleted)?;
        Ok(OpenedEntry::Store(store.into()))
    }
}

/// The sample's `IMsgStore`.
pub struct SampleMsgStore {
    /// Itself, for the messages it makes (they point back at it).
    me: std::sync::OnceLock<WeakRef<SampleMsgStore>>,
    outbox: message::Outbox,
    routines: MemRoutines,
    support: Mutex<Option<Ref<dyn MapiSupport>>>,
    props: Mutex<PropBag>,
    logoff_flag: Mutex<Option<LogoffFlags>>,
    transports_logged_off: AtomicBool,
    spooler_logged_on: AtomicBool,
    timing: SltTiming,
}

impl std::fmt::Debug for SampleMsgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleMsgStore")
            .field("logoff_flag", &*lock(&self.logoff_flag))
            .finish()
    }
}

impl SampleMsgStore {
    /// How many messages were submitted, and how many the spooler finished with.
    pub fn messages_sent(&self) -> (u32, u32) {
        (
            self.outbox.submitted.load(Ordering::Relaxed),
            self.outbox.finished.load(Ordering::Relaxed),
        )
    }

    /// Whether the spooler logged on to this store.
    pub fn spooler_logged_on(&self) -> bool {
        self.spooler_logged_on.load(Ordering::Relaxed)
    }

    /// The key notifications about the store go under: its entry ID.
    fn notify_key(&self) -> Vec<u8> {
        lock(&self.props)
            .get_binary(PR_STORE_ENTRYID)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    /// Calls `StoreLogoffTransports` once, with `flags`, and returns its answer. An answer
    /// without `LOGOFF_COMPLETE` (transports at work kept the logoff from happening) leaves the
    /// store logged on: a later `StoreLogoff` or the final release calls it again.
    fn logoff_transports(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        if self.transports_logged_off.swap(true, Ordering::AcqRel) {
            return Ok(LogoffFlags::COMPLETE);
        }
        let support = lock(&self.support).clone();
        let answer = match support {
            Some(support) => support.store_logoff_transports(flags),
            None => Ok(LogoffFlags::COMPLETE),
        };
        if !answer.as_ref().is_ok_and(|a| a.contains(LogoffFlags::COMPLETE)) {
            self.transports_logged_off.store(false, Ordering::Release);
        }
        answer
    }
}

impl MapiProp for SampleMsgStore {
    /// The properties, in a buffer allocated with MAPI's routines for the caller to free.
    fn get_props(&self, tags: Option<&[PropTag]>, _flags: u32) -> MapiResult<Warned<PropArray>> {
        let selected = lock(&self.props).select(tags);
        selected.try_map(|props| self.routines.allocate_value(props))
    }

    fn get_prop_list(&self, _flags: u32) -> MapiResult<Vec<PropTag>> {
        Ok(lock(&self.props).tags().collect())
    }

    /// Only `PR_DISPLAY_NAME` can be set; the others are computed (`MAPI_E_COMPUTED`). A change
    /// is announced to the store's advise sinks (`fnevObjectModified`).
    fn set_props(&self, props: &[Prop]) -> MapiResult<Vec<PropProblem>> {
        let mut problems = Vec::new();
        let mut changed = false;
        {
            let mut bag = lock(&self.props);
            for (index, prop) in props.iter().enumerate() {
                if prop.tag == PR_DISPLAY_NAME_W {
                    bag.set(prop.tag, prop.value.clone())
                        .map_err(|_| MapiError::InvalidParameter)?;
                    changed = true;
                } else {
                    problems.push(PropProblem {
                        index,
                        tag: prop.tag,
                        error: MapiError::Computed,
                    });
                }
            }
        }
        if changed {
            let support = lock(&self.support).clone();
            if let Some(support) = support {
                let key = self.notify_key();
                let notification =
                    Notification::object(EventMask::OBJECT_MODIFIED, ObjectType::Store, key.clone());
                support.notify(&key, &[notification], 0)?;
            }
        }
        Ok(problems)
    }
}

impl SampleMsgStore {
    /// The interfaces the store answers for.
    pub const INTERFACES: [Iid; 3] = [Iid::IUNKNOWN, Iid::IMAPIPROP, Iid::IMSGSTORE];
}

impl MsgStore for SampleMsgStore {
    /// Advise sinks subscribe with MAPI under the store's entry ID (the object, when `entry_id`
    /// names one): the provider keeps no list of its own.
    fn advise(
        &self,
        entry_id: Option<&[u8]>,
        mask: EventMask,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        let key = entry_id.map_or_else(|| self.notify_key(), <[u8]>::to_vec);
        let support = lock(&self.support).clone().ok_or(MapiError::InvalidObject)?;
        support.subscribe(&key, mask, SubscribeFlags::empty(), sink)
    }

    fn unadvise(&self, connection: usize) -> MapiResult<()> {
        let support = lock(&self.support).clone().ok_or(MapiError::InvalidObject)?;
        support.unsubscribe(connection)
    }

    /// A new message in the outbox for [`sample_new_message_id`]; nothing else is opened.
    fn open_entry(
        &self,
        entry_id: Option<&[u8]>,
        _interface: Option<Iid>,
        _flags: u32,
    ) -> MapiResult<OpenedEntry> {
        let me = self.me.get().cloned().ok_or(MapiError::ObjectDeleted)?;
        self.open_message(me, entry_id.ok_or(MapiError::NoSupport)?)
    }

    /// The spooler locks a message while a transport takes it: nothing to do in memory.
    fn set_lock_state(&self, _message: &Ref<dyn MapiProp>, _state: LockState) -> MapiResult<()> {
        Ok(())
    }

    /// The spooler is done with a message: it leaves the outbox.
    fn finished_msg(&self, _flags: u32, _entry_id: &[u8]) -> MapiResult<()> {
        self.outbox.finished.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn store_logoff(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        *lock(&self.logoff_flag) = Some(flags);
        match self.timing {
            SltTiming::InStoreLogoff => self.logoff_transports(flags),
            // Only save the flag: the call comes from the final release.
            SltTiming::AtFinalRelease => Ok(LogoffFlags::empty()),
        }
    }
}

impl Drop for SampleMsgStore {
    /// The store's final release: `StoreLogoffTransports` if it has not been called (with the
    /// saved flag, or `LOGOFF_ABORT`), then the support reference goes, and MAPI's teardown runs.
    fn drop(&mut self) {
        let flag = lock(&self.logoff_flag).unwrap_or(LogoffFlags::ABORT);
        let _ = self.logoff_transports(flag);
        let support = lock(&self.support).take();
        drop(support);
    }
}
