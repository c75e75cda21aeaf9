//! The simulator's objects as COM interface pointers a compiled library calls: its support
//! objects, profile sections, `IMalloc`, provider-administration objects and advise sinks.
//!
//! A proxy is a small C object whose first field is a vtable of this module, and which names
//! its Rust object by a [`WeakRef`]. It counts nothing itself: its `AddRef` and `Release` are
//! [`WeakRef::add_ref_raw`] and [`WeakRef::release_raw`] on the Rust object, so every reference
//! the library takes or drops is the object's own, counted, traced and attributed to the library
//! as a Rust provider's clone or drop would be; a `Release` too many is an over-release the
//! simulator reports, and never frees memory under anyone. Its methods borrow the object for
//! the length of the call ([`WeakRef::with_borrowed`]).
//!
//! There is one proxy per object and vtable for as long as the library is loaded (the same
//! pointer each time the object is handed over), owned by the library's host state and freed
//! with it, after the library is unloaded; so a pointer the library kept too long points at a
//! proxy whose object is gone, whose methods answer `MAPI_E_CALL_FAILED` and whose `AddRef` and
//! `Release` answer 0.
// The parameters of the COM methods are MAPI's names.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;
use std::collections::HashMap;
use std::sync::{Arc, Weak};

use mapisim::flags::{
    EventMask, LogoffFlags, ProfileSectionFlags, SpoolerNotifyFlags, StatusRowFlags, SubscribeFlags,
};
use mapisim::ids::MapiUid;
use mapisim::object::WeakRef;
use mapisim::object::{InterfaceKind, ObjLabel, ObjectInfo, ObjectLedger, RawRelease};

use super::table::{RowTable, TABLE, TABLE_IIDS};
use mapisim::props::PropTag;
use mapisim::spi::{
    AdviseSink, BufferId, Malloc, MallocBlock, MapiErrorInfo, MapiProp, MapiSupport, Notification, ProfSect,
    ProviderAdmin, SpoolerNotifyData,
};
use mapisim::{MapiError, MapiResult, Ref};
use windows_core::{GUID, HRESULT, IUnknown_Vtbl, Interface};

use super::{HostShared, Released};
use crate::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER};
use crate::export::entry_id;
use crate::export::guard;
use crate::export::store::{put, tstr};
use crate::interfaces::{
    IMAPIAdviseSink, IMAPIAdviseSink_Vtbl, IMAPIProp, IMAPIProp_Vtbl, IMAPISupport, IMAPISupport_Vtbl,
    IMalloc, IMalloc_Vtbl, IMessage, IMessage_Vtbl, IProfSect, IProfSect_Vtbl, IProviderAdmin,
    IProviderAdmin_Vtbl,
};
use crate::notify::{self, ComAdviseSink, read_new_mail};
use crate::props;
use crate::types::{
    ADRLIST, ADRPARM, ENTRYID, ENTRYLIST, LPFNBUTTON, LPFNDISMISS, LPTSTR, MAPIERROR, MAPINAMEID, MAPIUID,
    NEWMAIL_NOTIFICATION, NOTIFICATION, NOTIFKEY, SBinary, SPropProblemArray, SPropTagArray, SPropValue,
};

/// `MAPI_UNICODE`.
const MAPI_UNICODE: u32 = 0x8000_0000;
/// `E_NOINTERFACE`.
const E_NOINTERFACE: HRESULT = HRESULT(0x8000_4002_u32 as i32);

fn failed(error: MapiError) -> HRESULT {
    HRESULT(error.hresult())
}

// ---------------------------------------------------------------------------------------------
// Proxies and their registry
// ---------------------------------------------------------------------------------------------

/// A COM object standing for a Rust object of type `T`.
#[repr(C)]
pub(crate) struct Proxy<T: ?Sized> {
    /// The vtable: what the interface pointer points at.
    vtbl: *const c_void,
    /// The interfaces `QueryInterface` answers for, besides `IUnknown`.
    iids: &'static [GUID],
    target: WeakRef<T>,
    host: Weak<HostShared>,
    /// The object's ledger and label, to report a `Release` after its final one.
    ledger: Option<(ObjectLedger, ObjLabel)>,
}

/// A proxy the registry owns, with the function that frees it.
struct Owned {
    proxy: *mut c_void,
    free: unsafe fn(*mut c_void),
}

/// Frees a proxy of type `T`.
///
/// # Safety
///
/// `proxy` came from `Box::into_raw` of a `Proxy<T>` and is freed once.
unsafe fn free_proxy<T: ?Sized>(proxy: *mut c_void) {
    // SAFETY: the function's contract.
    drop(unsafe { Box::from_raw(proxy.cast::<Proxy<T>>()) });
}

/// Every proxy made for one loaded library.
#[derive(Default)]
pub(crate) struct Proxies {
    /// The proxy of each object and vtable (the vtable's address names the interface and `T`).
    by_object: HashMap<(usize, usize), *mut c_void>,
    owned: Vec<Owned>,
}

// SAFETY: the pointers are proxies this registry owns; a proxy holds only a `WeakRef` and a
// `Weak`, both `Send + Sync`, and a pointer to a static vtable.
unsafe impl Send for Proxies {}
// SAFETY: as above; the registry is only used behind its host's lock.
unsafe impl Sync for Proxies {}

impl Drop for Proxies {
    fn drop(&mut self) {
        for owned in self.owned.drain(..) {
            // SAFETY: each owned proxy was made by `proxy_of` with its own `free` and is freed
            // once, here.
            unsafe { (owned.free)(owned.proxy) };
        }
    }
}

impl HostShared {
    /// The proxy of `object` for the interface of `vtbl`: the same pointer each time while the
    /// object lives. No reference is counted (a borrowed pointer, as a method argument is).
    pub(crate) fn proxy_of<T: ?Sized + Send + Sync + 'static, V: 'static>(
        self: &Arc<Self>,
        object: &Ref<T>,
        vtbl: &'static V,
        iids: &'static [GUID],
    ) -> *mut c_void {
        let vtbl: *const c_void = (vtbl as *const V).cast();
        let key = (object.key().addr(), vtbl.addr());
        let mut proxies = super::lock(&self.proxies);
        if let Some(&found) = proxies.by_object.get(&key) {
            // SAFETY: the registry's proxies live as long as it does, and the vtable in the key
            // is only ever paired with proxies of `T`.
            let proxy = unsafe { &*found.cast::<Proxy<T>>() };
            if proxy.target.same_object(object) {
                return found;
            }
        }
        let proxy = Box::into_raw(Box::new(Proxy {
            vtbl,
            iids,
            target: object.downgrade(),
            host: Arc::downgrade(self),
            ledger: object.ledger().zip(object.label()),
        }))
        .cast::<c_void>();
        proxies.owned.push(Owned {
            proxy,
            free: free_proxy::<T>,
        });
        proxies.by_object.insert(key, proxy);
        proxy
    }

