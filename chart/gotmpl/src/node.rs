//! The parse tree: Go's `text/template/parse` node types.
//!
//! Every node keeps its byte offset in the template text, from which execution errors compute
//! `LINE:COL`, and prints back as Go's `String()` methods do, because execution errors quote
//! the node they failed at (`executing "x" at <.Values.a.b>`).

use std::fmt;

/// A sequence of nodes: the body of a template, an `if` branch, a `range` body, ...
#[derive(Debug, Clone, Default)]
pub struct ListNode {
    /// Byte offset in the template text.
    pub pos: usize,
    /// The nodes, in order.
    pub nodes: Vec<Node>,
}

/// A statement-level node.
#[derive(Debug, Clone)]
pub enum Node {
    /// Plain text, copied to the output.
    Text { pos: usize, text: String },
    /// A `{{/* comment */}}` (kept only so that trees print back faithfully).
    Comment { pos: usize, text: String },
    /// `{{pipeline}}`: evaluates and prints the pipeline unless it declares variables.
    Action(ActionNode),
    /// `{{if}}`, `{{range}}` or `{{with}}`.
    Branch(BranchNode),
    /// `{{template "name" pipeline}}`.
    Template(TemplateNode),
    /// `{{break}}`
    Break { pos: usize },
    /// `{{continue}}`
    Continue { pos: usize },
}

/// `{{pipeline}}`
#[derive(Debug, Clone)]
pub struct ActionNode {
    pub pos: usize,
    pub line: usize,
    pub pipe: PipeNode,
}

/// Which control structure a [`BranchNode`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BranchKind {
    If,
    Range,
    With,
}

/// `{{if pipe}} list {{else}} else_list {{end}}`, and the same for `range` and `with`.
#[derive(Debug, Clone)]
pub struct BranchNode {
    pub kind: BranchKind,
    pub pos: usize,
    pub line: usize,
    pub pipe: PipeNode,
    pub list: ListNode,
    pub else_list: Option<ListNode>,
}

/// `{{template "name" pipe}}`
#[derive(Debug, Clone)]
pub struct TemplateNode {
    pub pos: usize,
    pub line: usize,
    pub name: String,
    pub pipe: Option<PipeNode>,
}

/// A pipeline, optionally with variable declarations: `$x := cmd1 | cmd2`.
#[derive(Debug, Clone)]
pub struct PipeNode {
    pub pos: usize,
    pub line: usize,
    /// The declarations use `=` rather than `:=`.
    pub is_assign: bool,
    /// The declared (or assigned) variables, e.g. `$i`, `$v`.
    pub decl: Vec<VariableRef>,
    pub cmds: Vec<CommandNode>,
}

/// A variable named in a declaration.
#[derive(Debug, Clone)]
pub struct VariableRef {
    pub pos: usize,
    pub name: String,
}

/// One command of a pipeline: an operand followed by arguments.
#[derive(Debug, Clone)]
pub struct CommandNode {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// An operand.
#[derive(Debug, Clone)]
pub enum Arg {
    /// A function name.
    Identifier { pos: usize, name: String },
    /// `.`
    Dot { pos: usize },
    /// `nil`
    Nil { pos: usize },
    /// `true` / `false`
    Bool { pos: usize, val: bool },
    /// A numeric or character constant.
    Number(NumberNode),
    /// A quoted string; `quoted` is the source form, `text` the value.
    String {
        pos: usize,
        quoted: String,
        text: String,
    },
    /// `.A.B`: the identifiers without dots.
    Field { pos: usize, ident: Vec<String> },
    /// `$x.A.B`: the variable name (with `$`) followed by field names.
    Variable { pos: usize, ident: Vec<String> },
    /// `(pipe).A.B` or `.`-chained fields on any term.
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<String>,
    },
    /// A parenthesized pipeline.
    Pipe(Box<PipeNode>),
}

/// A number constant with every interpretation it admits, as Go keeps it.
#[derive(Debug, Clone, Default)]
pub struct NumberNode {
    pub pos: usize,
    pub text: String,
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    pub int: i64,
    pub uint: u64,
    pub float: f64,
}

