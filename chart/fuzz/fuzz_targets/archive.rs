//! Fuzzes the archive loader with small caps: any bytes must load or fail cleanly, within the
//! limits.
#![no_main]

use chart::load::{Limits, LoadOptions, load_archive_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = LoadOptions {
        limits: Limits {
            max_file_size: 64 * 1024,
            max_total_size: 1024 * 1024,
            max_archive_depth: 4,
        },
        ..LoadOptions::default()
    };
    let _ = load_archive_with(data, &options);
});
