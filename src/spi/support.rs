//! `IMAPIProp`, profile sections, advise sinks, and `IMAPISupport` as a store provider sees it.

use std::fmt;

use crate::error::{MapiError, MapiResult, Warned};
use crate::flags::{
    EventMask, LogoffFlags, NotifyResultFlags, ObjectType, ProfileSectionFlags, ReadReceiptFlags,
    SpoolerNotifyFlags, StatusRowFlags, StorageFromStreamFlags, SubscribeFlags,
};
use uuid::Uuid;

use crate::ids::{Iid, MapiUid};
use crate::object::{Ref, Unknown};
use crate::props::{NameId, Prop, PropTag};
use crate::spi::memory::{BufferId, MapiBuffer, MemRoutines, PropArray};
use crate::spi::message::Message;
use crate::spi::status::MapiProgress;
use crate::spi::status::MapiStatus;
use crate::spi::store::MsgStore;
use crate::strings::{TStr, TString};

/// `MAPIERROR`: extended error information.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MapiErrorInfo {
    /// `ulVersion` (`MAPI_ERROR_VERSION` = 0).
    pub version: u32,
    /// `lpszError` (`None` for NULL): UTF-16 when the call's flags carry `MAPI_UNICODE`, 8-bit
    /// otherwise.
    pub error: Option<TString>,
    /// `lpszComponent` (`None` for NULL), in the same encoding.
    pub component: Option<TString>,
    /// `ulLowLevelError`.
    pub low_level_error: u32,
    /// `ulContext`.
    pub context: u32,
}

/// One entry of an `SPropProblemArray`: a property that could not be set or deleted.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PropProblem {
    /// `ulIndex`: the position in the caller's array.
    pub index: usize,
    /// `ulPropTag`.
    pub tag: PropTag,
    /// `scode`.
    pub error: MapiError,
}

/// What `IMAPIProp::GetNamesFromIDs` returns: the tags and, for each, its name.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct PropNames {
    /// `*lppPropTags` on output: the tags the names are for, in order (the caller's tags, or
    /// those of every named property the object knows when the caller passed none).
    pub tags: Vec<PropTag>,
    /// `*lpppPropNames`: the name of each tag, at the same position; `None` for a tag that has no
    /// name (the call then succeeds with `MAPI_W_ERRORS_RETURNED`).
    pub names: Vec<Option<NameId>>,
}

/// `IMAPIProp`: the property interface every MAPI object with properties implements.
///
/// The methods follow the vtable: `GetLastError` (slot 3) to `GetIDsFromNames` (slot 13), after
/// `IUnknown`'s three. Every one defaults to `MAPI_E_NO_SUPPORT`.
pub trait MapiProp: Send + Sync {
    /// `GetLastError`: extended information about the last error, if any, in a buffer the
    /// object allocates ([`MemRoutines::allocate_value`]) and the caller frees.
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        let _ = (hresult, flags);
        Err(MapiError::NoSupport)
    }

    /// `SaveChanges`.
    fn save_changes(&self, flags: u32) -> MapiResult<()> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `GetProps`: the properties asked for, in order (all of them for `None`). A property that
    /// is missing comes back with a `PT_ERROR` value and the call returns
    /// `MAPI_W_ERRORS_RETURNED`. The array is a MAPI buffer the object allocates
    /// ([`MemRoutines::allocate_value`]) and the caller frees ([`MemRoutines::take`]).
    fn get_props(&self, tags: Option<&[PropTag]>, flags: u32) -> MapiResult<Warned<PropArray>> {
        let _ = (tags, flags);
        Err(MapiError::NoSupport)
    }

    /// `GetPropList`: the tags of every property.
    fn get_prop_list(&self, flags: u32) -> MapiResult<Vec<PropTag>> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `OpenProperty(ulPropTag, lpiid, ulInterfaceOptions, ulFlags, lppUnk)`: the property `tag`
    /// opened through `interface` (`IID_IStream` for a large binary or string property,
    /// `IID_IMAPITable` for a table property, …), with the interface's own options
    /// (`ulInterfaceOptions`) and `flags` (`MAPI_CREATE`, `MAPI_MODIFY`, `MAPI_DEFERRED_ERRORS`).
    /// Returns the object (`*lppUnk`, one reference the caller owns), to be viewed through
    /// `interface` with [`Ref::cast`] or [`Ref::query`].
    fn open_property(
        &self,
        tag: PropTag,
        interface: &Iid,
        interface_options: u32,
        flags: u32,
    ) -> MapiResult<Ref<dyn Unknown>> {
        let _ = (tag, interface, interface_options, flags);
        Err(MapiError::NoSupport)
    }

    /// `SetProps`: sets properties; problems with single properties are returned, not failed.
    fn set_props(&self, props: &[Prop]) -> MapiResult<Vec<PropProblem>> {
        let _ = props;
        Err(MapiError::NoSupport)
    }

    /// `DeleteProps`.
    fn delete_props(&self, tags: &[PropTag]) -> MapiResult<Vec<PropProblem>> {
        let _ = tags;
        Err(MapiError::NoSupport)
    }

    /// `CopyTo(ciidExclude, rgiidExclude, lpExcludeProps, ulUIParam, lpProgress, lpInterface,
    /// lpDestObj, ulFlags, lppProblems)`: copies (or moves, `MAPI_MOVE`) every property of this
    /// object to `destination`, seen through `interface`, except the properties in
    /// `exclude_props` and the subobjects reached through the interfaces in `exclude_interfaces`.
    /// `ui_param` is the parent window of a progress display, `progress` the progress object
    /// (`None` for MAPI's own, or none with `MAPI_DIALOG` unset). Returns the properties that
    /// could not be copied.
    #[allow(clippy::too_many_arguments)] // one parameter per parameter of the vtable method
    fn copy_to(
        &self,
        exclude_interfaces: &[Iid],
        exclude_props: Option<&[PropTag]>,
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        interface: &Iid,
        destination: &Ref<dyn Unknown>,
        flags: u32,
    ) -> MapiResult<Vec<PropProblem>> {
        let _ = (
            exclude_interfaces,
            exclude_props,
            ui_param,
            progress,
            interface,
            destination,
            flags,
        );
        Err(MapiError::NoSupport)
    }

    /// `CopyProps(lpIncludeProps, ulUIParam, lpProgress, lpInterface, lpDestObj, ulFlags,
    /// lppProblems)`: copies (or moves, `MAPI_MOVE`) the properties in `include_props` to
    /// `destination`, seen through `interface`. `ui_param` and `progress` as for
    /// [`copy_to`](MapiProp::copy_to). Returns the properties that could not be copied.
    fn copy_props(
        &self,
        include_props: &[PropTag],
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        interface: &Iid,
        destination: &Ref<dyn Unknown>,
        flags: u32,
    ) -> MapiResult<Vec<PropProblem>> {
        let _ = (include_props, ui_param, progress, interface, destination, flags);
        Err(MapiError::NoSupport)
    }

    /// `GetNamesFromIDs(lppPropTags, lpPropSetGuid, ulFlags, lpcPropNames, lpppPropNames)`: the
    /// names of the named properties `tags` (`None`: every named property the object knows, or,
    /// with `property_set`, every one of that property set). `flags`: `MAPI_NO_IDS` (string names
    /// only), `MAPI_NO_STRINGS` (numeric names only). A tag without a name gets `None` and the call
    /// succeeds with `MAPI_W_ERRORS_RETURNED`.
    fn get_names_from_ids(
        &self,
        tags: Option<&[PropTag]>,
        property_set: Option<&Uuid>,
        flags: u32,
    ) -> MapiResult<Warned<PropNames>> {
        let _ = (tags, property_set, flags);
        Err(MapiError::NoSupport)
    }

    /// `GetIDsFromNames(cPropNames, lppPropNames, ulFlags, lppPropTags)`: the property tags (type
    /// `PT_UNSPECIFIED`) of the named properties `names`, in order (`None`: of every named
    /// property the object knows; not allowed with `MAPI_CREATE`). `MAPI_CREATE` in `flags`
    /// assigns an ID to a name that has none. A name that cannot be mapped gets a `PT_ERROR` tag
    /// with ID 0, and the call succeeds with `MAPI_W_ERRORS_RETURNED`.
    fn get_ids_from_names(&self, names: Option<&[NameId]>, flags: u32) -> MapiResult<Warned<Vec<PropTag>>> {
        let _ = (names, flags);
        Err(MapiError::NoSupport)
    }
}

