//! The vtables of the interfaces, slot by slot, with the Rust method that implements each slot.
//!
//! A COM shim that exposes a provider's objects to real MAPI (or wraps MAPI's objects for a
//! provider) builds each vtable in this order and routes each slot to the method named here.
//! Every table lists the whole vtable, the slots of the interface it derives from first (so
//! `IMsgStore` starts with `IUnknown`'s three slots and `IMAPIProp`'s eleven); slot numbers count
//! from 0. The order is the one of the MAPI headers (`MAPIDefS.h`, `MAPISPI.h`) and, for
//! `IMalloc`, of OLE's `objidl.h`.
//!
//! `rust` names the method as `Trait::method`; `IUnknown`'s slots are [`Ref`]'s
//! ([`Ref::query_interface`], `Clone for Ref` for `AddRef`, `Drop for Ref` for `Release`). A slot
//! with no Rust method yet has `None`: a shim answers it with `MAPI_E_NO_SUPPORT`.
//!
//! ```
//! use mapisim::spi::vtable;
//! use mapisim::ids::Iid;
//!
//! let store = vtable::by_iid(&Iid::IMSGSTORE).expect("IMsgStore is listed");
//! assert_eq!(store.name, "IMsgStore");
//! assert_eq!(store.base, Some("IMAPIProp"));
//! assert_eq!(store.slots.len(), 27);
//! let logoff = store.slot("StoreLogoff").expect("a slot of IMsgStore");
//! assert_eq!((logoff.index, logoff.rust), (21, Some("MsgStore::store_logoff")));
//! // The base's slots come first, with the base's methods.
//! assert_eq!(store.slots[5].rust, Some("MapiProp::get_props"));
//! assert_eq!(store.own_slots().first().map(|s| s.mapi), Some("Advise"));
//! // What a shim would still have to answer with MAPI_E_NO_SUPPORT.
//! assert_eq!(vtable::ALL.iter().flat_map(|t| t.unimplemented()).count(), 0);
//! ```
//!
//! [`Ref`]: crate::object::Ref
//! [`Ref::query_interface`]: crate::object::Ref::query_interface

use crate::ids::Iid;

/// One slot of a vtable.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Slot {
    /// The slot's position, from 0 (`QueryInterface`).
    pub index: usize,
    /// The MAPI (or OLE) method name, as in the headers (`"GetProps"`).
    pub mapi: &'static str,
    /// The Rust method that implements it (`"MapiProp::get_props"`), or `None` when there is none
    /// yet.
    pub rust: Option<&'static str>,
}

/// One interface: its name, IID, base interface, Rust trait and every vtable slot in order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct InterfaceTable {
    /// The interface name (`"IMsgStore"`).
    pub name: &'static str,
    /// The IID.
    pub iid: Iid,
    /// The interface it derives from (`None` for `IUnknown`).
    pub base: Option<&'static str>,
    /// The Rust trait of the interface (`"MsgStore"`; `"Unknown"` for `IUnknown`).
    pub rust_trait: &'static str,
    /// Every slot, from 0, the base's first.
    pub slots: &'static [Slot],
}

impl InterfaceTable {
    /// The slot with this MAPI name, if the vtable has one.
    pub fn slot(&self, mapi: &str) -> Option<&'static Slot> {
        self.slots.iter().find(|s| s.mapi == mapi)
    }

    /// The table of the base interface, if any.
    pub fn base_table(&self) -> Option<&'static InterfaceTable> {
        self.base.and_then(by_name)
    }

    /// The slots the interface adds to its base (all of them for `IUnknown`).
    pub fn own_slots(&self) -> &'static [Slot] {
        let inherited = self.base_table().map_or(0, |b| b.slots.len());
        self.slots.get(inherited..).unwrap_or(&[])
    }

    /// The slots without a Rust method.
    pub fn unimplemented(&self) -> impl Iterator<Item = &'static Slot> + use<> {
        self.slots.iter().filter(|s| s.rust.is_none())
    }
}

/// The table of the interface with this name (`"IMsgStore"`).
pub fn by_name(name: &str) -> Option<&'static InterfaceTable> {
    ALL.iter().find(|t| t.name == name)
}

