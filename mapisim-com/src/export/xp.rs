//! A transport provider exported: `IXPProvider` (and `IMAPIProviderShutdown`) and the
//! `IXPLogon` its `TransportLogon` returns, one COM object per Rust object (see
//! [Identity](super#identity)).
//!
//! `AddressTypes` lays the address types and MAPIUIDs out in one block of MAPI memory, through
//! the provider's routines, that stays valid until the logon's `TransportLogoff` (as the page
//! requires), which frees it; so does the logon's final release if MAPI never logged it off.

use core::ffi::c_void;
use core::ptr;
use std::sync::Mutex;

use mapisim::flags::{
    EndMessageFlags, FlushQueuesFlags, TransportLogoffFlags, TransportNotifyFlags, XpLogonFlags,
};
use mapisim::ids::Iid;
use mapisim::spi::{
    AddressTypes, BufferId, InOut, MapiProp, MapiSupport, MemRoutines, OutParam, TransportLogonArgs, XpLogon,
    XpProvider,
};
use mapisim::strings::TString;
use mapisim::{MapiError, MapiResult, Ref, Warned};
use windows_core::{GUID, HRESULT, Interface, implement};

use super::ab::{give_mapi_error, provider_shutdown_methods, shutdown_flags};
use super::store::{self, Held, HostMemory, MAPI_UNICODE, export_held};
use super::{entry_id, guard};
use crate::interfaces::{
    IMAPIProviderShutdown, IMAPIProviderShutdown_Impl, IXPLogon, IXPLogon_Impl, IXPProvider, IXPProvider_Impl,
};
use crate::support::{ComMessage, ComSupport};
use crate::types::{ENTRYID, LPTSTR, MAPIERROR, MAPIUID};

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------------
// IXPProvider
// ---------------------------------------------------------------------------------------------

/// `IXPProvider::TransportLogon`: the out-pointers set first, the support object imported, the
/// flags in and out, `*lppMAPIError` laid out, the logon exported.
///
/// # Safety
///
/// The arguments of `IXPProvider::TransportLogon`, each pointer NULL or valid.
unsafe fn transport_logon(
    held: &Held<dyn XpProvider>,
    support: *mut c_void,
    ui_param: usize,
    profile_name: LPTSTR,
    flags: *mut u32,
    mapi_error: *mut *mut MAPIERROR,
    logon: *mut *mut c_void,
) -> HRESULT {
    // SAFETY: each out-pointer is NULL or valid for a write (the caller's contract).
    unsafe {
        store::put(logon, ptr::null_mut());
        store::put(mapi_error, ptr::null_mut());
    }
    // SAFETY: NULL or valid for a read (the caller's contract).
    let given = unsafe { flags.as_ref().copied() }.unwrap_or(0);
    let unicode = given & MAPI_UNICODE != 0;
    let out = OutParam::new();
    let hr = guard(|| {
        if logon.is_null() || flags.is_null() {
            return Err(MapiError::InvalidParameter);
        }
        let provider = held.object()?;
        let memory = &held.memory;
        // SAFETY: NULL or a live IMAPISupport of MAPI (the caller's contract).
        let support = unsafe { ComSupport::from_raw_borrowed(support, memory.routines().clone())? };
        let support: Ref<dyn MapiSupport> = Ref::new(support).into();
        // SAFETY: NULL or a NUL-terminated string of that encoding, unchanged during the call.
        let profile_name = unsafe { store::tstr(profile_name, unicode)? };
        let in_out = InOut::new(XpLogonFlags::from_bits_retain(given));
        let result = provider.transport_logon(&TransportLogonArgs {
            support: &support,
            ui_param,
            profile_name,
            flags: &in_out,
            mapi_error: &out,
        });
        drop(support);
        // SAFETY: not NULL, and valid for a write (the caller's contract).
        unsafe { flags.write(in_out.get().bits()) };
        let Warned { value, warning } = result?;
        let exported = export_xp_logon(&value, memory)?;
        // SAFETY: not NULL, and valid for a write; the reference is MAPI's from now on.
        unsafe { logon.write(exported.into_raw()) };
        Ok(Warned { value: (), warning })
    });
    // SAFETY: NULL or valid for a write (the caller's contract).
    unsafe { give_mapi_error(&held.memory, &out, mapi_error, unicode) };
    hr
}

