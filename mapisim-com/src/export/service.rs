//! The message-service entry point (`MSGSERVICEENTRY`) of a provider library, exported, and
//! MAPI's `IProviderAdmin` as the [`ProviderAdmin`] it hands the entry point.
//!
//! - [`service_entry`] is the body of an exported service entry: it builds
//!   [`ServiceEntryArgs`] from what MAPI passed and calls [`ProviderLibrary::service_entry`].
//! - [`ComProviderAdmin`] is a [`ProviderAdmin`] over an `IProviderAdmin` interface pointer.
//! - [`export_service_entry!`](crate::export_service_entry) writes the export under the name the
//!   service's `PR_SERVICE_ENTRY_NAME` gives, and
//!   [`export_provider_library!`](crate::export_provider_library) writes both exports of a
//!   library that has a store provider and a service entry, on **one** library instance.
// The parameters of the entry point are MAPI's names.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::fmt;
use core::ptr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

use mapisim::flags::{ProfileSectionFlags, ServiceContext, ServiceEntryFlags};
use mapisim::ids::{Iid, MapiUid};
use mapisim::props::Prop;
use mapisim::spi::{
    Malloc, MapiBuffer, MapiErrorInfo, MapiSupport, MemRoutines, ModuleInstance, OutParam, ProfSect,
    ProviderAdmin, ProviderLibrary, ServiceEntryArgs,
};
use mapisim::strings::TStr;
use mapisim::{MapiError, MapiResult, Ref};
use windows_core::{GUID, HRESULT, Interface};

use super::store::MAPI_UNICODE;
use super::{HostMemory, drop_payload, guard};
use crate::entry::LPFREEBUFFER;
use crate::import::ComMalloc;
use crate::interfaces::{IMAPISupport, IMAPITable, IProfSect, IProviderAdmin};
use crate::props;
use crate::support::{ComProfSect, ComSupport, check, count, last_error, with_input};
use crate::types::{MAPIERROR, MAPIUID, SPropValue, SRow, SRowSet};

/// A provider library kept in a `static` for the life of the loaded module, made by its factory
/// at the first call of any export that uses it: what
/// [`export_provider_library!`](crate::export_provider_library) shares between
/// `MSProviderInit` and the service entry, and what the `static` form of
/// [`export_service_entry!`](crate::export_service_entry) takes.
///
/// ```
/// use std::sync::LazyLock;
///
/// use mapisim::sample::SampleStore;
/// use mapisim_com::export::SharedLibrary;
///
/// static LIBRARY: SharedLibrary = LazyLock::new(|| Box::new(SampleStore::library()));
/// assert_eq!(LIBRARY.service_entry_name(), "ServiceEntry");
/// ```
pub type SharedLibrary = LazyLock<Box<dyn ProviderLibrary>>;

