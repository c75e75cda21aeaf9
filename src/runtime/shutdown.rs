//! Client fast shutdown: MAPI's side of `IMAPIClientShutdown`, which reaches each provider's
//! `IMAPIProviderShutdown` through `QueryInterface` (fast-shutdown-overview).

use std::sync::Arc;

use super::{FastShutdown, Runtime};
use crate::check::rules;
use crate::error::{MapiError, MapiResult};
use crate::ids::Iid;
use crate::object::ObjLabel;
use crate::runtime::kind::{ProviderKind, ProviderObject};
use crate::spi::ProviderShutdown;
use crate::trace::Party;

/// How far the client's fast shutdown went.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum FastPhase {
    /// Not started.
    #[default]
    None,
    /// `QueryFastShutdown` answered: `true` for `S_OK`.
    Queried(bool),
    /// `NotifyProcessShutdown` was called.
    Notified,
    /// `DoFastShutdown` was called: the client process is exiting, nothing is torn down.
    Done,
}

/// A step of `IMAPIClientShutdown`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ClientStep {
    /// `QueryFastShutdown`.
    Query,
    /// `NotifyProcessShutdown`.
    Notify,
    /// `DoFastShutdown`.
    Do,
}

impl ClientStep {
    fn method(self) -> &'static str {
        match self {
            ClientStep::Query => "QueryFastShutdown",
            ClientStep::Notify => "NotifyProcessShutdown",
            ClientStep::Do => "DoFastShutdown",
        }
    }
}

/// A provider object of an active session, as MAPI holds it.
struct Loaded {
    object: ProviderObject,
    kind: ProviderKind,
    label: ObjLabel,
    file: Arc<str>,
    session: u32,
}

impl Runtime {
    /// `IMAPIClientShutdown::<step>` by the client, on `session`.
    pub(crate) fn client_shutdown(&self, session: u32, target: Party, step: ClientStep) -> MapiResult<()> {
        let call = self
            .trace
            .begin_call(Party::Client, target, step.method(), String::new());
        let result = self.check_session(session, step.method()).and_then(|()| {
            let _mapi = self.mapi_scope();
            self.fast_shutdown_step(step)
        });
        self.settle();
        call.finish_result(&result, |()| String::new());
        result
    }

    fn fast_shutdown_step(&self, step: ClientStep) -> MapiResult<()> {
        let phase = self.st().fast_shutdown;
        if step != ClientStep::Query && phase != FastPhase::Queried(true) && phase != FastPhase::Notified {
            let asked = match phase {
                FastPhase::Queried(false) => "QueryFastShutdown answered MAPI_E_NO_SUPPORT",
                _ => "QueryFastShutdown was not called",
            };
            self.client_violation(
                &rules::CLIENT_FAST_SHUTDOWN_ORDER,
                format!("the client called {} and {asked}", step.method()),
            );
        }
        match step {
            ClientStep::Query => {
                let ok = self.query_fast_shutdown();
                self.st().fast_shutdown = FastPhase::Queried(ok);
                if ok { Ok(()) } else { Err(MapiError::NoSupport) }
            }
            ClientStep::Notify => {
                if self.behavior.fast_shutdown != FastShutdown::Disabled {
                    self.each_provider_shutdown("NotifyProcessShutdown", |p| p.notify_process_shutdown());
                }
                self.st().fast_shutdown = FastPhase::Notified;
                Ok(())
            }
            ClientStep::Do => {
                if self.behavior.fast_shutdown != FastShutdown::Disabled {
                    let loaded = self.loaded_providers();
                    let answers = self.each_provider_shutdown("DoFastShutdown", |p| p.do_fast_shutdown());
                    for (p, answer) in loaded.iter().zip(answers) {
                        if answer.is_none_or(|r| r.is_err()) {
                            self.note_outstanding(p);
                        }
                    }
                }
                self.st().fast_shutdown = FastPhase::Done;
                self.note(
                    "the client process exits: MAPI tears nothing down, releases nothing and unloads nothing"
                        .to_owned(),
                );
                Ok(())
            }
        }
    }

