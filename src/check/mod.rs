//! Checks: the rule catalogue ([`rules`]), the violations the simulator detected, and the
//! [`Report`] a test asserts on.
//!
//! An *error* is what MAPI or a provider returns ([`MapiError`](crate::MapiError)); a *violation* is
//! a broken contract the simulator detected, by the provider or by the client. Each violation
//! names its [`Rule`], the objects involved and the trace event where it was detected. Violations
//! are recorded in order and never stop the simulation, unless strict mode is on: then the first
//! one panics at the offending call.

pub(crate) mod loads;
pub mod rules;

use std::fmt::{self, Write as _};

pub use rules::{Basis, Bound, Rule, Severity};

use crate::object::{LeakReport, ObjLabel};
use crate::trace::{EventId, Party, Trace};
use loads::LoadLedger;

/// A broken contract, detected at one point of the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule that was broken.
    pub rule: &'static Rule,
    /// What happened, in the simulator's words.
    pub message: String,
    /// The objects involved.
    pub objects: Vec<ObjLabel>,
    /// The trace event recording the violation.
    pub event: EventId,
    /// Who broke it: a provider DLL or the client.
    pub by: Party,
    /// Must or should: the rule's, or, for a contested rule whose pages word it differently, the
    /// wording of the reading in force.
    pub severity: Severity,
}

impl Violation {
    /// Whether the rule broken is advice (a *should* of its page): an advisory, which does not
    /// make a report unclean unless the simulator is pedantic.
    pub fn is_advisory(&self) -> bool {
        self.severity == Severity::Should
    }
}

impl fmt::Display for Violation {
    /// `RULE-ID (by): message`, with `(advice)` after the id of an advisory.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let advice = if self.is_advisory() { " (advice)" } else { "" };
        write!(f, "{}{advice} ({}): {}", self.rule.id, self.by, self.message)
    }
}

/// How the message of strict mode's panic starts. The simulator lets that panic through the
/// barriers it puts around provider code, so that the test fails at the offending call.
pub const STRICT_PANIC_PREFIX: &str = "mapisim strict mode stopped at the first violation.\n";

/// Whether a panic payload is strict mode's.
pub fn is_strict_panic(payload: &(dyn std::any::Any + Send)) -> bool {
    payload
        .downcast_ref::<String>()
        .is_some_and(|s| s.starts_with(STRICT_PANIC_PREFIX))
}

/// What the simulator found: violations and advisories in order, objects still alive, the library
/// ledger and the trace.
///
/// A rule whose page says *must* gives a violation; one whose page says *should* (or gives
/// performance advice) an advisory ([`Severity`]). Both are in [`Report::violations`]; only the
/// violations make a report unclean, unless the simulator was built pedantic
/// ([`SimulatorBuilder::pedantic`](crate::runtime::SimulatorBuilder::pedantic)) or the test asks
/// with [`Report::assert_pedantic`].
#[derive(Clone, Debug)]
pub struct Report {
    /// Every violation and advisory, in the order detected.
    pub violations: Vec<Violation>,
    /// Objects of sessions or provider libraries still alive at the final checkpoint.
    pub leaks: LeakReport,
    /// Every `LoadLibrary` and `FreeLibrary`.
    pub loads: LoadLedger,
    trace: Trace,
    /// The settings of the simulator that made it, for the advice at the end of the account.
    settings: Settings,
}

/// What the account advises depends on how the simulator ran.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Settings {
    /// Strict mode: the account is of the first violation, at the offending call.
    pub(crate) strict: bool,
    /// Reference history: leak reports already say where each reference was taken.
    pub(crate) history: bool,
    /// Advisories count as violations.
    pub(crate) pedantic: bool,
}

impl Report {
    pub(crate) fn new(
        violations: Vec<Violation>,
        leaks: LeakReport,
        loads: LoadLedger,
        trace: Trace,
    ) -> Report {
        Report {
            violations,
            leaks,
            loads,
            trace,
            settings: Settings::default(),
        }
    }

    /// The same report, made by a simulator with these settings.
    pub(crate) fn made_with(mut self, settings: Settings) -> Report {
        self.settings = settings;
        self
    }

    /// Whether no rule was broken (leaks and unpaired loads are violations too). Advisories do
    /// not count, unless the simulator was pedantic.
    pub fn is_clean(&self) -> bool {
        if self.settings.pedantic {
            self.violations.is_empty()
        } else {
            self.violations.iter().all(Violation::is_advisory)
        }
    }

