//! The zoo library: the bundled sample store with one deliberate defect, chosen by the profile
//! the store is logged on from. The same source is linked in process by the round-trip tests
//! and built as a provider library (`examples/zoo_dll.rs`), so that each defect can be caught
//! both ways with the same rule.
//!
//! | profile | defect |
//! |---|---|
//! | `zoo-no-addref` | `Logon` keeps MAPI's support object without an `AddRef` of its own: the sample is handed a stand-in that only borrows it |
//! | `zoo-panic-logon` | `Logon` panics |
//! | `zoo-panic-release` | the provider object panics in its final release |
//! | `zoo-over-release` | `Logon` releases MAPI's support object once more than it took (a COM `Release` of the pointer MAPI passed; through the binary interface only) |
//! | `zoo-relay-sink` | none, a variant: `Logon` hands the sample a stand-in support object (which keeps its own reference) that subscribes a relay sink of the provider's own in place of each sink it is given, so that a provider's sink, not the client's, is what `Subscribe` receives |
//! | `zoo-double-free` | `Logon` frees a block of MAPI's memory twice: through the binary interface with the `MAPIFreeBuffer` MAPI's support object gives, in process with the routines |
//! | `zoo-new-mail` | none, a variant: after its `SpoolerLogon`, the store tells the spooler of a new message (`SpoolerNotify` with `NOTIFY_NEWMAIL_RECEIVED` and its `NEWMAIL_NOTIFICATION`) |
//! | any other | none: the sample as it is |

use std::sync::atomic::{AtomicBool, Ordering};

use mapisim::flags::{
    EventMask, LogoffFlags, NotifyResultFlags, ProfileSectionFlags, SpoolerNotifyFlags, StatusRowFlags,
    SubscribeFlags,
};
use mapisim::ids::MapiUid;
use mapisim::object::WeakRef;
use mapisim::props::Prop;
use mapisim::sample::{SampleLibrary, SampleStore};
use mapisim::spi::{
    AdviseSink, BufferId, Exports, InitArgs, MapiBuffer, MapiErrorInfo, MapiSupport, MemRoutines, MsProvider,
    NewMailNotification, Notification, ProfSect, ProviderInit, ProviderLibrary, ServiceEntryArgs,
    SpoolerLogonArgs, SpoolerNotifyData, StoreLogon, StoreLogonArgs,
};
use mapisim::strings::TString;
use mapisim::{MapiError, MapiResult, Ref, Warned};

/// The profile whose `Logon` keeps the support object without an `AddRef`.
pub(crate) const NO_ADDREF: &str = "zoo-no-addref";
/// The profile whose `Logon` panics.
pub(crate) const PANIC_LOGON: &str = "zoo-panic-logon";
/// The profile whose `Logon` releases the support object once too many.
pub(crate) const OVER_RELEASE: &str = "zoo-over-release";
/// The profile whose provider object panics in its final release.
pub(crate) const PANIC_RELEASE: &str = "zoo-panic-release";
/// The profile whose store subscribes a relay sink of its own for each sink advised on it.
pub(crate) const RELAY_SINK: &str = "zoo-relay-sink";

/// The profile whose `Logon` frees a block twice.
pub(crate) const DOUBLE_FREE: &str = "zoo-double-free";
/// The profile whose store tells the spooler of a new message after its `SpoolerLogon`.
pub(crate) const NEW_MAIL: &str = "zoo-new-mail";

/// The zoo's provider library: the sample's, with a provider that plays the defects.
pub(crate) struct ZooLibrary {
    sample: SampleLibrary,
}

impl ZooLibrary {
    /// A library instance.
    pub(crate) fn new() -> ZooLibrary {
        ZooLibrary {
            sample: SampleStore::library(),
        }
    }
}

