//! Counted references ([`Ref`]), object identity ([`ObjectId`]) and the object ledger
//! ([`ObjectLedger`]).
//!
//! # The model
//!
//! A provider object is held through a [`Ref<T>`]: cloning a `Ref` is `AddRef`, dropping it is
//! `Release`, and the count belongs to the object, as in COM. The simulator counts *calls*; it
//! never trusts a count somebody returns. The final `Release` is Rust's `Drop` of the object,
//! which is where a COM object does its final-release work.
//!
//! Every object that crosses the boundary is registered in an [`ObjectLedger`]: it gets an
//! [`ObjectId`], a number for people ([`ObjLabel`], `IMsgStore#3`), an [`InterfaceKind`], an
//! [`Owner`] (library, session) and the trace event during which it was created. The ledger holds
//! only weak links: it never keeps an object alive, and an object that is gone is never reported.
//!
//! Objects are registered in three ways:
//! - explicitly, with [`ObjectLedger::register`];
//! - automatically, when [`Ref::new`] runs inside a [`Scope`] (the simulator opens one around
//!   every call into provider code, so the objects a provider creates are all accounted for);
//! - on crossing, with [`ObjectLedger::adopt`], when a `Ref` made outside any scope is handed over.
//!
//! A *tracked* object records where each outstanding reference was taken (`#[track_caller]`) and
//! puts its `AddRef`/`Release` calls in the trace. Objects are tracked when the ledger's history
//! is on ([`ObjectLedger::set_history`]) or when registered with [`ObjectInfo::tracked`]. With
//! history off, cloning and dropping a `Ref` costs about what an `Arc` does.
//!
//! ```
//! use mapisim::object::{InterfaceKind, ObjectInfo, ObjectLedger, Ref};
//!
//! struct Store;
//!
//! let ledger = ObjectLedger::new();
//! ledger.set_history(true);
//! let store = ledger.register(Store, ObjectInfo::new(InterfaceKind::MsgStore));
//! let extra = store.clone(); // AddRef
//! assert_eq!(store.ref_count(), 2);
//! drop(store); // Release
//! let leaks = ledger.leaks(|_| true);
//! assert_eq!(leaks.objects.len(), 1);
//! assert!(leaks.to_string().contains("IMsgStore#1"));
//! drop(extra); // the final Release: the object is destroyed and no longer reported
//! assert!(ledger.leaks(|_| true).is_empty());
//! ```
//!
//! Objects of distinct Rust types are viewed through a provider trait with [`upcast!`](crate::upcast!):
//!
//! ```
//! use mapisim::object::Ref;
//! use mapisim::upcast;
//!
//! trait Named: Send + Sync { fn name(&self) -> &str; }
//! struct Store;
//! impl Named for Store { fn name(&self) -> &str { "store" } }
//!
//! let store: Ref<dyn Named> = upcast!(Ref::new(Store) => dyn Named);
//! assert_eq!(store.name(), "store");
//! ```

use std::any::{Any, type_name};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use slotmap::SlotMap;

use crate::sync::lock;
use crate::trace::{EventId, EventKind, Party, Trace};

mod query;

pub use crate::label::{InterfaceKind, ObjLabel};

pub use query::{Implements, Interface, QueryInterface, Unknown};

slotmap::new_key_type! {
    /// The identity of an object in its [`ObjectLedger`] (a slotmap key: never reused for
    /// another object, even after this one is gone).
    pub struct ObjectId;
}

/// An object's identity as a map key ([`Ref::key`], [`WeakRef::key`]): the address of the object,
/// shared by every reference to it through any interface, as COM's `IUnknown` pointer is. It is
/// unique among the objects alive at one time, and may be reused once its object is gone.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ObjectKey(usize);

impl ObjectKey {
    /// The address, for a shim that maps it to the COM pointer it hands out.
    pub fn addr(self) -> usize {
        self.0
    }
}

/// Whom an object belongs to: the provider library that made it and the MAPI session it serves.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Owner {
    /// The provider DLL (its file name), if a provider made the object.
    pub library: Option<Arc<str>>,
    /// The MAPI session, if the object belongs to one.
    pub session: Option<u32>,
}

impl Owner {
    /// No owner: an object of MAPI itself or of the client.
    pub const fn none() -> Owner {
        Owner {
            library: None,
            session: None,
        }
    }

    /// An object of a provider library.
    pub fn library(name: impl Into<Arc<str>>) -> Owner {
        Owner {
            library: Some(name.into()),
            session: None,
        }
    }

    /// The same owner, serving this session.
    pub fn in_session(mut self, session: u32) -> Owner {
        self.session = Some(session);
        self
    }
}

impl fmt::Display for Owner {
    /// `SMPMS32.DLL, session 1`; `MAPI` when there is no owner.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.library, self.session) {
            (Some(lib), Some(s)) => write!(f, "{lib}, session {s}"),
            (Some(lib), None) => f.write_str(lib),
            (None, Some(s)) => write!(f, "session {s}"),
            (None, None) => f.write_str("MAPI"),
        }
    }
}

/// What a release hook is told each time a reference to its object is dropped.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReleaseNotice {
    /// The object.
    pub object: ObjLabel,
    /// The count after this release; 0 for the final one.
    pub remaining: u32,
    /// Who released it.
    pub by: Party,
    /// Whether this was a raw `Release` of a reference the caller never took
    /// ([`Ref::release_raw`] with no raw reference held): the count did not change.
    pub over_release: bool,
}

/// A hook by which an object the runtime implements observes its own releases, down to zero.
/// It is called outside every lock of the ledger; at zero it runs before the object's `Drop`.
pub type ReleaseHook = Arc<dyn Fn(&ReleaseNotice) + Send + Sync>;

/// How to register an object: its interface, owner, tracking and release hook.
#[derive(Clone)]
pub struct ObjectInfo {
    kind: InterfaceKind,
    owner: Option<Owner>,
    tracked: Option<bool>,
    on_release: Option<ReleaseHook>,
    created_by: Option<EventId>,
    unscoped: Option<Party>,
}

impl fmt::Debug for ObjectInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectInfo")
            .field("kind", &self.kind)
            .field("owner", &self.owner)
            .field("tracked", &self.tracked)
            .field("on_release", &self.on_release.is_some())
            .field("created_by", &self.created_by)
            .field("unscoped", &self.unscoped)
            .finish()
    }
}

impl ObjectInfo {
    /// An object of this interface, owned as the current [`Scope`] says, tracked when the
    /// ledger's history is on, created by the innermost open call of the trace.
    pub fn new(kind: InterfaceKind) -> ObjectInfo {
        ObjectInfo {
            kind,
            owner: None,
            tracked: None,
            on_release: None,
            created_by: None,
            unscoped: None,
        }
    }

