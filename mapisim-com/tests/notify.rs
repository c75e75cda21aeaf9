//! Notifications across the binary interface: `NOTIFICATION` arrays laid out and read back,
//! advise sinks exported and imported, `IMAPISupport::Subscribe`, `Unsubscribe` and `Notify`
//! through `ComSupport`, and the core crate's sample store exported, advised and renamed against
//! the fake MAPI.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::mem::size_of;
use core::ptr;
use std::sync::{Arc, Mutex, PoisonError};

use mapisim::flags::{EventMask, NotifyResultFlags, ObjectType, SpiVersion, SubscribeFlags};
use mapisim::ids::MapiUid;
use mapisim::props::{PR_DISPLAY_NAME_W, PR_PROVIDER_UID, PR_RESOURCE_FLAGS, Prop, PropValue};
use mapisim::sample::SampleStore;
use mapisim::spi::{
    AdviseSink, MapiErrorInfo, MapiSupport, NewMailNotification, Notification, NotificationInfo,
};
use mapisim::strings::TString;
use mapisim::{MapiError, Ref};
use mapisim_com::export::{exported_objects, ms_provider_init, take_panic};
use mapisim_com::interfaces::{
    IMAPIAdviseSink, IMAPISupport, IMSLogon, IMSProvider, IMalloc, IMalloc_Impl, IMsgStore,
};
use mapisim_com::notify::{
    ComAdviseSink, ReadNotifications, Unmodelled, export_sink, has_wide_strings, read_notifications,
    write_notifications,
};
use mapisim_com::props::write_props;
use mapisim_com::support::ComSupport;
use mapisim_com::types::{NOTIFICATION, SPropProblemArray, SPropValue};
use windows_core::{HRESULT, Interface, implement};

mod fake_mapi;

use fake_mapi::*;

/// One notification of every member the core models, 8-bit strings.
fn every_member() -> Vec<Notification> {
    vec![
        Notification {
            event: EventMask::CRITICAL_ERROR,
            info: NotificationInfo::Error {
                entry_id: b"broken".to_vec(),
                error: MapiError::NotEnoughMemory,
                flags: 0,
                mapi_error: Some(MapiErrorInfo {
                    version: 0,
                    error: Some(TString::ansi_from_str("out of memory")),
                    component: None,
                    low_level_error: 7,
                    context: 9,
                }),
            },
        },
        Notification {
            event: EventMask::NEW_MAIL,
            info: NotificationInfo::NewMail(NewMailNotification {
                entry_id: b"message".to_vec(),
                parent_id: b"inbox".to_vec(),
                flags: 0x10,
                message_class: TString::ansi_from_str("IPM.Note"),
                message_flags: 0x1,
            }),
        },
        Notification {
            event: EventMask::OBJECT_MOVED,
            info: NotificationInfo::Object {
                entry_id: b"folder".to_vec(),
                object_type: ObjectType::Folder,
                parent_id: b"parent".to_vec(),
                old_id: b"old".to_vec(),
                old_parent_id: b"old parent".to_vec(),
                tags: Some(vec![PR_DISPLAY_NAME_W, PR_RESOURCE_FLAGS]),
            },
        },
        Notification::object(EventMask::OBJECT_MODIFIED, ObjectType::Store, b"store".to_vec()),
        Notification::status_object(
            b"status".to_vec(),
            vec![
                Prop {
                    tag: PR_DISPLAY_NAME_W,
                    value: "Sample".into(),
                },
                Prop {
                    tag: PR_RESOURCE_FLAGS,
                    value: PropValue::Long(3),
                },
            ],
        ),
        Notification::extended(0x1234, vec![1, 2, 3, 4, 5]),
        Notification::extended(0x5678, Vec::new()),
    ]
}

