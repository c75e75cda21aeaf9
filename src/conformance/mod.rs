//! The provider author's battery: one call runs every documented scenario on a provider library,
//! under every reading of the documents where they disagree, then again with every fault
//! injected, and reports each run.
//!
//! ```
//! use mapisim::conformance::Conformance;
//! use mapisim::sample::{SampleConfig, SampleLibrary, SampleStore, SampleSuite};
//!
//! // The sample's library (an address book, a store and a transport in one message service),
//! // configured for the reading of the documents each run plays.
//! let report = Conformance::adapting(SampleStore::DLL_FILE, |behavior| {
//!     SampleLibrary::new(SampleConfig::for_behavior(behavior))
//! })
//! .mapisvc_inf(SampleSuite::MAPISVC_INF)?
//! .run()?;
//! report.assert_clean();
//! println!("{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What runs
//!
//! The scenarios ([`Conformance::scenarios`] lists them, with a line each) exercise each kind of
//! provider the message services hold: a store's plain lifecycle, its release without
//! `StoreLogoff`, the session's `Logoff` or the last `MAPIUninitialize` while the client still
//! holds it, a reopen, each `StoreLogoff` flag, two sessions, `MAPI_NO_MAIL` and `MDB_NO_MAIL`,
//! a Windows-service client, unload and reload, newer and older MAPI SPI versions; the address
//! book opened once and twice, and at logon; a message sent (so that the spooler starts the
//! transports), a `LOGOFF_PURGE` with a message queued, transports started at logon; the client's
//! fast shutdown.
//!
//! The store's teardowns run under every combination of the readings where the documents
//! disagree on what MAPI does ([`TeardownCleanup`], [`SltTiming`], [`SpoolSecurity`],
//! [`UnloadTiming`]); the other scenarios under the first reading of each list. Choose the
//! readings with [`Conformance::teardown_cleanups`] and its siblings: a provider that follows
//! one reading of `StoreLogoffTransports`'s timing says so with
//! [`Conformance::slt_timings`].
//!
//! Then, unless [`Conformance::faults`] turns it off, each scenario runs once more per fault
//! point of its plain run ([`FaultPlan`]): every allocation failing;
//! every support-object call failing with the error its page documents
//! ([`documented_support_error`]); every provider
//! method panicking as it starts (a stress of MAPI's side: the provider is reported for it,
//! `PROVIDER-PANIC`, and for what its skipped code left undone, but nothing may blame MAPI or the
//! client); and every `Logon` and `TransportLogon` failing with `MAPI_E_FAILONEPROVIDER`,
//! `MAPI_E_UNCONFIGURED` and `MAPI_E_LOGON_FAILED`. After each: the simulator did not panic,
//! nothing leaked, every load is paired, no rule broken.
//!
//! # Reading the result
//!
//! [`ConformanceReport`] holds an [`Outcome`] per run; its `Display` is a table (scenario, runs,
//! verdict with the rule ids), and [`ConformanceReport::assert_clean`] panics with the table, the
//! account of the first failing run, and how to run that scenario alone: set
//! `MAPISIM_SCENARIO=<name>` in the environment, or call [`Conformance::only`].
//!
//! # Transports need a store
//!
//! A message reaches a transport through a store. When the services hold a transport, the
//! battery submits its message through the store [`Conformance::submit_with`] names; without
//! one, through the bundled sample store (`mapisim::sample`), which it adds to the profile as a
//! message service of its own (`MAPISIM PARTNER`, its DLL `MAPISIMP32.DLL`, so that it never
//! stands in for the library under test, a build of the sample included).

mod outcome;
mod scenarios;
#[cfg(feature = "proptest")]
pub mod scripts;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

pub use outcome::{ConformanceReport, Outcome, Verdict};
use scenarios::{Client, Needs, SCENARIOS, Scenario, Setup, Submitter};

