//! The proof of the last build: which tasks it found current (or made current), and the stat of
//! every file they were judged on. The next run of the same request on the same declared graph
//! stats those files (in parallel) and takes as current, without reading a record or hashing a
//! byte, every task none of whose files changed; only the rest is checked the usual way. So a
//! no-op build costs one stat per file, and an incremental one grows with the change.
//!
//! Soundness rules:
//! - A proof is used only with the declared graph it was made for (its id: the hash of the
//!   graph) and only when no path the include scanner looked for in vain has appeared since.
//! - Every stat in a proof was taken during the run that wrote it. A source file whose mtime is
//!   within `RACY_NS` of that run's start could have been written again in the same clock tick
//!   without its stat changing, so it counts as changed (the next run checks it properly).
//! - Tasks that read variant-dir copies of headers (duplicate=1) are never proven: the copy's
//!   stat says nothing about the source it mirrors.
//!
//! The file is a flat little-endian encoding (it is read on every run, so it is kept cheap to
//! parse), next to the kept graph: `.docons/graphs/<request key>.proof`.

use crate::flat_codec::{put_str, put_u32, Reader};
use crate::graph::{Graph, NodeId, TaskId};
use crate::signature::{Stat, RACY_NS};
use crate::transcript::Line;
use crate::uptodate::Memo;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use scons_api::NodeKind;
use std::ops::Range;
use std::path::Path;

const MAGIC: &[u8] = b"docons proof 4\n";
/// The length of what precedes the body: the magic line, the graph id, the run's start, and
/// whether the body keeps a transcript (so that a run can tell without decoding the body).
const HEADER_LEN: usize = MAGIC.len() + 32 + 16 + 1;

/// One proven task: what it was judged on and what it makes (each a range of the proof's
/// `lists`, which hold places in its file table).
struct Proven {
    task: TaskId,
    inputs: Range<usize>,
    targets: Range<usize>,
    /// What the aliases among its inputs stand for (an alias's content is its inputs'): the
    /// task is current only while these are unchanged too.
    behind_aliases: Range<usize>,
}

impl Proven {
    /// Its three lists of files, out of the proof's `lists`.
    fn lists<'a>(&self, lists: &'a [u32]) -> [&'a [u32]; 3] {
        [&self.inputs, &self.targets, &self.behind_aliases].map(|r| &lists[r.clone()])
    }

    /// All its files, out of the proof's `lists`.
    fn files<'a>(&self, lists: &'a [u32]) -> impl Iterator<Item = u32> + 'a {
        self.lists(lists).into_iter().flatten().copied()
    }
}

/// A file a proof speaks of.
struct FileEntry {
    /// Its node id when the proof was written (nodes found by scanning may get others).
    id: u32,
    /// Where its path is in the proof file (checked to be UTF-8 when read).
    path: Range<usize>,
    /// A file or folder (else an alias or value: nothing on disk to stat).
    is_file: bool,
    /// Built by a task.
    built: bool,
    stat: Option<Stat>,
}

/// The decoded file (its paths are read out of `bytes`, the file itself, when needed).
struct Decoded {
    bytes: std::sync::Arc<Vec<u8>>,
    graph_id: [u8; 32],
    started_ns: i128,
    files: std::sync::Arc<Vec<FileEntry>>,
    missing: Vec<String>,
    proven: Vec<Proven>,
    /// The proven tasks' lists of files, one after the other.
    lists: Vec<u32>,
    /// What the build printed, when it found everything current on these stats alone.
    transcript: Option<Vec<Line>>,
    /// Where each file's entry and each proven task's entry are in the file.
    file_spans: Vec<Range<usize>>,
    proven_spans: Vec<Range<usize>>,
}

/// The path of `f`, an entry of the proof file `bytes`.
fn path_in<'a>(bytes: &'a [u8], f: &FileEntry) -> &'a str {
    std::str::from_utf8(&bytes[f.path.clone()]).unwrap_or_default()
}

