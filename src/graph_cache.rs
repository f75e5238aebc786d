//! The persistent graph: the declared graph of the last run, kept in the state store with the list
//! of everything the scripts read (files, paths probed, folders listed, environment variables), the
//! request (arguments, targets, options) and the docons binary. While all of that is unchanged the
//! engine reuses the graph and runs no Python at all; anything changed means the scripts run again.

use crate::signature::{hash_file, hash_str, now_ns, Stamp, Stat, RACY_NS};
use crate::state::State;
use scons_api::{BuildGraph, ReadRequest};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The kept file: `MAGIC`, then the head, the probes and the graph, each msgpack and each but
/// the graph preceded by its length (u64, little-endian). The graph's records are encoded by
/// position, not by field name (every field is written), which decodes faster. The head and
/// the probes decide whether the graph can be used (the probes are not even decoded while
/// every folder they are in is unchanged since they were last verified), and a no-op build
/// that the proof answers (see `proof`) never reads the graph.
const MAGIC: &[u8] = b"docons graph 4\n";

#[derive(Serialize, Deserialize)]
struct Head {
    key: String,
    env: EnvCheck,
    files: Vec<(String, Stamp)>,
    /// How many probes the probes section holds.
    probe_count: usize,
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
    /// The probes section (watch mode watches them), when it was read to check them.
    probes: Option<Vec<u8>>,
    /// The kept file, read up to the graph, or up to the probes section of `probes_len` bytes
    /// when it was not read.
    file: std::fs::File,
    probes_len: u64,
}

impl Kept {
    /// Read and decode the graph itself, with the paths the scripts probed when `probes` (watch
    /// mode watches them; a single build has checked them already).
    pub fn graph(mut self, probes: bool) -> Result<BuildGraph, String> {
        use std::io::{Read, Seek};
        let unreadable = |e: String| format!("the kept graph cannot be read: {e}");
        let section = match self.probes.take() {
            Some(section) => Some(section),
            None if probes => Some(
                read_section(&mut self.file, self.probes_len)
                    .map_err(|e| unreadable(e.to_string()))?,
            ),
            None => {
                let skip = i64::try_from(self.probes_len).map_err(|e| unreadable(e.to_string()))?;
                self.file
                    .seek(std::io::SeekFrom::Current(skip))
                    .map_err(|e| unreadable(e.to_string()))?;
                None
            }
        };
        let mut body = Vec::new();
        self.file
            .read_to_end(&mut body)
            .map_err(|e| unreadable(e.to_string()))?;
        let graph: BuildGraph =
            rmp_serde::from_slice(&body).map_err(|e| unreadable(e.to_string()))?;
        if let (true, Some(section)) = (probes, section) {
            self.inputs.probes =
                rmp_serde::from_slice(&section).map_err(|e| unreadable(e.to_string()))?;
        }
        Ok(BuildGraph {
            inputs: Some(self.inputs),
            ..graph
        })
    }
}

fn encode(head: &Head, probes: &[(String, String, bool)], graph: &[u8]) -> Option<Vec<u8>> {
    let head = rmp_serde::to_vec_named(head).ok()?;
    let probes = rmp_serde::to_vec(probes).ok()?;
    let mut out = Vec::with_capacity(MAGIC.len() + 16 + head.len() + probes.len() + graph.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(head.len() as u64).to_le_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(&(probes.len() as u64).to_le_bytes());
    out.extend_from_slice(&probes);
    out.extend_from_slice(graph);
    Some(out)
}

/// The next `len` bytes of `file`.
fn read_section(file: &mut std::fs::File, len: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = vec![0u8; len as usize];
    std::io::Read::read_exact(file, &mut bytes)?;
    Ok(bytes)
}

/// Read the head of a kept file and the length of its probes section (the file is left where
/// that section starts).
fn read_head(file: &mut std::fs::File) -> Option<(Head, u64)> {
    use std::io::Read;
    let len = |file: &mut std::fs::File| -> Option<u64> {
        let mut len = [0u8; 8];
        file.read_exact(&mut len).ok()?;
        Some(u64::from_le_bytes(len))
    };
    let mut magic = vec![0u8; MAGIC.len()];
    file.read_exact(&mut magic).ok()?;
    if magic != MAGIC {
        return None;
    }
    let head_len = len(file)?;
    let head = rmp_serde::from_slice(&read_section(file, head_len).ok()?).ok()?;
    Some((head, len(file)?))
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
    let kind = if predicate == "islink" {
        Kind::Other // (not needed: the link itself is looked at)
    } else {
        Kind::of(p)
    };
    kind.answer(p, predicate)
}

/// What a path is, as far as `exists`/`isfile`/`isdir` can tell (symbolic links followed).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Missing,
    File,
    Dir,
    Other,
}

impl Kind {
    fn of(path: &Path) -> Kind {
        match std::fs::metadata(path) {
            Err(_) => Kind::Missing,
            Ok(m) if m.is_file() => Kind::File,
            Ok(m) if m.is_dir() => Kind::Dir,
            Ok(_) => Kind::Other,
        }
    }

