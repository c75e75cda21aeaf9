//! Faults a test injects ([`FaultPlan`]): allocations that fail, support-object calls that fail,
//! provider calls that fail or panic; and how many of each a run offers ([`FaultPoints`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use crate::error::MapiError;
use crate::sync::lock;

/// What the fault plan does to one provider call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallFault {
    /// MAPI gets this error as if the provider had returned it; the provider's method does not
    /// run.
    Fail(MapiError),
    /// The provider's method panics when it starts (it does not run): the panic MAPI must
    /// survive, reported as `PROVIDER-PANIC`.
    Panic,
}

/// Faults to inject, each counted from 1 over the whole run:
///
/// - [`fail_allocation`](FaultPlan::fail_allocation): the N-th call of `MAPIAllocateBuffer` or
///   `MAPIAllocateMore` (every allocation through the simulator's routines: the providers', the
///   client's and MAPI's own) returns `MAPI_E_NOT_ENOUGH_MEMORY`;
/// - [`fail_support_call`](FaultPlan::fail_support_call): the N-th call of one support-object
///   method (by its MAPI name, `SetProviderUID`) returns an error without doing anything;
///   [`documented_support_error`] gives the one the method's page documents;
/// - [`fail_provider_call`](FaultPlan::fail_provider_call) and
///   [`panic_provider_call`](FaultPlan::panic_provider_call): the N-th call MAPI, the spooler or
///   the client makes of one provider method (by its MAPI name, `Logon`, `TransportLogon`,
///   `Shutdown`) returns an error, or panics, without running the provider's code: a `Logon`
///   failing with `MAPI_E_UNCONFIGURED` or `MAPI_E_LOGON_FAILED` shows what MAPI makes of it and
///   what the provider does next.
///
/// So a provider's handling of each failure can be watched: the error passed on, nothing leaked,
/// every load paired. Every injected fault is a note in the trace. With
/// [`counting`](FaultPlan::counting), the simulator also counts the calls a plan could target
/// ([`Simulator::fault_points`](crate::runtime::Simulator::fault_points)), which is how a fault
/// loop learns what to fail.
///
/// ```
/// use mapisim::prelude::*;
/// use mapisim::runtime::FaultPlan;
///
/// let sim = Simulator::builder().fault_plan(FaultPlan::new().fail_allocation(2)).build();
/// let routines = sim.mem_routines();
/// let first = routines.allocate_buffer(8)?;
/// assert_eq!(routines.allocate_buffer(8), Err(MapiError::NotEnoughMemory));
/// routines.free_buffer(Some(first))?;
/// assert_eq!(routines.allocations(), 2);
/// # Ok::<(), mapisim::MapiError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct FaultPlan {
    pub(crate) fail: BTreeSet<u64>,
    support: BTreeMap<(String, u64), MapiError>,
    provider: BTreeMap<(String, u64), CallFault>,
    count: bool,
}

impl FaultPlan {
    /// A plan in which nothing fails.
    pub fn new() -> FaultPlan {
        FaultPlan::default()
    }

    /// Also fails the `n`-th allocation (from 1).
    pub fn fail_allocation(mut self, n: u64) -> FaultPlan {
        self.fail.insert(n);
        self
    }

    /// The allocations that fail, in order.
    pub fn failing(&self) -> impl Iterator<Item = u64> + '_ {
        self.fail.iter().copied()
    }

    /// Also fails the `n`-th call (from 1) of the support-object method `method` (its MAPI name,
    /// as the trace writes it: `ModifyStatusRow`) with `error`. The call returns the error at
    /// once and does nothing else.
    pub fn fail_support_call(mut self, method: &str, n: u64, error: MapiError) -> FaultPlan {
        self.support.insert((method.to_owned(), n), error);
        self
    }

    /// Also makes the `n`-th call (from 1) of the provider method `method` (its MAPI name:
    /// `Logon`, `TransportLogon`, `SpoolerLogon`, `GetProps`…) return `error` without running the
    /// provider's code.
    pub fn fail_provider_call(mut self, method: &str, n: u64, error: MapiError) -> FaultPlan {
        self.provider
            .insert((method.to_owned(), n), CallFault::Fail(error));
        self
    }

    /// Also makes the `n`-th call (from 1) of the provider method `method` panic as it starts,
    /// without running the provider's code.
    pub fn panic_provider_call(mut self, method: &str, n: u64) -> FaultPlan {
        self.provider.insert((method.to_owned(), n), CallFault::Panic);
        self
    }

    /// Also counts the support and provider calls of the run, for
    /// [`Simulator::fault_points`](crate::runtime::Simulator::fault_points). Off by default: the
    /// counting costs a little on every call.
    pub fn counting(mut self) -> FaultPlan {
        self.count = true;
        self
    }

    /// Whether the plan injects nothing and counts nothing.
    pub fn is_empty(&self) -> bool {
        self.fail.is_empty() && self.support.is_empty() && self.provider.is_empty() && !self.count
    }
}