    /// [`HostShared::proxy_of`] for an owned reference handed to the library (an output
    /// parameter): the reference becomes the pointer's, released by the library's `Release`.
    pub(crate) fn hand_over<T: ?Sized + Send + Sync + 'static, V: 'static>(
        self: &Arc<Self>,
        object: Ref<T>,
        vtbl: &'static V,
        iids: &'static [GUID],
    ) -> *mut c_void {
        let proxy = self.proxy_of(&object, vtbl, iids);
        object.into_raw_ref();
        proxy
    }
}

/// The proxy behind an interface pointer.
///
/// # Safety
///
/// `this` is a proxy of `T` made by [`HostShared::proxy_of`], whose registry is alive.
unsafe fn proxy<'a, T: ?Sized>(this: *mut c_void) -> &'a Proxy<T> {
    // SAFETY: the function's contract.
    unsafe { &*this.cast::<Proxy<T>>() }
}

/// `QueryInterface`: `IUnknown` and the proxy's interfaces give the same pointer, with a
/// reference; anything else `E_NOINTERFACE`.
unsafe extern "system" fn query<T: ?Sized + Send + Sync + 'static>(
    this: *mut c_void,
    iid: *const GUID,
    out: *mut *mut c_void,
) -> HRESULT {
    if out.is_null() {
        return failed(MapiError::InvalidParameter);
    }
    // SAFETY: `out` is not NULL and valid for a write (QueryInterface's contract).
    unsafe { out.write(ptr::null_mut()) };
    // SAFETY: `iid` is NULL or valid for a read (QueryInterface's contract).
    let Some(iid) = (unsafe { iid.as_ref() }) else {
        return failed(MapiError::InvalidParameter);
    };
    // SAFETY: `this` is one of this module's proxies of `T`, alive with its host.
    let proxy = unsafe { proxy::<T>(this) };
    if *iid != windows_core::IUnknown::IID && !proxy.iids.contains(iid) {
        return E_NOINTERFACE;
    }
    match guard_count(|| proxy.target.add_ref_raw()) {
        Some(_) => {
            // SAFETY: as above.
            unsafe { out.write(this) };
            HRESULT(0)
        }
        None => failed(MapiError::CallFailed),
    }
}

/// Runs a count change, catching a panic of the simulator's hooks.
fn guard_count<R>(f: impl FnOnce() -> Option<R>) -> Option<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .ok()
        .flatten()
}

unsafe extern "system" fn add_ref<T: ?Sized + Send + Sync + 'static>(this: *mut c_void) -> u32 {
    // SAFETY: `this` is one of this module's proxies of `T`, alive with its host.
    let proxy = unsafe { proxy::<T>(this) };
    guard_count(|| proxy.target.add_ref_raw()).unwrap_or(0)
}

unsafe extern "system" fn release<T: ?Sized + Send + Sync + 'static>(this: *mut c_void) -> u32 {
    // SAFETY: `this` is one of this module's proxies of `T`, alive with its host.
    let proxy = unsafe { proxy::<T>(this) };
    match guard_count(|| proxy.target.release_raw()) {
        Some(RawRelease::Released(count) | RawRelease::OverReleased(count)) => count,
        None => {
            // The object is gone: the library released a pointer it no longer had a reference
            // for. The proxy itself stays, so nothing is freed under anyone.
            if let Some((ledger, label)) = &proxy.ledger {
                let _ = guard_count(|| {
                    ledger.released_after_destruction(*label);
                    Some(())
                });
            }
            0
        }
    }
}

pub(super) const fn unknown<T: ?Sized + Send + Sync + 'static>() -> IUnknown_Vtbl {
    IUnknown_Vtbl {
        QueryInterface: query::<T>,
        AddRef: add_ref::<T>,
        Release: release::<T>,
    }
}

/// Runs a method body on the proxy's object, under [`guard`]: `MAPI_E_CALL_FAILED` when the
/// object or the library's host state is gone.
///
/// # Safety
///
/// `this` is a proxy of `T` made by [`HostShared::proxy_of`], whose registry is alive.
pub(super) unsafe fn method<T: ?Sized + Send + Sync + 'static>(
    this: *mut c_void,
    body: impl FnOnce(&T, &Arc<HostShared>) -> MapiResult<()>,
) -> HRESULT {
    // SAFETY: the function's contract.
    let proxy = unsafe { proxy::<T>(this) };
    guard(|| {
        let host = proxy.host.upgrade().ok_or(MapiError::CallFailed)?;
        proxy
            .target
            .with_borrowed(|target| body(target, &host))
            .unwrap_or(Err(MapiError::CallFailed))
    })
}

/// Writes the address of a block of the simulator's memory to `out`.
///
/// # Safety
///
/// `out` is NULL or valid for a write.
unsafe fn give_block<T>(host: &HostShared, out: *mut *mut T, block: BufferId) -> MapiResult<()> {
    let address = host.address(block)?;
    // SAFETY: the caller's contract.
    unsafe { put(out, ptr::with_exposed_provenance_mut(address)) };
    Ok(())
}

/// A MAPIUID the library passed.
///
/// # Safety
///
/// `uid` is NULL or valid for a read.
unsafe fn uid(uid: *const MAPIUID) -> Option<MapiUid> {
    // SAFETY: the caller's contract.
    unsafe { uid.as_ref() }.map(|u| MapiUid(u.ab))
}

/// Writes `*lppMAPIError` from a `GetLastError` answer.
///
/// # Safety
///
/// `out` is NULL or valid for a write.
unsafe fn give_error(
    host: &HostShared,
    out: *mut *mut MAPIERROR,
    error: Option<mapisim::spi::MapiBuffer<MapiErrorInfo>>,
) -> MapiResult<()> {
    match error {
        // SAFETY: the caller's contract.
        Some(buffer) => unsafe { give_block(host, out, buffer.id()) },
        None => {
            // SAFETY: the caller's contract.
            unsafe { put(out, ptr::null_mut()) };
            Ok(())
        }
    }
}

