//! The dependency graph of resource instances: references and `depends_on`, plus the implicit
//! links Azure imposes (a version needs its definition, a definition its gallery, a gallery its
//! resource group, a version its managed image, a role assignment its scope), found by ARM id so
//! they hold even when the configuration writes names as plain strings.

use super::{Address, Desired, Instance};
use crate::diagnostic::{Diagnostic, Span};
use crate::fast_hash::{Caseless, FastMap};
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

/// Edges point from a resource to what it needs: `a → b` means b must exist before a. Nodes
/// borrow the configuration's addresses (the rules build this graph at every check: copying an
/// address per node and per index entry was most of its time at the quota ceiling).
pub struct DependencyGraph<'a> {
    pub graph: DiGraph<&'a Address, ()>,
    index: FastMap<&'a Address, NodeIndex>,
}

/// Instances whose edges one thread finds at a time.
const EDGES_AT_A_TIME: usize = 1_024;

impl<'a> DependencyGraph<'a> {
    pub fn build(desired: &'a Desired) -> (DependencyGraph<'a>, Vec<Diagnostic>) {
        // Node `i` is the `i`th instance (managed resources first, so a resource's node is its
        // place in `desired.resources`).
        let instances: Vec<&Instance> = desired.all_instances().collect();
        let mut index = FastMap::with_capacity_and_hasher(instances.len(), Default::default());
        // Each block's nodes: the first, then any others (most blocks have one instance).
        let mut by_block: FastMap<&super::ConfigAddress, (NodeIndex, Vec<NodeIndex>)> = FastMap::default();
        for (i, inst) in instances.iter().enumerate() {
            let n = NodeIndex::new(i);
            index.insert(&inst.address, n);
            by_block.entry(&inst.address.resource).and_modify(|(_, more)| more.push(n)).or_insert((n, Vec::new()));
        }
        // Implicit links lead to the managed resource Azure needs first: a data source reading
        // the same object is no parent (a definition does not wait for a read of its gallery).
        let by_id: FastMap<Caseless, NodeIndex> = desired
            .resources
            .iter()
            .enumerate()
            .filter_map(|(i, inst)| Some((Caseless(inst.id.as_deref()?), NodeIndex::new(i))))
            .collect();
        // Each instance's edges, found on every core, a thousand instances at a time.
        let starts: Vec<usize> = (0..instances.len()).step_by(EDGES_AT_A_TIME).collect();
        let edges = crate::parallel::map(starts, 1, |start| {
            let mut edges = Vec::new();
            let mut targets: Vec<NodeIndex> = Vec::new();
            let end = (start + EDGES_AT_A_TIME).min(instances.len());
            for (from, inst) in instances[start..end].iter().enumerate() {
                targets.clear();
                for dep in &inst.depends_on {
                    if let Some((first, more)) = by_block.get(&**dep) {
                        targets.push(*first);
                        targets.extend(more);
                    }
                }
                targets.extend(inst.references.iter().filter_map(|a| index.get(&**a).copied()));
                let parent = inst.id.as_deref().and_then(sigform_azure::arm_id::parent_in);
                for id in parent.as_deref().into_iter().chain(inst.attrs.str("managed_image_id")) {
                    targets.extend(by_id.get(&Caseless(id)));
                }
                targets.sort();
                targets.dedup();
                edges.extend(targets.iter().map(|&to| (NodeIndex::new(start + from), to)));
            }
            edges
        });
        let mut graph = DiGraph::with_capacity(instances.len(), edges.iter().map(Vec::len).sum());
        for inst in &instances {
            graph.add_node(&inst.address);
        }
        for (from, to) in edges.into_iter().flatten() {
            graph.add_edge(from, to, ());
        }
        let this = DependencyGraph { graph, index };
        let diagnostics = this
            .cycles()
            .into_iter()
            .map(|cycle| {
                let span = instances[cycle[0].index()].span.clone();
                cycle_diagnostic(&cycle, Some(span), |n| this.graph[n].to_string())
            })
            .collect();
        (this, diagnostics)
    }

