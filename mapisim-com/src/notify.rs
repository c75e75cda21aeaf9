//! Notifications across the binary interface: `NOTIFICATION` arrays in MAPI's C layout both
//! ways, and advise sinks (`IMAPIAdviseSink`) both ways.
//!
//! - [`write_notifications`] lays `&[Notification]` out as an array of [`NOTIFICATION`] in MAPI
//!   memory, one root block with every datum linked to it, as [`crate::props`] does for property
//!   arrays; [`read_notifications`] reads such an array back into owned values.
//! - [`ComAdviseSink`] is an `IMAPIAdviseSink` interface pointer (MAPI's, or a compiled
//!   library's) as a [`mapisim::spi::AdviseSink`]; [`export_sink`] is the other way: a
//!   `Ref<dyn AdviseSink>` as a COM `IMAPIAdviseSink`.
//!
//! # The layout
//!
//! The array is one root block of `n × size_of::<NOTIFICATION>()` bytes (88 on a 64-bit target;
//! see [`crate::types`] for the layout of each member). Every entry ID, string, tag array,
//! property array, `MAPIERROR` and parameter block a notification points to is a block of its
//! own linked to the root (`MAPIAllocateMore`); one `MAPIFreeBuffer` of the root frees it all.
//! Errors are those of [`crate::props`] (`MAPI_E_NO_SUPPORT` on the simulated heap,
//! `MAPI_E_NOT_ENOUGH_MEMORY` for a size that does not fit in a `ULONG`), and a failure half-way
//! frees the root with whatever was linked to it.
//!
//! Each [`NotificationInfo`] member is written as the structure of the same name:
//!
//! | [`NotificationInfo`] | C member | notes |
//! |---|---|---|
//! | `Error` | `err` (`ERROR_NOTIFICATION`) | `scode` is the error's `HRESULT`; `lpMAPIError` a linked `MAPIERROR`, or NULL |
//! | `NewMail` | `newmail` (`NEWMAIL_NOTIFICATION`) | `lpszMessageClass` a linked string with its NUL |
//! | `Object` | `obj` (`OBJECT_NOTIFICATION`) | `lpPropTagArray` a linked `SPropTagArray`, or NULL for `None` |
//! | `StatusObject` | `statobj` (`STATUS_OBJECT_NOTIFICATION`) | `lpPropVals` a linked `SPropValue` array laid out as [`crate::props::write_props`] does |
//! | `Extended` | `ext` (`EXTENDED_NOTIFICATION`) | `pbEventParameters` the linked bytes |
//!
//! `ulEventType` is the notification's [`Notification::event`] as it is; the member written is
//! chosen by [`Notification::info`]. `ulAlignPad` is 0. An empty entry ID (or parameter block,
//! or property array) is a count of 0 and a NULL pointer, with no block.
//!
//! **Strings** (a new-mail message class, the two strings of a `MAPIERROR`) are written in one
//! encoding for the whole array, the one the call's `MAPI_UNICODE` flag names (`unicode`):
//! UTF-16 when it is set, 8 bits otherwise, converted through their text when a string is in
//! the other encoding (exact for ASCII). The `ulFlags` of each `ERROR_NOTIFICATION` and
//! `NEWMAIL_NOTIFICATION` is written with `MAPI_UNICODE` set exactly when `unicode` is, its other
//! bits as the notification has them, so that each member says how its strings are encoded.
//! [`has_wide_strings`] says whether an array has a UTF-16 string, which is how a caller picks
//! `unicode` to keep every string exact.
//!
//! # Reading
//!
//! Each `NOTIFICATION` is read by its `ulEventType`: `fnevCriticalError` as `Error`,
//! `fnevNewMail` as `NewMail`, `fnevObjectCreated`, `fnevObjectDeleted`, `fnevObjectModified`,
//! `fnevObjectMoved`, `fnevObjectCopied` and `fnevSearchComplete` as `Object`,
//! `fnevStatusObjectModified` as `StatusObject` and `fnevExtended` as `Extended`. Strings are
//! read in the encoding their member's `ulFlags` names. A NULL entry ID (or parameter block)
//! reads as no bytes, whatever its count; a NULL message class as the empty string.
//!
//! **What the core does not model** is read as an [`Unmodelled`] entry, typed by its index and
//! event, beside the notifications that were read ([`ReadNotifications`]): an event type that is
//! not one of those above (`fnevTableModified`, whose `TABLE_NOTIFICATION` the core has no form
//! for, `fnevIndexing`, several bits at once, 0, …), or an object notification whose
//! `ulObjType` is no `MAPI_*` object type. Nothing of such an entry's member is looked at. What a
//! caller does with them is its own decision: the host's `IMAPISupport::Notify` refuses the call
//! (`MAPI_E_NO_SUPPORT`, nothing delivered), an advise sink delivers the others.
//!
//! # Sinks
//!
//! [`ComAdviseSink`] holds one COM reference of the sink and releases it when dropped; its
//! `on_notify` lays the notifications out on a heap of its own (the process heap, outside any
//! account: MAPI memory is not needed for an input the callee only reads during the call),
//! calls `OnNotify` and frees them.
//!
//! [`export_sink`] gives the COM object of a Rust sink, one per Rust object while it lives (the
//! registry of [`crate::export`]), holding one `Ref` of it. Its `OnNotify` reads the
//! notifications and calls [`AdviseSink::on_notify`] with those the core models (not at all when
//! there are none), under panic protection: a panic answers 0 and is kept for the host as
//! [`crate::export::guard`]'s are. A sink that is itself a [`ComAdviseSink`] is not wrapped
//! again: its own interface pointer is handed back, so a pointer that crosses the boundary twice
//! comes back as the same pointer.
//!
//! ```
//! use mapisim::flags::{EventMask, ObjectType};
//! use mapisim::spi::{MemRoutines, Notification};
//! use mapisim::MapiError;
//! use mapisim_com::notify::write_notifications;
//!
//! // The simulated heap has no addresses to write into a C structure.
//! let routines = MemRoutines::new();
//! let modified = Notification::object(EventMask::OBJECT_MODIFIED, ObjectType::Store, b"id".to_vec());
//! assert_eq!(write_notifications(&routines, &[modified], false), Err(MapiError::NoSupport));
//! assert_eq!(routines.live_blocks(), 0);
//! ```
// The parameters of the COM methods are MAPI's names.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::fmt;
use core::mem::{offset_of, size_of};
use core::ptr;
use std::panic::{AssertUnwindSafe, catch_unwind};

