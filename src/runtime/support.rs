//! The support object MAPI gives each store logon, and the checks it makes on the provider's
//! calls.

use std::sync::{Arc, OnceLock, Weak};

use crate::check::rules;
use crate::error::{MapiError, MapiResult};
use crate::flags::{
    CALLBACK_DISCONTINUE, EventMask, LogoffFlags, MapiFlags, NotifyResultFlags, OpenStoreFlags,
    ProfileSectionFlags, ReadReceiptFlags, SpoolerNotifyFlags, StatusRowFlags, StorageFromStreamFlags,
    SubscribeFlags,
};
use crate::ids::{Iid, MapiUid, WrappedStoreEntryId};
use crate::object::{InterfaceKind, ObjLabel, ObjectId, ObjectInfo, Owner, Ref, Unknown};
use crate::props::{PR_RESOURCE_FLAGS, Prop, PropBag, PropTag};
use crate::runtime::kind::ProviderKind;
use crate::runtime::state::{LogonKey, LogonPhase, MapiColumns, RowColumns, StatusRow, Subscription};
use crate::runtime::{Runtime, SltTiming, TeardownCleanup};
use crate::spi::{
    AdrParm, AdviseSink, BufferId, MapiProgress, MapiProp, MapiSupport, MemRoutines, Notification,
    OpenedEntry, ProfSect, PropProblem, SpoolerNotifyData,
};
use crate::strings::TStr;
use crate::trace::{Party, Text, Value, text};

/// `IMAPISupport` of one store logon.
pub(crate) struct SupportObject {
    rt: Weak<Runtime>,
    logon: LogonKey,
    session: u32,
    /// The provider it is given to: its party and the owner of what it makes.
    given_to: (Party, Owner),
    label: OnceLock<ObjLabel>,
}

impl SupportObject {
    /// Makes and registers the support object of a logon. It is tracked: its `AddRef` and
    /// `Release` calls always appear in the trace, each reference recorded with the party that
    /// took it (a thread outside every scope is the provider's: only the provider holds it).
    pub(crate) fn create(rt: &Runtime, logon: LogonKey, session: u32, file: &Arc<str>) -> Ref<SupportObject> {
        let support = rt.ledger.register(
            SupportObject {
                rt: rt.me(),
                logon,
                session,
                given_to: (
                    Party::Library(Arc::clone(file)),
                    Owner::library(Arc::clone(file)).in_session(session),
                ),
                label: OnceLock::new(),
            },
            ObjectInfo::new(InterfaceKind::MapiSupport)
                .owner(Owner::none().in_session(session))
                .tracked(true)
                .unscoped_party(Party::Library(Arc::clone(file))),
        );
        if let Some(label) = support.label() {
            let _ = support.label.set(label);
        }
        support
    }

    fn label(&self) -> ObjLabel {
        self.label.get().copied().unwrap_or(ObjLabel {
            kind: InterfaceKind::MapiSupport,
            serial: 0,
        })
    }

    /// A traced call from the provider into this support object.
    fn call<R, S: Into<Text>>(
        &self,
        method: &'static str,
        args: impl Into<Text>,
        f: impl FnOnce(&Runtime) -> MapiResult<R>,
        summary: impl FnOnce(&R) -> S,
    ) -> MapiResult<R> {
        Runtime::called_object(
            &self.rt,
            Some(self.label()),
            Some(&self.given_to),
            method,
            args,
            |rt| match rt.faults.support_call(method) {
                None => f(rt),
                Some((n, error)) => {
                    rt.injected_support_failure(self.logon, method, n, error);
                    Err(error)
                }
            },
            summary,
        )
    }

    /// The provider DLL behind this logon, as the party that breaks a rule.
    fn provider_party(&self, rt: &Runtime) -> Party {
        rt.st()
            .logons
            .get(self.logon)
            .map_or(Party::Mapi, |r| Party::Library(Arc::clone(&r.file)))
    }

    /// `LOGON-REUSE-NO-SETUP`: what a `Logon` on an already-open store must not do.
    fn check_reuse(&self, rt: &Runtime, what: &str) {
        let in_reuse = rt.st().logons.get(self.logon).is_some_and(|r| r.in_reuse_logon);
        if in_reuse {
            rt.violation(
                &rules::LOGON_REUSE_NO_SETUP,
                format!("Logon on a store that is already open called {what}"),
                vec![self.label()],
                self.provider_party(rt),
            );
        }
    }

    /// `SUPPORT-FLAGS` for a reserved flags argument.
    fn check_reserved(&self, rt: &Runtime, method: &str, flags: u32) -> MapiResult<()> {
        if flags == 0 {
            Ok(())
        } else {
            rt.violation(
                &rules::SUPPORT_FLAGS,
                format!("{method} was called with flags 0x{flags:08X}; they are reserved and must be 0"),
                vec![self.label()],
                self.provider_party(rt),
            );
            Err(MapiError::UnknownFlags)
        }
    }

