//! Up-to-date checks: the content signature of every input (memoised for the run, and cached
//! across runs by stat in the state store), the implicit dependencies the include scanner finds,
//! and the verdict for a task under its decider.

use crate::graph::{Graph, NodeId, TaskId};
use crate::scanner;
use crate::signature::{hash_file, hash_str, Stamp, Stat};
use crate::state::{Include, InputRecord, State, TargetRecord};
use scons_api::{Decider, NodeKind, ScannerKind};
use std::collections::{HashMap, HashSet};

/// Why a task must run (the `--debug=explain` text), or `None` when it is up to date.
pub type Reason = Option<String>;

pub struct Checker<'s> {
    pub state: &'s State,
    stats: HashMap<NodeId, Option<Stat>>,
    csigs: HashMap<NodeId, Option<String>>,
    includes: HashMap<NodeId, Vec<Include>>,
    exists: HashMap<String, bool>,
    /// Variant-dir header path → the path to use for it (see `duplicate_header`).
    duplicates: HashMap<String, Option<String>>,
}

/// What scanning a task's sources found.
pub struct Scan {
    /// Every header reached, in the order found.
    pub implicit: Vec<NodeId>,
    /// Headers that a task builds and that are not built yet: wait for them, then scan again.
    pub unbuilt: Vec<NodeId>,
}

impl<'s> Checker<'s> {
    pub fn new(state: &'s State) -> Self {
        Checker {
            state,
            stats: HashMap::new(),
            csigs: HashMap::new(),
            includes: HashMap::new(),
            exists: HashMap::new(),
            duplicates: HashMap::new(),
        }
    }

    pub fn stat(&mut self, g: &Graph, n: NodeId) -> Option<Stat> {
        if let Some(s) = self.stats.get(&n) {
            return *s;
        }
        let s = match g.nodes[n].kind {
            NodeKind::File | NodeKind::Dir => Stat::of(&g.nodes[n].abs),
            _ => None,
        };
        self.stats.insert(n, s);
        s
    }

    pub fn exists(&mut self, g: &Graph, n: NodeId) -> bool {
        match g.nodes[n].kind {
            NodeKind::File | NodeKind::Dir => self.stat(g, n).is_some(),
            NodeKind::Value => true,
            NodeKind::Alias => true,
        }
    }

    /// The content signature of a node now (`None` for a missing file).
    pub fn csig(&mut self, g: &Graph, n: NodeId) -> Option<String> {
        if let Some(c) = self.csigs.get(&n) {
            return c.clone();
        }
        let node = &g.nodes[n];
        let c = match node.kind {
            NodeKind::Value => Some(hash_str(&node.path)),
            // Like SCons, an alias's signature is made of its children's: a task that depends
            // on an alias is rebuilt when something the alias stands for changed.
            NodeKind::Alias => match g.producer[n] {
                None => Some(String::from("alias")),
                Some(t) => {
                    let mut text = String::from("alias");
                    for i in g.declared_inputs(t) {
                        text.push('\n');
                        text.push_str(self.csig(g, i).as_deref().unwrap_or("-"));
                    }
                    Some(hash_str(&text))
                }
            },
            NodeKind::Dir => self.stat(g, n).map(|_| String::from("dir")),
            NodeKind::File => match self.stat(g, n) {
                None => None,
                Some(st)
                    if std::fs::metadata(&node.abs)
                        .map(|m| m.is_dir())
                        .unwrap_or(false) =>
                {
                    let _ = st;
                    Some(String::from("dir"))
                }
                Some(st) => match self.state.cached_csig(&node.path, &st) {
                    Some(c) => Some(c),
                    None => match hash_file(&node.abs) {
                        Ok(c) => {
                            self.state.set_stamp(
                                &node.path,
                                &Stamp {
                                    stat: st,
                                    csig: c.clone(),
                                },
                            );
                            Some(c)
                        }
                        Err(_) => None,
                    },
                },
            },
        };
        self.csigs.insert(n, c.clone());
        c
    }

    /// Forget what is known of a node (it was just rebuilt or removed).
    pub fn forget(&mut self, n: NodeId) {
        self.stats.remove(&n);
        self.csigs.remove(&n);
        self.includes.remove(&n);
    }

    fn path_exists(&mut self, g: &Graph, path: &str) -> bool {
        if let Some(&e) = self.exists.get(path) {
            return e;
        }
        let e = match g.lookup(path) {
            Some(n) if g.producer[n].is_some() => true,
            _ => crate::graph::normalize(&g.top, std::path::Path::new(path)).is_file(),
        };
        self.exists.insert(path.to_owned(), e);
        e
    }

