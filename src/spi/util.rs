//! The small utilities of `mapiutil.h` that every provider writes for itself, named after the
//! functions they play: one property read or written ([`hr_get_one_prop`], [`hr_set_one_prop`]),
//! and a store entry ID wrapped, by the utility function ([`wrap_store_entry_id`]) or by the
//! support object ([`wrapped_store_entry_id`]).
//!
//! Each one frees what it is handed and says who frees what it returns, so that a provider using
//! them leaks no MAPI buffer on any path.

use std::slice;

use crate::error::{MapiError, MapiResult};
use crate::ids::WrappedStoreEntryId;
use crate::props::{Prop, PropTag, PropValue};
use crate::spi::memory::{BufferId, MemRoutines};
use crate::spi::support::{MapiProp, MapiSupport};

/// `HrGetOneProp`: one property of `object`, by `GetProps` of that one tag.
///
/// The property array `GetProps` returns is read and freed with `routines`, which must be the
/// routines `object` allocates with (the ones the provider's entry point received, or those of
/// `IMAPISupport::GetMemAllocRoutines`); the property comes back as a value, so the caller has
/// nothing to free. A property the object does not have comes back from `GetProps` as a
/// `PT_ERROR` value: that error is returned (usually `MAPI_E_NOT_FOUND`). A failing `GetProps`
/// returns its error, and an answer with no property at all gives `MAPI_E_CALL_FAILED`.
///
/// ```
/// use mapisim::props::{PR_DISPLAY_NAME_W, PR_RECORD_KEY, PropBag, PropTag, PropValue};
/// use mapisim::spi::{hr_get_one_prop, MapiProp, MemRoutines, PropArray};
/// use mapisim::{MapiError, MapiResult, Warned};
///
/// /// An object that answers `GetProps` from a property bag, in buffers of its routines.
/// struct Object {
///     props: PropBag,
///     routines: MemRoutines,
/// }
///
/// impl MapiProp for Object {
///     fn get_props(&self, tags: Option<&[PropTag]>, _flags: u32) -> MapiResult<Warned<PropArray>> {
///         let answer = self.props.select(tags);
///         Ok(Warned { value: self.routines.allocate_value(answer.value)?, warning: answer.warning })
///     }
/// }
///
/// let routines = MemRoutines::new();
/// let mut props = PropBag::new();
/// props.put(PR_DISPLAY_NAME_W, "Sample Store");
/// let object = Object { props, routines: routines.clone() };
///
/// let name = hr_get_one_prop(&object, &routines, PR_DISPLAY_NAME_W)?;
/// assert_eq!(name.value, PropValue::Unicode("Sample Store".into()));
/// assert_eq!(hr_get_one_prop(&object, &routines, PR_RECORD_KEY), Err(MapiError::NotFound));
/// assert_eq!(routines.live_blocks(), 0); // both answers were freed
/// # Ok::<(), MapiError>(())
/// ```
#[track_caller]
pub fn hr_get_one_prop(object: &dyn MapiProp, routines: &MemRoutines, tag: PropTag) -> MapiResult<Prop> {
    let answer = object.get_props(Some(slice::from_ref(&tag)), 0)?;
    let props = routines.take(answer.into_value())?;
    let prop = props.into_iter().next().ok_or(MapiError::CallFailed)?;
    match prop.value {
        PropValue::Error(error) => Err(error),
        _ => Ok(prop),
    }
}

/// `HrSetOneProp`: sets one property of `object`, by `SetProps` of that one property.
///
/// `SetProps` reports a property it could not set as a problem rather than failing; here the
/// problem's error is returned (`MAPI_E_NO_ACCESS` for a read-only property, for instance), so
/// `Ok` means the property was set. A failing `SetProps` returns its error. Nothing is allocated.
///
/// ```
/// use std::sync::Mutex;
///
/// use mapisim::props::{PR_DISPLAY_NAME_W, PR_RECORD_KEY, Prop, PropBag};
/// use mapisim::spi::{hr_set_one_prop, MapiProp, PropProblem};
/// use mapisim::{MapiError, MapiResult};
///
/// /// An object whose `PR_RECORD_KEY` is read-only.
/// #[derive(Default)]
/// struct Object(Mutex<PropBag>);
///
/// impl MapiProp for Object {
///     fn set_props(&self, props: &[Prop]) -> MapiResult<Vec<PropProblem>> {
///         let mut problems = Vec::new();
///         for (index, prop) in props.iter().enumerate() {
///             if prop.tag.id() == PR_RECORD_KEY.id() {
///                 problems.push(PropProblem { index, tag: prop.tag, error: MapiError::NoAccess });
///             } else {
///                 let mut stored = self.0.lock().map_err(|_| MapiError::CallFailed)?;
///                 stored.put(prop.tag, prop.value.clone());
///             }
///         }
///         Ok(problems)
///     }
/// }
///
/// let object = Object::default();
/// hr_set_one_prop(&object, &Prop { tag: PR_DISPLAY_NAME_W, value: "Store".into() })?;
/// let key = Prop { tag: PR_RECORD_KEY, value: vec![1, 2, 3].into() };
/// assert_eq!(hr_set_one_prop(&object, &key), Err(MapiError::NoAccess));
///
/// let stored = object.0.into_inner().expect("no thread panicked");
/// assert_eq!(stored.get_str(PR_DISPLAY_NAME_W), Some("Store"));
/// assert!(!stored.contains(PR_RECORD_KEY));
/// # Ok::<(), MapiError>(())
/// ```
pub fn hr_set_one_prop(object: &dyn MapiProp, prop: &Prop) -> MapiResult<()> {
    match object.set_props(slice::from_ref(prop))?.first() {
        Some(problem) => Err(problem.error),
        None => Ok(()),
    }
}

