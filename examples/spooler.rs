//! A walk-through of the MAPI spooler and the transports, one step at a time, on the sample DLL's
//! whole message service (address book, store, transport):
//!
//! 1. The client opens the store; MAPI tells the spooler about it, and the spooler's first step
//!    is `SpoolerLogon`.
//! 2. No transport runs yet: transports start when a client first asks for their services.
//! 3. The client submits a message through the store (`IMessage::SubmitMessage`); the store tells
//!    the spooler it is ready to send (`SpoolerNotify(NOTIFY_READYTOSEND)`) and hands the message
//!    over (`PrepareSubmit`).
//! 4. The spooler's next step starts the session's transports: `XPProviderInit`,
//!    `TransportLogon` with `LOGON_NO_INBOUND | LOGON_NO_OUTBOUND`, `AddressTypes`, the
//!    transport's status row, `TransportNotify(NOTIFY_BEGIN_INBOUND | NOTIFY_BEGIN_OUTBOUND)`, and
//!    `Idle` since the sample asked for idle time.
//! 5. The step after sends the message: `SetLockState`, `SubmitMessage`, `EndMessage`,
//!    `FinishedMsg`. The sample transport is a loopback: at `EndMessage` it tells the spooler it
//!    has new mail (`SpoolerNotify(NOTIFY_NEWMAIL)`).
//! 6. The next step receives it: `StartMessage` with a new message the transport fills and
//!    saves; the spooler delivers it, and the example prints what arrived.
//! 7. At session logoff the transport goes last: `TransportNotify(NOTIFY_END_*)`,
//!    `TransportLogoff`, the release of the logon object, `IXPProvider::Shutdown`, the release of
//!    the provider object.
//!
//! Run with `cargo run --example spooler`. Exits non-zero if the report is not clean.

#![allow(clippy::print_stdout, clippy::print_stderr)] // an example prints what it shows

use std::process::ExitCode;

use mapisim::prelude::*;
use mapisim::sample::{SampleStore, SampleSuite, sample_new_message_id};

/// Prints the trace lines recorded since `mark`, and returns the new mark.
fn show(sim: &Simulator, mark: usize, what: &str) -> usize {
    println!("== {what}");
    let text = sim.trace().to_string();
    for line in text.lines().skip(mark) {
        println!("{line}");
    }
    sim.trace().len()
}

fn walk(sim: &Simulator) -> MapiResult<()> {
    sim.profiles().create("Default")?.add_service(SampleSuite::NAME)?;
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED)?;
    let row = session.msg_stores_table()?.default_store()?;
    let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
    let mut mark = show(sim, 0, "1. the client logs on and opens the store");

    println!("the spooler has {} piece(s) of work", sim.spooler().pending());
    sim.spooler().step();
    mark = show(sim, mark, "   the spooler's step: SpoolerLogon");

    println!(
        "== 2. nothing else to do: {} piece(s) of work, no transport",
        sim.spooler().pending()
    );

    let opened = store.open_entry(Some(&sample_new_message_id()), None, 0)?;
    let message = opened.message().ok_or(MapiError::InterfaceNotSupported)?;
    store.submit_message(&message, 0)?;
    drop((message, opened));
    mark = show(sim, mark, "3. the client submits a message through the store");
    println!(
        "the spooler has {} piece(s) of work: start the transports, send the message",
        sim.spooler().pending()
    );

    sim.spooler().step();
    mark = show(sim, mark, "4. the spooler's step: the transports start");
    sim.spooler().step();
    mark = show(sim, mark, "5. the spooler's step: the message is sent");
    sim.spooler().step();
    mark = show(
        sim,
        mark,
        "6. the spooler's step: the loopback transport had new mail, StartMessage receives it",
    );
    for received in sim.spooler().take_received() {
        println!(
            "received from {}: {} properties, {} recipient(s)",
            received
                .transport
                .map_or("a transport".to_owned(), |l| l.to_string()),
            received.props.len(),
            received.recipients.len()
        );
    }

    store.store_logoff(LogoffFlags::ORDERLY)?;
    drop(store);
    session.logoff(SessionLogoffFlags::empty())?;
    drop(session);
    mapi.uninitialize()?;
    show(
        sim,
        mark,
        "7. the store logs off, then the session: the transport goes last",
    );
    Ok(())
}

fn main() -> ExitCode {
    let sim = match Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .mapisvc_inf(SampleSuite::MAPISVC_INF)
    {
        Ok(builder) => builder.build(),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = walk(&sim);
    let report = sim.finish();
    println!("{report}");
    match outcome {
        Ok(()) if report.is_clean() => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("the walk-through failed: {e}");
            ExitCode::FAILURE
        }
    }
}
