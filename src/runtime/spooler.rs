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
use crate::runtime::kind::KindObject;
use crate::runtime::provider::ProviderHandle;
use crate::runtime::state::{LogonKey, LogonPhase, LogonRec, SpoolerHold, SpoolerPhase, State, Teardown};
use crate::runtime::store::StoreHandle;
use crate::runtime::support::SupportTemp;
use crate::spi::MsProvider;
use crate::spi::{OutParam, SpoolerLogonArgs};
use crate::strings::TStr;
use crate::trace::{Party, Text, Value, text};

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

    /// Does the next piece of work, if any: a `SpoolerLogon`, else starting a session's
    /// transports, else sending one message, else receiving one. Returns whether there was work.
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

    /// How many pieces of work wait for the spooler: stores to log on to, sessions whose
    /// transports to start, messages to send, transports with messages to receive.
    pub fn pending(&self) -> usize {
        let transport_work = self.rt.transport_work();
        let st = self.rt.st();
        transport_work
            + st.spooler
                .queue
                .iter()
                .filter(|k| {
                    st.logons
                        .get(**k)
                        .is_some_and(|r| r.spooler == SpoolerPhase::Queued)
                })
                .count()
    }

    /// Idle time: the spooler calls `IXPLogon::Idle` on each transport whose logon answered
    /// `LOGON_SP_IDLE`, and `IXPLogon::Poll` on each that answered `LOGON_SP_POLL` (it also
    /// does once when it starts a transport). Returns how many calls it made.
    ///
    /// Messages a transport asked to see again later (`MAPI_E_BUSY`, `MAPI_E_WAIT`,
    /// `MAPI_E_NETWORK_ERROR`, `END_RESEND_LATER`) go back to the spooler's queue: its next steps
    /// offer them again.
    pub fn idle(&self) -> usize {
        let calls = {
            let _spooler = self.rt.ledger.enter(Party::Spooler, crate::object::Owner::none());
            self.rt.requeue_later();
            self.rt.idle_transports()
        };
        self.rt.settle();
        calls
    }

    /// Whether the spooler is logged on to the store of this handle and holds it.
    pub fn holds(&self, store: &StoreHandle) -> bool {
        let Some(logon) = store.logon_key() else {
            return false;
        };
        self.rt.st().spooler.held.contains(logon)
    }

    /// Takes the messages transports delivered since the last call (`IXPLogon::StartMessage`
    /// followed by the transport's `SaveChanges`), oldest first.
    ///
    /// MAPI's spooler would create each in the default store's receive folder; the provider
    /// interfaces have no folder yet, so the simulator keeps them here.
    pub fn take_received(&self) -> Vec<crate::runtime::ReceivedMessage> {
        std::mem::take(&mut self.rt.st().spooler.received)
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

/// What the spooler took from its queue for one `SpoolerLogon`.
struct Work<'a> {
    logon: LogonKey,
    support: SupportTemp<'a>,
    provider: ProviderHandle,
    profile: Arc<str>,
    entry_id: Option<Arc<[u8]>>,
    open_flags: OpenStoreFlags,
    blob: Option<Arc<[u8]>>,
    logon_id: Option<crate::object::ObjectId>,
    store: Option<WeakRef<dyn crate::spi::MsgStore>>,
    store_label: Option<ObjLabel>,
}

/// Takes the next store from the queue, under the lock that dequeues it: the logon is marked
/// in flight, the call counted on the logon (its teardown waits for it) and on the provider
/// object, and MAPI's temporary reference to the support object taken. `None` when the queue is
/// empty; `Some(None)` when the store no longer wants the spooler.
///
/// No reference is released under the lock (a release may be a final one, whose work takes the
/// lock): the provider object is cloned while MAPI's own reference keeps it alive, and the support
/// object, whose last reference another thread may drop at any time, is taken last, when nothing
/// can fail any more. The guards are made once the lock is released.
fn take_work(rt: &Runtime) -> Option<Option<Work<'_>>> {
    let (logon, pkey, provider, support, work) = {
        let mut st = rt.st();
        let logon = st.spooler.queue.pop_front()?;
        let ready = st.logons.get(logon).and_then(|rec| {
            let provider = st.providers.get(rec.provider)?;
            let object = provider
                .object
                .as_ref()
                .and_then(<dyn MsProvider as KindObject>::of)?;
            (rec.spooler == SpoolerPhase::Queued && still_wanted(&st, rec)).then(|| {
                (
                    rec.provider,
                    (
                        object,
                        provider.label,
                        Arc::clone(&provider.file),
                        provider.session,
                    ),
                )
            })
        });
        let support = ready
            .as_ref()
            .and_then(|_| st.logons.get(logon)?.support.as_ref()?.upgrade());
        let (Some((pkey, provider)), Some(support)) = (ready, support) else {
            if let Some(rec) = st.logons.get_mut(logon)
                && rec.spooler == SpoolerPhase::Queued
            {
                rec.spooler = SpoolerPhase::Done;
            }
            return Some(None);
        };
        // Nothing fails from here: the logon and its provider were checked under this lock.
        if let Some(p) = st.providers.get_mut(pkey) {
            p.in_flight += 1;
        }
        let entered = Runtime::enter_logon_call(&mut st, logon);
        let Some(rec) = st.logons.get_mut(logon) else {
            return Some(None);
        };
        rec.spooler = SpoolerPhase::InFlight;
        let work = (
            entered,
            rec.profile_name.clone(),
            rec.entry_id.clone().or_else(|| rec.logon_entry_id.clone()),
            rec.open_flags,
            rec.spool_security.clone(),
            rec.logon_id,
            rec.store.clone(),
            rec.store_label,
        );
        (logon, pkey, provider, support, work)
    };
    let (object, label, file, session) = provider;
    let provider = ProviderHandle::counted(rt.arc(), pkey, object, label, file, session);
    let support = SupportTemp::new(support);
    let (entered, profile, entry_id, open_flags, blob, logon_id, store, store_label) = work;
    if !entered {
        // (Cannot happen: checked under the same lock.) The guards go, outside the lock.
        drop((support, provider));
        return Some(None);
    }
    Some(Some(Work {
        logon,
        support,
        provider,
        profile,
        entry_id,
        open_flags,
        blob,
        logon_id,
        store,
        store_label,
    }))
}

