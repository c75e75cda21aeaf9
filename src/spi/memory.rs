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

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use crate::check::{Rule, rules};
use crate::error::{MapiError, MapiResult};
use crate::object::scope_party;
use crate::props::Prop;
use crate::spi::support::MapiErrorInfo;
use crate::sync::lock;
use crate::trace::{EventId, Party, Trace};

/// A block returned by `MAPIAllocateBuffer` or `MAPIAllocateMore` (the `LPVOID`). Copy it as
/// freely as a pointer; the routines that made it know whether it is still live.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct BufferId {
    heap: u32,
    index: u64,
}

impl BufferId {
    /// The block's number in its heap: 1 for the first block, and so on (shown in the trace as
    /// `buffer N`).
    pub fn index(self) -> u64 {
        self.index
    }
}

impl fmt::Display for BufferId {
    /// `buffer N`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "buffer {}", self.index)
    }
}

/// A block made by [`MemRoutines::allocate_value`] that holds a value of type `T`: a typed
/// pointer. Read it with [`MemRoutines::value`]; free it with [`MemRoutines::take`] (read and
/// free) or [`MemRoutines::free_buffer`]. Dropping the handle frees nothing, as forgetting a
/// pointer frees nothing in C.
#[must_use = "a MAPI buffer is freed with MAPIFreeBuffer, not by dropping its handle"]
pub struct MapiBuffer<T> {
    id: BufferId,
    _value: PhantomData<fn() -> T>,
}

impl<T> MapiBuffer<T> {
    /// The block.
    pub fn id(&self) -> BufferId {
        self.id
    }

    pub(crate) fn from_id(id: BufferId) -> MapiBuffer<T> {
        MapiBuffer {
            id,
            _value: PhantomData,
        }
    }
}

impl<T> Clone for MapiBuffer<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for MapiBuffer<T> {}

impl<T> PartialEq for MapiBuffer<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<T> Eq for MapiBuffer<T> {}

impl<T> fmt::Debug for MapiBuffer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MapiBuffer({})", self.id)
    }
}

impl<T> From<MapiBuffer<T>> for BufferId {
    fn from(buffer: MapiBuffer<T>) -> BufferId {
        buffer.id
    }
}

/// The property array `GetProps` returns (`LPSPropValue`): allocated by the object that answers,
/// freed by the caller.
pub type PropArray = MapiBuffer<Vec<Prop>>;

/// A value that can live in a MAPI buffer.
pub trait BufferValue: Clone + Send + Sync + 'static {
    /// What the block holds, for the trace and reports (`8 property values`).
    fn describe(&self) -> String;
}

impl BufferValue for Vec<Prop> {
    fn describe(&self) -> String {
        format!(
            "{} property value{}",
            self.len(),
            if self.len() == 1 { "" } else { "s" }
        )
    }
}

impl BufferValue for MapiErrorInfo {
    fn describe(&self) -> String {
        "a MAPIERROR".to_owned()
    }
}

impl BufferValue for Vec<u8> {
    fn describe(&self) -> String {
        format!("{} bytes", self.len())
    }
}

/// Where a block was allocated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AllocationSite {
    /// A call of the routines at this source line.
    Code(&'static Location<'static>),
    /// MAPI made it to answer this call (the event in the trace).
    Call {
        /// The method.
        method: &'static str,
        /// The call's event.
        event: EventId,
    },
}

impl fmt::Display for AllocationSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllocationSite::Code(at) => write!(f, "{}:{}", at.file(), at.line()),
            AllocationSite::Call { method, event } => write!(f, "MAPI's {method} (event {event})"),
        }
    }
}

/// A live block, as the simulator accounts for it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BlockInfo {
    /// The block.
    pub id: BufferId,
    /// The root it is linked to, for a block made by `MAPIAllocateMore`.
    pub root: Option<BufferId>,
    /// What it holds: `22 bytes`, `8 property values`.
    pub what: String,
    /// Who allocated it.
    pub allocated_by: Party,
    /// Who must free it now: the allocator, or whoever it was handed to.
    pub owner: Party,
    /// Where it was allocated.
    pub site: AllocationSite,
    /// What it was handed across as, if it was (`the spool-security blob of IMsgStore#8`).
    pub purpose: Option<String>,
}

impl fmt::Display for BlockInfo {
    /// `buffer 3 (22 bytes), allocated by SMPMS32.DLL at src/lib.rs:12, the spool-security blob
    /// of IMsgStore#8; MAPI must free it`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.id, self.what)?;
        if let Some(root) = self.root {
            write!(f, " linked to {root}")?;
        }
        write!(f, ", allocated by {} at {}", self.allocated_by, self.site)?;
        if let Some(purpose) = &self.purpose {
            write!(f, ", {purpose}")?;
        }
        write!(f, "; {} must free it", self.owner)
    }
}