    /// Sets the owner.
    pub fn owner(mut self, owner: Owner) -> ObjectInfo {
        self.owner = Some(owner);
        self
    }

    /// Tracks this object (or not) whatever the ledger's history setting.
    pub fn tracked(mut self, tracked: bool) -> ObjectInfo {
        self.tracked = Some(tracked);
        self
    }

    /// Calls `hook` on every release of the object.
    pub fn on_release(mut self, hook: impl Fn(&ReleaseNotice) + Send + Sync + 'static) -> ObjectInfo {
        self.on_release = Some(Arc::new(hook));
        self
    }

    /// Names the event during which the object was created.
    pub fn created_by(mut self, event: EventId) -> ObjectInfo {
        self.created_by = Some(event);
        self
    }

    /// Whom references taken on a thread outside every [`Scope`] are attributed to (the client
    /// when not said). MAPI gives a provider objects, such as its support object, that only the
    /// provider holds: a reference taken on a thread the provider started is the provider's.
    pub fn unscoped_party(mut self, party: Party) -> ObjectInfo {
        self.unscoped = Some(party);
        self
    }
}

struct RefRecord {
    id: u64,
    site: &'static Location<'static>,
    holder: Option<ObjectId>,
    /// The party whose code took the reference.
    by: Party,
}

/// The references recorded for an object, in the order they were taken (as a list whose
/// removals swap the last one into the gap): none or one kept inline, as most objects have,
/// more in a list.
enum Records {
    None,
    One(RefRecord),
    Many(Vec<RefRecord>),
}

impl Records {
    fn iter(&self) -> std::slice::Iter<'_, RefRecord> {
        match self {
            Records::None => [].iter(),
            Records::One(record) => std::slice::from_ref(record).iter(),
            Records::Many(records) => records.iter(),
        }
    }

    fn push(&mut self, record: RefRecord) {
        match std::mem::replace(self, Records::None) {
            Records::None => *self = Records::One(record),
            Records::One(first) => *self = Records::Many(vec![first, record]),
            Records::Many(mut records) => {
                records.push(record);
                *self = Records::Many(records);
            }
        }
    }

    /// Forgets record `id`. From the back: the reference dropped is most often the one taken
    /// last (a clone dropped at the end of a call), which is then found at once.
    fn remove(&mut self, id: u64) {
        match self {
            Records::One(record) if record.id == id => *self = Records::None,
            Records::Many(records) => {
                if let Some(i) = records.iter().rposition(|r| r.id == id) {
                    records.swap_remove(i);
                }
            }
            _ => {}
        }
    }
}

struct Entry {
    serial: u32,
    kind: InterfaceKind,
    type_name: &'static str,
    owner: Owner,
    /// The number of the event that created it, 0 for none (events are numbered from 1).
    created_by: u64,
    created_at: &'static Location<'static>,
    /// The node, to count its references (the node's own weak link to itself: no allocation).
    weak: Weak<dyn Any + Send + Sync>,
    tracked: bool,
    hook: Option<ReleaseHook>,
    records: Records,
    /// Who takes a reference on a thread outside every scope.
    unscoped: Party,
}

impl Entry {
    fn label(&self) -> ObjLabel {
        ObjLabel {
            kind: self.kind,
            serial: self.serial,
        }
    }
}

#[derive(Default)]
struct LedgerState {
    objects: SlotMap<ObjectId, Entry>,
    /// The live objects of each session ([`Owner::session`]), for the checks that run when a
    /// session ends without scanning every object of every session.
    by_session: crate::sync::KeyMap<u32, BTreeSet<ObjectId>>,
    next_serial: u32,
    next_record: u64,
}

impl LedgerState {
    fn index(&mut self, id: ObjectId, session: Option<u32>) {
        if let Some(session) = session {
            self.by_session.entry(session).or_default().insert(id);
        }
    }

    fn unindex(&mut self, id: ObjectId, session: Option<u32>) {
        if let Some(session) = session
            && let Some(ids) = self.by_session.get_mut(&session)
        {
            ids.remove(&id);
            if ids.is_empty() {
                self.by_session.remove(&session);
            }
        }
    }
}

struct LedgerShared {
    state: Mutex<LedgerState>,
    trace: Trace,
    history: AtomicBool,
    /// Told of every over-release, of any object, after the object's own hook.
    over_release: Mutex<Option<ReleaseHook>>,
}

