//! Identifiers: [`MapiUid`], [`EntryId`], wrapped store entry IDs ([`WrappedStoreEntryId`]) and
//! interface identifiers ([`Iid`]).
//!
//! Parsing never panics: bytes that are too short or malformed give an [`IdError`] that says
//! what was wrong and where. Every parsed value writes back to exactly the bytes it came from.
//!
//! ```
//! use mapisim::ids::{EntryId, MapiUid, WrappedStoreEntryId};
//!
//! let uid = MapiUid::from_bytes([7; 16]);
//! let store_id = EntryId::new(uid, b"store-1".to_vec());
//! let wrapped = WrappedStoreEntryId::wrap("SMPMS.DLL", &store_id.to_bytes())?;
//! let bytes = wrapped.to_bytes();
//! // The original starts on a 4-byte boundary after the DLL name and its padding.
//! assert_eq!((bytes.len() - store_id.len()) % 4, 0);
//! let back = WrappedStoreEntryId::parse(&bytes)?;
//! assert_eq!(back.dll_name(), "SMPMS.DLL");
//! assert_eq!(EntryId::parse(back.original())?, store_id);
//! # Ok::<(), mapisim::ids::IdError>(())
//! ```

use std::fmt;

use uuid::Uuid;

/// A malformed identifier.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Fewer bytes than the structure needs.
    #[error("{what} needs at least {needed} bytes, got {got}")]
    TooShort {
        /// The structure being parsed.
        what: &'static str,
        /// The minimum length.
        needed: usize,
        /// The length received.
        got: usize,
    },
    /// A wrapped store entry ID whose provider UID is not `MUIDSTOREWRAP`.
    #[error("not a wrapped store entry ID: provider UID is {found}, expected MUIDSTOREWRAP {expected}")]
    NotWrapped {
        /// The UID found at bytes 4..20.
        found: MapiUid,
        /// `MUIDSTOREWRAP`.
        expected: MapiUid,
    },
    /// A wrapped store entry ID with a version byte other than `MAPIMDB_VERSION` (0).
    #[error("wrapped store entry ID version {0} at byte 20 is not MAPIMDB_VERSION (0)")]
    UnsupportedVersion(u8),
    /// The DLL name of a wrapped store entry ID has no terminating NUL.
    #[error("the DLL name starting at byte 22 has no terminating NUL")]
    UnterminatedDllName,
    /// A DLL name that cannot be stored in a wrapped entry ID (empty, a NUL inside, or a
    /// character beyond 8 bits).
    #[error("DLL name {0:?} cannot be stored: it must be non-empty 8-bit text without NUL")]
    BadDllName(String),
    /// Padding after the DLL name that is not zero.
    #[error("padding byte at offset {offset} is 0x{value:02X}, expected 0")]
    NonZeroPadding {
        /// Offset from the start of the entry ID.
        offset: usize,
        /// The byte found.
        value: u8,
    },
    /// A wrapped store entry ID that wraps nothing.
    #[error("the wrapped store entry ID carries no original entry ID after offset {0}")]
    EmptyOriginal(usize),
}

/// A MAPI unique identifier: 16 bytes, a GUID stored in Intel byte order, compared byte for byte
/// (`IsEqualMAPIUID`).
///
/// `Display` prints the 32 hexadecimal digits in memory order (the form Mapisvc.inf and the
/// profile use for binary values); `Debug` prints the GUID form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MapiUid(pub [u8; 16]);

impl MapiUid {
    /// The UID with these 16 bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> MapiUid {
        MapiUid(bytes)
    }

    /// The UID holding this GUID in Intel (little-endian) byte order, as `MAPIUID` does.
    pub const fn from_guid(guid: Uuid) -> MapiUid {
        MapiUid(guid.to_bytes_le())
    }

    /// The GUID this UID holds.
    pub const fn to_guid(self) -> Uuid {
        Uuid::from_bytes_le(self.0)
    }

    /// The 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Reads a UID from the first 16 bytes of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<MapiUid, IdError> {
        match bytes.first_chunk::<16>() {
            Some(chunk) => Ok(MapiUid(*chunk)),
            None => Err(IdError::TooShort {
                what: "MAPIUID",
                needed: 16,
                got: bytes.len(),
            }),
        }
    }
}

