//! `Ref` clone+drop against the bare baseline, `Arc` clone+drop, in the same run.
//!
//! Three cases: a bare `Arc`; a `Ref` registered in a ledger with history off (what the simulator
//! does for provider objects by default); and a tracked `Ref` (history on), which records the
//! site of every reference and traces it.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use mapisim::object::{InterfaceKind, ObjectInfo, ObjectLedger};

struct Store {
    _payload: [u64; 4],
}

fn clone_drop(c: &mut Criterion) {
    let mut group = c.benchmark_group("clone+drop");
    let arc = Arc::new(Store { _payload: [0; 4] });
    group.bench_function("Arc (baseline)", |b| {
        b.iter(|| {
            let extra = Arc::clone(black_box(&arc));
            drop(black_box(extra));
        })
    });

    let ledger = ObjectLedger::new();
    let registered = ledger.register(
        Store { _payload: [0; 4] },
        ObjectInfo::new(InterfaceKind::MsgStore),
    );
    group.bench_function("Ref, history off", |b| {
        b.iter(|| {
            let extra = black_box(&registered).clone();
            drop(black_box(extra));
        })
    });

    let tracked = ledger.register(
        Store { _payload: [0; 4] },
        ObjectInfo::new(InterfaceKind::MsgStore).tracked(true),
    );
    group.bench_function("Ref, tracked", |b| {
        b.iter(|| {
            let extra = black_box(&tracked).clone();
            drop(black_box(extra));
        })
    });
    group.finish();
}

criterion_group!(benches, clone_drop);
criterion_main!(benches);
