//! Notifications and the client's thread: the hidden notification window of the first
//! `MAPIInitialize`, the message pump of a client without `MAPI_MULTITHREAD_NOTIFICATIONS`, and
//! OLE/COM initialization as far as MAPI's rules need it.
//!
//! A notification MAPI delivers asynchronously goes, with `MAPI_MULTITHREAD_NOTIFICATIONS`, to
//! MAPI's own notification thread; the simulator delivers it at once, during the `Notify` that
//! raised it, so that traces stay deterministic. Without the flag it is posted to the thread
//! that initialized MAPI, and waits there until that thread pumps its messages.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crate::check::rules;
use crate::error::Status;
use crate::flags::{EventMask, InitFlags};
use crate::object::Ref;
use crate::runtime::{Mapi, Runtime, Simulator};
use crate::spi::{AdviseSink, Notification};
use crate::trace::Party;

/// `WAIT_OBJECT_0`.
pub const WAIT_OBJECT_0: u32 = 0x0000_0000;
/// `WAIT_TIMEOUT`.
pub const WAIT_TIMEOUT: u32 = 0x0000_0102;

/// A Windows event object (manual reset) that a client waits on next to its message queue:
/// `CreateEvent`, `SetEvent`, `ResetEvent`. Clones are handles to the same event.
#[derive(Clone, Debug, Default)]
pub struct WaitHandle {
    signalled: Arc<AtomicBool>,
}

impl WaitHandle {
    /// A new event, not signalled.
    pub fn new() -> WaitHandle {
        WaitHandle::default()
    }

    /// `SetEvent`.
    pub fn set(&self) {
        self.signalled.store(true, Ordering::Release);
    }

    /// `ResetEvent`.
    pub fn reset(&self) {
        self.signalled.store(false, Ordering::Release);
    }

    /// Whether the event is signalled.
    pub fn is_set(&self) -> bool {
        self.signalled.load(Ordering::Acquire)
    }
}

/// What `MsgWaitForMultipleObjects` returned.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum WaitResult {
    /// `WAIT_OBJECT_0 + i`: the `i`-th handle is signalled.
    Object(usize),
    /// `WAIT_OBJECT_0 + nCount`: a message is queued for the calling thread.
    Message,
    /// `WAIT_TIMEOUT`.
    Timeout,
}

impl WaitResult {
    /// The value the Windows function returns, for a wait on `n_count` handles.
    pub fn code(self, n_count: usize) -> u32 {
        let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        match self {
            WaitResult::Object(i) => WAIT_OBJECT_0.saturating_add(index(i)),
            WaitResult::Message => WAIT_OBJECT_0.saturating_add(index(n_count)),
            WaitResult::Timeout => WAIT_TIMEOUT,
        }
    }
}

impl fmt::Display for WaitResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitResult::Object(i) => write!(f, "WAIT_OBJECT_0 + {i}"),
            WaitResult::Message => f.write_str("WAIT_OBJECT_0 + nCount (a message is queued)"),
            WaitResult::Timeout => f.write_str("WAIT_TIMEOUT"),
        }
    }
}

/// A notification posted to the thread that initialized MAPI, waiting to be pumped.
pub(crate) struct QueuedNotification {
    pub(crate) thread: ThreadId,
    pub(crate) sink: Ref<dyn AdviseSink>,
    pub(crate) notifications: Vec<Notification>,
    /// Posted while the client was ending its session (`StoreLogoff`, a store's release,
    /// `IMAPISession::Logoff`, `MAPIUninitialize`): after its last chance to pump.
    pub(crate) in_teardown: bool,
}

/// A message `GetMessage` took from the thread's queue: MAPI's notification message, which
/// `DispatchMessage` hands to MAPI's hidden window, which calls the advise sink.
pub struct WindowMessage {
    queued: QueuedNotification,
}

impl WindowMessage {
    /// The notifications the message carries.
    pub fn notifications(&self) -> &[Notification] {
        &self.queued.notifications
    }
}

impl fmt::Debug for WindowMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WindowMessage")
            .field("notifications", &self.queued.notifications.len())
            .field("sink", &self.queued.sink.label())
            .finish()
    }
}

/// OLE and COM initialization of one thread.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct ComThread {
    /// `CoInitialize` calls not yet balanced (the client's own, and those of `OleInitialize`).
    pub(crate) com: u32,
    /// `OleInitialize` calls not yet balanced.
    pub(crate) ole: u32,
}

fn mask_text(notifications: &[Notification]) -> String {
    notifications
        .iter()
        .fold(EventMask::empty(), |m, n| m | n.event)
        .to_string()
}