/// Defines methods that answer `MAPI_E_NO_SUPPORT` (see the table at [`SUPPORT`]).
macro_rules! refused {
    ($($name:ident($($t:ty),*);)*) => {
        $(
            unsafe extern "system" fn $name(_: *mut core::ffi::c_void, $(_: $t),*) -> windows_core::HRESULT {
                windows_core::HRESULT(mapisim::MapiError::NoSupport.hresult())
            }
        )*
    };
}
pub(crate) use refused;

// ---------------------------------------------------------------------------------------------
// IMAPISupport
// ---------------------------------------------------------------------------------------------

/// The interfaces of a support-object proxy.
pub(crate) const SUPPORT_IIDS: &[GUID] = &[IMAPISupport::IID];

/// The vtable of a support object.
///
/// | methods | |
/// |---|---|
/// | `GetLastError`, `GetMemAllocRoutines`, `Unsubscribe`, `ModifyStatusRow`, `OpenProfileSection`, `NewUID`, `SpoolerYield`, `SpoolerNotify` (NULL data, a deferred message's `SBinary`, a new message's `NEWMAIL_NOTIFICATION`), `SetProviderUID`, `CompareEntryIDs`, `Preprocess`, `CompleteMsg`, `StoreLogoffTransports`, `WrapStoreEntryID`, `ModifyProfile` | call the simulator's support object |
/// | `Subscribe` | calls the simulator's support object with the library's sink: one of this module's sink proxies is its Rust object (the pointer came back), any other sink is imported ([`ComAdviseSink`], its `OnNotify` called through [`HostShared::call`], its reference released when the simulator drops the sink) |
/// | `Notify` | reads the library's notifications ([`notify::read_notifications`]) and calls the simulator's support object with them, then writes `*lpulFlags`; a notification the core does not model gives `MAPI_E_NO_SUPPORT`, and nothing is delivered |
/// | the others | `MAPI_E_NO_SUPPORT`: they take or return COM objects (messages, folders, tables, progress objects) or UI, which are not carried across yet |
pub(crate) static SUPPORT: IMAPISupport_Vtbl = IMAPISupport_Vtbl {
    base__: unknown::<dyn MapiSupport>(),
    GetLastError: support_get_last_error,
    GetMemAllocRoutines: support_get_mem_alloc_routines,
    Subscribe: support_subscribe,
    Unsubscribe: support_unsubscribe,
    Notify: support_notify,
    ModifyStatusRow: support_modify_status_row,
    OpenProfileSection: support_open_profile_section,
    RegisterPreprocessor: support_register_preprocessor,
    NewUID: support_new_uid,
    MakeInvalid: support_make_invalid,
    SpoolerYield: support_spooler_yield,
    SpoolerNotify: support_spooler_notify,
    CreateOneOff: support_create_one_off,
    SetProviderUID: support_set_provider_uid,
    CompareEntryIDs: support_compare_entry_ids,
    OpenTemplateID: support_open_template_id,
    OpenEntry: support_open_entry,
    GetOneOffTable: support_get_one_off_table,
    Address: support_address,
    Details: support_details,
    NewEntry: support_new_entry,
    DoConfigPropsheet: support_do_config_propsheet,
    CopyMessages: support_copy_messages,
    CopyFolder: support_copy_folder,
    DoCopyTo: support_do_copy_to,
    DoCopyProps: support_do_copy_props,
    DoProgressDialog: support_do_progress_dialog,
    ReadReceipt: support_read_receipt,
    PrepareSubmit: support_prepare_submit,
    ExpandRecips: support_expand_recips,
    UpdatePAB: support_update_pab,
    DoSentMail: support_do_sent_mail,
    OpenAddressBook: support_open_address_book,
    Preprocess: support_preprocess,
    CompleteMsg: support_complete_msg,
    StoreLogoffTransports: support_store_logoff_transports,
    StatusRecips: support_status_recips,
    WrapStoreEntryID: support_wrap_store_entry_id,
    ModifyProfile: support_modify_profile,
    IStorageFromStream: support_istorage_from_stream,
    GetSvcConfigSupportObj: support_get_svc_config_support_obj,
};

refused! {
    support_register_preprocessor(*mut MAPIUID, LPTSTR, LPTSTR, *mut u8, *mut u8, u32);
    support_make_invalid(u32, *mut c_void, u32, u32);
    support_create_one_off(LPTSTR, LPTSTR, LPTSTR, u32, *mut u32, *mut *mut ENTRYID);
    support_open_template_id(u32, *mut ENTRYID, u32, *mut c_void, *const GUID, *mut *mut c_void, *mut c_void);
    support_open_entry(u32, *mut ENTRYID, *const GUID, u32, *mut u32, *mut *mut c_void);
    support_get_one_off_table(u32, *mut *mut c_void);
    support_address(*mut usize, *mut ADRPARM, *mut *mut ADRLIST);
    support_details(*mut usize, Option<LPFNDISMISS>, *mut c_void, u32, *mut ENTRYID, Option<LPFNBUTTON>, *mut c_void, LPTSTR, u32);
    support_new_entry(usize, u32, u32, *mut ENTRYID, u32, *mut ENTRYID, *mut u32, *mut *mut ENTRYID);
    support_do_config_propsheet(usize, u32, LPTSTR, *mut c_void, *mut c_void, u32);
    support_copy_messages(*const GUID, *mut c_void, *mut ENTRYLIST, *const GUID, *mut c_void, usize, *mut c_void, u32);
    support_copy_folder(*const GUID, *mut c_void, u32, *mut ENTRYID, *const GUID, *mut c_void, LPTSTR, usize, *mut c_void, u32);
    support_do_copy_to(*const GUID, *mut c_void, u32, *const GUID, *mut SPropTagArray, usize, *mut c_void, *const GUID, *mut c_void, u32, *mut *mut SPropProblemArray);
    support_do_copy_props(*const GUID, *mut c_void, *mut SPropTagArray, usize, *mut c_void, *const GUID, *mut c_void, u32, *mut *mut SPropProblemArray);
    support_do_progress_dialog(usize, u32, *mut *mut c_void);
    support_read_receipt(u32, *mut c_void, *mut *mut c_void);
    support_prepare_submit(*mut c_void, *mut u32);
    support_expand_recips(*mut c_void, *mut u32);
    support_update_pab(u32, *mut c_void);
    support_do_sent_mail(u32, *mut c_void);
    support_open_address_book(*const GUID, u32, *mut *mut c_void);
    support_status_recips(*mut c_void, *mut ADRLIST);
    support_istorage_from_stream(*mut c_void, *const GUID, u32, *mut *mut c_void);
    support_get_svc_config_support_obj(u32, *mut *mut c_void);
}

