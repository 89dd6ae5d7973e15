//! Fuzzes `.helmignore` parsing and matching, Go's `filepath.Match` and the `.Files.Glob`
//! syntax: the first line is the pattern, the rest the path.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (pattern, path) = text.split_once('\n').unwrap_or((text, "a/b"));
        if let Ok(rules) = chart::ignore::Rules::parse(pattern) {
            let _ = rules.ignore(path, false);
            let _ = rules.ignore(path, true);
        }
        let _ = chart::ignore::glob_match(pattern, path);
        if let Ok(g) = chart::engine::glob::Glob::new(pattern) {
            let _ = g.matches(path);
        }
    }
});
