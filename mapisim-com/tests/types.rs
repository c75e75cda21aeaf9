//! The layouts of the C structures, as the MAPI headers give them.

use std::mem::{align_of, offset_of, size_of};

use mapisim::ids::{Iid, MapiUid};
use mapisim_com::types::{
    ADRLIST, ENTRYID, ENTRYLIST, ERROR_NOTIFICATION, EXTENDED_NOTIFICATION, FILETIME, MAPIERROR, MAPIUID,
    NEWMAIL_NOTIFICATION, NOTIFICATION, NOTIFICATION_INFO, NOTIFKEY, OBJECT_NOTIFICATION, PV, SAppTimeArray,
    SBinary, SBinaryArray, SCurrencyArray, SDateTimeArray, SDoubleArray, SGuidArray, SLPSTRArray,
    SLargeIntegerArray, SLongArray, SPropProblem, SPropProblemArray, SPropTagArray, SPropValue, SRealArray,
    SRow, SShortArray, STATUS_OBJECT_NOTIFICATION, SWStringArray, TABLE_NOTIFICATION,
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
    assert_eq!(size_of::<ADRLIST>(), 0);
    assert_eq!(size_of::<ENTRYLIST>(), 0);
}

/// Offsets on every target: each counted pointer after its 32-bit count, on a pointer boundary.
#[test]
fn notification_is_an_event_type_a_pad_and_the_union_at_offset_eight() {
    assert_eq!(offset_of!(NOTIFICATION, ulEventType), 0);
    assert_eq!(offset_of!(NOTIFICATION, ulAlignPad), 4);
    assert_eq!(offset_of!(NOTIFICATION, info), 8);
    assert_eq!(size_of::<NOTIFICATION>(), 8 + size_of::<NOTIFICATION_INFO>());
    // The union is as large as its largest member, the table notification.
    assert_eq!(size_of::<NOTIFICATION_INFO>(), size_of::<TABLE_NOTIFICATION>());
    for member in [
        size_of::<ERROR_NOTIFICATION>(),
        size_of::<NEWMAIL_NOTIFICATION>(),
        size_of::<OBJECT_NOTIFICATION>(),
        size_of::<EXTENDED_NOTIFICATION>(),
        size_of::<STATUS_OBJECT_NOTIFICATION>(),
    ] {
        assert!(member <= size_of::<NOTIFICATION_INFO>());
    }
}

/// A pointer after a 32-bit count: at 8 on a 64-bit target, at 4 on a 32-bit one.
const AFTER_COUNT: usize = if PTR == 8 { 8 } else { 4 };

#[test]
fn the_notification_members_have_the_header_layout() {
    assert_eq!(offset_of!(ERROR_NOTIFICATION, cbEntryID), 0);
    assert_eq!(offset_of!(ERROR_NOTIFICATION, lpEntryID), AFTER_COUNT);
    assert_eq!(offset_of!(ERROR_NOTIFICATION, scode), AFTER_COUNT + PTR);
    assert_eq!(offset_of!(ERROR_NOTIFICATION, ulFlags), AFTER_COUNT + PTR + 4);
    assert_eq!(offset_of!(ERROR_NOTIFICATION, lpMAPIError), AFTER_COUNT + PTR + 8);

    assert_eq!(offset_of!(NEWMAIL_NOTIFICATION, lpEntryID), AFTER_COUNT);
    assert_eq!(offset_of!(NEWMAIL_NOTIFICATION, cbParentID), AFTER_COUNT + PTR);
    assert_eq!(
        offset_of!(NEWMAIL_NOTIFICATION, lpParentID),
        2 * AFTER_COUNT + PTR
    );
    assert_eq!(offset_of!(NEWMAIL_NOTIFICATION, ulFlags), 2 * (AFTER_COUNT + PTR));
    assert_eq!(
        offset_of!(NEWMAIL_NOTIFICATION, lpszMessageClass),
        3 * AFTER_COUNT + 2 * PTR
    );
    assert_eq!(
        offset_of!(NEWMAIL_NOTIFICATION, ulMessageFlags),
        3 * (AFTER_COUNT + PTR)
    );

    assert_eq!(offset_of!(OBJECT_NOTIFICATION, lpEntryID), AFTER_COUNT);
    assert_eq!(offset_of!(OBJECT_NOTIFICATION, ulObjType), AFTER_COUNT + PTR);
    assert_eq!(offset_of!(OBJECT_NOTIFICATION, cbParentID), AFTER_COUNT + PTR + 4);
    assert_eq!(offset_of!(OBJECT_NOTIFICATION, lpParentID), AFTER_COUNT + PTR + 8);

    assert_eq!(offset_of!(EXTENDED_NOTIFICATION, ulEvent), 0);
    assert_eq!(offset_of!(EXTENDED_NOTIFICATION, cb), 4);
    assert_eq!(offset_of!(EXTENDED_NOTIFICATION, pbEventParameters), 8);

    assert_eq!(offset_of!(STATUS_OBJECT_NOTIFICATION, lpEntryID), AFTER_COUNT);
    assert_eq!(offset_of!(STATUS_OBJECT_NOTIFICATION, cValues), AFTER_COUNT + PTR);
    assert_eq!(
        offset_of!(STATUS_OBJECT_NOTIFICATION, lpPropVals),
        2 * AFTER_COUNT + PTR
    );
}

