//! The simulated MAPI's bookkeeping. Everything here lives under one lock that is never held
//! while provider code runs.

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::sync::KeyMap;
use std::sync::Arc;

use slotmap::SlotMap;

use crate::check::Violation;
use crate::flags::{InitFlags, LogoffFlags, LogonFlags, OpenStoreFlags};
use crate::ids::MapiUid;
use crate::object::{ObjLabel, ObjectId, Ref, WeakRef};
use crate::profile::ProfileStore;
use crate::props::PropBag;
use crate::runtime::kind::{LogonObject, ProviderKind, ProviderObject};
use crate::runtime::loader::Loader;
use crate::spi::{MsLogon, MsgStore};

slotmap::new_key_type! {
    /// A provider object MAPI started.
    pub(crate) struct ProviderKey;
    /// A store logon.
    pub(crate) struct LogonKey;
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) init_count: u32,
    /// How far the client's fast shutdown went.
    pub(crate) fast_shutdown: crate::runtime::shutdown::FastPhase,
    pub(crate) init_flags: InitFlags,
    pub(crate) next_session: u32,
    /// By number; found by key only (the open ones are listed in order by `open_sessions`).
    pub(crate) sessions: KeyMap<u32, SessionState>,
    /// The sessions still active or whose client has not logged them off: the only ones the
    /// checks that scan sessions (the last `MAPIUninitialize`, `finish`) can find anything in.
    /// A session leaves it once both are over ([`State::session_settled`]).
    pub(crate) open_sessions:
        std::collections::HashSet<u32, std::hash::BuildHasherDefault<crate::sync::KeyHasher>>,
    /// The logons whose store the client holds (`client_handles > 0`), kept with the count.
    pub(crate) client_held: std::collections::BTreeSet<LogonKey>,
    pub(crate) providers: SlotMap<ProviderKey, ProviderRec>,
    pub(crate) logons: SlotMap<LogonKey, LogonRec>,
    pub(crate) loader: Loader,
    pub(crate) spooler: SpoolerState,
    pub(crate) violations: Vec<Violation>,
    pub(crate) profiles: ProfileStore,
    /// `FreeLibrary` calls to make when the current client call returns ("at a later time").
    pub(crate) deferred_frees: Vec<crate::runtime::PendingFree>,
    /// Every provider object an entry point returned, with the records MAPI made for it: more
    /// than one when an entry point handed the same object out twice.
    pub(crate) provider_objects: KeyMap<ObjectId, Vec<ProviderKey>>,
    /// The latest answers of each provider DLL's `CompareStoreIDs` (by file key), to catch one
    /// that depends on the order of the two IDs.
    pub(crate) store_id_answers: HashMap<String, VecDeque<StoreIdAnswer>>,
    /// Objects MAPI released that must be gone by the end of the client call that released them
    /// (the outermost one on that thread): judged then, not between two releases inside one final
    /// release.
    pub(crate) release_checks: Vec<(std::thread::ThreadId, ReleaseCheck)>,
    /// (Loading DLL, loaded DLL) pairs already reported for a load never freed.
    pub(crate) load_pairs_reported: std::collections::HashSet<(Arc<str>, Arc<str>)>,
    /// Sessions logged off whose leak checkpoint has not run yet.
    pub(crate) leak_checks_due: Vec<u32>,
    /// Sessions whose leak checkpoint ran: to retire ([`Runtime::retire_sessions`]).
    ///
    /// [`Runtime::retire_sessions`]: crate::runtime::Runtime::retire_sessions
    pub(crate) retire_due: Vec<u32>,
    /// Sessions that could not be retired yet, tried again one per client call.
    pub(crate) retire_later: VecDeque<u32>,
    /// Objects a provider invalidated with `MakeInvalid`.
    pub(crate) invalid_objects: Vec<ObjectId>,
    /// The MAPIUIDs `NewUID` handed to store providers.
    pub(crate) generated_uids: Vec<MapiUid>,
    /// The warnings of the Mapisvc.inf texts the catalogue was read from.
    pub(crate) inf_warnings: Vec<crate::profile::inf::Diagnostic>,
    /// The thread of the first `MAPIInitialize`: it owns the notification window.
    pub(crate) init_thread: Option<std::thread::ThreadId>,
    /// OLE and COM initialization, per thread.
    pub(crate) com: Vec<(std::thread::ThreadId, crate::runtime::notify::ComThread)>,
    /// Notifications posted to the initializing thread, waiting for its message pump.
    pub(crate) notify_queue: Vec<crate::runtime::notify::QueuedNotification>,
}

