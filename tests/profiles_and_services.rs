//! Profiles and message services as MAPI builds them: profile administration and its error codes,
//! the service entry point (create, configure, delete), the service and provider tables, the
//! logon choreography (configuration check, `MAPI_E_UNCONFIGURED` → configure → retry, disabled
//! services, `MAPI_E_USER_CANCEL`), the status table across logon and teardown, and entry IDs
//! routed by MAPIUID.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod zoo;

use mapisim::object::InterfaceKind;
use mapisim::prelude::*;
use mapisim::props::*;
use mapisim::sample::{SAMPLE_PROVIDER_UID, SampleStore};
use mapisim::trace::Event;
use zoo::{CONFIGURED, Defect, open_default, simulator, zoo_profile};

fn calls(sim: &Simulator, method: &str) -> Vec<Event> {
    sim.trace().calls_of(method)
}

#[test]
fn profile_administration_error_codes() {
    let sim = simulator(Defect::None);
    let profiles = sim.profiles();
    assert_eq!(profiles.create("").unwrap_err(), MapiError::InvalidParameter);
    profiles.create("Default").unwrap();
    assert_eq!(profiles.create("Default").unwrap_err(), MapiError::NoAccess);
    // Names are case-sensitive.
    profiles.create("default").unwrap();
    assert_eq!(profiles.names(), vec!["Default".to_owned(), "default".to_owned()]);
    assert_eq!(profiles.get("DEFAULT").unwrap_err(), MapiError::NotFound);
    profiles.delete("default").unwrap();
    assert_eq!(profiles.delete("default").unwrap_err(), MapiError::NotFound);
    let profile = profiles.get("Default").unwrap();
    assert_eq!(profile.add_service("NOPE").unwrap_err(), MapiError::NotFound);
    assert_eq!(
        profile.delete_service(&MapiUid([9; 16])).unwrap_err(),
        MapiError::NotFound
    );
    sim.finish().assert_clean();
}

#[test]
fn adding_a_service_copies_its_sections_with_fresh_uids_and_calls_create() {
    let sim = simulator(Defect::None);
    let profile = sim.profiles().create("P").unwrap();
    let first = profile.add_service("ZOO").unwrap();
    let second = profile.add_service("ZOO").unwrap();
    assert_ne!(first, second);
    let services = profile.services().unwrap();
    assert_eq!(services.len(), 2);
    assert_ne!(services[0].providers[0], services[1].providers[0]);
    for s in &services {
        let section = profile.section(&s.uid).unwrap();
        assert_eq!(section.get_uid(PR_SERVICE_UID), Some(s.uid));
        let provider = profile.section(&s.providers[0]).unwrap();
        assert_eq!(provider.get_uid(PR_PROVIDER_UID), Some(s.providers[0]));
        assert_eq!(
            provider.get_uid(PR_SERVICE_UID),
            Some(s.uid),
            "linked back to its service"
        );
        assert_eq!(provider.get_str(PR_PROVIDER_DLL_NAME_W), Some(zoo::ZOO_DLL));
    }
    let entries = calls(&sim, "ServiceEntry");
    assert_eq!(entries.len(), 2);
    assert!(
        entries[0]
            .to_string()
            .contains("ServiceEntry(MSG_SERVICE_CREATE, 0, 0 properties)")
    );
    // Each call loaded the DLL and freed it again.
    let ledger = sim.load_ledger();
    assert_eq!(ledger.loads(), 2);
    assert!(ledger.unpaired().is_empty());
    sim.finish().assert_clean();
}

#[test]
fn a_single_copy_service_can_be_added_once() {
    let single = zoo::zoo_service("ONCE").prop(PR_RESOURCE_FLAGS, ServiceFlags::SINGLE_COPY.bits());
    let sim = zoo::builder(Defect::None).service(single).build();
    let profile = sim.profiles().create("P").unwrap();
    profile.add_service("ONCE").unwrap();
    assert_eq!(profile.add_service("ONCE").unwrap_err(), MapiError::NoAccess);
    assert_eq!(profile.services().unwrap().len(), 1);
    sim.finish().assert_clean();
}

