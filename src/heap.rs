//! The simulated heap behind MAPI's memory routines: every block with its owner, its allocation
//! site and its purpose, the checks of each call, and the routines and `IMalloc` providers get
//! (documented where providers meet them, [`crate::spi::memory`]). Apart from `spi`, which holds
//! what providers implement and call, so that the runtime and the routines share it without
//! either importing the other back.
use std::any::Any;
use std::borrow::Cow;
use std::collections::{BTreeSet, VecDeque};
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use crate::check::{Rule, rules};
use crate::error::{MapiError, MapiResult};
use crate::object::scope_party;
use crate::props::Prop;
use crate::sync::lock;
use crate::trace::{EventId, Party, Text, Trace, text};

/// A block returned by `MAPIAllocateBuffer` or `MAPIAllocateMore` (the `LPVOID`). Copy it as
/// freely as a pointer; the routines that made it know whether it is still live.
///
/// Two ids are equal, and ordered, by their heap and their number ([`BufferId::index`]).
#[derive(Clone, Copy)]
pub struct BufferId {
    heap: u32,
    index: u64,
    /// Where the heap keeps the block while it is live (not part of its identity: the number
    /// names the block).
    slot: u32,
}

/// A block in a traced event is named by its number.
impl From<BufferId> for crate::trace::Value {
    fn from(buffer: BufferId) -> crate::trace::Value {
        crate::trace::Value::Buffer(buffer.index())
    }
}

impl PartialEq for BufferId {
    fn eq(&self, other: &Self) -> bool {
        (self.heap, self.index) == (other.heap, other.index)
    }
}

impl Eq for BufferId {}

impl Hash for BufferId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.heap.hash(state);
        self.index.hash(state);
    }
}

impl PartialOrd for BufferId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BufferId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.heap, self.index).cmp(&(other.heap, other.index))
    }
}

impl fmt::Debug for BufferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferId")
            .field("heap", &self.heap)
            .field("index", &self.index)
            .finish()
    }
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
        What::Props(self.len()).to_string()
    }
}

impl BufferValue for Vec<u8> {
    fn describe(&self) -> String {
        What::Bytes(self.len()).to_string()
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

/// A block's number in its heap and the slot of the heap's slab that holds it while it is live.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Key {
    index: u64,
    slot: u32,
}

/// What a block holds: the data its description (`22 bytes`, `8 property values`) is made from,
/// formatted only when a report, a trace line or a message needs the text.
#[derive(Clone, Debug)]
pub(crate) enum What {
    /// `N bytes`: a block of bytes, or a typed block holding bytes.
    Bytes(usize),
    /// `N property values`.
    Props(usize),
    /// A value of another type, described by this function of the block's value.
    Value(fn(&(dyn Any + Send + Sync)) -> String),
    /// Described already: a freed block that held a value of another type.
    Text(Box<str>),
}

/// [`BufferValue::describe`] of a value of type `T`.
fn describe_as<T: BufferValue>(value: &(dyn Any + Send + Sync)) -> String {
    value.downcast_ref::<T>().map(T::describe).unwrap_or_default()
}

impl What {
    /// What a value of type `T` is, with no text formatted for the types of this crate.
    fn of<T: BufferValue>(value: &T) -> What {
        let any: &dyn Any = value;
        if let Some(props) = any.downcast_ref::<Vec<Prop>>() {
            What::Props(props.len())
        } else if let Some(bytes) = any.downcast_ref::<Vec<u8>>() {
            What::Bytes(bytes.len())
        } else {
            What::Value(describe_as::<T>)
        }
    }

    /// The same, no longer needing the value (which is about to go).
    fn freeze(&self, value: Option<&(dyn Any + Send + Sync)>) -> What {
        match self {
            What::Value(describe) => What::Text(value.map(describe).unwrap_or_default().into_boxed_str()),
            other => other.clone(),
        }
    }

    /// The text, with the block's value for a value of another type.
    fn shown<'a>(&'a self, value: Option<&'a (dyn Any + Send + Sync)>) -> Shown<'a> {
        Shown { what: self, value }
    }
}

impl fmt::Display for What {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shown(None).fmt(f)
    }
}

