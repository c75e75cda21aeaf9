//! The client's entry into MAPI: `MAPIInitialize` and `MAPIUninitialize` (nested, the last one
//! ending what is left), `MAPILogonEx` with the checks of its configuration, and MAPI's own
//! status rows.

use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult};
use crate::flags::{InitFlags, LogonFlags, MapiFlags};
use crate::props::PropBag;
use crate::runtime::state::{self};
use crate::runtime::{AddressBookStart, LogoffShared, Runtime, Session};
use crate::runtime::{finish, shutdown};
use crate::trace::{Party, Text, Value, text};

/// The rows MAPI itself puts in a session's status table: the subsystem, the spooler (failing
/// with `MAPI_NO_MAIL`: the spooler is not told about the session) and the integrated address
/// book.
fn mapi_status_rows(flags: LogonFlags) -> &'static [state::StatusRow] {
    /// Built once: the rows of a session that may send, and of one that may not.
    static ROWS: std::sync::LazyLock<[Vec<state::StatusRow>; 2]> =
        std::sync::LazyLock::new(|| [build_mapi_status_rows(false), build_mapi_status_rows(true)]);
    &ROWS[usize::from(flags.contains(LogonFlags::NO_MAIL))]
}

/// MAPI's own status rows, for a session logged on with or without `MAPI_NO_MAIL`.
fn build_mapi_status_rows(no_mail: bool) -> Vec<state::StatusRow> {
    use crate::flags::{ObjectType, ResourceType, StatusCode};
    use crate::props::{
        PR_DISPLAY_NAME_W, PR_OBJECT_TYPE, PR_PROVIDER_DISPLAY_W, PR_RESOURCE_TYPE, PR_ROWID, PR_STATUS_CODE,
    };
    let spooler = if no_mail {
        StatusCode::FAILURE
    } else {
        StatusCode::AVAILABLE
    };
    [
        (ResourceType::Subsystem, "MAPI Subsystem", StatusCode::AVAILABLE),
        (ResourceType::Spooler, "MAPI Spooler", spooler),
        (ResourceType::Ab, "MAPI Address Book", StatusCode::AVAILABLE),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (kind, name, code))| {
        let mut props = PropBag::new();
        let _ = props.set(PR_DISPLAY_NAME_W, name);
        let _ = props.set(PR_PROVIDER_DISPLAY_W, "MAPI");
        let _ = props.set(PR_RESOURCE_TYPE, kind.value());
        let _ = props.set(PR_STATUS_CODE, code.bits());
        let _ = props.set(PR_OBJECT_TYPE, ObjectType::Status.value());
        let _ = props.set(PR_ROWID, i as u32);
        state::StatusRow {
            logon: None,
            props: Arc::new(state::RowColumns {
                set: props,
                mapi: None,
            }),
        }
    })
    .collect()
}

impl Runtime {
    /// Whether MAPI is initialized; records the client violation otherwise.
    pub(crate) fn require_initialized(&self, what: &str) -> MapiResult<()> {
        let (initialized, exited) = {
            let st = self.st();
            (st.init_count > 0, st.fast_shutdown == shutdown::FastPhase::Done)
        };
        if exited {
            self.after_fast_shutdown(what);
        }
        if initialized {
            Ok(())
        } else {
            self.client_violation(
                &rules::CLIENT_INITIALIZED,
                format!("{what} was called while MAPI is not initialized"),
            );
            Err(MapiError::NotInitialized)
        }
    }

