//! The client's handle on a store object.

use std::fmt;
use std::sync::Arc;

use crate::check::rules;
use crate::error::{MapiError, MapiResult, Status, Warned};
use crate::flags::{EventMask, LogoffFlags, MapiFlags};
use crate::ids::Iid;
use crate::object::{ObjLabel, Ref, Unknown};
use crate::props::{PR_STORE_ENTRYID, Prop, PropTag, PropValue};
use crate::runtime::Runtime;
use crate::runtime::state::{LogonKey, LogonPhase};
use crate::spi::{AdviseSink, MapiErrorInfo, Message, MsgStore, OpenedEntry, PropProblem};
use crate::trace::{Party, Text, Value, text};

/// The client's reference to a store object (`IMsgStore`), as `OpenMsgStore` returns it.
///
/// It holds one counted reference: dropping the handle is the client's `Release`, which may be the
/// store's final release. Calls go through the simulator, which traces them, checks that the
/// session and the store are still usable (`MAPI_E_END_OF_SESSION` after the session's logoff,
/// `MAPI_E_INVALID_OBJECT` after the store logged off or was invalidated) and catches provider
/// panics.
///
/// `StoreLogoff` ends this handle's use of the store, not another's: when two handles share the
/// store (it was opened twice), the other one keeps working (imsgstore-storelogoff: when one of
/// two clients calls it, "the message store is immediately released and control is returned to
/// the calling client").
pub struct StoreHandle {
    rt: Arc<Runtime>,
    /// This handle's `StoreLogoff` went through.
    logged_off: std::sync::atomic::AtomicBool,
    session: u32,
    logon: Option<LogonKey>,
    store: Option<Ref<dyn MsgStore>>,
    label: Option<ObjLabel>,
    file: Arc<str>,
}

impl fmt::Debug for StoreHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreHandle")
            .field("store", &self.label)
            .field("session", &self.session)
            .finish()
    }
}

impl StoreHandle {
    pub(crate) fn new(
        rt: Arc<Runtime>,
        session: u32,
        logon: Option<LogonKey>,
        store: Ref<dyn MsgStore>,
        file: Arc<str>,
    ) -> StoreHandle {
        let label = store.label();
        StoreHandle {
            rt,
            logged_off: std::sync::atomic::AtomicBool::new(false),
            session,
            logon,
            store: Some(store),
            label,
            file,
        }
    }

    pub(crate) fn logon_key(&self) -> Option<LogonKey> {
        self.logon
    }

    /// The store object's label (`IMsgStore#6`).
    pub fn label(&self) -> Option<ObjLabel> {
        self.label
    }

    /// The session the store was opened in.
    pub fn session_id(&self) -> u32 {
        self.session
    }

    /// The store object's reference count.
    pub fn ref_count(&self) -> u32 {
        self.store.as_ref().map_or(0, Ref::ref_count)
    }

    /// The provider's store object itself. Calls made through it are neither traced nor
    /// checked; use it to test provider methods the handle does not wrap.
    pub fn object(&self) -> Option<&Ref<dyn MsgStore>> {
        self.store.as_ref()
    }

    fn target(&self) -> Party {
        self.label.map_or(Party::Mapi, Party::Object)
    }

    /// Whether calls may go to the store.
    fn check_usable(&self, what: &str) -> MapiResult<&Ref<dyn MsgStore>> {
        self.check_usable_after_logoff(what, false)
    }

    /// Whether calls may go to the store; `again` lets a `StoreLogoff` through after an earlier
    /// one (the reading where repeated calls overwrite the saved flag).
    fn check_usable_after_logoff(&self, what: &str, again: bool) -> MapiResult<&Ref<dyn MsgStore>> {
        self.rt.check_session(self.session, what)?;
        let store = self.store.as_ref().ok_or(MapiError::InvalidObject)?;
        let logged_off = self.logged_off.load(std::sync::atomic::Ordering::SeqCst) && !again;
        let gone = {
            let st = self.rt.st();
            let torn_down = self
                .logon
                .and_then(|k| st.logons.get(k))
                .is_some_and(|r| r.phase == LogonPhase::TornDown);
            torn_down || store.id().is_some_and(|id| st.invalid_objects.contains(&id))
        };
        if logged_off {
            self.rt.client_violation(
                &rules::CLIENT_STORE_AFTER_LOGOFF,
                format!("{what} was called on a store the client had logged off with StoreLogoff"),
            );
        }
        if logged_off || gone {
            Err(MapiError::InvalidObject)
        } else {
            Ok(store)
        }
    }

