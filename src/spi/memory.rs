//! MAPI's memory routines (`MAPIAllocateBuffer`, `MAPIAllocateMore`, `MAPIFreeBuffer`) and the OLE
//! allocator (`IMalloc`) as a provider receives them.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::error::{MapiError, MapiResult};
use crate::sync::lock;

/// A block returned by `MAPIAllocateBuffer` or `MAPIAllocateMore` (the `LPVOID`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct BufferId(pub u64);

#[derive(Debug)]
struct Block {
    /// The root block this one is linked to, for a block made by `MAPIAllocateMore`.
    root: Option<u64>,
    data: Vec<u8>,
    /// Blocks linked to this root.
    linked: Vec<u64>,
}

#[derive(Debug, Default)]
struct Heap {
    next: u64,
    blocks: HashMap<u64, Block>,
}

/// The three MAPI allocation routines handed to a provider's entry point and returned by
/// `IMAPISupport::GetMemAllocRoutines`. Cloning gives the same routines ([`MemRoutines::same_as`]).
///
/// `allocate_buffer` makes a root block; `allocate_more` makes a block linked to a root;
/// `free_buffer` frees a root and every block linked to it, and accepts `None` (NULL). Blocks are
/// real byte buffers: a provider fills them with [`MemRoutines::write`], a client reads them
/// with [`MemRoutines::read`].
#[derive(Clone, Default)]
pub struct MemRoutines {
    heap: Arc<Mutex<Heap>>,
}

impl fmt::Debug for MemRoutines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemRoutines")
            .field("live_blocks", &self.live_blocks())
            .finish()
    }
}

impl MemRoutines {
    /// A fresh set of routines with an empty heap.
    pub fn new() -> MemRoutines {
        MemRoutines::default()
    }

    /// Whether `other` is the same set of routines (the same function pointers in MAPI).
    pub fn same_as(&self, other: &MemRoutines) -> bool {
        Arc::ptr_eq(&self.heap, &other.heap)
    }

    fn insert(heap: &mut Heap, root: Option<u64>, size: u32) -> u64 {
        heap.next += 1;
        let id = heap.next;
        heap.blocks.insert(
            id,
            Block {
                root,
                data: vec![0; size as usize],
                linked: Vec::new(),
            },
        );
        id
    }

    /// `MAPIAllocateBuffer`: a new root block of `size` zeroed bytes.
    pub fn allocate_buffer(&self, size: u32) -> MapiResult<BufferId> {
        let mut heap = lock(&self.heap);
        Ok(BufferId(Self::insert(&mut heap, None, size)))
    }

    /// `MAPIAllocateMore`: a new block of `size` bytes linked to the root block `root`, freed
    /// with it. `root` must be a live root block (`MAPI_E_INVALID_PARAMETER` otherwise).
    pub fn allocate_more(&self, size: u32, root: BufferId) -> MapiResult<BufferId> {
        let mut heap = lock(&self.heap);
        match heap.blocks.get(&root.0) {
            Some(block) if block.root.is_none() => {}
            _ => return Err(MapiError::InvalidParameter),
        }
        let id = Self::insert(&mut heap, Some(root.0), size);
        if let Some(block) = heap.blocks.get_mut(&root.0) {
            block.linked.push(id);
        }
        Ok(BufferId(id))
    }

    /// `MAPIFreeBuffer`: frees a root block and every block linked to it. `None` (NULL) does
    /// nothing. A block that is not a live root gives `MAPI_E_INVALID_PARAMETER` and frees
    /// nothing.
    pub fn free_buffer(&self, buffer: Option<BufferId>) -> MapiResult<()> {
        let Some(buffer) = buffer else {
            return Ok(());
        };
        let mut heap = lock(&self.heap);
        match heap.blocks.get(&buffer.0) {
            Some(block) if block.root.is_none() => {}
            _ => return Err(MapiError::InvalidParameter),
        }
        if let Some(block) = heap.blocks.remove(&buffer.0) {
            for id in block.linked {
                heap.blocks.remove(&id);
            }
        }
        Ok(())
    }

    /// Copies `bytes` into a live block at `offset`.
    pub fn write(&self, buffer: BufferId, offset: usize, bytes: &[u8]) -> MapiResult<()> {
        let mut heap = lock(&self.heap);
        let block = heap
            .blocks
            .get_mut(&buffer.0)
            .ok_or(MapiError::InvalidParameter)?;
        let end = offset
            .checked_add(bytes.len())
            .ok_or(MapiError::InvalidParameter)?;
        let target = block
            .data
            .get_mut(offset..end)
            .ok_or(MapiError::InvalidParameter)?;
        target.copy_from_slice(bytes);
        Ok(())
    }

    /// A copy of a live block's bytes.
    pub fn read(&self, buffer: BufferId) -> MapiResult<Vec<u8>> {
        lock(&self.heap)
            .blocks
            .get(&buffer.0)
            .map(|b| b.data.clone())
            .ok_or(MapiError::InvalidParameter)
    }

    /// Whether the block is live.
    pub fn is_live(&self, buffer: BufferId) -> bool {
        lock(&self.heap).blocks.contains_key(&buffer.0)
    }

    /// How many blocks are live.
    pub fn live_blocks(&self) -> usize {
        lock(&self.heap).blocks.len()
    }
}

/// A block returned by `IMalloc::Alloc`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct MallocBlock(pub u64);

/// `IMalloc`, the OLE allocator MAPI hands to entry points (`lpMalloc`), for use with interfaces
/// such as `IStream`. It is a counted object: a provider that keeps it clones its `Ref` (the
/// documented `AddRef`).
pub trait Malloc: Send + Sync {
    /// `Alloc`: a block of `size` bytes, or `None` when memory is short.
    fn alloc(&self, size: usize) -> Option<MallocBlock>;
    /// `Realloc`: the block resized (a new handle), or `None`.
    fn realloc(&self, block: Option<MallocBlock>, size: usize) -> Option<MallocBlock>;
    /// `Free`.
    fn free(&self, block: Option<MallocBlock>);
    /// `GetSize`: the block's size, or `None` for a block this allocator does not own.
    fn get_size(&self, block: MallocBlock) -> Option<usize>;
    /// `DidAlloc`: whether this allocator made the block.
    fn did_alloc(&self, block: MallocBlock) -> bool {
        self.get_size(block).is_some()
    }
    /// `HeapMinimize`.
    fn heap_minimize(&self) {}
}
