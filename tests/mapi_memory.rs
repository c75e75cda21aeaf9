//! MAPI's memory: `MAPIAllocateBuffer`, `MAPIAllocateMore` and `MAPIFreeBuffer`.
//!
//! First the routines on their own ([`MemRoutines::new`], outside any simulator): root blocks,
//! blocks linked to a root and freed with it, typed blocks, and the answer to every misuse
//! (`MAPI_E_INVALID_PARAMETER`, nothing changed). Then the same routines inside a simulator:
//! each misuse is a violation of its `MEM-*` rule, attributed to whoever's code made the call (the
//! client, or the provider DLL), the bug zoo's memory defects each fire their rule, blocks still
//! live at the end are a `MEM-LEAK` that says who must free them, where they were allocated and
//! what for. Then the two behaviours of `MAPIAllocateMore` on a bad root, the fault plan (every
//! allocation of the quickstart scenario failed in turn: the error reaches the client, nothing
//! leaks), and the buffers a client's calls receive (`GetProps`, `GetLastError`), which the
//! client's handle copies and frees.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

mod zoo;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use mapisim::check::STRICT_PANIC_PREFIX;
use mapisim::prelude::*;
use mapisim::props::{
    PR_DISPLAY_NAME_W, PR_MDB_PROVIDER, PR_OBJECT_TYPE, PR_RESOURCE_FLAGS, PR_STORE_ENTRYID,
};
use mapisim::sample::{SAMPLE_MDB_PROVIDER, SampleLibrary, SampleStore};
use mapisim::spi::{AllocationSite, BlockInfo, MapiErrorInfo, MemBackend};
use zoo::{Defect, ZOO_FILE, builder, open_default, run_lifecycle, simulator};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `file:line` of the first line of `tests/zoo/mod.rs` that contains `snippet`, after the first
/// line that contains `anchor`: where the zoo's code made the call a message names.
fn zoo_site(anchor: &str, snippet: &str) -> String {
    let source = include_str!("zoo/mod.rs");
    let mut lines = source.lines().enumerate();
    lines
        .by_ref()
        .find(|(_, l)| l.contains(anchor))
        .unwrap_or_else(|| panic!("the zoo has no line with {anchor:?}"));
    let (index, _) = lines
        .find(|(_, l)| l.contains(snippet))
        .unwrap_or_else(|| panic!("the zoo has no line with {snippet:?} after {anchor:?}"));
    format!("tests/zoo/mod.rs:{}", index + 1)
}

/// A root with one linked part, and a root already freed: the bad roots of `MAPIAllocateMore`.
fn chain_and_freed_root(routines: &MemRoutines) -> (BufferId, BufferId, BufferId) {
    let root = routines.allocate_buffer(8).unwrap();
    let part = routines.allocate_more(8, root).unwrap();
    let gone = routines.allocate_buffer(8).unwrap();
    routines.free_buffer(Some(gone)).unwrap();
    (root, part, gone)
}

/// `file:line` of a line of this file.
fn here(line: u32) -> String {
    format!("{}:{line}", file!())
}

/// The one violation of `rule` in the report.
#[track_caller]
fn only<'r>(report: &'r Report, rule: &Rule) -> &'r Violation {
    let found: Vec<&Violation> = report.violations.iter().filter(|v| v.rule == rule).collect();
    assert_eq!(found.len(), 1, "one {} expected:\n{}", rule.id, report.account());
    found[0]
}

/// The report of the zoo's lifecycle with `defect`, which must break `rule` once and nothing
/// else, by the zoo's DLL; and that violation.
#[track_caller]
fn zoo_only(defect: Defect, rule: &Rule) -> (Report, Violation) {
    let report = zoo_report(defect, Behavior::default());
    assert_eq!(report.rule_ids(), vec![rule.id], "{}", report.account());
    let v = only(&report, rule).clone();
    assert_eq!(v.by, zoo_dll());
    (report, v)
}

/// The zoo's DLL as a party.
fn zoo_dll() -> Party {
    Party::Library(Arc::from(ZOO_FILE))
}

/// The sample's DLL as a party.
fn sample_dll() -> Party {
    Party::Library(Arc::from(SampleStore::DLL_FILE))
}

/// Runs the zoo's lifecycle with `defect` and the given behaviour.
fn zoo_report(defect: Defect, behavior: Behavior) -> Report {
    let sim = builder(defect).behavior(behavior).build();
    run_lifecycle(&sim);
    sim.finish()
}

/// What a store's `GetLastError` answers, in the wrapped sample below.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LastError {
    /// A `MAPIERROR` in a buffer of MAPI's routines, for the caller to free.
    Info,
    /// No information (`*lppMAPIError` = NULL).
    Nothing,
    /// A `MAPIERROR` in a buffer the store has already freed.
    FreedBuffer,
    /// A `MAPIERROR` in a buffer of other routines.
    ForeignBuffer,
}

/// Code run on the support object at the start of every fresh `Logon`.
type Probe = Arc<dyn Fn(&Ref<dyn MapiSupport>) + Send + Sync>;

/// The sample's DLL, with a probe run inside every fresh `Logon` (provider code, with the
/// provider's DLL as the party) and, when `last_error` is set, a store object whose
/// `GetLastError` answers as it says.
struct WrapLibrary {
    inner: SampleLibrary,
    probe: Probe,
    last_error: Option<LastError>,
}

impl ProviderLibrary for WrapLibrary {
    fn exports(&self) -> Exports {
        self.inner.exports()
    }

    fn service_entry(&self, args: &mapisim::spi::ServiceEntryArgs<'_>) -> MapiResult<()> {
        self.inner.service_entry(args)
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        let inner = self.inner.ms_provider_init(args)?;
        let provider = Ref::new(WrapProvider {
            inner: inner.provider,
            probe: Arc::clone(&self.probe),
            last_error: self.last_error,
            routines: args.routines.clone(),
            stores: Mutex::new(Vec::new()),
        });
        Ok(ProviderInit {
            provider: provider.into(),
            version: inner.version,
        })
    }
}

/// The sample's provider object, wrapped.
struct WrapProvider {
    inner: Ref<dyn MsProvider>,
    probe: Probe,
    last_error: Option<LastError>,
    routines: MemRoutines,
    stores: Mutex<Vec<WeakRef<WrapStore>>>,
}

impl WrapProvider {
    /// The wrapper of the sample's store object, so that every call returns the same object.
    fn outer(&self, store: Ref<dyn MsgStore>) -> Ref<dyn MsgStore> {
        let stores = self.stores.lock().unwrap();
        match stores
            .iter()
            .filter_map(WeakRef::upgrade)
            .find(|w| w.inner.same_object(&store))
        {
            Some(wrapper) => wrapper.into(),
            None => store,
        }
    }
}

impl MsProvider for WrapProvider {
    fn shutdown(&self, flags: u32) -> MapiResult<()> {
        self.stores.lock().unwrap().clear();
        self.inner.shutdown(flags)
    }

    fn logon(&self, args: &StoreLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        if args.entry_id.is_none() {
            (self.probe)(args.support);
        }
        let mut out = self.inner.logon(args)?;
        match self.last_error {
            Some(mode) if out.value.logon.is_some() => {
                let wrapper = Ref::new(WrapStore {
                    inner: out.value.store.clone(),
                    routines: self.routines.clone(),
                    mode,
                });
                self.stores.lock().unwrap().push(wrapper.downgrade());
                out.value.store = wrapper.into();
            }
            _ => out.value.store = self.outer(out.value.store),
        }
        Ok(out)
    }

    fn spooler_logon(&self, args: &SpoolerLogonArgs<'_>) -> MapiResult<Warned<StoreLogon>> {
        let mut out = self.inner.spooler_logon(args)?;
        out.value.store = self.outer(out.value.store);
        Ok(out)
    }

    fn compare_store_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool> {
        self.inner.compare_store_ids(a, b, flags)
    }
}

/// The sample's store object with a `GetLastError`.
struct WrapStore {
    inner: Ref<dyn MsgStore>,
    routines: MemRoutines,
    mode: LastError,
}

/// The `MAPIERROR` the wrapped store describes `error` with.
fn error_info(error: MapiError) -> MapiErrorInfo {
    MapiErrorInfo {
        version: 0,
        error: Some(TString::ansi_from_str(&format!(
            "the last call failed with {error}"
        ))),
        component: Some(TString::ansi_from_str("Wrapped Sample Store")),
        low_level_error: 42,
        context: 7,
    }
}

impl MapiProp for WrapStore {
    fn get_last_error(&self, error: MapiError, _flags: u32) -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>> {
        let info = error_info(error);
        match self.mode {
            LastError::Info => self.routines.allocate_value(info).map(Some),
            LastError::Nothing => Ok(None),
            LastError::FreedBuffer => {
                let buffer = self.routines.allocate_value(info)?;
                self.routines.free_buffer(Some(buffer.id()))?;
                Ok(Some(buffer))
            }
            LastError::ForeignBuffer => MemRoutines::new().allocate_value(info).map(Some),
        }
    }

    fn get_props(&self, tags: Option<&[PropTag]>, flags: u32) -> MapiResult<Warned<PropArray>> {
        self.inner.get_props(tags, flags)
    }

    fn get_prop_list(&self, flags: u32) -> MapiResult<Vec<PropTag>> {
        self.inner.get_prop_list(flags)
    }
}

