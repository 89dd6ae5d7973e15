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
//! Helm v2.17 ships Sprig v2.22; the conformance corpus was rendered by Helm v4.3, which ships
//! Sprig v3.3.0 built against spf13/cast v1.10, Masterminds/semver v3.5, mergo v1.0.2 and
//! xstrings v1.6. This crate implements **that** Sprig (a superset of v2.22: every v2 function
//! is present, and v3 adds `dig`, `get`, `toRawJson`, the `must*` variants, `seq`, `randInt`,
//! `addf`…, `bcrypt`, `htpasswd`, `sha512sum`, `regexQuoteMeta`, `duration`, `osBase`…).
//! `tests/oracle.rs` checks ~210 lines of our snippets and ~370 template strings of Sprig's
//! own test suite against outputs recorded from real Helm.
//! Where v2.22 and v3 differ, the v3 behaviour is used because that is what the corpus shows
//! and no v2 chart we know of depends on the old one:
//!
//! * `trunc` with a negative count keeps the *last* bytes (v2: Go panics, an error).
//! * `semver`/`semverCompare` follow semver v3: `^0.2.3` means `>=0.2.3 <0.3.0` (v1:
//!   `<1.0.0`), spaces also separate AND-ed terms, `semver` accepts `v1` and `1.2`, and an
//!   alternative with a prerelease term admits prerelease versions in all its terms.
//! * `merge`/`mergeOverwrite` follow mergo v1.0: empty destination values (`""`, `0`,
//!   `false`) are filled by `merge`; `mergeOverwrite` copies nil and empty source values too.
//! * `int`, `int64`, `float64`, `add` and friends convert with cast v1.10: strings are parsed
//!   with base prefixes (`"0x10"` → 16, `"010"` → 8, `"08"` → 0) and a plain decimal loses its
//!   fraction (`"1.5"` → 1; v2: base 10 only, `"1.5"` → 0).
//! * `camelcase` is xstrings' `ToPascalCase` (`HTTPServer` → `Httpserver`).
//! * JSON output escapes `\b` and `\f` with their short forms (modern Go; Go 1.14 wrote
//!   `\u0008`, `\u000c`).
//!
//! # Known differences from Go
//!
//! * The value model has one integer type: Go's `int` and `int64` are both [`Value::Int`], so
//!   `typeOf`/`kindOf` say `int` where Go says `int64` (results of `add`, `sub`, `mul`,
//!   `int64`…), an `int64` given to an `int` parameter (`trunc (sub 5 1) $s`) is accepted
//!   where Go errors, and `duration 95` (an untyped int) gives `1m35s` where Go gives `0s`
//!   (Go only converts `int64` and strings).
//! * An integral float literal such as `5.0` given to an `int` parameter errors here; Go
//!   converts constants (values from YAML are float64 and error in both).
//! * The engine passes a literal `nil` and a missing value alike. For map parameters (`hasKey`,
//!   `get`, `set`, `keys`, `merge`…) both error here, as the missing value does in Go; Go
//!   accepts the literal (`hasKey nil "a"` is false there). `[]interface{}` parameters
//!   (`genSelfSignedCert`'s IPs and names) accept both, as Go accepts the literal.
//! * `keys` and `values` return sorted keys (and values in key order); Go's map order is
//!   random, which charts hide with `sortAlpha`.
//! * Strings are UTF-8: functions that cut bytes (`trunc`, `substr`, `abbrev`, `wrap`,
//!   `initials`, `nospace`) or decode bytes (`b64dec`, `b32dec`, `decryptAES`) replace broken
//!   sequences with U+FFFD where Go keeps the raw bytes.
//! * Regular expressions use the `regex` crate after translating Go's ASCII-only `\d \w \s \b`
//!   and `\Q…\E`; error texts for invalid patterns are worded by the crate.
//! * A map that contains itself (`set $d "self" $d`) makes `toJson` fail with Go's "encountered
//!   a cycle" error and `deepCopy` fail (Go overflows its stack); values nested deeper than
//!   300 levels are treated the same way, to keep recursion within a thread's stack.
//! * `getHostByName` fails with "not implemented: getHostByName (no DNS lookups while
//!   rendering)": rendering never uses the network. Helm v2 resolved the name; Helm 3+ returns
//!   `""` unless `--enable-dns`.
//! * String-to-float conversion lacks Go's hexadecimal floats (`float64 "0x1p-2"` is 0 here).
//! * Certificates: ECDSA keys are P-256 only (what `genPrivateKey` makes); keys of other
//!   curves given to `*WithKey` functions fail to parse.

mod args;
mod crypto;
pub mod dates;
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
pub use dates::set_local_zone;

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

/// The functions whose results depend on the clock, randomness or the environment (Sprig's
/// "non-hermetic" list plus the other random generators), for callers that need to know
/// whether a render is reproducible.
pub const NON_HERMETIC: &[&str] = &[
    "now",
    "date",
    "dateInZone",
    "date_in_zone",
    "dateModify",
    "date_modify",
    "mustDateModify",
    "must_date_modify",
    "htmlDate",
    "htmlDateInZone",
    "ago",
    "durationRound",
    "toDate",
    "mustToDate",
    "randAlphaNum",
    "randAlpha",
    "randAscii",
    "randNumeric",
    "randBytes",
    "randInt",
    "shuffle",
    "uuidv4",
    "genPrivateKey",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "encryptAES",
    "bcrypt",
    "htpasswd",
    "getHostByName",
];

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_set() {
        let m = functions();
        // Helm removes these two from Sprig's map.
        assert!(!m.contains_key("env") && !m.contains_key("expandenv"));
        // Every name of Sprig v3.3's generic map except env/expandenv.
        let sprig_v3 = "hello ago date date_in_zone date_modify dateInZone dateModify duration \
            durationRound htmlDate htmlDateInZone must_date_modify mustDateModify mustToDate now \
            toDate unixEpoch abbrev abbrevboth trunc trim upper lower title untitle substr repeat \
            trimall trimAll trimSuffix trimPrefix nospace initials randAlphaNum randAlpha randAscii \
            randNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith contains \
            hasPrefix hasSuffix quote squote cat indent nindent replace plural sha1sum sha256sum \
            sha512sum adler32sum toString atoi int64 int float64 seq toDecimal split splitList \
            splitn toStrings until untilStep add1 add sub div mod mul randInt add1f addf subf divf \
            mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce \
            all any compact mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson \
            mustToJson mustToPrettyJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs \
            typeIsLike kindOf kindIs deepEqual getHostByName base dir clean ext isAbs osBase \
            osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset \
            hasKey pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values \
            append push mustAppend mustPush prepend mustPrepend first mustFirst rest mustRest last \
            mustLast initial mustInitial reverse mustReverse uniq mustUniq without mustWithout has \
            mustHas slice mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey \
            derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert \
            genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES \
            randBytes uuidv4 semver semverCompare fail regexMatch mustRegexMatch regexFindAll \
            mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll \
            regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit \
            regexQuoteMeta urlParse urlJoin";
        let names: Vec<&str> = sprig_v3.split_whitespace().collect();
        for name in &names {
            assert!(m.contains_key(*name), "missing {name}");
        }
        assert_eq!(m.len(), names.len(), "unexpected extra functions");
        for name in NON_HERMETIC {
            assert!(m.contains_key(*name), "{name}");
        }
    }
}
