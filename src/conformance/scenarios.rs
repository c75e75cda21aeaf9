//! The scenarios of the battery: what the client (and the spooler) does in each, written against
//! the simulator's client API, every step tolerant of failure (a fault run fails steps on
//! purpose; the scenario goes on with what it has, as a careful client would).

use crate::error::{MapiError, MapiResult, MapiWarning, Warned};
use crate::flags::{InitFlags, LogoffFlags, LogonFlags, OpenStoreFlags, SessionLogoffFlags, SpiVersion};
use crate::ids::{Iid, MapiUid, WrappedStoreEntryId};
use crate::object::ObjLabel;
use crate::runtime::{
    AddressBookStart, Behavior, Mapi, Profile, Session, Simulator, StoreHandle, TransportStart,
};

/// Which kind of provider a scenario exercises: it runs when the service under test holds one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Needs {
    /// A message store.
    Store,
    /// An address book.
    AddressBook,
    /// A transport.
    Transport,
    /// Any provider at all.
    Any,
}

/// How a scenario's simulator differs from the reading it runs under.
#[derive(Clone, Debug)]
pub(super) struct Setup {
    pub(super) behavior: Behavior,
    pub(super) service_client: bool,
    /// Whether the profile holds each service twice (two stores of one provider).
    pub(super) services_twice: bool,
}

/// One scenario of the battery.
pub(super) struct Scenario {
    /// Its name, as `only` and `skip` take it.
    pub(super) name: &'static str,
    /// What it does, in a line.
    pub(super) about: &'static str,
    /// The provider kind it exercises.
    pub(super) needs: Needs,
    /// Whether it runs under every reading of the documents (the store's teardowns), or under
    /// the first reading of each list only.
    pub(super) varied: bool,
    /// The client rules the scenario breaks on purpose (it plays a careless client).
    pub(super) client_rules: &'static [&'static str],
    /// The errors a client step may get in a run without a fault (a provider that refuses an
    /// older MAPI); any other error of a step is a failure of the run.
    pub(super) allowed_errors: &'static [MapiError],
    /// Its changes to the simulator's settings.
    pub(super) tweak: fn(&mut Setup),
    /// The client's part.
    pub(super) run: fn(&mut Client<'_>),
}

/// What a scenario needs to submit a message: the store to submit through (by display name,
/// when the battery added its own partner store; else every store the scenario opened, in
/// order) and how.
pub(super) struct Submitter {
    pub(super) store_name: Option<String>,
    pub(super) submit: super::SubmitFn,
}

