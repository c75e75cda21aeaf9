//! Reading and checking Mapisvc.inf, the catalogue of installed message services.
//!
//! Mapisvc.inf is an INI file. Three global sections describe the services: `[Services]` lists
//! every installed message service (`name=display name`), `[Default Services]` the subset added to
//! a default profile (same form) and `[Help File Mappings]` a help file per service
//! (`service=help file`). Each key of `[Services]` names a **message-service section**; its
//! `Providers=` line names one **provider section** per provider and its optional `Sections=` line
//! names **extra sections** of service-specific data. Service, provider and extra sections hold
//! property lines: `PR_DISPLAY_NAME=Mock Folders`, or a hexadecimal tag for private data
//! (`6600001E=text`).
//!
//! [`parse`] keeps the line and column of every section, key, value and list item, reports every
//! problem as a [`Diagnostic`] (an error or a warning, with its position), and never panics.
//! [`MapiSvcInf::service_defs`] turns a file without errors into [`ServiceDef`]s ready for a
//! profile, and [`MapiSvcInf::to_text`] writes the file back.
//!
//! # The grammar this module accepts
//!
//! Microsoft does not publish a formal grammar for Mapisvc.inf: its pages describe the sections
//! and show examples. This module accepts what those examples and Microsoft's own installers
//! write, and decides the rest as follows.
//!
//! * **Lines** end with LF or CRLF (one `\r` before the LF is dropped). A UTF-8 byte-order mark
//!   at the very start is skipped. White space around a line, a key, a value and a list item is
//!   not significant. Blank lines are skipped.
//! * **Comments** are whole lines whose first non-blank character is `;`. There are no comments at
//!   the end of a line: a `;` inside a value is part of the value.
//! * **Section headers** are lines whose first non-blank character is `[`. The name is the text
//!   between that `[` and the *last* `]` of the line, trimmed; text after the `]` is ignored with a
//!   warning. A header without `]` or with an empty name is an error, and the lines up to the
//!   next header are then ignored.
//! * **Entries** are `key=value`, split at the first `=`. An empty key is an error, a line with
//!   neither `[` nor `=` is an error, and so is an entry before the first section header.
//! * **Case**: section names, `Providers`, `Sections` and the keys of the global sections compare
//!   without regard to case, as in any INI file. Property names (`PR_DISPLAY_NAME`) and flag names
//!   (`STATUS_DEFAULT_STORE`) are identifiers from the MAPI headers and must be written exactly;
//!   a wrong case is reported with the right spelling. Hexadecimal tags may use either case.
//! * **Duplicates**: a repeated section, a repeated key in a section and a property set twice
//!   (for instance once by name and once by tag) are warnings; the first one is used, as the
//!   Windows profile functions do.
//! * **Keys** of service, provider and extra sections are a property name known to
//!   [`props::tag_by_name`] or 8 hexadecimal digits giving the tag `(id << 16) | type` (no `0x`).
//!   Three keys that Microsoft's own files use but that are not properties are accepted and kept:
//!   `WIZARD_ENTRY_NAME`, `PR_SERVICE_INSTALL_ID` (a `{GUID}` string) and `UID` (32 hexadecimal
//!   digits in an extra section). `Providers` and `Sections` are list lines, allowed only in a
//!   service section.
//! * **String names without a suffix** give the 8-bit form (`PR_DISPLAY_NAME` is
//!   `PR_DISPLAY_NAME_A`, `PT_STRING8`), because Mapisvc.inf is an 8-bit file; `_A` and `_W` names
//!   and hexadecimal tags keep their own type.
//!
//! Values are read by the type of the tag:
//!
//! | Type | Accepted value |
//! |---|---|
//! | `PT_LONG` | decimal (`12`, `-1`) or `0x` and up to 8 hexadecimal digits; under a hexadecimal tag, exactly 8 hexadecimal digits are the 4 bytes in little-endian order (`07000000` is 7) |
//! | `PR_RESOURCE_FLAGS` | flag names joined with `\|`, with or without spaces: `SERVICE_*` names in a service section, `STATUS_*` and `HOOK_*` names elsewhere; numbers may be mixed in |
//! | `PR_RESOURCE_TYPE` | one name such as `MAPI_STORE_PROVIDER`, or its number |
//! | `PR_STATUS_CODE`, `PR_RESOURCE_METHODS` | the names of their flags, joined with `\|` |
//! | `PT_BOOLEAN` | `TRUE`, `FALSE`, `1` or `0`, in any case |
//! | `PT_STRING8`, `PT_UNICODE` | the text as written |
//! | `PT_BINARY` | hexadecimal digits, two per byte, nothing between them (may be empty) |
//! | `PT_MV_STRING8`, `PT_MV_UNICODE` | items separated by `,`, each trimmed |
//! | `PT_MV_BINARY` | items separated by `,`, each in the `PT_BINARY` form |
//!
//! Any other property type is an error. The little-endian reading of 8-digit values under a
//! hexadecimal tag is inferred from Microsoft's examples, whose numbers only make sense that way;
//! the documentation itself only says "integer".
//!
//! # What is checked
//!
//! Errors: malformed lines (above); a service listed in `[Services]`, a provider named in
//! `Providers=` or a section named in `Sections=` that has no section, or that names one of the
//! global sections or a service section; a service section without `Providers=` or with an empty
//! item in a list; a list line outside a service section; an unknown key or property name; a
//! hexadecimal tag with a reserved property ID (0 or 0xFFFF) or a type this file cannot hold; a
//! value that does not fit its tag's type; an unknown flag or resource-type name; a DLL name
//! (`PR_PROVIDER_DLL_NAME`, `PR_SERVICE_DLL_NAME`) that already ends in `32` (MAPI inserts it
//! itself) or whose path has a period before the file name; `PR_SERVICE_UID` anywhere (MAPI
//! computes it); `PR_SERVICE_DLL_NAME` without `PR_SERVICE_ENTRY_NAME` or the reverse; a provider
//! section without `PR_PROVIDER_DLL_NAME`, `PR_RESOURCE_TYPE` or `PR_PROVIDER_DISPLAY`.
//!
//! Warnings: duplicates (above), a section nothing refers to, a `[Default Services]` or
//! `[Help File Mappings]` key that is not in `[Services]`, an item listed twice in one list, and a
//! provider section without `PR_DISPLAY_NAME` or `PR_RESOURCE_FLAGS` (one documentation page
//! requires them, another calls them optional). Lines of sections that MAPI never reads (unused or
//! repeated sections) are not checked beyond their syntax.
//!
//! # Example
//!
//! ```
//! use mapisim::flags::ResourceType;
//! use mapisim::profile::inf;
//! use mapisim::props::{PropTag, PropValue, PR_DISPLAY_NAME_A, PR_RESOURCE_TYPE};
//!
//! let text = "\
//! [Services]
//! MOCKSVC=Mock Test Service
//!
//! [MOCKSVC]
//! PR_SERVICE_DLL_NAME=MOCKPRV.DLL
//! PR_SERVICE_ENTRY_NAME=ServiceEntry
//! Providers=MOCKSVC MS
//!
//! [MOCKSVC MS]
//! PR_DISPLAY_NAME=Mock Folders
//! PR_PROVIDER_DISPLAY=Mock Store Provider
//! PR_PROVIDER_DLL_NAME=MOCKPRV.DLL
//! PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER
//! PR_RESOURCE_FLAGS=STATUS_NO_DEFAULT_STORE
//! 66000003=07000000
//! ";
//! let parsed = inf::parse(text);
//! assert!(parsed.diagnostics.is_empty());
//!
//! let services = parsed.inf.service_defs().expect("the file has no errors");
//! let store = &services[0].providers()[0];
//! assert_eq!(store.props().get_str(PR_DISPLAY_NAME_A), Some("Mock Folders"));
//! assert_eq!(store.props().get_u32(PR_RESOURCE_TYPE), Some(ResourceType::StoreProvider.value()));
//! assert_eq!(store.props().get(PropTag(0x6600_0003)), Some(&PropValue::Long(7)));
//!
//! // A mistake is reported with its line and column.
//! let broken = inf::parse(&text.replace("MOCKPRV.DLL\nPR_RESOURCE", "MOCKPRV32.DLL\nPR_RESOURCE"));
//! assert_eq!(
//!     broken.errors()[0].to_string(),
//!     "12:29: error: DLL name `MOCKPRV32.DLL` already ends in `32` before its extension; \
//!      MAPI inserts `32` itself (it would load `MOCKPRV3232.DLL`), expected the base name `MOCKPRV.DLL`"
//! );
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::flags::{MapiFlags, ResourceFlags, ResourceMethods, ResourceType, ServiceFlags, StatusCode};
use crate::profile::{ProviderDef, ServiceDef};
use crate::props::{
    self, PR_DISPLAY_NAME_A, PR_PROVIDER_DISPLAY_A, PR_PROVIDER_DLL_NAME_A, PR_RESOURCE_FLAGS,
    PR_RESOURCE_METHODS, PR_RESOURCE_TYPE, PR_SERVICE_DLL_NAME_A, PR_SERVICE_ENTRY_NAME, PR_SERVICE_UID,
    PR_STATUS_CODE, PropTag, PropType, PropValue,
};

