//! Helm v2's `releaseutil.SplitManifests`: a rendered file cut into YAML documents at `---`
//! separators with the regular expression `(?:^|\s*\n)---\s*`.

use std::sync::LazyLock;

use regex::Regex;

/// Go's RE2 `\s` is ASCII whitespace only, unlike the regex crate's Unicode `\s`.
static SEP: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").ok());

/// Splits a multi-document manifest as Helm v2 does: the text is trimmed, cut at every
/// separator match, empty pieces dropped and each remaining piece trimmed. The result is in
/// document order (Helm keys them `manifest-0`, `manifest-1`, ...).
pub fn split_manifests(src: &str) -> Vec<String> {
    let text = src.trim();
    let Some(sep) = SEP.as_ref() else {
        return vec![text.to_owned()];
    };
    let mut pieces = Vec::new();
    let mut beg = 0;
    let mut end = 0;
    for m in sep.find_iter(text) {
        end = m.start();
        if m.end() != 0 {
            pieces.push(&text[beg..end]);
        }
        beg = m.end();
    }
    if end != text.len() {
        pieces.push(&text[beg..]);
    }
    pieces
        .into_iter()
        .filter(|d| !d.is_empty())
        .map(|d| d.trim().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_helm() {
        assert_eq!(split_manifests("a: 1\n---\nb: 2\n"), vec!["a: 1", "b: 2"]);
        // The greedy `\s*` after one separator eats the newline the next one needs.
        assert_eq!(
            split_manifests("---\na: 1\n---   \n\n---\nb: 2"),
            vec!["a: 1", "---\nb: 2"]
        );
        assert_eq!(
            split_manifests("a: 1\n--- # x\nb: 2"),
            vec!["a: 1", "# x\nb: 2"]
        );
        assert_eq!(split_manifests("a: 1\n---b: 2"), vec!["a: 1", "b: 2"]);
        assert_eq!(split_manifests("  \n"), Vec::<String>::new());
        assert_eq!(split_manifests("a: x---y"), vec!["a: x---y"]);
    }
}
