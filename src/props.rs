//! Properties: tags ([`PropTag`], [`PropType`]), typed values ([`PropValue`]), an ordered
//! property bag ([`PropBag`]) for profile sections and status rows, and the well-known tags of
//! the profile and the status table with their exact values.
//!
//! A tag is `(id << 16) | type`. String properties exist in an 8-bit (`_A`, `PT_STRING8`) and a
//! UTF-16 (`_W`, `PT_UNICODE`) form; this crate names both, and the unsuffixed name is the
//! Unicode form (as in a Unicode build of the headers).
//!
//! ```
//! use mapisim::props::{PropBag, PropValue, PR_DISPLAY_NAME_W, PR_RESOURCE_FLAGS, PR_DISPLAY_NAME_A};
//!
//! let mut section = PropBag::new();
//! section.set(PR_DISPLAY_NAME_W, "Sample Store")?;
//! section.set(PR_RESOURCE_FLAGS, PropValue::Long(0x2))?;
//! assert_eq!(section.get_str(PR_DISPLAY_NAME_A), Some("Sample Store")); // either string form
//! assert_eq!(section.get_u32(PR_RESOURCE_FLAGS), Some(2));
//! assert!(section.set(PR_RESOURCE_FLAGS, "two").is_err()); // wrong type for the tag
//! # Ok::<(), mapisim::props::PropError>(())
//! ```

use std::fmt;

use uuid::Uuid;

use crate::error::MapiError;
use crate::ids::MapiUid;
use crate::strings::{AnsiString, TStr, WideString};

/// A property type (the low 16 bits of a tag). Types this crate has no value form for are kept as
/// numbers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropType(pub u16);

macro_rules! prop_types {
    ($( $(#[$doc:meta])* $konst:ident = $value:literal, $name:literal; )*) => {
        impl PropType {
            $( $(#[$doc])* pub const $konst: PropType = PropType($value); )*

            /// Every type this crate names, with its header name.
            pub const ALL: &'static [(&'static str, PropType)] = &[ $( ($name, PropType::$konst), )* ];
        }
    };
}

prop_types! {
    /// `PT_UNSPECIFIED`: type not given (used in tag arrays to ask for the stored type).
    UNSPECIFIED = 0x0000, "PT_UNSPECIFIED";
    /// `PT_NULL`: no value.
    NULL = 0x0001, "PT_NULL";
    /// `PT_I2` / `PT_SHORT`.
    SHORT = 0x0002, "PT_SHORT";
    /// `PT_LONG` / `PT_I4`: a 32-bit integer.
    LONG = 0x0003, "PT_LONG";
    /// `PT_FLOAT` / `PT_R4`.
    FLOAT = 0x0004, "PT_FLOAT";
    /// `PT_DOUBLE` / `PT_R8`.
    DOUBLE = 0x0005, "PT_DOUBLE";
    /// `PT_CURRENCY`.
    CURRENCY = 0x0006, "PT_CURRENCY";
    /// `PT_APPTIME`.
    APPTIME = 0x0007, "PT_APPTIME";
    /// `PT_ERROR`: the value is an `SCODE` saying why the property has no value.
    ERROR = 0x000A, "PT_ERROR";
    /// `PT_BOOLEAN`.
    BOOLEAN = 0x000B, "PT_BOOLEAN";
    /// `PT_OBJECT`.
    OBJECT = 0x000D, "PT_OBJECT";
    /// `PT_I8` / `PT_LONGLONG`: a 64-bit integer.
    I8 = 0x0014, "PT_I8";
    /// `PT_STRING8`: 8-bit text.
    STRING8 = 0x001E, "PT_STRING8";
    /// `PT_UNICODE`: UTF-16 text.
    UNICODE = 0x001F, "PT_UNICODE";
    /// `PT_SYSTIME`: a `FILETIME`.
    SYSTIME = 0x0040, "PT_SYSTIME";
    /// `PT_CLSID`: a GUID.
    CLSID = 0x0048, "PT_CLSID";
    /// `PT_BINARY`: counted bytes.
    BINARY = 0x0102, "PT_BINARY";
    /// `PT_MV_LONG`.
    MV_LONG = 0x1003, "PT_MV_LONG";
    /// `PT_MV_I8`.
    MV_I8 = 0x1014, "PT_MV_I8";
    /// `PT_MV_STRING8`.
    MV_STRING8 = 0x101E, "PT_MV_STRING8";
    /// `PT_MV_UNICODE`.
    MV_UNICODE = 0x101F, "PT_MV_UNICODE";
    /// `PT_MV_SYSTIME`.
    MV_SYSTIME = 0x1040, "PT_MV_SYSTIME";
    /// `PT_MV_CLSID`.
    MV_CLSID = 0x1048, "PT_MV_CLSID";
    /// `PT_MV_BINARY`.
    MV_BINARY = 0x1102, "PT_MV_BINARY";
}

impl PropType {
    /// `MV_FLAG`: the bit that makes a type multi-valued.
    pub const MV_FLAG: u16 = 0x1000;

    /// Whether this is a multi-valued type.
    pub const fn is_multi(self) -> bool {
        self.0 & Self::MV_FLAG != 0
    }

    /// The single-valued base type.
    pub const fn base(self) -> PropType {
        PropType(self.0 & !Self::MV_FLAG)
    }

    /// Whether this is a string type, 8-bit or Unicode, single or multi-valued.
    pub const fn is_string(self) -> bool {
        matches!(self.base(), PropType::STRING8 | PropType::UNICODE)
    }

    /// The header name (`"PT_LONG"`), if this crate names the type.
    pub fn name(self) -> Option<&'static str> {
        PropType::ALL.iter().find(|(_, t)| *t == self).map(|(n, _)| *n)
    }
}

impl fmt::Display for PropType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:04X}", self.0),
        }
    }
}