/// The library of a [`SharedLibrary`], made if it is not yet; a panic of its factory gives
/// `MAPI_E_CALL_FAILED` (and every later call too) rather than unwinding into MAPI.
#[doc(hidden)]
pub fn __shared_library(library: &'static SharedLibrary) -> Result<&'static dyn ProviderLibrary, HRESULT> {
    match catch_unwind(AssertUnwindSafe(|| &***library)) {
        Ok(library) => Ok(library),
        Err(payload) => {
            super::record_panic(payload.as_ref());
            drop_payload(payload);
            Err(HRESULT(MapiError::CallFailed.hresult()))
        }
    }
}

/// The body of an exported message-service entry point (see
/// [`crate::entry::MSGSERVICEENTRY`]), for the provider library `library`, loaded from the file
/// `file` (the name its [`ModuleInstance`] carries).
///
/// It builds [`ServiceEntryArgs`] from what MAPI passed and calls the library's
/// [`ProviderLibrary::service_entry`]:
///
/// - `hInstance` as [`ModuleInstance::from_host`];
/// - `lpMalloc` as a `Ref<dyn Malloc>` ([`ComMalloc`]: one `AddRef` of the `IMalloc` for as long
///   as the provider keeps it);
/// - `lpMAPISup` as a `Ref<dyn MapiSupport>` ([`ComSupport`]), on the provider's routines over
///   the three functions the support object's `GetMemAllocRoutines` returns
///   ([`host_routines`](crate::import::host_routines));
/// - `ulFlags` as [`ServiceEntryFlags`], unknown bits kept; `ulContext` as [`ServiceContext`]:
///   a value that is none of the seven contexts is answered `MAPI_E_NO_SUPPORT` without calling
///   the provider (the code the entry point gives for a context it does not handle);
/// - `cValues`, `lpProps` read into owned properties ([`props::read_props`]);
/// - `lpProviderAdmin` as a `Ref<dyn ProviderAdmin>` ([`ComProviderAdmin`]).
///
/// The provider's call runs under [`guard`]: a panic gives `MAPI_E_CALL_FAILED` and never
/// unwinds into MAPI. Every reference taken for the call is released when it returns, except
/// those the provider keeps.
///
/// `*lppMapiError` is set to NULL first, then, whatever the call returned, to the `MAPIERROR`
/// the provider set in `args.mapi_error` (if any), laid out in MAPI memory (one root block,
/// strings in UTF-16 when `ulFlags` carries `MAPI_UNICODE`, in 8 bits otherwise), MAPI's to free
/// with one `MAPIFreeBuffer`. A NULL `lppMapiError` is allowed: the provider's `MAPIERROR` is
/// then freed.
///
/// Returns `S_OK` or the error: the provider's, `MAPI_E_INVALID_PARAMETER` for a NULL
/// `lpMalloc`, `lpMAPISup` or `lpProviderAdmin` or a NULL `lpProps` with a nonzero `cValues`,
/// `MAPI_E_NO_SUPPORT` for an unknown context, the support object's for a failing
/// `GetMemAllocRoutines`, `MAPI_E_CALL_FAILED` for a panic.
///
/// # Safety
///
/// The arguments are those of `MSGSERVICEENTRY` from a caller that keeps its contract:
/// `lpMalloc` is NULL or a live, thread-safe `IMalloc`; `lpMAPISup` is NULL or a live
/// `IMAPISupport` (as [`ComSupport::from_raw_borrowed`] requires), whose `GetMemAllocRoutines`
/// gives MAPI's routines (as [`host_routines`](crate::import::host_routines) requires);
/// `lpProps` is NULL or `cValues` property values (as [`props::read_props`] requires);
/// `lpProviderAdmin` is NULL or a live `IProviderAdmin` (as
/// [`ComProviderAdmin::from_raw_borrowed`] requires); `lppMapiError` is NULL or valid for a
/// write.
#[allow(clippy::too_many_arguments)] // MSGSERVICEENTRY's parameters.
pub unsafe fn service_entry<L: ProviderLibrary + ?Sized>(
    library: &L,
    file: &str,
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
) -> HRESULT {
    if !lppMapiError.is_null() {
        // SAFETY: not NULL, and valid for a write (the caller's contract).
        unsafe { lppMapiError.write(ptr::null_mut()) };
    }
    guard(|| -> MapiResult<()> {
        if lpMalloc.is_null() || lpMAPISup.is_null() || lpProviderAdmin.is_null() {
            return Err(MapiError::InvalidParameter);
        }
        if cValues != 0 && lpProps.is_null() {
            return Err(MapiError::InvalidParameter);
        }
        let context = ServiceContext::from_value(ulContext).ok_or(MapiError::NoSupport)?;
        let unicode = ulFlags & MAPI_UNICODE != 0;

        // SAFETY: a live IMAPISupport of MAPI whose GetMemAllocRoutines gives MAPI's routines
        // (the caller's contract).
        let (memory, free_buffer) = unsafe { support_memory(lpMAPISup)? };
        // SAFETY: a live IMAPISupport of MAPI (the caller's contract).
        let support = unsafe { ComSupport::from_raw_borrowed(lpMAPISup, memory.routines().clone())? };
        let support: Ref<dyn MapiSupport> = Ref::new(support).into();
        // SAFETY: a live IProviderAdmin of MAPI (the caller's contract); `free_buffer` is the
        // support object's MAPIFreeBuffer, MAPI's.
        let admin = unsafe {
            ComProviderAdmin::from_raw_borrowed(lpProviderAdmin, memory.routines().clone(), free_buffer)?
        };
        let admin: Ref<dyn ProviderAdmin> = Ref::new(admin).into();
        // SAFETY: a live, thread-safe IMalloc (the caller's contract).
        let malloc: Ref<dyn Malloc> = Ref::new(unsafe { ComMalloc::from_raw_borrowed(lpMalloc)? }).into();
        // SAFETY: `cValues` property values at `lpProps`, unchanged during the call (the
        // caller's contract); a NULL `lpProps` comes only with a count of 0 (checked).
        let props: Vec<Prop> = unsafe { props::read_props(lpProps, cValues) };
        let instance = ModuleInstance::from_host(file, hInstance.addr());
        let mapi_error = OutParam::new();

        let args = ServiceEntryArgs {
            instance: &instance,
            malloc: &malloc,
            support: &support,
            ui_param: ulUIParam,
            flags: ServiceEntryFlags::from_bits_retain(ulFlags),
            context,
            props: &props,
            admin: &admin,
            mapi_error: &mapi_error,
        };
        // The provider's call under a guard of its own, so that a MAPIERROR it set before
        // panicking is still handed over (or freed).
        let result =
            catch_unwind(AssertUnwindSafe(|| library.service_entry(&args))).unwrap_or_else(|payload| {
                drop_payload(payload);
                Err(MapiError::CallFailed)
            });
        drop((support, admin, malloc));
        if let Some(error) = mapi_error.get() {
            hand_over_error(&memory, error, unicode, lppMapiError);
        }
        result
    })
}

/// `*lppMapiError`: the provider's `MAPIERROR` laid out for MAPI when it asked for one, freed
/// through the routines otherwise (or when it cannot be laid out).
fn hand_over_error(
    memory: &HostMemory,
    error: MapiBuffer<MapiErrorInfo>,
    unicode: bool,
    lppMapiError: *mut *mut MAPIERROR,
) {
    if lppMapiError.is_null() {
        let _ = memory.routines().free_buffer(Some(error.id()));
        return;
    }
    // `hand_over_error` reads and frees the provider's block whatever happens next.
    if let Ok(laid_out) = memory.hand_over_error(error, unicode) {
        // SAFETY: not NULL, and valid for a write (the caller's contract); the block is MAPI's.
        unsafe { lppMapiError.write(laid_out) };
    }
}

/// MAPI's memory as the support object's `GetMemAllocRoutines` gives it: the provider's routines
/// on the three functions, and its `MAPIFreeBuffer`.
///
/// # Safety
///
/// `raw` is a live `IMAPISupport`, whose `GetMemAllocRoutines` gives MAPI's routines, valid and
/// thread-safe for as long as the result (or any clone of its routines) lives.
unsafe fn support_memory(raw: *mut c_void) -> MapiResult<(HostMemory, LPFREEBUFFER)> {
    // SAFETY: `raw` is a live IMAPISupport (the caller's contract), borrowed for this call.
    let support = unsafe { IMAPISupport::from_raw_borrowed(&raw) }.ok_or(MapiError::InvalidParameter)?;
    let (mut allocate_buffer, mut allocate_more, mut free_buffer) = (None, None, None);
    // SAFETY: `support` is live; the three out-pointers are valid for the call.
    check(unsafe {
        support.GetMemAllocRoutines(&mut allocate_buffer, &mut allocate_more, &mut free_buffer)
    })?;
    // SAFETY: the routines are MAPI's (the caller's contract).
    let memory = unsafe { HostMemory::new(allocate_buffer, allocate_more, free_buffer)? };
    let free_buffer = free_buffer.ok_or(MapiError::InvalidParameter)?;
    Ok((memory, free_buffer))
}

/// How many rows [`read_table`] asks for at a time.
const ROWS_AT_A_TIME: i32 = 50;

/// Every row of a table, from its first, with the table's current columns: `QueryRows` until it
/// returns no row, each row's values read ([`props::read_props`]) and each row set freed as
/// `FreeProws` does (every row's `lpProps`, then the set, with `MAPIFreeBuffer`).
///
/// # Safety
///
/// `table` is a live `IMAPITable` whose `QueryRows` keeps its contract (a row set of `cRows`
/// rows, each with `cValues` values, every block allocated with the `MAPIFreeBuffer` passed here),
/// callable on this thread.
pub(crate) unsafe fn read_table(table: &IMAPITable, free_buffer: LPFREEBUFFER) -> MapiResult<Vec<Vec<Prop>>> {
    let mut rows = Vec::new();
    // SAFETY: `table` is live; BOOKMARK_BEGINNING (0) and no count to receive.
    check(unsafe { table.SeekRow(0, 0, ptr::null_mut()) })?;
    loop {
        let mut set = ptr::null_mut::<SRowSet>();
        // SAFETY: `table` is live; `set` is an out-pointer on the stack.
        let hr = unsafe { table.QueryRows(ROWS_AT_A_TIME, 0, &mut set) };
        if set.is_null() {
            check(hr)?;
            return Err(MapiError::CallFailed);
        }
        // SAFETY: `set` is the row set MAPI returned, `cRows` rows long (the caller's contract).
        let count = unsafe { (*set).cRows } as usize;
        // SAFETY: as above: the address of the first row, in the set's block.
        let first = unsafe { ptr::addr_of_mut!((*set).aRow).cast::<SRow>() };
        for i in 0..count {
            // SAFETY: row `i` of `count` rows laid out one after the other from `aRow`.
            let row = unsafe { &*first.add(i) };
            // SAFETY: the row's `cValues` values at `lpProps` (the caller's contract).
            rows.push(unsafe { props::read_props(row.lpProps, row.cValues) });
            // SAFETY: each row's values are a block of their own, freed once, here.
            unsafe { free_buffer(row.lpProps.cast()) };
        }
        // SAFETY: the row set itself, freed once, after its rows' values.
        unsafe { free_buffer(set.cast()) };
        check(hr)?;
        if count == 0 {
            return Ok(rows);
        }
    }
}

/// MAPI's `IProviderAdmin` (the `lpProviderAdmin` a service entry receives) as a
/// [`ProviderAdmin`].
///
/// It holds one reference to the interface: made from a borrowed pointer it calls `AddRef` once,
/// and dropping it calls `Release` once.
///
/// | method | |
/// |---|---|
/// | `GetLastError` | calls MAPI; its `MAPIERROR` is read, freed with `MAPIFreeBuffer` and returned in a buffer of the provider's routines |
/// | `CreateProvider` | calls MAPI with the name in the encoding `MAPI_UNICODE` in the flags names (converted through its text when the name is in the other one) and the properties laid out in MAPI memory, freed when the call returns |
/// | `DeleteProvider` | calls MAPI |
/// | `OpenProfileSection` | calls MAPI; the section is a [`ComProfSect`] on the same routines |
/// | `GetProviderTable` | calls MAPI and reads the whole table it returns, page by page (`QueryRows`, each row set freed as `FreeProws` does): its rows with the table's default columns, the table released after |
///
/// It is `Send + Sync`: MAPI uses the free-threading model, and its objects may be called, and
/// released, from any thread.
pub struct ComProviderAdmin {
    admin: IProviderAdmin,
    routines: MemRoutines,
    free_buffer: LPFREEBUFFER,
}

// SAFETY: MAPI's provider-administration object follows the free-threading model: its methods
// and its final `Release` may be called from any thread. `MemRoutines` is `Send + Sync`, and
// `free_buffer` is MAPI's thread-safe MAPIFreeBuffer.
unsafe impl Send for ComProviderAdmin {}

// SAFETY: as for `Send`; every method takes `&self` and calls only thread-safe code.
unsafe impl Sync for ComProviderAdmin {}

impl ComProviderAdmin {
    /// An adapter over the interface pointer a service entry received, borrowed (the adapter
    /// calls `AddRef` once, and `Release` when dropped). `routines` are the provider's routines
    /// on MAPI's allocator; `free_buffer` is MAPI's `MAPIFreeBuffer`, for the blocks MAPI hands
    /// over. NULL gives `MAPI_E_INVALID_PARAMETER`.
    ///
    /// # Safety
    ///
    /// `raw` is NULL or a live `IProviderAdmin` pointer of MAPI (or an object that keeps its
    /// contract: every out-pointer filled as the headers say, every block it hands over
    /// allocated so that `free_buffer` frees it, strings NUL-terminated), callable from any
    /// thread; `free_buffer` stays valid as long as the adapter and the sections it opens live.
    pub unsafe fn from_raw_borrowed(
        raw: *mut c_void,
        routines: MemRoutines,
        free_buffer: LPFREEBUFFER,
    ) -> MapiResult<ComProviderAdmin> {
        // SAFETY: `raw` is NULL or a live IProviderAdmin (the caller's contract); the borrow ends
        // here, after the clone has taken a reference of its own.
        let admin = unsafe { IProviderAdmin::from_raw_borrowed(&raw) }
            .cloned()
            .ok_or(MapiError::InvalidParameter)?;
        Ok(ComProviderAdmin {
            admin,
            routines,
            free_buffer,
        })
    }

    /// The interface this adapter calls.
    pub fn interface(&self) -> &IProviderAdmin {
        &self.admin
    }
}

impl fmt::Debug for ComProviderAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComProviderAdmin")
            .field("interface", &self.admin.as_raw())
            .finish_non_exhaustive()
    }
}

