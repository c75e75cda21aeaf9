//! The C types that the interface methods and entry points take, as `#[repr(C)]` Rust types.
//!
//! Three kinds:
//!
//! - **Full structures**, laid out as in the MAPI headers: [`MAPIUID`], [`ENTRYID`],
//!   [`NOTIFKEY`], [`SPropTagArray`], [`MAPIERROR`], and the property values: [`SPropValue`]
//!   with its union [`PV`] and the structures the union holds ([`FILETIME`], [`SBinary`] and the
//!   multi-valued arrays [`SShortArray`] to [`SLargeIntegerArray`]), and [`SPropProblem`] with
//!   [`SPropProblemArray`]. The variable-length ones ([`ENTRYID`], [`NOTIFKEY`],
//!   [`SPropTagArray`], [`SPropProblemArray`]) end in a one-element array, as the headers declare
//!   them with `MAPI_DIM` = 1; their real length travels beside the pointer (a `cb…` argument, `cb`,
//!   `cValues` or `cProblem` member), and Rust never reads one by value.
//! - **Notifications**: [`NOTIFICATION`], its union [`NOTIFICATION_INFO`] and the structures the
//!   union holds ([`ERROR_NOTIFICATION`], [`NEWMAIL_NOTIFICATION`], [`OBJECT_NOTIFICATION`],
//!   [`TABLE_NOTIFICATION`] with its [`SRow`], [`EXTENDED_NOTIFICATION`],
//!   [`STATUS_OBJECT_NOTIFICATION`]); see [the layout of a
//!   notification](#the-layout-of-a-notification).
//! - **Opaque structures** ([`MAPINAMEID`], [`ADRPARM`], [`ADRLIST`], [`ENTRYLIST`]): only ever
//!   behind a pointer here. Each is a distinct zero-sized `#[repr(C)]` type, so a `*mut ADRLIST`
//!   cannot be passed where a `*mut ENTRYLIST` is due, but nothing of its layout is declared yet;
//!   the layers that read or write them will declare the fields.
//! - **Aliases** for scalar C types whose Rust form is not obvious: [`LPTSTR`], [`SCODE`],
//!   [`MSCAP_SELECTOR`], [`LARGE_INTEGER`], [`CURRENCY`], and the callback types [`LPFNDISMISS`]
//!   and [`LPFNBUTTON`].
//!
//! Interface pointers (`LPMAPISUP`, `LPMDB`, `LPMAPITABLE`, `LPUNKNOWN`, …) are `*mut c_void` in
//! the declarations, as COM passes them; the method documentation names the interface.
//!
//! # The layout of a property value
//!
//! `SPropValue` is a 32-bit tag, 32 bits of padding (`dwAlignPad`) and the union `_PV`, whose
//! largest members are 8-byte scalars (`double`, `LARGE_INTEGER`, `CURRENCY`, `FILETIME`) and the
//! counted structures (`SBinary` and the multi-valued arrays: a 32-bit count, then a pointer). The
//! value always starts at offset 8:
//!
//! | target | `size_of::<SPropValue>()` | `_PV` | count of `SBinary` / arrays | pointer |
//! |---|---|---|---|---|
//! | 64-bit | 24 | 16 bytes at 8 | at 8 | at 16 |
//! | 32-bit | 16 | 8 bytes at 8 | at 8 | at 12 |
//!
//! The module checks these numbers at compile time.
//!
//! # The layout of a notification
//!
//! A `NOTIFICATION` (`MAPIDefS.h`) is the event type (`ulEventType`, one `fnev*` value), 32 bits
//! of padding (`ulAlignPad`) and the union `info`, whose member the event type names. The
//! padding is declared by the headers (it keeps `info` on an 8-byte boundary on every target);
//! Microsoft's reference pages leave it out of their syntax blocks, but the headers' layout is
//! what crosses the binary interface. `info` always starts at offset 8. Its largest member is
//! `TABLE_NOTIFICATION` (two `SPropValue`s, an `SRow` and the trailing `ulPad` the headers
//! declare, which the reference pages omit too):
//!
//! | target | `NOTIFICATION` | `info` | `ERROR_` | `NEWMAIL_` | `OBJECT_` | `TABLE_` | `EXTENDED_` | `STATUS_OBJECT_` |
//! |---|---|---|---|---|---|---|---|---|
//! | 64-bit | 88 | 80 at 8 | 32 | 56 | 72 | 80 | 16 | 32 |
//! | 32-bit | 64 | 56 at 8 | 20 | 28 | 40 | 56 | 12 | 16 |
//!
//! On 64-bit targets every pointer member is on an 8-byte boundary, so a 32-bit count before a
//! pointer is followed by 4 bytes of padding (`cbEntryID` at 0, `lpEntryID` at 8). On 32-bit
//! targets the members follow one another with no padding. The 64-bit numbers are checked at
//! compile time and by the tests; the 32-bit ones at compile time on such a target.
//!
//! Sources (facts only): Microsoft's MAPI reference,
//! <https://learn.microsoft.com/office/client-developer/outlook/mapi/notification>,
//! [`error_notification`](https://learn.microsoft.com/office/client-developer/outlook/mapi/error_notification),
//! [`newmail_notification`](https://learn.microsoft.com/office/client-developer/outlook/mapi/newmail_notification),
//! [`object_notification`](https://learn.microsoft.com/office/client-developer/outlook/mapi/object_notification),
//! [`table_notification`](https://learn.microsoft.com/office/client-developer/outlook/mapi/table_notification),
//! [`extended_notification`](https://learn.microsoft.com/office/client-developer/outlook/mapi/extended_notification),
//! [`status_object_notification`](https://learn.microsoft.com/office/client-developer/outlook/mapi/status_object_notification);
//! the padding members (`ulAlignPad`, `ulPad`) as the public `MAPIDefS.h` declarations (Wine's,
//! MinGW's, the Win32 metadata) have them.
#![allow(non_snake_case, non_camel_case_types)]

