//! Up-to-date checks: the content signature of every input (memoised for the run, and cached
//! across runs by stat in the state store), the implicit dependencies the include scanner finds,
//! and the verdict for a task under its decider.

use crate::callbacks::FrontEndCalls;
use crate::graph::{Graph, NodeId, TaskId};
use crate::scanner;
use crate::signature::{hash_file, hash_str, Stamp, Stat};
use crate::state::{Include, InputRecord, State, TargetRecord};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use scons_api::{ActionRecord, Decider, NodeKind, ScannerKind, TaskDetails};

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
    /// See `Memo`: tasks known current since the last build, and what they were judged on.
    pub settled: HashSet<TaskId>,
    /// See `Memo`.
    links: HashSet<NodeId>,
    /// When each link was last looked at (see `links_unchanged`).
    links_looked: HashMap<NodeId, usize>,
    pub inputs_of: HashMap<TaskId, Vec<NodeId>>,
    pub targets_of: HashMap<TaskId, Vec<NodeId>>,
    /// See `Memo`.
    pub judged: HashSet<TaskId>,
    /// See `Memo`.
    restated: Vec<NodeId>,
}

/// What a checker learnt of the files (stats, signatures, includes, probed paths), kept from one
/// build to the next by watch mode, which forgets what changed (`forget_path`).
#[derive(Default)]
pub struct Memo {
    pub(crate) stats: HashMap<NodeId, Option<Stat>>,
    pub(crate) csigs: HashMap<NodeId, Option<String>>,
    pub(crate) includes: HashMap<NodeId, Vec<Include>>,
    pub(crate) exists: HashMap<String, bool>,
    pub(crate) duplicates: HashMap<String, Option<String>>,
    /// Tasks found current (or built) by the last build, that nothing has touched since: the
    /// next build takes them as current without looking (watch mode's cycles cost what changed).
    pub(crate) settled: HashSet<TaskId>,
    /// What each settled task was judged on (all its inputs) and what it makes.
    pub(crate) inputs_of: HashMap<TaskId, Vec<NodeId>>,
    pub(crate) targets_of: HashMap<TaskId, Vec<NodeId>>,
    /// Tasks judged on their inputs since the memo was started (the others among the settled
    /// ones were taken as current on a proof's word: see `proof::save`).
    pub(crate) judged: HashSet<TaskId>,
    /// The nodes whose stat the last build took or forgot (the others' stats are the ones the
    /// memo started with: see `proof::save`).
    pub(crate) restated: Vec<NodeId>,
    /// Inputs of settled tasks that are symbolic links: a task that runs may rebuild what they
    /// point to without naming them, so they are looked at again once something ran.
    pub(crate) links: HashSet<NodeId>,
    /// The build's plan (the same goals over the same graph plan the same way).
    pub(crate) plan: Option<crate::scheduler::Plan>,
}

impl Memo {
    /// Forget what is known of the file `path` (top-relative or absolute), node `n` if any, of
    /// graph `g`.
    pub fn forget_path(&mut self, g: &Graph, n: Option<NodeId>, path: &str) {
        match n {
            Some(n) => {
                self.stats.remove(&n);
                self.csigs.remove(&n);
                self.includes.remove(&n);
                self.unsettle(g, n);
            }
            // A file the graph does not know (say, a new header that may now shadow another):
            // nothing can be taken as current without looking.
            None => self.settled.clear(),
        }
        self.exists.remove(path);
        // Variant-dir copies of headers are checked again (cheap: a stat of each).
        self.duplicates.clear();
    }

    /// The tasks that used `changed` as an input, and everything built from their targets, are
    /// no longer known to be current; nor is what depends on an alias standing for it (an
    /// alias's content is its inputs').
    fn unsettle(&mut self, g: &Graph, changed: NodeId) {
        let aliases: Vec<TaskId> = (0..g.tasks.len())
            .filter(|&t| g.builds_aliases(t))
            .collect();
        let mut seen = HashSet::default();
        let mut dirty = vec![changed];
        while let Some(n) = dirty.pop() {
            if !seen.insert(n) {
                continue;
            }
            let hit: Vec<TaskId> = self
                .settled
                .iter()
                .copied()
                .filter(|t| self.inputs_of.get(t).is_some_and(|i| i.contains(&n)))
                .collect();
            for t in hit {
                self.settled.remove(&t);
                dirty.extend(self.targets_of.get(&t).into_iter().flatten().copied());
            }
            for &a in &aliases {
                if g.declared_inputs(a).contains(&n) {
                    for &alias in &g.tasks[a].rec.targets {
                        self.csigs.remove(&alias); // (made of its inputs' signatures)
                        dirty.push(alias);
                    }
                }
            }
        }
    }

