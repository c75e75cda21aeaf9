//! The MAPI spooler: a deterministic actor the test steps (or lets run after every client call).
//! It logs on to every store MAPI tells it about, checks that `SpoolerLogon` hands back the
//! objects `Logon` made, holds them, and releases them when the store logs off its transports or
//! the session ends.

use std::fmt;
use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, Status, Warned};
use crate::flags::{OpenStoreFlags, SpoolerLogonFlags};
use crate::object::{ObjLabel, WeakRef};
use crate::runtime::Runtime;
use crate::runtime::session::hex_short;
use crate::runtime::state::{LogonKey, LogonPhase, SpoolerHold, SpoolerPhase};
use crate::runtime::store::StoreHandle;
use crate::spi::SpoolerLogonArgs;
use crate::trace::Party;

/// The MAPI spooler of a simulator.
pub struct Spooler {
    rt: Arc<Runtime>,
}

impl fmt::Debug for Spooler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spooler")
            .field("pending", &self.pending())
            .finish()
    }
}

impl Spooler {
    pub(crate) fn new(rt: Arc<Runtime>) -> Spooler {
        Spooler { rt }
    }

    /// Does the next piece of work (a `SpoolerLogon`), if any. Returns whether there was work.
    pub fn step(&self) -> bool {
        let worked = step(&self.rt);
        self.rt.settle();
        worked
    }

    /// Steps until there is nothing left to do. Returns the number of steps.
    pub fn run_until_idle(&self) -> usize {
        let steps = run_until_idle(&self.rt);
        self.rt.settle();
        steps
    }

    /// How many stores wait for the spooler.
    pub fn pending(&self) -> usize {
        self.rt.st().spooler.queue.len()
    }

    /// Whether the spooler is logged on to the store of this handle and holds it.
    pub fn holds(&self, store: &StoreHandle) -> bool {
        let Some(logon) = store.logon_key() else {
            return false;
        };
        self.rt.st().spooler.held.iter().any(|h| h.logon == logon)
    }

    /// How many store references the spooler holds.
    pub fn held(&self) -> usize {
        self.rt.st().spooler.held.len()
    }
}

pub(crate) fn run_until_idle(rt: &Runtime) -> usize {
    let mut steps = 0;
    while step(rt) {
        steps += 1;
    }
    steps
}

