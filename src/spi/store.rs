//! The message-store provider interfaces: `IMSProvider`, `IMSLogon`, `IMsgStore`.

use std::fmt;

use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{EventMask, LockState, LogoffFlags, SpoolerLogonFlags, StoreLogonFlags};
use crate::ids::Iid;
use crate::object::{Ref, Unknown};
use crate::spi::library::OutParam;
use crate::spi::memory::{BufferId, MapiBuffer};
use crate::spi::support::{AdviseSink, MapiErrorInfo, MapiProp, MapiSupport, Notification, OpenedEntry};
use crate::strings::{TStr, TString};

/// The arguments of `IMSProvider::Logon`.
#[derive(Debug)]
pub struct StoreLogonArgs<'a> {
    /// `lpMAPISup`: the support object of this store logon. A fresh logon AddRefs it (clones the
    /// `Ref`) and keeps it; a logon on a store that is already open must not.
    pub support: &'a Ref<dyn MapiSupport>,
    /// `ulUIParam`: the parent window for dialogs (0 in the simulator).
    pub ui_param: usize,
    /// `lpszProfileName`: UTF-16 when `flags` carry `MAPI_UNICODE`, 8-bit otherwise (the
    /// simulator passes it 8-bit, without the flag).
    pub profile_name: TStr<'a>,
    /// `lpEntryID`: the store's **unwrapped** entry ID — or `None` on the first open of a store
    /// that has none yet.
    ///
    /// The first time, the client opens the store from the message-stores table, whose entry ID
    /// MAPI made for the provider's profile section (it names the section, not a store). MAPI then
    /// passes `None`, and the provider makes its store's entry ID itself, from what its profile
    /// section holds (its `PR_PROVIDER_UID`, a path, a server name), records it **wrapped**
    /// (`IMAPISupport::WrapStoreEntryID`) as `PR_ENTRYID` in that section (`LOGON-ENTRYID`), and
    /// returns it as the store's `PR_ENTRYID` and `PR_STORE_ENTRYID`. From then on the table shows
    /// that ID, and a later open passes it here unwrapped: look it up among the open stores first
    /// (a reuse). The sample provider's `Logon` shows both cases.
    pub entry_id: Option<&'a [u8]>,
    /// `ulFlags`.
    pub flags: StoreLogonFlags,
    /// `lpInterface`: `None` or `IID_IMsgStore` asks for `IMsgStore`.
    pub interface: Option<Iid>,
    /// `*lppMAPIError`: extended information about a failure (or a warning), which the provider
    /// may write whatever the call returns: a `MAPIERROR` allocated with the routines MAPI gave
    /// the entry point ([`MemRoutines::allocate_value`](crate::spi::MemRoutines::allocate_value)),
    /// its strings Unicode when `flags` carry `MAPI_UNICODE`. MAPI reads and frees it.
    pub mapi_error: &'a OutParam<MapiBuffer<MapiErrorInfo>>,
}

/// The arguments of `IMSProvider::SpoolerLogon`.
#[derive(Debug)]
pub struct SpoolerLogonArgs<'a> {
    /// `lpMAPISup`: the support object of the store logon.
    pub support: &'a Ref<dyn MapiSupport>,
    /// `ulUIParam`.
    pub ui_param: usize,
    /// `lpszProfileName`, as for `Logon` ([`StoreLogonArgs::profile_name`]).
    pub profile_name: TStr<'a>,
    /// `lpEntryID`: the store's unwrapped entry ID, as `Logon` got it.
    pub entry_id: Option<&'a [u8]>,
    /// `ulFlags`.
    pub flags: SpoolerLogonFlags,
    /// `lpInterface`.
    pub interface: Option<Iid>,
    /// `lpbSpoolSecurity`: the blob `Logon` returned (empty if it returned none).
    pub spool_security: &'a [u8],
    /// `*lppMAPIError`, as for `Logon` ([`StoreLogonArgs::mapi_error`]).
    pub mapi_error: &'a OutParam<MapiBuffer<MapiErrorInfo>>,
}

