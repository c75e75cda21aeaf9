//! The transport provider interfaces: `IXPProvider` and `IXPLogon`, called by the spooler.
//!
//! The spooler starts a transport when a client first asks for its services (a message submitted
//! through a store): `XPProviderInit` ([`ProviderLibrary::xp_provider_init`]) once per transport
//! provider and session, [`XpProvider::transport_logon`] (usually with `LOGON_NO_INBOUND` and
//! `LOGON_NO_OUTBOUND`), [`XpLogon::address_types`] right after, and [`XpLogon::transport_notify`]
//! to begin traffic. When it lets the transport go: [`XpLogon::transport_logoff`], the release of
//! the logon object, [`XpProvider::shutdown`], the release of the provider object.
//!
//! [`ProviderLibrary::xp_provider_init`]: crate::spi::ProviderLibrary::xp_provider_init

use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{
    EndMessageFlags, FlushQueuesFlags, TransportLogoffFlags, TransportNotifyFlags, XpLogonFlags,
};
use crate::ids::{Iid, MapiUid};
use crate::object::Ref;
use crate::spi::library::{InOut, OutParam};
use crate::spi::memory::MapiBuffer;
use crate::spi::support::{MapiErrorInfo, MapiProp, MapiSupport, OpenedEntry};
use crate::strings::{TStr, TString};

/// The arguments of `IXPProvider::TransportLogon`.
#[derive(Debug)]
pub struct TransportLogonArgs<'a> {
    /// `lpMAPISup`: the support object of this logon, which the transport must AddRef (clone the
    /// `Ref`) and keep in its logon object.
    pub support: &'a Ref<dyn MapiSupport>,
    /// `ulUIParam`: the parent window for dialogs (0 in the simulator).
    pub ui_param: usize,
    /// `lpszProfileName`: UTF-16 when the flags carry `MAPI_UNICODE`, 8-bit otherwise.
    pub profile_name: TStr<'a>,
    /// `*lpulFlags`, in and out: `LOGON_NO_CONNECT`, `LOGON_NO_DIALOG`, `LOGON_NO_INBOUND`,
    /// `LOGON_NO_OUTBOUND` and `MAPI_UNICODE` in; the transport answers with `LOGON_SP_IDLE`
    /// (call `Idle`), `LOGON_SP_POLL` (call `Poll`), `LOGON_SP_RESOLVE` and `MAPI_UNICODE`.
    pub flags: &'a InOut<XpLogonFlags>,
    /// `*lppMAPIError`: extended information about a failure, as for the other logons
    /// ([`AbLogonArgs::mapi_error`](crate::spi::AbLogonArgs::mapi_error)).
    pub mapi_error: &'a OutParam<MapiBuffer<MapiErrorInfo>>,
}

/// What `IXPLogon::AddressTypes` gives: the address types and MAPIUIDs of the recipients the
/// transport handles. A COM transport keeps the arrays valid until its final `TransportLogoff`;
/// here they are the caller's own copies.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AddressTypes {
    /// `*lpulFlags`: `MAPI_UNICODE` when the address types are UTF-16.
    pub flags: u32,
    /// `*lpppAdrTypeArray`: the address types (`SMTP`, `FAX`), as `PR_ADDRTYPE` gives them.
    pub address_types: Vec<TString>,
    /// `*lpppUIDArray`: the MAPIUIDs of the one-off and other entry IDs the transport handles.
    pub uids: Vec<MapiUid>,
}

/// `IXPProvider`: the transport provider object `XPProviderInit` returns; within a session a
/// second transport logon reuses it. (Panics, threads and reference counts: see
/// [the module](crate::spi#panics-threads-and-counts).)
///
/// A transport that keeps its support object, asks to be polled, and handles one address type:
///
/// ```
/// use mapisim::prelude::*;
/// use mapisim::spi::{AddressTypes, OutParam};
///
/// struct Fax;
/// impl XpProvider for Fax {
///     fn shutdown(&self, _flags: u32) -> MapiResult<()> {
///         Ok(())
///     }
///     fn transport_logon(&self, args: &TransportLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn XpLogon>>> {
///         args.flags.set(args.flags.get() | XpLogonFlags::SP_POLL);
///         let logon: Ref<dyn XpLogon> = Ref::new(FaxLogon(args.support.clone())).into();
///         Ok(Warned::ok(logon))
///     }
/// }
///
/// struct FaxLogon(Ref<dyn MapiSupport>);
/// impl XpLogon for FaxLogon {
///     fn address_types(&self) -> MapiResult<AddressTypes> {
///         Ok(AddressTypes {
///             address_types: vec![TString::Ansi(b"FAX".to_vec())],
///             ..AddressTypes::default()
///         })
///     }
///     fn transport_logoff(&self, _flags: TransportLogoffFlags) -> MapiResult<()> {
///         Ok(())
///     }
///     fn poll(&self) -> MapiResult<u32> {
///         Ok(0)
///     }
/// }
///
/// struct Support;
/// impl MapiSupport for Support {}
///
/// let support: Ref<dyn MapiSupport> = Ref::new(Support).into();
/// let flags = InOut::new(XpLogonFlags::NO_INBOUND | XpLogonFlags::NO_OUTBOUND);
/// let logon = Fax
///     .transport_logon(&TransportLogonArgs {
///         support: &support,
///         ui_param: 0,
///         profile_name: TStr::ansi(b"Default"),
///         flags: &flags,
///         mapi_error: &OutParam::new(),
///     })?
///     .into_value();
/// assert!(flags.get().contains(XpLogonFlags::SP_POLL), "poll me");
/// assert_eq!(logon.address_types()?.address_types.len(), 1);
/// assert_eq!(logon.poll()?, 0, "nothing inbound");
/// assert_eq!(support.ref_count(), 2, "the logon keeps the support object");
/// # Ok::<(), MapiError>(())
/// ```
pub trait XpProvider: Send + Sync {
    /// `Shutdown`: called just before the spooler releases the provider object, after it released
    /// every logon object of the provider. `flags` must be zero.
    fn shutdown(&self, flags: u32) -> MapiResult<()>;