use core::ffi::c_void;
use core::fmt;
use core::marker::{PhantomData, PhantomPinned};
use core::mem::{align_of, offset_of, size_of};

use mapisim::ids::MapiUid;
use windows_core::GUID;

/// `SCODE`: a 32-bit status code, as the allocation routines return it (the same values as an
/// `HRESULT`).
pub type SCODE = i32;

/// `LPTSTR`: a string whose characters are UTF-16 when the call's `MAPI_UNICODE` flag is set and
/// 8-bit otherwise. It is untyped here because only the flag of the call says which.
pub type LPTSTR = *mut c_void;

/// `MSCAP_SELECTOR`: the selector of `IMSCapabilities::GetCapabilities`, a C `enum` (32 bits on
/// every MAPI platform): `MSCAP_SEL_RESERVED1` 0, `MSCAP_SEL_RESERVED2` 1, `MSCAP_SEL_FOLDER` 2,
/// `MSCAP_SEL_RESERVED3` 3, `MSCAP_SEL_RESTRICTION` 4.
pub type MSCAP_SELECTOR = u32;

/// `LPFNDISMISS` (`DISMISSMODELESS`): called by MAPI when it has dismissed a modeless address-book
/// dialog box: `void (ULONG_PTR ulUIParam, LPVOID lpvContext)`, `STDMETHODCALLTYPE`.
///
/// A parameter that may be NULL takes `Option<LPFNDISMISS>`, which has the ABI of a nullable
/// function pointer.
pub type LPFNDISMISS = unsafe extern "system" fn(ulUIParam: usize, lpvContext: *mut c_void);

/// `LPFNBUTTON`: called by MAPI when the user chooses the optional button of a details dialog box:
/// `SCODE (ULONG_PTR ulUIParam, LPVOID lpvContext, ULONG cbEntryID, LPENTRYID lpSelection, ULONG
/// ulFlags)`, `STDMETHODCALLTYPE`.
///
/// A parameter that may be NULL takes `Option<LPFNBUTTON>`.
pub type LPFNBUTTON = unsafe extern "system" fn(
    ulUIParam: usize,
    lpvContext: *mut c_void,
    cbEntryID: u32,
    lpSelection: *mut ENTRYID,
    ulFlags: u32,
) -> SCODE;

