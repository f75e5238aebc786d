//! `-c`: remove the targets the requested goals would build, in the order a build would visit
//! them, printing `Removed <path>` per file (only printing with `-n`), plus the files `Clean()`
//! attached to each visited node (folders emptied recursively). Their records go too.

use crate::graph::{Graph, NodeId, TaskId};
use crate::scheduler::Goal;
use crate::state::State;
use scons_api::NodeKind;
use std::collections::HashSet;
use std::path::Path;

/// One step of the clean walk: a task's targets, or the `Clean()` files of a node no task builds.
enum Step {
    Task(TaskId),
    Extra(NodeId),
}

#[derive(Default)]
struct Walk {
    tasks: HashSet<TaskId>,
    nodes: HashSet<NodeId>,
    order: Vec<Step>,
}

impl Walk {
    fn task(&mut self, g: &Graph, t: TaskId) {
        if !self.tasks.insert(t) {
            return;
        }
        for n in g.ordering_inputs(t) {
            self.node(g, n);
        }
        self.order.push(Step::Task(t));
    }

    fn node(&mut self, g: &Graph, n: NodeId) {
        if !self.nodes.insert(n) {
            return;
        }
        match g.producer[n] {
            Some(p) => self.task(g, p),
            None => {
                // A file nothing builds still leads to what it `Depends()` on.
                for &d in g.nodes[n].depends() {
                    self.node(g, d);
                }
                if !g.nodes[n].clean().is_empty() {
                    self.order.push(Step::Extra(n));
                }
            }
        }
    }

    /// A folder goal: everything known inside it (sorted, depth first), then the folder.
    fn dir(&mut self, g: &Graph, dir: &str) {
        for entry in g.dir_entries(dir) {
            match g.lookup(&entry) {
                Some(n) if g.is_known_dir(&entry) => {
                    if self.nodes.contains(&n) {
                        continue;
                    }
                    self.dir(g, &entry);
                }
                Some(n) => self.node(g, n),
                None if g.is_known_dir(&entry) => self.dir(g, &entry),
                None => {}
            }
        }
        if let Some(n) = g.lookup(dir) {
            self.node(g, n);
        }
    }
}

/// Remove what the goals build. Returns false when a removal failed.
/// `silent` (`-s`) leaves out the `Removed ...` lines (not the errors), as SCons's.
pub fn clean(
    g: &Graph,
    state: Option<&State>,
    goals: &[Goal],
    dry_run: bool,
    silent: bool,
) -> bool {
    let mut walk = Walk::default();
    for goal in goals {
        match goal.inner() {
            Goal::Node(n) => walk.node(g, *n),
            Goal::Dir(d) => walk.dir(g, d),
            Goal::Reflected(_) => {}
        }
    }
    let mut ok = true;
    for step in walk.order {
        let (targets, extra): (Vec<NodeId>, Vec<NodeId>) = match step {
            Step::Extra(n) => (Vec::new(), g.nodes[n].clean().to_vec()),
            Step::Task(t) => {
                let task = &g.tasks[t];
                // Aliases remove nothing; nor do variant-dir duplicates of sources (SCons keeps
                // them).
                let duplicate = |a: &scons_api::ActionRecord| {
                    matches!(a, scons_api::ActionRecord::Copy { .. }) && a.sig() == "duplicate"
                };
                let alias = |&n: &NodeId| g.nodes[n].kind == NodeKind::Alias;
                if task.details().actions.is_empty()
                    || task.details().actions.iter().all(duplicate)
                    || task.rec.targets.iter().all(alias)
                {
                    continue;
                }
                let targets = task.rec.targets.iter().copied();
                (
                    targets.clone().filter(|&n| !g.nodes[n].noclean).collect(),
                    targets.flat_map(|n| g.nodes[n].clean().to_vec()).collect(),
                )
            }
        };
        for n in targets {
            let node = &g.nodes[n];
            // Only files are removed; `-n` names them whether or not they exist.
            if node.kind != NodeKind::File {
                continue;
            }
            if dry_run {
                removed(silent, &node.path);
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(&node.abs) else {
                continue;
            };
            if meta.is_dir() {
                continue;
            }
            if let Err(e) = std::fs::remove_file(&node.abs) {
                println!("scons: Could not remove '{}' {}", node.path, os_reason(&e));
                ok = false;
                continue;
            }
            if let Some(s) = state {
                s.forget_target(&node.path);
            }
            removed(silent, &node.path);
        }
        for n in extra {
            let node = &g.nodes[n];
            if matches!(node.kind, NodeKind::File | NodeKind::Dir) {
                delete(&node.abs, &node.path, dry_run, silent, state);
            }
        }
    }
    ok
}

/// Remove a `Clean()` file, or a folder and everything in it, naming each file as it goes.
fn delete(abs: &Path, shown: &str, dry_run: bool, silent: bool, state: Option<&State>) {
    let Ok(meta) = std::fs::symlink_metadata(abs) else {
        return;
    };
    if !meta.is_dir() {
        if !dry_run {
            if let Err(e) = std::fs::remove_file(abs) {
                println!("scons: Could not remove '{shown}': {}", os_reason(&e));
                return;
            }
            if let Some(s) = state {
                s.forget_target(shown);
            }
        }
        removed(silent, shown);
        return;
    }
    let mut names: Vec<String> = match std::fs::read_dir(abs) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) => {
            println!("scons: Could not remove '{shown}': {}", os_reason(&e));
            return;
        }
    };
    names.sort();
    for name in names {
        delete(
            &abs.join(&name),
            &format!("{shown}/{name}"),
            dry_run,
            silent,
            state,
        );
    }
    if !dry_run {
        if let Err(e) = std::fs::remove_dir(abs) {
            println!("scons: Could not remove '{shown}': {}", os_reason(&e));
            return;
        }
    }
    removed(silent, &format!("directory {shown}"));
}

/// SCons's `Removed PATH` line (its `display`, which `-s` turns off).
fn removed(silent: bool, what: &str) {
    if !silent {
        println!("Removed {what}");
    }
}

/// An I/O error's reason as Python's `strerror` words it.
fn os_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}
