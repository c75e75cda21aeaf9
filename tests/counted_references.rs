//! Counted references and the object ledger: exact counts from several threads, leaks named with
//! their owners and creating events, cycles reported together, and nothing reported once gone.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mapisim::object::{InterfaceKind, ObjLabel, ObjectInfo, ObjectLedger, Owner, Ref, ReleaseNotice};
use mapisim::trace::{EventKind, Party};
use mapisim::upcast;

/// An object that counts how often it was destroyed.
struct Counted {
    drops: Arc<AtomicUsize>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

fn counted() -> (Counted, Arc<AtomicUsize>) {
    let drops = Arc::new(AtomicUsize::new(0));
    (
        Counted {
            drops: Arc::clone(&drops),
        },
        drops,
    )
}

fn threads_clone_and_drop(history: bool) {
    let ledger = ObjectLedger::new();
    ledger.set_history(history);
    let (value, drops) = counted();
    let obj = ledger.register(value, ObjectInfo::new(InterfaceKind::MsgStore));
    let id = obj.id().unwrap();
    let kept: Vec<Vec<Ref<Counted>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let obj = obj.clone();
                s.spawn(move || {
                    let mut mine: Vec<Ref<Counted>> = (0..200).map(|_| obj.clone()).collect();
                    // Drop a different share on each thread, interleaved with more clones.
                    for i in 0..(50 + t * 10) {
                        mine.swap_remove(i % mine.len());
                        if i % 3 == 0 {
                            mine.push(obj.clone());
                        }
                    }
                    drop(obj);
                    mine
                })
            })
            .map(|h| h.join().unwrap())
            .collect();
        handles
    });
    let held: usize = kept.iter().map(Vec::len).sum();
    assert_eq!(obj.ref_count() as usize, held + 1);
    assert_eq!(ledger.count(id), Some(held as u32 + 1));
    if history {
        // Every outstanding reference has its site on record.
        assert_eq!(ledger.get(id).unwrap().references.len(), held + 1);
    }
    drop(kept);
    assert_eq!(obj.ref_count(), 1);
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(obj);
    assert_eq!(drops.load(Ordering::SeqCst), 1, "destroyed exactly once");
    assert_eq!(ledger.count(id), None);
    assert!(ledger.is_empty());
}

#[test]
fn counts_are_exact_under_clone_and_drop_from_several_threads() {
    threads_clone_and_drop(false);
}

#[test]
fn counts_and_sites_are_exact_from_several_threads_with_history() {
    threads_clone_and_drop(true);
}

struct Store {
    logon: Mutex<Option<Ref<Logon>>>,
}

struct Logon {
    store: Mutex<Option<Ref<Store>>>,
}

fn store_and_logon(ledger: &ObjectLedger) -> (Ref<Store>, Ref<Logon>) {
    let owner = Owner::library("SMPMS32.DLL").in_session(1);
    let store = ledger.register(
        Store {
            logon: Mutex::new(None),
        },
        ObjectInfo::new(InterfaceKind::MsgStore).owner(owner.clone()),
    );
    let logon = ledger.register(
        Logon {
            store: Mutex::new(None),
        },
        ObjectInfo::new(InterfaceKind::MsLogon).owner(owner),
    );
    (store, logon)
}

#[test]
fn a_store_and_logon_holding_each_other_leak_together_naming_both() {
    let ledger = ObjectLedger::new();
    let (store, logon) = store_and_logon(&ledger);
    *store.logon.lock().unwrap() = Some(logon.clone_held_by(&store));
    *logon.store.lock().unwrap() = Some(store.clone_held_by(&logon));
    let (store_label, logon_label) = (store.label().unwrap(), logon.label().unwrap());
    drop(store);
    drop(logon);

    let report = ledger.leaks(|_| true);
    assert_eq!(report.objects.len(), 2);
    assert!(report.contains(store_label));
    assert!(report.contains(logon_label));
    assert_eq!(report.cycles, vec![vec![store_label, logon_label]]);
    let text = report.to_string();
    assert!(text.starts_with("2 objects still alive:"), "{text}");
    assert!(
        text.contains("IMsgStore#1 (counted_references::Store), owner SMPMS32.DLL, session 1"),
        "{text}"
    );
    assert!(text.contains("held by IMSLogon#2"), "{text}");
    assert!(text.contains("held by IMsgStore#1"), "{text}");
    assert!(
        text.contains("reference cycle: IMsgStore#1 and IMSLogon#2 hold each other"),
        "{text}"
    );
}

