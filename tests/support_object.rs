//! The support object as a store provider sees it: the lifecycle methods, entry IDs routed by
//! MAPIUID, and `MAPI_E_NO_SUPPORT` from every method the simulator does not play — every call
//! traced.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use mapisim::ids::{Iid, MapiUid, WrappedStoreEntryId};
use mapisim::object::WeakRef;
use mapisim::prelude::*;
use mapisim::props::{
    PR_DISPLAY_NAME_W, PR_PROVIDER_DLL_NAME_W, PR_PROVIDER_UID, PR_STATUS_STRING_W, PropBag,
};
use mapisim::sample::{SampleLibrary, SampleStore};
use mapisim::spi::{AdrParm, AdviseSink, MemRoutines, Notification};

type Probe = Arc<dyn Fn(&Ref<dyn MapiSupport>, &InitArgsSeen) + Send + Sync>;

/// What the entry point was given, for probes to compare with.
#[derive(Clone)]
struct InitArgsSeen {
    routines: MemRoutines,
}

/// The sample provider, with a probe run on the support object at the start of every fresh
/// `Logon`.
struct ProbeLibrary {
    inner: SampleLibrary,
    probe: Probe,
}

impl ProviderLibrary for ProbeLibrary {
    fn exports(&self) -> Exports {
        self.inner.exports()
    }

    fn service_entry(&self, args: &mapisim::spi::ServiceEntryArgs<'_>) -> MapiResult<()> {
        self.inner.service_entry(args)
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        let inner = self.inner.ms_provider_init(args)?;
        let provider = Ref::new(ProbeProvider {
            inner: inner.provider,
            probe: Arc::clone(&self.probe),
            seen: InitArgsSeen {
                routines: args.routines.clone(),
            },
        });
        Ok(ProviderInit {
            provider: provider.into(),
            version: inner.version,
        })
    }
}

struct ProbeProvider {
    inner: Ref<dyn MsProvider>,
    probe: Probe,
    seen: InitArgsSeen,
}

impl MsProvider for ProbeProvider {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        self.inner.shutdown(flags)
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        if args.entry_id.is_none() {
            (self.probe)(args.support, &self.seen);
        }
        self.inner.logon(args)
    }

    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        self.inner.spooler_logon(args)
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        self.inner.compare_store_ids(a, b, flags)
    }
}

/// The support object of the first logon, as a weak link the test can upgrade.
type Slot = Arc<Mutex<Option<WeakRef<dyn MapiSupport>>>>;

/// Runs a full lifecycle with `probe` inside the first Logon and `after_open` once the store is
/// open (with the logon's support object), and returns the report.
fn run(
    probe: impl Fn(&Ref<dyn MapiSupport>, &InitArgsSeen) + Send + Sync + 'static,
    after_open: impl FnOnce(&Session, &StoreHandle, Ref<dyn MapiSupport>),
) -> Report {
    let slot: Slot = Arc::default();
    let keep = Arc::clone(&slot);
    let probe: Probe = Arc::new(move |s, seen| {
        *keep.lock().unwrap() = Some(s.downgrade());
        probe(s, seen);
    });
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, move || ProbeLibrary {
            inner: SampleStore::library(),
            probe: Arc::clone(&probe),
        })
        .service(SampleStore::service("SMPMS"))
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    // Notifications go to MAPI's own thread: delivered during `Notify`.
    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS).unwrap();
    let session = mapi.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    let support = slot.lock().unwrap().as_ref().and_then(WeakRef::upgrade).unwrap();
    after_open(&session, &store, support);
    let _ = store.store_logoff(LogoffFlags::ORDERLY);
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish()
}

/// Runs a full lifecycle with `probe` inside the first Logon.
fn with_probe(probe: impl Fn(&Ref<dyn MapiSupport>, &InitArgsSeen) + Send + Sync + 'static) -> Report {
    run(probe, |_, _, _| {})
}

