//! The template parser: builds [`crate::node`] trees from tokens, with Go's error messages.
//!
//! One call parses one text into its top-level tree plus one tree per `{{define}}` and
//! `{{block}}`, checking function names against the function map at parse time as Go does.

use std::collections::HashMap;
use std::rc::Rc;

use crate::lex::{Item, Kind, LexOptions, lex};
use crate::node::{
    ActionNode, Arg, BranchKind, BranchNode, CommandNode, ListNode, Node, NumberNode, PipeNode,
    TemplateNode, VariableRef, is_empty_list,
};

/// A parse error, printed as Go prints it: `template: NAME:LINE: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template: {name}:{line}: {message}")]
pub struct ParseError {
    /// The name of the template being parsed.
    pub name: String,
    /// The line of the last token read.
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

/// One parsed template.
#[derive(Debug)]
pub struct Tree {
    /// The template's name (the `define` name for definitions).
    pub name: String,
    /// The name of the top-level template whose text contained this tree; error positions are
    /// reported against it.
    pub parse_name: Rc<str>,
    /// The whole text that was parsed, for `LINE:COL` computation.
    pub text: Rc<str>,
    /// The body.
    pub root: ListNode,
}

impl Tree {
    /// `NAME:LINE:COL` of a byte offset, as Go's `ErrorContext` computes it.
    pub fn location(&self, pos: usize) -> String {
        let pos = pos.min(self.text.len());
        let before = &self.text.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|b| **b == b'\n').count();
        let col = match before.iter().rposition(|b| *b == b'\n') {
            Some(i) => pos - i - 1,
            None => pos,
        };
        format!("{}:{line}:{col}", self.parse_name)
    }
}

/// Parses `text` as template `name`. Returns the trees in definition order (the top-level tree
/// last), applying Go's rule that two non-empty definitions of one name in the same text
/// conflict.
pub(crate) fn parse(
    name: &str,
    text: &str,
    has_function: &dyn Fn(&str) -> bool,
    legacy: bool,
) -> Result<Vec<Tree>, ParseError> {
    let opts = LexOptions {
        break_ok: !legacy && !has_function("break"),
        continue_ok: !legacy && !has_function("continue"),
        legacy,
    };
    let items = lex(text, opts);
    let text_rc: Rc<str> = Rc::from(text);
    let parse_name: Rc<str> = Rc::from(name);
    let mut p = Parser {
        items,
        i: 0,
        furthest: 0,
        name: name.to_owned(),
        vars: vec!["$".to_owned()],
        range_depth: 0,
        action_line: 0,
        has_function,
        trees: Vec::new(),
        text: text_rc,
        parse_name,
        legacy,
        depth: 0,
    };
    let root = p.parse_top()?;
    p.add_tree(name.to_owned(), root)?;
    Ok(p.trees)
}

struct Parser<'a> {
    items: Vec<Item>,
    i: usize,
    furthest: usize,
    /// The name of the tree being parsed (changes inside `define`).
    name: String,
    vars: Vec<String>,
    range_depth: usize,
    action_line: usize,
    has_function: &'a dyn Fn(&str) -> bool,
    trees: Vec<Tree>,
    text: Rc<str>,
    parse_name: Rc<str>,
    /// Go 1.14 wording: lexer errors are reported as "unexpected ERROR in CONTEXT".
    legacy: bool,
    /// Current nesting of controls and parentheses.
    depth: usize,
}

/// Maximum nesting of control structures and parenthesized pipelines in one template.
pub const MAX_NESTING: usize = 100;

/// What ends an item list.
enum Stop {
    End,
    Else { pos: usize },
}

/// What `text_or_action` produced.
enum Parsed {
    Node(Node),
    End,
    Else { pos: usize },
}

type PResult<T> = Result<T, ParseError>;