/// `MAPIUID`: 16 bytes, a GUID stored in Intel byte order and compared byte for byte.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct MAPIUID {
    /// `ab`: the 16 bytes.
    pub ab: [u8; 16],
}

impl From<MapiUid> for MAPIUID {
    fn from(uid: MapiUid) -> MAPIUID {
        MAPIUID { ab: uid.0 }
    }
}

impl From<MAPIUID> for MapiUid {
    fn from(uid: MAPIUID) -> MapiUid {
        MapiUid(uid.ab)
    }
}

/// `ENTRYID`: four flag bytes and the provider's bytes, of any length.
///
/// Declared as the header does, with one byte of `ab`; an entry ID always travels as a pointer
/// with its size in bytes (`cbEntryID`, `lpEntryID`), flags included.
#[repr(C)]
#[derive(Debug)]
pub struct ENTRYID {
    /// `abFlags`: `abFlags[0]` holds `MAPI_SHORTTERM`, `MAPI_NOTRECIP`, …; the other three are
    /// reserved.
    pub abFlags: [u8; 4],
    /// `ab[MAPI_DIM]`: the first of the provider's bytes (its registered `MAPIUID` comes first).
    pub ab: [u8; 1],
}

/// `NOTIFKEY`: the key of a notification subscription (`IMAPISupport::Subscribe`, `Notify`): `cb`
/// bytes follow the count.
#[repr(C)]
#[derive(Debug)]
pub struct NOTIFKEY {
    /// `cb`: the number of bytes in `ab`.
    pub cb: u32,
    /// `ab[MAPI_DIM]`: the first byte of the key.
    pub ab: [u8; 1],
}

/// `SPropTagArray`: a count and that many property tags.
#[repr(C)]
#[derive(Debug)]
pub struct SPropTagArray {
    /// `cValues`: the number of tags in `aulPropTag`.
    pub cValues: u32,
    /// `aulPropTag[MAPI_DIM]`: the first tag.
    pub aulPropTag: [u32; 1],
}

/// `MAPIERROR`: extended information about an error, allocated by the callee with
/// `MAPIAllocateBuffer` and freed by the caller with one `MAPIFreeBuffer`.
#[repr(C)]
#[derive(Debug)]
pub struct MAPIERROR {
    /// `ulVersion`: `MAPI_ERROR_VERSION` (0).
    pub ulVersion: u32,
    /// `lpszError`: the message (UTF-16 when the call had `MAPI_UNICODE`).
    pub lpszError: LPTSTR,
    /// `lpszComponent`: the component that failed.
    pub lpszComponent: LPTSTR,
    /// `ulLowLevelError`: a lower-level error code.
    pub ulLowLevelError: u32,
    /// `ulContext`: where in the component the error happened.
    pub ulContext: u32,
}

/// `LARGE_INTEGER`: a signed 64-bit integer (the header's union of `QuadPart` and its two
/// halves), the value of `PT_I8`.
pub type LARGE_INTEGER = i64;

/// `CURRENCY` (`CY`): a signed 64-bit integer counting ten-thousandths (the header's union of
/// `int64` and its two halves), the value of `PT_CURRENCY`.
pub type CURRENCY = i64;

/// `FILETIME`: 100-nanosecond intervals since 1 January 1601 (UTC), in two 32-bit halves (so
/// aligned to 4 bytes), the value of `PT_SYSTIME`.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct FILETIME {
    /// `dwLowDateTime`: the low 32 bits.
    pub dwLowDateTime: u32,
    /// `dwHighDateTime`: the high 32 bits.
    pub dwHighDateTime: u32,
}

/// `SBinary`: counted bytes, the value of `PT_BINARY` (and an entry ID in an `ENTRYLIST`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SBinary {
    /// `cb`: the number of bytes at `lpb`.
    pub cb: u32,
    /// `lpb`: the bytes.
    pub lpb: *mut u8,
}