/// A position in the text: 1-based line and column. The column counts characters, not bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Pos {
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1, in characters.
    pub col: u32,
}

impl Pos {
    /// The position `chars` characters further on the same line.
    fn plus(self, chars: usize) -> Pos {
        Pos {
            line: self.line,
            col: self.col.saturating_add(to_u32(chars)),
        }
    }
}

impl fmt::Display for Pos {
    /// `LINE:COL`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Severity {
    /// The file is wrong: MAPI would reject it or misread it.
    Error,
    /// The file is suspicious: MAPI reads it, perhaps not as intended.
    Warning,
}

impl fmt::Display for Severity {
    /// `error` or `warning`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A problem found in the file, with where it is.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where the problem is.
    pub at: Pos,
    /// What was found and what was expected.
    pub message: String,
}

impl Diagnostic {
    fn error(at: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            at,
            message: message.into(),
        }
    }

    fn warning(at: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            at,
            message: message.into(),
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `LINE:COL: error: MESSAGE` or `LINE:COL: warning: MESSAGE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.at, self.severity, self.message)
    }
}

/// The result of [`parse`]: the file as read, and every problem found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Parsed {
    /// The sections and entries. Lines with a syntax error are not in it.
    pub inf: MapiSvcInf,
    /// Every error and warning, in the order of their positions.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// The errors.
    pub fn errors(&self) -> Vec<&Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error()).collect()
    }

    /// The warnings.
    pub fn warnings(&self) -> Vec<&Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error()).collect()
    }

    /// Whether there is at least one error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The message services of the file, as [`MapiSvcInf::service_defs`] builds them, or every
    /// error when there is one (syntax errors included).
    pub fn service_defs(&self) -> Result<Vec<ServiceDef>, Vec<Diagnostic>> {
        if self.has_errors() {
            return Err(self.errors().into_iter().cloned().collect());
        }
        self.inf.service_defs()
    }
}

/// A Mapisvc.inf file as read: its sections in file order, each with its entries.
///
/// Two files are equal when they have the same sections, with the same names and the same
/// entries in the same order; positions are not compared, so a file equals what
/// [`MapiSvcInf::to_text`] writes of it once read back.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MapiSvcInf {
    sections: Vec<Section>,
}

/// One `[name]` section and its entries.
///
/// Equality compares the name and the entries, not the position.
#[derive(Clone, Debug)]
pub struct Section {
    /// The name between the brackets, trimmed, as written.
    pub name: String,
    /// Where the `[` is.
    pub at: Pos,
    /// The `key=value` lines, in file order.
    pub entries: Vec<Entry>,
}

impl PartialEq for Section {
    fn eq(&self, other: &Section) -> bool {
        self.name == other.name && self.entries == other.entries
    }
}

impl Eq for Section {}

/// One `key=value` line.
///
/// Equality compares the key and the value, not the positions.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The text before the first `=`, trimmed, as written.
    pub key: String,
    /// The text after the first `=`, trimmed, as written.
    pub value: String,
    /// Where the key starts.
    pub at: Pos,
    /// Where the value starts (for an empty value: just after the `=` and any white space).
    pub value_at: Pos,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.key == other.key && self.value == other.value
    }
}

impl Eq for Entry {}

/// What a section is, from the way the file refers to it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SectionKind {
    /// `[Services]`.
    Services,
    /// `[Default Services]`.
    DefaultServices,
    /// `[Help File Mappings]`.
    HelpFileMappings,
    /// A message-service section: a key of `[Services]`.
    Service,
    /// A provider section: named in some service's `Providers=` line.
    Provider,
    /// An extra section: named in some service's `Sections=` line (and in no `Providers=` line).
    Extra,
    /// A section nothing refers to; MAPI never reads it.
    Unreferenced,
}

impl SectionKind {
    /// Whether this is one of the three global sections.
    pub fn is_global(self) -> bool {
        matches!(
            self,
            SectionKind::Services | SectionKind::DefaultServices | SectionKind::HelpFileMappings
        )
    }

    fn global(name: &str) -> Option<SectionKind> {
        [
            ("Services", SectionKind::Services),
            ("Default Services", SectionKind::DefaultServices),
            ("Help File Mappings", SectionKind::HelpFileMappings),
        ]
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, k)| k)
    }
}

/// What the key of a line in a service, provider or extra section means.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum KeyKind {
    /// A property line.
    Property {
        /// The tag the key gives.
        tag: PropTag,
        /// Whether the key is written as a hexadecimal tag rather than a name (this changes how
        /// an 8-digit long value is read).
        hex: bool,
    },
    /// The `Providers=` list of a service section.
    Providers,
    /// The `Sections=` list of a service section.
    Sections,
    /// A key that Microsoft's files use but that is not a property (`WIZARD_ENTRY_NAME`,
    /// `PR_SERVICE_INSTALL_ID`, `UID`); it is kept as text.
    NotAProperty,
}

/// One name of a `Providers=` or `Sections=` list.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ListItem {
    /// The name, trimmed (empty for an empty item).
    pub name: String,
    /// Where it starts.
    pub at: Pos,
}

/// Why a value does not fit its tag (from [`property_value`]).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ValueError {
    /// Where the problem starts, in characters from the start of the (trimmed) value.
    pub offset: usize,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}

impl Entry {
    /// What the key means ([`key_kind`]), or an error at the key.
    pub fn key_kind(&self) -> Result<KeyKind, Diagnostic> {
        key_kind(&self.key).map_err(|message| Diagnostic::error(self.at, message))
    }

    /// The typed property of this line, read as a line of a section of this kind: `Ok(None)` for
    /// a line that is not a property (a list, `WIZARD_ENTRY_NAME`, `PR_SERVICE_INSTALL_ID`, `UID`,
    /// or any line of a global section), an error at the key or inside the value otherwise.
    ///
    /// ```
    /// use mapisim::profile::inf::{self, SectionKind};
    /// use mapisim::props::{PropTag, PropValue};
    ///
    /// let parsed = inf::parse("[Settings]\n66000003=0C000000\n");
    /// let entry = &parsed.inf.sections()[0].entries[0];
    /// assert_eq!(
    ///     entry.typed(SectionKind::Extra),
    ///     Ok(Some((PropTag(0x6600_0003), PropValue::Long(12))))
    /// );
    /// ```
    pub fn typed(&self, kind: SectionKind) -> Result<Option<(PropTag, PropValue)>, Diagnostic> {
        if kind.is_global() {
            return Ok(None);
        }
        match self.key_kind()? {
            KeyKind::Property { tag, hex } => match property_value(tag, hex, &self.value, kind) {
                Ok(value) => Ok(Some((tag, value))),
                Err(e) => Err(Diagnostic::error(self.value_at.plus(e.offset), e.message)),
            },
            KeyKind::Providers | KeyKind::Sections | KeyKind::NotAProperty => Ok(None),
        }
    }

    /// The items of the value read as a comma-separated list (as `Providers=` and `Sections=`
    /// are), each trimmed and with its position. An empty value gives no items.
    pub fn list_items(&self) -> Vec<ListItem> {
        if self.value.is_empty() {
            return Vec::new();
        }
        split_items(&self.value, ',')
            .into_iter()
            .map(|(offset, name)| ListItem {
                name: name.to_owned(),
                at: self.value_at.plus(offset),
            })
            .collect()
    }
}

impl Section {
    /// The first entry with this key (compared without regard to case).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| same_name(&e.key, key))
    }
}

