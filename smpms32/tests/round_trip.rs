//! The round trip: the simulator hosts the sample built as a provider library (`libsmpms32.so`)
//! through the COM binary interface, and a library with deliberate defects (`libzoo_dll.so`, the
//! `zoo_dll` example), and the reports are those of the same code run in process.

mod zoo;

use std::path::{Path, PathBuf};

use mapisim::check::rules;
use mapisim::prelude::*;
use mapisim::props::{PR_DISPLAY_NAME_W, Prop};
use mapisim::sample::SampleStore;
use mapisim::trace::{EventKind, Party};
use mapisim_com::host::NativeLibraries;

/// The library `name` (`smpms32`) cargo built for this test run: beside the test binary, or in
/// `examples/` for an example. Cargo builds both before it runs any test.
fn built(name: &str, example: bool) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let deps = exe.parent().expect("the test binary's directory");
    let file = libloading::library_filename(name);
    let candidates = if example {
        vec![deps.join("..").join("examples").join(&file)]
    } else {
        vec![deps.join(&file), deps.join("..").join(&file)]
    };
    candidates
        .into_iter()
        .find(|path| path.exists())
        .unwrap_or_else(|| {
            panic!(
                "{} was not built: `cargo test -p smpms32` builds it (a filter such as `--test` leaves the examples out)",
                file.to_string_lossy()
            )
        })
}

fn sample_library() -> PathBuf {
    built("smpms32", false)
}

fn zoo_library() -> PathBuf {
    built("zoo_dll", true)
}

/// The sample's services, hosting `library` (in process when `None`).
fn simulator(library: Option<&Path>, in_process_zoo: bool) -> Simulator {
    let builder = Simulator::builder();
    let builder = match library {
        Some(path) => builder
            .native_library(SampleStore::DLL_FILE, path)
            .expect("the library loads"),
        None if in_process_zoo => builder.library(SampleStore::DLL_FILE, zoo::ZooLibrary::new),
        None => builder.library(SampleStore::DLL_FILE, SampleStore::library),
    };
    builder
        .mapisvc_inf(SampleStore::MAPISVC_INF)
        .expect("the sample's Mapisvc.inf")
        .build()
}

/// The quickstart's lifecycle, on a profile named `profile`.
fn lifecycle(sim: &Simulator, profile: &str) -> MapiResult<()> {
    sim.profiles().create_default(profile)?;
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
    let session = mapi.logon_ex(profile, LogonFlags::EXTENDED)?;
    let outcome = (|| {
        let row = session.msg_stores_table()?.default_store()?;
        let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
        sim.spooler().run_until_idle();
        store.store_logoff(LogoffFlags::ORDERLY)?;
        drop(store);
        Ok(())
    })();
    session.logoff(SessionLogoffFlags::empty())?;
    drop(session);
    mapi.uninitialize()?;
    outcome
}

