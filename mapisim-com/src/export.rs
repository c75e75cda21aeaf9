//! A provider written against `mapisim::spi`, exposed to real MAPI as COM objects.
//!
//! This module starts the export side with the store provider's first object and its entry
//! point:
//!
//! - [`guard`] runs the body of every method MAPI calls and turns its outcome into the
//!   `HRESULT` MAPI reads; a panic never unwinds into the host.
//! - [`export_provider`] gives the one COM object (`IMSProvider`, and `IMAPIProviderShutdown`
//!   when the Rust object exposes it) of a `Ref<dyn MsProvider>`: the same pointer for as long
//!   as the COM object lives (see [Identity](#identity)).
//! - [`ms_provider_init`] is the body of an exported `MSProviderInit`, and
//!   [`export_ms_provider!`](crate::export_ms_provider) writes the export itself.
//!
//! - `IMSProvider::Logon` and `SpoolerLogon`, on a provider exported with MAPI's memory
//!   ([`export_provider_with_memory`], what [`ms_provider_init`] does), import the support object
//!   ([`ComSupport`]) and export the logon and store the provider
//!   returns ([`export_logon`], [`export_store`], one COM object per Rust object, as for the
//!   provider). A provider exported with [`export_provider`] alone answers `MAPI_E_NO_SUPPORT`
//!   there. What is handed to MAPI in its memory, and how, is told at [`HostMemory`].
//!
//! # Identity
//!
//! COM wants one object per identity: exporting the same Rust object twice while its COM object
//! lives must give the same pointer, and exporting it after that object died must give a new,
//! working one. The registry behind [`export_provider`] maps each Rust object's
//! [`ObjectKey`] to a **weak reference** to its COM object, `windows_core`'s own
//! ([`windows_core::Weak`], built on the `IWeakReferenceSource` tear-off every
//! `#[implement]`ed object answers for, on every platform).
//!
//! The alternatives do not fit `#[implement]`: a table of plain pointers would need an
//! `AddRef` that fails at zero, which the generated `IUnknown` does not have (its `AddRef` on an
//! object whose final `Release` is running resurrects it, and the object is freed under the
//! caller); a table of strong references would keep every object alive, since the generated
//! `Release` offers no hook when the count falls back to the table's own reference; and counting
//! the host's references on the Rust object ([`Ref::add_ref_raw`]) would mean writing
//! `IUnknown` and every vtable by hand. The weak reference is `windows_core`'s own answer to
//! exactly this race.
//!
//! Why it is sound, when the host may `Release` on any thread while another thread exports:
//!
//! - A pointer found in the table is never `AddRef`'d blindly. `Weak::upgrade` increments the
//!   object's count only if it is not zero, in one compare-and-swap, inside `windows_core`: an
//!   object whose count reached zero (its final `Release` is running or done) is never
//!   resurrected, and the weak reference keeps the tear-off that holds the count alive after the
//!   object is freed, so the upgrade reads live memory.
//! - A lookup and the insertion of a new object happen under the registry's lock, and a new
//!   object is made only when the upgrade failed. Since a count that reached zero never rises
//!   again, at most one COM object per key has a count above zero at any time: the same pointer
//!   while it lives, a new one after.
//! - The COM object holds its Rust object (one `Ref`, the key's owner), and its entry is
//!   removed in its destructor, under the lock, only if the entry is still its own (an export
//!   after its count reached zero may have replaced it). The entry is removed before the `Ref`
//!   is dropped, so the key (the Rust object's address) cannot be reused while an entry names it.
//! - Nothing that can run a final `Release` (and with it the destructor, which takes the lock)
//!   happens while the lock is held: the strong reference a lookup gives is handed out of the
//!   lock before anything is dropped.
//!
//! # Counts
//!
//! The host's references are counted by the COM object (`windows_core`'s count). The COM object
//! holds **one** reference of the Rust object for all of them, taken when it is made and dropped
//! by its destructor after the host's final `Release`: the Rust object's count
//! ([`Ref::ref_count`]) shows whether a COM object holds it. A `Release` too many is the host's
//! bug, as with any COM object.
//!
//! # Panics
//!
//! Every method body runs under [`guard`]. The destructor (the host's final `Release`) drops
//! the Rust reference under `catch_unwind` too: a panicking `Drop` of the provider is swallowed
//! (reported by the panic hook) rather than unwound into the host.
// The parameters of the COM methods and the entry point are MAPI's names.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use mapisim::flags::{ProviderInitFlags, SpiVersion, SpoolerLogonFlags, StoreLogonFlags};
use mapisim::ids::Iid;
use mapisim::object::ObjectKey;
use mapisim::spi::{
    InitArgs, MapiBuffer, MapiErrorInfo, MapiSupport, ModuleInstance, MsProvider, OutParam, ProviderInit,
    ProviderLibrary, ProviderShutdown, SpoolerLogonArgs, StoreLogon, StoreLogonArgs,
};
use mapisim::strings::TStr;
use mapisim::{MapiError, MapiResult, Ref, Warned};
use windows_core::{GUID, HRESULT, IUnknown, Interface, implement};

mod ab;
mod service;
pub(crate) mod store;
mod xp;

pub use ab::{export_ab_logon, export_ab_provider_with_memory};
#[doc(hidden)]
pub use service::__shared_library;
#[cfg(test)]
pub(crate) use service::read_table;
pub use service::{ComProviderAdmin, SharedLibrary, service_entry};
pub use store::{HostMemory, export_logon, export_store};
pub use xp::{export_xp_logon, export_xp_provider_with_memory};

