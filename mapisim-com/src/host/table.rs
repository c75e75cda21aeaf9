//! The tables MAPI hands a compiled library (`IProviderAdmin::GetProviderTable`), as COM
//! `IMAPITable` objects.
//!
//! The simulator's side gives a table as its rows (`ProviderAdmin::get_provider_table`); the host
//! keeps them in a [`RowTable`], an object of the simulator's ledger (so a table the library
//! leaks is in the report), and hands it over behind a counting proxy, as every MAPI object.
//!
//! | method | |
//! |---|---|
//! | `SetColumns`, `QueryColumns` | the columns (by default those of the first row, in its order); `QueryRows` gives each row's values for them, a missing one as `PT_ERROR` with `MAPI_E_NOT_FOUND` |
//! | `GetRowCount`, `SeekRow` (`BOOKMARK_BEGINNING` 0, `BOOKMARK_CURRENT` 1, `BOOKMARK_END` 2), `QueryPosition`, `QueryRows` (forward) | move through the rows; each row's values are a block of their own and the row set another, allocated by MAPI for the caller, who frees them as `FreeProws` does |
//! | the others | `MAPI_E_NO_SUPPORT`: restrictions, sorting, bookmarks beyond the three, categories and notifications are not played by these static tables |
// The parameters of the COM methods are MAPI's names.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::mem::{offset_of, size_of};
use core::ptr;
use std::sync::{Arc, Mutex};

use mapisim::props::{Prop, PropTag, PropType, PropValue};
use mapisim::{MapiError, MapiResult};
use windows_core::{GUID, HRESULT, Interface};

use super::{HostShared, lock};
use crate::export::store::put;
use crate::interfaces::{IMAPITable, IMAPITable_Vtbl};
use crate::props;
use crate::types::{MAPIERROR, SPropTagArray, SRestriction, SRow, SRowSet, SSortOrderSet};

/// `BOOKMARK_BEGINNING`, `BOOKMARK_CURRENT`, `BOOKMARK_END`.
const BOOKMARK_BEGINNING: usize = 0;
const BOOKMARK_CURRENT: usize = 1;
const BOOKMARK_END: usize = 2;

/// A static table: rows, the columns asked for, and a cursor.
#[derive(Debug)]
pub(crate) struct RowTable {
    rows: Vec<Vec<Prop>>,
    state: Mutex<Cursor>,
}

#[derive(Debug)]
struct Cursor {
    row: usize,
    columns: Vec<PropTag>,
}

impl RowTable {
    /// A table of `rows`, its columns those of the first row.
    pub(crate) fn new(rows: Vec<Vec<Prop>>) -> RowTable {
        let columns = rows
            .first()
            .map(|row| row.iter().map(|p| p.tag).collect())
            .unwrap_or_default();
        RowTable {
            rows,
            state: Mutex::new(Cursor { row: 0, columns }),
        }
    }

    /// Row `index` with the columns asked for.
    fn project(&self, index: usize, columns: &[PropTag]) -> Vec<Prop> {
        let row = self.rows.get(index).map(Vec::as_slice).unwrap_or_default();
        columns
            .iter()
            .map(|column| {
                row.iter()
                    .find(|p| {
                        p.tag == *column
                            || (p.tag.id() == column.id() && column.prop_type() == PropType::UNSPECIFIED)
                    })
                    .cloned()
                    .unwrap_or(Prop {
                        tag: column.with_type(PropType::ERROR),
                        value: PropValue::Error(MapiError::NotFound),
                    })
            })
            .collect()
    }
}

/// The interfaces of a table proxy.
pub(crate) const TABLE_IIDS: &[GUID] = &[IMAPITable::IID];

/// The vtable of a table (see the [module documentation](self)).
pub(crate) static TABLE: IMAPITable_Vtbl = IMAPITable_Vtbl {
    base__: super::proxy::unknown::<RowTable>(),
    GetLastError: table_get_last_error,
    Advise: table_advise,
    Unadvise: table_unadvise,
    GetStatus: table_get_status,
    SetColumns: table_set_columns,
    QueryColumns: table_query_columns,
    GetRowCount: table_get_row_count,
    SeekRow: table_seek_row,
    SeekRowApprox: table_seek_row_approx,
    QueryPosition: table_query_position,
    FindRow: table_find_row,
    Restrict: table_restrict,
    CreateBookmark: table_create_bookmark,
    FreeBookmark: table_free_bookmark,
    SortTable: table_sort_table,
    QuerySortOrder: table_query_sort_order,
    QueryRows: table_query_rows,
    Abort: table_abort,
    ExpandRow: table_expand_row,
    CollapseRow: table_collapse_row,
    WaitForCompletion: table_wait_for_completion,
    GetCollapseState: table_get_collapse_state,
    SetCollapseState: table_set_collapse_state,
};