use mapisim::flags::{EventMask, ObjectType};
use mapisim::spi::{AdviseSink, BufferId, MemRoutines, NewMailNotification, Notification, NotificationInfo};
use mapisim::strings::TString;
use mapisim::{MapiError, MapiResult, Ref};
use windows_core::{IUnknown, Interface, implement};

use crate::export::{Slot, drop_payload, find_or_make, record_panic};
use crate::host::HostHeap;
use crate::interfaces::{IMAPIAdviseSink, IMAPIAdviseSink_Impl};
use crate::props::{self, Root, count, put, put_pointer};
use crate::types::{
    ENTRYID, ERROR_NOTIFICATION, EXTENDED_NOTIFICATION, NEWMAIL_NOTIFICATION, NOTIFICATION, NOTIFKEY,
    OBJECT_NOTIFICATION, SPropTagArray, SPropValue, STATUS_OBJECT_NOTIFICATION,
};

/// `MAPI_UNICODE`.
pub(crate) const MAPI_UNICODE: u32 = 0x8000_0000;
/// The size of one `NOTIFICATION`.
const SIZE: usize = size_of::<NOTIFICATION>();
/// Where the `info` union starts.
const INFO: usize = offset_of!(NOTIFICATION, info);

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// Writes `notifications` as an array of `NOTIFICATION` in one root block, every datum they point
/// to in a block linked to it, and returns the root; its address ([`MemRoutines::address`]) is
/// the `LPNOTIFICATION`. Strings are UTF-16 when `unicode` (the call's `MAPI_UNICODE`), 8 bits
/// otherwise (see the [module documentation](self) for the layout and the errors). A
/// [`NotificationInfo`] variant this module does not know gives `MAPI_E_NO_SUPPORT`.
///
/// An empty slice gives a root block of 0 bytes.
#[track_caller]
pub fn write_notifications(
    routines: &MemRoutines,
    notifications: &[Notification],
    unicode: bool,
) -> MapiResult<BufferId> {
    let size = notifications
        .len()
        .checked_mul(SIZE)
        .ok_or(MapiError::NotEnoughMemory)?;
    let root = Root::new(routines, size)?;
    let bytes = notification_array(&root, notifications, unicode, size);
    root.finish(bytes)
}