/// Writes the `IXPProvider` methods of a COM class holding a `held: Held<dyn XpProvider>`.
macro_rules! xp_provider_methods {
    ($impl:ident) => {
        impl IXPProvider_Impl for $impl {
            unsafe fn Shutdown(&self, lpulFlags: *mut u32) -> HRESULT {
                // SAFETY: the host passes NULL or a valid pointer.
                let flags = unsafe { shutdown_flags(lpulFlags) };
                guard(|| self.held.object()?.shutdown(flags))
            }

            unsafe fn TransportLogon(
                &self,
                lpMAPISup: *mut c_void,
                ulUIParam: usize,
                lpszProfileName: LPTSTR,
                lpulFlags: *mut u32,
                lppMAPIError: *mut *mut MAPIERROR,
                lppXPLogon: *mut *mut c_void,
            ) -> HRESULT {
                // SAFETY: the host passes IXPProvider::TransportLogon's arguments, each NULL or
                // valid.
                unsafe {
                    transport_logon(
                        &self.held,
                        lpMAPISup,
                        ulUIParam,
                        lpszProfileName,
                        lpulFlags,
                        lppMAPIError,
                        lppXPLogon,
                    )
                }
            }
        }
    };
}

/// A transport provider object without `IMAPIProviderShutdown`.
#[implement(IXPProvider)]
struct XpProviderObject {
    held: Held<dyn XpProvider>,
}

xp_provider_methods!(XpProviderObject_Impl);

/// A transport provider object that exposes `IMAPIProviderShutdown`.
#[implement(IXPProvider, IMAPIProviderShutdown)]
struct ShutdownXpProviderObject {
    held: Held<dyn XpProvider>,
}

xp_provider_methods!(ShutdownXpProviderObject_Impl);
provider_shutdown_methods!(ShutdownXpProviderObject_Impl);

/// The COM object of a transport provider, with MAPI's memory as `XPProviderInit` received it:
/// `TransportLogon` imports the support object ([`ComSupport`]) on the provider's routines and
/// exports the logon it returns ([`export_xp_logon`]). `QueryInterface` answers for
/// `IMAPIProviderShutdown` as [`export_provider`](super::export_provider) does.
pub fn export_xp_provider_with_memory(
    provider: &Ref<dyn XpProvider>,
    memory: &HostMemory,
) -> MapiResult<IXPProvider> {
    let shutdown = provider.query_interface(&Iid::IMAPIPROVIDERSHUTDOWN).is_ok();
    export_held(provider, memory, move |held| {
        if shutdown {
            ShutdownXpProviderObject { held }.into()
        } else {
            XpProviderObject { held }.into()
        }
    })
}

// ---------------------------------------------------------------------------------------------
// IXPLogon
// ---------------------------------------------------------------------------------------------

/// The exported `IXPLogon` of a `Ref<dyn XpLogon>`: every method calls it but `OpenStatusEntry`
/// (status objects are not carried across yet) and `RegisterOptions` ("not supported or
/// documented"), which answer `MAPI_E_NO_SUPPORT`. `SubmitMessage` and `StartMessage` import
/// MAPI's message as a [`ComMessage`].
#[implement(IXPLogon)]
struct XpLogonObject {
    held: Held<dyn XpLogon>,
    /// The blocks `AddressTypes` laid out, valid until `TransportLogoff`.
    address_types: Mutex<Vec<BufferId>>,
}

impl XpLogonObject_Impl {
    /// A message MAPI passed, imported.
    ///
    /// # Safety
    ///
    /// `message` is NULL or a live `IMessage`.
    unsafe fn message(&self, message: *mut c_void) -> MapiResult<Ref<dyn MapiProp>> {
        let memory = &self.held.memory;
        // SAFETY: the caller's contract.
        let message = unsafe {
            ComMessage::from_raw_borrowed(message, memory.routines().clone(), memory.free_function())?
        };
        Ok(Ref::new(message).into())
    }
}

impl XpLogonObject {
    /// Frees the blocks `AddressTypes` laid out.
    fn free_address_types(&self) {
        let blocks = std::mem::take(&mut *lock(&self.address_types));
        for block in blocks {
            let _ = self.held.memory.routines().free_buffer(Some(block));
        }
    }
}

impl Drop for XpLogonObject {
    fn drop(&mut self) {
        self.free_address_types();
    }
}