    /// `QueryInterface` on the store object, as a client makes it on its `IMsgStore` pointer:
    /// the object answering for `iid`, one reference the client owns. When the store answers
    /// `QueryInterface` itself, the simulator checks COM's identity rules on the answer
    /// (`COM-QI-*`).
    pub fn query_interface(&self, iid: Iid) -> MapiResult<Ref<dyn Unknown>> {
        let store = self.check_usable("IMsgStore::QueryInterface")?;
        self.rt.query_provider(
            Party::Client,
            store,
            Iid::IMSGSTORE,
            iid,
            &self.file,
            Some(self.session),
        )
    }

    /// `IMsgStore::StoreLogoff`: exactly one input flag (`LOGOFF_ORDERLY`, …). The store saves the
    /// flag and passes it to `StoreLogoffTransports`; afterwards the spooler lets go of the store
    /// and only `Release` (dropping the handle) should follow.
    pub fn store_logoff(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        let _ending = self.rt.client_teardown();
        let call = self.rt.trace.begin_call(
            Party::Client,
            self.target(),
            "StoreLogoff",
            Text::value(Value::flags(flags)),
        );
        let result = self.store_logoff_inner(flags);
        self.rt.settle();
        call.finish_result(&result, |&out| Text::value(Value::flags(out)));
        result
    }

    fn store_logoff_inner(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        let again = self.rt.behavior.slt_repeat == crate::runtime::SltRepeat::Overwrite;
        let store = self.check_usable_after_logoff("IMsgStore::StoreLogoff", again)?;
        let input = match (flags.unknown_bits(), flags.input()) {
            (0, Some(input)) if flags == input => input,
            _ => {
                self.rt.client_violation(
                    &rules::CLIENT_STORELOGOFF_FLAG,
                    format!("StoreLogoff was called with {flags}"),
                );
                return Err(if flags.unknown_bits() != 0 {
                    MapiError::UnknownFlags
                } else {
                    MapiError::InvalidParameter
                });
            }
        };
        self.logged_off.store(true, std::sync::atomic::Ordering::SeqCst);
        let before = {
            let mut st = self.rt.st();
            let rec = self.logon.and_then(|k| st.logons.get_mut(k));
            rec.map(|rec| {
                rec.store_logoff_flag = Some(input);
                rec.in_store_logoff = true;
                rec.slt_calls
            })
        };
        let result = match self.rt.guarded_call(
            &self.file,
            Some(self.session),
            "StoreLogoff",
            self.label.as_slice(),
            || store.store_logoff(input),
        ) {
            Ok(r) => r,
            Err(_) => Err(MapiError::CallFailed),
        };
        let (after, refused) = {
            let mut st = self.rt.st();
            let rec = self.logon.and_then(|k| st.logons.get_mut(k));
            match rec {
                Some(rec) => {
                    rec.in_store_logoff = false;
                    (Some(rec.slt_calls), rec.slt_refused_answer.take())
                }
                None => (None, None),
            }
        };
        if let Some(activity) = refused {
            // The logoff did not happen: the handle stays usable and the spooler keeps what it
            // holds. The store must tell its caller why.
            self.logged_off.store(false, std::sync::atomic::Ordering::SeqCst);
            let passed_on = result.as_ref().is_ok_and(|out| out.contains(activity));
            if !passed_on {
                let what = match &result {
                    Ok(out) => format!("returned {out}"),
                    Err(e) => format!("failed with {e}"),
                };
                self.rt.violation(
                    &rules::SLT_OUTPUT_ACTED,
                    format!(
                        "StoreLogoffTransports answered {activity} (the logoff does not happen), and StoreLogoff {what}"
                    ),
                    self.label.as_slice(),
                    Party::Library(Arc::clone(&self.file)),
                );
            }
            return result;
        }
        // (A repeated StoreLogoff, where the reading allows one, need not call it again.)
        if let (Some(before), Some(after)) = (before, after)
            && after == before
            && before == 0
            && self.rt.behavior.store_logoff_transports == crate::runtime::SltTiming::InStoreLogoff
        {
            self.rt.violation_as(
                &rules::SLT_TIMING,
                crate::runtime::SltTiming::InStoreLogoff.severity(),
                "StoreLogoff returned without calling StoreLogoffTransports".to_owned(),
                self.label.into_iter().collect(),
                Party::Library(Arc::clone(&self.file)),
            );
        }
        let draining = self
            .logon
            .is_some_and(|k| self.rt.st().logons.get(k).is_some_and(|r| r.drain_outbound));
        if let Some(logon) = self.logon.filter(|_| !draining) {
            // The spooler is done with a store that logged off (unless it still sends what the
            // store submitted: `LOGOFF_NO_WAIT`).
            self.rt.spooler_forget(logon);
            self.rt.spooler_release(logon, "the store logged off");
        }
        result
    }

