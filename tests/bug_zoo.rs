//! The bug zoo: for every rule of the catalogue, a broken provider (or a misbehaving client) that
//! makes exactly that rule fire, while the sample provider and the zoo without defects fire none.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod zoo;

use mapisim::check::{Basis, Bound, rules};
use mapisim::prelude::*;
use mapisim::sample::{SampleConfig, SampleLibrary, SampleStore};
use zoo::{Defect, builder, open_default, run_lifecycle, simulator, zoo_profile};

/// The rule ids this file proves, checked against the catalogue below.
const PROVEN: &[&str] = &[
    "LIB-FILE-NAME",
    "LIB-EXPORT",
    "LIB-UNLOAD-LIVE",
    "LIB-LOAD-PAIRED",
    "INIT-NEW-OBJECT",
    "INIT-VERSION",
    "INIT-VERSION-RANGE",
    "LOGON-ADDREF-SUPPORT",
    "AB-LOGON-ADDREF-SUPPORT",
    "AB-LOGON-SECURITY",
    "XP-LOGON-ADDREF-SUPPORT",
    "XP-STATUS-ROW",
    "XP-INBOUND-ENTRYID",
    "XP-STARTMESSAGE-ERROR",
    "XP-SUBMIT-RETURN-PARM",
    "STORE-READYTOSEND",
    "CLIENT-NO-MAIL-SEND",
    "LOGON-OBJECTS",
    "LOGON-FAIL-CLEAN",
    "LOGON-REUSE-NO-LOGON",
    "LOGON-REUSE-SAME-STORE",
    "LOGON-REUSE-NO-ADDREF",
    "LOGON-REUSE-NO-SETUP",
    "LOGON-ENTRYID",
    "LOGON-REGISTER-UID",
    "LOGON-PROFILE-PROPS",
    "LOGON-NO-DIALOG",
    "LOGON-STATUS-ROW",
    "LOGON-SPOOL-SECURITY",
    "LOGON-NO-SPOOLER-NOTIFY",
    "STORE-REQUIRED-PROPS",
    "STORE-WRAPPED-ENTRYID",
    "STORE-RELEASES-SUPPORT",
    "SPOOLER-SAME-OBJECTS",
    "SPOOLER-LOGON",
    "COMPARE-STORE-IDS",
    "COMPARE-STORE-IDS-NO-STORE",
    "SPOOLER-NOTIFY-FLAGS",
    "SLT-ONCE",
    "SLT-SAVED-FLAG",
    "SLT-OUTPUT-ACTED",
    "SLT-TIMING",
    "LOGON-RELEASED",
    "TEARDOWN-ROW-UIDS",
    "PROVIDER-RELEASED",
    "SESSION-LEAK",
    "SERVICE-ENTRY-EXPORT",
    "SERVICE-DELETE-OK",
    "SERVICE-UI-ALLOWED",
    "PROFILE-READ-ONLY",
    "UID-HARD-CODED",
    "PROVIDER-PANIC",
    "SUPPORT-FLAGS",
    "CLIENT-INITIALIZED",
    "CLIENT-INIT-BALANCED",
    "CLIENT-LOGOFF",
    "CLIENT-RELEASE",
    "CLIENT-SESSION-ENDED",
    "CLIENT-STORELOGOFF-FLAG",
    "CLIENT-UNADVISE",
    "CLIENT-MAPI-EXTENDED",
    "CLIENT-NT-SERVICE-ONLY",
    "CLIENT-LOGOFF-SHARED",
    "CLIENT-STORE-AFTER-LOGOFF",
    "MEM-FREE-LINKED",
    "MEM-DOUBLE-FREE",
    "MEM-FOREIGN-FREE",
    "MEM-USE-AFTER-FREE",
    "MEM-MORE-ROOT",
    "MEM-NOT-OWNER",
    "MEM-OUT-ROOT",
    "MEM-LEAK",
    "MALLOC-RELEASE",
    "OVER-RELEASE",
    "MALLOC-HELD",
    "LOGON-INTERFACE",
    "LOGON-MAPIERROR",
    "CLIENT-FAST-SHUTDOWN-ORDER",
    "CLIENT-AFTER-FAST-SHUTDOWN",
    "COM-QI-IUNKNOWN",
    "COM-QI-REFLEXIVE",
    "COM-QI-SYMMETRIC",
    "COM-QI-TRANSITIVE",
    "COM-QI-STABLE",
    "COM-QI-NOINTERFACE",
    "SERVICE-PROVIDER-NO-UI",
    "SERVICE-NT-FLAG",
    "SERVICE-NO-MAIL",
    "SERVICE-NO-UI",
    "NOTIFY-PUMP",
    "OLE-UNINIT-ORDER",
    "COM-NO-COINIT",
];

#[test]
fn every_rule_of_the_catalogue_has_a_bug_zoo_test() {
    let catalogue: Vec<&str> = rules::ALL.iter().map(|r| r.id).collect();
    for id in &catalogue {
        assert!(PROVEN.contains(id), "rule {id} has no bug-zoo test");
    }
    for id in PROVEN {
        assert!(catalogue.contains(id), "{id} is not in the catalogue");
    }
    // Ids are unique; every rule has its statement, its page, the sentence of the page it rests
    // on, and its basis (a contested one names the setting that chooses).
    for (i, r) in rules::ALL.iter().enumerate() {
        assert!(rules::ALL[i + 1..].iter().all(|o| o.id != r.id), "{} twice", r.id);
        assert!(!r.statement.is_empty() && !r.page.is_empty());
        assert!(r.url().starts_with("https://"), "{}", r.url());
        assert!(r.quote.len() > 20, "{} has no quote", r.id);
        match r.basis {
            Basis::Stated => {}
            Basis::Derived(from) => assert!(!from.is_empty(), "{}", r.id),
            Basis::Contested(setting) => assert!(setting.starts_with("Behavior::"), "{}", r.id),
        }
        assert_eq!(rules::by_id(r.id), Some(*r));
    }
}

/// Runs the standard lifecycle with a defect and returns the report.
fn lifecycle(defect: Defect) -> Report {
    lifecycle_under(defect, Behavior::default())
}

/// [`lifecycle`] under `behavior`.
fn lifecycle_under(defect: Defect, behavior: Behavior) -> Report {
    let sim = builder(defect).behavior(behavior).build();
    run_lifecycle(&sim);
    sim.finish()
}

#[track_caller]
fn assert_fires(report: &Report, rule: &Rule) {
    assert!(
        report.fired(rule),
        "expected {} to fire; the report says:\n{}",
        rule.id,
        report.account()
    );
}