/// The address types and MAPIUIDs in one block: the array of string pointers, the array of
/// MAPIUID pointers, the MAPIUIDs, then the strings; the address of each array.
fn lay_out(routines: &MemRoutines, types: &AddressTypes) -> MapiResult<(BufferId, usize, usize)> {
    const WORD: usize = size_of::<usize>();
    let unicode = types.flags & MAPI_UNICODE != 0;
    let strings: Vec<Vec<u8>> = types
        .address_types
        .iter()
        .map(|t| match (t, unicode) {
            (TString::Wide(units), true) => units.iter().chain([&0]).flat_map(|u| u.to_ne_bytes()).collect(),
            (TString::Ansi(bytes), false) => bytes.iter().copied().chain([0]).collect(),
            // The strings are in the encoding the flags name.
            (TString::Wide(units), false) => String::from_utf16_lossy(units)
                .into_bytes()
                .into_iter()
                .chain([0])
                .collect(),
            (TString::Ansi(bytes), true) => String::from_utf8_lossy(bytes)
                .encode_utf16()
                .chain([0])
                .flat_map(u16::to_ne_bytes)
                .collect(),
        })
        .collect();
    let types_at = 0;
    let uids_at = types_at + strings.len() * WORD;
    let uid_data_at = uids_at + types.uids.len() * WORD;
    let strings_at = uid_data_at + types.uids.len() * size_of::<MAPIUID>();
    let total = strings_at + strings.iter().map(Vec::len).sum::<usize>();
    let block =
        routines.allocate_buffer(u32::try_from(total.max(1)).map_err(|_| MapiError::NotEnoughMemory)?)?;
    let base = routines.address(block).ok_or(MapiError::CallFailed)?;
    let mut bytes = vec![0u8; total];
    let mut at = strings_at;
    for (i, text) in strings.iter().enumerate() {
        bytes[types_at + i * WORD..][..WORD].copy_from_slice(&(base + at).to_ne_bytes());
        bytes[at..][..text.len()].copy_from_slice(text);
        at += text.len();
    }
    for (i, uid) in types.uids.iter().enumerate() {
        let data = uid_data_at + i * size_of::<MAPIUID>();
        bytes[uids_at + i * WORD..][..WORD].copy_from_slice(&(base + data).to_ne_bytes());
        bytes[data..][..16].copy_from_slice(&uid.0);
    }
    if let Err(e) = routines.write(block, 0, &bytes) {
        let _ = routines.free_buffer(Some(block));
        return Err(e);
    }
    Ok((block, base + types_at, base + uids_at))
}

impl IXPLogon_Impl for XpLogonObject_Impl {
    unsafe fn AddressTypes(
        &self,
        lpulFlags: *mut u32,
        lpcAdrType: *mut u32,
        lpppAdrTypeArray: *mut *mut LPTSTR,
        lpcMAPIUID: *mut u32,
        lpppUIDArray: *mut *mut *mut MAPIUID,
    ) -> HRESULT {
        // SAFETY: each out-pointer is NULL or valid for a write.
        unsafe {
            store::put(lpcAdrType, 0);
            store::put(lpppAdrTypeArray, ptr::null_mut());
            store::put(lpcMAPIUID, 0);
            store::put(lpppUIDArray, ptr::null_mut());
        }
        guard(|| {
            let types = self.held.object()?.address_types()?;
            let (block, types_at, uids_at) = lay_out(self.held.memory.routines(), &types)?;
            lock(&self.address_types).push(block);
            let count = |n: usize| u32::try_from(n).map_err(|_| MapiError::NotEnoughMemory);
            // SAFETY: each out-pointer is NULL or valid for a write; the arrays live in the block,
            // which stays until TransportLogoff.
            unsafe {
                store::put(lpulFlags, types.flags);
                store::put(lpcAdrType, count(types.address_types.len())?);
                store::put(lpppAdrTypeArray, ptr::with_exposed_provenance_mut(types_at));
                store::put(lpcMAPIUID, count(types.uids.len())?);
                store::put(lpppUIDArray, ptr::with_exposed_provenance_mut(uids_at));
            }
            Ok(())
        })
    }

    unsafe fn RegisterOptions(
        &self,
        _lpulFlags: *mut u32,
        lpcOptions: *mut u32,
        lppOptions: *mut *mut c_void,
    ) -> HRESULT {
        // SAFETY: each out-pointer is NULL or valid for a write.
        unsafe {
            store::put(lpcOptions, 0);
            store::put(lppOptions, ptr::null_mut());
        }
        HRESULT(MapiError::NoSupport.hresult())
    }