#[test]
fn every_method_is_simulated_or_answers_no_support_and_each_call_is_traced() {
    let checked = Arc::new(AtomicU32::new(0));
    let count = Arc::clone(&checked);
    let report = with_probe(move |s, _| {
        let prop: Ref<dyn MapiProp> = Ref::new(Nothing).into();
        let object = prop.unknown();
        let mut rows = Vec::new();
        let mut window = 0;
        let mut adr_parms = AdrParm::default();
        let (t, x) = (TStr::ansi(b"t"), TStr::ansi(b"X"));
        // What the simulator does not play for a store provider: MAPI_E_NO_SUPPORT.
        let unsupported = [
            s.register_preprocessor(
                Some(&MapiUid::default()),
                Some(x),
                TStr::ansi(b"X.DLL"),
                Some(b"P"),
                Some(b"R"),
                0,
            )
            .err(),
            s.spooler_yield(0).err(),
            s.create_one_off(Some(TStr::ansi(b"n")), TStr::ansi(b"SMTP"), TStr::ansi(b"a@b"), 0)
                .err(),
            s.open_template_id(&[1], 0, &prop, None, None).err(),
            s.get_one_off_table(0).err(),
            s.address(&mut window, &mut adr_parms, &mut rows).err(),
            s.details(&mut window, None, None, &[1], None, None, None, 0)
                .err(),
            s.new_entry(0, 0, Some(&[1]), None).err(),
            s.do_config_propsheet(0, 0, t, &object, &prop, 0).err(),
            s.copy_messages(
                &Iid::IMAPIFOLDER,
                &object,
                &[],
                &Iid::IMAPIFOLDER,
                &object,
                0,
                None,
                0,
            )
            .err(),
            s.copy_folder(
                &Iid::IMAPIFOLDER,
                &object,
                &[1],
                None,
                &object,
                Some(t),
                0,
                None,
                0,
            )
            .err(),
            s.do_copy_to(
                &Iid::IMESSAGE,
                &object,
                &[],
                None,
                0,
                None,
                &Iid::IMESSAGE,
                &object,
                0,
            )
            .err(),
            s.do_copy_props(&Iid::IMESSAGE, &object, &[], 0, None, &Iid::IMESSAGE, &object, 0)
                .err(),
            s.do_progress_dialog(0, 0).err(),
            s.read_receipt(ReadReceiptFlags::NON_READ, &prop, Some(&prop))
                .err(),
            s.expand_recips(&prop, 0).err(),
            s.update_pab(0, &prop).err(),
            s.do_sent_mail(0, &prop).err(),
            s.open_address_book(None, 0).err(),
            s.preprocess(0, &[1]).err(),
            s.complete_msg(0, &[1]).err(),
            s.status_recips(&prop, &[]).err(),
            s.istorage_from_stream(&object, None, StorageFromStreamFlags::empty())
                .err(),
            s.get_svc_config_support_obj(0).err(),
        ];
        // The in/out parameters of the dialogs are left as they were.
        assert_eq!((window, adr_parms), (0, AdrParm::default()));
        for r in unsupported {
            assert_eq!(r, Some(MapiError::NoSupport));
            count.fetch_add(1, Ordering::SeqCst);
        }
        // Simulated: MAPI keeps no extended error for the support object; entry IDs are routed
        // by their MAPIUID (a 1-byte one is no entry ID at all).
        assert_eq!(s.get_last_error(MapiError::CallFailed, 0).unwrap(), None);
        assert_eq!(
            s.compare_entry_ids(&[1], &[1], 0).unwrap_err(),
            MapiError::InvalidEntryid
        );
        assert_eq!(
            s.open_entry(&[1], None, 0).unwrap_err(),
            MapiError::InvalidEntryid
        );
        // A store that announced it is ready to send hands the spooler a message.
        s.spooler_notify(
            SpoolerNotifyFlags::READYTOSEND,
            mapisim::spi::SpoolerNotifyData::Null,
        )
        .unwrap();
        assert_eq!(s.prepare_submit(&prop, 0), Ok(0));
        count.fetch_add(4, Ordering::SeqCst);
    });
    report.assert_clean();
    assert_eq!(checked.load(Ordering::SeqCst), 28);
    // Each of those calls is a line of the trace, made by the provider on the support object.
    for method in [
        "RegisterPreprocessor",
        "SpoolerYield",
        "CreateOneOff",
        "OpenTemplateID",
        "GetOneOffTable",
        "Address",
        "Details",
        "NewEntry",
        "DoConfigPropsheet",
        "CopyMessages",
        "CopyFolder",
        "DoCopyTo",
        "DoCopyProps",
        "DoProgressDialog",
        "ReadReceipt",
        "PrepareSubmit",
        "ExpandRecips",
        "UpdatePAB",
        "DoSentMail",
        "OpenAddressBook",
        "Preprocess",
        "CompleteMsg",
        "StatusRecips",
        "IStorageFromStream",
        "GetSvcConfigSupportObj",
        "GetLastError",
        "CompareEntryIDs",
        "OpenEntry",
    ] {
        let calls = report.trace().calls_of(method);
        assert_eq!(calls.len(), 1, "{method}: {calls:?}");
        let line = calls[0].to_string();
        assert!(line.contains("SMPMS32.DLL -> IMAPISupport#"), "{line}");
    }
}

