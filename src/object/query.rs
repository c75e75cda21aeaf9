//! `QueryInterface`: the interfaces an object answers for, and the typed way back from an erased
//! reference.
//!
//! Every object has one identity, its `IUnknown` ([`Ref::unknown`], [`Ref::key`]). It answers
//! `QueryInterface` ([`Ref::query_interface`], typed: [`Ref::query`]) for `IUnknown` and for every
//! interface it *exposes*: converting a `Ref<MyStore>` to `Ref<dyn MsgStore>` exposes `IMsgStore`
//! and the interfaces it derives from (`IMAPIProp`), and [`Ref::expose`] adds one more (a provider
//! object that also implements `IMAPIProviderShutdown`, or an interface of the provider's own,
//! declared with [`declare_interface!`](crate::declare_interface!)). Anything else is
//! `E_NOINTERFACE` ([`MapiError::InterfaceNotSupported`]). Answered this way, COM's identity rules
//! hold by construction.
//!
//! An object that answers by itself, as a C++ `QueryInterface` does (tear-offs, aggregation, a
//! wrapper that hands out its inner object), implements [`QueryInterface`] and says so with
//! [`Ref::answer_queries`]; the simulator then checks COM's rules on what it answers, each time
//! MAPI asks (`COM-QI-*` in the catalogue).
//!
//! ```
//! use mapisim::object::{QueryInterface, Ref, Unknown};
//! use mapisim::ids::Iid;
//! use mapisim::MapiError;
//! use mapisim::spi::{MapiProp, MsgStore};
//! use mapisim::flags::LogoffFlags;
//!
//! struct Store;
//! impl MapiProp for Store {}
//! impl MsgStore for Store {
//!     fn store_logoff(&self, flags: LogoffFlags) -> mapisim::MapiResult<LogoffFlags> { Ok(flags) }
//! }
//!
//! let store: Ref<dyn MsgStore> = Ref::new(Store).into();
//! // Erased to IMAPIProp, and back.
//! let prop = store.query::<dyn MapiProp>()?;
//! let again = prop.query::<dyn MsgStore>()?;
//! assert!(Ref::ptr_eq(&again, &store));
//! // To the object behind it.
//! let concrete: Ref<Store> = prop.downcast::<Store>().expect("a Store");
//! assert!(Ref::ptr_eq(&concrete, &store));
//! // One IUnknown, whatever the interface asked from.
//! assert_eq!(prop.query_interface(&Iid::IUNKNOWN)?.key(), store.key());
//! // And nothing else.
//! assert_eq!(store.query_interface(&Iid::IMSLOGON).err(), Some(MapiError::InterfaceNotSupported));
//! # Ok::<(), MapiError>(())
//! ```

use std::any::Any;
use std::sync::Arc;

use super::{InterfaceKind, Ref, RefNode};
use crate::error::{MapiError, MapiResult};
use crate::ids::Iid;
use crate::sync::lock;

/// `IUnknown`: any object, seen only for its identity. `Ref<dyn Unknown>` is what
/// `QueryInterface` returns and what methods that take or give "an object of some interface"
/// (`LPUNKNOWN`, `LPVOID` with an IID beside it) carry; [`Ref::query`] and [`Ref::cast`] give the
/// typed view back. Every `Send + Sync + 'static` type is `Unknown`.
pub trait Unknown: Send + Sync + 'static {}

impl<T: Send + Sync + 'static> Unknown for T {}

/// An interface: implemented for the trait-object type of each interface trait
/// (`dyn MsgStore`), with the interface's IID. The provider traits of [`crate::spi`] have it;
/// [`declare_interface!`](crate::declare_interface!) declares a provider's own.
pub trait Interface: Send + Sync + 'static {
    /// The interface's IID.
    const IID: Iid;
    /// The interface, for labels in the ledger ([`InterfaceKind::Object`] for a provider's own).
    const KIND: InterfaceKind;
}

impl Interface for dyn Unknown {
    const IID: Iid = Iid::IUNKNOWN;
    const KIND: InterfaceKind = InterfaceKind::Object;
}

/// `T` implements interface `I`: a `Ref<T>` can be viewed as `Ref<I>`. Implemented for every
/// type that implements an interface trait; [`declare_interface!`](crate::declare_interface!)
/// writes it for a provider's own.
pub trait Implements<I: ?Sized + Interface>: Send + Sync + Sized + 'static {
    /// The node seen through the interface (an unsizing coercion).
    #[doc(hidden)]
    fn __view(node: Arc<RefNode<Self>>) -> Arc<RefNode<I>>;

    /// Exposes the interfaces `I` derives from (`IMAPIProp` for `IMsgStore`).
    #[doc(hidden)]
    fn __expose_bases(this: &Ref<Self>) {
        let _ = this;
    }
}

