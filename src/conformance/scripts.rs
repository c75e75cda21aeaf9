//! Random client scripts for any provider (feature `proptest`): a state machine whose operations
//! are the client's and the spooler's, in any order, misuse included; invariants checked after
//! every step; a failing script shrunk to a minimal one and printed as Rust code.
//!
//! The system under test is a simulator hosting the battery's library, with two profiles: the
//! first holds each message service once, the second twice (two stores of one provider). Beside
//! it the script keeps its model: the `MAPIInitialize` calls it balanced, the sessions, store
//! handles and address books it holds. After every step:
//!
//! - each store object's reference count covers the handles the script holds on it, plus the
//!   spooler's reference when the spooler holds it (a provider may hold more of its own);
//! - no provider rule is broken (advisories aside).
//!
//! At the end the script cleans up as a careful client would (releases its stores and address
//! books, logs its sessions off, uninitializes as often as it initialized), and the final report
//! must show no leak, every `LoadLibrary` paired, and no violation but the client's own (a script
//! misuses MAPI on purpose: `MAPIUninitialize` without `MAPIInitialize`, a store opened after
//! logoff).
//!
//! [`Conformance::run_scripts`](super::Conformance::run_scripts) runs many; a failure comes back
//! as a [`ScriptFailure`] whose `Display` has the minimal script as code to paste into a
//! regression test, which [`Conformance::replay`](super::Conformance::replay) runs.

use std::collections::HashMap;
use std::fmt;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestCaseError, TestError, TestRunner};

use super::scenarios::{Setup, Submitter};
use super::{Conformance, PROFILE, Run};
use crate::check::{Bound, Report};
use crate::error::MapiError;
use crate::flags::{InitFlags, LogoffFlags, LogonFlags, OpenStoreFlags, SessionLogoffFlags};
use crate::runtime::{AddressBook, Mapi, Session, Simulator, StoreHandle};

/// The second profile of a script's simulator: every service twice.
const PROFILE_TWICE: &str = "Conformance twice";

/// One step of a client script. Indexes pick among what the script holds at that moment (a
/// session, a store handle, an address book); one that picks nothing makes the step do nothing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ClientOp {
    /// `MAPIInitialize`.
    Initialize,
    /// `MAPIUninitialize` of the last initialization held (without one: the misuse, which must
    /// give `MAPI_E_NOT_INITIALIZED`).
    Uninitialize,
    /// `MAPILogonEx` on the first (0) or second (1) profile, with `MAPI_NO_MAIL` or not.
    Logon {
        /// Which profile.
        profile: usize,
        /// Whether with `MAPI_NO_MAIL`.
        no_mail: bool,
    },
    /// `OpenMsgStore` of a row of a session's message-store table, with `MDB_NO_MAIL` or not.
    Open {
        /// Which session.
        session: usize,
        /// Which row.
        store: usize,
        /// Whether with `MDB_NO_MAIL`.
        no_mail: bool,
    },
    /// `OpenAddressBook` of a session.
    OpenAddressBook {
        /// Which session.
        session: usize,
    },
    /// A message submitted through a store handle (when the battery knows how to submit).
    Submit {
        /// Which handle.
        handle: usize,
    },
    /// One step of the spooler.
    SpoolerStep,
    /// `StoreLogoff` of a handle with one of `LOGOFF_NO_WAIT`, `LOGOFF_ORDERLY`, `LOGOFF_PURGE`,
    /// `LOGOFF_ABORT`, `LOGOFF_QUIET` (0 to 4).
    StoreLogoff {
        /// Which handle.
        handle: usize,
        /// Which flag.
        flag: usize,
    },
    /// The release of a store handle.
    DropHandle {
        /// Which handle.
        handle: usize,
    },
    /// The release of an address book.
    DropAddressBook {
        /// Which address book.
        book: usize,
    },
    /// `IMAPISession::Logoff` (the session stays held).
    SessionLogoff {
        /// Which session.
        session: usize,
    },
    /// The release of a session.
    DropSession {
        /// Which session.
        session: usize,
    },
}

/// The flags of [`ClientOp::StoreLogoff`], by index.
const LOGOFF_FLAGS: [LogoffFlags; 5] = [
    LogoffFlags::NO_WAIT,
    LogoffFlags::ORDERLY,
    LogoffFlags::PURGE,
    LogoffFlags::ABORT,
    LogoffFlags::QUIET,
];

