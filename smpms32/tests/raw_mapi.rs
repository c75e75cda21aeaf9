//! An independent MAPI, written from the reference with nothing of `mapisim-com`: it loads the
//! built library (`libsmpms32.so` beside the test binary's directory), finds its two exports by
//! name, and plays MAPI through raw function pointers and hand-written `#[repr(C)]` vtables: its
//! allocation routines with an account of every live block, an `IMalloc`, a store's
//! `IMAPISupport`, profile sections, and an `IProviderAdmin`, each with an exact reference count.
//!
//! Constants are written out here from the reference, not taken from the crates under test.
#![allow(non_snake_case)]
// The C names, as the headers spell them.
#![allow(clippy::upper_case_acronyms)]

use core::ffi::c_void;
use core::ptr;
use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use libloading::Library;

// ---------------------------------------------------------------------------------------------
// Constants, from the reference.
// ---------------------------------------------------------------------------------------------

type HRESULT = i32;

const S_OK: HRESULT = 0;
const MAPI_E_NO_SUPPORT: HRESULT = 0x8004_0102_u32 as i32;
const MAPI_E_NOT_FOUND: HRESULT = 0x8004_010F_u32 as i32;
const MAPI_E_VERSION: HRESULT = 0x8004_0110_u32 as i32;
const MAPI_E_INVALID_PARAMETER: HRESULT = 0x8007_0057_u32 as i32;
const MAPI_E_INTERFACE_NOT_SUPPORTED: HRESULT = 0x8000_4002_u32 as i32;

const CURRENT_SPI_VERSION: u32 = 0x0001_0010;
const PDK1_SPI_VERSION: u32 = 0x0001_0000;

const MAPI_MODIFY: u32 = 0x0000_0001;
const MDB_WRITE: u32 = 0x0000_0004;
const MDB_NO_DIALOG: u32 = 0x0000_0001;
const LOGOFF_ORDERLY: u32 = 0x0000_0002;
const LOGOFF_COMPLETE: u32 = 0x0001_0000;
const MSG_SERVICE_CREATE: u32 = 2;
const SERVICE_UI_ALLOWED: u32 = 0x0000_0010;

const PT_LONG: u32 = 0x0003;
const PT_STRING8: u32 = 0x001E;
const PT_UNICODE: u32 = 0x001F;
const PT_BINARY: u32 = 0x0102;

const PR_PROVIDER_UID: u32 = 0x300C_0102;
const PR_DISPLAY_NAME_W: u32 = 0x3001_001F;
const PR_ENTRYID: u32 = 0x0FFF_0102;
const PR_RECORD_KEY: u32 = 0x0FF9_0102;
const PR_STATUS_CODE: u32 = 0x3E04_0003;

/// `{l-0000-0000-C000-000000000046}` in memory: Data1 little-endian, then the fixed rest.
const fn ole_guid(l: u32) -> [u8; 16] {
    let d = l.to_le_bytes();
    [d[0], d[1], d[2], d[3], 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46]
}

const IID_IUNKNOWN: [u8; 16] = ole_guid(0x0000_0000);
const IID_IMALLOC: [u8; 16] = ole_guid(0x0000_0002);
const IID_IMAPIPROP: [u8; 16] = ole_guid(0x0002_0303);
const IID_IPROFSECT: [u8; 16] = ole_guid(0x0002_0304);
const IID_IMAPISUP: [u8; 16] = ole_guid(0x0002_030F);
const IID_IPROVIDERADMIN: [u8; 16] = ole_guid(0x0002_0325);

/// `MUIDSTOREWRAP`, the provider UID of a wrapped store entry ID.
const MUIDSTOREWRAP: [u8; 16] = [
    0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A, 0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2,
];

/// The sample's hard-coded MAPIUID (its documentation gives it), the first 16 bytes after the
/// flags of its store entry IDs.
const SAMPLE_PROVIDER_UID: [u8; 16] = *b"mapisim:sample:1";

/// The UID of the store's provider section, which the profile holds as `PR_PROVIDER_UID`.
const SECTION_UID: [u8; 16] = *b"raw-mapi-section";

// ---------------------------------------------------------------------------------------------
// The library and its exports.
// ---------------------------------------------------------------------------------------------

type AllocateBuffer = unsafe extern "system" fn(u32, *mut *mut c_void) -> i32;
type AllocateMore = unsafe extern "system" fn(u32, *mut c_void, *mut *mut c_void) -> i32;
type FreeBuffer = unsafe extern "system" fn(*mut c_void) -> u32;

/// `MSProviderInit` (cdecl).
type MsProviderInit = unsafe extern "C" fn(
    *mut c_void,
    *mut c_void,
    Option<AllocateBuffer>,
    Option<AllocateMore>,
    Option<FreeBuffer>,
    u32,
    u32,
    *mut u32,
    *mut *mut c_void,
) -> HRESULT;

/// `MSGSERVICEENTRY` (stdcall).
type ServiceEntry = unsafe extern "system" fn(
    *mut c_void,
    *mut c_void,
    *mut c_void,
    usize,
    u32,
    u32,
    u32,
    *mut c_void,
    *mut c_void,
    *mut *mut c_void,
) -> HRESULT;

/// The library, loaded once and never unloaded (its exports stay valid for the whole run).
///
/// `cargo test` builds the package's cdylib before its integration tests, but leaves it in
/// `target/<profile>/deps/`, beside the test binary: only `cargo build` copies it up to
/// `target/<profile>/`. So the test binary's own directory is looked at first, and its parent
/// only when the library is not there.
static LIBRARY: LazyLock<Library> = LazyLock::new(|| {
    let exe = std::env::current_exe().expect("the test binary's path");
    let deps = exe.parent().expect("the test binary's directory");
    let name = libloading::library_filename("smpms32");
    let beside: PathBuf = deps.join(&name);
    let path = if beside.exists() {
        beside
    } else {
        deps.join("..").join(&name)
    };
    // SAFETY: the library is this package's own cdylib; its initialisers are Rust's.
    unsafe { Library::new(&path) }.unwrap_or_else(|e| panic!("loading {}: {e}", path.display()))
});

fn ms_provider_init() -> MsProviderInit {
    // SAFETY: `MSProviderInit` is exported with this type (the reference's signature).
    *unsafe { LIBRARY.get::<MsProviderInit>(b"MSProviderInit\0") }.expect("MSProviderInit is exported")
}

fn service_entry() -> ServiceEntry {
    // SAFETY: `ServiceEntry` is exported with this type (the reference's signature).
    *unsafe { LIBRARY.get::<ServiceEntry>(b"ServiceEntry\0") }.expect("ServiceEntry is exported")
}

/// The tests share the allocator's account and the objects' counts: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------------
// MAPI's allocation routines: a root block and the blocks linked to it, freed together. Every
// block has a header holding its size; the account maps each live root to its linked blocks.
// ---------------------------------------------------------------------------------------------

const HEADER: usize = 16;

#[derive(Default)]
struct Account {
    roots: HashMap<usize, Vec<usize>>,
    live: usize,
    refused: u32,
}

static ACCOUNT: LazyLock<Mutex<Account>> = LazyLock::new(Mutex::default);

fn block_layout(size: usize) -> Layout {
    Layout::from_size_align(HEADER + size, HEADER).expect("a block of a sane size")
}

fn raw_block(size: u32) -> *mut c_void {
    let size = size as usize;
    // SAFETY: the layout is never empty (it has the header).
    let base = unsafe { alloc_zeroed(block_layout(size)) };
    assert!(!base.is_null(), "out of memory");
    // SAFETY: the header is 16 aligned bytes at `base`, room for the size; the block follows it.
    unsafe {
        base.cast::<usize>().write(size);
        base.add(HEADER).cast()
    }
}

