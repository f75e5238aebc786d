//! `--tree=all|derived|prune|status|linedraw`: after each named target is built (or found up to
//! date), print its dependency tree as SCons does: every node with its children (a file's
//! sources, explicit dependencies, then implicit ones: command executables and what the scanners
//! found; a folder's known entries), `+-` crosses and `| ` margins (or line-drawing characters),
//! `derived` keeping only built nodes, `prune` printing a subtree seen before as `[name]`, and
//! `status` tagging each line (legend first).

use crate::graph::{Graph, NodeId, TaskId};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use scons_api::NodeKind;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreeOptions {
    pub derived: bool,
    pub prune: bool,
    pub status: bool,
    pub linedraw: bool,
}

/// One `--tree=` value (comma-separated words); `Err` names the word SCons rejects.
pub fn parse(spec: &str) -> Result<TreeOptions, String> {
    let mut t = TreeOptions::default();
    for word in spec.split(',') {
        match word {
            "all" => t.derived = false,
            "derived" => t.derived = true,
            "prune" => t.prune = true,
            "status" => t.status = true,
            "linedraw" => t.linedraw = true,
            other => return Err(other.to_owned()),
        }
    }
    Ok(t)
}

/// SCons's message for a bad `--tree` word (after its usage line).
pub fn invalid_message(word: &str) -> String {
    format!(
        "usage: scons [OPTIONS] [VARIABLES] [TARGETS]\n\nSCons Error: `{word}' is not a valid \
         --tree option type, try:\n    all, derived, prune, status, linedraw\n"
    )
}

/// A node of the tree: a graph node, or a folder (or script file) known only by its path.
#[derive(Debug, Clone)]
pub enum Item {
    Node(NodeId),
    Dir(String),
    Path(String),
}

/// What the tree is drawn from once the build ran.
pub struct View<'a> {
    pub g: &'a Graph,
    /// The inputs each evaluated task was judged on (declared, then implicit), in SCons's order.
    pub inputs: &'a HashMap<TaskId, Vec<NodeId>>,
    /// Was the task built or found up to date in this run (a target's `C` status tag)?
    pub current: &'a dyn Fn(TaskId) -> bool,
}

const LEGEND: &str = " E         = exists\n  R        = exists in repository only\n   b       = implicit builder\n   B       = explicit builder\n    S      = side effect\n     P     = precious\n      A    = always build\n       C   = current\n        N  = no clean\n         H = no cache\n\n";