impl LedgerShared {
    /// Registers a node and, when it is to be tracked, records the reference being made at
    /// `site` (the one the caller is about to wrap in a `Ref`).
    fn register_node<T: ?Sized + Send + Sync + 'static>(
        self: &Arc<Self>,
        node: &Arc<RefNode<T>>,
        info: ObjectInfo,
        site: &'static Location<'static>,
        record_current: bool,
    ) -> (ObjectId, Option<RefToken>) {
        let owner = match info.owner {
            Some(owner) => owner,
            None => current_owner(),
        };
        let created_by = info.created_by.or_else(|| self.trace.current_call());
        let tracked = info
            .tracked
            .unwrap_or_else(|| self.history.load(Ordering::Relaxed));
        let needs_token = tracked || info.on_release.is_some();
        let unscoped = info.unscoped.unwrap_or(Party::Client);
        let (id, record) = {
            let mut state = lock(&self.state);
            state.next_serial += 1;
            let serial = state.next_serial;
            let record = (needs_token && record_current).then(|| {
                state.next_record += 1;
                state.next_record
            });
            let id = state.objects.insert(Entry {
                serial,
                kind: info.kind,
                type_name: node.header.type_name,
                owner,
                created_by: created_by.map_or(0, |event| event.0),
                created_at: site,
                weak: node.header.this.clone(),
                tracked,
                hook: info.on_release,
                records: match record {
                    Some(id) => Records::One(RefRecord {
                        id,
                        site,
                        holder: None,
                        by: scope_party().unwrap_or_else(|| unscoped.clone()),
                    }),
                    None => Records::None,
                },
                unscoped,
            });
            let session = state.objects.get(id).and_then(|e| e.owner.session);
            state.index(id, session);
            (id, record)
        };
        // A node is registered once: callers check `reg` first, and a lost race only means the
        // later registration is not linked from the node.
        let _ = node.header.reg.set(Registration {
            ledger: Arc::clone(self),
            id,
        });
        node.header.needs_token.store(needs_token, Ordering::Relaxed);
        node.header
            .named
            .store(info.kind != InterfaceKind::Object, Ordering::Relaxed);
        let token = record.map(|record| RefToken {
            ledger: Arc::clone(self),
            object: id,
            record,
        });
        (id, token)
    }

    /// Records a new reference taken at `site`, emits `AddRef` when tracked.
    fn add_record(
        self: &Arc<Self>,
        object: ObjectId,
        site: &'static Location<'static>,
        holder: Option<ObjectId>,
    ) -> Option<RefToken> {
        let (record, tracked, label, count) = {
            let mut state = lock(&self.state);
            state.next_record += 1;
            let record = state.next_record;
            let entry = state.objects.get_mut(object)?;
            let by = scope_party().unwrap_or_else(|| entry.unscoped.clone());
            entry.records.push(RefRecord {
                id: record,
                site,
                holder,
                by,
            });
            (record, entry.tracked, entry.label(), entry.weak.strong_count())
        };
        if tracked {
            self.trace.record(EventKind::AddRef {
                by: current_party(),
                object: label,
                count: saturate(count),
            });
        }
        Some(RefToken {
            ledger: Arc::clone(self),
            object,
            record,
        })
    }

    /// Forgets a reference that is being dropped (its `Ref` still holds the object), emits
    /// `Release` when tracked, and tells the hook unless this is the final release (the node's
    /// destruction does that).
    fn remove_record(&self, object: ObjectId, record: u64) {
        let found = {
            let mut state = lock(&self.state);
            state.objects.get_mut(object).map(|entry| {
                entry.records.remove(record);
                let remaining = entry.weak.strong_count().saturating_sub(1);
                (
                    entry.tracked,
                    entry.label(),
                    saturate(remaining),
                    entry.hook.clone(),
                )
            })
        };
        let Some((tracked, label, remaining, hook)) = found else {
            return;
        };
        if remaining == 0 {
            return;
        }
        let by = current_party();
        if tracked {
            self.trace.record(EventKind::Release {
                by: by.clone(),
                object: label,
                count: remaining,
            });
        }
        if let Some(hook) = hook {
            hook(&ReleaseNotice {
                object: label,
                remaining,
                by,
                over_release: false,
            });
        }
    }

    /// A raw `Release` came without a raw reference to drop: noted in the trace, told to the hook.
    fn over_released(&self, object: ObjectId, remaining: u32) {
        let found = {
            let state = lock(&self.state);
            state
                .objects
                .get(object)
                .map(|entry| (entry.label(), entry.hook.clone(), entry.unscoped.clone()))
        };
        let Some((label, hook, unscoped)) = found else {
            return;
        };
        let by = scope_party().unwrap_or(unscoped);
        self.trace.record(EventKind::Note {
            by: by.clone(),
            text: format!(
                "Release() of {label} without a reference of its own to release; the count stays {remaining}"
            )
            .into(),
        });
        let notice = ReleaseNotice {
            object: label,
            remaining,
            by,
            over_release: true,
        };
        if let Some(hook) = hook {
            hook(&notice);
        }
        let sink = lock(&self.over_release).clone();
        if let Some(sink) = sink {
            sink(&notice);
        }
    }

    /// The node of `object` is being destroyed.
    fn destroyed(&self, object: ObjectId) {
        // Take the entry out and drop it after the lock is released: its hook may own references.
        let entry = {
            let mut state = lock(&self.state);
            let entry = state.objects.remove(object);
            if let Some(entry) = &entry {
                state.unindex(object, entry.owner.session);
            }
            entry
        };
        let Some(entry) = entry else {
            return;
        };
        let by = current_party();
        let label = entry.label();
        self.trace.record(EventKind::Destroyed {
            by: by.clone(),
            object: label,
        });
        if let Some(hook) = &entry.hook {
            hook(&ReleaseNotice {
                object: label,
                remaining: 0,
                by,
                over_release: false,
            });
        }
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Drops a reference's record from the ledger when the reference goes.
struct RefToken {
    ledger: Arc<LedgerShared>,
    object: ObjectId,
    record: u64,
}

impl Drop for RefToken {
    fn drop(&mut self) {
        self.ledger.remove_record(self.object, self.record);
    }
}

struct Registration {
    ledger: Arc<LedgerShared>,
    id: ObjectId,
}

struct NodeHeader {
    reg: OnceLock<Registration>,
    needs_token: AtomicBool,
    /// Whether the ledger knows the object's interface (its label is not `object#N`).
    named: AtomicBool,
    type_name: &'static str,
    /// References taken by [`Ref::add_ref_raw`], held by the object until a raw release.
    raw: Mutex<Vec<Box<dyn Any + Send + Sync>>>,
    /// The node itself, as its concrete type behind `Any` (for [`Ref::downcast`]).
    this: Weak<dyn Any + Send + Sync>,
    /// The node itself, as `IUnknown`.
    unknown: Weak<RefNode<dyn Unknown>>,
    /// The interfaces the object answers for, and those it answered for.
    query: Mutex<query::QueryState>,
    /// The object's own `QueryInterface`, when it has one ([`Ref::answer_queries`]).
    answer: OnceLock<query::Answer>,
}

/// The shared allocation behind a [`Ref`]: the object and its ledger link. Only [`upcast!`](crate::upcast!)
/// names this type.
#[doc(hidden)]
pub struct RefNode<T: ?Sized> {
    header: NodeHeader,
    value: T,
}

impl<T: ?Sized> Drop for RefNode<T> {
    fn drop(&mut self) {
        if let Some(reg) = self.header.reg.get() {
            reg.ledger.destroyed(reg.id);
        }
    }
}

impl<T: ?Sized> fmt::Debug for RefNode<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RefNode({})", self.header.type_name)
    }
}

impl<T: Send + Sync + 'static> RefNode<T> {
    /// A new, unregistered node holding `value`.
    fn new_arc(value: T) -> Arc<RefNode<T>> {
        Arc::new_cyclic(|this: &Weak<RefNode<T>>| RefNode {
            header: NodeHeader {
                reg: OnceLock::new(),
                needs_token: AtomicBool::new(false),
                named: AtomicBool::new(false),
                type_name: type_name::<T>(),
                raw: Mutex::new(Vec::new()),
                this: this.clone(),
                unknown: this.clone(),
                query: Mutex::new(query::QueryState::default()),
                answer: OnceLock::new(),
            },
            value,
        })
    }
}

impl<T: ?Sized> RefNode<T> {
    fn registration(&self) -> Option<&Registration> {
        self.header.reg.get()
    }
}

/// A counted reference to a provider object: clone is `AddRef`, drop is `Release`.
///
/// The count is the object's own ([`Ref::ref_count`]); the last drop runs the object's `Drop`,
/// the equivalent of a COM object's final `Release`. `Ref<T>` dereferences to `T`, and is `Send`
/// and `Sync` when `T` is.
pub struct Ref<T: ?Sized> {
    // Declared first so that it is dropped first: the ledger sees the release while the object
    // is still alive, and the object's destruction comes after. Kept inline: a tracked
    // reference costs no allocation of its own.
    token: Option<RefToken>,
    node: Arc<RefNode<T>>,
}