/// What a run loaded: the memo to start the build from, and the proof file as read (a run
/// that proves exactly the same does not write it again).
pub struct Loaded {
    pub memo: Memo,
    bytes: std::sync::Arc<Vec<u8>>,
    /// A file was modified within `RACY_NS` of the start of the run that wrote the proof: write
    /// it again (with this run's start, its stats can be trusted next time).
    recent: bool,
    prior: Prior,
}

/// What the proof a run started from says, as the next proof can reuse it: the entries of the
/// tasks this run took as current without judging them again are copied from its body.
struct Prior {
    /// Per file of the proof: where its entry is in the file, the stat and node id written
    /// there, and its node in this run's graph.
    file_spans: Vec<Range<usize>>,
    file_stats: Vec<Option<Stat>>,
    file_ids: Vec<u32>,
    /// Per file: the memo was started with the stat the proof holds, for the same node (its
    /// entry can be copied unless the build took the file's stat again: `Memo::restated`).
    loaded_same: Vec<bool>,
    file_nodes: Vec<NodeId>,
    /// Per task of the graph, when the proof still proved it when loaded: where its entry is,
    /// and its files.
    tasks: Vec<Option<(Range<usize>, Proven)>>,
    /// The lists of files `tasks` speak of.
    lists: Vec<u32>,
}

/// A proof read and compared with the files as they are now.
pub struct Examined {
    d: Decoded,
    /// The stat of each file of the proof now (`None` for entries that are not files).
    now: Vec<Option<Stat>>,
    /// Per file: changed since, or modified too close to the proof's run to be trusted.
    changed: Vec<bool>,
    /// Per file: a symbolic link.
    links: Vec<bool>,
    recent: bool,
    /// Per file: its node in this run's graph, when found already (`found_nodes`).
    nodes: Option<Vec<NodeId>>,
}

/// A proof as read, its files not looked at yet.
pub struct Proof {
    d: Decoded,
}

/// Read the proof kept at `path` for the graph `graph_id`: `None` when there is none, or one
/// made for another graph.
pub fn read(path: &Path, graph_id: &[u8; 32]) -> Option<Proof> {
    let d = decode(std::fs::read(path).ok()?)?;
    if d.graph_id != *graph_id {
        return None;
    }
    Some(Proof { d })
}

/// Whether the proof kept at `path` for the graph `graph_id` keeps its build's transcript (and
/// so may be the whole next build), read from its header alone; `None` when there is no such
/// proof.
pub fn keeps_transcript(path: &Path, graph_id: &[u8; 32]) -> Option<bool> {
    use std::io::Read;
    let mut header = [0u8; HEADER_LEN];
    std::fs::File::open(path)
        .ok()?
        .read_exact(&mut header)
        .ok()?;
    let ours = header.starts_with(MAGIC) && header[MAGIC.len()..MAGIC.len() + 32] == *graph_id;
    ours.then_some(header[HEADER_LEN - 1] != 0)
}

/// Read the proof kept at `path` for the graph `graph_id` of the tree `top` and examine it.
pub fn examine(path: &Path, graph_id: &[u8; 32], top: &Path) -> Option<Examined> {
    read(path, graph_id)?.examine(top, false)
}

/// The files a proof speaks of (and the proof file their paths are in), to find their nodes
/// in this run's graph on another thread (see `ProofFiles::nodes_in`).
pub struct ProofFiles {
    files: std::sync::Arc<Vec<FileEntry>>,
    bytes: std::sync::Arc<Vec<u8>>,
}

impl ProofFiles {
    fn of(d: &Decoded) -> ProofFiles {
        ProofFiles {
            files: std::sync::Arc::clone(&d.files),
            bytes: std::sync::Arc::clone(&d.bytes),
        }
    }

    /// The node of each file in graph `g` (headers found by scanning are added to it).
    pub fn nodes_in(&self, g: &mut Graph) -> Vec<NodeId> {
        // (room for the headers found by scanning last time, which are added as they come)
        let declared = g.nodes.len();
        let beyond = self
            .files
            .iter()
            .filter(|f| f.id as usize >= declared)
            .count();
        g.reserve_nodes(beyond);
        self.files
            .iter()
            .map(|f| {
                let id = f.id as usize;
                let path = path_in(&self.bytes, f);
                if id < g.nodes.len() && g.nodes[id].path == path {
                    id
                } else {
                    match g.lookup(path) {
                        Some(n) => n,
                        None => g.file_node(path),
                    }
                }
            })
            .collect()
    }
}

