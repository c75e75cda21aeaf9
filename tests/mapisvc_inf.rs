//! Mapisvc.inf: the parser, every diagnostic with its position, typed values, service
//! definitions, writing back, and random text.

#![allow(clippy::unwrap_used)] // tests unwrap what they have just set up

use mapisim::flags::{ResourceFlags, ResourceType, ServiceFlags};
use mapisim::profile::inf::{
    self, Diagnostic, KeyKind, MapiSvcInf, Parsed, Pos, SectionKind, Severity, key_kind, property_value,
};
use mapisim::props::*;
use proptest::prelude::*;

const GOOD: &str = include_str!("data/good.inf");
const GOOD_TWO: &str = include_str!("data/good_two_services.inf");

/// A valid file: one service (lines 1–7) with one store provider (lines 9–14). `service` lines go
/// after `Providers=` (from line 8), `provider` lines at the end of the provider section.
fn file(service: &[&str], provider: &[&str]) -> String {
    let mut text = String::from(
        "[Services]\nMOCKSVC=Mock Test Service\n\n[MOCKSVC]\nPR_SERVICE_DLL_NAME=MOCKPRV.DLL\n\
         PR_SERVICE_ENTRY_NAME=ServiceEntry\nProviders=MOCKSVC MS\n",
    );
    for line in service {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(
        "\n[MOCKSVC MS]\nPR_DISPLAY_NAME=Mock Folders\nPR_PROVIDER_DISPLAY=Mock Store Provider\n\
         PR_PROVIDER_DLL_NAME=MOCKPRV.DLL\nPR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\n\
         PR_RESOURCE_FLAGS=STATUS_NO_DEFAULT_STORE\n",
    );
    for line in provider {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The valid file with one line added to the provider section: that line is line 15.
fn with_provider_line(line: &str) -> Parsed {
    inf::parse(&file(&[], &[line]))
}

/// The valid file with one line added to the service section: that line is line 8.
fn with_service_line(line: &str) -> Parsed {
    inf::parse(&file(&[line], &[]))
}

fn listing(p: &Parsed) -> String {
    p.diagnostics.iter().map(|d| format!("  {d}\n")).collect()
}

/// The diagnostic with this severity and position whose message contains `fragment`.
#[track_caller]
fn expect<'a>(p: &'a Parsed, severity: Severity, line: u32, col: u32, fragment: &str) -> &'a Diagnostic {
    let at = Pos { line, col };
    p.diagnostics
        .iter()
        .find(|d| d.severity == severity && d.at == at && d.message.contains(fragment))
        .unwrap_or_else(|| {
            panic!(
                "no {severity} at {at} containing {fragment:?}; found:\n{}",
                listing(p)
            )
        })
}

/// As [`expect`], and it is the only diagnostic.
#[track_caller]
fn expect_only(p: &Parsed, severity: Severity, line: u32, col: u32, fragment: &str) {
    expect(p, severity, line, col, fragment);
    assert_eq!(
        p.diagnostics.len(),
        1,
        "expected one diagnostic, found:\n{}",
        listing(p)
    );
}

use Severity::{Error, Warning};

// ---------------------------------------------------------------------------------------------
// The sample files

#[test]
fn the_reference_example_has_no_diagnostics() {
    let p = inf::parse(GOOD);
    assert!(p.diagnostics.is_empty(), "{}", listing(&p));
    assert_eq!(
        p.inf.services(),
        vec![("MOCKSVC".to_owned(), "Mock Test Service".to_owned())]
    );
    assert_eq!(p.inf.default_services(), p.inf.services());
    assert_eq!(
        p.inf.help_file_mappings(),
        vec![("MOCKSVC".to_owned(), "MOCKSVC.HLP".to_owned())]
    );
    assert_eq!(p.inf.providers_of("mocksvc"), vec!["MOCKSVC AB", "MOCKSVC MS"]);
    let kinds: Vec<(&str, SectionKind)> = p
        .inf
        .sections()
        .iter()
        .map(|s| s.name.as_str())
        .zip(p.inf.section_kinds())
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("Services", SectionKind::Services),
            ("Default Services", SectionKind::DefaultServices),
            ("Help File Mappings", SectionKind::HelpFileMappings),
            ("MOCKSVC", SectionKind::Service),
            ("MOCKSVC AB", SectionKind::Provider),
            ("MOCKSVC MS", SectionKind::Provider),
            ("MOCKSVC Settings", SectionKind::Extra),
        ]
    );
    assert_eq!(p.inf.section_kind("mocksvc settings"), Some(SectionKind::Extra));
    assert_eq!(p.inf.section_kind("nothing"), None);
}

#[test]
fn the_reference_example_keeps_positions() {
    let p = inf::parse(GOOD);
    let ms = p.inf.section("mocksvc ms").unwrap();
    assert_eq!(ms.name, "MOCKSVC MS");
    assert_eq!(ms.at, Pos { line: 30, col: 1 });
    let private = ms.get("66000003").unwrap();
    assert_eq!(private.value, "07000000");
    assert_eq!(private.at, Pos { line: 37, col: 1 });
    assert_eq!(private.value_at, Pos { line: 37, col: 10 });
    let providers = p.inf.section("MOCKSVC").unwrap().get("providers").unwrap();
    let items = providers.list_items();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0].name.as_str(), items[0].at),
        ("MOCKSVC AB", Pos { line: 18, col: 11 })
    );
    assert_eq!(
        (items[1].name.as_str(), items[1].at),
        ("MOCKSVC MS", Pos { line: 18, col: 23 })
    );
}

#[test]
fn the_two_service_file_has_no_diagnostics() {
    assert!(
        GOOD_TWO.contains("\r\n"),
        "the sample keeps its Windows line ends"
    );
    let p = inf::parse(GOOD_TWO);
    assert!(p.diagnostics.is_empty(), "{}", listing(&p));
    assert_eq!(p.inf.services().len(), 2);
    assert_eq!(
        p.inf.default_services(),
        vec![("MOCKAB".to_owned(), "Mock Address Book".to_owned())]
    );
}

