//! Runs the documented lifecycle of a message-store provider on a compiled provider library,
//! through the COM binary interface, and prints the trace and the report. Exits 0 only when the
//! report is clean.
//!
//! ```text
//! cargo run -p mapisim-com --example host_native -- PATH_TO_LIBRARY [MAPISVC.INF [DLL_NAME]]
//! ```
//!
//! `MAPISVC.INF` is the provider's Mapisvc.inf (the bundled sample's by default); `DLL_NAME` is
//! the file name it gives the provider (`SMPMS32.DLL` by default); the profile is made of its
//! `[Default Services]`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // an example prints what it shows

use std::process::ExitCode;

use mapisim::prelude::*;
use mapisim::sample::SampleStore;
use mapisim_com::host::NativeLibraries;

/// What a client does, from `MAPIInitialize` to `MAPIUninitialize` (as the quickstart does).
fn lifecycle(sim: &Simulator) -> MapiResult<()> {
    sim.profiles().create_default("Default")?;
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED)?;
    let row = session.msg_stores_table()?.default_store()?;
    let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
    sim.spooler().run_until_idle();
    store.store_logoff(LogoffFlags::ORDERLY)?;
    drop(store);
    session.logoff(SessionLogoffFlags::empty())?;
    drop(session);
    mapi.uninitialize()?;
    Ok(())
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        return Err("usage: host_native PATH_TO_LIBRARY [MAPISVC.INF [DLL_NAME]]".into());
    };
    let inf = match args.next() {
        Some(file) => std::fs::read_to_string(file)?,
        None => SampleStore::MAPISVC_INF.to_owned(),
    };
    let dll = args.next().unwrap_or_else(|| SampleStore::DLL_FILE.to_owned());
    let sim = Simulator::builder()
        .native_library(&dll, &path)?
        .mapisvc_inf(&inf)?
        .build();
    let outcome = lifecycle(&sim);
    let report = sim.finish();
    println!("trace:\n{}", report.trace());
    println!("{report}");
    if let Err(e) = outcome {
        eprintln!("the lifecycle failed: {e}");
        return Ok(false);
    }
    Ok(report.is_clean())
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