fn raw_free(block: usize) {
    let base = (block - HEADER) as *mut u8;
    // SAFETY: `block` came from `raw_block`, whose header holds its size; it is freed once (the
    // account drops it first).
    unsafe {
        let size = base.cast::<usize>().read();
        dealloc(base, block_layout(size));
    }
}

unsafe extern "system" fn MAPIAllocateBuffer(cbSize: u32, lppBuffer: *mut *mut c_void) -> i32 {
    if lppBuffer.is_null() {
        return MAPI_E_INVALID_PARAMETER;
    }
    let block = raw_block(cbSize);
    let mut account = lock(&ACCOUNT);
    account.roots.insert(block as usize, Vec::new());
    account.live += 1;
    // SAFETY: not NULL; the caller gives a valid out-pointer.
    unsafe { lppBuffer.write(block) };
    S_OK
}

unsafe extern "system" fn MAPIAllocateMore(
    cbSize: u32,
    lpObject: *mut c_void,
    lppBuffer: *mut *mut c_void,
) -> i32 {
    let mut account = lock(&ACCOUNT);
    if lppBuffer.is_null() || !account.roots.contains_key(&(lpObject as usize)) {
        account.refused += 1;
        return MAPI_E_INVALID_PARAMETER;
    }
    let block = raw_block(cbSize);
    account
        .roots
        .entry(lpObject as usize)
        .or_default()
        .push(block as usize);
    account.live += 1;
    // SAFETY: not NULL; the caller gives a valid out-pointer.
    unsafe { lppBuffer.write(block) };
    S_OK
}

unsafe extern "system" fn MAPIFreeBuffer(lpBuffer: *mut c_void) -> u32 {
    if lpBuffer.is_null() {
        return 0;
    }
    let mut account = lock(&ACCOUNT);
    let Some(linked) = account.roots.remove(&(lpBuffer as usize)) else {
        account.refused += 1;
        return MAPI_E_INVALID_PARAMETER as u32;
    };
    account.live -= linked.len() + 1;
    drop(account);
    for block in linked {
        raw_free(block);
    }
    raw_free(lpBuffer as usize);
    0
}

/// The live blocks and the refused calls.
fn blocks() -> (usize, u32) {
    let account = lock(&ACCOUNT);
    (account.live, account.refused)
}

/// A new root block holding `bytes`.
fn allocate_bytes(bytes: &[u8]) -> *mut c_void {
    let mut block = ptr::null_mut();
    // SAFETY: a valid out-pointer.
    let hr = unsafe { MAPIAllocateBuffer(bytes.len() as u32, &mut block) };
    assert_eq!(hr, S_OK);
    // SAFETY: the block has room for `bytes`.
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), block.cast::<u8>(), bytes.len()) };
    block
}

/// A new block linked to `root`, holding `bytes`.
fn allocate_more(root: *mut c_void, bytes: &[u8]) -> *mut c_void {
    let mut block = ptr::null_mut();
    // SAFETY: `root` is a live root; a valid out-pointer.
    let hr = unsafe { MAPIAllocateMore(bytes.len() as u32, root, &mut block) };
    assert_eq!(hr, S_OK);
    // SAFETY: the block has room for `bytes`.
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), block.cast::<u8>(), bytes.len()) };
    block
}

// ---------------------------------------------------------------------------------------------
// Property values in their C layout.
// ---------------------------------------------------------------------------------------------

#[repr(C)]
#[derive(Clone, Copy)]
struct SBinary {
    cb: u32,
    lpb: *mut u8,
}

/// `union _PV`, reduced to the members read and written here; its size and alignment are those
/// of the full union (an `SBinary` or a 64-bit integer, whichever is larger).
#[repr(C)]
#[derive(Clone, Copy)]
union PropUnion {
    l: u32,
    bin: SBinary,
    lpsz: *mut u8,
    li: i64,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct SPropValue {
    ulPropTag: u32,
    dwAlignPad: u32,
    value: PropUnion,
}

/// A property as this MAPI keeps it.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Long(u32),
    Binary(Vec<u8>),
    Unicode(Vec<u16>),
    Ansi(Vec<u8>),
    /// A type this MAPI does not keep.
    Other,
}

/// Reads `count` values at `props`.
///
/// # Safety
///
/// `props` points to `count` values laid out by the headers, each string NUL-terminated and each
/// binary valid for its size.
unsafe fn read_props(props: *const SPropValue, count: u32) -> Vec<(u32, Value)> {
    (0..count as usize)
        .map(|i| {
            // SAFETY: `i` < `count` (the caller's contract).
            let prop = unsafe { props.add(i).read() };
            let value = match prop.ulPropTag & 0xFFFF {
                // SAFETY: the member the type names (the caller's contract), for each arm.
                PT_LONG => Value::Long(unsafe { prop.value.l }),
                PT_BINARY => {
                    // SAFETY: as above.
                    let bin = unsafe { prop.value.bin };
                    Value::Binary(if bin.cb == 0 {
                        Vec::new()
                    } else {
                        // SAFETY: `cb` readable bytes (the caller's contract).
                        unsafe { std::slice::from_raw_parts(bin.lpb, bin.cb as usize) }.to_vec()
                    })
                }
                PT_UNICODE => {
                    // SAFETY: as above.
                    let units = unsafe { prop.value.lpsz }.cast::<u16>();
                    let mut len = 0;
                    // SAFETY: NUL-terminated (the caller's contract).
                    while unsafe { units.add(len).read() } != 0 {
                        len += 1;
                    }
                    // SAFETY: `len` readable units.
                    Value::Unicode(unsafe { std::slice::from_raw_parts(units, len) }.to_vec())
                }
                PT_STRING8 => {
                    // SAFETY: as above; NUL-terminated.
                    let text = unsafe { core::ffi::CStr::from_ptr(prop.value.lpsz.cast()) };
                    Value::Ansi(text.to_bytes().to_vec())
                }
                _ => Value::Other,
            };
            (prop.ulPropTag, value)
        })
        .collect()
}

/// Lays `props` out in MAPI memory: one root array, each datum in a block linked to it.
fn write_props(props: &[(u32, Value)]) -> *mut SPropValue {
    let size = props.len() * size_of::<SPropValue>();
    let mut root = ptr::null_mut();
    // SAFETY: a valid out-pointer.
    assert_eq!(unsafe { MAPIAllocateBuffer(size as u32, &mut root) }, S_OK);
    let array = root.cast::<SPropValue>();
    for (i, (tag, value)) in props.iter().enumerate() {
        let value = match value {
            Value::Long(l) => PropUnion { l: *l },
            Value::Binary(bytes) => PropUnion {
                bin: SBinary {
                    cb: bytes.len() as u32,
                    lpb: if bytes.is_empty() {
                        ptr::null_mut()
                    } else {
                        allocate_more(root, bytes).cast()
                    },
                },
            },
            Value::Unicode(units) => {
                let bytes: Vec<u8> = units.iter().chain(&[0]).flat_map(|u| u.to_ne_bytes()).collect();
                PropUnion {
                    lpsz: allocate_more(root, &bytes).cast(),
                }
            }
            Value::Ansi(text) => {
                let bytes: Vec<u8> = text.iter().copied().chain([0]).collect();
                PropUnion {
                    lpsz: allocate_more(root, &bytes).cast(),
                }
            }
            Value::Other => PropUnion { li: 0 },
        };
        let prop = SPropValue {
            ulPropTag: *tag,
            dwAlignPad: 0,
            value,
        };
        // SAFETY: the root has room for `props.len()` aligned values (MAPI's blocks are aligned
        // to 16).
        unsafe { array.add(i).write(prop) };
    }
    array
}