    fn file_includes(&mut self, g: &Graph, n: NodeId) -> Vec<Include> {
        if let Some(v) = self.includes.get(&n) {
            return v.clone();
        }
        let found = match self.csig(g, n) {
            None => Vec::new(),
            Some(c) => match self.state.includes(&c) {
                Some(v) => v,
                None => {
                    let text = std::fs::read(&g.nodes[n].abs).unwrap_or_default();
                    let v = scanner::extract_includes(&text);
                    self.state.set_includes(&c, &v);
                    v
                }
            },
        };
        self.includes.insert(n, found.clone());
        found
    }

    /// Follow the includes of a task's sources, recursively, through its scanner's path.
    pub fn scan(&mut self, g: &mut Graph, t: TaskId, done: &dyn Fn(NodeId) -> bool) -> Scan {
        let mut scan = Scan {
            implicit: Vec::new(),
            unbuilt: Vec::new(),
        };
        let Some(sc) = g.tasks[t].rec.scanner.clone() else {
            return scan;
        };
        match sc.kind {
            ScannerKind::C => {}
        }
        let cpppath = sc.path;
        let mut seen: HashSet<NodeId> = HashSet::new();
        let mut queue: Vec<NodeId> = g.tasks[t]
            .rec
            .sources
            .iter()
            .copied()
            .filter(|&s| {
                g.nodes[s].kind == NodeKind::File && scanner::is_scannable(&g.nodes[s].path)
            })
            .collect();
        seen.extend(queue.iter().copied());
        let mut i = 0;
        while i < queue.len() {
            let f = queue[i];
            i += 1;
            if g.producer[f].is_some() && !done(f) {
                continue; // a generated file not built yet: the caller waits for it
            }
            let own_dir = match g.nodes[f].path.rfind('/') {
                Some(0) => "/".to_owned(),
                Some(k) => g.nodes[f].path[..k].to_owned(),
                None => ".".to_owned(),
            };
            for inc in self.file_includes(g, f) {
                let mut found = None;
                for dir in scanner::search_order(&inc, &own_dir, &cpppath) {
                    let candidate = if dir == "." {
                        inc.name.clone()
                    } else {
                        format!("{dir}/{}", inc.name)
                    };
                    let candidate = if candidate.contains("..") || candidate.contains("./") {
                        crate::graph::top_relative(
                            &g.top,
                            &crate::graph::normalize(&g.top, std::path::Path::new(&candidate)),
                        )
                    } else {
                        candidate
                    };
                    if let Some(p) = self.duplicate_header(g, &candidate) {
                        found = Some(p);
                        break;
                    }
                    if self.path_exists(g, &candidate) {
                        found = Some(candidate);
                        break;
                    }
                }
                if let Some(path) = found {
                    let n = g.file_node(&path);
                    if seen.insert(n) {
                        scan.implicit.push(n);
                        if g.producer[n].is_some() && !done(n) {
                            scan.unbuilt.push(n);
                        }
                        if scanner::is_scannable(&path) {
                            queue.push(n);
                        }
                    }
                }
            }
        }
        scan
    }

    /// A header looked for in a variant folder with duplicate=1 that mirrors an existing source
    /// file: SCons duplicates what its scanner finds there, so copy it (refreshing an old copy)
    /// and use the copy. Under `-n`/`-q` nothing is copied: a missing or stale copy stands for
    /// the source file itself. `None` when `path` is no such header.
    fn duplicate_header(&mut self, g: &Graph, path: &str) -> Option<String> {
        if let Some(p) = self.duplicates.get(path) {
            return p.clone();
        }
        let found = self.find_duplicate(g, path);
        self.duplicates.insert(path.to_owned(), found.clone());
        found
    }

    fn find_duplicate(&mut self, g: &Graph, path: &str) -> Option<String> {
        if g.lookup(path).is_some_and(|n| g.producer[n].is_some()) {
            return None;
        }
        let src = g.duplicated_source(path)?;
        let src_abs = crate::graph::normalize(&g.top, std::path::Path::new(&src));
        let data = std::fs::read(&src_abs).ok()?;
        let dst = crate::graph::normalize(&g.top, std::path::Path::new(path));
        if std::fs::read(&dst).is_ok_and(|old| old == data) {
            return Some(path.to_owned());
        }
        if self.state.is_read_only() {
            return Some(src);
        }
        if let Some(parent) = dst.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        std::fs::write(&dst, &data).ok()?;
        Some(path.to_owned())
    }