impl Proof {
    /// Its files (see `ProofFiles`).
    pub fn files(&self) -> ProofFiles {
        ProofFiles::of(&self.d)
    }

    /// Stat the proof's files in the tree `top`, spread over the cores (over those left when
    /// the graph is being decoded `alongside`, on a machine of more than two). `None` when a
    /// header looked for in vain exists now (it may shadow one found further along the search
    /// path, so nothing can be taken as proven).
    pub fn examine(self, top: &Path, alongside: bool) -> Option<Examined> {
        self.examine_telling(top, alongside, &|| {})
    }

    /// `examine`, calling `changed` (from whichever thread, perhaps more than once) as soon as
    /// a file is found changed: the build is then not the last one's transcript, and the
    /// caller may start on what it will need.
    pub fn examine_telling(
        self,
        top: &Path,
        alongside: bool,
        changed: &(dyn Fn() + Sync),
    ) -> Option<Examined> {
        let Proof { d } = self;
        let absolute = crate::graph::Absolute::new(top);
        if d.missing.iter().any(|p| absolute.of(p).is_file()) {
            return None;
        }
        // (a built file is written by its task, not by hand in the same clock tick)
        let racy = |f: &FileEntry| {
            !f.built && f.stat.is_some_and(|s| s.mtime_ns + RACY_NS >= d.started_ns)
        };
        let spread = !alongside || crate::cores::count() > 2;
        let (now, links) = stat_all(&d.files, &d.bytes, &absolute, spread, &|i, now| {
            let f = &d.files[i];
            if f.stat != *now || racy(f) {
                changed();
            }
        });
        let mut recent = false;
        let changed = d
            .files
            .iter()
            .zip(&now)
            .map(|(f, now)| {
                let racy = racy(f);
                recent |= racy;
                f.stat != *now || racy
            })
            .collect();
        Some(Examined {
            d,
            now,
            changed,
            links,
            recent,
            nodes: None,
        })
    }
}

impl Examined {
    /// What the last build printed, when it found everything current and none of the files
    /// it looked at changed since: printing it again is the whole build.
    pub fn transcript(&self) -> Option<&[Line]> {
        let transcript = self.d.transcript.as_deref()?;
        (!self.recent && !self.changed.iter().any(|&c| c)).then_some(transcript)
    }

    /// The node of each of the proof's files in the graph the memo will be for, found on
    /// another thread (`ProofFiles::nodes_in`) while the files were examined.
    pub fn found_nodes(&mut self, nodes: Vec<NodeId>) {
        self.nodes = Some(nodes);
    }

    /// Find the node of each of the proof's files in graph `g`, unless they were found already
    /// (`found_nodes`).
    pub fn find_nodes(&mut self, g: &mut Graph) {
        if self
            .nodes
            .as_ref()
            .is_none_or(|n| n.len() != self.d.files.len())
        {
            self.nodes = Some(ProofFiles::of(&self.d).nodes_in(g));
        }
    }

