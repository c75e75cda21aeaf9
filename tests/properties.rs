//! Property bags: typed get and set, replacement by property ID, string forms, type checks.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use mapisim::MapiError;
use mapisim::ids::MapiUid;
use mapisim::props::*;
use proptest::prelude::*;

#[test]
fn set_replaces_by_id_and_keeps_the_first_position() {
    let mut bag = PropBag::new();
    assert_eq!(bag.set(PR_DISPLAY_NAME_W, "one"), Ok(None));
    bag.set(PR_RESOURCE_FLAGS, 4u32).unwrap();
    let old = bag.set(PR_DISPLAY_NAME_A, "two").unwrap();
    assert_eq!(old, Some(PropValue::Unicode("one".into())));
    let tags: Vec<PropTag> = bag.tags().collect();
    assert_eq!(tags, vec![PR_DISPLAY_NAME_A, PR_RESOURCE_FLAGS]);
    assert_eq!(bag.len(), 2);
    assert_eq!(
        bag.get(PR_DISPLAY_NAME_A),
        Some(&PropValue::String8("two".into()))
    );
    // Either string form reads the text.
    assert_eq!(bag.get_str(PR_DISPLAY_NAME_W), Some("two"));
}

#[test]
fn typed_getters_read_only_their_type() {
    let mut bag = PropBag::new();
    bag.set(PR_RESOURCE_FLAGS, PropValue::from_u32(0x8000_0002))
        .unwrap();
    bag.set(PR_DEFAULT_STORE, true).unwrap();
    bag.set(PR_PROVIDER_UID, MapiUid([5; 16])).unwrap();
    bag.set(
        PR_SERVICE_SUPPORT_FILES_W,
        PropValue::MvUnicode(vec!["A.DLL".into(), "B.DLL".into()]),
    )
    .unwrap();
    assert_eq!(bag.get_u32(PR_RESOURCE_FLAGS), Some(0x8000_0002));
    assert_eq!(bag.get_long(PR_RESOURCE_FLAGS), Some(0x8000_0002_u32 as i32));
    assert_eq!(bag.get_bool(PR_DEFAULT_STORE), Some(true));
    assert_eq!(bag.get_uid(PR_PROVIDER_UID), Some(MapiUid([5; 16])));
    assert_eq!(bag.get_binary(PR_PROVIDER_UID).map(<[u8]>::len), Some(16));
    assert_eq!(
        bag.get_strings(PR_SERVICE_SUPPORT_FILES_A).map(|v| v.len()),
        Some(2)
    );
    // Asking for another type finds nothing rather than a wrong value.
    assert_eq!(bag.get_str(PR_RESOURCE_FLAGS), None);
    assert_eq!(bag.get_bool(PR_RESOURCE_FLAGS), None);
    assert_eq!(
        bag.get(PropTag::new(0x3009, PropType::UNSPECIFIED)),
        Some(&PropValue::Long(0x8000_0002_u32 as i32))
    );
    assert!(bag.contains(PR_DEFAULT_STORE));
    assert_eq!(
        bag.remove(PR_DEFAULT_STORE).map(|p| p.tag),
        Some(PR_DEFAULT_STORE)
    );
    assert!(!bag.contains(PR_DEFAULT_STORE));
    assert_eq!(bag.get_by_id(0x300C).map(|p| p.tag), Some(PR_PROVIDER_UID));
}

#[test]
fn a_value_of_the_wrong_type_is_refused_and_changes_nothing() {
    let mut bag = PropBag::new();
    bag.set(PR_RESOURCE_FLAGS, 1u32).unwrap();
    let err = bag.set(PR_RESOURCE_FLAGS, "x").unwrap_err();
    assert_eq!(
        err,
        PropError::TypeMismatch {
            tag: PR_RESOURCE_FLAGS,
            expected: PropType::LONG,
            found: PropType::UNICODE
        }
    );
    assert_eq!(
        err.to_string(),
        "property PR_RESOURCE_FLAGS has type PT_LONG, but the value is PT_UNICODE"
    );
    assert_eq!(bag.get_u32(PR_RESOURCE_FLAGS), Some(1));
    assert_eq!(
        bag.set(PropTag::new(0, PropType::LONG), 1),
        Err(PropError::ReservedId(0))
    );
    assert_eq!(
        bag.set(PropTag::new(0xFFFF, PropType::LONG), 1),
        Err(PropError::ReservedId(0xFFFF))
    );
}

#[test]
fn an_error_value_takes_the_error_form_of_the_tag() {
    let mut bag = PropBag::new();
    bag.set(PR_DISPLAY_NAME_W, MapiError::NotFound).unwrap();
    let prop = bag.get_by_id(0x3001).unwrap();
    assert_eq!(prop.tag, PropTag::new(0x3001, PropType::ERROR));
    assert_eq!(bag.get_str(PR_DISPLAY_NAME_W), None);
}