/// `notifications` the other way round: UTF-16 strings and `MAPI_UNICODE` in their flags.
fn wide(notifications: Vec<Notification>) -> Vec<Notification> {
    let widen = |s: &Option<TString>| s.as_ref().map(|s| TString::wide_from_str(&s.to_string_lossy()));
    notifications
        .into_iter()
        .map(|mut n| {
            match &mut n.info {
                NotificationInfo::NewMail(mail) => {
                    mail.flags |= MAPI_UNICODE;
                    mail.message_class = TString::wide_from_str(&mail.message_class.to_string_lossy());
                }
                NotificationInfo::Error {
                    flags, mapi_error, ..
                } => {
                    *flags |= MAPI_UNICODE;
                    if let Some(error) = mapi_error {
                        error.error = widen(&error.error);
                        error.component = widen(&error.component);
                    }
                }
                _ => {}
            }
            n
        })
        .collect()
}

/// Lays `notifications` out on the fake allocator, reads them back and frees them.
fn round_trip(notifications: &[Notification], unicode: bool) -> ReadNotifications {
    let routines = routines();
    let root = write_notifications(&routines, notifications, unicode).expect("laid out");
    let address = routines.address(root).expect("an address");
    // SAFETY: the array just laid out, live until the free below.
    let read = unsafe { read_notifications(address as *const NOTIFICATION, notifications.len() as u32) };
    // SAFETY: the root of the layout, freed once (its linked blocks with it).
    assert_eq!(unsafe { MAPIFreeBuffer(address as *mut c_void) }, 0);
    read
}

#[test]
fn every_member_round_trips_through_the_c_layout_in_both_encodings() {
    let _serial = serial();
    let ansi = every_member();
    assert!(!has_wide_strings(&ansi));
    let read = round_trip(&ansi, false);
    assert_eq!(read.unmodelled, vec![]);
    assert_eq!(read.notifications, ansi);

    let unicode = wide(every_member());
    assert!(has_wide_strings(&unicode));
    let read = round_trip(&unicode, true);
    assert_eq!(read.notifications, unicode);
    assert_eq!(allocator(), (0, 0));
}

#[test]
fn strings_are_written_in_the_encoding_of_the_call_and_each_member_says_which() {
    let _serial = serial();
    // 8-bit strings in a UTF-16 call: converted, and the members' flags gain MAPI_UNICODE.
    let read = round_trip(&every_member(), true);
    assert_eq!(read.notifications, wide(every_member()));
    // UTF-16 strings in an 8-bit call: the other way.
    let read = round_trip(&wide(every_member()), false);
    assert_eq!(read.notifications, every_member());
    assert_eq!(allocator(), (0, 0));
}

#[test]
fn the_layout_is_the_headers() {
    let _serial = serial();
    let routines = routines();
    let notifications = [
        Notification::object(EventMask::OBJECT_MODIFIED, ObjectType::Store, b"store".to_vec()),
        Notification::extended(0x42, Vec::new()),
    ];
    let root = write_notifications(&routines, &notifications, false).expect("laid out");
    let address = routines.address(root).expect("an address");
    assert_eq!(
        routines.read(root).expect("the root").len(),
        2 * size_of::<NOTIFICATION>()
    );
    // SAFETY: two notifications just laid out, read as their C structures.
    unsafe {
        let array = address as *const NOTIFICATION;
        let first = array.read();
        assert_eq!((first.ulEventType, first.ulAlignPad), (0x10, 0));
        let obj = first.info.obj;
        assert_eq!((obj.cbEntryID, obj.ulObjType), (5, 1));
        assert_eq!(
            std::slice::from_raw_parts(obj.lpEntryID.cast::<u8>(), 5),
            b"store"
        );
        // Empty entry IDs and no tags: a count of 0 and NULL.
        assert_eq!((obj.cbParentID, obj.lpParentID), (0, ptr::null_mut()));
        assert_eq!((obj.cbOldID, obj.lpOldID), (0, ptr::null_mut()));
        assert!(obj.lpPropTagArray.is_null());
        let second = array.add(1).read();
        assert_eq!(second.ulEventType, 0x8000_0000);
        let ext = second.info.ext;
        assert_eq!(
            (ext.ulEvent, ext.cb, ext.pbEventParameters),
            (0x42, 0, ptr::null_mut())
        );
        assert_eq!(MAPIFreeBuffer(address as *mut c_void), 0);
    }
    assert_eq!(allocator(), (0, 0));
}

