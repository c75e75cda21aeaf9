//! The library loader: registered provider DLLs, load counts, instances, and the ledger of every
//! `LoadLibrary` and `FreeLibrary`.

use std::sync::{Arc, Weak};

use crate::check::rules;
use crate::object::{ObjLabel, Owner, Scope};
use crate::runtime::{MallocCounting, Runtime, UnloadTiming};
use crate::spi::ProviderLibrary;
use crate::trace::{EventKind, Party, Text, Trace, text};

use crate::check::loads::{LoadLedger, LoadOp, LoadRecord, add_balance};
use crate::sync::KeyMap;

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

/// A `FreeLibrary` decided under MAPI's lock, completed once no lock is held.
pub(crate) struct PendingFree {
    file: Arc<str>,
    reason: Text,
    /// The load count after it.
    count: u32,
    /// For the last free: the DLL's instance, and the last object number of the ledger when it
    /// was unloaded.
    unloaded: Option<(Arc<dyn ProviderLibrary>, u32)>,
    by: Party,
}

impl crate::spi::process::LibraryHost for Runtime {
    fn load(
        &self,
        file: &str,
        by: &Arc<str>,
    ) -> Option<(Arc<str>, Arc<dyn ProviderLibrary>, crate::spi::ModuleInstance)> {
        let loaded = self.load_library_by(
            file,
            text!("loaded by {by}", by = Arc::clone(by)),
            Party::Library(Arc::clone(by)),
        );
        if loaded.is_none() {
            self.trace.record(EventKind::Note {
                by: Party::Library(Arc::clone(by)),
                text: format!("LoadLibrary({file:?}) found no such DLL").into(),
            });
        }
        loaded
    }

    fn free(&self, file: &Arc<str>, by: &Arc<str>) {
        self.free_library_by(
            file,
            text!("freed by {by}", by = Arc::clone(by)),
            Party::Library(Arc::clone(by)),
        );
    }

    fn enter(&self, file: &Arc<str>) -> Scope {
        let session = crate::object::current_scope().and_then(|(_, owner)| owner.session);
        let mut owner = Owner::library(Arc::clone(file));
        owner.session = session;
        self.ledger.enter(Party::Library(Arc::clone(file)), owner)
    }

    fn trace(&self) -> &Trace {
        &self.trace
    }
}

impl Runtime {
    /// Loads a provider DLL for one use: `LoadLibrary`, a fresh instance if it was not loaded.
    pub(crate) fn load_library(
        &self,
        file: &str,
        reason: Text,
    ) -> Option<(Arc<str>, Arc<dyn ProviderLibrary>, crate::spi::ModuleInstance)> {
        self.load_library_by(file, reason, Party::Mapi)
    }

    /// `LoadLibrary` by MAPI or by a provider's code.
    pub(crate) fn load_library_by(
        &self,
        file: &str,
        reason: Text,
        by: Party,
    ) -> Option<(Arc<str>, Arc<dyn ProviderLibrary>, crate::spi::ModuleInstance)> {
        let (name, factory, loaded) = {
            let st = self.st();
            let (name, factory) = st.loader.resolve(file)?;
            let loaded = with_file_key(&name, |key| {
                st.loader
                    .modules
                    .get(key)
                    .map(|m| (Arc::clone(&m.instance), m.generation))
            });
            (name, factory, loaded)
        };
        // A fresh instance is made outside MAPI's lock (it runs the DLL's code); if another thread
        // loaded the DLL meanwhile, its instance is the one, and this one never existed.
        let made: Option<Arc<dyn ProviderLibrary>> = match loaded {
            Some(_) => None,
            None => Some(Arc::from(
                self.guarded(&name, None, "the DLL's initialization", &[], || factory())
                    .ok()?,
            )),
        };
        let (loaded, new_instance, unused) = {
            let mut st = self.st();
            let present = with_file_key(&name, |key| st.loader.modules.contains_key(key));
            let (fresh, unused) = match (present, made) {
                (false, Some(made)) => (Some(made), None),
                (_, unused) => (None, unused),
            };
            let new_instance = fresh.is_some();
            if let Some(instance) = fresh {
                let generation = st.loader.next_generation(&name);
                st.loader.modules.insert(
                    file_key(&name),
                    Module {
                        file: Arc::clone(&name),
                        count: 0,
                        instance,
                        generation,
                        final_free_pending: false,
                    },
                );
            }
            let loaded = with_file_key(&name, |key| {
                st.loader.modules.get_mut(key).map(|module| {
                    module.count += 1;
                    (Arc::clone(&module.instance), module.generation, module.count)
                })
            });
            (loaded, new_instance, unused)
        };
        if let Some(unused) = unused {
            self.drop_in_provider(&name, None, "the DLL's initialization", unused);
        }
        // (The DLL was found or inserted under the lock just released.)
        let (instance, generation, count) = loaded?;
        let event = self.trace.record(EventKind::LoadLibrary {
            by: by.clone(),
            file: Arc::clone(&name),
            count,
            new_instance,
            reason: reason.clone(),
        });
        self.st().loader.record(LoadRecord {
            op: LoadOp::Load,
            file: Arc::clone(&name),
            count,
            boundary: new_instance,
            reason,
            event,
            by,
        });
        let host: Weak<dyn crate::spi::process::LibraryHost> = self.me.clone();
        let process = crate::spi::Process::attached(host, Arc::clone(&name));
        let module = crate::spi::ModuleInstance::in_process(Arc::clone(&name), generation, process);
        Some((name, instance, module))
    }