/// Any step of a client script, with the weights a useful script needs (more opens than
/// uninitializations).
pub fn client_op() -> impl Strategy<Value = ClientOp> {
    prop_oneof![
        2 => Just(ClientOp::Initialize),
        1 => Just(ClientOp::Uninitialize),
        3 => (0..2usize, any::<bool>()).prop_map(|(profile, no_mail)| ClientOp::Logon { profile, no_mail }),
        6 => (0..4usize, 0..3usize, any::<bool>())
            .prop_map(|(session, store, no_mail)| ClientOp::Open { session, store, no_mail }),
        2 => (0..4usize).prop_map(|session| ClientOp::OpenAddressBook { session }),
        2 => (0..6usize).prop_map(|handle| ClientOp::Submit { handle }),
        3 => Just(ClientOp::SpoolerStep),
        3 => (0..6usize, 0..5usize).prop_map(|(handle, flag)| ClientOp::StoreLogoff { handle, flag }),
        3 => (0..6usize).prop_map(|handle| ClientOp::DropHandle { handle }),
        1 => (0..4usize).prop_map(|book| ClientOp::DropAddressBook { book }),
        2 => (0..4usize).prop_map(|session| ClientOp::SessionLogoff { session }),
        1 => (0..4usize).prop_map(|session| ClientOp::DropSession { session }),
    ]
}

/// A client script of up to `max_len` steps.
pub fn client_script(max_len: usize) -> impl Strategy<Value = Vec<ClientOp>> {
    prop::collection::vec(client_op(), 0..=max_len)
}

/// A script that broke an invariant: where, why, and the script (shrunk, when it comes from
/// [`Conformance::run_scripts`](super::Conformance::run_scripts)). Its `Display` ends with the
/// script as Rust code.
#[derive(Clone, Debug)]
pub struct ScriptFailure {
    /// The script.
    pub script: Vec<ClientOp>,
    /// The step after which an invariant broke (an index into `script`), or `None` when the
    /// final checks failed.
    pub step: Option<usize>,
    /// What broke.
    pub message: String,
}

impl ScriptFailure {
    /// The script as Rust code: paste it into a test, where `battery` is the
    /// [`Conformance`] the scripts ran on.
    pub fn code(&self) -> String {
        let mut out = String::from("use mapisim::conformance::scripts::ClientOp::*;\n\nlet script = [\n");
        for op in &self.script {
            out.push_str(&format!("    {op:?},\n"));
        }
        out.push_str("];\nif let Err(failure) = battery.replay(&script) {\n    panic!(\"{failure}\");\n}\n");
        out
    }
}

impl fmt::Display for ScriptFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(step) => writeln!(
                f,
                "a client script of {} steps broke an invariant after step {step}:",
                self.script.len()
            )?,
            None => writeln!(f, "a client script of {} steps ended unclean:", self.script.len())?,
        }
        writeln!(f, "{}", self.message)?;
        writeln!(f, "\nThe script, as a regression test:\n\n{}", self.code())
    }
}

impl std::error::Error for ScriptFailure {}

/// The seed of the scripts: `MAPISIM_SEED`, or a fixed one.
fn seed() -> u64 {
    std::env::var("MAPISIM_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0x6d61_7069_7369_6d00)
}

/// What [`Conformance::run_scripts`](super::Conformance::run_scripts) ran.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ScriptsRun {
    /// The scripts run.
    pub scripts: u32,
    /// Their steps, in all.
    pub steps: u64,
}

/// The system under test of one script, and the script's model of what it holds.
struct World<'a> {
    sim: Simulator,
    submitter: Option<&'a Submitter>,
    mapis: Vec<Mapi>,
    sessions: Vec<Session>,
    handles: Vec<StoreHandle>,
    /// The display name of each handle's store, beside `handles`.
    names: Vec<String>,
    books: Vec<AddressBook>,
}

