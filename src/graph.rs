//! The build graph: the nodes and tasks the front end declared, indexed for the engine: which
//! task produces each node, lookups by path and alias name, and the folder tree (a folder target
//! means every node below it).

use rustc_hash::FxHashMap as HashMap;
use scons_api::{
    ActionRecord, BuildGraph, DeciderRecord, NodeKind, NodeRecord, TaskDetails, TaskEdges,
    TaskRecord,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

pub type NodeId = usize;
pub type TaskId = usize;

#[derive(Debug, Clone)]
pub struct Node {
    /// Relative to the top folder when inside it, absolute otherwise; `.` is the top folder.
    pub path: String,
    pub kind: NodeKind,
    pub abs: PathBuf,
    pub precious: bool,
    pub always_build: bool,
    pub noclean: bool,
    pub nocache: bool,
    pub pseudo: bool,
    /// What few nodes have (`None`: all empty).
    pub extras: Option<Box<NodeExtras>>,
}

/// A node's lists and decider, which few nodes have.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NodeExtras {
    pub clean: Vec<NodeId>,
    pub ignore: Vec<NodeId>,
    /// `node.Decider(...)`: overrides the deciders of the tasks that depend on this node.
    pub decider: Option<DeciderRecord>,
    /// `Depends()` of a node that no task builds.
    pub depends: Vec<NodeId>,
    /// A folder no task builds: `AddPreAction`/`AddPostAction` actions, run around its
    /// creation when a target inside it is about to be built.
    pub folder_pre: Vec<ActionRecord>,
    pub folder_post: Vec<ActionRecord>,
}

impl NodeExtras {
    /// Has the declared node none of the extras?
    pub fn none_in(n: &NodeRecord) -> bool {
        n.clean.is_empty()
            && n.ignore.is_empty()
            && n.decider.is_none()
            && n.depends.is_empty()
            && n.folder_pre_actions.is_empty()
            && n.folder_post_actions.is_empty()
    }

    /// The extras of a declared node, taken from it, if it has any.
    pub fn taken(n: &mut NodeRecord) -> Option<Box<NodeExtras>> {
        (!Self::none_in(n)).then(|| {
            Box::new(NodeExtras {
                clean: std::mem::take(&mut n.clean),
                ignore: std::mem::take(&mut n.ignore),
                decider: n.decider,
                depends: std::mem::take(&mut n.depends),
                folder_pre: std::mem::take(&mut n.folder_pre_actions),
                folder_post: std::mem::take(&mut n.folder_post_actions),
            })
        })
    }

