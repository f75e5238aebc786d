//! The part of a declared graph that a named target needs: the nodes and tasks it reaches
//! through declared edges (sources, dependencies, targets, `Depends`, `Ignore`...). A request
//! that names one target keeps only its part (see `graph_cache`), so that its next runs load
//! only that. With it go the paths of the nodes outside the part that matter (built by a
//! task, or with flags or lists of their own): a build whose include scanner meets one of them
//! cannot go on with the part, and starts again on the whole graph (see `Graph::escaped`).

use crate::graph::NodeExtras;
use scons_api::{BuildGraph, NodeId, NodeKind, NodeRecord, TaskRecord};

/// A part of a graph, and the hashes (`graph::path_hash`) of the paths outside it that matter,
/// sorted.
pub struct Part {
    pub graph: BuildGraph,
    pub outside: Vec<u64>,
}

/// Has a node nothing beyond its path and kind (as a file found by scanning, made anew, has)?
fn plain(n: &NodeRecord) -> bool {
    n.kind == NodeKind::File
        && !(n.precious || n.always_build || n.noclean || n.nocache || n.pseudo)
        && NodeExtras::none_in(n)
}

/// Every node a task names.
fn task_nodes(t: &TaskRecord) -> impl Iterator<Item = NodeId> + '_ {
    t.targets
        .iter()
        .chain(&t.sources)
        .chain(&t.deps)
        .chain(&t.requires)
        .chain(&t.side_effects)
        .chain(&t.implicit)
        .chain(t.python_scanners.iter().flat_map(|s| &s.sources))
        .copied()
}

