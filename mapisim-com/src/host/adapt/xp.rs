//! A library's transport provider: [`NativeXpProvider`] (`IXPProvider`) and [`NativeXpLogon`]
//! (`IXPLogon`).

use core::fmt;
use core::ptr;
use std::sync::Arc;

use mapisim::flags::{
    EndMessageFlags, FlushQueuesFlags, TransportLogoffFlags, TransportNotifyFlags, XpLogonFlags,
};
use mapisim::ids::MapiUid;
use mapisim::spi::{
    AddressTypes, InOut, MapiProp, OutParam, ProviderShutdown, TransportLogonArgs, XpLogon, XpProvider,
};
use mapisim::{MapiError, MapiResult, Ref, Warned};
use windows_core::Interface;

use super::{CString, EntryIdIn, FastShutdown, HostShared, MAPI_UNICODE, Released, proxy};
use crate::interfaces::{IMAPIProviderShutdown, IXPLogon, IXPProvider};
use crate::props;
use crate::support::{check, status};
use crate::types::{LPTSTR, MAPIUID};

// SAFETY: MAPI's objects use the free-threading model (see the store adapters); the adapters
// hold nothing else that is not `Send + Sync`.
unsafe impl Send for NativeXpProvider {}
// SAFETY: as above.
unsafe impl Sync for NativeXpProvider {}
// SAFETY: as above.
unsafe impl Send for NativeXpLogon {}
// SAFETY: as above.
unsafe impl Sync for NativeXpLogon {}

/// A library's `IXPProvider` as an [`XpProvider`]: `Shutdown` and `TransportLogon` call it (the
/// support object handed over as a counting proxy, the flags in and out). When the object
/// answers `QueryInterface` for `IMAPIProviderShutdown`, the adapter exposes
/// [`ProviderShutdown`] too.
pub struct NativeXpProvider {
    // Released first, as the provider's second interface.
    shutdown: FastShutdown,
    provider: Released<IXPProvider>,
}

impl fmt::Debug for NativeXpProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeXpProvider")
            .field("file", &self.host().file)
            .field("interface", &self.provider.as_raw())
            .finish_non_exhaustive()
    }
}

impl NativeXpProvider {
    fn host(&self) -> &Arc<HostShared> {
        self.provider.host()
    }

    /// The adapter of a provider object `XPProviderInit` returned, taking its reference.
    pub(crate) fn adopt(host: &Arc<HostShared>, provider: IXPProvider) -> Ref<dyn XpProvider> {
        let shutdown = FastShutdown::of(host, provider.cast::<IMAPIProviderShutdown>().ok());
        let exposes = shutdown.exposed();
        let adapter = Ref::new(NativeXpProvider {
            shutdown,
            provider: Released::new(host, provider),
        });
        if exposes {
            adapter.expose::<dyn ProviderShutdown>();
        }
        adapter.into()
    }
}

impl XpProvider for NativeXpProvider {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        let mut flags = flags;
        // SAFETY: the provider is live; `flags` is the in/out ULONG on the stack.
        check(self.host().call(|| unsafe { self.provider.Shutdown(&mut flags) }))
    }

    fn transport_logon(&self, args: &TransportLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn XpLogon>>> {
        let host = self.host();
        let support = host.proxy_of(args.support, &proxy::SUPPORT, proxy::SUPPORT_IIDS);
        let mut name = CString::new(args.profile_name);
        let mut flags = args.flags.get().bits();
        let unicode = flags & MAPI_UNICODE != 0;
        let (mut error, mut logon) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: the provider is live; the support proxy lives with the host; the name is a
        // NUL-terminated copy in this frame; the flags and out-pointers are on the stack.
        let hr = host.call(|| unsafe {
            self.provider.TransportLogon(
                support,
                args.ui_param,
                name.as_ptr().cast(),
                &mut flags,
                &mut error,
                &mut logon,
            )
        });
        args.flags.set(XpLogonFlags::from_bits_retain(flags));
        // SAFETY: NULL or a MAPIERROR the library allocated with the routines, in the flags'
        // encoding (TransportLogon's contract).
        if let Some(error) = unsafe { host.adopt_error(error, unicode) }? {
            args.mapi_error.set(error);
        }
        // SAFETY: NULL or an IXPLogon with one reference for the caller.
        let logon = (!logon.is_null()).then(|| unsafe { IXPLogon::from_raw(logon) });
        let warning = status(hr)?;
        let logon = logon.ok_or(MapiError::CallFailed)?;
        let adapter: Ref<dyn XpLogon> = Ref::new(NativeXpLogon {
            logon: Released::new(host, logon),
        })
        .into();
        Ok(match warning {
            Some(w) => Warned::with_warning(adapter, w),
            None => Warned::ok(adapter),
        })
    }
}