/// Reads Mapisvc.inf text: every section and entry with its position, and every problem found,
/// syntax and meaning. Never panics, whatever the text.
pub fn parse(text: &str) -> Parsed {
    let (inf, mut diagnostics) = read_sections(text);
    diagnostics.extend(inf.check());
    diagnostics.sort_by_key(|d| d.at);
    Parsed { inf, diagnostics }
}

/// What the lexer is doing with entry lines.
enum Target {
    /// No section header yet; `reported` once the first stray entry has been reported.
    BeforeAny { reported: bool },
    /// Entries go to the last section.
    Section,
    /// After a broken header: entries are dropped.
    Skipping,
}

fn read_sections(text: &str) -> (MapiSvcInf, Vec<Diagnostic>) {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut sections: Vec<Section> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut target = Target::BeforeAny { reported: false };
    for (index, raw) in text.split('\n').enumerate() {
        let line_no = to_u32(index.saturating_add(1));
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let after_lead = line.trim_start();
        let content = after_lead.trim_end();
        if content.is_empty() || content.starts_with(';') {
            continue;
        }
        let lead = line.len() - after_lead.len();
        let start = Pos {
            line: line_no,
            col: to_u32(line[..lead].chars().count().saturating_add(1)),
        };
        if let Some(inner) = content.strip_prefix('[') {
            let Some(close) = inner.rfind(']') else {
                diagnostics.push(Diagnostic::error(
                    start,
                    format!(
                        "found `{}` without a closing `]`, expected a section header `[name]` \
                         (the lines up to the next section header are ignored)",
                        shown(content)
                    ),
                ));
                target = Target::Skipping;
                continue;
            };
            let name = inner[..close].trim();
            if name.is_empty() {
                diagnostics.push(Diagnostic::error(
                    start,
                    format!(
                        "found `{}` with an empty section name, expected a section header `[name]` \
                         (the lines up to the next section header are ignored)",
                        shown(content)
                    ),
                ));
                target = Target::Skipping;
                continue;
            }
            let rest = &inner[close + 1..];
            let rest_trimmed = rest.trim_start();
            if !rest_trimmed.is_empty() {
                let offset = chars(&content[..content.len() - rest_trimmed.len()]);
                diagnostics.push(Diagnostic::warning(
                    start.plus(offset),
                    format!(
                        "found `{}` after the section header `[{}]`, expected nothing; it is ignored",
                        shown(rest_trimmed),
                        shown(name)
                    ),
                ));
            }
            sections.push(Section {
                name: name.to_owned(),
                at: start,
                entries: Vec::new(),
            });
            target = Target::Section;
            continue;
        }
        let Some(eq) = content.find('=') else {
            diagnostics.push(Diagnostic::error(
                start,
                format!(
                    "found `{}` without `=`, expected `key=value`, a section header `[name]` or a \
                     comment starting with `;`",
                    shown(content)
                ),
            ));
            continue;
        };
        let key = content[..eq].trim_end();
        if key.is_empty() {
            diagnostics.push(Diagnostic::error(
                start,
                format!(
                    "found `{}` with nothing before `=`, expected a key such as `PR_DISPLAY_NAME`",
                    shown(content)
                ),
            ));
            continue;
        }
        let raw_value = &content[eq + 1..];
        let value = raw_value.trim_start();
        let value_offset = chars(&content[..content.len() - value.len()]);
        let entry = Entry {
            key: key.to_owned(),
            value: value.to_owned(),
            at: start,
            value_at: start.plus(value_offset),
        };
        match (&mut target, sections.last_mut()) {
            (Target::Section, Some(section)) => section.entries.push(entry),
            (Target::BeforeAny { reported }, _) if !*reported => {
                *reported = true;
                diagnostics.push(Diagnostic::error(
                    start,
                    format!(
                        "found the entry `{}` before any section header, expected a section header \
                         such as `[Services]` first (the entries up to the first header are ignored)",
                        shown(key)
                    ),
                ));
            }
            _ => {}
        }
    }
    (MapiSvcInf { sections }, diagnostics)
}