/// `IProfSect`: a profile section, reached through `IMAPISupport::OpenProfileSection`.
/// Implemented by MAPI. Its vtable is `IMAPIProp`'s: `IProfSect` adds no method.
pub trait ProfSect: MapiProp {
    /// The section's MAPIUID. This is the simulator's own accessor, not a method of `IProfSect`
    /// (a shim over a real profile section knows the UID it opened it with).
    fn uid(&self) -> MapiUid;
}

/// One notification (`NOTIFICATION`): its event (`ulEventType`) and the member of the `info`
/// union that goes with it.
///
/// The constructors pair each event with its member; a notification built by hand should do the
/// same (the `info` of an `fnevObjectModified` is an [`NotificationInfo::Object`]).
///
/// ```
/// use mapisim::flags::{EventMask, ObjectType};
/// use mapisim::spi::{Notification, NotificationInfo};
///
/// let modified = Notification::object(EventMask::OBJECT_MODIFIED, ObjectType::Store, b"store".to_vec());
/// assert_eq!(modified.entry_id(), Some(&b"store"[..]));
/// assert!(matches!(modified.info, NotificationInfo::Object { object_type: ObjectType::Store, .. }));
/// let mail = Notification::new_mail(b"msg".to_vec(), b"inbox".to_vec(), "IPM.Note");
/// assert_eq!(mail.event, EventMask::NEW_MAIL);
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Notification {
    /// `ulEventType`.
    pub event: EventMask,
    /// The member of the `info` union for the event.
    pub info: NotificationInfo,
}

/// The `info` union of a `NOTIFICATION`: the members the lifecycle uses.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum NotificationInfo {
    /// `ERROR_NOTIFICATION`, for `fnevCriticalError`.
    Error {
        /// `lpEntryID`: the object the error happened to (empty for none).
        entry_id: Vec<u8>,
        /// `scode`.
        error: MapiError,
        /// `ulFlags` (`MAPI_UNICODE` for the strings of `mapi_error`).
        flags: u32,
        /// `lpMAPIError`.
        mapi_error: Option<MapiErrorInfo>,
    },
    /// `NEWMAIL_NOTIFICATION`, for `fnevNewMail`.
    NewMail(NewMailNotification),
    /// `OBJECT_NOTIFICATION`, for `fnevObjectCreated`, `fnevObjectDeleted`,
    /// `fnevObjectModified`, `fnevObjectMoved`, `fnevObjectCopied` and `fnevSearchComplete`.
    Object {
        /// `lpEntryID`: the object.
        entry_id: Vec<u8>,
        /// `ulObjType`.
        object_type: ObjectType,
        /// `lpParentID`: its parent (empty for none).
        parent_id: Vec<u8>,
        /// `lpOldID`: its entry ID before a move or copy (empty for none).
        old_id: Vec<u8>,
        /// `lpOldParentID`: its parent before a move or copy (empty for none).
        old_parent_id: Vec<u8>,
        /// `lpPropTagArray`: the properties that changed (`None` for NULL).
        tags: Option<Vec<PropTag>>,
    },
    /// `STATUS_OBJECT_NOTIFICATION`, for `fnevStatusObjectModified`.
    StatusObject {
        /// `lpEntryID`: the status object.
        entry_id: Vec<u8>,
        /// `lpPropVals`: its changed properties.
        props: Vec<Prop>,
    },
    /// `EXTENDED_NOTIFICATION`, for `fnevExtended`.
    Extended {
        /// `ulEvent`: the provider's own event.
        event: u32,
        /// `pbEventParameters` (`cb` bytes).
        parameters: Vec<u8>,
    },
}

impl Notification {
    /// An `OBJECT_NOTIFICATION` for `event` (`fnevObjectModified`, …) about the object
    /// `entry_id`, with no parent, old IDs or changed properties.
    pub fn object(event: EventMask, object_type: ObjectType, entry_id: Vec<u8>) -> Notification {
        Notification {
            event,
            info: NotificationInfo::Object {
                entry_id,
                object_type,
                parent_id: Vec::new(),
                old_id: Vec::new(),
                old_parent_id: Vec::new(),
                tags: None,
            },
        }
    }

    /// A `NEWMAIL_NOTIFICATION` (`fnevNewMail`) for the message `entry_id` in the folder
    /// `parent_id`, its class in 8-bit characters.
    pub fn new_mail(entry_id: Vec<u8>, parent_id: Vec<u8>, message_class: &str) -> Notification {
        Notification {
            event: EventMask::NEW_MAIL,
            info: NotificationInfo::NewMail(NewMailNotification {
                entry_id,
                parent_id,
                flags: 0,
                message_class: TString::ansi_from_str(message_class),
                message_flags: 0,
            }),
        }
    }

    /// An `ERROR_NOTIFICATION` (`fnevCriticalError`) about `entry_id`.
    pub fn critical_error(entry_id: Vec<u8>, error: MapiError) -> Notification {
        Notification {
            event: EventMask::CRITICAL_ERROR,
            info: NotificationInfo::Error {
                entry_id,
                error,
                flags: 0,
                mapi_error: None,
            },
        }
    }

