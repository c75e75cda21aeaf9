//! The settings of a simulation: where MAPI versions or the documents differ, which variant the
//! simulator plays ([`Behavior`] and its enums).

use crate::flags::SpiVersion;

/// When a store calls `IMAPISupport::StoreLogoffTransports`. The documents disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SltTiming {
    /// `StoreLogoff` starts by calling it; a store released without `StoreLogoff` calls it from its
    /// final release (shutting-down-a-message-store-provider, imapisupport-storelogofftransports).
    /// The default.
    #[default]
    InStoreLogoff,
    /// `StoreLogoff` only saves the flag; the call comes once the store's count has dropped to
    /// zero (imsgstore-storelogoff).
    AtFinalRelease,
}

impl SltTiming {
    /// How binding the reading is, from its page's words: *should begin by calling* for
    /// `InStoreLogoff` (an advisory when broken), *do not call … until* for `AtFinalRelease` (a
    /// violation).
    pub fn severity(self) -> crate::check::Severity {
        match self {
            SltTiming::InStoreLogoff => crate::check::Severity::Should,
            SltTiming::AtFinalRelease => crate::check::Severity::Must,
        }
    }
}

/// Who releases a store logon's support object, and so who removes its MAPIUIDs and status row.
/// The documents disagree (the guide, "Where the support object is released", has both readings).
///
/// In both variants MAPI's own teardown (the logon object's release, `Shutdown`, the provider
/// object's release) runs once the provider call it follows has returned, never inside it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum TeardownCleanup {
    /// The store's final release releases the support object, and MAPI removes the MAPIUIDs and
    /// the row inside that release; at session logoff, MAPI removes them before it calls
    /// `IMSLogon::Logoff` (shutting-down-a-message-store-provider). Expects a store that releases
    /// the support object in its final release (`STORE-RELEASES-SUPPORT`); a `Logoff` that
    /// releases it when the store is still alive is right too.
    MapiInSupportRelease,
    /// `IMSLogon::Logoff` releases the support object, and MAPI removes them inside that release
    /// (shutting-down-a-service-provider, the seed's reading). Expects a `Logoff` that releases
    /// it: one that keeps it leaves them behind (`TEARDOWN-ROW-UIDS`), unless the client still
    /// holds the store, which keeps it (the client's mistake; MAPI then removes them itself). A
    /// store whose final release releases it before any `Logoff` is right too. The default.
    #[default]
    ProviderInLogoff,
}

/// What a `Logon` on a store that is already open may return as its logon object. The documents
/// disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum ReuseLogon {
    /// The existing logon object, or none: "the message store provider can return existing
    /// IMSLogon and IMsgStore interfaces" (loading-message-store-providers, step 5; the seed's
    /// reading). MAPI releases the reference it gets. A new logon object is still wrong. The
    /// default.
    #[default]
    ExistingAllowed,
    /// None: "The provider returns null in lppMSLogon" (imsprovider-logon).
    Null,
}

/// Which objects `SpoolerLogon` returns. The documents disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SpoolerObjects {
    /// The same logon and store objects `Logon` returned (loading-message-store-providers, step
    /// 9; the seed's reading). The default.
    #[default]
    Same,
    /// Objects of its own, which the provider marks as the spooler's (imsprovider-spoolerlogon:
    /// "internally mark the returned message store object … Some of the methods for this store
    /// object behave differently"): any logon and store objects are accepted.
    Distinct,
}

/// Where the MAPIUID a provider registers with `SetProviderUID` may come from. The documents
/// disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum RegisteredUid {
    /// A hard-coded constant, "not obtained through a call to NewUID" (imapisupport-newuid): one
    /// that `NewUID` generated in this run (through a logon's support object or a message
    /// service's) is an advisory (`UID-HARD-CODED`). The default.
    #[default]
    HardCoded,
    /// Any, a generated one included (implementing-address-book-provider-logon-and-logoff lists
    /// NewUID as a way; registering-service-provider-unique-identifiers suggests one per logon).
    Generated,
}