impl MapiSvcInf {
    /// The sections in file order, repeated ones included.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The first section with this name (compared without regard to case, as Windows does).
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| same_name(&s.name, name))
    }

    /// What the section with this name is, from the way the file refers to it; `None` if there is
    /// no such section.
    pub fn section_kind(&self, name: &str) -> Option<SectionKind> {
        let index = self.sections.iter().position(|s| same_name(&s.name, name))?;
        self.section_kinds().get(index).copied()
    }

    /// The kind of every section, in the order of [`MapiSvcInf::sections`]. A repeated section,
    /// which MAPI ignores, is [`SectionKind::Unreferenced`].
    pub fn section_kinds(&self) -> Vec<SectionKind> {
        Roles::of(self).kinds
    }

    /// The entries of `[Services]`: each service's section name and display name, in file order
    /// (a repeated service only once).
    pub fn services(&self) -> Vec<(String, String)> {
        self.pairs_of("Services")
    }

    /// The entries of `[Default Services]`, like [`MapiSvcInf::services`].
    pub fn default_services(&self) -> Vec<(String, String)> {
        self.pairs_of("Default Services")
    }

    /// The entries of `[Help File Mappings]`: service name and help file.
    pub fn help_file_mappings(&self) -> Vec<(String, String)> {
        self.pairs_of("Help File Mappings")
    }

    fn pairs_of(&self, section: &str) -> Vec<(String, String)> {
        let Some(section) = self.section(section) else {
            return Vec::new();
        };
        let mut seen = HashSet::new();
        section
            .entries
            .iter()
            .filter(|e| seen.insert(fold(&e.key)))
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect()
    }

    /// The names in the `Providers=` line of a service's section (empty if there is none).
    pub fn providers_of(&self, service: &str) -> Vec<String> {
        self.section(service)
            .and_then(|s| s.get("Providers"))
            .map(|e| e.list_items().into_iter().map(|i| i.name).collect())
            .unwrap_or_default()
    }

    /// Every problem of meaning in this file: missing and unused sections, unknown names, values
    /// that do not fit, forbidden and missing properties, duplicates. [`parse`] adds these to the
    /// syntax errors it found.
    pub fn check(&self) -> Vec<Diagnostic> {
        let roles = Roles::of(self);
        let mut diagnostics = roles.diagnostics.clone();
        for (index, section) in self.sections.iter().enumerate() {
            let Some(&kind) = roles.kinds.get(index) else {
                continue;
            };
            if roles.repeated.get(index).copied().unwrap_or(true) {
                continue;
            }
            if kind != SectionKind::Services {
                warn_repeated_keys(section, &mut diagnostics);
            }
            match kind {
                SectionKind::Service | SectionKind::Provider | SectionKind::Extra => {
                    check_property_section(section, kind, &mut diagnostics);
                }
                SectionKind::Unreferenced => diagnostics.push(Diagnostic::warning(
                    section.at,
                    format!(
                        "section `[{}]` is not referred to by `[Services]`, a `Providers=` line or a \
                         `Sections=` line, so MAPI never reads it",
                        shown(&section.name)
                    ),
                )),
                SectionKind::Services | SectionKind::DefaultServices | SectionKind::HelpFileMappings => {}
            }
        }
        let installed: HashSet<String> = roles.services.iter().map(|s| fold(&s.name)).collect();
        for (kind, what) in [
            (SectionKind::DefaultServices, "[Default Services]"),
            (SectionKind::HelpFileMappings, "[Help File Mappings]"),
        ] {
            let Some(index) = roles.global(kind) else {
                continue;
            };
            let Some(section) = self.sections.get(index) else {
                continue;
            };
            for e in &section.entries {
                if !installed.contains(&fold(&e.key)) {
                    diagnostics.push(Diagnostic::warning(
                        e.at,
                        format!(
                            "`{what}` names the service `{}`, which is not in `[Services]`; expected \
                             one of the services listed there",
                            shown(&e.key)
                        ),
                    ));
                }
            }
        }
        diagnostics.sort_by_key(|d| d.at);
        diagnostics
    }

    /// The message services of `[Services]`, in order, as [`ServiceDef`]s: each with the
    /// properties of its section (and `PR_DISPLAY_NAME` from `[Services]` when the section has
    /// none), and its providers in `Providers=` order, each with every property of its section.
    /// Properties are typed as [`Entry::typed`] reads them; where a property is set twice, the
    /// first is used. Extra sections (`Sections=`) are not part of a [`ServiceDef`].
    ///
    /// Returns the errors of [`MapiSvcInf::check`] instead if there are any.
    pub fn service_defs(&self) -> Result<Vec<ServiceDef>, Vec<Diagnostic>> {
        let errors: Vec<Diagnostic> = self.check().into_iter().filter(Diagnostic::is_error).collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let roles = Roles::of(self);
        let mut errors = Vec::new();
        let mut defs = Vec::new();
        for service in &roles.services {
            let Some(section) = service.section.and_then(|i| self.sections.get(i)) else {
                continue;
            };
            let props = typed_props(section, SectionKind::Service, &mut errors);
            let mut def = ServiceDef::new(&service.name);
            if !props.iter().any(|(tag, _)| tag.id() == PR_DISPLAY_NAME_A.id()) {
                def = def.display_name(&service.display);
            }
            for (tag, value) in props {
                def = match def.clone().try_prop(tag, value) {
                    Ok(d) => d,
                    Err(e) => {
                        errors.push(Diagnostic::error(section.at, e.to_string()));
                        def
                    }
                };
            }
            for &provider in &service.providers {
                let Some(p) = self.sections.get(provider) else {
                    continue;
                };
                let props = typed_props(p, SectionKind::Provider, &mut errors);
                let resource_type = props
                    .iter()
                    .find(|(tag, _)| *tag == PR_RESOURCE_TYPE)
                    .and_then(|(_, v)| v.as_u32())
                    .and_then(ResourceType::from_value)
                    .unwrap_or(ResourceType::StoreProvider);
                let dll = props
                    .iter()
                    .find(|(tag, _)| tag.id() == PR_PROVIDER_DLL_NAME_A.id())
                    .and_then(|(_, v)| v.as_str())
                    .unwrap_or_default()
                    .to_owned();
                let mut provider_def = ProviderDef::new(resource_type, &dll);
                for (tag, value) in props {
                    provider_def = match provider_def.clone().try_prop(tag, value) {
                        Ok(d) => d,
                        Err(e) => {
                            errors.push(Diagnostic::error(p.at, e.to_string()));
                            provider_def
                        }
                    };
                }
                def = def.provider(provider_def);
            }
            defs.push(def);
        }
        if errors.is_empty() { Ok(defs) } else { Err(errors) }
    }

    /// The file as text: each section as `[name]` followed by its `key=value` lines, a blank line
    /// between sections, LF line ends. Reading the text back with [`parse`] gives a file equal to
    /// this one.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (i, section) in self.sections.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push('[');
            out.push_str(&section.name);
            out.push_str("]\n");
            for e in &section.entries {
                out.push_str(&e.key);
                out.push('=');
                out.push_str(&e.value);
                out.push('\n');
            }
        }
        out
    }
}

/// The typed properties of a section, the first of each property ID only.
fn typed_props(
    section: &Section,
    kind: SectionKind,
    errors: &mut Vec<Diagnostic>,
) -> Vec<(PropTag, PropValue)> {
    let mut out: Vec<(PropTag, PropValue)> = Vec::new();
    let mut ids = HashSet::new();
    for e in &section.entries {
        match e.typed(kind) {
            Ok(Some((tag, value))) => {
                if ids.insert(tag.id()) {
                    out.push((tag, value));
                }
            }
            Ok(None) => {}
            Err(d) => errors.push(d),
        }
    }
    out
}

/// One service of `[Services]` and what its section refers to.
#[derive(Clone, Debug)]
struct ServiceRef {
    name: String,
    display: String,
    section: Option<usize>,
    providers: Vec<usize>,
}

