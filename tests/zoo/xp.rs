//! The transport part of the zoo: a transport provider built like the sample's, with switches
//! that each break one documented contract. `XpDefect::None` follows every rule.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use mapisim::prelude::*;
use mapisim::profile::{ProviderDef, ServiceDef};
use mapisim::props::*;
use mapisim::sample::SampleStore;
use mapisim::spi::{AddressTypes, MemRoutines, SpoolerNotifyData};

use super::{Defect, ZOO_FILE, ZooLibrary, zoo_service};

/// The base name profiles give the zoo's transport DLL.
pub(crate) const ZOO_XP_BASE: &str = "ZOOXP.DLL";
/// The file MAPI loads.
pub(crate) const ZOO_XP_FILE: &str = "ZOOXP32.DLL";

/// What the zoo transport gets wrong.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum XpDefect {
    #[default]
    None,
    /// `TransportLogon` does not AddRef the support object.
    NoSupportAddRef,
    /// `TransportLogon` creates no status row.
    NoStatusRow,
    /// `Poll` calls `SpoolerNotify` with a store's flag (`NOTIFY_NEWMAIL_RECEIVED`).
    NewMailReceived,
    /// `Poll` reports a critical error (`SpoolerNotify(NOTIFY_CRITICAL_ERROR)`) and fails
    /// (correct: the spooler calls it no more, but to release it).
    CriticalError,
    /// `TransportLogon` always fails with this error.
    FailLogon(MapiError),
    /// `TransportLogoff` fails (the logon is over anyway).
    LogoffFails,
    /// `StartMessage` sets `PR_ENTRYID` on the incoming message.
    InboundEntryId,
    /// `StartMessage` fails without `SpoolerNotify(NOTIFY_CRITICAL_ERROR)`.
    StartMessageFails,
    /// `StartMessage` fails after `SpoolerNotify(NOTIFY_CRITICAL_ERROR)` (correct).
    StartMessageFailsCritically,
    /// `StartMessage` returns without `SaveChanges`: it stops the message (correct).
    StartMessageStops,
    /// `SubmitMessage` answers `MAPI_E_WAIT` the first time without `*lpulReturnParm`.
    WaitWithoutReturnParm,
    /// `SubmitMessage` answers `MAPI_E_WAIT` the first time, to wait 60 seconds (correct).
    WaitWithReturnParm,
    /// The first transport logon answers `MAPI_E_NOT_ME`; a second one sends (correct).
    FirstNotMe,
    /// `EndMessage` answers `END_DONT_RESEND`; at its next `Poll` the transport calls
    /// `SpoolerNotify(NOTIFY_SENTDEFERRED)` with the message's entry ID, and takes it when offered
    /// again with `BEGIN_DEFERRED` (correct).
    Defers,
    /// `EndMessage` answers `END_RESEND_NOW` every time (correct, if stubborn).
    ResendNow,
}

/// The zoo's transport DLL.
pub(crate) struct ZooXpLibrary {
    defect: XpDefect,
    logons: Arc<AtomicU32>,
}

/// What a zoo transport logon remembers of the messages it was given.
#[derive(Default)]
struct Sending {
    /// `SubmitMessage` calls so far.
    submits: u32,
    /// The entry ID of the message it deferred, until it asks for it again.
    deferred: Option<Vec<u8>>,
    /// It asked for the deferred message (`NOTIFY_SENTDEFERRED`).
    asked: bool,
}

impl ZooXpLibrary {
    pub(crate) fn new(defect: XpDefect) -> ZooXpLibrary {
        ZooXpLibrary {
            defect,
            logons: Arc::default(),
        }
    }
}

impl ProviderLibrary for ZooXpLibrary {
    fn exports(&self) -> Exports {
        Exports::XP_PROVIDER_INIT | Exports::SERVICE_ENTRY
    }

    fn service_entry(&self, _args: &mapisim::spi::ServiceEntryArgs<'_>) -> MapiResult<()> {
        Ok(())
    }

    fn xp_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn XpProvider>> {
        args.provider_version.set(SpiVersion::CURRENT);
        if args.mapi_version < SpiVersion::CURRENT {
            return Err(MapiError::Version);
        }
        let provider = Ref::new(ZooXpProvider {
            defect: self.defect,
            logons: Arc::clone(&self.logons),
            routines: args.routines.clone(),
        });
        Ok(ProviderInit {
            provider: provider.into(),
            version: SpiVersion::CURRENT,
        })
    }
}

struct ZooXpProvider {
    defect: XpDefect,
    logons: Arc<AtomicU32>,
    routines: MemRoutines,
}

impl XpProvider for ZooXpProvider {
    fn shutdown(&self, _flags: u32) -> MapiResult<()> {
        Ok(())
    }

