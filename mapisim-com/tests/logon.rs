//! A store provider's logon seen from MAPI: the core crate's sample provider, loaded through
//! `ms_provider_init`, logged on, used, logged off and shut down through the vtables only, against
//! a fake MAPI (`IMAPISupport` and `IProfSect` over a MAPI-like allocator, as in `support.rs`).
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;
use std::alloc::{Layout, alloc, dealloc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use mapisim::MapiError;
use mapisim::flags::{LogoffFlags, SpiVersion};
use mapisim::ids::Iid;
use mapisim::ids::{EntryId, MapiUid};
use mapisim::props::{PR_DISPLAY_NAME_W, PR_ENTRYID, PR_PROVIDER_UID, Prop, PropTag, PropType, PropValue};
use mapisim::sample::{SAMPLE_PROVIDER_UID, SampleStore};
use mapisim::spi::{MapiErrorInfo, MemRoutines, MsProvider, SpoolerLogonArgs, StoreLogon, StoreLogonArgs};
use mapisim::strings::TString;
use mapisim::{MapiResult, Ref, Warned};
use mapisim_com::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER};
use mapisim_com::export::{HostMemory, export_provider_with_memory, exported_objects, ms_provider_init};
use mapisim_com::import::host_routines;
use mapisim_com::interfaces::{
    IMAPIProp, IMAPIProp_Impl, IMAPISupport, IMAPISupport_Impl, IMSLogon, IMSProvider, IMalloc, IMalloc_Impl,
    IMsgStore, IProfSect, IProfSect_Impl,
};
use mapisim_com::props::{
    read_mapierror, read_problems, read_props, read_tags, write_mapierror, write_problems, write_props,
    write_tags,
};
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
// The provider, through its vtables.
// ---------------------------------------------------------------------------------------------

/// OLE's allocator, played by a Rust object (the sample only keeps it).
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

/// What `Logon` returned: its `HRESULT`, the spool-security blob, `*lppMAPIError`, and the raw
/// logon and store pointers.
struct LogonOut {
    hr: HRESULT,
    spool: (u32, *mut u8),
    error: *mut MAPIERROR,
    logon: *mut c_void,
    store: *mut c_void,
}

/// `IMSProvider::Logon` through the vtable, 8-bit profile name, no interface.
fn logon(provider: &IMSProvider, support: &IMAPISupport, entry_id: Option<&[u8]>) -> LogonOut {
    let mut out = LogonOut {
        hr: S_OK,
        spool: (u32::MAX, ptr::dangling_mut()),
        error: ptr::dangling_mut(),
        logon: ptr::dangling_mut(),
        store: ptr::dangling_mut(),
    };
    let mut id = entry_id.map(<[u8]>::to_vec).unwrap_or_default();
    let id_ptr = if id.is_empty() {
        ptr::null_mut()
    } else {
        id.as_mut_ptr().cast::<ENTRYID>()
    };
    let profile = c"Profile";
    // SAFETY: both objects are live; every pointer is valid for the call.
    out.hr = unsafe {
        (provider.vtable().Logon)(
            provider.as_raw(),
            support.as_raw(),
            0,
            profile.as_ptr().cast_mut().cast(),
            id.len() as u32,
            id_ptr,
            0,
            ptr::null(),
            &mut out.spool.0,
            &mut out.spool.1,
            &mut out.error,
            &mut out.logon,
            &mut out.store,
        )
    };
    out
}