    /// A `STATUS_OBJECT_NOTIFICATION` (`fnevStatusObjectModified`) for the status object
    /// `entry_id`, with its changed properties.
    pub fn status_object(entry_id: Vec<u8>, props: Vec<Prop>) -> Notification {
        Notification {
            event: EventMask::STATUS_OBJECT_MODIFIED,
            info: NotificationInfo::StatusObject { entry_id, props },
        }
    }

    /// An `EXTENDED_NOTIFICATION` (`fnevExtended`): the provider's event `event` and its
    /// parameters.
    pub fn extended(event: u32, parameters: Vec<u8>) -> Notification {
        Notification {
            event: EventMask::EXTENDED,
            info: NotificationInfo::Extended { event, parameters },
        }
    }

    /// The entry ID the notification is about, if its member has one (and it is not empty).
    pub fn entry_id(&self) -> Option<&[u8]> {
        let id = match &self.info {
            NotificationInfo::NewMail(mail) => &mail.entry_id,
            NotificationInfo::Error { entry_id, .. }
            | NotificationInfo::Object { entry_id, .. }
            | NotificationInfo::StatusObject { entry_id, .. } => entry_id,
            NotificationInfo::Extended { .. } => return None,
        };
        (!id.is_empty()).then_some(id.as_slice())
    }
}

/// `IMAPIAdviseSink`: receives notifications.
pub trait AdviseSink: Send + Sync {
    /// `OnNotify`: returns 0, or `CALLBACK_DISCONTINUE` to stop a synchronous delivery.
    fn on_notify(&self, notifications: &[Notification]) -> u32;
}

/// What `OpenEntry` and `OpenStatusEntry` open (`*lppUnk` and `*lpulObjType`): the object, typed
/// by what it is. Folders and messages carry their `IMAPIProp` part (folders are not modelled
/// beyond it; [`OpenedEntry::message`] gives a message's `IMessage`); any other type of object
/// carries its type and the object itself.
///
/// ```
/// use mapisim::flags::{LogoffFlags, ObjectType};
/// use mapisim::object::Ref;
/// use mapisim::spi::{MapiProp, MsgStore, OpenedEntry};
///
/// struct Store;
/// impl MapiProp for Store {}
/// impl MsgStore for Store {
///     fn store_logoff(&self, flags: LogoffFlags) -> mapisim::MapiResult<LogoffFlags> { Ok(flags) }
/// }
///
/// let store: Ref<dyn MsgStore> = Ref::new(Store).into();
/// let opened = OpenedEntry::Store(store.clone());
/// assert_eq!(opened.object_type(), ObjectType::Store);
/// assert!(Ref::ptr_eq(&opened.object(), &store));
/// assert!(opened.store().is_some() && opened.status().is_none());
/// ```
#[non_exhaustive]
pub enum OpenedEntry {
    /// A message store (`MAPI_STORE`), as `IMsgStore`.
    Store(Ref<dyn MsgStore>),
    /// A status object (`MAPI_STATUS`), as `IMAPIStatus`.
    Status(Ref<dyn MapiStatus>),
    /// A folder (`MAPI_FOLDER`), by its `IMAPIProp` part.
    Folder(Ref<dyn MapiProp>),
    /// A message (`MAPI_MESSAGE`), by its `IMAPIProp` part.
    Message(Ref<dyn MapiProp>),
    /// Any other object: its type (`MAPI_ATTACH`, `MAPI_MAILUSER`, …) and the object.
    Other(ObjectType, Ref<dyn Unknown>),
}

impl OpenedEntry {
    /// `*lpulObjType`.
    pub fn object_type(&self) -> ObjectType {
        match self {
            OpenedEntry::Store(_) => ObjectType::Store,
            OpenedEntry::Status(_) => ObjectType::Status,
            OpenedEntry::Folder(_) => ObjectType::Folder,
            OpenedEntry::Message(_) => ObjectType::Message,
            OpenedEntry::Other(t, _) => *t,
        }
    }

    /// The object, as `IUnknown` (its identity: compare it, key a map with it, or
    /// `QueryInterface` it).
    pub fn object(&self) -> Ref<dyn Unknown> {
        match self {
            OpenedEntry::Store(r) => r.unknown(),
            OpenedEntry::Status(r) => r.unknown(),
            OpenedEntry::Folder(r) | OpenedEntry::Message(r) => r.unknown(),
            OpenedEntry::Other(_, r) => r.clone(),
        }
    }

    /// The store, if a store was opened.
    pub fn store(&self) -> Option<&Ref<dyn MsgStore>> {
        match self {
            OpenedEntry::Store(r) => Some(r),
            _ => None,
        }
    }

    /// The status object, if a status object was opened.
    pub fn status(&self) -> Option<&Ref<dyn MapiStatus>> {
        match self {
            OpenedEntry::Status(r) => Some(r),
            _ => None,
        }
    }

    /// The `IMessage` of a message: its `IMAPIProp` part asked for `IID_IMessage` through
    /// `QueryInterface` ([`Ref::query`]). `None` for another kind of object, or for a message
    /// that does not answer for `IMessage`.
    ///
    /// ```
    /// use mapisim::object::Ref;
    /// use mapisim::spi::{MapiProp, Message, OpenedEntry};
    ///
    /// struct Note;
    /// impl MapiProp for Note {}
    /// impl Message for Note {}
    ///
    /// let note: Ref<dyn Message> = Ref::new(Note).into();
    /// let opened = OpenedEntry::Message(note.query::<dyn MapiProp>().expect("an IMAPIProp"));
    /// let message = opened.message().expect("an IMessage");
    /// assert!(Ref::ptr_eq(&message, &note));
    /// // An object that is only an IMAPIProp has no IMessage.
    /// struct Plain;
    /// impl MapiProp for Plain {}
    /// assert!(OpenedEntry::Message(Ref::new(Plain).into()).message().is_none());
    /// ```
    pub fn message(&self) -> Option<Ref<dyn Message>> {
        match self {
            OpenedEntry::Message(r) => r.query::<dyn Message>().ok(),
            _ => None,
        }
    }

    /// The `IMAPIProp` part of a store, folder, message or status object (`None` for another
    /// kind of object, which may not have one).
    pub fn props(&self) -> Option<Ref<dyn MapiProp>> {
        match self {
            OpenedEntry::Store(r) => Some(crate::upcast!(r.clone() => dyn MapiProp)),
            OpenedEntry::Status(r) => Some(crate::upcast!(r.clone() => dyn MapiProp)),
            OpenedEntry::Folder(r) | OpenedEntry::Message(r) => Some(r.clone()),
            OpenedEntry::Other(_, r) => r.cast::<dyn MapiProp>(),
        }
    }

