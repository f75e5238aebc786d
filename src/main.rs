//! docons: a drop-in replacement for the `scons` command.
//!
//! The flow is one way: the command line (`cli`) → the SConstruct read by the front end
//! (`scons_api`) into a declared graph (`graph`) → the requested goals → the scheduler, which
//! decides what is stale (`uptodate`, with the include `scanner` and the persistent `state`) and
//! runs it; or `clean` with `-c`.

mod cachedir;
mod callbacks;
mod clean;
mod cli;
mod command_line;
mod cores;
mod flat_codec;
mod graph;
mod graph_cache;
mod graph_layout;
mod graph_part;
mod launcher;
mod prescan;
mod progress;
mod proof;
mod run_child;
mod scanner;
mod scheduler;
mod signature;
mod state;
mod transcript;
mod tree;
mod uptodate;
mod watch;

use cli::Options;
use graph::{normalize, top_relative, Graph};
use scheduler::{BuildOptions, Goal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const SCONSTRUCT_NAMES: &[&str] = &[
    "SConstruct",
    "Sconstruct",
    "sconstruct",
    "SConstruct.py",
    "Sconstruct.py",
    "sconstruct.py",
];

fn print_version() {
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    println!("SCons by Steven Knight et al.:");
    println!(
        "\tSCons: v4.11.1.docons{}, Wed, 25 Nov 2026 00:00:00 +0000, by docons on docons",
        env!("CARGO_PKG_VERSION")
    );
    println!("\tSCons path: ['{dir}']");
    println!("Copyright (c) 2001 - 2026 The SCons Foundation");
}

fn find_sconstruct(dir: &Path) -> Option<PathBuf> {
    SCONSTRUCT_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

fn fail(msg: &str) -> u8 {
    eprintln!("scons: *** {msg}");
    2
}

/// What SCons reports after the closing message: an error that stopped the build outside a
/// task, else the dependency cycles met (as its taskmaster cleanup does).
fn report_after_build(result: &scheduler::BuildResult) -> Option<u8> {
    let msg = if let Some(msg) = &result.fatal {
        msg.clone()
    } else if !result.cycles.is_empty() {
        let mut msg = String::from("Found dependency cycle(s):\n");
        for c in &result.cycles {
            msg.push_str(&format!("  {}\n", c.join(" -> ")));
        }
        msg
    } else {
        return None;
    };
    // (SCons's user-error report starts with a blank line)
    eprintln!();
    Some(fail_at_caller(&msg))
}

/// A user error raised by docons itself: like SCons, name where it was raised
/// (`File "...", line N, in main`) under the message.
#[track_caller]
fn fail_at_caller(msg: &str) -> u8 {
    let at = std::panic::Location::caller();
    eprintln!("scons: *** {msg}");
    eprintln!("File \"{}\", line {}, in main", at.file(), at.line());
    2
}

/// Turn a target word into a goal: an alias name, a known node, a folder, or an existing file.
fn resolve(g: &mut Graph, word: &str, lookup_dir: &Path) -> Result<Goal, String> {
    if let Some(n) = g.alias(word) {
        return Ok(Goal::Node(n));
    }
    let abs = match word.strip_prefix('#') {
        Some(rest) => normalize(&g.top, Path::new(rest.trim_start_matches('/'))),
        None => normalize(lookup_dir, Path::new(word)),
    };
    let rel = top_relative(&g.top, &abs);
    if let Some(n) = g.lookup(&rel) {
        if g.producer[n].is_some() || g.nodes[n].kind == scons_api::NodeKind::File && !abs.is_dir()
        {
            return Ok(Goal::Node(n));
        }
    }
    if g.is_known_dir(&rel) || abs.is_dir() {
        return Ok(Goal::Dir(rel));
    }
    if abs.exists() {
        return Ok(Goal::Node(g.file_node(&rel)));
    }
    Err(format!(
        "Do not know how to make File target `{word}' ({}).  Stop.",
        abs.display()
    ))
}

fn main() -> ExitCode {
    // Like other command-line tools: a closed stdout (`docons -H | head`) ends docons quietly.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let opts = match Options::from_env_and_args() {
        Ok(o) => o,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    for t in &opts.tree {
        if let Err(word) = tree::parse(t) {
            eprint!("{}", tree::invalid_message(&word));
            return ExitCode::from(2);
        }
    }
    if opts.environment_overrides {
        // SCons accepts -e and ignores it, saying so with the spelling used.
        let long = std::env::args().any(|a| a == "--environment-overrides");
        let spelled = if long {
            "--environment-overrides"
        } else {
            "-e"
        };
        eprintln!("Warning:  ignoring {spelled} option");
    }
    if opts.version {
        print_version();
        return ExitCode::SUCCESS;
    }
    if opts.help_options {
        // SCons prints its options' help without reading any script.
        let text = scons_api::FrontEnd::new()
            .call("option_help", "{}")
            .and_then(|j| serde_json::from_str::<String>(&j).map_err(|e| e.to_string()));
        return match text {
            Ok(t) => {
                print!("{t}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("docons: internal error: {e}");
                ExitCode::from(2)
            }
        };
    }
    for d in &opts.directory {
        if let Err(e) = std::env::set_current_dir(d) {
            return ExitCode::from(fail(&format!("Could not change directory to {d}: {e}")));
        }
    }
    let launch_dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // Find the SConstruct: -f, or in this folder, or (with -u/-U/-D) in a parent.
    let (top, sconstruct) = if let Some(f) = opts.file.first() {
        let p = normalize(&launch_dir, Path::new(f));
        if !p.is_file() {
            eprintln!();
            return ExitCode::from(fail_at_caller("No SConstruct file found."));
        }
        (launch_dir.clone(), p)
    } else {
        let mut dir = launch_dir.clone();
        loop {
            if let Some(s) = find_sconstruct(&dir) {
                break (dir, s);
            }
            if opts.climb_mode() == 0 || !dir.pop() {
                eprintln!();
                return ExitCode::from(fail_at_caller("No SConstruct file found."));
            }
        }
    };
    if top != launch_dir || !opts.directory.is_empty() {
        println!("scons: Entering directory `{}'", top.display());
        if let Err(e) = std::env::set_current_dir(&top) {
            return ExitCode::from(fail(&format!(
                "Could not change directory to {}: {e}",
                top.display()
            )));
        }
    }
    let interrupted = Arc::new(AtomicBool::new(false));
    scons_api::native::set_interrupt_flag(Arc::clone(&interrupted));
    // --site-dir must name an existing folder; SCons checks before reading the scripts.
    if let (Some(d), false) = (&opts.site_dir, opts.no_site_dir) {
        if !top.join(d).exists() {
            let shown = if Path::new(d).is_absolute() {
                d.clone()
            } else {
                format!("./{d}")
            };
            eprintln!();
            return ExitCode::from(fail(&format!("site dir {shown} not found.")));
        }
    }
    let request = scons_api::ReadRequest {
        top: top.clone(),
        sconstruct,
        launch_dir: launch_dir.clone(),
        arguments: opts.arguments(),
        targets: opts.targets(),
        argv: std::iter::once(
            launcher::ensure()
                .or_else(|| std::env::current_exe().ok())
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "docons".to_owned()),
        )
        .chain(std::env::args().skip(1))
        .collect(),
        python: launcher::python(),
        leftover: opts.leftover.clone(),
        options: opts.as_script_options(),
        given_options: opts.given_options(),
        quiet: false,
    };
    let ctx = Context {
        opts,
        top,
        launch_dir,
        request,
        interrupted,
    };
    if ctx.opts.watch {
        return watch::run(&ctx);
    }
    let mut session = Session::default();
    let outcome = cycle(&ctx, &mut session);
    // The state database is closed properly; the graph, the memo and the interpreter need no
    // tearing down (freeing a large graph piece by piece takes longer than a no-op build).
    drop(session.state.take());
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let _ = std::io::Write::flush(&mut std::io::stderr());
    std::process::exit(outcome.code.into())
}

/// What stays the same from one build cycle to the next: the command line and where it runs.
pub struct Context {
    pub opts: Options,
    pub top: PathBuf,
    pub launch_dir: PathBuf,
    pub request: scons_api::ReadRequest,
    pub interrupted: Arc<AtomicBool>,
}

impl Context {
    /// From now on, Ctrl-C (or a termination signal) sets `interrupted` instead of ending the
    /// process at once: the scripts, the build and watch mode stop cleanly on it. (A no-op
    /// build that replays the last one's proof ends before: it has nothing to leave behind, and
    /// spares the handler's thread.)
    pub fn catch_interrupts(&self) {
        static CAUGHT: std::sync::Once = std::sync::Once::new();
        CAUGHT.call_once(|| {
            let flag = Arc::clone(&self.interrupted);
            let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
        });
    }
}

/// What one cycle leaves to the next (watch mode runs many): the open state store, the graph
/// with its goals (kept while the scripts' inputs are unchanged) and what the last build learnt
/// of the files.
#[derive(Default)]
pub struct Session {
    pub state: Option<state::State>,
    pub prepared: Option<Prepared>,
    pub memo: uptodate::Memo,
    /// When `memo` was started: none of its stats is older (see `proof`'s racy rule).
    pub memo_since: i128,
    /// The build goes on after a kept part of the graph could not answer for a path (see
    /// `graph_part`): its opening messages were printed already, and the scripts are read
    /// again to build on the whole graph.
    pub restarted: bool,
}

/// A graph ready to build: the scripts' graph, the goals and options, and what the scripts
/// printed (replayed each time it is used again).
pub struct Prepared {
    pub g: Graph,
    /// What the scripts read (watch mode watches it).
    pub inputs: Option<scons_api::ScriptInputs>,
    goals: Vec<Goal>,
    unknown: Option<String>,
    variant_messages: Vec<String>,
    build_opts: BuildOptions,
    /// The interpreter stays alive for the build when it ran the scripts: Python function
    /// actions run in it.
    front: Option<scons_api::FrontEnd>,
    stdout: String,
    stderr: String,
    /// The proof of the last build, read and compared with the files already.
    examined: Option<proof::Examined>,
    /// The goals were found in the graph alone, without looking at the disk.
    goals_from_graph: bool,
    /// The id of the declared graph when it is kept for reuse (a proof of the build can be
    /// kept for it, see `proof`).
    graph_id: Option<[u8; 32]>,
    /// When this cycle started (for `DOCONS_TIMINGS`).
    started: std::time::Instant,
}

/// How a cycle ended.
pub struct Outcome {
    /// The exit status docons would end with.
    pub code: u8,
    /// The build itself ran (the scripts were read and the goals found).
    pub built: bool,
    /// Something was out of date (and, unless -n/-q, rebuilt).
    pub changed: bool,
    /// The build stopped to start again on the whole graph (see `Session::restarted`).
    restart: bool,
}

impl Outcome {
    /// The build is to start again on the whole graph (see `Session::restarted`).
    fn restart() -> Outcome {
        Outcome {
            code: 0,
            built: true,
            changed: true,
            restart: true,
        }
    }

    fn stopped(code: u8) -> Outcome {
        Outcome {
            code,
            built: false,
            changed: false,
            restart: false,
        }
    }
}

/// What reading the scripts printed, printed again for a graph used again without reading them.
fn replay_reading(progress: bool, stdout: &str, stderr: &str) {
    if progress {
        println!("scons: Reading SConscript files ...");
    }
    print!("{stdout}");
    eprint!("{stderr}");
    if progress {
        println!("scons: done reading SConscript files.");
    }
}

/// One build: read the scripts (or reuse the graph), find the goals and build them. A graph
/// kept in `session` from the previous cycle is used again as it is.
pub fn cycle(ctx: &Context, session: &mut Session) -> Outcome {
    let opts = &ctx.opts;
    let progress = !opts.no_progress && !opts.silent;
    let mut prepared = match session.prepared.take() {
        Some(p) => {
            replay_reading(progress, &p.stdout, &p.stderr);
            Prepared {
                started: std::time::Instant::now(),
                ..p
            }
        }
        None => {
            session.memo = uptodate::Memo::default();
            session.memo_since = signature::now_ns();
            match prepare(ctx, session) {
                Ok(p) => p,
                Err(code) => return Outcome::stopped(code),
            }
        }
    };
    let outcome = build_prepared(ctx, session, &mut prepared);
    if outcome.restart && !session.restarted {
        // A kept part of the graph met a path outside it: the part is dropped, and the
        // scripts read again for the whole graph (kept whole for this request from now on).
        if let Some(state) = &session.state {
            state.keep_whole(&graph_cache::request_key(&ctx.request));
        }
        drop(prepared);
        session.restarted = true;
        let outcome = cycle(ctx, session);
        session.restarted = false;
        return outcome;
    }
    session.prepared = Some(prepared);
    outcome
}

/// Can a request keep only its targets' part of the graph (see `graph_part`)? Not when it
/// cleans, asks for help or a tree, watches, climbs folders, or changes nothing.
fn part_applies(opts: &cli::Options) -> bool {
    proof_applies(opts)
        && !opts.clean
        && !opts.help
        && opts.tree.is_empty()
        && !opts.watch
        && opts.climb_mode() == 0
}

/// For `DOCONS_TIMINGS`: the resident memory, and the CPU time docons's own threads have used
/// (its commands' time is not counted).
fn resident() -> String {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|t| t.split_whitespace().nth(1)?.parse::<u64>().ok());
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let cpu_ms = match unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } {
        0 => {
            let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
            format!(", {:.0} ms CPU", ms(usage.ru_utime) + ms(usage.ru_stime))
        }
        _ => String::new(),
    };
    match pages {
        Some(p) => format!(", {} MiB resident{cpu_ms}", p * 4096 / (1024 * 1024)),
        None => cpu_ms,
    }
}

