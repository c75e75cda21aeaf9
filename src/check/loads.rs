//! The library ledger: every `LoadLibrary` and `FreeLibrary` the simulation made, with its
//! reason and the party that made it, and the pairing checks a report runs over it.

use std::fmt;
use std::sync::Arc;

use crate::trace::{EventId, Party, Text};

/// A `LoadLibrary` or a `FreeLibrary`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum LoadOp {
    /// `LoadLibrary`.
    Load,
    /// `FreeLibrary`.
    Free,
}

/// One entry of the library ledger.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LoadRecord {
    /// Load or free.
    pub op: LoadOp,
    /// The file name.
    pub file: Arc<str>,
    /// The load count after the call.
    pub count: u32,
    /// For a load, whether it created a new instance; for a free, whether it unloaded the DLL.
    pub boundary: bool,
    /// Why it was loaded or freed.
    pub reason: Text,
    /// The trace event.
    pub event: EventId,
    /// Who loaded or freed it: MAPI, or a provider DLL that loads another DLL itself.
    pub by: Party,
}

/// Every `LoadLibrary` and `FreeLibrary` of the simulated process, in order: MAPI's, and those of
/// provider code that loads a DLL itself.
///
/// A simulator with a bounded trace ([`SimulatorBuilder::trace_limit`]) keeps only the newest
/// records; the counts, the unpaired loads and the instances still count every record.
///
/// [`SimulatorBuilder::trace_limit`]: crate::runtime::SimulatorBuilder::trace_limit
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct LoadLedger {
    /// The records held, in order.
    pub records: Vec<LoadRecord>,
    /// What the records no longer held added up to.
    earlier: Earlier,
}

/// The sums of the records a bounded ledger let go.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
struct Earlier {
    records: usize,
    loads: usize,
    frees: usize,
    /// Loads less frees, by who made them and file.
    balances: Vec<(Party, Arc<str>, i64)>,
    /// New instances, by file.
    instances: Vec<(Arc<str>, usize)>,
}

impl LoadLedger {
    /// How many `LoadLibrary` calls.
    pub fn loads(&self) -> usize {
        self.earlier.loads + self.records.iter().filter(|r| r.op == LoadOp::Load).count()
    }

    /// How many `FreeLibrary` calls.
    pub fn frees(&self) -> usize {
        self.earlier.frees + self.records.iter().filter(|r| r.op == LoadOp::Free).count()
    }

    /// How many records a bounded ledger no longer holds.
    pub fn records_not_kept(&self) -> usize {
        self.earlier.records
    }

    /// The files whose loads are not all paired with frees, with the number of unpaired loads.
    pub fn unpaired(&self) -> Vec<(Arc<str>, usize)> {
        self.unpaired_where(None)
    }

    /// [`LoadLedger::unpaired`], counting only the loads and frees `by` made.
    pub fn unpaired_by(&self, by: &Party) -> Vec<(Arc<str>, usize)> {
        self.unpaired_where(Some(by))
    }

    fn unpaired_where(&self, by: Option<&Party>) -> Vec<(Arc<str>, usize)> {
        let mut balance: Vec<(Arc<str>, i64)> = Vec::new();
        let mut add = |file: &Arc<str>, delta: i64| match balance
            .iter_mut()
            .find(|(f, _)| f.eq_ignore_ascii_case(file))
        {
            Some((_, n)) => *n += delta,
            None => balance.push((Arc::clone(file), delta)),
        };
        for (party, file, n) in &self.earlier.balances {
            if by.is_none_or(|by| by == party) {
                add(file, *n);
            }
        }
        for r in self.records.iter().filter(|r| by.is_none_or(|by| *by == r.by)) {
            add(&r.file, if r.op == LoadOp::Load { 1 } else { -1 });
        }
        balance
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(f, n)| (f, usize::try_from(n).unwrap_or(0)))
            .collect()
    }

    /// How many times the file was freshly instantiated (its statics born).
    pub fn instances(&self, file: &str) -> usize {
        let earlier: usize = self
            .earlier
            .instances
            .iter()
            .filter(|(f, _)| f.eq_ignore_ascii_case(file))
            .map(|(_, n)| n)
            .sum();
        earlier
            + self
                .records
                .iter()
                .filter(|r| r.op == LoadOp::Load && r.boundary && r.file.eq_ignore_ascii_case(file))
                .count()
    }

    /// Lets go of the oldest records beyond `limit`, adding them to the sums.
    pub(crate) fn trim(&mut self, limit: usize) {
        // Half the records go at once, so that trimming costs O(1) per record.
        if self.records.len() < limit.saturating_mul(2).max(2) {
            return;
        }
        let excess = self.records.len() - limit;
        for r in self.records.drain(..excess) {
            let earlier = &mut self.earlier;
            earlier.records += 1;
            match r.op {
                LoadOp::Load => earlier.loads += 1,
                LoadOp::Free => earlier.frees += 1,
            }
            add_balance(&mut earlier.balances, &r);
            if r.op == LoadOp::Load && r.boundary {
                match earlier
                    .instances
                    .iter_mut()
                    .find(|(file, _)| file.eq_ignore_ascii_case(&r.file))
                {
                    Some((_, n)) => *n += 1,
                    None => earlier.instances.push((Arc::clone(&r.file), 1)),
                }
            }
        }
    }
}

impl fmt::Display for LoadLedger {
    /// One record a line: `#12 LoadLibrary SMPMS32.DLL -> 1 (new instance): reason`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.earlier.records > 0 {
            writeln!(f, "… {} earlier records not kept", self.earlier.records)?;
        }
        for r in &self.records {
            let (op, mark) = match r.op {
                LoadOp::Load => ("LoadLibrary", " (new instance)"),
                LoadOp::Free => ("FreeLibrary", " (unloaded)"),
            };
            writeln!(
                f,
                "{} {op} {} -> {}{}: {}{}",
                r.event,
                r.file,
                r.count,
                if r.boundary { mark } else { "" },
                r.reason,
                if r.by == Party::Mapi {
                    String::new()
                } else {
                    format!(" (by {})", r.by)
                }
            )?;
        }
        Ok(())
    }
}

/// Adds a record's load (+1) or free (-1) to the balance of its party and file.
pub(crate) fn add_balance(balances: &mut Vec<(Party, Arc<str>, i64)>, record: &LoadRecord) {
    let delta = if record.op == LoadOp::Load { 1 } else { -1 };
    match balances
        .iter_mut()
        .find(|(by, file, _)| *by == record.by && file.eq_ignore_ascii_case(&record.file))
    {
        Some((_, _, n)) => *n += delta,
        None => balances.push((record.by.clone(), Arc::clone(&record.file), delta)),
    }
}
