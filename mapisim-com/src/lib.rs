//! `mapisim-com`: the COM face of [`mapisim`]'s provider interfaces.
//!
//! `mapisim` models MAPI's service-provider interfaces as Rust traits (`mapisim::spi`) and plays
//! MAPI around them, so that a provider can be written and tested on any platform. Real MAPI does
//! not call Rust traits: it loads a library, calls its exported entry point and talks to the
//! objects it gets back through COM vtables. This crate is where the two meet.
//!
//! It is built in steps. The first declares the binary interface and lays MAPI's data out in
//! it:
//!
//! - [`interfaces`]: each MAPI interface of `mapisim::spi::vtable::ALL` as a COM interface (`windows_core`'s `#[interface]`): its IID and its vtable, slot by slot,
//!   with the parameters of the MAPI headers;
//! - [`entry`]: the function types a provider library exports (`MSProviderInit`,
//!   `MSGSERVICEENTRY`) and the allocation routines MAPI gives it, each with its calling
//!   convention;
//! - [`types`]: the C structures those take;
//! - [`props`]: property values, tag arrays, problem arrays and `MAPIERROR` written into MAPI
//!   memory in their C layout (one root block, every datum linked to it) and read back from it.
//!
//! The steps to come build on these declarations:
//!
//! - **export**: a provider written against `mapisim::spi` exposed as real COM objects, so that a
//!   library built from it runs under real MAPI. [`export`] starts it with the store provider's
//!   `IMSProvider`, one COM object per Rust object, and its entry point (`MSProviderInit`), and
//!   its `Logon` and `SpoolerLogon`, which return the exported `IMSLogon` and `IMsgStore`, and
//!   the message-service entry point (`MSGSERVICEENTRY`), with MAPI's `IProviderAdmin` as a
//!   `mapisim::spi::ProviderAdmin`; its macros write a library's exports;
//! - **import**: the objects real MAPI (or a compiled provider) hands over, wrapped so that they
//!   can be called as `mapisim::spi` traits. [`import`] starts it with MAPI's memory: the
//!   allocation routines an entry point receives as `mapisim::spi::MemRoutines`, and its
//!   `IMalloc` as a `mapisim::spi::Malloc`; [`support`] wraps MAPI's support object
//!   (`IMAPISupport`) and its profile sections (`IProfSect`) as `mapisim::spi::MapiSupport` and
//!   `mapisim::spi::ProfSect`;
//! - **hosting**: a compiled provider library loaded by the simulator, which calls its entry
//!   point and drives it through the documented lifecycle like a provider written in Rust.
//!
//! The tests check every declaration against the core crate's tables: the IIDs against
//! `mapisim::ids::Iid`, and the offset of every vtable field against the slot numbers of
//! `mapisim::spi::vtable`.
//!
//! The declarations build and run wherever `windows_core` does, Linux included: a vtable's layout
//! (its slots in order, one pointer each) is the same on every target, and each slot uses the
//! platform's `extern "system"` convention (`__stdcall` on 32-bit Windows, the C convention
//! elsewhere), so objects declared here can be made and called in a test on any platform.

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
