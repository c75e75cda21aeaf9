//! The provider kit: the forwarding support object of a wrapping provider
//! ([`ForwardSupport`]), the `mapiutil.h` helpers of `spi::util`, and [`PropBag::put`].
//!
//! The forwarding tests call every method of `MapiSupport` once, on a recording support object
//! directly and through a `ForwardSupport` around it, and compare what the recorder got and what
//! came back. The list of methods is checked against the trait's source, so a method added to
//! `MapiSupport` fails here until it is forwarded and tested.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use std::sync::{Arc, Mutex};

use mapisim::flags::{
    EventMask, LogoffFlags, NotifyResultFlags, ProfileSectionFlags, ReadReceiptFlags, SpoolerNotifyFlags,
    StatusRowFlags, SubscribeFlags,
};
use mapisim::ids::{Iid, MapiUid, WrappedStoreEntryId};
use mapisim::object::{InterfaceKind, ObjectInfo};
use mapisim::prelude::*;
use mapisim::props::{PR_DISPLAY_NAME_A, PR_DISPLAY_NAME_W, PR_RECORD_KEY, PR_RESOURCE_FLAGS};
use mapisim::sample::{SampleLibrary, SampleStore};
use mapisim::spi::{
    AdrParm, ForwardSupport, MapiErrorInfo, NewMailNotification, NoOverrides, OpenedEntry, ProfSect,
    PropProblem, ServiceEntryArgs, SpoolerNotifyData, SupportOverrides, hr_get_one_prop, hr_set_one_prop,
    wrap_store_entry_id, wrapped_store_entry_id,
};

// ---------------------------------------------------------------------------------------------
// A support object that records every call
// ---------------------------------------------------------------------------------------------

/// Every method of `MapiSupport`, in the trait's order: the calls a `ForwardSupport` must pass on.
/// (The other `fn`s of `src/spi/support.rs` belong to the traits and types declared before
/// `MapiSupport`: `MapiProp`, `ProfSect`, `AdviseSink`, `OpenedEntry`, `SpoolerNotifyData`.)
const METHODS: [&str; 41] = [
    "get_last_error",
    "get_mem_alloc_routines",
    "subscribe",
    "unsubscribe",
    "notify",
    "modify_status_row",
    "open_profile_section",
    "register_preprocessor",
    "new_uid",
    "make_invalid",
    "spooler_yield",
    "spooler_notify",
    "create_one_off",
    "set_provider_uid",
    "compare_entry_ids",
    "open_template_id",
    "open_entry",
    "get_one_off_table",
    "address",
    "details",
    "new_entry",
    "do_config_propsheet",
    "copy_messages",
    "copy_folder",
    "do_copy_to",
    "do_copy_props",
    "do_progress_dialog",
    "read_receipt",
    "prepare_submit",
    "expand_recips",
    "update_pab",
    "do_sent_mail",
    "open_address_book",
    "preprocess",
    "complete_msg",
    "store_logoff_transports",
    "status_recips",
    "wrap_store_entry_id",
    "modify_profile",
    "istorage_from_stream",
    "get_svc_config_support_obj",
];

/// One call the recorder received: the method and its arguments, each as text (objects by
/// identity, so that the same object reads the same).
#[derive(Clone, PartialEq, Eq, Debug)]
struct Call {
    method: &'static str,
    args: Vec<String>,
}

/// An object by its identity ([`Ref::key`], the same through every interface), so that the same
/// object reads the same.
fn obj<T: ?Sized>(object: &Ref<T>) -> String {
    format!("object {:?}", object.key())
}

/// An object that may be NULL, by its identity.
fn opt_obj<T: ?Sized>(object: Option<&Ref<T>>) -> String {
    object.map_or_else(|| "NULL".to_owned(), obj)
}

/// Records a call: `record!(self, "method", arg, …)`, each argument by its `Debug` form.
macro_rules! record {
    ($recorder:expr, $method:literal $(, $arg:expr)* $(,)?) => {
        $recorder.calls.lock().unwrap().push(Call {
            method: $method,
            args: vec![$(format!("{:?}", $arg)),*],
        })
    };
}

/// An object with properties and nothing else.
struct Nothing;

impl MapiProp for Nothing {}

impl ProfSect for Nothing {
    fn uid(&self) -> MapiUid {
        MapiUid(*b"section  of kit!")
    }
}

/// A progress object that implements nothing.
struct Progress;

impl MapiProgress for Progress {}

/// An object of an interface the crate does not model (a table, a stream, a storage, an address
/// book).
struct Opaque;

/// A support object that implements nothing (every method `MAPI_E_NO_SUPPORT`).
struct NoSupportAtAll;

impl MapiSupport for NoSupportAtAll {}

/// A sink that is never called.
struct Sink;

impl AdviseSink for Sink {
    fn on_notify(&self, _notifications: &[Notification]) -> u32 {
        0
    }
}

/// `MapiSupport` with every method implemented: each records its name and arguments and returns
/// a success of its own (the same every time, so that two calls can be compared).
struct Recorder {
    calls: Mutex<Vec<Call>>,
    routines: MemRoutines,
    error_info: MapiBuffer<MapiErrorInfo>,
    wrapped: BufferId,
    section: Ref<dyn ProfSect>,
    object: Ref<dyn MapiProp>,
    config_support: Ref<dyn MapiSupport>,
    /// What the methods that return an erased object return.
    opaque: Ref<dyn Unknown>,
    progress: Ref<dyn MapiProgress>,
}

/// The window handle the recorder returns from the dialogs (`*lpulUIParam` on output).
const DIALOG_WINDOW: usize = 0xD1A1;

/// The `ACCELERATEABSDI` function the recorder returns in `ADRPARM` (`lpfnABSDI` on output).
const ACCELERATE: usize = 0xACCE;

impl Recorder {
    fn new(routines: &MemRoutines) -> Recorder {
        let info = MapiErrorInfo {
            version: 0,
            error: Some(TString::ansi_from_str("recorded")),
            component: Some(TString::ansi_from_str("Recorder")),
            low_level_error: 7,
            context: 9,
        };
        Recorder {
            calls: Mutex::new(Vec::new()),
            routines: routines.clone(),
            error_info: routines.allocate_value(info).unwrap(),
            wrapped: wrap_store_entry_id(routines, "RECORD.DLL", b"recorded store").unwrap(),
            section: Ref::new(Nothing).into(),
            object: Ref::new(Nothing).into(),
            config_support: Ref::new(NoSupportAtAll).into(),
            opaque: Ref::new(Opaque).unknown(),
            progress: Ref::new(Progress).into(),
        }
    }

    /// The calls received since the last look, which are forgotten.
    fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

impl MapiSupport for Recorder {
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        record!(self, "get_last_error", hresult, flags);
        Ok(Some(self.error_info))
    }

    fn get_mem_alloc_routines(&self) -> MapiResult<MemRoutines> {
        record!(self, "get_mem_alloc_routines");
        Ok(self.routines.clone())
    }

    fn subscribe(
        &self,
        key: &[u8],
        mask: EventMask,
        flags: SubscribeFlags,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        record!(self, "subscribe", key, mask, flags, obj(sink));
        Ok(4242)
    }