#[test]
fn empty_and_null_arrays_and_pointers() {
    let _serial = serial();
    let routines = routines();
    // No notification: a root of 0 bytes.
    let root = write_notifications(&routines, &[], false).expect("laid out");
    assert_eq!(routines.read(root).expect("the root").len(), 0);
    routines.free_buffer(Some(root)).expect("freed");
    // SAFETY: NULL reads as none.
    let answer = unsafe { read_notifications(ptr::null(), 3) };
    assert_eq!(answer, ReadNotifications::default());
    // A NULL entry ID with a count, and a NULL message class, read as nothing.
    // SAFETY: NOTIFICATION is plain data; all-zero is a valid value of it.
    let mut raw: NOTIFICATION = unsafe { core::mem::zeroed() };
    raw.ulEventType = EventMask::NEW_MAIL.bits();
    raw.info.newmail.cbEntryID = 12;
    raw.info.newmail.ulFlags = MAPI_UNICODE;
    // SAFETY: one initialised notification whose pointers are all NULL.
    let read = unsafe { read_notifications(&raw, 1) };
    assert_eq!(
        read.notifications,
        vec![Notification {
            event: EventMask::NEW_MAIL,
            info: NotificationInfo::NewMail(NewMailNotification {
                entry_id: Vec::new(),
                parent_id: Vec::new(),
                flags: MAPI_UNICODE,
                message_class: TString::Wide(Vec::new()),
                message_flags: 0,
            }),
        }]
    );
    assert_eq!(allocator(), (0, 0));
}

