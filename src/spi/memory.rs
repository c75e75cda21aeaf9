//! MAPI's memory routines (`MAPIAllocateBuffer`, `MAPIAllocateMore`, `MAPIFreeBuffer`) and the OLE
//! allocator (`IMalloc`) as a provider receives them.
//!
//! # The routines
//!
//! [`MemRoutines`] are the three function pointers an entry point gets and
//! `IMAPISupport::GetMemAllocRoutines` returns. A block is named by a [`BufferId`], the
//! simulator's `LPVOID`:
//!
//! * [`MemRoutines::allocate_buffer`] makes a **root** block;
//! * [`MemRoutines::allocate_more`] makes a block **linked** to a root, freed with it;
//! * [`MemRoutines::free_buffer`] frees a root and everything linked to it; `None` (NULL) does
//!   nothing.
//!
//! Blocks are real byte buffers ([`MemRoutines::write`], [`MemRoutines::read`]). A block can also
//! hold a typed value ([`MapiBuffer<T>`], made by [`MemRoutines::allocate_value`]): that is how
//! structured results cross the boundary, such as the property array of `GetProps`
//! ([`PropArray`]) and the `MAPIERROR` of `GetLastError`.
//!
//! # Who frees what
//!
//! MAPI's rule for output parameters: the callee allocates with `MAPIAllocateBuffer`, the caller
//! frees with `MAPIFreeBuffer`. The simulator records, for every block, who allocated it, where
//! (the source line of the call, or the MAPI call that made it), and who must free it now: a
//! block returned to a caller (a spool-security blob, a property array, a wrapped entry ID)
//! becomes the caller's. Blocks still live at the end are reported (`MEM-LEAK`) with that account.
//!
//! Misuse is reported with its rule and never corrupts anything: a linked block freed on its own
//! (`MEM-FREE-LINKED`), a double free (`MEM-DOUBLE-FREE`), freeing what these routines never
//! allocated (`MEM-FOREIGN-FREE`), freeing a block handed to someone else (`MEM-NOT-OWNER`), using
//! a freed block (`MEM-USE-AFTER-FREE`), `MAPIAllocateMore` on a block that is not a live root
//! (`MEM-MORE-ROOT`). The call fails with `MAPI_E_INVALID_PARAMETER` and changes nothing, except
//! for `MEM-NOT-OWNER`, where the block is freed as the call asked.
//!
//! To tell a double free or a use after free from a foreign pointer, the routines remember the
//! last 65,536 blocks freed (so that a long run does not keep every block it ever freed): a block
//! freed longer ago than that is, to them, one they never allocated.
//!
//! ```
//! use mapisim::spi::MemRoutines;
//!
//! let routines = MemRoutines::new();
//! let root = routines.allocate_buffer(8)?;
//! let part = routines.allocate_more(4, root)?;
//! routines.write(part, 0, b"MAPI")?;
//! assert_eq!(routines.read(part)?, b"MAPI");
//! routines.free_buffer(Some(root))?; // frees the part too
//! assert_eq!(routines.live_blocks(), 0);
//! # Ok::<(), mapisim::MapiError>(())
//! ```

pub use crate::heap::{
    AllocationSite, BlockInfo, BufferId, BufferValue, Malloc, MallocBlock, MapiBuffer, MemBackend,
    MemRoutines, PropArray,
};

/// A `MAPIERROR` crosses the boundary in a MAPI buffer (`GetLastError`, a failed logon's
/// `lppMAPIError`).
impl BufferValue for crate::spi::support::MapiErrorInfo {
    fn describe(&self) -> String {
        "a MAPIERROR".to_owned()
    }
}