impl Runtime {
    /// The OLE/COM state of the calling thread.
    fn com_thread(&self) -> ComThread {
        let me = std::thread::current().id();
        self.st()
            .com
            .iter()
            .find(|(t, _)| *t == me)
            .map(|(_, c)| *c)
            .unwrap_or_default()
    }

    /// Changes the OLE/COM state of the calling thread.
    fn update_com_thread(&self, f: impl FnOnce(&mut ComThread)) -> ComThread {
        let me = std::thread::current().id();
        let mut st = self.st();
        let i = match st.com.iter().position(|(t, _)| *t == me) {
            Some(i) => i,
            None => {
                st.com.push((me, ComThread::default()));
                st.com.len() - 1
            }
        };
        f(&mut st.com[i].1);
        st.com[i].1
    }

    /// What the first `MAPIInitialize` checks of the thread: COM for `MAPI_NO_COINIT`; and it
    /// records the thread that owns the notification window.
    pub(crate) fn first_initialize(&self, flags: InitFlags) {
        if flags.contains(InitFlags::NO_COINIT) && self.com_thread().com == 0 {
            self.client_violation(
                &rules::COM_NO_COINIT,
                "MAPIInitialize was given MAPI_NO_COINIT on a thread where COM is not initialized (call CoInitialize or OleInitialize first)",
            );
        }
        self.st().init_thread = Some(std::thread::current().id());
    }

    /// What the last `MAPIUninitialize` checks of the thread: OLE first. Then the notification
    /// window goes, and what it still had queued is lost.
    pub(crate) fn last_uninitialize_thread(&self) {
        let com = self.com_thread();
        if com.ole > 0 {
            self.client_violation(
                &rules::OLE_UNINIT_ORDER,
                format!(
                    "the last MAPIUninitialize came while OLE is still initialized on the thread ({} OleInitialize call(s) not balanced): OleUninitialize comes first",
                    com.ole
                ),
            );
        }
        self.drop_undelivered("at the last MAPIUninitialize");
        self.st().init_thread = None;
    }

    /// `NOTIFY-PUMP` for notifications still queued that the client could have pumped during its
    /// session; those posted while it was ending the session (after its last chance to pump) are
    /// only noted. All are dropped.
    pub(crate) fn drop_undelivered(&self, when: &str) {
        let lost = std::mem::take(&mut self.st().notify_queue);
        if lost.is_empty() {
            return;
        }
        let (late, pumpable): (Vec<&QueuedNotification>, Vec<&QueuedNotification>) =
            lost.iter().partition(|q| q.in_teardown);
        let describe = |queued: &[&QueuedNotification]| {
            let count: usize = queued.iter().map(|q| q.notifications.len()).sum();
            let events: Vec<String> = queued.iter().map(|q| mask_text(&q.notifications)).collect();
            (count, events.join(", "))
        };
        if !pumpable.is_empty() {
            let (count, events) = describe(&pumpable);
            self.client_violation(
                &rules::NOTIFY_PUMP,
                format!(
                    "{count} notification(s) ({events}) queued for the thread that initialized MAPI during the session were never delivered {when}: without MAPI_MULTITHREAD_NOTIFICATIONS that thread must pump its messages (MsgWaitForMultipleObjects, then GetMessage, TranslateMessage, DispatchMessage)"
                ),
            );
        }
        if !late.is_empty() {
            let (count, events) = describe(&late);
            self.note(format!(
                "{count} notification(s) ({events}) posted while the client was ending its session are dropped undelivered {when}"
            ));
        }
        // The sinks are released outside MAPI's lock.
        drop(lost);
    }

    /// Delivers `notifications` to `sink` for MAPI (whoever raised them), traced as MAPI's call
    /// of `OnNotify`. Returns what the sink returned.
    pub(crate) fn deliver(&self, sink: &Ref<dyn AdviseSink>, notifications: &[Notification]) -> u32 {
        let _mapi = self.mapi_scope();
        let target = sink.label().map_or(Party::Client, Party::Object);
        let call = self
            .trace
            .begin_call(Party::Mapi, target, "OnNotify", mask_text(notifications));
        let answer = sink.on_notify(notifications);
        call.finish(
            Status::Ok,
            if answer == 0 {
                String::new()
            } else {
                format!("0x{answer:08X}")
            },
        );
        answer
    }

