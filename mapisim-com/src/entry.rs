//! The functions a provider library exports and the allocation routines MAPI hands it, as Rust
//! function-pointer types.
//!
//! Calling conventions differ: the provider initialisation functions are `STDMAPIINITCALLTYPE`,
//! which the MAPI headers force to `__cdecl` on every platform (`extern "C"`), so that a call
//! still works when caller and callee disagree on the number of parameters; the message-service
//! entry point and the allocation routines are `__stdcall` (`extern "system"`). On x86_64 and
//! aarch64 the two are the same convention; they differ on 32-bit x86.
//!
//! Every type is the bare function pointer. Where a C pointer to such a function may be NULL, the
//! Rust parameter is an `Option` of it, which has the same ABI.
#![allow(non_snake_case)]

use core::ffi::{CStr, c_void};

use windows_core::HRESULT;

use crate::types::{MAPIERROR, SCODE, SPropValue};

/// `LPALLOCATEBUFFER` (`MAPIAllocateBuffer`): `SCODE (ULONG cbSize, LPVOID FAR * lppBuffer)`.
///
/// Allocates a root block of `cbSize` bytes and writes its address to `*lppBuffer`. One
/// `MAPIFreeBuffer` on the root frees it with every block linked to it.
pub type LPALLOCATEBUFFER = unsafe extern "system" fn(cbSize: u32, lppBuffer: *mut *mut c_void) -> SCODE;

/// `LPALLOCATEMORE` (`MAPIAllocateMore`): `SCODE (ULONG cbSize, LPVOID lpObject, LPVOID FAR *
/// lppBuffer)`.
///
/// Allocates a block of `cbSize` bytes linked to the root block `lpObject`: it is freed with the
/// root, never on its own.
pub type LPALLOCATEMORE =
    unsafe extern "system" fn(cbSize: u32, lpObject: *mut c_void, lppBuffer: *mut *mut c_void) -> SCODE;

/// `LPFREEBUFFER` (`MAPIFreeBuffer`): `ULONG (LPVOID lpBuffer)`.
///
/// Frees a root block and every block linked to it; NULL is allowed and does nothing.
pub type LPFREEBUFFER = unsafe extern "system" fn(lpBuffer: *mut c_void) -> u32;

/// `MSProviderInit`, the message-store provider's initialisation function (the header names its
/// type `MSPROVIDERINIT`), `STDMAPIINITCALLTYPE` (cdecl):
///
/// ```text
/// HRESULT MSProviderInit(HINSTANCE hInstance, LPMALLOC lpMalloc,
///     LPALLOCATEBUFFER lpAllocateBuffer, LPALLOCATEMORE lpAllocateMore,
///     LPFREEBUFFER lpFreeBuffer, ULONG ulFlags, ULONG ulMAPIVer,
///     ULONG FAR * lpulProviderVer, LPMSPROVIDER FAR * lppMSProvider);
/// ```
///
/// - `hInstance`: the module handle of the provider library as MAPI loaded it.
/// - `lpMalloc`: OLE's `IMalloc`; a provider that keeps it calls `AddRef`.
/// - `lpAllocateBuffer`, `lpAllocateMore`, `lpFreeBuffer`: MAPI's allocation routines, for the
///   memory a provider hands to its callers.
/// - `ulFlags`: `MAPI_NT_SERVICE` (0x00010000) when loaded in a Windows service.
/// - `ulMAPIVer`: the SPI version MAPI implements (`CURRENT_SPI_VERSION`, 0x00010010).
/// - `lpulProviderVer`: out, the SPI version the provider implements.
/// - `lppMSProvider`: out, a new `IMSProvider` for every call.
///
/// Returns `S_OK`, or `MAPI_E_VERSION` when the two SPI versions do not agree.
pub type MSProviderInit = unsafe extern "C" fn(
    hInstance: *mut c_void,
    lpMalloc: *mut c_void,
    lpAllocateBuffer: Option<LPALLOCATEBUFFER>,
    lpAllocateMore: Option<LPALLOCATEMORE>,
    lpFreeBuffer: Option<LPFREEBUFFER>,
    ulFlags: u32,
    ulMAPIVer: u32,
    lpulProviderVer: *mut u32,
    lppMSProvider: *mut *mut c_void,
) -> HRESULT;

