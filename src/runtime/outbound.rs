//! Sending: a store hands a message to the spooler (`IMAPISupport::PrepareSubmit`, after
//! `SpoolerNotify(NOTIFY_READYTOSEND)`), and the spooler offers it to the session's transports:
//! `IMsgStore::SetLockState`, `IXPLogon::SubmitMessage`, `IXPLogon::EndMessage`,
//! `IMsgStore::FinishedMsg` (message-submission-model, ixplogon-submitmessage,
//! ixplogon-endmessage).
//!
//! What the transport answers decides what follows:
//!
//! - `MAPI_E_NOT_ME`: the next transport of the session is asked; when none takes it, the message
//!   stays in the store's outbox.
//! - `MAPI_E_BUSY`, `MAPI_E_WAIT`, `MAPI_E_NETWORK_ERROR`: the spooler keeps the message and
//!   offers it again at its next idle time ([`Spooler::idle`](crate::runtime::Spooler::idle)); for
//!   the last two the transport must say when (`*lpulReturnParm`, `XP-SUBMIT-RETURN-PARM`).
//! - `MAPI_E_CANCEL`, or another error: the message is not sent, and not offered again.
//! - `EndMessage` with no flag: sent (`FinishedMsg`). `END_RESEND_NOW`: offered again at the
//!   next step (three times at most, then at idle time); `END_RESEND_LATER`: at the next idle
//!   time; `END_DONT_RESEND`: the transport keeps it until it calls
//!   `SpoolerNotify(NOTIFY_SENTDEFERRED)` with its entry ID, and the spooler then offers it to
//!   that transport again with `BEGIN_DEFERRED`.
//!
//! Not simulated: the choice of a transport by the recipients' address types (the spooler reads
//! no recipient table): transports are asked in the session's order, and `MAPI_E_NOT_ME` passes
//! the message on.

use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult};
use crate::flags::{EndMessageFlags, FlushQueuesFlags, LockState, ResourceFlags, ResourceType};
use crate::object::{InterfaceKind, ObjLabel, Ref};
use crate::props::{PR_ENTRYID, PR_OWN_STORE_ENTRYID};
use crate::runtime::Runtime;
use crate::runtime::kind::{LogonObject, ProviderKind};
use crate::runtime::state::{Deferred, LogonKey, LogonPhase, Outbound, TransportsPhase};
use crate::spi::{MapiProp, OutParam, XpLogon};
use crate::trace::{Party, Text, Value, text};

/// `BEGIN_DEFERRED`: `SubmitMessage` of a message the transport deferred.
const BEGIN_DEFERRED: u32 = 0x1;

/// How often a message is restarted at once (`END_RESEND_NOW`) before it waits for idle time.
const MAX_RESTARTS: u8 = 3;

/// What became of a message offered to the transports.
enum Verdict {
    /// Every transport answered `MAPI_E_NOT_ME` (or there was none).
    NotTaken,
    /// Sent: `EndMessage` asked for nothing more.
    Sent,
    /// Not sent, and not to be offered again.
    NotSent(MapiError),
    /// `END_RESEND_NOW`.
    Again,
    /// To offer again at idle time, and why.
    Later(String),
    /// `END_DONT_RESEND`: this transport keeps it.
    Deferred(LogonKey),
}

impl Runtime {
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
            deferred_to: None,
            restarts: 0,
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

    /// The spooler lets go of the messages `logon`'s store submitted (the store logs off).
    pub(crate) fn forget_outbound(&self, logon: LogonKey) {
        let dropped: Vec<Outbound> = {
            let mut st = self.st();
            let spooler = &mut st.spooler;
            if spooler.outbound.is_empty() && spooler.later.is_empty() && spooler.deferred.is_empty() {
                return;
            }
            let mut dropped = Vec::new();
            for queue in [&mut spooler.outbound, &mut spooler.later] {
                let (gone, kept): (Vec<Outbound>, Vec<Outbound>) =
                    queue.drain(..).partition(|o| o.store == logon);
                queue.extend(kept);
                dropped.extend(gone);
            }
            let (gone, kept): (Vec<Deferred>, Vec<Deferred>) =
                spooler.deferred.drain(..).partition(|d| d.message.store == logon);
            spooler.deferred = kept;
            dropped.extend(gone.into_iter().map(|d| d.message));
            dropped
        };
        let file = self.st().logons.get(logon).map(|r| Arc::clone(&r.file));
        for o in dropped {
            self.note(text!(
                "{message} stays in its store's outbox: the store logged off before the spooler sent it",
                message = o.label.map_or(Value::Static("a message"), Value::Label)
            ));
            self.release_message(o, file.as_ref());
        }
    }

