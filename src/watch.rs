//! Watch mode (`--watch`): build, then wait for a file the build depends on to be saved and
//! build again, for as long as the user lets it run (Ctrl-C ends it).
//!
//! What is watched: the folders (not the files: editors replace files) holding the sources and
//! the headers the scanner found, the files the scripts read, and the folders they listed or
//! globbed. A change to one of the scripts' inputs drops the kept graph, so that the next cycle
//! goes through `graph_cache` (which reads the scripts again only if their inputs really
//! changed); any other change keeps the graph, the goals and what the last build learnt of the
//! files, forgetting only the changed ones, so a cycle costs what the change costs.
//!
//! Events: a file closed after writing, moved in or out, or removed (an in-place save, a
//! write-then-rename save and a backup-then-rewrite save all end that way); bursts are gathered
//! until things are quiet for `QUIET` (`SETTLE` after an event that completes a save: the
//! cycle starts within milliseconds of the save), then classified at once. Targets, the state store and
//! editors' swap and backup files are ignored. Events that arrive during a build wait in the
//! channel and start the next cycle.

use crate::graph::{normalize, top_relative};
use crate::run_child::RunChild;
use crate::state::STATE_NAME;
use crate::{cycle, Context, Outcome, Session};
use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long things must stay quiet before a burst of events starts a cycle...
const QUIET: Duration = Duration::from_millis(20);
/// ...or, when the last event completed a save (a file closed after writing, or moved into
/// place), how long to wait for more of the same burst (a save of several files at once).
const SETTLE: Duration = Duration::from_millis(3);

/// Vim's swap files: `.name.swp` (then `.swo`, ... `.swa`), and `.swpx` while it probes.
fn vim_swap(name: &str) -> bool {
    let b = name.strip_suffix('x').unwrap_or(name).as_bytes();
    b.len() >= 4
        && &b[b.len() - 4..b.len() - 1] == b".sw"
        && (b'a'..=b'p').contains(&b[b.len() - 1])
}

/// An editor's temporary, swap or backup file (vim's `4913` probe, `name~`, emacs's `#name#`
/// and `.#name`), or the state store.
fn ignored_name(name: &str) -> bool {
    vim_swap(name)
        || name.ends_with('~')
        || name == "4913"
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".#")
        || name.starts_with(STATE_NAME)
}

/// A folder whose list of entries the scripts read (`os.listdir`, or `Glob` with patterns).
struct Listed {
    /// Every entry matters (a listing), not only those matching `patterns`.
    all: bool,
    patterns: Vec<glob::Pattern>,
    /// The entries when last looked at.
    names: HashSet<OsString>,
}

impl Listed {
    fn matters(&self, name: &str) -> bool {
        self.all || self.patterns.iter().any(|p| p.matches(name))
    }
}

/// What the watcher must know to tell a relevant change from noise.
#[derive(Default)]
struct Index {
    /// The folders to watch.
    dirs: BTreeSet<PathBuf>,
    /// The files the scripts read.
    config_files: HashSet<PathBuf>,
    /// Paths the scripts probed (`os.path.exists` and the like), with the predicate and the
    /// answer they got.
    probes: Vec<(PathBuf, String, bool)>,
    listed: HashMap<PathBuf, Listed>,
    /// The graph's nodes already looked at (the scanner adds headers during builds).
    nodes_seen: usize,
    /// There is a graph (else the scripts failed: any change in the watched folders counts).
    has_graph: bool,
}