/// What a heap that belongs to a simulator tells it.
pub(crate) trait HeapHost: Send + Sync {
    /// Records a broken rule (strict mode may panic here: no heap lock is held).
    fn misuse(&self, rule: &'static Rule, message: String, by: Party);
    /// The trace calls of the routines go to.
    fn trace(&self) -> &Trace;
}

/// How a heap behaves where a simulator decides.
#[derive(Clone, Default)]
pub(crate) struct HeapConfig {
    /// The allocations (numbered from 1, counting every allocation) that fail.
    pub(crate) fail: BTreeSet<u64>,
    /// `MAPIAllocateMore` on a block that is not a live root makes a new root instead of failing.
    pub(crate) new_root_on_bad_more: bool,
    /// Where the bytes live: the host's routines, or (`None`) the heap itself.
    pub(crate) backend: Option<Arc<dyn MemBackend>>,
}

/// The host's allocation routines, behind [`MemRoutines`]: what a COM shim implements over the
/// `MAPIAllocateBuffer`, `MAPIAllocateMore` and `MAPIFreeBuffer` pointers MAPI gives its entry
/// point, so that a provider's buffers are MAPI's memory, with no copy.
///
/// [`MemRoutines::with_backend`] puts routines on a backend. Everything the simulated heap checks
/// is still checked (who owns a block, double and foreign frees, linked blocks, use after free):
/// the routines keep the account, the backend holds the bytes. A block is named by its address
/// ([`MemRoutines::address`]), which a shim hands across as the raw pointer.
///
/// The routines call the backend while they hold their own lock: a backend must not call back
/// into them. Blocks are zeroed by the routines (a write of zeros), as the simulated heap does.
pub trait MemBackend: Send + Sync + 'static {
    /// `MAPIAllocateBuffer(cbSize, &lpBuffer)`: the address of a new root block.
    fn allocate_buffer(&self, size: u32) -> MapiResult<usize>;
    /// `MAPIAllocateMore(cbSize, lpObject, &lpBuffer)`: the address of a new block linked to the
    /// root block at `root`.
    fn allocate_more(&self, size: u32, root: usize) -> MapiResult<usize>;
    /// `MAPIFreeBuffer(lpBuffer)`: frees the root block at `address` and the blocks linked to it.
    fn free_buffer(&self, address: usize) -> MapiResult<()>;
    /// Copies `bytes` into the block at `address`, from `offset` (the routines have checked that
    /// the block is live and large enough).
    fn write(&self, address: usize, offset: usize, bytes: &[u8]) -> MapiResult<()>;
    /// The first `len` bytes of the block at `address`.
    fn read(&self, address: usize, len: usize) -> MapiResult<Vec<u8>>;
    /// Lays out a typed value (a property array, a `MAPIERROR`: the types of
    /// [`BufferValue`]) in MAPI memory, in the C layout, and returns its root block's address;
    /// `Ok(None)` (the default) keeps the value on the Rust side only, in a block of its own
    /// that holds no bytes.
    fn allocate_value(&self, value: &dyn Any) -> MapiResult<Option<usize>> {
        let _ = value;
        Ok(None)
    }
}

struct Block {
    root: Option<u64>,
    /// The bytes, when the heap holds them.
    data: Vec<u8>,
    /// The block's address, when a backend holds the bytes.
    address: Option<usize>,
    /// The block's size.
    size: usize,
    value: Option<Box<dyn Any + Send + Sync>>,
    what: String,
    linked: Vec<u64>,
    allocated_by: Party,
    owner: Party,
    site: AllocationSite,
    purpose: Option<String>,
}

impl Block {
    fn info(&self, heap: u32, index: u64) -> BlockInfo {
        BlockInfo {
            id: BufferId { heap, index },
            root: self.root.map(|index| BufferId { heap, index }),
            what: self.what.clone(),
            allocated_by: self.allocated_by.clone(),
            owner: self.owner.clone(),
            site: self.site,
            purpose: self.purpose.clone(),
        }
    }
}

/// A block that was freed, kept to tell a double free from a foreign pointer.
struct Freed {
    by: Party,
    at: &'static Location<'static>,
    what: String,
    /// Its address, when a backend held its bytes.
    address: Option<usize>,
}

#[derive(Default)]
struct HeapState {
    next: u64,
    allocations: u64,
    blocks: BTreeMap<u64, Block>,
    freed: HashMap<u64, Freed>,
}

/// The content of a new block.
pub(crate) enum Content {
    Bytes(Vec<u8>),
    Value(Box<dyn Any + Send + Sync>, String),
}

impl Content {
    fn value<T: BufferValue>(value: T) -> Content {
        let what = value.describe();
        Content::Value(Box::new(value), what)
    }
}

/// What is wrong with a block a caller names.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum BadBlock {
    /// These routines never made it.
    Foreign,
    /// It was freed (by this party, at this line).
    Freed(Party, &'static Location<'static>, String),
    /// `MAPIAllocateMore` made it: it is linked to this root.
    Linked(u64),
}

impl BadBlock {
    pub(crate) fn describe(&self, id: BufferId) -> String {
        match self {
            BadBlock::Foreign => format!("{id}, which these routines never allocated"),
            BadBlock::Freed(by, at, what) => {
                format!(
                    "{id} ({what}), which {by} already freed at {}:{}",
                    at.file(),
                    at.line()
                )
            }
            BadBlock::Linked(root) => {
                format!("{id}, which MAPIAllocateMore linked to buffer {root}: only its root is freed")
            }
        }
    }
}