    /// Nothing learnt yet?
    pub fn is_fresh(&self) -> bool {
        self.settled.is_empty() && self.stats.is_empty()
    }

    /// Did the include scanner look for `path` (found or not)?
    pub fn probed(&self, path: &str) -> bool {
        self.exists.contains_key(path)
    }
}

/// What scanning a task's sources found.
pub struct Scan {
    /// Every header reached, in the order found.
    pub implicit: Vec<NodeId>,
    /// Headers that a task builds and that are not built yet: wait for them, then scan again.
    pub unbuilt: Vec<NodeId>,
    /// A Python scanner failed.
    pub error: Option<String>,
    /// Includes found nowhere: `(name as written, including file)`.
    pub missing: Vec<(String, String)>,
}

impl<'s> Checker<'s> {
    pub fn new(state: &'s State) -> Self {
        Checker {
            state,
            stats: HashMap::default(),
            csigs: HashMap::default(),
            includes: HashMap::default(),
            exists: HashMap::default(),
            duplicates: HashMap::default(),
            settled: HashSet::default(),
            links: HashSet::default(),
            links_looked: HashMap::default(),
            inputs_of: HashMap::default(),
            targets_of: HashMap::default(),
            judged: HashSet::default(),
            restated: Vec::new(),
        }
    }

    /// A checker that starts from what an earlier one learnt.
    pub fn with_memo(state: &'s State, memo: Memo) -> Self {
        Checker {
            state,
            stats: memo.stats,
            csigs: memo.csigs,
            includes: memo.includes,
            exists: memo.exists,
            duplicates: memo.duplicates,
            settled: memo.settled,
            links: memo.links,
            links_looked: HashMap::default(),
            inputs_of: memo.inputs_of,
            targets_of: memo.targets_of,
            judged: memo.judged,
            restated: Vec::new(),
        }
    }