/// `IMAPIProp::GetProps` through the store's vtable: the `HRESULT` and the values (the array is
/// freed with `MAPIFreeBuffer`, as a client would).
fn get_props(store: &IMsgStore, tags: &[PropTag]) -> (HRESULT, Vec<Prop>) {
    let mut raw_tags = vec![tags.len() as u32];
    raw_tags.extend(tags.iter().map(|t| t.0));
    let (mut count, mut values) = (u32::MAX, ptr::dangling_mut::<SPropValue>());
    // SAFETY: `store` is live; the tag array is laid out as an SPropTagArray; the out-pointers
    // are valid.
    let hr = unsafe {
        (store.vtable().base__.GetProps)(
            store.as_raw(),
            raw_tags.as_mut_ptr().cast::<SPropTagArray>(),
            0,
            &mut count,
            &mut values,
        )
    };
    // SAFETY: the provider handed over `count` values laid out in MAPI memory.
    let props = unsafe { read_props(values, count) };
    // SAFETY: the array is MAPI memory the caller frees, once.
    assert_eq!(unsafe { MAPIFreeBuffer(values.cast()) }, 0);
    (hr, props)
}

#[test]
fn the_sample_store_logs_on_and_off_through_the_vtables() {
    let _serial = serial();
    let mapi = Mapi::new();
    let provider_uid = MapiUid(*b"section-of-store");
    mapi.state().sections.insert(
        OWN,
        vec![Prop {
            tag: PR_PROVIDER_UID,
            value: PropValue::Binary(provider_uid.0.to_vec()),
        }],
    );
    let support: IMAPISupport = FakeSupport {
        mapi: Arc::clone(&mapi),
    }
    .into();
    let malloc: IMalloc = TestMalloc.into();
    let (support_base, malloc_base) = (com_count(&support), com_count(&malloc));
    assert_eq!(exported_objects(), 0);

    // MSProviderInit.
    let (mut version, mut raw) = (0, ptr::null_mut());
    // SAFETY: the fake's routines keep MAPI's contract; `malloc` is live; the out-pointers are valid.
    let hr = unsafe {
        ms_provider_init(
            &SampleStore::library(),
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
    assert_eq!(hr, S_OK);
    // SAFETY: MSProviderInit returned an IMSProvider with one reference for the caller.
    let provider = unsafe { IMSProvider::from_raw(raw) };
    assert_eq!(exported_objects(), 1);

    // A fresh Logon.
    let first = logon(&provider, &support, None);
    assert_eq!(first.hr, S_OK);
    assert!(first.error.is_null());
    assert!(!first.logon.is_null() && !first.store.is_null());
    // SAFETY: Logon returned an IMsgStore and an IMSLogon, each with one reference for MAPI.
    let (store, ms_logon) = unsafe { (IMsgStore::from_raw(first.store), IMSLogon::from_raw(first.logon)) };
    // The store keeps the support object: the adapter made for the call holds one COM reference,
    // kept by the store's clone of its `Ref`.
    assert_eq!(com_count(&support), support_base + 1);
    assert_eq!(exported_objects(), 3);
    // The store answers for IMAPIProp, its base; the logon is not a store.
    assert!(store.cast::<IMAPIProp>().is_ok());
    assert!(ms_logon.cast::<IMsgStore>().is_err());
    let id = EntryId::new(SAMPLE_PROVIDER_UID, provider_uid.0.to_vec());
    {
        let state = mapi.state();
        assert_eq!(state.uids, vec![SAMPLE_PROVIDER_UID]);
        let entry_id = state.sections[&OWN]
            .iter()
            .find(|p| p.tag == PR_ENTRYID)
            .expect("PR_ENTRYID written");
        assert_eq!(entry_id.value, PropValue::Binary(wrap(&id.to_bytes())));
    }
    // The spool-security blob, in MAPI memory.
    let (cb, pb) = first.spool;
    assert!(!pb.is_null());
    // SAFETY: the provider handed over `cb` bytes at `pb`.
    let blob = unsafe { std::slice::from_raw_parts(pb, cb as usize) }.to_vec();
    let mut expected = b"SMPMS:".to_vec();
    expected.extend_from_slice(id.data());
    assert_eq!(blob, expected);

    // GetProps on the store.
    let (hr, props) = get_props(&store, &[PR_DISPLAY_NAME_W, PR_ENTRYID]);
    assert_eq!(hr, S_OK);
    assert_eq!(props[0].tag, PR_DISPLAY_NAME_W);
    assert!(matches!(&props[0].value, PropValue::Unicode(name) if name.as_str() == "Sample Store"));
    assert_eq!(props[1].value, PropValue::Binary(wrap(&id.to_bytes())));
    // A missing property: MAPI_W_ERRORS_RETURNED and a PT_ERROR value.
    let missing = PropTag::new(0x6FFF, PropType::BINARY);
    let (hr, props) = get_props(&store, &[missing]);
    assert_eq!(hr, MAPI_W_ERRORS_RETURNED);
    assert_eq!(props[0].value, PropValue::Error(MapiError::NotFound));

    // GetPropList, and SetProps of a computed property: one problem, nothing changed.
    let mut tags = ptr::dangling_mut::<SPropTagArray>();
    // SAFETY: `store` is live; the out-pointer is valid.
    let hr = unsafe { (store.vtable().base__.GetPropList)(store.as_raw(), 0, &mut tags) };
    assert_eq!(hr, S_OK);
    // SAFETY: a tag array handed over in MAPI memory.
    let list = unsafe { read_tags(tags) }.expect("a tag array");
    assert!(list.contains(&PR_ENTRYID) && list.contains(&PR_DISPLAY_NAME_W));
    // SAFETY: MAPI memory the caller frees, once.
    assert_eq!(unsafe { MAPIFreeBuffer(tags.cast()) }, 0);
    // (Setting PR_DISPLAY_NAME would make the sample notify its sinks through the support
    // object, whose `Notify` the import does not carry yet: only a computed property is set.)
    let new_props = [Prop {
        tag: PR_ENTRYID,
        value: PropValue::Binary(vec![1, 2, 3]),
    }];
    let input = write_props(&mapi.routines, &new_props).expect("room for the values");
    let input = mapi.hand_over::<SPropValue>(input);
    let mut problems = ptr::dangling_mut::<SPropProblemArray>();
    // SAFETY: `store` is live; `input` is one value laid out in MAPI memory; the out-pointer is
    // valid.
    let hr = unsafe { (store.vtable().base__.SetProps)(store.as_raw(), 1, input, &mut problems) };
    assert_eq!(hr, S_OK);
    // SAFETY: the caller's own block, freed once.
    assert_eq!(unsafe { MAPIFreeBuffer(input.cast()) }, 0);
    // SAFETY: a problem array handed over in MAPI memory.
    let read = unsafe { read_problems(problems) };
    assert_eq!(read.len(), 1);
    assert_eq!(
        (read[0].index, read[0].tag, read[0].error),
        (0, PR_ENTRYID, MapiError::Computed)
    );
    // SAFETY: MAPI memory the caller frees, once.
    assert_eq!(unsafe { MAPIFreeBuffer(problems.cast()) }, 0);
    let (_, props) = get_props(&store, &[PR_ENTRYID]);
    assert_eq!(props[0].value, PropValue::Binary(wrap(&id.to_bytes())));

    // CompareEntryIDs on the logon and the store; GetLastError (the sample has none to give);
    // OpenEntry, not exported yet.
    let mut a = id.to_bytes();
    let mut b = id.to_bytes();
    let mut c = b"other".to_vec();
    for (other, expected) in [(&mut b, 1), (&mut c, 0)] {
        let (mut on_store, mut on_logon) = (u32::MAX, u32::MAX);
        // SAFETY: both objects are live; the entry IDs are valid for their sizes; the results
        // are valid for a write.
        let (hr1, hr2) = unsafe {
            (
                (store.vtable().CompareEntryIDs)(
                    store.as_raw(),
                    a.len() as u32,
                    a.as_mut_ptr().cast(),
                    other.len() as u32,
                    other.as_mut_ptr().cast(),
                    0,
                    &mut on_store,
                ),
                (ms_logon.vtable().CompareEntryIDs)(
                    ms_logon.as_raw(),
                    a.len() as u32,
                    a.as_mut_ptr().cast(),
                    other.len() as u32,
                    other.as_mut_ptr().cast(),
                    0,
                    &mut on_logon,
                ),
            )
        };
        // The sample's store leaves CompareEntryIDs to its default: its answer comes through.
        assert_eq!((hr1, on_store), (MAPI_E_NO_SUPPORT, u32::MAX));
        assert_eq!((hr2, on_logon), (S_OK, expected));
    }
    let mut error = ptr::dangling_mut::<MAPIERROR>();
    // SAFETY: `store` is live; the out-pointer is valid.
    let hr = unsafe { (store.vtable().base__.GetLastError)(store.as_raw(), MAPI_E_NOT_FOUND, 0, &mut error) };
    assert_eq!((hr, error), (MAPI_E_NO_SUPPORT, ptr::null_mut()));
    let (mut kind, mut opened) = (u32::MAX, ptr::dangling_mut::<c_void>());
    // SAFETY: `store` is live; the entry ID is valid for its size; the out-pointers are valid.
    let hr = unsafe {
        (store.vtable().OpenEntry)(
            store.as_raw(),
            a.len() as u32,
            a.as_mut_ptr().cast(),
            ptr::null(),
            0,
            &mut kind,
            &mut opened,
        )
    };
    assert_eq!((hr, opened), (MAPI_E_NO_SUPPORT, ptr::null_mut()));

    // A second Logon with the store's entry ID: the same store, no logon, no blob.
    let second = logon(&provider, &support, Some(&id.to_bytes()));
    assert_eq!(second.hr, S_OK);
    assert_eq!(second.store, first.store);
    assert!(second.logon.is_null());
    assert_eq!(second.spool, (0, ptr::null_mut()));
    // SAFETY: the second reference Logon gave MAPI.
    drop(unsafe { IMsgStore::from_raw(second.store) });
    assert_eq!(com_count(&support), support_base + 1);
    assert_eq!(mapi.state().uids, vec![SAMPLE_PROVIDER_UID]);

    // SpoolerLogon with the blob: the same pointers.
    let (mut spool_logon, mut spool_store, mut error) =
        (ptr::dangling_mut(), ptr::dangling_mut(), ptr::dangling_mut());
    let mut blob = blob;
    // SAFETY: both objects are live; every pointer is valid for the call.
    let hr = unsafe {
        (provider.vtable().SpoolerLogon)(
            provider.as_raw(),
            support.as_raw(),
            0,
            c"Profile".as_ptr().cast_mut().cast(),
            0,
            ptr::null_mut(),
            0,
            ptr::null(),
            blob.len() as u32,
            blob.as_mut_ptr(),
            &mut error,
            &mut spool_logon,
            &mut spool_store,
        )
    };
    assert_eq!(hr, S_OK);
    assert!(error.is_null());
    assert_eq!((spool_logon, spool_store), (first.logon, first.store));
    // SAFETY: the references SpoolerLogon gave MAPI.
    drop(unsafe { (IMSLogon::from_raw(spool_logon), IMsgStore::from_raw(spool_store)) });
    assert_eq!(com_count(&store), 1);
    assert_eq!(com_count(&ms_logon), 1);

    // Threads: GetProps on the store and Logons that reuse it, at once; every Logon gives the
    // same pointer.
    let (store_raw, provider_raw, support_raw) = (
        store.as_raw() as usize,
        provider.as_raw() as usize,
        support.as_raw() as usize,
    );
    let id_bytes = id.to_bytes();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let id_bytes = &id_bytes;
            scope.spawn(move || {
                let raws = [
                    store_raw as *mut c_void,
                    provider_raw as *mut c_void,
                    support_raw as *mut c_void,
                ];
                // SAFETY: the three objects outlive the scope (the test holds them); the
                // borrows end with it.
                let (store, provider, support) = unsafe {
                    (
                        IMsgStore::from_raw_borrowed(&raws[0]).expect("not NULL"),
                        IMSProvider::from_raw_borrowed(&raws[1]).expect("not NULL"),
                        IMAPISupport::from_raw_borrowed(&raws[2]).expect("not NULL"),
                    )
                };
                for _ in 0..10 {
                    let (hr, props) = get_props(store, &[PR_ENTRYID]);
                    assert_eq!(hr, S_OK);
                    assert_eq!(props[0].tag, PR_ENTRYID);
                    let again = logon(provider, support, Some(id_bytes));
                    assert_eq!((again.hr, again.store), (S_OK, store_raw as *mut c_void));
                    // SAFETY: the reference Logon gave MAPI.
                    drop(unsafe { IMsgStore::from_raw(again.store) });
                }
            });
        }
    });
    assert_eq!(com_count(&store), 1);
    assert_eq!(com_count(&support), support_base + 1);

    // The spooler's MAPI frees the blob.
    // SAFETY: MAPI memory handed over by Logon, freed once.
    assert_eq!(unsafe { MAPIFreeBuffer(pb.cast()) }, 0);

    // StoreLogoff, in and out flags.
    let mut flags = LogoffFlags::ORDERLY.bits();
    // SAFETY: `store` is live; `flags` is valid for a read and a write.
    let hr = unsafe { (store.vtable().StoreLogoff)(store.as_raw(), &mut flags) };
    assert_eq!(hr, S_OK);
    assert!(LogoffFlags::from_bits_retain(flags).contains(LogoffFlags::COMPLETE));
    assert_eq!(mapi.state().logoff_transports, vec![LogoffFlags::ORDERLY.bits()]);
    drop(store);

    let mut reserved = 0;
    // SAFETY: `ms_logon` is live; the flags are valid for a read.
    let hr = unsafe { (ms_logon.vtable().Logoff)(ms_logon.as_raw(), &mut reserved) };
    assert_eq!(hr, S_OK);
    drop(ms_logon);

    let mut reserved = 0;
    // SAFETY: `provider` is live; the flags are valid for a read.
    let hr = unsafe { (provider.vtable().Shutdown)(provider.as_raw(), &mut reserved) };
    assert_eq!(hr, S_OK);
    drop(provider);

    assert_eq!(exported_objects(), 0);
    assert_eq!(com_count(&support), support_base);
    assert_eq!(com_count(&malloc), malloc_base);
    assert_eq!(mapi.sections_alive.load(Ordering::SeqCst), 0);
    assert_eq!(allocator(), (0, 0));
}

