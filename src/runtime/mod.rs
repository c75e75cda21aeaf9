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
mod kind;
mod loader;
mod memory;
pub(crate) mod notify;
mod profsect;
mod query;
mod retire;
mod service;
mod session;
mod shutdown;
mod spooler;
pub(crate) mod state;
mod store;
pub(crate) mod support;
pub(crate) mod teardown;
mod xp;

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

pub use ab::{AddressBook, AddressBookStart};
pub use loader::{LoadLedger, LoadOp, LoadRecord, dll_file_name};
pub use memory::SimMalloc;
pub use notify::{WAIT_OBJECT_0, WAIT_TIMEOUT, WaitHandle, WaitResult, WindowMessage};
pub use session::{Session, StoreRow, StoresTable};
pub use spooler::Spooler;
pub use store::StoreHandle;
pub use xp::TransportStart;

use crate::check::{Report, Rule, STRICT_PANIC_PREFIX, Violation, is_strict_panic, rules};
use crate::error::{MapiError, MapiResult, Status, Warned};
use crate::flags::{InitFlags, LogonFlags, MapiFlags, SpiVersion};
use crate::object::{InterfaceKind, LeakReport, ObjLabel, ObjectInfo, ObjectLedger, Owner, Ref, Scope};
use crate::profile::{ServiceDef, ServiceInfo};
use crate::props::PropBag;
use crate::spi::memory::{Heap, HeapConfig, HeapHost};
use crate::spi::{BufferId, Malloc, MemRoutines, ProviderLibrary};
use crate::sync::lock;
use crate::trace::{EventKind, Party, Text, Trace, Value, text};
use loader::Factory;
use state::State;

/// When a store calls `IMAPISupport::StoreLogoffTransports`. The documents disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SltTiming {
    /// `StoreLogoff` starts by calling it; a store released without `StoreLogoff` calls it from its
    /// final release (shutting-down-a-message-store-provider, imapisupport-storelogofftransports).
    /// The default.
    #[default]
    InStoreLogoff,
    /// `StoreLogoff` only saves the flag; the call comes once the store's count has dropped to
    /// zero (imsgstore-storelogoff).
    AtFinalRelease,
}

impl SltTiming {
    /// How binding the reading is, from its page's words: *should begin by calling* for
    /// `InStoreLogoff` (an advisory when broken), *do not call … until* for `AtFinalRelease` (a
    /// violation).
    pub fn severity(self) -> crate::check::Severity {
        match self {
            SltTiming::InStoreLogoff => crate::check::Severity::Should,
            SltTiming::AtFinalRelease => crate::check::Severity::Must,
        }
    }
}

/// Who releases a store logon's support object, and so who removes its MAPIUIDs and status row.
/// The documents disagree (the guide, "Where the support object is released", has both readings).
///
/// In both variants MAPI's own teardown (the logon object's release, `Shutdown`, the provider
/// object's release) runs once the provider call it follows has returned, never inside it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum TeardownCleanup {
    /// The store's final release releases the support object, and MAPI removes the MAPIUIDs and
    /// the row inside that release; at session logoff, MAPI removes them before it calls
    /// `IMSLogon::Logoff` (shutting-down-a-message-store-provider). Expects a store that releases
    /// the support object in its final release (`STORE-RELEASES-SUPPORT`); a `Logoff` that
    /// releases it when the store is still alive is right too.
    MapiInSupportRelease,
    /// `IMSLogon::Logoff` releases the support object, and MAPI removes them inside that release
    /// (shutting-down-a-service-provider, the seed's reading). Expects a `Logoff` that releases
    /// it: one that keeps it leaves them behind (`TEARDOWN-ROW-UIDS`), unless the client still
    /// holds the store, which keeps it (the client's mistake; MAPI then removes them itself). A
    /// store whose final release releases it before any `Logoff` is right too. The default.
    #[default]
    ProviderInLogoff,
}

/// What a `Logon` on a store that is already open may return as its logon object. The documents
/// disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum ReuseLogon {
    /// The existing logon object, or none: "the message store provider can return existing
    /// IMSLogon and IMsgStore interfaces" (loading-message-store-providers, step 5; the seed's
    /// reading). MAPI releases the reference it gets. A new logon object is still wrong. The
    /// default.
    #[default]
    ExistingAllowed,
    /// None: "The provider returns null in lppMSLogon" (imsprovider-logon).
    Null,
}

/// Which objects `SpoolerLogon` returns. The documents disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SpoolerObjects {
    /// The same logon and store objects `Logon` returned (loading-message-store-providers, step
    /// 9; the seed's reading). The default.
    #[default]
    Same,
    /// Objects of its own, which the provider marks as the spooler's (imsprovider-spoolerlogon:
    /// "internally mark the returned message store object … Some of the methods for this store
    /// object behave differently"): any logon and store objects are accepted.
    Distinct,
}

/// Where the MAPIUID a provider registers with `SetProviderUID` may come from. The documents
/// disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum RegisteredUid {
    /// A hard-coded constant, "not obtained through a call to NewUID" (imapisupport-newuid): one
    /// that `NewUID` generated in this run (through a logon's support object or a message
    /// service's) is an advisory (`UID-HARD-CODED`). The default.
    #[default]
    HardCoded,
    /// Any, a generated one included (implementing-address-book-provider-logon-and-logoff lists
    /// NewUID as a way; registering-service-provider-unique-identifiers suggests one per logon).
    Generated,
}

/// How many times `StoreLogoffTransports` may be called for one store shutdown, and whether a
/// client may call `StoreLogoff` again. The documents disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SltRepeat {
    /// Once: "StoreLogoffTransports must be called once during the shutdown process"
    /// (shutting-down-a-message-store-provider); a second `StoreLogoff` of the client gets
    /// `MAPI_E_INVALID_OBJECT`. The default.
    #[default]
    Once,
    /// "Multiple calls to StoreLogoffTransports simply overwrite the saved flags"
    /// (imsgstore-storelogoff): repeated calls are allowed, a client may call `StoreLogoff` again,
    /// and the last flag it passed is the one `StoreLogoffTransports` must get.
    Overwrite,
}

/// Whether a client may pass `MAPI_LOGOFF_SHARED` to `IMAPISession::Logoff`. The documents
/// disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum LogoffShared {
    /// Never: "clients should never pass the MAPI_LOGOFF_SHARED parameter" (imapisession-logoff,
    /// since the fast shutdown of Outlook 2007 SP2). The default.
    #[default]
    Never,
    /// The owner of the shared session may: "the MAPI_LOGOFF_SHARED flag if you own the current
    /// shared session" (ending-a-mapi-session). A session logged on with `MAPI_ALLOW_OTHERS`
    /// counts as the owner.
    OwnerMay,
}

/// Whether a store must create its status row during a fresh `Logon`. The documents disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum StoreStatusRow {
    /// Optional: "Address book and message store providers can choose whether to support the
    /// status table" (status-tables); "some providers call IMAPISupport::ModifyStatusRow"
    /// (implementing-service-provider-logon). The default.
    #[default]
    Optional,
    /// Required: "before returning to MAPI, the store provider should … call the
    /// IMAPISupport::ModifyStatusRow method" (imsprovider-logon); a fresh `Logon` that returns
    /// without one breaks `LOGON-STATUS-ROW` (advice).
    Required,
}

/// What MAPI's `StoreLogoffTransports` finds the store's transports doing, and so what it
/// answers. Not contested: a setting so that a store's handling of both answers runs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum TransportActivity {
    /// Idle: the answer is `LOGOFF_COMPLETE`, whatever the flag. The default.
    #[default]
    Idle,
    /// Messages on the way in and out: a call made inside `StoreLogoff` with `LOGOFF_ABORT` or
    /// `LOGOFF_QUIET` answers `LOGOFF_INBOUND | LOGOFF_OUTBOUND` without `LOGOFF_COMPLETE` (the
    /// logoff does not happen, imapisupport-storelogofftransports); the store must pass the
    /// activity on to its caller (`SLT-OUTPUT-ACTED`) and stay logged on, so a later
    /// `StoreLogoff` or its final release calls `StoreLogoffTransports` again (which `SLT-ONCE`
    /// allows). The other flags, and a call from the final release, are answered
    /// `LOGOFF_COMPLETE`.
    Busy,
}

/// The user's fast-shutdown setting (`FastShutdownBehavior` in the registry,
/// fast-shutdown-user-options): what MAPI answers a client's `IMAPIClientShutdown::QueryFastShutdown`.
/// Not contested: a setting so that a provider's opting in or out runs under each.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum FastShutdown {
    /// Fast shutdown unless a provider opts out (its `IMAPIProviderShutdown::QueryFastShutdown`
    /// fails); a provider without the interface does not stop it. The default (Outlook's).
    #[default]
    UnlessOptedOut,
    /// Fast shutdown only if every provider opts in (answers `QueryFastShutdown` with `S_OK`).
    OnlyIfAllOptIn,
    /// Disabled: `MAPI_E_NO_SUPPORT`, and no provider is asked.
    Disabled,
}