#[test]
fn the_broken_samples_report_what_they_show() {
    let cases: [(&str, &str, usize, usize); 5] = [
        (
            "missing_provider_section.inf",
            include_str!("data/missing_provider_section.inf"),
            3,
            0,
        ),
        (
            "dll_name_with_32.inf",
            include_str!("data/dll_name_with_32.inf"),
            3,
            0,
        ),
        ("unknown_names.inf", include_str!("data/unknown_names.inf"), 6, 1),
        ("bad_values.inf", include_str!("data/bad_values.inf"), 7, 0),
        ("warnings_only.inf", include_str!("data/warnings_only.inf"), 0, 10),
    ];
    for (name, text, errors, warnings) in cases {
        let p = inf::parse(text);
        assert_eq!(
            (p.errors().len(), p.warnings().len()),
            (errors, warnings),
            "{name}:\n{}",
            listing(&p)
        );
    }
    let p = inf::parse(include_str!("data/missing_provider_section.inf"));
    expect(
        &p,
        Error,
        4,
        1,
        "service `GHOSTSVC` is listed in `[Services]` but has no section",
    );
    expect(
        &p,
        Error,
        9,
        23,
        "provider section `MOCKSVC AB` named in `Providers=` does not exist",
    );
    expect(
        &p,
        Error,
        10,
        10,
        "extra section `MOCKSVC Settings` named in `Sections=` does not exist",
    );

    let p = inf::parse(include_str!("data/dll_name_with_32.inf"));
    expect(&p, Error, 6, 28, "MAPI inserts `32` itself");
    expect(
        &p,
        Error,
        13,
        41,
        "expected the base name `C:\\Mock\\Bin\\mockprv.dll`",
    );
    expect(&p, Error, 20, 29, "period in the directory part");

    let p = inf::parse(include_str!("data/unknown_names.inf"));
    expect(&p, Error, 9, 39, "unknown flag name `SERVICE_BOGUS`");
    expect(&p, Error, 10, 1, "unknown property name `PR_SERVICE_COLOUR`");
    expect(&p, Error, 17, 18, "unknown resource type `MAPI_MESSAGE_STORE`");
    expect(&p, Error, 18, 45, "did you mean `STATUS_OWN_STORE`?");
    expect(&p, Error, 19, 1, "found the key `StorePath`");
    expect(&p, Error, 20, 1, "did you mean `PR_PROVIDER_DISPLAY`?");

    let p = inf::parse(include_str!("data/bad_values.inf"));
    expect(&p, Error, 16, 10, "found `seven`, expected a decimal number");
    expect(&p, Error, 17, 10, "does not fit in 32 bits");
    expect(&p, Error, 18, 10, "found 5 hexadecimal digits");
    expect(&p, Error, 19, 13, "found `Z` in binary data");
    expect(&p, Error, 20, 10, "expected a boolean");
    expect(
        &p,
        Error,
        21,
        1,
        "PT_I8 of tag 0x66050014 is not supported in Mapisvc.inf",
    );
    expect(&p, Error, 22, 17, "found `G` in binary data");

    let p = inf::parse(include_str!("data/warnings_only.inf"));
    assert!(!p.has_errors());
    assert!(p.service_defs().is_ok());
}

// ---------------------------------------------------------------------------------------------
// Syntax

#[test]
fn an_entry_before_any_section_is_an_error_once() {
    let p = inf::parse("; header comment\n  A=1\nB=2\n[Services]\n");
    expect_only(&p, Error, 2, 3, "found the entry `A` before any section header");
    assert!(p.inf.sections()[0].entries.is_empty());
}

#[test]
fn a_header_without_a_closing_bracket_is_an_error_and_its_lines_are_dropped() {
    let p = inf::parse("[Services]\nMOCKSVC=Mock\n\n  [MOCKSVC\nProviders=X\n");
    expect(&p, Error, 4, 3, "found `[MOCKSVC` without a closing `]`");
    assert_eq!(p.inf.sections().len(), 1);
    assert_eq!(p.inf.sections()[0].entries.len(), 1);
}

#[test]
fn an_empty_section_name_is_an_error() {
    let p = inf::parse("[Services]\n[  ]\nX=1\n");
    expect_only(&p, Error, 2, 1, "empty section name");
    assert_eq!(p.inf.sections().len(), 1);
}

#[test]
fn text_after_a_header_is_a_warning() {
    let p = inf::parse("[Services]  trailing words\n");
    expect_only(
        &p,
        Warning,
        1,
        13,
        "found `trailing words` after the section header `[Services]`",
    );
}

#[test]
fn the_section_name_runs_to_the_last_bracket() {
    let p = inf::parse("[ a [b] c ]\n");
    assert_eq!(p.inf.sections()[0].name, "a [b] c");
}

#[test]
fn a_line_without_equals_is_an_error() {
    let p = with_provider_line("   just some words");
    expect_only(
        &p,
        Error,
        15,
        4,
        "found `just some words` without `=`, expected `key=value`",
    );
}

#[test]
fn an_empty_key_is_an_error() {
    let p = with_provider_line("  = value");
    expect_only(&p, Error, 15, 3, "nothing before `=`");
}

#[test]
fn comments_blank_lines_and_white_space_are_ignored() {
    let p = inf::parse(
        "\u{feff}; comment\n\n   ;indented comment\n [Sec]  \n\t key = value with = sign ; kept \t\n",
    );
    let section = &p.inf.sections()[0];
    assert_eq!(section.at, Pos { line: 4, col: 2 });
    let e = &section.entries[0];
    assert_eq!(e.key, "key");
    assert_eq!(e.value, "value with = sign ; kept");
    assert_eq!(e.at, Pos { line: 5, col: 3 });
    assert_eq!(e.value_at, Pos { line: 5, col: 9 });
}

#[test]
fn columns_count_characters() {
    let p = inf::parse("[Sérvices]\nÉté=été\n[Ünused]\n");
    let e = &p.inf.sections()[0].entries[0];
    assert_eq!(e.value_at, Pos { line: 2, col: 5 });
    let p = with_provider_line("PR_RESOURCE_PATH_A=C:\\Données\\été");
    assert!(p.diagnostics.is_empty(), "{}", listing(&p));
    let p = with_provider_line("66000102=ÿ0");
    expect_only(&p, Error, 15, 10, "found `ÿ` in binary data");
    let p = with_provider_line("66000102=00é");
    expect_only(&p, Error, 15, 12, "found `é` in binary data");
}

#[test]
fn crlf_and_lf_give_the_same_model_and_positions() {
    for text in [GOOD, GOOD_TWO] {
        let lf = text.replace("\r\n", "\n");
        let crlf = lf.replace('\n', "\r\n");
        let (a, b) = (inf::parse(&lf), inf::parse(&crlf));
        assert_eq!(a, b);
        let positions = |p: &Parsed| -> Vec<(Pos, Vec<(Pos, Pos)>)> {
            p.inf
                .sections()
                .iter()
                .map(|s| (s.at, s.entries.iter().map(|e| (e.at, e.value_at)).collect()))
                .collect()
        };
        assert_eq!(positions(&a), positions(&b));
    }
    let p = inf::parse("[Broken\r\nX\r\n");
    expect(&p, Error, 1, 1, "found `[Broken` without");
}

