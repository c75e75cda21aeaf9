//! Locking that survives panics: a panic in provider code must not poison the simulator.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, taking the data even if a thread panicked while holding it. The simulator
/// never leaves its own state half-updated across a call into provider code, so the data is
/// consistent whenever the lock is free.
pub(crate) fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes bytes as hexadecimal digits, two per byte, without a formatting call per byte.
pub(crate) fn write_hex(out: &mut dyn std::fmt::Write, bytes: &[u8], upper: bool) -> std::fmt::Result {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    for chunk in bytes.chunks(32) {
        let mut buf = [0u8; 64];
        for (i, b) in chunk.iter().enumerate() {
            buf[2 * i] = digits[usize::from(b >> 4)];
            buf[2 * i + 1] = digits[usize::from(b & 0xF)];
        }
        // Only ASCII digits were written.
        out.write_str(std::str::from_utf8(&buf[..2 * chunk.len()]).unwrap_or(""))?;
    }
    Ok(())
}
