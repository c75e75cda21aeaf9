//! Transports and the spooler's sending: a store hands a message to the spooler
//! (`IMAPISupport::PrepareSubmit`, after `SpoolerNotify(NOTIFY_READYTOSEND)`), which starts the
//! session's transports on demand — `XPProviderInit`, `IXPProvider::TransportLogon` with
//! `LOGON_NO_INBOUND | LOGON_NO_OUTBOUND`, `IXPLogon::AddressTypes`, the transport's status row,
//! `TransportNotify(NOTIFY_BEGIN_INBOUND | NOTIFY_BEGIN_OUTBOUND)`, `Idle` and `Poll` when the
//! logon asked for them — and sends the message: `IMsgStore::SetLockState`,
//! `IXPLogon::SubmitMessage`, `IXPLogon::EndMessage`, `IMsgStore::FinishedMsg`
//! (transport-provider-and-mapi-spooler-operational-model, message-submission-model).
//!
//! A transport logon is torn down like the other kinds (`teardown.rs`): at session logoff, after
//! the address books and the stores, `TransportNotify(NOTIFY_END_INBOUND | NOTIFY_END_OUTBOUND)`,
//! `IXPLogon::TransportLogoff` (whatever it returns, the logon is over), MAPI's release of the
//! logon object, then `IXPProvider::Shutdown` and the release of the provider object once its
//! last logon is gone.
//!
//! Receiving is in `inbound.rs`: a `Poll` that reports incoming messages, or a
//! `SpoolerNotify(NOTIFY_NEWMAIL)`, queues the transport for `StartMessage`.
//!
//! Not simulated: deferred sending (`END_RESEND_*`, `NOTIFY_SENTDEFERRED`: noted in the trace),
//! and the choice of a transport by recipient address type: the first transport of the session
//! that logged on sends every message.

use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult};
use crate::flags::{
    EndMessageFlags, FlushQueuesFlags, LockState, LogonFlags, ResourceFlags, ResourceType,
    SpoolerNotifyFlags, TransportNotifyFlags, XpLogonFlags,
};
use crate::object::{InterfaceKind, ObjLabel, Owner, Ref};
use crate::profile::ProviderEntry;
use crate::props::{PR_ENTRYID, PR_OWN_STORE_ENTRYID};
use crate::runtime::kind::{LogonObject, ProviderKind};
use crate::runtime::provider::ProviderHandle;
use crate::runtime::state::{LogonKey, LogonPhase, LogonRec, Outbound, TransportsPhase, XpLogonState};
use crate::runtime::{Runtime, TransportStart};
use crate::spi::{InOut, MapiProp, OutParam, TransportLogonArgs, XpLogon, XpProvider};
use crate::strings::TStr;
use crate::trace::{Party, Text, Value, text};

impl Runtime {
    /// Under [`TransportStart::AtLogon`], the spooler is asked to start the transports of a
    /// session that just logged on (unless it used `MAPI_NO_MAIL`).
    pub(crate) fn transports_at_logon(&self, session: u32) {
        if self.behavior.transport_start != TransportStart::AtLogon {
            return;
        }
        let mut st = self.st();
        let no_mail = st
            .session(session)
            .is_none_or(|s| s.flags.contains(LogonFlags::NO_MAIL));
        if !no_mail {
            Runtime::want_transports(&mut st, session);
        }
    }

