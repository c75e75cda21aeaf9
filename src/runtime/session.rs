//! Sessions: the message-stores table, `OpenMsgStore` (every step of loading a store provider),
//! the status table, and session logoff.

use std::fmt;
use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{
    LogonFlags, MapiFlags, ObjectType, OpenStoreFlags, ProviderInitFlags, ResourceFlags, ResourceType,
    SessionLogoffFlags, SpiVersion, StoreLogonFlags,
};
use crate::ids::{Iid, MAPIMDB_SECTION, MapiUid, WrappedStoreEntryId, WrappedView};
use crate::object::{InterfaceKind, ObjLabel, ObjectInfo, Owner, Ref, ReleaseNotice};
use crate::profile::ProviderEntry;
use crate::props::{
    PR_DEFAULT_STORE, PR_DISPLAY_NAME_A, PR_DISPLAY_NAME_W, PR_ENTRYID, PR_INSTANCE_KEY, PR_MDB_PROVIDER,
    PR_OBJECT_TYPE, PR_PROVIDER_DISPLAY_A, PR_PROVIDER_DISPLAY_W, PR_RECORD_KEY, PR_RESOURCE_FLAGS,
    PR_STORE_ENTRYID, PR_STORE_RECORD_KEY, PR_STORE_SUPPORT_MASK, Prop, PropBag, PropTag, PropType,
    PropValue,
};
use crate::runtime::kind::{KindObject, LogonObject, ProviderKind};
use crate::runtime::state::{Few, LogonKey, LogonPhase, LogonRec, ProviderKey, ProviderRec, SpoolerPhase};
use crate::runtime::store::StoreHandle;
use crate::runtime::support::SupportObject;
use crate::runtime::{Runtime, SpoolSecurity, dll_file_name, loader};
use crate::spi::{InitArgs, MapiSupport, MsProvider, OpenedEntry, OutParam, StoreLogonArgs};
use crate::strings::TStr;
use crate::trace::{Party, Text, Value, text, write_list};

/// The session object MAPI gives the client (`IMAPISession`).
pub(crate) struct SessionObject {
    #[allow(dead_code)]
    id: u32,
}

/// A MAPI session (`IMAPISession`), as `MAPILogonEx` returns it.
///
/// Every call after [`logoff`](Session::logoff) gives `MAPI_E_END_OF_SESSION`; after the last
/// `MAPIUninitialize`, `MAPI_E_NOT_INITIALIZED`.
pub struct Session {
    rt: Arc<Runtime>,
    id: u32,
    object: Ref<SessionObject>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session").field("id", &self.id).finish()
    }
}

/// One row of the message-stores table.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StoreRow {
    /// `PR_ENTRYID`: the wrapped store entry ID to give `OpenMsgStore`.
    pub entry_id: Vec<u8>,
    /// `PR_DISPLAY_NAME`.
    pub display_name: String,
    /// `PR_PROVIDER_DISPLAY`.
    pub provider_display: String,
    /// `PR_RESOURCE_FLAGS`.
    pub resource_flags: ResourceFlags,
    /// `PR_DEFAULT_STORE`.
    pub default: bool,
    /// The MAPIUID of the store's profile section (`PR_INSTANCE_KEY`).
    pub section: MapiUid,
    /// Every column of the row.
    pub props: PropBag,
}

/// The message-stores table (`IMAPISession::GetMsgStoresTable`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct StoresTable {
    rows: Vec<StoreRow>,
}

impl StoresTable {
    /// The rows, in profile order.
    pub fn rows(&self) -> &[StoreRow] {
        &self.rows
    }

    /// The default store: the row with `STATUS_DEFAULT_STORE`, else the only row. No such row
    /// gives `MAPI_E_NOT_FOUND`.
    pub fn default_store(&self) -> MapiResult<StoreRow> {
        self.rows
            .iter()
            .find(|r| r.default)
            .or(if self.rows.len() == 1 {
                self.rows.first()
            } else {
                None
            })
            .cloned()
            .ok_or(MapiError::NotFound)
    }

    /// The row with this display name.
    pub fn by_name(&self, display_name: &str) -> MapiResult<StoreRow> {
        self.rows
            .iter()
            .find(|r| r.display_name == display_name)
            .cloned()
            .ok_or(MapiError::NotFound)
    }
}

/// A short, deterministic description of an entry ID for the trace.
pub(crate) fn describe_entry_id(bytes: &[u8]) -> String {
    // Read in place: this describes every OpenMsgStore.
    let Ok(w) = WrappedView::parse(bytes) else {
        return hex_short(bytes);
    };
    let mut text = String::with_capacity(40);
    text.extend(w.dll_name_chars());
    if w.mdb_flag() == MAPIMDB_SECTION {
        text.push_str(":section");
    } else {
        text.push(':');
        push_hex_short(&mut text, w.original());
    }
    text
}

/// The flags `IMSProvider::Logon` gets for an `OpenMsgStore` with these flags.
fn logon_flags(open: OpenStoreFlags) -> StoreLogonFlags {
    let mut flags = StoreLogonFlags::empty();
    for (from, to) in [
        (OpenStoreFlags::NO_DIALOG, StoreLogonFlags::NO_DIALOG),
        (OpenStoreFlags::WRITE, StoreLogonFlags::WRITE),
        (OpenStoreFlags::DEFERRED_ERRORS, StoreLogonFlags::DEFERRED_ERRORS),
        (OpenStoreFlags::TEMPORARY, StoreLogonFlags::TEMPORARY),
        (OpenStoreFlags::NO_MAIL, StoreLogonFlags::NO_MAIL),
    ] {
        if open.contains(from) {
            flags |= to;
        }
    }
    flags
}

impl Session {
    pub(crate) fn new(rt: Arc<Runtime>, id: u32) -> Session {
        let object = rt.ledger.register(
            SessionObject { id },
            ObjectInfo::new(InterfaceKind::MapiSession).owner(Owner::none().in_session(id)),
        );
        {
            let mut st = rt.st();
            if let Some(s) = st.session_mut(id) {
                s.label = object.label();
            }
        }
        Session { rt, id, object }
    }

    /// The session's number (1 for the first session of the simulator).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The session object's label (`IMAPISession#1`).
    pub fn label(&self) -> Option<ObjLabel> {
        self.object.label()
    }

    fn party(&self) -> Party {
        self.label().map_or(Party::Mapi, Party::Object)
    }

    /// `IMAPIClientShutdown::QueryFastShutdown` (the session answers `QueryInterface` for
    /// `IID_IMAPIClientShutdown`): MAPI asks every provider of every active session for
    /// `IMAPIProviderShutdown` (`QueryInterface`) and calls `QueryFastShutdown` on those that have
    /// it; under the user's setting ([`Behavior::fast_shutdown`](crate::runtime::Behavior)) the
    /// answer is `S_OK` or `MAPI_E_NO_SUPPORT`.
    pub fn query_fast_shutdown(&self) -> MapiResult<()> {
        self.rt
            .client_shutdown(self.id, self.party(), super::shutdown::ClientStep::Query)
    }

    /// `IMAPIClientShutdown::NotifyProcessShutdown`: MAPI calls `NotifyProcessShutdown` on every
    /// provider that has `IMAPIProviderShutdown`. Only after `QueryFastShutdown` answered `S_OK`
    /// (`CLIENT-FAST-SHUTDOWN-ORDER`).
    pub fn notify_process_shutdown(&self) -> MapiResult<()> {
        self.rt
            .client_shutdown(self.id, self.party(), super::shutdown::ClientStep::Notify)
    }

    /// `IMAPIClientShutdown::DoFastShutdown`: MAPI calls `DoFastShutdown` on every provider that
    /// has `IMAPIProviderShutdown`, and the client process exits: nothing is logged off, released
    /// or unloaded, and the report does not hold the client or the providers to the teardown.
    /// The client makes no MAPI call afterwards, not even `MAPIUninitialize`
    /// (`CLIENT-AFTER-FAST-SHUTDOWN`).
    pub fn do_fast_shutdown(&self) -> MapiResult<()> {
        self.rt
            .client_shutdown(self.id, self.party(), super::shutdown::ClientStep::Do)
    }

    /// `GetMsgStoresTable`: one row per store provider of the profile, skipping services disabled
    /// for the session. A store that was never opened has a wrapped entry ID naming its profile
    /// section (`MAPIMDB_SECTION`); once its provider recorded `PR_ENTRYID` there, that ID.
    pub fn msg_stores_table(&self) -> MapiResult<StoresTable> {
        let call = self
            .rt
            .trace
            .begin_call(Party::Client, self.party(), "GetMsgStoresTable", "");
        let result = self
            .rt
            .check_session(self.id, "GetMsgStoresTable")
            .and_then(|()| self.rt.stores_table(self.id));
        call.finish_result(&result, |t| text!("{rows} row(s)", rows = t.rows.len()));
        result
    }

    /// `OpenMsgStore`: opens the store a wrapped entry ID names (see [`Session::open_msg_store_as`]).
    pub fn open_msg_store(&self, entry_id: &[u8], flags: OpenStoreFlags) -> MapiResult<StoreHandle> {
        self.open_msg_store_as(entry_id, flags, None)
    }

