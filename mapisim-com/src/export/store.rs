//! The objects a store provider's `Logon` returns, exported: `IMSLogon` and `IMsgStore`, and
//! what the provider's `Logon` and `SpoolerLogon` thunks need to make them.
//!
//! What is handed to MAPI, and how: see [`HostMemory`].

use core::ffi::c_void;
use core::ptr;

use mapisim::error::Warned;
use mapisim::flags::{EventMask, LogoffFlags};
use mapisim::ids::Iid;
use mapisim::props::PropTag;
use mapisim::spi::{
    AdviseSink, BufferId, MapiBuffer, MapiErrorInfo, MemRoutines, MsLogon, MsgStore, PropProblem,
};
use mapisim::strings::TStr;
use mapisim::{MapiError, MapiResult, Ref};
use windows_core::{GUID, HRESULT, Interface, implement};

use super::{Slot, entry_id, find_or_make, guard};
use crate::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER};
use crate::import::host_routines;
use crate::interfaces::{IMAPIProp_Impl, IMSLogon, IMSLogon_Impl, IMsgStore, IMsgStore_Impl};
use crate::notify::{self, ComAdviseSink};
use crate::props;
use crate::types::{
    ENTRYID, LPTSTR, MAPIERROR, MAPINAMEID, NOTIFICATION, SPropProblemArray, SPropTagArray, SPropValue,
};

/// `MAPI_UNICODE`.
pub(super) const MAPI_UNICODE: u32 = 0x8000_0000;

/// `MAPI_E_NO_SUPPORT`, for the slots not exported yet.
fn no_support() -> HRESULT {
    HRESULT(MapiError::NoSupport.hresult())
}

/// MAPI's allocation routines as an entry point received them: the provider's [`MemRoutines`]
/// on them, and the three functions, to lay out what is handed to MAPI.
///
/// # Memory handed to MAPI
///
/// Everything these objects return in MAPI memory (a property array, a tag array, a problem
/// array, a `MAPIERROR`, the spool-security blob) is MAPI's to free, with `MAPIFreeBuffer`. The
/// provider's [`MemRoutines`] keep an account of the blocks they made and have no way to be told
/// that one left for MAPI, so nothing handed over is made through them. Instead:
///
/// - a result the Rust object returns in a buffer of the provider's routines (a property array, a
///   `MAPIERROR`, the spool-security blob) is read and freed through them ([`MemRoutines::take`],
///   [`MemRoutines::take_bytes`]): their account sees it go;
/// - the C layout is then written through **fresh routines** on the same three MAPI functions,
///   made for that one output and dropped at once (this type): their account dies with them
///   (dropping them frees nothing), and the block is MAPI's alone, as in C.
///
/// The spool-security blob is thus copied once, from the provider's block to the one MAPI gets.
#[derive(Clone)]
pub struct HostMemory {
    routines: MemRoutines,
    allocate_buffer: LPALLOCATEBUFFER,
    allocate_more: LPALLOCATEMORE,
    free_buffer: LPFREEBUFFER,
}

impl core::fmt::Debug for HostMemory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HostMemory")
            .field("routines", &self.routines)
            .finish_non_exhaustive()
    }
}

impl HostMemory {
    /// The routines over MAPI's three functions ([`host_routines`]) and the functions themselves.
    /// A NULL pointer gives `MAPI_E_INVALID_PARAMETER`.
    ///
    /// # Safety
    ///
    /// As for [`host_routines`]: the pointers are MAPI's routines, thread-safe and valid for as
    /// long as the value (or any clone of it, or of its routines) lives.
    pub unsafe fn new(
        allocate_buffer: Option<LPALLOCATEBUFFER>,
        allocate_more: Option<LPALLOCATEMORE>,
        free_buffer: Option<LPFREEBUFFER>,
    ) -> MapiResult<HostMemory> {
        // SAFETY: the caller's contract is host_routines'.
        let routines = unsafe { host_routines(allocate_buffer, allocate_more, free_buffer)? };
        match (allocate_buffer, allocate_more, free_buffer) {
            (Some(allocate_buffer), Some(allocate_more), Some(free_buffer)) => Ok(HostMemory {
                routines,
                allocate_buffer,
                allocate_more,
                free_buffer,
            }),
            _ => Err(MapiError::InvalidParameter),
        }
    }

