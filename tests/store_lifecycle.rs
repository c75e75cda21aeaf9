//! The message-store provider lifecycle, step by step as the documentation states it: loading a
//! store provider (9 steps), reuse of an open store, one provider object per session, the spooler,
//! logon failures, SPI version negotiation, the three triggers of a store's shutdown, session
//! logoff, DLL loads and unloads, the `32` rule, status rows and MAPIUIDs, and client misuse.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod zoo;

use mapisim::ids::WrappedStoreEntryId;
use mapisim::object::InterfaceKind;
use mapisim::prelude::*;
use mapisim::props::{PR_DISPLAY_NAME_W, PR_OBJECT_TYPE, PR_PROVIDER_DLL_NAME_W, PR_STORE_ENTRYID, PropBag};
use mapisim::runtime::LoadOp;
use mapisim::sample::SampleStore;
use mapisim::trace::{Event, EventKind};
use zoo::{Defect, ZOO_UID, open_default, simulator, zoo_profile};

/// The position of the first call of `method` at or after event `from` (1-based ids).
fn find(events: &[Event], method: &str, from: u64) -> Option<u64> {
    events
        .iter()
        .find(|e| e.id.0 >= from && e.method() == Some(method))
        .map(|e| e.id.0)
}

/// Asserts that the calls occur in this order and returns their event numbers.
#[track_caller]
fn in_order(sim: &Simulator, methods: &[&str]) -> Vec<u64> {
    let events = sim.trace().events();
    let mut at = 0;
    let mut out = Vec::new();
    for m in methods {
        let next =
            find(&events, m, at + 1).unwrap_or_else(|| panic!("{m} not found after #{at}:\n{}", sim.trace()));
        out.push(next);
        at = next;
    }
    out
}

fn count(sim: &Simulator, method: &str) -> usize {
    sim.trace().calls_of(method).len()
}

/// The sample's DLL with its message service minus the service entry point: these tests count
/// the loads and calls of the store's lifecycle alone (`profiles_and_services` covers the entry).
fn sample_sim() -> Simulator {
    let full = SampleStore::service("SMPMS");
    let service = ServiceDef::new("SMPMS")
        .display_name("Sample Message Store")
        .provider(full.providers()[0].clone());
    Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(service)
        .build()
}

fn start(sim: &Simulator, profile: &str, flags: LogonFlags) -> (mapisim::runtime::Mapi, Session) {
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex(profile, flags | LogonFlags::EXTENDED).unwrap();
    (mapi, session)
}

fn end(mapi: mapisim::runtime::Mapi, session: Session) {
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
}

#[test]
fn loading_a_store_provider_follows_the_nine_steps() {
    let sim = sample_sim();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let (mapi, session) = start(&sim, "P", LogonFlags::empty());
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    // 1. OpenMsgStore; 2-3. LoadLibrary and MSProviderInit; 4. Logon; 5. the support object is
    // AddRef'd inside Logon; 6. the spooler is told; 7. the store is returned.
    let events = sim.trace().events();
    let open = find(&events, "OpenMsgStore", 1).unwrap();
    let load = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::LoadLibrary { .. }))
        .unwrap()
        .id
        .0;
    let [init, logon] = in_order(&sim, &["MSProviderInit", "Logon"])[..] else {
        unreachable!()
    };
    assert!(open < load && load < init && init < logon);
    let addref = events
        .iter()
        .find(|e| e.id.0 > logon && matches!(&e.kind, EventKind::AddRef { object, .. } if object.kind == InterfaceKind::MapiSupport))
        .unwrap();
    assert_eq!(addref.depth, 2, "the AddRef happens inside Logon");
    let told = sim.trace().text();
    assert!(told.contains("note: the spooler is told about IMsgStore#"));
    assert_eq!(sim.spooler().pending(), 1);
    // 8-9. SpoolerLogon returns the same objects: the spooler now holds the store.
    assert_eq!(store.ref_count(), 1);
    assert_eq!(sim.spooler().run_until_idle(), 1);
    assert!(sim.spooler().holds(&store));
    assert_eq!(store.ref_count(), 2);
    assert_eq!(count(&sim, "SpoolerLogon"), 1);
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    assert!(
        !sim.spooler().holds(&store),
        "the spooler let go when the store logged off"
    );
    drop(store);
    end(mapi, session);
    sim.finish().assert_clean();
}