    /// The memo that takes every still-proven task as current: the tasks none of whose files
    /// changed, and none of whose inputs is built by a task that is no longer proven. The
    /// graph (of `tasks` tasks) is the one `find_nodes` was given.
    pub fn into_memo(self, tasks: usize) -> Loaded {
        let Examined {
            d,
            now,
            mut changed,
            links,
            recent,
            nodes,
        } = self;
        // The node of each path in this run's graph.
        let ids = nodes.expect("the proof's files have their nodes (find_nodes)");
        let mut memo = Memo::default();
        // Unsettle every task that used a changed file, and everything built from its targets
        // (a pass per level of the chain; the changed files grow with each).
        let mut proven: Vec<bool> = d.proven.iter().map(|p| p.task < tasks).collect();
        loop {
            let mut more = false;
            for (k, p) in d.proven.iter().enumerate() {
                if proven[k] && p.files(&d.lists).any(|i| changed[i as usize]) {
                    proven[k] = false;
                    for &i in &d.lists[p.targets.clone()] {
                        changed[i as usize] = true;
                    }
                    more = true;
                }
            }
            if !more {
                break;
            }
        }
        let proven_count = proven.iter().filter(|&&p| p).count();
        let still = || {
            d.proven
                .iter()
                .zip(&proven)
                .filter(|(_, &p)| p)
                .map(|(p, _)| p)
        };
        // The files' stats and the tasks' lists go into separate maps: each is built on a core.
        let noted = std::thread::scope(|s| {
            let files = s.spawn(|| {
                // The stats of the proven tasks' files, as just taken (those of other files are
                // taken when a task needs them: one may be rewritten before, say a variant-dir
                // copy).
                let mut stats = HashMap::default();
                stats.reserve(d.files.len());
                let mut linked = HashSet::default();
                let mut noted = vec![false; d.files.len()];
                for p in still() {
                    for i in p.files(&d.lists) {
                        let i = i as usize;
                        if d.files[i].is_file && !std::mem::replace(&mut noted[i], true) {
                            stats.insert(ids[i], now[i]);
                            if links[i] {
                                linked.insert(ids[i]);
                            }
                        }
                    }
                }
                (stats, linked, noted)
            });
            memo.settled.reserve(proven_count);
            memo.inputs_of.reserve(proven_count);
            memo.targets_of.reserve(proven_count);
            let map = |v: &[u32]| v.iter().map(|&i| ids[i as usize]).collect::<Vec<_>>();
            for p in still() {
                memo.settled.insert(p.task);
                memo.inputs_of
                    .insert(p.task, map(&d.lists[p.inputs.clone()]));
                memo.targets_of
                    .insert(p.task, map(&d.lists[p.targets.clone()]));
            }
            let noted;
            (memo.stats, memo.links, noted) = files
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            noted
        });
        for m in d.missing {
            memo.exists.insert(m, false);
        }
        let mut by_task: Vec<Option<(Range<usize>, Proven)>> = Vec::new();
        by_task.resize_with(tasks, || None);
        for ((p, span), still) in d.proven.into_iter().zip(d.proven_spans).zip(&proven) {
            if *still {
                let task = p.task;
                by_task[task] = Some((span, p));
            }
        }
        // (a stat put in the memo that is the one the proof holds, for the same node)
        let loaded_same = (0..d.files.len())
            .map(|i| noted[i] && now[i] == d.files[i].stat && d.files[i].id as usize == ids[i])
            .collect();
        let prior = Prior {
            file_spans: d.file_spans,
            file_stats: d.files.iter().map(|f| f.stat).collect(),
            file_ids: d.files.iter().map(|f| f.id).collect(),
            loaded_same,
            file_nodes: ids,
            tasks: by_task,
            lists: d.lists,
        };
        Loaded {
            memo,
            bytes: d.bytes,
            recent,
            prior,
        }
    }
}

/// Stat every file of `files` (paths relative to the tree `absolute` makes them absolute in),
/// folder by folder, spread over the cores when `spread`, and tell the symbolic links (`None`
/// and no link for entries that are not files).
fn stat_all(
    files: &[FileEntry],
    bytes: &[u8],
    absolute: &crate::graph::Absolute,
    spread: bool,
    seen: &(dyn Fn(usize, &Option<Stat>) + Sync),
) -> (Vec<Option<Stat>>, Vec<bool>) {
    // The files by folder ("." and "/" are looked at as themselves, in themselves).
    let folders =
        crate::graph::group_by_folder(files.iter().enumerate().filter(|(_, f)| f.is_file).map(
            |(i, f)| {
                let path = path_in(bytes, f);
                let (dir, name) = crate::graph::parent_of(path).unwrap_or((path, "."));
                (dir, (i, name))
            },
        ));
    let stat_folders = |part: &[(&str, Vec<(usize, &str)>)]| {
        let mut found = Vec::new();
        for (dir, members) in part {
            let mut folder = crate::signature::Folder::open(&absolute.of(dir));
            for &(i, name) in members {
                let (stat, link) = folder.lstat(name);
                seen(i, &stat);
                found.push((i, stat, link));
            }
        }
        found
    };
    let mut now = vec![None; files.len()];
    let mut links = vec![false; files.len()];
    for part in crate::cores::over_cores(&folders, spread && files.len() >= 2048, stat_folders) {
        for (i, stat, link) in part {
            now[i] = stat;
            links[i] = link;
        }
    }
    (now, links)
}