    unsafe fn TransportNotify(&self, lpulFlags: *mut u32, lppvData: *mut *mut c_void) -> HRESULT {
        guard(|| {
            if lpulFlags.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            // SAFETY: not NULL, valid for a read and a write; the data pointer is NULL or valid.
            let (flags, data) = unsafe {
                (
                    InOut::new(TransportNotifyFlags::from_bits_retain(lpulFlags.read())),
                    InOut::new(lppvData.as_ref().map_or(0, |d| d.expose_provenance())),
                )
            };
            let result = self.held.object()?.transport_notify(&flags, &data);
            // SAFETY: as above.
            unsafe {
                lpulFlags.write(flags.get().bits());
                store::put(lppvData, ptr::with_exposed_provenance_mut(data.get()));
            }
            result
        })
    }

    unsafe fn Idle(&self, ulFlags: u32) -> HRESULT {
        guard(|| self.held.object()?.idle(ulFlags))
    }

    unsafe fn TransportLogoff(&self, ulFlags: u32) -> HRESULT {
        let hr = guard(|| {
            self.held
                .object()?
                .transport_logoff(TransportLogoffFlags::from_bits_retain(ulFlags))
        });
        // Whatever it returned, the logon is logged off: the arrays go.
        self.free_address_types();
        hr
    }

    unsafe fn SubmitMessage(
        &self,
        ulFlags: u32,
        lpMessage: *mut c_void,
        lpulMsgRef: *mut usize,
        lpulReturnParm: *mut usize,
    ) -> HRESULT {
        guard(|| {
            // SAFETY: NULL or a live IMessage of MAPI.
            let message = unsafe { self.message(lpMessage)? };
            let parm = OutParam::new();
            let result = self.held.object()?.submit_message(ulFlags, &message, &parm);
            // SAFETY: each out-pointer is NULL or valid for a write.
            unsafe {
                if let Some(parm) = parm.get() {
                    store::put(lpulReturnParm, parm);
                }
                if let Ok(msg_ref) = &result {
                    store::put(lpulMsgRef, *msg_ref);
                }
            }
            result.map(|_| ())
        })
    }

    unsafe fn EndMessage(&self, ulMsgRef: usize, lpulFlags: *mut u32) -> HRESULT {
        guard(|| {
            let flags: EndMessageFlags = self.held.object()?.end_message(ulMsgRef)?;
            // SAFETY: NULL or valid for a write.
            unsafe { store::put(lpulFlags, flags.bits()) };
            Ok(())
        })
    }

    unsafe fn Poll(&self, lpulIncoming: *mut u32) -> HRESULT {
        guard(|| {
            let incoming = self.held.object()?.poll()?;
            // SAFETY: NULL or valid for a write.
            unsafe { store::put(lpulIncoming, incoming) };
            Ok(())
        })
    }

    unsafe fn StartMessage(&self, ulFlags: u32, lpMessage: *mut c_void, lpulMsgRef: *mut usize) -> HRESULT {
        guard(|| {
            // SAFETY: NULL or a live IMessage of MAPI.
            let message = unsafe { self.message(lpMessage)? };
            let msg_ref = self.held.object()?.start_message(ulFlags, &message)?;
            // SAFETY: NULL or valid for a write.
            unsafe { store::put(lpulMsgRef, msg_ref) };
            Ok(())
        })
    }

    unsafe fn OpenStatusEntry(
        &self,
        _lpInterface: *const GUID,
        _ulFlags: u32,
        _lpulObjType: *mut u32,
        lppEntry: *mut *mut c_void,
    ) -> HRESULT {
        // SAFETY: NULL or valid for a write.
        unsafe { store::put(lppEntry, ptr::null_mut()) };
        HRESULT(MapiError::NoSupport.hresult())
    }

    unsafe fn ValidateState(&self, ulUIParam: usize, ulFlags: u32) -> HRESULT {
        guard(|| self.held.object()?.validate_state(ulUIParam, ulFlags))
    }

    unsafe fn FlushQueues(
        &self,
        ulUIParam: usize,
        cbTargetTransport: u32,
        lpTargetTransport: *mut ENTRYID,
        ulFlags: u32,
    ) -> HRESULT {
        guard(|| {
            // SAFETY: NULL or valid for its size.
            let target = unsafe { entry_id(cbTargetTransport, lpTargetTransport)? };
            self.held
                .object()?
                .flush_queues(ulUIParam, target, FlushQueuesFlags::from_bits_retain(ulFlags))
        })
    }
}

/// The COM object of a transport logon: one per Rust object, with MAPI's memory.
pub fn export_xp_logon(logon: &Ref<dyn XpLogon>, memory: &HostMemory) -> MapiResult<IXPLogon> {
    export_held(logon, memory, |held| {
        XpLogonObject {
            held,
            address_types: Mutex::new(Vec::new()),
        }
        .into()
    })
}