#[test]
fn an_open_store_is_reused_without_loading_or_initializing_again() {
    let sim = sample_sim();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let (mapi, session) = start(&sim, "P", LogonFlags::NO_MAIL);
    let first = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    // The stores table now carries the ID the provider recorded; MAPI finds the section with
    // CompareStoreIDs and sees that the store is open.
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    assert_eq!(
        WrappedStoreEntryId::parse(&row.entry_id).unwrap().section_uid(),
        None
    );
    let second = session
        .open_msg_store(&first.entry_id().unwrap(), OpenStoreFlags::WRITE)
        .unwrap();
    assert_eq!(second.label(), first.label());
    assert_eq!(first.ref_count(), 2);
    assert_eq!(count(&sim, "MSProviderInit"), 1);
    assert_eq!(count(&sim, "Logon"), 2);
    assert_eq!(count(&sim, "CompareStoreIDs"), 1);
    let loads = sim.load_ledger();
    assert_eq!(loads.loads(), 1);
    // The second Logon returned no logon object and took no support reference.
    let reuse = sim.trace().calls_of("Logon")[1].to_string();
    assert!(
        reuse.contains("(store already open)") && reuse.contains("no logon object"),
        "{reuse}"
    );
    drop(second);
    first.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(first);
    end(mapi, session);
    sim.finish().assert_clean();
}

#[test]
fn a_second_session_gets_its_own_provider_object() {
    let sim = sample_sim();
    sim.profiles().create("A").unwrap().add_service("SMPMS").unwrap();
    sim.profiles().create("B").unwrap().add_service("SMPMS").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let one = mapi
        .logon_ex("A", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
        .unwrap();
    let two = mapi
        .logon_ex("B", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
        .unwrap();
    let a = open_default(&one, OpenStoreFlags::WRITE).unwrap();
    let b = open_default(&two, OpenStoreFlags::WRITE).unwrap();
    let inits = sim.trace().calls_of("MSProviderInit");
    assert_eq!(inits.len(), 2);
    let providers: Vec<String> = sim
        .ledger()
        .live_where(|o| o.label.kind == InterfaceKind::MsProvider)
        .iter()
        .map(|o| format!("{} {}", o.label, o.owner))
        .collect();
    assert_eq!(providers.len(), 2, "{providers:?}");
    assert!(providers[0].ends_with("session 1") && providers[1].ends_with("session 2"));
    // Each use of the DLL is a LoadLibrary; one instance serves both.
    let loads = sim.load_ledger();
    assert_eq!(loads.loads(), 2);
    assert_eq!(loads.instances(SampleStore::DLL_FILE), 1);
    drop(a);
    drop(b);
    two.logoff(SessionLogoffFlags::empty()).unwrap();
    end(mapi, one);
    sim.finish().assert_clean();
}

#[test]
fn the_provider_keeps_lpmalloc_with_an_addref() {
    let sim = sample_sim();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let malloc = || {
        sim.ledger()
            .live_where(|o| o.label.kind == InterfaceKind::Malloc)
            .first()
            .map(|o| o.count)
    };
    assert_eq!(malloc(), Some(1));
    let (mapi, session) = start(&sim, "P", LogonFlags::NO_MAIL);
    let store = open_default(&session, OpenStoreFlags::empty()).unwrap();
    assert_eq!(malloc(), Some(2), "MAPI's reference and the provider's");
    drop(store);
    assert_eq!(malloc(), Some(1), "the provider let go at Shutdown");
    end(mapi, session);
    sim.finish().assert_clean();
}

#[test]
fn the_spooler_is_not_told_with_no_mail() {
    let sim = sample_sim();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let (mapi, session) = start(&sim, "P", LogonFlags::NO_MAIL);
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    assert_eq!(sim.spooler().pending(), 0);
    drop(store);
    end(mapi, session);
    let (mapi, session) = start(&sim, "P", LogonFlags::empty());
    let store = open_default(&session, OpenStoreFlags::WRITE | OpenStoreFlags::NO_MAIL).unwrap();
    assert_eq!(sim.spooler().run_until_idle(), 0);
    assert_eq!(count(&sim, "SpoolerLogon"), 0);
    drop(store);
    end(mapi, session);
    sim.finish().assert_clean();
}

#[test]
fn the_automatic_spooler_logs_on_at_the_end_of_the_client_call() {
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(SampleStore::service("SMPMS"))
        .behavior(Behavior::default().with_spooler(SpoolerMode::Automatic))
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let (mapi, session) = start(&sim, "P", LogonFlags::empty());
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    assert!(sim.spooler().holds(&store));
    let events = sim.trace().events();
    let open = find(&events, "OpenMsgStore", 1).unwrap();
    let spooler = find(&events, "SpoolerLogon", 1).unwrap();
    assert!(spooler > open);
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    end(mapi, session);
    sim.finish().assert_clean();
}

#[test]
fn failoneprovider_fails_only_this_store_and_the_client_may_retry() {
    let sim = simulator(Defect::FailFirstLogon(MapiError::FailOneProvider));
    zoo_profile(&sim, "Zoo");
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::NO_MAIL);
    assert_eq!(
        open_default(&session, OpenStoreFlags::WRITE).unwrap_err(),
        MapiError::FailOneProvider
    );
    assert_eq!(
        session.msg_stores_table().unwrap().rows().len(),
        1,
        "the service is not disabled"
    );
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    assert_eq!(count(&sim, "Logon"), 2);
    assert_eq!(
        count(&sim, "MSProviderInit"),
        1,
        "the same provider object serves the retry"
    );
    drop(store);
    end(mapi, session);
    sim.finish().assert_clean();
}

#[test]
fn other_logon_errors_disable_the_message_service_for_the_session() {
    let sim = simulator(Defect::FailLogon(MapiError::LogonFailed));
    zoo_profile(&sim, "Zoo");
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::empty());
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    assert_eq!(
        session
            .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
            .unwrap_err(),
        MapiError::LogonFailed
    );
    assert!(sim.trace().text().contains("is disabled for session 1"));
    // No provider of the service is called again in this session.
    assert_eq!(
        session
            .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
            .unwrap_err(),
        MapiError::LogonFailed
    );
    assert_eq!(count(&sim, "Logon"), 1);
    assert!(session.msg_stores_table().unwrap().rows().is_empty());
    end(mapi, session);
    // A new session tries again.
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::empty());
    assert_eq!(
        open_default(&session, OpenStoreFlags::WRITE).unwrap_err(),
        MapiError::LogonFailed
    );
    assert_eq!(count(&sim, "Logon"), 2);
    end(mapi, session);
    sim.finish().assert_clean();
}

