//! The template lexer: splits template text into Go's token kinds.
//!
//! It follows the state machine of Go's `text/template/parse/lex.go` closely because the
//! parser's error messages quote tokens and lines exactly as Go's lexer produced them. The
//! delimiters are fixed to `{{` and `}}`, which is all Helm uses.

/// The kind of a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Error,
    Bool,
    Char,
    CharConstant,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords; `is_keyword` relies on them coming last.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Kind {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            Kind::Block
                | Kind::Break
                | Kind::Continue
                | Kind::Dot
                | Kind::Define
                | Kind::Else
                | Kind::End
                | Kind::If
                | Kind::Nil
                | Kind::Range
                | Kind::Template
                | Kind::With
        )
    }
}

/// One token: its kind, text, byte offset and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Item {
    pub kind: Kind,
    pub pos: usize,
    pub val: std::rc::Rc<str>,
    pub line: usize,
}

impl std::fmt::Display for Item {
    /// The form Go's parser quotes in its messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            Kind::Eof => f.write_str("EOF"),
            Kind::Error => f.write_str(&self.val),
            k if k.is_keyword() => write!(f, "<{}>", self.val),
            _ if self.val.chars().count() > 10 => {
                let head: String = self.val.chars().take(10).collect();
                write!(f, "{}...", crate::fmt::quote(&head, false))
            }
            _ => f.write_str(&crate::fmt::quote(&self.val, false)),
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

/// Whether `c` may follow `-` in a trim marker: any space since Go 1.16, only ' ' before.
fn is_marker_space(c: u8, legacy: bool) -> bool {
    if legacy {
        c == b' '
    } else {
        is_space(char::from(c))
    }
}

fn has_left_trim(s: &str, legacy: bool) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_marker_space(b[1], legacy)
}

fn has_right_trim(s: &str, legacy: bool) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_marker_space(b[0], legacy) && b[1] == b'-'
}

/// Options that change how identifiers lex.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LexOptions {
    /// `break` is a keyword (false when a function named `break` exists).
    pub break_ok: bool,
    /// `continue` is a keyword (false when a function named `continue` exists).
    pub continue_ok: bool,
    /// Go 1.14 rules: no newlines inside actions, and trim markers need an ASCII space.
    pub legacy: bool,
}

/// Splits `input` into tokens. The list ends with an `Eof` or an `Error` token.
pub(crate) fn lex(input: &str, opts: LexOptions) -> Vec<Item> {
    let mut l = Lexer {
        input,
        pos: 0,
        start: 0,
        line_pos: 0,
        line: 1,
        items: Vec::new(),
        paren_depth: 0,
        opts,
    };
    l.run();
    l.items
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    // `line` is the line number of byte offset `line_pos`; both only move forward.
    line_pos: usize,
    line: usize,
    items: Vec<Item>,
    paren_depth: i32,
    opts: LexOptions,
}

enum State {
    Text,
    LeftDelim,
    InsideAction,
    Done,
}

