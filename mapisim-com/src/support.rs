//! MAPI's support object and profile sections, as the `mapisim::spi` traits a provider calls.
//!
//! A store provider's `Logon` receives MAPI's support object as an `IMAPISupport` interface
//! pointer and, through it, opens profile sections (`IProfSect`). A provider written against
//! `mapisim::spi` calls them as a `Ref<dyn MapiSupport>` and `Ref<dyn ProfSect>`; this module
//! makes the one from the other:
//!
//! - [`ComSupport`] is a [`MapiSupport`] over an [`IMAPISupport`]: each method it implements
//!   calls the slot of the same name through the vtable;
//! - [`ComProfSect`] is a [`ProfSect`] (and [`MapiProp`]) over an [`IProfSect`], which
//!   [`ComSupport::open_profile_section`](MapiSupport::open_profile_section) returns.
//!
//! # Memory
//!
//! The adapters are given the provider's [`MemRoutines`] on MAPI's allocator (the entry point's
//! [`host_routines`](crate::import::host_routines)). They lay the inputs they pass to MAPI out
//! in MAPI memory through them ([`props::write_props`], [`props::write_tags`]) and free them when
//! the call returns (MAPI copies what it keeps: a status row, a section's properties). What MAPI
//! hands back (a `MAPIERROR`, a property array, a tag array, a problem array, a wrapped entry ID)
//! is MAPI's block, outside the routines' account: the adapters read it into owned values and
//! free it with MAPI's own `MAPIFreeBuffer` ([`MapiOutput`]), which [`ComSupport`] asks for once,
//! when it is made (`GetMemAllocRoutines`). A result the `spi` method returns in a MAPI buffer is
//! then allocated through the provider's routines, for the provider to free as usual:
//!
//! - a property array and a `MAPIERROR` are typed buffers ([`MemRoutines::allocate_value`]);
//! - a wrapped store entry ID is copied into a fresh block ([`MemRoutines::allocate_bytes`]) and
//!   MAPI's block is freed. This is the one copy of the module: [`MemRoutines`] can free only
//!   blocks it made, and has no way to adopt one MAPI made, so the bytes move to a block it
//!   made.
//!
//! # What is implemented
//!
//! [`ComSupport`] calls MAPI for `GetLastError`, `GetMemAllocRoutines`, `Subscribe`,
//! `Unsubscribe`, `Notify`, `ModifyStatusRow`, `OpenProfileSection`, `NewUID`, `SpoolerNotify`
//! (with NULL data, a deferred message's entry ID or a new message's `NEWMAIL_NOTIFICATION`),
//! `SetProviderUID`, `CompareEntryIDs`,
//! `StoreLogoffTransports`, `WrapStoreEntryID` and `ModifyProfile`. Every other method answers `MAPI_E_NO_SUPPORT` without calling MAPI (see
//! [`ComSupport`] for the reason of each). [`ComProfSect`] calls `GetLastError`, `SaveChanges`,
//! `GetProps`, `GetPropList`, `SetProps` and `DeleteProps`.
//!
//! # Threads
//!
//! Both adapters are `Send + Sync`: MAPI uses the free-threading model, and its support object
//! and profile sections may be called, and released, from any thread.

use core::ffi::c_void;
use core::fmt;
use core::mem::offset_of;
use core::ptr;
use core::slice;

use mapisim::error::{MapiWarning, Status, Warned};
use mapisim::flags::{
    EventMask, LogoffFlags, NotifyResultFlags, ProfileSectionFlags, SpoolerNotifyFlags, StatusRowFlags,
    SubscribeFlags,
};
use mapisim::ids::MapiUid;
use mapisim::props::{Prop, PropTag};
use mapisim::spi::{
    AdviseSink, BufferId, MapiBuffer, MapiErrorInfo, MapiProp, MapiSupport, MemRoutines, Notification,
    NotificationInfo, ProfSect, PropArray, PropProblem, SpoolerNotifyData,
};
use mapisim::{MapiError, MapiResult, Ref};
use windows_core::{HRESULT, Interface};

use crate::entry::LPFREEBUFFER;
use crate::import::MapiOutput;
use crate::interfaces::{IMAPIProp, IMAPISupport, IMessage, IProfSect};
use crate::notify;
use crate::props;
use crate::types::{
    ENTRYID, MAPIERROR, MAPIUID, NOTIFICATION, NOTIFKEY, SBinary, SPropProblemArray, SPropTagArray,
    SPropValue,
};