#[test]
fn spi_versions_are_negotiated_both_ways() {
    // The provider refuses a MAPI older than its SPI.
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(SampleStore::service("SMPMS"))
        .behavior(Behavior::default().with_mapi_spi_version(SpiVersion::PDK2))
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let (mapi, session) = start(&sim, "P", LogonFlags::empty());
    assert_eq!(
        open_default(&session, OpenStoreFlags::WRITE).unwrap_err(),
        MapiError::Version
    );
    end(mapi, session);
    let report = sim.finish();
    report.assert_clean();
    assert!(report.loads.unpaired().is_empty());

    // MAPI refuses a provider older than it accepts: it releases the provider object.
    let sim = simulator(Defect::AncientVersion);
    zoo_profile(&sim, "Zoo");
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::empty());
    assert_eq!(
        open_default(&session, OpenStoreFlags::WRITE).unwrap_err(),
        MapiError::Version
    );
    assert!(
        sim.ledger()
            .live_where(|o| o.label.kind == InterfaceKind::MsProvider)
            .is_empty()
    );
    assert!(sim.trace().text().contains("MAPI releases IMSProvider#"));
    end(mapi, session);
    sim.finish().assert_clean();
}

#[test]
fn storelogoff_then_release_runs_the_teardown_inside_the_support_release() {
    let sim = simulator(Defect::None);
    zoo_profile(&sim, "Zoo");
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::empty());
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    sim.spooler().run_until_idle();
    store.store_logoff(LogoffFlags::PURGE).unwrap();
    drop(store);
    let text = sim.trace().text();
    assert!(text.contains("StoreLogoffTransports(LOGOFF_PURGE)"), "{text}");
    in_order(
        &sim,
        &["StoreLogoff", "StoreLogoffTransports", "Logoff", "Shutdown"],
    );
    // The support object's destruction comes first, MAPI's work nests in the client's Release.
    let events = sim.trace().events();
    let destroyed = events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::Destroyed { object, .. } if object.kind == InterfaceKind::MapiSupport))
        .unwrap()
        .id
        .0;
    let logoff = find(&events, "Logoff", 1).unwrap();
    assert!(destroyed < logoff);
    assert!(text.contains("note: removed 1 MAPIUID(s) and 1 status row(s)"));
    // The DLL stays loaded until the last MAPIUninitialize (the one free so far paired the
    // service entry's load when the profile was made).
    assert_eq!(sim.load_ledger().frees(), 1);
    end(mapi, session);
    let report = sim.finish();
    report.assert_clean();
    let free = report
        .loads
        .records
        .iter()
        .rfind(|r| r.op == LoadOp::Free)
        .unwrap();
    assert_eq!(free.reason, "the last MAPIUninitialize");
    assert!(free.boundary);
}

