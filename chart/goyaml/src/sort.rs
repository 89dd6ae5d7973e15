//! go-yaml v2's map key order (`sorter.go`): numbers and booleans by value, then other kinds by
//! Go's reflect kind, strings in a "natural" order where runs of digits compare as numbers and
//! non-letters sort before letters.

use std::cmp::Ordering;

use crate::value::Value;

/// Go `reflect.Kind` numbers of the dynamic types go-yaml produces; they order mixed keys.
fn kind(v: &Value) -> u8 {
    match v {
        Value::Bool(_) => 1,
        Value::Int(_) => 2,
        Value::Uint(_) => 11,
        Value::Float(_) => 14,
        // A nil interface{} key keeps kind Interface.
        Value::Null => 20,
        Value::Map(_) => 21,
        Value::Seq(_) => 23,
        Value::String(_) => 24,
    }
}

fn key_float(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Uint(u) => Some(*u as f64),
        Value::Float(f) => Some(*f),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn num_less(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Uint(x), Value::Uint(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::Bool(x), Value::Bool(y)) => !x && *y,
        _ => false,
    }
}

/// Go's `unicode.IsLetter`; Rust's alphabetic class is close, minus a few marks and numbers
/// Go does not count as letters.
fn is_letter(c: char) -> bool {
    c.is_alphabetic() && !c.is_numeric()
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

/// `keyList.Less` from go-yaml's sorter.
pub(crate) fn key_less(a: &Value, b: &Value) -> bool {
    let (ak, bk) = (kind(a), kind(b));
    if let (Some(af), Some(bf)) = (key_float(a), key_float(b)) {
        if af != bf {
            return af < bf;
        }
        if ak != bk {
            return ak < bk;
        }
        return num_less(a, b);
    }
    let (Value::String(sa), Value::String(sb)) = (a, b) else {
        return ak < bk;
    };
    let ar: Vec<char> = sa.chars().collect();
    let br: Vec<char> = sb.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = is_letter(ar[i]);
        let bl = is_letter(br[i]);
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1]) {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai]) {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u32) - i64::from(b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi]) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u32) - i64::from(b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// An `Ordering` view of [`key_less`] for callers that need one.
pub(crate) fn key_order(a: &Value, b: &Value) -> Ordering {
    if key_less(a, b) {
        Ordering::Less
    } else if key_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// Sorts map entries by key with go-yaml's order. An insertion sort, as Go's `sort.Sort` uses
/// for short slices: the order is not always transitive, and this never panics on that.
pub(crate) fn sort_keys(entries: &mut [&(Value, Value)]) {
    for i in 1..entries.len() {
        let mut j = i;
        while j > 0 && key_less(&entries[j].0, &entries[j - 1].0) {
            entries.swap(j, j - 1);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(keys: &[&str]) -> Vec<String> {
        let entries: Vec<(Value, Value)> = keys
            .iter()
            .map(|k| (Value::String((*k).to_owned()), Value::Null))
            .collect();
        let mut refs: Vec<&(Value, Value)> = entries.iter().collect();
        sort_keys(&mut refs);
        refs.iter()
            .map(|(k, _)| match k {
                Value::String(s) => s.clone(),
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn natural_order() {
        assert_eq!(
            sorted(&["a10", "a2", "b", "a"]),
            vec!["a", "a2", "a10", "b"]
        );
        assert_eq!(sorted(&["b", "_x", "A"]), vec!["_x", "A", "b"]);
        assert_eq!(sorted(&["a1", "a01"]), vec!["a1", "a01"]);
    }

    #[test]
    fn numbers_before_strings() {
        assert!(key_less(&Value::Int(5), &Value::String("1".into())));
        assert!(key_less(&Value::Bool(false), &Value::Int(1)));
        assert!(key_less(&Value::Int(1), &Value::Float(1.0)));
    }
}