use crate::check::Report;
use crate::error::{MapiError, MapiResult};
use crate::flags::{ResourceFlags, ResourceType};
use crate::ids::MapiUid;
use crate::profile::{ProviderDef, ServiceDef};
use crate::props::{
    PR_DISPLAY_NAME_W, PR_PROVIDER_DLL_NAME_W, PR_RESOURCE_FLAGS, PR_RESOURCE_TYPE, PR_SERVICE_DLL_NAME_A,
    PR_SERVICE_ENTRY_NAME,
};
use crate::runtime::{
    Behavior, FaultPlan, FaultPoints, InfError, Profile, Simulator, SimulatorBuilder, SltTiming,
    SpoolSecurity, StoreHandle, TeardownCleanup, TransportActivity, UnloadTiming, documented_support_error,
};
use crate::sample::{SampleConfig, SampleLibrary, sample_new_message_id};
use crate::spi::ProviderLibrary;
use crate::trace::Party;

/// The profile every run logs on to.
const PROFILE: &str = "Conformance";
/// The message service of the partner store.
const PARTNER_SERVICE: &str = "MAPISIM PARTNER";
/// The display name of the partner store.
const PARTNER_STORE: &str = "mapisim partner store";
/// The base name of the partner store's DLL (the bundled sample store, under a name of its own:
/// the library under test may well be a build of the sample itself).
const PARTNER_DLL: &str = "MAPISIMP.DLL";
/// The file MAPI loads for it.
const PARTNER_FILE: &str = "MAPISIMP32.DLL";

type LibraryFactory = Arc<dyn Fn(&Behavior) -> Box<dyn ProviderLibrary> + Send + Sync>;
type Configure = Arc<dyn Fn(SimulatorBuilder) -> SimulatorBuilder + Send + Sync>;
pub(crate) type SubmitFn = Arc<dyn Fn(&StoreHandle) -> MapiResult<()> + Send + Sync>;

/// Why a battery cannot run.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ConformanceError {
    /// No message service was given ([`Conformance::service`], [`Conformance::mapisvc_inf`]).
    #[error("no message service to test: give one with .service() or .mapisvc_inf()")]
    NoService,
    /// The services hold no provider of a kind mapisim hosts (store, address book, transport).
    #[error("the message services hold no store, address-book or transport provider")]
    NoProvider,
    /// A provider of the services lives in another DLL than the library under test.
    #[error(
        "the provider {provider:?} names {dll:?}, which MAPI loads as {loads:?}, not the library under test ({file:?})"
    )]
    OtherLibrary {
        /// The provider's display name (or its section's).
        provider: String,
        /// Its `PR_PROVIDER_DLL_NAME`.
        dll: String,
        /// The file MAPI loads for it.
        loads: String,
        /// The battery's file.
        file: String,
    },
    /// [`Conformance::only`] (or `MAPISIM_SCENARIO`) names no scenario.
    #[error("no scenario is named {0:?}; the scenarios are listed by Conformance::scenarios()")]
    UnknownScenario(String),
}

/// A scenario of the battery, as [`Conformance::scenarios`] lists it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ScenarioInfo {
    /// Its name.
    pub name: &'static str,
    /// What it does.
    pub about: &'static str,
    /// Whether it runs under every combination of readings.
    pub varied: bool,
}

/// A fault one run injects.
#[derive(Clone, Debug)]
enum Fault {
    Allocation(u64),
    Support(String, u64, MapiError),
    Panic(String, u64),
    Logon(String, u64, MapiError),
}

impl Fault {
    fn plan(&self) -> FaultPlan {
        match self {
            Fault::Allocation(n) => FaultPlan::new().fail_allocation(*n),
            Fault::Support(method, n, e) => FaultPlan::new().fail_support_call(method, *n, *e),
            Fault::Panic(method, n) => FaultPlan::new().panic_provider_call(method, *n),
            Fault::Logon(method, n, e) => FaultPlan::new().fail_provider_call(method, *n, *e),
        }
    }

    /// The error the client should see if a step fails because of the fault: the injected
    /// one, or `MAPI_E_CALL_FAILED`, what MAPI makes of a provider's panic.
    fn error(&self) -> MapiError {
        match self {
            Fault::Allocation(_) => MapiError::NotEnoughMemory,
            Fault::Support(_, _, e) | Fault::Logon(_, _, e) => *e,
            Fault::Panic(..) => MapiError::CallFailed,
        }
    }

    fn describe(&self) -> String {
        match self {
            Fault::Allocation(n) => format!("allocation {n} fails"),
            Fault::Support(method, n, e) => format!("support call {method} #{n} fails with {e}"),
            Fault::Panic(method, n) => format!("provider call {method} #{n} panics"),
            Fault::Logon(method, n, e) => format!("provider call {method} #{n} returns {e}"),
        }
    }