/// The calls of a trace that cross between MAPI and the provider, as `depth caller -> target:
/// method` with the objects' serial numbers left out, and the library loads and frees. Left out
/// too, because they differ by construction between a provider in process and one behind the
/// binary interface: the reference counting (`AddRef`, `Release` events: the library counts its
/// own objects inside itself), `QueryInterface`, MAPI's allocation routines (a library lays out a
/// property array with `MAPIAllocateMore`, a Rust provider allocates one typed block), and
/// `GetMemAllocRoutines`, which the export side calls to learn MAPI's routines.
fn crossings(report: &Report) -> Vec<String> {
    fn party(p: &Party) -> String {
        let text = p.to_string();
        match text.split_once('#') {
            Some((interface, _)) => interface.to_owned(),
            None => text,
        }
    }
    report
        .trace()
        .events()
        .into_iter()
        .filter_map(|event| match &event.kind {
            EventKind::Call {
                caller,
                target,
                method,
                ..
            } if !matches!(
                method.as_ref(),
                "MAPIAllocateBuffer"
                    | "MAPIAllocateMore"
                    | "MAPIFreeBuffer"
                    | "GetMemAllocRoutines"
                    | "QueryInterface"
            ) =>
            {
                Some(format!(
                    "{} {} -> {}: {method}",
                    event.depth,
                    party(caller),
                    party(target)
                ))
            }
            EventKind::LoadLibrary { file, .. } => Some(format!("{} LoadLibrary {file}", event.depth)),
            EventKind::FreeLibrary { file, .. } => Some(format!("{} FreeLibrary {file}", event.depth)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_sample_library_runs_the_lifecycle_clean_with_the_calls_of_the_sample_in_process() {
    let in_process = simulator(None, false);
    lifecycle(&in_process, "Default").expect("the lifecycle in process");
    let in_process = in_process.finish();
    in_process.assert_clean();

    let native = simulator(Some(&sample_library()), false);
    lifecycle(&native, "Default").expect("the lifecycle through the binary interface");
    let native = native.finish();
    native.assert_clean();

    let (expected, got) = (crossings(&in_process), crossings(&native));
    assert!(got.len() > 20, "the lifecycle crosses the interface: {got:#?}");
    assert_eq!(got, expected, "the same calls in the same order");
    // The calls the library made back into MAPI are there, attributed to it.
    for call in [
        "1 MAPI -> SMPMS32.DLL: MSProviderInit",
        "2 SMPMS32.DLL -> IMAPISupport: OpenProfileSection",
        "2 SMPMS32.DLL -> IMAPISupport: SetProviderUID",
        "1 SMPMS32.DLL -> IMAPISupport: StoreLogoffTransports",
    ] {
        assert!(got.iter().any(|c| c == call), "{call} in {got:#?}");
    }
}

#[test]
fn the_sample_library_is_hosted_twice_in_a_row_and_on_two_threads_at_once() {
    let path = sample_library();
    for _ in 0..2 {
        let sim = simulator(Some(&path), false);
        lifecycle(&sim, "Default").expect("the lifecycle");
        sim.finish().assert_clean();
    }
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let sim = simulator(Some(&path), false);
                    lifecycle(&sim, "Default").expect("the lifecycle");
                    sim.finish()
                })
            })
            .collect();
        for run in runs {
            run.join().expect("no panic").assert_clean();
        }
    });
}

#[test]
fn the_zoo_without_a_defect_is_clean_both_ways() {
    let in_process = simulator(None, true);
    lifecycle(&in_process, "Default").expect("the lifecycle in process");
    in_process.finish().assert_clean();
    let native = simulator(Some(&zoo_library()), false);
    lifecycle(&native, "Default").expect("the lifecycle through the binary interface");
    native.finish().assert_clean();
}

#[test]
fn a_logon_that_does_not_addref_the_support_object_is_caught_through_the_interface_with_the_same_rule() {
    let in_process = simulator(None, true);
    let _ = lifecycle(&in_process, zoo::NO_ADDREF);
    let in_process = in_process.finish();
    assert!(
        in_process.rule_ids().contains(&"LOGON-ADDREF-SUPPORT"),
        "{in_process}"
    );

    let native = simulator(Some(&zoo_library()), false);
    let _ = lifecycle(&native, zoo::NO_ADDREF);
    let native = native.finish();
    assert!(native.rule_ids().contains(&"LOGON-ADDREF-SUPPORT"), "{native}");
    assert_eq!(
        native.count(&rules::LOGON_ADDREF_SUPPORT),
        in_process.count(&rules::LOGON_ADDREF_SUPPORT)
    );
}

/// A C provider can release what it never took; a Rust provider cannot (its references are
/// `Ref`s), so this defect is played through the binary interface only.
#[test]
fn a_library_that_releases_the_support_object_once_too_many_is_reported_and_frees_nothing_under_mapi() {
    let native = simulator(Some(&zoo_library()), false);
    let _ = lifecycle(&native, zoo::OVER_RELEASE);
    let native = native.finish();
    assert!(native.rule_ids().contains(&"OVER-RELEASE"), "{native}");
}

/// A provider library that panicked in `what`: the report names the panic, and the process
/// (this test) goes on to run a clean lifecycle on the same library.
fn panic_is_reported_and_the_process_goes_on(profile: &str, message: &str) {
    let path = zoo_library();
    let sim = simulator(Some(&path), false);
    let _ = lifecycle(&sim, profile);
    let report = sim.finish();
    assert!(report.rule_ids().contains(&"PROVIDER-PANIC"), "{report}");
    assert!(report.to_string().contains(message), "{report}");

    let sim = simulator(Some(&path), false);
    lifecycle(&sim, "Default").expect("the next lifecycle");
    sim.finish().assert_clean();
}

