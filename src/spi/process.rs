//! The process's own library loader, as provider code reaches it: Win32 `LoadLibrary`,
//! `GetProcAddress` and `FreeLibrary` over the DLLs registered with the simulator.
//!
//! A provider that wraps another one (a wrapping store that forwards to the real store provider)
//! loads that provider's DLL itself: the process loads it, not MAPI. Such loads are the loading
//! DLL's to pair: the simulator's library ledger records them as made by that DLL, and a load
//! still held when the loading DLL is unloaded (or at the end) breaks `LIB-LOAD-PAIRED`. A loaded
//! DLL is a fresh instance the first time (its statics are born), as for MAPI's own loads, and
//! objects of it alive when its last load is freed break `LIB-UNLOAD-LIVE`.
//!
//! The loader is reached through the module handle the entry points get
//! ([`ModuleInstance::process`](crate::spi::ModuleInstance::process)): the loads are the loads of
//! the DLL that handle belongs to.
//!
//! ```
//! use mapisim::prelude::*;
//! use mapisim::sample::SampleStore;
//!
//! /// A DLL that loads the sample's, asks its entry point for a provider, and lets both go.
//! struct Wrapper;
//!
//! impl ProviderLibrary for Wrapper {
//!     fn exports(&self) -> Exports {
//!         Exports::MS_PROVIDER_INIT
//!     }
//!
//!     fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
//!         let inner = args.instance.process().load_library(SampleStore::DLL_FILE)?;
//!         assert!(inner.exports().contains(Exports::MS_PROVIDER_INIT));
//!         let provider = inner.ms_provider_init(args);
//!         drop(provider); // (a real wrapper keeps it, and the library, until its Shutdown)
//!         inner.free_library();
//!         Err(MapiError::NoSupport)
//!     }
//! }
//!
//! let sim = Simulator::builder()
//!     .library("WRAP32.DLL", || Wrapper)
//!     .library(SampleStore::DLL_FILE, SampleStore::library)
//!     .service(ServiceDef::new("WRAP").provider(ProviderDef::store("WRAP.DLL")))
//!     .build();
//! sim.profiles().create("P")?.add_service("WRAP")?;
//! let mapi = sim.initialize(InitFlags::empty())?;
//! let session = mapi.logon_ex("P", LogonFlags::EXTENDED)?;
//! let row = session.msg_stores_table()?.default_store()?;
//! assert!(session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE).is_err());
//! session.logoff(SessionLogoffFlags::empty())?;
//! mapi.uninitialize()?;
//! let report = sim.finish();
//! assert!(report.loads.unpaired().is_empty());
//! assert!(report.trace().text().contains("WRAP32.DLL -> SMPMS32.DLL: LoadLibrary() = 1, new instance"));
//! # Ok::<(), MapiError>(())
//! ```

use std::fmt;
use std::sync::{Arc, Weak};

use crate::error::{MapiError, MapiResult};
use crate::object::Scope;
use crate::spi::library::{
    Exports, InitArgs, ModuleInstance, ProviderInit, ProviderLibrary, ServiceEntryArgs,
};
use crate::spi::store::MsProvider;
use crate::trace::{Party, Trace};

/// What a [`Process`] needs from the simulator.
pub(crate) trait LibraryHost: Send + Sync {
    /// `LoadLibrary(file)` by `by`: the loaded file's name, its instance and its module handle.
    fn load(&self, file: &str, by: &Arc<str>)
    -> Option<(Arc<str>, Arc<dyn ProviderLibrary>, ModuleInstance)>;

    /// `FreeLibrary` of `file` by `by`.
    fn free(&self, file: &Arc<str>, by: &Arc<str>);

    /// Runs code of the DLL `file`: a scope for it, on this thread.
    fn enter(&self, file: &Arc<str>) -> Scope;

    /// The trace the calls go to.
    fn trace(&self) -> &Trace;
}

/// The process a DLL instance is loaded in, as its code reaches the Win32 loader. See the
/// [module documentation](self).
#[derive(Clone)]
pub struct Process {
    host: Option<Weak<dyn LibraryHost>>,
    /// The DLL whose code loads.
    by: Arc<str>,
}

impl fmt::Debug for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Process")
            .field("by", &self.by)
            .field("attached", &self.host.is_some())
            .finish()
    }
}

