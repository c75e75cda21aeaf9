//! The host side's own pieces: registering a library file, and the process heap that MAPI's
//! memory lives on while a compiled library is hosted. The round trip itself (a library hosted
//! through the whole lifecycle) is tested by the `smpms32` crate, which builds the libraries.

use core::ptr;

use mapisim::MapiError;
use mapisim::props::{PR_DISPLAY_NAME_W, PR_RESOURCE_FLAGS, Prop, PropValue};
use mapisim::runtime::Simulator;
use mapisim::spi::{MapiErrorInfo, MemBackend, MemRoutines};
use mapisim::strings::TString;
use mapisim_com::host::{HostError, HostHeap, NativeLibraries};
use mapisim_com::props::{read_mapierror, read_props};
use mapisim_com::types::{MAPIERROR, SPropValue};

#[test]
fn a_missing_file_is_refused_with_its_path() {
    let missing = std::env::temp_dir().join("mapisim-no-such-library.so");
    match Simulator::builder().native_library("NOSUCH32.DLL", &missing) {
        Err(HostError::Load { path, reason }) => {
            assert_eq!(path, missing);
            assert!(!reason.is_empty());
        }
        other => panic!("expected a load error, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_file_that_is_not_a_library_is_refused() {
    let dir = std::env::temp_dir().join(format!("mapisim-host-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let text = dir.join("not-a-library.so");
    std::fs::write(&text, b"[Services]\n").expect("a temporary file");
    let result = Simulator::builder().native_library("TEXT32.DLL", &text);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(result, Err(HostError::Load { .. })));
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn a_library_without_entry_points_is_refused() {
    // The C library loads anywhere glibc runs, and exports neither entry point.
    match Simulator::builder().native_library("LIBC32.DLL", "libc.so.6") {
        Err(error @ HostError::NoEntryPoint { .. }) => {
            assert!(error.to_string().contains("MSProviderInit"), "{error}");
            assert!(error.to_string().contains("ServiceEntry"), "{error}");
        }
        other => panic!("expected no entry point, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn the_heap_gives_real_zeroed_blocks_and_frees_a_root_with_its_linked_blocks() {
    let heap = HostHeap::new();
    let root = heap.allocate_buffer(8).expect("a root");
    let part = heap.allocate_more(4, root).expect("a linked block");
    assert_eq!(heap.read(root, 8), Ok(vec![0; 8]));
    heap.write(part, 1, b"abc").expect("in range");
    assert_eq!(heap.read(part, 4), Ok(b"\0abc".to_vec()));
    // The bytes are at the address: what a library reads through its pointer.
    // SAFETY: `part` is a live block of 4 bytes of this heap.
    let direct = unsafe { core::slice::from_raw_parts(ptr::with_exposed_provenance::<u8>(part), 4) };
    assert_eq!(direct, b"\0abc");
    assert_eq!(heap.live_blocks(), 2);
    // Out of range, a linked block freed alone, a foreign address, a block linked to a linked
    // block: refused, nothing changes.
    assert_eq!(heap.write(part, 2, b"abc"), Err(MapiError::InvalidParameter));
    assert_eq!(heap.read(root, 9), Err(MapiError::InvalidParameter));
    assert_eq!(heap.free_buffer(part), Err(MapiError::InvalidParameter));
    assert_eq!(heap.free_buffer(root + 1), Err(MapiError::InvalidParameter));
    assert_eq!(heap.allocate_more(4, part), Err(MapiError::InvalidParameter));
    assert_eq!(heap.live_blocks(), 2);
    heap.free_buffer(root).expect("the root");
    assert_eq!(heap.live_blocks(), 0);
    assert_eq!(heap.free_buffer(root), Err(MapiError::InvalidParameter));
}

#[test]
fn the_heap_lays_property_arrays_and_errors_out_in_c() {
    let heap = HostHeap::new();
    let props = vec![
        Prop {
            tag: PR_RESOURCE_FLAGS,
            value: PropValue::Long(2),
        },
        Prop {
            tag: PR_DISPLAY_NAME_W,
            value: PropValue::Unicode("Sample Store".into()),
        },
    ];
    let address = heap
        .allocate_value(&props)
        .expect("laid out")
        .expect("an address");
    // SAFETY: the heap laid out two property values at `address`, live until freed below.
    let read = unsafe { read_props(ptr::with_exposed_provenance::<SPropValue>(address), 2) };
    assert_eq!(read, props);
    assert!(heap.live_blocks() > 1, "the string is in a linked block");
    heap.free_buffer(address).expect("the root frees everything");
    assert_eq!(heap.live_blocks(), 0);

    let error = MapiErrorInfo {
        version: 0,
        error: Some(TString::wide_from_str("no such store")),
        component: Some(TString::wide_from_str("SMPMS32.DLL")),
        low_level_error: 7,
        context: 3,
    };
    let address = heap
        .allocate_value(&error)
        .expect("laid out")
        .expect("an address");
    // SAFETY: a MAPIERROR with UTF-16 strings at `address`, live until freed below.
    let read = unsafe { read_mapierror(ptr::with_exposed_provenance::<MAPIERROR>(address), true) };
    assert_eq!(read, Some(error));
    heap.free_buffer(address).expect("freed");
    // A value of no C type stays on the Rust side.
    assert_eq!(heap.allocate_value(&42u64), Ok(None));
    assert_eq!(heap.live_blocks(), 0);
}

#[test]
fn routines_on_the_heap_keep_their_account_and_the_blocks_left_are_freed_with_it() {
    let heap = HostHeap::new();
    let routines = MemRoutines::with_backend(std::sync::Arc::new(heap.clone()));
    let block = routines.allocate_bytes(b"spool security").expect("a block");
    let address = routines.address(block).expect("a real address");
    assert_eq!(routines.block_at(address), Some(block));
    assert_eq!(heap.read(address, 5), Ok(b"spool".to_vec()));
    // Left live: dropping the last handle of the heap frees it (valgrind checks nothing leaks).
    drop(routines);
    assert_eq!(heap.live_blocks(), 1);
}