#[test]
fn the_sample_and_the_defect_free_zoo_break_nothing() {
    let report = lifecycle(Defect::None);
    report.assert_clean();
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(SampleStore::service("SMPMS"))
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    sim.spooler().run_until_idle();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn lib_file_name_fires_when_the_dll_is_registered_without_its_32() {
    let sim = Simulator::builder()
        .library("ZOO.DLL", || zoo::ZooLibrary::new(Defect::None))
        .service(zoo::zoo_service("ZOO"))
        .build();
    // Adding the service calls its entry point, in the DLL MAPI cannot find.
    let profile = sim.profiles().create("Zoo").unwrap();
    assert_eq!(profile.add_service("ZOO").unwrap_err(), MapiError::NotFound);
    let report = sim.finish();
    assert_fires(&report, &rules::LIB_FILE_NAME);
    let v = &report.violations[0];
    assert!(v.message.contains("\"ZOO32.DLL\""), "{}", v.message);
    assert!(
        v.message.contains("a DLL is registered as ZOO.DLL"),
        "{}",
        v.message
    );
    assert_eq!(report.rule_ids(), vec!["LIB-FILE-NAME"]);
}

#[test]
fn lib_export_fires_for_a_dll_without_msproviderinit() {
    let report = lifecycle(Defect::NoExport);
    assert_fires(&report, &rules::LIB_EXPORT);
    assert_eq!(report.rule_ids(), vec!["LIB-EXPORT"]);
    // The load it made for nothing was paired.
    assert!(report.loads.unpaired().is_empty());
}

#[test]
fn client_init_balanced_alone_reports_a_client_that_never_uninitializes() {
    let sim = simulator(Defect::None);
    zoo_profile(&sim, "Zoo");
    let _mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = sim.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    let report = sim.finish();
    // One defect, one finding: the loads MAPI never freed are its consequence, noted.
    assert_eq!(
        report.rule_ids(),
        vec!["CLIENT-INIT-BALANCED"],
        "{}",
        report.account()
    );
    assert_eq!(report.loads.unpaired().len(), 1);
    assert!(
        report
            .trace()
            .text()
            .contains("MAPI never freed its loads of ZOO32.DLL (1)")
    );
}

#[test]
fn lib_unload_live_and_session_leak_fire_for_a_reference_cycle() {
    let report = lifecycle(Defect::Cycle);
    assert_fires(&report, &rules::LIB_UNLOAD_LIVE);
    assert_fires(&report, &rules::SESSION_LEAK);
    // The cycle is named in the leak report.
    assert_eq!(report.leaks.cycles.len(), 1);
    assert!(report.leaks.to_string().contains("hold each other"));
}

#[test]
fn lib_load_paired_fires_when_a_provider_never_frees_a_dll_it_loaded() {
    let report = lifecycle(Defect::LoadsAndForgets);
    assert_eq!(report.rule_ids(), vec!["LIB-LOAD-PAIRED"], "{}", report.account());
    assert_eq!(report.violations[0].by, Party::Library("ZOO32.DLL".into()));
    // MAPI's own loads are paired: the one left is the provider's.
    assert!(report.loads.unpaired_by(&Party::Mapi).is_empty());
    assert_eq!(
        report
            .loads
            .unpaired_by(&Party::Library("ZOO32.DLL".into()))
            .len(),
        1
    );
}

#[test]
fn init_new_object_alone_reports_a_singleton_provider() {
    let sim = simulator(Defect::SingletonProvider);
    zoo_profile(&sim, "Zoo1");
    zoo_profile(&sim, "Zoo2");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let first = mapi.logon_ex("Zoo1", LogonFlags::EXTENDED).unwrap();
    let second = mapi.logon_ex("Zoo2", LogonFlags::EXTENDED).unwrap();
    let a = open_default(&first, OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL).unwrap();
    let b = open_default(&second, OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL).unwrap();
    // Session 1 ends while session 2 still uses the same provider object.
    a.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(a);
    first.logoff(SessionLogoffFlags::empty()).unwrap();
    // Session 2 keeps calling the provider object that was shut down.
    let again = open_default(&second, OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL);
    drop(again);
    drop(b);
    second.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert_fires(&report, &rules::INIT_NEW_OBJECT);
    // What it leads MAPI into (a Shutdown while another session uses the object, a call after
    // its Shutdown) is noted, not reported again under rules of its own.
    let text = report.trace().text();
    assert!(
        text.contains("is shut down while logons of another session still use it"),
        "{text}"
    );
    assert!(text.contains("whose Shutdown was already called"), "{text}");
}

#[test]
fn init_version_fires_for_a_provider_newer_than_mapi() {
    let report = lifecycle(Defect::NewerVersion);
    assert_fires(&report, &rules::INIT_VERSION);
    assert_eq!(report.rule_ids(), vec!["INIT-VERSION"]);
}

/// The lifecycle of the zoo with `defect` under MAPI's SPI version `mapi`.
fn lifecycle_at(defect: Defect, mapi: SpiVersion) -> Report {
    let sim = builder(defect)
        .behavior(Behavior::default().with_mapi_spi_version(mapi))
        .build();
    run_lifecycle(&sim);
    sim.finish()
}

#[test]
fn init_version_range_fires_for_an_entry_point_that_refuses_a_newer_mapi() {
    let newer = SpiVersion(0x0001_0020);
    let report = lifecycle_at(Defect::RejectsNewerMapi, newer);
    assert_eq!(
        report.rule_ids(),
        vec!["INIT-VERSION-RANGE"],
        "{}",
        report.account()
    );
    assert!(report.account().contains("the provider's is 0.1.16"));
    // The same provider under the MAPI it was written for, and a provider that checks a range
    // under the newer MAPI, are right.
    lifecycle_at(Defect::RejectsNewerMapi, SpiVersion::CURRENT).assert_clean();
    lifecycle_at(Defect::None, newer).assert_clean();
    // Under an older MAPI, refusing is the right answer: no violation, and the store cannot open.
    for defect in [Defect::None, Defect::RejectsNewerMapi] {
        let report = lifecycle_at(defect, SpiVersion::PDK2);
        report.assert_clean();
        assert!(report.trace().text().contains("MSProviderInit(ZOO32.DLL"));
        assert!(report.trace().text().contains("MAPI_E_VERSION"));
        assert!(report.trace().text().contains("newer than MAPI's 0.1.8"));
    }
}

#[test]
fn logon_addref_support_fires_without_an_addref_and_not_for_two() {
    let report = lifecycle(Defect::NoSupportAddRef);
    assert_fires(&report, &rules::LOGON_ADDREF_SUPPORT);
    // Two references, both released by the store's final release: the pages ask for an AddRef,
    // not for exactly one.
    lifecycle(Defect::TwoSupportRefsInStore).assert_clean();
    // Two references, one kept by the logon object, which its Logoff never releases: what
    // breaks is who releases the support object (by the generic page, the default: Logoff), not
    // the AddRef.
    let report = lifecycle(Defect::DoubleSupportAddRef);
    assert!(
        !report.fired(&rules::LOGON_ADDREF_SUPPORT),
        "{}",
        report.account()
    );
    assert_fires(&report, &rules::TEARDOWN_ROW_UIDS);
}

#[test]
fn logon_objects_fires_without_a_logon_object() {
    let sim = simulator(Defect::NoLogonObject);
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    assert_eq!(
        open_default(&session, OpenStoreFlags::WRITE).unwrap_err(),
        MapiError::CallFailed
    );
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    assert_fires(&sim.finish(), &rules::LOGON_OBJECTS);
}

#[test]
fn logon_fail_clean_fires_when_a_failed_logon_keeps_the_support_object() {
    let report = lifecycle(Defect::FailKeepsSupport);
    assert_fires(&report, &rules::LOGON_FAIL_CLEAN);
}

/// Opens the zoo store twice in one session (the second open reuses it) and tears down.
fn reopen(defect: Defect) -> Report {
    reopen_with(defect, Behavior::default())
}

/// [`reopen`] under `behavior`.
fn reopen_with(defect: Defect, behavior: Behavior) -> Report {
    let sim = builder(defect).behavior(behavior).build();
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let first = open_default(&session, OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL).unwrap();
    let again = open_default(&session, OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL);
    let _ = first.store_logoff(LogoffFlags::ORDERLY);
    drop(again);
    drop(first);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    sim.finish()
}

#[test]
fn the_reuse_rules_fire_each_for_its_defect() {
    assert!(
        reopen(Defect::None).is_clean(),
        "{}",
        reopen(Defect::None).account()
    );
    // The existing logon object on a reuse: right by the loading page (the default), wrong by
    // imsprovider-logon; a new logon object is wrong by both.
    reopen(Defect::ReuseReturnsLogon).assert_clean();
    let null = Behavior::default().with_reuse_logon(ReuseLogon::Null);
    let report = reopen_with(Defect::ReuseReturnsLogon, null.clone());
    assert_eq!(
        report.rule_ids(),
        vec!["LOGON-REUSE-NO-LOGON"],
        "{}",
        report.account()
    );
    assert!(report.account().contains("the behaviour in effect wants none"));
    for behavior in [Behavior::default(), null] {
        let report = reopen_with(Defect::ReuseReturnsNewLogon, behavior);
        assert_fires(&report, &rules::LOGON_REUSE_NO_LOGON);
        assert!(report.account().contains("a new logon object"));
    }
    assert_fires(
        &reopen(Defect::ReuseReturnsOtherStore),
        &rules::LOGON_REUSE_SAME_STORE,
    );
    assert_fires(
        &reopen(Defect::ReuseAddRefsSupport),
        &rules::LOGON_REUSE_NO_ADDREF,
    );
    assert_fires(&reopen(Defect::ReuseRegistersUid), &rules::LOGON_REUSE_NO_SETUP);
    assert_fires(
        &reopen(Defect::ReuseReturnsSpoolData),
        &rules::LOGON_REUSE_NO_SETUP,
    );
    assert_fires(&reopen(Defect::ReuseOpensSection), &rules::LOGON_REUSE_NO_SETUP);
}

/// The page forbids creating or registering a status row on a reuse; merging into the store's
/// existing row is neither.
#[test]
fn a_reuse_may_update_the_existing_status_row_but_not_replace_it() {
    let report = reopen(Defect::ReuseUpdatesStatusRow);
    report.assert_pedantic();
    let report = reopen(Defect::ReuseReplacesStatusRow);
    assert_eq!(
        report
            .advisories()
            .into_iter()
            .map(|v| v.rule.id)
            .collect::<Vec<_>>(),
        vec!["LOGON-REUSE-NO-SETUP"]
    );
    assert!(
        report.account().contains("create or replace a status row"),
        "{}",
        report.account()
    );
}

/// A session on the zoo (with `defect`) with its store open for writing.
fn zoo_session(
    defect: Defect,
    behavior: Behavior,
    flags: LogonFlags,
) -> (Simulator, mapisim::runtime::Mapi, Session, StoreHandle) {
    let sim = builder(defect).behavior(behavior).build();
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", flags).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    (sim, mapi, session, store)
}

/// The lifecycle with a `StoreLogoff` asked with `flag`, under `behavior`.
fn logoff_with(defect: Defect, behavior: Behavior, flag: LogoffFlags) -> (Report, LogoffFlags) {
    let (sim, mapi, session, store) = zoo_session(defect, behavior, LogonFlags::EXTENDED);
    sim.spooler().run_until_idle();
    let out = store.store_logoff(flag).unwrap();
    // Still logged on when the transports kept it: usable, and released afterwards.
    if defect == Defect::None && !out.contains(LogoffFlags::COMPLETE) {
        assert!(store.get_props(Some(&[mapisim::props::PR_STORE_ENTRYID])).is_ok());
    }
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    (sim.finish(), out)
}

#[test]
fn slt_output_acted_is_advice_for_a_store_that_hides_the_transports_answer() {
    let busy = Behavior::default().with_transport_activity(TransportActivity::Busy);
    // The zoo passes the activity on, stays logged on, and its final release logs the transports
    // off: StoreLogoffTransports twice, which SLT-ONCE allows.
    for flag in [LogoffFlags::ABORT, LogoffFlags::QUIET] {
        let (report, out) = logoff_with(Defect::None, busy.clone(), flag);
        report.assert_pedantic();
        assert_eq!(out, LogoffFlags::INBOUND | LogoffFlags::OUTBOUND);
        assert_eq!(report.trace().calls_of("StoreLogoffTransports").len(), 2);
    }
    // An orderly logoff is never refused.
    let (report, out) = logoff_with(Defect::None, busy.clone(), LogoffFlags::ORDERLY);
    report.assert_pedantic();
    assert!(out.contains(LogoffFlags::COMPLETE));
    // A store that drops the answer.
    let (report, _) = logoff_with(Defect::IgnoresSltAnswer, busy, LogoffFlags::ABORT);
    assert!(report.is_clean(), "{}", report.account());
    let advice: Vec<&str> = report.advisories().into_iter().map(|v| v.rule.id).collect();
    assert_eq!(advice, vec!["SLT-OUTPUT-ACTED"], "{}", report.account());
    // Idle transports: the same store is clean.
    let (report, _) = logoff_with(Defect::IgnoresSltAnswer, Behavior::default(), LogoffFlags::ABORT);
    report.assert_pedantic();
}

#[test]
fn logon_register_uid_fires_when_a_fresh_logon_registers_no_mapiuid() {
    let report = lifecycle(Defect::NoProviderUid);
    assert_eq!(
        report.rule_ids(),
        vec!["LOGON-REGISTER-UID"],
        "{}",
        report.account()
    );
}

#[test]
fn logon_profile_props_fires_when_the_section_gets_no_record_key() {
    let report = lifecycle(Defect::NoProfileRecordKey);
    assert_eq!(
        report.rule_ids(),
        vec!["LOGON-PROFILE-PROPS"],
        "{}",
        report.account()
    );
    assert!(report.account().contains("has no PR_RECORD_KEY"));
}

#[test]
fn logon_no_dialog_is_advice_for_a_dialog_under_mdb_no_dialog() {
    let run = |flags: OpenStoreFlags| {
        let sim = simulator(Defect::DialogInLogon);
        zoo_profile(&sim, "Zoo");
        let mapi = sim.initialize(InitFlags::empty()).unwrap();
        let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
        let store = open_default(&session, flags | OpenStoreFlags::WRITE).unwrap();
        sim.spooler().run_until_idle();
        store.store_logoff(LogoffFlags::ORDERLY).unwrap();
        drop(store);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        mapi.uninitialize().unwrap();
        sim.finish()
    };
    // A dialog is the provider's business when MAPI allows one.
    run(OpenStoreFlags::empty()).assert_pedantic();
    let report = run(OpenStoreFlags::NO_DIALOG);
    assert!(report.is_clean(), "{}", report.account());
    let advice: Vec<&str> = report.advisories().into_iter().map(|v| v.rule.id).collect();
    assert_eq!(advice, vec!["LOGON-NO-DIALOG"]);
    assert!(report.account().contains("Details shows a dialog during Logon"));
}

#[test]
fn logon_status_row_is_advice_only_where_the_behaviour_requires_a_row() {
    lifecycle(Defect::NoStatusRow).assert_pedantic();
    let required = Behavior::default().with_status_row(StoreStatusRow::Required);
    let report = lifecycle_under(Defect::NoStatusRow, required.clone());
    assert!(report.is_clean(), "{}", report.account());
    let advice: Vec<&str> = report.advisories().into_iter().map(|v| v.rule.id).collect();
    assert_eq!(advice, vec!["LOGON-STATUS-ROW"]);
    lifecycle_under(Defect::None, required).assert_pedantic();
}

#[test]
fn logon_entryid_fires_when_the_section_gets_no_entry_id() {
    assert_fires(&lifecycle(Defect::NoProfileEntryId), &rules::LOGON_ENTRYID);
}

#[test]
fn logon_spool_security_fires_only_when_the_behaviour_requires_it() {
    assert!(lifecycle(Defect::NoSpoolSecurity).is_clean());
    let sim = builder(Defect::NoSpoolSecurity)
        .behavior(Behavior::default().with_spool_security(SpoolSecurity::Required))
        .build();
    run_lifecycle(&sim);
    assert_fires(&sim.finish(), &rules::LOGON_SPOOL_SECURITY);
}

#[test]
fn logon_no_spooler_notify_is_advice_for_spoolernotify_or_preparesubmit_during_logon() {
    // The zoo's PrepareSubmit comes without SpoolerNotify(NOTIFY_READYTOSEND): advice too.
    for (defect, method, ids) in [
        (
            Defect::SpoolerNotifyInLogon,
            "SpoolerNotify",
            &["LOGON-NO-SPOOLER-NOTIFY"][..],
        ),
        (
            Defect::PrepareSubmitInLogon,
            "PrepareSubmit",
            &["LOGON-NO-SPOOLER-NOTIFY", "STORE-READYTOSEND"][..],
        ),
    ] {
        let report = lifecycle(defect);
        assert_eq!(report.rule_ids(), ids, "{}", report.account());
        // Performance advice of the page: an advisory, which leaves the report clean...
        assert!(report.violations[0].is_advisory());
        assert!(report.violations[0].message.starts_with(method));
        assert!(report.is_clean());
        report.assert_clean();
        let account = report.account();
        assert!(account.contains("the report is clean"), "{account}");
        assert!(
            account.contains("1. LOGON-NO-SPOOLER-NOTIFY, advice (by ZOO32.DLL)"),
            "{account}"
        );
        assert!(
            report
                .trace()
                .text()
                .contains("?? LOGON-NO-SPOOLER-NOTIFY (advice): ")
        );
        assert!(std::panic::catch_unwind(|| report.assert_pedantic()).is_err());
        // ...unless the test is pedantic.
        let sim = builder(defect).pedantic(true).build();
        run_lifecycle(&sim);
        assert!(!sim.finish().is_clean());
        // Strict mode does not stop at advice, unless pedantic.
        let sim = builder(defect).strict(true).build();
        run_lifecycle(&sim);
        assert!(sim.finish().is_clean());
        let sim = builder(defect).strict(true).pedantic(true).build();
        let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_lifecycle(&sim)));
        assert!(stopped.is_err());
    }
    let report = lifecycle(Defect::SpoolerNotifyInLogon);
    assert!(!report.fired(&rules::SPOOLER_NOTIFY_FLAGS));
}

