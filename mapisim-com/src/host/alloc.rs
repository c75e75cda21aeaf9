//! MAPI's three allocation routines as C function pointers bound to a simulator's
//! [`MemRoutines`].
//!
//! `MAPIAllocateBuffer` takes no context argument, so a function pointer cannot carry the
//! routines it should call. The host keeps a fixed table of [`SLOTS`] sets of three functions,
//! each set reading the routines bound to its own slot: a loaded library claims a slot
//! (`AllocatorSlot::claim`) for as long as it is loaded, and its entry points and support
//! objects hand out that slot's functions. The slot is freed (and its functions fail) when the
//! library is unloaded.

use core::ffi::c_void;
use core::ptr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use mapisim::spi::MemRoutines;
use mapisim::{MapiError, MapiResult};

use crate::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER};
use crate::types::SCODE;

/// How many libraries can be loaded at once in one process, across every simulator.
pub(crate) const SLOTS: usize = 64;

/// The routines bound to each slot.
static BOUND: [Mutex<Option<MemRoutines>>; SLOTS] = [const { Mutex::new(None) }; SLOTS];
/// Whether each slot is claimed.
static CLAIMED: [AtomicBool; SLOTS] = [const { AtomicBool::new(false) }; SLOTS];

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The routines bound to slot `index`, if any.
fn bound(index: usize) -> Option<MemRoutines> {
    BOUND.get(index).and_then(|slot| lock(slot).clone())
}

/// The `SCODE` of an error.
fn scode(error: MapiError) -> SCODE {
    error.hresult()
}

/// Runs an allocation routine's body; a panic (of the simulator's own code) becomes
/// `MAPI_E_CALL_FAILED` rather than unwinding into C.
fn guarded(body: impl FnOnce() -> SCODE) -> SCODE {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| scode(MapiError::CallFailed))
}

/// Writes the address of a new block, or NULL, to `out`.
///
/// # Safety
///
/// `out` is valid for a write.
unsafe fn give(out: *mut *mut c_void, result: MapiResult<usize>) -> SCODE {
    let (address, sc) = match result {
        Ok(address) => (ptr::with_exposed_provenance_mut(address), 0),
        Err(error) => (ptr::null_mut(), scode(error)),
    };
    // SAFETY: the caller's contract.
    unsafe { out.write(address) };
    sc
}

/// `MAPIAllocateBuffer` of slot `I`.
unsafe extern "system" fn allocate_buffer<const I: usize>(cb: u32, out: *mut *mut c_void) -> SCODE {
    guarded(|| {
        if out.is_null() {
            return scode(MapiError::InvalidParameter);
        }
        let result = bound(I).ok_or(MapiError::CallFailed).and_then(|routines| {
            let block = routines.allocate_buffer(cb)?;
            routines.address(block).ok_or(MapiError::CallFailed)
        });
        // SAFETY: not NULL, and the caller passes a pointer valid for a write (the routine's
        // contract).
        unsafe { give(out, result) }
    })
}

/// `MAPIAllocateMore` of slot `I`.
unsafe extern "system" fn allocate_more<const I: usize>(
    cb: u32,
    object: *mut c_void,
    out: *mut *mut c_void,
) -> SCODE {
    guarded(|| {
        if out.is_null() {
            return scode(MapiError::InvalidParameter);
        }
        let result = bound(I).ok_or(MapiError::CallFailed).and_then(|routines| {
            let block = routines.allocate_more_at(cb, object.expose_provenance())?;
            routines.address(block).ok_or(MapiError::CallFailed)
        });
        // SAFETY: not NULL, and valid for a write (the routine's contract).
        unsafe { give(out, result) }
    })
}

/// `MAPIFreeBuffer` of slot `I`: 0 on success, the error's code otherwise.
unsafe extern "system" fn free_buffer<const I: usize>(block: *mut c_void) -> u32 {
    guarded(|| {
        if block.is_null() {
            return 0;
        }
        let result = bound(I)
            .ok_or(MapiError::CallFailed)
            .and_then(|routines| routines.free_address(block.expose_provenance()));
        match result {
            Ok(()) => 0,
            Err(error) => scode(error),
        }
    }) as u32
}

/// The three functions of one slot.
#[derive(Clone, Copy)]
struct Functions {
    allocate_buffer: LPALLOCATEBUFFER,
    allocate_more: LPALLOCATEMORE,
    free_buffer: LPFREEBUFFER,
}

macro_rules! slot_table {
    ($($i:literal)*) => {
        [$(Functions {
            allocate_buffer: allocate_buffer::<$i>,
            allocate_more: allocate_more::<$i>,
            free_buffer: free_buffer::<$i>,
        }),*]
    };
}

/// Each slot's functions.
static FUNCTIONS: [Functions; SLOTS] = slot_table!(
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
    32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63
);

/// A claimed slot of the table: three C functions that call the routines bound to it.
#[derive(Debug)]
pub(crate) struct AllocatorSlot {
    index: usize,
}

impl AllocatorSlot {
    /// Claims a free slot; `MAPI_E_NOT_ENOUGH_MEMORY` when all [`SLOTS`] are taken.
    pub(crate) fn claim() -> MapiResult<AllocatorSlot> {
        CLAIMED
            .iter()
            .position(|claimed| {
                claimed
                    .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            })
            .map(|index| AllocatorSlot { index })
            .ok_or(MapiError::NotEnoughMemory)
    }

    /// Binds `routines`: the slot's functions call them from now on.
    pub(crate) fn bind(&self, routines: &MemRoutines) {
        *lock(&BOUND[self.index]) = Some(routines.clone());
    }

    /// The routines bound to the slot.
    pub(crate) fn routines(&self) -> Option<MemRoutines> {
        bound(self.index)
    }

    /// The slot's `MAPIAllocateBuffer`, `MAPIAllocateMore` and `MAPIFreeBuffer`.
    pub(crate) fn functions(&self) -> (LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER) {
        let f = FUNCTIONS[self.index];
        (f.allocate_buffer, f.allocate_more, f.free_buffer)
    }
}

impl Drop for AllocatorSlot {
    fn drop(&mut self) {
        let routines = lock(&BOUND[self.index]).take();
        drop(routines);
        CLAIMED[self.index].store(false, Ordering::Release);
    }
}
