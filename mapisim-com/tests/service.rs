//! The message-service entry point, exported: `service_entry` called as MAPI calls an exported
//! `MSGSERVICEENTRY`, with the fake MAPI's support object, provider administration and
//! allocator, and the two exports of one library written by `export_provider_library!`.
#![allow(non_snake_case)]

use core::ffi::c_void;
use core::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mapisim::flags::{ProfileSectionFlags, ServiceContext, SpiVersion};
use mapisim::ids::{Iid, MapiUid};
use mapisim::props::{PR_DISPLAY_NAME_W, PR_PROVIDER_UID, Prop, PropValue};
use mapisim::sample::{SampleLibrary, SampleStore};
use mapisim::spi::{
    Exports, InitArgs, MapiErrorInfo, MsProvider, ProviderInit, ProviderLibrary, ServiceEntryArgs,
};
use mapisim::strings::{TStr, TString};
use mapisim::{MapiError, MapiResult};
use mapisim_com::export::service_entry;
use mapisim_com::interfaces::{IMAPISupport, IMalloc, IProviderAdmin};
use mapisim_com::props::{read_mapierror, write_props};
use mapisim_com::types::{MAPIERROR, SPropValue};
use windows_core::{HRESULT, Interface};

mod fake_mapi;

use fake_mapi::*;

const MAPI_E_CALL_FAILED: HRESULT = HRESULT(0x8000_4005_u32 as i32);
const MAPI_E_USER_CANCEL: HRESULT = HRESULT(0x8004_0113_u32 as i32);
const MAPI_E_VERSION: HRESULT = HRESULT(0x8004_0110_u32 as i32);
const SERVICE_UI_ALLOWED: u32 = 0x0000_0010;
const MSG_SERVICE_CREATE: u32 = 2;
const MSG_SERVICE_CONFIGURE: u32 = 3;
const MSG_SERVICE_DELETE: u32 = 4;

/// The objects MAPI passes a service entry, and their counts before the call.
struct Host {
    mapi: Arc<Mapi>,
    support: IMAPISupport,
    admin: IProviderAdmin,
    malloc: IMalloc,
    counts: [u32; 3],
}

impl Host {
    fn new() -> Host {
        let mapi = Mapi::new();
        let support: IMAPISupport = FakeSupport {
            mapi: Arc::clone(&mapi),
        }
        .into();
        let admin: IProviderAdmin = FakeAdmin {
            mapi: Arc::clone(&mapi),
        }
        .into();
        let malloc: IMalloc = FakeMalloc.into();
        let counts = [com_count(&support), com_count(&admin), com_count(&malloc)];
        Host {
            mapi,
            support,
            admin,
            malloc,
            counts,
        }
    }

    /// Calls the entry point with these arguments (the properties laid out in MAPI memory and
    /// freed after); returns the `HRESULT` and `*lppMapiError`.
    fn call(
        &self,
        library: &dyn ProviderLibrary,
        flags: u32,
        context: u32,
        props: &[Prop],
    ) -> (HRESULT, *mut MAPIERROR) {
        let block = write_props(&self.mapi.routines, props).expect("room for the properties");
        let array: *mut SPropValue = self.mapi.hand_over(block);
        let mut error = ptr::dangling_mut::<MAPIERROR>();
        // SAFETY: live objects of the fake MAPI, `props.len()` values at `array`, a valid
        // out-pointer.
        let hr = unsafe {
            service_entry(
                library,
                SampleStore::DLL_FILE,
                ptr::null_mut(),
                self.malloc.as_raw(),
                self.support.as_raw(),
                0,
                flags,
                context,
                props.len() as u32,
                array,
                self.admin.as_raw(),
                &mut error,
            )
        };
        // SAFETY: the block MAPI laid out above, freed once.
        unsafe { MAPIFreeBuffer(array.cast()) };
        (hr, error)
    }

    /// Every object is back to the count it started with, and no MAPI block is live.
    fn assert_released(&self) {
        let counts = [
            com_count(&self.support),
            com_count(&self.admin),
            com_count(&self.malloc),
        ];
        assert_eq!(counts, self.counts, "support, admin and malloc counts");
        assert_eq!(self.mapi.sections_alive.load(Ordering::SeqCst), 0);
        assert_eq!(allocator(), (0, 0), "live MAPI blocks and refused frees");
    }
}

