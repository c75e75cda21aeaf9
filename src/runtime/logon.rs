//! The logon contract common to the three kinds (implementing-service-provider-logon): the
//! support object given to each logon, the `MAPI_E_UNCONFIGURED` retry, what a failure does to
//! the message service, and the setup a fresh logon must have made.

use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{LogonFlags, ResourceFlags};
use crate::ids::MapiUid;
use crate::object::{InterfaceKind, ObjLabel, Ref};
use crate::profile::ProviderEntry;
use crate::props::{
    PR_DISPLAY_NAME_A, PR_DISPLAY_NAME_W, PR_PROVIDER_DISPLAY_A, PR_PROVIDER_DISPLAY_W, PR_RECORD_KEY,
    PropTag,
};
use crate::runtime::Runtime;
use crate::runtime::kind::ProviderKind;
use crate::runtime::state::{LogonKey, LogonPhase, LogonRec};
use crate::runtime::support::SupportObject;
use crate::spi::MapiSupport;
use crate::trace::{Party, Text};

impl Runtime {
    /// The error that disabled `service` in the session, if it is disabled.
    pub(crate) fn disabled_by(&self, session: u32, service: MapiUid) -> Option<MapiError> {
        self.st()
            .session(session)
            .and_then(|s| s.disabled.iter().find(|(u, _)| *u == service).map(|(_, e)| *e))
    }

    /// Runs a provider's logon; when it fails with `MAPI_E_UNCONFIGURED`, MAPI calls the service's
    /// entry point with `MSG_SERVICE_CONFIGURE` (UI allowed if the client allowed logon UI and
    /// the logon is not a no-dialog one), then tries the logon again, as often as the behaviour
    /// allows.
    pub(crate) fn retry_unconfigured<R>(
        &self,
        session: u32,
        service: MapiUid,
        no_dialog: bool,
        mut logon: impl FnMut() -> MapiResult<R>,
    ) -> MapiResult<R> {
        let mut retries = 0;
        loop {
            match logon() {
                Err(MapiError::Unconfigured) if retries < self.behavior.unconfigured_retries => {
                    retries += 1;
                    let (profile, logon_ui) = {
                        let st = self.st();
                        let s = st.session(session).ok_or(MapiError::EndOfSession)?;
                        (s.profile.clone(), s.flags.contains(LogonFlags::LOGON_UI))
                    };
                    let mut entry_flags = crate::flags::ServiceEntryFlags::LOGON_FAILED;
                    if logon_ui && !no_dialog {
                        entry_flags |= crate::flags::ServiceEntryFlags::UI_ALLOWED;
                    }
                    self.call_service_entry(
                        &profile,
                        service,
                        crate::flags::ServiceContext::Configure,
                        entry_flags,
                        &[],
                    )?;
                }
                other => return other,
            }
        }
    }

    /// The outcome of a guarded `Logon` (or `TransportLogon`) call, finished on its trace line
    /// with `summary`: a panic is `MAPI_E_CALL_FAILED`. The logon is no longer in its call.
    pub(crate) fn finish_logon_call<T, S: Into<Text>>(
        &self,
        lkey: LogonKey,
        call: crate::trace::CallGuard,
        outcome: Result<MapiResult<Warned<T>>, String>,
        summary: impl FnOnce(&T) -> S,
    ) -> MapiResult<Warned<T>> {
        let result = match outcome {
            Ok(result) => {
                Runtime::finish_warned(call, &result, summary);
                result
            }
            Err(message) => {
                call.panicked(message);
                Err(MapiError::CallFailed)
            }
        };
        if let Some(rec) = self.st().logons.get_mut(lkey) {
            rec.in_logon = false;
            rec.no_dialog_call = None;
        }
        result
    }

