//! Every COM declaration against the core crate's tables: the IID against `mapisim::ids::Iid`, the
//! offset of every vtable field against the slot numbers and MAPI names of
//! `mapisim::spi::vtable`, and the size of every vtable against its number of slots.
//!
//! The field lists below name each field of each generated `*_Vtbl` once, in any order; the
//! checks sort them by offset and compare (slot, name) pairs with the core table. A method missing
//! from a declaration, or named otherwise than in the list, does not compile here; one left out of
//! a list leaves a core slot unmatched; one misplaced lands in another slot than MAPI's; one
//! misnamed (in the declaration and the list alike) no longer matches the MAPI name of its slot;
//! an extra one makes the vtable larger than the core table.
#![allow(non_snake_case)]

use std::collections::BTreeSet;
use std::mem::{offset_of, size_of};

use mapisim::spi::vtable::{self, InterfaceTable, Slot};
use mapisim_com::interfaces::*;
use windows_core::{GUID, IUnknown, IUnknown_Vtbl, Interface};

const PTR: usize = size_of::<usize>();

/// What the macro generated for one interface, read back with `offset_of!` and `size_of`.
#[derive(Debug)]
struct Layout {
    name: &'static str,
    iid: GUID,
    /// The base interface, and the offset of the `base__` field that holds its vtable.
    base: Option<(&'static str, usize)>,
    /// The interface's own fields: name and byte offset.
    own: Vec<(&'static str, usize)>,
    /// `size_of` the vtable struct.
    size: usize,
}

macro_rules! layout {
    ($iface:ident, $vtbl:ident { $($field:ident),* $(,)? }) => {
        Layout {
            name: {
                // The vtable named is the interface's.
                let _: fn(&<$iface as Interface>::Vtable) -> &$vtbl = |v| v;
                stringify!($iface)
            },
            iid: <$iface as Interface>::IID,
            base: None,
            own: vec![$((stringify!($field), offset_of!($vtbl, $field))),*],
            size: size_of::<$vtbl>(),
        }
    };
    ($iface:ident : $base:ident, $vtbl:ident { $($field:ident),* $(,)? }) => {
        Layout {
            name: {
                // The vtable named is the interface's.
                let _: fn(&<$iface as Interface>::Vtable) -> &$vtbl = |v| v;
                stringify!($iface)
            },
            iid: <$iface as Interface>::IID,
            base: {
                // `base__` holds the base's vtable, whatever the list says.
                let _: fn(&$vtbl) -> &<$base as Interface>::Vtable = |v| &v.base__;
                Some((stringify!($base), offset_of!($vtbl, base__)))
            },
            own: vec![$((stringify!($field), offset_of!($vtbl, $field))),*],
            size: size_of::<$vtbl>(),
        }
    };
}

/// Every declared interface, and `windows_core`'s `IUnknown` at the root.
fn layouts() -> Vec<Layout> {
    vec![
        layout!(
            IUnknown,
            IUnknown_Vtbl {
                QueryInterface,
                AddRef,
                Release
            }
        ),
        layout!(IMAPIProp: IUnknown, IMAPIProp_Vtbl {
            GetLastError, SaveChanges, GetProps, GetPropList, OpenProperty, SetProps, DeleteProps,
            CopyTo, CopyProps, GetNamesFromIDs, GetIDsFromNames,
        }),
        layout!(IMsgStore: IMAPIProp, IMsgStore_Vtbl {
            Advise, Unadvise, CompareEntryIDs, OpenEntry, SetReceiveFolder, GetReceiveFolder,
            GetReceiveFolderTable, StoreLogoff, AbortSubmit, GetOutgoingQueue, SetLockState,
            FinishedMsg, NotifyNewMail,
        }),
        layout!(IMSLogon: IUnknown, IMSLogon_Vtbl {
            GetLastError, Logoff, OpenEntry, CompareEntryIDs, Advise, Unadvise, OpenStatusEntry,
        }),
        layout!(IMSProvider: IUnknown, IMSProvider_Vtbl { Shutdown, Logon, SpoolerLogon, CompareStoreIDs }),
        layout!(IABProvider: IUnknown, IABProvider_Vtbl { Shutdown, Logon }),
        layout!(IABLogon: IUnknown, IABLogon_Vtbl {
            GetLastError, Logoff, OpenEntry, CompareEntryIDs, Advise, Unadvise, OpenStatusEntry,
            OpenTemplateID, GetOneOffTable, PrepareRecips,
        }),
        layout!(IXPProvider: IUnknown, IXPProvider_Vtbl { Shutdown, TransportLogon }),
        layout!(IXPLogon: IUnknown, IXPLogon_Vtbl {
            AddressTypes, RegisterOptions, TransportNotify, Idle, TransportLogoff, SubmitMessage,
            EndMessage, Poll, StartMessage, OpenStatusEntry, ValidateState, FlushQueues,
        }),
        layout!(IMAPISupport: IUnknown, IMAPISupport_Vtbl {
            GetLastError, GetMemAllocRoutines, Subscribe, Unsubscribe, Notify, ModifyStatusRow,
            OpenProfileSection, RegisterPreprocessor, NewUID, MakeInvalid, SpoolerYield,
            SpoolerNotify, CreateOneOff, SetProviderUID, CompareEntryIDs, OpenTemplateID, OpenEntry,
            GetOneOffTable, Address, Details, NewEntry, DoConfigPropsheet, CopyMessages, CopyFolder,
            DoCopyTo, DoCopyProps, DoProgressDialog, ReadReceipt, PrepareSubmit, ExpandRecips,
            UpdatePAB, DoSentMail, OpenAddressBook, Preprocess, CompleteMsg, StoreLogoffTransports,
            StatusRecips, WrapStoreEntryID, ModifyProfile, IStorageFromStream, GetSvcConfigSupportObj,
        }),
        layout!(IMAPIStatus: IMAPIProp, IMAPIStatus_Vtbl {
            ValidateState, SettingsDialog, ChangePassword, FlushQueues,
        }),
        layout!(IMessage: IMAPIProp, IMessage_Vtbl {
            GetAttachmentTable, OpenAttach, CreateAttach, DeleteAttach, GetRecipientTable,
            ModifyRecipients, SubmitMessage, SetReadFlag,
        }),
        layout!(IMAPIProviderShutdown: IUnknown, IMAPIProviderShutdown_Vtbl {
            QueryFastShutdown, NotifyProcessShutdown, DoFastShutdown,
        }),
        layout!(IProfSect: IMAPIProp, IProfSect_Vtbl {}),
        layout!(IMalloc: IUnknown, IMalloc_Vtbl { Alloc, Realloc, Free, GetSize, DidAlloc, HeapMinimize }),
        layout!(IMAPIProgress: IUnknown, IMAPIProgress_Vtbl { Progress, GetFlags, GetMax, GetMin, SetLimits }),
        layout!(IMSCapabilities: IUnknown, IMSCapabilities_Vtbl { GetCapabilities }),
        layout!(IProviderAdmin: IUnknown, IProviderAdmin_Vtbl {
            GetLastError, GetProviderTable, CreateProvider, DeleteProvider, OpenProfileSection,
        }),
        // Not in the core's tables: checked by hand below.
        layout!(IMAPITable: IUnknown, IMAPITable_Vtbl {
            GetLastError, Advise, Unadvise, GetStatus, SetColumns, QueryColumns, GetRowCount, SeekRow,
            SeekRowApprox, QueryPosition, FindRow, Restrict, CreateBookmark, FreeBookmark, SortTable,
            QuerySortOrder, QueryRows, Abort, ExpandRow, CollapseRow, WaitForCompletion,
            GetCollapseState, SetCollapseState,
        }),
        layout!(IMAPIAdviseSink: IUnknown, IMAPIAdviseSink_Vtbl { OnNotify }),
    ]
}

/// The declarations the core crate has no vtable table for, each checked by hand below against
/// the core's IID and the slots MAPI documents.
const CHECKED_BY_HAND: &[&str] = &["IMAPIAdviseSink", "IMAPITable"];

/// The tables every declaration is checked against.
fn tables() -> Vec<&'static InterfaceTable> {
    vtable::ALL.iter().collect()
}

fn find<'a>(layouts: &'a [Layout], name: &str) -> &'a Layout {
    layouts
        .iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("no COM declaration of {name}"))
}