    /// `IMAPISupport::PrepareSubmit` from a store's support object: the spooler takes the message
    /// (MAPI's reference) and will send it; the session's transports are wanted.
    pub(crate) fn prepare_submit(
        &self,
        logon: LogonKey,
        support: ObjLabel,
        message: &Ref<dyn MapiProp>,
    ) -> MapiResult<u32> {
        let (kind, ready, told, session, file) = {
            let st = self.st();
            let rec = st.logons.get(logon).ok_or(MapiError::EndOfSession)?;
            (
                rec.kind,
                rec.ready_to_send,
                st.spooler_told(rec),
                rec.session,
                Arc::clone(&rec.file),
            )
        };
        if kind != ProviderKind::Store {
            return Err(MapiError::NoSupport);
        }
        if !ready {
            self.violation(
                &rules::STORE_READYTOSEND,
                "PrepareSubmit was called before SpoolerNotify(NOTIFY_READYTOSEND)".to_owned(),
                vec![support],
                Party::Library(file),
            );
            if let Some(rec) = self.st().logons.get_mut(logon) {
                rec.ready_to_send = true;
            }
        }
        if !told {
            if self.coupled_transport(logon) {
                self.note(
                    "the store is tightly coupled with a transport (STATUS_OWN_STORE, PR_OWN_STORE_ENTRYID): the pair sends without the spooler"
                        .to_owned(),
                );
            } else {
                self.client_violation(
                    &rules::CLIENT_NO_MAIL_SEND,
                    "a message was submitted through a store the spooler is not told about (MAPI_NO_MAIL or MDB_NO_MAIL), which no transport is tightly coupled with: the message is not sent",
                );
            }
            return Ok(0);
        }
        let queued = Outbound {
            session,
            store: logon,
            message: message.clone(),
            label: message.label(),
        };
        let mut st = self.st();
        st.spooler.outbound.push_back(queued);
        Runtime::want_transports(&mut st, session);
        Ok(0)
    }

    /// Whether a transport of the session is tightly coupled with the store: `STATUS_OWN_STORE`
    /// in its resource flags, and `PR_OWN_STORE_ENTRYID` (from its status row once it is logged
    /// on, else from its profile section) naming the store — its entry ID as its section records
    /// it, as `Logon` got it, or wrapped by MAPI. A coupled transport that names no store yet
    /// pairs with the stores of its own message service.
    fn coupled_transport(&self, logon: LogonKey) -> bool {
        let Some(session) = self.st().logons.get(logon).map(|r| r.session) else {
            return false;
        };
        let transports = self.session_providers_of_type(session, ResourceType::TransportProvider);
        let st = self.st();
        let Some(rec) = st.logons.get(logon) else {
            return false;
        };
        let Some(profile) = st
            .session(session)
            .and_then(|s| st.profiles.profiles.get(&*s.profile))
        else {
            return false;
        };
        let Some(service) = profile.provider(&rec.section).map(|p| p.service) else {
            return false;
        };
        let mut names: Vec<Vec<u8>> = Vec::with_capacity(4);
        for id in [&rec.entry_id, &rec.logon_entry_id].into_iter().flatten() {
            names.push(id.to_vec());
            if let Ok(wrapped) = crate::ids::WrappedStoreEntryId::wrap_bytes(&rec.dll_base, id) {
                names.push(wrapped);
            }
        }
        let own_store_id = |bag: &crate::props::PropBag| match bag.get(PR_OWN_STORE_ENTRYID) {
            Some(crate::props::PropValue::Binary(id)) => Some(id.clone()),
            _ => None,
        };
        let rows = st.session(session).map(|s| &s.status_rows);
        transports
            .iter()
            .filter(|p| p.flags.contains(ResourceFlags::OWN_STORE))
            .any(|p| {
                let from_row = rows.and_then(|rows| {
                    rows.iter().find_map(|row| {
                        let mapi = row.props.mapi.as_ref()?;
                        (mapi.kind == ProviderKind::Xp && mapi.section == p.section)
                            .then(|| own_store_id(&row.props.set))
                            .flatten()
                    })
                });
                let named =
                    from_row.or_else(|| profile.sections.get(&p.section).and_then(|bag| own_store_id(bag)));
                match named {
                    Some(id) => names.contains(&id),
                    None => p.service == service,
                }
            })
    }