impl fmt::Display for MapiUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::sync::write_hex(f, &self.0, false)
    }
}

impl fmt::Debug for MapiUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MapiUid({{{}}})",
            self.to_guid().hyphenated().to_string().to_uppercase()
        )
    }
}

/// `MUIDSTOREWRAP`, `{10BBA138-E505-1A10-A1BB-08002B2A56C2}`: the provider UID of every wrapped
/// store entry ID.
pub const MUIDSTOREWRAP: MapiUid = MapiUid([
    0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A, 0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2,
]);

/// `MAPI_ONE_OFF_UID`: the provider UID of one-off entry IDs.
pub const MAPI_ONE_OFF_UID: MapiUid = MapiUid([
    0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19, 0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02,
]);

/// `MAPIMDB_VERSION`: the version byte of a wrapped store entry ID.
pub const MAPIMDB_VERSION: u8 = 0;
/// `MAPIMDB_NORMAL`: the flag byte of an ordinary wrapped store entry ID.
pub const MAPIMDB_NORMAL: u8 = 0;
/// `MAPIMDB_SECTION`: the flag byte of a wrapped ID naming a known section without an entry ID.
pub const MAPIMDB_SECTION: u8 = 1;

/// `MAPI_COMPOUND` (0x80) in `abFlags[1]` of an entry ID.
pub const MAPI_COMPOUND: u8 = 0x80;

bitflags::bitflags! {
    /// `abFlags[0]` of an entry ID. A long-term ID has none of these bits, a short-term ID all of
    /// them. Unknown bits are kept.
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
    pub struct EntryIdFlags: u8 {
        /// `MAPI_SHORTTERM`.
        const SHORTTERM = 0x80;
        /// `MAPI_NOTRECIP`.
        const NOTRECIP = 0x40;
        /// `MAPI_THISSESSION`.
        const THISSESSION = 0x20;
        /// `MAPI_NOW`.
        const NOW = 0x10;
        /// `MAPI_NOTRESERVED`.
        const NOTRESERVED = 0x08;
    }
}

impl EntryIdFlags {
    /// The MAPI names and values, in header order.
    pub const NAMES: &'static [(&'static str, u8)] = &[
        ("MAPI_SHORTTERM", 0x80),
        ("MAPI_NOTRECIP", 0x40),
        ("MAPI_THISSESSION", 0x20),
        ("MAPI_NOW", 0x10),
        ("MAPI_NOTRESERVED", 0x08),
    ];
}

/// An entry ID: four flag bytes, the provider's registered [`MapiUid`] (the first 16 bytes of
/// `ab`, by which MAPI routes the ID), and the provider's own bytes.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct EntryId {
    flags: [u8; 4],
    provider_uid: MapiUid,
    data: Vec<u8>,
}

impl EntryId {
    /// The smallest entry ID this type parses: 4 flag bytes and a 16-byte provider UID.
    pub const MIN_LEN: usize = 20;

    /// A long-term entry ID (all flag bytes zero).
    pub fn new(provider_uid: MapiUid, data: Vec<u8>) -> EntryId {
        EntryId {
            flags: [0; 4],
            provider_uid,
            data,
        }
    }

    /// An entry ID with explicit flag bytes (`abFlags`).
    pub fn with_flags(flags: [u8; 4], provider_uid: MapiUid, data: Vec<u8>) -> EntryId {
        EntryId {
            flags,
            provider_uid,
            data,
        }
    }

    /// Parses the bytes of an `ENTRYID` (its `cb` is the slice length).
    pub fn parse(bytes: &[u8]) -> Result<EntryId, IdError> {
        let Some((head, data)) = bytes.split_first_chunk::<20>() else {
            return Err(IdError::TooShort {
                what: "entry ID",
                needed: EntryId::MIN_LEN,
                got: bytes.len(),
            });
        };
        let (flags, uid) = head.split_at(4);
        Ok(EntryId {
            flags: [flags[0], flags[1], flags[2], flags[3]],
            provider_uid: MapiUid::parse(uid)?,
            data: data.to_vec(),
        })
    }