#[test]
fn store_required_props_fires_for_a_missing_property() {
    let report = lifecycle(Defect::MissingStoreProp);
    assert_fires(&report, &rules::STORE_REQUIRED_PROPS);
    assert!(report.violations[0].message.contains("PR_MDB_PROVIDER"));
    // A store without Unicode answers the Unicode display name with MAPI_E_BAD_CHARWIDTH, as
    // GetProps documents: MAPI asks again in 8-bit, and it is right.
    let report = lifecycle(Defect::AnsiOnlyStore);
    report.assert_clean();
    assert!(
        report
            .trace()
            .text()
            .contains("GetProps(the display name in 8-bit) = S_OK")
    );
    // One that has no display name in either form lacks it.
    let report = lifecycle(Defect::NoStringAtAll);
    assert_eq!(
        report.rule_ids(),
        vec!["STORE-REQUIRED-PROPS"],
        "{}",
        report.account()
    );
    assert!(report.violations[0].message.contains("PR_DISPLAY_NAME"));
}

#[test]
fn store_wrapped_entryid_fires_for_an_unwrapped_store_entry_id() {
    assert_fires(
        &lifecycle(Defect::UnwrappedStoreEntryId),
        &rules::STORE_WRAPPED_ENTRYID,
    );
}

#[test]
fn store_releases_support_fires_when_the_logon_keeps_the_support_object() {
    // By the store page, the store's final release releases the support object.
    let store_page = Behavior::default().with_teardown_cleanup(TeardownCleanup::MapiInSupportRelease);
    let report = lifecycle_under(Defect::LogonReleasesSupportInLogoff, store_page);
    assert_eq!(
        report.rule_ids(),
        vec!["STORE-RELEASES-SUPPORT"],
        "{}",
        report.account()
    );
    // By the generic page (the seed's reading, the default), IMSLogon::Logoff releases it: the
    // same provider is right...
    lifecycle(Defect::LogonReleasesSupportInLogoff).assert_clean();
    // ...and one whose Logoff keeps it too is not.
    let report = lifecycle(Defect::LogonHoldsSupport);
    assert_fires(&report, &rules::TEARDOWN_ROW_UIDS);
    assert!(!report.fired(&rules::STORE_RELEASES_SUPPORT));
}

#[test]
fn spooler_same_objects_fires_for_a_different_store() {
    // The loading page (the seed's reading, the default): the same objects.
    assert_fires(
        &lifecycle(Defect::SpoolerReturnsOtherStore),
        &rules::SPOOLER_SAME_OBJECTS,
    );
    // imsprovider-spoolerlogon: objects of the spooler's own are right.
    let distinct = Behavior::default().with_spooler_objects(SpoolerObjects::Distinct);
    lifecycle_under(Defect::SpoolerReturnsOtherStore, distinct.clone()).assert_clean();
    lifecycle_under(Defect::None, distinct).assert_clean();
}

#[test]
fn spooler_logon_fires_when_the_spooler_can_never_log_on() {
    let report = lifecycle(Defect::SpoolerLogonFails);
    assert_eq!(report.rule_ids(), vec!["SPOOLER-LOGON"], "{}", report.account());
    assert!(
        report
            .account()
            .contains("SpoolerLogon failed with MAPI_E_LOGON_FAILED")
    );
    // A store that logs off before the spooler gets to it is not the provider's failure.
    let sim = simulator(Defect::SpoolerLogonFails);
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    sim.spooler().run_until_idle();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn compare_store_ids_no_store_fires_for_a_comparison_that_needs_an_open_store() {
    for defect in [Defect::None, Defect::CompareNeedsOpenStore] {
        let (sim, mapi, session, store) = zoo_session(defect, Behavior::default(), LogonFlags::EXTENDED);
        let id = store.entry_id().unwrap();
        // While the store is open, the comparison works either way.
        assert!(session.compare_entry_ids(&id, &id, 0).unwrap());
        store.store_logoff(LogoffFlags::ORDERLY).unwrap();
        drop(store);
        // No store of the provider is open now.
        let same = session.compare_entry_ids(&id, &id, 0);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        mapi.uninitialize().unwrap();
        let report = sim.finish();
        if defect == Defect::None {
            assert!(same.unwrap());
            report.assert_pedantic();
        } else {
            assert_eq!(same.unwrap_err(), MapiError::NotFound);
            assert_eq!(
                report.rule_ids(),
                vec!["COMPARE-STORE-IDS-NO-STORE"],
                "{}",
                report.account()
            );
        }
    }
}

#[test]
fn compare_store_ids_fires_for_an_id_that_is_not_itself() {
    let sim = simulator(Defect::CompareNeverSame);
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL).unwrap();
    let id = store.entry_id().unwrap();
    // The reopen by the store's own entry ID fails: MAPI finds no section for it...
    assert_eq!(
        session.open_msg_store(&id, OpenStoreFlags::WRITE).unwrap_err(),
        MapiError::NotFound
    );
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    // ...and the report says why, naming the provider.
    let report = sim.finish();
    assert_eq!(
        report.rule_ids(),
        vec!["COMPARE-STORE-IDS"],
        "{}",
        report.account()
    );
    let v = &report.violations[0];
    assert_eq!(v.by, Party::Library("ZOO32.DLL".into()));
    assert!(v.message.contains("answered FALSE for the ID"), "{}", v.message);
}

#[test]
fn compare_store_ids_fires_for_an_answer_that_depends_on_the_order() {
    use mapisim::ids::{EntryId, WrappedStoreEntryId};
    for defect in [Defect::None, Defect::CompareOneWay] {
        let sim = simulator(defect);
        zoo_profile(&sim, "Zoo");
        let mapi = sim.initialize(InitFlags::empty()).unwrap();
        let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
        let store = open_default(&session, OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL).unwrap();
        let id = store.entry_id().unwrap();
        let other = WrappedStoreEntryId::wrap(
            zoo::ZOO_DLL,
            &EntryId::new(zoo::ZOO_UID, b"\xFFanother store".to_vec()).to_bytes(),
        )
        .unwrap()
        .to_bytes();
        // The client compares the two both ways, and each ID with itself.
        let forth = session.compare_entry_ids(&id, &other, 0).unwrap();
        let back = session.compare_entry_ids(&other, &id, 0).unwrap();
        assert!(session.compare_entry_ids(&id, &id, 0).unwrap());
        assert_eq!(forth, defect == Defect::CompareOneWay);
        assert!(!back);
        store.store_logoff(LogoffFlags::ORDERLY).unwrap();
        drop(store);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        mapi.uninitialize().unwrap();
        let report = sim.finish();
        if defect == Defect::None {
            report.assert_clean();
        } else {
            assert_eq!(
                report.rule_ids(),
                vec!["COMPARE-STORE-IDS"],
                "{}",
                report.account()
            );
            assert!(report.account().contains("the other way round"));
        }
    }
}

#[test]
fn spooler_notify_flags_fires_for_a_transport_flag() {
    assert_fires(
        &lifecycle(Defect::BadSpoolerNotifyFlags),
        &rules::SPOOLER_NOTIFY_FLAGS,
    );
}

#[test]
fn the_store_logoff_transports_rules_fire_each_for_its_defect() {
    let report = lifecycle(Defect::SltTwice);
    assert_fires(&report, &rules::SLT_ONCE);
    // imsgstore-storelogoff: "Multiple calls … simply overwrite the saved flags".
    let overwrite = Behavior::default().with_slt_repeat(SltRepeat::Overwrite);
    lifecycle_under(Defect::SltTwice, overwrite.clone()).assert_clean();
    // A client's second StoreLogoff: MAPI_E_INVALID_OBJECT under the once reading, allowed under
    // the overwrite one.
    for (behavior, second) in [
        (Behavior::default(), Err(MapiError::InvalidObject)),
        (overwrite, Ok(())),
    ] {
        let sim = builder(Defect::None).behavior(behavior).build();
        zoo_profile(&sim, "Zoo");
        let mapi = sim.initialize(InitFlags::empty()).unwrap();
        let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
        let store = open_default(&session, OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL).unwrap();
        store.store_logoff(LogoffFlags::ORDERLY).unwrap();
        assert_eq!(store.store_logoff(LogoffFlags::NO_WAIT).map(drop), second);
        drop(store);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        mapi.uninitialize().unwrap();
        let report = sim.finish();
        assert!(
            report.violations.iter().all(|v| v.rule.bound == Bound::Client),
            "{}",
            report.account()
        );
    }
    let report = lifecycle(Defect::SltNever);
    assert_fires(&report, &rules::SLT_ONCE);
    assert!(report.account().contains("without calling StoreLogoffTransports"));
    assert_fires(&lifecycle(Defect::SltWrongFlag), &rules::SLT_SAVED_FLAG);
    let report = lifecycle(Defect::SltDeferred);
    assert_fires(&report, &rules::SLT_TIMING);
    // The same provider is right under the other behaviour.
    let sim = builder(Defect::SltDeferred)
        .behavior(Behavior::default().with_store_logoff_transports(SltTiming::AtFinalRelease))
        .build();
    run_lifecycle(&sim);
    sim.finish().assert_clean();
    // And the sample, configured for that behaviour, is clean too.
    let behavior = Behavior::default().with_store_logoff_transports(SltTiming::AtFinalRelease);
    let config = SampleConfig::for_behavior(&behavior);
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, move || SampleLibrary::new(config))
        .service(SampleStore::service("SMPMS"))
        .behavior(behavior)
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    sim.spooler().run_until_idle();
    store.store_logoff(LogoffFlags::PURGE).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn logon_released_fires_when_the_logon_outlives_the_call_that_released_it() {
    let report = lifecycle(Defect::StashLogon);
    assert_fires(&report, &rules::LOGON_RELEASED);
    let v = report
        .violations
        .iter()
        .find(|v| v.rule == &rules::LOGON_RELEASED)
        .unwrap();
    assert!(
        v.message
            .contains("after MAPI released it and the call that released it ended"),
        "{}",
        v.message
    );
    // A store that holds its logon object and releases the support object first lets the logon
    // go a moment later, in the same final release: no page forbids that order.
    lifecycle(Defect::StoreHoldsLogon).assert_clean();
}