unsafe extern "system" fn support_get_last_error(
    this: *mut c_void,
    hResult: HRESULT,
    ulFlags: u32,
    lppMAPIError: *mut *mut MAPIERROR,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; `lppMAPIError` is NULL or valid (the method's contract).
    unsafe {
        method::<dyn MapiSupport>(this, |support, host| {
            let error = support.get_last_error(MapiError::from_hresult(hResult.0), ulFlags)?;
            give_error(host, lppMAPIError, error)
        })
    }
}

unsafe extern "system" fn support_get_mem_alloc_routines(
    this: *mut c_void,
    lpAllocateBuffer: *mut Option<LPALLOCATEBUFFER>,
    lpAllocateMore: *mut Option<LPALLOCATEMORE>,
    lpFreeBuffer: *mut Option<LPFREEBUFFER>,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; the out-pointers are NULL or valid.
    unsafe {
        method::<dyn MapiSupport>(this, |support, host| {
            let routines = support.get_mem_alloc_routines()?;
            let (a, m, f) = host.allocators(&routines)?;
            put(lpAllocateBuffer, Some(a));
            put(lpAllocateMore, Some(m));
            put(lpFreeBuffer, Some(f));
            Ok(())
        })
    }
}

unsafe extern "system" fn support_subscribe(
    this: *mut c_void,
    lpKey: *mut NOTIFKEY,
    ulEventMask: u32,
    ulFlags: u32,
    lpAdviseSink: *mut c_void,
    lpulConnection: *mut usize,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; `lpKey` is NULL or a NOTIFKEY with its bytes;
    // `lpAdviseSink` is NULL or a live sink; `lpulConnection` is NULL or valid for a write.
    unsafe {
        put(lpulConnection, 0);
        method::<dyn MapiSupport>(this, |support, host| {
            if lpulConnection.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            let key = notify::read_key(lpKey)?;
            let sink = host.import_sink(lpAdviseSink)?;
            let connection = support.subscribe(
                key,
                EventMask::from_bits_retain(ulEventMask),
                SubscribeFlags::from_bits_retain(ulFlags),
                &sink,
            )?;
            put(lpulConnection, connection);
            Ok(())
        })
    }
}

unsafe extern "system" fn support_unsubscribe(this: *mut c_void, ulConnection: usize) -> HRESULT {
    // SAFETY: `this` is a support proxy.
    unsafe { method::<dyn MapiSupport>(this, |support, _| support.unsubscribe(ulConnection)) }
}

unsafe extern "system" fn support_notify(
    this: *mut c_void,
    lpKey: *mut NOTIFKEY,
    cNotification: u32,
    lpNotifications: *mut NOTIFICATION,
    lpulFlags: *mut u32,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; `lpKey` is NULL or a NOTIFKEY with its bytes; the
    // array holds `cNotification` notifications; `lpulFlags` is NULL or valid for a read and a
    // write.
    unsafe {
        method::<dyn MapiSupport>(this, |support, _| {
            let flags = lpulFlags.as_ref().copied().ok_or(MapiError::InvalidParameter)?;
            let key = notify::read_key(lpKey)?;
            if lpNotifications.is_null() && cNotification != 0 {
                return Err(MapiError::InvalidParameter);
            }
            let read = notify::read_notifications(lpNotifications, cNotification);
            if !read.unmodelled.is_empty() {
                return Err(MapiError::NoSupport);
            }
            let result = support.notify(key, &read.notifications, flags)?;
            put(lpulFlags, result.bits());
            Ok(())
        })
    }
}

unsafe extern "system" fn support_modify_status_row(
    this: *mut c_void,
    cValues: u32,
    lpColumnVals: *mut SPropValue,
    ulFlags: u32,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; the row is `cValues` SPropValues (the method's contract).
    unsafe {
        method::<dyn MapiSupport>(this, |support, _| {
            let columns = props::read_props(lpColumnVals, cValues);
            support.modify_status_row(&columns, StatusRowFlags::from_bits_retain(ulFlags))
        })
    }
}

unsafe extern "system" fn support_open_profile_section(
    this: *mut c_void,
    lpUid: *mut MAPIUID,
    ulFlags: u32,
    lppProfileObj: *mut *mut c_void,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; `lpUid` is NULL or valid; the out-pointer is valid.
    unsafe {
        put(lppProfileObj, ptr::null_mut());
        method::<dyn MapiSupport>(this, |support, host| {
            let uid = uid(lpUid);
            let section =
                support.open_profile_section(uid.as_ref(), ProfileSectionFlags::from_bits_retain(ulFlags))?;
            put(lppProfileObj, host.hand_over(section, &PROFSECT, PROFSECT_IIDS));
            Ok(())
        })
    }
}

unsafe extern "system" fn support_new_uid(this: *mut c_void, lpMuid: *mut MAPIUID) -> HRESULT {
    // SAFETY: `this` is a support proxy; `lpMuid` is NULL or valid for a write.
    unsafe {
        method::<dyn MapiSupport>(this, |support, _| {
            if lpMuid.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            let uid = support.new_uid()?;
            put(lpMuid, MAPIUID::from(uid));
            Ok(())
        })
    }
}

unsafe extern "system" fn support_spooler_yield(this: *mut c_void, ulFlags: u32) -> HRESULT {
    // SAFETY: `this` is a support proxy.
    unsafe { method::<dyn MapiSupport>(this, |support, _| support.spooler_yield(ulFlags)) }
}

unsafe extern "system" fn support_spooler_notify(
    this: *mut c_void,
    ulFlags: u32,
    lpvData: *mut c_void,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; `lpvData` is NULL or what the flags say it is.
    unsafe {
        method::<dyn MapiSupport>(this, |support, _| {
            let flags = SpoolerNotifyFlags::from_bits_retain(ulFlags);
            if lpvData.is_null() {
                return support.spooler_notify(flags, SpoolerNotifyData::Null);
            }
            if flags.contains(SpoolerNotifyFlags::SENTDEFERRED) {
                let binary = &*lpvData.cast::<SBinary>();
                let id = entry_id(binary.cb, binary.lpb.cast())?;
                return support.spooler_notify(flags, SpoolerNotifyData::SentDeferred(id));
            }
            if flags.contains(SpoolerNotifyFlags::NEWMAIL_RECEIVED) {
                let mail = read_new_mail(&*lpvData.cast::<NEWMAIL_NOTIFICATION>());
                return support.spooler_notify(flags, SpoolerNotifyData::NewMail(&mail));
            }
            Err(MapiError::NoSupport)
        })
    }
}

unsafe extern "system" fn support_set_provider_uid(
    this: *mut c_void,
    lpProviderID: *mut MAPIUID,
    ulFlags: u32,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; `lpProviderID` is NULL or valid for a read.
    unsafe {
        method::<dyn MapiSupport>(this, |support, _| {
            let uid = uid(lpProviderID).ok_or(MapiError::InvalidParameter)?;
            support.set_provider_uid(&uid, ulFlags)
        })
    }
}

unsafe extern "system" fn support_compare_entry_ids(
    this: *mut c_void,
    cbEntry1: u32,
    lpEntry1: *mut ENTRYID,
    cbEntry2: u32,
    lpEntry2: *mut ENTRYID,
    ulCompareFlags: u32,
    lpulResult: *mut u32,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; the entry IDs are valid for their sizes; the result
    // pointer is NULL or valid.
    unsafe {
        method::<dyn MapiSupport>(this, |support, _| {
            if lpulResult.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            let (a, b) = (entry_id(cbEntry1, lpEntry1)?, entry_id(cbEntry2, lpEntry2)?);
            let same = support.compare_entry_ids(a, b, ulCompareFlags)?;
            put(lpulResult, u32::from(same));
            Ok(())
        })
    }
}

unsafe extern "system" fn support_preprocess(
    this: *mut c_void,
    ulFlags: u32,
    cbEntryID: u32,
    lpEntryID: *mut ENTRYID,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; the entry ID is valid for its size.
    unsafe {
        method::<dyn MapiSupport>(this, |support, _| {
            support.preprocess(ulFlags, entry_id(cbEntryID, lpEntryID)?)
        })
    }
}

unsafe extern "system" fn support_complete_msg(
    this: *mut c_void,
    ulFlags: u32,
    cbEntryID: u32,
    lpEntryID: *mut ENTRYID,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; the entry ID is valid for its size.
    unsafe {
        method::<dyn MapiSupport>(this, |support, _| {
            support.complete_msg(ulFlags, entry_id(cbEntryID, lpEntryID)?)
        })
    }
}

unsafe extern "system" fn support_store_logoff_transports(this: *mut c_void, lpulFlags: *mut u32) -> HRESULT {
    // SAFETY: `this` is a support proxy; `lpulFlags` is NULL or valid for a read and a write.
    unsafe {
        method::<dyn MapiSupport>(this, |support, _| {
            let flags = lpulFlags.as_ref().copied().ok_or(MapiError::InvalidParameter)?;
            let out = support.store_logoff_transports(LogoffFlags::from_bits_retain(flags))?;
            put(lpulFlags, out.bits());
            Ok(())
        })
    }
}

unsafe extern "system" fn support_wrap_store_entry_id(
    this: *mut c_void,
    cbOrigEntry: u32,
    lpOrigEntry: *mut ENTRYID,
    lpcbWrappedEntry: *mut u32,
    lppWrappedEntry: *mut *mut ENTRYID,
) -> HRESULT {
    // SAFETY: `this` is a support proxy; the entry ID is valid for its size; the out-pointers are
    // NULL or valid.
    unsafe {
        put(lppWrappedEntry, ptr::null_mut());
        method::<dyn MapiSupport>(this, |support, host| {
            if lpcbWrappedEntry.is_null() || lppWrappedEntry.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            let wrapped = support.wrap_store_entry_id(entry_id(cbOrigEntry, lpOrigEntry)?)?;
            let size = host.size(wrapped)?;
            give_block(host, lppWrappedEntry, wrapped)?;
            put(lpcbWrappedEntry, size);
            Ok(())
        })
    }
}

unsafe extern "system" fn support_modify_profile(this: *mut c_void, ulFlags: u32) -> HRESULT {
    // SAFETY: `this` is a support proxy.
    unsafe { method::<dyn MapiSupport>(this, |support, _| support.modify_profile(ulFlags)) }
}

// ---------------------------------------------------------------------------------------------
// IMAPIAdviseSink
// ---------------------------------------------------------------------------------------------

/// The interfaces of an advise-sink proxy.
pub(crate) const ADVISE_SINK_IIDS: &[GUID] = &[IMAPIAdviseSink::IID];

/// The vtable of an advise sink of the simulator's (a client's sink that `Advise` hands to the
/// library): `OnNotify` reads the library's notifications ([`notify::read_notifications`]) and
/// calls the sink with those the core models (not at all when there are none). It answers 0
/// when the sink is gone or panics.
pub(crate) static ADVISE_SINK: IMAPIAdviseSink_Vtbl = IMAPIAdviseSink_Vtbl {
    base__: unknown::<dyn AdviseSink>(),
    OnNotify: sink_on_notify,
};

unsafe extern "system" fn sink_on_notify(
    this: *mut c_void,
    cNotif: u32,
    lpNotifications: *mut NOTIFICATION,
) -> u32 {
    // SAFETY: `this` is one of this module's sink proxies, alive with its host.
    let proxy = unsafe { proxy::<dyn AdviseSink>(this) };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: `cNotif` notifications the library keeps unchanged during the call
        // (OnNotify's contract).
        let read = unsafe { notify::read_notifications(lpNotifications, cNotif) };
        if read.notifications.is_empty() {
            return Some(0);
        }
        proxy
            .target
            .with_borrowed(|sink| sink.on_notify(&read.notifications))
    }))
    .ok()
    .flatten()
    .unwrap_or(0)
}