// ---------------------------------------------------------------------------------------------
// COM plumbing: IUnknown and a counted object.
// ---------------------------------------------------------------------------------------------

type QueryInterface = unsafe extern "system" fn(*mut c_void, *const [u8; 16], *mut *mut c_void) -> HRESULT;
type AddRef = unsafe extern "system" fn(*mut c_void) -> u32;
type Release = unsafe extern "system" fn(*mut c_void) -> u32;

#[repr(C)]
struct UnknownVtbl {
    QueryInterface: QueryInterface,
    AddRef: AddRef,
    Release: Release,
}

/// An object of this MAPI: its vtable pointer first, as COM lays it out, then its count and the
/// interfaces it answers for. The tests' own objects are statics, which keep one reference of
/// their own and are never freed; profile sections are boxed and freed at their final release.
#[repr(C)]
struct Object<V: 'static> {
    vtbl: &'static V,
    refs: AtomicU32,
    iids: &'static [[u8; 16]],
    /// The profile section's key, for sections.
    key: [u8; 16],
    boxed: bool,
}

impl<V: 'static> Object<V> {
    const fn new(vtbl: &'static V, iids: &'static [[u8; 16]]) -> Object<V> {
        Object {
            vtbl,
            refs: AtomicU32::new(1),
            iids,
            key: [0; 16],
            boxed: false,
        }
    }

    fn as_raw(&'static self) -> *mut c_void {
        ptr::from_ref(self).cast_mut().cast()
    }

    fn count(&self) -> u32 {
        self.refs.load(Ordering::SeqCst)
    }
}

/// The object behind `this`.
///
/// # Safety
///
/// `this` is a live `Object<V>` of this MAPI.
unsafe fn object<'a, V: 'static>(this: *mut c_void) -> &'a Object<V> {
    // SAFETY: the caller's contract.
    unsafe { &*this.cast::<Object<V>>() }
}

unsafe extern "system" fn query_interface<V: 'static>(
    this: *mut c_void,
    riid: *const [u8; 16],
    ppv: *mut *mut c_void,
) -> HRESULT {
    if riid.is_null() || ppv.is_null() {
        return MAPI_E_INVALID_PARAMETER;
    }
    // SAFETY: `this` is one of this MAPI's objects; `riid` and `ppv` are valid (checked non-NULL).
    unsafe {
        let object = object::<V>(this);
        if *riid == IID_IUNKNOWN || object.iids.contains(&*riid) {
            object.refs.fetch_add(1, Ordering::SeqCst);
            ppv.write(this);
            S_OK
        } else {
            ppv.write(ptr::null_mut());
            MAPI_E_INTERFACE_NOT_SUPPORTED
        }
    }
}

unsafe extern "system" fn add_ref<V: 'static>(this: *mut c_void) -> u32 {
    // SAFETY: `this` is one of this MAPI's objects.
    unsafe { object::<V>(this) }.refs.fetch_add(1, Ordering::SeqCst) + 1
}

/// Live profile sections.
static SECTIONS_ALIVE: AtomicUsize = AtomicUsize::new(0);

unsafe extern "system" fn release<V: 'static>(this: *mut c_void) -> u32 {
    // SAFETY: `this` is one of this MAPI's objects.
    let object = unsafe { object::<V>(this) };
    let previous = object.refs.fetch_sub(1, Ordering::SeqCst);
    assert!(previous > 0, "a Release too many");
    if previous == 1 && object.boxed {
        SECTIONS_ALIVE.fetch_sub(1, Ordering::SeqCst);
        // SAFETY: a boxed object (a section) whose count reached zero: nothing else uses it.
        drop(unsafe { Box::from_raw(this.cast::<Object<V>>()) });
    }
    previous - 1
}

const fn unknown<V: 'static>() -> UnknownVtbl {
    UnknownVtbl {
        QueryInterface: query_interface::<V>,
        AddRef: add_ref::<V>,
        Release: release::<V>,
    }
}

/// Writes one `unsafe extern "system"` function per unsupported slot, with the slot's exact
/// parameters, answering `MAPI_E_NO_SUPPORT`.
macro_rules! no_support {
    ($($name:ident($($ty:ty),*);)*) => {
        $(
            unsafe extern "system" fn $name(_: *mut c_void $(, _: $ty)*) -> HRESULT {
                MAPI_E_NO_SUPPORT
            }
        )*
    };
}

type P = *mut c_void;

// ---------------------------------------------------------------------------------------------
// The profile: sections by key, and what the support object was asked.
// ---------------------------------------------------------------------------------------------

/// The key of the store's own section (opened with a NULL UID).
const OWN: [u8; 16] = [0; 16];

#[derive(Default)]
struct Profile {
    sections: HashMap<[u8; 16], Vec<(u32, Value)>>,
    mem_alloc_routines: u32,
    provider_uids: Vec<[u8; 16]>,
    status_rows: Vec<(u32, Vec<(u32, Value)>)>,
    modify_profile: Vec<u32>,
    logoff_transports: Vec<u32>,
    wrapped: Vec<Vec<u8>>,
}

static PROFILE: LazyLock<Mutex<Profile>> = LazyLock::new(Mutex::default);

fn profile() -> MutexGuard<'static, Profile> {
    lock(&PROFILE)
}

/// A fresh profile: the store's section holds its `PR_PROVIDER_UID`.
fn reset_profile() {
    let mut p = profile();
    *p = Profile::default();
    p.sections
        .insert(OWN, vec![(PR_PROVIDER_UID, Value::Binary(SECTION_UID.to_vec()))]);
}

// ---------------------------------------------------------------------------------------------
// IProfSect (IMAPIProp's 14 slots).
// ---------------------------------------------------------------------------------------------

#[repr(C)]
struct ProfSectVtbl {
    unknown: UnknownVtbl,
    GetLastError: unsafe extern "system" fn(P, HRESULT, u32, *mut P) -> HRESULT,
    SaveChanges: unsafe extern "system" fn(P, u32) -> HRESULT,
    GetProps: unsafe extern "system" fn(P, P, u32, *mut u32, *mut *mut SPropValue) -> HRESULT,
    GetPropList: unsafe extern "system" fn(P, u32, *mut P) -> HRESULT,
    OpenProperty: unsafe extern "system" fn(P, u32, P, u32, u32, *mut P) -> HRESULT,
    SetProps: unsafe extern "system" fn(P, u32, *mut SPropValue, *mut P) -> HRESULT,
    DeleteProps: unsafe extern "system" fn(P, P, *mut P) -> HRESULT,
    CopyTo: unsafe extern "system" fn(P, u32, P, P, usize, P, P, P, u32, *mut P) -> HRESULT,
    CopyProps: unsafe extern "system" fn(P, P, usize, P, P, P, u32, *mut P) -> HRESULT,
    GetNamesFromIDs: unsafe extern "system" fn(P, *mut P, P, u32, *mut u32, *mut P) -> HRESULT,
    GetIDsFromNames: unsafe extern "system" fn(P, u32, *mut P, u32, *mut P) -> HRESULT,
}

no_support! {
    sect_get_last_error(HRESULT, u32, *mut P);
    sect_get_prop_list(u32, *mut P);
    sect_open_property(u32, P, u32, u32, *mut P);
    sect_delete_props(P, *mut P);
    sect_copy_to(u32, P, P, usize, P, P, P, u32, *mut P);
    sect_copy_props(P, usize, P, P, P, u32, *mut P);
    sect_get_names_from_ids(*mut P, P, u32, *mut u32, *mut P);
    sect_get_ids_from_names(u32, *mut P, u32, *mut P);
}