/// Whether the store still wants the spooler: active, alive (not in its final release on another
/// thread), not logging off, its session on.
fn still_wanted(st: &State, rec: &LogonRec) -> bool {
    rec.phase == LogonPhase::Active
        && rec.teardown == Teardown::Idle
        && rec.store_logoff_flag.is_none()
        && rec.slt_calls == 0
        && !rec.store_destroyed
        && rec.store.as_ref().is_some_and(WeakRef::is_alive)
        && st.session(rec.session).is_some_and(|s| s.active)
}

/// One piece of the spooler's work: a `SpoolerLogon`, else the start of a session's transports,
/// else the sending of one message.
fn step(rt: &Runtime) -> bool {
    let _spooler = rt.ledger.enter(Party::Spooler, crate::object::Owner::none());
    let work = match take_work(rt) {
        None => return rt.transport_step(),
        Some(None) => return true,
        Some(Some(work)) => work,
    };
    let logon = work.logon;
    spooler_logon(rt, work);
    // The teardown of a store that logged off meanwhile waited for the call: it runs now.
    rt.leave_logon_call(logon);
    true
}

/// Calls `SpoolerLogon` and holds what it returned, or lets go of it at once if the store
/// logged off while the call ran.
fn spooler_logon(rt: &Runtime, work: Work<'_>) {
    let (logon, provider, support) = (work.logon, work.provider, work.support);
    let (plabel, file, session) = (provider.label, Arc::clone(&provider.file), provider.session);
    rt.check_not_shut_down(provider.object(), plabel, &file);
    let mut flags = SpoolerLogonFlags::empty();
    if work.open_flags.contains(OpenStoreFlags::WRITE) {
        flags |= SpoolerLogonFlags::WRITE;
    }
    if work.open_flags.contains(OpenStoreFlags::NO_DIALOG) {
        flags |= SpoolerLogonFlags::NO_DIALOG;
    }
    let mapi_error = OutParam::new();
    let args = SpoolerLogonArgs {
        support: support.get(),
        ui_param: 0,
        profile_name: TStr::Ansi(work.profile.as_bytes()),
        entry_id: work.entry_id.as_deref(),
        flags,
        interface: None,
        spool_security: work.blob.as_deref().unwrap_or_default(),
        mapi_error: &mapi_error,
    };
    let call = rt.trace.begin_call(
        Party::Spooler,
        Party::Object(plabel),
        "SpoolerLogon",
        text!(
            "support={support}, entry={entry}, {flags}, spool security {size} bytes",
            support = support.get().label().map_or(Value::Nothing, Value::Label),
            entry = work.entry_id.as_deref().map_or(Value::Static("NULL"), Value::hex),
            flags = Value::flags(flags),
            size = work.blob.as_deref().map_or(0, <[u8]>::len),
        ),
    );
    let no_dialog = flags.contains(SpoolerLogonFlags::NO_DIALOG);
    if no_dialog && let Some(rec) = rt.st().logons.get_mut(logon) {
        rec.no_dialog_call = Some("SpoolerLogon");
    }
    let outcome = rt.guarded_call(&file, Some(session), "SpoolerLogon", &[plabel], || {
        provider.object().spooler_logon(&args)
    });
    let unicode = flags.contains(SpoolerLogonFlags::UNICODE);
    rt.take_mapi_error(&mapi_error, "SpoolerLogon", Some(unicode), &file, Some(plabel));
    if no_dialog && let Some(rec) = rt.st().logons.get_mut(logon) {
        rec.no_dialog_call = None;
    }
    let (result, panicked) = match outcome {
        Ok(result) => {
            Runtime::finish_warned(call, &result, |out| {
                let logon = out.logon.as_ref().and_then(|l| l.label());
                Text::list([logon, out.store.label()].map(|l| l.map_or(Value::Nothing, Value::Label)))
            });
            (result, false)
        }
        Err(message) => {
            call.panicked(message);
            (Err(MapiError::CallFailed), true)
        }
    };
    drop(support);
    drop(provider);
    // Whether the store still wants the spooler, decided in the same critical section that
    // records the spooler's hold, so that a StoreLogoff or a session logoff on another thread
    // either comes before (and the spooler lets go at once) or after (and releases the hold).
    let outcome = {
        let mut st = rt.st();
        let wanted = st.logons.get(logon).is_some_and(|rec| still_wanted(&st, rec));
        if let Some(rec) = st.logons.get_mut(logon) {
            rec.spooler = if wanted && result.is_ok() {
                SpoolerPhase::LoggedOn
            } else {
                SpoolerPhase::Done
            };
        }
        match result {
            Ok(Warned { value: out, .. }) if wanted => {
                let same_logon = out.logon.as_ref().and_then(|l| l.id()).is_some()
                    && out.logon.as_ref().and_then(|l| l.id()) == work.logon_id;
                let same_store = work
                    .store
                    .as_ref()
                    .is_some_and(|s| s.is_alive() && s.same_object(&out.store));
                let _ = st.spooler.held.push(SpoolerHold {
                    logon,
                    logon_object: out.logon,
                    store: out.store,
                });
                Outcome::Held {
                    same_logon,
                    same_store,
                }
            }
            Ok(Warned { value: out, .. }) => Outcome::Unwanted(out),
            Err(e) => Outcome::Failed { error: e, wanted },
        }
    };
    match outcome {
        Outcome::Held {
            same_logon,
            same_store,
        } => {
            let same_wanted = rt.behavior.spooler_objects == crate::runtime::SpoolerObjects::Same;
            if same_wanted && (!same_logon || !same_store) {
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
                    work.store_label.into_iter().collect::<Vec<ObjLabel>>(),
                    Party::Library(Arc::clone(&file)),
                );
            }
        }
        Outcome::Unwanted(out) => {
            // The store logged off (or its session ended) while SpoolerLogon ran: the spooler
            // lets go at once and checks nothing.
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
        }
        Outcome::Failed { error, wanted } => {
            rt.trace.record(crate::trace::EventKind::Note {
                by: Party::Spooler,
                text: format!("SpoolerLogon failed with {error}: the spooler does not use this store").into(),
            });
            // A panic is reported as such; running out of memory is an answer any call may give.
            if wanted && !panicked && error != MapiError::NotEnoughMemory {
                rt.violation(
                    &rules::SPOOLER_LOGON,
                    format!(
                        "SpoolerLogon failed with {error} for {}, which Logon opened and which is still open",
                        work.store_label.map_or("the store".to_owned(), |l| l.to_string())
                    ),
                    work.store_label.into_iter().collect::<Vec<ObjLabel>>(),
                    Party::Library(Arc::clone(&file)),
                );
            }
        }
    }
}

