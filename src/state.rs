//! The persistent state: what was true when each target was last built, the stat→hash cache of
//! files, the include-scan cache and the kept graph. Kept in a sled database in `.docons/state/`
//! at the top of the tree, vouched for by the file `.sconsign.dblite` (the name SCons users and
//! tests look for): it holds the database's id, and removing it forgets the state, as removing
//! SCons's own `.sconsign.dblite` does. A `.sconsign.dblite` left by real SCons is replaced.
//!
//! With `--implicit-cache`, the implicit inputs recorded for a target stand in for a new scan.
//!
//! Safety rule: a target's record is dropped before its command starts and written only after
//! the command succeeded, together with the target's own stamp, so a record never vouches for a
//! file that was not produced by the recorded command.

use crate::signature::{Stamp, Stat};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const STATE_NAME: &str = ".sconsign.dblite";
/// The folder of the sled database, relative to the top folder.
pub const DB_DIR: &str = ".docons/state";
/// The folder of the kept graphs (see `graph_cache`), relative to the top folder.
pub const GRAPHS_DIR: &str = ".docons/graphs";
const MARKER_PREFIX: &str = "docons state ";
/// The encoding of the records (msgpack, fields by position: a target record holds every input,
/// and field names would double its size); a database written in another one is started over.
const FORMAT: &[u8] = b"docons-state-3 msgpack by position";

/// What was true when a target was last built successfully.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetRecord {
    /// Hash of the task's action signatures.
    pub action_sig: String,
    /// The actions' text (for `--debug=explain`: "the build action changed").
    #[serde(default)]
    pub action_text: String,
    /// Every input with its content hash and mtime then, in order: the sources, then the
    /// explicit deps, then the implicit ones (command executables, scanned).
    pub inputs: Vec<InputRecord>,
    #[serde(default)]
    pub n_sources: usize,
    #[serde(default)]
    pub n_depends: usize,
    /// The target file as the command left it (absent for aliases).
    pub stamp: Option<Stamp>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InputRecord {
    pub path: String,
    pub csig: String,
    pub mtime_ns: i128,
    #[serde(default)]
    pub size: u64,
}

/// One `#include` as written in a file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct Include {
    pub angle: bool,
    pub name: String,
}

pub struct State {
    db: Option<sled::Db>,
    read_only: bool,
    /// With `read_only`, the private copy of the database that was opened (sled writes to the
    /// files it opens, so `-n` reads a copy and leaves the real one untouched).
    scratch: Option<std::path::PathBuf>,
    /// Where kept graphs live, one file each (`.docons/graphs/`): large values are cheaper as
    /// files than inside sled, and keep the database small (it opens faster).
    graphs_dir: std::path::PathBuf,
    /// Target records already read or written (see `target`).
    records: std::sync::Mutex<std::collections::HashMap<String, Option<TargetRecord>>>,
    /// File stamps and include lists already read or written: the include scan ahead (see
    /// `prescan`) hands them to the scheduler's scan through these, not through the database.
    stamps: std::sync::Mutex<rustc_hash::FxHashMap<String, Stamp>>,
    includes: std::sync::Mutex<rustc_hash::FxHashMap<String, Vec<Include>>>,
}

