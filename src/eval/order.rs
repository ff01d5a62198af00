//! The evaluation order of a module's declarations: every node after what it refers to; cycles
//! reported, their members evaluated last; a name declared twice reported (SIG009).
//!
//! At the quota ceiling this is 55,000 nodes and a quarter of a million references, while the
//! other core waits for the order to start parsing blocks again. So nodes are found by the names
//! references carry, borrowed (no address is built to look one up), and each node's references
//! are resolved on every core; only the graph is put together on one.

use super::{Evaluator, Node, NodeBody, NodeKey};
use crate::config::refs::{self, Reference};
use crate::diagnostic::Diagnostic;
use crate::fast_hash::FastMap;
use crate::model::Mode;
use crate::model::graph::{cycle_diagnostic, cycles};
use crate::model::value::Value;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::hash_map::Entry;

/// A module's nodes by the names references use, borrowed from the nodes. Every node of one
/// evaluation is in the same module, so a resource is its mode, type and name.
#[derive(Default)]
struct ByName<'n> {
    locals: FastMap<&'n str, usize>,
    resources: FastMap<(Mode, &'n str, &'n str), usize>,
    modules: FastMap<&'n str, usize>,
    providers: FastMap<&'n str, usize>,
    /// Outputs and checks: named by nothing, but declared once each all the same.
    others: FastMap<&'n NodeKey, usize>,
}

impl<'n> ByName<'n> {
    /// The nodes by name, and each node whose name an earlier one has, with that earlier one
    /// (which references find).
    fn new(nodes: &'n [Node]) -> (ByName<'n>, Vec<(usize, usize)>) {
        fn first<K: std::hash::Hash + Eq>(map: &mut FastMap<K, usize>, key: K, at: usize) -> Option<usize> {
            match map.entry(key) {
                Entry::Occupied(first) => Some(*first.get()),
                Entry::Vacant(free) => {
                    free.insert(at);
                    None
                }
            }
        }
        let mut by = ByName::default();
        let mut twice = Vec::new();
        for (at, node) in nodes.iter().enumerate() {
            let earlier = match &node.key {
                NodeKey::Local(name) => first(&mut by.locals, name.as_str(), at),
                NodeKey::Resource(a) => first(&mut by.resources, (a.mode, a.type_name.as_str(), a.name.as_str()), at),
                NodeKey::Module(name) => first(&mut by.modules, name.as_str(), at),
                NodeKey::Provider(name) => first(&mut by.providers, name.as_str(), at),
                key @ (NodeKey::Output(_) | NodeKey::Check(_)) => first(&mut by.others, key, at),
            };
            if let Some(earlier) = earlier {
                twice.push((earlier, at));
            }
        }
        (by, twice)
    }

    /// The node a reference names, if the module declares it.
    fn find(&self, reference: &Reference) -> Option<usize> {
        match reference {
            Reference::Variable(_) => None,
            Reference::Local(name) => self.locals.get(name.as_str()),
            Reference::Resource(t, n) => self.resources.get(&(Mode::Managed, t.as_str(), n.as_str())),
            Reference::Data(t, n) => self.resources.get(&(Mode::Data, t.as_str(), n.as_str())),
            Reference::Module(name) => self.modules.get(name.as_str()),
        }
        .copied()
    }

