//! CacheDir: a shared folder of built files keyed by their build signature (the task's action
//! signature, its inputs' contents and the target's path). A stale task whose targets are all in
//! the cache gets them copied from there ("Retrieved `x' from cache") instead of running; every
//! file built is copied into the cache. Options: `--cache-disable`, `--cache-readonly`,
//! `--cache-force` (also push targets that are already up to date), `--cache-show` (print the
//! command instead of the "Retrieved" line). Files are kept as `DIR/XX/SIGNATURE`, XX the signature's first two
//! characters in upper case, as SCons lays them out.

use crate::graph::{Graph, NodeId, TaskId};
use crate::scheduler::BuildOptions;
use crate::uptodate::{Checker, TaskInputs};
use scons_api::NodeKind;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct CacheOptions {
    pub disable: bool,
    pub force: bool,
    pub readonly: bool,
    pub show: bool,
}

fn cache_file(dir: &Path, g: &Graph, t: TaskId, inputs: &TaskInputs, n: NodeId) -> PathBuf {
    let mut h = blake3::Hasher::new();
    h.update(g.tasks[t].action_sig().as_bytes());
    for r in &inputs.records {
        h.update(b"\0");
        h.update(r.path.as_bytes());
        h.update(b"\0");
        h.update(r.csig.as_bytes());
    }
    h.update(b"\0target\0");
    h.update(g.nodes[n].path.as_bytes());
    let key = h.finalize().to_hex().to_string();
    dir.join(key[..2].to_uppercase()).join(key)
}

/// The cache folder for task `t`, when caching applies to it.
fn cache_dir(g: &Graph, t: TaskId, opts: &CacheOptions) -> Option<PathBuf> {
    if opts.disable {
        return None;
    }
    let dir = g.tasks[t].details().cache_dir.as_ref()?;
    Some(crate::graph::normalize(&g.top, Path::new(dir)))
}

fn cacheable(g: &Graph, n: NodeId) -> bool {
    g.nodes[n].kind == NodeKind::File && !g.nodes[n].nocache
}

/// Get every target of stale task `t` from the cache; false (nothing changed) unless all are
/// there. Prints what SCons prints for a retrieval.
pub fn retrieve(
    g: &Graph,
    t: TaskId,
    inputs: &TaskInputs,
    opts: &BuildOptions,
    checker: &mut Checker,
) -> bool {
    let Some(dir) = cache_dir(g, t, &opts.cache) else {
        return false;
    };
    let targets = &g.tasks[t].rec.targets;
    let mut files = Vec::with_capacity(targets.len());
    for &n in targets {
        if !cacheable(g, n) {
            return false;
        }
        let f = cache_file(&dir, g, t, inputs, n);
        if !f.is_file() {
            return false;
        }
        files.push((n, f));
    }
    if opts.no_exec {
        // Nothing is copied, but what depends on these targets sees the cached contents.
        for (n, f) in &files {
            if let Ok(c) = crate::signature::hash_file(f) {
                checker.assume_csig(*n, c);
            }
        }
    } else {
        for (n, f) in &files {
            let to = &g.nodes[*n].abs;
            let _ = std::fs::remove_file(to);
            if let Some(parent) = to.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            if std::fs::copy(f, to).is_err() {
                for (m, _) in &files {
                    let _ = std::fs::remove_file(&g.nodes[*m].abs);
                    checker.forget(*m);
                }
                return false;
            }
            checker.forget(*n);
        }
    }
    if !opts.silent {
        let mut o = String::new();
        if opts.cache.show {
            for a in &g.tasks[t].details().actions {
                if !a.show().is_empty() {
                    o.push_str(a.show());
                    o.push('\n');
                }
            }
        } else {
            for (n, _) in &files {
                o.push_str(&format!("Retrieved `{}' from cache\n", g.nodes[*n].path));
            }
        }
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(o.as_bytes());
        let _ = out.flush();
    }
    true
}

/// Copy the targets of task `t` (just built, or up to date with `--cache-force`) into the cache.
pub fn push(g: &Graph, t: TaskId, inputs: &TaskInputs, opts: &CacheOptions) {
    if opts.readonly {
        return;
    }
    let Some(dir) = cache_dir(g, t, opts) else {
        return;
    };
    for &n in &g.tasks[t].rec.targets {
        if !cacheable(g, n) || !g.nodes[n].abs.is_file() {
            continue;
        }
        let f = cache_file(&dir, g, t, inputs, n);
        if f.is_file() {
            continue;
        }
        let Some(sub) = f.parent() else { continue };
        if std::fs::create_dir_all(sub).is_err() {
            continue;
        }
        // Copy under a private name, then rename: readers never see a partial file.
        let tmp = sub.join(format!(".tmp-{}-{n}", std::process::id()));
        if std::fs::copy(&g.nodes[n].abs, &tmp).is_ok() && std::fs::rename(&tmp, &f).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