#[test]
fn a_plain_release_calls_storelogofftransports_with_abort() {
    let sim = simulator(Defect::None);
    zoo_profile(&sim, "Zoo");
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::empty());
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    sim.spooler().run_until_idle();
    // The spooler's reference keeps the store alive: released by the client alone, the store is
    // not at its final release yet.
    drop(store);
    assert_eq!(count(&sim, "StoreLogoffTransports"), 0);
    end(mapi, session);
    assert!(sim.trace().text().contains("StoreLogoffTransports(LOGOFF_ABORT)"));
    sim.finish().assert_clean();
}

#[test]
fn session_logoff_tears_down_every_logon_and_leaves_held_stores_dead() {
    let sim = simulator(Defect::None);
    let profile = sim.profiles().create("Two").unwrap();
    profile.add_service("ZOO").unwrap();
    profile.add_service("ZOO").unwrap();
    let (mapi, session) = start(&sim, "Two", LogonFlags::empty());
    let rows = session.msg_stores_table().unwrap();
    assert_eq!(rows.rows().len(), 2);
    let a = session
        .open_msg_store(&rows.rows()[0].entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    let b = session
        .open_msg_store(&rows.rows()[1].entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    sim.spooler().run_until_idle();
    assert_eq!(
        count(&sim, "MSProviderInit"),
        1,
        "one provider object per session per DLL"
    );
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    assert_eq!(
        count(&sim, "Logoff"),
        2 + 1,
        "two IMSLogon::Logoff and the session's own Logoff"
    );
    assert_eq!(count(&sim, "Shutdown"), 1);
    assert_eq!(sim.spooler().held(), 0);
    // The client still holds the stores: they answer END_OF_SESSION.
    assert_eq!(
        a.store_logoff(LogoffFlags::ORDERLY).unwrap_err(),
        MapiError::EndOfSession
    );
    assert_eq!(b.get_props(None).unwrap_err(), MapiError::EndOfSession);
    drop(a);
    drop(b);
    // Their final releases still told the transports, with LOGOFF_ABORT.
    assert_eq!(sim.trace().calls_of("StoreLogoffTransports").len(), 2);
    drop(session);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["CLIENT-RELEASE", "CLIENT-SESSION-ENDED"]);
}

#[test]
fn the_dll_is_unloaded_after_the_last_uninitialize_and_reloaded_fresh() {
    let sim = simulator(Defect::None);
    zoo_profile(&sim, "Zoo");
    let outer = sim.initialize(InitFlags::empty()).unwrap();
    let (inner, session) = start(&sim, "Zoo", LogonFlags::NO_MAIL);
    drop(open_default(&session, OpenStoreFlags::WRITE).unwrap());
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    inner.uninitialize().unwrap();
    // The one free so far paired the service entry's load when the profile was made.
    assert_eq!(sim.load_ledger().frees(), 1, "still initialized once");
    outer.uninitialize().unwrap();
    let ledger = sim.load_ledger();
    assert_eq!(ledger.frees(), 2);
    assert!(ledger.records.last().unwrap().boundary, "unloaded");
    // A new initialization loads a fresh instance: the DLL's statics are born again.
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::NO_MAIL);
    drop(open_default(&session, OpenStoreFlags::WRITE).unwrap());
    end(mapi, session);
    let report = sim.finish();
    report.assert_clean();
    // Instance 1 served the service entry when the profile was made, 2 the first store.
    assert_eq!(report.loads.instances(zoo::ZOO_FILE), 3);
    assert!(
        report
            .trace()
            .text()
            .contains("MSProviderInit(ZOO32.DLL (instance 3)")
    );
}

