//! The reference sample transport provider: a loopback. It "sends" a message by counting it and
//! receives it back at once, so one session shows both directions; it follows every rule the
//! simulator checks for a transport.
//!
//! - **`XPProviderInit`** ([`SampleLibrary`](super::SampleLibrary)): the version check of the
//!   other entry points, and a new provider object each time.
//! - **`TransportLogon`** ([`SampleXpProvider`]): AddRefs the support object and keeps it in the
//!   logon object, records its names and record key in its profile section, adds its status row,
//!   and answers `LOGON_SP_IDLE` (it would use idle time).
//! - **`AddressTypes`** ([`SampleXpLogon`]): the address type `SMP` and its MAPIUID.
//! - **`TransportNotify`**: remembers whether sending and receiving are enabled.
//! - **`SubmitMessage`** and **`EndMessage`**: take a message only while sending is enabled,
//!   count it as sent, and ask for nothing more (no resend). The message comes back: at
//!   `EndMessage` the transport tells the spooler it has new mail
//!   (`SpoolerNotify(NOTIFY_NEWMAIL)`).
//! - **`StartMessage`**: writes the incoming message (`PR_MESSAGE_CLASS`, `PR_SUBJECT`, one
//!   recipient, never `PR_ENTRYID`) and saves it; with nothing waiting it returns without saving,
//!   which stops the message.
//! - **`FlushQueues`**: nothing waits in its queues, so there is nothing to flush.
//! - **`TransportLogoff`**: disables everything and releases the support object (MAPI removes
//!   the row inside that release); the logon leaves the provider's list.
//! - **`Shutdown`**: lets go of what the provider holds.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{
    EndMessageFlags, ProfileSectionFlags, StatusRowFlags, TransportLogoffFlags, TransportNotifyFlags,
    XpLogonFlags,
};
use crate::flags::{FlushQueuesFlags, SpoolerNotifyFlags};
use crate::ids::MapiUid;
use crate::object::{Ref, WeakRef};
use crate::props::{
    PR_ADDRTYPE_W, PR_DISPLAY_NAME_W, PR_MESSAGE_CLASS_W, PR_PROVIDER_DISPLAY_W, PR_RECORD_KEY, PR_SUBJECT_W,
    Prop, PropValue,
};
use crate::spi::{
    AddressTypes, InOut, MapiProp, MapiSupport, Message, OutParam, SpoolerNotifyData, TransportLogonArgs,
    XpLogon, XpProvider,
};
use crate::strings::TString;
use crate::sync::lock;

/// The MAPIUID the sample transport gives with its address type (`AddressTypes`).
pub const SAMPLE_XP_UID: MapiUid = MapiUid(*b"mapisim:sampleXP");

/// The address type the sample transport handles.
pub const SAMPLE_ADDRESS_TYPE: &str = "SMP";

/// The sample's `IXPProvider`: one per session, with the list of its logons.
pub struct SampleXpProvider {
    logons: Arc<Mutex<Vec<WeakRef<SampleXpLogon>>>>,
    shut_down: AtomicBool,
}

impl std::fmt::Debug for SampleXpProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleXpProvider")
            .field("logons", &lock(&self.logons).len())
            .field("shut_down", &self.shut_down.load(Ordering::Relaxed))
            .finish()
    }
}

impl SampleXpProvider {
    /// A provider object for `XPProviderInit`.
    pub(crate) fn new() -> SampleXpProvider {
        SampleXpProvider {
            logons: Arc::default(),
            shut_down: AtomicBool::new(false),
        }
    }
}

/// Fast shutdown: the sample keeps nothing on disk, so it opts in and has nothing to save.
impl crate::spi::ProviderShutdown for SampleXpProvider {
    fn query_fast_shutdown(&self) -> MapiResult<()> {
        Ok(())
    }

    fn notify_process_shutdown(&self) -> MapiResult<()> {
        Ok(())
    }

