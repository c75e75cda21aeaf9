//! Flag families and enumerated values of the MAPI lifecycle, with the exact values of the MAPI
//! headers.
//!
//! Each flag family is a [`bitflags`] type named after the call or property it belongs to
//! ([`LogonFlags`] for `MAPILogonEx`, [`LogoffFlags`] for `IMsgStore::StoreLogoff`, …). Constant
//! names drop the MAPI prefix (`LOGOFF_ABORT` is [`LogoffFlags::ABORT`]); the MAPI name of every
//! constant is kept in [`MapiFlags::NAMES`] and used by `Display`, so traces read like the
//! documentation.
//!
//! **Unknown bits are kept.** [`MapiFlags::from_raw`] never drops a bit, and
//! [`MapiFlags::unknown_bits`] says which bits the family does not know; the simulator answers a
//! call that carries them with `MAPI_E_UNKNOWN_FLAGS` ([`MapiFlags::check_known`]).
//!
//! ```
//! use mapisim::flags::{LogonFlags, MapiFlags};
//! use mapisim::MapiError;
//!
//! let flags = LogonFlags::from_raw(0x0000_8020 | 0x0400_0000);
//! assert!(flags.contains(LogonFlags::NO_MAIL | LogonFlags::EXTENDED));
//! assert_eq!(flags.unknown_bits(), 0x0400_0000);
//! assert_eq!(flags.to_string(), "MAPI_EXTENDED|MAPI_NO_MAIL|0x04000000");
//! assert_eq!(flags.check_known(), Err(MapiError::UnknownFlags));
//! assert_eq!(LogonFlags::parse_names("MAPI_EXTENDED | MAPI_NO_MAIL"), Ok(LogonFlags::EXTENDED | LogonFlags::NO_MAIL));
//! ```

use std::fmt;

use bitflags::Flags;

use crate::error::MapiError;

/// What every MAPI flag family offers beyond [`bitflags::Flags`]: MAPI names, unknown-bit
/// accounting and parsing of `|`-joined symbolic names (the form Mapisvc.inf uses).
pub trait MapiFlags: Flags<Bits = u32> + Copy + fmt::Debug + fmt::Display + 'static {
    /// The call or property the family belongs to, for messages (`"IMsgStore::StoreLogoff"`).
    const FAMILY: &'static str;
    /// Every named constant of the family: its MAPI name and exact value, in header order.
    /// Composite names (several bits) come after the single flags they combine.
    const NAMES: &'static [(&'static str, u32)];

    /// The flags with exactly these bits, unknown ones included.
    fn from_raw(bits: u32) -> Self {
        Self::from_bits_retain(bits)
    }

    /// The bits this family does not name.
    fn unknown_bits(self) -> u32 {
        self.bits() & !Self::all().bits()
    }

    /// `Ok(self)` when every bit is known, `Err(MAPI_E_UNKNOWN_FLAGS)` otherwise.
    fn check_known(self) -> Result<Self, MapiError> {
        if self.unknown_bits() == 0 {
            Ok(self)
        } else {
            Err(MapiError::UnknownFlags)
        }
    }

    /// The constant with this MAPI name (`"MAPI_NO_MAIL"`), if the family has it.
    fn from_mapi_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, bits)| Self::from_bits_retain(bits))
    }

    /// Parses MAPI names joined with `|`, with or without white space around each name
    /// (`"STATUS_DEFAULT_STORE|STATUS_PRIMARY_STORE"`). `"0"` and the empty string give no flags.
    /// The error is the first name the family does not know.
    fn parse_names(text: &str) -> Result<Self, UnknownFlagName> {
        let text = text.trim();
        if text.is_empty() || text == "0" {
            return Ok(Self::empty());
        }
        let mut bits = 0;
        for part in text.split('|') {
            let name = part.trim();
            match Self::from_mapi_name(name) {
                Some(flag) => bits |= flag.bits(),
                None => {
                    return Err(UnknownFlagName {
                        family: Self::FAMILY,
                        name: name.to_owned(),
                    });
                }
            }
        }
        Ok(Self::from_bits_retain(bits))
    }

    /// Writes the flags as MAPI names joined with `|`, unknown bits as one hexadecimal number at
    /// the end, and no flags as `0`. This is the form `Display` uses.
    fn write_names(self, f: &mut dyn fmt::Write) -> fmt::Result {
        write_flag_names(self.bits(), Self::NAMES, f)
    }
}