    fn unsubscribe(&self, connection: usize) -> MapiResult<()> {
        record!(self, "unsubscribe", connection);
        Ok(())
    }

    fn notify(
        &self,
        key: &[u8],
        notifications: &[Notification],
        flags: u32,
    ) -> MapiResult<NotifyResultFlags> {
        record!(self, "notify", key, notifications, flags);
        Ok(NotifyResultFlags::CANCELED)
    }

    fn modify_status_row(&self, columns: &[Prop], flags: StatusRowFlags) -> MapiResult<()> {
        record!(self, "modify_status_row", columns, flags);
        Ok(())
    }

    fn open_profile_section(
        &self,
        uid: Option<&MapiUid>,
        flags: ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        record!(self, "open_profile_section", uid, flags);
        Ok(self.section.clone())
    }

    fn register_preprocessor(
        &self,
        uid: Option<&MapiUid>,
        address_type: Option<TStr<'_>>,
        dll_name: TStr<'_>,
        preprocess: Option<&[u8]>,
        remove_preprocess_info: Option<&[u8]>,
        flags: u32,
    ) -> MapiResult<()> {
        record!(
            self,
            "register_preprocessor",
            uid,
            address_type,
            dll_name,
            preprocess,
            remove_preprocess_info,
            flags
        );
        Ok(())
    }

    fn new_uid(&self) -> MapiResult<MapiUid> {
        record!(self, "new_uid");
        Ok(MapiUid(*b"recorder's  UID!"))
    }

    fn make_invalid(
        &self,
        flags: u32,
        object: &Ref<dyn Unknown>,
        ref_count: u32,
        methods: u32,
    ) -> MapiResult<()> {
        record!(self, "make_invalid", flags, obj(object), ref_count, methods);
        Ok(())
    }

    fn spooler_yield(&self, flags: u32) -> MapiResult<()> {
        record!(self, "spooler_yield", flags);
        Ok(())
    }

    fn spooler_notify(&self, flags: SpoolerNotifyFlags, data: SpoolerNotifyData<'_>) -> MapiResult<()> {
        record!(self, "spooler_notify", flags, data);
        Ok(())
    }

    fn create_one_off(
        &self,
        name: Option<TStr<'_>>,
        address_type: TStr<'_>,
        address: TStr<'_>,
        flags: u32,
    ) -> MapiResult<Vec<u8>> {
        record!(self, "create_one_off", name, address_type, address, flags);
        Ok(b"one-off entry".to_vec())
    }

