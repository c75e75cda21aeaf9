//! A wrapping store provider: its DLL loads the real store provider's DLL itself (the process's
//! `LoadLibrary`, not MAPI's), asks its entry point for a provider and forwards to it. The loads it
//! makes are its own to pair, and the order of its releases matters: the wrapped DLL must outlive
//! its objects.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use std::sync::Mutex;

use mapisim::prelude::*;
use mapisim::sample::SampleStore;
use mapisim::spi::{ForwardSupport, LoadedLibrary, NoOverrides, OutParam};

const WRAP_FILE: &str = "WRAP32.DLL";

/// What the wrapper gets wrong.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mistake {
    None,
    /// It never frees the DLL it loaded.
    ForgetsFreeLibrary,
    /// It frees the DLL it loaded while it still holds the provider object that DLL made.
    FreesTooEarly,
}

struct WrapLibrary {
    mistake: Mistake,
}

impl ProviderLibrary for WrapLibrary {
    fn exports(&self) -> Exports {
        Exports::MS_PROVIDER_INIT
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        args.provider_version.set(SpiVersion::CURRENT);
        let library = args.instance.process().load_library(SampleStore::DLL_FILE)?;
        // The wrapped DLL gets its own module handle, and MAPI's routines.
        let inner_args = InitArgs {
            instance: library.instance().clone(),
            malloc: args.malloc.clone(),
            routines: args.routines.clone(),
            flags: args.flags,
            mapi_version: args.mapi_version,
            provider_version: OutParam::new(),
        };
        let inner = match library.ms_provider_init(&inner_args) {
            Ok(inner) => inner,
            Err(e) => {
                library.free_library();
                return Err(e);
            }
        };
        let provider = Ref::new(WrapProvider {
            mistake: self.mistake,
            inner: Mutex::new(Some(inner.provider)),
            library: Mutex::new(Some(library)),
        });
        Ok(ProviderInit {
            provider: provider.into(),
            version: SpiVersion::CURRENT,
        })
    }
}

struct WrapProvider {
    mistake: Mistake,
    inner: Mutex<Option<Ref<dyn MsProvider>>>,
    library: Mutex<Option<LoadedLibrary>>,
}

impl WrapProvider {
    fn inner(&self) -> MapiResult<Ref<dyn MsProvider>> {
        self.inner.lock().unwrap().clone().ok_or(MapiError::CallFailed)
    }
}

impl MsProvider for WrapProvider {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        let inner = self.inner.lock().unwrap().take();
        let library = self.library.lock().unwrap().take();
        if let Some(inner) = &inner {
            inner.shutdown(flags)?;
        }
        match self.mistake {
            Mistake::None => {
                // The wrapped provider goes first; then its DLL may be unloaded.
                drop(inner);
                if let Some(library) = library {
                    library.free_library();
                }
            }
            Mistake::ForgetsFreeLibrary => drop((inner, library)),
            Mistake::FreesTooEarly => {
                if let Some(library) = library {
                    library.free_library();
                }
                drop(inner);
            }
        }
        Ok(())
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        // The wrapped provider gets a support object of the wrapper's, which forwards everything.
        let support: Ref<dyn MapiSupport> =
            Ref::new(ForwardSupport::new(args.support.clone(), NoOverrides)).into();
        self.inner()?.logon(&StoreLogonArgs {
            support: &support,
            ..*args
        })
    }

    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        self.inner()?.spooler_logon(args)
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        self.inner()?.compare_store_ids(a, b, flags)
    }
}

fn lifecycle(mistake: Mistake) -> Report {
    let sim = Simulator::builder()
        .history(true)
        .library(WRAP_FILE, move || WrapLibrary { mistake })
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(
            ServiceDef::new("WRAP").provider(
                ProviderDef::store("WRAP.DLL")
                    .display_name("Wrapped Store")
                    .resource_flags(ResourceFlags::DEFAULT_STORE),
            ),
        )
        .build();
    sim.profiles().create("P").unwrap().add_service("WRAP").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    sim.spooler().run_until_idle();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish()
}

#[test]
fn a_wrapper_that_frees_what_it_loaded_after_its_objects_is_clean() {
    let report = lifecycle(Mistake::None);
    report.assert_clean();
    // Its loads are in the ledger as its own, paired, and the wrapped DLL was unloaded at its free.
    let wrap = Party::Library(WRAP_FILE.into());
    let own: Vec<_> = report.loads.records.iter().filter(|r| r.by == wrap).collect();
    assert_eq!(own.len(), 2, "{}", report.loads);
    assert!(own[0].boundary && own[1].boundary, "{}", report.loads);
    assert!(report.loads.unpaired().is_empty());
    let text = report.trace().text();
    assert!(
        text.contains("WRAP32.DLL -> SMPMS32.DLL: LoadLibrary() = 1, new instance (loaded by WRAP32.DLL)"),
        "{text}"
    );
    assert!(
        text.contains("WRAP32.DLL -> SMPMS32.DLL: MSProviderInit(mapi_ver=0.1.16) = S_OK"),
        "{text}"
    );
    assert!(
        text.contains("WRAP32.DLL -> SMPMS32.DLL: FreeLibrary() = 0, unloaded (freed by WRAP32.DLL)"),
        "{text}"
    );
    // Every object is named for the interface it is held as: the wrapped provider object, the
    // wrapper's support object, the wrapped store.
    // (History is on: every AddRef and Release of every object is a line of the trace.)
    assert!(!text.contains("object#"), "{text}");
    assert!(text.contains("WRAP32.DLL -> IMSProvider#"), "{text}");
}

#[test]
fn lib_load_paired_fires_for_a_wrapper_that_never_frees_what_it_loaded() {
    let report = lifecycle(Mistake::ForgetsFreeLibrary);
    assert_eq!(report.rule_ids(), vec!["LIB-LOAD-PAIRED"], "{}", report.account());
    let v = &report.violations[0];
    assert_eq!(v.by, Party::Library(WRAP_FILE.into()));
    assert!(
        v.message.contains(
            "WRAP32.DLL still held 1 load(s) of SMPMS32.DLL it made with LoadLibrary when it was unloaded"
        ),
        "{}",
        v.message
    );
}

#[test]
fn lib_unload_live_blames_the_wrapper_that_frees_a_dll_before_its_objects() {
    let report = lifecycle(Mistake::FreesTooEarly);
    assert_eq!(report.rule_ids(), vec!["LIB-UNLOAD-LIVE"], "{}", report.account());
    let v = &report.violations[0];
    assert_eq!(v.by, Party::Library(WRAP_FILE.into()), "{}", report.account());
    assert!(
        v.message
            .starts_with("SMPMS32.DLL was unloaded while 1 of its objects were alive: IMSProvider#"),
        "{}",
        v.message
    );
}