super::fast_shutdown_calls!(NativeXpProvider);

/// A library's `IXPLogon` as an [`XpLogon`]: `AddressTypes` (its arrays read and copied: they
/// stay the library's), `RegisterOptions` (the count; the options are not read), `TransportNotify`,
/// `Idle`, `TransportLogoff`, `SubmitMessage` and `StartMessage` (the message handed over as a
/// proxy whose `IMAPIProp` methods reach the simulator's message), `EndMessage`, `Poll`,
/// `ValidateState` and `FlushQueues` call it. `OpenStatusEntry` keeps the trait's
/// `MAPI_E_NO_SUPPORT`: status objects are not carried across yet.
pub struct NativeXpLogon {
    logon: Released<IXPLogon>,
}

impl fmt::Debug for NativeXpLogon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeXpLogon")
            .field("interface", &self.logon.as_raw())
            .finish_non_exhaustive()
    }
}

impl NativeXpLogon {
    fn host(&self) -> &Arc<HostShared> {
        self.logon.host()
    }

    /// The message handed to the library: a proxy of the simulator's message.
    fn message(&self, message: &Ref<dyn MapiProp>) -> *mut core::ffi::c_void {
        self.host()
            .proxy_of(message, &proxy::MESSAGE, proxy::MESSAGE_IIDS)
    }
}

impl XpLogon for NativeXpLogon {
    fn address_types(&self) -> MapiResult<AddressTypes> {
        let mut flags = 0u32;
        let (mut count, mut types) = (0u32, ptr::null_mut::<LPTSTR>());
        let (mut uid_count, mut uids) = (0u32, ptr::null_mut::<*mut MAPIUID>());
        // SAFETY: the logon is live; every out-parameter is on the stack.
        check(self.host().call(|| unsafe {
            self.logon
                .AddressTypes(&mut flags, &mut count, &mut types, &mut uid_count, &mut uids)
        }))?;
        let unicode = flags & MAPI_UNICODE != 0;
        let mut address_types = Vec::new();
        if !types.is_null() {
            for i in 0..count as usize {
                // SAFETY: the library's array holds `count` string pointers, valid until its
                // TransportLogoff (AddressTypes' contract); a NULL entry is skipped.
                let text = unsafe { *types.add(i) };
                // SAFETY: as above: NULL or a NUL-terminated string in the flags' encoding.
                if let Some(text) = unsafe { props::tstring(text, unicode) } {
                    address_types.push(text);
                }
            }
        }
        let mut mapi_uids = Vec::new();
        if !uids.is_null() {
            for i in 0..uid_count as usize {
                // SAFETY: the library's array holds `uid_count` pointers to MAPIUIDs, valid until
                // its TransportLogoff; a NULL entry is skipped.
                if let Some(uid) = unsafe { (*uids.add(i)).as_ref() } {
                    mapi_uids.push(MapiUid(uid.ab));
                }
            }
        }
        Ok(AddressTypes {
            flags,
            address_types,
            uids: mapi_uids,
        })
    }