impl<T: Send + Sync + 'static> Ref<T> {
    /// Makes a new object with one reference. Inside a [`Scope`] the object is registered in the
    /// scope's ledger, owned as the scope says; outside any scope it is registered later, when it
    /// crosses the boundary ([`ObjectLedger::adopt`]). Its interface is named when it is held as
    /// one of the provider traits (`Ref<dyn MsgStore>`), or with [`Ref::new_as`].
    #[track_caller]
    pub fn new(value: T) -> Ref<T> {
        Ref::make(value, InterfaceKind::Object, Location::caller())
    }

    /// [`Ref::new`] for an object whose interface is known when it is made: its label in the
    /// trace and the reports is `IMAPIStatus#7` rather than `object#7` (for a status object, a
    /// wrapper around the support object, an inner store of a wrapping provider).
    ///
    /// ```
    /// use mapisim::object::{InterfaceKind, ObjectLedger, Owner, Ref};
    /// use mapisim::trace::Party;
    ///
    /// struct Status;
    ///
    /// let ledger = ObjectLedger::new();
    /// let _provider_code = ledger.enter(Party::Library("SMPMS32.DLL".into()), Owner::library("SMPMS32.DLL"));
    /// let status = Ref::new_as(Status, InterfaceKind::MapiStatus);
    /// assert_eq!(status.label().map(|l| l.to_string()).as_deref(), Some("IMAPIStatus#1"));
    /// ```
    #[track_caller]
    pub fn new_as(value: T, kind: InterfaceKind) -> Ref<T> {
        Ref::make(value, kind, Location::caller())
    }

    fn make(value: T, kind: InterfaceKind, site: &'static Location<'static>) -> Ref<T> {
        let node = RefNode::new_arc(value);
        let token = current_ledger()
            .and_then(|ledger| ledger.register_node(&node, ObjectInfo::new(kind), site, true).1);
        Ref { token, node }
    }
}

impl<T: ?Sized> Ref<T> {
    /// The object's reference count: how many `Ref`s to it exist.
    pub fn ref_count(&self) -> u32 {
        saturate(Arc::strong_count(&self.node))
    }

    /// The object's identity, once it is registered in a ledger.
    pub fn id(&self) -> Option<ObjectId> {
        self.node.registration().map(|r| r.id)
    }

    /// The object's label (`IMsgStore#3`), once it is registered in a ledger.
    pub fn label(&self) -> Option<ObjLabel> {
        let reg = self.node.registration()?;
        lock(&reg.ledger.state).objects.get(reg.id).map(Entry::label)
    }

    /// Names the interface of a registered object whose interface the ledger does not know yet
    /// (its label `object#N` becomes `IMsgStore#N`); an object whose interface is known keeps it.
    /// The conversions to the provider traits' objects (`Ref<dyn MsgStore>` from `.into()`) do
    /// this.
    pub fn name_interface(&self, kind: InterfaceKind) {
        if kind == InterfaceKind::Object || self.node.header.named.load(Ordering::Relaxed) {
            return;
        }
        let Some(reg) = self.node.registration() else {
            return;
        };
        let mut state = lock(&reg.ledger.state);
        if let Some(entry) = state.objects.get_mut(reg.id)
            && entry.kind == InterfaceKind::Object
        {
            entry.kind = kind;
        }
        self.node.header.named.store(true, Ordering::Relaxed);
    }

    /// The ledger the object is registered in.
    pub fn ledger(&self) -> Option<ObjectLedger> {
        self.node.registration().map(|r| ObjectLedger {
            shared: Arc::clone(&r.ledger),
        })
    }

    /// The Rust type of the object (as `std::any::type_name` gives it).
    pub fn type_name(&self) -> &'static str {
        self.node.header.type_name
    }

    /// Whether two references, of any interface, are to the same object.
    pub fn same_object<U: ?Sized>(&self, other: &Ref<U>) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.node), Arc::as_ptr(&other.node))
    }

    /// Whether two references, of any interface, are to the same object (COM identity: the
    /// `IUnknown` of both is one pointer). The same as [`Ref::same_object`].
    pub fn ptr_eq<U: ?Sized>(this: &Ref<T>, other: &Ref<U>) -> bool {
        this.same_object(other)
    }

    /// The object's identity as a key for maps: equal for every reference to the object, through
    /// any interface, and different from the key of every other object alive at the same time.
    /// Like a COM pointer, it may be reused by an object made after this one is gone.
    pub fn key(&self) -> ObjectKey {
        ObjectKey(Arc::as_ptr(&self.node).cast::<()>().addr())
    }

    /// A weak link that does not keep the object alive.
    pub fn downgrade(&self) -> WeakRef<T> {
        WeakRef {
            node: Arc::downgrade(&self.node),
        }
    }

    /// `AddRef` on behalf of another object that will hold the new reference. The ledger then
    /// knows who holds what, and reports objects that keep each other alive as a reference cycle.
    /// (A holder that is not registered in the same ledger is not recorded.)
    #[track_caller]
    pub fn clone_held_by<U: ?Sized>(&self, holder: &Ref<U>) -> Ref<T> {
        let site = Location::caller();
        let node = Arc::clone(&self.node);
        let token = self.node.registration().and_then(|reg| {
            let holder = holder
                .node
                .registration()
                .filter(|h| Arc::ptr_eq(&h.ledger, &reg.ledger))
                .map(|h| h.id);
            reg.ledger.add_record(reg.id, site, holder)
        });
        Ref { token, node }
    }

    #[track_caller]
    fn from_node(node: Arc<RefNode<T>>) -> Ref<T> {
        let site = Location::caller();
        let token = if node.header.needs_token.load(Ordering::Relaxed) {
            node.registration()
                .and_then(|reg| reg.ledger.add_record(reg.id, site, None))
        } else {
            None
        };
        Ref { token, node }
    }

    /// Converts the reference to another view of the same allocation; used by [`upcast!`](crate::upcast!).
    #[doc(hidden)]
    pub fn __map_node<U: ?Sized>(self, f: impl FnOnce(Arc<RefNode<T>>) -> Arc<RefNode<U>>) -> Ref<U> {
        let Ref { token, node } = self;
        Ref { token, node: f(node) }
    }
}

/// What a raw `Release` ([`Ref::release_raw`]) did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RawRelease {
    /// A reference taken by [`Ref::add_ref_raw`] was released; the count after the call.
    Released(u32),
    /// No raw reference was held: the caller released a reference it never took. The count did
    /// not change (the simulator refuses to destroy an object others still hold); the object's
    /// release hook is told, so that MAPI can report it.
    OverReleased(u32),
}

