//! MAPI's memory and its `IMalloc`, as the `mapisim::spi` traits a provider uses.
//!
//! An entry point (`MSProviderInit`, see [`crate::entry`]) receives MAPI's allocation routines as
//! three function pointers, and OLE's allocator as an `IMalloc` interface pointer. A provider
//! written against `mapisim::spi` uses them as [`MemRoutines`] and as a `Ref<dyn Malloc>`; this
//! module makes the one from the other:
//!
//! - [`HostAllocators`] is a [`MemBackend`] over `MAPIAllocateBuffer`, `MAPIAllocateMore` and
//!   `MAPIFreeBuffer`: the bytes of every block a provider allocates are MAPI's memory, at the
//!   address MAPI returned ([`MemRoutines::address`]), with no copy. [`host_routines`] puts
//!   [`MemRoutines`] on it in one call. The routines keep their account and refuse misuse (a
//!   double free, a linked block freed on its own, a foreign block) before MAPI sees it, as they
//!   do in the simulator (outside one, nobody is told of the broken rule: the call fails with
//!   `MAPI_E_INVALID_PARAMETER`).
//! - [`ComMalloc`] is a [`Malloc`] over an [`IMalloc`]: each method calls the slot of the same
//!   name through the vtable.
//! - [`MapiOutput`] owns a block MAPI allocated and handed over (an output parameter of one of
//!   its methods), which is in no routines' account, and frees it with `MAPIFreeBuffer` when
//!   dropped.
//!
//! ```no_run
//! use core::ffi::c_void;
//!
//! use mapisim::Ref;
//! use mapisim::spi::{Malloc, MemRoutines};
//! use mapisim_com::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER};
//! use mapisim_com::import::{ComMalloc, host_routines};
//!
//! /// What an exported `MSProviderInit` does with the allocators MAPI passes it.
//! unsafe fn allocators(
//!     malloc: *mut c_void,
//!     allocate_buffer: Option<LPALLOCATEBUFFER>,
//!     allocate_more: Option<LPALLOCATEMORE>,
//!     free_buffer: Option<LPFREEBUFFER>,
//! ) -> mapisim::MapiResult<(Ref<dyn Malloc>, MemRoutines)> {
//!     // SAFETY: MAPI passes its own routines and a live IMalloc to the entry point.
//!     let routines = unsafe { host_routines(allocate_buffer, allocate_more, free_buffer)? };
//!     // SAFETY: as above.
//!     let malloc = unsafe { ComMalloc::from_raw_borrowed(malloc)? };
//!     Ok((Ref::new(malloc).into(), routines))
//! }
//! ```
//!
//! # Soundness
//!
//! The traits are safe, so both adapters keep an account of the blocks they made (address,
//! size, and for MAPI's blocks the root each is linked to) and hand only those back to MAPI or
//! OLE (`DidAlloc`, which takes any pointer, aside): a write past a block's end, a block freed
//! twice or an address they never returned gives an error (or `None`, `false`) and reaches
//! neither. For MAPI's routines, [`MemRoutines`] make the same checks first, and report them in a
//! simulator; the account here is what makes [`HostAllocators`] sound on its own. Blocks are zeroed when they are made, as the simulator's
//! are, so that reading one never reads uninitialised memory.
//!
//! # Threads
//!
//! Both types are `Send + Sync`: MAPI uses the free-threading model, and its allocation routines
//! and OLE's task allocator are thread-safe. Each account is behind a lock, and a block is used
//! either under it (a copy, `GetSize`, `MAPIAllocateMore` on a root) or once taken out of the
//! account (a free, a `Realloc`), so that a free on another thread cannot pull it away. Neither
//! MAPI's routines nor `IMalloc` call back into the provider, so holding the lock across their
//! calls cannot deadlock.

use core::ffi::c_void;
use core::fmt;
use core::ptr;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use mapisim::spi::{Malloc, MallocBlock, MemBackend, MemRoutines};
use mapisim::{MapiError, MapiResult};
use windows_core::Interface;

use crate::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER};
use crate::interfaces::IMalloc;
use crate::types::SCODE;