impl fmt::Debug for PropType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PropType({self})")
    }
}

/// A property tag: the property ID in the high 16 bits, the [`PropType`] in the low 16.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropTag(pub u32);

impl PropTag {
    /// `PROP_TAG(type, id)`.
    pub const fn new(id: u16, ty: PropType) -> PropTag {
        PropTag(((id as u32) << 16) | ty.0 as u32)
    }

    /// `PROP_ID(tag)`.
    pub const fn id(self) -> u16 {
        (self.0 >> 16) as u16
    }

    /// `PROP_TYPE(tag)`.
    pub const fn prop_type(self) -> PropType {
        PropType(self.0 as u16)
    }

    /// `CHANGE_PROP_TYPE(tag, type)`.
    pub const fn with_type(self, ty: PropType) -> PropTag {
        PropTag::new(self.id(), ty)
    }

    /// The raw 32-bit tag.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// Whether the ID is in 0x6600–0x67FF, the range for a provider's private data in its
    /// profile section.
    pub const fn is_provider_private(self) -> bool {
        matches!(self.id(), 0x6600..=0x67FF)
    }

    /// Whether the ID is in `PROP_ID_SECURE_MIN`..=`PROP_ID_SECURE_MAX` (0x67F0–0x67FF).
    pub const fn is_secure(self) -> bool {
        matches!(self.id(), PROP_ID_SECURE_MIN..=PROP_ID_SECURE_MAX)
    }

    /// The well-known name of this tag (`"PR_DISPLAY_NAME_W"`), if it is one of
    /// [`WELL_KNOWN_TAGS`].
    pub fn name(self) -> Option<&'static str> {
        WELL_KNOWN_TAGS.iter().find(|(_, t)| *t == self).map(|(n, _)| *n)
    }

    /// The well-known tag with this name (`"PR_DISPLAY_NAME"`, `"PR_DISPLAY_NAME_A"`, …).
    pub fn from_name(name: &str) -> Option<PropTag> {
        WELL_KNOWN_TAGS
            .iter()
            .chain(UNSUFFIXED_TAGS)
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
    }
}

impl fmt::Display for PropTag {
    /// The well-known name, or the tag as 8 hexadecimal digits (`0x6600001E`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:08X}", self.0),
        }
    }
}

impl fmt::Debug for PropTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PropTag({self})")
    }
}

/// `PROP_ID_NULL`: MAPI never uses property ID 0.
pub const PROP_ID_NULL: u16 = 0;
/// `PROP_ID_INVALID`: MAPI never uses property ID 0xFFFF.
pub const PROP_ID_INVALID: u16 = 0xFFFF;
/// `PROP_ID_SECURE_MIN`: first ID of the secure (protected) provider-private range.
pub const PROP_ID_SECURE_MIN: u16 = 0x67F0;
/// `PROP_ID_SECURE_MAX`: last ID of the secure provider-private range.
pub const PROP_ID_SECURE_MAX: u16 = 0x67FF;