#[test]
fn diagnostics_display_with_their_position() {
    let p = with_provider_line("PR_BOGUS=1");
    let d = &p.diagnostics[0];
    assert_eq!(
        d.to_string(),
        "15:1: error: unknown property name `PR_BOGUS`; expected a property name such as `PR_DISPLAY_NAME` \
         or an 8-digit hexadecimal tag"
    );
    let w = inf::parse("[Services]\n[Other]\n");
    assert!(
        w.diagnostics[0]
            .to_string()
            .starts_with("2:1: warning: section `[Other]`")
    );
    assert_eq!(Pos { line: 3, col: 7 }.to_string(), "3:7");
}

// ---------------------------------------------------------------------------------------------
// Sections and lists

#[test]
fn a_service_without_a_section_is_an_error() {
    let p = inf::parse(
        "[Services]\nMOCKSVC=Mock\n  NOSUCH = Nothing\n\n[MOCKSVC]\nProviders=P\n\n[P]\nPR_DISPLAY_NAME=P\nPR_PROVIDER_DISPLAY=P\nPR_PROVIDER_DLL_NAME=P.DLL\nPR_RESOURCE_TYPE=MAPI_AB_PROVIDER\nPR_RESOURCE_FLAGS=0\n",
    );
    expect_only(
        &p,
        Error,
        3,
        3,
        "service `NOSUCH` is listed in `[Services]` but has no section",
    );
}

#[test]
fn a_service_naming_a_global_section_is_an_error() {
    let p = inf::parse("[Services]\nHelp File Mappings=Oops\n[Help File Mappings]\n");
    expect_only(&p, Error, 2, 1, "names a global section");
}

#[test]
fn a_missing_provider_section_is_reported_at_its_item() {
    let p = inf::parse(&file(&[], &[]).replace("Providers=MOCKSVC MS", "Providers=MOCKSVC MS,  MOCKSVC AB"));
    expect_only(
        &p,
        Error,
        7,
        24,
        "provider section `MOCKSVC AB` named in `Providers=` does not exist",
    );
}

#[test]
fn a_missing_extra_section_is_reported_at_its_item() {
    let p = with_service_line("Sections = One Extra");
    expect_only(
        &p,
        Error,
        8,
        12,
        "extra section `One Extra` named in `Sections=` does not exist",
    );
}

#[test]
fn a_list_naming_a_global_or_service_section_is_an_error() {
    let p = with_service_line("Sections=Services, MOCKSVC");
    expect(&p, Error, 8, 10, "`Services` in `Sections=` is a global section");
    expect(
        &p,
        Error,
        8,
        20,
        "`MOCKSVC` in `Sections=` is a message-service section",
    );
    assert_eq!(p.diagnostics.len(), 2, "{}", listing(&p));
}

#[test]
fn an_empty_providers_list_is_an_error() {
    let p = inf::parse(&file(&[], &[]).replace("Providers=MOCKSVC MS", "Providers=  "));
    expect(&p, Error, 7, 11, "found an empty `Providers=` list");
    // The provider section is then used by nobody.
    expect(&p, Warning, 9, 1, "section `[MOCKSVC MS]` is not referred to");
}

#[test]
fn an_empty_list_item_is_an_error() {
    let p = inf::parse(&file(&[], &[]).replace("Providers=MOCKSVC MS", "Providers=MOCKSVC MS, ,"));
    expect(&p, Error, 7, 23, "found an empty item in the `Providers=` list");
    expect(&p, Error, 7, 24, "found an empty item in the `Providers=` list");
    assert_eq!(p.diagnostics.len(), 2, "{}", listing(&p));
}

#[test]
fn an_item_listed_twice_is_a_warning() {
    let p = inf::parse(&file(&[], &[]).replace("Providers=MOCKSVC MS", "Providers=MOCKSVC MS,mocksvc ms"));
    expect_only(
        &p,
        Warning,
        7,
        22,
        "`mocksvc ms` is listed again in this `Providers=` list (first at 7:11)",
    );
}

#[test]
fn a_service_section_without_providers_is_an_error() {
    let p = inf::parse("[Services]\nMOCKSVC=Mock\n\n[MOCKSVC]\nPR_DISPLAY_NAME=Mock\n");
    expect_only(
        &p,
        Error,
        4,
        1,
        "service section `[MOCKSVC]` has no `Providers=` line",
    );
}

#[test]
fn a_list_line_in_a_provider_section_is_an_error() {
    let p = with_provider_line("Providers=MOCKSVC MS");
    expect_only(
        &p,
        Error,
        15,
        1,
        "found the list line `Providers=` in a provider section",
    );
    let p = with_provider_line("SECTIONS=Other");
    expect_only(
        &p,
        Error,
        15,
        1,
        "found the list line `SECTIONS=` in a provider section",
    );
}

#[test]
fn a_list_line_in_an_extra_section_is_an_error() {
    let text =
        file(&["Sections=Extra"], &[]) + "\n[Extra]\nUID=0123456789ABCDEF0123456789ABCDEF\nProviders=X\n";
    let p = inf::parse(&text);
    expect_only(
        &p,
        Error,
        19,
        1,
        "found the list line `Providers=` in an extra section",
    );
}

#[test]
fn a_repeated_section_is_a_warning_and_is_not_read() {
    let text = file(&[], &[]) + "\n[mocksvc ms]\nPR_BOGUS=never checked\n";
    let p = inf::parse(&text);
    expect_only(
        &p,
        Warning,
        16,
        1,
        "section `[mocksvc ms]` appears again (first at 9:1)",
    );
    assert_eq!(p.inf.section("MOCKSVC MS").unwrap().at, Pos { line: 9, col: 1 });
}

#[test]
fn a_repeated_key_is_a_warning() {
    let p = with_provider_line("pr_display_name = Second");
    expect(&p, Warning, 15, 1, "key `pr_display_name` appears again");
    expect(&p, Error, 15, 1, "did you mean `PR_DISPLAY_NAME`?");
    let p = with_provider_line("PR_DISPLAY_NAME=Second");
    expect_only(
        &p,
        Warning,
        15,
        1,
        "key `PR_DISPLAY_NAME` appears again in section `[MOCKSVC MS]` (first at 10:1)",
    );
    let p = inf::parse("[Help File Mappings]\nX=1\nx=2\n");
    expect(&p, Warning, 3, 1, "key `x` appears again");
}