/// Write the proof of what `memo` holds as current (the run started at `started_ns`), unless it
/// proves exactly what the loaded proof did.
pub fn save(
    path: &Path,
    graph_id: &[u8; 32],
    started_ns: i128,
    memo: &Memo,
    g: &Graph,
    loaded: Option<&Loaded>,
    transcript: Option<&[Line]>,
) {
    // After a partial build, most tasks are still current on the loaded proof's word: their
    // entries are copied from it, and so are the entries of files whose stat this run found
    // the same (a proof with a transcript is written afresh).
    let reused = match loaded {
        Some(l) if transcript.is_none() => encode_reusing(l, memo, g),
        _ => None,
    };
    let (body, with_transcript) = match reused {
        Some(body) => {
            // (a check the tests ask for: the copy means what a proof written afresh means)
            if std::env::var_os("DOCONS_CHECK_PROOF").is_some() {
                let (afresh, _) = encode_body(memo, g, None);
                if meaning(&body) != meaning(&afresh) {
                    eprintln!(
                        "docons: internal error: the proof written from the last one differs"
                    );
                    std::process::exit(3);
                }
            }
            (body, false)
        }
        None => encode_body(memo, g, transcript),
    };
    if loaded.is_some_and(|l| !l.recent && l.bytes.get(HEADER_LEN..) == Some(&body[..])) {
        return;
    }
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(graph_id);
    header.extend_from_slice(&started_ns.to_le_bytes());
    header.push(with_transcript as u8);
    // (the body, a megabyte or more, is written as it is, not copied behind the header)
    let _ = crate::state::replace_file(path, &[&header, &body]);
}

/// Per node, once known: can a task be proven on it (it is not a file, or its stat was kept,
/// and it is not a variant-dir copy of a source)? (A graph's nodes are many and large: each is
/// looked at once, not once per task that reads it.)
struct Provable<'a> {
    memo: &'a Memo,
    g: &'a Graph,
    known: Vec<Option<bool>>,
    is_alias: Vec<bool>,
}

impl<'a> Provable<'a> {
    fn new(memo: &'a Memo, g: &'a Graph) -> Self {
        Provable {
            memo,
            g,
            known: vec![None; g.nodes.len()],
            is_alias: match g.has_aliases() {
                true => g.nodes.iter().map(|n| n.kind == NodeKind::Alias).collect(),
                false => Vec::new(),
            },
        }
    }

    /// What the aliases among a task's `inputs` stand for, when the task can be proven on
    /// them, its `targets` and those.
    fn behind(&mut self, inputs: &[NodeId], targets: &[NodeId]) -> Option<Vec<NodeId>> {
        let (memo, g) = (self.memo, self.g);
        let behind = behind_aliases(g, inputs, &self.is_alias);
        for &n in inputs.iter().chain(targets).chain(&behind) {
            let ok = *self.known[n].get_or_insert_with(|| {
                let node = &g.nodes[n];
                let file = matches!(node.kind, NodeKind::File | NodeKind::Dir);
                (!file || memo.stats.contains_key(&n))
                    && !(g.producer[n].is_none() && g.duplicated_source(&node.path).is_some())
            });
            if !ok {
                return None;
            }
        }
        Some(behind)
    }
}

/// The entry of file node `n`: its id, path, kind and stat as `memo` holds it.
fn put_file(out: &mut Vec<u8>, memo: &Memo, g: &Graph, n: NodeId) {
    put_u32(out, n as u32);
    put_str(out, &g.nodes[n].path);
    let is_file = matches!(g.nodes[n].kind, NodeKind::File | NodeKind::Dir);
    let stat = memo.stats.get(&n).copied().flatten();
    let built = g.producer[n].is_some();
    out.push(is_file as u8 | (built as u8) << 1 | (stat.is_some() as u8) << 2);
    if let Some(s) = stat {
        out.extend_from_slice(&(s.mtime_ns as i64).to_le_bytes());
        out.extend_from_slice(&s.size.to_le_bytes());
        out.extend_from_slice(&s.inode.to_le_bytes());
    }
}

