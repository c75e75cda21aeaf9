//! # mapisim
//!
//! A portable simulator of Microsoft MAPI as the *host* of service providers. A provider author
//! writes a message store (and later an address book or a transport) against this crate's traits;
//! the simulator plays MAPI, the spooler and the client, drives the documented lifecycle, counts
//! every reference and every library load, and reports each broken contract with the rule it broke
//! and the page that states it.
//!
//! This release holds the foundation every later part stands on:
//!
//! - [`error`]: every MAPI status code with its exact `HRESULT` ([`MapiError`], [`MapiWarning`],
//!   [`Status`]), and [`Warned`] for successes that carry a warning;
//! - [`flags`]: the flag families of the lifecycle with their exact values, unknown bits kept
//!   ([`flags::MapiFlags`]);
//! - [`ids`]: [`MapiUid`](ids::MapiUid), [`EntryId`](ids::EntryId), wrapped store entry IDs and
//!   interface IIDs;
//! - [`props`]: property tags, typed values and property bags, with the well-known tags of profile
//!   sections and status rows;
//! - [`object`]: counted references ([`Ref`]), object identity and the object ledger that reports
//!   leaks;
//! - [`trace`]: every call across the boundary as a numbered [`Event`](trace::Event), with a stable
//!   one-line text form.
//!
//! ## Counting references the way COM does
//!
//! A provider object lives behind a [`Ref`]: `clone` is `AddRef`, `drop` is `Release`, and the
//! last `drop` runs the object's `Drop` — the final release. The [`ObjectLedger`] knows every
//! registered object by a stable label (`IMsgStore#3`), and at any checkpoint reports the ones
//! still alive, with who owns them, which call created them and, with history on, where each
//! outstanding reference was taken.
//!
//! ```
//! use mapisim::prelude::*;
//!
//! struct Store {
//!     logon: std::sync::Mutex<Option<Ref<Logon>>>,
//! }
//! struct Logon {
//!     store: std::sync::Mutex<Option<Ref<Store>>>,
//! }
//!
//! let ledger = ObjectLedger::new();
//! let store = ledger.register(Store { logon: Default::default() }, ObjectInfo::new(InterfaceKind::MsgStore));
//! let logon = ledger.register(Logon { store: Default::default() }, ObjectInfo::new(InterfaceKind::MsLogon));
//! // A classic provider bug: the store and its logon object hold each other.
//! *store.logon.lock().unwrap() = Some(logon.clone_held_by(&store));
//! *logon.store.lock().unwrap() = Some(store.clone_held_by(&logon));
//! drop(store);
//! drop(logon);
//!
//! let leaks = ledger.leaks(|_| true);
//! assert_eq!(leaks.objects.len(), 2);
//! assert_eq!(leaks.cycles.len(), 1);
//! println!("{leaks}");
//! ```
//!
//! ## The trace
//!
//! Every call across the boundary is recorded in a [`Trace`] as a typed event, nested under the
//! call that was open when it happened, and printed one line per event in a documented,
//! deterministic text form (see the [`trace`] module). Traces are meant for golden files and for
//! failure messages.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod check;
pub mod error;
pub mod flags;
pub mod ids;
pub mod object;
pub mod profile;
pub mod props;
pub mod runtime;
pub mod sample;
pub mod spi;
#[cfg(feature = "proptest")]
pub mod strategy;
mod sync;
pub mod trace;

pub use check::{Report, Rule, Violation};
pub use error::{MapiError, MapiResult, MapiWarning, Status, Warned};
pub use object::{ObjectLedger, Ref};
pub use runtime::{Behavior, Simulator};
pub use trace::Trace;

/// The names most tests and providers need, for `use mapisim::prelude::*`.
pub mod prelude {
    pub use crate::check::{Report, Rule, Violation, rules};
    pub use crate::error::{MapiError, MapiResult, MapiWarning, Status, Warned};
    pub use crate::flags::*;
    pub use crate::ids::{EntryId, Iid, MapiUid, WrappedStoreEntryId};
    pub use crate::object::{InterfaceKind, ObjectInfo, ObjectLedger, Owner, Ref, WeakRef};
    pub use crate::profile::{ProviderDef, ServiceDef};
    pub use crate::props::{Prop, PropBag, PropTag, PropType, PropValue};
    pub use crate::runtime::{
        Behavior, Session, Simulator, SimulatorBuilder, SltTiming, SpoolSecurity, SpoolerMode, StoreHandle,
        TeardownCleanup, UnloadTiming,
    };
    pub use crate::spi::{
        Exports, InitArgs, MapiProp, MapiSupport, MsLogon, MsProvider, MsgStore, ProviderInit,
        ProviderLibrary, SpoolerLogonArgs, StoreLogon, StoreLogonArgs,
    };
    pub use crate::trace::{Party, Trace};
    pub use crate::upcast;
}
