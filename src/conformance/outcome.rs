//! What the battery found: one [`Outcome`] per run, gathered in a [`ConformanceReport`].

use std::collections::BTreeMap;
use std::fmt;

use crate::check::Report;
use crate::error::MapiError;

/// The verdict of one run.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// No rule broken: nothing the scenario did on purpose aside, no violation, no leak, every
    /// load paired. Advisories do not count.
    Clean,
    /// Rules broken, by id (each once, in the order of the report).
    Broken(Vec<&'static str>),
    /// A step failed in a run without a fault, so the scenario could not do what it is for (a
    /// store that never opens passes nothing): the step's MAPI name (a client's call, or a
    /// transport's `TransportLogon`, whose failure the client does not see) and what it
    /// returned.
    StepFailed(&'static str, String),
    /// In a pedantic battery, a fault run whose client got another error than the fault's (an
    /// injected failure the provider did not pass on unchanged; a panic that did not reach the
    /// client as `MAPI_E_CALL_FAILED`): the step, what it got, what the fault was.
    ErrorChanged(&'static str, MapiError, MapiError),
    /// The simulator itself panicked (or the scenario's client code did): a defect of the
    /// simulator, not of the provider. The message of the panic.
    SimulatorPanicked(String),
    /// Not run: the reason the configuration gave.
    Skipped(String),
}

impl Verdict {
    /// Whether the run counts against the provider (or the simulator): neither clean nor
    /// skipped.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Verdict::Broken(_)
                | Verdict::StepFailed(..)
                | Verdict::ErrorChanged(..)
                | Verdict::SimulatorPanicked(_)
        )
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Clean => f.write_str("clean"),
            Verdict::Broken(ids) => write!(f, "broken: {}", ids.join(", ")),
            Verdict::StepFailed(step, what) => write!(f, "{step} returned {what}"),
            Verdict::ErrorChanged(step, got, injected) => {
                write!(f, "{step} returned {got}, not the injected {injected}")
            }
            Verdict::SimulatorPanicked(message) => write!(f, "the simulator panicked: {message}"),
            Verdict::Skipped(reason) => write!(f, "skipped: {reason}"),
        }
    }
}

/// One run of one scenario: under which reading of the documents, with which fault, and what it
/// found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The scenario's name ([`Conformance::scenarios`](super::Conformance::scenarios)).
    pub scenario: &'static str,
    /// The readings of the documents the run played where they disagree, as the settings that
    /// differ from [`Behavior::default`](crate::runtime::Behavior::default)
    /// (`TeardownCleanup::MapiInSupportRelease`), or `default`.
    pub variant: String,
    /// The fault injected, in words (`allocation 3 fails`), or `None` for a run without one.
    pub fault: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The errors the client's steps got (the step's MAPI name and the error).
    pub client_errors: Vec<(&'static str, MapiError)>,
    /// The advisories of the run (rules whose page gives advice), by id: they fail the run only
    /// when the battery is [pedantic](super::Conformance::pedantic).
    pub advisories: Vec<&'static str>,
    /// In a fault run, the first client step that got another error than the fault's, and that
    /// error: the provider turned the failure into another (advice: a pedantic battery fails
    /// the run).
    pub changed_error: Option<(&'static str, MapiError)>,
    /// The report of the run, kept when the verdict is a failure (a clean run's is dropped to
    /// keep a long battery small).
    pub report: Option<Report>,
}

impl Outcome {
    /// The account of a failing run: the scenario, the reading, the fault, the verdict, then the
    /// report's account (each violation with its rule, page, objects and trace lines).
    pub fn account(&self) -> String {
        let mut out = format!("scenario {} ({})", self.scenario, self.variant);
        if let Some(fault) = &self.fault {
            out.push_str(&format!(", fault: {fault}"));
        }
        out.push_str(&format!(": {}\n", self.verdict));
        if !self.client_errors.is_empty() {
            let errors: Vec<String> = self
                .client_errors
                .iter()
                .map(|(step, e)| format!("{step} = {e}"))
                .collect();
            out.push_str(&format!("the client's steps failed: {}\n", errors.join(", ")));
        }
        if let Some(report) = &self.report {
            out.push_str(&report.account());
        }
        out
    }
}

/// Every run of a battery ([`Conformance::run`](super::Conformance::run)).
#[derive(Clone, Debug, Default)]
pub struct ConformanceReport {
    /// The runs, in the order they ran.
    pub outcomes: Vec<Outcome>,
}

impl ConformanceReport {
    /// Whether no run failed.
    pub fn is_clean(&self) -> bool {
        !self.outcomes.iter().any(|o| o.verdict.is_failure())
    }

    /// The failing runs.
    pub fn failures(&self) -> Vec<&Outcome> {
        self.outcomes.iter().filter(|o| o.verdict.is_failure()).collect()
    }

    /// How many runs ran (skipped scenarios aside).
    pub fn runs(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| !matches!(o.verdict, Verdict::Skipped(_)))
            .count()
    }

    /// The scenarios that failed, each once, in order.
    pub fn failing_scenarios(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for o in self.failures() {
            if !out.contains(&o.scenario) {
                out.push(o.scenario);
            }
        }
        out
    }

    /// The rule ids broken in `scenario`'s runs, each once.
    pub fn rule_ids_of(&self, scenario: &str) -> Vec<&'static str> {
        let mut out = Vec::new();
        for o in self.outcomes.iter().filter(|o| o.scenario == scenario) {
            if let Verdict::Broken(ids) = &o.verdict {
                for id in ids {
                    if !out.contains(id) {
                        out.push(*id);
                    }
                }
            }
        }
        out
    }

    /// Panics unless every run is clean, with the summary table, the account of the first
    /// failing run, and how to run that scenario alone.
    #[track_caller]
    pub fn assert_clean(&self) {
        let failures = self.failures();
        let Some(first) = failures.first() else {
            return;
        };
        panic!(
            "{} of {} conformance runs failed, in {}\n\n{self}\nThe first:\n{}\nTo run that scenario alone: \
             set MAPISIM_SCENARIO={} (or call .only(\"{}\")).",
            failures.len(),
            self.runs(),
            self.failing_scenarios().join(", "),
            first.account(),
            first.scenario,
            first.scenario,
        );
    }
}