    /// What a provider told the spooler with `SpoolerNotify` (its flags already checked).
    pub(crate) fn spooler_notified(&self, logon: LogonKey, flags: SpoolerNotifyFlags) {
        let mut notes = Vec::new();
        {
            let mut st = self.st();
            let told = st.logons.get(logon).is_some_and(|rec| st.spooler_told(rec));
            let Some(rec) = st.logons.get_mut(logon) else {
                return;
            };
            let session = rec.session;
            match rec.kind {
                ProviderKind::Store if flags.contains(SpoolerNotifyFlags::READYTOSEND) => {
                    rec.ready_to_send = true;
                    if told {
                        Runtime::want_transports(&mut st, session);
                    }
                }
                ProviderKind::Xp => {
                    if flags.contains(SpoolerNotifyFlags::CRITICAL_ERROR)
                        && let Some(xp) = rec.xp.as_mut()
                    {
                        xp.critical = true;
                        notes.push("the transport reported a critical error: the spooler calls it no more, but to release it");
                    }
                    if flags.contains(SpoolerNotifyFlags::NEWMAIL) {
                        crate::runtime::inbound::queue_incoming(&mut st, logon, 1);
                    }
                }
                _ => {}
            }
        }
        for note in notes {
            self.note(note.to_owned());
        }
    }

    /// Marks the session's transports wanted (once), for the spooler's next step.
    fn want_transports(st: &mut crate::runtime::state::State, session: u32) {
        let Some(s) = st.session_mut(session) else {
            return;
        };
        if s.active && s.transports == TransportsPhase::NotStarted {
            s.transports = TransportsPhase::Wanted;
            st.spooler.transport_queue.push_back(session);
        }
    }

    /// The spooler lets go of the messages `logon`'s store submitted (the store logs off).
    pub(crate) fn forget_outbound(&self, logon: LogonKey) {
        let dropped: Vec<Outbound> = {
            let mut st = self.st();
            if st.spooler.outbound.is_empty() {
                return;
            }
            let (dropped, kept): (Vec<Outbound>, Vec<Outbound>) =
                st.spooler.outbound.drain(..).partition(|o| o.store == logon);
            st.spooler.outbound.extend(kept);
            dropped
        };
        let file = self.st().logons.get(logon).map(|r| Arc::clone(&r.file));
        for o in dropped {
            self.note(text!(
                "{message} stays in its store's outbox: the store logged off before the spooler sent it",
                message = o.label.map_or(Value::Static("a message"), Value::Label)
            ));
            match &file {
                Some(file) => {
                    self.drop_in_provider(file, Some(o.session), "the spooler's release", o.message)
                }
                None => drop(o.message),
            }
        }
    }

    /// The spooler's transport work, one piece per step: start the transports of a session that
    /// wants them, else send one message, else take one incoming message. Returns whether there
    /// was work.
    pub(crate) fn transport_step(&self) -> bool {
        let session = self.st().spooler.transport_queue.pop_front();
        if let Some(session) = session {
            self.start_transports(session);
            return true;
        }
        self.send_one() || self.receive_one()
    }

    /// How many pieces of transport work wait for the spooler.
    pub(crate) fn transport_work(&self) -> usize {
        let st = self.st();
        st.spooler.transport_queue.len() + st.spooler.outbound.len() + st.spooler.inbound.len()
    }

    /// Starts every transport of the session's profile that is not logged on yet, in the
    /// profile's order, skipping disabled services.
    fn start_transports(&self, session: u32) {
        {
            let mut st = self.st();
            let Some(s) = st.session_mut(session) else {
                return;
            };
            if !s.active {
                return;
            }
            s.transports = TransportsPhase::Started;
        }
        let transports = self.session_providers_of_type(session, ResourceType::TransportProvider);
        let _ = self.start_each(session, &transports, |entry, no_dialog| {
            self.transport_logon(session, entry, no_dialog)
        });
    }