/// A string with its NUL, in the encoding `unicode` names, in units of that encoding.
enum NameZ {
    Ansi(Vec<u8>),
    Wide(Vec<u16>),
}

impl NameZ {
    fn new(name: TStr<'_>, unicode: bool) -> NameZ {
        match (name, unicode) {
            (TStr::Wide(units), true) => NameZ::Wide(units.iter().copied().chain([0]).collect()),
            (TStr::Ansi(bytes), false) => NameZ::Ansi(bytes.iter().copied().chain([0]).collect()),
            (other, true) => NameZ::Wide(other.to_string_lossy().encode_utf16().chain([0]).collect()),
            (other, false) => NameZ::Ansi(other.to_string_lossy().bytes().chain([0]).collect()),
        }
    }

    fn as_mut_ptr(&mut self) -> *mut c_void {
        match self {
            NameZ::Ansi(bytes) => bytes.as_mut_ptr().cast(),
            NameZ::Wide(units) => units.as_mut_ptr().cast(),
        }
    }
}

impl ProviderAdmin for ComProviderAdmin {
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        last_error(&self.routines, self.free_buffer, flags, |out| {
            // SAFETY: `self.admin` is live; `out` is a valid out-pointer.
            unsafe { self.admin.GetLastError(HRESULT(hresult.hresult()), flags, out) }
        })
    }

    fn get_provider_table(&self, flags: u32) -> MapiResult<Vec<Vec<Prop>>> {
        let mut table = ptr::null_mut();
        // SAFETY: `self.admin` is live; `table` is an out-pointer on the stack.
        let hr = unsafe { self.admin.GetProviderTable(flags, &mut table) };
        // SAFETY: on success MAPI stored an IMAPITable with one reference for the caller (or
        // NULL); `from_raw` takes that reference, released when `table` is dropped.
        let table = (!table.is_null()).then(|| unsafe { IMAPITable::from_raw(table) });
        check(hr)?;
        let table = table.ok_or(MapiError::CallFailed)?;
        // SAFETY: a live table of MAPI's, whose row sets are freed with `free_buffer`.
        unsafe { read_table(&table, self.free_buffer) }
    }

    fn create_provider(
        &self,
        name: TStr<'_>,
        props: &[Prop],
        ui_param: usize,
        flags: u32,
    ) -> MapiResult<MapiUid> {
        let mut name = NameZ::new(name, flags & MAPI_UNICODE != 0);
        let values = count(props.len())?;
        let array = props::write_props(&self.routines, props)?;
        with_input(&self.routines, array, |array: *mut SPropValue| {
            let mut uid = MAPIUID { ab: [0; 16] };
            // SAFETY: `self.admin` is live; the name is NUL-terminated in the encoding the flags
            // name, `array` is `values` SPropValues laid out in MAPI memory, both live for the
            // call; `uid` is a MAPIUID on the stack for MAPI to fill.
            check(unsafe {
                self.admin
                    .CreateProvider(name.as_mut_ptr(), values, array, ui_param, flags, &mut uid)
            })?;
            Ok(MapiUid(uid.ab))
        })
    }

    fn delete_provider(&self, uid: &MapiUid) -> MapiResult<()> {
        let mut uid = MAPIUID::from(*uid);
        // SAFETY: `self.admin` is live; `uid` is a MAPIUID on the stack.
        check(unsafe { self.admin.DeleteProvider(&mut uid) })
    }

    /// `OpenProfileSection`. The section's [`ProfSect::uid`] is `uid`; for the service's own
    /// section (`None`), whose UID MAPI does not say, it is the nil MAPIUID (16 zero bytes).
    fn open_profile_section(
        &self,
        uid: Option<&MapiUid>,
        interface: Option<&Iid>,
        flags: ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        let mut raw_uid = uid.map(|uid| MAPIUID::from(*uid));
        let uid_ptr = raw_uid.as_mut().map_or(ptr::null_mut(), |u| u as *mut MAPIUID);
        let iid = interface.map(|iid| GUID::from_u128(iid.0.as_u128()));
        let iid_ptr = iid.as_ref().map_or(ptr::null(), |g| g as *const GUID);
        let mut section = ptr::null_mut();
        // SAFETY: `self.admin` is live; `uid_ptr` and `iid_ptr` are NULL or values on the stack;
        // `section` is a valid out-pointer.
        let hr = unsafe {
            self.admin
                .OpenProfileSection(uid_ptr, iid_ptr, flags.bits(), &mut section)
        };
        // SAFETY: on success MAPI stored an IProfSect with one reference for the caller (or
        // NULL); `from_raw` takes that reference, so it is released once, with the adapter.
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
}