/// Reads and frees a `MAPIERROR` the entry point handed over.
fn take_error(error: *mut MAPIERROR, unicode: bool) -> MapiErrorInfo {
    assert!(!error.is_null(), "a MAPIERROR was handed over");
    // SAFETY: the MAPIERROR the entry point laid out in MAPI memory, freed right after.
    let info = unsafe { read_mapierror(error, unicode) }.expect("a MAPIERROR");
    // SAFETY: the root block of the MAPIERROR, freed once.
    unsafe { MAPIFreeBuffer(error.cast()) };
    info
}

/// A library whose service entry sets a `MAPIERROR` and then fails, or panics.
struct Failing {
    panic: bool,
}

impl ProviderLibrary for Failing {
    fn exports(&self) -> Exports {
        Exports::SERVICE_ENTRY
    }

    fn service_entry(&self, args: &ServiceEntryArgs<'_>) -> MapiResult<()> {
        let routines = args.support.get_mem_alloc_routines()?;
        let info = MapiErrorInfo {
            version: 0,
            error: Some(TString::ansi_from_str("the user closed the dialog")),
            component: Some(TString::ansi_from_str("SMPMS")),
            low_level_error: 42,
            context: 7,
        };
        args.mapi_error.set(routines.allocate_value(info)?);
        if self.panic {
            panic!("a service entry that panics (expected by the test)");
        }
        Err(MapiError::UserCancel)
    }
}

#[test]
fn creating_the_sample_service_succeeds_and_keeps_no_reference() {
    let _serial = serial();
    let host = Host::new();
    let library = SampleStore::library();
    for context in [MSG_SERVICE_CREATE, MSG_SERVICE_DELETE] {
        let (hr, error) = host.call(&library, SERVICE_UI_ALLOWED, context, &[]);
        assert_eq!(hr, S_OK, "context {context}");
        assert!(error.is_null(), "no MAPIERROR, and *lppMapiError set to NULL");
        host.assert_released();
    }
}

#[test]
fn a_provider_error_comes_back_as_its_hresult_with_its_mapierror() {
    let _serial = serial();
    let host = Host::new();
    for unicode in [false, true] {
        let flags = SERVICE_UI_ALLOWED | if unicode { MAPI_UNICODE } else { 0 };
        let (hr, error) = host.call(&Failing { panic: false }, flags, MSG_SERVICE_CONFIGURE, &[]);
        assert_eq!(hr, MAPI_E_USER_CANCEL);
        let info = take_error(error, unicode);
        let text = info.error.expect("an error string");
        assert_eq!(text.is_unicode(), unicode, "the strings follow MAPI_UNICODE");
        assert_eq!(text.to_string_lossy(), "the user closed the dialog");
        assert_eq!(
            info.component
                .map(|c| c.to_string_lossy().into_owned())
                .as_deref(),
            Some("SMPMS")
        );
        assert_eq!((info.low_level_error, info.context), (42, 7));
        host.assert_released();
    }
}

#[test]
fn a_panic_becomes_call_failed_and_never_unwinds() {
    let _serial = serial();
    let host = Host::new();
    let (hr, error) = host.call(&Failing { panic: true }, 0, MSG_SERVICE_CONFIGURE, &[]);
    assert_eq!(hr, MAPI_E_CALL_FAILED);
    // The MAPIERROR set before the panic is still handed over rather than lost.
    let info = take_error(error, false);
    assert_eq!(info.low_level_error, 42);
    host.assert_released();
}

#[test]
fn null_pointers_are_refused() {
    let _serial = serial();
    let host = Host::new();
    let library = SampleStore::library();
    let call = |malloc: *mut c_void, support: *mut c_void, admin: *mut c_void, count: u32| {
        let mut error = ptr::dangling_mut::<MAPIERROR>();
        // SAFETY: each pointer is NULL or a live object of the fake MAPI; with a count, the NULL
        // property array is what is being refused.
        let hr = unsafe {
            service_entry(
                &library,
                SampleStore::DLL_FILE,
                ptr::null_mut(),
                malloc,
                support,
                0,
                0,
                MSG_SERVICE_CREATE,
                count,
                ptr::null_mut(),
                admin,
                &mut error,
            )
        };
        assert!(error.is_null(), "*lppMapiError is set to NULL");
        hr
    };
    let (m, s, a) = (host.malloc.as_raw(), host.support.as_raw(), host.admin.as_raw());
    let null = ptr::null_mut();
    assert_eq!(call(null, s, a, 0), MAPI_E_INVALID_PARAMETER, "lpMalloc");
    assert_eq!(call(m, null, a, 0), MAPI_E_INVALID_PARAMETER, "lpMAPISup");
    assert_eq!(call(m, s, null, 0), MAPI_E_INVALID_PARAMETER, "lpProviderAdmin");
    assert_eq!(call(m, s, a, 1), MAPI_E_INVALID_PARAMETER, "lpProps with a count");
    assert_eq!(call(m, s, a, 0), S_OK, "every pointer given");

    // `lppMapiError` itself may be NULL: the provider's MAPIERROR is then freed.
    // SAFETY: live objects of the fake MAPI; no properties; no MAPIERROR wanted.
    let hr = unsafe {
        service_entry(
            &Failing { panic: false },
            SampleStore::DLL_FILE,
            ptr::null_mut(),
            m,
            s,
            0,
            0,
            MSG_SERVICE_CONFIGURE,
            0,
            ptr::null_mut(),
            a,
            ptr::null_mut(),
        )
    };
    assert_eq!(hr, MAPI_E_USER_CANCEL);
    host.assert_released();
}

