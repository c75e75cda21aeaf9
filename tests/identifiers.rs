//! Entry IDs, wrapped store entry IDs and MAPIUIDs: malformed bytes give typed errors, never a
//! panic; what parses writes back to the same bytes; wrap and unwrap are inverse.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use mapisim::ids::{EntryId, EntryIdFlags, IdError, MUIDSTOREWRAP, MapiUid, WrappedStoreEntryId};
use proptest::prelude::*;

const UID: MapiUid = MapiUid([0x11; 16]);

fn wrapped_bytes(name: &[u8], original: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 0];
    b.extend_from_slice(&MUIDSTOREWRAP.0);
    b.push(0);
    b.push(0);
    b.extend_from_slice(name);
    b.push(0);
    while b.len() % 4 != 0 {
        b.push(0);
    }
    b.extend_from_slice(original);
    b
}

#[test]
fn an_entry_id_is_flags_uid_and_data() {
    let id = EntryId::new(UID, vec![1, 2, 3]);
    let bytes = id.to_bytes();
    assert_eq!(bytes.len(), 23);
    assert_eq!(&bytes[..4], &[0, 0, 0, 0]);
    assert_eq!(&bytes[4..20], &UID.0);
    assert_eq!(&bytes[20..], &[1, 2, 3]);
    assert!(id.is_long_term());
    assert!(!id.is_short_term());
    assert_eq!(id.len(), 23);
    assert_eq!(EntryId::parse(&bytes), Ok(id));

    let short = EntryId::with_flags([0xF8, 0, 0, 0], UID, vec![]);
    assert!(short.is_short_term());
    assert_eq!(short.flags(), EntryIdFlags::all());
    let odd = EntryId::with_flags([0x01, 0x80, 0, 0], UID, vec![]);
    assert_eq!(odd.flags().bits(), 0x01, "unknown flag bits are kept");
    assert!(!odd.is_long_term());
}

#[test]
fn short_entry_ids_are_refused_with_their_length() {
    for len in 0..20 {
        let err = EntryId::parse(&vec![0; len]).unwrap_err();
        assert_eq!(
            err,
            IdError::TooShort {
                what: "entry ID",
                needed: 20,
                got: len
            }
        );
        assert!(err.to_string().contains(&format!("got {len}")));
    }
    assert!(MapiUid::parse(&[1; 15]).is_err());
    assert_eq!(MapiUid::parse(&[1; 17]), Ok(MapiUid([1; 16])));
}

#[test]
fn wrapping_follows_the_documented_layout() {
    let original = EntryId::new(UID, b"abc".to_vec()).to_bytes();
    let w = WrappedStoreEntryId::wrap("SMPMS.DLL", &original).unwrap();
    let bytes = w.to_bytes();
    assert_eq!(bytes, wrapped_bytes(b"SMPMS.DLL", &original));
    // 22 header bytes + 9 name bytes + NUL = 32: already aligned, the original starts at 32.
    assert_eq!(&bytes[32..], &original[..]);
    assert_eq!(bytes[20], 0, "MAPIMDB_VERSION");
    assert_eq!(bytes[21], 0, "MAPIMDB_NORMAL");
    assert_eq!(w.dll_name(), "SMPMS.DLL");
    assert_eq!(w.original(), &original[..]);
    assert_eq!(w.mdb_flag(), 0);
    assert_eq!(w.flag_bytes(), [0; 4]);
    assert!(WrappedStoreEntryId::is_wrapped(&bytes));
    assert!(!WrappedStoreEntryId::is_wrapped(&original));

    // The Exchange example: "EMSMDB.DLL" ends at 22 + 10 + 1 = 33, padded to 36.
    let w = WrappedStoreEntryId::wrap("EMSMDB.DLL", &[9]).unwrap();
    let bytes = w.to_bytes();
    assert_eq!(bytes.len(), 37);
    assert_eq!(&bytes[33..36], &[0, 0, 0]);
    assert_eq!(bytes[36], 9);
}

#[test]
fn a_full_path_is_kept_as_written() {
    let path = r"C:\Program Files\Mock\MOCKPRV.DLL";
    let w = WrappedStoreEntryId::wrap(path, &[1, 2]).unwrap();
    let back = WrappedStoreEntryId::parse(&w.to_bytes()).unwrap();
    assert_eq!(back.dll_name(), path);
}

#[test]
fn bad_dll_names_are_refused() {
    for name in ["", "A\0B", "Ω.DLL"] {
        assert_eq!(
            WrappedStoreEntryId::wrap(name, &[1]),
            Err(IdError::BadDllName(name.to_owned())),
            "{name:?}"
        );
    }
    assert!(matches!(
        WrappedStoreEntryId::wrap("X.DLL", &[]),
        Err(IdError::EmptyOriginal(28))
    ));
}