/// Whether the spooler needs a spool-security blob from `Logon`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SpoolSecurity {
    /// A store may return none; the spooler then logs on with an empty blob. The default.
    #[default]
    Optional,
    /// A fresh logon of a store the spooler will use must return one.
    Required,
}

/// When MAPI unloads a provider DLL, and so how many times it loads it. The documents disagree.
///
/// A provider "must not make assumptions about the number of times that it will be loaded"
/// (starting-a-service-provider): run it under both to see that it does not.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum UnloadTiming {
    /// After the last active client called `MAPIUninitialize` (shutting-down-a-service-provider):
    /// the DLL is loaded once, and its instance (its statics) serves every session until then.
    /// The default.
    #[default]
    AfterLastUninitialize,
    /// "At a later time" once the last provider object of the DLL is released
    /// (releasing-the-transport-provider): here, when the client call that released it returns.
    /// Sessions one after the other each load the DLL afresh, with new statics.
    WhenLastProviderReleased,
}

/// Whether the spooler runs by itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SpoolerMode {
    /// The test steps it ([`Spooler::step`], [`Spooler::run_until_idle`]). The default.
    #[default]
    Manual,
    /// It runs until idle at the end of every client call: still deterministic.
    Automatic,
}

/// What `MAPIAllocateMore` does with a block that is not a live root (a freed block, a linked
/// block, a pointer from elsewhere). Either way the call breaks `MEM-MORE-ROOT`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum AllocateMoreMisuse {
    /// It fails with `MAPI_E_INVALID_PARAMETER`. The default.
    #[default]
    Fail,
    /// It makes a new root block, as some hosts do: the provider goes on, and the block leaks
    /// unless the provider frees it on its own.
    NewRoot,
}

/// How the `IMalloc` MAPI hands to entry points counts its references.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum MallocCounting {
    /// Like any COM object: a `Release` the provider never AddRef'd for breaks `MALLOC-RELEASE`.
    /// The default.
    #[default]
    Counted,
    /// Like the native static allocator, whose counts never change: such a `Release` does no
    /// harm, and nothing is reported.
    Static,
}

/// Where MAPI versions or the documents differ, which variant the simulator plays. Each field
/// documents its default.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Behavior {
    /// When `StoreLogoffTransports` must be called.
    pub store_logoff_transports: SltTiming,
    /// Who removes MAPIUIDs and status rows at teardown.
    pub teardown_cleanup: TeardownCleanup,
    /// Whether the spooler needs a spool-security blob.
    pub spool_security: SpoolSecurity,
    /// When provider DLLs are unloaded.
    pub unload: UnloadTiming,
    /// The SPI version MAPI passes to entry points (`CURRENT_SPI_VERSION`). A newer one checks
    /// that a provider accepts a MAPI newer than its own SPI (`INIT-VERSION-RANGE`); an older one,
    /// that it refuses a MAPI it cannot serve.
    pub mapi_spi_version: SpiVersion,
    /// The oldest provider SPI version MAPI accepts (`PDK1_SPI_VERSION`; the documents do not give
    /// MAPI's real bound).
    pub min_provider_spi_version: SpiVersion,
    /// Whether the spooler runs by itself.
    pub spooler: SpoolerMode,
    /// Whether MAPI asks a freshly opened store for its required properties (a `GetProps` call in
    /// the trace) to check them. On by default.
    pub check_store_properties: bool,
    /// How many times MAPI configures the service and retries a logon that returned
    /// `MAPI_E_UNCONFIGURED` (1; the documents say "retries" without a number).
    pub unconfigured_retries: u32,
    /// What `MAPIAllocateMore` does with a bad root ([`AllocateMoreMisuse::Fail`]).
    pub allocate_more_misuse: AllocateMoreMisuse,
    /// How `IMalloc` counts ([`MallocCounting::Counted`]).
    pub malloc: MallocCounting,
    /// What a `Logon` on an open store may return as its logon object
    /// ([`ReuseLogon::ExistingAllowed`]).
    pub reuse_logon: ReuseLogon,
    /// Which objects `SpoolerLogon` returns ([`SpoolerObjects::Same`]).
    pub spooler_objects: SpoolerObjects,
    /// Where a registered MAPIUID may come from ([`RegisteredUid::HardCoded`]).
    pub registered_uid: RegisteredUid,
    /// How often `StoreLogoffTransports` and `StoreLogoff` may be called ([`SltRepeat::Once`]).
    pub slt_repeat: SltRepeat,
    /// Whether a client may pass `MAPI_LOGOFF_SHARED` ([`LogoffShared::Never`]).
    pub logoff_shared: LogoffShared,
    /// Whether a fresh store logon must create its status row ([`StoreStatusRow::Optional`]).
    pub status_row: StoreStatusRow,
    /// What `StoreLogoffTransports` finds the transports doing ([`TransportActivity::Idle`]).
    pub transport_activity: TransportActivity,
    /// The user's fast-shutdown setting ([`FastShutdown::UnlessOptedOut`]).
    pub fast_shutdown: FastShutdown,
    /// When the address-book providers log on ([`AddressBookStart::OpenAddressBook`]).
    pub address_book_start: AddressBookStart,
    /// When the spooler starts the transports ([`TransportStart::OnDemand`]).
    pub transport_start: TransportStart,
}

impl Default for Behavior {
    fn default() -> Self {
        Behavior {
            store_logoff_transports: SltTiming::default(),
            teardown_cleanup: TeardownCleanup::default(),
            spool_security: SpoolSecurity::default(),
            unload: UnloadTiming::default(),
            mapi_spi_version: SpiVersion::CURRENT,
            min_provider_spi_version: SpiVersion::PDK1,
            spooler: SpoolerMode::default(),
            check_store_properties: true,
            unconfigured_retries: 1,
            allocate_more_misuse: AllocateMoreMisuse::default(),
            malloc: MallocCounting::default(),
            reuse_logon: ReuseLogon::default(),
            spooler_objects: SpoolerObjects::default(),
            registered_uid: RegisteredUid::default(),
            slt_repeat: SltRepeat::default(),
            logoff_shared: LogoffShared::default(),
            status_row: StoreStatusRow::default(),
            transport_activity: TransportActivity::default(),
            fast_shutdown: FastShutdown::default(),
            address_book_start: AddressBookStart::default(),
            transport_start: TransportStart::default(),
        }
    }
}

impl Behavior {
    /// Sets when `StoreLogoffTransports` must be called.
    pub fn with_store_logoff_transports(mut self, timing: SltTiming) -> Self {
        self.store_logoff_transports = timing;
        self
    }

    /// Sets who removes MAPIUIDs and status rows.
    pub fn with_teardown_cleanup(mut self, cleanup: TeardownCleanup) -> Self {
        self.teardown_cleanup = cleanup;
        self
    }

    /// Sets whether the spooler needs a spool-security blob.
    pub fn with_spool_security(mut self, spool: SpoolSecurity) -> Self {
        self.spool_security = spool;
        self
    }

    /// Sets when DLLs are unloaded.
    pub fn with_unload(mut self, unload: UnloadTiming) -> Self {
        self.unload = unload;
        self
    }

    /// Sets MAPI's SPI version.
    pub fn with_mapi_spi_version(mut self, version: SpiVersion) -> Self {
        self.mapi_spi_version = version;
        self
    }

    /// Sets the oldest provider SPI version MAPI accepts.
    pub fn with_min_provider_spi_version(mut self, version: SpiVersion) -> Self {
        self.min_provider_spi_version = version;
        self
    }

    /// Sets whether the spooler runs by itself.
    pub fn with_spooler(mut self, mode: SpoolerMode) -> Self {
        self.spooler = mode;
        self
    }

    /// Sets how often MAPI configures and retries a logon that returned `MAPI_E_UNCONFIGURED`.
    pub fn with_unconfigured_retries(mut self, retries: u32) -> Self {
        self.unconfigured_retries = retries;
        self
    }

    /// Sets whether MAPI checks a freshly opened store's required properties.
    pub fn with_check_store_properties(mut self, on: bool) -> Self {
        self.check_store_properties = on;
        self
    }

    /// Sets what `MAPIAllocateMore` does with a bad root.
    pub fn with_allocate_more_misuse(mut self, misuse: AllocateMoreMisuse) -> Self {
        self.allocate_more_misuse = misuse;
        self
    }

    /// Sets how `IMalloc` counts.
    pub fn with_malloc(mut self, counting: MallocCounting) -> Self {
        self.malloc = counting;
        self
    }

    /// Sets what a `Logon` on an open store may return as its logon object.
    pub fn with_reuse_logon(mut self, reuse: ReuseLogon) -> Self {
        self.reuse_logon = reuse;
        self
    }

    /// Sets which objects `SpoolerLogon` returns.
    pub fn with_spooler_objects(mut self, objects: SpoolerObjects) -> Self {
        self.spooler_objects = objects;
        self
    }

