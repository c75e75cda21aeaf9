//! The trace's one-line-per-event text form, pinned: every event kind, nesting, outcomes, the
//! lines around an event, and byte-for-byte determinism.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use mapisim::error::{MapiError, MapiWarning, Status};
use mapisim::object::{InterfaceKind, ObjLabel};
use mapisim::trace::{EventId, EventKind, Outcome, Party, Trace};

fn lib() -> Party {
    Party::Library("SMPMS32.DLL".into())
}

fn obj(kind: InterfaceKind, serial: u32) -> ObjLabel {
    ObjLabel { kind, serial }
}

/// A small scenario touching every kind of event.
fn scenario() -> Trace {
    let t = Trace::new();
    let open = t.begin_call(
        Party::Client,
        Party::Object(obj(InterfaceKind::MapiSession, 1)),
        "OpenMsgStore",
        "entry=0000…, MDB_WRITE",
    );
    t.record(EventKind::LoadLibrary {
        by: Party::Mapi,
        file: "SMPMS32.DLL".into(),
        count: 1,
        new_instance: true,
        reason: "OpenMsgStore".into(),
    });
    let init = t.begin_call(
        Party::Mapi,
        lib(),
        "MSProviderInit",
        "flags=0, mapi_ver=0x00010010",
    );
    init.finish(Status::Ok, "IMSProvider#2, provider_ver=0x00010010");
    let logon = t.begin_call(
        Party::Mapi,
        Party::Object(obj(InterfaceKind::MsProvider, 2)),
        "Logon",
        "support=IMAPISupport#3",
    );
    t.record(EventKind::AddRef {
        by: lib(),
        object: obj(InterfaceKind::MapiSupport, 3),
        count: 2,
    });
    logon.finish(
        Status::Warning(MapiWarning::ErrorsReturned),
        "IMSLogon#4, IMsgStore#5",
    );
    open.finish(Status::Ok, "IMsgStore#5");
    let bad = t.begin_call(
        Party::Client,
        Party::Object(obj(InterfaceKind::MsgStore, 5)),
        "StoreLogoff",
        "LOGOFF_ORDERLY",
    );
    bad.finish(Status::Error(MapiError::InvalidObject), "");
    t.record(EventKind::Release {
        by: Party::Spooler,
        object: obj(InterfaceKind::MsgStore, 5),
        count: 1,
    });
    t.record(EventKind::Destroyed {
        by: Party::Client,
        object: obj(InterfaceKind::MsgStore, 5),
    });
    t.record(EventKind::FreeLibrary {
        by: Party::Mapi,
        file: "SMPMS32.DLL".into(),
        count: 1,
        reason: "IMSProvider#2 released".into(),
    });
    t.record(EventKind::FreeLibrary {
        by: Party::Mapi,
        file: "SMPMS32.DLL".into(),
        count: 0,
        reason: "MAPIUninitialize".into(),
    });
    t.record(EventKind::Note {
        by: Party::Mapi,
        text: "behaviour StoreLogoffTransports=at-final-release".into(),
    });
    t
}