/// `MAPI_UNICODE`: the strings of a `MAPIERROR` are UTF-16.
const MAPI_UNICODE: u32 = 0x8000_0000;

/// The outcome of a call: an error for a failing `HRESULT`, the warning of a succeeding one.
pub(crate) fn status(hr: HRESULT) -> MapiResult<Option<MapiWarning>> {
    match Status::from_hresult(hr.0) {
        Status::Ok => Ok(None),
        Status::Warning(warning) => Ok(Some(warning)),
        Status::Error(error) => Err(error),
    }
}

/// The outcome of a call whose warnings carry nothing.
pub(crate) fn check(hr: HRESULT) -> MapiResult<()> {
    status(hr).map(drop)
}

/// The address of a block the routines laid out in MAPI's memory, as a pointer of the C type.
fn pointer<T>(routines: &MemRoutines, block: BufferId) -> MapiResult<*mut T> {
    routines
        .address(block)
        .map(ptr::with_exposed_provenance_mut::<T>)
        .ok_or(MapiError::NoSupport)
}

/// A byte count as the `ULONG` MAPI takes.
pub(crate) fn count(len: usize) -> MapiResult<u32> {
    u32::try_from(len).map_err(|_| MapiError::InvalidParameter)
}

/// Runs `call` with the pointer of `block` (laid out by `routines`), then frees the block,
/// whatever the call returned.
pub(crate) fn with_input<T, R>(
    routines: &MemRoutines,
    block: BufferId,
    call: impl FnOnce(*mut T) -> MapiResult<R>,
) -> MapiResult<R> {
    let result = pointer(routines, block).and_then(call);
    let freed = routines.free_buffer(Some(block));
    let value = result?;
    freed?;
    Ok(value)
}

/// An entry ID passed to MAPI: its length and a pointer to a copy of its bytes (NULL when empty).
struct EntryIdIn {
    bytes: Vec<u8>,
}

impl EntryIdIn {
    fn new(bytes: &[u8]) -> MapiResult<EntryIdIn> {
        count(bytes.len())?;
        Ok(EntryIdIn {
            bytes: bytes.to_vec(),
        })
    }

    fn len(&self) -> u32 {
        // The length was checked to fit when the value was made.
        u32::try_from(self.bytes.len()).unwrap_or(u32::MAX)
    }

    fn as_ptr(&mut self) -> *mut ENTRYID {
        if self.bytes.is_empty() {
            ptr::null_mut()
        } else {
            self.bytes.as_mut_ptr().cast()
        }
    }
}

/// `GetLastError` on either interface: calls `call` with the out-pointer, reads the `MAPIERROR`
/// MAPI returned and frees it, and puts the information in a buffer of the routines.
pub(crate) fn last_error(
    routines: &MemRoutines,
    free_buffer: LPFREEBUFFER,
    flags: u32,
    call: impl FnOnce(*mut *mut MAPIERROR) -> HRESULT,
) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
    let mut error = ptr::null_mut();
    let hr = call(&mut error);
    // SAFETY: `error` is NULL or the MAPIERROR MAPI allocated for the caller, which nothing else
    // frees (GetLastError's contract); `free_buffer` is MAPI's MAPIFreeBuffer.
    let block = unsafe { MapiOutput::new(error.cast(), free_buffer) };
    check(hr)?;
    let Some(block) = block else {
        return Ok(None);
    };
    // SAFETY: the block is the MAPIERROR MAPI returned, live until `block` is dropped, its
    // strings in the encoding the call's MAPI_UNICODE flag names.
    let info = unsafe { props::read_mapierror(block.as_ptr().cast(), flags & MAPI_UNICODE != 0) };
    drop(block);
    info.map(|info| routines.allocate_value(info)).transpose()
}

