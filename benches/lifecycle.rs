//! The full store lifecycle through the simulator, against a bare baseline that makes the same
//! provider calls directly on the sample provider, in the same run.
//!
//! Both sides run: `MSProviderInit`, `Logon` (with its support calls: `OpenProfileSection`,
//! `GetProps`/`SetProps` on the section, `WrapStoreEntryID`, `SetProviderUID`, `ModifyStatusRow`,
//! `ModifyProfile`), `GetProps` of the store, `SpoolerLogon`, `StoreLogoff` with
//! `StoreLogoffTransports`, the store's final release, `IMSLogon::Logoff`, `Shutdown`. The
//! simulated side adds everything a test gets: the trace, the object ledger, the checks, the
//! loader, profiles and sessions.

#[allow(dead_code)] // the module is shared with benches that use the rest of it
mod common;

use std::hint::black_box;

use common::{bare_lifecycle, simulated_lifecycle, simulator};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use mapisim::prelude::*;
use mapisim::sample::SampleStore;

fn lifecycle(c: &mut Criterion) {
    let mut group = c.benchmark_group("store lifecycle");
    group.bench_function("bare provider calls (baseline)", |b| b.iter(bare_lifecycle));
    group.bench_function("simulated, trace on", |b| {
        b.iter_batched(
            simulator,
            |sim| {
                let _ = black_box(simulated_lifecycle(&sim));
                sim
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("simulated, trace and history on", |b| {
        b.iter_batched(
            || {
                let sim = Simulator::builder()
                    .library(SampleStore::DLL_FILE, SampleStore::library)
                    .service(SampleStore::service("SMPMS"))
                    .history(true)
                    .build();
                if let Ok(profile) = sim.profiles().create("Default") {
                    let _ = profile.add_service("SMPMS");
                }
                sim
            },
            |sim| {
                let _ = black_box(simulated_lifecycle(&sim));
                sim
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, lifecycle);
criterion_main!(benches);