    /// The label of the object in the ledger (`IMsgStore#3`), once it is registered.
    pub fn label(&self) -> Option<crate::object::ObjLabel> {
        match self {
            OpenedEntry::Store(r) => r.label(),
            OpenedEntry::Status(r) => r.label(),
            OpenedEntry::Folder(r) | OpenedEntry::Message(r) => r.label(),
            OpenedEntry::Other(_, r) => r.label(),
        }
    }
}

impl fmt::Debug for OpenedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedEntry")
            .field("object_type", &self.object_type())
            .field("object", &self.label())
            .finish()
    }
}

/// `ADRPARM`: how the common address dialog of [`MapiSupport::address`] looks and behaves.
///
/// Every member of the C structure is here, in its order. The strings are `LPTSTR`s: UTF-16 when
/// `flags` has `MAPI_UNICODE`, 8-bit otherwise, each kept as the caller gave it ([`TString`]).
/// `None` stands for a NULL pointer everywhere.
///
/// The callbacks, their contexts, the reserved pointer and the restrictions (`SRestriction`) are
/// not modelled: they are carried as the raw values of their pointers, for a shim in the same
/// process to hand on unchanged. The simulator never calls nor reads them.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct AdrParm {
    /// `cbABContEntryID` and `lpABContEntryID`: the entry ID of the container whose entries the
    /// dialog lists first.
    pub container_entry_id: Option<Vec<u8>>,
    /// `ulFlags`: `AB_RESOLVE`, `AB_SELECTONLY`, `ADDRESS_ONE`, `DIALOG_MODAL`, `DIALOG_OPTIONS`,
    /// `DIALOG_SDI` (`DIALOG_MODAL` and `DIALOG_SDI` exclude each other), `MAPI_UNICODE` for the
    /// strings. The four highest bits are the version of the structure, which must be 0.
    pub flags: u32,
    /// `lpReserved`: reserved, NULL.
    pub reserved: Option<usize>,
    /// `ulHelpContext`: the help topic shown first when the user asks for help in the dialog.
    pub help_context: u32,
    /// `lpszHelpFileName`: the help file that goes with `help_context`.
    pub help_file_name: Option<TString>,
    /// `lpfnABSDI` (an `ACCELERATEABSDI` function, raw): the caller passes NULL; for a modeless
    /// dialog (`DIALOG_SDI`) MAPI sets it before returning, for the caller's message loop to call
    /// so that the dialog's keyboard shortcuts work.
    pub accelerate: Option<usize>,
    /// `lpfnDismiss` (a `DISMISSMODELESS` function, raw): called by MAPI when the user closes a
    /// modeless dialog.
    pub dismiss: Option<usize>,
    /// `lpvDismissContext` (raw): what MAPI passes to `dismiss`.
    pub dismiss_context: Option<usize>,
    /// `lpszCaption`: the title of the dialog.
    pub caption: Option<TString>,
    /// `lpszNewEntryTitle`: the label of the button that opens the new-entry dialog (modal dialog).
    pub new_entry_title: Option<TString>,
    /// `lpszDestWellsTitle`: the title over the recipient boxes (modal dialog).
    pub dest_wells_title: Option<TString>,
    /// `cDestFields`: how many recipient boxes the modal dialog has; 0 for a modeless dialog (or a
    /// dialog to browse); `0xFFFF_FFFF` for MAPI's default number, with `dest_titles` and
    /// `dest_comps` NULL.
    pub dest_fields: u32,
    /// `nDestFieldFocus`: the recipient box that has the focus first, from 0 to `dest_fields - 1`.
    pub dest_field_focus: u32,
    /// `lppszDestTitles`: the label of the button beside each recipient box (`dest_fields` of
    /// them); NULL for MAPI's default labels.
    pub dest_titles: Option<Vec<TString>>,
    /// `lpulDestComps`: the recipient type (`MAPI_TO`, `MAPI_CC`, `MAPI_BCC`, …) of each recipient
    /// box (`dest_fields` of them); NULL for MAPI's default types.
    pub dest_comps: Option<Vec<u32>>,
    /// `lpContRestriction` (an `SRestriction`, raw): which entries the dialog may show.
    pub contents_restriction: Option<usize>,
    /// `lpHierRestriction` (an `SRestriction`, raw): which containers may supply them.
    pub hierarchy_restriction: Option<usize>,
}

/// `NEWMAIL_NOTIFICATION`: a message that has just arrived in a store, which a store provider
/// tightly coupled with a transport passes to [`MapiSupport::spooler_notify`] with
/// `NOTIFY_NEWMAIL_RECEIVED`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NewMailNotification {
    /// `cbEntryID` and `lpEntryID`: the entry ID of the new message.
    pub entry_id: Vec<u8>,
    /// `cbParentID` and `lpParentID`: the entry ID of the receive folder it arrived in.
    pub parent_id: Vec<u8>,
    /// `ulFlags`: `MAPI_UNICODE` when `message_class` is UTF-16.
    pub flags: u32,
    /// `lpszMessageClass`: the message class of the new message, in the encoding `flags` says.
    pub message_class: TString,
    /// `ulMessageFlags`: a copy of the message's `PR_MESSAGE_FLAGS`.
    pub message_flags: u32,
}

/// `lpvData` of [`MapiSupport::spooler_notify`]: what the pointer points to, which depends on the
/// flag it comes with.
///
/// ```
/// use mapisim::spi::{NewMailNotification, SpoolerNotifyData};
/// use mapisim::strings::TString;
///
/// // NOTIFY_READYTOSEND (and every flag but three) comes with NULL.
/// assert_eq!(SpoolerNotifyData::default(), SpoolerNotifyData::Null);
/// // NOTIFY_NEWMAIL_RECEIVED describes the message that arrived.
/// let arrived = NewMailNotification {
///     entry_id: b"message".to_vec(),
///     parent_id: b"inbox".to_vec(),
///     flags: 0,
///     message_class: TString::ansi_from_str("IPM.Note"),
///     message_flags: 0,
/// };
/// let data = SpoolerNotifyData::NewMail(&arrived);
/// assert!(!data.is_null());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SpoolerNotifyData<'a> {
    /// NULL: what `NOTIFY_READYTOSEND`, `NOTIFY_NEWMAIL`, `NOTIFY_CRITSEC`, `NOTIFY_NONCRIT` and
    /// `NOTIFY_CONFIG_CHANGE` come with (the data is undefined for them and should be NULL).
    #[default]
    Null,
    /// With `NOTIFY_NEWMAIL_RECEIVED` (stores): the `NEWMAIL_NOTIFICATION` of the message that
    /// arrived.
    NewMail(&'a NewMailNotification),
    /// With `NOTIFY_SENTDEFERRED` (transports): the entry ID of the deferred message (an
    /// `SBinary`).
    SentDeferred(&'a [u8]),
    /// Any other pointer, as its raw value: the information about the error that
    /// `NOTIFY_CRITICAL_ERROR` carries (its form is not documented), or a pointer given with a
    /// flag whose data should be NULL. It is not modelled: a shim hands the value on, and the
    /// simulator does not read it.
    Raw(usize),
}

impl SpoolerNotifyData<'_> {
    /// Whether the pointer is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, SpoolerNotifyData::Null)
    }
}

