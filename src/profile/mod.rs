//! Profiles and message services.
//!
//! A profile mirrors the layout of Mapisvc.inf: one section per message service and one per
//! provider, every section a property bag identified by a MAPIUID. Adding a service to a profile
//! copies its definition into fresh sections, gives the service a new `PR_SERVICE_UID` and each
//! provider section a new `PR_PROVIDER_UID`, and links each provider section back to its service.
//!
//! Services are defined in code with [`ServiceDef`] and [`ProviderDef`], either directly or
//! registered in the simulator's catalogue by name
//! ([`SimulatorBuilder::service`](crate::runtime::SimulatorBuilder::service)).
//!
//! ```
//! use mapisim::flags::ResourceFlags;
//! use mapisim::profile::{ProviderDef, ServiceDef};
//!
//! let service = ServiceDef::new("SMPMS")
//!     .display_name("Sample Message Store")
//!     .provider(
//!         ProviderDef::store("SMPMS.DLL")
//!             .display_name("Sample Store")
//!             .provider_display("Sample Store Provider")
//!             .resource_flags(ResourceFlags::DEFAULT_STORE),
//!     );
//! assert_eq!(service.providers().len(), 1);
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use crate::error::{MapiError, MapiResult};
use crate::flags::{MapiFlags, ResourceFlags, ResourceType};
use crate::ids::MapiUid;
use crate::props::{
    self, PR_DISPLAY_NAME_A, PR_PROVIDER_DISPLAY_A, PR_PROVIDER_DLL_NAME_A, PR_PROVIDER_UID,
    PR_RESOURCE_FLAGS, PR_RESOURCE_TYPE, PR_SERVICE_NAME_A, PR_SERVICE_UID, PropBag, PropTag, PropValue,
};

pub mod inf;

/// A message service as Mapisvc.inf defines it: its own properties and its providers.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ServiceDef {
    name: String,
    props: PropBag,
    providers: Vec<ProviderDef>,
}

impl ServiceDef {
    /// A service with this name (the key of `[Services]`; `PR_SERVICE_NAME`).
    pub fn new(name: &str) -> ServiceDef {
        let mut props = PropBag::new();
        // A fresh bag always accepts a string under a string tag.
        let _ = props.set(PR_SERVICE_NAME_A, name);
        ServiceDef {
            name: name.to_owned(),
            props,
            providers: Vec::new(),
        }
    }

    /// Sets `PR_DISPLAY_NAME`.
    pub fn display_name(self, name: &str) -> ServiceDef {
        self.prop(PR_DISPLAY_NAME_A, PropValue::String8(name.into()))
    }

    /// Sets a property of the service section. A value that does not fit the tag is ignored;
    /// use [`ServiceDef::try_prop`] to see the error.
    pub fn prop(mut self, tag: PropTag, value: impl Into<PropValue>) -> ServiceDef {
        let _ = self.props.set(tag, value);
        self
    }

    /// Sets a property of the service section, or says why it does not fit.
    pub fn try_prop(
        mut self,
        tag: PropTag,
        value: impl Into<PropValue>,
    ) -> Result<ServiceDef, props::PropError> {
        self.props.set(tag, value)?;
        Ok(self)
    }

    /// Adds a provider.
    pub fn provider(mut self, provider: ProviderDef) -> ServiceDef {
        self.providers.push(provider);
        self
    }

    /// The service name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The service section's properties.
    pub fn props(&self) -> &PropBag {
        &self.props
    }

    /// The providers, in order.
    pub fn providers(&self) -> &[ProviderDef] {
        &self.providers
    }
}

/// A provider section as Mapisvc.inf defines it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProviderDef {
    props: PropBag,
}

impl ProviderDef {
    /// A provider of this type in the DLL with this base name (as the profile holds it, without
    /// the `32` MAPI inserts).
    pub fn new(resource_type: ResourceType, dll_base_name: &str) -> ProviderDef {
        let mut props = PropBag::new();
        let _ = props.set(PR_PROVIDER_DLL_NAME_A, dll_base_name);
        let _ = props.set(PR_RESOURCE_TYPE, resource_type.value());
        let _ = props.set(PR_RESOURCE_FLAGS, 0u32);
        ProviderDef { props }
    }

    /// A message-store provider in the DLL with this base name.
    pub fn store(dll_base_name: &str) -> ProviderDef {
        ProviderDef::new(ResourceType::StoreProvider, dll_base_name)
    }

    /// Sets `PR_DISPLAY_NAME`.
    pub fn display_name(self, name: &str) -> ProviderDef {
        self.prop(PR_DISPLAY_NAME_A, PropValue::String8(name.into()))
    }

    /// Sets `PR_PROVIDER_DISPLAY`.
    pub fn provider_display(self, name: &str) -> ProviderDef {
        self.prop(PR_PROVIDER_DISPLAY_A, PropValue::String8(name.into()))
    }

    /// Sets `PR_RESOURCE_FLAGS`.
    pub fn resource_flags(self, flags: ResourceFlags) -> ProviderDef {
        self.prop(PR_RESOURCE_FLAGS, flags.bits())
    }