impl MsgStore for WrapStore {
    fn store_logoff(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags> {
        self.inner.store_logoff(flags)
    }
}

/// A simulator hosting the wrapped sample as `SMPMS32.DLL`, with a profile "P" holding its
/// service.
fn wrapped_simulator(
    probe: impl Fn(&Ref<dyn MapiSupport>) + Send + Sync + 'static,
    last_error: Option<LastError>,
) -> Simulator {
    let probe: Probe = Arc::new(probe);
    let sim = Simulator::builder()
        .library(SampleStore::DLL_FILE, move || WrapLibrary {
            inner: SampleStore::library(),
            probe: Arc::clone(&probe),
            last_error,
        })
        .service(SampleStore::service("SMPMS"))
        .build();
    sim.profiles().create("P").unwrap().add_service("SMPMS").unwrap();
    sim
}

/// The lifecycle on profile "P" with `with_store` run on the open store, then the report.
fn run_wrapped(sim: Simulator, with_store: impl FnOnce(&Simulator, &StoreHandle)) -> Report {
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("P", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    sim.spooler().run_until_idle();
    with_store(&sim, &store);
    zoo::close_and_finish(sim, mapi, session, store)
}

/// The full lifecycle with `probe` run inside the fresh `Logon`, and the report.
fn with_probe(probe: impl Fn(&Ref<dyn MapiSupport>) + Send + Sync + 'static) -> Report {
    run_wrapped(wrapped_simulator(probe, None), |_, _| {})
}

/// The quickstart's simulator: the sample's DLL and the services of its Mapisvc.inf, with a
/// fault plan.
fn quickstart_simulator(plan: FaultPlan) -> Simulator {
    zoo::sample_builder().fault_plan(plan).build()
}

/// Records the error of a step, if it failed, and gives its value otherwise.
fn step<T>(
    errors: &mut Vec<(&'static str, MapiError)>,
    name: &'static str,
    result: MapiResult<T>,
) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(e) => {
            errors.push((name, e));
            None
        }
    }
}

/// The quickstart's client, written for steps that fail: whatever fails, what was opened is
/// closed (the store released, the session logged off, MAPI uninitialized). Returns the errors,
/// by step.
fn quickstart_client(sim: &Simulator) -> Vec<(&'static str, MapiError)> {
    let mut errors = Vec::new();
    let e = &mut errors;
    if step(e, "CreateDefault", sim.profiles().create_default("Default")).is_none() {
        return errors;
    }
    let Some(mapi) = step(
        e,
        "MAPIInitialize",
        sim.initialize(InitFlags::MULTITHREAD_NOTIFICATIONS),
    ) else {
        return errors;
    };
    if let Some(session) = step(e, "MAPILogonEx", mapi.logon_ex("Default", LogonFlags::EXTENDED)) {
        let row = step(
            e,
            "GetMsgStoresTable",
            session.msg_stores_table().and_then(|t| t.default_store()),
        );
        if let Some(row) = row
            && let Some(store) = step(
                e,
                "OpenMsgStore",
                session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE),
            )
        {
            sim.spooler().run_until_idle();
            step(e, "StoreLogoff", store.store_logoff(LogoffFlags::ORDERLY));
            drop(store);
        }
        step(e, "Logoff", session.logoff(SessionLogoffFlags::empty()));
        drop(session);
    }
    step(e, "MAPIUninitialize", mapi.uninitialize());
    errors
}

// ---------------------------------------------------------------------------------------------
// 1. The routines on their own
// ---------------------------------------------------------------------------------------------

#[test]
fn allocate_buffer_makes_a_zeroed_root_block_of_the_given_size() {
    let routines = MemRoutines::new();
    let (root, line) = (routines.allocate_buffer(12).unwrap(), line!());
    assert_eq!(routines.read(root).unwrap(), vec![0u8; 12]);
    assert!(routines.is_live(root));
    assert_eq!(routines.live_blocks(), 1);
    assert_eq!(routines.allocations(), 1);
    assert_eq!(root.index(), 1);
    assert_eq!(root.to_string(), "buffer 1");

    let blocks = routines.blocks();
    assert_eq!(blocks.len(), 1);
    let info = &blocks[0];
    assert_eq!(info.id, root);
    assert_eq!(info.root, None);
    assert_eq!(info.what, "12 bytes");
    // Outside any simulator, the code that runs is the client's.
    assert_eq!(info.allocated_by, Party::Client);
    assert_eq!(info.owner, Party::Client);
    assert_eq!(info.purpose, None);
    let AllocationSite::Code(at) = info.site else {
        panic!("a block allocated by code has a source line: {:?}", info.site)
    };
    assert_eq!((at.file(), at.line()), (file!(), line));
    assert_eq!(
        info.to_string(),
        format!(
            "buffer 1 (12 bytes), allocated by client at {}; client must free it",
            here(line)
        )
    );

    // An empty block is a block too.
    let empty = routines.allocate_buffer(0).unwrap();
    assert_eq!(routines.read(empty).unwrap(), Vec::<u8>::new());
    assert_eq!(routines.live_blocks(), 2);
    assert_ne!(empty, root);
}