    /// The provider's routines: what the entry point hands the provider (`InitArgs::routines`).
    pub fn routines(&self) -> &MemRoutines {
        &self.routines
    }

    /// MAPI's `MAPIFreeBuffer`, for the blocks MAPI hands over to the provider.
    pub(crate) fn free_function(&self) -> LPFREEBUFFER {
        self.free_buffer
    }

    /// Lays a value out in a block handed to MAPI: `write` runs on fresh routines whose account
    /// is dropped with them, and the root's address is returned, MAPI's to free.
    pub(super) fn hand_over<T>(
        &self,
        write: impl FnOnce(&MemRoutines) -> MapiResult<BufferId>,
    ) -> MapiResult<*mut T> {
        // SAFETY: the three functions are MAPI's, valid while this value lives (the constructor's
        // contract); the routines made here live only for this call, and the one block they keep
        // is handed to MAPI and never used through them again (host_routines allows that).
        let output = unsafe {
            host_routines(
                Some(self.allocate_buffer),
                Some(self.allocate_more),
                Some(self.free_buffer),
            )?
        };
        let block = write(&output)?;
        match output.address(block) {
            Some(address) => Ok(ptr::with_exposed_provenance_mut(address)),
            None => {
                let _ = output.free_buffer(Some(block));
                Err(MapiError::CallFailed)
            }
        }
    }

    /// A `MAPIERROR` of the provider's routines: read and freed through them, and laid out for
    /// MAPI in the encoding `unicode` names.
    pub(super) fn hand_over_error(
        &self,
        error: MapiBuffer<MapiErrorInfo>,
        unicode: bool,
    ) -> MapiResult<*mut MAPIERROR> {
        let info = self.routines.take(error)?;
        self.hand_over(|r| props::write_mapierror(r, &info, unicode))
    }

    /// A problem array for MAPI: NULL for none.
    fn hand_over_problems(&self, problems: &[PropProblem]) -> MapiResult<*mut SPropProblemArray> {
        if problems.is_empty() {
            return Ok(ptr::null_mut());
        }
        self.hand_over(|r| props::write_problems(r, problems))
    }
}

/// The string at `text`, read up to its NUL: UTF-16 when `unicode`, 8 bits otherwise; NULL reads
/// as the empty string. A UTF-16 string not aligned to 2 bytes gives `MAPI_E_INVALID_PARAMETER`.
///
/// # Safety
///
/// `text` is NULL or a NUL-terminated string of that encoding, unchanged for `'a`.
pub(crate) unsafe fn tstr<'a>(text: LPTSTR, unicode: bool) -> MapiResult<TStr<'a>> {
    if text.is_null() {
        return Ok(TStr::ansi(b""));
    }
    if unicode {
        let units = text.cast::<u16>();
        if !units.is_aligned() {
            return Err(MapiError::InvalidParameter);
        }
        let mut len = 0;
        // SAFETY: the string is NUL-terminated and aligned (checked): every unit up to the NUL is
        // readable.
        while unsafe { units.add(len).read() } != 0 {
            len += 1;
        }
        // SAFETY: `len` readable, aligned units, unchanged for `'a`.
        Ok(TStr::wide(unsafe { core::slice::from_raw_parts(units, len) }))
    } else {
        let bytes = text.cast::<u8>();
        let mut len = 0;
        // SAFETY: the string is NUL-terminated (the caller's contract): every byte up to the NUL
        // is readable.
        while unsafe { bytes.add(len).read() } != 0 {
            len += 1;
        }
        // SAFETY: `len` readable bytes, unchanged for `'a`.
        Ok(TStr::ansi(unsafe { core::slice::from_raw_parts(bytes, len) }))
    }
}

