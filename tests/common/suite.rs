//! The sample DLL's whole message service in a simulator, and reading the trace by lines.

#![allow(dead_code, clippy::unwrap_used)]

use mapisim::prelude::*;
use mapisim::sample::{SampleStore, SampleSuite};

/// A simulator with the sample DLL and its whole service (address book, store, transport), a
/// profile `Suite` holding it.
pub(crate) fn suite(behavior: Behavior) -> Simulator {
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .mapisvc_inf(SampleSuite::MAPISVC_INF)
        .unwrap()
        .behavior(behavior)
        .build();
    sim.profiles()
        .create("Suite")
        .unwrap()
        .add_service(SampleSuite::NAME)
        .unwrap();
    sim
}

/// The positions of the trace lines that contain every one of `parts`, in order.
pub(crate) fn lines_with(text: &str, parts: &[&str]) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| parts.iter().all(|p| l.contains(p)))
        .map(|(i, _)| i)
        .collect()
}

/// The first line with every one of `parts`.
#[track_caller]
pub(crate) fn first(text: &str, parts: &[&str]) -> usize {
    match lines_with(text, parts).first() {
        Some(i) => *i,
        None => panic!("no line with {parts:?} in:\n{text}"),
    }
}

/// `MAPIInitialize`, `MAPILogonEx` on the profile `Suite` with `flags` (and `MAPI_EXTENDED`), and
/// the default store opened for writing.
pub(crate) fn open_store(
    sim: &Simulator,
    flags: LogonFlags,
) -> (mapisim::runtime::Mapi, Session, StoreHandle) {
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Suite", LogonFlags::EXTENDED | flags).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    (mapi, session, store)
}

/// The store's `StoreLogoff` and release, the session's `Logoff`, `MAPIUninitialize`.
pub(crate) fn close(mapi: mapisim::runtime::Mapi, session: Session, store: StoreHandle) {
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
}

/// A new message in the sample store's outbox, submitted through the store.
#[allow(dead_code)] // not every test binary sends
pub(crate) fn submit_new_message(store: &StoreHandle) {
    let opened = store
        .open_entry(Some(&mapisim::sample::sample_new_message_id()), None, 0)
        .unwrap();
    let message = opened.message().unwrap();
    store.submit_message(&message, 0).unwrap();
}
