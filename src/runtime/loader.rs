//! The library loader: registered provider DLLs, load counts, instances, and the ledger of every
//! `LoadLibrary` and `FreeLibrary`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::spi::ProviderLibrary;
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
    match base.find('.') {
        Some(i) => format!("{}32{}", &base[..i], &base[i..]),
        None => format!("{base}32"),
    }
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
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct LoadLedger {
    /// The records, in order.
    pub records: Vec<LoadRecord>,
}

impl LoadLedger {
    /// How many `LoadLibrary` calls.
    pub fn loads(&self) -> usize {
        self.records.iter().filter(|r| r.op == LoadOp::Load).count()
    }

    /// How many `FreeLibrary` calls.
    pub fn frees(&self) -> usize {
        self.records.iter().filter(|r| r.op == LoadOp::Free).count()
    }

    /// The files whose loads are not all paired with frees, with the number of unpaired loads.
    pub fn unpaired(&self) -> Vec<(Arc<str>, usize)> {
        self.unpaired_where(|_| true)
    }

    /// [`LoadLedger::unpaired`], counting only the loads and frees `by` made.
    pub fn unpaired_by(&self, by: &Party) -> Vec<(Arc<str>, usize)> {
        self.unpaired_where(|r| r.by == *by)
    }

    fn unpaired_where(&self, keep: impl Fn(&LoadRecord) -> bool) -> Vec<(Arc<str>, usize)> {
        let mut balance: Vec<(Arc<str>, i64)> = Vec::new();
        for r in self.records.iter().filter(|r| keep(r)) {
            let key = file_key(&r.file);
            let delta = if r.op == LoadOp::Load { 1 } else { -1 };
            match balance.iter_mut().find(|(f, _)| file_key(f) == key) {
                Some((_, n)) => *n += delta,
                None => balance.push((Arc::clone(&r.file), delta)),
            }
        }
        balance
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(f, n)| (f, usize::try_from(n).unwrap_or(0)))
            .collect()
    }

    /// How many times the file was freshly instantiated (its statics born).
    pub fn instances(&self, file: &str) -> usize {
        let key = file_key(file);
        self.records
            .iter()
            .filter(|r| r.op == LoadOp::Load && r.boundary && file_key(&r.file) == key)
            .count()
    }
}

impl fmt::Display for LoadLedger {
    /// One record a line: `#12 LoadLibrary SMPMS32.DLL -> 1 (new instance): reason`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
    pub(crate) modules: HashMap<String, Module>,
    generations: HashMap<String, u32>,
    pub(crate) ledger: LoadLedger,
    /// Loads less frees, by who made them and file, in the order first seen: what
    /// [`LoadLedger::unpaired_by`] computes, kept up to date as records are added so that it
    /// costs the number of (party, file) pairs, not the number of records.
    balances: Vec<(Party, Arc<str>, i64)>,
}

impl Loader {
    /// Adds a record to the ledger.
    pub(crate) fn record(&mut self, record: LoadRecord) {
        let delta = if record.op == LoadOp::Load { 1 } else { -1 };
        match self
            .balances
            .iter_mut()
            .find(|(by, file, _)| *by == record.by && file.eq_ignore_ascii_case(&record.file))
        {
            Some((_, _, n)) => *n += delta,
            None => self
                .balances
                .push((record.by.clone(), Arc::clone(&record.file), delta)),
        }
        self.ledger.records.push(record);
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