/// `WrapStoreEntryID` of `mapiutil.h`: `original`, a provider's store entry ID, wrapped under
/// the DLL name the provider is registered with (as the profile holds it, without the `32`), in a
/// buffer allocated with `routines` that the caller frees ([`MemRoutines::take_bytes`] or
/// [`MemRoutines::free_buffer`]).
///
/// The wrapped form is [`WrappedStoreEntryId::wrap`]'s. A DLL name that cannot be wrapped (empty,
/// with a NUL, or not 8-bit text) or an empty `original` gives `MAPI_E_INVALID_PARAMETER` and
/// allocates nothing; a failed allocation gives its error (`MAPI_E_NOT_ENOUGH_MEMORY`).
///
/// A provider that has its support object asks it instead ([`wrapped_store_entry_id`]), so that
/// MAPI uses the DLL name it registered.
///
/// ```
/// use mapisim::ids::WrappedStoreEntryId;
/// use mapisim::spi::{wrap_store_entry_id, MemRoutines};
/// use mapisim::MapiError;
///
/// let routines = MemRoutines::new();
/// let buffer = wrap_store_entry_id(&routines, "SMPMS.DLL", b"store 1")?;
/// let wrapped = routines.take_bytes(buffer)?; // read and freed
/// let parsed = WrappedStoreEntryId::parse(&wrapped).expect("a wrapped ID");
/// assert_eq!(parsed.dll_name(), "SMPMS.DLL");
/// assert_eq!(parsed.original(), b"store 1");
///
/// assert_eq!(wrap_store_entry_id(&routines, "", b"store 1"), Err(MapiError::InvalidParameter));
/// assert_eq!(routines.live_blocks(), 0);
/// # Ok::<(), MapiError>(())
/// ```
#[track_caller]
pub fn wrap_store_entry_id(routines: &MemRoutines, dll_name: &str, original: &[u8]) -> MapiResult<BufferId> {
    let wrapped = WrappedStoreEntryId::wrap(dll_name, original).map_err(|_| MapiError::InvalidParameter)?;
    routines.allocate_bytes(&wrapped.to_bytes())
}

/// `IMAPISupport::WrapStoreEntryID`, with its buffer handled: the wrapped form of `original` as
/// the support object makes it (under the DLL name MAPI registered the provider with), read from
/// the buffer it returns, which is freed with `routines` (the provider's routines, the ones MAPI
/// allocates the buffer with). The caller has nothing to free.
///
/// What the support object refuses is returned as its error. If the buffer cannot be read, it is
/// not freed either (it was not one of `routines`' live blocks), and the error is returned.
///
/// ```
/// use mapisim::ids::WrappedStoreEntryId;
/// use mapisim::spi::{wrap_store_entry_id, wrapped_store_entry_id, BufferId, MapiSupport, MemRoutines};
/// use mapisim::MapiResult;
///
/// /// A support object that wraps store entry IDs under "SMPMS.DLL".
/// struct Support(MemRoutines);
///
/// impl MapiSupport for Support {
///     fn wrap_store_entry_id(&self, original: &[u8]) -> MapiResult<BufferId> {
///         wrap_store_entry_id(&self.0, "SMPMS.DLL", original)
///     }
/// }
///
/// let routines = MemRoutines::new();
/// let support = Support(routines.clone());
/// let wrapped = wrapped_store_entry_id(&support, &routines, b"store 1")?;
/// assert_eq!(WrappedStoreEntryId::parse(&wrapped).expect("a wrapped ID").original(), b"store 1");
/// assert_eq!(routines.live_blocks(), 0); // the support object's buffer was freed
/// # Ok::<(), mapisim::MapiError>(())
/// ```
#[track_caller]
pub fn wrapped_store_entry_id(
    support: &dyn MapiSupport,
    routines: &MemRoutines,
    original: &[u8],
) -> MapiResult<Vec<u8>> {
    let buffer = support.wrap_store_entry_id(original)?;
    routines.take_bytes(buffer)
}