    /// The records of a task's inputs as they are now.
    pub fn input_records(&mut self, g: &Graph, inputs: &[NodeId]) -> Vec<InputRecord> {
        inputs
            .iter()
            .map(|&n| InputRecord {
                path: g.nodes[n].path.clone(),
                csig: self.csig(g, n).unwrap_or_default(),
                mtime_ns: self.stat(g, n).map(|s| s.mtime_ns).unwrap_or(0),
            })
            .collect()
    }

    /// Decide whether task `t` must run, given all its inputs (declared and scanned).
    pub fn verdict(&mut self, g: &Graph, t: TaskId, inputs: &[InputRecord]) -> Reason {
        let task = &g.tasks[t];
        let is_alias = task
            .rec
            .targets
            .iter()
            .all(|&n| g.nodes[n].kind == NodeKind::Alias);
        for &n in &task.rec.targets {
            let node = &g.nodes[n];
            if node.always_build {
                return Some(format!("`{}' is always built", node.path));
            }
            let exists = node.kind == NodeKind::Alias || self.exists(g, n);
            if !exists {
                return Some(format!("building `{}' because it doesn't exist", node.path));
            }
            let Some(rec) = self.state.target(&node.path) else {
                return Some(format!(
                    "Cannot explain why `{}' is being rebuilt: No previous build information found",
                    node.path
                ));
            };
            if let Some(stamp) = &rec.stamp {
                // The file must still be what the recorded command left.
                let now = self.stat(g, n);
                if now != Some(stamp.stat)
                    && self.csig(g, n).as_deref() != Some(stamp.csig.as_str())
                {
                    return Some(format!(
                        "rebuilding `{}' because it was changed since it was built",
                        node.path
                    ));
                }
            } else if !is_alias {
                return Some(format!(
                    "rebuilding `{}' because it was not recorded",
                    node.path
                ));
            }
            if rec.action_sig != task.action_sig {
                return Some(format!(
                    "rebuilding `{}' because the build action changed",
                    node.path
                ));
            }
            if let Some(reason) =
                inputs_changed(&node.path, &rec, inputs, task.rec.decider, self.stat(g, n))
            {
                return Some(reason);
            }
        }
        None
    }

    /// What to record for a target just built by task `t`.
    pub fn record_for(
        &mut self,
        g: &Graph,
        t: TaskId,
        n: NodeId,
        inputs: Vec<InputRecord>,
    ) -> TargetRecord {
        self.forget(n);
        let stamp = match g.nodes[n].kind {
            NodeKind::Alias | NodeKind::Value => None,
            _ => self.stat(g, n).map(|st| Stamp {
                stat: st,
                csig: self.csig(g, n).unwrap_or_default(),
            }),
        };
        TargetRecord {
            action_sig: g.tasks[t].action_sig.clone(),
            inputs,
            stamp,
        }
    }
}

fn inputs_changed(
    target: &str,
    rec: &TargetRecord,
    now: &[InputRecord],
    decider: Decider,
    target_stat: Option<Stat>,
) -> Reason {
    let old: HashMap<&str, &InputRecord> =
        rec.inputs.iter().map(|i| (i.path.as_str(), i)).collect();
    for input in now {
        let Some(before) = old.get(input.path.as_str()) else {
            return Some(format!(
                "rebuilding `{target}' because `{}' is a new dependency",
                input.path
            ));
        };
        let changed = match decider {
            Decider::Content | Decider::ContentTimestamp => before.csig != input.csig,
            Decider::TimestampMatch => before.mtime_ns != input.mtime_ns,
            Decider::TimestampNewer => {
                input.mtime_ns > target_stat.map(|s| s.mtime_ns).unwrap_or(i128::MIN)
            }
        };
        if changed {
            return Some(format!(
                "rebuilding `{target}' because `{}' changed",
                input.path
            ));
        }
    }
    if now.len() != rec.inputs.len() {
        let current: HashSet<&str> = now.iter().map(|i| i.path.as_str()).collect();
        if let Some(gone) = rec
            .inputs
            .iter()
            .find(|i| !current.contains(i.path.as_str()))
        {
            return Some(format!(
                "rebuilding `{target}' because `{}' is no longer a dependency",
                gone.path
            ));
        }
    }
    None
}
