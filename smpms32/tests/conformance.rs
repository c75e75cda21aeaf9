//! The conformance battery on the samples built as a provider library (`libsmpms32.so`: the
//! store, the address book and the transport), hosted through the COM binary interface: every
//! scenario of the three kinds, every reading, every fault, clean, as in process.

use std::path::PathBuf;

use mapisim::conformance::Verdict;
use mapisim::sample::{SampleStore, SampleSuite};
use mapisim::spi::Exports;
use mapisim_com::host::native_conformance;

/// `libsmpms32.so` as cargo built it for this test run, beside the test binary.
fn sample_library() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let deps = exe.parent().expect("the test binary's directory");
    let file = libloading::library_filename("smpms32");
    [deps.join(&file), deps.join("..").join(&file)]
        .into_iter()
        .find(|path| path.exists())
        .expect("cargo builds the library before the tests")
}

#[test]
fn the_compiled_sample_passes_the_battery_through_com() {
    let (battery, exports) =
        native_conformance(SampleStore::DLL_FILE, sample_library(), smpms32::SERVICE_ENTRY)
            .expect("the library loads");
    assert_eq!(
        exports,
        Exports::MS_PROVIDER_INIT
            | Exports::AB_PROVIDER_INIT
            | Exports::XP_PROVIDER_INIT
            | Exports::SERVICE_ENTRY
    );
    let report = battery
        .mapisvc_inf(SampleSuite::MAPISVC_INF)
        .expect("the sample's Mapisvc.inf")
        .run()
        .expect("the battery runs");
    report.assert_clean();
    // Every scenario ran: the address book and the transport crossed the interface too (the
    // transport got the partner store's message as an IMessage).
    assert!(
        !report
            .outcomes
            .iter()
            .any(|o| matches!(o.verdict, Verdict::Skipped(_))),
        "{report}"
    );
    // Faults reached the compiled code too: its allocations and the support calls it made
    // failed through the interface; its methods' calls were replaced by panics on the
    // simulator's side, and the simulator went on.
    for kind in ["allocation ", "support call ", " panics"] {
        assert!(
            report
                .outcomes
                .iter()
                .any(|o| o.fault.as_deref().is_some_and(|f| f.contains(kind)) && o.verdict == Verdict::Clean),
            "no clean run with a fault of the kind {kind:?}"
        );
    }
}

#[test]
fn a_library_that_does_not_load_is_an_error_not_a_pass() {
    let missing = sample_library().with_file_name("no-such-library.so");
    assert!(native_conformance(SampleStore::DLL_FILE, missing, "ServiceEntry").is_err());
}
