//! The objects a compiled library returns, as the `mapisim::spi` traits the simulator drives:
//! [`NativeProvider`] (`IMSProvider`), [`NativeLogon`] (`IMSLogon`) and [`NativeStore`]
//! (`IMsgStore`) for a store; [`NativeAbProvider`] (`IABProvider`) and [`NativeAbLogon`]
//! (`IABLogon`) for an address book; [`NativeXpProvider`] (`IXPProvider`) and
//! [`NativeXpLogon`] (`IXPLogon`) for a transport.
//!
//! Each adapter holds one COM reference of its object and releases it when the simulator drops
//! its last `Ref`. There is one adapter per COM object (by its `IUnknown` identity) while the
//! adapter lives: a store the library returns again (a reused logon, `SpoolerLogon`) is the same
//! `Ref`, as the in-process sample's is. Output parameters are read back from the library's
//! memory: a property array or `MAPIERROR` it allocated with `MAPIAllocateBuffer` becomes a
//! typed block of the simulator ([`MemRoutines::attach_value`]), other outputs are read and freed.
//!
//! Methods not listed on each adapter keep the trait's default (`MAPI_E_NO_SUPPORT`): they take
//! or return objects or structures that are not carried across yet.
// The parameters of the COM methods are MAPI's names.
#![allow(non_snake_case)]

mod ab;
mod xp;

pub use ab::{NativeAbLogon, NativeAbProvider};
pub use xp::{NativeXpLogon, NativeXpProvider};

use core::ffi::c_void;
use core::fmt;
use core::ptr;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use mapisim::flags::{EventMask, LogoffFlags};
use mapisim::ids::Iid;
use mapisim::object::WeakRef;
use mapisim::props::{Prop, PropTag};
use mapisim::spi::{
    AdviseSink, BufferId, MapiBuffer, MapiErrorInfo, MapiProp, MemRoutines, MsLogon, MsProvider, MsgStore,
    OutParam, PropArray, PropProblem, ProviderShutdown, ServiceEntryArgs, SpoolerLogonArgs, StoreLogon,
    StoreLogonArgs,
};
use mapisim::strings::TStr;
use mapisim::{MapiError, MapiResult, Ref, Warned};
use windows_core::{GUID, HRESULT, IUnknown, Interface};

use super::{HostShared, Released, lock, proxy};
use crate::entry::MSGSERVICEENTRY;
use crate::interfaces::{IMAPIProviderShutdown, IMSLogon, IMSProvider, IMsgStore};
use crate::props;
use crate::support::{check, status};
use crate::types::{ENTRYID, MAPIERROR, SPropProblemArray, SPropTagArray, SPropValue};

/// `MAPI_UNICODE`.
const MAPI_UNICODE: u32 = 0x8000_0000;

/// The adapters of one library's objects, by COM identity.
#[derive(Default)]
pub(crate) struct Adapters {
    logons: Mutex<HashMap<usize, WeakRef<NativeLogon>>>,
    stores: Mutex<HashMap<usize, WeakRef<NativeStore>>>,
}

/// The identity of a COM object: the address of its `IUnknown`.
fn identity<I: Interface>(object: &I) -> MapiResult<usize> {
    let unknown = object
        .cast::<IUnknown>()
        .map_err(|e| MapiError::from_hresult(e.code().0))?;
    Ok(unknown.as_raw().addr())
}

/// The adapter of `object` in `map`, or a new one made by `make`. A found adapter already holds
/// a reference, so `object`'s is released.
fn adopt<I: Interface, A: Send + Sync + 'static>(
    map: &Mutex<HashMap<usize, WeakRef<A>>>,
    object: I,
    make: impl FnOnce(I) -> A,
) -> MapiResult<Ref<A>> {
    let id = identity(&object)?;
    let found = {
        let mut map = lock(map);
        match map.get(&id).and_then(WeakRef::upgrade) {
            Some(found) => Ok(found),
            None => {
                map.retain(|_, adapter| adapter.is_alive());
                let adapter = Ref::new(make(object));
                map.insert(id, adapter.downgrade());
                return Ok(adapter);
            }
        }
    };
    // The duplicate reference is released outside the lock: the library runs.
    drop(object);
    found
}

/// A string passed to the library: its code units and a NUL.
enum CString {
    Ansi(Vec<u8>),
    Wide(Vec<u16>),
}

