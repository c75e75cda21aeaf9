//! Message services: the entry point (`MSGSERVICEENTRY`) called with `MSG_SERVICE_CREATE`,
//! `MSG_SERVICE_CONFIGURE` and `MSG_SERVICE_DELETE`, the message-service support object it gets,
//! and `IProviderAdmin`.

use std::sync::{Arc, OnceLock, Weak};

use crate::check::rules;
use crate::error::{MapiError, MapiResult};
use crate::flags::{MapiFlags, ProfileSectionFlags, ServiceContext, ServiceEntryFlags, ServiceFlags};
use crate::ids::{Iid, MapiUid};
use crate::object::{InterfaceKind, ObjLabel, ObjectInfo, Owner, Ref, Unknown};
use crate::profile::ServiceDef;
use crate::props::{
    PR_DISPLAY_NAME_W, PR_PROVIDER_ORDINAL, PR_RESOURCE_FLAGS, PR_SERVICE_DLL_NAME_A, PR_SERVICE_ENTRY_NAME,
    PR_SERVICE_NAME_W, PR_SERVICE_UID, Prop, PropBag,
};
use crate::runtime::profsect::ProfSectObject;
use crate::runtime::{Runtime, dll_file_name};
use crate::spi::{
    Exports, MapiProp, MapiSupport, MemRoutines, OutParam, ProfSect, ProviderAdmin, ServiceEntryArgs,
};
use crate::strings::TStr;
use crate::trace::{Party, text};

/// The support object a message-service entry point gets: it implements only what the
/// documentation lists for message services.
pub(crate) struct ServiceSupportObject {
    rt: Weak<Runtime>,
    profile: String,
    service: MapiUid,
    flags: ServiceEntryFlags,
    file: Arc<str>,
    /// The service's DLL, as the party of a thread it started outside every scope.
    given_to: (Party, Owner),
    label: OnceLock<ObjLabel>,
}

impl ServiceSupportObject {
    fn call<R>(
        &self,
        method: &'static str,
        args: String,
        f: impl FnOnce(&Runtime) -> MapiResult<R>,
        summary: impl FnOnce(&R) -> String,
    ) -> MapiResult<R> {
        Runtime::called_object(
            &self.rt,
            self.label.get().copied(),
            Some(&self.given_to),
            method,
            args,
            f,
            summary,
        )
    }
}

impl MapiSupport for ServiceSupportObject {
    fn get_mem_alloc_routines(&self) -> MapiResult<MemRoutines> {
        self.call(
            "GetMemAllocRoutines",
            String::new(),
            |rt| Ok(rt.routines.issued_to(self.given_to.0.clone())),
            |_| String::new(),
        )
    }

    fn new_uid(&self) -> MapiResult<MapiUid> {
        self.call(
            "NewUID",
            String::new(),
            |rt| {
                // Recorded as the store support object's are: a UID generated here and
                // registered by a logon later is just as generated.
                let mut st = rt.st();
                let uid = st.profiles.new_uid();
                st.generated_uids.push(uid);
                Ok(uid)
            },
            ToString::to_string,
        )
    }

    fn open_profile_section(
        &self,
        uid: Option<&MapiUid>,
        flags: ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        open_service_section(
            &self.rt,
            self.label.get().copied(),
            &self.given_to,
            &self.profile,
            self.service,
            uid,
            flags,
        )
    }

    fn make_invalid(
        &self,
        flags: u32,
        object: &Ref<dyn Unknown>,
        ref_count: u32,
        methods: u32,
    ) -> MapiResult<()> {
        self.call(
            "MakeInvalid",
            format!("{flags}, object, {ref_count}, {methods}"),
            |rt| {
                if flags != 0 {
                    return Err(MapiError::UnknownFlags);
                }
                let object = rt.ledger_entry(object).ok_or(MapiError::InvalidParameter)?;
                rt.st().invalid_objects.push(object);
                Ok(())
            },
            |()| String::new(),
        )
    }

