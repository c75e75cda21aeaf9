//! A compiled provider library hosted by the simulator, through the COM binary interface.
//!
//! [`NativeLibraries::native_library`] registers a shared library (`libsmpms32.so`, a DLL
//! built for the platform) under the file name MAPI loads it by. From then on the simulator's
//! `LoadLibrary` of that name opens the file (`dlopen`), `MSProviderInit` and the message-service
//! entry point are called through their exported symbols, and every object crosses the binary
//! interface as a COM interface pointer:
//!
//! - **to the library**: the simulator's `IMalloc`, support objects, profile sections and
//!   provider-administration objects, tables and advise sinks are handed over as *proxies* whose
//!   `AddRef` and `Release` are the Rust object's own count, so every reference the library takes
//!   or drops is counted, traced and checked as a Rust provider's would be; MAPI's allocation
//!   routines are C functions bound to the simulator's routines (a fixed table of them: at most
//!   64 libraries are loaded at once in a process);
//! - **from the library**: the provider, logon and store objects it returns are adapted to the
//!   `mapisim::spi` traits ([`adapt`]), one Rust object per COM object, so the simulator drives
//!   the compiled code through the documented lifecycle like a provider written in Rust; property
//!   arrays and `MAPIERROR`s the library lays out are read back from its memory.
//!
//! MAPI memory is then real memory: the builder puts the simulator's allocation routines on a
//! [`HostHeap`], which lays out every value MAPI hands the library in its C layout.
//!
//! # What differs from a provider written in Rust
//!
//! - The trace shows the calls that cross the interface. The library's references to its own
//!   objects (a logon keeping its store) are inside the library and not seen; the simulator
//!   counts the references *it* holds on the library's objects, and every reference the library
//!   holds on MAPI's.
//! - A property array the library returns is its `MAPIAllocateBuffer` and `MAPIAllocateMore`
//!   calls, traced one by one, where a Rust provider allocates one typed block.
//! - **Unloading**: a load's handle is closed when MAPI frees the library *and* no object the
//!   simulator got from it is left (a leak the report names); closing it earlier would leave
//!   those objects' `Release` pointing at unmapped code. But the file is never unmapped: one
//!   handle of each file stays open for the life of the process, because a Rust library never
//!   drops its statics (the heap blocks they own would be lost with the mapping) and threads it
//!   started may still run its code. So a reload finds the library's statics as they were, where
//!   a simulated library starts afresh: the simulator's ledger of loads and frees is what counts.
//! - The methods that take or return objects other than those above, the provider table and
//!   advise sinks (other tables, messages, folders, progress objects) are not carried across
//!   yet: they answer `MAPI_E_NO_SUPPORT` (each vtable's documentation lists them).
//!   Notifications cross both ways: a library's `Subscribe` and `Notify` reach the simulator's
//!   support object, and a sink advised on a hosted store is handed to the library as a proxy
//!   ([`crate::notify`] lays the `NOTIFICATION`s out).
//!
//! ```no_run
//! use mapisim::prelude::*;
//! use mapisim::sample::SampleStore;
//! use mapisim_com::host::NativeLibraries;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = Simulator::builder()
//!     .native_library("SMPMS32.DLL", "target/debug/libsmpms32.so")?
//!     .mapisvc_inf(SampleStore::MAPISVC_INF)?
//!     .build();
//! # Ok(())
//! # }
//! ```

pub mod adapt;
mod alloc;
mod battery;
mod heap;
mod proxy;
mod table;

use core::ffi::c_void;
use core::mem::ManuallyDrop;
use core::ptr;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use mapisim::flags::SpiVersion;
use mapisim::runtime::SimulatorBuilder;
use mapisim::spi::{
    AbProvider, BufferId, Exports, InitArgs, Malloc, MallocBlock, MemRoutines, MsProvider, ProviderInit,
    ProviderLibrary, ServiceEntryArgs, XpProvider,
};
use mapisim::{MapiError, MapiResult};
use windows_core::Interface;

pub use battery::native_conformance;
pub use heap::HostHeap;