    /// The answer to `predicate` for `path`, of this kind (`islink` looks at the path itself).
    fn answer(self, path: &Path, predicate: &str) -> bool {
        match predicate {
            "exists" => self != Kind::Missing,
            "isfile" => self == Kind::File,
            "isdir" => self == Kind::Dir,
            "islink" => path.is_symlink(),
            _ => !path.exists(), // unknown predicate: never matches what was recorded
        }
    }
}

/// The kinds of a folder's entries, read with one listing (entries whose type the listing
/// does not give, such as symbolic links, are looked at one by one when asked about).
struct Listing {
    entries: Option<HashMap<std::ffi::OsString, std::fs::FileType>>,
}

impl Listing {
    fn read(dir: &Path) -> Listing {
        let entries = std::fs::read_dir(dir).ok().map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| Some((e.file_name(), e.file_type().ok()?)))
                .collect()
        });
        Listing { entries }
    }

    fn is_link(&self, name: &std::ffi::OsStr) -> bool {
        self.entries
            .as_ref()
            .and_then(|e| e.get(name))
            .is_some_and(|t| t.is_symlink())
    }

    fn kind(&self, dir: &Path, name: &std::ffi::OsStr) -> Kind {
        match &self.entries {
            None => Kind::of(&dir.join(name)),
            Some(entries) => match entries.get(name) {
                None => Kind::Missing,
                Some(t) if t.is_file() => Kind::File,
                Some(t) if t.is_dir() => Kind::Dir,
                Some(_) => Kind::of(&dir.join(name)),
            },
        }
    }
}

/// The file beside a kept graph that lists the folders whose probes were found unchanged,
/// with the folder's stat then (see `first_changed_probe`).
fn verified_folders_file(graph: &Path) -> std::path::PathBuf {
    let mut name = graph.as_os_str().to_owned();
    name.push(".dirs");
    std::path::PathBuf::from(name)
}

/// The first probe whose answer is not the recorded one; the folders verified now, and how
/// many probes they hold.
///
/// Scripts probe tens of thousands of paths (every source a node lookup meets). The probes of
/// a folder that holds many are answered from one listing of it, the others by a `lstat` each;
/// and a folder whose stat is the one `verified` holds has had no entry added, removed or
/// renamed since its probes were all found unchanged (that changes a folder's mtime), so they
/// are not looked at again. A folder is taken as verified when its stat, taken before its
/// probes were answered, is not too recent, and none of its probed entries is a symbolic link
/// (a link's target may change without its folder changing). The folders are split among the
/// cores.
fn first_changed_probe(
    probes: &[(String, String, bool)],
    verified: &HashMap<String, Stat>,
) -> (Option<usize>, HashMap<String, Stat>, usize) {
    const LISTED_FROM: usize = 8;
    // The probes by folder, in order of first appearance.
    let mut folders: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, (path, _, _)) in probes.iter().enumerate() {
        let dir = Path::new(path)
            .parent()
            .and_then(|d| d.to_str())
            .unwrap_or("");
        let k = *index.entry(dir).or_insert_with(|| {
            folders.push((dir, Vec::new()));
            folders.len() - 1
        });
        folders[k].1.push(i);
    }
    type Found = (Option<usize>, Vec<(String, Stat)>, usize);
    let check = |part: &[(&str, Vec<usize>)]| -> Found {
        let mut fresh = Vec::new();
        let mut covered = 0;
        for (dir, members) in part {
            let dir_path = Path::new(if dir.is_empty() { "." } else { dir });
            let before = now_ns();
            let stat = if dir.is_empty() {
                None // (a relative probe path with no folder: not verifiable)
            } else {
                Stat::of(dir_path)
            };
            if let Some(same) = stat.filter(|s| verified.get(*dir) == Some(s)) {
                fresh.push((dir.to_string(), same));
                covered += members.len();
                continue;
            }
            let listing = (members.len() >= LISTED_FROM).then(|| Listing::read(dir_path));
            let mut links = false;
            for &i in members {
                let (path, predicate, result) = &probes[i];
                let p = Path::new(path);
                let kind = match (&listing, p.file_name()) {
                    (Some(listing), Some(name)) => {
                        links |= listing.is_link(name);
                        listing.kind(dir_path, name)
                    }
                    _ => {
                        links |= p
                            .symlink_metadata()
                            .is_ok_and(|m| m.file_type().is_symlink());
                        Kind::of(p)
                    }
                };
                let answer = kind.answer(p, predicate);
                if answer != *result {
                    return (Some(i), fresh, covered);
                }
            }
            if let Some(stat) = stat {
                if !links && stat.mtime_ns + RACY_NS < before {
                    fresh.push((dir.to_string(), stat));
                    covered += members.len();
                }
            }
        }
        (None, fresh, covered)
    };
    let results: Vec<Found> = crate::cores::over_cores(&folders, probes.len() >= 4096, check);
    let changed = results.iter().filter_map(|(c, _, _)| *c).min();
    let covered = results.iter().map(|(_, _, n)| n).sum();
    let now_verified = results.into_iter().flat_map(|(_, v, _)| v).collect();
    (changed, now_verified, covered)
}

