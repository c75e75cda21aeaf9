//! Store logons: `IMAPISession::OpenMsgStore` — resolving the wrapped entry ID with
//! `CompareStoreIDs`, the fresh `IMSProvider::Logon` with its checks, and the `Logon` on a store
//! that is already open.

use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{LogonFlags, MapiFlags, ObjectType, OpenStoreFlags, ResourceType, StoreLogonFlags};
use crate::ids::{Iid, MapiUid, WrappedStoreEntryId, WrappedView};
use crate::object::{InterfaceKind, ObjLabel, Owner, Ref, ReleaseNotice};
use crate::profile::ProviderEntry;
use crate::props::{
    PR_DISPLAY_NAME_A, PR_DISPLAY_NAME_W, PR_ENTRYID, PR_MDB_PROVIDER, PR_OBJECT_TYPE, PR_RECORD_KEY,
    PR_STORE_ENTRYID, PR_STORE_RECORD_KEY, PR_STORE_SUPPORT_MASK, Prop, PropTag, PropType, PropValue,
};
use crate::runtime::kind::{LogonObject, ProviderKind};
use crate::runtime::provider::ProviderHandle;
use crate::runtime::session::hex_short;
use crate::runtime::state::{LogonKey, LogonPhase, LogonRec, SpoolerPhase};
use crate::runtime::store::StoreHandle;
use crate::runtime::{Runtime, SpoolSecurity, dll_file_name, loader};
use crate::spi::{OutParam, StoreLogonArgs};
use crate::strings::TStr;
use crate::trace::{Party, Text, Value, text, write_list};

/// The flags `IMSProvider::Logon` gets for an `OpenMsgStore` with these flags.
fn logon_flags(open: OpenStoreFlags) -> StoreLogonFlags {
    let mut flags = StoreLogonFlags::empty();
    for (from, to) in [
        (OpenStoreFlags::NO_DIALOG, StoreLogonFlags::NO_DIALOG),
        (OpenStoreFlags::WRITE, StoreLogonFlags::WRITE),
        (OpenStoreFlags::DEFERRED_ERRORS, StoreLogonFlags::DEFERRED_ERRORS),
        (OpenStoreFlags::TEMPORARY, StoreLogonFlags::TEMPORARY),
        (OpenStoreFlags::NO_MAIL, StoreLogonFlags::NO_MAIL),
    ] {
        if open.contains(from) {
            flags |= to;
        }
    }
    flags
}

/// What MAPI resolved an `OpenMsgStore` to.
#[derive(Clone)]
struct Target {
    /// Its section's properties are not kept (see [`Target::new`]).
    entry: ProviderEntry,
    /// The unwrapped entry ID to give `Logon` (shared with the logon's record).
    entry_id: Option<Arc<[u8]>>,
}

impl Target {
    /// The store to log on to. The entry keeps no version of its section's properties: the
    /// provider writes its section during `Logon`, and a version held here would make that write
    /// copy the section.
    fn new(mut entry: ProviderEntry, entry_id: Option<&[u8]>) -> Target {
        entry.props = crate::profile::no_props();
        Target {
            entry,
            entry_id: entry_id.map(Arc::from),
        }
    }
}

/// The store's own recorded entry ID (unwrapped), if its section has a wrapped `PR_ENTRYID`.
fn recorded_entry_id(entry: &ProviderEntry) -> Option<Vec<u8>> {
    let bytes = entry.props.get_binary(PR_ENTRYID)?;
    let w = WrappedView::parse(bytes).ok()?;
    (!w.names_section()).then(|| w.original().to_vec())
}

impl Runtime {
    pub(crate) fn open_msg_store(
        &self,
        session: u32,
        entry_id: &[u8],
        flags: OpenStoreFlags,
        interface: Option<Iid>,
    ) -> MapiResult<StoreHandle> {
        self.check_session(session, "OpenMsgStore")?;
        let flags = flags.check_known()?;
        // Read in place: nothing is copied out of the ID.
        let wrapped = WrappedView::parse(entry_id).map_err(|_| MapiError::InvalidEntryid)?;
        let target = self.resolve_store(session, &wrapped)?;
        if let Some(err) = self.disabled_by(session, target.entry.service) {
            return Err(err);
        }
        let open = {
            let st = self.st();
            st.session(session).and_then(|s| {
                s.active_by_section
                    .get(&target.entry.section)?
                    .as_slice()
                    .iter()
                    .copied()
                    .find(|k| st.logons.get(*k).is_some_and(|r| r.phase == LogonPhase::Active))
            })
        };
        match open {
            Some(key) => self.reuse_logon(session, key, target, flags, interface),
            None => self.fresh_logon(session, target, flags, interface),
        }
    }

