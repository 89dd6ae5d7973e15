//! The executor: walks a parse tree with Go's `text/template/exec.go` semantics.
//!
//! Go's executor works on `reflect.Value`s, and a few of its observable behaviours depend on
//! the *static* type of a value, not only on what it holds: a value read out of a
//! `map[string]interface{}` has type `interface {}` until a pipeline unwraps it, so
//! `.a.b` on a string prints "can't evaluate field b in type interface {}", and a missing key
//! read under `missingkey=zero` is a nil interface (further field access fails) while a
//! missing key under the default option is "no value" (further field access yields nothing).
//! [`V`] keeps exactly that distinction.

use std::cell::Cell;

use crate::fmt::{format_value, quote, sprint, sprintf, sprintln};
use crate::node::{
    ActionNode, Arg, BranchKind, BranchNode, CommandNode, ListNode, Node, NumberNode, PipeNode,
    TemplateNode,
};
use crate::parse::Tree;
use crate::template::{ExecError, MissingKey, Templates};
use crate::value::{ElemType, FuncError, Member, Value};

/// A value during execution.
#[derive(Clone, Debug)]
pub(crate) enum V {
    /// Go's invalid `reflect.Value`: missing data, printed `<no value>`.
    Invalid,
    /// A value whose static type is `interface {}` (read from an `interface{}` container).
    Iface(Value),
    /// A value of its own concrete type.
    Direct(Value),
}

impl V {
    fn value(&self) -> Value {
        match self {
            V::Invalid => Value::Nil,
            V::Iface(v) | V::Direct(v) => v.clone(),
        }
    }

    fn as_value(&self) -> Option<&Value> {
        match self {
            V::Invalid => None,
            V::Iface(v) | V::Direct(v) => Some(v),
        }
    }

    /// What a pipeline does to its result: an interface is replaced by what it holds, so a
    /// nil interface becomes invalid.
    fn dig(self) -> V {
        match self {
            V::Iface(Value::Nil) | V::Invalid => V::Invalid,
            V::Iface(v) | V::Direct(v) => V::Direct(v),
        }
    }

    /// `indirectInterface`: the concrete value, `None` for nil or invalid.
    fn concrete(&self) -> Option<&Value> {
        match self {
            V::Invalid | V::Iface(Value::Nil) | V::Direct(Value::Nil) => None,
            V::Iface(v) | V::Direct(v) => Some(v),
        }
    }

    /// The Go type name used in "in type T" messages.
    fn static_type(&self) -> String {
        match self {
            V::Invalid => "<nil>".to_owned(),
            V::Iface(_) => "interface {}".to_owned(),
            V::Direct(v) => v.type_name(),
        }
    }

    fn from_elem(v: Value, elem: ElemType) -> V {
        if elem == ElemType::Any {
            V::Iface(v)
        } else {
            V::Direct(v)
        }
    }
}