    pub(crate) fn initialize(&self, flags: InitFlags) -> MapiResult<()> {
        self.check_after_fast_shutdown("MAPIInitialize");
        let call = self.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "MAPIInitialize",
            Text::value(Value::flags(flags)),
        );
        let result = flags.check_known().map(|flags| {
            let count = {
                let mut st = self.st();
                if st.init_count == 0 {
                    st.init_flags = flags;
                }
                st.init_count += 1;
                st.init_count
            };
            if self.not_service_client && flags.contains(InitFlags::NT_SERVICE) {
                self.client_violation(
                    &rules::CLIENT_NT_SERVICE_ONLY,
                    format!(
                        "a client that is not a Windows service called MAPIInitialize with MAPI_NT_SERVICE ({flags})"
                    ),
                );
            }
            if self.service_client && !flags.contains(InitFlags::NT_SERVICE) {
                self.client_violation(
                    &rules::SERVICE_NT_FLAG,
                    format!(
                        "a Windows-service client called MAPIInitialize without MAPI_NT_SERVICE ({flags})"
                    ),
                );
            }
            if count == 1 {
                self.first_initialize(flags);
            }
            count
        });
        call.finish_result(&result, |&count| {
            if count == 1 {
                Text::EMPTY
            } else {
                text!("nested, count {count}", count)
            }
        });
        result.map(drop)
    }

    pub(crate) fn uninitialize(&self) -> MapiResult<()> {
        self.check_after_fast_shutdown("MAPIUninitialize");
        let _ending = self.client_teardown();
        let call = self
            .trace
            .begin_call(Party::Client, Party::Mapi, "MAPIUninitialize", "");
        let _mapi = self.mapi_scope();
        let remaining = {
            let mut st = self.st();
            if st.init_count == 0 {
                None
            } else {
                st.init_count -= 1;
                Some(st.init_count)
            }
        };
        let result = match remaining {
            None => {
                self.client_violation(
                    &rules::CLIENT_INITIALIZED,
                    "MAPIUninitialize was called more often than MAPIInitialize",
                );
                Err(MapiError::NotInitialized)
            }
            Some(0) => {
                self.last_uninitialize_thread();
                self.last_uninitialize();
                Ok(0)
            }
            Some(n) => Ok(n),
        };
        call.finish_result(&result, |&n| {
            if n == 0 {
                Text::EMPTY
            } else {
                text!("count {n}", n)
            }
        });
        result.map(drop)
    }

    /// What the last `MAPIUninitialize` checks and does.
    pub(crate) fn last_uninitialize(&self) {
        let (active, handles) = {
            let st = self.st();
            let active: Vec<u32> = st
                .open_sessions()
                .filter(|(_, s)| s.active)
                .map(|(id, _)| id)
                .collect();
            let handles = finish::unchecked_handles(&st);
            (active, handles)
        };
        for id in active {
            self.client_violation(
                &rules::CLIENT_LOGOFF,
                format!("session {id} was not logged off before the last MAPIUninitialize; MAPI logs it off"),
            );
            self.session_logoff(id);
        }
        let frees = std::mem::take(&mut self.st().deferred_frees);
        for free in frees {
            self.complete_free(free);
        }
        if handles > 0 {
            self.client_violation(
                &rules::CLIENT_RELEASE,
                format!("the client still holds {handles} store object(s) at the last MAPIUninitialize"),
            );
        }
        let pending: Vec<Arc<str>> = {
            let mut st = self.st();
            st.loader
                .modules
                .values_mut()
                .filter(|m| m.final_free_pending)
                .map(|m| {
                    m.final_free_pending = false;
                    Arc::clone(&m.file)
                })
                .collect()
        };
        for file in pending {
            self.free_library(&file, Text::from_static("the last MAPIUninitialize"));
        }
    }

    pub(crate) fn logon_ex(&self, profile: &str, flags: LogonFlags) -> MapiResult<Session> {
        let call = self.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "MAPILogonEx",
            text!(
                "{profile:?}, {flags}",
                profile = profile.to_owned(),
                flags = Value::flags(flags)
            ),
        );
        let _mapi = self.mapi_scope();
        let result = self.logon_ex_inner(profile, flags);
        call.finish_result(&result, |s| s.label().map_or(Text::EMPTY, Text::value));
        result
    }

    pub(crate) fn logon_ex_inner(&self, profile: &str, flags: LogonFlags) -> MapiResult<Session> {
        self.require_initialized("MAPILogonEx")?;
        let flags = flags.check_known()?;
        self.check_service_logon(flags);
        if !flags.contains(LogonFlags::EXTENDED) {
            self.client_violation(
                &rules::CLIENT_MAPI_EXTENDED,
                format!("MAPILogonEx was called without MAPI_EXTENDED ({flags})"),
            );
        }
        if self.not_service_client && flags.contains(LogonFlags::NT_SERVICE) {
            self.client_violation(
                &rules::CLIENT_NT_SERVICE_ONLY,
                format!(
                    "a client that is not a Windows service called MAPILogonEx with MAPI_NT_SERVICE ({flags})"
                ),
            );
        }
        let id = {
            let mut st = self.st();
            let Some(data) = st.profiles.profiles.get(profile) else {
                return Err(MapiError::LogonFailed);
            };
            let address_books = data.providers_of_type(crate::flags::ResourceType::AbProvider);
            st.next_session += 1;
            let id = st.next_session;
            st.open_sessions.insert(id);
            st.sessions.insert(
                id,
                state::SessionState {
                    profile: profile.into(),
                    flags,
                    active: true,
                    providers: Vec::new(),
                    all_providers: Vec::new(),
                    logons: Vec::new(),
                    active_by_section: crate::sync::KeyMap::default(),
                    disabled: Vec::new(),
                    status_rows: state::ByLogon::new(mapi_status_rows(flags).iter().cloned()),
                    uids: state::RegisteredUids::default(),
                    client_handles: 0,
                    client_advises: Vec::new(),
                    client_logged_off: false,
                    transports: state::TransportsPhase::NotStarted,
                    address_books: address_books.into(),
                    label: None,
                },
            );
            id
        };
        let session = Session::new(self.arc(), id);
        if let Err(e) = self.check_configuration(id, profile, flags) {
            // The session never started: it ends here, without a client violation.
            let mut st = self.st();
            if let Some(s) = st.session_mut(id) {
                s.active = false;
            }
            st.session_settled(id);
            return Err(e);
        }
        if self.behavior.address_book_start == AddressBookStart::Logon {
            let _ = self.start_address_books(id, None);
        }
        self.transports_at_logon(id);
        Ok(session)
    }

    /// What the client should have done before `IMAPISession::Logoff` (ending-a-mapi-session):
    /// cancelled its advise registrations, released its objects; and the flag it passes.
    pub(crate) fn check_client_logoff(&self, session: u32, flags: crate::flags::SessionLogoffFlags) {
        let (handles, advises, owner) = {
            let mut st = self.st();
            let Some(s) = st.session_mut(session) else {
                return;
            };
            s.client_logged_off = true;
            let advises = std::mem::take(&mut s.client_advises);
            let out = (
                s.client_handles,
                advises,
                s.flags.contains(LogonFlags::ALLOW_OTHERS),
            );
            st.session_settled(session);
            out
        };
        if !advises.is_empty() {
            let named: Vec<String> = advises
                .iter()
                .map(|(store, connection)| {
                    let store = store.map_or_else(|| "a store".to_owned(), |l| l.to_string());
                    format!("{store} connection {connection}")
                })
                .collect();
            self.client_violation(
                &rules::CLIENT_UNADVISE,
                format!(
                    "the client logged session {session} off without cancelling {} advise registration(s): {}",
                    advises.len(),
                    named.join(", ")
                ),
            );
        }
        if handles > 0 {
            self.client_violation(
                &rules::CLIENT_RELEASE,
                format!("the client still holds {handles} store object(s) at session {session}'s IMAPISession::Logoff"),
            );
        }
        if flags.contains(crate::flags::SessionLogoffFlags::SHARED) {
            let allowed = owner && self.behavior.logoff_shared == LogoffShared::OwnerMay;
            if !allowed {
                let why = match self.behavior.logoff_shared {
                    LogoffShared::Never => "clients should never pass it",
                    LogoffShared::OwnerMay => "the session was not logged on with MAPI_ALLOW_OTHERS",
                };
                self.client_violation(
                    &rules::CLIENT_LOGOFF_SHARED,
                    format!("IMAPISession::Logoff was called with MAPI_LOGOFF_SHARED: {why}"),
                );
            }
        }
    }

    /// Whether the client runs as a Windows service: it said so to the builder, or in the flags
    /// of `MAPIInitialize` or of this `MAPILogonEx`.
    pub(crate) fn is_service_client(&self, logon: LogonFlags) -> bool {
        self.service_client
            || logon.contains(LogonFlags::NT_SERVICE)
            || self.st().init_flags.contains(InitFlags::NT_SERVICE)
    }

    /// The rules of §5.8 for the `MAPILogonEx` of a Windows-service client.
    pub(crate) fn check_service_logon(&self, flags: LogonFlags) {
        if !self.is_service_client(flags) {
            return;
        }
        let init = self.st().init_flags.contains(InitFlags::NT_SERVICE);
        let logon = flags.contains(LogonFlags::NT_SERVICE);
        if !(init && logon) {
            let missing = if init {
                "MAPILogonEx"
            } else if logon {
                "MAPIInitialize"
            } else {
                "MAPIInitialize and MAPILogonEx"
            };
            self.client_violation(
                &rules::SERVICE_NT_FLAG,
                format!("a Windows-service client logged on without MAPI_NT_SERVICE in {missing}"),
            );
        }
        if !flags.contains(LogonFlags::NO_MAIL) {
            self.client_violation(
                &rules::SERVICE_NO_MAIL,
                format!("a Windows-service client called MAPILogonEx without MAPI_NO_MAIL ({flags})"),
            );
        }
        let ui = flags & (LogonFlags::LOGON_UI | LogonFlags::PASSWORD_UI | LogonFlags::SERVICE_UI_ALWAYS);
        if !ui.is_empty() {
            self.client_violation(
                &rules::SERVICE_NO_UI,
                format!("a Windows-service client asked MAPILogonEx for user interface ({ui})"),
            );
        }
    }

    /// What `MAPILogonEx` checks before the session is used: every provider section names its DLL
    /// and its resource type. With `MAPI_SERVICE_UI_ALWAYS`, each service's configuration is shown
    /// first; a service whose providers are not configured is configured when the client allows
    /// UI (`MAPI_LOGON_UI`), and disabled for the session otherwise. `MAPI_E_USER_CANCEL` from a
    /// configuration ends the logon.
    pub(crate) fn check_configuration(
        &self,
        session: u32,
        profile: &str,
        flags: LogonFlags,
    ) -> MapiResult<()> {
        use crate::flags::{ServiceContext, ServiceEntryFlags};
        let services: Vec<crate::ids::MapiUid> = {
            let st = self.st();
            let data = st.profiles.profiles.get(profile).ok_or(MapiError::LogonFailed)?;
            data.services.iter().map(|s| s.uid).collect()
        };
        let unconfigured = |service: crate::ids::MapiUid, position: usize| {
            let st = self.st();
            st.profiles
                .profiles
                .get(profile)
                .is_some_and(|data| data.service_unconfigured(service, position))
        };
        for (position, service) in services.into_iter().enumerate() {
            let ui_always = flags.contains(LogonFlags::SERVICE_UI_ALWAYS);
            let mut outcome = Ok(());
            if ui_always || (unconfigured(service, position) && flags.contains(LogonFlags::LOGON_UI)) {
                let mut entry_flags = ServiceEntryFlags::UI_ALLOWED;
                if ui_always {
                    entry_flags |= ServiceEntryFlags::UI_ALWAYS;
                }
                outcome =
                    self.call_service_entry(profile, service, ServiceContext::Configure, entry_flags, &[]);
            }
            let error = match outcome {
                Err(MapiError::UserCancel) => return Err(MapiError::UserCancel),
                Err(e) => Some(e),
                Ok(()) if unconfigured(service, position) => Some(MapiError::Unconfigured),
                Ok(()) => None,
            };
            if let Some(e) = error {
                if let Some(s) = self.st().session_mut(session) {
                    s.disabled.push((service, e));
                }
                self.note(format!(
                    "message service {service} is not configured ({e}): disabled for session {session}"
                ));
            }
        }
        Ok(())
    }
}
