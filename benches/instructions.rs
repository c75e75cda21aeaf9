//! The program `benches/callgrind.sh` runs under callgrind to count the instructions of a
//! lifecycle: M simulated lifecycles (the quickstart's scenario, each on a fresh simulator built
//! beforehand) or M bare ones (the same provider calls made directly, as in
//! `benches/lifecycle.rs`). Only the function that runs the lifecycles is counted
//! (`--toggle-collect`), so building and dropping the simulators is not. Instruction counts do
//! not depend on the machine's load, unlike times. The goal (issue 13): a simulated lifecycle
//! within 3x of the bare calls.
//!
//! With `after K M`, M more lifecycles on one simulator that ran K before (issue 13's goal: the
//! same count whatever K). With `sessions N M`, M session cycles (`MAPILogonEx`, `Logoff`,
//! release) while N other sessions stay open (the goal: the same count whatever N).
//!
//! Usage: `instructions simulated M`, `instructions bare M`, `instructions after K M` or
//! `instructions sessions N M`. Without them (as under `cargo test --benches` or `cargo bench`)
//! it runs one of each.

#[allow(dead_code)] // the module is shared with benches that use the rest of it
mod common;

use std::hint::black_box;

use common::{bare_lifecycle, simulated_lifecycle, simulator};
use mapisim::prelude::*;
use mapisim::runtime::Mapi;

/// Counted by callgrind: one simulated lifecycle on each simulator.
#[inline(never)]
fn measured_simulated_lifecycles(sims: &[Simulator]) {
    for sim in sims {
        let _ = black_box(simulated_lifecycle(sim));
    }
}

/// Counted by callgrind: `m` more lifecycles on one simulator.
#[inline(never)]
fn measured_after_lifecycles(sim: &Simulator, m: usize) {
    for _ in 0..m {
        let _ = black_box(simulated_lifecycle(sim));
    }
}

/// Counted by callgrind: `m` session cycles.
#[inline(never)]
fn measured_session_cycles(mapi: &Mapi, m: usize) {
    for _ in 0..m {
        if let Ok(session) = mapi.logon_ex("Default", LogonFlags::EXTENDED) {
            let _ = black_box(session.logoff(SessionLogoffFlags::empty()));
        }
    }
}

/// `m` session cycles while `n` other sessions are open (their logons are not counted).
fn sessions(n: usize, m: usize) {
    let sim = simulator();
    let Ok(mapi) = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS) else {
        return;
    };
    let open: Vec<Session> = (0..n)
        .filter_map(|_| mapi.logon_ex("Default", LogonFlags::EXTENDED).ok())
        .collect();
    measured_session_cycles(black_box(&mapi), m);
    for session in &open {
        let _ = session.logoff(SessionLogoffFlags::empty());
    }
    drop(open);
    let _ = mapi.uninitialize();
}

/// Counted by callgrind: `m` bare lifecycles.
#[inline(never)]
fn measured_bare_lifecycles(m: usize) {
    for _ in 0..m {
        bare_lifecycle();
    }
}

fn simulated(m: usize) {
    let sims: Vec<Simulator> = (0..m).map(|_| simulator()).collect();
    measured_simulated_lifecycles(black_box(&sims));
    drop(sims);
}

/// `m` lifecycles on a simulator that ran `k` before (those are not counted).
fn after(k: usize, m: usize) {
    let sim = simulator();
    for _ in 0..k {
        let _ = simulated_lifecycle(&sim);
    }
    measured_after_lifecycles(black_box(&sim), m);
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.as_slice() {
        [kind, m] if kind == "simulated" => simulated(m.parse().unwrap_or(1)),
        [kind, m] if kind == "bare" => measured_bare_lifecycles(m.parse().unwrap_or(1)),
        [kind, k, m] if kind == "after" => after(k.parse().unwrap_or(0), m.parse().unwrap_or(1)),
        [kind, n, m] if kind == "sessions" => sessions(n.parse().unwrap_or(0), m.parse().unwrap_or(1)),
        _ => {
            simulated(1);
            measured_bare_lifecycles(1);
            sessions(1, 1);
        }
    }
}
