//! Dependency-style values as pkgcore holds and prints them (`ebuild/conditionals.py`,
//! `ebuild/atom.py`), so that pquery's output matches pkgcore's byte for byte:
//!
//! * an atom's USE dependencies are kept **sorted** (pkgcore's `atom.use` is
//!   `tuple(sorted(...))`, and `str(atom)` prints that order);
//! * a group with a single child is that child (pkgcore's parser collapses `( a )` and
//!   `|| ( a )` to `a`);
//! * evaluating with the package's USE (configured packages) follows pkgcore's
//!   `evaluate_conditionals`: a taken conditional is spliced into its parent, an all-of
//!   group inside an all-of (or at the top) is flattened, an any-of group inside an any-of
//!   is flattened, groups left with one child are that child, empty groups vanish, and
//!   USE-conditional USE dependencies (`foo[bar?]`, `foo[!bar=]`, pkgcore's
//!   `transitive_use_atom`) are resolved (`foo[bar]` or `foo`). A value without any
//!   conditional is returned as parsed (pkgcore's `evaluate_depset` returns it unchanged);
//! * for `--print-revdep`, a USE-conditional USE dependency in an unevaluated value is
//!   seen as the conditionals it stands for ([`expand_transitive`]).

use strata_atom::DepNode;
use strata_atom::depspec::DepSpec;

/// A node of a dependency value in pkgcore's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// An atom (USE dependencies sorted), license, URI or other leaf, as printed.
    Leaf(String),
    /// `( … )`.
    All(Vec<Node>),
    /// `|| ( … )`.
    Any(Vec<Node>),
    /// `^^ ( … )`.
    ExactlyOne(Vec<Node>),
    /// `?? ( … )`.
    AtMostOne(Vec<Node>),
    /// `flag? ( … )` or `!flag? ( … )`.
    Cond {
        /// The flag.
        flag: String,
        /// `!flag?`.
        negated: bool,
        /// The payload.
        children: Vec<Node>,
    },
}

/// An atom's text split into the part before its USE dependencies and those, when it
/// has some (`foo/bar:1[a,b?]` → (`foo/bar:1`, [`a`, `b?`])).
fn split_use(atom: &str) -> Option<(&str, Vec<&str>)> {
    let body = atom.strip_suffix(']')?;
    let open = body.find('[')?;
    Some((&body[..open], body[open + 1..].split(',').collect()))
}

/// `base[flags]` with the flags sorted, or `base` when there are none (pkgcore's atom
/// constructor sorts them).
fn with_use(base: &str, mut flags: Vec<String>) -> String {
    if flags.is_empty() {
        return base.to_owned();
    }
    flags.sort();
    format!("{base}[{}]", flags.join(","))
}

/// Whether a USE dependency entry is conditional (`x?`, `!x?`, `x=`, `!x=`).
fn variable(flag: &str) -> bool {
    flag.ends_with('?') || flag.ends_with('=')
}

/// A leaf as pkgcore prints it: atoms get their USE dependencies sorted.
pub fn leaf_text(leaf: &str) -> String {
    match split_use(leaf) {
        Some((base, flags)) if !base.contains(' ') => {
            with_use(base, flags.into_iter().map(str::to_owned).collect())
        }
        _ => leaf.to_owned(),
    }
}

/// The nodes of `spec` in pkgcore's shape (sorted USE dependencies, single-child
/// groups collapsed), unevaluated.
pub fn from_spec(spec: &DepSpec) -> Vec<Node> {
    fn walk(nodes: &[DepNode]) -> Vec<Node> {
        nodes.iter().map(node).collect()
    }
    fn group(children: &[DepNode], make: fn(Vec<Node>) -> Node) -> Node {
        let mut inner = walk(children);
        if inner.len() == 1 {
            return inner.remove(0);
        }
        make(inner)
    }
    fn node(n: &DepNode) -> Node {
        match n {
            DepNode::Leaf(l) => {
                let text = l.to_string();
                Node::Leaf(match split_use(&text) {
                    Some(_) => leaf_text(&text),
                    None => text,
                })
            }
            DepNode::AllOf(c) => group(c, Node::All),
            DepNode::AnyOf(c) => group(c, Node::Any),
            DepNode::ExactlyOneOf(c) => Node::ExactlyOne(walk(c)),
            DepNode::AtMostOneOf(c) => Node::AtMostOne(walk(c)),
            DepNode::Conditional(cond, c) => {
                let text = cond.to_string();
                let (negated, flag) = match text.strip_prefix('!') {
                    Some(f) => (true, f.to_owned()),
                    None => (false, text),
                };
                Node::Cond {
                    flag,
                    negated,
                    children: walk(c),
                }
            }
        }
    }
    walk(spec.items())
}

