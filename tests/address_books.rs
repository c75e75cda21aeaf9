//! Address books in the session: `IMAPISession::OpenAddressBook`, the logon of every
//! address-book provider of the profile, their start before the other providers of their
//! message service, the address book's routing by MAPIUID, the failures that leave one provider
//! out or disable its service, and the teardown at session logoff.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod common;
mod zoo;

use common::suite::{first, lines_with, open_store, suite};
use mapisim::prelude::*;
use mapisim::props::{PR_DISPLAY_NAME_W, PR_RESOURCE_TYPE};
use mapisim::sample::{SAMPLE_AB_UID, SampleSuite, sample_container_id, sample_user_id};
use zoo::ab::{AbDefect, ab_builder, run_address_book};

#[test]
fn the_address_book_of_a_service_starts_before_its_store_and_is_torn_down_first() {
    let sim = suite(Behavior::default());
    let (mapi, session, store) = open_store(&sim, LogonFlags::empty());
    // The client opens the address book afterwards: the logon is already there.
    let book = session.open_address_book().unwrap();
    assert_eq!(book.warning, None);
    let book = book.into_value();
    assert!(session.registered_uids().unwrap().contains(&SAMPLE_AB_UID));
    let table = session.status_table().unwrap();
    assert!(
        table.iter().any(
            |r| r.get_u32(PR_RESOURCE_TYPE) == Some(ResourceType::AbProvider.value())
                && r.get_str(PR_DISPLAY_NAME_W) == Some("Sample Address Book")
        ),
        "{table:?}"
    );
    sim.spooler().run_until_idle();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    drop(book);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    report.assert_clean();
    let text = report.trace().to_string();
    // ABProviderInit and the address book's Logon come before MSProviderInit.
    let ab_init = first(&text, &["MAPI -> SMPMS32.DLL: ABProviderInit("]);
    let ab_logon = first(&text, &["MAPI -> IABProvider#", ": Logon("]);
    let ms_init = first(&text, &["MAPI -> SMPMS32.DLL: MSProviderInit("]);
    assert!(ab_init < ab_logon && ab_logon < ms_init, "{text}");
    assert_eq!(lines_with(&text, &["ABProviderInit("]).len(), 1, "{text}");
    assert_eq!(
        lines_with(&text, &["MAPI -> IABProvider#", ": Logon("]).len(),
        1,
        "{text}"
    );
    // At session logoff: the address book's Logoff, release, Shutdown and release.
    let logoff = first(&text, &["client -> IMAPISession#", ": Logoff("]);
    let ab_logoff = first(&text, &["MAPI -> IABLogon#", ": Logoff(0)"]);
    let ab_release = first(&text, &["MAPI -> IABLogon#", ": Release()"]);
    let ab_shutdown = first(&text, &["MAPI -> IABProvider#", ": Shutdown(0)"]);
    let ab_provider_release = first(&text, &["MAPI -> IABProvider#", ": Release()"]);
    assert!(
        logoff < ab_logoff && ab_logoff < ab_release && ab_release < ab_shutdown,
        "{text}"
    );
    assert!(ab_shutdown < ab_provider_release, "{text}");
    // Loaded for each provider MAPI started, and unloaded once, after the last
    // MAPIUninitialize, although it holds two kinds.
    let session_start = first(&text, &["client -> MAPI: MAPILogonEx("]);
    let loads = lines_with(&text, &["LoadLibrary()"]);
    assert_eq!(loads.iter().filter(|l| **l > session_start).count(), 2, "{text}");
    let unloads = lines_with(&text, &["FreeLibrary()", "unloaded"]);
    let unloads: Vec<_> = unloads.into_iter().filter(|l| *l > session_start).collect();
    assert_eq!(unloads.len(), 1, "{text}");
    assert!(unloads[0] > first(&text, &["MAPIUninitialize()"]), "{text}");
}

#[test]
fn the_address_book_routes_entry_ids_by_mapiuid_to_the_provider() {
    let sim = suite(Behavior::default());
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Suite", LogonFlags::EXTENDED).unwrap();
    let book = session.open_address_book().unwrap().into_value();
    let container = book.open_entry(&sample_container_id(), None, 0).unwrap();
    assert_eq!(container.object_type(), ObjectType::AbCont);
    let user = book.open_entry(&sample_user_id(), None, 0).unwrap();
    assert_eq!(user.object_type(), ObjectType::MailUser);
    let props = user.props().unwrap();
    assert!(props.get_prop_list(0).unwrap().contains(&PR_DISPLAY_NAME_W));
    drop((props, user, container));
    assert!(
        book.compare_entry_ids(&sample_user_id(), &sample_user_id(), 0)
            .unwrap()
    );
    assert!(
        !book
            .compare_entry_ids(&sample_user_id(), &sample_container_id(), 0)
            .unwrap()
    );
    // A MAPIUID no address book registered, and a malformed ID.
    let stranger = EntryId::new(MapiUid(*b"nobody-registers"), b"x".to_vec()).to_bytes();
    assert_eq!(
        book.open_entry(&stranger, None, 0).unwrap_err(),
        MapiError::UnknownEntryid
    );
    assert_eq!(
        book.open_entry(b"\x00", None, 0).unwrap_err(),
        MapiError::InvalidEntryid
    );
    // The session routes the same IDs.
    let again = session.open_entry(&sample_user_id(), None, 0).unwrap();
    assert_eq!(again.object_type(), ObjectType::MailUser);
    drop(again);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    // After the logoff the address book is gone with the session: a call is the client's fault.
    assert_eq!(
        book.open_entry(&sample_user_id(), None, 0).unwrap_err(),
        MapiError::EndOfSession
    );
    drop(book);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    assert_eq!(
        report.rule_ids(),
        ["CLIENT-SESSION-ENDED"],
        "{}",
        report.account()
    );
}