    /// Sets where a registered MAPIUID may come from.
    pub fn with_registered_uid(mut self, uid: RegisteredUid) -> Self {
        self.registered_uid = uid;
        self
    }

    /// Sets how often `StoreLogoffTransports` and `StoreLogoff` may be called.
    pub fn with_slt_repeat(mut self, repeat: SltRepeat) -> Self {
        self.slt_repeat = repeat;
        self
    }

    /// Sets whether a client may pass `MAPI_LOGOFF_SHARED`.
    pub fn with_logoff_shared(mut self, shared: LogoffShared) -> Self {
        self.logoff_shared = shared;
        self
    }

    /// Sets whether a fresh store logon must create its status row.
    pub fn with_status_row(mut self, row: StoreStatusRow) -> Self {
        self.status_row = row;
        self
    }

    /// Sets what `StoreLogoffTransports` finds the transports doing.
    pub fn with_transport_activity(mut self, activity: TransportActivity) -> Self {
        self.transport_activity = activity;
        self
    }

    /// Sets the user's fast-shutdown setting.
    pub fn with_fast_shutdown(mut self, setting: FastShutdown) -> Self {
        self.fast_shutdown = setting;
        self
    }

    /// Sets [`Behavior::address_book_start`].
    pub fn with_address_book_start(mut self, start: AddressBookStart) -> Self {
        self.address_book_start = start;
        self
    }

    /// Sets [`Behavior::transport_start`].
    pub fn with_transport_start(mut self, start: TransportStart) -> Self {
        self.transport_start = start;
        self
    }
}

/// Allocations that fail: the N-th call of `MAPIAllocateBuffer` or `MAPIAllocateMore` (counting
/// from 1, every allocation through the simulator's routines: the providers', the client's and
/// MAPI's own) returns `MAPI_E_NOT_ENOUGH_MEMORY`, so that a provider's handling of the failure
/// can be watched: the error passed on, nothing leaked.
///
/// ```
/// use mapisim::prelude::*;
/// use mapisim::runtime::FaultPlan;
///
/// let sim = Simulator::builder().fault_plan(FaultPlan::new().fail_allocation(2)).build();
/// let routines = sim.mem_routines();
/// let first = routines.allocate_buffer(8)?;
/// assert_eq!(routines.allocate_buffer(8), Err(MapiError::NotEnoughMemory));
/// routines.free_buffer(Some(first))?;
/// assert_eq!(routines.allocations(), 2);
/// # Ok::<(), mapisim::MapiError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct FaultPlan {
    fail: std::collections::BTreeSet<u64>,
}

impl FaultPlan {
    /// A plan in which every allocation succeeds.
    pub fn new() -> FaultPlan {
        FaultPlan::default()
    }

    /// Also fails the `n`-th allocation (from 1).
    pub fn fail_allocation(mut self, n: u64) -> FaultPlan {
        self.fail.insert(n);
        self
    }

    /// The allocations that fail, in order.
    pub fn failing(&self) -> impl Iterator<Item = u64> + '_ {
        self.fail.iter().copied()
    }
}

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
    /// [`ProfileAdmin::create_default`] adds those of `[Default Services]`. A text with errors is
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
    /// ([`LoadLedger`]). Without it (the default) the trace and the
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
        let heap = Arc::new(Heap::new(HeapConfig {
            fail: self.faults.fail,
            new_root_on_bad_more: self.behavior.allocate_more_misuse == AllocateMoreMisuse::NewRoot,
            backend: self.memory,
        }));
        let rt = Arc::new_cyclic(|me| Runtime {
            trace,
            ledger,
            behavior: self.behavior,
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

/// The simulated MAPI subsystem, hosting the registered provider DLLs.
///
/// `Simulator` is the entry point of a test: build it, create profiles, call
/// [`initialize`](Simulator::initialize) and [`logon_ex`](Mapi::logon_ex) as a client would, and
/// end with [`finish`](Simulator::finish) for the [`Report`].
pub struct Simulator {
    rt: Arc<Runtime>,
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
    rt: Arc<Runtime>,
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

/// Profile administration (`IProfAdmin`, `IMsgServiceAdmin`).
pub struct ProfileAdmin {
    rt: Arc<Runtime>,
}

impl fmt::Debug for ProfileAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileAdmin")
            .field("profiles", &self.names())
            .finish()
    }
}

impl ProfileAdmin {
    /// Creates an empty profile. Names are case-sensitive; an empty name gives
    /// `MAPI_E_INVALID_PARAMETER`, an existing one `MAPI_E_NO_ACCESS`.
    pub fn create(&self, name: &str) -> MapiResult<Profile> {
        self.rt.st().profiles.create(name)?;
        Ok(Profile {
            rt: Arc::clone(&self.rt),
            name: name.to_owned(),
        })
    }

    /// Creates a profile with the services of `[Default Services]` of the Mapisvc.inf texts given
    /// to the builder, in their order, each added as [`Profile::add_service`] adds it. If one of
    /// them fails, the profile is deleted again and the error returned: no half-built profile is
    /// left behind.
    pub fn create_default(&self, name: &str) -> MapiResult<Profile> {
        let profile = self.create(name)?;
        let defaults = self.rt.st().profiles.defaults.clone();
        for service in defaults {
            if let Err(e) = profile.add_service(service.as_str()) {
                let _ = self.delete(name);
                return Err(e);
            }
        }
        Ok(profile)
    }

    /// Deletes a profile; a missing one gives `MAPI_E_NOT_FOUND`.
    pub fn delete(&self, name: &str) -> MapiResult<()> {
        self.rt.st().profiles.delete(name).map(drop)
    }

    /// An existing profile; a missing one gives `MAPI_E_NOT_FOUND`.
    pub fn get(&self, name: &str) -> MapiResult<Profile> {
        if self.rt.st().profiles.profiles.contains_key(name) {
            Ok(Profile {
                rt: Arc::clone(&self.rt),
                name: name.to_owned(),
            })
        } else {
            Err(MapiError::NotFound)
        }
    }

    /// Every profile name, sorted.
    pub fn names(&self) -> Vec<String> {
        self.rt.st().profiles.profiles.keys().cloned().collect()
    }
}

/// Something that can be added to a profile as a message service: a name from the catalogue, or
/// a definition.
#[derive(Clone, Debug)]
pub enum ServiceSpec {
    /// A service of the catalogue, by `PR_SERVICE_NAME`.
    Name(String),
    /// A definition.
    Def(ServiceDef),
}

impl From<&str> for ServiceSpec {
    fn from(name: &str) -> Self {
        ServiceSpec::Name(name.to_owned())
    }
}

impl From<ServiceDef> for ServiceSpec {
    fn from(def: ServiceDef) -> Self {
        ServiceSpec::Def(def)
    }
}

/// A profile.
pub struct Profile {
    rt: Arc<Runtime>,
    name: String,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile").field("name", &self.name).finish()
    }
}