/// The interface `iid` names, `None` for NULL.
///
/// # Safety
///
/// `iid` is NULL or valid for a read.
pub(crate) unsafe fn interface(iid: *const GUID) -> Option<Iid> {
    // SAFETY: NULL or valid for a read (the caller's contract).
    let guid = unsafe { iid.as_ref() }?;
    Some(Iid(uuid::Uuid::from_u128(guid.to_u128())))
}

/// An optional entry ID: `None` when its size is 0.
///
/// # Safety
///
/// As for [`entry_id`].
pub(crate) unsafe fn optional_entry_id<'a>(cb: u32, id: *const ENTRYID) -> MapiResult<Option<&'a [u8]>> {
    if cb == 0 {
        return Ok(None);
    }
    // SAFETY: the caller's contract.
    unsafe { entry_id(cb, id) }.map(Some)
}

/// Writes `value` through `out` when it is not NULL.
///
/// # Safety
///
/// `out` is NULL or valid for a write.
pub(crate) unsafe fn put<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: not NULL, and valid for a write (the caller's contract).
        unsafe { out.write(value) };
    }
}

/// What an exported logon or store holds: its Rust object, MAPI's memory and its registry slot.
pub(super) struct Held<T: ?Sized> {
    /// `None` only while the destructor runs.
    object: Option<Ref<T>>,
    pub(super) memory: HostMemory,
    slot: Option<Slot>,
}

impl<T: ?Sized> Held<T> {
    pub(super) fn object(&self) -> MapiResult<&Ref<T>> {
        self.object.as_ref().ok_or(MapiError::CallFailed)
    }
}

impl<T: ?Sized> Drop for Held<T> {
    fn drop(&mut self) {
        // The entry first, so that the key is not reused while the registry names it.
        drop(self.slot.take());
        let object = self.object.take();
        let _ = guard(|| drop(object));
    }
}

/// The COM object `make` builds around `object` (with `memory`), found in or added to the registry
/// (one per Rust object), as interface `I`. The reference is cloned before the registry's lock is
/// taken; `MAPI_E_INTERFACE_NOT_SUPPORTED` when the object was exported as another kind.
pub(super) fn export_held<T: ?Sized, I: Interface>(
    object: &Ref<T>,
    memory: &HostMemory,
    make: impl FnOnce(Held<T>) -> windows_core::IUnknown,
) -> MapiResult<I> {
    let held = object.clone();
    let memory = memory.clone();
    let exported = find_or_make(object.key(), move |slot| {
        make(Held {
            object: Some(held),
            memory,
            slot: Some(slot),
        })
    })?;
    exported.cast::<I>().map_err(|_| MapiError::InterfaceNotSupported)
}

/// `GetLastError` on any of the objects: the Rust object's answer, laid out for MAPI.
///
/// # Safety
///
/// `out` is NULL or valid for a write.
pub(super) unsafe fn last_error(
    memory: &HostMemory,
    out: *mut *mut MAPIERROR,
    flags: u32,
    call: impl FnOnce() -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>>,
) -> HRESULT {
    guard(|| {
        if out.is_null() {
            return Err(MapiError::InvalidParameter);
        }
        // SAFETY: not NULL, and valid for a write (the caller's contract).
        unsafe { out.write(ptr::null_mut()) };
        if let Some(error) = call()? {
            let error = memory.hand_over_error(error, flags & MAPI_UNICODE != 0)?;
            // SAFETY: as above.
            unsafe { out.write(error) };
        }
        Ok(())
    })
}

/// `CompareEntryIDs` on any of the objects.
///
/// # Safety
///
/// Each entry ID pointer is NULL or valid for its size; `result` is NULL or valid for a write.
pub(super) unsafe fn compare(
    cb1: u32,
    id1: *const ENTRYID,
    cb2: u32,
    id2: *const ENTRYID,
    result: *mut u32,
    call: impl FnOnce(&[u8], &[u8]) -> MapiResult<bool>,
) -> HRESULT {
    guard(|| {
        if result.is_null() {
            return Err(MapiError::InvalidParameter);
        }
        // SAFETY: each pointer is NULL or valid for its size (the caller's contract).
        let (a, b) = unsafe { (entry_id(cb1, id1)?, entry_id(cb2, id2)?) };
        let same = call(a, b)?;
        // SAFETY: not NULL, and valid for a write (the caller's contract).
        unsafe { result.write(u32::from(same)) };
        Ok(())
    })
}