    /// Records a fresh logon whose `Logon` (or `TransportLogon`) is about to run, with the new
    /// support object MAPI gives it: the logon's key, MAPI's reference to the support object,
    /// and its label.
    pub(crate) fn insert_logon(&self, rec: LogonRec) -> (LogonKey, Ref<dyn MapiSupport>, ObjLabel) {
        let (session, file) = (rec.session, Arc::clone(&rec.file));
        let lkey = self.st().logons.insert(rec);
        let support = SupportObject::create(self, lkey, session, &file);
        let support_label = support
            .label()
            .unwrap_or(ProviderKind::unlabelled(InterfaceKind::MapiSupport));
        let support: Ref<dyn MapiSupport> = support.into();
        if let Some(rec) = self.st().logons.get_mut(lkey) {
            rec.support = Some(support.downgrade());
            rec.support_id = support.id();
            rec.support_label = support_label;
        }
        (lkey, support, support_label)
    }

    /// Logs on each provider of `entries` that is not logged on in the session yet, in order,
    /// skipping temporary sections and disabled services: `logon` runs one logon (told whether
    /// it may show no dialog), with MAPI's `MAPI_E_UNCONFIGURED` retry around it. Returns how
    /// many failed.
    pub(crate) fn start_each(
        &self,
        session: u32,
        entries: &[ProviderEntry],
        logon: impl Fn(&ProviderEntry, bool) -> MapiResult<()>,
    ) -> usize {
        let no_dialog = !self
            .st()
            .session(session)
            .is_some_and(|s| s.flags.contains(LogonFlags::LOGON_UI));
        let mut failed = 0;
        for entry in entries {
            if entry.flags.contains(ResourceFlags::TEMP_SECTION)
                || self.disabled_by(session, entry.service).is_some()
                || self.active_in_section(session, &entry.section)
            {
                continue;
            }
            let outcome =
                self.retry_unconfigured(session, entry.service, no_dialog, || logon(entry, no_dialog));
            if outcome.is_err() {
                failed += 1;
            }
        }
        failed
    }

    /// Whether a logon of the section is active in the session.
    pub(crate) fn active_in_section(&self, session: u32, section: &MapiUid) -> bool {
        let st = self.st();
        st.session(session).is_some_and(|s| {
            s.active_by_section.get(section).is_some_and(|keys| {
                keys.as_slice()
                    .iter()
                    .any(|k| st.logons.get(*k).is_some_and(|r| r.phase == LogonPhase::Active))
            })
        })
    }

    /// The providers of one kind of the session's profile, in start order.
    pub(crate) fn session_providers_of_type(
        &self,
        session: u32,
        kind: crate::flags::ResourceType,
    ) -> Vec<ProviderEntry> {
        let st = self.st();
        st.session(session)
            .and_then(|s| st.profiles.profiles.get(&*s.profile))
            .map(|profile| profile.providers_of_type(kind))
            .unwrap_or_default()
    }