    /// Every fault of a run with these points.
    fn all(points: &FaultPoints) -> Vec<Fault> {
        let mut out: Vec<Fault> = (1..=points.allocations).map(Fault::Allocation).collect();
        for (method, &count) in &points.support_calls {
            let error = documented_support_error(method);
            out.extend((1..=count).map(|n| Fault::Support(method.clone(), n, error)));
        }
        for (method, &count) in &points.provider_calls {
            out.extend((1..=count).map(|n| Fault::Panic(method.clone(), n)));
            if method == "Logon" || method == "TransportLogon" {
                for n in 1..=count {
                    for e in [
                        MapiError::FailOneProvider,
                        MapiError::Unconfigured,
                        MapiError::LogonFailed,
                    ] {
                        out.push(Fault::Logon(method.clone(), n, e));
                    }
                }
            }
        }
        out
    }
}

/// One combination of readings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Reading {
    slt: SltTiming,
    teardown: TeardownCleanup,
    spool: SpoolSecurity,
    unload: UnloadTiming,
    activity: TransportActivity,
}

impl Reading {
    fn behavior(self, base: &Behavior) -> Behavior {
        base.clone()
            .with_store_logoff_transports(self.slt)
            .with_transport_activity(self.activity)
            .with_teardown_cleanup(self.teardown)
            .with_spool_security(self.spool)
            .with_unload(self.unload)
    }