    /// `SUPPORT-FLAGS` for a flag family.
    fn check_flags<F: MapiFlags>(&self, rt: &Runtime, method: &str, flags: F) -> MapiResult<F> {
        flags.check_known().inspect_err(|_| {
            rt.violation(
                &rules::SUPPORT_FLAGS,
                format!(
                    "{method} was called with unknown flag bits 0x{:08X}",
                    flags.unknown_bits()
                ),
                vec![self.label()],
                self.provider_party(rt),
            );
        })
    }

    /// A support method that shows a dialog. The simulator has no user interface: it answers
    /// `MAPI_E_NO_SUPPORT`, after `SERVICE-PROVIDER-NO-UI` when the provider runs inside a
    /// Windows service.
    fn ui_call<R>(&self, method: &'static str, args: String) -> MapiResult<R> {
        self.call(
            method,
            args,
            |rt| {
                self.require_live(rt)?;
                let no_dialog = rt.st().logons.get(self.logon).and_then(|r| r.no_dialog_call);
                if let Some(call) = no_dialog {
                    rt.violation(
                        &rules::LOGON_NO_DIALOG,
                        format!(
                            "{method} shows a dialog during {call}, which MAPI called with its no-dialog flag"
                        ),
                        vec![self.label()],
                        self.provider_party(rt),
                    );
                }
                if rt.nt_service_session(self.session) {
                    rt.violation(
                        &rules::SERVICE_PROVIDER_NO_UI,
                        format!(
                            "{method} shows user interface, and the provider was loaded with MAPI_NT_SERVICE"
                        ),
                        vec![self.label()],
                        self.provider_party(rt),
                    );
                }
                Err(MapiError::NoSupport)
            },
            |_| String::new(),
        )
    }

    /// A method the simulator does not play for a store provider (a transport's or an address
    /// book's, or one about messages and folders, which it does not model): traced, and
    /// `MAPI_E_NO_SUPPORT`.
    fn not_simulated<R>(&self, method: &'static str, args: String) -> MapiResult<R> {
        self.call(method, args, |_| Err(MapiError::NoSupport), |_| String::new())
    }

    /// `LOGON-NO-SPOOLER-NOTIFY` (advice): `SpoolerNotify` and `PrepareSubmit` during `Logon` wait
    /// for the spooler to start.
    fn advise_against_in_logon(&self, rt: &Runtime, method: &str) {
        let in_logon = rt.st().logons.get(self.logon).is_some_and(|r| r.in_logon);
        if in_logon {
            rt.violation(
                &rules::LOGON_NO_SPOOLER_NOTIFY,
                format!("{method} was called during Logon: it waits for the spooler to start"),
                vec![self.label()],
                self.provider_party(rt),
            );
        }
    }

    /// Calls after the logon was torn down answer `MAPI_E_END_OF_SESSION`.
    fn require_live(&self, rt: &Runtime) -> MapiResult<()> {
        match rt.st().logons.get(self.logon).map(|r| r.phase) {
            Some(LogonPhase::Opening | LogonPhase::Active) => Ok(()),
            _ => Err(MapiError::EndOfSession),
        }
    }
}

/// A MAPI string for the trace: quoted, as text.
fn quoted(text: TStr<'_>) -> String {
    format!("{:?}", text.to_string_lossy())
}

/// A MAPI string that may be NULL, for the trace.
fn quoted_or_null(text: Option<TStr<'_>>) -> String {
    text.map_or_else(|| "NULL".to_owned(), quoted)
}

/// `lpvData` of `SpoolerNotify`, for the trace.
fn describe_spooler_data(data: SpoolerNotifyData<'_>) -> String {
    match data {
        SpoolerNotifyData::Null => "NULL".to_owned(),
        SpoolerNotifyData::NewMail(mail) => format!(
            "new mail ({} bytes, in {} bytes, {})",
            mail.entry_id.len(),
            mail.parent_id.len(),
            quoted(mail.message_class.as_tstr())
        ),
        SpoolerNotifyData::SentDeferred(entry_id) => format!("deferred message ({} bytes)", entry_id.len()),
        SpoolerNotifyData::Raw(pointer) => format!("{pointer:#x}"),
    }
}

impl Drop for SupportObject {
    /// The support object's final release: MAPI's teardown of the store logon runs here.
    fn drop(&mut self) {
        if let Some(rt) = self.rt.upgrade() {
            rt.support_final_release(self.logon);
        }
    }
}