    fn set_provider_uid(&self, uid: &MapiUid, flags: u32) -> MapiResult<()> {
        record!(self, "set_provider_uid", uid, flags);
        Ok(())
    }

    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        record!(self, "compare_entry_ids", a, b, flags);
        Ok(true)
    }

    fn open_template_id(
        &self,
        template_id: &[u8],
        flags: u32,
        data: &Ref<dyn MapiProp>,
        interface: Option<Iid>,
        sibling: Option<&Ref<dyn MapiProp>>,
    ) -> MapiResult<Ref<dyn MapiProp>> {
        record!(
            self,
            "open_template_id",
            template_id,
            flags,
            obj(data),
            interface,
            opt_obj(sibling)
        );
        Ok(self.object.clone())
    }

    fn open_entry(&self, entry_id: &[u8], interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry> {
        record!(self, "open_entry", entry_id, interface, flags);
        Ok(OpenedEntry::Message(self.object.clone()))
    }

    fn get_one_off_table(&self, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        record!(self, "get_one_off_table", flags);
        Ok(self.opaque.clone())
    }

    fn address(
        &self,
        ui_param: &mut usize,
        adr_parms: &mut AdrParm,
        recipients: &mut Vec<Vec<Prop>>,
    ) -> MapiResult<()> {
        record!(self, "address", ui_param, adr_parms, recipients);
        // Every in/out parameter changes on the way out.
        *ui_param = DIALOG_WINDOW;
        adr_parms.accelerate = Some(ACCELERATE);
        recipients.push(vec![Prop {
            tag: PR_DISPLAY_NAME_W,
            value: "chosen in the dialog".into(),
        }]);
        Ok(())
    }

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
        record!(
            self,
            "details",
            ui_param,
            dismiss,
            dismiss_context,
            entry_id,
            button_callback,
            button_context,
            button_text,
            flags
        );
        *ui_param = DIALOG_WINDOW;
        Ok(())
    }

    fn new_entry(
        &self,
        ui_param: usize,
        flags: u32,
        container: Option<&[u8]>,
        template: Option<&[u8]>,
    ) -> MapiResult<Vec<u8>> {
        record!(self, "new_entry", ui_param, flags, container, template);
        Ok(b"new entry".to_vec())
    }

    fn do_config_propsheet(
        &self,
        ui_param: usize,
        flags: u32,
        title: TStr<'_>,
        display_table: &Ref<dyn Unknown>,
        config: &Ref<dyn MapiProp>,
        top_page: u32,
    ) -> MapiResult<()> {
        record!(
            self,
            "do_config_propsheet",
            ui_param,
            flags,
            title,
            obj(display_table),
            obj(config),
            top_page
        );
        Ok(())
    }

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
        record!(
            self,
            "copy_messages",
            src_interface,
            obj(src_folder),
            messages,
            dest_interface,
            obj(dest_folder),
            ui_param,
            opt_obj(progress),
            flags
        );
        Ok(())
    }

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
        record!(
            self,
            "copy_folder",
            src_interface,
            obj(src_folder),
            entry_id,
            dest_interface,
            obj(dest_folder),
            new_name,
            ui_param,
            opt_obj(progress),
            flags
        );
        Ok(())
    }

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
        record!(
            self,
            "do_copy_to",
            src_interface,
            obj(src),
            exclude_interfaces,
            exclude_props,
            ui_param,
            opt_obj(progress),
            dest_interface,
            obj(dest),
            flags
        );
        Ok(vec![PropProblem {
            index: 1,
            tag: PR_RECORD_KEY,
            error: MapiError::NoAccess,
        }])
    }

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
        record!(
            self,
            "do_copy_props",
            src_interface,
            obj(src),
            include,
            ui_param,
            opt_obj(progress),
            dest_interface,
            obj(dest),
            flags
        );
        Ok(vec![PropProblem {
            index: 0,
            tag: PR_DISPLAY_NAME_W,
            error: MapiError::NotFound,
        }])
    }

    fn do_progress_dialog(&self, ui_param: usize, flags: u32) -> MapiResult<Ref<dyn MapiProgress>> {
        record!(self, "do_progress_dialog", ui_param, flags);
        Ok(self.progress.clone())
    }

    fn read_receipt(
        &self,
        flags: ReadReceiptFlags,
        read_message: &Ref<dyn MapiProp>,
        empty_message: Option<&Ref<dyn MapiProp>>,
    ) -> MapiResult<Option<Ref<dyn MapiProp>>> {
        record!(
            self,
            "read_receipt",
            flags,
            obj(read_message),
            opt_obj(empty_message)
        );
        Ok(Some(self.object.clone()))
    }

    fn prepare_submit(&self, message: &Ref<dyn MapiProp>, flags: u32) -> MapiResult<u32> {
        record!(self, "prepare_submit", obj(message), flags);
        Ok(0x5150)
    }

    fn expand_recips(&self, message: &Ref<dyn MapiProp>, flags: u32) -> MapiResult<u32> {
        record!(self, "expand_recips", obj(message), flags);
        Ok(0x0E0E)
    }

    fn update_pab(&self, flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<()> {
        record!(self, "update_pab", flags, obj(message));
        Ok(())
    }

    fn do_sent_mail(&self, flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<()> {
        record!(self, "do_sent_mail", flags, obj(message));
        Ok(())
    }

    fn open_address_book(&self, interface: Option<Iid>, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        record!(self, "open_address_book", interface, flags);
        Ok(self.opaque.clone())
    }

    fn preprocess(&self, flags: u32, entry_id: &[u8]) -> MapiResult<()> {
        record!(self, "preprocess", flags, entry_id);
        Ok(())
    }

    fn complete_msg(&self, flags: u32, entry_id: &[u8]) -> MapiResult<()> {
        record!(self, "complete_msg", flags, entry_id);
        Ok(())
    }

    fn store_logoff_transports(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        record!(self, "store_logoff_transports", flags);
        Ok(LogoffFlags::COMPLETE | LogoffFlags::OUTBOUND_QUEUE)
    }

    fn status_recips(&self, message: &Ref<dyn MapiProp>, recipients: &[Vec<Prop>]) -> MapiResult<()> {
        record!(self, "status_recips", obj(message), recipients);
        Ok(())
    }

    fn wrap_store_entry_id(&self, original: &[u8]) -> MapiResult<BufferId> {
        record!(self, "wrap_store_entry_id", original);
        Ok(self.wrapped)
    }

    fn modify_profile(&self, flags: u32) -> MapiResult<()> {
        record!(self, "modify_profile", flags);
        Ok(())
    }

    fn istorage_from_stream(
        &self,
        stream_in: &Ref<dyn Unknown>,
        interface: Option<&Iid>,
        flags: StorageFromStreamFlags,
    ) -> MapiResult<Ref<dyn Unknown>> {
        record!(self, "istorage_from_stream", obj(stream_in), interface, flags);
        Ok(self.opaque.clone())
    }

    fn get_svc_config_support_obj(&self, flags: u32) -> MapiResult<Ref<dyn MapiSupport>> {
        record!(self, "get_svc_config_support_obj", flags);
        Ok(self.config_support.clone())
    }
}

// ---------------------------------------------------------------------------------------------
// One call of every method
// ---------------------------------------------------------------------------------------------

/// The objects the calls pass, each a different object so that one passed in the place of
/// another shows.
struct Fixture {
    routines: MemRoutines,
    sink: Ref<dyn AdviseSink>,
    source: Ref<dyn MapiProp>,
    destination: Ref<dyn MapiProp>,
    /// A registered object, for `MakeInvalid`.
    object: Ref<dyn Unknown>,
    progress: Ref<dyn MapiProgress>,
    /// A table, a stream: objects the crate does not model.
    table: Ref<dyn Unknown>,
    stream: Ref<dyn Unknown>,
    /// A message the calls pass besides `source` and `destination`.
    message: Ref<dyn MapiProp>,
    /// What `SpoolerNotify` is told of.
    new_mail: NewMailNotification,
}

impl Fixture {
    fn new() -> Fixture {
        let ledger = ObjectLedger::new();
        let registered = ledger.register(Nothing, ObjectInfo::new(InterfaceKind::Object));
        Fixture {
            routines: MemRoutines::new(),
            sink: Ref::new(Sink).into(),
            source: Ref::new(Nothing).into(),
            destination: Ref::new(Nothing).into(),
            object: registered.unknown(),
            progress: Ref::new(Progress).into(),
            table: Ref::new(Opaque).unknown(),
            stream: Ref::new(Opaque).unknown(),
            message: Ref::new(Nothing).into(),
            new_mail: NewMailNotification {
                entry_id: b"new message".to_vec(),
                parent_id: b"inbox".to_vec(),
                flags: 0x8000_0000,
                message_class: TString::wide_from_str("IPM.Note"),
                message_flags: 0x21,
            },
        }
    }
}

/// The address dialog's parameters, every member set to a value of its own.
fn adr_parm() -> AdrParm {
    AdrParm {
        container_entry_id: Some(b"container".to_vec()),
        flags: 0x8000_0001,
        reserved: None,
        help_context: 0x4E1,
        help_file_name: Some(TString::wide_from_str("help.hlp")),
        accelerate: None,
        dismiss: Some(0xD15),
        dismiss_context: Some(0xC0),
        caption: Some(TString::wide_from_str("Choose")),
        new_entry_title: Some(TString::wide_from_str("New")),
        dest_wells_title: Some(TString::wide_from_str("Send to")),
        dest_fields: 2,
        dest_field_focus: 1,
        dest_titles: Some(vec![TString::wide_from_str("To"), TString::wide_from_str("Cc")]),
        dest_comps: Some(vec![1, 2]),
        contents_restriction: Some(0x7E57),
        hierarchy_restriction: Some(0x41E7),
    }
}

/// A result as text: values by their `Debug` form, objects by identity.
trait Show {
    fn show(&self) -> String;
}

impl<T: Show> Show for MapiResult<T> {
    fn show(&self) -> String {
        match self {
            Ok(value) => format!("Ok({})", value.show()),
            Err(error) => format!("Err({error})"),
        }
    }
}

impl<T: ?Sized> Show for Ref<T> {
    fn show(&self) -> String {
        obj(self)
    }
}

impl<T: ?Sized> Show for Option<Ref<T>> {
    fn show(&self) -> String {
        opt_obj(self.as_ref())
    }
}

impl Show for OpenedEntry {
    fn show(&self) -> String {
        let object = self.object();
        format!("{:?} {}", self.object_type(), obj(&object))
    }
}

macro_rules! show_by_debug {
    ($($ty:ty),* $(,)?) => {
        $(impl Show for $ty {
            fn show(&self) -> String {
                format!("{self:?}")
            }
        })*
    };
}

show_by_debug!(
    (),
    bool,
    u32,
    usize,
    MapiUid,
    Vec<u8>,
    Vec<Vec<Prop>>,
    Vec<PropProblem>,
    NotifyResultFlags,
    LogoffFlags,
    BufferId,
    Option<MapiBuffer<MapiErrorInfo>>,
);

/// One call of one method with arguments of its own, and its result as text.
type Case = fn(&dyn MapiSupport, &Fixture) -> String;

/// `IID_ILockBytes` (OLE's), an interface `IStorageFromStream` takes a stream through.
const IID_ILOCKBYTES: Iid = Iid(uuid::Uuid::from_u128(0x0000_000A_0000_0000_C000_0000_0000_0046));

/// The columns passed as a status row, a notification's properties and a recipient.
fn columns() -> Vec<Prop> {
    vec![Prop {
        tag: PR_DISPLAY_NAME_W,
        value: "Inner Store".into(),
    }]
}

/// Every method of `MapiSupport` called once, in the order of [`METHODS`].
const CASES: [(&str, Case); 41] = [
    ("get_last_error", |s, _| {
        s.get_last_error(MapiError::DiskError, 0x11).show()
    }),
    ("get_mem_alloc_routines", |s, f| {
        // Routines are told apart by identity: are they the fixture's?
        s.get_mem_alloc_routines().map(|r| r.same_as(&f.routines)).show()
    }),
    ("subscribe", |s, f| {
        s.subscribe(b"key 1", EventMask::NEW_MAIL, SubscribeFlags::SYNC, &f.sink)
            .show()
    }),
    ("unsubscribe", |s, _| s.unsubscribe(31).show()),
    ("notify", |s, _| {
        let notification = Notification::status_object(b"created".to_vec(), columns());
        s.notify(b"key 2", &[notification], 0x22).show()
    }),
    ("modify_status_row", |s, _| {
        s.modify_status_row(&columns(), StatusRowFlags::UPDATE).show()
    }),
    ("open_profile_section", |s, _| {
        let uid = MapiUid(*b"a section's UID!");
        s.open_profile_section(Some(&uid), ProfileSectionFlags::MODIFY)
            .show()
    }),
    ("register_preprocessor", |s, _| {
        let uid = MapiUid(*b"preprocessor UID");
        s.register_preprocessor(
            Some(&uid),
            Some(TStr::ansi(b"SMTP")),
            TStr::ansi(b"PRE.DLL"),
            Some(b"Preprocess"),
            Some(b"RemovePreprocessInfo"),
            0x33,
        )
        .show()
    }),
    ("new_uid", |s, _| s.new_uid().show()),
    ("make_invalid", |s, f| {
        s.make_invalid(0x44, &f.object, 3, 12).show()
    }),
    ("spooler_yield", |s, _| s.spooler_yield(0x55).show()),
    ("spooler_notify", |s, f| {
        s.spooler_notify(
            SpoolerNotifyFlags::NEWMAIL_RECEIVED,
            SpoolerNotifyData::NewMail(&f.new_mail),
        )
        .show()
    }),
    ("create_one_off", |s, _| {
        let name = TString::wide_from_str("Someone");
        let address = TString::wide_from_str("someone@example.org");
        s.create_one_off(
            Some(name.as_tstr()),
            TStr::wide(&[0x53, 0x4D, 0x54, 0x50]),
            address.as_tstr(),
            0x8000_0066,
        )
        .show()
    }),
    ("set_provider_uid", |s, _| {
        s.set_provider_uid(&MapiUid(*b"provider's  UID!"), 0x77).show()
    }),
    ("compare_entry_ids", |s, _| {
        s.compare_entry_ids(b"entry a", b"entry b", 0x88).show()
    }),
    ("open_template_id", |s, f| {
        s.open_template_id(
            b"template",
            0x99,
            &f.source,
            Some(Iid::IMAILUSER),
            Some(&f.destination),
        )
        .show()
    }),
    ("open_entry", |s, _| {
        s.open_entry(b"an entry", Some(Iid::IMESSAGE), 0xAA).show()
    }),
    ("get_one_off_table", |s, _| s.get_one_off_table(0xBB).show()),
    ("address", |s, _| {
        let mut ui_param = 0xCC;
        let mut adr_parms = adr_parm();
        let mut recipients = vec![columns()];
        let result = s.address(&mut ui_param, &mut adr_parms, &mut recipients);
        format!(
            "{} with window {ui_param:#x}, {adr_parms:?} and recipients {recipients:?}",
            result.show()
        )
    }),
    ("details", |s, _| {
        let mut ui_param = 0xDD;
        let text = TString::wide_from_str("More");
        let result = s.details(
            &mut ui_param,
            Some(0xD15),
            Some(0xC0),
            b"detailed",
            Some(0xB0),
            Some(0xBC),
            Some(text.as_tstr()),
            0x8000_0001,
        );
        format!("{} with window {ui_param:#x}", result.show())
    }),
    ("new_entry", |s, _| {
        s.new_entry(0xFF, 0x101, Some(b"container"), Some(b"template"))
            .show()
    }),
    ("do_config_propsheet", |s, f| {
        s.do_config_propsheet(0x102, 0x103, TStr::ansi(b"Settings"), &f.table, &f.source, 2)
            .show()
    }),
    ("copy_messages", |s, f| {
        let messages = [b"message 1".to_vec(), b"message 2".to_vec()];
        s.copy_messages(
            &Iid::IMAPIFOLDER,
            &f.source.unknown(),
            &messages,
            &Iid::IMAPICONTAINER,
            &f.destination.unknown(),
            0x104,
            Some(&f.progress),
            0x105,
        )
        .show()
    }),
    ("copy_folder", |s, f| {
        let name = TString::wide_from_str("Copied");
        s.copy_folder(
            &Iid::IMAPIFOLDER,
            &f.source.unknown(),
            b"folder",
            Some(&Iid::IMAPICONTAINER),
            &f.destination.unknown(),
            Some(name.as_tstr()),
            0x106,
            Some(&f.progress),
            0x8000_0107,
        )
        .show()
    }),
    ("do_copy_to", |s, f| {
        s.do_copy_to(
            &Iid::IMESSAGE,
            &f.source.unknown(),
            &[Iid::IATTACHMENT, Iid::IMAPITABLE],
            Some(&[PR_RECORD_KEY, PR_DISPLAY_NAME_W]),
            0x108,
            Some(&f.progress),
            &Iid::IMAPIPROP,
            &f.destination.unknown(),
            0x109,
        )
        .show()
    }),
    ("do_copy_props", |s, f| {
        s.do_copy_props(
            &Iid::IMESSAGE,
            &f.source.unknown(),
            &[PR_DISPLAY_NAME_W],
            0x10A,
            Some(&f.progress),
            &Iid::IMAPIPROP,
            &f.destination.unknown(),
            0x10B,
        )
        .show()
    }),
    ("do_progress_dialog", |s, _| {
        s.do_progress_dialog(0x108, 0x109).show()
    }),
    ("read_receipt", |s, f| {
        s.read_receipt(ReadReceiptFlags::NON_READ, &f.source, Some(&f.message))
            .show()
    }),
    ("prepare_submit", |s, f| s.prepare_submit(&f.source, 0x10A).show()),
    ("expand_recips", |s, f| {
        s.expand_recips(&f.destination, 0x10B).show()
    }),
    ("update_pab", |s, f| s.update_pab(0x10C, &f.source).show()),
    ("do_sent_mail", |s, f| {
        s.do_sent_mail(0x10D, &f.destination).show()
    }),
    ("open_address_book", |s, _| {
        s.open_address_book(Some(Iid::IMAPIPROP), 0x10E).show()
    }),
    ("preprocess", |s, _| s.preprocess(0x10F, b"preprocessed").show()),
    ("complete_msg", |s, _| s.complete_msg(0x110, b"completed").show()),
    ("store_logoff_transports", |s, _| {
        s.store_logoff_transports(LogoffFlags::ORDERLY).show()
    }),
    ("status_recips", |s, f| {
        s.status_recips(&f.source, &[columns()]).show()
    }),
    ("wrap_store_entry_id", |s, _| {
        s.wrap_store_entry_id(b"original").show()
    }),
    ("modify_profile", |s, _| s.modify_profile(0x111).show()),
    ("istorage_from_stream", |s, f| {
        s.istorage_from_stream(
            &f.stream,
            Some(&IID_ILOCKBYTES),
            StorageFromStreamFlags::CURRENT | StorageFromStreamFlags::MODIFY,
        )
        .show()
    }),
    ("get_svc_config_support_obj", |s, _| {
        s.get_svc_config_support_obj(0x113).show()
    }),
];

/// What one call did: the calls the recorder received during it, and the result.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Outcome {
    method: &'static str,
    received: Vec<Call>,
    result: String,
}