/// How many times `StoreLogoffTransports` may be called for one store shutdown, and whether a
/// client may call `StoreLogoff` again. The documents disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SltRepeat {
    /// Once: "StoreLogoffTransports must be called once during the shutdown process"
    /// (shutting-down-a-message-store-provider); a second `StoreLogoff` of the client gets
    /// `MAPI_E_INVALID_OBJECT`. The default.
    #[default]
    Once,
    /// "Multiple calls to StoreLogoffTransports simply overwrite the saved flags"
    /// (imsgstore-storelogoff): repeated calls are allowed, a client may call `StoreLogoff` again,
    /// and the last flag it passed is the one `StoreLogoffTransports` must get.
    Overwrite,
}

/// Whether a client may pass `MAPI_LOGOFF_SHARED` to `IMAPISession::Logoff`. The documents
/// disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum LogoffShared {
    /// Never: "clients should never pass the MAPI_LOGOFF_SHARED parameter" (imapisession-logoff,
    /// since the fast shutdown of Outlook 2007 SP2). The default.
    #[default]
    Never,
    /// The owner of the shared session may: "the MAPI_LOGOFF_SHARED flag if you own the current
    /// shared session" (ending-a-mapi-session). A session logged on with `MAPI_ALLOW_OTHERS`
    /// counts as the owner.
    OwnerMay,
}

/// Whether a store must create its status row during a fresh `Logon`. The documents disagree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum StoreStatusRow {
    /// Optional: "Address book and message store providers can choose whether to support the
    /// status table" (status-tables); "some providers call IMAPISupport::ModifyStatusRow"
    /// (implementing-service-provider-logon). The default.
    #[default]
    Optional,
    /// Required: "before returning to MAPI, the store provider should … call the
    /// IMAPISupport::ModifyStatusRow method" (imsprovider-logon); a fresh `Logon` that returns
    /// without one breaks `LOGON-STATUS-ROW` (advice).
    Required,
}

/// What MAPI's `StoreLogoffTransports` finds the store's transports doing, and so what it
/// answers. Not contested: a setting so that a store's handling of both answers runs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum TransportActivity {
    /// Idle: the answer is `LOGOFF_COMPLETE`, whatever the flag. The default.
    #[default]
    Idle,
    /// Messages on the way in and out: a call made inside `StoreLogoff` with `LOGOFF_ABORT` or
    /// `LOGOFF_QUIET` answers `LOGOFF_INBOUND | LOGOFF_OUTBOUND` without `LOGOFF_COMPLETE` (the
    /// logoff does not happen, imapisupport-storelogofftransports); the store must pass the
    /// activity on to its caller (`SLT-OUTPUT-ACTED`) and stay logged on, so a later
    /// `StoreLogoff` or its final release calls `StoreLogoffTransports` again (which `SLT-ONCE`
    /// allows). The other flags, and a call from the final release, are answered
    /// `LOGOFF_COMPLETE`.
    Busy,
}

/// The user's fast-shutdown setting (`FastShutdownBehavior` in the registry,
/// fast-shutdown-user-options): what MAPI answers a client's `IMAPIClientShutdown::QueryFastShutdown`.
/// Not contested: a setting so that a provider's opting in or out runs under each.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum FastShutdown {
    /// Fast shutdown unless a provider opts out (its `IMAPIProviderShutdown::QueryFastShutdown`
    /// fails); a provider without the interface does not stop it. The default (Outlook's).
    #[default]
    UnlessOptedOut,
    /// Fast shutdown only if every provider opts in (answers `QueryFastShutdown` with `S_OK`).
    OnlyIfAllOptIn,
    /// Disabled: `MAPI_E_NO_SUPPORT`, and no provider is asked.
    Disabled,
}

/// Whether the spooler needs a spool-security blob from `Logon`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SpoolSecurity {
    /// A store may return none; the spooler then logs on with an empty blob. The default.
    #[default]
    Optional,
    /// A fresh logon of a store the spooler will use must return one.
    Required,
}

