//! The dependency graph of resource instances: references and `depends_on`, plus the implicit
//! links Azure imposes (a version needs its definition, a definition its gallery, a gallery its
//! resource group, a version its managed image, a role assignment its scope), found by ARM id so
//! they hold even when the configuration writes names as plain strings.

use super::{Address, Desired};
use crate::diagnostic::{Diagnostic, Span};
use crate::fast_hash::FastMap;
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

/// Edges point from a resource to what it needs: `a → b` means b must exist before a. Nodes
/// borrow the configuration's addresses (the rules build this graph at every check: copying an
/// address per node and per index entry was most of its time at the quota ceiling).
pub struct DependencyGraph<'a> {
    pub graph: DiGraph<&'a Address, ()>,
    index: FastMap<&'a Address, NodeIndex>,
}

impl<'a> DependencyGraph<'a> {
    pub fn build(desired: &'a Desired) -> (DependencyGraph<'a>, Vec<Diagnostic>) {
        let mut graph = DiGraph::new();
        let mut index = FastMap::default();
        let mut by_resource: FastMap<&super::ConfigAddress, Vec<NodeIndex>> = FastMap::default();
        let mut spans = FastMap::default();
        for inst in desired.all_instances() {
            let n = graph.add_node(&inst.address);
            index.insert(&inst.address, n);
            by_resource.entry(&inst.address.resource).or_default().push(n);
            spans.insert(n, inst.span.clone());
        }
        // Implicit links lead to the managed resource Azure needs first: a data source reading
        // the same object is no parent (a definition does not wait for a read of its gallery).
        let by_id: FastMap<String, &super::Instance> =
            desired.resources.iter().filter_map(|i| i.id.as_ref().map(|id| (id.to_ascii_lowercase(), i))).collect();
        for inst in desired.all_instances() {
            let from = index[&inst.address];
            let mut targets: Vec<NodeIndex> = Vec::new();
            for dep in &inst.depends_on {
                targets.extend(by_resource.get(&**dep).into_iter().flatten().copied());
            }
            targets.extend(inst.references.iter().filter_map(|a| index.get(&**a).copied()));
            let implicit = inst
                .id
                .as_deref()
                .and_then(sigform_azure::arm_id::parent)
                .into_iter()
                .chain(inst.attrs.str("managed_image_id").map(str::to_string));
            for id in implicit {
                if let Some(target) = by_id.get(&id.to_ascii_lowercase()) {
                    targets.push(index[&target.address]);
                }
            }
            targets.sort();
            targets.dedup();
            for to in targets {
                graph.add_edge(from, to, ());
            }
        }
        let this = DependencyGraph { graph, index };
        let diagnostics = this
            .cycles()
            .into_iter()
            .map(|cycle| cycle_diagnostic(&cycle, spans.get(&cycle[0]).cloned(), |n| this.graph[n].to_string()))
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
