//! The trace: every call across the boundary as a typed [`Event`], numbered in order, with a
//! stable one-line-per-event text form.
//!
//! Calls nest: an event recorded while a call is open on the same thread is indented under it.
//! A call's line carries its outcome, filled in when the call returns.
//!
//! # The text form
//!
//! One line per event: the event number right-aligned in four columns, a space, two spaces per
//! level of nesting, then
//!
//! | event | form |
//! |---|---|
//! | call | `CALLER -> TARGET: METHOD(ARGS) = OUTCOME` — the outcome is `S_OK`, a warning or error as `NAME (0xHHHHHHHH)`, followed by `; OUTPUTS` when the call returned something worth naming; `…` while the call is still open; `panicked: MESSAGE` when it unwound |
//! | reference taken | `BY -> OBJECT: AddRef() = COUNT` |
//! | reference dropped | `BY -> OBJECT: Release() = COUNT` |
//! | final release | `BY -> OBJECT: Release() = 0, destroyed` |
//! | library load | `BY -> FILE: LoadLibrary() = COUNT` followed by `, new instance` when the DLL's statics were born, and `(REASON)` |
//! | library free | `BY -> FILE: FreeLibrary() = COUNT` followed by `, unloaded` when the count reached 0, and `(REASON)` |
//! | violation | `!! RULE-ID: TEXT` |
//! | advisory (a rule that is advice) | `?? RULE-ID (advice): TEXT` |
//! | note | `BY: note: TEXT` |
//!
//! Parties print as `client`, `MAPI`, `spooler`, a DLL by its file name, and an object by its
//! interface and its number in the object ledger (`IMsgStore#3`). The form has no addresses, times
//! or thread names, so the same single-threaded scenario prints the same text byte for byte.
//!
//! ```
//! use mapisim::trace::{EventKind, Party, Trace};
//! use mapisim::error::Status;
//!
//! let trace = Trace::new();
//! let open = trace.begin_call(Party::Client, Party::Mapi, "MAPIInitialize", "MAPI_MULTITHREAD_NOTIFICATIONS");
//! trace.record(EventKind::Note { by: Party::Mapi, text: "first initialization".into() });
//! open.finish(Status::Ok, "");
//! let logon = trace.begin_call(Party::Client, Party::Mapi, "MAPILogonEx", "\"Default\", MAPI_EXTENDED");
//! logon.finish(Status::Ok, "IMAPISession#1");
//!
//! assert_eq!(trace.text(), "   1 client -> MAPI: MAPIInitialize(MAPI_MULTITHREAD_NOTIFICATIONS) = S_OK
//!    2   MAPI: note: first initialization
//!    3 client -> MAPI: MAPILogonEx(\"Default\", MAPI_EXTENDED) = S_OK; IMAPISession#1
//! ");
//! ```

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use crate::error::{MapiResult, Status};
use crate::object::ObjLabel;
use crate::sync::lock;

/// The number of an event in its trace, from 1.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct EventId(pub u64);

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Who calls, or what is called, in an event.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Party {
    /// The client application (the test). Code running outside any simulator scope is the client.
    Client,
    /// The MAPI subsystem as a caller, or MAPI's exported functions as a target.
    Mapi,
    /// The MAPI spooler.
    Spooler,
    /// A provider DLL: as a caller, code of that provider; as a target, its exported functions.
    Library(Arc<str>),
    /// An object in the object ledger.
    Object(ObjLabel),
    /// Windows itself, as a target: OLE and COM initialization, a thread's message queue.
    System,
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Party::Client => f.write_str("client"),
            Party::Mapi => f.write_str("MAPI"),
            Party::Spooler => f.write_str("spooler"),
            Party::Library(name) => f.write_str(name),
            Party::Object(label) => label.fmt(f),
            Party::System => f.write_str("Windows"),
        }
    }
}