#[test]
fn a_property_set_twice_under_two_keys_is_a_warning() {
    let p = with_provider_line("3001001F=Other Name");
    expect_only(
        &p,
        Warning,
        15,
        1,
        "`3001001F` sets the same property as `PR_DISPLAY_NAME` at 10:1",
    );
}

#[test]
fn a_repeated_service_is_a_warning() {
    let p =
        inf::parse(&file(&[], &[]).replace("MOCKSVC=Mock Test Service\n", "MOCKSVC=Mock\n mocksvc=Again\n"));
    expect_only(
        &p,
        Warning,
        3,
        2,
        "service `mocksvc` is listed again in `[Services]` (first at 2:1)",
    );
}

#[test]
fn an_unreferenced_section_is_a_warning() {
    let text = file(&[], &[]) + "\n  [Leftovers]\nPR_BOGUS=not checked\n";
    let p = inf::parse(&text);
    expect_only(&p, Warning, 16, 3, "section `[Leftovers]` is not referred to");
}

#[test]
fn default_services_and_help_files_must_name_installed_services() {
    let text = file(&[], &[])
        + "\n[Default Services]\nMOCKSVC=Mock\nOTHER=Other\n\n[Help File Mappings]\nmocksvc=M.HLP\nGONE=G.HLP\n";
    let p = inf::parse(&text);
    expect(
        &p,
        Warning,
        18,
        1,
        "`[Default Services]` names the service `OTHER`, which is not in `[Services]`",
    );
    expect(
        &p,
        Warning,
        22,
        1,
        "`[Help File Mappings]` names the service `GONE`",
    );
    assert_eq!(p.diagnostics.len(), 2, "{}", listing(&p));
}

// ---------------------------------------------------------------------------------------------
// Keys

#[test]
fn an_unknown_property_name_is_an_error() {
    let p = with_provider_line("PR_NO_SUCH_PROPERTY=1");
    expect_only(&p, Error, 15, 1, "unknown property name `PR_NO_SUCH_PROPERTY`");
    let p = with_provider_line("Pr_Resource_Path=x");
    expect_only(
        &p,
        Error,
        15,
        1,
        "case-sensitive: did you mean `PR_RESOURCE_PATH`?",
    );
}

#[test]
fn an_unknown_key_is_an_error() {
    let p = with_provider_line("Colour=blue");
    expect_only(
        &p,
        Error,
        15,
        1,
        "found the key `Colour`, expected a property name or an 8-digit hexadecimal tag",
    );
    let p = with_provider_line("0x6600001E=text");
    expect_only(&p, Error, 15, 1, "without `0x`: `6600001E`");
    let p = with_provider_line("6600001=text");
    expect_only(&p, Error, 15, 1, "found 7 hexadecimal digits");
}

#[test]
fn keys_microsoft_uses_that_are_not_properties_are_kept_quietly() {
    let text = file(
        &[
            "WIZARD_ENTRY_NAME=Wizard",
            "PR_SERVICE_INSTALL_ID={6C1E47A0-2B3F-4D5E-8A9B-0C1D2E3F4A5B}",
            "Sections=Extra",
        ],
        &[],
    ) + "\n[Extra]\nUID=0123456789ABCDEF0123456789ABCDEF\n";
    let p = inf::parse(&text);
    assert!(p.diagnostics.is_empty(), "{}", listing(&p));
    let service = p.inf.section("MOCKSVC").unwrap();
    assert_eq!(service.get("WIZARD_ENTRY_NAME").unwrap().value, "Wizard");
    assert_eq!(
        service
            .get("wizard_entry_name")
            .unwrap()
            .typed(SectionKind::Service),
        Ok(None)
    );
    assert_eq!(key_kind("PR_SERVICE_INSTALL_ID"), Ok(KeyKind::NotAProperty));
    assert_eq!(key_kind("uid"), Ok(KeyKind::NotAProperty));
}

#[test]
fn a_reserved_property_id_is_an_error() {
    let p = with_provider_line("00000003=1");
    expect_only(&p, Error, 15, 1, "reserved property ID 0x0000");
    let p = with_provider_line("FFFF001E=x");
    expect_only(&p, Error, 15, 1, "reserved property ID 0xFFFF");
}

#[test]
fn an_unsupported_type_is_an_error() {
    for (key, ty) in [
        ("66000040", "PT_SYSTIME"),
        ("66001003", "PT_MV_LONG"),
        ("66000048", "PT_CLSID"),
    ] {
        let p = with_provider_line(&format!("{key}=0"));
        expect_only(
            &p,
            Error,
            15,
            1,
            &format!("{ty} of tag 0x{key} is not supported in Mapisvc.inf"),
        );
    }
    let p = with_provider_line("6600abcd=0");
    expect_only(&p, Error, 15, 1, "0xABCD of tag 0x6600ABCD is not supported");
}

// ---------------------------------------------------------------------------------------------
// Values

#[test]
fn a_long_that_is_not_a_number_is_an_error() {
    let p = with_provider_line("PR_STORE_STATE =  twelve");
    expect_only(
        &p,
        Error,
        15,
        19,
        "found `twelve`, expected a decimal number or `0x` followed by hexadecimal digits",
    );
    let p = with_provider_line("66000003=");
    expect_only(&p, Error, 15, 10, "found nothing, expected a decimal number");
    let p = with_provider_line("66000003=0xFFFFFFFF1");
    expect_only(&p, Error, 15, 10, "does not fit in 32 bits");
    let p = with_provider_line("66000003=-2147483649");
    expect_only(&p, Error, 15, 10, "does not fit in 32 bits");
}