    fn transport_logon(&self, args: &TransportLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn XpLogon>>> {
        let nth = self.logons.fetch_add(1, Ordering::Relaxed) + 1;
        if let XpDefect::FailLogon(e) = self.defect {
            return Err(e);
        }
        let section = args
            .support
            .open_profile_section(None, ProfileSectionFlags::MODIFY)?;
        section.set_props(&[
            Prop {
                tag: PR_DISPLAY_NAME_W,
                value: PropValue::Unicode("Zoo Transport".into()),
            },
            Prop {
                tag: PR_PROVIDER_DISPLAY_W,
                value: PropValue::Unicode("Zoo Transport Provider".into()),
            },
            Prop {
                tag: PR_RECORD_KEY,
                value: PropValue::Binary(b"zoo-xp".to_vec()),
            },
        ])?;
        drop(section);
        if self.defect != XpDefect::NoStatusRow {
            args.support.modify_status_row(
                &[Prop {
                    tag: PR_DISPLAY_NAME_W,
                    value: PropValue::Unicode("Zoo Transport".into()),
                }],
                StatusRowFlags::empty(),
            )?;
        }
        args.flags.set(XpLogonFlags::SP_POLL);
        let support = (self.defect != XpDefect::NoSupportAddRef).then(|| args.support.clone());
        let logon: Ref<dyn XpLogon> = Ref::new(ZooXpLogon {
            defect: self.defect,
            support: Mutex::new(support),
            waiting: AtomicU32::new(1),
            not_me: self.defect == XpDefect::FirstNotMe && nth == 1,
            routines: self.routines.clone(),
            sending: Mutex::default(),
        })
        .into();
        Ok(Warned::ok(logon))
    }
}

struct ZooXpLogon {
    defect: XpDefect,
    support: Mutex<Option<Ref<dyn MapiSupport>>>,
    /// Incoming messages not passed to the spooler yet: one at logon.
    waiting: AtomicU32,
    /// It answers `MAPI_E_NOT_ME` to every message.
    not_me: bool,
    routines: MemRoutines,
    sending: Mutex<Sending>,
}

impl ZooXpLogon {
    fn sending(&self) -> std::sync::MutexGuard<'_, Sending> {
        self.sending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The message's `PR_ENTRYID`, read and its buffer freed.
    fn entry_id(&self, message: &Ref<dyn MapiProp>) -> MapiResult<Vec<u8>> {
        let props = message.get_props(Some(&[PR_ENTRYID]), 0)?.into_value();
        let props = self.routines.take(props)?;
        match props.into_iter().next().map(|p| p.value) {
            Some(PropValue::Binary(id)) => Ok(id),
            _ => Err(MapiError::NotFound),
        }
    }
}

impl XpLogon for ZooXpLogon {
    fn address_types(&self) -> MapiResult<AddressTypes> {
        Ok(AddressTypes {
            flags: 0,
            address_types: vec![TString::ansi_from_str("ZOO")],
            uids: Vec::new(),
        })
    }

    fn transport_notify(&self, _flags: &InOut<TransportNotifyFlags>, _data: &InOut<usize>) -> MapiResult<()> {
        Ok(())
    }

    fn poll(&self) -> MapiResult<u32> {
        let support = self.support.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let ask = {
            let mut sending = self.sending();
            let ask = sending.deferred.clone().filter(|_| !sending.asked);
            if ask.is_some() {
                sending.asked = true;
            }
            ask
        };
        if let (Some(id), Some(s)) = (ask, &support) {
            s.spooler_notify(
                SpoolerNotifyFlags::SENTDEFERRED,
                SpoolerNotifyData::SentDeferred(&id),
            )?;
        }
        match (self.defect, support) {
            (XpDefect::NewMailReceived, Some(s)) => {
                let _ = s.spooler_notify(SpoolerNotifyFlags::NEWMAIL_RECEIVED, SpoolerNotifyData::Null);
                Ok(0)
            }
            (XpDefect::CriticalError, Some(s)) => {
                s.spooler_notify(SpoolerNotifyFlags::CRITICAL_ERROR, SpoolerNotifyData::Null)?;
                Err(MapiError::NetworkError)
            }
            _ => Ok(self.waiting.load(Ordering::Relaxed)),
        }
    }