static NEXT_HEAP: AtomicU32 = AtomicU32::new(1);

/// The heap behind a set of routines.
pub(crate) struct Heap {
    id: u32,
    state: Mutex<HeapState>,
    host: OnceLock<Weak<dyn HeapHost>>,
    config: HeapConfig,
}

impl Heap {
    pub(crate) fn new(config: HeapConfig) -> Heap {
        Heap {
            id: NEXT_HEAP.fetch_add(1, Ordering::Relaxed),
            state: Mutex::new(HeapState::default()),
            host: OnceLock::new(),
            config,
        }
    }

    /// Attaches the simulator that owns this heap.
    pub(crate) fn attach(&self, host: Weak<dyn HeapHost>) {
        let _ = self.host.set(host);
    }

    fn host(&self) -> Option<Arc<dyn HeapHost>> {
        self.host.get().and_then(Weak::upgrade)
    }

    fn misuse(&self, rule: &'static Rule, message: String, by: Party) {
        if let Some(host) = self.host() {
            host.misuse(rule, message, by);
        }
    }

    fn id_of(&self, index: u64) -> BufferId {
        BufferId { heap: self.id, index }
    }

    /// What is wrong with `id` as a live root, if anything.
    fn check_root(&self, st: &HeapState, id: BufferId) -> Result<(), BadBlock> {
        if id.heap != self.id {
            return Err(BadBlock::Foreign);
        }
        match st.blocks.get(&id.index) {
            Some(block) => match block.root {
                None => Ok(()),
                Some(root) => Err(BadBlock::Linked(root)),
            },
            None => match st.freed.get(&id.index) {
                Some(f) => Err(BadBlock::Freed(f.by.clone(), f.at, f.what.clone())),
                None => Err(BadBlock::Foreign),
            },
        }
    }