    /// The four flag bytes.
    pub fn flag_bytes(&self) -> [u8; 4] {
        self.flags
    }

    /// `abFlags[0]`, unknown bits kept.
    pub fn flags(&self) -> EntryIdFlags {
        EntryIdFlags::from_bits_retain(self.flags[0])
    }

    /// Whether no flag bit is set in any of the four bytes (a permanent ID).
    pub fn is_long_term(&self) -> bool {
        self.flags == [0; 4]
    }

    /// Whether `MAPI_SHORTTERM` is set.
    pub fn is_short_term(&self) -> bool {
        self.flags().contains(EntryIdFlags::SHORTTERM)
    }

    /// The provider UID at bytes 4..20.
    pub fn provider_uid(&self) -> MapiUid {
        self.provider_uid
    }

    /// The provider's own bytes after the UID.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The total length (`cb`).
    pub fn len(&self) -> usize {
        EntryId::MIN_LEN + self.data.len()
    }

    /// Always false: an entry ID has at least its 20-byte header.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The bytes of the `ENTRYID`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        out.extend_from_slice(&self.flags);
        out.extend_from_slice(&self.provider_uid.0);
        out.extend_from_slice(&self.data);
        out
    }
}

impl fmt::Display for EntryId {
    /// The bytes in hexadecimal, as MFCMAPI and the trace print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::sync::write_hex(f, &self.to_bytes(), true)
    }
}

/// A wrapped store entry ID, the only form of a store's entry ID that clients see.
///
/// Layout (`WrapStoreEntryID`): 4 flag bytes, `MUIDSTOREWRAP`, a version byte
/// (`MAPIMDB_VERSION`), a flag byte (`MAPIMDB_NORMAL`), the provider DLL name as 8-bit text with
/// its NUL, zero padding up to a multiple of 4 from the start, then the provider's original entry
/// ID. MAPI unwraps it before calling `IMSProvider::Logon` and `CompareStoreIDs`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct WrappedStoreEntryId {
    flags: [u8; 4],
    mdb_flag: u8,
    dll_name: String,
    original: Vec<u8>,
}

impl WrappedStoreEntryId {
    /// Length of the fixed header before the DLL name: flags, UID, version, flag.
    pub const HEADER_LEN: usize = 22;

    /// Wraps a provider's store entry ID under the DLL name it is registered with (the name or
    /// path as in the profile, without the `32`). The flags are zero (long-term) and the flag byte
    /// is `MAPIMDB_NORMAL`.
    pub fn wrap(dll_name: &str, original: &[u8]) -> Result<WrappedStoreEntryId, IdError> {
        Self::checked(dll_name, original)?;
        Ok(WrappedStoreEntryId {
            flags: [0; 4],
            mdb_flag: MAPIMDB_NORMAL,
            dll_name: dll_name.to_owned(),
            original: original.to_vec(),
        })
    }