impl MapiSupport for SupportObject {
    /// MAPI keeps no extended error information for the support object: success, and none.
    fn get_last_error(
        &self,
        hresult: MapiError,
        flags: u32,
    ) -> MapiResult<Option<crate::spi::MapiBuffer<crate::spi::MapiErrorInfo>>> {
        self.call(
            "GetLastError",
            format!("{hresult}, 0x{flags:08X}"),
            |_| Ok(None),
            |_| "no information".to_owned(),
        )
    }

    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        self.call(
            "CompareEntryIDs",
            format!("{} bytes, {} bytes, 0x{flags:08X}", a.len(), b.len()),
            |rt| {
                self.require_live(rt)?;
                rt.compare_entry_ids(self.session, a, b, flags)
            },
            |same| Text::from_static(if *same { "TRUE" } else { "FALSE" }),
        )
    }

    fn open_entry(&self, entry_id: &[u8], interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry> {
        self.call(
            "OpenEntry",
            format!("{} bytes, 0x{flags:08X}", entry_id.len()),
            |rt| {
                self.require_live(rt)?;
                rt.route_entry(self.session, entry_id, interface, flags)
            },
            |e| e.object_type().to_string(),
        )
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
        let _ = (preprocess, remove_preprocess_info);
        self.not_simulated(
            "RegisterPreprocessor",
            format!(
                "{}, {}, {}, 0x{flags:08X}",
                uid.map_or_else(|| "NULL".to_owned(), ToString::to_string),
                quoted_or_null(address_type),
                quoted(dll_name)
            ),
        )
    }

    fn spooler_yield(&self, flags: u32) -> MapiResult<()> {
        self.not_simulated("SpoolerYield", format!("0x{flags:08X}"))
    }

    fn create_one_off(
        &self,
        name: Option<TStr<'_>>,
        address_type: TStr<'_>,
        address: TStr<'_>,
        flags: u32,
    ) -> MapiResult<Vec<u8>> {
        self.not_simulated(
            "CreateOneOff",
            format!(
                "{}, {}, {}, 0x{flags:08X}",
                quoted_or_null(name),
                quoted(address_type),
                quoted(address)
            ),
        )
    }

    fn open_template_id(
        &self,
        template_id: &[u8],
        flags: u32,
        data: &Ref<dyn MapiProp>,
        interface: Option<Iid>,
        sibling: Option<&Ref<dyn MapiProp>>,
    ) -> MapiResult<Ref<dyn MapiProp>> {
        let _ = (data, interface, sibling);
        self.not_simulated(
            "OpenTemplateID",
            format!("{} bytes, 0x{flags:08X}", template_id.len()),
        )
    }

    fn get_one_off_table(&self, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        self.not_simulated("GetOneOffTable", format!("0x{flags:08X}"))
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
        let _ = (
            src_interface,
            src_folder,
            dest_interface,
            dest_folder,
            ui_param,
            progress,
        );
        self.not_simulated(
            "CopyMessages",
            format!("{} message(s), 0x{flags:08X}", messages.len()),
        )
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
        let _ = (
            src_interface,
            src_folder,
            dest_interface,
            dest_folder,
            ui_param,
            progress,
        );
        self.not_simulated(
            "CopyFolder",
            format!(
                "{} bytes, {:?}, 0x{flags:08X}",
                entry_id.len(),
                new_name.map(TStr::to_string_lossy)
            ),
        )
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
        let _ = (
            src_interface,
            src,
            exclude_interfaces,
            ui_param,
            progress,
            dest_interface,
            dest,
        );
        self.not_simulated(
            "DoCopyTo",
            format!(
                "{} excluded, 0x{flags:08X}",
                exclude_props.map_or(0, <[PropTag]>::len)
            ),
        )
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
        let _ = (src_interface, src, ui_param, progress, dest_interface, dest);
        self.not_simulated(
            "DoCopyProps",
            format!("{} included, 0x{flags:08X}", include.len()),
        )
    }

    fn read_receipt(
        &self,
        flags: ReadReceiptFlags,
        read_message: &Ref<dyn MapiProp>,
        empty_message: Option<&Ref<dyn MapiProp>>,
    ) -> MapiResult<Option<Ref<dyn MapiProp>>> {
        let _ = (read_message, empty_message);
        self.not_simulated("ReadReceipt", flags.to_string())
    }

    /// A store hands a message to the spooler, which sends it through a transport at its next
    /// steps (starting the session's transports first). `PrepareSubmit` during `Logon` is advised
    /// against (it waits for the spooler). The answer (`*lpulFlags`) is 0.
    fn prepare_submit(&self, message: &Ref<dyn MapiProp>, flags: u32) -> MapiResult<u32> {
        self.call(
            "PrepareSubmit",
            text!(
                "{message}, {flags}",
                message = message.label().map_or(Value::Static("a message"), Value::Label),
                flags
            ),
            |rt| {
                self.require_live(rt)?;
                self.advise_against_in_logon(rt, "PrepareSubmit");
                rt.prepare_submit(self.logon, self.label(), message)
            },
            |_| String::new(),
        )
    }

    fn expand_recips(&self, message: &Ref<dyn MapiProp>, flags: u32) -> MapiResult<u32> {
        let _ = message;
        self.not_simulated("ExpandRecips", format!("0x{flags:08X}"))
    }

    fn update_pab(&self, flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<()> {
        let _ = message;
        self.not_simulated("UpdatePAB", format!("0x{flags:08X}"))
    }

    fn do_sent_mail(&self, flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<()> {
        let _ = message;
        self.not_simulated("DoSentMail", format!("0x{flags:08X}"))
    }

    fn open_address_book(&self, interface: Option<Iid>, flags: u32) -> MapiResult<Ref<dyn Unknown>> {
        let _ = interface;
        self.not_simulated("OpenAddressBook", format!("0x{flags:08X}"))
    }

    fn preprocess(&self, flags: u32, entry_id: &[u8]) -> MapiResult<()> {
        self.not_simulated("Preprocess", format!("0x{flags:08X}, {} bytes", entry_id.len()))
    }

    fn complete_msg(&self, flags: u32, entry_id: &[u8]) -> MapiResult<()> {
        self.not_simulated("CompleteMsg", format!("0x{flags:08X}, {} bytes", entry_id.len()))
    }

    fn status_recips(&self, message: &Ref<dyn MapiProp>, recipients: &[Vec<Prop>]) -> MapiResult<()> {
        let _ = message;
        self.not_simulated("StatusRecips", format!("{} recipient(s)", recipients.len()))
    }

    fn istorage_from_stream(
        &self,
        stream_in: &Ref<dyn Unknown>,
        interface: Option<&Iid>,
        flags: StorageFromStreamFlags,
    ) -> MapiResult<Ref<dyn Unknown>> {
        let _ = (stream_in, interface);
        self.not_simulated("IStorageFromStream", format!("0x{:08X}", flags.bits()))
    }

    fn get_svc_config_support_obj(&self, flags: u32) -> MapiResult<Ref<dyn MapiSupport>> {
        self.not_simulated("GetSvcConfigSupportObj", format!("0x{flags:08X}"))
    }

    fn get_mem_alloc_routines(&self) -> MapiResult<MemRoutines> {
        self.call(
            "GetMemAllocRoutines",
            String::new(),
            |rt| Ok(rt.routines.issued_to(self.given_to.0.clone())),
            |_| "the routines MSProviderInit got".to_owned(),
        )
    }

    fn address(
        &self,
        ui_param: &mut usize,
        adr_parms: &mut AdrParm,
        recipients: &mut Vec<Vec<Prop>>,
    ) -> MapiResult<()> {
        let _ = adr_parms;
        self.ui_call(
            "Address",
            format!("{:#x}, {} recipient(s)", *ui_param, recipients.len()),
        )
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
        let _ = (
            dismiss,
            dismiss_context,
            button_callback,
            button_context,
            button_text,
        );
        self.ui_call(
            "Details",
            format!("{:#x}, {} bytes, 0x{flags:08X}", *ui_param, entry_id.len()),
        )
    }

    fn new_entry(
        &self,
        ui_param: usize,
        flags: u32,
        container: Option<&[u8]>,
        template: Option<&[u8]>,
    ) -> MapiResult<Vec<u8>> {
        let _ = (container, template);
        self.ui_call("NewEntry", format!("{ui_param:#x}, 0x{flags:08X}"))
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
        let _ = (display_table, config, top_page);
        self.ui_call(
            "DoConfigPropsheet",
            format!("{ui_param:#x}, 0x{flags:08X}, {}", quoted(title)),
        )
    }

    fn do_progress_dialog(&self, ui_param: usize, flags: u32) -> MapiResult<Ref<dyn MapiProgress>> {
        self.ui_call("DoProgressDialog", format!("{ui_param:#x}, 0x{flags:08X}"))
    }

    fn subscribe(
        &self,
        key: &[u8],
        mask: EventMask,
        flags: SubscribeFlags,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        self.call(
            "Subscribe",
            format!("key={} bytes, {mask}, {flags}", key.len()),
            |rt| {
                self.require_live(rt)?;
                let flags = self.check_flags(rt, "Subscribe", flags)?;
                if key.is_empty() {
                    return Err(MapiError::InvalidParameter);
                }
                let mut st = rt.st();
                st.spooler.next_connection += 1;
                let connection = st.spooler.next_connection;
                let rec = st.logons.get_mut(self.logon).ok_or(MapiError::EndOfSession)?;
                rec.subscriptions.push(Subscription {
                    connection,
                    key: key.to_vec(),
                    mask,
                    sync: flags.contains(SubscribeFlags::SYNC),
                    sink: sink.clone(),
                });
                Ok(connection)
            },
            |c| format!("connection {c}"),
        )
    }

    fn unsubscribe(&self, connection: usize) -> MapiResult<()> {
        let mut released = None;
        let result = self.call(
            "Unsubscribe",
            format!("connection {connection}"),
            |rt| {
                let mut st = rt.st();
                let rec = st.logons.get_mut(self.logon).ok_or(MapiError::EndOfSession)?;
                let i = rec
                    .subscriptions
                    .iter()
                    .position(|s| s.connection == connection)
                    .ok_or(MapiError::NotFound)?;
                released = Some(rec.subscriptions.remove(i));
                Ok(())
            },
            |()| String::new(),
        );
        // The sink is released outside MAPI's lock: its release may run its owner's code.
        drop(released);
        result
    }

    fn notify(
        &self,
        key: &[u8],
        notifications: &[Notification],
        flags: u32,
    ) -> MapiResult<NotifyResultFlags> {
        self.call(
            "Notify",
            format!("key={} bytes, {} notification(s)", key.len(), notifications.len()),
            |rt| {
                self.require_live(rt)?;
                let sinks: Vec<(Ref<dyn AdviseSink>, bool)> = {
                    let st = rt.st();
                    let mask = notifications.iter().fold(EventMask::empty(), |m, n| m | n.event);
                    st.logons
                        .values()
                        .filter(|r| r.session == self.session)
                        .flat_map(|r| r.subscriptions.iter())
                        .filter(|s| s.key == key && s.mask.intersects(mask))
                        .map(|s| (s.sink.clone(), s.sync))
                        .collect()
                };
                let _ = flags;
                let mut result = NotifyResultFlags::empty();
                for (sink, sync) in sinks {
                    if !sync {
                        rt.post_notification(sink, notifications);
                    } else if rt.deliver(&sink, notifications) & CALLBACK_DISCONTINUE != 0 {
                        result |= NotifyResultFlags::CANCELED;
                        break;
                    }
                }
                Ok(result)
            },
            |r| r.to_string(),
        )
    }

    fn modify_status_row(&self, columns: &[Prop], flags: StatusRowFlags) -> MapiResult<()> {
        self.call(
            "ModifyStatusRow",
            text!(
                "{tags}, {flags}",
                tags = Value::Tags(columns.iter().map(|p| p.tag).collect()),
                flags = Value::flags(flags),
            ),
            |rt| {
                self.require_live(rt)?;
                let flags = self.check_flags(rt, "ModifyStatusRow", flags)?;
                // On an open store, merging into the row the store already has is no new row
                // (imsprovider-logon forbids creating or registering one).
                let merges = flags.contains(StatusRowFlags::UPDATE)
                    && rt
                        .st()
                        .session(self.session)
                        .is_some_and(|s| s.status_rows.contains(self.logon));
                if !merges {
                    self.check_reuse(rt, "ModifyStatusRow to create or replace a status row");
                }
                let mut provided = PropBag::with_capacity(columns.len());
                provided.extend(columns.iter().cloned());
                let mut st = rt.st();
                let (dll_base, section, profile, kind) = {
                    let rec = st.logons.get(self.logon).ok_or(MapiError::EndOfSession)?;
                    (
                        rec.dll_base.clone(),
                        rec.section,
                        rec.profile_name.clone(),
                        rec.kind,
                    )
                };
                let resource_flags = st
                    .profiles
                    .profiles
                    .get(&*profile)
                    .and_then(|p| p.sections.get(&section))
                    .and_then(|s| s.get_u32(PR_RESOURCE_FLAGS))
                    .unwrap_or(0);
                let session = st.session_mut(self.session).ok_or(MapiError::EndOfSession)?;
                let position = session
                    .status_rows
                    .first_place(self.logon)
                    .map(|place| session.status_rows.position(place));
                // The row it replaces keeps its place.
                let replaced = session.status_rows.remove_first(self.logon);
                let place = replaced.as_ref().map(|(place, _)| *place);
                let mut set = match (flags.contains(StatusRowFlags::UPDATE), replaced) {
                    (true, Some((_, old))) => {
                        let mut set = match Arc::try_unwrap(old.props) {
                            Ok(columns) => columns.set,
                            Err(shared) => shared.set.clone(),
                        };
                        set.merge(&provided);
                        set
                    }
                    (_, _) => provided,
                };
                set.shrink_to_fit();
                // The columns MAPI supplies, added over the provider's when the table is read.
                let at = position.unwrap_or(session.status_rows.len());
                let row = StatusRow {
                    logon: Some(self.logon),
                    props: Arc::new(RowColumns {
                        set,
                        mapi: Some(MapiColumns {
                            kind,
                            dll_base,
                            resource_flags,
                            section,
                            row_id: at as u32,
                        }),
                    }),
                };
                match place {
                    Some(place) => session.status_rows.put(place, row),
                    None => {
                        let _ = session.status_rows.push(row);
                    }
                }
                Ok(())
            },
            |()| String::new(),
        )
    }

    fn open_profile_section(
        &self,
        uid: Option<&MapiUid>,
        flags: ProfileSectionFlags,
    ) -> MapiResult<Ref<dyn ProfSect>> {
        self.call(
            "OpenProfileSection",
            text!(
                "{uid}, {flags}",
                uid = uid.map_or(Value::Static("NULL"), |u| Value::Uid(*u)),
                flags = Value::flags(flags),
            ),
            |rt| {
                self.require_live(rt)?;
                let flags = self.check_flags(rt, "OpenProfileSection", flags)?;
                self.check_reuse(rt, "OpenProfileSection");
                let (profile, own) = {
                    let st = rt.st();
                    let rec = st.logons.get(self.logon).ok_or(MapiError::EndOfSession)?;
                    (rec.profile_name.clone(), rec.section)
                };
                rt.open_section(
                    &profile,
                    uid.copied().unwrap_or(own),
                    flags,
                    Some(self.logon),
                    Some(self.session),
                )
            },
            |s| s.label().map_or(Text::EMPTY, Text::value),
        )
    }

    fn new_uid(&self) -> MapiResult<MapiUid> {
        self.call(
            "NewUID",
            String::new(),
            |rt| {
                let mut st = rt.st();
                let uid = st.profiles.new_uid();
                st.generated_uids.push(uid);
                Ok(uid)
            },
            ToString::to_string,
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
                self.check_reserved(rt, "MakeInvalid", flags)?;
                let object = rt.ledger_entry(object).ok_or(MapiError::InvalidParameter)?;
                rt.st().invalid_objects.push(object);
                Ok(())
            },
            |()| String::new(),
        )
    }

    fn spooler_notify(&self, flags: SpoolerNotifyFlags, data: SpoolerNotifyData<'_>) -> MapiResult<()> {
        self.call(
            "SpoolerNotify",
            format!("{flags}, {}", describe_spooler_data(data)),
            |rt| {
                self.require_live(rt)?;
                self.advise_against_in_logon(rt, "SpoolerNotify");
                let kind = rt.st().logons.get(self.logon).map(|r| r.kind);
                let allowed = match kind {
                    Some(ProviderKind::Store) => SpoolerNotifyFlags::STORE_ALLOWED.contains(flags),
                    Some(ProviderKind::Xp) => !flags.contains(SpoolerNotifyFlags::NEWMAIL_RECEIVED),
                    // Implemented for store and transport support objects only.
                    _ => return Err(MapiError::NoSupport),
                };
                if !allowed {
                    let noun = if kind == Some(ProviderKind::Xp) {
                        "transport"
                    } else {
                        "store"
                    };
                    rt.violation(
                        &rules::SPOOLER_NOTIFY_FLAGS,
                        format!("a {noun} provider called SpoolerNotify with {flags}"),
                        vec![self.label()],
                        self.provider_party(rt),
                    );
                    return Err(MapiError::InvalidParameter);
                }
                rt.spooler_notified(self.logon, flags);
                if kind == Some(ProviderKind::Xp) && flags.contains(SpoolerNotifyFlags::SENTDEFERRED) {
                    let entry_id = match data {
                        SpoolerNotifyData::SentDeferred(id) => Some(id),
                        _ => None,
                    };
                    rt.sent_deferred(self.logon, entry_id);
                }
                Ok(())
            },
            |()| String::new(),
        )
    }

    fn set_provider_uid(&self, uid: &MapiUid, flags: u32) -> MapiResult<()> {
        self.call(
            "SetProviderUID",
            text!("{uid}, {flags}", uid = *uid, flags),
            |rt| {
                self.require_live(rt)?;
                self.check_reserved(rt, "SetProviderUID", flags)?;
                self.check_reuse(rt, "SetProviderUID");
                if rt.behavior.registered_uid == crate::runtime::RegisteredUid::HardCoded
                    && rt.st().generated_uids.contains(uid)
                {
                    rt.violation(
                        &rules::UID_HARD_CODED,
                        format!("SetProviderUID registers {uid}, which NewUID generated"),
                        vec![self.label()],
                        self.provider_party(rt),
                    );
                }
                let mut st = rt.st();
                let session = st.session_mut(self.session).ok_or(MapiError::EndOfSession)?;
                session.uids.push(*uid, self.logon);
                Ok(())
            },
            |()| Text::EMPTY,
        )
    }

    fn store_logoff_transports(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        self.call(
            "StoreLogoffTransports",
            Text::value(Value::flags(flags)),
            |rt| rt.store_logoff_transports(self.logon, self.label(), flags),
            |&out| Text::value(Value::flags(out)),
        )
    }

    fn wrap_store_entry_id(&self, original: &[u8]) -> MapiResult<BufferId> {
        self.call(
            "WrapStoreEntryID",
            text!("{size} bytes", size = original.len()),
            |rt| {
                let dll = rt
                    .st()
                    .logons
                    .get(self.logon)
                    .map(|r| r.dll_base.clone())
                    .ok_or(MapiError::EndOfSession)?;
                let wrapped = WrappedStoreEntryId::wrap_bytes(&dll, original)
                    .map_err(|_| MapiError::InvalidParameter)?;
                let len = wrapped.len();
                let buffer = rt.allocate_result_bytes(
                    wrapped,
                    "WrapStoreEntryID",
                    crate::heap::Purpose::Static("the wrapped store entry ID from WrapStoreEntryID"),
                )?;
                Ok((buffer, len))
            },
            |&(buffer, len)| text!("{len} bytes in {buffer}", len, buffer),
        )
        .map(|(buffer, _)| buffer)
    }

    fn modify_profile(&self, flags: u32) -> MapiResult<()> {
        self.call(
            "ModifyProfile",
            text!("{flags}", flags),
            |rt| {
                self.require_live(rt)?;
                let temporary = rt
                    .st()
                    .logons
                    .get(self.logon)
                    .is_some_and(|r| r.open_flags.contains(OpenStoreFlags::TEMPORARY));
                if temporary {
                    rt.note("ModifyProfile on a store opened with MDB_TEMPORARY does nothing");
                }
                Ok(())
            },
            |()| Text::EMPTY,
        )
    }
}

/// A temporary reference of MAPI's to a logon's support object (for a `SpoolerLogon` or a reused
/// `Logon`). It is taken in MAPI's (or the spooler's) scope, so that the checks that count the
/// provider's references do not count it, and released outside MAPI's lock.
pub(crate) struct SupportTemp<'a> {
    support: Option<Ref<dyn MapiSupport>>,
    _rt: std::marker::PhantomData<&'a Runtime>,
}

