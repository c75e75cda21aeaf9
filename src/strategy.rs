//! [`proptest`](mod@proptest) strategies for MAPI identifiers, flags and property values (feature `proptest`).
//!
//! Use them to property-test a provider's handling of entry IDs, flags and properties:
//!
//! ```
//! use mapisim::ids::EntryId;
//! use mapisim::strategy;
//! use proptest::prelude::*;
//!
//! proptest!(|(id in strategy::entry_id())| {
//!     prop_assert_eq!(EntryId::parse(&id.to_bytes()).ok(), Some(id));
//! });
//! ```

use proptest::prelude::*;

use crate::flags::MapiFlags;
use crate::ids::{EntryId, MapiUid, WrappedStoreEntryId};
use crate::props::{Prop, PropBag, PropTag, PropValue};
use crate::strings::{AnsiString, WideString};

/// Any MAPIUID.
pub fn mapi_uid() -> impl Strategy<Value = MapiUid> {
    any::<[u8; 16]>().prop_map(MapiUid)
}

/// Any entry ID: any flag bytes, any provider UID, up to 64 bytes of provider data.
pub fn entry_id() -> impl Strategy<Value = EntryId> {
    (
        any::<[u8; 4]>(),
        mapi_uid(),
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(flags, uid, data)| EntryId::with_flags(flags, uid, data))
}

/// A long-term entry ID (flag bytes zero).
pub fn long_term_entry_id() -> impl Strategy<Value = EntryId> {
    (mapi_uid(), prop::collection::vec(any::<u8>(), 0..64)).prop_map(|(uid, data)| EntryId::new(uid, data))
}

/// A DLL name as a profile holds it: 1 to 40 characters of 8-bit text without NUL, often a plain
/// `NAME.DLL`, sometimes a full path.
pub fn dll_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][A-Z0-9]{0,7}\\.DLL",
        "[A-Za-z]:\\\\[A-Za-z0-9 ]{1,12}\\\\[A-Za-z0-9]{1,8}\\.dll",
        prop::collection::vec(1u8..=255, 1..40).prop_map(|bytes| bytes.into_iter().map(char::from).collect()),
    ]
}

/// A wrapped store entry ID around any non-empty original entry ID.
pub fn wrapped_store_entry_id() -> impl Strategy<Value = WrappedStoreEntryId> {
    (dll_name(), prop::collection::vec(any::<u8>(), 1..64))
        .prop_filter_map("names and IDs from dll_name() always wrap", |(name, original)| {
            WrappedStoreEntryId::wrap(&name, &original).ok()
        })
}

/// Flags of family `F` with any bits, unknown ones included.
pub fn any_flags<F: MapiFlags>() -> impl Strategy<Value = F> {
    any::<u32>().prop_map(F::from_raw)
}

/// Flags of family `F` with known bits only.
pub fn known_flags<F: MapiFlags>() -> impl Strategy<Value = F> {
    any::<u32>().prop_map(|bits| F::from_raw(bits & F::all().bits()))
}

/// A property value of one of the types this crate represents.
pub fn prop_value() -> impl Strategy<Value = PropValue> {
    let text = "[ -~]{0,24}";
    prop_oneof![
        Just(PropValue::Null),
        any::<i32>().prop_map(PropValue::Long),
        any::<bool>().prop_map(PropValue::Boolean),
        any::<i64>().prop_map(PropValue::I8),
        text.prop_map(|t| PropValue::String8(t.into())),
        text.prop_map(|t| PropValue::Unicode(t.into())),
        // Strings that are not text: bytes of any code page, UTF-16 with unpaired surrogates.
        prop::collection::vec(any::<u8>(), 0..24).prop_map(|b| PropValue::String8(AnsiString::from_bytes(b))),
        prop::collection::vec(any::<u16>(), 0..24)
            .prop_map(|u| PropValue::Unicode(WideString::from_units(u))),
        prop::collection::vec(any::<u8>(), 0..32).prop_map(PropValue::Binary),
        prop::collection::vec(any::<i32>(), 0..4).prop_map(PropValue::MvLong),
        prop::collection::vec(text, 0..4)
            .prop_map(|v| PropValue::MvString8(v.into_iter().map(Into::into).collect())),
        prop::collection::vec(text, 0..4)
            .prop_map(|v| PropValue::MvUnicode(v.into_iter().map(Into::into).collect())),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 0..4).prop_map(PropValue::MvBinary),
    ]
}

/// A property: an ID from 1 to 0xFFFE with a value whose type the tag carries.
pub fn prop() -> impl Strategy<Value = Prop> {
    (1u16..0xFFFF, prop_value()).prop_map(|(id, value)| Prop {
        tag: PropTag::new(id, value.prop_type()),
        value,
    })
}

/// A property bag of up to 16 properties.
pub fn prop_bag() -> impl Strategy<Value = PropBag> {
    prop::collection::vec(prop(), 0..16).prop_map(|props| props.into_iter().collect())
}

impl Arbitrary for MapiUid {
    type Parameters = ();
    type Strategy = BoxedStrategy<MapiUid>;

    fn arbitrary_with(_: ()) -> Self::Strategy {
        mapi_uid().boxed()
    }
}

impl Arbitrary for EntryId {
    type Parameters = ();
    type Strategy = BoxedStrategy<EntryId>;

    fn arbitrary_with(_: ()) -> Self::Strategy {
        entry_id().boxed()
    }
}

impl Arbitrary for WrappedStoreEntryId {
    type Parameters = ();
    type Strategy = BoxedStrategy<WrappedStoreEntryId>;

    fn arbitrary_with(_: ()) -> Self::Strategy {
        wrapped_store_entry_id().boxed()
    }
}