struct Nothing;
impl MapiProp for Nothing {}

#[test]
fn get_mem_alloc_routines_returns_the_routines_of_the_entry_point() {
    let report = with_probe(|s, seen| {
        let routines = s.get_mem_alloc_routines().unwrap();
        assert!(routines.same_as(&seen.routines));
        let root = routines.allocate_buffer(8).unwrap();
        let more = routines.allocate_more(4, root).unwrap();
        routines.write(root, 0, b"abcdefgh").unwrap();
        assert_eq!(routines.read(root).unwrap(), b"abcdefgh");
        assert_eq!(routines.allocate_more(4, more), Err(MapiError::InvalidParameter));
        assert_eq!(routines.free_buffer(Some(more)), Err(MapiError::InvalidParameter));
        routines.free_buffer(Some(root)).unwrap();
        assert!(!routines.is_live(more));
        routines.free_buffer(None).unwrap();
    });
    // The two misuses are reported, nothing else: the chain was freed whole.
    assert_eq!(report.rule_ids(), vec!["MEM-MORE-ROOT", "MEM-FREE-LINKED"]);
}

#[test]
fn profile_sections_open_as_documented() {
    let report = with_probe(|s, seen| {
        // NULL is the provider's own section.
        let own = s
            .open_profile_section(None, ProfileSectionFlags::empty())
            .unwrap();
        let array = own.get_props(None, 0).unwrap().into_value();
        let props: PropBag = seen.routines.take(array).unwrap().into_iter().collect();
        assert_eq!(props.get_uid(PR_PROVIDER_UID), Some(own.uid()));
        // Read-only: writing fails.
        assert_eq!(
            own.set_props(&[Prop {
                tag: PR_DISPLAY_NAME_W,
                value: "x".into()
            }])
            .unwrap_err(),
            MapiError::NoAccess
        );
        // A missing section: NOT_FOUND read-only, created with MAPI_MODIFY.
        let uid = s.new_uid().unwrap();
        assert_ne!(uid, s.new_uid().unwrap());
        assert_eq!(
            s.open_profile_section(Some(&uid), ProfileSectionFlags::empty())
                .err(),
            Some(MapiError::NotFound)
        );
        let created = s
            .open_profile_section(Some(&uid), ProfileSectionFlags::MODIFY)
            .unwrap();
        assert_eq!(created.uid(), uid);
        assert!(created.get_prop_list(0).unwrap().is_empty());
    });
    report.assert_clean();
}