    /// `LIB-FILE-NAME`: `LoadLibrary` found no DLL under the name MAPI made from the profile's base
    /// name; the message says which names are registered, and which would have matched.
    pub(crate) fn report_load_failure(&self, base: &str, file: &str) {
        let hint = {
            let st = self.st();
            let near = st.loader.near_misses(base, file);
            if near.is_empty() {
                let all: Vec<String> = st
                    .loader
                    .registered_names()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                format!(
                    "registered DLLs: {}",
                    if all.is_empty() {
                        "none".into()
                    } else {
                        all.join(", ")
                    }
                )
            } else {
                let near: Vec<String> = near.iter().map(ToString::to_string).collect();
                format!("a DLL is registered as {}", near.join(", "))
            }
        };
        self.violation(
            &rules::LIB_FILE_NAME,
            format!("the profile names {base:?}, so MAPI loads {file:?}, which is not registered ({hint})"),
            Vec::new(),
            Party::Library(Arc::from(file)),
        );
    }

    /// Pairs a use's `LoadLibrary`. The free that would unload the DLL waits for the last
    /// `MAPIUninitialize` unless the behaviour says otherwise.
    pub(crate) fn release_library(&self, file: &Arc<str>, reason: Text) {
        let hold = {
            let mut st = self.st();
            let initialized = st.init_count > 0;
            let module = with_file_key(file, |key| st.loader.modules.get_mut(key));
            match module {
                Some(m)
                    if m.count == 1
                        && initialized
                        && self.behavior.unload == UnloadTiming::AfterLastUninitialize =>
                {
                    m.final_free_pending = true;
                    true
                }
                _ => {
                    // The count goes down now, under the lock that decides, so that a release or
                    // a load on another thread sees it; the rest waits for the client call's end.
                    let free = self.decide_free(&mut st.loader, file, reason, Party::Mapi);
                    st.deferred_frees.extend(free);
                    false
                }
            }
        };
        if hold {
            self.note(text!(
                "{file} stays loaded until the last MAPIUninitialize",
                file = Arc::clone(file)
            ));
        }
    }

    /// A `FreeLibrary` decided under MAPI's lock: the count goes down, and at zero the DLL leaves
    /// the loaded modules (a load from now on makes a fresh instance). [`Runtime::complete_free`]
    /// does the rest once no lock is held.
    pub(crate) fn decide_free(
        &self,
        loader: &mut Loader,
        file: &Arc<str>,
        reason: Text,
        by: Party,
    ) -> Option<PendingFree> {
        let (count, unloaded) = with_file_key(file, |key| {
            let module = loader.modules.get_mut(key)?;
            module.count = module.count.saturating_sub(1);
            let count = module.count;
            let unloaded = if count == 0 {
                loader.modules.remove(key).map(|m| m.instance)
            } else {
                None
            };
            Some((count, unloaded))
        })?;
        let unloaded = unloaded.map(|instance| (instance, self.ledger.serial_mark()));
        Some(PendingFree {
            file: Arc::clone(file),
            reason,
            count,
            unloaded,
            by,
        })
    }

    /// `FreeLibrary`: at zero the DLL's instance is dropped (its statics die), and any object of
    /// the DLL still alive is reported.
    pub(crate) fn free_library(&self, file: &Arc<str>, reason: Text) {
        self.free_library_by(file, reason, Party::Mapi);
    }

