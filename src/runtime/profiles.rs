//! Profile administration as a client sees it: `IProfAdmin` and `IMsgServiceAdmin`.

use std::fmt;
use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult};
use crate::flags::{LogonFlags, MapiFlags};
use crate::profile::{ServiceDef, ServiceInfo};
use crate::props::PropBag;
use crate::runtime::Runtime;
use crate::trace::Party;

/// Profile administration (`IProfAdmin`, `IMsgServiceAdmin`).
pub struct ProfileAdmin {
    pub(crate) rt: Arc<Runtime>,
}

impl fmt::Debug for ProfileAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileAdmin")
            .field("profiles", &self.names())
            .finish()
    }
}

impl ProfileAdmin {
    /// Creates an empty profile. Names are case-sensitive; an empty name gives
    /// `MAPI_E_INVALID_PARAMETER`, an existing one `MAPI_E_NO_ACCESS`.
    pub fn create(&self, name: &str) -> MapiResult<Profile> {
        self.rt.st().profiles.create(name)?;
        Ok(Profile {
            rt: Arc::clone(&self.rt),
            name: name.to_owned(),
        })
    }

    /// Creates a profile with the services of `[Default Services]` of the Mapisvc.inf texts given
    /// to the builder, in their order, each added as [`Profile::add_service`] adds it. If one of
    /// them fails, the profile is deleted again and the error returned: no half-built profile is
    /// left behind.
    pub fn create_default(&self, name: &str) -> MapiResult<Profile> {
        let profile = self.create(name)?;
        let defaults = self.rt.st().profiles.defaults.clone();
        for service in defaults {
            if let Err(e) = profile.add_service(service.as_str()) {
                let _ = self.delete(name);
                return Err(e);
            }
        }
        Ok(profile)
    }

    /// Deletes a profile; a missing one gives `MAPI_E_NOT_FOUND`.
    pub fn delete(&self, name: &str) -> MapiResult<()> {
        self.rt.st().profiles.delete(name).map(drop)
    }

    /// An existing profile; a missing one gives `MAPI_E_NOT_FOUND`.
    pub fn get(&self, name: &str) -> MapiResult<Profile> {
        if self.rt.st().profiles.profiles.contains_key(name) {
            Ok(Profile {
                rt: Arc::clone(&self.rt),
                name: name.to_owned(),
            })
        } else {
            Err(MapiError::NotFound)
        }
    }

    /// Every profile name, sorted.
    pub fn names(&self) -> Vec<String> {
        self.rt.st().profiles.profiles.keys().cloned().collect()
    }
}

/// Something that can be added to a profile as a message service: a name from the catalogue, or
/// a definition.
#[derive(Clone, Debug)]
pub enum ServiceSpec {
    /// A service of the catalogue, by `PR_SERVICE_NAME`.
    Name(String),
    /// A definition.
    Def(ServiceDef),
}

impl From<&str> for ServiceSpec {
    fn from(name: &str) -> Self {
        ServiceSpec::Name(name.to_owned())
    }
}

impl From<ServiceDef> for ServiceSpec {
    fn from(def: ServiceDef) -> Self {
        ServiceSpec::Def(def)
    }
}

/// A profile.
pub struct Profile {
    pub(crate) rt: Arc<Runtime>,
    name: String,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile").field("name", &self.name).finish()
    }
}