    /// Counts an allocation; `Some(n)` if the fault plan fails this one.
    fn count_allocation(&self, st: &mut HeapState) -> Result<(), u64> {
        st.allocations += 1;
        if self.config.fail.contains(&st.allocations) {
            Err(st.allocations)
        } else {
            Ok(())
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn insert(
        &self,
        st: &mut HeapState,
        root: Option<u64>,
        content: Content,
        allocated_by: Party,
        owner: Party,
        site: AllocationSite,
        purpose: Option<String>,
    ) -> MapiResult<BufferId> {
        let root_address = root.and_then(|r| st.blocks.get(&r)).and_then(|b| b.address);
        let (data, value, what, address, size) = match (content, &self.config.backend) {
            (Content::Bytes(data), None) => {
                let what = format!("{} bytes", data.len());
                let size = data.len();
                (data, None, what, None, size)
            }
            (Content::Value(value, what), None) => (Vec::new(), Some(value), what, None, 0),
            (Content::Bytes(data), Some(backend)) => {
                let size = u32::try_from(data.len()).map_err(|_| MapiError::NotEnoughMemory)?;
                let address = match root_address {
                    Some(r) => backend.allocate_more(size, r)?,
                    None => backend.allocate_buffer(size)?,
                };
                if let Err(e) = backend.write(address, 0, &data) {
                    if root_address.is_none() {
                        let _ = backend.free_buffer(address);
                    }
                    return Err(e);
                }
                (
                    Vec::new(),
                    None,
                    format!("{} bytes", data.len()),
                    Some(address),
                    data.len(),
                )
            }
            (Content::Value(value, what), Some(backend)) => {
                let address = backend.allocate_value(value.as_ref())?;
                (Vec::new(), Some(value), what, address, 0)
            }
        };
        st.next += 1;
        let index = st.next;
        st.blocks.insert(
            index,
            Block {
                root,
                data,
                address,
                size,
                value,
                what,
                linked: Vec::new(),
                allocated_by,
                owner,
                site,
                purpose,
            },
        );
        if let Some(root) = root
            && let Some(block) = st.blocks.get_mut(&root)
        {
            block.linked.push(index);
        }
        Ok(self.id_of(index))
    }

    /// A traced call of one of the routines by `party` (MAPI's own use is not traced).
    fn traced<R>(
        &self,
        party: &Party,
        method: &'static str,
        args: String,
        f: impl FnOnce() -> MapiResult<R>,
        summary: impl FnOnce(&R) -> String,
    ) -> MapiResult<R> {
        let host = if *party == Party::Mapi { None } else { self.host() };
        let call = host
            .as_ref()
            .map(|h| h.trace().begin_call(party.clone(), Party::Mapi, method, args));
        let result = f();
        if let Some(call) = call {
            call.finish_result(&result, summary);
        }
        result
    }

    fn fault_note(&self, n: u64, what: &str) {
        if let Some(host) = self.host() {
            host.trace().record(crate::trace::EventKind::Note {
                by: Party::Mapi,
                text: format!("the fault plan fails allocation {n} ({what}) with MAPI_E_NOT_ENOUGH_MEMORY")
                    .into(),
            });
        }
    }

    /// `MAPIAllocateBuffer` by whoever's code runs now.
    fn allocate(
        &self,
        content: Content,
        party: Party,
        at: &'static Location<'static>,
    ) -> MapiResult<BufferId> {
        let what = match &content {
            Content::Bytes(d) => d.len().to_string(),
            Content::Value(_, what) => what.clone(),
        };
        self.traced(
            &party,
            "MAPIAllocateBuffer",
            what.clone(),
            || {
                let mut st = lock(&self.state);
                if let Err(n) = self.count_allocation(&mut st) {
                    drop(st);
                    self.fault_note(n, &format!("MAPIAllocateBuffer({what})"));
                    return Err(MapiError::NotEnoughMemory);
                }
                self.insert(
                    &mut st,
                    None,
                    content,
                    party.clone(),
                    party.clone(),
                    AllocationSite::Code(at),
                    None,
                )
            },
            ToString::to_string,
        )
    }

    fn allocate_more(
        &self,
        size: u32,
        root: BufferId,
        party: Party,
        at: &'static Location<'static>,
    ) -> MapiResult<BufferId> {
        self.traced(
            &party,
            "MAPIAllocateMore",
            format!("{size}, {root}"),
            || {
                let bad = {
                    let st = lock(&self.state);
                    self.check_root(&st, root).err()
                };
                if let Some(bad) = &bad {
                    let what = match bad {
                        BadBlock::Linked(r) => {
                            format!("{root}, which MAPIAllocateMore linked to buffer {r}; link to the root")
                        }
                        other => other.describe(root),
                    };
                    let outcome = if self.config.new_root_on_bad_more {
                        "MAPI makes a new root block instead"
                    } else {
                        "the call fails"
                    };
                    self.misuse(
                        &rules::MEM_MORE_ROOT,
                        format!("{party} called MAPIAllocateMore on {what}; {outcome}"),
                        party.clone(),
                    );
                    if !self.config.new_root_on_bad_more {
                        return Err(MapiError::InvalidParameter);
                    }
                }
                let mut st = lock(&self.state);
                // The root may have been freed by another thread since the check above.
                if bad.is_none()
                    && let Err(late) = self.check_root(&st, root)
                {
                    drop(st);
                    self.misuse(
                        &rules::MEM_MORE_ROOT,
                        format!(
                            "{party} called MAPIAllocateMore on {}, freed while the call ran; the call fails",
                            late.describe(root)
                        ),
                        party.clone(),
                    );
                    return Err(MapiError::InvalidParameter);
                }
                if let Err(n) = self.count_allocation(&mut st) {
                    drop(st);
                    self.fault_note(n, &format!("MAPIAllocateMore({size})"));
                    return Err(MapiError::NotEnoughMemory);
                }
                let link = if bad.is_some() { None } else { Some(root.index) };
                self.insert(
                    &mut st,
                    link,
                    Content::Bytes(vec![0; size as usize]),
                    party.clone(),
                    party.clone(),
                    AllocationSite::Code(at),
                    None,
                )
            },
            ToString::to_string,
        )
    }

    /// Removes a root and its linked blocks, leaving tombstones.
    fn remove_root(
        &self,
        st: &mut HeapState,
        index: u64,
        by: &Party,
        at: &'static Location<'static>,
    ) -> usize {
        let Some(block) = st.blocks.remove(&index) else {
            return 0;
        };
        if let (Some(backend), Some(address)) = (&self.config.backend, block.address) {
            // The account is settled whatever the host answers: the block is gone for MAPI.
            let _ = backend.free_buffer(address);
        }
        let mut linked = 0;
        for part in &block.linked {
            if let Some(b) = st.blocks.remove(part) {
                linked += 1;
                // A block linked to a root the backend never saw (a value kept on the Rust side)
                // is a root of its own for the host: it is freed on its own.
                if let (Some(backend), None, Some(address)) = (&self.config.backend, block.address, b.address)
                {
                    let _ = backend.free_buffer(address);
                }
                st.freed.insert(
                    *part,
                    Freed {
                        by: by.clone(),
                        at,
                        what: b.what,
                        address: b.address,
                    },
                );
            }
        }
        st.freed.insert(
            index,
            Freed {
                by: by.clone(),
                at,
                what: block.what,
                address: block.address,
            },
        );
        linked
    }

    fn free(&self, buffer: Option<BufferId>, party: Party, at: &'static Location<'static>) -> MapiResult<()> {
        let Some(id) = buffer else {
            return Ok(());
        };
        self.traced(
            &party,
            "MAPIFreeBuffer",
            id.to_string(),
            || {
                let mut st = lock(&self.state);
                match self.check_root(&st, id) {
                    Ok(()) => {
                        let owner = st
                            .blocks
                            .get(&id.index)
                            .map(|b| (b.owner.clone(), b.purpose.clone()));
                        let linked = self.remove_root(&mut st, id.index, &party, at);
                        drop(st);
                        if let Some((owner, purpose)) = owner
                            && owner != party
                        {
                            let purpose = purpose.map(|p| format!(" as {p}")).unwrap_or_default();
                            self.misuse(
                                &rules::MEM_NOT_OWNER,
                                format!(
                                    "{party} freed {id}, which was handed to {owner}{purpose}: {owner} \
                                     frees it and may still use it"
                                ),
                                party.clone(),
                            );
                        }
                        Ok(linked)
                    }
                    Err(bad) => {
                        drop(st);
                        let rule = match bad {
                            BadBlock::Foreign => &rules::MEM_FOREIGN_FREE,
                            BadBlock::Freed(..) => &rules::MEM_DOUBLE_FREE,
                            BadBlock::Linked(_) => &rules::MEM_FREE_LINKED,
                        };
                        self.misuse(
                            rule,
                            format!("{party} called MAPIFreeBuffer on {}", bad.describe(id)),
                            party.clone(),
                        );
                        Err(MapiError::InvalidParameter)
                    }
                }
            },
            |linked| {
                if *linked == 0 {
                    String::new()
                } else {
                    format!("with {linked} linked block(s)")
                }
            },
        )
        .map(drop)
    }

    /// Runs `f` on a live block, or reports a use after free.
    fn with_block<R>(
        &self,
        id: BufferId,
        party: impl FnOnce() -> Party,
        f: impl FnOnce(&mut Block) -> MapiResult<R>,
    ) -> MapiResult<R> {
        let mut st = lock(&self.state);
        if id.heap == self.id
            && let Some(block) = st.blocks.get_mut(&id.index)
        {
            return f(block);
        }
        let freed = if id.heap == self.id {
            st.freed
                .get(&id.index)
                .map(|f| (f.by.clone(), f.at, f.what.clone()))
        } else {
            None
        };
        drop(st);
        if let Some((by, at, what)) = freed {
            let party = party();
            self.misuse(
                &rules::MEM_USE_AFTER_FREE,
                format!(
                    "{party} used {id} ({what}) after {by} freed it at {}:{}",
                    at.file(),
                    at.line()
                ),
                party.clone(),
            );
        }
        Err(MapiError::InvalidParameter)
    }

    // MAPI's own side: untraced, counted by the fault plan.

    /// MAPI allocates a block to hand to `to` as the result of `method`.
    pub(crate) fn mapi_allocate(
        &self,
        content: Content,
        to: Party,
        site: AllocationSite,
        purpose: String,
    ) -> MapiResult<BufferId> {
        let mut st = lock(&self.state);
        if let Err(n) = self.count_allocation(&mut st) {
            drop(st);
            let what = match site {
                AllocationSite::Call { method, .. } => format!("MAPI's result of {method}"),
                AllocationSite::Code(_) => "MAPI's".to_owned(),
            };
            self.fault_note(n, &what);
            return Err(MapiError::NotEnoughMemory);
        }
        self.insert(&mut st, None, content, Party::Mapi, to, site, Some(purpose))
    }

    /// A block handed to `to` (as an output): it must be a live root of this heap.
    pub(crate) fn hand_over(&self, id: BufferId, to: Party, purpose: String) -> Result<(), BadBlock> {
        let mut st = lock(&self.state);
        self.check_root(&st, id)?;
        if let Some(block) = st.blocks.get_mut(&id.index) {
            block.owner = to;
            block.purpose = Some(purpose);
        }
        Ok(())
    }

    /// Frees a block its owner no longer needs, quietly if it is already gone.
    #[track_caller]
    pub(crate) fn release(&self, id: BufferId, by: Party) {
        let mut st = lock(&self.state);
        if id.heap == self.id && st.blocks.get(&id.index).is_some_and(|b| b.root.is_none()) {
            self.remove_root(&mut st, id.index, &by, Location::caller());
        }
    }

    /// Reads the bytes of a block MAPI owns, if it is still live.
    pub(crate) fn peek_bytes(&self, id: BufferId) -> Option<Vec<u8>> {
        let st = lock(&self.state);
        let block = st.blocks.get(&id.index).filter(|_| id.heap == self.id)?;
        self.bytes_of(block).ok()
    }

    /// Takes the value of a typed block MAPI received, freeing it, if it is live and of type `T`.
    #[track_caller]
    pub(crate) fn take_value<T: BufferValue>(&self, id: BufferId, by: Party) -> Option<T> {
        let at = Location::caller();
        let mut st = lock(&self.state);
        if id.heap != self.id {
            return None;
        }
        let value = st
            .blocks
            .get_mut(&id.index)
            .and_then(|b| b.value.take())
            .and_then(|v| v.downcast::<T>().ok());
        self.remove_root(&mut st, id.index, &by, at);
        value.map(|v| *v)
    }

    /// What a live block holds, and its name: `8 property values in buffer 5`.
    pub(crate) fn summary(&self, id: BufferId) -> String {
        let st = lock(&self.state);
        match st.blocks.get(&id.index).filter(|_| id.heap == self.id) {
            Some(b) => format!("{} in {id}", b.what),
            None => id.to_string(),
        }
    }

    /// A block's bytes, wherever they live.
    fn bytes_of(&self, block: &Block) -> MapiResult<Vec<u8>> {
        match (&self.config.backend, block.address) {
            (Some(backend), Some(address)) if block.value.is_none() => backend.read(address, block.size),
            _ => Ok(block.data.clone()),
        }
    }

    /// Copies `bytes` into a block at `offset`, wherever its bytes live.
    fn write_to(&self, block: &mut Block, offset: usize, bytes: &[u8]) -> MapiResult<()> {
        let end = offset
            .checked_add(bytes.len())
            .filter(|end| *end <= block.size && block.value.is_none())
            .ok_or(MapiError::InvalidParameter)?;
        match (&self.config.backend, block.address) {
            (Some(backend), Some(address)) => backend.write(address, offset, bytes),
            _ => {
                let target = block
                    .data
                    .get_mut(offset..end)
                    .ok_or(MapiError::InvalidParameter)?;
                target.copy_from_slice(bytes);
                Ok(())
            }
        }
    }

    /// Every live block.
    pub(crate) fn blocks(&self) -> Vec<BlockInfo> {
        let st = lock(&self.state);
        st.blocks.iter().map(|(i, b)| b.info(self.id, *i)).collect()
    }

    /// How many allocations were made so far (failed ones included).
    pub(crate) fn allocations(&self) -> u64 {
        lock(&self.state).allocations
    }
}

/// The three MAPI allocation routines handed to a provider's entry point and returned by
/// `IMAPISupport::GetMemAllocRoutines`. Cloning gives the same routines ([`MemRoutines::same_as`]).
/// See the [module documentation](self) for the rules they check.
#[derive(Clone)]
pub struct MemRoutines {
    heap: Arc<Heap>,
    /// The party MAPI handed these routines to: calls made on a thread outside every scope (a
    /// thread the provider started) are that party's.
    issued_to: Option<Party>,
}

impl Default for MemRoutines {
    fn default() -> Self {
        MemRoutines::new()
    }
}

impl fmt::Debug for MemRoutines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemRoutines")
            .field("live_blocks", &self.live_blocks())
            .finish()
    }
}

