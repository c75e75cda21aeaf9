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
use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use crate::error::{MapiResult, Status};
use crate::flags::MapiFlags;
use crate::ids::MapiUid;
use crate::label::ObjLabel;
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

/// How many values a [`Text`] kept as data holds at most.
const SLOTS: usize = 4;

/// Formats the values of a [`Text`] kept as data.
pub(crate) type Writer = fn(&[Value], &mut fmt::Formatter<'_>) -> fmt::Result;

/// One value an event keeps as data until the trace is read.
#[derive(Clone, Default)]
pub(crate) enum Value {
    /// An unused slot; prints nothing.
    #[default]
    Nothing,
    /// A number, in decimal.
    Num(u64),
    /// An object, by its label.
    Label(ObjLabel),
    /// Flags, by the MAPI names of their family (as [`MapiFlags::write_names`] writes them).
    Flags(u32, fn() -> &'static [(&'static str, u32)]),
    /// A fixed text.
    Static(&'static str),
    /// A shared text (a DLL's file name).
    Shared(Arc<str>),
    /// A text formatted when it was recorded.
    Owned(String),
    /// A MAPIUID, in hexadecimal.
    Uid(MapiUid),
    /// An SPI version.
    Version(crate::flags::SpiVersion),
    /// A block of MAPI memory, by its number: `buffer N`.
    Buffer(u64),
    /// Property tags by name, separated by spaces.
    Tags(Box<[crate::props::PropTag]>),
    /// The first bytes of a binary value (an entry ID) in hexadecimal, `…` after them when there
    /// were more: `len` of `head` are shown.
    Hex { head: [u8; 8], len: u8, more: bool },
}

impl Value {
    /// The first eight bytes of `bytes`, in hexadecimal, with `…` when there are more.
    pub(crate) fn hex(bytes: &[u8]) -> Value {
        let mut head = [0; 8];
        let len = bytes.len().min(8);
        head[..len].copy_from_slice(&bytes[..len]);
        Value::Hex {
            head,
            len: len as u8,
            more: bytes.len() > 8,
        }
    }