/// Takes a lock whether or not a thread panicked while holding it: the accounts below are
/// consistent between any two statements that change them.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A block of MAPI's, as [`HostAllocators`] accounts for it.
struct HostBlock {
    /// Its size in bytes, as asked for.
    size: usize,
    /// The root it is linked to, for a block of `MAPIAllocateMore`.
    root: Option<usize>,
    /// The blocks `MAPIAllocateMore` linked to it, for a root.
    linked: Vec<usize>,
}

/// MAPI's allocation routines (`MAPIAllocateBuffer`, `MAPIAllocateMore`, `MAPIFreeBuffer`) as a
/// [`MemBackend`]: the function pointers an entry point receives (`lpAllocateBuffer`,
/// `lpAllocateMore`, `lpFreeBuffer`) or `IMAPISupport::GetMemAllocRoutines` returns.
///
/// A block is named by its address, the pointer MAPI returned. The backend keeps its own account
/// of the blocks it made (see the [module documentation](self)): an address it does not know as
/// a live block, or a range past a block's end, is refused with `MAPI_E_INVALID_PARAMETER`
/// before MAPI is called. [`MemRoutines`] on this backend check the same, and more, first.
///
/// It is `Send + Sync`, as MAPI's routines are thread-safe (MAPI uses the free-threading model):
/// the constructor's caller vouches for the pointers it is given.
///
/// Dropping it frees nothing: blocks still live are MAPI's memory, as in C.
pub struct HostAllocators {
    allocate_buffer: LPALLOCATEBUFFER,
    allocate_more: LPALLOCATEMORE,
    free_buffer: LPFREEBUFFER,
    /// Every live block this backend made, by address.
    blocks: Mutex<HashMap<usize, HostBlock>>,
}

impl HostAllocators {
    /// A backend over the three routines an entry point received. A NULL pointer (`None`) gives
    /// `MAPI_E_INVALID_PARAMETER`.
    ///
    /// # Safety
    ///
    /// The caller vouches that the pointers are MAPI's routines (or ones that keep their
    /// contract: a root block of at least the size asked for, a block linked to a live root, a
    /// free of a root and everything linked to it), callable from any thread, and valid for the
    /// whole life of the value; and that no block they make through this value is freed other
    /// than through it (a block handed to MAPI as an output, which MAPI frees, is not used through
    /// this value afterwards).
    pub unsafe fn new(
        allocate_buffer: Option<LPALLOCATEBUFFER>,
        allocate_more: Option<LPALLOCATEMORE>,
        free_buffer: Option<LPFREEBUFFER>,
    ) -> MapiResult<HostAllocators> {
        match (allocate_buffer, allocate_more, free_buffer) {
            (Some(allocate_buffer), Some(allocate_more), Some(free_buffer)) => Ok(HostAllocators {
                allocate_buffer,
                allocate_more,
                free_buffer,
                blocks: Mutex::new(HashMap::new()),
            }),
            _ => Err(MapiError::InvalidParameter),
        }
    }

    /// How many blocks this backend made that are still live (roots and linked blocks).
    pub fn live_blocks(&self) -> usize {
        lock(&self.blocks).len()
    }

    /// Records a new block and zeroes it.
    fn record(
        &self,
        blocks: &mut HashMap<usize, HostBlock>,
        address: *mut c_void,
        size: usize,
        root: Option<usize>,
    ) {
        // SAFETY: MAPI just returned `address` as a block of at least `size` bytes (the
        // constructor's contract), which nobody else knows of yet.
        unsafe { ptr::write_bytes(address.cast::<u8>(), 0, size) };
        let address = address.expose_provenance();
        if let Some(root) = root
            && let Some(block) = blocks.get_mut(&root)
        {
            block.linked.push(address);
        }
        blocks.insert(
            address,
            HostBlock {
                size,
                root,
                linked: Vec::new(),
            },
        );
    }
}

impl fmt::Debug for HostAllocators {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostAllocators")
            .field("live_blocks", &self.live_blocks())
            .finish_non_exhaustive()
    }
}