    /// The spooler's release of a message it is done with, in the store's scope.
    fn release_message(&self, out: Outbound, file: Option<&Arc<str>>) {
        match file {
            Some(file) => {
                self.drop_in_provider(file, Some(out.session), "the spooler's release", out.message)
            }
            None => drop(out.message),
        }
    }

    /// `SpoolerNotify(NOTIFY_SENTDEFERRED)` from `transport` for `entry_id`: the message it
    /// deferred is offered to it again at the spooler's next step.
    pub(crate) fn sent_deferred(&self, transport: LogonKey, entry_id: Option<&[u8]>) {
        let found = {
            let mut st = self.st();
            let at = st
                .spooler
                .deferred
                .iter()
                .position(|d| d.transport == transport && Some(d.entry_id.as_slice()) == entry_id);
            at.map(|at| {
                let mut d = st.spooler.deferred.remove(at);
                d.message.deferred_to = Some(transport);
                st.spooler.outbound.push_front(d.message);
            })
        };
        if found.is_none() {
            self.note(
                "NOTIFY_SENTDEFERRED names no message this transport deferred: nothing to send again"
                    .to_owned(),
            );
        }
    }

    /// Idle time: the messages waiting for it go back to the spooler's queue.
    pub(crate) fn requeue_later(&self) -> usize {
        let mut st = self.st();
        let spooler = &mut st.spooler;
        let n = spooler.later.len();
        spooler.outbound.extend(spooler.later.drain(..));
        n
    }