#[test]
fn configure_passes_properties_and_delete_removes_providers_before_the_service() {
    let sim = simulator(Defect::None);
    let profile = sim.profiles().create("P").unwrap();
    let uid = profile.add_service("ZOO").unwrap();
    let provider = profile.services().unwrap()[0].providers[0];
    let props = [Prop {
        tag: PR_DISPLAY_NAME_W,
        value: "configured".into(),
    }];
    profile
        .configure_service(&uid, ServiceEntryFlags::UI_ALLOWED, &props)
        .unwrap();
    let call = calls(&sim, "ServiceEntry").last().unwrap().to_string();
    assert!(
        call.contains("MSG_SERVICE_CONFIGURE, SERVICE_UI_ALLOWED, 1 property"),
        "{call}"
    );
    assert_eq!(
        profile.section(&provider).unwrap().get_bool(CONFIGURED),
        Some(true)
    );
    assert_eq!(
        profile
            .configure_service(&uid, ServiceEntryFlags::from_raw(0x100), &[])
            .unwrap_err(),
        MapiError::UnknownFlags
    );
    profile.delete_service(&uid).unwrap();
    assert!(
        calls(&sim, "ServiceEntry")
            .last()
            .unwrap()
            .to_string()
            .contains("MSG_SERVICE_DELETE")
    );
    assert!(
        sim.trace()
            .text()
            .contains("removed 1 provider section(s), then the section of service")
    );
    assert_eq!(profile.section(&provider).unwrap_err(), MapiError::NotFound);
    assert_eq!(profile.section(&uid).unwrap_err(), MapiError::NotFound);
    sim.finish().assert_clean();
}

#[test]
fn the_service_and_provider_tables_put_address_books_first() {
    let service = ServiceDef::new("MIXED")
        .display_name("Mixed Service")
        .prop(PR_RESOURCE_FLAGS, ServiceFlags::NO_PRIMARY_IDENTITY.bits())
        .provider(ProviderDef::store("ZOO.DLL").display_name("Mixed Store"))
        .provider(ProviderDef::new(ResourceType::AbProvider, "ZOO.DLL").display_name("Mixed Directory"));
    let sim = zoo::builder(Defect::None).service(service).build();
    let profile = sim.profiles().create("P").unwrap();
    let uid = profile.add_service("MIXED").unwrap();
    let services = profile.service_table().unwrap();
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].get_uid(PR_SERVICE_UID), Some(uid));
    assert_eq!(services[0].get_str(PR_SERVICE_NAME_W), Some("MIXED"));
    assert_eq!(services[0].get_str(PR_DISPLAY_NAME_W), Some("Mixed Service"));
    assert_eq!(
        services[0].get_u32(PR_RESOURCE_FLAGS),
        Some(ServiceFlags::NO_PRIMARY_IDENTITY.bits())
    );
    let providers = profile.provider_table().unwrap();
    let names: Vec<&str> = providers
        .iter()
        .map(|r| r.get_str(PR_DISPLAY_NAME_W).unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["Mixed Directory", "Mixed Store"],
        "address books start first"
    );
    assert_eq!(providers[0].get_u32(PR_PROVIDER_ORDINAL), Some(0));
    assert_eq!(providers[1].get_u32(PR_PROVIDER_ORDINAL), Some(1));
    assert_eq!(
        providers[0].get_u32(PR_RESOURCE_TYPE),
        Some(ResourceType::AbProvider.value())
    );
    sim.finish().assert_clean();
}