impl CString {
    fn new(text: TStr<'_>) -> CString {
        match text {
            TStr::Ansi(bytes) => CString::Ansi(bytes.iter().copied().chain([0]).collect()),
            TStr::Wide(units) => CString::Wide(units.iter().copied().chain([0]).collect()),
        }
    }

    fn as_ptr(&mut self) -> *mut c_void {
        match self {
            CString::Ansi(bytes) => bytes.as_mut_ptr().cast(),
            CString::Wide(units) => units.as_mut_ptr().cast(),
        }
    }
}

/// An entry ID passed to the library: its size and a pointer to a copy (NULL when empty).
struct EntryIdIn(Vec<u8>);

impl EntryIdIn {
    fn new(bytes: &[u8]) -> MapiResult<EntryIdIn> {
        u32::try_from(bytes.len()).map_err(|_| MapiError::InvalidParameter)?;
        Ok(EntryIdIn(bytes.to_vec()))
    }

    fn len(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    fn as_ptr(&mut self) -> *mut ENTRYID {
        if self.0.is_empty() {
            ptr::null_mut()
        } else {
            self.0.as_mut_ptr().cast()
        }
    }
}

/// An interface ID passed to the library.
fn guid(iid: Option<Iid>) -> Option<GUID> {
    iid.map(|iid| GUID::from_u128(iid.0.as_u128()))
}

fn guid_ptr(guid: &Option<GUID>) -> *const GUID {
    guid.as_ref().map_or(ptr::null(), |g| g as *const GUID)
}

/// A tag array passed to the library, in the layout of `SPropTagArray`.
fn tag_array(tags: &[PropTag]) -> MapiResult<Vec<u32>> {
    let count = u32::try_from(tags.len()).map_err(|_| MapiError::InvalidParameter)?;
    Ok(core::iter::once(count).chain(tags.iter().map(|t| t.0)).collect())
}

impl HostShared {
    /// The simulator's block at an address the library returned (a block it allocated with the
    /// routines).
    fn block_at(&self, address: *mut c_void) -> MapiResult<(MemRoutines, BufferId)> {
        let routines = self.routines()?;
        let block = routines
            .block_at(address.expose_provenance())
            .ok_or(MapiError::CallFailed)?;
        Ok((routines, block))
    }

    /// Reads a `MAPIERROR` the library returned into a typed block of the simulator.
    ///
    /// # Safety
    ///
    /// `error` is NULL or a `MAPIERROR` the library laid out in a block of the routines, with
    /// strings of the encoding `unicode` names.
    unsafe fn adopt_error(
        &self,
        error: *mut MAPIERROR,
        unicode: bool,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        if error.is_null() {
            return Ok(None);
        }
        let (routines, block) = self.block_at(error.cast())?;
        // SAFETY: the caller's contract.
        let Some(info) = (unsafe { props::read_mapierror(error, unicode) }) else {
            return Err(MapiError::CallFailed);
        };
        routines.attach_value(block, info).map(Some)
    }

    /// `GetLastError` on one of the library's objects: `call` with the out-pointer, then the
    /// `MAPIERROR` it returned (if any) as a typed block.
    fn last_error(
        &self,
        flags: u32,
        call: impl FnOnce(*mut *mut MAPIERROR) -> HRESULT,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        let mut error = ptr::null_mut();
        let hr = call(&mut error);
        // SAFETY: NULL or the library's MAPIERROR in the flags' encoding (GetLastError's
        // contract).
        let error = unsafe { self.adopt_error(error, flags & MAPI_UNICODE != 0) }?;
        check(hr)?;
        Ok(error)
    }

    /// Reads a property array the library returned into a typed block of the simulator.
    ///
    /// # Safety
    ///
    /// `array` is NULL or `count` property values the library laid out in a block of the
    /// routines.
    unsafe fn adopt_props(&self, count: u32, array: *mut SPropValue) -> MapiResult<PropArray> {
        if array.is_null() {
            return Err(MapiError::CallFailed);
        }
        let (routines, block) = self.block_at(array.cast())?;
        // SAFETY: the caller's contract.
        let values = unsafe { props::read_props(array, count) };
        routines.attach_value(block, values)
    }

    /// Reads and frees a block the library returned, which MAPI owns now.
    fn take_output<T>(&self, address: *mut c_void, read: impl FnOnce() -> T) -> MapiResult<T> {
        let (routines, block) = self.block_at(address)?;
        let value = read();
        routines.free_buffer(Some(block))?;
        Ok(value)
    }