    fn do_fast_shutdown(&self) -> MapiResult<()> {
        Ok(())
    }
}

impl XpProvider for SampleXpProvider {
    fn shutdown(&self, _flags: u32) -> MapiResult<()> {
        self.shut_down.store(true, Ordering::Relaxed);
        lock(&self.logons).clear();
        Ok(())
    }

    fn transport_logon(&self, args: &TransportLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn XpLogon>>> {
        let section = args
            .support
            .open_profile_section(None, ProfileSectionFlags::MODIFY)?;
        section.set_props(&[
            Prop {
                tag: PR_DISPLAY_NAME_W,
                value: PropValue::Unicode("Sample Transport".into()),
            },
            Prop {
                tag: PR_PROVIDER_DISPLAY_W,
                value: PropValue::Unicode("Sample Transport Provider".into()),
            },
            Prop {
                tag: PR_RECORD_KEY,
                value: PropValue::Binary(b"sample-transport".to_vec()),
            },
        ])?;
        drop(section);
        args.support.modify_status_row(
            &super::status_row("Sample Transport", "Sample Transport Provider"),
            StatusRowFlags::empty(),
        )?;
        // It would use idle time: the spooler calls Idle.
        args.flags.set(XpLogonFlags::SP_IDLE);
        // Cloning the support object's `Ref` is its AddRef: the logon keeps it.
        let logon = Ref::new(SampleXpLogon {
            support: Mutex::new(Some(args.support.clone())),
            enabled: Mutex::new(TransportNotifyFlags::empty()),
            sent: AtomicU32::new(0),
            waiting: AtomicU32::new(0),
            received: AtomicU32::new(0),
            next_ref: AtomicUsize::new(1),
            logons: Arc::clone(&self.logons),
        });
        lock(&self.logons).push(logon.downgrade());
        Ok(Warned::ok(logon.into()))
    }
}

/// The sample's `IXPLogon`.
pub struct SampleXpLogon {
    support: Mutex<Option<Ref<dyn MapiSupport>>>,
    /// What `TransportNotify` enabled (`NOTIFY_BEGIN_INBOUND`, `NOTIFY_BEGIN_OUTBOUND`).
    enabled: Mutex<TransportNotifyFlags>,
    sent: AtomicU32,
    /// Messages sent and not received back yet.
    waiting: AtomicU32,
    received: AtomicU32,
    next_ref: AtomicUsize,
    logons: Arc<Mutex<Vec<WeakRef<SampleXpLogon>>>>,
}

impl std::fmt::Debug for SampleXpLogon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleXpLogon")
            .field("sent", &self.sent())
            .field("received", &self.received())
            .finish()
    }
}

impl SampleXpLogon {
    /// How many messages the transport sent.
    pub fn sent(&self) -> u32 {
        self.sent.load(Ordering::Relaxed)
    }

    /// How many messages the transport passed to the spooler (`StartMessage`, saved).
    pub fn received(&self) -> u32 {
        self.received.load(Ordering::Relaxed)
    }
}

impl XpLogon for SampleXpLogon {
    fn address_types(&self) -> MapiResult<AddressTypes> {
        Ok(AddressTypes {
            flags: 0,
            address_types: vec![TString::ansi_from_str(SAMPLE_ADDRESS_TYPE)],
            uids: vec![SAMPLE_XP_UID],
        })
    }

    /// `NOTIFY_BEGIN_*` enables a direction, `NOTIFY_END_*` disables it.
    fn transport_notify(&self, flags: &InOut<TransportNotifyFlags>, _data: &InOut<usize>) -> MapiResult<()> {
        let asked = flags.get();
        let mut enabled = lock(&self.enabled);
        if asked.contains(TransportNotifyFlags::BEGIN_INBOUND) {
            *enabled |= TransportNotifyFlags::BEGIN_INBOUND;
        }
        if asked.contains(TransportNotifyFlags::BEGIN_OUTBOUND) {
            *enabled |= TransportNotifyFlags::BEGIN_OUTBOUND;
        }
        if asked.contains(TransportNotifyFlags::END_INBOUND) {
            enabled.remove(TransportNotifyFlags::BEGIN_INBOUND);
        }
        if asked.contains(TransportNotifyFlags::END_OUTBOUND) {
            enabled.remove(TransportNotifyFlags::BEGIN_OUTBOUND);
        }
        Ok(())
    }

