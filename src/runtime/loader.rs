//! The library loader: registered provider DLLs, load counts, instances, and the ledger of every
//! `LoadLibrary` and `FreeLibrary`.

use std::fmt;
use std::sync::Arc;

use crate::spi::ProviderLibrary;
use crate::sync::KeyMap;
use crate::trace::{EventId, Party, Text};

/// A factory making a fresh instance of a provider DLL (its statics are born with it).
pub(crate) type Factory = Arc<dyn Fn() -> Box<dyn ProviderLibrary> + Send + Sync>;

/// The file name MAPI loads for a DLL name held in a profile: `32` inserted before the **first**
/// period of the whole string (appended when there is none), so `SMPMS.DLL` is loaded as
/// `SMPMS32.DLL` and `C:\v1.2\SMPMS.DLL` as `C:\v132.2\SMPMS.DLL` — which is why full paths with
/// other periods fail.
///
/// ```
/// use mapisim::runtime::dll_file_name;
///
/// assert_eq!(dll_file_name("SMPMS.DLL"), "SMPMS32.DLL");
/// assert_eq!(dll_file_name(r"C:\Mock\MOCKPRV.DLL"), r"C:\Mock\MOCKPRV32.DLL");
/// assert_eq!(dll_file_name(r"C:\v1.2\MOCKPRV.DLL"), r"C:\v132.2\MOCKPRV.DLL");
/// assert_eq!(dll_file_name("NODOT"), "NODOT32");
/// ```
pub fn dll_file_name(base: &str) -> String {
    let (head, tail) = split_for_32(base);
    let mut file = String::with_capacity(base.len() + 2);
    file.push_str(head);
    file.push_str("32");
    file.push_str(tail);
    file
}

/// `base` cut where [`dll_file_name`] inserts `32`: before the first period, or at the end.
fn split_for_32(base: &str) -> (&str, &str) {
    base.split_at(base.find('.').unwrap_or(base.len()))
}

/// Runs `f` with the file name MAPI loads for `base` ([`dll_file_name`]) and that name's key
/// ([`file_key`]), without allocating for a name of up to 128 bytes: for every store MAPI opens.
pub(crate) fn with_dll_file<R>(base: &str, f: impl FnOnce(&str, &str) -> R) -> R {
    let (head, tail) = split_for_32(base);
    let mut buffer = [0u8; 128];
    if let Some(file) = buffer.get_mut(..base.len() + 2) {
        let (start, rest) = file.split_at_mut(head.len());
        start.copy_from_slice(head.as_bytes());
        let (digits, end) = rest.split_at_mut(2);
        digits.copy_from_slice(b"32");
        end.copy_from_slice(tail.as_bytes());
        // `base` with ASCII inserted: UTF-8.
        if let Ok(file) = std::str::from_utf8(file) {
            return with_file_key(file, |key| f(file, key));
        }
    }
    let file = dll_file_name(base);
    f(&file, &file_key(&file))
}

/// The key a file name is looked up by: Windows file names are case-insensitive.
pub(crate) fn file_key(name: &str) -> String {
    name.to_ascii_uppercase()
}

/// Runs `f` with the key of `name` ([`file_key`]) without allocating for a name of up to 128
/// bytes: for lookups.
pub(crate) fn with_file_key<R>(name: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buffer = [0u8; 128];
    if let Some(bytes) = buffer.get_mut(..name.len()) {
        bytes.copy_from_slice(name.as_bytes());
        bytes.make_ascii_uppercase();
        // Changing the case of ASCII letters keeps the bytes UTF-8.
        if let Ok(key) = std::str::from_utf8(bytes) {
            return f(key);
        }
    }
    f(&file_key(name))
}

