//! The simulated MAPI: the [`Simulator`] and its builder, `MAPIInitialize`/`MAPIUninitialize`,
//! `MAPILogonEx`, sessions and store handles for the client, the library loader, the support
//! objects providers call, and the spooler.
//!
//! ```
//! use mapisim::prelude::*;
//! use mapisim::sample::SampleStore;
//!
//! let sim = Simulator::builder()
//!     .library("SMPMS32.DLL", SampleStore::library)
//!     .service(SampleStore::service("SMPMS"))
//!     .build();
//! sim.profiles().create("Default")?.add_service("SMPMS")?;
//! let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
//! let session = mapi.logon_ex("Default", LogonFlags::EXTENDED)?;
//! let row = session.msg_stores_table()?.default_store()?;
//! let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
//! sim.spooler().run_until_idle();
//! store.store_logoff(LogoffFlags::ORDERLY)?;
//! drop(store);
//! session.logoff(SessionLogoffFlags::empty())?;
//! mapi.uninitialize()?;
//! sim.finish().assert_clean();
//! # Ok::<(), mapisim::MapiError>(())
//! ```

mod ab;
mod builder;
mod faults;
mod finish;
mod inbound;
mod init;
mod kind;
mod loader;
mod logon;
mod memory;
mod ms;
pub(crate) mod notify;
mod outbound;
mod profiles;
mod profsect;
mod provider;
mod query;
mod retire;
mod service;
mod session;
mod settings;
mod shutdown;
mod simulator;
mod spooler;
pub(crate) mod state;
mod store;
pub(crate) mod support;
pub(crate) mod teardown;
mod xp;

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

pub use crate::check::loads::{LoadLedger, LoadOp, LoadRecord};
pub use ab::AddressBook;
pub use builder::SimulatorBuilder;
pub use faults::{CallFault, FaultPlan, FaultPoints, documented_support_error};
pub use inbound::ReceivedMessage;
pub(crate) use loader::PendingFree;
pub use loader::dll_file_name;
pub use memory::SimMalloc;
pub use notify::{WAIT_OBJECT_0, WAIT_TIMEOUT, WaitHandle, WaitResult, WindowMessage};
pub use profiles::{InfError, Profile, ProfileAdmin, ServiceSpec};
pub use session::{Session, StoreRow, StoresTable};
pub use settings::{
    AddressBookStart, AllocateMoreMisuse, Behavior, FastShutdown, LogoffShared, MallocCounting,
    RegisteredUid, ReuseLogon, SltRepeat, SltTiming, SpoolSecurity, SpoolerMode, SpoolerObjects,
    StoreStatusRow, TeardownCleanup, TransportActivity, TransportStart, UnloadTiming,
};
pub use simulator::{Mapi, Simulator};
pub use spooler::Spooler;
pub use store::StoreHandle;

use crate::check::{Report, Rule, STRICT_PANIC_PREFIX, Violation, is_strict_panic, rules};
use crate::error::{MapiError, MapiResult, Status, Warned};
use crate::object::{LeakReport, ObjLabel, ObjectLedger, Owner, Ref, Scope};
use crate::spi::{Malloc, MemRoutines};
use crate::sync::lock;
use crate::trace::{EventKind, Party, Text, Trace};
use state::State;

/// A client call that ends the session, or part of it, in progress.
pub(crate) struct ClientTeardown<'a> {
    rt: &'a Runtime,
}

impl Drop for ClientTeardown<'_> {
    fn drop(&mut self) {
        self.rt
            .client_teardown
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The simulated MAPI: shared by the simulator and every handle it gave out.
pub(crate) struct Runtime {
    pub(crate) trace: Trace,
    pub(crate) ledger: ObjectLedger,
    pub(crate) behavior: Behavior,
    /// The support and provider calls the fault plan fails, and their counts.
    pub(crate) faults: faults::CallFaults,
    strict: bool,
    pedantic: bool,
    /// The client declared it runs as a Windows service.
    pub(crate) service_client: bool,
    /// The client declared it does not run as a Windows service.
    not_service_client: bool,
    state: Mutex<State>,
    pub(crate) malloc: Ref<dyn Malloc>,
    pub(crate) routines: MemRoutines,
    /// Client calls that end the session in progress (`StoreLogoff`, a store's release,
    /// `IMAPISession::Logoff`, `MAPIUninitialize`): notifications posted during them come after
    /// the client's last chance to pump.
    pub(crate) client_teardown: std::sync::atomic::AtomicU32,
    me: Weak<Runtime>,
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_owned()
    }
}