    /// `FreeLibrary` by MAPI or by a provider's code.
    pub(crate) fn free_library_by(&self, file: &Arc<str>, reason: Text, by: Party) {
        let free = self.decide_free(&mut self.st().loader, file, reason, by);
        if let Some(free) = free {
            self.complete_free(free);
        }
    }

    /// What follows a `FreeLibrary` once no lock is held: its trace event and ledger record, and
    /// for the last one the DLL's unload — its instance dropped (its statics die) and every object
    /// it made before the unload that is still alive reported.
    pub(crate) fn complete_free(&self, free: PendingFree) {
        let PendingFree {
            file,
            reason,
            count,
            unloaded,
            by,
        } = free;
        let event = self.trace.record(EventKind::FreeLibrary {
            by: by.clone(),
            file: Arc::clone(&file),
            count,
            reason: reason.clone(),
        });
        self.st().loader.record(LoadRecord {
            op: LoadOp::Free,
            file: Arc::clone(&file),
            count,
            boundary: count == 0,
            reason,
            event,
            by: by.clone(),
        });
        let Some((instance, mark)) = unloaded else {
            return;
        };
        self.drop_in_provider(&file, None, "the DLL's unload", instance);
        self.check_malloc_released(&file);
        self.check_provider_loads(&file, "when it was unloaded");
        // Stores the client still holds are the client's to answer for (CLIENT-RELEASE); objects
        // made after the unload belong to a fresh instance (another thread's load).
        let client_held: Vec<ObjLabel> = {
            let st = self.st();
            st.client_held
                .iter()
                .filter_map(|k| st.logons.get(*k))
                .filter(|r| r.client_handles > 0)
                .filter_map(|r| r.store_label)
                .collect()
        };
        let labels = self.ledger.live_labels_where(|owner, label| {
            owner.library.as_deref() == Some(&*file) && label.serial <= mark && !client_held.contains(&label)
        });
        if !labels.is_empty() {
            let names: Vec<String> = labels.iter().map(ToString::to_string).collect();
            // A provider that freed another DLL it loaded unloaded it under its objects.
            let blamed = match &by {
                Party::Library(loader) if **loader != *file => by.clone(),
                _ => Party::Library(Arc::clone(&file)),
            };
            self.violation(
                &rules::LIB_UNLOAD_LIVE,
                format!(
                    "{file} was unloaded while {} of its objects were alive: {}",
                    labels.len(),
                    names.join(", ")
                ),
                labels,
                blamed,
            );
        }
    }

    /// `LIB-LOAD-PAIRED`: the DLLs `file`'s code loaded itself and has not freed (once per DLL it
    /// loaded).
    pub(crate) fn check_provider_loads(&self, file: &Arc<str>, when: &str) {
        let loader = Party::Library(Arc::clone(file));
        let held: Vec<(Arc<str>, usize)> = {
            let mut st = self.st();
            let held = st.loader.unpaired_by(&loader);
            held.into_iter()
                .filter(|(loaded, _)| {
                    st.load_pairs_reported
                        .insert((Arc::clone(file), Arc::clone(loaded)))
                })
                .collect()
        };
        for (loaded, n) in held {
            self.violation(
                &rules::LIB_LOAD_PAIRED,
                format!("{file} still held {n} load(s) of {loaded} it made with LoadLibrary {when}"),
                Vec::new(),
                loader.clone(),
            );
        }
    }

    /// `MALLOC-HELD`: once a DLL is unloaded (every provider object of it shut down, its statics
    /// gone), no reference its code took to MAPI's `IMalloc` may remain.
    pub(crate) fn check_malloc_released(&self, file: &Arc<str>) {
        if self.behavior.malloc == MallocCounting::Static {
            return;
        }
        let Some(id) = self.malloc.id() else {
            return;
        };
        let held = self
            .ledger
            .count_references(id, |by| matches!(by, Party::Library(f) if **f == **file));
        if held > 0 {
            let label = self.malloc.label().into_iter().collect::<Vec<_>>();
            let name = self
                .malloc
                .label()
                .map_or_else(|| "IMalloc".to_owned(), |l| l.to_string());
            self.violation(
                &rules::MALLOC_HELD,
                format!(
                    "{file} was unloaded still holding {held} reference(s) to {name} (lpMalloc) that it took and never released"
                ),
                label,
                Party::Library(Arc::clone(file)),
            );
        }
    }
}