/// The 64-bit numbers, each checked by name (on a 32-bit target the module's compile-time checks
/// hold the 32-bit ones: `NOTIFICATION` 64 bytes, the union 56, `OBJECT_NOTIFICATION` 40).
#[cfg(target_pointer_width = "64")]
#[test]
fn the_notification_sizes_and_offsets_on_a_64_bit_target() {
    assert_eq!(size_of::<NOTIFICATION>(), 88);
    assert_eq!(
        (size_of::<NOTIFICATION_INFO>(), align_of::<NOTIFICATION_INFO>()),
        (80, 8)
    );
    assert_eq!(size_of::<ERROR_NOTIFICATION>(), 32);
    assert_eq!(size_of::<NEWMAIL_NOTIFICATION>(), 56);
    assert_eq!(size_of::<OBJECT_NOTIFICATION>(), 72);
    assert_eq!(size_of::<TABLE_NOTIFICATION>(), 80);
    assert_eq!(size_of::<EXTENDED_NOTIFICATION>(), 16);
    assert_eq!(size_of::<STATUS_OBJECT_NOTIFICATION>(), 32);
    assert_eq!(size_of::<SRow>(), 16);
    let object = [
        offset_of!(OBJECT_NOTIFICATION, cbEntryID),
        offset_of!(OBJECT_NOTIFICATION, lpEntryID),
        offset_of!(OBJECT_NOTIFICATION, ulObjType),
        offset_of!(OBJECT_NOTIFICATION, cbParentID),
        offset_of!(OBJECT_NOTIFICATION, lpParentID),
        offset_of!(OBJECT_NOTIFICATION, cbOldID),
        offset_of!(OBJECT_NOTIFICATION, lpOldID),
        offset_of!(OBJECT_NOTIFICATION, cbOldParentID),
        offset_of!(OBJECT_NOTIFICATION, lpOldParentID),
        offset_of!(OBJECT_NOTIFICATION, lpPropTagArray),
    ];
    assert_eq!(object, [0, 8, 16, 20, 24, 32, 40, 48, 56, 64]);
    let newmail = [
        offset_of!(NEWMAIL_NOTIFICATION, cbEntryID),
        offset_of!(NEWMAIL_NOTIFICATION, lpEntryID),
        offset_of!(NEWMAIL_NOTIFICATION, cbParentID),
        offset_of!(NEWMAIL_NOTIFICATION, lpParentID),
        offset_of!(NEWMAIL_NOTIFICATION, ulFlags),
        offset_of!(NEWMAIL_NOTIFICATION, lpszMessageClass),
        offset_of!(NEWMAIL_NOTIFICATION, ulMessageFlags),
    ];
    assert_eq!(newmail, [0, 8, 16, 24, 32, 40, 48]);
    let table = [
        offset_of!(TABLE_NOTIFICATION, ulTableEvent),
        offset_of!(TABLE_NOTIFICATION, hResult),
        offset_of!(TABLE_NOTIFICATION, propIndex),
        offset_of!(TABLE_NOTIFICATION, propPrior),
        offset_of!(TABLE_NOTIFICATION, row),
        offset_of!(TABLE_NOTIFICATION, ulPad),
    ];
    assert_eq!(table, [0, 4, 8, 32, 56, 72]);
    assert_eq!(
        [
            offset_of!(ERROR_NOTIFICATION, scode),
            offset_of!(ERROR_NOTIFICATION, ulFlags),
            offset_of!(ERROR_NOTIFICATION, lpMAPIError),
        ],
        [16, 20, 24]
    );
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