/// Session logoff while the client still holds the store.
fn logoff_with_store_held(sim: &Simulator, profile: &str) {
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex(profile, LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL).unwrap();
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(store);
    mapi.uninitialize().unwrap();
}

#[test]
fn teardown_row_uids_fires_when_logoff_keeps_the_support_object() {
    // Under the provider-in-Logoff behaviour, IMSLogon::Logoff releases the support object at
    // session logoff. A logon that keeps it past Logoff, with the store already released by the
    // client, leaves its MAPIUIDs and status row behind.
    let in_logoff = Behavior::default().with_teardown_cleanup(TeardownCleanup::ProviderInLogoff);
    let sim = builder(Defect::LogonHoldsSupport)
        .behavior(in_logoff.clone())
        .build();
    run_lifecycle(&sim);
    let report = sim.finish();
    assert_fires(&report, &rules::TEARDOWN_ROW_UIDS);
    assert!(
        report
            .account()
            .contains("returned from Logoff without releasing its support object")
    );
    // The sample, configured to keep the support object in its store until the store's final
    // release: when the client still holds the store at session logoff, that is the client's
    // doing: MAPI removes the MAPIUIDs and the row itself and blames nobody for them.
    let store_keeps = SampleConfig {
        release_support_in_logoff: false,
        ..SampleConfig::default()
    };
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, move || SampleLibrary::new(store_keeps))
        .service(SampleStore::service("SMPMS"))
        .behavior(in_logoff.clone())
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    logoff_with_store_held(&sim, "P");
    let report = sim.finish();
    assert!(
        report.violations.iter().all(|v| v.rule.bound == Bound::Client),
        "{}",
        report.account()
    );
    assert!(
        report
            .trace()
            .text()
            .contains("MAPI removes its MAPIUIDs and status row itself")
    );
    // Configured to release it in Logoff, it is clean too.
    let config = SampleConfig::for_behavior(&in_logoff);
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, move || SampleLibrary::new(config))
        .service(SampleStore::service("SMPMS"))
        .behavior(in_logoff)
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    logoff_with_store_held(&sim, "P");
    // Only the client's own mistake: it logged off holding the store.
    assert_eq!(sim.finish().rule_ids(), vec!["CLIENT-RELEASE"]);
}

#[test]
fn provider_released_fires_when_the_statics_keep_the_provider() {
    let report = lifecycle(Defect::StashProvider);
    assert_fires(&report, &rules::PROVIDER_RELEASED);
}

#[test]
fn session_leak_fires_for_an_interface_object_left_in_the_statics() {
    let report = lifecycle(Defect::StashStatusInStatics);
    assert_fires(&report, &rules::SESSION_LEAK);
    assert_eq!(report.rule_ids(), vec!["SESSION-LEAK"]);
    assert!(report.account().contains("IMAPIStatus#"), "{}", report.account());
}

/// A DLL-wide cache of plain objects, filled during one session, kept for the next and released
/// when the DLL unloads, is not a session leak: the pages ask that logoff release the objects it
/// opened (status objects among them) and that each initialization make a new provider object,
/// nothing of other DLL state.
#[test]
fn a_dll_wide_cache_kept_across_sessions_is_not_a_session_leak() {
    let sim = builder(Defect::CacheInStatics).build();
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    for _ in 0..2 {
        let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
        let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
        sim.spooler().run_until_idle();
        store.store_logoff(LogoffFlags::ORDERLY).unwrap();
        drop(store);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
    }
    // Both sessions are over and the cache still holds what they made.
    let cached = sim
        .ledger()
        .live_where(|o| o.label.kind == InterfaceKind::Object && o.type_name == "u32");
    assert_eq!(cached.len(), 2);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    report.assert_clean();
    assert!(report.leaks.is_empty(), "{}", report.leaks);
}

#[test]
fn provider_panic_fires_and_the_simulator_goes_on() {
    for defect in [
        Defect::PanicInLogon,
        Defect::PanicInLogoff,
        Defect::PanicInShutdown,
        Defect::PanicInDrop,
    ] {
        let report = lifecycle(defect);
        assert_fires(&report, &rules::PROVIDER_PANIC);
        // The rest of the lifecycle still ran: the DLL was unloaded at the end.
        assert!(
            report.loads.unpaired().is_empty(),
            "{defect:?}: {}",
            report.account()
        );
    }
}

#[test]
fn support_flags_fires_for_a_reserved_flag() {
    let report = lifecycle(Defect::ReservedFlags);
    assert_fires(&report, &rules::SUPPORT_FLAGS);
}

#[test]
fn the_client_rules_fire_for_client_misuse() {
    // Before MAPIInitialize, and an extra MAPIUninitialize.
    let sim = simulator(Defect::None);
    zoo_profile(&sim, "Zoo");
    assert_eq!(
        sim.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap_err(),
        MapiError::NotInitialized
    );
    assert_eq!(sim.uninitialize().unwrap_err(), MapiError::NotInitialized);
    let report = sim.finish();
    assert_fires(&report, &rules::CLIENT_INITIALIZED);
    assert_eq!(report.count(&rules::CLIENT_INITIALIZED), 2);

    // No logoff, a store still held, at the last MAPIUninitialize.
    let sim = simulator(Defect::None);
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert_fires(&report, &rules::CLIENT_LOGOFF);
    assert_fires(&report, &rules::CLIENT_RELEASE);
    drop(store);
    drop(session);

    // Use after logoff, and a bad StoreLogoff flag.
    let sim = simulator(Defect::None);
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    assert_eq!(
        store
            .store_logoff(LogoffFlags::ABORT | LogoffFlags::ORDERLY)
            .unwrap_err(),
        MapiError::InvalidParameter
    );
    assert_eq!(
        store
            .store_logoff(LogoffFlags::from_raw(0x0100_0002))
            .unwrap_err(),
        MapiError::UnknownFlags
    );
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    assert_eq!(
        session.logoff(SessionLogoffFlags::empty()).unwrap_err(),
        MapiError::EndOfSession
    );
    assert_eq!(
        store.store_logoff(LogoffFlags::ORDERLY).unwrap_err(),
        MapiError::EndOfSession
    );
    drop(store);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert_fires(&report, &rules::CLIENT_STORELOGOFF_FLAG);
    assert_fires(&report, &rules::CLIENT_SESSION_ENDED);
    assert_eq!(report.count(&rules::CLIENT_SESSION_ENDED), 2);
}

#[test]
fn client_release_fires_at_the_logoff_of_a_session_whose_store_is_held() {
    let (sim, mapi, session, store) = zoo_session(Defect::None, Behavior::default(), LogonFlags::EXTENDED);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(store);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    // Blamed once, on the client, at the Logoff; the provider is not blamed.
    assert_eq!(report.rule_ids(), vec!["CLIENT-RELEASE"], "{}", report.account());
    assert!(report.account().contains("at session 1's IMAPISession::Logoff"));
}

#[test]
fn client_unadvise_fires_for_a_registration_never_cancelled() {
    let sink = || -> Ref<dyn AdviseSink> { Ref::new(CountingSink::default()).into() };
    // Cancelled: clean.
    let (sim, mapi, session, store) = zoo_session(Defect::None, Behavior::default(), LogonFlags::EXTENDED);
    let connection = store.advise(None, EventMask::OBJECT_MODIFIED, &sink()).unwrap();
    store.unadvise(connection).unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    sim.finish().assert_pedantic();
    // One of two left: reported with its store and connection.
    let (sim, mapi, session, store) = zoo_session(Defect::None, Behavior::default(), LogonFlags::EXTENDED);
    let first = store.advise(None, EventMask::OBJECT_MODIFIED, &sink()).unwrap();
    let second = store.advise(None, EventMask::OBJECT_MODIFIED, &sink()).unwrap();
    store.unadvise(first).unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["CLIENT-UNADVISE"], "{}", report.account());
    assert!(
        report.account().contains(&format!("connection {second}")),
        "{}",
        report.account()
    );
}

#[test]
fn client_mapi_extended_is_advice_for_a_logon_without_the_flag() {
    let (sim, mapi, session, store) = zoo_session(Defect::None, Behavior::default(), LogonFlags::empty());
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert!(report.is_clean(), "{}", report.account());
    let advice: Vec<&str> = report.advisories().into_iter().map(|v| v.rule.id).collect();
    assert_eq!(advice, vec!["CLIENT-MAPI-EXTENDED"]);
}

#[test]
fn client_nt_service_only_is_advice_for_a_declared_non_service_that_sets_the_flag() {
    let run = |declared: Option<bool>| {
        let mut b = builder(Defect::None);
        if let Some(on) = declared {
            b = b.windows_service_client(on);
        }
        let sim = b.build();
        zoo_profile(&sim, "Zoo");
        let mapi = sim.initialize(InitFlags::NT_SERVICE).unwrap();
        let session = mapi
            .logon_ex(
                "Zoo",
                LogonFlags::EXTENDED | LogonFlags::NT_SERVICE | LogonFlags::NO_MAIL,
            )
            .unwrap();
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        mapi.uninitialize().unwrap();
        sim.finish()
    };
    // Undeclared or declared a service: the flags are right.
    run(None).assert_pedantic();
    run(Some(true)).assert_pedantic();
    // Declared not a service: both calls set a flag that is not its own.
    let report = run(Some(false));
    assert!(report.is_clean(), "{}", report.account());
    let advice: Vec<&str> = report.advisories().into_iter().map(|v| v.rule.id).collect();
    assert_eq!(advice, vec!["CLIENT-NT-SERVICE-ONLY"; 2]);
}

