//! The layouts of the C structures, as the MAPI headers give them.

use std::mem::{align_of, offset_of, size_of};

use mapisim::ids::{Iid, MapiUid};
use mapisim_com::types::{
    ENTRYID, FILETIME, MAPIERROR, MAPIUID, NOTIFICATION, NOTIFKEY, PV, SAppTimeArray, SBinary, SBinaryArray,
    SCurrencyArray, SDateTimeArray, SDoubleArray, SGuidArray, SLPSTRArray, SLargeIntegerArray, SLongArray,
    SPropProblem, SPropProblemArray, SPropTagArray, SPropValue, SRealArray, SShortArray, SWStringArray,
};
use windows_core::GUID;

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
    assert_eq!(size_of::<NOTIFICATION>(), 0);
}

#[test]
fn spropvalue_is_a_tag_a_pad_and_the_union_at_offset_eight() {
    assert_eq!(offset_of!(SPropValue, ulPropTag), 0);
    assert_eq!(offset_of!(SPropValue, dwAlignPad), 4);
    assert_eq!(offset_of!(SPropValue, Value), 8);
    // The union is as large as its counted members (a count, then a pointer at the next pointer
    // boundary): 16 bytes on 64-bit targets, 8 on 32-bit ones, where the 8-byte scalars fit too.
    assert_eq!(size_of::<PV>(), 2 * PTR);
    assert_eq!(size_of::<SPropValue>(), 8 + size_of::<PV>());
    if PTR == 8 {
        assert_eq!((size_of::<SPropValue>(), align_of::<SPropValue>()), (24, 8));
        assert_eq!(size_of::<PV>(), 16);
    } else {
        assert_eq!(size_of::<SPropValue>(), 16);
        assert_eq!(size_of::<PV>(), 8);
    }
}

#[test]
fn every_member_of_the_union_starts_at_its_beginning_with_the_header_size() {
    let members = [
        ("i", offset_of!(PV, i)),
        ("l", offset_of!(PV, l)),
        ("ul", offset_of!(PV, ul)),
        ("lpv", offset_of!(PV, lpv)),
        ("flt", offset_of!(PV, flt)),
        ("dbl", offset_of!(PV, dbl)),
        ("b", offset_of!(PV, b)),
        ("cur", offset_of!(PV, cur)),
        ("at", offset_of!(PV, at)),
        ("ft", offset_of!(PV, ft)),
        ("lpszA", offset_of!(PV, lpszA)),
        ("bin", offset_of!(PV, bin)),
        ("lpszW", offset_of!(PV, lpszW)),
        ("lpguid", offset_of!(PV, lpguid)),
        ("li", offset_of!(PV, li)),
        ("MVi", offset_of!(PV, MVi)),
        ("MVl", offset_of!(PV, MVl)),
        ("MVflt", offset_of!(PV, MVflt)),
        ("MVdbl", offset_of!(PV, MVdbl)),
        ("MVcur", offset_of!(PV, MVcur)),
        ("MVat", offset_of!(PV, MVat)),
        ("MVft", offset_of!(PV, MVft)),
        ("MVbin", offset_of!(PV, MVbin)),
        ("MVszA", offset_of!(PV, MVszA)),
        ("MVszW", offset_of!(PV, MVszW)),
        ("MVguid", offset_of!(PV, MVguid)),
        ("MVli", offset_of!(PV, MVli)),
        ("err", offset_of!(PV, err)),
        ("x", offset_of!(PV, x)),
    ];
    for (name, offset) in members {
        assert_eq!(offset, 0, "member {name}");
    }
    // Scalars: a 16-bit `i` and `b`, 32-bit `l`, `ul`, `flt`, `err`, `x`, 64-bit `dbl`, `cur`,
    // `at`, `li`, and FILETIME as two 32-bit halves.
    assert_eq!(size_of::<FILETIME>(), 8);
    assert_eq!(align_of::<FILETIME>(), 4);
    assert_eq!(offset_of!(FILETIME, dwLowDateTime), 0);
    assert_eq!(offset_of!(FILETIME, dwHighDateTime), 4);
    assert_eq!(size_of::<GUID>(), 16);
}

#[test]
fn counted_structures_are_a_count_then_a_pointer() {
    // SBinary and every multi-valued array: ULONG at 0, the pointer at the next pointer boundary.
    macro_rules! counted {
        ($($ty:ty, $count:ident, $pointer:ident;)*) => {
            $(
                assert_eq!(offset_of!($ty, $count), 0, stringify!($ty));
                assert_eq!(offset_of!($ty, $pointer), PTR, stringify!($ty));
                assert_eq!(size_of::<$ty>(), 2 * PTR, stringify!($ty));
            )*
        };
    }
    counted! {
        SBinary, cb, lpb;
        SShortArray, cValues, lpi;
        SLongArray, cValues, lpl;
        SRealArray, cValues, lpflt;
        SDoubleArray, cValues, lpdbl;
        SCurrencyArray, cValues, lpcur;
        SAppTimeArray, cValues, lpat;
        SDateTimeArray, cValues, lpft;
        SBinaryArray, cValues, lpbin;
        SLPSTRArray, cValues, lppszA;
        SWStringArray, cValues, lppszW;
        SGuidArray, cValues, lpguid;
        SLargeIntegerArray, cValues, lpli;
    }
}

#[test]
fn problem_arrays_have_the_header_layout() {
    assert_eq!(offset_of!(SPropProblem, ulIndex), 0);
    assert_eq!(offset_of!(SPropProblem, ulPropTag), 4);
    assert_eq!(offset_of!(SPropProblem, scode), 8);
    assert_eq!(size_of::<SPropProblem>(), 12);
    // `CbNewSPropProblemArray(n)` is `offsetof(SPropProblemArray, aProblem) + n * 12`.
    assert_eq!(offset_of!(SPropProblemArray, cProblem), 0);
    assert_eq!(offset_of!(SPropProblemArray, aProblem), 4);
    assert_eq!(size_of::<SPropProblemArray>(), 16);
}