macro_rules! well_known_tags {
    (
        $( $(#[$doc:meta])* $konst:ident = $value:literal; )*
        ; strings:
        $( $(#[$sdoc:meta])* $base:ident / $a:ident / $w:ident = $id:literal; )*
    ) => {
        $( $(#[$doc])* pub const $konst: PropTag = PropTag($value); )*
        $(
            $(#[$sdoc])*
            ///
            /// The 8-bit form (`PT_STRING8`).
            pub const $a: PropTag = PropTag::new($id, PropType::STRING8);
            $(#[$sdoc])*
            ///
            /// The Unicode form (`PT_UNICODE`).
            pub const $w: PropTag = PropTag::new($id, PropType::UNICODE);
        )*

        /// Every well-known tag with its name; string properties appear in their `_A` and `_W`
        /// forms.
        pub const WELL_KNOWN_TAGS: &[(&str, PropTag)] = &[
            $( (stringify!($konst), $konst), )*
            $( (stringify!($a), $a), (stringify!($w), $w), )*
        ];

        /// The unsuffixed names of string properties, which this crate resolves to the Unicode
        /// form (`PR_DISPLAY_NAME` is `PR_DISPLAY_NAME_W`).
        pub const UNSUFFIXED_TAGS: &[(&str, PropTag)] = &[
            $( (stringify!($base), $w), )*
        ];
    };
}

well_known_tags! {
    /// `PR_ENTRYID`.
    PR_ENTRYID = 0x0FFF_0102;
    /// `PR_RECORD_KEY`.
    PR_RECORD_KEY = 0x0FF9_0102;
    /// `PR_STORE_ENTRYID`.
    PR_STORE_ENTRYID = 0x0FFB_0102;
    /// `PR_STORE_RECORD_KEY`.
    PR_STORE_RECORD_KEY = 0x0FFA_0102;
    /// `PR_OBJECT_TYPE`.
    PR_OBJECT_TYPE = 0x0FFE_0003;
    /// `PR_INSTANCE_KEY`.
    PR_INSTANCE_KEY = 0x0FF6_0102;
    /// `PR_ACCESS_LEVEL`.
    PR_ACCESS_LEVEL = 0x0FF7_0003;
    /// `PR_ROWID`.
    PR_ROWID = 0x3000_0003;
    /// `PR_RESOURCE_FLAGS`: static, modifiable and dynamic flags of a provider or service;
    /// read-only while a provider logs on.
    PR_RESOURCE_FLAGS = 0x3009_0003;
    /// `PR_SEARCH_KEY`.
    PR_SEARCH_KEY = 0x300B_0102;
    /// `PR_PROVIDER_UID`: the provider's MAPIUID (a provider-table column).
    PR_PROVIDER_UID = 0x300C_0102;
    /// `PR_PROVIDER_ORDINAL`: zero-based position in the provider table, computed by MAPI.
    PR_PROVIDER_ORDINAL = 0x300D_0003;
    /// `PR_DEFAULT_STORE`.
    PR_DEFAULT_STORE = 0x3400_000B;
    /// `PR_STORE_SUPPORT_MASK`.
    PR_STORE_SUPPORT_MASK = 0x340D_0003;
    /// `PR_STORE_STATE`.
    PR_STORE_STATE = 0x340E_0003;
    /// `PR_MDB_PROVIDER`: the MAPIUID naming the store type.
    PR_MDB_PROVIDER = 0x3414_0102;
    /// `PR_STORE_PROVIDERS`: MAPI-reserved list of store-provider section UIDs.
    PR_STORE_PROVIDERS = 0x3D00_0102;
    /// `PR_AB_PROVIDERS`: MAPI-reserved.
    PR_AB_PROVIDERS = 0x3D01_0102;
    /// `PR_TRANSPORT_PROVIDERS`: MAPI-reserved.
    PR_TRANSPORT_PROVIDERS = 0x3D02_0102;
    /// `PR_AB_SEARCH_PATH`.
    PR_AB_SEARCH_PATH = 0x3D05_1102;
    /// `PR_AB_DEFAULT_DIR`.
    PR_AB_DEFAULT_DIR = 0x3D06_0102;
    /// `PR_AB_DEFAULT_PAB`.
    PR_AB_DEFAULT_PAB = 0x3D07_0102;
    /// `PR_FILTERING_HOOKS`.
    PR_FILTERING_HOOKS = 0x3D08_0102;
    /// `PR_SERVICE_ENTRY_NAME`: the exported name of the message-service entry point (8-bit only).
    PR_SERVICE_ENTRY_NAME = 0x3D0B_001E;
    /// `PR_SERVICE_UID`: computed by MAPI; must not appear in Mapisvc.inf.
    PR_SERVICE_UID = 0x3D0C_0102;
    /// `PR_SERVICE_EXTRA_UIDS`: extra profile sections copied with the service.
    PR_SERVICE_EXTRA_UIDS = 0x3D0D_0102;
    /// `PR_SERVICES`: MAPI-reserved.
    PR_SERVICES = 0x3D0E_0102;
    /// `PR_IDENTITY_ENTRYID` (status row).
    PR_IDENTITY_ENTRYID = 0x3E01_0102;
    /// `PR_RESOURCE_METHODS` (status row).
    PR_RESOURCE_METHODS = 0x3E02_0003;
    /// `PR_RESOURCE_TYPE`.
    PR_RESOURCE_TYPE = 0x3E03_0003;
    /// `PR_STATUS_CODE` (status row).
    PR_STATUS_CODE = 0x3E04_0003;
    /// `PR_IDENTITY_SEARCH_KEY`.
    PR_IDENTITY_SEARCH_KEY = 0x3E05_0102;
    /// `PR_OWN_STORE_ENTRYID`: published by a transport tightly coupled to a store.
    PR_OWN_STORE_ENTRYID = 0x3E06_0102;
    /// `PR_REMOTE_VALIDATE_OK`.
    PR_REMOTE_VALIDATE_OK = 0x3E0D_000B;
    ; strings:
    /// `PR_MESSAGE_CLASS`: the kind of a message (`IPM.Note`).
    PR_MESSAGE_CLASS / PR_MESSAGE_CLASS_A / PR_MESSAGE_CLASS_W = 0x001A;
    /// `PR_SUBJECT`: a message's full subject.
    PR_SUBJECT / PR_SUBJECT_A / PR_SUBJECT_W = 0x0037;
    /// `PR_DISPLAY_NAME`.
    PR_DISPLAY_NAME / PR_DISPLAY_NAME_A / PR_DISPLAY_NAME_W = 0x3001;
    /// `PR_ADDRTYPE`: a recipient's address type (`SMTP`, or a transport's own).
    PR_ADDRTYPE / PR_ADDRTYPE_A / PR_ADDRTYPE_W = 0x3002;
    /// `PR_PROVIDER_DISPLAY`: required in a provider's Mapisvc.inf section.
    PR_PROVIDER_DISPLAY / PR_PROVIDER_DISPLAY_A / PR_PROVIDER_DISPLAY_W = 0x3006;
    /// `PR_PROVIDER_DLL_NAME`: the base DLL name, without `32`; read-only while a provider logs on.
    PR_PROVIDER_DLL_NAME / PR_PROVIDER_DLL_NAME_A / PR_PROVIDER_DLL_NAME_W = 0x300A;
    /// `PR_SERVICE_NAME`: the key of the service in `[Services]`; not localised.
    PR_SERVICE_NAME / PR_SERVICE_NAME_A / PR_SERVICE_NAME_W = 0x3D09;
    /// `PR_SERVICE_DLL_NAME`: the DLL holding the message-service entry point.
    PR_SERVICE_DLL_NAME / PR_SERVICE_DLL_NAME_A / PR_SERVICE_DLL_NAME_W = 0x3D0A;
    /// `PR_PROFILE_NAME`.
    PR_PROFILE_NAME / PR_PROFILE_NAME_A / PR_PROFILE_NAME_W = 0x3D12;
    /// `PR_IDENTITY_DISPLAY` (status row).
    PR_IDENTITY_DISPLAY / PR_IDENTITY_DISPLAY_A / PR_IDENTITY_DISPLAY_W = 0x3E00;
    /// `PR_RESOURCE_PATH`.
    PR_RESOURCE_PATH / PR_RESOURCE_PATH_A / PR_RESOURCE_PATH_W = 0x3E07;
    /// `PR_STATUS_STRING` (status row).
    PR_STATUS_STRING / PR_STATUS_STRING_A / PR_STATUS_STRING_W = 0x3E08;
}

/// `PR_SERVICE_SUPPORT_FILES`, 8-bit form (`PT_MV_STRING8`).
pub const PR_SERVICE_SUPPORT_FILES_A: PropTag = PropTag(0x3D0F_101E);
/// `PR_SERVICE_SUPPORT_FILES`, Unicode form (`PT_MV_UNICODE`).
pub const PR_SERVICE_SUPPORT_FILES_W: PropTag = PropTag(0x3D0F_101F);
/// `PR_SERVICE_DELETE_FILES`, 8-bit form (`PT_MV_STRING8`).
pub const PR_SERVICE_DELETE_FILES_A: PropTag = PropTag(0x3D10_101E);
/// `PR_SERVICE_DELETE_FILES`, Unicode form (`PT_MV_UNICODE`).
pub const PR_SERVICE_DELETE_FILES_W: PropTag = PropTag(0x3D10_101F);

/// The multi-valued string tags, named like [`WELL_KNOWN_TAGS`] (the unsuffixed name is the
/// Unicode form).
pub const MULTI_STRING_TAGS: &[(&str, PropTag)] = &[
    ("PR_SERVICE_SUPPORT_FILES_A", PR_SERVICE_SUPPORT_FILES_A),
    ("PR_SERVICE_SUPPORT_FILES_W", PR_SERVICE_SUPPORT_FILES_W),
    ("PR_SERVICE_SUPPORT_FILES", PR_SERVICE_SUPPORT_FILES_W),
    ("PR_SERVICE_DELETE_FILES_A", PR_SERVICE_DELETE_FILES_A),
    ("PR_SERVICE_DELETE_FILES_W", PR_SERVICE_DELETE_FILES_W),
    ("PR_SERVICE_DELETE_FILES", PR_SERVICE_DELETE_FILES_W),
];

/// Looks a tag up by name across [`WELL_KNOWN_TAGS`], [`UNSUFFIXED_TAGS`] and
/// [`MULTI_STRING_TAGS`].
pub fn tag_by_name(name: &str) -> Option<PropTag> {
    PropTag::from_name(name).or_else(|| {
        MULTI_STRING_TAGS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
    })
}

/// A `FILETIME`: 100-nanosecond intervals since 1 January 1601 (UTC).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Default)]
pub struct FileTime(pub u64);

/// A typed property value. Each variant belongs to one [`PropType`] ([`PropValue::prop_type`]).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum PropValue {
    /// `PT_NULL`.
    Null,
    /// `PT_LONG`. Flag-valued properties use the bits: see [`PropValue::from_u32`].
    Long(i32),
    /// `PT_BOOLEAN`.
    Boolean(bool),
    /// `PT_I8`.
    I8(i64),
    /// `PT_STRING8`: 8-bit characters, exactly as given, with their text.
    String8(AnsiString),
    /// `PT_UNICODE`: UTF-16 code units, exactly as given, with their text.
    Unicode(WideString),
    /// `PT_BINARY`.
    Binary(Vec<u8>),
    /// `PT_SYSTIME`.
    SysTime(FileTime),
    /// `PT_CLSID`.
    Clsid(Uuid),
    /// `PT_ERROR`: why the property has no value.
    Error(MapiError),
    /// `PT_MV_LONG`.
    MvLong(Vec<i32>),
    /// `PT_MV_I8`.
    MvI8(Vec<i64>),
    /// `PT_MV_STRING8`.
    MvString8(Vec<AnsiString>),
    /// `PT_MV_UNICODE`.
    MvUnicode(Vec<WideString>),
    /// `PT_MV_BINARY`.
    MvBinary(Vec<Vec<u8>>),
    /// `PT_MV_SYSTIME`.
    MvSysTime(Vec<FileTime>),
    /// `PT_MV_CLSID`.
    MvClsid(Vec<Uuid>),
}

impl PropValue {
    /// The type this value has.
    pub fn prop_type(&self) -> PropType {
        match self {
            PropValue::Null => PropType::NULL,
            PropValue::Long(_) => PropType::LONG,
            PropValue::Boolean(_) => PropType::BOOLEAN,
            PropValue::I8(_) => PropType::I8,
            PropValue::String8(_) => PropType::STRING8,
            PropValue::Unicode(_) => PropType::UNICODE,
            PropValue::Binary(_) => PropType::BINARY,
            PropValue::SysTime(_) => PropType::SYSTIME,
            PropValue::Clsid(_) => PropType::CLSID,
            PropValue::Error(_) => PropType::ERROR,
            PropValue::MvLong(_) => PropType::MV_LONG,
            PropValue::MvI8(_) => PropType::MV_I8,
            PropValue::MvString8(_) => PropType::MV_STRING8,
            PropValue::MvUnicode(_) => PropType::MV_UNICODE,
            PropValue::MvBinary(_) => PropType::MV_BINARY,
            PropValue::MvSysTime(_) => PropType::MV_SYSTIME,
            PropValue::MvClsid(_) => PropType::MV_CLSID,
        }
    }

    /// A `PT_LONG` holding these bits (flags, counts).
    pub const fn from_u32(bits: u32) -> PropValue {
        PropValue::Long(bits as i32)
    }

    /// A string value of the given string type (`PT_STRING8` or `PT_UNICODE`, single or
    /// multi-valued base); `None` for any other type.
    pub fn string_of_type(ty: PropType, text: &str) -> Option<PropValue> {
        match ty {
            PropType::STRING8 => Some(PropValue::String8(text.into())),
            PropType::UNICODE => Some(PropValue::Unicode(text.into())),
            _ => None,
        }
    }

    /// The text of a string value, 8-bit or Unicode (see [`AnsiString::as_str`] and
    /// [`WideString::as_str`]; the exact value is [`PropValue::as_tstr`]).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PropValue::String8(s) => Some(s.as_str()),
            PropValue::Unicode(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// A single-valued string exactly as MAPI holds it: 8-bit bytes or UTF-16 code units.
    pub fn as_tstr(&self) -> Option<TStr<'_>> {
        match self {
            PropValue::String8(s) => Some(s.as_tstr()),
            PropValue::Unicode(s) => Some(s.as_tstr()),
            _ => None,
        }
    }

    /// The bits of a `PT_LONG`.
    pub fn as_u32(&self) -> Option<u32> {
        match self {
            PropValue::Long(v) => Some(*v as u32),
            _ => None,
        }
    }
}

impl fmt::Display for PropValue {
    /// A short human form: numbers in decimal and hexadecimal, strings quoted, bytes in hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
            f.write_str("0x")?;
            crate::sync::write_hex(f, bytes, true)
        }
        fn list<T>(
            f: &mut fmt::Formatter<'_>,
            items: &[T],
            each: impl Fn(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
        ) -> fmt::Result {
            f.write_str("[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                each(f, item)?;
            }
            f.write_str("]")
        }
        match self {
            PropValue::Null => f.write_str("null"),
            PropValue::Long(v) => write!(f, "{v} (0x{:08X})", *v as u32),
            PropValue::Boolean(b) => write!(f, "{b}"),
            PropValue::I8(v) => write!(f, "{v}"),
            PropValue::String8(s) => write!(f, "{s:?}"),
            PropValue::Unicode(s) => write!(f, "{s:?}"),
            PropValue::Binary(b) => hex(f, b),
            PropValue::SysTime(t) => write!(f, "filetime {}", t.0),
            PropValue::Clsid(g) => write!(f, "{{{}}}", g.hyphenated()),
            PropValue::Error(e) => write!(f, "error {e}"),
            PropValue::MvLong(v) => list(f, v, |f, x| write!(f, "{x}")),
            PropValue::MvI8(v) => list(f, v, |f, x| write!(f, "{x}")),
            PropValue::MvString8(v) => list(f, v, |f, x| write!(f, "{x:?}")),
            PropValue::MvUnicode(v) => list(f, v, |f, x| write!(f, "{x:?}")),
            PropValue::MvBinary(v) => list(f, v, |f, x| hex(f, x)),
            PropValue::MvSysTime(v) => list(f, v, |f, x| write!(f, "filetime {}", x.0)),
            PropValue::MvClsid(v) => list(f, v, |f, x| write!(f, "{{{}}}", x.hyphenated())),
        }
    }
}

impl From<i32> for PropValue {
    fn from(v: i32) -> Self {
        PropValue::Long(v)
    }
}

impl From<u32> for PropValue {
    fn from(v: u32) -> Self {
        PropValue::from_u32(v)
    }
}

impl From<bool> for PropValue {
    fn from(v: bool) -> Self {
        PropValue::Boolean(v)
    }
}

impl From<i64> for PropValue {
    fn from(v: i64) -> Self {
        PropValue::I8(v)
    }
}

impl From<&str> for PropValue {
    /// A `PT_UNICODE` string. [`PropBag::set`] turns it into `PT_STRING8` when the tag asks for it.
    fn from(v: &str) -> Self {
        PropValue::Unicode(v.into())
    }
}

impl From<String> for PropValue {
    /// A `PT_UNICODE` string. [`PropBag::set`] turns it into `PT_STRING8` when the tag asks for it.
    fn from(v: String) -> Self {
        PropValue::Unicode(v.into())
    }
}

impl From<Vec<u8>> for PropValue {
    fn from(v: Vec<u8>) -> Self {
        PropValue::Binary(v)
    }
}

impl From<&[u8]> for PropValue {
    fn from(v: &[u8]) -> Self {
        PropValue::Binary(v.to_vec())
    }
}

impl From<MapiUid> for PropValue {
    /// The 16 bytes as `PT_BINARY`, as MAPI stores UIDs in properties.
    fn from(v: MapiUid) -> Self {
        PropValue::Binary(v.0.to_vec())
    }
}

impl From<MapiError> for PropValue {
    fn from(v: MapiError) -> Self {
        PropValue::Error(v)
    }
}

/// A property operation that does not fit the tag.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PropError {
    /// The value's type is not the tag's type.
    #[error("property {tag} has type {expected}, but the value is {found}")]
    TypeMismatch {
        /// The tag written to.
        tag: PropTag,
        /// The tag's type.
        expected: PropType,
        /// The value's type.
        found: PropType,
    },
    /// A tag with property ID 0 or 0xFFFF, which MAPI never uses.
    #[error("property ID 0x{0:04X} is reserved (PROP_ID_NULL or PROP_ID_INVALID)")]
    ReservedId(u16),
}

/// One property of a [`PropBag`].
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Prop {
    /// The tag, with the type of the value.
    pub tag: PropTag,
    /// The value.
    pub value: PropValue,
}

/// An ordered set of properties, at most one per property ID, in the order first set.
///
/// Profile sections, status rows and the properties a store returns are property bags. Setting a
/// property with an ID that is already present replaces it in place (whatever its type, as
/// `SetProps` does).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct PropBag {
    props: Vec<Prop>,
}

impl PropBag {
    /// An empty bag.
    pub fn new() -> PropBag {
        PropBag::default()
    }

    /// An empty bag with room for `n` properties.
    pub(crate) fn with_capacity(n: usize) -> PropBag {
        PropBag {
            props: Vec::with_capacity(n),
        }
    }

    /// Adds properties as [`FromIterator`] collects them: a property with an ID already present
    /// replaces the earlier one, and each tag takes the type of its value.
    pub(crate) fn extend(&mut self, props: impl IntoIterator<Item = Prop>) {
        for mut p in props {
            p.tag = p.tag.with_type(p.value.prop_type());
            match self.position(p.tag.id()) {
                Some(i) => self.props[i] = p,
                None => self.props.push(p),
            }
        }
    }

    /// Frees the room kept for more properties (for a bag kept long, such as a status row).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.props.shrink_to_fit();
    }

    /// The number of properties.
    pub fn len(&self) -> usize {
        self.props.len()
    }

    /// Whether the bag holds nothing.
    pub fn is_empty(&self) -> bool {
        self.props.is_empty()
    }

    /// The properties in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Prop> {
        self.props.iter()
    }

    /// The tags in order.
    pub fn tags(&self) -> impl Iterator<Item = PropTag> + '_ {
        self.props.iter().map(|p| p.tag)
    }

    fn position(&self, id: u16) -> Option<usize> {
        self.props.iter().position(|p| p.tag.id() == id)
    }

    /// Sets a property, replacing any property with the same ID, and returns the value it
    /// replaced. The value must have the tag's type, except that text given as a Unicode string
    /// is stored as `PT_STRING8` under an 8-bit tag (and the reverse), and that a `PT_ERROR`
    /// value may be stored under any tag (its tag becomes the `PT_ERROR` form).
    pub fn set(&mut self, tag: PropTag, value: impl Into<PropValue>) -> Result<Option<PropValue>, PropError> {
        let id = tag.id();
        if id == PROP_ID_NULL || id == PROP_ID_INVALID {
            return Err(PropError::ReservedId(id));
        }
        let value = coerce(tag, value.into())?;
        let tag = tag.with_type(value.prop_type());
        match self.position(id) {
            Some(i) => {
                let old = std::mem::replace(&mut self.props[i], Prop { tag, value });
                Ok(Some(old.value))
            }
            None => {
                self.props.push(Prop { tag, value });
                Ok(None)
            }
        }
    }

    /// Stores a property under the tag's ID, replacing in place any property with the same ID,
    /// and returns the bag, so that calls chain. It cannot fail: it stores what it is given. Text
    /// takes the tag's string form (`PT_STRING8` or `PT_UNICODE`); any other value keeps its own
    /// type (`tag.with_type(value.prop_type())`).
    ///
    /// [`PropBag::set`] checks instead: it refuses a value whose type is not the tag's and the
    /// reserved IDs `PROP_ID_NULL` and `PROP_ID_INVALID`, and it returns the value it replaced.
    /// Use `put` where the value is known to be right, such as a literal for a well-known tag.
    ///
    /// ```
    /// use mapisim::props::{PropBag, PropType, PR_DISPLAY_NAME_A, PR_DISPLAY_NAME_W, PR_RESOURCE_FLAGS};
    ///
    /// let mut row = PropBag::new();
    /// row.put(PR_DISPLAY_NAME_W, "Sample Store").put(PR_RESOURCE_FLAGS, 0x2u32);
    /// assert_eq!(row.get_u32(PR_RESOURCE_FLAGS), Some(2));
    ///
    /// // Text takes the tag's string form: the 8-bit tag holds an 8-bit string, in the same place.
    /// row.put(PR_DISPLAY_NAME_A, "Renamed");
    /// let first = row.iter().next().expect("two properties");
    /// assert_eq!(first.tag.prop_type(), PropType::STRING8);
    /// assert_eq!(row.get_str(PR_DISPLAY_NAME_W), Some("Renamed"));
    /// ```
    pub fn put(&mut self, tag: PropTag, value: impl Into<PropValue>) -> &mut PropBag {
        let value = string_form(tag.prop_type(), value.into());
        let prop = Prop {
            tag: tag.with_type(value.prop_type()),
            value,
        };
        match self.position(tag.id()) {
            Some(i) => self.props[i] = prop,
            None => self.props.push(prop),
        }
        self
    }

    /// Sets every property of `other` into this bag, in `other`'s order (a merge, as
    /// `STATUSROW_UPDATE` does).
    pub fn merge(&mut self, other: &PropBag) {
        for p in &other.props {
            match self.position(p.tag.id()) {
                Some(i) => self.props[i] = p.clone(),
                None => self.props.push(p.clone()),
            }
        }
    }

    /// The property with this tag's ID and type. A `PT_UNSPECIFIED` tag matches any type; a string
    /// tag matches either string form.
    pub fn get(&self, tag: PropTag) -> Option<&PropValue> {
        let p = self.props.get(self.position(tag.id())?)?;
        let want = tag.prop_type();
        let have = p.tag.prop_type();
        let matches = want == PropType::UNSPECIFIED
            || want == have
            || (want.is_string() && have.is_string() && want.is_multi() == have.is_multi());
        matches.then_some(&p.value)
    }

    /// The property with this ID, whatever its type, with its full tag.
    pub fn get_by_id(&self, id: u16) -> Option<&Prop> {
        self.props.get(self.position(id)?)
    }

    /// Whether a property with this tag's ID is present.
    pub fn contains(&self, tag: PropTag) -> bool {
        self.position(tag.id()).is_some()
    }

    /// Removes the property with this tag's ID and returns it.
    pub fn remove(&mut self, tag: PropTag) -> Option<Prop> {
        let i = self.position(tag.id())?;
        Some(self.props.remove(i))
    }

    /// What `IMAPIProp::GetProps` answers from this bag: every property for `None`; otherwise the
    /// properties asked for, in order, each missing one as a `PT_ERROR` value
    /// (`MAPI_E_NOT_FOUND`), and then the warning `MAPI_W_ERRORS_RETURNED`.
    ///
    /// ```
    /// use mapisim::props::{PropBag, PR_DISPLAY_NAME_W, PR_RECORD_KEY, PropType};
    /// use mapisim::MapiWarning;
    ///
    /// let mut bag = PropBag::new();
    /// bag.set(PR_DISPLAY_NAME_W, "Store")?;
    /// let answer = bag.select(Some(&[PR_DISPLAY_NAME_W, PR_RECORD_KEY]));
    /// assert_eq!(answer.warning, Some(MapiWarning::ErrorsReturned));
    /// assert_eq!(answer.value[1].tag.prop_type(), PropType::ERROR);
    /// # Ok::<(), mapisim::props::PropError>(())
    /// ```
    pub fn select(&self, tags: Option<&[PropTag]>) -> crate::error::Warned<Vec<Prop>> {
        let Some(tags) = tags else {
            return crate::error::Warned::ok(self.props.clone());
        };
        let mut missing = false;
        let values = tags
            .iter()
            .map(|&tag| match self.get(tag) {
                Some(value) => Prop {
                    tag: tag.with_type(value.prop_type()),
                    value: value.clone(),
                },
                None => {
                    missing = true;
                    Prop {
                        tag: tag.with_type(PropType::ERROR),
                        value: PropValue::Error(MapiError::NotFound),
                    }
                }
            })
            .collect();
        if missing {
            crate::error::Warned::with_warning(values, crate::error::MapiWarning::ErrorsReturned)
        } else {
            crate::error::Warned::ok(values)
        }
    }

    /// A `PT_LONG` value.
    pub fn get_long(&self, tag: PropTag) -> Option<i32> {
        match self.get(tag.with_type(PropType::LONG))? {
            PropValue::Long(v) => Some(*v),
            _ => None,
        }
    }

    /// The bits of a `PT_LONG` value (for flags).
    pub fn get_u32(&self, tag: PropTag) -> Option<u32> {
        self.get_long(tag).map(|v| v as u32)
    }

    /// A `PT_BOOLEAN` value.
    pub fn get_bool(&self, tag: PropTag) -> Option<bool> {
        match self.get(tag.with_type(PropType::BOOLEAN))? {
            PropValue::Boolean(v) => Some(*v),
            _ => None,
        }
    }

    /// The text of a string value, in either string form.
    pub fn get_str(&self, tag: PropTag) -> Option<&str> {
        self.get(tag.with_type(PropType::UNICODE))?.as_str()
    }

    /// A `PT_BINARY` value.
    pub fn get_binary(&self, tag: PropTag) -> Option<&[u8]> {
        match self.get(tag.with_type(PropType::BINARY))? {
            PropValue::Binary(v) => Some(v),
            _ => None,
        }
    }

    /// A `PT_BINARY` value of exactly 16 bytes, as a [`MapiUid`].
    pub fn get_uid(&self, tag: PropTag) -> Option<MapiUid> {
        let bytes: [u8; 16] = self.get_binary(tag)?.try_into().ok()?;
        Some(MapiUid(bytes))
    }

    /// The texts of a multi-valued string, in either string form.
    pub fn get_strings(&self, tag: PropTag) -> Option<Vec<&str>> {
        match self.get(tag.with_type(PropType::MV_UNICODE))? {
            PropValue::MvString8(v) => Some(v.iter().map(|s| s.as_str()).collect()),
            PropValue::MvUnicode(v) => Some(v.iter().map(|s| s.as_str()).collect()),
            _ => None,
        }
    }
}

/// Converts text between the two string forms to fit the tag, and checks the type.
/// Text in the string form `want` asks for (8-bit or Unicode, single or multi-valued); any other
/// value unchanged.
fn string_form(want: PropType, value: PropValue) -> PropValue {
    match (want, value) {
        (PropType::STRING8, PropValue::Unicode(s)) => PropValue::String8(s.as_str().into()),
        (PropType::UNICODE, PropValue::String8(s)) => PropValue::Unicode(s.as_str().into()),
        (PropType::MV_STRING8, PropValue::MvUnicode(v)) => {
            PropValue::MvString8(v.iter().map(|s| s.as_str().into()).collect())
        }
        (PropType::MV_UNICODE, PropValue::MvString8(v)) => {
            PropValue::MvUnicode(v.iter().map(|s| s.as_str().into()).collect())
        }
        (_, v) => v,
    }
}

fn coerce(tag: PropTag, value: PropValue) -> Result<PropValue, PropError> {
    let want = tag.prop_type();
    let value = string_form(want, value);
    let found = value.prop_type();
    if found == want || found == PropType::ERROR || want == PropType::UNSPECIFIED {
        Ok(value)
    } else {
        Err(PropError::TypeMismatch {
            tag,
            expected: want,
            found,
        })
    }
}

impl<'a> IntoIterator for &'a PropBag {
    type Item = &'a Prop;
    type IntoIter = std::slice::Iter<'a, Prop>;

    fn into_iter(self) -> Self::IntoIter {
        self.props.iter()
    }
}

impl FromIterator<Prop> for PropBag {
    /// Collects properties; a later property with an ID already present replaces the earlier one.
    /// Each tag takes the type of its value.
    fn from_iter<I: IntoIterator<Item = Prop>>(iter: I) -> Self {
        let mut bag = PropBag::new();
        bag.extend(iter);
        bag
    }
}

impl fmt::Display for PropBag {
    /// One property a line: `PR_DISPLAY_NAME_W = "Sample"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.props {
            writeln!(f, "{} = {}", p.tag, p.value)?;
        }
        Ok(())
    }
}