impl<T: ?Sized + Send + Sync + 'static> Ref<T> {
    /// `AddRef` through a borrowed interface pointer, as C++ or COM-shim code does it: the new
    /// reference is not a `Ref` in the caller's hands but is held for it by the object, until a
    /// matching [`Ref::release_raw`]. Returns the count after the call. Rust code keeps a
    /// reference by cloning instead; this is for code that mirrors a COM provider's counting.
    #[track_caller]
    pub fn add_ref_raw(&self) -> u32 {
        let held = Ref::from_node(Arc::clone(&self.node));
        lock(&self.node.header.raw).push(Box::new(held));
        self.ref_count()
    }

    /// `Release` through a borrowed interface pointer: drops one reference taken by
    /// [`Ref::add_ref_raw`]. Without one, this is the classic over-release (releasing a
    /// reference that was never taken): the count is left alone and the object's hook hears of
    /// it ([`ReleaseNotice::over_release`]).
    pub fn release_raw(&self) -> RawRelease {
        let held = lock(&self.node.header.raw).pop();
        match held {
            Some(reference) => {
                drop(reference);
                RawRelease::Released(self.ref_count())
            }
            None => {
                let remaining = self.ref_count();
                if let Some(reg) = self.node.registration() {
                    reg.ledger.over_released(reg.id, remaining);
                }
                RawRelease::OverReleased(remaining)
            }
        }
    }

    /// Gives this reference to the object to hold for a raw interface pointer, as a shim does
    /// when it hands an owned reference across a binary interface (an output parameter): the
    /// count does not change and nothing is traced; the matching `Release` is
    /// [`Ref::release_raw`] or [`WeakRef::release_raw`]. Returns the count.
    pub fn into_raw_ref(self) -> u32 {
        let count = self.ref_count();
        let node = Arc::clone(&self.node);
        lock(&node.header.raw).push(Box::new(self));
        count
    }

    /// How many references taken by [`Ref::add_ref_raw`] the object holds.
    pub fn raw_refs(&self) -> u32 {
        saturate(lock(&self.node.header.raw).len())
    }
}

impl<T: ?Sized> Clone for Ref<T> {
    /// `AddRef`.
    #[track_caller]
    fn clone(&self) -> Self {
        Ref::from_node(Arc::clone(&self.node))
    }
}

/// Identity, not value: two references are equal when they are to the same object, through any
/// interface ([`Ref::ptr_eq`]).
impl<T: ?Sized, U: ?Sized> PartialEq<Ref<U>> for Ref<T> {
    fn eq(&self, other: &Ref<U>) -> bool {
        self.same_object(other)
    }
}

impl<T: ?Sized> Eq for Ref<T> {}

/// Hashes the object's identity ([`Ref::key`]), so that a reference can key a map. (Clippy's
/// `mutable_key_type` lint sees the interior mutability of the object, not that the hash is its
/// identity, which never changes: key the map by [`Ref::key`], or allow the lint.)
impl<T: ?Sized> std::hash::Hash for Ref<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl<T: ?Sized> Deref for Ref<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.node.value
    }
}

impl<T: ?Sized> fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.label() {
            Some(label) => write!(
                f,
                "Ref({label}, {}, count {})",
                self.type_name(),
                self.ref_count()
            ),
            None => write!(f, "Ref({}, count {})", self.type_name(), self.ref_count()),
        }
    }
}

/// Views a [`Ref`] through a trait object: `upcast!(store => dyn MsgStore)`. The reference is
/// moved, not cloned, so the count does not change.
#[macro_export]
macro_rules! upcast {
    ($r:expr => $t:ty) => {
        $crate::object::Ref::__map_node($r, |node| -> ::std::sync::Arc<$crate::object::RefNode<$t>> {
            node
        })
    };
}

/// A weak link to an object: it does not count, and [`WeakRef::upgrade`] fails once the object
/// is gone. (COM has no weak references; providers use this for back pointers, such as a logon
/// object pointing at its store, so that the two do not keep each other alive.)
pub struct WeakRef<T: ?Sized> {
    node: Weak<RefNode<T>>,
}

impl<T> WeakRef<T> {
    /// A weak link to nothing: it never upgrades.
    pub fn empty() -> WeakRef<T> {
        WeakRef { node: Weak::new() }
    }
}

impl<T: ?Sized> WeakRef<T> {
    /// A new counted reference, if the object is still alive.
    #[track_caller]
    pub fn upgrade(&self) -> Option<Ref<T>> {
        self.node.upgrade().map(Ref::from_node)
    }

    /// Whether the object is still alive.
    pub fn is_alive(&self) -> bool {
        self.node.strong_count() > 0
    }

    /// The object's reference count (0 once it is gone).
    pub fn ref_count(&self) -> u32 {
        saturate(self.node.strong_count())
    }

    /// Whether this link points at the object `other` refers to, through any interface. It takes
    /// no reference, so it can be asked where a release must not happen.
    pub fn same_object<U: ?Sized>(&self, other: &Ref<U>) -> bool {
        std::ptr::addr_eq(self.node.as_ptr(), Arc::as_ptr(&other.node))
    }

    /// Whether two links point at the same object, through any interface (alive or not).
    pub fn ptr_eq<U: ?Sized>(this: &WeakRef<T>, other: &WeakRef<U>) -> bool {
        std::ptr::addr_eq(this.node.as_ptr(), other.node.as_ptr())
    }

    /// The key of the object the link points at ([`Ref::key`]); `None` for an
    /// [empty](WeakRef::empty) link or one whose object is gone (its address may be another
    /// object's by now).
    pub fn key(&self) -> Option<ObjectKey> {
        (self.node.strong_count() > 0).then(|| ObjectKey(self.node.as_ptr().cast::<()>().addr()))
    }
}

impl<T: ?Sized + Send + Sync + 'static> WeakRef<T> {
    /// Runs `f` on the object, if it is alive, without counting a reference: a call through an
    /// interface pointer that someone else holds, as COM code makes it. Nothing is traced; the
    /// object stays alive for the length of the call (its [`Ref::ref_count`] reads one more
    /// meanwhile). This is for a shim that hands the object out as a raw interface pointer and
    /// counts that pointer's references with [`WeakRef::add_ref_raw`] and
    /// [`WeakRef::release_raw`]; Rust code holds a [`Ref`] instead.
    pub fn with_borrowed<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        let node = self.node.upgrade()?;
        Some(f(&node.value))
    }

    /// [`Ref::add_ref_raw`] through the link: `AddRef` of an interface pointer a shim handed
    /// out, traced and attributed like a provider's `AddRef`, with the exact count after it.
    /// `None` when the object is gone (an `AddRef` after the final `Release`).
    #[track_caller]
    pub fn add_ref_raw(&self) -> Option<u32> {
        let held = Ref::from_node(self.node.upgrade()?);
        let count = held.ref_count();
        let node = Arc::clone(&held.node);
        lock(&node.header.raw).push(Box::new(held));
        Some(count)
    }

    /// [`Ref::release_raw`] through the link: `Release` of an interface pointer a shim handed
    /// out. Drops one reference taken by [`WeakRef::add_ref_raw`] (or [`Ref::add_ref_raw`]),
    /// which may be the final one; without one it is an over-release, reported as
    /// [`Ref::release_raw`] reports it. `None` when the object is gone.
    pub fn release_raw(&self) -> Option<RawRelease> {
        let node = self.node.upgrade()?;
        let held = lock(&node.header.raw).pop();
        match held {
            Some(reference) => {
                // The link's own strong reference goes first, so that the release is traced
                // with the count it leaves, and a final one destroys the object.
                drop(node);
                drop(reference);
                Some(RawRelease::Released(self.ref_count()))
            }
            None => {
                let remaining = saturate(Arc::strong_count(&node).saturating_sub(1));
                if let Some(reg) = node.registration() {
                    reg.ledger.over_released(reg.id, remaining);
                }
                Some(RawRelease::OverReleased(remaining))
            }
        }
    }
}