    fn idle(&self, _flags: u32) -> MapiResult<()> {
        Ok(())
    }

    /// Disables everything and releases the support object.
    fn transport_logoff(&self, _flags: TransportLogoffFlags) -> MapiResult<()> {
        *lock(&self.enabled) = TransportNotifyFlags::empty();
        let support = lock(&self.support).take();
        drop(support);
        lock(&self.logons).retain(|l| l.upgrade().is_some_and(|l| !std::ptr::eq(&*l, self)));
        Ok(())
    }

    /// Takes the message while sending is enabled (`MAPI_E_NOT_ME` otherwise: the spooler may
    /// try another transport) and counts it as sent.
    fn submit_message(
        &self,
        _flags: u32,
        _message: &Ref<dyn MapiProp>,
        return_parm: &OutParam<usize>,
    ) -> MapiResult<usize> {
        if !lock(&self.enabled).contains(TransportNotifyFlags::BEGIN_OUTBOUND) {
            return Err(MapiError::NotMe);
        }
        return_parm.set(0);
        self.sent.fetch_add(1, Ordering::Relaxed);
        Ok(self.next_ref.fetch_add(1, Ordering::Relaxed))
    }

    /// Nothing waits in the sample's queues: it sends at once and receives at once.
    fn flush_queues(
        &self,
        _ui_param: usize,
        _target_transport: &[u8],
        _flags: FlushQueuesFlags,
    ) -> MapiResult<()> {
        Ok(())
    }

    /// The message is on its way (nothing to send again), and back at once: the spooler is told
    /// there is new mail while receiving is enabled.
    fn end_message(&self, _msg_ref: usize) -> MapiResult<EndMessageFlags> {
        if lock(&self.enabled).contains(TransportNotifyFlags::BEGIN_INBOUND) {
            self.waiting.fetch_add(1, Ordering::Relaxed);
            let support = lock(&self.support).clone();
            if let Some(support) = support {
                support.spooler_notify(SpoolerNotifyFlags::NEWMAIL, SpoolerNotifyData::Null)?;
            }
        }
        Ok(EndMessageFlags::empty())
    }

    /// The message sent last comes back: its class, a subject, the sender as its one recipient,
    /// then `SaveChanges`. Nothing waiting: returns without saving (the message is stopped).
    fn start_message(&self, _flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<usize> {
        let msg_ref = self.next_ref.fetch_add(1, Ordering::Relaxed);
        let taken = self
            .waiting
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        if taken.is_err() {
            return Ok(msg_ref);
        }
        let n = self.received.load(Ordering::Relaxed) + 1;
        message.set_props(&[
            Prop {
                tag: PR_MESSAGE_CLASS_W,
                value: PropValue::Unicode("IPM.Note".into()),
            },
            Prop {
                tag: PR_SUBJECT_W,
                value: PropValue::Unicode(format!("Sample loopback {n}").as_str().into()),
            },
        ])?;
        if let Ok(as_message) = message.query::<dyn Message>() {
            as_message.modify_recipients(
                0,
                &[vec![
                    Prop {
                        tag: PR_DISPLAY_NAME_W,
                        value: PropValue::Unicode("Sample User".into()),
                    },
                    Prop {
                        tag: PR_ADDRTYPE_W,
                        value: PropValue::Unicode(SAMPLE_ADDRESS_TYPE.into()),
                    },
                ]],
            )?;
        }
        message.save_changes(0)?;
        self.received.fetch_add(1, Ordering::Relaxed);
        Ok(msg_ref)
    }
}
