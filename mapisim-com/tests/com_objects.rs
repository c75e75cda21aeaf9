//! The declarations at run time: Rust objects exposed through them with
//! `#[windows_core::implement]` and called through the raw vtables, as MAPI calls a provider —
//! on whatever platform the tests run on.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;
use std::sync::atomic::{AtomicU32, Ordering};

use mapisim_com::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER, MSGSERVICEENTRY, MSProviderInit};
use mapisim_com::interfaces::*;
use mapisim_com::types::{
    ENTRYID, LPTSTR, MAPIERROR, MAPINAMEID, MSCAP_SELECTOR, SCODE, SPropProblemArray, SPropTagArray,
    SPropValue,
};
use windows_core::{ComObject, GUID, HRESULT, IUnknown, Interface, implement};

const S_OK: HRESULT = HRESULT(0);
const MAPI_E_NO_SUPPORT: HRESULT = HRESULT(0x8004_0102_u32 as i32);
const E_NOINTERFACE: HRESULT = HRESULT(0x8000_4002_u32 as i32);
const MSCAP_SEL_FOLDER: MSCAP_SELECTOR = 2;
const MSCAP_SECURE_FOLDER_HOMEPAGES: u32 = 0x0000_0001;
const CURRENT_SPI_VERSION: u32 = 0x0001_0010;

/// A store's side objects: capabilities and fast shutdown on one COM object.
#[implement(IMSCapabilities, IMAPIProviderShutdown)]
struct Capable {
    shutdowns: AtomicU32,
}

impl IMSCapabilities_Impl for Capable_Impl {
    unsafe fn GetCapabilities(&self, mscapSelector: MSCAP_SELECTOR) -> u32 {
        if mscapSelector == MSCAP_SEL_FOLDER {
            MSCAP_SECURE_FOLDER_HOMEPAGES
        } else {
            0
        }
    }
}

impl IMAPIProviderShutdown_Impl for Capable_Impl {
    unsafe fn QueryFastShutdown(&self) -> HRESULT {
        S_OK
    }

    unsafe fn NotifyProcessShutdown(&self) -> HRESULT {
        S_OK
    }

    unsafe fn DoFastShutdown(&self) -> HRESULT {
        self.shutdowns.fetch_add(1, Ordering::SeqCst);
        S_OK
    }
}

#[test]
fn a_method_that_returns_a_ulong_and_query_interface_between_two_interfaces() {
    let object = ComObject::new(Capable {
        shutdowns: AtomicU32::new(0),
    });
    let caps: IMSCapabilities = object.to_interface();
    // SAFETY: `caps` is a live IMSCapabilities; GetCapabilities takes the object and a selector.
    let bits = unsafe { (caps.vtable().GetCapabilities)(caps.as_raw(), MSCAP_SEL_FOLDER) };
    assert_eq!(bits, MSCAP_SECURE_FOLDER_HOMEPAGES);
    // SAFETY: as above.
    assert_eq!(unsafe { (caps.vtable().GetCapabilities)(caps.as_raw(), 4) }, 0);

    let shutdown: IMAPIProviderShutdown = caps.cast().expect("the object has IMAPIProviderShutdown");
    // SAFETY: `shutdown` is a live IMAPIProviderShutdown; its methods take only the object.
    unsafe {
        assert_eq!((shutdown.vtable().QueryFastShutdown)(shutdown.as_raw()), S_OK);
        assert_eq!((shutdown.vtable().DoFastShutdown)(shutdown.as_raw()), S_OK);
    }
    assert_eq!(object.shutdowns.load(Ordering::SeqCst), 1);
    let back: IMSCapabilities = shutdown.cast().expect("and back");
    // One object behind both interfaces: the same IUnknown.
    assert_eq!(IUnknown::from(&back), IUnknown::from(&caps));
    assert_eq!(
        caps.cast::<IMsgStore>().map(drop).map_err(|e| e.code()),
        Err(E_NOINTERFACE)
    );
}

