//! Providers written against `mapisim::spi`, exported as COM objects and called through the raw
//! vtables, as MAPI calls them: the guard, one COM object per Rust object, `IMSProvider`, and
//! `MSProviderInit` with the core crate's sample provider.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;
use std::alloc::{Layout, alloc, dealloc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Barrier, Mutex, MutexGuard, PoisonError};
use std::thread;

use mapisim::flags::SpiVersion;
use mapisim::object::Ref;
use mapisim::sample::SampleStore;
use mapisim::spi::{
    Exports, InitArgs, MsProvider, ProviderInit, ProviderLibrary, ProviderShutdown, SpoolerLogonArgs,
    StoreLogon, StoreLogonArgs,
};
use mapisim::{MapiError, MapiResult, MapiWarning, Warned};
use mapisim_com::entry::MSProviderInit as MsProviderInitFn;
use mapisim_com::export::{export_provider, guard, is_exported, ms_provider_init};
use mapisim_com::interfaces::{IMAPIProviderShutdown, IMSProvider, IMalloc, IMalloc_Impl};
use mapisim_com::types::{ENTRYID, SCODE};
use windows_core::{ComObject, HRESULT, IUnknown, Interface, implement};

const S_OK: HRESULT = HRESULT(0);
const MAPI_E_CALL_FAILED: HRESULT = HRESULT(0x8000_4005_u32 as i32);
const MAPI_E_NO_SUPPORT: HRESULT = HRESULT(0x8004_0102_u32 as i32);
const MAPI_E_VERSION: HRESULT = HRESULT(0x8004_0110_u32 as i32);
const MAPI_E_INVALID_ENTRYID: HRESULT = HRESULT(0x8004_0107_u32 as i32);
const MAPI_E_INVALID_PARAMETER: HRESULT = HRESULT(0x8007_0057_u32 as i32);
const MAPI_W_ERRORS_RETURNED: HRESULT = HRESULT(0x0004_0380);
const CURRENT_SPI_VERSION: u32 = 0x0001_0010;

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

#[test]
fn the_guard_maps_each_outcome_to_its_hresult() {
    assert_eq!(guard(|| ()), S_OK);
    assert_eq!(guard(|| Ok::<(), MapiError>(())), S_OK);
    assert_eq!(guard(|| Ok::<_, MapiError>(Warned::ok(3))), S_OK);
    assert_eq!(
        guard(|| Ok::<_, MapiError>(Warned::with_warning((), MapiWarning::ErrorsReturned))),
        MAPI_W_ERRORS_RETURNED
    );
    assert_eq!(guard(|| Err::<(), _>(MapiError::NoSupport)), MAPI_E_NO_SUPPORT);
    assert_eq!(guard(|| Err::<(), _>(MapiError::Version)), MAPI_E_VERSION);
}

#[test]
fn a_panic_is_call_failed_and_the_process_goes_on() {
    assert_eq!(
        guard(|| -> MapiResult<()> { panic!("a provider bug") }),
        MAPI_E_CALL_FAILED
    );
    // A payload of another type.
    assert_eq!(
        guard(|| -> () { std::panic::panic_any(42_u32) }),
        MAPI_E_CALL_FAILED
    );
    assert_eq!(guard(|| ()), S_OK);
}

// ---------------------------------------------------------------------------------------------
// A provider of the test's own
// ---------------------------------------------------------------------------------------------

/// Compares entry IDs byte for byte; panics on an entry ID that starts with `!`.
#[derive(Default)]
struct Provider {
    shutdowns: AtomicU32,
    last_flags: AtomicU32,
}

impl MsProvider for Provider {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        self.shutdowns.fetch_add(1, Ordering::SeqCst);
        self.last_flags.store(flags, Ordering::SeqCst);
        Ok(())
    }

    fn logon(&self, _: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        Err(MapiError::NoSupport)
    }

    fn spooler_logon(&self, _: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        Err(MapiError::NoSupport)
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], _: u32) -> MapiResult<bool> {
        assert!(!a.starts_with(b"!"), "a provider that panics");
        Ok(a == b)
    }
}

