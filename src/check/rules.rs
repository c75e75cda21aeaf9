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
    /// Whoever the finding names: a provider or the client (a buffer left for its holder to free,
    /// an object released once too often).
    Any,
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
        quote: "it accomplishes this insertion of the \"32\" suffix by looking for the first period in the string, which means that paths that contain other periods cannot work",
        basis: Stated,
    }
    /// The entry point is found with `GetProcAddress` by its exact name.
    LIB_EXPORT = "LIB-EXPORT" {
        bound: Provider,
        severity: Must,
        page: "msproviderinit",
        statement: "A store provider's DLL exports MSProviderInit.",
        quote: "A message store provider must implement MSProviderInit as an entry point function in the provider's DLL.",
        basis: Stated,
    }
    /// A DLL a provider loads itself is the provider's to free.
    LIB_LOAD_PAIRED = "LIB-LOAD-PAIRED" {
        bound: Provider,
        severity: Should,
        page: "https://learn.microsoft.com/windows/win32/api/libloaderapi/nf-libloaderapi-freelibrary",
        statement: "A provider that loads a DLL itself (LoadLibrary) frees it (FreeLibrary) before its own DLL is unloaded.",
        quote: "The reference count is decremented each time the FreeLibrary or FreeLibraryAndExitThread function is called for the module.",
        basis: Derived("the per-process reference count and the DllMain restriction"),
    }
    /// Code of an unloaded DLL is gone: an object still alive would crash when next called.
    LIB_UNLOAD_LIVE = "LIB-UNLOAD-LIVE" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-service-provider",
        statement: "No object of a provider DLL is alive when the DLL is unloaded.",
        quote: "Your provider's DLL will be unloaded when MAPI calls the Win32 API function FreeLibrary … By this time, your service provider will have finished shutting down.",
        basis: Derived("the unload coming after shutdown"),
    }
    /// A provider object carries context, so every initialization needs its own.
    INIT_NEW_OBJECT = "INIT-NEW-OBJECT" {
        bound: Provider,
        severity: Must,
        page: "msproviderinit",
        statement: "Each call of the entry point returns a new provider object.",
        quote: "MSProviderInit must return a different provider object in lppMSProvider for each initialization, even for multiple initializations in the same process.",
        basis: Stated,
    }
    /// SPI version negotiation, provider side.
    INIT_VERSION = "INIT-VERSION" {
        bound: Provider,
        severity: Must,
        page: "implementing-a-service-provider-entry-point-function",
        statement: "An entry point that succeeds reports an SPI version no newer than MAPI's: a provider that needs a newer SPI fails with MAPI_E_VERSION.",
        quote: "Fail your check with the error MAPI_E_VERSION if you are using a version of the SPI that is newer than the version that MAPI is using.",
        basis: Stated,
    }
    /// SPI version negotiation, provider side: a range check, not an equality check.
    INIT_VERSION_RANGE = "INIT-VERSION-RANGE" {
        bound: Provider,
        severity: Should,
        page: "initializing-the-transport-provider",
        statement: "An entry point fails with MAPI_E_VERSION only when the SPI version it needs is newer than MAPI's: it accepts a MAPI at least as new as its own SPI.",
        quote: "This way MAPI and the service provider jointly define the range of service provider interface version numbers they can handle…",
        basis: Derived("the one-sided check on the entry-point page plus the range scheme on the transport page"),
    }
    /// MAPI finds a store's profile section with `CompareStoreIDs`.
    COMPARE_STORE_IDS = "COMPARE-STORE-IDS" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-comparestoreids",
        statement: "CompareStoreIDs is an equivalence: an ID names the same store as itself, and the answer does not depend on the order of the two IDs.",
        quote: "TRUE if the two entry identifiers refer to the same object; otherwise, FALSE.",
        basis: Derived("the definition of the result"),
    }
    /// Comparing without a store.
    COMPARE_STORE_IDS_NO_STORE = "COMPARE-STORE-IDS-NO-STORE" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-comparestoreids",
        statement: "CompareStoreIDs answers for two store IDs the provider recorded itself (PR_ENTRYID of its profile sections) also when none of its stores is open: it does not fail.",
        quote: "A CompareStoreIDs call can be made when no message stores are open for a particular store provider.",
        basis: Stated,
    }
    /// Step 5 of loading a store provider.
    LOGON_ADDREF_SUPPORT = "LOGON-ADDREF-SUPPORT" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "A fresh Logon AddRefs the support object and keeps it.",
        quote: "For any Logon call that opens a message store and succeeds in creating a message store logon object, the provider … must call the IUnknown::AddRef method to add a reference for the support object.",
        basis: Stated,
    }
    /// The address-book provider's support object, kept for the session.
    AB_LOGON_ADDREF_SUPPORT = "AB-LOGON-ADDREF-SUPPORT" {
        bound: Provider,
        severity: Must,
        page: "iabprovider-logon",
        statement: "An address-book Logon that succeeds AddRefs the support object and keeps it; MAPI unloads a provider that does not.",
        quote: "If Logon is successful, be sure that you call the support object's IUnknown::AddRef method to increment its reference count. … If you do not call this AddRef method, MAPI will unload your provider.",
        basis: Stated,
    }
    /// The in/out security parameters of `IABProvider::Logon`.
    AB_LOGON_SECURITY = "AB-LOGON-SECURITY" {
        bound: Provider,
        severity: Must,
        page: "iabprovider-logon",
        statement: "An address-book Logon that succeeds sets both security parameters (*lpulcbSecurity, *lppbSecurity) to zero.",
        quote: "On input, the value must be nonzero; on output, the value must be zero. In both cases, the pointers must be valid.",
        basis: Stated,
    }
    /// The transport provider's support object, kept in its logon object.
    XP_LOGON_ADDREF_SUPPORT = "XP-LOGON-ADDREF-SUPPORT" {
        bound: Provider,
        severity: Must,
        page: "ixpprovider-transportlogon",
        statement: "A TransportLogon that succeeds AddRefs the support object and keeps it in its logon object.",
        quote: "The transport provider must call the IUnknown::AddRef method on the support object and keep a copy of the pointer to this object as part of the provider logon object.",
        basis: Stated,
    }
    /// The transport's row in the status table.
    XP_STATUS_ROW = "XP-STATUS-ROW" {
        bound: Provider,
        severity: Should,
        page: "transport-provider-and-mapi-spooler-operational-model",
        statement: "A transport that logged on has created its status row (ModifyStatusRow) by the time the spooler enables it with TransportNotify.",
        quote: "The transport provider calls the IMAPISupport::ModifyStatusRow method to create its row in the MAPI status table.",
        basis: Stated,
    }
    /// A transport leaves the entry ID of an incoming message to MAPI.
    XP_INBOUND_ENTRYID = "XP-INBOUND-ENTRYID" {
        bound: Provider,
        severity: Must,
        page: "ixplogon-startmessage",
        statement: "A transport does not set PR_ENTRYID on the message the spooler passes to StartMessage.",
        quote: "However, the transport provider cannot set the message's PR_ENTRYID (PidTagEntryId) property.",
        basis: Stated,
    }
    /// A transport that asks the spooler to wait says for how long.
    XP_SUBMIT_RETURN_PARM = "XP-SUBMIT-RETURN-PARM" {
        bound: Provider,
        severity: Must,
        page: "ixplogon-submitmessage",
        statement: "A transport whose SubmitMessage returns MAPI_E_WAIT or MAPI_E_NETWORK_ERROR sets *lpulReturnParm, the seconds before the spooler offers the message again.",
        quote: "The transport provider must fill in that value if its return value from SubmitMessage is MAPI_E_WAIT or MAPI_E_NETWORK_ERROR.",
        basis: Stated,
    }
    /// A transport whose StartMessage fails tells the spooler it is in a critical state.
    XP_STARTMESSAGE_ERROR = "XP-STARTMESSAGE-ERROR" {
        bound: Provider,
        severity: Should,
        page: "ixplogon-startmessage",
        statement: "A transport whose StartMessage fails has called SpoolerNotify(NOTIFY_CRITICAL_ERROR) by the time it returns.",
        quote: "If StartMessage returns an error, the message in process is released without having changes saved and is lost. In this case, the transport provider should pass the NOTIFY_CRITICAL_ERROR flag with a call to the IMAPISupport::SpoolerNotify method and call the IXPLogon::Poll method to notify the MAPI spooler that it is in a severe error condition.",
        basis: Stated,
    }
    /// A store tells the spooler it is ready to send before it submits.
    STORE_READYTOSEND = "STORE-READYTOSEND" {
        bound: Provider,
        severity: Should,
        page: "imapisupport-spoolernotify",
        statement: "A store calls SpoolerNotify(NOTIFY_READYTOSEND) before its first PrepareSubmit of the session.",
        quote: "Call SpoolerNotify, passing the NOTIFY_READYTOSEND flag in ulFlags, before you make your first call to IMAPISupport::PrepareSubmit in IMessage::SubmitMessage.",
        basis: Stated,
    }
    /// A fresh logon creates the logon and store objects together.
    LOGON_OBJECTS = "LOGON-OBJECTS" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "A fresh Logon returns both a logon object and a store object.",
        quote: "In addition to the returned message store object for client and MAPI spooler use, the provider also returns a message store logon object for MAPI to use in controlling the opened store.",
        basis: Stated,
    }
    /// Output parameters are left untouched on error; nothing taken is kept.
    LOGON_FAIL_CLEAN = "LOGON-FAIL-CLEAN" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "A Logon that fails keeps no reference to the support object.",
        quote: "For any Logon call that opens a message store and succeeds in creating a message store logon object, the provider must save a pointer to the MAPI support object…",
        basis: Derived("the reference being taken only by a successful Logon, and from the rule for outputs on failure"),
    }
    /// Already-open stores.
    LOGON_REUSE_NO_LOGON = "LOGON-REUSE-NO-LOGON" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "A Logon on a store that is already open returns no new logon object (null per imsprovider-logon, or the existing one per loading-message-store-providers).",
        quote: "The provider returns null in lppMSLogon.",
        basis: Contested("Behavior::reuse_logon"),
    }
    /// Already-open stores.
    LOGON_REUSE_SAME_STORE = "LOGON-REUSE-SAME-STORE" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "A Logon on a store that is already open returns the existing store object.",
        quote: "The provider returns a pointer to the required interface of the existing store object in lppMDB.",
        basis: Stated,
    }
    /// Already-open stores.
    LOGON_REUSE_NO_ADDREF = "LOGON-REUSE-NO-ADDREF" {
        bound: Provider,
        severity: Should,
        page: "imsprovider-logon",
        statement: "A Logon on a store that is already open does not AddRef the support object.",
        quote: "The provider should not call AddRef for the support object, because it does not require a pointer to the object.",
        basis: Stated,
    }
    /// Common logon task list.
    LOGON_REGISTER_UID = "LOGON-REGISTER-UID" {
        bound: Provider,
        severity: Must,
        page: "implementing-service-provider-logon",
        statement: "A fresh Logon that succeeds has registered a MAPIUID for its logon with SetProviderUID.",
        quote: "Call the support object's IMAPISupport::SetProviderUID method to register a unique identifier, or MAPIUID, if your provider is an address book or message store provider.",
        basis: Stated,
    }
    /// Common logon task list.
    LOGON_PROFILE_PROPS = "LOGON-PROFILE-PROPS" {
        bound: Provider,
        severity: Must,
        page: "implementing-service-provider-logon",
        statement: "When a fresh Logon succeeds, the provider's profile section holds PR_DISPLAY_NAME, PR_PROVIDER_DISPLAY and PR_RECORD_KEY (set by the Logon, or already there from Mapisvc.inf).",
        quote: "Call the profile section's IMAPIProp::SetProps method to set the following properties: PR_DISPLAY_NAME … PR_ENTRYID … PR_PROVIDER_DISPLAY … PR_RECORD_KEY",
        basis: Stated,
    }
    /// No user interface when MAPI says so.
    LOGON_NO_DIALOG = "LOGON-NO-DIALOG" {
        bound: Provider,
        severity: Should,
        page: "imsprovider-logon",
        statement: "A Logon or SpoolerLogon called with MDB_NO_DIALOG calls no support method that shows a dialog.",
        quote: "However, dialog boxes should not be presented if ulFlags contains the MDB_NO_DIALOG flag.",
        basis: Stated,
    }
    /// The store's status row.
    LOGON_STATUS_ROW = "LOGON-STATUS-ROW" {
        bound: Provider,
        severity: Should,
        page: "imsprovider-logon",
        statement: "Where the behaviour requires it (Behavior::status_row), a fresh Logon that succeeds has created its status row with ModifyStatusRow.",
        quote: "After successfully logging on a user, and before returning to MAPI, the store provider should create the array of properties for the status row for the resource and call the IMAPISupport::ModifyStatusRow method.",
        basis: Contested("Behavior::status_row"),
    }
    /// Already-open stores.
    LOGON_REUSE_NO_SETUP = "LOGON-REUSE-NO-SETUP" {
        bound: Provider,
        severity: Should,
        page: "imsprovider-logon",
        statement: "A Logon on a store that is already open registers no MAPIUID, creates or replaces no status row (merging into the store's existing row with STATUSROW_UPDATE is allowed), opens no profile section and returns no spool-security data.",
        quote: "The provider should not open the profile for the support object passed in the call. In addition, it should not register a provider unique identifier, register a status row, or return MAPI spooler logon data.",
        basis: Stated,
    }
    /// `lppMAPIError`.
    LOGON_MAPIERROR = "LOGON-MAPIERROR" {
        bound: Provider,
        severity: Should,
        page: "imsprovider-logon",
        statement: "The strings of a MAPIERROR a provider returns from Logon or SpoolerLogon are UTF-16 when MAPI passed MAPI_UNICODE, 8-bit otherwise.",
        quote: "Any error strings contained in the returned structure should be in Unicode format if MAPI_UNICODE is set in the Logon ulFlags; otherwise, they should be in the ANSI character set.",
        basis: Stated,
    }
    /// `lpInterface`.
    LOGON_INTERFACE = "LOGON-INTERFACE" {
        bound: Provider,
        severity: Must,
        page: "imsprovider-logon",
        statement: "The store Logon returns answers QueryInterface for the interface MAPI asked in lpInterface; a provider whose store does not support it fails with MAPI_E_INTERFACE_NOT_SUPPORTED.",
        quote: "The lpInterface parameter specifies the IID of the interface required for the newly opened store object.",
        basis: Stated,
    }
    /// Step 3 of the common logon contract.
    LOGON_ENTRYID = "LOGON-ENTRYID" {
        bound: Provider,
        severity: Must,
        page: "implementing-service-provider-logon",
        statement: "A fresh Logon records the store's wrapped entry ID as PR_ENTRYID in its profile section.",
        quote: "Call the profile section's IMAPIProp::SetProps method to set the following properties: … PR_ENTRYID",
        basis: Stated,
    }
    /// The spooler logs on with the data Logon returned (when the spool-security behaviour is `Required`).
    LOGON_SPOOL_SECURITY = "LOGON-SPOOL-SECURITY" {
        bound: Provider,
        severity: Should,
        page: "imsprovider-logon",
        statement: "A fresh Logon of a store declared to need spool-security data (SpoolSecurity::Required) returns it; a store whose profile section is enough for the spooler may return none.",
        quote: "The IMSProvider::Logon call should return sufficient information … to allow the MAPI spooler to log on to the same store that the store provider does without presenting a dialog box.",
        basis: Stated,
    }
    /// Step 7 of the common logon contract.
    LOGON_NO_SPOOLER_NOTIFY = "LOGON-NO-SPOOLER-NOTIFY" {
        bound: Provider,
        severity: Should,
        page: "implementing-service-provider-logon",
        statement: "Logon avoids SpoolerNotify and PrepareSubmit: both wait for the spooler to start (advice for a fast logon).",
        quote: "To achieve the best performance at logon time, avoid calling either IMAPISupport::PrepareSubmit or IMAPISupport::SpoolerNotify.",
        basis: Stated,
    }
    /// The required properties of a message store.
    STORE_REQUIRED_PROPS = "STORE-REQUIRED-PROPS" {
        bound: Provider,
        severity: Must,
        page: "imsgstoreimapiprop",
        statement: "A store answers GetProps with PR_DISPLAY_NAME, PR_ENTRYID, PR_OBJECT_TYPE (MAPI_STORE), PR_RECORD_KEY, PR_STORE_ENTRYID, PR_STORE_RECORD_KEY, PR_MDB_PROVIDER and PR_STORE_SUPPORT_MASK; a store without Unicode support may answer a Unicode PR_DISPLAY_NAME with MAPI_E_BAD_CHARWIDTH and give it in ANSI.",
        quote: "Required properties … PR_DISPLAY_NAME … PR_ENTRYID … PR_OBJECT_TYPE … PR_RECORD_KEY … PR_STORE_ENTRYID … PR_STORE_RECORD_KEY … PR_MDB_PROVIDER … PR_STORE_SUPPORT_MASK",
        basis: Stated,
    }
    /// Clients only ever see wrapped store entry IDs.
    STORE_WRAPPED_ENTRYID = "STORE-WRAPPED-ENTRYID" {
        bound: Provider,
        severity: Must,
        page: "wrapstoreentryid",
        statement: "A store's PR_ENTRYID and PR_STORE_ENTRYID, and the PR_ENTRYID in its profile section, are wrapped store entry IDs naming the DLL as the profile registers it.",
        quote: "The provider must wrap the entry identifier when exposing the message store's PR_ENTRYID … property or writing it into a profile section, and when exposing the PR_STORE_ENTRYID … property.",
        basis: Stated,
    }
    /// The store's final release hands the teardown to MAPI.
    STORE_RELEASES_SUPPORT = "STORE-RELEASES-SUPPORT" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-message-store-provider",
        statement: "The support object is released by the store object's final release, or, under TeardownCleanup::ProviderInLogoff, by IMSLogon::Logoff.",
        quote: "Implement this Release method by calling the support object's IUnknown::Release method.",
        basis: Contested("Behavior::teardown_cleanup"),
    }
    /// Step 9 of loading a store provider.
    SPOOLER_SAME_OBJECTS = "SPOOLER-SAME-OBJECTS" {
        bound: Provider,
        severity: Must,
        page: "loading-message-store-providers",
        statement: "SpoolerLogon returns the same logon and store objects that Logon returned.",
        quote: "IMSProvider::SpoolerLogon returns the same IMSLogon and IMsgStore interfaces from step 5.",
        basis: Contested("Behavior::spooler_objects"),
    }
    /// Steps 8 and 9 of loading a store provider: the spooler logs on to the store MAPI told it about.
    SPOOLER_LOGON = "SPOOLER-LOGON" {
        bound: Provider,
        severity: Must,
        page: "loading-message-store-providers",
        statement: "SpoolerLogon succeeds for a store that Logon opened and that is still open: the spooler can log on to every store MAPI tells it about.",
        quote: "MAPI gives the message store's entry identifier to the MAPI spooler so the MAPI spooler can log on to the message store.",
        basis: Derived("steps 6, 8 and 9 of the load sequence"),
    }
    /// Store providers notify the spooler of two events only.
    SPOOLER_NOTIFY_FLAGS = "SPOOLER-NOTIFY-FLAGS" {
        bound: Provider,
        severity: Must,
        page: "imapisupport-spoolernotify",
        statement: "A store provider passes only NOTIFY_NEWMAIL_RECEIVED or NOTIFY_READYTOSEND to SpoolerNotify; a transport provider never passes NOTIFY_NEWMAIL_RECEIVED.",
        quote: "Transport providers can set all of the flags except for NOTIFY_NEWMAIL_RECEIVED; only NOTIFY_NEWMAIL_RECEIVED and NOTIFY_READTOSEND are valid for message store providers.",
        basis: Stated,
    }
    /// One call per store shutdown.
    SLT_ONCE = "SLT-ONCE" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-message-store-provider",
        statement: "StoreLogoffTransports is called exactly once per store shutdown that reaches the store's final release (a call answered without LOGOFF_COMPLETE, which kept the store logged on, does not count).",
        quote: "StoreLogoffTransports must be called once during the shutdown process.",
        basis: Contested("Behavior::slt_repeat"),
    }
    /// What the transports' answer means.
    SLT_OUTPUT_ACTED = "SLT-OUTPUT-ACTED" {
        bound: Provider,
        severity: Should,
        page: "imapisupport-storelogofftransports",
        statement: "When StoreLogoffTransports, called inside StoreLogoff, answers transport activity without LOGOFF_COMPLETE (the logoff does not happen), StoreLogoff returns that activity to its caller.",
        quote: "The behavior of the store provider following the return from StoreLogoffTransports should be based on the value of lpulFlags",
        basis: Stated,
    }
    /// The flag the client gave StoreLogoff, or LOGOFF_ABORT.
    SLT_SAVED_FLAG = "SLT-SAVED-FLAG" {
        bound: Provider,
        severity: Must,
        page: "imsgstore-storelogoff",
        statement: "StoreLogoffTransports gets the flag the client passed to StoreLogoff, or LOGOFF_ABORT when the store is released without StoreLogoff.",
        quote: "Save the flags that are passed to StoreLogoff and pass them when you call the IMAPISupport::StoreLogoffTransports method.",
        basis: Stated,
    }
    /// When: see the `store_logoff_transports` behaviour.
    SLT_TIMING = "SLT-TIMING" {
        bound: Provider,
        severity: Should,
        page: "shutting-down-a-message-store-provider",
        statement: "StoreLogoffTransports is called at the point the behaviour setting names: inside StoreLogoff, or from the store's final release.",
        quote: "Your implementation of IMsgStore::StoreLogoff should begin by calling IMAPISupport::StoreLogoffTransports to inform MAPI that it is being shut down…",
        basis: Contested("Behavior::store_logoff_transports"),
    }
    /// What Logoff must leave behind.
    LOGON_RELEASED = "LOGON-RELEASED" {
        bound: Provider,
        severity: Should,
        page: "shutting-down-a-service-provider",
        statement: "The logon object is gone once the teardown that logged it off (the outermost Release or Logoff) has returned: nothing holds it after MAPI's release.",
        quote: "When your logoff method returns, MAPI calls the following: … Your logon object's IUnknown::Release method.",
        basis: Derived("MAPI's release being the last reference the pages describe"),
    }
    /// The support object's release removes them.
    TEARDOWN_ROW_UIDS = "TEARDOWN-ROW-UIDS" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-message-store-provider",
        statement: "When a store logon's teardown ends, its status row and its MAPIUIDs are gone.",
        quote: "MAPI performs the following tasks in its implementation of IUnknown::Release for message stores: … Removes all of the MAPIUID structures registered by the message store provider. … Removes the message store provider's row from the status table.",
        basis: Contested("Behavior::teardown_cleanup"),
    }
    /// The provider object goes with MAPI's release.
    PROVIDER_RELEASED = "PROVIDER-RELEASED" {
        bound: Provider,
        severity: Should,
        page: "shutting-down-a-service-provider",
        statement: "The provider object is gone once the teardown that shut it down has returned: nothing holds it after MAPI's release.",
        quote: "When your logoff method returns, MAPI calls the following: … Your provider object's IUnknown::Release method.",
        basis: Derived("MAPI's release being the last reference the pages describe"),
    }
    /// Leaks that show at logoff.
    SESSION_LEAK = "SESSION-LEAK" {
        bound: Provider,
        severity: Must,
        page: "shutting-down-a-service-provider",
        statement: "No object of an interface (a logon, a store, a status object, a table…) that a provider made during a session is alive once the session is torn down and its client released its objects; a plain object of the DLL (a DLL-wide cache) may stay until the DLL unloads.",
        quote: "The main tasks that a logoff method performs are as follows: … Releasing all open objects, including subobjects and status objects.",
        basis: Derived("the logoff task list; msproviderinit asks a new provider object per initialization and nothing of other DLL state"),
    }
    /// MAPI finds the service entry with `GetProcAddress` by the name the service section gives.
    SERVICE_ENTRY_EXPORT = "SERVICE-ENTRY-EXPORT" {
        bound: Provider,
        severity: Must,
        page: "msgserviceentry",
        statement: "The DLL a service's PR_SERVICE_DLL_NAME names exports the entry point its PR_SERVICE_ENTRY_NAME names.",
        quote: "Message services that export a service entry function must include the PR_SERVICE_DLL_NAME … and PR_SERVICE_ENTRY_NAME … properties in the message service section of MAPISVC.INF.",
        basis: Derived("the required naming properties"),
    }
    /// Removing a service must not fail.
    SERVICE_DELETE_OK = "SERVICE-DELETE-OK" {
        bound: Provider,
        severity: Should,
        page: "msgserviceentry",
        statement: "The message-service entry point returns S_OK for MSG_SERVICE_DELETE.",
        quote: "After receiving this event, the service should return S_OK.",
        basis: Stated,
    }
    /// UI only when the flags allow it.
    SERVICE_UI_ALLOWED = "SERVICE-UI-ALLOWED" {
        bound: Provider,
        severity: Must,
        page: "msgserviceentry",
        statement: "The message-service entry point shows UI only when SERVICE_UI_ALLOWED or SERVICE_UI_ALWAYS is set.",
        quote: "Either SERVICE_UI_ALLOWED or SERVICE_UI_ALWAYS must be set to allow a user interface to be displayed.",
        basis: Stated,
    }
    /// Step 3 of the common logon contract.
    PROFILE_READ_ONLY = "PROFILE-READ-ONLY" {
        bound: Provider,
        severity: Must,
        page: "implementing-service-provider-logon",
        statement: "A provider never writes PR_RESOURCE_FLAGS or PR_PROVIDER_DLL_NAME in its profile section while it logs on: they are read-only then.",
        quote: "Do not attempt to set the profile section's PR_RESOURCE_FLAGS or PR_PROVIDER_DLL_NAME properties. At logon time, these properties are read-only.",
        basis: Stated,
    }
    /// The registered MAPIUID is a constant.
    UID_HARD_CODED = "UID-HARD-CODED" {
        bound: Provider,
        severity: Should,
        page: "imapisupport-newuid",
        statement: "The MAPIUID a store registers with SetProviderUID is not one that a store support object's NewUID generated in this run.",
        quote: "This MAPIUID structure should be hard-coded and not obtained through a call to NewUID.",
        basis: Contested("Behavior::registered_uid"),
    }
    /// A panic is an exception crossing a COM interface.
    PROVIDER_PANIC = "PROVIDER-PANIC" {
        bound: Provider,
        severity: Must,
        page: "https://techshelps.github.io/MSDN/SPECS/Tech1/D1/S1CFD6.HTM",
        statement: "Provider code never panics across the boundary: a COM method reports failure with an HRESULT.",
        quote: "In short, it is strictly illegal to throw an exception across an interface invocation; all such cross-interface exceptions which are thrown are in fact bugs in the offending interface implementation.",
        basis: Stated,
    }
    /// Reserved flags are zero; flags have known bits.
    SUPPORT_FLAGS = "SUPPORT-FLAGS" {
        bound: Provider,
        severity: Must,
        page: "imapisupport-setprovideruid",
        statement: "Flags passed to the support object carry only the bits the method defines (reserved flags are 0).",
        quote: "Reserved; must be zero.",
        basis: Stated,
    }
    /// `MAPIAllocateMore` blocks belong to their root.
    MEM_FREE_LINKED = "MEM-FREE-LINKED" {
        bound: Provider,
        severity: Must,
        page: "mapiallocatemore",
        statement: "A block made by MAPIAllocateMore is never freed on its own: one MAPIFreeBuffer of its root frees it.",
        quote: "The only way to release a buffer allocated with MAPIAllocateMore is to pass the buffer pointer specified in the lpObject parameter to the MAPIFreeBuffer function.",
        basis: Stated,
    }
    /// A freed pointer is invalid.
    MEM_DOUBLE_FREE = "MEM-DOUBLE-FREE" {
        bound: Provider,
        severity: Must,
        page: "mapifreebuffer",
        statement: "A buffer is freed once: after MAPIFreeBuffer the pointer is invalid.",
        quote: "If the pointer indicates either a memory block not allocated by the messaging system through MAPIAllocateBuffer or MAPIAllocateMore or a free memory block, the behavior of MAPIFreeBuffer is undefined.",
        basis: Stated,
    }
    /// MAPIFreeBuffer frees what MAPIAllocateBuffer made.
    MEM_FOREIGN_FREE = "MEM-FOREIGN-FREE" {
        bound: Provider,
        severity: Must,
        page: "mapifreebuffer",
        statement: "MAPIFreeBuffer is given only buffers that MAPIAllocateBuffer (through the same routines) returned.",
        quote: "If the pointer indicates either a memory block not allocated by the messaging system through MAPIAllocateBuffer or MAPIAllocateMore or a free memory block, the behavior of MAPIFreeBuffer is undefined.",
        basis: Stated,
    }
    /// A freed pointer is invalid.
    MEM_USE_AFTER_FREE = "MEM-USE-AFTER-FREE" {
        bound: Provider,
        severity: Must,
        page: "mapifreebuffer",
        statement: "A buffer is not read or written after it was freed.",
        quote: "A client or service provider should operate on the assumption that the pointer passed in lpBuffer is invalid after a successful return from MAPIFreeBuffer.",
        basis: Derived("the page: the pointer is invalid after a successful return, and using an invalid pointer is undefined"),
    }
    /// The second argument of MAPIAllocateMore.
    MEM_MORE_ROOT = "MEM-MORE-ROOT" {
        bound: Provider,
        severity: Must,
        page: "mapiallocatemore",
        statement: "MAPIAllocateMore links to a live buffer that MAPIAllocateBuffer returned, never to a freed or linked one.",
        quote: "Pointer to an existing MAPI buffer allocated using MAPIAllocateBuffer.",
        basis: Stated,
    }
    /// Output parameters: the callee allocates, the caller frees.
    MEM_NOT_OWNER = "MEM-NOT-OWNER" {
        bound: Provider,
        severity: Must,
        page: "allocating-and-freeing-memory-in-mapi",
        statement: "A buffer returned through an output parameter belongs to the caller, who frees it; the callee does not free it after returning it.",
        quote: "Caller is responsible and must use MAPIFreeBuffer.",
        basis: Stated,
    }
    /// Output parameters: the callee allocates, the caller frees.
    MEM_OUT_ROOT = "MEM-OUT-ROOT" {
        bound: Provider,
        severity: Must,
        page: "allocating-and-freeing-memory-in-mapi",
        statement: "Memory returned through an output parameter is a live root buffer from MAPIAllocateBuffer, so that the caller frees it with one MAPIFreeBuffer.",
        quote: "Called function is responsible and must use MAPIAllocateBuffer.",
        basis: Stated,
    }
    /// Output parameters: the caller frees.
    MEM_LEAK = "MEM-LEAK" {
        bound: Any,
        severity: Must,
        page: "mapifreebuffer",
        statement: "Every buffer is freed by whoever holds it last: none is live at the end.",
        quote: "The call to MAPIFreeBuffer to free a particular buffer must be made as soon as a client or provider is finished using this buffer.",
        basis: Stated,
    }
    /// lpMalloc is MAPI's: what a provider AddRef's it releases.
    MALLOC_HELD = "MALLOC-HELD" {
        bound: Provider,
        severity: Must,
        page: "msproviderinit",
        statement: "No reference to lpMalloc that a provider DLL took with AddRef remains when the DLL is unloaded.",
        quote: "If the provider also expects to use the OLE memory allocator, it should call the IUnknown::AddRef method of the allocator object pointed to by the lpMalloc parameter.",
        basis: Derived("the AddRef sentence, the COM reference-count rule and the unload order"),
    }
    /// COM's reference counting: a release for a reference one holds.
    OVER_RELEASE = "OVER-RELEASE" {
        bound: Any,
        severity: Must,
        page: "https://learn.microsoft.com/windows/win32/com/rules-for-managing-reference-counts",
        statement: "No counted object is released more often than it was AddRef'd: a Release is made only for a reference the caller holds.",
        quote: "The default case is that AddRef must be called for every new copy of an interface pointer and Release must be called for every destruction of an interface pointer…",
        basis: Derived("the pairing of Release with a held copy"),
    }
    /// lpMalloc is MAPI's.
    MALLOC_RELEASE = "MALLOC-RELEASE" {
        bound: Provider,
        severity: Must,
        page: "msproviderinit",
        statement: "A provider releases lpMalloc only as often as it AddRef'd it: MAPI passes it without a reference for the provider.",
        quote: "If the provider also expects to use the OLE memory allocator, it should call the IUnknown::AddRef method of the allocator object pointed to by the lpMalloc parameter.",
        basis: Derived("the AddRef sentence and COM's rule for in-parameters"),
    }
    /// A service provider inside a Windows service shows no UI.
    SERVICE_PROVIDER_NO_UI = "SERVICE-PROVIDER-NO-UI" {
        bound: Provider,
        severity: Must,
        page: "msproviderinit",
        statement: "A provider loaded with MAPI_NT_SERVICE shows no user interface.",
        quote: "The provider is being loaded in the context of a Windows service, a special type of process without access to any user interface.",
        basis: Derived("the flag's definition"),
    }
    /// MAPIInitialize comes first, MAPIUninitialize last.
    CLIENT_INITIALIZED = "CLIENT-INITIALIZED" {
        bound: Client,
        severity: Must,
        page: "mapiinitialize",
        statement: "No MAPI call comes before MAPIInitialize or after the last MAPIUninitialize, and MAPIUninitialize is never called more often than MAPIInitialize.",
        quote: "A client or service provider must call MAPIInitialize before making any other MAPI call.",
        basis: Stated,
    }
    /// Calls must balance.
    CLIENT_INIT_BALANCED = "CLIENT-INIT-BALANCED" {
        bound: Client,
        severity: Must,
        page: "mapiuninitialize",
        statement: "Every MAPIInitialize is balanced by a MAPIUninitialize before the end.",
        quote: "Thus, the number of calls to one function must equal the number of calls to the other.",
        basis: Stated,
    }
    /// Ending a session.
    CLIENT_LOGOFF = "CLIENT-LOGOFF" {
        bound: Client,
        severity: Must,
        page: "ending-a-mapi-session",
        statement: "Every session is logged off before the last MAPIUninitialize.",
        quote: "Call IMAPISession::Logoff, setting the MAPI_LOGOFF_UI flag if you allow a user interface … Uninitialize the MAPI libraries by calling MAPIUninitialize.",
        basis: Stated,
    }
    /// What a client that keeps the spooler out can send through.
    CLIENT_NO_MAIL_SEND = "CLIENT-NO-MAIL-SEND" {
        bound: Client,
        severity: Should,
        page: "calling-mapi-from-windows-services",
        statement: "A client whose session or store the spooler is not told about (MAPI_NO_MAIL, MDB_NO_MAIL: a Windows service) submits messages only through a store tightly coupled with a transport (STATUS_OWN_STORE); through another store nothing is sent.",
        quote: "They can send messages only through a tightly coupled message store and transport provider.",
        basis: Stated,
    }
    /// Ending a session.
    CLIENT_RELEASE = "CLIENT-RELEASE" {
        bound: Client,
        severity: Must,
        page: "ending-a-mapi-session",
        statement: "The client has released every store object of a session before the session's IMAPISession::Logoff (for a session it never logged off: by the last MAPIUninitialize).",
        quote: "All open objects must be released before the call to IMAPISession::Logoff.",
        basis: Stated,
    }
    /// After IMAPISession::Logoff.
    CLIENT_SESSION_ENDED = "CLIENT-SESSION-ENDED" {
        bound: Client,
        severity: Must,
        page: "imapisession-logoff",
        statement: "After a session's Logoff, the session and the objects opened in it get no call but Release.",
        quote: "When Logoff returns, none of the methods except for IUnknown::Release can be called.",
        basis: Stated,
    }
    /// StoreLogoff's input flags are mutually exclusive.
    CLIENT_STORELOGOFF_FLAG = "CLIENT-STORELOGOFF-FLAG" {
        bound: Client,
        severity: Must,
        page: "imsgstore-storelogoff",
        statement: "IMsgStore::StoreLogoff gets exactly one input flag and no unknown bits.",
        quote: "On input, all flags set for this parameter are mutually exclusive; a caller must specify only one flag per call.",
        basis: Stated,
    }
    /// Ending a session.
    CLIENT_UNADVISE = "CLIENT-UNADVISE" {
        bound: Client,
        severity: Must,
        page: "ending-a-mapi-session",
        statement: "Every advise registration the client made on a store of a session is cancelled with Unadvise before the session's IMAPISession::Logoff.",
        quote: "Cancel the registrations for all notifications by calling the Unadvise method of every registered object.",
        basis: Stated,
    }
    /// The logon flag every client sets.
    CLIENT_MAPI_EXTENDED = "CLIENT-MAPI-EXTENDED" {
        bound: Client,
        severity: Should,
        page: "mapilogonex",
        statement: "MAPILogonEx is called with MAPI_EXTENDED.",
        quote: "Log on with extended capabilities. This flag should always be set.",
        basis: Stated,
    }
    /// The service flag belongs to services.
    CLIENT_NT_SERVICE_ONLY = "CLIENT-NT-SERVICE-ONLY" {
        bound: Client,
        severity: Should,
        page: "mapiinit_0",
        statement: "A client declared not to run as a Windows service (SimulatorBuilder::windows_service_client(false)) sets MAPI_NT_SERVICE neither in MAPIInitialize nor in MAPILogonEx.",
        quote: "Callers that are not running as a Windows service should not set this flag; callers that are running as a service must set this flag.",
        basis: Stated,
    }
    /// Shared sessions and fast shutdown.
    CLIENT_LOGOFF_SHARED = "CLIENT-LOGOFF-SHARED" {
        bound: Client,
        severity: Should,
        page: "imapisession-logoff",
        statement: "IMAPISession::Logoff gets no MAPI_LOGOFF_SHARED (where the owner of a shared session may pass it: none but a session logged on with MAPI_ALLOW_OTHERS).",
        quote: "clients should never pass the MAPI_LOGOFF_SHARED parameter to IMAPISession::Logoff",
        basis: Contested("Behavior::logoff_shared"),
    }
    /// After `StoreLogoff`.
    CLIENT_STORE_AFTER_LOGOFF = "CLIENT-STORE-AFTER-LOGOFF" {
        bound: Client,
        severity: Should,
        page: "imapisupport-storelogofftransports",
        statement: "Once StoreLogoff has logged the store off, the client makes no call on it but Release (a repeated StoreLogoff is allowed where repeated calls overwrite the flag).",
        quote: "Only the message store's IUnknown::Release method should be called at this point.",
        basis: Derived("LOGOFF_COMPLETE's description: the store's StoreLogoff returns to the client once its transports are logged off"),
    }
    /// Windows-service clients.
    SERVICE_NT_FLAG = "SERVICE-NT-FLAG" {
        bound: Client,
        severity: Must,
        page: "calling-mapi-from-windows-services",
        statement: "A client running as a Windows service sets MAPI_NT_SERVICE both in MAPIInitialize and in MAPILogonEx.",
        quote: "Clients that are services must set a special flag, MAPI_NT_SERVICE, in the ulFlags member of the MAPIINIT_0 structure that is passed to MAPIInitialize and in the ulFlags parameter that is passed to the MAPILogonEx function…",
        basis: Stated,
    }
    /// Windows-service clients.
    SERVICE_NO_MAIL = "SERVICE-NO-MAIL" {
        bound: Client,
        severity: Must,
        page: "calling-mapi-from-windows-services",
        statement: "A client running as a Windows service logs on with MAPI_NO_MAIL.",
        quote: "They must set the MAPI_NO_MAIL flag in the call to MAPILogonEx.",
        basis: Stated,
    }
    /// Windows-service clients.
    SERVICE_NO_UI = "SERVICE-NO-UI" {
        bound: Client,
        severity: Must,
        page: "calling-mapi-from-windows-services",
        statement: "A client running as a Windows service asks for no user interface (logon, password, service or configuration UI).",
        quote: "They cannot allow a user interface.",
        basis: Stated,
    }
    /// The notification window of the first MAPIInitialize.
    NOTIFY_PUMP = "NOTIFY-PUMP" {
        bound: Client,
        severity: Must,
        page: "initializing-mapi",
        statement: "The thread that initialized MAPI without MAPI_MULTITHREAD_NOTIFICATIONS pumps its messages during the session: a notification posted to it before the client began ending the session is delivered.",
        quote: "MAPI expects the thread that is used to create the hidden notification window to: … Have a message loop. … Remain unblocked throughout the life of the session.",
        basis: Stated,
    }
    /// Ending a session.
    OLE_UNINIT_ORDER = "OLE-UNINIT-ORDER" {
        bound: Client,
        severity: Must,
        page: "ending-a-mapi-session",
        statement: "A client that called OleInitialize calls OleUninitialize before the last MAPIUninitialize.",
        quote: "If you called OleInitialize at some point, make sure that a call to OleUninitialize occurs before this call to MAPIUninitialize.",
        basis: Stated,
    }
    /// COM identity: one IUnknown.
    COM_QI_IUNKNOWN = "COM-QI-IUNKNOWN" {
        bound: Provider,
        severity: Must,
        page: "https://learn.microsoft.com/windows/win32/com/rules-for-implementing-queryinterface",
        statement: "QueryInterface for IID_IUnknown gives the same object through every interface of an object, including an interface it gave for another IID.",
        quote: "For any given object instance, a call to QueryInterface with IID_IUnknown must always return the same physical pointer value.",
        basis: Stated,
    }
    /// COM identity: reflexive.
    COM_QI_REFLEXIVE = "COM-QI-REFLEXIVE" {
        bound: Provider,
        severity: Must,
        page: "https://learn.microsoft.com/windows/win32/com/rules-for-implementing-queryinterface",
        statement: "An object answers QueryInterface for the interface it is held as.",
        quote: "If you have a pointer to an interface on an object, a call like the following to QueryInterface for that same interface must succeed",
        basis: Stated,
    }
    /// COM identity: symmetric.
    COM_QI_SYMMETRIC = "COM-QI-SYMMETRIC" {
        bound: Provider,
        severity: Must,
        page: "https://learn.microsoft.com/windows/win32/com/rules-for-implementing-queryinterface",
        statement: "The object QueryInterface gives for an interface answers QueryInterface for the interface it was asked from.",
        quote: "If a call to QueryInterface for a second interface pointer succeeds, a call to QueryInterface from that pointer for the first interface must also succeed.",
        basis: Stated,
    }
    /// COM identity: transitive.
    COM_QI_TRANSITIVE = "COM-QI-TRANSITIVE" {
        bound: Provider,
        severity: Must,
        page: "https://learn.microsoft.com/windows/win32/com/rules-for-implementing-queryinterface",
        statement: "The object QueryInterface gives for an interface answers QueryInterface for every interface the object gave before.",
        quote: "Any interface must be able to query for any other interface on an object.",
        basis: Stated,
    }
    /// COM identity: a static set of interfaces.
    COM_QI_STABLE = "COM-QI-STABLE" {
        bound: Provider,
        severity: Must,
        page: "https://learn.microsoft.com/windows/win32/com/rules-for-implementing-queryinterface",
        statement: "An interface QueryInterface gave once stays available: a later QueryInterface for it on the same object succeeds.",
        quote: "if QueryInterface returns S_OK for a given IID once, it must never return E_NOINTERFACE on subsequent calls on the same object",
        basis: Stated,
    }
    /// COM: E_NOINTERFACE for the rest.
    COM_QI_NOINTERFACE = "COM-QI-NOINTERFACE" {
        bound: Provider,
        severity: Must,
        page: "https://learn.microsoft.com/windows/win32/api/unknwn/nf-unknwn-iunknown-queryinterface(refiid_void)",
        statement: "QueryInterface for an interface the object does not implement fails with E_NOINTERFACE (or E_OUTOFMEMORY) and gives no object.",
        quote: "This method returns S_OK if the interface is supported, and E_NOINTERFACE otherwise.",
        basis: Stated,
    }
    /// Fast shutdown, the client's order.
    CLIENT_FAST_SHUTDOWN_ORDER = "CLIENT-FAST-SHUTDOWN-ORDER" {
        bound: Client,
        severity: Should,
        page: "best-practices-for-fast-shutdown",
        statement: "A client calls IMAPIClientShutdown::NotifyProcessShutdown and DoFastShutdown only after QueryFastShutdown answered S_OK.",
        quote: "the MAPI client should first call the IMAPIClientShutdown::QueryFastShutdown method. The client should then proceed with the IMAPIClientShutdown::NotifyProcessShutdown and IMAPIClientShutdown::DoFastShutdown methods based on the MAPI subsystem's support for fast shutdown",
        basis: Stated,
    }
    /// Fast shutdown: nothing after it.
    CLIENT_AFTER_FAST_SHUTDOWN = "CLIENT-AFTER-FAST-SHUTDOWN" {
        bound: Client,
        severity: Should,
        page: "best-practices-for-fast-shutdown",
        statement: "A client makes no MAPI call after IMAPIClientShutdown::DoFastShutdown, not even MAPIUninitialize.",
        quote: "Once a MAPI client calls IMAPIClientShutdown::DoFastShutdown, it should not make any additional calls to MAPI, including the MAPIUninitialize function.",
        basis: Stated,
    }
    /// MAPI_NO_COINIT.
    COM_NO_COINIT = "COM-NO-COINIT" {
        bound: Client,
        severity: Must,
        page: "mapiinit_0",
        statement: "A client whose first MAPIInitialize passes MAPI_NO_COINIT has initialized COM on that thread before the call.",
        quote: "If a MAPIINIT_0 structure is passed into MAPIInitialize with ulFlags set to MAPI_NO_COINIT, MAPI will assume that COM has already been initialized and will bypass the call to CoInitialize.",
        basis: Derived("MAPI skipping CoInitialize"),
    }
}

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}
