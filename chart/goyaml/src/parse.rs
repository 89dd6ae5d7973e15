//! Reading YAML as go-yaml v2 does: saphyr-parser events composed into a node tree (anchors and
//! aliases kept as references), then decoded into [`Value`] with go-yaml's `interface{}` rules:
//! implicit typing, `!!` tags, merge keys, last-wins duplicate keys and its alias limits.

use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span};

use crate::Error;
use crate::resolve::{self, BINARY_TAG, MERGE_TAG, TIMESTAMP_TAG};
use crate::value::{MapBuilder, Value, go_syntax};

#[derive(Debug)]
enum Kind {
    Scalar {
        value: String,
        tag: String,
        implicit: bool,
    },
    Seq(Vec<usize>),
    /// Keys and values interleaved, as go-yaml keeps them.
    Map(Vec<usize>),
    Alias {
        target: usize,
        name: String,
    },
}

#[derive(Debug)]
struct Node {
    kind: Kind,
}

/// One composed document: an arena of nodes and its root.
#[derive(Debug)]
struct Document {
    nodes: Vec<Node>,
    root: usize,
}

/// Turns a saphyr-parser error into go-yaml's message and line convention.
fn scan_error(src: &str, err: &ScanError) -> Error {
    let info = err.info();
    let mark = err.marker();
    if info == "while parsing node, found unknown anchor" {
        let name = anchor_name_at(src, mark);
        return Error::yaml(format!("unknown anchor '{name}' referenced"), None);
    }
    let (message, parser_error) = translate(info);
    // saphyr marks a bad escape at the start of its scalar; libyaml at the escape itself.
    if let Some(line0) = info
        .starts_with("while parsing a quoted scalar, ")
        .then(|| bad_escape_line(src, mark))
        .flatten()
    {
        let mut e = Error::yaml(message, scanner_line(line0));
        e.column = Some(mark.col() + 1);
        return e;
    }
    // libyaml marks the end of the input for an unterminated quoted scalar, saphyr its start.
    let line0 = if message == "found unexpected end of stream" {
        src.matches('\n').count()
    } else {
        mark.line().saturating_sub(1)
    };
    // go-yaml prints a parser error's 0-based line and a scanner error's 1-based line, and
    // nothing when the 0-based line is 0.
    let line = match (line0, parser_error) {
        (0, _) => None,
        (n, true) => Some(n),
        (n, false) => Some(n + 1),
    };
    let mut e = Error::yaml(message, line);
    e.column = Some(mark.col() + 1);
    e
}

/// Maps saphyr's wording to libyaml's, and says whether libyaml raises it from the parser (as
/// opposed to the scanner), which changes the line go-yaml prints.
fn translate(info: &str) -> (String, bool) {
    let parser_msgs: &[(&str, &str)] = &[
        (
            "while parsing a block mapping, did not find expected key",
            "did not find expected key",
        ),
        (
            "while parsing a block collection, did not find expected '-' indicator",
            "did not find expected '-' indicator",
        ),
        (
            "while parsing a flow sequence, expected ',' or ']'",
            "did not find expected ',' or ']'",
        ),
        (
            "while parsing a flow mapping, did not find expected ',' or '}'",
            "did not find expected ',' or '}'",
        ),
        (
            "while parsing a node, did not find expected node content",
            "did not find expected node content",
        ),
        (
            "did not find expected <document start>",
            "did not find expected <document start>",
        ),
        (
            "did not find expected <document-start>",
            "did not find expected <document start>",
        ),
        ("the handle wasn't declared", "found undefined tag handle"),
        (
            "found incompatible YAML document",
            "found incompatible YAML document",
        ),
        (
            "duplicate version directive",
            "found duplicate %YAML directive",
        ),
        ("unexpected eof", "did not find expected node content"),
        (
            "invalid trailing content after double-quoted scalar",
            "did not find expected key",
        ),
        (
            "\"-\" is only valid inside a block",
            "did not find expected node content",
        ),
    ];
    for (from, to) in parser_msgs {
        if info == *from {
            return ((*to).to_owned(), true);
        }
    }
    let scanner_msgs: &[(&str, &str)] = &[
        ("simple key expect ':'", "could not find expected ':'"),
        ("simple key expected", "could not find expected ':'"),
        (
            "while scanning a quoted scalar, found unexpected end of stream",
            "found unexpected end of stream",
        ),
        (
            "while scanning a quoted scalar, found unexpected document indicator",
            "found unexpected document indicator",
        ),
        (
            "while parsing a quoted scalar, found unknown escape character",
            "found unknown escape character",
        ),
        (
            "tabs disallowed within this context (block indentation)",
            "found character that cannot start any token",
        ),
        (
            "tab cannot be used as indentation",
            "found character that cannot start any token",
        ),
        (
            "tabs disallowed in this context",
            "found character that cannot start any token",
        ),
        (
            "while scanning a plain scalar, found a tab",
            "found character that cannot start any token",
        ),
        ("invalid indentation", "did not find expected key"),
        (
            "while parsing a quoted scalar, did not find expected hexadecimal number",
            "did not find expected hexdecimal number",
        ),
        (
            "while scanning a directive, could not find expected directive name",
            "found unknown directive name",
        ),
    ];
    for (from, to) in scanner_msgs {
        if info == *from {
            return ((*to).to_owned(), false);
        }
    }
    if info.starts_with("unexpected character: ") {
        return (
            "found character that cannot start any token".to_owned(),
            false,
        );
    }
    // libyaml keeps its context ("while scanning a block scalar") apart from the problem, and
    // go-yaml prints only the problem.
    let problem = match info.split_once(", ") {
        Some((ctx, rest)) if ctx.starts_with("while ") => rest,
        _ => info,
    };
    (problem.to_owned(), false)
}

