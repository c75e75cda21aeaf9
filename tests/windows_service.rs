//! Clients running as Windows services (§5.8) and MAPI's initialization rules (§5.1): the flags a
//! service passes, the notifications that wait for the initializing thread's message pump, OLE
//! and COM around MAPI, and the walk-through example.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mapisim::prelude::*;
use mapisim::props::PR_DISPLAY_NAME_W;
use mapisim::runtime::{Mapi, WAIT_OBJECT_0, WAIT_TIMEOUT, WaitHandle, WaitResult};
use mapisim::sample::SampleStore;
use mapisim::spi::Malloc;

#[path = "../examples/windows_service.rs"]
#[allow(dead_code)] // the example's `main` is not called here
mod example;

/// An advise sink that counts what it receives, and on which thread.
#[derive(Default)]
struct Sink {
    /// The connection its registration got.
    connection: AtomicUsize,
    count: AtomicUsize,
    threads: Mutex<Vec<std::thread::ThreadId>>,
}

impl AdviseSink for Sink {
    fn on_notify(&self, notifications: &[Notification]) -> u32 {
        self.count.fetch_add(notifications.len(), Ordering::SeqCst);
        self.threads.lock().unwrap().push(std::thread::current().id());
        0
    }
}

fn sample_sim() -> Simulator {
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(SampleStore::service("SMPMS"))
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    sim
}

fn rename(store: &StoreHandle, name: &str) {
    let problems = store
        .set_props(&[Prop {
            tag: PR_DISPLAY_NAME_W,
            value: name.into(),
        }])
        .unwrap();
    assert!(problems.is_empty());
}

/// Opens the sample's store with a sink advised on it.
fn advised(session: &Session) -> (StoreHandle, Ref<Sink>) {
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    let sink = Ref::new(Sink::default());
    let as_sink: Ref<dyn AdviseSink> = sink.clone().into();
    let connection = store.advise(None, EventMask::OBJECT_MODIFIED, &as_sink).unwrap();
    sink.connection.store(connection, Ordering::SeqCst);
    (store, sink)
}

/// The sample's store opened with a sink advised on it, MAPI initialized with `init` and the
/// session logged on with `logon`.
fn opened(init: InitFlags, logon: LogonFlags) -> (Simulator, Mapi, Session, StoreHandle, Ref<Sink>) {
    let sim = sample_sim();
    let mapi = sim.initialize(init).unwrap();
    let session = mapi.logon_ex("P", logon).unwrap();
    let (store, sink) = advised(&session);
    (sim, mapi, session, store, sink)
}

/// The documented end: the registration cancelled, the store logged off and released, the
/// session logged off, MAPI uninitialized.
fn end(store: StoreHandle, sink: &Sink, session: Session, mapi: Mapi) {
    store.unadvise(sink.connection.load(Ordering::SeqCst)).unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
}

#[test]
fn the_walk_through_example_runs_clean_and_its_sink_is_notified() {
    let sim = example::simulator().unwrap();
    let received = example::service(&sim).unwrap();
    assert_eq!(received, vec![EventMask::OBJECT_MODIFIED]);
    let report = sim.finish();
    report.assert_clean();
    let text = report.trace().to_string();
    for step in [
        "client -> Windows: OleInitialize()",
        "client -> MAPI: MAPIInitialize(MAPI_NT_SERVICE)",
        "client -> Windows: GetMessage() = S_OK; MAPI's notification message (fnevObjectModified)",
        "client -> Windows: TranslateMessage()",
        "client -> Windows: DispatchMessage()",
        "MAPI -> IMAPIAdviseSink#",
        "client -> Windows: OleUninitialize()",
    ] {
        assert!(text.contains(step), "missing {step:?} in\n{text}");
    }
    // OleUninitialize comes before MAPIUninitialize.
    let ole = text.find("OleUninitialize").unwrap();
    let mapi = text.find("client -> MAPI: MAPIUninitialize").unwrap();
    assert!(ole < mapi);
}