    /// Reads and frees a problem array the library returned; none for NULL.
    ///
    /// # Safety
    ///
    /// `problems` is NULL or an array the library laid out in a block of the routines.
    unsafe fn take_problems(&self, problems: *mut SPropProblemArray) -> MapiResult<Vec<PropProblem>> {
        if problems.is_null() {
            return Ok(Vec::new());
        }
        // SAFETY: the caller's contract.
        self.take_output(problems.cast(), || unsafe { props::read_problems(problems) })
    }

    /// Lays out property values in C for the length of a call.
    fn with_props<R>(
        &self,
        values: &[Prop],
        call: impl FnOnce(u32, *mut SPropValue) -> MapiResult<R>,
    ) -> MapiResult<R> {
        let count = u32::try_from(values.len()).map_err(|_| MapiError::InvalidParameter)?;
        let scratch = self.scratch.scratch();
        let block = props::write_props(&scratch, values)?;
        let address = scratch.address(block).ok_or(MapiError::CallFailed)?;
        let result = call(count, ptr::with_exposed_provenance_mut(address));
        scratch.free_buffer(Some(block))?;
        result
    }
}

impl HostShared {
    /// `Advise` on one of the library's objects: `sink` handed over as one of the proxies of
    /// [`proxy`] (the library's `AddRef` and `Release` of it are the sink's own count), `call`
    /// with the entry ID and the proxy, and the connection it wrote.
    fn advise(
        self: &Arc<Self>,
        entry_id: Option<&[u8]>,
        sink: &Ref<dyn AdviseSink>,
        call: impl FnOnce(u32, *mut ENTRYID, *mut c_void, &mut usize) -> HRESULT,
    ) -> MapiResult<usize> {
        let mut id = EntryIdIn::new(entry_id.unwrap_or_default())?;
        let proxy = self.proxy_of(sink, &proxy::ADVISE_SINK, proxy::ADVISE_SINK_IIDS);
        let mut connection = 0;
        check(self.call(|| call(id.len(), id.as_ptr(), proxy, &mut connection)))?;
        Ok(connection)
    }
}

// SAFETY: MAPI's objects use the free-threading model: a provider's objects may be called and
// released from any thread, which is what the simulator does with these adapters; the adapters
// hold nothing else that is not `Send + Sync`.
unsafe impl Send for NativeProvider {}
// SAFETY: as above.
unsafe impl Sync for NativeProvider {}
// SAFETY: as above.
unsafe impl Send for NativeLogon {}
// SAFETY: as above.
unsafe impl Sync for NativeLogon {}
// SAFETY: as above.
unsafe impl Send for NativeStore {}
// SAFETY: as above.
unsafe impl Sync for NativeStore {}

// ---------------------------------------------------------------------------------------------
// IMSProvider
// ---------------------------------------------------------------------------------------------

/// A library's `IMSProvider` as a [`MsProvider`]: `Shutdown`, `Logon`, `SpoolerLogon` and
/// `CompareStoreIDs` call it. When the object answers `QueryInterface` for
/// `IMAPIProviderShutdown`, the adapter exposes [`ProviderShutdown`] too.
///
/// Each interface is released through the host's call guard, so that a panic the library caught
/// in its destructor is reported.
pub struct NativeProvider {
    // Released first, as the provider's second interface.
    shutdown: FastShutdown,
    provider: Released<IMSProvider>,
}

/// Writes `ProviderShutdown` for an adapter with a `shutdown: FastShutdown` field.
macro_rules! fast_shutdown_calls {
    ($adapter:ty) => {
        impl ProviderShutdown for $adapter {
            fn query_fast_shutdown(&self) -> MapiResult<()> {
                self.shutdown.query_fast_shutdown()
            }

            fn notify_process_shutdown(&self) -> MapiResult<()> {
                self.shutdown.notify_process_shutdown()
            }

            fn do_fast_shutdown(&self) -> MapiResult<()> {
                self.shutdown.do_fast_shutdown()
            }
        }
    };
}
use fast_shutdown_calls;

/// A provider object's `IMAPIProviderShutdown`, when it answers for it: the fast-shutdown calls
/// of every kind's adapter.
pub(crate) struct FastShutdown(Option<Released<IMAPIProviderShutdown>>);

impl FastShutdown {
    fn of(host: &Arc<HostShared>, shutdown: Option<IMAPIProviderShutdown>) -> FastShutdown {
        FastShutdown(shutdown.map(|s| Released::new(host, s)))
    }

