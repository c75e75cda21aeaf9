//! Random client scripts against the sample provider: initialize, logon with and without
//! `MAPI_NO_MAIL`, opening the same or another store with and without `MDB_NO_MAIL`, spooler steps,
//! `StoreLogoff`, dropping handles, second sessions, session logoff, uninitialize — in any order,
//! misuse included. After every step the reference counts match the live handles; at the end,
//! once the client has cleaned up, every object is gone and every `LoadLibrary` is paired. A
//! failing script shrinks to a minimal one.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use std::collections::HashMap;

use mapisim::check::Bound;
use mapisim::object::InterfaceKind;
use mapisim::prelude::*;
use mapisim::runtime::Mapi;
use mapisim::sample::SampleStore;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Initialize,
    Uninitialize,
    Logon {
        profile: usize,
        no_mail: bool,
    },
    Open {
        session: usize,
        store: usize,
        no_mail: bool,
    },
    SpoolerStep,
    StoreLogoff {
        handle: usize,
        flag: usize,
    },
    DropHandle {
        handle: usize,
    },
    SessionLogoff {
        session: usize,
    },
    DropSession {
        session: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Initialize),
        1 => Just(Op::Uninitialize),
        3 => (0..2usize, any::<bool>()).prop_map(|(profile, no_mail)| Op::Logon { profile, no_mail }),
        6 => (0..4usize, 0..2usize, any::<bool>()).prop_map(|(session, store, no_mail)| Op::Open { session, store, no_mail }),
        3 => Just(Op::SpoolerStep),
        3 => (0..6usize, 0..5usize).prop_map(|(handle, flag)| Op::StoreLogoff { handle, flag }),
        3 => (0..6usize).prop_map(|handle| Op::DropHandle { handle }),
        2 => (0..4usize).prop_map(|session| Op::SessionLogoff { session }),
        1 => (0..4usize).prop_map(|session| Op::DropSession { session }),
    ]
}

const FLAGS: [LogoffFlags; 5] = [
    LogoffFlags::NO_WAIT,
    LogoffFlags::ORDERLY,
    LogoffFlags::PURGE,
    LogoffFlags::ABORT,
    LogoffFlags::QUIET,
];

struct World {
    sim: Simulator,
    mapis: Vec<Mapi>,
    sessions: Vec<Session>,
    handles: Vec<StoreHandle>,
}

impl World {
    fn new() -> World {
        // The sample's store provider without the service entry point: profiles are set up
        // without calling it (`profiles_and_services` covers the entry), the scripts exercise
        // the client's calls.
        let full = SampleStore::service("SMPMS");
        let service = ServiceDef::new("SMPMS")
            .display_name("Sample Message Store")
            .provider(full.providers()[0].clone());
        let sim = Simulator::builder()
            .library(SampleStore::DLL_FILE, SampleStore::library)
            .service(service)
            .build();
        for name in ["A", "B"] {
            let profile = sim.profiles().create(name).unwrap();
            profile.add_service("SMPMS").unwrap();
            profile.add_service("SMPMS").unwrap();
        }
        World {
            sim,
            mapis: Vec::new(),
            sessions: Vec::new(),
            handles: Vec::new(),
        }
    }

