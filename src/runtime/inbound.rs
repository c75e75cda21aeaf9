//! Receiving: the spooler's side of `IXPLogon::StartMessage`.
//!
//! A transport says it has mail in one of two ways: `IXPLogon::Poll` answers a non-zero
//! `*lpulIncoming`, or the transport calls `IMAPISupport::SpoolerNotify(NOTIFY_NEWMAIL)`. The
//! spooler then (at its next step, once the transport has been enabled with
//! `TransportNotify(NOTIFY_BEGIN_INBOUND)`) makes a new message with read/write access and calls
//! `StartMessage(0, lpMessage, &ulMsgRef)`. The transport fills the message and saves it
//! (`IMAPIProp::SaveChanges`), or returns without saving to stop it; when `StartMessage` fails
//! the message is lost (ixplogon-startmessage). One message per step; the spooler comes back
//! while the transport still has some.
//!
//! The new message is MAPI's own object ([`InboundMessage`]): the provider interfaces have no
//! folder yet, so MAPI cannot ask the default store to create it in its receive folder. A saved
//! message is delivered to the spooler's list of received messages, which a test reads with
//! [`Spooler::take_received`](crate::runtime::Spooler::take_received).

use std::sync::{Arc, Mutex, OnceLock, Weak};

use crate::check::rules;
use crate::error::{MapiError, MapiResult, Status, Warned};
use crate::object::{InterfaceKind, ObjLabel, ObjectInfo, Owner, Ref};
use crate::props::{PR_ENTRYID, PR_ROWID, Prop, PropBag, PropTag, PropValue};
use crate::runtime::Runtime;
use crate::runtime::kind::LogonObject;
use crate::runtime::state::{LogonKey, LogonPhase, State, Teardown};
use crate::spi::{MapiProp, Message, PropArray, PropProblem};
use crate::sync::lock;
use crate::trace::{Party, Text, Value, text};

/// A message a transport delivered through `StartMessage` and saved.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ReceivedMessage {
    /// The transport logon that delivered it, as the trace names it.
    pub transport: Option<ObjLabel>,
    /// Its properties, as they were at its last `SaveChanges`.
    pub props: Vec<Prop>,
    /// Its recipients (`ModifyRecipients`), one row of properties each.
    pub recipients: Vec<Vec<Prop>>,
}

/// `MODRECIP_ADD`.
const MODRECIP_ADD: u32 = 0x2;
/// `MODRECIP_MODIFY`.
const MODRECIP_MODIFY: u32 = 0x4;
/// `MODRECIP_REMOVE`.
const MODRECIP_REMOVE: u32 = 0x8;

/// What the transport has written in the message so far.
#[derive(Default)]
struct Content {
    props: PropBag,
    recipients: Vec<Vec<Prop>>,
    next_row: i32,
}

/// The new message the spooler passes to `StartMessage`: read/write, its properties and
/// recipients kept in memory, delivered when the transport saves it.
pub(crate) struct InboundMessage {
    rt: Weak<Runtime>,
    content: Mutex<Content>,
    /// The content at the last `SaveChanges`.
    saved: Mutex<Option<ReceivedMessage>>,
    given_to: Option<(Party, Owner)>,
    label: OnceLock<ObjLabel>,
    transport_label: Option<ObjLabel>,
    file: Arc<str>,
}

impl InboundMessage {
    fn call<R, S: Into<Text>>(
        &self,
        method: &'static str,
        args: impl Into<Text>,
        f: impl FnOnce(&Runtime) -> MapiResult<R>,
        summary: impl FnOnce(&R) -> S,
    ) -> MapiResult<R> {
        Runtime::called_object(
            &self.rt,
            self.label.get().copied(),
            self.given_to.as_ref(),
            method,
            args,
            f,
            summary,
        )
    }
}

impl MapiProp for InboundMessage {
    fn get_props(&self, tags: Option<&[PropTag]>, _flags: u32) -> MapiResult<Warned<PropArray>> {
        let label = self.label.get().copied();
        self.call(
            "GetProps",
            tags.map_or(Text::from_static("all"), |t| Text::value(Value::Tags(t.into()))),
            |rt| {
                let props = lock(&self.content).props.select(tags);
                let purpose = crate::heap::Purpose::GetPropsOn(label);
                let array = props.try_map(|v| rt.allocate_result(v, "GetProps", purpose))?;
                let summary = rt.routines.heap().summary(array.value.id());
                Ok((array, summary))
            },
            |(_, summary)| summary.clone(),
        )
        .map(|(array, _)| array)
    }

    fn get_prop_list(&self, _flags: u32) -> MapiResult<Vec<PropTag>> {
        self.call(
            "GetPropList",
            Text::EMPTY,
            |_| Ok(lock(&self.content).props.tags().collect()),
            |t: &Vec<PropTag>| format!("{} tags", t.len()),
        )
    }