impl<T: ?Sized> Clone for WeakRef<T> {
    fn clone(&self) -> Self {
        WeakRef {
            node: Weak::clone(&self.node),
        }
    }
}

impl<T: ?Sized> fmt::Debug for WeakRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeakRef(alive: {})", self.is_alive())
    }
}

struct ScopeFrame {
    ledger: Arc<LedgerShared>,
    party: Party,
    owner: Owner,
}

thread_local! {
    static SCOPES: RefCell<Vec<ScopeFrame>> = const { RefCell::new(Vec::new()) };
}

fn top_frame<R>(f: impl FnOnce(&ScopeFrame) -> R) -> Option<R> {
    SCOPES
        .try_with(|scopes| scopes.borrow().last().map(f))
        .ok()
        .flatten()
}

fn current_ledger() -> Option<Arc<LedgerShared>> {
    top_frame(|frame| Arc::clone(&frame.ledger))
}

fn current_owner() -> Owner {
    top_frame(|frame| frame.owner.clone()).unwrap_or_default()
}

/// The party whose code is running on this thread: the innermost [`Scope`]'s, or
/// [`Party::Client`] outside every scope.
pub fn current_party() -> Party {
    scope_party().unwrap_or(Party::Client)
}

/// The party of the innermost [`Scope`] open on this thread, if any.
pub fn scope_party() -> Option<Party> {
    top_frame(|frame| frame.party.clone())
}

/// The party and owner of the innermost [`Scope`] open on this thread, if any.
pub(crate) fn current_scope() -> Option<(Party, Owner)> {
    top_frame(|frame| (frame.party.clone(), frame.owner.clone()))
}

/// A region of code run on behalf of a party (a provider DLL, MAPI, the spooler) on this thread.
/// Inside it, [`Ref::new`] registers objects in the scope's ledger, owned by the scope's owner,
/// and reference events name the scope's party. Scopes nest; dropping the guard ends the scope.
#[must_use = "the scope ends when the guard is dropped"]
pub struct Scope {
    depth: usize,
    // A scope belongs to the thread that opened it.
    _thread_bound: PhantomData<*const ()>,
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope(depth {})", self.depth)
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        // Take the frames out one by one and drop each once the cell is no longer borrowed (the
        // last handle on a ledger may go with its frame).
        while let Some(frame) = SCOPES
            .try_with(|scopes| {
                let mut scopes = scopes.borrow_mut();
                if scopes.len() > self.depth {
                    scopes.pop()
                } else {
                    None
                }
            })
            .ok()
            .flatten()
        {
            drop(frame);
        }
    }
}

/// An object still alive at a checkpoint, as the ledger sees it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LiveObject {
    /// Its identity.
    pub id: ObjectId,
    /// Its label.
    pub label: ObjLabel,
    /// Its Rust type.
    pub type_name: &'static str,
    /// Its owner.
    pub owner: Owner,
    /// The event during which it was created.
    pub created_by: Option<EventId>,
    /// Where in the source it was created.
    pub created_at: &'static Location<'static>,
    /// Its reference count.
    pub count: u32,
    /// The outstanding references the ledger knows about (all of them for a tracked object
    /// registered at creation; those taken with [`Ref::clone_held_by`] otherwise).
    pub references: Vec<RefSite>,
    /// Whether it is tracked.
    pub tracked: bool,
}

/// Where an outstanding reference was taken, by whom, and which object holds it if that is known.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RefSite {
    /// The source location of the `Ref::new`, `clone` or `upgrade` that made it.
    pub site: &'static Location<'static>,
    /// The object holding it, when it was taken with [`Ref::clone_held_by`].
    pub held_by: Option<ObjLabel>,
    /// The party whose code took it.
    pub by: Party,
}

/// The objects still alive at a checkpoint, and the reference cycles among them.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct LeakReport {
    /// The objects, in creation order.
    pub objects: Vec<LiveObject>,
    /// Groups of these objects that hold each other, each group in creation order.
    pub cycles: Vec<Vec<ObjLabel>>,
}

impl LeakReport {
    /// Whether nothing leaked.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Whether the object with this label is among the leaks.
    pub fn contains(&self, label: ObjLabel) -> bool {
        self.objects.iter().any(|o| o.label == label)
    }
}

impl fmt::Display for LeakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.objects.is_empty() {
            return writeln!(f, "no objects alive");
        }
        let n = self.objects.len();
        writeln!(f, "{n} object{} still alive:", if n == 1 { "" } else { "s" })?;
        for o in &self.objects {
            write!(f, "  {} ({}), owner {}", o.label, o.type_name, o.owner)?;
            match o.created_by {
                Some(event) => write!(f, ", created during {event} at {}", o.created_at)?,
                None => write!(f, ", created at {}", o.created_at)?,
            }
            writeln!(
                f,
                ", {} reference{}",
                o.count,
                if o.count == 1 { "" } else { "s" }
            )?;
            for r in &o.references {
                match r.held_by {
                    Some(holder) => writeln!(f, "    held by {holder}, taken at {}", r.site)?,
                    None => writeln!(f, "    taken at {}", r.site)?,
                }
            }
            let unknown = (o.count as usize).saturating_sub(o.references.len());
            if unknown > 0 && !o.tracked {
                writeln!(
                    f,
                    "    ({unknown} reference{} taken untracked: turn history on to see where)",
                    if unknown == 1 { "" } else { "s" }
                )?;
            }
        }
        for cycle in &self.cycles {
            let names: Vec<String> = cycle.iter().map(ToString::to_string).collect();
            if cycle.len() == 1 {
                writeln!(f, "  reference cycle: {} holds itself", names.join(""))?;
            } else {
                writeln!(f, "  reference cycle: {} hold each other", names.join(" and "))?;
            }
        }
        Ok(())
    }
}