/// Every case called once on `support`, with what `recorder` received during each.
fn call_every_method(support: &dyn MapiSupport, recorder: &Recorder, fixture: &Fixture) -> Vec<Outcome> {
    recorder.take_calls();
    CASES
        .iter()
        .map(|(method, case)| {
            let result = case(support, fixture);
            Outcome {
                method,
                received: recorder.take_calls(),
                result,
            }
        })
        .collect()
}

/// The names of the methods of the `MapiSupport` trait, read from its source.
fn methods_in_source() -> Vec<String> {
    let source = include_str!("../src/spi/support.rs");
    let (_, body) = source
        .split_once("pub trait MapiSupport: Send + Sync {")
        .expect("the MapiSupport trait");
    body.lines()
        .filter_map(|line| line.strip_prefix("    fn "))
        .map(|rest| rest.split(['(', '<']).next().unwrap().to_owned())
        .collect()
}

/// The number of parameters (after `&self`) of each method of the `MapiSupport` trait, read from
/// its source.
fn parameter_counts_in_source() -> Vec<(String, usize)> {
    let source = include_str!("../src/spi/support.rs");
    let (_, body) = source
        .split_once("pub trait MapiSupport: Send + Sync {")
        .expect("the MapiSupport trait");
    let mut counts = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("\n    fn ") {
        let signature = &rest[at + "\n    fn ".len()..];
        let name = signature.split(['(', '<']).next().unwrap().to_owned();
        // The parameter list: from the first `(` to the one that closes it.
        let open = signature.find('(').unwrap();
        let (mut depth, mut close) = (0i32, open);
        for (i, c) in signature[open..].char_indices() {
            match c {
                '(' | '<' => depth += 1,
                ')' | '>' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                close = open + i;
                break;
            }
        }
        let (mut depth, mut parameters) = (0i32, vec![String::new()]);
        for c in signature[open + 1..close].chars() {
            match c {
                '(' | '<' => depth += 1,
                ')' | '>' => depth -= 1,
                ',' if depth == 0 => {
                    parameters.push(String::new());
                    continue;
                }
                _ => {}
            }
            parameters.last_mut().unwrap().push(c);
        }
        let count = parameters
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty() && *p != "&self")
            .count();
        counts.push((name, count));
        rest = &signature[close..];
    }
    counts
}