impl State {
    /// Whether a client call's end has nothing to do: no release check, `FreeLibrary`, leak
    /// check or session to retire is waiting.
    pub(crate) fn nothing_to_settle(&self) -> bool {
        self.release_checks.is_empty()
            && self.deferred_frees.is_empty()
            && self.leak_checks_due.is_empty()
            && self.retire_due.is_empty()
            && self.retire_later.is_empty()
    }

    /// A fresh state, with room in the lists every session's end uses: a simulator's first
    /// lifecycle allocates no more than its later ones.
    pub(crate) fn with_room() -> State {
        State {
            deferred_frees: Vec::with_capacity(4),
            release_checks: Vec::with_capacity(4),
            leak_checks_due: Vec::with_capacity(4),
            retire_due: Vec::with_capacity(4),
            ..State::default()
        }
    }
}

/// An object MAPI released, to be judged at the end of the client call.
pub(crate) enum ReleaseCheck {
    /// A logon object, after `Logoff` and MAPI's release (`LOGON-RELEASED`).
    Logon {
        id: ObjectId,
        label: ObjLabel,
        file: Arc<str>,
    },
    /// A provider object, after `Shutdown` and MAPI's release (`PROVIDER-RELEASED`).
    Provider(ProviderKey),
}

/// One answer of a provider's `CompareStoreIDs`: the two IDs, in the order asked, and the answer.
pub(crate) struct StoreIdAnswer {
    pub(crate) a: Vec<u8>,
    pub(crate) b: Vec<u8>,
    pub(crate) same: bool,
}

/// How many answers of `CompareStoreIDs` are kept per DLL.
pub(crate) const STORE_ID_ANSWERS_KEPT: usize = 64;

pub(crate) struct SessionState {
    pub(crate) profile: Arc<str>,
    pub(crate) flags: LogonFlags,
    pub(crate) active: bool,
    /// One provider object per provider DLL and kind (by kind and file key).
    pub(crate) providers: Vec<(ProviderKind, String, ProviderKey)>,
    /// Every provider record MAPI made for the session, released or not: what retiring the
    /// session forgets.
    pub(crate) all_providers: Vec<ProviderKey>,
    /// Logons in the order they were opened.
    pub(crate) logons: Vec<LogonKey>,
    /// The active logons of each profile section, in the order they became active (one, but
    /// for two threads opening a section at once): where `OpenMsgStore` finds the logon to
    /// reuse without scanning `logons`. A logon leaves it when it is torn down.
    pub(crate) active_by_section: KeyMap<MapiUid, Few<LogonKey>>,
    /// Message services disabled for the session, with the error that disabled them.
    pub(crate) disabled: Vec<(MapiUid, crate::error::MapiError)>,
    pub(crate) status_rows: ByLogon<StatusRow>,
    pub(crate) uids: RegisteredUids,
    /// Store handles the client still holds.
    pub(crate) client_handles: u32,
    /// Advise registrations the client made on the session's stores and has not cancelled: the
    /// store's label and the connection.
    pub(crate) client_advises: Vec<(Option<ObjLabel>, usize)>,
    /// The client called `IMAPISession::Logoff` (which checked what it still held).
    pub(crate) client_logged_off: bool,
    /// Where the spooler's transports of the session stand.
    pub(crate) transports: TransportsPhase,
    /// The address-book providers of the profile as `MAPILogonEx` read it, in start order:
    /// what `OpenAddressBook` logs on, and what the first store of their service waits for.
    pub(crate) address_books: Arc<[crate::profile::ProviderEntry]>,
    pub(crate) label: Option<ObjLabel>,
}

#[derive(Clone)]
pub(crate) struct StatusRow {
    /// The logon whose row it is; `None` for MAPI's own rows (subsystem, spooler, address book).
    pub(crate) logon: Option<LogonKey>,
    /// Shared: MAPI's own rows are the same in every session.
    pub(crate) props: Arc<RowColumns>,
}

/// The columns of a status row: those set, and for a provider's row what MAPI's own columns say
/// (added when the table is read, over the provider's, as `ModifyStatusRow` left them).
pub(crate) struct RowColumns {
    /// The provider's columns (merged by `STATUSROW_UPDATE`), or every column of MAPI's rows.
    pub(crate) set: PropBag,
    pub(crate) mapi: Option<MapiColumns>,
}