/// Declares the multi-valued arrays of `_PV`: a 32-bit count and a pointer to that many values.
macro_rules! mv_arrays {
    ($( $(#[$doc:meta])* $name:ident { $field:ident: $ty:ty, $fdoc:literal } )*) => {
        $(
            $(#[$doc])*
            #[repr(C)]
            #[derive(Clone, Copy, Debug)]
            pub struct $name {
                /// `cValues`: the number of values.
                pub cValues: u32,
                #[doc = $fdoc]
                pub $field: *mut $ty,
            }
        )*
    };
}

mv_arrays! {
    /// `SShortArray`: the values of `PT_MV_I2`.
    SShortArray { lpi: i16, "`lpi`: the 16-bit integers." }
    /// `SLongArray`: the values of `PT_MV_LONG`.
    SLongArray { lpl: i32, "`lpl`: the 32-bit integers." }
    /// `SRealArray`: the values of `PT_MV_R4`.
    SRealArray { lpflt: f32, "`lpflt`: the `float`s." }
    /// `SDoubleArray`: the values of `PT_MV_DOUBLE`.
    SDoubleArray { lpdbl: f64, "`lpdbl`: the `double`s." }
    /// `SCurrencyArray`: the values of `PT_MV_CURRENCY`.
    SCurrencyArray { lpcur: CURRENCY, "`lpcur`: the `CURRENCY` values." }
    /// `SAppTimeArray`: the values of `PT_MV_APPTIME`.
    SAppTimeArray { lpat: f64, "`lpat`: the application times (`double`s)." }
    /// `SDateTimeArray`: the values of `PT_MV_SYSTIME`.
    SDateTimeArray { lpft: FILETIME, "`lpft`: the `FILETIME`s." }
    /// `SBinaryArray`: the values of `PT_MV_BINARY`.
    SBinaryArray { lpbin: SBinary, "`lpbin`: the `SBinary` structures, each pointing to its bytes." }
    /// `SLPSTRArray`: the values of `PT_MV_STRING8`.
    SLPSTRArray { lppszA: *mut u8, "`lppszA`: pointers to the NUL-terminated 8-bit strings." }
    /// `SWStringArray`: the values of `PT_MV_UNICODE`.
    SWStringArray { lppszW: *mut u16, "`lppszW`: pointers to the NUL-terminated UTF-16 strings." }
    /// `SGuidArray`: the values of `PT_MV_CLSID`.
    SGuidArray { lpguid: GUID, "`lpguid`: the GUIDs." }
    /// `SLargeIntegerArray`: the values of `PT_MV_I8`.
    SLargeIntegerArray { lpli: LARGE_INTEGER, "`lpli`: the 64-bit integers." }
}

/// `_PV` (`__UPV`): the value of an [`SPropValue`], one member per property type; the type in the
/// tag says which member is valid.
///
/// Its size is that of its largest members: 16 bytes on 64-bit targets (a count and a pointer),
/// 8 on 32-bit ones. Reading a member is `unsafe`: only the one the tag names holds a value.
#[repr(C)]
#[derive(Clone, Copy)]
pub union PV {
    /// `i`: `PT_I2`.
    pub i: i16,
    /// `l`: `PT_LONG`.
    pub l: i32,
    /// `ul`: `PT_LONG`, unsigned.
    pub ul: u32,
    /// `lpv`: `PT_PTR`.
    pub lpv: *mut c_void,
    /// `flt`: `PT_R4`.
    pub flt: f32,
    /// `dbl`: `PT_DOUBLE`.
    pub dbl: f64,
    /// `b`: `PT_BOOLEAN`, an `unsigned short` (non-zero is true).
    pub b: u16,
    /// `cur`: `PT_CURRENCY`.
    pub cur: CURRENCY,
    /// `at`: `PT_APPTIME`.
    pub at: f64,
    /// `ft`: `PT_SYSTIME`.
    pub ft: FILETIME,
    /// `lpszA`: `PT_STRING8`, a NUL-terminated 8-bit string.
    pub lpszA: *mut u8,
    /// `bin`: `PT_BINARY`.
    pub bin: SBinary,
    /// `lpszW`: `PT_UNICODE`, a NUL-terminated UTF-16 string.
    pub lpszW: *mut u16,
    /// `lpguid`: `PT_CLSID`.
    pub lpguid: *mut GUID,
    /// `li`: `PT_I8`.
    pub li: LARGE_INTEGER,
    /// `MVi`: `PT_MV_I2`.
    pub MVi: SShortArray,
    /// `MVl`: `PT_MV_LONG`.
    pub MVl: SLongArray,
    /// `MVflt`: `PT_MV_R4`.
    pub MVflt: SRealArray,
    /// `MVdbl`: `PT_MV_DOUBLE`.
    pub MVdbl: SDoubleArray,
    /// `MVcur`: `PT_MV_CURRENCY`.
    pub MVcur: SCurrencyArray,
    /// `MVat`: `PT_MV_APPTIME`.
    pub MVat: SAppTimeArray,
    /// `MVft`: `PT_MV_SYSTIME`.
    pub MVft: SDateTimeArray,
    /// `MVbin`: `PT_MV_BINARY`.
    pub MVbin: SBinaryArray,
    /// `MVszA`: `PT_MV_STRING8`.
    pub MVszA: SLPSTRArray,
    /// `MVszW`: `PT_MV_UNICODE`.
    pub MVszW: SWStringArray,
    /// `MVguid`: `PT_MV_CLSID`.
    pub MVguid: SGuidArray,
    /// `MVli`: `PT_MV_I8`.
    pub MVli: SLargeIntegerArray,
    /// `err`: `PT_ERROR`, the `SCODE` saying why there is no value.
    pub err: SCODE,
    /// `x`: `PT_NULL` and `PT_OBJECT`, no usable value.
    pub x: i32,
}

impl fmt::Debug for PV {
    /// The members are not shown: only the tag beside the union says which one is valid.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PV").finish_non_exhaustive()
    }
}

/// `SPropValue`: one property value, a tag and the value of the tag's type.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SPropValue {
    /// `ulPropTag`: the property tag (`PROP_TAG(type, id)`).
    pub ulPropTag: u32,
    /// `dwAlignPad`: reserved for MAPI; it puts `Value` on an 8-byte boundary.
    pub dwAlignPad: u32,
    /// `Value`: the member of the union that the tag's type names.
    pub Value: PV,
}

/// `SPropProblem`: a property that a call could not handle.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SPropProblem {
    /// `ulIndex`: the position of the property in the caller's array.
    pub ulIndex: u32,
    /// `ulPropTag`: its tag.
    pub ulPropTag: u32,
    /// `scode`: what went wrong.
    pub scode: SCODE,
}

