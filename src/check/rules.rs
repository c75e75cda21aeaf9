//! The rule catalogue: every contract the simulator checks, with a stable id, a one-line
//! statement and the documentation page that states it.

use std::fmt;

/// Who a rule binds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Bound {
    /// The service provider.
    Provider,
    /// The client application (the test).
    Client,
}

/// A contract from the MAPI documentation that the simulator checks.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// A stable identifier (`LOGON-ADDREF-SUPPORT`), for tests and for searching the docs.
    pub id: &'static str,
    /// The contract in one line.
    pub statement: &'static str,
    /// The page that states it: the name of a page of the Outlook MAPI reference, or a full
    /// address for a page elsewhere.
    pub page: &'static str,
    /// Who the rule binds.
    pub bound: Bound,
}

impl Rule {
    /// The address of the page that states the rule.
    pub fn url(&self) -> String {
        if self.page.starts_with("https://") {
            self.page.to_owned()
        } else {
            format!(
                "https://learn.microsoft.com/office/client-developer/outlook/mapi/{}",
                self.page
            )
        }
    }
}

impl fmt::Display for Rule {
    /// `ID: statement`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.id, self.statement)
    }
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $konst:ident = $id:literal, $bound:ident, $page:literal, $statement:literal; )*) => {
        $(
            $(#[$doc])*
            #[doc = concat!("\n\n`", $id, "`: ", $statement)]
            pub const $konst: Rule = Rule {
                id: $id,
                statement: $statement,
                page: $page,
                bound: Bound::$bound,
            };
        )*

        /// Every rule of the catalogue.
        pub const ALL: &[&Rule] = &[ $( &$konst, )* ];
    };
}

