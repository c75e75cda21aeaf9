//! Starting a provider: MAPI's provider object of each kind, one per session and DLL — the
//! `LoadLibrary`, the kind's entry point (`MSProviderInit`, `ABProviderInit`, `XPProviderInit`),
//! the SPI version checks both ways — and the calls MAPI makes on it, counted while in flight.

use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult};
use crate::flags::{ProviderInitFlags, SpiVersion};
use crate::object::{ObjLabel, Owner, Ref};
use crate::profile::ProviderEntry;
use crate::runtime::kind::{KindObject, ProviderKind};
use crate::runtime::state::{ProviderKey, ProviderRec};
use crate::runtime::{Runtime, loader};
use crate::spi::{InitArgs, MsProvider, OutParam};
use crate::trace::{Party, Value, text};

/// A provider object MAPI is about to call, with what the call needs. While it exists the
/// provider record counts one call in flight, so that a release check does not mistake MAPI's
/// temporary reference for a leak.
pub(crate) struct ProviderHandle<T: ?Sized = dyn MsProvider> {
    rt: Arc<Runtime>,
    key: ProviderKey,
    object: Option<Ref<T>>,
    pub(crate) label: ObjLabel,
    pub(crate) file: Arc<str>,
    pub(crate) session: u32,
}

impl<T: ?Sized> ProviderHandle<T> {
    /// The handle of a call already counted on the provider record (`in_flight`).
    pub(crate) fn counted(
        rt: Arc<Runtime>,
        key: ProviderKey,
        object: Ref<T>,
        label: ObjLabel,
        file: Arc<str>,
        session: u32,
    ) -> ProviderHandle<T> {
        ProviderHandle {
            rt,
            key,
            object: Some(object),
            label,
            file,
            session,
        }
    }

    /// The provider record's key.
    pub(crate) fn key(&self) -> ProviderKey {
        self.key
    }

    pub(crate) fn object(&self) -> &Ref<T> {
        match &self.object {
            Some(object) => object,
            // Taken only in `drop`.
            None => unreachable_handle(),
        }
    }
}

#[cold]
fn unreachable_handle() -> ! {
    panic!("a provider handle was used after it was dropped")
}

impl<T: ?Sized> Drop for ProviderHandle<T> {
    fn drop(&mut self) {
        drop(self.object.take());
        self.rt.provider_call_done(self.key);
    }
}

impl Runtime {
    /// The provider object of a record, with what a call on it needs.
    pub(crate) fn provider_object<T: ?Sized + KindObject>(
        &self,
        key: ProviderKey,
    ) -> MapiResult<ProviderHandle<T>> {
        let mut st = self.st();
        self.provider_object_in(&mut st, key)
    }

    /// [`Runtime::provider_object`] under a lock the caller holds.
    pub(crate) fn provider_object_in<T: ?Sized + KindObject>(
        &self,
        st: &mut crate::runtime::state::State,
        key: ProviderKey,
    ) -> MapiResult<ProviderHandle<T>> {
        let rec = st.providers.get_mut(key).ok_or(MapiError::EndOfSession)?;
        let object = rec
            .object
            .as_ref()
            .and_then(T::of)
            .ok_or(MapiError::EndOfSession)?;
        rec.in_flight += 1;
        Ok(ProviderHandle::counted(
            self.arc(),
            key,
            object,
            rec.label,
            Arc::clone(&rec.file),
            rec.session,
        ))
    }

    /// A call made through a [`ProviderHandle`] is over; the last one makes a `Shutdown` or runs a
    /// release check that waited for it.
    pub(crate) fn provider_call_done(&self, key: ProviderKey) {
        let due = {
            let mut st = self.st();
            match st.providers.get_mut(key) {
                Some(rec) => {
                    rec.in_flight = rec.in_flight.saturating_sub(1);
                    let idle = rec.in_flight == 0;
                    (
                        idle && std::mem::take(&mut rec.shutdown_pending),
                        idle && std::mem::take(&mut rec.release_check_pending),
                    )
                }
                None => (false, false),
            }
        };
        if due.0 {
            let _mapi = self.mapi_scope();
            self.shutdown_provider(key);
        }
        if due.1 {
            self.defer_release_check(crate::runtime::state::ReleaseCheck::Provider(key));
        }
    }

