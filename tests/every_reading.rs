//! The table test of the contested points: the correct providers of the suite (the sample,
//! configured for the reading it must follow, and the zoo without defects) are clean under every
//! combination of the settings where the documents disagree, for every way a client ends a store's
//! life and for a store opened twice.
//!
//! Two kinds of setting are combined. Those that describe MAPI (who releases the support object
//! at teardown, when DLLs unload, what a reuse may return, which objects the spooler gets, where a
//! MAPIUID may come from, how often `StoreLogoffTransports` may run, whether the spooler needs a
//! spool-security blob, whether a store must make a status row) and those that are not contested
//! but that a provider must not depend on (the spooler's thread, `IMalloc`'s counting,
//! `MAPIAllocateMore` misuse, what the transports are doing at logoff; spread over the table
//! rather than multiplied): a correct provider is clean under both readings without knowing
//! which is in force. And the one that tells the provider what to do (`SltTiming`: call
//! `StoreLogoffTransports` in `StoreLogoff`, or not before the final release): a provider follows
//! one reading, so the sample is configured for each, and the zoo, written for the default, runs
//! under the default only.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod zoo;

use mapisim::check::Bound;
use mapisim::prelude::*;
use mapisim::runtime::TransportStart;
use mapisim::sample::{SampleConfig, SampleLibrary, SampleStore, SampleSuite};
use mapisim::trace::{Event, EventKind};
use zoo::{Defect, Ending, ZooLibrary};

/// Every combination of the settings that describe MAPI, on top of `base`.
fn mapi_readings(base: &Behavior) -> Vec<Behavior> {
    let mut out = vec![base.clone()];
    let mut double = |f: &dyn Fn(Behavior) -> [Behavior; 2]| {
        out = out.drain(..).flat_map(f).collect();
    };
    double(&|b| {
        [
            b.clone()
                .with_teardown_cleanup(TeardownCleanup::MapiInSupportRelease),
            b.with_teardown_cleanup(TeardownCleanup::ProviderInLogoff),
        ]
    });
    double(&|b| {
        [
            b.clone().with_unload(UnloadTiming::AfterLastUninitialize),
            b.with_unload(UnloadTiming::WhenLastProviderReleased),
        ]
    });
    double(&|b| {
        [
            b.clone().with_reuse_logon(ReuseLogon::ExistingAllowed),
            b.with_reuse_logon(ReuseLogon::Null),
        ]
    });
    double(&|b| {
        [
            b.clone().with_spooler_objects(SpoolerObjects::Same),
            b.with_spooler_objects(SpoolerObjects::Distinct),
        ]
    });
    double(&|b| {
        [
            b.clone().with_registered_uid(RegisteredUid::HardCoded),
            b.with_registered_uid(RegisteredUid::Generated),
        ]
    });
    double(&|b| {
        [
            b.clone().with_slt_repeat(SltRepeat::Once),
            b.with_slt_repeat(SltRepeat::Overwrite),
        ]
    });
    double(&|b| {
        [
            b.clone().with_spool_security(SpoolSecurity::Optional),
            b.with_spool_security(SpoolSecurity::Required),
        ]
    });
    double(&|b| {
        [
            b.clone().with_status_row(StoreStatusRow::Optional),
            b.with_status_row(StoreStatusRow::Required),
        ]
    });
    // Not contested, but a provider must not depend on them either: each combination of the
    // four is paired with sixteen of the contested ones, spread over the table.
    out.into_iter()
        .enumerate()
        .map(|(i, b)| {
            let k = (i ^ (i >> 4)) & 15;
            b.with_spooler(if k & 1 == 0 {
                SpoolerMode::Manual
            } else {
                SpoolerMode::Automatic
            })
            .with_malloc(if k & 2 == 0 {
                MallocCounting::Counted
            } else {
                MallocCounting::Static
            })
            .with_allocate_more_misuse(if k & 4 == 0 {
                AllocateMoreMisuse::Fail
            } else {
                AllocateMoreMisuse::NewRoot
            })
            .with_transport_activity(if k & 8 == 0 {
                TransportActivity::Idle
            } else {
                TransportActivity::Busy
            })
            // When address books and transports start: each pair of readings over a quarter of
            // the table, spread across it.
            .with_address_book_start(if (i ^ (i >> 3)) & 1 == 0 {
                AddressBookStart::OpenAddressBook
            } else {
                AddressBookStart::Logon
            })
            .with_transport_start(if (i ^ (i >> 5)) & 1 == 0 {
                TransportStart::OnDemand
            } else {
                TransportStart::AtLogon
            })
        })
        .collect()
}

/// The number of combinations [`mapi_readings`] makes.
const MAPI_READINGS: usize = 1 << 8;

/// The provider under test: its DLL file, its library and its service.
#[derive(Clone, Copy, Debug)]
enum Provider {
    /// The sample, configured for the reading of `SltTiming` in force: its whole service
    /// (address book, store, transport).
    Sample,
    /// The zoo without defects (written for the default reading).
    Zoo,
}

fn simulator(provider: Provider, behavior: Behavior) -> Simulator {
    let builder = Simulator::builder().behavior(behavior.clone());
    let builder = match provider {
        Provider::Sample => {
            let config = SampleConfig::for_behavior(&behavior);
            builder
                .library(SampleStore::DLL_FILE, move || SampleLibrary::new(config))
                .service(SampleSuite::service("SVC"))
        }
        Provider::Zoo => builder
            .library(zoo::ZOO_FILE, || ZooLibrary::new(Defect::None))
            .service(zoo::zoo_service("SVC")),
    };
    let sim = builder.build();
    sim.profiles().create("P").unwrap().add_service("SVC").unwrap();
    sim
}