/// What MAPI's columns of a provider's status row say.
pub(crate) struct MapiColumns {
    /// `PR_RESOURCE_TYPE`: the provider's kind.
    pub(crate) kind: ProviderKind,
    /// `PR_PROVIDER_DLL_NAME`: the base name the profile gives.
    pub(crate) dll_base: crate::profile::SharedText,
    /// `PR_RESOURCE_FLAGS` of the provider's section when the row was set.
    pub(crate) resource_flags: u32,
    /// `PR_INSTANCE_KEY`: the provider's section.
    pub(crate) section: MapiUid,
    /// `PR_ROWID`: the row's place when it was set.
    pub(crate) row_id: u32,
}

impl RowColumns {
    /// The row as the status table shows it.
    pub(crate) fn table_row(&self) -> PropBag {
        use crate::flags::{ObjectType, ResourceType};
        use crate::props::{
            PR_INSTANCE_KEY, PR_OBJECT_TYPE, PR_PROVIDER_DLL_NAME_W, PR_RESOURCE_FLAGS, PR_RESOURCE_TYPE,
            PR_ROWID,
        };
        let Some(mapi) = &self.mapi else {
            return self.set.clone();
        };
        let mut row = PropBag::with_capacity(self.set.len() + 6);
        row.extend(self.set.iter().cloned());
        let _ = row.set(PR_PROVIDER_DLL_NAME_W, &*mapi.dll_base);
        let _ = row.set(PR_RESOURCE_FLAGS, mapi.resource_flags);
        let resource_type = match mapi.kind {
            ProviderKind::Ab => ResourceType::AbProvider,
            ProviderKind::Store => ResourceType::StoreProvider,
            ProviderKind::Xp => ResourceType::TransportProvider,
        };
        let _ = row.set(PR_RESOURCE_TYPE, resource_type.value());
        let _ = row.set(PR_OBJECT_TYPE, ObjectType::Status.value());
        let _ = row.set(PR_INSTANCE_KEY, mapi.section);
        let _ = row.set(PR_ROWID, mapi.row_id);
        row
    }
}

pub(crate) struct ProviderRec {
    pub(crate) kind: ProviderKind,
    pub(crate) session: u32,
    pub(crate) file: Arc<str>,
    pub(crate) object: Option<ProviderObject>,
    pub(crate) id: ObjectId,
    pub(crate) label: ObjLabel,
    /// Its logons not torn down yet.
    pub(crate) logons: std::collections::BTreeSet<LogonKey>,
    pub(crate) shut_down: bool,
    /// Calls MAPI is making on the object right now (each holds a temporary reference).
    pub(crate) in_flight: u32,
    /// The check that the object died with MAPI's release waits for the calls in flight.
    pub(crate) release_check_pending: bool,
    /// `Shutdown` waits for the calls in flight: the last one to return makes it.
    pub(crate) shutdown_pending: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum LogonPhase {
    /// `Logon` is running.
    Opening,
    /// Logged on.
    Active,
    /// Torn down: logged off and released by MAPI.
    TornDown,
}

/// Why MAPI tears a store logon down.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TeardownCause {
    /// The support object's final release (the store page's path).
    SupportReleased,
    /// `IMAPISession::Logoff` (or the last `MAPIUninitialize` ending a session).
    SessionLogoff,
}

/// Where MAPI's teardown of a store logon stands. It never runs nested inside a provider call
/// MAPI is making for the logon: asked for while one is in flight, it waits for the last one to
/// return, and that call's end runs it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Teardown {
    /// Not asked for.
    Idle,
    /// Asked for while MAPI calls on the logon were in flight.
    Pending(TeardownCause),
    /// Running: `Logoff`, MAPI's release of the logon object, and `Shutdown` when it is the last.
    Running,
    /// Over: the logon object is released, and its provider shut down if it was the last logon.
    Done,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SpoolerPhase {
    /// The spooler is not told about this store (`MAPI_NO_MAIL`, `MDB_NO_MAIL`).
    NotTold,
    /// Waiting for the spooler.
    Queued,
    /// The spooler took it from its queue and its `SpoolerLogon` is running.
    InFlight,
    /// The spooler is logged on and holds the store.
    LoggedOn,
    /// The spooler released the store (or its logon failed).
    Done,
}