unsafe extern "system" fn sect_save_changes(_: P, _: u32) -> HRESULT {
    S_OK
}

/// `GetProps` with a NULL tag array (every property, what the sample asks); a tag array gives
/// `MAPI_E_NO_SUPPORT`, since nothing here asks for one.
unsafe extern "system" fn sect_get_props(
    this: P,
    lpPropTagArray: P,
    _: u32,
    lpcValues: *mut u32,
    lppPropArray: *mut *mut SPropValue,
) -> HRESULT {
    if lpcValues.is_null() || lppPropArray.is_null() {
        return MAPI_E_INVALID_PARAMETER;
    }
    if !lpPropTagArray.is_null() {
        return MAPI_E_NO_SUPPORT;
    }
    // SAFETY: `this` is a live section.
    let key = unsafe { object::<ProfSectVtbl>(this) }.key;
    let props = profile().sections.get(&key).cloned().unwrap_or_default();
    let array = write_props(&props);
    // SAFETY: valid out-pointers (checked non-NULL).
    unsafe {
        lpcValues.write(props.len() as u32);
        lppPropArray.write(array);
    }
    S_OK
}

unsafe extern "system" fn sect_set_props(
    this: P,
    cValues: u32,
    lpPropArray: *mut SPropValue,
    lppProblems: *mut P,
) -> HRESULT {
    if cValues > 0 && lpPropArray.is_null() {
        return MAPI_E_INVALID_PARAMETER;
    }
    // SAFETY: `this` is a live section; `cValues` values at `lpPropArray` (SetProps' contract).
    let (key, props) = unsafe { (object::<ProfSectVtbl>(this).key, read_props(lpPropArray, cValues)) };
    let mut p = profile();
    let bag = p.sections.entry(key).or_default();
    for (tag, value) in props {
        bag.retain(|(t, _)| t >> 16 != tag >> 16);
        bag.push((tag, value));
    }
    if !lppProblems.is_null() {
        // SAFETY: a valid out-pointer (checked non-NULL): no problems.
        unsafe { lppProblems.write(ptr::null_mut()) };
    }
    S_OK
}

static PROFSECT_VTBL: ProfSectVtbl = ProfSectVtbl {
    unknown: unknown::<ProfSectVtbl>(),
    GetLastError: sect_get_last_error,
    SaveChanges: sect_save_changes,
    GetProps: sect_get_props,
    GetPropList: sect_get_prop_list,
    OpenProperty: sect_open_property,
    SetProps: sect_set_props,
    DeleteProps: sect_delete_props,
    CopyTo: sect_copy_to,
    CopyProps: sect_copy_props,
    GetNamesFromIDs: sect_get_names_from_ids,
    GetIDsFromNames: sect_get_ids_from_names,
};

/// A new section object with one reference, for the caller.
fn open_section(key: [u8; 16]) -> P {
    SECTIONS_ALIVE.fetch_add(1, Ordering::SeqCst);
    let mut section = Object::new(&PROFSECT_VTBL, &[IID_IMAPIPROP, IID_IPROFSECT]);
    section.key = key;
    section.boxed = true;
    Box::into_raw(Box::new(section)).cast()
}

// ---------------------------------------------------------------------------------------------
// IMAPISupport: all 44 slots, in the reference's order.
// ---------------------------------------------------------------------------------------------

#[repr(C)]
struct SupportVtbl {
    unknown: UnknownVtbl,
    GetLastError: unsafe extern "system" fn(P, HRESULT, u32, *mut P) -> HRESULT,
    GetMemAllocRoutines: unsafe extern "system" fn(
        P,
        *mut Option<AllocateBuffer>,
        *mut Option<AllocateMore>,
        *mut Option<FreeBuffer>,
    ) -> HRESULT,
    Subscribe: unsafe extern "system" fn(P, P, u32, u32, P, *mut usize) -> HRESULT,
    Unsubscribe: unsafe extern "system" fn(P, usize) -> HRESULT,
    Notify: unsafe extern "system" fn(P, P, u32, P, *mut u32) -> HRESULT,
    ModifyStatusRow: unsafe extern "system" fn(P, u32, *mut SPropValue, u32) -> HRESULT,
    OpenProfileSection: unsafe extern "system" fn(P, *mut [u8; 16], u32, *mut P) -> HRESULT,
    RegisterPreprocessor: unsafe extern "system" fn(P, P, P, P, P, P, u32) -> HRESULT,
    NewUID: unsafe extern "system" fn(P, P) -> HRESULT,
    MakeInvalid: unsafe extern "system" fn(P, u32, P, u32, u32) -> HRESULT,
    SpoolerYield: unsafe extern "system" fn(P, u32) -> HRESULT,
    SpoolerNotify: unsafe extern "system" fn(P, u32, P) -> HRESULT,
    CreateOneOff: unsafe extern "system" fn(P, P, P, P, u32, *mut u32, *mut P) -> HRESULT,
    SetProviderUID: unsafe extern "system" fn(P, *mut [u8; 16], u32) -> HRESULT,
    CompareEntryIDs: unsafe extern "system" fn(P, u32, P, u32, P, u32, *mut u32) -> HRESULT,
    OpenTemplateID: unsafe extern "system" fn(P, u32, P, u32, P, P, *mut P, P) -> HRESULT,
    OpenEntry: unsafe extern "system" fn(P, u32, P, P, u32, *mut u32, *mut P) -> HRESULT,
    GetOneOffTable: unsafe extern "system" fn(P, u32, *mut P) -> HRESULT,
    Address: unsafe extern "system" fn(P, *mut usize, P, *mut P) -> HRESULT,
    Details: unsafe extern "system" fn(P, *mut usize, P, P, u32, P, P, P, P, u32) -> HRESULT,
    NewEntry: unsafe extern "system" fn(P, usize, u32, u32, P, u32, P, *mut u32, *mut P) -> HRESULT,
    DoConfigPropsheet: unsafe extern "system" fn(P, usize, u32, P, P, P, u32) -> HRESULT,
    CopyMessages: unsafe extern "system" fn(P, P, P, P, P, P, usize, P, u32) -> HRESULT,
    CopyFolder: unsafe extern "system" fn(P, P, P, u32, P, P, P, P, usize, P, u32) -> HRESULT,
    DoCopyTo: unsafe extern "system" fn(P, P, P, u32, P, P, usize, P, P, P, u32, *mut P) -> HRESULT,
    DoCopyProps: unsafe extern "system" fn(P, P, P, P, usize, P, P, P, u32, *mut P) -> HRESULT,
    DoProgressDialog: unsafe extern "system" fn(P, usize, u32, *mut P) -> HRESULT,
    ReadReceipt: unsafe extern "system" fn(P, u32, P, *mut P) -> HRESULT,
    PrepareSubmit: unsafe extern "system" fn(P, P, *mut u32) -> HRESULT,
    ExpandRecips: unsafe extern "system" fn(P, P, *mut u32) -> HRESULT,
    UpdatePAB: unsafe extern "system" fn(P, u32, P) -> HRESULT,
    DoSentMail: unsafe extern "system" fn(P, u32, P) -> HRESULT,
    OpenAddressBook: unsafe extern "system" fn(P, P, u32, *mut P) -> HRESULT,
    Preprocess: unsafe extern "system" fn(P, u32, u32, P) -> HRESULT,
    CompleteMsg: unsafe extern "system" fn(P, u32, u32, P) -> HRESULT,
    StoreLogoffTransports: unsafe extern "system" fn(P, *mut u32) -> HRESULT,
    StatusRecips: unsafe extern "system" fn(P, P, P) -> HRESULT,
    WrapStoreEntryID: unsafe extern "system" fn(P, u32, P, *mut u32, *mut P) -> HRESULT,
    ModifyProfile: unsafe extern "system" fn(P, u32) -> HRESULT,
    IStorageFromStream: unsafe extern "system" fn(P, P, P, u32, *mut P) -> HRESULT,
    GetSvcConfigSupportObj: unsafe extern "system" fn(P, u32, *mut P) -> HRESULT,
}