    /// `IMAPIProp::GetProps` on the store. The handle takes the property array the store
    /// allocated, copies it and frees it, as a client's smart pointer would: the client never
    /// holds the buffer.
    pub fn get_props(&self, tags: Option<&[PropTag]>) -> MapiResult<Warned<Vec<Prop>>> {
        let names = tags.map_or_else(
            || "all".to_owned(),
            |t| t.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
        );
        let call = self
            .rt
            .trace
            .begin_call(Party::Client, self.target(), "GetProps", names);
        let objects: &[ObjLabel] = self.label.as_slice();
        let result = self.check_usable("IMsgStore::GetProps").and_then(|store| {
            self.rt
                .guarded_call(&self.file, Some(self.session), "GetProps", objects, || {
                    store.get_props(tags, 0)
                })
                .unwrap_or(Err(MapiError::CallFailed))
        });
        Runtime::finish_warned(call, &result, |v| self.rt.routines.heap().summary(v.id()));
        let result = result.and_then(|w| {
            w.try_map(|array| {
                self.rt
                    .take_result(
                        array,
                        &Party::Library(Arc::clone(&self.file)),
                        Party::Client,
                        "the result of GetProps",
                        objects,
                    )
                    .ok_or(MapiError::CallFailed)
            })
        });
        self.rt.settle();
        result
    }

    /// `IMsgStore::OpenEntry` on the store: a folder or message of the store, which the client
    /// calls directly (MAPI is not in between); `None` (a NULL `lpEntryID`) opens the store's
    /// root folder. A message opened this way ([`OpenedEntry::message`]) is submitted with
    /// [`StoreHandle::submit_message`].
    pub fn open_entry(
        &self,
        entry_id: Option<&[u8]>,
        interface: Option<Iid>,
        flags: u32,
    ) -> MapiResult<OpenedEntry> {
        let call = self.rt.trace.begin_call(
            Party::Client,
            self.target(),
            "OpenEntry",
            text!(
                "entry={entry}, {flags}",
                entry = entry_id.map_or(Value::Static("NULL"), Value::hex),
                flags
            ),
        );
        let objects: &[ObjLabel] = self.label.as_slice();
        let result = self.check_usable("IMsgStore::OpenEntry").and_then(|store| {
            self.rt
                .guarded_call(&self.file, Some(self.session), "OpenEntry", objects, || {
                    store.open_entry(entry_id, interface, flags)
                })
                .unwrap_or(Err(MapiError::CallFailed))
        });
        call.finish_result(&result, opened_summary);
        self.rt.settle();
        result
    }