    /// `TransportLogon`: logs the spooler on to the transport. A logon that succeeds AddRefs and
    /// keeps the support object, answers in `args.flags`, and returns a new logon object. It may
    /// fail with `MAPI_E_UNCONFIGURED`, `MAPI_E_FAILONEPROVIDER`, `MAPI_E_UNKNOWN_CPID`,
    /// `MAPI_E_UNKNOWN_LCID` or `MAPI_E_USER_CANCEL`.
    fn transport_logon(&self, args: &TransportLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn XpLogon>>>;
}

/// `IXPLogon`: a transport logon, called by the spooler. The methods follow the vtable
/// (`AddressTypes`, slot 3, to `FlushQueues`, slot 14); `AddressTypes` and `TransportLogoff` are
/// required, the others default to `MAPI_E_NO_SUPPORT`. (Panics, threads and reference counts:
/// see [the module](crate::spi#panics-threads-and-counts).)
pub trait XpLogon: Send + Sync {
    /// `AddressTypes`: called right after `TransportLogon`.
    fn address_types(&self) -> MapiResult<AddressTypes>;

    /// `RegisterOptions`: the options the transport supports per address type; "not supported or
    /// documented", says the page. `flags` is `*lpulFlags` (out); returns how many options
    /// there are (`*lpcOptions`; the `OPTIONDATA` structures are not modeled).
    fn register_options(&self, flags: &InOut<u32>) -> MapiResult<u32> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `TransportNotify`: an event the transport asked for (`NOTIFY_BEGIN_OUTBOUND` to begin
    /// sending, `NOTIFY_ABORT_DEFERRED`, ...). `flags` (`*lpulFlags`) and `data` (`*lppvData`)
    /// go both ways.
    fn transport_notify(&self, flags: &InOut<TransportNotifyFlags>, data: &InOut<usize>) -> MapiResult<()> {
        let _ = (flags, data);
        Err(MapiError::NoSupport)
    }

    /// `Idle`: the system is idle; called when the logon answered `LOGON_SP_IDLE`.
    fn idle(&self, flags: u32) -> MapiResult<()> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `TransportLogoff`: the spooler logs off; whatever it returns, the logon counts as logged
    /// off. `flags` is reserved (0; the header names `LOGOFF_NORMAL` and `LOGOFF_HURRY`).
    fn transport_logoff(&self, flags: TransportLogoffFlags) -> MapiResult<()>;

    /// `SubmitMessage`: a message to deliver (`flags`: `BEGIN_DEFERRED`, 0x1, for one deferred
    /// before). `message` is the message with read/write access (its `IMAPIProp` part), valid
    /// until `EndMessage` returns. Returns the reference the transport gives the message
    /// (`*lpulMsgRef`); `return_parm` (`*lpulReturnParm`) goes with `MAPI_E_WAIT` or
    /// `MAPI_E_NETWORK_ERROR`.
    fn submit_message(
        &self,
        flags: u32,
        message: &Ref<dyn MapiProp>,
        return_parm: &OutParam<usize>,
    ) -> MapiResult<usize> {
        let _ = (flags, message, return_parm);
        Err(MapiError::NoSupport)
    }

    /// `EndMessage`: the spooler is done with the message of reference `msg_ref`; returns what to
    /// do with it next (`END_RESEND_NOW`, `END_RESEND_LATER`, `END_DONT_RESEND`).
    fn end_message(&self, msg_ref: usize) -> MapiResult<EndMessageFlags> {
        let _ = msg_ref;
        Err(MapiError::NoSupport)
    }

    /// `Poll`: whether inbound messages are waiting (`*lpulIncoming`, nonzero for yes); called
    /// when the logon answered `LOGON_SP_POLL`.
    fn poll(&self) -> MapiResult<u32> {
        Err(MapiError::NoSupport)
    }

    /// `StartMessage`: the transfer of an inbound message into `message`, a new message the
    /// spooler made; returns the transport's reference for it (`*lpulMsgRef`).
    fn start_message(&self, flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<usize> {
        let _ = (flags, message);
        Err(MapiError::NoSupport)
    }

    /// `OpenStatusEntry`: the transport's status object (`MAPI_STATUS`).
    fn open_status_entry(&self, interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry> {
        let _ = (interface, flags);
        Err(MapiError::NoSupport)
    }

    /// `ValidateState`: checks the transport's external state (what `IMAPIStatus::ValidateState`
    /// on its status object asks).
    fn validate_state(&self, ui_param: usize, flags: u32) -> MapiResult<()> {
        let _ = (ui_param, flags);
        Err(MapiError::NoSupport)
    }

    /// `FlushQueues`: deliver every pending message now; `target_transport` (the transport's
    /// entry ID) is empty for none.
    fn flush_queues(
        &self,
        ui_param: usize,
        target_transport: &[u8],
        flags: FlushQueuesFlags,
    ) -> MapiResult<()> {
        let _ = (ui_param, target_transport, flags);
        Err(MapiError::NoSupport)
    }
}