/// The slot number of a byte offset into a vtable.
fn slot_of(name: &str, offset: usize) -> usize {
    assert_eq!(
        offset % PTR,
        0,
        "{name} is not at a pointer boundary (offset {offset})"
    );
    offset / PTR
}

/// The interface's own fields as (slot, name), by slot.
fn own_slots(layout: &Layout) -> Vec<(usize, &'static str)> {
    let mut own: Vec<_> = layout
        .own
        .iter()
        .map(|&(name, offset)| (slot_of(name, offset), name))
        .collect();
    own.sort();
    own
}

/// Every slot of the vtable as (slot, name), the base's first, by walking `base__` down to
/// `IUnknown`.
fn all_slots(layouts: &[Layout], layout: &Layout) -> Vec<(usize, &'static str)> {
    let mut slots = match layout.base {
        None => Vec::new(),
        Some((base, offset)) => {
            assert_eq!(offset, 0, "{}: the base vtable is not at offset 0", layout.name);
            all_slots(layouts, find(layouts, base))
        }
    };
    slots.extend(own_slots(layout));
    slots
}

/// The bytes of a GUID as they lie in memory (`Data1`..`Data3` little-endian).
fn guid_bytes(guid: &GUID) -> [u8; 16] {
    let mut bytes = [0; 16];
    bytes[..4].copy_from_slice(&guid.data1.to_le_bytes());
    bytes[4..6].copy_from_slice(&guid.data2.to_le_bytes());
    bytes[6..8].copy_from_slice(&guid.data3.to_le_bytes());
    bytes[8..].copy_from_slice(&guid.data4);
    bytes
}