/// Exports a message-service entry point (`MSGSERVICEENTRY`) from the library being built,
/// under the name given last (the one the service's `PR_SERVICE_ENTRY_NAME` gives, usually
/// `ServiceEntry`), with the module's file name (what the provider's
/// [`ModuleInstance::file`](mapisim::spi::ModuleInstance::file) says):
///
/// - `export_service_entry!(my_crate::MyDll::new, "MYSVC32.DLL", ServiceEntry)`: a library of
///   its own, made by the factory at the first call and kept in a `static`. Use this form only
///   for a library whose service entry is its only export;
/// - `export_service_entry!(static LIBRARY, "MYSVC32.DLL", ServiceEntry)`: the library of a
///   [`SharedLibrary`](crate::export::SharedLibrary) `static`, shared with the library's other
///   exports. [`export_provider_library!`](crate::export_provider_library) writes such a
///   `static` and both exports of a store provider's library.
///
/// The expansion is `#[unsafe(no_mangle)] pub unsafe extern "system" fn ServiceEntry(…)`, of the
/// type [`entry::MSGSERVICEENTRY`](crate::entry::MSGSERVICEENTRY), which calls
/// [`service_entry`](crate::export::service_entry). What
/// [`export_ms_provider!`](crate::export_ms_provider) says of unloading holds here too.
#[macro_export]
macro_rules! export_service_entry {
    // The function itself; `$library` gives the `Result` of `__shared_library`.
    (@export $name:ident, $file:expr, $library:expr) => {
        /// The message-service entry point that MAPI calls to configure the service.
        ///
        /// # Safety
        ///
        /// MAPI's arguments, as `mapisim_com::export::service_entry` requires them.
        #[unsafe(no_mangle)]
        #[allow(non_snake_case, clippy::too_many_arguments)]
        pub unsafe extern "system" fn $name(
            hInstance: *mut ::core::ffi::c_void,
            lpMalloc: *mut ::core::ffi::c_void,
            lpMAPISup: *mut ::core::ffi::c_void,
            ulUIParam: usize,
            ulFlags: u32,
            ulContext: u32,
            cValues: u32,
            lpProps: *mut $crate::types::SPropValue,
            lpProviderAdmin: *mut ::core::ffi::c_void,
            lppMapiError: *mut *mut $crate::types::MAPIERROR,
        ) -> $crate::export::__private::HRESULT {
            let library = match $library {
                ::core::result::Result::Ok(library) => library,
                ::core::result::Result::Err(hr) => return hr,
            };
            // SAFETY: MAPI's arguments, passed on unchanged (this function's contract).
            unsafe {
                $crate::export::service_entry(
                    library,
                    $file,
                    hInstance,
                    lpMalloc,
                    lpMAPISup,
                    ulUIParam,
                    ulFlags,
                    ulContext,
                    cValues,
                    lpProps,
                    lpProviderAdmin,
                    lppMapiError,
                )
            }
        }

        const _: $crate::entry::MSGSERVICEENTRY = $name;
    };
    (static $library:path, $file:expr, $name:ident) => {
        $crate::export_service_entry!(@export $name, $file, $crate::export::__shared_library(&$library));
    };
    ($factory:path, $file:expr, $name:ident) => {
        $crate::export_service_entry!(@export $name, $file, {
            static LIBRARY: $crate::export::SharedLibrary =
                ::std::sync::LazyLock::new(|| ::std::boxed::Box::new($factory()));
            $crate::export::__shared_library(&LIBRARY)
        });
    };
}