use crate::entry::{LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER};
use crate::import::ComMalloc;
use crate::interfaces::{IMAPIProviderShutdown, IMAPIProviderShutdown_Impl, IMSProvider, IMSProvider_Impl};
use crate::support::ComSupport;
use crate::types::{ENTRYID, LPTSTR, MAPIERROR};

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

/// `S_OK`.
const S_OK: HRESULT = HRESULT(0);

/// The outcome of a method body, as the `HRESULT` MAPI reads ([`guard`]).
pub trait Outcome {
    /// The `HRESULT` this outcome is returned as.
    fn hresult(self) -> HRESULT;
}

/// Plain success: `S_OK`.
impl Outcome for () {
    fn hresult(self) -> HRESULT {
        S_OK
    }
}

/// Success, with the warning's code when there is one (`MAPI_W_ERRORS_RETURNED`, …). The value
/// is dropped: a body writes its out-parameters itself.
impl<T> Outcome for Warned<T> {
    fn hresult(self) -> HRESULT {
        HRESULT(Warned::hresult(&self))
    }
}

/// The value's `HRESULT`, or the error's.
impl<T: Outcome> Outcome for MapiResult<T> {
    fn hresult(self) -> HRESULT {
        match self {
            Ok(value) => value.hresult(),
            Err(error) => HRESULT(error.hresult()),
        }
    }
}

/// Runs a method body for the host and gives its `HRESULT`: `S_OK` for `Ok(())`, a warning's
/// code for `Ok` of a [`Warned`] with one, `e.hresult()` for `Err(e)`, and
/// `MAPI_E_CALL_FAILED` when the body panics. The panic is caught here (the panic hook still
/// reports it) and never unwinds into the caller, which for a COM method is foreign code.
///
/// ```
/// use mapisim::{MapiError, MapiWarning, Warned};
/// use mapisim_com::export::guard;
///
/// assert_eq!(guard(|| Ok::<(), MapiError>(())).0, 0);
/// assert_eq!(guard(|| Err::<(), _>(MapiError::NoSupport)).0 as u32, 0x8004_0102);
/// let warned = guard(|| Ok::<_, MapiError>(Warned::with_warning((), MapiWarning::ErrorsReturned)));
/// assert_eq!(warned.0, 0x0004_0380);
/// ```
pub fn guard<R: Outcome>(body: impl FnOnce() -> R) -> HRESULT {
    match catch_unwind(AssertUnwindSafe(|| body().hresult())) {
        Ok(hresult) => hresult,
        Err(payload) => {
            record_panic(payload.as_ref());
            drop_payload(payload);
            HRESULT(MapiError::CallFailed.hresult())
        }
    }
}

thread_local! {
    /// The panics [`guard`] caught, oldest first, until the host takes them.
    ///
    /// Kept per thread: the host calls a method and takes what panicked during the call on the
    /// same thread, so that two hosts calling the same library on two threads at once never take
    /// each other's. (A panic on a thread the library started itself is never taken.)
    static PANICS: RefCell<VecDeque<String>> = const { RefCell::new(VecDeque::new()) };
}

/// At most this many panics are kept for the host; older ones are dropped.
const KEPT_PANICS: usize = 64;

/// Keeps the message of a caught panic for the host ([`take_panic`]); used by the exports' own
/// guards.
#[doc(hidden)]
pub fn record_panic(payload: &(dyn std::any::Any + Send)) {
    let message = if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic whose payload is not text".to_owned()
    };
    // A thread being torn down has no queue left: the panic is then not kept.
    let _ = PANICS.try_with(|panics| {
        let mut panics = panics.borrow_mut();
        if panics.len() == KEPT_PANICS {
            panics.pop_front();
        }
        panics.push_back(message);
    });
}

/// The message of the oldest panic the exported objects caught on this thread ([`guard`], final
/// releases, the library factory of [`export_ms_provider!`](crate::export_ms_provider)) and
/// nobody took yet.
///
/// A panic never crosses the binary interface: the method that panicked answers
/// `MAPI_E_CALL_FAILED`, and MAPI cannot tell a panic from a failure. A host that knows this
/// crate can: the library exports [`mapisim_com_take_panic`], through which the simulator's
/// host ([`crate::host`]) takes each message after each call and reports it as the provider's
/// panic. The panics are kept per loaded copy of this crate (each provider library has its own)
/// and per thread.
pub fn take_panic() -> Option<String> {
    PANICS
        .try_with(|panics| panics.borrow_mut().pop_front())
        .ok()
        .flatten()
}

/// [`take_panic`] as a C function, exported by every library built with this crate: writes at
/// most `size` bytes of the oldest panic's message (UTF-8, no NUL) to `buffer` and returns the
/// message's length plus one, or returns 0 when there is none. A message longer than `size` is
/// cut (and taken all the same).
///
/// # Safety
///
/// `buffer` is NULL (with `size` 0) or valid for `size` bytes of writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mapisim_com_take_panic(buffer: *mut u8, size: usize) -> usize {
    let Ok(Some(message)) = catch_unwind(take_panic) else {
        return 0;
    };
    let len = message.len().min(size);
    if len > 0 && !buffer.is_null() {
        // SAFETY: `buffer` is valid for `size` bytes (the caller's contract) and `len <= size`;
        // the message is a separate allocation.
        unsafe { ptr::copy_nonoverlapping(message.as_ptr(), buffer, len) };
    }
    message.len().saturating_add(1)
}