/// MAPI's support object, an [`IMAPISupport`] interface pointer (the `lpMAPISup` a provider's
/// `Logon` receives), as a [`MapiSupport`].
///
/// It holds one reference to the interface: made from a borrowed pointer it calls `AddRef` once,
/// and dropping it calls `Release` once. A provider shares it as a `Ref<dyn MapiSupport>`
/// (`Ref::new(support).into()`): the `Ref`'s clones, such as the one a store keeps, are counted
/// on the Rust side, and the COM reference goes with the last of them.
///
/// What each method does:
///
/// | methods | |
/// |---|---|
/// | `GetLastError`, `GetMemAllocRoutines`, `ModifyStatusRow`, `OpenProfileSection`, `NewUID`, `SetProviderUID`, `CompareEntryIDs`, `StoreLogoffTransports`, `WrapStoreEntryID`, `ModifyProfile` | call MAPI |
/// | `SpoolerNotify` | calls MAPI with NULL data, a deferred message's entry ID (an `SBinary`) or a `NEWMAIL_NOTIFICATION` laid out in MAPI memory ([`notify::write_notifications`]); a raw pointer cannot be vouched for: `MAPI_E_NO_SUPPORT` |
/// | `Subscribe` | calls MAPI with the sink exported as an `IMAPIAdviseSink` ([`notify::export_sink`]: a sink imported from MAPI is handed back as its own pointer) and the key as a `NOTIFKEY`; MAPI takes its own reference of the sink |
/// | `Unsubscribe` | calls MAPI |
/// | `Notify` | calls MAPI with the notifications laid out in MAPI memory for the call ([`notify::write_notifications`], freed when it returns: MAPI copies them), `MAPI_UNICODE` added to the flags when a string is UTF-16 ([`notify::has_wide_strings`]), and returns the `NOTIFY_CANCELED` MAPI writes to `*lpulFlags` |
/// | `MakeInvalid` | `MAPI_E_NO_SUPPORT`: it takes the object's COM pointer, and a Rust object has none until the export side exposes it |
/// | `OpenEntry`, `OpenTemplateID`, `DoProgressDialog`, `ReadReceipt`, `OpenAddressBook`, `IStorageFromStream`, `GetSvcConfigSupportObj`, `GetOneOffTable` | `MAPI_E_NO_SUPPORT`: they return COM objects, which are not wrapped yet |
/// | `CopyMessages`, `CopyFolder`, `DoCopyTo`, `DoCopyProps`, `DoConfigPropsheet`, `PrepareSubmit`, `ExpandRecips`, `UpdatePAB`, `DoSentMail`, `StatusRecips`, `Address` | `MAPI_E_NO_SUPPORT`: they take COM objects (or an `ADRLIST`) from the provider, which need the export side |
/// | `RegisterPreprocessor`, `CreateOneOff`, `Details`, `NewEntry`, `Preprocess`, `CompleteMsg`, `SpoolerYield` | `MAPI_E_NO_SUPPORT`: not needed by a store's lifecycle (transports, address books and user interface) and not laid out yet |
///
/// It is `Send + Sync`: MAPI uses the free-threading model, and its support object may be called
/// and released from any thread.
pub struct ComSupport {
    support: IMAPISupport,
    routines: MemRoutines,
    /// MAPI's `MAPIFreeBuffer`, as `GetMemAllocRoutines` returned it: for the blocks MAPI hands
    /// over, which are not in the routines' account.
    free_buffer: LPFREEBUFFER,
}

// SAFETY: MAPI's support object follows the free-threading model: its methods and its final
// `Release` may be called from any thread. `MemRoutines` is `Send + Sync`, and `free_buffer` is
// MAPI's thread-safe MAPIFreeBuffer.
unsafe impl Send for ComSupport {}

// SAFETY: as for `Send`; every method takes `&self` and calls only thread-safe code.
unsafe impl Sync for ComSupport {}

impl ComSupport {
    /// An adapter over the interface pointer a provider's `Logon` received, borrowed (the
    /// adapter calls `AddRef` once, and `Release` when dropped). `routines` are the provider's
    /// routines on MAPI's allocator (the entry point's
    /// [`host_routines`](crate::import::host_routines)).
    ///
    /// It calls `GetMemAllocRoutines` once, to keep MAPI's `MAPIFreeBuffer` for the blocks MAPI
    /// hands over. NULL, or a NULL `MAPIFreeBuffer`, gives `MAPI_E_INVALID_PARAMETER`; a failing
    /// `GetMemAllocRoutines` gives its error.
    ///
    /// # Safety
    ///
    /// `raw` is NULL or a live `IMAPISupport` pointer of MAPI (or an object that keeps its
    /// contract: every out-pointer filled as the headers say, every block it hands over
    /// allocated with the `MAPIFreeBuffer` its `GetMemAllocRoutines` returns, strings
    /// NUL-terminated), callable from any thread; that `MAPIFreeBuffer` stays valid as long as
    /// the adapter and the sections it opens live.
    pub unsafe fn from_raw_borrowed(raw: *mut c_void, routines: MemRoutines) -> MapiResult<ComSupport> {
        // SAFETY: `raw` is NULL or a live IMAPISupport (the caller's contract); the borrow ends
        // here, after the clone has taken a reference of its own.
        let support = unsafe { IMAPISupport::from_raw_borrowed(&raw) }
            .cloned()
            .ok_or(MapiError::InvalidParameter)?;
        let (mut allocate_buffer, mut allocate_more, mut free_buffer) = (None, None, None);
        // SAFETY: `support` is live; the three out-pointers are valid for the call.
        let hr = unsafe {
            support.GetMemAllocRoutines(&mut allocate_buffer, &mut allocate_more, &mut free_buffer)
        };
        check(hr)?;
        let free_buffer = free_buffer.ok_or(MapiError::InvalidParameter)?;
        Ok(ComSupport {
            support,
            routines,
            free_buffer,
        })
    }