    fn start_message(&self, _flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<usize> {
        let support = self.support.lock().unwrap_or_else(|e| e.into_inner()).clone();
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        match (self.defect, support) {
            (XpDefect::StartMessageFails, _) => return Err(MapiError::NetworkError),
            (XpDefect::StartMessageFailsCritically, Some(s)) => {
                s.spooler_notify(SpoolerNotifyFlags::CRITICAL_ERROR, SpoolerNotifyData::Null)?;
                return Err(MapiError::NetworkError);
            }
            (XpDefect::StartMessageStops, _) => return Ok(1),
            _ => {}
        }
        let mut props = vec![
            Prop {
                tag: PR_MESSAGE_CLASS_W,
                value: PropValue::Unicode("IPM.Note".into()),
            },
            Prop {
                tag: PR_SUBJECT_W,
                value: PropValue::Unicode("from the zoo".into()),
            },
        ];
        if self.defect == XpDefect::InboundEntryId {
            props.push(Prop {
                tag: PR_ENTRYID,
                value: PropValue::Binary(vec![0; 20]),
            });
        }
        message.set_props(&props)?;
        message.save_changes(0)?;
        Ok(1)
    }

    fn transport_logoff(&self, _flags: TransportLogoffFlags) -> MapiResult<()> {
        let support = self.support.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(support);
        if self.defect == XpDefect::LogoffFails {
            return Err(MapiError::CallFailed);
        }
        Ok(())
    }

    fn submit_message(
        &self,
        flags: u32,
        message: &Ref<dyn MapiProp>,
        return_parm: &mapisim::spi::OutParam<usize>,
    ) -> MapiResult<usize> {
        if self.not_me {
            return Err(MapiError::NotMe);
        }
        let first = {
            let mut sending = self.sending();
            sending.submits += 1;
            sending.submits == 1
        };
        match self.defect {
            XpDefect::WaitWithoutReturnParm if first => return Err(MapiError::Wait),
            XpDefect::WaitWithReturnParm if first => {
                return_parm.set(60);
                return Err(MapiError::Wait);
            }
            XpDefect::Defers if first => {
                let id = self.entry_id(message)?;
                self.sending().deferred = Some(id);
            }
            XpDefect::Defers => {
                // Offered again with BEGIN_DEFERRED: the same message.
                let offered_again = flags & 0x1 != 0;
                let same = self.sending().deferred.take() == Some(self.entry_id(message)?);
                if !(offered_again && same) {
                    return Err(MapiError::CallFailed);
                }
            }
            _ => {}
        }
        Ok(1)
    }

    fn end_message(&self, _msg_ref: usize) -> MapiResult<EndMessageFlags> {
        match self.defect {
            XpDefect::Defers if self.sending().deferred.is_some() => Ok(EndMessageFlags::DONT_RESEND),
            XpDefect::ResendNow => Ok(EndMessageFlags::RESEND_NOW),
            _ => Ok(EndMessageFlags::empty()),
        }
    }
}

/// A message service with the zoo transport only.
pub(crate) fn zoo_xp_service(name: &str) -> ServiceDef {
    ServiceDef::new(name)
        .display_name("Zoo Transport")
        .prop(PR_SERVICE_DLL_NAME_A, ZOO_XP_BASE)
        .prop(PR_SERVICE_ENTRY_NAME, "ServiceEntry")
        .provider(
            ProviderDef::new(ResourceType::TransportProvider, ZOO_XP_BASE).display_name("Zoo Transport"),
        )
}

/// A simulator with the zoo store (service `ZOO`, with `store`'s defect), the zoo transport
/// (service `ZOOXP`) and the sample's DLL.
pub(crate) fn xp_builder(store: Defect, defect: XpDefect) -> SimulatorBuilder {
    Simulator::builder()
        .library(ZOO_FILE, move || ZooLibrary::new(store))
        .library(ZOO_XP_FILE, move || ZooXpLibrary::new(defect))
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .service(zoo_service("ZOO"))
        .service(zoo_xp_service("ZOOXP"))
}

/// The zoo store and the zoo transport in one profile: the store announces it is ready to send
/// and submits a message at its `StoreLogoff`, which makes the spooler start the transport.
pub(crate) fn run_transport(sim: &Simulator) {
    let profile = sim.profiles().create("Xp").unwrap();
    profile.add_service("ZOO").unwrap();
    profile.add_service("ZOOXP").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Xp", LogonFlags::EXTENDED).unwrap();
    if let Ok(store) = super::open_default(&session, OpenStoreFlags::WRITE) {
        sim.spooler().run_until_idle();
        let _ = store.store_logoff(LogoffFlags::ORDERLY);
        drop(store);
    }
    sim.spooler().run_until_idle();
    let _ = session.logoff(SessionLogoffFlags::empty());
    drop(session);
    let _ = mapi.uninitialize();
}

/// The sample store (service `SMPMS`) with the zoo transport (`ZOOXP`, `transports` times): a
/// message submitted through the store, the spooler run, then idle time given `idles` times (the
/// spooler run after each), and everything closed.
pub(crate) fn run_sending(defect: XpDefect, transports: usize, idles: usize) -> Report {
    let sim = xp_builder(Defect::None, defect)
        .service(SampleStore::service("SMPMS"))
        .build();
    let profile = sim.profiles().create("Send").unwrap();
    profile.add_service("SMPMS").unwrap();
    for _ in 0..transports {
        profile.add_service("ZOOXP").unwrap();
    }
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Send", LogonFlags::EXTENDED).unwrap();
    let store = super::open_default(&session, OpenStoreFlags::WRITE).unwrap();
    let opened = store
        .open_entry(Some(&mapisim::sample::sample_new_message_id()), None, 0)
        .unwrap();
    store.submit_message(&opened.message().unwrap(), 0).unwrap();
    drop(opened);
    sim.spooler().run_until_idle();
    for _ in 0..idles {
        sim.spooler().idle();
        sim.spooler().run_until_idle();
    }
    super::close_and_finish(sim, mapi, session, store)
}
