//! The foundation at work: a provider's objects counted in the object ledger, every call in the
//! trace, and a leak that only shows at logoff reported with its owner, its creating call and
//! where each outstanding reference was taken.
//!
//! Run with `cargo run --example quickstart`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // an example prints what it shows

use std::process::ExitCode;
use std::sync::Mutex;

use mapisim::prelude::*;
use mapisim::props::{PR_DISPLAY_NAME_W, PR_RESOURCE_FLAGS};

/// A store object that forgets to drop its logon object at logoff.
struct Store {
    properties: PropBag,
    logon: Mutex<Option<Ref<Logon>>>,
}

/// The logon object, which points back at its store.
struct Logon {
    store: Mutex<Option<Ref<Store>>>,
}

fn main() -> ExitCode {
    let ledger = ObjectLedger::new();
    ledger.set_history(true);
    let trace = ledger.trace().clone();
    let dll = Party::Library("SMPMS32.DLL".into());
    let owner = Owner::library("SMPMS32.DLL").in_session(1);

    // MAPI calls the provider's Logon; the provider makes its logon and store objects.
    let logon_call = trace.begin_call(Party::Mapi, dll.clone(), "Logon", "flags=MDB_WRITE");
    let (store, logon) = {
        let _provider = ledger.enter(dll.clone(), owner.clone());
        let mut properties = PropBag::new();
        let filled = properties
            .set(PR_DISPLAY_NAME_W, "Sample Store")
            .and_then(|_| properties.set(PR_RESOURCE_FLAGS, ResourceFlags::DEFAULT_STORE.bits()));
        if let Err(e) = filled {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
        let store = Ref::new(Store {
            properties,
            logon: Mutex::new(None),
        });
        let logon = Ref::new(Logon {
            store: Mutex::new(None),
        });
        // The bug: the two objects hold each other, so neither can reach a count of zero.
        if let (Ok(mut slot_in_store), Ok(mut slot_in_logon)) = (store.logon.lock(), logon.store.lock()) {
            *slot_in_store = Some(logon.clone_held_by(&store));
            *slot_in_logon = Some(store.clone_held_by(&logon));
        }
        (store, logon)
    };
    let crossed = ledger
        .adopt(&store, InterfaceKind::MsgStore, None)
        .and_then(|_| ledger.adopt(&logon, InterfaceKind::MsLogon, None));
    if crossed.is_err() {
        eprintln!("the objects were registered elsewhere");
        return ExitCode::FAILURE;
    }
    logon_call.finish(Status::Ok, "IMSLogon#2, IMsgStore#1");

    let name = store
        .properties
        .get_str(PR_DISPLAY_NAME_W)
        .unwrap_or("?")
        .to_owned();
    trace.record(mapisim::trace::EventKind::Note {
        by: Party::Client,
        text: format!("opened {name:?}"),
    });

    // Logoff: MAPI and the client release everything they hold.
    let logoff = trace.begin_call(Party::Client, Party::Mapi, "Logoff", "");
    drop(store);
    drop(logon);
    logoff.finish(Status::Ok, "");

    println!("trace:\n{trace}");
    let leaks = ledger.leaks(|o| o.owner.session == Some(1));
    println!("after logoff, {leaks}");

    // The demonstration succeeds when the planted leak is found: both objects, as one cycle.
    if leaks.objects.len() == 2 && leaks.cycles.len() == 1 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
