//! The layouts of the C structures, as the MAPI headers give them.

use std::mem::{align_of, offset_of, size_of};

use mapisim::ids::{Iid, MapiUid};
use mapisim_com::types::{ENTRYID, MAPIERROR, MAPIUID, NOTIFKEY, SPropTagArray, SPropValue};

const PTR: usize = size_of::<usize>();

#[test]
fn mapiuid_is_sixteen_bytes_and_converts_both_ways() {
    assert_eq!((size_of::<MAPIUID>(), align_of::<MAPIUID>()), (16, 1));
    let uid = Iid::IMSPROVIDER.to_uid();
    let raw = MAPIUID::from(uid);
    assert_eq!(raw.ab[..4], [0x10, 0x03, 0x02, 0x00]);
    assert_eq!(MapiUid::from(raw), uid);
}

#[test]
fn variable_length_structures_start_their_data_where_the_headers_do() {
    // `CbNewENTRYID(cb)` is `offsetof(ENTRYID, ab) + cb`: the provider's bytes follow 4 flag bytes.
    assert_eq!(offset_of!(ENTRYID, ab), 4);
    assert_eq!(offset_of!(NOTIFKEY, ab), 4);
    assert_eq!(offset_of!(SPropTagArray, aulPropTag), 4);
}

#[test]
fn mapierror_has_the_header_layout() {
    assert_eq!(offset_of!(MAPIERROR, ulVersion), 0);
    assert_eq!(offset_of!(MAPIERROR, lpszError), PTR);
    assert_eq!(offset_of!(MAPIERROR, lpszComponent), 2 * PTR);
    assert_eq!(offset_of!(MAPIERROR, ulLowLevelError), 3 * PTR);
    assert_eq!(offset_of!(MAPIERROR, ulContext), 3 * PTR + 4);
    assert_eq!(size_of::<MAPIERROR>(), 3 * PTR + 8);
}

#[test]
fn opaque_structures_occupy_nothing() {
    assert_eq!(size_of::<SPropValue>(), 0);
}