#[test]
fn a_panic_inside_a_method_is_reported_and_the_process_goes_on() {
    panic_is_reported_and_the_process_goes_on(zoo::PANIC_LOGON, "the zoo's Logon panics");
}

#[test]
fn a_panic_in_a_final_release_is_reported_and_the_process_goes_on() {
    panic_is_reported_and_the_process_goes_on(
        zoo::PANIC_RELEASE,
        "the zoo's provider object panics in its final release",
    );
}

#[test]
fn the_same_panics_in_process_are_reported_with_the_same_rule() {
    for (profile, message) in [
        (zoo::PANIC_LOGON, "the zoo's Logon panics"),
        (
            zoo::PANIC_RELEASE,
            "the zoo's provider object panics in its final release",
        ),
    ] {
        let sim = simulator(None, true);
        let _ = lifecycle(&sim, profile);
        let report = sim.finish();
        assert!(report.rule_ids().contains(&"PROVIDER-PANIC"), "{report}");
        assert!(report.to_string().contains(message), "{report}");
    }
}

/// Configures the sample's service with a new display name, through `library` (in process when
/// `None`): the name its store provider's section then has, and the report.
fn configure(library: Option<&Path>) -> (Option<String>, Report) {
    let sim = simulator(library, false);
    let profile = sim.profiles().create("P").expect("a profile");
    let uid = profile.add_service("SMPMS").expect("the sample's service");
    let provider = profile.services().expect("its services")[0].providers[0];
    let props = [Prop {
        tag: PR_DISPLAY_NAME_W,
        value: "Configured Store".into(),
    }];
    profile
        .configure_service(&uid, ServiceEntryFlags::UI_ALLOWED, &props)
        .expect("configured");
    let name = profile
        .section(&provider)
        .expect("the provider's section")
        .get_str(PR_DISPLAY_NAME_W)
        .map(str::to_owned);
    drop(profile);
    (name, sim.finish())
}

#[test]
fn configuring_the_service_reads_the_provider_table_through_the_interface_as_in_process() {
    let (in_process, report) = configure(None);
    report.assert_clean();
    assert_eq!(in_process.as_deref(), Some("Configured Store"));
    let (native, report) = configure(Some(&sample_library()));
    report.assert_clean();
    assert_eq!(native, in_process);
    // The library got MAPI's table and released it.
    assert!(report.trace().text().contains("IMAPITable"), "{}", report.trace());
}

/// An advise sink of the client's that records what it receives.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<Notification>>);

impl AdviseSink for Recorder {
    fn on_notify(&self, notifications: &[Notification]) -> u32 {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(notifications);
        0
    }
}

/// The lifecycle on `profile` with a sink advised on the store while the client renames it twice
/// (the second time after `Unadvise`): what the sink received.
fn advised_lifecycle(sim: &Simulator, profile: &str) -> MapiResult<Vec<Notification>> {
    sim.profiles().create_default(profile)?;
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
    let session = mapi.logon_ex(profile, LogonFlags::EXTENDED)?;
    let recorder = Ref::new(Recorder::default());
    let outcome = (|| {
        let row = session.msg_stores_table()?.default_store()?;
        let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
        sim.spooler().run_until_idle();
        let sink: Ref<dyn AdviseSink> = recorder.clone().into();
        let connection = store.advise(None, EventMask::OBJECT_MODIFIED, &sink)?;
        drop(sink);
        let rename = |name: &str| {
            let problems = store.set_props(&[Prop {
                tag: PR_DISPLAY_NAME_W,
                value: name.into(),
            }])?;
            assert!(problems.is_empty(), "{problems:?}");
            MapiResult::Ok(())
        };
        rename("Renamed")?;
        store.unadvise(connection)?;
        rename("Renamed again")?;
        store.store_logoff(LogoffFlags::ORDERLY)?;
        drop(store);
        Ok(())
    })();
    session.logoff(SessionLogoffFlags::empty())?;
    drop(session);
    mapi.uninitialize()?;
    outcome?;
    let received = recorder
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    Ok(received)
}

