//! MAPI's support object and profile sections seen from a provider: a fake MAPI written here as
//! COM objects (`IMAPISupport`, `IProfSect`) over a MAPI-like allocator, wrapped as the `spi`
//! traits and driven as a store provider's `Logon` drives them, down to the core crate's sample
//! provider logging on, off and shutting down against it.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;
use std::alloc::{Layout, alloc, dealloc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use mapisim::error::MapiWarning;
use mapisim::flags::{
    LogoffFlags, ProfileSectionFlags, ProviderInitFlags, SpiVersion, SpoolerNotifyFlags, StatusRowFlags,
    StoreLogonFlags,
};
use mapisim::ids::{EntryId, MapiUid};
use mapisim::props::{PR_DISPLAY_NAME_W, PR_ENTRYID, PR_PROVIDER_UID, Prop, PropTag, PropType, PropValue};
use mapisim::sample::{SAMPLE_PROVIDER_UID, SampleStore};
use mapisim::spi::{
    InitArgs, Malloc, MallocBlock, MapiErrorInfo, MapiSupport, MemRoutines, ModuleInstance, OutParam,
    ProviderLibrary, SpoolerNotifyData, StoreLogonArgs,
};
use mapisim::strings::{AnsiString, TStr, TString, WideString};
use mapisim::{MapiError, Ref};
use mapisim_com::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER};
use mapisim_com::import::host_routines;
use mapisim_com::interfaces::{IMAPIProp_Impl, IMAPISupport, IMAPISupport_Impl, IProfSect, IProfSect_Impl};
use mapisim_com::props::{read_props, read_tags, write_mapierror, write_problems, write_props, write_tags};
use mapisim_com::support::ComSupport;
use mapisim_com::types::{
    ADRLIST, ADRPARM, ENTRYID, ENTRYLIST, LPFNBUTTON, LPFNDISMISS, LPTSTR, MAPIERROR, MAPINAMEID, MAPIUID,
    NOTIFICATION, NOTIFKEY, SCODE, SPropProblemArray, SPropTagArray, SPropValue,
};
use windows_core::{GUID, HRESULT, IUnknown, Interface, implement};

const S_OK: HRESULT = HRESULT(0);
const MAPI_E_NO_SUPPORT: HRESULT = HRESULT(0x8004_0102_u32 as i32);
const MAPI_E_NOT_FOUND: HRESULT = HRESULT(0x8004_010F_u32 as i32);
const MAPI_E_INVALID_PARAMETER: HRESULT = HRESULT(0x8007_0057_u32 as i32);
const MAPI_W_ERRORS_RETURNED: HRESULT = HRESULT(0x0004_0380);
const MAPI_MODIFY: u32 = 0x0000_0001;
const MAPI_UNICODE: u32 = 0x8000_0000;

// ---------------------------------------------------------------------------------------------
// A MAPI-like allocator: every block has a header, and a root keeps the list of the blocks
// linked to it; one free of the root frees them all. The table counts the live blocks.
// ---------------------------------------------------------------------------------------------

const E_INVALIDARG: SCODE = 0x8007_0057_u32 as i32;
const HEADER: usize = 16;

#[derive(Default)]
struct Table {
    /// Every live root, with the blocks linked to it.
    roots: HashMap<usize, Vec<usize>>,
    /// Blocks live, roots and linked ones.
    live: usize,
    /// Frees of a block that is not a live root (a double free among them).
    bad_calls: u32,
}

static TABLE: LazyLock<Mutex<Table>> = LazyLock::new(Mutex::default);

/// The tests count on the table and on the objects alive: they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

fn table() -> MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn layout(size: usize) -> Layout {
    Layout::from_size_align(HEADER + size, HEADER).expect("a small layout")
}

fn new_block(size: usize) -> *mut c_void {
    // SAFETY: the layout has a non-zero size (the header).
    let base = unsafe { alloc(layout(size)) };
    assert!(!base.is_null(), "the test allocator ran out of memory");
    // SAFETY: the header's first word fits in its 16 bytes, aligned to 16.
    unsafe {
        base.cast::<usize>().write(size);
        base.add(HEADER).cast()
    }
}

fn drop_block(block: usize) {
    let base = (block - HEADER) as *mut u8;
    // SAFETY: `block` came from `new_block`, whose header holds its size; it is freed once.
    unsafe {
        let size = base.cast::<usize>().read();
        dealloc(base, layout(size));
    }
}

unsafe extern "system" fn MAPIAllocateBuffer(cbSize: u32, lppBuffer: *mut *mut c_void) -> SCODE {
    if lppBuffer.is_null() {
        return E_INVALIDARG;
    }
    let block = new_block(cbSize as usize);
    let mut t = table();
    t.roots.insert(block as usize, Vec::new());
    t.live += 1;
    // SAFETY: checked non-NULL above; the caller passes a valid out-pointer.
    unsafe { *lppBuffer = block };
    0
}

unsafe extern "system" fn MAPIAllocateMore(
    cbSize: u32,
    lpObject: *mut c_void,
    lppBuffer: *mut *mut c_void,
) -> SCODE {
    let mut t = table();
    if lppBuffer.is_null() || !t.roots.contains_key(&(lpObject as usize)) {
        t.bad_calls += 1;
        return E_INVALIDARG;
    }
    let block = new_block(cbSize as usize);
    t.roots.entry(lpObject as usize).or_default().push(block as usize);
    t.live += 1;
    // SAFETY: checked non-NULL above; the caller passes a valid out-pointer.
    unsafe { *lppBuffer = block };
    0
}