#[test]
fn allocate_bytes_copies_the_bytes_into_a_new_root_block() {
    let routines = MemRoutines::new();
    let block = routines.allocate_bytes(b"spool").unwrap();
    assert_eq!(routines.read(block).unwrap(), b"spool");
    let info = routines.blocks().pop().unwrap();
    assert_eq!((info.root, info.what.as_str()), (None, "5 bytes"));
    assert_eq!(routines.take_bytes(block).unwrap(), b"spool");
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn write_and_read_round_trip_inside_the_block_and_writing_past_its_end_fails() {
    let routines = MemRoutines::new();
    let block = routines.allocate_buffer(8).unwrap();
    routines.write(block, 2, b"MAPI").unwrap();
    assert_eq!(routines.read(block).unwrap(), b"\0\0MAPI\0\0");
    // Up to the last byte is inside.
    routines.write(block, 6, b"!?").unwrap();
    assert_eq!(routines.read(block).unwrap(), b"\0\0MAPI!?");

    // One byte too far, an offset past the end, an offset that overflows: refused, unchanged.
    assert_eq!(
        routines.write(block, 5, b"1234"),
        Err(MapiError::InvalidParameter)
    );
    assert_eq!(routines.write(block, 9, b""), Err(MapiError::InvalidParameter));
    assert_eq!(
        routines.write(block, usize::MAX, b"x"),
        Err(MapiError::InvalidParameter)
    );
    assert_eq!(routines.read(block).unwrap(), b"\0\0MAPI!?");
    assert!(routines.is_live(block));
}

#[test]
fn allocate_more_links_blocks_to_their_root() {
    let routines = MemRoutines::new();
    let root = routines.allocate_buffer(8).unwrap();
    let (first, line) = (routines.allocate_more(4, root).unwrap(), line!());
    let second = routines.allocate_more(16, root).unwrap();
    assert_eq!(routines.live_blocks(), 3);
    assert_eq!(routines.allocations(), 3);
    assert_eq!(routines.read(second).unwrap(), vec![0u8; 16]);
    routines.write(first, 0, b"part").unwrap();
    assert_eq!(routines.read(first).unwrap(), b"part");
    // The root is unaffected by what its linked blocks hold.
    assert_eq!(routines.read(root).unwrap(), vec![0u8; 8]);

    let blocks = routines.blocks();
    let roots: Vec<Option<BufferId>> = blocks.iter().map(|b| b.root).collect();
    assert_eq!(roots, vec![None, Some(root), Some(root)]);
    let first_info = blocks.iter().find(|b| b.id == first).unwrap();
    assert_eq!(first_info.what, "4 bytes");
    assert_eq!(
        first_info.to_string(),
        format!(
            "{first} (4 bytes) linked to {root}, allocated by client at {}; client must free it",
            here(line)
        )
    );
}

#[test]
fn freeing_a_root_frees_every_linked_block() {
    let routines = MemRoutines::new();
    let root = routines.allocate_buffer(8).unwrap();
    let parts = [
        routines.allocate_more(4, root).unwrap(),
        routines.allocate_more(4, root).unwrap(),
    ];
    let other = routines.allocate_buffer(8).unwrap();
    let other_part = routines.allocate_more(2, other).unwrap();
    assert_eq!(routines.live_blocks(), 5);

    routines.free_buffer(Some(root)).unwrap();
    assert!(!routines.is_live(root));
    for part in parts {
        assert!(!routines.is_live(part));
    }
    // Another chain is not touched.
    assert!(routines.is_live(other) && routines.is_live(other_part));
    assert_eq!(routines.live_blocks(), 2);
    routines.free_buffer(Some(other)).unwrap();
    assert_eq!(routines.live_blocks(), 0);
    assert!(routines.blocks().is_empty());
}

#[test]
fn freeing_null_is_ok_and_changes_nothing() {
    let routines = MemRoutines::new();
    let root = routines.allocate_buffer(8).unwrap();
    let part = routines.allocate_more(8, root).unwrap();
    let before = routines.blocks();
    assert_eq!(routines.free_buffer(None), Ok(()));
    assert_eq!(routines.blocks(), before);
    assert!(routines.is_live(root) && routines.is_live(part));
    assert_eq!(routines.allocations(), 2);
}

#[test]
fn a_typed_block_holds_its_value_until_take_frees_it() {
    let routines = MemRoutines::new();
    let props = vec![
        Prop {
            tag: PR_DISPLAY_NAME_W,
            value: PropValue::Unicode("Store".into()),
        },
        Prop {
            tag: PR_OBJECT_TYPE,
            value: PropValue::from_u32(1),
        },
    ];
    let array: PropArray = routines.allocate_value(props.clone()).unwrap();
    assert_eq!(routines.value(&array).unwrap(), props);
    // Reading leaves it live; a copy of the handle names the same block.
    let copy = array;
    assert_eq!(copy, array);
    assert!(routines.is_live(array.id()));
    assert_eq!(routines.blocks()[0].what, "2 property values");
    assert_eq!(BufferId::from(array), array.id());

    assert_eq!(routines.take(array).unwrap(), props);
    assert!(!routines.is_live(array.id()));
    assert_eq!(routines.live_blocks(), 0);
    // Taking again is reading a freed block: refused.
    assert_eq!(routines.take(copy), Err(MapiError::InvalidParameter));
    assert_eq!(routines.value(&copy), Err(MapiError::InvalidParameter));

    let one = routines
        .allocate_value(vec![Prop {
            tag: PR_OBJECT_TYPE,
            value: PropValue::from_u32(1),
        }])
        .unwrap();
    assert_eq!(routines.blocks()[0].what, "1 property value");
    routines.free_buffer(Some(one.id())).unwrap();
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn take_bytes_reads_a_block_and_frees_its_chain() {
    let routines = MemRoutines::new();
    let root = routines.allocate_bytes(b"wrapped").unwrap();
    let part = routines.allocate_more(3, root).unwrap();
    assert_eq!(routines.take_bytes(root).unwrap(), b"wrapped");
    assert!(!routines.is_live(root) && !routines.is_live(part));
    // A linked block is not taken on its own: reading works, freeing it is refused.
    let root = routines.allocate_buffer(1).unwrap();
    let part = routines.allocate_more(2, root).unwrap();
    assert_eq!(routines.take_bytes(part), Err(MapiError::InvalidParameter));
    assert!(routines.is_live(part) && routines.is_live(root));
}

#[test]
fn a_double_free_is_refused_and_changes_nothing() {
    let routines = MemRoutines::new();
    let freed = routines.allocate_buffer(8).unwrap();
    let kept = routines.allocate_buffer(8).unwrap();
    let kept_part = routines.allocate_more(8, kept).unwrap();
    routines.free_buffer(Some(freed)).unwrap();
    let before = routines.blocks();
    assert_eq!(
        routines.free_buffer(Some(freed)),
        Err(MapiError::InvalidParameter)
    );
    assert_eq!(routines.blocks(), before);
    assert!(routines.is_live(kept) && routines.is_live(kept_part));
    // The other chain still frees whole.
    routines.free_buffer(Some(kept)).unwrap();
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn a_linked_block_cannot_be_freed_on_its_own() {
    let routines = MemRoutines::new();
    let root = routines.allocate_buffer(8).unwrap();
    let part = routines.allocate_more(8, root).unwrap();
    assert_eq!(routines.free_buffer(Some(part)), Err(MapiError::InvalidParameter));
    assert!(routines.is_live(part) && routines.is_live(root));
    routines.write(part, 0, b"still ok").unwrap();
    // The root's free takes the part with it.
    routines.free_buffer(Some(root)).unwrap();
    assert!(!routines.is_live(part));
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn blocks_of_other_routines_are_foreign() {
    let mine = MemRoutines::new();
    let theirs = MemRoutines::new();
    assert!(!mine.same_as(&theirs));
    assert!(mine.same_as(&mine.clone()));
    assert!(!MemRoutines::default().same_as(&mine));

    let a = mine.allocate_buffer(4).unwrap();
    let b = theirs.allocate_buffer(4).unwrap();
    // Both are the first block of their heap, yet different blocks.
    assert_eq!((a.index(), b.index()), (1, 1));
    assert_ne!(a, b);
    assert!(!theirs.is_live(a) && !mine.is_live(b));

    assert_eq!(theirs.free_buffer(Some(a)), Err(MapiError::InvalidParameter));
    assert_eq!(theirs.allocate_more(4, a), Err(MapiError::InvalidParameter));
    assert_eq!(theirs.read(a), Err(MapiError::InvalidParameter));
    assert_eq!(theirs.write(a, 0, b"x"), Err(MapiError::InvalidParameter));
    // Nothing changed on either side.
    assert!(mine.is_live(a) && theirs.is_live(b));
    assert_eq!((mine.live_blocks(), theirs.live_blocks()), (1, 1));
    assert_eq!((mine.allocations(), theirs.allocations()), (1, 1));

    // A clone is the same routines: it frees what the original made.
    mine.clone().free_buffer(Some(a)).unwrap();
    assert!(!mine.is_live(a));
}

#[test]
fn allocate_more_needs_a_live_root_and_otherwise_allocates_nothing() {
    let routines = MemRoutines::new();
    let (root, part, gone) = chain_and_freed_root(&routines);
    let before = (routines.blocks(), routines.allocations());

    // On a linked block, on a freed root: refused (the default behaviour of routines outside a
    // simulator), no block made, no allocation counted.
    assert_eq!(routines.allocate_more(4, part), Err(MapiError::InvalidParameter));
    assert_eq!(routines.allocate_more(4, gone), Err(MapiError::InvalidParameter));
    assert_eq!((routines.blocks(), routines.allocations()), before);

    // The chain still frees whole.
    routines.free_buffer(Some(root)).unwrap();
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn a_freed_block_can_no_longer_be_read_or_written() {
    let routines = MemRoutines::new();
    let root = routines.allocate_bytes(b"data").unwrap();
    let part = routines.allocate_more(4, root).unwrap();
    let typed = routines.allocate_value(Vec::<Prop>::new()).unwrap();
    routines.free_buffer(Some(root)).unwrap();
    routines.free_buffer(Some(typed.id())).unwrap();

    assert_eq!(routines.read(root), Err(MapiError::InvalidParameter));
    assert_eq!(routines.read(part), Err(MapiError::InvalidParameter));
    assert_eq!(routines.write(root, 0, b"x"), Err(MapiError::InvalidParameter));
    assert_eq!(routines.write(part, 0, b"x"), Err(MapiError::InvalidParameter));
    assert_eq!(routines.value(&typed), Err(MapiError::InvalidParameter));
    assert_eq!(routines.take_bytes(root), Err(MapiError::InvalidParameter));
    // A write does not bring a block back.
    assert!(!routines.is_live(root) && !routines.is_live(part));
    assert_eq!(routines.live_blocks(), 0);
}

// ---------------------------------------------------------------------------------------------
// 2. Inside a simulator: rules, attribution, leaks
// ---------------------------------------------------------------------------------------------

#[test]
fn the_routines_handed_to_a_provider_are_the_simulators() {
    let seen: Arc<Mutex<Option<MemRoutines>>> = Arc::default();
    let keep = Arc::clone(&seen);
    let sim = wrapped_simulator(
        move |s| {
            *keep.lock().unwrap() = Some(s.get_mem_alloc_routines().unwrap());
        },
        None,
    );
    let report = run_wrapped(sim, |sim, _| {
        let seen = seen.lock().unwrap().clone().unwrap();
        assert!(seen.same_as(sim.mem_routines()));
        assert!(!MemRoutines::new().same_as(sim.mem_routines()));
    });
    report.assert_clean();
}

#[test]
fn client_misuse_of_the_simulators_routines_is_reported_as_the_clients() {
    let sim = Simulator::builder().build();
    let routines = sim.mem_routines();
    let root = routines.allocate_buffer(8).unwrap();
    let part = routines.allocate_more(4, root).unwrap();
    assert_eq!(routines.free_buffer(Some(part)), Err(MapiError::InvalidParameter));
    let (freed, line) = (routines.free_buffer(Some(root)), line!());
    freed.unwrap();
    assert_eq!(routines.free_buffer(Some(root)), Err(MapiError::InvalidParameter));
    assert_eq!(routines.read(part), Err(MapiError::InvalidParameter));
    assert_eq!(routines.allocate_more(4, root), Err(MapiError::InvalidParameter));
    let elsewhere = MemRoutines::new().allocate_buffer(4).unwrap();
    assert_eq!(
        routines.free_buffer(Some(elsewhere)),
        Err(MapiError::InvalidParameter)
    );
    routines.free_buffer(None).unwrap();
    assert_eq!(routines.live_blocks(), 0);

    let report = sim.finish();
    assert_eq!(
        report.rule_ids(),
        vec![
            "MEM-FREE-LINKED",
            "MEM-DOUBLE-FREE",
            "MEM-USE-AFTER-FREE",
            "MEM-MORE-ROOT",
            "MEM-FOREIGN-FREE"
        ]
    );
    assert!(report.violations.iter().all(|v| v.by == Party::Client));
    let messages: Vec<&str> = report.violations.iter().map(|v| v.message.as_str()).collect();
    let site = here(line);
    assert_eq!(
        messages,
        vec![
            format!(
                "client called MAPIFreeBuffer on {part}, which MAPIAllocateMore linked to {root}: only its root \
                 is freed"
            ),
            format!("client called MAPIFreeBuffer on {root} (8 bytes), which client already freed at {site}"),
            format!("client used {part} (4 bytes) after client freed it at {site}"),
            format!(
                "client called MAPIAllocateMore on {root} (8 bytes), which client already freed at {site}; the \
                 call fails"
            ),
            format!("client called MAPIFreeBuffer on {elsewhere}, which these routines never allocated"),
        ]
    );
    // The client's calls of the routines are in the trace, answered as they were.
    let frees = report.trace().calls_of("MAPIFreeBuffer");
    assert_eq!(
        frees.len(),
        4,
        "NULL is not a call worth tracing:\n{}",
        report.trace()
    );
    let text = report.trace().text();
    assert!(
        text.contains("client -> MAPI: MAPIAllocateBuffer(8) = S_OK; buffer 1"),
        "{text}"
    );
    assert!(
        text.contains("client -> MAPI: MAPIAllocateMore(4, buffer 1) = S_OK; buffer 2"),
        "{text}"
    );
    assert!(
        text.contains("client -> MAPI: MAPIFreeBuffer(buffer 1) = S_OK; with 1 linked block(s)"),
        "{text}"
    );
    assert!(
        text.contains("MAPIFreeBuffer(buffer 2) = MAPI_E_INVALID_PARAMETER"),
        "{text}"
    );
}

#[test]
fn a_buffer_the_client_never_frees_is_a_mem_leak_naming_owner_and_site() {
    let sim = Simulator::builder().build();
    let routines = sim.mem_routines();
    let (root, line) = (routines.allocate_buffer(16).unwrap(), line!());
    let part = routines.allocate_more(4, root).unwrap();
    let freed = routines.allocate_buffer(2).unwrap();
    routines.free_buffer(Some(freed)).unwrap();
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["MEM-LEAK"]);
    let leak = only(&report, &rules::MEM_LEAK);
    assert_eq!(leak.by, Party::Client);
    // One entry per chain: the linked block goes with its root.
    assert_eq!(
        leak.message,
        format!(
            "1 MAPI buffer(s) that client must free are still live at the end:\n  {root} (16 bytes), \
             allocated by client at {}; client must free it",
            here(line)
        )
    );
    assert!(!leak.message.contains(&part.to_string()));
}

#[test]
fn misuse_inside_provider_code_is_reported_by_the_providers_dll() {
    let report = with_probe(|s| {
        let r = s.get_mem_alloc_routines().unwrap();
        let root = r.allocate_buffer(8).unwrap();
        let part = r.allocate_more(8, root).unwrap();
        assert_eq!(r.free_buffer(Some(part)), Err(MapiError::InvalidParameter));
        assert_eq!(r.allocate_more(8, part), Err(MapiError::InvalidParameter));
        r.free_buffer(Some(root)).unwrap();
        assert_eq!(r.free_buffer(Some(root)), Err(MapiError::InvalidParameter));
        assert_eq!(r.read(root), Err(MapiError::InvalidParameter));
        let elsewhere = MemRoutines::new().allocate_buffer(8).unwrap();
        assert_eq!(r.free_buffer(Some(elsewhere)), Err(MapiError::InvalidParameter));
    });
    assert_eq!(
        report.rule_ids(),
        vec![
            "MEM-FREE-LINKED",
            "MEM-MORE-ROOT",
            "MEM-DOUBLE-FREE",
            "MEM-USE-AFTER-FREE",
            "MEM-FOREIGN-FREE"
        ]
    );
    for v in &report.violations {
        assert_eq!(v.by, sample_dll(), "{v}");
        assert!(v.message.starts_with("SMPMS32.DLL "), "{v}");
    }
    // The misuse was refused: the logon went on, and nothing leaked.
    assert!(!report.fired(&rules::MEM_LEAK));
    assert!(report.leaks.is_empty());
    let text = report.trace().text();
    assert!(
        text.contains("SMPMS32.DLL -> MAPI: MAPIAllocateMore(8, buffer 2) = MAPI_E_INVALID_PARAMETER"),
        "{text}"
    );
}

#[test]
fn strict_mode_stops_at_the_first_memory_misuse() {
    let sim = Simulator::builder().strict(true).build();
    let routines = sim.mem_routines().clone();
    let root = routines.allocate_buffer(8).unwrap();
    routines.free_buffer(Some(root)).unwrap();
    let outcome = catch_unwind(AssertUnwindSafe(|| routines.free_buffer(Some(root))));
    let payload = outcome.expect_err("strict mode panics at a double free");
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(message.starts_with(STRICT_PANIC_PREFIX), "{message}");
    assert!(message.contains("MEM-DOUBLE-FREE"), "{message}");
    // The heap is still usable afterwards: the panic came with no lock held.
    let next = routines.allocate_buffer(1).unwrap();
    routines.free_buffer(Some(next)).unwrap();
}

#[test]
fn the_sample_and_the_defect_free_zoo_leave_no_buffer_behind() {
    for behavior in [
        Behavior::default(),
        Behavior::default().with_allocate_more_misuse(AllocateMoreMisuse::NewRoot),
    ] {
        let sim = builder(Defect::None).behavior(behavior).build();
        run_lifecycle(&sim);
        assert!(sim.mem_routines().allocations() >= 4);
        assert_eq!(sim.mem_routines().live_blocks(), 0);
        sim.finish().assert_clean();
    }
    let sim = quickstart_simulator(FaultPlan::new());
    assert!(quickstart_client(&sim).is_empty());
    assert_eq!(sim.mem_routines().live_blocks(), 0);
    sim.finish().assert_clean();
}

#[test]
fn a_profile_property_array_never_freed_is_the_providers_leak() {
    let (report, leak) = zoo_only(Defect::LeaksProfileProps, &rules::MEM_LEAK);
    let m = &leak.message;
    assert!(
        m.starts_with("1 MAPI buffer(s) that ZOO32.DLL must free are still live at the end:\n"),
        "{m}"
    );
    // MAPI allocated it to answer GetProps; it was handed to the provider, who must free it.
    assert!(
        m.contains("property values), allocated by MAPI at MAPI's GetProps (event #"),
        "{m}"
    );
    assert!(m.contains(", the result of GetProps on IProfSect#"), "{m}");
    assert!(m.ends_with("; ZOO32.DLL must free it"), "{m}");
    assert!(report.leaks.is_empty());
}

#[test]
fn a_wrapped_entry_id_never_freed_is_the_providers_leak() {
    let (_, leak) = zoo_only(Defect::LeaksWrappedId, &rules::MEM_LEAK);
    let m = &leak.message;
    assert!(
        m.contains("bytes), allocated by MAPI at MAPI's WrapStoreEntryID (event #"),
        "{m}"
    );
    assert!(
        m.ends_with(", the wrapped store entry ID from WrapStoreEntryID; ZOO32.DLL must free it"),
        "{m}"
    );
}

#[test]
fn a_double_free_by_the_provider_names_where_it_was_first_freed() {
    let (_, v) = zoo_only(Defect::DoubleFree, &rules::MEM_DOUBLE_FREE);
    let first = zoo_site(
        "Defect::DoubleFree =>",
        "let bytes = self.routines.take_bytes(wrapped_buffer)?;",
    );
    assert!(
        v.message
            .starts_with("ZOO32.DLL called MAPIFreeBuffer on buffer "),
        "{}",
        v.message
    );
    assert!(
        v.message
            .ends_with(&format!("bytes), which ZOO32.DLL already freed at {first}")),
        "{}",
        v.message
    );
}

#[test]
fn a_read_after_free_by_the_provider_is_refused_and_reported() {
    let (_, v) = zoo_only(Defect::UseAfterFree, &rules::MEM_USE_AFTER_FREE);
    let freed_at = zoo_site(
        "Defect::UseAfterFree =>",
        "self.routines.free_buffer(Some(wrapped_buffer))?;",
    );
    assert!(
        v.message
            .ends_with(&format!("bytes) after ZOO32.DLL freed it at {freed_at}")),
        "{}",
        v.message
    );
}

#[test]
fn a_linked_block_freed_alone_is_refused_and_the_chain_still_frees_whole() {
    // MEM-FREE-LINKED alone: the root's free took the part, nothing leaked.
    let (report, v) = zoo_only(Defect::FreesLinkedBlock, &rules::MEM_FREE_LINKED);
    assert!(
        v.message.contains(", which MAPIAllocateMore linked to buffer "),
        "{}",
        v.message
    );
    // The root's free that follows takes the part with it.
    let text = report.trace().text();
    assert!(
        text.lines()
            .any(|l| l.contains("ZOO32.DLL -> MAPI: MAPIFreeBuffer(buffer ")
                && l.ends_with(") = S_OK; with 1 linked block(s)")),
        "{text}"
    );
}

#[test]
fn freeing_a_foreign_block_is_mem_foreign_free() {
    let (_, v) = zoo_only(Defect::ForeignFree, &rules::MEM_FOREIGN_FREE);
    assert!(
        v.message
            .starts_with("ZOO32.DLL called MAPIFreeBuffer on buffer ")
            && v.message.ends_with(", which these routines never allocated"),
        "{}",
        v.message
    );
}

#[test]
fn a_foreign_spool_security_blob_is_mem_out_root_and_mapi_takes_nothing() {
    let sim = simulator(Defect::ForeignSpoolBlob);
    run_lifecycle(&sim);
    assert_eq!(sim.mem_routines().live_blocks(), 0);
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["MEM-OUT-ROOT"]);
    let v = only(&report, &rules::MEM_OUT_ROOT);
    assert_eq!(v.by, zoo_dll());
    assert!(
        v.message
            .contains(", which these routines never allocated as the spool-security blob of IMsgStore#"),
        "{}",
        v.message
    );
    assert_eq!(v.objects.len(), 1, "the store is named");
    assert!(report.leaks.is_empty());
}

#[test]
fn a_linked_spool_security_blob_is_mem_out_root_and_its_root_stays_the_providers() {
    let report = zoo_report(Defect::LinkedSpoolBlob, Behavior::default());
    // MAPI refuses a linked block: it cannot free it with one MAPIFreeBuffer. The provider's
    // root, which nobody was given, is still live at the end: the provider's leak, with its line.
    assert_eq!(report.rule_ids(), vec!["MEM-OUT-ROOT", "MEM-LEAK"]);
    let out = only(&report, &rules::MEM_OUT_ROOT);
    assert_eq!(out.by, zoo_dll());
    assert!(
        out.message.contains(", which MAPIAllocateMore linked to buffer ")
            && out.message.contains(" as the spool-security blob of IMsgStore#"),
        "{}",
        out.message
    );
    let leak = only(&report, &rules::MEM_LEAK);
    assert_eq!(leak.by, zoo_dll());
    let root_site = zoo_site(
        "Defect::LinkedSpoolBlob =>",
        "let root = self.routines.allocate_buffer(4)?;",
    );
    assert!(
        leak.message
            .starts_with("1 MAPI buffer(s) that ZOO32.DLL must free"),
        "{}",
        leak.message
    );
    assert!(
        leak.message.ends_with(&format!(
            " (4 bytes), allocated by ZOO32.DLL at {root_site}; ZOO32.DLL must free it"
        )),
        "{}",
        leak.message
    );
    // No object leaked.
    assert!(report.leaks.is_empty());
}

#[test]
fn freeing_a_blob_handed_to_mapi_is_mem_not_owner_and_frees_it_anyway() {
    let sim = simulator(Defect::FreesHandedBlob);
    zoo::zoo_profile(&sim, "Zoo");
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Zoo", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    sim.spooler().run_until_idle();
    // While the store is open, MAPI owns the blob.
    let blob = sim.mem_routines().blocks().pop().unwrap();
    assert_eq!(
        (blob.allocated_by.clone(), blob.owner.clone()),
        (zoo_dll(), Party::Mapi)
    );
    assert!(
        blob.purpose
            .as_deref()
            .unwrap()
            .starts_with("the spool-security blob of IMsgStore#")
    );
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    // The provider freed it in StoreLogoff: the free went through.
    assert!(!sim.mem_routines().is_live(blob.id));
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    // Nothing else: MAPI's own release of the blob at teardown finds it gone and is quiet.
    assert_eq!(report.rule_ids(), vec!["MEM-NOT-OWNER"]);
    let v = only(&report, &rules::MEM_NOT_OWNER);
    assert_eq!(v.by, zoo_dll());
    assert!(
        v.message.starts_with(&format!(
            "ZOO32.DLL freed {}, which was handed to MAPI as the spool-security blob of IMsgStore#",
            blob.id
        )),
        "{}",
        v.message
    );
    assert!(
        v.message.ends_with(": MAPI frees it and may still use it"),
        "{}",
        v.message
    );
}

#[test]
fn the_spool_security_blob_belongs_to_mapi_until_the_logon_ends() {
    let sim = quickstart_simulator(FaultPlan::new());
    sim.profiles().create_default("Default").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    let blocks = sim.mem_routines().blocks();
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let blob: &BlockInfo = &blocks[0];
    assert_eq!(blob.allocated_by, sample_dll());
    assert_eq!(blob.owner, Party::Mapi);
    assert_eq!(blob.root, None);
    let store_label = store.label().unwrap();
    assert_eq!(
        blob.purpose.as_deref(),
        Some(format!("the spool-security blob of {store_label}").as_str())
    );
    let AllocationSite::Code(at) = blob.site else {
        panic!("the sample allocated it: {:?}", blob.site)
    };
    assert_eq!(at.file(), "src/sample/mod.rs");
    assert!(blob.to_string().ends_with("; MAPI must free it"), "{blob}");

    sim.spooler().run_until_idle();
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    // The logon ended with the store's final release: MAPI freed the blob.
    assert_eq!(sim.mem_routines().live_blocks(), 0);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

// ---------------------------------------------------------------------------------------------
// 3. MAPIAllocateMore on a bad root: fail, or a new root
// ---------------------------------------------------------------------------------------------

#[test]
fn failing_is_the_default_answer_to_allocate_more_on_a_bad_root() {
    assert_eq!(AllocateMoreMisuse::default(), AllocateMoreMisuse::Fail);
    assert_eq!(Behavior::default().allocate_more_misuse, AllocateMoreMisuse::Fail);
    assert_eq!(
        Behavior::default()
            .with_allocate_more_misuse(AllocateMoreMisuse::NewRoot)
            .allocate_more_misuse,
        AllocateMoreMisuse::NewRoot
    );
    assert_eq!(
        Simulator::builder().build().behavior().allocate_more_misuse,
        AllocateMoreMisuse::Fail
    );
}

#[test]
fn the_strict_allocate_more_answers_an_error_and_allocates_nothing() {
    let sim = Simulator::builder().build();
    let routines = sim.mem_routines();
    let (root, part, gone) = chain_and_freed_root(routines);
    let before = (routines.blocks(), routines.allocations());
    assert_eq!(routines.allocate_more(8, gone), Err(MapiError::InvalidParameter));
    assert_eq!(routines.allocate_more(8, part), Err(MapiError::InvalidParameter));
    assert_eq!((routines.blocks(), routines.allocations()), before);
    routines.free_buffer(Some(root)).unwrap();
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["MEM-MORE-ROOT"]);
    assert_eq!(report.count(&rules::MEM_MORE_ROOT), 2);
    assert!(report.violations[0].message.ends_with("; the call fails"));
    assert!(
        report.violations[1].message.ends_with(&format!(
            "client called MAPIAllocateMore on {part}, which MAPIAllocateMore linked to {root}; link to the \
             root; the call fails"
        )),
        "{}",
        report.violations[1].message
    );
}

/// A simulator whose `MAPIAllocateMore` makes a new root of a bad one.
fn compatible() -> Simulator {
    Simulator::builder()
        .behavior(Behavior::default().with_allocate_more_misuse(AllocateMoreMisuse::NewRoot))
        .build()
}

#[test]
fn the_compatible_allocate_more_makes_a_new_root_the_caller_must_free() {
    // Freed by the caller: the misuse is reported, nothing leaks.
    let sim = compatible();
    let routines = sim.mem_routines();
    let root = routines.allocate_buffer(8).unwrap();
    let part = routines.allocate_more(8, root).unwrap();
    let allocations = routines.allocations();
    let fresh = routines.allocate_more(4, part).unwrap();
    assert_eq!(routines.allocations(), allocations + 1);
    let info = routines.blocks().into_iter().find(|b| b.id == fresh).unwrap();
    assert_eq!((info.root, info.what.as_str()), (None, "4 bytes"));
    // Not linked to anything: the root's free leaves it.
    routines.free_buffer(Some(root)).unwrap();
    assert!(routines.is_live(fresh));
    routines.free_buffer(Some(fresh)).unwrap();
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["MEM-MORE-ROOT"]);
    assert!(
        report.violations[0]
            .message
            .ends_with("; MAPI makes a new root block instead"),
        "{}",
        report.violations[0].message
    );

    // Not freed: the new root leaks, and the leak names the MAPIAllocateMore call.
    let sim = compatible();
    let routines = sim.mem_routines();
    let root = routines.allocate_buffer(8).unwrap();
    routines.free_buffer(Some(root)).unwrap();
    let (fresh, line) = (routines.allocate_more(4, root).unwrap(), line!());
    let report = sim.finish();
    assert_eq!(report.rule_ids(), vec!["MEM-MORE-ROOT", "MEM-LEAK"]);
    let leak = only(&report, &rules::MEM_LEAK);
    assert_eq!(leak.by, Party::Client);
    assert!(
        leak.message.ends_with(&format!(
            "{fresh} (4 bytes), allocated by client at {}; client must free it",
            here(line)
        )),
        "{}",
        leak.message
    );
}

#[test]
fn the_compatible_allocate_more_counts_its_allocation_for_the_fault_plan() {
    let sim = Simulator::builder()
        .behavior(Behavior::default().with_allocate_more_misuse(AllocateMoreMisuse::NewRoot))
        .fault_plan(FaultPlan::new().fail_allocation(2))
        .build();
    let routines = sim.mem_routines();
    let root = routines.allocate_buffer(8).unwrap();
    routines.free_buffer(Some(root)).unwrap();
    assert_eq!(routines.allocate_more(4, root), Err(MapiError::NotEnoughMemory));
    assert_eq!((routines.allocations(), routines.live_blocks()), (2, 0));
    // The misuse is reported all the same.
    assert_eq!(sim.finish().rule_ids(), vec!["MEM-MORE-ROOT"]);
}

#[test]
fn a_provider_allocating_more_on_a_freed_root_fails_or_leaks_by_the_behaviour() {
    let more = zoo_site("Defect::MoreOnFreed =>", "let _ = r.allocate_more(8, root);");
    let freed = zoo_site("Defect::MoreOnFreed =>", "r.free_buffer(Some(root))?;");

    let strict = zoo_report(Defect::MoreOnFreed, Behavior::default());
    assert_eq!(strict.rule_ids(), vec!["MEM-MORE-ROOT"]);
    let v = only(&strict, &rules::MEM_MORE_ROOT);
    assert_eq!(v.by, zoo_dll());
    assert!(
        v.message.ends_with(&format!(
            "(8 bytes), which ZOO32.DLL already freed at {freed}; the call fails"
        )),
        "{}",
        v.message
    );

    let compatible = zoo_report(
        Defect::MoreOnFreed,
        Behavior::default().with_allocate_more_misuse(AllocateMoreMisuse::NewRoot),
    );
    assert_eq!(compatible.rule_ids(), vec!["MEM-MORE-ROOT", "MEM-LEAK"]);
    let leak = only(&compatible, &rules::MEM_LEAK);
    assert_eq!(leak.by, zoo_dll());
    assert!(
        leak.message.ends_with(&format!(
            " (8 bytes), allocated by ZOO32.DLL at {more}; ZOO32.DLL must free it"
        )),
        "{}",
        leak.message
    );
}

// ---------------------------------------------------------------------------------------------
// 4. The fault plan
// ---------------------------------------------------------------------------------------------

#[test]
fn the_fault_plan_fails_exactly_the_allocations_it_names_counting_from_one() {
    let plan = FaultPlan::new().fail_allocation(4).fail_allocation(1);
    assert_eq!(plan.failing().collect::<Vec<_>>(), vec![1, 4]);
    assert_eq!(FaultPlan::new().failing().count(), 0);

    let sim = Simulator::builder().fault_plan(plan).build();
    let routines = sim.mem_routines();
    assert_eq!(routines.allocate_buffer(8), Err(MapiError::NotEnoughMemory));
    assert_eq!(routines.live_blocks(), 0);
    let root = routines.allocate_bytes(b"two").unwrap();
    let part = routines.allocate_more(4, root).unwrap();
    // The fourth allocation, a MAPIAllocateMore: it fails and links nothing.
    assert_eq!(routines.allocate_more(4, root), Err(MapiError::NotEnoughMemory));
    assert_eq!(routines.live_blocks(), 2);
    // Failed allocations are counted; later ones succeed.
    assert_eq!(routines.allocations(), 4);
    let typed = routines.allocate_value(Vec::<Prop>::new()).unwrap();
    assert_eq!(routines.allocations(), 5);
    routines.free_buffer(Some(typed.id())).unwrap();
    routines.free_buffer(Some(root)).unwrap();
    assert!(!routines.is_live(part));

    // A failure is an answer, not a violation; the trace says which allocation the plan failed.
    let report = sim.finish();
    report.assert_clean();
    let text = report.trace().text();
    assert!(
        text.contains(
            "the fault plan fails allocation 1 (MAPIAllocateBuffer(8)) with MAPI_E_NOT_ENOUGH_MEMORY"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "the fault plan fails allocation 4 (MAPIAllocateMore(4)) with MAPI_E_NOT_ENOUGH_MEMORY"
        ),
        "{text}"
    );
    assert!(
        text.contains("client -> MAPI: MAPIAllocateMore(4, buffer 1) = MAPI_E_NOT_ENOUGH_MEMORY"),
        "{text}"
    );
}

#[test]
fn every_allocation_of_the_quickstart_can_fail_without_leaking() {
    // The scenario once without faults: how many allocations it makes.
    let sim = quickstart_simulator(FaultPlan::new());
    assert_eq!(quickstart_client(&sim), Vec::new());
    let n_allocations = sim.mem_routines().allocations();
    assert!(
        n_allocations >= 4,
        "the quickstart allocates {n_allocations} time(s)"
    );
    sim.finish().assert_clean();

    let mut seen: Vec<(u64, Vec<(&'static str, MapiError)>)> = Vec::new();
    for n in 1..=n_allocations {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let sim = quickstart_simulator(FaultPlan::new().fail_allocation(n));
            let errors = quickstart_client(&sim);
            let allocations = sim.mem_routines().allocations();
            (errors, allocations, sim.finish())
        }));
        let Ok((errors, allocations, report)) = outcome else {
            panic!("the quickstart panicked when allocation {n} failed");
        };
        assert!(allocations >= n, "allocation {n} was never asked for");
        // The sample handles the failure: no rule broken, no buffer or object left, every
        // LoadLibrary paired.
        assert!(
            report.is_clean(),
            "allocation {n} failed: {errors:?}\n{}",
            report.account()
        );
        assert!(!report.fired(&rules::MEM_LEAK));
        assert!(report.leaks.is_empty(), "allocation {n}: {}", report.leaks);
        assert!(report.loads.unpaired().is_empty(), "allocation {n}");
        assert!(
            report
                .trace()
                .text()
                .contains(&format!("the fault plan fails allocation {n} ")),
            "allocation {n}:\n{}",
            report.trace()
        );
        // What reaches the client is the failure itself, passed on unchanged.
        for (step, error) in &errors {
            assert_eq!(
                *error,
                MapiError::NotEnoughMemory,
                "allocation {n}: {step} failed with {error}"
            );
        }
        seen.push((n, errors));
    }
    // The failure was visible: at least one failed allocation made OpenMsgStore fail.
    assert!(
        seen.iter()
            .any(|(_, errors)| errors.contains(&("OpenMsgStore", MapiError::NotEnoughMemory))),
        "{seen:?}"
    );
}

#[test]
fn a_failed_allocation_in_get_props_reaches_the_client() {
    // How many allocations opening the store takes.
    let opened = {
        let sim = quickstart_simulator(FaultPlan::new());
        sim.profiles().create_default("Default").unwrap();
        let mapi = sim.initialize(InitFlags::empty()).unwrap();
        let session = mapi.logon_ex("Default", LogonFlags::EXTENDED).unwrap();
        let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
        let n = sim.mem_routines().allocations();
        drop(store);
        session.logoff(SessionLogoffFlags::empty()).unwrap();
        mapi.uninitialize().unwrap();
        n
    };
    let sim = quickstart_simulator(FaultPlan::new().fail_allocation(opened + 1));
    sim.profiles().create_default("Default").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    let before = sim.mem_routines().blocks();
    assert_eq!(
        store.get_props(None).map(Warned::into_value),
        Err(MapiError::NotEnoughMemory)
    );
    assert_eq!(sim.mem_routines().blocks(), before);
    // The next call succeeds.
    assert!(!store.get_props(None).unwrap().into_value().is_empty());
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn a_provider_that_leaks_when_an_allocation_fails_is_caught_by_the_fault_loop() {
    let sim = simulator(Defect::LeakOnAllocFailure);
    run_lifecycle(&sim);
    let n_allocations = sim.mem_routines().allocations();
    // Without faults it frees what it allocates.
    sim.finish().assert_clean();

    let scratch = zoo_site(
        "Defect::LeakOnAllocFailure =>",
        "let scratch = r.allocate_buffer(16)?;",
    );
    let mut leaking = Vec::new();
    for n in 1..=n_allocations {
        let sim = builder(Defect::LeakOnAllocFailure)
            .fault_plan(FaultPlan::new().fail_allocation(n))
            .build();
        run_lifecycle(&sim);
        let report = sim.finish();
        // Whatever fails, nothing but the provider's own leak is reported.
        assert!(
            report.rule_ids().iter().all(|id| *id == "MEM-LEAK"),
            "allocation {n}:\n{}",
            report.account()
        );
        assert!(report.loads.unpaired().is_empty(), "allocation {n}");
        if report.fired(&rules::MEM_LEAK) {
            let leak = only(&report, &rules::MEM_LEAK);
            assert_eq!(leak.by, zoo_dll());
            assert!(
                leak.message.ends_with(&format!(
                    " (16 bytes), allocated by ZOO32.DLL at {scratch}; ZOO32.DLL must free it"
                )),
                "{}",
                leak.message
            );
            leaking.push(n);
        }
    }
    // The failure of the linked part (the allocation after the scratch root) leaks the root.
    assert_eq!(leaking.len(), 1, "{leaking:?}");
}

// ---------------------------------------------------------------------------------------------
// 5. Buffers a client's calls receive
// ---------------------------------------------------------------------------------------------

#[test]
fn a_client_reading_store_properties_gets_values_and_holds_no_buffer() {
    let sim = quickstart_simulator(FaultPlan::new());
    sim.profiles().create_default("Default").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED).unwrap();
    let store = open_default(&session, OpenStoreFlags::WRITE).unwrap();
    let before = sim.mem_routines().blocks();
    let allocations = sim.mem_routines().allocations();

    let all = store.get_props(None).unwrap();
    assert_eq!(all.warning(), None);
    let bag: PropBag = all.into_value().into_iter().collect();
    assert_eq!(bag.get_uid(PR_MDB_PROVIDER), Some(SAMPLE_MDB_PROVIDER));
    assert_eq!(bag.get_u32(PR_OBJECT_TYPE), Some(ObjectType::Store.value()));
    assert!(bag.get_str(PR_DISPLAY_NAME_W).is_some());
    // The store allocated the array, the handle took it and freed it.
    assert_eq!(sim.mem_routines().allocations(), allocations + 1);
    assert_eq!(sim.mem_routines().blocks(), before);

    // A missing property: a PT_ERROR value and the warning, and still no buffer left.
    let missing = PropTag(0x6700_001F);
    let some = store.get_props(Some(&[PR_STORE_ENTRYID, missing])).unwrap();
    assert_eq!(some.warning(), Some(MapiWarning::ErrorsReturned));
    let values = some.into_value();
    assert_eq!(values.len(), 2);
    assert_eq!(values[1].value, PropValue::Error(MapiError::NotFound));
    assert_eq!(values[0].value, PropValue::Binary(store.entry_id().unwrap()));
    assert_eq!(sim.mem_routines().blocks(), before);

    let text = sim.trace().text();
    assert!(
        text.contains(&format!(
            "client -> {}: GetProps(all) = S_OK; 8 property values in buffer",
            store.label().unwrap()
        )),
        "{text}"
    );
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    drop(session);
    mapi.uninitialize().unwrap();
    sim.finish().assert_clean();
}

#[test]
fn get_last_error_of_the_sample_answers_no_support_and_allocates_nothing() {
    let report = run_wrapped(wrapped_simulator(|_| {}, None), |sim, store| {
        let allocations = sim.mem_routines().allocations();
        assert_eq!(
            store.get_last_error(MapiError::CallFailed),
            Err(MapiError::NoSupport)
        );
        assert_eq!(sim.mem_routines().allocations(), allocations);
    });
    report.assert_clean();
    assert_eq!(report.trace().calls_of("GetLastError").len(), 1);
}

#[test]
fn a_mapierror_crosses_to_the_client_and_its_buffer_is_freed() {
    let report = run_wrapped(wrapped_simulator(|_| {}, Some(LastError::Info)), |sim, store| {
        let before = sim.mem_routines().blocks();
        let info = store.get_last_error(MapiError::NotFound).unwrap();
        assert_eq!(info, Some(error_info(MapiError::NotFound)));
        assert_eq!(sim.mem_routines().blocks(), before);
        let text = sim.trace().text();
        assert!(text.contains("GetLastError(MAPI_E_NOT_FOUND"), "{text}");
        assert!(text.contains("= S_OK; a MAPIERROR in buffer"), "{text}");
    });
    report.assert_clean();

    let report = run_wrapped(wrapped_simulator(|_| {}, Some(LastError::Nothing)), |_, store| {
        assert_eq!(store.get_last_error(MapiError::NotFound), Ok(None));
    });
    report.assert_clean();
}

#[test]
fn a_mapierror_in_a_buffer_that_is_not_a_live_root_is_mem_out_root() {
    let report = run_wrapped(
        wrapped_simulator(|_| {}, Some(LastError::FreedBuffer)),
        |sim, store| {
            assert_eq!(
                store.get_last_error(MapiError::NotFound),
                Err(MapiError::CallFailed)
            );
            assert_eq!(sim.mem_routines().live_blocks(), 1, "the spool blob only");
        },
    );
    assert_eq!(report.rule_ids(), vec!["MEM-OUT-ROOT"]);
    let v = only(&report, &rules::MEM_OUT_ROOT);
    assert_eq!(v.by, sample_dll());
    // Where the wrapped store freed it.
    let source = include_str!("mapi_memory.rs");
    let hint = "self.routines.free_buffer(Some(buffer.id()))?;";
    let line = source.lines().position(|l| l.trim() == hint).unwrap() + 1;
    assert!(
        v.message.contains(&format!(
            "(a MAPIERROR), which SMPMS32.DLL already freed at {} as the MAPIERROR of GetLastError",
            here(u32::try_from(line).unwrap())
        )),
        "{}",
        v.message
    );

    let report = run_wrapped(
        wrapped_simulator(|_| {}, Some(LastError::ForeignBuffer)),
        |_, store| {
            assert_eq!(
                store.get_last_error(MapiError::NotFound),
                Err(MapiError::CallFailed)
            );
        },
    );
    assert_eq!(report.rule_ids(), vec!["MEM-OUT-ROOT"]);
    let v = only(&report, &rules::MEM_OUT_ROOT);
    assert!(
        v.message
            .contains(", which these routines never allocated as the MAPIERROR of GetLastError"),
        "{}",
        v.message
    );
}

// ---------------------------------------------------------------------------------------------
// The routines on a host backend
// ---------------------------------------------------------------------------------------------

/// A host heap standing for MAPI's own routines: blocks at made-up addresses, each root with the
/// blocks linked to it, and every call recorded.
#[derive(Default)]
struct HostHeap {
    state: Mutex<HostState>,
}

#[derive(Default)]
struct HostState {
    next: usize,
    blocks: std::collections::BTreeMap<usize, Vec<u8>>,
    linked: std::collections::BTreeMap<usize, Vec<usize>>,
    calls: Vec<String>,
    values: usize,
}

impl HostHeap {
    fn calls(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.clone()
    }

    fn live(&self) -> usize {
        self.state.lock().unwrap().blocks.len()
    }

    fn bytes(&self, address: usize) -> Option<Vec<u8>> {
        self.state.lock().unwrap().blocks.get(&address).cloned()
    }

    fn new_block(st: &mut HostState, size: u32) -> usize {
        st.next += 0x100;
        let address = 0x1_0000 + st.next;
        st.blocks.insert(address, vec![0xCD; size as usize]);
        address
    }
}

impl MemBackend for HostHeap {
    fn allocate_buffer(&self, size: u32) -> MapiResult<usize> {
        let mut st = self.state.lock().unwrap();
        let address = HostHeap::new_block(&mut st, size);
        st.calls
            .push(format!("MAPIAllocateBuffer({size}) = {address:#x}"));
        st.linked.insert(address, Vec::new());
        Ok(address)
    }

    fn allocate_more(&self, size: u32, root: usize) -> MapiResult<usize> {
        let mut st = self.state.lock().unwrap();
        if !st.linked.contains_key(&root) {
            return Err(MapiError::InvalidParameter);
        }
        let address = HostHeap::new_block(&mut st, size);
        st.calls
            .push(format!("MAPIAllocateMore({size}, {root:#x}) = {address:#x}"));
        st.linked.entry(root).or_default().push(address);
        Ok(address)
    }

    fn free_buffer(&self, address: usize) -> MapiResult<()> {
        let mut st = self.state.lock().unwrap();
        st.calls.push(format!("MAPIFreeBuffer({address:#x})"));
        let linked = st.linked.remove(&address).ok_or(MapiError::InvalidParameter)?;
        for part in linked {
            st.blocks.remove(&part);
        }
        st.blocks.remove(&address);
        Ok(())
    }

    fn write(&self, address: usize, offset: usize, bytes: &[u8]) -> MapiResult<()> {
        let mut st = self.state.lock().unwrap();
        let block = st.blocks.get_mut(&address).ok_or(MapiError::InvalidParameter)?;
        block[offset..offset + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    fn read(&self, address: usize, len: usize) -> MapiResult<Vec<u8>> {
        let st = self.state.lock().unwrap();
        let block = st.blocks.get(&address).ok_or(MapiError::InvalidParameter)?;
        Ok(block[..len].to_vec())
    }

    fn allocate_value(&self, value: &dyn std::any::Any) -> MapiResult<Option<usize>> {
        // Lays out property arrays only (one made-up byte per value), as a shim would in C.
        let Some(props) = value.downcast_ref::<Vec<Prop>>() else {
            return Ok(None);
        };
        let size = u32::try_from(props.len()).unwrap();
        let address = self.allocate_buffer(size)?;
        self.state.lock().unwrap().values += 1;
        Ok(Some(address))
    }
}

#[test]
fn routines_on_a_backend_keep_the_bytes_in_the_hosts_memory_and_the_account_in_theirs() {
    let host = Arc::new(HostHeap::default());
    let routines = MemRoutines::with_backend(host.clone());
    assert!(routines.has_backend());
    let root = routines.allocate_bytes(b"spool").unwrap();
    let address = routines.address(root).unwrap();
    // The bytes are in the host's block, not a copy of it.
    assert_eq!(host.bytes(address).unwrap(), b"spool");
    assert_eq!(routines.block_at(address), Some(root));
    let part = routines.allocate_more(4, root).unwrap();
    let part_address = routines.address(part).unwrap();
    assert_eq!(
        host.bytes(part_address).unwrap(),
        [0, 0, 0, 0],
        "the routines zero a block"
    );
    routines.write(part, 0, b"MAPI").unwrap();
    assert_eq!(host.bytes(part_address).unwrap(), b"MAPI");
    assert_eq!(routines.read(part).unwrap(), b"MAPI");
    // Writing past the end is refused before the host sees it.
    assert_eq!(routines.write(part, 2, b"xyz"), Err(MapiError::InvalidParameter));
    assert_eq!(host.bytes(part_address).unwrap(), b"MAPI");
    // A linked block is not freed on its own: refused, nothing freed on the host.
    assert_eq!(routines.free_buffer(Some(part)), Err(MapiError::InvalidParameter));
    assert_eq!(host.live(), 2);
    routines.free_buffer(Some(root)).unwrap();
    assert_eq!(host.live(), 0);
    // A second free is refused by the account; the host is not asked again.
    assert_eq!(routines.free_buffer(Some(root)), Err(MapiError::InvalidParameter));
    let frees = host
        .calls()
        .iter()
        .filter(|c| c.starts_with("MAPIFreeBuffer"))
        .count();
    assert_eq!(frees, 1, "{:?}", host.calls());
    assert_eq!(
        host.calls()[..2],
        [
            format!("MAPIAllocateBuffer(5) = {address:#x}"),
            format!("MAPIAllocateMore(4, {address:#x}) = {part_address:#x}"),
        ]
    );
    // A simulated heap's block has no host address.
    let simulated = MemRoutines::new();
    let block = simulated.allocate_bytes(b"x").unwrap();
    assert_eq!(simulated.address(block), None);
    assert!(!simulated.has_backend());
}

#[test]
fn a_typed_value_is_laid_out_by_the_backend_when_it_can() {
    let host = Arc::new(HostHeap::default());
    let routines = MemRoutines::with_backend(host.clone());
    let props = routines
        .allocate_value(vec![Prop {
            tag: PR_OBJECT_TYPE,
            value: PropValue::from_u32(1),
        }])
        .unwrap();
    assert!(routines.address(props.id()).is_some());
    assert_eq!(routines.value(&props).unwrap().len(), 1);
    let error = routines.allocate_value(error_info(MapiError::NoSupport)).unwrap();
    assert_eq!(
        routines.address(error.id()),
        None,
        "the backend left MAPIERROR to the Rust side"
    );
    routines.take(props).unwrap();
    routines.take(error).unwrap();
    assert_eq!(host.live(), 0);
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn the_sample_on_the_hosts_routines_runs_clean_and_frees_every_host_block() {
    let host = Arc::new(HostHeap::default());
    let sim = zoo::sample_builder().memory_backend(host.clone()).build();
    sim.profiles().create_default("Default").unwrap();
    let mapi = sim.initialize(InitFlags::empty()).unwrap();
    let session = mapi.logon_ex("Default", LogonFlags::EXTENDED).unwrap();
    let row = session.msg_stores_table().unwrap().default_store().unwrap();
    let store = session
        .open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)
        .unwrap();
    sim.spooler().run_until_idle();
    let props = store.get_props(Some(&[PR_DISPLAY_NAME_W])).unwrap();
    assert_eq!(props.value.len(), 1);
    store.store_logoff(LogoffFlags::ORDERLY).unwrap();
    drop(store);
    session.logoff(SessionLogoffFlags::empty()).unwrap();
    mapi.uninitialize().unwrap();
    let report = sim.finish();
    report.assert_clean();
    let calls = host.calls();
    // The provider's buffers (the spool-security blob, the wrapped entry ID, GetProps' array)
    // were the host's blocks, and every one was freed.
    assert!(
        calls
            .iter()
            .filter(|c| c.starts_with("MAPIAllocateBuffer"))
            .count()
            >= 3,
        "{calls:?}"
    );
    assert!(
        host.state.lock().unwrap().values >= 1,
        "GetProps' array was laid out by the host"
    );
    assert_eq!(host.live(), 0, "{calls:?}");
}

#[test]
fn the_mapierror_of_a_failed_logon_is_read_and_freed_by_mapi() {
    let sim = simulator(Defect::FailExplained(MapiError::LogonFailed, false));
    run_lifecycle(&sim);
    let report = sim.finish();
    // The failure itself is the provider's right; the MAPIERROR is MAPI's to free.
    assert!(!report.fired(&rules::MEM_LEAK), "{}", report.account());
    assert!(!report.fired(&rules::MEM_OUT_ROOT), "{}", report.account());
    let trace = report.trace().to_string();
    assert!(
        trace.contains("returned a MAPIERROR from Logon: \"the store's file is locked\" from \"Zoo Store\""),
        "{trace}"
    );
}

#[test]
fn a_mapierror_in_memory_mapi_did_not_give_is_mem_out_root() {
    let sim = simulator(Defect::FailExplained(MapiError::LogonFailed, true));
    run_lifecycle(&sim);
    let report = sim.finish();
    let v = only(&report, &rules::MEM_OUT_ROOT);
    assert!(v.message.contains("as the MAPIERROR of Logon"), "{}", v.message);
}

#[test]
fn the_simulators_imalloc_is_a_full_allocator_with_data() {
    use mapisim::runtime::SimMalloc;
    use mapisim::spi::{Malloc, MallocBlock};
    let malloc = SimMalloc::default();
    let block = malloc.alloc(4).unwrap();
    assert_eq!(malloc.get_size(block), Some(4));
    assert_eq!(malloc.read(block).unwrap(), [0; 4]);
    assert!(malloc.write(block, 0, b"IMal"));
    assert!(!malloc.write(block, 2, b"xyz"), "past the end");
    // Realloc keeps the content up to the smaller size, under a new handle.
    let grown = malloc.realloc(Some(block), 6).unwrap();
    assert_eq!(malloc.read(grown).unwrap(), b"IMal\0\0");
    assert!(!malloc.did_alloc(block), "the old handle is gone");
    let shrunk = malloc.realloc(Some(grown), 2).unwrap();
    assert_eq!(malloc.read(shrunk).unwrap(), b"IM");
    // Realloc(NULL, n) allocates; Realloc(p, 0) frees; Free(NULL) does nothing.
    let fresh = malloc.realloc(None, 3).unwrap();
    assert_eq!(malloc.live_blocks(), 2);
    assert_eq!(malloc.realloc(Some(fresh), 0), None);
    malloc.free(None);
    assert_eq!(malloc.live_blocks(), 1);
    // A block it never made is neither sized nor reallocated.
    assert_eq!(malloc.get_size(MallocBlock(999)), None);
    assert_eq!(malloc.realloc(Some(MallocBlock(999)), 8), None);
    malloc.free(Some(shrunk));
    assert_eq!(malloc.live_blocks(), 0);
}

#[test]
fn a_module_handle_from_the_host_carries_its_value() {
    use mapisim::spi::ModuleInstance;
    let host = ModuleInstance::from_host("SMPMS32.DLL", 0x7FF6_1234_0000);
    assert_eq!(host.handle(), Some(0x7FF6_1234_0000));
    assert_eq!(host.file(), "SMPMS32.DLL");
    let simulated = ModuleInstance::new("SMPMS32.DLL", 1);
    assert_eq!(simulated.handle(), None);
    assert_ne!(host, simulated, "the handle value is part of the identity");
    assert_eq!(host, ModuleInstance::from_host("SMPMS32.DLL", 0x7FF6_1234_0000));
}

#[test]
fn blocks_linked_to_a_value_the_backend_did_not_lay_out_are_freed_with_it() {
    let host = Arc::new(HostHeap::default());
    let routines = MemRoutines::with_backend(host.clone());
    // A MAPIERROR the backend leaves to the Rust side, with a block linked to it (its string).
    let error = routines.allocate_value(error_info(MapiError::NoSupport)).unwrap();
    assert_eq!(routines.address(error.id()), None);
    let text = routines.allocate_more(8, error.id()).unwrap();
    assert!(routines.address(text).is_some(), "the linked block is the host's");
    assert_eq!(host.live(), 1);
    routines.free_buffer(Some(error.id())).unwrap();
    assert_eq!(host.live(), 0, "{:?}", host.calls());
    assert!(!routines.is_live(text));
}

#[test]
fn a_value_laid_out_in_a_block_by_foreign_code_is_attached_and_freed_with_the_block() {
    let host = Arc::new(HostHeap::default());
    let routines = MemRoutines::with_backend(host.clone());
    let root = routines.allocate_buffer(16).unwrap();
    let part = routines.allocate_more(8, root).unwrap();
    let props = vec![Prop {
        tag: PR_RESOURCE_FLAGS,
        value: PropValue::Long(2),
    }];
    // A linked block cannot hold a value; the root can, once.
    assert_eq!(
        routines.attach_value(part, props.clone()).map(|b| b.id()),
        Err(MapiError::InvalidParameter)
    );
    let typed = routines.attach_value(root, props.clone()).unwrap();
    assert_eq!(typed.id(), root);
    assert_eq!(
        routines.attach_value(root, props.clone()).map(|b| b.id()),
        Err(MapiError::InvalidParameter)
    );
    assert_eq!(routines.value(&typed).unwrap(), props);
    // Taking it frees the root and its linked block on the host.
    assert_eq!(routines.take(typed).unwrap(), props);
    assert_eq!(host.live(), 0);
    assert_eq!(routines.live_blocks(), 0);
}

#[test]
fn misuse_by_address_is_reported_as_misuse_by_block() {
    let host = Arc::new(HostHeap::default());
    let sim = Simulator::builder().memory_backend(host.clone()).build();
    let routines = sim.mem_routines();
    let root = routines.allocate_buffer(8).unwrap();
    let root_address = routines.address(root).unwrap();
    let part = routines.allocate_more_at(4, root_address).unwrap();
    let part_address = routines.address(part).unwrap();
    assert_eq!(routines.block_at(part_address), Some(part));
    // A linked block freed alone, then the root twice, then a pointer never given.
    assert_eq!(
        routines.free_address(part_address),
        Err(MapiError::InvalidParameter)
    );
    routines.free_address(root_address).unwrap();
    assert_eq!(host.live(), 0);
    assert_eq!(
        routines.free_address(root_address),
        Err(MapiError::InvalidParameter)
    );
    assert_eq!(
        routines.allocate_more_at(4, root_address),
        Err(MapiError::InvalidParameter)
    );
    assert_eq!(routines.free_address(0x10), Err(MapiError::InvalidParameter));
    assert_eq!(
        routines.allocate_more_at(4, 0x10),
        Err(MapiError::InvalidParameter)
    );
    routines.free_address(0).unwrap();
    let report = sim.finish();
    assert_eq!(
        report.rule_ids(),
        vec![
            "MEM-FREE-LINKED",
            "MEM-DOUBLE-FREE",
            "MEM-MORE-ROOT",
            "MEM-FOREIGN-FREE"
        ]
    );
    assert_eq!(report.count(&rules::MEM_MORE_ROOT), 2);
    assert!(
        report
            .to_string()
            .contains("0x10, which these routines never allocated"),
        "{report}"
    );
}