impl SupportTemp<'_> {
    /// A temporary reference MAPI took.
    pub(crate) fn new(support: Ref<dyn MapiSupport>) -> Self {
        SupportTemp {
            support: Some(support),
            _rt: std::marker::PhantomData,
        }
    }

    pub(crate) fn get(&self) -> &Ref<dyn MapiSupport> {
        match &self.support {
            Some(s) => s,
            None => unreachable_temp(),
        }
    }
}

#[cold]
fn unreachable_temp() -> ! {
    panic!("a temporary support reference was used after it was dropped")
}

impl Drop for SupportTemp<'_> {
    fn drop(&mut self) {
        // Outside MAPI's lock: it may be the final release.
        drop(self.support.take());
    }
}

impl Runtime {
    /// The entry of `object` in this simulator's ledger, if it is registered there and alive:
    /// how `MakeInvalid` finds the object it is given.
    pub(crate) fn ledger_entry<T: ?Sized>(&self, object: &Ref<T>) -> Option<ObjectId> {
        let id = object.id()?;
        let ours = object.ledger().is_some_and(|ledger| ledger.ptr_eq(&self.ledger));
        (ours && self.ledger.is_alive(id)).then_some(id)
    }

    /// A temporary reference to the logon's support object, if it is alive.
    pub(crate) fn support_temp(&self, logon: LogonKey) -> Option<SupportTemp<'_>> {
        let support = self.st().logons.get(logon)?.support.as_ref()?.upgrade()?;
        Some(SupportTemp::new(support))
    }

    /// `IMAPISupport::StoreLogoffTransports`: checks when and how the store calls it, and lets
    /// the spooler release the store.
    pub(crate) fn store_logoff_transports(
        &self,
        logon: LogonKey,
        support: ObjLabel,
        flags: LogoffFlags,
    ) -> MapiResult<LogoffFlags> {
        let (calls, saved, in_logoff, in_final, phase, file) = {
            let mut st = self.st();
            let rec = st.logons.get_mut(logon).ok_or(MapiError::EndOfSession)?;
            rec.slt_calls += 1;
            (
                // A call that was refused kept the store logged on: the shutdown had not begun.
                rec.slt_calls - rec.slt_refused,
                rec.store_logoff_flag,
                rec.in_store_logoff,
                rec.in_final_release,
                rec.phase,
                Arc::clone(&rec.file),
            )
        };
        let by = Party::Library(file);
        if calls > 1 && self.behavior.slt_repeat == crate::runtime::SltRepeat::Once {
            self.violation(
                &rules::SLT_ONCE,
                format!("StoreLogoffTransports was called {calls} times for one store shutdown"),
                vec![support],
                by.clone(),
            );
        }
        let expected = saved.unwrap_or(LogoffFlags::ABORT);
        if flags.input() != Some(expected) {
            let why = match saved {
                Some(saved) => format!("the client passed {saved} to StoreLogoff"),
                None => "the store was released without StoreLogoff, so the flag is LOGOFF_ABORT".to_owned(),
            };
            self.violation(
                &rules::SLT_SAVED_FLAG,
                format!("StoreLogoffTransports got {flags}, but {why}"),
                vec![support],
                by.clone(),
            );
        }
        let timing = self.behavior.store_logoff_transports;
        let misplaced = match timing {
            SltTiming::InStoreLogoff => {
                !(in_logoff || in_final && saved.is_none()) && phase != LogonPhase::TornDown
            }
            SltTiming::AtFinalRelease => !in_final,
        };
        // A call in the wrong place that is already reported at StoreLogoff's return is not
        // reported twice.
        let reported_elsewhere = timing == SltTiming::InStoreLogoff && in_final && saved.is_some();
        if misplaced && !reported_elsewhere {
            let place = if in_logoff {
                "inside StoreLogoff"
            } else if in_final {
                "from the store's final release"
            } else {
                "outside StoreLogoff and the store's final release"
            };
            let want = match timing {
                SltTiming::InStoreLogoff => {
                    "inside StoreLogoff (or from a final release without StoreLogoff)"
                }
                SltTiming::AtFinalRelease => "from the store's final release",
            };
            self.violation_as(
                &rules::SLT_TIMING,
                timing.severity(),
                format!("StoreLogoffTransports was called {place}; the behaviour in effect wants it {want}"),
                vec![support],
                by,
            );
        }
        // Transports at work stop a logoff asked with LOGOFF_ABORT or LOGOFF_QUIET (a final
        // release cannot be refused); messages of the store waiting for the spooler stop one asked
        // with LOGOFF_QUIET ("if any transport provider activity is taking place, the logoff
        // should not occur"), and are answered `LOGOFF_OUTBOUND_QUEUE`.
        let busy = self.behavior.transport_activity == crate::runtime::TransportActivity::Busy
            && in_logoff
            && matches!(flags.input(), Some(f) if f == LogoffFlags::ABORT || f == LogoffFlags::QUIET);
        let queued = in_logoff
            && flags.input() == Some(LogoffFlags::QUIET)
            && self.st().spooler.outbound.iter().any(|o| o.store == logon);
        if busy || queued {
            let mut activity = LogoffFlags::empty();
            if busy {
                activity |= LogoffFlags::INBOUND | LogoffFlags::OUTBOUND;
            }
            if queued {
                activity |= LogoffFlags::OUTBOUND_QUEUE;
            }
            if let Some(rec) = self.st().logons.get_mut(logon) {
                rec.slt_refused += 1;
                rec.slt_refused_answer = Some(activity);
            }
            self.note(format!(
                "transports are at work: the logoff asked with {flags} does not happen"
            ));
            return Ok(activity);
        }
        // Messages of the store still waiting for the spooler: `LOGOFF_PURGE` sends them (and
        // flushes the transports' queues) before it returns; `LOGOFF_NO_WAIT` returns at once and
        // the spooler sends them at its next steps, then lets go of the store; the other flags
        // start no new message (they stay in the store's outbox).
        let queued = self
            .st()
            .spooler
            .outbound
            .iter()
            .filter(|o| o.store == logon)
            .count();
        match flags.input() {
            Some(f) if f == LogoffFlags::PURGE => {
                let _spooler = self.ledger.enter(Party::Spooler, Owner::none());
                self.send_store_queue(logon);
                self.flush_transports(logon);
            }
            Some(f) if f == LogoffFlags::NO_WAIT && queued > 0 && in_logoff => {
                if let Some(rec) = self.st().logons.get_mut(logon) {
                    rec.drain_outbound = true;
                }
                self.note(text!(
                    "the spooler sends the store's {queued} waiting message(s) at its next steps, then lets go of the store",
                    queued
                ));
                return Ok(LogoffFlags::COMPLETE);
            }
            _ => {}
        }
        self.spooler_release(logon, "the store logs off its transports");
        Ok(LogoffFlags::COMPLETE)
    }

    /// MAPI's teardown of a store logon, inside the final release of its support object: the
    /// logon's MAPIUIDs and status row go at once; `Logoff`, the logon's release and `Shutdown`
    /// follow, unless a provider call of MAPI's on the logon is in flight (then they wait for it
    /// to return) or MAPI is already tearing the logon down (at session logoff).
    /// The fault plan fails a support call: a note, and the call counts as made where a rule
    /// asks whether the provider made it (`StoreLogoffTransports`).
    fn injected_support_failure(&self, logon: LogonKey, method: &str, n: u64, error: MapiError) {
        self.note(format!(
            "the fault plan fails the {} call of {method} with {error}",
            super::faults::ordinal(n)
        ));
        // The provider did call it, and the call failed: like a refusal, it kept the store
        // logged on, so a later call (from the final release of a store whose `StoreLogoff`
        // failed) is the shutdown's one call, and none is still not "never".
        if method == "StoreLogoffTransports"
            && let Some(rec) = self.st().logons.get_mut(logon)
        {
            rec.slt_calls += 1;
            rec.slt_refused += 1;
        }
    }

    pub(crate) fn support_final_release(&self, logon: LogonKey) {
        let _mapi = self.mapi_scope();
        self.request_teardown(logon, crate::runtime::state::TeardownCause::SupportReleased);
    }

    /// Removes a logon's MAPIUIDs and status row (once).
    pub(crate) fn cleanup_logon(&self, logon: LogonKey) {
        let removed = {
            let mut st = self.st();
            let Some(rec) = st.logons.get_mut(logon) else {
                return;
            };
            if rec.cleanup_done {
                return;
            }
            rec.cleanup_done = true;
            let session = rec.session;
            let label = rec.logon_label;
            st.session_mut(session).map(|s| {
                let uids = s.uids.remove_logon(logon);
                let rows = s.status_rows.remove_logon(logon);
                (uids, rows, label)
            })
        };
        if let Some((uids, rows, label)) = removed {
            self.note(text!(
                "removed {uids} MAPIUID(s) and {rows} status row(s) of {logon}",
                uids,
                rows,
                logon = label.map_or(Value::Static("the logon"), Value::Label),
            ));
        }
    }

    /// Whether the teardown variant leaves UID and row removal to the provider's `Logoff`.
    pub(crate) fn cleanup_in_logoff(&self) -> bool {
        self.behavior.teardown_cleanup == TeardownCleanup::ProviderInLogoff
    }
}