no_support! {
    sup_get_last_error(HRESULT, u32, *mut P);
    sup_subscribe(P, u32, u32, P, *mut usize);
    sup_unsubscribe(usize);
    sup_notify(P, u32, P, *mut u32);
    sup_register_preprocessor(P, P, P, P, P, u32);
    sup_new_uid(P);
    sup_make_invalid(u32, P, u32, u32);
    sup_spooler_yield(u32);
    sup_spooler_notify(u32, P);
    sup_create_one_off(P, P, P, u32, *mut u32, *mut P);
    sup_compare_entry_ids(u32, P, u32, P, u32, *mut u32);
    sup_open_template_id(u32, P, u32, P, P, *mut P, P);
    sup_open_entry(u32, P, P, u32, *mut u32, *mut P);
    sup_get_one_off_table(u32, *mut P);
    sup_address(*mut usize, P, *mut P);
    sup_details(*mut usize, P, P, u32, P, P, P, P, u32);
    sup_new_entry(usize, u32, u32, P, u32, P, *mut u32, *mut P);
    sup_do_config_propsheet(usize, u32, P, P, P, u32);
    sup_copy_messages(P, P, P, P, P, usize, P, u32);
    sup_copy_folder(P, P, u32, P, P, P, P, usize, P, u32);
    sup_do_copy_to(P, P, u32, P, P, usize, P, P, P, u32, *mut P);
    sup_do_copy_props(P, P, P, usize, P, P, P, u32, *mut P);
    sup_do_progress_dialog(usize, u32, *mut P);
    sup_read_receipt(u32, P, *mut P);
    sup_prepare_submit(P, *mut u32);
    sup_expand_recips(P, *mut u32);
    sup_update_pab(u32, P);
    sup_do_sent_mail(u32, P);
    sup_open_address_book(P, u32, *mut P);
    sup_preprocess(u32, u32, P);
    sup_complete_msg(u32, u32, P);
    sup_status_recips(P, P);
    sup_istorage_from_stream(P, P, u32, *mut P);
    sup_get_svc_config_support_obj(u32, *mut P);
}

unsafe extern "system" fn sup_get_mem_alloc_routines(
    _: P,
    lpAllocateBuffer: *mut Option<AllocateBuffer>,
    lpAllocateMore: *mut Option<AllocateMore>,
    lpFreeBuffer: *mut Option<FreeBuffer>,
) -> HRESULT {
    if lpAllocateBuffer.is_null() || lpAllocateMore.is_null() || lpFreeBuffer.is_null() {
        return MAPI_E_INVALID_PARAMETER;
    }
    profile().mem_alloc_routines += 1;
    // SAFETY: three valid out-pointers (checked non-NULL).
    unsafe {
        lpAllocateBuffer.write(Some(MAPIAllocateBuffer));
        lpAllocateMore.write(Some(MAPIAllocateMore));
        lpFreeBuffer.write(Some(MAPIFreeBuffer));
    }
    S_OK
}

unsafe extern "system" fn sup_modify_status_row(
    _: P,
    cValues: u32,
    lpColumnVals: *mut SPropValue,
    ulFlags: u32,
) -> HRESULT {
    if cValues > 0 && lpColumnVals.is_null() {
        return MAPI_E_INVALID_PARAMETER;
    }
    // SAFETY: `cValues` values at `lpColumnVals` (ModifyStatusRow's contract); MAPI copies them.
    let row = unsafe { read_props(lpColumnVals, cValues) };
    profile().status_rows.push((ulFlags, row));
    S_OK
}

unsafe extern "system" fn sup_open_profile_section(
    _: P,
    lpUid: *mut [u8; 16],
    ulFlags: u32,
    lppProfileObj: *mut P,
) -> HRESULT {
    if lppProfileObj.is_null() {
        return MAPI_E_INVALID_PARAMETER;
    }
    let key = if lpUid.is_null() {
        OWN
    } else {
        // SAFETY: not NULL: a MAPIUID.
        unsafe { lpUid.read() }
    };
    {
        let mut p = profile();
        match p.sections.entry(key) {
            Entry::Occupied(_) => {}
            // A read-only open of a missing section fails; MAPI_MODIFY creates it.
            Entry::Vacant(_) if ulFlags & MAPI_MODIFY == 0 => return MAPI_E_NOT_FOUND,
            Entry::Vacant(vacant) => {
                vacant.insert(Vec::new());
            }
        }
    }
    // SAFETY: a valid out-pointer (checked non-NULL); the reference is the caller's.
    unsafe { lppProfileObj.write(open_section(key)) };
    S_OK
}

unsafe extern "system" fn sup_set_provider_uid(_: P, lpProviderID: *mut [u8; 16], ulFlags: u32) -> HRESULT {
    if lpProviderID.is_null() || ulFlags != 0 {
        return MAPI_E_INVALID_PARAMETER;
    }
    // SAFETY: not NULL: a MAPIUID.
    let uid = unsafe { lpProviderID.read() };
    profile().provider_uids.push(uid);
    S_OK
}

unsafe extern "system" fn sup_store_logoff_transports(_: P, lpulFlags: *mut u32) -> HRESULT {
    if lpulFlags.is_null() {
        return MAPI_E_INVALID_PARAMETER;
    }
    // SAFETY: not NULL: the in/out flags.
    let flags = unsafe { lpulFlags.read() };
    profile().logoff_transports.push(flags);
    // No transport is at work: the logoff can complete.
    // SAFETY: as above.
    unsafe { lpulFlags.write(LOGOFF_COMPLETE) };
    S_OK
}

/// The layout of the reference: flags, `MUIDSTOREWRAP`, version and flag bytes, the DLL's base
/// name with its NUL, zeros up to a multiple of 4, then the original entry ID.
unsafe extern "system" fn sup_wrap_store_entry_id(
    _: P,
    cbOrigEntry: u32,
    lpOrigEntry: P,
    lpcbWrappedEntry: *mut u32,
    lppWrappedEntry: *mut P,
) -> HRESULT {
    if lpOrigEntry.is_null() || lpcbWrappedEntry.is_null() || lppWrappedEntry.is_null() {
        return MAPI_E_INVALID_PARAMETER;
    }
    // SAFETY: `cbOrigEntry` readable bytes (WrapStoreEntryID's contract).
    let original = unsafe { std::slice::from_raw_parts(lpOrigEntry.cast::<u8>(), cbOrigEntry as usize) };
    let mut wrapped = vec![0u8; 4];
    wrapped.extend_from_slice(&MUIDSTOREWRAP);
    wrapped.extend_from_slice(&[0, 0]);
    wrapped.extend_from_slice(b"SMPMS.DLL\0");
    while !wrapped.len().is_multiple_of(4) {
        wrapped.push(0);
    }
    wrapped.extend_from_slice(original);
    let block = allocate_bytes(&wrapped);
    profile().wrapped.push(wrapped.clone());
    // SAFETY: valid out-pointers (checked non-NULL); the block is the caller's to free.
    unsafe {
        lpcbWrappedEntry.write(wrapped.len() as u32);
        lppWrappedEntry.write(block);
    }
    S_OK
}