pub(crate) struct LogonRec {
    pub(crate) kind: ProviderKind,
    pub(crate) session: u32,
    pub(crate) provider: ProviderKey,
    pub(crate) file: Arc<str>,
    pub(crate) dll_base: crate::profile::SharedText,
    pub(crate) section: MapiUid,
    pub(crate) profile_name: Arc<str>,
    pub(crate) open_flags: OpenStoreFlags,
    /// The unwrapped entry ID `Logon` was given.
    pub(crate) logon_entry_id: Option<Arc<[u8]>>,
    /// The store's unwrapped entry ID, as its profile section records it.
    pub(crate) entry_id: Option<Arc<[u8]>>,
    pub(crate) phase: LogonPhase,
    pub(crate) support: Option<WeakRef<dyn crate::spi::MapiSupport>>,
    pub(crate) support_id: Option<ObjectId>,
    pub(crate) support_label: ObjLabel,
    pub(crate) logon: Option<LogonObject>,
    pub(crate) logon_label: Option<ObjLabel>,
    pub(crate) logon_id: Option<ObjectId>,
    pub(crate) store: Option<WeakRef<dyn MsgStore>>,
    pub(crate) store_label: Option<ObjLabel>,
    pub(crate) spool_security: Option<Arc<[u8]>>,
    /// The block the spool-security blob came in: MAPI's to free when the logon ends.
    pub(crate) spool_buffer: Option<crate::spi::BufferId>,
    pub(crate) spooler: SpoolerPhase,
    /// The flag the client gave `StoreLogoff`.
    pub(crate) store_logoff_flag: Option<LogoffFlags>,
    pub(crate) in_store_logoff: bool,
    pub(crate) in_final_release: bool,
    pub(crate) store_destroyed: bool,
    pub(crate) slt_calls: u32,
    /// `StoreLogoffTransports` calls answered without `LOGOFF_COMPLETE` (transport activity kept
    /// the store logged on).
    pub(crate) slt_refused: u32,
    /// The activity the last refused call answered inside the running `StoreLogoff`.
    pub(crate) slt_refused_answer: Option<LogoffFlags>,
    /// Set while a `Logon` call is running for this logon (fresh or reuse).
    pub(crate) in_logon: bool,
    /// The store called `SpoolerNotify(NOTIFY_READYTOSEND)` (or was told it should have).
    pub(crate) ready_to_send: bool,
    /// The store logged off with `LOGOFF_NO_WAIT` while messages of its waited for the spooler:
    /// the spooler sends them, then lets go of the store.
    pub(crate) drain_outbound: bool,
    pub(crate) in_reuse_logon: bool,
    /// The logon call running with `MDB_NO_DIALOG` (`Logon` or `SpoolerLogon`), if any.
    pub(crate) no_dialog_call: Option<&'static str>,
    pub(crate) cleanup_done: bool,
    pub(crate) logoff_called: bool,
    /// MAPI's teardown of the logon.
    pub(crate) teardown: Teardown,
    /// Calls MAPI or the spooler is making into the provider for this logon right now
    /// (`SpoolerLogon`, a `Logon` on the open store, `IMSLogon::OpenEntry`, MAPI's `GetProps`):
    /// the teardown waits for them.
    pub(crate) mapi_calls: u32,
    /// Releases of the store object by the client or the spooler in progress, on any thread: a
    /// store in its final release has not released its support object yet.
    pub(crate) store_releases: u32,
    pub(crate) support_release_reported: bool,
    pub(crate) client_handles: u32,
    pub(crate) subscriptions: Vec<Subscription>,
    /// What the spooler knows of a transport logon.
    pub(crate) xp: Option<Box<XpLogonState>>,
}

/// Where the spooler's transports of a session stand. Transports start when a client first asks
/// for their services (starting-a-service-provider): a store ready to send.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum TransportsPhase {
    /// Nobody asked for them yet.
    #[default]
    NotStarted,
    /// Asked for: the spooler starts them at its next step.
    Wanted,
    /// The spooler started them (those that logged on).
    Started,
}

/// What the spooler keeps of a transport logon.
#[derive(Default)]
pub(crate) struct XpLogonState {
    /// `*lpulFlags` as `TransportLogon` returned them.
    pub(crate) flags: crate::flags::XpLogonFlags,
    /// The address types `AddressTypes` gave.
    pub(crate) address_types: Vec<crate::strings::TString>,
    /// The MAPIUIDs `AddressTypes` gave.
    pub(crate) uids: Vec<MapiUid>,
    /// The transport reported `NOTIFY_CRITICAL_ERROR`: the spooler calls it no more, but to
    /// release it.
    pub(crate) critical: bool,
    /// `TransportNotify(NOTIFY_BEGIN_*)` went out, and no `NOTIFY_END_*` yet.
    pub(crate) begun: bool,
    /// Messages the transport said it has for the spooler (`Poll`, `NOTIFY_NEWMAIL`), not taken
    /// with `StartMessage` yet.
    pub(crate) incoming: u32,
    /// The logon waits in the spooler's queue of transports with incoming messages.
    pub(crate) inbound_queued: bool,
}

