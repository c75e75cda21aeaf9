//! Teardown: `IMSLogon::Logoff`, the release of logon objects, `IMSProvider::Shutdown`, the
//! release of provider objects, and session logoff.

use std::sync::Arc;

use crate::check::rules;
use crate::error::Status;
use crate::object::ObjLabel;
use crate::object::WeakRef;
use crate::runtime::Runtime;
use crate::runtime::kind::{ProviderKind, ProviderObject};
use crate::runtime::state::{
    LogonKey, LogonPhase, ProviderKey, ReleaseCheck, State, Teardown, TeardownCause,
};
use crate::trace::{Party, Text, text};

/// A call of MAPI's into the provider for one logon, counted while the guard lives: the logon's
/// teardown waits for it, and the guard's end runs a teardown that waited.
pub(crate) struct LogonCall<'a> {
    rt: &'a Runtime,
    logon: LogonKey,
}

impl<'a> LogonCall<'a> {
    /// The guard of a call already counted with [`Runtime::enter_logon_call`].
    pub(crate) fn counted(rt: &'a Runtime, logon: LogonKey) -> LogonCall<'a> {
        LogonCall { rt, logon }
    }
}

impl Drop for LogonCall<'_> {
    fn drop(&mut self) {
        self.rt.leave_logon_call(self.logon);
    }
}

impl Runtime {
    /// Calls `IMSLogon::Logoff` (once per logon).
    pub(crate) fn logoff_logon(&self, logon: LogonKey) {
        let target = {
            let mut st = self.st();
            let Some(rec) = st.logons.get_mut(logon) else {
                return;
            };
            if rec.logoff_called {
                return;
            }
            rec.logoff_called = true;
            rec.logon
                .clone()
                .map(|l| (l, rec.logon_label, Arc::clone(&rec.file), rec.session, rec.kind))
        };
        let Some((object, label, file, session, kind)) = target else {
            return;
        };
        if kind == ProviderKind::Xp {
            // The spooler first disables the transport and discards its address types.
            self.end_transport(logon);
        }
        let label = label.unwrap_or(ProviderKind::unlabelled(kind.logon_interface()));
        let _ = self.call_provider(
            kind.caller(),
            Party::Object(label),
            kind.logoff_method(),
            "0",
            &file,
            Some(session),
            || object.logoff(),
            |()| Text::EMPTY,
        );
        // The clone used for the call goes in the provider's scope.
        self.drop_in_provider(&file, Some(session), "the logon's release", object);
    }

    /// MAPI releases its reference to the logon object, which must then be destroyed; the
    /// logon's teardown ends, and the provider is shut down when this was its last logon.
    pub(crate) fn release_logon(&self, logon: LogonKey) {
        let taken = {
            let mut st = self.st();
            let Some(rec) = st.logons.get_mut(logon) else {
                return;
            };
            rec.phase = LogonPhase::TornDown;
            let (session, section) = (rec.session, rec.section);
            if let Some(s) = st.session_mut(session)
                && let Some(active) = s.active_by_section.get_mut(&section)
                && !active.remove(logon)
            {
                s.active_by_section.remove(&section);
            }
            let Some(rec) = st.logons.get_mut(logon) else {
                return;
            };
            // MAPI frees the spool-security blob it kept for the spooler.
            if let Some(blob) = rec.spool_buffer.take() {
                self.routines.heap().release(blob, Party::Mapi);
            }
            (
                rec.logon.take(),
                rec.logon_label,
                rec.logon_id,
                Arc::clone(&rec.file),
                rec.session,
                rec.provider,
                rec.kind,
            )
        };
        let (object, label, id, file, session, provider, kind) = taken;
        if let Some(object) = object {
            let target = label.map_or(Party::Mapi, Party::Object);
            let call = self.trace.begin_call(kind.caller(), target, "Release", "");
            self.drop_in_provider(&file, Some(session), "the logon object's release", object);
            let alive = id.and_then(|id| self.ledger.count(id).map(|count| (id, count)));
            match alive {
                Some((id, count)) => {
                    call.finish(Status::Ok, text!("count {count}", count));
                    // Judged when the client call ends: the store that holds it may be releasing
                    // it a moment later, in the same final release.
                    if let Some(label) = label {
                        self.defer_release_check(ReleaseCheck::Logon {
                            id,
                            label,
                            file: Arc::clone(&file),
                        });
                    }
                }
                None => call.finish(Status::Ok, "count 0"),
            }
        }
        // What must be gone when the teardown ends.
        let left = {
            let st = self.st();
            st.session(session)
                .map_or((0, 0), |s| (s.uids.count(logon), s.status_rows.count(logon)))
        };
        if left != (0, 0) {
            self.violation(
                &rules::TEARDOWN_ROW_UIDS,
                format!(
                    "the logon's teardown ended with {} MAPIUID(s) and {} status row(s) still registered",
                    left.0, left.1
                ),
                label.as_slice(),
                Party::Library(Arc::clone(&file)),
            );
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(logon) {
                rec.cleanup_done = false;
            }
            drop(st);
            self.cleanup_logon(logon);
        }
        let subscriptions = {
            let mut st = self.st();
            st.logons
                .get_mut(logon)
                .map(|r| std::mem::take(&mut r.subscriptions))
                .unwrap_or_default()
        };
        drop(subscriptions);
        let last = {
            let mut st = self.st();
            match st.providers.get_mut(provider) {
                Some(p) => {
                    p.logons.remove(&logon);
                    p.logons.is_empty()
                }
                None => false,
            }
        };
        if last {
            self.shutdown_provider(provider);
        }
    }

