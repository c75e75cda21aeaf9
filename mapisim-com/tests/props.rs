//! Property values in MAPI's C layout: written through the routines into a real allocator's
//! memory, read back into Rust values, and checked byte by byte against the headers' layout.

use std::alloc::{Layout, alloc, dealloc};
use std::collections::HashMap;
use std::ffi::CStr;
use std::mem::size_of;
use std::ptr;
use std::sync::{Arc, Mutex};

use mapisim::props::{FileTime, PR_DISPLAY_NAME_A, PR_DISPLAY_NAME_W, Prop, PropTag, PropType, PropValue};
use mapisim::spi::{AllocationSite, BufferId, MapiErrorInfo, MemBackend, MemRoutines, PropProblem};
use mapisim::strings::{AnsiString, TString, WideString};
use mapisim::{MapiError, MapiResult};
use mapisim_com::props::{
    read_mapierror, read_problems, read_props, read_tags, write_mapierror, write_problems, write_props,
    write_tags,
};
use mapisim_com::types::{
    FILETIME, MAPIERROR, PV, SBinary, SBinaryArray, SLPSTRArray, SLongArray, SPropProblemArray,
    SPropTagArray, SPropValue,
};
use uuid::Uuid;

const PTR: usize = size_of::<usize>();
/// Where the value of an `SPropValue` starts.
const VALUE: usize = 8;
/// Where the pointer of a counted value (`SBinary`, the multi-valued arrays) sits in an
/// `SPropValue`: 16 on 64-bit targets, 12 on 32-bit ones.
const COUNTED_POINTER: usize = VALUE + PTR;

/// The host's allocator as MAPI's routines would give it: `std::alloc` blocks, each root with the
/// blocks linked to it, all freed together.
#[derive(Default)]
struct HostHeap {
    state: Mutex<HostState>,
}

#[derive(Default)]
struct HostState {
    /// Every live block: its address and layout.
    blocks: HashMap<usize, Layout>,
    /// Every live root and the blocks linked to it.
    links: HashMap<usize, Vec<usize>>,
    /// Allocations so far.
    allocations: usize,
    /// The allocation (numbered from 1) that fails.
    fail_at: Option<usize>,
    /// `free_buffer` calls so far.
    frees: usize,
}

impl HostState {
    fn allocate(&mut self, size: u32) -> MapiResult<usize> {
        self.allocations += 1;
        if self.fail_at == Some(self.allocations) {
            return Err(MapiError::NotEnoughMemory);
        }
        // A block of at least one byte, aligned for anything MAPI stores.
        let layout =
            Layout::from_size_align((size as usize).max(1), 16).map_err(|_| MapiError::NotEnoughMemory)?;
        // SAFETY: the layout's size is not zero.
        let block = unsafe { alloc(layout) };
        if block.is_null() {
            return Err(MapiError::NotEnoughMemory);
        }
        self.blocks.insert(block as usize, layout);
        Ok(block as usize)
    }

    fn release(&mut self, address: usize) {
        if let Some(layout) = self.blocks.remove(&address) {
            // SAFETY: `address` was returned by `alloc` with `layout` and is freed once: it has
            // just left the map of live blocks.
            unsafe { dealloc(address as *mut u8, layout) };
        }
    }

    fn layout_of(&self, address: usize, end: usize) -> MapiResult<Layout> {
        let layout = *self.blocks.get(&address).ok_or(MapiError::InvalidParameter)?;
        if end > layout.size() {
            return Err(MapiError::InvalidParameter);
        }
        Ok(layout)
    }
}

impl HostHeap {
    fn new() -> Arc<HostHeap> {
        Arc::new(HostHeap::default())
    }

    fn failing_at(allocation: usize) -> Arc<HostHeap> {
        let heap = HostHeap::new();
        heap.lock().fail_at = Some(allocation);
        heap
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HostState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn live(&self) -> usize {
        self.lock().blocks.len()
    }

    fn allocations(&self) -> usize {
        self.lock().allocations
    }

    fn frees(&self) -> usize {
        self.lock().frees
    }
}

impl MemBackend for HostHeap {
    fn allocate_buffer(&self, size: u32) -> MapiResult<usize> {
        let mut st = self.lock();
        let root = st.allocate(size)?;
        st.links.insert(root, Vec::new());
        Ok(root)
    }

    fn allocate_more(&self, size: u32, root: usize) -> MapiResult<usize> {
        let mut st = self.lock();
        if !st.links.contains_key(&root) {
            return Err(MapiError::InvalidParameter);
        }
        let block = st.allocate(size)?;
        st.links.entry(root).or_default().push(block);
        Ok(block)
    }