    /// Sets a property of the provider section. A value that does not fit the tag is ignored;
    /// use [`ProviderDef::try_prop`] to see the error.
    pub fn prop(mut self, tag: PropTag, value: impl Into<PropValue>) -> ProviderDef {
        let _ = self.props.set(tag, value);
        self
    }

    /// Sets a property of the provider section, or says why it does not fit.
    pub fn try_prop(
        mut self,
        tag: PropTag,
        value: impl Into<PropValue>,
    ) -> Result<ProviderDef, props::PropError> {
        self.props.set(tag, value)?;
        Ok(self)
    }

    /// The section's properties.
    pub fn props(&self) -> &PropBag {
        &self.props
    }
}

/// A message service added to a profile.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ServiceInfo {
    /// `PR_SERVICE_UID`, which is also the MAPIUID of the service's section.
    pub uid: MapiUid,
    /// `PR_SERVICE_NAME`.
    pub name: String,
    /// The MAPIUIDs of its provider sections (`PR_PROVIDER_UID`), in order.
    pub providers: Vec<MapiUid>,
}

/// One provider of a profile, as MAPI reads it to start the provider.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct ProviderEntry {
    pub(crate) section: MapiUid,
    pub(crate) service: MapiUid,
    pub(crate) dll_base: SharedText,
    pub(crate) resource_type: Option<ResourceType>,
    pub(crate) flags: ResourceFlags,
    pub(crate) props: Arc<PropBag>,
}

#[derive(Clone, Debug)]
pub(crate) struct ProfileData {
    pub(crate) services: Vec<ServiceInfo>,
    /// Shared with the provider entries read from them; copied when written while shared.
    pub(crate) sections: BTreeMap<MapiUid, Arc<PropBag>>,
    /// The service of each provider section, kept with `services`.
    service_of: crate::sync::KeyMap<MapiUid, MapiUid>,
}

impl ProfileData {
    /// Every provider of every service, in the order MAPI starts them: services in profile order,
    /// and within a service the address-book providers first.
    pub(crate) fn providers(&self) -> Vec<ProviderEntry> {
        let mut out = Vec::new();
        for service in &self.services {
            let start = out.len();
            for uid in &service.providers {
                if let Some(props) = self.sections.get(uid) {
                    out.push(ProviderEntry::new(service.uid, *uid, props));
                }
            }
            // A stable sort: address-book providers first, the rest in section order.
            out[start..].sort_by_key(|p| p.resource_type != Some(ResourceType::AbProvider));
        }
        out
    }

    /// The providers of one resource type, in the order of [`ProfileData::providers`], without
    /// building the others.
    pub(crate) fn providers_of_type(&self, kind: ResourceType) -> Vec<ProviderEntry> {
        let mut out = Vec::new();
        for service in &self.services {
            for uid in &service.providers {
                if let Some(props) = self.sections.get(uid)
                    && props.get_u32(PR_RESOURCE_TYPE) == Some(kind.value())
                {
                    out.push(ProviderEntry::new(service.uid, *uid, props));
                }
            }
        }
        out
    }

    /// The provider whose section is `section`, as [`ProfileData::providers`] lists it, without
    /// building the others.
    pub(crate) fn provider(&self, section: &MapiUid) -> Option<ProviderEntry> {
        let props = self.sections.get(section)?;
        let service = self.service_of.get(section)?;
        Some(ProviderEntry::new(*service, *section, props))
    }

    /// Whether a provider of `service` lacks its DLL name or its resource type (what `MAPILogonEx`
    /// checks of each service), reading only that service's sections. `position` is where the
    /// service was in the list, tried first.
    pub(crate) fn service_unconfigured(&self, service: MapiUid, position: usize) -> bool {
        let info = match self.services.get(position) {
            Some(info) if info.uid == service => Some(info),
            _ => self.services.iter().find(|s| s.uid == service),
        };
        info.is_some_and(|info| {
            info.providers
                .iter()
                .filter_map(|uid| self.sections.get(uid))
                .any(|props| {
                    props
                        .get_str(PR_PROVIDER_DLL_NAME_A)
                        .unwrap_or_default()
                        .is_empty()
                        || props
                            .get_u32(PR_RESOURCE_TYPE)
                            .and_then(ResourceType::from_value)
                            .is_none()
                })
        })
    }
}

/// A string property's text shared with the value it was read from (a clone copies nothing): a
/// provider's DLL base name, read from its profile section for every store MAPI lists or opens.
#[derive(Clone, Debug, Default)]
pub(crate) enum SharedText {
    /// No value, or not a string: the empty text.
    #[default]
    Empty,
    /// The bytes of a `PT_STRING8` value, which are UTF-8.
    Utf8(Arc<[u8]>),
    /// The text of any other string value.
    Text(Arc<str>),
}