/// An object's own `QueryInterface`, for objects that answer by themselves rather than from the
/// interfaces they exposed: tear-offs, aggregates, wrappers. Registered with
/// [`Ref::answer_queries`]. [`Ref::query_table`] is the default answer to fall back on.
///
/// COM's rules apply to what it answers, and the simulator checks them when MAPI asks: `IUnknown`
/// is always the same object; the object answers for the interface it is held as; an object
/// given for an interface answers for the interface it was asked from, and for every interface
/// the object gave; an interface once given stays available; any other IID is `E_NOINTERFACE`.
pub trait QueryInterface: Send + Sync + Sized + 'static {
    /// `QueryInterface(riid, ppvObject)`: the object answering for `iid` (`*ppvObject`, one
    /// reference, which the caller owns), or `E_NOINTERFACE`.
    fn query_interface(this: &Ref<Self>, iid: &Iid) -> MapiResult<Ref<dyn Unknown>>;
}

/// An exposed interface: its IID, and how to view the node as it (nothing is kept per view).
struct View {
    iid: Iid,
    make: MakeView,
}

/// Views a node (its concrete type behind `Any`) as one interface: writes the view into `out`, an
/// `Option<Arc<RefNode<I>>>` behind `Any`.
type MakeView = fn(Arc<dyn Any + Send + Sync>, &mut dyn Any);

fn make_view<T: Implements<I>, I: ?Sized + Interface>(node: Arc<dyn Any + Send + Sync>, out: &mut dyn Any) {
    if let (Ok(node), Some(out)) = (
        node.downcast::<RefNode<T>>(),
        out.downcast_mut::<Option<Arc<RefNode<I>>>>(),
    ) {
        *out = Some(T::__view(node));
    }
}

/// What the node knows of its interfaces.
#[derive(Default)]
pub(super) struct QueryState {
    views: Vec<View>,
    /// The IIDs `QueryInterface` succeeded for, in order, each once.
    given: Vec<Iid>,
}

/// An object's own `QueryInterface`, erased: the node as `Any`, the IID.
pub(super) type Answer = fn(Arc<dyn Any + Send + Sync>, &Iid) -> Option<MapiResult<Ref<dyn Unknown>>>;

fn answer_as<T: QueryInterface>(
    node: Arc<dyn Any + Send + Sync>,
    iid: &Iid,
) -> Option<MapiResult<Ref<dyn Unknown>>> {
    let node = node.downcast::<RefNode<T>>().ok()?;
    let this = Ref::from_node(node);
    Some(T::query_interface(&this, iid))
}

impl<T: Send + Sync + 'static> Ref<T> {
    /// Exposes interface `I`: `QueryInterface` for its IID (and for the interfaces it derives
    /// from) answers with this object from now on. Converting to `Ref<dyn Trait>` with `.into()`
    /// does it for that interface; call this for the others the object implements.
    pub fn expose<I: ?Sized + Interface>(&self)
    where
        T: Implements<I>,
    {
        let node = &self.node;
        {
            let mut query = lock(&node.header.query);
            if query.views.iter().any(|v| v.iid == I::IID) {
                return;
            }
            query.views.push(View {
                iid: I::IID,
                make: make_view::<T, I>,
            });
        }
        T::__expose_bases(self);
    }

    /// Makes the object answer `QueryInterface` itself, with its [`QueryInterface`]
    /// implementation, from now on. (Only the first call counts.)
    pub fn answer_queries(&self)
    where
        T: QueryInterface,
    {
        let _ = self.node.header.answer.set(answer_as::<T>);
    }
}

impl<T: ?Sized> Ref<T> {
    /// The object as `IUnknown`: its identity, whatever interface this reference is of. (This is
    /// the identity itself; `QueryInterface(IID_IUnknown)` asks the object, which must give the
    /// same.)
    pub fn unknown(&self) -> Ref<dyn Unknown> {
        match self.node.header.unknown.upgrade() {
            Some(node) => Ref::from_node(node),
            // Unreachable: this reference keeps the node alive.
            None => unreachable_unknown(),
        }
    }

    /// `QueryInterface`: the object answering for `iid`, with one new reference, or
    /// `E_NOINTERFACE` ([`MapiError::InterfaceNotSupported`]). An object with its own
    /// [`QueryInterface`] answers itself; the others answer from the interfaces they expose.
    #[track_caller]
    pub fn query_interface(&self, iid: &Iid) -> MapiResult<Ref<dyn Unknown>> {
        let answer = self.node.header.answer.get().copied();
        let result = match answer.zip(self.node.header.this.upgrade()) {
            Some((answer, node)) => answer(node, iid).unwrap_or(Err(MapiError::InterfaceNotSupported)),
            None => self.query_table(iid),
        };
        if result.is_ok() {
            let mut query = lock(&self.node.header.query);
            if !query.given.contains(iid) {
                query.given.push(*iid);
            }
        }
        result
    }

