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

/// A map key prepared once for repeated comparisons.
struct SortKey<'v> {
    value: &'v Value,
    kind: u8,
    float: Option<f64>,
    chars: Vec<char>,
}

impl<'v> SortKey<'v> {
    fn new(value: &'v Value) -> Self {
        let chars = match value {
            Value::String(s) => s.chars().collect(),
            _ => Vec::new(),
        };
        SortKey {
            value,
            kind: kind(value),
            float: key_float(value),
            chars,
        }
    }
}

/// `keyList.Less` from go-yaml's sorter.
pub(crate) fn key_less(a: &Value, b: &Value) -> bool {
    less(&SortKey::new(a), &SortKey::new(b))
}

fn less(a: &SortKey<'_>, b: &SortKey<'_>) -> bool {
    if let (Some(af), Some(bf)) = (a.float, b.float) {
        if af != bf {
            return af < bf;
        }
        if a.kind != b.kind {
            return a.kind < b.kind;
        }
        return num_less(a.value, b.value);
    }
    if !matches!(a.value, Value::String(_)) || !matches!(b.value, Value::String(_)) {
        return a.kind < b.kind;
    }
    let (ar, br) = (&a.chars, &b.chars);
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

/// Sorts map entries by key with go-yaml's order.
///
/// Up to 12 keys this is exactly what Go's `sort.Sort` does (a gap-6 pass, then insertion
/// sort), so even go-yaml's occasional non-transitive comparisons give Go's result; longer maps
/// use a merge sort, which agrees with Go whenever the comparisons are consistent. Neither can
/// panic on an inconsistent order.
pub(crate) fn sort_keys(entries: &mut [&(Value, Value)]) {
    let mut keyed: Vec<(SortKey<'_>, &(Value, Value))> =
        entries.iter().map(|e| (SortKey::new(&e.0), *e)).collect();
    if keyed.len() <= 12 {
        for i in 6..keyed.len() {
            if less(&keyed[i].0, &keyed[i - 6].0) {
                keyed.swap(i, i - 6);
            }
        }
        for i in 1..keyed.len() {
            let mut j = i;
            while j > 0 && less(&keyed[j].0, &keyed[j - 1].0) {
                keyed.swap(j, j - 1);
                j -= 1;
            }
        }
    } else {
        keyed = merge_sort(keyed);
    }
    for (slot, (_, e)) in entries.iter_mut().zip(keyed) {
        *slot = e;
    }
}

fn merge_sort<'v, T>(mut items: Vec<(SortKey<'v>, T)>) -> Vec<(SortKey<'v>, T)> {
    if items.len() <= 1 {
        return items;
    }
    let right = items.split_off(items.len() / 2);
    let left = merge_sort(items);
    let right = merge_sort(right);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let take_right = match (left.peek(), right.peek()) {
            (Some(l), Some(r)) => less(&r.0, &l.0),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        let next = if take_right {
            right.next()
        } else {
            left.next()
        };
        if let Some(item) = next {
            out.push(item);
        }
    }
    out
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
    fn long_maps_sort_like_short_ones() {
        let keys: Vec<String> = (0..40).rev().map(|i| format!("k{i}")).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let got = sorted(&refs);
        let want: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn numbers_before_strings() {
        assert!(key_less(&Value::Int(5), &Value::String("1".into())));
        assert!(key_less(&Value::Bool(false), &Value::Int(1)));
        assert!(key_less(&Value::Int(1), &Value::Float(1.0)));
    }
}
