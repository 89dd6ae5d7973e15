//! Label queries the way Helm v2 builds them: values checked with
//! Kubernetes' label-value rules, selectors printed as `k=v` pairs joined by
//! commas with keys sorted (what `labels.Set.AsSelector().String()` yields),
//! and in-memory matching for the Memory driver.

use std::collections::BTreeMap;

use super::error::StorageError;

const LABEL_VALUE_MAX_LEN: usize = 63;
const LABEL_VALUE_REGEX_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/// Kubernetes' label-value validation (`IsValidLabelValue`): the messages of
/// every rule the value breaks, empty when it is valid.
pub fn label_value_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LEN {
        errs.push(format!(
            "must be no more than {LABEL_VALUE_MAX_LEN} characters"
        ));
    }
    if !label_value_shape_ok(value) {
        errs.push(LABEL_VALUE_REGEX_MSG.to_owned());
    }
    errs
}

/// `^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$` without a regex engine.
fn label_value_shape_ok(value: &str) -> bool {
    let b = value.as_bytes();
    match (b.first(), b.last()) {
        (None, _) | (_, None) => true,
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
    }
}

/// Checks every value of a query, failing with Helm's
/// `invalid label value: "<v>": <reasons>` on the first bad one (in key
/// order; Go's map order is random, so any order is faithful).
pub fn validate_query(labels: &BTreeMap<String, String>) -> Result<(), StorageError> {
    for value in labels.values() {
        let reasons = label_value_errors(value);
        if !reasons.is_empty() {
            return Err(StorageError::InvalidLabelValue {
                value: value.clone(),
                reasons,
            });
        }
    }
    Ok(())
}

/// The equality selector for a set of labels: `A=1,B=2`, keys sorted.
pub fn selector(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether `have` carries every key of `want` with the same value (a
/// missing key counts as the empty value, as Helm's memory driver compares).
pub fn matches(have: &BTreeMap<String, String>, want: &BTreeMap<String, String>) -> bool {
    want.iter()
        .all(|(k, v)| have.get(k).map_or("", String::as_str) == v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn selectors_sort_keys_like_helm() {
        assert_eq!(selector(&set(&[("OWNER", "TILLER")])), "OWNER=TILLER");
        assert_eq!(
            selector(&set(&[("OWNER", "TILLER"), ("NAME", "web")])),
            "NAME=web,OWNER=TILLER"
        );
        assert_eq!(
            selector(&set(&[
                ("STATUS", "DEPLOYED"),
                ("OWNER", "TILLER"),
                ("NAME", "web")
            ])),
            "NAME=web,OWNER=TILLER,STATUS=DEPLOYED"
        );
        assert_eq!(selector(&BTreeMap::new()), "");
    }

    #[test]
    fn label_values() {
        for ok in ["", "a", "web", "My_value.1-2", "12345", &"x".repeat(63)] {
            assert!(label_value_errors(ok).is_empty(), "{ok:?}");
        }
        for bad in ["-a", "a-", "a b", "ä", ".x", "a/b", "a=b"] {
            assert_eq!(
                label_value_errors(bad),
                vec![LABEL_VALUE_REGEX_MSG.to_owned()],
                "{bad:?}"
            );
        }
        assert_eq!(
            label_value_errors(&"x".repeat(64)),
            vec!["must be no more than 63 characters".to_owned()]
        );
        assert_eq!(label_value_errors(&format!("{}-", "x".repeat(63))).len(), 2);
    }

    #[test]
    fn invalid_query_values_are_reported_like_helm() {
        let err = validate_query(&set(&[("NAME", "bad name"), ("OWNER", "TILLER")]))
            .expect_err("invalid");
        assert_eq!(
            err.to_string(),
            format!(r#"invalid label value: "bad name": {LABEL_VALUE_REGEX_MSG}"#)
        );
        let long = "y".repeat(70);
        let err = validate_query(&set(&[("NAME", &format!("{long}-"))])).expect_err("invalid");
        assert_eq!(
            err.to_string(),
            format!(
                r#"invalid label value: "{long}-": must be no more than 63 characters; {LABEL_VALUE_REGEX_MSG}"#
            )
        );
        assert!(validate_query(&set(&[("NAME", "web"), ("OWNER", "TILLER")])).is_ok());
    }

    #[test]
    fn matching() {
        let have = set(&[("NAME", "web"), ("OWNER", "TILLER"), ("STATUS", "DEPLOYED")]);
        assert!(matches(
            &have,
            &set(&[("NAME", "web"), ("OWNER", "TILLER")])
        ));
        assert!(matches(&have, &BTreeMap::new()));
        assert!(!matches(&have, &set(&[("NAME", "db")])));
        assert!(!matches(&have, &set(&[("TEAM", "a")])));
        assert!(matches(&have, &set(&[("TEAM", "")])));
    }
}
