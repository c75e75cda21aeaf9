//! What provider authors implement, and the support object they call.
//!
//! A provider "DLL" is a type that implements [`ProviderLibrary`]: it says which entry points it
//! exports and implements them. The simulator instantiates it on `LoadLibrary` (a fresh instance
//! after every unload, so its statics are born and die with the load) and calls its entry point,
//! which returns a new provider object. The store provider's objects implement [`MsProvider`],
//! [`MsLogon`], [`MsgStore`] and [`Message`] (its messages); the address-book provider's
//! [`AbProvider`] and [`AbLogon`]; the transport provider's [`XpProvider`] and [`XpLogon`]. MAPI's
//! support object is the [`MapiSupport`] they receive.
//!
//! Every trait is object-safe, `Send + Sync`, and takes `&self` (interior mutability, as COM
//! objects do), so that a COM shim can expose the same objects as real COM interfaces, or
//! implement [`MapiSupport`] over a real `IMAPISupport` pointer. Optional methods default to
//! `MAPI_E_NO_SUPPORT`.
//!
//! Objects cross the boundary as counted references ([`Ref`]). A provider makes
//! them with [`Ref::new`](crate::object::Ref::new) and hands them over as trait objects:
//! `Ref<dyn MsgStore>` is made from a `Ref<MyStore>` with `.into()` (or
//! [`upcast!`](crate::upcast!)). Keeping a reference you were given means cloning it — that is
//! `AddRef`; dropping it is `Release`.
//!
//! The reference store provider in [`crate::sample`] follows every rule and is the model to copy.
//!
//! # Panics, threads and counts
//!
//! What holds for every trait of this module, for the simulator and for a COM shim that exposes
//! the same objects to real MAPI (the guide's "Wrapping for real MAPI" section says more):
//!
//! - **A panic** in a provider method is caught by the simulator at the boundary, reported
//!   (`PROVIDER-PANIC`) and answered `MAPI_E_CALL_FAILED`; the simulator stays usable. A shim
//!   must do the same at every entry point (`catch_unwind`): unwinding into the host is undefined
//!   behaviour. **The final release is `Drop`**: the last `Release` of an object runs its `Drop`
//!   inside the host's `Release` call, so the shim's `Release` is such an entry point too, and a
//!   `Drop` should not panic.
//! - **Threads.** Every trait is `Send + Sync` and every method takes `&self`: MAPI may call any
//!   object from any thread (it uses the free-threading model), including from inside another
//!   call of the same object (the support object calls back into a store's `Drop`). Guard state
//!   with locks, and never hold one while calling MAPI. An implementation of
//!   [`MapiSupport`] (or of [`MemBackend`], [`Malloc`], [`ProfSect`]) over a pointer MAPI gave is
//!   `Send + Sync` on the same ground.
//! - **Counts.** A [`Ref`] is one reference: each clone one `AddRef`, each drop one `Release`.
//!   Clones a shim keeps for itself are its own references. The host's references are on the COM
//!   object; a shim mirrors each host `AddRef` with [`Ref::add_ref_raw`] and each `Release` with
//!   [`Ref::release_raw`], so that the object's count is its Rust holders plus the host's, and a
//!   host that releases once too often is refused instead of destroying an object still in use.
//! - **Identity and interfaces.** One object has one identity ([`Ref::key`]) through every
//!   interface; it answers `QueryInterface` for those it exposes ([`Ref::query_interface`], and
//!   [`crate::object::QueryInterface`] for an object that answers by itself); [`vtable`] lists
//!   every slot of every interface with the Rust method behind it.
//!
//! [`vtable`] lists, for each interface, its IID and every slot of its vtable with the Rust method
//! that implements it: the map a COM shim follows.
//!
//! For providers that wrap another one: [`process`] (the process's `LoadLibrary`,
//! `GetProcAddress` and `FreeLibrary`, through the module handle), [`forward`] (a support object
//! that forwards what it does not override) and [`util`] (the small `mapiutil.h` utilities).

mod ab;
pub mod forward;
mod library;
pub mod memory;
mod message;
pub mod process;
mod status;
mod store;
mod support;
pub mod util;
pub mod vtable;
mod xp;