/// The table of the interface with this IID.
pub fn by_iid(iid: &Iid) -> Option<&'static InterfaceTable> {
    ALL.iter().find(|t| t.iid == *iid)
}

const fn slot(index: usize, mapi: &'static str, rust: &'static str) -> Slot {
    Slot {
        index,
        mapi,
        rust: Some(rust),
    }
}

/// The base's slots followed by the interface's own (`N` must be `A + B`, checked at compile time).
const fn join<const A: usize, const B: usize, const N: usize>(
    base: &[Slot; A],
    own: &[Slot; B],
) -> [Slot; N] {
    assert!(A + B == N, "a derived vtable is its base's slots and its own");
    let mut out = [Slot {
        index: 0,
        mapi: "",
        rust: None,
    }; N];
    let mut i = 0;
    while i < A {
        out[i] = base[i];
        i += 1;
    }
    let mut j = 0;
    while j < B {
        out[A + j] = own[j];
        j += 1;
    }
    out
}

const UNKNOWN_SLOTS: [Slot; 3] = [
    slot(0, "QueryInterface", "Ref::query_interface"),
    slot(1, "AddRef", "Clone for Ref"),
    slot(2, "Release", "Drop for Ref"),
];

const PROP_SLOTS: [Slot; 14] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "GetLastError", "MapiProp::get_last_error"),
        slot(4, "SaveChanges", "MapiProp::save_changes"),
        slot(5, "GetProps", "MapiProp::get_props"),
        slot(6, "GetPropList", "MapiProp::get_prop_list"),
        slot(7, "OpenProperty", "MapiProp::open_property"),
        slot(8, "SetProps", "MapiProp::set_props"),
        slot(9, "DeleteProps", "MapiProp::delete_props"),
        slot(10, "CopyTo", "MapiProp::copy_to"),
        slot(11, "CopyProps", "MapiProp::copy_props"),
        slot(12, "GetNamesFromIDs", "MapiProp::get_names_from_ids"),
        slot(13, "GetIDsFromNames", "MapiProp::get_ids_from_names"),
    ],
);

const MSGSTORE_SLOTS: [Slot; 27] = join(
    &PROP_SLOTS,
    &[
        slot(14, "Advise", "MsgStore::advise"),
        slot(15, "Unadvise", "MsgStore::unadvise"),
        slot(16, "CompareEntryIDs", "MsgStore::compare_entry_ids"),
        slot(17, "OpenEntry", "MsgStore::open_entry"),
        slot(18, "SetReceiveFolder", "MsgStore::set_receive_folder"),
        slot(19, "GetReceiveFolder", "MsgStore::get_receive_folder"),
        slot(20, "GetReceiveFolderTable", "MsgStore::get_receive_folder_table"),
        slot(21, "StoreLogoff", "MsgStore::store_logoff"),
        slot(22, "AbortSubmit", "MsgStore::abort_submit"),
        slot(23, "GetOutgoingQueue", "MsgStore::get_outgoing_queue"),
        slot(24, "SetLockState", "MsgStore::set_lock_state"),
        slot(25, "FinishedMsg", "MsgStore::finished_msg"),
        slot(26, "NotifyNewMail", "MsgStore::notify_new_mail"),
    ],
);

const MSLOGON_SLOTS: [Slot; 10] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "GetLastError", "MsLogon::get_last_error"),
        slot(4, "Logoff", "MsLogon::logoff"),
        slot(5, "OpenEntry", "MsLogon::open_entry"),
        slot(6, "CompareEntryIDs", "MsLogon::compare_entry_ids"),
        slot(7, "Advise", "MsLogon::advise"),
        slot(8, "Unadvise", "MsLogon::unadvise"),
        slot(9, "OpenStatusEntry", "MsLogon::open_status_entry"),
    ],
);

const MSPROVIDER_SLOTS: [Slot; 7] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "Shutdown", "MsProvider::shutdown"),
        slot(4, "Logon", "MsProvider::logon"),
        slot(5, "SpoolerLogon", "MsProvider::spooler_logon"),
        slot(6, "CompareStoreIDs", "MsProvider::compare_store_ids"),
    ],
);