/// The role of every section, from `[Services]` and the lists, with the problems found on the way.
#[derive(Clone, Debug)]
struct Roles {
    kinds: Vec<SectionKind>,
    /// For each section, whether its name appeared earlier (it is then ignored).
    repeated: Vec<bool>,
    services: Vec<ServiceRef>,
    diagnostics: Vec<Diagnostic>,
}

impl Roles {
    fn of(inf: &MapiSvcInf) -> Roles {
        let mut diagnostics = Vec::new();
        let mut first: HashMap<String, usize> = HashMap::new();
        let mut repeated = vec![false; inf.sections.len()];
        let mut kinds = vec![SectionKind::Unreferenced; inf.sections.len()];
        for (index, section) in inf.sections.iter().enumerate() {
            let folded = fold(&section.name);
            if let Some(&earlier) = first.get(&folded) {
                if let Some(slot) = repeated.get_mut(index) {
                    *slot = true;
                }
                let earlier_at = inf.sections.get(earlier).map_or(section.at, |s| s.at);
                diagnostics.push(Diagnostic::warning(
                    section.at,
                    format!(
                        "section `[{}]` appears again (first at {earlier_at}); expected each section \
                         once, only the first one is read",
                        shown(&section.name)
                    ),
                ));
                continue;
            }
            first.insert(folded, index);
            if let (Some(kind), Some(slot)) = (SectionKind::global(&section.name), kinds.get_mut(index)) {
                *slot = kind;
            }
        }
        let lookup = |name: &str| first.get(&fold(name)).copied();

        // [Services]: one service section per key.
        let mut services: Vec<ServiceRef> = Vec::new();
        if let Some(list) = lookup("Services").and_then(|i| inf.sections.get(i)) {
            let mut listed: HashMap<String, Pos> = HashMap::new();
            for e in &list.entries {
                if let Some(earlier) = listed.get(&fold(&e.key)) {
                    diagnostics.push(Diagnostic::warning(
                        e.at,
                        format!(
                            "service `{}` is listed again in `[Services]` (first at {}); expected each \
                             service once, only the first one is used",
                            shown(&e.key),
                            earlier
                        ),
                    ));
                    continue;
                }
                listed.insert(fold(&e.key), e.at);
                let section = match lookup(&e.key) {
                    None => {
                        diagnostics.push(Diagnostic::error(
                            e.at,
                            format!(
                                "service `{}` is listed in `[Services]` but has no section; expected a \
                                 section `[{}]`",
                                shown(&e.key),
                                shown(&e.key)
                            ),
                        ));
                        None
                    }
                    Some(i) if kinds.get(i).is_some_and(|k| k.is_global()) => {
                        diagnostics.push(Diagnostic::error(
                            e.at,
                            format!(
                                "service `{}` names a global section; expected the name of its own \
                                 message-service section",
                                shown(&e.key)
                            ),
                        ));
                        None
                    }
                    Some(i) => {
                        if let Some(slot) = kinds.get_mut(i) {
                            *slot = SectionKind::Service;
                        }
                        Some(i)
                    }
                };
                services.push(ServiceRef {
                    name: e.key.clone(),
                    display: e.value.clone(),
                    section,
                    providers: Vec::new(),
                });
            }
        }

        // The lists of each service section.
        let mut provider_refs: Vec<usize> = Vec::new();
        let mut extra_refs: Vec<usize> = Vec::new();
        for service in &mut services {
            let Some(section) = service.section.and_then(|i| inf.sections.get(i)) else {
                continue;
            };
            if section.get("Providers").is_none() {
                diagnostics.push(Diagnostic::error(
                    section.at,
                    format!(
                        "service section `[{}]` has no `Providers=` line; expected one naming at least \
                         one provider section",
                        shown(&section.name)
                    ),
                ));
            }
            for (list_name, is_providers) in [("Providers", true), ("Sections", false)] {
                let Some(line) = section.get(list_name) else {
                    continue;
                };
                let items = line.list_items();
                if items.is_empty() {
                    if is_providers {
                        diagnostics.push(Diagnostic::error(
                            line.value_at,
                            "found an empty `Providers=` list, expected at least one provider section name",
                        ));
                    }
                    continue;
                }
                let what = if is_providers { "provider" } else { "extra" };
                let mut listed: HashMap<String, Pos> = HashMap::new();
                for item in &items {
                    if item.name.is_empty() {
                        diagnostics.push(Diagnostic::error(
                            item.at,
                            format!(
                                "found an empty item in the `{list_name}=` list, expected a section name"
                            ),
                        ));
                        continue;
                    }
                    if let Some(earlier) = listed.get(&fold(&item.name)) {
                        diagnostics.push(Diagnostic::warning(
                            item.at,
                            format!(
                                "`{}` is listed again in this `{list_name}=` list (first at {}); \
                                 expected each section once",
                                shown(&item.name),
                                earlier
                            ),
                        ));
                        continue;
                    }
                    listed.insert(fold(&item.name), item.at);
                    match lookup(&item.name) {
                        None => diagnostics.push(Diagnostic::error(
                            item.at,
                            format!(
                                "{what} section `{}` named in `{list_name}=` does not exist; expected a \
                                 section `[{}]`",
                                shown(&item.name),
                                shown(&item.name)
                            ),
                        )),
                        Some(i)
                            if kinds
                                .get(i)
                                .is_some_and(|k| k.is_global() || *k == SectionKind::Service) =>
                        {
                            let found = if kinds.get(i).is_some_and(|k| k.is_global()) {
                                "a global section"
                            } else {
                                "a message-service section"
                            };
                            diagnostics.push(Diagnostic::error(
                                item.at,
                                format!(
                                    "`{}` in `{list_name}=` is {found}; expected the name of a {what} \
                                     section of its own",
                                    shown(&item.name)
                                ),
                            ));
                        }
                        Some(i) => {
                            if is_providers {
                                service.providers.push(i);
                                provider_refs.push(i);
                            } else {
                                extra_refs.push(i);
                            }
                        }
                    }
                }
            }
        }
        for i in extra_refs {
            if let Some(slot) = kinds.get_mut(i) {
                *slot = SectionKind::Extra;
            }
        }
        for i in provider_refs {
            if let Some(slot) = kinds.get_mut(i) {
                *slot = SectionKind::Provider;
            }
        }
        Roles {
            kinds,
            repeated,
            services,
            diagnostics,
        }
    }

    fn global(&self, kind: SectionKind) -> Option<usize> {
        self.kinds
            .iter()
            .enumerate()
            .find(|(i, k)| **k == kind && !self.repeated.get(*i).copied().unwrap_or(true))
            .map(|(i, _)| i)
    }
}

fn warn_repeated_keys(section: &Section, diagnostics: &mut Vec<Diagnostic>) {
    let mut first: HashMap<String, Pos> = HashMap::new();
    for e in &section.entries {
        if let Some(earlier) = first.get(&fold(&e.key)) {
            diagnostics.push(Diagnostic::warning(
                e.at,
                format!(
                    "key `{}` appears again in section `[{}]` (first at {}); expected each key once, \
                     only the first value is used",
                    shown(&e.key),
                    shown(&section.name),
                    earlier
                ),
            ));
        } else {
            first.insert(fold(&e.key), e.at);
        }
    }
}

