//! The provider "DLL": its exports and its entry points.

use std::fmt;
use std::sync::Arc;

use crate::error::{MapiError, MapiResult};
use crate::flags::{ProviderInitFlags, ServiceContext, ServiceEntryFlags, SpiVersion};
use crate::ids::{Iid, MapiUid};
use crate::object::Ref;
use crate::props::Prop;
use crate::spi::ab::AbProvider;
use crate::spi::memory::{Malloc, MemRoutines};
use crate::spi::process::Process;
use crate::spi::store::MsProvider;
use crate::spi::support::{MapiSupport, ProfSect};
use crate::spi::xp::XpProvider;

bitflags::bitflags! {
    /// The entry points a provider DLL exports, as `GetProcAddress` finds them by name.
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
    pub struct Exports: u32 {
        /// `MSProviderInit`: the DLL holds a message-store provider.
        const MS_PROVIDER_INIT = 0x1;
        /// `ABProviderInit`: the DLL holds an address-book provider.
        const AB_PROVIDER_INIT = 0x2;
        /// `XPProviderInit`: the DLL holds a transport provider.
        const XP_PROVIDER_INIT = 0x4;
        /// A message-service entry point (`ServiceEntry` or the name `PR_SERVICE_ENTRY_NAME` gives).
        const SERVICE_ENTRY = 0x8;
    }
}

impl Exports {
    /// The exported function name of a single entry point.
    pub fn entry_name(self) -> &'static str {
        match self {
            Exports::MS_PROVIDER_INIT => "MSProviderInit",
            Exports::AB_PROVIDER_INIT => "ABProviderInit",
            Exports::XP_PROVIDER_INIT => "XPProviderInit",
            Exports::SERVICE_ENTRY => "ServiceEntry",
            _ => "(several entry points)",
        }
    }
}

/// A provider DLL. The simulator makes one instance per load (the factory registered with
/// [`SimulatorBuilder::library`](crate::runtime::SimulatorBuilder::library)) and drops it when the
/// load count returns to zero, so whatever the instance holds plays the part of the DLL's statics.
///
/// # DLL-wide state: in the instance, not in a Rust `static`
///
/// Keep what a C++ provider keeps in its DLL's globals in fields of the type implementing this
/// trait (behind a `Mutex` or an atomic, shared with the objects it makes through an `Arc`), never
/// in a Rust `static`, `thread_local!`, `OnceLock` or `lazy_static`. The simulator unloads a DLL
/// by dropping its instance, and the next load makes a fresh one: that is how a provider that
/// assumes its globals survive an unload (or are fresh at every load) gets caught. A Rust
/// `static` belongs to the test process, not to the simulated DLL: it survives every simulated
/// `FreeLibrary`, so state kept there leaks from one load into the next, from one test into the
/// next, and the simulator cannot see it. In the real DLL built from the same code (through a COM
/// shim), those statics would be the DLL's, and the two would behave differently.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
///
/// use mapisim::spi::{Exports, ProviderLibrary};
///
/// /// What the DLL's globals hold: born with the load, gone with the unload.
/// #[derive(Default)]
/// struct Globals {
///     logons: AtomicU32,
/// }
///
/// struct MyDll {
///     globals: Arc<Globals>, // handed to the provider objects the entry point makes
/// }
///
/// impl ProviderLibrary for MyDll {
///     fn exports(&self) -> Exports {
///         Exports::MS_PROVIDER_INIT
///     }
/// }
///
/// let dll = MyDll { globals: Arc::default() };
/// dll.globals.logons.fetch_add(1, Ordering::Relaxed);
/// assert_eq!(dll.globals.logons.load(Ordering::Relaxed), 1);
/// ```
///
/// Objects a provider creates must not outlive the DLL's unload: in Windows their code would be
/// gone. The simulator reports any that do.
pub trait ProviderLibrary: Send + Sync + 'static {
    /// The entry points this DLL exports. An entry point that is not exported is never called:
    /// the load fails cleanly, as `GetProcAddress` would.
    fn exports(&self) -> Exports;

    /// `MSProviderInit`: returns a **new** provider object (each call, even within one process)
    /// and the SPI version the provider implements. A provider that needs a newer SPI than
    /// `args.mapi_version` must fail with `MAPI_E_VERSION`, and only then: a MAPI at least as new
    /// as the provider's SPI is compatible (compare with `<`, never with `!=`). Set
    /// `args.provider_version` before checking, so that MAPI can tell which it was.
    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        let _ = args;
        Err(MapiError::NoSupport)
    }

    /// `ABProviderInit`: returns a **new** address-book provider object (each call, even within
    /// one process) and the SPI version the provider implements, with the version rules of
    /// [`ProviderLibrary::ms_provider_init`]. MAPI calls it once per session per DLL, when the
    /// client opens the address book. It must not call `MAPIInitialize` or `MAPIUninitialize`.
    fn ab_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn AbProvider>> {
        let _ = args;
        Err(MapiError::NoSupport)
    }

    /// `XPProviderInit`: returns a **new** transport provider object and the SPI version the
    /// provider implements, with the version rules of [`ProviderLibrary::ms_provider_init`]. The
    /// spooler calls it once per transport provider and session; a second transport logon of the
    /// same session reuses the object.
    fn xp_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn XpProvider>> {
        let _ = args;
        Err(MapiError::NoSupport)
    }

    /// The exported name of the message-service entry point (`MSGSERVICEENTRY`), when
    /// [`Exports::SERVICE_ENTRY`] is exported. MAPI looks it up by the name the service's
    /// `PR_SERVICE_ENTRY_NAME` gives; the default is `ServiceEntry`.
    fn service_entry_name(&self) -> &str {
        "ServiceEntry"
    }

    /// The message-service entry point: configures the service for `args.context`
    /// (`MSG_SERVICE_CREATE` when it is added to a profile, `MSG_SERVICE_CONFIGURE` with
    /// properties or after a logon returned `MAPI_E_UNCONFIGURED`, `MSG_SERVICE_DELETE` when it is
    /// removed, which must succeed). UI may be shown only when `args.flags` allows it.
    fn service_entry(&self, args: &ServiceEntryArgs<'_>) -> MapiResult<()> {
        let _ = args;
        Err(MapiError::NoSupport)
    }
}