/// A message a store handed to the spooler (`IMAPISupport::PrepareSubmit`), waiting to be sent.
pub(crate) struct Outbound {
    pub(crate) session: u32,
    /// The store logon that submitted it.
    pub(crate) store: LogonKey,
    pub(crate) message: Ref<dyn crate::spi::MapiProp>,
    pub(crate) label: Option<ObjLabel>,
    /// The transport that deferred it (`END_DONT_RESEND`) and asked for it again
    /// (`NOTIFY_SENTDEFERRED`): offered to that one with `BEGIN_DEFERRED`.
    pub(crate) deferred_to: Option<LogonKey>,
    /// How often a transport asked to restart it (`END_RESEND_NOW`).
    pub(crate) restarts: u8,
}

/// A message a transport keeps after `EndMessage` answered `END_DONT_RESEND`, until it calls
/// `SpoolerNotify(NOTIFY_SENTDEFERRED)` with its entry ID.
pub(crate) struct Deferred {
    pub(crate) transport: LogonKey,
    pub(crate) entry_id: Vec<u8>,
    pub(crate) message: Outbound,
}

impl LogonRec {
    /// The record of a fresh logon whose `Logon` (or `TransportLogon`) is about to run.
    pub(crate) fn opening(
        kind: ProviderKind,
        session: u32,
        provider: ProviderKey,
        file: &Arc<str>,
        entry: &crate::profile::ProviderEntry,
        profile_name: Arc<str>,
    ) -> LogonRec {
        LogonRec {
            kind,
            session,
            provider,
            file: Arc::clone(file),
            dll_base: entry.dll_base.clone(),
            section: entry.section,
            profile_name,
            open_flags: OpenStoreFlags::empty(),
            logon_entry_id: None,
            entry_id: None,
            phase: LogonPhase::Opening,
            support: None,
            support_id: None,
            support_label: ObjLabel {
                kind: crate::object::InterfaceKind::MapiSupport,
                serial: 0,
            },
            logon: None,
            logon_label: None,
            logon_id: None,
            store: None,
            store_label: None,
            spool_security: None,
            spool_buffer: None,
            spooler: SpoolerPhase::NotTold,
            store_logoff_flag: None,
            in_store_logoff: false,
            in_final_release: false,
            store_destroyed: false,
            slt_calls: 0,
            slt_refused: 0,
            slt_refused_answer: None,
            in_logon: true,
            ready_to_send: false,
            drain_outbound: false,
            in_reuse_logon: false,
            no_dialog_call: None,
            cleanup_done: false,
            logoff_called: false,
            teardown: Teardown::Idle,
            mapi_calls: 0,
            store_releases: 0,
            support_release_reported: false,
            client_handles: 0,
            subscriptions: Vec::new(),
            xp: None,
        }
    }
}

pub(crate) struct Subscription {
    pub(crate) connection: usize,
    pub(crate) key: Vec<u8>,
    pub(crate) mask: crate::flags::EventMask,
    pub(crate) sync: bool,
    pub(crate) sink: Ref<dyn crate::spi::AdviseSink>,
}

impl OfLogon for StatusRow {
    fn logon(&self) -> Option<LogonKey> {
        self.logon
    }
}

/// What belongs to a store logon, or to none: a status row, a registered MAPIUID, a hold of the
/// spooler's.
pub(crate) trait OfLogon {
    /// The logon it belongs to.
    fn logon(&self) -> Option<LogonKey>;
}

/// A few values: one kept inline (the usual case: a logon's status row, hold or MAPIUID, a
/// section's active logon), more in a boxed list, so that the usual case takes two words.
#[derive(Clone, Debug)]
pub(crate) enum Few<T> {
    One(T),
    #[allow(clippy::box_collection)] // the box keeps `Few` two words long
    Many(Box<Vec<T>>),
}

/// Places in a [`ByLogon`] list, in order, without repeats.
pub(crate) type Places = Few<u64>;

