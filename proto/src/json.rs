//! hapi messages as Go's `encoding/json` prints Helm's generated structs,
//! which is what `helm status -o json` (and, through a JSON→YAML step,
//! `-o yaml`) shows.
//!
//! Every generated message derives `serde::Serialize` with the attributes
//! `tests/bootstrap.rs` derives from the schema, so that serde reproduces
//! Go's output: keys are the `.proto` field names (`first_deployed`,
//! `apiVersion`, `Description`, ...) in field-number order; zero values are
//! left out (Go's `omitempty`); enums are plain integers; `bytes` are
//! standard base64; maps have sorted keys; `Timestamp` is
//! `{"seconds":..,"nanos":..}` and `Any` is `{"type_url":..,"value":..}`
//! because Go's `encoding/json` knows nothing special about them.
//!
//! [`to_go_json`] adds the last difference: Go escapes `<`, `>`, `&`,
//! U+2028 and U+2029 inside strings.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use prost_types::{Any, Timestamp};
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

/// Serialises `value` exactly like Go's `json.Marshal`: compact, no
/// trailing newline (Go's `json.Encoder`, used by `helm status -o json`,
/// appends one `\n`).
pub fn to_go_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let text = serde_json::to_string(value)?;
    // These characters can only occur inside JSON strings, so replacing them
    // in the whole document escapes exactly the string contents.
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return Ok(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Values Go's `omitempty` drops: zero numbers, `false`, empty strings,
/// slices and maps, and nil pointers (absent messages).
pub trait GoZero {
    /// Whether `omitempty` leaves this value out.
    fn is_go_zero(&self) -> bool;
}

macro_rules! numeric_zero {
    ($($t:ty),*) => {$(
        impl GoZero for $t {
            fn is_go_zero(&self) -> bool {
                *self == 0
            }
        }
    )*};
}
numeric_zero!(i32, i64, u32, u64);

impl GoZero for bool {
    fn is_go_zero(&self) -> bool {
        !*self
    }
}

impl GoZero for String {
    fn is_go_zero(&self) -> bool {
        self.is_empty()
    }
}

impl<T> GoZero for Vec<T> {
    fn is_go_zero(&self) -> bool {
        self.is_empty()
    }
}

impl<K, V, S> GoZero for HashMap<K, V, S> {
    fn is_go_zero(&self) -> bool {
        self.is_empty()
    }
}

impl<T> GoZero for Option<T> {
    fn is_go_zero(&self) -> bool {
        self.is_none()
    }
}

/// `skip_serializing_if` predicate used by the generated code.
pub(crate) fn omit<T: GoZero>(value: &T) -> bool {
    value.is_go_zero()
}

/// `serialize_with` for `bytes` fields: Go encodes `[]byte` as base64.
pub(crate) fn bytes<S: Serializer>(value: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&STANDARD.encode(value))
}

/// `serialize_with` for map fields: Go writes map keys sorted.
pub(crate) fn sorted_map<K, V, S>(value: &HashMap<K, V>, serializer: S) -> Result<S::Ok, S::Error>
where
    K: Ord + Serialize,
    V: Serialize,
    S: Serializer,
{
    value
        .iter()
        .collect::<BTreeMap<_, _>>()
        .serialize(serializer)
}

/// Go's `ptypes/timestamp.Timestamp` struct with its json tags.
struct GoTimestamp<'a>(&'a Timestamp);

impl Serialize for GoTimestamp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Timestamp { seconds, nanos } = *self.0;
        let len = usize::from(seconds != 0) + usize::from(nanos != 0);
        let mut st = serializer.serialize_struct("Timestamp", len)?;
        if seconds != 0 {
            st.serialize_field("seconds", &seconds)?;
        }
        if nanos != 0 {
            st.serialize_field("nanos", &nanos)?;
        }
        st.end()
    }
}