#[test]
fn status_rows_merge_with_statusrow_update() {
    let report = run(
        |s, _| {
            s.modify_status_row(
                &[Prop {
                    tag: PR_STATUS_STRING_W,
                    value: "starting".into(),
                }],
                StatusRowFlags::empty(),
            )
            .unwrap();
            s.modify_status_row(
                &[Prop {
                    tag: PR_DISPLAY_NAME_W,
                    value: "Probe".into(),
                }],
                StatusRowFlags::UPDATE,
            )
            .unwrap();
            assert_eq!(
                s.modify_status_row(&[], StatusRowFlags::from_raw(0x1)).err(),
                Some(MapiError::UnknownFlags)
            );
        },
        |session, _, _| {
            // The sample's own ModifyStatusRow (flags 0) replaced the probe's row after the merge.
            let rows = provider_rows(session);
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].get_str(PR_DISPLAY_NAME_W), Some("Sample Store"));
            assert_eq!(rows[0].get_str(PR_STATUS_STRING_W), None);
        },
    );
    // The unknown flag is the provider's violation; the rest is fine.
    assert_eq!(report.rule_ids(), vec!["SUPPORT-FLAGS"]);
    // The merge itself: the probe's second call kept the first call's column.
    let text = report.trace().text();
    assert!(
        text.contains("ModifyStatusRow(PR_DISPLAY_NAME_W, STATUSROW_UPDATE) = S_OK"),
        "{text}"
    );
}

/// The session's status rows that providers made (MAPI's own rows name no DLL).
fn provider_rows(session: &Session) -> Vec<PropBag> {
    session
        .status_table()
        .unwrap()
        .into_iter()
        .filter(|r| r.get_str(PR_PROVIDER_DLL_NAME_W).is_some())
        .collect()
}

#[test]
fn an_update_merges_into_the_row() {
    run(
        |_, _| {},
        |session, _, support| {
            support
                .modify_status_row(
                    &[Prop {
                        tag: PR_STATUS_STRING_W,
                        value: "busy".into(),
                    }],
                    StatusRowFlags::UPDATE,
                )
                .unwrap();
            let rows = provider_rows(session);
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].get_str(PR_STATUS_STRING_W), Some("busy"));
            assert_eq!(
                rows[0].get_str(PR_DISPLAY_NAME_W),
                Some("Sample Store"),
                "kept by the merge"
            );
        },
    )
    .assert_clean();
}

#[test]
fn mapis_columns_win_over_the_providers_and_outlive_an_update() {
    use mapisim::props::{PR_RESOURCE_TYPE, PR_ROWID};
    run(
        |_, _| {},
        |session, _, support| {
            let before = provider_rows(session);
            assert_eq!(before.len(), 1);
            let row_id = before[0].get_u32(PR_ROWID);
            assert!(row_id.is_some(), "MAPI numbers the row");
            // A provider cannot change what MAPI says of its row.
            support
                .modify_status_row(
                    &[
                        Prop {
                            tag: PR_RESOURCE_TYPE,
                            value: 99u32.into(),
                        },
                        Prop {
                            tag: PR_ROWID,
                            value: 42u32.into(),
                        },
                    ],
                    StatusRowFlags::UPDATE,
                )
                .unwrap();
            let after = provider_rows(session);
            assert_eq!(after.len(), 1);
            assert_eq!(
                after[0].get_u32(PR_RESOURCE_TYPE),
                Some(ResourceType::StoreProvider.value())
            );
            assert_eq!(after[0].get_u32(PR_ROWID), row_id);
            assert_eq!(after[0].get_str(PR_DISPLAY_NAME_W), Some("Sample Store"));
            assert_eq!(
                after[0].get_str(PR_PROVIDER_DLL_NAME_W),
                before[0].get_str(PR_PROVIDER_DLL_NAME_W)
            );
        },
    )
    .assert_clean();
}

struct CountingSink(AtomicU32, u32);