#[test]
fn a_cycle_of_plain_clones_still_reports_both_objects() {
    let ledger = ObjectLedger::new();
    let (store, logon) = store_and_logon(&ledger);
    *store.logon.lock().unwrap() = Some(logon.clone());
    *logon.store.lock().unwrap() = Some(store.clone());
    drop(store);
    drop(logon);
    let report = ledger.leaks(|_| true);
    let labels: Vec<String> = report.objects.iter().map(|o| o.label.to_string()).collect();
    assert_eq!(labels, vec!["IMsgStore#1", "IMSLogon#2"]);
    assert!(
        report.cycles.is_empty(),
        "holders are unknown without clone_held_by"
    );
    assert!(report.to_string().contains("taken untracked: turn history on"));
}

#[test]
fn objects_that_are_gone_are_never_reported() {
    let ledger = ObjectLedger::new();
    let objects: Vec<Ref<u32>> = (0..10)
        .map(|i| ledger.register(i, ObjectInfo::new(InterfaceKind::MapiProp)))
        .collect();
    let ids: Vec<_> = objects.iter().map(|o| o.id().unwrap()).collect();
    let mut objects: Vec<Option<Ref<u32>>> = objects.into_iter().map(Some).collect();
    for i in (0..10).step_by(2) {
        objects[i] = None;
    }
    let report = ledger.leaks(|_| true);
    let alive: Vec<u32> = report.objects.iter().map(|o| o.label.serial).collect();
    assert_eq!(alive, vec![2, 4, 6, 8, 10]);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(ledger.is_alive(*id), i % 2 == 1);
        assert_eq!(ledger.get(*id).is_some(), i % 2 == 1);
    }
    // A filter selects a checkpoint's objects.
    assert_eq!(ledger.leaks(|o| o.label.serial > 6).objects.len(), 2);
    objects.clear();
    assert!(ledger.leaks(|_| true).is_empty());
    assert_eq!(ledger.leaks(|_| true).to_string(), "no objects alive\n");
    assert_eq!(ledger.len(), 0);
}

#[test]
fn history_names_where_each_outstanding_reference_was_taken() {
    let ledger = ObjectLedger::new();
    ledger.set_history(true);
    let obj = ledger.register(7u8, ObjectInfo::new(InterfaceKind::MsgStore));
    let line = line!() + 1;
    let leaked = obj.clone();
    drop(obj);
    let report = ledger.leaks(|_| true);
    assert_eq!(report.objects[0].references.len(), 1);
    let site = report.objects[0].references[0].site;
    assert_eq!(site.line(), line);
    assert!(site.file().ends_with("counted_references.rs"));
    assert!(
        report
            .to_string()
            .contains(&format!("taken at {}:{line}:", site.file()))
    );
    drop(leaked);
}

#[test]
fn tracked_objects_put_their_reference_calls_in_the_trace() {
    let ledger = ObjectLedger::new();
    let obj = ledger.register(1u8, ObjectInfo::new(InterfaceKind::MapiSupport).tracked(true));
    let second = obj.clone();
    {
        let _provider = ledger.enter(
            Party::Library("SMPMS32.DLL".into()),
            Owner::library("SMPMS32.DLL"),
        );
        let third = second.clone();
        drop(third);
    }
    drop(second);
    drop(obj);
    let lines: Vec<String> = ledger.trace().events().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        lines,
        vec![
            "   1 client -> IMAPISupport#1: AddRef() = 2",
            "   2 SMPMS32.DLL -> IMAPISupport#1: AddRef() = 3",
            "   3 SMPMS32.DLL -> IMAPISupport#1: Release() = 2",
            "   4 client -> IMAPISupport#1: Release() = 1",
            "   5 client -> IMAPISupport#1: Release() = 0, destroyed",
        ]
    );
}

#[test]
fn untracked_objects_trace_only_their_destruction() {
    let ledger = ObjectLedger::new();
    let obj = ledger.register(1u8, ObjectInfo::new(InterfaceKind::MsgStore));
    let second = obj.clone();
    drop(obj);
    drop(second);
    let lines: Vec<String> = ledger.trace().events().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        lines,
        vec!["   1 client -> IMsgStore#1: Release() = 0, destroyed"]
    );
}

#[test]
fn a_release_hook_observes_every_release_down_to_zero() {
    let ledger = ObjectLedger::new();
    let seen: Arc<Mutex<Vec<(u32, Party)>>> = Arc::default();
    let log = Arc::clone(&seen);
    let obj = ledger.register(
        (),
        ObjectInfo::new(InterfaceKind::MapiSupport)
            .on_release(move |n: &ReleaseNotice| log.lock().unwrap().push((n.remaining, n.by.clone()))),
    );
    let a = obj.clone();
    let b = obj.clone();
    drop(a);
    {
        let _p = ledger.enter(Party::Library("P.DLL".into()), Owner::none());
        drop(b);
    }
    drop(obj);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            (2, Party::Client),
            (1, Party::Library("P.DLL".into())),
            (0, Party::Client)
        ]
    );
}

struct NotesOnDrop(mapisim::Trace);

