//! A stand-in for HAProxy's `eb32` trees, with the semantics the balancers depend on.
//!
//! HAProxy's schedulers keep servers in elastic binary trees keyed by `u32`, with duplicate
//! keys allowed. Two properties decide which server is picked, so this type reproduces them:
//! nodes are visited in ascending key order, and nodes with equal keys are visited in
//! insertion order (ebtree appends a duplicate after the existing ones). Deleting a node and
//! inserting it again therefore moves it behind its equals, which is what makes HAProxy's
//! least-connection and weighted round-robin rotate among ties.

use std::collections::BTreeMap;

/// Where a node sits in a tree: its key and the insertion sequence number that orders it
/// among duplicates.
pub type NodeRef = (u32, u64);

/// An ordered multimap from `u32` keys to values, duplicates in insertion order.
#[derive(Debug, Clone)]
pub struct EbTree<V> {
    nodes: BTreeMap<NodeRef, V>,
    seq: u64,
}

impl<V> Default for EbTree<V> {
    fn default() -> Self {
        Self {
            nodes: BTreeMap::new(),
            seq: 0,
        }
    }
}

impl<V: Copy> EbTree<V> {
    /// Inserts `value` under `key` behind any node with the same key.
    pub fn insert(&mut self, key: u32, value: V) -> NodeRef {
        self.seq += 1;
        let node = (key, self.seq);
        self.nodes.insert(node, value);
        node
    }

    /// Removes a node; removing a node that is not in the tree does nothing (as
    /// `eb32_delete` on a detached node).
    pub fn delete(&mut self, node: NodeRef) {
        self.nodes.remove(&node);
    }

    pub fn first(&self) -> Option<(NodeRef, V)> {
        self.nodes.iter().next().map(|(k, v)| (*k, *v))
    }

    pub fn last(&self) -> Option<(NodeRef, V)> {
        self.nodes.iter().next_back().map(|(k, v)| (*k, *v))
    }

    /// The node following `node` (which need not be in the tree any more).
    pub fn next(&self, node: NodeRef) -> Option<(NodeRef, V)> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.nodes
            .range((Excluded(node), Unbounded))
            .next()
            .map(|(k, v)| (*k, *v))
    }

    pub fn prev(&self, node: NodeRef) -> Option<(NodeRef, V)> {
        self.nodes.range(..node).next_back().map(|(k, v)| (*k, *v))
    }

    /// The first node whose key is greater than or equal to `key`.
    pub fn lookup_ge(&self, key: u32) -> Option<(NodeRef, V)> {
        self.nodes.range((key, 0)..).next().map(|(k, v)| (*k, *v))
    }

    pub fn contains(&self, node: NodeRef) -> bool {
        self.nodes.contains_key(&node)
    }

    pub fn get(&self, node: NodeRef) -> Option<V> {
        self.nodes.get(&node).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_keep_insertion_order_and_reinsertion_moves_behind() {
        let mut t = EbTree::default();
        let a = t.insert(5, 'a');
        t.insert(5, 'b');
        t.insert(1, 'c');
        assert_eq!(t.first().map(|x| x.1), Some('c'));
        t.delete(a);
        t.insert(5, 'a');
        let order: Vec<char> = {
            let mut v = Vec::new();
            let mut cur = t.first();
            while let Some((n, c)) = cur {
                v.push(c);
                cur = t.next(n);
            }
            v
        };
        assert_eq!(order, vec!['c', 'b', 'a']);
        assert_eq!(t.lookup_ge(2).map(|x| x.1), Some('b'));
        assert_eq!(t.lookup_ge(6), None);
        assert_eq!(t.len(), 3);
    }
}