/// Drops a panic's payload without letting a panic in its own `Drop` escape.
pub(crate) fn drop_payload(payload: Box<dyn std::any::Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        // A payload whose drop panicked too: keep it rather than risk a third unwind.
        std::mem::forget(again);
    }
}

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

/// A registry entry: the COM object of a key, weakly, and which export made it.
struct Entry {
    serial: u64,
    object: windows_core::Weak<IUnknown>,
}

/// Every exported object whose destructor has not run yet, by the key of its Rust object.
static REGISTRY: LazyLock<Mutex<HashMap<ObjectKey, Entry>>> = LazyLock::new(Mutex::default);

/// The serial of the next export.
static SERIAL: AtomicU64 = AtomicU64::new(1);

/// Takes the registry's lock, whether or not a thread panicked holding it (each change to the
/// map is one statement).
fn registry() -> MutexGuard<'static, HashMap<ObjectKey, Entry>> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A COM object's place in the registry, removed when the object is destroyed.
pub(crate) struct Slot {
    key: ObjectKey,
    serial: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let removed = {
            let mut map = registry();
            match map.get(&self.key) {
                Some(entry) if entry.serial == self.serial => map.remove(&self.key),
                _ => None,
            }
        };
        // The weak reference is released outside the lock (it calls nothing back, but nothing
        // needs the lock for it).
        drop(removed);
    }
}

/// Whether the registry has a COM object for the Rust object with this key: one exported and
/// not destroyed yet (its count may be reaching zero on another thread).
pub fn is_exported(key: ObjectKey) -> bool {
    registry().contains_key(&key)
}

/// How many COM objects the registry holds: those exported and not destroyed yet, of every kind
/// (providers, logons, stores, advise sinks).
pub fn exported_objects() -> usize {
    registry().len()
}