#[test]
fn with_the_other_unload_behaviour_the_dll_goes_with_its_last_provider() {
    let sim = zoo::builder(Defect::None)
        .behavior(Behavior::default().with_unload(UnloadTiming::WhenLastProviderReleased))
        .build();
    zoo_profile(&sim, "Zoo");
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::NO_MAIL);
    drop(open_default(&session, OpenStoreFlags::WRITE).unwrap());
    let ledger = sim.load_ledger();
    assert_eq!(ledger.frees(), 2, "the service entry's, then the store's");
    assert!(ledger.records.last().unwrap().boundary);
    end(mapi, session);
    sim.finish().assert_clean();
}

#[test]
fn the_32_rule_applies_to_full_paths_and_wrapping_keeps_the_path() {
    let service = |dll: &str| {
        ServiceDef::new("PATHED").provider(
            ProviderDef::store(dll)
                .display_name("Pathed")
                .resource_flags(ResourceFlags::DEFAULT_STORE),
        )
    };
    let sim = Simulator::builder()
        .library(r"C:\Mock\ZOO32.DLL", || zoo::ZooLibrary::new(Defect::None))
        .service(service(r"C:\Mock\ZOO.DLL"))
        .build();
    sim.profiles().create("P").unwrap().add_service("PATHED").unwrap();
    let (mapi, session) = start(&sim, "P", LogonFlags::NO_MAIL);
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    let id = store.entry_id().unwrap();
    assert_eq!(
        WrappedStoreEntryId::parse(&id).unwrap().dll_name(),
        r"C:\Mock\ZOO.DLL"
    );
    drop(store);
    end(mapi, session);
    sim.finish().assert_clean();

    // A path with another period: MAPI inserts 32 at the wrong place and the load fails.
    let sim = Simulator::builder()
        .library(r"C:\v1.2\ZOO32.DLL", || zoo::ZooLibrary::new(Defect::None))
        .service(service(r"C:\v1.2\ZOO.DLL"))
        .build();
    sim.profiles().create("P").unwrap().add_service("PATHED").unwrap();
    let (mapi, session) = start(&sim, "P", LogonFlags::NO_MAIL);
    assert_eq!(
        open_default(&session, OpenStoreFlags::WRITE).unwrap_err(),
        MapiError::NotFound
    );
    end(mapi, session);
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["LIB-FILE-NAME"]);
    assert!(
        report.violations[0].message.contains(r#""C:\\v132.2\\ZOO.DLL""#),
        "{}",
        report.violations[0].message
    );
}

#[test]
fn status_rows_and_mapiuids_come_with_the_logon_and_go_with_it() {
    let sim = simulator(Defect::None);
    zoo_profile(&sim, "Zoo");
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::NO_MAIL);
    // MAPI's own rows (subsystem, spooler, address book) are there from the start.
    let providers_rows = |session: &Session| -> Vec<PropBag> {
        session
            .status_table()
            .unwrap()
            .into_iter()
            .filter(|r| r.get_str(PR_PROVIDER_DLL_NAME_W).is_some())
            .collect()
    };
    assert_eq!(session.status_table().unwrap().len(), 3);
    assert!(providers_rows(&session).is_empty());
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    assert_eq!(session.status_table().unwrap().len(), 4);
    let rows = providers_rows(&session);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get_str(PR_DISPLAY_NAME_W), Some("Zoo Store"));
    assert_eq!(rows[0].get_str(PR_PROVIDER_DLL_NAME_W), Some(zoo::ZOO_DLL));
    assert_eq!(rows[0].get_u32(PR_OBJECT_TYPE), Some(ObjectType::Status.value()));
    assert_eq!(session.registered_uids().unwrap(), vec![ZOO_UID]);
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    assert!(providers_rows(&session).is_empty());
    assert_eq!(session.status_table().unwrap().len(), 3);
    assert!(session.registered_uids().unwrap().is_empty());
    end(mapi, session);
    sim.finish().assert_clean();
}