impl Profile {
    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `CreateMsgService`: adds a message service, by catalogue name or by definition. MAPI copies
    /// its sections into the profile (a new `PR_SERVICE_UID`, a new `PR_PROVIDER_UID` per provider
    /// section) and calls the service's entry point with `MSG_SERVICE_CREATE`; if that fails the
    /// service is removed again and the error returned. Returns the new `PR_SERVICE_UID`. An
    /// unknown name gives `MAPI_E_NOT_FOUND`; a second copy of a `SERVICE_SINGLE_COPY` service
    /// `MAPI_E_NO_ACCESS`.
    pub fn add_service(&self, service: impl Into<ServiceSpec>) -> MapiResult<crate::ids::MapiUid> {
        let spec = service.into();
        let name = match &spec {
            ServiceSpec::Name(n) => n.clone(),
            ServiceSpec::Def(d) => d.name().to_owned(),
        };
        let call = self.rt.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "CreateMsgService",
            format!("{:?}, {name:?}", self.name),
        );
        let result = {
            let _mapi = self.rt.mapi_scope();
            let def = match spec {
                ServiceSpec::Def(def) => Ok(def),
                ServiceSpec::Name(name) => self
                    .rt
                    .st()
                    .profiles
                    .catalogue
                    .get(&name)
                    .cloned()
                    .ok_or(MapiError::NotFound),
            };
            def.and_then(|def| self.rt.create_service(&self.name, &def))
        };
        self.rt.settle();
        call.finish_result(&result, ToString::to_string);
        result
    }

    /// `ConfigureMsgService`: calls the service's entry point with `MSG_SERVICE_CONFIGURE`, these
    /// flags and these properties, and returns what it returned.
    pub fn configure_service(
        &self,
        service: &crate::ids::MapiUid,
        flags: crate::flags::ServiceEntryFlags,
        props: &[crate::props::Prop],
    ) -> MapiResult<()> {
        let call = self.rt.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "ConfigureMsgService",
            format!("{service}, {flags}, {} properties", props.len()),
        );
        let result = {
            let _mapi = self.rt.mapi_scope();
            flags.check_known().and_then(|flags| {
                use crate::flags::ServiceEntryFlags;
                let ui = flags & (ServiceEntryFlags::UI_ALLOWED | ServiceEntryFlags::UI_ALWAYS);
                if !ui.is_empty() && self.rt.is_service_client(LogonFlags::empty()) {
                    self.rt.client_violation(
                        &rules::SERVICE_NO_UI,
                        format!(
                            "a Windows-service client asked ConfigureMsgService for user interface ({ui})"
                        ),
                    );
                }
                self.rt.call_service_entry(
                    &self.name,
                    *service,
                    crate::flags::ServiceContext::Configure,
                    flags,
                    props,
                )
            })
        };
        self.rt.settle();
        call.finish_result(&result, |()| String::new());
        result
    }

    /// `DeleteMsgService`: calls the service's entry point with `MSG_SERVICE_DELETE`, then removes
    /// its provider sections, then its own section. An unknown service gives `MAPI_E_NOT_FOUND`.
    pub fn delete_service(&self, service: &crate::ids::MapiUid) -> MapiResult<()> {
        let call = self.rt.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "DeleteMsgService",
            service.to_string(),
        );
        let result = {
            let _mapi = self.rt.mapi_scope();
            self.rt.delete_service(&self.name, *service)
        };
        self.rt.settle();
        call.finish_result(&result, |()| String::new());
        result
    }

    /// The services, in order.
    pub fn services(&self) -> MapiResult<Vec<ServiceInfo>> {
        let st = self.rt.st();
        let data = st.profiles.profiles.get(&self.name).ok_or(MapiError::NotFound)?;
        Ok(data.services.clone())
    }

    /// The message-service table (`IMsgServiceAdmin::GetMsgServiceTable`): `PR_SERVICE_UID`,
    /// `PR_SERVICE_NAME`, `PR_DISPLAY_NAME`, `PR_RESOURCE_FLAGS` per service.
    pub fn service_table(&self) -> MapiResult<Vec<PropBag>> {
        self.rt.service_table(&self.name)
    }

    /// The provider table (`IMsgServiceAdmin::GetProviderTable`): every provider section, in the
    /// order MAPI starts them (address-book providers first within a service), numbered by
    /// `PR_PROVIDER_ORDINAL`.
    pub fn provider_table(&self) -> MapiResult<Vec<PropBag>> {
        self.rt.provider_table(&self.name)
    }

    /// A copy of a section's properties.
    pub fn section(&self, uid: &crate::ids::MapiUid) -> MapiResult<PropBag> {
        let st = self.rt.st();
        let data = st.profiles.profiles.get(&self.name).ok_or(MapiError::NotFound)?;
        data.sections
            .get(uid)
            .map(|s| PropBag::clone(s))
            .ok_or(MapiError::NotFound)
    }
}

/// A Mapisvc.inf text refused by [`SimulatorBuilder::mapisvc_inf`]: its errors, in file order,
/// each with its line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the Mapisvc.inf text has errors:\n{}", .diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct InfError {
    /// The errors.
    pub diagnostics: Vec<crate::profile::inf::Diagnostic>,
}

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

/// A `FreeLibrary` decided under MAPI's lock, completed once no lock is held.
pub(crate) struct PendingFree {
    file: Arc<str>,
    reason: Text,
    /// The load count after it.
    count: u32,
    /// For the last free: the DLL's instance, and the last object number of the ledger when it
    /// was unloaded.
    unloaded: Option<(Arc<dyn ProviderLibrary>, u32)>,
    by: Party,
}

/// The simulated MAPI: shared by the simulator and every handle it gave out.
pub(crate) struct Runtime {
    pub(crate) trace: Trace,
    pub(crate) ledger: ObjectLedger,
    pub(crate) behavior: Behavior,
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

impl crate::spi::process::LibraryHost for Runtime {
    fn load(
        &self,
        file: &str,
        by: &Arc<str>,
    ) -> Option<(Arc<str>, Arc<dyn ProviderLibrary>, crate::spi::ModuleInstance)> {
        let loaded = self.load_library_by(
            file,
            text!("loaded by {by}", by = Arc::clone(by)),
            Party::Library(Arc::clone(by)),
        );
        if loaded.is_none() {
            self.trace.record(EventKind::Note {
                by: Party::Library(Arc::clone(by)),
                text: format!("LoadLibrary({file:?}) found no such DLL").into(),
            });
        }
        loaded
    }

    fn free(&self, file: &Arc<str>, by: &Arc<str>) {
        self.free_library_by(
            file,
            text!("freed by {by}", by = Arc::clone(by)),
            Party::Library(Arc::clone(by)),
        );
    }

    fn enter(&self, file: &Arc<str>) -> Scope {
        let session = crate::object::current_scope().and_then(|(_, owner)| owner.session);
        let mut owner = Owner::library(Arc::clone(file));
        owner.session = session;
        self.ledger.enter(Party::Library(Arc::clone(file)), owner)
    }

    fn trace(&self) -> &Trace {
        &self.trace
    }
}

impl HeapHost for Runtime {
    fn misuse(&self, rule: &'static Rule, message: String, by: Party) {
        self.violation(rule, message, Vec::new(), by);
    }

    fn trace(&self) -> &Trace {
        &self.trace
    }
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
        match self.guarded(dll, session, method, &objects, f) {
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

    /// Whether MAPI is initialized; records the client violation otherwise.
    pub(crate) fn require_initialized(&self, what: &str) -> MapiResult<()> {
        let (initialized, exited) = {
            let st = self.st();
            (st.init_count > 0, st.fast_shutdown == shutdown::FastPhase::Done)
        };
        if exited {
            self.after_fast_shutdown(what);
        }
        if initialized {
            Ok(())
        } else {
            self.client_violation(
                &rules::CLIENT_INITIALIZED,
                format!("{what} was called while MAPI is not initialized"),
            );
            Err(MapiError::NotInitialized)
        }
    }

    fn initialize(&self, flags: InitFlags) -> MapiResult<()> {
        self.check_after_fast_shutdown("MAPIInitialize");
        let call = self.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "MAPIInitialize",
            Text::value(Value::flags(flags)),
        );
        let result = flags.check_known().map(|flags| {
            let count = {
                let mut st = self.st();
                if st.init_count == 0 {
                    st.init_flags = flags;
                }
                st.init_count += 1;
                st.init_count
            };
            if self.not_service_client && flags.contains(InitFlags::NT_SERVICE) {
                self.client_violation(
                    &rules::CLIENT_NT_SERVICE_ONLY,
                    format!(
                        "a client that is not a Windows service called MAPIInitialize with MAPI_NT_SERVICE ({flags})"
                    ),
                );
            }
            if self.service_client && !flags.contains(InitFlags::NT_SERVICE) {
                self.client_violation(
                    &rules::SERVICE_NT_FLAG,
                    format!(
                        "a Windows-service client called MAPIInitialize without MAPI_NT_SERVICE ({flags})"
                    ),
                );
            }
            if count == 1 {
                self.first_initialize(flags);
            }
            count
        });
        call.finish_result(&result, |&count| {
            if count == 1 {
                Text::EMPTY
            } else {
                text!("nested, count {count}", count)
            }
        });
        result.map(drop)
    }

    fn uninitialize(&self) -> MapiResult<()> {
        self.check_after_fast_shutdown("MAPIUninitialize");
        let _ending = self.client_teardown();
        let call = self
            .trace
            .begin_call(Party::Client, Party::Mapi, "MAPIUninitialize", "");
        let _mapi = self.mapi_scope();
        let remaining = {
            let mut st = self.st();
            if st.init_count == 0 {
                None
            } else {
                st.init_count -= 1;
                Some(st.init_count)
            }
        };
        let result = match remaining {
            None => {
                self.client_violation(
                    &rules::CLIENT_INITIALIZED,
                    "MAPIUninitialize was called more often than MAPIInitialize",
                );
                Err(MapiError::NotInitialized)
            }
            Some(0) => {
                self.last_uninitialize_thread();
                self.last_uninitialize();
                Ok(0)
            }
            Some(n) => Ok(n),
        };
        call.finish_result(&result, |&n| {
            if n == 0 {
                Text::EMPTY
            } else {
                text!("count {n}", n)
            }
        });
        result.map(drop)
    }

    /// What the last `MAPIUninitialize` checks and does.
    fn last_uninitialize(&self) {
        let (active, handles) = {
            let st = self.st();
            let active: Vec<u32> = st
                .open_sessions()
                .filter(|(_, s)| s.active)
                .map(|(id, _)| id)
                .collect();
            let handles = unchecked_handles(&st);
            (active, handles)
        };
        for id in active {
            self.client_violation(
                &rules::CLIENT_LOGOFF,
                format!("session {id} was not logged off before the last MAPIUninitialize; MAPI logs it off"),
            );
            self.session_logoff(id);
        }
        let frees = std::mem::take(&mut self.st().deferred_frees);
        for free in frees {
            self.complete_free(free);
        }
        if handles > 0 {
            self.client_violation(
                &rules::CLIENT_RELEASE,
                format!("the client still holds {handles} store object(s) at the last MAPIUninitialize"),
            );
        }
        let pending: Vec<Arc<str>> = {
            let mut st = self.st();
            st.loader
                .modules
                .values_mut()
                .filter(|m| m.final_free_pending)
                .map(|m| {
                    m.final_free_pending = false;
                    Arc::clone(&m.file)
                })
                .collect()
        };
        for file in pending {
            self.free_library(&file, Text::from_static("the last MAPIUninitialize"));
        }
    }