/// The entry of a proven task, its files given by their places in the file table.
fn put_task(out: &mut Vec<u8>, t: TaskId, lists: [&[u32]; 3]) {
    put_u32(out, t as u32);
    for list in lists {
        put_u32(out, list.len() as u32);
        for &i in list {
            put_u32(out, i);
        }
    }
}

/// The paths looked for in vain (the part after the file table).
fn put_missing(out: &mut Vec<u8>, memo: &Memo) {
    let mut missing: Vec<&String> = memo
        .exists
        .iter()
        .filter(|(_, &e)| !e)
        .map(|(p, _)| p)
        .collect();
    missing.sort_unstable();
    put_u32(out, missing.len() as u32);
    for m in missing {
        put_str(out, m);
    }
}

/// The files of a proof being written: a place for each node, given on first use.
struct FileTable {
    /// Per node: its place, or `u32::MAX`.
    index: Vec<u32>,
    /// The nodes given a place in this proof, in order (after those kept from a prior one).
    added: Vec<NodeId>,
    /// Per place kept from a prior proof (they come first): does a task of this one use it?
    used: Vec<bool>,
}

impl FileTable {
    /// A table starting with the places of a prior proof's files (`kept`: their nodes).
    fn new(g: &Graph, kept: &[NodeId]) -> FileTable {
        let mut index = vec![u32::MAX; g.nodes.len()];
        for (i, &n) in kept.iter().enumerate() {
            index[n] = i as u32;
        }
        FileTable {
            index,
            added: Vec::new(),
            used: vec![false; kept.len()],
        }
    }

    fn place(&mut self, n: NodeId) -> u32 {
        if self.index[n] == u32::MAX {
            self.index[n] = (self.used.len() + self.added.len()) as u32;
            self.added.push(n);
        }
        let i = self.index[n];
        if let Some(u) = self.used.get_mut(i as usize) {
            *u = true;
        }
        i
    }

    fn places(&mut self, nodes: &[NodeId]) -> Vec<u32> {
        nodes.iter().map(|&n| self.place(n)).collect()
    }

    /// How many places there are.
    fn len(&self) -> usize {
        self.used.len() + self.added.len()
    }
}

/// The body of the proof of what `memo` holds as current, and whether it keeps `transcript`
/// (not when a task taken as current cannot be proven).
fn encode_body(memo: &Memo, g: &Graph, mut transcript: Option<&[Line]>) -> (Vec<u8>, bool) {
    let mut tasks: Vec<TaskId> = memo.settled.iter().copied().collect();
    tasks.sort_unstable();
    let mut files = FileTable::new(g, &[]);
    // With a transcript, the stat of every file the build looked at is part of the proof.
    if transcript.is_some() {
        let mut looked: Vec<NodeId> = memo.stats.keys().copied().collect();
        looked.sort_unstable();
        for n in looked {
            files.place(n);
        }
    }
    let mut provable = Provable::new(memo, g);
    let mut proven = Vec::new();
    for t in tasks {
        let (Some(inputs), Some(targets)) = (memo.inputs_of.get(&t), memo.targets_of.get(&t))
        else {
            continue;
        };
        let Some(behind) = provable.behind(inputs, targets) else {
            // (a build that took such a task as current has no transcript to keep)
            transcript = None;
            continue;
        };
        let lists = [inputs, targets, &behind].map(|v| files.places(v));
        proven.push((t, lists));
    }
    let mut out = Vec::new();
    put_u32(&mut out, files.added.len() as u32);
    for &n in &files.added {
        put_file(&mut out, memo, g, n);
    }
    put_missing(&mut out, memo);
    put_u32(&mut out, proven.len() as u32);
    for (t, [inputs, targets, behind]) in &proven {
        put_task(&mut out, *t, [inputs, targets, behind]);
    }
    let kept = transcript.is_some();
    match transcript {
        None => out.push(0),
        Some(lines) => {
            out.push(1);
            put_u32(&mut out, lines.len() as u32);
            for (to_stderr, line) in lines {
                out.push(*to_stderr as u8);
                put_str(&mut out, line);
            }
        }
    }
    (out, kept)
}