impl Runtime {
    pub(crate) fn st(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub(crate) fn me(&self) -> Weak<Runtime> {
        self.me.clone()
    }

    /// Runs code on behalf of MAPI.
    pub(crate) fn mapi_scope(&self) -> Scope {
        self.ledger.enter(Party::Mapi, Owner::none())
    }

    /// Records a violation; in strict mode, panics with its account.
    pub(crate) fn violation(
        &self,
        rule: &'static Rule,
        message: impl Into<String>,
        objects: impl Into<Vec<ObjLabel>>,
        by: Party,
    ) {
        self.violation_as(rule, rule.severity, message, objects.into(), by);
    }

    /// Records a finding of a rule whose severity depends on the reading in force (a contested
    /// rule whose two pages word it differently); in strict mode, panics with its account.
    pub(crate) fn violation_as(
        &self,
        rule: &'static Rule,
        severity: crate::check::Severity,
        message: impl Into<String>,
        objects: Vec<ObjLabel>,
        by: Party,
    ) {
        let message = message.into();
        let advisory = severity == crate::check::Severity::Should;
        let event = self.trace.record(EventKind::Violation {
            rule: rule.id,
            text: message.clone(),
            advisory,
        });
        let violation = Violation {
            rule,
            message,
            objects,
            event,
            by,
            severity,
        };
        self.st().violations.push(violation.clone());
        // Strict mode stops at a violation; at an advisory only when the test is pedantic.
        if self.strict && (!advisory || self.pedantic) && !std::thread::panicking() {
            let report = Report::new(
                vec![violation],
                LeakReport::default(),
                LoadLedger::default(),
                self.trace.clone(),
            )
            .made_with(self.report_settings());
            std::panic::panic_any(format!("{STRICT_PANIC_PREFIX}{}", report.account()));
        }
    }

    /// How the simulator runs, as its reports' accounts need to know.
    fn report_settings(&self) -> crate::check::Settings {
        crate::check::Settings {
            strict: self.strict,
            history: self.ledger.history(),
            pedantic: self.pedantic,
        }
    }

    /// Marks a client call that ends the session (or part of it) while the guard lives.
    pub(crate) fn client_teardown(&self) -> ClientTeardown<'_> {
        self.client_teardown
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ClientTeardown { rt: self }
    }

    /// Records a remark of MAPI's in the trace.
    pub(crate) fn note(&self, text: impl Into<Text>) {
        self.trace.record(EventKind::Note {
            by: Party::Mapi,
            text: text.into(),
        });
    }

    /// Records a client violation.
    pub(crate) fn client_violation(&self, rule: &'static Rule, message: impl Into<String>) {
        self.violation(rule, message, Vec::new(), Party::Client);
    }

    /// Runs provider code of `dll` in the provider's scope, catching a panic (reported as
    /// `PROVIDER-PANIC`; strict mode's own panic goes through).
    pub(crate) fn guarded<R>(
        &self,
        dll: &Arc<str>,
        session: Option<u32>,
        what: &str,
        objects: &[ObjLabel],
        f: impl FnOnce() -> R,
    ) -> Result<R, String> {
        let mut owner = Owner::library(Arc::clone(dll));
        owner.session = session;
        let scope = self.ledger.enter(Party::Library(Arc::clone(dll)), owner);
        let outcome = catch_unwind(AssertUnwindSafe(f));
        drop(scope);
        match outcome {
            Ok(r) => Ok(r),
            Err(payload) => {
                if is_strict_panic(payload.as_ref()) {
                    resume_unwind(payload);
                }
                let message = panic_message(payload.as_ref());
                self.violation(
                    &rules::PROVIDER_PANIC,
                    format!("{what} panicked: {message}"),
                    objects.to_vec(),
                    Party::Library(Arc::clone(dll)),
                );
                Err(message)
            }
        }
    }

