//! Fuzzes the `--set` parser in its three modes: any input must give a table or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = std::str::from_utf8(data) {
        let _ = chart::strvals::parse(line);
        let _ = chart::strvals::parse_string(line);
        let mut dest = chart::Values::new();
        let mut read = |p: &str| -> Result<String, String> { Ok(p.to_owned()) };
        let _ = chart::strvals::parse_file_into(line, &mut dest, &mut read);
    }
});
