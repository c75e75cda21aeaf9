//! A library's address-book provider: [`NativeAbProvider`] (`IABProvider`) and
//! [`NativeAbLogon`] (`IABLogon`).

use core::fmt;
use core::ptr;
use std::sync::Arc;

use mapisim::flags::EventMask;
use mapisim::spi::{
    AbLogon, AbLogonArgs, AbProvider, AbSecurity, AdviseSink, MapiBuffer, MapiErrorInfo, ProviderShutdown,
};
use mapisim::{MapiError, MapiResult, Ref, Warned};
use windows_core::{HRESULT, Interface};

use super::{CString, EntryIdIn, FastShutdown, HostShared, MAPI_UNICODE, Released, proxy};
use crate::interfaces::{IABLogon, IABProvider, IMAPIProviderShutdown};
use crate::support::{check, status};

// SAFETY: MAPI's objects use the free-threading model (see the store adapters); the adapters
// hold nothing else that is not `Send + Sync`.
unsafe impl Send for NativeAbProvider {}
// SAFETY: as above.
unsafe impl Sync for NativeAbProvider {}
// SAFETY: as above.
unsafe impl Send for NativeAbLogon {}
// SAFETY: as above.
unsafe impl Sync for NativeAbLogon {}

/// A library's `IABProvider` as an [`AbProvider`]: `Shutdown` and `Logon` call it (the support
/// object handed over as a counting proxy, the security parameters in and out). When the object
/// answers `QueryInterface` for `IMAPIProviderShutdown`, the adapter exposes
/// [`ProviderShutdown`] too.
pub struct NativeAbProvider {
    // Released first, as the provider's second interface.
    shutdown: FastShutdown,
    provider: Released<IABProvider>,
}

impl fmt::Debug for NativeAbProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeAbProvider")
            .field("file", &self.host().file)
            .field("interface", &self.provider.as_raw())
            .finish_non_exhaustive()
    }
}

impl NativeAbProvider {
    fn host(&self) -> &Arc<HostShared> {
        self.provider.host()
    }

    /// The adapter of a provider object `ABProviderInit` returned, taking its reference.
    pub(crate) fn adopt(host: &Arc<HostShared>, provider: IABProvider) -> Ref<dyn AbProvider> {
        let shutdown = FastShutdown::of(host, provider.cast::<IMAPIProviderShutdown>().ok());
        let exposes = shutdown.exposed();
        let adapter = Ref::new(NativeAbProvider {
            shutdown,
            provider: Released::new(host, provider),
        });
        if exposes {
            adapter.expose::<dyn ProviderShutdown>();
        }
        adapter.into()
    }
}

impl AbProvider for NativeAbProvider {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        let mut flags = flags;
        // SAFETY: the provider is live; `flags` is the in/out ULONG on the stack.
        check(self.host().call(|| unsafe { self.provider.Shutdown(&mut flags) }))
    }

    fn logon(&self, args: &AbLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn AbLogon>>> {
        let host = self.host();
        let support = host.proxy_of(args.support, &proxy::SUPPORT, proxy::SUPPORT_IIDS);
        let mut name = CString::new(args.profile_name);
        let flags = args.flags.bits();
        let given = args.security.get();
        let mut size = given.size;
        let mut address: *mut u8 = ptr::with_exposed_provenance_mut(given.address);
        let (mut error, mut logon) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: the provider is live; the support proxy lives with the host; the name is a
        // NUL-terminated copy in this frame; the security parameters and out-pointers are on the
        // stack.
        let hr = host.call(|| unsafe {
            self.provider.Logon(
                support,
                args.ui_param,
                name.as_ptr().cast(),
                flags,
                &mut size,
                &mut address,
                &mut error,
                &mut logon,
            )
        });
        args.security.set(AbSecurity {
            size,
            address: address.expose_provenance(),
        });
        // SAFETY: NULL or a MAPIERROR the library allocated with the routines, in the flags'
        // encoding (Logon's contract).
        if let Some(error) = unsafe { host.adopt_error(error, flags & MAPI_UNICODE != 0) }? {
            args.mapi_error.set(error);
        }
        // SAFETY: NULL or an IABLogon with one reference for the caller (Logon's contract).
        let logon = (!logon.is_null()).then(|| unsafe { IABLogon::from_raw(logon) });
        let warning = status(hr)?;
        let logon = logon.ok_or(MapiError::CallFailed)?;
        let adapter: Ref<dyn AbLogon> = Ref::new(NativeAbLogon {
            logon: Released::new(host, logon),
        })
        .into();
        Ok(match warning {
            Some(w) => Warned::with_warning(adapter, w),
            None => Warned::ok(adapter),
        })
    }
}

super::fast_shutdown_calls!(NativeAbProvider);

/// A library's `IABLogon` as an [`AbLogon`]: `GetLastError`, `Logoff`, `CompareEntryIDs`,
/// `Advise` and `Unadvise` call it (a sink handed over as a counting proxy). `OpenEntry`,
/// `OpenStatusEntry`, `OpenTemplateID`, `GetOneOffTable` and `PrepareRecips` keep the trait's
/// `MAPI_E_NO_SUPPORT`: they return containers, mail users, status objects and tables, or take
/// address lists, which are not carried across yet.
pub struct NativeAbLogon {
    logon: Released<IABLogon>,
}

impl fmt::Debug for NativeAbLogon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeAbLogon")
            .field("interface", &self.logon.as_raw())
            .finish_non_exhaustive()
    }
}

impl NativeAbLogon {
    fn host(&self) -> &Arc<HostShared> {
        self.logon.host()
    }
}

impl AbLogon for NativeAbLogon {
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        self.host().last_error(flags, |out| {
            // SAFETY: the logon is live; `out` is an out-pointer on the stack.
            self.host()
                .call(|| unsafe { self.logon.GetLastError(HRESULT(hresult.hresult()), flags, out) })
        })
    }

    fn logoff(&self, flags: u32) -> MapiResult<()> {
        // SAFETY: the logon is live; `IABLogon::Logoff` takes its flags by value.
        check(self.host().call(|| unsafe { self.logon.Logoff(flags) }))
    }

    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        let (mut a, mut b) = (EntryIdIn::new(a)?, EntryIdIn::new(b)?);
        let mut result = 0;
        // SAFETY: the logon is live; copies of the entry IDs; `result` on the stack.
        check(self.host().call(|| unsafe {
            self.logon
                .CompareEntryIDs(a.len(), a.as_ptr(), b.len(), b.as_ptr(), flags, &mut result)
        }))?;
        Ok(result != 0)
    }

    fn advise(&self, entry_id: &[u8], mask: EventMask, sink: &Ref<dyn AdviseSink>) -> MapiResult<usize> {
        self.host()
            .advise(Some(entry_id), sink, |cb, id, proxy, connection| {
                // SAFETY: the logon is live; a copy of the entry ID (or NULL); `proxy` is a live sink
                // proxy; `connection` is on the caller's stack.
                unsafe { self.logon.Advise(cb, id, mask.bits(), proxy, connection) }
            })
    }

    fn unadvise(&self, connection: usize) -> MapiResult<()> {
        // SAFETY: the logon is live; `Unadvise` takes a number.
        check(self.host().call(|| unsafe { self.logon.Unadvise(connection) }))
    }
}
