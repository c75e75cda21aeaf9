//! The main job: the documented lifecycle of all three kinds of service provider — an address
//! book, a message store and a transport, shipped as one message service in the bundled sample
//! DLL — with one message sent and received back, and the trace and the report printed. Exits non-zero if the
//! report is not clean.
//!
//! Run with `cargo run --example quickstart`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // an example prints what it shows

use std::process::ExitCode;

use mapisim::prelude::*;
use mapisim::sample::{SampleStore, SampleSuite, sample_new_message_id, sample_user_id};

/// A simulator hosting the sample's DLL, with the sample's whole message service (address book,
/// store, transport) in the catalogue, read from its Mapisvc.inf.
pub(crate) fn simulator() -> Result<Simulator, mapisim::runtime::InfError> {
    Ok(Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .mapisvc_inf(SampleSuite::MAPISVC_INF)?
        .build())
}

/// What a client does, from `MAPIInitialize` to `MAPIUninitialize`.
pub(crate) fn lifecycle(sim: &Simulator) -> MapiResult<()> {
    // A profile with the sample's message service.
    sim.profiles().create("Default")?.add_service(SampleSuite::NAME)?;

    // MAPIInitialize, MAPILogonEx, the message-stores table, OpenMsgStore. Within the service the
    // address book starts first: ABProviderInit and IABProvider::Logon come before the store's.
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED)?;
    let row = session.msg_stores_table()?.default_store()?;
    let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;

    // The spooler logs on to the store MAPI told it about.
    sim.spooler().run_until_idle();

    // The address book (its logon is already there) and one of its entries.
    let book = session.open_address_book()?.into_value();
    drop(book.open_entry(&sample_user_id(), None, 0)?);
    drop(book);

    // A new message in the store's outbox, submitted: the store tells the spooler, which starts
    // the transport (XPProviderInit, TransportLogon) and hands it the message. The sample
    // transport is a loopback: the message comes back (NOTIFY_NEWMAIL, then StartMessage).
    let opened = store.open_entry(Some(&sample_new_message_id()), None, 0)?;
    let message = opened.message().ok_or(MapiError::InterfaceNotSupported)?;
    store.submit_message(&message, 0)?;
    drop((message, opened));
    sim.spooler().run_until_idle();
    if sim.spooler().take_received().len() != 1 {
        return Err(MapiError::NotFound);
    }

    // An orderly logoff of the store, its release, the session's logoff (the address book, then
    // the transport), MAPIUninitialize (the DLL is freed).
    store.store_logoff(LogoffFlags::ORDERLY)?;
    drop(store);
    session.logoff(SessionLogoffFlags::empty())?;
    drop(session);
    mapi.uninitialize()?;
    Ok(())
}

fn main() -> ExitCode {
    let sim = match simulator() {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = lifecycle(&sim);
    let report = sim.finish();
    println!("trace:\n{}", report.trace());
    println!("{report}");
    match outcome {
        Ok(()) if report.is_clean() => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("the lifecycle failed: {e}");
            ExitCode::FAILURE
        }
    }
}