/// When MAPI unloads a provider DLL, and so how many times it loads it. The documents disagree.
///
/// A provider "must not make assumptions about the number of times that it will be loaded"
/// (starting-a-service-provider): run it under both to see that it does not.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum UnloadTiming {
    /// After the last active client called `MAPIUninitialize` (shutting-down-a-service-provider):
    /// the DLL is loaded once, and its instance (its statics) serves every session until then.
    /// The default.
    #[default]
    AfterLastUninitialize,
    /// "At a later time" once the last provider object of the DLL is released
    /// (releasing-the-transport-provider): here, when the client call that released it returns.
    /// Sessions one after the other each load the DLL afresh, with new statics.
    WhenLastProviderReleased,
}

/// Whether the spooler runs by itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SpoolerMode {
    /// The test steps it ([`Spooler::step`](crate::runtime::Spooler::step), [`Spooler::run_until_idle`](crate::runtime::Spooler::run_until_idle)). The default.
    #[default]
    Manual,
    /// It runs until idle at the end of every client call: still deterministic.
    Automatic,
}

/// What `MAPIAllocateMore` does with a block that is not a live root (a freed block, a linked
/// block, a pointer from elsewhere). Either way the call breaks `MEM-MORE-ROOT`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum AllocateMoreMisuse {
    /// It fails with `MAPI_E_INVALID_PARAMETER`. The default.
    #[default]
    Fail,
    /// It makes a new root block, as some hosts do: the provider goes on, and the block leaks
    /// unless the provider frees it on its own.
    NewRoot,
}

/// How the `IMalloc` MAPI hands to entry points counts its references.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum MallocCounting {
    /// Like any COM object: a `Release` the provider never AddRef'd for breaks `MALLOC-RELEASE`.
    /// The default.
    #[default]
    Counted,
    /// Like the native static allocator, whose counts never change: such a `Release` does no
    /// harm, and nothing is reported.
    Static,
}

/// Where MAPI versions or the documents differ, which variant the simulator plays. Each field
/// documents its default.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Behavior {
    /// When `StoreLogoffTransports` must be called.
    pub store_logoff_transports: SltTiming,
    /// Who removes MAPIUIDs and status rows at teardown.
    pub teardown_cleanup: TeardownCleanup,
    /// Whether the spooler needs a spool-security blob.
    pub spool_security: SpoolSecurity,
    /// When provider DLLs are unloaded.
    pub unload: UnloadTiming,
    /// The SPI version MAPI passes to entry points (`CURRENT_SPI_VERSION`). A newer one checks
    /// that a provider accepts a MAPI newer than its own SPI (`INIT-VERSION-RANGE`); an older one,
    /// that it refuses a MAPI it cannot serve.
    pub mapi_spi_version: SpiVersion,
    /// The oldest provider SPI version MAPI accepts (`PDK1_SPI_VERSION`; the documents do not give
    /// MAPI's real bound).
    pub min_provider_spi_version: SpiVersion,
    /// Whether the spooler runs by itself.
    pub spooler: SpoolerMode,
    /// Whether MAPI asks a freshly opened store for its required properties (a `GetProps` call in
    /// the trace) to check them. On by default.
    pub check_store_properties: bool,
    /// How many times MAPI configures the service and retries a logon that returned
    /// `MAPI_E_UNCONFIGURED` (1; the documents say "retries" without a number).
    pub unconfigured_retries: u32,
    /// What `MAPIAllocateMore` does with a bad root ([`AllocateMoreMisuse::Fail`]).
    pub allocate_more_misuse: AllocateMoreMisuse,
    /// How `IMalloc` counts ([`MallocCounting::Counted`]).
    pub malloc: MallocCounting,
    /// What a `Logon` on an open store may return as its logon object
    /// ([`ReuseLogon::ExistingAllowed`]).
    pub reuse_logon: ReuseLogon,
    /// Which objects `SpoolerLogon` returns ([`SpoolerObjects::Same`]).
    pub spooler_objects: SpoolerObjects,
    /// Where a registered MAPIUID may come from ([`RegisteredUid::HardCoded`]).
    pub registered_uid: RegisteredUid,
    /// How often `StoreLogoffTransports` and `StoreLogoff` may be called ([`SltRepeat::Once`]).
    pub slt_repeat: SltRepeat,
    /// Whether a client may pass `MAPI_LOGOFF_SHARED` ([`LogoffShared::Never`]).
    pub logoff_shared: LogoffShared,
    /// Whether a fresh store logon must create its status row ([`StoreStatusRow::Optional`]).
    pub status_row: StoreStatusRow,
    /// What `StoreLogoffTransports` finds the transports doing ([`TransportActivity::Idle`]).
    pub transport_activity: TransportActivity,
    /// The user's fast-shutdown setting ([`FastShutdown::UnlessOptedOut`]).
    pub fast_shutdown: FastShutdown,
    /// When the address-book providers log on ([`AddressBookStart::OpenAddressBook`]).
    pub address_book_start: AddressBookStart,
    /// When the spooler starts the transports ([`TransportStart::OnDemand`]).
    pub transport_start: TransportStart,
}

