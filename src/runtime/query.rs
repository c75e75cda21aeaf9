//! MAPI's `QueryInterface` on provider objects, and COM's identity rules.
//!
//! An object that answers from the interfaces it exposes obeys COM's rules by construction, so
//! only objects with their own `QueryInterface` are probed: after each `QueryInterface` MAPI
//! makes, the simulator asks the object and the answer for `IUnknown`, for the interface the
//! object is held as, for the interfaces the object gave before, and for an IID nobody
//! implements.

use std::sync::Arc;

use super::Runtime;
use crate::check::rules::{self, Rule};
use crate::error::{MapiError, MapiResult};
use crate::ids::Iid;
use crate::object::{ObjLabel, Ref, Unknown};
use crate::trace::Party;

/// An IID no interface has: `QueryInterface` for it must fail with `E_NOINTERFACE`.
pub(crate) const PROBE_IID: Iid = Iid(uuid::Uuid::from_u128(0x5c0f_9b0e_7d2a_4e51_9a43_6b1d_2f8e_0c17));

/// An IID as the trace and the reports show it: its header name, or its registry form.
pub(crate) fn iid_text(iid: &Iid) -> String {
    iid.name().map_or_else(|| iid.to_string(), str::to_owned)
}

impl Runtime {
    /// `QueryInterface` by `caller` (MAPI, or the client) on a provider object of `dll` held as
    /// `held_as`: a traced and guarded call, checked against COM's rules when the object answers
    /// itself.
    pub(crate) fn query_provider<T: ?Sized>(
        &self,
        caller: Party,
        object: &Ref<T>,
        held_as: Iid,
        iid: Iid,
        dll: &Arc<str>,
        session: Option<u32>,
    ) -> MapiResult<Ref<dyn Unknown>> {
        let label = object.label();
        let objects: &[ObjLabel] = label.as_slice();
        // Only an object that answers itself is checked, against what it gave before this call.
        let checked = object.answers_queries();
        let given_before = if checked {
            object.interfaces_given()
        } else {
            Vec::new()
        };
        let call = self.trace.begin_call(
            caller,
            label.map_or(Party::Mapi, Party::Object),
            "QueryInterface",
            iid_text(&iid),
        );
        let result = match self.guarded_call(dll, session, "QueryInterface", objects, || {
            object.query_interface(&iid)
        }) {
            Ok(result) => {
                call.finish_result(&result, |u| u.label().map(|l| l.to_string()).unwrap_or_default());
                result
            }
            Err(message) => {
                call.panicked(message);
                return Err(MapiError::CallFailed);
            }
        };
        if checked {
            let by = Party::Library(Arc::clone(dll));
            for (rule, message) in self.com_rules(object, held_as, iid, &given_before, &result, dll, session)
            {
                self.violation(rule, message, objects, by.clone());
            }
        }
        result
    }

    /// What COM's rules say of `object`'s answer for `iid` (`result`), from probes made in the
    /// provider's scope.
    #[allow(clippy::too_many_arguments)]
    fn com_rules<T: ?Sized>(
        &self,
        object: &Ref<T>,
        held_as: Iid,
        iid: Iid,
        given_before: &[Iid],
        result: &MapiResult<Ref<dyn Unknown>>,
        dll: &Arc<str>,
        session: Option<u32>,
    ) -> Vec<(&'static Rule, String)> {
        let asked = iid_text(&iid);
        let mut found: Vec<(&'static Rule, String)> = Vec::new();
        let answer = match result {
            Err(MapiError::InterfaceNotSupported) => {
                if given_before.contains(&iid) {
                    found.push((
                        &rules::COM_QI_STABLE,
                        format!("QueryInterface for {asked} failed with E_NOINTERFACE, and the object gave it before"),
                    ));
                }
                None
            }
            Err(MapiError::NotEnoughMemory) => None,
            Err(e) => {
                found.push((
                    &rules::COM_QI_NOINTERFACE,
                    format!("QueryInterface for {asked} failed with {e}, not E_NOINTERFACE"),
                ));
                None
            }
            Ok(answer) => Some(answer),
        };
        let objects: Vec<ObjLabel> = object.label().into_iter().collect();
        let probes = self.guarded(dll, session, "QueryInterface", &objects, || {
            let mut probes: Vec<(&'static Rule, String)> = Vec::new();
            let held = iid_text(&held_as);
            if held_as != Iid::IUNKNOWN && object.query_interface(&held_as).is_err() {
                probes.push((
                    &rules::COM_QI_REFLEXIVE,
                    format!("the object, held as {held}, does not answer QueryInterface for {held}"),
                ));
            }
            if object.query_interface(&PROBE_IID).is_ok() {
                probes.push((
                    &rules::COM_QI_NOINTERFACE,
                    format!("QueryInterface for {PROBE_IID}, an IID no interface has, gave an object"),
                ));
            }
            let Some(answer) = answer else {
                return probes;
            };
            let identity = object.query_interface(&Iid::IUNKNOWN).ok().map(|u| u.key());
            let answer_identity = answer.query_interface(&Iid::IUNKNOWN).ok().map(|u| u.key());
            if identity.is_none() || identity != answer_identity {
                probes.push((
                    &rules::COM_QI_IUNKNOWN,
                    format!(
                        "QueryInterface for IID_IUnknown gives {} from the object and {} from what it gave for {asked}",
                        describe(identity),
                        describe(answer_identity)
                    ),
                ));
            }
            if held_as != Iid::IUNKNOWN && held_as != iid && answer.query_interface(&held_as).is_err() {
                probes.push((
                    &rules::COM_QI_SYMMETRIC,
                    format!("what the object gave for {asked} does not answer QueryInterface for {held}, the interface it was asked from"),
                ));
            }
            // (When the object answered with itself, an interface it gave before and now
            // refuses is a matter for the stability rule, checked when it is asked.)
            let other = answer.key() != object.key();
            let earlier = given_before
                .iter()
                .filter(|_| other)
                .filter(|c| ![Iid::IUNKNOWN, iid, held_as, PROBE_IID].contains(c))
                .find(|c| answer.query_interface(c).is_err());
            if let Some(c) = earlier {
                probes.push((
                    &rules::COM_QI_TRANSITIVE,
                    format!(
                        "what the object gave for {asked} does not answer QueryInterface for {}, which the object gave before",
                        iid_text(c)
                    ),
                ));
            }
            probes
        });
        found.extend(probes.unwrap_or_default());
        found
    }
}

fn describe(identity: Option<crate::object::ObjectKey>) -> String {
    identity.map_or_else(|| "no object".to_owned(), |k| format!("object {:#x}", k.addr()))
}