    /// `IMessage::SubmitMessage` on a message of this store (opened with
    /// [`StoreHandle::open_entry`]), as the client makes it: traced, in the store provider's
    /// scope (the references its code takes are the provider's), a panic reported as the
    /// provider's. The store then tells the spooler (`SpoolerNotify(NOTIFY_READYTOSEND)` once,
    /// `PrepareSubmit`), which sends the message through a transport at its next steps.
    ///
    /// ```
    /// use mapisim::prelude::*;
    /// use mapisim::sample::{SampleStore, SampleSuite, sample_new_message_id};
    ///
    /// let sim = Simulator::builder()
    ///     .library(SampleStore::DLL_FILE, SampleStore::library)
    ///     .mapisvc_inf(SampleSuite::MAPISVC_INF)?
    ///     .build();
    /// sim.profiles().create("Default")?.add_service(SampleSuite::NAME)?;
    /// let mapi = sim.initialize(InitFlags::empty())?;
    /// let session = mapi.logon_ex("Default", LogonFlags::EXTENDED)?;
    /// let row = session.msg_stores_table()?.default_store()?;
    /// let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
    /// let opened = store.open_entry(Some(&sample_new_message_id()), None, 0)?;
    /// let message = opened.message().ok_or(MapiError::InterfaceNotSupported)?;
    /// store.submit_message(&message, 0)?;
    /// drop((message, opened));
    /// // The spooler logs on to the store, starts the transport, and sends the message.
    /// sim.spooler().run_until_idle();
    /// assert!(sim.trace().to_string().contains(": SubmitMessage(0, IMessage#"));
    /// store.store_logoff(LogoffFlags::ORDERLY)?;
    /// drop(store);
    /// session.logoff(SessionLogoffFlags::empty())?;
    /// mapi.uninitialize()?;
    /// sim.finish().assert_clean();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn submit_message(&self, message: &Ref<dyn Message>, flags: u32) -> MapiResult<()> {
        let label = message.label();
        let call = self.rt.trace.begin_call(
            Party::Client,
            label.map_or(Party::Mapi, Party::Object),
            "SubmitMessage",
            text!("{flags}", flags),
        );
        let objects: &[ObjLabel] = label.as_slice();
        let result = self.check_usable("IMessage::SubmitMessage").and_then(|_| {
            self.rt
                .guarded_call(&self.file, Some(self.session), "SubmitMessage", objects, || {
                    message.submit_message(flags)
                })
                .unwrap_or(Err(MapiError::CallFailed))
        });
        call.finish_result(&result, |()| String::new());
        self.rt.settle();
        result
    }

    /// `IMAPIProp::GetLastError` on the store: the `MAPIERROR` it describes its last error with,
    /// if any. As with [`StoreHandle::get_props`], the handle copies and frees the buffer.
    pub fn get_last_error(&self, error: MapiError) -> MapiResult<Option<MapiErrorInfo>> {
        let call = self
            .rt
            .trace
            .begin_call(Party::Client, self.target(), "GetLastError", error.to_string());
        let objects: &[ObjLabel] = self.label.as_slice();
        let result = self.check_usable("IMsgStore::GetLastError").and_then(|store| {
            self.rt
                .guarded_call(&self.file, Some(self.session), "GetLastError", objects, || {
                    store.get_last_error(error, 0)
                })
                .unwrap_or(Err(MapiError::CallFailed))
        });
        call.finish_result(&result, |info| match info {
            Some(buffer) => self.rt.routines.heap().summary(buffer.id()),
            None => Text::from_static("none"),
        });
        let result = result.and_then(|info| match info {
            None => Ok(None),
            Some(buffer) => self
                .rt
                .take_result(
                    buffer,
                    &Party::Library(Arc::clone(&self.file)),
                    Party::Client,
                    "the MAPIERROR of GetLastError",
                    objects,
                )
                .map(Some)
                .ok_or(MapiError::CallFailed),
        });
        self.rt.settle();
        result
    }

    /// A traced, checked call of the client into the store.
    fn call_store<R>(
        &self,
        method: &'static str,
        args: String,
        f: impl FnOnce(&Ref<dyn MsgStore>) -> MapiResult<R>,
        summary: impl FnOnce(&R) -> String,
    ) -> MapiResult<R> {
        let call = self
            .rt
            .trace
            .begin_call(Party::Client, self.target(), method, args);
        let objects: &[ObjLabel] = self.label.as_slice();
        let what = format!("IMsgStore::{method}");
        let result = self.check_usable(&what).and_then(|store| {
            self.rt
                .guarded_call(&self.file, Some(self.session), method, objects, || f(store))
                .unwrap_or(Err(MapiError::CallFailed))
        });
        call.finish_result(&result, summary);
        self.rt.settle();
        result
    }

    /// `IMAPIProp::SetProps` on the store: the problems the store reports, property by property.
    pub fn set_props(&self, props: &[Prop]) -> MapiResult<Vec<PropProblem>> {
        let names: Vec<String> = props.iter().map(|p| p.tag.to_string()).collect();
        self.call_store(
            "SetProps",
            names.join(" "),
            |store| store.set_props(props),
            |problems| format!("{} problem(s)", problems.len()),
        )
    }

    /// `IMsgStore::Advise`: registers `sink` for the events of `mask` on the store (or on the
    /// object `entry_id` names). Returns the connection number for [`StoreHandle::unadvise`].
    /// How the notifications come back depends on `MAPIInitialize`: see
    /// [`Mapi::msg_wait_for_multiple_objects`](crate::runtime::Mapi::msg_wait_for_multiple_objects).
    pub fn advise(
        &self,
        entry_id: Option<&[u8]>,
        mask: EventMask,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize> {
        // A sink of the client's crosses the boundary here: it gets a label for the trace. (An
        // object already registered keeps its interface and owner.)
        if sink.id().is_none() {
            let _ = self.rt.ledger.adopt(
                sink,
                crate::object::InterfaceKind::AdviseSink,
                Some(crate::object::Owner::none()),
            );
        }
        self.call_store(
            "Advise",
            format!(
                "{}, {mask}",
                entry_id.map_or_else(|| "the store".to_owned(), |e| format!("{} bytes", e.len()))
            ),
            |store| store.advise(entry_id, mask, sink),
            |c| format!("connection {c}"),
        )
        .inspect(|connection| {
            if let Some(s) = self.rt.st().session_mut(self.session) {
                s.client_advises.push((self.label, *connection));
            }
        })
    }

    /// `IMsgStore::Unadvise`.
    pub fn unadvise(&self, connection: usize) -> MapiResult<()> {
        // The registration is cancelled by the attempt, whatever the store answers.
        if let Some(s) = self.rt.st().session_mut(self.session) {
            s.client_advises
                .retain(|(store, c)| !(*store == self.label && *c == connection));
        }
        self.call_store(
            "Unadvise",
            format!("connection {connection}"),
            |store| store.unadvise(connection),
            |()| String::new(),
        )
    }

    /// The store's wrapped entry ID (`PR_STORE_ENTRYID`), to open it again.
    pub fn entry_id(&self) -> MapiResult<Vec<u8>> {
        let props = self.get_props(Some(&[PR_STORE_ENTRYID]))?.into_value();
        match props.into_iter().next().map(|p| p.value) {
            Some(PropValue::Binary(bytes)) => Ok(bytes),
            _ => Err(MapiError::NotFound),
        }
    }
}

