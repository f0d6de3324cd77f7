//! Depth-first iteration over the leaves of a specification, optionally evaluating USE
//! conditionals on the way (so no evaluated copy of the tree is built).

use super::DepNode;
use super::flags::{EnabledFlags, NoFlags};
use super::leaf::Leaf;

/// An iterator over leaves in textual order; see [`DepSpec::leaves`](super::DepSpec::leaves)
/// and [`DepSpec::evaluated_leaves`](super::DepSpec::evaluated_leaves).
///
/// With flags, the leaves under a USE conditional that does not hold are skipped; without,
/// every leaf is visited. Group structure (`||`, `^^`, `??`) is flattened away.
#[derive(Debug, Clone)]
pub struct Leaves<'a, F: ?Sized = NoFlags> {
    stack: Vec<std::slice::Iter<'a, DepNode>>,
    flags: Option<&'a F>,
}

impl<'a, F: EnabledFlags + ?Sized> Leaves<'a, F> {
    pub(super) fn new(items: &'a [DepNode], flags: Option<&'a F>) -> Self {
        Leaves {
            stack: vec![items.iter()],
            flags,
        }
    }
}

impl<'a, F: EnabledFlags + ?Sized> Iterator for Leaves<'a, F> {
    type Item = &'a Leaf;

    fn next(&mut self) -> Option<&'a Leaf> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                None => {
                    self.stack.pop();
                }
                Some(DepNode::Leaf(leaf)) => return Some(leaf),
                Some(DepNode::Conditional(cond, children)) => {
                    if self.flags.is_none_or(|flags| cond.holds(flags)) {
                        self.stack.push(children.iter());
                    }
                }
                Some(
                    DepNode::AllOf(children)
                    | DepNode::AnyOf(children)
                    | DepNode::ExactlyOneOf(children)
                    | DepNode::AtMostOneOf(children),
                ) => self.stack.push(children.iter()),
            }
        }
    }
}
