//! Property values and the structures around them in MAPI's C layout, both ways: Rust values
//! written into MAPI memory as C structures, and C structures read back into Rust values.
//!
//! # Writing
//!
//! [`write_props`] (`SPropValue[]`), [`write_tags`] (`SPropTagArray`), [`write_problems`]
//! (`SPropProblemArray`) and [`write_mapierror`] (`MAPIERROR`) lay a value out as MAPI requires
//! of an output parameter (`GetProps`' `lppPropArray`, `GetPropList`'s `lppPropTagArray`,
//! `SetProps`' `lppProblems`, `GetLastError`'s `lppMAPIError`): the structure in one root block
//! (`MAPIAllocateBuffer`), and every datum it points to (a string with its terminating NUL, a
//! binary's bytes, a GUID, a multi-valued array and each of its elements) in a block of its own
//! linked to that root (`MAPIAllocateMore`). One `MAPIFreeBuffer` of the root frees it all.
//!
//! The memory is the host's: the routines must be on a backend ([`MemRoutines::with_backend`]),
//! whose block addresses ([`MemRoutines::address`]) are the pointers written into the structures.
//! Routines on the simulated heap ([`MemRoutines::new`], a simulator's) have no addresses: every
//! `write_…` function then fails with `MAPI_E_NO_SUPPORT` and allocates nothing. Every byte goes
//! through [`MemRoutines::write`], so the routines keep their account of each block and the
//! backend makes the writes; this module writes nothing through a raw pointer.
//!
//! Each returns the root block. The pointer a shim hands across is
//! `routines.address(root)`; the caller frees the root with one `MAPIFreeBuffer`
//! ([`MemRoutines::free_buffer`]). When anything fails half-way (an allocation, a size that does
//! not fit in 32 bits), the root is freed with every block already linked to it and the error is
//! returned: nothing is left behind.
//!
//! Errors:
//!
//! - `MAPI_E_NO_SUPPORT`: the routines are on the simulated heap (or a block has no address);
//! - `MAPI_E_NOT_ENOUGH_MEMORY`: an allocation failed, or a block or a count does not fit in the
//!   32-bit `ULONG` that MAPI sizes and counts are;
//! - `MAPI_E_INVALID_PARAMETER`: a problem's index does not fit in a `ULONG`, or the routines
//!   refused a block;
//! - `MAPI_E_TYPE_NO_SUPPORT`: a [`PropValue`] variant this module does not know.
//!
//! # Reading
//!
//! [`read_props`], [`read_tags`], [`read_problems`] and [`read_mapierror`] copy a C structure
//! (as a provider receives one from MAPI, such as `SetProps`' `lpPropArray`, or as MAPI receives
//! one from a provider, such as the output of `GetProps`) into owned Rust values. They are
//! `unsafe`: the pointers must be what the C types say (see each function).
//!
//! # One value of each type
//!
//! The value starts at offset 8 of its `SPropValue` (`Value`, after `ulPropTag` and
//! `dwAlignPad`, written 0). On a 64-bit target, with *P* for a pointer to a linked block:
//!
//! | [`PropValue`] | tag type | at 8 | at 16 |
//! |---|---|---|---|
//! | `Null` | `PT_NULL` | `x`: 0 (32 bits) | |
//! | `Long` | `PT_LONG` | `l` (32 bits) | |
//! | `Boolean` | `PT_BOOLEAN` | `b`: 1 or 0 (16 bits) | |
//! | `I8` | `PT_I8` | `li` (64 bits) | |
//! | `String8` | `PT_STRING8` | `lpszA`: *P* to the bytes and a NUL byte | |
//! | `Unicode` | `PT_UNICODE` | `lpszW`: *P* to the UTF-16 code units and a NUL unit | |
//! | `Binary` | `PT_BINARY` | `bin.cb` | `bin.lpb`: *P* to the bytes |
//! | `SysTime` | `PT_SYSTIME` | `ft`: low 32 bits, then high 32 bits | |
//! | `Clsid` | `PT_CLSID` | `lpguid`: *P* to a 16-byte `GUID` | |
//! | `Error` | `PT_ERROR` | `err`: the `SCODE` | |
//! | `Mv…` | `PT_MV_…` | `cValues` | *P* to the values |
//!
//! The values of `PT_MV_LONG`, `PT_MV_I8`, `PT_MV_SYSTIME` and `PT_MV_CLSID` are stored one after
//! the other in one linked block; `PT_MV_STRING8` and `PT_MV_UNICODE` have a block of pointers,
//! each to a linked block holding one string; `PT_MV_BINARY` has a block of `SBinary`, each
//! pointing to a linked block holding its bytes. On a 32-bit target the pointer of a counted value
//! is at 12 and an `SPropValue` is 16 bytes long.
//!
//! # Decisions the headers leave open
//!
//! - **The written tag** is the property ID of [`Prop::tag`] with the type of the value
//!   ([`PropValue::prop_type`]): the member written is chosen by the value, so the tag always
//!   names it. A `Prop` whose tag and value agree is written with its own tag.
//! - **Empty data**: an empty binary and an empty multi-valued array are a count of 0 and a NULL
//!   pointer, with no block; an empty string is a block holding only its NUL.
//! - **Strings are C strings**: each is written whole with a NUL after it, but whoever reads it
//!   (C code, and [`read_props`]) stops at the first NUL, so a value with a NUL inside comes back
//!   cut there. Every other value comes back exactly as it was written: 8-bit bytes that are not
//!   UTF-8 and UTF-16 units with unpaired surrogates included.
//! - **Reading what has no value form**: a property whose type has no [`PropValue`] variant
//!   (`PT_I2`, `PT_DOUBLE`, `PT_CURRENCY`, `PT_OBJECT`, a number that is no type, …) is read as
//!   its tag with the type `PT_ERROR` and the value `MAPI_E_TYPE_NO_SUPPORT`, as `GetProps`
//!   reports a property it cannot return; a property whose pointer is NULL where data is due (a
//!   string, a GUID, a binary of one byte or more, a non-empty multi-valued array or one of its
//!   strings or binaries) is read the same way with `MAPI_E_BAD_VALUE`. The other properties of
//!   the array are read as usual.
//! - **Booleans** are written as 1 or 0 and read as true when not 0.
//! - **Errors** are written as [`MapiError::hresult`] and read with [`MapiError::from_hresult`].
//!
//! ```
//! use mapisim::spi::MemRoutines;
//! use mapisim::MapiError;
//! use mapisim::props::{Prop, PropValue, PR_RESOURCE_FLAGS};
//! use mapisim_com::props::write_props;
//!
//! // The simulated heap has no addresses to write into a C structure.
//! let routines = MemRoutines::new();
//! let props = [Prop { tag: PR_RESOURCE_FLAGS, value: PropValue::Long(2) }];
//! assert_eq!(write_props(&routines, &props), Err(MapiError::NoSupport));
//! assert_eq!(routines.live_blocks(), 0);
//! ```