impl MemRoutines {
    /// Routines with a heap of their own, outside any simulator: they work and refuse misuse,
    /// but report no rule (there is nobody to report to) and trace nothing.
    pub fn new() -> MemRoutines {
        MemRoutines {
            heap: Arc::new(Heap::new(HeapConfig::default())),
            issued_to: None,
        }
    }

    /// Routines over the host's allocation routines (see [`MemBackend`]), outside any simulator:
    /// the bytes of every block live in the backend's memory, and the routines keep the account
    /// and refuse misuse as [`MemRoutines::new`] does.
    pub fn with_backend(backend: Arc<dyn MemBackend>) -> MemRoutines {
        MemRoutines {
            heap: Arc::new(Heap::new(HeapConfig {
                backend: Some(backend),
                ..HeapConfig::default()
            })),
            issued_to: None,
        }
    }

    pub(crate) fn with_heap(heap: Arc<Heap>) -> MemRoutines {
        MemRoutines {
            heap,
            issued_to: None,
        }
    }

    /// The same routines as handed to `party`: what its threads outside every scope do with them
    /// is its doing.
    pub(crate) fn issued_to(&self, party: Party) -> MemRoutines {
        MemRoutines {
            heap: Arc::clone(&self.heap),
            issued_to: Some(party),
        }
    }