impl ProviderLibrary for ZooLibrary {
    fn exports(&self) -> Exports {
        self.sample.exports()
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        let init = self.sample.ms_provider_init(args)?;
        Ok(ProviderInit {
            provider: Ref::new(ZooProvider {
                inner: init.provider,
                panic_on_release: AtomicBool::new(false),
            })
            .into(),
            version: init.version,
        })
    }

    fn service_entry(&self, args: &ServiceEntryArgs<'_>) -> MapiResult<()> {
        self.sample.service_entry(args)
    }
}

struct ZooProvider {
    inner: Ref<dyn MsProvider>,
    panic_on_release: AtomicBool,
}

impl Drop for ZooProvider {
    fn drop(&mut self) {
        if self.panic_on_release.load(Ordering::SeqCst) {
            panic!("the zoo's provider object panics in its final release");
        }
    }
}

impl MsProvider for ZooProvider {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        self.inner.shutdown(flags)
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        let profile = args.profile_name.to_string_lossy();
        if profile == PANIC_LOGON {
            panic!("the zoo's Logon panics");
        }
        if profile == PANIC_RELEASE {
            self.panic_on_release.store(true, Ordering::SeqCst);
        }
        if profile == NO_ADDREF || profile == RELAY_SINK {
            let relay = profile == RELAY_SINK;
            let stand_in: Ref<dyn MapiSupport> = Ref::new(Borrowed {
                support: args.support.downgrade(),
                _held: relay.then(|| args.support.clone()),
                relay,
            })
            .into();
            return self.inner.logon(&StoreLogonArgs {
                support: &stand_in,
                ..*args
            });
        }
        let logon = self.inner.logon(args)?;
        if profile == OVER_RELEASE {
            over_release(args.support);
        }
        if profile == DOUBLE_FREE {
            double_free(args.support)?;
        }
        Ok(logon)
    }

    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        let logon = self.inner.spooler_logon(args)?;
        if args.profile_name.to_string_lossy() == NEW_MAIL {
            let mail = NewMailNotification {
                entry_id: b"a new message".to_vec(),
                parent_id: b"the inbox".to_vec(),
                flags: 0,
                message_class: TString::ansi_from_str("IPM.Note"),
                message_flags: 0,
            };
            args.support.spooler_notify(
                SpoolerNotifyFlags::NEWMAIL_RECEIVED,
                SpoolerNotifyData::NewMail(&mail),
            )?;
        }
        Ok(logon)
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        self.inner.compare_store_ids(a, b, flags)
    }
}

/// A stand-in for MAPI's support object that only borrows it: the sample keeps the stand-in,
/// and MAPI's object gets no reference for it (unless the stand-in holds one of its own). Forwards what
/// the sample calls; with `relay`, subscribes a [`Relay`] in place of each sink.
struct Borrowed {
    support: WeakRef<dyn MapiSupport>,
    /// The stand-in's own reference, when it keeps one (only held).
    _held: Option<Ref<dyn MapiSupport>>,
    relay: bool,
}

/// A sink of the provider's own that hands every notification on to the sink it was made for.
struct Relay(Ref<dyn AdviseSink>);

impl AdviseSink for Relay {
    fn on_notify(&self, notifications: &[Notification]) -> u32 {
        self.0.on_notify(notifications)
    }
}

impl Borrowed {
    fn call<R>(&self, f: impl FnOnce(&dyn MapiSupport) -> MapiResult<R>) -> MapiResult<R> {
        self.support
            .with_borrowed(|support| f(support))
            .unwrap_or(Err(MapiError::CallFailed))
    }
}

