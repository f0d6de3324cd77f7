//! USE-conditional evaluation and satisfaction (PMS §8.2.1–8.2.5).

use super::flags::EnabledFlags;
use super::leaf::Leaf;
use super::{DepNode, DepSpec};
use crate::eapi::{Eapi, Feature};

/// Evaluates `nodes` into `out`. `choice` says whether they are the direct children of an
/// `||`, `^^` or `??` group: there an active conditional stays one member (an all-of group,
/// or its only child), elsewhere its children join the parent.
fn evaluate_into<F: EnabledFlags + ?Sized>(
    nodes: &[DepNode],
    flags: &F,
    choice: bool,
    out: &mut Vec<DepNode>,
) {
    for node in nodes {
        match node {
            DepNode::Leaf(leaf) => out.push(DepNode::Leaf(leaf.clone())),
            DepNode::AllOf(children) => {
                let members = evaluate(children, flags, false);
                // An emptied all-of group is met; only a choice group needs it as a member.
                if choice || !members.is_empty() {
                    out.push(DepNode::AllOf(members));
                }
            }
            DepNode::AnyOf(children) => out.push(DepNode::AnyOf(evaluate(children, flags, true))),
            DepNode::ExactlyOneOf(children) => {
                out.push(DepNode::ExactlyOneOf(evaluate(children, flags, true)));
            }
            DepNode::AtMostOneOf(children) => {
                out.push(DepNode::AtMostOneOf(evaluate(children, flags, true)));
            }
            DepNode::Conditional(cond, children) => {
                if !cond.holds(flags) {
                    // Disabled: not a member of anything (PMS §8.2.3–8.2.5).
                    continue;
                }
                if choice {
                    let mut members = evaluate(children, flags, false);
                    if members.len() == 1 {
                        out.append(&mut members);
                    } else {
                        out.push(DepNode::AllOf(members));
                    }
                } else {
                    evaluate_into(children, flags, false, out);
                }
            }
        }
    }
}

fn evaluate<F: EnabledFlags + ?Sized>(nodes: &[DepNode], flags: &F, choice: bool) -> Vec<DepNode> {
    let mut out = Vec::with_capacity(nodes.len());
    evaluate_into(nodes, flags, choice, &mut out);
    out
}

/// Whether `node` is met; `None` when it is a disabled conditional (no member of its group).
fn node_met<F, P>(node: &DepNode, flags: &F, eapi: Eapi, leaf_met: &mut P) -> Option<bool>
where
    F: EnabledFlags + ?Sized,
    P: FnMut(&Leaf) -> bool,
{
    let count_met = |children: &[DepNode], leaf_met: &mut P| -> (usize, usize) {
        let mut members = 0;
        let mut met = 0;
        for child in children {
            if let Some(m) = node_met(child, flags, eapi, leaf_met) {
                members += 1;
                met += usize::from(m);
            }
        }
        (members, met)
    };
    let empty_matches = eapi.has(Feature::EmptyAnyOfMatches);
    Some(match node {
        DepNode::Leaf(leaf) => leaf_met(leaf),
        DepNode::AllOf(children) => all_met(children, flags, eapi, leaf_met),
        DepNode::Conditional(cond, children) => {
            if !cond.holds(flags) {
                return None;
            }
            all_met(children, flags, eapi, leaf_met)
        }
        DepNode::AnyOf(children) => {
            let (members, met) = count_met(children, leaf_met);
            (members == 0 && empty_matches) || met > 0
        }
        DepNode::ExactlyOneOf(children) => {
            let (members, met) = count_met(children, leaf_met);
            (members == 0 && empty_matches) || met == 1
        }
        DepNode::AtMostOneOf(children) => count_met(children, leaf_met).1 <= 1,
    })
}

fn all_met<F, P>(nodes: &[DepNode], flags: &F, eapi: Eapi, leaf_met: &mut P) -> bool
where
    F: EnabledFlags + ?Sized,
    P: FnMut(&Leaf) -> bool,
{
    // No short cut: a leaf predicate may want to see every leaf (e.g. to report them all).
    let mut ok = true;
    for node in nodes {
        ok &= node_met(node, flags, eapi, leaf_met) != Some(false);
    }
    ok
}