/// A boxed library is a library: what a factory that chooses its library at run time returns
/// (`Box<dyn ProviderLibrary>`).
impl<L: ProviderLibrary + ?Sized> ProviderLibrary for Box<L> {
    fn exports(&self) -> Exports {
        (**self).exports()
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        (**self).ms_provider_init(args)
    }

    fn ab_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn AbProvider>> {
        (**self).ab_provider_init(args)
    }

    fn xp_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn XpProvider>> {
        (**self).xp_provider_init(args)
    }

    fn service_entry_name(&self) -> &str {
        (**self).service_entry_name()
    }

    fn service_entry(&self, args: &ServiceEntryArgs<'_>) -> MapiResult<()> {
        (**self).service_entry(args)
    }
}

/// The arguments of the message-service entry point (`MSGSERVICEENTRY`).
#[derive(Debug)]
pub struct ServiceEntryArgs<'a> {
    /// `hInstance`.
    pub instance: &'a ModuleInstance,
    /// `lpMalloc`.
    pub malloc: &'a Ref<dyn Malloc>,
    /// `lpMAPISup`: a message-service support object, which implements only `DoConfigPropsheet`,
    /// `GetLastError`, `GetMemAllocRoutines`, `GetSvcConfigSupportObj`, `MakeInvalid`, `NewUID`
    /// and `OpenProfileSection` (`NULL` opens the service's own section).
    pub support: &'a Ref<dyn MapiSupport>,
    /// `ulUIParam`: the parent window for a configuration dialog (0 in the simulator).
    pub ui_param: usize,
    /// `ulFlags`: whether UI may be shown (`SERVICE_UI_ALLOWED`, `SERVICE_UI_ALWAYS`), …
    pub flags: ServiceEntryFlags,
    /// `ulContext`: why the entry point is called.
    pub context: ServiceContext,
    /// `cValues`, `lpProps`: configuration properties, for `MSG_SERVICE_CONFIGURE` only.
    pub props: &'a [Prop],
    /// `lpProviderAdmin`: the service's providers and their profile sections.
    pub admin: &'a Ref<dyn ProviderAdmin>,
    /// `*lppMapiError`: extended information about a failure, which the entry point may write
    /// whatever it returns — a `MAPIERROR` allocated with MAPI's routines, freed by MAPI with one
    /// `MAPIFreeBuffer` (msgserviceentry).
    pub mapi_error: &'a OutParam<crate::spi::MapiBuffer<crate::spi::MapiErrorInfo>>,
}