/// One `SpoolerLogon`.
fn step(rt: &Runtime) -> bool {
    let Some(logon) = rt.st().spooler.queue.pop_front() else {
        return false;
    };
    let _spooler = rt.ledger.enter(Party::Spooler, crate::object::Owner::none());
    let work = {
        let st = rt.st();
        st.logons.get(logon).and_then(|rec| {
            let active = rec.phase == LogonPhase::Active && rec.spooler == SpoolerPhase::Queued;
            let session_active = st.session(rec.session).is_some_and(|s| s.active);
            if !active || !session_active {
                return None;
            }
            Some((
                rec.provider,
                rec.profile_name.clone(),
                rec.entry_id.clone().or_else(|| rec.logon_entry_id.clone()),
                rec.open_flags,
                rec.spool_security.clone(),
                rec.logon_id,
                rec.store.clone(),
                rec.store_label,
            ))
        })
    };
    let Some((pkey, profile, entry_id, open_flags, blob, logon_id, store, store_label)) = work else {
        return true;
    };
    let Some(support) = rt.support_temp(logon) else {
        return true;
    };
    let Ok(provider) = rt.provider_object(pkey) else {
        return true;
    };
    let (plabel, file, session) = (provider.label, Arc::clone(&provider.file), provider.session);
    rt.check_not_shut_down(provider.object(), plabel, &file);
    let mut flags = SpoolerLogonFlags::empty();
    if open_flags.contains(OpenStoreFlags::WRITE) {
        flags |= SpoolerLogonFlags::WRITE;
    }
    if open_flags.contains(OpenStoreFlags::NO_DIALOG) {
        flags |= SpoolerLogonFlags::NO_DIALOG;
    }
    let args = SpoolerLogonArgs {
        support: support.get(),
        ui_param: 0,
        profile_name: &profile,
        entry_id: entry_id.as_deref(),
        flags,
        interface: None,
        spool_security: &blob,
    };
    let call = rt.trace.begin_call(
        Party::Spooler,
        Party::Object(plabel),
        "SpoolerLogon",
        format!(
            "support={}, entry={}, {flags}, spool security {} bytes",
            support.get().label().map(|l| l.to_string()).unwrap_or_default(),
            entry_id.as_deref().map_or("NULL".to_owned(), hex_short),
            blob.len()
        ),
    );
    let result = match rt.guarded(&file, Some(session), "SpoolerLogon", &[plabel], || {
        provider.object().spooler_logon(&args)
    }) {
        Ok(result) => {
            Runtime::finish_warned(call, &result, |out| {
                let labels: Vec<String> = [out.logon.as_ref().and_then(|l| l.label()), out.store.label()]
                    .into_iter()
                    .flatten()
                    .map(|l| l.to_string())
                    .collect();
                labels.join(", ")
            });
            result
        }
        Err(message) => {
            call.panicked(message);
            Err(MapiError::CallFailed)
        }
    };
    drop(support);
    drop(provider);
    match result {
        Ok(Warned { value: out, .. }) => {
            // The store may have logged off (or the session ended) while SpoolerLogon ran: then
            // the spooler lets go at once instead of holding the store, and checks nothing.
            let still_wanted = {
                let st = rt.st();
                st.logons.get(logon).is_some_and(|r| {
                    r.phase == LogonPhase::Active
                        && r.store_logoff_flag.is_none()
                        && r.slt_calls == 0
                        && st.session(r.session).is_some_and(|s| s.active)
                })
            };
            if !still_wanted {
                if let Some(rec) = rt.st().logons.get_mut(logon) {
                    rec.spooler = SpoolerPhase::Done;
                }
                let target = out.store.label().map_or(Party::Mapi, Party::Object);
                let call = rt.trace.begin_call(
                    Party::Spooler,
                    target,
                    "Release",
                    "the store logged off meanwhile",
                );
                rt.drop_in_provider(
                    &file,
                    Some(session),
                    "the spooler's release",
                    (out.logon, out.store),
                );
                call.finish(Status::Ok, "");
                return true;
            }
            let same_logon = out.logon.as_ref().and_then(|l| l.id()).is_some()
                && out.logon.as_ref().and_then(|l| l.id()) == logon_id;
            let same_store = store
                .as_ref()
                .and_then(WeakRef::upgrade)
                .is_some_and(|s| s.same_object(&out.store));
            if !same_logon || !same_store {
                let mut what = Vec::new();
                if !same_logon {
                    what.push("another logon object (or none)");
                }
                if !same_store {
                    what.push("another store object");
                }
                rt.violation(
                    &rules::SPOOLER_SAME_OBJECTS,
                    format!("SpoolerLogon returned {}", what.join(" and ")),
                    store_label.into_iter().collect::<Vec<ObjLabel>>(),
                    Party::Library(Arc::clone(&file)),
                );
            }
            let mut st = rt.st();
            if let Some(rec) = st.logons.get_mut(logon) {
                rec.spooler = SpoolerPhase::LoggedOn;
            }
            st.spooler.held.push(SpoolerHold {
                logon,
                logon_object: out.logon,
                store: out.store,
            });
        }
        Err(e) => {
            if let Some(rec) = rt.st().logons.get_mut(logon) {
                rec.spooler = SpoolerPhase::Done;
            }
            rt.trace.record(crate::trace::EventKind::Note {
                by: Party::Spooler,
                text: format!("SpoolerLogon failed with {e}: the spooler does not use this store"),
            });
        }
    }
    true
}

impl Runtime {
    /// The spooler drops what it holds of a store logon.
    pub(crate) fn spooler_release(&self, logon: LogonKey, why: &str) {
        let (held, file, session) = {
            let mut st = self.st();
            let mut held = Vec::new();
            let (mine, others): (Vec<SpoolerHold>, Vec<SpoolerHold>) = std::mem::take(&mut st.spooler.held)
                .into_iter()
                .partition(|h| h.logon == logon);
            st.spooler.held = others;
            held.extend(mine.into_iter().map(|h| (h.logon_object, h.store)));
            let info = st.logons.get_mut(logon).map(|rec| {
                if rec.spooler == SpoolerPhase::LoggedOn {
                    rec.spooler = SpoolerPhase::Done;
                }
                (Arc::clone(&rec.file), rec.session)
            });
            match info {
                Some((file, session)) => (held, file, session),
                None => return,
            }
        };
        for (logon_ref, store) in held {
            let _spooler = self.ledger.enter(Party::Spooler, crate::object::Owner::none());
            let target = store.label().map_or(Party::Mapi, Party::Object);
            let call = self
                .trace
                .begin_call(Party::Spooler, target, "Release", why.to_owned());
            self.drop_in_provider(&file, Some(session), "the spooler's release", (logon_ref, store));
            call.finish(Status::Ok, "");
        }
    }

    /// Removes a store logon from the spooler's queue.
    pub(crate) fn spooler_forget(&self, logon: LogonKey) {
        let mut st = self.st();
        st.spooler.queue.retain(|k| *k != logon);
        if let Some(rec) = st.logons.get_mut(logon)
            && rec.spooler == SpoolerPhase::Queued
        {
            rec.spooler = SpoolerPhase::Done;
        }
    }
}
