//! The simulator's `IMalloc`.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::spi::{Malloc, MallocBlock};
use crate::sync::lock;

/// MAPI's OLE allocator as the simulator hands it to entry points (`lpMalloc`): a counted object
/// and a full `IMalloc` model. Every block holds real bytes ([`SimMalloc::write`],
/// [`SimMalloc::read`]); `Realloc` keeps the content up to the smaller size, `Realloc(NULL, n)`
/// allocates and `Realloc(p, 0)` frees; `Free(NULL)` does nothing; `GetSize` and `DidAlloc`
/// know only live blocks of this allocator. Blocks are counted ([`SimMalloc::live_blocks`]) but
/// no rule is attached to them: the documents state none for `lpMalloc`'s blocks.
#[derive(Debug, Default)]
pub struct SimMalloc {
    blocks: Mutex<MallocState>,
}

#[derive(Debug, Default)]
struct MallocState {
    next: u64,
    blocks: HashMap<u64, Vec<u8>>,
}

impl SimMalloc {
    /// How many blocks are live.
    pub fn live_blocks(&self) -> usize {
        lock(&self.blocks).blocks.len()
    }

    /// Copies `bytes` into a live block at `offset`; `false` (nothing written) for a block that
    /// is not live or too small.
    pub fn write(&self, block: MallocBlock, offset: usize, bytes: &[u8]) -> bool {
        let mut st = lock(&self.blocks);
        let Some(data) = st.blocks.get_mut(&block.0) else {
            return false;
        };
        let Some(target) = offset
            .checked_add(bytes.len())
            .and_then(|end| data.get_mut(offset..end))
        else {
            return false;
        };
        target.copy_from_slice(bytes);
        true
    }

    /// A copy of a live block's bytes.
    pub fn read(&self, block: MallocBlock) -> Option<Vec<u8>> {
        lock(&self.blocks).blocks.get(&block.0).cloned()
    }
}

impl Malloc for SimMalloc {
    fn alloc(&self, size: usize) -> Option<MallocBlock> {
        let mut st = lock(&self.blocks);
        st.next += 1;
        let id = st.next;
        st.blocks.insert(id, vec![0; size]);
        Some(MallocBlock(id))
    }

    fn realloc(&self, block: Option<MallocBlock>, size: usize) -> Option<MallocBlock> {
        let Some(old) = block else {
            return self.alloc(size);
        };
        if size == 0 {
            self.free(Some(old));
            return None;
        }
        let mut st = lock(&self.blocks);
        // A block this allocator does not own is refused, and left alone.
        let mut data = st.blocks.remove(&old.0)?;
        data.resize(size, 0);
        st.next += 1;
        let id = st.next;
        st.blocks.insert(id, data);
        Some(MallocBlock(id))
    }

    fn free(&self, block: Option<MallocBlock>) {
        if let Some(b) = block {
            lock(&self.blocks).blocks.remove(&b.0);
        }
    }

    fn get_size(&self, block: MallocBlock) -> Option<usize> {
        lock(&self.blocks).blocks.get(&block.0).map(Vec::len)
    }
}