    /// One transport: its provider object (started if need be: `XPProviderInit`), a new support
    /// object, `TransportLogon`, `AddressTypes`, the status-row check, `TransportNotify`, and
    /// `Idle` and `Poll` when the logon asked for them.
    fn transport_logon(&self, session: u32, entry: &ProviderEntry, no_dialog: bool) -> MapiResult<()> {
        let provider: ProviderHandle<dyn XpProvider> =
            self.provider_of_kind(session, entry, ProviderKind::Xp)?;
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
            no_dialog_call: no_dialog.then_some("TransportLogon"),
            ..LogonRec::opening(
                ProviderKind::Xp,
                session,
                pkey,
                &file,
                entry,
                profile_name.clone(),
            )
        });
        let mut flags_in = XpLogonFlags::NO_INBOUND | XpLogonFlags::NO_OUTBOUND;
        if no_dialog {
            flags_in |= XpLogonFlags::NO_DIALOG;
        }
        let flags = InOut::new(flags_in);
        let mapi_error = OutParam::new();
        let result = {
            let args = TransportLogonArgs {
                support: &support,
                ui_param: 0,
                profile_name: TStr::Ansi(profile_name.as_bytes()),
                flags: &flags,
                mapi_error: &mapi_error,
            };
            let call = self.trace.begin_call(
                Party::Spooler,
                Party::Object(plabel),
                "TransportLogon",
                text!(
                    "support={support_label}, {flags}",
                    support_label,
                    flags = Value::flags(flags_in)
                ),
            );
            let outcome = self.guarded(&file, Some(session), "TransportLogon", &[plabel], || {
                provider.object().transport_logon(&args)
            });
            self.take_mapi_error(&mapi_error, "TransportLogon", Some(false), &file, Some(plabel));
            self.finish_logon_call(lkey, call, outcome, |logon| {
                // Registered before the call's line is finished, so that the line names it.
                let owner = Owner::library(Arc::clone(&file)).in_session(session);
                let _ = self.ledger.adopt(logon, InterfaceKind::XpLogon, Some(owner));
                let label = logon.label().map_or(Value::Nothing, Value::Label);
                text!("{label}, {flags}", label, flags = Value::flags(flags.get()))
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
        let owner = Owner::library(Arc::clone(&file)).in_session(session);
        let _ = self.ledger.adopt(&logon, InterfaceKind::XpLogon, Some(owner));
        let label = logon.label();
        let out_flags = flags.get();
        {
            let mut st = self.st();
            st.activate_logon(lkey, LogonObject::Xp(logon.clone()));
            if let Some(rec) = st.logons.get_mut(lkey) {
                rec.xp = Some(Box::new(XpLogonState {
                    flags: out_flags,
                    ..XpLogonState::default()
                }));
            }
        }
        self.check_logon_setup(lkey, session, &entry.section, label, &file, ProviderKind::Xp);
        let support_count = support.ref_count();
        if support_count < 2 {
            self.violation(
                &rules::XP_LOGON_ADDREF_SUPPORT,
                format!(
                    "TransportLogon returned without keeping a reference to {support_label} (its count is {support_count}, the spooler's own reference only)"
                ),
                vec![support_label],
                Party::Library(Arc::clone(&file)),
            );
        }
        // The spooler's own reference goes: the provider's is the one that keeps the support
        // object (without it, this release tears the logon down at once).
        drop(support);
        if !self.active_logon(lkey) {
            return Err(MapiError::CallFailed);
        }
        self.address_types(lkey, &logon);
        let has_row = self
            .st()
            .session(session)
            .is_some_and(|s| s.status_rows.contains(lkey));
        if !has_row {
            self.violation(
                &rules::XP_STATUS_ROW,
                "the transport logged on without creating its status row (ModifyStatusRow)".to_owned(),
                label.as_slice(),
                Party::Library(Arc::clone(&file)),
            );
        }
        let begin = TransportNotifyFlags::BEGIN_INBOUND | TransportNotifyFlags::BEGIN_OUTBOUND;
        self.transport_notify(lkey, &logon, begin);
        if let Some(xp) = self.st().logons.get_mut(lkey).and_then(|r| r.xp.as_mut()) {
            xp.begun = true;
        }
        if out_flags.contains(XpLogonFlags::SP_IDLE) {
            let _ = self.xp_call(
                lkey,
                "Idle",
                Text::from_static("0"),
                || logon.idle(0),
                |()| Text::EMPTY,
            );
        }
        if out_flags.contains(XpLogonFlags::SP_POLL) {
            self.poll(lkey, &logon);
        }
        Ok(())
    }

    /// Idle time: `Idle` on every transport logon that answered `LOGON_SP_IDLE`, `Poll` on every
    /// one that answered `LOGON_SP_POLL` (not in a critical error). Returns the number of calls.
    pub(crate) fn idle_transports(&self) -> usize {
        let logons: Vec<(LogonKey, Ref<dyn XpLogon>, XpLogonFlags)> = {
            let st = self.st();
            st.logons
                .iter()
                .filter(|(_, r)| {
                    r.kind == ProviderKind::Xp
                        && r.phase == LogonPhase::Active
                        && r.teardown == crate::runtime::state::Teardown::Idle
                })
                .filter_map(|(k, r)| {
                    let xp = r.xp.as_ref().filter(|x| !x.critical)?;
                    match &r.logon {
                        Some(LogonObject::Xp(l)) => Some((k, l.clone(), xp.flags)),
                        _ => None,
                    }
                })
                .collect()
        };
        let mut calls = 0;
        for (lkey, logon, flags) in logons {
            if flags.contains(XpLogonFlags::SP_IDLE) {
                calls += 1;
                let _ = self.xp_call(
                    lkey,
                    "Idle",
                    Text::from_static("0"),
                    || logon.idle(0),
                    |()| Text::EMPTY,
                );
            }
            if flags.contains(XpLogonFlags::SP_POLL) {
                calls += 1;
                self.poll(lkey, &logon);
            }
            let file = self.st().logons.get(lkey).map(|r| Arc::clone(&r.file));
            if let Some(file) = file {
                self.drop_in_provider(&file, None, "the spooler's release", logon);
            }
        }
        calls
    }

    /// `IXPLogon::Poll`.
    fn poll(&self, lkey: LogonKey, logon: &Ref<dyn XpLogon>) {
        let incoming = self.xp_call(
            lkey,
            "Poll",
            Text::EMPTY,
            || logon.poll(),
            |n| text!("{n} incoming", n = *n),
        );
        if let Ok(n) = incoming
            && n > 0
        {
            crate::runtime::inbound::queue_incoming(&mut self.st(), lkey, n);
        }
    }

    /// Whether `logon` is logged on (its teardown has not begun).
    fn active_logon(&self, logon: LogonKey) -> bool {
        self.st().logons.get(logon).is_some_and(|r| {
            r.phase == LogonPhase::Active && r.teardown == crate::runtime::state::Teardown::Idle
        })
    }

    /// A call of the spooler's on a transport logon, traced, in the provider's scope; a panic is
    /// `MAPI_E_CALL_FAILED`.
    pub(super) fn xp_call<R, S: Into<Text>>(
        &self,
        logon: LogonKey,
        method: &'static str,
        args: Text,
        f: impl FnOnce() -> MapiResult<R>,
        summary: impl FnOnce(&R) -> S,
    ) -> MapiResult<R> {
        let (label, file, session) = {
            let st = self.st();
            let rec = st.logons.get(logon).ok_or(MapiError::EndOfSession)?;
            (
                rec.logon_label
                    .unwrap_or(ProviderKind::unlabelled(InterfaceKind::XpLogon)),
                Arc::clone(&rec.file),
                rec.session,
            )
        };
        self.call_provider(
            Party::Spooler,
            Party::Object(label),
            method,
            args,
            &file,
            Some(session),
            f,
            summary,
        )
    }

    /// `IXPLogon::AddressTypes`, right after `TransportLogon`: the spooler keeps what it gave.
    fn address_types(&self, lkey: LogonKey, logon: &Ref<dyn XpLogon>) {
        let types = self.xp_call(
            lkey,
            "AddressTypes",
            Text::EMPTY,
            || logon.address_types(),
            |t| {
                let names: Vec<String> = t.address_types.iter().map(|a| a.to_string()).collect();
                format!("[{}], {} MAPIUID(s)", names.join(", "), t.uids.len())
            },
        );
        if let Ok(types) = types
            && let Some(xp) = self.st().logons.get_mut(lkey).and_then(|r| r.xp.as_mut())
        {
            xp.address_types = types.address_types;
            xp.uids = types.uids;
        }
    }

    /// `IXPLogon::TransportNotify` with `flags`.
    fn transport_notify(&self, lkey: LogonKey, logon: &Ref<dyn XpLogon>, flags: TransportNotifyFlags) {
        let inout = InOut::new(flags);
        let data = InOut::new(0usize);
        let _ = self.xp_call(
            lkey,
            "TransportNotify",
            text!("{flags}", flags = Value::flags(flags)),
            || logon.transport_notify(&inout, &data),
            |()| Text::EMPTY,
        );
    }

    /// At the teardown of a transport logon, before `TransportLogoff`: the spooler disables
    /// sending and receiving (`TransportNotify(NOTIFY_END_INBOUND | NOTIFY_END_OUTBOUND)`) if it
    /// had enabled them, and discards the address types.
    pub(crate) fn end_transport(&self, lkey: LogonKey) {
        let target = {
            let mut st = self.st();
            let Some(rec) = st.logons.get_mut(lkey) else {
                return;
            };
            let begun = rec.xp.as_mut().is_some_and(|xp| {
                xp.address_types.clear();
                xp.uids.clear();
                std::mem::take(&mut xp.begun) && !xp.critical
            });
            let logon = match &rec.logon {
                Some(LogonObject::Xp(l)) => Some(l.clone()),
                _ => None,
            };
            begun
                .then_some(logon)
                .flatten()
                .map(|l| (l, Arc::clone(&rec.file), rec.session))
        };
        if let Some((logon, file, session)) = target {
            let end = TransportNotifyFlags::END_INBOUND | TransportNotifyFlags::END_OUTBOUND;
            self.transport_notify(lkey, &logon, end);
            self.drop_in_provider(&file, Some(session), "the spooler's release", logon);
        }
    }

    /// Sends the next waiting message through the first transport of its session that can
    /// send. Returns whether there was a message.
    fn send_one(&self) -> bool {
        let Some(out) = self.st().spooler.outbound.pop_front() else {
            return false;
        };
        let store = out.store;
        self.send(out);
        self.after_sent(store);
        true
    }

    /// Sends every message `store` submitted that waits for the spooler, now (`LOGOFF_PURGE`).
    /// The session's transports start first if they wait for the spooler.
    pub(crate) fn send_store_queue(&self, store: LogonKey) {
        let wanted = {
            let mut st = self.st();
            let session = st.logons.get(store).map(|r| r.session);
            let wanted = session.filter(|s| {
                st.session(*s)
                    .is_some_and(|s| s.transports == TransportsPhase::Wanted)
            });
            if let Some(session) = wanted {
                st.spooler.transport_queue.retain(|s| *s != session);
            }
            wanted
        };
        if let Some(session) = wanted {
            self.start_transports(session);
        }
        loop {
            let next = {
                let mut st = self.st();
                let at = st.spooler.outbound.iter().position(|o| o.store == store);
                at.and_then(|at| st.spooler.outbound.remove(at))
            };
            let Some(out) = next else {
                return;
            };
            self.send(out);
        }
    }

    /// `LOGOFF_PURGE`: `FlushQueues(FLUSH_UPLOAD | FLUSH_NO_UI)` on every transport of the store's
    /// session the spooler can call, after the store's messages were sent.
    pub(crate) fn flush_transports(&self, store: LogonKey) {
        let transports: Vec<(LogonKey, Ref<dyn XpLogon>)> = {
            let st = self.st();
            let Some(session) = st.logons.get(store).and_then(|r| st.session(r.session)) else {
                return;
            };
            session
                .logons
                .iter()
                .filter_map(|k| {
                    let rec = st.logons.get(*k)?;
                    let ready = rec.kind == ProviderKind::Xp
                        && rec.phase == LogonPhase::Active
                        && rec.teardown == crate::runtime::state::Teardown::Idle
                        && rec.xp.as_ref().is_some_and(|x| x.begun && !x.critical);
                    match &rec.logon {
                        Some(LogonObject::Xp(l)) if ready => Some((*k, l.clone())),
                        _ => None,
                    }
                })
                .collect()
        };
        let flags = FlushQueuesFlags::UPLOAD | FlushQueuesFlags::NO_UI;
        for (lkey, logon) in transports {
            let _ = self.xp_call(
                lkey,
                "FlushQueues",
                text!("0, no target, {flags}", flags = Value::flags(flags)),
                || logon.flush_queues(0, &[], flags),
                |()| Text::EMPTY,
            );
            let file = self.st().logons.get(lkey).map(|r| Arc::clone(&r.file));
            if let Some(file) = file {
                self.drop_in_provider(&file, None, "the spooler's release", logon);
            }
        }
    }

    /// After a message of `store` left the queue: a store that logged off with
    /// `LOGOFF_NO_WAIT` is let go once its last message is sent.
    fn after_sent(&self, store: LogonKey) {
        let done = {
            let mut st = self.st();
            let waiting = st.spooler.outbound.iter().any(|o| o.store == store);
            match st.logons.get_mut(store) {
                Some(rec) if rec.drain_outbound && !waiting => {
                    rec.drain_outbound = false;
                    true
                }
                _ => false,
            }
        };
        if done {
            self.spooler_release(store, "the store logged off and its last waiting message is sent");
        }
    }

    /// Sends one message through the first transport of its session that can send (or tells
    /// why it cannot).
    fn send(&self, out: Outbound) {
        let sender = self.sender_for(out.session);
        let store = {
            let st = self.st();
            st.logons
                .get(out.store)
                .filter(|r| r.phase == LogonPhase::Active)
                .and_then(|r| Some((r.store.as_ref()?.upgrade()?, Arc::clone(&r.file))))
        };
        let label = out.label;
        let message = move || label.map_or(Value::Static("a message"), Value::Label);
        let (Some((lkey, logon)), Some((store, store_file))) = (sender, store) else {
            self.note(text!(
                "no transport of session {session} can send {message}: it stays in its store's outgoing queue",
                session = out.session,
                message = message()
            ));
            let file = self.st().logons.get(out.store).map(|r| Arc::clone(&r.file));
            match file {
                Some(file) => {
                    self.drop_in_provider(&file, Some(out.session), "the spooler's release", out.message)
                }
                None => drop(out.message),
            }
            return;
        };
        let session = out.session;
        let store_label = store
            .label()
            .unwrap_or(ProviderKind::unlabelled(InterfaceKind::MsgStore));
        let lock = |state: LockState| {
            let _ = self.call_provider(
                Party::Spooler,
                Party::Object(store_label),
                "SetLockState",
                text!(
                    "{message}, {state}",
                    message = message(),
                    state = Value::Owned(state.to_string())
                ),
                &store_file,
                Some(session),
                || store.set_lock_state(&out.message, state),
                |()| Text::EMPTY,
            );
        };
        lock(LockState::Locked);
        let return_parm = OutParam::new();
        let submitted = self.xp_call(
            lkey,
            "SubmitMessage",
            text!("0, {message}", message = message()),
            || logon.submit_message(0, &out.message, &return_parm),
            |msg_ref| text!("ref {msg_ref}", msg_ref = *msg_ref),
        );
        let sent = match submitted {
            Ok(msg_ref) => self
                .xp_call(
                    lkey,
                    "EndMessage",
                    text!("{msg_ref}", msg_ref),
                    || logon.end_message(msg_ref),
                    |flags| Text::value(Value::flags(*flags)),
                )
                .map(|flags| {
                    if flags.intersects(EndMessageFlags::RESEND_NOW | EndMessageFlags::RESEND_LATER) {
                        self.note(
                            "the transport asks to send the message again: deferred sending is not simulated"
                                .to_owned(),
                        );
                    }
                }),
            Err(e) => Err(e),
        };
        lock(LockState::Unlocked);
        if sent.is_ok() {
            let entry_id = self.message_entry_id(&out.message, &store_file, session);
            let _ = self.call_provider(
                Party::Spooler,
                Party::Object(store_label),
                "FinishedMsg",
                text!("0, {entry}", entry = Value::hex(&entry_id)),
                &store_file,
                Some(session),
                || store.finished_msg(0, &entry_id),
                |()| Text::EMPTY,
            );
        }
        // The spooler lets go of the message and of what it used.
        let call = self.trace.begin_call(
            Party::Spooler,
            out.label.map_or(Party::Mapi, Party::Object),
            "Release",
            "",
        );
        self.drop_in_provider(&store_file, Some(session), "the spooler's release", out.message);
        call.finish(crate::error::Status::Ok, "");
        self.drop_in_provider(
            &store_file,
            Some(session),
            "the spooler's release",
            (logon, store),
        );
    }

    /// The first transport logon of the session that can send: active, not in a critical error.
    fn sender_for(&self, session: u32) -> Option<(LogonKey, Ref<dyn XpLogon>)> {
        let st = self.st();
        let s = st.session(session)?;
        s.logons.iter().find_map(|k| {
            let rec = st.logons.get(*k)?;
            let ok = rec.kind == ProviderKind::Xp
                && rec.phase == LogonPhase::Active
                && rec.teardown == crate::runtime::state::Teardown::Idle
                && rec.xp.as_ref().is_some_and(|x| !x.critical);
            let Some(LogonObject::Xp(logon)) = &rec.logon else {
                return None;
            };
            let logon = logon.clone();
            ok.then_some((*k, logon))
        })
    }

    /// The message's `PR_ENTRYID`, read by the spooler (`GetProps`, the buffer freed): empty when
    /// the message does not give it.
    fn message_entry_id(&self, message: &Ref<dyn MapiProp>, file: &Arc<str>, session: u32) -> Vec<u8> {
        let label = message.label();
        let objects: &[ObjLabel] = label.as_slice();
        let call = self.trace.begin_call(
            Party::Spooler,
            label.map_or(Party::Mapi, Party::Object),
            "GetProps",
            "PR_ENTRYID",
        );
        let result = self.guarded(file, Some(session), "GetProps", objects, || {
            message.get_props(Some(&[PR_ENTRYID]), 0)
        });
        let answer = match result {
            Ok(r) => {
                Runtime::finish_warned(call, &r, |v| self.routines.heap().summary(v.id()));
                r
            }
            Err(panic) => {
                call.panicked(panic);
                return Vec::new();
            }
        };
        let Ok(w) = answer else {
            return Vec::new();
        };
        let by = Party::Library(Arc::clone(file));
        let what = crate::heap::Purpose::GetPropsOn(label);
        self.take_result(w.value, &by, Party::Spooler, what, objects)
            .and_then(|props| {
                props
                    .into_iter()
                    .find(|p| p.tag == PR_ENTRYID)
                    .and_then(|p| match p.value {
                        crate::props::PropValue::Binary(bytes) => Some(bytes),
                        _ => None,
                    })
            })
            .unwrap_or_default()
    }
}