/// The error a support-object method's page documents for a failure. Most pages document
/// `S_OK` alone: for those, `MAPI_E_CALL_FAILED`, the failure "of unexpected or unknown origin"
/// that any MAPI method may return. `OpenProfileSection` documents `MAPI_E_NO_ACCESS`;
/// `GetMemAllocRoutines` and `NewUID` allocate nothing of the caller's but may run out, so they
/// answer `MAPI_E_NOT_ENOUGH_MEMORY`, as do the calls that copy the caller's data into MAPI
/// (`WrapStoreEntryID`, `ModifyStatusRow`, `Subscribe`).
///
/// ```
/// use mapisim::MapiError;
/// use mapisim::runtime::documented_support_error;
///
/// assert_eq!(documented_support_error("OpenProfileSection"), MapiError::NoAccess);
/// assert_eq!(documented_support_error("SetProviderUID"), MapiError::CallFailed);
/// ```
pub fn documented_support_error(method: &str) -> MapiError {
    match method {
        "OpenProfileSection" => MapiError::NoAccess,
        "GetMemAllocRoutines" | "NewUID" | "WrapStoreEntryID" | "ModifyStatusRow" | "Subscribe" => {
            MapiError::NotEnoughMemory
        }
        _ => MapiError::CallFailed,
    }
}

/// The calls of one run a [`FaultPlan`] can target: how many allocations, and how many calls of
/// each support-object and provider method, by MAPI name
/// ([`Simulator::fault_points`](crate::runtime::Simulator::fault_points)). The support and
/// provider counts are kept only when the plan is [`counting`](FaultPlan::counting).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct FaultPoints {
    /// Allocations through the simulator's routines.
    pub allocations: u64,
    /// Calls of each support-object method.
    pub support_calls: BTreeMap<String, u64>,
    /// Calls of each provider method (through MAPI, the spooler or the client).
    pub provider_calls: BTreeMap<String, u64>,
}

impl FaultPoints {
    /// How many faults a loop over every point injects.
    pub fn len(&self) -> u64 {
        self.allocations
            + self.support_calls.values().sum::<u64>()
            + self.provider_calls.values().sum::<u64>()
    }

    /// Whether there is no point at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The call faults of a running simulator: the plan's and the counts so far.
#[derive(Debug, Default)]
pub(crate) struct CallFaults {
    support: BTreeMap<(String, u64), MapiError>,
    provider: BTreeMap<(String, u64), CallFault>,
    /// Whether to count at all (a plan with call faults, or a counting one).
    active: bool,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    support: BTreeMap<String, u64>,
    provider: BTreeMap<String, u64>,
}

/// Counts one more call of `method` in `counts`; returns its number.
fn bump(counts: &mut BTreeMap<String, u64>, method: &str) -> u64 {
    match counts.get_mut(method) {
        Some(n) => {
            *n += 1;
            *n
        }
        None => {
            counts.insert(method.to_owned(), 1);
            1
        }
    }
}

impl CallFaults {
    pub(crate) fn new(plan: FaultPlan) -> CallFaults {
        let active = plan.count || !plan.support.is_empty() || !plan.provider.is_empty();
        CallFaults {
            support: plan.support,
            provider: plan.provider,
            active,
            counts: Mutex::new(Counts::default()),
        }
    }

    /// A support call of `method` starts: the error to fail it with, if the plan says so; and
    /// its number.
    pub(crate) fn support_call(&self, method: &str) -> Option<(u64, MapiError)> {
        if !self.active {
            return None;
        }
        let n = bump(&mut lock(&self.counts).support, method);
        self.support.get(&(method.to_owned(), n)).map(|e| (n, *e))
    }

    /// A provider call of `method` starts: what the plan does to it, if anything; and its
    /// number.
    pub(crate) fn provider_call(&self, method: &str) -> Option<(u64, CallFault)> {
        if !self.active {
            return None;
        }
        let n = bump(&mut lock(&self.counts).provider, method);
        self.provider.get(&(method.to_owned(), n)).map(|f| (n, *f))
    }

    /// The counts so far.
    pub(crate) fn points(&self, allocations: u64) -> FaultPoints {
        let counts = lock(&self.counts);
        FaultPoints {
            allocations,
            support_calls: counts.support.clone(),
            provider_calls: counts.provider.clone(),
        }
    }
}

/// "1st", "2nd", "3rd", "4th"…
pub(crate) fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