fn stamp_of(path: &str) -> Option<Stamp> {
    let stat = Stat::of(Path::new(path))?;
    let csig = hash_file(Path::new(path)).ok()?;
    Some(Stamp { stat, csig })
}

/// Keep the graph for the next run, when it can be reused; its id when it was kept.
pub fn save(state: &State, request: &ReadRequest, graph: &mut BuildGraph) -> Option<[u8; 32]> {
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
    let probes: Vec<(String, String, bool)> = inputs
        .probes
        .iter()
        .filter(|(path, predicate, result)| {
            let file_answer = predicate != "isdir" || !*result;
            !(file_answer && outputs.contains(Path::new(path)))
        })
        .cloned()
        .collect();
    // The graph is encoded without what the scripts read (that goes into the head), and its
    // id is the hash of that encoding.
    let inputs_kept = graph.inputs.take();
    let body = rmp_serde::to_vec(&*graph).ok();
    graph.inputs = inputs_kept;
    let body = body?;
    let inputs = graph.inputs.as_ref()?;
    let head = Head {
        key: key.clone(),
        env,
        files,
        probe_count: probes.len(),
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
        graph_id: *blake3::hash(&body).as_bytes(),
        stdout: graph.stdout.clone(),
        stderr: graph.stderr.clone(),
    };
    let bytes = encode(&head, &probes, &body)?;
    state.set_graph(&key, &bytes);
    if let Some(file) = state.graph(&key) {
        // (the folders verified for the probes of the graph kept before)
        let _ = std::fs::remove_file(verified_folders_file(&file));
    }
    Some(head.graph_id)
}

/// The graph of the last run and its id, if nothing it depends on has changed; else why not.
pub fn load(state: &State, request: &ReadRequest) -> Result<(BuildGraph, [u8; 32]), String> {
    let key = request_key(request);
    let file = state.graph(&key).ok_or("no graph kept for this request")?;
    let kept = check(&file, &key, !state.is_read_only())?;
    let id = kept.graph_id;
    Ok((kept.graph(true)?, id))
}

/// The graph kept in `path`, if it answers the request `key` and nothing it depends on has
/// changed; else why not. The graph itself is not read yet. With `may_write`, the folders found
/// unchanged are noted for the next check.
pub fn check(path: &Path, key: &str, may_write: bool) -> Result<Kept, String> {
    let mut file = std::fs::File::open(path).map_err(|_| "no graph kept for this request")?;
    let (head, probes_len) = read_head(&mut file).ok_or("the kept graph is in another format")?;
    let mut probes_section = None;
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
    // The folders verified last time: when they hold every probe and none changed, the probes
    // need not even be decoded.
    let sidecar = verified_folders_file(path);
    type Probe = (String, String, bool);
    let (covered, folders, others): (usize, Vec<(String, Stat)>, Vec<Probe>) =
        std::fs::read(&sidecar)
            .ok()
            .and_then(|b| rmp_serde::from_slice(&b).ok())
            .unwrap_or_default();
    let all_unchanged = covered + others.len() == head.probe_count
        && folders
            .iter()
            .all(|(dir, stat)| Stat::of(Path::new(dir)).as_ref() == Some(stat))
        && others
            .iter()
            .all(|(path, predicate, result)| probe(path, predicate) == *result);
    if !all_unchanged {
        let section = read_section(&mut file, probes_len)
            .map_err(|_| "the kept graph is in another format")?;
        let probes: Vec<(String, String, bool)> =
            rmp_serde::from_slice(&section).map_err(|_| "the kept graph is in another format")?;
        probes_section = Some(section);
        let verified: HashMap<String, Stat> = folders.into_iter().collect();
        let (changed, now_verified, covered) = first_changed_probe(&probes, &verified);
        if let Some(i) = changed {
            let (path, predicate, _) = &probes[i];
            return Err(format!("{predicate}({path}) changed"));
        }
        if may_write && now_verified != verified {
            // (the probes outside the verified folders are kept beside them, checked one by one)
            let others: Vec<&Probe> = probes
                .iter()
                .filter(|(path, _, _)| {
                    let dir = Path::new(path).parent().and_then(|d| d.to_str());
                    !dir.is_some_and(|d| now_verified.contains_key(d))
                })
                .collect();
            let mut list: Vec<(String, Stat)> = now_verified.into_iter().collect();
            list.sort_by(|a, b| a.0.cmp(&b.0));
            if let Ok(bytes) = rmp_serde::to_vec(&(covered, list, others)) {
                let tmp = sidecar.with_extension(format!("dirs.{}.tmp", std::process::id()));
                if std::fs::write(&tmp, bytes).is_ok() {
                    let _ = std::fs::rename(&tmp, &sidecar);
                }
            }
        }
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
        probes: Vec::new(), // (decoded with the graph)
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
        probes: probes_section,
        file,
        probes_len,
    })
}