const ABPROVIDER_SLOTS: [Slot; 5] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "Shutdown", "AbProvider::shutdown"),
        slot(4, "Logon", "AbProvider::logon"),
    ],
);

const ABLOGON_SLOTS: [Slot; 13] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "GetLastError", "AbLogon::get_last_error"),
        slot(4, "Logoff", "AbLogon::logoff"),
        slot(5, "OpenEntry", "AbLogon::open_entry"),
        slot(6, "CompareEntryIDs", "AbLogon::compare_entry_ids"),
        slot(7, "Advise", "AbLogon::advise"),
        slot(8, "Unadvise", "AbLogon::unadvise"),
        slot(9, "OpenStatusEntry", "AbLogon::open_status_entry"),
        slot(10, "OpenTemplateID", "AbLogon::open_template_id"),
        slot(11, "GetOneOffTable", "AbLogon::get_one_off_table"),
        slot(12, "PrepareRecips", "AbLogon::prepare_recips"),
    ],
);

const XPPROVIDER_SLOTS: [Slot; 5] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "Shutdown", "XpProvider::shutdown"),
        slot(4, "TransportLogon", "XpProvider::transport_logon"),
    ],
);

const XPLOGON_SLOTS: [Slot; 15] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "AddressTypes", "XpLogon::address_types"),
        slot(4, "RegisterOptions", "XpLogon::register_options"),
        slot(5, "TransportNotify", "XpLogon::transport_notify"),
        slot(6, "Idle", "XpLogon::idle"),
        slot(7, "TransportLogoff", "XpLogon::transport_logoff"),
        slot(8, "SubmitMessage", "XpLogon::submit_message"),
        slot(9, "EndMessage", "XpLogon::end_message"),
        slot(10, "Poll", "XpLogon::poll"),
        slot(11, "StartMessage", "XpLogon::start_message"),
        slot(12, "OpenStatusEntry", "XpLogon::open_status_entry"),
        slot(13, "ValidateState", "XpLogon::validate_state"),
        slot(14, "FlushQueues", "XpLogon::flush_queues"),
    ],
);

const SUPPORT_SLOTS: [Slot; 44] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "GetLastError", "MapiSupport::get_last_error"),
        slot(4, "GetMemAllocRoutines", "MapiSupport::get_mem_alloc_routines"),
        slot(5, "Subscribe", "MapiSupport::subscribe"),
        slot(6, "Unsubscribe", "MapiSupport::unsubscribe"),
        slot(7, "Notify", "MapiSupport::notify"),
        slot(8, "ModifyStatusRow", "MapiSupport::modify_status_row"),
        slot(9, "OpenProfileSection", "MapiSupport::open_profile_section"),
        slot(10, "RegisterPreprocessor", "MapiSupport::register_preprocessor"),
        slot(11, "NewUID", "MapiSupport::new_uid"),
        slot(12, "MakeInvalid", "MapiSupport::make_invalid"),
        slot(13, "SpoolerYield", "MapiSupport::spooler_yield"),
        slot(14, "SpoolerNotify", "MapiSupport::spooler_notify"),
        slot(15, "CreateOneOff", "MapiSupport::create_one_off"),
        slot(16, "SetProviderUID", "MapiSupport::set_provider_uid"),
        slot(17, "CompareEntryIDs", "MapiSupport::compare_entry_ids"),
        slot(18, "OpenTemplateID", "MapiSupport::open_template_id"),
        slot(19, "OpenEntry", "MapiSupport::open_entry"),
        slot(20, "GetOneOffTable", "MapiSupport::get_one_off_table"),
        slot(21, "Address", "MapiSupport::address"),
        slot(22, "Details", "MapiSupport::details"),
        slot(23, "NewEntry", "MapiSupport::new_entry"),
        slot(24, "DoConfigPropsheet", "MapiSupport::do_config_propsheet"),
        slot(25, "CopyMessages", "MapiSupport::copy_messages"),
        slot(26, "CopyFolder", "MapiSupport::copy_folder"),
        slot(27, "DoCopyTo", "MapiSupport::do_copy_to"),
        slot(28, "DoCopyProps", "MapiSupport::do_copy_props"),
        slot(29, "DoProgressDialog", "MapiSupport::do_progress_dialog"),
        slot(30, "ReadReceipt", "MapiSupport::read_receipt"),
        slot(31, "PrepareSubmit", "MapiSupport::prepare_submit"),
        slot(32, "ExpandRecips", "MapiSupport::expand_recips"),
        slot(33, "UpdatePAB", "MapiSupport::update_pab"),
        slot(34, "DoSentMail", "MapiSupport::do_sent_mail"),
        slot(35, "OpenAddressBook", "MapiSupport::open_address_book"),
        slot(36, "Preprocess", "MapiSupport::preprocess"),
        slot(37, "CompleteMsg", "MapiSupport::complete_msg"),
        slot(
            38,
            "StoreLogoffTransports",
            "MapiSupport::store_logoff_transports",
        ),
        slot(39, "StatusRecips", "MapiSupport::status_recips"),
        slot(40, "WrapStoreEntryID", "MapiSupport::wrap_store_entry_id"),
        slot(41, "ModifyProfile", "MapiSupport::modify_profile"),
        slot(42, "IStorageFromStream", "MapiSupport::istorage_from_stream"),
        slot(
            43,
            "GetSvcConfigSupportObj",
            "MapiSupport::get_svc_config_support_obj",
        ),
    ],
);