/// The object ledger: identity, kind, owner and creating event of every registered object, and
/// the outstanding references of tracked ones. Cloning gives another handle to the same ledger.
#[derive(Clone)]
pub struct ObjectLedger {
    shared: Arc<LedgerShared>,
}

impl fmt::Debug for ObjectLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectLedger")
            .field("live", &self.len())
            .field("history", &self.history())
            .finish()
    }
}

impl Default for ObjectLedger {
    fn default() -> Self {
        ObjectLedger::new()
    }
}

impl ObjectLedger {
    /// A ledger with a trace of its own.
    pub fn new() -> ObjectLedger {
        ObjectLedger::with_trace(Trace::new())
    }

    /// A ledger that records its reference events in `trace`.
    pub fn with_trace(trace: Trace) -> ObjectLedger {
        ObjectLedger {
            shared: Arc::new(LedgerShared {
                state: Mutex::new(LedgerState::default()),
                trace,
                history: AtomicBool::new(false),
                over_release: Mutex::new(None),
            }),
        }
    }

    /// The trace the ledger records into.
    pub fn trace(&self) -> &Trace {
        &self.shared.trace
    }

    /// Turns history on or off for objects registered from now on: a tracked object records
    /// where each outstanding reference was taken and traces its `AddRef` and `Release` calls.
    pub fn set_history(&self, on: bool) {
        self.shared.history.store(on, Ordering::Relaxed);
    }

    /// Whether history is on.
    pub fn history(&self) -> bool {
        self.shared.history.load(Ordering::Relaxed)
    }

    /// Whether two handles are to the same ledger.
    pub fn ptr_eq(&self, other: &ObjectLedger) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Makes and registers a new object with one reference.
    #[track_caller]
    pub fn register<T: Send + Sync + 'static>(&self, value: T, info: ObjectInfo) -> Ref<T> {
        let node = RefNode::new_arc(value);
        let (_, token) = self.shared.register_node(&node, info, Location::caller(), true);
        Ref { token, node }
    }

    /// Registers an object that crosses the boundary, or updates its interface (and owner, when
    /// given) if it is registered here already. References taken before registration are counted
    /// but their sites are unknown. An object registered in another ledger stays there:
    /// `Err(ForeignObject)`.
    #[track_caller]
    pub fn adopt<T: ?Sized + Send + Sync + 'static>(
        &self,
        r: &Ref<T>,
        kind: InterfaceKind,
        owner: Option<Owner>,
    ) -> Result<ObjectId, ForeignObject> {
        if let Some(reg) = r.node.registration() {
            if !Arc::ptr_eq(&reg.ledger, &self.shared) {
                return Err(ForeignObject);
            }
            let mut state = lock(&self.shared.state);
            let mut moved = None;
            if let Some(entry) = state.objects.get_mut(reg.id) {
                entry.kind = kind;
                if let Some(owner) = owner {
                    moved = Some((entry.owner.session, owner.session));
                    entry.owner = owner;
                }
            }
            if let Some((from, to)) = moved
                && from != to
            {
                state.unindex(reg.id, from);
                state.index(reg.id, to);
            }
            r.node
                .header
                .named
                .store(kind != InterfaceKind::Object, Ordering::Relaxed);
            return Ok(reg.id);
        }
        let mut info = ObjectInfo::new(kind);
        info.owner = owner;
        let (id, _) = self
            .shared
            .register_node(&r.node, info, Location::caller(), false);
        Ok(id)
    }

    /// Calls `hook` on every release of a registered object from now on (references taken from
    /// now on are tracked for it), and at its final release. Replaces any earlier hook.
    pub fn watch<T: ?Sized>(
        &self,
        r: &Ref<T>,
        hook: impl Fn(&ReleaseNotice) + Send + Sync + 'static,
    ) -> Result<(), ForeignObject> {
        let reg = r.node.registration().ok_or(ForeignObject)?;
        if !Arc::ptr_eq(&reg.ledger, &self.shared) {
            return Err(ForeignObject);
        }
        let old = {
            let mut state = lock(&self.shared.state);
            state
                .objects
                .get_mut(reg.id)
                .and_then(|entry| entry.hook.replace(Arc::new(hook)))
        };
        r.node.header.needs_token.store(true, Ordering::Relaxed);
        drop(old);
        Ok(())
    }

    /// Calls `hook` on every over-release of any object registered here ([`Ref::release_raw`]
    /// without a raw reference to release), after the object's own hook. Replaces any earlier one.
    pub fn on_over_release(&self, hook: impl Fn(&ReleaseNotice) + Send + Sync + 'static) {
        *lock(&self.shared.over_release) = Some(Arc::new(hook));
    }

    /// A `Release` through a raw interface pointer whose object is gone (its final release
    /// already ran): what a shim calls when code outside the simulator releases a pointer it
    /// kept too long. Recorded as an over-release of `object` with nothing left (a note in the
    /// trace, and the ledger's [`ObjectLedger::on_over_release`] hook), by the party whose code
    /// runs now.
    pub fn released_after_destruction(&self, object: ObjLabel) {
        let by = current_party();
        self.shared.trace.record(EventKind::Note {
            by: by.clone(),
            text: format!("Release() of {object}, which is gone: its final release already ran").into(),
        });
        let notice = ReleaseNotice {
            object,
            remaining: 0,
            by,
            over_release: true,
        };
        let sink = lock(&self.shared.over_release).clone();
        if let Some(sink) = sink {
            sink(&notice);
        }
    }

    /// Opens a [`Scope`] on this thread: code run until the guard is dropped acts for `party`,
    /// and objects it creates with [`Ref::new`] are registered here, owned by `owner`.
    pub fn enter(&self, party: Party, owner: Owner) -> Scope {
        let frame = ScopeFrame {
            ledger: Arc::clone(&self.shared),
            party,
            owner,
        };
        let depth = SCOPES
            .try_with(|scopes| {
                let mut scopes = scopes.borrow_mut();
                let depth = scopes.len();
                scopes.push(frame);
                depth
            })
            .unwrap_or(0);
        Scope {
            depth,
            _thread_bound: PhantomData,
        }
    }

    /// The number of registered objects still alive.
    pub fn len(&self) -> usize {
        lock(&self.shared.state)
            .objects
            .values()
            .filter(|e| e.weak.strong_count() > 0)
            .count()
    }

    /// Whether no registered object is alive.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The reference count of a live object.
    pub fn count(&self, id: ObjectId) -> Option<u32> {
        let state = lock(&self.shared.state);
        let entry = state.objects.get(id)?;
        let n = entry.weak.strong_count();
        (n > 0).then(|| saturate(n))
    }

    /// How many of an object's outstanding references, among those the ledger records (every
    /// reference of a tracked object but the one it was registered with when that was taken
    /// outside a scope, the references taken after [`ObjectLedger::watch`]), were taken by a party
    /// that `by` accepts. 0 for an object that is gone.
    pub fn count_references(&self, id: ObjectId, by: impl Fn(&Party) -> bool) -> u32 {
        let state = lock(&self.shared.state);
        state.objects.get(id).map_or(0, |entry| {
            saturate(entry.records.iter().filter(|r| by(&r.by)).count())
        })
    }

    /// The number the last object registered so far got (0 before any): objects registered
    /// from now on have higher numbers.
    pub(crate) fn serial_mark(&self) -> u32 {
        lock(&self.shared.state).next_serial
    }

    /// The label of a live object.
    pub fn label(&self, id: ObjectId) -> Option<ObjLabel> {
        lock(&self.shared.state).objects.get(id).map(Entry::label)
    }

    /// Whether the object is still alive.
    pub fn is_alive(&self, id: ObjectId) -> bool {
        self.count(id).is_some()
    }

    /// One live object.
    pub fn get(&self, id: ObjectId) -> Option<LiveObject> {
        let state = lock(&self.shared.state);
        let entry = state.objects.get(id)?;
        live_object(&state, id, entry)
    }

    /// Every live object, in creation order.
    pub fn live(&self) -> Vec<LiveObject> {
        self.live_where(|_| true)
    }

    /// The live objects that satisfy `keep`, in creation order.
    pub fn live_where(&self, mut keep: impl FnMut(&LiveObject) -> bool) -> Vec<LiveObject> {
        let state = lock(&self.shared.state);
        let mut out: Vec<LiveObject> = state
            .objects
            .iter()
            .filter_map(|(id, entry)| live_object(&state, id, entry))
            .collect();
        drop(state);
        out.retain(|o| keep(o));
        out.sort_by_key(|o| o.label.serial);
        out
    }

    /// The labels of the live objects whose owner and label satisfy `keep`, in creation order:
    /// what [`ObjectLedger::live_where`] finds, without describing every live object first.
    pub(crate) fn live_labels_where(&self, mut keep: impl FnMut(&Owner, ObjLabel) -> bool) -> Vec<ObjLabel> {
        let state = lock(&self.shared.state);
        let mut out: Vec<ObjLabel> = state
            .objects
            .values()
            .filter(|entry| entry.weak.strong_count() > 0 && keep(&entry.owner, entry.label()))
            .map(Entry::label)
            .collect();
        drop(state);
        out.sort_by_key(|label| label.serial);
        out
    }

    /// [`ObjectLedger::leaks`] among the objects of one session ([`Owner::session`]): the same
    /// report, at the cost of that session's objects only.
    pub fn leaks_in_session(&self, session: u32, keep: impl FnMut(&LiveObject) -> bool) -> LeakReport {
        self.session_leaks(session, |_, _| true, keep)
    }

    /// [`ObjectLedger::leaks_in_session`] among the objects whose label and owner satisfy `of`,
    /// which is asked first: no live view is made of the others.
    pub(crate) fn leaks_in_session_of(
        &self,
        session: u32,
        of: impl Fn(ObjLabel, &Owner) -> bool,
    ) -> LeakReport {
        self.session_leaks(session, of, |_| true)
    }

    fn session_leaks(
        &self,
        session: u32,
        of: impl Fn(ObjLabel, &Owner) -> bool,
        mut keep: impl FnMut(&LiveObject) -> bool,
    ) -> LeakReport {
        let state = lock(&self.shared.state);
        let mut objects: Vec<LiveObject> = state
            .by_session
            .get(&session)
            .into_iter()
            .flatten()
            .filter_map(|id| {
                let entry = state.objects.get(*id)?;
                of(entry.label(), &entry.owner)
                    .then(|| live_object(&state, *id, entry))
                    .flatten()
            })
            .collect();
        drop(state);
        objects.retain(|o| keep(o));
        objects.sort_by_key(|o| o.label.serial);
        let cycles = find_cycles(&objects);
        LeakReport { objects, cycles }
    }

    /// The live objects that satisfy `keep`, as a report that also names the reference cycles
    /// among them (objects that hold each other through references taken with
    /// [`Ref::clone_held_by`]).
    pub fn leaks(&self, keep: impl FnMut(&LiveObject) -> bool) -> LeakReport {
        let objects = self.live_where(keep);
        let cycles = find_cycles(&objects);
        LeakReport { objects, cycles }
    }
}