/// The source text with saphyr's character indices mapped to byte offsets.
struct Source<'a> {
    text: &'a str,
    /// Byte offset of every character, or `None` for ASCII text where they are equal.
    offsets: Option<Vec<usize>>,
}

impl<'a> Source<'a> {
    fn new(text: &'a str) -> Self {
        let offsets = (!text.is_ascii()).then(|| text.char_indices().map(|(b, _)| b).collect());
        Source { text, offsets }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.offsets {
            None => char_index.min(self.text.len()),
            Some(o) => o.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }

    fn from(&self, char_index: usize) -> &'a str {
        &self.text[self.byte(char_index)..]
    }

    fn before(&self, char_index: usize) -> &'a str {
        &self.text[..self.byte(char_index)]
    }

    fn span(&self, span: &Span) -> &'a str {
        let (a, b) = (self.byte(span.start.index()), self.byte(span.end.index()));
        &self.text[a..b.max(a)]
    }
}

/// The name after `*` (or `&`) at a marker, read from the source.
fn anchor_name_at(src: &str, mark: &Marker) -> String {
    let rest = Source::new(src)
        .from(mark.index())
        .trim_start_matches(['*', '&']);
    // libyaml anchor names are ASCII letters, digits, '_' and '-'.
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

/// The 0-based line of the first escape sequence libyaml rejects in the double-quoted scalar
/// that opens at `mark`.
fn bad_escape_line(src: &str, mark: &Marker) -> Option<usize> {
    let text = Source::new(src).from(mark.index());
    let mut chars = text.chars().peekable();
    if chars.next() != Some('"') {
        return None;
    }
    let mut line0 = mark.line().saturating_sub(1);
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\n' => line0 += 1,
            '\\' => {
                let e = chars.next()?;
                let len = match e {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    '0' | 'a' | 'b' | 't' | '\t' | 'n' | 'v' | 'f' | 'r' | 'e' | ' ' | '"'
                    | '\'' | '\\' | 'N' | '_' | 'L' | 'P' => 0,
                    '\n' => {
                        line0 += 1;
                        0
                    }
                    '\r' => 0,
                    _ => return Some(line0),
                };
                let mut value: u32 = 0;
                for _ in 0..len {
                    let Some(d) = chars.peek().and_then(|c| c.to_digit(16)) else {
                        return Some(line0);
                    };
                    chars.next();
                    value = value * 16 + d;
                }
                if len > 0 && ((0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF) {
                    return Some(line0);
                }
            }
            _ => {}
        }
    }
    None
}

/// The line go-yaml prints for a scanner error at a 0-based line.
fn scanner_line(line0: usize) -> Option<usize> {
    (line0 != 0).then_some(line0 + 1)
}

/// libyaml knows only the `%YAML` and `%TAG` directives; saphyr skips unknown ones.
fn check_directives(src: &str) -> Result<(), Error> {
    // go-yaml's reader accepts only the YAML 1.1 printable set (tab and line breaks included).
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{85}')
            || ('\u{20}'..='\u{7e}').contains(&c)
            || ('\u{a0}'..='\u{d7ff}').contains(&c)
            || ('\u{e000}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}'
    };
    if !src.chars().all(allowed) {
        return Err(Error::yaml(
            "control characters are not allowed".to_owned(),
            None,
        ));
    }
    for (n, line) in src.lines().enumerate() {
        let t = line.trim_start_matches('\u{feff}');
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        // A stream opening with a document end marker has an empty first document, which
        // libyaml's parser rejects.
        if t == "..." || t.starts_with("... ") || t.starts_with("...\t") {
            return Err(Error::yaml(
                "did not find expected node content".to_owned(),
                (n != 0).then_some(n),
            ));
        }
        let Some(rest) = t.strip_prefix('%') else {
            break;
        };
        let name: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
        if name == "YAML" && rest[4..].split_whitespace().next() != Some("1.1") {
            return Err(Error::yaml(
                "found incompatible YAML document".to_owned(),
                (n != 0).then_some(n),
            ));
        }
        if name != "YAML" && name != "TAG" {
            let msg = if name.is_empty() {
                "could not find expected directive name"
            } else {
                "found unknown directive name"
            };
            return Err(Error::yaml(msg.to_owned(), scanner_line(n)));
        }
    }
    Ok(())
}

/// go-yaml v2 does not know the `\/` escape that YAML 1.2 (and saphyr) accept.
fn check_escapes(src: &Source<'_>, span: &Span) -> Result<(), Error> {
    let raw = src.span(span);
    let mut chars = raw.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            continue;
        }
        if let Some((_, '/')) = chars.next() {
            let line0 = span.start.line().saturating_sub(1) + raw[..i].matches('\n').count();
            return Err(Error::yaml(
                "found unknown escape character".to_owned(),
                scanner_line(line0),
            ));
        }
    }
    Ok(())
}

