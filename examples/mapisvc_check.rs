//! Checks Mapisvc.inf files and prints every problem with its line and column.
//!
//! Run with `cargo run --example mapisvc_check -- FILE...`. Each diagnostic is printed as
//! `FILE:LINE:COL: error: MESSAGE` (or `warning:`), then one summary line per file:
//! `FILE: N services, M providers, E errors, W warnings`. Bytes that are not UTF-8 (an 8-bit
//! Windows code page) are read as replacement characters, so such a file is still checked.
//!
//! Exit status: 2 if a file cannot be read (or no file is given), otherwise 1 if any file has an
//! error, otherwise 0.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool prints its findings

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mapisim::profile::inf::{self, SectionKind};

/// Checks every file named in `args`, writing diagnostics and summaries to `out` and read
/// failures and usage to `err`; returns the exit status.
pub(crate) fn run(args: &[PathBuf], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if args.is_empty() {
        // Nothing useful can be done when writing the usage fails.
        let _ = writeln!(err, "usage: mapisvc_check FILE...");
        return 2;
    }
    let mut unreadable = false;
    let mut errors = false;
    for path in args {
        match check_file(path, out) {
            Ok(has_errors) => errors |= has_errors,
            Err(e) => {
                unreadable = true;
                let _ = writeln!(err, "{}: cannot read: {e}", path.display());
            }
        }
    }
    if unreadable {
        2
    } else if errors {
        1
    } else {
        0
    }
}

/// Checks one file; `Ok(true)` if it has errors, `Err` if it cannot be read.
pub(crate) fn check_file(path: &Path, out: &mut dyn Write) -> std::io::Result<bool> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let parsed = inf::parse(&text);
    let name = path.display();
    // Output failures (a closed pipe) are not the file's fault; the exit status still tells.
    for d in &parsed.diagnostics {
        let _ = writeln!(out, "{name}:{d}");
    }
    let services = parsed.inf.services().len();
    let providers = parsed
        .inf
        .section_kinds()
        .into_iter()
        .filter(|k| *k == SectionKind::Provider)
        .count();
    let _ = writeln!(
        out,
        "{name}: {services} services, {providers} providers, {} errors, {} warnings",
        parsed.errors().len(),
        parsed.warnings().len()
    );
    Ok(parsed.has_errors())
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = run(&args, &mut stdout.lock(), &mut stderr.lock());
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
