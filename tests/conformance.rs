//! The conformance battery on the bundled samples, and on the zoo.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use mapisim::conformance::{Conformance, Verdict};
use mapisim::runtime::SltTiming;
use mapisim::sample::{SampleConfig, SampleLibrary, SampleStore, SampleSuite};

fn sample_suite() -> Conformance {
    Conformance::adapting(SampleStore::DLL_FILE, |behavior| {
        SampleLibrary::new(SampleConfig::for_behavior(behavior))
    })
    .mapisvc_inf(SampleSuite::MAPISVC_INF)
    .unwrap()
    .slt_timings(&[SltTiming::InStoreLogoff, SltTiming::AtFinalRelease])
}

#[test]
fn the_sample_suite_passes_the_whole_battery() {
    let report = sample_suite().run().unwrap();
    report.assert_clean();
    // Every scenario ran: the suite holds all three kinds.
    for scenario in Conformance::scenarios() {
        assert!(
            report
                .outcomes
                .iter()
                .any(|o| o.scenario == scenario.name && !matches!(o.verdict, Verdict::Skipped(_))),
            "{} did not run",
            scenario.name
        );
    }
    // Every kind of fault was injected, in every scenario.
    for kind in [
        "allocation ",
        "support call ",
        " panics",
        " returns MAPI_E_UNCONFIGURED",
    ] {
        let with = |name: &str| {
            report
                .outcomes
                .iter()
                .any(|o| o.scenario == name && o.fault.as_deref().is_some_and(|f| f.contains(kind)))
        };
        assert!(with("lifecycle"), "no fault of the kind {kind:?}");
    }
    assert!(report.runs() > 1000, "{} runs", report.runs());
    // A plain run of the sample earns no advice either.
    let advised: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| o.fault.is_none() && !o.advisories.is_empty())
        .map(|o| (o.scenario, o.advisories.clone()))
        .collect();
    assert!(advised.is_empty(), "{advised:?}");
    // The table names every scenario, each ok.
    let table = report.to_string();
    assert!(table.starts_with("scenario"), "{table}");
    assert_eq!(
        table.lines().filter(|l| l.ends_with("  ok")).count(),
        Conformance::scenarios().len(),
        "{table}"
    );
}

#[test]
fn the_sample_suite_passes_pedantic_too_and_names_its_readings() {
    let report = sample_suite().pedantic(true).run().unwrap();
    report.assert_clean();
    // Every injected failure reached the client unchanged (a panic as MAPI_E_CALL_FAILED).
    assert!(report.outcomes.iter().all(|o| o.changed_error.is_none()));
    assert!(
        report
            .outcomes
            .iter()
            .any(|o| o.fault.is_some() && !o.client_errors.is_empty()),
        "no fault reached the client"
    );
    // Both readings of StoreLogoffTransports's timing ran (the sample adapts to either), and
    // every combination of MAPI's readings.
    let variants: std::collections::BTreeSet<&str> = report
        .outcomes
        .iter()
        .filter(|o| o.scenario == "lifecycle")
        .map(|o| o.variant.as_str())
        .collect();
    assert_eq!(variants.len(), 32, "{variants:?}");
    assert!(variants.contains("default"));
    assert!(variants.contains(
        "SltTiming::AtFinalRelease, TeardownCleanup::MapiInSupportRelease, SpoolSecurity::Required, \
         UnloadTiming::WhenLastProviderReleased, TransportActivity::Busy"
    ));
}

mod zoo;

use mapisim::MapiError;
use mapisim::runtime::{Behavior, ReuseLogon, StoreStatusRow};
use zoo::ab::{AbDefect, ZOO_AB_FILE, ZooAbLibrary, zoo_ab_service};
use zoo::xp::{XpDefect, ZOO_XP_FILE, ZooXpLibrary, zoo_xp_service};
use zoo::{Defect, ZOO_FILE, ZooLibrary, zoo_service};

/// The zoo store with `defect`, the sample's DLL beside it (a defect loads it).
fn ms(defect: Defect) -> Conformance {
    Conformance::new(ZOO_FILE, move || ZooLibrary::new(defect))
        .service(zoo_service("ZOO"))
        .configure(|b| b.library(SampleStore::DLL_FILE, SampleStore::library))
}

