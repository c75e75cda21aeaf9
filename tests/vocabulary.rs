//! Every value of the error, flag, IID and property-tag tables against an independent copy of the
//! MAPI headers' values (`tests/common/reference.rs`). Table-driven: each row is checked.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod common;

use std::collections::HashMap;

use common::reference::{CONSTANTS, IIDS, PROP_TAGS, PROP_TYPES, STATUS_CODES};
use mapisim::error::{MapiError, MapiWarning, Status, make_mapi_e, make_mapi_s};
use mapisim::flags::*;
use mapisim::ids::{self, EntryIdFlags, Iid};
use mapisim::props::{self, PropTag, PropType};
use proptest::prelude::*;

fn constants() -> HashMap<&'static str, u32> {
    CONSTANTS.iter().copied().collect()
}

#[test]
fn every_status_code_has_its_exact_value_and_name_both_ways() {
    let mut errors = 0;
    let mut warnings = 0;
    for &(name, value) in STATUS_CODES {
        let hr = value as i32;
        if name.starts_with("MAPI_E_") {
            let e = MapiError::from_name(name).unwrap_or_else(|| panic!("{name} has no MapiError variant"));
            assert_eq!(e.scode(), value, "{name}");
            assert_eq!(e.hresult(), hr, "{name}");
            assert_eq!(e.name(), Some(name));
            assert_eq!(MapiError::from_hresult(hr), e, "{name} from its HRESULT");
            assert_eq!(e.to_string(), format!("{name} (0x{value:08X})"));
            assert_eq!(Status::from_hresult(hr), Status::Error(e));
            assert!(Status::from_hresult(hr).failed());
            errors += 1;
        } else {
            assert!(name.starts_with("MAPI_W_"), "{name}");
            let w =
                MapiWarning::from_name(name).unwrap_or_else(|| panic!("{name} has no MapiWarning variant"));
            assert_eq!(w.hresult(), hr, "{name}");
            assert_eq!(w.name(), Some(name));
            assert_eq!(MapiWarning::from_hresult(hr), w);
            assert_eq!(w.to_string(), format!("{name} (0x{value:08X})"));
            assert_eq!(Status::from_hresult(hr), Status::Warning(w));
            assert!(!Status::from_hresult(hr).failed(), "{name} is a success code");
            warnings += 1;
        }
    }
    // Nothing in the crate that is not in the table, nothing in the table missing.
    assert_eq!(MapiError::ALL.len(), errors);
    assert_eq!(MapiWarning::ALL.len(), warnings);
    assert_eq!(errors + warnings, STATUS_CODES.len());
}

#[test]
fn the_make_macros_build_the_facility_codes() {
    assert_eq!(make_mapi_e(0x11D), MapiError::FailOneProvider.hresult());
    assert_eq!(make_mapi_s(0x380), MapiWarning::ErrorsReturned.hresult());
}

#[test]
fn codes_outside_the_table_are_kept() {
    let odd = 0x8004_0999_u32 as i32;
    assert_eq!(MapiError::from_hresult(odd), MapiError::Unknown(odd));
    assert_eq!(MapiError::from_hresult(odd).hresult(), odd);
    assert_eq!(MapiError::from_hresult(odd).name(), None);
    assert_eq!(MapiError::from_hresult(odd).to_string(), "HRESULT 0x80040999");
    assert_eq!(
        MapiWarning::from_hresult(0x0004_0999),
        MapiWarning::Unknown(0x0004_0999)
    );
    assert_eq!(Status::from_hresult(0), Status::Ok);
    assert_eq!(Status::Ok.to_string(), "S_OK");
    assert_eq!(MapiError::from_name("MAPI_E_NOPE"), None);
}

proptest! {
    #[test]
    fn every_hresult_classifies_and_comes_back(hr in any::<i32>()) {
        let status = Status::from_hresult(hr);
        prop_assert_eq!(status.hresult(), hr);
        prop_assert_eq!(status.failed(), hr < 0);
        prop_assert_eq!(MapiError::from_hresult(hr).hresult(), hr);
    }
}