/// Whether any string of `notifications` (a new-mail message class, a `MAPIERROR`'s text or
/// component) is UTF-16: the `unicode` to give [`write_notifications`] for every string to be
/// written exactly.
pub fn has_wide_strings(notifications: &[Notification]) -> bool {
    let wide = |s: &TString| matches!(s, TString::Wide(_));
    notifications.iter().any(|n| match &n.info {
        NotificationInfo::NewMail(mail) => wide(&mail.message_class),
        NotificationInfo::Error {
            mapi_error: Some(error),
            ..
        } => [&error.error, &error.component].into_iter().flatten().any(wide),
        _ => false,
    })
}

/// `flags` with `MAPI_UNICODE` set exactly when `unicode`.
fn with_unicode(flags: u32, unicode: bool) -> u32 {
    if unicode {
        flags | MAPI_UNICODE
    } else {
        flags & !MAPI_UNICODE
    }
}

/// The bytes of the root: one `NOTIFICATION` per notification.
#[track_caller]
fn notification_array(
    root: &Root<'_>,
    notifications: &[Notification],
    unicode: bool,
    size: usize,
) -> MapiResult<Vec<u8>> {
    let mut bytes = vec![0; size];
    for (notification, slot) in notifications.iter().zip(bytes.chunks_exact_mut(SIZE)) {
        put_notification(root, notification, unicode, slot)?;
    }
    Ok(bytes)
}

/// Writes a counted block (an entry ID, parameters): the count at `cb`, and at `at` the address
/// of a linked copy of `data`, or NULL (no block) when it is empty.
#[track_caller]
fn put_bytes(root: &Root<'_>, slot: &mut [u8], cb: usize, at: usize, data: &[u8]) -> MapiResult<()> {
    put(slot, cb, &count(data.len())?.to_ne_bytes());
    if !data.is_empty() {
        let address = root.linked(data)?;
        put_pointer(slot, at, address);
    }
    Ok(())
}

/// Writes `u32` `value` at `at`.
fn put_u32(slot: &mut [u8], at: usize, value: u32) {
    put(slot, at, &value.to_ne_bytes());
}

