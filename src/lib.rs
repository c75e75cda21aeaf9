//! # mapisim
//!
//! A portable simulator of Microsoft MAPI as the *host* of service providers. A provider author
//! writes a message store against this crate's traits; the simulator plays MAPI, the spooler and
//! the client, drives the documented lifecycle, counts every reference and every library load, and
//! reports each broken contract with the rule it broke and the page that states it.
//!
//! ## A test in ten lines
//!
//! ```
//! use mapisim::prelude::*;
//! use mapisim::sample::SampleStore;
//!
//! // The provider DLL (registered under the file name MAPI loads) and its message service.
//! let sim = Simulator::builder()
//!     .library(SampleStore::DLL_FILE, SampleStore::library)
//!     .service(SampleStore::service("SMPMS"))
//!     .build();
//! sim.profiles().create("Default")?.add_service("SMPMS")?;
//!
//! // What a client does.
//! let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS)?;
//! let session = mapi.logon_ex("Default", LogonFlags::EXTENDED)?;
//! let row = session.msg_stores_table()?.default_store()?;
//! let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
//! sim.spooler().run_until_idle();
//! store.store_logoff(LogoffFlags::ORDERLY)?;
//! drop(store);
//! session.logoff(SessionLogoffFlags::empty())?;
//! mapi.uninitialize()?;
//!
//! // Leaks, unpaired loads and broken rules, with the trace around each one.
//! let report = sim.finish();
//! report.assert_clean();
//! # Ok::<(), MapiError>(())
//! ```
//!
//! `cargo run --example quickstart` runs the same lifecycle on the sample's whole message service
//! (an address book, a store and a transport), sends one message, and prints its trace.
//!
//! ## Writing a provider
//!
//! A provider DLL is a type implementing [`spi::ProviderLibrary`]: its exports and its entry
//! point, which returns a new [`spi::MsProvider`]. `Logon` returns a logon object
//! ([`spi::MsLogon`]) and a store object ([`spi::MsgStore`]); MAPI's support object is a
//! [`spi::MapiSupport`]. All traits are object-safe, `Send + Sync` and take `&self`, as COM
//! interfaces are, so the same code can be exposed as real COM objects. The sample provider,
//! [`sample`], follows every rule and is the model to copy; its module documentation walks through
//! what each method must do. [`spi::vtable`] lists every interface's vtable, slot by slot, with the
//! Rust method that implements each slot: the map a COM shim follows.
//!
//! Objects cross the boundary as counted references: a [`Ref<T>`](Ref) is `AddRef` when cloned and
//! `Release` when dropped, and its last drop is the object's final release (its `Drop`). Keeping
//! the support object a fresh `Logon` receives means cloning it; the store's final release drops
//! that reference, and MAPI's teardown of the logon (`IMSLogon::Logoff`, then `Shutdown` of the
//! provider when it was the last logon) runs inside the support object's final release, as the
//! documentation describes.
//!
//! The first open of a store passes no entry ID to `Logon` (the client opened it by the ID MAPI
//! made for the provider's profile section): the provider makes its store's entry ID and records
//! it, wrapped, in that section. [`spi::StoreLogonArgs::entry_id`] says how.
//!
//! **DLL-wide state lives in the library instance, never in a Rust `static`.** The simulator
//! unloads a DLL by dropping its [`spi::ProviderLibrary`] instance and gives the next load a
//! fresh one; a Rust `static` (or `thread_local!`, `OnceLock`) belongs to the test process and
//! survives every simulated `FreeLibrary`, so the simulator can neither reset it nor see what it
//! holds. Put what a C++ provider keeps in globals in fields of the library type and hand it to
//! the objects the entry point makes ([`spi::ProviderLibrary`] shows the pattern).
//!
//! ### Where the support object is released, and the teardown variants
//!
//! The pages disagree on who releases the support object a fresh `Logon` keeps: the store page
//! (shutting-down-a-message-store-provider) has the **store's final release** release it, and
//! MAPI's teardown run inside that release; the generic page (shutting-down-a-service-provider,
//! seed "Arrêt d'un fournisseur de services") lists it among the tasks of **`IMSLogon::Logoff`**.
//! [`TeardownCleanup`](runtime::TeardownCleanup) chooses which reading MAPI plays:
//!
//! - `ProviderInLogoff` (the default, the generic page and the seed) expects `Logoff` to release
//!   the support object when the store is still alive at session logoff; MAPI removes the
//!   MAPIUIDs and the row inside that release. A `Logoff` that keeps it breaks
//!   `TEARDOWN-ROW-UIDS` — unless the client still holds the store (which then keeps the support
//!   object, the client's mistake): MAPI then removes them itself and blames the provider for
//!   nothing. A store whose final release releases it before any `Logoff` is right too.
//! - `MapiInSupportRelease` (the store page) expects the store's final release to release the
//!   support object (`STORE-RELEASES-SUPPORT`). MAPI removes the logon's MAPIUIDs and status row
//!   inside that release, and, at session logoff, before it calls `Logoff`. A provider whose
//!   `Logoff` also releases the support object when the store is still alive is right under it
//!   too.
//!
//! The sample provider's [`SampleConfig::for_behavior`](sample::SampleConfig::for_behavior) plays
//! both: its `Logoff` releases the support object if the store still holds it, and its store's
//! final release does otherwise. Either way, MAPI's own teardown — releasing the logon object,
//! `Shutdown`, releasing the provider object — never runs inside a provider call MAPI is making:
//! a support object released inside `Logoff` (or `SpoolerLogon`) only has its MAPIUIDs and row
//! removed there, and the rest follows when that call returns, in the documented order. The
//! references MAPI holds for its own calls never count as the provider's.
//!
//! ### Wrapping another provider
//!
//! A provider that wraps another one loads that provider's DLL itself, through its module handle
//! ([`spi::process`]: the process's `LoadLibrary`, `GetProcAddress`, `FreeLibrary`; the loads are
//! its own to pair, `LIB-LOAD-PAIRED`), hands it a support object of its own that forwards what
//! it does not change ([`spi::ForwardSupport`]), and uses the small utilities every provider
//! writes ([`spi::util`]). Objects are named in the trace for the interface they are held as
//! (`Ref<dyn MsgStore>` is an `IMsgStore`), or as given to [`Ref::new_as`].
//!
//! ## Address books, transports and the spooler
//!
//! An address-book provider implements [`spi::AbProvider`] and [`spi::AbLogon`] behind
//! `ABProviderInit`; a transport [`spi::XpProvider`] and [`spi::XpLogon`] behind `XPProviderInit`;
//! one DLL may export all three entry points. [`Session::open_address_book`](runtime::Session::open_address_book)
//! logs on every address-book provider of the profile (within a message service they start
//! before its store: the first `OpenMsgStore` of the service logs them on first) and returns an
//! [`AddressBook`](runtime::AddressBook) that routes entry IDs by MAPIUID. A store's message
//! submitted by the client ([`StoreHandle::submit_message`](runtime::StoreHandle::submit_message))
//! reaches MAPI as `SpoolerNotify(NOTIFY_READYTOSEND)` and `PrepareSubmit`; at its next steps the
//! [`Spooler`](runtime::Spooler) starts the session's transports (`XPProviderInit`,
//! `TransportLogon`, `AddressTypes`, `TransportNotify`) and sends the message (`SubmitMessage`,
//! `EndMessage`), acting on the answer: `MAPI_E_NOT_ME` tries the next transport, a wait or
//! `END_RESEND_LATER` keeps the message for [`Spooler::idle`](runtime::Spooler::idle),
//! `END_DONT_RESEND` leaves it with the transport until `NOTIFY_SENTDEFERRED`. A transport with
//! mail (`Poll`, `NOTIFY_NEWMAIL`) gets `StartMessage` with a new message of MAPI's; what it saves
//! arrives in [`Spooler::take_received`](runtime::Spooler::take_received). A store's
//! `StoreLogoff` reaches the queue: `LOGOFF_PURGE` sends its waiting messages before it returns,
//! `LOGOFF_NO_WAIT` after, the other flags leave them in the outbox. At session logoff MAPI tears down address books, then stores, then transports:
//! each kind's `Logoff` (`TransportLogoff`), the release of the logon object, `Shutdown` once
//! its last logon is gone, the release of the provider object; the DLL is freed once, after the
//! last `MAPIUninitialize`. `cargo run --example spooler` steps through it.
//!
//! ## Testing your provider
//!
//! One call runs every documented scenario on your library, under every reading of the
//! documents where they disagree, then again with every fault injected
//! ([`conformance`]):
//!
//! ```
//! # use mapisim::sample::{SampleStore as MyDll, SampleSuite};
//! # fn my_library() -> impl mapisim::spi::ProviderLibrary { MyDll::library() }
//! # const MY_MAPISVC_INF: &str = SampleSuite::MAPISVC_INF;
//! # const MY_DLL: &str = MyDll::DLL_FILE;
//! use mapisim::conformance::Conformance;
//!
//! Conformance::new(MY_DLL, my_library).mapisvc_inf(MY_MAPISVC_INF)?.run()?.assert_clean();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The battery reads your Mapisvc.inf for the kinds of provider it holds and runs theirs: a
//! store's lifecycle and each way it ends (`StoreLogoff` with each flag, a release without it,
//! the session's `Logoff` or the last `MAPIUninitialize` while the client still holds it), a
//! reopen, two sessions, two stores of one provider, its COM identity, `MDB_NO_DIALOG`,
//! `MAPI_NO_MAIL` and `MDB_NO_MAIL`, a Windows-service client, unload and reload, newer and
//! older MAPI SPI versions; the address book opened once, twice and at logon; a message sent so
//! that the spooler starts your transport (through the bundled sample store when your library
//! has none, or your store with [`Conformance::submit_with`](conformance::Conformance::submit_with));
//! the services deleted; the client's fast shutdown. Then each scenario runs once per fault
//! point it offers: every allocation failing, every support call failing with its documented
//! error, every provider method panicking, every `Logon` and `TransportLogon` answering
//! `MAPI_E_FAILONEPROVIDER`, `MAPI_E_UNCONFIGURED` or `MAPI_E_LOGON_FAILED`
//! ([`FaultPlan`](runtime::FaultPlan) does the same in a test of your own). On the sample suite
//! (an address book, a store and a transport, both readings of `StoreLogoffTransports`'s timing)
//! the whole battery is some 1,900 runs, a quarter of a second in the test profile.
//!
//! A failing battery names the scenario, the reading, the fault and each broken rule with its
//! page and the trace around it. A store that never calls `StoreLogoffTransports`:
//!
//! ```text
//! 197 of 573 conformance runs failed, in lifecycle, release-without-store-logoff, …
//! scenario                            runs  verdict
//! lifecycle                             35  FAILED in 19 run(s): SLT-ONCE, MEM-LEAK
//! …
//! older-mapi-spi                         3  ok
//! open-address-book                      0  skipped (the services hold no address-book provider)
//! …
//! The first:
//! scenario lifecycle (default): broken: SLT-ONCE
//! …
//! 2. SLT-ONCE (by ZOO32.DLL)
//!    rule:    StoreLogoffTransports is called exactly once per store shutdown that reaches the
//!             store's final release (…).
//!    page:    https://learn.microsoft.com/office/client-developer/outlook/mapi/shutting-down-a-message-store-provider
//!    says:    "StoreLogoffTransports must be called once during the shutdown process."
//!    found:   the store was shut down without calling StoreLogoffTransports
//!    trace around event #38:
//!         32 client -> IMsgStore#8: StoreLogoff(LOGOFF_ORDERLY) = S_OK; LOGOFF_COMPLETE
//!         …
//!         37   ZOO32.DLL -> IMAPISupport#6: Release() = 0, destroyed
//!      >  38   !! SLT-ONCE: the store was shut down without calling StoreLogoffTransports
//! To run that scenario alone: set MAPISIM_SCENARIO=lifecycle (or call .only("lifecycle")).
//! ```
//!
//! (The `MEM-LEAK` is the same store's other defect, which only a failed allocation shows.) Opt
//! out of a scenario with a reason ([`skip`](conformance::Conformance::skip)), choose the
//! readings ([`slt_timings`](conformance::Conformance::slt_timings) and its siblings), count
//! advice as failure ([`pedantic`](conformance::Conformance::pedantic)).
//!
//! A compiled library (the DLL you ship, built with `mapisim-com`'s exports or any other way)
//! runs the same battery through the COM binary interface:
//! `cargo run -p mapisim-com --example conformance -- PATH_TO_LIBRARY --mapisvc MAPISVC.INF`
//! prints the table and exits non-zero on a failure (`mapisim_com::host::native_conformance`
//! in a test of your own).
//!
//! With the `proptest` feature, random client scripts exercise the same library in any order,
//! misuse included, and shrink a failure to a minimal script printed as Rust code you paste
//! into a regression test ([`conformance::scripts`](conformance/scripts/index.html), with the feature):
//!
//! ```
//! # #[cfg(feature = "proptest")] {
//! # use mapisim::sample::{SampleStore as MyDll, SampleSuite};
//! # fn my_library() -> impl mapisim::spi::ProviderLibrary { MyDll::library() }
//! # const MY_MAPISVC_INF: &str = SampleSuite::MAPISVC_INF;
//! # const MY_DLL: &str = MyDll::DLL_FILE;
//! use mapisim::conformance::Conformance;
//!
//! let battery = Conformance::new(MY_DLL, my_library).mapisvc_inf(MY_MAPISVC_INF)?;
//! if let Err(failure) = battery.run_scripts(1_000) {
//!     panic!("{failure}"); // the minimal script, as code
//! }
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Wrapping for real MAPI
//!
//! The provider code a test runs is the code a COM shim exposes to Outlook: the shim is a thin,
//! mechanical layer because the model below is COM's, not a simplification of it.
//!
//! - **One object, one identity.** Every object behind a [`Ref`] has one identity, the same
//!   through every interface it is held as: [`Ref::ptr_eq`], and [`Ref::key`] (an
//!   [`ObjectKey`](object::ObjectKey), a map key) for the shim's table from Rust objects to COM
//!   objects. A shim makes one COM object per key, with one vtable per interface it answers for,
//!   and finds it again without scanning.
//! - **QueryInterface.** An object answers for `IUnknown` and for the interfaces it exposes —
//!   converting to `Ref<dyn MsgStore>` exposes `IMsgStore` and `IMAPIProp`, [`Ref::expose`] adds
//!   one (`IMAPIProviderShutdown`, or an interface of the provider's own declared with
//!   [`declare_interface!`]) — or by itself ([`object::QueryInterface`]). The shim's
//!   `QueryInterface` calls [`Ref::query_interface`] and maps the answer by its key; the typed
//!   way back from an erased reference is [`Ref::query`], [`Ref::cast`] or [`Ref::downcast`].
//!   COM's identity rules are rules of the catalogue (`COM-QI-*`), checked on every
//!   `QueryInterface` the simulator makes on an object that answers by itself.
//! - **Counts.** Cloning a `Ref` is one `AddRef` of the object, dropping it one `Release`. The
//!   host's counts are on the COM object: a shim mirrors each `AddRef` the host makes with
//!   [`Ref::add_ref_raw`] and each `Release` with [`Ref::release_raw`], so that the object's count
//!   is the Rust holders plus the host's references. A `Release` with no raw reference to drop
//!   changes nothing and says so ([`RawRelease::OverReleased`](object::RawRelease)), so a host
//!   that releases once too often cannot destroy an object Rust still uses (in the simulator,
//!   that is `OVER-RELEASE`). Several clones held inside the shim are the shim's own references,
//!   not the host's.
//! - **The final release is `Drop`.** The last `Release` runs the object's `Drop` (a store's
//!   final-release work) inside the host's call; a panic there, as in any method, must not
//!   unwind into the host: the shim catches it at every entry (`catch_unwind`) and answers
//!   `MAPI_E_CALL_FAILED`, which is what the simulator does too (`PROVIDER-PANIC`).
//! - **Threads.** Every trait is `Send + Sync` and takes `&self`: MAPI uses the free-threading
//!   model (threading-in-mapi), so the host may call any object from any thread. An adapter over
//!   a pointer MAPI gives (its support object, its allocator, its profile sections) implements
//!   the trait over the pointer and is `Send + Sync` on that ground. Objects the host passes as
//!   destinations of a copy (`CopyTo`, `CopyProps`) are the exception the documentation names
//!   (using-thread-safe-objects): use them on the thread that received them.
//! - **Memory.** [`spi::MemRoutines`] sits on the simulated heap, or on the host's
//!   `MAPIAllocateBuffer` family through a [`spi::MemBackend`] the shim implements over the
//!   function pointers of the entry point: a provider's buffers are then MAPI's memory with no
//!   copy ([`spi::MemRoutines::address`] gives the pointer to hand across), and every `MEM-*`
//!   check still holds.
//! - **Vtables and parameters.** [`spi::vtable`] lists every slot of every interface, in the
//!   headers' order, with its IID and the Rust method behind it; every method has every parameter
//!   of the real one (objects as `Ref`s a shim maps back to their COM pointers, `LPTSTR` as
//!   [`strings::TStr`] in the encoding the call's `MAPI_UNICODE` says, property strings as
//!   [`strings::AnsiString`] and [`strings::WideString`], exactly). Out-parameters a provider
//!   writes whatever its call returns (`*lpulProviderVer`, `*lppMAPIError`) are
//!   [`spi::OutParam`]s; [`spi::ModuleInstance::from_host`] carries the real `HINSTANCE`.
//! - **Fast shutdown.** A provider object that implements [`spi::ProviderShutdown`] exposes it
//!   ([`Ref::expose`]); MAPI finds it with `QueryInterface` when a client shuts down fast
//!   ([`runtime::Session::query_fast_shutdown`]), as the sample shows.
//! - **The other way round.** A shim that *hosts* a compiled library hands the simulator's
//!   objects across as raw interface pointers whose `AddRef` and `Release` are
//!   [`WeakRef::add_ref_raw`](object::WeakRef::add_ref_raw) and
//!   [`WeakRef::release_raw`](object::WeakRef::release_raw) (a `Release` after the object is gone
//!   is [`ObjectLedger::released_after_destruction`](object::ObjectLedger::released_after_destruction)),
//!   calls through them with [`WeakRef::with_borrowed`](object::WeakRef::with_borrowed), hands an
//!   owned output over with [`Ref::into_raw_ref`], and reads the property arrays the library lays
//!   out in its blocks with [`spi::MemRoutines::attach_value`].
//!
//! The workspace's `mapisim-com` crate is that shim, both ways: it exports a provider written
//! against [`spi`] behind a real `MSProviderInit`, and hosts a compiled provider library under
//! the simulator (the README's *Ship it*).
//!
//! ## What the simulator checks
//!
//! Every contract is a [`Rule`] of the catalogue ([`check::rules`]) with a stable id, a one-line
//! statement of exactly what fires it, the documentation page that states it, the sentence of
//! that page it rests on, and its basis: stated by the page, derived from what the pages state,
//! or contested between pages (then a [`Behavior`] setting chooses). The support object AddRef'd
//! by a fresh `Logon` and not on a reuse, a MAPIUID registered and the profile section filled in,
//! `SpoolerLogon` returning the same objects, `StoreLogoffTransports` called once with the saved
//! flag, a new provider object per initialization, every `LoadLibrary` paired, nothing of a
//! session left alive after its teardown, and more. A broken rule is a [`Violation`], recorded with
//! the objects involved and the trace event; [`Report::assert_clean`] panics with a readable
//! account (rule, page, quoted sentence, basis, objects, the trace lines around it, how to rerun).
//! Errors — what MAPI or a provider returns — are [`MapiError`] values, one per MAPI code with its
//! exact `HRESULT`; they are not violations.
//!
//! **Severity follows the page's words.** A rule the page states with *must* (or that MAPI
//! depends on) is a violation: the report is not clean. A rule the page words as *should*, or as
//! performance advice, is an advisory ([`Violation::is_advisory`]): listed in the report and in
//! the trace (`??` instead of `!!`), but [`Report::assert_clean`] passes. A test that wants the
//! advice kept too builds the simulator with
//! [`pedantic`](runtime::SimulatorBuilder::pedantic) or calls [`Report::assert_pedantic`].
//!
//! The client is checked too: MAPI calls before `MAPIInitialize`, a session logged off while the
//! client still holds its stores or advise registrations, a session used after its logoff, a store
//! used after its `StoreLogoff` are client findings, and misuse always gets a typed error, never a
//! panic.
//!
//! ## Where the pages disagree
//!
//! Where two Microsoft pages say different things, the simulator does not pick one silently: the
//! rule's basis names the [`Behavior`] setting, the default is the reading of the seed pages where
//! they take a side, and a provider can be run under both (the table test `every_reading.rs` runs
//! the bundled providers under every combination). The contested points:
//!
//! | Point | One reading | The other | Setting (default first) |
//! |---|---|---|---|
//! | When `StoreLogoffTransports` is called | `StoreLogoff` starts with it (shutting-down-a-message-store-provider) | `StoreLogoff` only saves the flag, the call waits for the final release (imsgstore-storelogoff) | [`SltTiming`](runtime::SltTiming): `InStoreLogoff`, `AtFinalRelease` |
//! | Who releases the support object | `IMSLogon::Logoff` (shutting-down-a-service-provider, seed) | the store's final release (shutting-down-a-message-store-provider) | [`TeardownCleanup`](runtime::TeardownCleanup): `ProviderInLogoff`, `MapiInSupportRelease` |
//! | When DLLs unload (how often they load) | after the last `MAPIUninitialize` | once the last provider object is gone (releasing-the-transport-provider) | [`UnloadTiming`](runtime::UnloadTiming): `AfterLastUninitialize`, `WhenLastProviderReleased` |
//! | What a `Logon` on an open store returns as logon object | the existing one, or none (loading-message-store-providers, seed) | none (imsprovider-logon) | [`ReuseLogon`](runtime::ReuseLogon): `ExistingAllowed`, `Null` |
//! | Which objects `SpoolerLogon` returns | the same as `Logon` (loading-message-store-providers, seed) | objects of its own, marked as the spooler's (imsprovider-spoolerlogon) | [`SpoolerObjects`](runtime::SpoolerObjects): `Same`, `Distinct` |
//! | Where a registered MAPIUID comes from | a hard-coded constant (imapisupport-newuid) | any, `NewUID` included (implementing-address-book-provider-logon-and-logoff) | [`RegisteredUid`](runtime::RegisteredUid): `HardCoded`, `Generated` |
//! | How often `StoreLogoffTransports` and `StoreLogoff` may be called | once (shutting-down-a-message-store-provider) | repeated calls overwrite the saved flag (imsgstore-storelogoff) | [`SltRepeat`](runtime::SltRepeat): `Once`, `Overwrite` |
//! | Whether a store must create a status row at logon | optional (status-tables) | before `Logon` returns (imsprovider-logon) | [`StoreStatusRow`](runtime::StoreStatusRow): `Optional`, `Required` |
//! | Whether a client may pass `MAPI_LOGOFF_SHARED` | never (imapisession-logoff) | the shared session's owner may (ending-a-mapi-session) | [`LogoffShared`](runtime::LogoffShared): `Never`, `OwnerMay` |
//! | Whether the spooler needs spool-security data | the profile section is enough | the blob `Logon` returns (imsprovider-logon) | [`SpoolSecurity`](runtime::SpoolSecurity): `Optional`, `Required` |
//! | When address books log on | `OpenAddressBook` (iabprovider-logon), before the other providers of their service | `MAPILogonEx` (implementing-an-address-book-provider-entry-point-function) | [`AddressBookStart`](runtime::AddressBookStart): `OpenAddressBook`, `Logon` |
//! | When transports start | when a client first asks for their services (starting-a-service-provider, seed) | at the first logon to the profile (ixpprovider-transportlogon) | [`TransportStart`](runtime::TransportStart): `OnDemand`, `AtLogon` |
//!
//! Other settings are not disagreements but let a provider's handling of both cases run: what
//! `StoreLogoffTransports` finds the transports doing ([`TransportActivity`](runtime::TransportActivity)),
//! how `IMalloc` counts, what `MAPIAllocateMore` does with a bad root, whether the spooler runs by
//! itself.
//!
//! ## Memory
//!
//! MAPI's allocation routines ([`spi::MemRoutines`]: `MAPIAllocateBuffer`, `MAPIAllocateMore`,
//! `MAPIFreeBuffer`) come with every entry point and from `GetMemAllocRoutines`. Buffers are real
//! byte buffers behind opaque [`spi::BufferId`]s, or typed [`spi::MapiBuffer`]s for values such as
//! property arrays; one free of a root frees everything linked to it. Memory that crosses the
//! boundary is a buffer, as in MAPI: `GetProps` returns a [`spi::PropArray`] the caller must free,
//! `WrapStoreEntryID` returns a buffer the provider must free, the spool-security blob a provider
//! returns from `Logon` becomes MAPI's. Each block remembers who allocated it, where, and who must
//! free it: a block freed twice, freed piecewise, freed by the wrong party, used after its free, or
//! still live at the end is a `MEM-*` violation naming the block's site. A
//! [`FaultPlan`](runtime::FaultPlan) fails the N-th allocation with `MAPI_E_NOT_ENOUGH_MEMORY`, so a
//! test can loop over every allocation of a scenario and check that the provider passes the error
//! on and leaks nothing.
//!
//! The `IMalloc` of the entry points is a counted object: keeping it means cloning its `Ref`. A
//! provider that mirrors C++ counting uses [`Ref::add_ref_raw`] and [`Ref::release_raw`]; a release
//! it never AddRef'd is `MALLOC-RELEASE`, unless [`MallocCounting::Static`](runtime::MallocCounting)
//! plays the native allocator whose counts never change.
//!
//! ## Clients running as Windows services
//!
//! A client that runs as a Windows service ([`runtime::SimulatorBuilder::windows_service_client`],
//! or `MAPI_NT_SERVICE` in its flags; declared `false`, the flag is advice against it) is held to
//! the rules of "Calling MAPI from Windows services":
//! `MAPI_NT_SERVICE` in both `MAPIInitialize` and `MAPILogonEx`, `MAPI_NO_MAIL`, and no user
//! interface anywhere — nor from its providers, which receive `MAPI_NT_SERVICE` in their entry
//! point's flags. Without `MAPI_MULTITHREAD_NOTIFICATIONS`, notifications wait for the thread that
//! initialized MAPI to pump its messages ([`runtime::Mapi::msg_wait_for_multiple_objects`], then
//! `get_message`, `translate_message`, `dispatch_message`); a client that never pumps never hears
//! them, and the report says so (`NOTIFY-PUMP`). OLE and COM are modelled per thread as far as the
//! rules need: `MAPI_NO_COINIT` on a thread without COM, `OleUninitialize` after the last
//! `MAPIUninitialize`. `cargo run --example windows_service` walks through the documented steps.
//!
//! ## Settings
//!
//! - **Behaviour variants** ([`Behavior`]): the contested points above, each a setting with a
//!   documented default, and the settings that let a provider's handling of each case run.
//! - **Pedantic** ([`runtime::SimulatorBuilder::pedantic`]): advisories count against a clean
//!   report too.
//! - **Strict mode** ([`runtime::SimulatorBuilder::strict`]): the first violation (and, when
//!   pedantic, the first advisory) panics at the offending call.
//! - **History** ([`runtime::SimulatorBuilder::history`]): every object records where each
//!   outstanding reference was taken (`#[track_caller]`), and its `AddRef`/`Release` calls appear
//!   in the trace.
//! - **The spooler** ([`runtime::Spooler`]) is stepped by the test, or runs by itself at the end of
//!   every client call ([`runtime::SpoolerMode`]); either way the run is deterministic.
//! - **Long runs** ([`runtime::SimulatorBuilder::trace_limit`]): a soak test or a fault loop that
//!   runs thousands of lifecycles on one simulator bounds the trace (the last N events, and every
//!   event a report's excerpt shows) and the library ledger, so that memory stays flat while
//!   reports read as with everything kept. Sessions that are over are forgotten in any case, so a
//!   lifecycle costs the same after thousands of them.
//!
//! ## The trace
//!
//! Every call across the boundary (client to MAPI, MAPI and the spooler to the provider, the
//! provider to the support object, library loads and frees, reference changes of tracked objects)
//! is a numbered [`trace::Event`] in one [`Trace`], nested under the call that was open when it
//! happened, with a stable one-line text form: the same single-threaded scenario prints the same
//! trace byte for byte, ready for golden files. Events keep what they name (labels, flags,
//! numbers) as data ([`trace::Text`]) and are formatted only when the trace is read, so tracing
//! every call stays cheap.
//!
//! ## The vocabulary
//!
//! - [`error`]: every MAPI status code with its exact `HRESULT` ([`MapiError`], [`MapiWarning`],
//!   [`Status`]), and [`Warned`] for successes that carry a warning;
//! - [`flags`]: the flag families of the lifecycle with their exact values, unknown bits kept
//!   ([`flags::MapiFlags`]);
//! - [`ids`]: [`MapiUid`](ids::MapiUid), [`EntryId`](ids::EntryId), wrapped store entry IDs and
//!   interface IIDs;
//! - [`props`]: property tags, typed values, property bags and property names
//!   ([`NameId`](props::NameId)), with the well-known tags of profile sections and status rows;
//! - [`strings`]: MAPI strings (`LPTSTR`), 8-bit or UTF-16 as the caller gave them
//!   ([`TStr`](strings::TStr), [`TString`](strings::TString));
//! - [`object`]: counted references, object identity and the object ledger that reports leaks
//!   (and reference cycles);
//! - [`profile`]: profiles and message services.
//!
//! ## Threads
//!
//! The simulator may be used from several threads: several client threads, each with sessions of
//! its own or sharing them, and the spooler stepped from any of them. It never holds one of its
//! own locks while provider code runs, so a provider may call the support object from inside
//! `Logon`, `Logoff` or its `Drop`; a panic in provider code is reported (`PROVIDER-PANIC`) and
//! never poisons or deadlocks the simulator.
//!
//! A teardown never overlaps a call MAPI is making for the same store logon on another thread:
//! a store that logs off, or a session that ends, while the spooler's `SpoolerLogon` (or
//! `OpenEntry`, or a second `Logon`) runs for it is torn down when that call returns, by the thread
//! that made it; a `Shutdown` waits for the calls in flight on the provider object. The checks
//! that judge what is left (`SESSION-LEAK`, `STORE-RELEASES-SUPPORT`, `TEARDOWN-ROW-UIDS`) wait
//! for the teardown and for releases under way on other threads.
//!
//! A thread a provider starts acts for the provider: a call it makes on the support object, on a
//! profile section or with the allocation routines MAPI handed the provider is the provider's
//! (in the trace, and for the buffers it allocates), although the thread has no scope of its own.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod check;
pub mod conformance;
pub mod error;
pub mod flags;
mod heap;
pub mod ids;
mod label;
pub mod object;
pub mod profile;
pub mod props;
pub mod runtime;
pub mod sample;
pub mod spi;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod strings;
mod sync;
pub mod trace;

