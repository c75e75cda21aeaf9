//! The sample address book and transport exported (`ABProviderInit`, `XPProviderInit`), seen from
//! MAPI through their vtables only, against the fake MAPI of `fake_mapi`: logons with their in/out
//! parameters, `AddressTypes` arrays that stay valid until `TransportLogoff` and go with it, and a
//! provider that panics reported, not unwound into the host.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;
use std::sync::Arc;

use mapisim::flags::SpiVersion;
use mapisim::sample::{SAMPLE_ADDRESS_TYPE, SAMPLE_XP_UID, SampleStore};
use mapisim::spi::{AbLogon, AbLogonArgs, AbProvider, Exports, InitArgs, ProviderInit, ProviderLibrary};
use mapisim::{MapiError, MapiResult, Ref, Warned};
use mapisim_com::export::{ab_provider_init, exported_objects, take_panic, xp_provider_init};
use mapisim_com::interfaces::{
    IABLogon, IABProvider, IMAPISupport, IMalloc, IMalloc_Impl, IXPLogon, IXPProvider,
};
use mapisim_com::types::{LPTSTR, MAPIUID};
use windows_core::{HRESULT, Interface, implement};

mod fake_mapi;

use fake_mapi::*;

/// OLE's allocator, played by a Rust object the providers only keep.
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

type Init = unsafe fn(
    &dyn ProviderLibrary,
    &str,
    *mut c_void,
    *mut c_void,
    Option<mapisim_com::entry::LPALLOCATEBUFFER>,
    Option<mapisim_com::entry::LPALLOCATEMORE>,
    Option<mapisim_com::entry::LPFREEBUFFER>,
    u32,
    u32,
    *mut u32,
    *mut *mut c_void,
) -> HRESULT;

/// One of the entry points on `library`: its `HRESULT` and the provider pointer.
fn init(entry: Init, library: &dyn ProviderLibrary, malloc: &IMalloc) -> (HRESULT, *mut c_void) {
    let (mut version, mut raw) = (0, ptr::null_mut());
    // SAFETY: the fake's routines keep MAPI's contract; `malloc` is live; the out-pointers are
    // valid.
    let hr = unsafe {
        entry(
            library,
            SampleStore::DLL_FILE,
            ptr::null_mut(),
            malloc.as_raw(),
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
            0,
            SpiVersion::CURRENT.0,
            &mut version,
            &mut raw,
        )
    };
    (hr, raw)
}

fn fake() -> (Arc<Mapi>, IMAPISupport, IMalloc) {
    let mapi = Mapi::new();
    let support: IMAPISupport = FakeSupport {
        mapi: Arc::clone(&mapi),
    }
    .into();
    (mapi, support, TestMalloc.into())
}

#[test]
fn the_sample_address_book_logs_on_and_off_through_the_vtables() {
    let _serial = serial();
    let (_mapi, support, malloc) = fake();
    let support_base = com_count(&support);
    let (hr, raw) = init(
        ab_provider_init::<dyn ProviderLibrary>,
        &SampleStore::library(),
        &malloc,
    );
    assert_eq!(hr, S_OK);
    // SAFETY: ABProviderInit returned an IABProvider with one reference for the caller.
    let provider = unsafe { IABProvider::from_raw(raw) };

    let mut name = *b"Profile\0";
    let (mut cb, mut pb) = (16u32, ptr::dangling_mut::<u8>());
    let (mut error, mut logon) = (ptr::dangling_mut(), ptr::null_mut());
    // SAFETY: the provider is live; the support object is; every pointer is valid.
    let hr = unsafe {
        (provider.vtable().Logon)(
            provider.as_raw(),
            support.as_raw(),
            0,
            name.as_mut_ptr().cast(),
            0,
            &mut cb,
            &mut pb,
            &mut error,
            &mut logon,
        )
    };
    assert_eq!(hr, S_OK);
    // The security parameters come back zero; no MAPIERROR; a logon that holds the support
    // object.
    assert_eq!((cb, pb), (0, ptr::null_mut()));
    assert!(error.is_null());
    assert!(!logon.is_null());
    assert!(
        com_count(&support) > support_base,
        "the logon keeps the support object"
    );
    // SAFETY: Logon returned an IABLogon with one reference for MAPI.
    let logon = unsafe { IABLogon::from_raw(logon) };
    // SAFETY: the logon is live.
    let hr = unsafe { (logon.vtable().Logoff)(logon.as_raw(), 0) };
    assert_eq!(hr, S_OK);
    drop(logon);
    let mut flags = 0;
    // SAFETY: the provider is live; `flags` is on the stack.
    let hr = unsafe { (provider.vtable().Shutdown)(provider.as_raw(), &mut flags) };
    assert_eq!(hr, S_OK);
    drop(provider);
    assert_eq!(com_count(&support), support_base);
    assert_eq!(exported_objects(), 0);
}