/// A library's advise sink as the simulator holds it: [`ComAdviseSink`], called through
/// [`HostShared::call`] (so that a panic the library caught is reported), its reference released
/// the same way ([`Released`]).
struct HostedSink(Released<ComAdviseSink>);

impl AdviseSink for HostedSink {
    fn on_notify(&self, notifications: &[Notification]) -> u32 {
        self.0.host().call(|| self.0.on_notify(notifications))
    }
}

impl HostShared {
    /// The sink a library passed (to `Subscribe`): the Rust object of one of this module's sink
    /// proxies, or the library's own sink imported. NULL gives `MAPI_E_INVALID_PARAMETER`; a
    /// proxy whose object is gone, `MAPI_E_CALL_FAILED`.
    ///
    /// # Safety
    ///
    /// `raw` is NULL or a live `IMAPIAdviseSink` pointer of the library's, callable from any
    /// thread while the library is loaded.
    pub(crate) unsafe fn import_sink(self: &Arc<Self>, raw: *mut c_void) -> MapiResult<Ref<dyn AdviseSink>> {
        if raw.is_null() {
            return Err(MapiError::InvalidParameter);
        }
        // SAFETY: a live COM object starts with its vtable pointer.
        let vtbl = unsafe { raw.cast::<*const c_void>().read() };
        if ptr::eq(vtbl, (&raw const ADVISE_SINK).cast::<c_void>()) {
            // SAFETY: only this module's sink proxies have this vtable.
            let proxy = unsafe { proxy::<dyn AdviseSink>(raw) };
            return proxy.target.upgrade().ok_or(MapiError::CallFailed);
        }
        // SAFETY: a live IMAPIAdviseSink of the library's (the caller's contract).
        let sink = unsafe { ComAdviseSink::from_raw_borrowed(raw)? };
        Ok(Ref::new(HostedSink(Released::new(self, sink))).into())
    }
}