impl DepSpec {
    /// Evaluates every USE conditional against `flags`: the result has no conditionals.
    ///
    /// A conditional that holds is replaced by its children; as a direct child of `||`,
    /// `^^` or `??` it stays a single member (an all-of group, or its only child). One
    /// that does not hold disappears, and so is no member of such a group (PMS §8.2.3).
    /// An all-of group emptied this way is dropped unless it is a member of a choice
    /// group (where, being met, it matters). Other groups keep their shape, so an emptied
    /// `|| ( )` stays (it counts as matched only in EAPI 0–6, see
    /// [`DepSpec::is_satisfied`]).
    ///
    /// The result keeps the meaning of the original; but where groups were emptied its
    /// `Display` shows `( )`, which only REQUIRED_USE accepts as input, so for other
    /// kinds only a result without empty groups parses back.
    ///
    /// ```
    /// use strata_atom::Eapi;
    /// use strata_atom::depspec::{DepKind, DepSpec};
    ///
    /// let spec = DepSpec::parse("ssl? ( dev-libs/openssl ) || ( doc? ( app-doc/a app-doc/b ) app-doc/c )",
    ///     DepKind::Depend, Eapi::E8)?;
    /// assert_eq!(spec.evaluate(&["ssl", "doc"][..]).to_string(),
    ///     "dev-libs/openssl || ( ( app-doc/a app-doc/b ) app-doc/c )");
    /// assert_eq!(spec.evaluate(&[][..] as &[&str]).to_string(), "|| ( app-doc/c )");
    /// # Ok::<(), strata_atom::ParseError>(())
    /// ```
    pub fn evaluate<F: EnabledFlags + ?Sized>(&self, flags: &F) -> DepSpec {
        DepSpec {
            kind: self.kind,
            eapi: self.eapi,
            items: evaluate(&self.items, flags, false),
        }
    }

    /// Whether the specification is met, with USE conditionals evaluated against `flags`
    /// and each leaf judged by `leaf_met` (e.g. "is this atom installed").
    ///
    /// All-of: every member met; `||`: at least one; `^^`: exactly one; `??`: at most
    /// one. A conditional that does not hold is met, and is no member of an enclosing
    /// `||`/`^^`/`??`; one that holds is a member, met when all its children are (so
    /// also when all of those are disabled conditionals: PMS's vacuous truth, where
    /// Portage's REQUIRED_USE check agrees and its dependency reducer drops the group).
    /// `||` and `^^` groups left without members are met in EAPI 0–6 only. An all-of
    /// group without members is met and a member of its parent (PMS: all of its
    /// elements are matched); Portage's REQUIRED_USE check instead leaves a literally
    /// empty `( )` out of its parent, a corner no real REQUIRED_USE reaches.
    pub fn is_met<F, P>(&self, flags: &F, mut leaf_met: P) -> bool
    where
        F: EnabledFlags + ?Sized,
        P: FnMut(&Leaf) -> bool,
    {
        all_met(&self.items, flags, self.eapi, &mut leaf_met)
    }

    /// Whether a REQUIRED_USE specification is satisfied by the enabled `flags`.
    ///
    /// Leaves `flag` / `!flag` are met when the flag is enabled / disabled; see
    /// [`DepSpec::is_met`] for the groups. Leaves of other kinds count as met.
    ///
    /// ```
    /// use strata_atom::Eapi;
    /// use strata_atom::depspec::{DepKind, DepSpec};
    ///
    /// let ru = DepSpec::parse("^^ ( a b ) c? ( !d )", DepKind::RequiredUse, Eapi::E8)?;
    /// assert!(ru.is_satisfied(&["a"][..]));
    /// assert!(!ru.is_satisfied(&["a", "b"][..]));
    /// assert!(!ru.is_satisfied(&["a", "c", "d"][..]));
    /// # Ok::<(), strata_atom::ParseError>(())
    /// ```
    pub fn is_satisfied<F: EnabledFlags + ?Sized>(&self, flags: &F) -> bool {
        self.is_met(flags, |leaf| match leaf {
            Leaf::Flag(cond) => cond.holds(flags),
            _ => true,
        })
    }

    /// Whether any USE conditional occurs in the specification.
    pub fn has_conditionals(&self) -> bool {
        fn any(nodes: &[DepNode]) -> bool {
            nodes.iter().any(|n| match n {
                DepNode::Conditional(..) => true,
                DepNode::Leaf(_) => false,
                other => any(other.children()),
            })
        }
        any(&self.items)
    }
}