#[test]
fn an_unknown_context_is_not_supported_and_the_provider_is_not_called() {
    let _serial = serial();
    let host = Host::new();
    // `Failing` would allocate a MAPIERROR if it were called.
    let (hr, error) = host.call(&Failing { panic: false }, 0, 99, &[]);
    assert_eq!(hr, MAPI_E_NO_SUPPORT);
    assert!(error.is_null());
    host.assert_released();
}

#[test]
fn configuring_the_sample_with_a_new_name_passes_on_mapis_answer_for_the_provider_table() {
    let _serial = serial();
    let host = Host::new();
    let name = Prop {
        tag: PR_DISPLAY_NAME_W,
        value: PropValue::Unicode("Renamed".into()),
    };
    let (hr, error) = host.call(
        &SampleStore::library(),
        MAPI_UNICODE,
        MSG_SERVICE_CONFIGURE,
        &[name],
    );
    // The fake MAPI has no provider table to give: its answer comes back.
    assert_eq!(hr, MAPI_E_NO_SUPPORT);
    assert!(error.is_null());
    // Without properties there is nothing to change, and nothing is asked of MAPI.
    let (hr, _) = host.call(&SampleStore::library(), 0, MSG_SERVICE_CONFIGURE, &[]);
    assert_eq!(hr, S_OK);
    host.assert_released();
}

/// A library whose service entry uses every method of the provider administration.
struct Administering;

impl ProviderLibrary for Administering {
    fn exports(&self) -> Exports {
        Exports::SERVICE_ENTRY
    }

    fn service_entry(&self, args: &ServiceEntryArgs<'_>) -> MapiResult<()> {
        assert_eq!(args.context, ServiceContext::Configure);
        assert_eq!(args.props.len(), 1);
        assert_eq!(args.instance.file(), SampleStore::DLL_FILE);
        let admin = args.admin;
        assert_eq!(admin.get_provider_table(0).err(), Some(MapiError::NoSupport));
        let uid = admin.create_provider(TStr::ansi(b"SMPMS MS"), args.props, 0, 0)?;
        assert_eq!(uid, MapiUid(CREATED));
        let wide: Vec<u16> = "SMPMS AB".encode_utf16().collect();
        admin.create_provider(TStr::wide(&wide), &[], 0, MAPI_UNICODE)?;
        let section =
            admin.open_profile_section(Some(&uid), Some(&Iid::IPROFSECT), ProfileSectionFlags::MODIFY)?;
        assert_eq!(section.uid(), uid);
        section.set_props(&[Prop {
            tag: PR_PROVIDER_UID,
            value: PropValue::Binary(uid.0.to_vec()),
        }])?;
        drop(section);
        let own = admin.open_profile_section(None, None, ProfileSectionFlags::MODIFY)?;
        assert_eq!(own.uid(), MapiUid([0; 16]));
        drop(own);
        admin.delete_provider(&uid)?;
        let routines = args.support.get_mem_alloc_routines()?;
        let last = admin
            .get_last_error(MapiError::NotFound, 0)?
            .expect("a MAPIERROR");
        let last = routines.take(last)?;
        assert_eq!(last.context, 9);
        assert_eq!(
            last.error.map(|e| e.to_string_lossy().into_owned()).as_deref(),
            Some(TEST_ERROR)
        );
        Ok(())
    }
}