#[test]
fn client_logoff_shared_follows_the_reading_in_force() {
    let run = |behavior: Behavior, flags: LogonFlags| {
        let (sim, mapi, session, store) = zoo_session(Defect::None, behavior, flags);
        drop(store);
        session.logoff(SessionLogoffFlags::SHARED).unwrap();
        mapi.uninitialize().unwrap();
        let report = sim.finish();
        assert!(report.is_clean(), "{}", report.account());
        report
            .advisories()
            .into_iter()
            .map(|v| v.rule.id)
            .collect::<Vec<_>>()
    };
    let owner = LogonFlags::EXTENDED | LogonFlags::ALLOW_OTHERS;
    let never = Behavior::default();
    let owner_may = Behavior::default().with_logoff_shared(LogoffShared::OwnerMay);
    assert_eq!(run(never.clone(), owner), vec!["CLIENT-LOGOFF-SHARED"]);
    assert_eq!(run(never, LogonFlags::EXTENDED), vec!["CLIENT-LOGOFF-SHARED"]);
    assert!(run(owner_may.clone(), owner).is_empty());
    assert_eq!(run(owner_may, LogonFlags::EXTENDED), vec!["CLIENT-LOGOFF-SHARED"]);
}

#[test]
fn client_store_after_logoff_is_advice_unless_repeats_overwrite() {
    let run = |behavior: Behavior| {
        let (sim, mapi, session, store) = zoo_session(Defect::None, behavior, LogonFlags::EXTENDED);
        store.store_logoff(LogoffFlags::ORDERLY).unwrap();
        let later = store.store_logoff(LogoffFlags::ABORT);
        let props = store.get_props(None);
        drop(store);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        mapi.uninitialize().unwrap();
        (sim.finish(), later, props.map(drop))
    };
    let (report, later, props) = run(Behavior::default());
    assert_eq!(later.unwrap_err(), MapiError::InvalidObject);
    assert_eq!(props.unwrap_err(), MapiError::InvalidObject);
    let advice: Vec<&str> = report.advisories().into_iter().map(|v| v.rule.id).collect();
    assert_eq!(
        advice,
        vec!["CLIENT-STORE-AFTER-LOGOFF"; 2],
        "{}",
        report.account()
    );
    // Where repeated calls overwrite the flag, the second StoreLogoff is allowed.
    let (report, later, props) = run(Behavior::default().with_slt_repeat(SltRepeat::Overwrite));
    assert!(later.is_ok());
    assert_eq!(props.unwrap_err(), MapiError::InvalidObject);
    let advice: Vec<&str> = report.advisories().into_iter().map(|v| v.rule.id).collect();
    assert_eq!(advice, vec!["CLIENT-STORE-AFTER-LOGOFF"], "{}", report.account());
}

#[test]
fn a_violation_report_tells_rule_page_objects_and_trace() {
    let report = lifecycle(Defect::NoSupportAddRef);
    let account = report.account();
    assert!(
        account.contains("1. LOGON-ADDREF-SUPPORT (by ZOO32.DLL)"),
        "{account}"
    );
    assert!(account.contains(
        "page:    https://learn.microsoft.com/office/client-developer/outlook/mapi/imsprovider-logon"
    ));
    // The sentence of the page the rule rests on, and its basis.
    assert!(
        account.contains("says:    \"For any Logon call that opens a message store"),
        "{account}"
    );
    assert!(account.contains("basis:   stated by the page"), "{account}");
    assert!(account.contains("objects: IMAPISupport#"), "{account}");
    assert!(account.contains(">"), "the offending event is marked: {account}");
    assert!(account.contains(".strict(true)"));
    let panic = std::panic::catch_unwind(|| report.assert_clean()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert_eq!(message, &account);
}

#[test]
fn an_account_says_clean_keeps_its_lines_and_advises_only_what_is_off() {
    // A clean report says so, in words.
    let clean = lifecycle(Defect::None);
    let account = clean.account();
    assert!(account.starts_with("mapisim found no violation in "), "{account}");
    assert!(account.contains("the report is clean"), "{account}");
    assert!(!account.contains("0 violations"), "{account}");
    assert!(!account.contains(".strict(true)"), "{account}");
    // A message of several lines (the objects a leak left) keeps them under "found:".
    let report = lifecycle(Defect::StashStatusInStatics);
    let account = report.account();
    let found = account
        .lines()
        .position(|l| l.starts_with("   found:   "))
        .unwrap();
    let next = account.lines().nth(found + 1).unwrap();
    // (Twelve spaces, the width of "   found:   ", before the line's own indentation.)
    assert!(next.starts_with("              IMAPIStatus#"), "{account}");
    // History on: the account does not advise turning it on.
    let sim = builder(Defect::StashStatusInStatics).history(true).build();
    run_lifecycle(&sim);
    let account = sim.finish().account();
    assert!(!account.contains(".history(true)"), "{account}");
    assert!(account.contains(".strict(true)"), "{account}");
}

#[test]
fn the_reuse_statement_names_everything_the_check_fires_on() {
    let statement = rules::LOGON_REUSE_NO_SETUP.statement;
    for what in [
        "registers no MAPIUID",
        "status row",
        "opens no profile section",
        "spool-security data",
    ] {
        assert!(statement.contains(what), "{statement}");
    }
}

#[test]
fn strict_mode_panics_at_the_offending_call() {
    let sim = builder(Defect::NoSupportAddRef).strict(true).build();
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        open_default(&session, OpenStoreFlags::WRITE)
    }));
    let payload = outcome.unwrap_err();
    assert!(mapisim::check::is_strict_panic(payload.as_ref()));
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(message.starts_with(mapisim::check::STRICT_PANIC_PREFIX));
    assert!(message.contains("1. LOGON-ADDREF-SUPPORT"), "{message}");
    // Strict mode is on: the account does not advise turning it on.
    assert!(!message.contains(".strict(true)"), "{message}");
    // The simulator is still usable afterwards, and the client can end cleanly.
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    assert_eq!(sim.finish().rule_ids(), vec!["LOGON-ADDREF-SUPPORT"]);
}

#[test]
fn service_entry_export_fires_when_the_entry_point_is_missing() {
    let sim = simulator(Defect::NoServiceEntry);
    let profile = sim.profiles().create("Zoo").unwrap();
    assert_eq!(profile.add_service("ZOO").unwrap_err(), MapiError::CallFailed);
    assert!(
        profile.services().unwrap().is_empty(),
        "the failed service was removed"
    );
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["SERVICE-ENTRY-EXPORT"]);
    assert!(report.loads.unpaired().is_empty());
}

#[test]
fn service_delete_ok_fires_when_delete_fails() {
    let sim = simulator(Defect::DeleteFails);
    let profile = sim.profiles().create("Zoo").unwrap();
    let uid = profile.add_service("ZOO").unwrap();
    // The service goes anyway.
    profile.delete_service(&uid).unwrap();
    assert!(profile.services().unwrap().is_empty());
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["SERVICE-DELETE-OK"]);
    // Its MAPIERROR was read and freed by MAPI (no MEM-LEAK above).
    assert!(
        report
            .trace()
            .to_string()
            .contains("returned a MAPIERROR from the service entry: \"the store's files are in use\""),
        "{}",
        report.trace()
    );
}

#[test]
fn service_ui_allowed_fires_for_ui_without_permission() {
    let sim = simulator(Defect::UiWithoutPermission);
    sim.profiles().create("Zoo").unwrap().add_service("ZOO").unwrap();
    assert_eq!(sim.finish().rule_ids(), vec!["SERVICE-UI-ALLOWED"]);
}

#[test]
fn profile_read_only_fires_when_logon_writes_its_resource_flags() {
    let report = lifecycle(Defect::WritesResourceFlags);
    assert_eq!(report.rule_ids(), vec!["PROFILE-READ-ONLY"]);
}

#[test]
fn uid_hard_coded_is_advice_for_a_uid_from_newuid() {
    // imapisupport-newuid (the default): a generated MAPIUID is advised against, whether the
    // logon's support object made it or the message service's did at MSG_SERVICE_CREATE.
    for defect in [Defect::RegistersNewUid, Defect::UidFromServiceEntry] {
        let report = lifecycle(defect);
        assert_eq!(
            report.rule_ids(),
            vec!["UID-HARD-CODED"],
            "{defect:?}: {}",
            report.account()
        );
        assert!(report.violations[0].is_advisory());
        // The address-book and UID pages allow generated ones.
        let generated = Behavior::default().with_registered_uid(RegisteredUid::Generated);
        lifecycle_under(defect, generated).assert_pedantic();
    }
}

// MAPI memory: one defect per rule; each fires its rule and nothing else.

#[test]
fn mem_free_linked_fires_when_a_linked_block_is_freed_alone() {
    assert_eq!(
        lifecycle(Defect::FreesLinkedBlock).rule_ids(),
        vec!["MEM-FREE-LINKED"]
    );
}

#[test]
fn mem_double_free_fires_when_a_buffer_is_freed_twice() {
    assert_eq!(lifecycle(Defect::DoubleFree).rule_ids(), vec!["MEM-DOUBLE-FREE"]);
}

#[test]
fn mem_foreign_free_fires_when_other_routines_made_the_buffer() {
    let report = lifecycle(Defect::ForeignFree);
    assert_eq!(report.rule_ids(), vec!["MEM-FOREIGN-FREE"]);
}

#[test]
fn mem_use_after_free_fires_when_a_freed_buffer_is_read() {
    assert_eq!(
        lifecycle(Defect::UseAfterFree).rule_ids(),
        vec!["MEM-USE-AFTER-FREE"]
    );
}

#[test]
fn mem_more_root_fires_when_allocate_more_links_to_a_freed_root() {
    assert_eq!(lifecycle(Defect::MoreOnFreed).rule_ids(), vec!["MEM-MORE-ROOT"]);
}

#[test]
fn mem_not_owner_fires_when_the_provider_frees_what_it_handed_to_mapi() {
    assert_eq!(
        lifecycle(Defect::FreesHandedBlob).rule_ids(),
        vec!["MEM-NOT-OWNER"]
    );
}

#[test]
fn mem_out_root_fires_when_an_output_buffer_is_not_a_root_of_mapi() {
    // MAPI refuses the linked block; the root it hangs on is the provider's, and leaks.
    assert_eq!(
        lifecycle(Defect::LinkedSpoolBlob).rule_ids(),
        vec!["MEM-OUT-ROOT", "MEM-LEAK"]
    );
    let foreign = lifecycle(Defect::ForeignSpoolBlob);
    assert!(
        foreign.rule_ids().starts_with(&["MEM-OUT-ROOT"]),
        "{}",
        foreign.account()
    );
}

#[test]
fn mem_leak_fires_for_buffers_the_provider_never_frees() {
    for defect in [Defect::LeaksProfileProps, Defect::LeaksWrappedId] {
        let report = lifecycle(defect);
        assert_eq!(report.rule_ids(), vec!["MEM-LEAK"], "{defect:?}");
        let leak = &report.violations[0];
        assert_eq!(leak.by, Party::Library("ZOO32.DLL".into()));
        assert!(
            leak.message.contains("ZOO32.DLL must free it"),
            "{}",
            leak.message
        );
    }
}