#[test]
fn add_ref_and_release_count_through_the_vtable() {
    let caps: IMSCapabilities = Capable {
        shutdowns: AtomicU32::new(0),
    }
    .into();
    let unknown = caps.vtable();
    // SAFETY: `caps` holds one reference, which the AddRef/Release pair leaves in place.
    unsafe {
        assert_eq!((unknown.base__.AddRef)(caps.as_raw()), 2);
        assert_eq!((unknown.base__.Release)(caps.as_raw()), 1);
    }
}

/// A profile section: an interface whose base is `IMAPIProp`, not `IUnknown`.
#[implement(IProfSect)]
struct Section;

impl IMAPIProp_Impl for Section_Impl {
    unsafe fn GetLastError(&self, _: HRESULT, _: u32, lppMAPIError: *mut *mut MAPIERROR) -> HRESULT {
        // SAFETY: the caller passes a valid out-pointer, as GetLastError requires.
        unsafe { *lppMAPIError = ptr::null_mut() };
        S_OK
    }

    unsafe fn SaveChanges(&self, _: u32) -> HRESULT {
        S_OK
    }

    unsafe fn GetProps(
        &self,
        _: *mut SPropTagArray,
        _: u32,
        lpcValues: *mut u32,
        lppPropArray: *mut *mut SPropValue,
    ) -> HRESULT {
        // SAFETY: the caller passes valid out-pointers, as GetProps requires.
        unsafe {
            *lpcValues = 0;
            *lppPropArray = ptr::null_mut();
        }
        MAPI_E_NO_SUPPORT
    }