/// A block mapping entry that starts with `:` has no key; libyaml's parser rejects it where
/// YAML 1.2 reads an empty key (an explicit `?` key is fine in both).
fn check_empty_key(src: &Source<'_>, span: &Span, flow: bool) -> Result<(), Error> {
    if span.start.index() != span.end.index() || !src.from(span.start.index()).starts_with(':') {
        return Ok(());
    }
    let prev = src
        .before(span.start.index())
        .chars()
        .rev()
        .find(|c| !c.is_whitespace());
    if prev == Some('?') {
        return Ok(());
    }
    let line0 = span.start.line().saturating_sub(1);
    let message = if flow {
        "did not find expected node content"
    } else {
        "did not find expected key"
    };
    Err(Error::yaml(
        message.to_owned(),
        (line0 != 0).then_some(line0),
    ))
}

/// A block scalar that runs to the end of input without a final line break has no break to
/// keep: libyaml's value ends with the last character, where saphyr adds a newline.
fn clip_at_eof(src: &Source<'_>, span: &Span, value: &mut String) {
    if src.text.ends_with(['\n', '\r']) || !value.ends_with('\n') {
        return;
    }
    if src
        .from(span.end.index())
        .chars()
        .all(|c| c == ' ' || c == '\t')
    {
        value.pop();
    }
}

/// Rewrites text saphyr (YAML 1.2) rejects but libyaml accepts, at the place of a failure, into
/// an equivalent form both read alike; `None` when the failure is not one of those.
fn repair(src: &str, err: &ScanError, flow_depth: usize, flow_pad: usize) -> Option<String> {
    let mut chars: Vec<char> = src.chars().collect();
    let at = err.marker().index().min(chars.len());
    match err.info() {
        // libyaml does not check indentation inside flow collections: indent the offending line
        // further, which changes no value (whitespace between flow tokens is insignificant).
        // (saphyr's scanner can fail before the parser has reported the collection open, so
        // the message, when it names a flow construct, is the better witness.)
        "invalid indentation in flow construct" => repair_flow_indentation(chars, at, flow_pad),
        "invalid indentation" if flow_depth > 0 => repair_flow_indentation(chars, at, flow_pad),
        // Nor inside multi-line quoted scalars, whose continuation lines lose their leading
        // whitespace anyway: indent every continuation line past the scalar's column.
        "invalid indentation in quoted scalar" => {
            let quote = *chars.get(at)?;
            if quote != '"' && quote != '\'' {
                return None;
            }
            let pad = err.marker().col() + 1;
            let mut out: Vec<char> = chars[..=at].to_vec();
            let mut i = at + 1;
            while i < chars.len() {
                let c = chars[i];
                out.push(c);
                i += 1;
                match c {
                    '\\' if quote == '"' && i < chars.len() => {
                        out.push(chars[i]);
                        if chars[i] == '\n' {
                            out.extend(std::iter::repeat_n(' ', pad));
                        }
                        i += 1;
                    }
                    '\n' => out.extend(std::iter::repeat_n(' ', pad)),
                    '\'' if quote == '\'' && chars.get(i) == Some(&'\'') => {
                        out.push('\'');
                        i += 1;
                    }
                    c if c == quote => {
                        out.extend_from_slice(&chars[i..]);
                        return Some(out.into_iter().collect());
                    }
                    _ => {}
                }
            }
            // Unterminated: keep the padding so the real problem (end of stream) surfaces.
            Some(out.into_iter().collect())
        }
        // libyaml takes a tab as the separator after ':'.
        "':' must be followed by a valid YAML whitespace" => {
            let mut i = at;
            let mut changed = false;
            while i > 0 && matches!(chars[i - 1], ' ' | '\t') {
                if chars[i - 1] == '\t' {
                    chars[i - 1] = ' ';
                    changed = true;
                }
                i -= 1;
            }
            changed.then(|| chars.into_iter().collect())
        }
        // Inside flow collections libyaml takes tabs as plain separation, also at the start of
        // a line.
        "tabs disallowed within this context (block indentation)" if flow_depth > 0 => {
            let line_start = chars[..at]
                .iter()
                .rposition(|c| is_break(*c))
                .map_or(0, |p| p + 1);
            let mut changed = false;
            for c in chars[line_start..]
                .iter_mut()
                .take_while(|c| matches!(**c, ' ' | '\t'))
            {
                if *c == '\t' {
                    *c = ' ';
                    changed = true;
                }
            }
            changed.then(|| chars.into_iter().collect())
        }
        // libyaml takes '#' as a comment right after a token, without the separating space
        // YAML 1.2 asks for.
        "comments must be separated from other tokens by whitespace"
            if chars.get(at) == Some(&'#') =>
        {
            chars.insert(at, ' ');
            Some(chars.into_iter().collect())
        }
        // libyaml accepts the escape \' in double-quoted scalars.
        "while parsing a quoted scalar, found unknown escape character" => {
            let start = (at..chars.len()).find(|&i| chars[i] == '"')?;
            let mut i = start + 1;
            while i + 1 < chars.len() {
                match (chars[i], chars[i + 1]) {
                    ('\\', '\'') => {
                        chars.splice(i..i + 2, "\\x27".chars());
                        return Some(chars.into_iter().collect());
                    }
                    ('\\', _) => i += 2,
                    ('"', _) => return None,
                    _ => i += 1,
                }
            }
            None
        }
        _ => None,
    }
}