impl Lexer<'_> {
    fn line_at(&mut self, pos: usize) -> usize {
        if pos >= self.line_pos {
            self.line += self.input[self.line_pos..pos].matches('\n').count();
            self.line_pos = pos;
            self.line
        } else {
            1 + self.input[..pos].matches('\n').count()
        }
    }

    fn emit(&mut self, kind: Kind) {
        let line = self.line_at(self.start);
        self.items.push(Item {
            kind,
            pos: self.start,
            val: std::rc::Rc::from(&self.input[self.start..self.pos]),
            line,
        });
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    fn error(&mut self, msg: String) -> State {
        let line = self.line_at(self.start);
        self.items.push(Item {
            kind: Kind::Error,
            pos: self.start,
            val: std::rc::Rc::from(msg),
            line,
        });
        State::Done
    }

    fn peek(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    fn run(&mut self) {
        let mut state = State::Text;
        loop {
            state = match state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::InsideAction => self.lex_inside_action(),
                State::Done => return,
            };
        }
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = self.rest().find(LEFT) {
            let delim = self.pos + x;
            let mut end = delim;
            if has_left_trim(&self.input[delim + LEFT.len()..], self.opts.legacy) {
                end = self.pos + self.input[self.pos..delim].trim_end_matches(is_space).len();
            }
            self.pos = end;
            if self.pos > self.start {
                self.emit(Kind::Text);
            }
            self.pos = delim;
            self.ignore();
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(Kind::Text);
        }
        self.emit(Kind::Eof);
        State::Done
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim(rest, self.opts.legacy) && rest[2..].starts_with(RIGHT) {
            return (true, true);
        }
        (rest.starts_with(RIGHT), false)
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += LEFT.len();
        let trim = has_left_trim(self.rest(), self.opts.legacy);
        let after_marker = if trim { 2 } else { 0 };
        if self.rest()[after_marker..].starts_with(LEFT_COMMENT) {
            self.pos += after_marker;
            self.ignore();
            return self.lex_comment();
        }
        self.emit(Kind::LeftDelim);
        self.pos += after_marker;
        self.ignore();
        self.paren_depth = 0;
        State::InsideAction
    }

    fn lex_comment(&mut self) -> State {
        self.pos += LEFT_COMMENT.len();
        let Some(i) = self.rest().find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".to_owned());
        };
        self.pos += i + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".to_owned());
        }
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            let skipped = self.rest().len() - self.rest().trim_start_matches(is_space).len();
            self.pos += skipped;
        }
        self.ignore();
        State::Text
    }

    fn lex_right_delim(&mut self) -> State {
        let trim = has_right_trim(self.rest(), self.opts.legacy);
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RIGHT.len();
        self.emit(Kind::RightDelim);
        if trim {
            let skipped = self.rest().len() - self.rest().trim_start_matches(is_space).len();
            self.pos += skipped;
            self.ignore();
        }
        State::Text
    }

    fn lex_inside_action(&mut self) -> State {
        if self.at_right_delim().0 {
            if self.paren_depth == 0 {
                return self.lex_right_delim();
            }
            return self.error("unclosed left paren".to_owned());
        }
        let Some(c) = self.next() else {
            return self.error("unclosed action".to_owned());
        };
        match c {
            '\r' | '\n' if self.opts.legacy => return self.error("unclosed action".to_owned()),
            c if is_space(c) => {
                self.pos -= c.len_utf8();
                return self.lex_space();
            }
            '=' => self.emit(Kind::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.error("expected :=".to_owned());
                }
                self.emit(Kind::Declare);
            }
            '|' => self.emit(Kind::Pipe),
            '"' => return self.lex_quote(),
            '`' => return self.lex_raw_quote(),
            '$' => return self.lex_variable(),
            '\'' => return self.lex_char(),
            '.' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => {
                return self.lex_field_or_variable(Kind::Field);
            }
            '.' | '+' | '-' | '0'..='9' => {
                self.pos -= 1;
                return self.lex_number();
            }
            c if is_alphanumeric(c) => {
                self.pos -= c.len_utf8();
                return self.lex_identifier();
            }
            '(' => {
                self.emit(Kind::LeftParen);
                self.paren_depth += 1;
            }
            ')' => {
                self.emit(Kind::RightParen);
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.error("unexpected right paren U+0029 ')'".to_owned());
                }
            }
            c if c.is_ascii() && !c.is_ascii_control() => self.emit(Kind::Char),
            c => {
                return self.error(format!(
                    "unrecognized character in action: {}",
                    unicode_name(c)
                ));
            }
        }
        State::InsideAction
    }

    fn lex_space(&mut self) -> State {
        let mut spaces = 0;
        while let Some(c) = self.peek() {
            if !is_space(c) || (self.opts.legacy && (c == '\r' || c == '\n')) {
                break;
            }
            self.pos += 1;
            spaces += 1;
        }
        // A space directly before "-}}" belongs to the trim marker.
        let before = &self.input[self.pos - 1..];
        if has_right_trim(before, self.opts.legacy) && before[2..].starts_with(RIGHT) {
            self.pos -= 1;
            if spaces == 1 {
                return State::InsideAction;
            }
        }
        self.emit(Kind::Space);
        State::InsideAction
    }

    fn lex_identifier(&mut self) -> State {
        while let Some(c) = self.peek() {
            if !is_alphanumeric(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or('\u{FFFD}');
            return self.error(format!("bad character {}", unicode_name(c)));
        }
        let word = &self.input[self.start..self.pos];
        let kind = match word {
            "block" => Kind::Block,
            "break" if self.opts.break_ok => Kind::Break,
            "continue" if self.opts.continue_ok => Kind::Continue,
            "define" => Kind::Define,
            "else" => Kind::Else,
            "end" => Kind::End,
            "if" => Kind::If,
            "range" => Kind::Range,
            "nil" => Kind::Nil,
            "template" => Kind::Template,
            "with" => Kind::With,
            "true" | "false" => Kind::Bool,
            _ => Kind::Identifier,
        };
        self.emit(kind);
        State::InsideAction
    }

    fn lex_variable(&mut self) -> State {
        if self.at_terminator() {
            self.emit(Kind::Variable);
            return State::InsideAction;
        }
        self.lex_field_or_variable(Kind::Variable)
    }

    fn lex_field_or_variable(&mut self, kind: Kind) -> State {
        if self.at_terminator() {
            self.emit(if kind == Kind::Variable {
                Kind::Variable
            } else {
                Kind::Dot
            });
            return State::InsideAction;
        }
        while let Some(c) = self.peek() {
            if !is_alphanumeric(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or('\u{FFFD}');
            self.pos += c.len_utf8();
            return self.error(format!("bad character {}", unicode_name(c)));
        }
        self.emit(kind);
        State::InsideAction
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.rest().starts_with(RIGHT),
        }
    }

    fn lex_char(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.error("unterminated character constant".to_owned());
                    }
                    Some(_) => {}
                },
                Some('\n') | None => {
                    return self.error("unterminated character constant".to_owned());
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::CharConstant);
        State::InsideAction
    }

    fn lex_number(&mut self) -> State {
        if !self.scan_number() {
            let text = self.input[self.start..self.pos].to_owned();
            return self.error(format!(
                "bad number syntax: {}",
                crate::fmt::quote(&text, false)
            ));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            // A complex constant such as 1+2i.
            let ok = self.scan_number() && self.input[..self.pos].ends_with('i');
            let text = self.input[self.start..self.pos].to_owned();
            if !ok {
                return self.error(format!(
                    "bad number syntax: {}",
                    crate::fmt::quote(&text, false)
                ));
            }
            return self.error(format!("not implemented: complex constant {text}"));
        }
        self.emit(Kind::Number);
        State::InsideAction
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alphanumeric) {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.error("unterminated quoted string".to_owned());
                    }
                    Some(_) => {}
                },
                Some('\n') | None => return self.error("unterminated quoted string".to_owned()),
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::String);
        State::InsideAction
    }

    fn lex_raw_quote(&mut self) -> State {
        loop {
            match self.next() {
                None => return self.error("unterminated raw quoted string".to_owned()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::RawString);
        State::InsideAction
    }
}

/// Go's `%#U` of a rune: `U+0021 '!'`.
pub(crate) fn unicode_name(c: char) -> String {
    if crate::fmt::is_print(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: LexOptions = LexOptions {
        break_ok: true,
        continue_ok: true,
        legacy: false,
    };

    fn kinds(input: &str) -> Vec<(Kind, String)> {
        lex(input, OPTS)
            .into_iter()
            .map(|i| (i.kind, i.val.to_string()))
            .collect()
    }

    use Kind::{
        Bool, Char, CharConstant, Declare, Dot, Else, End, Eof, Field, Identifier, LeftDelim, Nil,
        Number, Pipe, Range, RawString, RightDelim, Space, Text, Variable,
    };

    fn k(kind: Kind, v: &str) -> (Kind, String) {
        (kind, v.to_owned())
    }

    #[test]
    fn lexes_text_and_actions() {
        assert_eq!(
            kinds("now is the time"),
            vec![k(Text, "now is the time"), k(Eof, "")]
        );
        assert_eq!(
            kinds("{{.Values.x | quote}}"),
            vec![
                k(LeftDelim, "{{"),
                k(Field, ".Values"),
                k(Field, ".x"),
                k(Space, " "),
                k(Pipe, "|"),
                k(Space, " "),
                k(Identifier, "quote"),
                k(RightDelim, "}}"),
                k(Eof, "")
            ]
        );
    }

    #[test]
    fn trims_space_around_markers() {
        assert_eq!(
            kinds("a \n {{- 3 -}} \n b"),
            vec![
                k(Text, "a"),
                k(LeftDelim, "{{"),
                k(Number, "3"),
                k(RightDelim, "}}"),
                k(Text, "b"),
                k(Eof, "")
            ]
        );
        assert_eq!(
            kinds("x {{- /* c */ -}} y"),
            vec![k(Text, "x"), k(Text, "y"), k(Eof, "")]
        );
    }

    #[test]
    fn lexes_literals_and_keywords() {
        let items = kinds(r#"{{range $i, $v := .}}{{'a' 1.5 0x1F "s\"" `r` nil true else end}}"#);
        let got: Vec<Kind> = items
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| *k != Space)
            .collect();
        assert_eq!(
            got,
            vec![
                LeftDelim,
                Range,
                Variable,
                Char,
                Variable,
                Declare,
                Dot,
                RightDelim,
                LeftDelim,
                CharConstant,
                Number,
                Number,
                Kind::String,
                RawString,
                Nil,
                Bool,
                Else,
                End,
                RightDelim,
                Eof
            ]
        );
    }

    #[test]
    fn reports_errors() {
        let last = |s: &str| {
            lex(s, OPTS)
                .pop()
                .map(|i| i.val.to_string())
                .unwrap_or_default()
        };
        assert_eq!(last("{{"), "unclosed action");
        assert_eq!(last("{{ \"x"), "unterminated quoted string");
        assert_eq!(last("{{ `x"), "unterminated raw quoted string");
        assert_eq!(last("{{ 'x"), "unterminated character constant");
        assert_eq!(last("{{ 3k }}"), "bad number syntax: \"3k\"");
        assert_eq!(last("{{/* x"), "unclosed comment");
        assert_eq!(
            last("{{/* x */ }}"),
            "comment ends before closing delimiter"
        );
        assert_eq!(last("{{ ( }}"), "unclosed left paren");
        assert_eq!(last("{{ ) }}"), "unexpected right paren U+0029 ')'");
        assert_eq!(
            last("{{ \u{1} }}"),
            "unrecognized character in action: U+0001"
        );
        assert_eq!(last("{{ .a# }}"), "bad character U+0023 '#'");
    }

    #[test]
    fn counts_lines() {
        let items = lex("a\nb{{\n.x}}\n{{.y}}", OPTS);
        let y = items.iter().find(|i| &*i.val == ".y").map(|i| i.line);
        assert_eq!(y, Some(4));
    }
}