/// What `Logon` and `SpoolerLogon` return.
pub struct StoreLogon {
    /// `*lppMSLogon`: the new logon object on a fresh logon; `None` when the store was already open.
    pub logon: Option<Ref<dyn MsLogon>>,
    /// `*lppMDB`: the store object (the existing one, AddRef'd, when it was already open).
    pub store: Ref<dyn MsgStore>,
    /// `*lppbSpoolSecurity`: data the spooler needs to log on to the same store (no pointers),
    /// in a buffer the provider allocates ([`MemRoutines::allocate_bytes`](crate::spi::MemRoutines::allocate_bytes))
    /// and MAPI frees; `None` for none. Only a fresh logon returns it.
    pub spool_security: Option<BufferId>,
}

impl fmt::Debug for StoreLogon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreLogon")
            .field("logon", &self.logon)
            .field("store", &self.store)
            .field("spool_security", &self.spool_security)
            .finish()
    }
}

/// `IMSProvider`: the store provider object an entry point returns. MAPI keeps one per session
/// per provider DLL; the spooler uses it too. (Panics, threads and reference counts: see
/// [the module](crate::spi#panics-threads-and-counts).)
pub trait MsProvider: Send + Sync {
    /// `Shutdown`: called just before MAPI releases the provider object, after every logon object
    /// of the provider was released. `flags` is reserved (0).
    fn shutdown(&self, flags: u32) -> MapiResult<()>;

    /// `Logon`: logs MAPI on to a store. A fresh logon creates the logon and store objects,
    /// AddRefs and keeps the support object, registers its MAPIUID, writes its profile
    /// properties, adds its status row, and may return a spool-security blob. On a store that is
    /// already open (check `entry_id` against the open stores first) it returns the existing store
    /// AddRef'd, no logon object, and does nothing else.
    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>>;

    /// `SpoolerLogon`: logs the spooler on to a store `Logon` opened. Returns the **same** logon
    /// and store objects.
    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>>;

    /// `CompareStoreIDs`: whether two unwrapped store entry IDs of this provider name the same
    /// store. May be called with no store open. `flags` is reserved (0).
    fn compare_store_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool>;
}

/// `IMSLogon`: the logon object, one-to-one with a store object; called only by MAPI. (Panics,
/// threads and reference counts: see [the module](crate::spi#panics-threads-and-counts).)
pub trait MsLogon: Send + Sync {
    /// `GetLastError`.
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        let _ = (hresult, flags);
        Err(MapiError::NoSupport)
    }

    /// `Logoff`: forcible shutdown of this store logon; releases every open object, sub-object
    /// and status object. `flags` is reserved (0).
    fn logoff(&self, flags: u32) -> MapiResult<()>;

    /// `OpenEntry`: MAPI routes `IMAPISession::OpenEntry` here for entry IDs carrying a MAPIUID
    /// this logon registered.
    fn open_entry(&self, entry_id: &[u8], interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry> {
        let _ = (entry_id, interface, flags);
        Err(MapiError::NoSupport)
    }

    /// `CompareEntryIDs`.
    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        let _ = (a, b, flags);
        Err(MapiError::NoSupport)
    }

    /// `Advise`: registers `sink` (AddRef it while registered); returns a nonzero connection.
    fn advise(
        &self,
        entry_id: Option<&[u8]>,
        mask: EventMask,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        let _ = (entry_id, mask, sink);
        Err(MapiError::NoSupport)
    }

    /// `Unadvise`.
    fn unadvise(&self, connection: usize) -> MapiResult<()> {
        let _ = connection;
        Err(MapiError::NoSupport)
    }

    /// `OpenStatusEntry`: the store's status object (`MAPI_STATUS`).
    fn open_status_entry(&self, interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry> {
        let _ = (interface, flags);
        Err(MapiError::NoSupport)
    }
}