/// libyaml does not check indentation inside flow collections: indent the offending line, and
/// the following lines of its collection, further. That changes no value: whitespace between
/// flow tokens is insignificant.
fn repair_flow_indentation(mut chars: Vec<char>, at: usize, pad: usize) -> Option<String> {
    let line_start = chars[..at]
        .iter()
        .rposition(|c| is_break(*c))
        .map_or(0, |p| p + 1);
    // Every line that starts inside the innermost flow collection gets the same extra
    // indentation `pad`, deeper than any block indentation of the original text, so one pass
    // repairs the whole collection.
    // Counting from depth 1 (the innermost collection) never pads past its end; any outer
    // collection's remaining lines get their own round.
    let mut starts = vec![line_start];
    starts.extend(flow_line_starts(&chars, line_start, 1));
    for &start in starts.iter().rev() {
        chars.splice(start..start, std::iter::repeat_n(' ', pad));
    }
    Some(chars.into_iter().collect())
}

/// Starts of the lines after `from` that begin while `depth` flow collections are still open:
/// brackets are counted outside quoted scalars and comments until the depth reaches zero.
fn flow_line_starts(chars: &[char], from: usize, mut depth: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut i = from;
    let mut token_start = true;
    while i < chars.len() && depth > 0 {
        let c = chars[i];
        match c {
            // A lone CR breaks lines too (as in libyaml and saphyr); of CR LF, the LF counts.
            '\n' | '\r' if c == '\n' || chars.get(i + 1) != Some(&'\n') => {
                starts.push(i + 1);
                token_start = true;
                i += 1;
                continue;
            }
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            '#' if token_start => {
                while i < chars.len() && !is_break(chars[i]) {
                    i += 1;
                }
                continue;
            }
            '"' | '\'' if token_start => {
                i += 1;
                while i < chars.len() {
                    match chars[i] {
                        '\\' if c == '"' => i += 1,
                        '\'' if c == '\'' && chars.get(i + 1) == Some(&'\'') => i += 1,
                        q if q == c => break,
                        '\n' => starts.push(i + 1),
                        '\r' if chars.get(i + 1) != Some(&'\n') => starts.push(i + 1),
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        token_start = matches!(c, ' ' | '\t' | ',' | '[' | '{' | ':' | '?');
        i += 1;
    }
    // The lines of a quoted scalar need no help (their indentation is free), but padding them
    // is harmless; the line after the collection closes must keep its indentation.
    starts.retain(|&s| s < i || depth > 0);
    starts
}

/// Whether `c` ends a line for YAML (CR, LF; CR LF counts once where it matters).
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r')
}

/// How many repair rounds one document may take; each round re-parses the text.
const MAX_REPAIRS: usize = 1000;

/// The most a repaired text may grow: repairs only add indentation or single spaces, so real
/// documents stay far below this, and hostile ones cannot make the retries use memory out of
/// proportion to their size.
fn max_repaired_len(src: &str) -> usize {
    src.len().saturating_mul(4).saturating_add(64 * 1024)
}

/// Runs `f` over the source, repairing and retrying while saphyr rejects YAML 1.1 text.
///
/// A repair that does not move the failure on (the same error on the same line again) or a
/// text grown past [`max_repaired_len`] ends the retries with the error as it stands.
fn with_repairs<T>(
    src: &str,
    f: impl Fn(&mut Composer<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    // Fixed once from the original text: recomputing it from repaired text would grow the pad
    // with every round (lines padded earlier raise the maximum).
    let flow_pad = src
        .split(is_break)
        .map(|l| l.chars().take_while(|c| *c == ' ').count())
        .max()
        .unwrap_or(0)
        + 1;
    let limit = max_repaired_len(src);
    let mut text = src.to_owned();
    let mut last: Option<(String, usize)> = None;
    for _ in 0..MAX_REPAIRS {
        let mut composer = Composer::new(&text);
        let result = f(&mut composer);
        if result.is_ok() {
            return result;
        }
        let flow_depth = composer.error_flow_depth;
        let Some(err) = composer.scan_error.as_ref() else {
            return result;
        };
        let key = (err.info().to_owned(), err.marker().line());
        if last.as_ref() == Some(&key) && key.0.starts_with("invalid indentation") {
            return result;
        }
        match repair(&text, err, flow_depth, flow_pad) {
            Some(fixed) if fixed.len() <= limit => text = fixed,
            _ => return result,
        }
        last = Some(key);
    }
    f(&mut Composer::new(&text))
}

/// libyaml's scanner does not skip a tab where a block-context token may start (the beginning
/// of a line, outside scalars and flow collections); saphyr does. This records which lines
/// begin inside a token so the text can be checked afterwards.
#[derive(Debug, Default)]
struct TabCheck {
    /// Inclusive 1-based line ranges whose start lies inside a token.
    covered: Vec<(usize, usize)>,
    /// Start lines of the open collections; `None` for block ones.
    flows: Vec<Option<usize>>,
    /// 1-based line and column after the end of each plain scalar.
    plain_ends: HashMap<usize, usize>,
    /// The last line the scanner has reached.
    last_line: usize,
    /// Lines before this one were checked already (earlier documents).
    checked: usize,
}

impl TabCheck {
    fn scalar(&mut self, span: &Span, style: ScalarStyle) {
        let (a, b) = (span.start.line(), span.end.line());
        if b > a {
            self.covered.push((a + 1, b));
        }
        if style == ScalarStyle::Plain {
            self.plain_ends.insert(b, span.end.col());
        }
    }

    fn open(&mut self, flow: bool, span: &Span) {
        self.flows.push(flow.then(|| span.start.line()));
    }

    fn close(&mut self, span: &Span) {
        if let Some(Some(start)) = self.flows.pop()
            && span.start.line() > start
        {
            self.covered.push((start + 1, span.start.line()));
        }
    }

    /// Fails, as libyaml would, on the first uncovered line the scanner reached whose first
    /// non-space character is a tab.
    fn check(&mut self, src: &Source<'_>) -> Result<(), Error> {
        let upto = self.last_line;
        let from = self.checked.max(1);
        self.checked = upto + 1;
        let mut prev_content: Option<(usize, &str)> = None;
        for (n, line) in src.text.split('\n').enumerate().map(|(i, l)| (i + 1, l)) {
            if n > upto {
                break;
            }
            let rest = line.trim_start_matches(' ');
            let covered = self.covered.iter().any(|(a, b)| (*a..=*b).contains(&n));
            let in_block = n >= from && !covered && self.flows.iter().all(Option::is_none);
            if in_block && rest.starts_with('\t') {
                let column = line.len() - rest.len();
                // After a plain scalar that ends its line, libyaml is still in the scalar's
                // scanner, which allows tabs deeper than the block's indentation and words the
                // problem differently.
                let plain_indent = prev_content.and_then(|(p, text): (usize, &str)| {
                    let end = text.trim_end_matches([' ', '\t', '\r']).chars().count();
                    (self.plain_ends.get(&p) == Some(&end))
                        .then(|| text.len() - text.trim_start_matches(' ').len())
                });
                match plain_indent {
                    Some(indent) if column > indent => {}
                    Some(_) => {
                        return Err(Error::yaml(
                            "found a tab character that violates indentation".to_owned(),
                            scanner_line(n - 1),
                        ));
                    }
                    None => return Err(tab_token_error(n)),
                }
            }
            // Nor after the block indicators '-' and '?', where a new token may start.
            if in_block {
                let mut r = rest;
                while let Some(after) = r
                    .strip_prefix(['-', '?'])
                    .filter(|a| a.starts_with([' ', '\t']))
                {
                    r = after.trim_start_matches(' ');
                    if r.starts_with('\t') {
                        return Err(tab_token_error(n));
                    }
                }
            }
            let content = rest.trim_start_matches([' ', '\t']);
            if !content.is_empty() && !content.starts_with('#') {
                prev_content = Some((n, line));
            }
        }
        Ok(())
    }
}

fn tab_token_error(line: usize) -> Error {
    Error::yaml(
        "found character that cannot start any token".to_owned(),
        scanner_line(line - 1),
    )
}

/// Builds node trees out of the event stream, one document at a time.
struct Composer<'a> {
    src: &'a str,
    source: Source<'a>,
    /// The collections open at the current event, innermost last.
    open: Vec<Collection>,
    /// Where lines start inside tokens (scalars, flow collections), for the tab check.
    tabs: TabCheck,
    /// Whether the last raw saphyr error happened inside a flow collection.
    error_flow_depth: usize,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    started: bool,
    /// The last raw saphyr error, kept so the caller can retry after repairing YAML 1.2-only
    /// rejections of text libyaml accepts.
    scan_error: Option<ScanError>,
}

#[derive(Debug, Clone, Copy)]
enum Collection {
    BlockSeq,
    BlockMap,
    FlowSeq,
    FlowMap,
}

enum Open {
    Seq(usize),
    Map(usize),
}

impl<'a> Composer<'a> {
    fn new(src: &'a str) -> Self {
        Composer {
            src,
            source: Source::new(src),
            open: Vec::new(),
            tabs: TabCheck::default(),
            error_flow_depth: 0,
            parser: Parser::new_from_str(src),
            started: false,
            scan_error: None,
        }
    }

    fn next(&mut self) -> Result<(Event<'a>, Span), Error> {
        match self.parser.next_event() {
            Some(Ok(ev)) => {
                self.tabs.last_line = self.tabs.last_line.max(ev.1.end.line());
                Ok(ev)
            }
            Some(Err(e)) => {
                let mut err = scan_error(self.src, &e);
                if e.info() == "invalid trailing content after double-quoted scalar" {
                    // libyaml's parser complains about the stray token in terms of the
                    // collection it is in.
                    err.message = match self.open.last() {
                        Some(Collection::BlockSeq) => "did not find expected '-' indicator",
                        Some(Collection::FlowSeq) => "did not find expected ',' or ']'",
                        Some(Collection::FlowMap) => "did not find expected ',' or '}'",
                        Some(Collection::BlockMap) | None => "did not find expected key",
                    }
                    .to_owned();
                }
                self.error_flow_depth = self
                    .open
                    .iter()
                    .filter(|c| matches!(c, Collection::FlowSeq | Collection::FlowMap))
                    .count();
                self.scan_error = Some(e);
                Err(err)
            }
            None => Ok((Event::StreamEnd, Span::empty(Marker::new(0, 0, 0)))),
        }
    }

    fn open_collection(&mut self, c: Collection) {
        self.open.push(c);
    }

    fn close_collection(&mut self) {
        self.open.pop();
    }

    /// libyaml's scanner reads one token past the first document's root node before go-yaml
    /// stops, so a scanner error there (a tab, a stray `: `) still fails the read, while parser
    /// complaints about what follows never happen.
    fn peek_past_root(&mut self) -> Result<(), Error> {
        match self.next() {
            Err(e) => match &self.scan_error {
                Some(raw) if !translate(raw.info()).1 => Err(e),
                _ => {
                    self.scan_error = None;
                    Ok(())
                }
            },
            Ok(_) => Ok(()),
        }
    }

    /// The next document of the stream, or `None` at its end.
    ///
    /// With `first_only`, reading stops as soon as the root node is complete, as go-yaml's
    /// `Unmarshal` does: whatever follows the first document's content (a dedented key after an
    /// indented mapping, garbage, further documents) is never examined.
    fn document(&mut self, first_only: bool) -> Result<Option<Document>, Error> {
        if !self.started {
            self.started = true;
            check_directives(self.src)?;
            if !matches!(self.next()?.0, Event::StreamStart) {
                return Err(Error::yaml(
                    "did not find expected <stream-start>".to_owned(),
                    None,
                ));
            }
        }
        loop {
            match self.next()?.0 {
                Event::StreamEnd => {
                    self.tabs.check(&self.source)?;
                    return Ok(None);
                }
                Event::DocumentStart(_) => break,
                _ => {}
            }
        }
        let mut nodes: Vec<Node> = Vec::new();
        let mut anchors: HashMap<usize, usize> = HashMap::new();
        let mut stack: Vec<Open> = Vec::new();
        let mut flow_maps: HashSet<usize> = HashSet::new();
        let mut root = None;
        loop {
            let (ev, span) = self.next()?;
            let id = nodes.len();
            let (anchor, opened) = match ev {
                Event::DocumentEnd => break,
                Event::StreamEnd => break,
                Event::Scalar(value, style, anchor, tag) => {
                    self.tabs.scalar(&span, style);
                    if style == ScalarStyle::DoubleQuoted {
                        check_escapes(&self.source, &span)?;
                    }
                    if let (Some(Open::Map(p)), true) =
                        (stack.last(), value.is_empty() && tag.is_none())
                    {
                        let expecting_key =
                            matches!(&nodes[*p].kind, Kind::Map(c) if c.len() % 2 == 0);
                        if expecting_key && style == ScalarStyle::Plain && anchor == 0 {
                            check_empty_key(&self.source, &span, flow_maps.contains(p))?;
                        }
                    }
                    let mut value = value.into_owned();
                    if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                        clip_at_eof(&self.source, &span, &mut value);
                    }
                    let tag = tag
                        .map(|t| format!("{}{}", t.handle, t.suffix))
                        .unwrap_or_default();
                    let implicit = (tag.is_empty() && style == ScalarStyle::Plain) || tag == "!";
                    nodes.push(Node {
                        kind: Kind::Scalar {
                            value,
                            tag,
                            implicit,
                        },
                    });
                    (anchor, None)
                }
                Event::SequenceStart(anchor, _) => {
                    let flow = self.source.from(span.start.index()).starts_with('[');
                    self.tabs.open(flow, &span);
                    self.open_collection(if flow {
                        Collection::FlowSeq
                    } else {
                        Collection::BlockSeq
                    });
                    nodes.push(Node {
                        kind: Kind::Seq(Vec::new()),
                    });
                    (anchor, Some(Open::Seq(id)))
                }
                Event::MappingStart(anchor, _) => {
                    let flow = self.source.from(span.start.index()).starts_with('{');
                    self.tabs.open(flow, &span);
                    self.open_collection(if flow {
                        Collection::FlowMap
                    } else {
                        Collection::BlockMap
                    });
                    if flow {
                        flow_maps.insert(id);
                    }
                    nodes.push(Node {
                        kind: Kind::Map(Vec::new()),
                    });
                    (anchor, Some(Open::Map(id)))
                }
                Event::Alias(anchor_id) => {
                    let name = self.source.span(&span).trim_start_matches('*').to_owned();
                    let Some(&target) = anchors.get(&anchor_id) else {
                        return Err(Error::yaml(
                            format!("unknown anchor '{name}' referenced"),
                            None,
                        ));
                    };
                    nodes.push(Node {
                        kind: Kind::Alias { target, name },
                    });
                    (0, None)
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    self.tabs.close(&span);
                    stack.pop();
                    self.close_collection();
                    if first_only && stack.is_empty() {
                        self.peek_past_root()?;
                        break;
                    }
                    continue;
                }
                Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
            };
            if anchor != 0 {
                anchors.insert(anchor, id);
            }
            match stack.last() {
                Some(Open::Seq(p)) | Some(Open::Map(p)) => {
                    let p = *p;
                    if let Kind::Seq(children) | Kind::Map(children) = &mut nodes[p].kind {
                        children.push(id);
                    }
                }
                None => root = Some(id),
            }
            match opened {
                Some(_) if stack.len() >= MAX_DEPTH => {
                    return Err(Error::yaml(
                        format!("exceeded max depth of {MAX_DEPTH}"),
                        None,
                    ));
                }
                Some(open) => stack.push(open),
                None if first_only && stack.is_empty() => {
                    self.peek_past_root()?;
                    break;
                }
                None => {}
            }
        }
        self.tabs.check(&self.source)?;
        Ok(Some(match root {
            Some(root) => Document { nodes, root },
            // A document with no content (only possible for odd streams) decodes as null.
            None => {
                nodes.push(Node {
                    kind: Kind::Scalar {
                        value: String::new(),
                        tag: String::new(),
                        implicit: true,
                    },
                });
                Document {
                    root: nodes.len() - 1,
                    nodes,
                }
            }
        }))
    }
}

/// Nesting deeper than this is refused: decoding, emitting and dropping values recurse, and
/// must not exhaust a thread's stack (Go's growable stacks have no such limit; real values
/// files nest a few dozen levels at most).
pub(crate) const MAX_DEPTH: usize = 400;

/// go-yaml's thresholds against alias expansion bombs ("document contains excessive aliasing").
fn allowed_alias_ratio(decode_count: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

struct Decoder<'d> {
    doc: &'d Document,
    active_aliases: HashSet<usize>,
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
}

impl<'d> Decoder<'d> {
    fn new(doc: &'d Document) -> Self {
        Decoder {
            doc,
            active_aliases: HashSet::new(),
            decode_count: 0,
            alias_count: 0,
            alias_depth: 0,
        }
    }

    fn count(&mut self) -> Result<(), Error> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err(Error::yaml(
                "document contains excessive aliasing".to_owned(),
                None,
            ));
        }
        Ok(())
    }

    fn decode(&mut self, id: usize) -> Result<Value, Error> {
        self.count()?;
        match &self.doc.nodes[id].kind {
            Kind::Alias { target, name } => {
                let target = *target;
                let name = name.clone();
                self.enter_alias(id, &name)?;
                let v = self.decode(target);
                self.leave_alias(id);
                v
            }
            Kind::Scalar {
                value,
                tag,
                implicit,
            } => decode_scalar(value, tag, *implicit),
            Kind::Seq(children) => {
                let children = children.clone();
                let mut out = Vec::with_capacity(children.len());
                for c in children {
                    out.push(self.decode(c)?);
                }
                Ok(Value::Seq(out))
            }
            Kind::Map(_) => {
                let mut entries = MapBuilder::default();
                self.map_into(id, &mut entries)?;
                Ok(Value::Map(entries.finish()))
            }
        }
    }

    fn enter_alias(&mut self, id: usize, name: &str) -> Result<(), Error> {
        if !self.active_aliases.insert(id) {
            return Err(Error::yaml(
                format!("anchor '{name}' value contains itself"),
                None,
            ));
        }
        self.alias_depth += 1;
        Ok(())
    }

    fn leave_alias(&mut self, id: usize) {
        self.alias_depth -= 1;
        self.active_aliases.remove(&id);
    }

    /// Decodes mapping `id` into an existing map, as go-yaml does for merges.
    fn map_into(&mut self, id: usize, entries: &mut MapBuilder) -> Result<(), Error> {
        let Kind::Map(children) = &self.doc.nodes[id].kind else {
            return Err(want_map());
        };
        let children = children.clone();
        for pair in children.chunks(2) {
            let (k, v) = (pair[0], pair.get(1).copied());
            let Some(v) = v else { break };
            if self.is_merge(k) {
                self.merge(v, entries)?;
                continue;
            }
            let key = self.decode(k)?;
            if matches!(key, Value::Map(_) | Value::Seq(_)) {
                return Err(Error::yaml(
                    format!("invalid map key: {}", go_syntax(&key)),
                    None,
                ));
            }
            let value = self.decode(v)?;
            entries.insert(key, value);
        }
        Ok(())
    }

    fn is_merge(&self, id: usize) -> bool {
        matches!(&self.doc.nodes[id].kind,
            Kind::Scalar { value, tag, implicit } if value == "<<" && (*implicit || tag == MERGE_TAG))
    }

    fn target_is_map(&self, alias: usize) -> bool {
        match &self.doc.nodes[alias].kind {
            Kind::Alias { target, .. } => matches!(self.doc.nodes[*target].kind, Kind::Map(_)),
            _ => false,
        }
    }

    /// Decodes the target of an alias into `entries` (merge semantics).
    fn alias_into(&mut self, id: usize, entries: &mut MapBuilder) -> Result<(), Error> {
        self.count()?;
        let Kind::Alias { target, name } = &self.doc.nodes[id].kind else {
            return Err(want_map());
        };
        let (target, name) = (*target, name.clone());
        self.enter_alias(id, &name)?;
        self.count()?;
        let r = self.map_into(target, entries);
        self.leave_alias(id);
        r
    }

    fn merge(&mut self, id: usize, entries: &mut MapBuilder) -> Result<(), Error> {
        match &self.doc.nodes[id].kind {
            Kind::Map(_) => {
                self.count()?;
                self.map_into(id, entries)
            }
            Kind::Alias { .. } => {
                if !self.target_is_map(id) {
                    return Err(want_map());
                }
                self.alias_into(id, entries)
            }
            Kind::Seq(children) => {
                let children = children.clone();
                // Earlier maps in the list win, so they are applied last.
                for &c in children.iter().rev() {
                    match &self.doc.nodes[c].kind {
                        Kind::Alias { .. } => {
                            if !self.target_is_map(c) {
                                return Err(want_map());
                            }
                            self.alias_into(c, entries)?;
                        }
                        Kind::Map(_) => {
                            self.count()?;
                            self.map_into(c, entries)?;
                        }
                        _ => return Err(want_map()),
                    }
                }
                Ok(())
            }
            Kind::Scalar { .. } => Err(want_map()),
        }
    }
}