impl Default for Behavior {
    fn default() -> Self {
        Behavior {
            store_logoff_transports: SltTiming::default(),
            teardown_cleanup: TeardownCleanup::default(),
            spool_security: SpoolSecurity::default(),
            unload: UnloadTiming::default(),
            mapi_spi_version: SpiVersion::CURRENT,
            min_provider_spi_version: SpiVersion::PDK1,
            spooler: SpoolerMode::default(),
            check_store_properties: true,
            unconfigured_retries: 1,
            allocate_more_misuse: AllocateMoreMisuse::default(),
            malloc: MallocCounting::default(),
            reuse_logon: ReuseLogon::default(),
            spooler_objects: SpoolerObjects::default(),
            registered_uid: RegisteredUid::default(),
            slt_repeat: SltRepeat::default(),
            logoff_shared: LogoffShared::default(),
            status_row: StoreStatusRow::default(),
            transport_activity: TransportActivity::default(),
            fast_shutdown: FastShutdown::default(),
            address_book_start: AddressBookStart::default(),
            transport_start: TransportStart::default(),
        }
    }
}

impl Behavior {
    /// Sets when `StoreLogoffTransports` must be called.
    pub fn with_store_logoff_transports(mut self, timing: SltTiming) -> Self {
        self.store_logoff_transports = timing;
        self
    }

    /// Sets who removes MAPIUIDs and status rows.
    pub fn with_teardown_cleanup(mut self, cleanup: TeardownCleanup) -> Self {
        self.teardown_cleanup = cleanup;
        self
    }

    /// Sets whether the spooler needs a spool-security blob.
    pub fn with_spool_security(mut self, spool: SpoolSecurity) -> Self {
        self.spool_security = spool;
        self
    }

    /// Sets when DLLs are unloaded.
    pub fn with_unload(mut self, unload: UnloadTiming) -> Self {
        self.unload = unload;
        self
    }

    /// Sets MAPI's SPI version.
    pub fn with_mapi_spi_version(mut self, version: SpiVersion) -> Self {
        self.mapi_spi_version = version;
        self
    }

    /// Sets the oldest provider SPI version MAPI accepts.
    pub fn with_min_provider_spi_version(mut self, version: SpiVersion) -> Self {
        self.min_provider_spi_version = version;
        self
    }

    /// Sets whether the spooler runs by itself.
    pub fn with_spooler(mut self, mode: SpoolerMode) -> Self {
        self.spooler = mode;
        self
    }

    /// Sets how often MAPI configures and retries a logon that returned `MAPI_E_UNCONFIGURED`.
    pub fn with_unconfigured_retries(mut self, retries: u32) -> Self {
        self.unconfigured_retries = retries;
        self
    }