fn entry_names(dir: &Path) -> HashSet<OsString> {
    std::fs::read_dir(dir)
        .map(|it| it.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default()
}

impl Index {
    /// Start again from the session's graph and the scripts' inputs; the folders watched before
    /// are kept when there is no graph (the scripts failed: their inputs are unknown).
    fn rebuild(&mut self, ctx: &Context, session: &Session) {
        let old_dirs = std::mem::take(&mut self.dirs);
        *self = Index::default();
        self.dirs.insert(ctx.top.clone());
        if let Some(parent) = ctx.request.sconstruct.parent() {
            self.dirs.insert(parent.to_path_buf());
        }
        let site = match &ctx.opts.site_dir {
            Some(d) => normalize(&ctx.top, Path::new(d)),
            None => ctx.top.join("site_scons"),
        };
        if site.is_dir() {
            self.dirs.insert(site);
        }
        let Some(p) = &session.prepared else {
            self.dirs.extend(old_dirs);
            return;
        };
        self.has_graph = true;
        if let Some(inputs) = &p.inputs {
            for f in &inputs.files {
                let f = PathBuf::from(f);
                if let Some(parent) = f.parent() {
                    self.dirs.insert(parent.to_path_buf());
                }
                self.config_files.insert(f);
            }
            for (path, predicate, result) in &inputs.probes {
                let path = PathBuf::from(path);
                // Watch the nearest folder that exists: creating what is missing shows there.
                let mut dir = path.parent().map(Path::to_path_buf);
                while let Some(d) = dir {
                    if d.is_dir() {
                        self.dirs.insert(d);
                        break;
                    }
                    dir = d.parent().map(Path::to_path_buf);
                }
                self.probes.push((path, predicate.clone(), *result));
            }
            for d in &inputs.listings {
                self.listed_mut(PathBuf::from(d)).all = true;
            }
            for (d, pattern) in &inputs.globs {
                if let Ok(pat) = glob::Pattern::new(pattern) {
                    self.listed_mut(PathBuf::from(d)).patterns.push(pat);
                } else {
                    self.listed_mut(PathBuf::from(d)).all = true;
                }
            }
        }
        self.extend(session);
    }

    fn listed_mut(&mut self, dir: PathBuf) -> &mut Listed {
        self.dirs.insert(dir.clone());
        self.listed.entry(dir.clone()).or_insert_with(|| Listed {
            all: false,
            patterns: Vec::new(),
            names: entry_names(&dir),
        })
    }

    /// Watch the folders of the nodes added since last time (sources, scanned headers).
    fn extend(&mut self, session: &Session) {
        let Some(p) = &session.prepared else { return };
        let g = &p.g;
        for n in self.nodes_seen..g.nodes.len() {
            let node = &g.nodes[n];
            if node.kind == scons_api::NodeKind::File && g.producer[n].is_none() {
                if let Some(parent) = node.abs.parent() {
                    if !self.dirs.contains(parent) {
                        self.dirs.insert(parent.to_path_buf());
                    }
                }
            }
        }
        self.nodes_seen = g.nodes.len();
    }
}

/// What a burst of events changed.
#[derive(Default)]
struct Changes {
    /// Top-relative (or absolute, outside the top) paths of the changed files, for the message.
    shown: BTreeSet<String>,
    /// Changed files that the build reads: (node, path).
    build: Vec<(Option<usize>, String)>,
    /// One of the scripts' inputs changed: the graph must be checked again.
    config: bool,
}

/// Sort the paths gathered from a burst of events into what matters.
fn classify(
    paths: &BTreeSet<PathBuf>,
    ctx: &Context,
    session: &Session,
    index: &mut Index,
) -> Changes {
    let mut changes = Changes::default();
    for path in paths {
        let rel = top_relative(&ctx.top, path);
        let exists = path.symlink_metadata().is_ok();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut config = false;
        let mut build = false;
        let node = session.prepared.as_ref().and_then(|p| p.g.lookup(&rel));
        if let Some(p) = &session.prepared {
            if node.is_some_and(|n| p.g.producer[n].is_some()) {
                continue; // a target: docons's own output
            }
        }
        if let Some(listed) = path.parent().and_then(|d| index.listed.get_mut(d)) {
            let os_name = OsString::from(&name);
            let was = listed.names.contains(&os_name);
            if was != exists {
                if exists {
                    listed.names.insert(os_name);
                } else {
                    listed.names.remove(&os_name);
                }
                config |= listed.matters(&name);
            }
        }
        // A probed path matters only when the answer the scripts got would change (a saved
        // source keeps `isfile` true and changes nothing in the graph).
        // (only a folder, or a path gone, can have probed paths below it)
        let below = !path.is_file();
        let probe_changed = index.probes.iter().any(|(p, predicate, result)| {
            (p == path || below && p.starts_with(path))
                && crate::graph_cache::probe(&p.to_string_lossy(), predicate) != *result
        });
        if index.config_files.contains(path) || probe_changed {
            config = true;
        }
        if !index.has_graph {
            config = true;
        }
        if let Some(p) = &session.prepared {
            let probed = session.memo.probed(&rel);
            let source = node.is_some_and(|n| p.g.nodes[n].kind == scons_api::NodeKind::File);
            build = source || probed;
        }
        if config || build {
            changes.shown.insert(rel.clone());
            changes.config |= config;
            changes.build.push((node, rel));
        }
    }
    changes
}

/// The paths an event names, if its kind can mean a saved, new or removed file; and whether
/// it completes a save (closed after writing, or moved into place: the last step of an
/// in-place, a write-then-rename and a backup-then-rewrite save alike). A file moved to an
/// editor's backup name is the first step of a backup-then-rewrite save, not the last.
fn event_paths(event: notify::Event) -> (Vec<PathBuf>, bool) {
    let completes = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Modify(ModifyKind::Name(_)) => event.paths.last().is_some_and(|p| {
            p.exists()
                && p.file_name()
                    .is_some_and(|n| !ignored_name(&n.to_string_lossy()))
        }),
        EventKind::Remove(_) | EventKind::Create(CreateKind::Folder) => false,
        _ => return (Vec::new(), false),
    };
    (event.paths, completes)
}

