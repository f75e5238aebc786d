//! The persistent graph: the declared graph of the last run, kept in the state store with the list
//! of everything the scripts read (files, paths probed, folders listed, environment variables), the
//! request (arguments, targets, options) and the docons binary. While all of that is unchanged the
//! engine reuses the graph and runs no Python at all; anything changed means the scripts run again.

use crate::signature::{hash_file, hash_str, Stamp, Stat};
use crate::state::State;
use scons_api::{BuildGraph, ReadRequest};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The kept file: `MAGIC`, the length of the head (u64, little-endian), the head, the graph;
/// both msgpack. The head alone decides whether the graph can be used, and a no-op build that
/// the proof answers (see `proof`) never decodes the graph.
const MAGIC: &[u8] = b"docons graph 2\n";

#[derive(Serialize, Deserialize)]
struct Head {
    key: String,
    env: EnvCheck,
    files: Vec<(String, Stamp)>,
    probes: Vec<(String, String, bool)>,
    listings: Vec<(String, String)>,
    globs: Vec<(String, String, String)>,
    /// The hash of the graph (a proof of the last build holds for this graph only).
    graph_id: [u8; 32],
    /// What the scripts printed (replayed with the graph).
    stdout: String,
    stderr: String,
}

/// A kept graph whose inputs are unchanged.
pub struct Kept {
    pub graph_id: [u8; 32],
    pub stdout: String,
    pub stderr: String,
    inputs: scons_api::ScriptInputs,
    bytes: Vec<u8>,
    body_at: usize,
}

impl Kept {
    /// Decode the graph itself.
    pub fn graph(self) -> Result<BuildGraph, String> {
        let graph: BuildGraph = rmp_serde::from_slice(&self.bytes[self.body_at..])
            .map_err(|e| format!("the kept graph cannot be read: {e}"))?;
        Ok(BuildGraph {
            inputs: Some(self.inputs),
            ..graph
        })
    }
}

fn encode(head: &Head, graph: &BuildGraph) -> Option<Vec<u8>> {
    let head = rmp_serde::to_vec_named(head).ok()?;
    let graph = rmp_serde::to_vec_named(graph).ok()?;
    let mut out = Vec::with_capacity(MAGIC.len() + 8 + head.len() + graph.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(head.len() as u64).to_le_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(&graph);
    Some(out)
}

/// The head of a kept file and where the graph starts.
fn decode_head(bytes: &[u8]) -> Option<(Head, usize)> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let len = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?) as usize;
    let start = MAGIC.len() + 8;
    let end = start.checked_add(len)?;
    let head = rmp_serde::from_slice(bytes.get(start..end)?).ok()?;
    Some((head, end))
}

#[derive(Serialize, Deserialize)]
enum EnvCheck {
    /// These variables, with these values (`None`: unset).
    Some(Vec<(String, Option<String>)>),
    /// The whole environment, by hash.
    All(String),
}

/// What identifies a request: the request itself and the binary answering it.
pub fn request_key(request: &ReadRequest) -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| Stat::of(&p))
        .map(|s| format!("{}:{}:{}", s.mtime_ns, s.size, s.inode))
        .unwrap_or_default();
    let req = serde_json::to_string(request).unwrap_or_default();
    hash_str(&format!("{}\0{exe}\0{req}", env!("CARGO_PKG_VERSION")))
}

fn whole_env_hash() -> String {
    let mut vars: Vec<String> = std::env::vars_os()
        .map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy()))
        .collect();
    vars.sort();
    hash_str(&vars.join("\0"))
}

fn listing_hash(dir: &str) -> String {
    matching_hash(dir, None)
}

/// Hash of the names in `dir` (those matching the fnmatch `pattern`, when given).
fn matching_hash(dir: &str, pattern: Option<&glob::Pattern>) -> String {
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    };
    match std::fs::read_dir(dir) {
        Err(_) => String::from("-"),
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| pattern.is_none_or(|p| p.matches_with(n, options)))
                .collect();
            names.sort();
            hash_str(&names.join("\0"))
        }
    }
}