    fn logon_ex(&self, profile: &str, flags: LogonFlags) -> MapiResult<Session> {
        let call = self.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "MAPILogonEx",
            text!(
                "{profile:?}, {flags}",
                profile = profile.to_owned(),
                flags = Value::flags(flags)
            ),
        );
        let _mapi = self.mapi_scope();
        let result = self.logon_ex_inner(profile, flags);
        call.finish_result(&result, |s| s.label().map_or(Text::EMPTY, Text::value));
        result
    }

    fn logon_ex_inner(&self, profile: &str, flags: LogonFlags) -> MapiResult<Session> {
        self.require_initialized("MAPILogonEx")?;
        let flags = flags.check_known()?;
        self.check_service_logon(flags);
        if !flags.contains(LogonFlags::EXTENDED) {
            self.client_violation(
                &rules::CLIENT_MAPI_EXTENDED,
                format!("MAPILogonEx was called without MAPI_EXTENDED ({flags})"),
            );
        }
        if self.not_service_client && flags.contains(LogonFlags::NT_SERVICE) {
            self.client_violation(
                &rules::CLIENT_NT_SERVICE_ONLY,
                format!(
                    "a client that is not a Windows service called MAPILogonEx with MAPI_NT_SERVICE ({flags})"
                ),
            );
        }
        let id = {
            let mut st = self.st();
            if !st.profiles.profiles.contains_key(profile) {
                return Err(MapiError::LogonFailed);
            }
            st.next_session += 1;
            let id = st.next_session;
            st.open_sessions.insert(id);
            st.sessions.insert(
                id,
                state::SessionState {
                    profile: profile.into(),
                    flags,
                    active: true,
                    providers: Vec::new(),
                    all_providers: Vec::new(),
                    logons: Vec::new(),
                    active_by_section: crate::sync::KeyMap::default(),
                    disabled: Vec::new(),
                    status_rows: state::ByLogon::new(mapi_status_rows(flags).iter().cloned()),
                    uids: state::RegisteredUids::default(),
                    client_handles: 0,
                    client_advises: Vec::new(),
                    client_logged_off: false,
                    transports: state::TransportsPhase::NotStarted,
                    label: None,
                },
            );
            id
        };
        let session = Session::new(self.arc(), id);
        if let Err(e) = self.check_configuration(id, profile, flags) {
            // The session never started: it ends here, without a client violation.
            let mut st = self.st();
            if let Some(s) = st.session_mut(id) {
                s.active = false;
            }
            st.session_settled(id);
            return Err(e);
        }
        if self.behavior.address_book_start == AddressBookStart::Logon {
            let _ = self.start_address_books(id, None);
        }
        self.transports_at_logon(id);
        Ok(session)
    }

    /// What the client should have done before `IMAPISession::Logoff` (ending-a-mapi-session):
    /// cancelled its advise registrations, released its objects; and the flag it passes.
    pub(crate) fn check_client_logoff(&self, session: u32, flags: crate::flags::SessionLogoffFlags) {
        let (handles, advises, owner) = {
            let mut st = self.st();
            let Some(s) = st.session_mut(session) else {
                return;
            };
            s.client_logged_off = true;
            let advises = std::mem::take(&mut s.client_advises);
            let out = (
                s.client_handles,
                advises,
                s.flags.contains(LogonFlags::ALLOW_OTHERS),
            );
            st.session_settled(session);
            out
        };
        if !advises.is_empty() {
            let named: Vec<String> = advises
                .iter()
                .map(|(store, connection)| {
                    let store = store.map_or_else(|| "a store".to_owned(), |l| l.to_string());
                    format!("{store} connection {connection}")
                })
                .collect();
            self.client_violation(
                &rules::CLIENT_UNADVISE,
                format!(
                    "the client logged session {session} off without cancelling {} advise registration(s): {}",
                    advises.len(),
                    named.join(", ")
                ),
            );
        }
        if handles > 0 {
            self.client_violation(
                &rules::CLIENT_RELEASE,
                format!("the client still holds {handles} store object(s) at session {session}'s IMAPISession::Logoff"),
            );
        }
        if flags.contains(crate::flags::SessionLogoffFlags::SHARED) {
            let allowed = owner && self.behavior.logoff_shared == LogoffShared::OwnerMay;
            if !allowed {
                let why = match self.behavior.logoff_shared {
                    LogoffShared::Never => "clients should never pass it",
                    LogoffShared::OwnerMay => "the session was not logged on with MAPI_ALLOW_OTHERS",
                };
                self.client_violation(
                    &rules::CLIENT_LOGOFF_SHARED,
                    format!("IMAPISession::Logoff was called with MAPI_LOGOFF_SHARED: {why}"),
                );
            }
        }
    }

    /// Whether the client runs as a Windows service: it said so to the builder, or in the flags
    /// of `MAPIInitialize` or of this `MAPILogonEx`.
    pub(crate) fn is_service_client(&self, logon: LogonFlags) -> bool {
        self.service_client
            || logon.contains(LogonFlags::NT_SERVICE)
            || self.st().init_flags.contains(InitFlags::NT_SERVICE)
    }

    /// The rules of §5.8 for the `MAPILogonEx` of a Windows-service client.
    fn check_service_logon(&self, flags: LogonFlags) {
        if !self.is_service_client(flags) {
            return;
        }
        let init = self.st().init_flags.contains(InitFlags::NT_SERVICE);
        let logon = flags.contains(LogonFlags::NT_SERVICE);
        if !(init && logon) {
            let missing = if init {
                "MAPILogonEx"
            } else if logon {
                "MAPIInitialize"
            } else {
                "MAPIInitialize and MAPILogonEx"
            };
            self.client_violation(
                &rules::SERVICE_NT_FLAG,
                format!("a Windows-service client logged on without MAPI_NT_SERVICE in {missing}"),
            );
        }
        if !flags.contains(LogonFlags::NO_MAIL) {
            self.client_violation(
                &rules::SERVICE_NO_MAIL,
                format!("a Windows-service client called MAPILogonEx without MAPI_NO_MAIL ({flags})"),
            );
        }
        let ui = flags & (LogonFlags::LOGON_UI | LogonFlags::PASSWORD_UI | LogonFlags::SERVICE_UI_ALWAYS);
        if !ui.is_empty() {
            self.client_violation(
                &rules::SERVICE_NO_UI,
                format!("a Windows-service client asked MAPILogonEx for user interface ({ui})"),
            );
        }
    }