/// A block's description, formatted when it is displayed.
struct Shown<'a> {
    what: &'a What,
    value: Option<&'a (dyn Any + Send + Sync)>,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.what {
            What::Bytes(n) => {
                fmt::Display::fmt(n, f)?;
                f.write_str(" bytes")
            }
            What::Props(n) => {
                fmt::Display::fmt(n, f)?;
                f.write_str(if *n == 1 {
                    " property value"
                } else {
                    " property values"
                })
            }
            What::Value(describe) => match self.value {
                Some(value) => f.write_str(&describe(value)),
                None => Ok(()),
            },
            What::Text(text) => f.write_str(text),
        }
    }
}

/// What a block was handed across as (`the spool-security blob of IMsgStore#8`), kept as the
/// data its text is made from where that is cheap.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Purpose {
    /// This text.
    Static(&'static str),
    /// `the result of METHOD`.
    ResultOf(&'static str),
    /// `the spool-security blob of` the store (`the store` if it has no label).
    SpoolSecurity(Option<crate::object::ObjLabel>),
    /// `the result of GetProps on` the store (`the store` if it has no label).
    GetPropsOn(Option<crate::object::ObjLabel>),
    /// This text, made by the caller.
    Text(String),
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let store = |f: &mut fmt::Formatter<'_>, label: &Option<crate::object::ObjLabel>| match label {
            Some(label) => label.fmt(f),
            None => f.write_str("the store"),
        };
        match self {
            Purpose::Static(text) => f.write_str(text),
            Purpose::ResultOf(method) => write!(f, "the result of {method}"),
            Purpose::SpoolSecurity(label) => {
                f.write_str("the spool-security blob of ")?;
                store(f, label)
            }
            Purpose::GetPropsOn(label) => {
                f.write_str("the result of GetProps on ")?;
                store(f, label)
            }
            Purpose::Text(text) => f.write_str(text),
        }
    }
}

impl From<&'static str> for Purpose {
    fn from(text: &'static str) -> Purpose {
        Purpose::Static(text)
    }
}

impl From<String> for Purpose {
    fn from(text: String) -> Purpose {
        Purpose::Text(text)
    }
}

struct Block {
    /// Its number (the `N` of `buffer N`).
    index: u64,
    root: Option<Key>,
    /// The bytes, when the heap holds them.
    data: Vec<u8>,
    /// The block's address, when a backend holds the bytes.
    address: Option<usize>,
    /// The block's size.
    size: usize,
    value: Option<Box<dyn Any + Send + Sync>>,
    what: What,
    linked: Vec<Key>,
    allocated_by: Party,
    owner: Party,
    site: AllocationSite,
    purpose: Option<Purpose>,
}

impl Block {
    fn info(&self, heap: u32, slot: u32) -> BlockInfo {
        BlockInfo {
            id: BufferId {
                heap,
                index: self.index,
                slot,
            },
            root: self.root.map(|key| BufferId {
                heap,
                index: key.index,
                slot: key.slot,
            }),
            what: self.what.shown(self.value.as_deref()).to_string(),
            allocated_by: self.allocated_by.clone(),
            owner: self.owner.clone(),
            site: self.site,
            purpose: self.purpose.as_ref().map(ToString::to_string),
        }
    }

    /// Its description, no longer needing its value.
    fn frozen_what(&self) -> What {
        self.what.freeze(self.value.as_deref())
    }
}

/// A block that was freed, kept to tell a double free from a foreign pointer.
struct Freed {
    by: Party,
    at: &'static Location<'static>,
    what: What,
    /// Its address, when a backend held its bytes (never 0).
    address: Option<std::num::NonZeroUsize>,
}

/// How many freed blocks a heap remembers, the most recently freed: a double free or a use after
/// free of a block freed longer ago (this many frees before) is reported as a block the routines
/// never allocated (`MEM-FOREIGN-FREE`), or not at all for a use. It bounds what a long run keeps.
const FREED_REMEMBERED: usize = 1 << 16;

use crate::sync::KeyMap;

/// The blocks of a heap: live ones in a slab (a slot per block, slots of freed blocks reused),
/// freed ones remembered by number (the last [`FREED_REMEMBERED`]), both indexed by address when
/// a backend holds the bytes.
#[derive(Default)]
struct HeapState {
    next: u64,
    allocations: u64,
    slots: Vec<Option<Block>>,
    /// Slots free for a new block, the most recently freed last.
    vacant: Vec<u32>,
    live: usize,
    freed: KeyMap<u64, Freed>,
    /// The numbers of `freed`, oldest first.
    freed_order: VecDeque<u64>,
    /// The live block at each address (the first allocated there, should a backend give an
    /// address twice).
    live_at: KeyMap<usize, Key>,
    /// The freed block most recently allocated at each address.
    freed_at: KeyMap<usize, u64>,
}