/// Exports the entry points of a provider library and its message service, on **one** library
/// instance, as MAPI sees one DLL:
/// `export_provider_library!(my_crate::MyDll::new, "MYMS32.DLL", service_entry = ServiceEntry)`
/// for a store provider, or with the kinds the library holds:
/// `export_provider_library!(my_crate::MyDll::new, "MYMS32.DLL", service_entry = ServiceEntry,
/// providers = [address_book, store, transport])`.
///
/// It writes a [`SharedLibrary`](crate::export::SharedLibrary) `static` (the factory is called
/// once, at the first call of any export), the entry point of each kind named — `store`:
/// `MSProviderInit` (as [`export_ms_provider!`](crate::export_ms_provider) writes it, calling
/// [`ms_provider_init`](crate::export::ms_provider_init)); `address_book`: `ABProviderInit`
/// ([`ab_provider_init`](crate::export::ab_provider_init)); `transport`: `XPProviderInit`
/// ([`xp_provider_init`](crate::export::xp_provider_init)) — and the service entry under the name
/// given (as [`export_service_entry!`](crate::export_service_entry) writes it). Name only the
/// kinds the library holds: MAPI (and the simulator hosting the built library) reads what a
/// library exports as what it provides. Use [`export_ms_provider!`](crate::export_ms_provider)
/// alone for a store library with no service entry.
#[macro_export]
macro_rules! export_provider_library {
    ($factory:path, $file:expr, service_entry = $name:ident) => {
        $crate::export_provider_library!($factory, $file, service_entry = $name, providers = [store]);
    };
    ($factory:path, $file:expr, service_entry = $name:ident, providers = [$($kind:ident),+ $(,)?]) => {
        static __MAPISIM_PROVIDER_LIBRARY: $crate::export::SharedLibrary =
            ::std::sync::LazyLock::new(|| ::std::boxed::Box::new($factory()));

        $($crate::__export_provider_kind!($kind, __MAPISIM_PROVIDER_LIBRARY, $file);)+

        $crate::export_service_entry!(static __MAPISIM_PROVIDER_LIBRARY, $file, $name);
    };
}