    /// The default `QueryInterface`: this object for `IUnknown` and for every interface it
    /// exposes, `E_NOINTERFACE` for the rest. An object's own [`QueryInterface`] falls back on it.
    #[track_caller]
    pub fn query_table(&self, iid: &Iid) -> MapiResult<Ref<dyn Unknown>> {
        if *iid == Iid::IUNKNOWN || self.exposes(iid) {
            Ok(self.unknown())
        } else {
            Err(MapiError::InterfaceNotSupported)
        }
    }

    /// Whether the object answers `QueryInterface` itself ([`Ref::answer_queries`]).
    pub fn answers_queries(&self) -> bool {
        self.node.header.answer.get().is_some()
    }

    /// Whether the object exposes `iid` (`IUnknown` always).
    pub fn exposes(&self, iid: &Iid) -> bool {
        *iid == Iid::IUNKNOWN || lock(&self.node.header.query).views.iter().any(|v| v.iid == *iid)
    }

    /// The IIDs of the interfaces the object exposes, in the order it exposed them.
    pub fn exposed(&self) -> Vec<Iid> {
        lock(&self.node.header.query)
            .views
            .iter()
            .map(|v| v.iid)
            .collect()
    }

    /// The IIDs `QueryInterface` on this object ever succeeded for, in order.
    pub fn interfaces_given(&self) -> Vec<Iid> {
        lock(&self.node.header.query).given.clone()
    }

    /// `QueryInterface` with a typed answer: the object answering for `I`, viewed as `I`.
    /// `E_NOINTERFACE` when it does not answer, or answers with an object that does not expose
    /// `I`.
    #[track_caller]
    pub fn query<I: ?Sized + Interface>(&self) -> MapiResult<Ref<I>> {
        self.query_interface(&I::IID)?
            .cast::<I>()
            .ok_or(MapiError::InterfaceNotSupported)
    }

    /// This object viewed as interface `I`, if it exposes it; no `QueryInterface` is made (this
    /// is what a pointer of a known interface gives).
    #[track_caller]
    pub fn cast<I: ?Sized + Interface>(&self) -> Option<Ref<I>> {
        if I::IID == Iid::IUNKNOWN {
            let unknown: &dyn Any = &self.node.header.unknown;
            let weak = unknown.downcast_ref::<std::sync::Weak<RefNode<I>>>()?;
            return weak.upgrade().map(Ref::from_node);
        }
        let make = {
            let query = lock(&self.node.header.query);
            query.views.iter().find(|v| v.iid == I::IID)?.make
        };
        let mut view: Option<Arc<RefNode<I>>> = None;
        make(self.node.header.this.upgrade()?, &mut view);
        view.map(Ref::from_node)
    }

    /// The object behind the reference, as its own type `U`, if it is one.
    #[track_caller]
    pub fn downcast<U: Send + Sync + 'static>(&self) -> Option<Ref<U>> {
        let node = self.node.header.this.upgrade()?;
        node.downcast::<RefNode<U>>().ok().map(Ref::from_node)
    }
}

#[cold]
fn unreachable_unknown() -> ! {
    unreachable!("a live reference keeps its object's node alive")
}

/// Declares an interface of a provider's own, so that its objects can expose it and answer
/// `QueryInterface` for its IID; [`implements!`](crate::implements!) then says which types
/// implement it (Rust's coherence rules want one line per type):
///
/// ```
/// use mapisim::{declare_interface, implements};
/// use mapisim::ids::Iid;
/// use mapisim::object::Ref;
///
/// pub trait Diagnostics: Send + Sync {
///     fn dump(&self) -> String;
/// }
/// declare_interface!(dyn Diagnostics, Iid(uuid::uuid!("6f1e2a3c-1111-4a4b-9c9d-0123456789ab")));
///
/// struct Store;
/// impl Diagnostics for Store {
///     fn dump(&self) -> String { "fine".into() }
/// }
/// implements!(Store => dyn Diagnostics);
///
/// let store = Ref::new(Store);
/// store.expose::<dyn Diagnostics>();
/// let erased = store.unknown();
/// assert_eq!(erased.query::<dyn Diagnostics>().map(|d| d.dump()).ok().as_deref(), Some("fine"));
/// ```
#[macro_export]
macro_rules! declare_interface {
    (dyn $tr:path, $iid:expr) => {
        impl $crate::object::Interface for dyn $tr {
            const IID: $crate::ids::Iid = $iid;
            const KIND: $crate::object::InterfaceKind = $crate::object::InterfaceKind::Object;
        }
    };
}

/// Says that a type implements an interface declared with
/// [`declare_interface!`](crate::declare_interface!): `implements!(Store => dyn Diagnostics)`.
#[macro_export]
macro_rules! implements {
    ($ty:ty => dyn $tr:path) => {
        impl $crate::object::Implements<dyn $tr> for $ty {
            fn __view(
                node: ::std::sync::Arc<$crate::object::RefNode<$ty>>,
            ) -> ::std::sync::Arc<$crate::object::RefNode<dyn $tr>> {
                node
            }
        }
    };
}
