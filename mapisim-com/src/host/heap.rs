//! The process heap as a [`MemBackend`]: MAPI memory with real addresses, for a compiled
//! library that reads and writes it through pointers.

use core::any::Any;
use core::ptr;
use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use mapisim::props::Prop;
use mapisim::spi::{MapiErrorInfo, MemBackend, MemRoutines};
use mapisim::strings::TString;
use mapisim::{MapiError, MapiResult};

use crate::props;

/// Every block is aligned for any C type MAPI lays out in it.
const ALIGN: usize = 16;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

struct HeapBlock {
    layout: Layout,
    /// The size asked for (the layout is at least one byte).
    size: usize,
    root: Option<usize>,
    linked: Vec<usize>,
}

/// The blocks, by address.
#[derive(Default)]
struct Blocks {
    blocks: Mutex<HashMap<usize, HeapBlock>>,
}

impl Blocks {
    fn allocate(&self, size: u32, root: Option<usize>) -> MapiResult<usize> {
        let size = usize::try_from(size).map_err(|_| MapiError::NotEnoughMemory)?;
        let layout = Layout::from_size_align(size.max(1), ALIGN).map_err(|_| MapiError::NotEnoughMemory)?;
        let mut blocks = lock(&self.blocks);
        if let Some(root) = root
            && blocks.get(&root).is_none_or(|b| b.root.is_some())
        {
            return Err(MapiError::InvalidParameter);
        }
        // SAFETY: the layout's size is at least 1.
        let address = unsafe { alloc_zeroed(layout) };
        if address.is_null() {
            return Err(MapiError::NotEnoughMemory);
        }
        let address = address.expose_provenance();
        blocks.insert(
            address,
            HeapBlock {
                layout,
                size,
                root,
                linked: Vec::new(),
            },
        );
        if let Some(root) = root
            && let Some(block) = blocks.get_mut(&root)
        {
            block.linked.push(address);
        }
        Ok(address)
    }

    fn free(&self, address: usize) -> MapiResult<()> {
        let mut blocks = lock(&self.blocks);
        if blocks.get(&address).is_none_or(|b| b.root.is_some()) {
            return Err(MapiError::InvalidParameter);
        }
        let Some(root) = blocks.remove(&address) else {
            return Err(MapiError::InvalidParameter);
        };
        for linked in root.linked {
            if let Some(block) = blocks.remove(&linked) {
                // SAFETY: the block was allocated with this layout at this address, and has
                // just left the account, so it is freed once.
                unsafe { dealloc(ptr::with_exposed_provenance_mut(linked), block.layout) };
            }
        }
        // SAFETY: as above, for the root.
        unsafe { dealloc(ptr::with_exposed_provenance_mut(address), root.layout) };
        Ok(())
    }

    /// Checks that `offset..offset + len` lies in the live block at `address`.
    fn check(
        blocks: &HashMap<usize, HeapBlock>,
        address: usize,
        offset: usize,
        len: usize,
    ) -> MapiResult<()> {
        let block = blocks.get(&address).ok_or(MapiError::InvalidParameter)?;
        match offset.checked_add(len) {
            Some(end) if end <= block.size => Ok(()),
            _ => Err(MapiError::InvalidParameter),
        }
    }
}

impl Drop for Blocks {
    fn drop(&mut self) {
        let blocks = self.blocks.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (address, block) in blocks.drain() {
            // SAFETY: every block of the account was allocated with its layout at its address
            // and not freed (freeing removes it from the account).
            unsafe { dealloc(ptr::with_exposed_provenance_mut(address), block.layout) };
        }
    }
}

impl MemBackend for Blocks {
    fn allocate_buffer(&self, size: u32) -> MapiResult<usize> {
        self.allocate(size, None)
    }

    fn allocate_more(&self, size: u32, root: usize) -> MapiResult<usize> {
        self.allocate(size, Some(root))
    }

    fn free_buffer(&self, address: usize) -> MapiResult<()> {
        self.free(address)
    }

