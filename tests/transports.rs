//! Transports and the spooler: transports start when a client first asks for their services (or
//! at logon, under the other reading), the spooler's sequence with each transport, the teardown
//! of all three kinds at session logoff, and fast shutdown across kinds.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod common;
mod zoo;

use common::suite::{close, first, lines_with, open_store, submit_new_message, suite};
use mapisim::prelude::*;
use mapisim::props::PR_RESOURCE_TYPE;
use mapisim::runtime::TransportStart;

#[test]
fn no_transport_starts_before_a_client_asks_to_send() {
    let sim = suite(Behavior::default());
    let (mapi, session, store) = open_store(&sim, LogonFlags::empty());
    drop(session.open_address_book().unwrap());
    sim.spooler().run_until_idle();
    assert_eq!(sim.spooler().pending(), 0);
    close(mapi, session, store);
    let report = sim.finish();
    report.assert_clean();
    assert!(!report.trace().to_string().contains("XPProviderInit("));
}

#[test]
fn under_the_logon_reading_the_spooler_starts_transports_at_logon_and_they_go_last() {
    let sim = suite(Behavior::default().with_transport_start(TransportStart::AtLogon));
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Suite", LogonFlags::EXTENDED).unwrap();
    assert_eq!(sim.spooler().pending(), 1, "the transports wait for the spooler");
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    sim.spooler().run_until_idle();
    let table = session.status_table().unwrap();
    assert!(
        table
            .iter()
            .any(|r| r.get_u32(PR_RESOURCE_TYPE) == Some(ResourceType::TransportProvider.value())),
        "{table:?}"
    );
    // Idle time: the sample answered LOGON_SP_IDLE.
    assert_eq!(sim.spooler().idle(), 1);
    close(mapi, session, store);
    let report = sim.finish();
    report.assert_clean();
    let text = report.trace().to_string();
    // The spooler's sequence with the transport (transport-provider-and-mapi-spooler-operational-model).
    let init = first(&text, &["SMPMS32.DLL: XPProviderInit("]);
    let logon = first(
        &text,
        &[
            "spooler -> IXPProvider#",
            ": TransportLogon(",
            "LOGON_NO_INBOUND|LOGON_NO_OUTBOUND",
        ],
    );
    let row = first(&text, &["IMAPISupport#", ": ModifyStatusRow("]);
    let types = first(&text, &["spooler -> IXPLogon#", ": AddressTypes() = S_OK; [SMP]"]);
    let begin = first(
        &text,
        &[
            "spooler -> IXPLogon#",
            ": TransportNotify(NOTIFY_BEGIN_INBOUND|NOTIFY_BEGIN_OUTBOUND)",
        ],
    );
    let idle = first(&text, &["spooler -> IXPLogon#", ": Idle(0)"]);
    assert!(
        init < logon && logon < types && types < begin && begin < idle,
        "{text}"
    );
    assert!(row < begin, "{text}");
    // At session logoff: the address book's Logoff (none: never opened), the store's, then the
    // transport's TransportNotify(END_*), TransportLogoff, release, Shutdown, release.
    let logoff = first(&text, &["client -> IMAPISession#", ": Logoff("]);
    let end = first(
        &text,
        &[
            "spooler -> IXPLogon#",
            ": TransportNotify(NOTIFY_END_INBOUND|NOTIFY_END_OUTBOUND)",
        ],
    );
    let xp_logoff = first(&text, &["spooler -> IXPLogon#", ": TransportLogoff(0)"]);
    let xp_release = first(&text, &["spooler -> IXPLogon#", ": Release()"]);
    let xp_shutdown = first(&text, &["spooler -> IXPProvider#", ": Shutdown(0)"]);
    let xp_provider_release = first(&text, &["spooler -> IXPProvider#", ": Release()"]);
    assert!(
        logoff < end
            && end < xp_logoff
            && xp_logoff < xp_release
            && xp_release < xp_shutdown
            && xp_shutdown < xp_provider_release,
        "{text}"
    );
    // The DLL, which holds three kinds, is unloaded once, after the last MAPIUninitialize.
    let uninit = first(&text, &["client -> MAPI: MAPIUninitialize()"]);
    let unloads: Vec<usize> = lines_with(&text, &["FreeLibrary()", "unloaded"])
        .into_iter()
        .filter(|l| *l > logoff)
        .collect();
    assert_eq!(unloads.len(), 1, "{text}");
    assert!(unloads[0] > uninit, "{text}");
}

