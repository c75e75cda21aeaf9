//! Random client scripts (`mapisim::conformance::scripts`) against the bundled samples and the
//! zoo: initialize, logon with and without `MAPI_NO_MAIL`, opening the same or another store with
//! and without `MDB_NO_MAIL`, the address book, a message submitted, spooler steps,
//! `StoreLogoff`, dropping handles, second sessions, session logoff, uninitialize — in any order,
//! misuse included. After every step the reference counts cover the live handles; at the end,
//! once the client has cleaned up, every object is gone and every `LoadLibrary` is paired. A
//! failing script shrinks to a minimal one, printed as code.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod zoo;

use mapisim::conformance::Conformance;
use mapisim::conformance::scripts::ClientOp;
use mapisim::sample::{SampleStore, SampleSuite};
use zoo::{Defect, ZOO_FILE, ZooLibrary, zoo_service};

fn suite() -> Conformance {
    Conformance::new(SampleStore::DLL_FILE, SampleStore::library)
        .mapisvc_inf(SampleSuite::MAPISVC_INF)
        .unwrap()
}

fn zoo(defect: Defect) -> Conformance {
    Conformance::new(ZOO_FILE, move || ZooLibrary::new(defect)).service(zoo_service("ZOO"))
}

#[test]
fn any_client_script_keeps_counts_and_ends_with_nothing_left() {
    let run = suite()
        .run_scripts(512)
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(run.scripts, 512);
    assert!(run.steps > 512 * 10, "{} steps", run.steps);
}

#[test]
fn the_zoo_without_defects_passes_the_scripts_too() {
    zoo(Defect::None)
        .run_scripts(256)
        .unwrap_or_else(|failure| panic!("{failure}"));
}

#[test]
fn a_defect_shrinks_to_a_minimal_script_printed_as_code() {
    let failure = zoo(Defect::SltNever).run_scripts(256).unwrap_err();
    assert_eq!(
        failure.script,
        vec![
            ClientOp::Initialize,
            ClientOp::Logon {
                profile: 0,
                no_mail: false
            },
            ClientOp::Open {
                session: 0,
                store: 0,
                no_mail: false
            },
        ],
        "{failure}"
    );
    assert!(failure.message.contains("SLT-ONCE"), "{failure}");
    assert_eq!(failure.code(), PASTED);
}

/// What the failure above prints, pasted into a test: it reproduces the defect.
const PASTED: &str = "use mapisim::conformance::scripts::ClientOp::*;

let script = [
    Initialize,
    Logon { profile: 0, no_mail: false },
    Open { session: 0, store: 0, no_mail: false },
];
if let Err(failure) = battery.replay(&script) {
    panic!(\"{failure}\");
}
";

#[test]
fn the_pasted_script_reproduces_the_defect_and_passes_on_the_correct_provider() {
    let run = |battery: Conformance| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            use mapisim::conformance::scripts::ClientOp::*;

            let script = [
                Initialize,
                Logon {
                    profile: 0,
                    no_mail: false,
                },
                Open {
                    session: 0,
                    store: 0,
                    no_mail: false,
                },
            ];
            if let Err(failure) = battery.replay(&script) {
                panic!("{failure}");
            }
        }))
    };
    let err = run(zoo(Defect::SltNever)).unwrap_err();
    let message = err.downcast_ref::<String>().unwrap();
    assert!(message.contains("SLT-ONCE"), "{message}");
    assert!(run(zoo(Defect::None)).is_ok());
}
