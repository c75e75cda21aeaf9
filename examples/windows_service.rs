//! A MAPI client that runs as a Windows service, doing the documented steps ("Calling MAPI from
//! Windows services"): `OleInitialize`, `MAPIInitialize` with `MAPI_NT_SERVICE` (and without
//! `MAPI_MULTITHREAD_NOTIFICATIONS`, so notifications come to this thread), `MAPILogonEx` with
//! `MAPI_NT_SERVICE | MAPI_NO_MAIL` and no UI, then the message pump on the initializing thread:
//! `MsgWaitForMultipleObjects` until it returns `WAIT_OBJECT_0 + nCount`, then `GetMessage`,
//! `TranslateMessage`, `DispatchMessage`. A worker thread changes the store, which notifies the
//! service's advise sink; the service stops when the worker signals its stop event. Then
//! `OleUninitialize` before `MAPIUninitialize`.
//!
//! Run with `cargo run --example windows_service`. Exits non-zero if the report is not clean.

#![allow(clippy::print_stdout, clippy::print_stderr)] // an example prints what it shows

use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use mapisim::prelude::*;
use mapisim::runtime::{WaitHandle, WaitResult};
use mapisim::sample::SampleStore;

/// The service's advise sink: it records what it is told.
#[derive(Default)]
pub(crate) struct ServiceSink {
    /// The events received, in order.
    pub(crate) received: Mutex<Vec<EventMask>>,
}

impl AdviseSink for ServiceSink {
    fn on_notify(&self, notifications: &[Notification]) -> u32 {
        if let Ok(mut received) = self.received.lock() {
            received.extend(notifications.iter().map(|n| n.event));
        }
        0
    }
}

/// A simulator hosting the sample provider, for a client that declares itself a Windows service.
pub(crate) fn simulator() -> Result<Simulator, mapisim::runtime::InfError> {
    Ok(Simulator::builder()
        .library(SampleStore::DLL_FILE, SampleStore::library)
        .mapisvc_inf(SampleStore::MAPISVC_INF)?
        .windows_service_client(true)
        .build())
}

/// The service's life. Returns the events its sink received.
pub(crate) fn service(sim: &Simulator) -> MapiResult<Vec<EventMask>> {
    sim.profiles().create_default("Service")?;

    // OLE first; then MAPI, told it runs inside a service. No MAPI_MULTITHREAD_NOTIFICATIONS:
    // this thread owns MAPI's notification window and must pump its messages.
    sim.ole_initialize();
    let mapi = sim.initialize(InitFlags::NT_SERVICE)?;
    let session = mapi.logon_ex(
        "Service",
        LogonFlags::EXTENDED | LogonFlags::NT_SERVICE | LogonFlags::NO_MAIL,
    )?;
    let row = session.msg_stores_table()?.default_store()?;
    let store = session.open_msg_store(&row.entry_id, OpenStoreFlags::WRITE)?;

    let sink = Ref::new(ServiceSink::default());
    let as_sink: Ref<dyn AdviseSink> = sink.clone().into();
    let connection = store.advise(None, EventMask::OBJECT_MODIFIED, &as_sink)?;
    drop(as_sink);

    let stop = WaitHandle::new();
    let worked = std::thread::scope(|scope| {
        // A worker renames the store (the store notifies its sinks), then asks the service to stop.
        let worker = scope.spawn(|| {
            let renamed = store.set_props(&[Prop {
                tag: mapisim::props::PR_DISPLAY_NAME_W,
                value: "Renamed by the worker".into(),
            }]);
            stop.set();
            renamed
        });
        // The message loop of the initializing thread: while the wait says WAIT_OBJECT_0 +
        // nCount (a message is queued), get, translate and dispatch; the stop event (or the
        // timeout) ends it.
        while mapi.msg_wait_for_multiple_objects(&[&stop], Duration::from_secs(10)) == WaitResult::Message {
            while let Some(message) = mapi.get_message() {
                mapi.translate_message(&message);
                mapi.dispatch_message(message);
            }
        }
        // What the worker queued before it signalled is still to be pumped.
        mapi.pump_messages();
        worker.join().unwrap_or(Err(MapiError::CallFailed))
    });
    let problems = worked?;
    if !problems.is_empty() {
        return Err(MapiError::CallFailed);
    }

    store.unadvise(connection)?;
    store.store_logoff(LogoffFlags::ORDERLY)?;
    drop(store);
    session.logoff(SessionLogoffFlags::empty())?;
    drop(session);
    // OleUninitialize before MAPIUninitialize.
    sim.ole_uninitialize();
    mapi.uninitialize()?;
    let received = sink.received.lock().map(|r| r.clone()).unwrap_or_default();
    Ok(received)
}

fn main() -> ExitCode {
    let sim = match simulator() {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = service(&sim);
    let report = sim.finish();
    println!("trace:\n{}", report.trace());
    println!("{report}");
    match outcome {
        Ok(received) if report.is_clean() && received == [EventMask::OBJECT_MODIFIED] => {
            println!("the service's sink received: {received:?}");
            ExitCode::SUCCESS
        }
        Ok(received) => {
            eprintln!("the service's sink received: {received:?}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("the service failed: {e}");
            ExitCode::FAILURE
        }
    }
}
