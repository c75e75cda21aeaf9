//! MAPI's memory and `IMalloc` seen from a provider: `MemRoutines` on a MAPI-like allocator written
//! here as three `extern "system"` functions, and a `Malloc` over an `IMalloc` COM object, down to
//! the core crate's sample provider initialised with both.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;
use std::alloc::{Layout, alloc, dealloc, realloc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};
use std::thread;

use mapisim::flags::{ProviderInitFlags, SpiVersion};
use mapisim::sample::{SampleProvider, SampleStore};
use mapisim::spi::{
    InitArgs, Malloc, MallocBlock, MemBackend, MemRoutines, ModuleInstance, OutParam, ProviderLibrary,
};
use mapisim::{MapiError, Ref};
use mapisim_com::import::{ComMalloc, HostAllocators, host_routines};
use mapisim_com::interfaces::{IMalloc, IMalloc_Impl};
use mapisim_com::types::SCODE;
use windows_core::{ComObject, Interface, implement};

// ---------------------------------------------------------------------------------------------
// A MAPI-like allocator: every block has a header, as MAPI's have, and a root keeps the list of
// the blocks linked to it; one free of the root frees them all.
// ---------------------------------------------------------------------------------------------

const S_OK: SCODE = 0;
const E_INVALIDARG: SCODE = 0x8007_0057_u32 as i32;
const MAPI_E_NOT_ENOUGH_MEMORY: SCODE = 0x8007_000E_u32 as i32;

/// The header in front of each block: the size asked for, and the root (0 for a root).
const HEADER: usize = 16;
/// The allocator refuses larger blocks with `MAPI_E_NOT_ENOUGH_MEMORY`.
const LIMIT: u32 = 1 << 20;

#[derive(Default)]
struct Table {
    /// Every live root, with the blocks linked to it.
    roots: HashMap<usize, Vec<usize>>,
    /// Blocks live on this side, roots and linked ones.
    live: usize,
    /// Calls of each routine.
    allocate_buffer_calls: u32,
    allocate_more_calls: u32,
    free_calls: u32,
    /// Calls that named a block this side does not have as a root (refused here; real MAPI's
    /// behaviour would be undefined).
    bad_calls: u32,
}

static TABLE: LazyLock<Mutex<Table>> = LazyLock::new(Mutex::default);

/// The tests that count on the table run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

fn table() -> MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn layout(size: usize) -> Layout {
    Layout::from_size_align(HEADER + size, HEADER).expect("a small layout")
}

/// A new block of `size` bytes with its header (not zeroed: the routines zero it).
fn new_block(size: usize, root: usize) -> *mut c_void {
    // SAFETY: the layout has a non-zero size (the header).
    let base = unsafe { alloc(layout(size)) };
    assert!(!base.is_null(), "the test allocator ran out of memory");
    // SAFETY: the header's two words fit in its 16 bytes, aligned to 16.
    unsafe {
        base.cast::<usize>().write(size);
        base.cast::<usize>().add(1).write(root);
        base.add(HEADER).cast()
    }
}

/// Frees a block made by `new_block`.
fn drop_block(block: usize) {
    let base = (block - HEADER) as *mut u8;
    // SAFETY: `block` came from `new_block`, whose header holds the size it was made with; it is
    // freed once (the table no longer lists it).
    unsafe {
        let size = base.cast::<usize>().read();
        dealloc(base, layout(size));
    }
}