// ---------------------------------------------------------------------------------------------
// IProfSect (IMAPIProp)
// ---------------------------------------------------------------------------------------------

/// The interfaces of a profile-section proxy.
pub(crate) const PROFSECT_IIDS: &[GUID] = &[IProfSect::IID, IMAPIProp::IID];

/// The vtable of a profile section: `GetLastError`, `SaveChanges`, `GetProps`, `GetPropList`,
/// `SetProps` and `DeleteProps` call the simulator's section; the others (which take or return
/// objects or named properties) answer `MAPI_E_NO_SUPPORT`.
pub(crate) static PROFSECT: IProfSect_Vtbl = IProfSect_Vtbl {
    base__: IMAPIProp_Vtbl {
        base__: unknown::<dyn ProfSect>(),
        GetLastError: prop_get_last_error::<dyn ProfSect>,
        SaveChanges: prop_save_changes::<dyn ProfSect>,
        GetProps: prop_get_props::<dyn ProfSect>,
        GetPropList: prop_get_prop_list::<dyn ProfSect>,
        OpenProperty: prop_open_property,
        SetProps: prop_set_props::<dyn ProfSect>,
        DeleteProps: prop_delete_props::<dyn ProfSect>,
        CopyTo: prop_copy_to,
        CopyProps: prop_copy_props,
        GetNamesFromIDs: prop_get_names_from_ids,
        GetIDsFromNames: prop_get_ids_from_names,
    },
};

refused! {
    prop_open_property(u32, *const GUID, u32, u32, *mut *mut c_void);
    prop_copy_to(u32, *const GUID, *mut SPropTagArray, usize, *mut c_void, *const GUID, *mut c_void, u32, *mut *mut SPropProblemArray);
    prop_copy_props(*mut SPropTagArray, usize, *mut c_void, *const GUID, *mut c_void, u32, *mut *mut SPropProblemArray);
    prop_get_names_from_ids(*mut *mut SPropTagArray, *mut GUID, u32, *mut u32, *mut *mut *mut MAPINAMEID);
    prop_get_ids_from_names(u32, *mut *mut MAPINAMEID, u32, *mut *mut SPropTagArray);
}

unsafe extern "system" fn prop_get_last_error<T: ?Sized + MapiProp + Send + Sync + 'static>(
    this: *mut c_void,
    hResult: HRESULT,
    ulFlags: u32,
    lppMAPIError: *mut *mut MAPIERROR,
) -> HRESULT {
    // SAFETY: `this` is a property-object proxy of `T`; `lppMAPIError` is NULL or valid.
    unsafe {
        method::<T>(this, |section, host| {
            let error = section.get_last_error(MapiError::from_hresult(hResult.0), ulFlags)?;
            give_error(host, lppMAPIError, error)
        })
    }
}

unsafe extern "system" fn prop_save_changes<T: ?Sized + MapiProp + Send + Sync + 'static>(
    this: *mut c_void,
    ulFlags: u32,
) -> HRESULT {
    // SAFETY: `this` is a property-object proxy of `T`.
    unsafe { method::<T>(this, |section, _| section.save_changes(ulFlags)) }
}

unsafe extern "system" fn prop_get_props<T: ?Sized + MapiProp + Send + Sync + 'static>(
    this: *mut c_void,
    lpPropTagArray: *mut SPropTagArray,
    ulFlags: u32,
    lpcValues: *mut u32,
    lppPropArray: *mut *mut SPropValue,
) -> HRESULT {
    let mut warning = None;
    // SAFETY: `this` is a property-object proxy of `T`; the tag array is NULL or valid; the out-pointers are
    // NULL or valid.
    let hr = unsafe {
        put(lppPropArray, ptr::null_mut());
        method::<T>(this, |section, host| {
            if lpcValues.is_null() || lppPropArray.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            let tags = props::read_tags(lpPropTagArray);
            let got = section.get_props(tags.as_deref(), ulFlags)?;
            warning = got.warning();
            let values = host.routines()?.value(&got.value)?.len();
            put(
                lpcValues,
                u32::try_from(values).map_err(|_| MapiError::NotEnoughMemory)?,
            );
            give_block(host, lppPropArray, got.value.id())
        })
    };
    match (hr.is_ok(), warning) {
        (true, Some(warning)) => HRESULT(warning.hresult()),
        _ => hr,
    }
}

unsafe extern "system" fn prop_get_prop_list<T: ?Sized + MapiProp + Send + Sync + 'static>(
    this: *mut c_void,
    ulFlags: u32,
    lppPropTagArray: *mut *mut SPropTagArray,
) -> HRESULT {
    // SAFETY: `this` is a property-object proxy of `T`; the out-pointer is NULL or valid.
    unsafe {
        put(lppPropTagArray, ptr::null_mut());
        method::<T>(this, |section, host| {
            if lppPropTagArray.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            let tags: Vec<PropTag> = section.get_prop_list(ulFlags)?;
            let block = props::write_tags(&host.routines()?, &tags)?;
            give_block(host, lppPropTagArray, block)
        })
    }
}