fn run(provider: Provider, behavior: Behavior, ending: Ending) -> Report {
    zoo::store_life(simulator(provider, behavior), "P", ending)
}

/// Runs `provider` under every reading in `readings` and every ending; returns the failing cells
/// and the number of runs.
fn table(provider: Provider, readings: &[Behavior]) -> (Vec<String>, usize, usize) {
    let mut failures = Vec::new();
    let mut runs = 0;
    let mut refused = 0;
    for behavior in readings {
        for ending in Ending::ALL {
            let report = run(provider, behavior.clone(), ending);
            runs += 1;
            let refusal = |e: &Event| matches!(&e.kind, EventKind::Note { text, .. } if text.to_string().contains("does not happen"));
            if report.trace().events().iter().any(refusal) {
                refused += 1;
            }
            let provider_findings: Vec<String> = report
                .violations
                .iter()
                .chain(report.advisories())
                .filter(|v| v.rule.bound != Bound::Client)
                .map(ToString::to_string)
                .collect();
            let client: Vec<&str> = report
                .violations
                .iter()
                .filter(|v| v.rule.bound == Bound::Client)
                .map(|v| v.rule.id)
                .collect();
            let dirty = !provider_findings.is_empty()
                || client != ending.client_rules()
                || !report.leaks.is_empty()
                || !report.loads.unpaired().is_empty();
            if dirty {
                failures.push(format!(
                    "{provider:?} × {ending:?} × {behavior:?}:\n{}",
                    report.account()
                ));
            }
        }
    }
    (failures, runs, refused)
}

#[track_caller]
fn assert_table(provider: Provider, readings: &[Behavior], expected_runs: usize) {
    let (failures, runs, refused) = table(provider, readings);
    assert_eq!(runs, expected_runs);
    // Busy transports refused some logoffs: the path where the store must act on the answer ran.
    assert!(refused > 0, "no logoff was refused");
    assert!(
        failures.is_empty(),
        "{} of {runs} cells blame a correct provider; the first:\n\n{}",
        failures.len(),
        failures.iter().take(3).cloned().collect::<Vec<_>>().join("\n\n")
    );
}

#[test]
fn the_sample_is_clean_under_every_reading_it_follows_or_meets() {
    let mut readings = Vec::new();
    for timing in [SltTiming::InStoreLogoff, SltTiming::AtFinalRelease] {
        readings.extend(mapi_readings(
            &Behavior::default().with_store_logoff_transports(timing),
        ));
    }
    assert_eq!(readings.len(), 2 * MAPI_READINGS);
    assert_table(Provider::Sample, &readings, 2 * MAPI_READINGS * Ending::ALL.len());
}

#[test]
fn the_zoo_without_defects_is_clean_under_every_reading_of_mapi() {
    let readings = mapi_readings(&Behavior::default());
    assert_eq!(readings.len(), MAPI_READINGS);
    assert_table(Provider::Zoo, &readings, MAPI_READINGS * Ending::ALL.len());
}

/// The table is not blind: a provider that keeps the existing logon object on a reuse is right
/// under one reading and blamed under the other, and the table says so.
#[test]
fn the_table_tells_a_reading_dependent_defect() {
    let readings = mapi_readings(&Behavior::default());
    let mut blamed = 0;
    for behavior in &readings {
        let sim = Simulator::builder()
            .behavior(behavior.clone())
            .library(zoo::ZOO_FILE, || ZooLibrary::new(Defect::ReuseReturnsLogon))
            .service(zoo::zoo_service("SVC"))
            .build();
        sim.profiles().create("P").unwrap().add_service("SVC").unwrap();
        let report = zoo::store_life(sim, "P", Ending::Reopen);
        if behavior.reuse_logon == ReuseLogon::Null {
            assert_eq!(
                report.rule_ids(),
                vec!["LOGON-REUSE-NO-LOGON"],
                "{}",
                report.account()
            );
            blamed += 1;
        } else {
            assert!(report.is_clean(), "{}", report.account());
        }
    }
    assert_eq!(blamed, MAPI_READINGS / 2);
}

/// "Your service provider must not make assumptions about the number of times that it will be
/// loaded" (starting-a-service-provider): the unload setting is also how often the DLL is
/// loaded. Kept until the last `MAPIUninitialize`, it is loaded once for three sessions in a row;
/// unloaded with its last provider object, it is loaded afresh for each. The correct providers
/// are clean either way.
#[test]
fn the_correct_providers_do_not_care_how_often_they_are_loaded() {
    for provider in [Provider::Sample, Provider::Zoo] {
        for (unload, instances) in [
            (UnloadTiming::AfterLastUninitialize, 1),
            (UnloadTiming::WhenLastProviderReleased, 3),
        ] {
            let sim = simulator(provider, Behavior::default().with_unload(unload));
            let mapi = sim.initialize(InitFlags::empty()).unwrap();
            for _ in 0..3 {
                let session = mapi.logon_ex("P", LogonFlags::EXTENDED).unwrap();
                let store = zoo::open_default(&session, OpenStoreFlags::WRITE).unwrap();
                sim.spooler().run_until_idle();
                store.store_logoff(LogoffFlags::ORDERLY).unwrap();
                drop(store);
                session.logoff(SessionLogoffFlags::empty()).unwrap();
            }
            mapi.uninitialize().unwrap();
            let report = sim.finish();
            report.assert_pedantic();
            let file = match provider {
                Provider::Sample => SampleStore::DLL_FILE,
                Provider::Zoo => zoo::ZOO_FILE,
            };
            // (Plus the instance the service entry ran in when the profile was made.)
            assert_eq!(
                report.loads.instances(file),
                instances + 1,
                "{provider:?}, {unload:?}: {}",
                report.loads
            );
        }
    }
}