impl HeapState {
    fn get(&self, key: Key) -> Option<&Block> {
        self.slots
            .get(key.slot as usize)
            .and_then(Option::as_ref)
            .filter(|b| b.index == key.index)
    }

    fn get_mut(&mut self, key: Key) -> Option<&mut Block> {
        self.slots
            .get_mut(key.slot as usize)
            .and_then(Option::as_mut)
            .filter(|b| b.index == key.index)
    }

    /// The slot the next block goes to, if there is one.
    fn free_slot(&self) -> Option<u32> {
        match self.vacant.last() {
            Some(slot) => Some(*slot),
            None => u32::try_from(self.slots.len()).ok(),
        }
    }

    /// Puts a block in `slot` (from [`HeapState::free_slot`]).
    fn put(&mut self, slot: u32, block: Block) {
        if self.vacant.last() == Some(&slot) {
            self.vacant.pop();
        }
        if let Some(address) = block.address {
            self.live_at.entry(address).or_insert(Key {
                index: block.index,
                slot,
            });
        }
        self.live += 1;
        match self.slots.get_mut(slot as usize) {
            Some(place) => *place = Some(block),
            None => self.slots.push(Some(block)),
        }
    }

    fn remove(&mut self, key: Key) -> Option<Block> {
        self.get(key)?;
        let block = self.slots.get_mut(key.slot as usize).and_then(Option::take)?;
        self.vacant.push(key.slot);
        self.live -= 1;
        if let Some(address) = block.address
            && self.live_at.get(&address) == Some(&key)
        {
            self.live_at.remove(&address);
        }
        Some(block)
    }

    /// Remembers a freed block, forgetting the oldest beyond [`FREED_REMEMBERED`].
    fn remember(&mut self, index: u64, freed: Freed) {
        if let Some(address) = freed.address.map(std::num::NonZeroUsize::get) {
            let newest = self.freed_at.entry(address).or_insert(index);
            *newest = (*newest).max(index);
        }
        self.freed.insert(index, freed);
        self.freed_order.push_back(index);
        if self.freed_order.len() > FREED_REMEMBERED
            && let Some(oldest) = self.freed_order.pop_front()
            && let Some(forgotten) = self.freed.remove(&oldest)
            && let Some(address) = forgotten.address.map(std::num::NonZeroUsize::get)
            && self.freed_at.get(&address) == Some(&oldest)
        {
            self.freed_at.remove(&address);
        }
    }

    /// The key of the live block at `address`, if any.
    fn live_at(&self, address: usize) -> Option<Key> {
        self.live_at.get(&address).copied()
    }
}

/// The content of a new block.
pub(crate) enum Content<'a> {
    /// Bytes, copied into the heap, or into the backend's block without a copy of their own.
    Bytes(Cow<'a, [u8]>),
    Value(Box<dyn Any + Send + Sync>, What),
}

impl Content<'_> {
    pub(crate) fn value<T: BufferValue>(value: T) -> Content<'static> {
        let what = What::of(&value);
        Content::Value(Box::new(value), what)
    }
}

/// What is wrong with a block a caller names.
#[derive(Clone, Debug)]
pub(crate) enum BadBlock {
    /// These routines never made it.
    Foreign,
    /// It was freed (by this party, at this line).
    Freed(Party, &'static Location<'static>, What),
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

    fn id_of(&self, key: Key) -> BufferId {
        BufferId {
            heap: self.id,
            index: key.index,
            slot: key.slot,
        }
    }

    /// The key of a block of this heap.
    fn key(&self, id: BufferId) -> Option<Key> {
        (id.heap == self.id).then_some(Key {
            index: id.index,
            slot: id.slot,
        })
    }

