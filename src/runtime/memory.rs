//! The simulator's `IMalloc`.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::spi::{Malloc, MallocBlock};
use crate::sync::lock;

/// MAPI's OLE allocator as the simulator hands it to entry points (`lpMalloc`): a counted object
/// that keeps the size of every block it made.
#[derive(Debug, Default)]
pub struct SimMalloc {
    blocks: Mutex<(u64, HashMap<u64, usize>)>,
}

impl SimMalloc {
    /// How many blocks are live.
    pub fn live_blocks(&self) -> usize {
        lock(&self.blocks).1.len()
    }
}

impl Malloc for SimMalloc {
    fn alloc(&self, size: usize) -> Option<MallocBlock> {
        let mut blocks = lock(&self.blocks);
        blocks.0 += 1;
        let id = blocks.0;
        blocks.1.insert(id, size);
        Some(MallocBlock(id))
    }

    fn realloc(&self, block: Option<MallocBlock>, size: usize) -> Option<MallocBlock> {
        if let Some(b) = block {
            self.free(Some(b));
        }
        self.alloc(size)
    }

    fn free(&self, block: Option<MallocBlock>) {
        if let Some(b) = block {
            lock(&self.blocks).1.remove(&b.0);
        }
    }

    fn get_size(&self, block: MallocBlock) -> Option<usize> {
        lock(&self.blocks).1.get(&block.0).copied()
    }
}