    /// `OpenMsgStore` asking for an interface (`None` or `IID_IMsgStore` for `IMsgStore`).
    ///
    /// MAPI passes the interface to `Logon` (`lpInterface`) and asks the store it returns for it
    /// (`QueryInterface`): a store that does not answer breaks `LOGON-INTERFACE`; a provider
    /// whose store does not support the interface fails with `MAPI_E_INTERFACE_NOT_SUPPORTED`.
    ///
    /// MAPI unwraps the ID, finds the profile section with `CompareStoreIDs`, and if the store is
    /// not open in this session starts the provider DLL (one provider object per session per DLL)
    /// and calls `Logon` with a new support object; if it is open, it calls `Logon` again on the
    /// existing provider, which must return the existing store. Unless the session or the open
    /// used `MAPI_NO_MAIL`/`MDB_NO_MAIL`, the spooler is told about the store.
    ///
    /// A malformed or unwrapped entry ID gives `MAPI_E_INVALID_ENTRYID`; an ID that names no
    /// store of this session's profile `MAPI_E_NOT_FOUND`; a message service disabled by an
    /// earlier logon failure the error that disabled it.
    pub fn open_msg_store_as(
        &self,
        entry_id: &[u8],
        flags: OpenStoreFlags,
        interface: Option<Iid>,
    ) -> MapiResult<StoreHandle> {
        let call = self.rt.trace.begin_call(
            Party::Client,
            self.party(),
            "OpenMsgStore",
            text!(
                "entry={entry}, {flags}",
                entry = describe_entry_id(entry_id),
                flags = Value::flags(flags)
            ),
        );
        let result = {
            let _mapi = self.rt.mapi_scope();
            self.rt.open_msg_store(self.id, entry_id, flags, interface)
        };
        self.rt.settle();
        call.finish_result(&result, |h| h.label().map_or(Text::EMPTY, Text::value));
        result
    }

    /// `IMAPISession::OpenAddressBook`: MAPI logs on every address-book provider of the profile
    /// that is not logged on in this session yet (`ABProviderInit` once per DLL and session,
    /// then `IABProvider::Logon` with a new support object), and returns the session's address
    /// book. A later call reuses the logons. A provider that fails is left out, with
    /// `MAPI_W_ERRORS_RETURNED`: `MAPI_E_FAILONEPROVIDER` fails it alone (a later call tries it
    /// again), `MAPI_E_UNCONFIGURED` makes MAPI configure its service and try again, any other
    /// error disables its message service for the session.
    ///
    /// The address-book logons live until the session logs off (address-book providers cannot be
    /// shut down one by one): then `IABLogon::Logoff`, MAPI's release of the logon object,
    /// `IABProvider::Shutdown` and the release of the provider object.
    pub fn open_address_book(&self) -> MapiResult<Warned<crate::runtime::AddressBook>> {
        let call = self
            .rt
            .trace
            .begin_call(Party::Client, self.party(), "OpenAddressBook", Text::EMPTY);
        let result = {
            let _mapi = self.rt.mapi_scope();
            self.rt.open_address_book(self.id)
        };
        self.rt.settle();
        Runtime::finish_warned(call, &result, |_| Text::from_static("IAddrBook"));
        result
    }

    /// The session's status table: one row per provider that added one (`ModifyStatusRow`), with
    /// the columns MAPI supplies.
    pub fn status_table(&self) -> MapiResult<Vec<PropBag>> {
        self.rt.check_session(self.id, "GetStatusTable")?;
        let st = self.rt.st();
        Ok(st
            .session(self.id)
            .map(|s| s.status_rows.iter().map(|r| r.props.table_row()).collect())
            .unwrap_or_default())
    }

    /// The MAPIUIDs registered by this session's logons with `SetProviderUID`, in order,
    /// duplicates included.
    pub fn registered_uids(&self) -> MapiResult<Vec<MapiUid>> {
        self.rt.check_session(self.id, "registered MAPIUIDs")?;
        let st = self.rt.st();
        Ok(st
            .session(self.id)
            .map(|s| s.uids.iter().copied().collect())
            .unwrap_or_default())
    }

    /// `IMAPISession::CompareEntryIDs`: whether two entry IDs name the same object. Two wrapped
    /// store entry IDs are the same store when they name the same DLL and that provider's
    /// `CompareStoreIDs` says so of the unwrapped IDs (the session's provider object for that DLL,
    /// started if need be); IDs of different DLLs are not. Other entry IDs go to
    /// `IMSLogon::CompareEntryIDs` of the first logon that registered the MAPIUID in their bytes
    /// 4..20, which must be the same in both. A malformed ID gives `MAPI_E_INVALID_ENTRYID`, a
    /// MAPIUID no logon registered `MAPI_E_UNKNOWN_ENTRYID`, a store of no provider in the
    /// profile `MAPI_E_NOT_FOUND`.
    pub fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        let call = self.rt.trace.begin_call(
            Party::Client,
            self.party(),
            "CompareEntryIDs",
            format!("{}, {}, {flags}", describe_entry_id(a), describe_entry_id(b)),
        );
        let result = self
            .rt
            .check_session(self.id, "IMAPISession::CompareEntryIDs")
            .and_then(|()| {
                let _mapi = self.rt.mapi_scope();
                self.rt.compare_entry_ids(self.id, a, b, flags)
            });
        self.rt.settle();
        call.finish_result(&result, |same| {
            Text::from_static(if *same { "TRUE" } else { "FALSE" })
        });
        result
    }

    /// `IMAPISession::OpenEntry` for an entry ID a provider made: MAPI routes it by the MAPIUID in
    /// bytes 4..20 to the **first** logon that registered that MAPIUID with `SetProviderUID`, and
    /// calls that logon's `IMSLogon::OpenEntry`. An entry ID shorter than 20 bytes gives
    /// `MAPI_E_INVALID_ENTRYID`; a MAPIUID no logon registered, `MAPI_E_UNKNOWN_ENTRYID`.
    pub fn open_entry(&self, entry_id: &[u8], interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry> {
        let call = self.rt.trace.begin_call(
            Party::Client,
            self.party(),
            "OpenEntry",
            text!("entry={entry}, {flags}", entry = Value::hex(entry_id), flags),
        );
        let result = self
            .rt
            .check_session(self.id, "IMAPISession::OpenEntry")
            .and_then(|()| {
                let _mapi = self.rt.mapi_scope();
                self.rt.route_entry(self.id, entry_id, interface, flags)
            });
        self.rt.settle();
        call.finish_result(&result, |e| {
            format!(
                "{}, {}",
                e.object_type(),
                e.label().map(|l| l.to_string()).unwrap_or_default()
            )
        });
        result
    }

    /// `IMAPISession::Logoff`: the spooler lets go of the session's stores, MAPI calls
    /// `IMSLogon::Logoff` on every active logon and releases it, then `Shutdown` and releases
    /// every provider object, and frees their DLLs. Store handles the client still holds answer
    /// `MAPI_E_END_OF_SESSION` from now on.
    pub fn logoff(&self, flags: SessionLogoffFlags) -> MapiResult<()> {
        let _ending = self.rt.client_teardown();
        let call = self.rt.trace.begin_call(
            Party::Client,
            self.party(),
            "Logoff",
            Text::value(Value::flags(flags)),
        );
        let result = self
            .rt
            .check_session(self.id, "IMAPISession::Logoff")
            .and_then(|()| {
                flags.check_known()?;
                self.rt.check_client_logoff(self.id, flags);
                let _mapi = self.rt.mapi_scope();
                self.rt.session_logoff(self.id);
                Ok(())
            });
        self.rt.settle();
        call.finish_result(&result, |()| Text::EMPTY);
        result
    }
}

impl Drop for Session {
    /// The client's `Release` of the session object. A session released without `Logoff` is
    /// logged off by MAPI at that point (and the client broke `CLIENT-LOGOFF`): nothing else could
    /// end it — unless the client process is exiting after `DoFastShutdown`.
    fn drop(&mut self) {
        let _ending = self.rt.client_teardown();
        let active = self.rt.st().session(self.id).is_some_and(|s| s.active);
        let initialized = self.rt.st().init_count > 0;
        // After DoFastShutdown the process is exiting: nothing is logged off.
        if active && initialized && !self.rt.exited_fast() {
            let call = self
                .rt
                .trace
                .begin_call(Party::Client, self.party(), "Release", "");
            self.rt.client_violation(
                &rules::CLIENT_LOGOFF,
                format!(
                    "session {} was released without IMAPISession::Logoff; MAPI logs it off",
                    self.id
                ),
            );
            {
                let _mapi = self.rt.mapi_scope();
                self.rt.session_logoff(self.id);
            }
            self.rt.settle();
            call.finish(crate::error::Status::Ok, "count 0");
        } else {
            self.rt.settle();
        }
    }
}

/// A provider object MAPI is about to call, with what the call needs. While it exists the
/// provider record counts one call in flight, so that a release check does not mistake MAPI's
/// temporary reference for a leak.
pub(crate) struct ProviderHandle<T: ?Sized = dyn MsProvider> {
    rt: Arc<Runtime>,
    key: ProviderKey,
    object: Option<Ref<T>>,
    pub(crate) label: ObjLabel,
    pub(crate) file: Arc<str>,
    pub(crate) session: u32,
}

impl<T: ?Sized> ProviderHandle<T> {
    /// The handle of a call already counted on the provider record (`in_flight`).
    pub(crate) fn counted(
        rt: Arc<Runtime>,
        key: ProviderKey,
        object: Ref<T>,
        label: ObjLabel,
        file: Arc<str>,
        session: u32,
    ) -> ProviderHandle<T> {
        ProviderHandle {
            rt,
            key,
            object: Some(object),
            label,
            file,
            session,
        }
    }

    /// The provider record's key.
    pub(crate) fn key(&self) -> ProviderKey {
        self.key
    }

    pub(crate) fn object(&self) -> &Ref<T> {
        match &self.object {
            Some(object) => object,
            // Taken only in `drop`.
            None => unreachable_handle(),
        }
    }
}

#[cold]
fn unreachable_handle() -> ! {
    panic!("a provider handle was used after it was dropped")
}

impl<T: ?Sized> Drop for ProviderHandle<T> {
    fn drop(&mut self) {
        drop(self.object.take());
        self.rt.provider_call_done(self.key);
    }
}

/// What MAPI resolved an `OpenMsgStore` to.
#[derive(Clone)]
struct Target {
    /// Its section's properties are not kept (see [`Target::new`]).
    entry: ProviderEntry,
    /// The unwrapped entry ID to give `Logon` (shared with the logon's record).
    entry_id: Option<Arc<[u8]>>,
}