use crate::entry::{
    AB_PROVIDER_INIT_NAME, ABProviderInit, LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER,
    MS_PROVIDER_INIT_NAME, MSGSERVICEENTRY, MSProviderInit, XP_PROVIDER_INIT_NAME, XPProviderInit,
};
use crate::interfaces::{IABProvider, IMSProvider, IXPProvider};
use alloc::AllocatorSlot;
use proxy::{MallocPair, Proxies};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a library could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The file could not be loaded (`dlopen` failed).
    #[error("{path}: cannot be loaded: {reason}")]
    Load {
        /// The file.
        path: PathBuf,
        /// The loader's message.
        reason: String,
    },
    /// The file exports no provider entry point (`MSProviderInit`, `ABProviderInit`, `XPProviderInit`) and not the message-service entry point.
    #[error(
        "{path}: exports no provider entry point (MSProviderInit, ABProviderInit, XPProviderInit) and not {service_entry}"
    )]
    NoEntryPoint {
        /// The file.
        path: PathBuf,
        /// The service entry's name looked for.
        service_entry: String,
    },
}

/// Registering compiled provider libraries with a [`SimulatorBuilder`].
pub trait NativeLibraries: Sized {
    /// Registers the shared library at `path` under the file name MAPI loads it by (`file`, as
    /// for [`SimulatorBuilder::library`]), with its message-service entry point named
    /// `ServiceEntry`, and puts MAPI's memory on a [`HostHeap`] (replacing an earlier
    /// [`SimulatorBuilder::memory_backend`]; a later one must lay values out in C as the heap
    /// does). The file is opened once here to check that it loads and exports an entry point.
    fn native_library(self, file: &str, path: impl AsRef<Path>) -> Result<Self, HostError> {
        self.native_library_with_entry(file, path, "ServiceEntry")
    }

    /// [`NativeLibraries::native_library`] with the service entry point's exported name (what
    /// the service's `PR_SERVICE_ENTRY_NAME` in Mapisvc.inf says).
    fn native_library_with_entry(
        self,
        file: &str,
        path: impl AsRef<Path>,
        service_entry: &str,
    ) -> Result<Self, HostError>;
}

impl NativeLibraries for SimulatorBuilder {
    fn native_library_with_entry(
        self,
        file: &str,
        path: impl AsRef<Path>,
        service_entry: &str,
    ) -> Result<Self, HostError> {
        let path = path.as_ref().to_path_buf();
        let probe = NativeLibrary::open(file, &path, service_entry)?;
        if probe.exports().is_empty() {
            return Err(HostError::NoEntryPoint {
                path,
                service_entry: service_entry.to_owned(),
            });
        }
        drop(probe);
        let file_name = file.to_owned();
        let entry = service_entry.to_owned();
        Ok(self
            .memory_backend(Arc::new(HostHeap::new()))
            .library(file, move || NativeLibrary::load(&file_name, &path, &entry)))
    }
}

/// One handle of every library file ever opened, kept for the life of the process, so that no
/// library is ever unmapped: a Rust library's statics are never dropped (the heap blocks they
/// own would be lost with the mapping), and code of a library may still run on threads it
/// started. Each simulated load still opens and closes its own handle.
static PINNED: LazyLock<Mutex<HashMap<PathBuf, libloading::Library>>> = LazyLock::new(Mutex::default);

/// The library and its module handle, what MAPI passes the entry points as `hInstance`: the
/// handle `dlopen` returned on Unix. Elsewhere 0 (NULL): a provider that needs its `HINSTANCE`
/// (to load resources) gets none there yet.
fn module_handle(library: libloading::Library) -> (libloading::Library, usize) {
    #[cfg(unix)]
    {
        let raw = libloading::os::unix::Library::from(library).into_raw();
        // SAFETY: `raw` is the handle `into_raw` just gave up, of a library that is still
        // open; wrapping it again makes the one owner that closes it.
        let library = unsafe { libloading::os::unix::Library::from_raw(raw) };
        (library.into(), raw.expose_provenance())
    }
    #[cfg(not(unix))]
    {
        (library, 0)
    }
}

/// What a loaded library shares with every proxy and adapter made for it.
pub(crate) struct HostShared {
    file: String,
    /// The allocation functions' slot (`None` for a file that did not load).
    slot: Option<AllocatorSlot>,
    proxies: Mutex<Proxies>,
    /// `IMalloc` blocks: the process-heap block at each address and the simulator's.
    malloc: Mutex<HashMap<usize, MallocPair>>,
    /// The library's `mapisim_com_take_panic`, when it was built with this crate.
    take_panic: Option<TakePanic>,
    /// The module handle the entry points get as `hInstance` (see [`module_handle`]).
    pub(crate) handle: usize,
    /// Where inputs are laid out in C for the length of a call.
    scratch: HostHeap,
    /// The adapters of the library's objects, by COM identity.
    pub(crate) adapters: adapt::Adapters,
    /// Last, so that it is closed after everything above is dropped. Only held: the entry
    /// points were read from it when it was opened.
    #[expect(dead_code, reason = "held to keep the library loaded")]
    library: Option<libloading::Library>,
}

