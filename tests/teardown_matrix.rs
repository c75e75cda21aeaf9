//! MAPI's teardown of a store logon, in every way it can start, for both places a correct provider
//! may release its support object, under every documented teardown variant. MAPI's teardown never
//! runs nested inside a provider call MAPI is making, MAPI's own references are never counted
//! against the provider, and `Shutdown` always comes after the logon object is gone. (Every
//! combination of the other settings is the table of `every_reading.rs`.)

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod zoo;

use mapisim::check::Bound;
use mapisim::object::InterfaceKind;
use mapisim::prelude::*;
use mapisim::sample::{SampleConfig, SampleLibrary, SampleStore};
use mapisim::trace::{Event, EventKind};
use zoo::Ending;

/// Where the provider releases the support object it AddRef'd at `Logon`.
#[derive(Clone, Copy, Debug)]
enum Pattern {
    /// The store keeps it and its final release releases it (shutting-down-a-message-store-provider).
    StoreRelease,
    /// `IMSLogon::Logoff` releases it (shutting-down-a-service-provider); a store released before
    /// any `Logoff` releases it itself.
    LogoffRelease,
}

const PATTERNS: [Pattern; 2] = [Pattern::StoreRelease, Pattern::LogoffRelease];
const CLEANUPS: [TeardownCleanup; 2] = [
    TeardownCleanup::MapiInSupportRelease,
    TeardownCleanup::ProviderInLogoff,
];
const TIMINGS: [SltTiming; 2] = [SltTiming::InStoreLogoff, SltTiming::AtFinalRelease];

fn run(pattern: Pattern, ending: Ending, cleanup: TeardownCleanup, timing: SltTiming) -> Report {
    let behavior = Behavior::default()
        .with_teardown_cleanup(cleanup)
        .with_store_logoff_transports(timing);
    let config = SampleConfig {
        store_logoff_transports: timing,
        release_support_in_logoff: matches!(pattern, Pattern::LogoffRelease),
    };
    run_with(behavior, config, ending)
}

fn run_with(behavior: Behavior, config: SampleConfig, ending: Ending) -> Report {
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, move || SampleLibrary::new(config))
        .service(SampleStore::service("SMPMS"))
        .behavior(behavior)
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    zoo::store_life(sim, "P", ending)
}

/// The calls open when event `index` was recorded (its ancestors in the trace), innermost first.
fn open_calls(events: &[Event], index: usize) -> Vec<&Event> {
    let mut out = Vec::new();
    let mut depth = events[index].depth;
    for e in events[..index].iter().rev() {
        if depth == 0 {
            break;
        }
        if e.depth < depth && matches!(e.kind, EventKind::Call { .. }) {
            out.push(e);
            depth = e.depth;
        }
    }
    out
}

/// The documented order after `Logoff` returns: MAPI's release of the logon object (which
/// destroys it), `Shutdown`, MAPI's release of the provider object; none of it inside a provider
/// call that MAPI is making.
#[track_caller]
fn assert_shutdown_after_logons(report: &Report, cell: &str) {
    let events = report.trace().events();
    let logoffs: Vec<usize> = positions(&events, "Logoff", "IMSLogon");
    let shutdowns: Vec<usize> = positions(&events, "Shutdown", "IMSProvider");
    assert_eq!(
        logoffs.len(),
        1,
        "{cell}: one IMSLogon::Logoff\n{}",
        report.trace()
    );
    assert_eq!(shutdowns.len(), 1, "{cell}: one Shutdown\n{}", report.trace());
    let logon_gone = events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Destroyed { object, .. } if object.kind == InterfaceKind::MsLogon))
        .unwrap_or_else(|| panic!("{cell}: the logon object is never destroyed\n{}", report.trace()));
    let (logoff, shutdown) = (logoffs[0], shutdowns[0]);
    assert!(
        logoff < logon_gone && logon_gone < shutdown,
        "{cell}: Logoff #{}, logon destroyed #{}, Shutdown #{}\n{}",
        logoff + 1,
        logon_gone + 1,
        shutdown + 1,
        report.trace()
    );
    for at in [logon_gone, shutdown] {
        let nested: Vec<String> = open_calls(&events, at)
            .into_iter()
            .filter(|e| match &e.kind {
                EventKind::Call {
                    caller: Party::Mapi | Party::Spooler,
                    target: Party::Object(label),
                    method,
                    ..
                } => {
                    method != "Release"
                        && matches!(
                            label.kind,
                            InterfaceKind::MsLogon | InterfaceKind::MsProvider | InterfaceKind::MsgStore
                        )
                }
                _ => false,
            })
            .map(ToString::to_string)
            .collect();
        assert!(
            nested.is_empty(),
            "{cell}: event #{} runs inside a provider call of MAPI's: {nested:?}\n{}",
            at + 1,
            report.trace()
        );
    }
}

/// Indices of the calls of `method` on objects of the interface named `interface`.
fn positions(events: &[Event], method: &str, interface: &str) -> Vec<usize> {
    events
        .iter()
        .enumerate()
        .filter(|(_, e)| match &e.kind {
            EventKind::Call {
                target: Party::Object(label),
                method: m,
                ..
            } => m == method && label.kind.name() == interface,
            _ => false,
        })
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn a_correct_provider_is_clean_however_its_teardown_starts() {
    let mut failures = Vec::new();
    for pattern in PATTERNS {
        for ending in Ending::TEARDOWNS {
            for cleanup in CLEANUPS {
                for timing in TIMINGS {
                    let cell = format!("{pattern:?} × {ending:?} × {cleanup:?} × {timing:?}");
                    let report = run(pattern, ending, cleanup, timing);
                    let provider: Vec<String> = report
                        .violations
                        .iter()
                        .filter(|v| v.rule.bound == Bound::Provider)
                        .map(ToString::to_string)
                        .collect();
                    let client: Vec<&str> = report
                        .violations
                        .iter()
                        .filter(|v| v.rule.bound == Bound::Client)
                        .map(|v| v.rule.id)
                        .collect();
                    if !provider.is_empty() || client != ending.client_rules() {
                        failures.push(format!("{cell}:\n{}", report.account()));
                        continue;
                    }
                    assert_shutdown_after_logons(&report, &cell);
                    assert!(report.leaks.is_empty(), "{cell}: {}", report.leaks);
                    assert!(report.loads.unpaired().is_empty(), "{cell}");
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 32 cells blame the provider:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