impl<'a> World<'a> {
    fn new(run: &'a Run<'a>) -> World<'a> {
        let setup = Setup {
            behavior: run.base_behavior(),
            service_client: false,
            services_twice: false,
        };
        let (builder, names) = run.builder(&setup, crate::runtime::FaultPlan::new());
        let sim = builder.build();
        // A service that cannot be added shows in the scenarios; here, the profiles hold what
        // could be added.
        let mut errors = Vec::new();
        drop(Run::profile(&sim, PROFILE, &names, 1, &mut errors));
        drop(Run::profile(&sim, PROFILE_TWICE, &names, 2, &mut errors));
        World {
            sim,
            submitter: run.submitter.as_ref(),
            mapis: Vec::new(),
            sessions: Vec::new(),
            handles: Vec::new(),
            names: Vec::new(),
            books: Vec::new(),
        }
    }

    /// One step; a misuse must get its typed error.
    fn apply(&mut self, op: ClientOp) -> Result<(), String> {
        match op {
            ClientOp::Initialize => {
                if let Ok(m) = self.sim.initialize(InitFlags::empty()) {
                    self.mapis.push(m);
                }
            }
            ClientOp::Uninitialize => match self.mapis.pop() {
                Some(m) => m
                    .uninitialize()
                    .map_err(|e| format!("MAPIUninitialize failed: {e}"))?,
                None => {
                    let e = self.sim.uninitialize();
                    if e != Err(MapiError::NotInitialized) {
                        return Err(format!("MAPIUninitialize without MAPIInitialize answered {e:?}"));
                    }
                }
            },
            ClientOp::Logon { profile, no_mail } => {
                let mut flags = LogonFlags::EXTENDED;
                if no_mail {
                    flags |= LogonFlags::NO_MAIL;
                }
                let name = if profile == 0 { PROFILE } else { PROFILE_TWICE };
                match self.sim.logon_ex(name, flags) {
                    Ok(s) => self.sessions.push(s),
                    Err(MapiError::NotInitialized) => {}
                    Err(e) if self.mapis.is_empty() => {
                        return Err(format!("MAPILogonEx before MAPIInitialize answered {e}"));
                    }
                    Err(_) => {}
                }
            }
            ClientOp::Open {
                session,
                store,
                no_mail,
            } => {
                let Some(s) = self.sessions.get(session) else {
                    return Ok(());
                };
                let mut flags = OpenStoreFlags::WRITE;
                if no_mail {
                    flags |= OpenStoreFlags::NO_MAIL;
                }
                let row = s
                    .msg_stores_table()
                    .and_then(|t| t.rows().get(store).cloned().ok_or(MapiError::NotFound));
                if let Ok(row) = row
                    && let Ok(h) = s.open_msg_store(&row.entry_id, flags)
                {
                    self.handles.push(h);
                    self.names.push(row.display_name);
                }
            }
            ClientOp::OpenAddressBook { session } => {
                if let Some(Ok(book)) = self.sessions.get(session).map(Session::open_address_book) {
                    self.books.push(book.into_value());
                }
            }
            ClientOp::Submit { handle } => {
                // Through the store the battery submits through (by name, when it is the
                // partner), never another.
                if let (Some(h), Some(name), Some(submitter)) =
                    (self.handles.get(handle), self.names.get(handle), self.submitter)
                    && submitter.store_name.as_ref().is_none_or(|wanted| wanted == name)
                {
                    let _ = (submitter.submit)(h);
                }
            }
            ClientOp::SpoolerStep => {
                self.sim.spooler().step();
            }
            ClientOp::StoreLogoff { handle, flag } => {
                if let (Some(h), Some(flags)) = (self.handles.get(handle), LOGOFF_FLAGS.get(flag)) {
                    let _ = h.store_logoff(*flags);
                }
            }
            ClientOp::DropHandle { handle } => {
                if handle < self.handles.len() {
                    drop(self.handles.remove(handle));
                    self.names.remove(handle);
                }
            }
            ClientOp::DropAddressBook { book } => {
                if book < self.books.len() {
                    drop(self.books.remove(book));
                }
            }
            ClientOp::SessionLogoff { session } => {
                if let Some(s) = self.sessions.get(session) {
                    let _ = s.logoff(SessionLogoffFlags::empty());
                }
            }
            ClientOp::DropSession { session } => {
                if session < self.sessions.len() {
                    drop(self.sessions.remove(session));
                }
            }
        }
        Ok(())
    }

    /// The invariants after a step.
    fn check(&self) -> Result<(), String> {
        let spooler = self.sim.spooler();
        let mut by_store: HashMap<String, (u32, u32, bool)> = HashMap::new();
        for h in &self.handles {
            let Some(label) = h.label() else {
                continue;
            };
            let entry = by_store
                .entry(label.to_string())
                .or_insert((0, h.ref_count(), false));
            entry.0 += 1;
            entry.2 |= spooler.holds(h);
        }
        for (label, (handles, count, spooler_holds)) in by_store {
            let wanted = handles + u32::from(spooler_holds);
            if count < wanted {
                return Err(format!(
                    "{label} has {count} reference(s), fewer than the {handles} handle(s) the client holds{}",
                    if spooler_holds { " and the spooler's" } else { "" }
                ));
            }
        }
        let broken: Vec<String> = self
            .sim
            .violations()
            .iter()
            .filter(|v| v.rule.bound != Bound::Client && !v.is_advisory())
            .map(ToString::to_string)
            .collect();
        if !broken.is_empty() {
            return Err(broken.join("\n"));
        }
        Ok(())
    }

    /// The careful client's end, and the final checks.
    fn finish(mut self) -> Result<Report, String> {
        self.handles.clear();
        self.names.clear();
        self.books.clear();
        for s in &self.sessions {
            let _ = s.logoff(SessionLogoffFlags::empty());
        }
        self.sessions.clear();
        for m in self.mapis.drain(..) {
            m.uninitialize()
                .map_err(|e| format!("MAPIUninitialize failed at the end: {e}"))?;
        }
        let report = self.sim.finish();
        let broken: Vec<&crate::check::Violation> = report
            .violations
            .iter()
            .filter(|v| v.rule.bound != Bound::Client && !v.is_advisory())
            .collect();
        if !broken.is_empty() || !report.leaks.is_empty() || !report.loads.unpaired().is_empty() {
            return Err(report.account());
        }
        Ok(report)
    }
}