    /// `IMSProvider::Shutdown`, then MAPI's release of the provider object, then the DLL's
    /// `FreeLibrary` for this use. Not while a logon of the provider remains, nor while a call of
    /// MAPI's on it is in flight: then the last logon's release, or the call's end, shuts it down.
    pub(crate) fn shutdown_provider(&self, key: ProviderKey) {
        let taken = {
            let mut st = self.st();
            let Some(rec) = st.providers.get_mut(key) else {
                return;
            };
            if rec.shut_down || rec.object.is_none() || !rec.logons.is_empty() {
                // Done already, or a logon of the provider is still being torn down (its release
                // shuts the provider down).
                return;
            }
            if rec.in_flight > 0 {
                // A call of MAPI's on the provider is running: the last one to return shuts it down.
                rec.shutdown_pending = true;
                return;
            }
            let id = rec.id;
            let label = rec.label;
            let file = Arc::clone(&rec.file);
            let session = rec.session;
            let already_down = st.sharing(key).any(|(_, p)| p.shut_down);
            let others_active = st.sharing(key).any(|(_, p)| !p.logons.is_empty());
            let Some(rec) = st.providers.get_mut(key) else {
                return;
            };
            rec.shut_down = true;
            let object = rec.object.take();
            (object, id, label, file, session, already_down, others_active)
        };
        let (object, id, label, file, session, already_down, others_active) = taken;
        let Some(object) = object else {
            return;
        };
        let kind = match &object {
            ProviderObject::Ab(_) => ProviderKind::Ab,
            ProviderObject::Store(_) => ProviderKind::Store,
            ProviderObject::Xp(_) => ProviderKind::Xp,
        };
        // Consequences of an entry point that handed one object out twice (INIT-NEW-OBJECT,
        // already reported): noted, not reported again.
        if others_active {
            self.note(format!(
                "{label} is shut down while logons of another session still use it: the entry point handed the object out twice"
            ));
        }
        if already_down {
            self.note(format!(
                "{label} gets a second Shutdown: the entry point handed the object out twice"
            ));
        }
        let _ = self.call_provider(
            kind.caller(),
            Party::Object(label),
            "Shutdown",
            "0",
            &file,
            Some(session),
            || object.shutdown(),
            |()| Text::EMPTY,
        );
        let call = self
            .trace
            .begin_call(kind.caller(), Party::Object(label), "Release", "");
        self.drop_in_provider(&file, Some(session), "the provider's release", object);
        call.finish(
            Status::Ok,
            text!("count {count}", count = self.ledger.count(id).unwrap_or(0)),
        );
        let wait = {
            let mut st = self.st();
            match st.providers.get_mut(key) {
                Some(rec) if rec.in_flight > 0 => {
                    rec.release_check_pending = true;
                    true
                }
                _ => false,
            }
        };
        if !wait {
            self.defer_release_check(ReleaseCheck::Provider(key));
        }
        self.release_library(&file, text!("{label} released", label));
        // The session's teardown of this provider is over.
        if let Some(s) = self.st().session_mut(session) {
            s.providers.retain(|(_, _, k)| *k != key);
        }
    }