fn glob_hash(dir: &str, pattern: &str) -> String {
    match glob::Pattern::new(pattern) {
        Ok(p) => matching_hash(dir, Some(&p)),
        Err(_) => listing_hash(dir),
    }
}

/// The answer to an `os.path` predicate the scripts asked (`exists`, `isfile`, `isdir`, `islink`).
pub fn probe(path: &str, predicate: &str) -> bool {
    let p = Path::new(path);
    match predicate {
        "exists" => p.exists(),
        "isfile" => p.is_file(),
        "isdir" => p.is_dir(),
        "islink" => p.is_symlink(),
        _ => !p.exists(), // unknown predicate: never matches what was recorded
    }
}

/// The first probe whose answer is not the recorded one. One `stat` answers every predicate
/// asked of a path (the list is sorted, so they are neighbours), and the list is split among
/// the cores: a tree's scripts probe tens of thousands of paths.
fn first_changed_probe(probes: &[(String, String, bool)]) -> Option<usize> {
    let check = |offset: usize, part: &[(String, String, bool)]| -> Option<usize> {
        let mut last: Option<(&str, Option<std::fs::Metadata>)> = None;
        for (i, (path, predicate, result)) in part.iter().enumerate() {
            let answer = match predicate.as_str() {
                "exists" | "isfile" | "isdir" => {
                    let meta = match &last {
                        Some((p, m)) if *p == path.as_str() => m.clone(),
                        _ => {
                            let m = std::fs::metadata(path).ok();
                            last = Some((path.as_str(), m.clone()));
                            m
                        }
                    };
                    match predicate.as_str() {
                        "exists" => meta.is_some(),
                        "isfile" => meta.is_some_and(|m| m.is_file()),
                        _ => meta.is_some_and(|m| m.is_dir()),
                    }
                }
                _ => probe(path, predicate),
            };
            if answer != *result {
                return Some(offset + i);
            }
        }
        None
    };
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    if workers < 2 || probes.len() < 4096 {
        return check(0, probes);
    }
    let chunk = probes.len().div_ceil(workers);
    std::thread::scope(|s| {
        let handles: Vec<_> = probes
            .chunks(chunk)
            .enumerate()
            .map(|(k, part)| s.spawn(move || check(k * chunk, part)))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok().flatten())
            .min()
    })
}

fn stamp_of(path: &str) -> Option<Stamp> {
    let stat = Stat::of(Path::new(path))?;
    let csig = hash_file(Path::new(path)).ok()?;
    Some(Stamp { stat, csig })
}

/// The identity of a declared graph: the hash of its encoding (what the scripts read left out).
fn graph_id(bare: &BuildGraph) -> [u8; 32] {
    let bytes = rmp_serde::to_vec(bare).unwrap_or_default();
    *blake3::hash(&bytes).as_bytes()
}