    /// A `Logon` failed: the provider must have let go of the support object; the failure may
    /// disable the message service for the session.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn failed_logon(
        &self,
        session: u32,
        lkey: LogonKey,
        entry: &ProviderEntry,
        file: &Arc<str>,
        support_label: ObjLabel,
        support: Ref<dyn MapiSupport>,
        error: MapiError,
    ) {
        let count = support.ref_count();
        if count > 1 {
            self.violation(
                &rules::LOGON_FAIL_CLEAN,
                format!(
                    "Logon failed with {error} but kept {} reference(s) to {support_label}",
                    count - 1
                ),
                vec![support_label],
                Party::Library(Arc::clone(file)),
            );
        }
        self.abandon_logon(lkey);
        drop(support);
        match error {
            MapiError::FailOneProvider | MapiError::Unconfigured | MapiError::UserCancel => {
                self.note(format!(
                    "Logon failed with {error}: only this provider fails; the client may try again"
                ));
            }
            _ => {
                let mut st = self.st();
                if let Some(s) = st.session_mut(session) {
                    s.disabled.push((entry.service, error));
                }
                drop(st);
                self.note(format!(
                    "Logon failed with {error}: the message service {} is disabled for session {session}",
                    entry.service
                ));
            }
        }
    }

    /// Forgets a logon that never became active.
    pub(crate) fn abandon_logon(&self, lkey: LogonKey) {
        let mut st = self.st();
        if let Some(rec) = st.logons.get_mut(lkey) {
            rec.phase = LogonPhase::TornDown;
            rec.cleanup_done = true;
            rec.logoff_called = true;
        }
        let session = st.logons.get(lkey).map(|r| r.session);
        if let Some(s) = session.and_then(|id| st.session_mut(id)) {
            let _ = s.uids.remove_logon(lkey);
            let _ = s.status_rows.remove_logon(lkey);
        }
    }

    /// The references to a logon's support object that the provider took (MAPI's and the
    /// spooler's temporary ones are not counted, on whatever thread they are taken).
    pub(crate) fn provider_support_refs(&self, lkey: LogonKey) -> u32 {
        let id = self.st().logons.get(lkey).and_then(|r| r.support_id);
        id.map_or(0, |id| {
            self.ledger
                .count_references(id, |by| matches!(by, Party::Library(_)))
        })
    }

    /// What a fresh `Logon` must have set up by the time it returns
    /// (implementing-service-provider-logon, imsprovider-logon): its MAPIUID registered, the
    /// profile section's display name, provider display name and record key, and (where the
    /// behaviour wants one) its status row.
    pub(crate) fn check_logon_setup(
        &self,
        lkey: LogonKey,
        session: u32,
        section: &MapiUid,
        store_label: Option<ObjLabel>,
        file: &Arc<str>,
        kind: ProviderKind,
    ) {
        let (registered, has_row, missing) = {
            let st = self.st();
            let s = st.session(session);
            let registered = s.is_some_and(|s| s.uids.contains_logon(lkey));
            let has_row = s.is_some_and(|s| s.status_rows.contains(lkey));
            let props = s
                .and_then(|s| st.profiles.profiles.get(&*s.profile))
                .and_then(|p| p.sections.get(section));
            let mut missing = Vec::new();
            if let Some(props) = props {
                let has = |tags: &[PropTag]| tags.iter().any(|t| props.get(*t).is_some());
                for (name, tags) in [
                    ("PR_DISPLAY_NAME", &[PR_DISPLAY_NAME_W, PR_DISPLAY_NAME_A][..]),
                    (
                        "PR_PROVIDER_DISPLAY",
                        &[PR_PROVIDER_DISPLAY_W, PR_PROVIDER_DISPLAY_A][..],
                    ),
                    ("PR_RECORD_KEY", &[PR_RECORD_KEY][..]),
                ] {
                    if !has(tags) {
                        missing.push(name);
                    }
                }
            }
            (registered, has_row, missing)
        };
        let objects: &[ObjLabel] = store_label.as_slice();
        let by = Party::Library(Arc::clone(file));
        // Transports register theirs through AddressTypes, not SetProviderUID.
        if !registered && kind != ProviderKind::Xp {
            self.violation(
                &rules::LOGON_REGISTER_UID,
                "a fresh Logon returned without registering a MAPIUID with SetProviderUID".to_owned(),
                objects,
                by.clone(),
            );
        }
        if !missing.is_empty() {
            self.violation(
                &rules::LOGON_PROFILE_PROPS,
                format!(
                    "a fresh Logon returned and its profile section has no {}",
                    missing.join(", ")
                ),
                objects,
                by.clone(),
            );
        }
        if !has_row
            && kind == ProviderKind::Store
            && self.behavior.status_row == crate::runtime::StoreStatusRow::Required
        {
            self.violation(
                &rules::LOGON_STATUS_ROW,
                "a fresh Logon returned without creating its status row (ModifyStatusRow)".to_owned(),
                objects,
                by,
            );
        }
    }
}
