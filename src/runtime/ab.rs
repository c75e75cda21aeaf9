//! Address books: `IMAPISession::OpenAddressBook`, the logon of each address-book provider of
//! the profile (`ABProviderInit`, `IABProvider::Logon`), and the address book the client gets
//! (`IAddrBook::OpenEntry` and `CompareEntryIDs`, routed by MAPIUID to the provider's logon).
//!
//! An address-book logon is torn down like a store's, by the machinery of `teardown.rs`: at
//! session logoff `IABLogon::Logoff`, MAPI's release of the logon object, then
//! `IABProvider::Shutdown` and the release of the provider object once its last logon is gone;
//! or at once when its support object's final release comes first (the logon did not keep it:
//! "MAPI will unload your provider").

use std::fmt;
use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult, MapiWarning, Warned};
use crate::flags::AbLogonFlags;
use crate::ids::{Iid, MapiUid};
use crate::object::{InterfaceKind, Owner};
use crate::profile::ProviderEntry;
use crate::runtime::Runtime;
use crate::runtime::kind::{LogonObject, ProviderKind};
use crate::runtime::provider::ProviderHandle;
use crate::runtime::state::LogonRec;
use crate::spi::{AbLogonArgs, AbProvider, AbSecurity, InOut, OpenedEntry, OutParam};
use crate::strings::TStr;
use crate::trace::{Party, Text, Value, text};

/// What MAPI passes in `*lpulcbSecurity` and `*lppbSecurity`: "on input, the value must be
/// nonzero".
const SECURITY_IN: AbSecurity = AbSecurity {
    size: 16,
    address: 0x5EC0_0000,
};

/// The session's address book (`IAddrBook`), which MAPI builds over the address-book providers'
/// logons. Calls after the session's logoff answer `MAPI_E_END_OF_SESSION`.
pub struct AddressBook {
    rt: Arc<Runtime>,
    session: u32,
}

impl fmt::Debug for AddressBook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddressBook")
            .field("session", &self.session)
            .finish()
    }
}

impl AddressBook {
    /// The session the address book belongs to.
    pub fn session_id(&self) -> u32 {
        self.session
    }

    /// `IAddrBook::OpenEntry`: MAPI reads the MAPIUID of `entry_id` and calls `IABLogon::OpenEntry`
    /// of the address-book logon that registered it first (`SetProviderUID`). An ID whose MAPIUID
    /// no address-book logon registered gives `MAPI_E_UNKNOWN_ENTRYID`; a malformed one
    /// `MAPI_E_INVALID_ENTRYID`. (MAPI's own root container, the empty ID, is not simulated:
    /// `MAPI_E_INVALID_ENTRYID`.)
    pub fn open_entry(&self, entry_id: &[u8], interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry> {
        let call = self.rt.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "IAddrBook::OpenEntry",
            text!("entry={entry}, {flags}", entry = Value::hex(entry_id), flags),
        );
        let result = self
            .rt
            .check_session(self.session, "IAddrBook::OpenEntry")
            .and_then(|()| {
                let _mapi = self.rt.mapi_scope();
                self.rt
                    .route_entry_of(self.session, entry_id, interface, flags, Some(ProviderKind::Ab))
            });
        self.rt.settle();
        call.finish_result(&result, crate::runtime::store::opened_summary);
        result
    }

    /// `IAddrBook::CompareEntryIDs`: IDs with different MAPIUIDs differ; otherwise the address-book
    /// logon that registered the MAPIUID compares them (`IABLogon::CompareEntryIDs`).
    pub fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        let call = self.rt.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "IAddrBook::CompareEntryIDs",
            text!("{a}, {b}, {flags}", a = Value::hex(a), b = Value::hex(b), flags),
        );
        let result = self
            .rt
            .check_session(self.session, "IAddrBook::CompareEntryIDs")
            .and_then(|()| {
                let _mapi = self.rt.mapi_scope();
                self.rt
                    .compare_entry_ids_of(self.session, a, b, flags, Some(ProviderKind::Ab))
            });
        self.rt.settle();
        call.finish_result(&result, |same| if *same { "TRUE" } else { "FALSE" });
        result
    }
}

impl Runtime {
    /// `IMAPISession::OpenAddressBook` (see [`Session::open_address_book`]).
    ///
    /// [`Session::open_address_book`]: crate::runtime::Session::open_address_book
    pub(crate) fn open_address_book(&self, session: u32) -> MapiResult<Warned<AddressBook>> {
        self.check_session(session, "OpenAddressBook")?;
        let failed = self.start_address_books(session, None);
        let book = AddressBook {
            rt: self.arc(),
            session,
        };
        Ok(if failed > 0 {
            Warned::with_warning(book, MapiWarning::ErrorsReturned)
        } else {
            Warned::ok(book)
        })
    }