fn timings() -> bool {
    std::env::var_os("DOCONS_TIMINGS").is_some()
}

/// The declared graph indexed for the engine, with what the scripts left beside it.
struct Indexed {
    g: Graph,
    option_help: Option<String>,
    /// `Exit()` called while reading.
    exit: Option<i32>,
    /// Options set with `SetOption()`.
    options: std::collections::BTreeMap<String, serde_json::Value>,
    inputs: Option<scons_api::ScriptInputs>,
    stdout: String,
    stderr: String,
}

impl Indexed {
    fn of(top: &Path, mut declared: graph::Declared) -> Result<Indexed, String> {
        let rec = &mut declared.rec;
        let option_help = rec.option_help.take();
        let exit = rec.exit;
        let options = std::mem::take(&mut rec.options);
        let inputs = rec.inputs.take();
        let stdout = std::mem::take(&mut rec.stdout);
        let stderr = std::mem::take(&mut rec.stderr);
        Ok(Indexed {
            g: Graph::from_declared(top, declared)?,
            option_help,
            exit,
            options,
            inputs,
            stdout,
            stderr,
        })
    }
}

/// A kept graph being decoded and indexed on another thread (with the nodes of the files of
/// the proof being examined meanwhile).
type Indexing =
    std::thread::JoinHandle<Result<(Indexed, [u8; 32], Option<Vec<graph::NodeId>>), String>>;