    /// Sets the properties, but `PR_ENTRYID`, which is MAPI's to give (`MAPI_E_COMPUTED`, and
    /// `XP-INBOUND-ENTRYID`).
    fn set_props(&self, props: &[Prop]) -> MapiResult<Vec<PropProblem>> {
        self.call(
            "SetProps",
            Text::value(Value::Tags(props.iter().map(|p| p.tag).collect())),
            |rt| {
                let mut problems = Vec::new();
                for (index, p) in props.iter().enumerate() {
                    if p.tag.id() == PR_ENTRYID.id() {
                        rt.violation(
                            &rules::XP_INBOUND_ENTRYID,
                            "the transport set PR_ENTRYID on the message StartMessage gave it",
                            self.label.get().copied().as_slice(),
                            Party::Library(Arc::clone(&self.file)),
                        );
                        problems.push(PropProblem {
                            index,
                            tag: p.tag,
                            error: MapiError::Computed,
                        });
                        continue;
                    }
                    if lock(&self.content).props.set(p.tag, p.value.clone()).is_err() {
                        problems.push(PropProblem {
                            index,
                            tag: p.tag,
                            error: MapiError::BadValue,
                        });
                    }
                }
                Ok(problems)
            },
            |p| text!("{n} problem(s)", n = p.len()),
        )
    }

    fn delete_props(&self, tags: &[PropTag]) -> MapiResult<Vec<PropProblem>> {
        self.call(
            "DeleteProps",
            Text::value(Value::Tags(tags.into())),
            |_| {
                let mut content = lock(&self.content);
                let problems = tags
                    .iter()
                    .enumerate()
                    .filter(|(_, tag)| content.props.remove(**tag).is_none())
                    .map(|(index, tag)| PropProblem {
                        index,
                        tag: *tag,
                        error: MapiError::NotFound,
                    })
                    .collect();
                Ok(problems)
            },
            |p: &Vec<PropProblem>| text!("{n} problem(s)", n = p.len()),
        )
    }

    /// Keeps the content as it is now: the message will be delivered.
    fn save_changes(&self, flags: u32) -> MapiResult<()> {
        self.call(
            "SaveChanges",
            format!("{flags:#x}"),
            |_| {
                let content = lock(&self.content);
                *lock(&self.saved) = Some(ReceivedMessage {
                    transport: self.transport_label,
                    props: content.props.iter().cloned().collect(),
                    recipients: content.recipients.clone(),
                });
                Ok(())
            },
            |()| Text::EMPTY,
        )
    }
}

impl Message for InboundMessage {
    /// `MODRECIP_ADD` appends the rows (each gets a `PR_ROWID` if it has none), `MODRECIP_MODIFY`
    /// replaces and `MODRECIP_REMOVE` removes the rows their `PR_ROWID` names, no flag replaces
    /// the whole list.
    fn modify_recipients(&self, flags: u32, mods: &[Vec<Prop>]) -> MapiResult<()> {
        self.call(
            "ModifyRecipients",
            format!("{flags:#x}, {} row(s)", mods.len()),
            |_| {
                let known = MODRECIP_ADD | MODRECIP_MODIFY | MODRECIP_REMOVE;
                if flags & !known != 0 || (flags & known).count_ones() > 1 {
                    return Err(MapiError::UnknownFlags);
                }
                let row_id = |row: &[Prop]| {
                    row.iter()
                        .find(|p| p.tag == PR_ROWID)
                        .and_then(|p| match p.value {
                            PropValue::Long(id) => Some(id),
                            _ => None,
                        })
                };
                let mut content = lock(&self.content);
                if flags & (MODRECIP_MODIFY | MODRECIP_REMOVE) != 0 {
                    for row in mods {
                        let id = row_id(row).ok_or(MapiError::InvalidParameter)?;
                        let at = content
                            .recipients
                            .iter()
                            .position(|r| row_id(r) == Some(id))
                            .ok_or(MapiError::NotFound)?;
                        if flags & MODRECIP_REMOVE != 0 {
                            content.recipients.remove(at);
                        } else {
                            content.recipients[at] = row.clone();
                        }
                    }
                    return Ok(());
                }
                if flags & MODRECIP_ADD == 0 {
                    content.recipients.clear();
                }
                for row in mods {
                    let mut row = row.clone();
                    if row_id(&row).is_none() {
                        let id = content.next_row;
                        row.push(Prop {
                            tag: PR_ROWID,
                            value: PropValue::Long(id),
                        });
                    }
                    content.next_row = content.next_row.max(row_id(&row).unwrap_or(0).saturating_add(1));
                    content.recipients.push(row);
                }
                Ok(())
            },
            |()| Text::EMPTY,
        )
    }
}