    /// Whose call this is: the party of the code running on this thread, else the party the
    /// routines were handed to, else the client.
    fn party(&self) -> Party {
        scope_party()
            .or_else(|| self.issued_to.clone())
            .unwrap_or(Party::Client)
    }

    pub(crate) fn heap(&self) -> &Heap {
        &self.heap
    }

    /// Whether `other` is the same set of routines (the same function pointers in MAPI).
    pub fn same_as(&self, other: &MemRoutines) -> bool {
        Arc::ptr_eq(&self.heap, &other.heap)
    }

    /// `MAPIAllocateBuffer`: a new root block of `size` zeroed bytes. Fails with
    /// `MAPI_E_NOT_ENOUGH_MEMORY` when the simulator's fault plan says so.
    #[track_caller]
    pub fn allocate_buffer(&self, size: u32) -> MapiResult<BufferId> {
        self.heap.allocate(
            Content::Bytes(vec![0; size as usize]),
            self.party(),
            Location::caller(),
        )
    }

    /// `MAPIAllocateBuffer` followed by a copy of `bytes` into the block.
    #[track_caller]
    pub fn allocate_bytes(&self, bytes: &[u8]) -> MapiResult<BufferId> {
        self.heap
            .allocate(Content::Bytes(bytes.to_vec()), self.party(), Location::caller())
    }

    /// `MAPIAllocateBuffer` for a block holding `value` (a typed result such as a property
    /// array).
    #[track_caller]
    pub fn allocate_value<T: BufferValue>(&self, value: T) -> MapiResult<MapiBuffer<T>> {
        self.heap
            .allocate(Content::value(value), self.party(), Location::caller())
            .map(|id| MapiBuffer {
                id,
                _value: PhantomData,
            })
    }