unsafe extern "system" fn sup_modify_profile(_: P, ulFlags: u32) -> HRESULT {
    profile().modify_profile.push(ulFlags);
    S_OK
}

static SUPPORT_VTBL: SupportVtbl = SupportVtbl {
    unknown: unknown::<SupportVtbl>(),
    GetLastError: sup_get_last_error,
    GetMemAllocRoutines: sup_get_mem_alloc_routines,
    Subscribe: sup_subscribe,
    Unsubscribe: sup_unsubscribe,
    Notify: sup_notify,
    ModifyStatusRow: sup_modify_status_row,
    OpenProfileSection: sup_open_profile_section,
    RegisterPreprocessor: sup_register_preprocessor,
    NewUID: sup_new_uid,
    MakeInvalid: sup_make_invalid,
    SpoolerYield: sup_spooler_yield,
    SpoolerNotify: sup_spooler_notify,
    CreateOneOff: sup_create_one_off,
    SetProviderUID: sup_set_provider_uid,
    CompareEntryIDs: sup_compare_entry_ids,
    OpenTemplateID: sup_open_template_id,
    OpenEntry: sup_open_entry,
    GetOneOffTable: sup_get_one_off_table,
    Address: sup_address,
    Details: sup_details,
    NewEntry: sup_new_entry,
    DoConfigPropsheet: sup_do_config_propsheet,
    CopyMessages: sup_copy_messages,
    CopyFolder: sup_copy_folder,
    DoCopyTo: sup_do_copy_to,
    DoCopyProps: sup_do_copy_props,
    DoProgressDialog: sup_do_progress_dialog,
    ReadReceipt: sup_read_receipt,
    PrepareSubmit: sup_prepare_submit,
    ExpandRecips: sup_expand_recips,
    UpdatePAB: sup_update_pab,
    DoSentMail: sup_do_sent_mail,
    OpenAddressBook: sup_open_address_book,
    Preprocess: sup_preprocess,
    CompleteMsg: sup_complete_msg,
    StoreLogoffTransports: sup_store_logoff_transports,
    StatusRecips: sup_status_recips,
    WrapStoreEntryID: sup_wrap_store_entry_id,
    ModifyProfile: sup_modify_profile,
    IStorageFromStream: sup_istorage_from_stream,
    GetSvcConfigSupportObj: sup_get_svc_config_support_obj,
};

/// The store's support object (the test holds its one reference for the whole run).
static SUPPORT: Object<SupportVtbl> = Object::new(&SUPPORT_VTBL, &[IID_IMAPISUP]);

// ---------------------------------------------------------------------------------------------
// IMalloc (9 slots) and IProviderAdmin (8 slots): counted, and allocating nothing.
// ---------------------------------------------------------------------------------------------

#[repr(C)]
struct MallocVtbl {
    unknown: UnknownVtbl,
    Alloc: unsafe extern "system" fn(P, usize) -> P,
    Realloc: unsafe extern "system" fn(P, P, usize) -> P,
    Free: unsafe extern "system" fn(P, P),
    GetSize: unsafe extern "system" fn(P, P) -> usize,
    DidAlloc: unsafe extern "system" fn(P, P) -> i32,
    HeapMinimize: unsafe extern "system" fn(P),
}

/// No memory to give: every allocation fails (NULL), as `IMalloc::Alloc` reports running out.
unsafe extern "system" fn malloc_alloc(_: P, _: usize) -> P {
    ptr::null_mut()
}

unsafe extern "system" fn malloc_realloc(_: P, _: P, _: usize) -> P {
    ptr::null_mut()
}

unsafe extern "system" fn malloc_free(_: P, _: P) {}

unsafe extern "system" fn malloc_get_size(_: P, _: P) -> usize {
    usize::MAX
}

unsafe extern "system" fn malloc_did_alloc(_: P, _: P) -> i32 {
    0
}

unsafe extern "system" fn malloc_heap_minimize(_: P) {}

static MALLOC_VTBL: MallocVtbl = MallocVtbl {
    unknown: unknown::<MallocVtbl>(),
    Alloc: malloc_alloc,
    Realloc: malloc_realloc,
    Free: malloc_free,
    GetSize: malloc_get_size,
    DidAlloc: malloc_did_alloc,
    HeapMinimize: malloc_heap_minimize,
};

static MALLOC: Object<MallocVtbl> = Object::new(&MALLOC_VTBL, &[IID_IMALLOC]);

#[repr(C)]
struct AdminVtbl {
    unknown: UnknownVtbl,
    GetLastError: unsafe extern "system" fn(P, HRESULT, u32, *mut P) -> HRESULT,
    GetProviderTable: unsafe extern "system" fn(P, u32, *mut P) -> HRESULT,
    CreateProvider: unsafe extern "system" fn(P, P, u32, P, usize, u32, P) -> HRESULT,
    DeleteProvider: unsafe extern "system" fn(P, P) -> HRESULT,
    OpenProfileSection: unsafe extern "system" fn(P, P, P, u32, *mut P) -> HRESULT,
}

no_support! {
    admin_get_last_error(HRESULT, u32, *mut P);
    admin_get_provider_table(u32, *mut P);
    admin_create_provider(P, u32, P, usize, u32, P);
    admin_delete_provider(P);
    admin_open_profile_section(P, P, u32, *mut P);
}

static ADMIN_VTBL: AdminVtbl = AdminVtbl {
    unknown: unknown::<AdminVtbl>(),
    GetLastError: admin_get_last_error,
    GetProviderTable: admin_get_provider_table,
    CreateProvider: admin_create_provider,
    DeleteProvider: admin_delete_provider,
    OpenProfileSection: admin_open_profile_section,
};

static ADMIN: Object<AdminVtbl> = Object::new(&ADMIN_VTBL, &[IID_IPROVIDERADMIN]);

// ---------------------------------------------------------------------------------------------
// The provider's objects, called through the slots this MAPI uses (the vtables are longer).
// ---------------------------------------------------------------------------------------------

/// `IMSProvider`: 7 slots.
#[repr(C)]
struct MsProviderVtbl {
    unknown: UnknownVtbl,
    Shutdown: unsafe extern "system" fn(P, *mut u32) -> HRESULT,
    Logon: unsafe extern "system" fn(
        P,
        P,
        usize,
        *mut u8,
        u32,
        *mut u8,
        u32,
        *const [u8; 16],
        *mut u32,
        *mut *mut u8,
        *mut P,
        *mut P,
        *mut P,
    ) -> HRESULT,
    SpoolerLogon: unsafe extern "system" fn(
        P,
        P,
        usize,
        *mut u8,
        u32,
        *mut u8,
        u32,
        *const [u8; 16],
        u32,
        *mut u8,
        *mut P,
        *mut P,
        *mut P,
    ) -> HRESULT,
    CompareStoreIDs: unsafe extern "system" fn(P, u32, *mut u8, u32, *mut u8, u32, *mut u32) -> HRESULT,
}

/// `IMSLogon`, up to `Logoff` (slot 4).
#[repr(C)]
struct MsLogonVtbl {
    unknown: UnknownVtbl,
    GetLastError: unsafe extern "system" fn(P, HRESULT, u32, *mut P) -> HRESULT,
    Logoff: unsafe extern "system" fn(P, *mut u32) -> HRESULT,
}