/// The recorder wrapped in a `ForwardSupport` with `overrides`, as a support object.
fn forwarding<O: SupportOverrides + 'static>(recorder: &Ref<Recorder>, overrides: O) -> Ref<dyn MapiSupport> {
    Ref::new(ForwardSupport::new(recorder.clone().into(), overrides)).into()
}

// ---------------------------------------------------------------------------------------------
// ForwardSupport
// ---------------------------------------------------------------------------------------------

#[test]
fn the_method_list_is_the_whole_mapi_support_trait() {
    let in_source = methods_in_source();
    assert_eq!(in_source.len(), 41, "MapiSupport has {} methods", in_source.len());
    assert_eq!(in_source, METHODS);
    let cases: Vec<&str> = CASES.iter().map(|(name, _)| *name).collect();
    assert_eq!(cases, METHODS);
}

#[test]
fn the_recorder_records_every_parameter_of_every_method() {
    // One recorded argument per parameter of the trait's method: a parameter added to
    // `MapiSupport` fails here until the recorder records it (and so until the forwarding test
    // compares it).
    let fixture = Fixture::new();
    let recorder = Recorder::new(&MemRoutines::new());
    let direct = call_every_method(&recorder, &recorder, &fixture);
    let counts = parameter_counts_in_source();
    assert_eq!(counts.len(), METHODS.len());
    for ((name, count), outcome) in counts.iter().zip(&direct) {
        assert_eq!(name, outcome.method);
        assert_eq!(
            outcome.received[0].args.len(),
            *count,
            "{name}: {:?}",
            outcome.received[0].args
        );
    }
    // The parser counts what it should.
    let by_name = |name: &str| counts.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(by_name("get_mem_alloc_routines"), 0);
    assert_eq!(by_name("details"), 8);
    assert_eq!(by_name("do_copy_to"), 9);
    assert_eq!(by_name("copy_folder"), 9);
}

#[test]
fn the_recorder_answers_every_method_with_a_success_of_its_own() {
    let fixture = Fixture::new();
    let recorder = Recorder::new(&MemRoutines::new());
    let direct = call_every_method(&recorder, &recorder, &fixture);
    for (outcome, method) in direct.iter().zip(METHODS) {
        assert_eq!(outcome.method, method);
        assert_eq!(outcome.received.len(), 1, "{method}: {:?}", outcome.received);
        assert_eq!(outcome.received[0].method, method);
        assert!(outcome.result.starts_with("Ok("), "{method}: {}", outcome.result);
    }
    // Objects passed are told apart, and the values returned are the recorder's.
    let by_name = |name: &str| direct.iter().find(|o| o.method == name).unwrap();
    assert_eq!(
        by_name("copy_messages").received[0].args[1],
        format!("{:?}", obj(&fixture.source))
    );
    assert_eq!(
        by_name("copy_messages").received[0].args[4],
        format!("{:?}", obj(&fixture.destination))
    );
    assert_eq!(
        by_name("make_invalid").received[0].args[1],
        format!("{:?}", obj(&fixture.object))
    );
    // The in/out parameters come back changed.
    let address = &by_name("address").result;
    assert!(
        address.contains(&format!("window {DIALOG_WINDOW:#x}")),
        "{address}"
    );
    assert!(
        address.contains(&format!("accelerate: Some({ACCELERATE})")),
        "{address}"
    );
    let details = &by_name("details").result;
    assert!(
        details.contains(&format!("window {DIALOG_WINDOW:#x}")),
        "{details}"
    );
    assert_eq!(by_name("subscribe").result, "Ok(4242)");
    assert_eq!(by_name("get_mem_alloc_routines").result, "Ok(false)");
    assert_eq!(
        by_name("open_profile_section").result,
        format!("Ok({})", obj(&recorder.section))
    );
    assert!(by_name("address").result.contains("chosen in the dialog"));
}

#[test]
fn forward_support_passes_every_method_through_unchanged() {
    let fixture = Fixture::new();
    let recorder = Ref::new(Recorder::new(&fixture.routines));
    let direct = call_every_method(&*recorder, &recorder, &fixture);
    let support = forwarding(&recorder, NoOverrides);
    let forwarded = call_every_method(&*support, &recorder, &fixture);

    assert_eq!(forwarded.len(), METHODS.len());
    for (through, plain) in forwarded.iter().zip(&direct) {
        let method = plain.method;
        // Exactly one call reached the inner object: the same method with the same arguments.
        assert_eq!(through.received, plain.received, "{method}");
        assert_eq!(through.received.len(), 1, "{method}");
        assert_eq!(through.received[0].method, method);
        // And what it returned came back.
        assert_eq!(through.result, plain.result, "{method}");
        assert!(through.result.starts_with("Ok("), "{method}: {}", through.result);
    }
    let recorded: Vec<&str> = forwarded
        .iter()
        .flat_map(|o| o.received.iter().map(|c| c.method))
        .collect();
    assert_eq!(recorded, METHODS);
    assert_eq!(recorded.len(), 41);
    // The routines come through as the same routines.
    let routines = forwarded.iter().find(|o| o.method == "get_mem_alloc_routines");
    assert_eq!(routines.unwrap().result, "Ok(true)");
}