    /// `MAPIAllocateMore`: a new block of `size` zeroed bytes linked to the root block `root`,
    /// freed with it. A `root` that is not a live root block breaks `MEM-MORE-ROOT`: the call
    /// fails with `MAPI_E_INVALID_PARAMETER`, or makes a new root block, as the simulator's
    /// [`Behavior`](crate::runtime::Behavior) says.
    #[track_caller]
    pub fn allocate_more(&self, size: u32, root: BufferId) -> MapiResult<BufferId> {
        self.heap
            .allocate_more(size, root, self.party(), Location::caller())
    }

    /// `MAPIFreeBuffer`: frees a root block and every block linked to it. `None` (NULL) does
    /// nothing. Misuse (a linked block, a freed one, one these routines never made) is reported
    /// and gives `MAPI_E_INVALID_PARAMETER`, freeing nothing.
    #[track_caller]
    pub fn free_buffer(&self, buffer: Option<BufferId>) -> MapiResult<()> {
        self.heap.free(buffer, self.party(), Location::caller())
    }

    /// Reads a typed block's value and frees the block: what a caller does with a result once
    /// it has used it.
    #[track_caller]
    pub fn take<T: BufferValue>(&self, buffer: MapiBuffer<T>) -> MapiResult<T> {
        let value = self.value(&buffer)?;
        self.free_buffer(Some(buffer.id))?;
        Ok(value)
    }

    /// Reads a block's bytes and frees it.
    #[track_caller]
    pub fn take_bytes(&self, buffer: BufferId) -> MapiResult<Vec<u8>> {
        let bytes = self.read(buffer)?;
        self.free_buffer(Some(buffer))?;
        Ok(bytes)
    }

    /// A copy of a typed block's value. A freed block breaks `MEM-USE-AFTER-FREE`.
    pub fn value<T: BufferValue>(&self, buffer: &MapiBuffer<T>) -> MapiResult<T> {
        self.heap.with_block(
            buffer.id,
            || self.party(),
            |block| {
                block
                    .value
                    .as_ref()
                    .and_then(|v| v.downcast_ref::<T>())
                    .cloned()
                    .ok_or(MapiError::InvalidParameter)
            },
        )
    }

    /// Copies `bytes` into a live block at `offset`; writing past its end gives
    /// `MAPI_E_INVALID_PARAMETER`. A freed block breaks `MEM-USE-AFTER-FREE`.
    pub fn write(&self, buffer: BufferId, offset: usize, bytes: &[u8]) -> MapiResult<()> {
        let heap = &self.heap;
        heap.with_block(
            buffer,
            || self.party(),
            |block| heap.write_to(block, offset, bytes),
        )
    }

    /// A copy of a live block's bytes. A freed block breaks `MEM-USE-AFTER-FREE`.
    pub fn read(&self, buffer: BufferId) -> MapiResult<Vec<u8>> {
        let heap = &self.heap;
        heap.with_block(buffer, || self.party(), |block| heap.bytes_of(block))
    }

    /// MAPI's own `MAPIAllocateBuffer` for the result of `method`, a method MAPI implements,
    /// handed to the party whose code runs now (the caller, who frees it): untraced, as MAPI's own
    /// allocations are, and counted by the fault plan. For a shim that lays such a result out
    /// across a binary interface (the rows of a table MAPI returns); MAPI's objects in the
    /// simulator do the same inside.
    pub fn allocate_result<T: BufferValue>(
        &self,
        value: T,
        method: &'static str,
    ) -> MapiResult<MapiBuffer<T>> {
        let what = value.describe();
        self.heap
            .mapi_allocate(
                Content::Value(Box::new(value), what),
                self.party(),
                self.result_site(method),
                format!("the result of {method}"),
            )
            .map(MapiBuffer::from_id)
    }

    /// [`MemRoutines::allocate_result`] for a block of bytes.
    pub fn allocate_result_bytes(&self, bytes: &[u8], method: &'static str) -> MapiResult<BufferId> {
        self.heap.mapi_allocate(
            Content::Bytes(bytes.to_vec()),
            self.party(),
            self.result_site(method),
            format!("the result of {method}"),
        )
    }

    /// Where MAPI made a result: the call running now, in the simulator's trace.
    fn result_site(&self, method: &'static str) -> AllocationSite {
        let event = self
            .heap
            .host()
            .and_then(|host| host.trace().current_call())
            .unwrap_or(EventId(0));
        AllocationSite::Call { method, event }
    }

    /// Records the value a root block holds in its C layout, written there by code outside the
    /// simulator (a compiled provider library filling the block it allocated), so that Rust code
    /// reads it as a typed block ([`MemRoutines::value`], [`MemRoutines::take`]). The block keeps
    /// its allocator, owner and linked blocks; freeing it is unchanged. This is for a shim that
    /// reads an output parameter across the binary interface; nothing is traced.
    ///
    /// Errors: `MAPI_E_INVALID_PARAMETER` for a block that is not a live root of these routines'
    /// heap, or one that already holds a value (a freed one breaks `MEM-USE-AFTER-FREE`).
    pub fn attach_value<T: BufferValue>(&self, buffer: BufferId, value: T) -> MapiResult<MapiBuffer<T>> {
        self.heap.with_block(
            buffer,
            || self.party(),
            |block| {
                if block.root.is_some() || block.value.is_some() {
                    return Err(MapiError::InvalidParameter);
                }
                block.what = value.describe();
                block.value = Some(Box::new(value));
                Ok(MapiBuffer {
                    id: buffer,
                    _value: PhantomData,
                })
            },
        )
    }