#[test]
fn providers_receive_mapi_nt_service_in_their_entry_point_flags() {
    for (init, logon, expected) in [
        (InitFlags::NT_SERVICE, LogonFlags::NT_SERVICE, true),
        (InitFlags::empty(), LogonFlags::NT_SERVICE, true),
        (InitFlags::NT_SERVICE, LogonFlags::empty(), true),
        (InitFlags::empty(), LogonFlags::empty(), false),
    ] {
        let sim = sample_sim();
        let mapi = sim
            .initialize(init | InitFlags::MULTITHREAD_NOTIFICATIONS)
            .unwrap();
        let session = mapi
            .logon_ex("P", LogonFlags::EXTENDED | LogonFlags::NO_MAIL | logon)
            .unwrap();
        let (store, sink) = advised(&session);
        let text = sim.trace().to_string();
        let init_line = text.lines().find(|l| l.contains("MSProviderInit(")).unwrap();
        assert_eq!(init_line.contains("MAPI_NT_SERVICE"), expected, "{init_line}");
        end(store, &sink, session, mapi);
    }
}

#[test]
fn without_multithread_notifications_a_notification_waits_for_the_pump() {
    let (sim, mapi, session, store, sink) =
        opened(InitFlags::empty(), LogonFlags::EXTENDED | LogonFlags::NO_MAIL);
    rename(&store, "one");
    rename(&store, "two");
    // Posted, not delivered.
    assert_eq!(sink.count.load(Ordering::SeqCst), 0);
    assert_eq!(mapi.queued_messages(), 2);
    // The wait sees the queued message: WAIT_OBJECT_0 + nCount.
    let idle = WaitHandle::new();
    let result = mapi.msg_wait_for_multiple_objects(&[&idle], Duration::ZERO);
    assert_eq!(result, WaitResult::Message);
    assert_eq!(result.code(1), WAIT_OBJECT_0 + 1);
    // Get, translate, dispatch: the sink is called on this thread.
    let message = mapi.get_message().unwrap();
    assert_eq!(message.notifications()[0].event, EventMask::OBJECT_MODIFIED);
    assert!(!mapi.translate_message(&message));
    assert_eq!(mapi.dispatch_message(message), 0);
    assert_eq!(sink.count.load(Ordering::SeqCst), 1);
    assert_eq!(mapi.pump_messages(), 1);
    assert_eq!(sink.count.load(Ordering::SeqCst), 2);
    assert_eq!(
        *sink.threads.lock().unwrap(),
        vec![std::thread::current().id(); 2]
    );
    // Nothing more: the wait times out, GetMessage has nothing.
    let result = mapi.msg_wait_for_multiple_objects(&[&idle], Duration::ZERO);
    assert_eq!(result, WaitResult::Timeout);
    assert_eq!(result.code(1), WAIT_TIMEOUT);
    assert!(mapi.get_message().is_none());
    end(store, &sink, session, mapi);
    sim.finish().assert_clean();
}

#[test]
fn another_threads_pump_sees_none_of_the_initializing_threads_messages() {
    let (sim, mapi, session, store, sink) =
        opened(InitFlags::empty(), LogonFlags::EXTENDED | LogonFlags::NO_MAIL);
    rename(&store, "renamed");
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                assert_eq!(mapi.queued_messages(), 0);
                assert_eq!(
                    mapi.msg_wait_for_multiple_objects(&[], Duration::ZERO),
                    WaitResult::Timeout
                );
                assert!(mapi.get_message().is_none());
                assert_eq!(mapi.pump_messages(), 0);
            })
            .join()
            .unwrap();
    });
    assert_eq!(sink.count.load(Ordering::SeqCst), 0);
    assert_eq!(mapi.pump_messages(), 1);
    assert_eq!(sink.count.load(Ordering::SeqCst), 1);
    end(store, &sink, session, mapi);
    sim.finish().assert_clean();
}