    /// Whether the provider answers for `IMAPIProviderShutdown`.
    fn exposed(&self) -> bool {
        self.0.is_some()
    }

    fn call(&self, f: impl FnOnce(&IMAPIProviderShutdown) -> HRESULT) -> MapiResult<()> {
        let shutdown = self.0.as_ref().ok_or(MapiError::NoSupport)?;
        check(shutdown.host().call(|| f(shutdown)))
    }

    fn query_fast_shutdown(&self) -> MapiResult<()> {
        // SAFETY: the interface is live.
        self.call(|s| unsafe { s.QueryFastShutdown() })
    }

    fn notify_process_shutdown(&self) -> MapiResult<()> {
        // SAFETY: the interface is live.
        self.call(|s| unsafe { s.NotifyProcessShutdown() })
    }

    fn do_fast_shutdown(&self) -> MapiResult<()> {
        // SAFETY: the interface is live.
        self.call(|s| unsafe { s.DoFastShutdown() })
    }
}

impl fmt::Debug for NativeProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeProvider")
            .field("file", &self.host().file)
            .field("interface", &self.provider.as_raw())
            .finish_non_exhaustive()
    }
}

impl NativeProvider {
    /// The state of the library the object came from.
    fn host(&self) -> &Arc<HostShared> {
        self.provider.host()
    }

    /// The adapter of a provider object the entry point returned, taking its reference.
    pub(crate) fn adopt(host: &Arc<HostShared>, provider: IMSProvider) -> Ref<dyn MsProvider> {
        let shutdown = FastShutdown::of(host, provider.cast::<IMAPIProviderShutdown>().ok());
        let exposes = shutdown.exposed();
        let adapter = Ref::new(NativeProvider {
            shutdown,
            provider: Released::new(host, provider),
        });
        if exposes {
            adapter.expose::<dyn ProviderShutdown>();
        }
        adapter.into()
    }

    /// `Logon` and `SpoolerLogon`: the arguments they share, the call, and the outputs.
    #[allow(clippy::too_many_arguments)]
    fn logon_call(
        &self,
        support: &Ref<dyn mapisim::spi::MapiSupport>,
        profile_name: TStr<'_>,
        entry_id: Option<&[u8]>,
        interface: Option<Iid>,
        mapi_error: &OutParam<MapiBuffer<MapiErrorInfo>>,
        unicode: bool,
        call: impl FnOnce(LogonIn) -> HRESULT,
    ) -> MapiResult<LogonOut> {
        let support = self
            .host()
            .proxy_of(support, &proxy::SUPPORT, proxy::SUPPORT_IIDS);
        let mut name = CString::new(profile_name);
        let mut id = EntryIdIn::new(entry_id.unwrap_or_default())?;
        let iid = guid(interface);
        let (mut error, mut logon, mut store) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        let hr = self.host().call(|| {
            call(LogonIn {
                support,
                profile_name: name.as_ptr(),
                cb_entry_id: id.len(),
                entry_id: id.as_ptr(),
                interface: guid_ptr(&iid),
                mapi_error: &mut error,
                logon: &mut logon,
                store: &mut store,
            })
        });
        // SAFETY: NULL or a MAPIERROR the library allocated with the routines, in the flags'
        // encoding (Logon's contract).
        if let Some(error) = unsafe { self.host().adopt_error(error, unicode) }? {
            mapi_error.set(error);
        }
        // SAFETY: NULL or objects with one reference for the caller (Logon's contract).
        let logon = (!logon.is_null()).then(|| unsafe { IMSLogon::from_raw(logon) });
        // SAFETY: as above.
        let store = (!store.is_null()).then(|| unsafe { IMsgStore::from_raw(store) });
        let warning = status(hr)?;
        let store = store.ok_or(MapiError::CallFailed)?;
        let logon = logon
            .map(|logon| {
                adopt(&self.host().adapters.logons, logon, |logon| {
                    NativeLogon::new(self.host(), logon)
                })
            })
            .transpose()?
            .map(Into::into);
        let store = adopt(&self.host().adapters.stores, store, |store| {
            NativeStore::new(self.host(), store)
        })?
        .into();
        let warned = match warning {
            Some(w) => Warned::with_warning((), w),
            None => Warned::ok(()),
        };
        Ok((warned, logon, store))
    }
}