    /// Flags of any family, by name.
    pub(crate) fn flags<F: MapiFlags>(flags: F) -> Value {
        Value::Flags(flags.bits(), || F::NAMES)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nothing => Ok(()),
            Value::Num(n) => fmt::Display::fmt(n, f),
            Value::Label(label) => label.fmt(f),
            Value::Flags(bits, names) => crate::flags::write_flag_names(*bits, names(), f),
            Value::Static(text) => f.write_str(text),
            Value::Shared(text) => f.write_str(text),
            Value::Owned(text) => f.write_str(text),
            Value::Uid(uid) => uid.fmt(f),
            Value::Version(version) => version.fmt(f),
            Value::Buffer(index) => write!(f, "buffer {index}"),
            Value::Hex { head, len, more } => {
                crate::sync::write_hex(f, &head[..usize::from(*len).min(8)], true)?;
                if *more {
                    f.write_str("…")?;
                }
                Ok(())
            }
            Value::Tags(tags) => {
                let mut separator = "";
                for tag in tags {
                    f.write_str(separator)?;
                    tag.fmt(f)?;
                    separator = " ";
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for Value {
    /// Texts quoted and escaped as `str`'s `Debug` writes them; anything else as it displays.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Static(text) => fmt::Debug::fmt(text, f),
            Value::Shared(text) => fmt::Debug::fmt(&**text, f),
            Value::Owned(text) => fmt::Debug::fmt(text.as_str(), f),
            other => fmt::Display::fmt(other, f),
        }
    }
}

impl From<ObjLabel> for Value {
    fn from(label: ObjLabel) -> Value {
        Value::Label(label)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Num(u64::from(n))
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Value {
        Value::Num(n as u64)
    }
}

impl From<&'static str> for Value {
    fn from(text: &'static str) -> Value {
        Value::Static(text)
    }
}

impl From<Arc<str>> for Value {
    fn from(text: Arc<str>) -> Value {
        Value::Shared(text)
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Owned(text)
    }
}

impl From<MapiUid> for Value {
    fn from(uid: MapiUid) -> Value {
        Value::Uid(uid)
    }
}

impl From<crate::flags::SpiVersion> for Value {
    fn from(version: crate::flags::SpiVersion) -> Value {
        Value::Version(version)
    }
}

/// A [`Text`] kept as data: a format string whose arguments are named values kept until the
/// text is read. `text!("a store of session {session}", session)` or, naming an expression,
/// `text!("{flags}", flags = Value::flags(flags))`. At most four values; each converts into a
/// [`Value`].
macro_rules! text {
    ($fmt:literal $(, $name:ident $(= $value:expr)?)* $(,)?) => {
        $crate::trace::Text::data(
            [$($crate::trace::text!(@value $name $(= $value)?)),*],
            |values, f| match values {
                [$($name),*] => write!(f, $fmt),
                #[allow(unreachable_patterns)]
                _ => Ok(()),
            },
        )
    };
    (@value $name:ident) => {
        $crate::trace::Value::from($name)
    };
    (@value $name:ident = $value:expr) => {
        $crate::trace::Value::from($value)
    };
}
pub(crate) use text;

/// The text of an event — a call's arguments or outputs, a note — kept as it is recorded and
/// formatted when the trace is read: a fixed text, a text formatted by the recorder, or values
/// (labels, flags, numbers) kept as data, which costs no formatting and no allocation until the
/// trace is read ([`Trace::text`], a report, `to_string`).
///
/// Texts compare by what they print.
///
/// ```
/// use mapisim::trace::Text;
///
/// let text = Text::from(format!("{} row(s)", 1));
/// assert_eq!(text, "1 row(s)");
/// assert_eq!(text.to_string(), "1 row(s)");
/// assert!(Text::default().is_empty());
/// ```
#[derive(Clone, Default)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Owned(String),
    Data {
        values: [Value; SLOTS],
        len: u8,
        write: Writer,
    },
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Static("")
    }
}

impl Text {
    /// No text.
    pub const EMPTY: Text = Text(Repr::Static(""));

    /// A fixed text.
    pub const fn from_static(text: &'static str) -> Text {
        Text(Repr::Static(text))
    }

    /// Values kept as data, formatted by `write` when the text is read. At most four values.
    pub(crate) fn data<const N: usize>(values: [Value; N], write: Writer) -> Text {
        const { assert!(N <= SLOTS, "a text keeps at most four values") };
        let mut values = values.into_iter();
        let slots: [Value; SLOTS] = std::array::from_fn(|_| values.next().unwrap_or_default());
        Text(Repr::Data {
            values: slots,
            len: N as u8,
            write,
        })
    }

    /// One value kept as data, printed as it prints.
    pub(crate) fn value(value: impl Into<Value>) -> Text {
        Text::data([value.into()], |v, f| {
            v.iter().try_for_each(|v| fmt::Display::fmt(v, f))
        })
    }

    /// Values joined with `, `, those that are [`Value::Nothing`] left out.
    pub(crate) fn list<const N: usize>(values: [Value; N]) -> Text {
        Text::data(values, |values, f| write_list(values, f).map(|_| ()))
    }

    /// Whether the text prints nothing.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Static(text) => text.is_empty(),
            Repr::Owned(text) => text.is_empty(),
            Repr::Data { .. } => self.to_string().is_empty(),
        }
    }
}

