//! The three kinds of service provider MAPI hosts, and their objects as MAPI holds them: one
//! place that says which entry point, which interfaces and which `Logoff` each kind has, so that
//! the machinery shared by the kinds (starting a provider, tearing a logon down, `Shutdown`)
//! reads the same for all three.

use std::sync::Arc;

use crate::error::MapiResult;
use crate::flags::SpiVersion;
use crate::flags::TransportLogoffFlags;
use crate::ids::Iid;
use crate::object::{ForeignObject, InterfaceKind, ObjLabel, ObjectId, ObjectLedger, Owner, Ref, Unknown};
use crate::spi::{
    AbLogon, AbProvider, Exports, InitArgs, MsLogon, MsProvider, ProviderLibrary, XpLogon, XpProvider,
};
use crate::trace::Party;

use super::Runtime;

/// A kind of service provider. The order is that of a session's logoff: address books, stores,
/// transports (shutting-down-a-service-provider).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(crate) enum ProviderKind {
    /// An address-book provider (`ABProviderInit`, `IABProvider`, `IABLogon`).
    Ab,
    /// A message-store provider (`MSProviderInit`, `IMSProvider`, `IMSLogon`).
    Store,
    /// A transport provider (`XPProviderInit`, `IXPProvider`, `IXPLogon`).
    Xp,
}

impl ProviderKind {
    /// The entry point the DLL exports for this kind.
    pub(crate) fn export(self) -> Exports {
        match self {
            ProviderKind::Ab => Exports::AB_PROVIDER_INIT,
            ProviderKind::Store => Exports::MS_PROVIDER_INIT,
            ProviderKind::Xp => Exports::XP_PROVIDER_INIT,
        }
    }

    /// The entry point's name.
    pub(crate) fn entry_name(self) -> &'static str {
        self.export().entry_name()
    }

    /// The interface of the provider object.
    pub(crate) fn provider_interface(self) -> InterfaceKind {
        match self {
            ProviderKind::Ab => InterfaceKind::AbProvider,
            ProviderKind::Store => InterfaceKind::MsProvider,
            ProviderKind::Xp => InterfaceKind::XpProvider,
        }
    }

    /// The interface of the logon object.
    pub(crate) fn logon_interface(self) -> InterfaceKind {
        match self {
            ProviderKind::Ab => InterfaceKind::AbLogon,
            ProviderKind::Store => InterfaceKind::MsLogon,
            ProviderKind::Xp => InterfaceKind::XpLogon,
        }
    }

    /// The name of the logon object's logoff method.
    pub(crate) fn logoff_method(self) -> &'static str {
        match self {
            ProviderKind::Ab | ProviderKind::Store => "Logoff",
            ProviderKind::Xp => "TransportLogoff",
        }
    }

    /// Who calls the provider and logon objects of this kind: the spooler for transports
    /// (xpproviderinit, ixpprovider-shutdown), MAPI for the others.
    pub(crate) fn caller(self) -> Party {
        match self {
            ProviderKind::Xp => Party::Spooler,
            ProviderKind::Ab | ProviderKind::Store => Party::Mapi,
        }
    }

    /// What MAPI calls a provider of this kind in a load's reason.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            ProviderKind::Ab => "an address book",
            ProviderKind::Store => "a store",
            ProviderKind::Xp => "a transport",
        }
    }

    /// Calls the DLL's entry point for this kind.
    pub(crate) fn init(
        self,
        library: &dyn ProviderLibrary,
        args: &InitArgs,
    ) -> MapiResult<(ProviderObject, SpiVersion)> {
        match self {
            ProviderKind::Ab => library
                .ab_provider_init(args)
                .map(|i| (ProviderObject::Ab(i.provider), i.version)),
            ProviderKind::Store => library
                .ms_provider_init(args)
                .map(|i| (ProviderObject::Store(i.provider), i.version)),
            ProviderKind::Xp => library
                .xp_provider_init(args)
                .map(|i| (ProviderObject::Xp(i.provider), i.version)),
        }
    }

    /// A label for an object of `interface` that has none (never registered).
    pub(crate) fn unlabelled(interface: InterfaceKind) -> ObjLabel {
        ObjLabel {
            kind: interface,
            serial: 0,
        }
    }
}