/// What `Logon` and `SpoolerLogon` return: the warning, the logon (on a fresh logon), the store.
type LogonOut = (Warned<()>, Option<Ref<dyn MsLogon>>, Ref<dyn MsgStore>);

/// The arguments `Logon` and `SpoolerLogon` share, laid out for the call.
struct LogonIn {
    support: *mut c_void,
    profile_name: *mut c_void,
    cb_entry_id: u32,
    entry_id: *mut ENTRYID,
    interface: *const GUID,
    mapi_error: *mut *mut MAPIERROR,
    logon: *mut *mut c_void,
    store: *mut *mut c_void,
}

impl MsProvider for NativeProvider {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        let mut flags = flags;
        // SAFETY: the provider is live; `flags` is the in/out ULONG on the stack.
        check(self.host().call(|| unsafe { self.provider.Shutdown(&mut flags) }))
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        let (mut cb_spool, mut spool) = (0u32, ptr::null_mut::<u8>());
        let flags = args.flags.bits();
        let (warned, logon, store) = self.logon_call(
            args.support,
            args.profile_name,
            args.entry_id,
            args.interface,
            args.mapi_error,
            flags & MAPI_UNICODE != 0,
            |a| {
                // SAFETY: the provider is live; every pointer is NULL or valid for the call
                // (`LogonIn`'s fields point into this frame or the caller's).
                unsafe {
                    self.provider.Logon(
                        a.support,
                        args.ui_param,
                        a.profile_name,
                        a.cb_entry_id,
                        a.entry_id,
                        flags,
                        a.interface,
                        &mut cb_spool,
                        &mut spool,
                        a.mapi_error,
                        a.logon,
                        a.store,
                    )
                }
            },
        )?;
        let spool_security = if spool.is_null() {
            None
        } else {
            Some(self.host().block_at(spool.cast())?.1)
        };
        Ok(warned.map(|()| StoreLogon {
            logon,
            store,
            spool_security,
        }))
    }

    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        let mut spool = args.spool_security.to_vec();
        let cb_spool = u32::try_from(spool.len()).map_err(|_| MapiError::InvalidParameter)?;
        let flags = args.flags.bits();
        let (warned, logon, store) = self.logon_call(
            args.support,
            args.profile_name,
            args.entry_id,
            args.interface,
            args.mapi_error,
            flags & MAPI_UNICODE != 0,
            |a| {
                // SAFETY: as for `logon`; the spool security is a copy in this frame.
                unsafe {
                    self.provider.SpoolerLogon(
                        a.support,
                        args.ui_param,
                        a.profile_name,
                        a.cb_entry_id,
                        a.entry_id,
                        flags,
                        a.interface,
                        cb_spool,
                        spool.as_mut_ptr(),
                        a.mapi_error,
                        a.logon,
                        a.store,
                    )
                }
            },
        )?;
        Ok(warned.map(|()| StoreLogon {
            logon,
            store,
            spool_security: None,
        }))
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        let (mut a, mut b) = (EntryIdIn::new(a)?, EntryIdIn::new(b)?);
        let mut result = 0;
        // SAFETY: the provider is live; the entry IDs are copies of their sizes; `result` is on
        // the stack.
        check(self.host().call(|| unsafe {
            self.provider
                .CompareStoreIDs(a.len(), a.as_ptr(), b.len(), b.as_ptr(), flags, &mut result)
        }))?;
        Ok(result != 0)
    }
}

fast_shutdown_calls!(NativeProvider);

// ---------------------------------------------------------------------------------------------
// IMSLogon
// ---------------------------------------------------------------------------------------------

/// A library's `IMSLogon` as a [`MsLogon`]: `GetLastError`, `Logoff`, `CompareEntryIDs`,
/// `Advise` and `Unadvise` call it. `Advise` hands the sink to the library as a counting proxy
/// (its `AddRef` and `Release` are the sink's own count, as for the support object).
pub struct NativeLogon {
    logon: Released<IMSLogon>,
}

impl fmt::Debug for NativeLogon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeLogon")
            .field("interface", &self.logon.as_raw())
            .finish_non_exhaustive()
    }
}

impl NativeLogon {
    /// The state of the library the object came from.
    fn host(&self) -> &Arc<HostShared> {
        self.logon.host()
    }