/// `SPropProblemArray`: a count and that many [`SPropProblem`]s, as `SetProps`, `DeleteProps`,
/// `CopyTo` and `CopyProps` return them.
///
/// Declared as the header does, with one problem; the array is `cProblem` long
/// (`CbNewSPropProblemArray(n)` = `offsetof(SPropProblemArray, aProblem) + n *
/// sizeof(SPropProblem)`).
#[repr(C)]
#[derive(Debug)]
pub struct SPropProblemArray {
    /// `cProblem`: the number of problems in `aProblem`.
    pub cProblem: u32,
    /// `aProblem[MAPI_DIM]`: the first problem.
    pub aProblem: [SPropProblem; 1],
}

/// `SRow`: one row of a table, as `IMAPITable::QueryRows` returns it: its property values, in
/// a block of their own (each row's `lpProps` is allocated and freed on its own, with
/// `MAPIFreeBuffer`; `FreeProws` frees every row's values, then the row set). A
/// [`TABLE_NOTIFICATION`] holds one too.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SRow {
    /// `ulAdrEntryPad`: padding, 0 (an `SRow` has the layout of an `ADRENTRY`).
    pub ulAdrEntryPad: u32,
    /// `cValues`: the number of values at `lpProps`.
    pub cValues: u32,
    /// `lpProps`: the row's values.
    pub lpProps: *mut SPropValue,
}

/// `SRowSet`: a count and that many rows, in one block. Declared as the header does, with one
/// row; the set is `cRows` long (`offsetof(SRowSet, aRow) + n * sizeof(SRow)`).
#[repr(C)]
#[derive(Debug)]
pub struct SRowSet {
    /// `cRows`: the number of rows in `aRow`.
    pub cRows: u32,
    /// `aRow[MAPI_DIM]`: the first row.
    pub aRow: [SRow; 1],
}