    fn free_buffer(&self, address: usize) -> MapiResult<()> {
        let mut st = self.lock();
        st.frees += 1;
        let linked = st.links.remove(&address).ok_or(MapiError::InvalidParameter)?;
        for block in linked {
            st.release(block);
        }
        st.release(address);
        Ok(())
    }

    fn write(&self, address: usize, offset: usize, bytes: &[u8]) -> MapiResult<()> {
        let st = self.lock();
        let end = offset
            .checked_add(bytes.len())
            .ok_or(MapiError::InvalidParameter)?;
        st.layout_of(address, end)?;
        // SAFETY: the block at `address` is live (the lock is held) and at least `end` bytes
        // long, and `bytes` is a Rust slice, so the ranges do not overlap.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), (address as *mut u8).add(offset), bytes.len()) };
        Ok(())
    }

    fn read(&self, address: usize, len: usize) -> MapiResult<Vec<u8>> {
        let st = self.lock();
        st.layout_of(address, len)?;
        // SAFETY: the block at `address` is live (the lock is held), at least `len` bytes long,
        // and every byte of it was written by the routines (they zero each new block).
        Ok(unsafe { std::slice::from_raw_parts(address as *const u8, len) }.to_vec())
    }
}

impl Drop for HostHeap {
    fn drop(&mut self) {
        let st = self
            .state
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let blocks: Vec<usize> = st.blocks.keys().copied().collect();
        for block in blocks {
            st.release(block);
        }
    }
}

fn routines_on(heap: &Arc<HostHeap>) -> MemRoutines {
    MemRoutines::with_backend(Arc::clone(heap) as Arc<dyn MemBackend>)
}

fn tag(id: u16, ty: PropType) -> PropTag {
    PropTag::new(id, ty)
}

fn prop(id: u16, value: PropValue) -> Prop {
    Prop {
        tag: tag(id, value.prop_type()),
        value,
    }
}

/// A C string as an `LPSTR` (only ever read).
fn c_string(text: &'static CStr) -> *mut u8 {
    text.as_ptr().cast::<u8>().cast_mut()
}

fn guid(text: &str) -> Uuid {
    Uuid::parse_str(text).expect("a GUID")
}

/// One value of every variant, empty strings and arrays included, with 8-bit bytes that are not
/// UTF-8 and UTF-16 with an unpaired surrogate.
fn every_value() -> Vec<Prop> {
    let odd_ansi = AnsiString::from_bytes(b"caf\xe9 \x81\xff".to_vec());
    let odd_wide = WideString::from_units(vec![0x0041, 0xD800, 0x0042, 0xDC00]);
    let values = vec![
        PropValue::Null,
        PropValue::Long(-5),
        PropValue::Long(i32::MIN),
        PropValue::Boolean(true),
        PropValue::Boolean(false),
        PropValue::I8(i64::MIN + 7),
        PropValue::String8("Sample Store".into()),
        PropValue::String8(odd_ansi.clone()),
        PropValue::String8(AnsiString::from_bytes(Vec::new())),
        PropValue::Unicode("Zoo Store \u{1F600}".into()),
        PropValue::Unicode(odd_wide.clone()),
        PropValue::Unicode(WideString::from_units(Vec::new())),
        PropValue::Binary(vec![0, 1, 2, 0xFF, 0]),
        PropValue::Binary(Vec::new()),
        PropValue::SysTime(FileTime(0x01DA_1234_5678_9ABC)),
        PropValue::Clsid(guid("00020301-0000-0000-c000-000000000046")),
        PropValue::Error(MapiError::NotFound),
        PropValue::Error(MapiError::Unknown(0x8004_7777_u32 as i32)),
        PropValue::MvLong(vec![1, -2, i32::MAX]),
        PropValue::MvLong(Vec::new()),
        PropValue::MvI8(vec![i64::MAX, -1]),
        PropValue::MvI8(Vec::new()),
        PropValue::MvString8(vec!["one".into(), odd_ansi, AnsiString::from_bytes(Vec::new())]),
        PropValue::MvString8(Vec::new()),
        PropValue::MvUnicode(vec![WideString::from_units(Vec::new()), odd_wide, "two".into()]),
        PropValue::MvUnicode(Vec::new()),
        PropValue::MvBinary(vec![vec![1, 2], Vec::new(), vec![3; 40]]),
        PropValue::MvBinary(Vec::new()),
        PropValue::MvSysTime(vec![FileTime(0), FileTime(u64::MAX)]),
        PropValue::MvSysTime(Vec::new()),
        PropValue::MvClsid(vec![
            guid("00020301-0000-0000-c000-000000000046"),
            guid("f1e2d3c4-b5a6-9788-796a-5b4c3d2e1f00"),
        ]),
        PropValue::MvClsid(Vec::new()),
    ];
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| prop(0x6600 + i as u16, value))
        .collect()
}