rules! {
    /// A profile names a DLL by its base name; the file MAPI loads has `32` inserted.
    LIB_FILE_NAME = "LIB-FILE-NAME", Provider, "registering-services-and-service-providers-in-mapisvc-inf",
        "The DLL a profile names is found under its file name: MAPI inserts 32 before the first period of the base name, even in a full path.";
    /// The entry point is found with `GetProcAddress` by its exact name.
    LIB_EXPORT = "LIB-EXPORT", Provider, "msproviderinit",
        "A store provider's DLL exports MSProviderInit.";
    /// MAPI pairs each `LoadLibrary` with a `FreeLibrary`; the last comes after the last `MAPIUninitialize`.
    LIB_FREE_PAIRED = "LIB-FREE-PAIRED", Client, "starting-a-service-provider",
        "Every LoadLibrary of a provider DLL is paired with a FreeLibrary by the end.";
    /// A DLL a provider loads itself is the provider's to free.
    LIB_LOAD_PAIRED = "LIB-LOAD-PAIRED", Provider, "https://learn.microsoft.com/windows/win32/api/libloaderapi/nf-libloaderapi-freelibrary",
        "A provider that loads a DLL itself (LoadLibrary) frees it (FreeLibrary) before its own DLL is unloaded.";
    /// Code of an unloaded DLL is gone: an object still alive would crash when next called.
    LIB_UNLOAD_LIVE = "LIB-UNLOAD-LIVE", Provider, "shutting-down-a-service-provider",
        "No object of a provider DLL is alive when the DLL is unloaded.";
    /// A provider object carries context, so every initialization needs its own.
    INIT_NEW_OBJECT = "INIT-NEW-OBJECT", Provider, "msproviderinit",
        "Each call of the entry point returns a new provider object.";
    /// SPI version negotiation, provider side.
    INIT_VERSION = "INIT-VERSION", Provider, "implementing-a-service-provider-entry-point-function",
        "An entry point that succeeds reports an SPI version no newer than MAPI's: a provider that needs a newer SPI fails with MAPI_E_VERSION.";
    /// SPI version negotiation, provider side: a range check, not an equality check.
    INIT_VERSION_RANGE = "INIT-VERSION-RANGE", Provider, "implementing-a-service-provider-entry-point-function",
        "An entry point fails with MAPI_E_VERSION only when the SPI version it needs is newer than MAPI's: it accepts a MAPI at least as new as its own SPI.";
    /// MAPI finds a store's profile section with `CompareStoreIDs`.
    COMPARE_STORE_IDS = "COMPARE-STORE-IDS", Provider, "imsprovider-comparestoreids",
        "CompareStoreIDs is an equivalence: an ID names the same store as itself, and the answer does not depend on the order of the two IDs.";
    /// Step 5 of loading a store provider.
    LOGON_ADDREF_SUPPORT = "LOGON-ADDREF-SUPPORT", Provider, "loading-message-store-providers",
        "A fresh Logon AddRefs the support object once and keeps it.";
    /// A fresh logon creates the logon and store objects together.
    LOGON_OBJECTS = "LOGON-OBJECTS", Provider, "imsprovider-logon",
        "A fresh Logon returns both a logon object and a store object.";
    /// Output parameters are left untouched on error; nothing taken is kept.
    LOGON_FAIL_CLEAN = "LOGON-FAIL-CLEAN", Provider, "imsprovider-logon",
        "A Logon that fails keeps no reference to the support object.";
    /// Already-open stores.
    LOGON_REUSE_NO_LOGON = "LOGON-REUSE-NO-LOGON", Provider, "imsprovider-logon",
        "A Logon on a store that is already open returns no logon object.";
    /// Already-open stores.
    LOGON_REUSE_SAME_STORE = "LOGON-REUSE-SAME-STORE", Provider, "imsprovider-logon",
        "A Logon on a store that is already open returns the existing store object.";
    /// Already-open stores.
    LOGON_REUSE_NO_ADDREF = "LOGON-REUSE-NO-ADDREF", Provider, "loading-message-store-providers",
        "A Logon on a store that is already open does not AddRef the support object.";
    /// Already-open stores.
    LOGON_REUSE_NO_SETUP = "LOGON-REUSE-NO-SETUP", Provider, "imsprovider-logon",
        "A Logon on a store that is already open registers no MAPIUID, adds or updates no status row, opens no profile section and returns no spool-security data.";
    /// Step 3 of the common logon contract.
    LOGON_ENTRYID = "LOGON-ENTRYID", Provider, "implementing-service-provider-logon",
        "A fresh Logon records the store's wrapped entry ID as PR_ENTRYID in its profile section.";
    /// The spooler logs on with the data Logon returned (when the spool-security behaviour is `Required`).
    LOGON_SPOOL_SECURITY = "LOGON-SPOOL-SECURITY", Provider, "imsprovider-spoolerlogon",
        "A fresh Logon returns the spool-security data the spooler needs to log on to the same store.";
    /// Step 7 of the common logon contract.
    LOGON_NO_SPOOLER_NOTIFY = "LOGON-NO-SPOOLER-NOTIFY", Provider, "implementing-service-provider-logon",
        "Logon does not call SpoolerNotify: it would wait for the spooler to start.";
    /// The required properties of a message store.
    STORE_REQUIRED_PROPS = "STORE-REQUIRED-PROPS", Provider, "imsgstoreimapiprop",
        "A store answers GetProps with PR_DISPLAY_NAME, PR_ENTRYID, PR_OBJECT_TYPE (MAPI_STORE), PR_RECORD_KEY, PR_STORE_ENTRYID, PR_STORE_RECORD_KEY, PR_MDB_PROVIDER and PR_STORE_SUPPORT_MASK.";
    /// Clients only ever see wrapped store entry IDs.
    STORE_WRAPPED_ENTRYID = "STORE-WRAPPED-ENTRYID", Provider, "imapisupport-wrapstoreentryid",
        "A store's PR_ENTRYID and PR_STORE_ENTRYID, and the PR_ENTRYID in its profile section, are wrapped store entry IDs naming the DLL as the profile registers it.";
    /// The store's final release hands the teardown to MAPI.
    STORE_RELEASES_SUPPORT = "STORE-RELEASES-SUPPORT", Provider, "shutting-down-a-message-store-provider",
        "The store object's final release releases the support object.";
    /// Step 9 of loading a store provider.
    SPOOLER_SAME_OBJECTS = "SPOOLER-SAME-OBJECTS", Provider, "loading-message-store-providers",
        "SpoolerLogon returns the same logon and store objects that Logon returned.";
    /// Steps 8 and 9 of loading a store provider: the spooler logs on to the store MAPI told it about.
    SPOOLER_LOGON = "SPOOLER-LOGON", Provider, "loading-message-store-providers",
        "SpoolerLogon succeeds for a store that Logon opened and that is still open: the spooler can log on to every store MAPI tells it about.";
    /// Store providers notify the spooler of two events only.
    SPOOLER_NOTIFY_FLAGS = "SPOOLER-NOTIFY-FLAGS", Provider, "imapisupport-spoolernotify",
        "A store provider passes only NOTIFY_NEWMAIL_RECEIVED or NOTIFY_READYTOSEND to SpoolerNotify.";
    /// One call per store shutdown.
    SLT_ONCE = "SLT-ONCE", Provider, "imapisupport-storelogofftransports",
        "StoreLogoffTransports is called exactly once per store shutdown.";
    /// The flag the client gave StoreLogoff, or LOGOFF_ABORT.
    SLT_SAVED_FLAG = "SLT-SAVED-FLAG", Provider, "imsgstore-storelogoff",
        "StoreLogoffTransports gets the flag the client passed to StoreLogoff, or LOGOFF_ABORT when the store is released without StoreLogoff.";
    /// When: see the `store_logoff_transports` behaviour.
    SLT_TIMING = "SLT-TIMING", Provider, "shutting-down-a-message-store-provider",
        "StoreLogoffTransports is called at the point the behaviour setting names: inside StoreLogoff, or from the store's final release.";
    /// What Logoff must leave behind.
    LOGON_RELEASED = "LOGON-RELEASED", Provider, "imslogon-logoff",
        "The logon object is destroyed when MAPI releases it after Logoff: nothing else holds it.";
    /// The support object's release removes them.
    TEARDOWN_ROW_UIDS = "TEARDOWN-ROW-UIDS", Provider, "shutting-down-a-message-store-provider",
        "When a store logon's teardown ends, its status row and its MAPIUIDs are gone.";
    /// Shutdown comes last.
    SHUTDOWN_AFTER_LOGONS = "SHUTDOWN-AFTER-LOGONS", Provider, "imsprovider-shutdown",
        "Shutdown comes only after every logon of the provider object was released.";
    /// Shutdown is the last call.
    SHUTDOWN_ONCE = "SHUTDOWN-ONCE", Provider, "imsprovider-shutdown",
        "Shutdown is called once per provider object.";
    /// Shutdown is the last call.
    NO_CALL_AFTER_SHUTDOWN = "NO-CALL-AFTER-SHUTDOWN", Provider, "imsprovider-shutdown",
        "Nothing calls a provider object after its Shutdown.";
    /// The provider object goes with MAPI's release.
    PROVIDER_RELEASED = "PROVIDER-RELEASED", Provider, "shutting-down-a-service-provider",
        "The provider object is destroyed when MAPI releases it after Shutdown: nothing else holds it.";
    /// Leaks that show at logoff.
    SESSION_LEAK = "SESSION-LEAK", Provider, "shutting-down-a-service-provider",
        "No object a provider made for a session is alive once the session is torn down and its client released its objects.";
    /// MAPI finds the service entry with `GetProcAddress` by the name the service section gives.
    SERVICE_ENTRY_EXPORT = "SERVICE-ENTRY-EXPORT", Provider, "msgserviceentry",
        "The DLL a service's PR_SERVICE_DLL_NAME names exports the entry point its PR_SERVICE_ENTRY_NAME names.";
    /// Removing a service must not fail.
    SERVICE_DELETE_OK = "SERVICE-DELETE-OK", Provider, "msgserviceentry",
        "The message-service entry point returns S_OK for MSG_SERVICE_DELETE.";
    /// UI only when the flags allow it.
    SERVICE_UI_ALLOWED = "SERVICE-UI-ALLOWED", Provider, "msgserviceentry",
        "The message-service entry point shows UI only when SERVICE_UI_ALLOWED or SERVICE_UI_ALWAYS is set.";
    /// Step 3 of the common logon contract.
    PROFILE_READ_ONLY = "PROFILE-READ-ONLY", Provider, "implementing-service-provider-logon",
        "A provider never writes PR_RESOURCE_FLAGS or PR_PROVIDER_DLL_NAME in its profile section while it logs on: they are read-only then.";
    /// The registered MAPIUID is a constant.
    UID_HARD_CODED = "UID-HARD-CODED", Provider, "imapisupport-newuid",
        "The MAPIUID a provider registers with SetProviderUID is a hard-coded constant, never one NewUID generated.";
    /// A panic is an exception crossing a COM interface.
    PROVIDER_PANIC = "PROVIDER-PANIC", Provider, "https://learn.microsoft.com/windows/win32/com/error-handling-in-com",
        "Provider code never panics across the boundary: a COM method reports failure with an HRESULT.";
    /// Reserved flags are zero; flags have known bits.
    SUPPORT_FLAGS = "SUPPORT-FLAGS", Provider, "imapisupportiunknown",
        "Flags passed to the support object carry only the bits the method defines (reserved flags are 0).";
    /// `MAPIAllocateMore` blocks belong to their root.
    MEM_FREE_LINKED = "MEM-FREE-LINKED", Provider, "mapiallocatemore",
        "A block made by MAPIAllocateMore is never freed on its own: one MAPIFreeBuffer of its root frees it.";
    /// A freed pointer is invalid.
    MEM_DOUBLE_FREE = "MEM-DOUBLE-FREE", Provider, "mapifreebuffer",
        "A buffer is freed once: after MAPIFreeBuffer the pointer is invalid.";
    /// MAPIFreeBuffer frees what MAPIAllocateBuffer made.
    MEM_FOREIGN_FREE = "MEM-FOREIGN-FREE", Provider, "mapifreebuffer",
        "MAPIFreeBuffer is given only buffers that MAPIAllocateBuffer (through the same routines) returned.";
    /// A freed pointer is invalid.
    MEM_USE_AFTER_FREE = "MEM-USE-AFTER-FREE", Provider, "mapifreebuffer",
        "A buffer is not read or written after it was freed.";
    /// The second argument of MAPIAllocateMore.
    MEM_MORE_ROOT = "MEM-MORE-ROOT", Provider, "mapiallocatemore",
        "MAPIAllocateMore links to a live buffer that MAPIAllocateBuffer returned, never to a freed or linked one.";
    /// Output parameters: the callee allocates, the caller frees.
    MEM_NOT_OWNER = "MEM-NOT-OWNER", Provider, "allocating-and-freeing-memory-in-mapi",
        "A buffer returned through an output parameter belongs to the caller, who frees it; the callee does not free it after returning it.";
    /// Output parameters: the callee allocates, the caller frees.
    MEM_OUT_ROOT = "MEM-OUT-ROOT", Provider, "allocating-and-freeing-memory-in-mapi",
        "Memory returned through an output parameter is a live root buffer from MAPIAllocateBuffer, so that the caller frees it with one MAPIFreeBuffer.";
    /// Output parameters: the caller frees.
    MEM_LEAK = "MEM-LEAK", Provider, "allocating-and-freeing-memory-in-mapi",
        "Every buffer is freed by whoever holds it last: none is live at the end.";
    /// lpMalloc is MAPI's: what a provider AddRef's it releases.
    MALLOC_HELD = "MALLOC-HELD", Provider, "msproviderinit",
        "A provider that AddRef'd lpMalloc releases it by the time it is shut down: no reference its DLL took remains once the DLL is unloaded.";
    /// COM's reference counting: a release for a reference one holds.
    OVER_RELEASE = "OVER-RELEASE", Provider, "https://learn.microsoft.com/windows/win32/api/unknwn/nf-unknwn-iunknown-release",
        "No counted object is released more often than it was AddRef'd: a Release is made only for a reference the caller holds.";
    /// lpMalloc is MAPI's.
    MALLOC_RELEASE = "MALLOC-RELEASE", Provider, "msproviderinit",
        "A provider releases lpMalloc only as often as it AddRef'd it: MAPI passes it without a reference for the provider.";
    /// A service provider inside a Windows service shows no UI.
    SERVICE_PROVIDER_NO_UI = "SERVICE-PROVIDER-NO-UI", Provider, "msproviderinit",
        "A provider loaded with MAPI_NT_SERVICE shows no user interface.";
    /// MAPIInitialize comes first, MAPIUninitialize last.
    CLIENT_INITIALIZED = "CLIENT-INITIALIZED", Client, "mapiinitialize",
        "No MAPI call comes before MAPIInitialize or after the last MAPIUninitialize, and MAPIUninitialize is never called more often than MAPIInitialize.";
    /// Calls must balance.
    CLIENT_INIT_BALANCED = "CLIENT-INIT-BALANCED", Client, "mapiuninitialize",
        "Every MAPIInitialize is balanced by a MAPIUninitialize before the end.";
    /// Ending a session.
    CLIENT_LOGOFF = "CLIENT-LOGOFF", Client, "ending-a-mapi-session",
        "Every session is logged off before the last MAPIUninitialize.";
    /// Ending a session.
    CLIENT_RELEASE = "CLIENT-RELEASE", Client, "ending-a-mapi-session",
        "The client releases every object it holds before the last MAPIUninitialize.";
    /// After IMAPISession::Logoff.
    CLIENT_SESSION_ENDED = "CLIENT-SESSION-ENDED", Client, "imapisession-logoff",
        "No call uses a session, or an object opened in it, after the session was logged off.";
    /// StoreLogoff's input flags are mutually exclusive.
    CLIENT_STORELOGOFF_FLAG = "CLIENT-STORELOGOFF-FLAG", Client, "imsgstore-storelogoff",
        "IMsgStore::StoreLogoff gets exactly one input flag and no unknown bits.";
    /// Windows-service clients.
    SERVICE_NT_FLAG = "SERVICE-NT-FLAG", Client, "calling-mapi-from-windows-services",
        "A client running as a Windows service sets MAPI_NT_SERVICE both in MAPIInitialize and in MAPILogonEx.";
    /// Windows-service clients.
    SERVICE_NO_MAIL = "SERVICE-NO-MAIL", Client, "calling-mapi-from-windows-services",
        "A client running as a Windows service logs on with MAPI_NO_MAIL.";
    /// Windows-service clients.
    SERVICE_NO_UI = "SERVICE-NO-UI", Client, "calling-mapi-from-windows-services",
        "A client running as a Windows service asks for no user interface (logon, password, service or configuration UI).";
    /// The notification window of the first MAPIInitialize.
    NOTIFY_PUMP = "NOTIFY-PUMP", Client, "calling-mapi-from-windows-services",
        "The thread that initialized MAPI without MAPI_MULTITHREAD_NOTIFICATIONS pumps its messages, or its notifications are never delivered.";
    /// Ending a session.
    OLE_UNINIT_ORDER = "OLE-UNINIT-ORDER", Client, "ending-a-mapi-session",
        "A client that called OleInitialize calls OleUninitialize before the last MAPIUninitialize.";
    /// MAPI_NO_COINIT.
    COM_NO_COINIT = "COM-NO-COINIT", Client, "mapiinit_0",
        "A client that passes MAPI_NO_COINIT has initialized COM on the thread before MAPIInitialize.";
}

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}