/// `IMsgStore`: the store object clients use. Its `IMAPIProp` part must answer `GetProps` with the
/// required store properties (`PR_DISPLAY_NAME`, `PR_ENTRYID`, `PR_OBJECT_TYPE`, `PR_RECORD_KEY`,
/// `PR_STORE_ENTRYID`, `PR_STORE_RECORD_KEY`, `PR_MDB_PROVIDER`, `PR_STORE_SUPPORT_MASK`), with the
/// entry IDs wrapped. Its final release (`Drop`) is where a store that was never logged off calls
/// `StoreLogoffTransports` and lets go of its support object: keep it from panicking (see
/// [the module](crate::spi#panics-threads-and-counts)).
///
/// The methods follow the vtable: `Advise` (slot 14) to `NotifyNewMail` (slot 26), after
/// `IMAPIProp`'s. All but `StoreLogoff` default to `MAPI_E_NO_SUPPORT`.
pub trait MsgStore: MapiProp {
    /// `Advise`.
    fn advise(
        &self,
        entry_id: Option<&[u8]>,
        mask: EventMask,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        let _ = (entry_id, mask, sink);
        Err(MapiError::NoSupport)
    }

    /// `Unadvise`.
    fn unadvise(&self, connection: usize) -> MapiResult<()> {
        let _ = connection;
        Err(MapiError::NoSupport)
    }

    /// `CompareEntryIDs`.
    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        let _ = (a, b, flags);
        Err(MapiError::NoSupport)
    }

    /// `OpenEntry`.
    fn open_entry(
        &self,
        entry_id: Option<&[u8]>,
        interface: Option<Iid>,
        flags: u32,
    ) -> MapiResult<OpenedEntry> {
        let _ = (entry_id, interface, flags);
        Err(MapiError::NoSupport)
    }

    /// `SetReceiveFolder`: `message_class` is UTF-16 when `flags` carry `MAPI_UNICODE`.
    fn set_receive_folder(&self, message_class: TStr<'_>, flags: u32, entry_id: &[u8]) -> MapiResult<()> {
        let _ = (message_class, flags, entry_id);
        Err(MapiError::NoSupport)
    }

    /// `GetReceiveFolder`: the folder's entry ID and the explicit class that matched.
    fn get_receive_folder(&self, message_class: TStr<'_>, flags: u32) -> MapiResult<(Vec<u8>, TString)> {
        let _ = (message_class, flags);
        Err(MapiError::NoSupport)
    }

    /// `GetReceiveFolderTable(ulFlags, lppTable)`: the table of receive-folder settings (message
    /// class, folder entry ID), as the `IMAPITable` object (`*lppTable`, one reference the caller
    /// owns). `flags`: `MAPI_DEFERRED_ERRORS`, `MAPI_UNICODE`.
    fn get_receive_folder_table(&self, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `StoreLogoff`: an orderly logoff. `flags` carries exactly one input flag; the store saves
    /// it and passes the same flag, once, to `IMAPISupport::StoreLogoffTransports`. Returns the
    /// output flags.
    fn store_logoff(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags>;

    /// `AbortSubmit`.
    fn abort_submit(&self, entry_id: &[u8], flags: u32) -> MapiResult<()> {
        let _ = (entry_id, flags);
        Err(MapiError::NoSupport)
    }

    /// `GetOutgoingQueue(ulFlags, lppTable)` (the spooler's): the table of messages waiting to be
    /// sent, as the `IMAPITable` object (`*lppTable`, one reference the caller owns). `flags` is
    /// reserved (0).
    fn get_outgoing_queue(&self, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `SetLockState(lpMessage, ulLockState)` (the spooler's): locks a message the spooler is
    /// sending ([`LockState::Locked`], `MSG_LOCKED`) or unlocks it ([`LockState::Unlocked`],
    /// `MSG_UNLOCKED`), so that the client cannot change it meanwhile.
    fn set_lock_state(&self, message: &Ref<dyn MapiProp>, state: LockState) -> MapiResult<()> {
        let _ = (message, state);
        Err(MapiError::NoSupport)
    }

    /// `FinishedMsg` (the spooler's).
    fn finished_msg(&self, flags: u32, entry_id: &[u8]) -> MapiResult<()> {
        let _ = (flags, entry_id);
        Err(MapiError::NoSupport)
    }

    /// `NotifyNewMail` (the spooler's).
    fn notify_new_mail(&self, notification: &Notification) -> MapiResult<()> {
        let _ = notification;
        Err(MapiError::NoSupport)
    }
}
