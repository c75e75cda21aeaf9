//! The reference sample address-book provider: one container holding one messaging user, in
//! memory, following every rule the simulator checks for an address book.
//!
//! - **`ABProviderInit`** ([`SampleLibrary`](super::SampleLibrary)): the version check of the
//!   store's entry point, and a *new* provider object each time.
//! - **`Logon`** ([`SampleAbProvider`]): sets both security parameters to zero, AddRefs the
//!   support object and keeps it in the logon object, records `PR_DISPLAY_NAME`, `PR_ENTRYID`
//!   (its container's), `PR_PROVIDER_DISPLAY` and `PR_RECORD_KEY` in its profile section,
//!   registers its hard-coded MAPIUID, adds its status row, and returns a new logon object.
//! - **`IABLogon::OpenEntry`** ([`SampleAbLogon`]): opens its container and its user, each a
//!   new object the caller releases.
//! - **`IABLogon::Logoff`**: releases the support object; the logon leaves the provider's list.
//! - **`Shutdown`**: lets go of what the provider holds.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{ObjectType, ProfileSectionFlags, StatusRowFlags};
use crate::ids::{EntryId, Iid, MapiUid};
use crate::object::{Ref, WeakRef};
use crate::props::{
    PR_DISPLAY_NAME_W, PR_ENTRYID, PR_OBJECT_TYPE, PR_PROVIDER_DISPLAY_W, PR_RECORD_KEY, Prop, PropBag,
    PropValue,
};
use crate::spi::{
    AbLogon, AbLogonArgs, AbProvider, AbSecurity, MapiProp, MapiSupport, MemRoutines, OpenedEntry,
};
use crate::sync::lock;

/// The sample address book's registered MAPIUID: a hard-coded constant, the same in every
/// version. Every entry ID of the sample's address book carries it.
pub const SAMPLE_AB_UID: MapiUid = MapiUid(*b"mapisim:sampleAB");

/// The provider-specific part of the container's entry ID.
const CONTAINER: &[u8] = b"container";
/// The provider-specific part of the user's entry ID.
const USER: &[u8] = b"user:sample";

/// The entry ID of the sample address book's container.
pub fn sample_container_id() -> Vec<u8> {
    EntryId::new(SAMPLE_AB_UID, CONTAINER.to_vec()).to_bytes()
}

/// The entry ID of the sample address book's one messaging user.
pub fn sample_user_id() -> Vec<u8> {
    EntryId::new(SAMPLE_AB_UID, USER.to_vec()).to_bytes()
}

/// The sample's `IABProvider`: one per session, with the list of its logons.
pub struct SampleAbProvider {
    routines: MemRoutines,
    logons: Arc<Mutex<Vec<WeakRef<SampleAbLogon>>>>,
    shut_down: AtomicBool,
}

impl std::fmt::Debug for SampleAbProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleAbProvider")
            .field("logons", &lock(&self.logons).len())
            .field("shut_down", &self.shut_down.load(Ordering::Relaxed))
            .finish()
    }
}

impl SampleAbProvider {
    /// A provider object with the routines `ABProviderInit` was given.
    pub(crate) fn new(routines: MemRoutines) -> SampleAbProvider {
        SampleAbProvider {
            routines,
            logons: Arc::default(),
            shut_down: AtomicBool::new(false),
        }
    }
}

/// Fast shutdown: the sample keeps nothing on disk, so it opts in and has nothing to save.
impl crate::spi::ProviderShutdown for SampleAbProvider {
    fn query_fast_shutdown(&self) -> MapiResult<()> {
        Ok(())
    }

    fn notify_process_shutdown(&self) -> MapiResult<()> {
        Ok(())
    }

    fn do_fast_shutdown(&self) -> MapiResult<()> {
        Ok(())
    }
}

impl AbProvider for SampleAbProvider {
    fn shutdown(&self, _flags: u32) -> MapiResult<()> {
        self.shut_down.store(true, Ordering::Relaxed);
        lock(&self.logons).clear();
        Ok(())
    }