/// The client of one run: the simulator, the profile, and the errors its steps got.
pub(super) struct Client<'a> {
    pub(super) sim: &'a Simulator,
    pub(super) profile: &'a str,
    pub(super) errors: Vec<(&'static str, MapiError)>,
    /// The warnings of the client's steps (`OpenAddressBook` when a provider failed).
    pub(super) warnings: Vec<(&'static str, MapiWarning)>,
    pub(super) submitter: Option<&'a Submitter>,
    /// Whether the service under test holds an address book (the fast shutdown opens it).
    pub(super) has_address_book: bool,
    /// The display name of each store opened, by the store object's label.
    pub(super) names: Vec<(Option<ObjLabel>, String)>,
    /// The profile, and the services added to it.
    pub(super) services: Option<(Profile, Vec<MapiUid>)>,
}

impl Client<'_> {
    /// The value of a step, or its error noted.
    fn ok<T>(&mut self, step: &'static str, result: MapiResult<T>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push((step, e));
                None
            }
        }
    }

    /// The value of a step that may warn, its error or warning noted.
    fn warned<T>(&mut self, step: &'static str, result: MapiResult<Warned<T>>) -> Option<T> {
        let warned = self.ok(step, result)?;
        if let Some(w) = warned.warning {
            self.warnings.push((step, w));
        }
        Some(warned.value)
    }

    fn initialize(&mut self, flags: InitFlags) -> Option<Mapi> {
        let result = self.sim.initialize(flags);
        self.ok("MAPIInitialize", result)
    }

    fn logon(&mut self, mapi: &Mapi, flags: LogonFlags) -> Option<Session> {
        let result = mapi.logon_ex(self.profile, LogonFlags::EXTENDED | flags);
        self.ok("MAPILogonEx", result)
    }

    /// Every store of the session's message-store table, opened with `flags`.
    fn open_stores(&mut self, session: &Session, flags: OpenStoreFlags) -> Vec<StoreHandle> {
        let Some(table) = self.ok("GetMsgStoresTable", session.msg_stores_table()) else {
            return Vec::new();
        };
        let mut stores = Vec::new();
        for row in table.rows() {
            let result = session.open_msg_store(&row.entry_id, flags);
            if let Some(store) = self.ok("OpenMsgStore", result) {
                self.names.push((store.label(), row.display_name.clone()));
                stores.push(store);
            }
        }
        stores
    }

    fn store_logoff(&mut self, stores: &[StoreHandle], flags: LogoffFlags) {
        for store in stores {
            let result = store.store_logoff(flags);
            self.ok("StoreLogoff", result);
        }
    }

    fn session_logoff(&mut self, session: &Session) {
        let result = session.logoff(SessionLogoffFlags::empty());
        self.ok("Logoff", result);
    }

    fn uninitialize(&mut self, mapi: Mapi) {
        let result = mapi.uninitialize();
        self.ok("MAPIUninitialize", result);
    }

    fn run_spooler(&self) {
        self.sim.spooler().run_until_idle();
    }

    /// Submits one message through the submitter's store, among `stores`.
    fn submit(&mut self, stores: &[StoreHandle]) {
        let Some(submitter) = self.submitter else {
            return;
        };
        let chosen: Vec<&StoreHandle> = match &submitter.store_name {
            Some(name) => stores
                .iter()
                .filter(|s| {
                    let label = s.label();
                    self.names.iter().any(|(l, n)| *l == label && n == name)
                })
                .collect(),
            None => stores.iter().collect(),
        };
        if let Some(store) = chosen.first() {
            let result = (submitter.submit)(store);
            self.ok("SubmitMessage", result);
        }
    }

    /// Logs on, opens every store, lets the spooler run; `None` when the logon failed.
    fn start(
        &mut self,
        init: InitFlags,
        logon: LogonFlags,
        open: OpenStoreFlags,
    ) -> Option<(Mapi, Option<Session>, Vec<StoreHandle>)> {
        let mapi = self.initialize(init)?;
        let Some(session) = self.logon(&mapi, logon) else {
            return Some((mapi, None, Vec::new()));
        };
        let stores = self.open_stores(&session, open);
        self.run_spooler();
        Some((mapi, Some(session), stores))
    }

    /// The orderly end: each store's `StoreLogoff` with `flags` (unless `None`), the stores'
    /// release, the session's `Logoff` and release, `MAPIUninitialize`.
    fn end(
        &mut self,
        mapi: Mapi,
        session: Option<Session>,
        stores: Vec<StoreHandle>,
        flags: Option<LogoffFlags>,
    ) {
        if let Some(flags) = flags {
            self.store_logoff(&stores, flags);
        }
        drop(stores);
        self.run_spooler();
        if let Some(session) = session {
            self.session_logoff(&session);
        }
        self.uninitialize(mapi);
    }

    /// The whole plain life: start, then the orderly end with `flags`.
    fn life(&mut self, logon: LogonFlags, open: OpenStoreFlags, flags: Option<LogoffFlags>) {
        if let Some((mapi, session, stores)) = self.start(InitFlags::empty(), logon, open) {
            self.end(mapi, session, stores, flags);
        }
    }
}

fn none(_: &mut Setup) {}

fn lifecycle(c: &mut Client<'_>) {
    c.life(
        LogonFlags::empty(),
        OpenStoreFlags::WRITE,
        Some(LogoffFlags::ORDERLY),
    );
}

fn release_without_store_logoff(c: &mut Client<'_>) {
    c.life(LogonFlags::empty(), OpenStoreFlags::WRITE, None);
}

fn session_logoff_with_stores_held(c: &mut Client<'_>) {
    if let Some((mapi, session, stores)) =
        c.start(InitFlags::empty(), LogonFlags::empty(), OpenStoreFlags::WRITE)
    {
        if let Some(session) = &session {
            c.session_logoff(session);
        }
        drop(stores);
        drop(session);
        c.uninitialize(mapi);
    }
}

