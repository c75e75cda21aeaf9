//! A support object that forwards to another one: the building block of a wrapping provider.
//!
//! A store provider that wraps another provider (to add logging, encryption, a different display
//! name…) often hands the inner provider its own object in place of MAPI's support object, to
//! change what a few `IMAPISupport` methods do. Every other method must reach MAPI unchanged. A
//! hand-written wrapper that forgets one of them answers `MAPI_E_NO_SUPPORT` for it (the
//! default of [`MapiSupport`]), and nothing says so until the inner provider needs that method.
//!
//! [`ForwardSupport`] forwards every method of [`MapiSupport`] to the support object it wraps,
//! through a [`SupportOverrides`]: each method of that trait receives the wrapped object as
//! `inner` and, unless overridden, calls the same method on it with the same arguments and returns
//! what it returned. A wrapper overrides only the methods it changes; [`NoOverrides`] changes none.
//!
//! ```
//! use std::sync::Mutex;
//!
//! use mapisim::flags::StatusRowFlags;
//! use mapisim::ids::MapiUid;
//! use mapisim::props::{PR_DISPLAY_NAME_W, Prop, PropValue};
//! use mapisim::spi::{ForwardSupport, MapiSupport, SupportOverrides};
//! use mapisim::{MapiError, MapiResult, Ref};
//!
//! /// What the wrapper changes: the inner store's status row shows the wrapper's name.
//! struct Rename {
//!     name: String,
//! }
//!
//! impl SupportOverrides for Rename {
//!     fn modify_status_row(
//!         &self,
//!         inner: &dyn MapiSupport,
//!         columns: &[Prop],
//!         flags: StatusRowFlags,
//!     ) -> MapiResult<()> {
//!         let renamed: Vec<Prop> = columns
//!             .iter()
//!             .map(|column| {
//!                 if column.tag.id() == PR_DISPLAY_NAME_W.id() {
//!                     Prop { tag: PR_DISPLAY_NAME_W, value: PropValue::Unicode(self.name.clone().into()) }
//!                 } else {
//!                     column.clone()
//!                 }
//!             })
//!             .collect();
//!         inner.modify_status_row(&renamed, flags)
//!     }
//! }
//!
//! // MAPI's support object, played here by an object that keeps the status row it is given and
//! // hands out a UID.
//! #[derive(Default)]
//! struct Mapi {
//!     status_row: Mutex<Vec<Prop>>,
//! }
//!
//! impl MapiSupport for Mapi {
//!     fn modify_status_row(&self, columns: &[Prop], _flags: StatusRowFlags) -> MapiResult<()> {
//!         let mut row = self.status_row.lock().map_err(|_| MapiError::CallFailed)?;
//!         *row = columns.to_vec();
//!         Ok(())
//!     }
//!
//!     fn new_uid(&self) -> MapiResult<MapiUid> {
//!         Ok(MapiUid(*b"a fresh MAPIUID!"))
//!     }
//! }
//!
//! let mapi = Ref::new(Mapi::default());
//! // In the wrapper's `IMSProvider::Logon`, this is what the inner provider gets as its support
//! // object (in the `StoreLogonArgs` passed on to it).
//! let wrapper = ForwardSupport::new(mapi.clone().into(), Rename { name: "Wrapped Store".into() });
//! let support: Ref<dyn MapiSupport> = Ref::new(wrapper).into();
//!
//! // The inner provider adds its status row through the wrapper: MAPI sees the new name.
//! support.modify_status_row(
//!     &[Prop { tag: PR_DISPLAY_NAME_W, value: PropValue::Unicode("Inner Store".into()) }],
//!     StatusRowFlags::empty(),
//! )?;
//! let row = mapi.status_row.lock().expect("no thread panicked").clone();
//! assert_eq!(row[0].value, PropValue::Unicode("Wrapped Store".into()));
//!
//! // Every method the wrapper does not override reaches MAPI unchanged.
//! assert_eq!(support.new_uid()?, MapiUid(*b"a fresh MAPIUID!"));
//! # Ok::<(), MapiError>(())
//! ```
//!
//! In a wrapping provider's `IMSProvider::Logon`, the inner provider is called with the wrapper
//! in place of MAPI's support object: `inner.logon(&StoreLogonArgs { support: &wrapper, ..*args })`.
//! The wrapper keeps the rules of the object it stands for: a fresh `Logon` of the inner provider
//! clones the wrapper's `Ref` (its `AddRef`), and the wrapper holds one reference to MAPI's
//! support object, which it drops when its own last reference goes — so MAPI's teardown of the
//! logon still runs inside the final release of the inner store's support object.