unsafe extern "system" fn MAPIFreeBuffer(lpBuffer: *mut c_void) -> u32 {
    if lpBuffer.is_null() {
        return 0;
    }
    let mut t = table();
    let Some(linked) = t.roots.remove(&(lpBuffer as usize)) else {
        t.bad_calls += 1;
        return E_INVALIDARG as u32;
    };
    t.live -= linked.len() + 1;
    for block in linked {
        drop_block(block);
    }
    drop_block(lpBuffer as usize);
    0
}

/// Routines on the allocator above: the provider's (the entry point's `host_routines`), or the
/// fake MAPI's own, with which it lays out what it hands over.
fn routines() -> MemRoutines {
    // SAFETY: the three functions keep MAPI's contract, are thread-safe and live forever.
    unsafe {
        host_routines(
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
        )
    }
    .expect("three non-NULL routines")
}

/// The blocks of the allocator still live, and the frees it refused.
fn allocator() -> (usize, u32) {
    let t = table();
    (t.live, t.bad_calls)
}

/// An object's COM reference count, read with an AddRef/Release pair through the vtable.
fn com_count(object: &impl Interface) -> u32 {
    let unknown: IUnknown = object.cast().expect("every interface is an IUnknown");
    let raw = unknown.as_raw();
    // SAFETY: `raw` is live (held by `unknown`); the pair leaves the count as it was.
    let count = unsafe {
        (unknown.vtable().AddRef)(raw);
        (unknown.vtable().Release)(raw)
    };
    // Less the reference `unknown` holds.
    count - 1
}

// ---------------------------------------------------------------------------------------------
// The fake MAPI: one profile (a property bag per section), the UIDs registered, a status row,
// the calls the lifecycle makes. Blocks it hands over are laid out with its own routines on the
// allocator above and freed by whoever receives them, with MAPIFreeBuffer (straight to the
// allocator: the account of the fake's routines is not told, and is never looked at; the
// allocator's table is what the tests check).
// ---------------------------------------------------------------------------------------------

/// The UID of the provider's own section (opened with NULL).
const OWN: [u8; 16] = [0; 16];

#[derive(Default)]
struct State {
    sections: HashMap<[u8; 16], Vec<Prop>>,
    uids: Vec<MapiUid>,
    status_row: Vec<Prop>,
    status_row_flags: Vec<u32>,
    logoff_transports: Vec<u32>,
    modify_profile: Vec<u32>,
    spooler_notify: Vec<(u32, Option<Vec<u8>>)>,
    saves: u32,
    new_uids: u8,
    /// `GetMemAllocRoutines` fails.
    no_routines: bool,
}

struct Mapi {
    state: Mutex<State>,
    /// MAPI's side of the allocator: what it lays out for the caller to free.
    routines: MemRoutines,
    /// Profile sections alive.
    sections_alive: AtomicUsize,
}