fn uninitialize_with_everything_held(c: &mut Client<'_>) {
    if let Some((mapi, session, stores)) =
        c.start(InitFlags::empty(), LogonFlags::empty(), OpenStoreFlags::WRITE)
    {
        c.uninitialize(mapi);
        drop(stores);
        drop(session);
    }
}

fn reopen(c: &mut Client<'_>) {
    if let Some((mapi, session, stores)) =
        c.start(InitFlags::empty(), LogonFlags::empty(), OpenStoreFlags::WRITE)
    {
        let again = match &session {
            Some(s) => c.open_stores(s, OpenStoreFlags::WRITE),
            None => Vec::new(),
        };
        c.store_logoff(&stores, LogoffFlags::ORDERLY);
        drop(again);
        c.end(mapi, session, stores, None);
    }
}

fn logoff_with(flags: LogoffFlags) -> impl Fn(&mut Client<'_>) {
    move |c| c.life(LogonFlags::empty(), OpenStoreFlags::WRITE, Some(flags))
}

fn store_logoff_no_wait(c: &mut Client<'_>) {
    logoff_with(LogoffFlags::NO_WAIT)(c);
}

fn store_logoff_purge(c: &mut Client<'_>) {
    logoff_with(LogoffFlags::PURGE)(c);
}

fn store_logoff_abort(c: &mut Client<'_>) {
    logoff_with(LogoffFlags::ABORT)(c);
}

fn store_logoff_quiet(c: &mut Client<'_>) {
    logoff_with(LogoffFlags::QUIET)(c);
}

fn two_sessions(c: &mut Client<'_>) {
    let Some(mapi) = c.initialize(InitFlags::empty()) else {
        return;
    };
    let first = c.logon(&mapi, LogonFlags::empty());
    let first_stores = first
        .as_ref()
        .map(|s| c.open_stores(s, OpenStoreFlags::WRITE))
        .unwrap_or_default();
    let second = c.logon(&mapi, LogonFlags::empty());
    let second_stores = second
        .as_ref()
        .map(|s| c.open_stores(s, OpenStoreFlags::WRITE))
        .unwrap_or_default();
    c.run_spooler();
    c.store_logoff(&first_stores, LogoffFlags::ORDERLY);
    drop(first_stores);
    if let Some(session) = first {
        c.session_logoff(&session);
    }
    c.store_logoff(&second_stores, LogoffFlags::ORDERLY);
    drop(second_stores);
    c.run_spooler();
    if let Some(session) = second {
        c.session_logoff(&session);
    }
    c.uninitialize(mapi);
}

fn no_mail_session(c: &mut Client<'_>) {
    c.life(
        LogonFlags::NO_MAIL,
        OpenStoreFlags::WRITE,
        Some(LogoffFlags::ORDERLY),
    );
}

fn mdb_no_mail(c: &mut Client<'_>) {
    c.life(
        LogonFlags::empty(),
        OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL,
        Some(LogoffFlags::ORDERLY),
    );
}

fn as_service(setup: &mut Setup) {
    setup.service_client = true;
}

fn windows_service_client(c: &mut Client<'_>) {
    if let Some((mapi, session, stores)) = c.start(
        InitFlags::NT_SERVICE | InitFlags::MULTITHREAD_NOTIFICATIONS,
        LogonFlags::NT_SERVICE | LogonFlags::NO_MAIL,
        OpenStoreFlags::WRITE,
    ) {
        c.end(mapi, session, stores, Some(LogoffFlags::ORDERLY));
    }
}

fn unload_and_reload(c: &mut Client<'_>) {
    lifecycle(c);
    lifecycle(c);
}

fn newer_spi(setup: &mut Setup) {
    setup.behavior.mapi_spi_version = SpiVersion(0x0001_0020);
}

fn older_spi(setup: &mut Setup) {
    setup.behavior.mapi_spi_version = SpiVersion::PDK2;
}

fn open_address_book_n(c: &mut Client<'_>, times: usize) {
    let Some(mapi) = c.initialize(InitFlags::empty()) else {
        return;
    };
    let Some(session) = c.logon(&mapi, LogonFlags::empty()) else {
        c.uninitialize(mapi);
        return;
    };
    let mut books = Vec::new();
    for _ in 0..times {
        let result = session.open_address_book();
        if let Some(book) = c.warned("OpenAddressBook", result) {
            books.push(book);
        }
    }
    drop(books);
    c.session_logoff(&session);
    drop(session);
    c.uninitialize(mapi);
}