    /// What this checker learnt, for the next one.
    pub fn into_memo(self) -> Memo {
        Memo {
            stats: self.stats,
            csigs: self.csigs,
            includes: self.includes,
            exists: self.exists,
            duplicates: self.duplicates,
            settled: self.settled,
            links: self.links,
            plan: None,
            inputs_of: self.inputs_of,
            targets_of: self.targets_of,
            judged: self.judged,
            restated: self.restated,
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
        self.restated.push(n);
        s
    }

    pub fn exists(&mut self, g: &Graph, n: NodeId) -> bool {
        match g.nodes[n].kind {
            NodeKind::File | NodeKind::Dir => self.stat(g, n).is_some(),
            NodeKind::Value => true,
            NodeKind::Alias => true,
        }
    }

    /// Take `csig` as node `n`'s content for the rest of the run (a target `-n` pretends to have
    /// retrieved from the cache).
    pub fn assume_csig(&mut self, n: NodeId, csig: String) {
        self.csigs.insert(n, Some(csig));
    }

    /// The content signature of a node now (`None` for a missing file).
    pub fn csig(&mut self, g: &Graph, n: NodeId) -> Option<String> {
        if let Some(c) = self.csigs.get(&n) {
            return c.clone();
        }
        let node = &g.nodes[n];
        let c = match node.kind {
            NodeKind::Value => Some(hash_str(&node.path)),
            // An alias's content is its inputs' content (SCons: the children's signatures).
            NodeKind::Alias => match g.producer[n] {
                None => Some(String::from("alias")),
                Some(p) => {
                    let mut parts = String::from("alias");
                    for i in g.declared_inputs(p) {
                        if i != n {
                            parts.push_str(&self.csig(g, i).unwrap_or_default());
                        }
                    }
                    Some(hash_str(&parts))
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

    /// Do the symbolic links among `inputs` still lead to what they led to when their stats
    /// were taken? (What one points to may have been rebuilt since.) Those that do not are
    /// forgotten, to be looked at afresh, and so is every settled task judged on them. `moment`
    /// counts the tasks started and ended so far in the build: a link looked at since the last
    /// of them is not looked at again.
    pub fn links_unchanged(&mut self, g: &Graph, inputs: &[NodeId], moment: usize) -> bool {
        let mut same = true;
        for &n in inputs {
            if self.links.contains(&n) && self.links_looked.insert(n, moment) != Some(moment) {
                let now = Stat::of(&g.nodes[n].abs);
                if self.stats.get(&n) != Some(&now) {
                    self.forget(n);
                    let inputs_of = &self.inputs_of;
                    self.settled
                        .retain(|t| !inputs_of.get(t).is_some_and(|i| i.contains(&n)));
                    same = false;
                }
            }
        }
        same
    }

    /// Forget what is known of a node (it was just rebuilt or removed).
    pub fn forget(&mut self, n: NodeId) {
        self.stats.remove(&n);
        self.restated.push(n);
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
    pub fn scan(&mut self, g: &mut Graph, t: TaskId, done: &dyn Fn(TaskId) -> bool) -> Scan {
        let mut scan = Scan {
            implicit: Vec::new(),
            unbuilt: Vec::new(),
            error: None,
            missing: Vec::new(),
        };
        let Some(sc) = g.tasks[t].details().scanner.clone() else {
            return scan;
        };
        match sc.kind {
            ScannerKind::C => {}
        }
        let cpppath = sc.path;
        let mut seen: HashSet<NodeId> = HashSet::default();
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
            if g.producer[f].is_some_and(|p| !done(p)) {
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
                let Some(path) = found else {
                    scan.missing
                        .push((inc.name.clone(), g.nodes[f].path.clone()));
                    continue;
                };
                {
                    let n = g.file_node(&path);
                    if seen.insert(n) {
                        scan.implicit.push(n);
                        if g.producer[n].is_some_and(|p| !done(p)) {
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

    /// Run the task's Python scanners (`Scanner()`) on their sources, through the front end.
    pub fn python_scan(
        &mut self,
        g: &mut Graph,
        t: TaskId,
        done: &dyn Fn(TaskId) -> bool,
        calls: Option<&dyn FrontEndCalls>,
        scan: &mut Scan,
    ) -> Result<(), String> {
        let scanners = g.tasks[t].details().python_scanners.clone();
        if scanners.is_empty() {
            return Ok(());
        }
        let Some(calls) = calls else {
            return Err("docons cannot run Python scanners here".to_owned());
        };
        let mut seen: HashSet<NodeId> = scan.implicit.iter().copied().collect();
        for sc in scanners {
            let mut queue = sc.sources.clone();
            let mut i = 0;
            while i < queue.len() {
                let f = queue[i];
                i += 1;
                if g.producer[f].is_some_and(|p| !done(p)) && !(sc.targets && i <= sc.sources.len())
                {
                    continue;
                }
                for path in calls.scan(sc.id, &g.nodes[f].path)? {
                    let n = g.file_node(&path);
                    if seen.insert(n) {
                        scan.implicit.push(n);
                        if g.producer[n].is_some_and(|p| !done(p)) {
                            scan.unbuilt.push(n);
                        }
                        if sc.recursive {
                            queue.push(n);
                        }
                    }
                }
            }
        }
        Ok(())
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
            .map(|&n| {
                let st = self.stat(g, n);
                InputRecord {
                    path: g.nodes[n].path.clone(),
                    csig: self.csig(g, n).unwrap_or_default(),
                    mtime_ns: st.map(|s| s.mtime_ns).unwrap_or(0),
                    size: st.map(|s| s.size).unwrap_or(0),
                }
            })
            .collect()
    }

    /// Has input `dep` (now `now`, recorded as `prev`) changed for `target`, under its decider?
    #[allow(clippy::too_many_arguments)]
    fn changed(
        &mut self,
        g: &Graph,
        t: TaskId,
        target: NodeId,
        dep: Option<NodeId>,
        now: &InputRecord,
        prev: Option<&InputRecord>,
        calls: Option<&dyn FrontEndCalls>,
    ) -> Result<bool, String> {
        let task = g.tasks[t].details();
        let (name, function) = match dep.and_then(|d| g.nodes[d].decider()) {
            Some(d) => (d.name, d.function),
            None => (task.decider, task.decider_function),
        };
        if let Some(f) = function {
            let Some(calls) = calls else {
                return Err("docons cannot run a Python decider here".to_owned());
            };
            return calls.decide(f, &now.path, &g.nodes[target].path, prev);
        }
        let Some(prev) = prev else {
            return Ok(true);
        };
        Ok(match name {
            Decider::Content => now.csig != prev.csig,
            Decider::ContentTimestamp => now.mtime_ns != prev.mtime_ns && now.csig != prev.csig,
            Decider::TimestampMatch => now.mtime_ns != prev.mtime_ns,
            Decider::TimestampNewer => {
                now.mtime_ns
                    > self
                        .stat(g, target)
                        .map(|s| s.mtime_ns)
                        .unwrap_or(i128::MIN)
            }
        })
    }

    /// Decide whether task `t` must run, given all its inputs (declared and implicit). The
    /// reason is SCons's `--debug=explain` text.
    pub fn verdict(
        &mut self,
        g: &Graph,
        t: TaskId,
        inputs: &TaskInputs,
        calls: Option<&dyn FrontEndCalls>,
    ) -> Result<Reason, String> {
        let task = &g.tasks[t];
        let mut reason = None;
        for &n in &task.rec.targets {
            let node = &g.nodes[n];
            let exists = node.kind == NodeKind::Alias || self.exists(g, n);
            if !exists {
                reason = Some(format!("building `{}' because it doesn't exist", node.path));
                break;
            }
            if node.always_build {
                reason = Some(format!(
                    "rebuilding `{}' because AlwaysBuild() is specified",
                    node.path
                ));
                break;
            }
            let Some(rec) = self.state.target(&node.path) else {
                reason = Some(format!(
                    "Cannot explain why `{}' is being rebuilt: No previous build information found",
                    node.path
                ));
                break;
            };
            // Deliberately stricter than SCons: the file must still be the one the recorded
            // command left (a target edited, replaced or half-written by an interrupted run is
            // rebuilt; SCons would keep it).
            if let Some(stamp) = &rec.stamp {
                let now = self.stat(g, n);
                if now != Some(stamp.stat)
                    && self.csig(g, n).as_deref() != Some(stamp.csig.as_str())
                {
                    reason = Some(format!(
                        "rebuilding `{}' because it changed since it was last built",
                        node.path
                    ));
                    break;
                }
            }
            // SCons compares the inputs position by position, calling every decider.
            let mut stale = inputs.records.len() != rec.inputs.len();
            for (i, now) in inputs.records.iter().enumerate() {
                if self.changed(
                    g,
                    t,
                    n,
                    Some(inputs.nodes[i]),
                    now,
                    rec.inputs.get(i),
                    calls,
                )? {
                    stale = true;
                }
            }
            if stale || rec.action_sig != task.action_sig() {
                reason = Some(self.explain(g, t, n, &rec, inputs, calls)?);
                break;
            }
        }
        Ok(reason)
    }

    /// SCons's explanation of why `target` is rebuilt, against its record `old`.
    fn explain(
        &mut self,
        g: &Graph,
        t: TaskId,
        target: NodeId,
        old: &TargetRecord,
        new: &TaskInputs,
        calls: Option<&dyn FrontEndCalls>,
    ) -> Result<String, String> {
        let old_by_path: HashMap<&str, &InputRecord> =
            old.inputs.iter().map(|i| (i.path.as_str(), i)).collect();
        let new_paths: HashSet<&str> = new.records.iter().map(|i| i.path.as_str()).collect();
        let mut lines: Vec<String> = Vec::new();
        for gone in &old.inputs {
            if !new_paths.contains(gone.path.as_str()) {
                lines.push(format!("`{}' is no longer a dependency\n", gone.path));
            }
        }
        for (i, now) in new.records.iter().enumerate() {
            match old_by_path.get(now.path.as_str()) {
                None => lines.push(format!("`{}' is a new dependency\n", now.path)),
                Some(prev) => {
                    if self.changed(g, t, target, Some(new.nodes[i]), now, Some(prev), calls)? {
                        lines.push(format!("`{}' changed\n", now.path));
                    }
                }
            }
        }
        let old_paths: Vec<&str> = old.inputs.iter().map(|i| i.path.as_str()).collect();
        let now_paths: Vec<&str> = new.records.iter().map(|i| i.path.as_str()).collect();
        if lines.is_empty() && old_paths != now_paths {
            lines.push("the dependency order changed:\n".to_owned());
            let old_ranges = split3(&old_paths, old.n_sources, old.n_depends);
            let new_ranges = split3(&now_paths, new.n_sources, new.n_depends);
            for (k, title) in ["->Sources\n", "->Depends\n", "->Implicit\n"]
                .iter()
                .enumerate()
            {
                lines.push((*title).to_owned());
                let (o, n) = (old_ranges[k], new_ranges[k]);
                for j in 0..o.len().max(n.len()) {
                    lines.push(format!(
                        "Old:{}\tNew:{}\n",
                        o.get(j).copied().unwrap_or("None"),
                        n.get(j).copied().unwrap_or("None")
                    ));
                }
            }
        }
        let task = &g.tasks[t];
        if lines.is_empty() && old.action_sig != task.action_sig() {
            let new_text = action_text(task.details());
            if old.action_text == new_text {
                lines.push(format!(
                    "the contents of the build action changed\n{}",
                    with_title("action: ", &new_text)
                ));
            } else {
                lines.push(format!(
                    "the build action changed:\n{}{}",
                    with_title("old: ", &old.action_text),
                    with_title("new: ", &new_text)
                ));
            }
        }
        let target = &g.nodes[target].path;
        let text = match lines.len() {
            0 => format!("rebuilding `{target}' for unknown reasons\n"),
            1 => format!("rebuilding `{target}' because {}", lines[0]),
            _ => {
                let mut all = vec![format!("rebuilding `{target}' because:\n")];
                all.extend(lines);
                all.join(&" ".repeat(11))
            }
        };
        Ok(text.trim_end_matches('\n').to_owned())
    }

    /// What to record for a target just built by task `t`.
    pub fn record_for(
        &mut self,
        g: &Graph,
        t: TaskId,
        n: NodeId,
        inputs: &TaskInputs,
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
            action_sig: g.tasks[t].action_sig().to_owned(),
            action_text: action_text(g.tasks[t].details()),
            inputs: stored_inputs(g, t, inputs),
            n_sources: inputs.n_sources,
            n_depends: inputs.n_depends,
            stamp,
        }
    }

    /// Task `t` was found up to date: as SCons stores its build info again, an input that a
    /// timestamp decider judged loses its recorded content signature (that decider never reads
    /// the file), so a later switch back to a content decider rebuilds.
    pub fn restore_up_to_date(&mut self, g: &Graph, t: TaskId, inputs: &TaskInputs) {
        let fresh = stored_inputs(g, t, inputs);
        for &n in &g.tasks[t].rec.targets {
            let path = &g.nodes[n].path;
            let Some(mut rec) = self.state.target(path) else {
                continue;
            };
            if rec.inputs.len() != fresh.len() {
                continue;
            }
            let mut dirty = false;
            for (old, new) in rec.inputs.iter_mut().zip(&fresh) {
                if new.csig.is_empty() && !old.csig.is_empty() && old.path == new.path {
                    *old = new.clone();
                    dirty = true;
                }
            }
            if dirty {
                self.state.set_target(path, rec);
            }
        }
    }
}

/// The input records to store for task `t`: those judged by a timestamp decider carry no
/// content signature.
fn stored_inputs(g: &Graph, t: TaskId, inputs: &TaskInputs) -> Vec<InputRecord> {
    let task = g.tasks[t].details();
    let mut out = inputs.records.clone();
    for (i, r) in out.iter_mut().enumerate() {
        let (name, function) = match inputs.nodes.get(i).and_then(|&d| g.nodes[d].decider()) {
            Some(d) => (d.name, d.function),
            None => (task.decider, task.decider_function),
        };
        if function.is_none() && matches!(name, Decider::TimestampMatch | Decider::TimestampNewer) {
            r.csig.clear();
        }
    }
    out
}

/// A task's inputs in SCons's order: sources, explicit deps, implicit deps; with their records.
#[derive(Debug, Clone, Default)]
pub struct TaskInputs {
    pub nodes: Vec<NodeId>,
    pub n_sources: usize,
    pub n_depends: usize,
    pub records: Vec<InputRecord>,
}

fn split3<'a>(all: &'a [&'a str], n_sources: usize, n_depends: usize) -> [&'a [&'a str]; 3] {
    let a = n_sources.min(all.len());
    let b = (n_sources + n_depends).min(all.len());
    [&all[..a], &all[a..b], &all[b..]]
}

/// The text of a task's actions, one per line, as SCons keeps it for `--debug=explain`.
pub fn action_text(task: &TaskDetails) -> String {
    if !task.action_text.is_empty() {
        return task.action_text.clone();
    }
    task.actions
        .iter()
        .map(|a| match a {
            ActionRecord::Command { cmd, .. } => cmd.as_str(),
            other => other.show(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn with_title(title: &str, text: &str) -> String {
    let sep = format!("\n{}", " ".repeat(15 + title.len()));
    format!(
        "{}{title}{}\n",
        " ".repeat(15),
        text.split('\n').collect::<Vec<_>>().join(&sep)
    )
}