use core::ffi::{CStr, c_char};
use core::mem::{offset_of, size_of};
use core::slice;

use mapisim::props::{FileTime, Prop, PropTag, PropType, PropValue};
use mapisim::spi::{BufferId, MapiErrorInfo, MemRoutines, PropProblem};
use mapisim::strings::{AnsiString, TString, WideString};
use mapisim::{MapiError, MapiResult};
use uuid::Uuid;
use windows_core::GUID;

use crate::types::{
    FILETIME, LPTSTR, MAPIERROR, PV, SBinary, SPropProblem, SPropProblemArray, SPropTagArray, SPropValue,
};

/// The size of one `SPropValue`.
const PROP_SIZE: usize = size_of::<SPropValue>();
/// Where the value starts in an `SPropValue`.
const VALUE: usize = offset_of!(SPropValue, Value);
/// Where the pointer of a counted value (`SBinary` and every multi-valued array) sits, from the
/// start of the value; its count is at 0.
const COUNTED_POINTER: usize = offset_of!(SBinary, lpb);
/// The size of one `SBinary`.
const SBINARY_SIZE: usize = size_of::<SBinary>();
/// The size of a pointer.
const POINTER_SIZE: usize = size_of::<usize>();
/// Where the tags start in an `SPropTagArray`.
const TAGS: usize = offset_of!(SPropTagArray, aulPropTag);
/// Where the problems start in an `SPropProblemArray`.
const PROBLEMS: usize = offset_of!(SPropProblemArray, aProblem);
/// The size of one `SPropProblem`.
const PROBLEM_SIZE: usize = size_of::<SPropProblem>();

// Every counted member of `_PV` has the layout of `SBinary`: a count at 0, the pointer after it.
const _: () = {
    use crate::types::{
        SBinaryArray, SDateTimeArray, SGuidArray, SLPSTRArray, SLargeIntegerArray, SLongArray, SWStringArray,
    };
    assert!(offset_of!(SBinary, cb) == 0);
    assert!(offset_of!(SLongArray, lpl) == COUNTED_POINTER);
    assert!(offset_of!(SLargeIntegerArray, lpli) == COUNTED_POINTER);
    assert!(offset_of!(SLPSTRArray, lppszA) == COUNTED_POINTER);
    assert!(offset_of!(SWStringArray, lppszW) == COUNTED_POINTER);
    assert!(offset_of!(SBinaryArray, lpbin) == COUNTED_POINTER);
    assert!(offset_of!(SDateTimeArray, lpft) == COUNTED_POINTER);
    assert!(offset_of!(SGuidArray, lpguid) == COUNTED_POINTER);
    assert!(size_of::<FILETIME>() == 8);
    assert!(size_of::<GUID>() == 16);
};