/// `CompareStoreIDs` through the vtable; the `HRESULT` and `*lpulResult` (or `u32::MAX` when
/// not written).
fn compare(provider: &IMSProvider, a: &[u8], b: &[u8]) -> (HRESULT, u32) {
    let mut result = u32::MAX;
    // SAFETY: `provider` is live; the entry IDs are valid for their sizes and `result` for a
    // write.
    let hr = unsafe {
        (provider.vtable().CompareStoreIDs)(
            provider.as_raw(),
            a.len() as u32,
            a.as_ptr().cast::<ENTRYID>().cast_mut(),
            b.len() as u32,
            b.as_ptr().cast::<ENTRYID>().cast_mut(),
            0,
            &mut result,
        )
    };
    (hr, result)
}

/// `Shutdown` through the vtable.
fn shutdown(provider: &IMSProvider, mut flags: u32) -> HRESULT {
    // SAFETY: `provider` is live and `flags` valid for a read.
    unsafe { (provider.vtable().Shutdown)(provider.as_raw(), &mut flags) }
}

#[test]
fn the_provider_s_methods_through_the_vtable() {
    let rust: Ref<Provider> = Ref::new(Provider::default());
    let provider: Ref<dyn MsProvider> = rust.clone().into();
    let com = export_provider(&provider).expect("exported");

    assert_eq!(compare(&com, b"store-1", b"store-1"), (S_OK, 1));
    assert_eq!(compare(&com, b"store-1", b"store-2"), (S_OK, 0));
    assert_eq!(compare(&com, b"", b""), (S_OK, 1));
    // A NULL result pointer is refused before the provider is called.
    // SAFETY: `com` is live; NULL IDs with a size of 0 are empty.
    let hr = unsafe {
        (com.vtable().CompareStoreIDs)(
            com.as_raw(),
            0,
            ptr::null_mut(),
            0,
            ptr::null_mut(),
            0,
            ptr::null_mut(),
        )
    };
    assert_eq!(hr, MAPI_E_INVALID_PARAMETER);
    // A NULL ID with a size.
    let mut result = 7;
    // SAFETY: as above; the NULL pointer is refused.
    let hr = unsafe {
        (com.vtable().CompareStoreIDs)(
            com.as_raw(),
            4,
            ptr::null_mut(),
            0,
            ptr::null_mut(),
            0,
            &mut result,
        )
    };
    assert_eq!((hr, result), (MAPI_E_INVALID_PARAMETER, 7));

    assert_eq!(shutdown(&com, 0), S_OK);
    assert_eq!(rust.shutdowns.load(Ordering::SeqCst), 1);
    // SAFETY: `com` is live; NULL flags are read as 0.
    let hr = unsafe { (com.vtable().Shutdown)(com.as_raw(), ptr::null_mut()) };
    assert_eq!(hr, S_OK);
    assert_eq!(rust.shutdowns.load(Ordering::SeqCst), 2);

    // Exported without MAPI's memory, Logon and SpoolerLogon answer MAPI_E_NO_SUPPORT.
    let (mut logon, mut store) = (ptr::dangling_mut::<c_void>(), ptr::dangling_mut::<c_void>());
    // SAFETY: `com` is live; the out-pointers are valid, the rest is not read.
    let hr = unsafe {
        (com.vtable().Logon)(
            com.as_raw(),
            ptr::null_mut(),
            0,
            ptr::null_mut(),
            0,
            ptr::null_mut(),
            0,
            ptr::null(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            &mut logon,
            &mut store,
        )
    };
    assert_eq!(
        (hr, logon, store),
        (MAPI_E_NO_SUPPORT, ptr::null_mut(), ptr::null_mut())
    );

    // This provider does not expose IMAPIProviderShutdown, so neither does its COM object.
    assert!(com.cast::<IMAPIProviderShutdown>().is_err());
}

#[test]
fn a_panicking_provider_answers_call_failed() {
    let provider: Ref<dyn MsProvider> = Ref::new(Provider::default()).into();
    let com = export_provider(&provider).expect("exported");
    assert_eq!(compare(&com, b"!boom", b"x"), (MAPI_E_CALL_FAILED, u32::MAX));
    // The object and the process go on.
    assert_eq!(compare(&com, b"x", b"x"), (S_OK, 1));
}

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

#[test]
fn one_com_object_per_rust_object() {
    let provider: Ref<dyn MsProvider> = Ref::new(Provider::default()).into();
    assert_eq!(provider.ref_count(), 1);
    assert!(!is_exported(provider.key()));

    let first = export_provider(&provider).expect("exported");
    let second = export_provider(&provider).expect("exported again");
    assert_eq!(first.as_raw(), second.as_raw());
    assert_eq!(IUnknown::from(&first), IUnknown::from(&second));
    // One Rust reference for the COM object, however many the host holds.
    assert_eq!(provider.ref_count(), 2);
    assert!(is_exported(provider.key()));

    // Another Rust object, another COM object.
    let other: Ref<dyn MsProvider> = Ref::new(Provider::default()).into();
    let third = export_provider(&other).expect("exported");
    assert_ne!(third.as_raw(), first.as_raw());

    // The host's last Release drops the Rust reference and the registry entry.
    drop(first);
    assert_eq!(provider.ref_count(), 2);
    drop(second);
    assert_eq!(provider.ref_count(), 1);
    assert!(!is_exported(provider.key()));

    // Exported again: a new, working object.
    let again = export_provider(&provider).expect("a new COM object");
    assert_eq!(compare(&again, b"a", b"a"), (S_OK, 1));
    assert_eq!(provider.ref_count(), 2);
    drop(again);
    assert_eq!(provider.ref_count(), 1);
    drop(third);
    assert_eq!(other.ref_count(), 1);
}

#[test]
fn release_through_the_vtable_is_the_host_s() {
    let provider: Ref<dyn MsProvider> = Ref::new(Provider::default()).into();
    let raw = export_provider(&provider).expect("exported").into_raw();
    // SAFETY: `raw` is a live IMSProvider holding the reference `into_raw` gave up.
    let com = unsafe { IMSProvider::from_raw_borrowed(&raw) }.expect("not NULL");
    let unknown = &com.vtable().base__;
    // SAFETY: `raw` is live; the host takes a second reference, then releases both.
    unsafe {
        assert_eq!((unknown.AddRef)(raw), 2);
        assert_eq!((unknown.Release)(raw), 1);
        assert_eq!(provider.ref_count(), 2);
        assert_eq!((unknown.Release)(raw), 0);
    }
    assert_eq!(provider.ref_count(), 1);
    assert!(!is_exported(provider.key()));
}

#[test]
fn threads_export_and_release_in_parallel() {
    let provider: Ref<dyn MsProvider> = Ref::new(Provider::default()).into();
    // One COM object that some threads keep alive for a while, others racing on it.
    thread::scope(|s| {
        for n in 0..4 {
            let provider = provider.clone();
            s.spawn(move || {
                for i in 0..200 {
                    let a = export_provider(&provider).expect("exported");
                    let b = export_provider(&provider).expect("exported");
                    // Both exports live at once: one object.
                    assert_eq!(a.as_raw(), b.as_raw());
                    if (i + n) % 3 == 0 {
                        assert_eq!(compare(&a, b"x", b"x"), (S_OK, 1));
                    }
                    drop(a);
                    drop(b);
                }
            });
        }
    });
    assert_eq!(provider.ref_count(), 1);
    assert!(!is_exported(provider.key()));
}

#[test]
fn threads_race_a_final_release_with_a_new_export() {
    let provider: Ref<dyn MsProvider> = Ref::new(Provider::default()).into();
    let start = Barrier::new(4);
    // Each thread holds its export alone: the count often reaches zero while another thread
    // looks the object up, which must then make a new one, never revive the dying one.
    thread::scope(|s| {
        for _ in 0..4 {
            let (provider, start) = (provider.clone(), &start);
            s.spawn(move || {
                start.wait();
                for _ in 0..500 {
                    let com = export_provider(&provider).expect("exported");
                    assert_eq!(compare(&com, b"x", b"x"), (S_OK, 1));
                }
            });
        }
    });
    assert_eq!(provider.ref_count(), 1);
    assert!(!is_exported(provider.key()));
}

// ---------------------------------------------------------------------------------------------
// A MAPI-like allocator and an IMalloc
// ---------------------------------------------------------------------------------------------

/// The blocks of the allocator below: root → linked blocks.
static ROOTS: Mutex<Option<HashMap<usize, Vec<usize>>>> = Mutex::new(None);

fn roots() -> MutexGuard<'static, Option<HashMap<usize, Vec<usize>>>> {
    ROOTS.lock().unwrap_or_else(PoisonError::into_inner)
}