/// Decode and index `kept` on another thread; then find the nodes of the proof's files that
/// `files` brings (sent when the proof has been read: the decoding need not wait for it).
fn index_kept(
    top: &Path,
    kept: graph_cache::Kept,
    files: std::sync::mpsc::Receiver<Option<proof::ProofFiles>>,
) -> Indexing {
    let top = top.to_path_buf();
    std::thread::spawn(move || {
        let id = kept.graph_id;
        let mut indexed = Indexed::of(&top, kept.graph(false, &top)?)?;
        let nodes = files
            .recv()
            .ok()
            .flatten()
            .map(|f| f.nodes_in(&mut indexed.g));
        Ok((indexed, id, nodes))
    })
}

/// Read the scripts (or reuse the stored graph) and find the goals; `Err`: the exit status when
/// there is nothing to build (an error, `-h`, `-c`, `Exit()`).
fn prepare(ctx: &Context, session: &mut Session) -> Result<Prepared, u8> {
    let (opts, top, launch_dir) = (&ctx.opts, &ctx.top, &ctx.launch_dir);
    let progress = !opts.no_progress && !opts.silent;
    let timings = timings();
    let started = std::time::Instant::now();
    let phase = |what: &str| {
        if timings {
            eprintln!(
                "docons: {what} at {:.3}s{}",
                started.elapsed().as_secs_f64(),
                resident()
            );
        }
    };
    let read_only = opts.no_exec || opts.question;
    let request = &ctx.request;
    let key = graph_cache::request_key(request);
    // A no-op build that the proof of the last one answers (see `proof`): the graph is not
    // decoded, the state is not opened, the build's messages are printed again. A proof that
    // cannot be the whole build is examined while the graph is decoded and indexed.
    let mut examined = None;
    let mut indexing = None;
    // The state (opened in another thread while the kept graph is decoded) is created only once
    // the scripts have been read without error.
    let open_state = || {
        let top = top.clone();
        std::thread::spawn(move || state::State::open(&top, read_only, false))
    };
    let mut opening = None;
    if !opts.watch && session.state.is_none() && proof_applies(opts) {
        if let Some((graph_file, proof_file)) = state::State::kept_without_opening(top, &key) {
            if let Ok(kept) = graph_cache::check(&graph_file, top, &key, true) {
                phase("graph inputs unchanged");
                if proof::keeps_transcript(&proof_file, &kept.graph_id) == Some(true) {
                    // The graph is decoded only once a file is seen changed: the build is
                    // then more than the transcript (if nothing changed, it is not needed).
                    let proof = proof::read(&proof_file, &kept.graph_id);
                    let files = proof.as_ref().map(|p| p.files());
                    let waiting = std::sync::Mutex::new(Some((kept, files)));
                    let started = std::sync::Mutex::new(None);
                    // (the state is opened meanwhile too: the build needs both)
                    let start = || {
                        if let Some((kept, files)) = waiting.lock().unwrap().take() {
                            let (send, receive) = std::sync::mpsc::channel();
                            let _ = send.send(files);
                            let indexing = index_kept(top, kept, receive);
                            *started.lock().unwrap() = Some((indexing, open_state()));
                        }
                    };
                    examined = proof.and_then(|p| p.examine_telling(top, false, &start));
                    let transcript = examined.as_ref().and_then(|e| e.transcript());
                    if let (Some(lines), Some((kept, _))) =
                        (transcript, waiting.lock().unwrap().as_mut())
                    {
                        replay_reading(progress, &kept.stdout, &kept.stderr);
                        transcript::replay(lines);
                        phase("proof replayed");
                        kept.note_verified();
                        return Err(0);
                    }
                    start();
                    if let Some((started_indexing, started_opening)) = started.into_inner().unwrap()
                    {
                        indexing = Some(started_indexing);
                        opening = Some(started_opening);
                    }
                } else {
                    // The graph is decoded while the proof (if any) is read and examined.
                    let (send, receive) = std::sync::mpsc::channel();
                    let graph_id = kept.graph_id;
                    indexing = Some(index_kept(top, kept, receive));
                    opening = Some(open_state());
                    let proof = proof::read(&proof_file, &graph_id);
                    let _ = send.send(proof.as_ref().map(|p| p.files()));
                    examined = proof.and_then(|p| p.examine(top, true));
                }
                phase("proof examined");
            }
        }
    }
    ctx.catch_interrupts();
    if opening.is_none() && session.state.is_none() {
        opening = Some(open_state());
    }
    let indexed = indexing.map(|h| {
        let (indexed, id, nodes) = h
            .join()
            .unwrap_or_else(|_| Err("the kept graph cannot be read".into()))?;
        if let (Some(e), Some(nodes)) = (examined.as_mut(), nodes) {
            e.found_nodes(nodes);
        }
        Ok((indexed, id))
    });
    if let Some(opening) = opening {
        session.state = match opening.join() {
            Ok(Ok(s)) => Some(s),
            Ok(Err(e)) => return Err(fail(&e)),
            Err(_) => return Err(fail("the state database could not be opened")),
        };
        phase("state open");
    }
    if progress && !session.restarted {
        println!("scons: Reading SConscript files ...");
    }
    // The interpreter stays alive for the build when it ran the scripts: Python function actions
    // run in it. A reused graph has none (graph_cache keeps only graphs without them).
    let mut front: Option<scons_api::FrontEnd> = None;
    let loaded = match (&session.state, indexed) {
        (Some(state), _) if !state.exists() => Err("no state".into()),
        (Some(_), Some(indexed)) => indexed,
        (Some(state), None) => graph_cache::load(state, request)
            .and_then(|(declared, id)| Ok((Indexed::of(top, declared)?, id))),
        (None, _) => Err("no state".into()),
    };
    let mut graph_id = None;
    let indexed = match loaded {
        Ok((indexed, id)) => {
            graph_id = Some(id);
            phase("graph reused");
            print!("{}", indexed.stdout);
            eprint!("{}", indexed.stderr);
            indexed
        }
        Err(why) => {
            phase(&format!("scripts run again: {why}"));
            let front = front.insert(scons_api::FrontEnd::new());
            phase("interpreter ready");
            // (read a second time to build on the whole graph: the output was shown already)
            let read_request = scons_api::ReadRequest {
                quiet: session.restarted,
                ..request.clone()
            };
            match front.read(&read_request) {
                Ok(mut declared) => {
                    phase("scripts read");
                    let exists = session.state.as_ref().is_some_and(|s| s.exists());
                    if !read_only && !exists && declared.exit.is_none() {
                        session.state = match state::State::open(top, false, true) {
                            Ok(s) => Some(s),
                            Err(e) => return Err(fail(&e)),
                        };
                    }
                    let mut part = None;
                    if let Some(state) = &session.state {
                        let keep_part =
                            !session.restarted && part_applies(opts) && !state.keeps_whole(&key);
                        if let Some(saved) =
                            graph_cache::save(state, request, &mut declared, keep_part)
                        {
                            graph_id = Some(saved.graph_id);
                            part = saved.part;
                        }
                    }
                    // (when only the targets' part of the graph was kept, this build is made
                    // on it too, so that its proof fits what the next run loads)
                    let declared = match part {
                        Some(mut part) => {
                            part.rec.inputs = declared.inputs.take();
                            part
                        }
                        None => graph::Declared::of_records(top, declared),
                    };
                    match Indexed::of(top, declared) {
                        Ok(indexed) => indexed,
                        Err(e) => return Err(fail(&e)),
                    }
                }
                Err(scons_api::ReadError::Script { stderr, status }) => {
                    eprint!("{stderr}");
                    return Err(status.clamp(0, 255) as u8);
                }
                Err(scons_api::ReadError::Internal(e)) => {
                    eprintln!("docons: internal error: {e}");
                    return Err(2);
                }
            }
        }
    };
    let state = session.state.as_ref().expect("the state is open");
    let Indexed {
        mut g,
        option_help,
        exit,
        options: script_options,
        inputs,
        stdout,
        stderr,
    } = indexed;
    if let Some(status) = exit {
        return Err(status.clamp(0, 255) as u8);
    }
    // Options the scripts may have changed with SetOption().
    let script_flag = |name: &str, given: bool| {
        script_options
            .get(name)
            .map(|v| v.as_bool().unwrap_or(v.as_i64().unwrap_or(0) != 0))
            .unwrap_or(given)
    };
    if progress && !session.restarted {
        println!("scons: done reading SConscript files.");
    }
    if opts.help {
        match &g.help_text {
            Some(text) => {
                println!("{text}");
                println!("Use scons -H for help about SCons built-in command-line options.");
            }
            None => {
                if let Some(text) = option_help {
                    print!("{text}");
                }
            }
        }
        return Err(0);
    }
    // What to build: BUILD_TARGETS, else Default(), else the top folder (or, with -u, the
    // launch folder).
    let launch_rel = top_relative(top, launch_dir);
    let words: Vec<String> = match &g.build_targets {
        Some(t) if !t.is_empty() => t.clone(),
        _ => match (&g.default_targets, opts.climb_mode()) {
            (_, 1) => vec![format!("#{launch_rel}")],
            // (with -U the front end kept only the local SConscripts' defaults)
            (Some(d), _) => d
                .iter()
                .map(|&n| g.nodes[n].path.clone())
                .map(|p| {
                    if g.alias(&p).is_some() || p.starts_with('/') {
                        p
                    } else {
                        format!("#{p}")
                    }
                })
                .collect(),
            (None, _) => vec![".".to_owned()],
        },
    };
    if words.is_empty() {
        println!("Found nothing to build");
        return Err(fail(
            "No targets specified and no Default() targets found.  Stop.",
        ));
    }
    // With -u/-U/-D, targets the user named are looked up from the launch folder.
    let named = matches!(&g.build_targets, Some(t) if !t.is_empty());
    let lookup_dir = if opts.climb_mode() == 1 || (opts.climb_mode() != 0 && named) {
        launch_dir.clone()
    } else {
        top.clone()
    };
    let mut goals: Vec<Goal> = Vec::new();
    let mut unknown = None;
    let mut variant_messages = Vec::new();
    for w in &words {
        match resolve(&mut g, w, &lookup_dir) {
            Ok(goal) => {
                // A source folder/file goal builds its variant-dir counterparts first.
                let reflected = match &goal {
                    Goal::Dir(d) => g.variant_goals(d, true),
                    Goal::Node(n)
                        if g.producer[*n].is_none()
                            && g.nodes[*n].kind == scons_api::NodeKind::File =>
                    {
                        let p = g.nodes[*n].path.clone();
                        g.variant_goals(&p, false)
                    }
                    _ => None,
                };
                if let Some((alts, message)) = reflected {
                    variant_messages.push(message);
                    for alt in alts.iter().rev() {
                        let word = if alt.starts_with('/') {
                            alt.clone()
                        } else {
                            format!("#{alt}")
                        };
                        if let Ok(a) = resolve(&mut g, &word, &lookup_dir) {
                            goals.push(Goal::Reflected(Box::new(a)));
                        }
                    }
                }
                goals.push(goal)
            }
            Err(e) => {
                unknown = Some(e);
                if !opts.keep_going {
                    break;
                }
            }
        }
    }
    let goals_from_graph = goals.iter().all(|goal| match goal {
        Goal::Node(n) => g.producer[*n].is_some() || g.nodes[*n].kind == scons_api::NodeKind::Alias,
        Goal::Dir(d) => g.is_known_dir(d),
        Goal::Reflected(_) => false,
    });
    if script_flag("clean", opts.clean) {
        if progress {
            println!("scons: Cleaning targets ...");
        }
        let ok = clean::clean(&g, Some(state), &goals, opts.no_exec, opts.silent);
        state.flush();
        if progress {
            println!("scons: done cleaning targets.");
        }
        return Err(if ok { 0 } else { 2 });
    }
    let build_opts = BuildOptions {
        keep_plan: opts.watch,
        jobs: script_options
            .get("num_jobs")
            .and_then(|v| v.as_u64())
            .map(|j| j.max(1) as usize)
            .unwrap_or(opts.jobs()),
        keep_going: opts.keep_going,
        random: script_flag("random", opts.random),
        no_exec: opts.no_exec,
        silent: opts.silent,
        ignore_errors: opts.ignore_errors,
        explain: opts.explain(),
        question: opts.question,
        implicit_cache: script_flag("implicit_cache", opts.implicit_cache),
        implicit_deps_changed: script_flag("implicit_deps_changed", opts.implicit_deps_changed),
        implicit_deps_unchanged: script_flag(
            "implicit_deps_unchanged",
            opts.implicit_deps_unchanged,
        ),
        tree: opts
            .tree
            .iter()
            .filter_map(|t| tree::parse(t).ok())
            .collect(),
        cache: cachedir::CacheOptions {
            disable: opts.cache_disable,
            force: opts.cache_force,
            readonly: opts.cache_readonly,
            show: opts.cache_show,
        },
    };
    phase("graph ready");
    Ok(Prepared {
        g,
        inputs,
        goals,
        unknown,
        variant_messages,
        build_opts,
        front,
        stdout,
        stderr,
        examined,
        goals_from_graph,
        graph_id,
        started,
    })
}