    fn run(&mut self, op: &Op) {
        match *op {
            Op::Initialize => {
                if let Ok(m) = self.sim.initialize(InitFlags::empty()) {
                    self.mapis.push(m);
                }
            }
            Op::Uninitialize => match self.mapis.pop() {
                Some(m) => m.uninitialize().unwrap(),
                // Misuse: MAPIUninitialize without MAPIInitialize gives a typed error.
                None => assert_eq!(self.sim.uninitialize(), Err(MapiError::NotInitialized)),
            },
            Op::Logon { profile, no_mail } => {
                let mut flags = LogonFlags::EXTENDED;
                if no_mail {
                    flags |= LogonFlags::NO_MAIL;
                }
                match self.sim.logon_ex(["A", "B"][profile], flags) {
                    Ok(s) => self.sessions.push(s),
                    Err(e) => assert_eq!(e, MapiError::NotInitialized),
                }
            }
            Op::Open {
                session,
                store,
                no_mail,
            } => {
                let Some(s) = self.sessions.get(session) else {
                    return;
                };
                let mut flags = OpenStoreFlags::WRITE;
                if no_mail {
                    flags |= OpenStoreFlags::NO_MAIL;
                }
                let row = s
                    .msg_stores_table()
                    .and_then(|t| t.rows().get(store).cloned().ok_or(MapiError::NotFound));
                match row.and_then(|r| s.open_msg_store(&r.entry_id, flags)) {
                    Ok(h) => self.handles.push(h),
                    Err(e) => assert!(
                        matches!(e, MapiError::NotInitialized | MapiError::EndOfSession),
                        "unexpected {e}"
                    ),
                }
            }
            Op::SpoolerStep => {
                self.sim.spooler().step();
            }
            Op::StoreLogoff { handle, flag } => {
                if let Some(h) = self.handles.get(handle) {
                    let _ = h.store_logoff(FLAGS[flag]);
                }
            }
            Op::DropHandle { handle } => {
                if handle < self.handles.len() {
                    drop(self.handles.remove(handle));
                }
            }
            Op::SessionLogoff { session } => {
                if let Some(s) = self.sessions.get(session) {
                    let _ = s.logoff(SessionLogoffFlags::empty());
                }
            }
            Op::DropSession { session } => {
                if session < self.sessions.len() {
                    drop(self.sessions.remove(session));
                }
            }
        }
    }

    /// After every step: each store's count is its client handles plus the spooler's reference;
    /// every support object is held by its store alone; the sample broke no rule.
    fn check(&self) -> Result<(), TestCaseError> {
        let mut by_store: HashMap<String, (u32, u32, bool)> = HashMap::new();
        let spooler = self.sim.spooler();
        for h in &self.handles {
            let label = h.label().unwrap().to_string();
            let entry = by_store.entry(label).or_insert((0, h.ref_count(), false));
            entry.0 += 1;
            entry.2 |= spooler.holds(h);
        }
        for (label, (handles, count, spooler_holds)) in by_store {
            prop_assert_eq!(count, handles + u32::from(spooler_holds), "{}", label);
        }
        for support in self
            .sim
            .ledger()
            .live_where(|o| o.label.kind == InterfaceKind::MapiSupport)
        {
            prop_assert_eq!(support.count, 1, "{} is held by its store alone", support.label);
        }
        let provider_violations: Vec<String> = self
            .sim
            .violations()
            .iter()
            .filter(|v| v.rule.bound == Bound::Provider)
            .map(ToString::to_string)
            .collect();
        prop_assert!(provider_violations.is_empty(), "{:?}", provider_violations);
        Ok(())
    }

    /// The client cleans up: releases its stores, logs off, releases its sessions, and
    /// uninitializes as often as it initialized.
    fn finish(mut self) -> Report {
        self.handles.clear();
        for s in &self.sessions {
            let _ = s.logoff(SessionLogoffFlags::empty());
        }
        self.sessions.clear();
        for m in self.mapis.drain(..) {
            m.uninitialize().unwrap();
        }
        self.sim.finish()
    }
}

proptest! {
    // XorShift rather than ChaCha: seeding a ChaCha generator for every script was a quarter of
    // the test's time, and a script's operations need no cryptographic randomness.
    #![proptest_config(ProptestConfig {
        cases: ProptestConfig::default().cases.max(256),
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_client_script_keeps_counts_and_ends_with_nothing_left(script in prop::collection::vec(op(), 0..40)) {
        let mut world = World::new();
        for op in &script {
            world.run(op);
            world.check()?;
        }
        let report = world.finish();
        prop_assert!(report.leaks.is_empty(), "{}", report.leaks);
        prop_assert!(report.loads.unpaired().is_empty(), "{:?}", report.loads.unpaired());
        prop_assert!(report.violations.iter().all(|v| v.rule.bound == Bound::Client), "{}", report.account());
        prop_assert!(report.trace().calls_of("Shutdown").len() == report.trace().calls_of("MSProviderInit").len());
    }
}