/// Whether `spec` already prints as pkgcore would print it, so that it can be used as
/// it is: no unsorted USE dependencies, no one-child group, and, when it is to be
/// `evaluated`, nothing to evaluate (no conditional, no USE-conditional USE dependency).
/// Most values are; this spares rebuilding them.
pub fn already_shaped(spec: &DepSpec, evaluated: bool) -> bool {
    fn ok(nodes: &[DepNode], evaluated: bool) -> bool {
        nodes.iter().all(|n| match n {
            DepNode::Leaf(l) => l.as_atom().is_none_or(|a| {
                split_use(a.as_str()).is_none_or(|(_, flags)| {
                    flags.is_sorted() && !(evaluated && flags.iter().any(|f| variable(f)))
                })
            }),
            DepNode::Conditional(_, c) => !evaluated && ok(c, evaluated),
            DepNode::AllOf(c) | DepNode::AnyOf(c) => c.len() != 1 && ok(c, evaluated),
            DepNode::ExactlyOneOf(c) | DepNode::AtMostOneOf(c) => ok(c, evaluated),
        })
    }
    ok(spec.items(), evaluated)
}

/// Whether pkgcore would see conditionals in the value (a `flag? ( )` block or a
/// USE-conditional USE dependency): only then does evaluation change it.
fn has_conditionals(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| match n {
        Node::Leaf(l) => split_use(l).is_some_and(|(_, f)| f.iter().any(|f| variable(f))),
        Node::Cond { .. } => true,
        Node::All(c) | Node::Any(c) | Node::ExactlyOne(c) | Node::AtMostOne(c) => {
            has_conditionals(c)
        }
    })
}

/// A USE-conditional atom resolved with the enabled flags (pkgcore's
/// `transitive_use_atom.evaluate_conditionals` without a tristate filter).
fn evaluate_atom(leaf: &str, enabled: &dyn Fn(&str) -> bool) -> String {
    let Some((base, flags)) = split_use(leaf) else {
        return leaf.to_owned();
    };
    if !flags.iter().any(|f| variable(f)) {
        return leaf.to_owned();
    }
    let mut sorted = flags;
    sorted.sort_unstable();
    let mut out: Vec<String> = sorted
        .iter()
        .filter(|f| !variable(f))
        .map(|f| (*f).to_owned())
        .collect();
    for f in sorted.iter().filter(|f| variable(f)) {
        let conditional = f.ends_with('=');
        let negated = f.starts_with('!');
        let flag = &f[usize::from(negated)..f.len() - 1];
        let raw = if flag.ends_with(')') && flag.len() >= 3 {
            &flag[..flag.len() - 3]
        } else {
            flag
        };
        let on = enabled(raw);
        if conditional {
            // x= → x when on, -x when off; !x= the other way round.
            out.push(if on == negated {
                format!("-{flag}")
            } else {
                flag.to_owned()
            });
        } else if on != negated {
            // x? → x when on; !x? → -x when off; otherwise nothing.
            out.push(if negated {
                format!("-{flag}")
            } else {
                flag.to_owned()
            });
        }
    }
    with_use(base, out)
}

/// Which kind of group a node is evaluated inside (pkgcore's `parent_cls`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    All,
    Any,
    Other,
}

