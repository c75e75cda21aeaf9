//! The address-book part of the zoo: an address-book provider built like the sample's, with
//! switches that each break one documented contract. `AbDefect::None` follows every rule.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use mapisim::prelude::*;
use mapisim::profile::{ProviderDef, ServiceDef};
use mapisim::props::*;
use mapisim::sample::SampleStore;

/// The zoo address book's registered MAPIUID.
pub(crate) const ZOO_AB_UID: MapiUid = MapiUid(*b"mapisim:zoo:ab:1");
/// The base name profiles give the zoo's address-book DLL.
pub(crate) const ZOO_AB_BASE: &str = "ZOOAB.DLL";
/// The file MAPI loads.
pub(crate) const ZOO_AB_FILE: &str = "ZOOAB32.DLL";

/// What the zoo address book gets wrong.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum AbDefect {
    #[default]
    None,
    /// The DLL does not export `ABProviderInit`.
    NoExport,
    /// `Logon` does not AddRef the support object.
    NoSupportAddRef,
    /// `Logon` leaves the security parameters as MAPI passed them.
    KeepsSecurity,
    /// `Logon` registers no MAPIUID.
    NoProviderUid,
    /// `Logon` always fails with this error.
    FailLogon(MapiError),
    /// The first `Logon` fails with this error, later ones succeed.
    FailFirstLogon(MapiError),
    /// `Logon` returns `MAPI_E_UNCONFIGURED` until the service entry configured the provider.
    NeedsConfiguration,
    /// `Logon` AddRefs the support object, keeps it, and fails.
    FailKeepsSupport,
    /// `Logon` panics.
    PanicInLogon,
    /// The logon object keeps its status object, which keeps the logon object: a reference
    /// cycle that `Logoff` does not break.
    StatusCycle,
    /// `Logon` shows a dialog (`IMAPISupport::Details`) whatever its flags say.
    DialogInLogon,
}

/// The DLL's statics.
#[derive(Default)]
pub(crate) struct AbStatics {
    configured: AtomicBool,
    pub(crate) logons: AtomicU32,
    kept: Mutex<Vec<Ref<dyn MapiSupport>>>,
}

/// The zoo's address-book DLL.
pub(crate) struct ZooAbLibrary {
    defect: AbDefect,
    statics: Arc<AbStatics>,
}

impl ZooAbLibrary {
    pub(crate) fn new(defect: AbDefect) -> ZooAbLibrary {
        ZooAbLibrary {
            defect,
            statics: Arc::default(),
        }
    }
}

impl ProviderLibrary for ZooAbLibrary {
    fn exports(&self) -> Exports {
        match self.defect {
            AbDefect::NoExport => Exports::SERVICE_ENTRY,
            _ => Exports::AB_PROVIDER_INIT | Exports::SERVICE_ENTRY,
        }
    }