/// The checks of a service, provider or extra section.
fn check_property_section(section: &Section, kind: SectionKind, diagnostics: &mut Vec<Diagnostic>) {
    // The first entry setting each property ID.
    let mut seen: HashMap<u16, &Entry> = HashMap::new();
    for e in &section.entries {
        let key_kind = match e.key_kind() {
            Ok(k) => k,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        let tag = match key_kind {
            KeyKind::Providers | KeyKind::Sections => {
                if kind != SectionKind::Service {
                    let what = if kind == SectionKind::Provider {
                        "a provider"
                    } else {
                        "an extra"
                    };
                    diagnostics.push(Diagnostic::error(
                        e.at,
                        format!(
                            "found the list line `{}=` in {what} section, expected only property lines \
                             (lists belong in the message-service section)",
                            shown(&e.key)
                        ),
                    ));
                }
                continue;
            }
            KeyKind::NotAProperty => continue,
            KeyKind::Property { tag, .. } => tag,
        };
        if let Err(d) = e.typed(kind) {
            diagnostics.push(d);
        }
        if let Some(earlier) = seen.get(&tag.id()) {
            // The same key twice is reported with the other repeated keys.
            if !same_name(&earlier.key, &e.key) {
                diagnostics.push(Diagnostic::warning(
                    e.at,
                    format!(
                        "`{}` sets the same property as `{}` at {}; expected each property once, only \
                         the first value is used",
                        shown(&e.key),
                        shown(&earlier.key),
                        earlier.at
                    ),
                ));
            }
        } else {
            seen.insert(tag.id(), e);
        }
        if tag.id() == PR_SERVICE_UID.id() {
            diagnostics.push(Diagnostic::error(
                e.at,
                "found `PR_SERVICE_UID`, which MAPI computes when it adds the service to a profile; \
                 expected it to be left out of Mapisvc.inf",
            ));
        }
        let id = tag.id();
        if (id == PR_PROVIDER_DLL_NAME_A.id() || id == PR_SERVICE_DLL_NAME_A.id())
            && tag.prop_type().is_string()
            && !tag.prop_type().is_multi()
        {
            for (offset, message) in dll_name_problems(&e.value) {
                diagnostics.push(Diagnostic::error(e.value_at.plus(offset), message));
            }
        }
    }
    let has = |tag: PropTag| seen.contains_key(&tag.id());
    let entry_of = |tag: PropTag| seen.get(&tag.id()).copied();
    let name = shown(&section.name);
    match kind {
        SectionKind::Service => {
            for (present, missing) in [
                (PR_SERVICE_DLL_NAME_A, PR_SERVICE_ENTRY_NAME),
                (PR_SERVICE_ENTRY_NAME, PR_SERVICE_DLL_NAME_A),
            ] {
                if let (Some(e), false) = (entry_of(present), has(missing)) {
                    diagnostics.push(Diagnostic::error(
                        e.at,
                        format!(
                            "found `{}` without `{}` in service section `[{name}]`; expected both, \
                             MAPI needs the DLL and the name of the entry point to call the service",
                            shown(&e.key),
                            base_name(missing)
                        ),
                    ));
                }
            }
        }
        SectionKind::Provider => {
            for required in [PR_PROVIDER_DLL_NAME_A, PR_RESOURCE_TYPE, PR_PROVIDER_DISPLAY_A] {
                if !has(required) {
                    diagnostics.push(Diagnostic::error(
                        section.at,
                        format!(
                            "provider section `[{name}]` has no `{}`; expected it, MAPI needs it to \
                             start the provider",
                            base_name(required)
                        ),
                    ));
                }
            }
            for recommended in [PR_DISPLAY_NAME_A, PR_RESOURCE_FLAGS] {
                if !has(recommended) {
                    diagnostics.push(Diagnostic::warning(
                        section.at,
                        format!(
                            "provider section `[{name}]` has no `{}`; one documentation page requires \
                             it, another calls it optional",
                            base_name(recommended)
                        ),
                    ));
                }
            }
        }
        _ => {}
    }
}

/// The unsuffixed name of a well-known tag, for messages.
fn base_name(tag: PropTag) -> String {
    let name = tag.name().unwrap_or("?");
    name.strip_suffix("_A").unwrap_or(name).to_owned()
}

/// Problems with a DLL name: a `32` already written, a period before the file name.
fn dll_name_problems(value: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let file_start = value.rfind(['\\', '/']).map_or(0, |i| i + 1);
    let file = &value[file_start..];
    let stem_len = file.find('.').unwrap_or(file.len());
    let stem = &file[..stem_len];
    let first_period = value.find('.');
    let with_32 = |v: &str| match v.find('.') {
        Some(i) => format!("{}32{}", &v[..i], &v[i..]),
        None => format!("{v}32"),
    };
    if stem.ends_with("32") {
        let at = file_start + stem_len - 2;
        let base = format!("{}{}", &value[..at], &value[at + 2..]);
        out.push((
            chars(&value[..at]),
            format!(
                "DLL name `{}` already ends in `32` before its extension; MAPI inserts `32` itself \
                 (it would load `{}`), expected the base name `{}`",
                shown(value),
                shown(&with_32(value)),
                shown(&base)
            ),
        ));
    }
    if let Some(period) = first_period.filter(|&p| p < file_start) {
        out.push((
            chars(&value[..period]),
            format!(
                "found a period in the directory part of the DLL path `{}`; MAPI inserts `32` before \
                 the first period of the whole path (it would load `{}`), expected a path whose only \
                 period is in the file name",
                shown(value),
                shown(&with_32(value))
            ),
        ));
    }
    out
}

/// What a key of a service, provider or extra section means: a property (by name or
/// hexadecimal tag), a list, or one of the known keys that are not properties. The error says
/// what was found and what was expected.
///
/// ```
/// use mapisim::profile::inf::{key_kind, KeyKind};
/// use mapisim::props::{PropTag, PR_DISPLAY_NAME_A};
///
/// assert_eq!(key_kind("PR_DISPLAY_NAME"), Ok(KeyKind::Property { tag: PR_DISPLAY_NAME_A, hex: false }));
/// assert_eq!(key_kind("6600001e"), Ok(KeyKind::Property { tag: PropTag(0x6600_001E), hex: true }));
/// assert_eq!(key_kind("Providers"), Ok(KeyKind::Providers));
/// assert!(key_kind("PR_NO_SUCH_THING").is_err());
/// ```
pub fn key_kind(key: &str) -> Result<KeyKind, String> {
    if key.eq_ignore_ascii_case("Providers") {
        return Ok(KeyKind::Providers);
    }
    if key.eq_ignore_ascii_case("Sections") {
        return Ok(KeyKind::Sections);
    }
    if ["WIZARD_ENTRY_NAME", "PR_SERVICE_INSTALL_ID", "UID"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
    {
        return Ok(KeyKind::NotAProperty);
    }
    if key.len() == 8 && key.bytes().all(|b| b.is_ascii_hexdigit()) {
        let Ok(raw) = u32::from_str_radix(key, 16) else {
            return Err(format!(
                "found `{}`, expected an 8-digit hexadecimal tag",
                shown(key)
            ));
        };
        let tag = PropTag(raw);
        if tag.id() == props::PROP_ID_NULL || tag.id() == props::PROP_ID_INVALID {
            return Err(format!(
                "tag `{key}` has the reserved property ID 0x{:04X}, which MAPI never uses; expected an \
                 ID from 0x0001 to 0xFFFE",
                tag.id()
            ));
        }
        if !supported(tag.prop_type()) {
            return Err(unsupported_type(tag));
        }
        return Ok(KeyKind::Property { tag, hex: true });
    }
    if let Some(tag) = props::tag_by_name(key) {
        let ty = tag.prop_type();
        let tag = if ty == PropType::UNICODE && !key.ends_with("_W") {
            tag.with_type(PropType::STRING8)
        } else if ty == PropType::MV_UNICODE && !key.ends_with("_W") {
            tag.with_type(PropType::MV_STRING8)
        } else {
            tag
        };
        if !supported(tag.prop_type()) {
            return Err(unsupported_type(tag));
        }
        return Ok(KeyKind::Property { tag, hex: false });
    }
    let upper = key.to_ascii_uppercase();
    let hint = if upper != key && (props::tag_by_name(&upper).is_some() || upper == "PR_SERVICE_INSTALL_ID") {
        format!(" (property names are case-sensitive: did you mean `{upper}`?)")
    } else {
        String::new()
    };
    if upper.starts_with("PR_") {
        return Err(format!(
            "unknown property name `{}`; expected a property name such as `PR_DISPLAY_NAME` or an \
             8-digit hexadecimal tag{hint}",
            shown(key)
        ));
    }
    let hint = if let Some(hex) = key.strip_prefix("0x").or_else(|| key.strip_prefix("0X")) {
        if hex.len() == 8 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            format!(" (write the tag without `0x`: `{hex}`)")
        } else {
            String::new()
        }
    } else if key.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!(" (found {} hexadecimal digits)", key.len())
    } else {
        String::new()
    };
    Err(format!(
        "found the key `{}`, expected a property name or an 8-digit hexadecimal tag{hint}",
        shown(key)
    ))
}

