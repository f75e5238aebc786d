//! The persistent graph: the declared graph of the last run, kept in the state store with the list
//! of everything the scripts read (files, paths probed, folders listed, environment variables), the
//! request (arguments, targets, options) and the docons binary. While all of that is unchanged the
//! engine reuses the graph and runs no Python at all; anything changed means the scripts run again.

use crate::flat_codec::{put_len, put_section, Reader};
use crate::graph::Declared;
use crate::signature::{hash_file, hash_str, now_ns, Stamp, Stat, RACY_NS};
use crate::state::State;
use scons_api::{BuildGraph, ReadRequest};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The kept file: `MAGIC`, then the head, the probes and the graph, each but the graph preceded
/// by its length (u64, little-endian). The head is msgpack, encoded by field name; the probes
/// are grouped by folder (see `ProbeGroup`); the graph is laid out so that a build decodes the
/// details of the tasks it looks at only (see `graph_layout`). The head and the probes decide whether the
/// graph can be used (only the probes of the folders changed since they were last verified
/// are decoded), and a no-op build that the proof answers (see `proof`) never reads the graph.
const MAGIC: &[u8] = b"docons graph 7\n";

/// A path the scripts probed, the `os.path` predicate asked, and the answer they got.
type Probe = (String, String, bool);

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
    path: std::path::PathBuf,
    /// The run may change the kept file (see `check`).
    may_write: bool,
    probes_len: u64,
    /// The folders found verified by the check, to note for the next one (see `note_verified`).
    verified: Option<Verified>,
}

/// What the file beside a kept graph notes (see `verified_folders_file`): how many probes the
/// verified folders hold, the folders with their stats, and the probes outside them.
struct Verified {
    file: std::path::PathBuf,
    covered: usize,
    folders: Vec<(String, FolderStat)>,
    others: Vec<Probe>,
}

/// A folder's stat when its probes were verified; `None`: it did not exist (then every probe
/// in it answered that nothing is there, and goes on doing so while the folder is missing).
type FolderStat = Option<Stat>;

impl Verified {
    fn same_folders(&self, folders: &HashMap<String, FolderStat>) -> bool {
        self.folders.len() == folders.len()
            && self
                .folders
                .iter()
                .all(|(dir, stat)| folders.get(dir) == Some(stat))
    }

    fn write(self) {
        if let Ok(bytes) = rmp_serde::to_vec(&(self.covered, self.folders, self.others)) {
            let _ = crate::state::replace_file(&self.file, &[&bytes]);
        }
    }
}

impl Kept {
    /// Note the folders the check found verified, for the next check (this is left out of the
    /// check itself, which every run waits for; decoding the graph does it).
    pub fn note_verified(&mut self) {
        if let Some(verified) = self.verified.take() {
            verified.write();
        }
    }

    /// Read and decode the graph itself (its tasks' details are decoded when first asked for),
    /// with the paths the scripts probed when `probes` (watch mode watches them; a single
    /// build has checked them already).
    pub fn graph(mut self, probes: bool, top: &Path) -> Result<Declared, String> {
        use std::io::Seek;
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
        let start = self
            .file
            .stream_position()
            .map_err(|e| unreadable(e.to_string()))?;
        // The file is mapped, not read: only the pages of what is decoded are touched (most
        // tasks' details never are). SAFETY: kept files are never changed in place; a new one
        // replaces the old by a rename (`state::replace_file`), which leaves this mapping whole.
        let map =
            unsafe { memmap2::Mmap::map(&self.file) }.map_err(|e| unreadable(e.to_string()))?;
        let start = usize::try_from(start).map_err(|e| unreadable(e.to_string()))?;
        let source = crate::graph_layout::KeptFile {
            path: self.path.clone(),
            map,
            removable: self.may_write,
        };
        let mut graph = crate::graph_layout::decode(std::sync::Arc::new(source), start, top)
            .ok_or_else(|| unreadable("damaged".into()))?;
        self.note_verified();
        if let (true, Some(section)) = (probes, section) {
            self.inputs.probes =
                decode_probes(&section).ok_or_else(|| unreadable("probes".into()))?;
        }
        graph.rec.inputs = Some(self.inputs);
        Ok(graph)
    }
}