    /// Unwraps the ID and finds the profile section of the store it names: directly for a
    /// section ID, with the provider's `CompareStoreIDs` for a store's own ID.
    fn resolve_store(&self, session: u32, wrapped: &WrappedView<'_>) -> MapiResult<Target> {
        if let Some(section) = wrapped.section_uid() {
            // One section: found directly, without building every provider of the profile.
            let entry = {
                let st = self.st();
                let profile = &st.session(session).ok_or(MapiError::EndOfSession)?.profile;
                st.profiles
                    .profiles
                    .get(&**profile)
                    .ok_or(MapiError::NotFound)?
                    .provider(&section)
            };
            let entry = entry
                .filter(|p| {
                    p.resource_type == Some(ResourceType::StoreProvider) && wrapped.dll_name_is(&p.dll_base)
                })
                .ok_or(MapiError::NotFound)?;
            let entry_id = recorded_entry_id(&entry);
            return Ok(Target::new(entry, entry_id.as_deref()));
        }
        let providers = self.session_providers(session)?;
        let stores: Vec<ProviderEntry> = providers
            .into_iter()
            .filter(|p| p.resource_type == Some(ResourceType::StoreProvider))
            .collect();
        let candidates: Vec<(ProviderEntry, Vec<u8>)> = stores
            .into_iter()
            .filter(|p| wrapped.dll_name_is(&p.dll_base))
            .filter_map(|p| recorded_entry_id(&p).map(|id| (p, id)))
            .collect();
        for (entry, recorded) in candidates {
            let provider = self.provider_for(session, &entry)?;
            if self.compare_store_ids(&provider, wrapped.original(), &recorded)? {
                return Ok(Target::new(entry, Some(wrapped.original())));
            }
        }
        Err(MapiError::NotFound)
    }

    pub(crate) fn compare_store_ids(
        &self,
        provider: &ProviderHandle,
        a: &[u8],
        b: &[u8],
    ) -> MapiResult<bool> {
        self.check_not_shut_down(provider.object(), provider.label, &provider.file);
        let result = self.call_provider(
            Party::Mapi,
            Party::Object(provider.label),
            "CompareStoreIDs",
            text!("{a}, {b}, 0", a = Value::hex(a), b = Value::hex(b)),
            &provider.file,
            Some(provider.session),
            || provider.object().compare_store_ids(a, b, 0),
            |same| Text::from_static(if *same { "TRUE" } else { "FALSE" }),
        );
        match result {
            Ok(same) => self.check_store_id_answer(&provider.file, provider.label, a, b, same),
            Err(e) => self.check_store_id_failure(provider, a, b, e),
        }
        result
    }