impl Drop for HostShared {
    fn drop(&mut self) {
        let blocks = self.malloc.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (address, (_, layout)) in blocks.drain() {
            // SAFETY: each block of the map was allocated with its layout at its address by
            // `malloc_alloc` and leaves the map once, here or when freed.
            unsafe { std::alloc::dealloc(ptr::with_exposed_provenance_mut(address), layout) };
        }
    }
}

#[cfg(test)]
impl HostShared {
    /// A host with no library, its allocation functions bound to `routines`: for the unit
    /// tests of the objects it hands over.
    pub(crate) fn detached(routines: &MemRoutines) -> Arc<HostShared> {
        let slot = AllocatorSlot::claim().ok();
        if let Some(slot) = &slot {
            slot.bind(routines);
        }
        HostShared::new("TEST32.DLL", slot, None)
    }
}

/// What an opened file gives the host state.
struct Loaded {
    library: libloading::Library,
    take_panic: Option<TakePanic>,
    handle: usize,
}

impl HostShared {
    /// The state of a load of `file`: its allocation slot, and the library when it opened.
    fn new(file: &str, slot: Option<AllocatorSlot>, loaded: Option<Loaded>) -> Arc<HostShared> {
        let (library, take_panic, handle) = match loaded {
            Some(Loaded {
                library,
                take_panic,
                handle,
            }) => (Some(library), take_panic, handle),
            None => (None, None, 0),
        };
        Arc::new(HostShared {
            file: file.to_owned(),
            slot,
            proxies: Mutex::default(),
            malloc: Mutex::default(),
            take_panic,
            handle,
            scratch: HostHeap::new(),
            adapters: adapt::Adapters::default(),
            library,
        })
    }
}

/// Something of the library's that the host holds (an interface pointer, an imported sink):
/// dropping it releases it through [`HostShared::call`], so that a panic the library caught in
/// its destructor is reported, and before the host state that keeps the library loaded is let go.
pub(crate) struct Released<T> {
    host: Arc<HostShared>,
    object: ManuallyDrop<T>,
}

impl<T> Released<T> {
    pub(crate) fn new(host: &Arc<HostShared>, object: T) -> Released<T> {
        Released {
            host: Arc::clone(host),
            object: ManuallyDrop::new(object),
        }
    }

    /// The state of the library it came from.
    pub(crate) fn host(&self) -> &Arc<HostShared> {
        &self.host
    }
}

impl<T> core::ops::Deref for Released<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.object
    }
}

impl<T> Drop for Released<T> {
    fn drop(&mut self) {
        let host = Arc::clone(&self.host);
        // SAFETY: dropped once, here; the field is not used after.
        host.call(|| unsafe { ManuallyDrop::drop(&mut self.object) });
    }
}

/// The type of [`crate::export::mapisim_com_take_panic`].
type TakePanic = unsafe extern "C" fn(buffer: *mut u8, size: usize) -> usize;

impl HostShared {
    /// The oldest panic the library's exported objects caught, if it was built with this crate
    /// and one is waiting.
    fn take_panic(&self) -> Option<String> {
        let take = self.take_panic?;
        let mut buffer = vec![0u8; 1024];
        // SAFETY: `take` is the library's function, loaded while `self` lives; the buffer is
        // valid for its length.
        let len = unsafe { take(buffer.as_mut_ptr(), buffer.len()) };
        let len = len.checked_sub(1)?;
        buffer.truncate(len);
        Some(String::from_utf8_lossy(&buffer).into_owned())
    }

    /// Runs a call into the library, then raises on this side the panic the library caught
    /// during it, if any: the simulator, which runs provider code under `catch_unwind`, reports
    /// it as the provider's panic (`PROVIDER-PANIC`), as it does for a provider written in Rust.
    /// Nothing is raised while this thread is already unwinding.
    pub(crate) fn call<R>(&self, call: impl FnOnce() -> R) -> R {
        let result = call();
        if let Some(message) = self.take_panic()
            && !std::thread::panicking()
        {
            std::panic::panic_any(message);
        }
        result
    }