#[test]
fn client_misuse_gets_typed_errors_and_never_a_panic() {
    let sim = sample_sim();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    sim.profiles()
        .create("Other")
        .unwrap()
        .add_service("SMPMS")
        .unwrap();
    assert_eq!(
        sim.logon_ex("P", LogonFlags::EXTENDED).unwrap_err(),
        MapiError::NotInitialized
    );
    assert_eq!(sim.uninitialize().unwrap_err(), MapiError::NotInitialized);
    assert_eq!(
        sim.initialize(InitFlags::from_raw(0x0800_0000)).unwrap_err(),
        MapiError::UnknownFlags
    );
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    assert_eq!(
        mapi.logon_ex("nobody", LogonFlags::EXTENDED).unwrap_err(),
        MapiError::LogonFailed
    );
    assert_eq!(
        mapi.logon_ex("P", LogonFlags::from_raw(0x0400_0020)).unwrap_err(),
        MapiError::UnknownFlags
    );
    let session = mapi
        .logon_ex("P", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
        .unwrap();
    let other = mapi
        .logon_ex("Other", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
        .unwrap();
    assert_eq!(
        session
            .open_msg_store(&[1, 2, 3], OpenStoreFlags::empty())
            .unwrap_err(),
        MapiError::InvalidEntryid
    );
    assert_eq!(
        session
            .open_msg_store(&[0; 40], OpenStoreFlags::empty())
            .unwrap_err(),
        MapiError::InvalidEntryid,
        "an entry ID that is not wrapped"
    );
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    assert_eq!(
        session
            .open_msg_store(&row.entry_id, OpenStoreFlags::from_raw(0x0800_0000))
            .unwrap_err(),
        MapiError::UnknownFlags
    );
    // An entry ID from another session's profile names no store of this one.
    let foreign = other.msg_stores_table().unwrap().default_store().unwrap();
    assert_eq!(
        session
            .open_msg_store(&foreign.entry_id, OpenStoreFlags::empty())
            .unwrap_err(),
        MapiError::NotFound
    );
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    assert_eq!(
        store.store_logoff(LogoffFlags::ORDERLY).unwrap_err(),
        MapiError::InvalidObject
    );
    assert_eq!(
        store.get_props(Some(&[PR_STORE_ENTRYID])).unwrap_err(),
        MapiError::InvalidObject
    );
    drop(store);
    // An interface the store lacks: the provider refuses it (a failure that, as most Logon
    // failures do, disables the message service for the rest of the session).
    assert_eq!(
        session
            .open_msg_store_as(&row.entry_id, OpenStoreFlags::empty(), Some(Iid::IMAPIFOLDER))
            .unwrap_err(),
        MapiError::InterfaceNotSupported
    );
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    assert_eq!(
        session.logoff(SessionLogoffFlags::empty()).unwrap_err(),
        MapiError::EndOfSession
    );
    assert_eq!(session.msg_stores_table().unwrap_err(), MapiError::EndOfSession);
    assert_eq!(
        session
            .open_msg_store(&row.entry_id, OpenStoreFlags::empty())
            .unwrap_err(),
        MapiError::EndOfSession
    );
    other.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    assert_eq!(session.status_table().unwrap_err(), MapiError::NotInitialized);
    let report = sim.finish();
    assert_eq!(
        report.rule_ids(),
        vec![
            "CLIENT-INITIALIZED",
            "CLIENT-STORE-AFTER-LOGOFF",
            "CLIENT-SESSION-ENDED"
        ]
    );
    // Calls on a logged-off store are advice: the errors the client got are the point.
    assert_eq!(report.count(&rules::CLIENT_STORE_AFTER_LOGOFF), 2);
    assert!(
        report
            .advisories()
            .iter()
            .all(|v| v.rule.id == "CLIENT-STORE-AFTER-LOGOFF")
    );
}

#[test]
fn provider_panics_leave_the_simulator_usable() {
    let sim = simulator(Defect::PanicInLogon);
    zoo_profile(&sim, "Zoo");
    sim.profiles().get("Zoo").unwrap().add_service("SMPMS").unwrap();
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::NO_MAIL);
    let rows = session.msg_stores_table().unwrap();
    let zoo_row = rows.by_name("Zoo Store").unwrap();
    assert_eq!(
        session
            .open_msg_store(&zoo_row.entry_id, OpenStoreFlags::WRITE)
            .unwrap_err(),
        MapiError::CallFailed
    );
    assert!(
        sim.trace().text().contains("Logon(")
            && sim.trace().text().contains("= panicked: zoo: panic in Logon")
    );
    // The sample in the same session works.
    let sample = session
        .open_msg_store(
            &rows.by_name("Sample Store").unwrap().entry_id,
            OpenStoreFlags::WRITE,
        )
        .unwrap();
    sample.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(sample);
    end(mapi, session);
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["PROVIDER-PANIC"]);
    assert!(report.loads.unpaired().is_empty());
}