    /// What `MAPILogonEx` checks before the session is used: every provider section names its DLL
    /// and its resource type. With `MAPI_SERVICE_UI_ALWAYS`, each service's configuration is shown
    /// first; a service whose providers are not configured is configured when the client allows
    /// UI (`MAPI_LOGON_UI`), and disabled for the session otherwise. `MAPI_E_USER_CANCEL` from a
    /// configuration ends the logon.
    fn check_configuration(&self, session: u32, profile: &str, flags: LogonFlags) -> MapiResult<()> {
        use crate::flags::{ServiceContext, ServiceEntryFlags};
        let services: Vec<crate::ids::MapiUid> = {
            let st = self.st();
            let data = st.profiles.profiles.get(profile).ok_or(MapiError::LogonFailed)?;
            data.services.iter().map(|s| s.uid).collect()
        };
        let unconfigured = |service: crate::ids::MapiUid, position: usize| {
            let st = self.st();
            st.profiles
                .profiles
                .get(profile)
                .is_some_and(|data| data.service_unconfigured(service, position))
        };
        for (position, service) in services.into_iter().enumerate() {
            let ui_always = flags.contains(LogonFlags::SERVICE_UI_ALWAYS);
            let mut outcome = Ok(());
            if ui_always || (unconfigured(service, position) && flags.contains(LogonFlags::LOGON_UI)) {
                let mut entry_flags = ServiceEntryFlags::UI_ALLOWED;
                if ui_always {
                    entry_flags |= ServiceEntryFlags::UI_ALWAYS;
                }
                outcome =
                    self.call_service_entry(profile, service, ServiceContext::Configure, entry_flags, &[]);
            }
            let error = match outcome {
                Err(MapiError::UserCancel) => return Err(MapiError::UserCancel),
                Err(e) => Some(e),
                Ok(()) if unconfigured(service, position) => Some(MapiError::Unconfigured),
                Ok(()) => None,
            };
            if let Some(e) = error {
                if let Some(s) = self.st().session_mut(session) {
                    s.disabled.push((service, e));
                }
                self.note(format!(
                    "message service {service} is not configured ({e}): disabled for session {session}"
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn arc(&self) -> Arc<Runtime> {
        // The runtime is always reached through an `Arc`, so the upgrade cannot fail while `self`
        // is borrowed.
        match self.me.upgrade() {
            Some(rt) => rt,
            None => unreachable_runtime(),
        }
    }

    /// Loads a provider DLL for one use: `LoadLibrary`, a fresh instance if it was not loaded.
    pub(crate) fn load_library(
        &self,
        file: &str,
        reason: Text,
    ) -> Option<(Arc<str>, Arc<dyn ProviderLibrary>, crate::spi::ModuleInstance)> {
        self.load_library_by(file, reason, Party::Mapi)
    }

    /// `LoadLibrary` by MAPI or by a provider's code.
    fn load_library_by(
        &self,
        file: &str,
        reason: Text,
        by: Party,
    ) -> Option<(Arc<str>, Arc<dyn ProviderLibrary>, crate::spi::ModuleInstance)> {
        let (name, factory, loaded) = {
            let st = self.st();
            let (name, factory) = st.loader.resolve(file)?;
            let loaded = loader::with_file_key(&name, |key| {
                st.loader
                    .modules
                    .get(key)
                    .map(|m| (Arc::clone(&m.instance), m.generation))
            });
            (name, factory, loaded)
        };
        // A fresh instance is made outside MAPI's lock (it runs the DLL's code); if another thread
        // loaded the DLL meanwhile, its instance is the one, and this one never existed.
        let made: Option<Arc<dyn ProviderLibrary>> = match loaded {
            Some(_) => None,
            None => Some(Arc::from(
                self.guarded(&name, None, "the DLL's initialization", &[], || factory())
                    .ok()?,
            )),
        };
        let (loaded, new_instance, unused) = {
            let mut st = self.st();
            let present = loader::with_file_key(&name, |key| st.loader.modules.contains_key(key));
            let (fresh, unused) = match (present, made) {
                (false, Some(made)) => (Some(made), None),
                (_, unused) => (None, unused),
            };
            let new_instance = fresh.is_some();
            if let Some(instance) = fresh {
                let generation = st.loader.next_generation(&name);
                st.loader.modules.insert(
                    loader::file_key(&name),
                    loader::Module {
                        file: Arc::clone(&name),
                        count: 0,
                        instance,
                        generation,
                        final_free_pending: false,
                    },
                );
            }
            let loaded = loader::with_file_key(&name, |key| {
                st.loader.modules.get_mut(key).map(|module| {
                    module.count += 1;
                    (Arc::clone(&module.instance), module.generation, module.count)
                })
            });
            (loaded, new_instance, unused)
        };
        if let Some(unused) = unused {
            self.drop_in_provider(&name, None, "the DLL's initialization", unused);
        }
        // (The DLL was found or inserted under the lock just released.)
        let (instance, generation, count) = loaded?;
        let event = self.trace.record(EventKind::LoadLibrary {
            by: by.clone(),
            file: Arc::clone(&name),
            count,
            new_instance,
            reason: reason.clone(),
        });
        self.st().loader.record(LoadRecord {
            op: LoadOp::Load,
            file: Arc::clone(&name),
            count,
            boundary: new_instance,
            reason,
            event,
            by,
        });
        let host: Weak<dyn crate::spi::process::LibraryHost> = self.me.clone();
        let process = crate::spi::Process::attached(host, Arc::clone(&name));
        let module = crate::spi::ModuleInstance::in_process(Arc::clone(&name), generation, process);
        Some((name, instance, module))
    }

    /// `LIB-FILE-NAME`: `LoadLibrary` found no DLL under the name MAPI made from the profile's base
    /// name; the message says which names are registered, and which would have matched.
    pub(crate) fn report_load_failure(&self, base: &str, file: &str) {
        let hint = {
            let st = self.st();
            let near = st.loader.near_misses(base, file);
            if near.is_empty() {
                let all: Vec<String> = st
                    .loader
                    .registered_names()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                format!(
                    "registered DLLs: {}",
                    if all.is_empty() {
                        "none".into()
                    } else {
                        all.join(", ")
                    }
                )
            } else {
                let near: Vec<String> = near.iter().map(ToString::to_string).collect();
                format!("a DLL is registered as {}", near.join(", "))
            }
        };
        self.violation(
            &rules::LIB_FILE_NAME,
            format!("the profile names {base:?}, so MAPI loads {file:?}, which is not registered ({hint})"),
            Vec::new(),
            Party::Library(Arc::from(file)),
        );
    }

    /// Pairs a use's `LoadLibrary`. The free that would unload the DLL waits for the last
    /// `MAPIUninitialize` unless the behaviour says otherwise.
    pub(crate) fn release_library(&self, file: &Arc<str>, reason: Text) {
        let hold = {
            let mut st = self.st();
            let initialized = st.init_count > 0;
            let module = loader::with_file_key(file, |key| st.loader.modules.get_mut(key));
            match module {
                Some(m)
                    if m.count == 1
                        && initialized
                        && self.behavior.unload == UnloadTiming::AfterLastUninitialize =>
                {
                    m.final_free_pending = true;
                    true
                }
                _ => {
                    // The count goes down now, under the lock that decides, so that a release or
                    // a load on another thread sees it; the rest waits for the client call's end.
                    let free = self.decide_free(&mut st, file, reason, Party::Mapi);
                    st.deferred_frees.extend(free);
                    false
                }
            }
        };
        if hold {
            self.note(text!(
                "{file} stays loaded until the last MAPIUninitialize",
                file = Arc::clone(file)
            ));
        }
    }

    /// A `FreeLibrary` decided under MAPI's lock: the count goes down, and at zero the DLL leaves
    /// the loaded modules (a load from now on makes a fresh instance). [`Runtime::complete_free`]
    /// does the rest once no lock is held.
    fn decide_free(&self, st: &mut State, file: &Arc<str>, reason: Text, by: Party) -> Option<PendingFree> {
        let (count, unloaded) = loader::with_file_key(file, |key| {
            let module = st.loader.modules.get_mut(key)?;
            module.count = module.count.saturating_sub(1);
            let count = module.count;
            let unloaded = if count == 0 {
                st.loader.modules.remove(key).map(|m| m.instance)
            } else {
                None
            };
            Some((count, unloaded))
        })?;
        let unloaded = unloaded.map(|instance| (instance, self.ledger.serial_mark()));
        Some(PendingFree {
            file: Arc::clone(file),
            reason,
            count,
            unloaded,
            by,
        })
    }

    /// `FreeLibrary`: at zero the DLL's instance is dropped (its statics die), and any object of
    /// the DLL still alive is reported.
    pub(crate) fn free_library(&self, file: &Arc<str>, reason: Text) {
        self.free_library_by(file, reason, Party::Mapi);
    }

    /// `FreeLibrary` by MAPI or by a provider's code.
    fn free_library_by(&self, file: &Arc<str>, reason: Text, by: Party) {
        let free = self.decide_free(&mut self.st(), file, reason, by);
        if let Some(free) = free {
            self.complete_free(free);
        }
    }

    /// What follows a `FreeLibrary` once no lock is held: its trace event and ledger record, and
    /// for the last one the DLL's unload — its instance dropped (its statics die) and every object
    /// it made before the unload that is still alive reported.
    fn complete_free(&self, free: PendingFree) {
        let PendingFree {
            file,
            reason,
            count,
            unloaded,
            by,
        } = free;
        let event = self.trace.record(EventKind::FreeLibrary {
            by: by.clone(),
            file: Arc::clone(&file),
            count,
            reason: reason.clone(),
        });
        self.st().loader.record(LoadRecord {
            op: LoadOp::Free,
            file: Arc::clone(&file),
            count,
            boundary: count == 0,
            reason,
            event,
            by: by.clone(),
        });
        let Some((instance, mark)) = unloaded else {
            return;
        };
        self.drop_in_provider(&file, None, "the DLL's unload", instance);
        self.check_malloc_released(&file);
        self.check_provider_loads(&file, "when it was unloaded");
        // Stores the client still holds are the client's to answer for (CLIENT-RELEASE); objects
        // made after the unload belong to a fresh instance (another thread's load).
        let client_held: Vec<ObjLabel> = {
            let st = self.st();
            st.client_held
                .iter()
                .filter_map(|k| st.logons.get(*k))
                .filter(|r| r.client_handles > 0)
                .filter_map(|r| r.store_label)
                .collect()
        };
        let labels = self.ledger.live_labels_where(|owner, label| {
            owner.library.as_deref() == Some(&*file) && label.serial <= mark && !client_held.contains(&label)
        });
        if !labels.is_empty() {
            let names: Vec<String> = labels.iter().map(ToString::to_string).collect();
            // A provider that freed another DLL it loaded unloaded it under its objects.
            let blamed = match &by {
                Party::Library(loader) if **loader != *file => by.clone(),
                _ => Party::Library(Arc::clone(&file)),
            };
            self.violation(
                &rules::LIB_UNLOAD_LIVE,
                format!(
                    "{file} was unloaded while {} of its objects were alive: {}",
                    labels.len(),
                    names.join(", ")
                ),
                labels,
                blamed,
            );
        }
    }

    /// `LIB-LOAD-PAIRED`: the DLLs `file`'s code loaded itself and has not freed (once per DLL it
    /// loaded).
    fn check_provider_loads(&self, file: &Arc<str>, when: &str) {
        let loader = Party::Library(Arc::clone(file));
        let held: Vec<(Arc<str>, usize)> = {
            let mut st = self.st();
            let held = st.loader.unpaired_by(&loader);
            held.into_iter()
                .filter(|(loaded, _)| {
                    st.load_pairs_reported
                        .insert((Arc::clone(file), Arc::clone(loaded)))
                })
                .collect()
        };
        for (loaded, n) in held {
            self.violation(
                &rules::LIB_LOAD_PAIRED,
                format!("{file} still held {n} load(s) of {loaded} it made with LoadLibrary {when}"),
                Vec::new(),
                loader.clone(),
            );
        }
    }

    /// `MALLOC-HELD`: once a DLL is unloaded (every provider object of it shut down, its statics
    /// gone), no reference its code took to MAPI's `IMalloc` may remain.
    fn check_malloc_released(&self, file: &Arc<str>) {
        if self.behavior.malloc == MallocCounting::Static {
            return;
        }
        let Some(id) = self.malloc.id() else {
            return;
        };
        let held = self
            .ledger
            .count_references(id, |by| matches!(by, Party::Library(f) if **f == **file));
        if held > 0 {
            let label = self.malloc.label().into_iter().collect::<Vec<_>>();
            let name = self
                .malloc
                .label()
                .map_or_else(|| "IMalloc".to_owned(), |l| l.to_string());
            self.violation(
                &rules::MALLOC_HELD,
                format!(
                    "{file} was unloaded still holding {held} reference(s) to {name} (lpMalloc) that it took and never released"
                ),
                label,
                Party::Library(Arc::clone(file)),
            );
        }
    }

    /// Work MAPI does "later": when a client call returns. Deferred `FreeLibrary` calls, the
    /// checks that need the dust to settle, and the spooler in automatic mode.
    pub(crate) fn settle(&self) {
        if self.behavior.spooler != SpoolerMode::Automatic && self.st().nothing_to_settle() {
            // Most client calls leave nothing for later: one look under the lock.
            return;
        }
        let _mapi = self.mapi_scope();
        if self.behavior.spooler == SpoolerMode::Automatic {
            spooler::run_until_idle(self);
        }
        // The objects MAPI released during the call, now that every release in it is over.
        self.run_release_checks();
        let mut frees = std::mem::take(&mut self.st().deferred_frees);
        for free in frees.drain(..) {
            self.complete_free(free);
        }
        // The list keeps its room for the next call.
        crate::sync::give_back(&mut self.st().deferred_frees, frees);
        self.check_session_leaks();
        self.retire_sessions();
    }

    /// Objects that belong to a provider library or to a session and are still alive.
    pub(crate) fn owned_leaks(&self) -> LeakReport {
        self.ledger.leaks(|o| {
            o.owner.library.is_some()
                || (o.owner.session.is_some() && o.label.kind != InterfaceKind::MapiSession)
        })
    }

    /// `SESSION-LEAK`: once a session is logged off, its teardown is over (every logon torn down,
    /// every provider shut down and released, on whichever thread) and its client handles are
    /// gone, nothing a provider made for it may be alive.
    fn check_session_leaks(&self) {
        // One due session at a time: nothing is allocated to list them.
        while let Some(id) = self.next_session_torn_down() {
            self.check_session_leak(id);
        }
    }

    /// A session due for `SESSION-LEAK` whose teardown is over, taken from the due list and put
    /// on the list to retire.
    fn next_session_torn_down(&self) -> Option<u32> {
        let mut st = self.st();
        let st = &mut *st;
        let (sessions, logons) = (&st.sessions, &st.logons);
        let torn_down = |id: &u32| {
            sessions.get(id).is_none_or(|s| {
                s.client_handles == 0
                    && s.providers.is_empty()
                    && s.logons.iter().all(|k| {
                        logons.get(*k).is_none_or(|r| {
                            r.phase == state::LogonPhase::TornDown
                                && !matches!(
                                    r.teardown,
                                    state::Teardown::Running | state::Teardown::Pending(_)
                                )
                        })
                    })
            })
        };
        let at = st.leak_checks_due.iter().position(torn_down)?;
        let id = st.leak_checks_due.remove(at);
        st.retire_due.push(id);
        Some(id)
    }

    /// `SESSION-LEAK` for session `id`, whose teardown is over.
    fn check_session_leak(&self, id: u32) {
        // Objects that went out as an interface (a logon, a store, a status object, a table)
        // are the session's and must be gone; a plain object that never did may be a
        // DLL-wide cache, kept for later sessions and released at unload (the pages ask
        // per-initialization provider objects, nothing of other DLL state).
        let leaks = self.ledger.leaks_in_session_of(id, |label, owner| {
            owner.library.is_some() && label.kind != InterfaceKind::Object
        });
        if !leaks.is_empty() {
            let labels: Vec<ObjLabel> = leaks.objects.iter().map(|o| o.label).collect();
            let by = leaks.objects[0]
                .owner
                .library
                .clone()
                .map_or(Party::Mapi, Party::Library);
            self.violation(
                &rules::SESSION_LEAK,
                format!("after session {id} was torn down, {leaks}")
                    .trim_end()
                    .to_owned(),
                labels,
                by,
            );
        }
    }

    fn finish(&self) {
        let call = self.trace.begin_call(Party::Client, Party::Mapi, "finish", "");
        let _mapi = self.mapi_scope();
        if self.exited_fast() {
            // The process exited after DoFastShutdown: what is still open, held, allocated or
            // loaded went with it, and nobody is held to the teardown.
            self.drop_undelivered("by the end");
            call.finish(Status::Ok, "");
            return;
        }
        self.check_store_support_release(None);
        self.settle();
        let (init_count, active, handles) = {
            let st = self.st();
            let active: Vec<u32> = st
                .open_sessions()
                .filter(|(_, s)| s.active)
                .map(|(id, _)| id)
                .collect();
            let handles = unchecked_handles(&st);
            (st.init_count, active, handles)
        };
        if init_count > 0 {
            self.client_violation(
                &rules::CLIENT_INIT_BALANCED,
                format!("{init_count} MAPIInitialize call(s) were never balanced by MAPIUninitialize"),
            );
        } else {
            // The last MAPIUninitialize already checked sessions and handles.
        }
        if init_count > 0 {
            for id in &active {
                self.client_violation(
                    &rules::CLIENT_LOGOFF,
                    format!("session {id} was never logged off"),
                );
            }
            if handles > 0 {
                self.client_violation(
                    &rules::CLIENT_RELEASE,
                    format!("the client still holds {handles} store object(s) at the end"),
                );
            }
        }
        let loaders: Vec<Arc<str>> = {
            let st = self.st();
            let mut loaders: Vec<Arc<str>> = Vec::new();
            for party in st.loader.parties() {
                if let Party::Library(by) = party
                    && !loaders.contains(by)
                {
                    loaders.push(Arc::clone(by));
                }
            }
            loaders
        };
        for loader in loaders {
            self.check_provider_loads(&loader, "at the end");
        }
        // MAPI's loads are paired by the last MAPIUninitialize: those left are what
        // CLIENT-INIT-BALANCED costs.
        let unpaired = self.st().loader.unpaired_by(&Party::Mapi);
        if !unpaired.is_empty() {
            let list: Vec<String> = unpaired.iter().map(|(file, n)| format!("{file} ({n})")).collect();
            self.note(format!(
                "without the last MAPIUninitialize, MAPI never freed its loads of {}",
                list.join(", ")
            ));
        }
        if active.is_empty() && handles == 0 {
            // Every session is torn down: what a provider made and is still alive leaked.
            let leaks = self.ledger.leaks(|o| o.owner.library.is_some());
            let already: Vec<ObjLabel> = self
                .st()
                .violations
                .iter()
                .filter(|v| v.rule == &rules::SESSION_LEAK)
                .flat_map(|v| v.objects.clone())
                .collect();
            let fresh: Vec<ObjLabel> = leaks
                .objects
                .iter()
                .map(|o| o.label)
                .filter(|l| !already.contains(l))
                .collect();
            if !fresh.is_empty() {
                let names: Vec<String> = fresh.iter().map(ToString::to_string).collect();
                self.violation(
                    &rules::SESSION_LEAK,
                    format!(
                        "at the end, provider objects are still alive: {}",
                        names.join(", ")
                    ),
                    fresh,
                    Party::Mapi,
                );
            }
        }
        self.drop_undelivered("by the end");
        self.check_buffer_leaks();
        call.finish(Status::Ok, "");
    }

    /// `MEM-LEAK`: every block still live at the end, grouped by who must free it.
    fn check_buffer_leaks(&self) {
        // MAPI frees the spool-security blobs it still holds (logons a client or a panic left
        // behind): those are MAPI's own, and the leak that kept them is reported elsewhere.
        let blobs: Vec<BufferId> = self
            .st()
            .logons
            .values_mut()
            .filter_map(|r| r.spool_buffer.take())
            .collect();
        for blob in blobs {
            self.routines.heap().release(blob, Party::Mapi);
        }
        let mut by_owner: Vec<(Party, Vec<crate::spi::memory::BlockInfo>)> = Vec::new();
        for block in self.routines.blocks().into_iter().filter(|b| b.root.is_none()) {
            match by_owner.iter_mut().find(|(owner, _)| *owner == block.owner) {
                Some((_, blocks)) => blocks.push(block),
                None => by_owner.push((block.owner.clone(), vec![block])),
            }
        }
        for (owner, blocks) in by_owner {
            let list: Vec<String> = blocks.iter().map(|b| format!("  {b}")).collect();
            self.violation(
                &rules::MEM_LEAK,
                format!(
                    "{} MAPI buffer(s) that {owner} must free are still live at the end:\n{}",
                    blocks.len(),
                    list.join("\n")
                ),
                Vec::new(),
                owner,
            );
        }
    }

    /// MAPI (or the client's handle, `to`) takes a block returned through an output parameter.
    /// Returns `false`, after reporting `MEM-OUT-ROOT`, if it is not a live root block of MAPI's
    /// routines.
    pub(crate) fn receive_block(
        &self,
        id: BufferId,
        from: &Party,
        to: Party,
        what: impl Into<crate::spi::memory::Purpose>,
        objects: &[ObjLabel],
    ) -> bool {
        match self.routines.heap().hand_over(id, to, what.into()) {
            Ok(()) => true,
            Err((bad, what)) => {
                self.violation(
                    &rules::MEM_OUT_ROOT,
                    format!("{from} returned {} as {what}", bad.describe(id)),
                    objects.to_vec(),
                    from.clone(),
                );
                false
            }
        }
    }

    /// MAPI (or the client's handle, `to`) takes a typed result `from` returned, reads it and
    /// frees it. `None` if it was not a live root block (`MEM-OUT-ROOT` reported).
    pub(crate) fn take_result<T: crate::spi::BufferValue>(
        &self,
        buffer: crate::spi::MapiBuffer<T>,
        from: &Party,
        to: Party,
        what: impl Into<crate::spi::memory::Purpose>,
        objects: &[ObjLabel],
    ) -> Option<T> {
        if !self.receive_block(buffer.id(), from, to.clone(), what, objects) {
            return None;
        }
        self.routines.heap().take_value::<T>(buffer.id(), to)
    }

    /// MAPI reads and frees the `MAPIERROR` a provider of `file` wrote to `*lppMAPIError` of
    /// `method`, if it wrote one, and notes it in the trace. With `unicode`, whether the call
    /// carried `MAPI_UNICODE`: its strings must be in that encoding (`LOGON-MAPIERROR`).
    pub(crate) fn take_mapi_error(
        &self,
        out: &crate::spi::OutParam<crate::spi::MapiBuffer<crate::spi::MapiErrorInfo>>,
        method: &str,
        unicode: Option<bool>,
        file: &Arc<str>,
        object: Option<ObjLabel>,
    ) {
        let Some(buffer) = out.get() else {
            return;
        };
        let what = format!("the MAPIERROR of {method}");
        let by = Party::Library(Arc::clone(file));
        let objects: &[ObjLabel] = object.as_slice();
        let Some(info) = self.take_result(buffer, &by, Party::Mapi, what, objects) else {
            return;
        };
        let text = |s: &Option<crate::strings::TString>| {
            s.as_ref()
                .map_or_else(|| "NULL".to_owned(), |s| format!("{:?}", s.to_string_lossy()))
        };
        let who = object.map_or_else(|| file.to_string(), |o| o.to_string());
        self.trace.record(EventKind::Note {
            by: Party::Mapi,
            text: format!(
                "{who} returned a MAPIERROR from {method}: {} from {} (low-level error {:#x}, context {:#x})",
                text(&info.error),
                text(&info.component),
                info.low_level_error,
                info.context
            )
            .into(),
        });
        let Some(unicode) = unicode else {
            return;
        };
        let wrong = [&info.error, &info.component]
            .into_iter()
            .flatten()
            .find(|s| s.is_unicode() != unicode);
        if let Some(s) = wrong {
            let (is, flag) = if unicode {
                ("8-bit", "with")
            } else {
                ("UTF-16", "without")
            };
            self.violation(
                &rules::LOGON_MAPIERROR,
                format!(
                    "the MAPIERROR of {method} has a string in {is} ({:?}), and MAPI called {flag} MAPI_UNICODE",
                    s.to_string_lossy()
                ),
                objects,
                by,
            );
        }
    }

    /// MAPI allocates the typed result of the open call for whoever's code runs now; the caller
    /// must free it.
    pub(crate) fn allocate_result<T: crate::spi::BufferValue>(
        &self,
        value: T,
        method: &'static str,
        purpose: crate::spi::memory::Purpose,
    ) -> MapiResult<crate::spi::MapiBuffer<T>> {
        let site = crate::spi::memory::AllocationSite::Call {
            method,
            event: self.trace.current_call().unwrap_or(crate::trace::EventId(0)),
        };
        self.routines
            .heap()
            .mapi_allocate(
                crate::spi::memory::Content::value(value),
                crate::object::current_party(),
                site,
                purpose,
            )
            .map(crate::spi::MapiBuffer::from_id)
    }

    /// MAPI allocates a byte block as the result of the open call for whoever's code runs now.
    pub(crate) fn allocate_result_bytes(
        &self,
        bytes: Vec<u8>,
        method: &'static str,
        purpose: crate::spi::memory::Purpose,
    ) -> MapiResult<BufferId> {
        let site = crate::spi::memory::AllocationSite::Call {
            method,
            event: self.trace.current_call().unwrap_or(crate::trace::EventId(0)),
        };
        self.routines.heap().mapi_allocate(
            crate::spi::memory::Content::Bytes(std::borrow::Cow::Owned(bytes)),
            crate::object::current_party(),
            site,
            purpose,
        )
    }
}

/// The rows MAPI itself puts in a session's status table: the subsystem, the spooler (failing
/// with `MAPI_NO_MAIL`: the spooler is not told about the session) and the integrated address
/// book.
fn mapi_status_rows(flags: LogonFlags) -> &'static [state::StatusRow] {
    /// Built once: the rows of a session that may send, and of one that may not.
    static ROWS: std::sync::LazyLock<[Vec<state::StatusRow>; 2]> =
        std::sync::LazyLock::new(|| [build_mapi_status_rows(false), build_mapi_status_rows(true)]);
    &ROWS[usize::from(flags.contains(LogonFlags::NO_MAIL))]
}

/// MAPI's own status rows, for a session logged on with or without `MAPI_NO_MAIL`.
fn build_mapi_status_rows(no_mail: bool) -> Vec<state::StatusRow> {
    use crate::flags::{ObjectType, ResourceType, StatusCode};
    use crate::props::{
        PR_DISPLAY_NAME_W, PR_OBJECT_TYPE, PR_PROVIDER_DISPLAY_W, PR_RESOURCE_TYPE, PR_ROWID, PR_STATUS_CODE,
    };
    let spooler = if no_mail {
        StatusCode::FAILURE
    } else {
        StatusCode::AVAILABLE
    };
    [
        (ResourceType::Subsystem, "MAPI Subsystem", StatusCode::AVAILABLE),
        (ResourceType::Spooler, "MAPI Spooler", spooler),
        (ResourceType::Ab, "MAPI Address Book", StatusCode::AVAILABLE),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (kind, name, code))| {
        let mut props = PropBag::new();
        let _ = props.set(PR_DISPLAY_NAME_W, name);
        let _ = props.set(PR_PROVIDER_DISPLAY_W, "MAPI");
        let _ = props.set(PR_RESOURCE_TYPE, kind.value());
        let _ = props.set(PR_STATUS_CODE, code.bits());
        let _ = props.set(PR_OBJECT_TYPE, ObjectType::Status.value());
        let _ = props.set(PR_ROWID, i as u32);
        state::StatusRow {
            logon: None,
            props: Arc::new(state::RowColumns {
                set: props,
                mapi: None,
            }),
        }
    })
    .collect()
}

#[cold]
fn unreachable_runtime() -> ! {
    panic!("the simulated MAPI was used after it was dropped")
}

/// The store handles the client still holds in sessions whose `IMAPISession::Logoff` did not
/// already report them (`CLIENT-RELEASE`).
fn unchecked_handles(st: &State) -> u32 {
    st.open_sessions()
        .filter(|(_, s)| !s.client_logged_off)
        .map(|(_, s)| s.client_handles)
        .sum()
}