impl View<'_> {
    /// The tree of `root`, as the text SCons prints.
    pub fn render(&self, root: &Item, opts: &TreeOptions) -> String {
        let mut out = String::new();
        if opts.status {
            out.push_str(LEGEND);
        }
        let mut margin = vec![false];
        let mut visited = HashSet::default();
        self.walk(root, opts, &mut margin, &mut visited, true, &mut out);
        out
    }

    fn name(&self, item: &Item) -> String {
        match item {
            Item::Node(n) => self.g.nodes[*n].path.clone(),
            Item::Dir(d) | Item::Path(d) => d.clone(),
        }
    }

    fn item_for(&self, n: NodeId) -> Item {
        let node = &self.g.nodes[n];
        if node.kind == NodeKind::Dir && self.g.producer[n].is_none() {
            Item::Dir(node.path.clone())
        } else {
            Item::Node(n)
        }
    }

    /// A folder's entries SCons knows: the declared nodes, the scripts read, and the files the
    /// scanners found there.
    fn entries(&self, dir: &str) -> Vec<String> {
        let mut all: std::collections::BTreeSet<String> =
            self.g.entries_with_scripts(dir).into_iter().collect();
        for inputs in self.inputs.values() {
            for &n in inputs {
                if self.g.nodes[n].kind != NodeKind::File {
                    continue;
                }
                let path = &self.g.nodes[n].path;
                if path.rsplit_once('/').map_or(".", |(d, _)| d) == dir {
                    all.insert(path.clone());
                }
            }
        }
        all.into_iter().collect()
    }

    fn children(&self, item: &Item, derived: bool) -> Vec<Item> {
        let all: Vec<Item> = match item {
            Item::Path(_) => Vec::new(),
            Item::Dir(d) => self
                .entries(d)
                .into_iter()
                .filter(|e| e != d)
                .map(|e| match self.g.lookup(&e) {
                    Some(n) if self.g.producer[n].is_some() => Item::Node(n),
                    _ if self.g.is_known_dir(&e) => Item::Dir(e),
                    Some(n) => Item::Node(n),
                    None => Item::Path(e),
                })
                .collect(),
            Item::Node(n) => match self.g.producer[*n] {
                None => Vec::new(),
                Some(t) => {
                    let inputs = match self.inputs.get(&t) {
                        Some(i) => i.clone(),
                        None => {
                            let mut i = self.g.declared_inputs(t);
                            for &n in &self.g.tasks[t].rec.implicit {
                                if !i.contains(&n) {
                                    i.push(n);
                                }
                            }
                            i
                        }
                    };
                    inputs.into_iter().map(|c| self.item_for(c)).collect()
                }
            },
        };
        if !derived {
            return all;
        }
        all.into_iter()
            .filter(|c| matches!(c, Item::Node(n) if self.g.producer[*n].is_some()))
            .collect()
    }

    fn tags(&self, item: &Item) -> String {
        let (exists, builder, precious, always, noclean, nocache, current) = match item {
            Item::Node(n) => {
                let node = &self.g.nodes[*n];
                let exists = match node.kind {
                    NodeKind::File | NodeKind::Dir => node.abs.exists(),
                    _ => true,
                };
                let producer = self.g.producer[*n];
                let current = match producer {
                    Some(t) => (self.current)(t),
                    None => exists,
                };
                (
                    exists,
                    if producer.is_some() { 'B' } else { ' ' },
                    node.precious,
                    node.always_build,
                    node.noclean,
                    node.nocache,
                    current,
                )
            }
            // (a folder has SCons's implicit Mkdir builder)
            Item::Dir(d) => {
                let exists = self.g.top.join(d).exists();
                (exists, 'b', false, false, false, false, exists)
            }
            Item::Path(p) => {
                let exists = self.g.top.join(p).exists();
                (exists, ' ', false, false, false, false, exists)
            }
        };
        let flag = |on: bool, c: char| if on { c } else { ' ' };
        format!(
            "[{}{}{}{}{}{}{}{}{}]",
            flag(exists, 'E'),
            ' ',
            builder,
            ' ',
            flag(precious, 'P'),
            flag(always, 'A'),
            flag(current, 'C'),
            flag(noclean, 'N'),
            flag(nocache, 'H'),
        )
    }

    fn walk(
        &self,
        item: &Item,
        opts: &TreeOptions,
        margin: &mut Vec<bool>,
        visited: &mut HashSet<String>,
        last: bool,
        out: &mut String,
    ) {
        let name = self.name(item);
        let children = self.children(item, opts.derived);
        let mut line = String::new();
        if opts.status {
            line.push_str(&self.tags(item));
        }
        for &m in &margin[..margin.len() - 1] {
            line.push_str(match (m, opts.linedraw) {
                (false, _) => "  ",
                (true, false) => "| ",
                (true, true) => "\u{2502} ",
            });
        }
        let seen = opts.prune && visited.contains(&name) && !children.is_empty();
        if opts.linedraw {
            line.push_str(if last {
                "\u{2514}\u{2500}"
            } else {
                "\u{251c}\u{2500}"
            });
            if !children.is_empty() {
                line.push(if seen { '\u{2500}' } else { '\u{252c}' });
            }
        } else {
            line.push_str("+-");
        }
        if seen {
            out.push_str(&format!("{line}[{name}]\n"));
            return;
        }
        out.push_str(&format!("{line}{name}\n"));
        visited.insert(name);
        if let Some((tail, rest)) = children.split_last() {
            margin.push(true);
            for c in rest {
                self.walk(c, opts, margin, visited, false, out);
            }
            *margin.last_mut().unwrap() = false;
            self.walk(tail, opts, margin, visited, true, out);
            margin.pop();
        }
    }
}