impl Drop for StoreHandle {
    /// The client's `Release`.
    fn drop(&mut self) {
        let Some(store) = self.store.take() else {
            return;
        };
        let _ending = self.rt.client_teardown();
        let count = store.ref_count().saturating_sub(1);
        let call = self
            .rt
            .trace
            .begin_call(Party::Client, self.target(), "Release", "");
        self.rt
            .release_store(self.logon, &self.file, self.session, "the store's release", store);
        {
            let mut st = self.rt.st();
            if let Some(key) = self.logon
                && let Some(rec) = st.logons.get_mut(key)
            {
                rec.client_handles = rec.client_handles.saturating_sub(1);
                if rec.client_handles == 0 {
                    st.client_held.remove(&key);
                }
            }
            if let Some(s) = st.session_mut(self.session) {
                s.client_handles = s.client_handles.saturating_sub(1);
            }
        }
        self.rt.settle();
        call.finish(Status::Ok, text!("count {count}", count));
    }
}

/// How an opened entry shows in the trace: its object type and label (`MAPI_MESSAGE, IMessage#9`).
pub(crate) fn opened_summary(entry: &OpenedEntry) -> String {
    format!(
        "{}, {}",
        entry.object_type(),
        entry.label().map(|l| l.to_string()).unwrap_or_default()
    )
}