/// Writes one notification into its `NOTIFICATION` (`slot`, zeroed).
#[track_caller]
fn put_notification(
    root: &Root<'_>,
    notification: &Notification,
    unicode: bool,
    slot: &mut [u8],
) -> MapiResult<()> {
    put_u32(
        slot,
        offset_of!(NOTIFICATION, ulEventType),
        notification.event.bits(),
    );
    match &notification.info {
        NotificationInfo::Error {
            entry_id,
            error,
            flags,
            mapi_error,
        } => {
            macro_rules! at {
                ($field:ident) => {
                    INFO + offset_of!(ERROR_NOTIFICATION, $field)
                };
            }
            put_bytes(root, slot, at!(cbEntryID), at!(lpEntryID), entry_id)?;
            put(slot, at!(scode), &error.hresult().to_ne_bytes());
            put_u32(slot, at!(ulFlags), with_unicode(*flags, unicode));
            if let Some(info) = mapi_error {
                let bytes = props::mapierror(root, info, unicode)?;
                put_pointer(slot, at!(lpMAPIError), root.linked(&bytes)?);
            }
        }
        NotificationInfo::NewMail(mail) => {
            macro_rules! at {
                ($field:ident) => {
                    INFO + offset_of!(NEWMAIL_NOTIFICATION, $field)
                };
            }
            put_bytes(root, slot, at!(cbEntryID), at!(lpEntryID), &mail.entry_id)?;
            put_bytes(root, slot, at!(cbParentID), at!(lpParentID), &mail.parent_id)?;
            put_u32(slot, at!(ulFlags), with_unicode(mail.flags, unicode));
            let class = root.linked(&props::tstring_z(&mail.message_class, unicode))?;
            put_pointer(slot, at!(lpszMessageClass), class);
            put_u32(slot, at!(ulMessageFlags), mail.message_flags);
        }
        NotificationInfo::Object {
            entry_id,
            object_type,
            parent_id,
            old_id,
            old_parent_id,
            tags,
        } => {
            macro_rules! at {
                ($field:ident) => {
                    INFO + offset_of!(OBJECT_NOTIFICATION, $field)
                };
            }
            put_bytes(root, slot, at!(cbEntryID), at!(lpEntryID), entry_id)?;
            put_u32(slot, at!(ulObjType), object_type.value());
            put_bytes(root, slot, at!(cbParentID), at!(lpParentID), parent_id)?;
            put_bytes(root, slot, at!(cbOldID), at!(lpOldID), old_id)?;
            put_bytes(root, slot, at!(cbOldParentID), at!(lpOldParentID), old_parent_id)?;
            if let Some(tags) = tags {
                let size = tags
                    .len()
                    .checked_mul(size_of::<u32>())
                    .and_then(|n| n.checked_add(offset_of!(SPropTagArray, aulPropTag)))
                    .ok_or(MapiError::NotEnoughMemory)?;
                let bytes = props::tag_array(tags, size)?;
                put_pointer(slot, at!(lpPropTagArray), root.linked(&bytes)?);
            }
        }
        NotificationInfo::StatusObject { entry_id, props } => {
            macro_rules! at {
                ($field:ident) => {
                    INFO + offset_of!(STATUS_OBJECT_NOTIFICATION, $field)
                };
            }
            put_bytes(root, slot, at!(cbEntryID), at!(lpEntryID), entry_id)?;
            put_u32(slot, at!(cValues), count(props.len())?);
            if !props.is_empty() {
                let size = props
                    .len()
                    .checked_mul(size_of::<SPropValue>())
                    .ok_or(MapiError::NotEnoughMemory)?;
                let bytes = props::prop_array(root, props, size)?;
                put_pointer(slot, at!(lpPropVals), root.linked(&bytes)?);
            }
        }
        NotificationInfo::Extended { event, parameters } => {
            put_u32(slot, INFO + offset_of!(EXTENDED_NOTIFICATION, ulEvent), *event);
            put_bytes(
                root,
                slot,
                INFO + offset_of!(EXTENDED_NOTIFICATION, cb),
                INFO + offset_of!(EXTENDED_NOTIFICATION, pbEventParameters),
                parameters,
            )?;
        }
        _ => return Err(MapiError::NoSupport),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// A `NOTIFICATION` the core has no form for: see [Reading](self#reading).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Unmodelled {
    /// Its position in the array.
    pub index: usize,
    /// Its `ulEventType`, bits as they were.
    pub event: EventMask,
}

/// What [`read_notifications`] read: the notifications the core models, in order, and the
/// others, by position.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ReadNotifications {
    /// The notifications read, in the order of the array (those in `unmodelled` left out).
    pub notifications: Vec<Notification>,
    /// The entries that were not read.
    pub unmodelled: Vec<Unmodelled>,
}

/// Reads `count` notifications from the C array at `notifications` (see
/// [Reading](self#reading)). A NULL array reads as none.
///
/// # Safety
///
/// - `notifications` is NULL, or points to `count` initialised and aligned `NOTIFICATION`s;
/// - in each whose event type this function reads, the member of `info` that the event type
///   names is initialised, and each pointer in it is NULL or valid for what it points to: an
///   entry ID or parameter block for its count of bytes, a string NUL-terminated in the encoding
///   its member's `ulFlags` names (aligned for UTF-16), a tag array, property array and
///   `MAPIERROR` as [`props::read_tags`], [`props::read_props`] and [`props::read_mapierror`]
///   require;
/// - nothing writes to any of that memory while the function runs.
pub unsafe fn read_notifications(notifications: *const NOTIFICATION, count: u32) -> ReadNotifications {
    let mut out = ReadNotifications::default();
    if notifications.is_null() {
        return out;
    }
    for index in 0..count as usize {
        // SAFETY: the caller guarantees `count` initialised, aligned notifications.
        let raw = unsafe { notifications.add(index).read() };
        // SAFETY: the caller guarantees the member the event type names, and what it points to.
        match unsafe { read_notification(&raw) } {
            Some(notification) => out.notifications.push(notification),
            None => out.unmodelled.push(Unmodelled {
                index,
                event: EventMask::from_bits_retain(raw.ulEventType),
            }),
        }
    }
    out
}