fn supported(ty: PropType) -> bool {
    matches!(
        ty,
        PropType::LONG
            | PropType::BOOLEAN
            | PropType::STRING8
            | PropType::UNICODE
            | PropType::BINARY
            | PropType::MV_STRING8
            | PropType::MV_UNICODE
            | PropType::MV_BINARY
    )
}

fn unsupported_type(tag: PropTag) -> String {
    format!(
        "property type {} of tag 0x{:08X} is not supported in Mapisvc.inf; expected PT_LONG, PT_BOOLEAN, \
         PT_STRING8, PT_UNICODE, PT_BINARY or their multi-valued string and binary forms",
        tag.prop_type(),
        tag.value()
    )
}

/// Named values a long property may use.
enum Names {
    Flags {
        names: &'static [(&'static str, u32)],
        what: &'static str,
        example: &'static str,
        other: Option<(&'static [(&'static str, u32)], &'static str)>,
    },
    ResourceType,
}

fn names_for(tag: PropTag, kind: SectionKind) -> Option<Names> {
    if tag == PR_RESOURCE_FLAGS {
        return Some(if kind == SectionKind::Service {
            Names::Flags {
                names: ServiceFlags::NAMES,
                what: "PR_RESOURCE_FLAGS of a message-service section",
                example: "SERVICE_SINGLE_COPY",
                other: Some((ResourceFlags::NAMES, "a provider flag, not a service flag")),
            }
        } else {
            Names::Flags {
                names: ResourceFlags::NAMES,
                what: "PR_RESOURCE_FLAGS of a provider section",
                example: "STATUS_DEFAULT_STORE",
                other: Some((
                    ServiceFlags::NAMES,
                    "a service flag, for the message-service section",
                )),
            }
        });
    }
    if tag == PR_STATUS_CODE {
        return Some(Names::Flags {
            names: StatusCode::NAMES,
            what: "PR_STATUS_CODE",
            example: "STATUS_AVAILABLE",
            other: None,
        });
    }
    if tag == PR_RESOURCE_METHODS {
        return Some(Names::Flags {
            names: ResourceMethods::NAMES,
            what: "PR_RESOURCE_METHODS",
            example: "STATUS_VALIDATE_STATE",
            other: None,
        });
    }
    if tag == PR_RESOURCE_TYPE {
        return Some(Names::ResourceType);
    }
    None
}

/// Reads the value of a property line by the type of its tag (see the table in the module
/// documentation). `hex` says whether the key was written as a hexadecimal tag; `kind` is the
/// kind of the section, which chooses the flag names of `PR_RESOURCE_FLAGS`.
///
/// ```
/// use mapisim::profile::inf::{property_value, SectionKind};
/// use mapisim::props::{PropTag, PropValue, PR_RESOURCE_FLAGS};
///
/// let long = PropTag(0x6600_0003);
/// assert_eq!(property_value(long, true, "07000000", SectionKind::Provider), Ok(PropValue::Long(7)));
/// assert_eq!(
///     property_value(PR_RESOURCE_FLAGS, false, "SERVICE_SINGLE_COPY | 0x20", SectionKind::Service),
///     Ok(PropValue::Long(0x22))
/// );
/// let e = property_value(PR_RESOURCE_FLAGS, false, "STATUS_OWN_STORE|STATUS_BOGUS", SectionKind::Provider);
/// assert_eq!(e.map_err(|e| e.offset), Err(17)); // where `STATUS_BOGUS` starts
/// ```
pub fn property_value(
    tag: PropTag,
    hex: bool,
    value: &str,
    kind: SectionKind,
) -> Result<PropValue, ValueError> {
    let at_start = |message: String| ValueError { offset: 0, message };
    match tag.prop_type() {
        PropType::LONG => parse_long(tag, hex, value, kind).map(PropValue::from_u32),
        PropType::BOOLEAN => {
            if value.eq_ignore_ascii_case("TRUE") || value == "1" {
                Ok(PropValue::Boolean(true))
            } else if value.eq_ignore_ascii_case("FALSE") || value == "0" {
                Ok(PropValue::Boolean(false))
            } else {
                Err(at_start(format!(
                    "found {}, expected a boolean: `TRUE`, `FALSE`, `1` or `0`",
                    found(value)
                )))
            }
        }
        PropType::STRING8 => Ok(PropValue::String8(value.into())),
        PropType::UNICODE => Ok(PropValue::Unicode(value.into())),
        PropType::BINARY => parse_binary(value).map(PropValue::Binary),
        PropType::MV_STRING8 => Ok(PropValue::MvString8(
            string_items(value).into_iter().map(Into::into).collect(),
        )),
        PropType::MV_UNICODE => Ok(PropValue::MvUnicode(
            string_items(value).into_iter().map(Into::into).collect(),
        )),
        PropType::MV_BINARY => {
            if value.is_empty() {
                return Ok(PropValue::MvBinary(Vec::new()));
            }
            let mut items = Vec::new();
            for (offset, item) in split_items(value, ',') {
                let bytes = parse_binary(item).map_err(|e| ValueError {
                    offset: offset + e.offset,
                    message: e.message,
                })?;
                items.push(bytes);
            }
            Ok(PropValue::MvBinary(items))
        }
        _ => Err(at_start(unsupported_type(tag))),
    }
}

