//! The vtable table of `spi::vtable` against the reference: each interface's IID, every slot in
//! order, bases first, and every Rust method it names called on a minimal implementor, whose
//! defaults must answer `MAPI_E_NO_SUPPORT`.
//!
//! The expected lists below are written out from the MAPI headers' vtable order (`MAPIDefS.h`,
//! `MAPISPI.h`; OLE's `objidl.h` for `IMalloc`), not taken from the module under test.

use std::collections::{BTreeMap, BTreeSet};

use mapisim::error::{MapiError, MapiResult, Warned};
use mapisim::flags::{
    AbLogonFlags, EventMask, FlushQueuesFlags, LockState, LogoffFlags, ProfileSectionFlags, ReadReceiptFlags,
    SpoolerLogonFlags, SpoolerNotifyFlags, StatusRowFlags, StorageFromStreamFlags, StoreLogonFlags,
    SubscribeFlags, TransportLogoffFlags, TransportNotifyFlags, XpLogonFlags,
};
use mapisim::ids::{Iid, MapiUid};
use mapisim::object::{Interface, InterfaceKind, Ref, Unknown};
use mapisim::props::{NameId, PropTag};
use mapisim::spi::vtable::{self, InterfaceTable};
use mapisim::spi::{
    AbLogon, AbLogonArgs, AbProvider, AbSecurity, AddressTypes, AdrParm, AdviseSink, InOut, MSCAP_SEL_FOLDER,
    Malloc, MallocBlock, MapiProgress, MapiProp, MapiStatus, MapiSupport, Message, MsCapabilities, MsLogon,
    MsProvider, MsgStore, Notification, OpenedEntry, OutParam, ProfSect, ProviderAdmin, ProviderShutdown,
    SpoolerLogonArgs, SpoolerNotifyData, StoreLogon, StoreLogonArgs, TransportLogonArgs, XpLogon, XpProvider,
};
use mapisim::strings::TStr;

// ---------------------------------------------------------------------------------------------
// The reference, written out by hand.
// ---------------------------------------------------------------------------------------------

/// Every interface the module must describe: name, IID in registry form, base.
const INTERFACES: &[(&str, &str, Option<&str>)] = &[
    ("IUnknown", "{00000000-0000-0000-C000-000000000046}", None),
    (
        "IMAPIProp",
        "{00020303-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IMsgStore",
        "{00020306-0000-0000-C000-000000000046}",
        Some("IMAPIProp"),
    ),
    (
        "IMSLogon",
        "{00020313-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IMSProvider",
        "{00020310-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IABProvider",
        "{00020311-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IABLogon",
        "{00020314-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IXPProvider",
        "{00020312-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IXPLogon",
        "{00020315-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IMAPISupport",
        "{0002030F-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IMAPIStatus",
        "{00020305-0000-0000-C000-000000000046}",
        Some("IMAPIProp"),
    ),
    (
        "IMessage",
        "{00020307-0000-0000-C000-000000000046}",
        Some("IMAPIProp"),
    ),
    (
        "IMAPIProviderShutdown",
        "{00020398-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IProfSect",
        "{00020304-0000-0000-C000-000000000046}",
        Some("IMAPIProp"),
    ),
    (
        "IMalloc",
        "{00000002-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IMAPIProgress",
        "{0002031F-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IMSCapabilities",
        "{00020393-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
    (
        "IProviderAdmin",
        "{00020325-0000-0000-C000-000000000046}",
        Some("IUnknown"),
    ),
];

/// The slots each interface adds to its base, with their numbers.
fn own_slots(name: &str) -> &'static [(usize, &'static str)] {
    match name {
        "IUnknown" => &[(0, "QueryInterface"), (1, "AddRef"), (2, "Release")],
        "IMAPIProp" => &[
            (3, "GetLastError"),
            (4, "SaveChanges"),
            (5, "GetProps"),
            (6, "GetPropList"),
            (7, "OpenProperty"),
            (8, "SetProps"),
            (9, "DeleteProps"),
            (10, "CopyTo"),
            (11, "CopyProps"),
            (12, "GetNamesFromIDs"),
            (13, "GetIDsFromNames"),
        ],
        // The reference (section 2.6): Shutdown first, as the header has it.
        "IABProvider" => &[(3, "Shutdown"), (4, "Logon")],
        // The reference (section 2.7).
        "IABLogon" => &[
            (3, "GetLastError"),
            (4, "Logoff"),
            (5, "OpenEntry"),
            (6, "CompareEntryIDs"),
            (7, "Advise"),
            (8, "Unadvise"),
            (9, "OpenStatusEntry"),
            (10, "OpenTemplateID"),
            (11, "GetOneOffTable"),
            (12, "PrepareRecips"),
        ],
        // The reference (section 2.8).
        "IXPProvider" => &[(3, "Shutdown"), (4, "TransportLogon")],
        // The reference (section 2.9).
        "IXPLogon" => &[
            (3, "AddressTypes"),
            (4, "RegisterOptions"),
            (5, "TransportNotify"),
            (6, "Idle"),
            (7, "TransportLogoff"),
            (8, "SubmitMessage"),
            (9, "EndMessage"),
            (10, "Poll"),
            (11, "StartMessage"),
            (12, "OpenStatusEntry"),
            (13, "ValidateState"),
            (14, "FlushQueues"),
        ],
        "IMsgStore" => &[
            (14, "Advise"),
            (15, "Unadvise"),
            (16, "CompareEntryIDs"),
            (17, "OpenEntry"),
            (18, "SetReceiveFolder"),
            (19, "GetReceiveFolder"),
            (20, "GetReceiveFolderTable"),
            (21, "StoreLogoff"),
            (22, "AbortSubmit"),
            (23, "GetOutgoingQueue"),
            (24, "SetLockState"),
            (25, "FinishedMsg"),
            (26, "NotifyNewMail"),
        ],
        "IMSLogon" => &[
            (3, "GetLastError"),
            (4, "Logoff"),
            (5, "OpenEntry"),
            (6, "CompareEntryIDs"),
            (7, "Advise"),
            (8, "Unadvise"),
            (9, "OpenStatusEntry"),
        ],
        "IMSProvider" => &[
            (3, "Shutdown"),
            (4, "Logon"),
            (5, "SpoolerLogon"),
            (6, "CompareStoreIDs"),
        ],
        "IMAPISupport" => &[
            (3, "GetLastError"),
            (4, "GetMemAllocRoutines"),
            (5, "Subscribe"),
            (6, "Unsubscribe"),
            (7, "Notify"),
            (8, "ModifyStatusRow"),
            (9, "OpenProfileSection"),
            (10, "RegisterPreprocessor"),
            (11, "NewUID"),
            (12, "MakeInvalid"),
            (13, "SpoolerYield"),
            (14, "SpoolerNotify"),
            (15, "CreateOneOff"),
            (16, "SetProviderUID"),
            (17, "CompareEntryIDs"),
            (18, "OpenTemplateID"),
            (19, "OpenEntry"),
            (20, "GetOneOffTable"),
            (21, "Address"),
            (22, "Details"),
            (23, "NewEntry"),
            (24, "DoConfigPropsheet"),
            (25, "CopyMessages"),
            (26, "CopyFolder"),
            (27, "DoCopyTo"),
            (28, "DoCopyProps"),
            (29, "DoProgressDialog"),
            (30, "ReadReceipt"),
            (31, "PrepareSubmit"),
            (32, "ExpandRecips"),
            (33, "UpdatePAB"),
            (34, "DoSentMail"),
            (35, "OpenAddressBook"),
            (36, "Preprocess"),
            (37, "CompleteMsg"),
            (38, "StoreLogoffTransports"),
            (39, "StatusRecips"),
            (40, "WrapStoreEntryID"),
            (41, "ModifyProfile"),
            (42, "IStorageFromStream"),
            (43, "GetSvcConfigSupportObj"),
        ],
        "IMAPIStatus" => &[
            (14, "ValidateState"),
            (15, "SettingsDialog"),
            (16, "ChangePassword"),
            (17, "FlushQueues"),
        ],
        "IMessage" => &[
            (14, "GetAttachmentTable"),
            (15, "OpenAttach"),
            (16, "CreateAttach"),
            (17, "DeleteAttach"),
            (18, "GetRecipientTable"),
            (19, "ModifyRecipients"),
            (20, "SubmitMessage"),
            (21, "SetReadFlag"),
        ],
        "IMAPIProviderShutdown" => &[
            (3, "QueryFastShutdown"),
            (4, "NotifyProcessShutdown"),
            (5, "DoFastShutdown"),
        ],
        // IProfSect adds nothing to IMAPIProp.
        "IProfSect" => &[],
        "IMalloc" => &[
            (3, "Alloc"),
            (4, "Realloc"),
            (5, "Free"),
            (6, "GetSize"),
            (7, "DidAlloc"),
            (8, "HeapMinimize"),
        ],
        "IMSCapabilities" => &[(3, "GetCapabilities")],
        "IProviderAdmin" => &[
            (3, "GetLastError"),
            (4, "GetProviderTable"),
            (5, "CreateProvider"),
            (6, "DeleteProvider"),
            (7, "OpenProfileSection"),
        ],
        "IMAPIProgress" => &[
            (3, "Progress"),
            (4, "GetFlags"),
            (5, "GetMax"),
            (6, "GetMin"),
            (7, "SetLimits"),
        ],
        other => panic!("no expected slots written for {other}"),
    }
}