#[test]
fn an_unknown_flag_name_is_reported_where_it_is() {
    let p = with_provider_line("").inf.to_text();
    let p = inf::parse(&p.replace(
        "PR_RESOURCE_FLAGS=STATUS_NO_DEFAULT_STORE",
        "PR_RESOURCE_FLAGS=STATUS_NO_DEFAULT_STORE |  STATUS_BOGUS",
    ));
    expect_only(
        &p,
        Error,
        14,
        46,
        "unknown flag name `STATUS_BOGUS` for PR_RESOURCE_FLAGS of a provider section",
    );

    let p = with_service_line("PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY|STATUS_DEFAULT_STORE");
    expect_only(
        &p,
        Error,
        8,
        39,
        "`STATUS_DEFAULT_STORE` is a provider flag, not a service flag",
    );

    let p = inf::parse(&file(&[], &[]).replace("STATUS_NO_DEFAULT_STORE", "SERVICE_SINGLE_COPY"));
    expect_only(&p, Error, 14, 19, "`SERVICE_SINGLE_COPY` is a service flag");

    let p = with_provider_line("PR_STATUS_CODE=STATUS_AVAILABLE|status_offline");
    expect_only(&p, Error, 15, 33, "did you mean `STATUS_OFFLINE`?");

    let p = with_provider_line("PR_RESOURCE_METHODS=STATUS_VALIDATE_STATE||STATUS_FLUSH_QUEUES");
    expect_only(&p, Error, 15, 43, "found an empty flag name next to `|`");
}

#[test]
fn an_empty_flags_value_is_an_error() {
    let p = inf::parse(&file(&[], &[]).replace("=STATUS_NO_DEFAULT_STORE", "="));
    expect_only(
        &p,
        Error,
        14,
        19,
        "found nothing, expected flag names of PR_RESOURCE_FLAGS",
    );
}

#[test]
fn an_unknown_resource_type_is_an_error() {
    let p = inf::parse(&file(&[], &[]).replace("=MAPI_STORE_PROVIDER", "=MAPI_STORE"));
    expect_only(
        &p,
        Error,
        13,
        18,
        "unknown resource type `MAPI_STORE`; expected one of `MAPI_STORE_PROVIDER`",
    );
    let p = inf::parse(&file(&[], &[]).replace("=MAPI_STORE_PROVIDER", "=mapi_store_provider"));
    expect_only(&p, Error, 13, 18, "did you mean `MAPI_STORE_PROVIDER`?");
    let p = inf::parse(&file(&[], &[]).replace("=MAPI_STORE_PROVIDER", "=0x99"));
    expect_only(
        &p,
        Error,
        13,
        18,
        "found the resource type 153 (0x99), which MAPI does not define",
    );
}

#[test]
fn a_bad_boolean_is_an_error() {
    let p = with_provider_line("PR_DEFAULT_STORE=yes");
    expect_only(&p, Error, 15, 18, "found `yes`, expected a boolean");
}

#[test]
fn bad_binary_is_an_error() {
    let p = with_provider_line("PR_MDB_PROVIDER=0x1234");
    expect_only(&p, Error, 15, 18, "found `x` in binary data");
    let p = with_provider_line("PR_MDB_PROVIDER=123");
    expect_only(
        &p,
        Error,
        15,
        17,
        "found 3 hexadecimal digits in binary data, expected an even number",
    );
    let p = with_provider_line("PR_MDB_PROVIDER=12 34");
    expect_only(&p, Error, 15, 19, "found ` ` in binary data");
    let p = with_provider_line("PR_AB_SEARCH_PATH=0102, 0304, 05");
    assert!(p.diagnostics.is_empty());
    let p = with_provider_line("PR_AB_SEARCH_PATH=0102, 0304, 0");
    expect_only(&p, Error, 15, 31, "found 1 hexadecimal digits");
}

#[test]
fn a_dll_name_with_32_is_an_error_at_the_32() {
    let p = inf::parse(&file(&[], &[]).replace(
        "PR_PROVIDER_DLL_NAME=MOCKPRV.DLL",
        "PR_PROVIDER_DLL_NAME=  MOCKPRV32.DLL",
    ));
    expect_only(
        &p,
        Error,
        12,
        31,
        "MAPI inserts `32` itself (it would load `MOCKPRV3232.DLL`)",
    );
    let p = inf::parse(&file(&[], &[]).replace("PR_SERVICE_DLL_NAME=MOCKPRV.DLL", "3D0A001E=bin/MAPI32"));
    expect_only(&p, Error, 5, 18, "expected the base name `bin/MAPI`");
    let p = inf::parse(&file(&[], &[]).replace(
        "PR_SERVICE_DLL_NAME=MOCKPRV.DLL",
        "PR_SERVICE_DLL_NAME=C:\\v1.2\\MOCK32.DLL",
    ));
    expect(&p, Error, 5, 33, "already ends in `32`");
    expect(&p, Error, 5, 26, "found a period in the directory part");
    assert_eq!(p.diagnostics.len(), 2);
    // `32` elsewhere in the name is fine.
    let p = inf::parse(&file(&[], &[]).replace(
        "PR_SERVICE_DLL_NAME=MOCKPRV.DLL",
        "PR_SERVICE_DLL_NAME=C:\\Win32\\M32X.DLL",
    ));
    assert!(p.diagnostics.is_empty(), "{}", listing(&p));
}

#[test]
fn service_uid_in_the_file_is_an_error() {
    let p = with_service_line("PR_SERVICE_UID=00112233445566778899AABBCCDDEEFF");
    expect_only(&p, Error, 8, 1, "found `PR_SERVICE_UID`, which MAPI computes");
    let p = with_provider_line("3d0c0102=00112233445566778899AABBCCDDEEFF");
    expect_only(&p, Error, 15, 1, "found `PR_SERVICE_UID`");
}

#[test]
fn service_dll_and_entry_name_go_together() {
    let p = inf::parse(&file(&[], &[]).replace("PR_SERVICE_ENTRY_NAME=ServiceEntry\n", ""));
    expect_only(
        &p,
        Error,
        5,
        1,
        "found `PR_SERVICE_DLL_NAME` without `PR_SERVICE_ENTRY_NAME` in service section `[MOCKSVC]`",
    );
    let p = inf::parse(&file(&[], &[]).replace("PR_SERVICE_DLL_NAME=MOCKPRV.DLL\n", ""));
    expect_only(
        &p,
        Error,
        5,
        1,
        "found `PR_SERVICE_ENTRY_NAME` without `PR_SERVICE_DLL_NAME`",
    );
    // Neither is fine: the service has no entry point.
    let p = inf::parse(
        &file(&[], &[])
            .replace("PR_SERVICE_DLL_NAME=MOCKPRV.DLL\n", "")
            .replace("PR_SERVICE_ENTRY_NAME=ServiceEntry\n", ""),
    );
    assert!(p.diagnostics.is_empty(), "{}", listing(&p));
}