/// `IProviderAdmin`: a message service's providers, as its entry point reaches them. Implemented
/// by MAPI (a COM shim implements it over the real pointer).
pub trait ProviderAdmin: Send + Sync {
    /// `GetLastError(hResult, ulFlags, lppMAPIError)`.
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<crate::spi::MapiBuffer<crate::spi::MapiErrorInfo>>> {
        let _ = (hresult, flags);
        Err(MapiError::NoSupport)
    }

    /// `GetProviderTable`: one row per provider of the service (`PR_PROVIDER_UID`,
    /// `PR_DISPLAY_NAME`, `PR_PROVIDER_DISPLAY`, `PR_RESOURCE_TYPE`, `PR_PROVIDER_DLL_NAME`, …).
    fn get_provider_table(&self, flags: u32) -> MapiResult<Vec<Vec<Prop>>>;

    /// `CreateProvider(lpszProvider, cValues, lpProps, ulUIParam, ulFlags, lpUID)`: adds the
    /// provider named by its section in Mapisvc.inf (UTF-16 when `flags` carry `MAPI_UNICODE`);
    /// returns its `PR_PROVIDER_UID`.
    fn create_provider(
        &self,
        name: crate::strings::TStr<'_>,
        props: &[Prop],
        ui_param: usize,
        flags: u32,
    ) -> MapiResult<MapiUid> {
        let _ = (name, props, ui_param, flags);
        Err(MapiError::NoSupport)
    }

    /// `DeleteProvider`.
    fn delete_provider(&self, uid: &MapiUid) -> MapiResult<()> {
        let _ = uid;
        Err(MapiError::NoSupport)
    }

    /// `OpenProfileSection(lpUID, lpInterface, ulFlags, lppProfSect)`: a provider's section by
    /// its `PR_PROVIDER_UID` (`None`: the service's own section), as `interface` (`None` or
    /// `IID_IProfSect`). `MAPI_MODIFY` opens it for writing.
    fn open_profile_section(
        &self,
        uid: Option<&MapiUid>,
        interface: Option<&Iid>,
        flags: crate::flags::ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>>;
}

/// `hInstance`: the module handle of a loaded DLL instance. Two loads separated by an unload have
/// different generations. It also reaches the process the DLL is loaded in
/// ([`ModuleInstance::process`]), for a provider that loads another DLL itself.
///
/// Under real MAPI (a COM shim), the handle carries the host's `HINSTANCE` value
/// ([`ModuleInstance::from_host`], [`ModuleInstance::handle`]); the simulator's have none.
#[derive(Clone, Debug)]
pub struct ModuleInstance {
    file: Arc<str>,
    generation: u32,
    process: Process,
    handle: Option<usize>,
}

impl PartialEq for ModuleInstance {
    fn eq(&self, other: &Self) -> bool {
        self.file == other.file && self.generation == other.generation && self.handle == other.handle
    }
}

impl Eq for ModuleInstance {}

impl std::hash::Hash for ModuleInstance {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.file.hash(state);
        self.generation.hash(state);
        self.handle.hash(state);
    }
}

impl ModuleInstance {
    /// A handle for generation `generation` of the DLL `file`, outside any simulator (its
    /// process loads nothing).
    pub fn new(file: impl Into<Arc<str>>, generation: u32) -> ModuleInstance {
        let file = file.into();
        ModuleInstance {
            process: Process::detached(Arc::clone(&file)),
            file,
            generation,
            handle: None,
        }
    }

    /// The handle of a DLL the host loaded: its file name and its real `HINSTANCE` value, as a
    /// COM shim receives them in `DllMain` or the entry point. Its process loads nothing (a
    /// provider under real MAPI calls the real `LoadLibrary`).
    pub fn from_host(file: impl Into<Arc<str>>, handle: usize) -> ModuleInstance {
        let file = file.into();
        ModuleInstance {
            process: Process::detached(Arc::clone(&file)),
            file,
            generation: 1,
            handle: Some(handle),
        }
    }

    /// The host's `HINSTANCE` value, for a handle made by [`ModuleInstance::from_host`].
    pub fn handle(&self) -> Option<usize> {
        self.handle
    }

    /// The handle of a DLL loaded in a simulated process.
    pub(crate) fn in_process(file: Arc<str>, generation: u32, process: Process) -> ModuleInstance {
        ModuleInstance {
            file,
            generation,
            process,
            handle: None,
        }
    }

    /// The file name the DLL was loaded under (with the `32`).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// How many times the DLL had been freshly loaded before this instance (from 1).
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// The process the DLL is loaded in: its `LoadLibrary` is this DLL's (see
    /// [`spi::process`](crate::spi::process)).
    pub fn process(&self) -> &Process {
        &self.process
    }
}