#[test]
fn a_second_open_address_book_reuses_the_logons() {
    let sim = suite(Behavior::default());
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Suite", LogonFlags::EXTENDED).unwrap();
    drop(session.open_address_book().unwrap());
    drop(session.open_address_book().unwrap());
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    report.assert_clean();
    let text = report.trace().to_string();
    assert_eq!(
        lines_with(&text, &["MAPI -> IABProvider#", ": Logon("]).len(),
        1,
        "{text}"
    );
}

#[test]
fn under_the_logon_reading_mapilogonex_starts_the_address_books() {
    let sim = suite(Behavior::default().with_address_book_start(AddressBookStart::Logon));
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Suite", LogonFlags::EXTENDED).unwrap();
    let text = sim.trace().to_string();
    assert_eq!(
        lines_with(&text, &["MAPI -> IABProvider#", ": Logon("]).len(),
        1,
        "{text}"
    );
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn failoneprovider_leaves_one_provider_out_and_a_later_call_tries_again() {
    let sim = ab_builder(AbDefect::FailFirstLogon(MapiError::FailOneProvider)).build();
    sim.profiles()
        .create("Book")
        .unwrap()
        .add_service("ZOOAB")
        .unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Book", LogonFlags::EXTENDED).unwrap();
    let first = session.open_address_book().unwrap();
    assert_eq!(first.warning, Some(MapiWarning::ErrorsReturned));
    let second = session.open_address_book().unwrap();
    assert_eq!(second.warning, None, "the provider logs on at the second call");
    drop((first, second));
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn a_failed_address_book_disables_its_service_and_the_store_in_it() {
    let sim = ab_builder(AbDefect::FailLogon(MapiError::LogonFailed)).build();
    sim.profiles()
        .create("Book")
        .unwrap()
        .add_service("ZOOABMS")
        .unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Book", LogonFlags::EXTENDED).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    // The store's open starts the address book of its service first, which disables the service.
    assert_eq!(
        session
            .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
            .unwrap_err(),
        MapiError::LogonFailed
    );
    let book = session.open_address_book().unwrap();
    assert_eq!(book.warning, None, "a disabled service is not tried again");
    drop(book);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    report.assert_clean();
    assert!(!report.trace().to_string().contains("MSProviderInit("));
}

#[test]
fn unconfigured_makes_mapi_configure_the_service_and_log_on_again() {
    let sim = ab_builder(AbDefect::NeedsConfiguration).build();
    sim.profiles()
        .create("Book")
        .unwrap()
        .add_service("ZOOAB")
        .unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Book", LogonFlags::EXTENDED).unwrap();
    let book = session.open_address_book().unwrap();
    assert_eq!(book.warning, None);
    drop(book);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    report.assert_clean();
    let text = report.trace().to_string();
    assert_eq!(
        lines_with(&text, &["MAPI -> IABProvider#", ": Logon("]).len(),
        2,
        "{text}"
    );
    assert!(text.contains("MSG_SERVICE_CONFIGURE"), "{text}");
}

#[test]
fn open_address_book_after_logoff_fails_cleanly() {
    let sim = suite(Behavior::default());
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Suite", LogonFlags::EXTENDED).unwrap();
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    assert_eq!(session.open_address_book().unwrap_err(), MapiError::EndOfSession);
    drop(session);
    mapi.uninitialize().unwrap();
    // No address book was started.
    assert!(!sim.trace().to_string().contains("ABProviderInit("));
    let _ = sim.finish();
}

#[test]
fn the_zoo_address_book_alone_runs_clean() {
    let sim = ab_builder(AbDefect::None).build();
    assert_eq!(run_address_book(&sim, "ZOOAB"), Ok(None));
    sim.finish().assert_clean();
}

#[test]
fn the_suites_mapisvc_inf_reads_as_its_service_definition() {
    let parsed = mapisim::profile::inf::parse(SampleSuite::MAPISVC_INF);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let defs = parsed.inf.service_defs().unwrap();
    assert_eq!(defs, vec![SampleSuite::service(SampleSuite::NAME)]);
}