#[test]
fn a_provider_needs_its_dll_type_and_display() {
    for (line, name) in [
        ("PR_PROVIDER_DLL_NAME=MOCKPRV.DLL\n", "PR_PROVIDER_DLL_NAME"),
        ("PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\n", "PR_RESOURCE_TYPE"),
        ("PR_PROVIDER_DISPLAY=Mock Store Provider\n", "PR_PROVIDER_DISPLAY"),
    ] {
        let p = inf::parse(&file(&[], &[]).replace(line, ""));
        expect_only(
            &p,
            Error,
            9,
            1,
            &format!("provider section `[MOCKSVC MS]` has no `{name}`"),
        );
    }
    // Given by hexadecimal tag is as good.
    let p = inf::parse(&file(&[], &[]).replace("PR_PROVIDER_DISPLAY=", "3006001F="));
    assert!(p.diagnostics.is_empty(), "{}", listing(&p));
}

#[test]
fn a_provider_without_display_name_or_flags_is_a_warning() {
    for (line, name) in [
        ("PR_DISPLAY_NAME=Mock Folders\n", "PR_DISPLAY_NAME"),
        ("PR_RESOURCE_FLAGS=STATUS_NO_DEFAULT_STORE\n", "PR_RESOURCE_FLAGS"),
    ] {
        let p = inf::parse(&file(&[], &[]).replace(line, ""));
        expect_only(
            &p,
            Warning,
            9,
            1,
            &format!("provider section `[MOCKSVC MS]` has no `{name}`"),
        );
        assert!(p.service_defs().is_ok());
    }
}

// ---------------------------------------------------------------------------------------------
// Typed values

#[test]
fn longs_under_hexadecimal_tags_are_little_endian() {
    let long = PropTag(0x6600_0003);
    let read = |v: &str| property_value(long, true, v, SectionKind::Provider);
    assert_eq!(read("07000000"), Ok(PropValue::Long(7)));
    assert_eq!(read("0C000000"), Ok(PropValue::Long(12)));
    assert_eq!(read("0c000000"), Ok(PropValue::Long(12)));
    assert_eq!(read("78563412"), Ok(PropValue::Long(0x1234_5678)));
    assert_eq!(read("FFFFFFFF"), Ok(PropValue::Long(-1)));
    // Other forms are numbers.
    assert_eq!(read("300"), Ok(PropValue::Long(300)));
    assert_eq!(read("0x10"), Ok(PropValue::Long(16)));
    assert_eq!(read("-5"), Ok(PropValue::Long(-5)));
    assert_eq!(read("4294967295"), Ok(PropValue::from_u32(u32::MAX)));
    // Under a name, eight digits are a decimal number.
    assert_eq!(
        property_value(PR_STORE_STATE, false, "07000000", SectionKind::Provider),
        Ok(PropValue::Long(7_000_000))
    );
    // Under a hexadecimal tag of a flag property, too.
    assert_eq!(
        property_value(PR_RESOURCE_FLAGS, true, "02000000", SectionKind::Provider),
        Ok(PropValue::Long(2))
    );
}

#[test]
fn flags_are_read_by_section_kind() {
    let read = |v: &str, kind| property_value(PR_RESOURCE_FLAGS, false, v, kind);
    assert_eq!(
        read(
            "SERVICE_SINGLE_COPY|SERVICE_NO_PRIMARY_IDENTITY",
            SectionKind::Service
        ),
        Ok(PropValue::from_u32(
            (ServiceFlags::SINGLE_COPY | ServiceFlags::NO_PRIMARY_IDENTITY).bits()
        ))
    );
    assert_eq!(
        read(
            " STATUS_PRIMARY_IDENTITY | STATUS_DEFAULT_STORE|STATUS_PRIMARY_STORE ",
            SectionKind::Provider
        ),
        Ok(PropValue::from_u32(
            (ResourceFlags::PRIMARY_IDENTITY | ResourceFlags::DEFAULT_STORE | ResourceFlags::PRIMARY_STORE)
                .bits()
        ))
    );
    assert_eq!(
        read("HOOK_INBOUND|0x400", SectionKind::Provider),
        Ok(PropValue::Long(0x600))
    );
    assert_eq!(read("0", SectionKind::Extra), Ok(PropValue::Long(0)));
    assert_eq!(
        read("STATUS_OWN_STORE", SectionKind::Extra),
        Ok(PropValue::from_u32(ResourceFlags::OWN_STORE.bits()))
    );
    assert!(read("STATUS_OWN_STORE", SectionKind::Service).is_err());
    let e = read("SERVICE_SINGLE_COPY | NOPE", SectionKind::Service).unwrap_err();
    assert_eq!(e.offset, 22);
    assert_eq!(
        property_value(
            PR_RESOURCE_TYPE,
            false,
            "MAPI_HOOK_PROVIDER",
            SectionKind::Provider
        ),
        Ok(PropValue::from_u32(ResourceType::HookProvider.value()))
    );
    assert_eq!(
        property_value(PR_RESOURCE_TYPE, false, "35", SectionKind::Provider),
        Ok(PropValue::from_u32(ResourceType::AbProvider.value()))
    );
    assert_eq!(
        property_value(
            PR_RESOURCE_METHODS,
            false,
            "STATUS_SETTINGS_DIALOG|STATUS_FLUSH_QUEUES",
            SectionKind::Provider
        ),
        Ok(PropValue::Long(0xA))
    );
}

#[test]
fn booleans_strings_binary_and_lists() {
    let kind = SectionKind::Provider;
    for (text, value) in [
        ("TRUE", true),
        ("true", true),
        ("1", true),
        ("False", false),
        ("0", false),
    ] {
        assert_eq!(
            property_value(PR_DEFAULT_STORE, false, text, kind),
            Ok(PropValue::Boolean(value))
        );
    }
    assert!(property_value(PR_DEFAULT_STORE, false, "2", kind).is_err());
    assert_eq!(
        property_value(PR_MDB_PROVIDER, true, "78b2fa70aff711cd9bc800aa002fc45a", kind),
        Ok(PropValue::Binary(vec![
            0x78, 0xb2, 0xfa, 0x70, 0xaf, 0xf7, 0x11, 0xcd, 0x9b, 0xc8, 0x00, 0xaa, 0x00, 0x2f, 0xc4, 0x5a
        ]))
    );
    assert_eq!(
        property_value(PR_MDB_PROVIDER, false, "", kind),
        Ok(PropValue::Binary(vec![]))
    );
    assert_eq!(
        property_value(PR_AB_SEARCH_PATH, false, "0102, A0b0 ,", kind),
        Ok(PropValue::MvBinary(vec![vec![1, 2], vec![0xA0, 0xB0], vec![]]))
    );
    assert_eq!(
        property_value(PR_SERVICE_SUPPORT_FILES_A, false, "MOCKPRV.DLL,  MOCK.HLP ", kind),
        Ok(PropValue::MvString8(vec![
            "MOCKPRV.DLL".into(),
            "MOCK.HLP".into()
        ]))
    );
    assert_eq!(
        property_value(PropTag(0x6600_101F), true, "a,b", kind),
        Ok(PropValue::MvUnicode(vec!["a".into(), "b".into()]))
    );
    assert_eq!(
        property_value(PR_SERVICE_DELETE_FILES_A, false, "", kind),
        Ok(PropValue::MvString8(vec![]))
    );
    assert_eq!(
        property_value(PR_DISPLAY_NAME_W, false, "Été ; not a comment", kind),
        Ok(PropValue::Unicode("Été ; not a comment".into()))
    );
    let e = property_value(PropTag(0x6600_0014), true, "1", kind).unwrap_err();
    assert!(e.message.contains("not supported in Mapisvc.inf"));
}