    /// The DLL name, if a store entry ID can be wrapped under it with `original`.
    fn checked<'a>(dll_name: &'a str, original: &[u8]) -> Result<&'a str, IdError> {
        if dll_name.is_empty() || dll_name.chars().any(|c| c == '\0' || u32::from(c) > 0xFF) {
            return Err(IdError::BadDllName(dll_name.to_owned()));
        }
        if original.is_empty() {
            return Err(IdError::EmptyOriginal(Self::original_offset(
                dll_name.chars().count(),
            )));
        }
        Ok(dll_name)
    }

    /// A wrapped ID naming a profile section that has no store entry ID yet (`MAPIMDB_SECTION`):
    /// the original is the section's MAPIUID. This is what a message-stores table row carries for
    /// a store that was never opened.
    pub fn section(dll_name: &str, section: MapiUid) -> Result<WrappedStoreEntryId, IdError> {
        let mut w = WrappedStoreEntryId::wrap(dll_name, &section.0)?;
        w.mdb_flag = MAPIMDB_SECTION;
        Ok(w)
    }

    /// The section a `MAPIMDB_SECTION` ID names.
    pub fn section_uid(&self) -> Option<MapiUid> {
        if self.mdb_flag == MAPIMDB_SECTION {
            MapiUid::parse(&self.original).ok()
        } else {
            None
        }
    }

    fn original_offset(name_len: usize) -> usize {
        (Self::HEADER_LEN + name_len + 1).next_multiple_of(4)
    }

    /// Parses wrapped bytes. Strict: the UID must be `MUIDSTOREWRAP`, the version 0, the name
    /// NUL-terminated, the padding zero, and something must follow it.
    pub fn parse(bytes: &[u8]) -> Result<WrappedStoreEntryId, IdError> {
        let view = WrappedView::parse(bytes)?;
        Ok(WrappedStoreEntryId {
            flags: view.flags,
            mdb_flag: view.mdb_flag,
            dll_name: view.dll_name.iter().map(|&b| char::from(b)).collect(),
            original: view.original.to_vec(),
        })
    }

    /// Whether these bytes start like a wrapped store entry ID (long enough, `MUIDSTOREWRAP`).
    pub fn is_wrapped(bytes: &[u8]) -> bool {
        bytes.len() >= Self::HEADER_LEN && bytes[4..20] == MUIDSTOREWRAP.0
    }

    /// The DLL name as stored (8-bit text, each byte one character).
    pub fn dll_name(&self) -> &str {
        &self.dll_name
    }

    /// The provider's original (unwrapped) store entry ID.
    pub fn original(&self) -> &[u8] {
        &self.original
    }

    /// The four flag bytes.
    pub fn flag_bytes(&self) -> [u8; 4] {
        self.flags
    }

    /// The `MAPIMDB_*` flag byte at offset 21.
    pub fn mdb_flag(&self) -> u8 {
        self.mdb_flag
    }

    /// The wrapped bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        Self::write(self.flags, self.mdb_flag, &self.dll_name, &self.original)
    }

    /// What `wrap(dll_name, original)?.to_bytes()` gives, made at once.
    pub(crate) fn wrap_bytes(dll_name: &str, original: &[u8]) -> Result<Vec<u8>, IdError> {
        let w = Self::checked(dll_name, original)?;
        Ok(Self::write([0; 4], MAPIMDB_NORMAL, w, original))
    }

    /// What `section(dll_name, section)?.to_bytes()` gives, made at once.
    pub(crate) fn section_bytes(dll_name: &str, section: MapiUid) -> Result<Vec<u8>, IdError> {
        let w = Self::checked(dll_name, &section.0)?;
        Ok(Self::write([0; 4], MAPIMDB_SECTION, w, &section.0))
    }

    /// The bytes of a wrapped ID with these parts.
    fn write(flags: [u8; 4], mdb_flag: u8, dll_name: &str, original: &[u8]) -> Vec<u8> {
        let start = Self::original_offset(dll_name.chars().count());
        let mut out = Vec::with_capacity(start + original.len());
        out.extend_from_slice(&flags);
        out.extend_from_slice(&MUIDSTOREWRAP.0);
        out.push(MAPIMDB_VERSION);
        out.push(mdb_flag);
        // Every character is at most 0xFF: `wrap` and `parse` guarantee it.
        out.extend(dll_name.chars().map(|c| u8::try_from(c).unwrap_or(b'?')));
        out.resize(start, 0);
        out.extend_from_slice(original);
        out
    }
}

/// A wrapped store entry ID read in place, as [`WrappedStoreEntryId::parse`] reads it, for the
/// checks that need no copy of its parts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WrappedView<'a> {
    flags: [u8; 4],
    mdb_flag: u8,
    /// The DLL name's bytes (8-bit text, each byte one character), without its NUL.
    dll_name: &'a [u8],
    original: &'a [u8],
}