/// What a `Logon` was given: the profile name, the entry ID, the interface and the flags.
type Seen = (TString, Option<Vec<u8>>, Option<Iid>, u32);

/// A provider whose `Logon` records what it was given and fails with extended information.
struct Failing {
    routines: MemRoutines,
    seen: Mutex<Vec<Seen>>,
}

impl MsProvider for Failing {
    fn shutdown(&self, _: u32) -> MapiResult<()> {
        Ok(())
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).push((
            args.profile_name.to_tstring(),
            args.entry_id.map(<[u8]>::to_vec),
            args.interface,
            args.flags.bits(),
        ));
        let info = MapiErrorInfo {
            version: 0,
            error: Some(TString::wide_from_str("no such store")),
            component: Some(TString::wide_from_str("failing")),
            low_level_error: 5,
            context: 9,
        };
        args.mapi_error.set(self.routines.allocate_value(info)?);
        Err(MapiError::LogonFailed)
    }

    fn spooler_logon(&self, _: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        Err(MapiError::NoSupport)
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], _: u32) -> MapiResult<bool> {
        Ok(a == b)
    }
}

#[test]
fn a_failing_logon_reads_its_arguments_and_hands_its_mapierror_to_mapi() {
    let _serial = serial();
    let mapi = Mapi::new();
    let support: IMAPISupport = FakeSupport {
        mapi: Arc::clone(&mapi),
    }
    .into();
    let support_base = com_count(&support);
    // SAFETY: the fake's routines keep MAPI's contract, are thread-safe and live forever.
    let memory = unsafe {
        HostMemory::new(
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
        )
    }
    .expect("three routines");
    let rust = Ref::new(Failing {
        routines: memory.routines().clone(),
        seen: Mutex::default(),
    });
    let provider = export_provider_with_memory(&rust.clone().into(), &memory).expect("exported");

    let name: Vec<u16> = "Profil\u{e9}".encode_utf16().chain([0]).collect();
    let mut id = vec![0, 0, 0, 0, 7, 8];
    let iid = GUID::from_u128(0x0002_0306_0000_0000_c000_0000_0000_0046);
    let (mut cb, mut pb) = (u32::MAX, ptr::dangling_mut::<u8>());
    let (mut error, mut ms_logon, mut store) = (
        ptr::dangling_mut::<MAPIERROR>(),
        ptr::dangling_mut(),
        ptr::dangling_mut(),
    );
    // SAFETY: both objects are live; every pointer is valid for the call.
    let hr = unsafe {
        (provider.vtable().Logon)(
            provider.as_raw(),
            support.as_raw(),
            0,
            name.as_ptr().cast_mut().cast(),
            id.len() as u32,
            id.as_mut_ptr().cast(),
            MAPI_UNICODE | 0x4,
            &iid,
            &mut cb,
            &mut pb,
            &mut error,
            &mut ms_logon,
            &mut store,
        )
    };
    assert_eq!(hr.0, MapiError::LogonFailed.hresult());
    assert_eq!((cb, pb), (0, ptr::null_mut()));
    assert_eq!((ms_logon, store), (ptr::null_mut(), ptr::null_mut()));
    {
        let seen = rust.seen.lock().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(
            *seen,
            vec![(
                TString::wide_from_str("Profil\u{e9}"),
                Some(id.clone()),
                Some(Iid::IMSGSTORE),
                MAPI_UNICODE | 0x4
            )]
        );
    }
    // The MAPIERROR, in MAPI memory, its strings UTF-16 as MAPI_UNICODE asked; the provider's
    // buffer is freed.
    assert!(!error.is_null());
    // SAFETY: a MAPIERROR laid out in MAPI memory, its strings UTF-16.
    let info = unsafe { read_mapierror(error, true) }.expect("not NULL");
    assert_eq!(info.error, Some(TString::wide_from_str("no such store")));
    assert_eq!(info.component, Some(TString::wide_from_str("failing")));
    assert_eq!((info.low_level_error, info.context), (5, 9));
    // SAFETY: MAPI memory the caller frees, once.
    assert_eq!(unsafe { MAPIFreeBuffer(error.cast()) }, 0);
    assert_eq!(memory.routines().live_blocks(), 0);
    // The adapter made for the call is gone with it.
    assert_eq!(com_count(&support), support_base);

    // No place for the store: refused before the provider is called.
    // SAFETY: both objects are live; NULL object out-pointers are refused.
    let hr = unsafe {
        (provider.vtable().Logon)(
            provider.as_raw(),
            support.as_raw(),
            0,
            ptr::null_mut(),
            0,
            ptr::null_mut(),
            0,
            ptr::null(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            &mut ms_logon,
            ptr::null_mut(),
        )
    };
    assert_eq!(hr, MAPI_E_INVALID_PARAMETER);
    assert_eq!(rust.seen.lock().unwrap_or_else(PoisonError::into_inner).len(), 1);

    drop(provider);
    assert_eq!(rust.ref_count(), 1);
    assert_eq!(exported_objects(), 0);
    assert_eq!(com_count(&support), support_base);
    assert_eq!(allocator(), (0, 0));
}