/// How a call ended.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// The call has not returned yet.
    Pending,
    /// The call returned this status, with a summary of its outputs (possibly empty).
    Returned(Status, String),
    /// The callee panicked; the message when it was a string.
    Panicked(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Pending => f.write_str("…"),
            Outcome::Returned(status, outputs) if outputs.is_empty() => status.fmt(f),
            Outcome::Returned(status, outputs) => write!(f, "{status}; {outputs}"),
            Outcome::Panicked(message) => write!(f, "panicked: {message}"),
        }
    }
}

/// What happened in one event.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum EventKind {
    /// A call across the boundary.
    Call {
        /// Who called.
        caller: Party,
        /// What was called: an object, a DLL's export, or MAPI.
        target: Party,
        /// The method or function name (`Logon`, `MSProviderInit`, `MAPIInitialize`).
        method: Cow<'static, str>,
        /// The arguments, summarised.
        args: String,
        /// How it ended.
        outcome: Outcome,
    },
    /// A reference was taken (a `Ref` cloned) on a tracked object.
    AddRef {
        /// Who took it.
        by: Party,
        /// The object.
        object: ObjLabel,
        /// The count after the call.
        count: u32,
    },
    /// A reference was dropped on a tracked object, leaving it alive.
    Release {
        /// Who dropped it.
        by: Party,
        /// The object.
        object: ObjLabel,
        /// The count after the call.
        count: u32,
    },
    /// The final reference was dropped: the object was destroyed.
    Destroyed {
        /// Who dropped the last reference.
        by: Party,
        /// The object.
        object: ObjLabel,
    },
    /// `LoadLibrary` of a provider DLL.
    LoadLibrary {
        /// Who loaded it.
        by: Party,
        /// The file name.
        file: Arc<str>,
        /// The load count after the call.
        count: u32,
        /// Whether this load created a new instance of the DLL (its statics were born).
        new_instance: bool,
        /// Why it was loaded.
        reason: Cow<'static, str>,
    },
    /// `FreeLibrary` of a provider DLL.
    FreeLibrary {
        /// Who freed it.
        by: Party,
        /// The file name.
        file: Arc<str>,
        /// The load count after the call.
        count: u32,
        /// Why it was freed.
        reason: Cow<'static, str>,
    },
    /// A broken contract the simulator detected (the report has the details).
    Violation {
        /// The rule's id.
        rule: &'static str,
        /// What happened.
        text: String,
        /// Whether the rule is advice (a *should* of the page): an advisory, not a violation.
        advisory: bool,
    },
    /// A remark by a party (a decision the simulator took, a behaviour setting in effect).
    Note {
        /// Who remarks.
        by: Party,
        /// The remark.
        text: String,
    },
}

/// One numbered event.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Event {
    /// Its number in the trace.
    pub id: EventId,
    /// How many calls were open on the recording thread when it was recorded.
    pub depth: u16,
    /// What happened.
    pub kind: EventKind,
}

impl Event {
    /// The call's method name, when the event is a call.
    pub fn method(&self) -> Option<&str> {
        match &self.kind {
            EventKind::Call { method, .. } => Some(method),
            _ => None,
        }
    }

    /// The call's outcome, when the event is a call.
    pub fn outcome(&self) -> Option<&Outcome> {
        match &self.kind {
            EventKind::Call { outcome, .. } => Some(outcome),
            _ => None,
        }
    }
}

