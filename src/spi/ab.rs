//! The address-book provider interfaces: `IABProvider` and `IABLogon`.
//!
//! MAPI starts a session's address-book providers when the client opens the address book
//! (`IMAPISession::OpenAddressBook`): `ABProviderInit` ([`ProviderLibrary::ab_provider_init`]) once
//! per provider DLL and session, then [`AbProvider::logon`] for each address-book provider of the
//! profile. At session logoff MAPI calls [`AbLogon::logoff`], releases the logon object, calls
//! [`AbProvider::shutdown`] once every logon object of the provider is gone, and releases the
//! provider object.
//!
//! [`ProviderLibrary::ab_provider_init`]: crate::spi::ProviderLibrary::ab_provider_init

use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{AbLogonFlags, EventMask};
use crate::ids::Iid;
use crate::object::{Ref, Unknown};
use crate::props::{Prop, PropTag};
use crate::spi::library::{InOut, OutParam};
use crate::spi::memory::MapiBuffer;
use crate::spi::support::{AdviseSink, MapiErrorInfo, MapiProp, MapiSupport, OpenedEntry};
use crate::strings::TStr;

/// The security credentials of `IABProvider::Logon` (`*lpulcbSecurity`, `*lppbSecurity`), in and
/// out: MAPI passes nonzero values, and the provider must set both to zero before it returns.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct AbSecurity {
    /// `*lpulcbSecurity`: the size of the credentials.
    pub size: u32,
    /// `*lppbSecurity`: where the credentials are (an opaque address).
    pub address: usize,
}

/// The arguments of `IABProvider::Logon`.
#[derive(Debug)]
pub struct AbLogonArgs<'a> {
    /// `lpMAPISup`: the support object of this logon. A logon that succeeds must AddRef it (clone
    /// the `Ref`) and keep it: if it does not, MAPI unloads the provider.
    pub support: &'a Ref<dyn MapiSupport>,
    /// `ulUIParam`: the value the client gave `MAPILogonEx` (0 in the simulator).
    pub ui_param: usize,
    /// `lpszProfileName`: UTF-16 when `flags` carry `MAPI_UNICODE`, 8-bit otherwise.
    pub profile_name: TStr<'a>,
    /// `ulFlags`: `AB_NO_DIALOG`, `MAPI_DEFERRED_ERRORS`, `MAPI_UNICODE`.
    pub flags: AbLogonFlags,
    /// `lpulcbSecurity` and `lppbSecurity`: nonzero on input; the provider sets both to zero.
    pub security: &'a InOut<AbSecurity>,
    /// `*lppMAPIError`: extended information about a failure, which the provider may write
    /// whatever the call returns, allocated with the routines MAPI gave the entry point
    /// ([`MemRoutines::allocate_value`](crate::spi::MemRoutines::allocate_value)), its strings
    /// Unicode when `flags` carry `MAPI_UNICODE`. MAPI reads and frees it.
    pub mapi_error: &'a OutParam<MapiBuffer<MapiErrorInfo>>,
}

/// `IABProvider`: the address-book provider object `ABProviderInit` returns, one per session per
/// provider DLL. (Panics, threads and reference counts: see
/// [the module](crate::spi#panics-threads-and-counts).)
///
/// A logon that keeps what the contract asks it to keep, and gives back the security
/// credentials:
///
/// ```
/// use mapisim::prelude::*;
/// use mapisim::spi::OutParam;
///
/// struct Book;
/// impl AbProvider for Book {
///     fn shutdown(&self, _flags: u32) -> MapiResult<()> {
///         Ok(())
///     }
///     fn logon(&self, args: &AbLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn AbLogon>>> {
///         args.security.set(AbSecurity::default());
///         // Cloning the support object's `Ref` is its AddRef: the logon keeps it.
///         let logon: Ref<dyn AbLogon> = Ref::new(BookLogon(args.support.clone())).into();
///         Ok(Warned::ok(logon))
///     }
/// }
///
/// struct BookLogon(Ref<dyn MapiSupport>);
/// impl AbLogon for BookLogon {
///     fn logoff(&self, _flags: u32) -> MapiResult<()> {
///         Ok(())
///     }
/// }
///
/// struct Support;
/// impl MapiSupport for Support {}
///
/// let support: Ref<dyn MapiSupport> = Ref::new(Support).into();
/// let security = InOut::new(AbSecurity { size: 8, address: 0x1000 });
/// let logon = Book.logon(&AbLogonArgs {
///     support: &support,
///     ui_param: 0,
///     profile_name: TStr::ansi(b"Default"),
///     flags: AbLogonFlags::empty(),
///     security: &security,
///     mapi_error: &OutParam::new(),
/// })?
/// .into_value();
/// assert_eq!(security.get(), AbSecurity::default(), "both set to zero");
/// assert_eq!(support.ref_count(), 2, "the logon keeps the support object");
/// assert!(logon.exposes(&Iid::IABLOGON));
/// drop(logon);
/// assert_eq!(support.ref_count(), 1);
/// # Ok::<(), MapiError>(())
/// ```
pub trait AbProvider: Send + Sync {
    /// `Shutdown`: called only after every logon object of the provider was released, just
    /// before MAPI releases the provider object; it can be taken as the last call. `flags` is
    /// reserved (0).
    fn shutdown(&self, flags: u32) -> MapiResult<()>;