const HEADER: usize = 16;

fn block_layout(size: usize) -> Layout {
    Layout::from_size_align(HEADER + size, HEADER).expect("a small layout")
}

fn new_block(size: u32) -> *mut c_void {
    let size = size as usize;
    // SAFETY: the layout has a non-zero size (the header).
    let base = unsafe { alloc(block_layout(size)) };
    assert!(!base.is_null());
    // SAFETY: the header's first word fits in its 16 bytes, aligned to 16.
    unsafe {
        base.cast::<usize>().write(size);
        base.add(HEADER).cast()
    }
}

fn free_block(block: usize) {
    let base = (block - HEADER) as *mut u8;
    // SAFETY: `block` came from `new_block`, whose header holds its size; freed once.
    unsafe { dealloc(base, block_layout(base.cast::<usize>().read())) };
}

unsafe extern "system" fn MAPIAllocateBuffer(cbSize: u32, lppBuffer: *mut *mut c_void) -> SCODE {
    let block = new_block(cbSize);
    roots().get_or_insert_default().insert(block as usize, Vec::new());
    // SAFETY: the caller passes a valid out-pointer.
    unsafe { *lppBuffer = block };
    0
}

unsafe extern "system" fn MAPIAllocateMore(
    cbSize: u32,
    lpObject: *mut c_void,
    lppBuffer: *mut *mut c_void,
) -> SCODE {
    let mut roots = roots();
    let Some(linked) = roots.get_or_insert_default().get_mut(&(lpObject as usize)) else {
        return 0x8007_0057_u32 as i32;
    };
    let block = new_block(cbSize);
    linked.push(block as usize);
    // SAFETY: the caller passes a valid out-pointer.
    unsafe { *lppBuffer = block };
    0
}

