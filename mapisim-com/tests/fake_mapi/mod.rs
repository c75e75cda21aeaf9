//! A fake MAPI for the tests: a MAPI-like allocator (three `extern "system"` functions over
//! `std::alloc`, counting live blocks), and `IMAPISupport` and `IProfSect` as COM objects over a
//! property bag per section, shared by the support-object and logon tests.
#![allow(non_snake_case, dead_code, unreachable_pub)]

use core::ffi::c_void;
use core::ptr;
use std::alloc::{Layout, alloc, dealloc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use mapisim::MapiError;
use mapisim::flags::LogoffFlags;
use mapisim::ids::MapiUid;
use mapisim::props::{Prop, PropTag, PropType, PropValue};
use mapisim::spi::{MapiErrorInfo, MemRoutines, Notification};
use mapisim::strings::TString;
use mapisim_com::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER};
use mapisim_com::import::host_routines;
use mapisim_com::interfaces::{
    IMAPIAdviseSink, IMAPIProp_Impl, IMAPISupport, IMAPISupport_Impl, IMalloc, IMalloc_Impl, IProfSect,
    IProfSect_Impl, IProviderAdmin, IProviderAdmin_Impl,
};
use mapisim_com::notify::read_notifications;
use mapisim_com::props::{read_props, read_tags, write_mapierror, write_problems, write_props, write_tags};
use mapisim_com::types::{
    ADRLIST, ADRPARM, ENTRYID, ENTRYLIST, LPFNBUTTON, LPFNDISMISS, LPTSTR, MAPIERROR, MAPINAMEID, MAPIUID,
    NEWMAIL_NOTIFICATION, NOTIFICATION, NOTIFKEY, SCODE, SPropProblemArray, SPropTagArray, SPropValue,
};
use windows_core::{GUID, HRESULT, IUnknown, Interface, implement};

pub(crate) const S_OK: HRESULT = HRESULT(0);
pub(crate) const MAPI_E_NO_SUPPORT: HRESULT = HRESULT(0x8004_0102_u32 as i32);
pub(crate) const MAPI_E_NOT_FOUND: HRESULT = HRESULT(0x8004_010F_u32 as i32);
pub(crate) const MAPI_E_INVALID_PARAMETER: HRESULT = HRESULT(0x8007_0057_u32 as i32);
pub(crate) const MAPI_W_ERRORS_RETURNED: HRESULT = HRESULT(0x0004_0380);
pub(crate) const MAPI_MODIFY: u32 = 0x0000_0001;
pub(crate) const MAPI_UNICODE: u32 = 0x8000_0000;

// ---------------------------------------------------------------------------------------------
// A MAPI-like allocator: every block has a header, and a root keeps the list of the blocks
// linked to it; one free of the root frees them all. The table counts the live blocks.
// ---------------------------------------------------------------------------------------------

pub(crate) const E_INVALIDARG: SCODE = 0x8007_0057_u32 as i32;
pub(crate) const HEADER: usize = 16;

#[derive(Default)]
pub(crate) struct Table {
    /// Every live root, with the blocks linked to it.
    pub(crate) roots: HashMap<usize, Vec<usize>>,
    /// Blocks live, roots and linked ones.
    pub(crate) live: usize,
    /// Frees of a block that is not a live root (a double free among them).
    pub(crate) bad_calls: u32,
}

pub(crate) static TABLE: LazyLock<Mutex<Table>> = LazyLock::new(Mutex::default);

/// The tests count on the table and on the objects alive: they run one at a time.
pub(crate) static SERIAL: Mutex<()> = Mutex::new(());

pub(crate) fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn table() -> MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn layout(size: usize) -> Layout {
    Layout::from_size_align(HEADER + size, HEADER).expect("a small layout")
}

pub(crate) fn new_block(size: usize) -> *mut c_void {
    // SAFETY: the layout has a non-zero size (the header).
    let base = unsafe { alloc(layout(size)) };
    assert!(!base.is_null(), "the test allocator ran out of memory");
    // SAFETY: the header's first word fits in its 16 bytes, aligned to 16.
    unsafe {
        base.cast::<usize>().write(size);
        base.add(HEADER).cast()
    }
}

pub(crate) fn drop_block(block: usize) {
    let base = (block - HEADER) as *mut u8;
    // SAFETY: `block` came from `new_block`, whose header holds its size; it is freed once.
    unsafe {
        let size = base.cast::<usize>().read();
        dealloc(base, layout(size));
    }
}