#[test]
fn names_without_a_suffix_are_8_bit_strings() {
    assert_eq!(
        key_kind("PR_DISPLAY_NAME"),
        Ok(KeyKind::Property {
            tag: PR_DISPLAY_NAME_A,
            hex: false
        })
    );
    assert_eq!(
        key_kind("PR_DISPLAY_NAME_W"),
        Ok(KeyKind::Property {
            tag: PR_DISPLAY_NAME_W,
            hex: false
        })
    );
    assert_eq!(
        key_kind("PR_SERVICE_SUPPORT_FILES"),
        Ok(KeyKind::Property {
            tag: PR_SERVICE_SUPPORT_FILES_A,
            hex: false
        })
    );
    assert_eq!(
        key_kind("PR_SERVICE_ENTRY_NAME"),
        Ok(KeyKind::Property {
            tag: PR_SERVICE_ENTRY_NAME,
            hex: false
        })
    );
    assert_eq!(
        key_kind("6601001f"),
        Ok(KeyKind::Property {
            tag: PropTag(0x6601_001F),
            hex: true
        })
    );
    assert_eq!(key_kind("sections"), Ok(KeyKind::Sections));
}

#[test]
fn entries_give_their_typed_property() {
    let p = inf::parse(GOOD);
    let ms = p.inf.section("MOCKSVC MS").unwrap();
    let typed: Vec<(PropTag, PropValue)> = ms
        .entries
        .iter()
        .filter_map(|e| e.typed(SectionKind::Provider).unwrap())
        .collect();
    assert_eq!(
        typed,
        vec![
            (PR_DISPLAY_NAME_A, PropValue::String8("Mock Folders".into())),
            (
                PR_PROVIDER_DISPLAY_A,
                PropValue::String8("Mock Store Provider".into())
            ),
            (PR_PROVIDER_DLL_NAME_A, PropValue::String8("MOCKPRV.DLL".into())),
            (
                PR_RESOURCE_TYPE,
                PropValue::from_u32(ResourceType::StoreProvider.value())
            ),
            (
                PR_RESOURCE_FLAGS,
                PropValue::from_u32(ResourceFlags::NO_DEFAULT_STORE.bits())
            ),
            (PropTag(0x6600_0003), PropValue::Long(7)),
            (
                PropTag(0x6601_001E),
                PropValue::String8("C:\\MockData\\store.db".into())
            ),
        ]
    );
    // The global sections hold no properties.
    let services = p.inf.section("Services").unwrap();
    assert_eq!(services.entries[0].typed(SectionKind::Services), Ok(None));
    // An error inside the value points into it.
    let p = with_provider_line("PR_RESOURCE_FLAGS_X=1");
    assert_eq!(p.errors()[0].at, Pos { line: 15, col: 1 });
}

// ---------------------------------------------------------------------------------------------
// Service definitions

#[test]
fn the_reference_example_becomes_a_service_definition() {
    let defs = inf::parse(GOOD).service_defs().unwrap();
    assert_eq!(defs.len(), 1);
    let svc = &defs[0];
    assert_eq!(svc.name(), "MOCKSVC");
    let props = svc.props();
    assert_eq!(
        props.get(PR_SERVICE_NAME_A),
        Some(&PropValue::String8("MOCKSVC".into()))
    );
    assert_eq!(
        props.get(PR_DISPLAY_NAME_A),
        Some(&PropValue::String8("Mock Test Service".into()))
    );
    assert_eq!(props.get_str(PR_SERVICE_DLL_NAME_A), Some("MOCKPRV.DLL"));
    assert_eq!(props.get_str(PR_SERVICE_ENTRY_NAME), Some("ServiceEntry"));
    assert_eq!(
        props.get_strings(PR_SERVICE_SUPPORT_FILES_A),
        Some(vec!["MOCKPRV.DLL"])
    );
    assert_eq!(
        props.get_u32(PR_RESOURCE_FLAGS),
        Some((ServiceFlags::SINGLE_COPY | ServiceFlags::NO_PRIMARY_IDENTITY).bits())
    );

    let providers = svc.providers();
    assert_eq!(providers.len(), 2);
    let (ab, ms) = (providers[0].props(), providers[1].props());
    assert_eq!(ab.get_str(PR_DISPLAY_NAME_A), Some("Mock Directory"));
    assert_eq!(
        ab.get_u32(PR_RESOURCE_TYPE),
        Some(ResourceType::AbProvider.value())
    );
    assert_eq!(
        ab.get_u32(PR_RESOURCE_FLAGS),
        Some(ResourceFlags::NO_PRIMARY_IDENTITY.bits())
    );
    assert_eq!(
        ms.get_u32(PR_RESOURCE_TYPE),
        Some(ResourceType::StoreProvider.value())
    );
    assert_eq!(
        ms.get(PR_PROVIDER_DLL_NAME_A),
        Some(&PropValue::String8("MOCKPRV.DLL".into()))
    );
    assert_eq!(ms.get_str(PR_PROVIDER_DISPLAY_A), Some("Mock Store Provider"));
    assert_eq!(ms.get_long(PropTag(0x6600_0003)), Some(7));
    assert_eq!(ms.get_str(PropTag(0x6601_001E)), Some("C:\\MockData\\store.db"));
    assert_eq!(ms.len(), 7);
}

