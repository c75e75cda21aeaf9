//! Does the simulator's cost stay flat as its state grows? One marginal operation, measured on a
//! state of size N built beforehand (outside the measurement), for each N:
//!
//! - `lifecycle after k`: one more full lifecycle (the quickstart's, on the sample) on a
//!   simulator that already ran k lifecycles, k = 0, 1,000, 10,000. Each run adds a lifecycle,
//!   so the state is rebuilt (unmeasured) every max(k/10, 100) runs: k drifts by 10% at most.
//!   Goal: flat in k. `lifecycle after k, bounded trace`: the same with `trace_limit(256)`, the
//!   configuration of a long run, whose memory stays bounded.
//! - `store open+logoff with N open`: `OpenMsgStore` + `StoreLogoff(LOGOFF_ORDERLY)` + the
//!   store's release in a session that holds N other stores open (each a sample message service
//!   of its own in the profile, the spooler logged on to each), N = 10, 1,000, 10,000. Goal: flat
//!   in N.
//! - `logon with N services`: `MAPILogonEx` on a profile of N sample services (its logoff is not
//!   measured), N = 10, 100, 1,000 (10,000 takes minutes today). Goal: linear in N.
//! - `session cycle with N open`: `MAPILogonEx` + `Logoff` + release of one more session while N
//!   sessions are open, N = 10, 1,000, 10,000. Goal: flat in N.
//! - `session teardown`: the logoff and release of N open sessions, N = 10, 1,000, 10,000.
//!   Goal: linear in N.
//! - `suite lifecycle after k`: one more lifecycle of all three kinds (the quickstart's: the
//!   address book, the store, one message sent so that the transport starts) after k of them,
//!   k = 0, 1,000, 10,000, rebuilt as `lifecycle after k` is. Goal: flat in k.
//! - `suite session cycle with N open`: `MAPILogonEx` + `OpenAddressBook` + `Logoff` + release
//!   of one more session while N sessions of the three-kind profile are open, each with its
//!   address book logged on, N = 10, 1,000, 10,000. Goal: flat in N.
//! - `tracked clone+drop with N refs`: clone and drop of one tracked `Ref` (ledger history on)
//!   that has N outstanding references, N = 10, 1,000, 10,000, 100,000. Goal: flat in N.
//!
//! Under `cargo test --benches` (criterion's test mode) each benchmark runs once, with the
//! smallest N only.

#[allow(dead_code)] // the module is shared with benches that use the rest of it
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::{simulated_lifecycle, simulator, simulator_with, suite_lifecycle, suite_simulator, test_mode};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mapisim::object::{InterfaceKind, ObjectInfo, ObjectLedger};
use mapisim::prelude::*;
use mapisim::runtime::{Mapi, StoreRow};
use mapisim::sample::SampleStore;

/// The sizes to run: all of them, or the smallest in test mode.
fn sizes(all: &[usize]) -> Vec<usize> {
    if test_mode() {
        all[..1].to_vec()
    } else {
        all.to_vec()
    }
}

/// Times one more `lifecycle` on a simulator that `make` built and that ran `k` lifecycles
/// before (unmeasured), rebuilt every max(k/10, 100) runs so that k drifts by 10% at most.
fn one_more_after(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    k: usize,
    make: &dyn Fn() -> Simulator,
    lifecycle: fn(&Simulator) -> MapiResult<()>,
) {
    let refresh = (k as u64 / 10).max(100);
    group.bench_with_input(BenchmarkId::from_parameter(k), &k, |b, &k| {
        b.iter_custom(|iters| {
            let mut measured = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let sim = make();
                for _ in 0..k {
                    let _ = lifecycle(&sim);
                }
                let runs = left.min(refresh);
                let start = Instant::now();
                for _ in 0..runs {
                    let _ = black_box(lifecycle(&sim));
                }
                measured += start.elapsed();
                left -= runs;
                drop(sim);
            }
            measured
        })
    });
}