const EXPECTED: &str = "   1 client -> IMAPISession#1: OpenMsgStore(entry=0000…, MDB_WRITE) = S_OK; IMsgStore#5
   2   MAPI -> SMPMS32.DLL: LoadLibrary() = 1, new instance (OpenMsgStore)
   3   MAPI -> SMPMS32.DLL: MSProviderInit(flags=0, mapi_ver=0x00010010) = S_OK; IMSProvider#2, provider_ver=0x00010010
   4   MAPI -> IMSProvider#2: Logon(support=IMAPISupport#3) = MAPI_W_ERRORS_RETURNED (0x00040380); IMSLogon#4, IMsgStore#5
   5     SMPMS32.DLL -> IMAPISupport#3: AddRef() = 2
   6 client -> IMsgStore#5: StoreLogoff(LOGOFF_ORDERLY) = MAPI_E_INVALID_OBJECT (0x80040108)
   7 spooler -> IMsgStore#5: Release() = 1
   8 client -> IMsgStore#5: Release() = 0, destroyed
   9 MAPI -> SMPMS32.DLL: FreeLibrary() = 1 (IMSProvider#2 released)
  10 MAPI -> SMPMS32.DLL: FreeLibrary() = 0, unloaded (MAPIUninitialize)
  11 MAPI: note: behaviour StoreLogoffTransports=at-final-release
";

#[test]
fn every_event_kind_has_its_pinned_line() {
    assert_eq!(scenario().text(), EXPECTED);
}

#[test]
fn the_same_scenario_gives_the_same_text_byte_for_byte() {
    assert_eq!(scenario().text(), scenario().text());
    assert_eq!(scenario().to_string(), EXPECTED);
}

#[test]
fn an_open_call_shows_an_ellipsis_and_an_abandoned_one_a_panic() {
    let t = Trace::new();
    let open = t.begin_call(Party::Mapi, lib(), "MSProviderInit", "");
    assert_eq!(t.text(), "   1 MAPI -> SMPMS32.DLL: MSProviderInit() = …\n");
    assert_eq!(t.current_call(), Some(EventId(1)));
    drop(open);
    assert_eq!(t.current_call(), None);
    assert_eq!(
        t.text(),
        "   1 MAPI -> SMPMS32.DLL: MSProviderInit() = panicked: the call did not return\n"
    );
    let again = t.begin_call(Party::Mapi, lib(), "MSProviderInit", "");
    again.panicked("index out of bounds");
    assert_eq!(
        t.events()[1].outcome(),
        Some(&Outcome::Panicked("index out of bounds".into()))
    );
    assert!(t.text().ends_with("= panicked: index out of bounds\n"));
}

#[test]
fn a_call_that_unwinds_is_recorded_as_panicked_and_the_trace_stays_usable() {
    let t = Trace::new();
    let t2 = t.clone();
    let result = std::panic::catch_unwind(move || {
        let _call = t2.begin_call(Party::Mapi, lib(), "Shutdown", "");
        panic!("provider bug");
    });
    assert!(result.is_err());
    assert!(t.text().contains("Shutdown() = panicked"));
    // Depth went back to zero.
    t.record(EventKind::Note {
        by: Party::Client,
        text: "after".into(),
    });
    assert_eq!(t.events()[1].depth, 0);
}

#[test]
fn finish_result_summarises_success_and_names_errors() {
    let t = Trace::new();
    let ok: Result<u32, MapiError> = Ok(5);
    t.begin_call(Party::Client, Party::Mapi, "A", "")
        .finish_result(&ok, |v| format!("value {v}"));
    let err: Result<u32, MapiError> = Err(MapiError::NotInitialized);
    t.begin_call(Party::Client, Party::Mapi, "B", "")
        .finish_result(&err, |v| format!("value {v}"));
    assert_eq!(
        t.text(),
        "   1 client -> MAPI: A() = S_OK; value 5\n   2 client -> MAPI: B() = MAPI_E_NOT_INITIALIZED (0x80040605)\n"
    );
    assert_eq!(t.calls_of("B").len(), 1);
    assert_eq!(
        t.event(EventId(2)).and_then(|e| e.method().map(str::to_owned)),
        Some("B".into())
    );
    assert_eq!(t.event(EventId(0)), None);
    assert_eq!(t.event(EventId(3)), None);
}

#[test]
fn lines_around_an_event_mark_it() {
    let t = scenario();
    assert_eq!(
        t.lines_around(EventId(6), 1, 1),
        concat!(
            "    5     SMPMS32.DLL -> IMAPISupport#3: AddRef() = 2\n",
            ">   6 client -> IMsgStore#5: StoreLogoff(LOGOFF_ORDERLY) = MAPI_E_INVALID_OBJECT (0x80040108)\n",
            "    7 spooler -> IMsgStore#5: Release() = 1\n",
        )
    );
    assert_eq!(t.lines_around(EventId(1), 5, 0).lines().count(), 1);
    assert_eq!(t.lines_around(EventId(11), 0, 5).lines().count(), 1);
    assert_eq!(t.lines_around(EventId(0), 1, 1), "");
}

#[test]
fn calls_on_other_threads_do_not_nest_under_this_threads_calls() {
    let t = Trace::new();
    let outer = t.begin_call(Party::Client, Party::Mapi, "Outer", "");
    let t2 = t.clone();
    std::thread::spawn(move || {
        t2.record(EventKind::Note {
            by: Party::Spooler,
            text: "on its own thread".into(),
        });
    })
    .join()
    .unwrap();
    t.record(EventKind::Note {
        by: Party::Mapi,
        text: "nested".into(),
    });
    outer.finish(Status::Ok, "");
    let depths: Vec<u16> = t.events().iter().map(|e| e.depth).collect();
    assert_eq!(depths, vec![0, 0, 1]);
}

/// Records `n` notes, with a violation as event `at` (if within range).
fn notes_with_violation(trace: &Trace, n: u64, at: u64) {
    for i in 1..=n {
        if i == at {
            trace.record(EventKind::Violation {
                rule: "CLIENT-LOGOFF",
                text: "the session was released without Logoff".into(),
                advisory: false,
            });
        } else {
            trace.record(EventKind::Note {
                by: Party::Mapi,
                text: format!("step {i}").into(),
            });
        }
    }
}

#[test]
fn a_bounded_trace_keeps_the_last_events_and_every_excerpt() {
    let bounded = Trace::with_limit(8);
    let full = Trace::new();
    notes_with_violation(&bounded, 100, 50);
    notes_with_violation(&full, 100, 50);
    // Event numbers count every event; the trace holds the last 8 and the excerpt 46..=52.
    assert_eq!(bounded.len(), 100);
    assert_eq!(bounded.held(), 8 + 7);
    assert_eq!(bounded.limit(), Some(8));
    let held: Vec<u64> = bounded.events().iter().map(|e| e.id.0).collect();
    let expected: Vec<u64> = (46..=52).chain(93..=100).collect();
    assert_eq!(held, expected);
    // The excerpt a report prints is the same as with every event kept.
    assert_eq!(
        bounded.lines_around(EventId(50), 4, 2),
        full.lines_around(EventId(50), 4, 2)
    );
    assert!(bounded.event(EventId(10)).is_none());
    assert_eq!(bounded.event(EventId(47)), full.event(EventId(47)));
    // The text marks what it did not keep.
    let text = bounded.text();
    assert!(
        text.starts_with("   … 45 events not kept\n  46 MAPI: note: step 46\n"),
        "{text}"
    );
    assert!(text.contains("  52 MAPI: note: step 52\n   … 40 events not kept\n  93 MAPI: note: step 93\n"));
    assert_eq!(text.lines().count(), 15 + 2);
    // A limit below the excerpt's reach is raised to 8.
    assert_eq!(Trace::with_limit(1).limit(), Some(8));
}

#[test]
fn a_bounded_trace_finishes_a_call_it_still_holds_and_forgets_one_it_dropped() {
    let trace = Trace::with_limit(8);
    let outer = trace.begin_call(Party::Client, Party::Mapi, "MAPILogonEx", "\"Default\"");
    let inner = trace.begin_call(Party::Mapi, lib(), "MSProviderInit", "");
    notes_with_violation(&trace, 20, 0);
    inner.finish(Status::Ok, "IMSProvider#2");
    outer.finish(Status::Ok, "IMAPISession#1");
    // Both calls fell out of the window: finishing them changed nothing held, and nothing broke.
    assert_eq!(trace.len(), 22);
    assert_eq!(trace.held(), 8);
    let last = trace.begin_call(Party::Client, Party::Mapi, "MAPIUninitialize", "");
    last.finish(Status::Ok, "");
    assert!(
        trace
            .text()
            .ends_with("  23 client -> MAPI: MAPIUninitialize() = S_OK\n")
    );
}

#[test]
fn texts_compare_and_print_as_their_text() {
    use mapisim::trace::Text;
    assert_eq!(Text::from("IMSLogon#9"), Text::from(String::from("IMSLogon#9")));
    assert_eq!(Text::from_static("all"), "all");
    assert!(Text::EMPTY.is_empty());
    assert!(!Text::from("x").is_empty());
    assert_eq!(format!("{:?}", Text::from("a \"b\"")), "\"a \\\"b\\\"\"");
    let t = Trace::new();
    let call = t.begin_call(Party::Client, Party::Mapi, "GetProps", Text::from_static("all"));
    call.finish(Status::Ok, String::from("7 property values in buffer 1"));
    assert_eq!(
        t.text(),
        "   1 client -> MAPI: GetProps(all) = S_OK; 7 property values in buffer 1\n"
    );
}