#[test]
fn malformed_wrapped_ids_give_each_their_error() {
    let good = wrapped_bytes(b"X.DLL", &[1, 2, 3]);
    assert!(WrappedStoreEntryId::parse(&good).is_ok());

    assert!(matches!(
        WrappedStoreEntryId::parse(&good[..21]),
        Err(IdError::TooShort {
            needed: 22,
            got: 21,
            ..
        })
    ));

    let mut not_wrapped = good.clone();
    not_wrapped[4] ^= 0xFF;
    assert!(matches!(
        WrappedStoreEntryId::parse(&not_wrapped),
        Err(IdError::NotWrapped { expected, .. }) if expected == MUIDSTOREWRAP
    ));

    let mut version = good.clone();
    version[20] = 3;
    assert_eq!(
        WrappedStoreEntryId::parse(&version),
        Err(IdError::UnsupportedVersion(3))
    );

    let mut unterminated = good[..22].to_vec();
    unterminated.extend_from_slice(b"NAME");
    assert_eq!(
        WrappedStoreEntryId::parse(&unterminated),
        Err(IdError::UnterminatedDllName)
    );

    let mut empty_name = good[..22].to_vec();
    empty_name.extend_from_slice(&[0, 0, 1]);
    assert_eq!(
        WrappedStoreEntryId::parse(&empty_name),
        Err(IdError::BadDllName(String::new()))
    );

    // "XY.DLL" takes bytes 22..28 and its NUL byte 28; bytes 29..32 are padding.
    let padded = wrapped_bytes(b"XY.DLL", &[7]);
    let mut dirty = padded.clone();
    dirty[29] = 0x55;
    assert_eq!(
        WrappedStoreEntryId::parse(&dirty),
        Err(IdError::NonZeroPadding {
            offset: 29,
            value: 0x55
        })
    );

    assert!(matches!(
        WrappedStoreEntryId::parse(&padded[..30]),
        Err(IdError::TooShort {
            needed: 32,
            got: 30,
            ..
        })
    ));
    assert_eq!(
        WrappedStoreEntryId::parse(&padded[..32]),
        Err(IdError::EmptyOriginal(32))
    );
}

#[test]
fn mapiuid_prints_bytes_and_converts_to_guid() {
    let uid = MUIDSTOREWRAP;
    assert_eq!(uid.to_string(), "38a1bb1005e5101aa1bb08002b2a56c2");
    assert_eq!(MapiUid::from_guid(uid.to_guid()), uid);
    assert_eq!(
        uid.to_guid().hyphenated().to_string().to_uppercase(),
        "10BBA138-E505-1A10-A1BB-08002B2A56C2"
    );
}

fn dll_name() -> impl Strategy<Value = String> {
    prop::collection::vec(1u8..=255, 1..40).prop_map(|b| b.into_iter().map(char::from).collect())
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        let _ = EntryId::parse(&bytes);
        let _ = WrappedStoreEntryId::parse(&bytes);
        let _ = MapiUid::parse(&bytes);
    }

    #[test]
    fn near_misses_never_panic(name in dll_name(), original in prop::collection::vec(any::<u8>(), 0..16), cut in 0usize..64, flip in 0usize..64) {
        let mut bytes = wrapped_bytes(&name.chars().map(|c| c as u8).collect::<Vec<_>>(), &original);
        if flip < bytes.len() { bytes[flip] ^= 0x5A; }
        bytes.truncate(cut.max(1) + 20);
        let _ = WrappedStoreEntryId::parse(&bytes);
    }

    #[test]
    fn what_parses_writes_back_the_same_bytes(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        if let Ok(id) = EntryId::parse(&bytes) {
            prop_assert_eq!(id.to_bytes(), bytes.clone());
        }
        if let Ok(w) = WrappedStoreEntryId::parse(&bytes) {
            prop_assert_eq!(w.to_bytes(), bytes);
        }
    }

    #[test]
    fn wrapped_ids_that_are_well_formed_round_trip(name in dll_name(), original in prop::collection::vec(any::<u8>(), 1..64), flags in any::<[u8; 4]>()) {
        let mut bytes = wrapped_bytes(&name.chars().map(|c| c as u8).collect::<Vec<_>>(), &original);
        bytes[..4].copy_from_slice(&flags);
        let parsed = WrappedStoreEntryId::parse(&bytes).unwrap();
        prop_assert_eq!(parsed.flag_bytes(), flags);
        prop_assert_eq!(parsed.to_bytes(), bytes);
    }

    #[test]
    fn parse_inverts_to_bytes(flags in any::<[u8; 4]>(), uid in any::<[u8; 16]>(), data in prop::collection::vec(any::<u8>(), 0..64)) {
        let id = EntryId::with_flags(flags, MapiUid(uid), data);
        prop_assert_eq!(EntryId::parse(&id.to_bytes()), Ok(id));
    }

    #[test]
    fn unwrap_inverts_wrap(name in dll_name(), original in prop::collection::vec(any::<u8>(), 1..64)) {
        let w = WrappedStoreEntryId::wrap(&name, &original).unwrap();
        let bytes = w.to_bytes();
        prop_assert_eq!(bytes.len() % 4, original.len() % 4);
        let back = WrappedStoreEntryId::parse(&bytes).unwrap();
        prop_assert_eq!(back.dll_name(), name.as_str());
        prop_assert_eq!(back.original(), &original[..]);
        prop_assert_eq!(back, w);
    }
}