    fn new(host: &Arc<HostShared>, logon: IMSLogon) -> NativeLogon {
        NativeLogon {
            logon: Released::new(host, logon),
        }
    }
}

impl MsLogon for NativeLogon {
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
        let mut flags = flags;
        // SAFETY: the logon is live; `flags` is on the stack.
        check(self.host().call(|| unsafe { self.logon.Logoff(&mut flags) }))
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

    fn advise(
        &self,
        entry_id: Option<&[u8]>,
        mask: EventMask,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        self.host().advise(entry_id, sink, |cb, id, proxy, connection| {
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

// ---------------------------------------------------------------------------------------------
// IMsgStore
// ---------------------------------------------------------------------------------------------

/// A library's `IMsgStore` as a [`MsgStore`]: of `IMAPIProp`, `GetLastError`, `SaveChanges`,
/// `GetProps`, `GetPropList`, `SetProps` and `DeleteProps`; of `IMsgStore`, `Advise`,
/// `Unadvise`, `CompareEntryIDs`, `StoreLogoff`, `AbortSubmit` and `FinishedMsg` call it.
/// `Advise` hands the sink to the library as a counting proxy, as [`NativeLogon`] does.
pub struct NativeStore {
    store: Released<IMsgStore>,
}

impl fmt::Debug for NativeStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeStore")
            .field("interface", &self.store.as_raw())
            .finish_non_exhaustive()
    }
}

impl NativeStore {
    /// The state of the library the object came from.
    fn host(&self) -> &Arc<HostShared> {
        self.store.host()
    }

    fn new(host: &Arc<HostShared>, store: IMsgStore) -> NativeStore {
        NativeStore {
            store: Released::new(host, store),
        }
    }
}

impl MapiProp for NativeStore {
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        self.host().last_error(flags, |out| {
            // SAFETY: the store is live; `out` is an out-pointer on the stack.
            self.host()
                .call(|| unsafe { self.store.GetLastError(HRESULT(hresult.hresult()), flags, out) })
        })
    }

    fn save_changes(&self, flags: u32) -> MapiResult<()> {
        // SAFETY: the store is live.
        check(self.host().call(|| unsafe { self.store.SaveChanges(flags) }))
    }

    fn get_props(&self, tags: Option<&[PropTag]>, flags: u32) -> MapiResult<Warned<PropArray>> {
        let mut array = tags.map(tag_array).transpose()?;
        let array_ptr = array
            .as_mut()
            .map_or(ptr::null_mut(), |a| a.as_mut_ptr().cast::<SPropTagArray>());
        let (mut count, mut values) = (0u32, ptr::null_mut());
        // SAFETY: the store is live; the tag array is NULL or laid out as an SPropTagArray in
        // this frame; the out-pointers are on the stack.
        let hr = self
            .host()
            .call(|| unsafe { self.store.GetProps(array_ptr, flags, &mut count, &mut values) });
        let warning = status(hr)?;
        // SAFETY: on success, `count` values the library laid out in a block of the routines.
        let values = unsafe { self.host().adopt_props(count, values) }?;
        Ok(match warning {
            Some(w) => Warned::with_warning(values, w),
            None => Warned::ok(values),
        })
    }

    fn get_prop_list(&self, flags: u32) -> MapiResult<Vec<PropTag>> {
        let mut tags = ptr::null_mut();
        let hr = self.host().call(|| {
            // SAFETY: the store is live; `tags` is an out-pointer on the stack.
            unsafe { self.store.GetPropList(flags, &mut tags) }
        });
        check(hr)?;
        if tags.is_null() {
            return Err(MapiError::CallFailed);
        }
        // SAFETY: the library's tag array, in a block of the routines.
        let tags = self
            .host()
            .take_output(tags.cast(), || unsafe { props::read_tags(tags) })?;
        tags.ok_or(MapiError::CallFailed)
    }

    fn set_props(&self, values: &[Prop]) -> MapiResult<Vec<PropProblem>> {
        self.host().with_props(values, |count, array| {
            let mut problems = ptr::null_mut();
            // SAFETY: the store is live; `array` is `count` values laid out for the call;
            // `problems` is an out-pointer on the stack.
            let hr = self
                .host()
                .call(|| unsafe { self.store.SetProps(count, array, &mut problems) });
            // SAFETY: NULL or the library's problem array.
            let problems = unsafe { self.host().take_problems(problems) }?;
            check(hr)?;
            Ok(problems)
        })
    }

    fn delete_props(&self, tags: &[PropTag]) -> MapiResult<Vec<PropProblem>> {
        let mut array = tag_array(tags)?;
        let mut problems = ptr::null_mut();
        // SAFETY: the store is live; the tag array is laid out in this frame; `problems` is an
        // out-pointer on the stack.
        let hr = self
            .host()
            .call(|| unsafe { self.store.DeleteProps(array.as_mut_ptr().cast(), &mut problems) });
        // SAFETY: NULL or the library's problem array.
        let problems = unsafe { self.host().take_problems(problems) }?;
        check(hr)?;
        Ok(problems)
    }
}

impl MsgStore for NativeStore {
    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        let (mut a, mut b) = (EntryIdIn::new(a)?, EntryIdIn::new(b)?);
        let mut result = 0;
        // SAFETY: the store is live; copies of the entry IDs; `result` on the stack.
        check(self.host().call(|| unsafe {
            self.store
                .CompareEntryIDs(a.len(), a.as_ptr(), b.len(), b.as_ptr(), flags, &mut result)
        }))?;
        Ok(result != 0)
    }

