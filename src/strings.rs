//! MAPI strings: the `LPTSTR` arguments of the interfaces, and the string property values
//! ([`AnsiString`] for `PT_STRING8`, [`WideString`] for `PT_UNICODE`).
//!
//! An `LPTSTR` argument carries 8-bit characters in the process's code page, or UTF-16 when the
//! call's `MAPI_UNICODE` flag is set. [`TStr`] borrows one in whichever form it came, [`TString`]
//! owns one. Neither converts what it holds: the bytes or code units stay exactly as the caller
//! gave them (a shim hands them on unchanged), and text for people is made on demand with
//! [`TStr::to_string_lossy`] or `Display`. The terminating NUL is not part of the value.
//!
//! The 8-bit form is read as UTF-8 when it is shown. That is exact for ASCII, which every code page
//! shares; other bytes may show as `U+FFFD`. The code page itself is not known here.
//!
//! ```
//! use mapisim::strings::{TStr, TString};
//!
//! let ansi = TString::ansi_from_str("secret");
//! let wide = TString::wide_from_str("secret");
//! assert!(!ansi.is_unicode());
//! assert!(wide.is_unicode());
//! assert_eq!(ansi.as_ansi(), Some(&b"secret"[..]));
//! assert_eq!(wide.as_wide().map(<[u16]>::len), Some(6));
//! // The same text in two encodings is not the same MAPI string.
//! assert_ne!(ansi, wide);
//! assert_eq!(ansi.to_string_lossy(), wide.to_string_lossy());
//! // A borrowed view compares with the owned string it views.
//! let view: TStr<'_> = wide.as_tstr();
//! assert_eq!(view, wide);
//! assert_eq!(view.to_str(), None); // only the 8-bit form is a `str`
//! assert_eq!(TStr::ansi(b"caf\xc3\xa9").to_str(), Some("café"));
//! // Nothing is lost: a UTF-16 string with an unpaired surrogate keeps it.
//! let odd = TString::Wide(vec![0x0041, 0xD800]);
//! assert_eq!(odd.as_wide(), Some(&[0x0041, 0xD800][..]));
//! assert_eq!(odd.to_string(), "A\u{FFFD}");
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A borrowed MAPI string (`LPTSTR` on input), in the encoding the caller used. The terminating
/// NUL is not included.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TStr<'a> {
    /// 8-bit characters in the process's code page (no `MAPI_UNICODE`).
    Ansi(&'a [u8]),
    /// UTF-16 code units (`MAPI_UNICODE`).
    Wide(&'a [u16]),
}

/// An owned MAPI string, in the encoding it was made in. The terminating NUL is not included.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum TString {
    /// 8-bit characters in the process's code page (no `MAPI_UNICODE`).
    Ansi(Vec<u8>),
    /// UTF-16 code units (`MAPI_UNICODE`).
    Wide(Vec<u16>),
}

impl<'a> TStr<'a> {
    /// The 8-bit string with these bytes.
    pub const fn ansi(bytes: &'a [u8]) -> TStr<'a> {
        TStr::Ansi(bytes)
    }

    /// The UTF-16 string with these code units.
    pub const fn wide(units: &'a [u16]) -> TStr<'a> {
        TStr::Wide(units)
    }

    /// The 8-bit string made of the bytes of `text`, as they are (ASCII text is the same in every
    /// code page; other characters stay in UTF-8).
    pub const fn ansi_from_str(text: &'a str) -> TStr<'a> {
        TStr::Ansi(text.as_bytes())
    }

    /// Whether the string is UTF-16 (the call's `MAPI_UNICODE` flag).
    pub const fn is_unicode(self) -> bool {
        matches!(self, TStr::Wide(_))
    }

    /// The bytes of an 8-bit string; `None` for a UTF-16 one.
    pub const fn as_ansi(self) -> Option<&'a [u8]> {
        match self {
            TStr::Ansi(bytes) => Some(bytes),
            TStr::Wide(_) => None,
        }
    }

    /// The code units of a UTF-16 string; `None` for an 8-bit one.
    pub const fn as_wide(self) -> Option<&'a [u16]> {
        match self {
            TStr::Ansi(_) => None,
            TStr::Wide(units) => Some(units),
        }
    }

    /// The length in characters of its encoding: bytes for an 8-bit string, code units for UTF-16.
    pub const fn len(self) -> usize {
        match self {
            TStr::Ansi(bytes) => bytes.len(),
            TStr::Wide(units) => units.len(),
        }
    }

    /// Whether the string is empty.
    pub const fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// An 8-bit string that is valid UTF-8, as a `str`; `None` for other bytes and for UTF-16.
    pub fn to_str(self) -> Option<&'a str> {
        self.as_ansi().and_then(|bytes| std::str::from_utf8(bytes).ok())
    }