    /// `COMPARE-STORE-IDS-NO-STORE`: a failure to compare two store IDs the provider recorded
    /// itself (`PR_ENTRYID` of its profile sections), while none of its stores is open.
    fn check_store_id_failure(&self, provider: &ProviderHandle, a: &[u8], b: &[u8], error: MapiError) {
        let open = {
            let st = self.st();
            st.providers.get(provider.key()).is_some_and(|p| {
                p.logons
                    .iter()
                    .any(|k| st.logons.get(*k).is_some_and(|r| r.phase == LogonPhase::Active))
            })
        };
        if open {
            return;
        }
        let own: Vec<Vec<u8>> = self
            .session_providers(provider.session)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| {
                p.resource_type == Some(ResourceType::StoreProvider)
                    && loader::file_key(&dll_file_name(&p.dll_base)) == loader::file_key(&provider.file)
            })
            .filter_map(|p| recorded_entry_id(&p))
            .collect();
        if own.iter().any(|id| id == a) && own.iter().any(|id| id == b) {
            self.violation(
                &rules::COMPARE_STORE_IDS_NO_STORE,
                format!(
                    "CompareStoreIDs failed with {error} for two store IDs it recorded itself ({}, {}), while none of its stores is open",
                    hex_short(a),
                    hex_short(b)
                ),
                vec![provider.label],
                Party::Library(Arc::clone(&provider.file)),
            );
        }
    }

    /// `COMPARE-STORE-IDS`: what one answer of `CompareStoreIDs` can show — an ID that is not the
    /// same store as itself, or an answer that changes when the two IDs are swapped (against the
    /// DLL's latest answers).
    fn check_store_id_answer(&self, file: &Arc<str>, provider: ObjLabel, a: &[u8], b: &[u8], same: bool) {
        use crate::runtime::state::{STORE_ID_ANSWERS_KEPT, StoreIdAnswer};
        let problem = if a == b && !same {
            Some(format!(
                "CompareStoreIDs answered FALSE for the ID {} and itself",
                hex_short(a)
            ))
        } else {
            let mut st = self.st();
            let answers = st.store_id_answers.entry(loader::file_key(file)).or_default();
            let swapped = answers
                .iter()
                .rev()
                .find(|x| x.a == b && x.b == a)
                .map(|x| x.same)
                .filter(|earlier| *earlier != same);
            if answers.len() == STORE_ID_ANSWERS_KEPT {
                answers.pop_front();
            }
            answers.push_back(StoreIdAnswer {
                a: a.to_vec(),
                b: b.to_vec(),
                same,
            });
            swapped.map(|earlier| {
                let answer = |t: bool| if t { "TRUE" } else { "FALSE" };
                format!(
                    "CompareStoreIDs answered {} for ({}, {}) but {} for the same IDs the other way round",
                    answer(same),
                    hex_short(a),
                    hex_short(b),
                    answer(earlier)
                )
            })
        };
        if let Some(problem) = problem {
            self.violation(
                &rules::COMPARE_STORE_IDS,
                problem,
                vec![provider],
                Party::Library(Arc::clone(file)),
            );
        }
    }

    /// The session's store provider object for the entry's DLL, started if need be.
    pub(crate) fn provider_for(&self, session: u32, entry: &ProviderEntry) -> MapiResult<ProviderHandle> {
        self.provider_of_kind(session, entry, ProviderKind::Store)
    }

    /// A fresh `Logon`. A logon that returns `MAPI_E_UNCONFIGURED` makes MAPI call the service's
    /// entry point with `MSG_SERVICE_CONFIGURE` (UI allowed if the client allowed logon UI and the
    /// open did not say `MDB_NO_DIALOG`), then try the logon again, as often as the behaviour
    /// allows.
    fn fresh_logon(
        &self,
        session: u32,
        target: Target,
        flags: OpenStoreFlags,
        interface: Option<Iid>,
    ) -> MapiResult<StoreHandle> {
        // Within a message service the address-book providers start before the others.
        if self.behavior.address_book_start == crate::runtime::AddressBookStart::OpenAddressBook {
            let _ = self.start_address_books(session, Some(target.entry.service));
            if let Some(err) = self.disabled_by(session, target.entry.service) {
                return Err(err);
            }
        }
        let no_dialog = flags.contains(OpenStoreFlags::NO_DIALOG);
        self.retry_unconfigured(session, target.entry.service, no_dialog, || {
            self.fresh_logon_once(session, &target, flags, interface)
        })
    }

    /// One fresh `Logon`: a new support object, the provider's logon and store objects, and every
    /// check of a fresh logon.
    fn fresh_logon_once(
        &self,
        session: u32,
        target: &Target,
        flags: OpenStoreFlags,
        interface: Option<Iid>,
    ) -> MapiResult<StoreHandle> {
        let provider = self.provider_for(session, &target.entry)?;
        let pkey = provider.key();
        let plabel = provider.label;
        let file = Arc::clone(&provider.file);
        self.check_not_shut_down(provider.object(), plabel, &file);
        let (profile_name, no_mail_session) = {
            let st = self.st();
            let s = st.session(session).ok_or(MapiError::EndOfSession)?;
            (s.profile.clone(), s.flags.contains(LogonFlags::NO_MAIL))
        };
        let (lkey, support, support_label) = self.insert_logon(LogonRec {
            open_flags: flags,
            logon_entry_id: target.entry_id.clone(),
            no_dialog_call: flags.contains(OpenStoreFlags::NO_DIALOG).then_some("Logon"),
            ..LogonRec::opening(
                ProviderKind::Store,
                session,
                pkey,
                &file,
                &target.entry,
                profile_name.clone(),
            )
        });
        let logon_flags = logon_flags(flags);
        let mapi_error = OutParam::new();
        let result = {
            let args = StoreLogonArgs {
                support: &support,
                ui_param: 0,
                profile_name: TStr::Ansi(profile_name.as_bytes()),
                entry_id: target.entry_id.as_deref(),
                flags: logon_flags,
                interface,
                mapi_error: &mapi_error,
            };
            let args_text = text!(
                "support={support_label}, entry={entry}, {flags}",
                support_label,
                entry = target
                    .entry_id
                    .as_deref()
                    .map_or(Value::Static("NULL"), Value::hex),
                flags = Value::flags(logon_flags),
            );
            let call = self
                .trace
                .begin_call(Party::Mapi, Party::Object(plabel), "Logon", args_text);
            let outcome = self.guarded_call(&file, Some(session), "Logon", &[plabel], || {
                provider.object().logon(&args)
            });
            let unicode = logon_flags.contains(StoreLogonFlags::UNICODE);
            self.take_mapi_error(&mapi_error, "Logon", Some(unicode), &file, Some(plabel));
            self.finish_logon_call(lkey, call, outcome, |out| {
                // Registered before the call's line is finished, so that the line names them.
                let owner = Owner::library(Arc::clone(&file)).in_session(session);
                if let Some(logon) = &out.logon {
                    let _ = self
                        .ledger
                        .adopt(logon, InterfaceKind::MsLogon, Some(owner.clone()));
                }
                let _ = self
                    .ledger
                    .adopt(&out.store, InterfaceKind::MsgStore, Some(owner));
                let logon = match &out.logon {
                    None => Value::Static("no logon object"),
                    Some(l) => l.label().map_or(Value::Nothing, Value::Label),
                };
                let store = out.store.label().map_or(Value::Nothing, Value::Label);
                let Some(blob) = out.spool_security else {
                    return Text::list([logon, store]);
                };
                let Some(n) = self.routines.heap().bytes_len(blob) else {
                    let summary = self.routines.heap().summary(blob);
                    return Text::list([logon, store, Value::Owned(format!("spool security {summary}"))]);
                };
                // The list of the two objects, then what the spool-security block holds.
                Text::data([logon, store, Value::from(n), Value::from(blob)], |v, f| {
                    let separator = write_list(v.get(..2).unwrap_or_default(), f)?;
                    match v.get(2..4) {
                        Some([n, buffer]) => {
                            write!(f, "{separator}spool security {n} bytes in {buffer}")
                        }
                        _ => Ok(()),
                    }
                })
            })
        };
        // MAPI's temporary reference to the provider goes before anything can shut it down.
        drop(provider);
        let out = match result {
            Ok(w) => w,
            Err(e) => {
                self.failed_logon(session, lkey, &target.entry, &file, support_label, support, e);
                return Err(e);
            }
        };
        let Warned { value: out, .. } = out;
        // MAPI takes the spool-security blob: its to free when the logon ends.
        let (spool, spool_buffer) = match out.spool_security {
            Some(id) => {
                let what = crate::heap::Purpose::SpoolSecurity(out.store.label());
                let store_label = out.store.label();
                if self.receive_block(
                    id,
                    &Party::Library(Arc::clone(&file)),
                    Party::Mapi,
                    what,
                    store_label.as_slice(),
                ) {
                    (self.routines.heap().peek_bytes(id), Some(id))
                } else {
                    (None, None)
                }
            }
            None => (None, None),
        };
        // Recorded at once: whatever happens next, MAPI frees the blob (at the latest at the end).
        if let Some(rec) = self.st().logons.get_mut(lkey) {
            rec.spool_buffer = spool_buffer;
        }
        let support_count = support.ref_count();
        if support_count < 2 {
            self.violation(
                &rules::LOGON_ADDREF_SUPPORT,
                format!("Logon returned without keeping a reference to {support_label} (its count is {support_count}, MAPI's own reference only)"),
                vec![support_label],
                Party::Library(Arc::clone(&file)),
            );
        }
        // More than one reference is no fault of its own (the pages say AddRef, not once): a
        // reference kept past the store's final release is what `STORE-RELEASES-SUPPORT` catches.
        let owner = Owner::library(Arc::clone(&file)).in_session(session);
        let store = out.store;
        let _ = self
            .ledger
            .adopt(&store, InterfaceKind::MsgStore, Some(owner.clone()));
        self.watch_store(&store, lkey);
        let store_label = store.label();
        let Some(logon) = out.logon else {
            self.violation(
                &rules::LOGON_OBJECTS,
                "a fresh Logon returned a store object but no logon object".to_owned(),
                store_label.as_slice(),
                Party::Library(Arc::clone(&file)),
            );
            self.abandon_logon(lkey);
            let blob = self.st().logons.get_mut(lkey).and_then(|r| r.spool_buffer.take());
            if let Some(blob) = blob {
                self.routines.heap().release(blob, Party::Mapi);
            }
            self.drop_in_provider(&file, Some(session), "the store's release", store);
            drop(support);
            return Err(MapiError::CallFailed);
        };
        let _ = self.ledger.adopt(&logon, InterfaceKind::MsLogon, Some(owner));
        let told = !no_mail_session && !flags.contains(OpenStoreFlags::NO_MAIL);
        if told
            && spool.as_deref().is_none_or(<[u8]>::is_empty)
            && self.behavior.spool_security == SpoolSecurity::Required
        {
            self.violation(
                &rules::LOGON_SPOOL_SECURITY,
                "a fresh Logon returned no spool-security data, and the spooler needs it".to_owned(),
                store_label.as_slice(),
                Party::Library(Arc::clone(&file)),
            );
        }
        let recorded = self.section_entry_id(session, &target.entry.section);
        {
            let mut st = self.st();
            st.activate_logon(lkey, LogonObject::Store(logon));
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.store = Some(store.downgrade());
                rec.store_label = store_label;
                rec.spool_security = spool;
                rec.spooler = if told {
                    SpoolerPhase::Queued
                } else {
                    SpoolerPhase::NotTold
                };
                rec.client_handles = 1;
                st.client_held.insert(lkey);
            }
            if let Some(s) = st.session_mut(session) {
                s.client_handles += 1;
            }
            if told {
                st.spooler.queue.push_back(lkey);
            }
        }
        // MAPI's own reference goes: the provider's is the one that keeps the support object.
        drop(support);
        self.check_recorded_entry_id(lkey, &target.entry, recorded, store_label);
        self.check_logon_setup(
            lkey,
            session,
            &target.entry.section,
            store_label,
            &file,
            ProviderKind::Store,
        );
        if self.behavior.check_store_properties {
            self.check_store_props(lkey, &store, &target.entry.dll_base, &file, session);
        }
        if told {
            self.note(text!(
                "the spooler is told about {store}",
                store = store_label.map_or(Value::Nothing, Value::Label)
            ));
        }
        self.check_logon_interface(&store, interface, &file, session);
        Ok(StoreHandle::new(self.arc(), session, Some(lkey), store, file))
    }

    /// MAPI asks the store `Logon` returned for the interface the client asked
    /// (`LOGON-INTERFACE`).
    fn check_logon_interface(
        &self,
        store: &Ref<dyn crate::spi::MsgStore>,
        interface: Option<Iid>,
        file: &Arc<str>,
        session: u32,
    ) {
        let Some(iid) = interface else {
            return;
        };
        if let Err(e) = self.query_provider(Party::Mapi, store, Iid::IMSGSTORE, iid, file, Some(session)) {
            self.violation(
                &rules::LOGON_INTERFACE,
                format!(
                    "Logon was asked for {} and returned a store that answers QueryInterface for it with {e}",
                    super::query::iid_text(&iid)
                ),
                store.label().as_slice(),
                Party::Library(Arc::clone(file)),
            );
        }
    }

    /// Registers the hook that tells MAPI when the store's final release begins.
    fn watch_store(&self, store: &Ref<dyn crate::spi::MsgStore>, lkey: LogonKey) {
        let rt = self.me();
        let _ = self.ledger.watch(store, move |notice: &ReleaseNotice| {
            if notice.remaining == 0
                && let Some(rt) = rt.upgrade()
                && let Some(rec) = rt.st().logons.get_mut(lkey)
            {
                rec.in_final_release = true;
                rec.store_destroyed = true;
            }
        });
    }

    /// `Logon` on a store that is already open in the session.
    fn reuse_logon(
        &self,
        session: u32,
        lkey: LogonKey,
        target: Target,
        flags: OpenStoreFlags,
        interface: Option<Iid>,
    ) -> MapiResult<StoreHandle> {
        let support = self.support_temp(lkey);
        let (pkey, existing, store_label, file, profile_name, entry_id) = {
            let st = self.st();
            let rec = st.logons.get(lkey).ok_or(MapiError::NotFound)?;
            (
                rec.provider,
                rec.store.as_ref().and_then(crate::object::WeakRef::upgrade),
                rec.store_label,
                Arc::clone(&rec.file),
                rec.profile_name.clone(),
                target.entry_id.clone().or_else(|| rec.logon_entry_id.clone()),
            )
        };
        let (Some(support_temp), Some(existing)) = (support, existing) else {
            // The store is on its way out: open it afresh.
            return self.fresh_logon(session, target, flags, interface);
        };
        // The logon's teardown waits for this Logon to return.
        let Some(_call) = self.logon_call(lkey) else {
            drop((support_temp, existing));
            return self.fresh_logon(session, target, flags, interface);
        };
        let support = support_temp.get();
        let provider: ProviderHandle = self.provider_object(pkey)?;
        let plabel = provider.label;
        self.check_not_shut_down(provider.object(), plabel, &file);
        let before = self.provider_support_refs(lkey);
        {
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.in_logon = true;
                rec.in_reuse_logon = true;
                rec.no_dialog_call = flags.contains(OpenStoreFlags::NO_DIALOG).then_some("Logon");
            }
        }
        let logon_flags = logon_flags(flags);
        let mapi_error = OutParam::new();
        let result = {
            let args = StoreLogonArgs {
                support,
                ui_param: 0,
                profile_name: TStr::Ansi(profile_name.as_bytes()),
                entry_id: entry_id.as_deref(),
                flags: logon_flags,
                interface,
                mapi_error: &mapi_error,
            };
            let support_label = support.label().map(|l| l.to_string()).unwrap_or_default();
            let call = self.trace.begin_call(
                Party::Mapi,
                Party::Object(plabel),
                "Logon",
                text!(
                    "support={support_label}, entry={entry}, {flags} (store already open)",
                    support_label,
                    entry = entry_id.as_deref().map_or(Value::Static("NULL"), Value::hex),
                    flags = Value::flags(logon_flags),
                ),
            );
            let outcome = self.guarded_call(&file, Some(session), "Logon", &[plabel], || {
                provider.object().logon(&args)
            });
            let unicode = logon_flags.contains(StoreLogonFlags::UNICODE);
            self.take_mapi_error(&mapi_error, "Logon", Some(unicode), &file, Some(plabel));
            match outcome {
                Ok(result) => {
                    Runtime::finish_warned(call, &result, |out| {
                        let store = out.store.label().map_or(Value::Nothing, Value::Label);
                        let logon = match &out.logon {
                            None => Value::Static("no logon object"),
                            Some(l) => l.label().map_or(Value::Nothing, Value::Label),
                        };
                        text!("{logon}, {store}", logon, store)
                    });
                    result
                }
                Err(message) => {
                    call.panicked(message);
                    Err(MapiError::CallFailed)
                }
            }
        };
        {
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.in_logon = false;
                rec.in_reuse_logon = false;
                rec.no_dialog_call = None;
            }
        }
        drop(provider);
        let after = self.provider_support_refs(lkey);
        let by = Party::Library(Arc::clone(&file));
        let support_label = support.label();
        if after > before {
            self.violation(
                &rules::LOGON_REUSE_NO_ADDREF,
                format!(
                    "Logon on an open store took {} more reference(s) to the support object",
                    after - before
                ),
                support_label.as_slice(),
                by.clone(),
            );
        }
        drop(support_temp);
        let Warned { value: out, .. } = result?;
        if let Some(logon) = out.logon {
            // The existing logon object is allowed under the loading page's reading; a new one
            // under neither.
            let existing_logon =
                logon.id().is_some() && logon.id() == self.st().logons.get(lkey).and_then(|r| r.logon_id);
            let allowed =
                existing_logon && self.behavior.reuse_logon == crate::runtime::ReuseLogon::ExistingAllowed;
            if !allowed {
                let what = if existing_logon {
                    "the existing logon object, and the behaviour in effect wants none"
                } else {
                    "a new logon object"
                };
                self.violation(
                    &rules::LOGON_REUSE_NO_LOGON,
                    format!(
                        "Logon on the open store {} returned {what} ({})",
                        store_label.map(|l| l.to_string()).unwrap_or_default(),
                        logon
                            .label()
                            .map(|l| l.to_string())
                            .unwrap_or_else(|| "unregistered".into())
                    ),
                    store_label.as_slice(),
                    by.clone(),
                );
            }
            self.drop_in_provider(&file, Some(session), "the extra logon object's release", logon);
        }
        if !out.store.same_object(&existing) {
            self.violation(
                &rules::LOGON_REUSE_SAME_STORE,
                format!(
                    "Logon on the open store {} returned another store object",
                    store_label.map(|l| l.to_string()).unwrap_or_default()
                ),
                store_label.as_slice(),
                by.clone(),
            );
        }
        if let Some(blob) = out.spool_security {
            self.violation(
                &rules::LOGON_REUSE_NO_SETUP,
                "Logon on an open store returned spool-security data".to_owned(),
                store_label.as_slice(),
                by.clone(),
            );
            // The caller frees what it got, even what it did not ask for.
            let objects: &[ObjLabel] = store_label.as_slice();
            if self.receive_block(
                blob,
                &by,
                Party::Mapi,
                "spool-security data of a reused logon",
                objects,
            ) {
                self.routines.heap().release(blob, Party::Mapi);
            }
        }
        drop(existing);
        {
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.client_handles += 1;
                st.client_held.insert(lkey);
            }
            if let Some(s) = st.session_mut(session) {
                s.client_handles += 1;
            }
        }
        self.check_logon_interface(&out.store, interface, &file, session);
        Ok(StoreHandle::new(self.arc(), session, Some(lkey), out.store, file))
    }

    /// MAPI's `GetProps` on a store it opened, for its own checks: the properties, read from the
    /// buffer and the buffer freed; `None` (after `STORE-REQUIRED-PROPS` for a failure) when there
    /// is nothing to check.
    fn ask_store(
        &self,
        store: &Ref<dyn crate::spi::MsgStore>,
        tags: &[PropTag],
        what: &'static str,
        file: &Arc<str>,
        session: u32,
    ) -> Option<Vec<Prop>> {
        let label = store.label();
        let objects: &[ObjLabel] = label.as_slice();
        let by = Party::Library(Arc::clone(file));
        let call = self.trace.begin_call(
            Party::Mapi,
            label.map_or(Party::Mapi, Party::Object),
            "GetProps",
            what,
        );
        let result = self.guarded_call(file, Some(session), "GetProps", objects, || {
            store.get_props(Some(tags), 0)
        });
        let props = match result {
            Ok(r) => {
                Runtime::finish_warned(call, &r, |v| self.routines.heap().summary(v.id()));
                r
            }
            Err(message) => {
                call.panicked(message);
                return None;
            }
        };
        match props {
            Ok(w) => {
                let what = crate::heap::Purpose::GetPropsOn(label);
                self.take_result(w.value, &by, Party::Mapi, what, objects)
            }
            // Out of memory is an answer any method may give: there is nothing to check.
            Err(MapiError::NotEnoughMemory) => None,
            Err(e) => {
                self.violation(
                    &rules::STORE_REQUIRED_PROPS,
                    format!("GetProps of {what} failed with {e}"),
                    objects,
                    by,
                );
                None
            }
        }
    }

    /// The store's unwrapped entry ID as its profile section records it (`PR_ENTRYID`).
    fn section_entry_id(&self, session: u32, section: &MapiUid) -> Option<Vec<u8>> {
        let st = self.st();
        let profile = st.session(session).map(|s| s.profile.clone())?;
        st.profiles
            .profiles
            .get(&*profile)?
            .sections
            .get(section)?
            .get_binary(PR_ENTRYID)
            .map(<[u8]>::to_vec)
    }

    /// `LOGON-ENTRYID` and `STORE-WRAPPED-ENTRYID` for the profile section.
    fn check_recorded_entry_id(
        &self,
        lkey: LogonKey,
        entry: &ProviderEntry,
        recorded: Option<Vec<u8>>,
        store_label: Option<ObjLabel>,
    ) {
        let by = {
            let st = self.st();
            st.logons.get(lkey).map(|r| Party::Library(Arc::clone(&r.file)))
        };
        let by = by.unwrap_or(Party::Mapi);
        let objects: &[ObjLabel] = store_label.as_slice();
        let Some(bytes) = recorded else {
            self.violation(
                &rules::LOGON_ENTRYID,
                "after a fresh Logon the provider's profile section has no PR_ENTRYID".to_owned(),
                objects,
                by,
            );
            return;
        };
        if let Ok(w) = WrappedView::parse(&bytes)
            && w.dll_name_is(&entry.dll_base)
            && !w.names_section()
        {
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.entry_id = Some(Arc::from(w.original()));
            }
            return;
        }
        // Not a store entry ID wrapped under the profile's DLL name: say what it is.
        match WrappedStoreEntryId::parse(&bytes) {
            Ok(w) => self.violation(
                &rules::STORE_WRAPPED_ENTRYID,
                format!(
                    "the profile section's PR_ENTRYID is wrapped with the DLL name {:?}; the profile registers {:?}",
                    w.dll_name(),
                    entry.dll_base
                ),
                objects,
                by,
            ),
            Err(e) => self.violation(
                &rules::STORE_WRAPPED_ENTRYID,
                format!("the profile section's PR_ENTRYID is not a wrapped store entry ID ({e})"),
                objects,
                by,
            ),
        }
    }

    /// Asks the store for its required properties and checks them.
    fn check_store_props(
        &self,
        lkey: LogonKey,
        store: &Ref<dyn crate::spi::MsgStore>,
        dll_base: &str,
        file: &Arc<str>,
        session: u32,
    ) {
        let required: [(&str, PropTag); 8] = [
            ("PR_DISPLAY_NAME", PR_DISPLAY_NAME_W),
            ("PR_ENTRYID", PR_ENTRYID),
            ("PR_OBJECT_TYPE", PR_OBJECT_TYPE),
            ("PR_RECORD_KEY", PR_RECORD_KEY),
            ("PR_STORE_ENTRYID", PR_STORE_ENTRYID),
            ("PR_STORE_RECORD_KEY", PR_STORE_RECORD_KEY),
            ("PR_MDB_PROVIDER", PR_MDB_PROVIDER),
            ("PR_STORE_SUPPORT_MASK", PR_STORE_SUPPORT_MASK),
        ];
        let tags: Vec<PropTag> = required.iter().map(|(_, t)| *t).collect();
        // The logon's teardown waits for MAPI's GetProps.
        let Some(_call) = self.logon_call(lkey) else {
            return;
        };
        let label = store.label();
        let objects: &[ObjLabel] = label.as_slice();
        let by = Party::Library(Arc::clone(file));
        let Some(mut props) = self.ask_store(store, &tags, "the required store properties", file, session)
        else {
            return;
        };
        // A store without Unicode answers a Unicode string with MAPI_E_BAD_CHARWIDTH
        // (imapiprop-getprops): MAPI asks again for the 8-bit form.
        let narrow = props.iter().any(|p| {
            p.tag.id() == PR_DISPLAY_NAME_W.id() && p.value == PropValue::Error(MapiError::BadCharwidth)
        });
        if narrow
            && let Some(again) = self.ask_store(
                store,
                &[PR_DISPLAY_NAME_A],
                "the display name in 8-bit",
                file,
                session,
            )
        {
            props.retain(|p| p.tag.id() != PR_DISPLAY_NAME_W.id());
            props.extend(again);
        }
        let find = |tag: PropTag| {
            props
                .iter()
                .find(|p| p.tag.id() == tag.id() && p.tag.prop_type() != PropType::ERROR)
                .map(|p| &p.value)
        };
        let mut missing: Vec<&str> = Vec::new();
        for (name, tag) in required {
            let ok = match find(tag) {
                None => false,
                Some(v) if tag == PR_OBJECT_TYPE => v.as_u32() == Some(ObjectType::Store.value()),
                Some(v) if tag.prop_type().is_string() => v.as_str().is_some(),
                Some(v) => v.prop_type() == tag.prop_type(),
            };
            if !ok {
                missing.push(name);
            }
        }
        if !missing.is_empty() {
            self.violation(
                &rules::STORE_REQUIRED_PROPS,
                format!("the store's GetProps lacks or mistypes {}", missing.join(", ")),
                objects,
                by.clone(),
            );
        }
        for tag in [PR_ENTRYID, PR_STORE_ENTRYID] {
            if let Some(PropValue::Binary(bytes)) = find(tag) {
                if WrappedView::parse(bytes).is_ok_and(|w| w.dll_name_is(dll_base)) {
                    continue;
                }
                let bad = match WrappedStoreEntryId::parse(bytes) {
                    Ok(w) if w.dll_name().eq_ignore_ascii_case(dll_base) => None,
                    Ok(w) => Some(format!("wrapped with {:?}, not {dll_base:?}", w.dll_name())),
                    Err(e) => Some(format!("not wrapped ({e})")),
                };
                if let Some(why) = bad {
                    self.violation(
                        &rules::STORE_WRAPPED_ENTRYID,
                        format!("the store's {} is {why}", tag.name().unwrap_or("entry ID")),
                        objects,
                        by.clone(),
                    );
                }
            }
        }
    }
}
