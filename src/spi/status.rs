//! `IMAPIStatus`, `IMAPIProviderShutdown`, `IMAPIProgress` and `IMSCapabilities`.

use crate::error::{MapiError, MapiResult};
use crate::spi::support::MapiProp;
use crate::strings::TStr;

/// `IMAPIStatus` (IID `IID_IMAPIStatus`): a status object, which `IMSLogon::OpenStatusEntry`
/// returns (object type `MAPI_STATUS`) and whose properties are the provider's row of the status
/// table.
///
/// The methods follow the vtable: `ValidateState` (slot 14) to `FlushQueues` (slot 17), after
/// `IMAPIProp`'s. A status object that does not support a method returns `MAPI_E_NO_SUPPORT`
/// (the default of each) and leaves its flag out of `PR_RESOURCE_METHODS`.
pub trait MapiStatus: MapiProp {
    /// `ValidateState(ulUIParam, ulFlags)`: checks the state of the provider's resources and
    /// corrects what it can. `ui_param` is the parent window of any dialog; `flags`:
    /// `ABORT_XP_HEADER_OPERATION`, `CONFIG_CHANGED`, `FORCE_XP_CONNECT`, `FORCE_XP_DISCONNECT`,
    /// `PROCESS_XP_HEADER_CACHE`, `REFRESH_XP_HEADER_CACHE`, `SUPPRESS_UI`.
    fn validate_state(&self, ui_param: usize, flags: u32) -> MapiResult<()> {
        let _ = (ui_param, flags);
        Err(MapiError::NoSupport)
    }

    /// `SettingsDialog(ulUIParam, ulFlags)`: shows the provider's configuration. `ui_param` is the
    /// parent window; `flags`: `UI_READONLY`.
    fn settings_dialog(&self, ui_param: usize, flags: u32) -> MapiResult<()> {
        let _ = (ui_param, flags);
        Err(MapiError::NoSupport)
    }

    /// `ChangePassword(lpOldPass, lpNewPass, ulFlags)`: changes the provider's password without a
    /// dialog. The passwords are UTF-16 when `flags` has `MAPI_UNICODE`, 8-bit otherwise; each
    /// comes as given ([`TStr`]).
    fn change_password(&self, old: TStr<'_>, new: TStr<'_>, flags: u32) -> MapiResult<()> {
        let _ = (old, new, flags);
        Err(MapiError::NoSupport)
    }

    /// `FlushQueues(ulUIParam, cbTargetTransport, lpTargetTransport, ulFlags)`: sends or receives
    /// the waiting messages now. `ui_param` is the parent window of a progress display;
    /// `target_transport` the entry ID of the transport whose queues to flush, given only to the
    /// spooler's status object (`None`, a NULL `lpTargetTransport`, in a call to a transport's);
    /// `flags`: `FLUSH_ASYNC_OK`, `FLUSH_DOWNLOAD`, `FLUSH_FORCE`, `FLUSH_NO_UI`, `FLUSH_UPLOAD`.
    fn flush_queues(&self, ui_param: usize, target_transport: Option<&[u8]>, flags: u32) -> MapiResult<()> {
        let _ = (ui_param, target_transport, flags);
        Err(MapiError::NoSupport)
    }
}

/// `IMAPIProviderShutdown` (IID `IID_IMAPIProviderShutdown`): fast shutdown, provider side. A
/// provider object (`IMSProvider`, `IABProvider`, `IXPProvider`) that supports it exposes it
/// through `QueryInterface` ([`Ref::expose`](crate::object::Ref::expose)).
///
/// The methods follow the vtable: `QueryFastShutdown` (slot 3), `NotifyProcessShutdown` (4),
/// `DoFastShutdown` (5); none takes a parameter. Each defaults to `MAPI_E_NO_SUPPORT`.
pub trait ProviderShutdown: Send + Sync {
    /// `QueryFastShutdown()`: whether the provider takes part in fast shutdown. `Ok(())` (`S_OK`)
    /// opts in; `MAPI_E_NO_SUPPORT` makes the client wait until every external reference is
    /// released, the normal shutdown.
    fn query_fast_shutdown(&self) -> MapiResult<()> {
        Err(MapiError::NoSupport)
    }