/// One provider entry point of [`export_provider_library!`](crate::export_provider_library).
#[doc(hidden)]
#[macro_export]
macro_rules! __export_provider_kind {
    (store, $library:ident, $file:expr) => {
        $crate::__export_provider_kind!(@init MSProviderInit, ms_provider_init, MSProviderInit, $library, $file);
    };
    (address_book, $library:ident, $file:expr) => {
        $crate::__export_provider_kind!(@init ABProviderInit, ab_provider_init, ABProviderInit, $library, $file);
    };
    (transport, $library:ident, $file:expr) => {
        $crate::__export_provider_kind!(@init XPProviderInit, xp_provider_init, XPProviderInit, $library, $file);
    };
    (@init $name:ident, $body:ident, $type:ident, $library:ident, $file:expr) => {
        /// A provider entry point that MAPI calls.
        ///
        /// # Safety
        ///
        /// MAPI's arguments, as the `mapisim_com::export` function of this entry point requires
        /// them.
        #[unsafe(no_mangle)]
        #[allow(non_snake_case, clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name(
            hInstance: *mut ::core::ffi::c_void,
            lpMalloc: *mut ::core::ffi::c_void,
            lpAllocateBuffer: ::core::option::Option<$crate::entry::LPALLOCATEBUFFER>,
            lpAllocateMore: ::core::option::Option<$crate::entry::LPALLOCATEMORE>,
            lpFreeBuffer: ::core::option::Option<$crate::entry::LPFREEBUFFER>,
            ulFlags: u32,
            ulMAPIVer: u32,
            lpulProviderVer: *mut u32,
            lppProvider: *mut *mut ::core::ffi::c_void,
        ) -> $crate::export::__private::HRESULT {
            let library = match $crate::export::__shared_library(&$library) {
                ::core::result::Result::Ok(library) => library,
                ::core::result::Result::Err(hr) => return hr,
            };
            // SAFETY: MAPI's arguments, passed on unchanged (this function's contract).
            unsafe {
                $crate::export::$body(
                    library,
                    $file,
                    hInstance,
                    lpMalloc,
                    lpAllocateBuffer,
                    lpAllocateMore,
                    lpFreeBuffer,
                    ulFlags,
                    ulMAPIVer,
                    lpulProviderVer,
                    lppProvider,
                )
            }
        }

        const _: $crate::entry::$type = $name;
    };
}