impl fmt::Display for Event {
    /// The event's line in the documented text form, without a line break.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>4} ", self.id.0)?;
        for _ in 0..self.depth {
            f.write_str("  ")?;
        }
        match &self.kind {
            EventKind::Call {
                caller,
                target,
                method,
                args,
                outcome,
            } => write!(f, "{caller} -> {target}: {method}({args}) = {outcome}"),
            EventKind::AddRef { by, object, count } => write!(f, "{by} -> {object}: AddRef() = {count}"),
            EventKind::Release { by, object, count } => write!(f, "{by} -> {object}: Release() = {count}"),
            EventKind::Destroyed { by, object } => write!(f, "{by} -> {object}: Release() = 0, destroyed"),
            EventKind::LoadLibrary {
                by,
                file,
                count,
                new_instance,
                reason,
            } => {
                write!(f, "{by} -> {file}: LoadLibrary() = {count}")?;
                if *new_instance {
                    f.write_str(", new instance")?;
                }
                write!(f, " ({reason})")
            }
            EventKind::FreeLibrary {
                by,
                file,
                count,
                reason,
            } => {
                write!(f, "{by} -> {file}: FreeLibrary() = {count}")?;
                if *count == 0 {
                    f.write_str(", unloaded")?;
                }
                write!(f, " ({reason})")
            }
            EventKind::Violation {
                rule,
                text,
                advisory: false,
            } => write!(f, "!! {rule}: {text}"),
            EventKind::Violation {
                rule,
                text,
                advisory: true,
            } => write!(f, "?? {rule} (advice): {text}"),
            EventKind::Note { by, text } => write!(f, "{by}: note: {text}"),
        }
    }
}

#[derive(Default)]
struct TraceState {
    events: Vec<Event>,
}

impl TraceState {
    fn push(&mut self, depth: u16, kind: EventKind) -> usize {
        let index = self.events.len();
        self.events.push(Event {
            id: EventId(index as u64 + 1),
            depth,
            kind,
        });
        index
    }
}

thread_local! {
    /// The calls open on this thread: which trace (by address) and which event.
    static OPEN_CALLS: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
}

/// A shared, ordered record of events. Cloning a `Trace` gives another handle to the same record.
#[derive(Clone, Default)]
pub struct Trace {
    state: Arc<Mutex<TraceState>>,
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace").field("events", &self.len()).finish()
    }
}

impl Trace {
    /// An empty trace.
    pub fn new() -> Trace {
        Trace::default()
    }

    fn key(&self) -> usize {
        Arc::as_ptr(&self.state) as *const () as usize
    }

    /// How many calls of this trace are open on this thread.
    fn depth(&self) -> u16 {
        let key = self.key();
        OPEN_CALLS
            .try_with(|open| open.borrow().iter().filter(|(k, _)| *k == key).count())
            .map_or(0, |n| u16::try_from(n).unwrap_or(u16::MAX))
    }

    /// Records a call as open and returns the guard that records how it ends. Events recorded on
    /// this thread until the guard finishes nest under the call.
    pub fn begin_call(
        &self,
        caller: Party,
        target: Party,
        method: impl Into<Cow<'static, str>>,
        args: impl Into<String>,
    ) -> CallGuard {
        let depth = self.depth();
        let index = lock(&self.state).push(
            depth,
            EventKind::Call {
                caller,
                target,
                method: method.into(),
                args: args.into(),
                outcome: Outcome::Pending,
            },
        );
        let key = self.key();
        let _ = OPEN_CALLS.try_with(|open| open.borrow_mut().push((key, index)));
        CallGuard {
            trace: self.clone(),
            index,
            done: false,
            _thread_bound: PhantomData,
        }
    }

    /// Records an event that is not a call, nested under the calls open on this thread.
    pub fn record(&self, kind: EventKind) -> EventId {
        let depth = self.depth();
        let index = lock(&self.state).push(depth, kind);
        EventId(index as u64 + 1)
    }

    /// The innermost call open on this thread, if any.
    pub fn current_call(&self) -> Option<EventId> {
        let key = self.key();
        OPEN_CALLS
            .try_with(|open| {
                open.borrow()
                    .iter()
                    .rev()
                    .find(|(k, _)| *k == key)
                    .map(|&(_, i)| EventId(i as u64 + 1))
            })
            .ok()
            .flatten()
    }

    /// A separate trace holding a copy of the events recorded so far.
    pub fn snapshot(&self) -> Trace {
        let events = self.events();
        Trace {
            state: Arc::new(Mutex::new(TraceState { events })),
        }
    }