fn lifecycle_after_k(c: &mut Criterion) {
    for (name, bounded) in [
        ("lifecycle after k", false),
        ("lifecycle after k, bounded trace", true),
    ] {
        let mut group = c.benchmark_group(name);
        group.sample_size(20);
        // The quickstart's simulator, with a bounded trace (the configuration of a long run) when
        // `bounded`.
        let make = move || {
            if bounded {
                simulator_with(|builder| builder.trace_limit(256))
            } else {
                simulator()
            }
        };
        for k in sizes(&[0, 1_000, 10_000]) {
            one_more_after(&mut group, k, &make, simulated_lifecycle);
        }
        group.finish();
    }
}

/// A simulator whose catalogue and profile `Many` have `n` sample services (`S0`, `S1`, …), each
/// with its own store.
fn with_services(n: usize) -> Simulator {
    let mut builder = Simulator::builder().library(SampleStore::DLL_FILE, SampleStore::library);
    for i in 0..n {
        builder = builder.service(SampleStore::service(&format!("S{i}")));
    }
    let sim = builder.build();
    if let Ok(profile) = sim.profiles().create("Many") {
        for i in 0..n {
            let _ = profile.add_service(format!("S{i}").as_str());
        }
    }
    sim
}

/// A session on a profile of `n + 1` stores, `n` of them open (the spooler logged on to each),
/// and the row of the last one.
struct StoresOpen {
    sim: Simulator,
    mapi: Mapi,
    session: Session,
    open: Vec<StoreHandle>,
    spare: StoreRow,
}

impl StoresOpen {
    fn new(n: usize) -> MapiResult<StoresOpen> {
        let sim = with_services(n + 1);
        let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
        let session = mapi.logon_ex("Many", LogonFlags::EXTENDED)?;
        let mut rows = session.msg_stores_table()?.rows().to_vec();
        let spare = rows.pop().ok_or(MapiError::NotFound)?;
        let open = rows
            .iter()
            .map(|row| session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE))
            .collect::<MapiResult<Vec<_>>>()?;
        sim.spooler().run_until_idle();
        Ok(StoresOpen {
            sim,
            mapi,
            session,
            open,
            spare,
        })
    }

    fn close(self) {
        for store in &self.open {
            let _ = store.store_logoff(LogoffFlags::ORDERLY);
        }
        drop(self.open);
        let _ = self.session.logoff(SessionLogoffFlags::empty());
        drop(self.session);
        let _ = self.mapi.uninitialize();
        drop(self.sim);
    }
}

fn stores(c: &mut Criterion) {
    let mut group = c.benchmark_group("store open+logoff with N open");
    group.sample_size(10);
    for n in sizes(&[10, 1_000, 10_000]) {
        let Ok(state) = StoresOpen::new(n) else {
            continue;
        };
        group.bench_with_input(BenchmarkId::from_parameter(n), &state, |b, state| {
            b.iter(|| {
                if let Ok(store) = state
                    .session
                    .open_msg_store(&state.spare.entry_id, OpenStoreFlags::WRITE)
                {
                    let _ = black_box(store.store_logoff(LogoffFlags::ORDERLY));
                    drop(store);
                }
            })
        });
        state.close();
    }
    group.finish();

    // MAPILogonEx on 1,000 services takes most of a second today: 10,000 would take minutes.
    let mut group = c.benchmark_group("logon with N services");
    group.sample_size(10);
    for n in sizes(&[10, 100, 1_000]) {
        let sim = with_services(n);
        let Ok(mapi) = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS) else {
            continue;
        };
        group.bench_with_input(BenchmarkId::from_parameter(n), &mapi, |b, mapi| {
            b.iter_custom(|iters| {
                let mut measured = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let session = black_box(mapi.logon_ex("Many", LogonFlags::EXTENDED));
                    measured += start.elapsed();
                    if let Ok(session) = session {
                        let _ = session.logoff(SessionLogoffFlags::empty());
                    }
                }
                measured
            })
        });
        let _ = mapi.uninitialize();
    }
    group.finish();
}