fn want_map() -> Error {
    Error::yaml(
        "map merge requires map or sequence of maps as the value".to_owned(),
        None,
    )
}

fn decode_scalar(value: &str, tag: &str, implicit: bool) -> Result<Value, Error> {
    if tag.is_empty() && !implicit {
        return Ok(Value::String(value.to_owned()));
    }
    if tag == BINARY_TAG {
        // Go's base64 decoder skips line breaks inside the data.
        let compact: String = value.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        let data = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|_| {
                Error::yaml(
                    "!!binary value contains invalid base64 data".to_owned(),
                    None,
                )
            })?;
        return Ok(Value::String(String::from_utf8_lossy(&data).into_owned()));
    }
    let r = resolve::resolve(tag, value).map_err(|m| Error::yaml(m, None))?;
    if r.tag == TIMESTAMP_TAG {
        return Ok(Value::String(value.to_owned()));
    }
    Ok(r.value)
}

/// Decodes the first document, as `yaml.Unmarshal` into `interface{}` does.
pub(crate) fn parse_first(src: &str) -> Result<Value, Error> {
    let src = if src.is_empty() { "\n" } else { src };
    with_repairs(src, |composer| match composer.document(true)? {
        Some(doc) => Decoder::new(&doc).decode(doc.root),
        None => Ok(Value::Null),
    })
}