// The layouts of the MAPI headers, checked where the crate is built.
const _: () = {
    assert!(offset_of!(SPropValue, ulPropTag) == 0);
    assert!(offset_of!(SPropValue, dwAlignPad) == 4);
    assert!(offset_of!(SPropValue, Value) == 8);
    assert!(size_of::<FILETIME>() == 8 && align_of::<FILETIME>() == 4);
    assert!(size_of::<SPropProblem>() == 12);
    assert!(offset_of!(SPropProblemArray, aProblem) == 4);
    assert!(offset_of!(SBinary, cb) == 0);
    assert!(offset_of!(SBinaryArray, cValues) == 0);
    assert!(size_of::<GUID>() == 16);
};

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<SPropValue>() == 24);
    assert!(size_of::<PV>() == 16 && align_of::<PV>() == 8);
    assert!(size_of::<SBinary>() == 16 && offset_of!(SBinary, lpb) == 8);
    assert!(size_of::<SLongArray>() == 16 && offset_of!(SLongArray, lpl) == 8);
    assert!(size_of::<SBinaryArray>() == 16 && offset_of!(SBinaryArray, lpbin) == 8);
    assert!(size_of::<SLPSTRArray>() == 16 && offset_of!(SLPSTRArray, lppszA) == 8);
    assert!(size_of::<MAPIERROR>() == 32);
    assert!(size_of::<SRow>() == 16 && offset_of!(SRow, lpProps) == 8);
    assert!(offset_of!(SRowSet, aRow) == 8);
};

#[cfg(target_pointer_width = "32")]
const _: () = {
    assert!(size_of::<SPropValue>() == 16);
    assert!(size_of::<PV>() == 8);
    assert!(size_of::<SBinary>() == 8 && offset_of!(SBinary, lpb) == 4);
    assert!(size_of::<SLongArray>() == 8 && offset_of!(SLongArray, lpl) == 4);
    assert!(size_of::<SBinaryArray>() == 8 && offset_of!(SBinaryArray, lpbin) == 4);
    assert!(size_of::<MAPIERROR>() == 20);
    assert!(size_of::<SRow>() == 12 && offset_of!(SRow, lpProps) == 8);
    assert!(offset_of!(SRowSet, aRow) == 4);
};