unsafe extern "system" fn prop_set_props<T: ?Sized + MapiProp + Send + Sync + 'static>(
    this: *mut c_void,
    cValues: u32,
    lpPropArray: *mut SPropValue,
    lppProblems: *mut *mut SPropProblemArray,
) -> HRESULT {
    // SAFETY: `this` is a property-object proxy of `T`; the array holds `cValues` values; the out-pointer is
    // NULL or valid.
    unsafe {
        put(lppProblems, ptr::null_mut());
        method::<T>(this, |section, host| {
            let values = props::read_props(lpPropArray, cValues);
            let problems = section.set_props(&values)?;
            give_problems(host, lppProblems, &problems)
        })
    }
}

unsafe extern "system" fn prop_delete_props<T: ?Sized + MapiProp + Send + Sync + 'static>(
    this: *mut c_void,
    lpPropTagArray: *mut SPropTagArray,
    lppProblems: *mut *mut SPropProblemArray,
) -> HRESULT {
    // SAFETY: `this` is a property-object proxy of `T`; the tag array is NULL or valid; the out-pointer is NULL
    // or valid.
    unsafe {
        put(lppProblems, ptr::null_mut());
        method::<T>(this, |section, host| {
            let tags = props::read_tags(lpPropTagArray).ok_or(MapiError::InvalidParameter)?;
            let problems = section.delete_props(&tags)?;
            give_problems(host, lppProblems, &problems)
        })
    }
}

/// Writes `*lppProblems`: NULL for no problem (or when the caller passed NULL), else the array
/// in MAPI memory.
///
/// # Safety
///
/// `out` is NULL or valid for a write.
unsafe fn give_problems(
    host: &HostShared,
    out: *mut *mut SPropProblemArray,
    problems: &[mapisim::spi::PropProblem],
) -> MapiResult<()> {
    if out.is_null() || problems.is_empty() {
        return Ok(());
    }
    let block = props::write_problems(&host.routines()?, problems)?;
    // SAFETY: the caller's contract.
    unsafe { give_block(host, out, block) }
}

// ---------------------------------------------------------------------------------------------
// IMessage (IMAPIProp)
// ---------------------------------------------------------------------------------------------

/// The interfaces of a message proxy.
pub(crate) const MESSAGE_IIDS: &[GUID] = &[IMessage::IID, IMAPIProp::IID];

/// The vtable of a message MAPI hands a transport (`IXPLogon::SubmitMessage`, `StartMessage`):
/// of `IMAPIProp`, `GetLastError`, `SaveChanges`, `GetProps`, `GetPropList`, `SetProps` and
/// `DeleteProps` call the simulator's message, as a profile section's do; the others, and the
/// methods of `IMessage` (attachments, the recipient table, `ModifyRecipients`, `SubmitMessage`,
/// `SetReadFlag`), answer `MAPI_E_NO_SUPPORT`: the simulator's messages have no attachments or
/// tables to give.
pub(crate) static MESSAGE: IMessage_Vtbl = IMessage_Vtbl {
    base__: IMAPIProp_Vtbl {
        base__: unknown::<dyn MapiProp>(),
        GetLastError: prop_get_last_error::<dyn MapiProp>,
        SaveChanges: prop_save_changes::<dyn MapiProp>,
        GetProps: prop_get_props::<dyn MapiProp>,
        GetPropList: prop_get_prop_list::<dyn MapiProp>,
        OpenProperty: prop_open_property,
        SetProps: prop_set_props::<dyn MapiProp>,
        DeleteProps: prop_delete_props::<dyn MapiProp>,
        CopyTo: prop_copy_to,
        CopyProps: prop_copy_props,
        GetNamesFromIDs: prop_get_names_from_ids,
        GetIDsFromNames: prop_get_ids_from_names,
    },
    GetAttachmentTable: message_get_attachment_table,
    OpenAttach: message_open_attach,
    CreateAttach: message_create_attach,
    DeleteAttach: message_delete_attach,
    GetRecipientTable: message_get_recipient_table,
    ModifyRecipients: message_modify_recipients,
    SubmitMessage: message_submit_message,
    SetReadFlag: message_set_read_flag,
};

refused! {
    message_get_attachment_table(u32, *mut *mut c_void);
    message_open_attach(u32, *const GUID, u32, *mut *mut c_void);
    message_create_attach(*const GUID, u32, *mut u32, *mut *mut c_void);
    message_delete_attach(u32, usize, *mut c_void, u32);
    message_get_recipient_table(u32, *mut *mut c_void);
    message_modify_recipients(u32, *mut ADRLIST);
    message_submit_message(u32);
    message_set_read_flag(u32);
}

// ---------------------------------------------------------------------------------------------
// IMalloc
// ---------------------------------------------------------------------------------------------

/// The interfaces of an `IMalloc` proxy.
pub(crate) const MALLOC_IIDS: &[GUID] = &[IMalloc::IID];

/// The vtable of MAPI's `IMalloc`: each block is allocated on the process heap (the library
/// writes it through its pointer) and in the simulator's `IMalloc` too, which keeps the account
/// its rules read; see [`HostShared::malloc_alloc`].
pub(crate) static MALLOC: IMalloc_Vtbl = IMalloc_Vtbl {
    base__: unknown::<dyn Malloc>(),
    Alloc: malloc_alloc,
    Realloc: malloc_realloc,
    Free: malloc_free,
    GetSize: malloc_get_size,
    DidAlloc: malloc_did_alloc,
    HeapMinimize: malloc_heap_minimize,
};

/// Runs an `IMalloc` method (none returns an `HRESULT`): `fallback` when the object or host is
/// gone or the body panics.
///
/// # Safety
///
/// `this` is an `IMalloc` proxy made by [`HostShared::proxy_of`], whose registry is alive.
unsafe fn malloc_method<R>(
    this: *mut c_void,
    fallback: R,
    body: impl FnOnce(&dyn Malloc, &HostShared) -> R,
) -> R {
    // SAFETY: the function's contract.
    let proxy = unsafe { proxy::<dyn Malloc>(this) };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let host = proxy.host.upgrade()?;
        proxy.target.with_borrowed(|malloc| body(malloc, &host))
    }))
    .ok()
    .flatten()
    .unwrap_or(fallback)
}

unsafe extern "system" fn malloc_alloc(this: *mut c_void, cb: usize) -> *mut c_void {
    // SAFETY: `this` is an IMalloc proxy.
    unsafe {
        malloc_method(this, ptr::null_mut(), |malloc, host| {
            host.malloc_alloc(malloc, None, cb)
        })
    }
}