const STATUS_SLOTS: [Slot; 18] = join(
    &PROP_SLOTS,
    &[
        slot(14, "ValidateState", "MapiStatus::validate_state"),
        slot(15, "SettingsDialog", "MapiStatus::settings_dialog"),
        slot(16, "ChangePassword", "MapiStatus::change_password"),
        slot(17, "FlushQueues", "MapiStatus::flush_queues"),
    ],
);

const MESSAGE_SLOTS: [Slot; 22] = join(
    &PROP_SLOTS,
    &[
        slot(14, "GetAttachmentTable", "Message::get_attachment_table"),
        slot(15, "OpenAttach", "Message::open_attach"),
        slot(16, "CreateAttach", "Message::create_attach"),
        slot(17, "DeleteAttach", "Message::delete_attach"),
        slot(18, "GetRecipientTable", "Message::get_recipient_table"),
        slot(19, "ModifyRecipients", "Message::modify_recipients"),
        slot(20, "SubmitMessage", "Message::submit_message"),
        slot(21, "SetReadFlag", "Message::set_read_flag"),
    ],
);

const SHUTDOWN_SLOTS: [Slot; 6] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "QueryFastShutdown", "ProviderShutdown::query_fast_shutdown"),
        slot(
            4,
            "NotifyProcessShutdown",
            "ProviderShutdown::notify_process_shutdown",
        ),
        slot(5, "DoFastShutdown", "ProviderShutdown::do_fast_shutdown"),
    ],
);

const MALLOC_SLOTS: [Slot; 9] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "Alloc", "Malloc::alloc"),
        slot(4, "Realloc", "Malloc::realloc"),
        slot(5, "Free", "Malloc::free"),
        slot(6, "GetSize", "Malloc::get_size"),
        slot(7, "DidAlloc", "Malloc::did_alloc"),
        slot(8, "HeapMinimize", "Malloc::heap_minimize"),
    ],
);

const PROGRESS_SLOTS: [Slot; 8] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "Progress", "MapiProgress::progress"),
        slot(4, "GetFlags", "MapiProgress::get_flags"),
        slot(5, "GetMax", "MapiProgress::get_max"),
        slot(6, "GetMin", "MapiProgress::get_min"),
        slot(7, "SetLimits", "MapiProgress::set_limits"),
    ],
);

/// `IUnknown`: `QueryInterface`, `AddRef`, `Release`, the three slots every vtable starts with.
pub const IUNKNOWN: InterfaceTable = InterfaceTable {
    name: "IUnknown",
    iid: Iid::IUNKNOWN,
    base: None,
    rust_trait: "Unknown",
    slots: &UNKNOWN_SLOTS,
};

/// `IMAPIProp` ([`MapiProp`](crate::spi::MapiProp)): 14 slots.
pub const IMAPIPROP: InterfaceTable = InterfaceTable {
    name: "IMAPIProp",
    iid: Iid::IMAPIPROP,
    base: Some("IUnknown"),
    rust_trait: "MapiProp",
    slots: &PROP_SLOTS,
};