    pub fn node(&self, address: &Address) -> Option<NodeIndex> {
        self.index.get(address).copied()
    }

    /// Every cycle, each as a closed walk of nodes (first node repeated at the end).
    pub fn cycles(&self) -> Vec<Vec<NodeIndex>> {
        cycles(&self.graph)
    }

    /// Addresses in an order where every resource comes after what it needs.
    pub fn creation_order(&self) -> Option<Vec<Address>> {
        toposort(&self.graph, None).ok().map(|order| order.into_iter().rev().map(|n| self.graph[n].clone()).collect())
    }

    /// Graphviz DOT, for `sigform graph`.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph sigform {\n  rankdir = \"RL\";\n  node [shape = \"box\"];\n");
        let mut nodes: Vec<&Address> = self.graph.node_weights().copied().collect();
        nodes.sort();
        for a in nodes {
            out.push_str(&format!("  {};\n", dot_quote(&a.to_string())));
        }
        let mut edges: Vec<(String, String)> = self
            .graph
            .edge_indices()
            .filter_map(|e| self.graph.edge_endpoints(e))
            .map(|(a, b)| (self.graph[a].to_string(), self.graph[b].to_string()))
            .collect();
        edges.sort();
        for (a, b) in edges {
            out.push_str(&format!("  {} -> {};\n", dot_quote(&a), dot_quote(&b)));
        }
        out.push_str("}\n");
        out
    }
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Every cycle of a graph as a closed walk, found through its strongly connected components.
pub fn cycles<N, E>(graph: &DiGraph<N, E>) -> Vec<Vec<NodeIndex>> {
    let mut found = Vec::new();
    for component in tarjan_scc(graph) {
        let self_loop = component.len() == 1 && graph.find_edge(component[0], component[0]).is_some();
        if component.len() < 2 && !self_loop {
            continue;
        }
        let mut start = component[0];
        for &n in &component {
            start = start.min(n);
        }
        // Walk inside the component until a node repeats: the repeated stretch is a cycle.
        let mut walk = vec![start];
        let mut current = start;
        loop {
            let next = graph
                .neighbors(current)
                .filter(|n| component.contains(n))
                .min()
                .expect("every node of a cyclic component has a successor inside it");
            if let Some(pos) = walk.iter().position(|&n| n == next) {
                let mut cycle = walk[pos..].to_vec();
                cycle.push(next);
                found.push(cycle);
                break;
            }
            walk.push(next);
            current = next;
        }
    }
    found
}

/// SIG007, naming the cycle: `a → b → a`.
pub fn cycle_diagnostic(cycle: &[NodeIndex], span: Option<Span>, name: impl Fn(NodeIndex) -> String) -> Diagnostic {
    let path: Vec<String> = cycle.iter().map(|&n| name(n)).collect();
    Diagnostic::error("SIG007", format!("dependency cycle: {}", path.join(" → ")))
        .at_opt(span)
        .help("break the cycle: one of these must not refer to the next")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_named_in_order() {
        let mut g: DiGraph<&str, ()> = DiGraph::new();
        let a = g.add_node("a");
        let b = g.add_node("b");
        let c = g.add_node("c");
        let d = g.add_node("d");
        g.add_edge(a, b, ());
        g.add_edge(b, c, ());
        g.add_edge(c, a, ());
        g.add_edge(d, d, ());
        let found = cycles(&g);
        let named: Vec<Vec<&str>> = found.iter().map(|c| c.iter().map(|n| g[*n]).collect()).collect();
        assert!(named.contains(&vec!["a", "b", "c", "a"]), "{named:?}");
        assert!(named.contains(&vec!["d", "d"]), "{named:?}");
        let acyclic: DiGraph<&str, ()> = DiGraph::from_edges([(0u32, 1u32), (1, 2)]);
        assert!(cycles(&acyclic).is_empty());
    }
}