fn ab(defect: AbDefect) -> Conformance {
    Conformance::new(ZOO_AB_FILE, move || ZooAbLibrary::new(defect)).service(zoo_ab_service("ZOOAB"))
}

fn xp(defect: XpDefect) -> Conformance {
    Conformance::new(ZOO_XP_FILE, move || ZooXpLibrary::new(defect)).service(zoo_xp_service("ZOOXP"))
}

/// What the battery must say of a zoo entry.
enum Expect {
    /// The rule fires in the scenario.
    Fires(&'static str, &'static str),
    /// The step fails in the scenario's run without a fault (the provider cannot be used).
    StepFails(&'static str, &'static str),
    /// A fault run's step gets another error than the injected one.
    ChangesError(&'static str, &'static str),
    /// A correct provider (the zoo's controls): every run clean.
    Clean,
}

use Expect::{ChangesError, Clean, Fires, StepFails};

#[test]
fn every_zoo_entry_fails_the_battery_with_its_rule_in_its_scenario_and_every_control_passes() {
    let logon_failed = MapiError::LogonFailed;
    let table: Vec<(&str, Conformance, Expect)> = vec![
        ("None", ms(Defect::None), Clean),
        ("NoExport", ms(Defect::NoExport), Fires("lifecycle", "LIB-EXPORT")),
        (
            "SingletonProvider",
            ms(Defect::SingletonProvider),
            Fires("two-sessions", "INIT-NEW-OBJECT"),
        ),
        (
            "NewerVersion",
            ms(Defect::NewerVersion),
            Fires("lifecycle", "INIT-VERSION"),
        ),
        // MAPI refuses a provider older than it accepts: no store ever opens.
        (
            "AncientVersion",
            ms(Defect::AncientVersion),
            StepFails("lifecycle", "OpenMsgStore"),
        ),
        (
            "RejectsNewerMapi",
            ms(Defect::RejectsNewerMapi),
            Fires("newer-mapi-spi", "INIT-VERSION-RANGE"),
        ),
        (
            "LoadsAndForgets",
            ms(Defect::LoadsAndForgets),
            Fires("lifecycle", "LIB-LOAD-PAIRED"),
        ),
        (
            "MallocKept",
            ms(Defect::MallocKept),
            Fires("lifecycle", "MALLOC-HELD"),
        ),
        (
            "SupportOverRelease",
            ms(Defect::SupportOverRelease),
            Fires("lifecycle", "OVER-RELEASE"),
        ),
        (
            "CompareNeverSame",
            ms(Defect::CompareNeverSame),
            Fires("reopen", "COMPARE-STORE-IDS"),
        ),
        (
            "CompareOneWay",
            ms(Defect::CompareOneWay),
            Fires("two-stores-of-one-provider", "COMPARE-STORE-IDS"),
        ),
        (
            "NoSupportAddRef",
            ms(Defect::NoSupportAddRef),
            Fires("lifecycle", "LOGON-ADDREF-SUPPORT"),
        ),
        (
            "DoubleSupportAddRef",
            ms(Defect::DoubleSupportAddRef),
            Fires("lifecycle", "TEARDOWN-ROW-UIDS"),
        ),
        ("TwoSupportRefsInStore", ms(Defect::TwoSupportRefsInStore), Clean),
        (
            "NoLogonObject",
            ms(Defect::NoLogonObject),
            Fires("lifecycle", "LOGON-OBJECTS"),
        ),
        (
            "FailKeepsSupport",
            ms(Defect::FailKeepsSupport),
            Fires("lifecycle", "LOGON-FAIL-CLEAN"),
        ),
        (
            "FailLogon",
            ms(Defect::FailLogon(logon_failed)),
            StepFails("lifecycle", "OpenMsgStore"),
        ),
        // A MAPIERROR allocated with routines that are not MAPI's.
        (
            "FailExplained",
            ms(Defect::FailExplained(logon_failed, true)),
            Fires("lifecycle", "MEM-OUT-ROOT"),
        ),
        (
            "FailExplained (MAPI's memory)",
            ms(Defect::FailExplained(logon_failed, false)),
            StepFails("lifecycle", "OpenMsgStore"),
        ),
        (
            "ExplainsInUnicode",
            ms(Defect::ExplainsInUnicode),
            Fires("lifecycle", "LOGON-MAPIERROR"),
        ),
        (
            "FailFirstLogon",
            ms(Defect::FailFirstLogon(logon_failed)),
            StepFails("lifecycle", "OpenMsgStore"),
        ),
        // Right under one reading, wrong under the other: the battery runs the one chosen.
        (
            "ReuseReturnsLogon",
            ms(Defect::ReuseReturnsLogon)
                .base_behavior(Behavior::default().with_reuse_logon(ReuseLogon::Null)),
            Fires("reopen", "LOGON-REUSE-NO-LOGON"),
        ),
        (
            "ReuseReturnsLogon (its reading)",
            ms(Defect::ReuseReturnsLogon),
            Clean,
        ),
        (
            "QiTearOffIdentity",
            ms(Defect::QiTearOffIdentity),
            Fires("interfaces", "COM-QI-IUNKNOWN"),
        ),
        (
            "QiNotReflexive",
            ms(Defect::QiNotReflexive),
            Fires("interfaces", "COM-QI-REFLEXIVE"),
        ),
        (
            "QiNotSymmetric",
            ms(Defect::QiNotSymmetric),
            Fires("interfaces", "COM-QI-SYMMETRIC"),
        ),
        (
            "QiNotTransitive",
            ms(Defect::QiNotTransitive),
            Fires("interfaces", "COM-QI-TRANSITIVE"),
        ),
        (
            "QiUnstable",
            ms(Defect::QiUnstable),
            Fires("interfaces", "COM-QI-STABLE"),
        ),
        (
            "QiAnswersAll",
            ms(Defect::QiAnswersAll),
            Fires("interfaces", "COM-QI-NOINTERFACE"),
        ),
        (
            "IgnoresInterface",
            ms(Defect::IgnoresInterface),
            Fires("interfaces", "LOGON-INTERFACE"),
        ),
        ("OptsOutOfFastShutdown", ms(Defect::OptsOutOfFastShutdown), Clean),
        (
            "ReuseReturnsNewLogon",
            ms(Defect::ReuseReturnsNewLogon),
            Fires("reopen", "LOGON-REUSE-NO-LOGON"),
        ),
        (
            "ReuseReturnsOtherStore",
            ms(Defect::ReuseReturnsOtherStore),
            Fires("reopen", "LOGON-REUSE-SAME-STORE"),
        ),
        (
            "ReuseAddRefsSupport",
            ms(Defect::ReuseAddRefsSupport),
            Fires("reopen", "LOGON-REUSE-NO-ADDREF"),
        ),
        (
            "ReuseRegistersUid",
            ms(Defect::ReuseRegistersUid),
            Fires("reopen", "LOGON-REUSE-NO-SETUP"),
        ),
        (
            "ReuseReturnsSpoolData",
            ms(Defect::ReuseReturnsSpoolData),
            Fires("reopen", "LOGON-REUSE-NO-SETUP"),
        ),
        ("ReuseUpdatesStatusRow", ms(Defect::ReuseUpdatesStatusRow), Clean),
        (
            "ReuseReplacesStatusRow",
            ms(Defect::ReuseReplacesStatusRow),
            Fires("reopen", "LOGON-REUSE-NO-SETUP"),
        ),
        (
            "ReuseOpensSection",
            ms(Defect::ReuseOpensSection),
            Fires("reopen", "LOGON-REUSE-NO-SETUP"),
        ),
        (
            "NoProfileEntryId",
            ms(Defect::NoProfileEntryId),
            Fires("lifecycle", "LOGON-ENTRYID"),
        ),
        (
            "NoProfileRecordKey",
            ms(Defect::NoProfileRecordKey),
            Fires("lifecycle", "LOGON-PROFILE-PROPS"),
        ),
        (
            "NoProviderUid",
            ms(Defect::NoProviderUid),
            Fires("lifecycle", "LOGON-REGISTER-UID"),
        ),
        // Advice: only a pedantic battery with its fault loop fails it.
        (
            "ChangesErrors",
            ms(Defect::ChangesErrors),
            ChangesError("lifecycle", "OpenMsgStore"),
        ),
        (
            "NoStatusRow",
            ms(Defect::NoStatusRow)
                .base_behavior(Behavior::default().with_status_row(StoreStatusRow::Required)),
            Fires("lifecycle", "LOGON-STATUS-ROW"),
        ),
        (
            "DialogInLogon",
            ms(Defect::DialogInLogon),
            Fires("no-dialog", "LOGON-NO-DIALOG"),
        ),
        // Where no UI is allowed it refuses with MAPI_E_LOGON_FAILED, as the flag's page says:
        // once taken for a failed step.
        ("AsksWhenAllowed", ms(Defect::AsksWhenAllowed), Clean),
        (
            "NoSpoolSecurity",
            ms(Defect::NoSpoolSecurity),
            Fires("lifecycle", "LOGON-SPOOL-SECURITY"),
        ),
        (
            "SpoolerNotifyInLogon",
            ms(Defect::SpoolerNotifyInLogon),
            Fires("lifecycle", "LOGON-NO-SPOOLER-NOTIFY"),
        ),
        (
            "PrepareSubmitInLogon",
            ms(Defect::PrepareSubmitInLogon),
            Fires("lifecycle", "LOGON-NO-SPOOLER-NOTIFY"),
        ),
        (
            "MissingStoreProp",
            ms(Defect::MissingStoreProp),
            Fires("lifecycle", "STORE-REQUIRED-PROPS"),
        ),
        ("AnsiOnlyStore", ms(Defect::AnsiOnlyStore), Clean),
        (
            "NoStringAtAll",
            ms(Defect::NoStringAtAll),
            Fires("lifecycle", "STORE-REQUIRED-PROPS"),
        ),
        (
            "UnwrappedStoreEntryId",
            ms(Defect::UnwrappedStoreEntryId),
            Fires("lifecycle", "STORE-WRAPPED-ENTRYID"),
        ),
        (
            "LogonHoldsSupport",
            ms(Defect::LogonHoldsSupport),
            Fires("lifecycle", "TEARDOWN-ROW-UIDS"),
        ),
        (
            "LogonReleasesSupportInLogoff",
            ms(Defect::LogonReleasesSupportInLogoff),
            Fires("lifecycle", "STORE-RELEASES-SUPPORT"),
        ),
        (
            "SpoolerReturnsOtherStore",
            ms(Defect::SpoolerReturnsOtherStore),
            Fires("lifecycle", "SPOOLER-SAME-OBJECTS"),
        ),
        (
            "SpoolerLogonFails",
            ms(Defect::SpoolerLogonFails),
            Fires("lifecycle", "SPOOLER-LOGON"),
        ),
        (
            "BadSpoolerNotifyFlags",
            ms(Defect::BadSpoolerNotifyFlags),
            Fires("lifecycle", "SPOOLER-NOTIFY-FLAGS"),
        ),
        (
            "SubmitsUnannounced",
            ms(Defect::SubmitsUnannounced),
            Fires("lifecycle", "STORE-READYTOSEND"),
        ),
        // The zoo plays a client's submission at its StoreLogoff: in a MAPI_NO_MAIL session that
        // message goes nowhere.
        (
            "SubmitsAnnounced",
            ms(Defect::SubmitsAnnounced),
            Fires("no-mail-session", "CLIENT-NO-MAIL-SEND"),
        ),
        ("NotifiesAtStoreLogoff", ms(Defect::NotifiesAtStoreLogoff), Clean),
        ("SltTwice", ms(Defect::SltTwice), Fires("lifecycle", "SLT-ONCE")),
        ("SltNever", ms(Defect::SltNever), Fires("lifecycle", "SLT-ONCE")),
        (
            "SltWrongFlag",
            ms(Defect::SltWrongFlag),
            Fires("lifecycle", "SLT-SAVED-FLAG"),
        ),
        (
            "SltDeferred",
            ms(Defect::SltDeferred),
            Fires("lifecycle", "SLT-TIMING"),
        ),
        (
            "CompareNeedsOpenStore",
            ms(Defect::CompareNeedsOpenStore),
            Fires("two-sessions", "COMPARE-STORE-IDS-NO-STORE"),
        ),
        (
            "IgnoresSltAnswer",
            ms(Defect::IgnoresSltAnswer),
            Fires("store-logoff-abort", "SLT-OUTPUT-ACTED"),
        ),
        (
            "StoreHoldsLogon",
            ms(Defect::StoreHoldsLogon),
            Fires("session-logoff-with-stores-held", "LOGON-RELEASED"),
        ),
        ("Cycle", ms(Defect::Cycle), Fires("lifecycle", "SESSION-LEAK")),
        ("CacheInStatics", ms(Defect::CacheInStatics), Clean),
        (
            "StashStatusInStatics",
            ms(Defect::StashStatusInStatics),
            Fires("lifecycle", "SESSION-LEAK"),
        ),
        (
            "StashLogon",
            ms(Defect::StashLogon),
            Fires("lifecycle", "SESSION-LEAK"),
        ),
        (
            "StashProvider",
            ms(Defect::StashProvider),
            Fires("lifecycle", "PROVIDER-RELEASED"),
        ),
        (
            "PanicInLogon",
            ms(Defect::PanicInLogon),
            Fires("lifecycle", "PROVIDER-PANIC"),
        ),
        (
            "PanicInLogoff",
            ms(Defect::PanicInLogoff),
            Fires("lifecycle", "PROVIDER-PANIC"),
        ),
        (
            "PanicInShutdown",
            ms(Defect::PanicInShutdown),
            Fires("lifecycle", "PROVIDER-PANIC"),
        ),
        (
            "PanicInDrop",
            ms(Defect::PanicInDrop),
            Fires("lifecycle", "PROVIDER-PANIC"),
        ),
        (
            "ReservedFlags",
            ms(Defect::ReservedFlags),
            Fires("lifecycle", "SUPPORT-FLAGS"),
        ),
        ("ReentrantLogoff", ms(Defect::ReentrantLogoff), Clean),
        (
            "NoServiceEntry",
            ms(Defect::NoServiceEntry),
            Fires("lifecycle", "SERVICE-ENTRY-EXPORT"),
        ),
        (
            "DeleteFails",
            ms(Defect::DeleteFails),
            Fires("delete-services", "SERVICE-DELETE-OK"),
        ),
        (
            "UiWithoutPermission",
            ms(Defect::UiWithoutPermission),
            Fires("lifecycle", "SERVICE-UI-ALLOWED"),
        ),
        ("NeedsConfiguration", ms(Defect::NeedsConfiguration), Clean),
        (
            "NeverConfigured",
            ms(Defect::NeverConfigured),
            StepFails("lifecycle", "OpenMsgStore"),
        ),
        (
            "WritesResourceFlags",
            ms(Defect::WritesResourceFlags),
            Fires("lifecycle", "PROFILE-READ-ONLY"),
        ),
        (
            "RegistersNewUid",
            ms(Defect::RegistersNewUid),
            Fires("lifecycle", "UID-HARD-CODED"),
        ),
        (
            "UidFromServiceEntry",
            ms(Defect::UidFromServiceEntry),
            Fires("lifecycle", "UID-HARD-CODED"),
        ),
        (
            "LeaksProfileProps",
            ms(Defect::LeaksProfileProps),
            Fires("lifecycle", "MEM-LEAK"),
        ),
        (
            "LeaksWrappedId",
            ms(Defect::LeaksWrappedId),
            Fires("lifecycle", "MEM-LEAK"),
        ),
        (
            "DoubleFree",
            ms(Defect::DoubleFree),
            Fires("lifecycle", "MEM-DOUBLE-FREE"),
        ),
        (
            "UseAfterFree",
            ms(Defect::UseAfterFree),
            Fires("lifecycle", "MEM-USE-AFTER-FREE"),
        ),
        (
            "FreesLinkedBlock",
            ms(Defect::FreesLinkedBlock),
            Fires("lifecycle", "MEM-FREE-LINKED"),
        ),
        (
            "ForeignFree",
            ms(Defect::ForeignFree),
            Fires("lifecycle", "MEM-FOREIGN-FREE"),
        ),
        (
            "MoreOnFreed",
            ms(Defect::MoreOnFreed),
            Fires("lifecycle", "MEM-MORE-ROOT"),
        ),
        // Only an allocation that fails shows it: the fault loop's find.
        (
            "LeakOnAllocFailure",
            ms(Defect::LeakOnAllocFailure).faults(true),
            Fires("lifecycle", "MEM-LEAK"),
        ),
        (
            "ForeignSpoolBlob",
            ms(Defect::ForeignSpoolBlob),
            Fires("lifecycle", "MEM-OUT-ROOT"),
        ),
        (
            "LinkedSpoolBlob",
            ms(Defect::LinkedSpoolBlob),
            Fires("lifecycle", "MEM-OUT-ROOT"),
        ),
        (
            "FreesHandedBlob",
            ms(Defect::FreesHandedBlob),
            Fires("lifecycle", "MEM-NOT-OWNER"),
        ),
        (
            "MallocOverRelease",
            ms(Defect::MallocOverRelease),
            Fires("lifecycle", "MALLOC-RELEASE"),
        ),
        (
            "UiInService",
            ms(Defect::UiInService),
            Fires("windows-service-client", "SERVICE-PROVIDER-NO-UI"),
        ),
        (
            "WorkerLeaks",
            ms(Defect::WorkerLeaks),
            Fires("lifecycle", "MEM-LEAK"),
        ),
        ("AB None", ab(AbDefect::None), Clean),
        (
            "AB NoExport",
            ab(AbDefect::NoExport),
            Fires("open-address-book", "LIB-EXPORT"),
        ),
        (
            "AB NoSupportAddRef",
            ab(AbDefect::NoSupportAddRef),
            Fires("open-address-book", "AB-LOGON-ADDREF-SUPPORT"),
        ),
        (
            "AB KeepsSecurity",
            ab(AbDefect::KeepsSecurity),
            Fires("open-address-book", "AB-LOGON-SECURITY"),
        ),
        (
            "AB NoProviderUid",
            ab(AbDefect::NoProviderUid),
            Fires("open-address-book", "LOGON-REGISTER-UID"),
        ),
        (
            "AB FailLogon",
            ab(AbDefect::FailLogon(logon_failed)),
            StepFails("open-address-book", "OpenAddressBook"),
        ),
        (
            "AB FailFirstLogon",
            ab(AbDefect::FailFirstLogon(logon_failed)),
            StepFails("open-address-book", "OpenAddressBook"),
        ),
        ("AB NeedsConfiguration", ab(AbDefect::NeedsConfiguration), Clean),
        (
            "AB FailKeepsSupport",
            ab(AbDefect::FailKeepsSupport),
            Fires("open-address-book", "LOGON-FAIL-CLEAN"),
        ),
        (
            "AB PanicInLogon",
            ab(AbDefect::PanicInLogon),
            Fires("open-address-book", "PROVIDER-PANIC"),
        ),
        (
            "AB StatusCycle",
            ab(AbDefect::StatusCycle),
            Fires("open-address-book", "SESSION-LEAK"),
        ),
        (
            "AB DialogInLogon",
            ab(AbDefect::DialogInLogon),
            Fires("open-address-book", "LOGON-NO-DIALOG"),
        ),
        ("XP None", xp(XpDefect::None), Clean),
        (
            "XP NoSupportAddRef",
            xp(XpDefect::NoSupportAddRef),
            Fires("send-one-message", "XP-LOGON-ADDREF-SUPPORT"),
        ),
        (
            "XP NoStatusRow",
            xp(XpDefect::NoStatusRow),
            Fires("send-one-message", "XP-STATUS-ROW"),
        ),
        (
            "XP NewMailReceived",
            xp(XpDefect::NewMailReceived),
            Fires("send-one-message", "SPOOLER-NOTIFY-FLAGS"),
        ),
        ("XP CriticalError", xp(XpDefect::CriticalError), Clean),
        (
            "XP FailLogon",
            xp(XpDefect::FailLogon(logon_failed)),
            StepFails("send-one-message", "TransportLogon"),
        ),
        ("XP LogoffFails", xp(XpDefect::LogoffFails), Clean),
        (
            "XP InboundEntryId",
            xp(XpDefect::InboundEntryId),
            Fires("send-one-message", "XP-INBOUND-ENTRYID"),
        ),
        (
            "XP StartMessageFails",
            xp(XpDefect::StartMessageFails),
            Fires("send-one-message", "XP-STARTMESSAGE-ERROR"),
        ),
        (
            "XP StartMessageFailsCritically",
            xp(XpDefect::StartMessageFailsCritically),
            Clean,
        ),
        ("XP StartMessageStops", xp(XpDefect::StartMessageStops), Clean),
        (
            "XP WaitWithoutReturnParm",
            xp(XpDefect::WaitWithoutReturnParm),
            Fires("send-one-message", "XP-SUBMIT-RETURN-PARM"),
        ),
        ("XP WaitWithReturnParm", xp(XpDefect::WaitWithReturnParm), Clean),
        ("XP FirstNotMe", xp(XpDefect::FirstNotMe), Clean),
        ("XP Defers", xp(XpDefect::Defers), Clean),
        ("XP ResendNow", xp(XpDefect::ResendNow), Clean),
    ];
    assert_eq!(
        table.len(),
        99 + 2 + 12 + 16,
        "every zoo entry, two of them twice"
    );
    let mut wrong = Vec::new();
    for (name, battery, expect) in table {
        // The fault loops are the sample's test's; here, the entries that need them ask.
        let faults = name == "LeakOnAllocFailure" || name == "ChangesErrors";
        let report = battery.faults(faults).pedantic(true).run().unwrap();
        match expect {
            Clean => {
                if !report.is_clean() {
                    wrong.push(format!("{name}: expected clean, got\n{report}"));
                }
            }
            Fires(scenario, rule) => {
                if !report.rule_ids_of(scenario).contains(&rule) {
                    wrong.push(format!("{name}: expected {rule} in {scenario}, got\n{report}"));
                }
            }
            ChangesError(scenario, step) => {
                let changed = report.outcomes.iter().any(|o| {
                    o.scenario == scenario && matches!(&o.verdict, Verdict::ErrorChanged(s, MapiError::LogonFailed, _) if *s == step)
                });
                if !changed {
                    wrong.push(format!(
                        "{name}: expected {step} to change an error in {scenario}, got\n{report}"
                    ));
                }
                // Not a failure without pedantry, only a note.
                let lenient = ms(Defect::ChangesErrors).only(scenario).run().unwrap();
                if !lenient.is_clean() || !lenient.outcomes.iter().any(|o| o.changed_error.is_some()) {
                    wrong.push(format!("{name}: without pedantry, expected a clean battery that notes the change, got\n{lenient}"));
                }
            }
            StepFails(scenario, step) => {
                let failed = report.outcomes.iter().any(|o| {
                    o.scenario == scenario && matches!(&o.verdict, Verdict::StepFailed(s, _) if *s == step)
                });
                if !failed {
                    wrong.push(format!(
                        "{name}: expected {step} to fail in {scenario}, got\n{report}"
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} zoo entries judged wrongly:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The zoo's correct providers pass the whole battery, fault loops included (which once found
/// a spool-security block the zoo store leaked when its status row could not be added).
#[test]
fn the_correct_zoo_providers_pass_every_fault() {
    for battery in [ms(Defect::None), ab(AbDefect::None), xp(XpDefect::None)] {
        let report = battery.run().unwrap();
        report.assert_clean();
        assert!(report.outcomes.iter().any(|o| o.fault.is_some()));
    }
}

#[test]
fn a_battery_that_cannot_run_says_why() {
    use mapisim::conformance::ConformanceError;
    let bare = Conformance::new(SampleStore::DLL_FILE, SampleStore::library);
    assert_eq!(bare.run().unwrap_err(), ConformanceError::NoService);
    // The services name another DLL: a battery that passed would say nothing of this library.
    let other = Conformance::new("MYPROV32.DLL", SampleStore::library)
        .mapisvc_inf(SampleSuite::MAPISVC_INF)
        .unwrap();
    match other.run().unwrap_err() {
        ConformanceError::OtherLibrary { dll, loads, file, .. } => {
            assert_eq!(
                (dll.as_str(), loads.as_str(), file.as_str()),
                ("SMPMS.DLL", "SMPMS32.DLL", "MYPROV32.DLL")
            );
        }
        e => panic!("{e}"),
    }
    assert_eq!(
        sample_suite().only("no-such-scenario").run().unwrap_err(),
        ConformanceError::UnknownScenario("no-such-scenario".to_owned())
    );
    assert!(
        Conformance::new(SampleStore::DLL_FILE, SampleStore::library)
            .mapisvc_inf("[Services\n")
            .is_err()
    );
}

#[test]
fn only_and_skip_choose_the_scenarios() {
    let report = sample_suite().only("reopen").faults(false).run().unwrap();
    assert!(report.outcomes.iter().all(|o| o.scenario == "reopen"));
    assert_eq!(report.runs(), 32, "every reading of the varied scenario");
    let report = sample_suite()
        .skip("fast-shutdown", "the provider asks for no fast shutdown")
        .faults(false)
        .run()
        .unwrap();
    let skipped: Vec<_> = report
        .outcomes
        .iter()
        .filter(
            |o| matches!(&o.verdict, Verdict::Skipped(r) if r == "the provider asks for no fast shutdown"),
        )
        .map(|o| o.scenario)
        .collect();
    assert_eq!(skipped, ["fast-shutdown"]);
    assert!(
        report.to_string().contains(
            "fast-shutdown                          0  skipped (the provider asks for no fast shutdown)"
        ),
        "{report}"
    );
}

/// The false alarm the zoo's `AsksWhenAllowed` showed: a store that needs the user refuses with
/// `MAPI_E_LOGON_FAILED` where no UI is allowed, as `MDB_NO_DIALOG`'s page says. The battery
/// took that for a failed step; the two scenarios without UI now allow the refusal, and only
/// there.
#[test]
fn a_store_that_needs_the_user_may_refuse_where_no_ui_is_allowed() {
    let report = ms(Defect::AsksWhenAllowed).faults(false).run().unwrap();
    report.assert_clean();
    for scenario in ["no-dialog", "windows-service-client"] {
        assert!(
            report.outcomes.iter().any(|o| o.scenario == scenario
                && o.client_errors
                    .contains(&("OpenMsgStore", MapiError::LogonFailed))),
            "{scenario}: the store refused, and the run is clean"
        );
    }
    // Anywhere else the same refusal fails the run.
    let failing = ms(Defect::FailLogon(MapiError::LogonFailed))
        .faults(false)
        .only("lifecycle")
        .run()
        .unwrap();
    assert!(!failing.is_clean());
}

/// A rule that gives advice fails only a pedantic battery, also where its consequence is a step
/// that fails (a provider that refuses a newer MAPI, a service entry that fails its deletion).
#[test]
fn advice_fails_only_a_pedantic_battery() {
    for defect in [Defect::RejectsNewerMapi, Defect::DeleteFails] {
        let lenient = ms(defect).faults(false).run().unwrap();
        assert!(lenient.is_clean(), "{defect:?}:\n{lenient}");
        let strict = ms(defect).faults(false).pedantic(true).run().unwrap();
        assert!(!strict.is_clean(), "{defect:?}");
    }
}

/// A service a profile may hold once (`SERVICE_SINGLE_COPY`) cannot give two stores of one
/// provider: that scenario is skipped, with the reason, rather than failed.
#[test]
fn a_single_copy_service_skips_the_two_stores_scenario() {
    use mapisim::flags::ServiceFlags;
    use mapisim::props::PR_RESOURCE_FLAGS;
    let single = zoo_service("ZOO").prop(PR_RESOURCE_FLAGS, ServiceFlags::SINGLE_COPY.bits());
    let report = Conformance::new(ZOO_FILE, || ZooLibrary::new(Defect::None))
        .service(single)
        .faults(false)
        .run()
        .unwrap();
    report.assert_clean();
    assert!(
        report
            .outcomes
            .iter()
            .any(|o| o.scenario == "two-stores-of-one-provider"
                && matches!(&o.verdict, Verdict::Skipped(r) if r.contains("SERVICE_SINGLE_COPY")))
    );
}