#[test]
fn a_signalled_handle_wins_over_a_queued_message_and_reports_its_index() {
    let (sim, mapi, session, store, sink) =
        opened(InitFlags::empty(), LogonFlags::EXTENDED | LogonFlags::NO_MAIL);
    rename(&store, "renamed");
    let (a, b) = (WaitHandle::new(), WaitHandle::new());
    b.set();
    let result = mapi.msg_wait_for_multiple_objects(&[&a, &b], Duration::ZERO);
    assert_eq!(result, WaitResult::Object(1));
    assert_eq!(result.code(2), WAIT_OBJECT_0 + 1);
    b.reset();
    assert!(!b.is_set());
    assert_eq!(
        mapi.msg_wait_for_multiple_objects(&[&a, &b], Duration::ZERO),
        WaitResult::Message
    );
    mapi.pump_messages();
    end(store, &sink, session, mapi);
    sim.finish().assert_clean();
}

#[test]
fn a_worker_threads_change_wakes_the_waiting_service() {
    let (sim, mapi, session, store, sink) = opened(
        InitFlags::NT_SERVICE,
        LogonFlags::EXTENDED | LogonFlags::NO_MAIL | LogonFlags::NT_SERVICE,
    );
    std::thread::scope(|scope| {
        scope.spawn(|| rename(&store, "from the worker"));
        // Waits (for real) until the worker's notification is queued here.
        let result = mapi.msg_wait_for_multiple_objects(&[], Duration::from_secs(60));
        assert_eq!(result, WaitResult::Message);
        mapi.pump_messages();
    });
    assert_eq!(sink.count.load(Ordering::SeqCst), 1);
    assert_eq!(*sink.threads.lock().unwrap(), vec![std::thread::current().id()]);
    end(store, &sink, session, mapi);
    sim.finish().assert_clean();
}

#[test]
fn with_multithread_notifications_mapis_thread_delivers_at_once() {
    let (sim, mapi, session, store, sink) = opened(
        InitFlags::MULTITHREAD_NOTIFICATIONS,
        LogonFlags::EXTENDED | LogonFlags::NO_MAIL,
    );
    rename(&store, "renamed");
    assert_eq!(sink.count.load(Ordering::SeqCst), 1);
    assert_eq!(mapi.queued_messages(), 0);
    assert_eq!(
        mapi.msg_wait_for_multiple_objects(&[], Duration::ZERO),
        WaitResult::Timeout
    );
    end(store, &sink, session, mapi);
    sim.finish().assert_clean();
}

#[test]
fn a_service_that_never_pumps_never_hears_and_the_report_says_so() {
    let (sim, mapi, session, store, sink) = opened(
        InitFlags::NT_SERVICE,
        LogonFlags::EXTENDED | LogonFlags::NO_MAIL | LogonFlags::NT_SERVICE,
    );
    rename(&store, "renamed");
    end(store, &sink, session, mapi);
    assert_eq!(sink.count.load(Ordering::SeqCst), 0);
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["NOTIFY-PUMP"]);
    let message = &report.violations[0].message;
    assert!(
        message.contains("1 notification(s) (fnevObjectModified)"),
        "{message}"
    );
    assert!(message.contains("at the last MAPIUninitialize"), "{message}");
    assert_eq!(report.violations[0].by, Party::Client);
}

#[test]
fn notifications_still_queued_at_the_end_are_reported_once() {
    let (sim, mapi, session, store, _sink) =
        opened(InitFlags::empty(), LogonFlags::EXTENDED | LogonFlags::NO_MAIL);
    rename(&store, "renamed");
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    // MAPI is still initialized when the test ends.
    let report = sim.finish();
    let pumps: Vec<_> = report
        .violations
        .iter()
        .filter(|v| v.rule.id == "NOTIFY-PUMP")
        .collect();
    assert_eq!(pumps.len(), 1);
    assert!(pumps[0].message.contains("by the end"));
    drop(mapi);
}

#[test]
fn a_configuration_asked_with_ui_by_a_service_breaks_service_no_ui() {
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(SampleStore::service("SMPMS"))
        .windows_service_client(true)
        .build();
    let profile = sim.profiles().create("P").unwrap();
    let uid = profile.add_service("SMPMS").unwrap();
    profile
        .configure_service(&uid, ServiceEntryFlags::UI_ALLOWED, &[])
        .unwrap();
    assert_eq!(sim.report().rule_ids(), vec!["SERVICE-NO-UI"]);
    // Without UI it is fine.
    profile
        .configure_service(&uid, ServiceEntryFlags::empty(), &[])
        .unwrap();
    assert_eq!(sim.finish().violations.len(), 1);
}