    /// An asynchronous notification: delivered on MAPI's notification thread (at once, here)
    /// with `MAPI_MULTITHREAD_NOTIFICATIONS`, posted to the initializing thread otherwise.
    pub(crate) fn post_notification(&self, sink: Ref<dyn AdviseSink>, notifications: &[Notification]) {
        let thread = {
            let st = self.st();
            if st.init_flags.contains(InitFlags::MULTITHREAD_NOTIFICATIONS) {
                None
            } else {
                st.init_thread
            }
        };
        match thread {
            None => {
                let _ = self.deliver(&sink, notifications);
            }
            Some(thread) => {
                self.note(format!(
                    "{} posted to the thread that initialized MAPI; delivered when it pumps its messages",
                    mask_text(notifications)
                ));
                let in_teardown = self.client_teardown.load(Ordering::Relaxed) > 0;
                self.st().notify_queue.push(QueuedNotification {
                    thread,
                    sink,
                    in_teardown,
                    notifications: notifications.to_vec(),
                });
            }
        }
    }

    /// Whether the providers of `session` run inside a Windows service: `MAPI_NT_SERVICE` came
    /// with `MAPIInitialize` or with the session's `MAPILogonEx` (it is what their entry points
    /// receive).
    pub(crate) fn nt_service_session(&self, session: u32) -> bool {
        let st = self.st();
        st.init_flags.contains(InitFlags::NT_SERVICE)
            || st
                .session(session)
                .is_some_and(|s| s.flags.contains(crate::flags::LogonFlags::NT_SERVICE))
    }

    /// Whether a message is queued for the calling thread.
    fn message_queued(&self) -> bool {
        let me = std::thread::current().id();
        self.st().notify_queue.iter().any(|q| q.thread == me)
    }
}

impl Mapi {
    /// `MsgWaitForMultipleObjects(nCount, handles, FALSE, timeout, QS_ALLINPUT)`: returns as soon
    /// as one of `handles` is signalled (the lowest index wins) or a message is queued for the
    /// calling thread, or after `timeout`. There is no `INFINITE`: a test that waits for
    /// something that never comes ends with `WaitResult::Timeout` instead of hanging. Only the
    /// thread that initialized MAPI receives MAPI's notification messages.
    ///
    /// The documented loop of a client without `MAPI_MULTITHREAD_NOTIFICATIONS`:
    ///
    /// ```
    /// use std::time::Duration;
    /// use mapisim::prelude::*;
    /// use mapisim::props::PR_DISPLAY_NAME_W;
    /// use mapisim::runtime::{WaitHandle, WaitResult};
    /// use mapisim::sample::SampleStore;
    ///
    /// struct Sink;
    /// impl AdviseSink for Sink {
    ///     fn on_notify(&self, _notifications: &[Notification]) -> u32 {
    ///         0
    ///     }
    /// }
    ///
    /// let sim = Simulator::builder()
    ///     .library(SampleStore::DLL_FILE, SampleStore::library)
    ///     .service(SampleStore::service("SMPMS"))
    ///     .build();
    /// sim.profiles().create("P")?.add_service("SMPMS")?;
    /// let mapi = sim.initialize(InitFlags::empty())?;
    /// let session = mapi.logon_ex("P", LogonFlags::EXTENDED | LogonFlags::NO_MAIL)?;
    /// let row = session.msg_stores_table()?.default_store()?;
    /// let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;
    /// let sink: Ref<dyn AdviseSink> = Ref::new(Sink).into();
    /// let connection = store.advise(None, EventMask::OBJECT_MODIFIED, &sink)?;
    /// // The sample store notifies its sinks when renamed: the notification is posted to this thread.
    /// store.set_props(&[Prop { tag: PR_DISPLAY_NAME_W, value: "Renamed".into() }])?;
    ///
    /// // While the wait says WAIT_OBJECT_0 + nCount (a message is queued): get, translate, dispatch.
    /// let stop = WaitHandle::new();
    /// let mut dispatched = 0;
    /// while mapi.msg_wait_for_multiple_objects(&[&stop], Duration::ZERO) == WaitResult::Message {
    ///     while let Some(message) = mapi.get_message() {
    ///         mapi.translate_message(&message);
    ///         mapi.dispatch_message(message);
    ///         dispatched += 1;
    ///     }
    /// }
    /// assert_eq!(dispatched, 1);
    ///
    /// // The documented end: cancel the registration, log the store off, release it.
    /// store.unadvise(connection)?;
    /// store.store_logoff(LogoffFlags::ORDERLY)?;
    /// drop(store);
    /// session.logoff(SessionLogoffFlags::empty())?;
    /// drop(session);
    /// mapi.uninitialize()?;
    /// sim.finish().assert_clean();
    /// # Ok::<(), MapiError>(())
    /// ```
    pub fn msg_wait_for_multiple_objects(&self, handles: &[&WaitHandle], timeout: Duration) -> WaitResult {
        let call = self.rt.trace.begin_call(
            Party::Client,
            Party::System,
            "MsgWaitForMultipleObjects",
            format!("{} handle(s), {} ms", handles.len(), timeout.as_millis()),
        );
        let start = Instant::now();
        let result = loop {
            if let Some(i) = handles.iter().position(|h| h.is_set()) {
                break WaitResult::Object(i);
            }
            if self.rt.message_queued() {
                break WaitResult::Message;
            }
            let elapsed = start.elapsed();
            if elapsed >= timeout {
                break WaitResult::Timeout;
            }
            std::thread::sleep((timeout - elapsed).min(Duration::from_millis(1)));
        };
        call.finish(Status::Ok, result.to_string());
        result
    }