/// Declares zero-sized `#[repr(C)]` types that stand for C structures only reached through
/// pointers: neither `Send`, `Sync` nor `Unpin`, and not constructible outside this module.
macro_rules! opaque {
    ($( $(#[$doc:meta])* $name:ident; )*) => {
        $(
            $(#[$doc])*
            #[repr(C)]
            #[derive(Debug)]
            pub struct $name {
                _data: [u8; 0],
                _marker: PhantomData<(*mut u8, PhantomPinned)>,
            }
        )*
    };
}

opaque! {
    /// `MAPINAMEID`: a named property's property set and name. Opaque here.
    MAPINAMEID;
    /// `ADRPARM`: the parameters of the common address dialog box. Opaque here.
    ADRPARM;
    /// `ADRLIST`: a list of recipients, each an array of property values. Opaque here.
    ADRLIST;
    /// `ENTRYLIST` (`SBinaryArray`): a list of entry IDs. Opaque here.
    ENTRYLIST;
    /// `SRestriction`: a table filter. Opaque here.
    SRestriction;
    /// `SSortOrderSet`: a table's sort order. Opaque here.
    SSortOrderSet;
}

// ---------------------------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------------------------

/// `ERROR_NOTIFICATION`: a critical error (`fnevCriticalError`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ERROR_NOTIFICATION {
    /// `cbEntryID`: the size of the entry ID at `lpEntryID`.
    pub cbEntryID: u32,
    /// `lpEntryID`: the object the error happened to (may be NULL).
    pub lpEntryID: *mut ENTRYID,
    /// `scode`: the error.
    pub scode: SCODE,
    /// `ulFlags`: `MAPI_UNICODE` when the strings of `lpMAPIError` are UTF-16.
    pub ulFlags: u32,
    /// `lpMAPIError`: more about the error (may be NULL).
    pub lpMAPIError: *mut MAPIERROR,
}

/// `NEWMAIL_NOTIFICATION`: a message arrived in a receive folder (`fnevNewMail`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NEWMAIL_NOTIFICATION {
    /// `cbEntryID`: the size of the entry ID at `lpEntryID`.
    pub cbEntryID: u32,
    /// `lpEntryID`: the new message.
    pub lpEntryID: *mut ENTRYID,
    /// `cbParentID`: the size of the entry ID at `lpParentID`.
    pub cbParentID: u32,
    /// `lpParentID`: the receive folder it arrived in.
    pub lpParentID: *mut ENTRYID,
    /// `ulFlags`: `MAPI_UNICODE` when `lpszMessageClass` is UTF-16.
    pub ulFlags: u32,
    /// `lpszMessageClass`: the message's class, NUL-terminated, in the encoding `ulFlags` says.
    pub lpszMessageClass: LPTSTR,
    /// `ulMessageFlags`: a copy of the message's `PR_MESSAGE_FLAGS`.
    pub ulMessageFlags: u32,
}

/// `OBJECT_NOTIFICATION`: an object was created, deleted, modified, moved or copied, or a search
/// completed (`fnevObjectCreated` … `fnevSearchComplete`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct OBJECT_NOTIFICATION {
    /// `cbEntryID`: the size of the entry ID at `lpEntryID`.
    pub cbEntryID: u32,
    /// `lpEntryID`: the object.
    pub lpEntryID: *mut ENTRYID,
    /// `ulObjType`: its type (`MAPI_STORE`, `MAPI_FOLDER`, `MAPI_MESSAGE`, …).
    pub ulObjType: u32,
    /// `cbParentID`: the size of the entry ID at `lpParentID`.
    pub cbParentID: u32,
    /// `lpParentID`: its parent.
    pub lpParentID: *mut ENTRYID,
    /// `cbOldID`: the size of the entry ID at `lpOldID`.
    pub cbOldID: u32,
    /// `lpOldID`: the object before a move or copy (may be NULL).
    pub lpOldID: *mut ENTRYID,
    /// `cbOldParentID`: the size of the entry ID at `lpOldParentID`.
    pub cbOldParentID: u32,
    /// `lpOldParentID`: its parent before a move or copy (may be NULL).
    pub lpOldParentID: *mut ENTRYID,
    /// `lpPropTagArray`: the properties the event changed (may be NULL).
    pub lpPropTagArray: *mut SPropTagArray,
}

/// `TABLE_NOTIFICATION`: a table changed (`fnevTableModified`). Declared for the size of the
/// `info` union; this crate does not read or write it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TABLE_NOTIFICATION {
    /// `ulTableEvent`: what happened (`TABLE_CHANGED`, `TABLE_ROW_ADDED`, …).
    pub ulTableEvent: u32,
    /// `hResult`: the error, for `TABLE_ERROR`.
    pub hResult: SCODE,
    /// `propIndex`: the index column of the row the event is about.
    pub propIndex: SPropValue,
    /// `propPrior`: the index column of the row before it.
    pub propPrior: SPropValue,
    /// `row`: the row's columns.
    pub row: SRow,
    /// `ulPad`: padding the headers declare at the end (the reference pages leave it out).
    pub ulPad: u32,
}

/// `EXTENDED_NOTIFICATION`: a provider's own event (`fnevExtended`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EXTENDED_NOTIFICATION {
    /// `ulEvent`: the provider's event code.
    pub ulEvent: u32,
    /// `cb`: the number of bytes at `pbEventParameters`.
    pub cb: u32,
    /// `pbEventParameters`: the event's parameters, in a form the provider defines.
    pub pbEventParameters: *mut u8,
}

