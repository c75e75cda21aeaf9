//! Transports and the spooler: the spooler starts the session's transports on demand (a store
//! handed it a message, `outbound.rs`) or at logon — `XPProviderInit`,
//! `IXPProvider::TransportLogon` with `LOGON_NO_INBOUND | LOGON_NO_OUTBOUND`,
//! `IXPLogon::AddressTypes`, the transport's status row,
//! `TransportNotify(NOTIFY_BEGIN_INBOUND | NOTIFY_BEGIN_OUTBOUND)`, `Idle` and `Poll` when the
//! logon asked for them (transport-provider-and-mapi-spooler-operational-model) — and hears what
//! they tell it with `SpoolerNotify`.
//!
//! A transport logon is torn down like the other kinds (`teardown.rs`): at session logoff, after
//! the address books and the stores, `TransportNotify(NOTIFY_END_INBOUND | NOTIFY_END_OUTBOUND)`,
//! `IXPLogon::TransportLogoff` (whatever it returns, the logon is over), MAPI's release of the
//! logon object, then `IXPProvider::Shutdown` and the release of the provider object once its
//! last logon is gone.
//!
//! Sending is in `outbound.rs`, receiving in `inbound.rs`.

use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult};
use crate::flags::{LogonFlags, ResourceType, SpoolerNotifyFlags, TransportNotifyFlags, XpLogonFlags};
use crate::object::{InterfaceKind, Owner, Ref};
use crate::profile::ProviderEntry;
use crate::runtime::kind::{LogonObject, ProviderKind};
use crate::runtime::provider::ProviderHandle;
use crate::runtime::state::{LogonKey, LogonPhase, LogonRec, TransportsPhase, XpLogonState};
use crate::runtime::{Runtime, TransportStart};
use crate::spi::{InOut, OutParam, TransportLogonArgs, XpLogon, XpProvider};
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
    pub(super) fn want_transports(st: &mut crate::runtime::state::State, session: u32) {
        let Some(s) = st.session_mut(session) else {
            return;
        };
        if s.active && s.transports == TransportsPhase::NotStarted {
            s.transports = TransportsPhase::Wanted;
            st.spooler.transport_queue.push_back(session);
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
    pub(super) fn start_transports(&self, session: u32) {
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
            let outcome = self.guarded_call(&file, Some(session), "TransportLogon", &[plabel], || {
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
}
