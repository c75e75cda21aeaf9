//! Arbitrary bytes, read as text, must never make the Mapisvc.inf reader panic, and the model
//! it builds must read back equal once written.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mapisim::profile::inf;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let first = inf::parse(&text);
    let _ = first.service_defs();
    let _ = first.inf.section_kinds();
    for d in &first.diagnostics {
        assert!(d.at.line >= 1 && d.at.col >= 1);
    }
    let written = first.inf.to_text();
    let second = inf::parse(&written);
    assert_eq!(second.inf, first.inf);
    assert_eq!(second.inf.to_text(), written);
});