/// The whole expected vtable: the base's, then the interface's own.
fn expected_slots(name: &str) -> Vec<(usize, &'static str)> {
    let base = INTERFACES
        .iter()
        .find(|(n, _, _)| *n == name)
        .and_then(|(_, _, base)| *base);
    let mut slots = base.map(expected_slots).unwrap_or_default();
    slots.extend_from_slice(own_slots(name));
    slots
}

/// The slots that have no Rust method yet, per interface. Empty today: adding a `None` to the
/// table (or filling one in) must be written here.
const UNIMPLEMENTED: &[(&str, &str)] = &[];

fn table(name: &str) -> &'static InterfaceTable {
    vtable::by_name(name).unwrap_or_else(|| panic!("{name} is not in spi::vtable::ALL"))
}

// ---------------------------------------------------------------------------------------------
// (a), (b), (c): IIDs, slots, numbering and bases.
// ---------------------------------------------------------------------------------------------

#[test]
fn every_interface_is_listed_once_and_nothing_else() {
    let listed: Vec<&str> = vtable::ALL.iter().map(|t| t.name).collect();
    let expected: Vec<&str> = INTERFACES.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(
        listed.iter().collect::<BTreeSet<_>>(),
        expected.iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(listed.len(), expected.len(), "an interface is listed twice");
    let iids: BTreeSet<Iid> = vtable::ALL.iter().map(|t| t.iid).collect();
    assert_eq!(iids.len(), vtable::ALL.len(), "two interfaces share an IID");
}

#[test]
fn iids_are_the_registry_values() {
    for (name, iid, _) in INTERFACES {
        let t = table(name);
        assert_eq!(t.iid.to_string(), *iid, "IID of {name}");
        assert_eq!(vtable::by_iid(&t.iid).map(|t| t.name), Some(*name));
    }
    // The same thing, as bytes in memory, for one: Data1 little-endian.
    assert_eq!(
        table("IMsgStore").iid.to_bytes_le(),
        [0x06, 0x03, 0x02, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46]
    );
}

#[test]
fn slots_are_the_reference_slots_in_order() {
    for (name, _, _) in INTERFACES {
        let got: Vec<(usize, &str)> = table(name).slots.iter().map(|s| (s.index, s.mapi)).collect();
        assert_eq!(got, expected_slots(name), "vtable of {name}");
    }
    // The totals the reference states.
    assert_eq!(table("IMAPISupport").slots.len(), 44);
    assert_eq!(table("IMsgStore").slots.len(), 27);
    assert_eq!(table("IMAPIStatus").slots.len(), 18);
    assert_eq!(table("IMessage").slots.len(), 22);
    assert_eq!(table("IProfSect").slots.len(), 14);
}

#[test]
fn slots_count_from_zero_and_derived_interfaces_start_with_their_base() {
    for t in vtable::ALL {
        for (i, s) in t.slots.iter().enumerate() {
            assert_eq!(
                s.index, i,
                "{}::{} is numbered {}, at position {i}",
                t.name, s.mapi, s.index
            );
        }
        let (_, _, base) = INTERFACES
            .iter()
            .find(|(n, _, _)| *n == t.name)
            .unwrap_or_else(|| panic!("{} is not expected", t.name));
        assert_eq!(t.base, *base, "base of {}", t.name);
        match t.base_table() {
            Some(b) => {
                assert_eq!(Some(b.name), t.base);
                assert!(
                    t.slots.len() >= b.slots.len(),
                    "{} is shorter than {}",
                    t.name,
                    b.name
                );
                // The same slots, the same Rust methods.
                assert_eq!(
                    &t.slots[..b.slots.len()],
                    b.slots,
                    "{} does not start with {}",
                    t.name,
                    b.name
                );
                assert_eq!(t.own_slots(), &t.slots[b.slots.len()..]);
            }
            None => {
                assert_eq!(t.name, "IUnknown", "only IUnknown has no base");
                assert_eq!(t.own_slots(), t.slots);
            }
        }
        // Every vtable starts with IUnknown's.
        let unknown: Vec<&str> = t.slots.iter().take(3).map(|s| s.mapi).collect();
        assert_eq!(unknown, ["QueryInterface", "AddRef", "Release"], "{}", t.name);
    }
}

#[test]
fn rust_methods_belong_to_the_interface_or_its_bases() {
    for t in vtable::ALL {
        let mut traits = vec![t.rust_trait];
        let mut base = t.base_table();
        while let Some(b) = base {
            traits.push(b.rust_trait);
            base = b.base_table();
        }
        for s in t.slots {
            let Some(rust) = s.rust else { continue };
            let owner = match rust {
                "Ref::query_interface" | "Clone for Ref" | "Drop for Ref" => "Unknown",
                _ => rust.split("::").next().unwrap_or_default(),
            };
            assert!(
                traits.contains(&owner),
                "{}::{} is {rust}, not a method of {traits:?}",
                t.name,
                s.mapi
            );
        }
    }
}

/// The Rust name of a MAPI method: snake case, acronyms as words (`GetIDsFromNames` is
/// `get_ids_from_names`, `NewUID` is `new_uid`).
fn snake(mapi: &str) -> String {
    let words = mapi
        .replace("IStorage", "Istorage")
        .replace("IDs", "Ids")
        .replace("UID", "Uid")
        .replace("ID", "Id")
        .replace("PAB", "Pab");
    let mut out = String::new();
    for (i, c) in words.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[test]
fn each_slot_names_the_rust_method_of_its_mapi_method() {
    assert_eq!(snake("GetIDsFromNames"), "get_ids_from_names");
    assert_eq!(snake("SetProviderUID"), "set_provider_uid");
    assert_eq!(snake("IStorageFromStream"), "istorage_from_stream");
    for t in vtable::ALL {
        for s in t.slots {
            let Some(rust) = s.rust else { continue };
            let expected = match s.mapi {
                "AddRef" => "Clone for Ref".to_owned(),
                "Release" => "Drop for Ref".to_owned(),
                "QueryInterface" => "Ref::query_interface".to_owned(),
                mapi => {
                    let owner = rust.split("::").next().unwrap_or_default();
                    format!("{owner}::{}", snake(mapi))
                }
            };
            assert_eq!(rust, expected, "{}::{} (slot {})", t.name, s.mapi, s.index);
        }
    }
}

#[test]
fn the_slots_without_a_rust_method_are_the_listed_ones() {
    let missing: Vec<(&str, &str)> = vtable::ALL
        .iter()
        .flat_map(|t| t.unimplemented().map(move |s| (t.name, s.mapi)))
        .collect();
    assert_eq!(missing, UNIMPLEMENTED);
}

#[test]
fn interface_iids_of_the_traits_are_the_tables() {
    fn check<I: ?Sized + Interface>(name: &str, rust_trait: &str) {
        let t = table(name);
        assert_eq!(I::IID, t.iid, "Interface::IID of dyn {rust_trait}");
        assert_eq!(t.rust_trait, rust_trait, "Rust trait of {name}");
        if name != "IUnknown" {
            assert_eq!(I::KIND.name(), name, "InterfaceKind of dyn {rust_trait}");
        }
    }
    check::<dyn Unknown>("IUnknown", "Unknown");
    check::<dyn MapiProp>("IMAPIProp", "MapiProp");
    check::<dyn MsgStore>("IMsgStore", "MsgStore");
    check::<dyn MsLogon>("IMSLogon", "MsLogon");
    check::<dyn MsProvider>("IMSProvider", "MsProvider");
    check::<dyn AbProvider>("IABProvider", "AbProvider");
    check::<dyn AbLogon>("IABLogon", "AbLogon");
    check::<dyn XpProvider>("IXPProvider", "XpProvider");
    check::<dyn XpLogon>("IXPLogon", "XpLogon");
    check::<dyn MapiSupport>("IMAPISupport", "MapiSupport");
    check::<dyn MapiStatus>("IMAPIStatus", "MapiStatus");
    check::<dyn Message>("IMessage", "Message");
    check::<dyn ProviderShutdown>("IMAPIProviderShutdown", "ProviderShutdown");
    check::<dyn ProfSect>("IProfSect", "ProfSect");
    check::<dyn Malloc>("IMalloc", "Malloc");
    check::<dyn MapiProgress>("IMAPIProgress", "MapiProgress");
    check::<dyn MsCapabilities>("IMSCapabilities", "MsCapabilities");
    check::<dyn ProviderAdmin>("IProviderAdmin", "ProviderAdmin");
    assert_eq!(InterfaceKind::MsCapabilities.iid(), Some(Iid::IMSCAPABILITIES));
    // The new kinds carry their IIDs.
    assert_eq!(
        InterfaceKind::ProviderShutdown.iid(),
        Some(Iid::IMAPIPROVIDERSHUTDOWN)
    );
    assert_eq!(InterfaceKind::MapiProgress.iid(), Some(Iid::IMAPIPROGRESS));
    assert_eq!(InterfaceKind::MapiStatus.iid(), Some(Iid::IMAPISTATUS));
    assert_eq!(InterfaceKind::Message.iid(), Some(Iid::IMESSAGE));
}

// ---------------------------------------------------------------------------------------------
// (d): every Rust method named in the table, called.
// ---------------------------------------------------------------------------------------------

/// What a call gave: a short description of its value, or its error.
type Outcome = Result<String, MapiError>;

fn out<T>(result: MapiResult<T>) -> Outcome {
    result.map(|_| "a value".to_owned())
}

/// What the minimal implementors' required methods return, to tell them from a default.
const MINE: MapiError = MapiError::CallFailed;

struct Prop;
impl MapiProp for Prop {}

struct Store;
impl MapiProp for Store {}
impl MsgStore for Store {
    fn store_logoff(&self, _: LogoffFlags) -> MapiResult<LogoffFlags> {
        Err(MINE)
    }
}

struct Logon;
impl MsLogon for Logon {
    fn logoff(&self, _: u32) -> MapiResult<()> {
        Err(MINE)
    }
}

struct Provider;
impl MsProvider for Provider {
    fn shutdown(&self, _: u32) -> MapiResult<()> {
        Err(MINE)
    }
    fn logon(&self, _: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        Err(MINE)
    }
    fn spooler_logon(&self, _: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        Err(MINE)
    }
    fn compare_store_ids(&self, _: &[u8], _: &[u8], _: u32) -> MapiResult<bool> {
        Err(MINE)
    }
}
impl ProviderShutdown for Provider {}

struct AbProv;
impl AbProvider for AbProv {
    fn shutdown(&self, _: u32) -> MapiResult<()> {
        Err(MINE)
    }
    fn logon(&self, _: &AbLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn AbLogon>>> {
        Err(MINE)
    }
}

struct AbLog;
impl AbLogon for AbLog {
    fn logoff(&self, _: u32) -> MapiResult<()> {
        Err(MINE)
    }
}

struct XpProv;
impl XpProvider for XpProv {
    fn shutdown(&self, _: u32) -> MapiResult<()> {
        Err(MINE)
    }
    fn transport_logon(&self, _: &TransportLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn XpLogon>>> {
        Err(MINE)
    }
}

struct XpLog;
impl XpLogon for XpLog {
    fn address_types(&self) -> MapiResult<AddressTypes> {
        Err(MINE)
    }
    fn transport_logoff(&self, _: TransportLogoffFlags) -> MapiResult<()> {
        Err(MINE)
    }
}

struct Support;
impl MapiSupport for Support {}

struct Admin;
impl ProviderAdmin for Admin {
    fn get_provider_table(&self, _: u32) -> MapiResult<Vec<Vec<mapisim::props::Prop>>> {
        Err(MINE)
    }
    fn open_profile_section(
        &self,
        _: Option<&MapiUid>,
        _: Option<&Iid>,
        _: ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        Err(MINE)
    }
}

struct Status;
impl MapiProp for Status {}
impl MapiStatus for Status {}

struct Msg;
impl MapiProp for Msg {}
impl Message for Msg {}

struct Section;
impl MapiProp for Section {}
impl ProfSect for Section {
    fn uid(&self) -> MapiUid {
        MapiUid::from_bytes([9; 16])
    }
}

struct Progress;
impl MapiProgress for Progress {}

struct Capabilities;
impl MsCapabilities for Capabilities {}

struct Sink;
impl AdviseSink for Sink {
    fn on_notify(&self, _: &[Notification]) -> u32 {
        0
    }
}

/// An allocator that owns one block, 7, of 3 bytes.
struct OneBlock;
impl Malloc for OneBlock {
    fn alloc(&self, size: usize) -> Option<MallocBlock> {
        (size == 3).then_some(MallocBlock(7))
    }
    fn realloc(&self, _: Option<MallocBlock>, _: usize) -> Option<MallocBlock> {
        None
    }
    fn free(&self, _: Option<MallocBlock>) {}
    fn get_size(&self, block: MallocBlock) -> Option<usize> {
        (block == MallocBlock(7)).then_some(3)
    }
}

/// The arguments the calls take.
struct Args {
    uid: MapiUid,
    tags: Vec<PropTag>,
    names: Vec<NameId>,
    set: uuid::Uuid,
    pw_old: Vec<u16>,
    pw_new: Vec<u16>,
    notification: Notification,
}

/// The objects the calls are made on, and the arguments they take.
struct Fixture {
    args: Args,
    prop: Ref<dyn MapiProp>,
    store: Ref<dyn MsgStore>,
    logon: Ref<dyn MsLogon>,
    provider: Ref<dyn MsProvider>,
    ab_provider: Ref<dyn AbProvider>,
    ab_logon: Ref<dyn AbLogon>,
    xp_provider: Ref<dyn XpProvider>,
    xp_logon: Ref<dyn XpLogon>,
    shutdown: Ref<dyn ProviderShutdown>,
    support: Ref<dyn MapiSupport>,
    admin: Ref<dyn ProviderAdmin>,
    status: Ref<dyn MapiStatus>,
    message: Ref<dyn Message>,
    section: Ref<dyn ProfSect>,
    progress: Ref<dyn MapiProgress>,
    capabilities: Ref<dyn MsCapabilities>,
    malloc: Ref<dyn Malloc>,
    sink: Ref<dyn AdviseSink>,
    unknown: Ref<dyn Unknown>,
}

impl Fixture {
    fn new() -> Fixture {
        let provider = Ref::new(Provider);
        provider.expose::<dyn ProviderShutdown>();
        let shutdown = provider
            .unknown()
            .query::<dyn ProviderShutdown>()
            .expect("the provider exposes IMAPIProviderShutdown");
        let prop: Ref<dyn MapiProp> = Ref::new(Prop).into();
        let unknown = prop.unknown();
        Fixture {
            args: Args {
                uid: MapiUid::from_bytes([1; 16]),
                tags: vec![PropTag(0x3001_001F)],
                names: vec![NameId::with_id(uuid::Uuid::nil(), 0x8501)],
                set: uuid::Uuid::nil(),
                pw_old: vec![0x0061],
                pw_new: vec![0x0062],
                notification: Notification::extended(1, Vec::new()),
            },
            prop,
            store: Ref::new(Store).into(),
            logon: Ref::new(Logon).into(),
            provider: provider.into(),
            ab_provider: Ref::new(AbProv).into(),
            ab_logon: Ref::new(AbLog).into(),
            xp_provider: Ref::new(XpProv).into(),
            xp_logon: Ref::new(XpLog).into(),
            shutdown,
            support: Ref::new(Support).into(),
            admin: Ref::new(Admin).into(),
            status: Ref::new(Status).into(),
            message: Ref::new(Msg).into(),
            section: Ref::new(Section).into(),
            progress: Ref::new(Progress).into(),
            capabilities: Ref::new(Capabilities).into(),
            malloc: Ref::new(OneBlock).into(),
            sink: Ref::new(Sink).into(),
            unknown,
        }
    }

    /// Every Rust method the table may name, each with a call.
    #[allow(clippy::type_complexity)]
    fn calls(&self) -> Vec<(&'static str, Box<dyn Fn() -> Outcome + '_>)> {
        let a = &self.args;
        let v: Vec<(&'static str, Box<dyn Fn() -> Outcome + '_>)> = vec![
            // IUnknown: Ref's own.
            (
                "Ref::query_interface",
                Box::new(move || {
                    let again = self.store.query_interface(&Iid::IMAPIPROP)?;
                    Ok(format!("same object: {}", again.key() == self.store.key()))
                }),
            ),
            (
                "Clone for Ref",
                Box::new(move || {
                    let before = self.store.ref_count();
                    let extra = self.store.clone();
                    let after = extra.ref_count();
                    Ok(format!("AddRef: {before} -> {after}"))
                }),
            ),
            (
                "Drop for Ref",
                Box::new(move || {
                    let extra = self.store.clone();
                    let before = self.store.ref_count();
                    drop(extra);
                    Ok(format!("Release: {before} -> {}", self.store.ref_count()))
                }),
            ),
            // IMAPIProp.
            (
                "MapiProp::get_last_error",
                Box::new(move || out(self.prop.get_last_error(MapiError::CallFailed, 0))),
            ),
            (
                "MapiProp::save_changes",
                Box::new(move || out(self.prop.save_changes(0))),
            ),
            (
                "MapiProp::get_props",
                Box::new(move || out(self.prop.get_props(Some(&a.tags), 0))),
            ),
            (
                "MapiProp::get_prop_list",
                Box::new(move || out(self.prop.get_prop_list(0))),
            ),
            (
                "MapiProp::open_property",
                Box::new(move || out(self.prop.open_property(a.tags[0], &Iid::IUNKNOWN, 0, 0))),
            ),
            (
                "MapiProp::set_props",
                Box::new(move || out(self.prop.set_props(&[]))),
            ),
            (
                "MapiProp::delete_props",
                Box::new(move || out(self.prop.delete_props(&a.tags))),
            ),
            (
                "MapiProp::copy_to",
                Box::new(move || {
                    out(self.prop.copy_to(
                        &[Iid::IMESSAGE],
                        Some(&a.tags),
                        0,
                        Some(&self.progress),
                        &Iid::IMAPIPROP,
                        &self.unknown,
                        0,
                    ))
                }),
            ),
            (
                "MapiProp::copy_props",
                Box::new(move || {
                    out(self
                        .prop
                        .copy_props(&a.tags, 0, None, &Iid::IMAPIPROP, &self.unknown, 0))
                }),
            ),
            (
                "MapiProp::get_names_from_ids",
                Box::new(move || out(self.prop.get_names_from_ids(Some(&a.tags), Some(&a.set), 0))),
            ),
            (
                "MapiProp::get_ids_from_names",
                Box::new(move || out(self.prop.get_ids_from_names(Some(&a.names), 0))),
            ),
            // IMsgStore.
            (
                "MsgStore::advise",
                Box::new(move || out(self.store.advise(None, EventMask::empty(), &self.sink))),
            ),
            (
                "MsgStore::unadvise",
                Box::new(move || out(self.store.unadvise(1))),
            ),
            (
                "MsgStore::compare_entry_ids",
                Box::new(move || out(self.store.compare_entry_ids(b"a", b"a", 0))),
            ),
            (
                "MsgStore::open_entry",
                Box::new(move || out(self.store.open_entry(None, None, 0))),
            ),
            (
                "MsgStore::set_receive_folder",
                Box::new(move || out(self.store.set_receive_folder(TStr::ansi(b"IPM"), 0, b"folder"))),
            ),
            (
                "MsgStore::get_receive_folder",
                Box::new(move || out(self.store.get_receive_folder(TStr::ansi(b"IPM"), 0))),
            ),
            (
                "MsgStore::get_receive_folder_table",
                Box::new(move || out(self.store.get_receive_folder_table(0))),
            ),
            (
                "MsgStore::store_logoff",
                Box::new(move || out(self.store.store_logoff(LogoffFlags::ORDERLY))),
            ),
            (
                "MsgStore::abort_submit",
                Box::new(move || out(self.store.abort_submit(b"msg", 0))),
            ),
            (
                "MsgStore::get_outgoing_queue",
                Box::new(move || out(self.store.get_outgoing_queue(0))),
            ),
            (
                "MsgStore::set_lock_state",
                Box::new(move || out(self.store.set_lock_state(&self.prop, LockState::Locked))),
            ),
            (
                "MsgStore::finished_msg",
                Box::new(move || out(self.store.finished_msg(0, b"msg"))),
            ),
            (
                "MsgStore::notify_new_mail",
                Box::new(move || out(self.store.notify_new_mail(&a.notification))),
            ),
            // IMSLogon.
            (
                "MsLogon::get_last_error",
                Box::new(move || out(self.logon.get_last_error(MapiError::CallFailed, 0))),
            ),
            ("MsLogon::logoff", Box::new(move || out(self.logon.logoff(0)))),
            (
                "MsLogon::open_entry",
                Box::new(move || out(self.logon.open_entry(b"id", None, 0))),
            ),
            (
                "MsLogon::compare_entry_ids",
                Box::new(move || out(self.logon.compare_entry_ids(b"a", b"b", 0))),
            ),
            (
                "MsLogon::advise",
                Box::new(move || out(self.logon.advise(None, EventMask::empty(), &self.sink))),
            ),
            ("MsLogon::unadvise", Box::new(move || out(self.logon.unadvise(1)))),
            (
                "MsLogon::open_status_entry",
                Box::new(move || out(self.logon.open_status_entry(None, 0))),
            ),
            // IMSProvider.
            (
                "MsProvider::shutdown",
                Box::new(move || out(self.provider.shutdown(0))),
            ),
            (
                "MsProvider::logon",
                Box::new(move || {
                    out(self.provider.logon(&StoreLogonArgs {
                        support: &self.support,
                        ui_param: 0,
                        profile_name: TStr::ansi(b"Default"),
                        entry_id: None,
                        flags: StoreLogonFlags::empty(),
                        interface: None,
                        mapi_error: &OutParam::new(),
                    }))
                }),
            ),
            (
                "MsProvider::spooler_logon",
                Box::new(move || {
                    out(self.provider.spooler_logon(&SpoolerLogonArgs {
                        support: &self.support,
                        ui_param: 0,
                        profile_name: TStr::ansi(b"Default"),
                        entry_id: None,
                        flags: SpoolerLogonFlags::empty(),
                        interface: None,
                        spool_security: &[],
                        mapi_error: &OutParam::new(),
                    }))
                }),
            ),
            (
                "MsProvider::compare_store_ids",
                Box::new(move || out(self.provider.compare_store_ids(b"a", b"a", 0))),
            ),
            // IABProvider.
            (
                "AbProvider::shutdown",
                Box::new(move || out(self.ab_provider.shutdown(0))),
            ),
            (
                "AbProvider::logon",
                Box::new(move || {
                    out(self.ab_provider.logon(&AbLogonArgs {
                        support: &self.support,
                        ui_param: 0,
                        profile_name: TStr::ansi(b"Default"),
                        flags: AbLogonFlags::empty(),
                        security: &InOut::new(AbSecurity {
                            size: 4,
                            address: 0x1000,
                        }),
                        mapi_error: &OutParam::new(),
                    }))
                }),
            ),
            // IABLogon.
            (
                "AbLogon::get_last_error",
                Box::new(move || out(self.ab_logon.get_last_error(MapiError::CallFailed, 0))),
            ),
            ("AbLogon::logoff", Box::new(move || out(self.ab_logon.logoff(0)))),
            (
                "AbLogon::open_entry",
                Box::new(move || out(self.ab_logon.open_entry(b"", None, 0))),
            ),
            (
                "AbLogon::compare_entry_ids",
                Box::new(move || out(self.ab_logon.compare_entry_ids(b"a", b"b", 0))),
            ),
            (
                "AbLogon::advise",
                Box::new(move || out(self.ab_logon.advise(b"id", EventMask::empty(), &self.sink))),
            ),
            (
                "AbLogon::unadvise",
                Box::new(move || out(self.ab_logon.unadvise(1))),
            ),
            (
                "AbLogon::open_status_entry",
                Box::new(move || out(self.ab_logon.open_status_entry(None, 0))),
            ),
            (
                "AbLogon::open_template_id",
                Box::new(move || {
                    out(self
                        .ab_logon
                        .open_template_id(b"template", 1, &self.prop, None, None))
                }),
            ),
            (
                "AbLogon::get_one_off_table",
                Box::new(move || out(self.ab_logon.get_one_off_table(0))),
            ),
            (
                "AbLogon::prepare_recips",
                Box::new(move || out(self.ab_logon.prepare_recips(0, &a.tags, &mut Vec::new()))),
            ),
            // IXPProvider.
            (
                "XpProvider::shutdown",
                Box::new(move || out(self.xp_provider.shutdown(0))),
            ),
            (
                "XpProvider::transport_logon",
                Box::new(move || {
                    out(self.xp_provider.transport_logon(&TransportLogonArgs {
                        support: &self.support,
                        ui_param: 0,
                        profile_name: TStr::ansi(b"Default"),
                        flags: &InOut::new(XpLogonFlags::NO_INBOUND | XpLogonFlags::NO_OUTBOUND),
                        mapi_error: &OutParam::new(),
                    }))
                }),
            ),
            // IXPLogon.
            (
                "XpLogon::address_types",
                Box::new(move || out(self.xp_logon.address_types())),
            ),
            (
                "XpLogon::register_options",
                Box::new(move || out(self.xp_logon.register_options(&InOut::new(0)))),
            ),
            (
                "XpLogon::transport_notify",
                Box::new(move || {
                    out(self
                        .xp_logon
                        .transport_notify(&InOut::new(TransportNotifyFlags::BEGIN_OUTBOUND), &InOut::new(0)))
                }),
            ),
            ("XpLogon::idle", Box::new(move || out(self.xp_logon.idle(0)))),
            (
                "XpLogon::transport_logoff",
                Box::new(move || out(self.xp_logon.transport_logoff(TransportLogoffFlags::empty()))),
            ),
            (
                "XpLogon::submit_message",
                Box::new(move || out(self.xp_logon.submit_message(0, &self.prop, &OutParam::new()))),
            ),
            (
                "XpLogon::end_message",
                Box::new(move || out(self.xp_logon.end_message(1))),
            ),
            ("XpLogon::poll", Box::new(move || out(self.xp_logon.poll()))),
            (
                "XpLogon::start_message",
                Box::new(move || out(self.xp_logon.start_message(0, &self.prop))),
            ),
            (
                "XpLogon::open_status_entry",
                Box::new(move || out(self.xp_logon.open_status_entry(None, 0))),
            ),
            (
                "XpLogon::validate_state",
                Box::new(move || out(self.xp_logon.validate_state(0, 0))),
            ),
            (
                "XpLogon::flush_queues",
                Box::new(move || out(self.xp_logon.flush_queues(0, &[], FlushQueuesFlags::empty()))),
            ),
            // IProviderAdmin.
            (
                "ProviderAdmin::get_last_error",
                Box::new(move || out(self.admin.get_last_error(MapiError::CallFailed, 0))),
            ),
            (
                "ProviderAdmin::get_provider_table",
                Box::new(move || out(self.admin.get_provider_table(0))),
            ),
            (
                "ProviderAdmin::create_provider",
                Box::new(move || out(self.admin.create_provider(TStr::ansi(b"MSGSTORE"), &[], 0, 0))),
            ),
            (
                "ProviderAdmin::delete_provider",
                Box::new(move || out(self.admin.delete_provider(&self.args.uid))),
            ),
            (
                "ProviderAdmin::open_profile_section",
                Box::new(move || {
                    out(self
                        .admin
                        .open_profile_section(None, None, ProfileSectionFlags::empty()))
                }),
            ),
            // IMAPISupport.
            (
                "MapiSupport::get_last_error",
                Box::new(move || out(self.support.get_last_error(MapiError::CallFailed, 0))),
            ),
            (
                "MapiSupport::get_mem_alloc_routines",
                Box::new(move || out(self.support.get_mem_alloc_routines())),
            ),
            (
                "MapiSupport::subscribe",
                Box::new(move || {
                    out(self.support.subscribe(
                        b"key",
                        EventMask::empty(),
                        SubscribeFlags::empty(),
                        &self.sink,
                    ))
                }),
            ),
            (
                "MapiSupport::unsubscribe",
                Box::new(move || out(self.support.unsubscribe(1))),
            ),
            (
                "MapiSupport::notify",
                Box::new(move || {
                    out(self
                        .support
                        .notify(b"key", std::slice::from_ref(&a.notification), 0))
                }),
            ),
            (
                "MapiSupport::modify_status_row",
                Box::new(move || out(self.support.modify_status_row(&[], StatusRowFlags::empty()))),
            ),
            (
                "MapiSupport::open_profile_section",
                Box::new(move || {
                    out(self
                        .support
                        .open_profile_section(None, ProfileSectionFlags::empty()))
                }),
            ),
            (
                "MapiSupport::register_preprocessor",
                Box::new(move || {
                    out(self.support.register_preprocessor(
                        Some(&a.uid),
                        Some(TStr::ansi(b"SMTP")),
                        TStr::ansi(b"PRE.DLL"),
                        Some(b"Pre"),
                        Some(b"Remove"),
                        0,
                    ))
                }),
            ),
            (
                "MapiSupport::new_uid",
                Box::new(move || out(self.support.new_uid())),
            ),
            (
                "MapiSupport::make_invalid",
                Box::new(move || out(self.support.make_invalid(0, &self.unknown, 1, 3))),
            ),
            (
                "MapiSupport::spooler_yield",
                Box::new(move || out(self.support.spooler_yield(0))),
            ),
            (
                "MapiSupport::spooler_notify",
                Box::new(move || {
                    out(self
                        .support
                        .spooler_notify(SpoolerNotifyFlags::empty(), SpoolerNotifyData::Null))
                }),
            ),
            (
                "MapiSupport::create_one_off",
                Box::new(move || {
                    out(self.support.create_one_off(
                        Some(TStr::ansi(b"Name")),
                        TStr::ansi(b"SMTP"),
                        TStr::ansi(b"a@b"),
                        0,
                    ))
                }),
            ),
            (
                "MapiSupport::set_provider_uid",
                Box::new(move || out(self.support.set_provider_uid(&a.uid, 0))),
            ),
            (
                "MapiSupport::compare_entry_ids",
                Box::new(move || out(self.support.compare_entry_ids(b"a", b"b", 0))),
            ),
            (
                "MapiSupport::open_template_id",
                Box::new(move || out(self.support.open_template_id(b"tpl", 0, &self.prop, None, None))),
            ),
            (
                "MapiSupport::open_entry",
                Box::new(move || out(self.support.open_entry(b"id", None, 0))),
            ),
            (
                "MapiSupport::get_one_off_table",
                Box::new(move || out(self.support.get_one_off_table(0))),
            ),
            (
                "MapiSupport::address",
                Box::new(move || {
                    out(self
                        .support
                        .address(&mut 0, &mut AdrParm::default(), &mut Vec::new()))
                }),
            ),
            (
                "MapiSupport::details",
                Box::new(move || {
                    out(self
                        .support
                        .details(&mut 0, None, None, b"id", None, None, None, 0))
                }),
            ),
            (
                "MapiSupport::new_entry",
                Box::new(move || out(self.support.new_entry(0, 0, Some(b"c"), Some(b"t")))),
            ),
            (
                "MapiSupport::do_config_propsheet",
                Box::new(move || {
                    out(self.support.do_config_propsheet(
                        0,
                        0,
                        TStr::ansi(b"Title"),
                        &self.unknown,
                        &self.prop,
                        0,
                    ))
                }),
            ),
            (
                "MapiSupport::copy_messages",
                Box::new(move || {
                    out(self.support.copy_messages(
                        &Iid::IMAPIFOLDER,
                        &self.unknown,
                        &[b"m".to_vec()],
                        &Iid::IMAPIFOLDER,
                        &self.unknown,
                        0,
                        Some(&self.progress),
                        0,
                    ))
                }),
            ),
            (
                "MapiSupport::copy_folder",
                Box::new(move || {
                    out(self.support.copy_folder(
                        &Iid::IMAPIFOLDER,
                        &self.unknown,
                        b"f",
                        None,
                        &self.unknown,
                        Some(TStr::ansi(b"New")),
                        0,
                        Some(&self.progress),
                        0,
                    ))
                }),
            ),
            (
                "MapiSupport::do_copy_to",
                Box::new(move || {
                    out(self.support.do_copy_to(
                        &Iid::IMESSAGE,
                        &self.unknown,
                        &[Iid::IATTACHMENT],
                        Some(&a.tags),
                        0,
                        Some(&self.progress),
                        &Iid::IMESSAGE,
                        &self.unknown,
                        0,
                    ))
                }),
            ),
            (
                "MapiSupport::do_copy_props",
                Box::new(move || {
                    out(self.support.do_copy_props(
                        &Iid::IMESSAGE,
                        &self.unknown,
                        &a.tags,
                        0,
                        Some(&self.progress),
                        &Iid::IMESSAGE,
                        &self.unknown,
                        0,
                    ))
                }),
            ),
            (
                "MapiSupport::do_progress_dialog",
                Box::new(move || out(self.support.do_progress_dialog(0, 0))),
            ),
            (
                "MapiSupport::read_receipt",
                Box::new(move || {
                    out(self
                        .support
                        .read_receipt(ReadReceiptFlags::empty(), &self.prop, Some(&self.prop)))
                }),
            ),
            (
                "MapiSupport::prepare_submit",
                Box::new(move || out(self.support.prepare_submit(&self.prop, 0))),
            ),
            (
                "MapiSupport::expand_recips",
                Box::new(move || out(self.support.expand_recips(&self.prop, 0))),
            ),
            (
                "MapiSupport::update_pab",
                Box::new(move || out(self.support.update_pab(0, &self.prop))),
            ),
            (
                "MapiSupport::do_sent_mail",
                Box::new(move || out(self.support.do_sent_mail(0, &self.prop))),
            ),
            (
                "MapiSupport::open_address_book",
                Box::new(move || out(self.support.open_address_book(None, 0))),
            ),
            (
                "MapiSupport::preprocess",
                Box::new(move || out(self.support.preprocess(0, b"id"))),
            ),
            (
                "MapiSupport::complete_msg",
                Box::new(move || out(self.support.complete_msg(0, b"id"))),
            ),
            (
                "MapiSupport::store_logoff_transports",
                Box::new(move || out(self.support.store_logoff_transports(LogoffFlags::ORDERLY))),
            ),
            (
                "MapiSupport::status_recips",
                Box::new(move || out(self.support.status_recips(&self.prop, &[]))),
            ),
            (
                "MapiSupport::wrap_store_entry_id",
                Box::new(move || out(self.support.wrap_store_entry_id(b"store"))),
            ),
            (
                "MapiSupport::modify_profile",
                Box::new(move || out(self.support.modify_profile(0))),
            ),
            (
                "MapiSupport::istorage_from_stream",
                Box::new(move || {
                    out(self.support.istorage_from_stream(
                        &self.unknown,
                        None,
                        StorageFromStreamFlags::empty(),
                    ))
                }),
            ),
            (
                "MapiSupport::get_svc_config_support_obj",
                Box::new(move || out(self.support.get_svc_config_support_obj(0))),
            ),
            // IMAPIStatus.
            (
                "MapiStatus::validate_state",
                Box::new(move || out(self.status.validate_state(0, 0))),
            ),
            (
                "MapiStatus::settings_dialog",
                Box::new(move || out(self.status.settings_dialog(0, 0))),
            ),
            (
                "MapiStatus::change_password",
                Box::new(move || {
                    out(self
                        .status
                        .change_password(TStr::wide(&a.pw_old), TStr::wide(&a.pw_new), 0))
                }),
            ),
            (
                "MapiStatus::flush_queues",
                Box::new(move || out(self.status.flush_queues(0, Some(b"xp"), 0))),
            ),
            // IMessage.
            (
                "Message::get_attachment_table",
                Box::new(move || out(self.message.get_attachment_table(0))),
            ),
            (
                "Message::open_attach",
                Box::new(move || out(self.message.open_attach(0, None, 0))),
            ),
            (
                "Message::create_attach",
                Box::new(move || out(self.message.create_attach(Some(Iid::IATTACHMENT), 0))),
            ),
            (
                "Message::delete_attach",
                Box::new(move || out(self.message.delete_attach(0, 0, Some(&self.progress), 0))),
            ),
            (
                "Message::get_recipient_table",
                Box::new(move || out(self.message.get_recipient_table(0))),
            ),
            (
                "Message::modify_recipients",
                Box::new(move || out(self.message.modify_recipients(0x2, &[Vec::new()]))),
            ),
            (
                "Message::submit_message",
                Box::new(move || out(self.message.submit_message(0))),
            ),
            (
                "Message::set_read_flag",
                Box::new(move || out(self.message.set_read_flag(0))),
            ),
            // IMAPIProviderShutdown.
            (
                "ProviderShutdown::query_fast_shutdown",
                Box::new(move || out(self.shutdown.query_fast_shutdown())),
            ),
            (
                "ProviderShutdown::notify_process_shutdown",
                Box::new(move || out(self.shutdown.notify_process_shutdown())),
            ),
            (
                "ProviderShutdown::do_fast_shutdown",
                Box::new(move || out(self.shutdown.do_fast_shutdown())),
            ),
            // IMalloc: required methods, and two defaults that are not MAPI_E_NO_SUPPORT.
            (
                "Malloc::alloc",
                Box::new(move || Ok(format!("{:?}", self.malloc.alloc(3)))),
            ),
            (
                "Malloc::realloc",
                Box::new(move || Ok(format!("{:?}", self.malloc.realloc(None, 3)))),
            ),
            (
                "Malloc::free",
                Box::new(move || {
                    self.malloc.free(Some(MallocBlock(7)));
                    Ok("freed".to_owned())
                }),
            ),
            (
                "Malloc::get_size",
                Box::new(move || Ok(format!("{:?}", self.malloc.get_size(MallocBlock(7))))),
            ),
            (
                "Malloc::did_alloc",
                Box::new(move || {
                    Ok(format!(
                        "{} {}",
                        self.malloc.did_alloc(MallocBlock(7)),
                        self.malloc.did_alloc(MallocBlock(8))
                    ))
                }),
            ),
            (
                "Malloc::heap_minimize",
                Box::new(move || {
                    self.malloc.heap_minimize();
                    Ok("minimized".to_owned())
                }),
            ),
            // IMAPIProgress.
            (
                "MapiProgress::progress",
                Box::new(move || out(self.progress.progress(1, 1, 2))),
            ),
            (
                "MapiProgress::get_flags",
                Box::new(move || out(self.progress.get_flags())),
            ),
            (
                "MapiProgress::get_max",
                Box::new(move || out(self.progress.get_max())),
            ),
            (
                "MapiProgress::get_min",
                Box::new(move || out(self.progress.get_min())),
            ),
            (
                "MapiProgress::set_limits",
                Box::new(move || out(self.progress.set_limits(Some(1), Some(1000), None))),
            ),
            // IMSCapabilities: a ULONG, 0 for no capability.
            (
                "MsCapabilities::get_capabilities",
                Box::new(move || Ok(self.capabilities.get_capabilities(MSCAP_SEL_FOLDER).to_string())),
            ),
        ];
        v
    }
}

/// What each call must give: `MAPI_E_NO_SUPPORT`, except for these.
fn expected_outcome(name: &str) -> Outcome {
    match name {
        "Ref::query_interface" => Ok("same object: true".to_owned()),
        "Clone for Ref" => Ok("AddRef: 1 -> 2".to_owned()),
        "Drop for Ref" => Ok("Release: 2 -> 1".to_owned()),
        // Required methods: the minimal implementor's own answer.
        "MsgStore::store_logoff"
        | "MsLogon::logoff"
        | "MsProvider::shutdown"
        | "MsProvider::logon"
        | "MsProvider::spooler_logon"
        | "MsProvider::compare_store_ids"
        | "AbProvider::shutdown"
        | "AbProvider::logon"
        | "AbLogon::logoff"
        | "XpProvider::shutdown"
        | "XpProvider::transport_logon"
        | "XpLogon::address_types"
        | "XpLogon::transport_logoff"
        | "ProviderAdmin::get_provider_table"
        | "ProviderAdmin::open_profile_section" => Err(MINE),
        "Malloc::alloc" => Ok("Some(MallocBlock(7))".to_owned()),
        "Malloc::realloc" => Ok("None".to_owned()),
        "Malloc::free" => Ok("freed".to_owned()),
        "Malloc::get_size" => Ok("Some(3)".to_owned()),
        // Defaults that are not MAPI_E_NO_SUPPORT: DidAlloc asks GetSize, HeapMinimize does nothing.
        "Malloc::did_alloc" => Ok("true false".to_owned()),
        "Malloc::heap_minimize" => Ok("minimized".to_owned()),
        "MsCapabilities::get_capabilities" => Ok("0".to_owned()),
        _ => Err(MapiError::NoSupport),
    }
}

#[test]
fn every_rust_method_of_the_table_is_callable_and_defaults_to_no_support() {
    let fixture = Fixture::new();
    let calls = fixture.calls();
    let by_name: BTreeMap<&str, &(dyn Fn() -> Outcome + '_)> =
        calls.iter().map(|(name, call)| (*name, call.as_ref())).collect();
    assert_eq!(by_name.len(), calls.len(), "a method is called twice in the test");

    let named: BTreeSet<&str> = vtable::ALL
        .iter()
        .flat_map(|t| t.slots.iter().filter_map(|s| s.rust))
        .collect();
    let called: BTreeSet<&str> = by_name.keys().copied().collect();
    assert_eq!(
        named.difference(&called).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "named by the table, never called here"
    );
    assert_eq!(
        called.difference(&named).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "called here, named by no slot"
    );

    for (name, call) in &by_name {
        assert_eq!(call(), expected_outcome(name), "{name}");
    }
}

#[test]
fn derived_objects_answer_the_base_methods_with_the_defaults_too() {
    // The IMAPIProp slots of IMsgStore, IMAPIStatus, IMessage and IProfSect, through each.
    let f = Fixture::new();
    let bases: [(&str, Ref<dyn MapiProp>); 4] = [
        (
            "IMsgStore",
            f.store
                .query::<dyn MapiProp>()
                .expect("IMsgStore is an IMAPIProp"),
        ),
        (
            "IMAPIStatus",
            f.status
                .query::<dyn MapiProp>()
                .expect("IMAPIStatus is an IMAPIProp"),
        ),
        (
            "IMessage",
            f.message
                .query::<dyn MapiProp>()
                .expect("IMessage is an IMAPIProp"),
        ),
        (
            "IProfSect",
            f.section
                .query::<dyn MapiProp>()
                .expect("IProfSect is an IMAPIProp"),
        ),
    ];
    for (name, prop) in &bases {
        assert_eq!(
            prop.get_props(None, 0).err(),
            Some(MapiError::NoSupport),
            "{name}"
        );
        assert_eq!(
            prop.get_ids_from_names(None, 0).err(),
            Some(MapiError::NoSupport),
            "{name}"
        );
        assert_eq!(
            prop.open_property(PropTag(0x0037_001F), &Iid::IUNKNOWN, 0, 0)
                .err(),
            Some(MapiError::NoSupport),
            "{name}"
        );
    }
    assert_eq!(f.section.uid(), MapiUid::from_bytes([9; 16]));
}

#[test]
fn new_interfaces_answer_query_interface() {
    let f = Fixture::new();
    // IMAPIStatus exposes IMAPIProp, and comes back from it.
    let prop = f.status.query::<dyn MapiProp>().expect("IMAPIProp");
    assert!(prop.query::<dyn MapiStatus>().is_ok());
    assert_eq!(
        prop.query::<dyn MsgStore>().err(),
        Some(MapiError::InterfaceNotSupported)
    );
    // IMessage likewise; an opened message gives it back from its IMAPIProp part.
    let prop = f.message.query::<dyn MapiProp>().expect("IMAPIProp");
    assert!(prop.query::<dyn Message>().is_ok());
    assert_eq!(
        prop.query::<dyn MapiStatus>().err(),
        Some(MapiError::InterfaceNotSupported)
    );
    let opened = OpenedEntry::Message(prop);
    assert!(opened.message().is_some_and(|m| Ref::ptr_eq(&m, &f.message)));
    assert!(OpenedEntry::Message(f.prop.clone()).message().is_none());
    assert!(OpenedEntry::Status(f.status.clone()).message().is_none());
    // A provider object that exposed IMAPIProviderShutdown answers for it; one that did not, not.
    assert!(f.provider.query_interface(&Iid::IMAPIPROVIDERSHUTDOWN).is_ok());
    let plain: Ref<dyn MsProvider> = Ref::new(Provider).into();
    assert_eq!(
        plain.query_interface(&Iid::IMAPIPROVIDERSHUTDOWN).err(),
        Some(MapiError::InterfaceNotSupported)
    );
    assert!(f.progress.query_interface(&Iid::IMAPIPROGRESS).is_ok());
}