/// `STATUS_OBJECT_NOTIFICATION`: a status object changed (`fnevStatusObjectModified`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct STATUS_OBJECT_NOTIFICATION {
    /// `cbEntryID`: the size of the entry ID at `lpEntryID`.
    pub cbEntryID: u32,
    /// `lpEntryID`: the status object.
    pub lpEntryID: *mut ENTRYID,
    /// `cValues`: the number of values at `lpPropVals`.
    pub cValues: u32,
    /// `lpPropVals`: its changed properties.
    pub lpPropVals: *mut SPropValue,
}

/// The `info` union of a [`NOTIFICATION`]: one member per kind of event; the event type beside
/// it says which member is valid. Reading a member is `unsafe` for that reason.
#[repr(C)]
#[derive(Clone, Copy)]
pub union NOTIFICATION_INFO {
    /// `err`: `fnevCriticalError`.
    pub err: ERROR_NOTIFICATION,
    /// `newmail`: `fnevNewMail`.
    pub newmail: NEWMAIL_NOTIFICATION,
    /// `obj`: `fnevObjectCreated`, `fnevObjectDeleted`, `fnevObjectModified`,
    /// `fnevObjectMoved`, `fnevObjectCopied`, `fnevSearchComplete`.
    pub obj: OBJECT_NOTIFICATION,
    /// `tab`: `fnevTableModified`.
    pub tab: TABLE_NOTIFICATION,
    /// `ext`: `fnevExtended`.
    pub ext: EXTENDED_NOTIFICATION,
    /// `statobj`: `fnevStatusObjectModified`.
    pub statobj: STATUS_OBJECT_NOTIFICATION,
}

impl fmt::Debug for NOTIFICATION_INFO {
    /// The members are not shown: only the event type beside the union says which one is valid.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NOTIFICATION_INFO").finish_non_exhaustive()
    }
}

/// `NOTIFICATION`: one event, as `IMAPIAdviseSink::OnNotify` and `IMAPISupport::Notify` take an
/// array of them (see [the layout of a notification](self#the-layout-of-a-notification)).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NOTIFICATION {
    /// `ulEventType`: the event (`fnevNewMail`, `fnevObjectModified`, …), which names the member
    /// of `info` that is valid.
    pub ulEventType: u32,
    /// `ulAlignPad`: padding that puts `info` on an 8-byte boundary; written 0.
    pub ulAlignPad: u32,
    /// `info`: the event's structure.
    pub info: NOTIFICATION_INFO,
}

// The layout of the headers, on every target.
const _: () = {
    assert!(offset_of!(NOTIFICATION, ulEventType) == 0);
    assert!(offset_of!(NOTIFICATION, ulAlignPad) == 4);
    assert!(offset_of!(NOTIFICATION, info) == 8);
    assert!(size_of::<NOTIFICATION>() == 8 + size_of::<NOTIFICATION_INFO>());
    assert!(size_of::<NOTIFICATION_INFO>() == size_of::<TABLE_NOTIFICATION>());
};

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<NOTIFICATION>() == 88);
    assert!(size_of::<NOTIFICATION_INFO>() == 80 && align_of::<NOTIFICATION_INFO>() == 8);
    assert!(size_of::<ERROR_NOTIFICATION>() == 32);
    assert!(size_of::<NEWMAIL_NOTIFICATION>() == 56);
    assert!(size_of::<OBJECT_NOTIFICATION>() == 72);
    assert!(size_of::<TABLE_NOTIFICATION>() == 80);
    assert!(size_of::<EXTENDED_NOTIFICATION>() == 16);
    assert!(size_of::<STATUS_OBJECT_NOTIFICATION>() == 32);
    assert!(size_of::<SRow>() == 16);
};

#[cfg(target_pointer_width = "32")]
const _: () = {
    assert!(size_of::<NOTIFICATION>() == 64);
    assert!(size_of::<NOTIFICATION_INFO>() == 56);
    assert!(size_of::<ERROR_NOTIFICATION>() == 20);
    assert!(size_of::<NEWMAIL_NOTIFICATION>() == 28);
    assert!(size_of::<OBJECT_NOTIFICATION>() == 40);
    assert!(size_of::<EXTENDED_NOTIFICATION>() == 12);
    assert!(size_of::<STATUS_OBJECT_NOTIFICATION>() == 16);
    assert!(size_of::<SRow>() == 12);
};