/// The body of the proof after a partial build that started from proof `l` (with no
/// transcript): the entries of the tasks taken as current on `l`'s word, and of the files that
/// did not change, are copied from it; the rest is written as `encode_body` writes it.
/// `None` when too many of `l`'s files would serve no task any more (each is statted by every
/// run): the proof is then written afresh.
fn encode_reusing(l: &Loaded, memo: &Memo, g: &Graph) -> Option<Vec<u8>> {
    let prior = &l.prior;
    let mut files = FileTable::new(g, &prior.file_nodes);
    let mut tasks: Vec<TaskId> = memo.settled.iter().copied().collect();
    tasks.sort_unstable();
    let mut provable = Provable::new(memo, g);
    enum Entry {
        Copied(Range<usize>),
        Written(TaskId, [Vec<u32>; 3]),
    }
    let mut entries = Vec::with_capacity(tasks.len());
    for t in tasks {
        if !memo.judged.contains(&t) {
            if let Some(Some((span, p))) = prior.tasks.get(t) {
                for i in p.files(&prior.lists) {
                    files.used[i as usize] = true;
                }
                entries.push(Entry::Copied(span.clone()));
                continue;
            }
        }
        let (Some(inputs), Some(targets)) = (memo.inputs_of.get(&t), memo.targets_of.get(&t))
        else {
            continue;
        };
        let Some(behind) = provable.behind(inputs, targets) else {
            continue;
        };
        let lists = [inputs, targets, &behind].map(|v| files.places(v));
        entries.push(Entry::Written(t, lists));
    }
    let unused = files.used.iter().filter(|&&u| !u).count();
    if unused * 8 > files.len() {
        return None;
    }
    if std::env::var_os("DOCONS_TIMINGS").is_some() {
        let copied = entries
            .iter()
            .filter(|e| matches!(e, Entry::Copied(_)))
            .count();
        eprintln!(
            "docons: proof: {copied} of {} tasks copied from the last one",
            entries.len()
        );
    }
    let mut out = Vec::with_capacity(l.bytes.len() + 4096);
    put_u32(&mut out, files.len() as u32);
    let mut restated = vec![false; g.nodes.len()];
    for &n in &memo.restated {
        restated[n] = true;
    }
    for (i, &n) in prior.file_nodes.iter().enumerate() {
        // (a file no task uses any more keeps its old entry: it proves nothing)
        let same = !files.used[i]
            || (prior.loaded_same[i] && !restated[n])
            || (memo.stats.get(&n).copied().flatten() == prior.file_stats[i]
                && prior.file_ids[i] as usize == n);
        if same {
            out.extend_from_slice(&l.bytes[prior.file_spans[i].clone()]);
        } else {
            put_file(&mut out, memo, g, n);
        }
    }
    for &n in &files.added {
        put_file(&mut out, memo, g, n);
    }
    put_missing(&mut out, memo);
    put_u32(&mut out, entries.len() as u32);
    for e in &entries {
        match e {
            Entry::Copied(span) => out.extend_from_slice(&l.bytes[span.clone()]),
            Entry::Written(t, [inputs, targets, behind]) => {
                put_task(&mut out, *t, [inputs, targets, behind])
            }
        }
    }
    out.push(0);
    Some(out)
}

/// What a proof body says, for comparing two: each proven task with the paths and stats of
/// its files, and the paths looked for in vain.
type Meaning = (
    std::collections::BTreeMap<TaskId, [Vec<(String, bool, Option<Stat>)>; 3]>,
    Vec<String>,
);

fn meaning(body: &[u8]) -> Option<Meaning> {
    // (the bodies compared keep no transcript)
    let mut bytes = vec![0u8; HEADER_LEN];
    bytes[..MAGIC.len()].copy_from_slice(MAGIC);
    bytes.extend_from_slice(body);
    let d = decode(bytes)?;
    let file = |i: &u32| {
        let f = &d.files[*i as usize];
        (path_in(&d.bytes, f).to_string(), f.built, f.stat)
    };
    let tasks = d
        .proven
        .iter()
        .map(|p| {
            (
                p.task,
                p.lists(&d.lists).map(|l| l.iter().map(file).collect()),
            )
        })
        .collect();
    Some((tasks, d.missing))
}