impl Mapi {
    fn new() -> Arc<Mapi> {
        Arc::new(Mapi {
            state: Mutex::default(),
            routines: routines(),
            sections_alive: AtomicUsize::new(0),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The address of a block laid out by MAPI's routines, handed over as the caller's.
    fn hand_over<T>(&self, block: mapisim::spi::BufferId) -> *mut T {
        self.routines.address(block).expect("a block in the allocator") as *mut T
    }
}

#[implement(IMAPISupport)]
struct FakeSupport {
    mapi: Arc<Mapi>,
}

#[implement(IProfSect)]
struct FakeSection {
    mapi: Arc<Mapi>,
    key: [u8; 16],
}

impl FakeSection {
    fn new(mapi: &Arc<Mapi>, key: [u8; 16]) -> FakeSection {
        mapi.sections_alive.fetch_add(1, Ordering::SeqCst);
        FakeSection {
            mapi: Arc::clone(mapi),
            key,
        }
    }
}

impl Drop for FakeSection {
    fn drop(&mut self) {
        self.mapi.sections_alive.fetch_sub(1, Ordering::SeqCst);
    }
}

const TEST_ERROR: &str = "the fake MAPI's last error";

impl IMAPISupport_Impl for FakeSupport_Impl {
    unsafe fn GetLastError(
        &self,
        hResult: HRESULT,
        ulFlags: u32,
        lppMAPIError: *mut *mut MAPIERROR,
    ) -> HRESULT {
        let unicode = ulFlags & MAPI_UNICODE != 0;
        let text = if unicode {
            TString::wide_from_str(TEST_ERROR)
        } else {
            TString::ansi_from_str(TEST_ERROR)
        };
        let info = MapiErrorInfo {
            version: 0,
            error: Some(text),
            component: None,
            low_level_error: hResult.0 as u32,
            context: 7,
        };
        let block = write_mapierror(&self.mapi.routines, &info, unicode).expect("room for a MAPIERROR");
        // SAFETY: the caller passes a valid out-pointer.
        unsafe { *lppMAPIError = self.mapi.hand_over(block) };
        S_OK
    }

    unsafe fn GetMemAllocRoutines(
        &self,
        lpAllocateBuffer: *mut Option<LPALLOCATEBUFFER>,
        lpAllocateMore: *mut Option<LPALLOCATEMORE>,
        lpFreeBuffer: *mut Option<LPFREEBUFFER>,
    ) -> HRESULT {
        if self.mapi.state().no_routines {
            return MAPI_E_NO_SUPPORT;
        }
        // SAFETY: the caller passes three valid out-pointers.
        unsafe {
            *lpAllocateBuffer = Some(MAPIAllocateBuffer);
            *lpAllocateMore = Some(MAPIAllocateMore);
            *lpFreeBuffer = Some(MAPIFreeBuffer);
        }
        S_OK
    }

    unsafe fn ModifyStatusRow(&self, cValues: u32, lpColumnVals: *mut SPropValue, ulFlags: u32) -> HRESULT {
        // SAFETY: the caller passes `cValues` property values (MAPI copies them).
        let row = unsafe { read_props(lpColumnVals, cValues) };
        let mut state = self.mapi.state();
        state.status_row = row;
        state.status_row_flags.push(ulFlags);
        S_OK
    }

    unsafe fn OpenProfileSection(
        &self,
        lpUid: *mut MAPIUID,
        ulFlags: u32,
        lppProfileObj: *mut *mut c_void,
    ) -> HRESULT {
        let key = if lpUid.is_null() {
            OWN
        } else {
            // SAFETY: the caller passes NULL or a MAPIUID.
            unsafe { (*lpUid).ab }
        };
        {
            let mut state = self.mapi.state();
            let exists = state.sections.contains_key(&key);
            if !exists && ulFlags & MAPI_MODIFY == 0 {
                return MAPI_E_NOT_FOUND;
            }
            state.sections.entry(key).or_default();
        }
        let section: IProfSect = FakeSection::new(&self.mapi, key).into();
        // SAFETY: the caller passes a valid out-pointer; the reference goes to the caller.
        unsafe { *lppProfileObj = section.into_raw() };
        S_OK
    }

    unsafe fn NewUID(&self, lpMuid: *mut MAPIUID) -> HRESULT {
        let mut state = self.mapi.state();
        state.new_uids += 1;
        // SAFETY: the caller passes a MAPIUID to fill.
        unsafe { (*lpMuid).ab = [state.new_uids; 16] };
        S_OK
    }

    unsafe fn MakeInvalid(&self, _: u32, _: *mut c_void, _: u32, _: u32) -> HRESULT {
        S_OK
    }

    unsafe fn SpoolerNotify(&self, ulFlags: u32, lpvData: *mut c_void) -> HRESULT {
        let data = (!lpvData.is_null()).then(|| {
            // SAFETY: non-NULL data is an SBinary in these tests (NOTIFY_SENTDEFERRED).
            let binary = unsafe { &*lpvData.cast::<mapisim_com::types::SBinary>() };
            // SAFETY: its `cb` bytes are readable.
            unsafe { std::slice::from_raw_parts(binary.lpb.cast::<u8>(), binary.cb as usize) }.to_vec()
        });
        self.mapi.state().spooler_notify.push((ulFlags, data));
        S_OK
    }

    unsafe fn SetProviderUID(&self, lpProviderID: *mut MAPIUID, ulFlags: u32) -> HRESULT {
        if ulFlags != 0 || lpProviderID.is_null() {
            return MAPI_E_INVALID_PARAMETER;
        }
        // SAFETY: checked non-NULL; the caller passes a MAPIUID.
        let uid = MapiUid(unsafe { (*lpProviderID).ab });
        self.mapi.state().uids.push(uid);
        S_OK
    }

    unsafe fn CompareEntryIDs(
        &self,
        cbEntry1: u32,
        lpEntry1: *mut ENTRYID,
        cbEntry2: u32,
        lpEntry2: *mut ENTRYID,
        _: u32,
        lpulResult: *mut u32,
    ) -> HRESULT {
        // SAFETY: the caller passes each entry ID with its size.
        let (a, b) = unsafe {
            (
                std::slice::from_raw_parts(lpEntry1.cast::<u8>(), cbEntry1 as usize),
                std::slice::from_raw_parts(lpEntry2.cast::<u8>(), cbEntry2 as usize),
            )
        };
        // SAFETY: the caller passes a valid out-pointer.
        unsafe { *lpulResult = u32::from(a == b) };
        S_OK
    }

    unsafe fn StoreLogoffTransports(&self, lpulFlags: *mut u32) -> HRESULT {
        // SAFETY: the caller passes the flags in and out.
        unsafe {
            self.mapi.state().logoff_transports.push(*lpulFlags);
            *lpulFlags |= LogoffFlags::COMPLETE.bits();
        }
        S_OK
    }

    unsafe fn WrapStoreEntryID(
        &self,
        cbOrigEntry: u32,
        lpOrigEntry: *mut ENTRYID,
        lpcbWrappedEntry: *mut u32,
        lppWrappedEntry: *mut *mut ENTRYID,
    ) -> HRESULT {
        // SAFETY: the caller passes the entry ID with its size.
        let original = unsafe { std::slice::from_raw_parts(lpOrigEntry.cast::<u8>(), cbOrigEntry as usize) };
        let wrapped = wrap(original);
        let block = self
            .mapi
            .routines
            .allocate_bytes(&wrapped)
            .expect("room for an entry ID");
        // SAFETY: the caller passes valid out-pointers.
        unsafe {
            *lpcbWrappedEntry = wrapped.len() as u32;
            *lppWrappedEntry = self.mapi.hand_over(block);
        }
        S_OK
    }

    unsafe fn ModifyProfile(&self, ulFlags: u32) -> HRESULT {
        self.mapi.state().modify_profile.push(ulFlags);
        S_OK
    }

    unsafe fn Subscribe(&self, _: *mut NOTIFKEY, _: u32, _: u32, _: *mut c_void, _: *mut usize) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn Unsubscribe(&self, _: usize) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn Notify(&self, _: *mut NOTIFKEY, _: u32, _: *mut NOTIFICATION, _: *mut u32) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn RegisterPreprocessor(
        &self,
        _: *mut MAPIUID,
        _: LPTSTR,
        _: LPTSTR,
        _: *mut u8,
        _: *mut u8,
        _: u32,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn SpoolerYield(&self, _: u32) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn CreateOneOff(
        &self,
        _: LPTSTR,
        _: LPTSTR,
        _: LPTSTR,
        _: u32,
        _: *mut u32,
        _: *mut *mut ENTRYID,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn OpenTemplateID(
        &self,
        _: u32,
        _: *mut ENTRYID,
        _: u32,
        _: *mut c_void,
        _: *const GUID,
        _: *mut *mut c_void,
        _: *mut c_void,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn OpenEntry(
        &self,
        _: u32,
        _: *mut ENTRYID,
        _: *const GUID,
        _: u32,
        _: *mut u32,
        _: *mut *mut c_void,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn GetOneOffTable(&self, _: u32, _: *mut *mut c_void) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn Address(&self, _: *mut usize, _: *mut ADRPARM, _: *mut *mut ADRLIST) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn Details(
        &self,
        _: *mut usize,
        _: Option<LPFNDISMISS>,
        _: *mut c_void,
        _: u32,
        _: *mut ENTRYID,
        _: Option<LPFNBUTTON>,
        _: *mut c_void,
        _: LPTSTR,
        _: u32,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn NewEntry(
        &self,
        _: usize,
        _: u32,
        _: u32,
        _: *mut ENTRYID,
        _: u32,
        _: *mut ENTRYID,
        _: *mut u32,
        _: *mut *mut ENTRYID,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn DoConfigPropsheet(
        &self,
        _: usize,
        _: u32,
        _: LPTSTR,
        _: *mut c_void,
        _: *mut c_void,
        _: u32,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn CopyMessages(
        &self,
        _: *const GUID,
        _: *mut c_void,
        _: *mut ENTRYLIST,
        _: *const GUID,
        _: *mut c_void,
        _: usize,
        _: *mut c_void,
        _: u32,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn CopyFolder(
        &self,
        _: *const GUID,
        _: *mut c_void,
        _: u32,
        _: *mut ENTRYID,
        _: *const GUID,
        _: *mut c_void,
        _: LPTSTR,
        _: usize,
        _: *mut c_void,
        _: u32,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn DoCopyTo(
        &self,
        _: *const GUID,
        _: *mut c_void,
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

    unsafe fn DoCopyProps(
        &self,
        _: *const GUID,
        _: *mut c_void,
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

    unsafe fn DoProgressDialog(&self, _: usize, _: u32, _: *mut *mut c_void) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn ReadReceipt(&self, _: u32, _: *mut c_void, _: *mut *mut c_void) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn PrepareSubmit(&self, _: *mut c_void, _: *mut u32) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn ExpandRecips(&self, _: *mut c_void, _: *mut u32) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn UpdatePAB(&self, _: u32, _: *mut c_void) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn DoSentMail(&self, _: u32, _: *mut c_void) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn OpenAddressBook(&self, _: *const GUID, _: u32, _: *mut *mut c_void) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn Preprocess(&self, _: u32, _: u32, _: *mut ENTRYID) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn CompleteMsg(&self, _: u32, _: u32, _: *mut ENTRYID) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn StatusRecips(&self, _: *mut c_void, _: *mut ADRLIST) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn IStorageFromStream(
        &self,
        _: *mut c_void,
        _: *const GUID,
        _: u32,
        _: *mut *mut c_void,
    ) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn GetSvcConfigSupportObj(&self, _: u32, _: *mut *mut c_void) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }
}

/// What the fake's `WrapStoreEntryID` makes of an entry ID: a header of its own and the ID.
fn wrap(original: &[u8]) -> Vec<u8> {
    let mut wrapped = b"\0\0\0\0WRAPPED-BY-FAKE".to_vec();
    wrapped.extend_from_slice(original);
    wrapped
}

impl FakeSection_Impl {
    fn with_props<R>(&self, f: impl FnOnce(&mut Vec<Prop>) -> R) -> R {
        let mut state = self.mapi.state();
        f(state.sections.entry(self.key).or_default())
    }
}

impl IMAPIProp_Impl for FakeSection_Impl {
    unsafe fn GetLastError(&self, _: HRESULT, _: u32, lppMAPIError: *mut *mut MAPIERROR) -> HRESULT {
        // SAFETY: the caller passes a valid out-pointer.
        unsafe { *lppMAPIError = ptr::null_mut() };
        S_OK
    }

    unsafe fn SaveChanges(&self, _: u32) -> HRESULT {
        self.mapi.state().saves += 1;
        S_OK
    }

    unsafe fn GetProps(
        &self,
        lpPropTagArray: *mut SPropTagArray,
        _: u32,
        lpcValues: *mut u32,
        lppPropArray: *mut *mut SPropValue,
    ) -> HRESULT {
        // SAFETY: the caller passes NULL or a tag array.
        let tags = unsafe { read_tags(lpPropTagArray) };
        let (props, missing) = self.with_props(|bag| match tags {
            None => (bag.clone(), false),
            Some(tags) => {
                let mut missing = false;
                let props = tags
                    .iter()
                    .map(|&tag| {
                        bag.iter().find(|p| p.tag == tag).cloned().unwrap_or_else(|| {
                            missing = true;
                            Prop {
                                tag: tag.with_type(PropType::ERROR),
                                value: PropValue::Error(MapiError::NotFound),
                            }
                        })
                    })
                    .collect::<Vec<_>>();
                (props, missing)
            }
        });
        let block = write_props(&self.mapi.routines, &props).expect("room for the properties");
        // SAFETY: the caller passes valid out-pointers.
        unsafe {
            *lpcValues = props.len() as u32;
            *lppPropArray = self.mapi.hand_over(block);
        }
        if missing { MAPI_W_ERRORS_RETURNED } else { S_OK }
    }

    unsafe fn GetPropList(&self, _: u32, lppPropTagArray: *mut *mut SPropTagArray) -> HRESULT {
        let tags: Vec<PropTag> = self.with_props(|bag| bag.iter().map(|p| p.tag).collect());
        let block = write_tags(&self.mapi.routines, &tags).expect("room for the tags");
        // SAFETY: the caller passes a valid out-pointer.
        unsafe { *lppPropTagArray = self.mapi.hand_over(block) };
        S_OK
    }

    unsafe fn OpenProperty(&self, _: u32, _: *const GUID, _: u32, _: u32, _: *mut *mut c_void) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn SetProps(
        &self,
        cValues: u32,
        lpPropArray: *mut SPropValue,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT {
        // SAFETY: the caller passes `cValues` property values.
        let props = unsafe { read_props(lpPropArray, cValues) };
        let mut problems = Vec::new();
        self.with_props(|bag| {
            for (index, prop) in props.into_iter().enumerate() {
                // An error value cannot be set: a problem, as MAPI reports it.
                if matches!(prop.value, PropValue::Error(_)) {
                    problems.push(mapisim::spi::PropProblem {
                        index,
                        tag: prop.tag,
                        error: MapiError::InvalidParameter,
                    });
                    continue;
                }
                bag.retain(|p| p.tag.id() != prop.tag.id());
                bag.push(prop);
            }
        });
        let out = if problems.is_empty() {
            ptr::null_mut()
        } else {
            let block = write_problems(&self.mapi.routines, &problems).expect("room for the problems");
            self.mapi.hand_over(block)
        };
        if !lppProblems.is_null() {
            // SAFETY: checked non-NULL: a valid out-pointer.
            unsafe { *lppProblems = out };
        }
        S_OK
    }

    unsafe fn DeleteProps(
        &self,
        lpPropTagArray: *mut SPropTagArray,
        lppProblems: *mut *mut SPropProblemArray,
    ) -> HRESULT {
        // SAFETY: the caller passes a tag array.
        let tags = unsafe { read_tags(lpPropTagArray) }.unwrap_or_default();
        self.with_props(|bag| bag.retain(|p| !tags.contains(&p.tag)));
        if !lppProblems.is_null() {
            // SAFETY: checked non-NULL: a valid out-pointer.
            unsafe { *lppProblems = ptr::null_mut() };
        }
        S_OK
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

impl IProfSect_Impl for FakeSection_Impl {}

// ---------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------

/// The fake MAPI, its support object and an adapter over it.
fn wrapped() -> (Arc<Mapi>, IMAPISupport, ComSupport) {
    let mapi = Mapi::new();
    let support: IMAPISupport = FakeSupport {
        mapi: Arc::clone(&mapi),
    }
    .into();
    // SAFETY: a live IMAPISupport of the fake MAPI, which keeps MAPI's contract.
    let adapter = unsafe { ComSupport::from_raw_borrowed(support.as_raw(), routines()) }.expect("not NULL");
    (mapi, support, adapter)
}

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn a_support_object_without_its_routines_is_refused() {
    let _serial = serial();
    let mapi = Mapi::new();
    mapi.state().no_routines = true;
    let support: IMAPISupport = FakeSupport { mapi }.into();
    // SAFETY: a live IMAPISupport, borrowed.
    let refused = unsafe { ComSupport::from_raw_borrowed(support.as_raw(), routines()) };
    assert_eq!(refused.map(drop), Err(MapiError::NoSupport));
    // The reference taken for the adapter went with it.
    assert_eq!(com_count(&support), 1);
}

#[test]
fn threads_share_the_adapters() {
    let _serial = serial();
    let (mapi, support, adapter) = wrapped();
    let provider = adapter.routines().clone();
    let shared: Ref<dyn MapiSupport> = Ref::new(adapter).into();
    std::thread::scope(|s| {
        for n in 0..4u8 {
            let shared = shared.clone();
            let provider = provider.clone();
            s.spawn(move || {
                let uid = MapiUid([n; 16]);
                shared.set_provider_uid(&uid, 0).expect("SetProviderUID");
                let section = shared
                    .open_profile_section(Some(&uid), ProfileSectionFlags::MODIFY)
                    .expect("a section");
                let prop = Prop {
                    tag: PropTag(0x6600_0003),
                    value: PropValue::Long(i32::from(n)),
                };
                section.set_props(std::slice::from_ref(&prop)).expect("SetProps");
                let read = section.get_props(None, 0).expect("GetProps").into_value();
                assert_eq!(provider.take(read), Ok(vec![prop]));
            });
        }
    });
    assert_eq!(mapi.state().uids.len(), 4);
    assert_eq!(mapi.sections_alive.load(Ordering::SeqCst), 0);
    drop(shared);
    assert_eq!(com_count(&support), 1);
    assert_eq!(provider.live_blocks(), 0);
    assert_eq!(allocator(), (0, 0));
}

#[test]
fn the_adapters_are_send_and_sync() {
    assert_send_sync::<ComSupport>();
    assert_send_sync::<mapisim_com::support::ComProfSect>();
}

#[test]
fn the_adapter_holds_one_reference_and_releases_it() {
    let _serial = serial();
    let mapi = Mapi::new();
    let support: IMAPISupport = FakeSupport { mapi }.into();
    assert_eq!(com_count(&support), 1);
    // SAFETY: a live IMAPISupport, borrowed.
    let adapter = unsafe { ComSupport::from_raw_borrowed(support.as_raw(), routines()) }.expect("not NULL");
    assert_eq!(adapter.interface(), &support);
    assert_eq!(com_count(&support), 2);
    let shared: Ref<dyn MapiSupport> = Ref::new(adapter).into();
    let kept = shared.clone();
    // The clones of the `Ref` count on the Rust side: the COM reference is still one.
    assert_eq!(com_count(&support), 2);
    drop(shared);
    assert_eq!(com_count(&support), 2);
    drop(kept);
    assert_eq!(com_count(&support), 1);
    // SAFETY: NULL is allowed, and refused.
    let null = unsafe { ComSupport::from_raw_borrowed(ptr::null_mut(), routines()) };
    assert_eq!(null.map(drop), Err(MapiError::InvalidParameter));
}

fn string8(tag: u32, text: &str) -> Prop {
    Prop {
        tag: PropTag(tag),
        value: PropValue::String8(AnsiString::from(text)),
    }
}

#[test]
fn the_providers_section_read_and_written() {
    let _serial = serial();
    let (mapi, support, adapter) = wrapped();
    let provider = adapter.routines().clone();

    // A read-only open of a section that does not exist fails; MAPI_MODIFY creates it.
    let other = MapiUid([9; 16]);
    let missing = adapter.open_profile_section(Some(&other), ProfileSectionFlags::empty());
    assert_eq!(missing.map(drop).err(), Some(MapiError::NotFound));
    let created = adapter
        .open_profile_section(Some(&other), ProfileSectionFlags::MODIFY)
        .expect("created");
    assert_eq!(created.uid(), other);
    assert!(mapi.state().sections.contains_key(&other.0));
    drop(created);
    let section = adapter
        .open_profile_section(None, ProfileSectionFlags::MODIFY)
        .expect("the provider's section");
    assert_eq!(section.uid(), MapiUid(OWN));
    assert_eq!(mapi.sections_alive.load(Ordering::SeqCst), 1);

    let props = vec![
        string8(0x3004_001E, "Store (8-bit)"),
        Prop {
            tag: PR_DISPLAY_NAME_W,
            value: PropValue::Unicode(WideString::from_units(vec![0x53, 0xE9, 0xD83D, 0xDCE7])),
        },
        Prop {
            tag: PR_ENTRYID,
            value: PropValue::Binary(vec![0, 1, 2, 0xFF]),
        },
        Prop {
            tag: PropTag(0x3D01_0003),
            value: PropValue::Long(-2),
        },
    ];
    assert_eq!(section.set_props(&props), Ok(Vec::new()));
    assert_eq!(mapi.state().sections[&OWN], props);

    // Every property, in a buffer of the provider's routines.
    let all = section.get_props(None, 0).expect("GetProps");
    assert_eq!(all.warning, None);
    assert_eq!(provider.take(all.value), Ok(props.clone()));

    // Some, one of them missing: a PT_ERROR value and MAPI_W_ERRORS_RETURNED.
    let tags = [PR_ENTRYID, PropTag(0x6700_0003)];
    let some = section.get_props(Some(&tags), 0).expect("GetProps");
    assert_eq!(some.warning, Some(MapiWarning::ErrorsReturned));
    assert_eq!(
        provider.take(some.value),
        Ok(vec![
            props[2].clone(),
            Prop {
                tag: PropTag(0x6700_000A),
                value: PropValue::Error(MapiError::NotFound),
            },
        ])
    );

    assert_eq!(
        section.get_prop_list(0),
        Ok(props.iter().map(|p| p.tag).collect::<Vec<_>>())
    );

    // A property MAPI refuses comes back as a problem.
    let refused = [Prop {
        tag: PropTag(0x6701_000A),
        value: PropValue::Error(MapiError::NotFound),
    }];
    let problems = section.set_props(&refused).expect("SetProps");
    assert_eq!(problems.len(), 1);
    assert_eq!(
        (problems[0].index, problems[0].tag, problems[0].error),
        (0, PropTag(0x6701_000A), MapiError::InvalidParameter)
    );

    assert_eq!(section.delete_props(&[PropTag(0x3D01_0003)]), Ok(Vec::new()));
    assert_eq!(mapi.state().sections[&OWN].len(), 3);
    assert_eq!(section.save_changes(0), Ok(()));
    assert_eq!(mapi.state().saves, 1);
    assert_eq!(section.get_last_error(MapiError::CallFailed, 0), Ok(None));
    // Not laid out yet.
    assert_eq!(
        section.get_names_from_ids(None, None, 0).map(drop),
        Err(MapiError::NoSupport)
    );

    // The section holds one COM reference, released with the adapter.
    drop(section);
    assert_eq!(mapi.sections_alive.load(Ordering::SeqCst), 0);
    drop(adapter);
    assert_eq!(com_count(&support), 1);
    assert_eq!(provider.live_blocks(), 0);
    // Every block MAPI handed over was freed, and freed once.
    assert_eq!(allocator(), (0, 0));
}

#[test]
fn uids_status_row_wrapped_ids_and_the_logoff_of_the_transports() {
    let _serial = serial();
    let (mapi, support, adapter) = wrapped();
    let provider = adapter.routines().clone();

    let uid = MapiUid(*b"fake-store-uid!!");
    adapter.set_provider_uid(&uid, 0).expect("SetProviderUID");
    adapter
        .set_provider_uid(&uid, 0)
        .expect("a second time adds again");
    assert_eq!(mapi.state().uids, vec![uid, uid]);
    assert_eq!(adapter.new_uid(), Ok(MapiUid([1; 16])));
    assert_eq!(adapter.new_uid(), Ok(MapiUid([2; 16])));

    let row = vec![
        Prop {
            tag: PR_DISPLAY_NAME_W,
            value: PropValue::Unicode(WideString::from("Sample Store")),
        },
        Prop {
            tag: PropTag(0x3E04_0003),
            value: PropValue::Long(1),
        },
    ];
    adapter
        .modify_status_row(&row, StatusRowFlags::empty())
        .expect("ModifyStatusRow");
    adapter
        .modify_status_row(&row[1..], StatusRowFlags::UPDATE)
        .expect("ModifyStatusRow");
    assert_eq!(mapi.state().status_row, row[1..].to_vec());
    assert_eq!(
        mapi.state().status_row_flags,
        vec![0, StatusRowFlags::UPDATE.bits()]
    );
    // The row was laid out for the call and freed after it.
    assert_eq!(provider.live_blocks(), 0);

    // The wrapped ID reaches the provider in a block of its routines; MAPI's is freed once.
    let original = b"\0\0\0\0fake-store-uid!!store-1".to_vec();
    let wrapped = adapter.wrap_store_entry_id(&original).expect("WrapStoreEntryID");
    assert!(provider.is_live(wrapped));
    assert_eq!(provider.take_bytes(wrapped), Ok(wrap(&original)));
    assert_eq!(allocator(), (0, 0));

    assert_eq!(adapter.compare_entry_ids(&original, &original, 0), Ok(true));
    assert_eq!(adapter.compare_entry_ids(&original, b"other", 0), Ok(false));

    let flags = adapter
        .store_logoff_transports(LogoffFlags::ORDERLY)
        .expect("StoreLogoffTransports");
    assert_eq!(flags, LogoffFlags::ORDERLY | LogoffFlags::COMPLETE);
    assert_eq!(mapi.state().logoff_transports, vec![LogoffFlags::ORDERLY.bits()]);

    adapter.modify_profile(0).expect("ModifyProfile");
    assert_eq!(mapi.state().modify_profile, vec![0]);

    adapter
        .spooler_notify(SpoolerNotifyFlags::READYTOSEND, SpoolerNotifyData::Null)
        .expect("SpoolerNotify");
    adapter
        .spooler_notify(
            SpoolerNotifyFlags::SENTDEFERRED,
            SpoolerNotifyData::SentDeferred(b"deferred"),
        )
        .expect("SpoolerNotify");
    assert_eq!(
        mapi.state().spooler_notify,
        vec![
            (SpoolerNotifyFlags::READYTOSEND.bits(), None),
            (
                SpoolerNotifyFlags::SENTDEFERRED.bits(),
                Some(b"deferred".to_vec())
            ),
        ]
    );

    let routines = adapter.get_mem_alloc_routines().expect("GetMemAllocRoutines");
    assert!(routines.same_as(&provider));

    // GetLastError: MAPI's MAPIERROR read in either encoding, in a buffer of the provider's.
    for flags in [0, MAPI_UNICODE] {
        let error = adapter
            .get_last_error(MapiError::NotFound, flags)
            .expect("GetLastError")
            .expect("an error");
        let info = provider.take(error).expect("a MAPIERROR");
        let text = info.error.expect("a message");
        assert_eq!(text.to_string_lossy(), TEST_ERROR);
        assert_eq!(matches!(text, TString::Wide(_)), flags != 0);
        assert_eq!(info.low_level_error, MapiError::NotFound.hresult() as u32);
        assert_eq!(info.context, 7);
    }

    drop(adapter);
    assert_eq!(com_count(&support), 1);
    assert_eq!(provider.live_blocks(), 0);
    assert_eq!(allocator(), (0, 0));
}

#[test]
fn what_the_adapter_does_not_do_yet_is_no_support() {
    let _serial = serial();
    let (_mapi, _support, adapter) = wrapped();
    let object = Ref::new(()).unknown();
    assert_eq!(adapter.make_invalid(0, &object, 1, 3), Err(MapiError::NoSupport));
    assert_eq!(
        adapter.open_entry(b"id", None, 0).map(drop),
        Err(MapiError::NoSupport)
    );
    assert_eq!(adapter.unsubscribe(1), Err(MapiError::NoSupport));
    let mail = mapisim::spi::NewMailNotification {
        entry_id: b"m".to_vec(),
        parent_id: b"f".to_vec(),
        flags: 0,
        message_class: TString::ansi_from_str("IPM.Note"),
        message_flags: 0,
    };
    assert_eq!(
        adapter.spooler_notify(
            SpoolerNotifyFlags::NEWMAIL_RECEIVED,
            SpoolerNotifyData::NewMail(&mail)
        ),
        Err(MapiError::NoSupport)
    );
    assert_eq!(adapter.spooler_yield(0), Err(MapiError::NoSupport));
}

/// An `IMalloc` stand-in: the sample provider only keeps it.
struct NoMalloc;

impl Malloc for NoMalloc {
    fn alloc(&self, _: usize) -> Option<MallocBlock> {
        None
    }

    fn realloc(&self, _: Option<MallocBlock>, _: usize) -> Option<MallocBlock> {
        None
    }

    fn free(&self, _: Option<MallocBlock>) {}

    fn get_size(&self, _: MallocBlock) -> Option<usize> {
        None
    }
}

#[test]
fn the_sample_provider_logs_on_and_off_against_the_fake_mapi() {
    let _serial = serial();
    let (mapi, support, adapter) = wrapped();
    let provider_uid = MapiUid(*b"section-of-store");
    mapi.state().sections.insert(
        OWN,
        vec![Prop {
            tag: PR_PROVIDER_UID,
            value: PropValue::Binary(provider_uid.0.to_vec()),
        }],
    );
    let routines = adapter.routines().clone();
    let args = InitArgs {
        instance: ModuleInstance::from_host(SampleStore::DLL_FILE, 0x1000_0000),
        malloc: Ref::new(NoMalloc).into(),
        routines: routines.clone(),
        flags: ProviderInitFlags::empty(),
        mapi_version: SpiVersion::CURRENT,
        provider_version: OutParam::new(),
    };
    let init = SampleStore::library()
        .ms_provider_init(&args)
        .expect("MSProviderInit");
    let support_ref: Ref<dyn MapiSupport> = Ref::new(adapter).into();
    assert_eq!((support_ref.ref_count(), com_count(&support)), (1, 2));

    let mapi_error = OutParam::new();
    let logon = init
        .provider
        .logon(&StoreLogonArgs {
            support: &support_ref,
            ui_param: 0,
            profile_name: TStr::Ansi(b"Profile"),
            entry_id: None,
            flags: StoreLogonFlags::empty(),
            interface: None,
            mapi_error: &mapi_error,
        })
        .expect("Logon")
        .into_value();
    // The store keeps the support object: one AddRef, a clone of the `Ref`; the adapter still
    // holds its one COM reference.
    assert_eq!((support_ref.ref_count(), com_count(&support)), (2, 2));
    {
        let state = mapi.state();
        assert_eq!(state.uids, vec![SAMPLE_PROVIDER_UID]);
        let id = EntryId::new(SAMPLE_PROVIDER_UID, provider_uid.0.to_vec());
        let section = &state.sections[&OWN];
        let entry_id = section
            .iter()
            .find(|p| p.tag == PR_ENTRYID)
            .expect("PR_ENTRYID written");
        assert_eq!(entry_id.value, PropValue::Binary(wrap(&id.to_bytes())));
        assert_eq!(state.modify_profile, vec![0]);
        assert!(!state.status_row.is_empty());
    }
    assert_eq!(mapi.sections_alive.load(Ordering::SeqCst), 0);
    // MAPI frees the spool-security blob.
    routines.free_buffer(logon.spool_security).expect("a live block");

    let flags = logon
        .store
        .store_logoff(LogoffFlags::ORDERLY)
        .expect("StoreLogoff");
    assert!(flags.contains(LogoffFlags::COMPLETE));
    assert_eq!(mapi.state().logoff_transports, vec![LogoffFlags::ORDERLY.bits()]);
    drop(logon.store);
    let ms_logon = logon.logon.expect("a fresh logon");
    ms_logon.logoff(0).expect("Logoff");
    drop(ms_logon);
    init.provider.shutdown(0).expect("Shutdown");
    drop(init);
    drop(args);

    assert_eq!((support_ref.ref_count(), com_count(&support)), (1, 2));
    drop(support_ref);
    assert_eq!(com_count(&support), 1);
    assert_eq!(routines.live_blocks(), 0);
    assert_eq!(allocator(), (0, 0));
}