#[test]
fn session_logoff_tears_down_address_books_then_stores_then_transports() {
    let sim = suite(Behavior::default().with_transport_start(TransportStart::AtLogon));
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Suite", LogonFlags::EXTENDED).unwrap();
    sim.spooler().run_until_idle();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    drop(session.open_address_book().unwrap());
    sim.spooler().run_until_idle();
    // The client logs off with the store still open: the session's logoff does it all.
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(store);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    // Holding the store at logoff is the client's fault, and the only finding.
    assert_eq!(report.rule_ids(), ["CLIENT-RELEASE"], "{}", report.account());
    let text = report.trace().to_string();
    let ab = first(&text, &["MAPI -> IABLogon#", ": Logoff(0)"]);
    let ms = first(&text, &["MAPI -> IMSLogon#", ": Logoff(0)"]);
    let xp = first(&text, &["spooler -> IXPLogon#", ": TransportLogoff(0)"]);
    assert!(ab < ms && ms < xp, "{text}");
    let ab_down = first(&text, &["MAPI -> IABProvider#", ": Shutdown(0)"]);
    let ms_down = first(&text, &["MAPI -> IMSProvider#", ": Shutdown(0)"]);
    let xp_down = first(&text, &["spooler -> IXPProvider#", ": Shutdown(0)"]);
    assert!(
        ab < ab_down && ab_down < ms,
        "each kind shut down after its last logon: {text}"
    );
    assert!(ms < ms_down && ms_down < xp && xp < xp_down, "{text}");
}

#[test]
fn fast_shutdown_reaches_transports_then_address_books_then_stores() {
    let sim = suite(Behavior::default().with_transport_start(TransportStart::AtLogon));
    let (mapi, session, store) = open_store(&sim, LogonFlags::empty());
    drop(session.open_address_book().unwrap());
    sim.spooler().run_until_idle();
    let mark = sim.trace().len();
    session.query_fast_shutdown().unwrap();
    session.notify_process_shutdown().unwrap();
    session.do_fast_shutdown().unwrap();
    let text = sim.trace().to_string();
    let tail: Vec<&str> = text.lines().skip(mark).collect();
    let order: Vec<&str> = tail
        .iter()
        .filter(|l| l.contains(": QueryFastShutdown()") && l.contains("MAPI -> "))
        .map(|l| {
            if l.contains("IXPProvider") {
                "transport"
            } else if l.contains("IABProvider") {
                "address book"
            } else {
                "store"
            }
        })
        .collect();
    assert_eq!(order, ["transport", "address book", "store"], "{text}");
    // Every sample provider opts in: nothing to wait for.
    assert!(!text.contains("cannot shut down fast"), "{text}");
    std::mem::forget(store);
    std::mem::forget(session);
    std::mem::forget(mapi);
    sim.finish().assert_pedantic();
}