    /// The interface this adapter calls.
    pub fn interface(&self) -> &IMAPISupport {
        &self.support
    }

    /// The provider's routines the adapter was made with.
    pub fn routines(&self) -> &MemRoutines {
        &self.routines
    }
}

impl fmt::Debug for ComSupport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComSupport")
            .field("interface", &self.support.as_raw())
            .finish_non_exhaustive()
    }
}

impl MapiSupport for ComSupport {
    /// `GetLastError`: MAPI's `MAPIERROR` (if any) is read, freed with `MAPIFreeBuffer`, and
    /// returned in a buffer of the provider's routines.
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        last_error(&self.routines, self.free_buffer, flags, |out| {
            // SAFETY: `self.support` is live; `out` is a valid out-pointer.
            unsafe { self.support.GetLastError(HRESULT(hresult.hresult()), flags, out) }
        })
    }

    /// `GetMemAllocRoutines`: calls MAPI (for its status) and returns the provider's routines,
    /// which are on the same three functions.
    fn get_mem_alloc_routines(&self) -> MapiResult<MemRoutines> {
        let (mut a, mut m, mut f) = (None, None, None);
        // SAFETY: `self.support` is live; the three out-pointers are valid for the call.
        check(unsafe { self.support.GetMemAllocRoutines(&mut a, &mut m, &mut f) })?;
        Ok(self.routines.clone())
    }

    /// `Subscribe`: the sink is exported ([`notify::export_sink`]) and MAPI takes its own
    /// reference of it; the adapter's is released when the call returns.
    fn subscribe(
        &self,
        key: &[u8],
        mask: EventMask,
        flags: SubscribeFlags,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        let mut key = notify::key_buffer(key)?;
        let sink = notify::export_sink(sink)?;
        let mut connection = 0usize;
        // SAFETY: `self.support` is live; `key` is a NOTIFKEY laid out in this frame; `sink` is a
        // live IMAPIAdviseSink (MAPI AddRefs it to keep it); `connection` is on the stack.
        check(unsafe {
            self.support.Subscribe(
                key.as_mut_ptr().cast::<NOTIFKEY>(),
                mask.bits(),
                flags.bits(),
                sink.as_raw(),
                &mut connection,
            )
        })?;
        Ok(connection)
    }

    fn unsubscribe(&self, connection: usize) -> MapiResult<()> {
        // SAFETY: `self.support` is live; `Unsubscribe` takes a number.
        check(unsafe { self.support.Unsubscribe(connection) })
    }

    /// `Notify`: the notifications are laid out in MAPI memory for the call (UTF-16 strings, and
    /// `MAPI_UNICODE` in the flags, when `flags` has it or a string is UTF-16); the result is the
    /// `NOTIFY_CANCELED` bit MAPI writes back to `*lpulFlags`.
    fn notify(
        &self,
        key: &[u8],
        notifications: &[Notification],
        flags: u32,
    ) -> MapiResult<NotifyResultFlags> {
        let mut key = notify::key_buffer(key)?;
        let unicode = flags & MAPI_UNICODE != 0 || notify::has_wide_strings(notifications);
        let flags = if unicode { flags | MAPI_UNICODE } else { flags };
        let total = count(notifications.len())?;
        let array = notify::write_notifications(&self.routines, notifications, unicode)?;
        with_input(&self.routines, array, |array: *mut NOTIFICATION| {
            let mut out = flags;
            // SAFETY: `self.support` is live; `key` is a NOTIFKEY laid out in this frame; `array`
            // is `total` notifications laid out in MAPI memory, live until `with_input` frees it
            // after the call (MAPI copies what it keeps); `out` is the in/out ULONG on the stack.
            check(unsafe {
                self.support
                    .Notify(key.as_mut_ptr().cast::<NOTIFKEY>(), total, array, &mut out)
            })?;
            Ok(NotifyResultFlags::from_bits_truncate(out))
        })
    }

    fn modify_status_row(&self, columns: &[Prop], flags: StatusRowFlags) -> MapiResult<()> {
        let row = props::write_props(&self.routines, columns)?;
        let values = count(columns.len())?;
        with_input(&self.routines, row, |row: *mut SPropValue| {
            // SAFETY: `self.support` is live; `row` is `values` SPropValues laid out in MAPI
            // memory, live until `with_input` frees it after the call (MAPI copies the row).
            check(unsafe { self.support.ModifyStatusRow(values, row, flags.bits()) })
        })
    }

    /// `OpenProfileSection`. The section's [`ProfSect::uid`] is `uid`; for the provider's own
    /// section (`None`), whose UID MAPI does not say, it is the nil MAPIUID (16 zero bytes).
    fn open_profile_section(
        &self,
        uid: Option<&MapiUid>,
        flags: ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        let mut raw_uid = uid.map(|uid| MAPIUID::from(*uid));
        let uid_ptr = raw_uid.as_mut().map_or(ptr::null_mut(), |u| u as *mut MAPIUID);
        let mut section = ptr::null_mut();
        // SAFETY: `self.support` is live; `uid_ptr` is NULL or a MAPIUID on the stack; `section`
        // is a valid out-pointer.
        let hr = unsafe {
            self.support
                .OpenProfileSection(uid_ptr, flags.bits(), &mut section)
        };
        // SAFETY: on success MAPI stored an IProfSect with one reference for the caller (or NULL);
        // `from_raw` takes that reference, so it is released once, with the adapter.
        let section = (!section.is_null()).then(|| unsafe { IProfSect::from_raw(section) });
        check(hr)?;
        let section = section.ok_or(MapiError::CallFailed)?;
        Ok(Ref::new(ComProfSect::new(
            section,
            uid.copied().unwrap_or(MapiUid([0; 16])),
            self.routines.clone(),
            self.free_buffer,
        ))
        .into())
    }

    fn new_uid(&self) -> MapiResult<MapiUid> {
        let mut uid = MAPIUID { ab: [0; 16] };
        // SAFETY: `self.support` is live; `uid` is a MAPIUID on the stack for MAPI to fill.
        check(unsafe { self.support.NewUID(&mut uid) })?;
        Ok(MapiUid(uid.ab))
    }

    /// `SpoolerNotify` with NULL data, a deferred message's entry ID (an `SBinary`) or a
    /// `NEWMAIL_NOTIFICATION` laid out in MAPI memory for the call (its class in UTF-16, and
    /// `MAPI_UNICODE` in its flags, when the class is). A raw pointer gives `MAPI_E_NO_SUPPORT`
    /// (see [`ComSupport`]).
    fn spooler_notify(&self, flags: SpoolerNotifyFlags, data: SpoolerNotifyData<'_>) -> MapiResult<()> {
        match data {
            SpoolerNotifyData::Null => {
                // SAFETY: `self.support` is live; NULL is the data these flags come with.
                check(unsafe { self.support.SpoolerNotify(flags.bits(), ptr::null_mut()) })
            }
            SpoolerNotifyData::SentDeferred(entry_id) => {
                let mut id = EntryIdIn::new(entry_id)?;
                let mut binary = SBinary {
                    cb: id.len(),
                    lpb: id.as_ptr().cast(),
                };
                let binary: *mut SBinary = &mut binary;
                // SAFETY: `self.support` is live; `binary` is an SBinary on the stack pointing
                // to a copy of the entry ID, both live for the call.
                check(unsafe { self.support.SpoolerNotify(flags.bits(), binary.cast()) })
            }
            SpoolerNotifyData::NewMail(mail) => {
                let notification = [Notification {
                    event: EventMask::NEW_MAIL,
                    info: NotificationInfo::NewMail(mail.clone()),
                }];
                let unicode = notify::has_wide_strings(&notification);
                let block = notify::write_notifications(&self.routines, &notification, unicode)?;
                with_input(&self.routines, block, |array: *mut NOTIFICATION| {
                    // The NEWMAIL_NOTIFICATION is the `info` member of the one notification.
                    let data = array.cast::<u8>().wrapping_add(offset_of!(NOTIFICATION, info));
                    // SAFETY: `self.support` is live; `data` points to a NEWMAIL_NOTIFICATION laid
                    // out in MAPI memory, live until `with_input` frees it after the call.
                    check(unsafe { self.support.SpoolerNotify(flags.bits(), data.cast()) })
                })
            }
            _ => Err(MapiError::NoSupport),
        }
    }

    fn set_provider_uid(&self, uid: &MapiUid, flags: u32) -> MapiResult<()> {
        let mut uid = MAPIUID::from(*uid);
        // SAFETY: `self.support` is live; `uid` is a MAPIUID on the stack (MAPI copies it).
        check(unsafe { self.support.SetProviderUID(&mut uid, flags) })
    }

    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        let (mut a, mut b) = (EntryIdIn::new(a)?, EntryIdIn::new(b)?);
        let mut result = 0;
        // SAFETY: `self.support` is live; both entry IDs are copies of their `len()` bytes (or
        // NULL when empty), live for the call; `result` is a valid out-pointer.
        let hr = unsafe {
            self.support
                .CompareEntryIDs(a.len(), a.as_ptr(), b.len(), b.as_ptr(), flags, &mut result)
        };
        check(hr)?;
        Ok(result != 0)
    }

    fn store_logoff_transports(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        let mut bits = flags.bits();
        // SAFETY: `self.support` is live; `bits` is the in/out ULONG on the stack.
        check(unsafe { self.support.StoreLogoffTransports(&mut bits) })?;
        Ok(LogoffFlags::from_bits_retain(bits))
    }

    /// `WrapStoreEntryID`: MAPI's wrapped entry ID is copied into a block of the provider's
    /// routines, which the provider frees, and MAPI's block is freed with `MAPIFreeBuffer` (see
    /// the [module documentation](self) for this one copy).
    fn wrap_store_entry_id(&self, original: &[u8]) -> MapiResult<BufferId> {
        let mut original = EntryIdIn::new(original)?;
        let (mut size, mut wrapped) = (0u32, ptr::null_mut::<ENTRYID>());
        // SAFETY: `self.support` is live; the entry ID is a copy of its `len()` bytes (or NULL),
        // live for the call; `size` and `wrapped` are valid out-pointers.
        let hr = unsafe {
            self.support
                .WrapStoreEntryID(original.len(), original.as_ptr(), &mut size, &mut wrapped)
        };
        // SAFETY: `wrapped` is NULL or the block MAPI allocated for the caller, which nothing
        // else frees (WrapStoreEntryID's contract); `free_buffer` is MAPI's MAPIFreeBuffer.
        let block = unsafe { MapiOutput::new(wrapped.cast(), self.free_buffer) };
        check(hr)?;
        let bytes = match &block {
            Some(block) => {
                // SAFETY: the block MAPI returned holds the `size` bytes of the wrapped entry ID
                // and is live until `block` is dropped, after the copy.
                let wrapped = unsafe { slice::from_raw_parts(block.as_ptr().cast::<u8>(), size as usize) };
                wrapped.to_vec()
            }
            None if size == 0 => Vec::new(),
            None => return Err(MapiError::CallFailed),
        };
        drop(block);
        self.routines.allocate_bytes(&bytes)
    }

    fn modify_profile(&self, flags: u32) -> MapiResult<()> {
        // SAFETY: `self.support` is live; `ModifyProfile` takes flags.
        check(unsafe { self.support.ModifyProfile(flags) })
    }
}