unsafe extern "system" fn malloc_realloc(this: *mut c_void, pv: *mut c_void, cb: usize) -> *mut c_void {
    // SAFETY: `this` is an IMalloc proxy.
    unsafe {
        malloc_method(this, ptr::null_mut(), |malloc, host| {
            host.malloc_alloc(malloc, Some(pv.expose_provenance()), cb)
        })
    }
}

unsafe extern "system" fn malloc_free(this: *mut c_void, pv: *mut c_void) {
    // SAFETY: `this` is an IMalloc proxy.
    unsafe {
        malloc_method(this, (), |malloc, host| {
            host.malloc_free(malloc, pv.expose_provenance())
        })
    }
}

unsafe extern "system" fn malloc_get_size(this: *mut c_void, pv: *mut c_void) -> usize {
    // SAFETY: `this` is an IMalloc proxy.
    unsafe {
        malloc_method(this, usize::MAX, |_, host| {
            host.malloc_size(pv.expose_provenance())
        })
    }
}

unsafe extern "system" fn malloc_did_alloc(this: *mut c_void, pv: *mut c_void) -> i32 {
    // SAFETY: `this` is an IMalloc proxy.
    unsafe {
        malloc_method(this, -1, |_, host| {
            i32::from(host.malloc_block(pv.expose_provenance()).is_some())
        })
    }
}

unsafe extern "system" fn malloc_heap_minimize(this: *mut c_void) {
    // SAFETY: `this` is an IMalloc proxy.
    unsafe { malloc_method(this, (), |malloc, _| malloc.heap_minimize()) }
}

/// The simulator's block behind a block of the process heap.
pub(crate) type MallocPair = (MallocBlock, std::alloc::Layout);

// ---------------------------------------------------------------------------------------------
// IProviderAdmin
// ---------------------------------------------------------------------------------------------

/// The interfaces of a provider-administration proxy.
pub(crate) const ADMIN_IIDS: &[GUID] = &[IProviderAdmin::IID];

/// The vtable of a provider-administration object: every method calls the simulator's;
/// `GetProviderTable` hands the rows over as a static table ([`super::table`]).
pub(crate) static ADMIN: IProviderAdmin_Vtbl = IProviderAdmin_Vtbl {
    base__: unknown::<dyn ProviderAdmin>(),
    GetLastError: admin_get_last_error,
    GetProviderTable: admin_get_provider_table,
    CreateProvider: admin_create_provider,
    DeleteProvider: admin_delete_provider,
    OpenProfileSection: admin_open_profile_section,
};

unsafe extern "system" fn admin_get_provider_table(
    this: *mut c_void,
    ulFlags: u32,
    lppTable: *mut *mut c_void,
) -> HRESULT {
    // SAFETY: `this` is an admin proxy, alive with its host.
    let ledger = unsafe { proxy::<dyn ProviderAdmin>(this) }.ledger.clone();
    // SAFETY: `this` is an admin proxy; the out-pointer is NULL or valid.
    unsafe {
        put(lppTable, ptr::null_mut());
        method::<dyn ProviderAdmin>(this, |admin, host| {
            if lppTable.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            let table = RowTable::new(admin.get_provider_table(ulFlags)?);
            // MAPI's table: an object of the simulator's ledger, so that a leak is reported.
            let table = match &ledger {
                Some((ledger, _)) => ledger.register(table, ObjectInfo::new(InterfaceKind::MapiTable)),
                None => Ref::new(table),
            };
            put(lppTable, host.hand_over(table, &TABLE, TABLE_IIDS));
            Ok(())
        })
    }
}

unsafe extern "system" fn admin_get_last_error(
    this: *mut c_void,
    hResult: HRESULT,
    ulFlags: u32,
    lppMAPIError: *mut *mut MAPIERROR,
) -> HRESULT {
    // SAFETY: `this` is an admin proxy; `lppMAPIError` is NULL or valid.
    unsafe {
        method::<dyn ProviderAdmin>(this, |admin, host| {
            let error = admin.get_last_error(MapiError::from_hresult(hResult.0), ulFlags)?;
            give_error(host, lppMAPIError, error)
        })
    }
}

unsafe extern "system" fn admin_create_provider(
    this: *mut c_void,
    lpszProvider: LPTSTR,
    cValues: u32,
    lpProps: *mut SPropValue,
    ulUIParam: usize,
    ulFlags: u32,
    lpUID: *mut MAPIUID,
) -> HRESULT {
    // SAFETY: `this` is an admin proxy; the name is a string of the flags' encoding; the array
    // holds `cValues` values; `lpUID` is NULL or valid for a write.
    unsafe {
        method::<dyn ProviderAdmin>(this, |admin, _| {
            let name = tstr(lpszProvider, ulFlags & MAPI_UNICODE != 0)?;
            let values = props::read_props(lpProps, cValues);
            let uid = admin.create_provider(name, &values, ulUIParam, ulFlags)?;
            put(lpUID, MAPIUID::from(uid));
            Ok(())
        })
    }
}

unsafe extern "system" fn admin_delete_provider(this: *mut c_void, lpUID: *mut MAPIUID) -> HRESULT {
    // SAFETY: `this` is an admin proxy; `lpUID` is NULL or valid for a read.
    unsafe {
        method::<dyn ProviderAdmin>(this, |admin, _| {
            let uid = uid(lpUID).ok_or(MapiError::InvalidParameter)?;
            admin.delete_provider(&uid)
        })
    }
}

unsafe extern "system" fn admin_open_profile_section(
    this: *mut c_void,
    lpUID: *mut MAPIUID,
    lpInterface: *const GUID,
    ulFlags: u32,
    lppProfSect: *mut *mut c_void,
) -> HRESULT {
    // SAFETY: `this` is an admin proxy; `lpUID` and `lpInterface` are NULL or valid; the
    // out-pointer is NULL or valid.
    unsafe {
        put(lppProfSect, ptr::null_mut());
        method::<dyn ProviderAdmin>(this, |admin, host| {
            if lppProfSect.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            let uid = uid(lpUID);
            let interface = crate::export::store::interface(lpInterface);
            let interface = interface.as_ref();
            let section = admin.open_profile_section(
                uid.as_ref(),
                interface,
                ProfileSectionFlags::from_bits_retain(ulFlags),
            )?;
            put(lppProfSect, host.hand_over(section, &PROFSECT, PROFSECT_IIDS));
            Ok(())
        })
    }
}
