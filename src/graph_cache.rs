//! The persistent graph: the declared graph of the last run, kept in the state store with the list
//! of everything the scripts read (files, paths probed, folders listed, environment variables), the
//! request (arguments, targets, options) and the docons binary. While all of that is unchanged the
//! engine reuses the graph and runs no Python at all; anything changed means the scripts run again.

use crate::signature::{hash_file, hash_str, Stamp, Stat};
use crate::state::State;
use scons_api::{BuildGraph, ReadRequest};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Serialize, Deserialize)]
struct CachedGraph {
    key: String,
    env: EnvCheck,
    files: Vec<(String, Stamp)>,
    probes: Vec<(String, String, bool)>,
    listings: Vec<(String, String)>,
    globs: Vec<(String, String, String)>,
    graph: BuildGraph,
}

#[derive(Serialize, Deserialize)]
enum EnvCheck {
    /// These variables, with these values (`None`: unset).
    Some(Vec<(String, Option<String>)>),
    /// The whole environment, by hash.
    All(String),
}

/// What identifies a request: the request itself and the binary answering it.
fn request_key(request: &ReadRequest) -> String {
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

fn stamp_of(path: &str) -> Option<Stamp> {
    let stat = Stat::of(Path::new(path))?;
    let csig = hash_file(Path::new(path)).ok()?;
    Some(Stamp { stat, csig })
}

/// Keep the graph for the next run, when it can be reused.
pub fn save(state: &State, request: &ReadRequest, graph: &BuildGraph) {
    let key = request_key(request);
    if !graph.reusable() {
        state.forget_graph(&key);
        return;
    }
    let Some(inputs) = &graph.inputs else { return };
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
                return;
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
    let cached = CachedGraph {
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
        graph: BuildGraph {
            inputs: None,
            ..graph.clone()
        },
    };
    state.set_graph(&key, &cached);
}

/// The graph of the last run, if nothing it depends on has changed; else why not.
pub fn load(state: &State, request: &ReadRequest) -> Result<BuildGraph, String> {
    let key = request_key(request);
    let cached: CachedGraph = state.graph(&key).ok_or("no graph kept for this request")?;
    if cached.key != key {
        return Err("the request or docons changed".into());
    }
    match &cached.env {
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
    for (path, predicate, result) in &cached.probes {
        if probe(path, predicate) != *result {
            return Err(format!("{predicate}({path}) changed"));
        }
    }
    for (dir, hash) in &cached.listings {
        if listing_hash(dir) != *hash {
            return Err(format!("the listing of {dir} changed"));
        }
    }
    for (dir, pattern, hash) in &cached.globs {
        if glob_hash(dir, pattern) != *hash {
            return Err(format!("the entries of {dir} matching {pattern} changed"));
        }
    }
    for (path, stamp) in &cached.files {
        let unchanged = Stat::of(Path::new(path)).is_some_and(|now| {
            now == stamp.stat || hash_file(Path::new(path)).is_ok_and(|c| c == stamp.csig)
        });
        if !unchanged {
            return Err(format!("{path} changed"));
        }
    }
    // What the scripts read, for watch mode to watch (the probes of build outputs left out).
    let inputs = scons_api::ScriptInputs {
        files: cached.files.into_iter().map(|(f, _)| f).collect(),
        probes: cached.probes,
        listings: cached.listings.into_iter().map(|(d, _)| d).collect(),
        globs: cached.globs.into_iter().map(|(d, p, _)| (d, p)).collect(),
        env: None,
        volatile: Vec::new(),
    };
    Ok(BuildGraph {
        inputs: Some(inputs),
        ..cached.graph
    })
}