    /// The nodes each node needs evaluated first, each list sorted, found on every core (a
    /// walk of every block's whole tree, but for resource blocks, whose references the parse
    /// kept).
    fn needs(&self, nodes: &[Node]) -> Vec<Vec<usize>> {
        // A module call passes provider configurations on: all of them are evaluated first.
        let mut providers: Vec<usize> = self.providers.values().copied().collect();
        providers.sort_unstable();
        crate::parallel::map(nodes.iter().collect(), 1_024, |node: &Node| {
            let mut needs = Vec::new();
            let mut resolve = |found: &[Reference]| needs.extend(found.iter().filter_map(|r| self.find(r)));
            match &node.body {
                NodeBody::Local(a) => resolve(&refs::in_expr(&a.value)),
                NodeBody::Resource(d, _) => {
                    resolve(&d.references);
                    needs.extend(self.providers.get(d.provider.as_str()));
                }
                NodeBody::Output(b) | NodeBody::Check(b) => resolve(&refs::in_block(b)),
                NodeBody::Module(b) => {
                    resolve(&refs::in_block(b));
                    needs.extend(&providers);
                }
                // Only what decides its instances.
                NodeBody::Unsupported(d, _) => resolve(&d.expansion_references),
                NodeBody::Provider(Some(b)) => resolve(&refs::in_block(b)),
                NodeBody::Provider(None) => {}
            }
            needs.sort_unstable();
            needs.dedup();
            needs
        })
    }
}

impl Evaluator<'_> {
    /// Evaluation order: every node after what it refers to. Cycles are reported and their
    /// members evaluated last, seeing each other as unknown. Marks the resource blocks something
    /// refers to (`referenced`).
    pub(super) fn order(&mut self, nodes: &[Node]) -> Vec<usize> {
        let (by_name, twice) = ByName::new(nodes);
        for (first, again) in twice {
            self.declared_twice(&nodes[first], &nodes[again]);
        }
        let needs = by_name.needs(nodes);
        let mut graph: DiGraph<usize, ()> = DiGraph::with_capacity(nodes.len(), needs.iter().map(Vec::len).sum());
        for i in 0..nodes.len() {
            graph.add_node(i);
        }
        let mut needed = vec![false; nodes.len()];
        for (from, needs) in needs.iter().enumerate() {
            for &to in needs {
                graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), ());
                needed[to] = true;
            }
        }
        // A managed block something refers to keeps its values for its readers (most, such as
        // versions at the quota ceiling, are read by nobody); one copy of its address each.
        for (node, _) in nodes.iter().zip(&needed).filter(|(_, needed)| **needed) {
            if let NodeKey::Resource(address) = &node.key
                && address.mode == Mode::Managed
                && !self.referenced.contains(address)
            {
                self.referenced.insert(address.clone());
            }
        }
        let cyclic = cycles(&graph);
        for cycle in &cyclic {
            let first = graph[cycle[0]];
            self.diags
                .push(cycle_diagnostic(cycle, Some(nodes[first].span.clone()), |n| nodes[graph[n]].key.to_string()));
        }
        // Kahn's algorithm over "needs" edges, in declaration order for stable output.
        let mut pending: Vec<usize> = needs.iter().map(Vec::len).collect();
        let mut ready: std::collections::VecDeque<usize> = (0..nodes.len()).filter(|&i| pending[i] == 0).collect();
        let mut order = Vec::with_capacity(nodes.len());
        let mut done = vec![false; nodes.len()];
        while let Some(i) = ready.pop_front() {
            order.push(i);
            done[i] = true;
            for dependent in graph.neighbors_directed(NodeIndex::new(i), petgraph::Direction::Incoming) {
                let d = graph[dependent];
                pending[d] -= 1;
                if pending[d] == 0 {
                    ready.push_back(d);
                }
            }
        }
        let rest: Vec<usize> = (0..nodes.len()).filter(|&i| !done[i]).collect();
        for &i in &rest {
            // Members of (or dependents on) a cycle see each other as unknown.
            self.set_root(&nodes[i].key, Value::Unknown);
        }
        order.extend(rest);
        order
    }

    /// SIG009, at the second declaration, naming the first.
    fn declared_twice(&mut self, first: &Node, again: &Node) {
        let (line, _) = self.input.sources.line_column(first.span.file, first.span.start());
        self.diags.push(
            Diagnostic::error("SIG009", format!("`{}` is declared twice", again.key)).at(again.span.clone()).help(
                format!("the first declaration is in {} at line {line}", self.input.sources.name(first.span.file)),
            ),
        );
    }
}