    /// Sends the next waiting message through the first transport of its session that can
    /// send. Returns whether there was a message.
    pub(super) fn send_one(&self) -> bool {
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
            let spooler = &st.spooler;
            let waiting = spooler.outbound.iter().any(|o| o.store == store)
                || spooler.later.iter().any(|o| o.store == store)
                || spooler.deferred.iter().any(|d| d.message.store == store);
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

    /// Offers one message to the transports of its session, in order, until one takes it (or to
    /// the transport that deferred it), and acts on the answer (see the module's documentation).
    fn send(&self, mut out: Outbound) {
        let store = {
            let st = self.st();
            st.logons
                .get(out.store)
                .filter(|r| r.phase == LogonPhase::Active)
                .and_then(|r| Some((r.store.as_ref()?.upgrade()?, Arc::clone(&r.file))))
        };
        let candidates = match out.deferred_to {
            Some(transport) => self.senders_for(out.session, Some(transport)),
            None => self.senders_for(out.session, None),
        };
        let label = out.label;
        let message = move || label.map_or(Value::Static("a message"), Value::Label);
        let Some((store, store_file)) = store.filter(|_| !candidates.is_empty()) else {
            self.note(text!(
                "no transport of session {session} can send {message}: it stays in its store's outgoing queue",
                session = out.session,
                message = message()
            ));
            let file = self.st().logons.get(out.store).map(|r| Arc::clone(&r.file));
            self.release_message(out, file.as_ref());
            return;
        };
        let session = out.session;
        let store_label = store
            .label()
            .unwrap_or(ProviderKind::unlabelled(InterfaceKind::MsgStore));
        let lock = |message: &Ref<dyn MapiProp>, state: LockState| {
            let _ = self.call_provider(
                Party::Spooler,
                Party::Object(store_label),
                "SetLockState",
                text!(
                    "{label}, {state}",
                    label = label.map_or(Value::Static("a message"), Value::Label),
                    state = Value::Owned(state.to_string())
                ),
                &store_file,
                Some(session),
                || store.set_lock_state(message, state),
                |()| Text::EMPTY,
            );
        };
        lock(&out.message, LockState::Locked);
        let begin = if out.deferred_to.is_some() {
            BEGIN_DEFERRED
        } else {
            0
        };
        let mut verdict = Verdict::NotTaken;
        for (lkey, logon) in &candidates {
            let return_parm = OutParam::new();
            let submitted = self.xp_call(
                *lkey,
                "SubmitMessage",
                text!("{begin}, {message}", begin, message = message()),
                || logon.submit_message(begin, &out.message, &return_parm),
                |msg_ref| text!("ref {msg_ref}", msg_ref = *msg_ref),
            );
            verdict = match submitted {
                Err(MapiError::NotMe) => continue,
                Err(e @ (MapiError::Busy | MapiError::Wait | MapiError::NetworkError)) => {
                    if e != MapiError::Busy && return_parm.get().is_none() {
                        self.violation(
                            &rules::XP_SUBMIT_RETURN_PARM,
                            format!("SubmitMessage returned {e} without saying when to try again (*lpulReturnParm)"),
                            self.logon_label(*lkey).as_slice(),
                            Party::Library(self.logon_file(*lkey).unwrap_or_else(|| Arc::clone(&store_file))),
                        );
                    }
                    Verdict::Later(e.to_string())
                }
                Err(e) => Verdict::NotSent(e),
                Ok(msg_ref) => {
                    let ended = self.xp_call(
                        *lkey,
                        "EndMessage",
                        text!("{msg_ref}", msg_ref),
                        || logon.end_message(msg_ref),
                        |flags| Text::value(Value::flags(*flags)),
                    );
                    match ended {
                        Ok(f) if f.contains(EndMessageFlags::RESEND_NOW) => Verdict::Again,
                        Ok(f) if f.contains(EndMessageFlags::RESEND_LATER) => {
                            Verdict::Later("END_RESEND_LATER".to_owned())
                        }
                        Ok(f) if f.contains(EndMessageFlags::DONT_RESEND) => Verdict::Deferred(*lkey),
                        Ok(_) => Verdict::Sent,
                        Err(e) => Verdict::NotSent(e),
                    }
                }
            };
            break;
        }
        lock(&out.message, LockState::Unlocked);
        match verdict {
            Verdict::Sent => {
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
                // The spooler lets go of the message.
                let call = self.trace.begin_call(
                    Party::Spooler,
                    out.label.map_or(Party::Mapi, Party::Object),
                    "Release",
                    "",
                );
                self.release_message(out, Some(&store_file));
                call.finish(crate::error::Status::Ok, "");
            }
            Verdict::NotTaken | Verdict::NotSent(_) => {
                let why = match verdict {
                    Verdict::NotSent(e) => format!("the transport answered {e}"),
                    _ => "every transport answered MAPI_E_NOT_ME".to_owned(),
                };
                self.note(text!(
                    "{message} is not sent ({why}): it stays in its store's outbox",
                    message = message(),
                    why = Value::Owned(why)
                ));
                self.release_message(out, Some(&store_file));
            }
            Verdict::Again if out.restarts < MAX_RESTARTS => {
                out.restarts += 1;
                self.st().spooler.outbound.push_front(out);
            }
            Verdict::Again | Verdict::Later(_) => {
                let why = match verdict {
                    Verdict::Later(why) => why,
                    _ => format!("END_RESEND_NOW {MAX_RESTARTS} times"),
                };
                self.note(text!(
                    "{message} is offered again at the spooler's next idle time ({why})",
                    message = message(),
                    why = Value::Owned(why)
                ));
                out.deferred_to = None;
                self.st().spooler.later.push_back(out);
            }
            Verdict::Deferred(transport) => {
                let entry_id = self.message_entry_id(&out.message, &store_file, session);
                self.note(text!(
                    "the transport keeps {message} until SpoolerNotify(NOTIFY_SENTDEFERRED)",
                    message = message()
                ));
                out.deferred_to = None;
                self.st().spooler.deferred.push(Deferred {
                    transport,
                    entry_id,
                    message: out,
                });
            }
        }
        self.drop_in_provider(
            &store_file,
            Some(session),
            "the spooler's release",
            (candidates, store),
        );
    }

    /// A logon's label, as the trace names it.
    fn logon_label(&self, logon: LogonKey) -> Option<ObjLabel> {
        self.st().logons.get(logon).and_then(|r| r.logon_label)
    }

    /// The DLL of a logon's provider.
    fn logon_file(&self, logon: LogonKey) -> Option<Arc<str>> {
        self.st().logons.get(logon).map(|r| Arc::clone(&r.file))
    }

    /// The transport logons of the session that can send, in the session's order (only `only`,
    /// when given): active, enabled, not in a critical error.
    fn senders_for(&self, session: u32, only: Option<LogonKey>) -> Vec<(LogonKey, Ref<dyn XpLogon>)> {
        let st = self.st();
        let Some(s) = st.session(session) else {
            return Vec::new();
        };
        s.logons
            .iter()
            .filter(|k| only.is_none_or(|o| o == **k))
            .filter_map(|k| {
                let rec = st.logons.get(*k)?;
                let ok = rec.kind == ProviderKind::Xp
                    && rec.phase == LogonPhase::Active
                    && rec.teardown == crate::runtime::state::Teardown::Idle
                    && rec.xp.as_ref().is_some_and(|x| !x.critical);
                match &rec.logon {
                    Some(LogonObject::Xp(logon)) if ok => Some((*k, logon.clone())),
                    _ => None,
                }
            })
            .collect()
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
        let result = self.guarded_call(file, Some(session), "GetProps", objects, || {
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