fn open_address_book(c: &mut Client<'_>) {
    open_address_book_n(c, 1);
}

fn open_address_book_twice(c: &mut Client<'_>) {
    open_address_book_n(c, 2);
}

fn address_books_at_logon(setup: &mut Setup) {
    setup.behavior.address_book_start = AddressBookStart::Logon;
}

fn send_one_message(c: &mut Client<'_>) {
    if let Some((mapi, session, stores)) =
        c.start(InitFlags::empty(), LogonFlags::empty(), OpenStoreFlags::WRITE)
    {
        c.submit(&stores);
        c.run_spooler();
        drop(c.sim.spooler().take_received());
        c.end(mapi, session, stores, Some(LogoffFlags::ORDERLY));
    }
}

fn send_then_purge(c: &mut Client<'_>) {
    if let Some((mapi, session, stores)) =
        c.start(InitFlags::empty(), LogonFlags::empty(), OpenStoreFlags::WRITE)
    {
        c.submit(&stores);
        c.store_logoff(&stores, LogoffFlags::PURGE);
        drop(c.sim.spooler().take_received());
        c.end(mapi, session, stores, None);
    }
}

fn transports_at_logon(setup: &mut Setup) {
    setup.behavior.transport_start = TransportStart::AtLogon;
}

fn fast_shutdown(c: &mut Client<'_>) {
    let Some((mapi, session, stores)) =
        c.start(InitFlags::empty(), LogonFlags::empty(), OpenStoreFlags::WRITE)
    else {
        return;
    };
    let Some(session) = session else {
        c.uninitialize(mapi);
        return;
    };
    let book = if c.has_address_book {
        let result = session.open_address_book();
        c.warned("OpenAddressBook", result)
    } else {
        None
    };
    c.submit(&stores);
    c.run_spooler();
    // A client that may exit fast asks first; when a provider says no, it ends the slow way.
    match session.query_fast_shutdown() {
        Ok(()) => {
            let result = session.notify_process_shutdown();
            c.ok("NotifyProcessShutdown", result);
            let result = session.do_fast_shutdown();
            c.ok("DoFastShutdown", result);
            // The process exits: its handles go with it, without another call.
            drop(book);
            drop(stores);
            drop(session);
            drop(mapi);
        }
        Err(_) => {
            drop(book);
            c.end(mapi, Some(session), stores, Some(LogoffFlags::ORDERLY));
        }
    }
}

fn twice(setup: &mut Setup) {
    setup.services_twice = true;
}

/// Two stores of one provider open together; the client compares their entry IDs both ways
/// and each with itself (`IMAPISession::CompareEntryIDs`, which MAPI hands to the provider).
fn two_stores(c: &mut Client<'_>) {
    let Some((mapi, session, stores)) =
        c.start(InitFlags::empty(), LogonFlags::empty(), OpenStoreFlags::WRITE)
    else {
        return;
    };
    if let Some(session) = &session {
        let ids: Vec<Vec<u8>> = stores.iter().filter_map(|s| s.entry_id().ok()).collect();
        for a in &ids {
            for b in &ids {
                let result = session.compare_entry_ids(a, b, 0);
                c.ok("CompareEntryIDs", result);
            }
        }
    }
    c.end(mapi, session, stores, Some(LogoffFlags::ORDERLY));
}