/// `serialize_with` for `google.protobuf.Timestamp` fields. Absent values
/// never get here (they are omitted).
pub(crate) fn timestamp<S: Serializer>(
    value: &Option<Timestamp>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(ts) => GoTimestamp(ts).serialize(serializer),
        None => serializer.serialize_none(),
    }
}

/// Go's `ptypes/any.Any` struct with its json tags.
struct GoAny<'a>(&'a Any);

impl Serialize for GoAny<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Any { type_url, value } = self.0;
        let len = usize::from(!type_url.is_empty()) + usize::from(!value.is_empty());
        let mut st = serializer.serialize_struct("Any", len)?;
        if !type_url.is_empty() {
            st.serialize_field("type_url", type_url)?;
        }
        if !value.is_empty() {
            st.serialize_field("value", &STANDARD.encode(value))?;
        }
        st.end()
    }
}

/// `serialize_with` for `repeated google.protobuf.Any` fields (chart files).
pub(crate) fn any_list<S: Serializer>(value: &[Any], serializer: S) -> Result<S::Ok, S::Error> {
    let mut seq = serializer.serialize_seq(Some(value.len()))?;
    for item in value {
        seq.serialize_element(&GoAny(item))?;
    }
    seq.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hapi::chart::{Chart, Config, Metadata, Template, Value};
    use crate::hapi::release::{Info, Status, status};
    use crate::hapi::services::tiller::GetReleaseStatusResponse;

    #[test]
    fn uses_proto_names_in_field_order_and_omits_zero_values() {
        let res = GetReleaseStatusResponse {
            name: "web".to_owned(),
            info: Some(Info {
                status: Some(Status {
                    code: status::Code::Deployed as i32,
                    ..Status::default()
                }),
                last_deployed: Some(Timestamp {
                    seconds: 1_700_000_000,
                    nanos: 0,
                }),
                description: "Install complete".to_owned(),
                ..Info::default()
            }),
            namespace: String::new(),
        };
        assert_eq!(
            to_go_json(&res).expect("json"),
            r#"{"name":"web","info":{"status":{"code":1},"last_deployed":{"seconds":1700000000},"Description":"Install complete"}}"#
        );
    }

    #[test]
    fn present_but_empty_messages_are_kept() {
        // A non-nil pointer to an empty struct is not "empty" for Go.
        let info = Info {
            status: Some(Status::default()),
            deleted: Some(Timestamp::default()),
            ..Info::default()
        };
        assert_eq!(
            to_go_json(&info).expect("json"),
            r#"{"status":{},"deleted":{}}"#
        );
    }

    #[test]
    fn bytes_maps_and_any_follow_go() {
        let chart = Chart {
            metadata: Some(Metadata {
                api_version: "v1".to_owned(),
                annotations: HashMap::from([
                    ("z".to_owned(), "1".to_owned()),
                    ("a".to_owned(), "2".to_owned()),
                ]),
                ..Metadata::default()
            }),
            templates: vec![Template {
                name: "t".to_owned(),
                data: vec![0, 255],
            }],
            values: Some(Config {
                raw: String::new(),
                values: HashMap::from([(
                    "k".to_owned(),
                    Value {
                        value: "v".to_owned(),
                    },
                )]),
            }),
            files: vec![Any {
                type_url: "README.md".to_owned(),
                value: b"hi".to_vec(),
            }],
            ..Chart::default()
        };
        assert_eq!(
            to_go_json(&chart).expect("json"),
            r#"{"metadata":{"apiVersion":"v1","annotations":{"a":"2","z":"1"}},"templates":[{"name":"t","data":"AP8="}],"values":{"values":{"k":{"value":"v"}}},"files":[{"type_url":"README.md","value":"aGk="}]}"#
        );
    }

    #[test]
    fn escapes_html_characters_like_go() {
        let st = Status {
            notes: "a<b>&c\u{2028}d\u{2029}".to_owned(),
            ..Status::default()
        };
        assert_eq!(
            to_go_json(&st).expect("json"),
            r#"{"notes":"a\u003cb\u003e\u0026c\u2028d\u2029"}"#
        );
    }
}
