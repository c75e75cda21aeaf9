//! The provider author's kit: the whole conformance battery on the sample suite, and random
//! client scripts, against the bare baseline of the other benches (the provider calls of one
//! store lifecycle made directly on the sample provider), in the same run.

#[allow(dead_code)] // the module is shared with benches that use the rest of it
mod common;

use std::hint::black_box;

use common::bare_lifecycle;
use criterion::{Criterion, criterion_group, criterion_main};
use mapisim::conformance::Conformance;
use mapisim::runtime::SltTiming;
use mapisim::sample::{SampleConfig, SampleLibrary, SampleStore, SampleSuite};

fn suite() -> Conformance {
    Conformance::adapting(SampleStore::DLL_FILE, |behavior| {
        SampleLibrary::new(SampleConfig::for_behavior(behavior))
    })
    .mapisvc_inf(SampleSuite::MAPISVC_INF)
    .unwrap_or_else(|e| panic!("the suite's Mapisvc.inf: {e}"))
    .slt_timings(&[SltTiming::InStoreLogoff, SltTiming::AtFinalRelease])
}

fn kit(c: &mut Criterion) {
    let mut group = c.benchmark_group("provider kit");
    group.sample_size(10);
    group.bench_function("bare provider calls (baseline)", |b| b.iter(bare_lifecycle));
    let battery = suite();
    group.bench_function("the whole battery on the sample suite", |b| {
        b.iter(|| black_box(battery.run().map(|r| r.runs())))
    });
    group.bench_function("100 random client scripts on the sample suite", |b| {
        b.iter(|| black_box(battery.run_scripts(100).map(|r| r.steps)))
    });
    group.finish();
}

criterion_group!(benches, kit);
criterion_main!(benches);