#[test]
fn what_the_core_does_not_model_is_read_as_unmodelled_by_position() {
    // SAFETY: NOTIFICATION is plain data; all-zero is a valid value of it.
    let zero: NOTIFICATION = unsafe { core::mem::zeroed() };
    let mut raw = [zero; 6];
    raw[0].ulEventType = EventMask::TABLE_MODIFIED.bits();
    raw[1].ulEventType = EventMask::EXTENDED.bits();
    raw[1].info.ext.ulEvent = 5;
    raw[2].ulEventType = 0;
    raw[3].ulEventType = (EventMask::OBJECT_CREATED | EventMask::OBJECT_DELETED).bits();
    raw[4].ulEventType = EventMask::OBJECT_CREATED.bits();
    raw[4].info.obj.ulObjType = 0x99;
    raw[5].ulEventType = EventMask::OBJECT_CREATED.bits();
    raw[5].info.obj.ulObjType = ObjectType::Message.value();
    // SAFETY: six initialised notifications, every pointer NULL.
    let read = unsafe { read_notifications(raw.as_ptr(), 6) };
    let unmodelled = |index, event| Unmodelled { index, event };
    assert_eq!(
        read.unmodelled,
        vec![
            unmodelled(0, EventMask::TABLE_MODIFIED),
            unmodelled(2, EventMask::empty()),
            unmodelled(3, EventMask::OBJECT_CREATED | EventMask::OBJECT_DELETED),
            unmodelled(4, EventMask::OBJECT_CREATED),
        ]
    );
    assert_eq!(
        read.notifications,
        vec![
            Notification::extended(5, Vec::new()),
            Notification::object(EventMask::OBJECT_CREATED, ObjectType::Message, Vec::new()),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Sinks
// ---------------------------------------------------------------------------------------------

/// A Rust sink that records what it receives and answers `answer`.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<Notification>>,
    answer: u32,
}

impl Recorder {
    fn seen(&self) -> Vec<Notification> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl AdviseSink for Recorder {
    fn on_notify(&self, notifications: &[Notification]) -> u32 {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(notifications);
        self.answer
    }
}

struct Panicking;

impl AdviseSink for Panicking {
    fn on_notify(&self, _: &[Notification]) -> u32 {
        panic!("the sink panics in OnNotify");
    }
}

/// Calls `OnNotify` through the vtable with `notifications` laid out on the fake allocator.
fn on_notify(sink: &IMAPIAdviseSink, notifications: &[Notification]) -> u32 {
    let routines = routines();
    let root = write_notifications(&routines, notifications, false).expect("laid out");
    let address = routines.address(root).expect("an address");
    // SAFETY: `sink` is live; the array is laid out, live for the call.
    let answer =
        unsafe { (sink.vtable().OnNotify)(sink.as_raw(), notifications.len() as u32, address as *mut _) };
    routines.free_buffer(Some(root)).expect("freed");
    answer
}

#[test]
fn a_rust_sink_exported_then_imported_back_is_called_through_both() {
    let _serial = serial();
    let recorder = Ref::new(Recorder {
        answer: CALLBACK_DISCONTINUE,
        ..Recorder::default()
    });
    let sink: Ref<dyn AdviseSink> = recorder.clone().into();
    let exported = export_sink(&sink).expect("exported");
    assert_eq!(recorder.ref_count(), 3, "the test's two and the COM object's");
    // The same object while it lives.
    let again = export_sink(&sink).expect("exported");
    assert_eq!(again.as_raw(), exported.as_raw());
    drop(again);

    let notifications = every_member();
    assert_eq!(on_notify(&exported, &notifications), CALLBACK_DISCONTINUE);
    assert_eq!(recorder.seen(), notifications);

    // Imported back: laid out by the adapter, read by the exported object.
    // SAFETY: a live IMAPIAdviseSink, borrowed.
    let imported = unsafe { ComAdviseSink::from_raw_borrowed(exported.as_raw()) }.expect("not NULL");
    assert_eq!(com_count(&exported), 2);
    let imported: Ref<dyn AdviseSink> = Ref::new(imported).into();
    let unicode = wide(every_member());
    assert_eq!(imported.on_notify(&unicode), CALLBACK_DISCONTINUE);
    assert_eq!(recorder.seen()[notifications.len()..], unicode[..]);
    // Exporting the imported sink hands its own pointer back.
    let back = export_sink(&imported).expect("the same pointer");
    assert_eq!(back.as_raw(), exported.as_raw());
    drop((back, imported));
    assert_eq!(com_count(&exported), 1);

    // Only unmodelled notifications: the Rust sink is not called.
    // SAFETY: NOTIFICATION is plain data; all-zero is a valid value of it.
    let mut table: NOTIFICATION = unsafe { core::mem::zeroed() };
    table.ulEventType = EventMask::TABLE_MODIFIED.bits();
    // SAFETY: `exported` is live; one initialised notification.
    let answer = unsafe { (exported.vtable().OnNotify)(exported.as_raw(), 1, &mut table) };
    assert_eq!(answer, 0);
    assert_eq!(recorder.seen().len(), 2 * notifications.len());

    drop(exported);
    assert_eq!(recorder.ref_count(), 2);
    assert_eq!(exported_objects(), 0);
    assert_eq!(allocator(), (0, 0));
}

#[test]
fn a_panicking_sink_answers_zero_and_its_panic_is_kept() {
    let _serial = serial();
    while take_panic().is_some() {}
    let sink: Ref<dyn AdviseSink> = Ref::new(Panicking).into();
    let exported = export_sink(&sink).expect("exported");
    let n = [Notification::extended(1, vec![1])];
    assert_eq!(on_notify(&exported, &n), 0);
    assert_eq!(take_panic().as_deref(), Some("the sink panics in OnNotify"));
    drop(exported);
    assert_eq!(exported_objects(), 0);
}

#[test]
fn a_null_sink_is_refused() {
    // SAFETY: NULL is allowed.
    let refused = unsafe { ComAdviseSink::from_raw_borrowed(ptr::null_mut()) };
    assert_eq!(refused.map(drop), Err(MapiError::InvalidParameter));
}

// ---------------------------------------------------------------------------------------------
// The support object
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

#[test]
fn com_support_subscribes_notifies_and_unsubscribes_through_mapi() {
    let _serial = serial();
    let (mapi, _support, adapter) = wrapped();
    let recorder = Ref::new(Recorder::default());
    let sink: Ref<dyn AdviseSink> = recorder.clone().into();
    let connection = adapter
        .subscribe(b"key", EventMask::NEW_MAIL, SubscribeFlags::empty(), &sink)
        .expect("Subscribe");
    assert_eq!(connection, 1);
    {
        let state = mapi.state();
        let sub = &state.subscriptions[0];
        assert_eq!((&sub.key[..], sub.mask, sub.flags), (&b"key"[..], 0x2, 0));
    }
    // MAPI holds the exported sink, which holds the Rust sink.
    assert_eq!(recorder.ref_count(), 3);
    assert_eq!(exported_objects(), 1);

    let mail = Notification::new_mail(b"message".to_vec(), b"inbox".to_vec(), "IPM.Note");
    let other = Notification::object(EventMask::OBJECT_CREATED, ObjectType::Folder, b"f".to_vec());
    let result = adapter
        .notify(b"key", &[mail.clone(), other.clone()], 0)
        .expect("Notify");
    assert_eq!(result, NotifyResultFlags::empty());
    assert_eq!(recorder.seen(), vec![mail.clone(), other.clone()]);
    // Another key: recorded by MAPI, not delivered.
    adapter
        .notify(b"other", std::slice::from_ref(&mail), 0)
        .expect("Notify");
    assert_eq!(recorder.seen().len(), 2);
    // A UTF-16 string: MAPI_UNICODE in the flags MAPI receives.
    let wide_mail = wide(vec![mail.clone()]);
    adapter.notify(b"key", &wide_mail, 0).expect("Notify");
    {
        let state = mapi.state();
        let flags: Vec<u32> = state.notified.iter().map(|(_, _, f)| *f).collect();
        assert_eq!(flags, vec![0, 0, MAPI_UNICODE]);
        assert_eq!(state.notified[0].0, b"key");
        assert_eq!(state.notified[0].1, vec![mail.clone(), other]);
        assert_eq!(state.notified[2].1, wide_mail);
    }

    // A synchronous sink that stops the delivery: NOTIFY_CANCELED comes back.
    let stopper: Ref<dyn AdviseSink> = Ref::new(Recorder {
        answer: CALLBACK_DISCONTINUE,
        ..Recorder::default()
    })
    .into();
    let second = adapter
        .subscribe(b"k2", EventMask::all(), SubscribeFlags::SYNC, &stopper)
        .expect("Subscribe");
    assert_eq!(second, 2);
    assert_eq!(adapter.notify(b"k2", &[mail], 0), Ok(NotifyResultFlags::CANCELED));

    adapter.unsubscribe(connection).expect("Unsubscribe");
    adapter.unsubscribe(second).expect("Unsubscribe");
    assert_eq!(adapter.unsubscribe(connection), Err(MapiError::NotFound));
    assert_eq!(recorder.ref_count(), 2);
    assert_eq!(exported_objects(), 0);
    drop(adapter);
    assert_eq!(allocator(), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// The sample store, exported
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

/// The sample loaded through `ms_provider_init` and logged on against the fake MAPI: the
/// provider, the store and the logon.
fn sample_logged_on(support: &IMAPISupport) -> (IMSProvider, IMsgStore, IMSLogon) {
    let malloc: IMalloc = TestMalloc.into();
    let (mut version, mut raw) = (0, ptr::null_mut());
    // SAFETY: the fake's routines keep MAPI's contract; `malloc` is live; the out-pointers are
    // valid.
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
    let (mut spool, mut spool_size) = (ptr::null_mut::<u8>(), 0u32);
    let (mut error, mut logon, mut store) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: both objects are live; every pointer is valid for the call.
    let hr = unsafe {
        (provider.vtable().Logon)(
            provider.as_raw(),
            support.as_raw(),
            0,
            c"Profile".as_ptr().cast_mut().cast(),
            0,
            ptr::null_mut(),
            0,
            ptr::null(),
            &mut spool_size,
            &mut spool,
            &mut error,
            &mut logon,
            &mut store,
        )
    };
    assert_eq!(hr, S_OK);
    // SAFETY: MAPI memory handed over by Logon, freed once.
    assert_eq!(unsafe { MAPIFreeBuffer(spool.cast()) }, 0);
    // SAFETY: Logon returned an IMsgStore and an IMSLogon, each with one reference for MAPI.
    let (store, logon) = unsafe { (IMsgStore::from_raw(store), IMSLogon::from_raw(logon)) };
    (provider, store, logon)
}

/// `SetProps(PR_DISPLAY_NAME)` on the store through its vtable: the `HRESULT`, and whether a
/// problem array came back.
fn rename(store: &IMsgStore, name: &str) -> (HRESULT, bool) {
    let values = [Prop {
        tag: PR_DISPLAY_NAME_W,
        value: name.into(),
    }];
    let routines = routines();
    let input = write_props(&routines, &values).expect("room for the value");
    let address = routines.address(input).expect("an address") as *mut SPropValue;
    let mut problems = ptr::dangling_mut::<SPropProblemArray>();
    // SAFETY: `store` is live; one value laid out in MAPI memory; the out-pointer is valid.
    let hr = unsafe { (store.vtable().base__.SetProps)(store.as_raw(), 1, address, &mut problems) };
    routines.free_buffer(Some(input)).expect("freed");
    let had_problems = !problems.is_null();
    if had_problems {
        // SAFETY: a problem array handed over in MAPI memory, freed once.
        assert_eq!(unsafe { MAPIFreeBuffer(problems.cast()) }, 0);
    }
    (hr, had_problems)
}

/// `Advise` through a vtable slot: the `HRESULT` and the connection.
fn advise(
    slot: unsafe extern "system" fn(
        *mut c_void,
        u32,
        *mut mapisim_com::types::ENTRYID,
        u32,
        *mut c_void,
        *mut usize,
    ) -> HRESULT,
    this: *mut c_void,
    mask: EventMask,
    sink: &IMAPIAdviseSink,
) -> (HRESULT, usize) {
    let mut connection = usize::MAX;
    // SAFETY: `this` is live; no entry ID; the sink is live; the out-pointer is valid.
    let hr = unsafe {
        slot(
            this,
            0,
            ptr::null_mut(),
            mask.bits(),
            sink.as_raw(),
            &mut connection,
        )
    };
    (hr, connection)
}

#[test]
fn the_exported_sample_store_notifies_through_mapi_and_delivers_to_the_sinks_advised_on_it() {
    let _serial = serial();
    let mapi = Mapi::new();
    mapi.state().sections.insert(
        OWN,
        vec![Prop {
            tag: PR_PROVIDER_UID,
            value: PropValue::Binary(MapiUid(*b"section-of-store").0.to_vec()),
        }],
    );
    let support: IMAPISupport = FakeSupport {
        mapi: Arc::clone(&mapi),
    }
    .into();
    let (provider, store, logon) = sample_logged_on(&support);

    // Renaming the store notifies through MAPI, with no sink advised yet.
    assert_eq!(rename(&store, "Renamed"), (S_OK, false));
    let key = {
        let state = mapi.state();
        assert_eq!(state.notified.len(), 1);
        let (key, notifications, flags) = &state.notified[0];
        assert_eq!(*flags, 0);
        assert_eq!(
            *notifications,
            vec![Notification::object(
                EventMask::OBJECT_MODIFIED,
                ObjectType::Store,
                key.clone()
            )]
        );
        assert!(!key.is_empty());
        key.clone()
    };

    // A client's sink advised on the store: the sample subscribes it with MAPI under its key.
    let recorder = Ref::new(Recorder::default());
    let sink: Ref<dyn AdviseSink> = recorder.clone().into();
    let client_sink = export_sink(&sink).expect("exported");
    let (hr, connection) = advise(
        store.vtable().Advise,
        store.as_raw(),
        EventMask::OBJECT_MODIFIED,
        &client_sink,
    );
    assert_eq!((hr, connection), (S_OK, 1));
    assert_eq!(mapi.state().subscriptions[0].key, key);
    // MAPI holds the client's own pointer (the import was handed back through the support
    // object as itself).
    assert_eq!(
        mapi.state().subscriptions[0].sink.0.as_raw(),
        client_sink.as_raw()
    );
    assert_eq!(com_count(&client_sink), 2);

    assert_eq!(rename(&store, "Renamed again"), (S_OK, false));
    assert_eq!(
        recorder.seen(),
        vec![Notification::object(
            EventMask::OBJECT_MODIFIED,
            ObjectType::Store,
            key.clone()
        )]
    );

    // Unadvise: MAPI lets the sink go, and the next rename reaches no sink.
    // SAFETY: `store` is live.
    let answer = unsafe { (store.vtable().Unadvise)(store.as_raw(), connection) };
    assert_eq!(answer, S_OK);
    assert!(mapi.state().subscriptions.is_empty());
    assert_eq!(com_count(&client_sink), 1);
    assert_eq!(rename(&store, "Third"), (S_OK, false));
    assert_eq!(recorder.seen().len(), 1);
    assert_eq!(mapi.state().notified.len(), 3);
    // SAFETY: `store` is live; an unknown connection.
    let hr = unsafe { (store.vtable().Unadvise)(store.as_raw(), connection) };
    assert_eq!(hr, MAPI_E_NOT_FOUND);

    // The logon's Advise reaches the sample's logon, which keeps the default; the sink is let go.
    let (hr, connection) = advise(
        logon.vtable().Advise,
        logon.as_raw(),
        EventMask::OBJECT_MODIFIED,
        &client_sink,
    );
    assert_eq!((hr, connection), (MAPI_E_NO_SUPPORT, 0));
    assert_eq!(com_count(&client_sink), 1);
    // SAFETY: `logon` is live.
    let answer = unsafe { (logon.vtable().Unadvise)(logon.as_raw(), 1) };
    assert_eq!(answer, MAPI_E_NO_SUPPORT);
    // A NULL sink, or no out-pointer.
    let mut connection = 0;
    // SAFETY: `store` is live; the NULL sink is refused.
    let hr = unsafe {
        (store.vtable().Advise)(
            store.as_raw(),
            0,
            ptr::null_mut(),
            0x10,
            ptr::null_mut(),
            &mut connection,
        )
    };
    assert_eq!(hr, MAPI_E_INVALID_PARAMETER);
    // SAFETY: `store` is live; the NULL out-pointer is refused.
    let hr = unsafe {
        (store.vtable().Advise)(
            store.as_raw(),
            0,
            ptr::null_mut(),
            0x10,
            client_sink.as_raw(),
            ptr::null_mut(),
        )
    };
    assert_eq!(hr, MAPI_E_INVALID_PARAMETER);

    // The end of the lifecycle.
    let mut flags = 0;
    // SAFETY: `store` is live; `flags` is valid for a read and a write.
    let answer = unsafe { (store.vtable().StoreLogoff)(store.as_raw(), &mut flags) };
    assert_eq!(answer, S_OK);
    drop(store);
    let mut reserved = 0;
    // SAFETY: `logon` is live.
    let answer = unsafe { (logon.vtable().Logoff)(logon.as_raw(), &mut reserved) };
    assert_eq!(answer, S_OK);
    drop(logon);
    // SAFETY: `provider` is live.
    let answer = unsafe { (provider.vtable().Shutdown)(provider.as_raw(), &mut reserved) };
    assert_eq!(answer, S_OK);
    drop(provider);
    drop(client_sink);
    assert_eq!(recorder.ref_count(), 2);
    assert_eq!(exported_objects(), 0);
    assert_eq!(com_count(&support), 1);
    assert_eq!(allocator(), (0, 0));
}