/// `IMsgStore` ([`MsgStore`](crate::spi::MsgStore)): `IMAPIProp` and 13 slots of its own, 27 in all.
pub const IMSGSTORE: InterfaceTable = InterfaceTable {
    name: "IMsgStore",
    iid: Iid::IMSGSTORE,
    base: Some("IMAPIProp"),
    rust_trait: "MsgStore",
    slots: &MSGSTORE_SLOTS,
};

/// `IMSLogon` ([`MsLogon`](crate::spi::MsLogon)): 10 slots.
pub const IMSLOGON: InterfaceTable = InterfaceTable {
    name: "IMSLogon",
    iid: Iid::IMSLOGON,
    base: Some("IUnknown"),
    rust_trait: "MsLogon",
    slots: &MSLOGON_SLOTS,
};

/// `IMSProvider` ([`MsProvider`](crate::spi::MsProvider)): 7 slots.
pub const IMSPROVIDER: InterfaceTable = InterfaceTable {
    name: "IMSProvider",
    iid: Iid::IMSPROVIDER,
    base: Some("IUnknown"),
    rust_trait: "MsProvider",
    slots: &MSPROVIDER_SLOTS,
};

/// `IABProvider` ([`AbProvider`](crate::spi::AbProvider)): 5 slots, `Shutdown` before `Logon` as
/// in the header (one page of the documentation lists them the other way round).
pub const IABPROVIDER: InterfaceTable = InterfaceTable {
    name: "IABProvider",
    iid: Iid::IABPROVIDER,
    base: Some("IUnknown"),
    rust_trait: "AbProvider",
    slots: &ABPROVIDER_SLOTS,
};

/// `IABLogon` ([`AbLogon`](crate::spi::AbLogon)): 13 slots.
pub const IABLOGON: InterfaceTable = InterfaceTable {
    name: "IABLogon",
    iid: Iid::IABLOGON,
    base: Some("IUnknown"),
    rust_trait: "AbLogon",
    slots: &ABLOGON_SLOTS,
};

/// `IXPProvider` ([`XpProvider`](crate::spi::XpProvider)): 5 slots.
pub const IXPPROVIDER: InterfaceTable = InterfaceTable {
    name: "IXPProvider",
    iid: Iid::IXPPROVIDER,
    base: Some("IUnknown"),
    rust_trait: "XpProvider",
    slots: &XPPROVIDER_SLOTS,
};

/// `IXPLogon` ([`XpLogon`](crate::spi::XpLogon)): 15 slots.
pub const IXPLOGON: InterfaceTable = InterfaceTable {
    name: "IXPLogon",
    iid: Iid::IXPLOGON,
    base: Some("IUnknown"),
    rust_trait: "XpLogon",
    slots: &XPLOGON_SLOTS,
};

/// `IMAPISupport` ([`MapiSupport`](crate::spi::MapiSupport)), IID `IID_IMAPISup`: 44 slots.
pub const IMAPISUPPORT: InterfaceTable = InterfaceTable {
    name: "IMAPISupport",
    iid: Iid::IMAPISUP,
    base: Some("IUnknown"),
    rust_trait: "MapiSupport",
    slots: &SUPPORT_SLOTS,
};

/// `IMAPIStatus` ([`MapiStatus`](crate::spi::MapiStatus)): `IMAPIProp` and 4 slots of its own, 18
/// in all.
pub const IMAPISTATUS: InterfaceTable = InterfaceTable {
    name: "IMAPIStatus",
    iid: Iid::IMAPISTATUS,
    base: Some("IMAPIProp"),
    rust_trait: "MapiStatus",
    slots: &STATUS_SLOTS,
};

/// `IMessage` ([`Message`](crate::spi::Message)): `IMAPIProp` and 8 slots of its own, 22 in all.
pub const IMESSAGE: InterfaceTable = InterfaceTable {
    name: "IMessage",
    iid: Iid::IMESSAGE,
    base: Some("IMAPIProp"),
    rust_trait: "Message",
    slots: &MESSAGE_SLOTS,
};