/// `IMsgStore`, up to `StoreLogoff` (slot 21): IMAPIProp's slots 3–13 and the store's 14–20
/// are not called here.
#[repr(C)]
struct MsgStoreVtbl {
    unknown: UnknownVtbl,
    _slots_3_to_20: [*const c_void; 18],
    StoreLogoff: unsafe extern "system" fn(P, *mut u32) -> HRESULT,
}

/// The vtable of a COM object the library returned.
///
/// # Safety
///
/// `this` is a live object whose vtable starts with `V`'s slots.
unsafe fn vtbl<'a, V>(this: P) -> &'a V {
    // SAFETY: a COM object starts with its vtable pointer (the caller's contract).
    unsafe { &**this.cast::<*const V>() }
}

/// `Release` on an object of the library; returns the count it reports.
///
/// # Safety
///
/// `this` is a live COM object of which the caller owns a reference.
unsafe fn release_object(this: P) -> u32 {
    // SAFETY: the caller's contract.
    unsafe { (vtbl::<UnknownVtbl>(this).Release)(this) }
}

/// An object's count, read with an `AddRef` / `Release` pair.
///
/// # Safety
///
/// `this` is a live COM object.
unsafe fn count_of(this: P) -> u32 {
    // SAFETY: the caller's contract; the pair leaves the count as it was.
    unsafe {
        let v = vtbl::<UnknownVtbl>(this);
        (v.AddRef)(this);
        (v.Release)(this)
    }
}

/// The unwrapped entry ID of the store: flags, the sample's UID, the section's UID.
fn store_entry_id() -> Vec<u8> {
    let mut id = vec![0u8; 4];
    id.extend_from_slice(&SAMPLE_PROVIDER_UID);
    id.extend_from_slice(&SECTION_UID);
    id
}

/// What a `Logon` returned.
struct Logon {
    hr: HRESULT,
    logon: P,
    store: P,
    error: P,
    spool: Vec<u8>,
}

/// `IMSProvider::Logon` with the store's entry ID; the spool-security blob is copied and freed.
///
/// # Safety
///
/// `provider` is a live `IMSProvider` of the library.
unsafe fn logon(provider: P) -> Logon {
    let mut id = store_entry_id();
    let mut profile_name = *b"Default\0";
    let (mut cb_spool, mut pb_spool) = (0u32, ptr::null_mut::<u8>());
    let (mut error, mut logon, mut store) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: `provider` is live (the caller's contract); every pointer is valid for the call.
    let hr = unsafe {
        (vtbl::<MsProviderVtbl>(provider).Logon)(
            provider,
            SUPPORT.as_raw(),
            0,
            profile_name.as_mut_ptr(),
            id.len() as u32,
            id.as_mut_ptr(),
            MDB_WRITE | MDB_NO_DIALOG,
            ptr::null(),
            &mut cb_spool,
            &mut pb_spool,
            &mut error,
            &mut logon,
            &mut store,
        )
    };
    let spool = if pb_spool.is_null() {
        Vec::new()
    } else {
        // SAFETY: the blob the provider handed over: `cb_spool` bytes in a MAPI block, MAPI's to
        // free, freed once right after the copy.
        unsafe {
            let bytes = std::slice::from_raw_parts(pb_spool, cb_spool as usize).to_vec();
            MAPIFreeBuffer(pb_spool.cast());
            bytes
        }
    };
    Logon {
        hr,
        logon,
        store,
        error,
        spool,
    }
}

// ---------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_vtables_have_the_reference_slot_counts() {
    let slot = size_of::<usize>();
    assert_eq!(size_of::<SupportVtbl>(), 44 * slot, "IMAPISupport");
    assert_eq!(size_of::<ProfSectVtbl>(), 14 * slot, "IProfSect");
    assert_eq!(size_of::<MallocVtbl>(), 9 * slot, "IMalloc");
    assert_eq!(size_of::<AdminVtbl>(), 8 * slot, "IProviderAdmin");
    assert_eq!(size_of::<MsProviderVtbl>(), 7 * slot, "IMSProvider");
    assert_eq!(
        size_of::<MsgStoreVtbl>(),
        22 * slot,
        "IMsgStore up to StoreLogoff"
    );
    assert_eq!(
        size_of::<SPropValue>(),
        8 + size_of::<SBinary>().max(8),
        "SPropValue"
    );
}