impl Drop for NotesOnDrop {
    fn drop(&mut self) {
        self.0.record(EventKind::Note {
            by: Party::Mapi,
            text: "final-release work".into(),
        });
    }
}

#[test]
fn the_final_release_is_the_objects_drop_and_comes_after_the_release_event() {
    let ledger = ObjectLedger::new();
    let obj = ledger.register(
        NotesOnDrop(ledger.trace().clone()),
        ObjectInfo::new(InterfaceKind::MapiSupport),
    );
    drop(obj);
    assert_eq!(
        ledger.trace().text(),
        "   1 client -> IMAPISupport#1: Release() = 0, destroyed\n   2 MAPI: note: final-release work\n"
    );
}

#[test]
fn objects_made_inside_a_scope_are_registered_with_its_owner_and_call() {
    let ledger = ObjectLedger::new();
    let outside = Ref::new(1u16);
    assert_eq!(outside.id(), None);
    let call = ledger.trace().begin_call(
        Party::Mapi,
        Party::Library("SMPMS32.DLL".into()),
        "MSProviderInit",
        "",
    );
    let inside = {
        let _scope = ledger.enter(
            Party::Library("SMPMS32.DLL".into()),
            Owner::library("SMPMS32.DLL").in_session(2),
        );
        Ref::new(2u16)
    };
    call.finish(mapisim::Status::Ok, "");
    let live = ledger.get(inside.id().unwrap()).unwrap();
    assert_eq!(
        live.label,
        ObjLabel {
            kind: InterfaceKind::Object,
            serial: 1
        }
    );
    assert_eq!(live.owner, Owner::library("SMPMS32.DLL").in_session(2));
    assert_eq!(live.created_by.map(|e| e.0), Some(1));
    assert_eq!(live.type_name, "u16");

    // Crossing the boundary names the interface; adopting registers an unregistered object.
    ledger.adopt(&inside, InterfaceKind::MsProvider, None).unwrap();
    assert_eq!(inside.label().unwrap().to_string(), "IMSProvider#1");
    let id = ledger
        .adopt(&outside, InterfaceKind::MsgStore, Some(Owner::none()))
        .unwrap();
    assert_eq!(outside.id(), Some(id));
    assert_eq!(ledger.count(id), Some(1));
    let other = ObjectLedger::new();
    assert!(other.adopt(&outside, InterfaceKind::MsgStore, None).is_err());
}

trait Named: Send + Sync {
    fn name(&self) -> String;
}

impl Named for Counted {
    fn name(&self) -> String {
        "counted".into()
    }
}

#[test]
fn upcast_moves_the_reference_and_weak_refs_do_not_count() {
    let ledger = ObjectLedger::new();
    ledger.set_history(true);
    let (value, drops) = counted();
    let concrete = ledger.register(value, ObjectInfo::new(InterfaceKind::MsgStore));
    let keep = concrete.clone();
    let as_trait: Ref<dyn Named> = upcast!(concrete => dyn Named);
    assert_eq!(as_trait.name(), "counted");
    assert_eq!(as_trait.ref_count(), 2);
    assert!(as_trait.same_object(&keep));
    assert_eq!(as_trait.label(), keep.label());
    let weak = as_trait.downgrade();
    assert_eq!(keep.ref_count(), 2);
    let up = weak.upgrade().unwrap();
    assert_eq!(keep.ref_count(), 3);
    drop(up);
    drop(as_trait);
    drop(keep);
    assert!(!weak.is_alive());
    assert!(weak.upgrade().is_none());
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert!(ledger.is_empty());
    assert!(format!("{weak:?}").contains("alive: false"));
}

#[test]
fn raw_addref_keeps_the_object_alive_until_the_matching_raw_release() {
    let ledger = ObjectLedger::new();
    let (value, drops) = counted();
    let notices = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&notices);
    let obj = ledger.register(
        value,
        ObjectInfo::new(InterfaceKind::Malloc)
            .on_release(move |n: &ReleaseNotice| log.lock().unwrap().push((n.remaining, n.over_release))),
    );
    // Two raw references, as C++ code counting on a borrowed pointer takes them.
    assert_eq!(obj.add_ref_raw(), 2);
    assert_eq!(obj.add_ref_raw(), 3);
    assert_eq!(obj.raw_refs(), 2);
    let weak = obj.downgrade();
    drop(obj);
    // The raw references hold the object.
    let obj = weak.upgrade().expect("held by its raw references");
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    assert_eq!(obj.release_raw(), mapisim::object::RawRelease::Released(2));
    assert_eq!(obj.release_raw(), mapisim::object::RawRelease::Released(1));
    // One more: an over-release. The count stays, the hook hears of it, the trace notes it.
    assert_eq!(obj.release_raw(), mapisim::object::RawRelease::OverReleased(1));
    assert_eq!(obj.ref_count(), 1);
    assert!(notices.lock().unwrap().contains(&(1, true)));
    assert!(
        ledger
            .trace()
            .text()
            .contains("without a reference of its own to release")
    );
    drop(obj);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert!(ledger.is_empty());
}

