//! How a kept graph (see `graph_cache`) lays the declared graph out in bytes, so that a build
//! decodes quickly what every build needs (the nodes and the tasks' edges) and only what it
//! looks at of the rest (the tasks' details: actions, environment, scanner, decider...).
//!
//! The layout: `[frame length][frame][nodes length][nodes][edges length][edges][outside
//! length][outside][offsets][details]`, lengths u64 and every number little-endian.
//! - frame: the graph without its nodes and tasks (msgpack, fields by position);
//! - nodes: the node count (u32), then per node its kind (u8), its flags (u8), its path's
//!   length (u32) and its path; then the nodes that have `NodeExtras`, with them, msgpack;
//! - edges: the task count (u32), then per task the lengths of its six edge lists (u32 each)
//!   and their node ids (u32);
//! - outside: for a kept part of a graph (see `graph_part`), the sorted hashes (u64) of the
//!   paths outside it that matter; empty for a whole graph;
//! - offsets: per task, where its details start in the details (u32), then where they end;
//! - details: every task's `TaskDetails` one after another (msgpack, fields by position).

use crate::flat_codec::{put_len, put_section, Reader};
use crate::graph::{Absolute, Declared, EncodedDetails, Node, NodeExtras, Outside, Task};
use scons_api::{ActionRecord, BuildGraph, NodeId, NodeKind, NodeRecord, TaskEdges, TaskRecord};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a kept graph is decoded from: its file mapped into memory (or, in tests, a buffer).
pub trait Source: Send + Sync {
    fn bytes(&self) -> &[u8];
    /// The bytes were found damaged: make sure the next run does not use them.
    fn forget(&self);
}

pub type Bytes = Arc<dyn Source>;

/// A kept graph's file, mapped.
pub struct KeptFile {
    pub path: PathBuf,
    pub map: memmap2::Mmap,
    /// The file may be removed (not in a run that changes nothing: `-n`, `-q`).
    pub removable: bool,
}

impl Source for KeptFile {
    fn bytes(&self) -> &[u8] {
        &self.map
    }

    fn forget(&self) {
        if self.removable {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Source for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }

    fn forget(&self) {}
}

const PRECIOUS: u8 = 1;
const ALWAYS_BUILD: u8 = 2;
const NOCLEAN: u8 = 4;
const NOCACHE: u8 = 8;
const PSEUDO: u8 = 16;
const EXTRAS: u8 = 32;

/// A task's details, encoded as `TaskDetails` is (without a copy of the task).
#[derive(Serialize)]
struct DetailsOf<'a> {
    actions: &'a [ActionRecord],
    scanner: &'a Option<scons_api::ScannerRecord>,
    env: &'a std::collections::BTreeMap<String, String>,
    decider: scons_api::Decider,
    decider_function: Option<u64>,
    chdir: &'a Option<String>,
    python_scanners: &'a [scons_api::PythonScannerRecord],
    action_text: &'a str,
    cache_dir: &'a Option<String>,
}

impl<'a> DetailsOf<'a> {
    fn of(t: &'a TaskRecord) -> Self {
        DetailsOf {
            actions: &t.actions,
            scanner: &t.scanner,
            env: &t.env,
            decider: t.decider,
            decider_function: t.decider_function,
            chdir: &t.chdir,
            python_scanners: &t.python_scanners,
            action_text: &t.action_text,
            cache_dir: &t.cache_dir,
        }
    }
}

fn kind_code(kind: NodeKind) -> u8 {
    match kind {
        NodeKind::File => 0,
        NodeKind::Dir => 1,
        NodeKind::Alias => 2,
        NodeKind::Value => 3,
    }
}

fn kind_of(code: u8) -> Option<NodeKind> {
    Some(match code {
        0 => NodeKind::File,
        1 => NodeKind::Dir,
        2 => NodeKind::Alias,
        3 => NodeKind::Value,
        _ => return None,
    })
}

