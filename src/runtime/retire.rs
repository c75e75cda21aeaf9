//! Forgetting what is over: the records of a session whose checks all ran leave MAPI's
//! bookkeeping, with its logons and providers, so that a simulator's memory and the cost of its
//! calls do not grow with the sessions it has seen.
//!
//! A session is retired once it is settled (logged off by MAPI and by its client), its leak
//! checkpoint ran, and nothing can reach its records any more: every logon torn down, with no
//! client handle, no spooler hold, no MAPI call or release in flight and no advise sink; its
//! support object, logon object and store gone; every provider shut down, released, its object
//! gone and its release check run. A session that is not yet retirable (a leaked object keeps a
//! support object alive) is tried again later, one per client call, so that a provider that
//! leaks does not make every call slower. A call on a retired session finds it logged off, as
//! before it was retired.

use crate::object::ObjectId;
use crate::runtime::Runtime;
use crate::runtime::state::{
    LogonPhase, LogonRec, ProviderRec, ReleaseCheck, SessionState, SpoolerPhase, State, Teardown,
};
use crate::sync::{Bunch, give_back};

/// The records of one retired session, dropped once MAPI's lock is released.
type Retired = (SessionState, Bunch<LogonRec>, Bunch<ProviderRec>);

impl Runtime {
    /// Retires the sessions whose leak checkpoint just ran, and tries one that could not be
    /// retired before again.
    pub(crate) fn retire_sessions(&self) {
        let (mut due, later) = {
            let mut st = self.st();
            if st.retire_due.is_empty() && st.retire_later.is_empty() {
                return;
            }
            (std::mem::take(&mut st.retire_due), st.retire_later.pop_front())
        };
        for id in due.drain(..).chain(later) {
            self.retire_session(id);
        }
        // The list keeps its room for the next call.
        give_back(&mut self.st().retire_due, due);
    }

    /// Retires session `id` if it is over, or puts it back to try later.
    fn retire_session(&self, id: u32) {
        // (The lock is released before the arms run.)
        let mut objects = Bunch::Empty;
        let verdict = retirable(&self.st(), id, &mut |object| objects.push(object));
        match verdict {
            Some(true) => {}
            Some(false) => return self.st().retire_later.push_back(id),
            None => return,
        }
        // The ledger is asked without MAPI's lock.
        if objects.any(|object| self.ledger.is_alive(*object)) {
            return self.st().retire_later.push_back(id);
        }
        let retired = {
            let mut st = self.st();
            match retirable(&st, id, &mut |_| {}) {
                Some(true) => retire(&mut st, id),
                Some(false) => {
                    st.retire_later.push_back(id);
                    None
                }
                None => None,
            }
        };
        // Dropped once MAPI's lock is released.
        drop(retired);
    }
}

/// Whether session `id` may be retired: `None` if there is no such session (any more),
/// `Some(false)` if not yet, and `Some(true)` if it may once the objects handed to `objects` are
/// gone.
fn retirable(st: &State, id: u32, objects: &mut dyn FnMut(ObjectId)) -> Option<bool> {
    let s = st.sessions.get(&id)?;
    let settled = !s.active
        && s.client_logged_off
        && s.client_handles == 0
        && s.providers.is_empty()
        && s.client_advises.is_empty()
        && !st.open_sessions.contains(&id)
        && !st.leak_checks_due.contains(&id);
    if !settled {
        return Some(false);
    }
    for key in &s.logons {
        let Some(rec) = st.logons.get(*key) else {
            continue;
        };
        let over = rec.phase == LogonPhase::TornDown
            && matches!(rec.teardown, Teardown::Idle | Teardown::Done)
            && rec.client_handles == 0
            && matches!(rec.spooler, SpoolerPhase::NotTold | SpoolerPhase::Done)
            && rec.mapi_calls == 0
            && rec.store_releases == 0
            && !rec.in_logon
            && rec.logon.is_none()
            && rec.subscriptions.is_empty()
            && !rec.support.as_ref().is_some_and(crate::object::WeakRef::is_alive)
            && rec.store.as_ref().is_none_or(|store| !store.is_alive());
        if !over {
            return Some(false);
        }
        if let Some(object) = rec.logon_id {
            objects(object);
        }
    }
    for key in &s.all_providers {
        let Some(rec) = st.providers.get(*key) else {
            continue;
        };
        let over = rec.shut_down
            && rec.object.is_none()
            && rec.in_flight == 0
            && !rec.release_check_pending
            && !rec.shutdown_pending
            && !st
                .release_checks
                .iter()
                .any(|(_, check)| matches!(check, ReleaseCheck::Provider(k) if k == key));
        if !over {
            return Some(false);
        }
        objects(rec.id);
    }
    Some(true)
}

/// Removes session `id` and its logons and providers from MAPI's bookkeeping.
fn retire(st: &mut State, id: u32) -> Option<Retired> {
    let session = st.sessions.remove(&id)?;
    let logons: Bunch<LogonRec> = session
        .logons
        .iter()
        .filter_map(|key| {
            st.client_held.remove(key);
            st.logons.remove(*key)
        })
        .collect();
    let providers: Bunch<ProviderRec> = session
        .all_providers
        .iter()
        .filter_map(|key| {
            let rec = st.providers.remove(*key)?;
            if let Some(keys) = st.provider_objects.get_mut(&rec.id) {
                keys.retain(|k| k != key);
                if keys.is_empty() {
                    st.provider_objects.remove(&rec.id);
                }
            }
            Some(rec)
        })
        .collect();
    Some((session, logons, providers))
}
