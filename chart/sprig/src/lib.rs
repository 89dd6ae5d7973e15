//! The Sprig template function library (Masterminds/sprig) for the Go template engine in
//! [`gotmpl`], with Go's behaviour.
//!
//! [`functions`] returns the function map Helm gives templates: Sprig's `TxtFuncMap` without
//! `env` and `expandenv` (Helm removes both). Helm's own functions (`toYaml`, `fromYaml`,
//! `toJson`, `fromJson`, `toToml`, `include`, `tpl`, `required`, `lookup`) are added by the
//! chart crate on top; Sprig's versions of `toJson` and `fromJson` are here and are meant to
//! be overridden.
//!
//! # Which Sprig
//!
//! Helm v2.17 ships Sprig v2.22; the conformance corpus was rendered by Helm v4, which ships
//! Sprig v3.3. This crate implements **Sprig v3.3** (a superset of v2.22: every v2 function is
//! present, and v3 adds `dig`, `get`, `toRawJson`, the `must*` variants, `seq`, `randInt`,
//! `addf`…, `bcrypt`, `htpasswd`, `sha512sum`, `regexQuoteMeta`, `duration`, `osBase`…).
//! Where the two versions behave differently the v3.3 behaviour is used, because that is what
//! the rendered corpus shows and no v2 chart depends on the old behaviour in a way we know of:
//!
//! * `trunc` with a negative count keeps the *last* bytes (v2: Go panics, an error).
//! * `semver`/`semverCompare` use Masterminds/semver v3: `^0.2.3` means `>=0.2.3 <0.3.0`
//!   (v1: `<1.0.0`), whitespace also separates AND-ed terms, and `semver` accepts `v1`, `1.2`.
//! * `merge`/`mergeOverwrite` follow mergo v1.0: `mergeOverwrite` copies a nil source value
//!   over the destination, and empty destination values (`""`, `0`, `false`) are filled by
//!   `merge`.
//! * `int`, `int64`, `float64`, `add` and friends convert with spf13/cast v1.7: strings are
//!   parsed with base prefixes (`"0x10"` → 16, `"010"` → 8, `"08"` → 0) and `"12.0"` → 12
//!   (v2: base 10 only). A uint64 above `MaxInt64` wraps (v2: clamps).
//! * `camelcase` is xstrings v1.5's `ToPascalCase` (`HTTPServer` → `Httpserver`).
//! * JSON output escapes `\b` and `\f` with their short forms (modern Go; Go 1.14 wrote
//!   `\u0008`, `\u000c`).
//!
//! # Known differences from Go
//!
//! * The value model has one integer type: Go's `int` and `int64` are both [`Value::Int`], so
//!   `typeOf` says `int` where Go says `int64` (results of `add`, `sub`, `mul`, `int64`…), and
//!   an `int64` given to an `int` parameter (`trunc (sub 5 1) $s`) is accepted where Go errors.
//! * An integral float literal such as `5.0` given to an `int` parameter errors here; Go
//!   converts constants (values from YAML are float64 and error in both).
//! * `keys` and `values` return sorted keys (and values in key order); Go's map order is
//!   random, which charts hide with `sortAlpha`.
//! * Byte-slicing functions (`trunc`, `substr`, `abbrev`, `wrap`, `initials`, `nospace`) that
//!   cut a multi-byte character produce U+FFFD where Go would produce invalid UTF-8.
//! * `getHostByName` needs DNS, which the renderer never uses (everything runs offline): it
//!   returns an error "not implemented: getHostByName (no DNS lookups while rendering)".
//! * Regular expressions use the `regex` crate after translating Go's ASCII-only `\d \w \s \b`;
//!   RE2 syntax Rust lacks (`\C`, `\pN` one-letter forms are supported) errors.
//! * `genPrivateKey "dsa"` generates L=2048/N=256 parameters with the `dsa` crate.

mod args;
mod crypto;
mod dates;
mod defaults;
mod dicts;
pub mod go;
mod json;
mod lists;
mod numeric;
mod regexp;
pub mod semver;
mod strings;
mod url;

use std::rc::Rc;

use gotmpl::Value;

pub use args::R;

pub use gotmpl::FuncMap;

/// Adds a function that first checks its argument count the way Go's template engine does.
pub(crate) fn def(
    m: &mut FuncMap,
    name: &'static str,
    arity: args::Arity,
    f: impl Fn(&[Value]) -> R + 'static,
) {
    m.insert(
        name.to_owned(),
        Rc::new(move |a: &[Value]| {
            args::check_arity(name, arity, a)?;
            f(a)
        }),
    );
}

/// The Sprig functions Helm offers templates (see the crate docs for the exact set).
pub fn functions() -> FuncMap {
    let mut m = FuncMap::new();
    strings::register(&mut m);
    numeric::register(&mut m);
    defaults::register(&mut m);
    lists::register(&mut m);
    dicts::register(&mut m);
    json::register(&mut m);
    regexp::register(&mut m);
    semver::register(&mut m);
    dates::register(&mut m);
    crypto::register(&mut m);
    url::register(&mut m);
    m
}

/// Encodes a value as Go's `encoding/json` does (`json.Marshal`; with `escape_html` false, as an
/// `Encoder` with `SetEscapeHTML(false)`); `indent` gives `MarshalIndent(v, "", indent)`.
pub fn to_json(v: &Value, escape_html: bool, indent: Option<&str>) -> Result<String, String> {
    json::marshal(v, escape_html, indent)
}

/// Decodes JSON text the way `json.Unmarshal` into `interface{}` does: objects become
/// `map[string]interface{}`, arrays `[]interface{}`, numbers float64.
pub fn from_json(text: &str) -> Result<Value, String> {
    json::unmarshal(text)
}
