//! MAPI status codes: [`MapiError`] for failures, [`MapiWarning`] for successes that carry a
//! warning, and [`Status`] to classify any `HRESULT`.
//!
//! Every code of the MAPI headers (`MAPICode.h`) has one variant with its exact `HRESULT` value and
//! its symbolic name. Five of them alias OLE and Win32 codes (`MAPI_E_CALL_FAILED` is `E_FAIL`, and
//! so on); the variant is named after the MAPI name, which is what providers return.
//!
//! ```
//! use mapisim::{MapiError, Status};
//!
//! let e = MapiError::FailOneProvider;
//! assert_eq!(e.hresult() as u32, 0x8004_011D);
//! assert_eq!(e.to_string(), "MAPI_E_FAILONEPROVIDER (0x8004011D)");
//! assert_eq!(MapiError::from_hresult(0x8004_011D_u32 as i32), e);
//! // A code outside the table is kept, not refused.
//! assert_eq!(MapiError::from_hresult(0x8004_0999_u32 as i32).hresult() as u32, 0x8004_0999);
//! // Success with a warning is not an error.
//! assert!(matches!(Status::from_hresult(0x0004_0380), Status::Warning(_)));
//! ```

use std::fmt;

/// The result of a MAPI call: a value, or the [`MapiError`] the call failed with.
pub type MapiResult<T> = Result<T, MapiError>;

/// `S_OK`: the `HRESULT` of a call that succeeded without a warning.
pub const S_OK: i32 = 0;

/// `MAKE_MAPI_E(code)`: the failing `HRESULT` in MAPI's interface facility (`0x80040000 | code`).
pub const fn make_mapi_e(code: u32) -> i32 {
    (0x8004_0000 | code) as i32
}

/// `MAKE_MAPI_S(code)`: the succeeding `HRESULT` in MAPI's interface facility (`0x00040000 | code`).
pub const fn make_mapi_s(code: u32) -> i32 {
    (0x0004_0000 | code) as i32
}

