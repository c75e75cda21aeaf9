//! A store provider's logon seen from MAPI: the core crate's sample provider, loaded through
//! `ms_provider_init`, logged on, used, logged off and shut down through the vtables only, against
//! a fake MAPI (`IMAPISupport` and `IProfSect` over a MAPI-like allocator, as in `support.rs`).
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use mapisim::MapiError;
use mapisim::flags::{LogoffFlags, SpiVersion};
use mapisim::ids::Iid;
use mapisim::ids::{EntryId, MapiUid};
use mapisim::props::{PR_DISPLAY_NAME_W, PR_ENTRYID, PR_PROVIDER_UID, Prop, PropTag, PropType, PropValue};
use mapisim::sample::{SAMPLE_PROVIDER_UID, SampleStore};
use mapisim::spi::{MapiErrorInfo, MemRoutines, MsProvider, SpoolerLogonArgs, StoreLogon, StoreLogonArgs};
use mapisim::strings::TString;
use mapisim::{MapiResult, Ref, Warned};
use mapisim_com::export::{HostMemory, export_provider_with_memory, exported_objects, ms_provider_init};
use mapisim_com::interfaces::{
    IMAPIProp, IMAPISupport, IMSLogon, IMSProvider, IMalloc, IMalloc_Impl, IMsgStore,
};
use mapisim_com::props::{read_mapierror, read_problems, read_props, read_tags, write_props};
use mapisim_com::types::{ENTRYID, MAPIERROR, SPropProblemArray, SPropTagArray, SPropValue};
use windows_core::{GUID, HRESULT, Interface, implement};

mod fake_mapi;

use fake_mapi::*;

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
    // A computed property: a problem, and no notification. (Setting PR_DISPLAY_NAME, which makes
    // the sample notify its sinks through the support object, is played in `notify.rs`.)
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