impl Parser<'_> {
    fn item(&self, i: usize) -> Item {
        let last = self.items.len().saturating_sub(1);
        self.items.get(i.min(last)).cloned().unwrap_or(Item {
            kind: Kind::Eof,
            pos: 0,
            val: Rc::from(""),
            line: 1,
        })
    }

    fn next(&mut self) -> Item {
        let it = self.item(self.i);
        self.furthest = self.furthest.max(self.i);
        if self.i < self.items.len() {
            self.i += 1;
        }
        it
    }

    fn backup(&mut self) {
        self.i = self.i.saturating_sub(1);
    }

    fn peek(&mut self) -> Item {
        self.furthest = self.furthest.max(self.i);
        self.item(self.i)
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let it = self.next();
            if it.kind != Kind::Space {
                return it;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let it = self.next_non_space();
        self.backup();
        it
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            name: self.parse_name.to_string(),
            line: self.item(self.furthest).line,
            message: message.into(),
        }
    }

    fn unexpected(&self, token: &Item, context: &str) -> ParseError {
        if token.kind == Kind::Error && !self.legacy {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if token.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_owned();
                }
            }
            return self.error(format!("{token}{extra}"));
        }
        self.error(format!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> PResult<Item> {
        let token = self.next_non_space();
        if token.kind != kind {
            return Err(self.unexpected(&token, context));
        }
        Ok(token)
    }

    fn add_tree(&mut self, name: String, root: ListNode) -> PResult<()> {
        if let Some(idx) = self.trees.iter().position(|t| t.name == name) {
            if !is_empty_list(&self.trees[idx].root) {
                if !is_empty_list(&root) {
                    return Err(self.error(format!(
                        "template: multiple definition of template {}",
                        crate::fmt::quote(&name, false)
                    )));
                }
                return Ok(());
            }
            self.trees.remove(idx);
        }
        self.trees.push(Tree {
            name,
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root,
        });
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<ListNode> {
        let mut root = ListNode {
            pos: self.peek().pos,
            nodes: Vec::new(),
        };
        while self.peek().kind != Kind::Eof {
            if self.peek().kind == Kind::LeftDelim {
                let save = self.i;
                self.next();
                if self.next_non_space().kind == Kind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.i = save;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.nodes.push(n),
                Parsed::End => return Err(self.error("unexpected {{end}}")),
                Parsed::Else { .. } => return Err(self.error("unexpected {{else}}")),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let token = self.next_non_space();
        if token.kind != Kind::String && token.kind != Kind::RawString {
            return Err(self.unexpected(&token, CONTEXT));
        }
        let name = unquote(&token.val).map_err(|e| self.error(e))?;
        self.expect(Kind::RightDelim, CONTEXT)?;
        let outer_name = std::mem::replace(&mut self.name, name.clone());
        let outer_vars = std::mem::replace(&mut self.vars, vec!["$".to_owned()]);
        let (list, stop) = self.item_list()?;
        if let Stop::Else { .. } = stop {
            return Err(self.error(format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add_tree(name, list)?;
        self.name = outer_name;
        self.vars = outer_vars;
        Ok(())
    }

    fn item_list(&mut self) -> PResult<(ListNode, Stop)> {
        let mut list = ListNode {
            pos: self.peek_non_space().pos,
            nodes: Vec::new(),
        };
        while self.peek_non_space().kind != Kind::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.nodes.push(n),
                Parsed::End => return Ok((list, Stop::End)),
                Parsed::Else { pos } => return Ok((list, Stop::Else { pos })),
            }
        }
        Err(self.error("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.kind {
            Kind::Text => Ok(Parsed::Node(Node::Text {
                pos: token.pos,
                text: token.val.to_string(),
            })),
            Kind::LeftDelim => {
                self.action_line = token.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.kind {
            Kind::Block => return self.block_control().map(Parsed::Node),
            Kind::Break | Kind::Continue => {
                let what = if token.kind == Kind::Break {
                    "break"
                } else {
                    "continue"
                };
                let t = self.next_non_space();
                if t.kind != Kind::RightDelim {
                    return Err(self.unexpected(&t, &format!("{{{{{what}}}}}")));
                }
                if self.range_depth == 0 {
                    return Err(self.error(format!("{{{{{what}}}}} outside {{{{range}}}}")));
                }
                return Ok(Parsed::Node(if token.kind == Kind::Break {
                    Node::Break { pos: token.pos }
                } else {
                    Node::Continue { pos: token.pos }
                }));
            }
            Kind::Else => {
                let peek = self.peek_non_space();
                if peek.kind == Kind::If || peek.kind == Kind::With {
                    return Ok(Parsed::Else { pos: peek.pos });
                }
                let t = self.expect(Kind::RightDelim, "else")?;
                return Ok(Parsed::Else { pos: t.pos });
            }
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            Kind::If => return self.control(BranchKind::If).map(Parsed::Node),
            Kind::Range => return self.control(BranchKind::Range).map(Parsed::Node),
            Kind::With => return self.control(BranchKind::With).map(Parsed::Node),
            Kind::Template => return self.template_control().map(Parsed::Node),
            _ => {}
        }
        self.backup();
        let token = self.peek();
        let pipe = self.pipeline("command", Kind::RightDelim)?;
        Ok(Parsed::Node(Node::Action(ActionNode {
            pos: token.pos,
            line: token.line,
            pipe,
        })))
    }

    fn control(&mut self, kind: BranchKind) -> PResult<Node> {
        let context = match kind {
            BranchKind::If => "if",
            BranchKind::Range => "range",
            BranchKind::With => "with",
        };
        self.enter()?;
        let saved_vars = self.vars.len();
        let result = stacker::maybe_grow(
            crate::exec::STACK_RED_ZONE,
            crate::exec::STACK_SEGMENT,
            || self.control_inner(kind, context),
        );
        self.vars.truncate(saved_vars);
        self.depth -= 1;
        result
    }

    /// Counts one level of nesting (a control structure or a parenthesized pipeline). Parsing,
    /// executing and dropping a tree all recurse along its nesting, so it is bounded well below
    /// what a thread's stack holds; real charts nest a handful of levels.
    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_NESTING {
            return Err(self.error("max expression depth exceeded"));
        }
        self.depth += 1;
        Ok(())
    }

    fn control_inner(&mut self, kind: BranchKind, context: &str) -> PResult<Node> {
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        if kind == BranchKind::Range {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if kind == BranchKind::Range {
            self.range_depth -= 1;
        }
        let (list, stop) = listed?;
        let mut else_list = None;
        if let Stop::Else { pos } = stop {
            let chained = match kind {
                BranchKind::If => self.peek().kind == Kind::If,
                BranchKind::With => self.peek().kind == Kind::With,
                BranchKind::Range => false,
            };
            if chained {
                // `{{else if ...}}` / `{{else with ...}}`: a nested control that consumes the
                // shared `{{end}}`.
                self.next();
                let inner = self.control(kind)?;
                else_list = Some(ListNode {
                    pos,
                    nodes: vec![inner],
                });
            } else {
                let (l, stop) = self.item_list()?;
                if let Stop::Else { .. } = stop {
                    return Err(self.error("expected end; found {{else}}"));
                }
                else_list = Some(l);
            }
        }
        Ok(Node::Branch(BranchNode {
            kind,
            pos: pipe.pos,
            line: pipe.line,
            pipe,
            list,
            else_list,
        }))
    }

    fn template_name(&self, token: &Item, context: &str) -> PResult<String> {
        match token.kind {
            Kind::String | Kind::RawString => unquote(&token.val).map_err(|e| self.error(e)),
            _ => Err(self.unexpected(token, context)),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().kind != Kind::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, Kind::RightDelim)?);
        }
        Ok(Node::Template(TemplateNode {
            pos: token.pos,
            line: token.line,
            name,
            pipe,
        }))
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, Kind::RightDelim)?;
        let outer_name = std::mem::replace(&mut self.name, name.clone());
        let outer_vars = std::mem::replace(&mut self.vars, vec!["$".to_owned()]);
        let outer_range = std::mem::replace(&mut self.range_depth, 0);
        let (list, stop) = self.item_list()?;
        if let Stop::Else { .. } = stop {
            return Err(self.error(format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add_tree(name.clone(), list)?;
        self.name = outer_name;
        self.vars = outer_vars;
        self.range_depth = outer_range;
        Ok(Node::Template(TemplateNode {
            pos: token.pos,
            line: token.line,
            name,
            pipe: Some(pipe),
        }))
    }

    fn pipeline(&mut self, context: &str, end: Kind) -> PResult<PipeNode> {
        let token = self.peek_non_space();
        let mut pipe = PipeNode {
            pos: token.pos,
            line: token.line,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        loop {
            let v = self.peek_non_space();
            if v.kind != Kind::Variable {
                break;
            }
            let before = self.i;
            self.next_non_space();
            let after_variable = self.peek();
            let next = self.peek_non_space();
            if next.kind == Kind::Assign || next.kind == Kind::Declare {
                pipe.is_assign = next.kind == Kind::Assign;
                self.next_non_space();
                pipe.decl.push(VariableRef {
                    pos: v.pos,
                    name: v.val.to_string(),
                });
                self.vars.push(v.val.to_string());
            } else if next.kind == Kind::Char && &*next.val == "," {
                self.next_non_space();
                pipe.decl.push(VariableRef {
                    pos: v.pos,
                    name: v.val.to_string(),
                });
                self.vars.push(v.val.to_string());
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().kind {
                        Kind::Variable | Kind::RightDelim | Kind::RightParen => continue,
                        _ => return Err(self.error("range can only initialize variables")),
                    }
                }
                return Err(self.error(format!("too many declarations in {context}")));
            } else {
                let _ = after_variable;
                self.i = before;
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            match token.kind {
                k if k == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                Kind::Bool
                | Kind::CharConstant
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &PipeNode, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.error(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Arg::Bool { .. }
                        | Arg::Dot { .. }
                        | Arg::Nil { .. }
                        | Arg::Number(_)
                        | Arg::String { .. }
                )
            ) {
                return Err(self.error(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<CommandNode> {
        let mut cmd = CommandNode {
            pos: self.peek_non_space().pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let token = self.next();
            match token.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                // Go 1.14 reported a lexer error met here as its bare message.
                Kind::Error if self.legacy => return Err(self.error(token.val.to_string())),
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.error("empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Kind::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().kind == Kind::Field {
            let f = self.next();
            fields.push(f.val[1..].to_owned());
        }
        let node = match node {
            // Go folds `.A` followed by `.B` into one field node at the chain's position.
            Arg::Field { mut ident, .. } => {
                ident.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    ident,
                }
            }
            Arg::Variable { mut ident, .. } => {
                ident.extend(fields);
                Arg::Variable {
                    pos: chain_pos,
                    ident,
                }
            }
            Arg::Bool { .. }
            | Arg::String { .. }
            | Arg::Number(_)
            | Arg::Nil { .. }
            | Arg::Dot { .. } => {
                return Err(self.error(format!(
                    "unexpected . after term {}",
                    crate::fmt::quote(&node.to_string(), false)
                )));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields,
            },
        };
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        let pos = token.pos;
        let arg = match token.kind {
            Kind::Identifier => {
                if !(self.has_function)(&token.val) {
                    return Err(self.error(format!(
                        "function {} not defined",
                        crate::fmt::quote(&token.val, false)
                    )));
                }
                Arg::Identifier {
                    pos,
                    name: token.val.to_string(),
                }
            }
            Kind::Dot => Arg::Dot { pos },
            Kind::Nil => Arg::Nil { pos },
            Kind::Variable => {
                let ident: Vec<String> = token.val.split('.').map(str::to_owned).collect();
                if !self.vars.iter().any(|v| *v == ident[0]) {
                    return Err(self.error(format!(
                        "undefined variable {}",
                        crate::fmt::quote(&ident[0], false)
                    )));
                }
                Arg::Variable { pos, ident }
            }
            Kind::Field => Arg::Field {
                pos,
                ident: vec![token.val[1..].to_owned()],
            },
            Kind::Bool => Arg::Bool {
                pos,
                val: &*token.val == "true",
            },
            Kind::CharConstant | Kind::Number => {
                let n = parse_number(pos, &token.val, token.kind == Kind::CharConstant)
                    .map_err(|e| self.error(e))?;
                Arg::Number(n)
            }
            Kind::LeftParen => {
                self.enter()?;
                let pipe = stacker::maybe_grow(
                    crate::exec::STACK_RED_ZONE,
                    crate::exec::STACK_SEGMENT,
                    || self.pipeline("parenthesized pipeline", Kind::RightParen),
                );
                self.depth -= 1;
                Arg::Pipe(Box::new(pipe?))
            }
            Kind::String | Kind::RawString => {
                let text = unquote(&token.val).map_err(|e| self.error(e))?;
                Arg::String {
                    pos,
                    quoted: token.val.to_string(),
                    text,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(arg))
    }
}

/// `strconv.Unquote` for the quoted and raw strings the lexer produces.
pub(crate) fn unquote(s: &str) -> Result<String, String> {
    const SYNTAX: &str = "invalid syntax";
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') {
        return Ok(s[1..s.len() - 1].replace('\r', ""));
    }
    if s.len() < 2 || !s.starts_with('"') || !s.ends_with('"') {
        return Err(SYNTAX.to_owned());
    }
    let mut rest = &s[1..s.len() - 1];
    let mut out = String::with_capacity(rest.len());
    while !rest.is_empty() {
        let (c, tail) = unquote_char(rest, '"').ok_or_else(|| SYNTAX.to_owned())?;
        out.push(c);
        rest = tail;
    }
    Ok(out)
}

/// `strconv.UnquoteChar`: decodes one (possibly escaped) character of a quoted literal.
/// Byte escapes above 0x7f cannot be represented in a Rust string and decode to U+FFFD.
fn unquote_char(s: &str, quote: char) -> Option<(char, &str)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if c == quote && (quote == '\'' || quote == '"') {
        return None;
    }
    if c != '\\' {
        return Some((c, chars.as_str()));
    }
    let e = chars.next()?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '\'' | '"' if e == quote => Some(e),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((c, rest));
    }
    let (n, radix) = match e {
        'x' => (2, 16),
        'u' => (4, 16),
        'U' => (8, 16),
        '0'..='7' => (2, 8),
        _ => return None,
    };
    if radix == 8 {
        let digits = rest.get(..2)?;
        let v = u32::from_str_radix(&format!("{e}{digits}"), 8).ok()?;
        if v > 255 {
            return None;
        }
        return Some((byte_char(v), &rest[2..]));
    }
    let digits = rest.get(..n)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let v = u32::from_str_radix(digits, 16).ok()?;
    let c = if e == 'x' {
        byte_char(v)
    } else {
        char::from_u32(v)?
    };
    Some((c, &rest[n..]))
}

fn byte_char(v: u32) -> char {
    if v < 0x80 {
        char::from_u32(v).unwrap_or('\u{FFFD}')
    } else {
        '\u{FFFD}'
    }
}

/// Removes Go's digit-separating underscores, checking they are well placed.
fn strip_underscores(digits: &str) -> Option<String> {
    if !digits.contains('_') {
        return Some(digits.to_owned());
    }
    let b = digits.as_bytes();
    for (i, c) in b.iter().enumerate() {
        if *c == b'_' {
            let prev_ok = i > 0 && b[i - 1].is_ascii_hexdigit();
            let next_ok = i + 1 < b.len() && b[i + 1].is_ascii_hexdigit();
            if !prev_ok || !next_ok {
                return None;
            }
        }
    }
    Some(digits.replace('_', ""))
}

/// `strconv.ParseUint(s, 0, 64)` without a sign.
fn parse_uint_base0(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    // Underscores may directly follow a base prefix ("0x_1F").
    let digits = if prefixed {
        digits.strip_prefix('_').unwrap_or(digits)
    } else {
        digits
    };
    let digits = strip_underscores(digits)?;
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint_base0(body)?;
    if neg {
        if u <= (i64::MAX as u64) + 1 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// `strconv.ParseFloat(s, 64)` for decimal and hexadecimal literals.
fn parse_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let v = if let Some(hex) = lower.strip_prefix("0x") {
        let hex = strip_underscores(hex.strip_prefix('_').unwrap_or(hex))?;
        let (mant, exp) = match hex.split_once('p') {
            Some((m, e)) => (m.to_owned(), e.parse::<i32>().ok()?),
            None => return None,
        };
        let (int_part, frac_part) = mant.split_once('.').unwrap_or((&mant, ""));
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let mut v = 0f64;
        for c in int_part.chars().chain(frac_part.chars()) {
            v = v * 16.0 + f64::from(c.to_digit(16)?);
        }
        v * 2f64.powi(exp - 4 * frac_part.len() as i32)
    } else {
        let clean = strip_underscores(&lower)?;
        if !clean
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-'))
        {
            return None;
        }
        clean.parse::<f64>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// Builds a number node the way Go's parser does: every representation (int, uint, float) that
/// the text admits exactly.
pub(crate) fn parse_number(pos: usize, text: &str, is_char: bool) -> Result<NumberNode, String> {
    let mut n = NumberNode {
        pos,
        text: text.to_owned(),
        ..NumberNode::default()
    };
    if is_char {
        let inner = &text[1..];
        let (c, tail) = unquote_char(inner, '\'').ok_or_else(|| "invalid syntax".to_owned())?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        let v = c as u32;
        n.is_int = true;
        n.int = i64::from(v);
        n.is_uint = true;
        n.uint = u64::from(v);
        n.is_float = true;
        n.float = f64::from(v);
        return Ok(n);
    }
    if text.ends_with('i') {
        return Err(format!("not implemented: imaginary constant {text}"));
    }
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    if !unsigned.starts_with('-')
        && let Some(u) = parse_uint_base0(unsigned)
    {
        n.is_uint = true;
        n.uint = u;
    }
    if let Some(i) = parse_int_base0(text) {
        n.is_int = true;
        n.int = i;
        if i == 0 {
            n.is_uint = true;
            n.uint = 0;
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float = n.int as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float = n.uint as f64;
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!(
                "integer overflow: {}",
                crate::fmt::quote(text, false)
            ));
        }
        n.is_float = true;
        n.float = f;
        if f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
            n.is_int = true;
            n.int = f as i64;
        }
        if f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(&f) {
            n.is_uint = true;
            n.uint = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!(
            "illegal number syntax: {}",
            crate::fmt::quote(text, false)
        ));
    }
    Ok(n)
}

/// Collects trees by name, for tests and tools that only need parsing.
pub fn parse_to_map(
    name: &str,
    text: &str,
    has_function: &dyn Fn(&str) -> bool,
) -> Result<HashMap<String, Rc<Tree>>, ParseError> {
    Ok(parse(name, text, has_function, false)?
        .into_iter()
        .map(|t| (t.name.clone(), Rc::new(t)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn funcs(name: &str) -> bool {
        matches!(name, "printf" | "quote" | "eq" | "len" | "index")
    }

    fn show(text: &str) -> Result<String, String> {
        let trees = parse("t", text, &funcs, false).map_err(|e| e.to_string())?;
        let top = trees
            .iter()
            .find(|t| t.name == "t")
            .map(|t| t.root.to_string())
            .unwrap_or_default();
        Ok(top)
    }

    #[test]
    fn round_trips_like_go() {
        let cases = [
            ("", ""),
            ("{{/*\n\n\n*/}}", ""),
            (" \t\n", " \t\n"),
            ("some text", "some text"),
            ("{{}}", "ERR"),
            ("{{.X}}", "{{.X}}"),
            ("{{printf}}", "{{printf}}"),
            ("{{$}}", "{{$}}"),
            (
                "{{with $x := 3}}{{$x 23}}{{end}}",
                "{{with $x := 3}}{{$x 23}}{{end}}",
            ),
            ("{{$.I}}", "{{$.I}}"),
            ("{{printf `%d` 23}}", "{{printf `%d` 23}}"),
            ("{{.X|.Y}}", "{{.X | .Y}}"),
            ("{{$x := .X|.Y}}", "{{$x := .X | .Y}}"),
            ("{{(.X).Y}}", "{{(.X).Y}}"),
            ("{{(.X .Y) .Z}}", "{{(.X .Y) .Z}}"),
            ("{{if .X}}hello{{end}}", "{{if .X}}hello{{end}}"),
            (
                "{{if .X}}true{{else}}false{{end}}",
                "{{if .X}}true{{else}}false{{end}}",
            ),
            (
                "{{if .X}}1{{else if .Y}}2{{end}}",
                "{{if .X}}1{{else}}{{if .Y}}2{{end}}{{end}}",
            ),
            ("{{range .X}}hello{{end}}", "{{range .X}}hello{{end}}"),
            (
                "{{range $x := .SI}}{{.}}{{end}}",
                "{{range $x := .SI}}{{.}}{{end}}",
            ),
            (
                "{{range $x, $y := .SI}}{{.}}{{end}}",
                "{{range $x, $y := .SI}}{{.}}{{end}}",
            ),
            (
                "{{range .X}}{{break}}{{continue}}{{end}}",
                "{{range .X}}{{break}}{{continue}}{{end}}",
            ),
            ("{{template `x`}}", "{{template \"x\"}}"),
            ("{{template `x` .Y}}", "{{template \"x\" .Y}}"),
            (
                "{{with .X}}a{{else with .Y}}b{{end}}",
                "{{with .X}}a{{else}}{{with .Y}}b{{end}}{{end}}",
            ),
            ("{{printf \"%d\" ( 1 ) }}", "{{printf \"%d\" (1)}}"),
            ("{{.X.Y.Z}}", "{{.X.Y.Z}}"),
            ("{{(index . 1).b.c}}", "{{(index . 1).b.c}}"),
            (
                "{{'a' 0x1F 1e3 -1.5 0b101 0o17 1_000}}",
                "{{'a' 0x1F 1e3 -1.5 0b101 0o17 1_000}}",
            ),
        ];
        for (input, want) in cases {
            let got = show(input);
            if want == "ERR" {
                assert!(got.is_err(), "{input:?} should fail, got {got:?}");
            } else {
                assert_eq!(got.as_deref(), Ok(want), "input {input:?}");
            }
        }
    }

    #[test]
    fn errors_like_go() {
        let cases = [
            ("{{}}", "template: t:1: missing value for command"),
            ("{{.X", "template: t:1: unclosed action"),
            ("{{nope}}", "template: t:1: function \"nope\" not defined"),
            ("{{end}}", "template: t:1: unexpected {{end}}"),
            ("{{else}}", "template: t:1: unexpected {{else}}"),
            ("{{if .X}}", "template: t:1: unexpected EOF"),
            (
                "{{range .X}}{{else if .Y}}{{end}}",
                "template: t:1: unexpected <if> in input",
            ),
            ("{{$x}}", "template: t:1: undefined variable \"$x\""),
            (
                "{{with $x := 4}}{{end}}{{$x}}",
                "template: t:1: undefined variable \"$x\"",
            ),
            (
                "{{template .X}}",
                "template: t:1: unexpected \".X\" in template clause",
            ),
            (
                "{{define \"a\"}}a{{end}}{{define \"a\"}}b{{end}}",
                "template: t:1: template: multiple definition of template \"a\"",
            ),
            (
                "{{.X | 3}}",
                "template: t:1: non executable command in pipeline stage 2",
            ),
            ("{{3.X}}", "template: t:1: bad number syntax: \"3.X\""),
            (
                "{{true.X}}",
                "template: t:1: unexpected . after term \"true\"",
            ),
            (
                "{{\"a\".X}}",
                "template: t:1: unexpected . after term \"\\\"a\\\"\"",
            ),
            ("{{break}}", "template: t:1: {{break}} outside {{range}}"),
            (
                "{{range .X}}{{break 1}}{{end}}",
                "template: t:1: unexpected \"1\" in {{break}}",
            ),
            (
                "{{range $a, $b, $c := .X}}{{end}}",
                "template: t:1: too many declarations in range",
            ),
            (
                "{{$a, $b := 1}}",
                "template: t:1: too many declarations in command",
            ),
            (
                "{{99999999999999999999}}",
                "template: t:1: integer overflow: \"99999999999999999999\"",
            ),
            (
                "{{'ab'}}",
                "template: t:1: malformed character constant: 'ab'",
            ),
            ("{{\"\\z\"}}", "template: t:1: invalid syntax"),
            ("\n\n{{if .X\n}}", "template: t:4: unexpected EOF"),
            ("{{(1}}", "template: t:1: unclosed left paren"),
            ("{{.X\n\n", "template: t:3: unclosed action started at t:1"),
            (
                "a\n{{ .X\n\n.Y (",
                "template: t:4: unclosed action started at t:2",
            ),
        ];
        for (input, want) in cases {
            let got = show(input);
            assert_eq!(got, Err(want.to_owned()), "input {input:?}");
        }
    }

    #[test]
    fn defines_and_empty_redefinition() {
        let trees = parse(
            "t",
            "{{define \"a\"}}x{{end}}{{define \"a\"}}  {{end}}top",
            &funcs,
            false,
        )
        .unwrap();
        let a = trees.iter().find(|t| t.name == "a").unwrap();
        assert_eq!(a.root.to_string(), "x");
        assert_eq!(a.parse_name.as_ref(), "t");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "{{{{ {}1{} }}}}",
            "(".repeat(MAX_NESTING + 1),
            ")".repeat(MAX_NESTING + 1)
        );
        assert_eq!(
            show(&deep),
            Err("template: t:1: max expression depth exceeded".to_owned())
        );
        let ifs = format!(
            "{}x{}",
            "{{if 1}}".repeat(MAX_NESTING + 1),
            "{{end}}".repeat(MAX_NESTING + 1)
        );
        assert_eq!(
            show(&ifs),
            Err("template: t:1: max expression depth exceeded".to_owned())
        );
        let ok = format!(
            "{}x{}",
            "{{if 1}}".repeat(MAX_NESTING),
            "{{end}}".repeat(MAX_NESTING)
        );
        assert!(show(&ok).is_ok());
    }

    #[test]
    fn numbers() {
        let n = parse_number(0, "0x1F", false).unwrap();
        assert!(n.is_int && n.int == 31);
        let n = parse_number(0, "1e3", false).unwrap();
        assert!(n.is_float && n.is_int && n.int == 1000);
        let n = parse_number(0, "'\\n'", true).unwrap();
        assert_eq!(n.int, 10);
        let n = parse_number(0, "0x1p-2", false).unwrap();
        assert_eq!(n.float, 0.25);
        assert!(parse_number(0, "1__0", false).is_err());
        assert_eq!(parse_number(0, "-0", false).unwrap().int, 0);
        assert_eq!(parse_number(0, "0777", false).unwrap().int, 511);
    }

    #[test]
    fn location_is_line_and_byte_column() {
        let trees = parse("t", "a\nbc{{.X}}", &funcs, false).unwrap();
        assert_eq!(trees[0].location(5), "t:2:3");
    }
}