/// The summary table: one line per scenario, with its runs, its verdict and the rule ids its
/// failing runs broke.
impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Line {
            runs: usize,
            failed: usize,
            skipped: Option<String>,
            ids: Vec<&'static str>,
            advisories: Vec<&'static str>,
            steps: Vec<&'static str>,
            changed: usize,
            panicked: bool,
        }
        let mut order: Vec<&'static str> = Vec::new();
        let mut lines: BTreeMap<&'static str, Line> = BTreeMap::new();
        for o in &self.outcomes {
            let line = lines.entry(o.scenario).or_insert_with(|| {
                order.push(o.scenario);
                Line {
                    runs: 0,
                    failed: 0,
                    skipped: None,
                    ids: Vec::new(),
                    advisories: Vec::new(),
                    steps: Vec::new(),
                    changed: 0,
                    panicked: false,
                }
            });
            if o.changed_error.is_some() && !o.verdict.is_failure() {
                line.changed += 1;
            }
            // The advice of runs without a fault: what follows a fault is the fault's doing.
            for id in o.advisories.iter().filter(|_| o.fault.is_none()) {
                if !line.advisories.contains(id) {
                    line.advisories.push(id);
                }
            }
            match &o.verdict {
                Verdict::Skipped(reason) => line.skipped = Some(reason.clone()),
                Verdict::Clean => line.runs += 1,
                Verdict::Broken(ids) => {
                    line.runs += 1;
                    line.failed += 1;
                    for id in ids {
                        if !line.ids.contains(id) {
                            line.ids.push(id);
                        }
                    }
                }
                Verdict::ErrorChanged(step, ..) | Verdict::StepFailed(step, _) => {
                    line.runs += 1;
                    line.failed += 1;
                    if !line.steps.contains(step) {
                        line.steps.push(step);
                    }
                }
                Verdict::SimulatorPanicked(_) => {
                    line.runs += 1;
                    line.failed += 1;
                    line.panicked = true;
                }
            }
        }
        let width = order.iter().map(|s| s.len()).max().unwrap_or(8).max(8);
        writeln!(f, "{:width$}  {:>5}  verdict", "scenario", "runs")?;
        for name in order {
            let Some(line) = lines.get(name) else {
                continue;
            };
            let verdict = match &line.skipped {
                Some(reason) => format!("skipped ({reason})"),
                None if line.failed == 0 => {
                    let mut notes = Vec::new();
                    if !line.advisories.is_empty() {
                        notes.push(format!("advice: {}", line.advisories.join(", ")));
                    }
                    if line.changed > 0 {
                        notes.push(format!(
                            "an injected error changed on its way in {} run(s)",
                            line.changed
                        ));
                    }
                    if notes.is_empty() {
                        "ok".to_owned()
                    } else {
                        format!("ok ({})", notes.join("; "))
                    }
                }
                None => {
                    let mut what = format!("FAILED in {} run(s)", line.failed);
                    if !line.ids.is_empty() {
                        what.push_str(&format!(": {}", line.ids.join(", ")));
                    }
                    if !line.steps.is_empty() {
                        what.push_str(&format!(" (failed steps: {})", line.steps.join(", ")));
                    }
                    if line.panicked {
                        what.push_str(" (the simulator panicked)");
                    }
                    what
                }
            };
            writeln!(f, "{name:width$}  {:>5}  {verdict}", line.runs)?;
        }
        Ok(())
    }
}