use std::fmt;

use crate::error::{MapiError, MapiResult};
use crate::flags::{
    EventMask, LogoffFlags, NotifyResultFlags, ProfileSectionFlags, ReadReceiptFlags, SpoolerNotifyFlags,
    StatusRowFlags, StorageFromStreamFlags, SubscribeFlags,
};
use crate::ids::{Iid, MapiUid};
use crate::object::{Ref, Unknown};
use crate::props::{Prop, PropTag};
use crate::spi::memory::{BufferId, MapiBuffer, MemRoutines};
use crate::spi::status::MapiProgress;
use crate::spi::support::{
    AdrParm, AdviseSink, MapiErrorInfo, MapiProp, MapiSupport, Notification, OpenedEntry, ProfSect,
    PropProblem, SpoolerNotifyData,
};
use crate::strings::TStr;

/// A support object that forwards every [`MapiSupport`] method to the one it wraps, through
/// `overrides`. See the [module documentation](self).
pub struct ForwardSupport<O: SupportOverrides = NoOverrides> {
    inner: Ref<dyn MapiSupport>,
    overrides: O,
}

impl<O: SupportOverrides> ForwardSupport<O> {
    /// A support object that answers every call through `overrides`, forwarding to `inner` what
    /// they do not change. It keeps `inner` (one reference) until it is dropped.
    pub fn new(inner: Ref<dyn MapiSupport>, overrides: O) -> ForwardSupport<O> {
        ForwardSupport { inner, overrides }
    }

    /// The support object this one forwards to.
    pub fn inner(&self) -> &Ref<dyn MapiSupport> {
        &self.inner
    }

    /// The overrides.
    pub fn overrides(&self) -> &O {
        &self.overrides
    }
}

impl<O: SupportOverrides> fmt::Debug for ForwardSupport<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForwardSupport")
            .field("inner", &self.inner)
            .field("overrides", &std::any::type_name::<O>())
            .finish()
    }
}

/// The overrides of a [`ForwardSupport`] that change nothing: every call is forwarded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct NoOverrides;

impl SupportOverrides for NoOverrides {}

/// Declares [`SupportOverrides`] and the forwarding `impl MapiSupport for ForwardSupport` from one
/// list of the methods of [`MapiSupport`], so that the two cannot differ.
macro_rules! forward_support {
    ($(
        $(#[$doc:meta])*
        fn $name:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty;
    )*) => {
        /// What a [`ForwardSupport`] does with each [`MapiSupport`] call: one method per method of
        /// [`MapiSupport`], with the same name and arguments after `inner`, the support object
        /// being wrapped.
        ///
        /// Each method forwards by default: it calls the same method of `inner` with the
        /// arguments unchanged and returns its result. Override a method to change the arguments,
        /// the result, or to answer without calling `inner` at all.
        pub trait SupportOverrides: Send + Sync {
            $(
                $(#[$doc])*
                ///
                #[doc = concat!(
                    "By default calls [`MapiSupport::", stringify!($name),
                    "`] of `inner` with the same arguments and returns its result."
                )]
                fn $name(&self, inner: &dyn MapiSupport $(, $arg: $ty)*) -> $ret {
                    inner.$name($($arg),*)
                }
            )*
        }

        impl<O: SupportOverrides> MapiSupport for ForwardSupport<O> {
            $(
                fn $name(&self $(, $arg: $ty)*) -> $ret {
                    self.overrides.$name(&*self.inner $(, $arg)*)
                }
            )*
        }
    };
}