/// The live view of one entry, or `None` when its object is gone.
fn live_object(state: &LedgerState, id: ObjectId, entry: &Entry) -> Option<LiveObject> {
    let count = entry.weak.strong_count();
    if count == 0 {
        return None;
    }
    let references = entry
        .records
        .iter()
        .map(|r| RefSite {
            site: r.site,
            held_by: r.holder.and_then(|h| state.objects.get(h)).map(Entry::label),
            by: r.by.clone(),
        })
        .collect();
    Some(LiveObject {
        id,
        label: entry.label(),
        type_name: entry.type_name,
        owner: entry.owner.clone(),
        created_by: (entry.created_by != 0).then_some(EventId(entry.created_by)),
        created_at: entry.created_at,
        count: saturate(count),
        references,
        tracked: entry.tracked,
    })
}

/// Groups of objects that reach each other through "held by" links (strongly connected
/// components with more than one member, or an object that holds itself).
fn find_cycles(objects: &[LiveObject]) -> Vec<Vec<ObjLabel>> {
    let index = |label: ObjLabel| objects.iter().position(|o| o.label == label);
    // holds[i] = objects that object i holds a reference to.
    let mut holds: Vec<Vec<usize>> = vec![Vec::new(); objects.len()];
    for (held, o) in objects.iter().enumerate() {
        for r in &o.references {
            if let Some(holder) = r.held_by.and_then(index) {
                holds[holder].push(held);
            }
        }
    }
    let reach = |from: usize| {
        let mut seen = vec![false; objects.len()];
        let mut stack = holds[from].clone();
        while let Some(n) = stack.pop() {
            if !seen[n] {
                seen[n] = true;
                stack.extend(&holds[n]);
            }
        }
        seen
    };
    let reachable: Vec<Vec<bool>> = (0..objects.len()).map(reach).collect();
    let mut assigned = vec![false; objects.len()];
    let mut cycles = Vec::new();
    for i in 0..objects.len() {
        if assigned[i] || !reachable[i][i] {
            continue;
        }
        let group: Vec<usize> = (0..objects.len())
            .filter(|&j| reachable[i][j] && reachable[j][i])
            .collect();
        for &j in &group {
            assigned[j] = true;
        }
        cycles.push(group.into_iter().map(|j| objects[j].label).collect());
    }
    cycles
}

/// The object is registered in another ledger.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("the object is registered in another ledger")]
pub struct ForeignObject;