/// `SPropValue[]`: writes `props` as an array of `SPropValue` in one root block, each datum they
/// point to in a block linked to it (see the [module documentation](self) for the layout of each
/// value and the errors), and returns the root. Its address
/// ([`MemRoutines::address`]) is the `LPSPropValue`; one `MAPIFreeBuffer` of it frees everything.
///
/// An empty slice gives a root block of 0 bytes.
#[track_caller]
pub fn write_props(routines: &MemRoutines, props: &[Prop]) -> MapiResult<BufferId> {
    let size = props
        .len()
        .checked_mul(PROP_SIZE)
        .ok_or(MapiError::NotEnoughMemory)?;
    let root = Root::new(routines, size)?;
    let bytes = prop_array(&root, props, size);
    root.finish(bytes)
}

/// Reads `count` property values from the C array at `props` into owned values, in order.
///
/// Strings are read up to their NUL, exactly (8-bit bytes and UTF-16 units as they are);
/// binaries and multi-valued arrays are read for their count. A property whose type has no
/// [`PropValue`] form is read as `PT_ERROR` with `MAPI_E_TYPE_NO_SUPPORT`, and one with a NULL
/// pointer where data is due as `PT_ERROR` with `MAPI_E_BAD_VALUE` (see the [module
/// documentation](self)). A NULL `props` reads as no properties.
///
/// # Safety
///
/// - `props` is NULL, or points to `count` initialised and aligned `SPropValue`s;
/// - in each, the member of `Value` that the tag's type names is initialised, and what it points
///   to is readable: for `PT_STRING8` and `PT_UNICODE` (and each string of `PT_MV_STRING8` and
///   `PT_MV_UNICODE`), NULL or a NUL-terminated string; for `PT_BINARY` (and each `SBinary` of
///   `PT_MV_BINARY`), a count of 0, a NULL pointer, or `cb` bytes; for `PT_CLSID`, NULL or a
///   `GUID`; for a multi-valued type, a count of 0, a NULL pointer or `cValues` aligned values.
///   The members of types this function does not read (those without a [`PropValue`] form) are
///   not looked at;
/// - nothing writes to any of that memory while the function runs.
pub unsafe fn read_props(props: *const SPropValue, count: u32) -> Vec<Prop> {
    if props.is_null() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(count as usize);
    for index in 0..count as usize {
        // SAFETY: the caller guarantees `count` initialised, aligned values at `props`.
        let value = unsafe { props.add(index).read() };
        // SAFETY: the caller guarantees that the member the tag names, and what it points to,
        // are valid.
        out.push(unsafe { read_prop(&value) });
    }
    out
}

/// `SPropTagArray`: writes `tags` as a count and that many tags in one block
/// (`CbNewSPropTagArray(n)` bytes: 4 + 4 × n) and returns it. Errors as the [module
/// documentation](self) says.
#[track_caller]
pub fn write_tags(routines: &MemRoutines, tags: &[PropTag]) -> MapiResult<BufferId> {
    let size = tags
        .len()
        .checked_mul(size_of::<u32>())
        .and_then(|n| n.checked_add(TAGS))
        .ok_or(MapiError::NotEnoughMemory)?;
    let root = Root::new(routines, size)?;
    let bytes = tag_array(tags, size);
    root.finish(bytes)
}

/// Reads the `SPropTagArray` at `tags`: `None` for NULL (which `GetProps` and `CopyTo` take as
/// "every property" and "exclude nothing"), otherwise its tags in order.
///
/// # Safety
///
/// `tags` is NULL, or points to an aligned `SPropTagArray` whose `cValues` tags are all readable,
/// and nothing writes to it while the function runs.
pub unsafe fn read_tags(tags: *const SPropTagArray) -> Option<Vec<PropTag>> {
    if tags.is_null() {
        return None;
    }
    // SAFETY: the caller guarantees a readable, aligned structure at `tags`.
    let count = unsafe { (*tags).cValues } as usize;
    // SAFETY: the tags start `TAGS` bytes into the structure, inside it.
    let first = unsafe { tags.cast::<u8>().add(TAGS) }.cast::<u32>();
    // SAFETY: the caller guarantees `cValues` readable tags there, aligned as the structure is.
    let values = unsafe { slice::from_raw_parts(first, count) };
    Some(values.iter().map(|tag| PropTag(*tag)).collect())
}