    unsafe fn GetPropList(&self, _: u32, _: *mut *mut SPropTagArray) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn OpenProperty(&self, _: u32, _: *const GUID, _: u32, _: u32, _: *mut *mut c_void) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn SetProps(&self, _: u32, _: *mut SPropValue, _: *mut *mut SPropProblemArray) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn DeleteProps(&self, _: *mut SPropTagArray, _: *mut *mut SPropProblemArray) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

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
        _: *mut *mut SPropProblemArray,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn CopyProps(
        &self,
        _: *mut SPropTagArray,
        _: usize,
        _: *mut c_void,
        _: *const GUID,
        _: *mut c_void,
        _: u32,
        _: *mut *mut SPropProblemArray,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn GetNamesFromIDs(
        &self,
        _: *mut *mut SPropTagArray,
        _: *mut GUID,
        _: u32,
        _: *mut u32,
        _: *mut *mut *mut MAPINAMEID,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn GetIDsFromNames(
        &self,
        _: u32,
        _: *mut *mut MAPINAMEID,
        _: u32,
        _: *mut *mut SPropTagArray,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }
}

impl IProfSect_Impl for Section_Impl {}

#[test]
fn an_interface_derived_from_imapiprop_answers_for_its_bases() {
    let section: IProfSect = Section.into();
    let prop: IMAPIProp = section.cast().expect("IProfSect is an IMAPIProp");
    let mut error = ptr::dangling_mut::<MAPIERROR>();
    // SAFETY: `prop` is live and `error` a valid out-pointer.
    let hr = unsafe { (prop.vtable().GetLastError)(prop.as_raw(), S_OK, 0, &mut error) };
    assert_eq!((hr, error), (S_OK, ptr::null_mut()));
    // The same slot reached through IProfSect's vtable, whose first field is IMAPIProp's.
    // SAFETY: as above, through `section`.
    let hr = unsafe { (section.vtable().base__.SaveChanges)(section.as_raw(), 0) };
    assert_eq!(hr, S_OK);
    assert!(section.cast::<IMAPIStatus>().is_err());
}

/// A message-store provider that answers `Shutdown` and `CompareStoreIDs`.
#[implement(IMSProvider)]
struct Provider;

impl IMSProvider_Impl for Provider_Impl {
    unsafe fn Shutdown(&self, lpulFlags: *mut u32) -> HRESULT {
        // SAFETY: MAPI passes a valid pointer to the reserved flags.
        if unsafe { *lpulFlags } == 0 {
            S_OK
        } else {
            MAPI_E_NO_SUPPORT
        }
    }

    unsafe fn Logon(
        &self,
        _: *mut c_void,
        _: usize,
        _: LPTSTR,
        _: u32,
        _: *mut ENTRYID,
        _: u32,
        _: *const GUID,
        _: *mut u32,
        _: *mut *mut u8,
        _: *mut *mut MAPIERROR,
        _: *mut *mut c_void,
        _: *mut *mut c_void,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn SpoolerLogon(
        &self,
        _: *mut c_void,
        _: usize,
        _: LPTSTR,
        _: u32,
        _: *mut ENTRYID,
        _: u32,
        _: *const GUID,
        _: u32,
        _: *mut u8,
        _: *mut *mut MAPIERROR,
        _: *mut *mut c_void,
        _: *mut *mut c_void,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn CompareStoreIDs(
        &self,
        _: u32,
        _: *mut ENTRYID,
        _: u32,
        _: *mut ENTRYID,
        _: u32,
        lpulResult: *mut u32,
    ) -> HRESULT {
        // SAFETY: the caller passes a valid out-pointer, as CompareStoreIDs requires.
        unsafe { *lpulResult = 1 };
        S_OK
    }
}

/// Blocks of the allocator below; it hands out nothing larger.
type Block = [u8; 64];

/// Calls of `allocate_buffer` and `free_buffer` (only `msproviderinit_through_its_function_type`
/// reaches them).
static ALLOCATIONS: AtomicU32 = AtomicU32::new(0);
static FREES: AtomicU32 = AtomicU32::new(0);

unsafe extern "system" fn allocate_buffer(cbSize: u32, lppBuffer: *mut *mut c_void) -> SCODE {
    if cbSize as usize > size_of::<Block>() {
        return 0x8007_000E_u32 as i32; // MAPI_E_NOT_ENOUGH_MEMORY
    }
    ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
    let block: *mut Block = Box::into_raw(Box::new([0; 64]));
    // SAFETY: the caller passes a valid out-pointer, as MAPIAllocateBuffer requires.
    unsafe { *lppBuffer = block.cast() };
    0
}

unsafe extern "system" fn allocate_more(_: u32, _: *mut c_void, _: *mut *mut c_void) -> SCODE {
    MAPI_E_NO_SUPPORT.0
}

unsafe extern "system" fn free_buffer(lpBuffer: *mut c_void) -> u32 {
    if !lpBuffer.is_null() {
        FREES.fetch_add(1, Ordering::SeqCst);
        // SAFETY: a non-NULL block came from `allocate_buffer`'s `Box<Block>` and is freed once.
        drop(unsafe { Box::from_raw(lpBuffer.cast::<Block>()) });
    }
    0
}

/// A provider library's entry point: checks the SPI version, uses MAPI's allocator and returns a
/// new provider object.
unsafe extern "C" fn ms_provider_init(
    _hInstance: *mut c_void,
    _lpMalloc: *mut c_void,
    lpAllocateBuffer: Option<LPALLOCATEBUFFER>,
    _lpAllocateMore: Option<LPALLOCATEMORE>,
    lpFreeBuffer: Option<LPFREEBUFFER>,
    _ulFlags: u32,
    ulMAPIVer: u32,
    lpulProviderVer: *mut u32,
    lppMSProvider: *mut *mut c_void,
) -> HRESULT {
    // SAFETY: MAPI passes valid out-pointers.
    unsafe { *lpulProviderVer = CURRENT_SPI_VERSION };
    if ulMAPIVer < CURRENT_SPI_VERSION {
        return HRESULT(0x8004_0110_u32 as i32); // MAPI_E_VERSION
    }
    let (Some(allocate), Some(free)) = (lpAllocateBuffer, lpFreeBuffer) else {
        return HRESULT(0x8007_0057_u32 as i32); // E_INVALIDARG
    };
    let mut scratch = ptr::null_mut();
    // SAFETY: `allocate` and `free` are MAPI's routines; `scratch` is a valid out-pointer, then
    // the block `allocate` wrote there.
    unsafe {
        assert_eq!(allocate(16, &mut scratch), 0);
        assert_eq!(free(scratch), 0);
    }
    let provider: IMSProvider = Provider.into();
    // SAFETY: as above; the reference moves to the caller.
    unsafe { *lppMSProvider = provider.into_raw() };
    S_OK
}

#[test]
fn msproviderinit_through_its_function_type() {
    let init: MSProviderInit = ms_provider_init;
    let mut version = 0;
    let mut raw = ptr::null_mut();
    // SAFETY: every pointer is valid or NULL where the entry point allows it.
    let hr = unsafe {
        init(
            ptr::null_mut(),
            ptr::null_mut(),
            Some(allocate_buffer),
            Some(allocate_more),
            Some(free_buffer),
            0,
            CURRENT_SPI_VERSION,
            &mut version,
            &mut raw,
        )
    };
    assert_eq!((hr, version), (S_OK, CURRENT_SPI_VERSION));
    assert_eq!(ALLOCATIONS.load(Ordering::SeqCst), 1);
    assert_eq!(FREES.load(Ordering::SeqCst), 1);
    assert!(!raw.is_null());
    // SAFETY: the entry point returned one reference to a new IMSProvider, which this takes over.
    let provider = unsafe { IMSProvider::from_raw(raw) };
    let mut same = 0;
    let mut flags = 0;
    // SAFETY: `provider` is live; the ID pointers are never read by this provider and the
    // out-pointers are valid.
    unsafe {
        let vtable = provider.vtable();
        let hr = (vtable.CompareStoreIDs)(
            provider.as_raw(),
            0,
            ptr::null_mut(),
            0,
            ptr::null_mut(),
            0,
            &mut same,
        );
        assert_eq!((hr, same), (S_OK, 1));
        assert_eq!((vtable.Shutdown)(provider.as_raw(), &mut flags), S_OK);
    }
    // The final Release happens here, when `provider` drops.
}

#[test]
fn an_old_mapi_is_refused_through_the_same_pointer() {
    let init: MSProviderInit = ms_provider_init;
    let mut version = 0;
    let mut raw = ptr::null_mut();
    // SAFETY: as in the test above.
    let hr = unsafe {
        init(
            ptr::null_mut(),
            ptr::null_mut(),
            None,
            None,
            None,
            0,
            0x0001_0000,
            &mut version,
            &mut raw,
        )
    };
    assert_eq!(hr, HRESULT(0x8004_0110_u32 as i32));
    assert!(raw.is_null());
}

unsafe extern "system" fn service_entry(
    _hInstance: *mut c_void,
    _lpMalloc: *mut c_void,
    _lpMAPISup: *mut c_void,
    _ulUIParam: usize,
    _ulFlags: u32,
    ulContext: u32,
    _cValues: u32,
    _lpProps: *mut SPropValue,
    _lpProviderAdmin: *mut c_void,
    lppMapiError: *mut *mut MAPIERROR,
) -> HRESULT {
    if !lppMapiError.is_null() {
        // SAFETY: a non-NULL lppMapiError is a valid out-pointer.
        unsafe { *lppMapiError = ptr::null_mut() };
    }
    // MSG_SERVICE_DELETE must succeed; nothing else is supported here.
    if ulContext == 4 { S_OK } else { MAPI_E_NO_SUPPORT }
}

#[test]
fn the_service_entry_through_its_function_type() {
    let entry: MSGSERVICEENTRY = service_entry;
    let mut error = ptr::dangling_mut::<MAPIERROR>();
    let call = |context, error: *mut *mut MAPIERROR| {
        // SAFETY: the entry point reads none of the NULL pointers; `error` is valid or NULL.
        unsafe {
            entry(
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
                0,
                0,
                context,
                0,
                ptr::null_mut(),
                ptr::null_mut(),
                error,
            )
        }
    };
    assert_eq!(call(4, &mut error), S_OK);
    assert!(error.is_null());
    assert_eq!(call(3, ptr::null_mut()), MAPI_E_NO_SUPPORT);
}
