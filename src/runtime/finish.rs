//! The end of a client call and of the simulation: release checks, deferred frees, the leak
//! checkpoint of each session logged off, and the final checks of `finish`.

use std::sync::Arc;

use crate::check::rules;
use crate::error::Status;
use crate::object::{InterfaceKind, LeakReport, ObjLabel};
use crate::runtime::spooler;
use crate::runtime::state::{self, State};
use crate::runtime::{Runtime, SpoolerMode};
use crate::spi::BufferId;
use crate::trace::Party;

/// The store handles the client still holds in sessions whose `IMAPISession::Logoff` did not
/// already report them (`CLIENT-RELEASE`).
pub(crate) fn unchecked_handles(st: &State) -> u32 {
    st.open_sessions()
        .filter(|(_, s)| !s.client_logged_off)
        .map(|(_, s)| s.client_handles)
        .sum()
}

impl Runtime {
    /// Work MAPI does "later": when a client call returns. Deferred `FreeLibrary` calls, the
    /// checks that need the dust to settle, and the spooler in automatic mode.
    pub(crate) fn settle(&self) {
        if self.behavior.spooler != SpoolerMode::Automatic && self.st().nothing_to_settle() {
            // Most client calls leave nothing for later: one look under the lock.
            return;
        }
        let _mapi = self.mapi_scope();
        if self.behavior.spooler == SpoolerMode::Automatic {
            spooler::run_until_idle(self);
        }
        // The objects MAPI released during the call, now that every release in it is over.
        self.run_release_checks();
        let mut frees = std::mem::take(&mut self.st().deferred_frees);
        for free in frees.drain(..) {
            self.complete_free(free);
        }
        // The list keeps its room for the next call.
        crate::sync::give_back(&mut self.st().deferred_frees, frees);
        self.check_session_leaks();
        self.retire_sessions();
    }

    /// Objects that belong to a provider library or to a session and are still alive.
    pub(crate) fn owned_leaks(&self) -> LeakReport {
        self.ledger.leaks(|o| {
            o.owner.library.is_some()
                || (o.owner.session.is_some() && o.label.kind != InterfaceKind::MapiSession)
        })
    }

    /// `SESSION-LEAK`: once a session is logged off, its teardown is over (every logon torn down,
    /// every provider shut down and released, on whichever thread) and its client handles are
    /// gone, nothing a provider made for it may be alive.
    pub(crate) fn check_session_leaks(&self) {
        // One due session at a time: nothing is allocated to list them.
        while let Some(id) = self.next_session_torn_down() {
            self.check_session_leak(id);
        }
    }

    /// A session due for `SESSION-LEAK` whose teardown is over, taken from the due list and put
    /// on the list to retire.
    pub(crate) fn next_session_torn_down(&self) -> Option<u32> {
        let mut st = self.st();
        let st = &mut *st;
        let (sessions, logons) = (&st.sessions, &st.logons);
        let torn_down = |id: &u32| {
            sessions.get(id).is_none_or(|s| {
                s.client_handles == 0
                    && s.providers.is_empty()
                    && s.logons.iter().all(|k| {
                        logons.get(*k).is_none_or(|r| {
                            r.phase == state::LogonPhase::TornDown
                                && !matches!(
                                    r.teardown,
                                    state::Teardown::Running | state::Teardown::Pending(_)
                                )
                        })
                    })
            })
        };
        let at = st.leak_checks_due.iter().position(torn_down)?;
        let id = st.leak_checks_due.remove(at);
        st.retire_due.push(id);
        Some(id)
    }

    /// `SESSION-LEAK` for session `id`, whose teardown is over.
    pub(crate) fn check_session_leak(&self, id: u32) {
        // Objects that went out as an interface (a logon, a store, a status object, a table)
        // are the session's and must be gone; a plain object that never did may be a
        // DLL-wide cache, kept for later sessions and released at unload (the pages ask
        // per-initialization provider objects, nothing of other DLL state).
        let leaks = self.ledger.leaks_in_session_of(id, |label, owner| {
            owner.library.is_some() && label.kind != InterfaceKind::Object
        });
        if !leaks.is_empty() {
            let labels: Vec<ObjLabel> = leaks.objects.iter().map(|o| o.label).collect();
            let by = leaks.objects[0]
                .owner
                .library
                .clone()
                .map_or(Party::Mapi, Party::Library);
            self.violation(
                &rules::SESSION_LEAK,
                format!("after session {id} was torn down, {leaks}")
                    .trim_end()
                    .to_owned(),
                labels,
                by,
            );
        }
    }