/// A profile section, an [`IProfSect`] interface pointer, as a [`ProfSect`]: what
/// [`ComSupport`]'s `open_profile_section` returns.
///
/// `GetLastError`, `SaveChanges`, `GetProps`, `GetPropList`, `SetProps` and `DeleteProps` call
/// MAPI; the other `IMAPIProp` methods (`OpenProperty`, `CopyTo`, `CopyProps`,
/// `GetNamesFromIDs`, `GetIDsFromNames`) answer `MAPI_E_NO_SUPPORT`: they take or return COM
/// objects or named-property structures, which are not laid out yet.
///
/// It holds the one reference `OpenProfileSection` gave and releases it when dropped. It is
/// `Send + Sync` on MAPI's free-threading model, as [`ComSupport`] is.
pub struct ComProfSect {
    section: IProfSect,
    uid: MapiUid,
    routines: MemRoutines,
    free_buffer: LPFREEBUFFER,
}

// SAFETY: MAPI's profile sections follow the free-threading model: methods and the final
// `Release` may come from any thread. The other fields are `Send + Sync`.
unsafe impl Send for ComProfSect {}

// SAFETY: as for `Send`; every method takes `&self` and calls only thread-safe code.
unsafe impl Sync for ComProfSect {}

impl ComProfSect {
    /// An adapter over a section MAPI opened for the caller: it takes the one reference
    /// `section` carries. `uid` is what [`ProfSect::uid`] answers; `free_buffer` is MAPI's
    /// `MAPIFreeBuffer`, for the blocks the section hands over.
    pub(crate) fn new(
        section: IProfSect,
        uid: MapiUid,
        routines: MemRoutines,
        free_buffer: LPFREEBUFFER,
    ) -> ComProfSect {
        ComProfSect {
            section,
            uid,
            routines,
            free_buffer,
        }
    }