#[test]
fn a_transport_without_fast_shutdown_makes_mapi_wait_for_its_references() {
    let sim = zoo::xp::xp_builder(zoo::Defect::None, zoo::xp::XpDefect::None)
        .behavior(Behavior::default().with_transport_start(TransportStart::AtLogon))
        .build();
    let profile = sim.profiles().create("Xp").unwrap();
    profile.add_service("ZOOXP").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Xp", LogonFlags::EXTENDED).unwrap();
    sim.spooler().run_until_idle();
    session.query_fast_shutdown().unwrap();
    session.notify_process_shutdown().unwrap();
    session.do_fast_shutdown().unwrap();
    let text = sim.trace().to_string();
    let note = text
        .lines()
        .find(|l| l.contains("cannot shut down fast"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(note.contains("IXPProvider#"), "{note}");
    assert!(
        note.contains("IXPLogon#"),
        "the logon object is outstanding: {note}"
    );
    std::mem::forget(session);
    std::mem::forget(mapi);
    let _ = sim.finish();
}

#[test]
fn a_message_sent_through_the_store_starts_the_transport_which_sends_it() {
    let sim = suite(Behavior::default());
    let (mapi, session, store) = open_store(&sim, LogonFlags::empty());
    sim.spooler().run_until_idle();
    let opened = store
        .open_entry(Some(&mapisim::sample::sample_new_message_id()), None, 0)
        .unwrap();
    assert_eq!(opened.object_type(), ObjectType::Message);
    let message = opened.message().unwrap();
    store.submit_message(&message, 0).unwrap();
    drop((message, opened));
    assert!(
        !sim.trace().to_string().contains("XPProviderInit("),
        "not before the spooler's step"
    );
    assert_eq!(
        sim.spooler().pending(),
        2,
        "the transports to start, the message to send"
    );
    sim.spooler().run_until_idle();
    assert_eq!(sim.spooler().pending(), 0);
    close(mapi, session, store);
    let report = sim.finish();
    report.assert_pedantic();
    let text = report.trace().to_string();
    let ready = first(&text, &["IMAPISupport#", ": SpoolerNotify(NOTIFY_READYTOSEND"]);
    let prepare = first(&text, &["IMAPISupport#", ": PrepareSubmit("]);
    let init = first(&text, &["XPProviderInit("]);
    let logon = first(&text, &[": TransportLogon("]);
    let lock = first(&text, &["spooler -> IMsgStore#", ": SetLockState(", "MSG_LOCKED"]);
    let submit = first(&text, &["spooler -> IXPLogon#", ": SubmitMessage("]);
    let end = first(&text, &["spooler -> IXPLogon#", ": EndMessage("]);
    let unlock = first(
        &text,
        &["spooler -> IMsgStore#", ": SetLockState(", "MSG_UNLOCKED"],
    );
    let finished = first(&text, &["spooler -> IMsgStore#", ": FinishedMsg("]);
    assert!(ready < prepare && prepare < init && init < logon, "{text}");
    assert!(
        logon < lock && lock < submit && submit < end && end < unlock && unlock < finished,
        "{text}"
    );
    assert_eq!(lines_with(&text, &["XPProviderInit("]).len(), 1, "{text}");
}

#[test]
fn the_sample_transport_receives_what_it_sent_through_startmessage() {
    let sim = suite(Behavior::default());
    let (mapi, session, store) = open_store(&sim, LogonFlags::empty());
    submit_new_message(&store);
    // Start the transports, send: the loopback then has new mail (NOTIFY_NEWMAIL).
    assert!(sim.spooler().step() && sim.spooler().step() && sim.spooler().step());
    assert_eq!(sim.spooler().pending(), 1, "one message to receive");
    assert!(sim.spooler().take_received().is_empty(), "not before the step");
    assert!(sim.spooler().step());
    assert_eq!(sim.spooler().pending(), 0);
    let received = sim.spooler().take_received();
    assert_eq!(received.len(), 1);
    let props: PropBag = received[0].props.iter().cloned().collect();
    assert_eq!(
        props.get(mapisim::props::PR_SUBJECT_W),
        Some(&PropValue::Unicode("Sample loopback 1".into()))
    );
    assert!(props.get(mapisim::props::PR_ENTRYID).is_none());
    assert_eq!(received[0].recipients.len(), 1);
    assert!(received[0].transport.is_some());
    assert!(sim.spooler().take_received().is_empty(), "taken once");
    close(mapi, session, store);
    let report = sim.finish();
    report.assert_pedantic();
    let text = report.trace().to_string();
    let end = first(&text, &["spooler -> IXPLogon#", ": EndMessage("]);
    let newmail = first(&text, &["IMAPISupport#", ": SpoolerNotify(NOTIFY_NEWMAIL"]);
    let start = first(&text, &["spooler -> IXPLogon#", ": StartMessage(0, IMessage#"]);
    let save = first(&text, &["SMPMS32.DLL -> IMessage#", ": SaveChanges("]);
    let release = start
        + text
            .lines()
            .skip(start)
            .position(|l| l.contains("spooler -> IMessage#") && l.contains(": Release("))
            .unwrap();
    let logoff = first(&text, &[": TransportLogoff("]);
    assert!(
        end < newmail && newmail < start && start < save && save < release && release < logoff,
        "{text}"
    );
}

#[test]
fn a_no_mail_session_sends_nothing_through_the_spooler() {
    let sim = suite(Behavior::default());
    let (mapi, session, store) = open_store(&sim, LogonFlags::NO_MAIL);
    submit_new_message(&store);
    sim.spooler().run_until_idle();
    close(mapi, session, store);
    let report = sim.finish();
    report.assert_clean();
    assert!(report.fired(&rules::CLIENT_NO_MAIL_SEND), "{}", report.account());
    let text = report.trace().to_string();
    assert!(text.contains("the message is not sent"), "{text}");
    assert!(!text.contains("XPProviderInit("), "{text}");
}

#[test]
fn a_quiet_store_logoff_waits_for_the_messages_the_spooler_has_not_sent() {
    let sim = suite(Behavior::default());
    let (mapi, session, store) = open_store(&sim, LogonFlags::empty());
    sim.spooler().run_until_idle();
    submit_new_message(&store);
    // The message waits for the spooler: LOGOFF_QUIET does not log the store off.
    let answer = store.store_logoff(LogoffFlags::QUIET).unwrap();
    assert!(answer.contains(LogoffFlags::OUTBOUND_QUEUE), "{answer}");
    assert!(!answer.contains(LogoffFlags::COMPLETE), "{answer}");
    // Once the spooler sent it, the same logoff happens.
    sim.spooler().run_until_idle();
    let answer = store.store_logoff(LogoffFlags::QUIET).unwrap();
    assert!(answer.contains(LogoffFlags::COMPLETE), "{answer}");
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    report.assert_pedantic();
    assert_eq!(
        lines_with(
            &report.trace().to_string(),
            &["spooler -> IXPLogon#", ": SubmitMessage("]
        )
        .len(),
        1
    );
}

/// A store of the suite with one submitted message the spooler has not sent, logged off with
/// `flag` and released; `between` runs after the logoff. Returns the report and the trace.
fn logoff_with_a_waiting_message(flag: LogoffFlags, between: impl FnOnce(&Simulator)) -> (Report, String) {
    let sim = suite(Behavior::default());
    let (mapi, session, store) = open_store(&sim, LogonFlags::empty());
    sim.spooler().run_until_idle();
    submit_new_message(&store);
    let answer = store.store_logoff(flag).unwrap();
    assert!(answer.contains(LogoffFlags::COMPLETE), "{answer}");
    drop(store);
    between(&sim);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    let text = report.trace().to_string();
    (report, text)
}

#[test]
fn a_no_wait_store_logoff_returns_at_once_and_the_spooler_sends_before_letting_go() {
    let (report, text) = logoff_with_a_waiting_message(LogoffFlags::NO_WAIT, |sim| {
        // The spooler still holds the store the client released, for the message.
        assert_eq!(sim.spooler().held(), 1);
        sim.spooler().run_until_idle();
        assert_eq!(sim.spooler().held(), 0, "let go once the message is sent");
    });
    report.assert_pedantic();
    let logoff = first(&text, &["client -> IMsgStore#", ": StoreLogoff(LOGOFF_NO_WAIT)"]);
    let submit = first(&text, &["spooler -> IXPLogon#", ": SubmitMessage("]);
    let finished = first(&text, &["spooler -> IMsgStore#", ": FinishedMsg("]);
    let release = first(&text, &["last waiting message is sent"]);
    let shutdown = first(&text, &["MAPI -> IMSProvider#", ": Shutdown("]);
    assert!(
        logoff < submit && submit < finished && finished < release && release < shutdown,
        "{text}"
    );
}

#[test]
fn a_purge_store_logoff_sends_and_flushes_before_it_returns() {
    let (report, text) = logoff_with_a_waiting_message(LogoffFlags::PURGE, |sim| {
        // Only the loopback's incoming copy is left for the spooler.
        assert_eq!(sim.spooler().pending(), 1);
        assert_eq!(sim.spooler().held(), 0);
    });
    report.assert_pedantic();
    let logoff = first(&text, &["client -> IMsgStore#", ": StoreLogoff(LOGOFF_PURGE)"]);
    let slt = first(&text, &[": StoreLogoffTransports(LOGOFF_PURGE)"]);
    let start = first(&text, &[": TransportLogon("]);
    let submit = first(&text, &["spooler -> IXPLogon#", ": SubmitMessage("]);
    let flush = first(
        &text,
        &[
            "spooler -> IXPLogon#",
            ": FlushQueues(0, no target, FLUSH_UPLOAD|FLUSH_NO_UI)",
        ],
    );
    assert!(
        logoff < slt && slt < start && start < submit && submit < flush,
        "the transports start, the message goes and the queues are flushed inside StoreLogoffTransports: {text}"
    );
    // All of it nested in the store's call, before the client's next one.
    let release = first(&text, &["client -> IMsgStore#", ": Release("]);
    assert!(flush < release, "{text}");
}

#[test]
fn an_orderly_store_logoff_starts_no_new_message() {
    let (report, text) = logoff_with_a_waiting_message(LogoffFlags::ORDERLY, |sim| {
        assert_eq!(sim.spooler().held(), 0);
    });
    report.assert_pedantic();
    assert!(text.contains("stays in its store's outbox"), "{text}");
    assert!(
        lines_with(&text, &["spooler -> IXPLogon#", ": SubmitMessage("]).is_empty(),
        "{text}"
    );
}

#[test]
fn the_last_mapiuninitialize_ends_all_three_kinds_and_frees_the_dll_once() {
    let sim = suite(Behavior::default().with_transport_start(TransportStart::AtLogon));
    let (mapi, session, store) = open_store(&sim, LogonFlags::empty());
    drop(session.open_address_book().unwrap());
    sim.spooler().run_until_idle();
    // The client forgets StoreLogoff and the session's logoff: the last MAPIUninitialize ends it.
    drop(store);
    drop(session);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    let provider_findings: Vec<&str> = report
        .violations
        .iter()
        .filter(|v| v.rule.bound != mapisim::check::Bound::Client)
        .map(|v| v.rule.id)
        .collect();
    assert!(provider_findings.is_empty(), "{}", report.account());
    assert!(
        report.leaks.is_empty() && report.loads.unpaired().is_empty(),
        "{}",
        report.account()
    );
    let text = report.trace().to_string();
    for shutdown in ["IABProvider#", "IMSProvider#", "IXPProvider#"] {
        assert_eq!(lines_with(&text, &[shutdown, ": Shutdown(0)"]).len(), 1, "{text}");
    }
    let uninit = first(&text, &["client -> MAPI: MAPIUninitialize()"]);
    let unloads = lines_with(&text, &["FreeLibrary()", "unloaded"]);
    assert_eq!(unloads.iter().filter(|l| **l > uninit).count(), 1, "{text}");
}

/// The sample's DLL, whose message-service entry also writes `PR_OWN_STORE_ENTRYID`, when the
/// configuration properties carry it, into the section of the service's transport: the way a
/// configuration dialog couples a transport with a store.
struct Coupling(mapisim::sample::SampleLibrary);

impl ProviderLibrary for Coupling {
    fn exports(&self) -> Exports {
        self.0.exports()
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        self.0.ms_provider_init(args)
    }

    fn xp_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn XpProvider>> {
        self.0.xp_provider_init(args)
    }

    fn service_entry(&self, args: &mapisim::spi::ServiceEntryArgs<'_>) -> MapiResult<()> {
        use mapisim::props::{PR_OWN_STORE_ENTRYID, PR_PROVIDER_UID};
        let Some(own) = args.props.iter().find(|p| p.tag == PR_OWN_STORE_ENTRYID) else {
            return self.0.service_entry(args);
        };
        for row in args.admin.get_provider_table(0)? {
            let row: PropBag = row.into_iter().collect();
            let is_transport = row.get_u32(PR_RESOURCE_TYPE) == Some(ResourceType::TransportProvider.value());
            if let (true, Some(PropValue::Binary(uid))) = (is_transport, row.get(PR_PROVIDER_UID)) {
                let uid = MapiUid(uid.as_slice().try_into().map_err(|_| MapiError::CorruptData)?);
                let section =
                    args.admin
                        .open_profile_section(Some(&uid), None, ProfileSectionFlags::MODIFY)?;
                section.set_props(std::slice::from_ref(own))?;
            }
        }
        Ok(())
    }
}

/// A store in service `STORE` and a transport flagged `STATUS_OWN_STORE` in service `XPORT` (the
/// sample's), with a `MAPI_NO_MAIL` session submitting through the store after `XPORT` was
/// configured with `own` (the store's entry ID, or another). Returns the report.
fn no_mail_submit_with_coupling(own: impl FnOnce(&[u8]) -> Vec<u8>) -> Report {
    use mapisim::props::{PR_OWN_STORE_ENTRYID, PR_SERVICE_DLL_NAME_A, PR_SERVICE_ENTRY_NAME};
    use mapisim::sample::SampleStore;
    let service = |name: &str| {
        ServiceDef::new(name)
            .prop(PR_SERVICE_DLL_NAME_A, SampleStore::DLL_BASE)
            .prop(PR_SERVICE_ENTRY_NAME, "ServiceEntry")
    };
    let store_service = service("STORE").provider(
        ProviderDef::store(SampleStore::DLL_BASE)
            .display_name("Sample Store")
            .provider_display("Sample Store Provider")
            .resource_flags(ResourceFlags::DEFAULT_STORE),
    );
    let transport_service = service("XPORT").provider(
        ProviderDef::new(ResourceType::TransportProvider, SampleStore::DLL_BASE)
            .display_name("Sample Transport")
            .resource_flags(ResourceFlags::OWN_STORE),
    );
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, || Coupling(SampleStore::library()))
        .service(store_service)
        .service(transport_service)
        .build();
    let profile = sim.profiles().create("P").unwrap();
    profile.add_service("STORE").unwrap();
    let transport = profile.add_service("XPORT").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi
        .logon_ex("P", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)
        .unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    let named = own(&store.entry_id().unwrap());
    profile
        .configure_service(
            &transport,
            ServiceEntryFlags::empty(),
            &[Prop {
                tag: PR_OWN_STORE_ENTRYID,
                value: PropValue::Binary(named),
            }],
        )
        .unwrap();
    submit_new_message(&store);
    close(mapi, session, store);
    sim.finish()
}

#[test]
fn a_transport_names_the_store_it_is_tightly_coupled_with_by_pr_own_store_entryid() {
    // In another service than the store, PR_OWN_STORE_ENTRYID is what pairs them.
    let report = no_mail_submit_with_coupling(<[u8]>::to_vec);
    report.assert_pedantic();
    assert!(
        report.trace().to_string().contains("tightly coupled"),
        "{}",
        report.trace()
    );
    // Naming another store: no pair, and the client's submission is advice.
    let report = no_mail_submit_with_coupling(|id| {
        let mut other = id.to_vec();
        if let Some(last) = other.last_mut() {
            *last ^= 0xFF;
        }
        other
    });
    assert!(report.is_clean(), "{}", report.account());
    let advice: Vec<&str> = report.advisories().into_iter().map(|v| v.rule.id).collect();
    assert_eq!(advice, vec!["CLIENT-NO-MAIL-SEND"]);
}