/// Declares the error enum, its value and name tables from one list, so that a code's variant,
/// value and name cannot drift apart.
macro_rules! mapi_errors {
    ($( $(#[$doc:meta])* $variant:ident = $value:literal, $name:literal; )*) => {
        /// A failing MAPI status code (an `HRESULT` with the severity bit set).
        ///
        /// One variant per code of `MAPICode.h`, each with its exact value ([`hresult`]) and its
        /// symbolic name ([`name`]). A failing code that is not in the table is kept as
        /// [`MapiError::Unknown`] rather than refused.
        ///
        /// [`hresult`]: MapiError::hresult
        /// [`name`]: MapiError::name
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[non_exhaustive]
        pub enum MapiError {
            $( $(#[$doc])* $variant, )*
            /// A code outside the MAPI table, kept as it was received.
            Unknown(i32),
        }

        impl MapiError {
            /// Every named error, in the order of the MAPI headers.
            pub const ALL: &'static [MapiError] = &[ $( MapiError::$variant, )* ];

            /// The exact `HRESULT` value.
            pub const fn hresult(self) -> i32 {
                match self {
                    $( MapiError::$variant => { let v: u32 = $value; v as i32 } )*
                    MapiError::Unknown(hr) => hr,
                }
            }

            /// The symbolic name (`MAPI_E_NOT_FOUND`), or `None` for [`MapiError::Unknown`].
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $( MapiError::$variant => Some($name), )*
                    MapiError::Unknown(_) => None,
                }
            }

            /// The error with this exact `HRESULT`; a value outside the table (including a
            /// success code, which is not an error at all) gives [`MapiError::Unknown`].
            /// Use [`Status::from_hresult`] to classify a code of any severity.
            pub const fn from_hresult(hr: i32) -> MapiError {
                match hr as u32 {
                    $( $value => MapiError::$variant, )*
                    _ => MapiError::Unknown(hr),
                }
            }

            /// The error with this symbolic name (`"MAPI_E_NOT_FOUND"`), if there is one.
            pub fn from_name(name: &str) -> Option<MapiError> {
                match name {
                    $( $name => Some(MapiError::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

mapi_errors! {
    /// `MAPI_E_CALL_FAILED`, the same value as `E_FAIL`: a generic failure.
    CallFailed = 0x8000_4005, "MAPI_E_CALL_FAILED";
    /// `MAPI_E_NOT_ENOUGH_MEMORY`, the same value as `E_OUTOFMEMORY`.
    NotEnoughMemory = 0x8007_000E, "MAPI_E_NOT_ENOUGH_MEMORY";
    /// `MAPI_E_INVALID_PARAMETER`, the same value as `E_INVALIDARG`.
    InvalidParameter = 0x8007_0057, "MAPI_E_INVALID_PARAMETER";
    /// `MAPI_E_INTERFACE_NOT_SUPPORTED`, the same value as `E_NOINTERFACE`.
    InterfaceNotSupported = 0x8000_4002, "MAPI_E_INTERFACE_NOT_SUPPORTED";
    /// `MAPI_E_NO_ACCESS`, the same value as `E_ACCESSDENIED`.
    NoAccess = 0x8007_0005, "MAPI_E_NO_ACCESS";
    /// `MAPI_E_NO_SUPPORT`: the method is not implemented by this object.
    NoSupport = 0x8004_0102, "MAPI_E_NO_SUPPORT";
    /// `MAPI_E_BAD_CHARWIDTH`: `MAPI_UNICODE` asked of an implementation without it.
    BadCharwidth = 0x8004_0103, "MAPI_E_BAD_CHARWIDTH";
    /// `MAPI_E_STRING_TOO_LONG`.
    StringTooLong = 0x8004_0105, "MAPI_E_STRING_TOO_LONG";
    /// `MAPI_E_UNKNOWN_FLAGS`: a flag argument has bits the callee does not know.
    UnknownFlags = 0x8004_0106, "MAPI_E_UNKNOWN_FLAGS";
    /// `MAPI_E_INVALID_ENTRYID`.
    InvalidEntryid = 0x8004_0107, "MAPI_E_INVALID_ENTRYID";
    /// `MAPI_E_INVALID_OBJECT`: the object was invalidated (what `MakeInvalid` stubs return).
    InvalidObject = 0x8004_0108, "MAPI_E_INVALID_OBJECT";
    /// `MAPI_E_OBJECT_CHANGED`.
    ObjectChanged = 0x8004_0109, "MAPI_E_OBJECT_CHANGED";
    /// `MAPI_E_OBJECT_DELETED`.
    ObjectDeleted = 0x8004_010A, "MAPI_E_OBJECT_DELETED";
    /// `MAPI_E_BUSY`.
    Busy = 0x8004_010B, "MAPI_E_BUSY";
    /// `MAPI_E_NOT_ENOUGH_DISK`.
    NotEnoughDisk = 0x8004_010D, "MAPI_E_NOT_ENOUGH_DISK";
    /// `MAPI_E_NOT_ENOUGH_RESOURCES`.
    NotEnoughResources = 0x8004_010E, "MAPI_E_NOT_ENOUGH_RESOURCES";
    /// `MAPI_E_NOT_FOUND`.
    NotFound = 0x8004_010F, "MAPI_E_NOT_FOUND";
    /// `MAPI_E_VERSION`: the two sides' SPI versions do not overlap.
    Version = 0x8004_0110, "MAPI_E_VERSION";
    /// `MAPI_E_LOGON_FAILED`.
    LogonFailed = 0x8004_0111, "MAPI_E_LOGON_FAILED";
    /// `MAPI_E_SESSION_LIMIT`.
    SessionLimit = 0x8004_0112, "MAPI_E_SESSION_LIMIT";
    /// `MAPI_E_USER_CANCEL`.
    UserCancel = 0x8004_0113, "MAPI_E_USER_CANCEL";
    /// `MAPI_E_UNABLE_TO_ABORT`.
    UnableToAbort = 0x8004_0114, "MAPI_E_UNABLE_TO_ABORT";
    /// `MAPI_E_NETWORK_ERROR`.
    NetworkError = 0x8004_0115, "MAPI_E_NETWORK_ERROR";
    /// `MAPI_E_DISK_ERROR`.
    DiskError = 0x8004_0116, "MAPI_E_DISK_ERROR";
    /// `MAPI_E_TOO_COMPLEX`.
    TooComplex = 0x8004_0117, "MAPI_E_TOO_COMPLEX";
    /// `MAPI_E_BAD_COLUMN`.
    BadColumn = 0x8004_0118, "MAPI_E_BAD_COLUMN";
    /// `MAPI_E_EXTENDED_ERROR`.
    ExtendedError = 0x8004_0119, "MAPI_E_EXTENDED_ERROR";
    /// `MAPI_E_COMPUTED`.
    Computed = 0x8004_011A, "MAPI_E_COMPUTED";
    /// `MAPI_E_CORRUPT_DATA`.
    CorruptData = 0x8004_011B, "MAPI_E_CORRUPT_DATA";
    /// `MAPI_E_UNCONFIGURED`: the provider needs configuring; MAPI runs the service entry and retries.
    Unconfigured = 0x8004_011C, "MAPI_E_UNCONFIGURED";
    /// `MAPI_E_FAILONEPROVIDER`: only this provider failed; its message service stays enabled.
    FailOneProvider = 0x8004_011D, "MAPI_E_FAILONEPROVIDER";
    /// `MAPI_E_UNKNOWN_CPID`.
    UnknownCpid = 0x8004_011E, "MAPI_E_UNKNOWN_CPID";
    /// `MAPI_E_UNKNOWN_LCID`.
    UnknownLcid = 0x8004_011F, "MAPI_E_UNKNOWN_LCID";
    /// `MAPI_E_PASSWORD_CHANGE_REQUIRED`.
    PasswordChangeRequired = 0x8004_0120, "MAPI_E_PASSWORD_CHANGE_REQUIRED";
    /// `MAPI_E_PASSWORD_EXPIRED`.
    PasswordExpired = 0x8004_0121, "MAPI_E_PASSWORD_EXPIRED";
    /// `MAPI_E_INVALID_WORKSTATION_ACCOUNT`.
    InvalidWorkstationAccount = 0x8004_0122, "MAPI_E_INVALID_WORKSTATION_ACCOUNT";
    /// `MAPI_E_INVALID_ACCESS_TIME`.
    InvalidAccessTime = 0x8004_0123, "MAPI_E_INVALID_ACCESS_TIME";
    /// `MAPI_E_ACCOUNT_DISABLED`.
    AccountDisabled = 0x8004_0124, "MAPI_E_ACCOUNT_DISABLED";
    /// `MAPI_E_END_OF_SESSION`: the session this object belonged to has ended.
    EndOfSession = 0x8004_0200, "MAPI_E_END_OF_SESSION";
    /// `MAPI_E_UNKNOWN_ENTRYID`: no logon registered the entry ID's MAPIUID.
    UnknownEntryid = 0x8004_0201, "MAPI_E_UNKNOWN_ENTRYID";
    /// `MAPI_E_MISSING_REQUIRED_COLUMN`.
    MissingRequiredColumn = 0x8004_0202, "MAPI_E_MISSING_REQUIRED_COLUMN";
    /// `MAPI_E_BAD_VALUE`.
    BadValue = 0x8004_0301, "MAPI_E_BAD_VALUE";
    /// `MAPI_E_INVALID_TYPE`.
    InvalidType = 0x8004_0302, "MAPI_E_INVALID_TYPE";
    /// `MAPI_E_TYPE_NO_SUPPORT`.
    TypeNoSupport = 0x8004_0303, "MAPI_E_TYPE_NO_SUPPORT";
    /// `MAPI_E_UNEXPECTED_TYPE`.
    UnexpectedType = 0x8004_0304, "MAPI_E_UNEXPECTED_TYPE";
    /// `MAPI_E_TOO_BIG`.
    TooBig = 0x8004_0305, "MAPI_E_TOO_BIG";
    /// `MAPI_E_DECLINE_COPY`.
    DeclineCopy = 0x8004_0306, "MAPI_E_DECLINE_COPY";
    /// `MAPI_E_UNEXPECTED_ID`.
    UnexpectedId = 0x8004_0307, "MAPI_E_UNEXPECTED_ID";
    /// `MAPI_E_UNABLE_TO_COMPLETE`.
    UnableToComplete = 0x8004_0400, "MAPI_E_UNABLE_TO_COMPLETE";
    /// `MAPI_E_TIMEOUT`.
    Timeout = 0x8004_0401, "MAPI_E_TIMEOUT";
    /// `MAPI_E_TABLE_EMPTY`.
    TableEmpty = 0x8004_0402, "MAPI_E_TABLE_EMPTY";
    /// `MAPI_E_TABLE_TOO_BIG`.
    TableTooBig = 0x8004_0403, "MAPI_E_TABLE_TOO_BIG";
    /// `MAPI_E_INVALID_BOOKMARK`.
    InvalidBookmark = 0x8004_0405, "MAPI_E_INVALID_BOOKMARK";
    /// `MAPI_E_WAIT` (transports).
    Wait = 0x8004_0500, "MAPI_E_WAIT";
    /// `MAPI_E_CANCEL` (transports).
    Cancel = 0x8004_0501, "MAPI_E_CANCEL";
    /// `MAPI_E_NOT_ME` (transports).
    NotMe = 0x8004_0502, "MAPI_E_NOT_ME";
    /// `MAPI_E_CORRUPT_STORE` (stores).
    CorruptStore = 0x8004_0600, "MAPI_E_CORRUPT_STORE";
    /// `MAPI_E_NOT_IN_QUEUE`.
    NotInQueue = 0x8004_0601, "MAPI_E_NOT_IN_QUEUE";
    /// `MAPI_E_NO_SUPPRESS`.
    NoSuppress = 0x8004_0602, "MAPI_E_NO_SUPPRESS";
    /// `MAPI_E_COLLISION`.
    Collision = 0x8004_0604, "MAPI_E_COLLISION";
    /// `MAPI_E_NOT_INITIALIZED`: a MAPI call before `MAPIInitialize`.
    NotInitialized = 0x8004_0605, "MAPI_E_NOT_INITIALIZED";
    /// `MAPI_E_NON_STANDARD`.
    NonStandard = 0x8004_0606, "MAPI_E_NON_STANDARD";
    /// `MAPI_E_NO_RECIPIENTS`.
    NoRecipients = 0x8004_0607, "MAPI_E_NO_RECIPIENTS";
    /// `MAPI_E_SUBMITTED`.
    Submitted = 0x8004_0608, "MAPI_E_SUBMITTED";
    /// `MAPI_E_HAS_FOLDERS`.
    HasFolders = 0x8004_0609, "MAPI_E_HAS_FOLDERS";
    /// `MAPI_E_HAS_MESSAGES`.
    HasMessages = 0x8004_060A, "MAPI_E_HAS_MESSAGES";
    /// `MAPI_E_FOLDER_CYCLE`.
    FolderCycle = 0x8004_060B, "MAPI_E_FOLDER_CYCLE";
    /// `MAPI_E_AMBIGUOUS_RECIP`.
    AmbiguousRecip = 0x8004_0700, "MAPI_E_AMBIGUOUS_RECIP";
}

impl MapiError {
    /// The `HRESULT` as an unsigned 32-bit `SCODE`, the form the documents print.
    pub const fn scode(self) -> u32 {
        self.hresult() as u32
    }
}

impl fmt::Display for MapiError {
    /// `MAPI_E_FAILONEPROVIDER (0x8004011D)`; an unknown code prints as `HRESULT 0x80040999`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} (0x{:08X})", self.scode()),
            None => write!(f, "HRESULT 0x{:08X}", self.scode()),
        }
    }
}

impl std::error::Error for MapiError {}

impl From<MapiError> for i32 {
    fn from(e: MapiError) -> i32 {
        e.hresult()
    }
}

macro_rules! mapi_warnings {
    ($( $(#[$doc:meta])* $variant:ident = $value:literal, $name:literal; )*) => {
        /// A succeeding MAPI status code that carries a warning (`MAPI_W_*`).
        ///
        /// Warnings are not errors: `HR_FAILED` is false for them. A method that can succeed with
        /// a warning returns a [`Warned`] value so that the warning is not lost.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[non_exhaustive]
        pub enum MapiWarning {
            $( $(#[$doc])* $variant, )*
            /// A succeeding code other than `S_OK` that is not in the table, kept as received.
            Unknown(i32),
        }

        impl MapiWarning {
            /// Every named warning, in the order of the MAPI headers.
            pub const ALL: &'static [MapiWarning] = &[ $( MapiWarning::$variant, )* ];

            /// The exact `HRESULT` value.
            pub const fn hresult(self) -> i32 {
                match self {
                    $( MapiWarning::$variant => $value, )*
                    MapiWarning::Unknown(hr) => hr,
                }
            }

            /// The symbolic name (`MAPI_W_ERRORS_RETURNED`), or `None` for an unknown code.
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $( MapiWarning::$variant => Some($name), )*
                    MapiWarning::Unknown(_) => None,
                }
            }

            /// The warning with this exact `HRESULT`; any other value gives
            /// [`MapiWarning::Unknown`].
            pub const fn from_hresult(hr: i32) -> MapiWarning {
                match hr {
                    $( $value => MapiWarning::$variant, )*
                    _ => MapiWarning::Unknown(hr),
                }
            }

            /// The warning with this symbolic name, if there is one.
            pub fn from_name(name: &str) -> Option<MapiWarning> {
                match name {
                    $( $name => Some(MapiWarning::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

mapi_warnings! {
    /// `MAPI_W_NO_SERVICE`.
    NoService = 0x0004_0203, "MAPI_W_NO_SERVICE";
    /// `MAPI_W_ERRORS_RETURNED`: the call succeeded, but some values could not be returned.
    ErrorsReturned = 0x0004_0380, "MAPI_W_ERRORS_RETURNED";
    /// `MAPI_W_POSITION_CHANGED`.
    PositionChanged = 0x0004_0481, "MAPI_W_POSITION_CHANGED";
    /// `MAPI_W_APPROX_COUNT`.
    ApproxCount = 0x0004_0482, "MAPI_W_APPROX_COUNT";
    /// `MAPI_W_CANCEL_MESSAGE`.
    CancelMessage = 0x0004_0580, "MAPI_W_CANCEL_MESSAGE";
    /// `MAPI_W_PARTIAL_COMPLETION`.
    PartialCompletion = 0x0004_0680, "MAPI_W_PARTIAL_COMPLETION";
}

impl fmt::Display for MapiWarning {
    /// `MAPI_W_ERRORS_RETURNED (0x00040380)`; an unknown code prints as `HRESULT 0x00040999`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} (0x{:08X})", self.hresult() as u32),
            None => write!(f, "HRESULT 0x{:08X}", self.hresult() as u32),
        }
    }
}

/// Any `HRESULT`, classified: plain success, success with a warning, or failure.
///
/// This is the total conversion from an `HRESULT`: every 32-bit value maps to exactly one status
/// and back to the same value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Status {
    /// `S_OK` (`hrSuccess`, `SUCCESS_SUCCESS`).
    Ok,
    /// A succeeding code other than `S_OK`.
    Warning(MapiWarning),
    /// A failing code (severity bit set).
    Error(MapiError),
}

impl Status {
    /// Classifies an `HRESULT` by its severity bit and value.
    pub const fn from_hresult(hr: i32) -> Status {
        if hr == S_OK {
            Status::Ok
        } else if hr > 0 {
            Status::Warning(MapiWarning::from_hresult(hr))
        } else {
            Status::Error(MapiError::from_hresult(hr))
        }
    }

    /// The exact `HRESULT` value.
    pub const fn hresult(self) -> i32 {
        match self {
            Status::Ok => S_OK,
            Status::Warning(w) => w.hresult(),
            Status::Error(e) => e.hresult(),
        }
    }

    /// Whether the code is a failure (`HR_FAILED`).
    pub const fn failed(self) -> bool {
        matches!(self, Status::Error(_))
    }

    /// The status of a call's result: `Ok` or its warning, or its error.
    pub fn of<T>(result: &MapiResult<Warned<T>>) -> Status {
        match result {
            Ok(w) => match w.warning {
                Some(warning) => Status::Warning(warning),
                None => Status::Ok,
            },
            Err(e) => Status::Error(*e),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Ok => f.write_str("S_OK"),
            Status::Warning(w) => w.fmt(f),
            Status::Error(e) => e.fmt(f),
        }
    }
}

/// A successful value together with the warning, if any, that the call succeeded with.
///
/// MAPI methods such as `IMSProvider::Logon` or `IMAPIProp::GetProps` may return
/// `MAPI_W_ERRORS_RETURNED`: the call worked and produced its outputs, but some part is missing.
/// Such methods return `MapiResult<Warned<T>>`, so the warning travels with the value.
///
/// ```
/// use mapisim::{MapiWarning, Warned};
///
/// let plain = Warned::ok(7);
/// assert_eq!(plain.warning(), None);
/// let partial = Warned::with_warning(7, MapiWarning::ErrorsReturned);
/// assert_eq!(partial.hresult() as u32, 0x0004_0380);
/// assert_eq!(partial.into_value(), 7);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Warned<T> {
    /// The value the call produced.
    pub value: T,
    /// The warning the call succeeded with, or `None` for plain `S_OK`.
    pub warning: Option<MapiWarning>,
}

impl<T> Warned<T> {
    /// A value returned with `S_OK`.
    pub const fn ok(value: T) -> Self {
        Warned { value, warning: None }
    }

    /// A value returned with a warning code.
    pub const fn with_warning(value: T, warning: MapiWarning) -> Self {
        Warned {
            value,
            warning: Some(warning),
        }
    }

    /// The warning, if any.
    pub const fn warning(&self) -> Option<MapiWarning> {
        self.warning
    }

    /// The `HRESULT` the call returned: `S_OK` or the warning's value.
    pub const fn hresult(&self) -> i32 {
        match self.warning {
            Some(w) => w.hresult(),
            None => S_OK,
        }
    }

    /// Drops the warning and keeps the value.
    pub fn into_value(self) -> T {
        self.value
    }

    /// Applies `f` to the value, keeping the warning.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Warned<U> {
        Warned {
            value: f(self.value),
            warning: self.warning,
        }
    }

    /// Applies a fallible `f` to the value, keeping the warning if it succeeds.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Warned<U>, E> {
        Ok(Warned {
            value: f(self.value)?,
            warning: self.warning,
        })
    }
}

impl<T> From<T> for Warned<T> {
    fn from(value: T) -> Self {
        Warned::ok(value)
    }
}