    /// The number of events.
    pub fn len(&self) -> usize {
        lock(&self.state).events.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of every event, in order.
    pub fn events(&self) -> Vec<Event> {
        lock(&self.state).events.clone()
    }

    /// A copy of one event.
    pub fn event(&self, id: EventId) -> Option<Event> {
        let index = usize::try_from(id.0.checked_sub(1)?).ok()?;
        lock(&self.state).events.get(index).cloned()
    }

    /// The whole trace in the text form, one line per event, each ending in a line break.
    pub fn text(&self) -> String {
        let state = lock(&self.state);
        let mut out = String::with_capacity(state.events.len() * 64);
        for event in &state.events {
            use fmt::Write as _;
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{event}");
        }
        out
    }

    /// The lines of the events from `before` events before `id` to `after` events after it,
    /// with `id`'s line marked by `>` in the first column.
    pub fn lines_around(&self, id: EventId, before: usize, after: usize) -> String {
        let state = lock(&self.state);
        let Some(center) = usize::try_from(id.0).ok().and_then(|n| n.checked_sub(1)) else {
            return String::new();
        };
        let first = center.saturating_sub(before);
        let last = center
            .saturating_add(after)
            .min(state.events.len().saturating_sub(1));
        let mut out = String::new();
        for (i, event) in state.events.iter().enumerate().take(last + 1).skip(first) {
            use fmt::Write as _;
            let mark = if i == center { '>' } else { ' ' };
            let _ = writeln!(out, "{mark}{event}");
        }
        out
    }

    /// The events that are calls of `method`, in order.
    pub fn calls_of(&self, method: &str) -> Vec<Event> {
        lock(&self.state)
            .events
            .iter()
            .filter(|e| e.method() == Some(method))
            .cloned()
            .collect()
    }

    fn finish(&self, index: usize, outcome: Outcome) {
        if let Some(Event {
            kind: EventKind::Call { outcome: slot, .. },
            ..
        }) = lock(&self.state).events.get_mut(index)
        {
            *slot = outcome;
        }
        let key = self.key();
        let _ = OPEN_CALLS.try_with(|open| {
            let mut open = open.borrow_mut();
            if let Some(pos) = open.iter().rposition(|&(k, i)| k == key && i == index) {
                open.remove(pos);
            }
        });
    }
}

impl fmt::Display for Trace {
    /// The text form ([`Trace::text`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// An open call in a [`Trace`]. Finish it with its outcome; a guard dropped unfinished (the
/// callee unwound) records the call as panicked. A call is open on the thread that began it.
#[derive(Debug)]
#[must_use = "a call stays open until its guard is finished or dropped"]
pub struct CallGuard {
    trace: Trace,
    index: usize,
    done: bool,
    // The call is open on the thread that began it.
    _thread_bound: PhantomData<*const ()>,
}

impl CallGuard {
    /// The call's event number.
    pub fn id(&self) -> EventId {
        EventId(self.index as u64 + 1)
    }

    /// Records the call's status and a summary of its outputs.
    pub fn finish(mut self, status: Status, outputs: impl Into<String>) {
        self.done = true;
        self.trace
            .finish(self.index, Outcome::Returned(status, outputs.into()));
    }

    /// Records the outcome of a call that returned a `MapiResult`, summarising a success with
    /// `outputs`.
    pub fn finish_result<T>(self, result: &MapiResult<T>, outputs: impl FnOnce(&T) -> String) {
        match result {
            Ok(value) => {
                let summary = outputs(value);
                self.finish(Status::Ok, summary);
            }
            Err(e) => self.finish(Status::Error(*e), String::new()),
        }
    }

    /// Records that the callee panicked with this message.
    pub fn panicked(mut self, message: impl Into<String>) {
        self.done = true;
        self.trace.finish(self.index, Outcome::Panicked(message.into()));
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if !self.done {
            self.trace.finish(
                self.index,
                Outcome::Panicked("the call did not return".to_owned()),
            );
        }
    }
}