/// The part of `graph` that its named target (`BUILD_TARGETS`) needs, when it can stand for
/// the whole graph: one target, named by its plain path and built by one task, and a part
/// that holds files only (a folder or an alias stands for what is under or behind it, which
/// only the whole graph knows). `None` when it cannot, or would not be smaller.
///
/// (One target only: a build that has to start again on the whole graph has then said nothing
/// about its goal yet.)
pub fn part_of(graph: &BuildGraph) -> Option<Part> {
    let words = graph.build_targets.as_ref().filter(|t| t.len() == 1)?;
    if graph.progress.is_some() || graph.variant_dirs.iter().any(|v| v.duplicate) {
        return None;
    }
    let n = graph.nodes.len();
    let mut producer: Vec<Option<usize>> = vec![None; n];
    for (t, task) in graph.tasks.iter().enumerate() {
        for &x in &task.targets {
            if producer.get_mut(x)?.replace(t).is_some() {
                return None; // (two tasks for one target: the whole graph judges that)
            }
        }
    }
    let by_path: std::collections::HashMap<&str, NodeId> = graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| node.kind == NodeKind::File)
        .map(|(i, node)| (node.path.as_str(), i))
        .collect();
    let mut stack = Vec::new();
    for w in words {
        if !crate::graph::is_clean_relative(w)
            || graph
                .nodes
                .iter()
                .any(|node| node.kind == NodeKind::Alias && node.path == *w)
        {
            return None;
        }
        let goal = *by_path.get(w.as_str())?;
        producer[goal]?;
        stack.push(goal);
    }
    let mut node_in = vec![false; n];
    let mut task_in = vec![false; graph.tasks.len()];
    while let Some(x) = stack.pop() {
        if std::mem::replace(node_in.get_mut(x)?, true) {
            continue;
        }
        let node = &graph.nodes[x];
        if node.kind != NodeKind::File {
            return None;
        }
        stack.extend(node.clean.iter().chain(&node.ignore).chain(&node.depends));
        if let Some(t) = producer[x] {
            if !std::mem::replace(&mut task_in[t], true) {
                stack.extend(task_nodes(&graph.tasks[t]));
            }
        }
    }
    let kept = node_in.iter().filter(|&&k| k).count();
    if kept == n {
        return None;
    }
    // The part, its nodes and tasks numbered in the whole graph's order.
    let mut new_id = vec![usize::MAX; n];
    let mut nodes = Vec::with_capacity(kept);
    for (i, node) in graph.nodes.iter().enumerate() {
        if node_in[i] {
            new_id[i] = nodes.len();
            nodes.push(node.clone());
        }
    }
    let renumber = |ids: &mut Vec<NodeId>| ids.iter_mut().for_each(|x| *x = new_id[*x]);
    for node in &mut nodes {
        renumber(&mut node.clean);
        renumber(&mut node.ignore);
        renumber(&mut node.depends);
    }
    let mut tasks = Vec::new();
    for (t, task) in graph.tasks.iter().enumerate() {
        if task_in[t] {
            let mut task = task.clone();
            for list in [
                &mut task.targets,
                &mut task.sources,
                &mut task.deps,
                &mut task.requires,
                &mut task.side_effects,
                &mut task.implicit,
            ] {
                renumber(list);
            }
            for s in &mut task.python_scanners {
                renumber(&mut s.sources);
            }
            tasks.push(task);
        }
    }
    let mut outside: Vec<u64> = graph
        .nodes
        .iter()
        .enumerate()
        .filter(|&(i, node)| !node_in[i] && (producer[i].is_some() || !plain(node)))
        .map(|(_, node)| crate::graph::path_hash(&node.path))
        .collect();
    outside.sort_unstable();
    outside.dedup();
    let part = BuildGraph {
        nodes,
        tasks,
        // (the named targets are what is built: the defaults are not looked at)
        default_targets: None,
        build_targets: graph.build_targets.clone(),
        help_text: graph.help_text.clone(),
        option_help: graph.option_help.clone(),
        options: graph.options.clone(),
        variant_dirs: graph.variant_dirs.clone(),
        exit: graph.exit,
        inputs: None,
        stdout: graph.stdout.clone(),
        stderr: graph.stderr.clone(),
        warnings: graph.warnings.clone(),
        progress: None,
        sconscripts: graph.sconscripts.clone(),
    };
    Some(Part {
        graph: part,
        outside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::path_hash;

    /// Two programs, `one` (from a.c and b.c) and `two` (from c.c), and a header `gen.h` made
    /// from `gen.in`; `b.o` depends on `extra` (a plain file) and `one` is precious.
    fn two_programs(targets: &[&str]) -> BuildGraph {
        serde_json::from_value(serde_json::json!({
            "nodes": [
                {"path": "a.c", "kind": "file"},
                {"path": "b.c", "kind": "file"},
                {"path": "c.c", "kind": "file"},
                {"path": "a.o", "kind": "file"},
                {"path": "b.o", "kind": "file"},
                {"path": "c.o", "kind": "file"},
                {"path": "one", "kind": "file", "precious": true},
                {"path": "two", "kind": "file"},
                {"path": "gen.in", "kind": "file"},
                {"path": "gen.h", "kind": "file"},
                {"path": "extra", "kind": "file"},
                {"path": "all", "kind": "alias"},
            ],
            "tasks": [
                {"targets": [3], "sources": [0]},
                {"targets": [4], "sources": [1], "deps": [10]},
                {"targets": [5], "sources": [2]},
                {"targets": [6], "sources": [3, 4]},
                {"targets": [7], "sources": [5]},
                {"targets": [9], "sources": [8]},
                {"targets": [11], "sources": [6, 7]},
            ],
            "build_targets": targets,
        }))
        .unwrap()
    }

    #[test]
    fn a_target_keeps_what_it_reaches_renumbered_in_order() {
        let part = part_of(&two_programs(&["one"])).unwrap();
        let paths: Vec<&str> = part.graph.nodes.iter().map(|n| n.path.as_str()).collect();
        assert_eq!(paths, ["a.c", "b.c", "a.o", "b.o", "one", "extra"]);
        assert!(part.graph.nodes[4].precious);
        let tasks: Vec<(Vec<usize>, Vec<usize>, Vec<usize>)> = part
            .graph
            .tasks
            .iter()
            .map(|t| (t.targets.clone(), t.sources.clone(), t.deps.clone()))
            .collect();
        assert_eq!(
            tasks,
            [
                (vec![2], vec![0], vec![]),
                (vec![3], vec![1], vec![5]),
                (vec![4], vec![2, 3], vec![]),
            ]
        );
        // Outside: what a task builds there, and the alias; not the plain sources.
        let mut outside: Vec<u64> = ["c.o", "two", "gen.h", "all"]
            .iter()
            .map(|p| path_hash(p))
            .collect();
        outside.sort_unstable();
        assert_eq!(part.outside, outside);
    }

    #[test]
    fn only_one_plain_built_file_target_makes_a_part() {
        assert!(
            part_of(&two_programs(&["one", "two"])).is_none(),
            "two targets"
        );
        assert!(part_of(&two_programs(&["all"])).is_none(), "an alias");
        assert!(part_of(&two_programs(&["a.c"])).is_none(), "a source");
        assert!(
            part_of(&two_programs(&["./one"])).is_none(),
            "not its plain path"
        );
        assert!(part_of(&two_programs(&[])).is_none(), "no target");
        let mut g = two_programs(&["one"]);
        g.tasks[2].targets.push(3);
        assert!(part_of(&g).is_none(), "a.o built by two tasks");
        let mut g = two_programs(&["one"]);
        g.nodes[10].kind = NodeKind::Dir;
        assert!(part_of(&g).is_none(), "a folder in the part");
        let whole: BuildGraph = serde_json::from_value(serde_json::json!({
            "nodes": [{"path": "a.c", "kind": "file"}, {"path": "one", "kind": "file"}],
            "tasks": [{"targets": [1], "sources": [0]}],
            "build_targets": ["one"],
        }))
        .unwrap();
        assert!(part_of(&whole).is_none(), "no smaller than the whole graph");
    }
}
