//! An address-book provider exported: `IABProvider` (and `IMAPIProviderShutdown`) and the
//! `IABLogon` its `Logon` returns, one COM object per Rust object (see
//! [Identity](super#identity)).

use core::ffi::c_void;
use core::ptr;

use mapisim::flags::AbLogonFlags;
use mapisim::ids::Iid;
use mapisim::spi::{
    AbLogon, AbLogonArgs, AbProvider, AbSecurity, InOut, MapiSupport, OutParam, ProviderShutdown,
};
use mapisim::{MapiError, MapiResult, Ref, Warned};
use windows_core::{GUID, HRESULT, Interface, implement};

use super::store::{self, HostMemory, MAPI_UNICODE, export_held};
use super::{guard, store::Held};
use crate::interfaces::{
    IABLogon, IABLogon_Impl, IABProvider, IABProvider_Impl, IMAPIProviderShutdown, IMAPIProviderShutdown_Impl,
};
use crate::support::ComSupport;
use crate::types::{ADRLIST, ENTRYID, LPTSTR, MAPIERROR, SPropTagArray};

/// `Shutdown(lpulFlags)` of any provider: the reserved flags read (NULL as 0).
///
/// # Safety
///
/// `flags` is NULL or valid for a read.
pub(super) unsafe fn shutdown_flags(flags: *mut u32) -> u32 {
    if flags.is_null() {
        0
    } else {
        // SAFETY: not NULL, and valid for a read (the caller's contract).
        unsafe { flags.read() }
    }
}

/// Lays out what a provider set in `mapi_error` for MAPI (whatever the call returned), or frees
/// it when MAPI passed no out-pointer.
///
/// # Safety
///
/// `out` is NULL or valid for a write.
pub(super) unsafe fn give_mapi_error(
    memory: &HostMemory,
    mapi_error: &OutParam<mapisim::spi::MapiBuffer<mapisim::spi::MapiErrorInfo>>,
    out: *mut *mut MAPIERROR,
    unicode: bool,
) {
    let Some(error) = mapi_error.get() else {
        return;
    };
    let laid_out = if out.is_null() {
        memory
            .routines()
            .free_buffer(Some(error.id()))
            .map(|()| ptr::null_mut())
    } else {
        memory.hand_over_error(error, unicode)
    };
    if let Ok(error) = laid_out {
        // SAFETY: NULL or valid for a write (the caller's contract).
        unsafe { store::put(out, error) };
    }
}

/// The fast-shutdown calls of an exported provider: the Rust object asked again at each call.
pub(super) fn fast_shutdown<T: ?Sized + 'static>(provider: &Ref<T>) -> MapiResult<Ref<dyn ProviderShutdown>> {
    provider
        .query::<dyn ProviderShutdown>()
        .map_err(|_| MapiError::NoSupport)
}

/// Writes the `IMAPIProviderShutdown` methods of a COM class holding a `held: Held<_>`.
macro_rules! provider_shutdown_methods {
    ($impl:ident) => {
        impl IMAPIProviderShutdown_Impl for $impl {
            unsafe fn QueryFastShutdown(&self) -> HRESULT {
                guard(|| super::ab::fast_shutdown(self.held.object()?)?.query_fast_shutdown())
            }

            unsafe fn NotifyProcessShutdown(&self) -> HRESULT {
                guard(|| super::ab::fast_shutdown(self.held.object()?)?.notify_process_shutdown())
            }

            unsafe fn DoFastShutdown(&self) -> HRESULT {
                guard(|| super::ab::fast_shutdown(self.held.object()?)?.do_fast_shutdown())
            }
        }
    };
}
pub(super) use provider_shutdown_methods;

// ---------------------------------------------------------------------------------------------
// IABProvider
// ---------------------------------------------------------------------------------------------