impl Process {
    /// A process with no DLLs: every `LoadLibrary` fails (for module handles made outside a
    /// simulator).
    pub fn detached(by: impl Into<Arc<str>>) -> Process {
        Process {
            host: None,
            by: by.into(),
        }
    }

    pub(crate) fn attached(host: Weak<dyn LibraryHost>, by: Arc<str>) -> Process {
        Process { host: Some(host), by }
    }

    fn host(&self) -> Option<Arc<dyn LibraryHost>> {
        self.host.as_ref().and_then(Weak::upgrade)
    }

    /// `LoadLibrary`: loads `file` (found as MAPI finds DLLs: the registered name, with its `32`)
    /// for the DLL this process handle belongs to, and returns its module. A DLL that is not
    /// registered gives `MAPI_E_NOT_FOUND` (Win32's `ERROR_MOD_NOT_FOUND`).
    ///
    /// The module does not free itself: pair the load with [`LoadedLibrary::free_library`].
    pub fn load_library(&self, file: &str) -> MapiResult<LoadedLibrary> {
        let host = self.host().ok_or(MapiError::NotFound)?;
        let (file, library, instance) = host.load(file, &self.by).ok_or(MapiError::NotFound)?;
        Ok(LoadedLibrary {
            host: Arc::downgrade(&host),
            by: Arc::clone(&self.by),
            file,
            library,
            instance,
        })
    }
}

/// A DLL a provider loaded (`HMODULE`): its exports, reached as `GetProcAddress` reaches them,
/// and its `FreeLibrary`. Dropping it frees nothing, as with a module handle: a load never freed
/// stays held.
pub struct LoadedLibrary {
    host: Weak<dyn LibraryHost>,
    by: Arc<str>,
    file: Arc<str>,
    library: Arc<dyn ProviderLibrary>,
    instance: ModuleInstance,
}

impl fmt::Debug for LoadedLibrary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedLibrary")
            .field("file", &self.file)
            .field("by", &self.by)
            .field("instance", &self.instance)
            .finish()
    }
}

impl LoadedLibrary {
    /// The file name it was loaded under.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Its module handle (`hInstance`), to pass to its entry points.
    pub fn instance(&self) -> &ModuleInstance {
        &self.instance
    }

    /// The entry points `GetProcAddress` finds in it.
    pub fn exports(&self) -> Exports {
        self.library.exports()
    }

    /// Calls one of its entry points, traced as a call from the loading DLL, with the code of
    /// the loaded DLL in its own scope (what it makes is its own). `MAPI_E_CALL_FAILED` when
    /// `GetProcAddress` would not find it.
    fn call_entry<R>(
        &self,
        export: Exports,
        args: String,
        f: impl FnOnce(&dyn ProviderLibrary) -> MapiResult<R>,
    ) -> MapiResult<R> {
        let Some(host) = self.host.upgrade() else {
            return Err(MapiError::CallFailed);
        };
        let call = host.trace().begin_call(
            Party::Library(Arc::clone(&self.by)),
            Party::Library(Arc::clone(&self.file)),
            export.entry_name(),
            args,
        );
        let result = if self.library.exports().contains(export) {
            let _code = host.enter(&self.file);
            f(&*self.library)
        } else {
            Err(MapiError::CallFailed)
        };
        call.finish_result(&result, |_| String::new());
        result
    }

    /// `GetProcAddress("MSProviderInit")` and the call: the loaded DLL's store provider, with
    /// the arguments the wrapper got (or its own).
    pub fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        self.call_entry(
            Exports::MS_PROVIDER_INIT,
            format!("mapi_ver={}", args.mapi_version),
            |library| library.ms_provider_init(args),
        )
    }

    /// `GetProcAddress` of the message-service entry point and the call.
    pub fn service_entry(&self, args: &ServiceEntryArgs<'_>) -> MapiResult<()> {
        self.call_entry(
            Exports::SERVICE_ENTRY,
            format!("{}, {}", args.context, args.flags),
            |library| library.service_entry(args),
        )
    }

    /// `FreeLibrary`: pairs the load. When it was the last load, the DLL is unloaded: its statics
    /// die, and objects of it still alive break `LIB-UNLOAD-LIVE`.
    pub fn free_library(self) {
        let LoadedLibrary {
            host,
            by,
            file,
            library,
            ..
        } = self;
        // The handle's hold on the instance goes first: the unload is what drops it.
        drop(library);
        if let Some(host) = host.upgrade() {
            host.free(&file, &by);
        }
    }
}