/// The block an allocation routine returned: its address, or the error its `SCODE` names. A
/// success with a NULL block is `MAPI_E_NOT_ENOUGH_MEMORY`: there is no memory to use.
fn allocated(sc: SCODE, block: *mut c_void) -> MapiResult<*mut c_void> {
    if sc < 0 {
        Err(MapiError::from_hresult(sc))
    } else if block.is_null() {
        Err(MapiError::NotEnoughMemory)
    } else {
        Ok(block)
    }
}

impl MemBackend for HostAllocators {
    fn allocate_buffer(&self, size: u32) -> MapiResult<usize> {
        let mut block = ptr::null_mut();
        // SAFETY: `allocate_buffer` is `MAPIAllocateBuffer` (the constructor's contract), which
        // takes a size and a valid out-pointer.
        let sc = unsafe { (self.allocate_buffer)(size, &mut block) };
        let block = allocated(sc, block)?;
        let mut blocks = lock(&self.blocks);
        self.record(&mut blocks, block, size as usize, None);
        Ok(block.expose_provenance())
    }

    fn allocate_more(&self, size: u32, root: usize) -> MapiResult<usize> {
        // Held until the new block is recorded: the root cannot be freed meanwhile.
        let mut blocks = lock(&self.blocks);
        if blocks.get(&root).is_none_or(|b| b.root.is_some()) {
            return Err(MapiError::InvalidParameter);
        }
        let mut block = ptr::null_mut();
        // SAFETY: `allocate_more` is `MAPIAllocateMore` (the constructor's contract); `root` is a
        // live root block it made, as the account says under its lock; `block` is a valid
        // out-pointer.
        let sc = unsafe { (self.allocate_more)(size, ptr::with_exposed_provenance_mut(root), &mut block) };
        let block = allocated(sc, block)?;
        self.record(&mut blocks, block, size as usize, Some(root));
        Ok(block.expose_provenance())
    }

    fn free_buffer(&self, address: usize) -> MapiResult<()> {
        {
            let mut blocks = lock(&self.blocks);
            let Some(block) = blocks.get(&address).filter(|b| b.root.is_none()) else {
                return Err(MapiError::InvalidParameter);
            };
            for part in block.linked.clone() {
                blocks.remove(&part);
            }
            blocks.remove(&address);
        }
        // SAFETY: `free_buffer` is `MAPIFreeBuffer` (the constructor's contract); `address` was a
        // live root block of these routines and has just left the account under its lock, so
        // this is its only free.
        let status = unsafe { (self.free_buffer)(ptr::with_exposed_provenance_mut(address)) };
        match status {
            0 => Ok(()),
            other => Err(MapiError::from_hresult(other as i32)),
        }
    }

    fn write(&self, address: usize, offset: usize, bytes: &[u8]) -> MapiResult<()> {
        let blocks = lock(&self.blocks);
        let end = offset.checked_add(bytes.len());
        if blocks
            .get(&address)
            .is_none_or(|b| end.is_none_or(|end| end > b.size))
        {
            return Err(MapiError::InvalidParameter);
        }
        let target = ptr::with_exposed_provenance_mut::<u8>(address);
        // SAFETY: the block at `address` is live and at least `offset + bytes.len()` bytes long:
        // the account says so, and the lock held keeps it from being freed meanwhile (the
        // routines in front check the same before calling). `bytes` is a shared borrow, not the
        // block being written.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), target.add(offset), bytes.len()) };
        Ok(())
    }

    fn read(&self, address: usize, len: usize) -> MapiResult<Vec<u8>> {
        let blocks = lock(&self.blocks);
        if blocks.get(&address).is_none_or(|b| len > b.size) {
            return Err(MapiError::InvalidParameter);
        }
        let mut bytes = vec![0; len];
        let source = ptr::with_exposed_provenance::<u8>(address);
        // SAFETY: the block at `address` is live, at least `len` bytes long and initialised (it
        // was zeroed when made): the account says so, and the lock held keeps it from being
        // freed meanwhile (the routines in front check the same before calling). `bytes` is a
        // fresh vector of `len` bytes.
        unsafe { ptr::copy_nonoverlapping(source, bytes.as_mut_ptr(), len) };
        Ok(bytes)
    }
}