/// `IABProvider::Logon`: the out-pointers set first, the support object imported, the security
/// parameters in and out, `*lppMAPIError` laid out, the logon exported.
///
/// # Safety
///
/// The arguments of `IABProvider::Logon`, each pointer NULL or valid.
#[allow(clippy::too_many_arguments)]
unsafe fn ab_logon(
    held: &Held<dyn AbProvider>,
    support: *mut c_void,
    ui_param: usize,
    profile_name: LPTSTR,
    flags: u32,
    cb_security: *mut u32,
    pb_security: *mut *mut u8,
    mapi_error: *mut *mut MAPIERROR,
    logon: *mut *mut c_void,
) -> HRESULT {
    // SAFETY: each out-pointer is NULL or valid for a write (the caller's contract).
    unsafe {
        store::put(logon, ptr::null_mut());
        store::put(mapi_error, ptr::null_mut());
    }
    let unicode = flags & MAPI_UNICODE != 0;
    let out = OutParam::new();
    let hr = guard(|| {
        if logon.is_null() {
            return Err(MapiError::InvalidParameter);
        }
        let provider = held.object()?;
        let memory = &held.memory;
        // SAFETY: NULL or a live IMAPISupport of MAPI (the caller's contract).
        let support = unsafe { ComSupport::from_raw_borrowed(support, memory.routines().clone())? };
        let support: Ref<dyn MapiSupport> = Ref::new(support).into();
        // SAFETY: NULL or a NUL-terminated string of that encoding, unchanged during the call.
        let profile_name = unsafe { store::tstr(profile_name, unicode)? };
        // SAFETY: each is NULL or valid for a read (the caller's contract).
        let given = unsafe {
            AbSecurity {
                size: cb_security.as_ref().copied().unwrap_or(0),
                address: pb_security.as_ref().map_or(0, |p| p.expose_provenance()),
            }
        };
        let security = InOut::new(given);
        let result = provider.logon(&AbLogonArgs {
            support: &support,
            ui_param,
            profile_name,
            flags: AbLogonFlags::from_bits_retain(flags),
            security: &security,
            mapi_error: &out,
        });
        drop(support);
        let left = security.get();
        // SAFETY: each is NULL or valid for a write (the caller's contract).
        unsafe {
            store::put(cb_security, left.size);
            store::put(pb_security, ptr::with_exposed_provenance_mut(left.address));
        }
        let Warned { value, warning } = result?;
        let exported = export_ab_logon(&value, memory)?;
        // SAFETY: not NULL, and valid for a write; the reference is MAPI's from now on.
        unsafe { logon.write(exported.into_raw()) };
        Ok(Warned { value: (), warning })
    });
    // SAFETY: NULL or valid for a write (the caller's contract).
    unsafe { give_mapi_error(&held.memory, &out, mapi_error, unicode) };
    hr
}

/// Writes the `IABProvider` methods of a COM class holding a `held: Held<dyn AbProvider>`.
macro_rules! ab_provider_methods {
    ($impl:ident) => {
        impl IABProvider_Impl for $impl {
            unsafe fn Shutdown(&self, lpulFlags: *mut u32) -> HRESULT {
                // SAFETY: the host passes NULL or a valid pointer.
                let flags = unsafe { shutdown_flags(lpulFlags) };
                guard(|| self.held.object()?.shutdown(flags))
            }

            unsafe fn Logon(
                &self,
                lpMAPISup: *mut c_void,
                ulUIParam: usize,
                lpszProfileName: LPTSTR,
                ulFlags: u32,
                lpulpcbSecurity: *mut u32,
                lppbSecurity: *mut *mut u8,
                lppMAPIError: *mut *mut MAPIERROR,
                lppABLogon: *mut *mut c_void,
            ) -> HRESULT {
                // SAFETY: the host passes IABProvider::Logon's arguments, each NULL or valid.
                unsafe {
                    ab_logon(
                        &self.held,
                        lpMAPISup,
                        ulUIParam,
                        lpszProfileName,
                        ulFlags,
                        lpulpcbSecurity,
                        lppbSecurity,
                        lppMAPIError,
                        lppABLogon,
                    )
                }
            }
        }
    };
}

/// An address-book provider object without `IMAPIProviderShutdown`.
#[implement(IABProvider)]
struct AbProviderObject {
    held: Held<dyn AbProvider>,
}

ab_provider_methods!(AbProviderObject_Impl);

/// An address-book provider object that exposes `IMAPIProviderShutdown`.
#[implement(IABProvider, IMAPIProviderShutdown)]
struct ShutdownAbProviderObject {
    held: Held<dyn AbProvider>,
}

ab_provider_methods!(ShutdownAbProviderObject_Impl);
provider_shutdown_methods!(ShutdownAbProviderObject_Impl);

/// The COM object of an address-book provider, with MAPI's memory as `ABProviderInit` received
/// it: `Logon` imports the support object ([`ComSupport`]) on the provider's routines and exports
/// the logon it returns ([`export_ab_logon`]), laying `*lppMAPIError` out in MAPI memory.
/// `QueryInterface` answers for `IMAPIProviderShutdown` when the provider exposes it at the time
/// the COM object is made, as [`export_provider`](super::export_provider) does.
pub fn export_ab_provider_with_memory(
    provider: &Ref<dyn AbProvider>,
    memory: &HostMemory,
) -> MapiResult<IABProvider> {
    let shutdown = provider.query_interface(&Iid::IMAPIPROVIDERSHUTDOWN).is_ok();
    export_held(provider, memory, move |held| {
        if shutdown {
            ShutdownAbProviderObject { held }.into()
        } else {
            AbProviderObject { held }.into()
        }
    })
}

