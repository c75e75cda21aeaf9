//! `smpms32`: mapisim's sample providers ([`mapisim::sample`]: a message store, an address book
//! and a transport) built as a real provider library, the `SMPMS32.DLL` their Mapisvc.inf names
//! (`libsmpms32.so` on Linux).
//!
//! The providers are the ones the simulator runs, unchanged; `mapisim_com` exposes them as COM
//! objects behind the library's exports, all on one library instance
//! ([`mapisim_com::export_provider_library!`]):
//!
//! - `MSProviderInit`, the message-store provider's entry point (cdecl), which returns a new
//!   `IMSProvider` at each call;
//! - `ABProviderInit`, the address-book provider's (`IABProvider`), and `XPProviderInit`, the
//!   transport's (`IXPProvider`), with the sample suite's Mapisvc.inf
//!   ([`SampleSuite::MAPISVC_INF`](mapisim::sample::SampleSuite::MAPISVC_INF));
//! - `ServiceEntry`, the message service's entry point (stdcall), the name the service's
//!   `PR_SERVICE_ENTRY_NAME` gives in [`SampleStore::MAPISVC_INF`].
//!
//! The factory behind them all is [`SampleStore::library`], with its default configuration; its
//! [`ModuleInstance::file`](mapisim::spi::ModuleInstance::file) is [`SampleStore::DLL_FILE`].
//!
//! The crate is also an `rlib`, so that Rust code can link the two functions directly.
//!
//! ```
//! use mapisim::sample::SampleStore;
//!
//! assert!(SampleStore::MAPISVC_INF.contains(&format!("PR_SERVICE_ENTRY_NAME={}", smpms32::SERVICE_ENTRY)));
//! assert_eq!(smpms32::FILE, "SMPMS32.DLL");
//! ```

use mapisim::sample::SampleStore;

/// The file name the library's provider objects carry ([`SampleStore::DLL_FILE`]).
pub const FILE: &str = SampleStore::DLL_FILE;

/// The exported name of the service entry, as `PR_SERVICE_ENTRY_NAME` gives it.
pub const SERVICE_ENTRY: &str = "ServiceEntry";

mapisim_com::export_provider_library!(
    SampleStore::library,
    SampleStore::DLL_FILE,
    service_entry = ServiceEntry,
    providers = [address_book, store, transport]
);