/// The bytes of an entry ID or parameter block; none for a count of 0 or a NULL pointer.
///
/// # Safety
///
/// `data` is NULL or points to `cb` readable bytes.
unsafe fn bytes(cb: u32, data: *const u8) -> Vec<u8> {
    // SAFETY: the caller's guarantee, as `array` requires.
    unsafe { props::array(cb, data) }
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

/// An entry ID's bytes; see [`bytes`].
///
/// # Safety
///
/// As for [`bytes`].
unsafe fn entry_id(cb: u32, id: *const ENTRYID) -> Vec<u8> {
    // SAFETY: the caller's guarantee.
    unsafe { bytes(cb, id.cast()) }
}

/// One notification, `None` when the core does not model it.
///
/// # Safety
///
/// As [`read_notifications`] requires of one notification.
unsafe fn read_notification(raw: &NOTIFICATION) -> Option<Notification> {
    const OBJECT_EVENTS: [EventMask; 6] = [
        EventMask::OBJECT_CREATED,
        EventMask::OBJECT_DELETED,
        EventMask::OBJECT_MODIFIED,
        EventMask::OBJECT_MOVED,
        EventMask::OBJECT_COPIED,
        EventMask::SEARCH_COMPLETE,
    ];
    let event = EventMask::from_bits_retain(raw.ulEventType);
    // SAFETY: each branch reads only the member the event type names, which the caller
    // guarantees initialised, and follows its pointers only as far as the caller guarantees them
    // valid (`read_notifications`).
    let info = unsafe {
        if event == EventMask::CRITICAL_ERROR {
            let err = raw.info.err;
            let unicode = err.ulFlags & MAPI_UNICODE != 0;
            NotificationInfo::Error {
                entry_id: entry_id(err.cbEntryID, err.lpEntryID),
                error: MapiError::from_hresult(err.scode),
                flags: err.ulFlags,
                mapi_error: props::read_mapierror(err.lpMAPIError, unicode),
            }
        } else if event == EventMask::NEW_MAIL {
            NotificationInfo::NewMail(read_new_mail(&raw.info.newmail))
        } else if OBJECT_EVENTS.contains(&event) {
            let obj = raw.info.obj;
            NotificationInfo::Object {
                entry_id: entry_id(obj.cbEntryID, obj.lpEntryID),
                object_type: ObjectType::from_value(obj.ulObjType)?,
                parent_id: entry_id(obj.cbParentID, obj.lpParentID),
                old_id: entry_id(obj.cbOldID, obj.lpOldID),
                old_parent_id: entry_id(obj.cbOldParentID, obj.lpOldParentID),
                tags: props::read_tags(obj.lpPropTagArray),
            }
        } else if event == EventMask::STATUS_OBJECT_MODIFIED {
            let status = raw.info.statobj;
            NotificationInfo::StatusObject {
                entry_id: entry_id(status.cbEntryID, status.lpEntryID),
                props: props::read_props(status.lpPropVals, status.cValues),
            }
        } else if event == EventMask::EXTENDED {
            let ext = raw.info.ext;
            NotificationInfo::Extended {
                event: ext.ulEvent,
                parameters: bytes(ext.cb, ext.pbEventParameters),
            }
        } else {
            return None;
        }
    };
    Some(Notification { event, info })
}

// ---------------------------------------------------------------------------------------------
// Notification keys
// ---------------------------------------------------------------------------------------------

/// A `NEWMAIL_NOTIFICATION` (a member of a notification, or what `SpoolerNotify` with
/// `NOTIFY_NEWMAIL_RECEIVED` points to) read into the core's type; the message class in the
/// encoding its own `MAPI_UNICODE` flag names, empty for NULL.
///
/// # Safety
///
/// The entry IDs are NULL or valid for their sizes, and the class NULL or a NUL-terminated string
/// of the encoding the flags name, none of it written while the function runs.
pub(crate) unsafe fn read_new_mail(mail: &NEWMAIL_NOTIFICATION) -> NewMailNotification {
    let unicode = mail.ulFlags & MAPI_UNICODE != 0;
    let empty = if unicode {
        TString::Wide(Vec::new())
    } else {
        TString::Ansi(Vec::new())
    };
    // SAFETY: the caller's contract.
    unsafe {
        NewMailNotification {
            entry_id: entry_id(mail.cbEntryID, mail.lpEntryID),
            parent_id: entry_id(mail.cbParentID, mail.lpParentID),
            flags: mail.ulFlags,
            message_class: props::tstring(mail.lpszMessageClass, unicode).unwrap_or(empty),
            message_flags: mail.ulMessageFlags,
        }
    }
}

/// A `NOTIFKEY` for `key`, in a buffer aligned as the structure is: the count, then the bytes.
pub(crate) fn key_buffer(key: &[u8]) -> MapiResult<Vec<u32>> {
    let cb = u32::try_from(key.len()).map_err(|_| MapiError::InvalidParameter)?;
    let mut bytes = Vec::with_capacity(offset_of!(NOTIFKEY, ab) + key.len() + 3);
    bytes.resize(offset_of!(NOTIFKEY, ab), 0);
    bytes[offset_of!(NOTIFKEY, cb)..][..4].copy_from_slice(&cb.to_ne_bytes());
    bytes.extend_from_slice(key);
    // At least the size of the declared structure, and whole 32-bit words.
    bytes.resize(bytes.len().max(size_of::<NOTIFKEY>()).next_multiple_of(4), 0);
    Ok(bytes
        .chunks_exact(4)
        .map(|w| u32::from_ne_bytes([w[0], w[1], w[2], w[3]]))
        .collect())
}

/// The bytes of the `NOTIFKEY` at `key`; NULL gives `MAPI_E_INVALID_PARAMETER`.
///
/// # Safety
///
/// `key` is NULL or points to an aligned `NOTIFKEY` followed by its `cb` bytes, unchanged for
/// `'a`.
pub(crate) unsafe fn read_key<'a>(key: *const NOTIFKEY) -> MapiResult<&'a [u8]> {
    if key.is_null() {
        return Err(MapiError::InvalidParameter);
    }
    // SAFETY: not NULL, an aligned NOTIFKEY (the caller's contract).
    let cb = unsafe { (*key).cb };
    // SAFETY: the bytes start `ab` bytes into the structure.
    let first = unsafe { key.cast::<u8>().add(offset_of!(NOTIFKEY, ab)) };
    // SAFETY: `cb` readable bytes there (the caller's contract).
    unsafe { props::array(cb, first) }.map_err(|_| MapiError::InvalidParameter)
}

// ---------------------------------------------------------------------------------------------
// Sinks
// ---------------------------------------------------------------------------------------------

/// An advise sink, an [`IMAPIAdviseSink`] interface pointer (MAPI's, a client's or a compiled
/// library's), as an [`AdviseSink`].
///
/// It holds one COM reference and releases it when dropped. Its `on_notify` lays the
/// notifications out on a heap of its own (see [Sinks](self#sinks)), UTF-16 strings when any is
/// ([`has_wide_strings`]), calls `OnNotify` and returns its answer; when they cannot be laid out
/// (a size beyond a `ULONG`), the sink is not called and the answer is 0.
///
/// It is `Send + Sync`: MAPI's sinks follow the free-threading model (a sink is called on
/// MAPI's notification thread, and released from any thread).
pub struct ComAdviseSink {
    sink: IMAPIAdviseSink,
    heap: HostHeap,
}

// SAFETY: advise sinks follow MAPI's free-threading model: `OnNotify` and the final `Release`
// may come from any thread. The heap is `Send + Sync`.
unsafe impl Send for ComAdviseSink {}
// SAFETY: as above; `on_notify` takes `&self` and calls only thread-safe code.
unsafe impl Sync for ComAdviseSink {}

impl ComAdviseSink {
    /// An adapter over a borrowed interface pointer: it calls `AddRef` once, and `Release` when
    /// dropped. NULL gives `MAPI_E_INVALID_PARAMETER`.
    ///
    /// # Safety
    ///
    /// `raw` is NULL or a live `IMAPIAdviseSink` pointer, callable from any thread, whose
    /// `OnNotify` only reads the notifications it is given, during the call.
    pub unsafe fn from_raw_borrowed(raw: *mut c_void) -> MapiResult<ComAdviseSink> {
        // SAFETY: `raw` is NULL or a live IMAPIAdviseSink (the caller's contract); the borrow
        // ends here, after the clone has taken a reference of its own.
        let sink = unsafe { IMAPIAdviseSink::from_raw_borrowed(&raw) }
            .cloned()
            .ok_or(MapiError::InvalidParameter)?;
        Ok(ComAdviseSink {
            sink,
            heap: HostHeap::new(),
        })
    }

    /// The interface this adapter calls.
    pub fn interface(&self) -> &IMAPIAdviseSink {
        &self.sink
    }
}

impl fmt::Debug for ComAdviseSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComAdviseSink")
            .field("interface", &self.sink.as_raw())
            .finish_non_exhaustive()
    }
}

