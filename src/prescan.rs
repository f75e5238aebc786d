//! Reading ahead of the build, on other threads; what is read is only a cache.
//!
//! Many tasks to judge: include scanning ahead, spread over the cores. While the scheduler
//! judges the tasks one by one on the main thread, worker threads read the files the C scanner
//! will need (the sources of the scanned tasks still to be judged and, through the same search
//! order, the headers they reach), hash them and extract their includes into the state store.
//! The scheduler's own scan then finds both cached (the hash by stat, the includes by hash) and
//! only resolves paths. What the workers store is only a cache: the scheduler's scan decides,
//! so a file changing under a worker costs a second read, never a wrong answer.
//!
//! A few tasks to judge (an edit): their targets' records and their inputs' stamps are read
//! from the state store while the first commands run (`reads`, `warm`).

use crate::graph::{is_clean_relative, normalize, top_relative, Graph, TaskId};
use crate::scanner;
use crate::signature::{hash_bytes, Stamp, Stat};
use crate::state::State;
use rustc_hash::{FxHashMap, FxHashSet as HashSet};
use scons_api::NodeKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Below this many tasks to scan, the main thread does it alone.
const WORTH_IT: usize = 64;

/// What the workers start from: each file to scan (top-relative) with the index of its search
/// path in `paths`.
pub struct Roots {
    top: PathBuf,
    paths: Vec<Vec<String>>,
    files: Vec<(String, usize)>,
    /// Files that tasks build: never read ahead (they may not exist yet, or be rebuilt).
    built: HashSet<String>,
}

/// The files to scan ahead for the tasks `tasks` (those not known current), if there are
/// enough of them.
pub fn roots(g: &Graph, tasks: impl Iterator<Item = TaskId>) -> Option<Roots> {
    let mut paths: Vec<Vec<String>> = Vec::new();
    let mut files = Vec::new();
    let mut scanned = 0;
    for t in tasks {
        let Some(sc) = &g.tasks[t].details().scanner else {
            continue;
        };
        scanned += 1;
        let k = match paths.iter().position(|p| *p == sc.path) {
            Some(k) => k,
            None => {
                paths.push(sc.path.clone());
                paths.len() - 1
            }
        };
        for &s in &g.tasks[t].rec.sources {
            let node = &g.nodes[s];
            if node.kind == NodeKind::File
                && g.producer[s].is_none()
                && scanner::is_scannable(&node.path)
            {
                files.push((node.path.clone(), k));
            }
        }
    }
    if scanned < WORTH_IT {
        return None;
    }
    let built = (0..g.nodes.len())
        .filter(|&n| g.producer[n].is_some())
        .map(|n| g.nodes[n].path.clone())
        .collect();
    Some(Roots {
        top: g.top.clone(),
        paths,
        files,
        built,
    })
}

/// What a few tasks to judge will read from the state store: their targets' records, and the
/// stamps of their inputs that none of them rewrites (by path, and absolute path). Read on
/// another thread while the first commands run (see `warm`), so that judging the task that
/// waits for them finds them in memory.
pub struct Reads {
    records: Vec<String>,
    stamps: Vec<(String, PathBuf)>,
}

/// The reads of `tasks` (the tasks of this build not known current), when they are few (many
/// are the scan ahead's business).
pub fn reads(g: &Graph, tasks: &[TaskId]) -> Option<Reads> {
    if tasks.is_empty() || tasks.len() >= WORTH_IT {
        return None;
    }
    let mut records = Vec::new();
    let mut stamps = Vec::new();
    let mut seen = HashSet::default();
    for &t in tasks {
        let rec = &g.tasks[t].rec;
        records.extend(rec.targets.iter().map(|&n| g.nodes[n].path.clone()));
        for &n in rec.sources.iter().chain(&rec.deps) {
            let node = &g.nodes[n];
            if node.kind == NodeKind::File
                && !g.producer[n].is_some_and(|p| tasks.contains(&p))
                && seen.insert(n)
            {
                stamps.push((node.path.clone(), node.abs.clone()));
            }
        }
    }
    Some(Reads { records, stamps })
}