impl Drop for State {
    fn drop(&mut self) {
        self.db = None;
        if let Some(dir) = &self.scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Write `parts` one after the other into the file at `path`, replacing it at once: they are
/// written aside (`<name>.<pid>.tmp`, removed when anything fails) and renamed over it, so a
/// reader never sees half of the file.
pub fn replace_file(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    use std::io::Write;
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(name);
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        parts.iter().try_for_each(|part| f.write_all(part))?;
        std::fs::rename(&tmp, path)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Copy a folder tree (the `-n` scratch copy of the database, folder copy actions).
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}

/// Where the proof of the last build of a request is kept, beside its graph.
fn proof_path(graphs_dir: &Path, request_key: &str) -> PathBuf {
    graphs_dir.join(format!("{request_key}.proof"))
}

/// Proofs of earlier builds (see `proof`) speak for the records of the database they were made
/// with, and the list of kept graphs (which says which to drop) is in it: a database started
/// over takes the kept graphs and proofs along.
fn forget_kept(graphs_dir: &Path) {
    for entry in std::fs::read_dir(graphs_dir)
        .into_iter()
        .flatten()
        .flatten()
    {
        let _ = std::fs::remove_file(entry.path());
    }
}

fn open_db(dir: &Path) -> Result<sled::Db, String> {
    sled::Config::new()
        .path(dir)
        .mode(sled::Mode::LowSpace)
        .cache_capacity(16 * 1024 * 1024)
        .open()
        .map_err(|e| format!("cannot open the state database {}: {e}", dir.display()))
}

/// The id a database was created with (the marker file must name it).
fn db_id(db: &sled::Db) -> Option<String> {
    let v = db.get(b"M").ok()??;
    Some(String::from_utf8_lossy(&v).into_owned())
}

fn key(prefix: u8, name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(name.len() + 1);
    k.push(prefix);
    k.extend_from_slice(name.as_bytes());
    k
}

impl State {
    /// Open the state in `top`, creating it when `create` and not `read_only`. With
    /// `read_only`, a missing database is not created and nothing is ever written (a copy is
    /// read). A state that was not created reads as empty and writes nothing.
    pub fn open(top: &Path, read_only: bool, create: bool) -> Result<State, String> {
        let marker = top.join(STATE_NAME);
        let db_dir = top.join(DB_DIR);
        let graphs_dir = top.join(GRAPHS_DIR);
        let empty = State {
            db: None,
            read_only,
            scratch: None,
            graphs_dir: graphs_dir.clone(),
            records: Default::default(),
            stamps: Default::default(),
            includes: Default::default(),
        };
        // The database counts only while the marker names it.
        let marked_id = std::fs::read_to_string(&marker)
            .ok()
            .and_then(|t| t.strip_prefix(MARKER_PREFIX).map(|id| id.trim().to_owned()));
        let valid = marked_id.is_some() && db_dir.is_dir();
        if read_only || !create {
            if !valid {
                return Ok(empty);
            }
            if !read_only {
                return State::open(top, false, true);
            }
            let copy = std::env::temp_dir().join(format!("docons-state-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&copy);
            copy_tree(&db_dir, &copy)
                .map_err(|e| format!("cannot read the state database: {e}"))?;
            let db = open_db(&copy)?;
            let same_format = db
                .get(b"V")
                .ok()
                .flatten()
                .is_some_and(|v| v.as_ref() == FORMAT);
            if db_id(&db) != marked_id || !same_format {
                drop(db);
                let _ = std::fs::remove_dir_all(&copy);
                return Ok(empty);
            }
            return Ok(State {
                db: Some(db),
                read_only,
                scratch: Some(copy),
                graphs_dir,
                records: Default::default(),
                stamps: Default::default(),
                includes: Default::default(),
            });
        }
        if !valid {
            // No marker (never built, removed by the user, or real SCons's own file): start over.
            let _ = std::fs::remove_dir_all(&db_dir);
            forget_kept(&graphs_dir);
        }
        let db = open_db(&db_dir)?;
        let same_format = db
            .get(b"V")
            .ok()
            .flatten()
            .is_some_and(|v| v.as_ref() == FORMAT);
        if valid && (db_id(&db) != marked_id || !same_format) {
            drop(db);
            let _ = std::fs::remove_dir_all(&db_dir);
            forget_kept(&graphs_dir);
            return State::open_fresh(top, read_only);
        }
        if !valid {
            let id = format!(
                "{:x}",
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0)
                    ^ std::process::id() as u128
            );
            db.insert(b"M", id.as_bytes())
                .and_then(|_| db.insert(b"V", FORMAT))
                .map_err(|e| format!("cannot write the state database: {e}"))?;
            db.flush()
                .map_err(|e| format!("cannot write the state database: {e}"))?;
            if marker.is_dir() {
                let _ = std::fs::remove_dir_all(&marker);
            }
            std::fs::write(&marker, format!("{MARKER_PREFIX}{id}\n"))
                .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
        }
        Ok(State {
            db: Some(db),
            read_only,
            scratch: None,
            graphs_dir,
            records: Default::default(),
            stamps: Default::default(),
            includes: Default::default(),
        })
    }

    fn open_fresh(top: &Path, read_only: bool) -> Result<State, String> {
        let _ = std::fs::remove_file(top.join(STATE_NAME));
        State::open(top, read_only, true)
    }

    fn get<T: for<'de> Deserialize<'de>>(&self, k: &[u8]) -> Option<T> {
        let db = self.db.as_ref()?;
        let v = db.get(k).ok()??;
        rmp_serde::from_slice(&v).ok()
    }

    fn put<T: Serialize>(&self, k: &[u8], v: &T) {
        if self.read_only {
            return;
        }
        if let Some(db) = &self.db {
            if let Ok(bytes) = rmp_serde::to_vec(v) {
                let _ = db.insert(k, bytes);
            }
        }
    }

    fn remove(&self, k: &[u8]) {
        if self.read_only {
            return;
        }
        if let Some(db) = &self.db {
            let _ = db.remove(k);
        }
    }

    /// Opened for `-n`/`-q`: nothing on disk may change.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// A target's record. Records read or written are kept in memory for the life of this
    /// `State` (watch mode keeps it from one cycle to the next, so an unchanged tree costs no
    /// database reads); writes go through to the database.
    pub fn target(&self, path: &str) -> Option<TargetRecord> {
        if let Some(hit) = self.records.lock().unwrap().get(path) {
            return hit.clone();
        }
        let rec: Option<TargetRecord> = self.get(&key(b't', path));
        // (a record set or forgotten meanwhile, by another thread, is newer than this read)
        self.records
            .lock()
            .unwrap()
            .entry(path.to_owned())
            .or_insert(rec)
            .clone()
    }

    pub fn set_target(&self, path: &str, rec: TargetRecord) {
        self.put(&key(b't', path), &rec);
        if !self.read_only {
            self.records
                .lock()
                .unwrap()
                .insert(path.to_owned(), Some(rec));
        }
    }

    pub fn forget_target(&self, path: &str) {
        if self.read_only {
            return;
        }
        // (a record known to be absent, read as such or forgotten already, is not in the
        // database: nothing to remove)
        let known_absent = matches!(
            self.records.lock().unwrap().insert(path.to_owned(), None),
            Some(None)
        );
        if !known_absent {
            self.remove(&key(b't', path));
        }
    }

    /// The content hash recorded for a file, if its stat is still the one recorded with it.
    pub fn cached_csig(&self, path: &str, stat: &Stat) -> Option<String> {
        let stamp = self.read_through(&self.stamps, b'f', path)?;
        (stamp.stat == *stat).then_some(stamp.csig)
    }

    pub fn set_stamp(&self, path: &str, stamp: &Stamp) {
        self.write_through(&self.stamps, b'f', path, stamp.clone());
    }

    pub fn includes(&self, csig: &str) -> Option<Vec<Include>> {
        self.read_through(&self.includes, b'i', csig)
    }

    pub fn set_includes(&self, csig: &str, includes: &[Include]) {
        self.write_through(&self.includes, b'i', csig, includes.to_vec());
    }

    /// The value kept under `(prefix, name)`: from `memory` when read or written before, else
    /// from the database (and then kept in `memory`).
    fn read_through<T: Clone + for<'de> Deserialize<'de>>(
        &self,
        memory: &std::sync::Mutex<rustc_hash::FxHashMap<String, T>>,
        prefix: u8,
        name: &str,
    ) -> Option<T> {
        if let Some(v) = memory.lock().unwrap().get(name) {
            return Some(v.clone());
        }
        let v: T = self.get(&key(prefix, name))?;
        // (a value written meanwhile, by another thread, is newer than this read)
        Some(
            memory
                .lock()
                .unwrap()
                .entry(name.to_owned())
                .or_insert(v)
                .clone(),
        )
    }

    /// Keep `value` under `(prefix, name)`, in the database and in `memory`.
    fn write_through<T: Serialize>(
        &self,
        memory: &std::sync::Mutex<rustc_hash::FxHashMap<String, T>>,
        prefix: u8,
        name: &str,
        value: T,
    ) {
        self.put(&key(prefix, name), &value);
        memory.lock().unwrap().insert(name.to_owned(), value);
    }

    /// Is there a database behind this state?
    pub fn exists(&self) -> bool {
        self.db.is_some()
    }

    /// The file of the graph kept by `graph_cache` for a request (by its key).
    pub fn graph(&self, request_key: &str) -> Option<PathBuf> {
        self.db.as_ref()?; // a graph counts only with the state that vouches for it
        Some(self.graphs_dir.join(request_key))
    }

    /// Keep a graph (encoded by `graph_cache`) for a request. The graphs of the last few
    /// distinct requests are kept (switching between `docons` and `docons some/target` reuses
    /// both). Written aside and renamed, so a reader never sees half a graph.
    pub fn set_graph(&self, request_key: &str, bytes: &[u8]) {
        const KEPT: usize = 4;
        if self.read_only || self.db.is_none() {
            return;
        }
        let mut recent: Vec<String> = self.get(b"g").unwrap_or_default();
        recent.retain(|k| k != request_key);
        recent.insert(0, request_key.to_owned());
        let dropped = recent.split_off(KEPT.min(recent.len()));
        if !dropped.is_empty() {
            // (a graph's file, and the files kept beside it: `<key>.proof`, `<key>.dirs`)
            for entry in std::fs::read_dir(&self.graphs_dir)
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = entry.file_name().to_string_lossy().into_owned();
                let key = name.split('.').next().unwrap_or("");
                if dropped.iter().any(|d| d == key) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        self.put(b"g", &recent);
        let _ = std::fs::create_dir_all(&self.graphs_dir);
        let _ = replace_file(&self.graphs_dir.join(request_key), &[bytes]);
    }

    /// Where the proof of the last build of a request is kept (see `proof`); `None` when this
    /// state cannot keep one (no database behind it, or `-n`).
    pub fn proof_file(&self, request_key: &str) -> Option<std::path::PathBuf> {
        (self.db.is_some() && !self.read_only).then(|| proof_path(&self.graphs_dir, request_key))
    }

    /// The kept graph and proof of a request in `top`, read without opening the database (a
    /// no-op build that the proof answers never opens it): `None` unless the marker file
    /// vouches for a database there (a state started over takes the proofs along).
    pub fn kept_without_opening(top: &Path, request_key: &str) -> Option<(PathBuf, PathBuf)> {
        let marker = std::fs::read_to_string(top.join(STATE_NAME)).ok()?;
        marker.strip_prefix(MARKER_PREFIX)?;
        if !top.join(DB_DIR).is_dir() {
            return None;
        }
        let graphs = top.join(GRAPHS_DIR);
        Some((graphs.join(request_key), proof_path(&graphs, request_key)))
    }

    /// A request whose target's part of the graph could not answer for its build (see
    /// `graph_part`): the part is forgotten, and the request keeps the whole graph from then on.
    pub fn keep_whole(&self, request_key: &str) {
        self.forget_graph(request_key);
        self.put(format!("W{request_key}").as_bytes(), &true);
    }

    /// Does a request keep the whole graph (see `keep_whole`)?
    pub fn keeps_whole(&self, request_key: &str) -> bool {
        self.get(format!("W{request_key}").as_bytes())
            .unwrap_or(false)
    }

    pub fn forget_graph(&self, request_key: &str) {
        if !self.read_only {
            let _ = std::fs::remove_file(self.graphs_dir.join(request_key));
        }
    }

    /// Make everything written so far durable.
    pub fn flush(&self) {
        if let (Some(db), false) = (&self.db, self.read_only) {
            let _ = db.flush();
        }
    }

    /// End the state of a process about to exit: make the database durable, and leave the
    /// rest of sled's closing (its flusher thread's last round, another fsync) undone. A
    /// database flushed in full is recovered by the next open, as it would be after a crash,
    /// with nothing lost; a failed flush closes it the usual way. (The scratch copy of `-n` is
    /// removed as usual.)
    pub fn end_before_exit(self) {
        match (&self.db, self.read_only) {
            (Some(db), false) if db.flush().is_ok() => std::mem::forget(self),
            _ => drop(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_top(name: &str) -> PathBuf {
        let top =
            std::env::temp_dir().join(format!("docons-state-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&top);
        std::fs::create_dir_all(&top).unwrap();
        top
    }

    fn record(csig: &str) -> TargetRecord {
        TargetRecord {
            action_sig: csig.to_owned(),
            action_text: String::new(),
            inputs: Vec::new(),
            n_sources: 0,
            n_depends: 0,
            stamp: None,
        }
    }

    #[test]
    fn a_replaced_file_holds_the_parts_and_nothing_is_left_aside() {
        let top = scratch_top("replace");
        let path = top.join("kept");
        replace_file(&path, &[b"old"]).unwrap();
        replace_file(&path, &[b"new ", b"", b"parts"]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new parts");
        let names: Vec<_> = std::fs::read_dir(&top)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["kept"]);
        // a failed write (no such folder) leaves nothing either
        assert!(replace_file(&top.join("missing/kept"), &[b"x"]).is_err());
        assert!(!top.join("missing").exists());
        let _ = std::fs::remove_dir_all(&top);
    }

    #[test]
    fn a_record_forgotten_after_it_was_written_is_gone_from_the_database() {
        let top = scratch_top("forget");
        {
            let s = State::open(&top, false, true).unwrap();
            // read as absent, then written, then forgotten: the database must lose it
            assert_eq!(s.target("a.o"), None);
            s.set_target("a.o", record("1"));
            s.forget_target("a.o");
            // forgotten twice (the second time it is known absent)
            s.set_target("b.o", record("2"));
            s.forget_target("b.o");
            s.forget_target("b.o");
            s.set_target("c.o", record("3"));
            s.flush();
        }
        let s = State::open(&top, false, true).unwrap();
        assert_eq!(s.target("a.o"), None);
        assert_eq!(s.target("b.o"), None);
        assert_eq!(s.target("c.o"), Some(record("3")));
        drop(s);
        let _ = std::fs::remove_dir_all(&top);
    }

    #[test]
    fn a_stamp_answers_only_for_its_own_stat_and_outlives_the_run() {
        let top = scratch_top("stamp");
        let stat = Stat {
            mtime_ns: 5,
            size: 3,
            inode: 7,
        };
        let other = Stat { size: 4, ..stat };
        {
            let s = State::open(&top, false, true).unwrap();
            assert_eq!(s.cached_csig("x.c", &stat), None);
            s.set_stamp(
                "x.c",
                &Stamp {
                    stat,
                    csig: "abc".into(),
                },
            );
            assert_eq!(s.cached_csig("x.c", &stat).as_deref(), Some("abc"));
            assert_eq!(s.cached_csig("x.c", &other), None);
            let inc = vec![Include {
                angle: true,
                name: "y.h".into(),
            }];
            s.set_includes("abc", &inc);
            assert_eq!(s.includes("abc"), Some(inc));
            s.flush();
        }
        // read back from the database alone
        let s = State::open(&top, false, true).unwrap();
        assert_eq!(s.cached_csig("x.c", &other), None);
        assert_eq!(s.cached_csig("x.c", &stat).as_deref(), Some("abc"));
        assert_eq!(s.includes("abc").map(|v| v.len()), Some(1));
        drop(s);
        let _ = std::fs::remove_dir_all(&top);
    }
}