/// Build the goals of a prepared graph.
fn build_prepared(ctx: &Context, session: &mut Session, p: &mut Prepared) -> Outcome {
    let opts = &ctx.opts;
    let progress = !opts.no_progress && !opts.silent;
    let timings = timings();
    // A build that finds everything current on its proof alone is recorded for the next run.
    let recordable = !ctx.opts.watch
        && p.graph_id.is_some()
        && p.goals_from_graph
        && p.unknown.is_none()
        && p.g.progress.is_none()
        && opts.tree.is_empty()
        && opts.debug.iter().all(|d| d == "explain")
        && opts.cache_debug.is_none();
    if p.g.escaped().is_some() {
        // (met while finding the goals or the proof's files: nothing is built on the part)
        return Outcome::restart();
    }
    if recordable {
        transcript::record();
    }
    if progress && !session.restarted {
        transcript::out("scons: Building targets ...");
    }
    if p.unknown.is_some() && opts.question {
        // -q: a target that cannot be made is simply "not up to date".
        return Outcome::stopped(1);
    }
    if let Some(e) = &p.unknown {
        if opts.keep_going {
            eprintln!("scons: *** {}", e.trim_end_matches("  Stop."));
        } else {
            eprintln!("scons: *** {e}");
        }
    }
    if p.unknown.is_some() && !opts.keep_going {
        if progress {
            println!("scons: building terminated because of errors.");
        }
        return Outcome::stopped(2);
    }
    if !opts.silent {
        for m in &p.variant_messages {
            transcript::out(&format!("scons: {m}"));
        }
    }
    let state = session.state.as_ref().expect("the state is open");
    let calls = p.front.as_ref().map(|f| f as &dyn callbacks::FrontEndCalls);
    let (goals, build_opts) = (p.goals.clone(), p.build_opts.clone());
    // The proof of the last build of this request (see `proof`): what it shows current is
    // taken as current without looking further.
    let proof_file = match p.graph_id {
        Some(id) if proof_applies(opts) => state
            .proof_file(&graph_cache::request_key(&ctx.request))
            .map(|f| (f, id)),
        _ => None,
    };
    let mut loaded = None;
    if session.memo.is_fresh() {
        if let Some((file, id)) = &proof_file {
            let examined = p
                .examined
                .take()
                .or_else(|| proof::examine(file, id, &ctx.top));
            if let Some(mut e) = examined {
                e.find_nodes(&mut p.g);
                let tasks = p.g.tasks.len();
                // The plan is made while the proof becomes the memo on another core.
                let (mut l, plan) = std::thread::scope(|s| {
                    let memo = s.spawn(move || e.into_memo(tasks));
                    let (goals, opts) = (goals.clone(), build_opts.clone());
                    let plan = scheduler::plan_ahead(&mut p.g, state, calls, goals, opts);
                    let l = memo.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
                    (l, plan)
                });
                session.memo = std::mem::take(&mut l.memo);
                session.memo.plan = plan;
                loaded = Some(l);
            }
            if timings {
                eprintln!(
                    "docons: proof {} at {:.3}s{}",
                    if loaded.is_some() {
                        "loaded"
                    } else {
                        "not usable"
                    },
                    p.started.elapsed().as_secs_f64(),
                    resident()
                );
            }
        }
    }
    // What this build learns of the files serves the next cycle (watch mode) and the proof.
    let result = scheduler::build_keeping(
        &mut p.g,
        state,
        calls,
        goals,
        build_opts,
        &ctx.interrupted,
        &mut session.memo,
    );
    if let Some(path) = p.g.escaped() {
        // This kept part of the graph cannot answer for `path`: what was built stays built
        // (and recorded), and the build starts again on the whole graph (see `cycle`); unless
        // it failed or was interrupted first, which ends the run as it is (the next one reads
        // the whole graph).
        if !(result.errors || result.interrupted) {
            if timings {
                eprintln!(
                    "docons: the kept part of the graph does not hold {path}: starting again"
                );
            }
            if recordable {
                transcript::take();
            }
            return Outcome::restart();
        }
        if let Some(state) = &session.state {
            state.keep_whole(&graph_cache::request_key(&ctx.request));
        }
    }
    let code = closing(&result, opts, progress, p.unknown.is_some());
    let lines = recordable.then(transcript::take);
    // The state database is made durable (and ended, unless watching: the process exits next)
    // on another thread while the proof of this build is written.
    let (state, memo) = (&mut session.state, &session.memo);
    std::thread::scope(|s| {
        if ctx.opts.watch {
            if let Some(state) = state.as_ref() {
                s.spawn(move || state.flush());
            }
        } else if let Some(state) = state.take() {
            s.spawn(move || state.end_before_exit());
        }
        if let Some((file, id)) = &proof_file {
            let proven = result.proven_only && code == 0 && !result.interrupted;
            if timings {
                eprintln!(
                    "docons: proof of this build: {} (recordable {recordable}, proven only {})",
                    if proven { "whole" } else { "partial" },
                    result.proven_only
                );
            }
            proof::save(
                file,
                id,
                session.memo_since,
                memo,
                &p.g,
                loaded.as_ref(),
                lines.as_deref().filter(|_| proven),
            );
        }
    });
    if timings {
        eprintln!(
            "docons: build done at {:.3}s{}",
            p.started.elapsed().as_secs_f64(),
            resident()
        );
        eprintln!(
            "docons: {} of {} tasks' details decoded from the kept graph",
            graph::details_decoded(),
            p.g.tasks.len()
        );
    }
    // The scripts' atexit functions run last, and may ask GetBuildFailures().
    if let Some(front) = &p.front {
        use callbacks::FrontEndCalls;
        front.build_done(&result.failures);
    }
    Outcome {
        code,
        built: true,
        changed: result.stale,
        restart: false,
    }
}