/// The live COM object of `key`, or a new one made by `make`: the heart of the identity rule
/// (see [the module](self#identity)). `make` runs under the registry's lock, so it must only
/// move what it was given into the new object: no call into the registry, no release, and no
/// panic (unwinding would drop the [`Slot`], whose destructor takes the lock held here).
pub(crate) fn find_or_make(key: ObjectKey, make: impl FnOnce(Slot) -> IUnknown) -> MapiResult<IUnknown> {
    let made = {
        let mut map = registry();
        if let Some(found) = map.get(&key).and_then(|entry| entry.object.upgrade()) {
            return Ok(found);
        }
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        let object = make(Slot { key, serial });
        match object.downgrade() {
            Ok(weak) => {
                // An entry replaced here was of an object whose count reached zero; its
                // destructor will find the entry is no longer its own.
                let stale = map.insert(key, Entry { serial, object: weak });
                Ok((object, stale))
            }
            // The new object is returned out of the lock to be dropped there.
            Err(error) => Err((object, error)),
        }
    };
    match made {
        Ok((object, stale)) => {
            drop(stale);
            Ok(object)
        }
        Err((object, error)) => {
            drop(object);
            Err(MapiError::from_hresult(error.code().0))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// IMSProvider
// ---------------------------------------------------------------------------------------------

/// What both provider COM objects hold: the Rust object and the registry slot.
struct ProviderCore {
    /// `None` only while the destructor runs.
    provider: Option<Ref<dyn MsProvider>>,
    /// MAPI's memory, from the entry point; `None` for a provider exported without it, whose
    /// `Logon` and `SpoolerLogon` answer `MAPI_E_NO_SUPPORT`.
    memory: Option<HostMemory>,
    slot: Option<Slot>,
}

/// The arguments `Logon` and `SpoolerLogon` share, as MAPI passed them.
struct LogonCall {
    support: *mut c_void,
    ui_param: usize,
    profile_name: LPTSTR,
    cb_entry_id: u32,
    entry_id: *mut ENTRYID,
    flags: u32,
    interface: *const GUID,
    mapi_error: *mut *mut MAPIERROR,
    logon: *mut *mut c_void,
    store: *mut *mut c_void,
}

impl Drop for ProviderCore {
    fn drop(&mut self) {
        // The entry first, so that the key is not reused while the registry names it.
        drop(self.slot.take());
        let provider = self.provider.take();
        // The provider's final release may run its `Drop`, inside the host's `Release`.
        let _ = guard(|| drop(provider));
    }
}

/// The entry IDs a caller passes as a size and a pointer.
///
/// # Safety
///
/// `ptr` is NULL or points to `cb` readable bytes that stay unchanged for `'a`.
pub(crate) unsafe fn entry_id<'a>(cb: u32, ptr: *const ENTRYID) -> MapiResult<&'a [u8]> {
    if cb == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(MapiError::InvalidParameter);
    }
    let len = usize::try_from(cb).map_err(|_| MapiError::InvalidParameter)?;
    // SAFETY: `ptr` is not NULL and points to `cb` readable bytes (the caller's contract).
    Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

impl ProviderCore {
    fn provider(&self) -> MapiResult<&Ref<dyn MsProvider>> {
        self.provider.as_ref().ok_or(MapiError::CallFailed)
    }

    fn fast_shutdown(&self) -> MapiResult<Ref<dyn ProviderShutdown>> {
        self.provider()?
            .query::<dyn ProviderShutdown>()
            .map_err(|_| MapiError::NoSupport)
    }

    /// `Shutdown(lpulFlags)`.
    ///
    /// # Safety
    ///
    /// `flags` is NULL or valid for a read.
    unsafe fn shutdown(&self, flags: *mut u32) -> HRESULT {
        guard(|| {
            // The flags are reserved; a NULL pointer is read as 0 (providers ignore them).
            let flags = if flags.is_null() {
                0
            } else {
                // SAFETY: not NULL, and valid for a read (the caller's contract).
                unsafe { flags.read() }
            };
            self.provider()?.shutdown(flags)
        })
    }

    /// `CompareStoreIDs(cbEntryID1, lpEntryID1, cbEntryID2, lpEntryID2, ulFlags, lpulResult)`.
    ///
    /// # Safety
    ///
    /// Each entry ID pointer is NULL or valid for its size; `result` is NULL or valid for a write.
    unsafe fn compare_store_ids(
        &self,
        cb1: u32,
        id1: *const ENTRYID,
        cb2: u32,
        id2: *const ENTRYID,
        flags: u32,
        result: *mut u32,
    ) -> HRESULT {
        guard(|| {
            if result.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            // SAFETY: each pointer is NULL or valid for its size during the call (the caller's
            // contract).
            let (a, b) = unsafe { (entry_id(cb1, id1)?, entry_id(cb2, id2)?) };
            let same = self.provider()?.compare_store_ids(a, b, flags)?;
            // SAFETY: not NULL, and valid for a write (the caller's contract).
            unsafe { result.write(u32::from(same)) };
            Ok(())
        })
    }
}

impl ProviderCore {
    /// The part of `Logon` and `SpoolerLogon` around the provider's call: the out-pointers set
    /// to NULL, the support object imported ([`ComSupport`], as a `Ref<dyn MapiSupport>` dropped
    /// when the call returns: a fresh logon keeps its own clone), the string, entry ID and
    /// interface read, `*lppMAPIError` laid out from what the provider set (whatever the call
    /// returned), the objects exported and written.
    ///
    /// # Safety
    ///
    /// The pointers of `call` are those of `IMSProvider::Logon`: each NULL or valid (the
    /// support object a live `IMAPISupport` of MAPI, the profile name a NUL-terminated string
    /// of the encoding `MAPI_UNICODE` names, the entry ID valid for its size, the interface for
    /// a read, the out-pointers for a write).
    unsafe fn logon_call(
        &self,
        call: &LogonCall,
        // `Logon`'s spool-security out-pointers (each NULL or valid); `None` for `SpoolerLogon`.
        spool_out: Option<(*mut u32, *mut *mut u8)>,
        run: impl FnOnce(
            &Ref<dyn MsProvider>,
            &Ref<dyn MapiSupport>,
            TStr<'_>,
            Option<&[u8]>,
            Option<Iid>,
            &OutParam<MapiBuffer<MapiErrorInfo>>,
        ) -> MapiResult<Warned<StoreLogon>>,
    ) -> HRESULT {
        // SAFETY: each out-pointer is NULL or valid for a write (the caller's contract).
        unsafe {
            store::put(call.logon, ptr::null_mut());
            store::put(call.store, ptr::null_mut());
            store::put(call.mapi_error, ptr::null_mut());
            if let Some((cb, pb)) = spool_out {
                store::put(cb, 0);
                store::put(pb, ptr::null_mut());
            }
        }
        guard(|| {
            if call.logon.is_null() || call.store.is_null() {
                return Err(MapiError::InvalidParameter);
            }
            let provider = self.provider()?;
            let memory = self.memory.as_ref().ok_or(MapiError::NoSupport)?;
            let unicode = call.flags & store::MAPI_UNICODE != 0;
            // SAFETY: NULL or a live IMAPISupport of MAPI (the caller's contract).
            let support = unsafe { ComSupport::from_raw_borrowed(call.support, memory.routines().clone())? };
            let support: Ref<dyn MapiSupport> = Ref::new(support).into();
            // SAFETY: NULL or a NUL-terminated string of that encoding, unchanged during the call.
            let profile_name = unsafe { store::tstr(call.profile_name, unicode)? };
            // SAFETY: NULL or valid for its size during the call.
            let entry_id = unsafe { store::optional_entry_id(call.cb_entry_id, call.entry_id)? };
            // SAFETY: NULL or valid for a read.
            let interface = unsafe { store::interface(call.interface) };
            let mapi_error = OutParam::new();
            let result = run(provider, &support, profile_name, entry_id, interface, &mapi_error);
            drop(support);
            if let Some(error) = mapi_error.get() {
                // Laid out for MAPI when it asked for it; freed through the routines either way.
                let laid_out = if call.mapi_error.is_null() {
                    memory
                        .routines()
                        .free_buffer(Some(error.id()))
                        .map(|()| ptr::null_mut())
                } else {
                    memory.hand_over_error(error, unicode)
                };
                if let Ok(error) = laid_out {
                    // SAFETY: NULL or valid for a write (the caller's contract).
                    unsafe { store::put(call.mapi_error, error) };
                }
            }
            let Warned { value, warning } = result?;
            let want_blob = spool_out.is_some_and(|(cb, pb)| !cb.is_null() && !pb.is_null());
            let out = store::export_logon_result(memory, value, want_blob)?;
            // SAFETY: each out-pointer is NULL (then skipped) or valid for a write; the
            // references the raw pointers carry are MAPI's from now on.
            unsafe {
                if let (Some((cb, pb)), Some((size, address))) = (spool_out, out.spool_security) {
                    store::put(cb, size);
                    store::put(pb, address.cast());
                }
                call.store.write(store::into_raw(Some(out.store)));
                call.logon.write(store::into_raw(out.logon));
            }
            Ok(Warned { value: (), warning })
        })
    }

    /// `Logon`. The spool-security blob is handed to MAPI when both its out-pointers are given
    /// (each given one is set to 0 or NULL first); otherwise it is freed.
    ///
    /// # Safety
    ///
    /// As for [`ProviderCore::logon_call`]; each spool-security pointer is NULL or valid for a
    /// write.
    unsafe fn logon(&self, call: LogonCall, cb_spool: *mut u32, pb_spool: *mut *mut u8) -> HRESULT {
        let spool_out = Some((cb_spool, pb_spool));
        let flags = StoreLogonFlags::from_bits_retain(call.flags);
        let ui_param = call.ui_param;
        // SAFETY: the caller's contract.
        unsafe {
            self.logon_call(
                &call,
                spool_out,
                |provider, support, profile_name, entry_id, interface, mapi_error| {
                    provider.logon(&StoreLogonArgs {
                        support,
                        ui_param,
                        profile_name,
                        entry_id,
                        flags,
                        interface,
                        mapi_error,
                    })
                },
            )
        }
    }

    /// `SpoolerLogon`. A spool-security blob the provider returns anyway is freed.
    ///
    /// # Safety
    ///
    /// As for [`ProviderCore::logon_call`]; `pb_spool` is NULL or valid for `cb_spool` bytes.
    unsafe fn spooler_logon(&self, call: LogonCall, cb_spool: u32, pb_spool: *mut u8) -> HRESULT {
        let flags = SpoolerLogonFlags::from_bits_retain(call.flags);
        let ui_param = call.ui_param;
        // SAFETY: NULL or valid for its size during the call (the caller's contract).
        let spool_security = match unsafe { entry_id(cb_spool, pb_spool.cast()) } {
            Ok(bytes) => bytes,
            Err(error) => return HRESULT(error.hresult()),
        };
        // SAFETY: the caller's contract.
        unsafe {
            self.logon_call(
                &call,
                None,
                |provider, support, profile_name, entry_id, interface, mapi_error| {
                    provider.spooler_logon(&SpoolerLogonArgs {
                        support,
                        ui_param,
                        profile_name,
                        entry_id,
                        flags,
                        interface,
                        spool_security,
                        mapi_error,
                    })
                },
            )
        }
    }
}

/// Writes the `IMSProvider` methods of a COM class holding a `core: ProviderCore`.
macro_rules! ms_provider_methods {
    ($impl:ident) => {
        impl IMSProvider_Impl for $impl {
            unsafe fn Shutdown(&self, lpulFlags: *mut u32) -> HRESULT {
                // SAFETY: the host passes NULL or a valid pointer (IMSProvider::Shutdown).
                unsafe { self.core.shutdown(lpulFlags) }
            }

            unsafe fn Logon(
                &self,
                lpMAPISup: *mut c_void,
                ulUIParam: usize,
                lpszProfileName: LPTSTR,
                cbEntryID: u32,
                lpEntryID: *mut ENTRYID,
                ulFlags: u32,
                lpInterface: *const GUID,
                lpcbSpoolSecurity: *mut u32,
                lppbSpoolSecurity: *mut *mut u8,
                lppMAPIError: *mut *mut MAPIERROR,
                lppMSLogon: *mut *mut c_void,
                lppMDB: *mut *mut c_void,
            ) -> HRESULT {
                // SAFETY: the host passes IMSProvider::Logon's arguments, each pointer NULL or
                // valid; NULL out-pointers for the objects are refused.
                unsafe {
                    self.core.logon(
                        LogonCall {
                            support: lpMAPISup,
                            ui_param: ulUIParam,
                            profile_name: lpszProfileName,
                            cb_entry_id: cbEntryID,
                            entry_id: lpEntryID,
                            flags: ulFlags,
                            interface: lpInterface,
                            mapi_error: lppMAPIError,
                            logon: lppMSLogon,
                            store: lppMDB,
                        },
                        lpcbSpoolSecurity,
                        lppbSpoolSecurity,
                    )
                }
            }

            unsafe fn SpoolerLogon(
                &self,
                lpMAPISup: *mut c_void,
                ulUIParam: usize,
                lpszProfileName: LPTSTR,
                cbEntryID: u32,
                lpEntryID: *mut ENTRYID,
                ulFlags: u32,
                lpInterface: *const GUID,
                cbSpoolSecurity: u32,
                lpbSpoolSecurity: *mut u8,
                lppMAPIError: *mut *mut MAPIERROR,
                lppMSLogon: *mut *mut c_void,
                lppMDB: *mut *mut c_void,
            ) -> HRESULT {
                // SAFETY: the host passes IMSProvider::SpoolerLogon's arguments, each pointer NULL
                // or valid; NULL out-pointers for the objects are refused.
                unsafe {
                    self.core.spooler_logon(
                        LogonCall {
                            support: lpMAPISup,
                            ui_param: ulUIParam,
                            profile_name: lpszProfileName,
                            cb_entry_id: cbEntryID,
                            entry_id: lpEntryID,
                            flags: ulFlags,
                            interface: lpInterface,
                            mapi_error: lppMAPIError,
                            logon: lppMSLogon,
                            store: lppMDB,
                        },
                        cbSpoolSecurity,
                        lpbSpoolSecurity,
                    )
                }
            }

            unsafe fn CompareStoreIDs(
                &self,
                cbEntryID1: u32,
                lpEntryID1: *mut ENTRYID,
                cbEntryID2: u32,
                lpEntryID2: *mut ENTRYID,
                ulFlags: u32,
                lpulResult: *mut u32,
            ) -> HRESULT {
                // SAFETY: the host passes entry IDs valid for their sizes and a valid result
                // pointer (IMSProvider::CompareStoreIDs); NULLs are refused.
                unsafe {
                    self.core.compare_store_ids(
                        cbEntryID1, lpEntryID1, cbEntryID2, lpEntryID2, ulFlags, lpulResult,
                    )
                }
            }
        }
    };
}

/// A provider object that does not expose `IMAPIProviderShutdown`.
#[implement(IMSProvider)]
struct ProviderObject {
    core: ProviderCore,
}

ms_provider_methods!(ProviderObject_Impl);

/// A provider object that exposes `IMAPIProviderShutdown`.
#[implement(IMSProvider, IMAPIProviderShutdown)]
struct ShutdownProviderObject {
    core: ProviderCore,
}

ms_provider_methods!(ShutdownProviderObject_Impl);

impl IMAPIProviderShutdown_Impl for ShutdownProviderObject_Impl {
    unsafe fn QueryFastShutdown(&self) -> HRESULT {
        guard(|| self.core.fast_shutdown()?.query_fast_shutdown())
    }

    unsafe fn NotifyProcessShutdown(&self) -> HRESULT {
        guard(|| self.core.fast_shutdown()?.notify_process_shutdown())
    }

    unsafe fn DoFastShutdown(&self) -> HRESULT {
        guard(|| self.core.fast_shutdown()?.do_fast_shutdown())
    }
}

/// The COM object of a store provider: the same `IMSProvider` for as long as it lives, a new one
/// after the host's final `Release` (see [Identity](self#identity)). The COM object holds one
/// reference of `provider` until then.
///
/// `QueryInterface` answers for `IUnknown`, `IMSProvider`, and `IMAPIProviderShutdown` when the
/// provider exposes it ([`Ref::query_interface`] with `IID_IMAPIProviderShutdown` succeeds)
/// **at the time the COM object is made**: `windows_core`'s `#[implement]` writes
/// `QueryInterface` from a fixed list of interfaces, so the answer is chosen by picking one of
/// two COM classes. Each `IMAPIProviderShutdown` method asks the provider again
/// ([`Ref::query`]) and answers `MAPI_E_NO_SUPPORT` if it no longer answers. (`windows_core`
/// also answers for its own `IWeakReferenceSource`, `IAgileObject` and, on Windows, `IMarshal`.)
///
/// Errors: those of making a weak reference to the new object (none in practice).
pub fn export_provider(provider: &Ref<dyn MsProvider>) -> MapiResult<IMSProvider> {
    export(provider, None)
}

/// [`export_provider`] for a provider whose `Logon` and `SpoolerLogon` are exported: `memory`
/// is MAPI's allocation routines as the entry point received them (the provider's routines are
/// [`HostMemory::routines`]). `Logon` imports the support object as a [`ComSupport`] on those
/// routines and exports the logon and store it returns ([`export_logon`], [`export_store`]),
/// laying out `*lppMAPIError` and the spool-security blob in MAPI memory (see
/// [`HostMemory`]). A provider already exported keeps the memory it was made with.
pub fn export_provider_with_memory(
    provider: &Ref<dyn MsProvider>,
    memory: &HostMemory,
) -> MapiResult<IMSProvider> {
    export(provider, Some(memory.clone()))
}

fn export(provider: &Ref<dyn MsProvider>, memory: Option<HostMemory>) -> MapiResult<IMSProvider> {
    let shutdown = provider.query_interface(&Iid::IMAPIPROVIDERSHUTDOWN).is_ok();
    // Cloned before the registry's lock is taken: only moves happen under it.
    let held = provider.clone();
    let object = find_or_make(provider.key(), move |slot| {
        let core = ProviderCore {
            provider: Some(held),
            memory,
            slot: Some(slot),
        };
        if shutdown {
            ShutdownProviderObject { core }.into()
        } else {
            ProviderObject { core }.into()
        }
    })?;
    object
        .cast::<IMSProvider>()
        .map_err(|e| MapiError::from_hresult(e.code().0))
}

// ---------------------------------------------------------------------------------------------
// The entry point
// ---------------------------------------------------------------------------------------------

/// Writes the body of a provider entry point: `$name(library, file, …MAPI's arguments…)` calls
/// [`provider_init`] with the library's `$method` and `$export` for the provider it returns.
macro_rules! entry_point {
    ($(#[$doc:meta])* $name:ident, $out:ident, $method:ident, $export:ident) => {
        $(#[$doc])*
        #[allow(clippy::too_many_arguments)] // the entry point's parameters
        pub unsafe fn $name<L: ProviderLibrary + ?Sized>(
            library: &L,
            file: &str,
            hInstance: *mut c_void,
            lpMalloc: *mut c_void,
            lpAllocateBuffer: Option<LPALLOCATEBUFFER>,
            lpAllocateMore: Option<LPALLOCATEMORE>,
            lpFreeBuffer: Option<LPFREEBUFFER>,
            ulFlags: u32,
            ulMAPIVer: u32,
            lpulProviderVer: *mut u32,
            $out: *mut *mut c_void,
        ) -> HRESULT {
            // SAFETY: the caller's contract is provider_init's.
            unsafe {
                provider_init(
                    file,
                    hInstance,
                    lpMalloc,
                    lpAllocateBuffer,
                    lpAllocateMore,
                    lpFreeBuffer,
                    ulFlags,
                    ulMAPIVer,
                    lpulProviderVer,
                    $out,
                    |args| library.$method(args),
                    |provider, memory| $export(provider, memory).map(Interface::into_raw),
                )
            }
        }
    };
}

entry_point! {
    /// The body of an exported `MSProviderInit` (see [`crate::entry::MSProviderInit`]), for the
    /// provider library `library`, loaded from the file `file` (the name its
    /// [`ModuleInstance`] carries).
    ///
    /// It builds [`InitArgs`] from what MAPI passed — the module handle
    /// ([`ModuleInstance::from_host`]), `lpMalloc` as a `Ref<dyn Malloc>` ([`ComMalloc`], one
    /// `AddRef` of the `IMalloc` for as long as the provider keeps it), the allocation routines
    /// ([`host_routines`](crate::import::host_routines)), the flags and MAPI's SPI version — and calls the library's
    /// [`ProviderLibrary::ms_provider_init`] under [`guard`]. Then:
    ///
    /// - `*lpulProviderVer` is written whether the call succeeds or fails: the returned
    ///   [`ProviderInit::version`](mapisim::spi::ProviderInit) on success, what the provider set in
    ///   `args.provider_version` otherwise (left alone when it set nothing, or when the arguments
    ///   could not be built);
    /// - on success, the provider object is exported ([`export_provider`]) and `*lppMSProvider` gets
    ///   its `IMSProvider`, with one reference that MAPI owns. On failure `*lppMSProvider` is NULL.
    ///
    /// Returns `S_OK` or the error: the provider's (`MAPI_E_VERSION`, …), `MAPI_E_INVALID_PARAMETER`
    /// for a NULL `lpMalloc`, routine or `lppMSProvider`, `MAPI_E_CALL_FAILED` for a panic.
    ///
    /// # Safety
    ///
    /// The arguments are those of `MSProviderInit` from a caller that keeps its contract:
    /// `lpMalloc` is NULL or a live, thread-safe `IMalloc`; the routines are NULL or MAPI's (as
    /// [`host_routines`](crate::import::host_routines) requires: valid and thread-safe for as long as the provider keeps them);
    /// `lpulProviderVer` is NULL or valid for a write; `lppMSProvider` is NULL or valid for a write.
    ms_provider_init, lppMSProvider, ms_provider_init, export_provider_with_memory
}

/// The body of the three provider entry points (they share one signature): the arguments
/// built from what MAPI passed, `init` (the library's entry point of the kind) called under
/// [`guard`], the provider version written, and the provider object `export` makes written to
/// `*lppProvider` with MAPI's reference (see [`ms_provider_init`]).
///
/// # Safety
///
/// As for [`ms_provider_init`].
#[allow(clippy::too_many_arguments)] // the entry points' parameters, and what to do with them
unsafe fn provider_init<P: ?Sized>(
    file: &str,
    hInstance: *mut c_void,
    lpMalloc: *mut c_void,
    lpAllocateBuffer: Option<LPALLOCATEBUFFER>,
    lpAllocateMore: Option<LPALLOCATEMORE>,
    lpFreeBuffer: Option<LPFREEBUFFER>,
    ulFlags: u32,
    ulMAPIVer: u32,
    lpulProviderVer: *mut u32,
    lppProvider: *mut *mut c_void,
    init: impl FnOnce(&InitArgs) -> MapiResult<ProviderInit<P>>,
    export: impl FnOnce(&Ref<P>, &HostMemory) -> MapiResult<*mut c_void>,
) -> HRESULT {
    if lppProvider.is_null() {
        return HRESULT(MapiError::InvalidParameter.hresult());
    }
    // SAFETY: not NULL, and valid for a write (the caller's contract).
    unsafe { lppProvider.write(ptr::null_mut()) };

    // The arguments, built under a guard of their own so that `provider_version` survives a
    // panic of the entry point.
    let mut args = None;
    let mut host = None;
    let built = guard(|| -> MapiResult<()> {
        // SAFETY: `lpMalloc` is NULL or a live, thread-safe IMalloc (the caller's contract).
        let malloc = unsafe { ComMalloc::from_raw_borrowed(lpMalloc)? };
        // SAFETY: the routines are NULL or MAPI's (the caller's contract).
        let memory = unsafe { HostMemory::new(lpAllocateBuffer, lpAllocateMore, lpFreeBuffer)? };
        let routines = memory.routines().clone();
        host = Some(memory);
        args = Some(InitArgs {
            instance: ModuleInstance::from_host(file, hInstance.addr()),
            malloc: Ref::new(malloc).into(),
            routines,
            flags: ProviderInitFlags::from_bits_retain(ulFlags),
            mapi_version: SpiVersion(ulMAPIVer),
            provider_version: OutParam::new(),
        });
        Ok(())
    });
    let (Some(args), Some(host)) = (args, host) else {
        return built;
    };

    let mut version = None;
    let mut exported = None;
    let hr = guard(|| -> MapiResult<()> {
        let init = init(&args);
        if let Ok(init) = &init {
            version = Some(init.version);
        }
        let init = init?;
        exported = Some(export(&init.provider, &host)?);
        Ok(())
    });
    let version = version.or_else(|| args.provider_version.get());
    if let Some(version) = version
        && !lpulProviderVer.is_null()
    {
        // SAFETY: not NULL, and valid for a write (the caller's contract).
        unsafe { lpulProviderVer.write(version.0) };
    }
    // The arguments go (the provider kept what it needs); a panic in a drop is caught too.
    let _ = guard(|| drop(args));
    if let (true, Some(provider)) = (hr.is_ok(), exported) {
        // SAFETY: not NULL, and valid for a write (the caller's contract). The reference is
        // MAPI's from now on.
        unsafe { lppProvider.write(provider) };
    }
    hr
}

entry_point! {
    /// The body of an exported `ABProviderInit` (see [`crate::entry::ABProviderInit`]), as
    /// [`ms_provider_init`] is `MSProviderInit`'s: the library's [`ProviderLibrary::ab_provider_init`]
    /// called, the provider exported ([`export_ab_provider_with_memory`]).
    ///
    /// # Safety
    ///
    /// As for [`ms_provider_init`], with `lppABProvider` for `lppMSProvider`.
    ab_provider_init, lppABProvider, ab_provider_init, export_ab_provider_with_memory
}

entry_point! {
    /// The body of an exported `XPProviderInit` (see [`crate::entry::XPProviderInit`]), as
    /// [`ms_provider_init`] is `MSProviderInit`'s: the library's [`ProviderLibrary::xp_provider_init`]
    /// called, the provider exported ([`export_xp_provider_with_memory`]).
    ///
    /// # Safety
    ///
    /// As for [`ms_provider_init`], with `lppXPProvider` for `lppMSProvider`.
    xp_provider_init, lppXPProvider, xp_provider_init, export_xp_provider_with_memory
}

/// What [`export_ms_provider!`](crate::export_ms_provider) expands to needs.
#[doc(hidden)]
pub mod __private {
    pub use super::record_panic;
    pub use mapisim::spi::ProviderLibrary;
    pub use windows_core::HRESULT;
}

/// Exports `MSProviderInit` from the library being built, for the provider library the factory
/// makes: `export_ms_provider!(my_crate::MyDll::new)`, or with the module's file name (what the
/// provider's [`ModuleInstance::file`](mapisim::spi::ModuleInstance::file) says):
/// `export_ms_provider!(my_crate::MyDll::new, "MYMS32.DLL")` (the crate's name by default).
///
/// The expansion is `#[unsafe(no_mangle)] pub unsafe extern "C" fn MSProviderInit(…)`, of the
/// type [`entry::MSProviderInit`](crate::entry::MSProviderInit), which calls
/// [`ms_provider_init`](crate::export::ms_provider_init). The factory is called once, at the
/// first `MSProviderInit`, and its library kept in a `static` for the life of the loaded module:
/// it plays the DLL's globals.
///
/// **Unloading.** The `static` is never dropped: a Rust library's statics have no destructor
/// run at unload. On Windows, `FreeLibrary` unmaps the module, and a reload makes a fresh
/// `static`. On glibc, a Rust shared object often stays mapped after `dlclose` (thread-local
/// destructors registered by the Rust runtime pin it), so a reload in the same process may find
/// the old library: do not rely on a fresh one at each load there. Objects the library made must
/// be released before the unload, as for any COM server.
#[macro_export]
macro_rules! export_ms_provider {
    ($factory:path) => {
        $crate::export_ms_provider!($factory, env!("CARGO_CRATE_NAME"));
    };
    ($factory:path, $file:expr) => {
        /// `MSProviderInit`, the message-store provider's entry point that MAPI calls.
        ///
        /// # Safety
        ///
        /// MAPI's arguments, as `mapisim_com::export::ms_provider_init` requires them.
        #[unsafe(no_mangle)]
        #[allow(non_snake_case, clippy::too_many_arguments)]
        pub unsafe extern "C" fn MSProviderInit(
            hInstance: *mut ::core::ffi::c_void,
            lpMalloc: *mut ::core::ffi::c_void,
            lpAllocateBuffer: ::core::option::Option<$crate::entry::LPALLOCATEBUFFER>,
            lpAllocateMore: ::core::option::Option<$crate::entry::LPALLOCATEMORE>,
            lpFreeBuffer: ::core::option::Option<$crate::entry::LPFREEBUFFER>,
            ulFlags: u32,
            ulMAPIVer: u32,
            lpulProviderVer: *mut u32,
            lppMSProvider: *mut *mut ::core::ffi::c_void,
        ) -> $crate::export::__private::HRESULT {
            static LIBRARY: ::std::sync::LazyLock<
                ::std::boxed::Box<dyn $crate::export::__private::ProviderLibrary>,
            > = ::std::sync::LazyLock::new(|| ::std::boxed::Box::new($factory()));
            // A panic of the factory must not unwind into MAPI.
            let library = match ::std::panic::catch_unwind(|| &**LIBRARY) {
                ::core::result::Result::Ok(library) => library,
                ::core::result::Result::Err(payload) => {
                    $crate::export::__private::record_panic(payload.as_ref());
                    return $crate::export::__private::HRESULT(0x8000_4005_u32 as i32);
                }
            };
            // SAFETY: MAPI's arguments, passed on unchanged (this function's contract).
            unsafe {
                $crate::export::ms_provider_init(
                    library,
                    $file,
                    hInstance,
                    lpMalloc,
                    lpAllocateBuffer,
                    lpAllocateMore,
                    lpFreeBuffer,
                    ulFlags,
                    ulMAPIVer,
                    lpulProviderVer,
                    lppMSProvider,
                )
            }
        }
    };
}