/// Checks a flag family: each of its names has the reference value, each name the reference
/// lists for it is present, parsing and printing agree, and unknown bits are kept.
fn check_family<F: MapiFlags + PartialEq>(expected: &[&str]) {
    let reference = constants();
    for &(name, value) in F::NAMES {
        assert_eq!(reference.get(name), Some(&value), "{}: {name}", F::FAMILY);
        let flag = F::from_mapi_name(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(flag.bits(), value, "{name}");
        assert_eq!(F::parse_names(name), Ok(flag), "{name} parses");
    }
    for name in expected {
        assert!(
            F::NAMES.iter().any(|(n, _)| n == name),
            "{} lacks {name}",
            F::FAMILY
        );
    }
    assert_eq!(
        F::NAMES.len(),
        expected.len(),
        "{} has names the reference does not list",
        F::FAMILY
    );
    // Every bit outside the named ones is unknown, and kept.
    let all = F::all().bits();
    let unknown = !all;
    let flags = F::from_raw(u32::MAX);
    assert_eq!(flags.bits(), u32::MAX);
    assert_eq!(flags.unknown_bits(), unknown);
    assert_eq!(flags.check_known().is_err(), unknown != 0);
    assert_eq!(F::from_raw(all).check_known().map(|f| f.bits()), Ok(all));
    // Printing then parsing gives back the known bits.
    let printed = F::from_raw(all).to_string();
    assert_eq!(F::parse_names(&printed).map(|f| f.bits()), Ok(all), "{printed}");
}

#[test]
fn init_flags() {
    check_family::<InitFlags>(&[
        "MAPI_MULTITHREAD_NOTIFICATIONS",
        "MAPI_NO_COINIT",
        "MAPI_NT_SERVICE",
    ]);
}

#[test]
fn logon_flags() {
    check_family::<LogonFlags>(&[
        "MAPI_LOGON_UI",
        "MAPI_NEW_SESSION",
        "MAPI_APP_PROFILE",
        "MAPI_ALLOW_OTHERS",
        "MAPI_EXPLICIT_PROFILE",
        "MAPI_EXTENDED",
        "MAPI_USE_DEFAULT",
        "MAPI_FORCE_DOWNLOAD",
        "MAPI_SERVICE_UI_ALWAYS",
        "MAPI_NO_MAIL",
        "MAPI_NT_SERVICE",
        "MAPI_PASSWORD_UI",
        "MAPI_TIMEOUT_SHORT",
        "MAPI_BG_SESSION",
        "MAPI_UNICODE",
        "MAPI_SIMPLE_DEFAULT",
        "MAPI_SIMPLE_EXPLICIT",
    ]);
    assert_eq!(
        LogonFlags::SIMPLE_DEFAULT,
        LogonFlags::LOGON_UI | LogonFlags::FORCE_DOWNLOAD | LogonFlags::ALLOW_OTHERS
    );
    assert_eq!(
        LogonFlags::SIMPLE_EXPLICIT,
        LogonFlags::NEW_SESSION | LogonFlags::FORCE_DOWNLOAD | LogonFlags::EXPLICIT_PROFILE
    );
}

#[test]
fn session_logoff_flags() {
    check_family::<SessionLogoffFlags>(&["MAPI_LOGOFF_SHARED", "MAPI_LOGOFF_UI"]);
}

#[test]
fn open_store_and_logon_flags() {
    check_family::<OpenStoreFlags>(&[
        "MDB_NO_DIALOG",
        "MDB_WRITE",
        "MAPI_DEFERRED_ERRORS",
        "MAPI_BEST_ACCESS",
        "MDB_TEMPORARY",
        "MDB_NO_MAIL",
        "MDB_ONLINE",
        "MAPI_NO_CACHE",
        "MAPI_CACHE_ONLY",
    ]);
    check_family::<StoreLogonFlags>(&[
        "MDB_NO_DIALOG",
        "MDB_WRITE",
        "MAPI_DEFERRED_ERRORS",
        "MDB_TEMPORARY",
        "MDB_NO_MAIL",
        "MDB_OST_LOGON_UNICODE",
        "MDB_OST_LOGON_ANSI",
        "MAPI_UNICODE",
    ]);
    check_family::<SpoolerLogonFlags>(&[
        "MDB_NO_DIALOG",
        "MDB_WRITE",
        "MAPI_DEFERRED_ERRORS",
        "MAPI_UNICODE",
    ]);
    check_family::<AbLogonFlags>(&[
        "AB_NO_DIALOG",
        "MAPI_DEFERRED_ERRORS",
        "AB_UNICODEUI",
        "MAPI_UNICODE",
    ]);
    check_family::<XpLogonFlags>(&[
        "LOGON_NO_DIALOG",
        "LOGON_NO_CONNECT",
        "LOGON_NO_INBOUND",
        "LOGON_NO_OUTBOUND",
        "LOGON_SP_IDLE",
        "LOGON_SP_POLL",
        "LOGON_SP_RESOLVE",
        "MAPI_UNICODE",
    ]);
    check_family::<ProfileSectionFlags>(&["MAPI_MODIFY", "MAPI_DEFERRED_ERRORS"]);
}

#[test]
fn logoff_flags_and_their_single_input() {
    check_family::<LogoffFlags>(&[
        "LOGOFF_NO_WAIT",
        "LOGOFF_ORDERLY",
        "LOGOFF_PURGE",
        "LOGOFF_ABORT",
        "LOGOFF_QUIET",
        "LOGOFF_COMPLETE",
        "LOGOFF_INBOUND",
        "LOGOFF_OUTBOUND",
        "LOGOFF_OUTBOUND_QUEUE",
    ]);
    check_family::<TransportLogoffFlags>(&["LOGOFF_NORMAL", "LOGOFF_HURRY"]);
    check_family::<DeinitFlags>(&["DEINIT_NORMAL", "DEINIT_HURRY"]);
    for input in [
        LogoffFlags::NO_WAIT,
        LogoffFlags::ORDERLY,
        LogoffFlags::PURGE,
        LogoffFlags::ABORT,
        LogoffFlags::QUIET,
    ] {
        assert_eq!(input.input(), Some(input));
        assert_eq!((input | LogoffFlags::COMPLETE).input(), Some(input));
    }
    assert_eq!(LogoffFlags::empty().input(), None);
    assert_eq!((LogoffFlags::ABORT | LogoffFlags::ORDERLY).input(), None);
}

#[test]
fn resource_and_status_flags() {
    check_family::<ResourceFlags>(&[
        "STATUS_DEFAULT_OUTBOUND",
        "STATUS_DEFAULT_STORE",
        "STATUS_PRIMARY_IDENTITY",
        "STATUS_SIMPLE_STORE",
        "STATUS_XP_PREFER_LAST",
        "STATUS_NO_PRIMARY_IDENTITY",
        "STATUS_NO_DEFAULT_STORE",
        "STATUS_TEMP_SECTION",
        "STATUS_OWN_STORE",
        "HOOK_INBOUND",
        "HOOK_OUTBOUND",
        "STATUS_NEED_IPM_TREE",
        "STATUS_PRIMARY_STORE",
        "STATUS_SECONDARY_STORE",
    ]);
    check_family::<ServiceFlags>(&[
        "SERVICE_DEFAULT_STORE",
        "SERVICE_SINGLE_COPY",
        "SERVICE_CREATE_WITH_STORE",
        "SERVICE_PRIMARY_IDENTITY",
        "SERVICE_NO_PRIMARY_IDENTITY",
    ]);
    check_family::<ResourceMethods>(&[
        "STATUS_VALIDATE_STATE",
        "STATUS_SETTINGS_DIALOG",
        "STATUS_CHANGE_PASSWORD",
        "STATUS_FLUSH_QUEUES",
    ]);
    check_family::<StatusCode>(&[
        "STATUS_AVAILABLE",
        "STATUS_OFFLINE",
        "STATUS_FAILURE",
        "STATUS_INBOUND_ENABLED",
        "STATUS_INBOUND_ACTIVE",
        "STATUS_INBOUND_FLUSH",
        "STATUS_OUTBOUND_ENABLED",
        "STATUS_OUTBOUND_ACTIVE",
        "STATUS_OUTBOUND_FLUSH",
        "STATUS_REMOTE_ACCESS",
    ]);
    check_family::<ValidateStateFlags>(&[
        "SUPPRESS_UI",
        "REFRESH_XP_HEADER_CACHE",
        "PROCESS_XP_HEADER_CACHE",
        "FORCE_XP_CONNECT",
        "FORCE_XP_DISCONNECT",
        "CONFIG_CHANGED",
        "ABORT_XP_HEADER_OPERATION",
        "SHOW_XP_SESSION_UI",
    ]);
    check_family::<FlushQueuesFlags>(&[
        "FLUSH_UPLOAD",
        "FLUSH_DOWNLOAD",
        "FLUSH_FORCE",
        "FLUSH_NO_UI",
        "FLUSH_ASYNC_OK",
    ]);
}

#[test]
fn service_entry_flags() {
    check_family::<ServiceEntryFlags>(&[
        "SERVICE_UI_ALWAYS",
        "UI_CURRENT_PROVIDER_FIRST",
        "MSG_SERVICE_UI_READ_ONLY",
        "SERVICE_UI_ALLOWED",
        "SERVICE_LOGON_FAILED",
        "MAPI_UNICODE",
    ]);
    // UI_SERVICE is another name of the same bit.
    assert_eq!(constants()["UI_SERVICE"], ServiceEntryFlags::UI_ALWAYS.bits());
}

#[test]
fn notification_and_spooler_flags() {
    check_family::<SubscribeFlags>(&["NOTIFY_SYNC"]);
    check_family::<NotifyResultFlags>(&["NOTIFY_CANCELED"]);
    check_family::<SpoolerNotifyFlags>(&[
        "NOTIFY_NEWMAIL",
        "NOTIFY_READYTOSEND",
        "NOTIFY_SENTDEFERRED",
        "NOTIFY_CRITSEC",
        "NOTIFY_NONCRIT",
        "NOTIFY_CONFIG_CHANGE",
        "NOTIFY_CRITICAL_ERROR",
        "NOTIFY_NEWMAIL_RECEIVED",
    ]);
    check_family::<StatusRowFlags>(&["STATUSROW_UPDATE"]);
    check_family::<EndMessageFlags>(&["END_RESEND_NOW", "END_RESEND_LATER", "END_DONT_RESEND"]);
    check_family::<TransportNotifyFlags>(&[
        "NOTIFY_BEGIN_INBOUND",
        "NOTIFY_BEGIN_OUTBOUND",
        "NOTIFY_BEGIN_INBOUND_FLUSH",
        "NOTIFY_BEGIN_OUTBOUND_FLUSH",
        "NOTIFY_END_INBOUND",
        "NOTIFY_END_OUTBOUND",
        "NOTIFY_END_INBOUND_FLUSH",
        "NOTIFY_END_OUTBOUND_FLUSH",
        "NOTIFY_ABORT_DEFERRED",
        "NOTIFY_CANCEL_MESSAGE",
    ]);
    check_family::<EventMask>(&[
        "fnevCriticalError",
        "fnevNewMail",
        "fnevObjectCreated",
        "fnevObjectDeleted",
        "fnevObjectModified",
        "fnevObjectMoved",
        "fnevObjectCopied",
        "fnevSearchComplete",
        "fnevTableModified",
        "fnevStatusObjectModified",
        "fnevIndexing",
        "fnevReservedForMapi",
        "fnevExtended",
    ]);
    check_family::<ReadReceiptFlags>(&["MAPI_NON_READ"]);
    assert_eq!(constants()["CALLBACK_DISCONTINUE"], CALLBACK_DISCONTINUE);
    assert_eq!(
        SpoolerNotifyFlags::STORE_ALLOWED,
        SpoolerNotifyFlags::NEWMAIL_RECEIVED | SpoolerNotifyFlags::READYTOSEND
    );
}

#[test]
fn enumerated_values() {
    let reference = constants();
    let check = |name: &str, value: u32| assert_eq!(reference.get(name), Some(&value), "{name}");
    for v in ResourceType::ALL {
        check(v.name(), v.value());
        assert_eq!(ResourceType::from_value(v.value()), Some(*v));
        assert_eq!(ResourceType::from_name(v.name()), Some(*v));
    }
    assert_eq!(ResourceType::ALL.len(), 8);
    for v in ObjectType::ALL {
        check(v.name(), v.value());
        assert_eq!(ObjectType::from_value(v.value()), Some(*v));
    }
    assert_eq!(ObjectType::ALL.len(), 12);
    for v in ServiceContext::ALL {
        check(v.name(), v.value());
        assert_eq!(ServiceContext::from_value(v.value()), Some(*v));
    }
    assert_eq!(ServiceContext::ALL.len(), 7);
    assert_eq!(ServiceContext::from_value(8), None);
    assert_eq!(LockState::Locked.value(), 1);
    assert_eq!(LockState::Unlocked.value(), 0);
    check("MAPI_INIT_VERSION", MAPI_INIT_VERSION);
    check("CURRENT_SPI_VERSION", SpiVersion::CURRENT.value());
    check("PDK1_SPI_VERSION", SpiVersion::PDK1.value());
    check("PDK2_SPI_VERSION", SpiVersion::PDK2.value());
    check("PDK3_SPI_VERSION", SpiVersion::PDK3.value());
    assert_eq!(SpiVersion::PDK2.to_string(), "0.1.8");
    assert_eq!(SpiVersion(0x0102_0003).major(), 1);
    assert_eq!(SpiVersion(0x0102_0003).minor(), 2);
    assert_eq!(SpiVersion(0x0102_0003).update(), 3);
}

#[test]
fn entry_id_constants() {
    let reference = constants();
    for &(name, value) in EntryIdFlags::NAMES {
        assert_eq!(reference.get(name), Some(&u32::from(value)), "{name}");
    }
    assert_eq!(reference["MAPI_COMPOUND"], u32::from(ids::MAPI_COMPOUND));
    assert_eq!(reference["MAPIMDB_VERSION"], u32::from(ids::MAPIMDB_VERSION));
    assert_eq!(reference["MAPIMDB_NORMAL"], u32::from(ids::MAPIMDB_NORMAL));
    assert_eq!(reference["MAPIMDB_SECTION"], u32::from(ids::MAPIMDB_SECTION));
    assert_eq!(
        ids::MUIDSTOREWRAP.0,
        [
            0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A, 0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2
        ]
    );
    assert_eq!(
        format!("{:?}", ids::MUIDSTOREWRAP),
        "MapiUid({10BBA138-E505-1A10-A1BB-08002B2A56C2})"
    );
    assert_eq!(
        ids::MAPI_ONE_OFF_UID.0,
        [
            0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19, 0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02
        ]
    );
    assert_eq!(reference["MAPI_ONE_OFF_UNICODE"], 0x8000);
    assert_eq!(reference["MAPI_ONE_OFF_NO_RICH_INFO"], 0x0001);
}

#[test]
fn every_interface_iid() {
    for &(name, data1) in IIDS {
        let (_, iid) = Iid::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        let expected = format!("{{{data1:08X}-0000-0000-C000-000000000046}}");
        assert_eq!(iid.to_string(), expected, "{name}");
        assert_eq!(iid.name(), Some(name));
        // In memory: Data1 little-endian, then 00 00 00 00 C0 00 00 00 00 00 00 46.
        let mut bytes = data1.to_le_bytes().to_vec();
        bytes.extend_from_slice(&[0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46]);
        assert_eq!(iid.to_bytes_le().to_vec(), bytes, "{name}");
    }
    assert_eq!(
        Iid::IMAPISUP.to_string(),
        "{0002030F-0000-0000-C000-000000000046}"
    );
    assert_eq!(
        Iid::IMSPROVIDER.to_bytes_le(),
        [
            0x10, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46
        ]
    );
    // Every constant of the crate is a MAPI OLE GUID in the reserved range, or one of OLE's two.
    assert_eq!(Iid::IMALLOC.to_string(), "{00000002-0000-0000-C000-000000000046}");
    for &(name, iid) in Iid::ALL {
        let s = iid.to_string();
        assert!(s.ends_with("-0000-0000-C000-000000000046}"), "{name} {s}");
        assert!(
            s.starts_with("{000203") || name == "IID_IUnknown" || name == "IID_IMalloc",
            "{name} {s}"
        );
    }
}

#[test]
fn every_property_tag() {
    for &(name, id, ty, tags) in PROP_TAGS {
        if ty.contains("TSTRING") {
            let a = props::tag_by_name(&format!("{name}_A")).unwrap_or_else(|| panic!("{name}_A"));
            let w = props::tag_by_name(&format!("{name}_W")).unwrap_or_else(|| panic!("{name}_W"));
            assert_eq!(a.value(), tags[0], "{name}_A");
            assert_eq!(w.value(), tags[1], "{name}_W");
            assert_eq!(props::tag_by_name(name), Some(w), "{name} is the Unicode form");
            assert_eq!(a.id(), id);
            assert_eq!(w.id(), id);
        } else {
            let tag = props::tag_by_name(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(tag.value(), tags[0], "{name}");
            assert_eq!(tag.id(), id, "{name}");
            let ty = PropType::ALL
                .iter()
                .find(|(n, _)| *n == ty)
                .map(|(_, t)| *t)
                .unwrap_or_else(|| panic!("{ty}"));
            assert_eq!(tag.prop_type(), ty, "{name}");
            assert_eq!(tag.name(), Some(name));
        }
    }
}

#[test]
fn every_property_type() {
    for &(name, value) in PROP_TYPES {
        if name == "MV_FLAG" {
            assert_eq!(PropType::MV_FLAG, value);
            continue;
        }
        let ty = PropType::ALL.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        assert_eq!(ty, Some(PropType(value)), "{name}");
    }
    assert_eq!(PropTag::new(0x3001, PropType::UNICODE).value(), 0x3001_001F);
    assert!(PropType::MV_BINARY.is_multi());
    assert_eq!(PropType::MV_BINARY.base(), PropType::BINARY);
    assert_eq!(props::PROP_ID_SECURE_MIN, 0x67F0);
    assert_eq!(props::PROP_ID_SECURE_MAX, 0x67FF);
}