#[test]
fn merge_updates_and_appends() {
    let mut row = PropBag::new();
    row.set(PR_DISPLAY_NAME_W, "Store").unwrap();
    row.set(PR_STATUS_CODE, 1u32).unwrap();
    let mut update = PropBag::new();
    update.set(PR_STATUS_CODE, 4u32).unwrap();
    update.set(PR_STATUS_STRING_W, "offline").unwrap();
    row.merge(&update);
    assert_eq!(row.get_u32(PR_STATUS_CODE), Some(4));
    assert_eq!(row.get_str(PR_STATUS_STRING_W), Some("offline"));
    assert_eq!(row.get_str(PR_DISPLAY_NAME_W), Some("Store"));
    assert_eq!(row.len(), 3);
}

#[test]
fn tags_print_by_name_or_number() {
    assert_eq!(PR_PROVIDER_DLL_NAME_A.to_string(), "PR_PROVIDER_DLL_NAME_A");
    assert_eq!(PropTag(0x6600_001E).to_string(), "0x6600001E");
    assert!(PropTag(0x6600_001E).is_provider_private());
    assert!(PropTag(0x67F0_0003).is_secure());
    assert!(!PR_DISPLAY_NAME_W.is_provider_private());
    assert_eq!(PropType(0x0099).to_string(), "0x0099");
    let mut bag = PropBag::new();
    bag.set(PR_DISPLAY_NAME_W, "S").unwrap();
    bag.set(PR_RESOURCE_FLAGS, 2u32).unwrap();
    bag.set(PR_ENTRYID, vec![0xAB, 0x01]).unwrap();
    assert_eq!(
        bag.to_string(),
        "PR_DISPLAY_NAME_W = \"S\"\nPR_RESOURCE_FLAGS = 2 (0x00000002)\nPR_ENTRYID = 0xAB01\n"
    );
}

fn value() -> impl Strategy<Value = PropValue> {
    prop_oneof![
        any::<i32>().prop_map(PropValue::Long),
        any::<bool>().prop_map(PropValue::Boolean),
        "[a-z]{0,8}".prop_map(|t| PropValue::Unicode(t.into())),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(PropValue::Binary),
    ]
}

proptest! {
    #[test]
    fn a_bag_holds_the_last_value_set_for_each_id(ops in prop::collection::vec((1u16..8, value()), 0..40)) {
        let mut bag = PropBag::new();
        let mut model: Vec<(u16, PropValue)> = Vec::new();
        for (id, v) in ops {
            let tag = PropTag::new(id, v.prop_type());
            bag.set(tag, v.clone()).unwrap();
            match model.iter_mut().find(|(i, _)| *i == id) {
                Some(slot) => slot.1 = v,
                None => model.push((id, v)),
            }
        }
        let got: Vec<(u16, PropValue)> = bag.iter().map(|p| (p.tag.id(), p.value.clone())).collect();
        prop_assert_eq!(got, model);
    }
}

#[test]
fn string_values_keep_their_exact_bytes_and_code_units() {
    use mapisim::strings::{AnsiString, TStr, WideString};
    let mut bag = PropBag::new();
    // "café" in code page 1252, and UTF-16 with an unpaired surrogate: neither is Rust text.
    bag.set(
        PR_DISPLAY_NAME_A,
        PropValue::String8(AnsiString::from_bytes(b"caf\xe9".to_vec())),
    )
    .unwrap();
    bag.set(
        PR_PROVIDER_DISPLAY_W,
        PropValue::Unicode(WideString::from_units(vec![0x41, 0xD800])),
    )
    .unwrap();
    let ansi = bag.get(PR_DISPLAY_NAME_A).unwrap();
    assert_eq!(ansi.as_tstr(), Some(TStr::Ansi(b"caf\xe9")));
    assert_eq!(ansi.as_str(), Some("caf\u{FFFD}"), "the text for people");
    let wide = bag.get(PR_PROVIDER_DISPLAY_W).unwrap();
    assert_eq!(wide.as_tstr(), Some(TStr::Wide(&[0x41, 0xD800])));
    assert_eq!(wide.to_string(), "\"A\u{FFFD}\"");
    // Text given as Rust text is its UTF-8 (8-bit) or its UTF-16.
    bag.set(PR_PROVIDER_DISPLAY_A, "Zoo").unwrap();
    assert_eq!(
        bag.get(PR_PROVIDER_DISPLAY_A).unwrap().as_tstr(),
        Some(TStr::Ansi(b"Zoo"))
    );
}