    /// The extras of a declared node, copied, if it has any.
    pub fn copied(n: &NodeRecord) -> Option<NodeExtras> {
        (!Self::none_in(n)).then(|| NodeExtras {
            clean: n.clean.clone(),
            ignore: n.ignore.clone(),
            decider: n.decider,
            depends: n.depends.clone(),
            folder_pre: n.folder_pre_actions.clone(),
            folder_post: n.folder_post_actions.clone(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Task {
    /// The nodes the task links.
    pub rec: TaskEdges,
    /// Its actions, scanner, environment, decider...: for a kept graph's task, decoded when
    /// first asked for (most runs judge few tasks: see `proof`).
    details: OnceLock<Box<TaskDetails>>,
    encoded: Option<EncodedDetails>,
    /// Hash of the actions' signature texts, made when first asked for.
    action_sig: OnceLock<String>,
}

/// How many kept tasks' details this process decoded.
static DETAILS_DECODED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many kept tasks' details this process decoded (`DOCONS_TIMINGS` tells).
pub fn details_decoded() -> usize {
    DETAILS_DECODED.load(std::sync::atomic::Ordering::Relaxed)
}

/// A task's details as a kept graph holds them: a span of the kept file's bytes (msgpack, see
/// `graph_cache`).
#[derive(Clone)]
pub struct EncodedDetails {
    pub bytes: crate::graph_layout::Bytes,
    pub span: Range<usize>,
}

impl std::fmt::Debug for EncodedDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncodedDetails({:?})", self.span)
    }
}

impl Task {
    pub fn new(rec: TaskRecord) -> Task {
        let (edges, details) = rec.split();
        Task {
            rec: edges,
            details: OnceLock::from(Box::new(details)),
            encoded: None,
            action_sig: OnceLock::new(),
        }
    }

    /// A kept graph's task, its details still encoded.
    pub fn encoded(rec: TaskEdges, details: EncodedDetails) -> Task {
        Task {
            rec,
            details: OnceLock::new(),
            encoded: Some(details),
            action_sig: OnceLock::new(),
        }
    }

    /// The task's actions, scanner, environment, decider...
    pub fn details(&self) -> &TaskDetails {
        self.details.get_or_init(|| {
            let Some(e) = &self.encoded else {
                return Box::default(); // (never: a task is made with one or the other)
            };
            DETAILS_DECODED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            rmp_serde::from_slice(&e.bytes.bytes()[e.span.clone()]).unwrap_or_else(|err| {
                // (the spans were checked when the graph was read: only damage inside one
                // task's details gets here)
                e.bytes.forget();
                panic!("the kept graph was found damaged ({err}); it is removed: run docons again")
            })
        })
    }

    /// Hash of the actions' signature texts.
    pub fn action_sig(&self) -> &str {
        self.action_sig.get_or_init(|| {
            crate::signature::action_signature(self.details().actions.iter().map(|a| a.sig()))
        })
    }
}

/// A declared graph with its nodes and tasks made the engine's (a kept graph's tasks come with
/// their details still encoded); `rec.nodes` and `rec.tasks` are empty.
pub struct Declared {
    pub rec: BuildGraph,
    pub nodes: Vec<Node>,
    pub tasks: Vec<Task>,
    /// A kept part of a graph: the paths outside it that matter.
    pub outside: Option<Outside>,
}

impl Declared {
    /// The graph the front end declared, its paths made absolute against `top`.
    pub fn of_records(top: &Path, mut rec: BuildGraph) -> Declared {
        let absolute = Absolute::new(top);
        let nodes = std::mem::take(&mut rec.nodes)
            .into_iter()
            .map(|n| Node::declared(n, &absolute))
            .collect();
        let tasks = std::mem::take(&mut rec.tasks)
            .into_iter()
            .map(Task::new)
            .collect();
        Declared {
            rec,
            nodes,
            tasks,
            outside: None,
        }
    }
}

impl Node {
    /// A node with nothing but its path and kind (a header found by scanning, say).
    pub fn plain(path: String, kind: NodeKind, abs: PathBuf) -> Node {
        Node {
            path,
            kind,
            abs,
            precious: false,
            always_build: false,
            noclean: false,
            nocache: false,
            pseudo: false,
            extras: None,
        }
    }

    /// A declared node (files and folders made absolute against `absolute`'s top).
    pub fn declared(mut n: NodeRecord, absolute: &Absolute) -> Node {
        let abs = absolute.of_node(&n.path, n.kind);
        Node {
            extras: NodeExtras::taken(&mut n),
            path: n.path,
            kind: n.kind,
            abs,
            precious: n.precious,
            always_build: n.always_build,
            noclean: n.noclean,
            nocache: n.nocache,
            pseudo: n.pseudo,
        }
    }

    /// `Clean()`: what cleaning this node removes too.
    pub fn clean(&self) -> &[NodeId] {
        self.extras.as_ref().map_or(&[], |e| &e.clean)
    }

    /// `Ignore()`: the dependencies of this node that never make it stale.
    pub fn ignore(&self) -> &[NodeId] {
        self.extras.as_ref().map_or(&[], |e| &e.ignore)
    }

    /// `node.Decider(...)`: overrides the deciders of the tasks that depend on this node.
    pub fn decider(&self) -> Option<DeciderRecord> {
        self.extras.as_ref().and_then(|e| e.decider)
    }

    /// `Depends()` of a node that no task builds.
    pub fn depends(&self) -> &[NodeId] {
        self.extras.as_ref().map_or(&[], |e| &e.depends)
    }

    /// A folder no task builds: the actions run before and after its creation.
    pub fn folder_actions(&self) -> (&[ActionRecord], &[ActionRecord]) {
        self.extras
            .as_ref()
            .map_or((&[], &[]), |e| (&e.folder_pre, &e.folder_post))
    }
}

pub struct Graph {
    pub top: PathBuf,
    pub nodes: Vec<Node>,
    pub tasks: Vec<Task>,
    pub producer: Vec<Option<TaskId>>,
    /// The file and folder nodes by path (see `PathIndex`).
    by_path: PathIndex,
    aliases: HashMap<String, NodeId>,
    /// Folder path → names of the known files and folders directly in it, sorted: made when
    /// first asked for (a build that starts from a proof may walk no folder).
    entries: OnceLock<HashMap<String, Vec<String>>>,
    /// How many nodes the scripts declared (the folders' entries are theirs: headers found by
    /// scanning are added after them).
    declared: usize,
    pub default_targets: Option<Vec<NodeId>>,
    pub build_targets: Option<Vec<String>>,
    pub help_text: Option<String>,
    /// `(variant folder, source folder, duplicate)`, in declaration order.
    pub variant_dirs: Vec<(String, String, bool)>,
    /// The engine's warnings that are on (`target-not-built`, `dependency`).
    pub warnings: Vec<String>,
    /// `Progress()`, if the scripts called it.
    pub progress: Option<scons_api::ProgressRecord>,
    /// The SConstruct/SConscript files read.
    pub sconscripts: Vec<String>,
    /// When this is a kept part of a graph (see `graph_part`): the paths outside it that
    /// matter, and the first of them looked up (the part cannot answer for it: see `escaped`).
    outside: Option<Outside>,
    escaped: OnceLock<String>,
}

/// Is `p` already in normal form: no empty, `.` or `..` component, no trailing `/` (relative
/// when `relative`, else absolute)?
fn is_clean(p: &[u8], relative: bool) -> bool {
    if p.is_empty() || (p[0] == b'/') == relative || (p.len() > 1 && p[p.len() - 1] == b'/') {
        return false;
    }
    let body = if relative { p } else { &p[1..] };
    body.is_empty()
        || body
            .split(|&b| b == b'/')
            .all(|c| !c.is_empty() && c != b"." && c != b"..")
}

/// Is `p` a relative path in normal form (its own top-relative spelling)?
pub fn is_clean_relative(p: &str) -> bool {
    is_clean(p.as_bytes(), true)
}

/// The names of the known files and folders in each folder, gathered from their paths.
#[derive(Default)]
struct FolderEntries(HashMap<String, rustc_hash::FxHashSet<String>>);

impl FolderEntries {
    /// Note `path` in its folder, and each folder above it in its own.
    fn add(&mut self, path: &str) {
        let mut p = path;
        while let Some((dir, name)) = parent_of(p) {
            // (most folders and names are known already: no copies are made for them)
            let set = match self.0.get_mut(dir) {
                Some(set) => set,
                None => self.0.entry(dir.to_owned()).or_default(),
            };
            if set.contains(name) || !set.insert(name.to_owned()) {
                break;
            }
            p = dir;
        }
    }

    fn sorted(self) -> HashMap<String, Vec<String>> {
        self.0
            .into_iter()
            .map(|(dir, names)| {
                let mut names: Vec<String> = names.into_iter().collect();
                names.sort_unstable();
                (dir, names)
            })
            .collect()
    }
}

/// The nodes of a graph by path, without a copy of each path: the table holds node ids, and
/// hashes and compares the nodes' own paths.
#[derive(Default)]
struct PathIndex(hashbrown::HashTable<NodeId>);

/// The hash of a node's path that the graph's index (and a kept part's list of the paths
/// outside it) use.
pub fn path_hash(path: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(path)
}

/// The paths outside a kept part of a graph that matter (see `graph_part`): their hashes,
/// sorted, as the kept file holds them (u64 little-endian).
#[derive(Clone)]
pub struct Outside {
    pub bytes: crate::graph_layout::Bytes,
    pub span: Range<usize>,
}

impl Outside {
    fn contains(&self, hash: u64) -> bool {
        let all = &self.bytes.bytes()[self.span.clone()];
        let at = |i: usize| u64::from_le_bytes(all[8 * i..8 * i + 8].try_into().unwrap());
        let (mut lo, mut hi) = (0, all.len() / 8);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match at(mid).cmp(&hash) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }
}

impl PathIndex {
    fn with_capacity(n: usize) -> PathIndex {
        PathIndex(hashbrown::HashTable::with_capacity(n))
    }

    fn get(&self, nodes: &[Node], path: &str) -> Option<NodeId> {
        self.0
            .find(path_hash(path), |&n| nodes[n].path == path)
            .copied()
    }

    /// Index node `id` (already in `nodes`) by its path, in place of a node of the same path.
    fn insert(&mut self, nodes: &[Node], id: NodeId) {
        let path = &nodes[id].path;
        let hash = path_hash(path);
        match self.0.find_mut(hash, |&n| nodes[n].path == *path) {
            Some(n) => *n = id,
            None => {
                self.0
                    .insert_unique(hash, id, |&n| path_hash(&nodes[n].path));
            }
        }
    }
}

/// Node paths made absolute against one top folder: a clean relative path is appended to the
/// top's text, without walking either (a graph has one per file node).
pub struct Absolute<'a> {
    top: &'a Path,
    /// The top's text, when it is a clean absolute path.
    clean_top: Option<&'a str>,
}

impl<'a> Absolute<'a> {
    pub fn new(top: &'a Path) -> Self {
        let clean_top = top
            .to_str()
            .filter(|t| is_clean(t.as_bytes(), false) && *t != "/");
        Absolute { top, clean_top }
    }

    /// The absolute path of a node of `kind` (empty for an alias or a value: nothing on disk).
    pub fn of_node(&self, path: &str, kind: NodeKind) -> PathBuf {
        match kind {
            NodeKind::File | NodeKind::Dir => self.of(path),
            NodeKind::Alias | NodeKind::Value => PathBuf::new(),
        }
    }

    pub fn of(&self, path: &str) -> PathBuf {
        match self.clean_top {
            Some(top) if is_clean(path.as_bytes(), true) => {
                let mut s = String::with_capacity(top.len() + 1 + path.len());
                s.push_str(top);
                s.push('/');
                s.push_str(path);
                PathBuf::from(s)
            }
            _ => normalize(self.top, Path::new(path)),
        }
    }
}

/// Normalise `path` lexically (no `.`, resolved `..`) against `base`.
pub fn normalize(base: &Path, path: &Path) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    // (the common case, a clean relative path under a clean folder, needs no walk)
    if is_clean(path.as_os_str().as_bytes(), true) && is_clean(base.as_os_str().as_bytes(), false) {
        return base.join(path);
    }
    normalize_by_walk(&base.join(path))
}

/// Normalise a path component by component.
fn normalize_by_walk(joined: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `top` when inside it (`.` for `top` itself), absolute otherwise.
pub fn top_relative(top: &Path, abs: &Path) -> String {
    match abs.strip_prefix(top) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
        Ok(rel) => rel.to_string_lossy().into_owned(),
        Err(_) => abs.to_string_lossy().into_owned(),
    }
}

/// The folder of `path` and its name in it ("." for a relative name with no folder); `None`
/// for "." and "/".
pub fn parent_of(path: &str) -> Option<(&str, &str)> {
    if path == "." || path == "/" {
        return None;
    }
    match path.rfind('/') {
        Some(0) => Some(("/", &path[1..])),
        Some(i) => Some((&path[..i], &path[i + 1..])),
        None => Some((".", path)),
    }
}

/// Items grouped by folder, the folders in the order they first appear.
pub fn group_by_folder<'a, T>(
    items: impl IntoIterator<Item = (&'a str, T)>,
) -> Vec<(&'a str, Vec<T>)> {
    let mut groups: Vec<(&str, Vec<T>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::default();
    for (folder, item) in items {
        let k = *index.entry(folder).or_insert_with(|| {
            groups.push((folder, Vec::new()));
            groups.len() - 1
        });
        groups[k].1.push(item);
    }
    groups
}

/// The nodes already put in a list being built in order, without duplicates: the list itself
/// is searched while it is short, a set once it grows.
#[derive(Default)]
struct Seen(Option<rustc_hash::FxHashSet<NodeId>>);

impl Seen {
    /// Is `n` new to `list` (every node pushed to it went through here)? It is then noted.
    fn insert(&mut self, n: NodeId, list: &[NodeId]) -> bool {
        const SHORT: usize = 16;
        match &mut self.0 {
            Some(set) => set.insert(n),
            None if list.len() < SHORT => !list.contains(&n),
            None => {
                let set = self.0.insert(list.iter().copied().collect());
                set.insert(n)
            }
        }
    }
}

impl Graph {
    pub fn from_declared(top: &Path, declared: Declared) -> Result<Graph, String> {
        let Declared {
            rec,
            nodes,
            tasks,
            outside,
        } = declared;
        let mut g = Graph {
            top: top.to_path_buf(),
            by_path: PathIndex::with_capacity(nodes.len()),
            declared: nodes.len(),
            nodes,
            tasks: Vec::new(),
            producer: Vec::new(),
            aliases: HashMap::default(),
            entries: OnceLock::new(),
            default_targets: rec.default_targets,
            build_targets: rec.build_targets,
            help_text: rec.help_text,
            variant_dirs: rec
                .variant_dirs
                .iter()
                .map(|v| (v.variant.clone(), v.src.clone(), v.duplicate))
                .collect(),
            warnings: rec.warnings,
            progress: rec.progress,
            sconscripts: rec.sconscripts,
            outside,
            escaped: OnceLock::new(),
        };
        for (id, n) in g.nodes.iter().enumerate() {
            match n.kind {
                NodeKind::Alias => {
                    g.aliases.insert(n.path.clone(), id);
                }
                NodeKind::File | NodeKind::Dir => g.by_path.insert(&g.nodes, id),
                NodeKind::Value => {}
            }
        }
        g.producer = vec![None; g.nodes.len()];
        for (tid, t) in tasks.iter().enumerate() {
            for &target in &t.rec.targets {
                if target >= g.nodes.len() {
                    return Err(format!("task {tid} names unknown node {target}"));
                }
                if let Some(other) = g.producer[target] {
                    if tasks[other].details().actions.iter().map(|a| a.sig()).ne(t
                        .details()
                        .actions
                        .iter()
                        .map(|a| a.sig()))
                    {
                        return Err(format!(
                            "Two environments with different actions were specified for the same target: {}",
                            g.nodes[target].path
                        ));
                    }
                }
                g.producer[target] = Some(tid);
            }
            for &n in t
                .rec
                .sources
                .iter()
                .chain(&t.rec.deps)
                .chain(&t.rec.requires)
                .chain(&t.rec.implicit)
            {
                if n >= g.nodes.len() {
                    return Err(format!("task {tid} names unknown node {n}"));
                }
            }
        }
        g.tasks = tasks;
        Ok(g)
    }

    pub fn lookup(&self, path: &str) -> Option<NodeId> {
        let found = self.by_path.get(&self.nodes, path);
        if let (None, Some(outside)) = (found, &self.outside) {
            if outside.contains(path_hash(path)) {
                let _ = self.escaped.set(path.to_owned());
            }
        }
        found
    }

    /// A path outside this kept part of a graph that the build looked up (through the include
    /// scanner, say) and that matters: built by a task, or with flags of its own. The part
    /// cannot answer for it: the build has to stop and start again on the whole graph.
    pub fn escaped(&self) -> Option<&str> {
        self.escaped.get().map(String::as_str)
    }

    /// Folder path → names of the known files and folders directly in it, sorted.
    fn entries(&self) -> &HashMap<String, Vec<String>> {
        self.entries.get_or_init(|| {
            let mut entries = FolderEntries::default();
            for n in &self.nodes[..self.declared] {
                if matches!(n.kind, NodeKind::File | NodeKind::Dir) {
                    entries.add(&n.path);
                }
            }
            // The top folder is also an entry of its parent, so that a goal above the top
            // (`..`) reaches everything inside it.
            let top = self.top.to_string_lossy();
            if top != "/" {
                entries.add(&top);
            }
            entries.sorted()
        })
    }

    pub fn has_aliases(&self) -> bool {
        !self.aliases.is_empty()
    }

    pub fn alias(&self, name: &str) -> Option<NodeId> {
        self.aliases.get(name).copied()
    }

    /// Make room for `more` nodes added by `file_node`.
    pub fn reserve_nodes(&mut self, more: usize) {
        self.nodes.reserve(more);
        self.producer.reserve(more);
    }

    /// The node for a file path (top-relative or absolute), added when the scripts did not
    /// declare it (headers found by the scanner).
    pub fn file_node(&mut self, path: &str) -> NodeId {
        if let Some(id) = self.lookup(path) {
            return id;
        }
        let id = self.nodes.len();
        let abs = Absolute::new(&self.top).of(path);
        self.nodes
            .push(Node::plain(path.to_owned(), NodeKind::File, abs));
        self.producer.push(None);
        self.by_path.insert(&self.nodes, id);
        id
    }

    /// Is `path` a folder that holds known nodes?
    pub fn is_known_dir(&self, path: &str) -> bool {
        self.entries().contains_key(path)
    }

    /// A folder's entries as SCons knows them (the declared nodes and the scripts it read),
    /// sorted by name.
    pub fn entries_with_scripts(&self, dir: &str) -> Vec<String> {
        let mut all: BTreeSet<String> = self.dir_entries(dir).into_iter().collect();
        for script in &self.sconscripts {
            let parent = script.rsplit_once('/').map_or(".", |(d, _)| d);
            if parent == dir {
                all.insert(script.clone());
            }
        }
        all.into_iter().collect()
    }

    /// The paths directly inside folder `dir`, sorted by name as SCons walks them.
    pub fn dir_entries(&self, dir: &str) -> Vec<String> {
        match self.entries().get(dir) {
            None => Vec::new(),
            Some(names) => names
                .iter()
                .map(|n| match dir {
                    "." => n.clone(),
                    "/" => format!("/{n}"),
                    _ => format!("{dir}/{n}"),
                })
                .map(|p| {
                    // (the top is absolute: a relative path is never it)
                    if p.starts_with('/') && Path::new(&p) == self.top {
                        ".".to_owned()
                    } else {
                        p
                    }
                })
                .collect(),
        }
    }

    /// The inputs the scripts declared for a task: sources then explicit deps, minus `Ignore`d.
    pub fn declared_inputs(&self, t: TaskId) -> Vec<NodeId> {
        let rec = &self.tasks[t].rec;
        // (called for every task of every build: no set is made for the usual handful of
        // inputs and no ignored ones)
        let ignored: Vec<NodeId> = rec
            .targets
            .iter()
            .flat_map(|&n| self.nodes[n].ignore().iter().copied())
            .collect();
        let mut seen = Seen::default();
        let mut out = Vec::new();
        for &n in rec.sources.iter().chain(&rec.deps) {
            if ignored.contains(&n) || !seen.insert(n, &out) {
                continue;
            }
            out.push(n);
            // A folder that no task builds depends on everything known below it (SCons's
            // directory scanner): building it builds them.
            if self.nodes[n].kind == NodeKind::Dir && self.producer[n].is_none() {
                let mut below = Vec::new();
                self.nodes_below(&self.nodes[n].path, &mut below);
                for b in below {
                    if !rec.targets.contains(&b) && !ignored.contains(&b) && seen.insert(b, &out) {
                        out.push(b);
                    }
                }
            }
        }
        // A folder that a task builds depends on the files known inside it (SCons's directory
        // entry scanner), which are built first.
        for &d in &rec.targets {
            if !self.builds_folder(t) {
                break;
            }
            let mut below = Vec::new();
            self.nodes_below(&self.nodes[d].path, &mut below);
            for b in below {
                if !rec.targets.contains(&b) && !ignored.contains(&b) && seen.insert(b, &out) {
                    out.push(b);
                }
            }
        }
        out
    }

    /// Does task `t` make aliases (an `Alias()` with sources or actions)? An alias's content is
    /// its inputs'.
    pub fn builds_aliases(&self, t: TaskId) -> bool {
        self.tasks[t]
            .rec
            .targets
            .iter()
            .all(|&n| self.nodes[n].kind == NodeKind::Alias)
    }

    /// Does task `t` build folders as SCons builds directory nodes (`Command(Dir('d'), ...)`)?
    /// An installed directory is not one: SCons's Install target is an entry judged as a file.
    pub fn builds_folder(&self, t: TaskId) -> bool {
        let rec = &self.tasks[t].rec;
        !rec.targets.is_empty()
            && rec
                .targets
                .iter()
                .all(|&n| self.nodes[n].kind == NodeKind::Dir)
            && !self.tasks[t]
                .details()
                .actions
                .iter()
                .any(|a| matches!(a, ActionRecord::Copy { .. }))
    }

    /// Everything that must be built before task `t` runs, in the order SCons visits it: its
    /// order-only prerequisites (`Requires`) first, then its declared and known implicit inputs.
    pub fn ordering_inputs(&self, t: TaskId) -> Vec<NodeId> {
        let rec = &self.tasks[t].rec;
        let mut all = Vec::new();
        let mut seen = Seen::default();
        for n in rec
            .requires
            .iter()
            .copied()
            .chain(self.declared_inputs(t))
            .chain(rec.implicit.iter().copied())
        {
            if seen.insert(n, &all) {
                all.push(n);
            }
        }
        all
    }

    /// The file nodes known below folder `dir`, depth first in name order.
    fn nodes_below(&self, dir: &str, out: &mut Vec<NodeId>) {
        for entry in self.dir_entries(dir) {
            if let Some(n) = self.lookup(&entry) {
                if self.nodes[n].kind == NodeKind::File {
                    out.push(n);
                }
            }
            if self.is_known_dir(&entry) {
                self.nodes_below(&entry, out);
            }
        }
    }

    /// SCons's `alter_targets` for a goal that is a source folder (or a source file): the
    /// matching paths in the variant folders linked to it or to a folder above it, built
    /// first, and the message SCons prints for them. A goal already inside such a variant
    /// folder gets the message only.
    pub fn variant_goals(&self, path: &str, is_dir: bool) -> Option<(Vec<String>, String)> {
        let message = |what: &str| format!("building associated VariantDir targets: {what}");
        let (mut dir, mut tail) = if is_dir {
            (path.to_owned(), Vec::new())
        } else {
            let (d, name) = parent_of(path)?;
            (d.to_owned(), vec![name.to_owned()])
        };
        let start = dir.clone();
        let under = |p: &str, d: &str| {
            d == "." && !p.starts_with('/') || p == d || p.starts_with(&format!("{d}/"))
        };
        let mut targets = Vec::new();
        loop {
            for (variant, src, _) in &self.variant_dirs {
                if *src != dir {
                    continue;
                }
                if under(&start, variant) {
                    return Some((Vec::new(), message(path)));
                }
                let mut p = variant.clone();
                for t in &tail {
                    p = if p == "." {
                        t.clone()
                    } else {
                        format!("{p}/{t}")
                    };
                }
                targets.push(p);
            }
            match parent_of(&dir) {
                Some((up, name)) => {
                    tail.insert(0, name.to_owned());
                    dir = up.to_owned();
                }
                None => break,
            }
        }
        if targets.is_empty() {
            return None;
        }
        let text = message(&targets.join(" "));
        Some((targets, text))
    }

    /// For a path inside a variant folder with duplicate=1, the path of the file it mirrors
    /// in the source folder (the innermost such variant folder counts).
    pub fn duplicated_source(&self, path: &str) -> Option<String> {
        if !self.variant_dirs.iter().any(|(_, _, dup)| *dup) {
            return None;
        }
        let mut best: Option<(&str, &str)> = None;
        for (variant, src, dup) in &self.variant_dirs {
            let inside = variant != "."
                && path.len() > variant.len()
                && path.starts_with(variant.as_str())
                && path.as_bytes()[variant.len()] == b'/';
            if inside && best.is_none_or(|(v, _)| variant.len() > v.len()) {
                best = if *dup { Some((variant, src)) } else { None };
            }
        }
        let (variant, src) = best?;
        let rest = &path[variant.len() + 1..];
        Some(if src == "." {
            rest.to_owned()
        } else {
            format!("{src}/{rest}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick way to an absolute path gives what `normalize` gives, whatever the paths.
    #[test]
    fn absolute_paths_are_the_normalized_ones() {
        let paths = [
            "a.c",
            "lib/a.c",
            "./a.c",
            "lib/../a.c",
            "lib//a.c",
            "lib/",
            "/usr/include/x.h",
            "/usr/../x.h",
            "..",
            ".",
            "a/./b",
        ];
        for top in ["/tmp/top", "/", "/tmp/top/", "/tmp/./top", "/tmp/x/../top"] {
            let top = Path::new(top);
            for p in paths {
                assert_eq!(
                    Absolute::new(top).of(p),
                    normalize(top, Path::new(p)),
                    "{top:?} {p}"
                );
            }
        }
    }

    /// Nodes are found by path (the last declared of a path wins), headers added by scanning
    /// too; the folders' entries are the declared nodes'.
    #[test]
    fn nodes_are_found_by_path_and_folders_list_the_declared_ones() {
        let declared = serde_json::json!({
            "nodes": [
                {"path": "src/a.c", "kind": "file"},
                {"path": "src", "kind": "dir"},
                {"path": "all", "kind": "alias"},
                {"path": "src/b.c", "kind": "file"},
                {"path": "src/a.c", "kind": "file"},
            ],
            "tasks": [],
        });
        let declared: BuildGraph = serde_json::from_value(declared).unwrap();
        let mut g = Graph::from_declared(
            Path::new("/tmp/top"),
            Declared::of_records(Path::new("/tmp/top"), declared),
        )
        .unwrap();
        assert_eq!(g.lookup("src/a.c"), Some(4));
        assert_eq!(g.lookup("src/b.c"), Some(3));
        assert_eq!(g.lookup("src"), Some(1));
        assert_eq!(g.lookup("all"), None);
        assert_eq!(g.alias("all"), Some(2));
        assert_eq!(g.lookup("src/c.h"), None);
        let header = g.file_node("src/c.h");
        assert_eq!(header, 5);
        assert_eq!(g.lookup("src/c.h"), Some(5));
        assert_eq!(g.file_node("src/c.h"), 5);
        assert_eq!(g.dir_entries("src"), ["src/a.c", "src/b.c"]);
        assert!(g.is_known_dir("src"));
        // many more nodes than the table was made for
        for i in 0..1000 {
            g.file_node(&format!("inc/h{i}.h"));
        }
        assert_eq!(g.lookup("inc/h999.h"), Some(1005));
        assert_eq!(g.lookup("src/a.c"), Some(4));
    }

    /// A folder's entries are its known files and folders, each once, sorted by name.
    #[test]
    fn folder_entries_are_sorted_and_unique() {
        let mut e = FolderEntries::default();
        for p in ["b/z.c", "a.c", "b/y.c", "b/z.c", "c/d/e.h", "B.c", "/abs/x"] {
            e.add(p);
        }
        let e = e.sorted();
        assert_eq!(e["."], ["B.c", "a.c", "b", "c"]);
        assert_eq!(e["b"], ["y.c", "z.c"]);
        assert_eq!(e["c"], ["d"]);
        assert_eq!(e["/"], ["abs"]);
    }

    /// A list built through `Seen` keeps the first of each node, in order, short or long.
    #[test]
    fn seen_keeps_the_first_of_each_node_in_order() {
        let input: Vec<NodeId> = (0..100).map(|i| (i * 7) % 23).collect();
        let mut seen = Seen::default();
        let mut out = Vec::new();
        for &n in &input {
            if seen.insert(n, &out) {
                out.push(n);
            }
        }
        let mut expected = Vec::new();
        for &n in &input {
            if !expected.contains(&n) {
                expected.push(n);
            }
        }
        assert_eq!(out, expected);
        assert_eq!(out.len(), 23);
    }

    /// The quick path for clean paths gives what the component walk gives.
    #[test]
    fn normalize_agrees_with_the_walk_on_every_shape() {
        let walk = |base: &str, path: &str| normalize_by_walk(&Path::new(base).join(path));
        for base in ["/top", "/", "/a/b", "/a/./b", "/a/../b", "/a//b", "/a/b/"] {
            for path in [
                "x",
                "x/y.c",
                "./x",
                "x/./y",
                "x/../y",
                "../x",
                "x//y",
                "x/",
                ".",
                "..",
                "",
                "/abs/p",
                "/abs/../p",
            ] {
                assert_eq!(
                    normalize(Path::new(base), Path::new(path)),
                    walk(base, path),
                    "{base} + {path}"
                );
            }
        }
    }
}