    /// Judges a released object when the client call on this thread ends.
    pub(crate) fn defer_release_check(&self, check: ReleaseCheck) {
        self.st()
            .release_checks
            .push((std::thread::current().id(), check));
    }

    /// The release checks of this thread's client call, now that it ends: `LOGON-RELEASED` and
    /// `PROVIDER-RELEASED`.
    pub(crate) fn run_release_checks(&self) {
        let me = std::thread::current().id();
        let due: crate::sync::Bunch<ReleaseCheck> = {
            let mut st = self.st();
            if st.release_checks.is_empty() {
                return;
            }
            // The others' checks stay, and the list keeps its room.
            st.release_checks
                .extract_if(.., |(thread, _)| *thread == me)
                .map(|(_, check)| check)
                .collect()
        };
        for check in due {
            match check {
                ReleaseCheck::Logon { id, label, file } => {
                    if let Some(count) = self.ledger.count(id) {
                        self.violation(
                            &rules::LOGON_RELEASED,
                            format!(
                                "{label} is still alive with {count} reference(s) after MAPI released it and the call that released it ended"
                            ),
                            vec![label],
                            Party::Library(file),
                        );
                    }
                }
                ReleaseCheck::Provider(key) => self.check_provider_released(key),
            }
        }
    }

    /// `PROVIDER-RELEASED`: once MAPI released a provider object (and no call of MAPI's on it is
    /// in flight), nothing may keep it alive.
    pub(crate) fn check_provider_released(&self, key: ProviderKey) {
        let (id, label, file) = {
            let st = self.st();
            let Some(rec) = st.providers.get(key) else {
                return;
            };
            let held_by_mapi = st
                .sharing(key)
                .any(|(_, p)| p.object.is_some() || p.in_flight > 0);
            if held_by_mapi {
                return;
            }
            (rec.id, rec.label, Arc::clone(&rec.file))
        };
        if let Some(count) = self.ledger.count(id) {
            self.violation(
                &rules::PROVIDER_RELEASED,
                format!("{label} is still alive with {count} reference(s) after Shutdown and MAPI's release"),
                vec![label],
                Party::Library(file),
            );
        }
    }

    /// `IMAPISession::Logoff`: the spooler lets go of the session's stores, then MAPI tears down
    /// every active logon (`Logoff`, its release, and `Shutdown` of a provider whose last logon it
    /// was) and shuts down the providers left. A logon with a MAPI call in flight on another thread
    /// is torn down when that call returns, and its provider with it.
    pub(crate) fn session_logoff(&self, session: u32) {
        let logons = {
            let mut st = self.st();
            let Some(s) = st.session_mut(session) else {
                return;
            };
            s.active = false;
            let logons = s.logons.len();
            st.leak_checks_due.push(session);
            st.session_settled(session);
            logons
        };
        // The session's logons, by their place in its list: an inactive session gets no new
        // logon, and a logon leaves the list only when the session is retired.
        let logon_at = |i: usize| self.st().session(session).and_then(|s| s.logons.get(i).copied());
        self.check_store_support_release(Some(session));
        // The spooler first lets go of the session's stores.
        for logon in (0..logons).map_while(logon_at) {
            self.spooler_forget(logon);
            self.spooler_release(logon, "the session logs off");
        }
        // Each kind in turn: address books, stores, transports (shutting-down-a-service-provider).
        for kind in [ProviderKind::Ab, ProviderKind::Store, ProviderKind::Xp] {
            for logon in (0..logons).map_while(logon_at) {
                let of_kind = self.st().logons.get(logon).is_some_and(|r| r.kind == kind);
                if of_kind {
                    self.request_teardown(logon, TeardownCause::SessionLogoff);
                }
            }
        }
        let providers: Vec<ProviderKey> = {
            let st = self.st();
            st.session(session)
                .map(|s| s.providers.iter().map(|(_, _, k)| *k).collect())
                .unwrap_or_default()
        };
        for key in providers {
            self.shutdown_provider(key);
        }
        self.note(text!("session {session} is logged off", session));
    }

