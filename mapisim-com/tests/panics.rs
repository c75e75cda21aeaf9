//! The panics the exported objects catch, kept for a host that knows this crate.

use core::ptr;

use mapisim::{MapiError, MapiResult};
use mapisim_com::export::{guard, mapisim_com_take_panic, take_panic};

fn panicking() -> MapiResult<()> {
    panic!("a provider method panics");
}

#[test]
fn a_caught_panic_is_kept_for_the_thread_that_made_the_call() {
    assert_eq!(take_panic(), None);
    let hr = guard(panicking);
    assert_eq!(hr.0, MapiError::CallFailed.hresult());
    // Another thread has nothing to take.
    let elsewhere = std::thread::spawn(take_panic).join().expect("no panic");
    assert_eq!(elsewhere, None);
    assert_eq!(take_panic().as_deref(), Some("a provider method panics"));
    assert_eq!(take_panic(), None);
}

#[test]
fn the_c_function_copies_what_fits_and_says_how_long_the_message_was() {
    assert_eq!(guard(panicking).0, MapiError::CallFailed.hresult());
    let mut buffer = [0u8; 10];
    // SAFETY: the buffer is valid for its length.
    let len = unsafe { mapisim_com_take_panic(buffer.as_mut_ptr(), buffer.len()) };
    assert_eq!(len, "a provider method panics".len() + 1);
    assert_eq!(&buffer, b"a provider");
    // Taken: nothing is left, and a NULL buffer is fine.
    // SAFETY: NULL with a size of 0.
    assert_eq!(unsafe { mapisim_com_take_panic(ptr::null_mut(), 0) }, 0);
}