    /// MAPI's answer to `QueryFastShutdown`: whether fast shutdown may go ahead, under the user's
    /// setting, after asking every provider that has the interface.
    fn query_fast_shutdown(&self) -> bool {
        if self.behavior.fast_shutdown == FastShutdown::Disabled {
            return false;
        }
        let answers = self.each_provider_shutdown("QueryFastShutdown", |p| p.query_fast_shutdown());
        match self.behavior.fast_shutdown {
            FastShutdown::UnlessOptedOut => answers.iter().all(|a| a.is_none_or(|r| r.is_ok())),
            FastShutdown::OnlyIfAllOptIn => answers.iter().all(|a| a.is_some_and(|r| r.is_ok())),
            FastShutdown::Disabled => false,
        }
    }

    /// Every provider object of every active session, transports first, then address books,
    /// then stores (best-practices-for-fast-shutdown).
    fn loaded_providers(&self) -> Vec<Loaded> {
        let st = self.st();
        let mut loaded: Vec<Loaded> = st
            .providers
            .values()
            .filter(|p| !p.shut_down && st.session(p.session).is_some_and(|s| s.active))
            .filter_map(|p| {
                Some(Loaded {
                    object: p.object.clone()?,
                    kind: p.kind,
                    label: p.label,
                    file: Arc::clone(&p.file),
                    session: p.session,
                })
            })
            .collect();
        // Stable: within a kind, in the order MAPI started them.
        loaded.sort_by_key(|p| match p.kind {
            ProviderKind::Xp => 0,
            ProviderKind::Ab => 1,
            ProviderKind::Store => 2,
        });
        loaded
    }

    /// MAPI waits for the external references to the objects of a provider that could not shut
    /// down fast (no `IMAPIProviderShutdown`, or it failed): the trace says which objects of its
    /// DLL in the session are still referenced, how often, and by whom when the ledger knows.
    fn note_outstanding(&self, p: &Loaded) {
        let objects = self.ledger.live_where(|o| {
            o.owner.session == Some(p.session) && o.owner.library.as_deref() == Some(&*p.file)
        });
        if objects.is_empty() {
            return;
        }
        let listed: Vec<String> = objects
            .iter()
            .map(|o| {
                let mut holders: Vec<String> = o.references.iter().map(|r| r.by.to_string()).collect();
                holders.sort();
                holders.dedup();
                if holders.is_empty() {
                    format!("{} ({} reference(s))", o.label, o.count)
                } else {
                    format!(
                        "{} ({} reference(s), held by {})",
                        o.label,
                        o.count,
                        holders.join(", ")
                    )
                }
            })
            .collect();
        self.note(format!(
            "{} cannot shut down fast: MAPI waits for the external references to {}",
            p.label,
            listed.join(", ")
        ));
    }

    /// Asks each loaded provider for `IMAPIProviderShutdown` and calls `method` on those that
    /// have it; the answers, `None` for a provider without the interface.
    fn each_provider_shutdown(
        &self,
        method: &'static str,
        f: impl Fn(&dyn ProviderShutdown) -> MapiResult<()>,
    ) -> Vec<Option<MapiResult<()>>> {
        let mut answers = Vec::new();
        for p in self.loaded_providers() {
            let answer = p
                .object
                .query(self, Iid::IMAPIPROVIDERSHUTDOWN, &p.file, Some(p.session))
                .ok()
                .and_then(|u| u.cast::<dyn ProviderShutdown>());
            let Some(shutdown) = answer else {
                answers.push(None);
                continue;
            };
            let result = self.call_provider(
                Party::Mapi,
                Party::Object(p.label),
                method,
                String::new(),
                &p.file,
                Some(p.session),
                || f(&*shutdown),
                |()| String::new(),
            );
            answers.push(Some(result));
        }
        answers
    }

    /// Whether the client's process is exiting after `DoFastShutdown`.
    pub(crate) fn exited_fast(&self) -> bool {
        self.st().fast_shutdown == FastPhase::Done
    }

    /// `CLIENT-AFTER-FAST-SHUTDOWN` for a call the client makes after `DoFastShutdown`.
    pub(crate) fn check_after_fast_shutdown(&self, what: &str) {
        if self.exited_fast() {
            self.after_fast_shutdown(what);
        }
    }

    /// `CLIENT-AFTER-FAST-SHUTDOWN`: the client called `what` after `DoFastShutdown`.
    pub(crate) fn after_fast_shutdown(&self, what: &str) {
        self.client_violation(
            &rules::CLIENT_AFTER_FAST_SHUTDOWN,
            format!("{what} was called after DoFastShutdown"),
        );
    }
}
