//! What several benches share: the bare baseline (the sample's provider calls made directly, with
//! the least host a provider needs) and the documented lifecycle through the simulator (the
//! quickstart's scenario on a simulator with one sample service in a profile named `Default`).
//!
//! A bench binary that uses only part of this module allows dead code for it.

use std::hint::black_box;
use std::sync::Mutex;

use mapisim::ids::{MapiUid, WrappedStoreEntryId};
use mapisim::prelude::*;
use mapisim::props::{PR_PROVIDER_UID, PR_STORE_ENTRYID};
use mapisim::runtime::{SimMalloc, SimulatorBuilder};
use mapisim::sample::SampleStore;
use mapisim::spi::{BufferId, MemRoutines, ModuleInstance, OutParam, ProfSect};
use mapisim::strings::TStr;

/// The least a host must do for the sample: a profile section, wrapping, nothing else.
struct BareSupport {
    section: Ref<BareSection>,
    routines: MemRoutines,
}

impl MapiSupport for BareSupport {
    fn open_profile_section(
        &self,
        _uid: Option<&MapiUid>,
        _flags: ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        Ok(self.section.clone().into())
    }
    fn wrap_store_entry_id(&self, original: &[u8]) -> MapiResult<BufferId> {
        let wrapped = WrappedStoreEntryId::wrap(SampleStore::DLL_BASE, original)
            .map(|w| w.to_bytes())
            .map_err(|_| MapiError::InvalidParameter)?;
        self.routines.allocate_bytes(&wrapped)
    }
    fn set_provider_uid(&self, _uid: &MapiUid, _flags: u32) -> MapiResult<()> {
        Ok(())
    }
    fn modify_status_row(&self, _columns: &[Prop], _flags: StatusRowFlags) -> MapiResult<()> {
        Ok(())
    }
    fn modify_profile(&self, _flags: u32) -> MapiResult<()> {
        Ok(())
    }
    fn store_logoff_transports(&self, _flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        Ok(LogoffFlags::COMPLETE)
    }
}

struct BareSection {
    props: Mutex<PropBag>,
    routines: MemRoutines,
}

impl MapiProp for BareSection {
    fn get_props(&self, _tags: Option<&[PropTag]>, _flags: u32) -> MapiResult<Warned<PropArray>> {
        let props: Vec<Prop> = self
            .props
            .lock()
            .map_err(|_| MapiError::CallFailed)?
            .iter()
            .cloned()
            .collect();
        self.routines.allocate_value(props).map(Warned::ok)
    }
    fn set_props(&self, props: &[Prop]) -> MapiResult<Vec<mapisim::spi::PropProblem>> {
        let mut bag = self.props.lock().map_err(|_| MapiError::CallFailed)?;
        for p in props {
            let _ = bag.set(p.tag, p.value.clone());
        }
        Ok(Vec::new())
    }
}

impl ProfSect for BareSection {
    fn uid(&self) -> MapiUid {
        MapiUid([1; 16])
    }
}

/// The entry point's arguments a bare host gives the sample.
fn init_args(routines: &MemRoutines) -> InitArgs {
    let malloc: Ref<dyn Malloc> = Ref::new(SimMalloc::default()).into();
    InitArgs {
        instance: ModuleInstance::new(SampleStore::DLL_FILE, 1),
        malloc,
        routines: routines.clone(),
        flags: ProviderInitFlags::empty(),
        mapi_version: SpiVersion::CURRENT,
        provider_version: OutParam::new(),
    }
}

/// A bare host's support object, over a profile section holding `section`.
fn bare_support(section: PropBag, routines: &MemRoutines) -> Ref<dyn MapiSupport> {
    Ref::new(BareSupport {
        section: Ref::new(BareSection {
            props: Mutex::new(section),
            routines: routines.clone(),
        }),
        routines: routines.clone(),
    })
    .into()
}

/// `Logon` as MAPI makes it for a fresh store of profile `Default` opened for writing.
fn fresh_logon(
    provider: &Ref<dyn MsProvider>,
    support: &Ref<dyn MapiSupport>,
) -> MapiResult<Warned<StoreLogon>> {
    provider.logon(&StoreLogonArgs {
        support,
        ui_param: 0,
        profile_name: TStr::ansi(b"Default"),
        entry_id: None,
        flags: StoreLogonFlags::WRITE,
        interface: None,
        mapi_error: &OutParam::new(),
    })
}