    fn do_config_propsheet(
        &self,
        _ui_param: usize,
        _flags: u32,
        title: TStr<'_>,
        _display_table: &Ref<dyn Unknown>,
        _config: &Ref<dyn MapiProp>,
        _top_page: u32,
    ) -> MapiResult<()> {
        self.call(
            "DoConfigPropsheet",
            format!("{:?}", title.to_string_lossy()),
            |rt| {
                let allowed = self
                    .flags
                    .intersects(ServiceEntryFlags::UI_ALLOWED | ServiceEntryFlags::UI_ALWAYS);
                if !allowed {
                    rt.violation(
                        &rules::SERVICE_UI_ALLOWED,
                        format!(
                            "the service entry showed a property sheet although its flags ({}) allow no UI",
                            self.flags
                        ),
                        self.label.get().copied().as_slice(),
                        Party::Library(Arc::clone(&self.file)),
                    );
                }
                // The simulated user accepts the sheet as it is.
                Ok(())
            },
            |()| String::new(),
        )
    }

    fn get_svc_config_support_obj(&self, _flags: u32) -> MapiResult<Ref<dyn MapiSupport>> {
        Err(MapiError::NoSupport)
    }
}

/// `OpenProfileSection` of the objects a message service's code gets (its support object and
/// its `IProviderAdmin`): NULL is the service's own section.
fn open_service_section(
    rt: &Weak<Runtime>,
    object: Option<ObjLabel>,
    given_to: &(Party, Owner),
    profile: &str,
    service: MapiUid,
    uid: Option<&MapiUid>,
    flags: ProfileSectionFlags,
) -> MapiResult<Ref<dyn ProfSect>> {
    Runtime::called_object(
        rt,
        object,
        Some(given_to),
        "OpenProfileSection",
        format!(
            "{}, {flags}",
            uid.map_or_else(|| "NULL".to_owned(), ToString::to_string)
        ),
        |rt| rt.open_section(profile, uid.copied().unwrap_or(service), flags, None, None),
        |s| s.label().map(|l| l.to_string()).unwrap_or_default(),
    )
}

/// `IProviderAdmin` of one message service.
pub(crate) struct ProviderAdminObject {
    rt: Weak<Runtime>,
    profile: String,
    service: MapiUid,
    /// The service's DLL, as the party of a thread it started outside every scope.
    given_to: (Party, Owner),
    label: OnceLock<ObjLabel>,
}

impl ProviderAdmin for ProviderAdminObject {
    fn get_provider_table(&self, _flags: u32) -> MapiResult<Vec<Vec<Prop>>> {
        Runtime::called_object(
            &self.rt,
            self.label.get().copied(),
            Some(&self.given_to),
            "GetProviderTable",
            String::new(),
            |rt| {
                Ok(rt
                    .provider_table(&self.profile)?
                    .into_iter()
                    .filter(|row| row.get_uid(PR_SERVICE_UID) == Some(self.service))
                    .map(|row| row.iter().cloned().collect())
                    .collect())
            },
            |rows: &Vec<Vec<Prop>>| format!("{} row(s)", rows.len()),
        )
    }

    fn open_profile_section(
        &self,
        uid: Option<&MapiUid>,
        interface: Option<&Iid>,
        flags: ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        // A section is an IProfSect (and what that derives from), nothing else.
        if interface.is_some_and(|i| ![Iid::IPROFSECT, Iid::IMAPIPROP, Iid::IUNKNOWN].contains(i)) {
            return Err(MapiError::InterfaceNotSupported);
        }
        open_service_section(
            &self.rt,
            self.label.get().copied(),
            &self.given_to,
            &self.profile,
            self.service,
            uid,
            flags,
        )
    }
}