impl<'a> WrappedView<'a> {
    /// Checks wrapped bytes as strictly as [`WrappedStoreEntryId::parse`].
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<WrappedView<'a>, IdError> {
        if bytes.len() < WrappedStoreEntryId::HEADER_LEN {
            return Err(IdError::TooShort {
                what: "wrapped store entry ID",
                needed: WrappedStoreEntryId::HEADER_LEN,
                got: bytes.len(),
            });
        }
        let uid = MapiUid::parse(&bytes[4..20])?;
        if uid != MUIDSTOREWRAP {
            return Err(IdError::NotWrapped {
                found: uid,
                expected: MUIDSTOREWRAP,
            });
        }
        if bytes[20] != MAPIMDB_VERSION {
            return Err(IdError::UnsupportedVersion(bytes[20]));
        }
        let rest = &bytes[WrappedStoreEntryId::HEADER_LEN..];
        let nul = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or(IdError::UnterminatedDllName)?;
        if nul == 0 {
            return Err(IdError::BadDllName(String::new()));
        }
        let start = WrappedStoreEntryId::original_offset(nul);
        if bytes.len() < start {
            return Err(IdError::TooShort {
                what: "wrapped store entry ID with its padding",
                needed: start,
                got: bytes.len(),
            });
        }
        let pad_from = WrappedStoreEntryId::HEADER_LEN + nul + 1;
        if let Some((i, &value)) = bytes[pad_from..start].iter().enumerate().find(|(_, b)| **b != 0) {
            return Err(IdError::NonZeroPadding {
                offset: pad_from + i,
                value,
            });
        }
        if bytes.len() == start {
            return Err(IdError::EmptyOriginal(start));
        }
        Ok(WrappedView {
            flags: [bytes[0], bytes[1], bytes[2], bytes[3]],
            mdb_flag: bytes[21],
            dll_name: &rest[..nul],
            original: &bytes[start..],
        })
    }

    /// Whether the DLL name is `name`, ignoring ASCII case (as
    /// `dll_name().eq_ignore_ascii_case(name)` on the parsed ID).
    pub(crate) fn dll_name_is(&self, name: &str) -> bool {
        self.dll_name.len() == name.chars().count()
            && self
                .dll_name
                .iter()
                .zip(name.chars())
                .all(|(&b, c)| char::from(b).eq_ignore_ascii_case(&c))
    }

    /// The provider's original (unwrapped) store entry ID.
    pub(crate) fn original(&self) -> &'a [u8] {
        self.original
    }

    /// The `MAPIMDB_*` flag byte at offset 21.
    pub(crate) fn mdb_flag(&self) -> u8 {
        self.mdb_flag
    }

    /// The DLL name as stored (8-bit text, each byte one character).
    pub(crate) fn dll_name_chars(&self) -> impl Iterator<Item = char> + 'a {
        self.dll_name.iter().map(|&b| char::from(b))
    }

    /// The profile section it names, for `MAPIMDB_SECTION` (as
    /// [`WrappedStoreEntryId::section_uid`]).
    pub(crate) fn section_uid(&self) -> Option<MapiUid> {
        if self.mdb_flag == MAPIMDB_SECTION {
            MapiUid::parse(self.original).ok()
        } else {
            None
        }
    }

    /// Whether it names a profile section (`MAPIMDB_SECTION`) rather than a store.
    pub(crate) fn names_section(&self) -> bool {
        self.mdb_flag == MAPIMDB_SECTION && MapiUid::parse(self.original).is_ok()
    }
}

/// An interface identifier (a GUID), with the MAPI IIDs as constants.
///
/// ```
/// use mapisim::ids::Iid;
///
/// // IMAPISupport's IID is named IID_IMAPISup in the headers.
/// assert_eq!(Iid::IMAPISUP.to_string(), "{0002030F-0000-0000-C000-000000000046}");
/// assert_eq!(Iid::IMAPISUP.name(), Some("IID_IMAPISup"));
/// assert_eq!(Iid::IMSPROVIDER.to_bytes_le()[..4], [0x10, 0x03, 0x02, 0x00]);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iid(pub Uuid);

/// `DEFINE_OLEGUID(name, l, 0, 0)`: `{l-0000-0000-C000-000000000046}`.
const fn ole_guid(l: u32) -> Iid {
    Iid(Uuid::from_u128(
        ((l as u128) << 96) | 0x0000_0000_C000_0000_0000_0046,
    ))
}