/// `n` sessions logged on to the quickstart's profile.
fn sessions_open(mapi: &Mapi, n: usize) -> Vec<Session> {
    (0..n)
        .filter_map(|_| mapi.logon_ex("Default", LogonFlags::EXTENDED).ok())
        .collect()
}

fn log_off(sessions: Vec<Session>) {
    for session in sessions {
        let _ = session.logoff(SessionLogoffFlags::empty());
        drop(session);
    }
}

fn sessions(c: &mut Criterion) {
    let mut group = c.benchmark_group("session cycle with N open");
    for n in sizes(&[10, 1_000, 10_000]) {
        let sim = simulator();
        let Ok(mapi) = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS) else {
            continue;
        };
        let open = sessions_open(&mapi, n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &mapi, |b, mapi| {
            b.iter(|| {
                if let Ok(session) = mapi.logon_ex("Default", LogonFlags::EXTENDED) {
                    let _ = black_box(session.logoff(SessionLogoffFlags::empty()));
                    drop(session);
                }
            })
        });
        log_off(open);
        let _ = mapi.uninitialize();
    }
    group.finish();

    let mut group = c.benchmark_group("session teardown");
    group.sample_size(10);
    for n in sizes(&[10, 1_000, 10_000]) {
        let sim = simulator();
        let Ok(mapi) = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS) else {
            continue;
        };
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter_custom(|iters| {
                let mut measured = Duration::ZERO;
                for _ in 0..iters {
                    let open = sessions_open(&mapi, n);
                    let start = Instant::now();
                    log_off(black_box(open));
                    measured += start.elapsed();
                }
                measured
            })
        });
        let _ = mapi.uninitialize();
    }
    group.finish();
}

struct Store {
    _payload: [u64; 4],
}

fn tracked_refs(c: &mut Criterion) {
    let mut group = c.benchmark_group("tracked clone+drop with N refs");
    for n in sizes(&[10, 1_000, 10_000, 100_000]) {
        let ledger = ObjectLedger::new();
        ledger.set_history(true);
        let tracked = ledger.register(
            Store { _payload: [0; 4] },
            ObjectInfo::new(InterfaceKind::MsgStore).tracked(true),
        );
        let outstanding: Vec<Ref<Store>> = (0..n).map(|_| tracked.clone()).collect();
        group.bench_with_input(BenchmarkId::from_parameter(n), &tracked, |b, tracked| {
            b.iter(|| {
                let extra = black_box(tracked).clone();
                drop(black_box(extra));
            })
        });
        drop(outstanding);
    }
    group.finish();
}

/// The three-kind lifecycle after `k` others, and the session cycle with `n` open sessions of
/// the three-kind profile, each with its address book.
fn suite(c: &mut Criterion) {
    let mut group = c.benchmark_group("suite lifecycle after k");
    group.sample_size(20);
    for k in sizes(&[0, 1_000, 10_000]) {
        one_more_after(&mut group, k, &suite_simulator, suite_lifecycle);
    }
    group.finish();

    let mut group = c.benchmark_group("suite session cycle with N open");
    for n in sizes(&[10, 1_000, 10_000]) {
        let sim = suite_simulator();
        let Ok(mapi) = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS) else {
            continue;
        };
        let open: Vec<Session> = (0..n)
            .filter_map(|_| mapi.logon_ex("Suite", LogonFlags::EXTENDED).ok())
            .inspect(|s| drop(s.open_address_book()))
            .collect();
        group.bench_with_input(BenchmarkId::from_parameter(n), &mapi, |b, mapi| {
            b.iter(|| {
                if let Ok(session) = mapi.logon_ex("Suite", LogonFlags::EXTENDED) {
                    drop(session.open_address_book());
                    let _ = black_box(session.logoff(SessionLogoffFlags::empty()));
                    drop(session);
                }
            })
        });
        log_off(open);
        let _ = mapi.uninitialize();
    }
    group.finish();
}

criterion_group!(benches, lifecycle_after_k, stores, sessions, suite, tracked_refs);
criterion_main!(benches);