/// `SPropProblemArray`: writes `problems` as a count and that many `SPropProblem`s in one block
/// (`CbNewSPropProblemArray(n)` bytes: 4 + 12 × n) and returns it. Each problem's `scode` is its
/// error's `HRESULT`. An index that does not fit in a `ULONG` gives `MAPI_E_INVALID_PARAMETER`;
/// other errors as the [module documentation](self) says.
///
/// An empty slice gives an array with a count of 0; a method that reports no problem may hand
/// back NULL instead and write nothing.
#[track_caller]
pub fn write_problems(routines: &MemRoutines, problems: &[PropProblem]) -> MapiResult<BufferId> {
    let size = problems
        .len()
        .checked_mul(PROBLEM_SIZE)
        .and_then(|n| n.checked_add(PROBLEMS))
        .ok_or(MapiError::NotEnoughMemory)?;
    let root = Root::new(routines, size)?;
    let bytes = problem_array(problems, size);
    root.finish(bytes)
}

/// Reads the `SPropProblemArray` at `problems`: its problems in order, none for NULL (how a
/// method says it had none).
///
/// # Safety
///
/// `problems` is NULL, or points to an aligned `SPropProblemArray` whose `cProblem` problems are
/// all readable, and nothing writes to it while the function runs.
pub unsafe fn read_problems(problems: *const SPropProblemArray) -> Vec<PropProblem> {
    if problems.is_null() {
        return Vec::new();
    }
    // SAFETY: the caller guarantees a readable, aligned structure at `problems`.
    let count = unsafe { (*problems).cProblem } as usize;
    // SAFETY: the problems start `PROBLEMS` bytes into the structure, inside it.
    let first = unsafe { problems.cast::<u8>().add(PROBLEMS) }.cast::<SPropProblem>();
    // SAFETY: the caller guarantees `cProblem` readable problems there, aligned as the structure.
    let values = unsafe { slice::from_raw_parts(first, count) };
    values
        .iter()
        .map(|p| PropProblem {
            index: p.ulIndex as usize,
            tag: PropTag(p.ulPropTag),
            error: MapiError::from_hresult(p.scode),
        })
        .collect()
}

/// `MAPIERROR`: writes `error` in one root block, its two strings (when present) in blocks linked
/// to it, and returns the root; a missing string is a NULL pointer.
///
/// `unicode` is the `MAPI_UNICODE` flag of the call (`GetLastError`'s `ulFlags`): the strings are
/// written in UTF-16 when it is set, in 8 bits otherwise, each with its NUL. A string already in
/// that encoding is written exactly; one in the other encoding is converted through its text
/// ([`TString::to_string_lossy`]: 8-bit bytes read as UTF-8 and written as UTF-16, UTF-16 written
/// as UTF-8 bytes), which is exact for ASCII. Errors as the [module documentation](self) says.
#[track_caller]
pub fn write_mapierror(routines: &MemRoutines, error: &MapiErrorInfo, unicode: bool) -> MapiResult<BufferId> {
    let root = Root::new(routines, size_of::<MAPIERROR>())?;
    let bytes = mapierror(&root, error, unicode);
    root.finish(bytes)
}

/// Reads the `MAPIERROR` at `error`: `None` for NULL. `unicode` is the `MAPI_UNICODE` flag of the
/// call that produced it: its strings are read as UTF-16 ([`TString::Wide`]) when it is set, as 8
/// bits ([`TString::Ansi`]) otherwise, exactly, up to their NUL; a NULL string is `None`.
///
/// # Safety
///
/// `error` is NULL, or points to an initialised, aligned `MAPIERROR` whose `lpszError` and
/// `lpszComponent` are each NULL or a NUL-terminated string of the encoding `unicode` names
/// (aligned to 2 bytes for UTF-16), and nothing writes to any of it while the function runs.
pub unsafe fn read_mapierror(error: *const MAPIERROR, unicode: bool) -> Option<MapiErrorInfo> {
    if error.is_null() {
        return None;
    }
    // SAFETY: the caller guarantees an initialised, aligned MAPIERROR at `error`; it has no
    // destructor, so a copy of it is only its bits.
    let raw = unsafe { error.read() };
    // SAFETY: the caller guarantees that both strings are NULL or valid in the encoding of `unicode`.
    let (text, component) = unsafe {
        (
            tstring(raw.lpszError, unicode),
            tstring(raw.lpszComponent, unicode),
        )
    };
    Some(MapiErrorInfo {
        version: raw.ulVersion,
        error: text,
        component,
        low_level_error: raw.ulLowLevelError,
        context: raw.ulContext,
    })
}

/// A root block being laid out by one of the `write_…` functions, and the blocks linked to it.
pub(crate) struct Root<'a> {
    routines: &'a MemRoutines,
    id: BufferId,
}