/// Fails on the first slot whose number or name differs, then on a difference in count.
fn assert_same_slots(interface: &str, declared: &[(usize, &str)], core: &[Slot]) {
    for (position, (&(index, name), slot)) in declared.iter().zip(core).enumerate() {
        assert!(
            (index, name) == (slot.index, slot.mapi),
            "{interface}: field {position} of the vtable is {name} in slot {index}; \
             the core table has {} in slot {}",
            slot.mapi,
            slot.index
        );
    }
    assert_eq!(
        declared.len(),
        core.len(),
        "{interface}: {} slots declared, {} in the core table",
        declared.len(),
        core.len()
    );
}

#[test]
fn every_iid_is_the_core_crates() {
    let layouts = layouts();
    for table in tables() {
        let layout = find(&layouts, table.name);
        assert_eq!(
            guid_bytes(&layout.iid),
            table.iid.to_bytes_le(),
            "{}: IID {:?}, the core crate has {}",
            table.name,
            layout.iid,
            table.iid
        );
        assert_eq!(layout.iid.to_u128(), table.iid.0.as_u128(), "{}", table.name);
    }
}

#[test]
fn every_base_is_the_core_crates() {
    let layouts = layouts();
    for table in tables() {
        let layout = find(&layouts, table.name);
        assert_eq!(layout.base.map(|(base, _)| base), table.base, "{}", table.name);
    }
}

#[test]
fn every_own_slot_has_mapis_number_and_name() {
    let layouts = layouts();
    for table in tables() {
        assert_same_slots(
            table.name,
            &own_slots(find(&layouts, table.name)),
            table.own_slots(),
        );
    }
}

