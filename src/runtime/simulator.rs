//! The simulator, a test's entry point, and the client's `MAPIInitialize` (`Mapi`).

use std::fmt;
use std::sync::Arc;

use crate::check::{Report, Violation};
use crate::error::MapiResult;
use crate::flags::{InitFlags, LogonFlags};
use crate::object::{ObjectLedger, Ref};
use crate::runtime::{Behavior, LoadLedger, ProfileAdmin, Runtime, Session, SimulatorBuilder, Spooler};
use crate::spi::{Malloc, MemRoutines};
use crate::trace::Trace;

/// The simulated MAPI subsystem, hosting the registered provider DLLs.
///
/// `Simulator` is the entry point of a test: build it, create profiles, call
/// [`initialize`](Simulator::initialize) and [`logon_ex`](Mapi::logon_ex) as a client would, and
/// end with [`finish`](Simulator::finish) for the [`Report`].
pub struct Simulator {
    pub(crate) rt: Arc<Runtime>,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("events", &self.rt.trace.len())
            .field("violations", &self.rt.st().violations.len())
            .finish()
    }
}

impl Simulator {
    /// A builder with no DLLs, no services, default behaviour, strict mode and history off.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::new()
    }

    /// The trace of every call so far.
    pub fn trace(&self) -> &Trace {
        &self.rt.trace
    }

    /// The object ledger.
    pub fn ledger(&self) -> &ObjectLedger {
        &self.rt.ledger
    }

    /// The behaviour settings.
    pub fn behavior(&self) -> &Behavior {
        &self.rt.behavior
    }

    /// Profile administration.
    pub fn profiles(&self) -> ProfileAdmin {
        ProfileAdmin {
            rt: Arc::clone(&self.rt),
        }
    }

    /// `MAPIInitialize`: increments MAPI's initialization count. Flags with unknown bits give
    /// `MAPI_E_UNKNOWN_FLAGS`.
    pub fn initialize(&self, flags: InitFlags) -> MapiResult<Mapi> {
        self.rt.initialize(flags).map(|()| Mapi {
            rt: Arc::clone(&self.rt),
        })
    }

    /// `MAPIUninitialize`: decrements the count; the last one unloads the provider DLLs. Without a
    /// matching `MAPIInitialize` it gives `MAPI_E_NOT_INITIALIZED` (and a client violation). A
    /// session still logged on at the last one is a client violation, and MAPI logs it off then.
    pub fn uninitialize(&self) -> MapiResult<()> {
        self.rt.uninitialize()
    }

    /// `MAPILogonEx` (see [`Mapi::logon_ex`]); before `MAPIInitialize` it gives
    /// `MAPI_E_NOT_INITIALIZED`.
    pub fn logon_ex(&self, profile: &str, flags: LogonFlags) -> MapiResult<Session> {
        self.rt.logon_ex(profile, flags)
    }

    /// The MAPI spooler.
    pub fn spooler(&self) -> Spooler {
        Spooler::new(Arc::clone(&self.rt))
    }

    /// The violations so far, in order.
    pub fn violations(&self) -> Vec<Violation> {
        self.rt.st().violations.clone()
    }

    /// The library ledger so far.
    pub fn load_ledger(&self) -> LoadLedger {
        self.rt.st().loader.ledger.clone()
    }

    /// The warnings Mapisvc.inf texts given to the builder produced.
    pub fn inf_warnings(&self) -> Vec<crate::profile::inf::Diagnostic> {
        self.rt.st().inf_warnings.clone()
    }

    /// The allocation routines MAPI hands to entry points.
    pub fn mem_routines(&self) -> &MemRoutines {
        &self.rt.routines
    }

    /// The calls of the run so far that a [`FaultPlan`](crate::runtime::FaultPlan) can target:
    /// allocations always; support-object and provider calls when the simulator's plan is
    /// [`counting`](crate::runtime::FaultPlan::counting) (or injects call faults). A fault loop
    /// runs its scenario once with a counting plan, then once per point.
    ///
    /// ```
    /// use mapisim::prelude::*;
    /// use mapisim::runtime::FaultPlan;
    /// use mapisim::sample::SampleStore;
    ///
    /// let sim = Simulator::builder()
    ///     .library(SampleStore::DLL_FILE, SampleStore::library)
    ///     .service(SampleStore::service("SMPMS"))
    ///     .fault_plan(FaultPlan::new().counting())
    ///     .build();
    /// sim.profiles().create("P")?.add_service("SMPMS")?;
    /// let mapi = sim.initialize(InitFlags::empty())?;
    /// let session = mapi.logon_ex("P", LogonFlags::EXTENDED)?;
    /// let row = session.msg_stores_table()?.rows()[0].clone();
    /// let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
    /// let points = sim.fault_points();
    /// assert_eq!(points.provider_calls["Logon"], 1);
    /// assert_eq!(points.support_calls["SetProviderUID"], 1);
    /// # drop(store);
    /// # session.logoff(SessionLogoffFlags::empty())?;
    /// # mapi.uninitialize()?;
    /// # Ok::<(), mapisim::MapiError>(())
    /// ```
    pub fn fault_points(&self) -> crate::runtime::FaultPoints {
        self.rt.faults.points(self.rt.routines.allocations())
    }

    /// A report of what happened so far, without the final checks.
    pub fn report(&self) -> Report {
        let leaks = self.rt.owned_leaks();
        let st = self.rt.st();
        Report::new(
            st.violations.clone(),
            leaks,
            st.loader.ledger.clone(),
            self.rt.trace.snapshot(),
        )
        .made_with(self.rt.report_settings())
    }

    /// The `IMalloc` MAPI hands to every entry point (`lpMalloc`); the returned `Ref` is a new
    /// reference (an `AddRef`).
    pub fn malloc(&self) -> Ref<dyn Malloc> {
        self.rt.malloc.clone()
    }

    /// The final checkpoint: every `MAPIInitialize` balanced, every session logged off, every
    /// client handle released, every `LoadLibrary` paired, no object of a provider or a session
    /// alive. Returns the report.
    pub fn finish(self) -> Report {
        self.rt.finish();
        self.report()
    }
}

/// The client's view of an initialized MAPI (what `MAPIInitialize` gives).
pub struct Mapi {
    pub(crate) rt: Arc<Runtime>,
}

impl fmt::Debug for Mapi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Mapi")
    }
}

impl Mapi {
    /// `MAPILogonEx`: a session on the named profile. An unknown profile gives
    /// `MAPI_E_LOGON_FAILED`; flags with unknown bits `MAPI_E_UNKNOWN_FLAGS`.
    pub fn logon_ex(&self, profile: &str, flags: LogonFlags) -> MapiResult<Session> {
        self.rt.logon_ex(profile, flags)
    }

    /// `MAPIUninitialize`.
    pub fn uninitialize(self) -> MapiResult<()> {
        self.rt.uninitialize()
    }
}