#[test]
fn support_calls_from_inside_logoff_do_not_deadlock() {
    // Session logoff while the client holds the store: Logoff reaches the live store's support
    // object and calls MAPI back.
    let sim = simulator(Defect::ReentrantLogoff);
    zoo_profile(&sim, "Zoo");
    let (mapi, session) = start(&sim, "Zoo", LogonFlags::NO_MAIL);
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(store);
    drop(session);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    // The client's mistake only (it logged off holding the store).
    assert_eq!(report.rule_ids(), vec!["CLIENT-RELEASE"], "{}", report.account());
    let text = report.trace().text();
    let logoff = text
        .lines()
        .find(|l| l.contains("IMSLogon#") && l.contains(": Logoff(0)"))
        .unwrap();
    let nested = text.lines().find(|l| l.contains(": NewUID()")).unwrap();
    let depth = |l: &str| l[5..].len() - l[5..].trim_start().len();
    assert!(
        depth(nested) > depth(logoff),
        "NewUID is called from inside Logoff:\n{text}"
    );
}

#[test]
fn several_threads_run_their_own_sessions_at_once() {
    // Each thread drives its own session; the sessions keep the (shared) spooler out of it, so
    // that no thread's spooler step interleaves with another thread's store logoff.
    let sim = sample_sim();
    for i in 0..4 {
        sim.profiles()
            .create(&format!("P{i}"))
            .unwrap()
            .add_service("SMPMS")
            .unwrap();
    }
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS).unwrap();
    std::thread::scope(|s| {
        for i in 0..4 {
            let sim = &sim;
            s.spawn(move || {
                let session = sim
                    .logon_ex(&format!("P{i}"), LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
                    .unwrap();
                for _ in 0..5 {
                    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
                    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
                    drop(store);
                }
                session.logoff(SessionLogoffFlags::empty()).unwrap();
            });
        }
    });
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    report.assert_clean();
    assert_eq!(report.trace().calls_of("MSProviderInit").len(), 20);
    assert_eq!(report.trace().calls_of("Shutdown").len(), 20);
}

#[test]
fn a_spooler_driven_from_another_thread_stays_consistent() {
    // One thread opens and logs off stores while another steps the spooler: whatever the
    // interleaving, nothing deadlocks, every object goes, every load is paired.
    let sim = sample_sim();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS).unwrap();
    let session = mapi.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    /// Stops the spooler thread however the loop below ends (a failed assertion included).
    struct Done<'a>(&'a std::sync::atomic::AtomicBool);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
    std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                sim.spooler().run_until_idle();
                std::thread::yield_now();
            }
        });
        let _done = Done(&done);
        for _ in 0..20 {
            let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
            let _ = store.store_logoff(LogoffFlags::ORDERLY);
            drop(store);
        }
    });
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert!(report.leaks.is_empty(), "{}", report.leaks);
    assert!(report.loads.unpaired().is_empty());
    assert_eq!(
        report.trace().calls_of("MSProviderInit").len(),
        report.trace().calls_of("Shutdown").len()
    );
}