fn encode_nodes(nodes: &[NodeRecord]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(nodes.iter().map(|n| 6 + n.path.len()).sum::<usize>() + 4);
    put_len(&mut out, nodes.len())?;
    let mut extras = Vec::new();
    for (id, n) in nodes.iter().enumerate() {
        let mut flags = 0;
        for (set, bit) in [
            (n.precious, PRECIOUS),
            (n.always_build, ALWAYS_BUILD),
            (n.noclean, NOCLEAN),
            (n.nocache, NOCACHE),
            (n.pseudo, PSEUDO),
        ] {
            if set {
                flags |= bit;
            }
        }
        if let Some(e) = NodeExtras::copied(n) {
            flags |= EXTRAS;
            extras.push((id, e));
        }
        out.push(kind_code(n.kind));
        out.push(flags);
        put_len(&mut out, n.path.len())?;
        out.extend_from_slice(n.path.as_bytes());
    }
    out.extend(rmp_serde::to_vec(&extras).ok()?);
    Some(out)
}

fn encode_edges(tasks: &[TaskRecord]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    put_len(&mut out, tasks.len())?;
    for t in tasks {
        let lists = [
            &t.targets,
            &t.sources,
            &t.deps,
            &t.requires,
            &t.side_effects,
            &t.implicit,
        ];
        for list in lists {
            put_len(&mut out, list.len())?;
        }
        for &n in lists.into_iter().flatten() {
            put_len(&mut out, n)?;
        }
    }
    Some(out)
}

/// The bytes of `graph` laid out for keeping (`outside`: see `graph_part::Part`).
pub fn encode(graph: &mut BuildGraph, outside: &[u64]) -> Option<Vec<u8>> {
    let nodes = std::mem::take(&mut graph.nodes);
    let tasks = std::mem::take(&mut graph.tasks);
    let frame = rmp_serde::to_vec(&*graph);
    graph.nodes = nodes;
    graph.tasks = tasks;
    let frame = frame.ok()?;
    let nodes = encode_nodes(&graph.nodes)?;
    let edges = encode_edges(&graph.tasks)?;
    let mut details = Vec::new();
    let mut offsets = Vec::with_capacity(4 * (graph.tasks.len() + 1));
    for t in &graph.tasks {
        put_len(&mut offsets, details.len())?;
        rmp_serde::encode::write(&mut details, &DetailsOf::of(t)).ok()?;
    }
    put_len(&mut offsets, details.len())?;
    let mut out = Vec::with_capacity(
        24 + frame.len() + nodes.len() + edges.len() + offsets.len() + details.len(),
    );
    put_section(&mut out, &frame);
    put_section(&mut out, &nodes);
    put_section(&mut out, &edges);
    let outside: Vec<u8> = outside.iter().flat_map(|h| h.to_le_bytes()).collect();
    put_section(&mut out, &outside);
    out.extend_from_slice(&offsets);
    out.extend_from_slice(&details);
    Some(out)
}

/// A list of `n` node ids (u32 each).
fn read_ids(r: &mut Reader, n: usize) -> Option<Vec<NodeId>> {
    let bytes = r.take(n.checked_mul(4)?)?;
    Some(
        bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .collect(),
    )
}

fn decode_nodes(bytes: &[u8], top: &Path) -> Option<Vec<Node>> {
    let absolute = Absolute::new(top);
    let mut r = Reader::new(bytes);
    let count = r.u32()? as usize;
    // (each node takes 6 bytes at least: a damaged count cannot ask for more room than that)
    let mut nodes = Vec::with_capacity(count.min(bytes.len() / 6));
    for _ in 0..count {
        let kind = kind_of(r.u8()?)?;
        let flags = r.u8()?;
        let path = r.str()?.to_owned();
        let abs = absolute.of_node(&path, kind);
        let mut node = Node::plain(path, kind, abs);
        node.precious = flags & PRECIOUS != 0;
        node.always_build = flags & ALWAYS_BUILD != 0;
        node.noclean = flags & NOCLEAN != 0;
        node.nocache = flags & NOCACHE != 0;
        node.pseudo = flags & PSEUDO != 0;
        nodes.push(node);
    }
    let extras: Vec<(usize, Box<NodeExtras>)> = rmp_serde::from_slice(r.rest()).ok()?;
    for (id, e) in extras {
        nodes.get_mut(id)?.extras = Some(e);
    }
    Some(nodes)
}