#[test]
fn service_ui_always_at_logon_is_ui_too() {
    let sim = sample_sim();
    let mapi = sim.initialize(InitFlags::NT_SERVICE).unwrap();
    let flags =
        LogonFlags::EXTENDED | LogonFlags::NO_MAIL | LogonFlags::NT_SERVICE | LogonFlags::SERVICE_UI_ALWAYS;
    let session = mapi.logon_ex("P", flags).unwrap();
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["SERVICE-NO-UI"]);
    assert!(report.violations[0].message.contains("MAPI_SERVICE_UI_ALWAYS"));
}

#[test]
fn a_client_that_is_not_a_service_may_use_ui_and_mail() {
    let sim = sample_sim();
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS).unwrap();
    let session = mapi
        .logon_ex("P", LogonFlags::EXTENDED | LogonFlags::LOGON_UI)
        .unwrap();
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn unbalanced_mapi_uninitialize_is_a_typed_error_and_changes_nothing() {
    let sim = sample_sim();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let inner = sim.initialize(InitFlags::empty()).unwrap();
    inner.uninitialize().unwrap();
    mapi.uninitialize().unwrap();
    assert_eq!(sim.uninitialize(), Err(MapiError::NotInitialized));
    assert_eq!(sim.uninitialize(), Err(MapiError::NotInitialized));
    // MAPI can be initialized again afterwards, and works.
    let again = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS).unwrap();
    let session = again.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    again.uninitialize().unwrap();
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["CLIENT-INITIALIZED"]);
    assert_eq!(report.violations.len(), 2);
}

#[test]
fn ole_and_com_counts_are_per_thread() {
    let sim = sample_sim();
    sim.ole_initialize();
    // Another thread's COM does not count for this one.
    std::thread::scope(|scope| {
        scope.spawn(|| sim.co_initialize()).join().unwrap();
    });
    let mapi = sim.initialize(InitFlags::NO_COINIT).unwrap();
    sim.ole_uninitialize();
    mapi.uninitialize().unwrap();
    // OLE had initialized COM here: MAPI_NO_COINIT was right.
    sim.finish().assert_clean();

    let sim = sample_sim();
    std::thread::scope(|scope| {
        scope.spawn(|| sim.co_initialize()).join().unwrap();
    });
    let mapi = sim.initialize(InitFlags::NO_COINIT).unwrap();
    mapi.uninitialize().unwrap();
    assert_eq!(sim.finish().rule_ids(), vec!["COM-NO-COINIT"]);
}

#[test]
fn oles_extra_uninitialize_is_harmless_and_the_order_counts_at_the_last_uninitialize() {
    let sim = sample_sim();
    sim.ole_initialize();
    let outer = sim.initialize(InitFlags::empty()).unwrap();
    let inner = sim.initialize(InitFlags::empty()).unwrap();
    // Not the last MAPIUninitialize: OLE may still be up.
    inner.uninitialize().unwrap();
    sim.ole_uninitialize();
    sim.ole_uninitialize();
    outer.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn malloc_raw_counting_balances_and_over_release_is_reported_by_the_releaser() {
    use mapisim::object::RawRelease;
    // A provider keeping lpMalloc the COM way: a raw AddRef, later a raw Release.
    let sim = sample_sim();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let malloc: Ref<dyn Malloc> = sim_malloc(&sim);
    let before = malloc.ref_count();
    assert_eq!(malloc.add_ref_raw(), before + 1);
    assert_eq!(malloc.raw_refs(), 1);
    assert_eq!(malloc.release_raw(), RawRelease::Released(before));
    // One more is the over-release: the count stays.
    assert_eq!(malloc.release_raw(), RawRelease::OverReleased(before));
    assert_eq!(malloc.ref_count(), before);
    drop(malloc);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["MALLOC-RELEASE"]);
    assert_eq!(report.violations[0].by, Party::Client);
}

/// The `IMalloc` MAPI hands out, as a provider sees it in `InitArgs`.
fn sim_malloc(sim: &Simulator) -> Ref<dyn Malloc> {
    sim.malloc()
}