/// The same provider calls, made directly.
pub(crate) fn bare_lifecycle() {
    let library = SampleStore::library();
    let routines = MemRoutines::new();
    let args = init_args(&routines);
    let Ok(init) = library.ms_provider_init(&args) else {
        return;
    };
    let mut section = PropBag::new();
    let _ = section.set(PR_PROVIDER_UID, MapiUid([7; 16]));
    let support = bare_support(section, &routines);
    let Ok(out) = fresh_logon(&init.provider, &support) else {
        return;
    };
    drop(support);
    let out = out.into_value();
    if let Ok(props) = out.store.get_props(Some(&[PR_STORE_ENTRYID]), 0) {
        let _ = routines.free_buffer(Some(props.value.id()));
    }
    let blob = out
        .spool_security
        .map(|id| routines.take_bytes(id).unwrap_or_default())
        .unwrap_or_default();
    let spooler = init.provider.spooler_logon(&SpoolerLogonArgs {
        support: &bare_support(PropBag::new(), &routines),
        ui_param: 0,
        profile_name: TStr::ansi(b"Default"),
        entry_id: None,
        flags: SpoolerLogonFlags::WRITE,
        interface: None,
        mapi_error: &OutParam::new(),
        spool_security: &blob,
    });
    let _ = out.store.store_logoff(LogoffFlags::ORDERLY);
    drop(spooler);
    drop(out.store);
    if let Some(logon) = out.logon {
        let _ = logon.logoff(0);
        drop(logon);
    }
    let _ = init.provider.shutdown(0);
    drop(init);
    drop(black_box(args));
}

/// The sample's provider started with the least host, for opening stores directly.
pub(crate) struct BareProvider {
    routines: MemRoutines,
    provider: Ref<dyn MsProvider>,
    _args: InitArgs,
}

impl BareProvider {
    pub(crate) fn start() -> Option<BareProvider> {
        let library = SampleStore::library();
        let routines = MemRoutines::new();
        let args = init_args(&routines);
        let init = library.ms_provider_init(&args).ok()?;
        Some(BareProvider {
            routines,
            provider: init.provider,
            _args: args,
        })
    }

    /// `Logon` for the store of profile section `n` (its own `PR_PROVIDER_UID`): what the
    /// provider returned, which keeps the store open while it is held.
    pub(crate) fn open(&self, n: u32) -> Option<StoreLogon> {
        let mut uid = [0u8; 16];
        uid[..4].copy_from_slice(&n.to_le_bytes());
        let mut section = PropBag::new();
        let _ = section.set(PR_PROVIDER_UID, MapiUid(uid));
        let support = bare_support(section, &self.routines);
        let out = fresh_logon(&self.provider, &support).ok()?.into_value();
        if let Some(blob) = out.spool_security {
            let _ = self.routines.take_bytes(blob);
        }
        Some(out)
    }
}

pub(crate) fn simulator() -> Simulator {
    simulator_with(|builder| builder)
}

/// [`simulator`], with the builder adjusted first (a bounded trace, history).
pub(crate) fn simulator_with(adjust: impl FnOnce(SimulatorBuilder) -> SimulatorBuilder) -> Simulator {
    sample_simulator(SampleStore::service("SMPMS"), "Default", adjust)
}

/// A simulator with the sample DLL and `service`, in a profile named `profile`.
fn sample_simulator(
    service: ServiceDef,
    profile: &str,
    adjust: impl FnOnce(SimulatorBuilder) -> SimulatorBuilder,
) -> Simulator {
    let name = service.name().to_owned();
    let builder = Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(service);
    let sim = adjust(builder).build();
    if let Ok(profile) = sim.profiles().create(profile) {
        let _ = profile.add_service(name.as_str());
    }
    sim
}

/// The documented lifecycle through the simulator: a client's view, the quickstart scenario.
pub(crate) fn simulated_lifecycle(sim: &Simulator) -> MapiResult<()> {
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED)?;
    let row = session.msg_stores_table()?.default_store()?;
    let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
    sim.spooler().run_until_idle();
    store.store_logoff(LogoffFlags::ORDERLY)?;
    drop(store);
    session.logoff(SessionLogoffFlags::empty())?;
    drop(session);
    mapi.uninitialize()
}

/// A simulator with the sample DLL and its whole message service (address book, store,
/// transport) in a profile named `Suite`.
pub(crate) fn suite_simulator() -> Simulator {
    sample_simulator(mapisim::sample::SampleSuite::service("SMPSUITE"), "Suite", |b| b)
}

/// The quickstart's lifecycle of all three kinds: the store opened (its service's address book
/// starts first), the address book opened, one message submitted and sent (the transport starts),
/// the store's and the session's logoff.
pub(crate) fn suite_lifecycle(sim: &Simulator) -> MapiResult<()> {
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
    let session = mapi.logon_ex("Suite", LogonFlags::EXTENDED)?;
    let row = session.msg_stores_table()?.default_store()?;
    let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
    sim.spooler().run_until_idle();
    drop(session.open_address_book()?);
    let opened = store.open_entry(Some(&mapisim::sample::sample_new_message_id()), None, 0)?;
    let message = opened.message().ok_or(MapiError::InterfaceNotSupported)?;
    store.submit_message(&message, 0)?;
    drop((message, opened));
    sim.spooler().run_until_idle();
    store.store_logoff(LogoffFlags::ORDERLY)?;
    drop(store);
    session.logoff(SessionLogoffFlags::empty())?;
    drop(session);
    mapi.uninitialize()
}

/// Whether the bench binary runs as a test (`cargo test --benches`, or `--test`), as criterion
/// decides it: then every benchmark runs once, and the scaling benches use only their smallest N.
pub(crate) fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}