/// The name MAPI looks [`MSProviderInit`] up by in a provider library.
pub const MS_PROVIDER_INIT_NAME: &CStr = c"MSProviderInit";

/// `ABProviderInit`, the address-book provider's initialisation function (`ABPROVIDERINIT`),
/// `STDMAPIINITCALLTYPE` (cdecl): the signature of [`MSProviderInit`], the last parameter a new
/// `IABProvider` (`LPABPROVIDER FAR * lppABProvider`), one per MAPI session.
pub type ABProviderInit = MSProviderInit;

/// The name MAPI looks [`ABProviderInit`] up by.
pub const AB_PROVIDER_INIT_NAME: &CStr = c"ABProviderInit";

/// `XPProviderInit`, the transport provider's initialisation function (`XPPROVIDERINIT`),
/// `STDMAPIINITCALLTYPE` (cdecl): the signature of [`MSProviderInit`], the last parameter a new
/// `IXPProvider` (`LPXPPROVIDER FAR * lppXPProvider`), one per transport provider and session.
pub type XPProviderInit = MSProviderInit;

/// The name MAPI looks [`XPProviderInit`] up by.
pub const XP_PROVIDER_INIT_NAME: &CStr = c"XPProviderInit";

/// `MSGSERVICEENTRY`, a message service's entry point (exported under the name its
/// `PR_SERVICE_ENTRY_NAME` gives, usually `ServiceEntry`), `STDAPICALLTYPE` (stdcall):
///
/// ```text
/// HRESULT ServiceEntry(HINSTANCE hInstance, LPMALLOC lpMalloc, LPMAPISUP lpMAPISup,
///     ULONG_PTR ulUIParam, ULONG ulFlags, ULONG ulContext, ULONG cValues,
///     LPSPropValue lpProps, LPPROVIDERADMIN lpProviderAdmin,
///     LPMAPIERROR FAR * lppMapiError);
/// ```
///
/// - `hInstance`: the service library's module handle, for its resources.
/// - `lpMalloc`: OLE's `IMalloc`.
/// - `lpMAPISup`: a message-service `IMAPISupport`, which implements only `DoConfigPropsheet`,
///   `GetLastError`, `GetMemAllocRoutines`, `GetSvcConfigSupportObj`, `MakeInvalid`, `NewUID` and
///   `OpenProfileSection`.
/// - `ulUIParam`: the parent window of a configuration dialog, 0 for none.
/// - `ulFlags`: `MAPI_UNICODE`, `SERVICE_UI_ALWAYS`, `SERVICE_UI_ALLOWED`,
///   `UI_CURRENT_PROVIDER_FIRST`, `MSG_SERVICE_UI_READ_ONLY`, `SERVICE_LOGON_FAILED`.
/// - `ulContext`: `MSG_SERVICE_INSTALL` 1, `CREATE` 2, `CONFIGURE` 3, `DELETE` 4, `UNINSTALL` 5,
///   `PROVIDER_CREATE` 6, `PROVIDER_DELETE` 7.
/// - `cValues`, `lpProps`: configuration properties, for `MSG_SERVICE_CONFIGURE`.
/// - `lpProviderAdmin`: the service's `IProviderAdmin`.
/// - `lppMapiError`: out, optional, a `MAPIERROR` allocated with `MAPIAllocateBuffer` and freed by
///   MAPI.
pub type MSGSERVICEENTRY = unsafe extern "system" fn(
    hInstance: *mut c_void,
    lpMalloc: *mut c_void,
    lpMAPISup: *mut c_void,
    ulUIParam: usize,
    ulFlags: u32,
    ulContext: u32,
    cValues: u32,
    lpProps: *mut SPropValue,
    lpProviderAdmin: *mut c_void,
    lppMapiError: *mut *mut MAPIERROR,
) -> HRESULT;

/// The name MAPI prefers for a [`MSGSERVICEENTRY`]; the service's `PR_SERVICE_ENTRY_NAME` in
/// Mapisvc.inf names the export MAPI actually looks up.
pub const SERVICE_ENTRY_NAME: &CStr = c"ServiceEntry";