/// `IMAPISupport` as a message-store provider sees it (IID `IID_IMAPISup`).
///
/// MAPI gives each store logon its own support object. A COM shim implements this trait over a
/// real `IMAPISupport` pointer; the defaults below (`MAPI_E_NO_SUPPORT`) are for such
/// implementations and for test doubles. The simulator's support object answers every method,
/// and every call it gets is a line of the trace, made by the provider that called:
///
/// | methods | what the simulator's support object does |
/// |---|---|
/// | `GetMemAllocRoutines`, `OpenProfileSection`, `SetProviderUID`, `ModifyStatusRow`, `NewUID`, `WrapStoreEntryID`, `ModifyProfile`, `StoreLogoffTransports`, `SpoolerNotify`, `Subscribe`, `Unsubscribe`, `Notify`, `MakeInvalid` | simulated and checked (the rules of the lifecycle) |
/// | `CompareEntryIDs`, `OpenEntry` | routed by the MAPIUID in the entry IDs, as `IMAPISession`'s are |
/// | `GetLastError` | succeeds with no information (MAPI keeps none for the support object) |
/// | `Address`, `Details`, `NewEntry`, `DoConfigPropsheet`, `DoProgressDialog` | user interface: `MAPI_E_NO_SUPPORT` (the simulator has none; inside a Windows service, `SERVICE-PROVIDER-NO-UI` too) |
/// | `RegisterPreprocessor`, `SpoolerYield`, `StatusRecips` | transports only: `MAPI_E_NO_SUPPORT` |
/// | `CreateOneOff`, `OpenTemplateID`, `GetOneOffTable` | address books: `MAPI_E_NO_SUPPORT` |
/// | `CopyMessages`, `CopyFolder`, `DoCopyTo`, `DoCopyProps`, `ReadReceipt`, `PrepareSubmit`, `ExpandRecips`, `UpdatePAB`, `DoSentMail`, `OpenAddressBook`, `Preprocess`, `CompleteMsg`, `IStorageFromStream`, `GetSvcConfigSupportObj` | messages, folders and address books are not modelled: `MAPI_E_NO_SUPPORT` |
///
/// Each method takes every parameter of its COM method, in the same order, so that a shim can
/// pass a call across unchanged in either direction. Output parameters are the result (an
/// in/out parameter is a `&mut`, or an input and the result); `None` stands for a NULL pointer;
/// an object is a [`Ref`] (`Ref<dyn Unknown>` for one the crate does not model, such as an
/// `IMAPITable`, an `IAddrBook`, a stream or a storage, or an `LPVOID` that comes with its IID);
/// an `LPTSTR` is a [`TStr`], in the encoding the caller used; a callback, its context or a
/// structure the crate does not model is the raw value of its pointer (`usize`), which only a
/// shim in the same process can use.
///
/// Keeping the support object means cloning its `Ref` (the `AddRef` a fresh `Logon` must do);
/// the store's final release drops that reference, and MAPI's teardown of the logon runs inside
/// the support object's final release.
pub trait MapiSupport: Send + Sync {
    /// `GetLastError`.
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        let _ = (hresult, flags);
        Err(MapiError::NoSupport)
    }

    /// `GetMemAllocRoutines`: the same routines the entry point was given.
    fn get_mem_alloc_routines(&self) -> MapiResult<MemRoutines> {
        Err(MapiError::NoSupport)
    }

    /// `Subscribe`: registers `sink` (AddRef'd while registered) for events on `key`; returns a
    /// nonzero connection number. `SubscribeFlags::SYNC` makes later `Notify` calls synchronous.
    fn subscribe(
        &self,
        key: &[u8],
        mask: EventMask,
        flags: SubscribeFlags,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        let _ = (key, mask, flags, sink);
        Err(MapiError::NoSupport)
    }

    /// `Unsubscribe`: releases the sink; an unknown connection gives `MAPI_E_NOT_FOUND`.
    fn unsubscribe(&self, connection: usize) -> MapiResult<()> {
        let _ = connection;
        Err(MapiError::NoSupport)
    }

    /// `Notify`: delivers notifications to the sinks subscribed to `key`. The output flags say
    /// whether a synchronous callback cancelled the delivery.
    fn notify(
        &self,
        key: &[u8],
        notifications: &[Notification],
        flags: u32,
    ) -> MapiResult<NotifyResultFlags> {
        let _ = (key, notifications, flags);
        Err(MapiError::NoSupport)
    }

    /// `ModifyStatusRow`: adds the provider's row to the status table (flags 0) or merges into it
    /// (`StatusRowFlags::UPDATE`).
    fn modify_status_row(&self, columns: &[Prop], flags: StatusRowFlags) -> MapiResult<()> {
        let _ = (columns, flags);
        Err(MapiError::NoSupport)
    }

    /// `OpenProfileSection`: `None` opens the provider's own section. A read-only open of a
    /// missing section gives `MAPI_E_NOT_FOUND`; `MAPI_MODIFY` creates it.
    fn open_profile_section(
        &self,
        uid: Option<&MapiUid>,
        flags: ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        let _ = (uid, flags);
        Err(MapiError::NoSupport)
    }

    /// `RegisterPreprocessor(lpMuid, lpszAdrType, lpszDLLName, lpszPreprocess,
    /// lpszRemovePreprocessInfo, ulFlags)` (transports only): registers a transport's
    /// preprocessor, a `PreprocessMessage` function the spooler calls for the messages the
    /// transport handles.
    ///
    /// The preprocessor is called for the recipients whose entry IDs carry `uid` or whose address
    /// type is `address_type` (either match is enough when both are given; with both `None`, for
    /// every recipient).
    /// `dll_name` is the DLL that exports the functions; `preprocess` the name of the
    /// preprocessor and `remove_preprocess_info` that of its `RemovePreprocessInfo` function, both
    /// `LPSTR`s (always 8-bit: names for `GetProcAddress`), each may be `None`. `flags` is
    /// reserved, 0.
    fn register_preprocessor(
        &self,
        uid: Option<&MapiUid>,
        address_type: Option<TStr<'_>>,
        dll_name: TStr<'_>,
        preprocess: Option<&[u8]>,
        remove_preprocess_info: Option<&[u8]>,
        flags: u32,
    ) -> MapiResult<()> {
        let _ = (
            uid,
            address_type,
            dll_name,
            preprocess,
            remove_preprocess_info,
            flags,
        );
        Err(MapiError::NoSupport)
    }

    /// `NewUID`: a fresh unique MAPIUID (not for the provider's registered UID, which should be a
    /// hard-coded constant).
    fn new_uid(&self) -> MapiResult<MapiUid> {
        Err(MapiError::NoSupport)
    }

    /// `MakeInvalid(ulFlags, lpObject, ulRefCount, cMethods)`: `object`, which the caller owns,
    /// answers `MAPI_E_INVALID_OBJECT` from now on to every method but `AddRef` and `Release`
    /// (MAPI replaces its vtable with a stub of `methods` methods). `flags` is reserved, 0;
    /// `ref_count` is the object's current reference count; `methods` the number of methods in
    /// its vtable (at least 3). The object is passed itself, as [`Ref`]: a shim finds its pointer
    /// with [`Ref::key`].
    fn make_invalid(
        &self,
        flags: u32,
        object: &Ref<dyn Unknown>,
        ref_count: u32,
        methods: u32,
    ) -> MapiResult<()> {
        let _ = (flags, object, ref_count, methods);
        Err(MapiError::NoSupport)
    }

    /// `SpoolerYield` (transports only).
    fn spooler_yield(&self, flags: u32) -> MapiResult<()> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `SpoolerNotify(ulFlags, lpvData)`: tells the spooler of a change of state or asks it for
    /// service. A store may pass only `NOTIFY_NEWMAIL_RECEIVED` (with the message that arrived in
    /// `data`) and `NOTIFY_READYTOSEND` (with [`SpoolerNotifyData::Null`]); transports pass the
    /// others. `data` is what the flag comes with ([`SpoolerNotifyData`]).
    fn spooler_notify(&self, flags: SpoolerNotifyFlags, data: SpoolerNotifyData<'_>) -> MapiResult<()> {
        let _ = (flags, data);
        Err(MapiError::NoSupport)
    }

    /// `CreateOneOff(lpszName, lpszAdrType, lpszAddress, ulFlags, lpcbEntryID, lppEntryID)`: the
    /// entry ID of a one-off recipient (one that belongs to no address book container). `name` is
    /// its display name (may be `None`), `address_type` its address type (`SMTP`, `FAX`, …) and
    /// `address` its address; `flags`: `MAPI_SEND_NO_RICH_INFO` (the recipient cannot take
    /// formatted content), `MAPI_UNICODE` (the strings are UTF-16). Returns the entry ID.
    fn create_one_off(
        &self,
        name: Option<TStr<'_>>,
        address_type: TStr<'_>,
        address: TStr<'_>,
        flags: u32,
    ) -> MapiResult<Vec<u8>> {
        let _ = (name, address_type, address, flags);
        Err(MapiError::NoSupport)
    }

    /// `SetProviderUID`: registers a MAPIUID by which MAPI routes entry IDs to this logon. Every
    /// call adds, duplicates included; the UIDs go away with the logon.
    fn set_provider_uid(&self, uid: &MapiUid, flags: u32) -> MapiResult<()> {
        let _ = (uid, flags);
        Err(MapiError::NoSupport)
    }

    /// `CompareEntryIDs`.
    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        let _ = (a, b, flags);
        Err(MapiError::NoSupport)
    }

    /// `OpenTemplateID(cbTemplateID, lpTemplateID, ulTemplateFlags, lpMAPIPropData, lpInterface,
    /// lppMAPIPropNew, lpMAPIPropSibling)` (address books only): opens an entry that belongs to
    /// another (foreign) address book provider, binding the host's data to the foreign
    /// provider's code.
    ///
    /// `template_id` is the entry's `PR_TEMPLATEID`; `flags`: `FILL_ENTRY` (a new entry is being
    /// made); `data` the host's read/write property object for the entry, which the foreign
    /// provider may wrap; `interface` the interface wanted for the result (`None`:
    /// `IID_IMailUser`); `sibling` is reserved (`None`). Returns the foreign provider's object
    /// (`*lppMAPIPropNew`), which may be `data` itself.
    fn open_template_id(
        &self,
        template_id: &[u8],
        flags: u32,
        data: &Ref<dyn MapiProp>,
        interface: Option<Iid>,
        sibling: Option<&Ref<dyn MapiProp>>,
    ) -> MapiResult<Ref<dyn MapiProp>> {
        let _ = (template_id, flags, data, interface, sibling);
        Err(MapiError::NoSupport)
    }

    /// `OpenEntry`.
    fn open_entry(&self, entry_id: &[u8], interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry> {
        let _ = (entry_id, interface, flags);
        Err(MapiError::NoSupport)
    }

    /// `GetOneOffTable(ulFlags, lppTable)` (address books only): MAPI's one-off table, the
    /// templates for new one-off recipients. `flags`: `MAPI_UNICODE` (string columns in UTF-16).
    /// Returns the table (an `IMAPITable`, which the crate does not model).
    fn get_one_off_table(&self, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `Address(lpulUIParam, lpAdrParms, lppAdrList)` (address books only): the common address
    /// dialog.
    ///
    /// `ui_param` is in and out: the parent window on input, the window of the dialog on output
    /// when `adr_parms` asks for a modeless one (`DIALOG_SDI`). `adr_parms` says how the dialog
    /// looks and behaves, in and out ([`AdrParm`]: MAPI sets its `accelerate` for a modeless
    /// dialog). `recipients` is the recipient list (`ADRLIST`), one row of properties per
    /// recipient: the message's recipients on input, the updated list on output (an empty list
    /// stands for a NULL one both ways).
    fn address(
        &self,
        ui_param: &mut usize,
        adr_parms: &mut AdrParm,
        recipients: &mut Vec<Vec<Prop>>,
    ) -> MapiResult<()> {
        let _ = (ui_param, adr_parms, recipients);
        Err(MapiError::NoSupport)
    }

    /// `Details(lpulUIParam, lpfnDismiss, lpvDismissContext, cbEntryID, lpEntryID,
    /// lpfButtonCallback, lpvButtonContext, lpszButtonText, ulFlags)` (address books only): the
    /// details dialog of the address book entry `entry_id`.
    ///
    /// `ui_param` is in and out: the parent window on input, the dialog's window on output.
    /// `dismiss` is a `DISMISSMODELESS` function MAPI calls when a modeless dialog is closed, and
    /// `dismiss_context` what it passes to it. `button_callback` is an `LPFNBUTTON` function that
    /// MAPI calls when the user clicks an extra button, with `button_context`; `button_text` is
    /// that button's label (`None` when there is no such button). The four are raw pointer values
    /// (`None` for NULL). `flags`: `DIALOG_MODAL` or `DIALOG_SDI`, `MAPI_UNICODE` (the string is
    /// UTF-16).
    #[allow(clippy::too_many_arguments)] // one parameter per parameter of the vtable method
    fn details(
        &self,
        ui_param: &mut usize,
        dismiss: Option<usize>,
        dismiss_context: Option<usize>,
        entry_id: &[u8],
        button_callback: Option<usize>,
        button_context: Option<usize>,
        button_text: Option<TStr<'_>>,
        flags: u32,
    ) -> MapiResult<()> {
        let _ = (
            ui_param,
            dismiss,
            dismiss_context,
            entry_id,
            button_callback,
            button_context,
            button_text,
            flags,
        );
        Err(MapiError::NoSupport)
    }

    /// `NewEntry(ulUIParam, ulFlags, cbEIDContainer, lpEIDContainer, cbEIDNewEntryTpl,
    /// lpEIDNewEntryTpl, lpcbEIDNewEntry, lppEIDNewEntry)` (address books only): the new-entry
    /// dialog. `ui_param` is the parent window; `flags` is reserved, 0. `container` is the
    /// container that receives the entry (`None`: a one-off entry, for a message's recipient
    /// list); `template` the template to make it with (`None`: the user chooses from MAPI's
    /// one-off table). Returns the new entry ID.
    fn new_entry(
        &self,
        ui_param: usize,
        flags: u32,
        container: Option<&[u8]>,
        template: Option<&[u8]>,
    ) -> MapiResult<Vec<u8>> {
        let _ = (ui_param, flags, container, template);
        Err(MapiError::NoSupport)
    }

    /// `DoConfigPropsheet(ulUIParam, ulFlags, lpszTitle, lpDisplayTable, lpConfigData,
    /// ulTopPage)`: MAPI's configuration property sheet. `ui_param` is the parent window;
    /// `flags` is reserved, 0; `title` the sheet's title; `display_table` the display table that
    /// describes its controls (an `IMAPITable`, which the crate does not model); `config` the
    /// properties shown and edited; `top_page` the zero-based index of the page shown first.
    fn do_config_propsheet(
        &self,
        ui_param: usize,
        flags: u32,
        title: TStr<'_>,
        display_table: &Ref<dyn Unknown>,
        config: &Ref<dyn MapiProp>,
        top_page: u32,
    ) -> MapiResult<()> {
        let _ = (ui_param, flags, title, display_table, config, top_page);
        Err(MapiError::NoSupport)
    }

    /// `CopyMessages(lpSrcInterface, lpSrcFolder, lpMsgList, lpDestInterface, lpDestFolder,
    /// ulUIParam, lpProgress, ulFlags)` (stores): copies or moves messages between folders.
    ///
    /// `src_folder` holds the messages, seen through `src_interface`; `messages` are their entry
    /// IDs (the `ENTRYLIST`); `dest_folder`, open and seen through `dest_interface`, receives
    /// them. `ui_param` is the parent window of the progress display and `progress` the progress
    /// object (`None`: MAPI's own); both count only with `MESSAGE_DIALOG`. `flags`:
    /// `MESSAGE_DIALOG`, `MESSAGE_MOVE`.
    #[allow(clippy::too_many_arguments)] // one parameter per parameter of the vtable method
    fn copy_messages(
        &self,
        src_interface: &Iid,
        src_folder: &Ref<dyn Unknown>,
        messages: &[Vec<u8>],
        dest_interface: &Iid,
        dest_folder: &Ref<dyn Unknown>,
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        flags: u32,
    ) -> MapiResult<()> {
        let _ = (
            src_interface,
            src_folder,
            messages,
            dest_interface,
            dest_folder,
            ui_param,
            progress,
            flags,
        );
        Err(MapiError::NoSupport)
    }

    /// `CopyFolder(lpSrcInterface, lpSrcFolder, cbEntryID, lpEntryID, lpInterface, lpDestFolder,
    /// lpszNewFolderName, ulUIParam, lpProgress, ulFlags)` (stores): copies or moves a folder to
    /// another parent folder.
    ///
    /// `src_folder` is the folder's parent, seen through `src_interface`; `entry_id` the folder's
    /// entry ID; `dest_interface` is reserved (`None`); `dest_folder` the new parent. `new_name`
    /// names the copy (`None`: the folder's own name), UTF-16 with `MAPI_UNICODE`. `ui_param`
    /// and `progress` (`None`: MAPI's own) count only with `FOLDER_DIALOG`. `flags`:
    /// `COPY_SUBFOLDERS`, `FOLDER_DIALOG`, `FOLDER_MOVE`, `MAPI_UNICODE`.
    #[allow(clippy::too_many_arguments)] // one parameter per parameter of the vtable method
    fn copy_folder(
        &self,
        src_interface: &Iid,
        src_folder: &Ref<dyn Unknown>,
        entry_id: &[u8],
        dest_interface: Option<&Iid>,
        dest_folder: &Ref<dyn Unknown>,
        new_name: Option<TStr<'_>>,
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        flags: u32,
    ) -> MapiResult<()> {
        let _ = (
            src_interface,
            src_folder,
            entry_id,
            dest_interface,
            dest_folder,
            new_name,
            ui_param,
            progress,
            flags,
        );
        Err(MapiError::NoSupport)
    }

    /// `DoCopyTo(lpSrcInterface, lpSrcObj, ciidExclude, rgiidExclude, lpExcludeProps, ulUIParam,
    /// lpProgress, lpDestInterface, lpDestObj, ulFlags, lppProblems)` (stores): copies or moves
    /// every property of `src`, seen through `src_interface`, to `dest`, seen through
    /// `dest_interface` — what a store's `IMAPIProp::CopyTo` may hand to MAPI.
    ///
    /// `exclude_interfaces` are interfaces whose subobjects are not copied; `exclude_props` the
    /// properties not copied (`None`: none excluded). `ui_param` and `progress` (`None`: MAPI's
    /// own) count only with `MAPI_DIALOG`. `flags`: `MAPI_DIALOG`, `MAPI_MOVE`,
    /// `MAPI_NOREPLACE`. Returns the properties that could not be copied (`*lppProblems`; a
    /// caller that passed a NULL `lppProblems` does not look at them).
    #[allow(clippy::too_many_arguments)] // one parameter per parameter of the vtable method
    fn do_copy_to(
        &self,
        src_interface: &Iid,
        src: &Ref<dyn Unknown>,
        exclude_interfaces: &[Iid],
        exclude_props: Option<&[PropTag]>,
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        dest_interface: &Iid,
        dest: &Ref<dyn Unknown>,
        flags: u32,
    ) -> MapiResult<Vec<PropProblem>> {
        let _ = (
            src_interface,
            src,
            exclude_interfaces,
            exclude_props,
            ui_param,
            progress,
            dest_interface,
            dest,
            flags,
        );
        Err(MapiError::NoSupport)
    }

    /// `DoCopyProps(lpSrcInterface, lpSrcObj, lpIncludeProps, ulUIParam, lpProgress,
    /// lpDestInterface, lpDestObj, ulFlags, lppProblems)` (stores): copies or moves the
    /// properties `include` of `src`, seen through `src_interface`, to `dest`, seen through
    /// `dest_interface` — what a store's `IMAPIProp::CopyProps` may hand to MAPI. `ui_param` and
    /// `progress` (`None`: MAPI's own) count only with `MAPI_DIALOG`. `flags`: `MAPI_DIALOG`,
    /// `MAPI_MOVE`, `MAPI_NOREPLACE`. Returns the properties that could not be copied
    /// (`*lppProblems`, as for [`do_copy_to`](MapiSupport::do_copy_to)).
    #[allow(clippy::too_many_arguments)] // one parameter per parameter of the vtable method
    fn do_copy_props(
        &self,
        src_interface: &Iid,
        src: &Ref<dyn Unknown>,
        include: &[PropTag],
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        dest_interface: &Iid,
        dest: &Ref<dyn Unknown>,
        flags: u32,
    ) -> MapiResult<Vec<PropProblem>> {
        let _ = (
            src_interface,
            src,
            include,
            ui_param,
            progress,
            dest_interface,
            dest,
            flags,
        );
        Err(MapiError::NoSupport)
    }

    /// `DoProgressDialog(ulUIParam, ulFlags, lppProgress)`: MAPI's progress object, which shows
    /// a standard progress dialog. `ui_param` is its parent window; `flags`: `MAPI_TOP_LEVEL`
    /// (progress of a top-level item, counted with the item numbers given to `Progress`).
    /// Returns the progress object.
    fn do_progress_dialog(&self, ui_param: usize, flags: u32) -> MapiResult<Ref<dyn MapiProgress>> {
        let _ = (ui_param, flags);
        Err(MapiError::NoSupport)
    }

    /// `ReadReceipt(ulFlags, lpReadMessage, lppEmptyMessage)` (stores): a read report for
    /// `read_message`, or a non-read report with `ReadReceiptFlags::NON_READ`.
    ///
    /// `*lppEmptyMessage` is in and out: `empty_message` is the empty message the store passes
    /// in (`None` for NULL), and the result the report message MAPI leaves there (`None` for
    /// NULL), which the store submits and releases.
    fn read_receipt(
        &self,
        flags: ReadReceiptFlags,
        read_message: &Ref<dyn MapiProp>,
        empty_message: Option<&Ref<dyn MapiProp>>,
    ) -> MapiResult<Option<Ref<dyn MapiProp>>> {
        let _ = (flags, read_message, empty_message);
        Err(MapiError::NoSupport)
    }

    /// `PrepareSubmit` (stores). Avoid it during `Logon`: it waits for the spooler.
    fn prepare_submit(&self, message: &Ref<dyn MapiProp>, flags: u32) -> MapiResult<u32> {
        let _ = (message, flags);
        Err(MapiError::NoSupport)
    }

    /// `ExpandRecips` (stores).
    fn expand_recips(&self, message: &Ref<dyn MapiProp>, flags: u32) -> MapiResult<u32> {
        let _ = (message, flags);
        Err(MapiError::NoSupport)
    }

    /// `UpdatePAB` (in the header's vtable, absent from the documentation).
    fn update_pab(&self, flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<()> {
        let _ = (flags, message);
        Err(MapiError::NoSupport)
    }

    /// `DoSentMail` (stores).
    fn do_sent_mail(&self, flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<()> {
        let _ = (flags, message);
        Err(MapiError::NoSupport)
    }

    /// `OpenAddressBook(lpInterface, ulFlags, lppAdrBook)`: the session's address book.
    /// `interface` is the interface wanted (`None`: `IID_IAddrBook`); `flags` is reserved, 0.
    /// Returns the address book (an `IAddrBook`, which the crate does not model), even when
    /// some address book providers could not be loaded.
    fn open_address_book(&self, interface: Option<Iid>, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        let _ = (interface, flags);
        Err(MapiError::NoSupport)
    }

    /// `Preprocess` (in the header's vtable, absent from the documentation).
    fn preprocess(&self, flags: u32, entry_id: &[u8]) -> MapiResult<()> {
        let _ = (flags, entry_id);
        Err(MapiError::NoSupport)
    }

    /// `CompleteMsg` (stores).
    fn complete_msg(&self, flags: u32, entry_id: &[u8]) -> MapiResult<()> {
        let _ = (flags, entry_id);
        Err(MapiError::NoSupport)
    }

    /// `StoreLogoffTransports` (stores only): tells the spooler's transports the store is logging
    /// off. Called exactly once per store shutdown, with the flag the client gave
    /// `IMsgStore::StoreLogoff` (or `LOGOFF_ABORT` from a final release without `StoreLogoff`).
    /// Returns the output flags (`LOGOFF_COMPLETE`, …).
    fn store_logoff_transports(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `StatusRecips` (transports only).
    fn status_recips(&self, message: &Ref<dyn MapiProp>, recipients: &[Vec<Prop>]) -> MapiResult<()> {
        let _ = (message, recipients);
        Err(MapiError::NoSupport)
    }

    /// `WrapStoreEntryID`: wraps the provider's store entry ID with its DLL name, as the profile
    /// registers it. A store exposes only the wrapped form (`PR_ENTRYID`, `PR_STORE_ENTRYID`, its
    /// profile section's `PR_ENTRYID`). The wrapped ID comes in a MAPI buffer that the provider
    /// frees ([`MemRoutines::take_bytes`]).
    fn wrap_store_entry_id(&self, original: &[u8]) -> MapiResult<BufferId> {
        let _ = original;
        Err(MapiError::NoSupport)
    }

    /// `ModifyProfile` (stores): makes the store's profile section permanent; does nothing for a
    /// store opened with `MDB_TEMPORARY`.
    fn modify_profile(&self, flags: u32) -> MapiResult<()> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }

    /// `IStorageFromStream(lpUnkIn, lpInterface, ulFlags, lppStorageOut)`: a structured storage
    /// (`IStorage`) laid over a stream, for a provider that opens a property as a storage without
    /// a storage implementation of its own. `stream_in` is the stream, seen through `interface`
    /// (`IID_IStream` or `IID_ILockBytes`; `None`: `IStream`); `flags` says where the storage
    /// starts and how it may be used ([`StorageFromStreamFlags`]). Returns the storage, which
    /// holds a reference to the stream until it is released. Streams and storages are not
    /// modelled: both are erased objects.
    fn istorage_from_stream(
        &self,
        stream_in: &Ref<dyn Unknown>,
        interface: Option<&Iid>,
        flags: StorageFromStreamFlags,
    ) -> MapiResult<Ref<dyn Unknown>> {
        let _ = (stream_in, interface, flags);
        Err(MapiError::NoSupport)
    }

    /// `GetSvcConfigSupportObj`: a support object for message-service configuration.
    fn get_svc_config_support_obj(&self, flags: u32) -> MapiResult<Ref<dyn MapiSupport>> {
        let _ = flags;
        Err(MapiError::NoSupport)
    }
}