/// Writes `bits` as the names of `names` joined with `|` (the form of [`MapiFlags::write_names`]).
pub(crate) fn write_flag_names(
    bits: u32,
    names: &[(&'static str, u32)],
    f: &mut dyn fmt::Write,
) -> fmt::Result {
    if bits == 0 {
        return f.write_str("0");
    }
    let mut remaining = bits;
    let mut first = true;
    for &(name, value) in names {
        if value != 0 && bits & value == value && remaining & value != 0 {
            if !first {
                f.write_char('|')?;
            }
            f.write_str(name)?;
            first = false;
            remaining &= !value;
        }
    }
    if remaining != 0 {
        if !first {
            f.write_char('|')?;
        }
        write!(f, "0x{remaining:08X}")?;
    }
    Ok(())
}

/// A flag name that its family does not define (from [`MapiFlags::parse_names`]).
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("`{name}` is not a flag of {family}")]
pub struct UnknownFlagName {
    /// The family that was asked ([`MapiFlags::FAMILY`]).
    pub family: &'static str,
    /// The name as written.
    pub name: String,
}

/// Declares a flag family: the bitflags type, its MAPI names and its `Display`.
macro_rules! mapi_flags {
    (
        $(#[$($outer:tt)*])*
        pub struct $Name:ident: $family:literal {
            $( $(#[$($inner:tt)*])* const $Flag:ident = $value:literal, $mapi:literal; )*
        }
    ) => {
        bitflags::bitflags! {
            $(#[$($outer)*])*
            ///
            /// Unknown bits are kept: see [`MapiFlags`].
            #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
            pub struct $Name: u32 {
                $( $(#[$($inner)*])* const $Flag = $value; )*
            }
        }

        impl MapiFlags for $Name {
            const FAMILY: &'static str = $family;
            const NAMES: &'static [(&'static str, u32)] = &[ $( ($mapi, $value), )* ];
        }

        impl fmt::Display for $Name {
            /// MAPI names joined with `|` (see [`MapiFlags::write_names`]).
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.write_names(f)
            }
        }
    };
}

mapi_flags! {
    /// `MAPIINIT_0.ulFlags`, given to `MAPIInitialize`.
    pub struct InitFlags: "MAPIInitialize" {
        /// `MAPI_MULTITHREAD_NOTIFICATIONS`: notifications arrive on a thread MAPI owns instead of
        /// the thread that first initialized MAPI.
        const MULTITHREAD_NOTIFICATIONS = 0x0000_0001, "MAPI_MULTITHREAD_NOTIFICATIONS";
        /// `MAPI_NO_COINIT`: COM is already initialized; MAPI skips `CoInitialize`.
        const NO_COINIT = 0x0000_0008, "MAPI_NO_COINIT";
        /// `MAPI_NT_SERVICE`: the caller is a Windows service.
        const NT_SERVICE = 0x0001_0000, "MAPI_NT_SERVICE";
    }
}

mapi_flags! {
    /// `ulFlags` of a provider entry point (`MSProviderInit`, `ABProviderInit`, `XPProviderInit`).
    pub struct ProviderInitFlags: "MSProviderInit" {
        /// `MAPI_NT_SERVICE`: the provider is loaded inside a Windows service (no UI is possible).
        const NT_SERVICE = 0x0001_0000, "MAPI_NT_SERVICE";
    }
}

mapi_flags! {
    /// `flFlags` of `MAPILogonEx`.
    pub struct LogonFlags: "MAPILogonEx" {
        /// `MAPI_LOGON_UI`: a logon dialog may be shown.
        const LOGON_UI = 0x0000_0001, "MAPI_LOGON_UI";
        /// `MAPI_NEW_SESSION`: do not reuse the shared session.
        const NEW_SESSION = 0x0000_0002, "MAPI_NEW_SESSION";
        /// `MAPI_APP_PROFILE`: include application profiles in the picker.
        const APP_PROFILE = 0x0000_0004, "MAPI_APP_PROFILE";
        /// `MAPI_ALLOW_OTHERS`: make or return the shared session.
        const ALLOW_OTHERS = 0x0000_0008, "MAPI_ALLOW_OTHERS";
        /// `MAPI_EXPLICIT_PROFILE`: do not fall back to the default profile.
        const EXPLICIT_PROFILE = 0x0000_0010, "MAPI_EXPLICIT_PROFILE";
        /// `MAPI_EXTENDED`: an Extended MAPI logon (always set).
        const EXTENDED = 0x0000_0020, "MAPI_EXTENDED";
        /// `MAPI_USE_DEFAULT`: use the default profile's name.
        const USE_DEFAULT = 0x0000_0040, "MAPI_USE_DEFAULT";
        /// `MAPI_FORCE_DOWNLOAD`: try to download all mail before returning.
        const FORCE_DOWNLOAD = 0x0000_1000, "MAPI_FORCE_DOWNLOAD";
        /// `MAPI_SERVICE_UI_ALWAYS`: show each service's configuration dialog before logon.
        const SERVICE_UI_ALWAYS = 0x0000_2000, "MAPI_SERVICE_UI_ALWAYS";
        /// `MAPI_NO_MAIL`: do not tell the spooler about this session.
        const NO_MAIL = 0x0000_8000, "MAPI_NO_MAIL";
        /// `MAPI_NT_SERVICE`: the caller is a Windows service.
        const NT_SERVICE = 0x0001_0000, "MAPI_NT_SERVICE";
        /// `MAPI_PASSWORD_UI`: show the password dialog only.
        const PASSWORD_UI = 0x0002_0000, "MAPI_PASSWORD_UI";
        /// `MAPI_TIMEOUT_SHORT`: fail with `MAPI_E_TIMEOUT` rather than wait for the logon mutex.
        const TIMEOUT_SHORT = 0x0010_0000, "MAPI_TIMEOUT_SHORT";
        /// `MAPI_BG_SESSION`: a background session.
        const BG_SESSION = 0x0020_0000, "MAPI_BG_SESSION";
        /// `MAPI_UNICODE`: strings are UTF-16.
        const UNICODE = 0x8000_0000, "MAPI_UNICODE";
        /// `MAPI_SIMPLE_DEFAULT`: `LOGON_UI | FORCE_DOWNLOAD | ALLOW_OTHERS`.
        const SIMPLE_DEFAULT = 0x0000_1009, "MAPI_SIMPLE_DEFAULT";
        /// `MAPI_SIMPLE_EXPLICIT`: `NEW_SESSION | FORCE_DOWNLOAD | EXPLICIT_PROFILE`.
        const SIMPLE_EXPLICIT = 0x0000_1012, "MAPI_SIMPLE_EXPLICIT";
    }
}

mapi_flags! {
    /// `ulFlags` of `IMAPISession::Logoff`.
    pub struct SessionLogoffFlags: "IMAPISession::Logoff" {
        /// `MAPI_LOGOFF_SHARED`: log off every client of the shared session.
        const SHARED = 0x0000_0001, "MAPI_LOGOFF_SHARED";
        /// `MAPI_LOGOFF_UI`: a dialog may be shown.
        const UI = 0x0000_0002, "MAPI_LOGOFF_UI";
    }
}

mapi_flags! {
    /// `ulFlags` of `IMAPISession::OpenMsgStore`.
    pub struct OpenStoreFlags: "IMAPISession::OpenMsgStore" {
        /// `MDB_NO_DIALOG`: no UI; fail with `MAPI_E_LOGON_FAILED` if more is needed.
        const NO_DIALOG = 0x0000_0001, "MDB_NO_DIALOG";
        /// `MDB_WRITE`: read/write access (the default is read-only).
        const WRITE = 0x0000_0004, "MDB_WRITE";
        /// `MAPI_DEFERRED_ERRORS`: errors may be reported later.
        const DEFERRED_ERRORS = 0x0000_0008, "MAPI_DEFERRED_ERRORS";
        /// `MAPI_BEST_ACCESS`: the most access the user has.
        const BEST_ACCESS = 0x0000_0010, "MAPI_BEST_ACCESS";
        /// `MDB_TEMPORARY`: not added to the message-stores table.
        const TEMPORARY = 0x0000_0020, "MDB_TEMPORARY";
        /// `MDB_NO_MAIL`: the spooler is not told about this store.
        const NO_MAIL = 0x0000_0080, "MDB_NO_MAIL";
        /// `MDB_ONLINE`: overrides cached mode.
        const ONLINE = 0x0000_0100, "MDB_ONLINE";
        /// `MAPI_NO_CACHE`.
        const NO_CACHE = 0x0000_0200, "MAPI_NO_CACHE";
        /// `MAPI_CACHE_ONLY`.
        const CACHE_ONLY = 0x0000_4000, "MAPI_CACHE_ONLY";
    }
}

mapi_flags! {
    /// `ulFlags` of `IMSProvider::Logon`.
    pub struct StoreLogonFlags: "IMSProvider::Logon" {
        /// `MDB_NO_DIALOG`: no UI may be shown.
        const NO_DIALOG = 0x0000_0001, "MDB_NO_DIALOG";
        /// `MDB_WRITE`: read/write access requested.
        const WRITE = 0x0000_0004, "MDB_WRITE";
        /// `MAPI_DEFERRED_ERRORS`.
        const DEFERRED_ERRORS = 0x0000_0008, "MAPI_DEFERRED_ERRORS";
        /// `MDB_TEMPORARY`: the provider need not call `ModifyProfile`.
        const TEMPORARY = 0x0000_0020, "MDB_TEMPORARY";
        /// `MDB_NO_MAIL`: the store will not be used for mail; the spooler is not told.
        const NO_MAIL = 0x0000_0080, "MDB_NO_MAIL";
        /// `MDB_OST_LOGON_UNICODE` (seen in the wrapped-PST sample).
        const OST_LOGON_UNICODE = 0x0000_0800, "MDB_OST_LOGON_UNICODE";
        /// `MDB_OST_LOGON_ANSI` (seen in the wrapped-PST sample).
        const OST_LOGON_ANSI = 0x0000_1000, "MDB_OST_LOGON_ANSI";
        /// `MAPI_UNICODE`: the profile name is UTF-16.
        const UNICODE = 0x8000_0000, "MAPI_UNICODE";
    }
}

mapi_flags! {
    /// `ulFlags` of `IMSProvider::SpoolerLogon`.
    pub struct SpoolerLogonFlags: "IMSProvider::SpoolerLogon" {
        /// `MDB_NO_DIALOG`.
        const NO_DIALOG = 0x0000_0001, "MDB_NO_DIALOG";
        /// `MDB_WRITE`.
        const WRITE = 0x0000_0004, "MDB_WRITE";
        /// `MAPI_DEFERRED_ERRORS`.
        const DEFERRED_ERRORS = 0x0000_0008, "MAPI_DEFERRED_ERRORS";
        /// `MAPI_UNICODE`.
        const UNICODE = 0x8000_0000, "MAPI_UNICODE";
    }
}

mapi_flags! {
    /// `ulFlags` of `IABProvider::Logon`.
    pub struct AbLogonFlags: "IABProvider::Logon" {
        /// `AB_NO_DIALOG`: no UI may be shown.
        const NO_DIALOG = 0x0000_0001, "AB_NO_DIALOG";
        /// `MAPI_DEFERRED_ERRORS`.
        const DEFERRED_ERRORS = 0x0000_0008, "MAPI_DEFERRED_ERRORS";
        /// `AB_UNICODEUI`.
        const UNICODEUI = 0x0000_0040, "AB_UNICODEUI";
        /// `MAPI_UNICODE`.
        const UNICODE = 0x8000_0000, "MAPI_UNICODE";
    }
}

mapi_flags! {
    /// `*lpulFlags` of `IXPProvider::TransportLogon`, in and out.
    pub struct XpLogonFlags: "IXPProvider::TransportLogon" {
        /// `LOGON_NO_DIALOG` (in).
        const NO_DIALOG = 0x0000_0001, "LOGON_NO_DIALOG";
        /// `LOGON_NO_CONNECT` (in).
        const NO_CONNECT = 0x0000_0004, "LOGON_NO_CONNECT";
        /// `LOGON_NO_INBOUND` (in).
        const NO_INBOUND = 0x0000_0008, "LOGON_NO_INBOUND";
        /// `LOGON_NO_OUTBOUND` (in).
        const NO_OUTBOUND = 0x0000_0010, "LOGON_NO_OUTBOUND";
        /// `LOGON_SP_IDLE` (out): call `IXPLogon::Idle`.
        const SP_IDLE = 0x0001_0000, "LOGON_SP_IDLE";
        /// `LOGON_SP_POLL` (out): poll for incoming mail.
        const SP_POLL = 0x0002_0000, "LOGON_SP_POLL";
        /// `LOGON_SP_RESOLVE` (out).
        const SP_RESOLVE = 0x0004_0000, "LOGON_SP_RESOLVE";
        /// `MAPI_UNICODE`.
        const UNICODE = 0x8000_0000, "MAPI_UNICODE";
    }
}

mapi_flags! {
    /// `ulFlags` of `IMAPISupport::OpenProfileSection`.
    pub struct ProfileSectionFlags: "IMAPISupport::OpenProfileSection" {
        /// `MAPI_MODIFY`: open for writing; a missing section is created.
        const MODIFY = 0x0000_0001, "MAPI_MODIFY";
        /// `MAPI_DEFERRED_ERRORS`.
        const DEFERRED_ERRORS = 0x0000_0008, "MAPI_DEFERRED_ERRORS";
    }
}

mapi_flags! {
    /// `*lpulFlags` of `IMsgStore::StoreLogoff` and `IMAPISupport::StoreLogoffTransports`.
    ///
    /// The five input flags are mutually exclusive: a call carries exactly one
    /// ([`LogoffFlags::input`]). The output flags are set by `StoreLogoffTransports`.
    pub struct LogoffFlags: "IMsgStore::StoreLogoff" {
        /// `LOGOFF_NO_WAIT` (in): send ready mail, finish inbound, then stop; return at once.
        const NO_WAIT = 0x0000_0001, "LOGOFF_NO_WAIT";
        /// `LOGOFF_ORDERLY` (in): finish messages in progress, start no new ones.
        const ORDERLY = 0x0000_0002, "LOGOFF_ORDERLY";
        /// `LOGOFF_PURGE` (in): like `NO_WAIT` but flush the transport queues first.
        const PURGE = 0x0000_0004, "LOGOFF_PURGE";
        /// `LOGOFF_ABORT` (in): stop transport activity; no logoff while activity is under way.
        const ABORT = 0x0000_0008, "LOGOFF_ABORT";
        /// `LOGOFF_QUIET` (in): no logoff if there is transport activity.
        const QUIET = 0x0000_0010, "LOGOFF_QUIET";
        /// `LOGOFF_COMPLETE` (out): the logoff can complete; only `Release` may follow.
        const COMPLETE = 0x0001_0000, "LOGOFF_COMPLETE";
        /// `LOGOFF_INBOUND` (out): inbound messages are arriving.
        const INBOUND = 0x0002_0000, "LOGOFF_INBOUND";
        /// `LOGOFF_OUTBOUND` (out): outbound messages are being sent.
        const OUTBOUND = 0x0004_0000, "LOGOFF_OUTBOUND";
        /// `LOGOFF_OUTBOUND_QUEUE` (out): messages are pending in the Outbox.
        const OUTBOUND_QUEUE = 0x0008_0000, "LOGOFF_OUTBOUND_QUEUE";
    }
}

impl LogoffFlags {
    /// The five input flags.
    pub const INPUTS: LogoffFlags = LogoffFlags::NO_WAIT
        .union(LogoffFlags::ORDERLY)
        .union(LogoffFlags::PURGE)
        .union(LogoffFlags::ABORT)
        .union(LogoffFlags::QUIET);

    /// The single input flag of a `StoreLogoff` call, or `None` when the call carries none or
    /// several (the flags are mutually exclusive).
    pub fn input(self) -> Option<LogoffFlags> {
        let inputs = self.intersection(LogoffFlags::INPUTS);
        if inputs.bits().count_ones() == 1 {
            Some(inputs)
        } else {
            None
        }
    }
}

mapi_flags! {
    /// `ulFlags` of `IXPLogon::TransportLogoff` as the header names them. The documentation calls
    /// the parameter reserved (0).
    pub struct TransportLogoffFlags: "IXPLogon::TransportLogoff" {
        /// `LOGOFF_NORMAL` (header only).
        const NORMAL = 0x0000_0001, "LOGOFF_NORMAL";
        /// `LOGOFF_HURRY` (header only).
        const HURRY = 0x8000_0000, "LOGOFF_HURRY";
    }
}

mapi_flags! {
    /// The header's flags "for DeinitTransport"; no documented method takes them.
    pub struct DeinitFlags: "DeinitTransport" {
        /// `DEINIT_NORMAL`.
        const NORMAL = 0x0000_0001, "DEINIT_NORMAL";
        /// `DEINIT_HURRY`.
        const HURRY = 0x8000_0000, "DEINIT_HURRY";
    }
}

mapi_flags! {
    /// `PR_RESOURCE_FLAGS` of a provider section or status row.
    pub struct ResourceFlags: "PR_RESOURCE_FLAGS" {
        /// `STATUS_DEFAULT_OUTBOUND` (modifiable).
        const DEFAULT_OUTBOUND = 0x0000_0001, "STATUS_DEFAULT_OUTBOUND";
        /// `STATUS_DEFAULT_STORE` (modifiable): the profile's default store.
        const DEFAULT_STORE = 0x0000_0002, "STATUS_DEFAULT_STORE";
        /// `STATUS_PRIMARY_IDENTITY` (modifiable).
        const PRIMARY_IDENTITY = 0x0000_0004, "STATUS_PRIMARY_IDENTITY";
        /// `STATUS_SIMPLE_STORE` (dynamic).
        const SIMPLE_STORE = 0x0000_0008, "STATUS_SIMPLE_STORE";
        /// `STATUS_XP_PREFER_LAST` (static).
        const XP_PREFER_LAST = 0x0000_0010, "STATUS_XP_PREFER_LAST";
        /// `STATUS_NO_PRIMARY_IDENTITY` (static).
        const NO_PRIMARY_IDENTITY = 0x0000_0020, "STATUS_NO_PRIMARY_IDENTITY";
        /// `STATUS_NO_DEFAULT_STORE` (static).
        const NO_DEFAULT_STORE = 0x0000_0040, "STATUS_NO_DEFAULT_STORE";
        /// `STATUS_TEMP_SECTION` (dynamic).
        const TEMP_SECTION = 0x0000_0080, "STATUS_TEMP_SECTION";
        /// `STATUS_OWN_STORE` (static).
        const OWN_STORE = 0x0000_0100, "STATUS_OWN_STORE";
        /// `HOOK_INBOUND` (static, spooler hooks).
        const HOOK_INBOUND = 0x0000_0200, "HOOK_INBOUND";
        /// `HOOK_OUTBOUND` (static, spooler hooks).
        const HOOK_OUTBOUND = 0x0000_0400, "HOOK_OUTBOUND";
        /// `STATUS_NEED_IPM_TREE` (dynamic).
        const NEED_IPM_TREE = 0x0000_0800, "STATUS_NEED_IPM_TREE";
        /// `STATUS_PRIMARY_STORE` (modifiable).
        const PRIMARY_STORE = 0x0000_1000, "STATUS_PRIMARY_STORE";
        /// `STATUS_SECONDARY_STORE` (modifiable).
        const SECONDARY_STORE = 0x0000_2000, "STATUS_SECONDARY_STORE";
    }
}

mapi_flags! {
    /// `PR_RESOURCE_FLAGS` of a message-service section.
    pub struct ServiceFlags: "PR_RESOURCE_FLAGS (service)" {
        /// `SERVICE_DEFAULT_STORE` (dynamic).
        const DEFAULT_STORE = 0x0000_0001, "SERVICE_DEFAULT_STORE";
        /// `SERVICE_SINGLE_COPY` (static): at most one instance per profile.
        const SINGLE_COPY = 0x0000_0002, "SERVICE_SINGLE_COPY";
        /// `SERVICE_CREATE_WITH_STORE`: reserved, do not use.
        const CREATE_WITH_STORE = 0x0000_0004, "SERVICE_CREATE_WITH_STORE";
        /// `SERVICE_PRIMARY_IDENTITY` (modifiable).
        const PRIMARY_IDENTITY = 0x0000_0008, "SERVICE_PRIMARY_IDENTITY";
        /// `SERVICE_NO_PRIMARY_IDENTITY` (static).
        const NO_PRIMARY_IDENTITY = 0x0000_0020, "SERVICE_NO_PRIMARY_IDENTITY";
    }
}

mapi_flags! {
    /// `PR_RESOURCE_METHODS`: which `IMAPIStatus` methods a status object supports.
    pub struct ResourceMethods: "PR_RESOURCE_METHODS" {
        /// `STATUS_VALIDATE_STATE`.
        const VALIDATE_STATE = 0x0000_0001, "STATUS_VALIDATE_STATE";
        /// `STATUS_SETTINGS_DIALOG`.
        const SETTINGS_DIALOG = 0x0000_0002, "STATUS_SETTINGS_DIALOG";
        /// `STATUS_CHANGE_PASSWORD`.
        const CHANGE_PASSWORD = 0x0000_0004, "STATUS_CHANGE_PASSWORD";
        /// `STATUS_FLUSH_QUEUES`.
        const FLUSH_QUEUES = 0x0000_0008, "STATUS_FLUSH_QUEUES";
    }
}

mapi_flags! {
    /// `PR_STATUS_CODE` of a status row.
    pub struct StatusCode: "PR_STATUS_CODE" {
        /// `STATUS_AVAILABLE`.
        const AVAILABLE = 0x0000_0001, "STATUS_AVAILABLE";
        /// `STATUS_OFFLINE`.
        const OFFLINE = 0x0000_0002, "STATUS_OFFLINE";
        /// `STATUS_FAILURE`.
        const FAILURE = 0x0000_0004, "STATUS_FAILURE";
        /// `STATUS_INBOUND_ENABLED` (transports).
        const INBOUND_ENABLED = 0x0001_0000, "STATUS_INBOUND_ENABLED";
        /// `STATUS_INBOUND_ACTIVE`.
        const INBOUND_ACTIVE = 0x0002_0000, "STATUS_INBOUND_ACTIVE";
        /// `STATUS_INBOUND_FLUSH`.
        const INBOUND_FLUSH = 0x0004_0000, "STATUS_INBOUND_FLUSH";
        /// `STATUS_OUTBOUND_ENABLED`.
        const OUTBOUND_ENABLED = 0x0010_0000, "STATUS_OUTBOUND_ENABLED";
        /// `STATUS_OUTBOUND_ACTIVE`.
        const OUTBOUND_ACTIVE = 0x0020_0000, "STATUS_OUTBOUND_ACTIVE";
        /// `STATUS_OUTBOUND_FLUSH`.
        const OUTBOUND_FLUSH = 0x0040_0000, "STATUS_OUTBOUND_FLUSH";
        /// `STATUS_REMOTE_ACCESS`.
        const REMOTE_ACCESS = 0x0080_0000, "STATUS_REMOTE_ACCESS";
    }
}

mapi_flags! {
    /// `ulFlags` of `IMAPIStatus::ValidateState`.
    pub struct ValidateStateFlags: "IMAPIStatus::ValidateState" {
        /// `SUPPRESS_UI`.
        const SUPPRESS_UI = 0x0000_0001, "SUPPRESS_UI";
        /// `REFRESH_XP_HEADER_CACHE`.
        const REFRESH_XP_HEADER_CACHE = 0x0001_0000, "REFRESH_XP_HEADER_CACHE";
        /// `PROCESS_XP_HEADER_CACHE`.
        const PROCESS_XP_HEADER_CACHE = 0x0002_0000, "PROCESS_XP_HEADER_CACHE";
        /// `FORCE_XP_CONNECT`.
        const FORCE_XP_CONNECT = 0x0004_0000, "FORCE_XP_CONNECT";
        /// `FORCE_XP_DISCONNECT`.
        const FORCE_XP_DISCONNECT = 0x0008_0000, "FORCE_XP_DISCONNECT";
        /// `CONFIG_CHANGED`.
        const CONFIG_CHANGED = 0x0010_0000, "CONFIG_CHANGED";
        /// `ABORT_XP_HEADER_OPERATION`.
        const ABORT_XP_HEADER_OPERATION = 0x0020_0000, "ABORT_XP_HEADER_OPERATION";
        /// `SHOW_XP_SESSION_UI`.
        const SHOW_XP_SESSION_UI = 0x0040_0000, "SHOW_XP_SESSION_UI";
    }
}

mapi_flags! {
    /// `ulFlags` of `IMAPIStatus::FlushQueues` and `IXPLogon::FlushQueues`.
    pub struct FlushQueuesFlags: "FlushQueues" {
        /// `FLUSH_UPLOAD`.
        const UPLOAD = 0x0000_0002, "FLUSH_UPLOAD";
        /// `FLUSH_DOWNLOAD`.
        const DOWNLOAD = 0x0000_0004, "FLUSH_DOWNLOAD";
        /// `FLUSH_FORCE`.
        const FORCE = 0x0000_0008, "FLUSH_FORCE";
        /// `FLUSH_NO_UI`.
        const NO_UI = 0x0000_0010, "FLUSH_NO_UI";
        /// `FLUSH_ASYNC_OK`.
        const ASYNC_OK = 0x0000_0020, "FLUSH_ASYNC_OK";
    }
}

mapi_flags! {
    /// `ulFlags` of the message-service entry point (`MSGSERVICEENTRY`).
    pub struct ServiceEntryFlags: "MSGSERVICEENTRY" {
        /// `SERVICE_UI_ALWAYS` (also `UI_SERVICE`): always show the configuration UI.
        const UI_ALWAYS = 0x0000_0002, "SERVICE_UI_ALWAYS";
        /// `UI_CURRENT_PROVIDER_FIRST`.
        const UI_CURRENT_PROVIDER_FIRST = 0x0000_0004, "UI_CURRENT_PROVIDER_FIRST";
        /// `MSG_SERVICE_UI_READ_ONLY`.
        const UI_READ_ONLY = 0x0000_0008, "MSG_SERVICE_UI_READ_ONLY";
        /// `SERVICE_UI_ALLOWED`: UI only if properties are missing or invalid.
        const UI_ALLOWED = 0x0000_0010, "SERVICE_UI_ALLOWED";
        /// `SERVICE_LOGON_FAILED`: asks the service to reconfigure a provider whose logon failed.
        const LOGON_FAILED = 0x0000_0020, "SERVICE_LOGON_FAILED";
        /// `MAPI_UNICODE`.
        const UNICODE = 0x8000_0000, "MAPI_UNICODE";
    }
}

mapi_flags! {
    /// `ulFlags` of `IMAPISupport::Subscribe`.
    pub struct SubscribeFlags: "IMAPISupport::Subscribe" {
        /// `NOTIFY_SYNC`: later `Notify` calls for this key are synchronous.
        const SYNC = 0x4000_0000, "NOTIFY_SYNC";
    }
}

mapi_flags! {
    /// `*lpulFlags` of `IMAPISupport::Notify` on output.
    pub struct NotifyResultFlags: "IMAPISupport::Notify" {
        /// `NOTIFY_CANCELED`: a synchronous callback returned `CALLBACK_DISCONTINUE`.
        const CANCELED = 0x8000_0000, "NOTIFY_CANCELED";
    }
}

/// `CALLBACK_DISCONTINUE`: what a synchronous notification callback returns to stop delivery.
pub const CALLBACK_DISCONTINUE: u32 = 0x8000_0000;

mapi_flags! {
    /// `ulFlags` of `IMAPISupport::SpoolerNotify`.
    pub struct SpoolerNotifyFlags: "IMAPISupport::SpoolerNotify" {
        /// `NOTIFY_NEWMAIL` (transports).
        const NEWMAIL = 0x0000_0001, "NOTIFY_NEWMAIL";
        /// `NOTIFY_READYTOSEND` (transports and stores).
        const READYTOSEND = 0x0000_0002, "NOTIFY_READYTOSEND";
        /// `NOTIFY_SENTDEFERRED` (transports).
        const SENTDEFERRED = 0x0000_0004, "NOTIFY_SENTDEFERRED";
        /// `NOTIFY_CRITSEC` (transports).
        const CRITSEC = 0x0000_1000, "NOTIFY_CRITSEC";
        /// `NOTIFY_NONCRIT` (transports).
        const NONCRIT = 0x0000_2000, "NOTIFY_NONCRIT";
        /// `NOTIFY_CONFIG_CHANGE` (transports).
        const CONFIG_CHANGE = 0x0000_4000, "NOTIFY_CONFIG_CHANGE";
        /// `NOTIFY_CRITICAL_ERROR` (transports).
        const CRITICAL_ERROR = 0x1000_0000, "NOTIFY_CRITICAL_ERROR";
        /// `NOTIFY_NEWMAIL_RECEIVED` (stores; ignored for a store logged on with `MAPI_NO_MAIL`).
        const NEWMAIL_RECEIVED = 0x2000_0000, "NOTIFY_NEWMAIL_RECEIVED";
    }
}

impl SpoolerNotifyFlags {
    /// The only flags a store provider may pass: `NOTIFY_NEWMAIL_RECEIVED` and
    /// `NOTIFY_READYTOSEND`.
    pub const STORE_ALLOWED: SpoolerNotifyFlags =
        SpoolerNotifyFlags::READYTOSEND.union(SpoolerNotifyFlags::NEWMAIL_RECEIVED);
}

mapi_flags! {
    /// `ulFlags` of `IMAPISupport::ModifyStatusRow`.
    pub struct StatusRowFlags: "IMAPISupport::ModifyStatusRow" {
        /// `STATUSROW_UPDATE`: merge into the existing row instead of replacing it.
        const UPDATE = 0x1000_0000, "STATUSROW_UPDATE";
    }
}

mapi_flags! {
    /// `*lpulFlags` of `IXPLogon::EndMessage`, out: what the spooler does with the message next.
    pub struct EndMessageFlags: "IXPLogon::EndMessage" {
        /// `END_RESEND_NOW`: send it again at once.
        const RESEND_NOW = 0x0001_0000, "END_RESEND_NOW";
        /// `END_RESEND_LATER`: send it again later.
        const RESEND_LATER = 0x0002_0000, "END_RESEND_LATER";
        /// `END_DONT_RESEND`: the transport has what it needs for now, and calls
        /// `SpoolerNotify(NOTIFY_SENTDEFERRED)` with the message's entry ID when it needs more or
        /// has sent it.
        const DONT_RESEND = 0x0004_0000, "END_DONT_RESEND";
    }
}

mapi_flags! {
    /// `*lpulFlags` of `IXPLogon::TransportNotify`.
    pub struct TransportNotifyFlags: "IXPLogon::TransportNotify" {
        /// `NOTIFY_BEGIN_INBOUND`.
        const BEGIN_INBOUND = 0x0000_0001, "NOTIFY_BEGIN_INBOUND";
        /// `NOTIFY_BEGIN_OUTBOUND`.
        const BEGIN_OUTBOUND = 0x0000_0002, "NOTIFY_BEGIN_OUTBOUND";
        /// `NOTIFY_BEGIN_INBOUND_FLUSH`.
        const BEGIN_INBOUND_FLUSH = 0x0000_0004, "NOTIFY_BEGIN_INBOUND_FLUSH";
        /// `NOTIFY_BEGIN_OUTBOUND_FLUSH`.
        const BEGIN_OUTBOUND_FLUSH = 0x0000_0008, "NOTIFY_BEGIN_OUTBOUND_FLUSH";
        /// `NOTIFY_END_INBOUND`.
        const END_INBOUND = 0x0001_0000, "NOTIFY_END_INBOUND";
        /// `NOTIFY_END_OUTBOUND`.
        const END_OUTBOUND = 0x0002_0000, "NOTIFY_END_OUTBOUND";
        /// `NOTIFY_END_INBOUND_FLUSH`.
        const END_INBOUND_FLUSH = 0x0004_0000, "NOTIFY_END_INBOUND_FLUSH";
        /// `NOTIFY_END_OUTBOUND_FLUSH`.
        const END_OUTBOUND_FLUSH = 0x0008_0000, "NOTIFY_END_OUTBOUND_FLUSH";
        /// `NOTIFY_ABORT_DEFERRED`.
        const ABORT_DEFERRED = 0x4000_0000, "NOTIFY_ABORT_DEFERRED";
        /// `NOTIFY_CANCEL_MESSAGE`.
        const CANCEL_MESSAGE = 0x8000_0000, "NOTIFY_CANCEL_MESSAGE";
    }
}

mapi_flags! {
    /// Notification event masks (`fnev*`), as given to `Advise` and `Subscribe`.
    pub struct EventMask: "event mask" {
        /// `fnevCriticalError`.
        const CRITICAL_ERROR = 0x0000_0001, "fnevCriticalError";
        /// `fnevNewMail`.
        const NEW_MAIL = 0x0000_0002, "fnevNewMail";
        /// `fnevObjectCreated`.
        const OBJECT_CREATED = 0x0000_0004, "fnevObjectCreated";
        /// `fnevObjectDeleted`.
        const OBJECT_DELETED = 0x0000_0008, "fnevObjectDeleted";
        /// `fnevObjectModified`.
        const OBJECT_MODIFIED = 0x0000_0010, "fnevObjectModified";
        /// `fnevObjectMoved`.
        const OBJECT_MOVED = 0x0000_0020, "fnevObjectMoved";
        /// `fnevObjectCopied`.
        const OBJECT_COPIED = 0x0000_0040, "fnevObjectCopied";
        /// `fnevSearchComplete`.
        const SEARCH_COMPLETE = 0x0000_0080, "fnevSearchComplete";
        /// `fnevTableModified`.
        const TABLE_MODIFIED = 0x0000_0100, "fnevTableModified";
        /// `fnevStatusObjectModified`.
        const STATUS_OBJECT_MODIFIED = 0x0000_0200, "fnevStatusObjectModified";
        /// `fnevIndexing`.
        const INDEXING = 0x0001_0000, "fnevIndexing";
        /// `fnevReservedForMapi`.
        const RESERVED_FOR_MAPI = 0x4000_0000, "fnevReservedForMapi";
        /// `fnevExtended`.
        const EXTENDED = 0x8000_0000, "fnevExtended";
    }
}

mapi_flags! {
    /// `ulFlags` of `IMAPISupport::ReadReceipt`.
    pub struct ReadReceiptFlags: "IMAPISupport::ReadReceipt" {
        /// `MAPI_NON_READ`: a non-read report.
        const NON_READ = 0x0000_0001, "MAPI_NON_READ";
    }
}

mapi_flags! {
    /// `ulFlags` of `IMAPISupport::IStorageFromStream`: how the storage is laid over the stream.
    /// With no flag the storage is read-only and starts at position zero of the stream.
    ///
    /// ```
    /// use mapisim::flags::{MapiFlags, StorageFromStreamFlags};
    ///
    /// let flags = StorageFromStreamFlags::from_raw(0x1000_1002);
    /// assert_eq!(flags, StorageFromStreamFlags::CURRENT | StorageFromStreamFlags::MODIFY | StorageFromStreamFlags::CREATE);
    /// assert_eq!(flags.to_string(), "STGSTRM_CURRENT|STGSTRM_MODIFY|STGSTRM_CREATE");
    /// // STGSTRM_RESET is the absence of STGSTRM_CURRENT: no bit at all.
    /// assert_eq!(StorageFromStreamFlags::RESET.bits(), 0);
    /// ```
    pub struct StorageFromStreamFlags: "IMAPISupport::IStorageFromStream" {
        /// `STGSTRM_RESET`: the storage starts at position zero of the stream (the default; no bit).
        const RESET = 0x0000_0000, "STGSTRM_RESET";
        /// `STGSTRM_CURRENT`: the storage starts at the stream's current position.
        const CURRENT = 0x1000_0000, "STGSTRM_CURRENT";
        /// `STGSTRM_MODIFY`: the caller gets read/write access to the storage.
        const MODIFY = 0x0000_0002, "STGSTRM_MODIFY";
        /// `STGSTRM_CREATE`: a new storage is created over the stream.
        const CREATE = 0x0000_1000, "STGSTRM_CREATE";
    }
}

/// Declares an enumerated MAPI value (not a bit set): the enum, its values and its MAPI names.
macro_rules! mapi_values {
    (
        $(#[$outer:meta])*
        pub enum $Name:ident {
            $( $(#[$inner:meta])* $Variant:ident = $value:literal, $mapi:literal; )*
        }
    ) => {
        $(#[$outer])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        pub enum $Name {
            $( $(#[$inner])* $Variant, )*
        }

        impl $Name {
            /// Every value, in header order.
            pub const ALL: &'static [$Name] = &[ $( $Name::$Variant, )* ];

            /// The exact numeric value.
            pub const fn value(self) -> u32 {
                match self {
                    $( $Name::$Variant => $value, )*
                }
            }

            /// The MAPI name.
            pub const fn name(self) -> &'static str {
                match self {
                    $( $Name::$Variant => $mapi, )*
                }
            }

            /// The value with this number, if there is one.
            pub const fn from_value(value: u32) -> Option<$Name> {
                match value {
                    $( $value => Some($Name::$Variant), )*
                    _ => None,
                }
            }

            /// The value with this MAPI name, if there is one.
            pub fn from_name(name: &str) -> Option<$Name> {
                match name {
                    $( $mapi => Some($Name::$Variant), )*
                    _ => None,
                }
            }
        }

        impl fmt::Display for $Name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

mapi_values! {
    /// `PR_RESOURCE_TYPE`: what kind of provider or MAPI component a section or status row is.
    pub enum ResourceType {
        /// `MAPI_STORE_PROVIDER`.
        StoreProvider = 0x21, "MAPI_STORE_PROVIDER";
        /// `MAPI_AB`: the integrated address book.
        Ab = 0x22, "MAPI_AB";
        /// `MAPI_AB_PROVIDER`.
        AbProvider = 0x23, "MAPI_AB_PROVIDER";
        /// `MAPI_TRANSPORT_PROVIDER`.
        TransportProvider = 0x24, "MAPI_TRANSPORT_PROVIDER";
        /// `MAPI_SPOOLER`.
        Spooler = 0x25, "MAPI_SPOOLER";
        /// `MAPI_PROFILE_PROVIDER`.
        ProfileProvider = 0x26, "MAPI_PROFILE_PROVIDER";
        /// `MAPI_SUBSYSTEM`.
        Subsystem = 0x27, "MAPI_SUBSYSTEM";
        /// `MAPI_HOOK_PROVIDER`.
        HookProvider = 0x28, "MAPI_HOOK_PROVIDER";
    }
}

mapi_values! {
    /// `ulObjType` / `PR_OBJECT_TYPE`.
    pub enum ObjectType {
        /// `MAPI_STORE`.
        Store = 0x1, "MAPI_STORE";
        /// `MAPI_ADDRBOOK`.
        AddrBook = 0x2, "MAPI_ADDRBOOK";
        /// `MAPI_FOLDER`.
        Folder = 0x3, "MAPI_FOLDER";
        /// `MAPI_ABCONT`.
        AbCont = 0x4, "MAPI_ABCONT";
        /// `MAPI_MESSAGE`.
        Message = 0x5, "MAPI_MESSAGE";
        /// `MAPI_MAILUSER`.
        MailUser = 0x6, "MAPI_MAILUSER";
        /// `MAPI_ATTACH`.
        Attach = 0x7, "MAPI_ATTACH";
        /// `MAPI_DISTLIST`.
        DistList = 0x8, "MAPI_DISTLIST";
        /// `MAPI_PROFSECT`.
        ProfSect = 0x9, "MAPI_PROFSECT";
        /// `MAPI_STATUS`.
        Status = 0xA, "MAPI_STATUS";
        /// `MAPI_SESSION`.
        Session = 0xB, "MAPI_SESSION";
        /// `MAPI_FORMINFO`.
        FormInfo = 0xC, "MAPI_FORMINFO";
    }
}

mapi_values! {
    /// `ulContext` of the message-service entry point: why it is being called.
    pub enum ServiceContext {
        /// `MSG_SERVICE_INSTALL`.
        Install = 1, "MSG_SERVICE_INSTALL";
        /// `MSG_SERVICE_CREATE`: the service is being added to a profile.
        Create = 2, "MSG_SERVICE_CREATE";
        /// `MSG_SERVICE_CONFIGURE`: configure (also after a logon returned `MAPI_E_UNCONFIGURED`).
        Configure = 3, "MSG_SERVICE_CONFIGURE";
        /// `MSG_SERVICE_DELETE`: the service is being removed from a profile.
        Delete = 4, "MSG_SERVICE_DELETE";
        /// `MSG_SERVICE_UNINSTALL`.
        Uninstall = 5, "MSG_SERVICE_UNINSTALL";
        /// `MSG_SERVICE_PROVIDER_CREATE`.
        ProviderCreate = 6, "MSG_SERVICE_PROVIDER_CREATE";
        /// `MSG_SERVICE_PROVIDER_DELETE`.
        ProviderDelete = 7, "MSG_SERVICE_PROVIDER_DELETE";
    }
}

mapi_values! {
    /// `ulLockState` of `IMsgStore::SetLockState`.
    pub enum LockState {
        /// `MSG_UNLOCKED`.
        Unlocked = 0, "MSG_UNLOCKED";
        /// `MSG_LOCKED`.
        Locked = 1, "MSG_LOCKED";
    }
}

/// `MAPI_INIT_VERSION`: the required `MAPIINIT_0.ulVersion` (a structure version).
pub const MAPI_INIT_VERSION: u32 = 0;

/// An SPI version as the entry points exchange it: bits 24–31 major, 16–23 minor, 0–15 update.
///
/// ```
/// use mapisim::flags::SpiVersion;
///
/// assert_eq!(SpiVersion::CURRENT.value(), 0x0001_0010);
/// assert_eq!(SpiVersion::CURRENT.to_string(), "0.1.16");
/// assert!(SpiVersion::PDK2 < SpiVersion::CURRENT);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct SpiVersion(pub u32);

impl SpiVersion {
    /// `CURRENT_SPI_VERSION` (= `PDK3_SPI_VERSION`).
    pub const CURRENT: SpiVersion = SpiVersion(0x0001_0010);
    /// `PDK1_SPI_VERSION`, 0.1.0 (spring 1993).
    pub const PDK1: SpiVersion = SpiVersion(0x0001_0000);
    /// `PDK2_SPI_VERSION`, 0.1.8 (spring 1994).
    pub const PDK2: SpiVersion = SpiVersion(0x0001_0008);
    /// `PDK3_SPI_VERSION`, 0.1.16 (fall 1994).
    pub const PDK3: SpiVersion = SpiVersion(0x0001_0010);

    /// The raw 32-bit value.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// Bits 24–31.
    pub const fn major(self) -> u8 {
        (self.0 >> 24) as u8
    }

    /// Bits 16–23.
    pub const fn minor(self) -> u8 {
        (self.0 >> 16) as u8
    }

    /// Bits 0–15.
    pub const fn update(self) -> u16 {
        self.0 as u16
    }
}

impl fmt::Display for SpiVersion {
    /// `major.minor.update`, as the header comments write it (`0.1.16`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major(), self.minor(), self.update())
    }
}