pub use ab::{AbLogon, AbLogonArgs, AbProvider, AbSecurity};
pub use forward::{ForwardSupport, NoOverrides, SupportOverrides};
pub use library::{
    Exports, InOut, InitArgs, ModuleInstance, OutParam, ProviderAdmin, ProviderInit, ProviderLibrary,
    ServiceEntryArgs,
};
pub use memory::{
    AllocationSite, BlockInfo, BufferId, BufferValue, Malloc, MallocBlock, MapiBuffer, MemBackend,
    MemRoutines, PropArray,
};
pub use message::Message;
pub use process::{LoadedLibrary, Process};
pub use status::{
    MSCAP_SEL_FOLDER, MSCAP_SEL_RESTRICTION, MapiProgress, MapiStatus, MsCapabilities, ProviderShutdown,
};
pub use store::{MsLogon, MsProvider, MsgStore, SpoolerLogonArgs, StoreLogon, StoreLogonArgs};
pub use support::{AdrParm, NewMailNotification, SpoolerNotifyData};
pub use support::{
    AdviseSink, MapiErrorInfo, MapiProp, MapiSupport, Notification, NotificationInfo, OpenedEntry, ProfSect,
    PropNames, PropProblem,
};
pub use util::{hr_get_one_prop, hr_set_one_prop, wrap_store_entry_id, wrapped_store_entry_id};
pub use xp::{AddressTypes, TransportLogonArgs, XpLogon, XpProvider};

use std::sync::Arc;

use crate::ids::Iid;
use crate::object::{Implements, Interface, InterfaceKind, Ref, RefNode};

/// For each provider trait: the trait object is an [`Interface`] with its IID, every type that
/// implements the trait [`Implements`] it (exposing the interfaces it derives from too), and
/// `From<Ref<T>> for Ref<dyn Trait>` converts a concrete object with `.into()`. The conversion
/// exposes the interface (QueryInterface answers for it from then on) and names it in the ledger
/// when it was not known (an object held as `dyn MsgStore` is an `IMsgStore`).
macro_rules! interfaces {
    ($($tr:ident => $kind:ident, $iid:ident $([$($base:ident),*])?;)*) => {
        $(
            impl Interface for dyn $tr {
                const IID: Iid = Iid::$iid;
                const KIND: InterfaceKind = InterfaceKind::$kind;
            }

            impl<T: $tr + 'static> Implements<dyn $tr> for T {
                fn __view(node: Arc<RefNode<T>>) -> Arc<RefNode<dyn $tr>> {
                    node
                }

                fn __expose_bases(this: &Ref<T>) {
                    let _ = this;
                    $($( this.expose::<dyn $base>(); )*)?
                }
            }

            impl<T: $tr + 'static> From<Ref<T>> for Ref<dyn $tr> {
                fn from(r: Ref<T>) -> Ref<dyn $tr> {
                    r.name_interface(InterfaceKind::$kind);
                    r.expose::<dyn $tr>();
                    crate::upcast!(r => dyn $tr)
                }
            }
        )*
    };
}

interfaces!(
    MsProvider => MsProvider, IMSPROVIDER;
    MsLogon => MsLogon, IMSLOGON;
    MsgStore => MsgStore, IMSGSTORE [MapiProp];
    MapiSupport => MapiSupport, IMAPISUP;
    MapiProp => MapiProp, IMAPIPROP;
    ProfSect => ProfSect, IPROFSECT [MapiProp];
    AdviseSink => AdviseSink, IMAPIADVISESINK;
    Malloc => Malloc, IMALLOC;
    ProviderAdmin => ProviderAdmin, IPROVIDERADMIN;
    MapiStatus => MapiStatus, IMAPISTATUS [MapiProp];
    Message => Message, IMESSAGE [MapiProp];
    ProviderShutdown => ProviderShutdown, IMAPIPROVIDERSHUTDOWN;
    MapiProgress => MapiProgress, IMAPIPROGRESS;
    MsCapabilities => MsCapabilities, IMSCAPABILITIES;
    AbProvider => AbProvider, IABPROVIDER;
    AbLogon => AbLogon, IABLOGON;
    XpProvider => XpProvider, IXPPROVIDER;
    XpLogon => XpLogon, IXPLOGON;
);