impl Runtime {
    /// Opens a profile section as an `IProfSect`: a read-only open of a missing section gives
    /// `MAPI_E_NOT_FOUND`, `MAPI_MODIFY` creates it.
    pub(crate) fn open_section(
        &self,
        profile: &str,
        section: MapiUid,
        flags: ProfileSectionFlags,
        logon: Option<crate::runtime::state::LogonKey>,
        session: Option<u32>,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        let flags = flags.check_known()?;
        let modify = flags.contains(ProfileSectionFlags::MODIFY);
        {
            let mut st = self.st();
            let data = st.profiles.profiles.get_mut(profile).ok_or(MapiError::NotFound)?;
            match data.sections.entry(section) {
                std::collections::btree_map::Entry::Occupied(_) => {}
                std::collections::btree_map::Entry::Vacant(_) if !modify => return Err(MapiError::NotFound),
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(Arc::default());
                }
            }
        }
        Ok(ProfSectObject::open(
            self, profile, section, modify, logon, session,
        ))
    }

    /// The provider table of a profile: one row per provider, address-book providers first within
    /// each service, with `PR_PROVIDER_ORDINAL` numbering the rows.
    pub(crate) fn provider_table(&self, profile: &str) -> MapiResult<Vec<PropBag>> {
        let st = self.st();
        let data = st.profiles.profiles.get(profile).ok_or(MapiError::NotFound)?;
        Ok(data
            .providers()
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let mut row = PropBag::clone(&p.props);
                let _ = row.set(PR_PROVIDER_ORDINAL, u32::try_from(i).unwrap_or(u32::MAX));
                row
            })
            .collect())
    }

    /// Calls the message-service entry point of a service of a profile. A service without one
    /// (no `PR_SERVICE_DLL_NAME`) has nothing to call: `Ok`.
    pub(crate) fn call_service_entry(
        &self,
        profile: &str,
        service: MapiUid,
        context: ServiceContext,
        flags: ServiceEntryFlags,
        props: &[Prop],
    ) -> MapiResult<()> {
        let (dll, entry) = {
            let st = self.st();
            let data = st.profiles.profiles.get(profile).ok_or(MapiError::NotFound)?;
            let section = data.sections.get(&service).ok_or(MapiError::NotFound)?;
            (
                section.get_str(PR_SERVICE_DLL_NAME_A).map(str::to_owned),
                section.get_str(PR_SERVICE_ENTRY_NAME).map(str::to_owned),
            )
        };
        let (Some(dll), Some(entry)) = (dll, entry) else {
            return Ok(());
        };
        let file = dll_file_name(&dll);
        let Some((file, library, instance)) =
            self.load_library(&file, text!("the entry point of service {service}", service))
        else {
            self.report_load_failure(&dll, &file);
            return Err(MapiError::NotFound);
        };
        let exported =
            library.exports().contains(Exports::SERVICE_ENTRY) && library.service_entry_name() == entry;
        let result = if exported {
            let support = self.ledger.register(
                ServiceSupportObject {
                    rt: self.me(),
                    profile: profile.to_owned(),
                    service,
                    flags,
                    file: Arc::clone(&file),
                    given_to: (
                        Party::Library(Arc::clone(&file)),
                        Owner::library(Arc::clone(&file)),
                    ),
                    label: OnceLock::new(),
                },
                ObjectInfo::new(InterfaceKind::MapiSupport).owner(Owner::none()),
            );
            if let Some(label) = support.label() {
                let _ = support.label.set(label);
            }
            let admin = self.ledger.register(
                ProviderAdminObject {
                    rt: self.me(),
                    profile: profile.to_owned(),
                    service,
                    given_to: (
                        Party::Library(Arc::clone(&file)),
                        Owner::library(Arc::clone(&file)),
                    ),
                    label: OnceLock::new(),
                },
                ObjectInfo::new(InterfaceKind::ProviderAdmin).owner(Owner::none()),
            );
            if let Some(label) = admin.label() {
                let _ = admin.label.set(label);
            }
            let support: Ref<dyn MapiSupport> = support.into();
            let admin: Ref<dyn ProviderAdmin> = admin.into();
            let mapi_error = OutParam::new();
            let args = ServiceEntryArgs {
                instance: &instance,
                malloc: &self.malloc,
                support: &support,
                ui_param: 0,
                flags,
                context,
                props,
                admin: &admin,
                mapi_error: &mapi_error,
            };
            let result = self.call_provider(
                Party::Mapi,
                Party::Library(Arc::clone(&file)),
                "ServiceEntry",
                format!(
                    "{context}, {flags}, {} propert{}",
                    props.len(),
                    if props.len() == 1 { "y" } else { "ies" }
                ),
                &file,
                None,
                || library.service_entry(&args),
                |()| String::new(),
            );
            self.take_mapi_error(&mapi_error, "the service entry", None, &file, None);
            // MAPI releases its own objects once the entry point has returned.
            drop((support, admin));
            result
        } else {
            self.violation(
                &rules::SERVICE_ENTRY_EXPORT,
                format!("{file} does not export the service entry point {entry:?}"),
                Vec::new(),
                Party::Library(Arc::clone(&file)),
            );
            Err(MapiError::CallFailed)
        };
        drop(library);
        if context == ServiceContext::Delete
            && exported
            && let Err(e) = result
        {
            self.violation(
                &rules::SERVICE_DELETE_OK,
                format!("the service entry failed MSG_SERVICE_DELETE with {e}"),
                Vec::new(),
                Party::Library(Arc::clone(&file)),
            );
        }
        self.release_library(&file, format!("the service entry returned from {context}").into());
        result
    }

    /// `CreateMsgService`: copies the service into the profile and calls its entry point with
    /// `MSG_SERVICE_CREATE`; if that fails, the service is removed again. A second copy of a
    /// `SERVICE_SINGLE_COPY` service gives `MAPI_E_NO_ACCESS`.
    pub(crate) fn create_service(&self, profile: &str, def: &ServiceDef) -> MapiResult<MapiUid> {
        let single = ServiceFlags::from_raw(def.props().get_u32(PR_RESOURCE_FLAGS).unwrap_or(0))
            .contains(ServiceFlags::SINGLE_COPY);
        let uid = {
            let mut st = self.st();
            let data = st.profiles.profiles.get(profile).ok_or(MapiError::NotFound)?;
            if single && data.services.iter().any(|s| s.name == def.name()) {
                return Err(MapiError::NoAccess);
            }
            st.profiles.add_service(profile, def)?
        };
        match self.call_service_entry(
            profile,
            uid,
            ServiceContext::Create,
            ServiceEntryFlags::empty(),
            &[],
        ) {
            Ok(()) => Ok(uid),
            Err(e) => {
                self.st().profiles.remove_service(profile, uid);
                self.note(format!(
                    "MSG_SERVICE_CREATE failed with {e}: the service is removed from the profile"
                ));
                Err(e)
            }
        }
    }

    /// `DeleteMsgService`: the entry point with `MSG_SERVICE_DELETE`, then the provider sections
    /// are removed, then the service's own section.
    pub(crate) fn delete_service(&self, profile: &str, service: MapiUid) -> MapiResult<()> {
        {
            let st = self.st();
            let data = st.profiles.profiles.get(profile).ok_or(MapiError::NotFound)?;
            if !data.services.iter().any(|s| s.uid == service) {
                return Err(MapiError::NotFound);
            }
        }
        let _ = self.call_service_entry(
            profile,
            service,
            ServiceContext::Delete,
            ServiceEntryFlags::empty(),
            &[],
        );
        let removed = self.st().profiles.remove_service(profile, service);
        self.note(format!(
            "removed {} provider section(s), then the section of service {service}",
            removed.saturating_sub(1)
        ));
        Ok(())
    }

    /// The message-service table of a profile.
    pub(crate) fn service_table(&self, profile: &str) -> MapiResult<Vec<PropBag>> {
        let st = self.st();
        let data = st.profiles.profiles.get(profile).ok_or(MapiError::NotFound)?;
        Ok(data
            .services
            .iter()
            .map(|s| {
                let section = data
                    .sections
                    .get(&s.uid)
                    .map(|s| PropBag::clone(s))
                    .unwrap_or_default();
                let mut row = PropBag::new();
                let _ = row.set(PR_SERVICE_UID, s.uid);
                let _ = row.set(PR_SERVICE_NAME_W, s.name.as_str());
                if let Some(name) = section.get_str(PR_DISPLAY_NAME_W) {
                    let _ = row.set(PR_DISPLAY_NAME_W, name);
                }
                let _ = row.set(PR_RESOURCE_FLAGS, section.get_u32(PR_RESOURCE_FLAGS).unwrap_or(0));
                row
            })
            .collect())
    }
}
