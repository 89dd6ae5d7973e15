//! Fuzzes the YAML decoders of Chart.yaml, values and requirements.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = chart::Metadata::from_yaml(text);
        let _ = chart::values::read_values(text);
        let _ = chart::requirements::parse_requirements(text);
        let _ = chart::requirements::parse_lock(text);
    }
});