    /// The text for people: 8-bit bytes read as UTF-8, UTF-16 decoded, anything that does not
    /// decode replaced by `U+FFFD`.
    pub fn to_string_lossy(self) -> Cow<'a, str> {
        match self {
            TStr::Ansi(bytes) => String::from_utf8_lossy(bytes),
            TStr::Wide(units) => Cow::Owned(String::from_utf16_lossy(units)),
        }
    }

    /// An owned copy, in the same encoding.
    pub fn to_tstring(self) -> TString {
        match self {
            TStr::Ansi(bytes) => TString::Ansi(bytes.to_vec()),
            TStr::Wide(units) => TString::Wide(units.to_vec()),
        }
    }
}

impl TString {
    /// The 8-bit string made of the bytes of `text`, as they are (ASCII text is the same in every
    /// code page; other characters stay in UTF-8).
    pub fn ansi_from_str(text: &str) -> TString {
        TString::Ansi(text.as_bytes().to_vec())
    }

    /// The UTF-16 string of `text`.
    pub fn wide_from_str(text: &str) -> TString {
        TString::Wide(text.encode_utf16().collect())
    }

    /// The string borrowed, in the same encoding.
    pub fn as_tstr(&self) -> TStr<'_> {
        match self {
            TString::Ansi(bytes) => TStr::Ansi(bytes),
            TString::Wide(units) => TStr::Wide(units),
        }
    }

    /// Whether the string is UTF-16 (the call's `MAPI_UNICODE` flag).
    pub fn is_unicode(&self) -> bool {
        self.as_tstr().is_unicode()
    }

    /// The bytes of an 8-bit string; `None` for a UTF-16 one.
    pub fn as_ansi(&self) -> Option<&[u8]> {
        self.as_tstr().as_ansi()
    }

    /// The code units of a UTF-16 string; `None` for an 8-bit one.
    pub fn as_wide(&self) -> Option<&[u16]> {
        self.as_tstr().as_wide()
    }

    /// The length in characters of its encoding: bytes for an 8-bit string, code units for UTF-16.
    pub fn len(&self) -> usize {
        self.as_tstr().len()
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.as_tstr().is_empty()
    }

    /// An 8-bit string that is valid UTF-8, as a `str`; `None` for other bytes and for UTF-16.
    pub fn to_str(&self) -> Option<&str> {
        self.as_tstr().to_str()
    }

    /// The text for people: 8-bit bytes read as UTF-8, UTF-16 decoded, anything that does not
    /// decode replaced by `U+FFFD`.
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        self.as_tstr().to_string_lossy()
    }
}

impl<'a> From<&'a TString> for TStr<'a> {
    fn from(s: &'a TString) -> TStr<'a> {
        s.as_tstr()
    }
}

impl From<TStr<'_>> for TString {
    fn from(s: TStr<'_>) -> TString {
        s.to_tstring()
    }
}

impl PartialEq<TString> for TStr<'_> {
    /// Equal when both are in the same encoding with the same content.
    fn eq(&self, other: &TString) -> bool {
        *self == other.as_tstr()
    }
}

impl PartialEq<TStr<'_>> for TString {
    /// Equal when both are in the same encoding with the same content.
    fn eq(&self, other: &TStr<'_>) -> bool {
        self.as_tstr() == *other
    }
}

impl fmt::Display for TStr<'_> {
    /// The text, lossily (see [`TStr::to_string_lossy`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

impl fmt::Display for TString {
    /// The text, lossily (see [`TStr::to_string_lossy`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_tstr().fmt(f)
    }
}