fn evaluate_into(n: &Node, parent: Parent, enabled: &dyn Fn(&str) -> bool, out: &mut Vec<Node>) {
    let group =
        |children: &[Node], me: Parent, make: fn(Vec<Node>) -> Node, out: &mut Vec<Node>| {
            let mut l = Vec::new();
            for c in children {
                evaluate_into(c, me, enabled, &mut l);
            }
            if l.is_empty() {
                return;
            }
            if parent == me || l.len() <= 1 {
                out.extend(l);
            } else {
                out.push(make(l));
            }
        };
    match n {
        Node::Leaf(l) => out.push(Node::Leaf(evaluate_atom(l, enabled))),
        Node::Cond {
            flag,
            negated,
            children,
        } => {
            if enabled(flag) != *negated {
                for c in children {
                    evaluate_into(c, parent, enabled, out);
                }
            }
        }
        Node::All(c) => group(c, Parent::All, Node::All, out),
        Node::Any(c) => group(c, Parent::Any, Node::Any, out),
        Node::ExactlyOne(c) => group(c, Parent::Other, Node::ExactlyOne, out),
        Node::AtMostOne(c) => group(c, Parent::Other, Node::AtMostOne, out),
    }
}

/// The value evaluated with the enabled flags, as pkgcore's `evaluate_depset` does.
pub fn evaluate(nodes: Vec<Node>, enabled: &dyn Fn(&str) -> bool) -> Vec<Node> {
    if !has_conditionals(&nodes) {
        return nodes;
    }
    let mut out = Vec::new();
    for n in &nodes {
        evaluate_into(n, Parent::All, enabled, &mut out);
    }
    out
}

/// The nodes as text, pkgcore's `stringify_boolean`.
pub fn to_text(nodes: &[Node]) -> String {
    fn walk(n: &Node, out: &mut Vec<String>) {
        let (open, children) = match n {
            Node::Leaf(l) => {
                out.push(l.clone());
                return;
            }
            Node::All(c) => ("(".to_owned(), c),
            Node::Any(c) => ("|| (".to_owned(), c),
            Node::ExactlyOne(c) => ("^^ (".to_owned(), c),
            Node::AtMostOne(c) => ("?? (".to_owned(), c),
            Node::Cond {
                flag,
                negated,
                children,
            } => (
                format!("{}{flag}? (", if *negated { "!" } else { "" }),
                children,
            ),
        };
        out.push(open);
        for c in children {
            walk(c, out);
        }
        out.push(")".to_owned());
    }
    let mut out = Vec::new();
    for n in nodes {
        walk(n, &mut out);
    }
    out.join(" ")
}

/// A USE-conditional atom (`foo[a?,!b=]`) as the `(atom, conditions)` leaves pkgcore's
/// `find_cond_nodes` sees after `convert_to_conditionals`: one leaf per combination of
/// the conditional flags (in sorted order), each under one condition per flag (`a`,
/// `!a`; the flag keeps its `(+)`/`(-)` default). `None` for any other leaf.
pub fn expand_transitive(atom: &str) -> Option<Vec<(String, Vec<String>)>> {
    let (base, flags) = split_use(atom)?;
    if !flags.iter().any(|f| variable(f)) {
        return None;
    }
    let mut sorted = flags;
    sorted.sort_unstable();
    let fixed: Vec<String> = sorted
        .iter()
        .filter(|f| !variable(f))
        .map(|f| (*f).to_owned())
        .collect();
    let varied: Vec<&str> = sorted.iter().copied().filter(|f| variable(f)).collect();
    let mut out = Vec::new();
    recurse(base, fixed, &varied, &mut Vec::new(), &mut out);
    Some(out)
}