    /// The interface this adapter calls.
    pub fn interface(&self) -> &IProfSect {
        &self.section
    }

    fn prop(&self) -> &IMAPIProp {
        &self.section
    }
}

impl fmt::Debug for ComProfSect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComProfSect")
            .field("interface", &self.section.as_raw())
            .field("uid", &self.uid)
            .finish_non_exhaustive()
    }
}

/// Reads the problem array MAPI returned to a caller (NULL for none) and frees it with
/// `free_buffer`, MAPI's `MAPIFreeBuffer`.
fn take_problems(problems: *mut SPropProblemArray, free_buffer: LPFREEBUFFER) -> Vec<PropProblem> {
    // SAFETY: `problems` is NULL or the array MAPI allocated for the caller, which nothing else
    // frees; `free_buffer` is MAPI's MAPIFreeBuffer.
    let Some(block) = (unsafe { MapiOutput::new(problems.cast(), free_buffer) }) else {
        return Vec::new();
    };
    // SAFETY: the block is the SPropProblemArray MAPI returned, live until `block` drops.
    unsafe { props::read_problems(block.as_ptr().cast()) }
}

/// Writes `MapiProp` for an adapter over a MAPI object with `IMAPIProp`: a type with the
/// fields `routines` and `free_buffer` and the method `prop()` (its `IMAPIProp`).
macro_rules! com_map_prop {
    ($t:ty) => {
        impl MapiProp for $t {
            fn get_last_error(
                &self,
                hresult: MapiError,
                flags: u32,
            ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
                last_error(&self.routines, self.free_buffer, flags, |out| {
                    // SAFETY: `self.section` is live; `out` is a valid out-pointer.
                    unsafe {
                        self.prop()
                            .GetLastError(HRESULT(hresult.hresult()), flags, out)
                    }
                })
            }

            fn save_changes(&self, flags: u32) -> MapiResult<()> {
                // SAFETY: `self.section` is live; `SaveChanges` takes flags.
                check(unsafe { self.prop().SaveChanges(flags) })
            }

            /// `GetProps`: MAPI's array is read, freed with `MAPIFreeBuffer`, and returned in a buffer
            /// of the provider's routines, with the call's warning (`MAPI_W_ERRORS_RETURNED`).
            fn get_props(&self, tags: Option<&[PropTag]>, flags: u32) -> MapiResult<Warned<PropArray>> {
                let call = |tags: *mut SPropTagArray| {
                    let (mut values, mut array) = (0u32, ptr::null_mut::<SPropValue>());
                    // SAFETY: `self.section` is live; `tags` is NULL or a tag array laid out in MAPI
                    // memory, live for the call; `values` and `array` are valid out-pointers.
                    let hr = unsafe { self.prop().GetProps(tags, flags, &mut values, &mut array) };
                    // SAFETY: `array` is NULL or the array MAPI allocated for the caller, which nothing
                    // else frees; `free_buffer` is MAPI's MAPIFreeBuffer.
                    let block = unsafe { MapiOutput::new(array.cast(), self.free_buffer) };
                    let warning = status(hr)?;
                    let props = match &block {
                        // SAFETY: the block holds the `values` SPropValues MAPI returned, in the layout
                        // the headers give, live until `block` drops.
                        Some(block) => unsafe { props::read_props(block.as_ptr().cast(), values) },
                        None => Vec::new(),
                    };
                    Ok((props, warning))
                };
                let (props, warning) = match tags {
                    Some(tags) => with_input(
                        &self.routines,
                        props::write_tags(&self.routines, tags)?,
                        call,
                    )?,
                    None => call(ptr::null_mut())?,
                };
                let array = self.routines.allocate_value(props)?;
                Ok(Warned {
                    value: array,
                    warning,
                })
            }

            fn get_prop_list(&self, flags: u32) -> MapiResult<Vec<PropTag>> {
                let mut tags = ptr::null_mut::<SPropTagArray>();
                // SAFETY: `self.section` is live; `tags` is a valid out-pointer.
                let hr = unsafe { self.prop().GetPropList(flags, &mut tags) };
                // SAFETY: `tags` is NULL or the array MAPI allocated for the caller, which nothing else
                // frees; `free_buffer` is MAPI's MAPIFreeBuffer.
                let block = unsafe { MapiOutput::new(tags.cast(), self.free_buffer) };
                check(hr)?;
                Ok(match &block {
                    // SAFETY: the block is the SPropTagArray MAPI returned, live until `block` drops.
                    Some(block) => unsafe { props::read_tags(block.as_ptr().cast()) }.unwrap_or_default(),
                    None => Vec::new(),
                })
            }

            fn set_props(&self, values: &[Prop]) -> MapiResult<Vec<PropProblem>> {
                let count = count(values.len())?;
                let array = props::write_props(&self.routines, values)?;
                with_input(&self.routines, array, |array: *mut SPropValue| {
                    let mut problems = ptr::null_mut();
                    // SAFETY: `self.section` is live; `array` is `count` SPropValues laid out in MAPI
                    // memory, live for the call (MAPI copies them); `problems` is a valid out-pointer.
                    let hr = unsafe { self.prop().SetProps(count, array, &mut problems) };
                    let problems = take_problems(problems, self.free_buffer);
                    check(hr).map(|()| problems)
                })
            }

            fn delete_props(&self, tags: &[PropTag]) -> MapiResult<Vec<PropProblem>> {
                let array = props::write_tags(&self.routines, tags)?;
                with_input(&self.routines, array, |array: *mut SPropTagArray| {
                    let mut problems = ptr::null_mut();
                    // SAFETY: `self.section` is live; `array` is a tag array laid out in MAPI memory,
                    // live for the call; `problems` is a valid out-pointer.
                    let hr = unsafe { self.prop().DeleteProps(array, &mut problems) };
                    let problems = take_problems(problems, self.free_buffer);
                    check(hr).map(|()| problems)
                })
            }
        }
    };
}

