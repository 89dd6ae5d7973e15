//! Fuzzes the parser and executor: any input must either parse or fail with an error, and
//! executing what parsed must either render or fail with an error; never panic or hang.

#![no_main]

use gotmpl::{FuncMap, Options, Templates, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for options in [Options::default(), Options::helm_v2()] {
        let mut set = Templates::new(FuncMap::new()).with_options(Options {
            max_depth: 50,
            ..options
        });
        if set.parse("fuzz", text).is_ok() {
            // Bounded data: ranges over it cannot run away.
            let values = Value::list(vec![Value::Float(1.0), Value::string("a"), Value::Nil]);
            let _ = set.execute_to_string("fuzz", &values);
        }
    }
});