#[test]
fn a_thread_the_provider_starts_acts_for_the_provider() {
    let report = lifecycle(Defect::WorkerLeaks);
    assert_eq!(report.rule_ids(), vec!["MEM-LEAK"], "{}", report.account());
    let leak = &report.violations[0];
    assert_eq!(
        leak.by,
        Party::Library("ZOO32.DLL".into()),
        "{}",
        report.account()
    );
    assert!(
        leak.message
            .starts_with("2 MAPI buffer(s) that ZOO32.DLL must free"),
        "{}",
        leak.message
    );
    // The worker's call on the support object is the provider's, and so is what it got.
    let wrap = report
        .trace()
        .calls_of("WrapStoreEntryID")
        .into_iter()
        .find(|e| e.to_string().contains("12 bytes"))
        .unwrap();
    assert!(wrap.to_string().contains("ZOO32.DLL -> IMAPISupport#"), "{wrap}");
}

#[test]
fn malloc_held_fires_when_lpmalloc_is_kept_after_shutdown() {
    let report = lifecycle(Defect::MallocKept);
    assert_eq!(report.rule_ids(), vec!["MALLOC-HELD"], "{}", report.account());
    assert!(
        report
            .account()
            .contains("ZOO32.DLL was unloaded still holding 1 reference(s) to IMalloc#")
    );
    // The native allocator's counts never change: keeping it does no harm there.
    let sim = builder(Defect::MallocKept)
        .behavior(Behavior::default().with_malloc(MallocCounting::Static))
        .build();
    run_lifecycle(&sim);
    sim.finish().assert_clean();
}

#[test]
fn over_release_fires_when_the_support_object_is_released_once_too_often() {
    let report = lifecycle(Defect::SupportOverRelease);
    assert_eq!(report.rule_ids(), vec!["OVER-RELEASE"], "{}", report.account());
    let v = &report.violations[0];
    assert_eq!(v.by, Party::Library("ZOO32.DLL".into()));
    assert_eq!(v.objects[0].kind, InterfaceKind::MapiSupport);
    // Reported at the offending call, inside Logon.
    let event = report.trace().event(v.event).unwrap();
    assert!(event.depth >= 2, "{event}");
}

#[test]
fn malloc_release_fires_when_lpmalloc_is_released_once_too_often() {
    let report = lifecycle(Defect::MallocOverRelease);
    assert_eq!(report.rule_ids(), vec!["MALLOC-RELEASE"]);
    // The native static allocator never counts: the same provider breaks nothing there.
    let sim = builder(Defect::MallocOverRelease)
        .behavior(Behavior::default().with_malloc(MallocCounting::Static))
        .build();
    run_lifecycle(&sim);
    sim.finish().assert_clean();
}

// Windows-service clients and initialization: a misbehaving client on a rule-abiding provider.

/// The lifecycle with these flags, on the zoo without defects, the client declaring itself a
/// Windows service.
fn service_lifecycle(defect: Defect, init: InitFlags, logon: LogonFlags) -> Report {
    let sim = builder(defect).windows_service_client(true).build();
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(init).unwrap();
    let session = mapi.logon_ex("Zoo", logon).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    sim.spooler().run_until_idle();
    zoo::close_and_finish(sim, mapi, session, store)
}

const SERVICE_INIT: InitFlags = InitFlags::NT_SERVICE.union(InitFlags::MULTITHREAD_NOTIFICATIONS);
const SERVICE_LOGON: LogonFlags = LogonFlags::EXTENDED
    .union(LogonFlags::NT_SERVICE)
    .union(LogonFlags::NO_MAIL);

#[test]
fn a_service_client_that_follows_the_rules_breaks_nothing() {
    service_lifecycle(Defect::None, SERVICE_INIT, SERVICE_LOGON).assert_clean();
}

#[test]
fn service_provider_no_ui_fires_when_a_provider_in_a_service_shows_ui() {
    let report = service_lifecycle(Defect::UiInService, SERVICE_INIT, SERVICE_LOGON);
    assert_eq!(report.rule_ids(), vec!["SERVICE-PROVIDER-NO-UI"]);
    // Outside a service the same provider shows nothing (it asks only with MAPI_NT_SERVICE).
    lifecycle(Defect::UiInService).assert_clean();
}

#[test]
fn service_nt_flag_fires_when_mapi_nt_service_is_missing_on_one_side() {
    let report = service_lifecycle(Defect::None, SERVICE_INIT, SERVICE_LOGON - LogonFlags::NT_SERVICE);
    assert_eq!(report.rule_ids(), vec!["SERVICE-NT-FLAG"]);
    let report = service_lifecycle(Defect::None, InitFlags::MULTITHREAD_NOTIFICATIONS, SERVICE_LOGON);
    // Once at MAPIInitialize (the builder said service), once at MAPILogonEx.
    assert_eq!(report.rule_ids(), vec!["SERVICE-NT-FLAG"]);
    assert_eq!(report.violations.len(), 2);
    assert!(
        report.violations[0]
            .message
            .contains("MAPIInitialize without MAPI_NT_SERVICE")
    );
    assert!(
        report.violations[1]
            .message
            .contains("MAPI_NT_SERVICE in MAPIInitialize")
    );
}

#[test]
fn service_no_mail_fires_when_a_service_logs_on_without_mapi_no_mail() {
    let report = service_lifecycle(Defect::None, SERVICE_INIT, SERVICE_LOGON - LogonFlags::NO_MAIL);
    assert_eq!(report.rule_ids(), vec!["SERVICE-NO-MAIL"]);
}

#[test]
fn service_no_ui_fires_when_a_service_asks_for_logon_ui() {
    for ui in [LogonFlags::LOGON_UI, LogonFlags::PASSWORD_UI] {
        let report = service_lifecycle(Defect::None, SERVICE_INIT, SERVICE_LOGON | ui);
        assert_eq!(report.rule_ids(), vec!["SERVICE-NO-UI"], "{ui}");
    }
}