/// The node an error is reported at, as Go's `state.at` records it.
#[derive(Clone, Copy)]
enum At<'t> {
    None,
    Node(&'t Node),
    Pipe(&'t PipeNode),
    Cmd(&'t CommandNode),
    Arg(&'t Arg),
    Number(&'t NumberNode),
}

impl At<'_> {
    fn pos_and_text(&self) -> Option<(usize, String)> {
        match self {
            At::None => None,
            At::Node(n) => Some((n.pos(), n.to_string())),
            At::Pipe(p) => Some((p.pos, p.to_string())),
            At::Cmd(c) => Some((c.pos, c.to_string())),
            At::Arg(a) => Some((a.pos(), a.to_string())),
            At::Number(n) => Some((n.pos, n.text.clone())),
        }
    }
}

/// The (index, element) pairs a `range` visits.
type RangeIter = Box<dyn Iterator<Item = (V, V)>>;

/// Why a walk stopped early.
enum Stop {
    Error(ExecError),
    Break,
    Continue,
}

impl From<ExecError> for Stop {
    fn from(e: ExecError) -> Self {
        Stop::Error(e)
    }
}

type R<T> = Result<T, Stop>;

thread_local! {
    /// Template nesting depth on this thread, shared by nested executions started from
    /// functions (Helm's `include`), so that the limit protects the stack.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Stack left below which a walk continues on a new stack segment: enough for the deepest
/// expression evaluation the parser lets through.
pub(crate) const STACK_RED_ZONE: usize = 256 * 1024;

/// Size of each additional stack segment.
pub(crate) const STACK_SEGMENT: usize = 2 * 1024 * 1024;

/// Increments the thread's depth for its lifetime.
struct DepthGuard;

impl DepthGuard {
    fn enter(max: usize) -> Option<DepthGuard> {
        DEPTH.with(|d| {
            if d.get() >= max {
                None
            } else {
                d.set(d.get() + 1);
                Some(DepthGuard)
            }
        })
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

struct State<'t> {
    set: &'t Templates,
    tree: &'t Tree,
    at: At<'t>,
    vars: Vec<(String, V)>,
}

pub(crate) fn execute(
    set: &Templates,
    tree: &Tree,
    data: &Value,
    out: &mut String,
) -> Result<(), ExecError> {
    let max = set.options().max_depth;
    let Some(_guard) = DepthGuard::enter(max) else {
        return Err(ExecError {
            message: format!(
                "template: {}: exceeded maximum template depth ({max})",
                tree.name
            ),
        });
    };
    let dot = if data.is_nil() {
        V::Invalid
    } else {
        V::Direct(data.clone())
    };
    let mut state = State {
        set,
        tree,
        at: At::None,
        vars: vec![("$".to_owned(), dot.clone())],
    };
    match state.walk_list(&dot, &tree.root, out) {
        Ok(()) => Ok(()),
        Err(Stop::Error(e)) => Err(e),
        Err(Stop::Break | Stop::Continue) => Ok(()),
    }
}

/// Messages that Go's engine produces itself while preparing a call; they are not wrapped in
/// "error calling NAME:".
fn is_call_setup_error(msg: &str) -> bool {
    msg.starts_with("wrong number of args for ")
        || msg.starts_with("wrong type for value; ")
        || msg.starts_with("invalid value; ")
}

impl<'t> State<'t> {
    fn at(&mut self, at: At<'t>) {
        self.at = at;
    }

    fn err(&self, message: impl AsRef<str>) -> Stop {
        Stop::Error(self.exec_error(message.as_ref()))
    }

    fn exec_error(&self, message: &str) -> ExecError {
        let name = &self.tree.name;
        let message = match self.at.pos_and_text() {
            None => format!("template: {name}: {message}"),
            Some((pos, text)) => format!(
                "template: {}: executing {} at <{}>: {message}",
                self.tree.location(pos),
                quote(name, false),
                text
            ),
        };
        ExecError { message }
    }

    // ---- variables ----

    fn push(&mut self, name: &str, v: V) {
        self.vars.push((name.to_owned(), v));
    }

    fn set_var(&mut self, name: &str, v: V) -> R<()> {
        for slot in self.vars.iter_mut().rev() {
            if slot.0 == name {
                slot.1 = v;
                return Ok(());
            }
        }
        Err(self.err(format!("undefined variable: {name}")))
    }

    fn var_value(&self, name: &str) -> R<V> {
        for (n, v) in self.vars.iter().rev() {
            if n == name {
                return Ok(v.clone());
            }
        }
        Err(self.err(format!("undefined variable: {name}")))
    }

    fn set_top_var(&mut self, n: usize, v: V) {
        let len = self.vars.len();
        if let Some(slot) = len.checked_sub(n).and_then(|i| self.vars.get_mut(i)) {
            slot.1 = v;
        }
    }

    // ---- walking ----

    fn walk_list(&mut self, dot: &V, list: &'t ListNode, out: &mut String) -> R<()> {
        // Every level of nesting and every `template` call passes here: when the thread's
        // stack runs low, continue on a fresh segment so that deep recursion ends with the
        // depth-limit error rather than a stack overflow, whatever the thread's stack size.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            for node in &list.nodes {
                self.walk(dot, node, out)?;
            }
            Ok(())
        })
    }

    fn walk(&mut self, dot: &V, node: &'t Node, out: &mut String) -> R<()> {
        self.at(At::Node(node));
        match node {
            Node::Text { text, .. } => out.push_str(text),
            Node::Comment { .. } => {}
            Node::Action(a) => self.walk_action(dot, a, node, out)?,
            Node::Branch(b) => match b.kind {
                BranchKind::Range => self.walk_range(dot, b, node, out)?,
                BranchKind::If | BranchKind::With => self.walk_if_or_with(dot, b, out)?,
            },
            Node::Template(t) => self.walk_template(dot, t, node, out)?,
            Node::Break { .. } => return Err(Stop::Break),
            Node::Continue { .. } => return Err(Stop::Continue),
        }
        Ok(())
    }

    #[inline(never)]
    fn walk_action(
        &mut self,
        dot: &V,
        a: &'t ActionNode,
        node: &'t Node,
        out: &mut String,
    ) -> R<()> {
        let val = self.eval_pipeline(dot, &a.pipe)?;
        if a.pipe.decl.is_empty() {
            self.at(At::Node(node));
            match val {
                V::Invalid => out.push_str("<no value>"),
                V::Iface(v) | V::Direct(v) => {
                    if v.is_nil() {
                        out.push_str("<no value>");
                    } else {
                        out.push_str(&format_value(&v));
                    }
                }
            }
        }
        Ok(())
    }

    // The walk functions recurse along the template's nesting (and through `template`), so
    // they keep only small locals and leave evaluation and error formatting to helpers: in an
    // unoptimised build their frames decide how deep a recursion fits in a thread's stack.

    fn walk_if_or_with(&mut self, dot: &V, b: &'t BranchNode, out: &mut String) -> R<()> {
        let mark = self.vars.len();
        let result = match self.choose_branch(dot, b) {
            Ok(Some((Some(new_dot), list))) => self.walk_list(&new_dot, list, out),
            Ok(Some((None, list))) => self.walk_list(dot, list, out),
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        self.vars.truncate(mark);
        result
    }

    /// Evaluates an `if`/`with` condition: the list to run, with the new dot for `with`.
    #[inline(never)]
    fn choose_branch(
        &mut self,
        dot: &V,
        b: &'t BranchNode,
    ) -> R<Option<(Option<V>, &'t ListNode)>> {
        let val = self.eval_pipeline(dot, &b.pipe)?;
        if val.concrete().is_some_and(Value::truthy) {
            let new_dot = (b.kind == BranchKind::With).then_some(val);
            return Ok(Some((new_dot, &b.list)));
        }
        Ok(b.else_list.as_ref().map(|e| (None, e)))
    }

    fn walk_range(
        &mut self,
        dot: &V,
        r: &'t BranchNode,
        node: &'t Node,
        out: &mut String,
    ) -> R<()> {
        self.at(At::Node(node));
        let mark = self.vars.len();
        let result = self.walk_range_inner(dot, r, out);
        self.vars.truncate(mark);
        match result {
            Err(Stop::Break) => Ok(()),
            other => other,
        }
    }

    fn range_items(&self, val: &V) -> R<Option<RangeIter>> {
        let Some(v) = val.concrete() else {
            return Ok(None);
        };
        let items: Vec<(V, V)> = match v {
            Value::List(items, elem) => items
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    (
                        V::Direct(Value::Int(i as i64)),
                        V::from_elem(x.clone(), *elem),
                    )
                })
                .collect(),
            Value::Bytes(b) => b
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    (
                        V::Direct(Value::Int(i as i64)),
                        V::Direct(Value::Uint(u64::from(*x))),
                    )
                })
                .collect(),
            Value::Map(m, elem) => m
                .borrow()
                .iter()
                .map(|(k, x)| (V::Direct(Value::string(k)), V::from_elem(x.clone(), *elem)))
                .collect(),
            // Counting loops are produced lazily: `range 1000000000` must not allocate.
            Value::Int(n) => {
                return Ok(Some(Box::new(
                    (0..*n.max(&0)).map(|i| (V::Direct(Value::Int(i)), V::Direct(Value::Int(i)))),
                )));
            }
            Value::Uint(n) => {
                return Ok(Some(Box::new(
                    (0..*n).map(|i| (V::Direct(Value::Uint(i)), V::Direct(Value::Uint(i)))),
                )));
            }
            Value::Object(o) => match o.to_data() {
                Some(data) => return self.range_items(&V::Direct(data)),
                None => {
                    return Err(self.err(format!("range can't iterate over {}", format_value(v))));
                }
            },
            _ => return Err(self.err(format!("range can't iterate over {}", format_value(v)))),
        };
        Ok(Some(Box::new(items.into_iter())))
    }

    /// Evaluates a `range` pipeline into the pairs to visit (empty when there are none).
    #[inline(never)]
    fn range_setup(&mut self, dot: &V, r: &'t BranchNode) -> R<std::iter::Peekable<RangeIter>> {
        let val = self.eval_pipeline(dot, &r.pipe)?;
        let items = self.range_items(&val)?;
        if let Some(Value::Int(_) | Value::Uint(_)) = val.concrete()
            && r.pipe.decl.len() > 1
        {
            return Err(self.err(format!(
                "can't use {} to iterate over more than one variable",
                format_value(&val.value())
            )));
        }
        let items: RangeIter = items.unwrap_or_else(|| Box::new(std::iter::empty()));
        Ok(items.peekable())
    }

    fn walk_range_inner(&mut self, dot: &V, r: &'t BranchNode, out: &mut String) -> R<()> {
        let mut items = self.range_setup(dot, r)?;
        if items.peek().is_none() {
            return match &r.else_list {
                Some(e) => self.walk_list(dot, e, out),
                None => Ok(()),
            };
        }
        let mark = self.vars.len();
        let decls = r.pipe.decl.len();
        for (index, elem) in items {
            if decls > 0 {
                self.set_top_var(1, elem.clone());
            }
            if decls > 1 {
                self.set_top_var(2, index);
            }
            let result = self.walk_list(&elem, &r.list, out);
            self.vars.truncate(mark);
            match result {
                Ok(()) | Err(Stop::Continue) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    fn walk_template(
        &mut self,
        dot: &V,
        t: &'t TemplateNode,
        node: &'t Node,
        out: &mut String,
    ) -> R<()> {
        let (tree, new_dot, _guard) = self.enter_template(dot, t, node)?;
        let mut inner = State {
            set: self.set,
            tree,
            at: At::None,
            vars: vec![("$".to_owned(), new_dot.clone())],
        };
        match inner.walk_list(&new_dot, &tree.root, out) {
            Ok(()) | Err(Stop::Break | Stop::Continue) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Looks the template up, checks the depth and evaluates the new dot.
    #[inline(never)]
    fn enter_template(
        &mut self,
        dot: &V,
        t: &'t TemplateNode,
        node: &'t Node,
    ) -> R<(&'t Tree, V, DepthGuard)> {
        self.at(At::Node(node));
        let Some(tree) = self.set.tree(&t.name) else {
            return Err(self.err(format!("template {} not defined", quote(&t.name, false))));
        };
        let max = self.set.options().max_depth;
        let Some(guard) = DepthGuard::enter(max) else {
            return Err(self.err(format!(
                "exceeded maximum template depth ({max}) calling template {}",
                quote(&t.name, false)
            )));
        };
        let new_dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => V::Invalid,
        };
        Ok((tree, new_dot, guard))
    }

    // ---- evaluation ----

    fn eval_pipeline(&mut self, dot: &V, pipe: &'t PipeNode) -> R<V> {
        self.at(At::Pipe(pipe));
        let mut value: Option<V> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            value = Some(v.dig());
        }
        let value = value.unwrap_or(V::Invalid);
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(&var.name, value.clone())?;
            } else {
                self.push(&var.name, value.clone());
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], final_: &Option<V>) -> R<()> {
        if args.len() > 1 || final_.is_some() {
            return Err(self.err(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &V, cmd: &'t CommandNode, final_: Option<V>) -> R<V> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { ident, .. } => {
                self.at(At::Arg(first));
                return self.eval_field_chain(dot, dot.clone(), first, ident, &cmd.args, final_);
            }
            Arg::Chain { .. } => return self.eval_chain(dot, first, &cmd.args, final_),
            Arg::Identifier { name, .. } => {
                self.at(At::Arg(first));
                return self.eval_function(dot, name, first, At::Cmd(cmd), &cmd.args, final_);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &final_)?;
                return self.eval_pipeline(dot, p);
            }
            Arg::Variable { .. } => return self.eval_variable(dot, first, &cmd.args, final_),
            _ => {}
        }
        self.at(At::Arg(first));
        self.not_a_function(&cmd.args, &final_)?;
        match first {
            Arg::Bool { val, .. } => Ok(V::Direct(Value::Bool(*val))),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Err(self.err("nil is not a command")),
            Arg::Number(n) => self.ideal_constant(n),
            Arg::String { text, .. } => Ok(V::Direct(Value::string(text))),
            _ => Err(self.err(format!(
                "can't evaluate command {}",
                quote(&first.to_string(), false)
            ))),
        }
    }

    fn ideal_constant(&mut self, n: &'t NumberNode) -> R<V> {
        self.at(At::Number(n));
        let text = &n.text;
        let hex_int = text.len() > 2
            && text.starts_with('0')
            && (text.as_bytes()[1] == b'x' || text.as_bytes()[1] == b'X')
            && !text.contains(['p', 'P']);
        let rune = text.starts_with('\'');
        if n.is_float && !hex_int && !rune && text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(V::Direct(Value::Float(n.float)));
        }
        if n.is_int {
            return Ok(V::Direct(Value::Int(n.int)));
        }
        if n.is_uint {
            return Err(self.err(format!("{text} overflows int")));
        }
        Ok(V::Invalid)
    }

    fn eval_chain(&mut self, dot: &V, chain: &'t Arg, args: &'t [Arg], final_: Option<V>) -> R<V> {
        self.at(At::Arg(chain));
        let Arg::Chain { node, fields, .. } = chain else {
            return Err(self.err("internal error: not a chain"));
        };
        if let Arg::Nil { .. } = node.as_ref() {
            return Err(self.err(format!("indirection through explicit nil in {chain}")));
        }
        let receiver = self.eval_arg(dot, node)?;
        self.eval_field_chain(dot, receiver, chain, fields, args, final_)
    }

    fn eval_variable(&mut self, dot: &V, var: &'t Arg, args: &'t [Arg], final_: Option<V>) -> R<V> {
        self.at(At::Arg(var));
        let Arg::Variable { ident, .. } = var else {
            return Err(self.err("internal error: not a variable"));
        };
        let value = self.var_value(&ident[0])?;
        if ident.len() == 1 {
            self.not_a_function(args, &final_)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, var, &ident[1..], args, final_)
    }

    fn eval_field_chain(
        &mut self,
        dot: &V,
        mut receiver: V,
        node: &'t Arg,
        ident: &'t [String],
        args: &'t [Arg],
        final_: Option<V>,
    ) -> R<V> {
        let n = ident.len();
        for name in &ident[..n - 1] {
            receiver = self.eval_field(dot, name, node, &[], None, receiver)?;
        }
        self.eval_field(dot, &ident[n - 1], node, args, final_, receiver)
    }

    fn eval_field(
        &mut self,
        dot: &V,
        name: &str,
        node: &'t Arg,
        args: &'t [Arg],
        final_: Option<V>,
        receiver: V,
    ) -> R<V> {
        let has_args = args.len() > 1 || final_.is_some();
        let static_type = receiver.static_type();
        let value = match receiver {
            V::Invalid => {
                if self.set.options().missing_key == MissingKey::Error {
                    return Err(
                        self.err(format!("nil data; no entry for key {}", quote(name, false)))
                    );
                }
                return Ok(V::Invalid);
            }
            V::Iface(Value::Nil) | V::Direct(Value::Nil) => {
                return Err(self.err(format!("nil pointer evaluating {static_type}.{name}")));
            }
            V::Iface(v) | V::Direct(v) => v,
        };
        match &value {
            Value::Object(o) => match o.member(name) {
                Member::Method => {
                    let (call_args, ats) = self.eval_call_args(dot, args, final_)?;
                    self.at(At::Arg(node));
                    return match o.call(name, &call_args) {
                        Ok(v) => Ok(V::Iface(v)),
                        Err(e) => {
                            Err(self.call_error(name, e, args, &call_args, &ats, At::Arg(node)))
                        }
                    };
                }
                Member::Field(v) => {
                    if has_args {
                        return Err(self.err(format!(
                            "{name} has arguments but cannot be invoked as function"
                        )));
                    }
                    return Ok(if v.is_nil() || o.members_are_interfaces() {
                        V::Iface(v)
                    } else {
                        V::Direct(v)
                    });
                }
                Member::Missing => {}
            },
            Value::Map(m, elem) => {
                if has_args {
                    return Err(self.err(format!("{name} is not a method but has arguments")));
                }
                let found = m.borrow().get(name).cloned();
                return match found {
                    Some(v) => Ok(V::from_elem(v, *elem)),
                    None => {
                        match self.set.options().missing_key {
                            MissingKey::Default => Ok(V::Invalid),
                            MissingKey::Zero => Ok(V::from_elem(zero_of(*elem), *elem)),
                            MissingKey::Error => Err(self
                                .err(format!("map has no entry for key {}", quote(name, false)))),
                        }
                    }
                };
            }
            _ => {}
        }
        Err(self.err(format!("can't evaluate field {name} in type {static_type}")))
    }

    /// Evaluates an operand used as an argument (`evalArg` with an `interface{}` or
    /// `reflect.Value` parameter type).
    fn eval_arg(&mut self, dot: &V, arg: &'t Arg) -> R<V> {
        self.at(At::Arg(arg));
        match arg {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Ok(V::Iface(Value::Nil)),
            Arg::Field { ident, .. } => self.eval_field_chain(
                dot,
                dot.clone(),
                arg,
                ident,
                std::slice::from_ref(arg),
                None,
            ),
            Arg::Variable { .. } => self.eval_variable(dot, arg, std::slice::from_ref(arg), None),
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Identifier { name, .. } => {
                self.eval_function(dot, name, arg, At::Arg(arg), &[], None)
            }
            Arg::Chain { .. } => self.eval_chain(dot, arg, std::slice::from_ref(arg), None),
            Arg::Bool { val, .. } => Ok(V::Direct(Value::Bool(*val))),
            Arg::Number(n) => self.ideal_constant(n),
            Arg::String { text, .. } => Ok(V::Direct(Value::string(text))),
        }
    }

    /// Evaluates the arguments of a call (`args[0]` is the function itself) and appends the
    /// piped value.
    /// Also returns, per argument, the node Go's error position points at after evaluating
    /// it (the innermost node evaluated, for a parenthesized pipeline).
    fn eval_call_args(
        &mut self,
        dot: &V,
        args: &'t [Arg],
        final_: Option<V>,
    ) -> R<(Vec<Value>, Vec<At<'t>>)> {
        let mut values = Vec::with_capacity(args.len());
        let mut ats = Vec::with_capacity(args.len());
        for a in args.iter().skip(1) {
            values.push(self.eval_arg(dot, a)?.value());
            ats.push(self.at);
        }
        if let Some(f) = final_ {
            values.push(f.value());
            ats.push(self.at);
        }
        Ok((values, ats))
    }

    /// Turns a function's error into Go's message and position.
    fn call_error(
        &mut self,
        name: &str,
        e: FuncError,
        args: &'t [Arg],
        values: &[Value],
        ats: &[At<'t>],
        node: At<'t>,
    ) -> Stop {
        if e.verbatim {
            self.at(node);
            return self.err(&e.message);
        }
        if !is_call_setup_error(&e.message) {
            self.at(node);
            return self.err(format!("error calling {name}: {}", e.message));
        }
        if e.message.starts_with("wrong number of args for ") {
            if let Some(first) = args.first() {
                self.at(At::Arg(first));
            }
            return self.err(&e.message);
        }
        // A type error: Go reports it at the offending argument. Find the first argument whose
        // type the message names.
        if let Some(rest) = e.message.strip_prefix("wrong type for value; expected ")
            && let Some((want, got)) = rest.split_once("; got ")
        {
            for (i, v) in values.iter().enumerate() {
                let t = if v.is_nil() {
                    "interface {}".to_owned()
                } else {
                    v.type_name()
                };
                if t == got {
                    if let Some(a) = args.get(i + 1) {
                        self.at(ats.get(i).copied().unwrap_or(At::Arg(a)));
                        // Constants are converted to the parameter type, which fails with
                        // Go's constant wording.
                        match a {
                            Arg::Number(_) | Arg::Bool { .. } | Arg::String { .. } => {
                                return self.err(format!(
                                    "expected {}; found {a}",
                                    constant_kind_word(want)
                                ));
                            }
                            Arg::Nil { .. } => {
                                return self.err(format!("cannot assign nil to {want}"));
                            }
                            _ => {}
                        }
                        // A direct argument that evaluated to "no value" is reported as Go
                        // reports an invalid value.
                        if v.is_nil() && self.arg_is_invalid(a) {
                            return self.err(format!("invalid value; expected {want}"));
                        }
                    } else if v.is_nil() {
                        // The piped value: pipelines unwrap nil interfaces into invalid values.
                        return self.err(format!("invalid value; expected {want}"));
                    }
                    break;
                }
            }
        }
        self.err(&e.message)
    }

    /// Whether an argument node evaluates to an invalid value rather than a nil interface:
    /// variables and parenthesized pipelines hold unwrapped values.
    fn arg_is_invalid(&self, a: &Arg) -> bool {
        match a {
            Arg::Variable { ident, .. } if ident.len() == 1 => true,
            Arg::Pipe(_) => true,
            Arg::Field { .. } | Arg::Variable { .. } | Arg::Chain { .. } => {
                self.set.options().missing_key == MissingKey::Default
            }
            _ => false,
        }
    }

    fn eval_function(
        &mut self,
        dot: &V,
        name: &str,
        ident: &'t Arg,
        call_node: At<'t>,
        args: &'t [Arg],
        final_: Option<V>,
    ) -> R<V> {
        self.at(At::Arg(ident));
        if let Some(f) = self.set.func(name).cloned() {
            let (values, ats) = self.eval_call_args(dot, args, final_)?;
            return match f(&values) {
                Ok(v) => Ok(V::Iface(v)),
                Err(e) => {
                    let args = if args.is_empty() {
                        std::slice::from_ref(ident)
                    } else {
                        args
                    };
                    Err(self.call_error(name, e, args, &values, &ats, call_node))
                }
            };
        }
        self.eval_builtin(dot, name, ident, call_node, args, final_)
    }

    // ---- builtins ----

    fn arity(&self, name: &str, got: usize, want: usize, at_least: bool) -> R<()> {
        let ok = if at_least { got >= want } else { got == want };
        if ok {
            return Ok(());
        }
        let want = if at_least {
            format!("at least {want}")
        } else {
            want.to_string()
        };
        Err(self.err(format!(
            "wrong number of args for {name}: want {want} got {got}"
        )))
    }

    /// Evaluates builtin arguments of type `reflect.Value` (a `nil` literal cannot be one).
    fn builtin_args(&mut self, dot: &V, args: &'t [Arg], final_: Option<V>) -> R<Vec<V>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args.iter().skip(1) {
            // A nil literal is the zero reflect.Value: an invalid value.
            if let Arg::Nil { .. } = a {
                self.at(At::Arg(a));
                out.push(V::Invalid);
                continue;
            }
            out.push(self.eval_arg(dot, a)?);
        }
        if let Some(f) = final_ {
            out.push(f);
        }
        Ok(out)
    }

    /// Evaluates builtin arguments of type `interface{}`.
    fn any_args(&mut self, dot: &V, args: &'t [Arg], final_: Option<V>) -> R<Vec<V>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args.iter().skip(1) {
            out.push(self.eval_arg(dot, a)?);
        }
        if let Some(f) = final_ {
            out.push(f);
        }
        Ok(out)
    }

    fn eval_builtin(
        &mut self,
        dot: &V,
        name: &str,
        ident: &'t Arg,
        call_node: At<'t>,
        args: &'t [Arg],
        final_: Option<V>,
    ) -> R<V> {
        let nargs = args.len().saturating_sub(1) + usize::from(final_.is_some());
        let result: Result<V, String> = match name {
            "and" | "or" => {
                self.arity(name, nargs, 1, true)?;
                let want = name == "or";
                if self.set.options().eager_and_or {
                    let vals = self.builtin_args(dot, args, final_)?;
                    let mut last = V::Invalid;
                    for v in vals {
                        let t = v.concrete().is_some_and(Value::truthy);
                        last = v;
                        if t == want {
                            break;
                        }
                    }
                    Ok(last)
                } else {
                    let mut last = V::Invalid;
                    let mut decided = false;
                    for a in args.iter().skip(1) {
                        let v = if let Arg::Nil { .. } = a {
                            self.at(At::Arg(a));
                            V::Invalid
                        } else {
                            self.eval_arg(dot, a)?
                        };
                        let t = v.concrete().is_some_and(Value::truthy);
                        last = v;
                        if t == want {
                            decided = true;
                            break;
                        }
                    }
                    if !decided && let Some(f) = final_ {
                        last = f;
                    }
                    Ok(last)
                }
            }
            "not" => {
                self.arity(name, nargs, 1, false)?;
                let v = self.builtin_args(dot, args, final_)?;
                Ok(V::Direct(Value::Bool(
                    !v[0].concrete().is_some_and(Value::truthy),
                )))
            }
            "len" => {
                self.arity(name, nargs, 1, false)?;
                let v = self.builtin_args(dot, args, final_)?;
                builtin_len(&v[0], self.set.options().legacy_go114)
            }
            "index" => {
                self.arity(name, nargs, 1, true)?;
                let v = self.builtin_args(dot, args, final_)?;
                builtin_index(&v[0], &v[1..], self.set.options().legacy_go114)
            }
            "slice" => {
                self.arity(name, nargs, 1, true)?;
                let v = self.builtin_args(dot, args, final_)?;
                builtin_slice(&v[0], &v[1..])
            }
            "print" | "println" => {
                let v = self.any_args(dot, args, final_)?;
                let vals: Vec<Value> = v.iter().map(V::value).collect();
                Ok(V::Direct(Value::string(if name == "print" {
                    sprint(&vals)
                } else {
                    sprintln(&vals)
                })))
            }
            "printf" => {
                self.arity(name, nargs, 1, true)?;
                let v = self.any_args(dot, args, final_)?;
                let format = match &v[0] {
                    V::Iface(Value::String(s)) | V::Direct(Value::String(s)) => s.clone(),
                    other => {
                        if let Some(a) = args.get(1) {
                            self.at(At::Arg(a));
                        }
                        return Err(match (other, args.get(1)) {
                            (_, Some(Arg::Number(_) | Arg::Bool { .. })) => {
                                self.err(format!("expected string; found {}", args[1]))
                            }
                            (_, Some(Arg::Nil { .. })) => self.err("cannot assign nil to string"),
                            (V::Invalid, _) => self.err("invalid value; expected string"),
                            _ => {
                                let got = if other.value().is_nil() {
                                    "interface {}".to_owned()
                                } else {
                                    other.value().type_name()
                                };
                                self.err(format!(
                                    "wrong type for value; expected string; got {got}"
                                ))
                            }
                        });
                    }
                };
                let vals: Vec<Value> = v[1..].iter().map(V::value).collect();
                Ok(V::Direct(Value::string(sprintf(&format, &vals))))
            }
            "html" | "js" | "urlquery" => {
                let v = self.any_args(dot, args, final_)?;
                let s = escaper_input(&v);
                Ok(V::Direct(Value::string(match name {
                    "html" => html_escape(&s),
                    "js" => js_escape(&s),
                    _ => query_escape(&s),
                })))
            }
            "eq" => {
                self.arity(name, nargs, 1, true)?;
                let v = self.builtin_args(dot, args, final_)?;
                let legacy = self.set.options().legacy_go114;
                builtin_eq(&v[0], &v[1..], legacy).map(|b| V::Direct(Value::Bool(b)))
            }
            "ne" | "lt" | "le" | "gt" | "ge" => {
                self.arity(name, nargs, 2, false)?;
                let v = self.builtin_args(dot, args, final_)?;
                let (a, b) = (&v[0], &v[1]);
                let legacy = self.set.options().legacy_go114;
                let r = match name {
                    "ne" => builtin_eq(a, std::slice::from_ref(b), legacy).map(|x| !x),
                    "lt" => builtin_lt(a, b),
                    "le" => builtin_le(a, b),
                    "gt" => builtin_le(a, b).map(|x| !x),
                    _ => builtin_lt(a, b).map(|x| !x),
                };
                r.map(|b| V::Direct(Value::Bool(b)))
            }
            "call" => {
                self.arity(name, nargs, 1, true)?;
                let v = self.builtin_args(dot, args, final_)?;
                match v[0].concrete() {
                    None => Err("call of nil".to_owned()),
                    Some(f) => Err(format!("non-function of type {}", f.type_name())),
                }
            }
            _ => {
                self.at(At::Arg(ident));
                return Err(self.err(format!("{} is not a defined function", quote(name, false))));
            }
        };
        result.map_err(|msg| {
            self.at(call_node);
            self.err(format!("error calling {name}: {msg}"))
        })
    }
}