/// Notes that the transport logon `lkey` has `count` messages waiting (`Poll`'s answer, or one
/// for `NOTIFY_NEWMAIL`), and queues it for the spooler's next step.
pub(crate) fn queue_incoming(st: &mut State, lkey: LogonKey, count: u32) {
    let Some(xp) = st.logons.get_mut(lkey).and_then(|r| r.xp.as_mut()) else {
        return;
    };
    xp.incoming = xp.incoming.max(count);
    if xp.incoming > 0 && !xp.inbound_queued {
        xp.inbound_queued = true;
        st.spooler.inbound.push_back(lkey);
    }
}

impl Runtime {
    /// Takes one message from the next transport that has some: `StartMessage` with a new
    /// message, delivered if the transport saved it. Returns whether there was work.
    pub(crate) fn receive_one(&self) -> bool {
        let Some(lkey) = self.st().spooler.inbound.pop_front() else {
            return false;
        };
        let target = {
            let mut st = self.st();
            let Some(rec) = st.logons.get_mut(lkey) else {
                return true;
            };
            let active = rec.phase == LogonPhase::Active && rec.teardown == Teardown::Idle;
            let logon = match &rec.logon {
                Some(LogonObject::Xp(l)) => Some(l.clone()),
                _ => None,
            };
            let (file, session, label) = (Arc::clone(&rec.file), rec.session, rec.logon_label);
            let Some(xp) = rec.xp.as_mut() else {
                return true;
            };
            xp.inbound_queued = false;
            let ready = active && xp.begun && !xp.critical && xp.incoming > 0;
            if ready {
                xp.incoming -= 1;
            } else {
                xp.incoming = 0;
            }
            logon.filter(|_| ready).map(|l| (l, file, session, label))
        };
        let Some((logon, file, session, transport_label)) = target else {
            return true;
        };
        let message = self.ledger.register(
            InboundMessage {
                rt: self.me(),
                content: Mutex::default(),
                saved: Mutex::new(None),
                given_to: Some((
                    Party::Library(Arc::clone(&file)),
                    Owner::library(Arc::clone(&file)).in_session(session),
                )),
                label: OnceLock::new(),
                transport_label,
                file: Arc::clone(&file),
            },
            ObjectInfo::new(InterfaceKind::Message).owner(Owner {
                library: None,
                session: Some(session),
            }),
        );
        if let Some(label) = message.label() {
            let _ = message.label.set(label);
        }
        let label = message.label();
        let erased: Ref<dyn Message> = message.clone().into();
        let erased = crate::upcast!(erased => dyn MapiProp);
        let started = self.xp_call(
            lkey,
            "StartMessage",
            text!(
                "0, {message}",
                message = label.map_or(Value::Static("a new message"), Value::Label)
            ),
            || logon.start_message(0, &erased),
            |msg_ref| text!("ref {msg_ref}", msg_ref = *msg_ref),
        );
        let critical = self
            .st()
            .logons
            .get(lkey)
            .and_then(|r| r.xp.as_ref())
            .is_some_and(|x| x.critical);
        match started {
            Ok(_) => match lock(&message.saved).take() {
                Some(received) => {
                    self.note(text!(
                        "the spooler delivers {message} ({n} properties, {r} recipient(s))",
                        message = label.map_or(Value::Static("the message"), Value::Label),
                        n = received.props.len(),
                        r = received.recipients.len()
                    ));
                    self.st().spooler.received.push(received);
                }
                None => self.note(
                    "StartMessage returned without SaveChanges: the transport stopped the message".to_owned(),
                ),
            },
            Err(error) => {
                self.note(format!(
                    "StartMessage failed with {error}: the message in process is lost"
                ));
                if !critical {
                    self.violation(
                        &rules::XP_STARTMESSAGE_ERROR,
                        format!(
                            "StartMessage failed with {error} without SpoolerNotify(NOTIFY_CRITICAL_ERROR)"
                        ),
                        transport_label.as_slice(),
                        Party::Library(Arc::clone(&file)),
                    );
                }
            }
        }
        // The spooler lets go of the message; more waiting brings the transport back.
        let call = self.trace.begin_call(
            Party::Spooler,
            label.map_or(Party::Mapi, Party::Object),
            "Release",
            "",
        );
        drop(erased);
        drop(message);
        call.finish(Status::Ok, "");
        {
            let mut st = self.st();
            let more = st
                .logons
                .get(lkey)
                .and_then(|r| r.xp.as_ref())
                .is_some_and(|x| x.incoming > 0 && !x.critical);
            if more {
                queue_incoming(&mut st, lkey, 0);
            }
        }
        self.drop_in_provider(&file, Some(session), "the spooler's release", logon);
        true
    }
}
