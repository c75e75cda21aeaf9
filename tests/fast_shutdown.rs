//! Client fast shutdown: MAPI's `IMAPIClientShutdown` reaches each provider's
//! `IMAPIProviderShutdown` through `QueryInterface`, under the user's setting, and a process that
//! exits after `DoFastShutdown` is held to no teardown.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod zoo;

use mapisim::prelude::*;
use mapisim::runtime::FastShutdown;
use mapisim::trace::EventKind;
use zoo::{Defect, builder, open_default, sample_builder, zoo_profile};

/// The sample's simulator under `setting`, a session with its store open.
fn open(setting: FastShutdown) -> (Simulator, mapisim::runtime::Mapi, Session, StoreHandle) {
    let sim = sample_builder()
        .behavior(Behavior::default().with_fast_shutdown(setting))
        .build();
    sim.profiles().create_default("Default").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    sim.spooler().run_until_idle();
    (sim, mapi, session, store)
}

/// The methods MAPI called on provider objects, in order, with their arguments.
fn provider_calls(sim: &Simulator) -> Vec<String> {
    sim.trace()
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Call { method, args, .. }
                if [
                    "QueryInterface",
                    "QueryFastShutdown",
                    "NotifyProcessShutdown",
                    "DoFastShutdown",
                ]
                .contains(&method.as_ref())
                    && e.depth > 0 =>
            {
                Some(format!("{method}({args})"))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_fast_shutdown_asks_the_provider_for_imapiprovidershutdown_and_tears_nothing_down() {
    let (sim, mapi, session, store) = open(FastShutdown::default());
    assert_eq!(session.query_fast_shutdown(), Ok(()));
    session.notify_process_shutdown().unwrap();
    session.do_fast_shutdown().unwrap();
    assert_eq!(
        provider_calls(&sim),
        [
            "QueryInterface(IID_IMAPIProviderShutdown)",
            "QueryFastShutdown()",
            "QueryInterface(IID_IMAPIProviderShutdown)",
            "NotifyProcessShutdown()",
            "QueryInterface(IID_IMAPIProviderShutdown)",
            "DoFastShutdown()",
        ]
    );
    // The process exits: the handles go with it, and nothing is held against anybody.
    std::mem::forget(store);
    std::mem::forget(session);
    std::mem::forget(mapi);
    let report = sim.finish();
    report.assert_pedantic();
    assert!(
        !report.trace().to_string().contains("Shutdown(0)"),
        "no IMSProvider::Shutdown"
    );
}

/// `QueryFastShutdown` under each setting, for a simulator `build` makes, then an ordinary end.
fn answers(
    build: impl Fn(FastShutdown) -> (Simulator, mapisim::runtime::Mapi, Session, StoreHandle),
) -> Vec<MapiResult<()>> {
    [
        FastShutdown::UnlessOptedOut,
        FastShutdown::OnlyIfAllOptIn,
        FastShutdown::Disabled,
    ]
    .into_iter()
    .map(|setting| {
        let (sim, mapi, session, store) = build(setting);
        let answer = session.query_fast_shutdown();
        store.store_logoff(LogoffFlags::ORDERLY).unwrap();
        drop(store);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        mapi.uninitialize().unwrap();
        sim.finish().assert_clean();
        answer
    })
    .collect()
}

/// The zoo's store provider with `defect`, its store open, under `setting`.
fn zoo_open(
    defect: Defect,
    setting: FastShutdown,
) -> (Simulator, mapisim::runtime::Mapi, Session, StoreHandle) {
    let sim = builder(defect)
        .behavior(Behavior::default().with_fast_shutdown(setting))
        .build();
    zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    (sim, mapi, session, store)
}

#[test]
fn each_setting_answers_as_the_user_options_page_says() {
    let no = Err(MapiError::NoSupport);
    // The sample opts in: only the disabled setting refuses.
    assert_eq!(answers(open), [Ok(()), Ok(()), no]);
    // The zoo's provider has no IMAPIProviderShutdown: it stops only the opt-in setting.
    assert_eq!(answers(|s| zoo_open(Defect::None, s)), [Ok(()), no, no]);
    // A provider that opts out stops every setting.
    assert_eq!(
        answers(|s| zoo_open(Defect::OptsOutOfFastShutdown, s)),
        [no, no, no]
    );
}

#[test]
fn the_disabled_setting_asks_no_provider() {
    let (sim, mapi, session, store) = open(FastShutdown::Disabled);
    assert_eq!(session.query_fast_shutdown(), Err(MapiError::NoSupport));
    assert!(provider_calls(&sim).is_empty(), "{:?}", provider_calls(&sim));
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn handles_dropped_after_the_exit_are_held_against_nobody() {
    let (sim, mapi, session, store) = open(FastShutdown::default());
    session.query_fast_shutdown().unwrap();
    session.notify_process_shutdown().unwrap();
    session.do_fast_shutdown().unwrap();
    drop(store);
    drop(session);
    drop(mapi);
    sim.finish().assert_pedantic();
}