/// [`MemRoutines`] on MAPI's allocation routines ([`HostAllocators`]) in one call: what a
/// provider's entry point hands its provider object as `InitArgs::routines`. A NULL pointer
/// gives `MAPI_E_INVALID_PARAMETER`.
///
/// # Safety
///
/// As for [`HostAllocators::new`]: the pointers are MAPI's routines, thread-safe and valid for as
/// long as the routines (or any clone of them) live, and a block they make is freed only through
/// them.
pub unsafe fn host_routines(
    allocate_buffer: Option<LPALLOCATEBUFFER>,
    allocate_more: Option<LPALLOCATEMORE>,
    free_buffer: Option<LPFREEBUFFER>,
) -> MapiResult<MemRoutines> {
    // SAFETY: the caller's contract is the constructor's.
    let backend = unsafe { HostAllocators::new(allocate_buffer, allocate_more, free_buffer)? };
    Ok(MemRoutines::with_backend(Arc::new(backend)))
}

/// A block MAPI allocated and handed over as an output parameter (a `MAPIERROR`, a property
/// array, a wrapped entry ID), owned until it is dropped, when it is freed with `MAPIFreeBuffer`:
/// exactly once, on every path out of the code that holds it.
///
/// Such a block is not in the account of any [`MemRoutines`] (the provider's routines know only
/// the blocks they made, and [`MemRoutines::block_at`] finds only those), so it cannot be freed
/// through them; it is freed through MAPI's own `MAPIFreeBuffer` pointer, which the holder keeps
/// (`IMAPISupport::GetMemAllocRoutines` returns it).
pub struct MapiOutput {
    address: *mut c_void,
    free_buffer: LPFREEBUFFER,
}

impl MapiOutput {
    /// Takes ownership of the block at `address`, to be freed with `free_buffer` when dropped;
    /// `None` for NULL (nothing to free).
    ///
    /// # Safety
    ///
    /// `address` is NULL or a root block MAPI allocated (`MAPIAllocateBuffer`) and handed to the
    /// caller, which nothing else frees; `free_buffer` is MAPI's `MAPIFreeBuffer` (or a routine
    /// that frees such a block and everything linked to it). The block stays readable, unchanged,
    /// until the value is dropped.
    pub unsafe fn new(address: *mut c_void, free_buffer: LPFREEBUFFER) -> Option<MapiOutput> {
        (!address.is_null()).then_some(MapiOutput { address, free_buffer })
    }

    /// The block's address, valid while the value lives.
    pub fn as_ptr(&self) -> *mut c_void {
        self.address
    }
}

impl Drop for MapiOutput {
    fn drop(&mut self) {
        // SAFETY: `address` is a root block MAPI handed over, owned by this value alone (the
        // constructor's contract), and `free_buffer` is MAPI's MAPIFreeBuffer: this is its only
        // free. Its status is of no use here: the block is gone for the caller either way.
        let _ = unsafe { (self.free_buffer)(self.address) };
    }
}

impl fmt::Debug for MapiOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapiOutput")
            .field("address", &self.address)
            .finish()
    }
}

/// OLE's allocator, an [`IMalloc`] interface pointer (the `lpMalloc` an entry point receives), as
/// a [`Malloc`]: `alloc`, `realloc`, `free`, `get_size`, `did_alloc` and `heap_minimize` call the
/// slots `Alloc`, `Realloc`, `Free`, `GetSize`, `DidAlloc` and `HeapMinimize`.
///
/// A [`MallocBlock`] carries the block's address, the pointer `IMalloc` returned, as a `u64`.
///
/// It holds one reference to the interface: made from a borrowed pointer it calls `AddRef` once
/// (a clone of the [`IMalloc`]), and dropping it calls `Release` once. A provider shares it as a
/// `Ref<dyn Malloc>` (`Ref::new(com_malloc).into()`): the `Ref`'s clones are counted on the Rust
/// side, and the COM reference goes with the last of them.
///
/// It accounts for the blocks it made (see the [module documentation](self)): `free`, `realloc`
/// and `get_size` of a block it did not make, or already freed, change nothing and call nothing
/// (`None`). Dropping it frees no block.
///
/// It is `Send + Sync` because the object behind the pointer is OLE's task allocator, which is
/// thread-safe, as MAPI's free-threading model requires of what it hands a provider: any thread
/// may call it and drop the last reference.
pub struct ComMalloc {
    malloc: IMalloc,
    /// Every live block this adapter made: its address and the size asked for.
    blocks: Mutex<HashMap<u64, usize>>,
}