/// `QueryInterface` of each store for the interfaces it has and one it lacks, `OpenEntry` of the
/// store by its own entry ID, and `OpenMsgStore` asking for an interface a store lacks, in a
/// second session (the provider must refuse it).
fn interfaces(c: &mut Client<'_>) {
    let Some((mapi, session, stores)) =
        c.start(InitFlags::empty(), LogonFlags::empty(), OpenStoreFlags::WRITE)
    else {
        return;
    };
    if let Some(session) = &session {
        for store in &stores {
            for iid in [
                Iid::IMAPIPROP,
                Iid::IUNKNOWN,
                Iid::IMSGSTORE,
                Iid::IMSCAPABILITIES,
                Iid::IMSLOGON,
                Iid::IMAPIPROP,
            ] {
                drop(store.query_interface(iid));
            }
            if let Ok(wrapped) = store.entry_id()
                && let Ok(id) = WrappedStoreEntryId::parse(&wrapped)
            {
                drop(session.open_entry(id.original(), Some(Iid::IMAPIPROP), 0));
            }
        }
        // A second session, asking for an interface no store has: the answer is
        // MAPI_E_INTERFACE_NOT_SUPPORTED, which the client expects.
        if let Some(other) = c.logon(&mapi, LogonFlags::NEW_SESSION) {
            if let Ok(table) = other.msg_stores_table() {
                for row in table.rows() {
                    drop(other.open_msg_store_as(&row.entry_id, OpenStoreFlags::WRITE, Some(Iid::IMSLOGON)));
                }
            }
            c.session_logoff(&other);
        }
    }
    c.end(mapi, session, stores, Some(LogoffFlags::ORDERLY));
}

/// `MDB_NO_DIALOG`: the provider must not show UI.
fn no_dialog(c: &mut Client<'_>) {
    c.life(
        LogonFlags::empty(),
        OpenStoreFlags::WRITE | OpenStoreFlags::NO_DIALOG,
        Some(LogoffFlags::ORDERLY),
    );
}

/// The whole life, then each service deleted from the profile (`MSG_SERVICE_DELETE`).
fn delete_services(c: &mut Client<'_>) {
    whole_life(c);
    if let Some((profile, uids)) = c.services.take() {
        // A service entry that fails the deletion is SERVICE-DELETE-OK's to judge (advice):
        // its error is not a failed step.
        for uid in &uids {
            let _ = profile.delete_service(uid);
        }
    }
}