#[test]
fn the_store_goes_through_its_lifecycle_with_exact_counts() {
    let _serial = serial();
    reset_profile();
    let (support_base, malloc_base) = (SUPPORT.count(), MALLOC.count());
    let blocks_base = blocks();

    // MSProviderInit.
    let (mut version, mut provider) = (0u32, ptr::dangling_mut::<c_void>());
    // SAFETY: MAPI's arguments: the routines above, a live IMalloc, valid out-pointers.
    let hr = unsafe {
        ms_provider_init()(
            ptr::null_mut(),
            MALLOC.as_raw(),
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
            0,
            CURRENT_SPI_VERSION,
            &mut version,
            &mut provider,
        )
    };
    assert_eq!(hr, S_OK);
    assert_eq!(version, CURRENT_SPI_VERSION);
    assert!(!provider.is_null());
    assert_eq!(MALLOC.count(), malloc_base + 1, "lpMalloc kept with one AddRef");
    // SAFETY: the provider is live.
    assert_eq!(unsafe { count_of(provider) }, 1, "one reference, MAPI's");

    // A fresh Logon: the support object is AddRef'd once, net.
    // SAFETY: the provider is live.
    let first = unsafe { logon(provider) };
    assert_eq!(first.hr, S_OK);
    assert!(first.error.is_null());
    assert!(!first.logon.is_null() && !first.store.is_null());
    assert_eq!(
        SUPPORT.count(),
        support_base + 1,
        "a fresh Logon AddRefs the support object once"
    );
    assert_eq!(first.spool, [b"SMPMS:".as_slice(), &SECTION_UID].concat());
    {
        let p = profile();
        assert_eq!(p.provider_uids, [SAMPLE_PROVIDER_UID]);
        assert_eq!(p.modify_profile, [0]);
        assert_eq!(p.status_rows.len(), 1);
        let (flags, row) = &p.status_rows[0];
        assert_eq!(*flags, 0);
        assert!(
            row.contains(&(PR_STATUS_CODE, Value::Long(1))),
            "STATUS_AVAILABLE"
        );
        assert_eq!(p.wrapped.len(), 1);
        let own = &p.sections[&OWN];
        let entry_id = own.iter().find(|(t, _)| *t == PR_ENTRYID).map(|(_, v)| v);
        assert_eq!(
            entry_id,
            Some(&Value::Binary(p.wrapped[0].clone())),
            "the wrapped ID"
        );
        let record_key = own.iter().find(|(t, _)| *t == PR_RECORD_KEY).map(|(_, v)| v);
        assert_eq!(record_key, Some(&Value::Binary(SECTION_UID.to_vec())));
        assert!(own.iter().any(|(t, _)| *t == PR_DISPLAY_NAME_W));
    }
    assert_eq!(
        SECTIONS_ALIVE.load(Ordering::SeqCst),
        0,
        "the section was released"
    );

    // A second Logon to the open store: the same store, no logon object, no AddRef.
    // SAFETY: the provider is live.
    let second = unsafe { logon(provider) };
    assert_eq!(second.hr, S_OK);
    assert!(second.logon.is_null());
    assert_eq!(second.store, first.store, "the same store pointer");
    assert!(second.spool.is_empty());
    assert_eq!(
        SUPPORT.count(),
        support_base + 1,
        "a reusing Logon AddRefs nothing"
    );
    // SAFETY: the reference the second Logon returned.
    assert_eq!(unsafe { release_object(second.store) }, 1);

    // SpoolerLogon with the security blob: the same objects.
    let mut spool = first.spool.clone();
    let (mut error, mut logon, mut store) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let mut profile_name = *b"Default\0";
    // SAFETY: the provider is live; every pointer is valid for the call.
    let hr = unsafe {
        (vtbl::<MsProviderVtbl>(provider).SpoolerLogon)(
            provider,
            SUPPORT.as_raw(),
            0,
            profile_name.as_mut_ptr(),
            0,
            ptr::null_mut(),
            MDB_WRITE | MDB_NO_DIALOG,
            ptr::null(),
            spool.len() as u32,
            spool.as_mut_ptr(),
            &mut error,
            &mut logon,
            &mut store,
        )
    };
    assert_eq!(hr, S_OK);
    assert!(error.is_null());
    assert_eq!(
        (logon, store),
        (first.logon, first.store),
        "the same logon and store"
    );
    assert_eq!(
        SUPPORT.count(),
        support_base + 1,
        "SpoolerLogon keeps no support reference"
    );
    // SAFETY: the references SpoolerLogon returned.
    unsafe {
        assert_eq!(release_object(store), 1);
        assert_eq!(release_object(logon), 1);
    }

    // StoreLogoff, then the store's final release: its support reference goes.
    let mut flags = LOGOFF_ORDERLY;
    // SAFETY: the store is live; `flags` is the in/out ULONG.
    let hr = unsafe { (vtbl::<MsgStoreVtbl>(first.store).StoreLogoff)(first.store, &mut flags) };
    assert_eq!(hr, S_OK);
    assert_eq!(flags, LOGOFF_COMPLETE);
    assert_eq!(
        profile().logoff_transports,
        [LOGOFF_ORDERLY],
        "StoreLogoffTransports, once"
    );
    // SAFETY: MAPI's last reference to the store.
    assert_eq!(unsafe { release_object(first.store) }, 0);
    assert_eq!(
        SUPPORT.count(),
        support_base,
        "the store released the support object"
    );
    assert_eq!(profile().logoff_transports, [LOGOFF_ORDERLY], "not called again");

    // Logoff and the logon's release, then Shutdown and the provider's release.
    let mut reserved = 0;
    // SAFETY: the logon is live; a pointer to 0.
    let hr = unsafe { (vtbl::<MsLogonVtbl>(first.logon).Logoff)(first.logon, &mut reserved) };
    assert_eq!(hr, S_OK);
    // SAFETY: MAPI's reference to the logon.
    assert_eq!(unsafe { release_object(first.logon) }, 0);
    // SAFETY: the provider is live; a pointer to 0.
    let hr = unsafe { (vtbl::<MsProviderVtbl>(provider).Shutdown)(provider, &mut reserved) };
    assert_eq!(hr, S_OK);
    assert_eq!(MALLOC.count(), malloc_base, "Shutdown released lpMalloc");
    // SAFETY: MAPI's reference to the provider.
    assert_eq!(unsafe { release_object(provider) }, 0);

    assert_eq!(SUPPORT.count(), support_base);
    assert_eq!(MALLOC.count(), malloc_base);
    assert_eq!(SECTIONS_ALIVE.load(Ordering::SeqCst), 0);
    assert_eq!(blocks(), blocks_base, "no MAPI block left, no refused call");
    assert_eq!(blocks().0, 0);
    assert!(
        profile().mem_alloc_routines >= 3,
        "the support object's routines were asked for"
    );
}

#[test]
fn an_old_mapi_is_refused_and_nothing_is_kept() {
    let _serial = serial();
    let malloc_base = MALLOC.count();
    let (mut version, mut provider) = (0u32, ptr::dangling_mut::<c_void>());
    // SAFETY: MAPI's arguments: the routines above, a live IMalloc, valid out-pointers.
    let hr = unsafe {
        ms_provider_init()(
            ptr::null_mut(),
            MALLOC.as_raw(),
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
            0,
            PDK1_SPI_VERSION,
            &mut version,
            &mut provider,
        )
    };
    assert_eq!(hr, MAPI_E_VERSION);
    assert!(provider.is_null(), "*lppMSProvider is NULL");
    assert_eq!(
        version, CURRENT_SPI_VERSION,
        "the provider's version, for MAPI to read"
    );
    assert_eq!(MALLOC.count(), malloc_base, "no reference of lpMalloc kept");
    assert_eq!(blocks().0, 0);
}

#[test]
fn the_service_entry_creates_the_service_and_keeps_nothing() {
    let _serial = serial();
    reset_profile();
    let counts = (SUPPORT.count(), ADMIN.count(), MALLOC.count());
    let mut error = ptr::dangling_mut::<c_void>();
    // SAFETY: MAPI's arguments: live support, admin and IMalloc objects, no properties, a valid
    // out-pointer.
    let hr = unsafe {
        service_entry()(
            ptr::null_mut(),
            MALLOC.as_raw(),
            SUPPORT.as_raw(),
            0,
            SERVICE_UI_ALLOWED,
            MSG_SERVICE_CREATE,
            0,
            ptr::null_mut(),
            ADMIN.as_raw(),
            &mut error,
        )
    };
    assert_eq!(hr, S_OK);
    assert!(error.is_null(), "no MAPIERROR");
    assert_eq!(
        (SUPPORT.count(), ADMIN.count(), MALLOC.count()),
        counts,
        "no reference kept"
    );
    assert_eq!(SECTIONS_ALIVE.load(Ordering::SeqCst), 0);
    assert_eq!(blocks(), (0, 0));
}

#[test]
fn this_mapi_answers_as_the_reference_says() {
    let _serial = serial();
    // QueryInterface on the support object: its own IID and IUnknown, nothing else.
    let mut out = ptr::null_mut();
    let base = SUPPORT.count();
    // SAFETY: the support object is live; valid IID and out-pointer.
    unsafe {
        let v = vtbl::<UnknownVtbl>(SUPPORT.as_raw());
        assert_eq!(
            (v.QueryInterface)(SUPPORT.as_raw(), &IID_IMAPISUP, &mut out),
            S_OK
        );
        assert_eq!(out, SUPPORT.as_raw());
        assert_eq!((v.Release)(out), base);
        assert_eq!(
            (v.QueryInterface)(SUPPORT.as_raw(), &IID_IPROFSECT, &mut out),
            MAPI_E_INTERFACE_NOT_SUPPORTED
        );
        assert!(out.is_null());
    }
    // The allocator: NULL out-pointer refused, NULL free allowed, a linked block freed with its
    // root.
    // SAFETY: the calls are the reference's, with the arguments they allow.
    unsafe {
        assert_eq!(MAPIAllocateBuffer(8, ptr::null_mut()), MAPI_E_INVALID_PARAMETER);
        assert_eq!(MAPIFreeBuffer(ptr::null_mut()), 0);
    }
    let root = allocate_bytes(b"root");
    allocate_more(root, b"linked");
    assert_eq!(blocks().0, 2);
    // SAFETY: a live root, freed once.
    unsafe { MAPIFreeBuffer(root) };
    assert_eq!(blocks(), (0, 0));
    // A read-only open of a missing section.
    let mut uid = *b"no-such-section!";
    // SAFETY: the support object is live; valid arguments.
    let hr = unsafe { (SUPPORT_VTBL.OpenProfileSection)(SUPPORT.as_raw(), &mut uid, 0, &mut out) };
    assert_eq!(hr, MAPI_E_NOT_FOUND);
}