#[test]
fn a_support_object_that_forwards_nothing_would_fail_this_check() {
    // The check above tells a forwarding object from one that forgets: without forwarding, every
    // method answers MAPI_E_NO_SUPPORT and the recorder hears nothing.
    let fixture = Fixture::new();
    let recorder = Recorder::new(&fixture.routines);
    let forgetful = call_every_method(&NoSupportAtAll, &recorder, &fixture);
    for outcome in &forgetful {
        assert!(
            outcome.result.starts_with("Err(MAPI_E_NO_SUPPORT"),
            "{}: {}",
            outcome.method,
            outcome.result
        );
        assert!(outcome.received.is_empty());
    }
}

/// Overrides that answer `NewUID` themselves.
struct OwnUid;

const OWN_UID: MapiUid = MapiUid(*b"the wrapper's ID");

impl SupportOverrides for OwnUid {
    fn new_uid(&self, _inner: &dyn MapiSupport) -> MapiResult<MapiUid> {
        Ok(OWN_UID)
    }
}

#[test]
fn an_overridden_method_is_not_forwarded_and_the_others_still_are() {
    let fixture = Fixture::new();
    let recorder = Ref::new(Recorder::new(&fixture.routines));
    let direct = call_every_method(&*recorder, &recorder, &fixture);
    let support = forwarding(&recorder, OwnUid);
    let forwarded = call_every_method(&*support, &recorder, &fixture);

    for (through, plain) in forwarded.iter().zip(&direct) {
        if plain.method == "new_uid" {
            assert!(through.received.is_empty(), "{:?}", through.received);
            assert_eq!(through.result, format!("Ok({OWN_UID:?})"));
            assert_ne!(through.result, plain.result);
        } else {
            assert_eq!(through, plain);
        }
    }
    let recorded = forwarded.iter().map(|o| o.received.len()).sum::<usize>();
    assert_eq!(recorded, 40);
}

/// Overrides that rename the display-name column of the status row, as in the module example.
struct Rename(&'static str);

impl SupportOverrides for Rename {
    fn modify_status_row(
        &self,
        inner: &dyn MapiSupport,
        columns: &[Prop],
        flags: StatusRowFlags,
    ) -> MapiResult<()> {
        let mut row: PropBag = columns.iter().cloned().collect();
        row.put(PR_DISPLAY_NAME_W, self.0);
        let renamed: Vec<Prop> = row.iter().cloned().collect();
        inner.modify_status_row(&renamed, flags)
    }
}

#[test]
fn an_override_can_change_the_arguments_it_forwards() {
    let recorder = Ref::new(Recorder::new(&MemRoutines::new()));
    let support = forwarding(&recorder, Rename("Wrapped Store"));
    let row = vec![
        Prop {
            tag: PR_DISPLAY_NAME_W,
            value: "Inner Store".into(),
        },
        Prop {
            tag: PR_RESOURCE_FLAGS,
            value: 3u32.into(),
        },
    ];
    support.modify_status_row(&row, StatusRowFlags::UPDATE).unwrap();
    let expected = vec![
        Prop {
            tag: PR_DISPLAY_NAME_W,
            value: "Wrapped Store".into(),
        },
        row[1].clone(),
    ];
    assert_eq!(
        recorder.take_calls(),
        vec![Call {
            method: "modify_status_row",
            args: vec![format!("{expected:?}"), format!("{:?}", StatusRowFlags::UPDATE)],
        }]
    );
}

#[test]
fn forward_support_holds_one_reference_to_the_inner_object() {
    let recorder = Ref::new(Recorder::new(&MemRoutines::new()));
    assert_eq!(recorder.ref_count(), 1);
    let wrapper = ForwardSupport::new(recorder.clone().into(), Rename("Wrapped"));
    assert_eq!(recorder.ref_count(), 2);
    assert!(wrapper.inner().same_object(&recorder));
    assert_eq!(wrapper.overrides().0, "Wrapped");
    let debug = format!("{wrapper:?}");
    assert!(debug.starts_with("ForwardSupport"), "{debug}");
    assert!(debug.contains("Rename"), "{debug}");
    drop(wrapper);
    assert_eq!(recorder.ref_count(), 1);
}

// ---------------------------------------------------------------------------------------------
// A wrapping store provider in the simulator
// ---------------------------------------------------------------------------------------------

/// The name the wrapper gives the sample's store in the status table.
const WRAPPED_NAME: &str = "Wrapped Sample Store";

/// What the wrapping provider's `Logon` asked MAPI's support object to wrap.
const ORIGINAL: &[u8] = b"a store";

/// Where the wrapping provider keeps the ID MAPI's support object wrapped for it.
type Wrapped = Arc<Mutex<Option<Vec<u8>>>>;

/// The sample's DLL, whose provider hands the sample a `ForwardSupport` that renames its status
/// row.
struct RenamingLibrary {
    inner: SampleLibrary,
    wrapped: Wrapped,
}

impl ProviderLibrary for RenamingLibrary {
    fn exports(&self) -> Exports {
        self.inner.exports()
    }

    fn service_entry(&self, args: &ServiceEntryArgs<'_>) -> MapiResult<()> {
        self.inner.service_entry(args)
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        let inner = self.inner.ms_provider_init(args)?;
        let provider = Ref::new(RenamingProvider {
            inner: inner.provider,
            routines: args.routines.clone(),
            wrapped: Arc::clone(&self.wrapped),
        });
        Ok(ProviderInit {
            provider: provider.into(),
            version: inner.version,
        })
    }
}

/// The wrapping provider.
struct RenamingProvider {
    inner: Ref<dyn MsProvider>,
    routines: MemRoutines,
    wrapped: Wrapped,
}

impl MsProvider for RenamingProvider {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        self.inner.shutdown(flags)
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        // The helper reads and frees the buffer MAPI's support object returns.
        let wrapped = wrapped_store_entry_id(&**args.support, &self.routines, ORIGINAL)?;
        *self.wrapped.lock().unwrap() = Some(wrapped);
        let support = ForwardSupport::new(args.support.clone(), Rename(WRAPPED_NAME));
        let support: Ref<dyn MapiSupport> = Ref::new(support).into();
        self.inner.logon(&StoreLogonArgs {
            support: &support,
            ..*args
        })
    }

    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        self.inner.spooler_logon(args)
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        self.inner.compare_store_ids(a, b, flags)
    }
}

/// What the wrapped sample's lifecycle showed: the status table while the store was open, the
/// ID MAPI wrapped for the wrapper, and the report.
struct Renamed {
    status: Vec<PropBag>,
    wrapped: Option<Vec<u8>>,
    report: Report,
}