fn recurse(
    base: &str,
    forced: Vec<String>,
    varied: &[&str],
    conds: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
) {
    let Some((flag, rest)) = varied.split_first() else {
        out.push((with_use(base, forced), conds.clone()));
        return;
    };
    let negated = flag.starts_with('!');
    let name = flag.trim_start_matches('!').trim_end_matches(['?', '=']);
    let with = |extra: Option<String>| {
        let mut f = forced.clone();
        f.extend(extra);
        f
    };
    let (on, off) = if flag.ends_with('?') {
        // a[x?] = x? ( a[x] ) !x? ( a ); a[!x?] = x? ( a ) !x? ( a[-x] )
        if negated {
            (with(None), with(Some(format!("-{name}"))))
        } else {
            (with(Some(name.to_owned())), with(None))
        }
    } else if negated {
        // a[!x=] = x? ( a[-x] ) !x? ( a[x] )
        (with(Some(format!("-{name}"))), with(Some(name.to_owned())))
    } else {
        // a[x=] = x? ( a[x] ) !x? ( a[-x] )
        (with(Some(name.to_owned())), with(Some(format!("-{name}"))))
    };
    conds.push(name.to_owned());
    recurse(base, on, rest, conds, out);
    conds.pop();
    conds.push(format!("!{name}"));
    recurse(base, off, rest, conds, out);
    conds.pop();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use strata_atom::Eapi;
    use strata_atom::depspec::DepKind;

    fn nodes(s: &str) -> Vec<Node> {
        from_spec(&DepSpec::parse(s, DepKind::Rdepend, Eapi::LATEST).unwrap())
    }

    fn eval(s: &str, on: &[&str]) -> String {
        to_text(&evaluate(nodes(s), &|f| on.contains(&f)))
    }

    #[test]
    fn raw_shape() {
        assert_eq!(to_text(&nodes("a/b[y,-x,!z?] c/d")), "a/b[!z?,-x,y] c/d");
        assert_eq!(to_text(&nodes("|| ( a/b ) ( c/d )")), "a/b c/d");
        assert_eq!(
            to_text(&nodes("|| ( a/b c/d ) x? ( e/f )")),
            "|| ( a/b c/d ) x? ( e/f )"
        );
    }

    #[test]
    fn evaluation() {
        // No conditionals at all: unchanged, groups kept.
        assert_eq!(eval("( a/b c/d ) e/f", &[]), "( a/b c/d ) e/f");
        // Taken conditionals are spliced in, all-of groups flattened into all-of.
        assert_eq!(
            eval("x? ( ( a/b c/d ) ) !x? ( e/f ) g/h", &["x"]),
            "a/b c/d g/h"
        );
        // Any-of: one child left is that child; nested any-of flattened; an all-of
        // inside an any-of stays a group.
        assert_eq!(eval("|| ( x? ( a/b ) c/d )", &[]), "c/d");
        assert_eq!(
            eval("|| ( x? ( a/b ) || ( c/d e/f ) ( g/h i/j ) )", &["x"]),
            "|| ( a/b c/d e/f ( g/h i/j ) )"
        );
        assert_eq!(eval("x? ( a/b )", &[]), "");
        // USE-conditional USE dependencies.
        let atom = "a/b[x?,!y?,z=,!w=,s,t(-)?]";
        assert_eq!(eval(atom, &[]), "a/b[-y,-z,s,w]");
        assert_eq!(eval(atom, &["x", "y", "z", "w", "t"]), "a/b[-w,s,t(-),x,z]");
        assert_eq!(eval("a/b[x?]", &[]), "a/b");
    }

    #[test]
    fn shaped_values_are_kept() {
        let spec = |s: &str| DepSpec::parse(s, DepKind::Rdepend, Eapi::LATEST).unwrap();
        assert!(already_shaped(&spec("a/b[x,y] || ( c/d e/f )"), true));
        assert!(!already_shaped(&spec("a/b[y,x]"), false));
        assert!(!already_shaped(&spec("|| ( c/d )"), false));
        assert!(already_shaped(&spec("x? ( a/b ) c/d[x?]"), false));
        assert!(!already_shaped(&spec("x? ( a/b )"), true));
        assert!(!already_shaped(&spec("c/d[x?]"), true));
    }

    #[test]
    fn transitive_expansion() {
        let e = expand_transitive("a/b[x?,s]").unwrap();
        assert_eq!(
            e,
            [
                ("a/b[s,x]".to_owned(), vec!["x".to_owned()]),
                ("a/b[s]".to_owned(), vec!["!x".to_owned()]),
            ]
        );
        let e = expand_transitive("a/b[!y=,x(-)?]").unwrap();
        let got: Vec<(&str, String)> = e.iter().map(|(a, c)| (a.as_str(), c.join(" "))).collect();
        assert_eq!(
            got,
            [
                ("a/b[-y,x(-)]", "y x(-)".to_owned()),
                ("a/b[-y]", "y !x(-)".to_owned()),
                ("a/b[x(-),y]", "!y x(-)".to_owned()),
                ("a/b[y]", "!y !x(-)".to_owned()),
            ]
        );
        assert!(expand_transitive("a/b[x]").is_none());
        assert!(expand_transitive("a/b").is_none());
    }
}