impl AdviseSink for CountingSink {
    fn on_notify(&self, notifications: &[Notification]) -> u32 {
        self.0.fetch_add(notifications.len() as u32, Ordering::SeqCst);
        self.1
    }
}

#[test]
fn subscriptions_hold_their_sink_until_unsubscribed() {
    let report = with_probe(|s, _| {
        let sink = Ref::new(CountingSink(AtomicU32::new(0), 0));
        let dyn_sink: Ref<dyn AdviseSink> = sink.clone().into();
        let connection = s
            .subscribe(b"key", EventMask::NEW_MAIL, SubscribeFlags::empty(), &dyn_sink)
            .unwrap();
        assert_ne!(connection, 0);
        assert_eq!(sink.ref_count(), 3, "the test's two and MAPI's");
        let n = Notification::new_mail(b"message".to_vec(), b"inbox".to_vec(), "IPM.Note");
        s.notify(b"key", std::slice::from_ref(&n), 0).unwrap();
        s.notify(b"other", std::slice::from_ref(&n), 0).unwrap();
        assert_eq!(sink.0.load(Ordering::SeqCst), 1);
        s.unsubscribe(connection).unwrap();
        assert_eq!(sink.ref_count(), 2);
        assert_eq!(s.unsubscribe(connection), Err(MapiError::NotFound));
        // A synchronous callback that stops the delivery is reported to the caller.
        let stopper: Ref<dyn AdviseSink> =
            Ref::new(CountingSink(AtomicU32::new(0), CALLBACK_DISCONTINUE)).into();
        let c = s
            .subscribe(b"k2", EventMask::all(), SubscribeFlags::SYNC, &stopper)
            .unwrap();
        assert_eq!(s.notify(b"k2", &[n], 0).unwrap(), NotifyResultFlags::CANCELED);
        s.unsubscribe(c).unwrap();
    });
    report.assert_clean();
}

#[test]
fn wrapped_ids_use_the_name_the_profile_registers() {
    let report = with_probe(|s, seen| {
        let wrapped = s.wrap_store_entry_id(&[1, 2, 3]).unwrap();
        let wrapped = seen.routines.take_bytes(wrapped).unwrap();
        let w = WrappedStoreEntryId::parse(&wrapped).unwrap();
        assert_eq!(w.dll_name(), SampleStore::DLL_BASE);
        assert_eq!(w.original(), &[1, 2, 3]);
        assert_eq!(
            s.wrap_store_entry_id(&[]).err(),
            Some(MapiError::InvalidParameter)
        );
        assert_eq!(Iid::IMAPISUP.name(), Some("IID_IMAPISup"));
    });
    report.assert_clean();
}

#[test]
fn make_invalid_turns_client_calls_into_invalid_object() {
    let report = run(
        |_, _| {},
        |_, store, support| {
            assert!(store.get_props(None).is_ok());
            let object = store.object().unwrap().unknown();
            assert_eq!(
                support.make_invalid(1, &object, 1, 20),
                Err(MapiError::UnknownFlags)
            );
            // An object MAPI does not know of (another ledger's) is no object to invalidate.
            let foreign = ObjectLedger::new()
                .register(Nothing, ObjectInfo::new(InterfaceKind::Object))
                .unknown();
            assert_eq!(
                support.make_invalid(0, &foreign, 1, 20),
                Err(MapiError::InvalidParameter)
            );
            support.make_invalid(0, &object, 1, 20).unwrap();
            drop(object);
            assert_eq!(store.get_props(None).unwrap_err(), MapiError::InvalidObject);
            assert_eq!(
                store.store_logoff(LogoffFlags::ORDERLY).unwrap_err(),
                MapiError::InvalidObject
            );
        },
    );
    // The reserved flag is the only violation; the store, invalidated, was still released.
    assert_eq!(report.rule_ids(), vec!["SUPPORT-FLAGS"]);
    assert!(report.leaks.is_empty());
}