    /// Notes a call about to be made on a provider object that was already shut down (possible
    /// only when an entry point handed one object out twice: `INIT-NEW-OBJECT`).
    pub(crate) fn check_not_shut_down<T: ?Sized>(&self, object: &Ref<T>, label: ObjLabel, file: &Arc<str>) {
        let down = object.id().is_some_and(|id| {
            let st = self.st();
            st.provider_objects.get(&id).is_some_and(|keys| {
                keys.iter()
                    .any(|k| st.providers.get(*k).is_some_and(|p| p.shut_down))
            })
        });
        if down {
            // A consequence of INIT-NEW-OBJECT, already reported: noted, not reported again.
            self.note(format!(
                "MAPI is calling {label} of {file}, whose Shutdown was already called: the entry point handed the object out twice"
            ));
        }
    }

    /// The session's provider object of `kind` for the entry's DLL, started if need be:
    /// `LoadLibrary`, the kind's entry point (`MSProviderInit`, `ABProviderInit`,
    /// `XPProviderInit`), and the SPI version checks both ways.
    pub(crate) fn provider_of_kind<T: ?Sized + KindObject>(
        &self,
        session: u32,
        entry: &ProviderEntry,
        kind: ProviderKind,
    ) -> MapiResult<ProviderHandle<T>> {
        loader::with_dll_file(&entry.dll_base, |file, key| {
            self.provider_for_file(session, entry, kind, file, key)
        })
    }

