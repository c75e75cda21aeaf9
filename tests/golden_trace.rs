//! The quickstart's trace, pinned byte for byte in `tests/golden/quickstart.trace`. After a change
//! that alters the trace on purpose, rerun with `MAPISIM_BLESS=1` to rewrite the file, and review
//! the difference.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;

const GOLDEN: &str = "tests/golden/quickstart.trace";

fn quickstart_trace() -> String {
    let sim = quickstart::simulator().unwrap();
    quickstart::lifecycle(&sim).unwrap();
    let report = sim.finish();
    report.assert_clean();
    report.trace().text()
}

#[test]
fn the_quickstart_trace_matches_the_golden_file() {
    let text = quickstart_trace();
    if std::env::var_os("MAPISIM_BLESS").is_some() {
        std::fs::write(GOLDEN, &text).unwrap();
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap();
    assert_eq!(
        text, golden,
        "the quickstart's trace changed; rerun with MAPISIM_BLESS=1 if on purpose"
    );
}

#[test]
fn the_quickstart_trace_is_deterministic() {
    assert_eq!(quickstart_trace(), quickstart_trace());
}

#[test]
fn the_documented_order_appears_in_the_quickstart_trace() {
    let text = quickstart_trace();
    let order = [
        "CreateMsgService(",
        ": ServiceEntry(",
        "LoadLibrary()",
        ": MSProviderInit(",
        ": Logon(",
        ": SpoolerLogon(",
        ": StoreLogoff(",
        ": StoreLogoffTransports(",
        ": Logoff(0)",
        ": Shutdown(",
        "FreeLibrary() = 0, unloaded",
    ];
    let mut from = 0;
    for needle in order {
        let at = text[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} missing after byte {from}:\n{text}"));
        from += at + needle.len();
    }
}
