//! Sessions: the client's `IMAPISession` — the message-stores table, the status table, entry IDs
//! routed by MAPIUID to the logons that registered them, and session logoff.

use std::fmt;
use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{MapiFlags, ObjectType, OpenStoreFlags, ResourceFlags, ResourceType, SessionLogoffFlags};
use crate::ids::{Iid, MAPIMDB_SECTION, MapiUid, WrappedStoreEntryId, WrappedView};
use crate::object::{InterfaceKind, ObjLabel, ObjectInfo, Owner, Ref};
use crate::profile::ProviderEntry;
use crate::props::{
    PR_DEFAULT_STORE, PR_DISPLAY_NAME_A, PR_DISPLAY_NAME_W, PR_ENTRYID, PR_INSTANCE_KEY, PR_MDB_PROVIDER,
    PR_OBJECT_TYPE, PR_PROVIDER_DISPLAY_A, PR_PROVIDER_DISPLAY_W, PR_RECORD_KEY, PR_RESOURCE_FLAGS, PropBag,
};
use crate::runtime::Runtime;
use crate::runtime::kind::{LogonObject, ProviderKind};
use crate::runtime::store::StoreHandle;
use crate::spi::OpenedEntry;
use crate::trace::{Party, Text, Value, text};

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
    ///
    /// ```
    /// use mapisim::prelude::*;
    /// use mapisim::sample::{SampleStore, SampleSuite, sample_user_id};
    ///
    /// let sim = Simulator::builder()
    ///     .library(SampleStore::DLL_FILE, SampleStore::library)
    ///     .mapisvc_inf(SampleSuite::MAPISVC_INF)?
    ///     .build();
    /// sim.profiles().create("Default")?.add_service(SampleSuite::NAME)?;
    /// let mapi = sim.initialize(InitFlags::empty())?;
    /// let session = mapi.logon_ex("Default", LogonFlags::EXTENDED)?;
    /// // ABProviderInit and IABProvider::Logon: the sample address book logs on.
    /// let book = session.open_address_book()?.into_value();
    /// // Its entry IDs carry the MAPIUID it registered: MAPI routes them to its logon.
    /// let user = book.open_entry(&sample_user_id(), None, 0)?;
    /// assert_eq!(user.object_type(), ObjectType::MailUser);
    /// drop((user, book));
    /// session.logoff(SessionLogoffFlags::empty())?;
    /// mapi.uninitialize()?;
    /// sim.finish().assert_clean();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
        call.finish_result(&result, crate::runtime::store::opened_summary);
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