impl<T: Copy + PartialEq> Few<T> {
    /// The values, in order.
    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            Few::One(one) => std::slice::from_ref(one),
            Few::Many(many) => many.as_slice(),
        }
    }

    pub(crate) fn first(&self) -> Option<T> {
        self.as_slice().first().copied()
    }

    pub(crate) fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Adds `value` at the end.
    pub(crate) fn push(&mut self, value: T) {
        match self {
            Few::One(one) => *self = Few::Many(Box::new(vec![*one, value])),
            Few::Many(many) => many.push(value),
        }
    }

    /// Removes every `value`; says whether any value is left.
    pub(crate) fn remove(&mut self, value: T) -> bool {
        match self {
            Few::One(one) => *one != value,
            Few::Many(many) => {
                many.retain(|v| *v != value);
                !many.is_empty()
            }
        }
    }
}

impl<T: Copy + Ord> Few<T> {
    /// Adds `value` where it belongs in sorted values (nothing if it is there).
    pub(crate) fn insert(&mut self, value: T) {
        match self {
            Few::One(one) if *one == value => {}
            Few::One(one) => {
                let (a, b) = if *one < value {
                    (*one, value)
                } else {
                    (value, *one)
                };
                *self = Few::Many(Box::new(vec![a, b]));
            }
            Few::Many(many) => {
                if let Err(at) = many.binary_search(&value) {
                    many.insert(at, value);
                }
            }
        }
    }

    /// Removes `value` from sorted values; says whether any value is left.
    pub(crate) fn remove_sorted(&mut self, value: T) -> bool {
        match self {
            Few::One(one) => *one != value,
            Few::Many(many) => {
                if let Ok(at) = many.binary_search(&value) {
                    many.remove(at);
                }
                !many.is_empty()
            }
        }
    }
}

/// Entries kept in order, each found by its logon without a scan: the order is that of a list
/// (an entry keeps its place when it is replaced there), and an index by logon names the places
/// of each logon's entries.
pub(crate) struct ByLogon<V> {
    entries: BTreeMap<u64, V>,
    index: KeyMap<LogonKey, Places>,
    next: u64,
}

impl<V> Default for ByLogon<V> {
    fn default() -> Self {
        ByLogon {
            entries: BTreeMap::new(),
            index: KeyMap::default(),
            next: 0,
        }
    }
}

impl<V: OfLogon> ByLogon<V> {
    /// The entries, in order.
    pub(crate) fn new(entries: impl IntoIterator<Item = V>) -> Self {
        let mut list = ByLogon::default();
        for entry in entries {
            list.push(entry);
        }
        list
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &V> {
        self.entries.values()
    }

    /// Adds an entry at the end; returns its place.
    pub(crate) fn push(&mut self, entry: V) -> u64 {
        let place = self.next;
        self.next += 1;
        self.put(place, entry);
        place
    }

    /// Puts an entry back at a place an entry of the same logon left ([`ByLogon::remove_first`]).
    pub(crate) fn put(&mut self, place: u64, entry: V) {
        if let Some(logon) = entry.logon() {
            self.index
                .entry(logon)
                .and_modify(|places| places.insert(place))
                .or_insert(Few::One(place));
        }
        self.entries.insert(place, entry);
    }

    pub(crate) fn contains(&self, logon: LogonKey) -> bool {
        self.index.contains_key(&logon)
    }

    /// How many entries `logon` has.
    pub(crate) fn count(&self, logon: LogonKey) -> usize {
        self.index.get(&logon).map_or(0, Places::len)
    }

    /// The place of the first entry of `logon`.
    pub(crate) fn first_place(&self, logon: LogonKey) -> Option<u64> {
        self.index.get(&logon).and_then(Places::first)
    }

    /// The entry at `place`.
    pub(crate) fn get(&self, place: u64) -> Option<&V> {
        self.entries.get(&place)
    }

    /// The position in the list of the entry at `place` (the entries before it). Counts them:
    /// only a replacement asks.
    pub(crate) fn position(&self, place: u64) -> usize {
        self.entries.range(..place).count()
    }

    /// Removes the first entry of `logon`, with its place.
    pub(crate) fn remove_first(&mut self, logon: LogonKey) -> Option<(u64, V)> {
        let places = self.index.get_mut(&logon)?;
        let place = places.first()?;
        if !places.remove_sorted(place) {
            self.index.remove(&logon);
        }
        self.entries.remove(&place).map(|entry| (place, entry))
    }

    /// Removes every entry of `logon`; returns how many there were.
    pub(crate) fn remove_logon(&mut self, logon: LogonKey) -> usize {
        let Some(places) = self.index.remove(&logon) else {
            return 0;
        };
        places
            .as_slice()
            .iter()
            .filter(|place| self.entries.remove(place).is_some())
            .count()
    }

    /// Removes every entry of `logon`, handing each to `f` in order, with its place.
    pub(crate) fn remove_all(&mut self, logon: LogonKey, mut f: impl FnMut(u64, V)) {
        let Some(places) = self.index.remove(&logon) else {
            return;
        };
        for &place in places.as_slice() {
            if let Some(entry) = self.entries.remove(&place) {
                f(place, entry);
            }
        }
    }
}

/// A MAPIUID a logon registered with `SetProviderUID`.
pub(crate) struct RegisteredUid {
    pub(crate) uid: MapiUid,
    pub(crate) logon: LogonKey,
}

impl OfLogon for RegisteredUid {
    fn logon(&self) -> Option<LogonKey> {
        Some(self.logon)
    }
}

/// The MAPIUIDs a session's logons registered, in order, duplicates included: found by logon
/// and by MAPIUID without a scan.
#[derive(Default)]
pub(crate) struct RegisteredUids {
    list: ByLogon<RegisteredUid>,
    by_uid: KeyMap<MapiUid, Places>,
}

impl RegisteredUids {
    pub(crate) fn push(&mut self, uid: MapiUid, logon: LogonKey) {
        let place = self.list.push(RegisteredUid { uid, logon });
        self.by_uid
            .entry(uid)
            .and_modify(|places| places.insert(place))
            .or_insert(Few::One(place));
    }

