//! The names of objects: the interface an object crosses the boundary through
//! ([`InterfaceKind`]) and its label in the ledger and the trace ([`ObjLabel`], `IMsgStore#3`).
//! Apart from the object model so that the trace, which names objects, does not depend on it.

use std::fmt;

use crate::ids::Iid;

/// The interface through which an object crosses the boundary.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
#[non_exhaustive]
pub enum InterfaceKind {
    /// Not known yet: an object created by provider code that has not crossed the boundary.
    Object,
    /// `IMSProvider`.
    MsProvider,
    /// `IMSLogon`.
    MsLogon,
    /// `IMsgStore`.
    MsgStore,
    /// `IMAPISupport`.
    MapiSupport,
    /// `IABProvider`.
    AbProvider,
    /// `IABLogon`.
    AbLogon,
    /// `IXPProvider`.
    XpProvider,
    /// `IXPLogon`.
    XpLogon,
    /// `IMAPISession`.
    MapiSession,
    /// `IMAPIStatus`.
    MapiStatus,
    /// `IMAPITable`.
    MapiTable,
    /// `IProfSect`.
    ProfSect,
    /// `IMAPIProp`.
    MapiProp,
    /// `IMAPIFolder`.
    MapiFolder,
    /// `IMessage`.
    Message,
    /// `IMAPIAdviseSink`.
    AdviseSink,
    /// `IMalloc`.
    Malloc,
    /// `IProviderAdmin`.
    ProviderAdmin,
    /// `IMsgServiceAdmin`.
    MsgServiceAdmin,
    /// `IProfAdmin`.
    ProfAdmin,
    /// `IMAPIProviderShutdown`.
    ProviderShutdown,
    /// `IMAPIProgress`.
    MapiProgress,
    /// `IMSCapabilities`.
    MsCapabilities,
}

impl InterfaceKind {
    /// The interface name (`"IMsgStore"`), or `"object"` for [`InterfaceKind::Object`].
    pub const fn name(self) -> &'static str {
        match self {
            InterfaceKind::Object => "object",
            InterfaceKind::MsProvider => "IMSProvider",
            InterfaceKind::MsLogon => "IMSLogon",
            InterfaceKind::MsgStore => "IMsgStore",
            InterfaceKind::MapiSupport => "IMAPISupport",
            InterfaceKind::AbProvider => "IABProvider",
            InterfaceKind::AbLogon => "IABLogon",
            InterfaceKind::XpProvider => "IXPProvider",
            InterfaceKind::XpLogon => "IXPLogon",
            InterfaceKind::MapiSession => "IMAPISession",
            InterfaceKind::MapiStatus => "IMAPIStatus",
            InterfaceKind::MapiTable => "IMAPITable",
            InterfaceKind::ProfSect => "IProfSect",
            InterfaceKind::MapiProp => "IMAPIProp",
            InterfaceKind::MapiFolder => "IMAPIFolder",
            InterfaceKind::Message => "IMessage",
            InterfaceKind::AdviseSink => "IMAPIAdviseSink",
            InterfaceKind::Malloc => "IMalloc",
            InterfaceKind::ProviderAdmin => "IProviderAdmin",
            InterfaceKind::MsgServiceAdmin => "IMsgServiceAdmin",
            InterfaceKind::ProfAdmin => "IProfAdmin",
            InterfaceKind::ProviderShutdown => "IMAPIProviderShutdown",
            InterfaceKind::MapiProgress => "IMAPIProgress",
            InterfaceKind::MsCapabilities => "IMSCapabilities",
        }
    }

    /// The interface's MAPI IID, where the MAPI headers define one.
    pub const fn iid(self) -> Option<Iid> {
        Some(match self {
            InterfaceKind::Object | InterfaceKind::Malloc => return None,
            InterfaceKind::MsProvider => Iid::IMSPROVIDER,
            InterfaceKind::MsLogon => Iid::IMSLOGON,
            InterfaceKind::MsgStore => Iid::IMSGSTORE,
            InterfaceKind::MapiSupport => Iid::IMAPISUP,
            InterfaceKind::AbProvider => Iid::IABPROVIDER,
            InterfaceKind::AbLogon => Iid::IABLOGON,
            InterfaceKind::XpProvider => Iid::IXPPROVIDER,
            InterfaceKind::XpLogon => Iid::IXPLOGON,
            InterfaceKind::MapiSession => Iid::IMAPISESSION,
            InterfaceKind::MapiStatus => Iid::IMAPISTATUS,
            InterfaceKind::MapiTable => Iid::IMAPITABLE,
            InterfaceKind::ProfSect => Iid::IPROFSECT,
            InterfaceKind::MapiProp => Iid::IMAPIPROP,
            InterfaceKind::MapiFolder => Iid::IMAPIFOLDER,
            InterfaceKind::Message => Iid::IMESSAGE,
            InterfaceKind::AdviseSink => Iid::IMAPIADVISESINK,
            InterfaceKind::ProviderAdmin => Iid::IPROVIDERADMIN,
            InterfaceKind::MsgServiceAdmin => Iid::IMSGSERVICEADMIN,
            InterfaceKind::ProfAdmin => Iid::IPROFADMIN,
            InterfaceKind::ProviderShutdown => Iid::IMAPIPROVIDERSHUTDOWN,
            InterfaceKind::MapiProgress => Iid::IMAPIPROGRESS,
            InterfaceKind::MsCapabilities => Iid::IMSCAPABILITIES,
        })
    }
}

impl fmt::Display for InterfaceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An object's name for people: its interface and its number in the ledger (`IMsgStore#3`).
/// Numbers start at 1 and follow creation order, so they are the same from run to run.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct ObjLabel {
    /// The interface the object crossed as.
    pub kind: InterfaceKind,
    /// Its number in the ledger.
    pub serial: u32,
}

impl fmt::Display for ObjLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.kind.name(), self.serial)
    }
}