unsafe extern "system" fn MAPIAllocateBuffer(cbSize: u32, lppBuffer: *mut *mut c_void) -> SCODE {
    let mut t = table();
    t.allocate_buffer_calls += 1;
    if lppBuffer.is_null() {
        return E_INVALIDARG;
    }
    if cbSize > LIMIT {
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    let block = new_block(cbSize as usize, 0);
    t.roots.insert(block as usize, Vec::new());
    t.live += 1;
    // SAFETY: checked non-NULL above; the caller passes a valid out-pointer.
    unsafe { *lppBuffer = block };
    S_OK
}

unsafe extern "system" fn MAPIAllocateMore(
    cbSize: u32,
    lpObject: *mut c_void,
    lppBuffer: *mut *mut c_void,
) -> SCODE {
    let mut t = table();
    t.allocate_more_calls += 1;
    if lppBuffer.is_null() || !t.roots.contains_key(&(lpObject as usize)) {
        t.bad_calls += 1;
        return E_INVALIDARG;
    }
    if cbSize > LIMIT {
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    let block = new_block(cbSize as usize, lpObject as usize);
    t.roots.entry(lpObject as usize).or_default().push(block as usize);
    t.live += 1;
    // SAFETY: checked non-NULL above; the caller passes a valid out-pointer.
    unsafe { *lppBuffer = block };
    S_OK
}

unsafe extern "system" fn MAPIFreeBuffer(lpBuffer: *mut c_void) -> u32 {
    if lpBuffer.is_null() {
        return 0;
    }
    let mut t = table();
    t.free_calls += 1;
    let Some(linked) = t.roots.remove(&(lpBuffer as usize)) else {
        t.bad_calls += 1;
        return E_INVALIDARG as u32;
    };
    t.live -= linked.len() + 1;
    for block in linked {
        drop_block(block);
    }
    drop_block(lpBuffer as usize);
    0
}

/// Routines on the allocator above.
fn routines() -> MemRoutines {
    // SAFETY: the three functions keep MAPI's contract, are thread-safe and live forever.
    unsafe {
        host_routines(
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
        )
    }
    .expect("three non-NULL routines")
}

/// The bytes at `address` on the C side, read directly.
fn c_bytes(address: usize, len: usize) -> Vec<u8> {
    // SAFETY: the tests call it with a live block of the allocator above, at least `len` long.
    unsafe { std::slice::from_raw_parts(address as *const u8, len) }.to_vec()
}

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn the_adapters_are_send_and_sync() {
    assert_send_sync::<HostAllocators>();
    assert_send_sync::<ComMalloc>();
}

#[test]
fn a_root_its_linked_blocks_and_one_free_of_the_root() {
    let _serial = serial();
    let routines = routines();
    assert!(routines.has_backend());

    let root = routines.allocate_buffer(8).expect("a root");
    let part = routines.allocate_more(4, root).expect("a linked block");
    let other = routines.allocate_more(16, root).expect("another");
    let root_at = routines.address(root).expect("a block in MAPI's memory");
    let part_at = routines.address(part).expect("a block in MAPI's memory");
    let other_at = routines.address(other).expect("a block in MAPI's memory");
    {
        let t = table();
        assert_eq!(t.live, 3);
        assert_eq!(t.roots.get(&root_at), Some(&vec![part_at, other_at]));
    }
    assert_eq!(routines.block_at(part_at), Some(part));

    routines.write(part, 0, b"MAPI").expect("a write that fits");
    routines.write(root, 6, b"ok").expect("a write at an offset");
    assert_eq!(routines.read(part).expect("live"), b"MAPI");
    // No copy: the bytes are at the address MAPI returned.
    assert_eq!(c_bytes(part_at, 4), b"MAPI");
    assert_eq!(c_bytes(root_at, 8), b"\0\0\0\0\0\0ok");
    // New blocks are zeroed, MAPI's memory included.
    assert_eq!(routines.read(other).expect("live"), [0; 16]);
    assert_eq!(routines.write(part, 2, b"MAPI"), Err(MapiError::InvalidParameter));
    assert_eq!(c_bytes(part_at, 4), b"MAPI");

    let frees = table().free_calls;
    routines
        .free_buffer(Some(root))
        .expect("the root frees everything");
    let t = table();
    assert_eq!((t.live, t.free_calls - frees, t.bad_calls), (0, 1, 0));
    assert!(t.roots.is_empty());
    assert_eq!(routines.live_blocks(), 0);
    // NULL does nothing, on either side.
    drop(t);
    routines.free_buffer(None).expect("NULL is allowed");
    assert_eq!(table().free_calls - frees, 1);
}

#[test]
fn misuse_is_refused_before_mapi_sees_it() {
    let _serial = serial();
    let routines = routines();
    let root = routines.allocate_buffer(8).expect("a root");
    let part = routines.allocate_more(4, root).expect("a linked block");
    let (frees, mores) = {
        let t = table();
        (t.free_calls, t.allocate_more_calls)
    };

    // A linked block freed on its own.
    assert_eq!(routines.free_buffer(Some(part)), Err(MapiError::InvalidParameter));
    // MAPIAllocateMore on a linked block.
    assert_eq!(routines.allocate_more(4, part), Err(MapiError::InvalidParameter));
    // A block of other routines.
    let foreign = MemRoutines::new().allocate_buffer(4).expect("a simulated block");
    assert_eq!(
        routines.free_buffer(Some(foreign)),
        Err(MapiError::InvalidParameter)
    );
    {
        let t = table();
        assert_eq!(
            (t.live, t.free_calls - frees, t.allocate_more_calls - mores),
            (2, 0, 0)
        );
    }

    routines.free_buffer(Some(root)).expect("the root");
    // A double free, a use after free, MAPIAllocateMore on a freed root.
    assert_eq!(routines.free_buffer(Some(root)), Err(MapiError::InvalidParameter));
    assert_eq!(routines.write(part, 0, b"x"), Err(MapiError::InvalidParameter));
    assert_eq!(routines.read(root), Err(MapiError::InvalidParameter));
    assert_eq!(routines.allocate_more(4, root), Err(MapiError::InvalidParameter));
    let t = table();
    assert_eq!(t.live, 0);
    // MAPI saw one free (the root's) and no bad call.
    assert_eq!(
        (t.free_calls - frees, t.allocate_more_calls - mores, t.bad_calls),
        (1, 0, 0)
    );
}

#[test]
fn mapis_scode_is_the_error() {
    let _serial = serial();
    let routines = routines();
    assert_eq!(
        routines.allocate_buffer(LIMIT + 1),
        Err(MapiError::NotEnoughMemory)
    );
    let root = routines.allocate_buffer(1).expect("a root");
    assert_eq!(
        routines.allocate_more(LIMIT + 1, root),
        Err(MapiError::NotEnoughMemory)
    );
    assert_eq!(routines.live_blocks(), 1);
    routines.free_buffer(Some(root)).expect("the root");
    assert_eq!(table().live, 0);
}

#[test]
fn a_value_with_no_layout_stays_on_the_rust_side() {
    let _serial = serial();
    let routines = routines();
    let allocations = table().allocate_buffer_calls;
    let buffer = routines.allocate_value(vec![1_u8, 2, 3]).expect("a typed block");
    assert_eq!(routines.address(buffer.id()), None);
    assert_eq!(routines.value(&buffer).expect("live"), [1, 2, 3]);
    assert_eq!(routines.take(buffer).expect("read and freed"), [1, 2, 3]);
    let t = table();
    assert_eq!((t.allocate_buffer_calls - allocations, t.live), (0, 0));
    drop(t);
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn null_routines_are_refused() {
    // SAFETY: the non-NULL pointers are the allocator above; nothing is allocated.
    unsafe {
        let refused = host_routines(None, Some(MAPIAllocateMore), Some(MAPIFreeBuffer));
        assert_eq!(refused.map(drop), Err(MapiError::InvalidParameter));
        let refused = HostAllocators::new(Some(MAPIAllocateBuffer), None, Some(MAPIFreeBuffer));
        assert_eq!(refused.map(drop), Err(MapiError::InvalidParameter));
        let refused = HostAllocators::new(Some(MAPIAllocateBuffer), Some(MAPIAllocateMore), None);
        assert_eq!(refused.map(drop), Err(MapiError::InvalidParameter));
    }
}

#[test]
fn the_backend_alone_touches_only_its_own_blocks() {
    let _serial = serial();
    // SAFETY: the allocator above, as in `routines`.
    let backend = unsafe {
        HostAllocators::new(
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
        )
    }
    .expect("three non-NULL routines");
    let (frees, mores) = {
        let t = table();
        (t.free_calls, t.allocate_more_calls)
    };
    let root = backend.allocate_buffer(4).expect("a root");
    let part = backend.allocate_more(2, root).expect("a linked block");
    assert_eq!(backend.live_blocks(), 2);
    assert_eq!(backend.read(root, 4), Ok(vec![0; 4]));
    backend.write(part, 1, b"k").expect("fits");
    assert_eq!(backend.read(part, 2), Ok(b"\0k".to_vec()));

    let stranger = part + 4096;
    assert_eq!(backend.write(stranger, 0, b"x"), Err(MapiError::InvalidParameter));
    assert_eq!(backend.read(stranger, 1), Err(MapiError::InvalidParameter));
    assert_eq!(backend.write(root, 3, b"xy"), Err(MapiError::InvalidParameter));
    assert_eq!(
        backend.write(root, usize::MAX, b"xy"),
        Err(MapiError::InvalidParameter)
    );
    assert_eq!(backend.read(root, 5), Err(MapiError::InvalidParameter));
    assert_eq!(backend.allocate_more(2, part), Err(MapiError::InvalidParameter));
    assert_eq!(backend.free_buffer(part), Err(MapiError::InvalidParameter));
    assert_eq!(backend.free_buffer(stranger), Err(MapiError::InvalidParameter));
    // The default: a typed value is not laid out in MAPI's memory.
    assert_eq!(backend.allocate_value(&vec![1_u8]), Ok(None));

    backend.free_buffer(root).expect("the root");
    assert_eq!(backend.free_buffer(root), Err(MapiError::InvalidParameter));
    assert_eq!(backend.read(part, 1), Err(MapiError::InvalidParameter));
    assert_eq!(backend.live_blocks(), 0);
    let t = table();
    assert_eq!(
        (t.live, t.free_calls - frees, t.allocate_more_calls - mores),
        (0, 1, 1)
    );
    assert_eq!(t.bad_calls, 0);
}

#[test]
fn threads_share_the_routines() {
    let _serial = serial();
    let routines = routines();
    thread::scope(|s| {
        for n in 0..4_u8 {
            let routines = routines.clone();
            s.spawn(move || {
                for _ in 0..25 {
                    let root = routines.allocate_buffer(4).expect("a root");
                    let part = routines.allocate_more(1, root).expect("a linked block");
                    routines.write(part, 0, &[n]).expect("fits");
                    assert_eq!(routines.read(part).expect("live"), [n]);
                    routines.free_buffer(Some(root)).expect("the root");
                }
            });
        }
    });
    assert_eq!(routines.live_blocks(), 0);
    let t = table();
    assert_eq!((t.live, t.bad_calls), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// An IMalloc COM object.
// ---------------------------------------------------------------------------------------------

/// OLE's allocator, played by a Rust object: blocks from `std::alloc`, with counts of its calls.
#[implement(IMalloc)]
#[derive(Default)]
struct TestMalloc {
    /// Every live block and its size.
    blocks: Mutex<HashMap<usize, usize>>,
    frees: AtomicU32,
    get_sizes: AtomicU32,
    did_allocs: AtomicU32,
    minimized: AtomicU32,
}

impl TestMalloc {
    fn blocks(&self) -> MutexGuard<'_, HashMap<usize, usize>> {
        self.blocks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn live(&self) -> usize {
        self.blocks().len()
    }
}

fn malloc_layout(size: usize) -> Layout {
    Layout::from_size_align(size.max(1), 16).expect("a small layout")
}

impl IMalloc_Impl for TestMalloc_Impl {
    unsafe fn Alloc(&self, cb: usize) -> *mut c_void {
        // SAFETY: the layout's size is at least 1.
        let block = unsafe { alloc(malloc_layout(cb)) };
        if !block.is_null() {
            self.blocks().insert(block as usize, cb);
        }
        block.cast()
    }

    unsafe fn Realloc(&self, pv: *mut c_void, cb: usize) -> *mut c_void {
        if pv.is_null() {
            // SAFETY: as IMalloc::Realloc, NULL is an Alloc.
            return unsafe { self.Alloc(cb) };
        }
        let mut blocks = self.blocks();
        let Some(old) = blocks.remove(&(pv as usize)) else {
            return ptr::null_mut();
        };
        if cb == 0 {
            // SAFETY: `pv` is a live block of this allocator, of `old` bytes, freed once.
            unsafe { dealloc(pv.cast(), malloc_layout(old)) };
            return ptr::null_mut();
        }
        // SAFETY: `pv` is a live block of this allocator, made with `malloc_layout(old)`; the new
        // size is not zero.
        let block = unsafe { realloc(pv.cast(), malloc_layout(old), cb) };
        if block.is_null() {
            blocks.insert(pv as usize, old);
        } else {
            blocks.insert(block as usize, cb);
        }
        block.cast()
    }

    unsafe fn Free(&self, pv: *mut c_void) {
        if pv.is_null() {
            return;
        }
        self.frees.fetch_add(1, Ordering::SeqCst);
        let size = self
            .blocks()
            .remove(&(pv as usize))
            .expect("a block of this allocator");
        // SAFETY: `pv` is a live block of this allocator, of `size` bytes, freed once.
        unsafe { dealloc(pv.cast(), malloc_layout(size)) };
    }

    unsafe fn GetSize(&self, pv: *mut c_void) -> usize {
        self.get_sizes.fetch_add(1, Ordering::SeqCst);
        self.blocks().get(&(pv as usize)).copied().unwrap_or(usize::MAX)
    }

    unsafe fn DidAlloc(&self, pv: *mut c_void) -> i32 {
        self.did_allocs.fetch_add(1, Ordering::SeqCst);
        if pv.is_null() {
            -1
        } else {
            i32::from(self.blocks().contains_key(&(pv as usize)))
        }
    }

    unsafe fn HeapMinimize(&self) {
        self.minimized.fetch_add(1, Ordering::SeqCst);
    }
}

/// The COM object's reference count, read through the vtable (an AddRef and a Release).
fn com_count(malloc: &IMalloc) -> u32 {
    let unknown = &malloc.vtable().base__;
    // SAFETY: `malloc` is live; the AddRef/Release pair leaves its count as it was, and Release
    // returns it.
    unsafe {
        (unknown.AddRef)(malloc.as_raw());
        (unknown.Release)(malloc.as_raw())
    }
}

#[test]
fn com_malloc_calls_through_the_vtable() {
    let object = ComObject::new(TestMalloc::default());
    let interface: IMalloc = object.to_interface();
    let malloc = ComMalloc::new(&interface);

    let block = malloc.alloc(10).expect("a block");
    // The handle is the pointer IMalloc returned.
    assert!(object.blocks().contains_key(&(block.0 as usize)));
    assert_eq!((object.live(), malloc.live_blocks()), (1, 1));
    assert!(malloc.write(block, 0, b"hello"));
    assert!(!malloc.write(block, 8, b"abc"));
    assert_eq!(malloc.read(block).expect("live"), b"hello\0\0\0\0\0");
    assert_eq!(malloc.get_size(block), Some(10));
    assert!(malloc.did_alloc(block));
    // NULL: DidAlloc cannot tell (-1), and the adapter never made it.
    assert!(!malloc.did_alloc(MallocBlock(0)));
    assert_eq!(object.get_sizes.load(Ordering::SeqCst), 1);
    assert_eq!(object.did_allocs.load(Ordering::SeqCst), 2);

    let grown = malloc.realloc(Some(block), 20).expect("a bigger block");
    assert_eq!(
        malloc.read(grown).expect("live"),
        b"hello\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
    );
    assert_eq!(malloc.get_size(grown), Some(20));
    malloc.free(Some(grown));
    assert_eq!((object.live(), malloc.live_blocks()), (0, 0));
    assert_eq!(object.frees.load(Ordering::SeqCst), 1);

    // A freed block reaches IMalloc no more.
    malloc.free(Some(grown));
    assert_eq!(malloc.realloc(Some(grown), 4), None);
    assert_eq!(malloc.get_size(grown), None);
    assert_eq!(malloc.read(grown), None);
    assert!(!malloc.write(grown, 0, b"x"));
    assert_eq!(object.frees.load(Ordering::SeqCst), 1);
    assert_eq!(object.get_sizes.load(Ordering::SeqCst), 2);

    // Realloc of NULL allocates; to zero bytes, frees.
    let block = malloc.realloc(None, 8).expect("a block");
    assert_eq!(malloc.read(block).expect("live"), [0; 8]);
    assert_eq!(malloc.realloc(Some(block), 0), None);
    assert_eq!((object.live(), malloc.live_blocks()), (0, 0));
    malloc.free(None);

    malloc.heap_minimize();
    assert_eq!(object.minimized.load(Ordering::SeqCst), 1);
}

#[test]
fn com_malloc_holds_one_com_reference() {
    let object = ComObject::new(TestMalloc::default());
    let interface: IMalloc = object.to_interface();
    let base = com_count(&interface);

    let malloc: Ref<dyn Malloc> = Ref::new(ComMalloc::new(&interface)).into();
    assert_eq!(com_count(&interface), base + 1);
    // Clones of the Ref are counted on the Rust side; the COM reference is one.
    let kept = malloc.clone();
    assert_eq!((malloc.ref_count(), com_count(&interface)), (2, base + 1));
    drop(malloc);
    assert_eq!(com_count(&interface), base + 1);
    drop(kept);
    assert_eq!(com_count(&interface), base);

    // SAFETY: a live IMalloc, borrowed.
    let borrowed = unsafe { ComMalloc::from_raw_borrowed(interface.as_raw()) }.expect("not NULL");
    assert_eq!(borrowed.interface(), &interface);
    assert_eq!(com_count(&interface), base + 1);
    drop(borrowed);
    assert_eq!(com_count(&interface), base);
    // SAFETY: NULL is allowed, and refused.
    let null = unsafe { ComMalloc::from_raw_borrowed(ptr::null_mut()) };
    assert_eq!(null.map(drop), Err(MapiError::InvalidParameter));
}

#[test]
fn threads_share_the_com_malloc() {
    let object = ComObject::new(TestMalloc::default());
    let interface: IMalloc = object.to_interface();
    let malloc: Ref<dyn Malloc> = Ref::new(ComMalloc::new(&interface)).into();
    thread::scope(|s| {
        for _ in 0..4 {
            let malloc = malloc.clone();
            s.spawn(move || {
                for size in 1..25 {
                    let block = malloc.alloc(size).expect("a block");
                    let block = malloc.realloc(Some(block), size * 2).expect("grown");
                    assert_eq!(malloc.get_size(block), Some(size * 2));
                    malloc.free(Some(block));
                }
            });
        }
    });
    assert_eq!(object.live(), 0);
}

// ---------------------------------------------------------------------------------------------
// The sample provider's entry point on both.
// ---------------------------------------------------------------------------------------------

/// `MSProviderInit`'s arguments as a shim makes them from what MAPI passed.
fn init_args(interface: &IMalloc) -> InitArgs {
    InitArgs {
        instance: ModuleInstance::from_host(SampleStore::DLL_FILE, 0x1000_0000),
        malloc: Ref::new(ComMalloc::new(interface)).into(),
        routines: routines(),
        flags: ProviderInitFlags::empty(),
        mapi_version: SpiVersion::CURRENT,
        provider_version: OutParam::new(),
    }
}

#[test]
fn the_sample_provider_keeps_the_malloc_until_shutdown() {
    let _serial = serial();
    let object = ComObject::new(TestMalloc::default());
    let interface: IMalloc = object.to_interface();
    let base = com_count(&interface);

    let args = init_args(&interface);
    let init = SampleStore::library()
        .ms_provider_init(&args)
        .expect("the entry point succeeds");
    assert_eq!(init.version, SpiVersion::CURRENT);
    assert_eq!(args.provider_version.get(), Some(SpiVersion::CURRENT));
    // The provider kept the malloc (a clone of the Ref: its AddRef), on one COM reference.
    assert_eq!(args.malloc.ref_count(), 2);
    assert_eq!(com_count(&interface), base + 1);
    drop(args);
    assert_eq!(com_count(&interface), base + 1);

    // The provider's routines are MAPI's.
    let sample = init
        .provider
        .downcast::<SampleProvider>()
        .expect("the sample's provider");
    let provider_routines = sample.routines();
    assert!(provider_routines.has_backend());
    let block = provider_routines.allocate_bytes(b"store").expect("a root");
    let at = provider_routines.address(block).expect("in MAPI's memory");
    assert_eq!(table().live, 1);
    assert_eq!(c_bytes(at, 5), b"store");
    provider_routines.free_buffer(Some(block)).expect("the root");
    assert_eq!(table().live, 0);
    drop(sample);

    init.provider.shutdown(0).expect("Shutdown");
    assert_eq!(com_count(&interface), base);
    drop(init);
    assert_eq!(com_count(&interface), base);
    assert_eq!(object.live(), 0);
}

#[test]
fn dropping_the_sample_provider_releases_the_malloc() {
    let _serial = serial();
    let object = ComObject::new(TestMalloc::default());
    let interface: IMalloc = object.to_interface();
    let base = com_count(&interface);

    let init = {
        let args = init_args(&interface);
        SampleStore::library()
            .ms_provider_init(&args)
            .expect("the entry point succeeds")
    };
    assert_eq!(com_count(&interface), base + 1);
    drop(init);
    assert_eq!(com_count(&interface), base);
}

#[test]
fn an_old_mapi_is_refused_and_nothing_is_kept() {
    let _serial = serial();
    let object = ComObject::new(TestMalloc::default());
    let interface: IMalloc = object.to_interface();
    let base = com_count(&interface);

    let mut args = init_args(&interface);
    args.mapi_version = SpiVersion(0x0001_0000);
    let refused = SampleStore::library().ms_provider_init(&args).map(drop);
    assert_eq!(refused, Err(MapiError::Version));
    assert_eq!(args.provider_version.get(), Some(SpiVersion::CURRENT));
    assert_eq!(args.malloc.ref_count(), 1);
    drop(args);
    assert_eq!(com_count(&interface), base);
    assert_eq!(table().live, 0);
}