/// Reads the address types `AddressTypes` returned (8-bit strings).
///
/// # Safety
///
/// `types` holds `count` pointers to NUL-terminated strings.
unsafe fn read_types(count: u32, types: *mut LPTSTR) -> Vec<String> {
    (0..count as usize)
        .map(|i| {
            // SAFETY: the caller's contract.
            let text = unsafe { std::ffi::CStr::from_ptr((*types.add(i)).cast()) };
            text.to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn the_sample_transport_keeps_its_address_types_until_transport_logoff() {
    let _serial = serial();
    let (_mapi, support, malloc) = fake();
    let support_base = com_count(&support);
    let (hr, raw) = init(
        xp_provider_init::<dyn ProviderLibrary>,
        &SampleStore::library(),
        &malloc,
    );
    assert_eq!(hr, S_OK);
    // SAFETY: XPProviderInit returned an IXPProvider with one reference for the caller.
    let provider = unsafe { IXPProvider::from_raw(raw) };
    let mut name = *b"Profile\0";
    // LOGON_NO_INBOUND | LOGON_NO_OUTBOUND in.
    let mut flags = 0x8 | 0x10;
    let (mut error, mut logon) = (ptr::dangling_mut(), ptr::null_mut());
    // SAFETY: the provider is live; the support object is; every pointer is valid.
    let hr = unsafe {
        (provider.vtable().TransportLogon)(
            provider.as_raw(),
            support.as_raw(),
            0,
            name.as_mut_ptr().cast(),
            &mut flags,
            &mut error,
            &mut logon,
        )
    };
    assert_eq!(hr, S_OK);
    assert!(error.is_null());
    // SAFETY: TransportLogon returned an IXPLogon with one reference for MAPI.
    let logon = unsafe { IXPLogon::from_raw(logon) };

    let live = allocator().0;
    let (mut xflags, mut count, mut types) = (0u32, 0u32, ptr::null_mut::<LPTSTR>());
    let (mut uid_count, mut uids) = (0u32, ptr::null_mut::<*mut MAPIUID>());
    // SAFETY: the logon is live; every out-parameter is on the stack.
    let hr = unsafe {
        (logon.vtable().AddressTypes)(
            logon.as_raw(),
            &mut xflags,
            &mut count,
            &mut types,
            &mut uid_count,
            &mut uids,
        )
    };
    assert_eq!(hr, S_OK);
    // SAFETY: the arrays AddressTypes returned, 8-bit strings (no MAPI_UNICODE).
    let read = unsafe { read_types(count, types) };
    assert_eq!(read, [SAMPLE_ADDRESS_TYPE]);
    assert_eq!(xflags, 0, "8-bit strings");
    assert_eq!(uid_count, 1);
    // SAFETY: the array AddressTypes returned holds one pointer to a MAPIUID.
    assert_eq!(unsafe { (**uids).ab }, SAMPLE_XP_UID.0);
    assert!(allocator().0 > live, "the arrays live in MAPI memory");
    // Valid still after another call, until TransportLogoff, which frees them.
    // SAFETY: the logon is live.
    let hr = unsafe { (logon.vtable().Idle)(logon.as_raw(), 0) };
    assert_eq!(hr, S_OK);
    // SAFETY: as above: the arrays are still the logon's.
    assert_eq!(unsafe { read_types(count, types) }, read);
    // SAFETY: the logon is live.
    let hr = unsafe { (logon.vtable().TransportLogoff)(logon.as_raw(), 0) };
    assert_eq!(hr, S_OK);
    assert_eq!(allocator().0, live, "TransportLogoff freed the arrays");
    drop(logon);
    let mut sflags = 0;
    // SAFETY: the provider is live.
    let hr = unsafe { (provider.vtable().Shutdown)(provider.as_raw(), &mut sflags) };
    assert_eq!(hr, S_OK);
    drop(provider);
    assert_eq!(com_count(&support), support_base);
    assert_eq!(exported_objects(), 0);
}

/// An address book whose `Logon` panics.
struct Panicking;

impl AbProvider for Panicking {
    fn shutdown(&self, _flags: u32) -> MapiResult<()> {
        Ok(())
    }

    fn logon(&self, _args: &AbLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn AbLogon>>> {
        panic!("the address book's Logon panicked")
    }
}

struct PanickingLibrary;

impl ProviderLibrary for PanickingLibrary {
    fn exports(&self) -> Exports {
        Exports::AB_PROVIDER_INIT
    }

    fn ab_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn AbProvider>> {
        let _ = args;
        Ok(ProviderInit {
            provider: Ref::new(Panicking).into(),
            version: SpiVersion::CURRENT,
        })
    }
}

#[test]
fn a_panic_in_an_exported_logon_is_caught_and_reported() {
    let _serial = serial();
    let (_mapi, support, malloc) = fake();
    let (hr, raw) = init(
        ab_provider_init::<dyn ProviderLibrary>,
        &PanickingLibrary,
        &malloc,
    );
    assert_eq!(hr, S_OK);
    // SAFETY: ABProviderInit returned an IABProvider with one reference for the caller.
    let provider = unsafe { IABProvider::from_raw(raw) };
    let mut name = *b"Profile\0";
    let (mut cb, mut pb) = (16u32, ptr::dangling_mut::<u8>());
    let (mut error, mut logon) = (ptr::dangling_mut(), ptr::dangling_mut());
    // SAFETY: the provider is live; every pointer is valid.
    let hr = unsafe {
        (provider.vtable().Logon)(
            provider.as_raw(),
            support.as_raw(),
            0,
            name.as_mut_ptr().cast(),
            0,
            &mut cb,
            &mut pb,
            &mut error,
            &mut logon,
        )
    };
    assert_eq!(hr, HRESULT(MapiError::CallFailed.hresult()));
    assert!(
        logon.is_null() && error.is_null(),
        "the out-pointers are NULL after a failure"
    );
    let message = take_panic().expect("the panic is recorded");
    assert!(message.contains("the address book's Logon panicked"), "{message}");
    drop(provider);
    assert_eq!(exported_objects(), 0);
}