/// `MNID_ID`: the `ulKind` of a named property identified by a number.
pub const MNID_ID: u32 = 0;
/// `MNID_STRING`: the `ulKind` of a named property identified by a UTF-16 name.
pub const MNID_STRING: u32 = 1;

/// The second half of a property name ([`NameId`]): the `ulKind` and `Kind` members of
/// `MAPINAMEID`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum NameKind {
    /// `MNID_ID`: `Kind.lID`, a number.
    Id(i32),
    /// `MNID_STRING`: `Kind.lpwstrName`, UTF-16 code units without the terminating NUL, kept
    /// exactly as given.
    Name(Vec<u16>),
}

impl NameKind {
    /// The `ulKind` value: [`MNID_ID`] or [`MNID_STRING`].
    pub const fn ul_kind(&self) -> u32 {
        match self {
            NameKind::Id(_) => MNID_ID,
            NameKind::Name(_) => MNID_STRING,
        }
    }
}

/// `MAPINAMEID`: the name of a named property, a property-set GUID (`lpguid`) and either a number
/// or a UTF-16 string. `IMAPIProp::GetIDsFromNames` maps names to property IDs,
/// `GetNamesFromIDs` maps back.
///
/// ```
/// use mapisim::props::{NameId, MNID_ID, MNID_STRING};
/// use uuid::uuid;
///
/// // PSETID_Common, {00062008-0000-0000-C000-000000000046}.
/// let common = uuid!("00062008-0000-0000-C000-000000000046");
/// let reminder = NameId::with_id(common, 0x8501);
/// assert_eq!(reminder.ul_kind(), MNID_ID);
/// assert_eq!(reminder.id(), Some(0x8501));
/// assert_eq!(reminder.name(), None);
///
/// let keywords = NameId::with_str(common, "Keywords");
/// assert_eq!(keywords.ul_kind(), MNID_STRING);
/// assert_eq!(keywords.name().map(<[u16]>::len), Some(8));
/// assert_eq!(keywords.to_string(), "{00062008-0000-0000-C000-000000000046}:\"Keywords\"");
/// assert_eq!(keywords.guid(), common);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NameId {
    guid: Uuid,
    kind: NameKind,
}

