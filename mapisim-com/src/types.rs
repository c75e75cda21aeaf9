//! The C types that the interface methods and entry points take, as `#[repr(C)]` Rust types.
//!
//! Three kinds:
//!
//! - **Full structures**, laid out as in the MAPI headers: [`MAPIUID`], [`ENTRYID`],
//!   [`NOTIFKEY`], [`SPropTagArray`], [`MAPIERROR`]. The variable-length ones ([`ENTRYID`],
//!   [`NOTIFKEY`], [`SPropTagArray`]) end in a one-element array, as the headers declare them
//!   with `MAPI_DIM` = 1; their real length travels beside the pointer (a `cb…` argument, `cb`
//!   or `cValues` member), and Rust never reads one by value.
//! - **Opaque structures** ([`SPropValue`], [`SPropProblemArray`], [`MAPINAMEID`],
//!   [`NOTIFICATION`], [`ADRPARM`], [`ADRLIST`], [`ENTRYLIST`]): only ever behind a pointer here.
//!   Each is a distinct zero-sized `#[repr(C)]` type, so a `*mut SPropValue` cannot be passed
//!   where a `*mut NOTIFICATION` is due, but nothing of its layout is declared yet; the layers that
//!   read or write them will declare the fields.
//! - **Aliases** for scalar C types whose Rust form is not obvious: [`LPTSTR`], [`SCODE`],
//!   [`MSCAP_SELECTOR`], and the callback types [`LPFNDISMISS`] and [`LPFNBUTTON`].
//!
//! Interface pointers (`LPMAPISUP`, `LPMDB`, `LPMAPITABLE`, `LPUNKNOWN`, …) are `*mut c_void` in
//! the declarations, as COM passes them; the method documentation names the interface.
#![allow(non_snake_case, non_camel_case_types)]

use core::ffi::c_void;
use core::marker::{PhantomData, PhantomPinned};

use mapisim::ids::MapiUid;

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
    /// `SPropValue`: one property value (tag, padding and a union of every property type).
    /// Opaque here.
    SPropValue;
    /// `SPropProblemArray`: the properties a call could not handle, with their `SCODE`s. Opaque
    /// here.
    SPropProblemArray;
    /// `MAPINAMEID`: a named property's property set and name. Opaque here.
    MAPINAMEID;
    /// `NOTIFICATION`: an event type and a union of the event structures. Opaque here.
    NOTIFICATION;
    /// `ADRPARM`: the parameters of the common address dialog box. Opaque here.
    ADRPARM;
    /// `ADRLIST`: a list of recipients, each an array of property values. Opaque here.
    ADRLIST;
    /// `ENTRYLIST` (`SBinaryArray`): a list of entry IDs. Opaque here.
    ENTRYLIST;
}