    /// The settings that differ from the default, by name.
    fn label(self) -> String {
        let mut parts = Vec::new();
        if self.slt != SltTiming::default() {
            parts.push(format!("SltTiming::{:?}", self.slt));
        }
        if self.teardown != TeardownCleanup::default() {
            parts.push(format!("TeardownCleanup::{:?}", self.teardown));
        }
        if self.spool != SpoolSecurity::default() {
            parts.push(format!("SpoolSecurity::{:?}", self.spool));
        }
        if self.unload != UnloadTiming::default() {
            parts.push(format!("UnloadTiming::{:?}", self.unload));
        }
        if self.activity != TransportActivity::default() {
            parts.push(format!("TransportActivity::{:?}", self.activity));
        }
        if parts.is_empty() {
            "default".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// The battery for one provider library: what to run it on, and how ([module docs](self)).
pub struct Conformance {
    file: String,
    factory: LibraryFactory,
    services: Vec<ServiceDef>,
    slt: Vec<SltTiming>,
    teardown: Vec<TeardownCleanup>,
    spool: Vec<SpoolSecurity>,
    unload: Vec<UnloadTiming>,
    activity: Vec<TransportActivity>,
    base: Behavior,
    pedantic: bool,
    skips: Vec<(String, String)>,
    only: Option<String>,
    faults: bool,
    configure: Option<Configure>,
    submit: Option<SubmitFn>,
}

impl std::fmt::Debug for Conformance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conformance")
            .field("file", &self.file)
            .field(
                "services",
                &self.services.iter().map(ServiceDef::name).collect::<Vec<_>>(),
            )
            .field("slt", &self.slt)
            .field("teardown", &self.teardown)
            .field("spool", &self.spool)
            .field("unload", &self.unload)
            .field("activity", &self.activity)
            .field("base", &self.base)
            .field("pedantic", &self.pedantic)
            .field("skips", &self.skips)
            .field("only", &self.only)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

impl Conformance {
    /// The battery for the library MAPI loads as `file` (`SMPMS32.DLL`, the name with the `32`),
    /// a fresh instance of which `factory` makes at each load. Give its message services with
    /// [`Conformance::mapisvc_inf`] or [`Conformance::service`].
    pub fn new<L: ProviderLibrary>(
        file: &str,
        factory: impl Fn() -> L + Send + Sync + 'static,
    ) -> Conformance {
        Conformance::adapting(file, move |_| factory())
    }

    /// [`Conformance::new`] for a library that adapts to the reading of the documents a run
    /// plays: `factory` gets the run's [`Behavior`].
    pub fn adapting<L: ProviderLibrary>(
        file: &str,
        factory: impl Fn(&Behavior) -> L + Send + Sync + 'static,
    ) -> Conformance {
        Conformance {
            file: file.to_owned(),
            factory: Arc::new(move |b| Box::new(factory(b)) as Box<dyn ProviderLibrary>),
            services: Vec::new(),
            slt: vec![SltTiming::InStoreLogoff],
            teardown: vec![
                TeardownCleanup::ProviderInLogoff,
                TeardownCleanup::MapiInSupportRelease,
            ],
            spool: vec![SpoolSecurity::Optional, SpoolSecurity::Required],
            unload: vec![
                UnloadTiming::AfterLastUninitialize,
                UnloadTiming::WhenLastProviderReleased,
            ],
            activity: vec![TransportActivity::Idle, TransportActivity::Busy],
            base: Behavior::default(),
            pedantic: false,
            skips: Vec::new(),
            only: None,
            faults: true,
            configure: None,
            submit: None,
        }
    }

    /// Adds a message service to test. Its providers must live in the library under test
    /// ([`Conformance::run`] refuses a provider whose `PR_PROVIDER_DLL_NAME` MAPI would load
    /// from another file).
    pub fn service(mut self, service: ServiceDef) -> Conformance {
        self.services.push(service);
        self
    }

    /// Adds the message services of a Mapisvc.inf text, as the provider ships it.
    pub fn mapisvc_inf(mut self, text: &str) -> Result<Conformance, InfError> {
        let parsed = crate::profile::inf::parse(text);
        let services = parsed
            .inf
            .service_defs()
            .map_err(|diagnostics| InfError { diagnostics })?;
        let errors: Vec<_> = parsed
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == crate::profile::inf::Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(InfError { diagnostics: errors });
        }
        self.services.extend(services);
        Ok(self)
    }

    /// The readings of `StoreLogoffTransports`'s timing to run; the first is the one the
    /// scenarios that are not varied run under. When the provider calls it is the provider's
    /// choice, not MAPI's: the default is the simulator's default reading alone
    /// ([`SltTiming::InStoreLogoff`]); a provider that follows the other reading names it, and
    /// one that adapts to either (as the sample does, through
    /// [`Conformance::adapting`]) names both.
    pub fn slt_timings(mut self, readings: &[SltTiming]) -> Conformance {
        choose(&mut self.slt, readings);
        self
    }

    /// The readings of who cleans up at teardown to run (both by default).
    pub fn teardown_cleanups(mut self, readings: &[TeardownCleanup]) -> Conformance {
        choose(&mut self.teardown, readings);
        self
    }

    /// The spool-security settings to run (both by default).
    pub fn spool_securities(mut self, readings: &[SpoolSecurity]) -> Conformance {
        choose(&mut self.spool, readings);
        self
    }

    /// The unload timings to run (both by default).
    pub fn unload_timings(mut self, readings: &[UnloadTiming]) -> Conformance {
        choose(&mut self.unload, readings);
        self
    }

    /// What busy transports answer `StoreLogoffTransports` to run (both by default).
    pub fn transport_activities(mut self, readings: &[TransportActivity]) -> Conformance {
        choose(&mut self.activity, readings);
        self
    }

    /// The settings every run starts from ([`Behavior::default`] unless given); the readings
    /// above, and each scenario's own changes, go on top.
    pub fn base_behavior(mut self, behavior: Behavior) -> Conformance {
        self.base = behavior;
        self
    }

    /// Whether advisories (rules whose page gives advice, not an obligation) fail a run (off
    /// by default: they are listed in the table and in each [`Outcome`]).
    pub fn pedantic(mut self, on: bool) -> Conformance {
        self.pedantic = on;
        self
    }

    /// Skips a scenario, with the reason the provider opts out (shown in the table).
    pub fn skip(mut self, scenario: &str, reason: &str) -> Conformance {
        self.skips.push((scenario.to_owned(), reason.to_owned()));
        self
    }

    /// Runs this scenario alone (the environment's `MAPISIM_SCENARIO`, when set, wins).
    pub fn only(mut self, scenario: &str) -> Conformance {
        self.only = Some(scenario.to_owned());
        self
    }

    /// Whether to run the fault loops (on by default).
    pub fn faults(mut self, on: bool) -> Conformance {
        self.faults = on;
        self
    }

    /// A change every run's [`SimulatorBuilder`] gets last (a memory backend, another library the
    /// services need).
    pub fn configure(
        mut self,
        f: impl Fn(SimulatorBuilder) -> SimulatorBuilder + Send + Sync + 'static,
    ) -> Conformance {
        self.configure = Some(Arc::new(f));
        self
    }

    /// How to submit a message through the service's own store, for the transport scenarios:
    /// `f` gets the first store the scenario opened. Without it, the battery submits through
    /// the sample store ([module docs](self)).
    pub fn submit_with(
        mut self,
        f: impl Fn(&StoreHandle) -> MapiResult<()> + Send + Sync + 'static,
    ) -> Conformance {
        self.submit = Some(Arc::new(f));
        self
    }

    /// Every scenario, in the order the battery runs them.
    pub fn scenarios() -> Vec<ScenarioInfo> {
        SCENARIOS
            .iter()
            .map(|s| ScenarioInfo {
                name: s.name,
                about: s.about,
                varied: s.varied,
            })
            .collect()
    }

    /// Runs the battery.
    pub fn run(&self) -> Result<ConformanceReport, ConformanceError> {
        if self.services.is_empty() {
            return Err(ConformanceError::NoService);
        }
        let kinds = self.kinds();
        if kinds == [false; 3] {
            return Err(ConformanceError::NoProvider);
        }
        self.check_libraries()?;
        let only = std::env::var("MAPISIM_SCENARIO")
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(|| self.only.clone());
        if let Some(name) = &only
            && !SCENARIOS.iter().any(|s| s.name == name)
        {
            return Err(ConformanceError::UnknownScenario(name.clone()));
        }
        let run = Run::new(self, kinds);
        let mut report = ConformanceReport::default();
        for scenario in SCENARIOS {
            if only.as_deref().is_some_and(|o| o != scenario.name) {
                continue;
            }
            if let Some(reason) = self.skip_reason(scenario, kinds) {
                report.outcomes.push(Outcome {
                    scenario: scenario.name,
                    variant: "-".to_owned(),
                    fault: None,
                    verdict: Verdict::Skipped(reason),
                    client_errors: Vec::new(),
                    advisories: Vec::new(),
                    changed_error: None,
                    report: None,
                });
                continue;
            }
            let readings = if scenario.varied {
                self.readings()
            } else {
                vec![self.base_reading()]
            };
            for reading in readings {
                let (outcome, _) = run.once(scenario, reading, None);
                report.outcomes.push(outcome);
            }
            if self.faults {
                let (counted, points) = run.once(scenario, self.base_reading(), Some(None));
                let Some(points) = points else {
                    // The plain run itself panicked: its outcome says so.
                    report.outcomes.push(counted);
                    continue;
                };
                for fault in Fault::all(&points) {
                    let (outcome, _) = run.once(scenario, self.base_reading(), Some(Some(fault)));
                    report.outcomes.push(outcome);
                }
            }
        }
        Ok(report)
    }

    /// Every provider of the services lives in the library under test (a provider of another
    /// DLL would be loaded from elsewhere, and a battery that passed would say nothing of it).
    fn check_libraries(&self) -> Result<(), ConformanceError> {
        for def in self.services.iter().flat_map(ServiceDef::providers) {
            let Some(dll) = def.props().get_str(PR_PROVIDER_DLL_NAME_W) else {
                continue;
            };
            let loads = crate::runtime::dll_file_name(dll);
            if !loads.eq_ignore_ascii_case(&self.file) {
                return Err(ConformanceError::OtherLibrary {
                    provider: def.props().get_str(PR_DISPLAY_NAME_W).unwrap_or("?").to_owned(),
                    dll: dll.to_owned(),
                    loads,
                    file: self.file.clone(),
                });
            }
        }
        Ok(())
    }

    /// Which kinds the services hold: store, address book, transport.
    fn kinds(&self) -> [bool; 3] {
        let mut kinds = [false; 3];
        for def in self.services.iter().flat_map(ServiceDef::providers) {
            match def
                .props()
                .get_u32(PR_RESOURCE_TYPE)
                .and_then(ResourceType::from_value)
            {
                Some(ResourceType::StoreProvider) => kinds[0] = true,
                Some(ResourceType::AbProvider) => kinds[1] = true,
                Some(ResourceType::TransportProvider) => kinds[2] = true,
                _ => {}
            }
        }
        kinds
    }

    fn skip_reason(&self, scenario: &Scenario, kinds: [bool; 3]) -> Option<String> {
        if let Some((_, reason)) = self.skips.iter().find(|(name, _)| name == scenario.name) {
            return Some(reason.clone());
        }
        // A service of which a profile holds one copy at most cannot give two stores.
        let single_copy = self.services.iter().any(|def| {
            crate::flags::ServiceFlags::from_bits_retain(def.props().get_u32(PR_RESOURCE_FLAGS).unwrap_or(0))
                .contains(crate::flags::ServiceFlags::SINGLE_COPY)
        });
        if scenario.name == "two-stores-of-one-provider" && single_copy {
            return Some("a service is SERVICE_SINGLE_COPY: a profile holds one copy of it".to_owned());
        }
        let missing = match scenario.needs {
            Needs::Store if !kinds[0] => "no store provider",
            Needs::AddressBook if !kinds[1] => "no address-book provider",
            Needs::Transport if !kinds[2] => "no transport provider",
            _ => return None,
        };
        Some(format!("the services hold {missing}"))
    }

    fn base_reading(&self) -> Reading {
        Reading {
            slt: self.slt.first().copied().unwrap_or_default(),
            teardown: self.teardown.first().copied().unwrap_or_default(),
            spool: self.spool.first().copied().unwrap_or_default(),
            unload: self.unload.first().copied().unwrap_or_default(),
            activity: self.activity.first().copied().unwrap_or_default(),
        }
    }

    fn readings(&self) -> Vec<Reading> {
        let mut out = Vec::new();
        for &slt in &self.slt {
            for &teardown in &self.teardown {
                for &spool in &self.spool {
                    for &unload in &self.unload {
                        for &activity in &self.activity {
                            out.push(Reading {
                                slt,
                                teardown,
                                spool,
                                unload,
                                activity,
                            });
                        }
                    }
                }
            }
        }
        out
    }
}

/// Replaces a list of readings with `readings`, unless that is empty.
fn choose<T: Copy>(list: &mut Vec<T>, readings: &[T]) {
    if !readings.is_empty() {
        *list = readings.to_vec();
    }
}

/// What every run of one battery shares.
struct Run<'a> {
    battery: &'a Conformance,
    partner: bool,
    submitter: Option<Submitter>,
    has_address_book: bool,
}

/// The sample store's way to submit: a new message in its outbox, submitted.
fn sample_submit(store: &StoreHandle) -> MapiResult<()> {
    let opened = store.open_entry(Some(&sample_new_message_id()), None, 0)?;
    let message = opened.message().ok_or(MapiError::NoSupport)?;
    store.submit_message(&message, 0)
}

impl<'a> Run<'a> {
    fn new(battery: &'a Conformance, kinds: [bool; 3]) -> Run<'a> {
        let (partner, submitter) = match (&battery.submit, kinds[2]) {
            (_, false) => (false, None),
            (Some(f), true) => (
                false,
                Some(Submitter {
                    store_name: None,
                    submit: Arc::clone(f),
                }),
            ),
            (None, true) => (
                true,
                Some(Submitter {
                    store_name: Some(PARTNER_STORE.to_owned()),
                    submit: Arc::new(sample_submit),
                }),
            ),
        };
        Run {
            battery,
            partner,
            submitter,
            has_address_book: kinds[1],
        }
    }

    fn partner_service() -> ServiceDef {
        ServiceDef::new(PARTNER_SERVICE)
            .display_name("mapisim partner store")
            .prop(PR_SERVICE_DLL_NAME_A, PARTNER_DLL)
            .prop(PR_SERVICE_ENTRY_NAME, "ServiceEntry")
            .provider(
                ProviderDef::store(PARTNER_DLL)
                    .display_name(PARTNER_STORE)
                    .provider_display("Sample Store Provider")
                    .resource_flags(ResourceFlags::empty()),
            )
    }

    /// The simulator of one run, its profile made.
    /// The settings of a run under the battery's first reading of each list.
    #[cfg_attr(not(feature = "proptest"), allow(dead_code))]
    fn base_behavior(&self) -> Behavior {
        self.battery.base_reading().behavior(&self.battery.base)
    }

    /// The builder of one run's simulator, and the names of the services its profiles hold.
    fn builder(&self, setup: &Setup, plan: FaultPlan) -> (SimulatorBuilder, Vec<&'a str>) {
        let battery = self.battery;
        let factory = Arc::clone(&battery.factory);
        let behavior = setup.behavior.clone();
        let mut builder = Simulator::builder()
            .behavior(setup.behavior.clone())
            .fault_plan(plan)
            .library(&battery.file, move || factory(&behavior));
        if setup.service_client {
            builder = builder.windows_service_client(true);
        }
        let mut names: Vec<&'a str> = Vec::new();
        for service in &battery.services {
            builder = builder.service(service.clone());
            names.push(service.name());
        }
        if self.partner {
            // The sample follows whichever reading the run plays.
            let config = SampleConfig::for_behavior(&setup.behavior);
            builder = builder
                .library(PARTNER_FILE, move || SampleLibrary::new(config))
                .service(Run::partner_service());
            names.push(PARTNER_SERVICE);
        }
        if let Some(configure) = &battery.configure {
            builder = configure(builder);
        }
        (builder, names)
    }

    /// Makes the profile `name` with each service of `names` added `times` times; the errors
    /// go to `errors`.
    fn profile(
        sim: &Simulator,
        name: &str,
        names: &[&str],
        times: usize,
        errors: &mut Vec<(&'static str, MapiError)>,
    ) -> Option<(Profile, Vec<MapiUid>)> {
        match sim.profiles().create(name) {
            Ok(profile) => {
                let mut uids = Vec::new();
                for service in names {
                    for _ in 0..times {
                        match profile.add_service(*service) {
                            Ok(uid) => uids.push(uid),
                            Err(e) => errors.push(("CreateMsgService", e)),
                        }
                    }
                }
                Some((profile, uids))
            }
            Err(e) => {
                errors.push(("CreateProfile", e));
                None
            }
        }
    }

    /// The simulator of one run, its profile made.
    #[allow(clippy::type_complexity)]
    fn simulator(
        &self,
        setup: &Setup,
        plan: FaultPlan,
    ) -> (
        Simulator,
        Vec<(&'static str, MapiError)>,
        Option<(Profile, Vec<MapiUid>)>,
    ) {
        let (builder, names) = self.builder(setup, plan);
        let sim = builder.build();
        let mut errors = Vec::new();
        let times = if setup.services_twice { 2 } else { 1 };
        let services = Run::profile(&sim, PROFILE, &names, times, &mut errors);
        (sim, errors, services)
    }

    /// One run of `scenario` under `reading`: without a fault (`None`), counting its fault points
    /// (`Some(None)`), or with one (`Some(Some(fault))`).
    fn once(
        &self,
        scenario: &Scenario,
        reading: Reading,
        fault: Option<Option<Fault>>,
    ) -> (Outcome, Option<FaultPoints>) {
        let mut setup = Setup {
            behavior: reading.behavior(&self.battery.base),
            service_client: false,
            services_twice: false,
        };
        (scenario.tweak)(&mut setup);
        let (plan, injected) = match &fault {
            None => (FaultPlan::new(), None),
            Some(None) => (FaultPlan::new().counting(), None),
            Some(Some(f)) => (f.plan(), Some(f.clone())),
        };
        let ran = catch_unwind(AssertUnwindSafe(|| {
            let (sim, setup_errors, services) = self.simulator(&setup, plan);
            let mut client = Client {
                sim: &sim,
                profile: PROFILE,
                errors: setup_errors,
                warnings: Vec::new(),
                submitter: self.submitter.as_ref(),
                has_address_book: self.has_address_book,
                names: Vec::new(),
                services,
            };
            (scenario.run)(&mut client);
            let errors = client.errors;
            let warnings = client.warnings;
            drop(client.services);
            let points = sim.fault_points();
            (errors, warnings, points, sim.finish())
        }));
        let variant = reading.label();
        let described = injected.as_ref().map(Fault::describe);
        match ran {
            Ok((client_errors, warnings, points, report)) => {
                // Advice counts in a pedantic battery, in runs without a fault: what follows an
                // injected fault may well deserve advice, and is the fault's doing.
                let pedantic = self.battery.pedantic && fault.is_none();
                let mut verdict = judge(scenario, injected.as_ref(), &report, pedantic);
                // Without a fault every step must succeed, or the scenario tested nothing.
                if verdict == Verdict::Clean
                    && fault.is_none()
                    && let Some((step, what)) = failed_step(scenario, &client_errors, &warnings, &report)
                {
                    verdict = Verdict::StepFailed(step, what);
                }
                let changed_error = injected
                    .as_ref()
                    .and_then(|f| changed_error(scenario, f, &client_errors));
                if verdict == Verdict::Clean
                    && self.battery.pedantic
                    && let (Some((step, got)), Some(f)) = (changed_error, injected.as_ref())
                {
                    verdict = Verdict::ErrorChanged(step, got, f.error());
                }
                let advisories = advisories_of(&report);
                let keep = verdict.is_failure().then_some(report);
                let outcome = Outcome {
                    scenario: scenario.name,
                    variant,
                    fault: described,
                    verdict,
                    client_errors,
                    advisories,
                    changed_error,
                    report: keep,
                };
                (outcome, Some(points))
            }
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "a panic with a non-text payload".to_owned());
                let outcome = Outcome {
                    scenario: scenario.name,
                    variant,
                    fault: described,
                    verdict: Verdict::SimulatorPanicked(message),
                    client_errors: Vec::new(),
                    advisories: Vec::new(),
                    changed_error: None,
                    report: None,
                };
                (outcome, None)
            }
        }
    }
}

/// The verdict of a run: the rules broken, but the client rules the scenario breaks on purpose
/// and advisories; after an injected panic, the provider's own findings too (it is reported for
/// the panic and for what its skipped code left undone).
fn judge(scenario: &Scenario, fault: Option<&Fault>, report: &Report, pedantic: bool) -> Verdict {
    let panicked = matches!(fault, Some(Fault::Panic(..)));
    let mut ids: Vec<&'static str> = Vec::new();
    for v in &report.violations {
        if (v.is_advisory() && !pedantic) || scenario.client_rules.contains(&v.rule.id) {
            continue;
        }
        if panicked && matches!(v.by, Party::Library(_)) {
            continue;
        }
        if !ids.contains(&v.rule.id) {
            ids.push(v.rule.id);
        }
    }
    if ids.is_empty() {
        Verdict::Clean
    } else {
        Verdict::Broken(ids)
    }
}

/// The advisories of a report, by id, each once.
fn advisories_of(report: &Report) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for v in report.advisories() {
        if !out.contains(&v.rule.id) {
            out.push(v.rule.id);
        }
    }
    out
}

/// The first step of a run without a fault that did not succeed: a client's call that failed
/// (with an error the scenario does not allow) or warned, or a transport's `TransportLogon`
/// that failed (the client does not see it: the transport is disabled and the message waits).
fn failed_step(
    scenario: &Scenario,
    errors: &[(&'static str, MapiError)],
    warnings: &[(&'static str, crate::error::MapiWarning)],
    report: &Report,
) -> Option<(&'static str, String)> {
    if let Some((step, e)) = errors.iter().find(|(_, e)| !scenario.allowed_errors.contains(e)) {
        return Some((step, e.to_string()));
    }
    // A scenario that allows refusals allows the warning of a step some provider refused.
    if let Some((step, w)) = warnings.first().filter(|_| scenario.allowed_errors.is_empty()) {
        return Some((step, format!("{w}: a provider failed")));
    }
    report
        .trace()
        .calls_of("TransportLogon")
        .iter()
        .find_map(|e| match e.outcome() {
            Some(crate::trace::Outcome::Returned(crate::error::Status::Error(error), _))
                if !scenario.allowed_errors.contains(error) =>
            {
                Some(("TransportLogon", error.to_string()))
            }
            _ => None,
        })
}

/// The first client step of a fault run that got another error than the fault's (the
/// scenario's allowed refusals aside).
fn changed_error(
    scenario: &Scenario,
    fault: &Fault,
    errors: &[(&'static str, MapiError)],
) -> Option<(&'static str, MapiError)> {
    let expected = fault.error();
    errors
        .iter()
        .find(|(_, e)| *e != expected && !scenario.allowed_errors.contains(e))
        .copied()
}
