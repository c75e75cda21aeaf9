//! The builder of a simulator: the provider DLLs it can load, the message services it knows,
//! its settings.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, Weak};

use crate::check::rules;
use crate::heap::{Heap, HeapConfig, HeapHost};
use crate::object::{InterfaceKind, ObjectInfo, ObjectLedger, Owner};
use crate::profile::ServiceDef;
use crate::runtime::loader::Factory;
use crate::runtime::state::State;
use crate::runtime::{
    AllocateMoreMisuse, Behavior, FaultPlan, InfError, MallocCounting, Runtime, SimMalloc, Simulator,
};
use crate::spi::{MemRoutines, ProviderLibrary};
use crate::trace::Trace;

/// Builds a [`Simulator`]: the provider DLLs it can load, the services it knows by name, the
/// behaviour settings, strict mode and reference history.
pub struct SimulatorBuilder {
    libraries: Vec<(String, Factory)>,
    services: Vec<ServiceDef>,
    /// Where each service name is in `services`.
    service_index: HashMap<String, usize>,
    defaults: Vec<String>,
    inf_warnings: Vec<crate::profile::inf::Diagnostic>,
    behavior: Behavior,
    strict: bool,
    pedantic: bool,
    history: bool,
    trace_limit: Option<usize>,
    faults: FaultPlan,
    service_client: Option<bool>,
    memory: Option<Arc<dyn crate::spi::MemBackend>>,
}

impl fmt::Debug for SimulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorBuilder")
            .field(
                "libraries",
                &self.libraries.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field(
                "services",
                &self.services.iter().map(ServiceDef::name).collect::<Vec<_>>(),
            )
            .field("behavior", &self.behavior)
            .field("strict", &self.strict)
            .field("pedantic", &self.pedantic)
            .field("history", &self.history)
            .field("trace_limit", &self.trace_limit)
            .finish()
    }
}

impl SimulatorBuilder {
    /// No DLLs, no services, default behaviour, strict mode and history off.
    pub(crate) fn new() -> SimulatorBuilder {
        SimulatorBuilder {
            libraries: Vec::new(),
            services: Vec::new(),
            service_index: HashMap::new(),
            defaults: Vec::new(),
            inf_warnings: Vec::new(),
            behavior: Behavior::default(),
            strict: false,
            pedantic: false,
            history: false,
            trace_limit: None,
            faults: FaultPlan::default(),
            service_client: None,
            memory: None,
        }
    }

    /// Registers a provider DLL under the file name `LoadLibrary` finds it by (with the `32`:
    /// a profile naming `SMPMS.DLL` loads `SMPMS32.DLL`). `factory` makes a fresh instance at
    /// each first load.
    pub fn library<L: ProviderLibrary>(
        mut self,
        file: &str,
        factory: impl Fn() -> L + Send + Sync + 'static,
    ) -> Self {
        let factory: Factory = Arc::new(move || Box::new(factory()) as Box<dyn ProviderLibrary>);
        self.libraries.push((file.to_owned(), factory));
        self
    }

    /// Adds a message service to the catalogue, so that profiles can add it by name.
    pub fn service(mut self, service: ServiceDef) -> Self {
        // A later definition of a name replaces the earlier one, in its place.
        match self.service_index.get(service.name()) {
            Some(&i) => {
                if let Some(slot) = self.services.get_mut(i) {
                    *slot = service;
                }
            }
            None => {
                self.service_index
                    .insert(service.name().to_owned(), self.services.len());
                self.services.push(service);
            }
        }
        self
    }

    /// Adds every message service of a Mapisvc.inf text to the catalogue, as MAPI reads the file
    /// a provider ships: profiles can then add them by name, and
    /// [`ProfileAdmin::create_default`](crate::runtime::ProfileAdmin::create_default) adds those of `[Default Services]`. A text with errors is
    /// refused with all its diagnostics; warnings are kept ([`Simulator::inf_warnings`]).
    pub fn mapisvc_inf(mut self, text: &str) -> Result<Self, InfError> {
        let parsed = crate::profile::inf::parse(text);
        let services = parsed
            .service_defs()
            .map_err(|diagnostics| InfError { diagnostics })?;
        // A `[Default Services]` key that is not a service of the file is only a warning: MAPI
        // has nothing to add for it, so it is left out.
        self.defaults
            .extend(parsed.inf.default_services().into_iter().filter_map(|(name, _)| {
                services
                    .iter()
                    .find(|s| s.name().eq_ignore_ascii_case(&name))
                    .map(|s| s.name().to_owned())
            }));
        self.inf_warnings.extend(parsed.warnings().into_iter().cloned());
        for service in services {
            self = self.service(service);
        }
        Ok(self)
    }

    /// Puts MAPI's allocation routines on a host backend: the bytes of every block MAPI or a
    /// provider allocates live in `backend`'s memory, with the same checks as the simulated heap
    /// (see [`MemBackend`](crate::spi::MemBackend)). Without it, the simulated heap holds them.
    pub fn memory_backend(mut self, backend: Arc<dyn crate::spi::MemBackend>) -> Self {
        self.memory = Some(backend);
        self
    }

    /// Sets the allocations that fail.
    pub fn fault_plan(mut self, plan: FaultPlan) -> Self {
        self.faults = plan;
        self
    }

