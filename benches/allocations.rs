//! Heap allocations per lifecycle: the documented store lifecycle through the simulator (the
//! quickstart's scenario, as `benches/lifecycle.rs` runs it) against the same provider calls made
//! directly (the bare baseline of that bench), counted by a global allocator that counts.
//!
//! For each kind it prints the allocations (and reallocations), the bytes allocated, and the
//! bytes the lifecycle left allocated when it ended (on the simulated side, what the simulator
//! keeps of it: trace events, ledger entries). The simulated lifecycle is counted on a fresh
//! simulator (built outside the count), again after 1,000 lifecycles on the same simulator, and
//! so with a bounded trace (`trace_limit`). Last, the bytes one more open store keeps in a session
//! that holds 200, less what the sample's own objects keep when it opens as many stores directly:
//! MAPI's bookkeeping per open store.
//! The goals (issue 13): at most 2x the bare calls' allocations, the same counts whatever ran
//! before, bounded memory over a long run, and at most 2 KiB of bookkeeping per open store.
//!
//! Criterion cannot report counts, so this is a plain `main`: `cargo bench --bench allocations`
//! prints the averages over 100 lifecycles; under `cargo test --benches` (no `--bench` argument)
//! or with `--test` it counts a single lifecycle of each kind, quickly.

#![allow(clippy::print_stdout)] // the counts are the output

#[allow(dead_code)] // the module is shared with benches that use the rest of it
mod common;

use std::alloc::System;
use std::hint::black_box;

use common::{BareProvider, bare_lifecycle, simulated_lifecycle, simulator, simulator_with, test_mode};
use mapisim::prelude::*;
use mapisim::runtime::StoreRow;
use mapisim::sample::SampleStore;

/// The bounded trace of the long runs.
const TRACE_LIMIT: usize = 256;
/// Stores opened (and kept open) per measurement of the bytes an open store keeps.
const STORES: usize = 200;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Counts over some runs of one kind of lifecycle.
#[derive(Default)]
struct Counts {
    runs: u64,
    allocations: u64,
    reallocations: u64,
    bytes: u64,
    kept: i64,
}

impl Counts {
    /// Counts what `f` allocates.
    fn add(&mut self, f: impl FnOnce()) {
        let region = Region::new(GLOBAL);
        f();
        let change = region.change();
        self.runs += 1;
        self.allocations += change.allocations as u64;
        self.reallocations += change.reallocations as u64;
        // The counter adds a reallocation's growth to the bytes allocated (its shrinking to the
        // bytes deallocated) already.
        self.bytes += change.bytes_allocated as u64;
        self.kept += change.bytes_allocated as i64 - change.bytes_deallocated as i64;
    }

    fn print(&self, what: &str) {
        let runs = self.runs.max(1) as f64;
        println!(
            "{what:<48} {:>9.1} allocations {:>7.1} reallocations {:>11.1} bytes {:>10.1} bytes kept",
            self.allocations as f64 / runs,
            self.reallocations as f64 / runs,
            self.bytes as f64 / runs,
            self.kept as f64 / runs,
        );
    }
}

fn main() {
    let runs = if test_mode() { 1 } else { 100 };

    let mut bare = Counts::default();
    for _ in 0..runs {
        bare.add(bare_lifecycle);
    }

    let mut fresh = Counts::default();
    for _ in 0..runs {
        let sim = simulator();
        fresh.add(|| {
            let _ = black_box(simulated_lifecycle(&sim));
        });
        drop(sim);
    }

    println!("per lifecycle, averaged over {runs} lifecycle(s):");
    bare.print("bare provider calls (baseline)");
    fresh.print("simulated, fresh simulator");
    if !test_mode() {
        after_thousand(simulator(), runs).print("simulated, after 1,000 on the same simulator");
        after_thousand(simulator_with(|builder| builder.trace_limit(TRACE_LIMIT)), runs)
            .print("same, with a bounded trace (trace_limit 256)");

        per_open_store();
    }
    let ratio = fresh.allocations as f64 / bare.allocations.max(1) as f64;
    println!("simulated / bare allocations: {ratio:.1}x");
}

/// The counts of `runs` lifecycles on `sim` after 1,000 others.
fn after_thousand(sim: Simulator, runs: u64) -> Counts {
    for _ in 0..1_000 {
        let _ = simulated_lifecycle(&sim);
    }
    let mut counts = Counts::default();
    for _ in 0..runs {
        counts.add(|| {
            let _ = black_box(simulated_lifecycle(&sim));
        });
    }
    counts
}

/// The bytes one more open store keeps (its `OpenMsgStore`, the spooler's logon to it), in a
/// session that already holds as many open, with a bounded trace: MAPI's bookkeeping and the
/// sample's own objects together (an upper bound on the bookkeeping alone).
fn per_open_store() {
    let (Some(kept), Some(own)) = (open_stores_kept(), bare_stores_kept()) else {
        println!("per open store: the stores did not open");
        return;
    };
    let per = |bytes: i64| bytes as f64 / STORES as f64;
    println!(
        "per open store, {STORES} more in a session holding {STORES}: {:>9.1} bytes kept, of which the sample's own objects (opened directly) {:.1}: MAPI's bookkeeping {:.1}",
        per(kept),
        per(own),
        per(kept - own)
    );
}

/// The bytes one more store the sample opens directly keeps (its logon, store and what they
/// hold, with the least host), with as many open.
fn bare_stores_kept() -> Option<i64> {
    let provider = BareProvider::start()?;
    let count = STORES as u32;
    let held: Vec<_> = (0..count).map(|n| provider.open(n)).collect::<Option<_>>()?;
    let region = Region::new(GLOBAL);
    let more: Vec<_> = (count..2 * count)
        .map(|n| provider.open(n))
        .collect::<Option<_>>()?;
    let change = region.change();
    drop((held, more));
    Some(change.bytes_allocated as i64 - change.bytes_deallocated as i64)
}

fn open_stores_kept() -> Option<i64> {
    let mut builder = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .trace_limit(TRACE_LIMIT);
    for i in 0..2 * STORES {
        builder = builder.service(SampleStore::service(&format!("S{i}")));
    }
    let sim = builder.build();
    let profile = sim.profiles().create("Many").ok()?;
    for i in 0..2 * STORES {
        profile.add_service(format!("S{i}").as_str()).ok()?;
    }
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS).ok()?;
    let session = mapi.logon_ex("Many", LogonFlags::EXTENDED).ok()?;
    let rows = session.msg_stores_table().ok()?.rows().to_vec();
    let (first, second) = rows.split_at(STORES);
    let open = |rows: &[StoreRow]| -> Option<Vec<StoreHandle>> {
        let stores = rows
            .iter()
            .map(|row| session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE).ok())
            .collect::<Option<Vec<_>>>();
        sim.spooler().run_until_idle();
        stores
    };
    let held = open(first)?;
    let region = Region::new(GLOBAL);
    let more = open(second)?;
    let change = region.change();
    let kept = change.bytes_allocated as i64 - change.bytes_deallocated as i64;
    for store in held.iter().chain(&more) {
        let _ = store.store_logoff(LogoffFlags::ORDERLY);
    }
    drop((held, more));
    let _ = session.logoff(SessionLogoffFlags::empty());
    drop(session);
    let _ = mapi.uninitialize();
    Some(kept)
}