    /// `NotifyProcessShutdown()`: the client process is about to shut down; the provider
    /// prepares for it.
    fn notify_process_shutdown(&self) -> MapiResult<()> {
        Err(MapiError::NoSupport)
    }

    /// `DoFastShutdown()`: the client process is shutting down now; the provider saves what it
    /// must. After a client's fast shutdown it makes no further MAPI call, not even
    /// `MAPIUninitialize`.
    fn do_fast_shutdown(&self) -> MapiResult<()> {
        Err(MapiError::NoSupport)
    }
}

/// `IMAPIProgress` (IID `IID_IMAPIProgress`): a progress indicator, implemented by MAPI and by
/// clients and called by providers during long operations (`CopyTo`, `CopyProps`,
/// `IMAPISupport::DoCopyTo`, …).
///
/// The methods follow the vtable: `Progress` (slot 3), `GetFlags` (4), `GetMax` (5), `GetMin`
/// (6), `SetLimits` (7). Each defaults to `MAPI_E_NO_SUPPORT`.
pub trait MapiProgress: Send + Sync {
    /// `Progress(ulValue, ulCount, ulTotal)`: the operation has reached `value`, between the
    /// global minimum and maximum; `count` of `total` items are done (both 0 when the provider
    /// does not count items).
    fn progress(&self, value: u32, count: u32, total: u32) -> MapiResult<()> {
        let _ = (value, count, total);
        Err(MapiError::NoSupport)
    }

    /// `GetFlags(lpulFlags)`: the level progress is computed for: `MAPI_TOP_LEVEL` for the
    /// object the client called, clear for a subobject.
    fn get_flags(&self) -> MapiResult<u32> {
        Err(MapiError::NoSupport)
    }

    /// `GetMax(lpulMax)`: the maximum that `SetLimits` set (global with `MAPI_TOP_LEVEL`, local
    /// otherwise).
    fn get_max(&self) -> MapiResult<u32> {
        Err(MapiError::NoSupport)
    }

    /// `GetMin(lpulMin)`: the minimum that `SetLimits` set (global with `MAPI_TOP_LEVEL`, local
    /// otherwise).
    fn get_min(&self) -> MapiResult<u32> {
        Err(MapiError::NoSupport)
    }

    /// `SetLimits(lpulMin, lpulMax, lpulFlags)`: sets the minimum, the maximum and the flags
    /// (`MAPI_TOP_LEVEL`). Each parameter is a pointer in MAPI; `None` stands for a NULL one.
    fn set_limits(&self, min: Option<u32>, max: Option<u32>, flags: Option<u32>) -> MapiResult<()> {
        let _ = (min, max, flags);
        Err(MapiError::NoSupport)
    }
}

/// `MSCAP_SEL_FOLDER`: the selector of [`MsCapabilities::get_capabilities`] for folder
/// capabilities (`MSCAP_SEL_RESERVED1` is 0, `MSCAP_SEL_RESERVED2` 1).
pub const MSCAP_SEL_FOLDER: u32 = 2;
/// `MSCAP_SEL_RESTRICTION`: the selector for restriction capabilities (`MSCAP_SEL_RESERVED3` is
/// 3).
pub const MSCAP_SEL_RESTRICTION: u32 = 4;

/// `IMSCapabilities` (IID `IID_IMSCapabilities`): what a store supports, asked by selector. A
/// store object answers `QueryInterface` for it when it implements it ([`Ref::expose`]).
///
/// Its one method returns a `ULONG`, not an `HRESULT`: the capability bits, 0 (`NULL`) for none.
///
/// [`Ref::expose`]: crate::object::Ref::expose
pub trait MsCapabilities: Send + Sync {
    /// `GetCapabilities(mscapSelector)`: the capabilities the store has for `selector`
    /// ([`MSCAP_SEL_FOLDER`]: `MSCAP_SECURE_FOLDER_HOMEPAGES`; [`MSCAP_SEL_RESTRICTION`]:
    /// `MSCAP_RES_ANNOTATION`), or 0 for none, which is the default.
    fn get_capabilities(&self, selector: u32) -> u32 {
        let _ = selector;
        0
    }
}