    /// Asks for MAPI's teardown of a store logon. It runs now, on this thread, unless MAPI calls on
    /// the logon are in flight (then the last one to return runs it) or it is already running
    /// (then a support object released during `Logoff` only has its MAPIUIDs and row removed).
    pub(crate) fn request_teardown(&self, logon: LogonKey, cause: TeardownCause) {
        let run = {
            let mut st = self.st();
            let Some(rec) = st.logons.get_mut(logon) else {
                return;
            };
            if rec.phase != LogonPhase::Active {
                return;
            }
            match rec.teardown {
                Teardown::Running | Teardown::Pending(_) | Teardown::Done => false,
                Teardown::Idle if rec.mapi_calls > 0 => {
                    rec.teardown = Teardown::Pending(cause);
                    false
                }
                Teardown::Idle => {
                    rec.teardown = Teardown::Running;
                    true
                }
            }
        };
        if run {
            self.run_teardown(logon, cause);
        } else if cause == TeardownCause::SupportReleased {
            // MAPI removes the logon's MAPIUIDs and status row inside the support object's
            // release; the rest waits for the call in flight (or is under way).
            self.cleanup_logon(logon);
        }
    }

    /// Counts a MAPI call into the provider for this logon, under MAPI's lock: `false` when the
    /// logon is not active or its teardown has begun (no call may start then).
    pub(crate) fn enter_logon_call(st: &mut State, logon: LogonKey) -> bool {
        match st.logons.get_mut(logon) {
            Some(rec) if rec.phase == LogonPhase::Active && rec.teardown == Teardown::Idle => {
                rec.mapi_calls += 1;
                true
            }
            _ => false,
        }
    }