    fn register_options(&self, flags: &InOut<u32>) -> MapiResult<u32> {
        let mut f = flags.get();
        let mut count = 0u32;
        let mut options = ptr::null_mut();
        // SAFETY: the logon is live; the out-parameters are on the stack (the options stay the
        // library's: they are not read).
        let hr = self
            .host()
            .call(|| unsafe { self.logon.RegisterOptions(&mut f, &mut count, &mut options) });
        flags.set(f);
        check(hr)?;
        Ok(count)
    }

    fn transport_notify(&self, flags: &InOut<TransportNotifyFlags>, data: &InOut<usize>) -> MapiResult<()> {
        let mut f = flags.get().bits();
        let mut d: *mut core::ffi::c_void = ptr::with_exposed_provenance_mut(data.get());
        // SAFETY: the logon is live; both in/out parameters are on the stack.
        let hr = self
            .host()
            .call(|| unsafe { self.logon.TransportNotify(&mut f, &mut d) });
        flags.set(TransportNotifyFlags::from_bits_retain(f));
        data.set(d.expose_provenance());
        check(hr)
    }

    fn idle(&self, flags: u32) -> MapiResult<()> {
        // SAFETY: the logon is live.
        check(self.host().call(|| unsafe { self.logon.Idle(flags) }))
    }

    fn transport_logoff(&self, flags: TransportLogoffFlags) -> MapiResult<()> {
        // SAFETY: the logon is live.
        check(
            self.host()
                .call(|| unsafe { self.logon.TransportLogoff(flags.bits()) }),
        )
    }

    fn submit_message(
        &self,
        flags: u32,
        message: &Ref<dyn MapiProp>,
        return_parm: &OutParam<usize>,
    ) -> MapiResult<usize> {
        let message = self.message(message);
        let (mut msg_ref, mut parm) = (0usize, 0usize);
        // SAFETY: the logon is live; the message proxy lives with the host; the out-parameters
        // are on the stack.
        let hr = self
            .host()
            .call(|| unsafe { self.logon.SubmitMessage(flags, message, &mut msg_ref, &mut parm) });
        // Nothing tells a zero written from none: a zero is none.
        if parm != 0 {
            return_parm.set(parm);
        }
        check(hr)?;
        Ok(msg_ref)
    }

    fn end_message(&self, msg_ref: usize) -> MapiResult<EndMessageFlags> {
        let mut flags = 0u32;
        // SAFETY: the logon is live; `flags` is on the stack.
        let hr = self
            .host()
            .call(|| unsafe { self.logon.EndMessage(msg_ref, &mut flags) });
        check(hr)?;
        Ok(EndMessageFlags::from_bits_retain(flags))
    }

    fn poll(&self) -> MapiResult<u32> {
        let mut incoming = 0u32;
        // SAFETY: the logon is live; `incoming` is on the stack.
        check(self.host().call(|| unsafe { self.logon.Poll(&mut incoming) }))?;
        Ok(incoming)
    }

    fn start_message(&self, flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<usize> {
        let message = self.message(message);
        let mut msg_ref = 0usize;
        // SAFETY: the logon is live; the message proxy lives with the host; `msg_ref` is on the
        // stack.
        let hr = self
            .host()
            .call(|| unsafe { self.logon.StartMessage(flags, message, &mut msg_ref) });
        check(hr)?;
        Ok(msg_ref)
    }

    fn validate_state(&self, ui_param: usize, flags: u32) -> MapiResult<()> {
        // SAFETY: the logon is live.
        check(
            self.host()
                .call(|| unsafe { self.logon.ValidateState(ui_param, flags) }),
        )
    }

    fn flush_queues(
        &self,
        ui_param: usize,
        target_transport: &[u8],
        flags: FlushQueuesFlags,
    ) -> MapiResult<()> {
        let mut target = EntryIdIn::new(target_transport)?;
        // SAFETY: the logon is live; a copy of the target's entry ID (or NULL).
        check(self.host().call(|| unsafe {
            self.logon
                .FlushQueues(ui_param, target.len(), target.as_ptr(), flags.bits())
        }))
    }
}