    /// The routines bound to the library's allocation functions.
    pub(crate) fn routines(&self) -> MapiResult<MemRoutines> {
        self.slot
            .as_ref()
            .and_then(AllocatorSlot::routines)
            .ok_or(MapiError::CallFailed)
    }

    /// The address of a block of the simulator's memory.
    pub(crate) fn address(&self, block: BufferId) -> MapiResult<usize> {
        self.routines()?.address(block).ok_or(MapiError::NoSupport)
    }

    /// The size of a block of bytes.
    pub(crate) fn size(&self, block: BufferId) -> MapiResult<u32> {
        u32::try_from(self.routines()?.read(block)?.len()).map_err(|_| MapiError::NotEnoughMemory)
    }

    /// The library's allocation functions; `routines` are bound to them if none are yet (MAPI's
    /// three routines are the same functions for every caller).
    pub(crate) fn allocators(
        &self,
        routines: &MemRoutines,
    ) -> MapiResult<(LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER)> {
        let slot = self.slot.as_ref().ok_or(MapiError::CallFailed)?;
        if slot.routines().is_none() {
            slot.bind(routines);
        }
        Ok(slot.functions())
    }

    /// `IMalloc::Alloc` (`old` `None`) or `Realloc`: a zeroed block on the process heap, also
    /// allocated in the simulator's `IMalloc`.
    pub(crate) fn malloc_alloc(&self, malloc: &dyn Malloc, old: Option<usize>, size: usize) -> *mut c_void {
        let old = old.filter(|&a| a != 0);
        let mut blocks = lock(&self.malloc);
        let previous = match old {
            Some(address) => match blocks.get(&address) {
                Some(&(block, layout)) => Some((address, block, layout)),
                None => return ptr::null_mut(),
            },
            None => None,
        };
        if size == 0 {
            if let Some((address, block, layout)) = previous {
                blocks.remove(&address);
                malloc.free(Some(block));
                // SAFETY: the block was allocated with this layout at this address and has left
                // the map.
                unsafe { std::alloc::dealloc(ptr::with_exposed_provenance_mut(address), layout) };
            }
            return ptr::null_mut();
        }
        let Ok(layout) = std::alloc::Layout::from_size_align(size, 16) else {
            return ptr::null_mut();
        };
        let Some(block) = malloc.realloc(previous.map(|(_, b, _)| b), size) else {
            return ptr::null_mut();
        };
        // SAFETY: the layout's size is not 0.
        let fresh = unsafe { std::alloc::alloc_zeroed(layout) };
        if fresh.is_null() {
            return ptr::null_mut();
        }
        if let Some((address, _, old_layout)) = previous {
            blocks.remove(&address);
            // SAFETY: the old block is live (in the map, under the lock) and holds
            // `old_layout.size()` bytes; the new one `size`; they do not overlap.
            unsafe {
                ptr::copy_nonoverlapping(
                    ptr::with_exposed_provenance::<u8>(address),
                    fresh,
                    old_layout.size().min(size),
                );
                std::alloc::dealloc(ptr::with_exposed_provenance_mut(address), old_layout);
            }
        }
        blocks.insert(fresh.expose_provenance(), (block, layout));
        fresh.cast()
    }

    /// `IMalloc::Free`.
    pub(crate) fn malloc_free(&self, malloc: &dyn Malloc, address: usize) {
        let Some((block, layout)) = lock(&self.malloc).remove(&address) else {
            return;
        };
        malloc.free(Some(block));
        // SAFETY: the block was allocated with this layout at this address and has left the map.
        unsafe { std::alloc::dealloc(ptr::with_exposed_provenance_mut(address), layout) };
    }

    /// `IMalloc::GetSize`: the size asked for, or `usize::MAX` (-1) for a block it did not make.
    pub(crate) fn malloc_size(&self, address: usize) -> usize {
        lock(&self.malloc)
            .get(&address)
            .map_or(usize::MAX, |(_, layout)| layout.size())
    }

    /// The simulator's block behind an `IMalloc` address.
    pub(crate) fn malloc_block(&self, address: usize) -> Option<MallocBlock> {
        lock(&self.malloc).get(&address).map(|(block, _)| *block)
    }
}

