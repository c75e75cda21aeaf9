//! The simulator's `IMalloc`.

use std::sync::{Arc, Mutex};

use crate::check::{Rule, rules};
use crate::error::MapiResult;
use crate::heap::HeapHost;
use crate::object::ObjLabel;
use crate::runtime::Runtime;
use crate::spi::{BufferId, Malloc};
use crate::sync::lock;
use crate::trace::{EventKind, Party, Trace};

use std::collections::HashMap;

use crate::spi::MallocBlock;

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

impl HeapHost for Runtime {
    fn misuse(&self, rule: &'static Rule, message: String, by: Party) {
        self.violation(rule, message, Vec::new(), by);
    }

    fn trace(&self) -> &Trace {
        &self.trace
    }
}

impl Runtime {
    /// MAPI (or the client's handle, `to`) takes a block returned through an output parameter.
    /// Returns `false`, after reporting `MEM-OUT-ROOT`, if it is not a live root block of MAPI's
    /// routines.
    pub(crate) fn receive_block(
        &self,
        id: BufferId,
        from: &Party,
        to: Party,
        what: impl Into<crate::heap::Purpose>,
        objects: &[ObjLabel],
    ) -> bool {
        match self.routines.heap().hand_over(id, to, what.into()) {
            Ok(()) => true,
            Err((bad, what)) => {
                self.violation(
                    &rules::MEM_OUT_ROOT,
                    format!("{from} returned {} as {what}", bad.describe(id)),
                    objects.to_vec(),
                    from.clone(),
                );
                false
            }
        }
    }

    /// MAPI (or the client's handle, `to`) takes a typed result `from` returned, reads it and
    /// frees it. `None` if it was not a live root block (`MEM-OUT-ROOT` reported).
    pub(crate) fn take_result<T: crate::spi::BufferValue>(
        &self,
        buffer: crate::spi::MapiBuffer<T>,
        from: &Party,
        to: Party,
        what: impl Into<crate::heap::Purpose>,
        objects: &[ObjLabel],
    ) -> Option<T> {
        if !self.receive_block(buffer.id(), from, to.clone(), what, objects) {
            return None;
        }
        self.routines.heap().take_value::<T>(buffer.id(), to)
    }

    /// MAPI reads and frees the `MAPIERROR` a provider of `file` wrote to `*lppMAPIError` of
    /// `method`, if it wrote one, and notes it in the trace. With `unicode`, whether the call
    /// carried `MAPI_UNICODE`: its strings must be in that encoding (`LOGON-MAPIERROR`).
    pub(crate) fn take_mapi_error(
        &self,
        out: &crate::spi::OutParam<crate::spi::MapiBuffer<crate::spi::MapiErrorInfo>>,
        method: &str,
        unicode: Option<bool>,
        file: &Arc<str>,
        object: Option<ObjLabel>,
    ) {
        let Some(buffer) = out.get() else {
            return;
        };
        let what = format!("the MAPIERROR of {method}");
        let by = Party::Library(Arc::clone(file));
        let objects: &[ObjLabel] = object.as_slice();
        let Some(info) = self.take_result(buffer, &by, Party::Mapi, what, objects) else {
            return;
        };
        let text = |s: &Option<crate::strings::TString>| {
            s.as_ref()
                .map_or_else(|| "NULL".to_owned(), |s| format!("{:?}", s.to_string_lossy()))
        };
        let who = object.map_or_else(|| file.to_string(), |o| o.to_string());
        self.trace.record(EventKind::Note {
            by: Party::Mapi,
            text: format!(
                "{who} returned a MAPIERROR from {method}: {} from {} (low-level error {:#x}, context {:#x})",
                text(&info.error),
                text(&info.component),
                info.low_level_error,
                info.context
            )
            .into(),
        });
        let Some(unicode) = unicode else {
            return;
        };
        let wrong = [&info.error, &info.component]
            .into_iter()
            .flatten()
            .find(|s| s.is_unicode() != unicode);
        if let Some(s) = wrong {
            let (is, flag) = if unicode {
                ("8-bit", "with")
            } else {
                ("UTF-16", "without")
            };
            self.violation(
                &rules::LOGON_MAPIERROR,
                format!(
                    "the MAPIERROR of {method} has a string in {is} ({:?}), and MAPI called {flag} MAPI_UNICODE",
                    s.to_string_lossy()
                ),
                objects,
                by,
            );
        }
    }

    /// MAPI allocates the typed result of the open call for whoever's code runs now; the caller
    /// must free it.
    pub(crate) fn allocate_result<T: crate::spi::BufferValue>(
        &self,
        value: T,
        method: &'static str,
        purpose: crate::heap::Purpose,
    ) -> MapiResult<crate::spi::MapiBuffer<T>> {
        let site = crate::spi::memory::AllocationSite::Call {
            method,
            event: self.trace.current_call().unwrap_or(crate::trace::EventId(0)),
        };
        self.routines
            .heap()
            .mapi_allocate(
                crate::heap::Content::value(value),
                crate::object::current_party(),
                site,
                purpose,
            )
            .map(crate::spi::MapiBuffer::from_id)
    }

    /// MAPI allocates a byte block as the result of the open call for whoever's code runs now.
    pub(crate) fn allocate_result_bytes(
        &self,
        bytes: Vec<u8>,
        method: &'static str,
        purpose: crate::heap::Purpose,
    ) -> MapiResult<BufferId> {
        let site = crate::spi::memory::AllocationSite::Call {
            method,
            event: self.trace.current_call().unwrap_or(crate::trace::EventId(0)),
        };
        self.routines.heap().mapi_allocate(
            crate::heap::Content::Bytes(std::borrow::Cow::Owned(bytes)),
            crate::object::current_party(),
            site,
            purpose,
        )
    }
}