/// How Go names a parameter type when a constant cannot be converted to it.
fn constant_kind_word(type_name: &str) -> &str {
    match type_name {
        "int" | "int8" | "int16" | "int32" | "int64" => "integer",
        "uint" | "uint8" | "uint16" | "uint32" | "uint64" | "uintptr" => "unsigned integer",
        "float32" | "float64" => "float",
        "complex64" | "complex128" => "complex",
        other => other,
    }
}

fn zero_of(elem: ElemType) -> Value {
    match elem {
        ElemType::Any => Value::Nil,
        ElemType::String => Value::string(""),
        ElemType::Int => Value::Int(0),
        ElemType::Float => Value::Float(0.0),
    }
}

/// Resolves an object to its data form for builtins that need a container.
fn as_data(v: &Value) -> Value {
    if let Value::Object(o) = v
        && let Some(d) = o.to_data()
    {
        return d;
    }
    v.clone()
}

fn builtin_len(v: &V, legacy: bool) -> Result<V, String> {
    if legacy && v.concrete().is_none() {
        // Go 1.14's len took an interface{}: nil arrives untyped.
        return Err("len of untyped nil".to_owned());
    }
    let x = match v {
        V::Invalid => return Err("reflect: call of reflect.Value.Type on zero Value".to_owned()),
        V::Iface(Value::Nil) | V::Direct(Value::Nil) => return Err("len of nil pointer".to_owned()),
        V::Iface(x) | V::Direct(x) => as_data(x),
    };
    let n = match &x {
        Value::String(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(l, _) => l.len(),
        Value::Map(m, _) => m.borrow().len(),
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(V::Direct(Value::Int(n as i64)))
}

/// Checks an index against `cap`; `exclusive` rejects `cap` itself too (Go 1.14's `index`).
fn index_arg(index: &V, cap: usize, exclusive: bool) -> Result<usize, String> {
    let x: i128 = match index.concrete() {
        Some(Value::Int(i)) => i128::from(*i),
        Some(Value::Uint(u)) => i128::from(*u),
        None => return Err("cannot index slice/array with nil".to_owned()),
        Some(other) => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    if x < 0 || x > cap as i128 || (exclusive && x == cap as i128) {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

/// `index`; `legacy` is Go 1.14's bounds check, which also rejects an index equal to the
/// length with "index out of range" (later Go lets it through to reflect, which panics).
fn builtin_index(item: &V, indexes: &[V], legacy: bool) -> Result<V, String> {
    let Some(first) = item.concrete() else {
        return Err("index of untyped nil".to_owned());
    };
    let mut cur = V::Direct(first.clone());
    for index in indexes {
        let Some(value) = cur.concrete() else {
            return Err("index of nil pointer".to_owned());
        };
        let value = as_data(value);
        cur = match &value {
            Value::List(items, elem) => {
                let x = index_arg(index, items.len(), legacy)?;
                match items.get(x) {
                    Some(v) => V::from_elem(v.clone(), *elem),
                    None => return Err("reflect: slice index out of range".to_owned()),
                }
            }
            Value::Bytes(b) => {
                let x = index_arg(index, b.len(), legacy)?;
                match b.get(x) {
                    Some(v) => V::Direct(Value::Uint(u64::from(*v))),
                    None => return Err("reflect: slice index out of range".to_owned()),
                }
            }
            Value::String(s) => {
                let x = index_arg(index, s.len(), legacy)?;
                match s.as_bytes().get(x) {
                    Some(v) => V::Direct(Value::Uint(u64::from(*v))),
                    None => return Err("reflect: string index out of range".to_owned()),
                }
            }
            Value::Map(m, elem) => {
                let key = match index.concrete() {
                    Some(Value::String(k)) => k.clone(),
                    None => return Err("value is nil; should be of type string".to_owned()),
                    Some(other) => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ));
                    }
                };
                match m.borrow().get(key.as_ref()) {
                    Some(v) => V::from_elem(v.clone(), *elem),
                    None => V::from_elem(zero_of(*elem), *elem),
                }
            }
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(cur)
}

fn builtin_slice(item: &V, indexes: &[V]) -> Result<V, String> {
    let Some(value) = item.concrete() else {
        return Err("slice of untyped nil".to_owned());
    };
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let value = as_data(value);
    let len = match &value {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".to_owned());
            }
            s.len()
        }
        Value::List(l, _) => l.len(),
        Value::Bytes(b) => b.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0usize, len, len];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, len, false)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    let (lo, hi) = (idx[0], idx[1]);
    Ok(V::Direct(match &value {
        Value::String(s) => Value::string(String::from_utf8_lossy(&s.as_bytes()[lo..hi])),
        Value::List(l, elem) => Value::List(std::rc::Rc::new(l[lo..hi].to_vec()), *elem),
        Value::Bytes(b) => Value::Bytes(std::rc::Rc::from(&b[lo..hi])),
        _ => return Err("can't slice item".to_owned()),
    }))
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum BasicKind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
    Uint,
}

fn basic_kind(v: Option<&Value>) -> BasicKind {
    match v {
        Some(Value::Bool(_)) => BasicKind::Bool,
        Some(Value::Int(_)) => BasicKind::Int,
        Some(Value::Uint(_)) => BasicKind::Uint,
        Some(Value::Float(_)) => BasicKind::Float,
        Some(Value::String(_)) => BasicKind::String,
        _ => BasicKind::Invalid,
    }
}

const BAD_TYPE: &str = "invalid type for comparison";
const BAD_COMPARISON: &str = "incompatible types for comparison";

fn builtin_eq(arg1: &V, rest: &[V], legacy: bool) -> Result<bool, String> {
    let a = arg1.concrete();
    let k1 = basic_kind(a);
    // Go 1.14 only compared basic kinds and checked the first operand before the count.
    if legacy && k1 == BasicKind::Invalid {
        return Err(BAD_TYPE.to_owned());
    }
    if rest.is_empty() {
        return Err("missing argument for comparison".to_owned());
    }
    for arg in rest {
        let b = arg.concrete();
        let k2 = basic_kind(b);
        if legacy && k2 == BasicKind::Invalid {
            return Err(BAD_TYPE.to_owned());
        }
        let truth = if k1 != k2 {
            match (a, b) {
                (Some(Value::Int(i)), Some(Value::Uint(u))) if k1 == BasicKind::Int => {
                    *i >= 0 && *i as u64 == *u
                }
                (Some(Value::Uint(u)), Some(Value::Int(i))) => *i >= 0 && *u == *i as u64,
                (Some(_), Some(_)) => return Err(BAD_COMPARISON.to_owned()),
                _ => false,
            }
        } else {
            match (a, b) {
                (Some(Value::Bool(x)), Some(Value::Bool(y))) => x == y,
                (Some(Value::Int(x)), Some(Value::Int(y))) => x == y,
                (Some(Value::Uint(x)), Some(Value::Uint(y))) => x == y,
                (Some(Value::Float(x)), Some(Value::Float(y))) => x == y,
                (Some(Value::String(x)), Some(Value::String(y))) => x == y,
                (None, None) => true,
                (None, Some(_)) | (Some(_), None) => false,
                (Some(x), Some(y)) => compare_other(x, y)?,
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `eq` on two non-basic values: only values of the same kind compare, and slices and maps
/// are not comparable at all.
fn compare_other(x: &Value, y: &Value) -> Result<bool, String> {
    if x.kind_name() != y.kind_name() {
        return Err(format!(
            "non-comparable types {}: {}, {}: {}",
            sprintf("%s", std::slice::from_ref(x)),
            x.type_name(),
            y.type_name(),
            format_value(y)
        ));
    }
    match (x, y) {
        (Value::Object(a), Value::Object(b)) => Ok(std::rc::Rc::ptr_eq(a, b)
            || (a.type_name() == b.type_name() && a.go_string() == b.go_string())),
        _ => Err(format!(
            "non-comparable type {}: {}",
            sprintf("%s", std::slice::from_ref(y)),
            y.type_name()
        )),
    }
}

fn builtin_lt(arg1: &V, arg2: &V) -> Result<bool, String> {
    let a = arg1.concrete();
    let b = arg2.concrete();
    let k1 = basic_kind(a);
    if k1 == BasicKind::Invalid {
        return Err(BAD_TYPE.to_owned());
    }
    let k2 = basic_kind(b);
    if k2 == BasicKind::Invalid {
        return Err(BAD_TYPE.to_owned());
    }
    match (a, b) {
        (Some(Value::Int(i)), Some(Value::Uint(u))) => Ok(*i < 0 || (*i as u64) < *u),
        (Some(Value::Uint(u)), Some(Value::Int(i))) => Ok(*i >= 0 && *u < *i as u64),
        _ if k1 != k2 => Err(BAD_COMPARISON.to_owned()),
        (Some(Value::Bool(_)), _) => Err(BAD_TYPE.to_owned()),
        (Some(Value::Int(x)), Some(Value::Int(y))) => Ok(x < y),
        (Some(Value::Uint(x)), Some(Value::Uint(y))) => Ok(x < y),
        (Some(Value::Float(x)), Some(Value::Float(y))) => Ok(x < y),
        (Some(Value::String(x)), Some(Value::String(y))) => Ok(x < y),
        _ => Err(BAD_TYPE.to_owned()),
    }
}

fn builtin_le(a: &V, b: &V) -> Result<bool, String> {
    if builtin_lt(a, b)? {
        return Ok(true);
    }
    builtin_eq(a, std::slice::from_ref(b), false)
}

/// The text the escaping builtins work on: a single string argument as is, otherwise the
/// arguments printed with `fmt.Sprint`, missing values as `<no value>`.
fn escaper_input(args: &[V]) -> String {
    if let [one] = args
        && let Some(Value::String(s)) = one.as_value()
    {
        return s.to_string();
    }
    let vals: Vec<Value> = args
        .iter()
        .map(|v| match v {
            V::Invalid | V::Iface(Value::Nil) => Value::string("<no value>"),
            V::Iface(x) | V::Direct(x) => x.clone(),
        })
        .collect();
    sprint(&vals)
}

/// `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if c.is_ascii() => out.push(c),
            c if crate::fmt::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dig_unwraps_interfaces() {
        assert!(matches!(V::Iface(Value::Nil).dig(), V::Invalid));
        assert!(matches!(
            V::Iface(Value::Int(1)).dig(),
            V::Direct(Value::Int(1))
        ));
        assert_eq!(V::Iface(Value::Int(1)).static_type(), "interface {}");
        assert_eq!(V::Direct(Value::Int(1)).static_type(), "int");
    }

    #[test]
    fn comparisons_follow_go_kinds() {
        let int = |i| V::Direct(Value::Int(i));
        let float = |x| V::Direct(Value::Float(x));
        assert_eq!(
            builtin_eq(&int(1), &[float(1.0)], false),
            Err(BAD_COMPARISON.to_owned())
        );
        assert_eq!(
            builtin_eq(&int(1), &[V::Direct(Value::Uint(1))], false),
            Ok(true)
        );
        assert_eq!(builtin_eq(&V::Invalid, &[int(1)], false), Ok(false));
        assert_eq!(
            builtin_eq(&V::Invalid, &[int(1)], true),
            Err(BAD_TYPE.to_owned())
        );
        assert_eq!(
            builtin_eq(&int(1), &[], false),
            Err("missing argument for comparison".to_owned())
        );
        assert_eq!(builtin_lt(&int(-1), &V::Direct(Value::Uint(0))), Ok(true));
        assert_eq!(
            builtin_lt(
                &V::Direct(Value::Bool(true)),
                &V::Direct(Value::Bool(false))
            ),
            Err(BAD_TYPE.to_owned())
        );
        assert_eq!(builtin_le(&float(1.5), &float(1.5)), Ok(true));
    }

    #[test]
    fn escapers() {
        assert_eq!(
            html_escape("<a href='x'>&\"\0"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&#34;\u{FFFD}"
        );
        assert_eq!(
            js_escape("a'b\"c\\<>&=\n\u{1}é"),
            "a\\'b\\\"c\\\\\\u003C\\u003E\\u0026\\u003D\\u000A\\u0001é"
        );
        assert_eq!(query_escape("a b&c=d/é~"), "a+b%26c%3Dd%2F%C3%A9~");
    }

    #[test]
    fn index_and_slice_errors() {
        let list = V::Direct(Value::list(vec![Value::Int(1), Value::Int(2)]));
        assert_eq!(
            builtin_index(&list, &[V::Direct(Value::Float(1.0))], false).unwrap_err(),
            "cannot index slice/array with type float64"
        );
        assert_eq!(
            builtin_index(&list, &[V::Direct(Value::Int(3))], false).unwrap_err(),
            "index out of range: 3"
        );
        assert_eq!(
            builtin_index(&V::Invalid, &[], false).unwrap_err(),
            "index of untyped nil"
        );
        assert_eq!(
            builtin_slice(&list, &[V::Direct(Value::Int(2)), V::Direct(Value::Int(1))])
                .unwrap_err(),
            "invalid slice index: 2 > 1"
        );
        assert_eq!(constant_kind_word("int64"), "integer");
        assert_eq!(constant_kind_word("string"), "string");
    }
}
