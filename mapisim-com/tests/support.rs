//! MAPI's support object and profile sections seen from a provider: a fake MAPI written here as
//! COM objects (`IMAPISupport`, `IProfSect`) over a MAPI-like allocator, wrapped as the `spi`
//! traits and driven as a store provider's `Logon` drives them, down to the core crate's sample
//! provider logging on, off and shutting down against it.
#![allow(non_snake_case)]

use core::ptr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use mapisim::error::MapiWarning;
use mapisim::flags::{
    LogoffFlags, ProfileSectionFlags, ProviderInitFlags, SpiVersion, SpoolerNotifyFlags, StatusRowFlags,
    StoreLogonFlags,
};
use mapisim::ids::{EntryId, MapiUid};
use mapisim::props::{PR_DISPLAY_NAME_W, PR_ENTRYID, PR_PROVIDER_UID, Prop, PropTag, PropValue};
use mapisim::sample::{SAMPLE_PROVIDER_UID, SampleStore};
use mapisim::spi::{
    InitArgs, Malloc, MallocBlock, MapiSupport, ModuleInstance, OutParam, ProviderLibrary, SpoolerNotifyData,
    StoreLogonArgs,
};
use mapisim::strings::{AnsiString, TStr, TString, WideString};
use mapisim::{MapiError, Ref};
use mapisim_com::interfaces::IMAPISupport;
use mapisim_com::support::ComSupport;
use windows_core::Interface;

mod fake_mapi;

use fake_mapi::*;

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
fn a_new_message_is_told_to_the_spooler_as_a_newmail_notification_in_mapi_memory() {
    let _serial = serial();
    let (mapi, _support, adapter) = wrapped();
    let ansi = mapisim::spi::NewMailNotification {
        entry_id: b"message".to_vec(),
        parent_id: b"inbox".to_vec(),
        flags: 0,
        message_class: TString::ansi_from_str("IPM.Note"),
        message_flags: 0x1,
    };
    let wide = mapisim::spi::NewMailNotification {
        flags: 0x8000_0000,
        message_class: TString::wide_from_str("IPM.Note"),
        ..ansi.clone()
    };
    for mail in [&ansi, &wide] {
        adapter
            .spooler_notify(
                SpoolerNotifyFlags::NEWMAIL_RECEIVED,
                SpoolerNotifyData::NewMail(mail),
            )
            .expect("SpoolerNotify");
    }
    let received: Vec<_> = mapi
        .state()
        .spooler_new_mail
        .iter()
        .map(|n| n.info.clone())
        .collect();
    assert_eq!(
        received,
        vec![
            mapisim::spi::NotificationInfo::NewMail(ansi),
            mapisim::spi::NotificationInfo::NewMail(wide)
        ]
    );
    drop(adapter);
    // The layout was freed when the call returned.
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
    assert_eq!(
        adapter.spooler_notify(SpoolerNotifyFlags::NEWMAIL_RECEIVED, SpoolerNotifyData::Raw(8)),
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