    /// Counts a MAPI call into the provider for this logon until the guard is dropped; `None`
    /// when no call may start (see [`Runtime::enter_logon_call`]).
    pub(crate) fn logon_call(&self, logon: LogonKey) -> Option<LogonCall<'_>> {
        let entered = Runtime::enter_logon_call(&mut self.st(), logon);
        entered.then(|| LogonCall { rt: self, logon })
    }

    /// A MAPI call counted with [`Runtime::enter_logon_call`] returned: the last one runs a
    /// teardown that waited for it.
    pub(crate) fn leave_logon_call(&self, logon: LogonKey) {
        let due = {
            let mut st = self.st();
            let Some(rec) = st.logons.get_mut(logon) else {
                return;
            };
            rec.mapi_calls = rec.mapi_calls.saturating_sub(1);
            match rec.teardown {
                Teardown::Pending(cause) if rec.mapi_calls == 0 && rec.phase == LogonPhase::Active => {
                    rec.teardown = Teardown::Running;
                    Some(cause)
                }
                _ => None,
            }
        };
        if let Some(cause) = due {
            let _mapi = self.mapi_scope();
            self.run_teardown(logon, cause);
        }
    }

    /// MAPI's teardown of a store logon, in the documented order, once no MAPI call on it is in
    /// flight.
    fn run_teardown(&self, logon: LogonKey, cause: TeardownCause) {
        // The spooler lets go first (it holds nothing once the store logged off its transports).
        self.spooler_forget(logon);
        self.spooler_release(logon, "MAPI tears the store logon down");
        match cause {
            TeardownCause::SupportReleased => {
                // Only a store that went through its final release had its chance to call it.
                let never = {
                    let st = self.st();
                    st.logons
                        .get(logon)
                        .filter(|r| r.slt_calls == 0 && r.store_destroyed)
                        .map(|r| (r.support_label, Arc::clone(&r.file)))
                };
                if let Some((support, file)) = never {
                    self.violation(
                        &rules::SLT_ONCE,
                        "the store was shut down without calling StoreLogoffTransports".to_owned(),
                        vec![support],
                        Party::Library(file),
                    );
                }
                self.cleanup_logon(logon);
                self.logoff_logon(logon);
            }
            TeardownCause::SessionLogoff if self.cleanup_in_logoff() => {
                self.logoff_logon(logon);
                self.check_logoff_released_support(logon);
            }
            TeardownCause::SessionLogoff => {
                self.cleanup_logon(logon);
                self.logoff_logon(logon);
            }
        }
        self.release_logon(logon);
        if let Some(rec) = self.st().logons.get_mut(logon) {
            rec.teardown = Teardown::Done;
        }
    }

    /// `TEARDOWN-ROW-UIDS` under the provider-in-`Logoff` variant: at session logoff, `Logoff`
    /// releases the support object, and MAPI removes the logon's MAPIUIDs and row inside that
    /// release. A support object that outlives `Logoff` because the client still holds the store
    /// (which keeps it) is the client's doing, not the provider's: MAPI removes them itself.
    fn check_logoff_released_support(&self, logon: LogonKey) {
        let left = {
            let st = self.st();
            st.logons.get(logon).filter(|r| !r.cleanup_done).map(|r| {
                // The client still holds the store, or a release of it (the final one releases
                // the support object) is under way on another thread.
                let client_holds_store = (r.client_handles > 0
                    && r.store.as_ref().is_some_and(WeakRef::is_alive))
                    || r.store_releases > 0;
                (
                    client_holds_store,
                    r.logon_label,
                    r.store_label,
                    Arc::clone(&r.file),
                )
            })
        };
        let Some((client_holds_store, label, store, file)) = left else {
            return;
        };
        let logon_name = label.map(|l| l.to_string()).unwrap_or_else(|| "the logon".into());
        if client_holds_store {
            self.note(format!(
                "{logon_name} returned from Logoff with its support object still held by {}, which the client has not released: MAPI removes its MAPIUIDs and status row itself",
                store.map(|l| l.to_string()).unwrap_or_else(|| "its store".into())
            ));
        } else {
            self.violation(
                &rules::TEARDOWN_ROW_UIDS,
                format!(
                    "{logon_name} returned from Logoff without releasing its support object, so its MAPIUIDs and status row stayed"
                ),
                label.as_slice(),
                Party::Library(file),
            );
        }
        self.cleanup_logon(logon);
    }

    /// Releases a reference to the store of `logon` (with whatever goes with it) in the
    /// provider's scope, counted while it runs: a final release in progress on this thread is not
    /// mistaken, on another, for a store that forgot its support object.
    pub(crate) fn release_store<T>(
        &self,
        logon: Option<LogonKey>,
        file: &Arc<str>,
        session: u32,
        what: &str,
        value: T,
    ) {
        let count = |up: bool| {
            let mut st = self.st();
            if let Some(rec) = logon.and_then(|k| st.logons.get_mut(k)) {
                rec.store_releases = if up {
                    rec.store_releases + 1
                } else {
                    rec.store_releases.saturating_sub(1)
                };
            }
        };
        count(true);
        self.drop_in_provider(file, Some(session), what, value);
        count(false);
    }

    /// `STORE-RELEASES-SUPPORT`: a store destroyed while its support object lives on. Checked when
    /// the session logs off (for its logons) and at the end (for all), when no temporary
    /// reference of MAPI's can be in the way.
    pub(crate) fn check_store_support_release(&self, session: Option<u32>) {
        // Under the generic page's reading, Logoff releases the support object: a store that
        // leaves it to the logon is right (a Logoff that keeps it is TEARDOWN-ROW-UIDS).
        if self.cleanup_in_logoff() {
            return;
        }
        let candidates: Vec<LogonKey> = {
            let st = self.st();
            let keys: Vec<LogonKey> = match session {
                Some(id) => st.session(id).map(|s| s.logons.clone()).unwrap_or_default(),
                None => st.logons.keys().collect(),
            };
            keys.into_iter()
                .filter(|k| {
                    st.logons.get(*k).is_some_and(|r| {
                        r.phase == LogonPhase::Active
                            && r.store_destroyed
                            && !r.support_release_reported
                            && r.store_releases == 0
                            && r.mapi_calls == 0
                            && r.support.as_ref().is_some_and(WeakRef::is_alive)
                    })
                })
                .collect()
        };
        let mut stuck: Vec<(ObjLabel, Option<ObjLabel>, Arc<str>)> = Vec::new();
        for logon in candidates {
            // Only the provider's references count: not a temporary one of MAPI's.
            if self.provider_support_refs(logon) == 0 {
                continue;
            }
            let mut st = self.st();
            if let Some(r) = st.logons.get_mut(logon) {
                r.support_release_reported = true;
                stuck.push((r.support_label, r.store_label, Arc::clone(&r.file)));
            }
        }
        for (support, store, file) in stuck {
            self.violation(
                &rules::STORE_RELEASES_SUPPORT,
                format!(
                    "{} was destroyed but {support} is still alive: MAPI's teardown of the logon never ran",
                    store.map(|l| l.to_string()).unwrap_or_else(|| "the store".into())
                ),
                store.into_iter().chain([support]).collect::<Vec<_>>(),
                Party::Library(file),
            );
        }
    }
}