    fn logon(&self, args: &AbLogonArgs<'_>) -> MapiResult<Warned<Ref<dyn AbLogon>>> {
        // Both security parameters are given back set to zero, whatever happens next.
        args.security.set(AbSecurity::default());
        let section = args
            .support
            .open_profile_section(None, ProfileSectionFlags::MODIFY)?;
        let current = section.get_props(Some(&[PR_DISPLAY_NAME_W]), 0)?.into_value();
        let current: PropBag = self.routines.take(current)?.into_iter().collect();
        let display_name = current
            .get_str(PR_DISPLAY_NAME_W)
            .unwrap_or("Sample Address Book")
            .to_owned();
        section.set_props(&[
            Prop {
                tag: PR_DISPLAY_NAME_W,
                value: PropValue::Unicode(display_name.clone().into()),
            },
            Prop {
                tag: PR_ENTRYID,
                value: PropValue::Binary(sample_container_id()),
            },
            Prop {
                tag: PR_PROVIDER_DISPLAY_W,
                value: PropValue::Unicode("Sample Address Book Provider".into()),
            },
            Prop {
                tag: PR_RECORD_KEY,
                value: PropValue::Binary(CONTAINER.to_vec()),
            },
        ])?;
        drop(section);
        args.support.set_provider_uid(&SAMPLE_AB_UID, 0)?;
        args.support.modify_status_row(
            &super::status_row(&display_name, "Sample Address Book Provider"),
            StatusRowFlags::empty(),
        )?;
        // Cloning the support object's `Ref` is its AddRef: the logon keeps it for the session.
        let logon = Ref::new(SampleAbLogon {
            support: Mutex::new(Some(args.support.clone())),
            routines: self.routines.clone(),
            display_name,
            logons: Arc::clone(&self.logons),
        });
        lock(&self.logons).push(logon.downgrade());
        Ok(Warned::ok(logon.into()))
    }
}

/// The sample's `IABLogon`.
pub struct SampleAbLogon {
    support: Mutex<Option<Ref<dyn MapiSupport>>>,
    routines: MemRoutines,
    display_name: String,
    logons: Arc<Mutex<Vec<WeakRef<SampleAbLogon>>>>,
}

impl std::fmt::Debug for SampleAbLogon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleAbLogon")
            .field("logged_off", &lock(&self.support).is_none())
            .finish()
    }
}

impl AbLogon for SampleAbLogon {
    /// Releases the support object (MAPI removes the logon's MAPIUID and status row in that
    /// release) and leaves the provider's list.
    fn logoff(&self, _flags: u32) -> MapiResult<()> {
        let support = lock(&self.support).take();
        drop(support);
        lock(&self.logons).retain(|l| l.upgrade().is_some_and(|l| !std::ptr::eq(&*l, self)));
        Ok(())
    }

    /// The container and the user, each a new object the caller releases.
    fn open_entry(&self, entry_id: &[u8], _interface: Option<Iid>, _flags: u32) -> MapiResult<OpenedEntry> {
        let id = EntryId::parse(entry_id).map_err(|_| MapiError::InvalidEntryid)?;
        if id.provider_uid() != SAMPLE_AB_UID {
            return Err(MapiError::UnknownEntryid);
        }
        let (kind, name) = match id.data() {
            CONTAINER => (ObjectType::AbCont, self.display_name.as_str()),
            USER => (ObjectType::MailUser, "Sample User"),
            _ => return Err(MapiError::NotFound),
        };
        let mut props = PropBag::new();
        props
            .put(PR_DISPLAY_NAME_W, name)
            .put(PR_ENTRYID, entry_id.to_vec())
            .put(PR_RECORD_KEY, id.data().to_vec())
            .put(PR_OBJECT_TYPE, kind.value());
        // An entry of the address book (its container or its user), read-only.
        let entry: Ref<dyn MapiProp> = Ref::new(super::ReadOnly {
            props,
            routines: self.routines.clone(),
        })
        .into();
        Ok(OpenedEntry::Other(kind, entry.unknown()))
    }

    fn compare_entry_ids(&self, a: &[u8], b: &[u8], _flags: u32) -> MapiResult<bool> {
        Ok(a == b)
    }
}