    /// The MAPIUIDs, in the order they were registered.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &MapiUid> {
        self.list.iter().map(|r| &r.uid)
    }

    /// How many MAPIUIDs `logon` registered.
    pub(crate) fn count(&self, logon: LogonKey) -> usize {
        self.list.count(logon)
    }

    pub(crate) fn contains_logon(&self, logon: LogonKey) -> bool {
        self.list.contains(logon)
    }

    /// The logon that registered `uid` first (of those still registered).
    pub(crate) fn first_logon(&self, uid: &MapiUid) -> Option<LogonKey> {
        let place = self.by_uid.get(uid)?.first()?;
        self.list.get(place).map(|r| r.logon)
    }

    /// Removes the MAPIUIDs of `logon`; returns how many there were.
    pub(crate) fn remove_logon(&mut self, logon: LogonKey) -> usize {
        let by_uid = &mut self.by_uid;
        let mut removed = 0;
        self.list.remove_all(logon, |place, entry| {
            removed += 1;
            if let Some(places) = by_uid.get_mut(&entry.uid)
                && !places.remove_sorted(place)
            {
                by_uid.remove(&entry.uid);
            }
        });
        removed
    }
}

/// What the spooler holds of one store logon: the objects `SpoolerLogon` returned.
pub(crate) struct SpoolerHold {
    pub(crate) logon: LogonKey,
    pub(crate) logon_object: Option<Ref<dyn MsLogon>>,
    pub(crate) store: Ref<dyn MsgStore>,
}

impl OfLogon for SpoolerHold {
    fn logon(&self) -> Option<LogonKey> {
        Some(self.logon)
    }
}

#[derive(Default)]
pub(crate) struct SpoolerState {
    pub(crate) queue: VecDeque<LogonKey>,
    /// Sessions whose transports the spooler must start.
    pub(crate) transport_queue: VecDeque<u32>,
    /// Messages waiting to be sent, in the order the stores submitted them.
    pub(crate) outbound: VecDeque<Outbound>,
    /// Messages to offer again at the spooler's next idle time (`MAPI_E_BUSY`, `MAPI_E_WAIT`,
    /// `MAPI_E_NETWORK_ERROR`, `END_RESEND_LATER`).
    pub(crate) later: VecDeque<Outbound>,
    /// Messages transports deferred (`END_DONT_RESEND`).
    pub(crate) deferred: Vec<Deferred>,
    /// Transport logons with incoming messages, in the order they said so.
    pub(crate) inbound: VecDeque<LogonKey>,
    /// Messages delivered through `StartMessage`, until the test takes them.
    pub(crate) received: Vec<crate::runtime::ReceivedMessage>,
    /// The references the spooler holds, in the order it took them.
    pub(crate) held: ByLogon<SpoolerHold>,
    pub(crate) next_connection: usize,
}