fn encode(head: &Head, probes: &[u8], graph: &[u8]) -> Option<Vec<u8>> {
    let head = rmp_serde::to_vec_named(head).ok()?;
    let mut out = Vec::with_capacity(MAGIC.len() + 16 + head.len() + probes.len() + graph.len());
    out.extend_from_slice(MAGIC);
    put_section(&mut out, &head);
    put_section(&mut out, probes);
    out.extend_from_slice(graph);
    Some(out)
}

/// The probes of one folder, as the probes section holds them: `[folder length][folder][probe
/// count][length of the probes][the probes: msgpack (path, predicate, answer) triples]`, the
/// numbers u32 little-endian. A check skips the groups of folders unchanged since they were
/// verified without decoding them.
struct ProbeGroup<'a> {
    /// The folder of every probe in the group ("" for relative paths with no folder).
    folder: &'a str,
    count: usize,
    body: &'a [u8],
}

impl ProbeGroup<'_> {
    fn probes(&self) -> Option<Vec<Probe>> {
        rmp_serde::from_slice(self.body).ok()
    }
}

/// The folder a probe is grouped under.
fn probe_folder(path: &str) -> &str {
    Path::new(path)
        .parent()
        .and_then(|d| d.to_str())
        .unwrap_or("")
}

/// The probes section for `probes`: grouped by folder, in order of first appearance.
fn encode_probes(probes: &[Probe]) -> Option<Vec<u8>> {
    let groups = crate::graph::group_by_folder(probes.iter().map(|p| (probe_folder(&p.0), p)));
    let mut out = Vec::new();
    for (folder, members) in groups {
        let body = rmp_serde::to_vec(&members).ok()?;
        put_len(&mut out, folder.len())?;
        out.extend_from_slice(folder.as_bytes());
        put_len(&mut out, members.len())?;
        put_len(&mut out, body.len())?;
        out.extend_from_slice(&body);
    }
    Some(out)
}

/// The groups of a probes section, not decoded.
fn probe_groups(section: &[u8]) -> Option<Vec<ProbeGroup<'_>>> {
    let mut groups = Vec::new();
    let mut r = Reader::new(section);
    while !r.is_done() {
        let folder = r.str()?;
        let count = r.u32()? as usize;
        let body_len = r.u32()? as usize;
        let body = r.take(body_len)?;
        groups.push(ProbeGroup {
            folder,
            count,
            body,
        });
    }
    Some(groups)
}

/// Every probe of a probes section.
fn decode_probes(section: &[u8]) -> Option<Vec<Probe>> {
    let mut probes = Vec::new();
    for group in probe_groups(section)? {
        probes.extend(group.probes()?);
    }
    Some(probes)
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

/// What identifies a request: the request itself and the binary answering it. (A 128-bit
/// SipHash, not blake3: every run computes it, and blake3's first use asks the processor for
/// its features, which costs a virtual machine some 40 µs of a 2 ms no-op.)
pub fn request_key(request: &ReadRequest) -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| Stat::of(&p))
        .map(|s| format!("{}:{}:{}", s.mtime_ns, s.size, s.inode))
        .unwrap_or_default();
    let req = serde_json::to_string(request).unwrap_or_default();
    let text = format!("{}\0{exe}\0{req}", env!("CARGO_PKG_VERSION"));
    let hash = siphasher::sip128::SipHasher13::new().hash(text.as_bytes());
    format!("{:032x}", hash.as_u128())
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

/// The stats of paths the scripts read: those in the tree are taken below its top folder,
/// opened once, so that the kernel walks only the names below it (the check of a kept graph
/// stats every folder probed and every script; walking each whole path took twice as long).
struct TreeStats {
    /// The top folder's path, ending with `/`.
    top: String,
    folder: Option<crate::signature::Folder>,
}