    /// The address of a live block in the backend's memory (see [`MemBackend`]): what a shim
    /// hands across as the pointer. `None` for a block of the simulated heap, and for a typed
    /// block the backend did not lay out.
    pub fn address(&self, buffer: BufferId) -> Option<usize> {
        let st = lock(&self.heap.state);
        st.blocks
            .get(&buffer.index)
            .filter(|_| buffer.heap == self.heap.id)
            .and_then(|b| b.address)
    }

    /// The block at `address` in the backend's memory, if it is live: the way back from a
    /// pointer a shim receives.
    pub fn block_at(&self, address: usize) -> Option<BufferId> {
        let st = lock(&self.heap.state);
        st.blocks
            .iter()
            .find(|(_, b)| b.address == Some(address))
            .map(|(i, _)| self.heap.id_of(*i))
    }

    /// The block at `address`, live or freed (the most recent one there): what a pointer a shim
    /// receives names, even when it is stale.
    fn block_or_freed_at(&self, address: usize) -> Option<BufferId> {
        let st = lock(&self.heap.state);
        let live = st.blocks.iter().find(|(_, b)| b.address == Some(address));
        let index = match live {
            Some((i, _)) => Some(*i),
            None => st
                .freed
                .iter()
                .filter(|(_, f)| f.address == Some(address))
                .map(|(i, _)| *i)
                .max(),
        };
        index.map(|i| self.heap.id_of(i))
    }

    /// `MAPIFreeBuffer` of a pointer, as a shim receives it from code outside the simulator:
    /// [`MemRoutines::free_buffer`] of the block at `address`, with the same checks — a block
    /// already freed is `MEM-DOUBLE-FREE`, a linked one `MEM-FREE-LINKED`, and an address these
    /// routines never gave `MEM-FOREIGN-FREE` (all `MAPI_E_INVALID_PARAMETER`, nothing freed).
    /// `0` (NULL) does nothing.
    #[track_caller]
    pub fn free_address(&self, address: usize) -> MapiResult<()> {
        if address == 0 {
            return Ok(());
        }
        if let Some(id) = self.block_or_freed_at(address) {
            return self.heap.free(Some(id), self.party(), Location::caller());
        }
        let party = self.party();
        self.heap.traced(
            &party,
            "MAPIFreeBuffer",
            format!("{address:#x}"),
            || {
                self.heap.misuse(
                    &rules::MEM_FOREIGN_FREE,
                    format!(
                        "{party} called MAPIFreeBuffer on {address:#x}, which these routines never allocated"
                    ),
                    party.clone(),
                );
                Err::<(), _>(MapiError::InvalidParameter)
            },
            |()| String::new(),
        )
    }

    /// `MAPIAllocateMore` linked to the root block at `address`, as a shim receives the pointer:
    /// [`MemRoutines::allocate_more`] with the same checks (a freed, linked or unknown root is
    /// `MEM-MORE-ROOT`). An address these routines never gave always fails, whatever the
    /// [`Behavior`](crate::runtime::Behavior): there is no block to link to.
    #[track_caller]
    pub fn allocate_more_at(&self, size: u32, root: usize) -> MapiResult<BufferId> {
        if let Some(id) = self.block_or_freed_at(root) {
            return self.allocate_more(size, id);
        }
        let party = self.party();
        self.heap.traced(
            &party,
            "MAPIAllocateMore",
            format!("{size}, {root:#x}"),
            || {
                self.heap.misuse(
                    &rules::MEM_MORE_ROOT,
                    format!(
                        "{party} called MAPIAllocateMore on {root:#x}, which these routines never allocated; the call fails"
                    ),
                    party.clone(),
                );
                Err::<BufferId, _>(MapiError::InvalidParameter)
            },
            ToString::to_string,
        )
    }

    /// Whether the routines are on a host backend ([`MemRoutines::with_backend`]).
    pub fn has_backend(&self) -> bool {
        self.heap.config.backend.is_some()
    }

    /// Whether the block is live.
    pub fn is_live(&self, buffer: BufferId) -> bool {
        buffer.heap == self.heap.id && lock(&self.heap.state).blocks.contains_key(&buffer.index)
    }

    /// How many blocks are live.
    pub fn live_blocks(&self) -> usize {
        lock(&self.heap.state).blocks.len()
    }

    /// Every live block, with who allocated it, where, and who must free it.
    pub fn blocks(&self) -> Vec<BlockInfo> {
        self.heap.blocks()
    }

    /// How many allocations were asked for so far, failed ones included: the numbers a fault
    /// plan counts.
    pub fn allocations(&self) -> u64 {
        self.heap.allocations()
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