impl Target {
    /// The store to log on to. The entry keeps no version of its section's properties: the
    /// provider writes its section during `Logon`, and a version held here would make that write
    /// copy the section.
    fn new(mut entry: ProviderEntry, entry_id: Option<&[u8]>) -> Target {
        entry.props = crate::profile::no_props();
        Target {
            entry,
            entry_id: entry_id.map(Arc::from),
        }
    }
}

impl Runtime {
    /// Whether the session may be used; records the client's misuse otherwise.
    pub(crate) fn check_session(&self, id: u32, what: &str) -> MapiResult<()> {
        self.require_initialized(what)?;
        let active = self.st().session(id).is_some_and(|s| s.active);
        if active {
            Ok(())
        } else {
            self.client_violation(
                &rules::CLIENT_SESSION_ENDED,
                format!("{what} was called on session {id} after it was logged off"),
            );
            Err(MapiError::EndOfSession)
        }
    }

    pub(crate) fn session_providers(&self, id: u32) -> MapiResult<Vec<ProviderEntry>> {
        let st = self.st();
        let session = st.session(id).ok_or(MapiError::EndOfSession)?;
        let profile = st
            .profiles
            .profiles
            .get(&*session.profile)
            .ok_or(MapiError::NotFound)?;
        Ok(profile.providers())
    }

    fn stores_table(&self, id: u32) -> MapiResult<StoresTable> {
        let disabled: Vec<MapiUid> = self
            .st()
            .session(id)
            .map(|s| s.disabled.iter().map(|(u, _)| *u).collect())
            .unwrap_or_default();
        let mut rows = Vec::new();
        for p in self.session_providers(id)? {
            if p.resource_type != Some(ResourceType::StoreProvider)
                || disabled.contains(&p.service)
                || p.flags.contains(ResourceFlags::TEMP_SECTION)
            {
                continue;
            }
            let recorded = p
                .props
                .get_binary(PR_ENTRYID)
                .filter(|b| WrappedView::parse(b).is_ok())
                .map(<[u8]>::to_vec);
            let entry_id = match recorded {
                Some(id) => id,
                None => WrappedStoreEntryId::section_bytes(&p.dll_base, p.section)
                    .map_err(|_| MapiError::CorruptData)?,
            };
            let display_name = p.props.get_str(PR_DISPLAY_NAME_A).unwrap_or_default().to_owned();
            let provider_display = p
                .props
                .get_str(PR_PROVIDER_DISPLAY_A)
                .unwrap_or_default()
                .to_owned();
            let default = p.flags.contains(ResourceFlags::DEFAULT_STORE);
            let mut props = PropBag::with_capacity(9);
            let _ = props.set(PR_ENTRYID, entry_id.clone());
            let _ = props.set(PR_DISPLAY_NAME_W, display_name.as_str());
            let _ = props.set(PR_PROVIDER_DISPLAY_W, provider_display.as_str());
            let _ = props.set(PR_RESOURCE_FLAGS, p.flags.bits());
            let _ = props.set(PR_DEFAULT_STORE, default);
            let _ = props.set(PR_INSTANCE_KEY, p.section);
            let _ = props.set(PR_RECORD_KEY, p.section);
            let _ = props.set(PR_OBJECT_TYPE, ObjectType::Store.value());
            if let Some(mdb) = p.props.get_binary(PR_MDB_PROVIDER) {
                let _ = props.set(PR_MDB_PROVIDER, mdb.to_vec());
            }
            rows.push(StoreRow {
                entry_id,
                display_name,
                provider_display,
                resource_flags: p.flags,
                default,
                section: p.section,
                props,
            });
        }
        Ok(StoresTable { rows })
    }

    fn open_msg_store(
        &self,
        session: u32,
        entry_id: &[u8],
        flags: OpenStoreFlags,
        interface: Option<Iid>,
    ) -> MapiResult<StoreHandle> {
        self.check_session(session, "OpenMsgStore")?;
        let flags = flags.check_known()?;
        // Read in place: nothing is copied out of the ID.
        let wrapped = WrappedView::parse(entry_id).map_err(|_| MapiError::InvalidEntryid)?;
        let target = self.resolve_store(session, &wrapped)?;
        if let Some(err) = self.disabled_by(session, target.entry.service) {
            return Err(err);
        }
        let open = {
            let st = self.st();
            st.session(session).and_then(|s| {
                s.active_by_section
                    .get(&target.entry.section)?
                    .as_slice()
                    .iter()
                    .copied()
                    .find(|k| st.logons.get(*k).is_some_and(|r| r.phase == LogonPhase::Active))
            })
        };
        match open {
            Some(key) => self.reuse_logon(session, key, target, flags, interface),
            None => self.fresh_logon(session, target, flags, interface),
        }
    }

    /// Unwraps the ID and finds the profile section of the store it names: directly for a
    /// section ID, with the provider's `CompareStoreIDs` for a store's own ID.
    fn resolve_store(&self, session: u32, wrapped: &WrappedView<'_>) -> MapiResult<Target> {
        if let Some(section) = wrapped.section_uid() {
            // One section: found directly, without building every provider of the profile.
            let entry = {
                let st = self.st();
                let profile = &st.session(session).ok_or(MapiError::EndOfSession)?.profile;
                st.profiles
                    .profiles
                    .get(&**profile)
                    .ok_or(MapiError::NotFound)?
                    .provider(&section)
            };
            let entry = entry
                .filter(|p| {
                    p.resource_type == Some(ResourceType::StoreProvider) && wrapped.dll_name_is(&p.dll_base)
                })
                .ok_or(MapiError::NotFound)?;
            let entry_id = recorded_entry_id(&entry);
            return Ok(Target::new(entry, entry_id.as_deref()));
        }
        let providers = self.session_providers(session)?;
        let stores: Vec<ProviderEntry> = providers
            .into_iter()
            .filter(|p| p.resource_type == Some(ResourceType::StoreProvider))
            .collect();
        let candidates: Vec<(ProviderEntry, Vec<u8>)> = stores
            .into_iter()
            .filter(|p| wrapped.dll_name_is(&p.dll_base))
            .filter_map(|p| recorded_entry_id(&p).map(|id| (p, id)))
            .collect();
        for (entry, recorded) in candidates {
            let provider = self.provider_for(session, &entry)?;
            if self.compare_store_ids(&provider, wrapped.original(), &recorded)? {
                return Ok(Target::new(entry, Some(wrapped.original())));
            }
        }
        Err(MapiError::NotFound)
    }

    fn compare_store_ids(&self, provider: &ProviderHandle, a: &[u8], b: &[u8]) -> MapiResult<bool> {
        self.check_not_shut_down(provider.object(), provider.label, &provider.file);
        let result = self.call_provider(
            Party::Mapi,
            Party::Object(provider.label),
            "CompareStoreIDs",
            text!("{a}, {b}, 0", a = Value::hex(a), b = Value::hex(b)),
            &provider.file,
            Some(provider.session),
            || provider.object().compare_store_ids(a, b, 0),
            |same| Text::from_static(if *same { "TRUE" } else { "FALSE" }),
        );
        match result {
            Ok(same) => self.check_store_id_answer(&provider.file, provider.label, a, b, same),
            Err(e) => self.check_store_id_failure(provider, a, b, e),
        }
        result
    }