impl fmt::Display for ModuleInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (instance {})", self.file, self.generation)
    }
}

/// The arguments of a provider entry point (`MSProviderInit`, `ABProviderInit`, `XPProviderInit`).
///
/// The allocator routines and `lpMalloc` are MAPI's: a provider keeps what it needs. Keeping
/// `malloc` means cloning it — the documented `AddRef`.
#[derive(Debug)]
pub struct InitArgs {
    /// `hInstance`: the DLL instance.
    pub instance: ModuleInstance,
    /// `lpMalloc`: the OLE allocator, a counted object. AddRef (clone) it to keep it.
    pub malloc: Ref<dyn Malloc>,
    /// `lpAllocateBuffer`, `lpAllocateMore`, `lpFreeBuffer`.
    pub routines: MemRoutines,
    /// `ulFlags`: `MAPI_NT_SERVICE` when the provider is loaded inside a Windows service.
    pub flags: ProviderInitFlags,
    /// `ulMAPIVer`: the SPI version MAPI implements.
    pub mapi_version: SpiVersion,
    /// `*lpulProviderVer`: the SPI version the provider implements, which MAPI reads **whether
    /// the entry point succeeds or fails**. Set it first, as Microsoft's samples do, then
    /// compare: a provider that fails with `MAPI_E_VERSION` is checked against the version it set
    /// (`INIT-VERSION-RANGE`). On success, [`ProviderInit::version`] is what MAPI uses.
    pub provider_version: OutParam<SpiVersion>,
}

/// An output parameter a provider may write whatever its call returns, such as
/// `*lpulProviderVer` of an entry point. It starts unset; the last value set is the one the
/// caller reads.
///
/// ```
/// use mapisim::flags::SpiVersion;
/// use mapisim::spi::OutParam;
///
/// let out = OutParam::new();
/// assert_eq!(out.get(), None);
/// out.set(SpiVersion::CURRENT);
/// assert_eq!(out.get(), Some(SpiVersion::CURRENT));
/// ```
pub struct OutParam<T> {
    value: std::sync::Mutex<Option<T>>,
}

impl<T> OutParam<T> {
    /// An unset parameter.
    pub const fn new() -> OutParam<T> {
        OutParam {
            value: std::sync::Mutex::new(None),
        }
    }

    /// Writes the parameter.
    pub fn set(&self, value: T) {
        *crate::sync::lock(&self.value) = Some(value);
    }
}

impl<T: Clone> OutParam<T> {
    /// What was written last, if anything.
    pub fn get(&self) -> Option<T> {
        crate::sync::lock(&self.value).clone()
    }
}

/// A parameter that goes both ways: the caller writes it before the call, the callee may change
/// it, and the caller reads it after (the `ULONG FAR *` parameters MAPI marks in and out, such as
/// the security parameters of `IABProvider::Logon`).
///
/// ```
/// use mapisim::spi::InOut;
///
/// let size = InOut::new(16_u32);
/// assert_eq!(size.get(), 16);
/// size.set(0);
/// assert_eq!(size.get(), 0);
/// ```
pub struct InOut<T> {
    value: std::sync::Mutex<T>,
}

impl<T: Copy> InOut<T> {
    /// The parameter, holding what the caller passes in.
    pub const fn new(value: T) -> InOut<T> {
        InOut {
            value: std::sync::Mutex::new(value),
        }
    }

    /// What the parameter holds now.
    pub fn get(&self) -> T {
        *crate::sync::lock(&self.value)
    }

    /// Writes the parameter.
    pub fn set(&self, value: T) {
        *crate::sync::lock(&self.value) = value;
    }
}

impl<T: Copy + fmt::Debug> fmt::Debug for InOut<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("InOut").field(&self.get()).finish()
    }
}

impl<T> Default for OutParam<T> {
    fn default() -> Self {
        OutParam::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OutParam<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*crate::sync::lock(&self.value) {
            Some(value) => write!(f, "OutParam({value:?})"),
            None => f.write_str("OutParam(unset)"),
        }
    }
}

/// What an entry point returns: the new provider object and `*lpulProviderVer`.
pub struct ProviderInit<P: ?Sized> {
    /// The new provider object.
    pub provider: Ref<P>,
    /// The SPI version the provider implements.
    pub version: SpiVersion,
}

impl<P: ?Sized> fmt::Debug for ProviderInit<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderInit")
            .field("provider", &self.provider)
            .field("version", &self.version)
            .finish()
    }
}