crate::host::proxy::refused! {
    table_get_last_error(HRESULT, u32, *mut *mut MAPIERROR);
    table_advise(u32, *mut c_void, *mut usize);
    table_unadvise(usize);
    table_get_status(*mut u32, *mut u32);
    table_seek_row_approx(u32, u32);
    table_find_row(*mut SRestriction, usize, u32);
    table_restrict(*mut SRestriction, u32);
    table_create_bookmark(*mut usize);
    table_free_bookmark(usize);
    table_sort_table(*mut SSortOrderSet, u32);
    table_query_sort_order(*mut *mut SSortOrderSet);
    table_abort();
    table_expand_row(u32, *mut u8, u32, u32, *mut *mut SRowSet, *mut u32);
    table_collapse_row(u32, *mut u8, u32, *mut u32);
    table_wait_for_completion(u32, u32, *mut u32);
    table_get_collapse_state(u32, u32, *mut u8, *mut u32, *mut *mut u8);
    table_set_collapse_state(u32, u32, *mut u8, *mut usize);
}

/// Runs a table method.
///
/// # Safety
///
/// `this` is a table proxy made by [`HostShared::proxy_of`], whose registry is alive.
unsafe fn method(
    this: *mut c_void,
    body: impl FnOnce(&RowTable, &Arc<HostShared>) -> MapiResult<()>,
) -> HRESULT {
    // SAFETY: the function's contract.
    unsafe { super::proxy::method::<RowTable>(this, body) }
}

unsafe extern "system" fn table_set_columns(
    this: *mut c_void,
    lpPropTagArray: *mut SPropTagArray,
    _ulFlags: u32,
) -> HRESULT {
    // SAFETY: `this` is a table proxy; the tag array is NULL or valid (the method's contract).
    unsafe {
        method(this, |table, _| {
            let columns = props::read_tags(lpPropTagArray).ok_or(MapiError::InvalidParameter)?;
            lock(&table.state).columns = columns;
            Ok(())
        })
    }
}

unsafe extern "system" fn table_query_columns(
    this: *mut c_void,
    _ulFlags: u32,
    lpPropTagArray: *mut *mut SPropTagArray,
) -> HRESULT {
    // SAFETY: `this` is a table proxy; the out-pointer is NULL or valid.
    unsafe {
        put(lpPropTagArray, ptr::null_mut());
        method(this, |table, host| {
            if lpPropTagArray.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            let columns = lock(&table.state).columns.clone();
            let mut bytes = Vec::with_capacity(4 + 4 * columns.len());
            bytes.extend_from_slice(
                &u32::try_from(columns.len())
                    .map_err(|_| MapiError::NotEnoughMemory)?
                    .to_ne_bytes(),
            );
            for column in &columns {
                bytes.extend_from_slice(&column.0.to_ne_bytes());
            }
            let routines = host.routines()?;
            let block = routines.allocate_result_bytes(&bytes, "QueryColumns")?;
            put(
                lpPropTagArray,
                ptr::with_exposed_provenance_mut(host.address(block)?),
            );
            Ok(())
        })
    }
}

unsafe extern "system" fn table_get_row_count(
    this: *mut c_void,
    _ulFlags: u32,
    lpulCount: *mut u32,
) -> HRESULT {
    // SAFETY: `this` is a table proxy; the out-pointer is NULL or valid.
    unsafe {
        method(this, |table, _| {
            if lpulCount.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            put(lpulCount, u32::try_from(table.rows.len()).unwrap_or(u32::MAX));
            Ok(())
        })
    }
}