    /// Declares that the client runs as a Windows service: then `MAPIInitialize` and
    /// `MAPILogonEx` without `MAPI_NT_SERVICE` break `SERVICE-NT-FLAG` too (without the
    /// declaration, a client that sets the flag in one call and not in the other breaks it).
    ///
    /// `false` declares the opposite: then `MAPI_NT_SERVICE` in either call is an advisory
    /// (`CLIENT-NT-SERVICE-ONLY`). Without a declaration the flags alone say what the client is.
    pub fn windows_service_client(mut self, on: bool) -> Self {
        self.service_client = Some(on);
        self
    }

    /// Sets the behaviour variants.
    pub fn behavior(mut self, behavior: Behavior) -> Self {
        self.behavior = behavior;
        self
    }

    /// Strict mode: the first violation panics at the offending call with the readable account.
    pub fn strict(mut self, on: bool) -> Self {
        self.strict = on;
        self
    }

    /// The pedantic level: advisories (rules that are a *should* or performance advice of their
    /// page) count as violations — a report with one is not clean, and strict mode stops at it.
    /// Off by default: advisories are listed in the report and the trace without failing a test.
    pub fn pedantic(mut self, on: bool) -> Self {
        self.pedantic = on;
        self
    }

    /// Reference history: every object records where each outstanding reference was taken, and
    /// its `AddRef` and `Release` calls appear in the trace.
    pub fn history(mut self, on: bool) -> Self {
        self.history = on;
        self
    }

    /// A bounded trace for long runs (soak tests, fault loops, thousands of lifecycles on one
    /// simulator): the trace keeps the last `limit` events (at least 8) and, older than those,
    /// only the events a report's excerpt around a violation shows, so that memory stays bounded
    /// while reports read as they do with every event kept (see [`Trace::with_limit`]). The
    /// library ledger keeps as many records, and sums of the older ones
    /// ([`LoadLedger`](crate::runtime::LoadLedger)). Without it (the default) the trace and the
    /// ledger keep everything.
    pub fn trace_limit(mut self, limit: usize) -> Self {
        self.trace_limit = Some(limit);
        self
    }

    /// Builds the simulator.
    pub fn build(self) -> Simulator {
        let trace = self.trace_limit.map_or_else(Trace::new, Trace::with_limit);
        let ledger = ObjectLedger::with_trace(trace.clone());
        ledger.set_history(self.history);
        let mut state = State::with_room();
        state.loader.limit = trace.limit();
        for (name, factory) in self.libraries {
            state.loader.register(&name, factory);
        }
        state.profiles.catalogue = self
            .services
            .into_iter()
            .map(|def| (def.name().to_owned(), def))
            .collect();
        state.profiles.defaults = self.defaults;
        state.inf_warnings = self.inf_warnings;
        let malloc = ledger.register(
            SimMalloc::default(),
            ObjectInfo::new(InterfaceKind::Malloc).owner(Owner::none()),
        );
        let mut faults = self.faults;
        let heap = Arc::new(Heap::new(HeapConfig {
            fail: std::mem::take(&mut faults.fail),
            new_root_on_bad_more: self.behavior.allocate_more_misuse == AllocateMoreMisuse::NewRoot,
            backend: self.memory,
        }));
        let rt = Arc::new_cyclic(|me| Runtime {
            trace,
            ledger,
            behavior: self.behavior,
            faults: super::faults::CallFaults::new(faults),
            strict: self.strict,
            pedantic: self.pedantic,
            service_client: self.service_client == Some(true),
            not_service_client: self.service_client == Some(false),
            state: Mutex::new(state),
            malloc: malloc.into(),
            routines: MemRoutines::with_heap(Arc::clone(&heap)),
            client_teardown: std::sync::atomic::AtomicU32::new(0),
            me: me.clone(),
        });
        let host: Weak<dyn HeapHost> = Arc::downgrade(&rt) as Weak<dyn HeapHost>;
        heap.attach(host);
        let me = Arc::downgrade(&rt);
        // MAPI's own allocator is registered in this ledger, so watching it cannot fail.
        let _ = rt.ledger.watch(&rt.malloc, move |notice| {
            let Some(rt) = me.upgrade() else {
                return;
            };
            if notice.over_release && rt.behavior.malloc == MallocCounting::Counted {
                rt.violation(
                    &rules::MALLOC_RELEASE,
                    format!(
                        "{} released {} without holding a reference to it: MAPI passed lpMalloc without one (AddRef it to keep it)",
                        notice.by, notice.object
                    ),
                    vec![notice.object],
                    notice.by.clone(),
                );
            }
        });
        // Any other counted object released below zero: reported at the offending call.
        let me = Arc::downgrade(&rt);
        let malloc = rt.malloc.label();
        rt.ledger.on_over_release(move |notice| {
            let Some(rt) = me.upgrade() else {
                return;
            };
            if Some(notice.object) != malloc {
                rt.violation(
                    &rules::OVER_RELEASE,
                    format!(
                        "{} released {} without holding a reference to it; its count stays {}",
                        notice.by, notice.object, notice.remaining
                    ),
                    vec![notice.object],
                    notice.by.clone(),
                );
            }
        });
        Simulator { rt }
    }
}