    /// The live block `id`, if it is one of this heap.
    fn live<'a>(&self, st: &'a HeapState, id: BufferId) -> Option<&'a Block> {
        self.key(id).and_then(|key| st.get(key))
    }

    /// What is wrong with `id` as a live root, if anything.
    fn check_root(&self, st: &HeapState, id: BufferId) -> Result<(), BadBlock> {
        let Some(key) = self.key(id) else {
            return Err(BadBlock::Foreign);
        };
        match st.get(key) {
            Some(block) => match block.root {
                None => Ok(()),
                Some(root) => Err(BadBlock::Linked(root.index)),
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
        if !self.config.fail.is_empty() && self.config.fail.contains(&st.allocations) {
            Err(st.allocations)
        } else {
            Ok(())
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn insert(
        &self,
        st: &mut HeapState,
        root: Option<Key>,
        content: Content<'_>,
        allocated_by: Party,
        owner: Party,
        site: AllocationSite,
        purpose: Option<Purpose>,
    ) -> MapiResult<BufferId> {
        let slot = st.free_slot().ok_or(MapiError::NotEnoughMemory)?;
        let root_address = root.and_then(|r| st.get(r)).and_then(|b| b.address);
        let (data, value, what, address, size) = match (content, &self.config.backend) {
            (Content::Bytes(data), None) => {
                let size = data.len();
                (data.into_owned(), None, What::Bytes(size), None, size)
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
                    What::Bytes(data.len()),
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
        let key = Key { index: st.next, slot };
        st.put(
            slot,
            Block {
                index: key.index,
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
            && let Some(block) = st.get_mut(root)
        {
            block.linked.push(key);
        }
        Ok(self.id_of(key))
    }

    /// A traced call of one of the routines by `party` (MAPI's own use is not traced); `args`
    /// is formatted only when the call is traced.
    fn traced<R>(
        &self,
        party: &Party,
        method: &'static str,
        args: impl FnOnce() -> Text,
        f: impl FnOnce() -> MapiResult<R>,
        summary: impl FnOnce(&R) -> Text,
    ) -> MapiResult<R> {
        let host = if *party == Party::Mapi { None } else { self.host() };
        let call = host
            .as_ref()
            .map(|h| h.trace().begin_call(party.clone(), Party::Mapi, method, args()));
        let result = f();
        if let Some(call) = call {
            call.finish_result(&result, summary);
        }
        result
    }

    fn fault_note(&self, n: u64, what: impl FnOnce() -> String) {
        if let Some(host) = self.host() {
            host.trace().record(crate::trace::EventKind::Note {
                by: Party::Mapi,
                text: format!(
                    "the fault plan fails allocation {n} ({}) with MAPI_E_NOT_ENOUGH_MEMORY",
                    what()
                )
                .into(),
            });
        }
    }

    /// `MAPIAllocateBuffer` by whoever's code runs now.
    fn allocate(
        &self,
        content: Content<'_>,
        party: Party,
        at: &'static Location<'static>,
    ) -> MapiResult<BufferId> {
        // The argument as the trace shows it: the size, or what a typed block holds.
        let arg = match &content {
            Content::Bytes(d) => Err(d.len()),
            Content::Value(value, what) => Ok(what.freeze(Some(value.as_ref()))),
        };
        let shown = || match &arg {
            Err(size) => Text::value(*size),
            Ok(what) => Text::from(what.to_string()),
        };
        self.traced(
            &party,
            "MAPIAllocateBuffer",
            shown,
            || {
                let mut st = lock(&self.state);
                if let Err(n) = self.count_allocation(&mut st) {
                    drop(st);
                    self.fault_note(n, || format!("MAPIAllocateBuffer({})", shown()));
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
            |&id| Text::value(id),
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
            || text!("{size}, {root}", size, root),
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
                    self.fault_note(n, || format!("MAPIAllocateMore({size})"));
                    return Err(MapiError::NotEnoughMemory);
                }
                let link = if bad.is_some() { None } else { self.key(root) };
                self.insert(
                    &mut st,
                    link,
                    Content::Bytes(Cow::Owned(vec![0; size as usize])),
                    party.clone(),
                    party.clone(),
                    AllocationSite::Code(at),
                    None,
                )
            },
            |&id| Text::value(id),
        )
    }

    /// Removes a root and its linked blocks, leaving tombstones; returns the root (its value,
    /// owner and purpose as they were) and how many linked blocks went with it.
    fn remove_root(
        &self,
        st: &mut HeapState,
        key: Key,
        by: &Party,
        at: &'static Location<'static>,
    ) -> Option<(Block, usize)> {
        let block = st.remove(key)?;
        if let (Some(backend), Some(address)) = (&self.config.backend, block.address) {
            // The account is settled whatever the host answers: the block is gone for MAPI.
            let _ = backend.free_buffer(address);
        }
        let mut linked = 0;
        for part in &block.linked {
            if let Some(b) = st.remove(*part) {
                linked += 1;
                // A block linked to a root the backend never saw (a value kept on the Rust side)
                // is a root of its own for the host: it is freed on its own.
                if let (Some(backend), None, Some(address)) = (&self.config.backend, block.address, b.address)
                {
                    let _ = backend.free_buffer(address);
                }
                st.remember(
                    part.index,
                    Freed {
                        by: by.clone(),
                        at,
                        what: b.frozen_what(),
                        address: b.address.and_then(std::num::NonZeroUsize::new),
                    },
                );
            }
        }
        st.remember(
            key.index,
            Freed {
                by: by.clone(),
                at,
                what: block.frozen_what(),
                address: block.address.and_then(std::num::NonZeroUsize::new),
            },
        );
        Some((block, linked))
    }

    fn free(&self, buffer: Option<BufferId>, party: Party, at: &'static Location<'static>) -> MapiResult<()> {
        self.free_block(buffer, party, at).map(drop)
    }

    /// `MAPIFreeBuffer`, giving back the root block it removed (its value and bytes, which a
    /// caller that reads and frees takes instead of copying them).
    fn free_block(
        &self,
        buffer: Option<BufferId>,
        party: Party,
        at: &'static Location<'static>,
    ) -> MapiResult<Option<Block>> {
        let Some(id) = buffer else {
            return Ok(None);
        };
        self.traced(
            &party,
            "MAPIFreeBuffer",
            || Text::value(id),
            || {
                let mut st = lock(&self.state);
                match self
                    .check_root(&st, id)
                    .and_then(|()| self.key(id).ok_or(BadBlock::Foreign))
                {
                    Ok(key) => {
                        let removed = self.remove_root(&mut st, key, &party, at);
                        drop(st);
                        let Some((block, linked)) = removed else {
                            return Ok((0, None));
                        };
                        if block.owner != party {
                            let owner = &block.owner;
                            let purpose = block
                                .purpose
                                .as_ref()
                                .map(|p| format!(" as {p}"))
                                .unwrap_or_default();
                            self.misuse(
                                &rules::MEM_NOT_OWNER,
                                format!(
                                    "{party} freed {id}, which was handed to {owner}{purpose}: {owner} \
                                     frees it and may still use it"
                                ),
                                party.clone(),
                            );
                        }
                        Ok((linked, Some(block)))
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
            |&(linked, _)| {
                if linked == 0 {
                    Text::EMPTY
                } else {
                    text!("with {linked} linked block(s)", linked)
                }
            },
        )
        .map(|(_, block)| block)
    }

    /// Runs `f` on a live block, or reports a use after free.
    fn with_block<R>(
        &self,
        id: BufferId,
        party: impl FnOnce() -> Party,
        f: impl FnOnce(&mut Block) -> MapiResult<R>,
    ) -> MapiResult<R> {
        let mut st = lock(&self.state);
        let key = self.key(id);
        if let Some(key) = key
            && let Some(block) = st.get_mut(key)
        {
            return f(block);
        }
        let freed = if key.is_some() {
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
        content: Content<'_>,
        to: Party,
        site: AllocationSite,
        purpose: Purpose,
    ) -> MapiResult<BufferId> {
        let mut st = lock(&self.state);
        if let Err(n) = self.count_allocation(&mut st) {
            drop(st);
            self.fault_note(n, || match site {
                AllocationSite::Call { method, .. } => format!("MAPI's result of {method}"),
                AllocationSite::Code(_) => "MAPI's".to_owned(),
            });
            return Err(MapiError::NotEnoughMemory);
        }
        self.insert(&mut st, None, content, Party::Mapi, to, site, Some(purpose))
    }

    /// A block handed to `to` (as an output): it must be a live root of this heap. On failure,
    /// the purpose comes back with what is wrong.
    pub(crate) fn hand_over(
        &self,
        id: BufferId,
        to: Party,
        purpose: Purpose,
    ) -> Result<(), (BadBlock, Purpose)> {
        let mut st = lock(&self.state);
        if let Err(bad) = self.check_root(&st, id) {
            return Err((bad, purpose));
        }
        if let Some(block) = self.key(id).and_then(|key| st.get_mut(key)) {
            block.owner = to;
            block.purpose = Some(purpose);
        }
        Ok(())
    }

    /// Frees a block its owner no longer needs, quietly if it is already gone.
    #[track_caller]
    pub(crate) fn release(&self, id: BufferId, by: Party) {
        let mut st = lock(&self.state);
        if let Some(key) = self.key(id)
            && st.get(key).is_some_and(|b| b.root.is_none())
        {
            self.remove_root(&mut st, key, &by, Location::caller());
        }
    }

    /// Reads the bytes of a block MAPI owns, if it is still live.
    pub(crate) fn peek_bytes(&self, id: BufferId) -> Option<Arc<[u8]>> {
        let st = lock(&self.state);
        let block = self.live(&st, id)?;
        // Copied once, into the shared slice.
        self.bytes_of(block).ok().map(|bytes| Arc::from(&*bytes))
    }

    /// Takes the value of a typed block MAPI received, freeing it, if it is live and of type `T`.
    #[track_caller]
    pub(crate) fn take_value<T: BufferValue>(&self, id: BufferId, by: Party) -> Option<T> {
        let at = Location::caller();
        let mut st = lock(&self.state);
        let key = self.key(id)?;
        let value = st.get_mut(key).and_then(|b| {
            // The description outlives the value, for a later double free.
            b.what = b.frozen_what();
            b.value.take()
        });
        let value = value.and_then(|v| v.downcast::<T>().ok());
        self.remove_root(&mut st, key, &by, at);
        value.map(|v| *v)
    }

    /// What a live block holds, and its name: `8 property values in buffer 5`.
    pub(crate) fn summary(&self, id: BufferId) -> Text {
        use crate::trace::{Value, text};
        let st = lock(&self.state);
        let buffer = Value::from(id);
        match self.live(&st, id) {
            // The usual blocks keep their numbers, formatted when the trace is read.
            Some(b) => match b.what {
                What::Bytes(n) => text!("{n} bytes in {buffer}", n, buffer),
                What::Props(1) => text!("1 property value in {buffer}", buffer),
                What::Props(n) => text!("{n} property values in {buffer}", n, buffer),
                _ => {
                    let mut text = String::with_capacity(40);
                    let _ = write!(text, "{} in {id}", b.what.shown(b.value.as_deref()));
                    text.into()
                }
            },
            None => text!("{buffer}", buffer),
        }
    }

    /// The size of a live block of bytes (`None` for any other block): what [`Heap::summary`]
    /// says of it, as a number.
    pub(crate) fn bytes_len(&self, id: BufferId) -> Option<usize> {
        let st = lock(&self.state);
        match self.live(&st, id)?.what {
            What::Bytes(n) => Some(n),
            _ => None,
        }
    }

    /// A block's bytes, wherever they live: read from the backend, or borrowed from the block.
    fn bytes_of<'b>(&self, block: &'b Block) -> MapiResult<Cow<'b, [u8]>> {
        match (&self.config.backend, block.address) {
            (Some(backend), Some(address)) if block.value.is_none() => {
                backend.read(address, block.size).map(Cow::Owned)
            }
            _ => Ok(Cow::Borrowed(&block.data)),
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

    /// Every live block, in the order they were allocated.
    pub(crate) fn blocks(&self) -> Vec<BlockInfo> {
        let st = lock(&self.state);
        let mut blocks: Vec<(u64, BlockInfo)> = st
            .slots
            .iter()
            .enumerate()
            .filter_map(|(slot, b)| {
                let b = b.as_ref()?;
                let slot = u32::try_from(slot).ok()?;
                Some((b.index, b.info(self.id, slot)))
            })
            .collect();
        blocks.sort_unstable_by_key(|(index, _)| *index);
        blocks.into_iter().map(|(_, info)| info).collect()
    }

    /// How many allocations were made so far (failed ones included).
    pub(crate) fn allocations(&self) -> u64 {
        lock(&self.state).allocations
    }
}

/// The three MAPI allocation routines handed to a provider's entry point and returned by
/// `IMAPISupport::GetMemAllocRoutines`. Cloning gives the same routines ([`MemRoutines::same_as`]).
/// See the [module documentation](crate::spi::memory) for the rules they check.
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
            Content::Bytes(Cow::Owned(vec![0; size as usize])),
            self.party(),
            Location::caller(),
        )
    }

    /// `MAPIAllocateBuffer` followed by a copy of `bytes` into the block.
    #[track_caller]
    pub fn allocate_bytes(&self, bytes: &[u8]) -> MapiResult<BufferId> {
        self.heap.allocate(
            Content::Bytes(Cow::Borrowed(bytes)),
            self.party(),
            Location::caller(),
        )
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
        // What `value` checks, without the copy: the value is moved out of the freed block.
        self.heap.with_block(
            buffer.id,
            || self.party(),
            |block| {
                if block.value.as_ref().is_some_and(|v| v.is::<T>()) {
                    Ok(())
                } else {
                    Err(MapiError::InvalidParameter)
                }
            },
        )?;
        let block = self
            .heap
            .free_block(Some(buffer.id), self.party(), Location::caller())?;
        block
            .and_then(|b| b.value)
            .and_then(|v| v.downcast::<T>().ok())
            .map(|v| *v)
            .ok_or(MapiError::InvalidParameter)
    }

    /// Reads a block's bytes and frees it.
    #[track_caller]
    pub fn take_bytes(&self, buffer: BufferId) -> MapiResult<Vec<u8>> {
        if self.has_backend() {
            let bytes = self.read(buffer)?;
            self.free_buffer(Some(buffer))?;
            return Ok(bytes);
        }
        // What `read` checks, without the copy: the bytes are moved out of the freed block.
        self.heap.with_block(buffer, || self.party(), |_| Ok(()))?;
        let block = self
            .heap
            .free_block(Some(buffer), self.party(), Location::caller())?;
        Ok(block.map(|b| b.data).unwrap_or_default())
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
        heap.with_block(
            buffer,
            || self.party(),
            |block| heap.bytes_of(block).map(Cow::into_owned),
        )
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
        self.heap
            .mapi_allocate(
                Content::value(value),
                self.party(),
                self.result_site(method),
                Purpose::ResultOf(method),
            )
            .map(MapiBuffer::from_id)
    }

    /// [`MemRoutines::allocate_result`] for a block of bytes.
    pub fn allocate_result_bytes(&self, bytes: &[u8], method: &'static str) -> MapiResult<BufferId> {
        self.heap.mapi_allocate(
            Content::Bytes(Cow::Borrowed(bytes)),
            self.party(),
            self.result_site(method),
            Purpose::ResultOf(method),
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
                block.what = What::of(&value);
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
        self.heap.live(&st, buffer).and_then(|b| b.address)
    }

    /// The block at `address` in the backend's memory, if it is live: the way back from a
    /// pointer a shim receives.
    pub fn block_at(&self, address: usize) -> Option<BufferId> {
        let st = lock(&self.heap.state);
        st.live_at(address).map(|key| self.heap.id_of(key))
    }

    /// The block at `address`, live or freed (the most recent one there): what a pointer a shim
    /// receives names, even when it is stale.
    fn block_or_freed_at(&self, address: usize) -> Option<BufferId> {
        let st = lock(&self.heap.state);
        let key = st.live_at(address).or_else(|| {
            // A freed block's slot is not its own any more: its number alone names it.
            st.freed_at.get(&address).map(|index| Key {
                index: *index,
                slot: u32::MAX,
            })
        });
        key.map(|key| self.heap.id_of(key))
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
            || format!("{address:#x}").into(),
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
            |()| Text::EMPTY,
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
            || format!("{size}, {root:#x}").into(),
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
            |&id| Text::value(id),
        )
    }

    /// Whether the routines are on a host backend ([`MemRoutines::with_backend`]).
    pub fn has_backend(&self) -> bool {
        self.heap.config.backend.is_some()
    }

    /// Whether the block is live.
    pub fn is_live(&self, buffer: BufferId) -> bool {
        let st = lock(&self.heap.state);
        self.heap.live(&st, buffer).is_some()
    }

    /// How many blocks are live.
    pub fn live_blocks(&self) -> usize {
        lock(&self.heap.state).live
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_slot_is_reused_and_the_old_id_stays_freed() -> MapiResult<()> {
        let routines = MemRoutines::new();
        let first = routines.allocate_buffer(4)?;
        routines.free_buffer(Some(first))?;
        let second = routines.allocate_buffer(4)?;
        assert_eq!(first.slot, second.slot);
        assert_eq!((first.index(), second.index()), (1, 2));
        assert!(first < second);
        assert!(!routines.is_live(first));
        assert!(routines.is_live(second));
        assert_eq!(
            routines.free_buffer(Some(first)),
            Err(MapiError::InvalidParameter)
        );
        let st = lock(&routines.heap().state);
        assert!(matches!(
            routines.heap().check_root(&st, first),
            Err(BadBlock::Freed(..))
        ));
        Ok(())
    }

    #[test]
    fn the_heap_remembers_a_bounded_number_of_freed_blocks() -> MapiResult<()> {
        let routines = MemRoutines::new();
        let first = routines.allocate_buffer(1)?;
        routines.free_buffer(Some(first))?;
        let mut last = first;
        for _ in 0..FREED_REMEMBERED {
            last = routines.allocate_buffer(1)?;
            routines.free_buffer(Some(last))?;
        }
        let heap = routines.heap();
        let st = lock(&heap.state);
        assert_eq!(st.freed.len(), FREED_REMEMBERED);
        assert_eq!(st.slots.len(), 1);
        assert!(matches!(heap.check_root(&st, first), Err(BadBlock::Foreign)));
        assert!(matches!(heap.check_root(&st, last), Err(BadBlock::Freed(..))));
        Ok(())
    }

    #[test]
    fn descriptions_are_made_when_read() -> MapiResult<()> {
        #[derive(Clone)]
        struct Note;
        impl BufferValue for Note {
            fn describe(&self) -> String {
                "a note".to_owned()
            }
        }
        let routines = MemRoutines::new();
        let props = routines.allocate_value(vec![Prop {
            tag: crate::props::PR_OBJECT_TYPE,
            value: crate::props::PropValue::from_u32(1),
        }])?;
        let note = routines.allocate_value(Note)?;
        let bytes = routines.allocate_bytes(b"abc")?;
        let what: Vec<String> = routines.blocks().into_iter().map(|b| b.what).collect();
        assert_eq!(what, ["1 property value", "a note", "3 bytes"]);
        assert_eq!(
            routines.heap().summary(note.id()).to_string(),
            format!("a note in {}", note.id())
        );
        let heap = routines.heap();
        assert!(heap.take_value::<Note>(note.id(), Party::Client).is_some());
        let st = lock(&heap.state);
        match heap.check_root(&st, note.id()) {
            Err(bad) => assert_eq!(
                bad.describe(note.id()).split(", which").next(),
                Some(format!("{} (a note)", note.id()).as_str())
            ),
            Ok(()) => panic!("the note was freed"),
        }
        drop(st);
        routines.free_buffer(Some(props.id()))?;
        routines.free_buffer(Some(bytes))?;
        Ok(())
    }

    /// A backend that gives every block the same address, as an allocator reusing freed memory.
    struct OneAddress;

    impl MemBackend for OneAddress {
        fn allocate_buffer(&self, _size: u32) -> MapiResult<usize> {
            Ok(0x100)
        }
        fn allocate_more(&self, _size: u32, _root: usize) -> MapiResult<usize> {
            Err(MapiError::NotEnoughMemory)
        }
        fn free_buffer(&self, _address: usize) -> MapiResult<()> {
            Ok(())
        }
        fn write(&self, _address: usize, _offset: usize, _bytes: &[u8]) -> MapiResult<()> {
            Ok(())
        }
        fn read(&self, _address: usize, len: usize) -> MapiResult<Vec<u8>> {
            Ok(vec![0; len])
        }
    }

    #[test]
    fn an_address_names_its_live_block_else_the_last_freed_there() -> MapiResult<()> {
        let routines = MemRoutines::with_backend(Arc::new(OneAddress));
        let first = routines.allocate_buffer(4)?;
        routines.free_address(0x100)?;
        assert!(!routines.is_live(first));
        assert_eq!(routines.block_at(0x100), None);
        let second = routines.allocate_buffer(4)?;
        assert_eq!(routines.block_at(0x100), Some(second));
        routines.free_address(0x100)?;
        assert_eq!(routines.block_at(0x100), None);
        assert_eq!(routines.block_or_freed_at(0x100), Some(second));
        assert_eq!(routines.free_address(0x100), Err(MapiError::InvalidParameter));
        assert_eq!(routines.live_blocks(), 0);
        Ok(())
    }
}