/// The whole store lifecycle on the wrapped sample.
fn run_renamed() -> Renamed {
    let wrapped = Wrapped::default();
    let shared = Arc::clone(&wrapped);
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, move || RenamingLibrary {
            inner: SampleStore::library(),
            wrapped: Arc::clone(&shared),
        })
        .service(SampleStore::service("SMPMS"))
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();

    let mapi = sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS).unwrap();
    let session = mapi.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    sim.spooler().run_until_idle();
    let status = session.status_table().unwrap();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    let wrapped = wrapped.lock().unwrap().clone();
    Renamed {
        status,
        wrapped,
        report: sim.finish(),
    }
}

#[test]
fn a_wrapping_store_provider_renames_its_status_row_and_keeps_every_rule() {
    let renamed = run_renamed();
    let names: Vec<&str> = renamed
        .status
        .iter()
        .filter_map(|r| r.get_str(PR_DISPLAY_NAME_W))
        .collect();
    assert!(names.contains(&WRAPPED_NAME), "{names:?}");
    assert!(!names.contains(&"Sample Store"), "{names:?}");
    // StoreLogoffTransports went through the wrapper, MAPI's support object was released through
    // it, and the buffer of WrapStoreEntryID was freed.
    renamed.report.assert_clean();
}

#[test]
fn the_wrap_helper_and_mapis_support_object_agree() {
    let renamed = run_renamed();
    renamed.report.assert_clean();
    let from_mapi = renamed.wrapped.expect("a fresh logon asked MAPI to wrap");
    let routines = MemRoutines::new();
    let buffer = wrap_store_entry_id(&routines, SampleStore::DLL_BASE, ORIGINAL).unwrap();
    assert_eq!(routines.take_bytes(buffer).unwrap(), from_mapi);
}

// ---------------------------------------------------------------------------------------------
// HrGetOneProp and HrSetOneProp
// ---------------------------------------------------------------------------------------------

/// How a [`PropObject`] answers `GetProps`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum GetAnswer {
    /// From its properties, as `PropBag::select` does.
    Props,
    /// The call fails with this error.
    Fails(MapiError),
    /// An empty array.
    Nothing,
}

/// An object with properties in its routines' buffers; `PR_RECORD_KEY` is read-only.
struct PropObject {
    props: Mutex<PropBag>,
    routines: MemRoutines,
    get: GetAnswer,
    set_fails: Option<MapiError>,
    asked: Mutex<Vec<Vec<PropTag>>>,
    given: Mutex<Vec<Vec<Prop>>>,
}

impl PropObject {
    fn new(routines: &MemRoutines, get: GetAnswer) -> PropObject {
        let mut props = PropBag::new();
        props
            .put(PR_DISPLAY_NAME_W, "Sample Store")
            .put(PR_RESOURCE_FLAGS, MapiError::NoAccess);
        PropObject {
            props: Mutex::new(props),
            routines: routines.clone(),
            get,
            set_fails: None,
            asked: Mutex::default(),
            given: Mutex::default(),
        }
    }
}

impl MapiProp for PropObject {
    fn get_props(&self, tags: Option<&[PropTag]>, _flags: u32) -> MapiResult<Warned<PropArray>> {
        self.asked.lock().unwrap().push(tags.unwrap_or_default().to_vec());
        let answer = match self.get {
            GetAnswer::Props => self.props.lock().unwrap().select(tags),
            GetAnswer::Fails(error) => return Err(error),
            GetAnswer::Nothing => Warned::ok(Vec::new()),
        };
        Ok(Warned {
            value: self.routines.allocate_value(answer.value)?,
            warning: answer.warning,
        })
    }

    fn set_props(&self, props: &[Prop]) -> MapiResult<Vec<PropProblem>> {
        self.given.lock().unwrap().push(props.to_vec());
        if let Some(error) = self.set_fails {
            return Err(error);
        }
        let mut problems = Vec::new();
        for (index, prop) in props.iter().enumerate() {
            if prop.tag.id() == PR_RECORD_KEY.id() {
                problems.push(PropProblem {
                    index,
                    tag: prop.tag,
                    error: MapiError::NoAccess,
                });
            } else {
                self.props.lock().unwrap().put(prop.tag, prop.value.clone());
            }
        }
        Ok(problems)
    }
}

/// `hr_get_one_prop` of each tag in turn on an object that answers as `get` says: the results,
/// and how many arrays the object allocated. Each call asked `GetProps` for its one tag, and every
/// array was freed.
#[track_caller]
fn get_each(get: GetAnswer, tags: &[PropTag]) -> (Vec<MapiResult<Prop>>, u64) {
    let routines = MemRoutines::new();
    let object = PropObject::new(&routines, get);
    let results = tags
        .iter()
        .map(|&tag| hr_get_one_prop(&object, &routines, tag))
        .collect();
    let asked: Vec<Vec<PropTag>> = tags.iter().map(|&tag| vec![tag]).collect();
    assert_eq!(*object.asked.lock().unwrap(), asked);
    assert_eq!(routines.live_blocks(), 0, "{:?}", routines.blocks());
    (results, routines.allocations())
}

#[test]
fn hr_get_one_prop_returns_the_property_and_frees_the_array() {
    let name = Prop {
        tag: PR_DISPLAY_NAME_W,
        value: PropValue::Unicode("Sample Store".into()),
    };
    assert_eq!(
        get_each(GetAnswer::Props, &[PR_DISPLAY_NAME_W]),
        (vec![Ok(name)], 1)
    );
}

#[test]
fn hr_get_one_prop_turns_a_pt_error_value_into_its_error() {
    // Missing: GetProps answers MAPI_E_NOT_FOUND in a PT_ERROR value, with a warning. Stored as
    // an error (asked for with the stored type): that error, whatever it is.
    let tags = [PR_RECORD_KEY, PR_RESOURCE_FLAGS.with_type(PropType::UNSPECIFIED)];
    assert_eq!(
        get_each(GetAnswer::Props, &tags),
        (vec![Err(MapiError::NotFound), Err(MapiError::NoAccess)], 2)
    );
}

#[test]
fn hr_get_one_prop_passes_on_a_failing_get_props() {
    assert_eq!(
        get_each(GetAnswer::Fails(MapiError::NetworkError), &[PR_DISPLAY_NAME_W]),
        (vec![Err(MapiError::NetworkError)], 0)
    );
}

#[test]
fn hr_get_one_prop_frees_an_empty_answer_and_fails() {
    assert_eq!(
        get_each(GetAnswer::Nothing, &[PR_DISPLAY_NAME_W]),
        (vec![Err(MapiError::CallFailed)], 1)
    );
}

/// `hr_set_one_prop` of `prop` on an object whose `SetProps` fails with `fails`, if given: the
/// result and the object's properties afterwards. `SetProps` was called once, with `prop` alone,
/// and nothing was allocated.
#[track_caller]
fn set_one(fails: Option<MapiError>, prop: Prop) -> (MapiResult<()>, PropBag) {
    let routines = MemRoutines::new();
    let mut object = PropObject::new(&routines, GetAnswer::Props);
    object.set_fails = fails;
    let result = hr_set_one_prop(&object, &prop);
    assert_eq!(*object.given.lock().unwrap(), vec![vec![prop]]);
    assert_eq!(routines.allocations(), 0);
    (result, object.props.into_inner().unwrap())
}