impl NameId {
    /// A name from its property set and its kind.
    pub const fn new(guid: Uuid, kind: NameKind) -> NameId {
        NameId { guid, kind }
    }

    /// A numeric name (`MNID_ID`).
    pub const fn with_id(guid: Uuid, id: i32) -> NameId {
        NameId::new(guid, NameKind::Id(id))
    }

    /// A string name (`MNID_STRING`) from UTF-16 code units (without the terminating NUL).
    pub const fn with_name(guid: Uuid, name: Vec<u16>) -> NameId {
        NameId::new(guid, NameKind::Name(name))
    }

    /// A string name (`MNID_STRING`) from text, encoded as UTF-16.
    pub fn with_str(guid: Uuid, name: &str) -> NameId {
        NameId::with_name(guid, name.encode_utf16().collect())
    }

    /// `lpguid`: the property set.
    pub const fn guid(&self) -> Uuid {
        self.guid
    }

    /// `ulKind` with `Kind`.
    pub const fn kind(&self) -> &NameKind {
        &self.kind
    }

    /// `ulKind`: [`MNID_ID`] or [`MNID_STRING`].
    pub const fn ul_kind(&self) -> u32 {
        self.kind.ul_kind()
    }

    /// `Kind.lID` of a numeric name; `None` for a string name.
    pub const fn id(&self) -> Option<i32> {
        match self.kind {
            NameKind::Id(id) => Some(id),
            NameKind::Name(_) => None,
        }
    }

    /// `Kind.lpwstrName` of a string name, as UTF-16 code units; `None` for a numeric name.
    pub fn name(&self) -> Option<&[u16]> {
        match &self.kind {
            NameKind::Id(_) => None,
            NameKind::Name(name) => Some(name),
        }
    }

    /// The string name decoded for people (unpaired surrogates become `U+FFFD`); `None` for a
    /// numeric name.
    pub fn name_lossy(&self) -> Option<String> {
        self.name().map(String::from_utf16_lossy)
    }
}

impl fmt::Display for NameId {
    /// `{GUID}:0x8501` for a numeric name, `{GUID}:"Keywords"` for a string name (decoded lossily).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let guid = self.guid.hyphenated().to_string().to_uppercase();
        match &self.kind {
            NameKind::Id(id) => write!(f, "{{{guid}}}:0x{id:04X}"),
            NameKind::Name(name) => write!(f, "{{{guid}}}:{:?}", String::from_utf16_lossy(name)),
        }
    }
}