impl Arg {
    /// Byte offset of the operand.
    pub fn pos(&self) -> usize {
        match self {
            Arg::Identifier { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::String { pos, .. }
            | Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Chain { pos, .. } => *pos,
            Arg::Number(n) => n.pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl Node {
    /// Byte offset of the node.
    pub fn pos(&self) -> usize {
        match self {
            Node::Text { pos, .. }
            | Node::Comment { pos, .. }
            | Node::Break { pos }
            | Node::Continue { pos } => *pos,
            Node::Action(a) => a.pos,
            Node::Branch(b) => b.pos,
            Node::Template(t) => t.pos,
        }
    }
}

impl fmt::Display for ListNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in &self.nodes {
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text { text, .. } => f.write_str(text),
            Node::Comment { text, .. } => write!(f, "{{{{{text}}}}}"),
            Node::Action(a) => write!(f, "{a}"),
            Node::Branch(b) => write!(f, "{b}"),
            Node::Template(t) => write!(f, "{t}"),
            Node::Break { .. } => f.write_str("{{break}}"),
            Node::Continue { .. } => f.write_str("{{continue}}"),
        }
    }
}

impl fmt::Display for ActionNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{{{}}}}}", self.pipe)
    }
}

impl fmt::Display for BranchNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.kind {
            BranchKind::If => "if",
            BranchKind::Range => "range",
            BranchKind::With => "with",
        };
        write!(f, "{{{{{name} {}}}}}{}", self.pipe, self.list)?;
        if let Some(e) = &self.else_list {
            write!(f, "{{{{else}}}}{e}")?;
        }
        f.write_str("{{end}}")
    }
}

impl fmt::Display for TemplateNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = crate::fmt::quote(&self.name, false);
        match &self.pipe {
            None => write!(f, "{{{{template {name}}}}}"),
            Some(p) => write!(f, "{{{{template {name} {p}}}}}"),
        }
    }
}

impl fmt::Display for PipeNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(&v.name)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CommandNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(p) = a {
                write!(f, "({p})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Identifier { name, .. } => f.write_str(name),
            Arg::Dot { .. } => f.write_str("."),
            Arg::Nil { .. } => f.write_str("nil"),
            Arg::Bool { val, .. } => write!(f, "{val}"),
            Arg::Number(n) => f.write_str(&n.text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Field { ident, .. } => {
                for id in ident {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Arg::Variable { ident, .. } => f.write_str(&ident.join(".")),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for id in fields {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

/// Whether a tree body counts as empty for redefinition: only whitespace text and comments.
pub fn is_empty_list(list: &ListNode) -> bool {
    list.nodes.iter().all(|n| match n {
        Node::Text { text, .. } => text.trim_matches(|c: char| c.is_whitespace()).is_empty(),
        Node::Comment { .. } => true,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_bodies_are_whitespace_and_comments_only() {
        let text = |t: &str| Node::Text {
            pos: 0,
            text: t.to_owned(),
        };
        let comment = Node::Comment {
            pos: 0,
            text: "/* c */".to_owned(),
        };
        assert!(is_empty_list(&ListNode {
            pos: 0,
            nodes: vec![text(" \n\t"), comment]
        }));
        assert!(!is_empty_list(&ListNode {
            pos: 0,
            nodes: vec![text(" x ")]
        }));
        assert!(!is_empty_list(&ListNode {
            pos: 0,
            nodes: vec![Node::Break { pos: 0 }]
        }));
    }

    #[test]
    fn nodes_print_back_as_go_does() {
        let field = Arg::Field {
            pos: 0,
            ident: vec!["A".into(), "B".into()],
        };
        let pipe = PipeNode {
            pos: 0,
            line: 1,
            is_assign: false,
            decl: vec![VariableRef {
                pos: 0,
                name: "$x".into(),
            }],
            cmds: vec![CommandNode {
                pos: 0,
                args: vec![field],
            }],
        };
        let chain = Arg::Chain {
            pos: 0,
            node: Box::new(Arg::Pipe(Box::new(pipe.clone()))),
            fields: vec!["C".into()],
        };
        assert_eq!(chain.to_string(), "($x := .A.B).C");
        let t = TemplateNode {
            pos: 0,
            line: 1,
            name: "n\"".into(),
            pipe: Some(pipe),
        };
        assert_eq!(t.to_string(), "{{template \"n\\\"\" $x := .A.B}}");
    }
}