/// What became of a `SpoolerLogon`.
enum Outcome {
    /// The spooler holds what it returned.
    Held { same_logon: bool, same_store: bool },
    /// The store logged off meanwhile: released at once.
    Unwanted(crate::spi::StoreLogon),
    /// It failed.
    Failed { error: MapiError, wanted: bool },
}

impl Runtime {
    /// The spooler drops what it holds of a store logon.
    pub(crate) fn spooler_release(&self, logon: LogonKey, why: &'static str) {
        let (held, file, session) = {
            let mut st = self.st();
            let mut held = Vec::new();
            st.spooler
                .held
                .remove_all(logon, |_, h| held.push((h.logon_object, h.store)));
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
            let call = self.trace.begin_call(Party::Spooler, target, "Release", why);
            self.drop_in_provider(&file, Some(session), "the spooler's release", (logon_ref, store));
            call.finish(Status::Ok, "");
        }
    }

    /// Removes a store logon from the spooler's queue.
    ///
    /// The logon is marked done and left where it is in the queue, which the spooler skips when
    /// it reaches it ([`take_work`] serves only queued logons): forgetting costs the same however
    /// many stores wait.
    pub(crate) fn spooler_forget(&self, logon: LogonKey) {
        {
            let mut st = self.st();
            if let Some(rec) = st.logons.get_mut(logon)
                && rec.spooler == SpoolerPhase::Queued
            {
                rec.spooler = SpoolerPhase::Done;
            }
        }
        // The messages the store submitted and the spooler did not send yet.
        self.forget_outbound(logon);
    }
}