unsafe extern "system" fn table_seek_row(
    this: *mut c_void,
    bkOrigin: usize,
    lRowCount: i32,
    lplRowsSought: *mut i32,
) -> HRESULT {
    // SAFETY: `this` is a table proxy; the out-pointer is NULL or valid.
    unsafe {
        method(this, |table, _| {
            let mut cursor = lock(&table.state);
            let origin = match bkOrigin {
                BOOKMARK_BEGINNING => 0,
                BOOKMARK_CURRENT => cursor.row,
                BOOKMARK_END => table.rows.len(),
                _ => return Err(MapiError::InvalidBookmark),
            };
            let target = i64::try_from(origin)
                .unwrap_or(i64::MAX)
                .saturating_add(i64::from(lRowCount));
            let row = usize::try_from(target.max(0))
                .unwrap_or(usize::MAX)
                .min(table.rows.len());
            let sought = i64::try_from(row).unwrap_or(i64::MAX) - i64::try_from(origin).unwrap_or(i64::MAX);
            cursor.row = row;
            put(lplRowsSought, i32::try_from(sought).unwrap_or(0));
            Ok(())
        })
    }
}

unsafe extern "system" fn table_query_position(
    this: *mut c_void,
    lpulRow: *mut u32,
    lpulNumerator: *mut u32,
    lpulDenominator: *mut u32,
) -> HRESULT {
    // SAFETY: `this` is a table proxy; the out-pointers are NULL or valid.
    unsafe {
        method(this, |table, _| {
            let row = u32::try_from(lock(&table.state).row).unwrap_or(u32::MAX);
            put(lpulRow, row);
            put(lpulNumerator, row);
            put(
                lpulDenominator,
                u32::try_from(table.rows.len()).unwrap_or(u32::MAX),
            );
            Ok(())
        })
    }
}

/// Where the rows start in an `SRowSet`, and the size of one.
const ROWS: usize = offset_of!(SRowSet, aRow);
const ROW_SIZE: usize = size_of::<SRow>();