pub(crate) unsafe extern "system" fn MAPIAllocateBuffer(cbSize: u32, lppBuffer: *mut *mut c_void) -> SCODE {
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

pub(crate) unsafe extern "system" fn MAPIAllocateMore(
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

pub(crate) unsafe extern "system" fn MAPIFreeBuffer(lpBuffer: *mut c_void) -> u32 {
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
pub(crate) fn routines() -> MemRoutines {
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
pub(crate) fn allocator() -> (usize, u32) {
    let t = table();
    (t.live, t.bad_calls)
}

/// An object's COM reference count, read with an AddRef/Release pair through the vtable.
pub(crate) fn com_count(object: &impl Interface) -> u32 {
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
pub(crate) const OWN: [u8; 16] = [0; 16];

#[derive(Default)]
pub(crate) struct State {
    pub(crate) sections: HashMap<[u8; 16], Vec<Prop>>,
    pub(crate) uids: Vec<MapiUid>,
    pub(crate) status_row: Vec<Prop>,
    pub(crate) status_row_flags: Vec<u32>,
    pub(crate) logoff_transports: Vec<u32>,
    pub(crate) modify_profile: Vec<u32>,
    pub(crate) spooler_notify: Vec<(u32, Option<Vec<u8>>)>,
    pub(crate) saves: u32,
    pub(crate) new_uids: u8,
    /// `GetMemAllocRoutines` fails.
    pub(crate) no_routines: bool,
    /// `IProviderAdmin::CreateProvider` calls: the name (as text), the properties, the flags.
    pub(crate) providers_created: Vec<(String, Vec<Prop>, u32)>,
    /// `IProviderAdmin::DeleteProvider` calls.
    pub(crate) providers_deleted: Vec<MapiUid>,
    /// `IProviderAdmin::OpenProfileSection` calls: the UID (NULL for the service's own section)
    /// and whether an interface was named.
    pub(crate) admin_sections: Vec<(Option<[u8; 16]>, bool)>,
    /// The live subscriptions (`IMAPISupport::Subscribe`).
    pub(crate) subscriptions: Vec<FakeSubscription>,
    /// The last connection number given.
    pub(crate) next_connection: usize,
    /// `IMAPISupport::Notify` calls: the key, the notifications read back, the flags passed in.
    pub(crate) notified: Vec<(Vec<u8>, Vec<Notification>, u32)>,
    /// The `NEWMAIL_NOTIFICATION`s of `SpoolerNotify(NOTIFY_NEWMAIL_RECEIVED)`, read back.
    pub(crate) spooler_new_mail: Vec<Notification>,
}

pub(crate) const NOTIFY_NEWMAIL_RECEIVED: u32 = 0x2000_0000;

pub(crate) const NOTIFY_SYNC: u32 = 0x4000_0000;
pub(crate) const NOTIFY_CANCELED: u32 = 0x8000_0000;
pub(crate) const CALLBACK_DISCONTINUE: u32 = 0x8000_0000;

/// An advise sink the fake MAPI keeps: sinks are free-threaded.
pub(crate) struct SendSink(pub(crate) IMAPIAdviseSink);

// SAFETY: the sinks the tests subscribe follow the free-threading model.
unsafe impl Send for SendSink {}

/// One `Subscribe` call.
pub(crate) struct FakeSubscription {
    pub(crate) connection: usize,
    pub(crate) key: Vec<u8>,
    pub(crate) mask: u32,
    pub(crate) flags: u32,
    pub(crate) sink: SendSink,
}

/// The bytes of a `NOTIFKEY`.
///
/// # Safety
///
/// `key` points to a NOTIFKEY followed by its `cb` bytes.
pub(crate) unsafe fn notif_key(key: *const NOTIFKEY) -> Vec<u8> {
    // SAFETY: the function's contract.
    unsafe {
        let cb = (*key).cb as usize;
        std::slice::from_raw_parts(key.cast::<u8>().add(core::mem::offset_of!(NOTIFKEY, ab)), cb).to_vec()
    }
}

pub(crate) struct Mapi {
    pub(crate) state: Mutex<State>,
    /// MAPI's side of the allocator: what it lays out for the caller to free.
    pub(crate) routines: MemRoutines,
    /// Profile sections alive.
    pub(crate) sections_alive: AtomicUsize,
}

impl Mapi {
    pub(crate) fn new() -> Arc<Mapi> {
        Arc::new(Mapi {
            state: Mutex::default(),
            routines: routines(),
            sections_alive: AtomicUsize::new(0),
        })
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The address of a block laid out by MAPI's routines, handed over as the caller's.
    pub(crate) fn hand_over<T>(&self, block: mapisim::spi::BufferId) -> *mut T {
        self.routines.address(block).expect("a block in the allocator") as *mut T
    }
}

#[implement(IMAPISupport)]
pub(crate) struct FakeSupport {
    pub(crate) mapi: Arc<Mapi>,
}

#[implement(IProfSect)]
pub(crate) struct FakeSection {
    pub(crate) mapi: Arc<Mapi>,
    pub(crate) key: [u8; 16],
}

impl FakeSection {
    pub(crate) fn new(mapi: &Arc<Mapi>, key: [u8; 16]) -> FakeSection {
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

pub(crate) const TEST_ERROR: &str = "the fake MAPI's last error";

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
        if ulFlags & NOTIFY_NEWMAIL_RECEIVED != 0 && !lpvData.is_null() {
            // SAFETY: NOTIFICATION is plain data; all-zero is a valid value of it.
            let mut raw: NOTIFICATION = unsafe { core::mem::zeroed() };
            raw.ulEventType = 0x2; // fnevNewMail
            // SAFETY: the data of NOTIFY_NEWMAIL_RECEIVED is a NEWMAIL_NOTIFICATION; reading the
            // one notification made of it follows its pointers, valid for the call.
            let read = unsafe {
                raw.info.newmail = lpvData.cast::<NEWMAIL_NOTIFICATION>().read();
                read_notifications(&raw, 1)
            };
            self.mapi.state().spooler_new_mail.extend(read.notifications);
            self.mapi.state().spooler_notify.push((ulFlags, None));
            return S_OK;
        }
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

    /// Keeps a reference of the sink until `Unsubscribe`; connections count from 1.
    unsafe fn Subscribe(
        &self,
        lpKey: *mut NOTIFKEY,
        ulEventMask: u32,
        ulFlags: u32,
        lpAdviseSink: *mut c_void,
        lpulConnection: *mut usize,
    ) -> HRESULT {
        // SAFETY: the caller passes NULL or a live sink.
        let Some(sink) = (unsafe { IMAPIAdviseSink::from_raw_borrowed(&lpAdviseSink) }).cloned() else {
            return MAPI_E_INVALID_PARAMETER;
        };
        if lpKey.is_null() || lpulConnection.is_null() {
            return MAPI_E_INVALID_PARAMETER;
        }
        // SAFETY: a NOTIFKEY with its bytes (Subscribe's contract).
        let key = unsafe { notif_key(lpKey) };
        let mut state = self.mapi.state();
        state.next_connection += 1;
        let connection = state.next_connection;
        state.subscriptions.push(FakeSubscription {
            connection,
            key,
            mask: ulEventMask,
            flags: ulFlags,
            sink: SendSink(sink),
        });
        // SAFETY: checked not NULL; the caller passes a valid out-pointer.
        unsafe { lpulConnection.write(connection) };
        S_OK
    }

    unsafe fn Unsubscribe(&self, ulConnection: usize) -> HRESULT {
        let removed = {
            let mut state = self.mapi.state();
            let Some(i) = state
                .subscriptions
                .iter()
                .position(|s| s.connection == ulConnection)
            else {
                return MAPI_E_NOT_FOUND;
            };
            state.subscriptions.remove(i)
        };
        // The sink is released outside the lock.
        drop(removed);
        S_OK
    }

    /// Records what it was given (read back), then calls every sink subscribed to the key for
    /// one of the events with the caller's own array; a synchronous sink that answers
    /// `CALLBACK_DISCONTINUE` stops the delivery and `NOTIFY_CANCELED` is written back.
    unsafe fn Notify(
        &self,
        lpKey: *mut NOTIFKEY,
        cNotification: u32,
        lpNotifications: *mut NOTIFICATION,
        lpulFlags: *mut u32,
    ) -> HRESULT {
        if lpKey.is_null() || lpulFlags.is_null() {
            return MAPI_E_INVALID_PARAMETER;
        }
        // SAFETY: a NOTIFKEY with its bytes, and `cNotification` notifications laid out by the
        // caller; `lpulFlags` is valid for a read and a write (Notify's contract).
        let (key, read, flags) = unsafe {
            (
                notif_key(lpKey),
                read_notifications(lpNotifications, cNotification),
                lpulFlags.read(),
            )
        };
        let mask = read.notifications.iter().fold(0, |mask, n| mask | n.event.bits());
        let sinks: Vec<(SendSink, bool)> = {
            let mut state = self.mapi.state();
            state.notified.push((key.clone(), read.notifications, flags));
            state
                .subscriptions
                .iter()
                .filter(|s| s.key == key && s.mask & mask != 0)
                .map(|s| (SendSink(s.sink.0.clone()), s.flags & NOTIFY_SYNC != 0))
                .collect()
        };
        let mut out = 0;
        for (sink, sync) in sinks {
            // SAFETY: the sink is live; the array is the caller's, live for the call.
            let answer =
                unsafe { (sink.0.vtable().OnNotify)(sink.0.as_raw(), cNotification, lpNotifications) };
            if sync && answer == CALLBACK_DISCONTINUE {
                out = NOTIFY_CANCELED;
                break;
            }
        }
        // SAFETY: as above.
        unsafe { lpulFlags.write(out) };
        S_OK
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
pub(crate) fn wrap(original: &[u8]) -> Vec<u8> {
    let mut wrapped = b"\0\0\0\0WRAPPED-BY-FAKE".to_vec();
    wrapped.extend_from_slice(original);
    wrapped
}

impl FakeSection_Impl {
    pub(crate) fn with_props<R>(&self, f: impl FnOnce(&mut Vec<Prop>) -> R) -> R {
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
// The service entry's other two objects: MAPI's `IProviderAdmin` over the same profile, and
// OLE's allocator (which the providers under test only keep).
// ---------------------------------------------------------------------------------------------

/// The UID the fake's `CreateProvider` gives a new provider.
pub(crate) const CREATED: [u8; 16] = *b"created-provider";

#[implement(IProviderAdmin)]
pub(crate) struct FakeAdmin {
    pub(crate) mapi: Arc<Mapi>,
}

impl IProviderAdmin_Impl for FakeAdmin_Impl {
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
            context: 9,
        };
        let block = write_mapierror(&self.mapi.routines, &info, unicode).expect("room for a MAPIERROR");
        // SAFETY: the caller passes a valid out-pointer.
        unsafe { *lppMAPIError = self.mapi.hand_over(block) };
        S_OK
    }

    unsafe fn GetProviderTable(&self, _: u32, _: *mut *mut c_void) -> HRESULT {
        MAPI_E_NO_SUPPORT
    }

    unsafe fn CreateProvider(
        &self,
        lpszProvider: LPTSTR,
        cValues: u32,
        lpProps: *mut SPropValue,
        _: usize,
        ulFlags: u32,
        lpUID: *mut MAPIUID,
    ) -> HRESULT {
        let name = if ulFlags & MAPI_UNICODE != 0 {
            let units = lpszProvider.cast::<u16>();
            let mut len = 0;
            // SAFETY: the caller passes a NUL-terminated UTF-16 string.
            while unsafe { units.add(len).read() } != 0 {
                len += 1;
            }
            // SAFETY: `len` readable units.
            String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(units, len) })
        } else {
            // SAFETY: the caller passes a NUL-terminated 8-bit string.
            unsafe { core::ffi::CStr::from_ptr(lpszProvider.cast()) }
                .to_string_lossy()
                .into_owned()
        };
        // SAFETY: the caller passes `cValues` property values.
        let props = unsafe { read_props(lpProps, cValues) };
        self.mapi.state().providers_created.push((name, props, ulFlags));
        // SAFETY: the caller passes a MAPIUID to fill.
        unsafe { (*lpUID).ab = CREATED };
        S_OK
    }

    unsafe fn DeleteProvider(&self, lpUID: *mut MAPIUID) -> HRESULT {
        if lpUID.is_null() {
            return MAPI_E_INVALID_PARAMETER;
        }
        // SAFETY: checked non-NULL; the caller passes a MAPIUID.
        let uid = MapiUid(unsafe { (*lpUID).ab });
        self.mapi.state().providers_deleted.push(uid);
        S_OK
    }

    unsafe fn OpenProfileSection(
        &self,
        lpUID: *mut MAPIUID,
        lpInterface: *const GUID,
        ulFlags: u32,
        lppProfSect: *mut *mut c_void,
    ) -> HRESULT {
        let uid = (!lpUID.is_null()).then(|| {
            // SAFETY: checked non-NULL; the caller passes a MAPIUID.
            unsafe { (*lpUID).ab }
        });
        let key = uid.unwrap_or(OWN);
        {
            let mut state = self.mapi.state();
            state.admin_sections.push((uid, !lpInterface.is_null()));
            let exists = state.sections.contains_key(&key);
            if !exists && ulFlags & MAPI_MODIFY == 0 {
                return MAPI_E_NOT_FOUND;
            }
            state.sections.entry(key).or_default();
        }
        let section: IProfSect = FakeSection::new(&self.mapi, key).into();
        // SAFETY: the caller passes a valid out-pointer; the reference goes to the caller.
        unsafe { *lppProfSect = section.into_raw() };
        S_OK
    }
}

/// OLE's allocator, played by a Rust object that allocates nothing (the providers under test
/// only keep it); its COM count is what the tests look at.
#[implement(IMalloc)]
pub(crate) struct FakeMalloc;

impl IMalloc_Impl for FakeMalloc_Impl {
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