/// A provider object as MAPI holds it.
#[derive(Clone)]
pub(crate) enum ProviderObject {
    /// `IABProvider`.
    Ab(Ref<dyn AbProvider>),
    /// `IMSProvider`.
    Store(Ref<dyn MsProvider>),
    /// `IXPProvider`.
    Xp(Ref<dyn XpProvider>),
}

impl ProviderObject {
    /// The object's label in the ledger.
    pub(crate) fn label(&self) -> Option<ObjLabel> {
        match self {
            ProviderObject::Ab(o) => o.label(),
            ProviderObject::Store(o) => o.label(),
            ProviderObject::Xp(o) => o.label(),
        }
    }

    /// Registers the object in the ledger (if it is not yet), as its kind's provider interface.
    pub(crate) fn adopt(&self, ledger: &ObjectLedger, owner: Owner) -> Result<ObjectId, ForeignObject> {
        match self {
            ProviderObject::Ab(o) => ledger.adopt(o, InterfaceKind::AbProvider, Some(owner)),
            ProviderObject::Store(o) => ledger.adopt(o, InterfaceKind::MsProvider, Some(owner)),
            ProviderObject::Xp(o) => ledger.adopt(o, InterfaceKind::XpProvider, Some(owner)),
        }
    }

    /// `Shutdown` (reserved flags, 0).
    pub(crate) fn shutdown(&self) -> MapiResult<()> {
        match self {
            ProviderObject::Ab(o) => o.shutdown(0),
            ProviderObject::Store(o) => o.shutdown(0),
            ProviderObject::Xp(o) => o.shutdown(0),
        }
    }

    /// `QueryInterface` by MAPI, traced.
    pub(crate) fn query(
        &self,
        rt: &Runtime,
        iid: Iid,
        file: &Arc<str>,
        session: Option<u32>,
    ) -> MapiResult<Ref<dyn Unknown>> {
        match self {
            ProviderObject::Ab(o) => rt.query_provider(Party::Mapi, o, Iid::IABPROVIDER, iid, file, session),
            ProviderObject::Store(o) => {
                rt.query_provider(Party::Mapi, o, Iid::IMSPROVIDER, iid, file, session)
            }
            ProviderObject::Xp(o) => rt.query_provider(Party::Mapi, o, Iid::IXPPROVIDER, iid, file, session),
        }
    }
}

/// The provider interface a [`ProviderObject`] holds, for calls that need one kind.
pub(crate) trait KindObject {
    /// The object, if it is of this kind.
    fn of(object: &ProviderObject) -> Option<Ref<Self>>;
}

impl KindObject for dyn MsProvider {
    fn of(object: &ProviderObject) -> Option<Ref<Self>> {
        match object {
            ProviderObject::Store(o) => Some(o.clone()),
            _ => None,
        }
    }
}

impl KindObject for dyn AbProvider {
    fn of(object: &ProviderObject) -> Option<Ref<Self>> {
        match object {
            ProviderObject::Ab(o) => Some(o.clone()),
            _ => None,
        }
    }
}

impl KindObject for dyn XpProvider {
    fn of(object: &ProviderObject) -> Option<Ref<Self>> {
        match object {
            ProviderObject::Xp(o) => Some(o.clone()),
            _ => None,
        }
    }
}

/// A logon object as MAPI holds it.
#[derive(Clone)]
pub(crate) enum LogonObject {
    /// `IABLogon`.
    Ab(Ref<dyn AbLogon>),
    /// `IMSLogon`.
    Store(Ref<dyn MsLogon>),
    /// `IXPLogon`.
    Xp(Ref<dyn XpLogon>),
}

impl LogonObject {
    /// `Logoff` (`TransportLogoff` for a transport), with reserved flags.
    pub(crate) fn logoff(&self) -> MapiResult<()> {
        match self {
            LogonObject::Ab(o) => o.logoff(0),
            LogonObject::Store(o) => o.logoff(0),
            LogonObject::Xp(o) => o.transport_logoff(TransportLogoffFlags::empty()),
        }
    }
}
