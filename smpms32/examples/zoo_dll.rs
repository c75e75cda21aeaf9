//! The zoo library built as a provider library (`libzoo_dll.so`): the bundled sample with one
//! deliberate defect, chosen by the profile it is logged on from (see `tests/zoo/mod.rs`). The
//! round-trip tests host it to show that a defect is caught through the binary interface with
//! the same rule as in process, and that a panic in a thunk or a final release is reported while
//! the process goes on.

#[path = "../tests/zoo/mod.rs"]
mod zoo;

mapisim_com::export_provider_library!(
    zoo::ZooLibrary::new,
    mapisim::sample::SampleStore::DLL_FILE,
    service_entry = ServiceEntry
);
