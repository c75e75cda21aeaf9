//! Teardown: `IMSLogon::Logoff`, the release of logon objects, `IMSProvider::Shutdown`, the
//! release of provider objects, and session logoff.

use std::sync::Arc;

use crate::check::rules;
use crate::error::Status;
use crate::object::ObjLabel;
use crate::runtime::Runtime;
use crate::runtime::state::{LogonKey, LogonPhase, ProviderKey};
use crate::trace::Party;

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
                .map(|l| (l, rec.logon_label, Arc::clone(&rec.file), rec.session))
        };
        let Some((object, label, file, session)) = target else {
            return;
        };
        let label = label.unwrap_or(ObjLabel {
            kind: crate::object::InterfaceKind::MsLogon,
            serial: 0,
        });
        let _ = self.call_provider(
            Party::Mapi,
            Party::Object(label),
            "Logoff",
            "0".to_owned(),
            &file,
            Some(session),
            || object.logoff(0),
            |()| String::new(),
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
            )
        };
        let (object, label, id, file, session, provider) = taken;
        if let Some(object) = object {
            let target = label.map_or(Party::Mapi, Party::Object);
            let call = self.trace.begin_call(Party::Mapi, target, "Release", "");
            self.drop_in_provider(&file, Some(session), "the logon object's release", object);
            let alive = id.and_then(|id| self.ledger.count(id));
            match alive {
                Some(count) => {
                    call.finish(Status::Ok, format!("count {count}"));
                    let label = label
                        .map(|l| l.to_string())
                        .unwrap_or_else(|| "the logon object".into());
                    self.violation(
                        &rules::LOGON_RELEASED,
                        format!("{label} is still alive with {count} reference(s) after MAPI released it"),
                        id.and_then(|id| self.ledger.label(id)).into_iter().collect(),
                        Party::Library(Arc::clone(&file)),
                    );
                }
                None => call.finish(Status::Ok, "count 0"),
            }
        }
        // What must be gone when the teardown ends.
        let left = {
            let st = self.st();
            st.session(session).map_or((0, 0), |s| {
                (
                    s.uids.iter().filter(|(_, k)| *k == logon).count(),
                    s.status_rows.iter().filter(|r| r.logon == Some(logon)).count(),
                )
            })
        };
        if left != (0, 0) {
            self.violation(
                &rules::TEARDOWN_ROW_UIDS,
                format!(
                    "the logon's teardown ended with {} MAPIUID(s) and {} status row(s) still registered",
                    left.0, left.1
                ),
                label.into_iter().collect(),
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
                    p.logons.retain(|k| *k != logon);
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
    /// `FreeLibrary` for this use.
    pub(crate) fn shutdown_provider(&self, key: ProviderKey) {
        let taken = {
            let mut st = self.st();
            let Some(rec) = st.providers.get(key) else {
                return;
            };
            if rec.shut_down || rec.object.is_none() {
                return;
            }
            let id = rec.id;
            let label = rec.label;
            let file = Arc::clone(&rec.file);
            let session = rec.session;
            let already_down = st
                .providers
                .iter()
                .any(|(k, p)| k != key && p.id == id && p.shut_down);
            let others_active = st
                .providers
                .iter()
                .any(|(k, p)| k != key && p.id == id && !p.logons.is_empty());
            let Some(rec) = st.providers.get_mut(key) else {
                return;
            };
            rec.shut_down = true;
            let object = rec.object.take();
            if let Some(s) = st.session_mut(session) {
                s.providers.retain(|(_, k)| *k != key);
            }
            (object, id, label, file, session, already_down, others_active)
        };
        let (object, id, label, file, session, already_down, others_active) = taken;
        let Some(object) = object else {
            return;
        };
        let by = Party::Library(Arc::clone(&file));
        if others_active {
            self.violation(
                &rules::SHUTDOWN_AFTER_LOGONS,
                format!("{label} is shut down while logons of another session still use it"),
                vec![label],
                by.clone(),
            );
        }
        if already_down {
            self.violation(
                &rules::SHUTDOWN_ONCE,
                format!("{label} gets a second Shutdown"),
                vec![label],
                by.clone(),
            );
        }
        let _ = self.call_provider(
            Party::Mapi,
            Party::Object(label),
            "Shutdown",
            "0".to_owned(),
            &file,
            Some(session),
            || object.shutdown(0),
            |()| String::new(),
        );
        let call = self
            .trace
            .begin_call(Party::Mapi, Party::Object(label), "Release", "");
        self.drop_in_provider(&file, Some(session), "the provider's release", object);
        call.finish(
            Status::Ok,
            format!("count {}", self.ledger.count(id).unwrap_or(0)),
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
            self.check_provider_released(key);
        }
        self.release_library(&file, format!("{label} released"));
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
                .providers
                .iter()
                .any(|(k, p)| k != key && p.id == rec.id && (p.object.is_some() || p.in_flight > 0));
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

    /// `IMAPISession::Logoff`.
    pub(crate) fn session_logoff(&self, session: u32) {
        let logons = {
            let mut st = self.st();
            let Some(s) = st.session_mut(session) else {
                return;
            };
            s.active = false;
            s.logons.clone()
        };
        self.check_store_support_release(Some(session));
        // The spooler first lets go of the session's stores.
        for &logon in &logons {
            self.spooler_forget(logon);
            self.spooler_release(logon, "the session logs off");
        }
        for &logon in &logons {
            let active = self
                .st()
                .logons
                .get(logon)
                .is_some_and(|r| r.phase == LogonPhase::Active);
            if !active {
                continue;
            }
            if self.cleanup_in_logoff() {
                if let Some(rec) = self.st().logons.get_mut(logon) {
                    rec.logoff_in_progress = true;
                }
                self.logoff_logon(logon);
                let (cleaned, label, file) = {
                    let mut st = self.st();
                    match st.logons.get_mut(logon) {
                        Some(rec) => {
                            rec.logoff_in_progress = false;
                            (rec.cleanup_done, rec.logon_label, Some(Arc::clone(&rec.file)))
                        }
                        None => (true, None, None),
                    }
                };
                if !cleaned {
                    self.violation(
                        &rules::TEARDOWN_ROW_UIDS,
                        format!(
                            "{} returned from Logoff without releasing its support object, so its MAPIUIDs and status row stayed",
                            label.map(|l| l.to_string()).unwrap_or_else(|| "the logon".into())
                        ),
                        label.into_iter().collect(),
                        file.map_or(Party::Mapi, Party::Library),
                    );
                    self.cleanup_logon(logon);
                }
            } else {
                self.cleanup_logon(logon);
                self.logoff_logon(logon);
            }
            self.release_logon(logon);
        }
        let providers: Vec<ProviderKey> = {
            let st = self.st();
            st.session(session)
                .map(|s| s.providers.iter().map(|(_, k)| *k).collect())
                .unwrap_or_default()
        };
        for key in providers {
            self.shutdown_provider(key);
        }
        self.note(format!("session {session} is logged off"));
    }

    /// `STORE-RELEASES-SUPPORT`: a store destroyed while its support object lives on. Checked when
    /// the session logs off (for its logons) and at the end (for all), when no temporary
    /// reference of MAPI's can be in the way.
    pub(crate) fn check_store_support_release(&self, session: Option<u32>) {
        let stuck: Vec<(ObjLabel, Option<ObjLabel>, Arc<str>)> = {
            let mut st = self.st();
            st.logons
                .values_mut()
                .filter(|r| {
                    r.phase == LogonPhase::Active
                        && r.store_destroyed
                        && !r.support_release_reported
                        && session.is_none_or(|s| r.session == s)
                        && r.support.ref_count() > r.mapi_support_refs
                })
                .map(|r| {
                    r.support_release_reported = true;
                    (r.support_label, r.store_label, Arc::clone(&r.file))
                })
                .collect()
        };
        for (support, store, file) in stuck {
            self.violation(
                &rules::STORE_RELEASES_SUPPORT,
                format!(
                    "{} was destroyed but {support} is still alive: MAPI's teardown of the logon never ran",
                    store.map(|l| l.to_string()).unwrap_or_else(|| "the store".into())
                ),
                store.into_iter().chain([support]).collect(),
                Party::Library(file),
            );
        }
    }
}