macro_rules! iids {
    ($( $(#[$doc:meta])* $konst:ident = $l:literal, $name:literal; )*) => {
        impl Iid {
            $( $(#[$doc])* pub const $konst: Iid = ole_guid($l); )*

            /// Every IID this crate names, with its header name.
            pub const ALL: &'static [(&'static str, Iid)] = &[ $( ($name, Iid::$konst), )* ];
        }
    };
}

iids! {
    /// `IID_IUnknown`.
    IUNKNOWN = 0x0000_0000, "IID_IUnknown";
    /// `IID_IMalloc` (OLE's allocator interface, given to the entry points as `lpMalloc`).
    IMALLOC = 0x0000_0002, "IID_IMalloc";
    /// `IID_IMAPISession`.
    IMAPISESSION = 0x0002_0300, "IID_IMAPISession";
    /// `IID_IMAPITable`.
    IMAPITABLE = 0x0002_0301, "IID_IMAPITable";
    /// `IID_IMAPIAdviseSink`.
    IMAPIADVISESINK = 0x0002_0302, "IID_IMAPIAdviseSink";
    /// `IID_IMAPIProp`.
    IMAPIPROP = 0x0002_0303, "IID_IMAPIProp";
    /// `IID_IProfSect`.
    IPROFSECT = 0x0002_0304, "IID_IProfSect";
    /// `IID_IMAPIStatus`.
    IMAPISTATUS = 0x0002_0305, "IID_IMAPIStatus";
    /// `IID_IMsgStore`.
    IMSGSTORE = 0x0002_0306, "IID_IMsgStore";
    /// `IID_IMessage`.
    IMESSAGE = 0x0002_0307, "IID_IMessage";
    /// `IID_IAttachment`.
    IATTACHMENT = 0x0002_0308, "IID_IAttachment";
    /// `IID_IAddrBook`.
    IADDRBOOK = 0x0002_0309, "IID_IAddrBook";
    /// `IID_IMailUser`.
    IMAILUSER = 0x0002_030A, "IID_IMailUser";
    /// `IID_IMAPIContainer`.
    IMAPICONTAINER = 0x0002_030B, "IID_IMAPIContainer";
    /// `IID_IMAPIFolder`.
    IMAPIFOLDER = 0x0002_030C, "IID_IMAPIFolder";
    /// `IID_IABContainer`.
    IABCONTAINER = 0x0002_030D, "IID_IABContainer";
    /// `IID_IDistList`.
    IDISTLIST = 0x0002_030E, "IID_IDistList";
    /// `IID_IMAPISup`, the IID of `IMAPISupport` (no symbol `IID_IMAPISupport` exists).
    IMAPISUP = 0x0002_030F, "IID_IMAPISup";
    /// `IID_IMSProvider`.
    IMSPROVIDER = 0x0002_0310, "IID_IMSProvider";
    /// `IID_IABProvider`.
    IABPROVIDER = 0x0002_0311, "IID_IABProvider";
    /// `IID_IXPProvider`.
    IXPPROVIDER = 0x0002_0312, "IID_IXPProvider";
    /// `IID_IMSLogon`.
    IMSLOGON = 0x0002_0313, "IID_IMSLogon";
    /// `IID_IABLogon`.
    IABLOGON = 0x0002_0314, "IID_IABLogon";
    /// `IID_IXPLogon`.
    IXPLOGON = 0x0002_0315, "IID_IXPLogon";
    /// `IID_IMAPITableData`.
    IMAPITABLEDATA = 0x0002_0316, "IID_IMAPITableData";
    /// `IID_IMAPISpoolerInit` (internal to MAPI).
    IMAPISPOOLERINIT = 0x0002_0317, "IID_IMAPISpoolerInit";
    /// `IID_IMAPISpoolerSession` (internal to MAPI).
    IMAPISPOOLERSESSION = 0x0002_0318, "IID_IMAPISpoolerSession";
    /// `IID_IMAPIPropData`.
    IMAPIPROPDATA = 0x0002_031A, "IID_IMAPIPropData";
    /// `IID_IProfAdmin`.
    IPROFADMIN = 0x0002_031C, "IID_IProfAdmin";
    /// `IID_IMsgServiceAdmin`.
    IMSGSERVICEADMIN = 0x0002_031D, "IID_IMsgServiceAdmin";
    /// `IID_IMAPISpoolerService`.
    IMAPISPOOLERSERVICE = 0x0002_031E, "IID_IMAPISpoolerService";
    /// `IID_IMAPIProgress`.
    IMAPIPROGRESS = 0x0002_031F, "IID_IMAPIProgress";
    /// `IID_ISpoolerHook`.
    ISPOOLERHOOK = 0x0002_0320, "IID_ISpoolerHook";
    /// `IID_IProviderAdmin`.
    IPROVIDERADMIN = 0x0002_0325, "IID_IProviderAdmin";
    /// `MUID_PROFILE_INSTANCE`: the profile section whose `PR_SEARCH_KEY` is unique per profile.
    MUID_PROFILE_INSTANCE = 0x0002_0385, "MUID_PROFILE_INSTANCE";
    /// `IID_IMSCapabilities`.
    IMSCAPABILITIES = 0x0002_0393, "IID_IMSCapabilities";
    /// `IID_IMAPIClientShutdown` (fast shutdown, client side).
    IMAPICLIENTSHUTDOWN = 0x0002_0397, "IID_IMAPIClientShutdown";
    /// `IID_IMAPIProviderShutdown` (fast shutdown, provider side).
    IMAPIPROVIDERSHUTDOWN = 0x0002_0398, "IID_IMAPIProviderShutdown";
}

impl Iid {
    /// The header name of a known IID (`"IID_IMsgStore"`).
    pub fn name(self) -> Option<&'static str> {
        Iid::ALL.iter().find(|(_, iid)| *iid == self).map(|(n, _)| *n)
    }

    /// The 16 bytes as they lie in memory (Data1..Data3 little-endian).
    pub const fn to_bytes_le(self) -> [u8; 16] {
        self.0.to_bytes_le()
    }

    /// The IID as a [`MapiUid`] (the same 16 bytes).
    pub const fn to_uid(self) -> MapiUid {
        MapiUid(self.0.to_bytes_le())
    }
}

impl fmt::Display for Iid {
    /// Registry form, upper case, with braces: `{00020306-0000-0000-C000-000000000046}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}", self.0.hyphenated().to_string().to_uppercase())
    }
}