    /// `GetMessage`, for the calling thread: the next queued message, or `None` when the queue is
    /// empty (the simulator does not block here; the documented loop calls it after
    /// `MsgWaitForMultipleObjects` said a message is queued).
    pub fn get_message(&self) -> Option<WindowMessage> {
        let call = self
            .rt
            .trace
            .begin_call(Party::Client, Party::System, "GetMessage", "");
        let me = std::thread::current().id();
        let queued = {
            let mut st = self.rt.st();
            st.notify_queue
                .iter()
                .position(|q| q.thread == me)
                .map(|i| st.notify_queue.remove(i))
        };
        let message = queued.map(|queued| WindowMessage { queued });
        call.finish(
            Status::Ok,
            match &message {
                Some(m) => format!("MAPI's notification message ({})", mask_text(m.notifications())),
                None => "no message".to_owned(),
            },
        );
        message
    }

    /// `TranslateMessage`: MAPI's messages carry no keystrokes, so there is nothing to
    /// translate; returns `false`, as Windows does for such messages.
    pub fn translate_message(&self, message: &WindowMessage) -> bool {
        let call = self
            .rt
            .trace
            .begin_call(Party::Client, Party::System, "TranslateMessage", "");
        let _ = message;
        call.finish(Status::Ok, "FALSE");
        false
    }

    /// `DispatchMessage`: MAPI's hidden window receives the message and calls the advise sink
    /// (`OnNotify`). Returns what the sink returned.
    pub fn dispatch_message(&self, message: WindowMessage) -> u32 {
        let call = self
            .rt
            .trace
            .begin_call(Party::Client, Party::System, "DispatchMessage", "");
        let answer = self
            .rt
            .deliver(&message.queued.sink, &message.queued.notifications);
        call.finish(Status::Ok, String::new());
        // The sink is released outside the call, as MAPI lets go of it after the delivery.
        drop(message);
        answer
    }

    /// The documented loop, once: while a message is queued for the calling thread, get,
    /// translate and dispatch it. Returns how many messages were dispatched.
    pub fn pump_messages(&self) -> usize {
        let mut dispatched = 0;
        while self.rt.message_queued() {
            let Some(message) = self.get_message() else {
                break;
            };
            self.translate_message(&message);
            self.dispatch_message(message);
            dispatched += 1;
        }
        dispatched
    }

    /// How many notification messages wait for the calling thread.
    pub fn queued_messages(&self) -> usize {
        let me = std::thread::current().id();
        self.rt
            .st()
            .notify_queue
            .iter()
            .filter(|q| q.thread == me)
            .count()
    }
}

/// The OLE and COM calls a client makes around MAPI, on the calling thread.
impl Simulator {
    /// `CoInitialize(NULL)` on the calling thread.
    pub fn co_initialize(&self) {
        let com = self.rt.update_com_thread(|c| c.com += 1);
        self.rt.trace_system_call("CoInitialize", com);
    }

    /// `CoUninitialize` on the calling thread (nothing happens when COM is not initialized).
    pub fn co_uninitialize(&self) {
        let com = self.rt.update_com_thread(|c| c.com = c.com.saturating_sub(1));
        self.rt.trace_system_call("CoUninitialize", com);
    }

    /// `OleInitialize(NULL)` on the calling thread: it initializes COM too.
    pub fn ole_initialize(&self) {
        let com = self.rt.update_com_thread(|c| {
            c.ole += 1;
            c.com += 1;
        });
        self.rt.trace_system_call("OleInitialize", com);
    }

    /// `OleUninitialize` on the calling thread (nothing happens when OLE is not initialized). A
    /// client that used OLE calls it before its last `MAPIUninitialize` (`OLE-UNINIT-ORDER`).
    pub fn ole_uninitialize(&self) {
        let com = self.rt.update_com_thread(|c| {
            if c.ole > 0 {
                c.ole -= 1;
                c.com = c.com.saturating_sub(1);
            }
        });
        self.rt.trace_system_call("OleUninitialize", com);
    }
}

impl Runtime {
    fn trace_system_call(&self, name: &'static str, after: ComThread) {
        let call = self.trace.begin_call(Party::Client, Party::System, name, "");
        call.finish(
            Status::Ok,
            format!("thread: COM count {}, OLE count {}", after.com, after.ole),
        );
    }
}
