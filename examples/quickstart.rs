//! The main job: the full documented lifecycle of a message-store provider, on the bundled sample
//! provider, with the trace and the report printed. Exits non-zero if the report is not clean.
//!
//! Run with `cargo run --example quickstart`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // an example prints what it shows

use std::process::ExitCode;

use mapisim::prelude::*;
use mapisim::sample::SampleStore;

/// A simulator hosting the sample provider's DLL, with the services of its Mapisvc.inf in the
/// catalogue.
pub(crate) fn simulator() -> Result<Simulator, mapisim::runtime::InfError> {
    Ok(Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .mapisvc_inf(SampleStore::MAPISVC_INF)?
        .build())
}

/// What a client does, from `MAPIInitialize` to `MAPIUninitialize`.
pub(crate) fn lifecycle(sim: &Simulator) -> MapiResult<()> {
    // A profile with the services of `[Default Services]`: the sample's message service.
    sim.profiles().create_default("Default")?;

    // MAPIInitialize, MAPILogonEx, the message-stores table, OpenMsgStore.
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED)?;
    let row = session.msg_stores_table()?.default_store()?;
    let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;

    // The spooler logs on to the store MAPI told it about.
    sim.spooler().run_until_idle();

    // An orderly logoff of the store, its release, the session's logoff, MAPIUninitialize.
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
