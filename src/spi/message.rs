//! `IMessage`: a message of a store, with its attachments and recipients.

use crate::error::{MapiError, MapiResult};
use crate::ids::Iid;
use crate::object::{Ref, Unknown};
use crate::props::Prop;
use crate::spi::status::MapiProgress;
use crate::spi::support::MapiProp;

/// `IMessage` (IID `IID_IMessage`): a message, implemented by the store provider and opened
/// through a folder, `OpenEntry` (object type `MAPI_MESSAGE`) or an embedded-message attachment.
/// (Panics, threads and reference counts: see [the module](crate::spi#panics-threads-and-counts).)
///
/// The methods follow the vtable: `GetAttachmentTable` (slot 14) to `SetReadFlag` (slot 21),
/// after `IMAPIProp`'s. Each defaults to `MAPI_E_NO_SUPPORT`. Tables (`IMAPITable`) and
/// attachments (`IAttach`, which adds nothing to `IMAPIProp`) cross as the objects they are: a
/// table as `IUnknown`, an attachment by its `IMAPIProp` part.
///
/// A message that can be submitted, and nothing else:
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use mapisim::prelude::*;
///
/// #[derive(Default)]
/// struct Draft {
///     submissions: AtomicU32,
/// }
/// impl MapiProp for Draft {}
/// impl Message for Draft {
///     fn submit_message(&self, flags: u32) -> MapiResult<()> {
///         let _ = flags;
///         self.submissions.fetch_add(1, Ordering::SeqCst);
///         Ok(())
///     }
/// }
///
/// let draft = Ref::new(Draft::default());
/// let message: Ref<dyn Message> = draft.clone().into();
/// // It answers QueryInterface for IMessage and for the interface IMessage derives from.
/// assert!(message.exposes(&Iid::IMESSAGE));
/// assert!(message.exposes(&Iid::IMAPIPROP));
/// message.submit_message(0)?;
/// assert_eq!(draft.submissions.load(Ordering::SeqCst), 1);
/// // What it does not implement is MAPI_E_NO_SUPPORT.
/// assert_eq!(message.set_read_flag(0).err(), Some(MapiError::NoSupport));
/// // Its IMAPIProp part leads back to its IMessage.
/// let prop = message.query::<dyn MapiProp>()?;
/// assert!(Ref::ptr_eq(&prop.query::<dyn Message>()?, &message));
/// # Ok::<(), MapiError>(())
/// ```
pub trait Message: MapiProp {
    /// `GetAttachmentTable(ulFlags, lppTable)`: the table of the message's attachments (an
    /// `IMAPITable`, which the crate does not model). `flags`: `MAPI_UNICODE`.
    fn get_attachment_table(&self, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `OpenAttach(ulAttachmentNum, lpInterface, ulFlags, lppAttach)`: the attachment numbered
    /// `attachment_num` (its `PR_ATTACH_NUM`), by its `IMAPIProp` part. `interface` is `None` for
    /// a NULL `lpInterface` (`IAttach`); `flags`: `MAPI_BEST_ACCESS`, `MAPI_DEFERRED_ERRORS`,
    /// `MAPI_MODIFY`.
    fn open_attach(
        &self,
        attachment_num: u32,
        interface: Option<Iid>,
        flags: u32,
    ) -> MapiResult<Ref<dyn MapiProp>> {
        let _ = (attachment_num, interface, flags);
        Err(MapiError::NoSupport)
    }

    /// `CreateAttach(lpInterface, ulFlags, lpulAttachmentNum, lppAttach)`: a new attachment,
    /// with its number (`*lpulAttachmentNum`) and the attachment by its `IMAPIProp` part.
    /// `interface` is `None` for a NULL `lpInterface` (`IAttach`); `flags`:
    /// `MAPI_DEFERRED_ERRORS`.
    fn create_attach(&self, interface: Option<Iid>, flags: u32) -> MapiResult<(u32, Ref<dyn MapiProp>)> {
        let _ = (interface, flags);
        Err(MapiError::NoSupport)
    }

    /// `DeleteAttach(ulAttachmentNum, ulUIParam, lpProgress, ulFlags)`: removes the attachment
    /// numbered `attachment_num`. `ui_param` is the parent window of the progress display;
    /// `progress` the caller's progress object (`None` for NULL, when the store shows MAPI's);
    /// `flags`: `ATTACH_DIALOG`.
    fn delete_attach(
        &self,
        attachment_num: u32,
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        flags: u32,
    ) -> MapiResult<()> {
        let _ = (attachment_num, ui_param, progress, flags);
        Err(MapiError::NoSupport)
    }

    /// `GetRecipientTable(ulFlags, lppTable)`: the table of the message's recipients (an
    /// `IMAPITable`, which the crate does not model). `flags`: `MAPI_DEFERRED_ERRORS`,
    /// `MAPI_UNICODE`.
    fn get_recipient_table(&self, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `ModifyRecipients(ulFlags, lpMods)`: changes the recipient list. `mods` is the `ADRLIST`,
    /// one row of properties per recipient (`PR_ROWID` names the recipient to modify or
    /// remove). `flags`: `MODRECIP_ADD` (0x2) adds the rows, `MODRECIP_MODIFY` (0x4) replaces
    /// the rows named, `MODRECIP_REMOVE` (0x8) removes them; with none of the three, the rows
    /// replace the whole list.
    fn modify_recipients(&self, flags: u32, mods: &[Vec<Prop>]) -> MapiResult<()> {
        let _ = (flags, mods);
        Err(MapiError::NoSupport)
    }

    /// `SubmitMessage(ulFlags)`: saves the message and marks it ready to send. `flags`:
    /// `FORCE_SUBMIT` (0x1), to submit the message even if it may not be sent right away.
    ///
    /// Implemented by the store provider. The store tells the spooler once per session, before
    /// its first `IMAPISupport::PrepareSubmit`, with `IMAPISupport::SpoolerNotify`
    /// (`NOTIFY_READYTOSEND`, [`MapiSupport::spooler_notify`]), then calls `PrepareSubmit`
    /// ([`MapiSupport::prepare_submit`]) for the message.
    ///
    /// [`MapiSupport::spooler_notify`]: crate::spi::MapiSupport::spooler_notify
    /// [`MapiSupport::prepare_submit`]: crate::spi::MapiSupport::prepare_submit
    fn submit_message(&self, flags: u32) -> MapiResult<()> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `SetReadFlag(ulFlags)`: sets or clears `MSGFLAG_READ` in `PR_MESSAGE_FLAGS`, and manages
    /// read reports. `flags`: `SUPPRESS_RECEIPT` (0x1), `CLEAR_READ_FLAG` (0x4),
    /// `MAPI_DEFERRED_ERRORS` (0x8), `GENERATE_RECEIPT_ONLY` (0x10), `CLEAR_RN_PENDING` (0x20),
    /// `CLEAR_NRN_PENDING` (0x40).
    fn set_read_flag(&self, flags: u32) -> MapiResult<()> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }
}
