//! Runs the conformance battery (`mapisim::conformance`) on a compiled provider library and
//! prints its summary table: scenario, runs, verdict with the rule ids; then the account of the
//! first failing runs. Exits 0 when every run is clean, 1 when one failed, 2 when the battery
//! could not run.
//!
//! ```text
//! cargo run -p mapisim-com --example conformance -- PATH_TO_LIBRARY [--mapisvc FILE]
//!     [--file DLL_NAME] [--entry NAME] [--only SCENARIO] [--skip SCENARIO]... [--no-faults]
//!     [--pedantic]
//! ```
//!
//! - `--mapisvc FILE`: the Mapisvc.inf the provider ships; its message services are tested.
//!   Without it, one message service holds a provider of each kind the library exports an entry
//!   point for (`MSProviderInit`, `ABProviderInit`, `XPProviderInit`), and its service entry if
//!   the library exports one.
//! - `--file DLL_NAME`: the name MAPI loads the library by, with the `32` (`SMPMS32.DLL`). By
//!   default it comes from the path: `libsmpms32.so` and `smpms32.dll` are `SMPMS32.DLL`.
//! - `--entry NAME`: the exported name of the service entry (`ServiceEntry`).
//! - `--only SCENARIO`, `--skip SCENARIO`, `--no-faults`, `--pedantic`: as the battery's
//!   methods of those names.

#![allow(clippy::print_stdout, clippy::print_stderr)] // an example prints what it shows

use std::path::Path;
use std::process::ExitCode;

use mapisim::flags::{ResourceFlags, ResourceType};
use mapisim::profile::{ProviderDef, ServiceDef};
use mapisim::props::{PR_SERVICE_DLL_NAME_A, PR_SERVICE_ENTRY_NAME};
use mapisim::spi::Exports;
use mapisim_com::host::native_conformance;

const USAGE: &str = "usage: conformance PATH_TO_LIBRARY [--mapisvc FILE] [--file DLL_NAME] [--entry NAME] \
                     [--only SCENARIO] [--skip SCENARIO]... [--no-faults] [--pedantic]";

/// The command line.
#[derive(Default)]
struct Args {
    path: String,
    mapisvc: Option<String>,
    file: Option<String>,
    entry: Option<String>,
    only: Option<String>,
    skip: Vec<String>,
    no_faults: bool,
    pedantic: bool,
}

fn parse() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--mapisvc" => args.mapisvc = Some(value("--mapisvc")?),
            "--file" => args.file = Some(value("--file")?),
            "--entry" => args.entry = Some(value("--entry")?),
            "--only" => args.only = Some(value("--only")?),
            "--skip" => args.skip.push(value("--skip")?),
            "--no-faults" => args.no_faults = true,
            "--pedantic" => args.pedantic = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other if other.starts_with("--") => return Err(format!("unknown option {other}\n{USAGE}")),
            path if args.path.is_empty() => args.path = path.to_owned(),
            extra => return Err(format!("unexpected argument {extra}\n{USAGE}")),
        }
    }
    if args.path.is_empty() {
        return Err(USAGE.to_owned());
    }
    Ok(args)
}

/// The name MAPI loads a library by, from its path: the stem without a `lib` prefix, in capitals,
/// with `.DLL`.
fn dll_name(path: &str) -> String {
    let stem = Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = stem.strip_prefix("lib").unwrap_or(&stem);
    format!("{}.DLL", stem.to_ascii_uppercase())
}

/// The name a profile holds for a file MAPI loads: without the `32` before the extension.
fn base_name(file: &str) -> Result<String, String> {
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    let Some(base) = stem.strip_suffix("32") else {
        return Err(format!(
            "{file} has no 32 before its extension, so no profile names it: give --mapisvc, or --file"
        ));
    };
    Ok(if ext.is_empty() {
        base.to_owned()
    } else {
        format!("{base}.{ext}")
    })
}

/// One message service with a provider of each exported kind.
fn service_of(file: &str, entry: &str, exports: Exports) -> Result<ServiceDef, String> {
    let base = base_name(file)?;
    let mut service = ServiceDef::new("UNDER TEST")
        .display_name("The library under test")
        .prop(PR_SERVICE_DLL_NAME_A, base.as_str());
    if exports.contains(Exports::SERVICE_ENTRY) {
        service = service.prop(PR_SERVICE_ENTRY_NAME, entry);
    }
    if exports.contains(Exports::AB_PROVIDER_INIT) {
        service = service.provider(
            ProviderDef::new(ResourceType::AbProvider, &base).display_name("Address book under test"),
        );
    }
    if exports.contains(Exports::MS_PROVIDER_INIT) {
        service = service.provider(
            ProviderDef::store(&base)
                .display_name("Store under test")
                .resource_flags(ResourceFlags::DEFAULT_STORE),
        );
    }
    if exports.contains(Exports::XP_PROVIDER_INIT) {
        service = service.provider(
            ProviderDef::new(ResourceType::TransportProvider, &base).display_name("Transport under test"),
        );
    }
    Ok(service)
}

fn run() -> Result<bool, String> {
    let args = parse()?;
    let file = args.file.clone().unwrap_or_else(|| dll_name(&args.path));
    let entry = args.entry.clone().unwrap_or_else(|| "ServiceEntry".to_owned());
    let (battery, exports) = native_conformance(&file, &args.path, &entry).map_err(|e| e.to_string())?;
    let mut battery = match &args.mapisvc {
        Some(inf) => {
            let text = std::fs::read_to_string(inf).map_err(|e| format!("{inf}: {e}"))?;
            battery.mapisvc_inf(&text).map_err(|e| format!("{inf}: {e}"))?
        }
        None => battery.service(service_of(&file, &entry, exports)?),
    };
    if let Some(only) = &args.only {
        battery = battery.only(only);
    }
    for scenario in &args.skip {
        battery = battery.skip(scenario, "skipped on the command line");
    }
    let report = battery
        .faults(!args.no_faults)
        .pedantic(args.pedantic)
        .run()
        .map_err(|e| e.to_string())?;
    let names: Vec<&str> = exports.iter().map(Exports::entry_name).collect();
    println!("{} as {file}, exporting {}\n", args.path, names.join(", "));
    println!("{report}");
    let failures = report.failures();
    for failure in failures.iter().take(3) {
        println!("{}", failure.account());
    }
    println!("{} runs, {} failed", report.runs(), failures.len());
    if let Some(first) = failures.first() {
        println!("To run that scenario alone: add --only {}", first.scenario);
    }
    Ok(failures.is_empty())
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