    fn store_logoff(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        let mut bits = flags.bits();
        // SAFETY: the store is live; `bits` is the in/out ULONG on the stack.
        check(self.host().call(|| unsafe { self.store.StoreLogoff(&mut bits) }))?;
        Ok(LogoffFlags::from_bits_retain(bits))
    }

    fn abort_submit(&self, entry_id: &[u8], flags: u32) -> MapiResult<()> {
        let mut id = EntryIdIn::new(entry_id)?;
        // SAFETY: the store is live; a copy of the entry ID.
        check(
            self.host()
                .call(|| unsafe { self.store.AbortSubmit(id.len(), id.as_ptr(), flags) }),
        )
    }

    fn advise(
        &self,
        entry_id: Option<&[u8]>,
        mask: EventMask,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        self.host().advise(entry_id, sink, |cb, id, proxy, connection| {
            // SAFETY: the store is live; a copy of the entry ID (or NULL); `proxy` is a live sink
            // proxy; `connection` is on the caller's stack.
            unsafe { self.store.Advise(cb, id, mask.bits(), proxy, connection) }
        })
    }

    fn unadvise(&self, connection: usize) -> MapiResult<()> {
        // SAFETY: the store is live; `Unadvise` takes a number.
        check(self.host().call(|| unsafe { self.store.Unadvise(connection) }))
    }

    fn finished_msg(&self, flags: u32, entry_id: &[u8]) -> MapiResult<()> {
        let mut id = EntryIdIn::new(entry_id)?;
        // SAFETY: the store is live; a copy of the entry ID.
        check(
            self.host()
                .call(|| unsafe { self.store.FinishedMsg(flags, id.len(), id.as_ptr()) }),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// The service entry point
// ---------------------------------------------------------------------------------------------

/// Calls a library's message-service entry point.
pub(crate) fn service_entry(
    host: &Arc<HostShared>,
    entry: MSGSERVICEENTRY,
    args: &ServiceEntryArgs<'_>,
) -> MapiResult<()> {
    let malloc = host.proxy_of(args.malloc, &proxy::MALLOC, proxy::MALLOC_IIDS);
    let support = host.proxy_of(args.support, &proxy::SUPPORT, proxy::SUPPORT_IIDS);
    let admin = host.proxy_of(args.admin, &proxy::ADMIN, proxy::ADMIN_IIDS);
    let instance = ptr::with_exposed_provenance_mut(host.handle);
    let flags = args.flags.bits();
    host.with_props(args.props, |count, values| {
        let mut error = ptr::null_mut();
        // SAFETY: `entry` is the library's entry point, loaded while `host` lives; the objects
        // are live proxies; the properties are laid out for the call; `error` is on the stack.
        let hr = host.call(|| unsafe {
            entry(
                instance,
                malloc,
                support,
                args.ui_param,
                flags,
                args.context.value(),
                count,
                values,
                admin,
                &mut error,
            )
        });
        // SAFETY: NULL or the library's MAPIERROR in the flags' encoding.
        if let Some(error) = unsafe { host.adopt_error(error, flags & MAPI_UNICODE != 0) }? {
            args.mapi_error.set(error);
        }
        check(hr)
    })
}