#[test]
fn unconfigured_makes_mapi_configure_the_service_and_retry_the_logon() {
    let sim = simulator(Defect::NeedsConfiguration);
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi
        .logon_ex("Zoo", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
        .unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    let text = sim.trace().text();
    let logons: Vec<usize> = text.match_indices(": Logon(").map(|(i, _)| i).collect();
    let configure = text
        .find("ServiceEntry(MSG_SERVICE_CONFIGURE, SERVICE_LOGON_FAILED")
        .unwrap();
    assert_eq!(logons.len(), 2, "{text}");
    assert!(
        logons[0] < configure && configure < logons[1],
        "Logon, configure, Logon again:\n{text}"
    );
    assert!(text.contains("= MAPI_E_UNCONFIGURED (0x8004011C)"));
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    // With logon UI allowed, the configuration may show UI.
    let session = mapi
        .logon_ex(
            "Zoo",
            LogonFlags::EXTENDED | LogonFlags::NO_MAIL | LogonFlags::LOGON_UI,
        )
        .unwrap();
    drop(open_default(&session, OpenStoreFlags::WRITE).unwrap());
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn a_provider_that_stays_unconfigured_fails_after_the_retries() {
    for retries in [1u32, 3] {
        let sim = zoo::builder(Defect::NeverConfigured)
            .behavior(Behavior::default().with_unconfigured_retries(retries))
            .build();
        zoo_profile(&sim, "Zoo");
        let mapi = sim.initialize(InitFlags::empty()).unwrap();
        let session = mapi
            .logon_ex("Zoo", LogonFlags::EXTENDED | LogonFlags::LOGON_UI)
            .unwrap();
        assert_eq!(
            open_default(&session, OpenStoreFlags::WRITE).unwrap_err(),
            MapiError::Unconfigured
        );
        assert_eq!(calls(&sim, "Logon").len() as u32, retries + 1);
        let configures: Vec<String> = calls(&sim, "ServiceEntry")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            configures.len() as u32,
            retries + 1,
            "CREATE, then one configuration per retry"
        );
        assert!(
            configures[1].contains("SERVICE_UI_ALLOWED|SERVICE_LOGON_FAILED"),
            "{}",
            configures[1]
        );
        // Not disabled: the store is still listed.
        assert_eq!(session.msg_stores_table().unwrap().rows().len(), 1);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        drop(session);
        mapi.uninitialize().unwrap();
        sim.finish().assert_clean();
    }
}

#[test]
fn user_cancel_passes_through_without_disabling_the_service() {
    let sim = simulator(Defect::FailLogon(MapiError::UserCancel));
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    assert_eq!(
        open_default(&session, OpenStoreFlags::WRITE).unwrap_err(),
        MapiError::UserCancel
    );
    assert_eq!(session.msg_stores_table().unwrap().rows().len(), 1);
    assert_eq!(
        open_default(&session, OpenStoreFlags::WRITE).unwrap_err(),
        MapiError::UserCancel
    );
    assert_eq!(calls(&sim, "Logon").len(), 2);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn service_ui_always_shows_each_configuration_at_logon() {
    let sim = simulator(Defect::None);
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi
        .logon_ex("Zoo", LogonFlags::EXTENDED | LogonFlags::SERVICE_UI_ALWAYS)
        .unwrap();
    let entry = calls(&sim, "ServiceEntry").last().unwrap().to_string();
    assert!(
        entry.contains("MSG_SERVICE_CONFIGURE, SERVICE_UI_ALWAYS|SERVICE_UI_ALLOWED"),
        "{entry}"
    );
    let events = sim.trace().events();
    let logon = events.iter().find(|e| e.method() == Some("MAPILogonEx")).unwrap();
    let configure = events
        .iter()
        .rfind(|e| e.method() == Some("ServiceEntry"))
        .unwrap();
    assert!(
        configure.id > logon.id && configure.depth > logon.depth,
        "inside MAPILogonEx"
    );
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn a_service_whose_provider_is_not_configured_is_disabled_at_logon() {
    let broken = ServiceDef::new("BROKEN").provider(ProviderDef::store("").display_name("Broken"));
    let sim = zoo::builder(Defect::None).service(broken).build();
    let profile = sim.profiles().create("P").unwrap();
    profile.add_service("BROKEN").unwrap();
    profile.add_service("ZOO").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    let rows = session.msg_stores_table().unwrap();
    let names: Vec<&str> = rows.rows().iter().map(|r| r.display_name.as_str()).collect();
    assert_eq!(names, vec!["Zoo Store"]);
    assert!(
        sim.trace()
            .text()
            .contains("is not configured (MAPI_E_UNCONFIGURED (0x8004011C)): disabled")
    );
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn the_status_table_across_logon_and_teardown() {
    let sim = simulator(Defect::None);
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let types = |rows: &[PropBag]| -> Vec<u32> {
        rows.iter()
            .map(|r| r.get_u32(PR_RESOURCE_TYPE).unwrap())
            .collect()
    };
    let rows = session.status_table().unwrap();
    assert_eq!(
        types(&rows),
        vec![
            ResourceType::Subsystem.value(),
            ResourceType::Spooler.value(),
            ResourceType::Ab.value()
        ]
    );
    assert_eq!(
        rows[1].get_u32(PR_STATUS_CODE),
        Some(StatusCode::AVAILABLE.bits())
    );
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    let rows = session.status_table().unwrap();
    assert_eq!(rows.len(), 4);
    let row = &rows[3];
    assert_eq!(
        row.get_u32(PR_RESOURCE_TYPE),
        Some(ResourceType::StoreProvider.value())
    );
    assert_eq!(row.get_str(PR_DISPLAY_NAME_W), Some("Zoo Store"));
    assert_eq!(row.get_u32(PR_STATUS_CODE), Some(StatusCode::AVAILABLE.bits()));
    assert_eq!(row.get_str(PR_PROVIDER_DLL_NAME_W), Some(zoo::ZOO_DLL));
    assert_eq!(
        row.get_u32(PR_RESOURCE_FLAGS),
        Some(ResourceFlags::DEFAULT_STORE.bits())
    );
    assert_eq!(row.get_u32(PR_OBJECT_TYPE), Some(ObjectType::Status.value()));
    assert_eq!(row.get_u32(PR_ROWID), Some(3));
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    assert_eq!(
        session.status_table().unwrap().len(),
        3,
        "the provider's row went with its logon"
    );
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    // Without mail, the spooler's row says it is not available to the session.
    let quiet = mapi
        .logon_ex("Zoo", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
        .unwrap();
    assert_eq!(
        quiet.status_table().unwrap()[1].get_u32(PR_STATUS_CODE),
        Some(StatusCode::FAILURE.bits())
    );
    quiet.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    drop(quiet);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn entry_ids_are_routed_to_the_first_logon_that_registered_their_uid() {
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(SampleStore::service("SMPMS"))
        .build();
    let profile = sim.profiles().create("P").unwrap();
    profile.add_service("SMPMS").unwrap();
    profile.add_service("SMPMS").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi
        .logon_ex("P", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
        .unwrap();
    let rows = session.msg_stores_table().unwrap();
    let first = session
        .open_msg_store(&rows.rows()[0].entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    let second = session
        .open_msg_store(&rows.rows()[1].entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    // Both logons registered the same MAPIUID: duplicates are kept.
    assert_eq!(
        session.registered_uids().unwrap(),
        vec![SAMPLE_PROVIDER_UID, SAMPLE_PROVIDER_UID]
    );
    let unwrap = |h: &StoreHandle| {
        WrappedStoreEntryId::parse(&h.entry_id().unwrap())
            .unwrap()
            .original()
            .to_vec()
    };
    let opened = session.open_entry(&unwrap(&first), None, 0).unwrap();
    assert_eq!(opened.object_type(), ObjectType::Store);
    assert!(Ref::ptr_eq(opened.store().unwrap(), first.object().unwrap()));
    drop(opened);
    // The second store's ID also goes to the first logon, which does not know it.
    assert_eq!(
        session.open_entry(&unwrap(&second), None, 0).unwrap_err(),
        MapiError::NotFound
    );
    let routed: Vec<String> = calls(&sim, "OpenEntry")
        .iter()
        .filter(|e| e.depth > 0)
        .map(|e| e.to_string())
        .collect();
    let first_logon = sim
        .ledger()
        .live_where(|o| o.label.kind == InterfaceKind::MsLogon)
        .first()
        .map(|o| o.label.to_string())
        .unwrap();
    assert!(
        routed
            .iter()
            .all(|l| l.contains(&format!("-> {first_logon}: OpenEntry"))),
        "{routed:?}"
    );
    assert_eq!(
        session.open_entry(&[0; 19], None, 0).unwrap_err(),
        MapiError::InvalidEntryid
    );
    assert_eq!(
        session.open_entry(&[0; 24], None, 0).unwrap_err(),
        MapiError::UnknownEntryid
    );
    drop(first);
    drop(second);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

const GOOD_INF: &str = include_str!("data/good.inf");

#[test]
fn the_samples_mapisvc_inf_reads_as_its_service_definition() {
    let parsed = mapisim::profile::inf::parse(SampleStore::MAPISVC_INF);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let defs = parsed.inf.service_defs().unwrap();
    assert_eq!(defs, vec![SampleStore::service("SMPMS")]);
}

#[test]
fn a_mapisvc_inf_fills_the_catalogue_and_the_default_profile() {
    let sim = Simulator::builder()
        .library("MOCKPRV32.DLL", SampleStore::library)
        .mapisvc_inf(GOOD_INF)
        .unwrap()
        .build();
    assert!(sim.inf_warnings().is_empty());
    let profile = sim.profiles().create_default("Default").unwrap();

    let services = profile.service_table().unwrap();
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].get_str(PR_SERVICE_NAME_W), Some("MOCKSVC"));
    assert_eq!(services[0].get_str(PR_DISPLAY_NAME_W), Some("Mock Test Service"));
    assert_eq!(
        services[0].get_u32(PR_RESOURCE_FLAGS),
        Some((ServiceFlags::SINGLE_COPY | ServiceFlags::NO_PRIMARY_IDENTITY).bits())
    );

    // The address book starts first, whatever the order of `Providers=`.
    let providers = profile.provider_table().unwrap();
    let rows: Vec<(&str, Option<u32>)> = providers
        .iter()
        .map(|r| (r.get_str(PR_DISPLAY_NAME_W).unwrap(), r.get_u32(PR_RESOURCE_TYPE)))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("Mock Directory", Some(ResourceType::AbProvider.value())),
            ("Mock Folders", Some(ResourceType::StoreProvider.value())),
        ]
    );

    // The store's private properties reach its profile section typed.
    let info = &profile.services().unwrap()[0];
    let store = profile.section(&info.providers[1]).unwrap();
    assert_eq!(store.get(PropTag(0x6600_0003)), Some(&PropValue::Long(7)));
    assert_eq!(
        store.get_str(PropTag(0x6601_001E)),
        Some("C:\\MockData\\store.db")
    );
    assert_eq!(
        store.get_u32(PR_RESOURCE_FLAGS),
        Some(ResourceFlags::NO_DEFAULT_STORE.bits())
    );

    // Creating the default profile called the service entry once, through MOCKPRV32.DLL.
    let entries = calls(&sim, "ServiceEntry");
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0]
            .to_string()
            .contains("MOCKPRV32.DLL: ServiceEntry(MSG_SERVICE_CREATE")
    );
    // SERVICE_SINGLE_COPY, as the file says.
    assert_eq!(profile.add_service("MOCKSVC").unwrap_err(), MapiError::NoAccess);
    sim.finish().assert_clean();
}

#[test]
fn the_default_profile_from_the_samples_inf_logs_on() {
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .mapisvc_inf(SampleStore::MAPISVC_INF)
        .unwrap()
        .build();
    sim.profiles().create_default("Default").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    assert_eq!(
        store.get_props(Some(&[PR_MDB_PROVIDER])).unwrap().value[0].value,
        PropValue::Binary(mapisim::sample::SAMPLE_MDB_PROVIDER.0.to_vec())
    );
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn a_mapisvc_inf_with_errors_is_refused_with_every_error_and_its_position() {
    let broken = GOOD_INF
        .replace(
            "PR_PROVIDER_DLL_NAME=MOCKPRV.DLL\nPR_RESOURCE_TYPE=MAPI_AB",
            "PR_PROVIDER_DLL_NAME=MOCKPRV32.DLL\nPR_RESOURCE_TYPE=MAPI_AB",
        )
        .replace("66000003=07000000", "66000003=seven");
    let err = Simulator::builder().mapisvc_inf(&broken).unwrap_err();
    assert_eq!(err.diagnostics.len(), 2, "{err}");
    assert!(err.diagnostics.iter().all(|d| d.is_error()));
    let lines: Vec<u32> = err.diagnostics.iter().map(|d| d.at.line).collect();
    assert_eq!(lines, vec![25, 37]);
    let text = err.to_string();
    assert!(
        text.starts_with("the Mapisvc.inf text has errors:\n25:"),
        "{text}"
    );
    assert!(text.contains("MOCKPRV32.DLL"), "{text}");
}

#[test]
fn inf_warnings_are_kept_and_unknown_default_services_are_left_out() {
    let sim = Simulator::builder()
        .library("MOCKPRV32.DLL", SampleStore::library)
        .mapisvc_inf(include_str!("data/warnings_only.inf"))
        .unwrap()
        .build();
    let warnings = sim.inf_warnings();
    assert!(!warnings.is_empty());
    assert!(warnings.iter().all(|d| !d.is_error()));
    assert!(warnings.iter().any(|d| d.to_string().contains("OTHERSVC")));
    // `OTHERSVC` is not installed: the default profile has no service, and no error.
    let profile = sim.profiles().create_default("P").unwrap();
    assert!(profile.services().unwrap().is_empty());
    // `MOCKSVC` is in the catalogue, with the first of its repeated values.
    profile.add_service("MOCKSVC").unwrap();
    let info = &profile.services().unwrap()[0];
    assert_eq!(
        profile.section(&info.uid).unwrap().get_str(PR_SERVICE_DLL_NAME_A),
        Some("MOCKPRV.DLL")
    );
    sim.finish().assert_clean();
}

#[test]
fn a_default_profile_whose_service_fails_is_not_left_behind() {
    // MOCKPRV32.DLL is not installed: the service entry cannot be called.
    let sim = Simulator::builder().mapisvc_inf(GOOD_INF).unwrap().build();
    assert_eq!(
        sim.profiles().create_default("Default").unwrap_err(),
        MapiError::NotFound
    );
    assert!(sim.profiles().names().is_empty());
    assert!(!sim.finish().is_clean(), "the missing DLL is reported");
}

#[test]
fn a_later_service_definition_replaces_one_of_the_same_name() {
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .mapisvc_inf(SampleStore::MAPISVC_INF)
        .unwrap()
        .service(SampleStore::service("SMPMS").prop(PR_RESOURCE_FLAGS, ServiceFlags::SINGLE_COPY.bits()))
        .build();
    let profile = sim.profiles().create_default("P").unwrap();
    assert_eq!(profile.add_service("SMPMS").unwrap_err(), MapiError::NoAccess);
    sim.finish().assert_clean();
}