/// A `PT_STRING8` value: 8-bit characters in the process's code page, kept exactly as they were
/// given ([`AnsiString::as_bytes`]), with their text for people ([`AnsiString::as_str`], read as
/// UTF-8: exact for ASCII). Made from Rust text, the bytes are its UTF-8.
///
/// ```
/// use mapisim::strings::AnsiString;
///
/// let name = AnsiString::from("SMPMS");
/// assert_eq!(name.as_bytes(), b"SMPMS");
/// assert_eq!(name, "SMPMS");
/// let latin = AnsiString::from_bytes(b"caf\xe9".to_vec()); // "café" in code page 1252
/// assert_eq!(latin.as_bytes(), b"caf\xe9");
/// assert_eq!(latin.as_str(), "caf\u{FFFD}");
/// assert!(!latin.is_exact());
/// ```
///
/// A value is shared when cloned: a clone copies no bytes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnsiString {
    bytes: Arc<[u8]>,
    /// The text, when the bytes are not UTF-8 (otherwise they are the text).
    lossy: Option<Arc<str>>,
}

impl AnsiString {
    /// The value with exactly these bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> AnsiString {
        let lossy = match String::from_utf8_lossy(&bytes) {
            Cow::Borrowed(_) => None,
            Cow::Owned(text) => Some(Arc::from(text)),
        };
        AnsiString {
            bytes: Arc::from(bytes),
            lossy,
        }
    }

    /// The exact bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The text: the bytes read as UTF-8, with `U+FFFD` where they are not.
    pub fn as_str(&self) -> &str {
        match &self.lossy {
            Some(text) => text,
            // The bytes were checked to be UTF-8 when the value was made.
            None => std::str::from_utf8(&self.bytes).unwrap_or_default(),
        }
    }

    /// The bytes, shared.
    pub(crate) fn shared_bytes(&self) -> &Arc<[u8]> {
        &self.bytes
    }

    /// Whether [`as_str`](Self::as_str) is exact (the bytes are UTF-8).
    pub fn is_exact(&self) -> bool {
        self.lossy.is_none()
    }

    /// The value as an `LPTSTR` (8-bit).
    pub fn as_tstr(&self) -> TStr<'_> {
        TStr::Ansi(&self.bytes)
    }
}

impl From<&str> for AnsiString {
    fn from(text: &str) -> AnsiString {
        AnsiString {
            bytes: Arc::from(text.as_bytes()),
            lossy: None,
        }
    }
}

impl From<String> for AnsiString {
    fn from(text: String) -> AnsiString {
        AnsiString {
            bytes: Arc::from(text.into_bytes()),
            lossy: None,
        }
    }
}

/// A `PT_UNICODE` value: UTF-16 code units, kept exactly as they were given
/// ([`WideString::as_units`], an unpaired surrogate included), with their text for people
/// ([`WideString::as_str`]).
///
/// ```
/// use mapisim::strings::WideString;
///
/// let name = WideString::from("Zoo Store");
/// assert_eq!(name.as_units().len(), 9);
/// assert_eq!(name, "Zoo Store");
/// let odd = WideString::from_units(vec![0x0041, 0xD800]);
/// assert_eq!(odd.as_units(), [0x0041, 0xD800]);
/// assert_eq!(odd.as_str(), "A\u{FFFD}");
/// assert!(!odd.is_exact());
/// ```
///
/// A value is shared when cloned: a clone copies neither the text nor the code units.
#[derive(Clone)]
pub struct WideString {
    text: Arc<str>,
    /// The code units: set when the value was made from units (then they say whether the text
    /// is exact), otherwise computed from the text when first asked for. Boxed, so that a value
    /// takes 32 bytes (and a property value 40).
    units: std::sync::OnceLock<Arc<Units>>,
}

/// The code units of a [`WideString`], and whether its text decodes them exactly.
struct Units {
    units: Vec<u16>,
    exact: bool,
}