    /// The advisories: broken rules whose page gives advice, not an obligation.
    pub fn advisories(&self) -> Vec<&Violation> {
        self.violations.iter().filter(|v| v.is_advisory()).collect()
    }

    /// The trace of the run, as it was when the report was made.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Whether `rule` was broken at least once.
    pub fn fired(&self, rule: &Rule) -> bool {
        self.violations.iter().any(|v| v.rule == rule)
    }

    /// How often `rule` was broken.
    pub fn count(&self, rule: &Rule) -> usize {
        self.violations.iter().filter(|v| v.rule == rule).count()
    }

    /// The ids of the rules broken, in order, without repeats.
    pub fn rule_ids(&self) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = Vec::new();
        for v in &self.violations {
            if !ids.contains(&v.rule.id) {
                ids.push(v.rule.id);
            }
        }
        ids
    }

    /// The readable account of every violation: rule, page, objects, message and the trace lines
    /// around it, then the leaks and how to rerun.
    pub fn account(&self) -> String {
        let mut out = String::new();
        let advisories = self.violations.iter().filter(|v| v.is_advisory()).count();
        let n = self.violations.len() - advisories;
        let plural = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        let advice_part = match advisories {
            0 => String::new(),
            k => format!(" and {}", plural(k, "advisory", "advisories")),
        };
        if n == 0 && advisories == 0 {
            let _ = writeln!(
                out,
                "mapisim found no violation in {} trace events: the report is clean.",
                self.trace.len()
            );
        } else if n == 0 && !self.settings.pedantic {
            let _ = writeln!(
                out,
                "mapisim found no violation in {} trace events: the report is clean. It found {} \
                 (the pages advise, they do not oblige):",
                self.trace.len(),
                plural(advisories, "advisory", "advisories")
            );
        } else {
            let _ = writeln!(
                out,
                "mapisim found {}{advice_part} in {} trace events:",
                plural(n, "violation", "violations"),
                self.trace.len()
            );
        }
        for (i, v) in self.violations.iter().enumerate() {
            let kind = if v.is_advisory() { ", advice" } else { "" };
            let _ = writeln!(out, "\n{}. {}{kind} (by {})", i + 1, v.rule.id, v.by);
            let _ = writeln!(out, "   rule:    {}", v.rule.statement);
            let _ = writeln!(out, "   page:    {}", v.rule.url());
            if !v.rule.quote.is_empty() {
                let _ = writeln!(out, "   says:    \"{}\"", v.rule.quote);
            }
            let _ = writeln!(out, "   basis:   {}", v.rule.basis);
            // A message of several lines (a leak report) keeps its lines under the first.
            let found = v.message.lines().collect::<Vec<_>>().join("\n            ");
            let _ = writeln!(out, "   found:   {found}");
            if !v.objects.is_empty() {
                let names: Vec<String> = v.objects.iter().map(ToString::to_string).collect();
                let _ = writeln!(out, "   objects: {}", names.join(", "));
            }
            let _ = writeln!(out, "   trace around event {}:", v.event);
            for line in self.trace.lines_around(v.event, 4, 2).lines() {
                let _ = writeln!(out, "     {line}");
            }
        }
        if !self.leaks.is_empty() {
            let _ = write!(out, "\nobjects alive at the end: {}", self.leaks);
        }
        let mut advice = Vec::new();
        if n > 0 && !self.settings.strict {
            advice
                .push("To stop at the first violation, build the simulator with `.strict(true)`.".to_owned());
        }
        if !self.settings.history && (n > 0 || !self.leaks.is_empty()) {
            advice.push(
                "To see where each leaked reference was taken, build it with `.history(true)`.".to_owned(),
            );
        }
        advice.push("The full trace is `report.trace()`.".to_owned());
        let _ = writeln!(out, "\n{}", advice.join(" "));
        out
    }

    /// Panics with the readable account unless no rule was broken at all, advice included: the
    /// pedantic level, for one report.
    #[track_caller]
    pub fn assert_pedantic(&self) {
        if !self.violations.is_empty() {
            panic!("{}", self.account());
        }
    }

    /// Panics with the readable account unless the report is clean.
    #[track_caller]
    pub fn assert_clean(&self) {
        if !self.is_clean() {
            panic!("{}", self.account());
        }
    }
}

impl fmt::Display for Report {
    /// `clean` with the counts, or the full account (also for a clean report with advisories).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.violations.is_empty() {
            writeln!(
                f,
                "report: clean ({} trace events, {} library loads and {} frees, no object left alive)",
                self.trace.len(),
                self.loads.loads(),
                self.loads.frees()
            )
        } else {
            f.write_str(&self.account())
        }
    }
}