/// A compiled provider library, loaded: the [`ProviderLibrary`] the simulator calls, which calls
/// the library's exported entry points through the binary interface. Made by the factory
/// [`NativeLibraries::native_library`] registers, at each load.
pub struct NativeLibrary {
    host: Arc<HostShared>,
    init: Option<MSProviderInit>,
    ab_init: Option<ABProviderInit>,
    xp_init: Option<XPProviderInit>,
    service_entry: Option<MSGSERVICEENTRY>,
    service_entry_name: String,
    /// Why the file could not be loaded at this load, if it could not.
    error: Option<String>,
}

impl core::fmt::Debug for NativeLibrary {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NativeLibrary")
            .field("file", &self.host.file)
            .field("exports", &self.exports())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl NativeLibrary {
    /// Opens the library at `path`, as `LoadLibrary` of `file` does.
    fn open(file: &str, path: &Path, service_entry: &str) -> Result<NativeLibrary, HostError> {
        let slot = AllocatorSlot::claim().map_err(|e| HostError::Load {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let load = || {
            // SAFETY: loading a provider library runs its initialisers; the caller registered it
            // as one, built to be loaded by MAPI.
            unsafe { libloading::Library::new(path) }.map_err(|e| HostError::Load {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })
        };
        let (library, handle) = module_handle(load()?);
        {
            let mut pinned = lock(&PINNED);
            if !pinned.contains_key(path) {
                pinned.insert(path.to_path_buf(), load()?);
            }
        }
        // SAFETY: `MSProviderInit` has the type of `entry::MSProviderInit` in every provider
        // library (its documented signature); the pointer is used only while `library` is loaded
        // (the host keeps it until every object from it is gone).
        let init = unsafe { library.get::<MSProviderInit>(MS_PROVIDER_INIT_NAME.to_bytes_with_nul()) }
            .ok()
            .map(|symbol| *symbol);
        // SAFETY: as above, for `ABProviderInit` and `entry::ABProviderInit`.
        let ab_init = unsafe { library.get::<ABProviderInit>(AB_PROVIDER_INIT_NAME.to_bytes_with_nul()) }
            .ok()
            .map(|symbol| *symbol);
        // SAFETY: as above, for `XPProviderInit` and `entry::XPProviderInit`.
        let xp_init = unsafe { library.get::<XPProviderInit>(XP_PROVIDER_INIT_NAME.to_bytes_with_nul()) }
            .ok()
            .map(|symbol| *symbol);
        let mut name = service_entry.as_bytes().to_vec();
        name.push(0);
        // SAFETY: as above, for `MSGSERVICEENTRY`.
        let entry = unsafe { library.get::<MSGSERVICEENTRY>(name.as_slice()) }
            .ok()
            .map(|symbol| *symbol);
        // SAFETY: as above, for `mapisim_com_take_panic`, which a library built with this crate
        // exports with the type `TakePanic`.
        let take_panic = unsafe { library.get::<TakePanic>(b"mapisim_com_take_panic\0") }
            .ok()
            .map(|symbol| *symbol);
        Ok(NativeLibrary {
            host: HostShared::new(
                file,
                Some(slot),
                Some(Loaded {
                    library,
                    take_panic,
                    handle,
                }),
            ),
            init,
            ab_init,
            xp_init,
            service_entry: entry,
            service_entry_name: service_entry.to_owned(),
            error: None,
        })
    }

    /// [`NativeLibrary::open`] for a load by the simulator: a file that no longer loads gives a
    /// library that exports nothing (the load fails cleanly, as `GetProcAddress` would).
    fn load(file: &str, path: &Path, service_entry: &str) -> NativeLibrary {
        match NativeLibrary::open(file, path, service_entry) {
            Ok(library) => library,
            Err(error) => NativeLibrary {
                host: HostShared::new(file, None, None),
                init: None,
                ab_init: None,
                xp_init: None,
                service_entry: None,
                service_entry_name: service_entry.to_owned(),
                error: Some(error.to_string()),
            },
        }
    }

    /// Why the file could not be loaded at this load, if it could not.
    pub fn load_error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Calls one of the library's three provider entry points (they share one signature) with
    /// the simulator's `IMalloc` (a proxy), the allocation functions bound to `args.routines`,
    /// the flags and MAPI's version; the provider version it writes is passed on
    /// (`args.provider_version` on a failure: 0 reads as not written), and the provider object
    /// it returns comes back as `I`, with its reference.
    fn init_call<I: Interface>(
        &self,
        init: Option<MSProviderInit>,
        args: &InitArgs,
    ) -> MapiResult<(I, SpiVersion)> {
        let init = init.ok_or(MapiError::NoSupport)?;
        let (allocate_buffer, allocate_more, free_buffer) = self.host.allocators(&args.routines)?;
        let malloc = self
            .host
            .proxy_of(&args.malloc, &proxy::MALLOC, proxy::MALLOC_IIDS);
        let mut version = 0u32;
        let mut provider = ptr::null_mut();
        let instance = ptr::with_exposed_provenance_mut(self.host.handle);
        // SAFETY: `init` is one of the library's provider entry points, loaded while
        // `self.host` lives; every argument is what the entry point takes: a module handle, a
        // live IMalloc proxy, the three routines, two ULONGs and two out-pointers on the stack.
        let hr = self.host.call(|| unsafe {
            init(
                instance,
                malloc,
                Some(allocate_buffer),
                Some(allocate_more),
                Some(free_buffer),
                args.flags.bits(),
                args.mapi_version.0,
                &mut version,
                &mut provider,
            )
        });
        // SAFETY: NULL or the provider object of the entry point's kind, with one reference for
        // the caller.
        let provider = (!provider.is_null()).then(|| unsafe { I::from_raw(provider) });
        if hr.is_err() {
            if version != 0 {
                args.provider_version.set(SpiVersion(version));
            }
            // A provider returned on a failure is released at once (MAPI would not see it).
            drop(provider);
            return Err(MapiError::from_hresult(hr.0));
        }
        let provider = provider.ok_or(MapiError::CallFailed)?;
        Ok((provider, SpiVersion(version)))
    }
}

impl ProviderLibrary for NativeLibrary {
    fn exports(&self) -> Exports {
        let mut exports = Exports::empty();
        if self.init.is_some() {
            exports |= Exports::MS_PROVIDER_INIT;
        }
        if self.ab_init.is_some() {
            exports |= Exports::AB_PROVIDER_INIT;
        }
        if self.xp_init.is_some() {
            exports |= Exports::XP_PROVIDER_INIT;
        }
        if self.service_entry.is_some() {
            exports |= Exports::SERVICE_ENTRY;
        }
        exports
    }

    fn service_entry_name(&self) -> &str {
        &self.service_entry_name
    }

    /// Calls the library's `MSProviderInit` with the simulator's `IMalloc` (a proxy), the
    /// allocation functions bound to `args.routines`, the flags and MAPI's version; the
    /// provider version it writes is passed on (`args.provider_version` on a failure: 0 reads as
    /// not written), and the `IMSProvider` it returns is adapted ([`adapt::NativeProvider`]).
    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        let (provider, version) = self.init_call::<IMSProvider>(self.init, args)?;
        Ok(ProviderInit {
            provider: adapt::NativeProvider::adopt(&self.host, provider),
            version,
        })
    }

    /// Calls the library's `ABProviderInit` as [`ms_provider_init`](Self::ms_provider_init)
    /// calls `MSProviderInit`, and adapts the `IABProvider` ([`adapt::NativeAbProvider`]).
    fn ab_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn AbProvider>> {
        let (provider, version) = self.init_call::<IABProvider>(self.ab_init, args)?;
        Ok(ProviderInit {
            provider: adapt::NativeAbProvider::adopt(&self.host, provider),
            version,
        })
    }

    /// Calls the library's `XPProviderInit` as [`ms_provider_init`](Self::ms_provider_init)
    /// calls `MSProviderInit`, and adapts the `IXPProvider` ([`adapt::NativeXpProvider`]).
    fn xp_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn XpProvider>> {
        let (provider, version) = self.init_call::<IXPProvider>(self.xp_init, args)?;
        Ok(ProviderInit {
            provider: adapt::NativeXpProvider::adopt(&self.host, provider),
            version,
        })
    }

    /// Calls the library's service entry point with the simulator's `IMalloc`, support object
    /// and provider-administration object (proxies), the properties laid out in C, and reads the
    /// `MAPIERROR` it returns into `args.mapi_error`.
    fn service_entry(&self, args: &ServiceEntryArgs<'_>) -> MapiResult<()> {
        adapt::service_entry(&self.host, self.service_entry.ok_or(MapiError::NoSupport)?, args)
    }
}