/// Writes `values` joined with `, `, those that are [`Value::Nothing`] left out (as
/// [`Text::list`] prints them); returns the separator that would come before one more value.
pub(crate) fn write_list(values: &[Value], f: &mut fmt::Formatter<'_>) -> Result<&'static str, fmt::Error> {
    let mut separator = "";
    for value in values.iter().filter(|v| !matches!(v, Value::Nothing)) {
        f.write_str(separator)?;
        fmt::Display::fmt(value, f)?;
        separator = ", ";
    }
    Ok(separator)
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Static(text) => f.write_str(text),
            Repr::Owned(text) => f.write_str(text),
            Repr::Data { values, len, write } => write(&values[..usize::from(*len)], f),
        }
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        match (&self.0, &other.0) {
            (Repr::Static(a), Repr::Static(b)) => a == b,
            (Repr::Owned(a), Repr::Owned(b)) => a == b,
            _ => self.to_string() == other.to_string(),
        }
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        match &self.0 {
            Repr::Static(text) => *text == other,
            Repr::Owned(text) => text == other,
            Repr::Data { .. } => self.to_string().as_str() == other,
        }
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(Repr::Owned(text))
    }
}

impl From<&'static str> for Text {
    /// A fixed text (as [`Text::from_static`]).
    fn from(text: &'static str) -> Text {
        Text::from_static(text)
    }
}