/// `PR_DISPLAY_NAME_W` set to "Renamed".
fn renamed() -> Prop {
    Prop {
        tag: PR_DISPLAY_NAME_W,
        value: "Renamed".into(),
    }
}

#[test]
fn hr_set_one_prop_sets_that_one_property() {
    let (result, props) = set_one(None, renamed());
    assert_eq!(result, Ok(()));
    assert_eq!(props.get_str(PR_DISPLAY_NAME_W), Some("Renamed"));
}

#[test]
fn hr_set_one_prop_turns_a_refused_property_into_its_error() {
    let key = Prop {
        tag: PR_RECORD_KEY,
        value: vec![1, 2, 3].into(),
    };
    let (result, props) = set_one(None, key);
    assert_eq!(result, Err(MapiError::NoAccess));
    assert!(!props.contains(PR_RECORD_KEY));
}

#[test]
fn hr_set_one_prop_passes_on_a_failing_set_props() {
    let (result, props) = set_one(Some(MapiError::NoSupport), renamed());
    assert_eq!(result, Err(MapiError::NoSupport));
    assert_eq!(props.get_str(PR_DISPLAY_NAME_W), Some("Sample Store"));
}

// ---------------------------------------------------------------------------------------------
// WrapStoreEntryID
// ---------------------------------------------------------------------------------------------

#[test]
fn wrap_store_entry_id_gives_the_wrapped_id_in_a_buffer_for_the_caller() {
    let routines = MemRoutines::new();
    let buffer = wrap_store_entry_id(&routines, "SMPMS.DLL", b"store 1").unwrap();
    assert!(routines.is_live(buffer));
    assert_eq!(routines.live_blocks(), 1);
    let bytes = routines.take_bytes(buffer).unwrap();
    assert_eq!(
        bytes,
        WrappedStoreEntryId::wrap("SMPMS.DLL", b"store 1")
            .unwrap()
            .to_bytes()
    );
    let parsed = WrappedStoreEntryId::parse(&bytes).unwrap();
    assert_eq!(parsed.dll_name(), "SMPMS.DLL");
    assert_eq!(parsed.original(), b"store 1");
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn wrap_store_entry_id_refuses_what_cannot_be_wrapped_and_allocates_nothing() {
    let routines = MemRoutines::new();
    for (dll_name, original) in [
        ("", &b"store 1"[..]),
        ("SMP\0MS.DLL", b"store 1"),
        ("SMP\u{100}.DLL", b"store 1"),
        ("SMPMS.DLL", b""),
    ] {
        assert_eq!(
            wrap_store_entry_id(&routines, dll_name, original),
            Err(MapiError::InvalidParameter),
            "{dll_name:?}, {original:?}"
        );
    }
    assert_eq!(routines.allocations(), 0);
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn wrapped_store_entry_id_reads_and_frees_the_support_objects_buffer() {
    let routines = MemRoutines::new();
    let recorder = Recorder::new(&routines);
    assert_eq!(routines.live_blocks(), 2); // its MAPIERROR and its wrapped ID
    let wrapped = wrapped_store_entry_id(&recorder, &routines, b"original").unwrap();
    let parsed = WrappedStoreEntryId::parse(&wrapped).unwrap();
    assert_eq!(parsed.dll_name(), "RECORD.DLL");
    assert_eq!(
        recorder.take_calls(),
        vec![Call {
            method: "wrap_store_entry_id",
            args: vec![format!("{:?}", &b"original"[..])],
        }]
    );
    assert!(!routines.is_live(recorder.wrapped));
    assert_eq!(routines.live_blocks(), 1);
}

#[test]
fn wrapped_store_entry_id_passes_on_a_refusal() {
    let routines = MemRoutines::new();
    assert_eq!(
        wrapped_store_entry_id(&NoSupportAtAll, &routines, b"original"),
        Err(MapiError::NoSupport)
    );
    assert_eq!(routines.allocations(), 0);
}

// ---------------------------------------------------------------------------------------------
// PropBag::put
// ---------------------------------------------------------------------------------------------

#[test]
fn put_chains_and_takes_the_type_from_the_value() {
    let mut bag = PropBag::new();
    bag.put(PR_RESOURCE_FLAGS, 2u32)
        .put(PR_DISPLAY_NAME_A, "Store")
        .put(PR_RECORD_KEY, vec![1u8, 2]);
    let tags: Vec<PropTag> = bag.tags().collect();
    assert_eq!(
        tags,
        vec![
            PR_RESOURCE_FLAGS,
            // Text takes the tag's string form.
            PR_DISPLAY_NAME_A,
            PR_RECORD_KEY,
        ]
    );
    assert_eq!(
        bag.get_by_id(PR_DISPLAY_NAME_A.id()).unwrap().value,
        PropValue::String8("Store".into())
    );
    assert_eq!(bag.get_u32(PR_RESOURCE_FLAGS), Some(2));
    assert_eq!(bag.get_str(PR_DISPLAY_NAME_A), Some("Store"));
    assert_eq!(bag.get_binary(PR_RECORD_KEY), Some(&[1u8, 2][..]));
}

#[test]
fn put_replaces_a_property_with_the_same_id_in_place() {
    let mut bag = PropBag::new();
    bag.put(PR_DISPLAY_NAME_W, "First")
        .put(PR_RESOURCE_FLAGS, 1u32)
        .put(PR_RECORD_KEY, vec![9u8]);
    // Another type under the same ID replaces the property where it stood.
    bag.put(PR_RESOURCE_FLAGS, true);
    bag.put(PR_DISPLAY_NAME_W, "Second");
    assert_eq!(bag.len(), 3);
    let props: Vec<(PropTag, PropValue)> = bag.iter().map(|p| (p.tag, p.value.clone())).collect();
    assert_eq!(
        props,
        vec![
            (PR_DISPLAY_NAME_W, PropValue::Unicode("Second".into())),
            (
                PR_RESOURCE_FLAGS.with_type(PropType::BOOLEAN),
                PropValue::Boolean(true)
            ),
            (PR_RECORD_KEY, PropValue::Binary(vec![9])),
        ]
    );
}

#[test]
fn put_stores_what_set_refuses() {
    let mut checked = PropBag::new();
    assert!(checked.set(PR_RESOURCE_FLAGS, "not a number").is_err());
    assert!(checked.set(PropTag::new(0, PropType::LONG), 1u32).is_err());
    assert!(checked.is_empty());

    let mut bag = PropBag::new();
    bag.put(PR_RESOURCE_FLAGS, "not a number")
        .put(PropTag::new(0, PropType::LONG), 1u32);
    assert_eq!(
        bag.get_by_id(PR_RESOURCE_FLAGS.id()).unwrap().value,
        PropValue::Unicode("not a number".into())
    );
    assert_eq!(bag.get_by_id(0).unwrap().tag, PropTag::new(0, PropType::LONG));
    // What set would have stored for a well-typed value, put stores too.
    let mut same = PropBag::new();
    same.set(PR_DISPLAY_NAME_W, "Store").unwrap();
    let mut put = PropBag::new();
    put.put(PR_DISPLAY_NAME_W, "Store");
    assert_eq!(put, same);
}