forward_support! {
    /// `GetLastError`.
    fn get_last_error(&self, hresult: MapiError, flags: u32)
        -> MapiResult<Option<MapiBuffer<MapiErrorInfo>>>;
    /// `GetMemAllocRoutines`.
    fn get_mem_alloc_routines(&self) -> MapiResult<MemRoutines>;
    /// `Subscribe`.
    fn subscribe(
        &self,
        key: &[u8],
        mask: EventMask,
        flags: SubscribeFlags,
        sink: &Ref<dyn AdviseSink>,
    ) -> MapiResult<usize>;
    /// `Unsubscribe`.
    fn unsubscribe(&self, connection: usize) -> MapiResult<()>;
    /// `Notify`.
    fn notify(&self, key: &[u8], notifications: &[Notification], flags: u32)
        -> MapiResult<NotifyResultFlags>;
    /// `ModifyStatusRow`.
    fn modify_status_row(&self, columns: &[Prop], flags: StatusRowFlags) -> MapiResult<()>;
    /// `OpenProfileSection`.
    fn open_profile_section(&self, uid: Option<&MapiUid>, flags: ProfileSectionFlags)
        -> MapiResult<Ref<dyn ProfSect>>;
    /// `RegisterPreprocessor`.
    #[allow(clippy::too_many_arguments)] // MAPI's six, after `inner`
    fn register_preprocessor(
        &self,
        uid: Option<&MapiUid>,
        address_type: Option<TStr<'_>>,
        dll_name: TStr<'_>,
        preprocess: Option<&[u8]>,
        remove_preprocess_info: Option<&[u8]>,
        flags: u32,
    ) -> MapiResult<()>;
    /// `NewUID`.
    fn new_uid(&self) -> MapiResult<MapiUid>;
    /// `MakeInvalid`.
    fn make_invalid(&self, flags: u32, object: &Ref<dyn Unknown>, ref_count: u32, methods: u32)
        -> MapiResult<()>;
    /// `SpoolerYield`.
    fn spooler_yield(&self, flags: u32) -> MapiResult<()>;
    /// `SpoolerNotify`.
    fn spooler_notify(&self, flags: SpoolerNotifyFlags, data: SpoolerNotifyData<'_>) -> MapiResult<()>;
    /// `CreateOneOff`.
    fn create_one_off(
        &self,
        name: Option<TStr<'_>>,
        address_type: TStr<'_>,
        address: TStr<'_>,
        flags: u32,
    ) -> MapiResult<Vec<u8>>;
    /// `SetProviderUID`.
    fn set_provider_uid(&self, uid: &MapiUid, flags: u32) -> MapiResult<()>;
    /// `CompareEntryIDs`.
    fn compare_entry_ids(&self, a: &[u8], b: &[u8], flags: u32) -> MapiResult<bool>;
    /// `OpenTemplateID`.
    fn open_template_id(
        &self,
        template_id: &[u8],
        flags: u32,
        data: &Ref<dyn MapiProp>,
        interface: Option<Iid>,
        sibling: Option<&Ref<dyn MapiProp>>,
    ) -> MapiResult<Ref<dyn MapiProp>>;
    /// `OpenEntry`.
    fn open_entry(&self, entry_id: &[u8], interface: Option<Iid>, flags: u32) -> MapiResult<OpenedEntry>;
    /// `GetOneOffTable`.
    fn get_one_off_table(&self, flags: u32) -> MapiResult<Ref<dyn Unknown>>;
    /// `Address`.
    fn address(
        &self,
        ui_param: &mut usize,
        adr_parms: &mut AdrParm,
        recipients: &mut Vec<Vec<Prop>>,
    ) -> MapiResult<()>;
    /// `Details`.
    #[allow(clippy::too_many_arguments)] // MAPI's eight, after `inner`
    fn details(
        &self,
        ui_param: &mut usize,
        dismiss: Option<usize>,
        dismiss_context: Option<usize>,
        entry_id: &[u8],
        button_callback: Option<usize>,
        button_context: Option<usize>,
        button_text: Option<TStr<'_>>,
        flags: u32,
    ) -> MapiResult<()>;
    /// `NewEntry`.
    fn new_entry(
        &self,
        ui_param: usize,
        flags: u32,
        container: Option<&[u8]>,
        template: Option<&[u8]>,
    ) -> MapiResult<Vec<u8>>;
    /// `DoConfigPropsheet`.
    #[allow(clippy::too_many_arguments)] // MAPI's six, after `inner`
    fn do_config_propsheet(
        &self,
        ui_param: usize,
        flags: u32,
        title: TStr<'_>,
        display_table: &Ref<dyn Unknown>,
        config: &Ref<dyn MapiProp>,
        top_page: u32,
    ) -> MapiResult<()>;
    /// `CopyMessages`.
    #[allow(clippy::too_many_arguments)] // MAPI's eight, after `inner`
    fn copy_messages(
        &self,
        src_interface: &Iid,
        src_folder: &Ref<dyn Unknown>,
        messages: &[Vec<u8>],
        dest_interface: &Iid,
        dest_folder: &Ref<dyn Unknown>,
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        flags: u32,
    ) -> MapiResult<()>;
    /// `CopyFolder`.
    #[allow(clippy::too_many_arguments)] // MAPI's nine, after `inner`
    fn copy_folder(
        &self,
        src_interface: &Iid,
        src_folder: &Ref<dyn Unknown>,
        entry_id: &[u8],
        dest_interface: Option<&Iid>,
        dest_folder: &Ref<dyn Unknown>,
        new_name: Option<TStr<'_>>,
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        flags: u32,
    ) -> MapiResult<()>;
    /// `DoCopyTo`.
    #[allow(clippy::too_many_arguments)] // MAPI's nine, after `inner`
    fn do_copy_to(
        &self,
        src_interface: &Iid,
        src: &Ref<dyn Unknown>,
        exclude_interfaces: &[Iid],
        exclude_props: Option<&[PropTag]>,
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        dest_interface: &Iid,
        dest: &Ref<dyn Unknown>,
        flags: u32,
    ) -> MapiResult<Vec<PropProblem>>;
    /// `DoCopyProps`.
    #[allow(clippy::too_many_arguments)] // MAPI's eight, after `inner`
    fn do_copy_props(
        &self,
        src_interface: &Iid,
        src: &Ref<dyn Unknown>,
        include: &[PropTag],
        ui_param: usize,
        progress: Option<&Ref<dyn MapiProgress>>,
        dest_interface: &Iid,
        dest: &Ref<dyn Unknown>,
        flags: u32,
    ) -> MapiResult<Vec<PropProblem>>;
    /// `DoProgressDialog`.
    fn do_progress_dialog(&self, ui_param: usize, flags: u32) -> MapiResult<Ref<dyn MapiProgress>>;
    /// `ReadReceipt`.
    fn read_receipt(
        &self,
        flags: ReadReceiptFlags,
        read_message: &Ref<dyn MapiProp>,
        empty_message: Option<&Ref<dyn MapiProp>>,
    ) -> MapiResult<Option<Ref<dyn MapiProp>>>;
    /// `PrepareSubmit`.
    fn prepare_submit(&self, message: &Ref<dyn MapiProp>, flags: u32) -> MapiResult<u32>;
    /// `ExpandRecips`.
    fn expand_recips(&self, message: &Ref<dyn MapiProp>, flags: u32) -> MapiResult<u32>;
    /// `UpdatePAB`.
    fn update_pab(&self, flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<()>;
    /// `DoSentMail`.
    fn do_sent_mail(&self, flags: u32, message: &Ref<dyn MapiProp>) -> MapiResult<()>;
    /// `OpenAddressBook`.
    fn open_address_book(&self, interface: Option<Iid>, flags: u32) -> MapiResult<Ref<dyn Unknown>>;
    /// `Preprocess`.
    fn preprocess(&self, flags: u32, entry_id: &[u8]) -> MapiResult<()>;
    /// `CompleteMsg`.
    fn complete_msg(&self, flags: u32, entry_id: &[u8]) -> MapiResult<()>;
    /// `StoreLogoffTransports`.
    fn store_logoff_transports(&self, flags: LogoffFlags) -> MapiResult<LogoffFlags>;
    /// `StatusRecips`.
    fn status_recips(&self, message: &Ref<dyn MapiProp>, recipients: &[Vec<Prop>]) -> MapiResult<()>;
    /// `WrapStoreEntryID`.
    fn wrap_store_entry_id(&self, original: &[u8]) -> MapiResult<BufferId>;
    /// `ModifyProfile`.
    fn modify_profile(&self, flags: u32) -> MapiResult<()>;
    /// `IStorageFromStream`.
    fn istorage_from_stream(
        &self,
        stream_in: &Ref<dyn Unknown>,
        interface: Option<&Iid>,
        flags: StorageFromStreamFlags,
    ) -> MapiResult<Ref<dyn Unknown>>;
    /// `GetSvcConfigSupportObj`.
    fn get_svc_config_support_obj(&self, flags: u32) -> MapiResult<Ref<dyn MapiSupport>>;
}