/// `Advise` on either object: the sink imported ([`ComAdviseSink`], one COM reference, released
/// when the last `Ref` of it goes: at once unless the Rust object keeps it), `call` with the
/// entry ID (`None` for a size of 0) and the mask, and the connection written back.
///
/// # Safety
///
/// The entry ID is NULL or valid for its size; `sink` is NULL or a live `IMAPIAdviseSink`;
/// `connection` is NULL or valid for a write.
pub(super) unsafe fn advise(
    cb: u32,
    id: *const ENTRYID,
    mask: u32,
    sink: *mut c_void,
    connection: *mut usize,
    call: impl FnOnce(Option<&[u8]>, EventMask, &Ref<dyn AdviseSink>) -> MapiResult<usize>,
) -> HRESULT {
    guard(|| {
        if connection.is_null() {
            return Err(MapiError::InvalidParameter);
        }
        // SAFETY: not NULL, and valid for a write (the caller's contract).
        unsafe { connection.write(0) };
        // SAFETY: NULL or valid for its size (the caller's contract).
        let id = unsafe { optional_entry_id(cb, id)? };
        // SAFETY: NULL or a live IMAPIAdviseSink (the caller's contract).
        let sink: Ref<dyn AdviseSink> = Ref::new(unsafe { ComAdviseSink::from_raw_borrowed(sink)? }).into();
        let made = call(id, EventMask::from_bits_retain(mask), &sink)?;
        // SAFETY: as above.
        unsafe { connection.write(made) };
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// IMSLogon
// ---------------------------------------------------------------------------------------------

/// The exported `IMSLogon` of a `Ref<dyn MsLogon>`.
#[implement(IMSLogon)]
struct LogonObject {
    held: Held<dyn MsLogon>,
}

impl IMSLogon_Impl for LogonObject_Impl {
    unsafe fn GetLastError(
        &self,
        hResult: HRESULT,
        ulFlags: u32,
        lppMAPIError: *mut *mut MAPIERROR,
    ) -> HRESULT {
        // SAFETY: the host passes NULL or a valid out-pointer.
        unsafe {
            last_error(&self.held.memory, lppMAPIError, ulFlags, || {
                self.held
                    .object()?
                    .get_last_error(MapiError::from_hresult(hResult.0), ulFlags)
            })
        }
    }

    unsafe fn Logoff(&self, lpulFlags: *mut u32) -> HRESULT {
        guard(|| {
            // Reserved: a NULL pointer is read as 0.
            // SAFETY: NULL or valid for a read (IMSLogon::Logoff).
            let flags = unsafe { lpulFlags.as_ref() }.copied().unwrap_or(0);
            self.held.object()?.logoff(flags)
        })
    }

    /// Not exported yet: the entry would have to be exported as a COM object of its own kind
    /// (folder, message, status), which this crate does not make.
    unsafe fn OpenEntry(
        &self,
        _: u32,
        _: *mut ENTRYID,
        _: *const GUID,
        _: u32,
        _: *mut u32,
        lppUnk: *mut *mut c_void,
    ) -> HRESULT {
        // SAFETY: NULL or a valid out-pointer (IMSLogon::OpenEntry).
        unsafe { put(lppUnk, ptr::null_mut()) };
        no_support()
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
            compare(
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
        // out-pointer (IMSLogon::Advise).
        unsafe {
            advise(
                cbEntryID,
                lpEntryID,
                ulEventMask,
                lpAdviseSink,
                lpulConnection,
                |id, mask, sink| self.held.object()?.advise(id, mask, sink),
            )
        }
    }

    unsafe fn Unadvise(&self, ulConnection: usize) -> HRESULT {
        guard(|| self.held.object()?.unadvise(ulConnection))
    }

    /// Not exported yet: the status object would have to be exported as an `IMAPIStatus`.
    unsafe fn OpenStatusEntry(
        &self,
        _: *const GUID,
        _: u32,
        _: *mut u32,
        lppEntry: *mut *mut c_void,
    ) -> HRESULT {
        // SAFETY: NULL or a valid out-pointer (IMSLogon::OpenStatusEntry).
        unsafe { put(lppEntry, ptr::null_mut()) };
        no_support()
    }
}

/// The COM object of a store logon: the same `IMSLogon` for as long as it lives (the registry of
/// [the module](super#identity)), holding one reference of `logon` until the host's final
/// `Release`. `memory` lays out what it returns to MAPI; an object already exported keeps the
/// memory it was made with.
///
/// Exported: `Logoff`, `CompareEntryIDs`, `GetLastError`, `Advise` (the sink imported as a
/// [`ComAdviseSink`]) and `Unadvise`. `OpenEntry` and `OpenStatusEntry` answer
/// `MAPI_E_NO_SUPPORT`: they return COM objects this crate does not export yet.
///
/// Errors: those of making a weak reference to the new object, and `MAPI_E_INTERFACE_NOT_SUPPORTED`
/// when the Rust object was already exported as another kind of object.
pub fn export_logon(logon: &Ref<dyn MsLogon>, memory: &HostMemory) -> MapiResult<IMSLogon> {
    export_held(logon, memory, |held| LogonObject { held }.into())
}

// ---------------------------------------------------------------------------------------------
// IMsgStore
// ---------------------------------------------------------------------------------------------

/// The exported `IMsgStore` of a `Ref<dyn MsgStore>`.
#[implement(IMsgStore)]
struct StoreObject {
    held: Held<dyn MsgStore>,
}

impl StoreObject_Impl {
    fn store(&self) -> MapiResult<&Ref<dyn MsgStore>> {
        self.held.object()
    }

    fn memory(&self) -> &HostMemory {
        &self.held.memory
    }
}

impl IMAPIProp_Impl for StoreObject_Impl {
    unsafe fn GetLastError(
        &self,
        hResult: HRESULT,
        ulFlags: u32,
        lppMAPIError: *mut *mut MAPIERROR,
    ) -> HRESULT {
        // SAFETY: the host passes NULL or a valid out-pointer.
        unsafe {
            last_error(self.memory(), lppMAPIError, ulFlags, || {
                self.store()?
                    .get_last_error(MapiError::from_hresult(hResult.0), ulFlags)
            })
        }
    }

    unsafe fn SaveChanges(&self, ulFlags: u32) -> HRESULT {
        guard(|| self.store()?.save_changes(ulFlags))
    }

    unsafe fn GetProps(
        &self,
        lpPropTagArray: *mut SPropTagArray,
        ulFlags: u32,
        lpcValues: *mut u32,
        lppPropArray: *mut *mut SPropValue,
    ) -> HRESULT {
        guard(|| {
            if lpcValues.is_null() || lppPropArray.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            // SAFETY: both not NULL, and valid for a write (IMAPIProp::GetProps).
            unsafe {
                lpcValues.write(0);
                lppPropArray.write(ptr::null_mut());
            }
            // SAFETY: NULL or a tag array the caller keeps unchanged during the call.
            let tags = unsafe { props::read_tags(lpPropTagArray) };
            let Warned { value, warning } = self.store()?.get_props(tags.as_deref(), ulFlags)?;
            let values = self.memory().routines().take(value)?;
            let count = u32::try_from(values.len()).map_err(|_| MapiError::NotEnoughMemory)?;
            let array = self.memory().hand_over(|r| props::write_props(r, &values))?;
            // SAFETY: as above.
            unsafe {
                lpcValues.write(count);
                lppPropArray.write(array);
            }
            Ok(Warned { value: (), warning })
        })
    }

    unsafe fn GetPropList(&self, ulFlags: u32, lppPropTagArray: *mut *mut SPropTagArray) -> HRESULT {
        guard(|| {
            if lppPropTagArray.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            // SAFETY: not NULL, and valid for a write (IMAPIProp::GetPropList).
            unsafe { lppPropTagArray.write(ptr::null_mut()) };
            let tags: Vec<PropTag> = self.store()?.get_prop_list(ulFlags)?;
            let array = self.memory().hand_over(|r| props::write_tags(r, &tags))?;
            // SAFETY: as above.
            unsafe { lppPropTagArray.write(array) };
            Ok(())
        })
    }

    /// Not exported yet: the property would be opened as a COM object (a stream, a table).
    unsafe fn OpenProperty(
        &self,
        _: u32,
        _: *const GUID,
        _: u32,
        _: u32,
        lppUnk: *mut *mut c_void,
    ) -> HRESULT {
        // SAFETY: NULL or a valid out-pointer (IMAPIProp::OpenProperty).
        unsafe { put(lppUnk, ptr::null_mut()) };
        no_support()
    }

    unsafe fn SetProps(
        &self,
        cValues: u32,
        lpPropArray: *mut SPropValue,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT {
        guard(|| {
            // SAFETY: NULL or a valid out-pointer (IMAPIProp::SetProps).
            unsafe { put(lppProblems, ptr::null_mut()) };
            if lpPropArray.is_null() && cValues != 0 {
                return Err(MapiError::InvalidParameter);
            }
            // SAFETY: `cValues` property values the caller keeps unchanged during the call.
            let values = unsafe { props::read_props(lpPropArray, cValues) };
            let problems = self.store()?.set_props(&values)?;
            if !lppProblems.is_null() {
                let array = self.memory().hand_over_problems(&problems)?;
                // SAFETY: not NULL, and valid for a write.
                unsafe { lppProblems.write(array) };
            }
            Ok(())
        })
    }

    unsafe fn DeleteProps(
        &self,
        lpPropTagArray: *mut SPropTagArray,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT {
        guard(|| {
            // SAFETY: NULL or a valid out-pointer (IMAPIProp::DeleteProps).
            unsafe { put(lppProblems, ptr::null_mut()) };
            // SAFETY: NULL or a tag array the caller keeps unchanged during the call.
            let tags = unsafe { props::read_tags(lpPropTagArray) }.ok_or(MapiError::InvalidParameter)?;
            let problems = self.store()?.delete_props(&tags)?;
            if !lppProblems.is_null() {
                let array = self.memory().hand_over_problems(&problems)?;
                // SAFETY: not NULL, and valid for a write.
                unsafe { lppProblems.write(array) };
            }
            Ok(())
        })
    }

    /// Not exported yet: the destination is a COM object this crate does not import.
    unsafe fn CopyTo(
        &self,
        _: u32,
        _: *const GUID,
        _: *mut SPropTagArray,
        _: usize,
        _: *mut c_void,
        _: *const GUID,
        _: *mut c_void,
        _: u32,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT {
        // SAFETY: NULL or a valid out-pointer (IMAPIProp::CopyTo).
        unsafe { put(lppProblems, ptr::null_mut()) };
        no_support()
    }

    /// Not exported yet, as `CopyTo`.
    unsafe fn CopyProps(
        &self,
        _: *mut SPropTagArray,
        _: usize,
        _: *mut c_void,
        _: *const GUID,
        _: *mut c_void,
        _: u32,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT {
        // SAFETY: NULL or a valid out-pointer (IMAPIProp::CopyProps).
        unsafe { put(lppProblems, ptr::null_mut()) };
        no_support()
    }

    /// Not exported yet: `MAPINAMEID`s are not laid out by this crate.
    unsafe fn GetNamesFromIDs(
        &self,
        _: *mut *mut SPropTagArray,
        _: *mut GUID,
        _: u32,
        _: *mut u32,
        _: *mut *mut *mut MAPINAMEID,
    ) -> HRESULT {
        no_support()
    }

    /// Not exported yet, as `GetNamesFromIDs`.
    unsafe fn GetIDsFromNames(
        &self,
        _: u32,
        _: *mut *mut MAPINAMEID,
        _: u32,
        _: *mut *mut SPropTagArray,
    ) -> HRESULT {
        no_support()
    }
}

impl IMsgStore_Impl for StoreObject_Impl {
    unsafe fn Advise(
        &self,
        cbEntryID: u32,
        lpEntryID: *mut ENTRYID,
        ulEventMask: u32,
        lpAdviseSink: *mut c_void,
        lpulConnection: *mut usize,
    ) -> HRESULT {
        // SAFETY: the host passes an entry ID valid for its size, a live sink and a valid
        // out-pointer (IMsgStore::Advise).
        unsafe {
            advise(
                cbEntryID,
                lpEntryID,
                ulEventMask,
                lpAdviseSink,
                lpulConnection,
                |id, mask, sink| self.store()?.advise(id, mask, sink),
            )
        }
    }

    unsafe fn Unadvise(&self, ulConnection: usize) -> HRESULT {
        guard(|| self.store()?.unadvise(ulConnection))
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
            compare(
                cbEntryID1,
                lpEntryID1,
                cbEntryID2,
                lpEntryID2,
                lpulResult,
                |a, b| self.store()?.compare_entry_ids(a, b, ulFlags),
            )
        }
    }

    /// Not exported yet: folders and messages are not exported as COM objects.
    unsafe fn OpenEntry(
        &self,
        _: u32,
        _: *mut ENTRYID,
        _: *const GUID,
        _: u32,
        _: *mut u32,
        lppUnk: *mut *mut c_void,
    ) -> HRESULT {
        // SAFETY: NULL or a valid out-pointer (IMsgStore::OpenEntry).
        unsafe { put(lppUnk, ptr::null_mut()) };
        no_support()
    }

    /// Not exported yet.
    unsafe fn SetReceiveFolder(&self, _: LPTSTR, _: u32, _: u32, _: *mut ENTRYID) -> HRESULT {
        no_support()
    }

    /// Not exported yet: the entry ID and class would be laid out in MAPI memory.
    unsafe fn GetReceiveFolder(
        &self,
        _: LPTSTR,
        _: u32,
        _: *mut u32,
        _: *mut *mut ENTRYID,
        _: *mut LPTSTR,
    ) -> HRESULT {
        no_support()
    }

    /// Not exported yet: tables are not exported as COM objects.
    unsafe fn GetReceiveFolderTable(&self, _: u32, lppTable: *mut *mut c_void) -> HRESULT {
        // SAFETY: NULL or a valid out-pointer (IMsgStore::GetReceiveFolderTable).
        unsafe { put(lppTable, ptr::null_mut()) };
        no_support()
    }

    unsafe fn StoreLogoff(&self, lpulFlags: *mut u32) -> HRESULT {
        guard(|| {
            if lpulFlags.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            // SAFETY: not NULL, and valid for a read and a write (IMsgStore::StoreLogoff).
            let flags = LogoffFlags::from_bits_retain(unsafe { lpulFlags.read() });
            let out = self.store()?.store_logoff(flags)?;
            // SAFETY: as above.
            unsafe { lpulFlags.write(out.bits()) };
            Ok(())
        })
    }

    unsafe fn AbortSubmit(&self, cbEntryID: u32, lpEntryID: *mut ENTRYID, ulFlags: u32) -> HRESULT {
        guard(|| {
            // SAFETY: NULL or valid for its size (IMsgStore::AbortSubmit).
            let id = unsafe { entry_id(cbEntryID, lpEntryID)? };
            self.store()?.abort_submit(id, ulFlags)
        })
    }

    /// Not exported yet: tables are not exported as COM objects.
    unsafe fn GetOutgoingQueue(&self, _: u32, lppTable: *mut *mut c_void) -> HRESULT {
        // SAFETY: NULL or a valid out-pointer (IMsgStore::GetOutgoingQueue).
        unsafe { put(lppTable, ptr::null_mut()) };
        no_support()
    }

    /// Not exported yet: the message would have to be imported as a `dyn MapiProp`.
    unsafe fn SetLockState(&self, _: *mut c_void, _: u32) -> HRESULT {
        no_support()
    }

    unsafe fn FinishedMsg(&self, ulFlags: u32, cbEntryID: u32, lpEntryID: *mut ENTRYID) -> HRESULT {
        guard(|| {
            // SAFETY: NULL or valid for its size (IMsgStore::FinishedMsg).
            let id = unsafe { entry_id(cbEntryID, lpEntryID)? };
            self.store()?.finished_msg(ulFlags, id)
        })
    }

    /// The one notification read ([`notify::read_notifications`]); one the core does not model
    /// (not a new-mail notification's member) gives `MAPI_E_NO_SUPPORT`, NULL
    /// `MAPI_E_INVALID_PARAMETER`.
    unsafe fn NotifyNewMail(&self, lpNotification: *mut NOTIFICATION) -> HRESULT {
        guard(|| {
            if lpNotification.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            // SAFETY: one notification the caller keeps unchanged during the call
            // (IMsgStore::NotifyNewMail).
            let read = unsafe { notify::read_notifications(lpNotification, 1) };
            let notification = read.notifications.first().ok_or(MapiError::NoSupport)?;
            self.store()?.notify_new_mail(notification)
        })
    }
}

/// The COM object of a store: the same `IMsgStore` for as long as it lives (the registry of
/// [the module](super#identity)), so a store a second `Logon` reuses comes back as the same
/// pointer. It holds one reference of `store` until the host's final `Release`. `memory` lays
/// out what it returns to MAPI; an object already exported keeps the memory it was made with.
///
/// Exported: `IMAPIProp`'s `GetLastError`, `SaveChanges`, `GetProps`, `GetPropList`,
/// `SetProps`, `DeleteProps`, and `IMsgStore`'s `Advise` (the sink imported as a
/// [`ComAdviseSink`]), `Unadvise`, `CompareEntryIDs`, `StoreLogoff`, `AbortSubmit`,
/// `FinishedMsg` and `NotifyNewMail` (the notification read with
/// [`notify::read_notifications`]). Every other slot answers `MAPI_E_NO_SUPPORT` (each says why:
/// it takes or returns COM objects, tables or names this crate does not lay out yet). `QueryInterface` answers for `IUnknown`, `IMAPIProp` and `IMsgStore`.
///
/// Errors: as [`export_logon`].
pub fn export_store(store: &Ref<dyn MsgStore>, memory: &HostMemory) -> MapiResult<IMsgStore> {
    export_held(store, memory, |held| StoreObject { held }.into())
}

/// The objects a `Logon` or `SpoolerLogon` returned, exported, and its spool-security blob handed
/// over: the raw pointers to write to `*lppMSLogon`, `*lppMDB`, and the blob's size and address.
pub(super) struct LogonOut {
    pub(super) logon: Option<IMSLogon>,
    pub(super) store: IMsgStore,
    pub(super) spool_security: Option<(u32, *mut u8)>,
}

/// Exports what `Logon` returned. The spool-security blob is read and freed through the
/// provider's routines first, whatever happens next (see [the module](self)), and handed to MAPI
/// only when `want_blob`.
pub(super) fn export_logon_result(
    memory: &HostMemory,
    out: mapisim::spi::StoreLogon,
    want_blob: bool,
) -> MapiResult<LogonOut> {
    let blob = out
        .spool_security
        .map(|block| memory.routines().take_bytes(block))
        .transpose()?;
    let store = export_store(&out.store, memory)?;
    let logon = out
        .logon
        .as_ref()
        .map(|logon| export_logon(logon, memory))
        .transpose()?;
    let spool_security = match blob {
        Some(bytes) if want_blob => {
            let size = u32::try_from(bytes.len()).map_err(|_| MapiError::NotEnoughMemory)?;
            let address = memory.hand_over(|r| r.allocate_bytes(&bytes))?;
            Some((size, address))
        }
        _ => None,
    };
    Ok(LogonOut {
        logon,
        store,
        spool_security,
    })
}

/// The raw pointer of an exported object, with the reference it carries handed to the caller.
pub(super) fn into_raw<I: Interface>(object: Option<I>) -> *mut c_void {
    object.map_or(ptr::null_mut(), Interface::into_raw)
}
