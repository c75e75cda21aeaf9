//! The fault plan's call faults: a support call failing with its documented error, a provider
//! call failing or panicking without running, and the counts a fault loop starts from.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use mapisim::check::rules;
use mapisim::prelude::*;
use mapisim::runtime::{FaultPlan, Mapi, documented_support_error};
use mapisim::sample::SampleStore;

fn simulator(plan: FaultPlan) -> Simulator {
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(SampleStore::service("SMPMS"))
        .fault_plan(plan)
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    sim
}

fn open(sim: &Simulator) -> (Mapi, Session, MapiResult<StoreHandle>) {
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE);
    (mapi, session, store)
}

fn close(mapi: Mapi, session: Session, store: Option<StoreHandle>, flags: LogoffFlags) -> Vec<MapiError> {
    let mut errors = Vec::new();
    if let Some(store) = store
        && let Err(e) = store.store_logoff(flags)
    {
        errors.push(e);
    }
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    errors
}

#[test]
fn a_counting_plan_counts_support_and_provider_calls_by_name() {
    let sim = simulator(FaultPlan::new().counting());
    let (mapi, session, store) = open(&sim);
    close(mapi, session, store.ok(), LogoffFlags::ORDERLY);
    let points = sim.fault_points();
    assert_eq!(points.provider_calls["Logon"], 1);
    assert_eq!(points.provider_calls["StoreLogoff"], 1);
    assert_eq!(points.support_calls["SetProviderUID"], 1);
    assert_eq!(points.support_calls["StoreLogoffTransports"], 1);
    assert!(points.allocations > 0);
    assert_eq!(
        points.len(),
        points.allocations
            + points.support_calls.values().sum::<u64>()
            + points.provider_calls.values().sum::<u64>()
    );
    sim.finish().assert_clean();
    // Without counting, only allocations are known.
    let sim = simulator(FaultPlan::new());
    let (mapi, session, store) = open(&sim);
    close(mapi, session, store.ok(), LogoffFlags::ORDERLY);
    assert!(sim.fault_points().support_calls.is_empty());
    assert!(sim.fault_points().provider_calls.is_empty());
}

#[test]
fn a_failed_support_call_reaches_the_provider_which_passes_it_on() {
    let error = documented_support_error("SetProviderUID");
    assert_eq!(error, MapiError::CallFailed);
    let sim = simulator(FaultPlan::new().fail_support_call("SetProviderUID", 1, error));
    let (mapi, session, store) = open(&sim);
    assert_eq!(store.as_ref().err(), Some(&MapiError::CallFailed));
    close(mapi, session, store.ok(), LogoffFlags::ORDERLY);
    let report = sim.finish();
    report.assert_clean();
    let text = report.trace().text();
    assert!(
        text.contains("the fault plan fails the 1st call of SetProviderUID with MAPI_E_CALL_FAILED"),
        "{text}"
    );
    assert!(
        text.contains("SetProviderUID(") && text.contains("= MAPI_E_CALL_FAILED"),
        "{text}"
    );
}

/// The false alarm the battery found: a store whose `StoreLogoff` got a failed
/// `StoreLogoffTransports`, passed the failure on, and called it again from its final release,
/// was blamed for two calls (or, released without `StoreLogoff`, for none). The failed call
/// kept the store logged on, as a refusal does.
#[test]
fn a_failed_store_logoff_transports_counts_as_the_call_that_kept_the_store_open() {
    for flags in [LogoffFlags::ORDERLY, LogoffFlags::NO_WAIT] {
        let sim =
            simulator(FaultPlan::new().fail_support_call("StoreLogoffTransports", 1, MapiError::CallFailed));
        let (mapi, session, store) = open(&sim);
        let store = store.unwrap();
        assert_eq!(store.store_logoff(flags), Err(MapiError::CallFailed));
        drop(store);
        close(mapi, session, None, flags);
        let report = sim.finish();
        assert!(!report.fired(&rules::SLT_ONCE), "{}", report.account());
        report.assert_clean();
        assert_eq!(report.trace().calls_of("StoreLogoffTransports").len(), 2);
    }
    // Released without StoreLogoff: the one call fails, and that is the call.
    let sim =
        simulator(FaultPlan::new().fail_support_call("StoreLogoffTransports", 1, MapiError::CallFailed));
    let (mapi, session, store) = open(&sim);
    drop(store);
    close(mapi, session, None, LogoffFlags::ORDERLY);
    sim.finish().assert_clean();
}

#[test]
fn a_provider_call_can_fail_without_running_and_mapi_handles_the_answer() {
    // MAPI_E_UNCONFIGURED: MAPI configures the service and logs on again.
    let sim = simulator(FaultPlan::new().fail_provider_call("Logon", 1, MapiError::Unconfigured));
    let (mapi, session, store) = open(&sim);
    assert!(store.is_ok(), "{:?}", store.as_ref().err());
    close(mapi, session, store.ok(), LogoffFlags::ORDERLY);
    let report = sim.finish();
    report.assert_clean();
    assert_eq!(report.trace().calls_of("Logon").len(), 2);
    assert!(report.trace().text().contains("SMPMS32.DLL's code does not run"));
    // MAPI_E_LOGON_FAILED reaches the client; the provider is shut down cleanly.
    let sim = simulator(FaultPlan::new().fail_provider_call("Logon", 1, MapiError::LogonFailed));
    let (mapi, session, store) = open(&sim);
    assert_eq!(store.as_ref().err(), Some(&MapiError::LogonFailed));
    close(mapi, session, None, LogoffFlags::ORDERLY);
    sim.finish().assert_clean();
}

#[test]
fn an_injected_panic_is_the_providers_and_the_simulator_goes_on() {
    let sim = simulator(FaultPlan::new().panic_provider_call("Logon", 1));
    let (mapi, session, store) = open(&sim);
    assert_eq!(store.as_ref().err(), Some(&MapiError::CallFailed));
    close(mapi, session, None, LogoffFlags::ORDERLY);
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["PROVIDER-PANIC"], "{}", report.account());
    let v = &report.violations[0];
    assert_eq!(v.by, Party::Library("SMPMS32.DLL".into()));
    assert!(
        v.message
            .contains("the fault plan panics in the 1st call of Logon"),
        "{}",
        v.message
    );
    assert!(report.leaks.is_empty(), "{}", report.leaks);
    assert!(report.loads.unpaired().is_empty());
}