    /// Runs a provider method of `dll` like [`guarded`](Runtime::guarded), unless the fault plan
    /// fails or panics this call of `method`: then the provider's code does not run, and the
    /// injected fault is a note in the trace.
    pub(crate) fn guarded_call<T>(
        &self,
        dll: &Arc<str>,
        session: Option<u32>,
        method: &str,
        objects: &[ObjLabel],
        f: impl FnOnce() -> MapiResult<T>,
    ) -> Result<MapiResult<T>, String> {
        match self.faults.provider_call(method) {
            None => self.guarded(dll, session, method, objects, f),
            Some((n, CallFault::Fail(error))) => {
                self.note(format!(
                    "the fault plan fails the {} call of {method} with {error}; {dll}'s code does not run",
                    faults::ordinal(n)
                ));
                Ok(Err(error))
            }
            Some((n, CallFault::Panic)) => {
                let text = format!(
                    "the fault plan panics in the {} call of {method}",
                    faults::ordinal(n)
                );
                self.note(text.clone());
                // Unwound without the panic hook: an injected panic prints nothing.
                self.guarded(dll, session, method, objects, move || -> MapiResult<T> {
                    resume_unwind(Box::new(text))
                })
            }
        }
    }

    /// A traced call from MAPI (or the spooler) into provider code.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn call_provider<R, S: Into<Text>>(
        &self,
        caller: Party,
        target: Party,
        method: &'static str,
        args: impl Into<Text>,
        dll: &Arc<str>,
        session: Option<u32>,
        f: impl FnOnce() -> MapiResult<R>,
        summary: impl FnOnce(&R) -> S,
    ) -> MapiResult<R> {
        let objects: Vec<ObjLabel> = match &target {
            Party::Object(label) => vec![*label],
            _ => Vec::new(),
        };
        let call = self.trace.begin_call(caller, target, method, args);
        match self.guarded_call(dll, session, method, &objects, f) {
            Ok(result) => {
                call.finish_result(&result, summary);
                result
            }
            Err(message) => {
                call.panicked(message);
                Err(MapiError::CallFailed)
            }
        }
    }

    /// A traced call into an object MAPI implements (a support object, a profile section), made
    /// by whoever's code runs now. An object MAPI gave to a provider (`given_to`: the provider's
    /// party and owner) called on a thread outside every scope is called by that provider, on a
    /// thread it started: the call runs in its scope. Answers `MAPI_E_END_OF_SESSION` once the
    /// simulator is gone.
    pub(crate) fn called_object<R, S: Into<Text>>(
        rt: &Weak<Runtime>,
        object: Option<ObjLabel>,
        given_to: Option<&(Party, Owner)>,
        method: &'static str,
        args: impl Into<Text>,
        f: impl FnOnce(&Runtime) -> MapiResult<R>,
        summary: impl FnOnce(&R) -> S,
    ) -> MapiResult<R> {
        let Some(rt) = rt.upgrade() else {
            return Err(MapiError::EndOfSession);
        };
        let _provider = match given_to {
            Some((party, owner)) if crate::object::scope_party().is_none() => {
                Some(rt.ledger.enter(party.clone(), owner.clone()))
            }
            _ => None,
        };
        let target = object.map_or(Party::Mapi, Party::Object);
        let call = rt
            .trace
            .begin_call(crate::object::current_party(), target, method, args);
        let result = f(&rt);
        call.finish_result(&result, summary);
        result
    }

    /// Finishes a traced call whose result may carry a warning.
    pub(crate) fn finish_warned<T, S: Into<Text>>(
        call: crate::trace::CallGuard,
        result: &MapiResult<Warned<T>>,
        summary: impl FnOnce(&T) -> S,
    ) {
        match result {
            Ok(w) => {
                let status = w.warning.map_or(Status::Ok, Status::Warning);
                call.finish(status, summary(&w.value));
            }
            Err(e) => call.finish(Status::Error(*e), Text::EMPTY),
        }
    }

    /// Drops provider-owned values (references to provider objects) in the provider's scope.
    pub(crate) fn drop_in_provider<T>(&self, dll: &Arc<str>, session: Option<u32>, what: &str, value: T) {
        let _ = self.guarded(dll, session, what, &[], move || drop(value));
    }

    pub(crate) fn arc(&self) -> Arc<Runtime> {
        // The runtime is always reached through an `Arc`, so the upgrade cannot fail while `self`
        // is borrowed.
        match self.me.upgrade() {
            Some(rt) => rt,
            None => unreachable_runtime(),
        }
    }
}

#[cold]
fn unreachable_runtime() -> ! {
    panic!("the simulated MAPI was used after it was dropped")
}