/// `IMAPIProviderShutdown` ([`ProviderShutdown`](crate::spi::ProviderShutdown)): 6 slots.
pub const IMAPIPROVIDERSHUTDOWN: InterfaceTable = InterfaceTable {
    name: "IMAPIProviderShutdown",
    iid: Iid::IMAPIPROVIDERSHUTDOWN,
    base: Some("IUnknown"),
    rust_trait: "ProviderShutdown",
    slots: &SHUTDOWN_SLOTS,
};

/// `IProfSect` ([`ProfSect`](crate::spi::ProfSect)): `IMAPIProp`'s 14 slots and none of its own.
/// (`ProfSect::uid` is the simulator's accessor, not a slot.)
pub const IPROFSECT: InterfaceTable = InterfaceTable {
    name: "IProfSect",
    iid: Iid::IPROFSECT,
    base: Some("IMAPIProp"),
    rust_trait: "ProfSect",
    slots: &PROP_SLOTS,
};

/// `IMalloc` ([`Malloc`](crate::spi::Malloc)), OLE's allocator: 9 slots.
pub const IMALLOC: InterfaceTable = InterfaceTable {
    name: "IMalloc",
    iid: Iid::IMALLOC,
    base: Some("IUnknown"),
    rust_trait: "Malloc",
    slots: &MALLOC_SLOTS,
};

/// `IMAPIProgress` ([`MapiProgress`](crate::spi::MapiProgress)): 8 slots.
pub const IMAPIPROGRESS: InterfaceTable = InterfaceTable {
    name: "IMAPIProgress",
    iid: Iid::IMAPIPROGRESS,
    base: Some("IUnknown"),
    rust_trait: "MapiProgress",
    slots: &PROGRESS_SLOTS,
};

const CAPABILITIES_SLOTS: [Slot; 4] = join(
    &UNKNOWN_SLOTS,
    &[slot(3, "GetCapabilities", "MsCapabilities::get_capabilities")],
);

/// `IMSCapabilities` ([`MsCapabilities`](crate::spi::MsCapabilities)): 4 slots.
pub const IMSCAPABILITIES: InterfaceTable = InterfaceTable {
    name: "IMSCapabilities",
    iid: Iid::IMSCAPABILITIES,
    base: Some("IUnknown"),
    rust_trait: "MsCapabilities",
    slots: &CAPABILITIES_SLOTS,
};

const PROVIDER_ADMIN_SLOTS: [Slot; 8] = join(
    &UNKNOWN_SLOTS,
    &[
        slot(3, "GetLastError", "ProviderAdmin::get_last_error"),
        slot(4, "GetProviderTable", "ProviderAdmin::get_provider_table"),
        slot(5, "CreateProvider", "ProviderAdmin::create_provider"),
        slot(6, "DeleteProvider", "ProviderAdmin::delete_provider"),
        slot(7, "OpenProfileSection", "ProviderAdmin::open_profile_section"),
    ],
);

/// `IProviderAdmin` ([`ProviderAdmin`](crate::spi::ProviderAdmin)), which a message service's
/// entry point receives: 8 slots, in the order of `MAPIX.h`.
pub const IPROVIDERADMIN: InterfaceTable = InterfaceTable {
    name: "IProviderAdmin",
    iid: Iid::IPROVIDERADMIN,
    base: Some("IUnknown"),
    rust_trait: "ProviderAdmin",
    slots: &PROVIDER_ADMIN_SLOTS,
};

/// Every interface described here, bases before the interfaces that derive from them.
pub const ALL: &[InterfaceTable] = &[
    IUNKNOWN,
    IMAPIPROP,
    IMSGSTORE,
    IMSLOGON,
    IMSPROVIDER,
    IABPROVIDER,
    IABLOGON,
    IXPPROVIDER,
    IXPLOGON,
    IMAPISUPPORT,
    IMAPISTATUS,
    IMESSAGE,
    IMAPIPROVIDERSHUTDOWN,
    IPROFSECT,
    IMALLOC,
    IMAPIPROGRESS,
    IMSCAPABILITIES,
    IPROVIDERADMIN,
];