/// Decodes every document of a stream, as repeated `yaml.Decoder.Decode` calls do.
pub(crate) fn parse_stream(src: &str) -> Result<Vec<Value>, Error> {
    with_repairs(src, |composer| {
        let mut out = Vec::new();
        while let Some(doc) = composer.document(false)? {
            out.push(Decoder::new(&doc).decode(doc.root)?);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::String(x.to_owned())
    }

    #[test]
    fn merge_keys_apply_in_document_order() {
        // (`y` would be the boolean true in YAML 1.1, hence p and q.)
        let v = parse_first("base: &b {p: 1, q: 2}\nd:\n  q: 3\n  <<: *b\n").expect("parses");
        let d = v.get_str("d").expect("d");
        assert_eq!(d.get_str("q"), Some(&Value::Int(2)));
        let v = parse_first("base: &b {p: 1, q: 2}\nd:\n  <<: *b\n  q: 3\n").expect("parses");
        assert_eq!(
            v.get_str("d").and_then(|d| d.get_str("q")),
            Some(&Value::Int(3))
        );
    }

    #[test]
    fn errors_read_like_go_yaml() {
        let e = parse_first("a: 1\nb: 2\nc: d: e\n").expect_err("fails");
        assert_eq!(
            e.to_string(),
            "yaml: line 3: mapping values are not allowed in this context"
        );
        let e = parse_first("a: *nope\n").expect_err("fails");
        assert_eq!(e.to_string(), "yaml: unknown anchor 'nope' referenced");
        let e = parse_first("a: &a [*a]\n").expect_err("fails");
        assert_eq!(e.to_string(), "yaml: anchor 'a' value contains itself");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep: String = (0..MAX_DEPTH + 1)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect();
        let e = parse_first(&deep).expect_err("too deep");
        assert_eq!(
            e.to_string(),
            format!("yaml: exceeded max depth of {MAX_DEPTH}")
        );
        let ok: String = (0..MAX_DEPTH)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect();
        assert!(parse_first(&ok).is_ok());
    }

    #[test]
    fn first_document_only() {
        assert_eq!(parse_first("a\n---\nb\n").expect("parses"), s("a"));
        assert_eq!(
            parse_stream("a\n---\nb\n").expect("parses"),
            vec![s("a"), s("b")]
        );
        assert_eq!(parse_first("").expect("parses"), Value::Null);
    }

    #[test]
    fn unrepairable_flow_indentation_after_cr_ends_with_an_error() {
        // Fuzzer find: the repair padded the wrong line (a lone CR was not taken as a line
        // break) and every retry doubled the padding until the allocation failed.
        let err = parse_first(";&?:\n[8:\r0").expect_err("invalid");
        assert_eq!(err.to_string(), "yaml: line 4: could not find expected ':'");
    }

    #[test]
    fn flow_indentation_repair_treats_cr_as_a_line_break() {
        let lf = parse_first("a: [1,\n2]\nb: 3\n").expect("parses with LF");
        let cr = parse_first("a: [1,\r2]\rb: 3\r").expect("parses with CR");
        assert_eq!(lf, cr);
        assert_eq!(
            lf.get_str("a"),
            Some(&Value::Seq(vec![Value::Int(1), Value::Int(2)]))
        );
    }

    #[test]
    fn many_repaired_flow_collections_stay_small() {
        // Each collection needs its own repair round; the padding must not compound.
        let mut src = String::new();
        for i in 0..200 {
            src.push_str(&format!("k{i}: [1,\n2]\n"));
        }
        let v = parse_first(&src).expect("parses");
        assert_eq!(
            v.get_str("k199"),
            Some(&Value::Seq(vec![Value::Int(1), Value::Int(2)]))
        );
    }

    #[test]
    fn repaired_text_never_outgrows_its_limit() {
        assert_eq!(max_repaired_len(""), 64 * 1024);
        assert_eq!(max_repaired_len("abcd"), 16 + 64 * 1024);
    }

    #[test]
    fn bounded_random_inputs_finish_without_panicking() {
        // A deterministic stand-in for the fuzzer: short inputs over YAML's syntax characters.
        const ALPHABET: &[char] = &[
            ';', '&', '?', ':', '\n', '\r', '[', ']', '{', '}', '8', '0', ' ', '\t', '-', '#', '*',
            '!', '"', '\'', ',', '|', '>', 'a', '%', '@', '.', '<',
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let len = (next() % 24) as usize;
            let input: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let _ = parse_stream(&input);
        }
    }
}
