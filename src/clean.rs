//! `-c`: remove the targets the requested goals would build, in the order a build would visit
//! them, printing `Removed <path>` per file (only printing with `-n`). Their records go too.

use crate::graph::{Graph, NodeId, TaskId};
use crate::scheduler::Goal;
use crate::state::State;
use scons_api::NodeKind;
use std::collections::HashSet;

fn visit(g: &Graph, t: TaskId, seen: &mut HashSet<TaskId>, order: &mut Vec<TaskId>) {
    if !seen.insert(t) {
        return;
    }
    for n in g.declared_inputs(t) {
        if let Some(p) = g.producer[n] {
            visit(g, p, seen, order);
        }
    }
    order.push(t);
}

fn visit_dir(g: &Graph, dir: &str, seen: &mut HashSet<TaskId>, order: &mut Vec<TaskId>) {
    for entry in g.dir_entries(dir) {
        if let Some(p) = g.lookup(&entry).and_then(|n| g.producer[n]) {
            visit(g, p, seen, order);
        }
        if g.is_known_dir(&entry) {
            visit_dir(g, &entry, seen, order);
        }
    }
}

/// Remove what the goals build. Returns false when a removal failed.
pub fn clean(g: &Graph, state: Option<&State>, goals: &[Goal], dry_run: bool) -> bool {
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    for goal in goals {
        match goal.inner() {
            Goal::Node(n) => {
                if let Some(p) = g.producer[*n] {
                    visit(g, p, &mut seen, &mut order);
                }
                for &d in &g.nodes[*n].depends {
                    if let Some(p) = g.producer[d] {
                        visit(g, p, &mut seen, &mut order);
                    }
                }
            }
            Goal::Dir(d) => visit_dir(g, d, &mut seen, &mut order),
            Goal::Reflected(_) => {}
        }
    }
    let mut ok = true;
    let mut removed = HashSet::new();
    for t in order {
        let task = &g.tasks[t];
        // Aliases remove nothing; nor do variant-dir duplicates of sources (SCons keeps them).
        let duplicate = |a: &scons_api::ActionRecord| {
            matches!(a, scons_api::ActionRecord::Copy { .. }) && a.sig() == "duplicate"
        };
        let alias = |&n: &NodeId| g.nodes[n].kind == NodeKind::Alias;
        if task.rec.actions.is_empty()
            || task.rec.actions.iter().all(duplicate)
            || task.rec.targets.iter().all(alias)
        {
            continue;
        }
        let extra = task
            .rec
            .targets
            .iter()
            .flat_map(|&n| g.nodes[n].clean.iter().copied());
        let targets: Vec<_> = task
            .rec
            .targets
            .iter()
            .copied()
            .filter(|&n| !g.nodes[n].noclean)
            .chain(extra)
            .collect();
        for n in targets {
            let node = &g.nodes[n];
            if !removed.insert(n) || !matches!(node.kind, NodeKind::File | NodeKind::Dir) {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(&node.abs) else {
                continue;
            };
            if !dry_run {
                let r = if meta.is_dir() {
                    std::fs::remove_dir_all(&node.abs)
                } else {
                    std::fs::remove_file(&node.abs)
                };
                if let Err(e) = r {
                    eprintln!("scons: Could not remove '{}': {e}", node.path);
                    ok = false;
                    continue;
                }
                if let Some(s) = state {
                    s.forget_target(&node.path);
                }
            }
            println!(
                "Removed {}{}",
                if meta.is_dir() { "directory " } else { "" },
                node.path
            );
        }
    }
    ok
}