impl AdviseSink for ComAdviseSink {
    fn on_notify(&self, notifications: &[Notification]) -> u32 {
        let Ok(len) = u32::try_from(notifications.len()) else {
            return 0;
        };
        let routines = self.heap.scratch();
        let Ok(block) = write_notifications(&routines, notifications, has_wide_strings(notifications)) else {
            return 0;
        };
        let array = match (len, routines.address(block)) {
            (0, _) | (_, None) => ptr::null_mut(),
            (_, Some(address)) => ptr::with_exposed_provenance_mut::<NOTIFICATION>(address),
        };
        // SAFETY: the sink is live; `array` is NULL (no notification) or `len` notifications laid
        // out on the heap, live until the block is freed after the call.
        let answer = unsafe { self.sink.OnNotify(len, array) };
        let _ = routines.free_buffer(Some(block));
        answer
    }
}

/// The COM object of an exported sink.
#[implement(IMAPIAdviseSink)]
struct SinkObject {
    /// `None` only while the destructor runs.
    sink: Option<Ref<dyn AdviseSink>>,
    slot: Option<Slot>,
}

impl Drop for SinkObject {
    fn drop(&mut self) {
        // The entry first, so that the key is not reused while the registry names it.
        drop(self.slot.take());
        let sink = self.sink.take();
        // The sink's final release may run its `Drop`, inside the caller's `Release`.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| drop(sink))) {
            record_panic(payload.as_ref());
            drop_payload(payload);
        }
    }
}