impl fmt::Debug for Iid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "Iid({name} {self})"),
            None => write!(f, "Iid({self})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MapiUid, WrappedStoreEntryId, WrappedView};

    #[test]
    fn the_view_reads_what_parse_reads() {
        let store = WrappedStoreEntryId::wrap("SMPMS", b"store 1")
            .expect("wraps")
            .to_bytes();
        let view = WrappedView::parse(&store).expect("a wrapped ID");
        assert!(view.dll_name_is("smpms") && view.dll_name_is("SMPMS"));
        assert!(!view.dll_name_is("SMPM") && !view.dll_name_is("SMPMSX"));
        assert_eq!(view.original(), b"store 1");
        assert!(!view.names_section());

        let latin = WrappedStoreEntryId::wrap("caf\u{e9}", b"x")
            .expect("wraps")
            .to_bytes();
        let view = WrappedView::parse(&latin).expect("a wrapped ID");
        assert!(view.dll_name_is("CAF\u{e9}"));
        assert!(!view.dll_name_is("CAF\u{c9}"), "only ASCII letters fold");

        let section = WrappedStoreEntryId::section("SMPMS", MapiUid([7; 16]))
            .expect("wraps")
            .to_bytes();
        assert!(
            WrappedView::parse(&section)
                .expect("a wrapped ID")
                .names_section()
        );

        assert_eq!(
            WrappedStoreEntryId::wrap_bytes("SMPMS", b"store 1"),
            Ok(store.clone())
        );
        assert_eq!(
            WrappedStoreEntryId::section_bytes("SMPMS", MapiUid([7; 16])),
            Ok(section.clone())
        );
        assert!(WrappedStoreEntryId::wrap_bytes("", b"x").is_err());
        assert!(WrappedStoreEntryId::wrap_bytes("SMPMS", b"").is_err());
        for bad in [&store[..10], &store[..store.len() - 7]] {
            assert_eq!(
                WrappedView::parse(bad).err(),
                WrappedStoreEntryId::parse(bad).err(),
                "the same error for {bad:?}"
            );
        }
    }
}
