//! The sample store's messages: a client opens a new one in the outbox by its entry ID
//! ([`sample_new_message_id`]) and submits it; the store announces itself to the spooler once
//! (`SpoolerNotify(NOTIFY_READYTOSEND)`), then hands it over (`IMAPISupport::PrepareSubmit`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{ObjectType, SpoolerNotifyFlags};
use crate::ids::EntryId;
use crate::object::{Ref, WeakRef};
use crate::props::{PR_ENTRYID, PR_OBJECT_TYPE, PR_RECORD_KEY, PropBag, PropTag};
use crate::spi::{MapiProp, Message, OpenedEntry, PropArray, SpoolerNotifyData};
use crate::sync::lock;

use super::{SAMPLE_PROVIDER_UID, SampleMsgStore};

/// The provider-specific part of the entry ID that opens a new message in the outbox.
const NEW_MESSAGE: &[u8] = b"outbox:new";

/// The entry ID that opens a new message in the outbox of a sample store (its `OpenEntry` makes
/// one each time).
pub fn sample_new_message_id() -> Vec<u8> {
    EntryId::new(SAMPLE_PROVIDER_UID, NEW_MESSAGE.to_vec()).to_bytes()
}

/// What the sample store keeps about its messages.
#[derive(Default)]
pub(super) struct Outbox {
    /// Numbers for the messages it makes.
    next: AtomicU32,
    /// Messages submitted, and those the spooler finished with.
    pub(super) submitted: AtomicU32,
    pub(super) finished: AtomicU32,
    /// The store announced itself with `SpoolerNotify(NOTIFY_READYTOSEND)`.
    pub(super) announced: std::sync::atomic::AtomicBool,
}

impl SampleMsgStore {
    /// `IMsgStore::OpenEntry`: a new message in the outbox for [`sample_new_message_id`].
    pub(super) fn open_message(
        &self,
        me: WeakRef<SampleMsgStore>,
        entry_id: &[u8],
    ) -> MapiResult<OpenedEntry> {
        let id = EntryId::parse(entry_id).map_err(|_| MapiError::InvalidEntryid)?;
        if id.provider_uid() != SAMPLE_PROVIDER_UID || id.data() != NEW_MESSAGE {
            return Err(MapiError::NotFound);
        }
        let n = self.outbox.next.fetch_add(1, Ordering::Relaxed) + 1;
        let key = format!("message:{n}").into_bytes();
        let mut props = PropBag::new();
        props
            .put(
                PR_ENTRYID,
                EntryId::new(SAMPLE_PROVIDER_UID, key.clone()).to_bytes(),
            )
            .put(PR_RECORD_KEY, key)
            .put(PR_OBJECT_TYPE, ObjectType::Message.value());
        let message = Ref::new(SampleMessage {
            me: OnceLock::new(),
            store: me,
            fixed: super::ReadOnly {
                props,
                routines: self.routines.clone(),
            },
            submitted: Mutex::new(false),
        });
        let _ = message.me.set(message.downgrade());
        let message: Ref<dyn Message> = message.into();
        Ok(OpenedEntry::Message(crate::upcast!(message => dyn MapiProp)))
    }
}

/// A message of the sample store.
pub struct SampleMessage {
    /// Itself, to hand to `PrepareSubmit` (a COM method passes `this`).
    me: OnceLock<WeakRef<SampleMessage>>,
    store: WeakRef<SampleMsgStore>,
    fixed: super::ReadOnly,
    submitted: Mutex<bool>,
}

impl std::fmt::Debug for SampleMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleMessage")
            .field("submitted", &*lock(&self.submitted))
            .finish()
    }
}

/// Its properties are fixed, read-only as the address book's entries.
impl MapiProp for SampleMessage {
    fn get_props(&self, tags: Option<&[PropTag]>, flags: u32) -> MapiResult<Warned<PropArray>> {
        self.fixed.get_props(tags, flags)
    }

    fn get_prop_list(&self, flags: u32) -> MapiResult<Vec<PropTag>> {
        self.fixed.get_prop_list(flags)
    }
}

impl Message for SampleMessage {
    /// Announces the store to the spooler the first time (`SpoolerNotify(NOTIFY_READYTOSEND)`),
    /// then hands the message over (`PrepareSubmit`). A message is submitted once.
    fn submit_message(&self, _flags: u32) -> MapiResult<()> {
        let mut submitted = lock(&self.submitted);
        if *submitted {
            return Err(MapiError::InvalidParameter);
        }
        let store = self.store.upgrade().ok_or(MapiError::ObjectDeleted)?;
        let support = lock(&store.support).clone().ok_or(MapiError::EndOfSession)?;
        if !store.outbox.announced.swap(true, Ordering::SeqCst) {
            support.spooler_notify(SpoolerNotifyFlags::READYTOSEND, SpoolerNotifyData::Null)?;
        }
        let me = self
            .me
            .get()
            .and_then(WeakRef::upgrade)
            .ok_or(MapiError::ObjectDeleted)?;
        let me: Ref<dyn Message> = me.into();
        support.prepare_submit(&crate::upcast!(me => dyn MapiProp), 0)?;
        *submitted = true;
        store.outbox.submitted.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