impl<'a> Root<'a> {
    /// Allocates the root block of `size` bytes, on routines that have a backend.
    #[track_caller]
    pub(crate) fn new(routines: &'a MemRoutines, size: usize) -> MapiResult<Root<'a>> {
        if !routines.has_backend() {
            return Err(MapiError::NoSupport);
        }
        let block = routines.allocate_buffer(block_size(size)?)?;
        let root = Root { routines, id: block };
        if routines.address(block).is_none() {
            return Err(root.abandon(MapiError::NoSupport));
        }
        Ok(root)
    }

    /// A new block linked to the root, holding `bytes`: its address.
    #[track_caller]
    pub(crate) fn linked(&self, bytes: &[u8]) -> MapiResult<usize> {
        let block = self.routines.allocate_more(block_size(bytes.len())?, self.id)?;
        self.routines.write(block, 0, bytes)?;
        self.routines.address(block).ok_or(MapiError::NoSupport)
    }

    /// Writes the root's bytes and returns the root; on any error, frees it (with every block
    /// linked to it) and returns the error.
    pub(crate) fn finish(self, bytes: MapiResult<Vec<u8>>) -> MapiResult<BufferId> {
        match bytes.and_then(|bytes| self.routines.write(self.id, 0, &bytes)) {
            Ok(()) => Ok(self.id),
            Err(error) => Err(self.abandon(error)),
        }
    }

    /// Frees the root and every block linked to it, and gives back `error`: the first failure is
    /// the one reported.
    pub(crate) fn abandon(&self, error: MapiError) -> MapiError {
        let _ = self.routines.free_buffer(Some(self.id));
        error
    }
}

/// A block size as the `ULONG` of `MAPIAllocateBuffer`.
pub(crate) fn block_size(size: usize) -> MapiResult<u32> {
    u32::try_from(size).map_err(|_| MapiError::NotEnoughMemory)
}

/// A count as a `ULONG` (`cb`, `cValues`, `cProblem`).
pub(crate) fn count(len: usize) -> MapiResult<u32> {
    u32::try_from(len).map_err(|_| MapiError::NotEnoughMemory)
}

/// Copies `value` into `bytes` at `at`.
pub(crate) fn put(bytes: &mut [u8], at: usize, value: &[u8]) {
    bytes[at..at + value.len()].copy_from_slice(value);
}

/// Writes a pointer (an address of the backend) into `bytes` at `at`.
pub(crate) fn put_pointer(bytes: &mut [u8], at: usize, address: usize) {
    put(bytes, at, &address.to_ne_bytes());
}

/// An 8-bit string with its NUL.
pub(crate) fn ansi_z(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 1);
    out.extend_from_slice(bytes);
    out.push(0);
    out
}

/// A UTF-16 string with its NUL, as bytes.
pub(crate) fn wide_z(units: &[u16]) -> Vec<u8> {
    let mut out = Vec::with_capacity((units.len() + 1) * 2);
    for unit in units.iter().chain([&0]) {
        out.extend_from_slice(&unit.to_ne_bytes());
    }
    out
}

/// A `FILETIME`: the low half, then the high half.
fn filetime_bytes(time: FileTime) -> [u8; size_of::<FILETIME>()] {
    let mut out = [0; size_of::<FILETIME>()];
    put(
        &mut out,
        offset_of!(FILETIME, dwLowDateTime),
        &(time.0 as u32).to_ne_bytes(),
    );
    put(
        &mut out,
        offset_of!(FILETIME, dwHighDateTime),
        &((time.0 >> 32) as u32).to_ne_bytes(),
    );
    out
}

/// A `GUID`: `Data1`, `Data2` and `Data3` in the target's byte order, then the 8 bytes of `Data4`.
fn guid_bytes(uuid: &Uuid) -> [u8; size_of::<GUID>()] {
    let guid = GUID::from_u128(uuid.as_u128());
    let mut out = [0; size_of::<GUID>()];
    put(&mut out, offset_of!(GUID, data1), &guid.data1.to_ne_bytes());
    put(&mut out, offset_of!(GUID, data2), &guid.data2.to_ne_bytes());
    put(&mut out, offset_of!(GUID, data3), &guid.data3.to_ne_bytes());
    put(&mut out, offset_of!(GUID, data4), &guid.data4);
    out
}

/// Values of a fixed size, one after the other.
fn packed<const N: usize>(values: impl Iterator<Item = [u8; N]>) -> Vec<u8> {
    values.flatten().collect()
}

/// Writes a counted value (`SBinary` or a multi-valued array) at `at` in `bytes`: the count, and
/// the address of a new linked block holding `data`, or NULL (and no block) when the count is 0.
#[track_caller]
fn put_counted(root: &Root<'_>, bytes: &mut [u8], at: usize, len: usize, data: &[u8]) -> MapiResult<()> {
    put(bytes, at, &count(len)?.to_ne_bytes());
    if len > 0 {
        let address = root.linked(data)?;
        put_pointer(bytes, at + COUNTED_POINTER, address);
    }
    Ok(())
}

/// The bytes of an `SPropValue` array of `size` bytes for `props`.
#[track_caller]
pub(crate) fn prop_array(root: &Root<'_>, props: &[Prop], size: usize) -> MapiResult<Vec<u8>> {
    let mut bytes = vec![0; size];
    for (prop, slot) in props.iter().zip(bytes.chunks_exact_mut(PROP_SIZE)) {
        put_prop(root, prop, slot)?;
    }
    Ok(bytes)
}