com_map_prop!(ComProfSect);

/// A message MAPI handed a transport (`IXPLogon::SubmitMessage`, `StartMessage`), imported as a
/// [`MapiProp`]: its `IMAPIProp` methods call MAPI as [`ComProfSect`]'s do. It holds one
/// reference of the message for as long as it lives.
pub struct ComMessage {
    message: IMessage,
    routines: MemRoutines,
    free_buffer: LPFREEBUFFER,
}

// SAFETY: MAPI's messages follow the free-threading model, as its profile sections do.
unsafe impl Send for ComMessage {}

// SAFETY: as for `Send`.
unsafe impl Sync for ComMessage {}

impl ComMessage {
    /// An adapter over a message MAPI passed, borrowed for the call: it takes a reference of its
    /// own (`AddRef`). `free_buffer` is MAPI's `MAPIFreeBuffer`.
    ///
    /// # Safety
    ///
    /// `raw` is NULL or a live `IMessage` (then `MAPI_E_INVALID_PARAMETER`).
    pub unsafe fn from_raw_borrowed(
        raw: *mut c_void,
        routines: MemRoutines,
        free_buffer: LPFREEBUFFER,
    ) -> MapiResult<ComMessage> {
        // SAFETY: NULL or a live IMessage (the caller's contract).
        let message = unsafe { IMessage::from_raw_borrowed(&raw) }
            .ok_or(MapiError::InvalidParameter)?
            .clone();
        Ok(ComMessage {
            message,
            routines,
            free_buffer,
        })
    }

    /// The interface this adapter calls.
    pub fn interface(&self) -> &IMessage {
        &self.message
    }

    fn prop(&self) -> &IMAPIProp {
        &self.message
    }
}

impl fmt::Debug for ComMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComMessage")
            .field("interface", &self.message.as_raw())
            .finish_non_exhaustive()
    }
}

com_map_prop!(ComMessage);

impl ProfSect for ComProfSect {
    /// The MAPIUID the section was opened with; the nil MAPIUID for the provider's own section
    /// (opened with NULL). `IProfSect` has no such method: this is the simulator's own accessor,
    /// which the adapter answers from what it remembers.
    fn uid(&self) -> MapiUid {
        self.uid
    }
}