unsafe extern "system" fn MAPIFreeBuffer(lpBuffer: *mut c_void) -> u32 {
    if lpBuffer.is_null() {
        return 0;
    }
    let Some(linked) = roots().get_or_insert_default().remove(&(lpBuffer as usize)) else {
        return 0x8007_0057;
    };
    for block in linked {
        free_block(block);
    }
    free_block(lpBuffer as usize);
    0
}

/// OLE's allocator, played by a Rust object (only its reference count matters here).
#[implement(IMalloc)]
struct TestMalloc;

impl IMalloc_Impl for TestMalloc_Impl {
    unsafe fn Alloc(&self, _: usize) -> *mut c_void {
        ptr::null_mut()
    }

    unsafe fn Realloc(&self, _: *mut c_void, _: usize) -> *mut c_void {
        ptr::null_mut()
    }

    unsafe fn Free(&self, _: *mut c_void) {}

    unsafe fn GetSize(&self, _: *mut c_void) -> usize {
        usize::MAX
    }

    unsafe fn DidAlloc(&self, _: *mut c_void) -> i32 {
        -1
    }

    unsafe fn HeapMinimize(&self) {}
}

/// The COM object's reference count, read with an AddRef and a Release.
fn com_count(malloc: &IMalloc) -> u32 {
    let unknown = &malloc.vtable().base__;
    // SAFETY: `malloc` is live; the pair leaves its count as it was.
    unsafe {
        (unknown.AddRef)(malloc.as_raw());
        (unknown.Release)(malloc.as_raw())
    }
}

/// Calls an `MSProviderInit` with the test's allocators; the `HRESULT`, `*lpulProviderVer`
/// (`u32::MAX` when not written) and `*lppMSProvider`.
fn call_init(
    init: MsProviderInitFn,
    malloc: &IMalloc,
    mapi_version: u32,
) -> (HRESULT, u32, Option<IMSProvider>) {
    let mut version = u32::MAX;
    let mut provider = ptr::dangling_mut::<c_void>();
    // SAFETY: a live IMalloc, the allocator above, and valid out-pointers.
    let hr = unsafe {
        init(
            0x1000_0000 as *mut c_void,
            malloc.as_raw(),
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
            0,
            mapi_version,
            &mut version,
            &mut provider,
        )
    };
    // SAFETY: NULL or an IMSProvider whose reference is now the test's.
    let provider = (!provider.is_null()).then(|| unsafe { IMSProvider::from_raw(provider) });
    (hr, version, provider)
}