impl IMAPIAdviseSink_Impl for SinkObject_Impl {
    unsafe fn OnNotify(&self, cNotif: u32, lpNotifications: *mut NOTIFICATION) -> u32 {
        let body = || {
            // SAFETY: `cNotif` notifications the caller keeps unchanged during the call
            // (OnNotify's contract).
            let read = unsafe { read_notifications(lpNotifications, cNotif) };
            match &self.sink {
                Some(sink) if !read.notifications.is_empty() => sink.on_notify(&read.notifications),
                _ => 0,
            }
        };
        match catch_unwind(AssertUnwindSafe(body)) {
            Ok(answer) => answer,
            Err(payload) => {
                record_panic(payload.as_ref());
                drop_payload(payload);
                0
            }
        }
    }
}

/// The COM object of a Rust advise sink: the same `IMAPIAdviseSink` for as long as it lives (the
/// registry of [`crate::export`]), holding one reference of `sink` until its caller's final
/// `Release`. A [`ComAdviseSink`] gives back the interface pointer it wraps. See
/// [Sinks](self#sinks).
///
/// Errors: those of making a weak reference to the new object, and
/// `MAPI_E_INTERFACE_NOT_SUPPORTED` when the Rust object was already exported as another kind of
/// object.
pub fn export_sink(sink: &Ref<dyn AdviseSink>) -> MapiResult<IMAPIAdviseSink> {
    if let Some(imported) = sink.downcast::<ComAdviseSink>() {
        return Ok(imported.interface().clone());
    }
    let held = sink.clone();
    let exported: IUnknown = find_or_make(sink.key(), move |slot| {
        SinkObject {
            sink: Some(held),
            slot: Some(slot),
        }
        .into()
    })?;
    exported
        .cast::<IMAPIAdviseSink>()
        .map_err(|_| MapiError::InterfaceNotSupported)
}