/// An interface for the identity tests.
trait Label: Send + Sync {
    fn label_text(&self) -> &str;
}

struct Thing(&'static str);

impl Label for Thing {
    fn label_text(&self) -> &str {
        self.0
    }
}

#[test]
fn references_compare_and_hash_by_object_identity_through_any_interface() {
    use std::collections::{HashMap, HashSet};
    let a = Ref::new(Thing("a"));
    let b = Ref::new(Thing("a")); // equal contents, another object
    let a_named: Ref<dyn Label> = upcast!(a.clone() => dyn Label);
    assert!(Ref::ptr_eq(&a, &a_named));
    assert_eq!(a, a_named);
    assert_ne!(a, b);
    assert_eq!(a.key(), a_named.key());
    assert_ne!(a.key(), b.key());
    assert_eq!(a_named.label_text(), b.label_text());
    // A map from identity to what a shim would keep (its COM pointer), and back.
    let mut pointers: HashMap<_, usize> = HashMap::new();
    pointers.insert(a.key(), 0x1000);
    pointers.insert(b.key(), 0x2000);
    assert_eq!(pointers[&a_named.key()], 0x1000);
    #[allow(clippy::mutable_key_type)] // the hash is the object's identity, which never changes
    let set: HashSet<Ref<Thing>> = [a.clone(), a.clone(), b.clone()].into_iter().collect();
    assert_eq!(set.len(), 2);
    // Weak links compare by identity too; a dead one has no key.
    let (wa, wb) = (a.downgrade(), b.downgrade());
    let wa_named = a_named.downgrade();
    assert!(mapisim::object::WeakRef::ptr_eq(&wa, &wa_named));
    assert!(!mapisim::object::WeakRef::ptr_eq(&wa, &wb));
    assert_eq!(wa.key(), Some(a.key()));
    drop(set);
    drop(b);
    assert_eq!(wb.key(), None);
    assert_eq!(mapisim::object::WeakRef::<Thing>::empty().key(), None);
}

#[test]
fn a_weak_link_takes_and_drops_raw_references_with_exact_counts_and_borrows_without_one() {
    let ledger = ObjectLedger::new();
    let (value, drops) = counted();
    let notices = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&notices);
    let obj = ledger.register(
        value,
        ObjectInfo::new(InterfaceKind::MapiSupport)
            .on_release(move |n: &ReleaseNotice| log.lock().unwrap().push((n.remaining, n.over_release))),
    );
    let weak = obj.downgrade();
    // A borrow counts one more only while it lasts, and traces nothing.
    let events = ledger.trace().len();
    assert_eq!(weak.with_borrowed(|_| obj.ref_count()), Some(2));
    assert_eq!(obj.ref_count(), 1);
    assert_eq!(ledger.trace().len(), events);
    // A raw AddRef through the link gives the exact count, and keeps the object alive.
    assert_eq!(weak.add_ref_raw(), Some(2));
    assert_eq!(obj.raw_refs(), 1);
    drop(obj);
    assert!(weak.is_alive());
    assert_eq!(weak.ref_count(), 1);
    // An owned reference handed over as a raw one changes no count.
    let again = weak.upgrade().expect("alive");
    assert_eq!(again.clone().into_raw_ref(), 3);
    drop(again);
    assert_eq!(weak.ref_count(), 2);
    assert_eq!(weak.release_raw(), Some(mapisim::object::RawRelease::Released(1)));
    // The final raw release destroys the object, with the count it leaves.
    assert_eq!(weak.release_raw(), Some(mapisim::object::RawRelease::Released(0)));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert!(!weak.is_alive());
    // Once it is gone, nothing more happens through the link.
    assert_eq!(weak.add_ref_raw(), None);
    assert_eq!(weak.release_raw(), None);
    assert_eq!(weak.with_borrowed(|_| ()), None);
    assert!(ledger.is_empty());
}

#[test]
fn a_raw_release_through_a_weak_link_without_a_raw_reference_is_an_over_release() {
    let ledger = ObjectLedger::new();
    let (value, _drops) = counted();
    let notices = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&notices);
    let obj = ledger.register(
        value,
        ObjectInfo::new(InterfaceKind::MapiSupport)
            .on_release(move |n: &ReleaseNotice| log.lock().unwrap().push((n.remaining, n.over_release))),
    );
    let weak = obj.downgrade();
    assert_eq!(
        weak.release_raw(),
        Some(mapisim::object::RawRelease::OverReleased(1))
    );
    assert_eq!(obj.ref_count(), 1);
    assert!(notices.lock().unwrap().contains(&(1, true)));
}