/// Writes one property into its `SPropValue` (`slot`, zeroed), and what it points to into blocks
/// linked to the root.
#[track_caller]
fn put_prop(root: &Root<'_>, prop: &Prop, slot: &mut [u8]) -> MapiResult<()> {
    let tag = prop.tag.with_type(prop.value.prop_type());
    put(
        slot,
        offset_of!(SPropValue, ulPropTag),
        &tag.value().to_ne_bytes(),
    );
    match &prop.value {
        PropValue::Null => {}
        PropValue::Long(v) => put(slot, VALUE, &v.to_ne_bytes()),
        PropValue::Boolean(b) => put(slot, VALUE, &u16::from(*b).to_ne_bytes()),
        PropValue::I8(v) => put(slot, VALUE, &v.to_ne_bytes()),
        PropValue::String8(s) => {
            let address = root.linked(&ansi_z(s.as_bytes()))?;
            put_pointer(slot, VALUE, address);
        }
        PropValue::Unicode(s) => {
            let address = root.linked(&wide_z(s.as_units()))?;
            put_pointer(slot, VALUE, address);
        }
        PropValue::Binary(b) => put_counted(root, slot, VALUE, b.len(), b)?,
        PropValue::SysTime(t) => put(slot, VALUE, &filetime_bytes(*t)),
        PropValue::Clsid(g) => {
            let address = root.linked(&guid_bytes(g))?;
            put_pointer(slot, VALUE, address);
        }
        PropValue::Error(e) => put(slot, VALUE, &e.hresult().to_ne_bytes()),
        PropValue::MvLong(v) => {
            let data = packed(v.iter().map(|x| x.to_ne_bytes()));
            put_counted(root, slot, VALUE, v.len(), &data)?;
        }
        PropValue::MvI8(v) => {
            let data = packed(v.iter().map(|x| x.to_ne_bytes()));
            put_counted(root, slot, VALUE, v.len(), &data)?;
        }
        PropValue::MvSysTime(v) => {
            let data = packed(v.iter().map(|t| filetime_bytes(*t)));
            put_counted(root, slot, VALUE, v.len(), &data)?;
        }
        PropValue::MvClsid(v) => {
            let data = packed(v.iter().map(guid_bytes));
            put_counted(root, slot, VALUE, v.len(), &data)?;
        }
        PropValue::MvString8(v) => {
            let mut pointers = Vec::with_capacity(v.len() * POINTER_SIZE);
            for s in v {
                pointers.extend_from_slice(&root.linked(&ansi_z(s.as_bytes()))?.to_ne_bytes());
            }
            put_counted(root, slot, VALUE, v.len(), &pointers)?;
        }
        PropValue::MvUnicode(v) => {
            let mut pointers = Vec::with_capacity(v.len() * POINTER_SIZE);
            for s in v {
                pointers.extend_from_slice(&root.linked(&wide_z(s.as_units()))?.to_ne_bytes());
            }
            put_counted(root, slot, VALUE, v.len(), &pointers)?;
        }
        PropValue::MvBinary(v) => {
            let mut entries = vec![0; v.len() * SBINARY_SIZE];
            for (b, entry) in v.iter().zip(entries.chunks_exact_mut(SBINARY_SIZE)) {
                put_counted(root, entry, 0, b.len(), b)?;
            }
            put_counted(root, slot, VALUE, v.len(), &entries)?;
        }
        _ => return Err(MapiError::TypeNoSupport),
    }
    Ok(())
}

/// The bytes of an `SPropTagArray` of `size` bytes.
pub(crate) fn tag_array(tags: &[PropTag], size: usize) -> MapiResult<Vec<u8>> {
    let mut bytes = vec![0; size];
    put(
        &mut bytes,
        offset_of!(SPropTagArray, cValues),
        &count(tags.len())?.to_ne_bytes(),
    );
    for (tag, slot) in tags.iter().zip(bytes[TAGS..].chunks_exact_mut(size_of::<u32>())) {
        slot.copy_from_slice(&tag.value().to_ne_bytes());
    }
    Ok(bytes)
}

/// The bytes of an `SPropProblemArray` of `size` bytes.
fn problem_array(problems: &[PropProblem], size: usize) -> MapiResult<Vec<u8>> {
    let mut bytes = vec![0; size];
    put(
        &mut bytes,
        offset_of!(SPropProblemArray, cProblem),
        &count(problems.len())?.to_ne_bytes(),
    );
    for (problem, slot) in problems
        .iter()
        .zip(bytes[PROBLEMS..].chunks_exact_mut(PROBLEM_SIZE))
    {
        let index = u32::try_from(problem.index).map_err(|_| MapiError::InvalidParameter)?;
        put(slot, offset_of!(SPropProblem, ulIndex), &index.to_ne_bytes());
        put(
            slot,
            offset_of!(SPropProblem, ulPropTag),
            &problem.tag.value().to_ne_bytes(),
        );
        put(
            slot,
            offset_of!(SPropProblem, scode),
            &problem.error.hresult().to_ne_bytes(),
        );
    }
    Ok(bytes)
}