    /// `Logon`: logs MAPI on to one address-book provider of the profile. A logon that succeeds
    /// AddRefs and keeps the support object, registers its MAPIUIDs (`SetProviderUID`), sets
    /// both security parameters to zero and returns a new logon object. It may fail with
    /// `MAPI_E_UNCONFIGURED` (MAPI then calls the service's entry point and tries again),
    /// `MAPI_E_FAILONEPROVIDER`, `MAPI_E_UNKNOWN_CPID`, `MAPI_E_UNKNOWN_LCID` or
    /// `MAPI_E_USER_CANCEL`.
    fn logon(&self, args: &AbLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn AbLogon>>>;
}

/// `IABLogon`: one address-book provider's logon, called only by MAPI. The methods follow the
/// vtable (`GetLastError`, slot 3, to `PrepareRecips`, slot 12); all but `Logoff` default to
/// `MAPI_E_NO_SUPPORT`. (Panics, threads and reference counts: see
/// [the module](crate::spi#panics-threads-and-counts).)
pub trait AbLogon: Send + Sync {
    /// `GetLastError`.
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        let _ = (hresult, flags);
        Err(MapiError::NoSupport)
    }

    /// `Logoff`: releases every object the logon opened, and its support object. `flags` is
    /// reserved (0), passed by value (unlike `IMSLogon::Logoff`'s pointer).
    fn logoff(&self, flags: u32) -> MapiResult<()>;

    /// `OpenEntry`: a container, messaging user or distribution list of this provider; an empty
    /// `entry_id` asks for the provider's root container.
    fn open_entry(&self, entry_id: &[u8], interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry> {
        let _ = (entry_id, interface, flags);
        Err(MapiError::NoSupport)
    }

    /// `CompareEntryIDs`: whether two entry IDs of this provider name the same entry.
    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        let _ = (a, b, flags);
        Err(MapiError::NoSupport)
    }

    /// `Advise`: registers `sink` for events on `entry_id` (AddRef it while registered); returns
    /// a nonzero connection.
    fn advise(&self, entry_id: &[u8], mask: EventMask, sink: &Ref<dyn AdviseSink>) -> MapiResult<usize> {
        let _ = (entry_id, mask, sink);
        Err(MapiError::NoSupport)
    }

    /// `Unadvise`.
    fn unadvise(&self, connection: usize) -> MapiResult<()> {
        let _ = connection;
        Err(MapiError::NoSupport)
    }

    /// `OpenStatusEntry`: the provider's status object (`MAPI_STATUS`).
    fn open_status_entry(&self, interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry> {
        let _ = (interface, flags);
        Err(MapiError::NoSupport)
    }

    /// `OpenTemplateID`: binds the entry `data` of another (host) provider, whose `PR_TEMPLATEID`
    /// is `template_id`, to this provider's code. `flags`: `FILL_ENTRY` (0x1) for a new entry;
    /// `sibling` is reserved (`None`). Returns this provider's object for the entry, which may be
    /// `data` itself.
    fn open_template_id(
        &self,
        template_id: &[u8],
        flags: u32,
        data: &Ref<dyn MapiProp>,
        interface: Option<Iid>,
        sibling: Option<&Ref<dyn MapiProp>>,
    ) -> MapiResult<Ref<dyn MapiProp>> {
        let _ = (template_id, flags, data, interface, sibling);
        Err(MapiError::NoSupport)
    }

    /// `GetOneOffTable`: the provider's templates for one-off recipients (an `IMAPITable`, which
    /// the crate does not model). `flags`: `MAPI_UNICODE`.
    fn get_one_off_table(&self, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `PrepareRecips`: gives each recipient of this provider in `recipients` (`ADRLIST`, one row
    /// of properties per recipient) the properties `tags` lists, first in its row; the rows of
    /// other providers' recipients are left alone.
    fn prepare_recips(
        &self,
        flags: u32,
        tags: &[PropTag],
        recipients: &mut Vec<Vec<Prop>>,
    ) -> MapiResult<()> {
        let _ = (flags, tags, recipients);
        Err(MapiError::NoSupport)
    }
}