    /// Sets whether MAPI checks a freshly opened store's required properties.
    pub fn with_check_store_properties(mut self, on: bool) -> Self {
        self.check_store_properties = on;
        self
    }

    /// Sets what `MAPIAllocateMore` does with a bad root.
    pub fn with_allocate_more_misuse(mut self, misuse: AllocateMoreMisuse) -> Self {
        self.allocate_more_misuse = misuse;
        self
    }

    /// Sets how `IMalloc` counts.
    pub fn with_malloc(mut self, counting: MallocCounting) -> Self {
        self.malloc = counting;
        self
    }

    /// Sets what a `Logon` on an open store may return as its logon object.
    pub fn with_reuse_logon(mut self, reuse: ReuseLogon) -> Self {
        self.reuse_logon = reuse;
        self
    }

    /// Sets which objects `SpoolerLogon` returns.
    pub fn with_spooler_objects(mut self, objects: SpoolerObjects) -> Self {
        self.spooler_objects = objects;
        self
    }

    /// Sets where a registered MAPIUID may come from.
    pub fn with_registered_uid(mut self, uid: RegisteredUid) -> Self {
        self.registered_uid = uid;
        self
    }

    /// Sets how often `StoreLogoffTransports` and `StoreLogoff` may be called.
    pub fn with_slt_repeat(mut self, repeat: SltRepeat) -> Self {
        self.slt_repeat = repeat;
        self
    }

    /// Sets whether a client may pass `MAPI_LOGOFF_SHARED`.
    pub fn with_logoff_shared(mut self, shared: LogoffShared) -> Self {
        self.logoff_shared = shared;
        self
    }

    /// Sets whether a fresh store logon must create its status row.
    pub fn with_status_row(mut self, row: StoreStatusRow) -> Self {
        self.status_row = row;
        self
    }

    /// Sets what `StoreLogoffTransports` finds the transports doing.
    pub fn with_transport_activity(mut self, activity: TransportActivity) -> Self {
        self.transport_activity = activity;
        self
    }

    /// Sets the user's fast-shutdown setting.
    pub fn with_fast_shutdown(mut self, setting: FastShutdown) -> Self {
        self.fast_shutdown = setting;
        self
    }

    /// Sets [`Behavior::address_book_start`].
    pub fn with_address_book_start(mut self, start: AddressBookStart) -> Self {
        self.address_book_start = start;
        self
    }

    /// Sets [`Behavior::transport_start`].
    pub fn with_transport_start(mut self, start: TransportStart) -> Self {
        self.transport_start = start;
        self
    }
}

/// When MAPI logs on to a profile's address-book providers. The documents disagree (⚠ in the
/// reference, §5.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum AddressBookStart {
    /// When the client opens the address book (`IMAPISession::OpenAddressBook` "then calls each
    /// provider's Logon method", iabprovider-logon); and, since within a message service the
    /// address-book providers start before the others (starting-a-service-provider), when MAPI
    /// first starts another provider of a service that holds address books (the first
    /// `OpenMsgStore` of one of its stores), those address books log on first. The default.
    #[default]
    OpenAddressBook,
    /// During `MAPILogonEx`, every address-book provider of the profile
    /// (implementing-an-address-book-provider-entry-point-function: MAPI loads them "when the
    /// client calls MAPILogonEx").
    Logon,
}

/// When the spooler starts a session's transports. The documents disagree (⚠ in the reference,
/// §5.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum TransportStart {
    /// When a client first asks for their services: a store of the session announces it is
    /// ready to send (`SpoolerNotify(NOTIFY_READYTOSEND)`) or submits a message
    /// (starting-a-service-provider: "transport providers are started when a client requests
    /// their services"). The default.
    #[default]
    OnDemand,
    /// At the client's logon to the profile, for a session the spooler is told about (not
    /// `MAPI_NO_MAIL`): "transport providers are opened when the user first logs on to a
    /// profile" (ixpprovider-transportlogon). The spooler does it at its next step.
    AtLogon,
}