    fn write(&self, address: usize, offset: usize, bytes: &[u8]) -> MapiResult<()> {
        let blocks = lock(&self.blocks);
        Blocks::check(&blocks, address, offset, bytes.len())?;
        // SAFETY: the range lies in a live block of the account (checked under the lock, which
        // is held across the copy, so no free can pull it away).
        unsafe {
            ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                ptr::with_exposed_provenance_mut::<u8>(address).add(offset),
                bytes.len(),
            );
        }
        Ok(())
    }

    fn read(&self, address: usize, len: usize) -> MapiResult<Vec<u8>> {
        let blocks = lock(&self.blocks);
        Blocks::check(&blocks, address, 0, len)?;
        let mut bytes = vec![0; len];
        // SAFETY: as for `write`; the block was zeroed when made, so every byte is initialised.
        unsafe {
            ptr::copy_nonoverlapping(
                ptr::with_exposed_provenance::<u8>(address),
                bytes.as_mut_ptr(),
                len,
            )
        };
        Ok(bytes)
    }
}

/// MAPI memory on the process heap, for hosting a compiled provider library: every block has a
/// real address that the library reads and writes through pointers, and every typed value MAPI
/// hands the library (a property array, a `MAPIERROR`, bytes) is laid out in its C layout
/// ([`crate::props`]), its root at the address the library receives.
///
/// Blocks are zeroed and aligned on 16 bytes. The backend keeps its own account (size, root,
/// linked blocks) and refuses a range or an address it does not know; the simulator's routines
/// on it check the same first and report misuse. Blocks still live when the backend is dropped
/// (the last simulator and library using it gone) are freed then.
#[derive(Clone, Default)]
pub struct HostHeap {
    blocks: Arc<Blocks>,
}

impl core::fmt::Debug for HostHeap {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HostHeap")
            .field("live_blocks", &self.live_blocks())
            .finish()
    }
}

impl HostHeap {
    /// An empty heap.
    pub fn new() -> HostHeap {
        HostHeap::default()
    }

    /// How many blocks are live (roots and linked blocks).
    pub fn live_blocks(&self) -> usize {
        lock(&self.blocks.blocks).len()
    }

    /// Routines on this heap outside any simulator (nothing traced, nothing reported): where
    /// the host lays out what it passes to a library as input (a property array given to
    /// `SetProps`, a `MAPIERROR` to copy) and frees it after the call.
    pub(crate) fn scratch(&self) -> MemRoutines {
        let backend: Arc<dyn MemBackend> = self.blocks.clone();
        MemRoutines::with_backend(backend)
    }
}

impl MemBackend for HostHeap {
    fn allocate_buffer(&self, size: u32) -> MapiResult<usize> {
        self.blocks.allocate_buffer(size)
    }

    fn allocate_more(&self, size: u32, root: usize) -> MapiResult<usize> {
        self.blocks.allocate_more(size, root)
    }

    fn free_buffer(&self, address: usize) -> MapiResult<()> {
        self.blocks.free_buffer(address)
    }

    fn write(&self, address: usize, offset: usize, bytes: &[u8]) -> MapiResult<()> {
        self.blocks.write(address, offset, bytes)
    }

    fn read(&self, address: usize, len: usize) -> MapiResult<Vec<u8>> {
        self.blocks.read(address, len)
    }

    /// Lays out a property array (`SPropValue[]`), a `MAPIERROR` (its strings UTF-16 when
    /// either is) or bytes in C memory, one root block with every datum linked to it. The
    /// scratch routines that write it are dropped after, so the blocks are the root's alone: one
    /// `MAPIFreeBuffer` of the root frees them.
    fn allocate_value(&self, value: &dyn Any) -> MapiResult<Option<usize>> {
        let scratch = self.scratch();
        let root = if let Some(props) = value.downcast_ref::<Vec<Prop>>() {
            props::write_props(&scratch, props)?
        } else if let Some(error) = value.downcast_ref::<MapiErrorInfo>() {
            let unicode = [&error.error, &error.component]
                .into_iter()
                .any(|s| matches!(s, Some(TString::Wide(_))));
            props::write_mapierror(&scratch, error, unicode)?
        } else if let Some(bytes) = value.downcast_ref::<Vec<u8>>() {
            scratch.allocate_bytes(bytes)?
        } else {
            return Ok(None);
        };
        Ok(scratch.address(root))
    }
}