#[test]
fn every_slot_inherited_or_own_has_mapis_number_and_name() {
    let layouts = layouts();
    for table in tables() {
        assert_same_slots(
            table.name,
            &all_slots(&layouts, find(&layouts, table.name)),
            table.slots,
        );
    }
}

#[test]
fn every_vtable_has_exactly_the_slots_of_the_core_table() {
    let layouts = layouts();
    for table in tables() {
        let layout = find(&layouts, table.name);
        assert_eq!(layout.size % PTR, 0, "{}: size {} bytes", table.name, layout.size);
        assert_eq!(
            layout.size / PTR,
            table.slots.len(),
            "{}: vtable size in slots",
            table.name
        );
    }
}

#[test]
fn every_declaration_is_checked_against_a_table() {
    let declared: BTreeSet<_> = layouts().iter().map(|l| l.name).collect();
    let mut tabled: BTreeSet<_> = tables().iter().map(|t| t.name).collect();
    for name in CHECKED_BY_HAND {
        assert!(tabled.insert(name), "{name} now has a core table: check it there");
    }
    assert_eq!(declared, tabled);
}

/// `IMAPIAdviseSink`: `IUnknown`'s three slots and `OnNotify` in slot 3, which returns a `ULONG`;
/// the IID is the core crate's `IID_IMAPIAdviseSink`, `{00020302-0000-0000-C000-000000000046}`.
#[test]
fn the_advise_sink_has_the_iid_and_the_one_slot_mapi_documents() {
    use core::ffi::c_void;
    use mapisim::ids::Iid;
    use mapisim_com::types::NOTIFICATION;

    let layouts = layouts();
    let sink = find(&layouts, "IMAPIAdviseSink");
    assert_eq!(guid_bytes(&sink.iid), Iid::IMAPIADVISESINK.to_bytes_le());
    assert_eq!(sink.iid.to_u128(), 0x00020302_0000_0000_C000_000000000046);
    assert_eq!(Iid::IMAPIADVISESINK.name(), Some("IID_IMAPIAdviseSink"));
    assert_eq!(sink.base.map(|(base, _)| base), Some("IUnknown"));
    assert_eq!(
        all_slots(&layouts, sink),
        vec![
            (0, "QueryInterface"),
            (1, "AddRef"),
            (2, "Release"),
            (3, "OnNotify")
        ]
    );
    assert_eq!(sink.size, 4 * PTR);
    field::<IMAPIAdviseSink_Vtbl, unsafe extern "system" fn(*mut c_void, u32, *mut NOTIFICATION) -> u32>(
        |v| &v.OnNotify,
    );
}

/// `IMAPITable`, in the vtable order of Microsoft's `IMAPITable : IUnknown` page, with the
/// reference's IID.
#[test]
fn imapitable_has_the_slots_of_microsofts_page() {
    let layouts = layouts();
    let layout = find(&layouts, "IMAPITable");
    let page = [
        "GetLastError",
        "Advise",
        "Unadvise",
        "GetStatus",
        "SetColumns",
        "QueryColumns",
        "GetRowCount",
        "SeekRow",
        "SeekRowApprox",
        "QueryPosition",
        "FindRow",
        "Restrict",
        "CreateBookmark",
        "FreeBookmark",
        "SortTable",
        "QuerySortOrder",
        "QueryRows",
        "Abort",
        "ExpandRow",
        "CollapseRow",
        "WaitForCompletion",
        "GetCollapseState",
        "SetCollapseState",
    ];
    let expected: Vec<(usize, &str)> = ["QueryInterface", "AddRef", "Release"]
        .into_iter()
        .chain(page)
        .enumerate()
        .collect();
    assert_eq!(all_slots(&layouts, layout), expected);
    assert_eq!(layout.size / PTR, 26);
    assert_eq!(
        guid_bytes(&layout.iid),
        mapisim::ids::Iid::IMAPITABLE.to_bytes_le()
    );
}