/// Wait for a burst of relevant changes (`None`: interrupted).
fn wait_for_changes(
    rx: &Receiver<notify::Result<notify::Event>>,
    ctx: &Context,
    session: &Session,
    index: &mut Index,
    watched: &mut HashSet<PathBuf>,
    child: &mut Option<RunChild>,
) -> Option<Changes> {
    let state_marker = ctx.top.join(STATE_NAME);
    let state_dir = ctx.top.join(".docons");
    let mut gathered: BTreeSet<PathBuf> = BTreeSet::new();
    let mut rescan = false;
    // When the burst gathered so far is taken to be over.
    let mut deadline = Instant::now();
    let mut first_event = Instant::now();
    loop {
        if ctx.interrupted.load(Ordering::SeqCst) {
            return None;
        }
        let busy = !gathered.is_empty() || rescan;
        let timeout = if busy {
            deadline.saturating_duration_since(Instant::now())
        } else {
            Duration::from_millis(100)
        };
        match rx.recv_timeout(timeout) {
            Ok(Ok(event)) => {
                if event.need_rescan() {
                    rescan = true;
                    deadline = Instant::now() + QUIET;
                }
                let (paths, completes) = event_paths(event);
                for path in paths {
                    if path.starts_with(&state_dir) || path == state_marker {
                        continue;
                    }
                    if watched.contains(&path) && !path.is_dir() {
                        watched.remove(&path); // a watched folder went away
                    }
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                    if name.as_deref().is_none_or(ignored_name) {
                        continue;
                    }
                    if gathered.is_empty() {
                        first_event = Instant::now();
                    }
                    gathered.insert(path);
                    deadline = Instant::now() + if completes { SETTLE } else { QUIET };
                }
            }
            Ok(Err(e)) => {
                eprintln!("docons: watch error: {e}");
            }
            Err(RecvTimeoutError::Timeout) => {
                if let Some(c) = child.as_mut() {
                    c.poll();
                }
                if busy && Instant::now() >= deadline {
                    let mut changes = classify(&gathered, ctx, session, index);
                    gathered.clear();
                    if rescan {
                        changes.config = true;
                        changes
                            .shown
                            .insert(String::from("(events lost: checking everything)"));
                        rescan = false;
                    }
                    if !changes.shown.is_empty() {
                        if std::env::var_os("DOCONS_TIMINGS").is_some() {
                            eprintln!(
                                "docons: changes classified {:.1} ms after the first event",
                                first_event.elapsed().as_secs_f64() * 1e3
                            );
                        }
                        return Some(changes);
                    }
                }
            }
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

/// Watch the index's folders (and stop watching those no longer in it).
fn update_watches(
    watcher: &mut notify::RecommendedWatcher,
    watched: &mut HashSet<PathBuf>,
    index: &Index,
) {
    let gone: Vec<PathBuf> = watched
        .iter()
        .filter(|d| !index.dirs.contains(*d))
        .cloned()
        .collect();
    for d in gone {
        let _ = watcher.unwatch(&d);
        watched.remove(&d);
    }
    for d in &index.dirs {
        if !watched.contains(d)
            && d.is_dir()
            && watcher.watch(d, RecursiveMode::NonRecursive).is_ok()
        {
            watched.insert(d.clone());
        }
    }
}

/// After a cycle: start the `--run` program after the first good build, restart it after a good
/// build that changed something, leave it alone after a failed one.
fn manage_child(child: &mut Option<RunChild>, outcome: &Outcome) {
    let Some(c) = child.as_mut() else { return };
    c.poll();
    if !outcome.built || outcome.code != 0 {
        if c.is_running() {
            println!("docons: build failed; `{}' keeps running", c.cmd);
        } else {
            println!("docons: build failed; `{}' not started", c.cmd);
        }
        return;
    }
    if !c.started() {
        println!("docons: starting `{}'", c.cmd);
        c.start();
    } else if outcome.changed {
        println!("docons: restarting `{}'", c.cmd);
        c.start();
    }
}

fn say(line: &str) {
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{line}");
    let _ = o.flush();
}

pub fn run(ctx: &Context) -> ExitCode {
    ctx.catch_interrupts();
    let opts = &ctx.opts;
    if opts.clean || opts.help || opts.question {
        eprintln!("docons: --watch cannot be used with -c, -h or -q");
        return ExitCode::from(2);
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(move |res| {
        let _ = tx.send(res);
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("docons: cannot watch files: {e}");
            return ExitCode::from(2);
        }
    };
    let mut child = opts
        .run
        .as_deref()
        .map(|cmd| RunChild::new(cmd, opts.run_grace));
    let mut session = Session::default();
    let mut index = Index::default();
    let mut watched = HashSet::new();
    let mut outcome = cycle(ctx, &mut session);
    index.rebuild(ctx, &session);
    manage_child(&mut child, &outcome);
    loop {
        update_watches(&mut watcher, &mut watched, &index);
        if ctx.interrupted.load(Ordering::SeqCst) {
            break;
        }
        say("docons: watching for changes (Ctrl-C to stop)");
        let Some(changes) =
            wait_for_changes(&rx, ctx, &session, &mut index, &mut watched, &mut child)
        else {
            break;
        };
        let shown: Vec<&str> = changes.shown.iter().map(String::as_str).collect();
        let list = if shown.len() > 5 {
            format!("{} and {} more", shown[..5].join(", "), shown.len() - 5)
        } else {
            shown.join(", ")
        };
        say(&format!("docons: rebuilding after changes to {list}"));
        let reread = changes.config || session.prepared.is_none();
        if reread {
            session.prepared = None; // graph_cache decides whether the scripts run again
        } else {
            if let Some(p) = &session.prepared {
                for (node, path) in &changes.build {
                    session.memo.forget_path(&p.g, *node, path);
                }
            }
        }
        outcome = cycle(ctx, &mut session);
        if reread {
            index.rebuild(ctx, &session);
        } else {
            index.extend(&session);
        }
        manage_child(&mut child, &outcome);
    }
    drop(child);
    if let Some(state) = &session.state {
        state.flush();
    }
    drop(session);
    say("docons: stopped watching");
    let _ = outcome;
    ExitCode::SUCCESS
}