// SAFETY: the interface is OLE's task allocator, which is thread-safe (MAPI uses the
// free-threading model): calls and the final `Release` may come from any thread. The account
// is behind a `Mutex`.
unsafe impl Send for ComMalloc {}

// SAFETY: as for `Send`; every method takes `&self` and calls only thread-safe slots.
unsafe impl Sync for ComMalloc {}

impl ComMalloc {
    /// An adapter over `malloc`, holding a reference of its own (one `AddRef`).
    pub fn new(malloc: &IMalloc) -> ComMalloc {
        ComMalloc {
            malloc: malloc.clone(),
            blocks: Mutex::new(HashMap::new()),
        }
    }

    /// An adapter over the interface pointer an entry point received, borrowed (the adapter
    /// calls `AddRef` once, and `Release` when dropped). NULL gives `MAPI_E_INVALID_PARAMETER`.
    ///
    /// # Safety
    ///
    /// `raw` is NULL or a live `IMalloc` pointer, whose object is thread-safe (OLE's task
    /// allocator is).
    pub unsafe fn from_raw_borrowed(raw: *mut c_void) -> MapiResult<ComMalloc> {
        // SAFETY: `raw` is NULL or a live IMalloc (the caller's contract); the borrow ends here,
        // after `new` has taken a reference of its own.
        let malloc = unsafe { IMalloc::from_raw_borrowed(&raw) };
        malloc.map(ComMalloc::new).ok_or(MapiError::InvalidParameter)
    }

    /// The interface this adapter calls.
    pub fn interface(&self) -> &IMalloc {
        &self.malloc
    }

    /// How many blocks this adapter made that are still live.
    pub fn live_blocks(&self) -> usize {
        lock(&self.blocks).len()
    }

    /// Copies `bytes` into a live block of this adapter at `offset`; `false` (and nothing
    /// written) for a block it does not know or a range past the block's end.
    pub fn write(&self, block: MallocBlock, offset: usize, bytes: &[u8]) -> bool {
        let blocks = lock(&self.blocks);
        let Some(&size) = blocks.get(&block.0) else {
            return false;
        };
        if offset.checked_add(bytes.len()).is_none_or(|end| end > size) {
            return false;
        }
        let Some(target) = pointer(block) else {
            return false;
        };
        // SAFETY: the block is live and at least `offset + bytes.len()` bytes long: the account
        // says so, and the lock held keeps it from being freed or moved meanwhile. `bytes` is a
        // shared borrow, not the block being written.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), target.cast::<u8>().add(offset), bytes.len()) };
        true
    }

    /// A copy of a live block's bytes (the size asked for), or `None` for a block this adapter
    /// does not know.
    pub fn read(&self, block: MallocBlock) -> Option<Vec<u8>> {
        let blocks = lock(&self.blocks);
        let size = *blocks.get(&block.0)?;
        let source = pointer(block)?;
        let mut bytes = vec![0; size];
        // SAFETY: the block is live, `size` bytes long and initialised (zeroed when made or
        // grown): the account says so, and the lock held keeps it from being freed or moved
        // meanwhile. `bytes` is a fresh vector of `size` bytes.
        unsafe { ptr::copy_nonoverlapping(source.cast::<u8>(), bytes.as_mut_ptr(), size) };
        Some(bytes)
    }
}

/// The handle of the block at `address`.
fn handle(address: *mut c_void) -> Option<MallocBlock> {
    u64::try_from(address.expose_provenance()).ok().map(MallocBlock)
}

/// The pointer a handle carries.
fn pointer(block: MallocBlock) -> Option<*mut c_void> {
    usize::try_from(block.0)
        .ok()
        .map(ptr::with_exposed_provenance_mut)
}