/// May this build start from the proof of the last one and leave one for the next? Not when
/// it only pretends (`-n`, `-q`), when it takes failures for success (`-i`), or when it must
/// look at current targets anyway (`--cache-force` copies them into the cache).
fn proof_applies(opts: &cli::Options) -> bool {
    !(opts.no_exec || opts.question || opts.ignore_errors || opts.cache_force)
}

/// The end of a build as SCons tells it: the closing message, what is reported after it, and
/// the exit status.
fn closing(
    result: &scheduler::BuildResult,
    opts: &cli::Options,
    progress: bool,
    unknown: bool,
) -> u8 {
    if result.interrupted && progress {
        eprintln!("scons: Build interrupted.");
    }
    if result.errors || result.interrupted || unknown {
        if progress {
            if opts.keep_going && !result.interrupted {
                println!("scons: done building targets (errors occurred during build).");
            } else {
                println!("scons: building terminated because of errors.");
            }
            if result.interrupted && !opts.no_exec {
                println!("scons: writing .sconsign file.");
            }
        }
        if let Some(code) = report_after_build(result) {
            return code;
        }
        return result.exit_status.unwrap_or(2) as u8;
    }
    if progress {
        transcript::out("scons: done building targets.");
    }
    if let Some(code) = report_after_build(result) {
        return code;
    }
    if opts.question && result.stale {
        return 1;
    }
    0
}
