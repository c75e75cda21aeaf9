//! `mapisim-com`: the COM face of [`mapisim`]'s provider interfaces.
//!
//! `mapisim` models MAPI's service-provider interfaces as Rust traits (`mapisim::spi`) and plays
//! MAPI around them, so that a provider can be written and tested on any platform. Real MAPI does
//! not call Rust traits: it loads a library, calls its exported entry points and talks to the
//! objects it gets back through COM vtables. This crate is where the two meet, both ways:
//!
//! - **Ship the provider you tested** ([`export`]): a provider written against `mapisim::spi`
//!   exposed as real COM objects — `IMSProvider` (and `IMAPIProviderShutdown`), the `IMSLogon`
//!   and `IMsgStore` its `Logon` returns; `IABProvider` and its `IABLogon`; `IXPProvider` and
//!   its `IXPLogon` (the messages MAPI hands it imported as `IMAPIProp`) — one COM object per
//!   Rust object, behind real `MSProviderInit`, `ABProviderInit`, `XPProviderInit` and
//!   message-service entry points, their notifications and advise sinks included. One macro,
//!   [`export_provider_library!`], writes a library's exports; every method runs under a panic
//!   guard. What MAPI hands the provider is imported as the `spi` traits: its allocation routines
//!   and `IMalloc` ([`import`]), its support object, profile sections and `IProviderAdmin`
//!   ([`support`], [`export`]), with no copy of MAPI's memory.
//! - **Test the binary you ship** ([`host`]): the simulator loads a compiled provider library
//!   (`dlopen`), calls its entry points through their symbols, hands it the simulator's objects
//!   as COM objects whose `AddRef` and `Release` are counted on the simulator's side, and adapts
//!   the objects it returns to the `spi` traits, so the whole lifecycle, every rule, the trace and
//!   the leak report apply to the compiled code, for each kind of provider it exports
//!   ([`host::NativeLibraries`], and the `host_native` example for any library); the
//!   conformance battery runs on it too ([`host::native_conformance`], and the `conformance`
//!   example: `cargo run -p mapisim-com --example conformance -- PATH_TO_LIBRARY`).
//!
//! Under both sit the declarations of the binary interface:
//!
//! - [`interfaces`]: each MAPI interface of `mapisim::spi::vtable::ALL` as a COM interface
//!   (`windows_core`'s `#[interface]`): its IID and its vtable, slot by slot, with the parameters
//!   of the MAPI headers;
//! - [`entry`]: the function types a provider library exports (`MSProviderInit`,
//!   `ABProviderInit`, `XPProviderInit`, `MSGSERVICEENTRY`) and the allocation routines MAPI
//!   gives it, each with its calling convention;
//! - [`types`]: the C structures those take;
//! - [`props`]: property values, tag arrays, problem arrays and `MAPIERROR` written into MAPI
//!   memory in their C layout (one root block, every datum linked to it) and read back from it;
//! - [`notify`]: `NOTIFICATION` arrays laid out and read back the same way, and advise sinks
//!   across the interface (`IMAPIAdviseSink` imported as a `mapisim::spi::AdviseSink`, and a Rust
//!   sink exported as one).
//!
//! The tests check every declaration against the core crate's tables (the IIDs against
//! `mapisim::ids::Iid`, the offset of every vtable field against the slot numbers of
//! `mapisim::spi::vtable`), drive the exported objects from a fake MAPI made of vtables, and run
//! the sample built as a library (the workspace's `smpms32` crate) both under a MAPI written
//! with raw function pointers and under the simulator; all of them under valgrind's memcheck in
//! CI.
//!
//! The declarations build and run wherever `windows_core` does, Linux included: a vtable's layout
//! (its slots in order, one pointer each) is the same on every target, and each slot uses the
//! platform's `extern "system"` convention (`__stdcall` on 32-bit Windows, the C convention
//! elsewhere), so objects declared here can be made and called in a test on any platform.
//!
//! What does not cross yet — methods that take or return folders, messages (but the one a
//! transport gets, as `IMAPIProp`), address-book containers and mail users, status objects,
//! progress objects, tables other than the provider table, or user interface — answers
//! `MAPI_E_NO_SUPPORT` on both sides; each adapter's and vtable's documentation lists its
//! methods.

pub mod entry;
pub mod export;
pub mod host;
pub mod import;
#[allow(missing_docs)] // The `#[interface]` macro writes the `IFoo_Impl` traits without docs.
pub mod interfaces;
pub mod notify;
pub mod props;
pub mod support;
pub mod types;