/// Two users of one store (it was opened twice): one user's `StoreLogoff` ends that user's use
/// only (imsgstore-storelogoff); the other handle keeps working and may log off in turn, and the
/// store tells the transports once.
#[test]
fn storelogoff_by_one_of_two_users_leaves_the_other_working() {
    for timing in [SltTiming::InStoreLogoff, SltTiming::AtFinalRelease] {
        for sample in [true, false] {
            let behavior = Behavior::default().with_store_logoff_transports(timing);
            let sim = if sample {
                let config = mapisim::sample::SampleConfig::for_behavior(&behavior);
                let sim = Simulator::builder()
                    .library(SampleStore::DLL_FILE, move || {
                        mapisim::sample::SampleLibrary::new(config)
                    })
                    .service(SampleStore::service("SMPMS"))
                    .behavior(behavior)
                    .build();
                sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
                sim
            } else if timing == SltTiming::InStoreLogoff {
                let sim = zoo::builder(Defect::None).behavior(behavior).build();
                zoo_profile(&sim, "P");
                sim
            } else {
                continue; // the zoo follows the default reading only
            };
            let (mapi, session) = start(&sim, "P", LogonFlags::empty());
            let first = open_default(&session, OpenStoreFlags::WRITE).unwrap();
            let second = open_default(&session, OpenStoreFlags::WRITE).unwrap();
            first.store_logoff(LogoffFlags::ORDERLY).unwrap();
            // The first user is done; the second still works.
            assert_eq!(
                first.get_props(Some(&[PR_STORE_ENTRYID])).unwrap_err(),
                MapiError::InvalidObject
            );
            assert!(second.get_props(Some(&[PR_STORE_ENTRYID])).is_ok());
            second.store_logoff(LogoffFlags::ORDERLY).unwrap();
            drop(first);
            drop(second);
            end(mapi, session);
            let report = sim.finish();
            assert!(
                report.is_clean(),
                "{timing:?}, sample {sample}: {}",
                report.account()
            );
            let advice: Vec<&str> = report.advisories().into_iter().map(|v| v.rule.id).collect();
            assert_eq!(advice, vec!["CLIENT-STORE-AFTER-LOGOFF"], "{}", report.account());
            assert_eq!(
                report.trace().calls_of("StoreLogoffTransports").len(),
                1,
                "{}",
                report.trace()
            );
        }
    }
}

#[test]
fn the_sample_answers_the_interface_asked_and_refuses_the_rest_fresh_or_reused() {
    let sim = sample_sim();
    sim.profiles()
        .create("Default")
        .unwrap()
        .add_service("SMPMS")
        .unwrap();
    let (mapi, session) = start(&sim, "Default", LogonFlags::empty());
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    // A fresh logon asked for IMAPIProp, then a reuse asked for IUnknown.
    let store = session
        .open_msg_store_as(&row.entry_id, OpenStoreFlags::WRITE, Some(Iid::IMAPIPROP))
        .unwrap();
    let again = session
        .open_msg_store_as(&row.entry_id, OpenStoreFlags::WRITE, Some(Iid::IUNKNOWN))
        .unwrap();
    assert_eq!(store.object().unwrap().key(), again.object().unwrap().key());
    // A reuse asked for an interface the store lacks is refused.
    assert_eq!(
        session
            .open_msg_store_as(&row.entry_id, OpenStoreFlags::WRITE, Some(Iid::IMESSAGE))
            .unwrap_err(),
        MapiError::InterfaceNotSupported
    );
    // MAPI asked the store for each interface it was opened with.
    let asked: Vec<String> = sim
        .trace()
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Call { method, args, .. } if *method == "QueryInterface" => Some(args.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(asked, ["IID_IMAPIProp", "IID_IUnknown"]);
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    drop(again);
    end(mapi, session);
    sim.finish().assert_clean();
}

/// A session logged off by its client is forgotten once its checks ran (its records leave MAPI's
/// bookkeeping, at the end of the `Logoff` call); a call on it later, after other lifecycles,
/// finds it logged off all the same, with the same rule and message.
#[test]
fn a_retired_session_still_answers_as_logged_off() {
    let sim = sample_sim();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    let (mapi, session) = start(&sim, "P", LogonFlags::empty());
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    for _ in 0..3 {
        let (mapi2, s2) = start(&sim, "P", LogonFlags::empty());
        end(mapi2, s2);
    }
    assert_eq!(session.msg_stores_table().unwrap_err(), MapiError::EndOfSession);
    assert_eq!(
        session.logoff(SessionLogoffFlags::empty()).unwrap_err(),
        MapiError::EndOfSession
    );
    drop(session);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["CLIENT-SESSION-ENDED"]);
    let messages: Vec<&str> = report.violations.iter().map(|v| v.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "GetMsgStoresTable was called on session 1 after it was logged off",
            "IMAPISession::Logoff was called on session 1 after it was logged off",
        ]
    );
}
