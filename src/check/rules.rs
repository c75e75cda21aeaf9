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

/// How binding a rule is, from the words of the page that states it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Severity {
    /// The page says *must* (or states what MAPI depends on): breaking it is a violation, and the
    /// report is not clean.
    Must,
    /// The page says *should*, or gives performance advice: breaking it is an advisory, listed in
    /// the report and the trace, which does not make the report unclean unless the test asks for
    /// the pedantic level.
    Should,
}

/// Why the simulator holds a provider or a client to a rule.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Basis {
    /// The page states it.
    Stated,
    /// It follows from what the pages state (from what, in a few words).
    Derived(&'static str),
    /// The pages disagree; the [`Behavior`](crate::runtime::Behavior) setting named here chooses
    /// the reading.
    Contested(&'static str),
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Basis::Stated => f.write_str("stated by the page"),
            Basis::Derived(from) => write!(f, "derived from {from}"),
            Basis::Contested(setting) => write!(f, "contested between pages; the setting {setting} chooses"),
        }
    }
}

/// A contract from the MAPI documentation that the simulator checks.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// A stable identifier (`LOGON-ADDREF-SUPPORT`), for tests and for searching the docs.
    pub id: &'static str,
    /// The contract in one line: exactly what the check fires on.
    pub statement: &'static str,
    /// The page that states it: the name of a page of the Outlook MAPI reference, or a full
    /// address for a page elsewhere.
    pub page: &'static str,
    /// Who the rule binds.
    pub bound: Bound,
    /// Must or should, as the page words it.
    pub severity: Severity,
    /// The sentence of the page the rule rests on, verbatim (shortened with "…").
    pub quote: &'static str,
    /// Whether the page states it, or it is derived, or contested.
    pub basis: Basis,
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
    ($(
        $(#[$doc:meta])*
        $konst:ident = $id:literal {
            bound: $bound:ident,
            severity: $severity:ident,
            page: $page:literal,
            statement: $statement:literal,
            quote: $quote:literal,
            basis: $basis:ident $(($because:literal))?,
        }
    )*) => {
        $(
            $(#[$doc])*
            #[doc = concat!("\n\n`", $id, "`: ", $statement)]
            #[doc = concat!("\n\n> ", $quote)]
            pub const $konst: Rule = Rule {
                id: $id,
                statement: $statement,
                page: $page,
                bound: Bound::$bound,
                severity: Severity::$severity,
                quote: $quote,
                basis: Basis::$basis $(($because))?,
            };
        )*

        /// Every rule of the catalogue.
        pub const ALL: &[&Rule] = &[ $( &$konst, )* ];
    };
}

rules! {
    /// A profile names a DLL by its base name; the file MAPI loads has `32` inserted.
    LIB_FILE_NAME = "LIB-FILE-NAME" {
        bound: Provider,
        severity: Must,
        page: "registering-services-and-service-providers-in-mapisvc-inf",
        statement: "The DLL a profile names is found under its file name: MAPI inserts 32 before the first period of the base name, even in a full path.",
        quote: "",
        basis: Stated,
    }
    /// The entry point is found with `GetProcAddress` by its exact name.
    LIB_EXPORT = "LIB-EXPORT" {
        bound: Provider,
        severity: Must,
        page: "msproviderinit",
        statement: "A store provider's DLL exports MSProviderInit.",
        quote: "",
        basis: Stated,
    }
    /// MAPI pairs each `LoadLibrary` with a `FreeLibrary`; the last comes after the last `MAPIUninitialize`.
    LIB_FREE_PAIRED = "LIB-FREE-PAIRED" {
        bound: Client,
        severity: Must,
        page: "starting-a-service-provider",
        statement: "Every LoadLibrary of a provider DLL is paired with a FreeLibrary by the end.",
        quote: "",
        basis: Stated,
    }
    /// A DLL a provider loads itself is the provider's to free.
    LIB_LOAD_PAIRED = "LIB-LOAD-PAIRED" {
        bound: Provider,
        severity: Must,
        page: "https://learn.microsoft.com/windows/win32/api/libloaderapi/nf-libloaderapi-freelibrary",
        statement: "A provider that loads a DLL itself (LoadLibrary) frees it (FreeLibrary) before its own DLL is unloaded.",
        quote: "",
        basis: Stated,
    }
    /// Code of an unloaded DLL is gone: an object still alive would crash when next called.
    LIB_UNLOAD_LIVE = "LIB-UNLOAD-LIVE" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-service-provider",
        statement: "No object of a provider DLL is alive when the DLL is unloaded.",
        quote: "",
        basis: Stated,
    }
    /// A provider object carries context, so every initialization needs its own.
    INIT_NEW_OBJECT = "INIT-NEW-OBJECT" {
        bound: Provider,
        severity: Must,
        page: "msproviderinit",
        statement: "Each call of the entry point returns a new provider object.",
        quote: "",
        basis: Stated,
    }
    /// SPI version negotiation, provider side.
    INIT_VERSION = "INIT-VERSION" {
        bound: Provider,
        severity: Must,
        page: "implementing-a-service-provider-entry-point-function",
        statement: "An entry point that succeeds reports an SPI version no newer than MAPI's: a provider that needs a newer SPI fails with MAPI_E_VERSION.",
        quote: "",
        basis: Stated,
    }
    /// SPI version negotiation, provider side: a range check, not an equality check.
    INIT_VERSION_RANGE = "INIT-VERSION-RANGE" {
        bound: Provider,
        severity: Must,
        page: "implementing-a-service-provider-entry-point-function",
        statement: "An entry point fails with MAPI_E_VERSION only when the SPI version it needs is newer than MAPI's: it accepts a MAPI at least as new as its own SPI.",
        quote: "",
        basis: Stated,
    }
    /// MAPI finds a store's profile section with `CompareStoreIDs`.
    COMPARE_STORE_IDS = "COMPARE-STORE-IDS" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-comparestoreids",
        statement: "CompareStoreIDs is an equivalence: an ID names the same store as itself, and the answer does not depend on the order of the two IDs.",
        quote: "",
        basis: Stated,
    }
    /// Step 5 of loading a store provider.
    LOGON_ADDREF_SUPPORT = "LOGON-ADDREF-SUPPORT" {
        bound: Provider,
        severity: Must,
        page: "loading-message-store-providers",
        statement: "A fresh Logon AddRefs the support object once and keeps it.",
        quote: "",
        basis: Stated,
    }
    /// A fresh logon creates the logon and store objects together.
    LOGON_OBJECTS = "LOGON-OBJECTS" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "A fresh Logon returns both a logon object and a store object.",
        quote: "",
        basis: Stated,
    }
    /// Output parameters are left untouched on error; nothing taken is kept.
    LOGON_FAIL_CLEAN = "LOGON-FAIL-CLEAN" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "A Logon that fails keeps no reference to the support object.",
        quote: "",
        basis: Stated,
    }
    /// Already-open stores.
    LOGON_REUSE_NO_LOGON = "LOGON-REUSE-NO-LOGON" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "A Logon on a store that is already open returns no logon object.",
        quote: "",
        basis: Stated,
    }
    /// Already-open stores.
    LOGON_REUSE_SAME_STORE = "LOGON-REUSE-SAME-STORE" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "A Logon on a store that is already open returns the existing store object.",
        quote: "",
        basis: Stated,
    }
    /// Already-open stores.
    LOGON_REUSE_NO_ADDREF = "LOGON-REUSE-NO-ADDREF" {
        bound: Provider,
        severity: Must,
        page: "loading-message-store-providers",
        statement: "A Logon on a store that is already open does not AddRef the support object.",
        quote: "",
        basis: Stated,
    }
    /// Already-open stores.
    LOGON_REUSE_NO_SETUP = "LOGON-REUSE-NO-SETUP" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "A Logon on a store that is already open registers no MAPIUID, adds or updates no status row, opens no profile section and returns no spool-security data.",
        quote: "",
        basis: Stated,
    }
    /// Step 3 of the common logon contract.
    LOGON_ENTRYID = "LOGON-ENTRYID" {
        bound: Provider,
        severity: Must,
        page: "implementing-service-provider-logon",
        statement: "A fresh Logon records the store's wrapped entry ID as PR_ENTRYID in its profile section.",
        quote: "",
        basis: Stated,
    }
    /// The spooler logs on with the data Logon returned (when the spool-security behaviour is `Required`).
    LOGON_SPOOL_SECURITY = "LOGON-SPOOL-SECURITY" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-spoolerlogon",
        statement: "A fresh Logon returns the spool-security data the spooler needs to log on to the same store.",
        quote: "",
        basis: Stated,
    }
    /// Step 7 of the common logon contract.
    LOGON_NO_SPOOLER_NOTIFY = "LOGON-NO-SPOOLER-NOTIFY" {
        bound: Provider,
        severity: Should,
        page: "implementing-service-provider-logon",
        statement: "Logon avoids SpoolerNotify and PrepareSubmit: both wait for the spooler to start (advice for a fast logon).",
        quote: "",
        basis: Stated,
    }
    /// The required properties of a message store.
    STORE_REQUIRED_PROPS = "STORE-REQUIRED-PROPS" {
        bound: Provider,
        severity: Must,
        page: "imsgstoreimapiprop",
        statement: "A store answers GetProps with PR_DISPLAY_NAME, PR_ENTRYID, PR_OBJECT_TYPE (MAPI_STORE), PR_RECORD_KEY, PR_STORE_ENTRYID, PR_STORE_RECORD_KEY, PR_MDB_PROVIDER and PR_STORE_SUPPORT_MASK.",
        quote: "",
        basis: Stated,
    }
    /// Clients only ever see wrapped store entry IDs.
    STORE_WRAPPED_ENTRYID = "STORE-WRAPPED-ENTRYID" {
        bound: Provider,
        severity: Must,
        page: "imapisupport-wrapstoreentryid",
        statement: "A store's PR_ENTRYID and PR_STORE_ENTRYID, and the PR_ENTRYID in its profile section, are wrapped store entry IDs naming the DLL as the profile registers it.",
        quote: "",
        basis: Stated,
    }
    /// The store's final release hands the teardown to MAPI.
    STORE_RELEASES_SUPPORT = "STORE-RELEASES-SUPPORT" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-message-store-provider",
        statement: "The store object's final release releases the support object.",
        quote: "",
        basis: Stated,
    }
    /// Step 9 of loading a store provider.
    SPOOLER_SAME_OBJECTS = "SPOOLER-SAME-OBJECTS" {
        bound: Provider,
        severity: Must,
        page: "loading-message-store-providers",
        statement: "SpoolerLogon returns the same logon and store objects that Logon returned.",
        quote: "",
        basis: Stated,
    }
    /// Steps 8 and 9 of loading a store provider: the spooler logs on to the store MAPI told it about.
    SPOOLER_LOGON = "SPOOLER-LOGON" {
        bound: Provider,
        severity: Must,
        page: "loading-message-store-providers",
        statement: "SpoolerLogon succeeds for a store that Logon opened and that is still open: the spooler can log on to every store MAPI tells it about.",
        quote: "",
        basis: Stated,
    }
    /// Store providers notify the spooler of two events only.
    SPOOLER_NOTIFY_FLAGS = "SPOOLER-NOTIFY-FLAGS" {
        bound: Provider,
        severity: Must,
        page: "imapisupport-spoolernotify",
        statement: "A store provider passes only NOTIFY_NEWMAIL_RECEIVED or NOTIFY_READYTOSEND to SpoolerNotify.",
        quote: "",
        basis: Stated,
    }
    /// One call per store shutdown.
    SLT_ONCE = "SLT-ONCE" {
        bound: Provider,
        severity: Must,
        page: "imapisupport-storelogofftransports",
        statement: "StoreLogoffTransports is called exactly once per store shutdown.",
        quote: "",
        basis: Stated,
    }
    /// The flag the client gave StoreLogoff, or LOGOFF_ABORT.
    SLT_SAVED_FLAG = "SLT-SAVED-FLAG" {
        bound: Provider,
        severity: Must,
        page: "imsgstore-storelogoff",
        statement: "StoreLogoffTransports gets the flag the client passed to StoreLogoff, or LOGOFF_ABORT when the store is released without StoreLogoff.",
        quote: "",
        basis: Stated,
    }
    /// When: see the `store_logoff_transports` behaviour.
    SLT_TIMING = "SLT-TIMING" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-message-store-provider",
        statement: "StoreLogoffTransports is called at the point the behaviour setting names: inside StoreLogoff, or from the store's final release.",
        quote: "",
        basis: Stated,
    }
    /// What Logoff must leave behind.
    LOGON_RELEASED = "LOGON-RELEASED" {
        bound: Provider,
        severity: Must,
        page: "imslogon-logoff",
        statement: "The logon object is destroyed when MAPI releases it after Logoff: nothing else holds it.",
        quote: "",
        basis: Stated,
    }
    /// The support object's release removes them.
    TEARDOWN_ROW_UIDS = "TEARDOWN-ROW-UIDS" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-message-store-provider",
        statement: "When a store logon's teardown ends, its status row and its MAPIUIDs are gone.",
        quote: "",
        basis: Stated,
    }
    /// Shutdown comes last.
    SHUTDOWN_AFTER_LOGONS = "SHUTDOWN-AFTER-LOGONS" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-shutdown",
        statement: "Shutdown comes only after every logon of the provider object was released.",
        quote: "",
        basis: Stated,
    }
    /// Shutdown is the last call.
    SHUTDOWN_ONCE = "SHUTDOWN-ONCE" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-shutdown",
        statement: "Shutdown is called once per provider object.",
        quote: "",
        basis: Stated,
    }
    /// Shutdown is the last call.
    NO_CALL_AFTER_SHUTDOWN = "NO-CALL-AFTER-SHUTDOWN" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-shutdown",
        statement: "Nothing calls a provider object after its Shutdown.",
        quote: "",
        basis: Stated,
    }
    /// The provider object goes with MAPI's release.
    PROVIDER_RELEASED = "PROVIDER-RELEASED" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-service-provider",
        statement: "The provider object is destroyed when MAPI releases it after Shutdown: nothing else holds it.",
        quote: "",
        basis: Stated,
    }
    /// Leaks that show at logoff.
    SESSION_LEAK = "SESSION-LEAK" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-service-provider",
        statement: "No object a provider made for a session is alive once the session is torn down and its client released its objects.",
        quote: "",
        basis: Stated,
    }
    /// MAPI finds the service entry with `GetProcAddress` by the name the service section gives.
    SERVICE_ENTRY_EXPORT = "SERVICE-ENTRY-EXPORT" {
        bound: Provider,
        severity: Must,
        page: "msgserviceentry",
        statement: "The DLL a service's PR_SERVICE_DLL_NAME names exports the entry point its PR_SERVICE_ENTRY_NAME names.",
        quote: "",
        basis: Stated,
    }
    /// Removing a service must not fail.
    SERVICE_DELETE_OK = "SERVICE-DELETE-OK" {
        bound: Provider,
        severity: Must,
        page: "msgserviceentry",
        statement: "The message-service entry point returns S_OK for MSG_SERVICE_DELETE.",
        quote: "",
        basis: Stated,
    }
    /// UI only when the flags allow it.
    SERVICE_UI_ALLOWED = "SERVICE-UI-ALLOWED" {
        bound: Provider,
        severity: Must,
        page: "msgserviceentry",
        statement: "The message-service entry point shows UI only when SERVICE_UI_ALLOWED or SERVICE_UI_ALWAYS is set.",
        quote: "",
        basis: Stated,
    }
    /// Step 3 of the common logon contract.
    PROFILE_READ_ONLY = "PROFILE-READ-ONLY" {
        bound: Provider,
        severity: Must,
        page: "implementing-service-provider-logon",
        statement: "A provider never writes PR_RESOURCE_FLAGS or PR_PROVIDER_DLL_NAME in its profile section while it logs on: they are read-only then.",
        quote: "",
        basis: Stated,
    }
    /// The registered MAPIUID is a constant.
    UID_HARD_CODED = "UID-HARD-CODED" {
        bound: Provider,
        severity: Must,
        page: "imapisupport-newuid",
        statement: "The MAPIUID a provider registers with SetProviderUID is a hard-coded constant, never one NewUID generated.",
        quote: "",
        basis: Stated,
    }
    /// A panic is an exception crossing a COM interface.
    PROVIDER_PANIC = "PROVIDER-PANIC" {
        bound: Provider,
        severity: Must,
        page: "https://learn.microsoft.com/windows/win32/com/error-handling-in-com",
        statement: "Provider code never panics across the boundary: a COM method reports failure with an HRESULT.",
        quote: "",
        basis: Stated,
    }
    /// Reserved flags are zero; flags have known bits.
    SUPPORT_FLAGS = "SUPPORT-FLAGS" {
        bound: Provider,
        severity: Must,
        page: "imapisupportiunknown",
        statement: "Flags passed to the support object carry only the bits the method defines (reserved flags are 0).",
        quote: "",
        basis: Stated,
    }
    /// `MAPIAllocateMore` blocks belong to their root.
    MEM_FREE_LINKED = "MEM-FREE-LINKED" {
        bound: Provider,
        severity: Must,
        page: "mapiallocatemore",
        statement: "A block made by MAPIAllocateMore is never freed on its own: one MAPIFreeBuffer of its root frees it.",
        quote: "",
        basis: Stated,
    }
    /// A freed pointer is invalid.
    MEM_DOUBLE_FREE = "MEM-DOUBLE-FREE" {
        bound: Provider,
        severity: Must,
        page: "mapifreebuffer",
        statement: "A buffer is freed once: after MAPIFreeBuffer the pointer is invalid.",
        quote: "",
        basis: Stated,
    }
    /// MAPIFreeBuffer frees what MAPIAllocateBuffer made.
    MEM_FOREIGN_FREE = "MEM-FOREIGN-FREE" {
        bound: Provider,
        severity: Must,
        page: "mapifreebuffer",
        statement: "MAPIFreeBuffer is given only buffers that MAPIAllocateBuffer (through the same routines) returned.",
        quote: "",
        basis: Stated,
    }
    /// A freed pointer is invalid.
    MEM_USE_AFTER_FREE = "MEM-USE-AFTER-FREE" {
        bound: Provider,
        severity: Must,
        page: "mapifreebuffer",
        statement: "A buffer is not read or written after it was freed.",
        quote: "",
        basis: Stated,
    }
    /// The second argument of MAPIAllocateMore.
    MEM_MORE_ROOT = "MEM-MORE-ROOT" {
        bound: Provider,
        severity: Must,
        page: "mapiallocatemore",
        statement: "MAPIAllocateMore links to a live buffer that MAPIAllocateBuffer returned, never to a freed or linked one.",
        quote: "",
        basis: Stated,
    }
    /// Output parameters: the callee allocates, the caller frees.
    MEM_NOT_OWNER = "MEM-NOT-OWNER" {
        bound: Provider,
        severity: Must,
        page: "allocating-and-freeing-memory-in-mapi",
        statement: "A buffer returned through an output parameter belongs to the caller, who frees it; the callee does not free it after returning it.",
        quote: "",
        basis: Stated,
    }
    /// Output parameters: the callee allocates, the caller frees.
    MEM_OUT_ROOT = "MEM-OUT-ROOT" {
        bound: Provider,
        severity: Must,
        page: "allocating-and-freeing-memory-in-mapi",
        statement: "Memory returned through an output parameter is a live root buffer from MAPIAllocateBuffer, so that the caller frees it with one MAPIFreeBuffer.",
        quote: "",
        basis: Stated,
    }
    /// Output parameters: the caller frees.
    MEM_LEAK = "MEM-LEAK" {
        bound: Provider,
        severity: Must,
        page: "allocating-and-freeing-memory-in-mapi",
        statement: "Every buffer is freed by whoever holds it last: none is live at the end.",
        quote: "",
        basis: Stated,
    }
    /// lpMalloc is MAPI's: what a provider AddRef's it releases.
    MALLOC_HELD = "MALLOC-HELD" {
        bound: Provider,
        severity: Must,
        page: "msproviderinit",
        statement: "A provider that AddRef'd lpMalloc releases it by the time it is shut down: no reference its DLL took remains once the DLL is unloaded.",
        quote: "",
        basis: Stated,
    }
    /// COM's reference counting: a release for a reference one holds.
    OVER_RELEASE = "OVER-RELEASE" {
        bound: Provider,
        severity: Must,
        page: "https://learn.microsoft.com/windows/win32/api/unknwn/nf-unknwn-iunknown-release",
        statement: "No counted object is released more often than it was AddRef'd: a Release is made only for a reference the caller holds.",
        quote: "",
        basis: Stated,
    }
    /// lpMalloc is MAPI's.
    MALLOC_RELEASE = "MALLOC-RELEASE" {
        bound: Provider,
        severity: Must,
        page: "msproviderinit",
        statement: "A provider releases lpMalloc only as often as it AddRef'd it: MAPI passes it without a reference for the provider.",
        quote: "",
        basis: Stated,
    }
    /// A service provider inside a Windows service shows no UI.
    SERVICE_PROVIDER_NO_UI = "SERVICE-PROVIDER-NO-UI" {
        bound: Provider,
        severity: Must,
        page: "msproviderinit",
        statement: "A provider loaded with MAPI_NT_SERVICE shows no user interface.",
        quote: "",
        basis: Stated,
    }
    /// MAPIInitialize comes first, MAPIUninitialize last.
    CLIENT_INITIALIZED = "CLIENT-INITIALIZED" {
        bound: Client,
        severity: Must,
        page: "mapiinitialize",
        statement: "No MAPI call comes before MAPIInitialize or after the last MAPIUninitialize, and MAPIUninitialize is never called more often than MAPIInitialize.",
        quote: "",
        basis: Stated,
    }
    /// Calls must balance.
    CLIENT_INIT_BALANCED = "CLIENT-INIT-BALANCED" {
        bound: Client,
        severity: Must,
        page: "mapiuninitialize",
        statement: "Every MAPIInitialize is balanced by a MAPIUninitialize before the end.",
        quote: "",
        basis: Stated,
    }
    /// Ending a session.
    CLIENT_LOGOFF = "CLIENT-LOGOFF" {
        bound: Client,
        severity: Must,
        page: "ending-a-mapi-session",
        statement: "Every session is logged off before the last MAPIUninitialize.",
        quote: "",
        basis: Stated,
    }
    /// Ending a session.
    CLIENT_RELEASE = "CLIENT-RELEASE" {
        bound: Client,
        severity: Must,
        page: "ending-a-mapi-session",
        statement: "The client releases every object it holds before the last MAPIUninitialize.",
        quote: "",
        basis: Stated,
    }
    /// After IMAPISession::Logoff.
    CLIENT_SESSION_ENDED = "CLIENT-SESSION-ENDED" {
        bound: Client,
        severity: Must,
        page: "imapisession-logoff",
        statement: "No call uses a session, or an object opened in it, after the session was logged off.",
        quote: "",
        basis: Stated,
    }
    /// StoreLogoff's input flags are mutually exclusive.
    CLIENT_STORELOGOFF_FLAG = "CLIENT-STORELOGOFF-FLAG" {
        bound: Client,
        severity: Must,
        page: "imsgstore-storelogoff",
        statement: "IMsgStore::StoreLogoff gets exactly one input flag and no unknown bits.",
        quote: "",
        basis: Stated,
    }
    /// Windows-service clients.
    SERVICE_NT_FLAG = "SERVICE-NT-FLAG" {
        bound: Client,
        severity: Must,
        page: "calling-mapi-from-windows-services",
        statement: "A client running as a Windows service sets MAPI_NT_SERVICE both in MAPIInitialize and in MAPILogonEx.",
        quote: "",
        basis: Stated,
    }
    /// Windows-service clients.
    SERVICE_NO_MAIL = "SERVICE-NO-MAIL" {
        bound: Client,
        severity: Must,
        page: "calling-mapi-from-windows-services",
        statement: "A client running as a Windows service logs on with MAPI_NO_MAIL.",
        quote: "",
        basis: Stated,
    }
    /// Windows-service clients.
    SERVICE_NO_UI = "SERVICE-NO-UI" {
        bound: Client,
        severity: Must,
        page: "calling-mapi-from-windows-services",
        statement: "A client running as a Windows service asks for no user interface (logon, password, service or configuration UI).",
        quote: "",
        basis: Stated,
    }
    /// The notification window of the first MAPIInitialize.
    NOTIFY_PUMP = "NOTIFY-PUMP" {
        bound: Client,
        severity: Must,
        page: "initializing-mapi",
        statement: "The thread that initialized MAPI without MAPI_MULTITHREAD_NOTIFICATIONS pumps its messages during the session: a notification posted to it before the client began ending the session is delivered.",
        quote: "",
        basis: Stated,
    }
    /// Ending a session.
    OLE_UNINIT_ORDER = "OLE-UNINIT-ORDER" {
        bound: Client,
        severity: Must,
        page: "ending-a-mapi-session",
        statement: "A client that called OleInitialize calls OleUninitialize before the last MAPIUninitialize.",
        quote: "",
        basis: Stated,
    }
    /// MAPI_NO_COINIT.
    COM_NO_COINIT = "COM-NO-COINIT" {
        bound: Client,
        severity: Must,
        page: "mapiinit_0",
        statement: "A client that passes MAPI_NO_COINIT has initialized COM on the thread before MAPIInitialize.",
        quote: "",
        basis: Stated,
    }
}

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}