pub use check::{Report, Rule, Violation};
pub use error::{MapiError, MapiResult, MapiWarning, Status, Warned};
pub use object::{ObjectLedger, Ref};
pub use runtime::{Behavior, Simulator};
pub use trace::Trace;

/// The names most tests and providers need, for `use mapisim::prelude::*`.
pub mod prelude {
    pub use crate::check::{Report, Rule, Violation, rules};
    pub use crate::error::{MapiError, MapiResult, MapiWarning, Status, Warned};
    pub use crate::flags::*;
    pub use crate::ids::{EntryId, Iid, MapiUid, WrappedStoreEntryId};
    pub use crate::object::{
        Interface, InterfaceKind, ObjectInfo, ObjectKey, ObjectLedger, Owner, QueryInterface, RawRelease,
        Ref, Unknown, WeakRef,
    };
    pub use crate::profile::{ProviderDef, ServiceDef};
    pub use crate::props::{NameId, Prop, PropBag, PropTag, PropType, PropValue};
    pub use crate::runtime::{
        AddressBook, AddressBookStart, AllocateMoreMisuse, Behavior, FastShutdown, FaultPlan, LogoffShared,
        MallocCounting, RegisteredUid, ReuseLogon, Session, Simulator, SimulatorBuilder, SltRepeat,
        SltTiming, SpoolSecurity, SpoolerMode, SpoolerObjects, StoreHandle, StoreStatusRow, TeardownCleanup,
        TransportActivity, UnloadTiming,
    };
    pub use crate::spi::{
        AbLogon, AbLogonArgs, AbProvider, AbSecurity, AdviseSink, BufferId, Exports, InOut, InitArgs, Malloc,
        MapiBuffer, MapiProgress, MapiProp, MapiStatus, MapiSupport, MemRoutines, Message, MsLogon,
        MsProvider, MsgStore, Notification, PropArray, ProviderInit, ProviderLibrary, ProviderShutdown,
        SpoolerLogonArgs, StoreLogon, StoreLogonArgs, TransportLogonArgs, XpLogon, XpProvider,
    };
    pub use crate::strings::{TStr, TString};
    pub use crate::trace::{Party, Trace};
    pub use crate::upcast;
}