/// `ms_provider_init` with the sample library, as an `MSProviderInit`.
unsafe extern "C" fn SampleInit(
    hInstance: *mut c_void,
    lpMalloc: *mut c_void,
    lpAllocateBuffer: Option<mapisim_com::entry::LPALLOCATEBUFFER>,
    lpAllocateMore: Option<mapisim_com::entry::LPALLOCATEMORE>,
    lpFreeBuffer: Option<mapisim_com::entry::LPFREEBUFFER>,
    ulFlags: u32,
    ulMAPIVer: u32,
    lpulProviderVer: *mut u32,
    lppMSProvider: *mut *mut c_void,
) -> HRESULT {
    // SAFETY: the arguments are passed on unchanged.
    unsafe {
        ms_provider_init(
            &SampleStore::library(),
            SampleStore::DLL_FILE,
            hInstance,
            lpMalloc,
            lpAllocateBuffer,
            lpAllocateMore,
            lpFreeBuffer,
            ulFlags,
            ulMAPIVer,
            lpulProviderVer,
            lppMSProvider,
        )
    }
}

// ---------------------------------------------------------------------------------------------
// MSProviderInit
// ---------------------------------------------------------------------------------------------

fn the_sample_through(init: MsProviderInitFn) {
    let malloc: IMalloc = ComObject::new(TestMalloc).to_interface();
    let base = com_count(&malloc);

    let (hr, version, provider) = call_init(init, &malloc, CURRENT_SPI_VERSION);
    assert_eq!((hr, version), (S_OK, CURRENT_SPI_VERSION));
    let provider = provider.expect("*lppMSProvider");
    // The provider keeps the IMalloc: one AddRef.
    assert_eq!(com_count(&malloc), base + 1);

    // The sample's store IDs are its own; anything else is refused.
    assert_eq!(compare(&provider, b"x", b"x"), (MAPI_E_INVALID_ENTRYID, u32::MAX));

    // The sample exposes IMAPIProviderShutdown.
    let fast: IMAPIProviderShutdown = provider.cast().expect("IMAPIProviderShutdown");
    // SAFETY: `fast` is live; the methods take only the object.
    unsafe {
        assert_eq!((fast.vtable().QueryFastShutdown)(fast.as_raw()), S_OK);
        assert_eq!((fast.vtable().NotifyProcessShutdown)(fast.as_raw()), S_OK);
        assert_eq!((fast.vtable().DoFastShutdown)(fast.as_raw()), S_OK);
    }
    assert_eq!(IUnknown::from(&fast), IUnknown::from(&provider));
    let back: IMSProvider = fast.cast().expect("and back");
    assert_eq!(back.as_raw(), provider.as_raw());
    drop((fast, back));

    assert_eq!(shutdown(&provider, 0), S_OK);
    // The sample lets go of the IMalloc at Shutdown; in any case, by the final Release.
    drop(provider);
    assert_eq!(com_count(&malloc), base);
}

#[test]
fn the_sample_provider_through_ms_provider_init() {
    the_sample_through(SampleInit);
}

#[test]
fn the_imalloc_is_released_with_the_provider() {
    let malloc: IMalloc = ComObject::new(TestMalloc).to_interface();
    let base = com_count(&malloc);
    let (hr, _, provider) = call_init(SampleInit, &malloc, CURRENT_SPI_VERSION);
    assert_eq!(hr, S_OK);
    assert_eq!(com_count(&malloc), base + 1);
    // No Shutdown: the final Release drops the provider, and the IMalloc with it.
    drop(provider);
    assert_eq!(com_count(&malloc), base);
}

#[test]
fn an_old_mapi_is_refused_and_nothing_is_kept() {
    let malloc: IMalloc = ComObject::new(TestMalloc).to_interface();
    let base = com_count(&malloc);
    let (hr, version, provider) = call_init(SampleInit, &malloc, 0x0001_0000);
    assert_eq!(hr, MAPI_E_VERSION);
    // The provider's version is written all the same.
    assert_eq!(version, CURRENT_SPI_VERSION);
    assert!(provider.is_none());
    assert_eq!(com_count(&malloc), base);
}