/// Every scenario, in the order the battery runs them.
pub(super) const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "lifecycle",
        about: "log on, open every store, StoreLogoff(ORDERLY), release, Logoff, MAPIUninitialize",
        needs: Needs::Store,
        varied: true,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: lifecycle,
    },
    Scenario {
        name: "release-without-store-logoff",
        about: "the stores released without StoreLogoff",
        needs: Needs::Store,
        varied: true,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: release_without_store_logoff,
    },
    Scenario {
        name: "session-logoff-with-stores-held",
        about: "the session's Logoff while the client still holds its stores",
        needs: Needs::Store,
        varied: true,
        client_rules: &["CLIENT-RELEASE"],
        allowed_errors: &[],
        tweak: none,
        run: session_logoff_with_stores_held,
    },
    Scenario {
        name: "uninitialize-with-everything-held",
        about: "the last MAPIUninitialize while the client holds its session and stores",
        needs: Needs::Store,
        varied: true,
        client_rules: &["CLIENT-LOGOFF", "CLIENT-RELEASE"],
        allowed_errors: &[],
        tweak: none,
        run: uninitialize_with_everything_held,
    },
    Scenario {
        name: "reopen",
        about: "every store opened twice (the second Logon finds it open), StoreLogoff through the first",
        needs: Needs::Store,
        varied: true,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: reopen,
    },
    Scenario {
        name: "store-logoff-abort",
        about: "StoreLogoff(LOGOFF_ABORT), which busy transports refuse",
        needs: Needs::Store,
        varied: true,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: store_logoff_abort,
    },
    Scenario {
        name: "store-logoff-no-wait",
        about: "StoreLogoff(LOGOFF_NO_WAIT)",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: store_logoff_no_wait,
    },
    Scenario {
        name: "store-logoff-purge",
        about: "StoreLogoff(LOGOFF_PURGE)",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: store_logoff_purge,
    },
    Scenario {
        name: "store-logoff-quiet",
        about: "StoreLogoff(LOGOFF_QUIET)",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: store_logoff_quiet,
    },
    Scenario {
        name: "two-sessions",
        about: "two sessions of one process open the same stores; each ends in turn",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: two_sessions,
    },
    Scenario {
        name: "no-mail-session",
        about: "a MAPI_NO_MAIL session: the spooler is not told about it",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: no_mail_session,
    },
    Scenario {
        name: "mdb-no-mail",
        about: "the stores opened with MDB_NO_MAIL",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: mdb_no_mail,
    },
    Scenario {
        name: "two-stores-of-one-provider",
        about: "the profile holds each service twice: two stores of one provider, open together, their entry IDs compared",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: twice,
        run: two_stores,
    },
    Scenario {
        name: "interfaces",
        about: "QueryInterface of each store, OpenEntry of it, and OpenMsgStore asking for an interface it lacks",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: interfaces,
    },
    Scenario {
        name: "no-dialog",
        about: "the stores opened with MDB_NO_DIALOG: no UI allowed (a store that needs the user may refuse with MAPI_E_LOGON_FAILED)",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[MapiError::LogonFailed],
        tweak: none,
        run: no_dialog,
    },
    Scenario {
        name: "windows-service-client",
        about: "a client running as a Windows service (MAPI_NT_SERVICE, MAPI_NO_MAIL): no UI (a store that needs the user may refuse)",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[MapiError::LogonFailed],
        tweak: as_service,
        run: windows_service_client,
    },
    Scenario {
        name: "unload-and-reload",
        about: "the whole life twice: the library unloaded after the first and loaded again",
        needs: Needs::Store,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: unload_and_reload,
    },
    Scenario {
        name: "newer-mapi-spi",
        about: "the lifecycle under a MAPI whose SPI version is newer than the provider's (refusing it is INIT-VERSION-RANGE's to judge: advice)",
        needs: Needs::Any,
        varied: false,
        client_rules: &[],
        allowed_errors: &[MapiError::Version],
        tweak: newer_spi,
        run: whole_life,
    },
    Scenario {
        name: "older-mapi-spi",
        about: "the lifecycle under an older MAPI (PDK2): a provider that needs more refuses it",
        needs: Needs::Any,
        varied: false,
        client_rules: &[],
        allowed_errors: &[MapiError::Version],
        tweak: older_spi,
        run: whole_life,
    },
    Scenario {
        name: "open-address-book",
        about: "OpenAddressBook logs on to the address books; Logoff ends them",
        needs: Needs::AddressBook,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: open_address_book,
    },
    Scenario {
        name: "open-address-book-twice",
        about: "a second OpenAddressBook reuses the logons",
        needs: Needs::AddressBook,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: open_address_book_twice,
    },
    Scenario {
        name: "address-books-at-logon",
        about: "the address books log on during MAPILogonEx (the other reading)",
        needs: Needs::AddressBook,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: address_books_at_logon,
        run: whole_life,
    },
    Scenario {
        name: "send-one-message",
        about: "a message submitted through a store: the spooler starts the transports and sends it",
        needs: Needs::Transport,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: send_one_message,
    },
    Scenario {
        name: "send-then-purge",
        about: "a message submitted, then StoreLogoff(LOGOFF_PURGE) before the spooler ran",
        needs: Needs::Transport,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: send_then_purge,
    },
    Scenario {
        name: "transports-at-logon",
        about: "the spooler starts the transports at the client's logon (the other reading)",
        needs: Needs::Transport,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: transports_at_logon,
        run: send_one_message,
    },
    Scenario {
        name: "delete-services",
        about: "the whole life, then every service deleted from the profile",
        needs: Needs::Any,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: delete_services,
    },
    Scenario {
        name: "fast-shutdown",
        about: "everything open, then the client's fast shutdown (or the slow end if a provider declines)",
        needs: Needs::Any,
        varied: false,
        client_rules: &[],
        allowed_errors: &[],
        tweak: none,
        run: fast_shutdown,
    },
];

/// The plain life with every provider kind at work: the stores (if any) opened, the address
/// book opened when the service has one, a message sent when it has a transport, the orderly
/// end.
fn whole_life(c: &mut Client<'_>) {
    if let Some((mapi, session, stores)) =
        c.start(InitFlags::empty(), LogonFlags::empty(), OpenStoreFlags::WRITE)
    {
        if let Some(s) = &session {
            if c.has_address_book {
                let result = s.open_address_book();
                drop(c.warned("OpenAddressBook", result));
            }
            c.submit(&stores);
        }
        c.run_spooler();
        drop(c.sim.spooler().take_received());
        c.end(mapi, session, stores, Some(LogoffFlags::ORDERLY));
    }
}