/// The last component of a path.
fn file_component(name: &str) -> &str {
    name.rsplit(['\\', '/']).next().unwrap_or(name)
}

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
    fn trim(&mut self, limit: usize) {
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
fn add_balance(balances: &mut Vec<(Party, Arc<str>, i64)>, record: &LoadRecord) {
    let delta = if record.op == LoadOp::Load { 1 } else { -1 };
    match balances
        .iter_mut()
        .find(|(by, file, _)| *by == record.by && file.eq_ignore_ascii_case(&record.file))
    {
        Some((_, _, n)) => *n += delta,
        None => balances.push((record.by.clone(), Arc::clone(&record.file), delta)),
    }
}

/// A registered DLL.
struct Registered {
    name: Arc<str>,
    factory: Factory,
}

/// A DLL while loaded.
pub(crate) struct Module {
    pub(crate) file: Arc<str>,
    pub(crate) count: u32,
    pub(crate) instance: Arc<dyn ProviderLibrary>,
    pub(crate) generation: u32,
    /// A free that would have unloaded the DLL, held back until the last `MAPIUninitialize`.
    pub(crate) final_free_pending: bool,
}

/// Registered DLLs and the loaded ones.
#[derive(Default)]
pub(crate) struct Loader {
    registered: Vec<Registered>,
    /// By file key ([`file_key`]); hashed as MAPI's own keys are (the names are the profile's
    /// and the registrations', looked up on every load and free).
    pub(crate) modules: KeyMap<String, Module>,
    generations: KeyMap<String, u32>,
    pub(crate) ledger: LoadLedger,
    /// Loads less frees, by who made them and file, in the order first seen: what
    /// [`LoadLedger::unpaired_by`] computes, kept up to date as records are added so that it
    /// costs the number of (party, file) pairs, not the number of records.
    balances: Vec<(Party, Arc<str>, i64)>,
    /// How many records the ledger keeps, for a simulator with a bounded trace.
    pub(crate) limit: Option<usize>,
}

impl Loader {
    /// Adds a record to the ledger.
    pub(crate) fn record(&mut self, record: LoadRecord) {
        add_balance(&mut self.balances, &record);
        self.ledger.records.push(record);
        if let Some(limit) = self.limit {
            self.ledger.trim(limit);
        }
    }

    /// The parties that loaded or freed a DLL, in the order first seen.
    pub(crate) fn parties(&self) -> impl Iterator<Item = &Party> {
        self.balances.iter().map(|(party, _, _)| party)
    }

    /// [`LoadLedger::unpaired_by`], from the running balances.
    pub(crate) fn unpaired_by(&self, by: &Party) -> Vec<(Arc<str>, usize)> {
        self.balances
            .iter()
            .filter(|(party, _, n)| party == by && *n > 0)
            .map(|(_, file, n)| (Arc::clone(file), usize::try_from(*n).unwrap_or(0)))
            .collect()
    }

    pub(crate) fn register(&mut self, name: &str, factory: Factory) {
        let key = file_key(name);
        self.registered.retain(|r| file_key(&r.name) != key);
        self.registered.push(Registered {
            name: name.into(),
            factory,
        });
    }

    /// The registered DLL that `LoadLibrary(file)` finds: the same name, or, for a name
    /// registered without a directory, the same last component.
    pub(crate) fn resolve(&self, file: &str) -> Option<(Arc<str>, Factory)> {
        let last = file_component(file);
        self.registered
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(file))
            .or_else(|| {
                self.registered
                    .iter()
                    .find(|r| file_component(&r.name) == &*r.name && r.name.eq_ignore_ascii_case(last))
            })
            .map(|r| (Arc::clone(&r.name), Arc::clone(&r.factory)))
    }

    /// Registered names that would match if the `32` rule were ignored or applied twice: the
    /// hint for a failed load.
    pub(crate) fn near_misses(&self, base: &str, file: &str) -> Vec<Arc<str>> {
        let candidates = [
            file_key(base),
            file_key(file_component(base)),
            file_key(&dll_file_name(file)),
        ];
        self.registered
            .iter()
            .filter(|r| {
                let k = file_key(&r.name);
                candidates
                    .iter()
                    .any(|c| *c == k || file_key(file_component(c)) == k)
            })
            .map(|r| Arc::clone(&r.name))
            .collect()
    }

    /// The next generation number of a file.
    pub(crate) fn next_generation(&mut self, file: &str) -> u32 {
        let known = with_file_key(file, |key| {
            self.generations.get_mut(key).map(|g| {
                *g += 1;
                *g
            })
        });
        known.unwrap_or_else(|| {
            self.generations.insert(file_key(file), 1);
            1
        })
    }

    /// Every registered name.
    pub(crate) fn registered_names(&self) -> Vec<Arc<str>> {
        self.registered.iter().map(|r| Arc::clone(&r.name)).collect()
    }
}