impl SharedText {
    /// The text of `value`, if it is a string.
    pub(crate) fn of(value: Option<&PropValue>) -> SharedText {
        match value {
            Some(PropValue::String8(s)) if s.is_exact() => SharedText::Utf8(Arc::clone(s.shared_bytes())),
            Some(PropValue::String8(s)) => SharedText::Text(Arc::from(s.as_str())),
            Some(PropValue::Unicode(s)) => SharedText::Text(Arc::clone(s.shared_text())),
            _ => SharedText::Empty,
        }
    }
}

/// Texts compare by what they say.
impl PartialEq for SharedText {
    fn eq(&self, other: &SharedText) -> bool {
        **self == **other
    }
}

impl Eq for SharedText {}

impl std::ops::Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            SharedText::Empty => "",
            SharedText::Utf8(bytes) => std::str::from_utf8(bytes).unwrap_or_default(),
            SharedText::Text(text) => text,
        }
    }
}

/// An empty bag of properties, shared (making it allocates nothing).
pub(crate) fn no_props() -> Arc<PropBag> {
    static EMPTY: std::sync::LazyLock<Arc<PropBag>> = std::sync::LazyLock::new(Arc::default);
    Arc::clone(&EMPTY)
}

impl ProviderEntry {
    fn new(service: MapiUid, section: MapiUid, props: &Arc<PropBag>) -> ProviderEntry {
        ProviderEntry {
            section,
            service,
            dll_base: SharedText::of(props.get(PR_PROVIDER_DLL_NAME_A)),
            resource_type: props.get_u32(PR_RESOURCE_TYPE).and_then(ResourceType::from_value),
            flags: ResourceFlags::from_raw(props.get_u32(PR_RESOURCE_FLAGS).unwrap_or(0)),
            props: Arc::clone(props),
        }
    }
}

/// Every profile, and the catalogue of services that can be added by name.
#[derive(Default, Debug)]
pub(crate) struct ProfileStore {
    pub(crate) profiles: BTreeMap<String, ProfileData>,
    /// By `PR_SERVICE_NAME`.
    pub(crate) catalogue: HashMap<String, ServiceDef>,
    /// The services of `[Default Services]`.
    pub(crate) defaults: Vec<String>,
    next_uid: u64,
}

impl ProfileStore {
    /// A fresh MAPIUID, deterministic from run to run.
    pub(crate) fn new_uid(&mut self) -> MapiUid {
        self.next_uid += 1;
        let mut bytes = *b"mapisim\0\0\0\0\0\0\0\0\0";
        bytes[8..].copy_from_slice(&self.next_uid.to_be_bytes());
        MapiUid(bytes)
    }

    pub(crate) fn create(&mut self, name: &str) -> MapiResult<()> {
        if name.is_empty() {
            return Err(MapiError::InvalidParameter);
        }
        if self.profiles.contains_key(name) {
            return Err(MapiError::NoAccess);
        }
        self.profiles.insert(
            name.to_owned(),
            ProfileData {
                services: Vec::new(),
                sections: BTreeMap::new(),
                service_of: crate::sync::KeyMap::default(),
            },
        );
        Ok(())
    }

    pub(crate) fn delete(&mut self, name: &str) -> MapiResult<ProfileData> {
        self.profiles.remove(name).ok_or(MapiError::NotFound)
    }

    /// Removes a service from a profile: its provider sections first, then its own section.
    /// Returns how many sections went.
    pub(crate) fn remove_service(&mut self, profile: &str, service: MapiUid) -> usize {
        let Some(data) = self.profiles.get_mut(profile) else {
            return 0;
        };
        let Some(i) = data.services.iter().position(|s| s.uid == service) else {
            return 0;
        };
        let info = data.services.remove(i);
        for uid in &info.providers {
            data.service_of.remove(uid);
        }
        let mut removed = 0;
        for uid in info.providers.iter().chain([&info.uid]) {
            if data.sections.remove(uid).is_some() {
                removed += 1;
            }
        }
        removed
    }

    /// Copies a service definition into a profile. Returns the new `PR_SERVICE_UID`.
    pub(crate) fn add_service(&mut self, profile: &str, def: &ServiceDef) -> MapiResult<MapiUid> {
        let service_uid = self.new_uid();
        let provider_uids: Vec<MapiUid> = def.providers.iter().map(|_| self.new_uid()).collect();
        let data = self.profiles.get_mut(profile).ok_or(MapiError::NotFound)?;
        let mut service_section = def.props.clone();
        let _ = service_section.set(PR_SERVICE_UID, service_uid);
        data.sections.insert(service_uid, Arc::new(service_section));
        for (provider, uid) in def.providers.iter().zip(&provider_uids) {
            let mut section = provider.props.clone();
            let _ = section.set(PR_PROVIDER_UID, *uid);
            let _ = section.set(PR_SERVICE_UID, service_uid);
            data.sections.insert(*uid, Arc::new(section));
            data.service_of.insert(*uid, service_uid);
        }
        data.services.push(ServiceInfo {
            uid: service_uid,
            name: def.name.clone(),
            providers: provider_uids,
        });
        Ok(service_uid)
    }
}

impl fmt::Display for ServiceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} providers, uid {})",
            self.name,
            self.providers.len(),
            self.uid
        )
    }
}
