//! Profile sections as providers reach them (`IProfSect`).

use std::sync::{OnceLock, Weak};

use crate::check::rules;
use crate::error::{MapiError, MapiResult, Warned};
use crate::ids::MapiUid;
use crate::object::{InterfaceKind, ObjLabel, ObjectInfo, Owner, Ref};
use crate::props::{PR_PROVIDER_DLL_NAME_W, PR_RESOURCE_FLAGS, Prop, PropBag, PropTag};
use crate::runtime::Runtime;
use crate::runtime::state::LogonKey;
use crate::spi::{MapiProp, ProfSect, PropArray, PropProblem};
use crate::trace::{Party, Text, Value, text};

/// A profile section opened through `IMAPISupport::OpenProfileSection`. Reads and writes go
/// straight to the profile.
pub(crate) struct ProfSectObject {
    rt: Weak<Runtime>,
    profile: String,
    section: MapiUid,
    writable: bool,
    /// The store logon that opened it, for the read-only properties during its `Logon`.
    logon: Option<LogonKey>,
    /// The party that opened it and the owner of its code (a provider, for a provider's thread
    /// outside every scope).
    given_to: Option<(Party, Owner)>,
    label: OnceLock<ObjLabel>,
}

impl ProfSectObject {
    pub(crate) fn open(
        rt: &Runtime,
        profile: &str,
        section: MapiUid,
        writable: bool,
        logon: Option<LogonKey>,
        session: Option<u32>,
    ) -> Ref<dyn ProfSect> {
        let object = rt.ledger.register(
            ProfSectObject {
                rt: rt.me(),
                profile: profile.to_owned(),
                section,
                writable,
                logon,
                given_to: crate::object::current_scope(),
                label: OnceLock::new(),
            },
            ObjectInfo::new(InterfaceKind::ProfSect).owner(Owner {
                library: None,
                session,
            }),
        );
        if let Some(label) = object.label() {
            let _ = object.label.set(label);
        }
        object.into()
    }

    fn read_section<R>(&self, rt: &Runtime, f: impl FnOnce(&PropBag) -> R) -> MapiResult<R> {
        let st = rt.st();
        let section = st
            .profiles
            .profiles
            .get(&self.profile)
            .and_then(|p| p.sections.get(&self.section))
            .ok_or(MapiError::ObjectDeleted)?;
        Ok(f(section))
    }

    fn with_section<R>(&self, rt: &Runtime, f: impl FnOnce(&mut PropBag) -> R) -> MapiResult<R> {
        let mut st = rt.st();
        let section = st
            .profiles
            .profiles
            .get_mut(&self.profile)
            .and_then(|p| p.sections.get_mut(&self.section))
            // Copied first if a provider entry still reads this version.
            .map(std::sync::Arc::make_mut)
            .ok_or(MapiError::ObjectDeleted)?;
        let out = f(section);
        // A section lives as long as its profile: it keeps no room to grow.
        section.shrink_to_fit();
        Ok(out)
    }

    /// `PROFILE-READ-ONLY`: while the logon that opened the section is in `Logon`, its
    /// `PR_RESOURCE_FLAGS` and `PR_PROVIDER_DLL_NAME` may not be written. Reports each attempt and
    /// says whether the tag is protected now.
    fn read_only_now(&self, rt: &Runtime, tag: PropTag) -> bool {
        let protected = tag.id() == PR_RESOURCE_FLAGS.id() || tag.id() == PR_PROVIDER_DLL_NAME_W.id();
        if !protected {
            return false;
        }
        let in_logon = self
            .logon
            .and_then(|k| {
                rt.st()
                    .logons
                    .get(k)
                    .map(|r| (r.in_logon, std::sync::Arc::clone(&r.file)))
            })
            .filter(|(in_logon, _)| *in_logon);
        match in_logon {
            Some((_, file)) => {
                rt.violation(
                    &rules::PROFILE_READ_ONLY,
                    format!("the provider tried to change {tag} in its profile section during Logon"),
                    self.label.get().copied().as_slice(),
                    Party::Library(file),
                );
                true
            }
            None => false,
        }
    }

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

impl MapiProp for ProfSectObject {
    fn get_props(&self, tags: Option<&[PropTag]>, _flags: u32) -> MapiResult<Warned<PropArray>> {
        let label = self.label.get().copied();
        self.call(
            "GetProps",
            tags.map_or(Text::from_static("all"), |t| Text::value(Value::Tags(t.into()))),
            |rt| {
                let props = self.read_section(rt, |bag| bag.select(tags))?;
                let purpose = match label {
                    Some(l) => crate::heap::Purpose::GetPropsOn(Some(l)),
                    None => crate::heap::Purpose::Static("the result of GetProps on a profile section"),
                };
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
            String::new(),
            |rt| self.read_section(rt, |bag| bag.tags().collect()),
            |t: &Vec<PropTag>| format!("{} tags", t.len()),
        )
    }

    fn set_props(&self, props: &[Prop]) -> MapiResult<Vec<PropProblem>> {
        self.call(
            "SetProps",
            Text::value(Value::Tags(props.iter().map(|p| p.tag).collect())),
            |rt| {
                if !self.writable {
                    return Err(MapiError::NoAccess);
                }
                let refused: Vec<bool> = props.iter().map(|p| self.read_only_now(rt, p.tag)).collect();
                self.with_section(rt, |bag| {
                    let mut problems = Vec::new();
                    for (index, p) in props.iter().enumerate() {
                        if refused[index] {
                            problems.push(PropProblem {
                                index,
                                tag: p.tag,
                                error: MapiError::NoAccess,
                            });
                        } else if bag.set(p.tag, p.value.clone()).is_err() {
                            problems.push(PropProblem {
                                index,
                                tag: p.tag,
                                error: MapiError::BadValue,
                            });
                        }
                    }
                    problems
                })
            },
            |p| text!("{n} problem(s)", n = p.len()),
        )
    }

    fn delete_props(&self, tags: &[PropTag]) -> MapiResult<Vec<PropProblem>> {
        let names: Vec<String> = tags.iter().map(ToString::to_string).collect();
        self.call(
            "DeleteProps",
            names.join(" "),
            |rt| {
                if !self.writable {
                    return Err(MapiError::NoAccess);
                }
                let refused: Vec<bool> = tags.iter().map(|t| self.read_only_now(rt, *t)).collect();
                self.with_section(rt, |bag| {
                    let mut problems = Vec::new();
                    for (index, tag) in tags.iter().enumerate() {
                        if refused[index] {
                            problems.push(PropProblem {
                                index,
                                tag: *tag,
                                error: MapiError::NoAccess,
                            });
                        } else {
                            bag.remove(*tag);
                        }
                    }
                    problems
                })
            },
            |p| format!("{} problem(s)", p.len()),
        )
    }

    fn save_changes(&self, _flags: u32) -> MapiResult<()> {
        Ok(())
    }
}

impl ProfSect for ProfSectObject {
    fn uid(&self) -> MapiUid {
        self.section
    }
}
