//! Heap allocations per lifecycle: the documented store lifecycle through the simulator (the
//! quickstart's scenario, as `benches/lifecycle.rs` runs it) against the same provider calls made
//! directly (the bare baseline of that bench), counted by a global allocator that counts.
//!
//! For each kind it prints the allocations (and reallocations), the bytes allocated, and the
//! bytes the lifecycle left allocated when it ended (on the simulated side, what the simulator
//! keeps of it: trace events, ledger entries). The simulated lifecycle is counted on a fresh
//! simulator (built outside the count) and again after 1,000 lifecycles on the same simulator.
//! The goal (issue 13): few enough allocations that a lifecycle stays within 3x of the bare calls,
//! and the same counts whatever ran before.
//!
//! Criterion cannot report counts, so this is a plain `main`: `cargo bench --bench allocations`
//! prints the averages over 100 lifecycles; under `cargo test --benches` (no `--bench` argument)
//! or with `--test` it counts a single lifecycle of each kind, quickly.

#![allow(clippy::print_stdout)] // the counts are the output

#[allow(dead_code)] // the module is shared with benches that use the rest of it
mod common;

use std::alloc::System;
use std::hint::black_box;

use common::{bare_lifecycle, simulated_lifecycle, simulator, test_mode};
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
        let sim = simulator();
        for _ in 0..1_000 {
            let _ = simulated_lifecycle(&sim);
        }
        let mut later = Counts::default();
        for _ in 0..runs {
            later.add(|| {
                let _ = black_box(simulated_lifecycle(&sim));
            });
        }
        later.print("simulated, after 1,000 on the same simulator");
    }
    let ratio = fresh.allocations as f64 / bare.allocations.max(1) as f64;
    println!("simulated / bare allocations: {ratio:.1}x");
}