impl WideString {
    /// The value with exactly these code units.
    pub fn from_units(units: Vec<u16>) -> WideString {
        let text = String::from_utf16_lossy(&units);
        let exact = text.encode_utf16().eq(units.iter().copied());
        WideString {
            text: Arc::from(text),
            units: std::sync::OnceLock::from(Arc::new(Units { units, exact })),
        }
    }

    /// The exact code units.
    pub fn as_units(&self) -> &[u16] {
        &self
            .units
            .get_or_init(|| {
                Arc::new(Units {
                    units: self.text.encode_utf16().collect(),
                    exact: true,
                })
            })
            .units
    }

    /// The text: the code units decoded, with `U+FFFD` for an unpaired surrogate.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text, shared.
    pub(crate) fn shared_text(&self) -> &Arc<str> {
        &self.text
    }

    /// Whether [`as_str`](Self::as_str) is exact (the code units decode, and encode back to
    /// themselves).
    pub fn is_exact(&self) -> bool {
        self.units.get().is_none_or(|units| units.exact)
    }

    /// The value as an `LPTSTR` (UTF-16).
    pub fn as_tstr(&self) -> TStr<'_> {
        TStr::Wide(self.as_units())
    }
}

impl From<&str> for WideString {
    fn from(text: &str) -> WideString {
        WideString {
            text: Arc::from(text),
            units: std::sync::OnceLock::new(),
        }
    }
}

impl From<String> for WideString {
    fn from(text: String) -> WideString {
        WideString::from(text.as_str())
    }
}

impl PartialEq for WideString {
    /// Equal code units.
    fn eq(&self, other: &WideString) -> bool {
        if self.is_exact() && other.is_exact() {
            self.text == other.text
        } else {
            self.as_units() == other.as_units()
        }
    }
}

impl Eq for WideString {}

impl std::hash::Hash for WideString {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_units().hash(state);
    }
}

impl PartialOrd for WideString {
    fn partial_cmp(&self, other: &WideString) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for WideString {
    /// By code units.
    fn cmp(&self, other: &WideString) -> std::cmp::Ordering {
        self.as_units().cmp(other.as_units())
    }
}

/// What both string values share: text conversions, comparison with text, display.
macro_rules! text_like {
    ($($name:ident),*) => {
        $(
            impl From<&String> for $name {
                fn from(text: &String) -> $name {
                    $name::from(text.as_str())
                }
            }

            impl std::ops::Deref for $name {
                type Target = str;

                /// The text ([`as_str`](Self::as_str)).
                fn deref(&self) -> &str {
                    self.as_str()
                }
            }

            impl PartialEq<str> for $name {
                fn eq(&self, other: &str) -> bool {
                    self.is_exact() && self.as_str() == other
                }
            }

            impl PartialEq<&str> for $name {
                fn eq(&self, other: &&str) -> bool {
                    self.is_exact() && self.as_str() == *other
                }
            }

            impl fmt::Debug for $name {
                /// The text, quoted as a `str` is.
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    fmt::Debug::fmt(self.as_str(), f)
                }
            }

            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        )*
    };
}

text_like!(AnsiString, WideString);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_keeps_bytes_that_are_not_utf8() {
        let s = TStr::ansi(b"\xe9t\xe9"); // "été" in code page 1252
        assert_eq!(s.as_ansi(), Some(&b"\xe9t\xe9"[..]));
        assert_eq!(s.to_str(), None);
        assert_eq!(s.to_string_lossy(), "\u{FFFD}t\u{FFFD}");
        assert_eq!(s.to_tstring().as_ansi(), Some(&b"\xe9t\xe9"[..]));
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn wide_round_trips_and_compares_by_encoding() {
        let w = TString::wide_from_str("été");
        assert_eq!(w.as_wide(), Some(&[0x00E9, 0x0074, 0x00E9][..]));
        assert_eq!(w.as_ansi(), None);
        assert_eq!(w.to_str(), None);
        assert_eq!(w.to_string(), "été");
        assert_eq!(TString::from(w.as_tstr()), w);
        assert_ne!(w, TString::ansi_from_str("été"));
        assert_ne!(w.as_tstr(), TString::wide_from_str("ete"));
        assert!(TString::Wide(Vec::new()).is_empty());
        assert!(!w.is_empty());
    }
}