    /// `COMPARE-STORE-IDS-NO-STORE`: a failure to compare two store IDs the provider recorded
    /// itself (`PR_ENTRYID` of its profile sections), while none of its stores is open.
    fn check_store_id_failure(&self, provider: &ProviderHandle, a: &[u8], b: &[u8], error: MapiError) {
        let open = {
            let st = self.st();
            st.providers.get(provider.key()).is_some_and(|p| {
                p.logons
                    .iter()
                    .any(|k| st.logons.get(*k).is_some_and(|r| r.phase == LogonPhase::Active))
            })
        };
        if open {
            return;
        }
        let own: Vec<Vec<u8>> = self
            .session_providers(provider.session)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| {
                p.resource_type == Some(ResourceType::StoreProvider)
                    && loader::file_key(&dll_file_name(&p.dll_base)) == loader::file_key(&provider.file)
            })
            .filter_map(|p| recorded_entry_id(&p))
            .collect();
        if own.iter().any(|id| id == a) && own.iter().any(|id| id == b) {
            self.violation(
                &rules::COMPARE_STORE_IDS_NO_STORE,
                format!(
                    "CompareStoreIDs failed with {error} for two store IDs it recorded itself ({}, {}), while none of its stores is open",
                    hex_short(a),
                    hex_short(b)
                ),
                vec![provider.label],
                Party::Library(Arc::clone(&provider.file)),
            );
        }
    }

    /// `COMPARE-STORE-IDS`: what one answer of `CompareStoreIDs` can show — an ID that is not the
    /// same store as itself, or an answer that changes when the two IDs are swapped (against the
    /// DLL's latest answers).
    fn check_store_id_answer(&self, file: &Arc<str>, provider: ObjLabel, a: &[u8], b: &[u8], same: bool) {
        use crate::runtime::state::{STORE_ID_ANSWERS_KEPT, StoreIdAnswer};
        let problem = if a == b && !same {
            Some(format!(
                "CompareStoreIDs answered FALSE for the ID {} and itself",
                hex_short(a)
            ))
        } else {
            let mut st = self.st();
            let answers = st.store_id_answers.entry(loader::file_key(file)).or_default();
            let swapped = answers
                .iter()
                .rev()
                .find(|x| x.a == b && x.b == a)
                .map(|x| x.same)
                .filter(|earlier| *earlier != same);
            if answers.len() == STORE_ID_ANSWERS_KEPT {
                answers.pop_front();
            }
            answers.push_back(StoreIdAnswer {
                a: a.to_vec(),
                b: b.to_vec(),
                same,
            });
            swapped.map(|earlier| {
                let answer = |t: bool| if t { "TRUE" } else { "FALSE" };
                format!(
                    "CompareStoreIDs answered {} for ({}, {}) but {} for the same IDs the other way round",
                    answer(same),
                    hex_short(a),
                    hex_short(b),
                    answer(earlier)
                )
            })
        };
        if let Some(problem) = problem {
            self.violation(
                &rules::COMPARE_STORE_IDS,
                problem,
                vec![provider],
                Party::Library(Arc::clone(file)),
            );
        }
    }

    /// The provider object of a record, with what a call on it needs.
    pub(crate) fn provider_object<T: ?Sized + KindObject>(
        &self,
        key: ProviderKey,
    ) -> MapiResult<ProviderHandle<T>> {
        let mut st = self.st();
        self.provider_object_in(&mut st, key)
    }

    /// [`Runtime::provider_object`] under a lock the caller holds.
    pub(crate) fn provider_object_in<T: ?Sized + KindObject>(
        &self,
        st: &mut crate::runtime::state::State,
        key: ProviderKey,
    ) -> MapiResult<ProviderHandle<T>> {
        let rec = st.providers.get_mut(key).ok_or(MapiError::EndOfSession)?;
        let object = rec
            .object
            .as_ref()
            .and_then(T::of)
            .ok_or(MapiError::EndOfSession)?;
        rec.in_flight += 1;
        Ok(ProviderHandle::counted(
            self.arc(),
            key,
            object,
            rec.label,
            Arc::clone(&rec.file),
            rec.session,
        ))
    }

    /// A call made through a [`ProviderHandle`] is over; the last one makes a `Shutdown` or runs a
    /// release check that waited for it.
    pub(crate) fn provider_call_done(&self, key: ProviderKey) {
        let due = {
            let mut st = self.st();
            match st.providers.get_mut(key) {
                Some(rec) => {
                    rec.in_flight = rec.in_flight.saturating_sub(1);
                    let idle = rec.in_flight == 0;
                    (
                        idle && std::mem::take(&mut rec.shutdown_pending),
                        idle && std::mem::take(&mut rec.release_check_pending),
                    )
                }
                None => (false, false),
            }
        };
        if due.0 {
            let _mapi = self.mapi_scope();
            self.shutdown_provider(key);
        }
        if due.1 {
            self.defer_release_check(crate::runtime::state::ReleaseCheck::Provider(key));
        }
    }

    /// Notes a call about to be made on a provider object that was already shut down (possible
    /// only when an entry point handed one object out twice: `INIT-NEW-OBJECT`).
    pub(crate) fn check_not_shut_down<T: ?Sized>(&self, object: &Ref<T>, label: ObjLabel, file: &Arc<str>) {
        let down = object.id().is_some_and(|id| {
            let st = self.st();
            st.provider_objects.get(&id).is_some_and(|keys| {
                keys.iter()
                    .any(|k| st.providers.get(*k).is_some_and(|p| p.shut_down))
            })
        });
        if down {
            // A consequence of INIT-NEW-OBJECT, already reported: noted, not reported again.
            self.note(format!(
                "MAPI is calling {label} of {file}, whose Shutdown was already called: the entry point handed the object out twice"
            ));
        }
    }

    /// The session's store provider object for the entry's DLL, started if need be.
    fn provider_for(&self, session: u32, entry: &ProviderEntry) -> MapiResult<ProviderHandle> {
        self.provider_of_kind(session, entry, ProviderKind::Store)
    }

    /// The session's provider object of `kind` for the entry's DLL, started if need be:
    /// `LoadLibrary`, the kind's entry point (`MSProviderInit`, `ABProviderInit`,
    /// `XPProviderInit`), and the SPI version checks both ways.
    pub(crate) fn provider_of_kind<T: ?Sized + KindObject>(
        &self,
        session: u32,
        entry: &ProviderEntry,
        kind: ProviderKind,
    ) -> MapiResult<ProviderHandle<T>> {
        loader::with_dll_file(&entry.dll_base, |file, key| {
            self.provider_for_file(session, entry, kind, file, key)
        })
    }

    /// [`Runtime::provider_of_kind`], with the file name MAPI loads and its key.
    fn provider_for_file<T: ?Sized + KindObject>(
        &self,
        session: u32,
        entry: &ProviderEntry,
        kind: ProviderKind,
        file: &str,
        key: &str,
    ) -> MapiResult<ProviderHandle<T>> {
        // The session's provider object for the DLL, taken for a call under the lock that finds
        // it (a Shutdown waits for the call) — unless it is being shut down on another thread:
        // then MAPI starts a new one, as after any Shutdown.
        {
            let mut st = self.st();
            let live = st.session(session).and_then(|s| {
                s.providers
                    .iter()
                    .filter(|(k, f, _)| *k == kind && *f == key)
                    .map(|(_, _, k)| *k)
                    .find(|k| {
                        st.providers
                            .get(*k)
                            .is_some_and(|p| !p.shut_down && p.object.is_some())
                    })
            });
            if let Some(k) = live {
                return self.provider_object_in(&mut st, k);
            }
        }
        let entry_name = kind.entry_name();
        let Some((file, library, instance)) = self.load_library(
            file,
            text!("{noun} of session {session}", noun = kind.noun(), session),
        ) else {
            self.report_load_failure(&entry.dll_base, file);
            return Err(MapiError::NotFound);
        };
        if !library.exports().contains(kind.export()) {
            self.violation(
                &rules::LIB_EXPORT,
                format!("{file} does not export {entry_name}"),
                Vec::new(),
                Party::Library(Arc::clone(&file)),
            );
            self.release_library(&file, text!("{entry_name} not found", entry_name));
            return Err(MapiError::CallFailed);
        }
        let nt_service = self.nt_service_session(session);
        let mapi_version = self.behavior.mapi_spi_version;
        let args = InitArgs {
            instance,
            malloc: self.malloc.clone(),
            routines: self.routines.issued_to(Party::Library(Arc::clone(&file))),
            flags: if nt_service {
                ProviderInitFlags::NT_SERVICE
            } else {
                ProviderInitFlags::empty()
            },
            mapi_version,
            provider_version: OutParam::new(),
        };
        let result = self.call_provider(
            kind.caller(),
            Party::Library(Arc::clone(&file)),
            entry_name,
            text!(
                "{dll} (instance {generation}), flags={flags}, mapi_ver={mapi_version}",
                dll = Arc::clone(&file),
                generation = args.instance.generation(),
                flags = Value::flags(args.flags),
                mapi_version,
            ),
            &file,
            Some(session),
            || kind.init(&*library, &args),
            |(provider, version)| {
                // Registered before the call's line is finished, so that the line names it.
                let owner = Owner::library(Arc::clone(&file)).in_session(session);
                let _ = provider.adopt(&self.ledger, owner);
                let label = provider.label().map_or(Value::Static("provider"), Value::Label);
                text!("{label}, provider_ver={version}", label, version = *version)
            },
        );
        let reported = args.provider_version.get();
        drop(args);
        drop(library);
        let (provider, version) = match result {
            Ok(init) => init,
            Err(e) => {
                if e == MapiError::Version {
                    self.check_version_refusal(&file, entry_name, reported, mapi_version);
                }
                self.release_library(&file, format!("{entry_name} failed: {e}").into());
                return Err(e);
            }
        };
        let owner = Owner::library(Arc::clone(&file)).in_session(session);
        let id = provider
            .adopt(&self.ledger, owner)
            .map_err(|_| MapiError::CallFailed)?;
        let label = provider
            .label()
            .unwrap_or(ProviderKind::unlabelled(kind.provider_interface()));
        let handed_out_before = self.st().provider_objects.get(&id).is_some_and(|k| !k.is_empty());
        if handed_out_before {
            self.violation(
                &rules::INIT_NEW_OBJECT,
                format!("{entry_name} returned {label}, which an earlier call already returned"),
                vec![label],
                Party::Library(Arc::clone(&file)),
            );
        }
        if version > mapi_version {
            self.violation(
                &rules::INIT_VERSION,
                format!(
                    "{entry_name} succeeded with provider SPI version {version} although MAPI's is {mapi_version}"
                ),
                vec![label],
                Party::Library(Arc::clone(&file)),
            );
        }
        if version < self.behavior.min_provider_spi_version {
            self.note(format!(
                "provider SPI version {version} is older than {}: MAPI releases {label} and fails with MAPI_E_VERSION",
                self.behavior.min_provider_spi_version
            ));
            self.drop_in_provider(&file, Some(session), "the provider's release", provider);
            self.release_library(&file, text!("{label} released: SPI version too old", label));
            return Err(MapiError::Version);
        }
        let mut st = self.st();
        let k = st.providers.insert(ProviderRec {
            kind,
            session,
            file: Arc::clone(&file),
            object: Some(provider),
            id,
            label,
            logons: std::collections::BTreeSet::new(),
            shut_down: false,
            in_flight: 0,
            release_check_pending: false,
            shutdown_pending: false,
        });
        if let Some(s) = st.session_mut(session) {
            s.providers.push((kind, key.to_owned(), k));
            s.all_providers.push(k);
        }
        st.provider_objects.entry(id).or_default().push(k);
        // Taken for the caller's call under the lock that made it.
        self.provider_object_in(&mut st, k)
    }

    /// `INIT-VERSION-RANGE`: an entry point that failed with `MAPI_E_VERSION` although the SPI
    /// version it reports (`*lpulProviderVer`) is no newer than MAPI's, so that MAPI could have
    /// hosted it (an equality check where a range check belongs).
    fn check_version_refusal(
        &self,
        file: &Arc<str>,
        entry_name: &str,
        reported: Option<SpiVersion>,
        mapi: SpiVersion,
    ) {
        match reported {
            Some(provider) if provider <= mapi => self.violation(
                &rules::INIT_VERSION_RANGE,
                format!(
                    "{entry_name} failed with MAPI_E_VERSION for MAPI's SPI version {mapi}, although the provider's is {provider}: a MAPI at least as new as the provider can host it"
                ),
                Vec::new(),
                Party::Library(Arc::clone(file)),
            ),
            Some(provider) => self.note(format!(
                "{file} needs SPI version {provider}, newer than MAPI's {mapi}: MAPI_E_VERSION is its answer"
            )),
            None => self.note(format!(
                "{file} failed with MAPI_E_VERSION without setting *lpulProviderVer: MAPI cannot tell whether the two versions were compatible"
            )),
        }
    }

    /// A fresh `Logon`. A logon that returns `MAPI_E_UNCONFIGURED` makes MAPI call the service's
    /// entry point with `MSG_SERVICE_CONFIGURE` (UI allowed if the client allowed logon UI and the
    /// open did not say `MDB_NO_DIALOG`), then try the logon again, as often as the behaviour
    /// allows.
    fn fresh_logon(
        &self,
        session: u32,
        target: Target,
        flags: OpenStoreFlags,
        interface: Option<Iid>,
    ) -> MapiResult<StoreHandle> {
        // Within a message service the address-book providers start before the others.
        if self.behavior.address_book_start == crate::runtime::AddressBookStart::OpenAddressBook {
            let _ = self.start_address_books(session, Some(target.entry.service));
            if let Some(err) = self.disabled_by(session, target.entry.service) {
                return Err(err);
            }
        }
        let no_dialog = flags.contains(OpenStoreFlags::NO_DIALOG);
        self.retry_unconfigured(session, target.entry.service, no_dialog, || {
            self.fresh_logon_once(session, &target, flags, interface)
        })
    }

    /// The error that disabled `service` in the session, if it is disabled.
    pub(crate) fn disabled_by(&self, session: u32, service: MapiUid) -> Option<MapiError> {
        self.st()
            .session(session)
            .and_then(|s| s.disabled.iter().find(|(u, _)| *u == service).map(|(_, e)| *e))
    }

    /// Runs a provider's logon; when it fails with `MAPI_E_UNCONFIGURED`, MAPI calls the service's
    /// entry point with `MSG_SERVICE_CONFIGURE` (UI allowed if the client allowed logon UI and
    /// the logon is not a no-dialog one), then tries the logon again, as often as the behaviour
    /// allows.
    pub(crate) fn retry_unconfigured<R>(
        &self,
        session: u32,
        service: MapiUid,
        no_dialog: bool,
        mut logon: impl FnMut() -> MapiResult<R>,
    ) -> MapiResult<R> {
        let mut retries = 0;
        loop {
            match logon() {
                Err(MapiError::Unconfigured) if retries < self.behavior.unconfigured_retries => {
                    retries += 1;
                    let (profile, logon_ui) = {
                        let st = self.st();
                        let s = st.session(session).ok_or(MapiError::EndOfSession)?;
                        (s.profile.clone(), s.flags.contains(LogonFlags::LOGON_UI))
                    };
                    let mut entry_flags = crate::flags::ServiceEntryFlags::LOGON_FAILED;
                    if logon_ui && !no_dialog {
                        entry_flags |= crate::flags::ServiceEntryFlags::UI_ALLOWED;
                    }
                    self.call_service_entry(
                        &profile,
                        service,
                        crate::flags::ServiceContext::Configure,
                        entry_flags,
                        &[],
                    )?;
                }
                other => return other,
            }
        }
    }

    /// The outcome of a guarded `Logon` (or `TransportLogon`) call, finished on its trace line
    /// with `summary`: a panic is `MAPI_E_CALL_FAILED`. The logon is no longer in its call.
    pub(crate) fn finish_logon_call<T, S: Into<Text>>(
        &self,
        lkey: LogonKey,
        call: crate::trace::CallGuard,
        outcome: Result<MapiResult<Warned<T>>, String>,
        summary: impl FnOnce(&T) -> S,
    ) -> MapiResult<Warned<T>> {
        let result = match outcome {
            Ok(result) => {
                Runtime::finish_warned(call, &result, summary);
                result
            }
            Err(message) => {
                call.panicked(message);
                Err(MapiError::CallFailed)
            }
        };
        if let Some(rec) = self.st().logons.get_mut(lkey) {
            rec.in_logon = false;
            rec.no_dialog_call = None;
        }
        result
    }

    /// Records a fresh logon's support object in its record; returns its label.
    pub(crate) fn attach_support(&self, lkey: LogonKey, support: &Ref<SupportObject>) -> ObjLabel {
        let support_label = support
            .label()
            .unwrap_or(ProviderKind::unlabelled(InterfaceKind::MapiSupport));
        let mut st = self.st();
        if let Some(rec) = st.logons.get_mut(lkey) {
            rec.support = support.downgrade();
            rec.support_id = support.id();
            rec.support_label = support_label;
        }
        support_label
    }

    /// One fresh `Logon`: a new support object, the provider's logon and store objects, and every
    /// check of a fresh logon.
    fn fresh_logon_once(
        &self,
        session: u32,
        target: &Target,
        flags: OpenStoreFlags,
        interface: Option<Iid>,
    ) -> MapiResult<StoreHandle> {
        let provider = self.provider_for(session, &target.entry)?;
        let pkey = provider.key();
        let plabel = provider.label;
        let file = Arc::clone(&provider.file);
        self.check_not_shut_down(provider.object(), plabel, &file);
        let (profile_name, no_mail_session) = {
            let st = self.st();
            let s = st.session(session).ok_or(MapiError::EndOfSession)?;
            (s.profile.clone(), s.flags.contains(LogonFlags::NO_MAIL))
        };
        let lkey = self.st().logons.insert(LogonRec {
            open_flags: flags,
            logon_entry_id: target.entry_id.clone(),
            no_dialog_call: flags.contains(OpenStoreFlags::NO_DIALOG).then_some("Logon"),
            ..LogonRec::opening(
                ProviderKind::Store,
                session,
                pkey,
                &file,
                &target.entry,
                profile_name.clone(),
            )
        });
        let support = SupportObject::create(self, lkey, session, &file);
        let support_label = self.attach_support(lkey, &support);
        let support: Ref<dyn MapiSupport> = support.into();
        let logon_flags = logon_flags(flags);
        let mapi_error = OutParam::new();
        let result = {
            let args = StoreLogonArgs {
                support: &support,
                ui_param: 0,
                profile_name: TStr::Ansi(profile_name.as_bytes()),
                entry_id: target.entry_id.as_deref(),
                flags: logon_flags,
                interface,
                mapi_error: &mapi_error,
            };
            let args_text = text!(
                "support={support_label}, entry={entry}, {flags}",
                support_label,
                entry = target
                    .entry_id
                    .as_deref()
                    .map_or(Value::Static("NULL"), Value::hex),
                flags = Value::flags(logon_flags),
            );
            let call = self
                .trace
                .begin_call(Party::Mapi, Party::Object(plabel), "Logon", args_text);
            let outcome = self.guarded(&file, Some(session), "Logon", &[plabel], || {
                provider.object().logon(&args)
            });
            let unicode = logon_flags.contains(StoreLogonFlags::UNICODE);
            self.take_mapi_error(&mapi_error, "Logon", Some(unicode), &file, Some(plabel));
            self.finish_logon_call(lkey, call, outcome, |out| {
                // Registered before the call's line is finished, so that the line names them.
                let owner = Owner::library(Arc::clone(&file)).in_session(session);
                if let Some(logon) = &out.logon {
                    let _ = self
                        .ledger
                        .adopt(logon, InterfaceKind::MsLogon, Some(owner.clone()));
                }
                let _ = self
                    .ledger
                    .adopt(&out.store, InterfaceKind::MsgStore, Some(owner));
                let logon = match &out.logon {
                    None => Value::Static("no logon object"),
                    Some(l) => l.label().map_or(Value::Nothing, Value::Label),
                };
                let store = out.store.label().map_or(Value::Nothing, Value::Label);
                let Some(blob) = out.spool_security else {
                    return Text::list([logon, store]);
                };
                let Some(n) = self.routines.heap().bytes_len(blob) else {
                    let summary = self.routines.heap().summary(blob);
                    return Text::list([logon, store, Value::Owned(format!("spool security {summary}"))]);
                };
                // The list of the two objects, then what the spool-security block holds.
                Text::data([logon, store, Value::from(n), Value::from(blob)], |v, f| {
                    let separator = write_list(v.get(..2).unwrap_or_default(), f)?;
                    match v.get(2..4) {
                        Some([n, buffer]) => {
                            write!(f, "{separator}spool security {n} bytes in {buffer}")
                        }
                        _ => Ok(()),
                    }
                })
            })
        };
        // MAPI's temporary reference to the provider goes before anything can shut it down.
        drop(provider);
        let out = match result {
            Ok(w) => w,
            Err(e) => {
                self.failed_logon(session, lkey, &target.entry, &file, support_label, support, e);
                return Err(e);
            }
        };
        let Warned { value: out, .. } = out;
        // MAPI takes the spool-security blob: its to free when the logon ends.
        let (spool, spool_buffer) = match out.spool_security {
            Some(id) => {
                let what = crate::spi::memory::Purpose::SpoolSecurity(out.store.label());
                let store_label = out.store.label();
                if self.receive_block(
                    id,
                    &Party::Library(Arc::clone(&file)),
                    Party::Mapi,
                    what,
                    store_label.as_slice(),
                ) {
                    (self.routines.heap().peek_bytes(id), Some(id))
                } else {
                    (None, None)
                }
            }
            None => (None, None),
        };
        // Recorded at once: whatever happens next, MAPI frees the blob (at the latest at the end).
        if let Some(rec) = self.st().logons.get_mut(lkey) {
            rec.spool_buffer = spool_buffer;
        }
        let support_count = support.ref_count();
        if support_count < 2 {
            self.violation(
                &rules::LOGON_ADDREF_SUPPORT,
                format!("Logon returned without keeping a reference to {support_label} (its count is {support_count}, MAPI's own reference only)"),
                vec![support_label],
                Party::Library(Arc::clone(&file)),
            );
        }
        // More than one reference is no fault of its own (the pages say AddRef, not once): a
        // reference kept past the store's final release is what `STORE-RELEASES-SUPPORT` catches.
        let owner = Owner::library(Arc::clone(&file)).in_session(session);
        let store = out.store;
        let _ = self
            .ledger
            .adopt(&store, InterfaceKind::MsgStore, Some(owner.clone()));
        self.watch_store(&store, lkey);
        let store_label = store.label();
        let Some(logon) = out.logon else {
            self.violation(
                &rules::LOGON_OBJECTS,
                "a fresh Logon returned a store object but no logon object".to_owned(),
                store_label.as_slice(),
                Party::Library(Arc::clone(&file)),
            );
            self.abandon_logon(lkey);
            let blob = self.st().logons.get_mut(lkey).and_then(|r| r.spool_buffer.take());
            if let Some(blob) = blob {
                self.routines.heap().release(blob, Party::Mapi);
            }
            self.drop_in_provider(&file, Some(session), "the store's release", store);
            drop(support);
            return Err(MapiError::CallFailed);
        };
        let _ = self.ledger.adopt(&logon, InterfaceKind::MsLogon, Some(owner));
        let told = !no_mail_session && !flags.contains(OpenStoreFlags::NO_MAIL);
        if told
            && spool.as_deref().is_none_or(<[u8]>::is_empty)
            && self.behavior.spool_security == SpoolSecurity::Required
        {
            self.violation(
                &rules::LOGON_SPOOL_SECURITY,
                "a fresh Logon returned no spool-security data, and the spooler needs it".to_owned(),
                store_label.as_slice(),
                Party::Library(Arc::clone(&file)),
            );
        }
        let recorded = self.section_entry_id(session, &target.entry.section);
        {
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.logon_label = logon.label();
                rec.logon_id = logon.id();
                rec.logon = Some(LogonObject::Store(logon));
                rec.store = Some(store.downgrade());
                rec.store_label = store_label;
                rec.spool_security = spool;
                rec.phase = LogonPhase::Active;
                rec.spooler = if told {
                    SpoolerPhase::Queued
                } else {
                    SpoolerPhase::NotTold
                };
                rec.client_handles = 1;
                st.client_held.insert(lkey);
            }
            if let Some(p) = st.providers.get_mut(pkey) {
                let _ = p.logons.insert(lkey);
            }
            let section = target.entry.section;
            if let Some(s) = st.session_mut(session) {
                s.logons.push(lkey);
                s.client_handles += 1;
                s.active_by_section
                    .entry(section)
                    .and_modify(|active| active.push(lkey))
                    .or_insert(Few::One(lkey));
            }
            if told {
                st.spooler.queue.push_back(lkey);
            }
        }
        // MAPI's own reference goes: the provider's is the one that keeps the support object.
        drop(support);
        self.check_recorded_entry_id(lkey, &target.entry, recorded, store_label);
        self.check_logon_setup(
            lkey,
            session,
            &target.entry.section,
            store_label,
            &file,
            ProviderKind::Store,
        );
        if self.behavior.check_store_properties {
            self.check_store_props(lkey, &store, &target.entry.dll_base, &file, session);
        }
        if told {
            self.note(text!(
                "the spooler is told about {store}",
                store = store_label.map_or(Value::Nothing, Value::Label)
            ));
        }
        self.check_logon_interface(&store, interface, &file, session);
        Ok(StoreHandle::new(self.arc(), session, Some(lkey), store, file))
    }

    /// MAPI asks the store `Logon` returned for the interface the client asked
    /// (`LOGON-INTERFACE`).
    fn check_logon_interface(
        &self,
        store: &Ref<dyn crate::spi::MsgStore>,
        interface: Option<Iid>,
        file: &Arc<str>,
        session: u32,
    ) {
        let Some(iid) = interface else {
            return;
        };
        if let Err(e) = self.query_provider(Party::Mapi, store, Iid::IMSGSTORE, iid, file, Some(session)) {
            self.violation(
                &rules::LOGON_INTERFACE,
                format!(
                    "Logon was asked for {} and returned a store that answers QueryInterface for it with {e}",
                    super::query::iid_text(&iid)
                ),
                store.label().as_slice(),
                Party::Library(Arc::clone(file)),
            );
        }
    }

    /// Registers the hook that tells MAPI when the store's final release begins.
    fn watch_store(&self, store: &Ref<dyn crate::spi::MsgStore>, lkey: LogonKey) {
        let rt = self.me();
        let _ = self.ledger.watch(store, move |notice: &ReleaseNotice| {
            if notice.remaining == 0
                && let Some(rt) = rt.upgrade()
                && let Some(rec) = rt.st().logons.get_mut(lkey)
            {
                rec.in_final_release = true;
                rec.store_destroyed = true;
            }
        });
    }

    /// A `Logon` failed: the provider must have let go of the support object; the failure may
    /// disable the message service for the session.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn failed_logon(
        &self,
        session: u32,
        lkey: LogonKey,
        entry: &ProviderEntry,
        file: &Arc<str>,
        support_label: ObjLabel,
        support: Ref<dyn MapiSupport>,
        error: MapiError,
    ) {
        let count = support.ref_count();
        if count > 1 {
            self.violation(
                &rules::LOGON_FAIL_CLEAN,
                format!(
                    "Logon failed with {error} but kept {} reference(s) to {support_label}",
                    count - 1
                ),
                vec![support_label],
                Party::Library(Arc::clone(file)),
            );
        }
        self.abandon_logon(lkey);
        drop(support);
        match error {
            MapiError::FailOneProvider | MapiError::Unconfigured | MapiError::UserCancel => {
                self.note(format!(
                    "Logon failed with {error}: only this provider fails; the client may try again"
                ));
            }
            _ => {
                let mut st = self.st();
                if let Some(s) = st.session_mut(session) {
                    s.disabled.push((entry.service, error));
                }
                drop(st);
                self.note(format!(
                    "Logon failed with {error}: the message service {} is disabled for session {session}",
                    entry.service
                ));
            }
        }
    }

    /// Forgets a logon that never became active.
    fn abandon_logon(&self, lkey: LogonKey) {
        let mut st = self.st();
        if let Some(rec) = st.logons.get_mut(lkey) {
            rec.phase = LogonPhase::TornDown;
            rec.cleanup_done = true;
            rec.logoff_called = true;
        }
        let session = st.logons.get(lkey).map(|r| r.session);
        if let Some(s) = session.and_then(|id| st.session_mut(id)) {
            let _ = s.uids.remove_logon(lkey);
            let _ = s.status_rows.remove_logon(lkey);
        }
    }

    /// `Logon` on a store that is already open in the session.
    fn reuse_logon(
        &self,
        session: u32,
        lkey: LogonKey,
        target: Target,
        flags: OpenStoreFlags,
        interface: Option<Iid>,
    ) -> MapiResult<StoreHandle> {
        let support = self.support_temp(lkey);
        let (pkey, existing, store_label, file, profile_name, entry_id) = {
            let st = self.st();
            let rec = st.logons.get(lkey).ok_or(MapiError::NotFound)?;
            (
                rec.provider,
                rec.store.as_ref().and_then(crate::object::WeakRef::upgrade),
                rec.store_label,
                Arc::clone(&rec.file),
                rec.profile_name.clone(),
                target.entry_id.clone().or_else(|| rec.logon_entry_id.clone()),
            )
        };
        let (Some(support_temp), Some(existing)) = (support, existing) else {
            // The store is on its way out: open it afresh.
            return self.fresh_logon(session, target, flags, interface);
        };
        // The logon's teardown waits for this Logon to return.
        let Some(_call) = self.logon_call(lkey) else {
            drop((support_temp, existing));
            return self.fresh_logon(session, target, flags, interface);
        };
        let support = support_temp.get();
        let provider: ProviderHandle = self.provider_object(pkey)?;
        let plabel = provider.label;
        self.check_not_shut_down(provider.object(), plabel, &file);
        let before = self.provider_support_refs(lkey);
        {
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.in_logon = true;
                rec.in_reuse_logon = true;
                rec.no_dialog_call = flags.contains(OpenStoreFlags::NO_DIALOG).then_some("Logon");
            }
        }
        let logon_flags = logon_flags(flags);
        let mapi_error = OutParam::new();
        let result = {
            let args = StoreLogonArgs {
                support,
                ui_param: 0,
                profile_name: TStr::Ansi(profile_name.as_bytes()),
                entry_id: entry_id.as_deref(),
                flags: logon_flags,
                interface,
                mapi_error: &mapi_error,
            };
            let support_label = support.label().map(|l| l.to_string()).unwrap_or_default();
            let call = self.trace.begin_call(
                Party::Mapi,
                Party::Object(plabel),
                "Logon",
                text!(
                    "support={support_label}, entry={entry}, {flags} (store already open)",
                    support_label,
                    entry = entry_id.as_deref().map_or(Value::Static("NULL"), Value::hex),
                    flags = Value::flags(logon_flags),
                ),
            );
            let outcome = self.guarded(&file, Some(session), "Logon", &[plabel], || {
                provider.object().logon(&args)
            });
            let unicode = logon_flags.contains(StoreLogonFlags::UNICODE);
            self.take_mapi_error(&mapi_error, "Logon", Some(unicode), &file, Some(plabel));
            match outcome {
                Ok(result) => {
                    Runtime::finish_warned(call, &result, |out| {
                        let store = out.store.label().map_or(Value::Nothing, Value::Label);
                        let logon = match &out.logon {
                            None => Value::Static("no logon object"),
                            Some(l) => l.label().map_or(Value::Nothing, Value::Label),
                        };
                        text!("{logon}, {store}", logon, store)
                    });
                    result
                }
                Err(message) => {
                    call.panicked(message);
                    Err(MapiError::CallFailed)
                }
            }
        };
        {
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.in_logon = false;
                rec.in_reuse_logon = false;
                rec.no_dialog_call = None;
            }
        }
        drop(provider);
        let after = self.provider_support_refs(lkey);
        let by = Party::Library(Arc::clone(&file));
        let support_label = support.label();
        if after > before {
            self.violation(
                &rules::LOGON_REUSE_NO_ADDREF,
                format!(
                    "Logon on an open store took {} more reference(s) to the support object",
                    after - before
                ),
                support_label.as_slice(),
                by.clone(),
            );
        }
        drop(support_temp);
        let Warned { value: out, .. } = result?;
        if let Some(logon) = out.logon {
            // The existing logon object is allowed under the loading page's reading; a new one
            // under neither.
            let existing_logon =
                logon.id().is_some() && logon.id() == self.st().logons.get(lkey).and_then(|r| r.logon_id);
            let allowed =
                existing_logon && self.behavior.reuse_logon == crate::runtime::ReuseLogon::ExistingAllowed;
            if !allowed {
                let what = if existing_logon {
                    "the existing logon object, and the behaviour in effect wants none"
                } else {
                    "a new logon object"
                };
                self.violation(
                    &rules::LOGON_REUSE_NO_LOGON,
                    format!(
                        "Logon on the open store {} returned {what} ({})",
                        store_label.map(|l| l.to_string()).unwrap_or_default(),
                        logon
                            .label()
                            .map(|l| l.to_string())
                            .unwrap_or_else(|| "unregistered".into())
                    ),
                    store_label.as_slice(),
                    by.clone(),
                );
            }
            self.drop_in_provider(&file, Some(session), "the extra logon object's release", logon);
        }
        if !out.store.same_object(&existing) {
            self.violation(
                &rules::LOGON_REUSE_SAME_STORE,
                format!(
                    "Logon on the open store {} returned another store object",
                    store_label.map(|l| l.to_string()).unwrap_or_default()
                ),
                store_label.as_slice(),
                by.clone(),
            );
        }
        if let Some(blob) = out.spool_security {
            self.violation(
                &rules::LOGON_REUSE_NO_SETUP,
                "Logon on an open store returned spool-security data".to_owned(),
                store_label.as_slice(),
                by.clone(),
            );
            // The caller frees what it got, even what it did not ask for.
            let objects: &[ObjLabel] = store_label.as_slice();
            if self.receive_block(
                blob,
                &by,
                Party::Mapi,
                "spool-security data of a reused logon",
                objects,
            ) {
                self.routines.heap().release(blob, Party::Mapi);
            }
        }
        drop(existing);
        {
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.client_handles += 1;
                st.client_held.insert(lkey);
            }
            if let Some(s) = st.session_mut(session) {
                s.client_handles += 1;
            }
        }
        self.check_logon_interface(&out.store, interface, &file, session);
        Ok(StoreHandle::new(self.arc(), session, Some(lkey), out.store, file))
    }

    /// `IMAPISession::CompareEntryIDs` (see [`Session::compare_entry_ids`]).
    pub(crate) fn compare_entry_ids(&self, session: u32, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        self.compare_entry_ids_of(session, a, b, flags, None)
    }

    /// [`Runtime::compare_entry_ids`], for the logons of one kind only (`IAddrBook` asks address
    /// books only; wrapped store IDs are then not compared by a store provider).
    pub(crate) fn compare_entry_ids_of(
        &self,
        session: u32,
        a: &[u8],
        b: &[u8],
        flags: u32,
        only: Option<ProviderKind>,
    ) -> MapiResult<bool> {
        let wrapped = (WrappedStoreEntryId::parse(a), WrappedStoreEntryId::parse(b));
        if let (Ok(wa), Ok(wb)) = &wrapped
            && only.is_none_or(|k| k == ProviderKind::Store)
        {
            if !wa.dll_name().eq_ignore_ascii_case(wb.dll_name()) {
                return Ok(false);
            }
            let entry = self
                .session_providers(session)?
                .into_iter()
                .find(|p| {
                    p.resource_type == Some(ResourceType::StoreProvider)
                        && p.dll_base.eq_ignore_ascii_case(wa.dll_name())
                })
                .ok_or(MapiError::NotFound)?;
            let provider = self.provider_for(session, &entry)?;
            return self.compare_store_ids(&provider, wa.original(), wb.original());
        }
        let ia = crate::ids::EntryId::parse(a).map_err(|_| MapiError::InvalidEntryid)?;
        let ib = crate::ids::EntryId::parse(b).map_err(|_| MapiError::InvalidEntryid)?;
        if ia.provider_uid() != ib.provider_uid() {
            return Ok(false);
        }
        self.with_logon_for_uid(session, &ia, only, |logon, label, file| {
            self.call_provider(
                Party::Mapi,
                label.map_or(Party::Mapi, Party::Object),
                "CompareEntryIDs",
                text!("{a}, {b}, {flags}", a = Value::hex(a), b = Value::hex(b), flags),
                file,
                Some(session),
                || match logon {
                    LogonObject::Store(l) => l.compare_entry_ids(a, b, flags),
                    LogonObject::Ab(l) => l.compare_entry_ids(a, b, flags),
                    LogonObject::Xp(_) => Err(MapiError::UnknownEntryid),
                },
                |same| Text::from_static(if *same { "TRUE" } else { "FALSE" }),
            )
        })
    }

    /// Calls `f` with the logon object that registered the MAPIUID of `id` first (its label and
    /// its DLL), as a MAPI call on the logon: its teardown waits until MAPI's reference to the
    /// logon object is gone and the call is over.
    fn with_logon_for_uid<R>(
        &self,
        session: u32,
        id: &crate::ids::EntryId,
        only: Option<ProviderKind>,
        f: impl FnOnce(&LogonObject, Option<ObjLabel>, &Arc<str>) -> MapiResult<R>,
    ) -> MapiResult<R> {
        let (key, logon, label, file) = {
            let mut st = self.st();
            let s = st.session(session).ok_or(MapiError::EndOfSession)?;
            let key = s
                .uids
                .first_logon(&id.provider_uid())
                .ok_or(MapiError::UnknownEntryid)?;
            let rec = st.logons.get(key).ok_or(MapiError::UnknownEntryid)?;
            if only.is_some_and(|k| k != rec.kind) {
                return Err(MapiError::UnknownEntryid);
            }
            let (label, file) = (rec.logon_label, Arc::clone(&rec.file));
            if rec.logon.is_none() || !Runtime::enter_logon_call(&mut st, key) {
                return Err(MapiError::UnknownEntryid);
            }
            let logon = st.logons.get(key).and_then(|r| r.logon.clone());
            (key, logon, label, file)
        };
        let call = crate::runtime::teardown::LogonCall::counted(self, key);
        let result = match &logon {
            Some(logon) => f(logon, label, &file),
            None => Err(MapiError::UnknownEntryid),
        };
        // MAPI's reference goes before the call ends (and a teardown that waited runs).
        drop(logon);
        drop(call);
        result
    }

    /// Routes an entry ID to the first logon that registered its MAPIUID.
    pub(crate) fn route_entry(
        &self,
        session: u32,
        entry_id: &[u8],
        interface: Option<Iid>,
        flags: u32,
    ) -> MapiResult<OpenedEntry> {
        self.route_entry_of(session, entry_id, interface, flags, None)
    }

    /// [`Runtime::route_entry`], to the logons of one kind only: an ID whose MAPIUID a logon of
    /// another kind registered first is unknown.
    pub(crate) fn route_entry_of(
        &self,
        session: u32,
        entry_id: &[u8],
        interface: Option<Iid>,
        flags: u32,
        only: Option<ProviderKind>,
    ) -> MapiResult<OpenedEntry> {
        let id = crate::ids::EntryId::parse(entry_id).map_err(|_| MapiError::InvalidEntryid)?;
        self.with_logon_for_uid(session, &id, only, |logon, label, file| {
            self.call_provider(
                Party::Mapi,
                label.map_or(Party::Mapi, Party::Object),
                "OpenEntry",
                text!("entry={entry}, {flags}", entry = Value::hex(entry_id), flags),
                file,
                Some(session),
                || match logon {
                    LogonObject::Store(l) => l.open_entry(entry_id, interface, flags),
                    LogonObject::Ab(l) => l.open_entry(entry_id, interface, flags),
                    LogonObject::Xp(_) => Err(MapiError::UnknownEntryid),
                },
                |e| e.object_type().to_string(),
            )
            .and_then(|e| {
                // A store is handed back as `IMsgStore`: MAPI asks the object for it.
                if let OpenedEntry::Store(store) = &e {
                    let held_as = interface.unwrap_or(Iid::IMSGSTORE);
                    self.query_provider(Party::Mapi, store, held_as, Iid::IMSGSTORE, file, Some(session))?;
                }
                Ok(e)
            })
        })
    }

    /// The references to a logon's support object that the provider took (MAPI's and the
    /// spooler's temporary ones are not counted, on whatever thread they are taken).
    pub(crate) fn provider_support_refs(&self, lkey: LogonKey) -> u32 {
        let id = self.st().logons.get(lkey).and_then(|r| r.support_id);
        id.map_or(0, |id| {
            self.ledger
                .count_references(id, |by| matches!(by, Party::Library(_)))
        })
    }

    /// MAPI's `GetProps` on a store it opened, for its own checks: the properties, read from the
    /// buffer and the buffer freed; `None` (after `STORE-REQUIRED-PROPS` for a failure) when there
    /// is nothing to check.
    fn ask_store(
        &self,
        store: &Ref<dyn crate::spi::MsgStore>,
        tags: &[PropTag],
        what: &'static str,
        file: &Arc<str>,
        session: u32,
    ) -> Option<Vec<Prop>> {
        let label = store.label();
        let objects: &[ObjLabel] = label.as_slice();
        let by = Party::Library(Arc::clone(file));
        let call = self.trace.begin_call(
            Party::Mapi,
            label.map_or(Party::Mapi, Party::Object),
            "GetProps",
            what,
        );
        let result = self.guarded(file, Some(session), "GetProps", objects, || {
            store.get_props(Some(tags), 0)
        });
        let props = match result {
            Ok(r) => {
                Runtime::finish_warned(call, &r, |v| self.routines.heap().summary(v.id()));
                r
            }
            Err(message) => {
                call.panicked(message);
                return None;
            }
        };
        match props {
            Ok(w) => {
                let what = crate::spi::memory::Purpose::GetPropsOn(label);
                self.take_result(w.value, &by, Party::Mapi, what, objects)
            }
            // Out of memory is an answer any method may give: there is nothing to check.
            Err(MapiError::NotEnoughMemory) => None,
            Err(e) => {
                self.violation(
                    &rules::STORE_REQUIRED_PROPS,
                    format!("GetProps of {what} failed with {e}"),
                    objects,
                    by,
                );
                None
            }
        }
    }

    /// What a fresh `Logon` must have set up by the time it returns
    /// (implementing-service-provider-logon, imsprovider-logon): its MAPIUID registered, the
    /// profile section's display name, provider display name and record key, and (where the
    /// behaviour wants one) its status row.
    pub(crate) fn check_logon_setup(
        &self,
        lkey: LogonKey,
        session: u32,
        section: &MapiUid,
        store_label: Option<ObjLabel>,
        file: &Arc<str>,
        kind: ProviderKind,
    ) {
        let (registered, has_row, missing) = {
            let st = self.st();
            let s = st.session(session);
            let registered = s.is_some_and(|s| s.uids.contains_logon(lkey));
            let has_row = s.is_some_and(|s| s.status_rows.contains(lkey));
            let props = s
                .and_then(|s| st.profiles.profiles.get(&*s.profile))
                .and_then(|p| p.sections.get(section));
            let mut missing = Vec::new();
            if let Some(props) = props {
                let has = |tags: &[PropTag]| tags.iter().any(|t| props.get(*t).is_some());
                for (name, tags) in [
                    ("PR_DISPLAY_NAME", &[PR_DISPLAY_NAME_W, PR_DISPLAY_NAME_A][..]),
                    (
                        "PR_PROVIDER_DISPLAY",
                        &[PR_PROVIDER_DISPLAY_W, PR_PROVIDER_DISPLAY_A][..],
                    ),
                    ("PR_RECORD_KEY", &[PR_RECORD_KEY][..]),
                ] {
                    if !has(tags) {
                        missing.push(name);
                    }
                }
            }
            (registered, has_row, missing)
        };
        let objects: &[ObjLabel] = store_label.as_slice();
        let by = Party::Library(Arc::clone(file));
        // Transports register theirs through AddressTypes, not SetProviderUID.
        if !registered && kind != ProviderKind::Xp {
            self.violation(
                &rules::LOGON_REGISTER_UID,
                "a fresh Logon returned without registering a MAPIUID with SetProviderUID".to_owned(),
                objects,
                by.clone(),
            );
        }
        if !missing.is_empty() {
            self.violation(
                &rules::LOGON_PROFILE_PROPS,
                format!(
                    "a fresh Logon returned and its profile section has no {}",
                    missing.join(", ")
                ),
                objects,
                by.clone(),
            );
        }
        if !has_row
            && kind == ProviderKind::Store
            && self.behavior.status_row == crate::runtime::StoreStatusRow::Required
        {
            self.violation(
                &rules::LOGON_STATUS_ROW,
                "a fresh Logon returned without creating its status row (ModifyStatusRow)".to_owned(),
                objects,
                by,
            );
        }
    }

    /// The store's unwrapped entry ID as its profile section records it (`PR_ENTRYID`).
    fn section_entry_id(&self, session: u32, section: &MapiUid) -> Option<Vec<u8>> {
        let st = self.st();
        let profile = st.session(session).map(|s| s.profile.clone())?;
        st.profiles
            .profiles
            .get(&*profile)?
            .sections
            .get(section)?
            .get_binary(PR_ENTRYID)
            .map(<[u8]>::to_vec)
    }

    /// `LOGON-ENTRYID` and `STORE-WRAPPED-ENTRYID` for the profile section.
    fn check_recorded_entry_id(
        &self,
        lkey: LogonKey,
        entry: &ProviderEntry,
        recorded: Option<Vec<u8>>,
        store_label: Option<ObjLabel>,
    ) {
        let by = {
            let st = self.st();
            st.logons.get(lkey).map(|r| Party::Library(Arc::clone(&r.file)))
        };
        let by = by.unwrap_or(Party::Mapi);
        let objects: &[ObjLabel] = store_label.as_slice();
        let Some(bytes) = recorded else {
            self.violation(
                &rules::LOGON_ENTRYID,
                "after a fresh Logon the provider's profile section has no PR_ENTRYID".to_owned(),
                objects,
                by,
            );
            return;
        };
        if let Ok(w) = WrappedView::parse(&bytes)
            && w.dll_name_is(&entry.dll_base)
            && !w.names_section()
        {
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.entry_id = Some(Arc::from(w.original()));
            }
            return;
        }
        // Not a store entry ID wrapped under the profile's DLL name: say what it is.
        match WrappedStoreEntryId::parse(&bytes) {
            Ok(w) => self.violation(
                &rules::STORE_WRAPPED_ENTRYID,
                format!(
                    "the profile section's PR_ENTRYID is wrapped with the DLL name {:?}; the profile registers {:?}",
                    w.dll_name(),
                    entry.dll_base
                ),
                objects,
                by,
            ),
            Err(e) => self.violation(
                &rules::STORE_WRAPPED_ENTRYID,
                format!("the profile section's PR_ENTRYID is not a wrapped store entry ID ({e})"),
                objects,
                by,
            ),
        }
    }

    /// Asks the store for its required properties and checks them.
    fn check_store_props(
        &self,
        lkey: LogonKey,
        store: &Ref<dyn crate::spi::MsgStore>,
        dll_base: &str,
        file: &Arc<str>,
        session: u32,
    ) {
        let required: [(&str, PropTag); 8] = [
            ("PR_DISPLAY_NAME", PR_DISPLAY_NAME_W),
            ("PR_ENTRYID", PR_ENTRYID),
            ("PR_OBJECT_TYPE", PR_OBJECT_TYPE),
            ("PR_RECORD_KEY", PR_RECORD_KEY),
            ("PR_STORE_ENTRYID", PR_STORE_ENTRYID),
            ("PR_STORE_RECORD_KEY", PR_STORE_RECORD_KEY),
            ("PR_MDB_PROVIDER", PR_MDB_PROVIDER),
            ("PR_STORE_SUPPORT_MASK", PR_STORE_SUPPORT_MASK),
        ];
        let tags: Vec<PropTag> = required.iter().map(|(_, t)| *t).collect();
        // The logon's teardown waits for MAPI's GetProps.
        let Some(_call) = self.logon_call(lkey) else {
            return;
        };
        let label = store.label();
        let objects: &[ObjLabel] = label.as_slice();
        let by = Party::Library(Arc::clone(file));
        let Some(mut props) = self.ask_store(store, &tags, "the required store properties", file, session)
        else {
            return;
        };
        // A store without Unicode answers a Unicode string with MAPI_E_BAD_CHARWIDTH
        // (imapiprop-getprops): MAPI asks again for the 8-bit form.
        let narrow = props.iter().any(|p| {
            p.tag.id() == PR_DISPLAY_NAME_W.id() && p.value == PropValue::Error(MapiError::BadCharwidth)
        });
        if narrow
            && let Some(again) = self.ask_store(
                store,
                &[PR_DISPLAY_NAME_A],
                "the display name in 8-bit",
                file,
                session,
            )
        {
            props.retain(|p| p.tag.id() != PR_DISPLAY_NAME_W.id());
            props.extend(again);
        }
        let find = |tag: PropTag| {
            props
                .iter()
                .find(|p| p.tag.id() == tag.id() && p.tag.prop_type() != PropType::ERROR)
                .map(|p| &p.value)
        };
        let mut missing: Vec<&str> = Vec::new();
        for (name, tag) in required {
            let ok = match find(tag) {
                None => false,
                Some(v) if tag == PR_OBJECT_TYPE => v.as_u32() == Some(ObjectType::Store.value()),
                Some(v) if tag.prop_type().is_string() => v.as_str().is_some(),
                Some(v) => v.prop_type() == tag.prop_type(),
            };
            if !ok {
                missing.push(name);
            }
        }
        if !missing.is_empty() {
            self.violation(
                &rules::STORE_REQUIRED_PROPS,
                format!("the store's GetProps lacks or mistypes {}", missing.join(", ")),
                objects,
                by.clone(),
            );
        }
        for tag in [PR_ENTRYID, PR_STORE_ENTRYID] {
            if let Some(PropValue::Binary(bytes)) = find(tag) {
                if WrappedView::parse(bytes).is_ok_and(|w| w.dll_name_is(dll_base)) {
                    continue;
                }
                let bad = match WrappedStoreEntryId::parse(bytes) {
                    Ok(w) if w.dll_name().eq_ignore_ascii_case(dll_base) => None,
                    Ok(w) => Some(format!("wrapped with {:?}, not {dll_base:?}", w.dll_name())),
                    Err(e) => Some(format!("not wrapped ({e})")),
                };
                if let Some(why) = bad {
                    self.violation(
                        &rules::STORE_WRAPPED_ENTRYID,
                        format!("the store's {} is {why}", tag.name().unwrap_or("entry ID")),
                        objects,
                        by.clone(),
                    );
                }
            }
        }
    }
}

/// The store's own recorded entry ID (unwrapped), if its section has a wrapped `PR_ENTRYID`.
fn recorded_entry_id(entry: &ProviderEntry) -> Option<Vec<u8>> {
    let bytes = entry.props.get_binary(PR_ENTRYID)?;
    let w = WrappedView::parse(bytes).ok()?;
    (!w.names_section()).then(|| w.original().to_vec())
}

/// The first bytes of an ID in hexadecimal.
pub(crate) fn hex_short(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(20);
    push_hex_short(&mut s, bytes);
    s
}

/// Appends [`hex_short`] of `bytes` to `out`.
fn push_hex_short(out: &mut String, bytes: &[u8]) {
    let _ = crate::sync::write_hex(out, &bytes[..bytes.len().min(8)], true);
    if bytes.len() > 8 {
        out.push('…');
    }
}