#[test]
fn a_sink_advised_on_the_hosted_store_is_notified_of_a_rename_as_in_process() {
    let in_process = simulator(None, false);
    let expected = advised_lifecycle(&in_process, "Default").expect("the lifecycle in process");
    let in_process = in_process.finish();
    in_process.assert_clean();
    assert_eq!(expected.len(), 1, "one rename while advised: {expected:?}");
    assert_eq!(expected[0].event, EventMask::OBJECT_MODIFIED);

    let native = simulator(Some(&sample_library()), false);
    let got = advised_lifecycle(&native, "Default").expect("the lifecycle through the binary interface");
    let native = native.finish();
    native.assert_clean();
    assert_eq!(got, expected, "the same notification");

    let (expected, got) = (crossings(&in_process), crossings(&native));
    assert_eq!(got, expected, "the same calls in the same order");
    for call in [
        "0 client -> IMsgStore: Advise",
        "1 SMPMS32.DLL -> IMAPISupport: Subscribe",
        "1 SMPMS32.DLL -> IMAPISupport: Notify",
        "2 MAPI -> IMAPIAdviseSink: OnNotify",
        "1 SMPMS32.DLL -> IMAPISupport: Unsubscribe",
    ] {
        assert!(got.iter().any(|c| c == call), "{call} in {got:#?}");
    }
}

/// A provider that subscribes a sink of its own (the zoo's relay) in place of the client's:
/// through the binary interface the library's sink is an exported COM object, which the host
/// imports for the simulator and calls on MAPI's behalf; the client's sink receives what it
/// receives in process.
#[test]
fn a_sink_of_the_library_s_own_subscribed_through_the_interface_is_called_as_in_process() {
    let in_process = simulator(None, true);
    let expected = advised_lifecycle(&in_process, zoo::RELAY_SINK).expect("the lifecycle in process");
    let in_process = in_process.finish();
    in_process.assert_clean();
    assert_eq!(expected.len(), 1, "one rename while advised: {expected:?}");

    let native = simulator(Some(&zoo_library()), false);
    let got =
        advised_lifecycle(&native, zoo::RELAY_SINK).expect("the lifecycle through the binary interface");
    let native = native.finish();
    native.assert_clean();
    assert_eq!(got, expected, "the same notification");
    let crossed = crossings(&native);
    assert_eq!(
        crossed,
        crossings(&in_process),
        "the same calls in the same order"
    );
    assert!(
        crossed.iter().any(|c| c == "2 MAPI -> IMAPIAdviseSink: OnNotify"),
        "MAPI calls the library's own sink: {crossed:#?}"
    );
}

#[test]
fn a_store_that_tells_the_spooler_of_new_mail_is_heard_through_the_interface_as_in_process() {
    let in_process = simulator(None, true);
    lifecycle(&in_process, zoo::NEW_MAIL).expect("the lifecycle in process");
    let in_process = in_process.finish();
    in_process.assert_clean();
    let native = simulator(Some(&zoo_library()), false);
    lifecycle(&native, zoo::NEW_MAIL).expect("the lifecycle through the binary interface");
    let native = native.finish();
    native.assert_clean();
    let (expected, got) = (crossings(&in_process), crossings(&native));
    assert_eq!(got, expected, "the same calls in the same order");
    let notify = |report: &Report| {
        report
            .trace()
            .text()
            .lines()
            .find(|line| line.contains("SpoolerNotify("))
            .map(|line| {
                line.split_once(':')
                    .map_or(line, |(_, call)| call)
                    .trim()
                    .to_owned()
            })
    };
    assert!(notify(&native).is_some(), "{}", native.trace());
    assert_eq!(notify(&native), notify(&in_process), "with the same arguments");
}

#[test]
fn a_block_freed_twice_is_caught_through_the_interface_with_the_same_rule() {
    let in_process = simulator(None, true);
    let _ = lifecycle(&in_process, zoo::DOUBLE_FREE);
    let in_process = in_process.finish();
    assert!(in_process.rule_ids().contains(&"MEM-DOUBLE-FREE"), "{in_process}");
    let native = simulator(Some(&zoo_library()), false);
    let _ = lifecycle(&native, zoo::DOUBLE_FREE);
    let native = native.finish();
    assert!(native.rule_ids().contains(&"MEM-DOUBLE-FREE"), "{native}");
    assert_eq!(
        native.count(&rules::MEM_DOUBLE_FREE),
        in_process.count(&rules::MEM_DOUBLE_FREE)
    );
}