fn decode_edges(bytes: &[u8]) -> Option<Vec<TaskEdges>> {
    let mut r = Reader::new(bytes);
    let tasks = r.u32()? as usize;
    // (each task takes 24 bytes at least: a damaged count cannot ask for more room than that)
    let mut out = Vec::with_capacity(tasks.min(bytes.len() / 24));
    for _ in 0..tasks {
        let mut lens = [0; 6];
        for len in &mut lens {
            *len = r.u32()? as usize;
        }
        out.push(TaskEdges {
            targets: read_ids(&mut r, lens[0])?,
            sources: read_ids(&mut r, lens[1])?,
            deps: read_ids(&mut r, lens[2])?,
            requires: read_ids(&mut r, lens[3])?,
            side_effects: read_ids(&mut r, lens[4])?,
            implicit: read_ids(&mut r, lens[5])?,
        });
    }
    r.is_done().then_some(out)
}

/// The graph laid out (see `encode`) from `start` to the end of `bytes`: its frame, nodes and
/// edges decoded (paths made absolute against `top`), its tasks' details left encoded there;
/// `None` when the bytes are damaged.
pub fn decode(bytes: Bytes, start: usize, top: &Path) -> Option<Declared> {
    let all: &[u8] = bytes.bytes();
    let mut r = Reader::new(all.get(start..)?);
    // (the sections' places in `all`)
    let mut section = || r.section().map(|s| start + s.start..start + s.end);
    let (frame, nodes, edges, outside) = (section()?, section()?, section()?, section()?);
    let rec: BuildGraph = rmp_serde::from_slice(&all[frame]).ok()?;
    let nodes = decode_nodes(&all[nodes], top)?;
    let edges = decode_edges(&all[edges])?;
    if outside.len() % 8 != 0 {
        return None;
    }
    let outside = (!outside.is_empty()).then(|| Outside {
        bytes: bytes.clone(),
        span: outside,
    });
    let offsets: Vec<usize> = (0..=edges.len())
        .map(|_| Some(r.u32()? as usize))
        .collect::<Option<_>>()?;
    let details_start = start + r.at();
    if offsets.windows(2).any(|w| w[0] > w[1]) || offsets.last() != Some(&r.rest().len()) {
        return None;
    }
    let tasks = edges
        .into_iter()
        .zip(offsets.windows(2))
        .map(|(edges, span)| {
            let details = EncodedDetails {
                bytes: bytes.clone(),
                span: details_start + span[0]..details_start + span[1],
            };
            Task::encoded(edges, details)
        })
        .collect();
    Some(Declared {
        rec,
        nodes,
        tasks,
        outside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use scons_api::Decider;

    /// A graph with two tasks, one with every detail set.
    fn two_task_graph() -> BuildGraph {
        serde_json::from_value(serde_json::json!({
            "nodes": [
                {"path": "a.c", "kind": "file"},
                {"path": "a.o", "kind": "file", "precious": true},
                {"path": "prog", "kind": "file", "noclean": true, "nocache": true,
                 "clean": [3], "ignore": [0], "decider": {"name": "timestamp-match"},
                 "depends": [3]},
                {"path": "side", "kind": "dir",
                 "folder_pre_actions": [{"kind": "copy", "show": "pre", "sig": "pre"}]},
                {"path": "all", "kind": "alias", "always_build": true, "pseudo": true},
                {"path": "v", "kind": "value"},
            ],
            "tasks": [
                {"targets": [1], "sources": [0], "deps": [3], "requires": [3],
                 "side_effects": [3], "implicit": [0],
                 "actions": [{"kind": "command", "cmd": "cc -c a.c", "show": "CC a.o",
                              "sig": "cc -c a.c", "ignore_errors": true, "after": "x"},
                             {"kind": "copy", "show": "copy", "sig": "copy"}],
                 "scanner": {"kind": "C", "path": ["inc"]},
                 "env": {"PATH": "/bin"}, "decider": "timestamp-newer",
                 "decider_function": 7, "chdir": "sub",
                 "python_scanners": [{"id": 3, "sources": [0], "recursive": true}],
                 "action_text": "cc -c $SOURCE", "cache_dir": "/cache"},
                {"targets": [2], "sources": [1],
                 "actions": [{"kind": "python", "id": 9, "show": "f", "sig": "f"}]},
            ],
            "default_targets": [2],
            "sconscripts": ["SConstruct"],
        }))
        .unwrap()
    }

    /// A kept graph decodes to the graph that was kept: frame, edges, and each task's details
    /// from its own span.
    #[test]
    fn a_kept_graph_decodes_to_the_graph_kept() {
        let mut graph = two_task_graph();
        let mut body = b"head".to_vec();
        body.extend(encode(&mut graph, &[]).unwrap());
        let bytes: Bytes = Arc::new(body);
        let top = Path::new("/top");
        let declared = decode(bytes, 4, top).unwrap();
        let absolute = Absolute::new(top);
        let expected: Vec<String> = (graph.nodes.iter().cloned())
            .map(|n| format!("{:?}", Node::declared(n, &absolute)))
            .collect();
        let nodes: Vec<String> = declared.nodes.iter().map(|n| format!("{n:?}")).collect();
        assert_eq!(nodes, expected);
        assert!(declared.nodes[1].precious);
        assert_eq!(declared.nodes[1].abs, Path::new("/top/a.o"));
        assert_eq!(
            declared.nodes[2].decider().unwrap().name,
            Decider::TimestampMatch
        );
        assert!(declared.rec.nodes.is_empty());
        assert_eq!(declared.rec.default_targets, Some(vec![2]));
        assert_eq!(declared.rec.sconscripts, ["SConstruct"]);
        assert!(declared.rec.tasks.is_empty());
        assert_eq!(declared.tasks.len(), 2);
        for (task, kept) in graph.tasks.into_iter().zip(&declared.tasks) {
            let (edges, details) = task.split();
            assert_eq!(kept.rec, edges);
            assert_eq!(
                serde_json::to_value(kept.details()).unwrap(),
                serde_json::to_value(&details).unwrap()
            );
        }
        assert_eq!(declared.tasks[0].details().decider_function, Some(7));
        assert_eq!(declared.tasks[1].details().actions[0].show(), "f");
    }

    /// Bytes that note whether they were forgotten.
    struct Noted(Vec<u8>, std::sync::atomic::AtomicBool);

    impl Source for Noted {
        fn bytes(&self) -> &[u8] {
            &self.0
        }

        fn forget(&self) {
            self.1.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Damage inside one task's details is found when they are first decoded: the bytes are
    /// forgotten (the kept file removed) and the run stops with a message that says so.
    #[test]
    fn damaged_details_are_forgotten_when_decoded() {
        let mut body = encode(&mut two_task_graph(), &[]).unwrap();
        let mut offsets_at = 0;
        for _ in 0..4 {
            let len = &body[offsets_at..offsets_at + 8];
            offsets_at += 8 + u64::from_le_bytes(len.try_into().unwrap()) as usize;
        }
        let details_at = offsets_at + 4 * 3;
        body[details_at] = 0xc1; // (a byte msgpack never uses)
        let noted = Arc::new(Noted(body, Default::default()));
        let bytes: Bytes = noted.clone();
        let declared = decode(bytes, 0, Path::new("/")).unwrap();
        assert_eq!(declared.tasks[1].details().actions[0].show(), "f");
        assert!(!noted.1.load(std::sync::atomic::Ordering::SeqCst));
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            declared.tasks[0].details().actions.len()
        }))
        .unwrap_err();
        let message = panic.downcast_ref::<String>().unwrap();
        assert!(
            message.contains("the kept graph was found damaged"),
            "{message}"
        );
        assert!(noted.1.load(std::sync::atomic::Ordering::SeqCst));
    }

    /// A graph section cut short or with spans out of order is refused whole.
    #[test]
    fn a_damaged_kept_graph_is_refused() {
        let body = encode(&mut two_task_graph(), &[]).unwrap();
        for cut in [3, 20, body.len() - 1] {
            let bytes: Bytes = Arc::new(body[..cut].to_vec());
            assert!(decode(bytes, 0, Path::new("/")).is_none(), "cut at {cut}");
        }
        // the first task's span said to end after the second's
        let mut offsets_at = 0;
        for _ in 0..4 {
            let len = &body[offsets_at..offsets_at + 8];
            offsets_at += 8 + u64::from_le_bytes(len.try_into().unwrap()) as usize;
        }
        let mut bad = body.clone();
        bad[offsets_at + 4..offsets_at + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        let bytes: Bytes = Arc::new(bad);
        assert!(decode(bytes, 0, Path::new("/")).is_none());
    }
}
