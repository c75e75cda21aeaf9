//! Locking that survives panics: a panic in provider code must not poison the simulator.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, taking the data even if a thread panicked while holding it. The simulator
/// never leaves its own state half-updated across a call into provider code, so the data is
/// consistent whenever the lock is free.
pub(crate) fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