fn string_items(value: &str) -> Vec<String> {
    if value.is_empty() {
        return Vec::new();
    }
    split_items(value, ',')
        .into_iter()
        .map(|(_, s)| s.to_owned())
        .collect()
}

fn parse_binary(value: &str) -> Result<Vec<u8>, ValueError> {
    if let Some((offset, c)) = value.chars().enumerate().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(ValueError {
            offset,
            message: format!(
                "found `{}` in binary data, expected hexadecimal digits only, two per byte",
                c.escape_debug()
            ),
        });
    }
    if !value.len().is_multiple_of(2) {
        return Err(ValueError {
            offset: 0,
            message: format!(
                "found {} hexadecimal digits in binary data, expected an even number (two per byte)",
                value.len()
            ),
        });
    }
    Ok(value
        .as_bytes()
        .chunks(2)
        .map(|pair| (hex_digit(pair.first()) << 4) | hex_digit(pair.get(1)))
        .collect())
}

fn hex_digit(b: Option<&u8>) -> u8 {
    match b {
        Some(b @ b'0'..=b'9') => b - b'0',
        Some(b @ b'a'..=b'f') => b - b'a' + 10,
        Some(b @ b'A'..=b'F') => b - b'A' + 10,
        _ => 0,
    }
}

/// A number as text: decimal, or `0x` and hexadecimal digits.
enum Number {
    Value(u32),
    TooBig,
    Malformed,
}

fn number(text: &str) -> Number {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Number::Malformed;
        }
        let digits = hex.trim_start_matches('0');
        if digits.len() > 8 {
            return Number::TooBig;
        }
        return match u32::from_str_radix(if digits.is_empty() { "0" } else { digits }, 16) {
            Ok(v) => Number::Value(v),
            Err(_) => Number::TooBig,
        };
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Number::Malformed;
    }
    let Ok(magnitude) = digits.parse::<u64>() else {
        return Number::TooBig;
    };
    if negative {
        match i64::try_from(magnitude)
            .ok()
            .map(|m| -m)
            .and_then(|v| i32::try_from(v).ok())
        {
            Some(v) => Number::Value(v as u32),
            None => Number::TooBig,
        }
    } else {
        match u32::try_from(magnitude) {
            Ok(v) => Number::Value(v),
            Err(_) => Number::TooBig,
        }
    }
}

fn too_big(text: &str) -> String {
    format!(
        "found `{}`, which does not fit in 32 bits; expected a number from -2147483648 to 4294967295 \
         (0xFFFFFFFF)",
        shown(text)
    )
}

fn parse_long(tag: PropTag, hex: bool, value: &str, kind: SectionKind) -> Result<u32, ValueError> {
    let err = |offset: usize, message: String| ValueError { offset, message };
    if hex && value.len() == 8 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        let bytes = parse_binary(value)?;
        let mut le = [0u8; 4];
        for (slot, b) in le.iter_mut().zip(bytes) {
            *slot = b;
        }
        return Ok(u32::from_le_bytes(le));
    }
    let le_hint = if hex {
        ", or 8 hexadecimal digits giving the 4 bytes in little-endian order"
    } else {
        ""
    };
    match names_for(tag, kind) {
        None => match number(value) {
            Number::Value(v) => Ok(v),
            Number::TooBig => Err(err(0, too_big(value))),
            Number::Malformed => Err(err(
                0,
                format!(
                    "found {}, expected a decimal number or `0x` followed by hexadecimal digits{le_hint}",
                    found(value)
                ),
            )),
        },
        Some(Names::ResourceType) => match number(value) {
            Number::Value(v) if ResourceType::from_value(v).is_some() => Ok(v),
            Number::Value(v) => Err(err(
                0,
                format!(
                    "found the resource type {v} (0x{v:X}), which MAPI does not define; expected one of {}",
                    resource_type_names()
                ),
            )),
            Number::TooBig => Err(err(0, too_big(value))),
            Number::Malformed => match ResourceType::from_name(value) {
                Some(t) => Ok(t.value()),
                None => {
                    let hint = ResourceType::ALL
                        .iter()
                        .find(|t| t.name().eq_ignore_ascii_case(value))
                        .map(|t| format!(" (names are case-sensitive: did you mean `{}`?)", t.name()))
                        .unwrap_or_default();
                    Err(err(
                        0,
                        format!(
                            "unknown resource type {}; expected one of {}{hint}",
                            found(value),
                            resource_type_names()
                        ),
                    ))
                }
            },
        },
        Some(Names::Flags {
            names,
            what,
            example,
            other,
        }) => {
            if value.is_empty() {
                return Err(err(
                    0,
                    format!(
                        "found nothing, expected flag names of {what} joined with `|` (such as \
                         `{example}`), or a number"
                    ),
                ));
            }
            let mut bits = 0u32;
            for (offset, part) in split_items(value, '|') {
                if part.is_empty() {
                    return Err(err(
                        offset,
                        format!(
                            "found an empty flag name next to `|`, expected a flag name such as `{example}`"
                        ),
                    ));
                }
                match number(part) {
                    Number::Value(v) => {
                        bits |= v;
                        continue;
                    }
                    Number::TooBig => return Err(err(offset, too_big(part))),
                    Number::Malformed => {}
                }
                if let Some((_, v)) = names.iter().find(|(n, _)| *n == part) {
                    bits |= v;
                    continue;
                }
                let hint = if let Some((n, _)) = names.iter().find(|(n, _)| n.eq_ignore_ascii_case(part)) {
                    format!(" (flag names are case-sensitive: did you mean `{n}`?)")
                } else if let Some((_, why)) = other.filter(|(o, _)| o.iter().any(|(n, _)| *n == part)) {
                    format!(" (`{part}` is {why})")
                } else {
                    String::new()
                };
                return Err(err(
                    offset,
                    format!(
                        "unknown flag name `{}` for {what}; expected names such as `{example}` joined \
                         with `|`{hint}",
                        shown(part)
                    ),
                ));
            }
            Ok(bits)
        }
    }
}

fn resource_type_names() -> String {
    ResourceType::ALL
        .iter()
        .map(|t| format!("`{}`", t.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits at `sep` and trims each item; each item comes with the character offset where its
/// trimmed text starts (for an empty item, where it would start).
fn split_items(value: &str, sep: char) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for piece in value.split(sep) {
        let trimmed_start = piece.trim_start();
        let lead = chars(&piece[..piece.len() - trimmed_start.len()]);
        out.push((offset + lead, trimmed_start.trim_end()));
        offset += chars(piece) + 1;
    }
    out
}

/// Section and key names compare without regard to case.
fn same_name(a: &str, b: &str) -> bool {
    a == b || fold(a) == fold(b)
}

fn fold(name: &str) -> String {
    name.to_lowercase()
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A value for a message: quoted, or "nothing" when empty.
fn found(value: &str) -> String {
    if value.is_empty() {
        "nothing".to_owned()
    } else {
        format!("`{}`", shown(value))
    }
}

/// Text for a message: control characters escaped, long text shortened.
fn shown(text: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