impl TreeStats {
    fn new(top: &Path) -> TreeStats {
        let folder = crate::signature::Folder::open(top);
        let mut prefix = top.to_string_lossy().into_owned();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        TreeStats {
            top: prefix,
            folder: folder.is_open().then_some(folder),
        }
    }

    /// The stat of `path` (symbolic links followed), as `Stat::of` would tell.
    fn of(&mut self, path: &str) -> Option<Stat> {
        let below = path
            .strip_prefix(self.top.as_str())
            .filter(|r| !r.is_empty());
        match (&mut self.folder, below) {
            (Some(folder), Some(relative)) => folder.stat(relative),
            _ => Stat::of(Path::new(path)),
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

/// What answering the probes of a kept graph found (see `first_changed_probe`).
struct ProbesAnswered {
    /// A probe whose answer is not the recorded one (the first such in the groups' order).
    changed: Option<Probe>,
    /// The folders verified now, with their stat.
    verified: HashMap<String, FolderStat>,
    /// How many probes those folders hold.
    covered: usize,
    /// The folders left unverified for having changed too recently.
    recent: Vec<String>,
}

/// Answer the probes of `groups`, but for those of the folders in `unchanged`.
///
/// Scripts probe tens of thousands of paths (every source a node lookup meets). The probes of
/// a folder that holds many are answered from one listing of it, the others by a `lstat` each;
/// and a folder in `unchanged` (its stat now is the one it had when its probes were all found
/// unchanged) has had no entry added, removed or renamed since (that changes a folder's
/// mtime), so its probes are not even decoded. A folder is taken as verified when its stat,
/// taken before its probes were answered, is not too recent, and none of its probed entries is
/// a symbolic link (a link's target may change without its folder changing); a folder that
/// does not exist is verified as missing (it has no entries until it has a stat). When there
/// are many probes to answer, the folders are split among the cores.
fn first_changed_probe(
    groups: &[ProbeGroup],
    unchanged: &HashMap<String, FolderStat>,
) -> ProbesAnswered {
    const LISTED_FROM: usize = 8;
    type Found = (
        Option<(usize, Probe)>,
        Vec<(String, FolderStat)>,
        usize,
        Vec<String>,
    );
    let mut fresh = Vec::new();
    let mut covered = 0;
    let mut to_answer = Vec::new();
    for (k, group) in groups.iter().enumerate() {
        match unchanged.get(group.folder) {
            Some(stat) => {
                fresh.push((group.folder.to_string(), *stat));
                covered += group.count;
            }
            None => to_answer.push((k, group)),
        }
    }
    let check = |part: &[(usize, &ProbeGroup)]| -> Found {
        let mut fresh = Vec::new();
        let mut covered = 0;
        let mut recent = Vec::new();
        for &(k, group) in part {
            let dir = group.folder;
            let dir_path = Path::new(if dir.is_empty() { "." } else { dir });
            let before = now_ns();
            // (a relative probe path with no folder is not verifiable)
            let stat = (!dir.is_empty()).then(|| Stat::of(dir_path));
            let Some(probes) = group.probes() else {
                let unreadable = (String::new(), "readable".to_string(), true);
                return (Some((k, unreadable)), fresh, covered, recent);
            };
            let listing = (probes.len() >= LISTED_FROM).then(|| Listing::read(dir_path));
            let mut links = false;
            for probe in probes {
                let (path, predicate, result) = &probe;
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
                if kind.answer(p, predicate) != *result {
                    return (Some((k, probe)), fresh, covered, recent);
                }
            }
            match stat {
                Some(Some(stat)) if !links && stat.mtime_ns + RACY_NS >= before => {
                    recent.push(dir.to_string())
                }
                Some(stat) if !links => {
                    fresh.push((dir.to_string(), stat));
                    covered += group.count;
                }
                _ => {}
            }
        }
        (None, fresh, covered, recent)
    };
    let many = to_answer.iter().map(|(_, g)| g.count).sum::<usize>() >= 4096;
    let results: Vec<Found> = crate::cores::over_cores(&to_answer, many, check);
    let mut changed: Option<(usize, Probe)> = None;
    let mut recent = Vec::new();
    for (c, v, n, r) in results {
        if let Some((k, probe)) = c {
            if changed.as_ref().is_none_or(|(first, _)| k < *first) {
                changed = Some((k, probe));
            }
        }
        fresh.extend(v);
        covered += n;
        recent.extend(r);
    }
    ProbesAnswered {
        changed: changed.map(|(_, probe)| probe),
        verified: fresh.into_iter().collect(),
        covered,
        recent,
    }
}

/// Answer the probes of `groups` (those of the folders in `unchanged` are taken as they are):
/// the first probe whose answer changed, or what to note beside the kept graph in `sidecar`
/// for the next check: the folders verified now, and the probes outside them but for those of
/// folders changed too recently to be verified (noted nowhere, the next check answers them
/// again, and notes their folders then).
fn verify_probes(
    groups: &[ProbeGroup],
    unchanged: &HashMap<String, FolderStat>,
    sidecar: std::path::PathBuf,
) -> Result<Verified, Probe> {
    let answered = first_changed_probe(groups, unchanged);
    if let Some(probe) = answered.changed {
        return Err(probe);
    }
    let verified = answered.verified;
    let recent: std::collections::HashSet<&str> =
        answered.recent.iter().map(String::as_str).collect();
    // (the probes outside the verified folders are kept beside them, checked one by one)
    let mut others: Vec<Probe> = Vec::new();
    for group in groups
        .iter()
        .filter(|g| !verified.contains_key(g.folder) && !recent.contains(g.folder))
    {
        others.extend(group.probes().unwrap_or_default());
    }
    let mut folders: Vec<(String, FolderStat)> = verified.into_iter().collect();
    folders.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Verified {
        file: sidecar,
        covered: answered.covered,
        folders,
        others,
    })
}

fn stamp_of(path: &str) -> Option<Stamp> {
    let stat = Stat::of(Path::new(path))?;
    let csig = hash_file(Path::new(path)).ok()?;
    Some(Stamp { stat, csig })
}

/// What `save` kept: the graph's id and, when only the targets' part of it was kept, that
/// part, decoded (the run builds on it: a proof of its build then fits what is kept).
pub struct Saved {
    pub graph_id: [u8; 32],
    pub part: Option<Declared>,
}

/// Keep the graph for the next run, when it can be reused. With `keep_part`, a request that
/// names targets keeps only their part of the graph (see `graph_part`), so that its next runs
/// load only that.
pub fn save(
    state: &State,
    request: &ReadRequest,
    graph: &mut BuildGraph,
    keep_part: bool,
) -> Option<Saved> {
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
    let probes: Vec<Probe> = inputs
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
    let part = keep_part
        .then(|| crate::graph_part::part_of(graph))
        .flatten();
    let body = match part {
        Some(mut part) => {
            crate::graph_layout::encode(&mut part.graph, &part.outside).map(|body| (body, true))
        }
        None => crate::graph_layout::encode(graph, &[]).map(|body| (body, false)),
    };
    graph.inputs = inputs_kept;
    let (body, is_part) = body?;
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
    let probes_section = encode_probes(&probes)?;
    let bytes = encode(&head, &probes_section, &body)?;
    state.set_graph(&key, &bytes);
    if let Some(file) = state.graph(&key).filter(|_| !state.is_read_only()) {
        // The probes are answered once more now, as the next run's check would (the scripts'
        // answers are not trusted for a folder that changed while they ran): that run then
        // finds the folders verified. The folders verified for the graph kept before go.
        let sidecar = verified_folders_file(&file);
        let _ = std::fs::remove_file(&sidecar);
        // (the graph is kept whatever becomes of this note)
        let noted = probe_groups(&probes_section)
            .and_then(|groups| verify_probes(&groups, &HashMap::new(), sidecar).ok());
        if let Some(verified) = noted {
            verified.write();
        }
    }
    let part = match is_part {
        true => Some(crate::graph_layout::decode(
            std::sync::Arc::new(body),
            0,
            &request.top,
        )?),
        false => None,
    };
    Some(Saved {
        graph_id: head.graph_id,
        part,
    })
}

/// The graph of the last run and its id, if nothing it depends on has changed; else why not.
pub fn load(state: &State, request: &ReadRequest) -> Result<(Declared, [u8; 32]), String> {
    let key = request_key(request);
    let file = state.graph(&key).ok_or("no graph kept for this request")?;
    let kept = check(&file, &request.top, &key, !state.is_read_only())?;
    let id = kept.graph_id;
    Ok((kept.graph(true, &request.top)?, id))
}

/// The graph kept in `path`, if it answers the request `key` and nothing it depends on has
/// changed; else why not. The graph itself is not read yet. With `may_write`, the folders found
/// unchanged are to be noted for the next check (`Kept::note_verified`, which decoding the
/// graph calls).
pub fn check(path: &Path, top: &Path, key: &str, may_write: bool) -> Result<Kept, String> {
    let mut file = std::fs::File::open(path).map_err(|_| "no graph kept for this request")?;
    let (head, probes_len) = read_head(&mut file).ok_or("the kept graph is in another format")?;
    let mut probes_section = None;
    let mut verified = None;
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
    // need not even be read; else only those of the folders that changed are decoded.
    let sidecar = verified_folders_file(path);
    let (covered, folders, others): (usize, Vec<(String, FolderStat)>, Vec<Probe>) =
        std::fs::read(&sidecar)
            .ok()
            .and_then(|b| rmp_serde::from_slice(&b).ok())
            .unwrap_or_default();
    let folder_count = folders.len();
    let mut stats = TreeStats::new(top);
    let unchanged: HashMap<String, FolderStat> = folders
        .into_iter()
        .filter(|(dir, stat)| stats.of(dir) == *stat)
        .collect();
    let all_unchanged = covered + others.len() == head.probe_count
        && unchanged.len() == folder_count
        && others
            .iter()
            .all(|(path, predicate, result)| probe(path, predicate) == *result);
    if !all_unchanged {
        let section = read_section(&mut file, probes_len)
            .map_err(|_| "the kept graph is in another format")?;
        let groups = probe_groups(&section).ok_or("the kept graph is in another format")?;
        let noted = verify_probes(&groups, &unchanged, sidecar)
            .map_err(|(path, predicate, _)| format!("{predicate}({path}) changed"))?;
        if may_write && (noted.folders.len() != folder_count || !noted.same_folders(&unchanged)) {
            verified = Some(noted);
        }
        probes_section = Some(section);
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
        let unchanged = stats.of(path).is_some_and(|now| {
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
        path: path.to_path_buf(),
        may_write,
        probes_len,
        verified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "docons-graph-cache-test-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn probe_of(path: &Path, predicate: &str, answer: bool) -> Probe {
        (
            path.to_str().unwrap().to_string(),
            predicate.to_string(),
            answer,
        )
    }

    #[test]
    fn the_probes_section_keeps_every_probe_grouped_by_folder() {
        let probes: Vec<Probe> = vec![
            ("/a/x".into(), "isfile".into(), true),
            ("/b/y".into(), "exists".into(), false),
            ("/a/z".into(), "isdir".into(), false),
            ("rel".into(), "exists".into(), true),
        ];
        let section = encode_probes(&probes).unwrap();
        let groups = probe_groups(&section).unwrap();
        let shape: Vec<(&str, usize)> = groups.iter().map(|g| (g.folder, g.count)).collect();
        assert_eq!(shape, [("/a", 2), ("/b", 1), ("", 1)]);
        let mut back = decode_probes(&section).unwrap();
        let mut want = probes.clone();
        back.sort();
        want.sort();
        assert_eq!(back, want);
        // (a cut section is not taken for a shorter one)
        assert!(probe_groups(&section[..section.len() - 1]).is_none());
    }

    #[test]
    fn only_the_probes_of_folders_not_known_unchanged_are_answered() {
        let top = scratch("unchanged");
        let (a, b) = (top.join("a"), top.join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("x"), "").unwrap();
        let probes = vec![
            probe_of(&a.join("x"), "isfile", true),
            probe_of(&b.join("y"), "exists", false),
        ];
        let section = encode_probes(&probes).unwrap();
        let groups = probe_groups(&section).unwrap();
        let none = HashMap::new();
        let answered = first_changed_probe(&groups, &none);
        assert_eq!(answered.changed, None);
        assert_eq!(
            answered.covered, 0,
            "folders changed this very moment are not verified yet"
        );
        assert_eq!(answered.recent.len(), 2);
        let noted = verify_probes(&groups, &none, top.join("noted")).unwrap();
        assert!(
            noted.folders.is_empty() && noted.others.is_empty(),
            "the probes of folders too recent are noted nowhere (the next check answers them)"
        );

        // A probe whose answer changed is found in a folder not known unchanged...
        std::fs::write(b.join("y"), "").unwrap();
        let answered = first_changed_probe(&groups, &none);
        assert_eq!(answered.changed, Some(probes[1].clone()));
        // ... and not looked at (not even decoded) in one known unchanged.
        let mut broken = section.clone();
        let body_start = section.len() - groups[1].body.len();
        for byte in &mut broken[body_start..] {
            *byte = 0xc1; // (never valid msgpack)
        }
        let groups = probe_groups(&broken).unwrap();
        let b_stat = Stat::of(&b);
        let unchanged: HashMap<String, FolderStat> = [(b.to_str().unwrap().to_string(), b_stat)]
            .into_iter()
            .collect();
        let answered = first_changed_probe(&groups, &unchanged);
        assert_eq!(answered.changed, None);
        assert_eq!(answered.verified.get(b.to_str().unwrap()), Some(&b_stat));
        assert!(answered.covered >= 1);
        let _ = std::fs::remove_dir_all(&top);
    }

    #[test]
    fn stats_below_the_top_are_those_of_the_whole_paths() {
        let top = scratch("tree-stats");
        std::fs::create_dir_all(top.join("a/b")).unwrap();
        std::fs::write(top.join("a/b/f"), "x").unwrap();
        std::os::unix::fs::symlink(top.join("a"), top.join("link")).unwrap();
        let outside = scratch("tree-stats-outside");
        std::fs::write(outside.join("g"), "y").unwrap();
        let mut stats = TreeStats::new(&top);
        let paths = [
            top.join("a/b/f"),
            top.join("a/b"),
            top.join("a/missing"),
            top.join("link/b/f"),
            top.join("link"),
            top.clone(),
            outside.join("g"),
        ];
        for path in paths {
            let text = path.to_str().unwrap();
            assert_eq!(stats.of(text), Stat::of(&path), "{text}");
        }
        assert!(stats.of(top.join("link/b/f").to_str().unwrap()).is_some());
        let _ = std::fs::remove_dir_all(&top);
        let _ = std::fs::remove_dir_all(&outside);
    }

    #[test]
    fn a_missing_folder_is_verified_until_it_appears() {
        let top = scratch("missing");
        let gone = top.join("gone");
        let probes = vec![
            probe_of(&gone.join("x"), "exists", false),
            probe_of(&gone.join("y"), "isfile", false),
        ];
        let section = encode_probes(&probes).unwrap();
        let groups = probe_groups(&section).unwrap();
        let noted = verify_probes(&groups, &HashMap::new(), top.join("noted")).unwrap();
        let folder = gone.to_str().unwrap().to_string();
        assert_eq!(noted.folders, [(folder.clone(), None)]);
        assert_eq!(noted.covered, 2);
        assert!(noted.others.is_empty());

        // Still missing: the folder's stat is as noted, so its probes need no answer.
        assert_eq!(Stat::of(&gone), None);
        // Once it appears, its stat is not the one noted: its probes are answered again.
        std::fs::create_dir_all(&gone).unwrap();
        std::fs::write(gone.join("x"), "").unwrap();
        assert_ne!(Stat::of(&gone), None);
        let answered = first_changed_probe(&groups, &HashMap::new());
        assert_eq!(answered.changed, Some(probes[0].clone()));
        let _ = std::fs::remove_dir_all(&top);
    }
}