/// The blocks one value needs besides its `SPropValue`.
fn linked_blocks(value: &PropValue) -> usize {
    match value {
        PropValue::String8(_) | PropValue::Unicode(_) | PropValue::Clsid(_) => 1,
        PropValue::Binary(b) => usize::from(!b.is_empty()),
        PropValue::MvLong(v) => usize::from(!v.is_empty()),
        PropValue::MvI8(v) => usize::from(!v.is_empty()),
        PropValue::MvSysTime(v) => usize::from(!v.is_empty()),
        PropValue::MvClsid(v) => usize::from(!v.is_empty()),
        PropValue::MvString8(v) => usize::from(!v.is_empty()) + v.len(),
        PropValue::MvUnicode(v) => usize::from(!v.is_empty()) + v.len(),
        PropValue::MvBinary(v) => usize::from(!v.is_empty()) + v.iter().filter(|b| !b.is_empty()).count(),
        _ => 0,
    }
}

/// The address of a block, as the C structures hold it.
fn address(routines: &MemRoutines, block: BufferId) -> usize {
    routines.address(block).expect("a block of the host's memory")
}

/// The bytes of the live block at `address`, read through the routines.
fn bytes_at(routines: &MemRoutines, address: usize) -> Vec<u8> {
    let block = routines.block_at(address).expect("a live block at that address");
    routines.read(block).expect("a readable block")
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes(bytes[at..at + 2].try_into().expect("2 bytes"))
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_ne_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

fn ptr_at(bytes: &[u8], at: usize) -> usize {
    usize::from_ne_bytes(bytes[at..at + PTR].try_into().expect("a pointer"))
}

#[test]
fn every_value_comes_back_as_it_was_written_and_one_free_releases_every_block() {
    let heap = HostHeap::new();
    let routines = routines_on(&heap);
    let props = every_value();
    let root = write_props(&routines, &props).expect("written");

    let expected_blocks = 1 + props.iter().map(|p| linked_blocks(&p.value)).sum::<usize>();
    assert_eq!(heap.live(), expected_blocks);
    assert_eq!(routines.live_blocks(), expected_blocks);
    assert_eq!(
        bytes_at(&routines, address(&routines, root)).len(),
        props.len() * size_of::<SPropValue>()
    );
    // Every block is charged to the line that asked for the array.
    for block in routines.blocks() {
        match block.site {
            AllocationSite::Code(at) => {
                assert!(at.file().ends_with("props.rs") && at.file().contains("tests"))
            }
            other => panic!("unexpected site {other}"),
        }
        if block.id != root {
            assert_eq!(block.root, Some(root));
        }
    }

    let array = address(&routines, root) as *const SPropValue;
    // SAFETY: `array` is the live root block of `props.len()` values that `write_props` laid
    // out, with every pointer into blocks linked to it; nothing writes to them meanwhile.
    let read = unsafe { read_props(array, props.len() as u32) };
    assert_eq!(read, props);

    routines.free_buffer(Some(root)).expect("freed");
    assert_eq!(heap.frees(), 1);
    assert_eq!(heap.live(), 0);
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn an_empty_array_is_a_root_of_no_bytes() {
    let heap = HostHeap::new();
    let routines = routines_on(&heap);
    let root = write_props(&routines, &[]).expect("written");
    assert_eq!(heap.live(), 1);
    assert!(bytes_at(&routines, address(&routines, root)).is_empty());
    // SAFETY: a count of 0 reads nothing.
    assert!(unsafe { read_props(address(&routines, root) as *const SPropValue, 0) }.is_empty());
    // SAFETY: a NULL array reads as no properties.
    assert!(unsafe { read_props(ptr::null(), 3) }.is_empty());
    routines.free_buffer(Some(root)).expect("freed");
    assert_eq!(heap.live(), 0);
}

#[test]
fn a_failed_allocation_frees_every_block_already_linked() {
    let props = every_value();
    let total = {
        let heap = HostHeap::new();
        let routines = routines_on(&heap);
        let root = write_props(&routines, &props).expect("written");
        routines.free_buffer(Some(root)).expect("freed");
        heap.allocations()
    };
    // One allocation per block: the root and every linked block.
    assert_eq!(
        total,
        1 + props.iter().map(|p| linked_blocks(&p.value)).sum::<usize>()
    );
    for failing in 1..=total {
        let heap = HostHeap::failing_at(failing);
        let routines = routines_on(&heap);
        assert_eq!(
            write_props(&routines, &props),
            Err(MapiError::NotEnoughMemory),
            "allocation {failing}"
        );
        assert_eq!(heap.live(), 0, "allocation {failing}");
        assert_eq!(routines.live_blocks(), 0, "allocation {failing}");
        assert_eq!(heap.frees(), usize::from(failing > 1), "allocation {failing}");
    }
}

#[test]
fn the_simulated_heap_has_no_addresses_to_write() {
    let routines = MemRoutines::new();
    assert_eq!(write_props(&routines, &every_value()), Err(MapiError::NoSupport));
    assert_eq!(
        write_tags(&routines, &[PR_DISPLAY_NAME_W]),
        Err(MapiError::NoSupport)
    );
    assert_eq!(write_problems(&routines, &[]), Err(MapiError::NoSupport));
    assert_eq!(
        write_mapierror(&routines, &MapiErrorInfo::default(), true),
        Err(MapiError::NoSupport)
    );
    assert_eq!(routines.live_blocks(), 0);
    assert_eq!(routines.allocations(), 0);
}

#[test]
fn the_written_tag_names_the_type_of_the_value() {
    let heap = HostHeap::new();
    let routines = routines_on(&heap);
    // An 8-bit string tag with a PT_LONG value: the union holds `l`, and the tag says PT_LONG.
    let props = [Prop {
        tag: PR_DISPLAY_NAME_A,
        value: PropValue::Long(3),
    }];
    let root = write_props(&routines, &props).expect("written");
    let bytes = bytes_at(&routines, address(&routines, root));
    assert_eq!(u32_at(&bytes, 0), 0x3001_0003);
    assert_eq!(u32_at(&bytes, VALUE), 3);
    routines.free_buffer(Some(root)).expect("freed");
    assert_eq!(heap.live(), 0);
}

#[test]
fn each_kind_of_value_is_laid_out_as_the_headers_say() {
    let heap = HostHeap::new();
    let routines = routines_on(&heap);
    let clsid = guid("00020301-0000-0000-c000-000000000046");
    let props = vec![
        prop(0x6601, PropValue::Null),
        prop(0x6602, PropValue::Long(-2)),
        prop(0x6603, PropValue::Boolean(true)),
        prop(0x6604, PropValue::I8(0x0102_0304_0506_0708)),
        prop(
            0x6605,
            PropValue::String8(AnsiString::from_bytes(b"ab\xe9".to_vec())),
        ),
        prop(
            0x6606,
            PropValue::Unicode(WideString::from_units(vec![0x0041, 0xD800])),
        ),
        prop(0x6607, PropValue::Binary(vec![9, 8, 7])),
        prop(0x6608, PropValue::SysTime(FileTime(0x1122_3344_5566_7788))),
        prop(0x6609, PropValue::Clsid(clsid)),
        prop(0x660A, PropValue::Error(MapiError::NotFound)),
        prop(0x660B, PropValue::MvLong(vec![1, -1])),
        prop(0x660C, PropValue::MvString8(vec!["x".into(), "yz".into()])),
        prop(0x660D, PropValue::MvBinary(vec![vec![5], Vec::new()])),
        prop(0x660E, PropValue::Binary(Vec::new())),
        prop(0x660F, PropValue::MvI8(vec![-3])),
        prop(
            0x6610,
            PropValue::MvSysTime(vec![FileTime(0xAAAA_BBBB_CCCC_DDDD)]),
        ),
        prop(0x6611, PropValue::MvClsid(vec![clsid])),
        prop(0x6612, PropValue::MvUnicode(vec!["é".into()])),
    ];
    let root = write_props(&routines, &props).expect("written");
    let array = bytes_at(&routines, address(&routines, root));
    let size = size_of::<SPropValue>();
    assert_eq!(size, if PTR == 8 { 24 } else { 16 });
    assert_eq!(array.len(), props.len() * size);
    let slot = |i: usize| &array[i * size..(i + 1) * size];
    let at = |p: usize| bytes_at(&routines, p);

    // Every value: the tag at 0, `dwAlignPad` 0 at 4.
    for (i, p) in props.iter().enumerate() {
        assert_eq!(u32_at(slot(i), 0), p.tag.value(), "tag of {i}");
        assert_eq!(u32_at(slot(i), 4), 0, "dwAlignPad of {i}");
    }
    // PT_NULL: `x` is 0, and nothing else is written.
    assert!(slot(0)[VALUE..].iter().all(|b| *b == 0));
    // PT_LONG: `l` at 8.
    assert_eq!(u32_at(slot(1), VALUE), (-2i32) as u32);
    // PT_BOOLEAN: `b`, an unsigned short, 1 for true.
    assert_eq!(u16_at(slot(2), VALUE), 1);
    assert_eq!(u16_at(slot(2), VALUE + 2), 0);
    // PT_I8: `li` at 8, 64 bits.
    assert_eq!(u64_at(slot(3), VALUE), 0x0102_0304_0506_0708);
    // PT_STRING8: `lpszA` at 8, to the bytes and a NUL.
    assert_eq!(at(ptr_at(slot(4), VALUE)), b"ab\xe9\0");
    // PT_UNICODE: `lpszW` at 8, to the code units and a NUL unit.
    let wide: Vec<u8> = [0x0041u16, 0xD800, 0]
        .iter()
        .flat_map(|u| u.to_ne_bytes())
        .collect();
    assert_eq!(at(ptr_at(slot(5), VALUE)), wide);
    // PT_BINARY: `bin.cb` at 8, `bin.lpb` at 16 (12 on 32-bit targets).
    assert_eq!(u32_at(slot(6), VALUE), 3);
    assert_eq!(at(ptr_at(slot(6), COUNTED_POINTER)), [9, 8, 7]);
    // PT_SYSTIME: `ft.dwLowDateTime` at 8, `ft.dwHighDateTime` at 12.
    assert_eq!(u32_at(slot(7), VALUE), 0x5566_7788);
    assert_eq!(u32_at(slot(7), VALUE + 4), 0x1122_3344);
    // PT_CLSID: `lpguid` at 8, to a GUID: Data1, Data2, Data3 in the target's order, then Data4.
    let guid_bytes: Vec<u8> = [
        &0x0002_0301u32.to_ne_bytes()[..],
        &0u16.to_ne_bytes(),
        &0u16.to_ne_bytes(),
        &[0xC0, 0, 0, 0, 0, 0, 0, 0x46],
    ]
    .concat();
    assert_eq!(at(ptr_at(slot(8), VALUE)), guid_bytes);
    if cfg!(target_endian = "little") {
        // As a MAPIUID holds it: Intel byte order.
        assert_eq!(guid_bytes[..4], [0x01, 0x03, 0x02, 0x00]);
    }
    // PT_ERROR: `err` at 8.
    assert_eq!(u32_at(slot(9), VALUE), 0x8004_010F);
    // PT_MV_LONG: `MVl.cValues` at 8, `MVl.lpl` at 16, to the values one after the other.
    assert_eq!(u32_at(slot(10), VALUE), 2);
    let longs = at(ptr_at(slot(10), COUNTED_POINTER));
    assert_eq!(
        (u32_at(&longs, 0), u32_at(&longs, 4), longs.len()),
        (1, u32::MAX, 8)
    );
    // PT_MV_STRING8: `MVszA.lppszA` to an array of pointers, each to a string and its NUL.
    assert_eq!(u32_at(slot(11), VALUE), 2);
    let strings = at(ptr_at(slot(11), COUNTED_POINTER));
    assert_eq!(strings.len(), 2 * PTR);
    assert_eq!(at(ptr_at(&strings, 0)), b"x\0");
    assert_eq!(at(ptr_at(&strings, PTR)), b"yz\0");
    // PT_MV_BINARY: `MVbin.lpbin` to an array of SBinary; an empty one is 0 and NULL.
    assert_eq!(u32_at(slot(12), VALUE), 2);
    let binaries = at(ptr_at(slot(12), COUNTED_POINTER));
    assert_eq!(binaries.len(), 2 * size_of::<SBinary>());
    assert_eq!(u32_at(&binaries, 0), 1);
    assert_eq!(at(ptr_at(&binaries, PTR)), [5]);
    assert_eq!((u32_at(&binaries, 2 * PTR), ptr_at(&binaries, 3 * PTR)), (0, 0));
    // An empty PT_BINARY: a count of 0 and a NULL pointer.
    assert_eq!(
        (u32_at(slot(13), VALUE), ptr_at(slot(13), COUNTED_POINTER)),
        (0, 0)
    );
    // PT_MV_I8, PT_MV_SYSTIME, PT_MV_CLSID: the values one after the other.
    assert_eq!(u32_at(slot(14), VALUE), 1);
    assert_eq!(at(ptr_at(slot(14), COUNTED_POINTER)), (-3i64).to_ne_bytes());
    let times = at(ptr_at(slot(15), COUNTED_POINTER));
    assert_eq!((u32_at(&times, 0), u32_at(&times, 4)), (0xCCCC_DDDD, 0xAAAA_BBBB));
    assert_eq!(at(ptr_at(slot(16), COUNTED_POINTER)), guid_bytes);
    // PT_MV_UNICODE: pointers to UTF-16 strings.
    let wides = at(ptr_at(slot(17), COUNTED_POINTER));
    let e_acute: Vec<u8> = [0x00E9u16, 0].iter().flat_map(|u| u.to_ne_bytes()).collect();
    assert_eq!(at(ptr_at(&wides, 0)), e_acute);

    routines.free_buffer(Some(root)).expect("freed");
    assert_eq!(heap.live(), 0);
}

#[test]
fn a_c_array_as_a_provider_receives_it_reads_into_owned_values() {
    let name = c_string(c"Store");
    let with_nul = b"ab\0cd\0";
    let wide: Vec<u16> = "Zoo\u{1F600}".encode_utf16().chain([0]).collect();
    let mut bytes = [1u8, 2, 3];
    let mut longs = [7i32, -7];
    let mut ansi_items = [c_string(c"p"), c_string(c"")];
    let mut null_item = [c_string(c"p"), ptr::null_mut()];
    let mut binaries = [
        SBinary {
            cb: 3,
            lpb: bytes.as_mut_ptr(),
        },
        SBinary {
            cb: 0,
            lpb: ptr::null_mut(),
        },
    ];
    let value = |tag: u32, value: PV| SPropValue {
        ulPropTag: tag,
        dwAlignPad: 0,
        Value: value,
    };
    let array = [
        value(0x3001_001E, PV { lpszA: name }),
        value(
            0x3001_001F,
            PV {
                lpszW: wide.as_ptr().cast_mut(),
            },
        ),
        // A boolean that is not 1 is true.
        value(0x3400_000B, PV { b: 2 }),
        // A string stops at its first NUL.
        value(
            0x6601_001E,
            PV {
                lpszA: with_nul.as_ptr().cast_mut(),
            },
        ),
        // NULL where a string is due: MAPI_E_BAD_VALUE, under the PT_ERROR form of the tag.
        value(
            0x6602_001E,
            PV {
                lpszA: ptr::null_mut(),
            },
        ),
        // A type with no value form here: MAPI_E_TYPE_NO_SUPPORT.
        value(0x6603_0005, PV { dbl: 1.5 }),
        // An empty binary may have a NULL pointer.
        value(
            0x6604_0102,
            PV {
                bin: SBinary {
                    cb: 0,
                    lpb: ptr::null_mut(),
                },
            },
        ),
        // A count with a NULL pointer is a bad value.
        value(
            0x6605_1003,
            PV {
                MVl: SLongArray {
                    cValues: 2,
                    lpl: ptr::null_mut(),
                },
            },
        ),
        value(
            0x6606_1003,
            PV {
                MVl: SLongArray {
                    cValues: 2,
                    lpl: longs.as_mut_ptr(),
                },
            },
        ),
        value(
            0x6607_101E,
            PV {
                MVszA: SLPSTRArray {
                    cValues: 2,
                    lppszA: ansi_items.as_mut_ptr(),
                },
            },
        ),
        // One NULL string spoils the whole multi-valued property.
        value(
            0x6608_101E,
            PV {
                MVszA: SLPSTRArray {
                    cValues: 2,
                    lppszA: null_item.as_mut_ptr(),
                },
            },
        ),
        value(
            0x6609_1102,
            PV {
                MVbin: SBinaryArray {
                    cValues: 2,
                    lpbin: binaries.as_mut_ptr(),
                },
            },
        ),
        value(
            0x660A_0040,
            PV {
                ft: FILETIME {
                    dwLowDateTime: 2,
                    dwHighDateTime: 1,
                },
            },
        ),
        value(
            0x660B_000A,
            PV {
                err: 0x8004_0102_u32 as i32,
            },
        ),
        value(0x660C_0001, PV { x: 0 }),
    ];
    // SAFETY: every value's member matches its tag, and every pointer is NULL or points to live
    // data of the right length (NUL-terminated strings, counted arrays) that nothing writes.
    let read = unsafe { read_props(array.as_ptr(), array.len() as u32) };
    let expected = vec![
        Prop {
            tag: PR_DISPLAY_NAME_A,
            value: PropValue::String8("Store".into()),
        },
        Prop {
            tag: PR_DISPLAY_NAME_W,
            value: PropValue::Unicode("Zoo\u{1F600}".into()),
        },
        Prop {
            tag: PropTag(0x3400_000B),
            value: PropValue::Boolean(true),
        },
        Prop {
            tag: PropTag(0x6601_001E),
            value: PropValue::String8("ab".into()),
        },
        Prop {
            tag: PropTag(0x6602_000A),
            value: PropValue::Error(MapiError::BadValue),
        },
        Prop {
            tag: PropTag(0x6603_000A),
            value: PropValue::Error(MapiError::TypeNoSupport),
        },
        Prop {
            tag: PropTag(0x6604_0102),
            value: PropValue::Binary(Vec::new()),
        },
        Prop {
            tag: PropTag(0x6605_000A),
            value: PropValue::Error(MapiError::BadValue),
        },
        Prop {
            tag: PropTag(0x6606_1003),
            value: PropValue::MvLong(vec![7, -7]),
        },
        Prop {
            tag: PropTag(0x6607_101E),
            value: PropValue::MvString8(vec!["p".into(), "".into()]),
        },
        Prop {
            tag: PropTag(0x6608_000A),
            value: PropValue::Error(MapiError::BadValue),
        },
        Prop {
            tag: PropTag(0x6609_1102),
            value: PropValue::MvBinary(vec![vec![1, 2, 3], Vec::new()]),
        },
        Prop {
            tag: PropTag(0x660A_0040),
            value: PropValue::SysTime(FileTime(0x0000_0001_0000_0002)),
        },
        Prop {
            tag: PropTag(0x660B_000A),
            value: PropValue::Error(MapiError::NoSupport),
        },
        Prop {
            tag: PropTag(0x660C_0001),
            value: PropValue::Null,
        },
    ];
    assert_eq!(read, expected);
}

#[test]
fn tag_arrays_both_ways() {
    let heap = HostHeap::new();
    let routines = routines_on(&heap);
    let tags = [PR_DISPLAY_NAME_W, PropTag(0x3009_0003), PropTag(0x6600_0102)];
    let root = write_tags(&routines, &tags).expect("written");
    assert_eq!(heap.live(), 1);
    // `CbNewSPropTagArray(3)`: the count, then each tag.
    let bytes = bytes_at(&routines, address(&routines, root));
    assert_eq!(bytes.len(), 4 + 3 * 4);
    assert_eq!(u32_at(&bytes, 0), 3);
    assert_eq!(u32_at(&bytes, 4), 0x3001_001F);
    assert_eq!(u32_at(&bytes, 8), 0x3009_0003);
    assert_eq!(u32_at(&bytes, 12), 0x6600_0102);
    // SAFETY: a live SPropTagArray that `write_tags` laid out.
    let read = unsafe { read_tags(address(&routines, root) as *const SPropTagArray) };
    assert_eq!(read.as_deref(), Some(&tags[..]));
    routines.free_buffer(Some(root)).expect("freed");

    let empty = write_tags(&routines, &[]).expect("written");
    assert_eq!(bytes_at(&routines, address(&routines, empty)), [0, 0, 0, 0]);
    // SAFETY: as above; a count of 0 reads no tag.
    let read = unsafe { read_tags(address(&routines, empty) as *const SPropTagArray) };
    assert_eq!(read, Some(Vec::new()));
    routines.free_buffer(Some(empty)).expect("freed");
    // SAFETY: NULL is allowed: GetProps' "every property".
    assert_eq!(unsafe { read_tags(ptr::null()) }, None);
    assert_eq!(heap.live(), 0);
}

#[test]
fn problem_arrays_both_ways() {
    let heap = HostHeap::new();
    let routines = routines_on(&heap);
    let problems = vec![
        PropProblem {
            index: 0,
            tag: PR_DISPLAY_NAME_W,
            error: MapiError::NoAccess,
        },
        PropProblem {
            index: 4,
            tag: PropTag(0x3009_0003),
            error: MapiError::Computed,
        },
    ];
    let root = write_problems(&routines, &problems).expect("written");
    // `CbNewSPropProblemArray(2)`: the count, then ulIndex, ulPropTag, scode for each.
    let bytes = bytes_at(&routines, address(&routines, root));
    assert_eq!(bytes.len(), 4 + 2 * 12);
    assert_eq!(u32_at(&bytes, 0), 2);
    assert_eq!(
        [u32_at(&bytes, 4), u32_at(&bytes, 8), u32_at(&bytes, 12)],
        [0, 0x3001_001F, 0x8007_0005]
    );
    assert_eq!(
        [u32_at(&bytes, 16), u32_at(&bytes, 20), u32_at(&bytes, 24)],
        [4, 0x3009_0003, 0x8004_011A]
    );
    // SAFETY: a live SPropProblemArray that `write_problems` laid out.
    let read = unsafe { read_problems(address(&routines, root) as *const SPropProblemArray) };
    assert_eq!(read, problems);
    routines.free_buffer(Some(root)).expect("freed");
    // SAFETY: NULL is how a method says it had no problem.
    assert!(unsafe { read_problems(ptr::null()) }.is_empty());

    if PTR == 8 {
        let too_far = [PropProblem {
            index: u32::MAX as usize + 1,
            tag: PR_DISPLAY_NAME_W,
            error: MapiError::NoAccess,
        }];
        assert_eq!(
            write_problems(&routines, &too_far),
            Err(MapiError::InvalidParameter)
        );
    }
    assert_eq!(heap.live(), 0);
}

#[test]
fn mapierror_both_ways_in_either_encoding() {
    let heap = HostHeap::new();
    let routines = routines_on(&heap);
    let wide_error = MapiErrorInfo {
        version: 0,
        error: Some(TString::Wide(vec![0x0041, 0xD800])),
        component: Some(TString::wide_from_str("SMPMS")),
        low_level_error: 0x1234,
        context: 0x5678,
    };
    let root = write_mapierror(&routines, &wide_error, true).expect("written");
    assert_eq!(heap.live(), 3);
    let bytes = bytes_at(&routines, address(&routines, root));
    assert_eq!(bytes.len(), size_of::<MAPIERROR>());
    assert_eq!(u32_at(&bytes, 0), 0);
    let error_text: Vec<u8> = [0x0041u16, 0xD800, 0]
        .iter()
        .flat_map(|u| u.to_ne_bytes())
        .collect();
    assert_eq!(bytes_at(&routines, ptr_at(&bytes, PTR)), error_text);
    assert_eq!(bytes_at(&routines, ptr_at(&bytes, 2 * PTR)).len(), 6 * 2);
    assert_eq!(
        (u32_at(&bytes, 3 * PTR), u32_at(&bytes, 3 * PTR + 4)),
        (0x1234, 0x5678)
    );
    // SAFETY: a live MAPIERROR that `write_mapierror` laid out with UTF-16 strings.
    let read = unsafe { read_mapierror(address(&routines, root) as *const MAPIERROR, true) };
    assert_eq!(read.as_ref(), Some(&wide_error));
    routines.free_buffer(Some(root)).expect("freed");
    assert_eq!(heap.live(), 0);

    // Without MAPI_UNICODE: 8-bit strings, exact when they are 8-bit already, converted through
    // their text otherwise; a missing string is NULL.
    let mixed = MapiErrorInfo {
        version: 0,
        error: Some(TString::Ansi(b"disk \xff".to_vec())),
        component: Some(TString::wide_from_str("Zoo")),
        low_level_error: 1,
        context: 2,
    };
    let root = write_mapierror(&routines, &mixed, false).expect("written");
    let bytes = bytes_at(&routines, address(&routines, root));
    assert_eq!(bytes_at(&routines, ptr_at(&bytes, PTR)), b"disk \xff\0");
    assert_eq!(bytes_at(&routines, ptr_at(&bytes, 2 * PTR)), b"Zoo\0");
    // SAFETY: as above, with 8-bit strings.
    let read = unsafe { read_mapierror(address(&routines, root) as *const MAPIERROR, false) };
    let expected = MapiErrorInfo {
        component: Some(TString::ansi_from_str("Zoo")),
        ..mixed
    };
    assert_eq!(read, Some(expected));
    routines.free_buffer(Some(root)).expect("freed");

    let bare = MapiErrorInfo {
        error: None,
        component: Some(TString::ansi_from_str("MAPI")),
        ..MapiErrorInfo::default()
    };
    let root = write_mapierror(&routines, &bare, true).expect("written");
    let bytes = bytes_at(&routines, address(&routines, root));
    assert_eq!(ptr_at(&bytes, PTR), 0);
    // SAFETY: as above, with UTF-16 strings.
    let read = unsafe { read_mapierror(address(&routines, root) as *const MAPIERROR, true) };
    assert_eq!(
        read,
        Some(MapiErrorInfo {
            component: Some(TString::wide_from_str("MAPI")),
            ..MapiErrorInfo::default()
        })
    );
    routines.free_buffer(Some(root)).expect("freed");
    // SAFETY: NULL is no MAPIERROR.
    assert_eq!(unsafe { read_mapierror(ptr::null(), true) }, None);
    assert_eq!(heap.live(), 0);
}