unsafe extern "system" fn table_query_rows(
    this: *mut c_void,
    lRowCount: i32,
    _ulFlags: u32,
    lppRows: *mut *mut SRowSet,
) -> HRESULT {
    // SAFETY: `this` is a table proxy; the out-pointer is NULL or valid.
    unsafe {
        put(lppRows, ptr::null_mut());
        method(this, |table, host| {
            if lppRows.is_null() || lRowCount < 0 {
                // Backwards reading is not played by these tables.
                return Err(if lppRows.is_null() {
                    MapiError::InvalidParameter
                } else {
                    MapiError::NoSupport
                });
            }
            let routines = host.routines()?;
            let (first, columns) = {
                let cursor = lock(&table.state);
                (cursor.row, cursor.columns.clone())
            };
            let wanted = usize::try_from(lRowCount).unwrap_or(0);
            let last = first.saturating_add(wanted).min(table.rows.len());
            let mut set = vec![0u8; ROWS + ROW_SIZE * (last - first)];
            set[..4].copy_from_slice(&u32::try_from(last - first).unwrap_or(0).to_ne_bytes());
            let mut made = Vec::new();
            let mut result = Ok(());
            for (i, index) in (first..last).enumerate() {
                let values = table.project(index, &columns);
                let count = u32::try_from(values.len()).unwrap_or(0);
                match routines.allocate_result(values, "QueryRows") {
                    Ok(block) => {
                        let address = host.address(block.id())?;
                        made.push(block.id());
                        let at = ROWS + i * ROW_SIZE;
                        set[at + offset_of!(SRow, cValues)..][..4].copy_from_slice(&count.to_ne_bytes());
                        set[at + offset_of!(SRow, lpProps)..][..size_of::<usize>()]
                            .copy_from_slice(&address.to_ne_bytes());
                    }
                    Err(error) => {
                        result = Err(error);
                        break;
                    }
                }
            }
            let set = result.and_then(|()| routines.allocate_result_bytes(&set, "QueryRows"));
            match set {
                Ok(set) => {
                    lock(&table.state).row = last;
                    put(lppRows, ptr::with_exposed_provenance_mut(host.address(set)?));
                    Ok(())
                }
                Err(error) => {
                    for block in made {
                        let _ = routines.free_buffer(Some(block));
                    }
                    Err(error)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use mapisim::Ref;
    use mapisim::props::{PR_DISPLAY_NAME_W, PR_PROVIDER_UID, PropValue};
    use mapisim::spi::MemRoutines;

    use super::*;
    use crate::export::read_table;
    use crate::host::{HostHeap, HostShared};

    /// A row with a UID of `i` and a name.
    fn row(i: u8) -> Vec<Prop> {
        vec![
            Prop {
                tag: PR_PROVIDER_UID,
                value: PropValue::Binary(vec![i; 16]),
            },
            Prop {
                tag: PR_DISPLAY_NAME_W,
                value: PropValue::Unicode(format!("provider {i}").into()),
            },
        ]
    }

    /// A table of `rows` handed over by a host whose memory is on a process heap, as an
    /// `IMAPITable` (the pointer's reference is the interface's), and the host's routines.
    fn table(
        rows: Vec<Vec<Prop>>,
    ) -> (
        Arc<HostShared>,
        MemRoutines,
        IMAPITable,
        mapisim::object::WeakRef<RowTable>,
    ) {
        let routines = MemRoutines::with_backend(Arc::new(HostHeap::new()));
        let host = HostShared::detached(&routines);
        let table = Ref::new(RowTable::new(rows));
        let weak = table.downgrade();
        let raw = host.hand_over(table, &TABLE, TABLE_IIDS);
        // SAFETY: `raw` is a table proxy with one reference, which the interface takes.
        let table = unsafe { IMAPITable::from_raw(raw) };
        (host, routines, table, weak)
    }

    #[test]
    fn every_row_is_read_a_page_at_a_time_and_every_block_is_freed() {
        let rows: Vec<_> = (0..120).map(row).collect();
        let (host, routines, table, weak) = table(rows.clone());
        let (_, _, free) = host.allocators(&routines).expect("bound");
        // SAFETY: a live table whose row sets are blocks of these routines.
        let read = unsafe { read_table(&table, free) }.expect("read");
        assert_eq!(read, rows);
        assert_eq!(routines.live_blocks(), 0, "FreeProws freed every block");
        let mut count = 0;
        // SAFETY: a live table; `count` on the stack.
        assert!(unsafe { table.GetRowCount(0, &mut count) }.is_ok());
        assert_eq!(count, 120);
        drop(table);
        assert!(!weak.is_alive(), "the interface's reference was the table's last");
    }

    #[test]
    fn columns_are_projected_and_the_cursor_seeks() {
        let (host, routines, table, _weak) = table(vec![row(1), row(2), row(3)]);
        let (_, _, free) = host.allocators(&routines).expect("bound");
        // Only the name, and a column no row has.
        let mut columns = [2u32, PR_DISPLAY_NAME_W.0, 0x6700_0003];
        // SAFETY: a live table; `columns` is laid out as an SPropTagArray of 2 tags.
        assert!(unsafe { table.SetColumns(columns.as_mut_ptr().cast(), 0) }.is_ok());
        let mut sought = 0;
        // SAFETY: a live table; BOOKMARK_END, one row back.
        assert!(unsafe { table.SeekRow(BOOKMARK_END, -1, &mut sought) }.is_ok());
        assert_eq!(sought, -1);
        let mut set = ptr::null_mut();
        // SAFETY: a live table; `set` on the stack.
        assert!(unsafe { table.QueryRows(10, 0, &mut set) }.is_ok());
        // SAFETY: the row set just returned: one row of two values.
        let (count, values) = unsafe { ((*set).cRows, (*set).aRow[0].cValues) };
        assert_eq!((count, values), (1, 2));
        // SAFETY: as above.
        let values = unsafe { props::read_props((*set).aRow[0].lpProps, 2) };
        assert_eq!(values[0].value, PropValue::Unicode("provider 3".into()));
        assert_eq!(values[1].value, PropValue::Error(MapiError::NotFound));
        // SAFETY: the row's values, then the set, freed once each.
        unsafe {
            free((*set).aRow[0].lpProps.cast());
            free(set.cast());
        }
        // An unknown bookmark is refused.
        // SAFETY: a live table.
        let hr = unsafe { table.SeekRow(7, 0, ptr::null_mut()) };
        assert_eq!(hr.0, MapiError::InvalidBookmark.hresult());
        assert_eq!(routines.live_blocks(), 0);
    }
}