    /// [`Runtime::provider_of_kind`], with the file name MAPI loads and its key.
    fn provider_for_file<T: ?Sized + KindObject>(
        &self,
        session: u32,
        entry: &ProviderEntry,
        kind: ProviderKind,
        file: &str,
        key: &str,
    ) -> MapiResult<ProviderHandle<T>> {
        // The session's provider object for the DLL, taken for a call under the lock that finds
        // it (a Shutdown waits for the call) — unless it is being shut down on another thread:
        // then MAPI starts a new one, as after any Shutdown.
        {
            let mut st = self.st();
            let live = st.session(session).and_then(|s| {
                s.providers
                    .iter()
                    .filter(|(k, f, _)| *k == kind && *f == key)
                    .map(|(_, _, k)| *k)
                    .find(|k| {
                        st.providers
                            .get(*k)
                            .is_some_and(|p| !p.shut_down && p.object.is_some())
                    })
            });
            if let Some(k) = live {
                return self.provider_object_in(&mut st, k);
            }
        }
        let entry_name = kind.entry_name();
        let Some((file, library, instance)) = self.load_library(
            file,
            text!("{noun} of session {session}", noun = kind.noun(), session),
        ) else {
            self.report_load_failure(&entry.dll_base, file);
            return Err(MapiError::NotFound);
        };
        if !library.exports().contains(kind.export()) {
            self.violation(
                &rules::LIB_EXPORT,
                format!("{file} does not export {entry_name}"),
                Vec::new(),
                Party::Library(Arc::clone(&file)),
            );
            self.release_library(&file, text!("{entry_name} not found", entry_name));
            return Err(MapiError::CallFailed);
        }
        let nt_service = self.nt_service_session(session);
        let mapi_version = self.behavior.mapi_spi_version;
        let args = InitArgs {
            instance,
            malloc: self.malloc.clone(),
            routines: self.routines.issued_to(Party::Library(Arc::clone(&file))),
            flags: if nt_service {
                ProviderInitFlags::NT_SERVICE
            } else {
                ProviderInitFlags::empty()
            },
            mapi_version,
            provider_version: OutParam::new(),
        };
        let result = self.call_provider(
            kind.caller(),
            Party::Library(Arc::clone(&file)),
            entry_name,
            text!(
                "{dll} (instance {generation}), flags={flags}, mapi_ver={mapi_version}",
                dll = Arc::clone(&file),
                generation = args.instance.generation(),
                flags = Value::flags(args.flags),
                mapi_version,
            ),
            &file,
            Some(session),
            || kind.init(&*library, &args),
            |(provider, version)| {
                // Registered before the call's line is finished, so that the line names it.
                let owner = Owner::library(Arc::clone(&file)).in_session(session);
                let _ = provider.adopt(&self.ledger, owner);
                let label = provider.label().map_or(Value::Static("provider"), Value::Label);
                text!("{label}, provider_ver={version}", label, version = *version)
            },
        );
        let reported = args.provider_version.get();
        drop(args);
        drop(library);
        let (provider, version) = match result {
            Ok(init) => init,
            Err(e) => {
                if e == MapiError::Version {
                    self.check_version_refusal(&file, entry_name, reported, mapi_version);
                }
                self.release_library(&file, format!("{entry_name} failed: {e}").into());
                return Err(e);
            }
        };
        let owner = Owner::library(Arc::clone(&file)).in_session(session);
        let id = provider
            .adopt(&self.ledger, owner)
            .map_err(|_| MapiError::CallFailed)?;
        let label = provider
            .label()
            .unwrap_or(ProviderKind::unlabelled(kind.provider_interface()));
        let handed_out_before = self.st().provider_objects.get(&id).is_some_and(|k| !k.is_empty());
        if handed_out_before {
            self.violation(
                &rules::INIT_NEW_OBJECT,
                format!("{entry_name} returned {label}, which an earlier call already returned"),
                vec![label],
                Party::Library(Arc::clone(&file)),
            );
        }
        if version > mapi_version {
            self.violation(
                &rules::INIT_VERSION,
                format!(
                    "{entry_name} succeeded with provider SPI version {version} although MAPI's is {mapi_version}"
                ),
                vec![label],
                Party::Library(Arc::clone(&file)),
            );
        }
        if version < self.behavior.min_provider_spi_version {
            self.note(format!(
                "provider SPI version {version} is older than {}: MAPI releases {label} and fails with MAPI_E_VERSION",
                self.behavior.min_provider_spi_version
            ));
            self.drop_in_provider(&file, Some(session), "the provider's release", provider);
            self.release_library(&file, text!("{label} released: SPI version too old", label));
            return Err(MapiError::Version);
        }
        let mut st = self.st();
        let k = st.providers.insert(ProviderRec {
            kind,
            session,
            file: Arc::clone(&file),
            object: Some(provider),
            id,
            label,
            logons: std::collections::BTreeSet::new(),
            shut_down: false,
            in_flight: 0,
            release_check_pending: false,
            shutdown_pending: false,
        });
        if let Some(s) = st.session_mut(session) {
            s.providers.push((kind, key.to_owned(), k));
            s.all_providers.push(k);
        }
        st.provider_objects.entry(id).or_default().push(k);
        // Taken for the caller's call under the lock that made it.
        self.provider_object_in(&mut st, k)
    }

    /// `INIT-VERSION-RANGE`: an entry point that failed with `MAPI_E_VERSION` although the SPI
    /// version it reports (`*lpulProviderVer`) is no newer than MAPI's, so that MAPI could have
    /// hosted it (an equality check where a range check belongs).
    fn check_version_refusal(
        &self,
        file: &Arc<str>,
        entry_name: &str,
        reported: Option<SpiVersion>,
        mapi: SpiVersion,
    ) {
        match reported {
            Some(provider) if provider <= mapi => self.violation(
                &rules::INIT_VERSION_RANGE,
                format!(
                    "{entry_name} failed with MAPI_E_VERSION for MAPI's SPI version {mapi}, although the provider's is {provider}: a MAPI at least as new as the provider can host it"
                ),
                Vec::new(),
                Party::Library(Arc::clone(file)),
            ),
            Some(provider) => self.note(format!(
                "{file} needs SPI version {provider}, newer than MAPI's {mapi}: MAPI_E_VERSION is its answer"
            )),
            None => self.note(format!(
                "{file} failed with MAPI_E_VERSION without setting *lpulProviderVer: MAPI cannot tell whether the two versions were compatible"
            )),
        }
    }
}