#[test]
fn null_arguments_are_refused() {
    let mut version = u32::MAX;
    let mut provider = ptr::dangling_mut::<c_void>();
    // SAFETY: a NULL IMalloc is refused before anything is called; the out-pointers are valid.
    let hr = unsafe {
        SampleInit(
            ptr::null_mut(),
            ptr::null_mut(),
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
            0,
            CURRENT_SPI_VERSION,
            &mut version,
            &mut provider,
        )
    };
    assert_eq!(
        (hr, version, provider),
        (MAPI_E_INVALID_PARAMETER, u32::MAX, ptr::null_mut())
    );
    let malloc: IMalloc = ComObject::new(TestMalloc).to_interface();
    // SAFETY: a NULL lppMSProvider is refused first.
    let hr = unsafe {
        SampleInit(
            ptr::null_mut(),
            malloc.as_raw(),
            None,
            None,
            None,
            0,
            CURRENT_SPI_VERSION,
            &mut version,
            ptr::null_mut(),
        )
    };
    assert_eq!(hr, MAPI_E_INVALID_PARAMETER);
}

/// A library whose entry point sets its version, then panics.
struct PanickingLibrary;

impl ProviderLibrary for PanickingLibrary {
    fn exports(&self) -> Exports {
        Exports::MS_PROVIDER_INIT
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        args.provider_version.set(SpiVersion::CURRENT);
        panic!("an entry point that panics");
    }
}

#[test]
fn an_entry_point_that_panics_answers_call_failed() {
    let malloc: IMalloc = ComObject::new(TestMalloc).to_interface();
    let base = com_count(&malloc);
    let mut version = u32::MAX;
    let mut provider = ptr::dangling_mut::<c_void>();
    // SAFETY: a live IMalloc, the allocator above, valid out-pointers.
    let hr = unsafe {
        ms_provider_init(
            &PanickingLibrary,
            "PANIC32.DLL",
            ptr::null_mut(),
            malloc.as_raw(),
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
            0,
            CURRENT_SPI_VERSION,
            &mut version,
            &mut provider,
        )
    };
    assert_eq!(
        (hr, version, provider),
        (MAPI_E_CALL_FAILED, CURRENT_SPI_VERSION, ptr::null_mut())
    );
    assert_eq!(com_count(&malloc), base);
}

// The export itself, as a provider library writes it.
mapisim_com::export_ms_provider!(SampleStore::library, "SMPMS32.DLL");

#[test]
fn the_exported_entry_point_has_the_type_mapi_calls() {
    let init: MsProviderInitFn = MSProviderInit;
    the_sample_through(init);
    // Twice: the library is made once and kept.
    the_sample_through(init);
}

/// A provider that exposes fast shutdown but opts out of it.
#[derive(Default)]
struct Reluctant(Provider);

impl MsProvider for Reluctant {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        self.0.shutdown(flags)
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        self.0.logon(args)
    }

    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        self.0.spooler_logon(args)
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        self.0.compare_store_ids(a, b, flags)
    }
}

impl ProviderShutdown for Reluctant {
    fn query_fast_shutdown(&self) -> MapiResult<()> {
        Err(MapiError::NoSupport)
    }
}

#[test]
fn fast_shutdown_answers_through_the_rust_object() {
    let rust = Ref::new(Reluctant::default());
    rust.expose::<dyn ProviderShutdown>();
    let provider: Ref<dyn MsProvider> = rust.into();
    let com = export_provider(&provider).expect("exported");
    let fast: IMAPIProviderShutdown = com.cast().expect("exposed, so answered");
    // SAFETY: `fast` is live; the method takes only the object.
    let hr = unsafe { (fast.vtable().QueryFastShutdown)(fast.as_raw()) };
    assert_eq!(hr, MAPI_E_NO_SUPPORT);
}

/// A provider whose final release panics.
#[derive(Default)]
struct PanicsOnDrop(Provider);

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("a Drop that panics");
    }
}

impl MsProvider for PanicsOnDrop {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        self.0.shutdown(flags)
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        self.0.logon(args)
    }

    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        self.0.spooler_logon(args)
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        self.0.compare_store_ids(a, b, flags)
    }
}

#[test]
fn a_panic_in_the_final_release_stays_inside() {
    let com = {
        let provider: Ref<dyn MsProvider> = Ref::new(PanicsOnDrop::default()).into();
        export_provider(&provider).expect("exported")
    };
    let raw = com.into_raw();
    // SAFETY: `raw` is live with the one reference `into_raw` gave up; this is its final Release,
    // which runs the provider's `Drop` and must return rather than unwind.
    let unknown = unsafe { IMSProvider::from_raw_borrowed(&raw) }.map(|com| com.vtable().base__.Release);
    let release = unknown.expect("not NULL");
    // SAFETY: as above.
    assert_eq!(unsafe { release(raw) }, 0);
}