/// The bytes of a `MAPIERROR`, its strings in blocks linked to the root.
#[track_caller]
pub(crate) fn mapierror(root: &Root<'_>, error: &MapiErrorInfo, unicode: bool) -> MapiResult<Vec<u8>> {
    let mut bytes = vec![0; size_of::<MAPIERROR>()];
    put(
        &mut bytes,
        offset_of!(MAPIERROR, ulVersion),
        &error.version.to_ne_bytes(),
    );
    if let Some(text) = &error.error {
        let address = root.linked(&tstring_z(text, unicode))?;
        put_pointer(&mut bytes, offset_of!(MAPIERROR, lpszError), address);
    }
    if let Some(component) = &error.component {
        let address = root.linked(&tstring_z(component, unicode))?;
        put_pointer(&mut bytes, offset_of!(MAPIERROR, lpszComponent), address);
    }
    put(
        &mut bytes,
        offset_of!(MAPIERROR, ulLowLevelError),
        &error.low_level_error.to_ne_bytes(),
    );
    put(
        &mut bytes,
        offset_of!(MAPIERROR, ulContext),
        &error.context.to_ne_bytes(),
    );
    Ok(bytes)
}

/// An `LPTSTR` with its NUL, in the encoding `unicode` names.
pub(crate) fn tstring_z(text: &TString, unicode: bool) -> Vec<u8> {
    match (text, unicode) {
        (TString::Wide(units), true) => wide_z(units),
        (TString::Ansi(bytes), false) => ansi_z(bytes),
        (other, true) => wide_z(&other.to_string_lossy().encode_utf16().collect::<Vec<_>>()),
        (other, false) => ansi_z(other.to_string_lossy().as_bytes()),
    }
}

/// One property read from its `SPropValue`; see [`read_props`].
///
/// # Safety
///
/// As [`read_props`] requires of one value.
unsafe fn read_prop(value: &SPropValue) -> Prop {
    let tag = PropTag(value.ulPropTag);
    // SAFETY: the caller guarantees that the member the tag names, and what it points to, are
    // valid.
    match unsafe { read_value(tag.prop_type(), &value.Value) } {
        Ok(value) => Prop { tag, value },
        Err(error) => Prop {
            tag: tag.with_type(PropType::ERROR),
            value: PropValue::Error(error),
        },
    }
}

/// The value of type `ty` in `value`: `MAPI_E_TYPE_NO_SUPPORT` for a type without a
/// [`PropValue`] form, `MAPI_E_BAD_VALUE` for a NULL pointer where data is due.
///
/// # Safety
///
/// The member of `value` that `ty` names is initialised, and what it points to is valid, as
/// [`read_props`] requires.
unsafe fn read_value(ty: PropType, value: &PV) -> Result<PropValue, MapiError> {
    // SAFETY: each arm reads only the member that `ty` names, which the caller guarantees is
    // initialised, and follows its pointers only as far as the caller guarantees them readable:
    // to the NUL of a string, for the count of a binary or an array (the helpers turn NULL into
    // MAPI_E_BAD_VALUE before reading).
    unsafe {
        Ok(match ty {
            PropType::NULL => PropValue::Null,
            PropType::LONG => PropValue::Long(value.l),
            PropType::BOOLEAN => PropValue::Boolean(value.b != 0),
            PropType::I8 => PropValue::I8(value.li),
            PropType::STRING8 => PropValue::String8(AnsiString::from_bytes(read_ansi(value.lpszA)?)),
            PropType::UNICODE => PropValue::Unicode(WideString::from_units(read_wide(value.lpszW)?)),
            PropType::BINARY => PropValue::Binary(read_binary(value.bin)?),
            PropType::SYSTIME => PropValue::SysTime(file_time(value.ft)),
            PropType::CLSID => {
                let guid = value.lpguid;
                if guid.is_null() {
                    return Err(MapiError::BadValue);
                }
                PropValue::Clsid(uuid(guid.read()))
            }
            PropType::ERROR => PropValue::Error(MapiError::from_hresult(value.err)),
            PropType::MV_LONG => PropValue::MvLong(array(value.MVl.cValues, value.MVl.lpl)?.to_vec()),
            PropType::MV_I8 => PropValue::MvI8(array(value.MVli.cValues, value.MVli.lpli)?.to_vec()),
            PropType::MV_SYSTIME => PropValue::MvSysTime(
                array(value.MVft.cValues, value.MVft.lpft)?
                    .iter()
                    .map(|t| file_time(*t))
                    .collect(),
            ),
            PropType::MV_CLSID => PropValue::MvClsid(
                array(value.MVguid.cValues, value.MVguid.lpguid)?
                    .iter()
                    .map(|g| uuid(*g))
                    .collect(),
            ),
            PropType::MV_STRING8 => PropValue::MvString8(
                array(value.MVszA.cValues, value.MVszA.lppszA)?
                    .iter()
                    .map(|s| read_ansi(*s).map(AnsiString::from_bytes))
                    .collect::<Result<_, _>>()?,
            ),
            PropType::MV_UNICODE => PropValue::MvUnicode(
                array(value.MVszW.cValues, value.MVszW.lppszW)?
                    .iter()
                    .map(|s| read_wide(*s).map(WideString::from_units))
                    .collect::<Result<_, _>>()?,
            ),
            PropType::MV_BINARY => PropValue::MvBinary(
                array(value.MVbin.cValues, value.MVbin.lpbin)?
                    .iter()
                    .map(|b| read_binary(*b))
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err(MapiError::TypeNoSupport),
        })
    }
}

/// The bytes of a NUL-terminated 8-bit string, without the NUL; NULL is `MAPI_E_BAD_VALUE`.
///
/// # Safety
///
/// `text` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn read_ansi(text: *const u8) -> Result<Vec<u8>, MapiError> {
    if text.is_null() {
        return Err(MapiError::BadValue);
    }
    // SAFETY: the caller guarantees a NUL-terminated string at `text`.
    Ok(unsafe { CStr::from_ptr(text.cast::<c_char>()) }
        .to_bytes()
        .to_vec())
}