#[test]
fn the_counts_mapi_documents() {
    let layouts = layouts();
    let size = |name| find(&layouts, name).size / PTR;
    // IMAPISupport: 41 slots of its own after IUnknown's three.
    assert_eq!(size("IMAPISupport"), 44);
    assert_eq!(own_slots(find(&layouts, "IMAPISupport")).len(), 41);
    assert_eq!(size("IMsgStore"), 27);
    assert_eq!(size("IProfSect"), size("IMAPIProp"));
    assert_eq!(size("IMAPIStatus"), 18);
    assert_eq!(size("IMessage"), 22);
}

/// Checks at compile time that a vtable field has the given function-pointer type.
fn field<V, F>(_: fn(&V) -> &F) {}

#[test]
fn signatures_that_are_not_plain_hresult_methods() {
    use core::ffi::c_void;
    use windows_core::HRESULT;

    type This = *mut c_void;
    field::<IMSCapabilities_Vtbl, unsafe extern "system" fn(This, u32) -> u32>(|v| &v.GetCapabilities);
    field::<IMalloc_Vtbl, unsafe extern "system" fn(This, usize) -> *mut c_void>(|v| &v.Alloc);
    field::<IMalloc_Vtbl, unsafe extern "system" fn(This, *mut c_void, usize) -> *mut c_void>(|v| &v.Realloc);
    field::<IMalloc_Vtbl, unsafe extern "system" fn(This, *mut c_void)>(|v| &v.Free);
    field::<IMalloc_Vtbl, unsafe extern "system" fn(This, *mut c_void) -> usize>(|v| &v.GetSize);
    field::<IMalloc_Vtbl, unsafe extern "system" fn(This, *mut c_void) -> i32>(|v| &v.DidAlloc);
    field::<IMalloc_Vtbl, unsafe extern "system" fn(This)>(|v| &v.HeapMinimize);
    field::<IMAPIProviderShutdown_Vtbl, unsafe extern "system" fn(This) -> HRESULT>(|v| &v.QueryFastShutdown);
    field::<IMsgStore_Vtbl, unsafe extern "system" fn(This, *mut u32) -> HRESULT>(|v| &v.StoreLogoff);
    field::<IMsgStore_Vtbl, unsafe extern "system" fn(This, usize) -> HRESULT>(|v| &v.Unadvise);
    field::<IMSLogon_Vtbl, unsafe extern "system" fn(This, *mut u32) -> HRESULT>(|v| &v.Logoff);
    // `ulUIParam` is a `ULONG_PTR` (Microsoft's page; some third-party headers say `ULONG`).
    field::<IMessage_Vtbl, unsafe extern "system" fn(This, u32, usize, *mut c_void, u32) -> HRESULT>(|v| {
        &v.DeleteAttach
    });
}

/// `#[interface]` writes the `IFoo_Impl` traits without documentation, so the crate allows
/// `missing_docs` on the `interfaces` module; this keeps every declaration documented all the same.
#[test]
fn every_interface_and_method_declared_is_documented() {
    let source = include_str!("../src/interfaces.rs");
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let mut traits = 0;
    let mut methods = 0;
    for (i, line) in lines.iter().enumerate() {
        let is_trait = line.starts_with("pub unsafe trait ");
        let is_method =
            line.starts_with("pub(crate) fn ") || line.starts_with("pub fn ") || line.starts_with("fn ");
        if !(is_trait || is_method) {
            continue;
        }
        let doc = lines[..i].iter().rev().find(|l| !l.starts_with("#["));
        assert!(
            doc.is_some_and(|l| l.starts_with("///")),
            "line {} has no documentation: {line}",
            i + 1
        );
        if is_trait {
            traits += 1;
        } else {
            methods += 1;
        }
    }
    // Every declaration but `IUnknown`, and every own slot of them.
    let layouts = layouts();
    assert_eq!(traits, layouts.len() - 1);
    let own: usize = layouts
        .iter()
        .filter(|l| l.base.is_some())
        .map(|l| l.own.len())
        .sum();
    assert_eq!(methods, own);
}