    pub(crate) fn finish(&self) {
        let call = self.trace.begin_call(Party::Client, Party::Mapi, "finish", "");
        let _mapi = self.mapi_scope();
        if self.exited_fast() {
            // The process exited after DoFastShutdown: what is still open, held, allocated or
            // loaded went with it, and nobody is held to the teardown.
            self.drop_undelivered("by the end");
            call.finish(Status::Ok, "");
            return;
        }
        self.check_store_support_release(None);
        self.settle();
        let (init_count, active, handles) = {
            let st = self.st();
            let active: Vec<u32> = st
                .open_sessions()
                .filter(|(_, s)| s.active)
                .map(|(id, _)| id)
                .collect();
            let handles = unchecked_handles(&st);
            (st.init_count, active, handles)
        };
        if init_count > 0 {
            self.client_violation(
                &rules::CLIENT_INIT_BALANCED,
                format!("{init_count} MAPIInitialize call(s) were never balanced by MAPIUninitialize"),
            );
        } else {
            // The last MAPIUninitialize already checked sessions and handles.
        }
        if init_count > 0 {
            for id in &active {
                self.client_violation(
                    &rules::CLIENT_LOGOFF,
                    format!("session {id} was never logged off"),
                );
            }
            if handles > 0 {
                self.client_violation(
                    &rules::CLIENT_RELEASE,
                    format!("the client still holds {handles} store object(s) at the end"),
                );
            }
        }
        let loaders: Vec<Arc<str>> = {
            let st = self.st();
            let mut loaders: Vec<Arc<str>> = Vec::new();
            for party in st.loader.parties() {
                if let Party::Library(by) = party
                    && !loaders.contains(by)
                {
                    loaders.push(Arc::clone(by));
                }
            }
            loaders
        };
        for loader in loaders {
            self.check_provider_loads(&loader, "at the end");
        }
        // MAPI's loads are paired by the last MAPIUninitialize: those left are what
        // CLIENT-INIT-BALANCED costs.
        let unpaired = self.st().loader.unpaired_by(&Party::Mapi);
        if !unpaired.is_empty() {
            let list: Vec<String> = unpaired.iter().map(|(file, n)| format!("{file} ({n})")).collect();
            self.note(format!(
                "without the last MAPIUninitialize, MAPI never freed its loads of {}",
                list.join(", ")
            ));
        }
        if active.is_empty() && handles == 0 {
            // Every session is torn down: what a provider made and is still alive leaked.
            let leaks = self.ledger.leaks(|o| o.owner.library.is_some());
            let already: Vec<ObjLabel> = self
                .st()
                .violations
                .iter()
                .filter(|v| v.rule == &rules::SESSION_LEAK)
                .flat_map(|v| v.objects.clone())
                .collect();
            let fresh: Vec<ObjLabel> = leaks
                .objects
                .iter()
                .map(|o| o.label)
                .filter(|l| !already.contains(l))
                .collect();
            if !fresh.is_empty() {
                let names: Vec<String> = fresh.iter().map(ToString::to_string).collect();
                self.violation(
                    &rules::SESSION_LEAK,
                    format!(
                        "at the end, provider objects are still alive: {}",
                        names.join(", ")
                    ),
                    fresh,
                    Party::Mapi,
                );
            }
        }
        self.drop_undelivered("by the end");
        self.check_buffer_leaks();
        call.finish(Status::Ok, "");
    }

    /// `MEM-LEAK`: every block still live at the end, grouped by who must free it.
    pub(crate) fn check_buffer_leaks(&self) {
        // MAPI frees the spool-security blobs it still holds (logons a client or a panic left
        // behind): those are MAPI's own, and the leak that kept them is reported elsewhere.
        let blobs: Vec<BufferId> = self
            .st()
            .logons
            .values_mut()
            .filter_map(|r| r.spool_buffer.take())
            .collect();
        for blob in blobs {
            self.routines.heap().release(blob, Party::Mapi);
        }
        let mut by_owner: Vec<(Party, Vec<crate::spi::memory::BlockInfo>)> = Vec::new();
        for block in self.routines.blocks().into_iter().filter(|b| b.root.is_none()) {
            match by_owner.iter_mut().find(|(owner, _)| *owner == block.owner) {
                Some((_, blocks)) => blocks.push(block),
                None => by_owner.push((block.owner.clone(), vec![block])),
            }
        }
        for (owner, blocks) in by_owner {
            let list: Vec<String> = blocks.iter().map(|b| format!("  {b}")).collect();
            self.violation(
                &rules::MEM_LEAK,
                format!(
                    "{} MAPI buffer(s) that {owner} must free are still live at the end:\n{}",
                    blocks.len(),
                    list.join("\n")
                ),
                Vec::new(),
                owner,
            );
        }
    }
}