// ---------------------------------------------------------------------------------------------
// IABLogon
// ---------------------------------------------------------------------------------------------

/// The exported `IABLogon` of a `Ref<dyn AbLogon>`: `GetLastError`, `Logoff`, `CompareEntryIDs`,
/// `Advise` and `Unadvise` call it; `OpenEntry`, `OpenStatusEntry`, `OpenTemplateID`,
/// `GetOneOffTable` and `PrepareRecips` answer `MAPI_E_NO_SUPPORT`: they return containers,
/// mail users, status objects and tables, or take address lists, which are not carried across
/// yet.
#[implement(IABLogon)]
struct AbLogonObject {
    held: Held<dyn AbLogon>,
}

impl IABLogon_Impl for AbLogonObject_Impl {
    unsafe fn GetLastError(
        &self,
        hResult: HRESULT,
        ulFlags: u32,
        lppMAPIError: *mut *mut MAPIERROR,
    ) -> HRESULT {
        // SAFETY: the host passes NULL or a valid out-pointer.
        unsafe {
            store::last_error(&self.held.memory, lppMAPIError, ulFlags, || {
                self.held
                    .object()?
                    .get_last_error(MapiError::from_hresult(hResult.0), ulFlags)
            })
        }
    }

    unsafe fn Logoff(&self, ulFlags: u32) -> HRESULT {
        guard(|| self.held.object()?.logoff(ulFlags))
    }

    unsafe fn OpenEntry(
        &self,
        _cbEntryID: u32,
        _lpEntryID: *mut ENTRYID,
        _lpInterface: *const GUID,
        _ulFlags: u32,
        _lpulObjType: *mut u32,
        lppUnk: *mut *mut c_void,
    ) -> HRESULT {
        // SAFETY: NULL or valid for a write.
        unsafe { store::put(lppUnk, ptr::null_mut()) };
        HRESULT(MapiError::NoSupport.hresult())
    }

    unsafe fn CompareEntryIDs(
        &self,
        cbEntryID1: u32,
        lpEntryID1: *mut ENTRYID,
        cbEntryID2: u32,
        lpEntryID2: *mut ENTRYID,
        ulFlags: u32,
        lpulResult: *mut u32,
    ) -> HRESULT {
        // SAFETY: the host passes entry IDs valid for their sizes and a valid result pointer.
        unsafe {
            store::compare(
                cbEntryID1,
                lpEntryID1,
                cbEntryID2,
                lpEntryID2,
                lpulResult,
                |a, b| self.held.object()?.compare_entry_ids(a, b, ulFlags),
            )
        }
    }

    unsafe fn Advise(
        &self,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        ulEventMask: u32,
        lpAdviseSink: *mut c_void,
        lpulConnection: *mut usize,
    ) -> HRESULT {
        // SAFETY: the host passes an entry ID valid for its size, a live sink and a valid
        // out-pointer.
        unsafe {
            store::advise(
                cbEntryID,
                lpEntryID,
                ulEventMask,
                lpAdviseSink,
                lpulConnection,
                |id, mask, sink| self.held.object()?.advise(id.unwrap_or_default(), mask, sink),
            )
        }
    }

    unsafe fn Unadvise(&self, ulConnection: usize) -> HRESULT {
        guard(|| self.held.object()?.unadvise(ulConnection))
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

    unsafe fn OpenTemplateID(
        &self,
        _cbTemplateID: u32,
        _lpTemplateID: *mut ENTRYID,
        _ulTemplateFlags: u32,
        _lpMAPIPropData: *mut c_void,
        _lpInterface: *const GUID,
        lppMAPIPropNew: *mut *mut c_void,
        _lpMAPIPropSibling: *mut c_void,
    ) -> HRESULT {
        // SAFETY: NULL or valid for a write.
        unsafe { store::put(lppMAPIPropNew, ptr::null_mut()) };
        HRESULT(MapiError::NoSupport.hresult())
    }

    unsafe fn GetOneOffTable(&self, _ulFlags: u32, lppTable: *mut *mut c_void) -> HRESULT {
        // SAFETY: NULL or valid for a write.
        unsafe { store::put(lppTable, ptr::null_mut()) };
        HRESULT(MapiError::NoSupport.hresult())
    }

    unsafe fn PrepareRecips(
        &self,
        _ulFlags: u32,
        _lpPropTagArray: *mut SPropTagArray,
        _lpRecipList: *mut ADRLIST,
    ) -> HRESULT {
        HRESULT(MapiError::NoSupport.hresult())
    }
}

/// The COM object of an address-book logon: one per Rust object, with MAPI's memory.
pub fn export_ab_logon(logon: &Ref<dyn AbLogon>, memory: &HostMemory) -> MapiResult<IABLogon> {
    export_held(logon, memory, |held| AbLogonObject { held }.into())
}