/// Keep the graph for the next run, when it can be reused; its id when it was kept.
pub fn save(state: &State, request: &ReadRequest, graph: &BuildGraph) -> Option<[u8; 32]> {
    let key = request_key(request);
    if !graph.reusable() {
        state.forget_graph(&key);
        return None;
    }
    let inputs = graph.inputs.as_ref()?;
    let env = match &inputs.env {
        Some(vars) => EnvCheck::Some(vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        None => EnvCheck::All(whole_env_hash()),
    };
    let mut files = Vec::with_capacity(inputs.files.len());
    for f in &inputs.files {
        match stamp_of(f) {
            Some(s) => files.push((f.clone(), s)),
            None => {
                // A file read then removed: the next run cannot check it, so it reads again.
                state.forget_graph(&key);
                return None;
            }
        }
    }
    // Probes of the graph's own build outputs only told the scripts that these are files, which
    // they stay whether or not they exist yet: building them must not invalidate the graph.
    let outputs: std::collections::HashSet<std::path::PathBuf> = graph
        .tasks
        .iter()
        .flat_map(|t| t.targets.iter())
        .filter(|&&n| graph.nodes[n].kind == scons_api::NodeKind::File)
        .map(|&n| request.top.join(&graph.nodes[n].path))
        .collect();
    let probes = inputs
        .probes
        .iter()
        .filter(|(path, predicate, result)| {
            let file_answer = predicate != "isdir" || !*result;
            !(file_answer && outputs.contains(Path::new(path)))
        })
        .cloned()
        .collect();
    let bare = BuildGraph {
        inputs: None,
        ..graph.clone()
    };
    let head = Head {
        key: key.clone(),
        env,
        files,
        probes,
        listings: inputs
            .listings
            .iter()
            .map(|d| (d.clone(), listing_hash(d)))
            .collect(),
        globs: inputs
            .globs
            .iter()
            .map(|(d, p)| (d.clone(), p.clone(), glob_hash(d, p)))
            .collect(),
        graph_id: graph_id(&bare),
        stdout: graph.stdout.clone(),
        stderr: graph.stderr.clone(),
    };
    let bytes = encode(&head, &bare)?;
    state.set_graph(&key, &bytes);
    Some(head.graph_id)
}

/// The graph of the last run and its id, if nothing it depends on has changed; else why not.
pub fn load(state: &State, request: &ReadRequest) -> Result<(BuildGraph, [u8; 32]), String> {
    let key = request_key(request);
    let bytes = state.graph(&key).ok_or("no graph kept for this request")?;
    let kept = check(bytes, &key)?;
    let id = kept.graph_id;
    Ok((kept.graph()?, id))
}

/// The kept graph in `bytes`, if it answers the request `key` and nothing it depends on has
/// changed; else why not. The graph itself is not decoded yet.
pub fn check(bytes: Vec<u8>, key: &str) -> Result<Kept, String> {
    let (head, body_at) = decode_head(&bytes).ok_or("the kept graph is in another format")?;
    if head.key != key {
        return Err("the request or docons changed".into());
    }
    match &head.env {
        EnvCheck::All(h) => {
            if *h != whole_env_hash() {
                return Err("the environment changed".into());
            }
        }
        EnvCheck::Some(vars) => {
            for (k, v) in vars {
                if std::env::var(k).ok() != *v {
                    return Err(format!("${k} changed"));
                }
            }
        }
    }
    if let Some(i) = first_changed_probe(&head.probes) {
        let (path, predicate, _) = &head.probes[i];
        return Err(format!("{predicate}({path}) changed"));
    }
    for (dir, hash) in &head.listings {
        if listing_hash(dir) != *hash {
            return Err(format!("the listing of {dir} changed"));
        }
    }
    for (dir, pattern, hash) in &head.globs {
        if glob_hash(dir, pattern) != *hash {
            return Err(format!("the entries of {dir} matching {pattern} changed"));
        }
    }
    for (path, stamp) in &head.files {
        let unchanged = Stat::of(Path::new(path)).is_some_and(|now| {
            now == stamp.stat || hash_file(Path::new(path)).is_ok_and(|c| c == stamp.csig)
        });
        if !unchanged {
            return Err(format!("{path} changed"));
        }
    }
    // What the scripts read, for watch mode to watch (the probes of build outputs left out).
    let inputs = scons_api::ScriptInputs {
        files: head.files.into_iter().map(|(f, _)| f).collect(),
        probes: head.probes,
        listings: head.listings.into_iter().map(|(d, _)| d).collect(),
        globs: head.globs.into_iter().map(|(d, p, _)| (d, p)).collect(),
        env: None,
        volatile: Vec::new(),
    };
    Ok(Kept {
        graph_id: head.graph_id,
        stdout: head.stdout,
        stderr: head.stderr,
        inputs,
        bytes,
        body_at,
    })
}