/// The code units of a NUL-terminated UTF-16 string, without the NUL; NULL is
/// `MAPI_E_BAD_VALUE`.
///
/// # Safety
///
/// `text` is NULL or points to an aligned, NUL-terminated UTF-16 string.
pub(crate) unsafe fn read_wide(text: *const u16) -> Result<Vec<u16>, MapiError> {
    if text.is_null() {
        return Err(MapiError::BadValue);
    }
    let mut len = 0;
    // SAFETY: the caller guarantees readable units up to and including the NUL, so every unit
    // read here (the NUL at most) is inside the string.
    while unsafe { text.add(len).read() } != 0 {
        len += 1;
    }
    // SAFETY: the `len` units before the NUL were just read.
    Ok(unsafe { slice::from_raw_parts(text, len) }.to_vec())
}

/// The bytes of an `SBinary`: none for a count of 0, `MAPI_E_BAD_VALUE` for a NULL pointer with a
/// count.
///
/// # Safety
///
/// `binary.cb` is 0, or `binary.lpb` is NULL or points to `cb` readable bytes.
unsafe fn read_binary(binary: SBinary) -> Result<Vec<u8>, MapiError> {
    // SAFETY: the caller's guarantee, as `array` requires.
    unsafe { array(binary.cb, binary.lpb) }.map(<[u8]>::to_vec)
}

/// The `count` values at `first`: none for a count of 0, `MAPI_E_BAD_VALUE` for a NULL pointer
/// with a count.
///
/// # Safety
///
/// `count` is 0, or `first` is NULL or points to `count` initialised, aligned values that nothing
/// writes while the slice lives.
pub(crate) unsafe fn array<'a, T>(count: u32, first: *const T) -> Result<&'a [T], MapiError> {
    if count == 0 {
        return Ok(&[]);
    }
    if first.is_null() {
        return Err(MapiError::BadValue);
    }
    // SAFETY: the caller guarantees `count` initialised, aligned values at `first`.
    Ok(unsafe { slice::from_raw_parts(first, count as usize) })
}

/// A `FILETIME` as one 64-bit count.
fn file_time(time: FILETIME) -> FileTime {
    FileTime((u64::from(time.dwHighDateTime) << 32) | u64::from(time.dwLowDateTime))
}

/// A `GUID` as a `Uuid` with the same text.
fn uuid(guid: GUID) -> Uuid {
    Uuid::from_u128(guid.to_u128())
}

/// An `LPTSTR` read in the encoding `unicode` names; `None` for NULL.
///
/// # Safety
///
/// `text` is NULL or a NUL-terminated string of that encoding (aligned for UTF-16).
pub(crate) unsafe fn tstring(text: LPTSTR, unicode: bool) -> Option<TString> {
    // SAFETY: the caller guarantees a string of the encoding `unicode` names, or NULL, which
    // both readers turn into an error before reading.
    unsafe {
        if unicode {
            read_wide(text.cast::<u16>()).ok().map(TString::Wide)
        } else {
            read_ansi(text.cast::<u8>()).ok().map(TString::Ansi)
        }
    }
}
