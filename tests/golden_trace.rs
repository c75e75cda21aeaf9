//! The quickstart's trace, pinned byte for byte in `tests/golden/quickstart.trace`. After a change
//! that alters the trace on purpose, rerun with `MAPISIM_BLESS=1` to rewrite the file, and review
//! the difference.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;

const GOLDEN: &str = "tests/golden/quickstart.trace";

fn quickstart_trace() -> String {
    let sim = quickstart::simulator().unwrap();
    quickstart::lifecycle(&sim).unwrap();
    let report = sim.finish();
    report.assert_clean();
    report.trace().text()
}

#[test]
fn the_quickstart_trace_matches_the_golden_file() {
    let text = quickstart_trace();
    if std::env::var_os("MAPISIM_BLESS").is_some() {
        std::fs::write(GOLDEN, &text).unwrap();
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap();
    assert_eq!(
        text, golden,
        "the quickstart's trace changed; rerun with MAPISIM_BLESS=1 if on purpose"
    );
}

#[test]
fn the_quickstart_trace_is_deterministic() {
    assert_eq!(quickstart_trace(), quickstart_trace());
}

#[test]
fn the_documented_order_appears_in_the_quickstart_trace() {
    let text = quickstart_trace();
    // The address book starts before the store of its service; the transport only once a
    // message is submitted; at session logoff each kind's logoff, release, Shutdown and release;
    // the DLL freed after the last MAPIUninitialize.
    let order = [
        "CreateMsgService(",
        ": ServiceEntry(",
        "LoadLibrary()",
        ": ABProviderInit(",
        "IABProvider#5: Logon(",
        ": MSProviderInit(",
        ": Logon(",
        ": SpoolerLogon(",
        ": OpenAddressBook(",
        "IAddrBook::OpenEntry(",
        ": PrepareSubmit(",
        ": XPProviderInit(",
        ": TransportLogon(",
        ": AddressTypes(",
        ": TransportNotify(NOTIFY_BEGIN_INBOUND|NOTIFY_BEGIN_OUTBOUND)",
        ": SubmitMessage(",
        ": EndMessage(",
        ": StoreLogoff(",
        ": StoreLogoffTransports(",
        "IMSLogon#",
        ": Logoff(0)",
        "IMSProvider#",
        ": Shutdown(",
        "IMAPISession#4: Logoff(",
        "IABLogon#",
        ": Logoff(0)",
        "IABLogon#",
        ": Release()",
        "IABProvider#5: Shutdown(",
        "IABProvider#5: Release()",
        "IXPLogon#",
        ": TransportLogoff(0)",
        "IXPLogon#",
        ": Release()",
        "IXPProvider#",
        ": Shutdown(",
        "IXPProvider#",
        ": Release()",
        "MAPIUninitialize()",
        "FreeLibrary() = 0, unloaded",
    ];
    let mut from = 0;
    for needle in order {
        let at = text[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} missing after byte {from}:\n{text}"));
        from += at + needle.len();
    }
}

/// Many lifecycles on one simulator, then a client misuse, on a simulator that keeps every event
/// and on one with a bounded trace.
fn long_run(limit: Option<usize>) -> mapisim::check::Report {
    use mapisim::prelude::*;
    use mapisim::sample::SampleStore;
    let mut builder = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .mapisvc_inf(SampleStore::MAPISVC_INF)
        .unwrap();
    if let Some(limit) = limit {
        builder = builder.trace_limit(limit);
    }
    let sim = builder.build();
    sim.profiles().create_default("Default").unwrap();
    for _ in 0..40 {
        let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS).unwrap();
        let session = mapi.logon_ex("Default", LogonFlags::EXTENDED).unwrap();
        let row = session.msg_stores_table().unwrap().default_store().unwrap();
        let store = session
            .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
            .unwrap();
        sim.spooler().run_until_idle();
        store.store_logoff(LogoffFlags::ORDERLY).unwrap();
        drop(store);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        drop(session);
        mapi.uninitialize().unwrap();
    }
    // One MAPIUninitialize too many (CLIENT-INITIALIZED), then a logon and logoff after it.
    assert!(sim.uninitialize().is_err());
    logon_and_logoff(&sim);
    sim.finish()
}

fn logon_and_logoff(sim: &mapisim::Simulator) {
    use mapisim::prelude::*;
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS).unwrap();
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED).unwrap();
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
}

#[test]
fn a_bounded_trace_keeps_memory_flat_and_the_report_reads_the_same() {
    let full = long_run(None);
    let bounded = long_run(Some(16));
    assert_eq!(full.trace().len(), bounded.trace().len());
    assert!(full.trace().len() > 40 * 45, "{}", full.trace().len());
    assert!(bounded.trace().held() <= 16 + 7 * bounded.violations.len());
    assert!(!bounded.violations.is_empty());
    let account = bounded.account();
    assert!(
        account.contains("CLIENT-INITIALIZED") && account.contains("trace around event"),
        "{account}"
    );
    assert_eq!(full.account(), account);
    // The library ledger keeps its newest records only; its sums still count every one.
    assert!(bounded.loads.records.len() < full.loads.records.len());
    assert!(bounded.loads.records_not_kept() > 0);
    assert_eq!(
        bounded.loads.records.len() + bounded.loads.records_not_kept(),
        full.loads.records.len()
    );
    assert_eq!(full.loads.loads(), bounded.loads.loads());
    assert_eq!(full.loads.frees(), bounded.loads.frees());
    assert_eq!(full.loads.unpaired(), bounded.loads.unpaired());
    assert_eq!(
        full.loads.unpaired_by(&mapisim::trace::Party::Mapi),
        bounded.loads.unpaired_by(&mapisim::trace::Party::Mapi)
    );
    assert_eq!(
        full.loads.instances("SMPMS32.DLL"),
        bounded.loads.instances("smpms32.dll")
    );
    assert!(full.loads.instances("SMPMS32.DLL") > 40);
    assert!(bounded.loads.to_string().starts_with("… "));
}