#[test]
fn notify_pump_fires_when_queued_notifications_are_never_pumped() {
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(SampleStore::service("SMPMS"))
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi
        .logon_ex("P", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
        .unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    let sink: Ref<dyn AdviseSink> = Ref::new(CountingSink::default()).into();
    let connection = store.advise(None, EventMask::OBJECT_MODIFIED, &sink).unwrap();
    store
        .set_props(&[Prop {
            tag: mapisim::props::PR_DISPLAY_NAME_W,
            value: "renamed".into(),
        }])
        .unwrap();
    store.unadvise(connection).unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    assert_eq!(sim.finish().rule_ids(), vec!["NOTIFY-PUMP"]);
}

#[test]
fn notify_pump_does_not_blame_a_client_for_what_its_teardown_raised() {
    // A client that pumps during its session, and a store that notifies from StoreLogoff: that
    // notification comes after the client's last chance to pump, and is only noted. (The client
    // should have cancelled its registration first: that, and only that, is its mistake.)
    let sim = simulator(Defect::NotifiesAtStoreLogoff);
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi
        .logon_ex("Zoo", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
        .unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    let sink: Ref<dyn AdviseSink> = Ref::new(CountingSink::default()).into();
    store.advise(None, EventMask::OBJECT_MODIFIED, &sink).unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["CLIENT-UNADVISE"], "{}", report.account());
    assert!(
        report
            .trace()
            .text()
            .contains("posted while the client was ending its session are dropped undelivered"),
        "{}",
        report.trace()
    );
}

/// An advise sink that counts its notifications.
#[derive(Default)]
struct CountingSink {
    count: std::sync::atomic::AtomicUsize,
}

impl AdviseSink for CountingSink {
    fn on_notify(&self, notifications: &[Notification]) -> u32 {
        self.count
            .fetch_add(notifications.len(), std::sync::atomic::Ordering::SeqCst);
        0
    }
}

#[test]
fn ole_uninit_order_fires_when_ole_outlives_mapi() {
    let sim = simulator(Defect::None);
    sim.ole_initialize();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    sim.ole_uninitialize();
    assert_eq!(sim.finish().rule_ids(), vec!["OLE-UNINIT-ORDER"]);
    // In the documented order nothing fires.
    let sim = simulator(Defect::None);
    sim.ole_initialize();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    sim.ole_uninitialize();
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn com_no_coinit_fires_when_com_is_not_initialized_on_the_thread() {
    let sim = simulator(Defect::None);
    let mapi = sim.initialize(InitFlags::NO_COINIT).unwrap();
    mapi.uninitialize().unwrap();
    assert_eq!(sim.finish().rule_ids(), vec!["COM-NO-COINIT"]);
    let sim = simulator(Defect::None);
    sim.co_initialize();
    let mapi = sim.initialize(InitFlags::NO_COINIT).unwrap();
    mapi.uninitialize().unwrap();
    sim.co_uninitialize();
    sim.finish().assert_clean();
}

/// The zoo's store, opened, then asked for interfaces: through the client's pointer
/// (`client_asks`, in order), then by `IMAPISession::OpenEntry` on its entry ID asking for
/// `IMAPIProp` (MAPI then asks the object for `IMsgStore`). The report of the whole lifecycle.
fn com_identity(defect: Defect, client_asks: &[Iid]) -> Report {
    com_identity_opened_as(defect, client_asks, Some(Iid::IMAPIPROP))
}

/// [`com_identity`], with `OpenEntry` asking for `open_as`.
fn com_identity_opened_as(defect: Defect, client_asks: &[Iid], open_as: Option<Iid>) -> Report {
    let (sim, mapi, session, store) = zoo_session(defect, Behavior::default(), LogonFlags::EXTENDED);
    for iid in client_asks {
        drop(store.query_interface(*iid));
    }
    let wrapped = store.entry_id().unwrap();
    let original = WrappedStoreEntryId::parse(&wrapped).unwrap().original().to_vec();
    drop(session.open_entry(&original, open_as, 0));
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    sim.finish()
}

/// Exactly `rule` among the COM identity rules fired.
fn only_com_rule(report: &Report, rule: &Rule) {
    assert_fires(report, rule);
    let com: Vec<&str> = report
        .rule_ids()
        .into_iter()
        .filter(|id| id.starts_with("COM-QI-"))
        .collect();
    assert!(
        com.iter().all(|id| *id == rule.id),
        "{com:?}:\n{}",
        report.account()
    );
}

#[test]
fn a_correct_query_interface_of_its_own_breaks_no_com_rule() {
    // The defect-free zoo store answers QueryInterface itself, and is asked through both paths.
    let report = com_identity(
        Defect::None,
        &[Iid::IMAPIPROP, Iid::IMSGSTORE, Iid::IUNKNOWN, Iid::IMSLOGON],
    );
    report.assert_clean();
    assert!(
        report
            .trace()
            .to_string()
            .contains("QueryInterface(IID_IMsgStore)"),
        "{}",
        report.trace()
    );
}

#[test]
fn com_qi_iunknown_fires_for_a_tear_off_with_its_own_identity() {
    only_com_rule(
        &com_identity(Defect::QiTearOffIdentity, &[]),
        &rules::COM_QI_IUNKNOWN,
    );
}

#[test]
fn com_qi_reflexive_fires_when_the_store_refuses_the_interface_it_is_held_as() {
    only_com_rule(
        &com_identity(Defect::QiNotReflexive, &[]),
        &rules::COM_QI_REFLEXIVE,
    );
}

#[test]
fn com_qi_symmetric_fires_when_what_it_gave_cannot_go_back() {
    only_com_rule(
        &com_identity(Defect::QiNotSymmetric, &[]),
        &rules::COM_QI_SYMMETRIC,
    );
}

#[test]
fn com_qi_transitive_fires_when_what_it_gave_misses_an_interface_it_gave_before() {
    let report = com_identity(Defect::QiNotTransitive, &[Iid::IMSCAPABILITIES]);
    only_com_rule(&report, &rules::COM_QI_TRANSITIVE);
}

#[test]
fn com_qi_stable_fires_when_an_interface_it_gave_is_refused_later() {
    // (Opened as IMAPIProp, the store would also break the reflexive and symmetric rules.)
    let report = com_identity_opened_as(Defect::QiUnstable, &[Iid::IMAPIPROP, Iid::IMAPIPROP], None);
    only_com_rule(&report, &rules::COM_QI_STABLE);
}

#[test]
fn com_qi_nointerface_fires_when_every_iid_is_answered() {
    only_com_rule(
        &com_identity(Defect::QiAnswersAll, &[]),
        &rules::COM_QI_NOINTERFACE,
    );
}

/// The zoo's store opened twice, the second time asking for `second` (a reuse of the open
/// store), and once in a second session asking for `second` (a fresh logon).
fn open_asking(defect: Defect, second: Iid) -> (Report, MapiResult<()>, MapiResult<()>) {
    let sim = builder(defect).build();
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    let again = session.open_msg_store_as(&row.entry_id, OpenStoreFlags::WRITE, Some(second));
    let reused = again.as_ref().map(drop).map_err(|e| *e);
    drop(again);
    let other = mapi
        .logon_ex("Zoo", LogonFlags::EXTENDED | LogonFlags::NEW_SESSION)
        .unwrap();
    let row = other.msg_stores_table().unwrap().default_store().unwrap();
    let fresh = other
        .open_msg_store_as(&row.entry_id, OpenStoreFlags::WRITE, Some(second))
        .map(drop);
    other.logoff(SessionLogoffFlags::empty()).unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    (sim.finish(), reused, fresh)
}

#[test]
fn a_store_asked_for_an_interface_it_has_or_lacks_breaks_nothing_when_it_answers_right() {
    let (report, reused, fresh) = open_asking(Defect::None, Iid::IMAPIPROP);
    report.assert_clean();
    assert_eq!((reused, fresh), (Ok(()), Ok(())));
    let (report, reused, fresh) = open_asking(Defect::None, Iid::IMSLOGON);
    report.assert_clean();
    assert_eq!(reused, Err(MapiError::InterfaceNotSupported));
    assert_eq!(fresh, Err(MapiError::InterfaceNotSupported));
}

#[test]
fn logon_interface_fires_when_logon_returns_a_store_without_the_interface_asked() {
    let (report, reused, fresh) = open_asking(Defect::IgnoresInterface, Iid::IMSLOGON);
    assert_eq!((reused, fresh), (Ok(()), Ok(())), "the provider said yes");
    assert_fires(&report, &rules::LOGON_INTERFACE);
    assert_eq!(report.count(&rules::LOGON_INTERFACE), 2, "{}", report.account());
}

#[test]
fn logon_mapierror_fires_for_utf16_strings_without_mapi_unicode() {
    let report = lifecycle(Defect::ExplainsInUnicode);
    assert_fires(&report, &rules::LOGON_MAPIERROR);
    let v = report
        .violations
        .iter()
        .find(|v| v.rule.id == "LOGON-MAPIERROR")
        .unwrap();
    assert!(v.message.contains("in UTF-16 (\"locked\")"), "{}", v.message);
    // An explanation in 8-bit strings, as MAPI called, breaks nothing of the kind.
    let clean = lifecycle(Defect::FailExplained(MapiError::LogonFailed, false));
    assert!(!clean.fired(&rules::LOGON_MAPIERROR), "{}", clean.account());
}

#[test]
fn client_fast_shutdown_order_fires_for_a_do_fast_shutdown_never_queried() {
    let (sim, _mapi, session, _store) = zoo_session(Defect::None, Behavior::default(), LogonFlags::EXTENDED);
    session.do_fast_shutdown().unwrap();
    let report = sim.finish();
    assert_fires(&report, &rules::CLIENT_FAST_SHUTDOWN_ORDER);
    assert_eq!(
        report.rule_ids(),
        ["CLIENT-FAST-SHUTDOWN-ORDER"],
        "{}",
        report.account()
    );
}

#[test]
fn client_after_fast_shutdown_fires_for_a_mapiuninitialize_after_the_exit() {
    let (sim, mapi, session, _store) = zoo_session(Defect::None, Behavior::default(), LogonFlags::EXTENDED);
    session.query_fast_shutdown().unwrap();
    session.notify_process_shutdown().unwrap();
    session.do_fast_shutdown().unwrap();
    let _ = mapi.uninitialize();
    let report = sim.finish();
    assert_fires(&report, &rules::CLIENT_AFTER_FAST_SHUTDOWN);
}

/// The address-book zoo: its lifecycle (open the address book, log off) with a defect.
fn ab_lifecycle(defect: zoo::ab::AbDefect) -> (Report, MapiResult<Option<MapiWarning>>) {
    let sim = zoo::ab::ab_builder(defect).build();
    let warning = zoo::ab::run_address_book(&sim, "ZOOAB");
    (sim.finish(), warning)
}

#[test]
fn the_defect_free_zoo_address_book_breaks_nothing() {
    let (report, warning) = ab_lifecycle(zoo::ab::AbDefect::None);
    report.assert_clean();
    assert_eq!(warning, Ok(None));
}

#[test]
fn ab_logon_addref_support_fires_and_mapi_unloads_the_provider() {
    let (report, warning) = ab_lifecycle(zoo::ab::AbDefect::NoSupportAddRef);
    assert_fires(&report, &rules::AB_LOGON_ADDREF_SUPPORT);
    assert!(
        !report.fired(&rules::LOGON_ADDREF_SUPPORT),
        "{}",
        report.account()
    );
    // The provider is left out of the address book, with the warning.
    assert_eq!(warning, Ok(Some(MapiWarning::ErrorsReturned)));
    // MAPI unloads it at once: Logoff, the logon's release, Shutdown, the provider's release and
    // FreeLibrary follow the Logon, before the client's next call.
    let text = report.trace().to_string();
    let line = |what: &str| {
        text.lines()
            .position(|l| l.contains("MAPI -> IABProvider#") && l.contains(what))
    };
    let logoff = text
        .lines()
        .position(|l| l.contains("IMAPISession#") && l.contains(": Logoff("));
    let (logon, shutdown) = (line(": Logon("), line(": Shutdown("));
    assert!(
        logon.is_some() && shutdown.is_some() && logoff.is_some(),
        "{text}"
    );
    assert!(logon < shutdown && shutdown < logoff, "{text}");
    assert!(report.leaks.is_empty(), "{}", report.account());
}

#[test]
fn ab_logon_security_fires_when_the_credentials_are_not_zeroed() {
    let (report, warning) = ab_lifecycle(zoo::ab::AbDefect::KeepsSecurity);
    assert_fires(&report, &rules::AB_LOGON_SECURITY);
    assert_eq!(
        warning,
        Ok(None),
        "the logon stays: the check reports, MAPI goes on"
    );
    let (report, _) = ab_lifecycle(zoo::ab::AbDefect::None);
    assert!(!report.fired(&rules::AB_LOGON_SECURITY));
}

#[test]
fn an_address_book_logon_must_register_its_mapiuid() {
    let (report, _) = ab_lifecycle(zoo::ab::AbDefect::NoProviderUid);
    assert_fires(&report, &rules::LOGON_REGISTER_UID);
}

#[test]
fn an_address_book_logon_that_fails_keeps_no_support_reference() {
    let (report, warning) = ab_lifecycle(zoo::ab::AbDefect::FailKeepsSupport);
    assert_fires(&report, &rules::LOGON_FAIL_CLEAN);
    assert_eq!(warning, Ok(Some(MapiWarning::ErrorsReturned)));
}

#[test]
fn a_dll_without_abproviderinit_breaks_lib_export() {
    let (report, warning) = ab_lifecycle(zoo::ab::AbDefect::NoExport);
    assert_fires(&report, &rules::LIB_EXPORT);
    assert!(
        report.account().contains("does not export ABProviderInit"),
        "{}",
        report.account()
    );
    assert_eq!(warning, Ok(Some(MapiWarning::ErrorsReturned)));
}

#[test]
fn a_panic_in_an_address_book_logon_is_reported_and_the_session_goes_on() {
    let (report, warning) = ab_lifecycle(zoo::ab::AbDefect::PanicInLogon);
    assert_fires(&report, &rules::PROVIDER_PANIC);
    assert_eq!(warning, Ok(Some(MapiWarning::ErrorsReturned)));
}

/// The transport zoo: the zoo store submits at its StoreLogoff (announced), the spooler starts the
/// zoo transport.
fn xp_lifecycle(defect: zoo::xp::XpDefect) -> Report {
    let sim = zoo::xp::xp_builder(Defect::SubmitsAnnounced, defect).build();
    zoo::xp::run_transport(&sim);
    sim.finish()
}

#[test]
fn the_defect_free_zoo_transport_breaks_nothing() {
    let report = xp_lifecycle(zoo::xp::XpDefect::None);
    report.assert_clean();
    let text = report.trace().to_string();
    for call in [
        "XPProviderInit(",
        ": TransportLogon(",
        ": AddressTypes(",
        ": TransportNotify(",
        ": Poll(",
        ": StartMessage(",
        "the spooler delivers",
        ": TransportLogoff(",
    ] {
        assert!(text.contains(call), "no {call} in:\n{text}");
    }
}

#[test]
fn xp_inbound_entryid_fires_for_a_transport_that_sets_the_entry_id_of_an_incoming_message() {
    let report = xp_lifecycle(zoo::xp::XpDefect::InboundEntryId);
    assert_fires(&report, &rules::XP_INBOUND_ENTRYID);
    // MAPI refused the property: the rest of the message was delivered.
    let text = report.trace().to_string();
    assert!(text.contains("the spooler delivers"), "{text}");
}

#[test]
fn xp_startmessage_error_is_advice_for_a_failure_without_a_critical_error() {
    let report = xp_lifecycle(zoo::xp::XpDefect::StartMessageFails);
    assert_fires(&report, &rules::XP_STARTMESSAGE_ERROR);
    assert!(report.is_clean(), "advice only: {}", report.account());
    assert!(
        report
            .trace()
            .to_string()
            .contains("the message in process is lost")
    );
    // The same failure announced with NOTIFY_CRITICAL_ERROR is what the page asks for.
    xp_lifecycle(zoo::xp::XpDefect::StartMessageFailsCritically).assert_pedantic();
}

/// How many times the trace shows `SubmitMessage` by the spooler, and whether `FinishedMsg` came.
fn submits_and_finished(report: &Report) -> (usize, bool) {
    let text = report.trace().to_string();
    let submits = text
        .lines()
        .filter(|l| l.contains("spooler -> IXPLogon#") && l.contains(": SubmitMessage("))
        .count();
    (submits, text.contains(": FinishedMsg("))
}

#[test]
fn xp_submit_return_parm_fires_for_a_wait_without_a_delay() {
    let report = zoo::xp::run_sending(zoo::xp::XpDefect::WaitWithoutReturnParm, 1, 1);
    assert_fires(&report, &rules::XP_SUBMIT_RETURN_PARM);
    // The spooler kept the message and offered it again at idle time.
    assert_eq!(submits_and_finished(&report), (2, true), "{}", report.trace());
}

#[test]
fn a_transport_that_asks_to_wait_gets_the_message_again_at_idle_time() {
    let report = zoo::xp::run_sending(zoo::xp::XpDefect::WaitWithReturnParm, 1, 0);
    report.assert_pedantic();
    assert_eq!(submits_and_finished(&report), (1, false), "not before idle time");
    assert!(
        report
            .trace()
            .to_string()
            .contains("offered again at the spooler's next idle time")
    );
    let report = zoo::xp::run_sending(zoo::xp::XpDefect::WaitWithReturnParm, 1, 1);
    report.assert_pedantic();
    assert_eq!(submits_and_finished(&report), (2, true), "{}", report.trace());
}

#[test]
fn a_message_a_transport_refuses_goes_to_the_next_one() {
    let report = zoo::xp::run_sending(zoo::xp::XpDefect::FirstNotMe, 2, 0);
    report.assert_pedantic();
    let text = report.trace().to_string();
    assert!(
        text.contains("SubmitMessage(0, IMessage#") && text.contains("= MAPI_E_NOT_ME"),
        "{text}"
    );
    assert_eq!(submits_and_finished(&report), (2, true), "{text}");
    // No EndMessage for the refusal: one for the transport that took it.
    assert_eq!(text.matches(": EndMessage(").count(), 1, "{text}");
    // With the refusing transport alone, the message stays in the outbox.
    let report = zoo::xp::run_sending(zoo::xp::XpDefect::FirstNotMe, 1, 0);
    report.assert_pedantic();
    assert!(
        report
            .trace()
            .to_string()
            .contains("every transport answered MAPI_E_NOT_ME"),
        "{}",
        report.trace()
    );
}

#[test]
fn a_deferred_message_is_offered_again_when_the_transport_asks_for_it() {
    let report = zoo::xp::run_sending(zoo::xp::XpDefect::Defers, 1, 1);
    report.assert_pedantic();
    let text = report.trace().to_string();
    let deferred = text.find("END_DONT_RESEND").unwrap();
    let asked = text.find("SpoolerNotify(NOTIFY_SENTDEFERRED").unwrap();
    let again = text.find("SubmitMessage(1, IMessage#").unwrap();
    let finished = text.find(": FinishedMsg(").unwrap();
    assert!(deferred < asked && asked < again && again < finished, "{text}");
    // Without idle time the transport never asks: the message stays with it until the store
    // logs off.
    let report = zoo::xp::run_sending(zoo::xp::XpDefect::Defers, 1, 0);
    report.assert_pedantic();
    assert_eq!(submits_and_finished(&report), (1, false));
}

#[test]
fn a_transport_that_always_restarts_a_message_is_bounded() {
    let report = zoo::xp::run_sending(zoo::xp::XpDefect::ResendNow, 1, 0);
    report.assert_pedantic();
    // The first offer and three restarts, then it waits for idle time.
    assert_eq!(submits_and_finished(&report), (4, false), "{}", report.trace());
    assert!(report.trace().to_string().contains("END_RESEND_NOW 3 times"));
}

#[test]
fn a_transport_may_stop_an_incoming_message_by_not_saving_it() {
    let report = xp_lifecycle(zoo::xp::XpDefect::StartMessageStops);
    report.assert_pedantic();
    let text = report.trace().to_string();
    assert!(text.contains("the transport stopped the message"), "{text}");
    assert!(!text.contains("the spooler delivers"), "{text}");
}

#[test]
fn xp_logon_addref_support_fires_and_the_logon_ends_at_once() {
    let report = xp_lifecycle(zoo::xp::XpDefect::NoSupportAddRef);
    assert_fires(&report, &rules::XP_LOGON_ADDREF_SUPPORT);
    let text = report.trace().to_string();
    // MAPI's release of the support object was the last: the logon is torn down before the
    // spooler goes on, and never enabled.
    assert!(!text.contains(": AddressTypes("), "{text}");
    assert!(text.contains(": TransportLogoff(0)"), "{text}");
    assert!(report.leaks.is_empty(), "{}", report.account());
}

#[test]
fn xp_status_row_is_advice_when_a_transport_has_no_row() {
    let report = xp_lifecycle(zoo::xp::XpDefect::NoStatusRow);
    assert_fires(&report, &rules::XP_STATUS_ROW);
    assert!(report.is_clean(), "advice only: {}", report.account());
}

#[test]
fn spooler_notify_flags_fires_for_a_transport_that_passes_a_stores_flag() {
    let report = xp_lifecycle(zoo::xp::XpDefect::NewMailReceived);
    assert_fires(&report, &rules::SPOOLER_NOTIFY_FLAGS);
    assert!(
        report
            .account()
            .contains("a transport provider called SpoolerNotify")
    );
}

#[test]
fn a_transport_in_critical_error_is_called_no_more_but_released() {
    let report = xp_lifecycle(zoo::xp::XpDefect::CriticalError);
    report.assert_clean();
    let text = report.trace().to_string();
    assert!(text.contains("critical error"), "{text}");
    // Neither TransportNotify(END_*) nor anything else after the error, only the logoff.
    let error = text
        .lines()
        .position(|l| l.contains("NOTIFY_CRITICAL_ERROR"))
        .unwrap();
    assert!(
        !text.lines().skip(error).any(|l| l.contains("NOTIFY_END_")),
        "{text}"
    );
    assert!(text.contains(": TransportLogoff(0)"), "{text}");
}

#[test]
fn transport_logoff_counts_as_logged_off_whatever_it_returns() {
    let report = xp_lifecycle(zoo::xp::XpDefect::LogoffFails);
    report.assert_clean();
    let text = report.trace().to_string();
    assert!(
        text.contains(": TransportLogoff(0) = MAPI_E_CALL_FAILED"),
        "{text}"
    );
    assert!(
        text.contains("IXPProvider#") && text.contains(": Shutdown(0)"),
        "{text}"
    );
}

#[test]
fn a_failed_transport_logon_leaves_the_session_going() {
    let report = xp_lifecycle(zoo::xp::XpDefect::FailLogon(MapiError::LogonFailed));
    report.assert_clean();
    assert!(report.trace().to_string().contains("is disabled for session"));
}

#[test]
fn store_readytosend_is_advice_for_a_store_that_submits_unannounced() {
    let sim = zoo::xp::xp_builder(Defect::SubmitsUnannounced, zoo::xp::XpDefect::None).build();
    zoo::xp::run_transport(&sim);
    let report = sim.finish();
    assert_fires(&report, &rules::STORE_READYTOSEND);
    assert!(report.is_clean(), "advice only: {}", report.account());
    assert!(!xp_lifecycle(zoo::xp::XpDefect::None).fired(&rules::STORE_READYTOSEND));
}

#[test]
fn a_logon_and_its_status_object_that_hold_each_other_are_reported_as_a_cycle() {
    let (report, _) = ab_lifecycle(zoo::ab::AbDefect::StatusCycle);
    assert_fires(&report, &rules::SESSION_LEAK);
    let cycle = report
        .leaks
        .cycles
        .iter()
        .find(|c| c.iter().any(|l| l.to_string().starts_with("IABLogon#")))
        .unwrap_or_else(|| panic!("no cycle with the logon: {}", report.account()));
    assert!(
        cycle.iter().any(|l| l.to_string().starts_with("IMAPIStatus#")),
        "{cycle:?}"
    );
}

#[test]
fn an_address_book_that_shows_ui_breaks_the_no_dialog_and_service_rules() {
    // AB_NO_DIALOG: the client did not allow logon UI.
    let (report, _) = ab_lifecycle(zoo::ab::AbDefect::DialogInLogon);
    assert_fires(&report, &rules::LOGON_NO_DIALOG);
    // Inside a Windows service: no UI at all.
    let sim = zoo::ab::ab_builder(zoo::ab::AbDefect::DialogInLogon)
        .windows_service_client(true)
        .build();
    sim.profiles()
        .create("Book")
        .unwrap()
        .add_service("ZOOAB")
        .unwrap();
    let mapi = sim.initialize(InitFlags::NT_SERVICE).unwrap();
    let session = mapi
        .logon_ex(
            "Book",
            LogonFlags::EXTENDED | LogonFlags::NT_SERVICE | LogonFlags::NO_MAIL,
        )
        .unwrap();
    drop(session.open_address_book().unwrap());
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    assert_fires(&sim.finish(), &rules::SERVICE_PROVIDER_NO_UI);
}

#[test]
fn client_no_mail_send_is_advice_unless_the_store_is_tightly_coupled_with_a_transport() {
    use mapisim::props::{PR_SERVICE_DLL_NAME_A, PR_SERVICE_ENTRY_NAME};
    for coupled in [false, true] {
        let transport_flags = if coupled {
            ResourceFlags::OWN_STORE
        } else {
            ResourceFlags::empty()
        };
        let service = ServiceDef::new("PAIR")
            .prop(PR_SERVICE_DLL_NAME_A, SampleStore::DLL_BASE)
            .prop(PR_SERVICE_ENTRY_NAME, "ServiceEntry")
            .provider(
                ProviderDef::store(SampleStore::DLL_BASE)
                    .display_name("Sample Store")
                    .provider_display("Sample Store Provider")
                    .resource_flags(ResourceFlags::DEFAULT_STORE),
            )
            .provider(
                ProviderDef::new(ResourceType::TransportProvider, SampleStore::DLL_BASE)
                    .display_name("Sample Transport")
                    .resource_flags(transport_flags),
            );
        let sim = Simulator::builder()
            .library(SampleStore::DLL_FILE, SampleStore::library)
            .service(service)
            .build();
        sim.profiles().create("P").unwrap().add_service("PAIR").unwrap();
        let mapi = sim.initialize(InitFlags::empty()).unwrap();
        let session = mapi
            .logon_ex("P", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
            .unwrap();
        let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
        let opened = store
            .open_entry(Some(&mapisim::sample::sample_new_message_id()), None, 0)
            .unwrap();
        store.submit_message(&opened.message().unwrap(), 0).unwrap();
        drop(opened);
        store.store_logoff(LogoffFlags::ORDERLY).unwrap();
        drop(store);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        mapi.uninitialize().unwrap();
        let report = sim.finish();
        assert!(report.is_clean(), "advice only: {}", report.account());
        assert_eq!(
            report.fired(&rules::CLIENT_NO_MAIL_SEND),
            !coupled,
            "{}",
            report.account()
        );
    }
}

#[test]
fn failoneprovider_from_transportlogon_fails_the_transport_alone() {
    let report = xp_lifecycle(zoo::xp::XpDefect::FailLogon(MapiError::FailOneProvider));
    report.assert_clean();
    let text = report.trace().to_string();
    assert!(text.contains("only this provider fails"), "{text}");
    assert!(!text.contains("is disabled for session"), "{text}");
}