    /// Logs on every address-book provider of the session's profile (of one message service
    /// when `service` is given) that has no active logon in the session, in the profile's order,
    /// skipping disabled services. Returns how many failed.
    pub(crate) fn start_address_books(&self, session: u32, service: Option<MapiUid>) -> usize {
        let Some(books) = self.st().session(session).map(|s| Arc::clone(&s.address_books)) else {
            return 0;
        };
        let of_service: Vec<ProviderEntry>;
        let books: &[ProviderEntry] = match service {
            None => &books,
            Some(service) => {
                of_service = books.iter().filter(|e| e.service == service).cloned().collect();
                &of_service
            }
        };
        self.start_each(session, books, |entry, no_dialog| {
            self.ab_logon(session, entry, no_dialog)
        })
    }

    /// The logon of one address-book provider: its provider object (started if need be), a new
    /// support object, `IABProvider::Logon`, and every check of the logon.
    fn ab_logon(&self, session: u32, entry: &ProviderEntry, no_dialog: bool) -> MapiResult<()> {
        let provider: ProviderHandle<dyn AbProvider> =
            self.provider_of_kind(session, entry, ProviderKind::Ab)?;
        let pkey = provider.key();
        let plabel = provider.label;
        let file = Arc::clone(&provider.file);
        self.check_not_shut_down(provider.object(), plabel, &file);
        let profile_name = {
            let st = self.st();
            st.session(session)
                .ok_or(MapiError::EndOfSession)?
                .profile
                .clone()
        };
        let (lkey, support, support_label) = self.insert_logon(LogonRec {
            no_dialog_call: no_dialog.then_some("Logon"),
            ..LogonRec::opening(
                ProviderKind::Ab,
                session,
                pkey,
                &file,
                entry,
                profile_name.clone(),
            )
        });
        let flags = if no_dialog {
            AbLogonFlags::NO_DIALOG
        } else {
            AbLogonFlags::empty()
        };
        let security = InOut::new(SECURITY_IN);
        let mapi_error = OutParam::new();
        let result = {
            let args = AbLogonArgs {
                support: &support,
                ui_param: 0,
                profile_name: TStr::Ansi(profile_name.as_bytes()),
                flags,
                security: &security,
                mapi_error: &mapi_error,
            };
            let call = self.trace.begin_call(
                Party::Mapi,
                Party::Object(plabel),
                "Logon",
                text!(
                    "support={support_label}, {flags}, security={size} bytes",
                    support_label,
                    flags = Value::flags(flags),
                    size = SECURITY_IN.size,
                ),
            );
            let outcome = self.guarded_call(&file, Some(session), "Logon", &[plabel], || {
                provider.object().logon(&args)
            });
            self.take_mapi_error(&mapi_error, "Logon", Some(false), &file, Some(plabel));
            self.finish_logon_call(lkey, call, outcome, |logon| {
                // Registered before the call's line is finished, so that the line names it.
                let owner = Owner::library(Arc::clone(&file)).in_session(session);
                let _ = self.ledger.adopt(logon, InterfaceKind::AbLogon, Some(owner));
                logon.label().map_or(Text::EMPTY, Text::value)
            })
        };
        // MAPI's temporary reference to the provider goes before anything can shut it down.
        drop(provider);
        let logon = match result {
            Ok(w) => w.value,
            Err(e) => {
                self.failed_logon(session, lkey, entry, &file, support_label, support, e);
                return Err(e);
            }
        };
        let left = security.get();
        if left != AbSecurity::default() {
            self.violation(
                &rules::AB_LOGON_SECURITY,
                format!(
                    "Logon returned with *lpulcbSecurity = {} and *lppbSecurity = {:#x}; both must be zero",
                    left.size, left.address
                ),
                logon.label().as_slice(),
                Party::Library(Arc::clone(&file)),
            );
        }
        let owner = Owner::library(Arc::clone(&file)).in_session(session);
        let _ = self.ledger.adopt(&logon, InterfaceKind::AbLogon, Some(owner));
        let label = logon.label();
        self.st().activate_logon(lkey, LogonObject::Ab(logon));
        self.check_logon_setup(lkey, session, &entry.section, label, &file, ProviderKind::Ab);
        let support_count = support.ref_count();
        if support_count < 2 {
            self.violation(
                &rules::AB_LOGON_ADDREF_SUPPORT,
                format!(
                    "Logon returned without keeping a reference to {support_label} (its count is {support_count}, MAPI's own reference only): MAPI unloads the provider"
                ),
                vec![support_label],
                Party::Library(Arc::clone(&file)),
            );
            // MAPI's reference is the last: its release tears the logon down and shuts the
            // provider down if it was its last logon.
            drop(support);
            return Err(MapiError::CallFailed);
        }
        // MAPI's own reference goes: the provider's is the one that keeps the support object.
        drop(support);
        Ok(())
    }
}