impl fmt::Debug for ComMalloc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComMalloc")
            .field("interface", &self.malloc.as_raw())
            .field("live_blocks", &self.live_blocks())
            .finish()
    }
}

impl Malloc for ComMalloc {
    fn alloc(&self, size: usize) -> Option<MallocBlock> {
        // SAFETY: `self.malloc` is a live IMalloc (this value holds a reference); `Alloc` takes a
        // size.
        let address = unsafe { self.malloc.Alloc(size) };
        if address.is_null() {
            return None;
        }
        // SAFETY: `Alloc` just returned a block of at least `size` bytes, which nobody else knows
        // of yet.
        unsafe { ptr::write_bytes(address.cast::<u8>(), 0, size) };
        let Some(block) = handle(address) else {
            // SAFETY: as above; the block is freed once, here.
            unsafe { self.malloc.Free(address) };
            return None;
        };
        lock(&self.blocks).insert(block.0, size);
        Some(block)
    }

    fn realloc(&self, block: Option<MallocBlock>, size: usize) -> Option<MallocBlock> {
        let Some(old) = block else {
            return self.alloc(size);
        };
        // The block leaves the account while `Realloc` runs: nothing else can use or free it.
        let old_address = pointer(old)?;
        let old_size = lock(&self.blocks).remove(&old.0)?;
        // SAFETY: `self.malloc` is live; `old_address` is a live block this IMalloc made (the
        // account said so), taken out of the account under its lock, so nothing else uses it
        // during the call.
        let address = unsafe { self.malloc.Realloc(old_address, size) };
        if address.is_null() {
            // A size of zero frees the block; otherwise it is left as it was.
            if size != 0 {
                lock(&self.blocks).insert(old.0, old_size);
            }
            return None;
        }
        if size > old_size {
            // SAFETY: `Realloc` returned a block of at least `size` bytes, whose first `old_size`
            // are the old block's; the rest is zeroed, as `alloc` zeroes a new block.
            unsafe { ptr::write_bytes(address.cast::<u8>().add(old_size), 0, size - old_size) };
        }
        let Some(new) = handle(address) else {
            // SAFETY: as above; the block is freed once, here.
            unsafe { self.malloc.Free(address) };
            return None;
        };
        lock(&self.blocks).insert(new.0, size);
        Some(new)
    }

    fn free(&self, block: Option<MallocBlock>) {
        let Some(block) = block else {
            return;
        };
        if lock(&self.blocks).remove(&block.0).is_none() {
            return;
        }
        if let Some(address) = pointer(block) {
            // SAFETY: `self.malloc` is live; `address` is a live block this IMalloc made, just
            // taken out of the account under its lock, so this is its only free.
            unsafe { self.malloc.Free(address) };
        }
    }

    fn get_size(&self, block: MallocBlock) -> Option<usize> {
        let blocks = lock(&self.blocks);
        if !blocks.contains_key(&block.0) {
            return None;
        }
        let address = pointer(block)?;
        // SAFETY: `self.malloc` is live; `address` is a live block this IMalloc made (the
        // account says so), and the lock held keeps it from being freed meanwhile.
        let size = unsafe { self.malloc.GetSize(address) };
        // `(SIZE_T)-1` is IMalloc's answer for a block it cannot size.
        (size != usize::MAX).then_some(size)
    }

    fn did_alloc(&self, block: MallocBlock) -> bool {
        let Some(address) = pointer(block) else {
            return false;
        };
        // SAFETY: `self.malloc` is live; `DidAlloc` takes any pointer, NULL included, and only
        // answers whether the allocator made it.
        match unsafe { self.malloc.DidAlloc(address) } {
            1 => true,
            0 => false,
            // -1: the allocator cannot tell; the account can.
            _ => lock(&self.blocks).contains_key(&block.0),
        }
    }

    fn heap_minimize(&self) {
        // SAFETY: `self.malloc` is live; `HeapMinimize` takes nothing.
        unsafe { self.malloc.HeapMinimize() };
    }
}