#[test]
fn two_services_become_two_definitions() {
    let defs = inf::parse(GOOD_TWO).service_defs().unwrap();
    let names: Vec<&str> = defs.iter().map(|d| d.name()).collect();
    assert_eq!(names, vec!["MOCKXP", "MOCKAB"]);
    let xp = &defs[0];
    assert_eq!(xp.providers().len(), 2);
    assert_eq!(
        xp.providers()[0].props().get_u32(PR_RESOURCE_TYPE),
        Some(ResourceType::TransportProvider.value())
    );
    assert_eq!(
        xp.providers()[0].props().get_long(PropTag(0x6610_0003)),
        Some(300)
    );
    let store = xp.providers()[1].props();
    assert_eq!(store.get_binary(PR_MDB_PROVIDER).map(<[u8]>::len), Some(16));
    assert_eq!(store.get_bool(PropTag(0x6611_000B)), Some(true));
    assert_eq!(
        store.get(PropTag(0x6612_001F)),
        Some(&PropValue::Unicode("Boîte d'envoi".into()))
    );
    assert_eq!(
        xp.props().get_strings(PR_SERVICE_SUPPORT_FILES_A),
        Some(vec!["MOCKXP.DLL", "MOCKXP.HLP"])
    );
    // Without a PR_DISPLAY_NAME line, the display name comes from [Services].
    let ab = &defs[1];
    assert_eq!(
        ab.props().get(PR_DISPLAY_NAME_A),
        Some(&PropValue::String8("Mock Address Book".into()))
    );
    assert_eq!(
        ab.providers()[0].props().get_str(PR_PROVIDER_DLL_NAME_A),
        Some("C:\\Program Files\\Mock\\MOCKAB.DLL")
    );
    assert_eq!(ab.providers()[0].props().get_long(PropTag(0x6620_0003)), Some(1));
}

#[test]
fn the_first_of_a_repeated_property_is_used() {
    let p = with_provider_line("PR_DISPLAY_NAME_W=Second");
    assert!(!p.has_errors());
    let defs = p.service_defs().unwrap();
    assert_eq!(
        defs[0].providers()[0].props().get_str(PR_DISPLAY_NAME_A),
        Some("Mock Folders")
    );
}

#[test]
fn a_file_with_errors_gives_its_errors_instead_of_definitions() {
    let p = with_provider_line("PR_BOGUS=1");
    let errors = p.inf.service_defs().unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].at, Pos { line: 15, col: 1 });
    // Syntax errors are not in the model, but `Parsed` remembers them.
    let p = with_provider_line("no equals sign");
    assert!(p.inf.service_defs().is_ok());
    assert_eq!(p.service_defs().unwrap_err().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Writing back

#[test]
fn writing_back_is_stable_on_the_sample_files() {
    for text in [
        GOOD,
        GOOD_TWO,
        include_str!("data/missing_provider_section.inf"),
        include_str!("data/dll_name_with_32.inf"),
        include_str!("data/unknown_names.inf"),
        include_str!("data/bad_values.inf"),
        include_str!("data/warnings_only.inf"),
    ] {
        let first = inf::parse(text);
        let written = first.inf.to_text();
        let second = inf::parse(&written);
        assert_eq!(second.inf, first.inf);
        assert_eq!(second.inf.to_text(), written);
        // Only comments and layout were lost: the same problems remain.
        assert_eq!(second.errors().len(), first.errors().len());
        assert_eq!(second.warnings().len(), first.warnings().len());
    }
}

#[test]
fn the_written_form() {
    let p = inf::parse("; c\n[ A ]\n k = v \n\n\n[B]\n[C]\nx=\n");
    assert_eq!(p.inf.to_text(), "[A]\nk=v\n\n[B]\n\n[C]\nx=\n");
    assert_eq!(MapiSvcInf::default().to_text(), "");
}

// ---------------------------------------------------------------------------------------------
// Random text

fn assert_stable(text: &str) -> Result<(), TestCaseError> {
    let first = inf::parse(text);
    // Everything else a caller may ask must not panic either.
    let _ = first.service_defs();
    let _ = first.inf.section_kinds();
    let _ = first.inf.services();
    for d in &first.diagnostics {
        prop_assert!(d.at.line >= 1 && d.at.col >= 1);
        let _ = d.to_string();
    }
    let written = first.inf.to_text();
    let second = inf::parse(&written);
    prop_assert_eq!(&second.inf, &first.inf);
    prop_assert_eq!(second.inf.to_text(), written);
    Ok(())
}

/// Pieces that make the parser take its different paths.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("=".to_owned()),
        Just(";".to_owned()),
        Just("|".to_owned()),
        Just(",".to_owned()),
        Just(" ".to_owned()),
        Just("\r".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("Services".to_owned()),
        Just("Default Services".to_owned()),
        Just("Help File Mappings".to_owned()),
        Just("Providers".to_owned()),
        Just("Sections".to_owned()),
        Just("SVC".to_owned()),
        Just("PRV".to_owned()),
        Just("PR_DISPLAY_NAME".to_owned()),
        Just("PR_PROVIDER_DLL_NAME".to_owned()),
        Just("PR_SERVICE_DLL_NAME".to_owned()),
        Just("PR_RESOURCE_FLAGS".to_owned()),
        Just("PR_RESOURCE_TYPE".to_owned()),
        Just("PR_SERVICE_UID".to_owned()),
        Just("MAPI_STORE_PROVIDER".to_owned()),
        Just("STATUS_DEFAULT_STORE".to_owned()),
        Just("SERVICE_SINGLE_COPY".to_owned()),
        Just("66000003".to_owned()),
        Just("6601001f".to_owned()),
        Just("66021102".to_owned()),
        Just("07000000".to_owned()),
        Just("0x".to_owned()),
        Just("32.DLL".to_owned()),
        Just("\\a.b\\".to_owned()),
        Just("é".to_owned()),
        Just("€".to_owned()),
        Just("\t".to_owned()),
        "[a-zA-Z0-9_]{1,6}",
        any::<char>().prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics_and_writes_back_stably(
        text in "[\\[\\]=;|,\r\n \t a-zA-Z0-9_éü€\u{feff}\u{2028}]{0,300}"
    ) {
        assert_stable(&text)?;
    }

    #[test]
    fn arbitrary_tokens_never_panic_and_write_back_stably(tokens in prop::collection::vec(token(), 0..120)) {
        assert_stable(&tokens.concat())?;
    }

    #[test]
    fn any_characters_never_panic(text in any::<String>()) {
        assert_stable(&text)?;
    }
}
