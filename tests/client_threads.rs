//! Several client threads on one simulator, each running whole store lifecycles in sessions of its
//! own, with the spooler stepped by every thread: the spooler may log on to another thread's store
//! while that thread logs it off, releases it or ends its session. Whatever the interleaving, a
//! correct provider is never blamed (the client only for the sessions it ends holding a store) and
//! nothing is left alive.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use std::sync::Barrier;
use std::thread;

use mapisim::prelude::*;
use mapisim::sample::{SampleConfig, SampleLibrary, SampleStore};

const THREADS: usize = 8;
const LIFECYCLES: usize = 1_000;

/// How one lifecycle ends; the threads take them in turn, so that every ending meets every other.
fn lifecycle(sim: &Simulator, mapi_thread: usize, round: usize) {
    let session = sim.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    match (mapi_thread + round) % 4 {
        0 => {
            // The documented order, with the spooler stepped in between.
            sim.spooler().step();
            store.store_logoff(LogoffFlags::ORDERLY).unwrap();
            drop(store);
            session.logoff(SessionLogoffFlags::empty()).unwrap();
        }
        1 => {
            // Released without StoreLogoff, the spooler run until idle first.
            sim.spooler().run_until_idle();
            drop(store);
            session.logoff(SessionLogoffFlags::empty()).unwrap();
        }
        2 => {
            // StoreLogoff before the spooler ever ran; another thread's spooler may be on it.
            store.store_logoff(LogoffFlags::NO_WAIT).unwrap();
            sim.spooler().run_until_idle();
            drop(store);
            session.logoff(SessionLogoffFlags::empty()).unwrap();
        }
        _ => {
            // The store opened twice, and the session logged off while the client still
            // holds it: the client's mistake, not the provider's.
            let again = session
                .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
                .unwrap();
            sim.spooler().step();
            drop(again);
            session.logoff(SessionLogoffFlags::empty()).unwrap();
            drop(store);
        }
    }
    drop(session);
}

fn soak(behavior: Behavior) {
    let config = SampleConfig::for_behavior(&behavior);
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, move || SampleLibrary::new(config))
        .service(SampleStore::service("SMPMS"))
        .behavior(behavior)
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let start = Barrier::new(THREADS);
    thread::scope(|scope| {
        for t in 0..THREADS {
            let (sim, start) = (&sim, &start);
            scope.spawn(move || {
                let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS).unwrap();
                start.wait();
                for round in 0..LIFECYCLES {
                    lifecycle(sim, t, round);
                }
                mapi.uninitialize().unwrap();
            });
        }
    });
    assert_eq!(sim.spooler().pending(), 0);
    assert_eq!(sim.spooler().held(), 0);
    let sessions = THREADS * LIFECYCLES;
    let report = sim.finish();
    // The only findings: the client's own, once per session logged off with its store held.
    let ids = report.rule_ids();
    assert!(
        ids.iter().all(|id| *id == "CLIENT-RELEASE"),
        "{}",
        report.account()
    );
    assert_eq!(report.count(&rules::CLIENT_RELEASE), sessions / 4);
    assert!(report.advisories().is_empty(), "{}", report.account());
    assert!(report.leaks.is_empty(), "{}", report.leaks);
    assert!(report.loads.unpaired().is_empty());
    // One instance for the service entry when the profile was made, then one for the whole
    // run: MAPI keeps the DLL loaded until the last MAPIUninitialize, however many threads load
    // it at once.
    assert_eq!(
        report.loads.instances(SampleStore::DLL_FILE),
        2,
        "{}",
        report.loads
    );
    let logons = report.trace().calls_of("SpoolerLogon").len();
    assert!(logons > 0, "the spooler logged on to some stores");
    assert_eq!(report.trace().calls_of("MAPILogonEx").len(), sessions);
    assert_eq!(report.trace().calls_of("Shutdown").len(), sessions);
}

#[test]
fn eight_client_threads_with_the_spooler_leave_a_clean_report() {
    soak(Behavior::default());
}

#[test]
fn eight_client_threads_under_the_other_teardown_variants_leave_a_clean_report() {
    soak(
        Behavior::default()
            .with_teardown_cleanup(TeardownCleanup::ProviderInLogoff)
            .with_store_logoff_transports(SltTiming::AtFinalRelease),
    );
}
