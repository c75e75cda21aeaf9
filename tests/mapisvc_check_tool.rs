//! The `mapisvc_check` example: its output lines and its three exit statuses.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

#[path = "../examples/mapisvc_check.rs"]
#[allow(dead_code)] // the example's `main` is not called here
mod tool;

use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Runs the tool; returns the exit status, stdout and stderr.
fn run(files: &[PathBuf]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = tool::run(files, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn a_good_file_prints_its_summary_and_exits_0() {
    let good = data("good.inf");
    let (code, out, err) = run(std::slice::from_ref(&good));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        format!(
            "{}: 1 services, 2 providers, 0 errors, 0 warnings\n",
            good.display()
        )
    );
    assert_eq!(err, "");

    let two = data("good_two_services.inf");
    let (code, out, _) = run(&[good.clone(), two.clone()]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        vec![
            format!(
                "{}: 1 services, 2 providers, 0 errors, 0 warnings",
                good.display()
            ),
            format!("{}: 2 services, 3 providers, 0 errors, 0 warnings", two.display()),
        ]
    );
}

#[test]
fn warnings_alone_exit_0() {
    let file = data("warnings_only.inf");
    let (code, out, _) = run(std::slice::from_ref(&file));
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 11);
    let name = file.display().to_string();
    assert_eq!(
        lines[0],
        format!(
            "{name}:4:1: warning: service `MOCKSVC` is listed again in `[Services]` (first at 3:1); expected \
             each service once, only the first one is used"
        )
    );
    assert!(
        lines[..10]
            .iter()
            .all(|l| l.starts_with(&format!("{name}:")) && l.contains(": warning: "))
    );
    assert_eq!(
        lines[10],
        format!("{name}: 1 services, 1 providers, 0 errors, 10 warnings")
    );
}

#[test]
fn an_error_exits_1_and_prints_each_diagnostic_with_file_line_and_column() {
    let good = data("good.inf");
    let broken = data("missing_provider_section.inf");
    let (code, out, err) = run(&[broken.clone(), good.clone()]);
    assert_eq!(code, 1);
    assert_eq!(err, "");
    let b = broken.display();
    let expected = [
        format!(
            "{b}:4:1: error: service `GHOSTSVC` is listed in `[Services]` but has no section; expected a \
             section `[GHOSTSVC]`"
        ),
        format!(
            "{b}:9:23: error: provider section `MOCKSVC AB` named in `Providers=` does not exist; expected \
             a section `[MOCKSVC AB]`"
        ),
        format!(
            "{b}:10:10: error: extra section `MOCKSVC Settings` named in `Sections=` does not exist; \
             expected a section `[MOCKSVC Settings]`"
        ),
        format!("{b}: 2 services, 1 providers, 3 errors, 0 warnings"),
        format!(
            "{}: 1 services, 2 providers, 0 errors, 0 warnings",
            good.display()
        ),
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);

    let (code, out, _) = run(&[data("dll_name_with_32.inf")]);
    assert_eq!(code, 1);
    assert!(
        out.contains(":6:28: error: DLL name `MOCKPRV32.DLL` already ends in `32`"),
        "{out}"
    );
}

#[test]
fn an_unreadable_file_exits_2_even_after_errors() {
    let missing = data("no_such_file.inf");
    let broken = data("bad_values.inf");
    let (code, out, err) = run(&[broken.clone(), missing.clone(), data("good.inf")]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!("{}: cannot read: ", missing.display())),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    // The other files are still checked.
    assert!(out.contains(&format!(
        "{}: 1 services, 1 providers, 7 errors, 0 warnings",
        broken.display()
    )));
    assert!(out.contains("good.inf: 1 services, 2 providers, 0 errors, 0 warnings"));
    // A directory cannot be read as a file either.
    let (code, _, err) = run(&[data("")]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"));
}

#[test]
fn no_file_is_a_usage_error() {
    let (code, out, err) = run(&[]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.starts_with("usage: mapisvc_check FILE..."));
}

#[test]
fn bytes_that_are_not_utf8_are_still_checked() {
    let dir = std::env::temp_dir().join(format!("mapisvc_check_tool_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("latin1.inf");
    let mut bytes = include_bytes!("data/good.inf").to_vec();
    // "Mock Folders" → "Mock Dossiers é" in Windows-1252.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let at = text.find("Mock Folders").unwrap();
    bytes.splice(
        at..at + "Mock Folders".len(),
        b"Mock Dossiers \xE9".iter().copied(),
    );
    std::fs::write(&file, &bytes).unwrap();
    let (code, out, _) = run(std::slice::from_ref(&file));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("1 services, 2 providers, 0 errors, 0 warnings\n"));
}