/// Read what `reads` names into the state store's memory (a cache: the scheduler's own
/// reads decide).
pub fn warm(reads: Reads, state: &State, stop: &AtomicBool) {
    for path in &reads.records {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        state.target(path);
    }
    for (path, abs) in &reads.stamps {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        if let Some(stat) = Stat::of(abs) {
            state.cached_csig(path, &stat);
        }
    }
}

/// Scan ahead from `roots` until done or `stop` is set: level by level (the sources, then the
/// headers they include, then theirs...), each level split among the cores.
pub fn run(roots: Roots, state: &State, stop: &AtomicBool) {
    let started = std::time::Instant::now();
    let mut seen: HashSet<(String, usize)> = HashSet::default();
    let mut level: Vec<(String, usize)> = roots
        .files
        .iter()
        .filter(|f| seen.insert((*f).clone()))
        .cloned()
        .collect();
    while !level.is_empty() && !stop.load(Ordering::Relaxed) {
        let found = crate::cores::over_cores(&level, true, |part| {
            let mut out = Vec::new();
            let mut is_file = FxHashMap::default();
            for (file, k) in part {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                out.extend(scan_one(&roots, state, file, *k, &mut is_file));
            }
            out
        });
        level = found
            .into_iter()
            .flatten()
            .filter(|f| seen.insert(f.clone()))
            .collect();
    }
    if std::env::var_os("DOCONS_TIMINGS").is_some() {
        eprintln!(
            "docons: {} files scanned ahead in {:.1} ms",
            seen.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}

/// Hash `file` and extract its includes (both kept in the state store), and find the headers
/// they name along search path `k` (`is_file`: what this thread found on disk so far, by
/// top-relative path).
fn scan_one(
    roots: &Roots,
    state: &State,
    file: &str,
    k: usize,
    is_file: &mut FxHashMap<String, bool>,
) -> Vec<(String, usize)> {
    let abs = normalize(&roots.top, Path::new(file));
    let Some(stat) = Stat::of(&abs) else {
        return Vec::new();
    };
    // (a file read to be hashed is scanned from the same bytes)
    let mut text = None;
    let csig = match state.cached_csig(file, &stat) {
        Some(c) => c,
        None => {
            let Ok(data) = std::fs::read(&abs) else {
                return Vec::new();
            };
            let c = hash_bytes(&data);
            state.set_stamp(
                file,
                &Stamp {
                    stat,
                    csig: c.clone(),
                },
            );
            text = Some(data);
            c
        }
    };
    let includes = match state.includes(&csig) {
        Some(v) => v,
        None => {
            let text = match text {
                Some(t) => t,
                None => match std::fs::read(&abs) {
                    Ok(t) => t,
                    Err(_) => return Vec::new(),
                },
            };
            let v = scanner::extract_includes(&text);
            state.set_includes(&csig, &v);
            v
        }
    };
    let own_dir = match file.rfind('/') {
        Some(0) => "/",
        Some(i) => &file[..i],
        None => ".",
    };
    let mut found = Vec::new();
    for inc in &includes {
        for dir in scanner::search_order(inc, own_dir, &roots.paths[k]) {
            let candidate = if dir == "." {
                inc.name.clone()
            } else {
                format!("{dir}/{}", inc.name)
            };
            let rel = if is_clean_relative(&candidate) {
                candidate
            } else {
                top_relative(&roots.top, &normalize(&roots.top, Path::new(&candidate)))
            };
            if roots.built.contains(&rel) {
                break; // a generated header: the scheduler scans it once built
            }
            let on_disk = match is_file.get(&rel) {
                Some(&known) => known,
                None => {
                    let known = normalize(&roots.top, Path::new(&rel)).is_file();
                    is_file.insert(rel.clone(), known);
                    known
                }
            };
            if on_disk {
                if scanner::is_scannable(&rel) {
                    found.push((rel, k));
                }
                break;
            }
        }
    }
    found
}