impl MapiSupport for Borrowed {
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        self.call(|s| s.get_last_error(hresult, flags))
    }

    fn get_mem_alloc_routines(&self) -> MapiResult<MemRoutines> {
        self.call(|s| s.get_mem_alloc_routines())
    }

    fn modify_status_row(&self, columns: &[Prop], flags: StatusRowFlags) -> MapiResult<()> {
        self.call(|s| s.modify_status_row(columns, flags))
    }

    fn open_profile_section(
        &self,
        uid: Option<&MapiUid>,
        flags: ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        self.call(|s| s.open_profile_section(uid, flags))
    }

    fn new_uid(&self) -> MapiResult<MapiUid> {
        self.call(|s| s.new_uid())
    }

    fn set_provider_uid(&self, uid: &MapiUid, flags: u32) -> MapiResult<()> {
        self.call(|s| s.set_provider_uid(uid, flags))
    }

    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        self.call(|s| s.compare_entry_ids(a, b, flags))
    }

    fn store_logoff_transports(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        self.call(|s| s.store_logoff_transports(flags))
    }

    fn wrap_store_entry_id(&self, original: &[u8]) -> MapiResult<BufferId> {
        self.call(|s| s.wrap_store_entry_id(original))
    }

    fn modify_profile(&self, flags: u32) -> MapiResult<()> {
        self.call(|s| s.modify_profile(flags))
    }

    fn subscribe(
        &self,
        key: &[u8],
        mask: EventMask,
        flags: SubscribeFlags,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        let relay: Ref<dyn AdviseSink>;
        let sink = if self.relay {
            relay = Ref::new(Relay(sink.clone())).into();
            &relay
        } else {
            sink
        };
        self.call(|s| s.subscribe(key, mask, flags, sink))
    }

    fn unsubscribe(&self, connection: usize) -> MapiResult<()> {
        self.call(|s| s.unsubscribe(connection))
    }

    fn notify(
        &self,
        key: &[u8],
        notifications: &[Notification],
        flags: u32,
    ) -> MapiResult<NotifyResultFlags> {
        self.call(|s| s.notify(key, notifications, flags))
    }
}

/// Releases MAPI's support object once more than the provider took it: the COM `Release` of the
/// interface pointer MAPI passed. In process there is no such pointer, and nothing is done.
fn over_release(support: &Ref<dyn MapiSupport>) {
    use windows_core::Interface;
    if let Some(com) = support.downcast::<mapisim_com::support::ComSupport>() {
        let interface = com.interface();
        // SAFETY: the interface is live (the adapter holds a reference); this `Release` is the
        // defect, a reference too few for the caller, which MAPI's side must survive.
        unsafe { (interface.vtable().base__.Release)(interface.as_raw()) };
    }
}

/// Allocates a block of MAPI's memory and frees it twice. Through the binary interface, with the
/// C functions MAPI's support object gives (a Rust provider's routines would refuse the second
/// free before MAPI saw it, as C code's do not); in process, with the simulator's routines.
fn double_free(support: &Ref<dyn MapiSupport>) -> MapiResult<()> {
    use windows_core::Interface;
    if let Some(com) = support.downcast::<mapisim_com::support::ComSupport>() {
        let interface = com.interface();
        let vtable = interface.vtable();
        let (mut allocate, mut more, mut free) = (None, None, None);
        // SAFETY: the interface is live; the three out-pointers are on the stack.
        let hr =
            unsafe { (vtable.GetMemAllocRoutines)(interface.as_raw(), &mut allocate, &mut more, &mut free) };
        let (Some(allocate), Some(free)) = (allocate, free) else {
            return Err(MapiError::from_hresult(hr.0));
        };
        let mut block = core::ptr::null_mut();
        // SAFETY: MAPI's routine; `block` is an out-pointer on the stack.
        if unsafe { allocate(16, &mut block) } != 0 {
            return Err(MapiError::NotEnoughMemory);
        }
        // SAFETY: MAPI's routine, the block it gave; the second call is the defect, which MAPI
        // must refuse.
        unsafe {
            free(block);
            free(block);
        }
        return Ok(());
    }
    let routines = support.get_mem_alloc_routines()?;
    let block = routines.allocate_buffer(16)?;
    routines.free_buffer(Some(block))?;
    let _ = routines.free_buffer(Some(block));
    Ok(())
}
