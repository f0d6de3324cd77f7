//! USE reduction in the shape Portage's `use_reduce` gives (formats.md §2.4): conditionals
//! evaluated and redundant groups removed.

use super::flags::EnabledFlags;
use super::{DepNode, DepSpec};
use crate::eapi::Feature;

/// Where reduced items go: an all-of context (top level, `( )`, a conditional), an `||`
/// group, or a `^^` / `??` group.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    All,
    Any,
    One,
}

struct Reducer<'f, F: ?Sized> {
    flags: &'f F,
    /// Whether an emptied `||` counts as met (EAPI 0–6) and so can simply go.
    drop_empty_any_of: bool,
}

impl<F: EnabledFlags + ?Sized> Reducer<'_, F> {
    fn reduce(&self, nodes: &[DepNode], context: Context) -> Vec<DepNode> {
        let mut out = Vec::with_capacity(nodes.len());
        for node in nodes {
            self.reduce_into(node, context, &mut out);
        }
        out
    }

    fn reduce_into(&self, node: &DepNode, context: Context, out: &mut Vec<DepNode>) {
        match node {
            DepNode::Leaf(leaf) => out.push(DepNode::Leaf(leaf.clone())),
            DepNode::Conditional(cond, children) => {
                if cond.holds(self.flags) {
                    let items = self.reduce(children, Context::All);
                    self.add_all_of(items, context, out);
                }
            }
            DepNode::AllOf(children) => {
                let items = self.reduce(children, Context::All);
                self.add_all_of(items, context, out);
            }
            DepNode::AnyOf(children) => {
                let mut members = self.reduce(children, Context::Any);
                match (members.len(), context) {
                    (0, _) if self.drop_empty_any_of => {}
                    // `|| ( || ( a b ) c )` is `|| ( a b c )`.
                    (_, Context::Any) => out.append(&mut members),
                    // `|| ( a )` is `a`; `|| ( ( a b ) )` is `a b` where all-of allows.
                    (1, _) => match members.pop() {
                        Some(DepNode::AllOf(items)) => self.add_all_of(items, context, out),
                        Some(member) => self.add_all_of(vec![member], context, out),
                        None => {}
                    },
                    _ => out.push(DepNode::AnyOf(members)),
                }
            }
            DepNode::ExactlyOneOf(children) => {
                out.push(DepNode::ExactlyOneOf(self.reduce(children, Context::One)));
            }
            DepNode::AtMostOneOf(children) => {
                out.push(DepNode::AtMostOneOf(self.reduce(children, Context::One)));
            }
        }
    }

    /// Adds the items of an all-of group (or of a conditional that holds) to `context`.
    fn add_all_of(&self, mut items: Vec<DepNode>, context: Context, out: &mut Vec<DepNode>) {
        match context {
            Context::All => out.append(&mut items),
            _ if items.len() > 1 => out.push(DepNode::AllOf(items)),
            Context::Any => match items.pop() {
                Some(DepNode::AnyOf(mut members)) => out.append(&mut members),
                Some(item) => out.push(item),
                None => {}
            },
            Context::One => out.extend(items.pop()),
        }
    }
}

impl DepSpec {
    /// Evaluates the USE conditionals against `flags` and removes redundant groups, giving
    /// the shape of Portage's `use_reduce` (without `opconvert`):
    ///
    /// * all-of groups outside `||` are dissolved into their parent: `( a ( b c ) )` is
    ///   `a b c`;
    /// * in an `||`, an all-of group (or a conditional that holds) with one item becomes
    ///   that item, and a nested `||` merges into it: `|| ( ( a ) || ( b c ) )` is
    ///   `|| ( a b c )`;
    /// * an `||` with one member becomes that member: `|| ( a )` is `a`;
    /// * an `||` emptied by its conditionals disappears in EAPI 0–6 (where it is met) and
    ///   stays as the unsatisfiable `|| ( )` from EAPI 7;
    /// * `^^` and `??` groups keep their members as groups (there merging would change
    ///   the meaning).
    ///
    /// The leaves are those of [`DepSpec::evaluated_leaves`], in the same order. Use
    /// [`DepSpec::evaluate`] to keep the written structure instead.
    ///
    /// ```
    /// use strata_atom::Eapi;
    /// use strata_atom::depspec::{DepKind, DepSpec};
    ///
    /// let spec = DepSpec::parse(
    ///     "( a/a ( b/b ) ) || ( c/c ) || ( ( d/d e/e ) x? ( || ( f/f g/g ) ) ) || ( y? ( h/h ) )",
    ///     DepKind::Depend,
    ///     Eapi::E6,
    /// )?;
    /// assert_eq!(
    ///     spec.reduce(&["x"][..]).to_string(),
    ///     "a/a b/b c/c || ( ( d/d e/e ) f/f g/g )"
    /// );
    /// # Ok::<(), strata_atom::ParseError>(())
    /// ```
    pub fn reduce<F: EnabledFlags + ?Sized>(&self, flags: &F) -> DepSpec {
        let reducer = Reducer {
            flags,
            drop_empty_any_of: self.eapi.has(Feature::EmptyAnyOfMatches),
        };
        DepSpec {
            kind: self.kind,
            eapi: self.eapi,
            items: reducer.reduce(&self.items, Context::All),
        }
    }
}