/// The nodes the aliases among `inputs` stand for, through aliases of aliases (`is_alias`:
/// per node, an alias; empty when the graph has none).
fn behind_aliases(g: &Graph, inputs: &[NodeId], is_alias: &[bool]) -> Vec<NodeId> {
    if is_alias.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen = HashSet::default();
    let mut queue: Vec<NodeId> = inputs.iter().copied().filter(|&n| is_alias[n]).collect();
    while let Some(a) = queue.pop() {
        if !seen.insert(a) {
            continue;
        }
        let Some(p) = g.producer[a] else { continue };
        for n in g.declared_inputs(p) {
            if g.nodes[n].kind == NodeKind::Alias {
                queue.push(n);
            } else if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Read a list of indexes below `limit` onto `into`; where they are there.
fn read_indexes(r: &mut Reader, limit: usize, into: &mut Vec<u32>) -> Option<Range<usize>> {
    let n = r.u32()? as usize;
    let start = into.len();
    for _ in 0..n {
        let i = r.u32()?;
        if i as usize >= limit {
            return None;
        }
        into.push(i);
    }
    Some(start..into.len())
}

fn decode(bytes: Vec<u8>) -> Option<Decoded> {
    let mut r = Reader::new(&bytes);
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let graph_id: [u8; 32] = r.take(32)?.try_into().ok()?;
    let started_ns = i128::from_le_bytes(r.take(16)?.try_into().ok()?);
    let with_transcript = r.u8()? != 0;
    let n_files = r.u32()? as usize;
    let mut files = Vec::with_capacity(n_files.min(1 << 20));
    let mut file_spans = Vec::with_capacity(n_files.min(1 << 20));
    for _ in 0..n_files {
        let start = r.at();
        let id = r.u32()?;
        let path = r.str_span()?;
        let flags = r.u8()?;
        let stat = match flags & 4 {
            0 => None,
            _ => Some(Stat {
                mtime_ns: r.u64()? as i64 as i128,
                size: r.u64()?,
                inode: r.u64()?,
            }),
        };
        files.push(FileEntry {
            id,
            path,
            is_file: flags & 1 != 0,
            built: flags & 2 != 0,
            stat,
        });
        file_spans.push(start..r.at());
    }
    let n_missing = r.u32()? as usize;
    let mut missing = Vec::with_capacity(n_missing.min(1 << 16));
    for _ in 0..n_missing {
        missing.push(r.string()?);
    }
    let n_proven = r.u32()? as usize;
    let mut proven = Vec::with_capacity(n_proven.min(1 << 20));
    let mut proven_spans = Vec::with_capacity(n_proven.min(1 << 20));
    let mut lists = Vec::new();
    let mut seen = HashSet::default();
    for _ in 0..n_proven {
        let start = r.at();
        let task = r.u32()? as TaskId;
        if !seen.insert(task) {
            return None;
        }
        let inputs = read_indexes(&mut r, files.len(), &mut lists)?;
        let targets = read_indexes(&mut r, files.len(), &mut lists)?;
        let behind_aliases = read_indexes(&mut r, files.len(), &mut lists)?;
        proven.push(Proven {
            task,
            inputs,
            targets,
            behind_aliases,
        });
        proven_spans.push(start..r.at());
    }
    let transcript = match r.u8()? {
        0 => None,
        _ => {
            let n = r.u32()? as usize;
            let mut lines = Vec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                let to_stderr = r.u8()? != 0;
                lines.push((to_stderr, r.string()?));
            }
            Some(lines)
        }
    };
    let whole = r.at() == bytes.len() && with_transcript == transcript.is_some();
    whole.then(|| Decoded {
        bytes: std::sync::Arc::new(bytes),
        graph_id,
        started_ns,
        files: std::sync::Arc::new(files),
        missing,
        proven,
        lists,
        transcript,
        file_spans,
        proven_spans,
    })
}