    fn service_entry(&self, args: &mapisim::spi::ServiceEntryArgs<'_>) -> MapiResult<()> {
        if args.context == ServiceContext::Configure {
            self.statics.configured.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    fn ab_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn AbProvider>> {
        args.provider_version.set(SpiVersion::CURRENT);
        if args.mapi_version < SpiVersion::CURRENT {
            return Err(MapiError::Version);
        }
        let provider = Ref::new(ZooAbProvider {
            defect: self.defect,
            statics: Arc::clone(&self.statics),
        });
        Ok(ProviderInit {
            provider: provider.into(),
            version: SpiVersion::CURRENT,
        })
    }
}

/// The zoo's `IABProvider`.
struct ZooAbProvider {
    defect: AbDefect,
    statics: Arc<AbStatics>,
}

impl AbProvider for ZooAbProvider {
    fn shutdown(&self, _flags: u32) -> MapiResult<()> {
        Ok(())
    }

    fn logon(&self, args: &AbLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn AbLogon>>> {
        let attempt = self.statics.logons.fetch_add(1, Ordering::Relaxed);
        match self.defect {
            AbDefect::FailLogon(e) => return Err(e),
            AbDefect::FailFirstLogon(e) if attempt == 0 => return Err(e),
            AbDefect::NeedsConfiguration if !self.statics.configured.load(Ordering::Relaxed) => {
                return Err(MapiError::Unconfigured);
            }
            AbDefect::FailKeepsSupport => {
                self.statics
                    .kept
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(args.support.clone());
                return Err(MapiError::LogonFailed);
            }
            AbDefect::PanicInLogon => panic!("the zoo address book panics in Logon"),
            _ => {}
        }
        if self.defect != AbDefect::KeepsSecurity {
            args.security.set(AbSecurity::default());
        }
        let section = args
            .support
            .open_profile_section(None, ProfileSectionFlags::MODIFY)?;
        section.set_props(&[
            Prop {
                tag: PR_DISPLAY_NAME_W,
                value: PropValue::Unicode("Zoo Address Book".into()),
            },
            Prop {
                tag: PR_PROVIDER_DISPLAY_W,
                value: PropValue::Unicode("Zoo Address Book Provider".into()),
            },
            Prop {
                tag: PR_RECORD_KEY,
                value: PropValue::Binary(b"zoo-ab".to_vec()),
            },
        ])?;
        drop(section);
        if self.defect != AbDefect::NoProviderUid {
            args.support.set_provider_uid(&ZOO_AB_UID, 0)?;
        }
        if self.defect == AbDefect::DialogInLogon {
            let _ = args
                .support
                .details(&mut 0, None, None, b"zoo", None, None, None, 0);
        }
        let support = (self.defect != AbDefect::NoSupportAddRef).then(|| args.support.clone());
        let logon = Ref::new(ZooAbLogon {
            support: Mutex::new(support),
            status: Mutex::new(None),
        });
        if self.defect == AbDefect::StatusCycle {
            // Each keeps the other, saying so (`clone_held_by`), as a provider author would
            // annotate it: the report can then name the cycle.
            let status = Ref::new(ZooAbStatus {
                logon: Mutex::new(None),
            });
            *status.logon.lock().unwrap_or_else(|e| e.into_inner()) = Some(logon.clone_held_by(&status));
            let status: Ref<dyn MapiStatus> = status.clone_held_by(&logon).into();
            *logon.status.lock().unwrap_or_else(|e| e.into_inner()) = Some(status);
        }
        let logon: Ref<dyn AbLogon> = logon.into();
        Ok(Warned::ok(logon))
    }
}

/// The zoo's `IABLogon`.
struct ZooAbLogon {
    support: Mutex<Option<Ref<dyn MapiSupport>>>,
    /// Its status object, kept (`StatusCycle`).
    status: Mutex<Option<Ref<dyn MapiStatus>>>,
}

/// The zoo address book's status object, which keeps its logon object.
struct ZooAbStatus {
    logon: Mutex<Option<Ref<ZooAbLogon>>>,
}

impl MapiProp for ZooAbStatus {}
impl MapiStatus for ZooAbStatus {}

impl AbLogon for ZooAbLogon {
    fn logoff(&self, _flags: u32) -> MapiResult<()> {
        let support = self.support.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(support);
        Ok(())
    }
}

/// A message service with the zoo address book only.
pub(crate) fn zoo_ab_service(name: &str) -> ServiceDef {
    ServiceDef::new(name)
        .display_name("Zoo Address Book")
        .prop(PR_SERVICE_DLL_NAME_A, ZOO_AB_BASE)
        .prop(PR_SERVICE_ENTRY_NAME, "ServiceEntry")
        .provider(ProviderDef::new(ResourceType::AbProvider, ZOO_AB_BASE).display_name("Zoo Address Book"))
}

/// A message service with the zoo address book and the sample store.
pub(crate) fn zoo_ab_with_store(name: &str) -> ServiceDef {
    zoo_ab_service(name).provider(
        ProviderDef::store(SampleStore::DLL_BASE)
            .display_name("Sample Store")
            .provider_display("Sample Store Provider")
            .resource_flags(ResourceFlags::DEFAULT_STORE),
    )
}

/// A simulator with the zoo address book (service `ZOOAB`), the zoo address book with the
/// sample store (service `ZOOABMS`), and the sample's DLL.
pub(crate) fn ab_builder(defect: AbDefect) -> SimulatorBuilder {
    Simulator::builder()
        .library(ZOO_AB_FILE, move || ZooAbLibrary::new(defect))
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(zoo_ab_service("ZOOAB"))
        .service(zoo_ab_with_store("ZOOABMS"))
}

/// Opens the address book of a session on a profile with `service`, logs off and uninitializes;
/// returns the warning of `OpenAddressBook` (or its error).
pub(crate) fn run_address_book(sim: &Simulator, service: &str) -> MapiResult<Option<MapiWarning>> {
    sim.profiles()
        .create("Book")
        .and_then(|p| p.add_service(service))?;
    let mapi = sim.initialize(InitFlags::empty())?;
    let session = mapi.logon_ex("Book", LogonFlags::EXTENDED)?;
    let warning = session.open_address_book().map(|w| w.warning);
    session.logoff(SessionLogoffFlags::empty())?;
    drop(session);
    mapi.uninitialize()?;
    warning
}