impl Conformance {
    /// Runs one client script on the battery's library: each step, the invariants after it, the
    /// careful end and the final checks ([module docs](self)). The report of a clean run, or
    /// what broke.
    ///
    /// ```
    /// use mapisim::conformance::Conformance;
    /// use mapisim::conformance::scripts::ClientOp::*;
    /// use mapisim::sample::{SampleStore, SampleSuite};
    ///
    /// let battery = Conformance::new(SampleStore::DLL_FILE, SampleStore::library)
    ///     .mapisvc_inf(SampleSuite::MAPISVC_INF)?;
    /// let script = [Initialize, Logon { profile: 1, no_mail: false }, Open { session: 0, store: 1, no_mail: false }, SpoolerStep];
    /// let report = battery.replay(&script)?;
    /// assert!(report.trace().text().contains("OpenMsgStore"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replay(&self, script: &[ClientOp]) -> Result<Report, ScriptFailure> {
        let fail = |step: Option<usize>, message: String| ScriptFailure {
            script: script.to_vec(),
            step,
            message,
        };
        let kinds = self.kinds();
        let run = Run::new(self, kinds);
        let mut world = World::new(&run);
        for (i, op) in script.iter().enumerate() {
            world.apply(*op).map_err(|m| fail(Some(i), m))?;
            world.check().map_err(|m| fail(Some(i), m))?;
        }
        world.finish().map_err(|m| fail(None, m))
    }

    /// Runs `scripts` random client scripts of up to 40 steps each on the battery's library
    /// ([module docs](self)); on a failure, proptest shrinks the script to a minimal one, which
    /// the [`ScriptFailure`] prints as code.
    ///
    /// The scripts are the same from run to run (a fixed seed), so that a failure in CI is the
    /// failure on the author's machine; set `MAPISIM_SEED` to a number to draw others.
    ///
    /// ```
    /// use mapisim::conformance::Conformance;
    /// use mapisim::sample::{SampleStore, SampleSuite};
    ///
    /// let run = Conformance::new(SampleStore::DLL_FILE, SampleStore::library)
    ///     .mapisvc_inf(SampleSuite::MAPISVC_INF)?
    ///     .run_scripts(64)?;
    /// assert_eq!(run.scripts, 64);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_scripts(&self, scripts: u32) -> Result<ScriptsRun, ScriptFailure> {
        let config = Config {
            cases: scripts,
            // XorShift: seeding a ChaCha generator per script was a quarter of the time, and a
            // script needs no cryptographic randomness. No failure file: the failure is printed.
            rng_algorithm: RngAlgorithm::XorShift,
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(seed()),
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let steps = std::cell::Cell::new(0u64);
        let result = runner.run(&client_script(40), |script| {
            steps.set(steps.get() + script.len() as u64);
            match self.replay(&script) {
                Ok(_) => Ok(()),
                Err(failure) => Err(TestCaseError::fail(failure.to_string())),
            }
        });
        match result {
            Ok(()) => Ok(ScriptsRun {
                scripts,
                steps: steps.get(),
            }),
            Err(TestError::Fail(_, script)) => Err(match self.replay(&script) {
                Err(failure) => failure,
                // A failure that does not come back when replayed: the simulator's defect, said.
                Ok(_) => ScriptFailure {
                    script,
                    step: None,
                    message: "the script failed once and passed when replayed".to_owned(),
                },
            }),
            Err(TestError::Abort(reason)) => Err(ScriptFailure {
                script: Vec::new(),
                step: None,
                message: format!("the scripts stopped: {reason}"),
            }),
        }
    }
}