impl Profile {
    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `CreateMsgService`: adds a message service, by catalogue name or by definition. MAPI copies
    /// its sections into the profile (a new `PR_SERVICE_UID`, a new `PR_PROVIDER_UID` per provider
    /// section) and calls the service's entry point with `MSG_SERVICE_CREATE`; if that fails the
    /// service is removed again and the error returned. Returns the new `PR_SERVICE_UID`. An
    /// unknown name gives `MAPI_E_NOT_FOUND`; a second copy of a `SERVICE_SINGLE_COPY` service
    /// `MAPI_E_NO_ACCESS`.
    pub fn add_service(&self, service: impl Into<ServiceSpec>) -> MapiResult<crate::ids::MapiUid> {
        let spec = service.into();
        let name = match &spec {
            ServiceSpec::Name(n) => n.clone(),
            ServiceSpec::Def(d) => d.name().to_owned(),
        };
        let call = self.rt.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "CreateMsgService",
            format!("{:?}, {name:?}", self.name),
        );
        let result = {
            let _mapi = self.rt.mapi_scope();
            let def = match spec {
                ServiceSpec::Def(def) => Ok(def),
                ServiceSpec::Name(name) => self
                    .rt
                    .st()
                    .profiles
                    .catalogue
                    .get(&name)
                    .cloned()
                    .ok_or(MapiError::NotFound),
            };
            def.and_then(|def| self.rt.create_service(&self.name, &def))
        };
        self.rt.settle();
        call.finish_result(&result, ToString::to_string);
        result
    }

    /// `ConfigureMsgService`: calls the service's entry point with `MSG_SERVICE_CONFIGURE`, these
    /// flags and these properties, and returns what it returned.
    pub fn configure_service(
        &self,
        service: &crate::ids::MapiUid,
        flags: crate::flags::ServiceEntryFlags,
        props: &[crate::props::Prop],
    ) -> MapiResult<()> {
        let call = self.rt.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "ConfigureMsgService",
            format!("{service}, {flags}, {} properties", props.len()),
        );
        let result = {
            let _mapi = self.rt.mapi_scope();
            flags.check_known().and_then(|flags| {
                use crate::flags::ServiceEntryFlags;
                let ui = flags & (ServiceEntryFlags::UI_ALLOWED | ServiceEntryFlags::UI_ALWAYS);
                if !ui.is_empty() && self.rt.is_service_client(LogonFlags::empty()) {
                    self.rt.client_violation(
                        &rules::SERVICE_NO_UI,
                        format!(
                            "a Windows-service client asked ConfigureMsgService for user interface ({ui})"
                        ),
                    );
                }
                self.rt.call_service_entry(
                    &self.name,
                    *service,
                    crate::flags::ServiceContext::Configure,
                    flags,
                    props,
                )
            })
        };
        self.rt.settle();
        call.finish_result(&result, |()| String::new());
        result
    }

    /// `DeleteMsgService`: calls the service's entry point with `MSG_SERVICE_DELETE`, then removes
    /// its provider sections, then its own section. An unknown service gives `MAPI_E_NOT_FOUND`.
    pub fn delete_service(&self, service: &crate::ids::MapiUid) -> MapiResult<()> {
        let call = self.rt.trace.begin_call(
            Party::Client,
            Party::Mapi,
            "DeleteMsgService",
            service.to_string(),
        );
        let result = {
            let _mapi = self.rt.mapi_scope();
            self.rt.delete_service(&self.name, *service)
        };
        self.rt.settle();
        call.finish_result(&result, |()| String::new());
        result
    }

    /// The services, in order.
    pub fn services(&self) -> MapiResult<Vec<ServiceInfo>> {
        let st = self.rt.st();
        let data = st.profiles.profiles.get(&self.name).ok_or(MapiError::NotFound)?;
        Ok(data.services.clone())
    }

    /// The message-service table (`IMsgServiceAdmin::GetMsgServiceTable`): `PR_SERVICE_UID`,
    /// `PR_SERVICE_NAME`, `PR_DISPLAY_NAME`, `PR_RESOURCE_FLAGS` per service.
    pub fn service_table(&self) -> MapiResult<Vec<PropBag>> {
        self.rt.service_table(&self.name)
    }

    /// The provider table (`IMsgServiceAdmin::GetProviderTable`): every provider section, in the
    /// order MAPI starts them (address-book providers first within a service), numbered by
    /// `PR_PROVIDER_ORDINAL`.
    pub fn provider_table(&self) -> MapiResult<Vec<PropBag>> {
        self.rt.provider_table(&self.name)
    }

    /// A copy of a section's properties.
    pub fn section(&self, uid: &crate::ids::MapiUid) -> MapiResult<PropBag> {
        let st = self.rt.st();
        let data = st.profiles.profiles.get(&self.name).ok_or(MapiError::NotFound)?;
        data.sections
            .get(uid)
            .map(|s| PropBag::clone(s))
            .ok_or(MapiError::NotFound)
    }
}

/// A Mapisvc.inf text refused by [`SimulatorBuilder::mapisvc_inf`](crate::runtime::SimulatorBuilder::mapisvc_inf): its errors, in file order,
/// each with its line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the Mapisvc.inf text has errors:\n{}", .diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct InfError {
    /// The errors.
    pub diagnostics: Vec<crate::profile::inf::Diagnostic>,
}