impl State {
    /// A logon whose `Logon` returned `object`: active, with its object, counted among its
    /// provider's logons, its session's, and its section's active ones.
    pub(crate) fn activate_logon(&mut self, lkey: LogonKey, object: LogonObject) {
        let Some(rec) = self.logons.get_mut(lkey) else {
            return;
        };
        let (label, id) = match &object {
            LogonObject::Ab(o) => (o.label(), o.id()),
            LogonObject::Store(o) => (o.label(), o.id()),
            LogonObject::Xp(o) => (o.label(), o.id()),
        };
        rec.logon_label = label;
        rec.logon_id = id;
        rec.logon = Some(object);
        rec.phase = LogonPhase::Active;
        let (provider, session, section) = (rec.provider, rec.session, rec.section);
        if let Some(p) = self.providers.get_mut(provider) {
            let _ = p.logons.insert(lkey);
        }
        if let Some(s) = self.session_mut(session) {
            s.logons.push(lkey);
            s.active_by_section
                .entry(section)
                .and_modify(|active| active.push(lkey))
                .or_insert(Few::One(lkey));
        }
    }

    /// Whether the spooler is told about a store logon, as its session's flags and its open's
    /// decide it (`MAPI_NO_MAIL`, `MDB_NO_MAIL`): during the store's `Logon` it is not told yet,
    /// but will be.
    pub(crate) fn spooler_told(&self, rec: &LogonRec) -> bool {
        let no_mail_session = self
            .session(rec.session)
            .is_none_or(|s| s.flags.contains(LogonFlags::NO_MAIL));
        !no_mail_session && !rec.open_flags.contains(OpenStoreFlags::NO_MAIL)
    }

    /// Forgets `id` from the open sessions once it is neither active nor held by its client.
    pub(crate) fn session_settled(&mut self, id: u32) {
        if self
            .sessions
            .get(&id)
            .is_none_or(|s| !s.active && s.client_logged_off)
        {
            self.open_sessions.remove(&id);
        }
    }

    /// The open sessions ([`State::open_sessions`]), with their state, in the order they were
    /// made (for the checks of the last `MAPIUninitialize` and the end).
    pub(crate) fn open_sessions(&self) -> impl Iterator<Item = (u32, &SessionState)> {
        let mut ids: Vec<u32> = self.open_sessions.iter().copied().collect();
        ids.sort_unstable();
        ids.into_iter()
            .filter_map(|id| self.sessions.get(&id).map(|s| (id, s)))
    }

    pub(crate) fn session(&self, id: u32) -> Option<&SessionState> {
        self.sessions.get(&id)
    }

    pub(crate) fn session_mut(&mut self, id: u32) -> Option<&mut SessionState> {
        self.sessions.get_mut(&id)
    }

    /// The other provider records MAPI made for the same provider object as `key` (there are
    /// some only when an entry point handed one object out twice).
    pub(crate) fn sharing(&self, key: ProviderKey) -> impl Iterator<Item = (ProviderKey, &ProviderRec)> {
        let keys = self
            .providers
            .get(key)
            .and_then(|rec| self.provider_objects.get(&rec.id))
            .map_or(&[][..], Vec::as_slice);
        keys.iter()
            .filter(move |k| **k != key)
            .filter_map(|k| self.providers.get(*k).map(|p| (*k, p)))
    }
}

#[cfg(test)]
mod tests {
    use super::{Few, Places};

    #[test]
    fn places_stay_sorted_without_repeats_and_say_when_empty() {
        let mut places: Places = Few::One(5);
        places.insert(5);
        assert_eq!(places.as_slice(), [5]);
        places.insert(2);
        places.insert(9);
        places.insert(2);
        assert_eq!(places.as_slice(), [2, 5, 9]);
        assert_eq!(places.first(), Some(2));
        assert!(places.remove_sorted(5));
        assert!(
            places.remove_sorted(7),
            "a place that is not there leaves the others"
        );
        assert_eq!(places.as_slice(), [2, 9]);
        assert!(places.remove_sorted(2));
        assert!(!places.remove_sorted(9));
        let mut one: Places = Few::One(3);
        assert!(one.remove_sorted(4));
        assert!(!one.remove_sorted(3));
    }

    #[test]
    fn a_few_keep_their_order_and_say_when_empty() {
        let mut few = Few::One(7);
        few.push(3);
        few.push(7);
        assert_eq!(few.as_slice(), [7, 3, 7]);
        assert_eq!((few.len(), few.first()), (3, Some(7)));
        assert!(few.remove(7), "every copy goes, the rest stays in order");
        assert_eq!(few.as_slice(), [3]);
        assert!(!few.remove(3));
        let mut one = Few::One(1);
        assert!(one.remove(2));
        assert!(!one.remove(1));
    }
}