#[test]
fn the_provider_administration_reaches_mapi() {
    let _serial = serial();
    let host = Host::new();
    let name = Prop {
        tag: PR_DISPLAY_NAME_W,
        value: PropValue::Unicode("Sample Store".into()),
    };
    let (hr, error) = host.call(
        &Administering,
        0,
        MSG_SERVICE_CONFIGURE,
        std::slice::from_ref(&name),
    );
    assert_eq!(hr, S_OK);
    assert!(error.is_null());
    {
        let state = host.mapi.state();
        let created: Vec<_> = state
            .providers_created
            .iter()
            .map(|(n, p, f)| (n.as_str(), p.clone(), *f))
            .collect();
        assert_eq!(
            created,
            [("SMPMS MS", vec![name], 0), ("SMPMS AB", vec![], MAPI_UNICODE)]
        );
        assert_eq!(state.providers_deleted, [MapiUid(CREATED)]);
        assert_eq!(state.admin_sections, [(Some(CREATED), true), (None, false)]);
        let section = state.sections.get(&CREATED).expect("the new provider's section");
        assert_eq!(section[0].tag, PR_PROVIDER_UID);
    }
    host.assert_released();
}

// ---------------------------------------------------------------------------------------------
// Both exports of one library, as the macro writes them.
// ---------------------------------------------------------------------------------------------

/// How many times the factory below ran.
static LIBRARIES_MADE: AtomicUsize = AtomicUsize::new(0);

/// The sample's library, counted.
struct Counted(SampleLibrary);

impl ProviderLibrary for Counted {
    fn exports(&self) -> Exports {
        self.0.exports()
    }

    fn ms_provider_init(&self, args: &InitArgs) -> MapiResult<ProviderInit<dyn MsProvider>> {
        self.0.ms_provider_init(args)
    }

    fn service_entry(&self, args: &ServiceEntryArgs<'_>) -> MapiResult<()> {
        self.0.service_entry(args)
    }
}

fn counted_library() -> Counted {
    LIBRARIES_MADE.fetch_add(1, Ordering::SeqCst);
    Counted(SampleStore::library())
}

mapisim_com::export_provider_library!(counted_library, "SMPMS32.DLL", service_entry = SampleServiceEntry);

#[test]
fn both_exports_of_one_library_share_one_instance() {
    let _serial = serial();
    let host = Host::new();
    for _ in 0..2 {
        let mut error = ptr::null_mut();
        // SAFETY: live objects of the fake MAPI; no properties; a valid out-pointer.
        let hr = unsafe {
            SampleServiceEntry(
                ptr::null_mut(),
                host.malloc.as_raw(),
                host.support.as_raw(),
                0,
                SERVICE_UI_ALLOWED,
                MSG_SERVICE_CREATE,
                0,
                ptr::null_mut(),
                host.admin.as_raw(),
                &mut error,
            )
        };
        assert_eq!(hr, S_OK);
        assert!(error.is_null());
    }
    // An old MAPI: the sample refuses it, so no provider object is left to release.
    let (mut version, mut provider) = (0, ptr::null_mut());
    // SAFETY: the fake's routines keep MAPI's contract; a live IMalloc; valid out-pointers.
    let hr = unsafe {
        MSProviderInit(
            ptr::null_mut(),
            host.malloc.as_raw(),
            Some(MAPIAllocateBuffer),
            Some(MAPIAllocateMore),
            Some(MAPIFreeBuffer),
            0,
            SpiVersion::PDK1.0,
            &mut version,
            &mut provider,
        )
    };
    assert_eq!(hr, MAPI_E_VERSION);
    assert_eq!(version, SpiVersion::CURRENT.0);
    assert!(provider.is_null());
    assert_eq!(
        LIBRARIES_MADE.load(Ordering::SeqCst),
        1,
        "one library for both exports"
    );
    host.assert_released();
}

// A service entry alone, on a library of its own.
mapisim_com::export_service_entry!(
    SampleStore::library,
    SampleStore::DLL_FILE,
    StandaloneServiceEntry
);

#[test]
fn a_service_entry_exported_alone_runs_on_its_own_library() {
    let _serial = serial();
    let host = Host::new();
    let mut error = ptr::dangling_mut::<MAPIERROR>();
    // SAFETY: live objects of the fake MAPI; no properties; a valid out-pointer.
    let hr = unsafe {
        StandaloneServiceEntry(
            ptr::null_mut(),
            host.malloc.as_raw(),
            host.support.as_raw(),
            0,
            SERVICE_UI_ALLOWED,
            MSG_SERVICE_DELETE,
            0,
            ptr::null_mut(),
            host.admin.as_raw(),
            &mut error,
        )
    };
    assert_eq!(hr, S_OK);
    assert!(error.is_null());
    host.assert_released();
}