/// How a call ended.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// The call has not returned yet.
    Pending,
    /// The call returned this status, with a summary of its outputs (possibly empty).
    Returned(Status, Text),
    /// The callee panicked; the message when it was a string.
    Panicked(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Pending => f.write_str("…"),
            Outcome::Returned(status, outputs) => match &outputs.0 {
                Repr::Data { .. } => {
                    let outputs = outputs.to_string();
                    if outputs.is_empty() {
                        status.fmt(f)
                    } else {
                        write!(f, "{status}; {outputs}")
                    }
                }
                _ if outputs.is_empty() => status.fmt(f),
                _ => write!(f, "{status}; {outputs}"),
            },
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
        args: Text,
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
        reason: Text,
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
        reason: Text,
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
        text: Text,
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

/// How many events before a violation a report's excerpt shows ([`Trace::lines_around`]).
pub(crate) const EXCERPT_BEFORE: usize = 4;
/// How many events after a violation a report's excerpt shows.
pub(crate) const EXCERPT_AFTER: usize = 2;
/// The smallest window a bounded trace keeps: a violation's excerpt must still be in it.
const MIN_LIMIT: usize = 8;

struct TraceState {
    /// The newest events, oldest first: every event, or the last `limit` of a bounded trace.
    window: VecDeque<Event>,
    /// How many events were recorded (the last one's number).
    recorded: u64,
    /// The most events the window keeps, for a bounded trace.
    limit: Option<usize>,
    /// Events older than the window that a violation's excerpt shows, oldest first.
    kept: Vec<Event>,
    /// The numbers of the violations recorded in a bounded trace, in order.
    violations: Vec<u64>,
}

impl Default for TraceState {
    fn default() -> TraceState {
        TraceState {
            window: VecDeque::with_capacity(64),
            recorded: 0,
            limit: None,
            kept: Vec::new(),
            violations: Vec::new(),
        }
    }
}

impl TraceState {
    /// Records an event and returns its number.
    fn push(&mut self, depth: u16, kind: EventKind) -> u64 {
        self.recorded += 1;
        let id = self.recorded;
        if let Some(limit) = self.limit {
            if matches!(kind, EventKind::Violation { .. }) {
                self.violations.push(id);
            }
            while self.window.len() >= limit {
                match self.window.pop_front() {
                    Some(old) if self.excerpted(old.id.0) => self.kept.push(old),
                    Some(_) => {}
                    None => break,
                }
            }
        }
        self.window.push_back(Event {
            id: EventId(id),
            depth,
            kind,
        });
        id
    }

    /// Whether a violation's excerpt shows event `id`.
    fn excerpted(&self, id: u64) -> bool {
        let lowest = id.saturating_sub(EXCERPT_AFTER as u64);
        let i = self.violations.partition_point(|&v| v < lowest);
        self.violations
            .get(i)
            .is_some_and(|&v| v <= id.saturating_add(EXCERPT_BEFORE as u64))
    }

    /// The number of the oldest event in the window.
    fn window_start(&self) -> u64 {
        self.recorded + 1 - self.window.len() as u64
    }

    /// Where event `id` is held: in the window (`true`) or among the excerpts, at which index.
    fn locate(&self, id: u64) -> Option<(bool, usize)> {
        let start = self.window_start();
        if id >= start {
            let i = usize::try_from(id - start).ok()?;
            (i < self.window.len()).then_some((true, i))
        } else {
            let i = self.kept.binary_search_by_key(&id, |e| e.id.0).ok()?;
            Some((false, i))
        }
    }

    fn get(&self, id: u64) -> Option<&Event> {
        match self.locate(id)? {
            (true, i) => self.window.get(i),
            (false, i) => self.kept.get(i),
        }
    }

    fn get_mut(&mut self, id: u64) -> Option<&mut Event> {
        match self.locate(id)? {
            (true, i) => self.window.get_mut(i),
            (false, i) => self.kept.get_mut(i),
        }
    }

    /// The events held, in order.
    fn iter(&self) -> impl Iterator<Item = &Event> {
        self.kept.iter().chain(self.window.iter())
    }

    fn held(&self) -> usize {
        self.kept.len() + self.window.len()
    }
}

/// Writes the line that stands for `n` events a bounded trace did not keep.
fn write_gap(out: &mut String, n: u64) {
    use fmt::Write as _;
    let _ = match n {
        1 => writeln!(out, "   … 1 event not kept"),
        n => writeln!(out, "   … {n} events not kept"),
    };
}

thread_local! {
    /// The calls open on this thread: which trace (by address) and which event.
    static OPEN_CALLS: RefCell<Vec<(usize, u64)>> = const { RefCell::new(Vec::new()) };
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
    /// An empty trace that keeps every event.
    pub fn new() -> Trace {
        Trace::default()
    }

    /// An empty trace that keeps the last `limit` events (at least 8), and older events only
    /// where a report's excerpt around a violation shows them: for long runs (soak tests, fault
    /// loops), so that memory stays bounded while reports read as they do with every event kept.
    /// Event numbers still count every event; [`Trace::text`] marks what was not kept.
    ///
    /// ```
    /// use mapisim::trace::{EventKind, Party, Trace};
    ///
    /// let trace = Trace::with_limit(8);
    /// for i in 0..100 {
    ///     trace.record(EventKind::Note { by: Party::Mapi, text: format!("step {i}").into() });
    /// }
    /// assert_eq!(trace.len(), 100);
    /// assert_eq!(trace.held(), 8);
    /// assert!(trace.text().starts_with("   … 92 events not kept\n  93 MAPI: note: step 92\n"));
    /// ```
    pub fn with_limit(limit: usize) -> Trace {
        let state = TraceState {
            limit: Some(limit.max(MIN_LIMIT)),
            ..TraceState::default()
        };
        Trace {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// How many events the trace keeps at most besides the excerpts (`None`: every event).
    pub fn limit(&self) -> Option<usize> {
        lock(&self.state).limit
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
        args: impl Into<Text>,
    ) -> CallGuard {
        let depth = self.depth();
        let id = lock(&self.state).push(
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
        let _ = OPEN_CALLS.try_with(|open| open.borrow_mut().push((key, id)));
        CallGuard {
            trace: self.clone(),
            id,
            done: false,
            _thread_bound: PhantomData,
        }
    }

    /// Records an event that is not a call, nested under the calls open on this thread.
    pub fn record(&self, kind: EventKind) -> EventId {
        let depth = self.depth();
        EventId(lock(&self.state).push(depth, kind))
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
                    .map(|&(_, id)| EventId(id))
            })
            .ok()
            .flatten()
    }

    /// A separate trace holding a copy of the events recorded so far (and the same limit).
    pub fn snapshot(&self) -> Trace {
        let state = lock(&self.state);
        let copy = TraceState {
            window: state.window.clone(),
            recorded: state.recorded,
            limit: state.limit,
            kept: state.kept.clone(),
            violations: state.violations.clone(),
        };
        Trace {
            state: Arc::new(Mutex::new(copy)),
        }
    }

    /// The number of events recorded (the last event's number), kept or not.
    pub fn len(&self) -> usize {
        usize::try_from(lock(&self.state).recorded).unwrap_or(usize::MAX)
    }

    /// How many events the trace holds: every event, or for a bounded trace
    /// ([`Trace::with_limit`]) the last ones and the excerpts.
    pub fn held(&self) -> usize {
        lock(&self.state).held()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of every event held, in order.
    pub fn events(&self) -> Vec<Event> {
        lock(&self.state).iter().cloned().collect()
    }

    /// A copy of one event, if the trace holds it.
    pub fn event(&self, id: EventId) -> Option<Event> {
        lock(&self.state).get(id.0).cloned()
    }

    /// The whole trace in the text form, one line per event, each ending in a line break. In a
    /// bounded trace, a line `   … N events not kept` stands for the events it did not keep.
    pub fn text(&self) -> String {
        use fmt::Write as _;
        let state = lock(&self.state);
        let mut out = String::with_capacity(state.held() * 64);
        let mut next = 1;
        for event in state.iter() {
            if event.id.0 > next {
                write_gap(&mut out, event.id.0 - next);
            }
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{event}");
            next = event.id.0 + 1;
        }
        out
    }

    /// The lines of the events from `before` events before `id` to `after` events after it,
    /// with `id`'s line marked by `>` in the first column (the events the trace holds).
    pub fn lines_around(&self, id: EventId, before: usize, after: usize) -> String {
        use fmt::Write as _;
        let state = lock(&self.state);
        if id.0 == 0 {
            return String::new();
        }
        let first = id.0.saturating_sub(before as u64).max(1);
        let last = id.0.saturating_add(after as u64).min(state.recorded);
        let mut out = String::new();
        for n in first..=last {
            if let Some(event) = state.get(n) {
                let mark = if n == id.0 { '>' } else { ' ' };
                let _ = writeln!(out, "{mark}{event}");
            }
        }
        out
    }

    /// The events held that are calls of `method`, in order.
    pub fn calls_of(&self, method: &str) -> Vec<Event> {
        lock(&self.state)
            .iter()
            .filter(|e| e.method() == Some(method))
            .cloned()
            .collect()
    }

    fn finish(&self, id: u64, outcome: Outcome) {
        if let Some(Event {
            kind: EventKind::Call { outcome: slot, .. },
            ..
        }) = lock(&self.state).get_mut(id)
        {
            *slot = outcome;
        }
        let key = self.key();
        let _ = OPEN_CALLS.try_with(|open| {
            let mut open = open.borrow_mut();
            if let Some(pos) = open.iter().rposition(|&(k, i)| k == key && i == id) {
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
    id: u64,
    done: bool,
    // The call is open on the thread that began it.
    _thread_bound: PhantomData<*const ()>,
}

impl CallGuard {
    /// The call's event number.
    pub fn id(&self) -> EventId {
        EventId(self.id)
    }

    /// Records the call's status and a summary of its outputs.
    pub fn finish(mut self, status: Status, outputs: impl Into<Text>) {
        self.done = true;
        self.trace
            .finish(self.id, Outcome::Returned(status, outputs.into()));
    }

    /// Records the outcome of a call that returned a `MapiResult`, summarising a success with
    /// `outputs`.
    pub fn finish_result<T, S: Into<Text>>(self, result: &MapiResult<T>, outputs: impl FnOnce(&T) -> S) {
        match result {
            Ok(value) => {
                let summary = outputs(value);
                self.finish(Status::Ok, summary);
            }
            Err(e) => self.finish(Status::Error(*e), Text::EMPTY),
        }
    }

    /// Records that the callee panicked with this message.
    pub fn panicked(mut self, message: impl Into<String>) {
        self.done = true;
        self.trace.finish(self.id, Outcome::Panicked(message.into()));
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if !self.done {
            self.trace
                .finish(self.id, Outcome::Panicked("the call did not return".to_owned()));
        }
    }
}
