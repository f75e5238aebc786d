//! The scheduler: walks the graph from the requested targets in SCons's order (depth first,
//! children in order, a folder's entries sorted by name), decides each task when its inputs are
//! done, and runs the commands of stale tasks on up to `-j N` worker threads. At -j1 the order of
//! commands and messages is SCons's; with more jobs each command's output is kept in one piece.

use crate::cachedir;
use crate::callbacks::FrontEndCalls;
use crate::graph::{Graph, NodeId, TaskId};
use crate::progress::Progress;
use crate::state::State;
use crate::uptodate::{Checker, Memo, Scan, TaskInputs};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use scons_api::{ActionRecord, NodeKind};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub jobs: usize,
    pub keep_going: bool,
    /// `--random`: visit each task's inputs in a random order.
    pub random: bool,
    pub no_exec: bool,
    pub silent: bool,
    pub ignore_errors: bool,
    pub explain: bool,
    pub question: bool,
    /// `--implicit-cache`: reuse the implicit deps recorded for a target instead of scanning.
    pub implicit_cache: bool,
    /// `--implicit-deps-changed`: scan again even with `--implicit-cache`.
    pub implicit_deps_changed: bool,
    /// `--implicit-deps-unchanged`: trust the recorded implicit deps even if sources changed.
    pub implicit_deps_unchanged: bool,
    pub cache: crate::cachedir::CacheOptions,
    /// `--tree=` printers, each run after every named target is done.
    pub tree: Vec<crate::tree::TreeOptions>,
    /// Leave the build's plan in the memo for the next build of the same goals (watch mode).
    pub keep_plan: bool,
}

/// A requested target: a node (file or alias), or a folder meaning everything below it.
#[derive(Debug, Clone, PartialEq)]
pub enum Goal {
    Node(NodeId),
    Dir(String),
    /// A variant-dir counterpart of a named source folder/file (SCons's `alter_targets`):
    /// built like the inner goal, but never reported as up to date.
    Reflected(Box<Goal>),
}

impl Goal {
    /// The goal to build (a reflected goal's inner one).
    pub fn inner(&self) -> &Goal {
        match self {
            Goal::Reflected(g) => g.inner(),
            g => g,
        }
    }
}

#[derive(Debug, Default)]
pub struct BuildResult {
    pub errors: bool,
    pub interrupted: bool,
    /// `-q`: something is not up to date.
    pub stale: bool,
    /// The exit status of the last failure, when not SCons's usual 2 (an `Exit()` in a
    /// function action or scanner).
    pub exit_status: Option<i32>,
    /// Dependency cycles met (each `a -> b -> ... -> a` as target paths, a node before the
    /// ones waiting for it); their tasks were not built.
    pub cycles: Vec<Vec<String>>,
    /// The tasks that failed, in order (`GetBuildFailures()`).
    pub failures: Vec<Failure>,
    /// An error that stopped the build outside any task (SCons reports it after the closing
    /// message): a `Pseudo()` target that exists once built.
    pub fatal: Option<String>,
    /// Every task the build looked at was taken as current on what the checker's stats show
    /// (settled), or is an alias or action-less task that is current because nothing was
    /// built: the whole outcome follows from those stats (see `proof`).
    pub proven_only: bool,
}

/// A failed task, as SCons's `BuildError` tells it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Failure {
    /// The first target.
    pub node: String,
    /// What followed `scons: *** [node] `.
    pub errstr: String,
    /// The command's exit status (`Error N`), else 2.
    pub status: i32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    Waiting,
    Running,
    Done,
    Failed,
}

#[derive(Clone)]
enum UnitKind {
    Task(TaskId),
    /// A folder goal, or a goal that is a source file: done when its inputs are.
    Goal {
        goal: usize,
        under: Vec<TaskId>,
    },
}

#[derive(Clone)]
struct Unit {
    kind: UnitKind,
    order: usize,
    waiting: usize,
    dependents: Vec<usize>,
    status: Status,
    blocked: bool,
    /// With `Progress()`: the nodes nothing builds that SCons evaluates just before this unit
    /// (its leaf inputs, a folder goal's plain entries), shown when it is evaluated.
    leaves: Vec<String>,
}

/// The units of a build as planned, before any is decided: watch mode's cycles plan the same
/// goals over the same graph, and start from a copy.
#[derive(Clone)]
pub struct Plan {
    units: Vec<Unit>,
    task_unit: Vec<Option<usize>>,
    next_order: usize,
    ready: BinaryHeap<Reverse<(usize, usize)>>,
    tree_goals: HashMap<usize, Vec<usize>>,
}

struct Job {
    unit: usize,
    result: Result<(), String>,
}

/// A task's commands, decided on and handed to the worker threads.
struct Work {
    unit: usize,
    actions: Vec<ActionRecord>,
    /// The old targets to remove and the folders to make before the commands run.
    remove: Vec<std::path::PathBuf>,
    folders: Vec<std::path::PathBuf>,
    copy_from: std::path::PathBuf,
    copy_to: std::path::PathBuf,
    top: std::path::PathBuf,
    env: std::collections::BTreeMap<String, String>,
    cwd: std::path::PathBuf,
    silent: bool,
    capture: bool,
}

impl Work {
    /// Run the commands (on a worker thread; on the main thread with `python` for a task with
    /// Python function actions).
    fn run(
        self,
        children: &Mutex<HashMap<usize, u32>>,
        python: Option<&dyn Fn(u64) -> Result<(), String>>,
    ) -> Job {
        for path in &self.remove {
            let _ = std::fs::remove_file(path);
        }
        for folder in &self.folders {
            let _ = std::fs::create_dir_all(folder);
        }
        let copy = (
            self.copy_from.as_path(),
            self.copy_to.as_path(),
            self.top.as_path(),
        );
        let result = run_actions(
            self.unit,
            &self.actions,
            copy,
            &self.env,
            &self.cwd,
            self.silent,
            self.capture,
            children,
            python,
        );
        Job {
            unit: self.unit,
            result,
        }
    }
}

/// The work waiting for a free worker thread. With more than one job, one task more than there
/// are workers is decided on ahead, so that a worker whose command ended starts the next at
/// once instead of waiting for this thread to wake up and decide it.
#[derive(Default)]
struct WorkQueue {
    /// The work waiting, and whether no more will come.
    items: Mutex<(std::collections::VecDeque<Work>, bool)>,
    ready: std::sync::Condvar,
    /// The build is stopping (a failure without `-k`, an interrupt): no more work starts, as
    /// with SCons, whose jobs never start once the build stops.
    halted: AtomicBool,
}

impl WorkQueue {
    fn push(&self, work: Work) {
        self.items.lock().unwrap().0.push_back(work);
        self.ready.notify_one();
    }

    /// The next work, waiting for it; `None` once the queue is closed.
    fn take(&self) -> Option<Work> {
        let mut items = self.items.lock().unwrap();
        loop {
            if items.1 {
                return None;
            }
            if !self.halted.load(Ordering::SeqCst) {
                if let Some(work) = items.0.pop_front() {
                    return Some(work);
                }
            }
            items = self.ready.wait(items).unwrap();
        }
    }

    fn halt(&self) {
        self.halted.store(true, Ordering::SeqCst);
    }

    /// Take back the work no worker has started.
    fn drain(&self) -> Vec<Work> {
        self.items.lock().unwrap().0.drain(..).collect()
    }

    fn close(&self) {
        self.items.lock().unwrap().1 = true;
        self.ready.notify_all();
    }
}

pub struct Scheduler<'g, 's> {
    /// With `DOCONS_TIMINGS`: when the build started (the plan and the first command are
    /// timed from it).
    timed: Option<std::time::Instant>,
    g: &'g mut Graph,
    /// Runs Python function actions; such tasks run on this (the main) thread.
    checker: Checker<'s>,
    calls: Option<&'s dyn FrontEndCalls>,
    opts: BuildOptions,
    goals: Vec<Goal>,
    units: Vec<Unit>,
    task_unit: Vec<Option<usize>>,
    next_order: usize,
    ready: BinaryHeap<Reverse<(usize, usize)>>,
    executed: HashSet<TaskId>,
    /// How many tasks' commands have ended.
    ended: usize,
    goal_nodes: HashMap<NodeId, bool>,
    /// Inputs recorded at decision time, for the record written when the task succeeds.
    pending_inputs: HashMap<TaskId, TaskInputs>,
    children: Arc<Mutex<HashMap<usize, u32>>>,
    /// Side effects of the tasks running now, and the ready units waiting for them.
    busy_side_effects: HashSet<NodeId>,
    waiting_side_effects: Vec<usize>,
    /// `--random`'s generator state.
    rng: u64,
    result: BuildResult,
    stop: bool,
    /// SCons's "pending children": units found unfinished when a unit waiting for them was
    /// considered (a cycle), in the order found.
    pending: Vec<usize>,
    /// `(include, includer)` pairs already warned about (`--warn=dependency`).
    warned_missing: HashSet<(String, String)>,
    progress: Option<Progress>,
    /// Leaves met while planning, for the next unit planned (see `Unit::leaves`).
    leaf_buffer: Vec<String>,
    /// With `--tree`: the goals (indices) each unit completes, and the inputs each task was
    /// judged on.
    tree_goals: HashMap<usize, Vec<usize>>,
    task_inputs: HashMap<TaskId, Vec<NodeId>>,
    /// Folders whose own actions already ran (or were shown) this run, when they were created
    /// for a target inside them.
    folders_made: HashSet<NodeId>,
    /// Tasks building a folder whose actions already ran that way: they do nothing more.
    nullified: HashSet<TaskId>,
}

use crate::transcript::{err, out};

/// An engine warning, as SCons prints one: a blank line, the message, then where it was given.
#[track_caller]
fn warn(msg: &str) {
    let at = std::panic::Location::caller();
    err(&format!(
        "\nscons: warning: {msg}\nFile \"{}\", line {}, in build",
        at.file(),
        at.line()
    ));
}

impl<'g, 's> Scheduler<'g, 's> {
    pub fn new(
        g: &'g mut Graph,
        state: &'s State,
        calls: Option<&'s dyn FrontEndCalls>,
        goals: Vec<Goal>,
        opts: BuildOptions,
    ) -> Self {
        let ntasks = g.tasks.len();
        let g_progress = g.progress.clone();
        let mut goal_nodes = HashMap::default();
        for goal in &goals {
            if let Goal::Node(n) = goal {
                goal_nodes.insert(*n, false);
            }
        }
        Scheduler {
            timed: std::env::var_os("DOCONS_TIMINGS").map(|_| std::time::Instant::now()),
            g,
            checker: Checker::new(state),
            calls,
            opts,
            goals,
            units: Vec::new(),
            task_unit: vec![None; ntasks],
            next_order: 0,
            ready: BinaryHeap::new(),
            executed: HashSet::default(),
            ended: 0,
            goal_nodes,
            pending_inputs: HashMap::default(),
            children: Arc::new(Mutex::new(HashMap::default())),
            busy_side_effects: HashSet::default(),
            waiting_side_effects: Vec::new(),
            rng: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64 | 1)
                .unwrap_or(0x9E37_79B9_7F4A_7C15),
            result: BuildResult::default(),
            stop: false,
            pending: Vec::new(),
            warned_missing: HashSet::default(),
            progress: g_progress.map(Progress::new),
            leaf_buffer: Vec::new(),
            tree_goals: HashMap::default(),
            task_inputs: HashMap::default(),
            folders_made: HashSet::default(),
            nullified: HashSet::default(),
        }
    }

    fn new_unit(&mut self, kind: UnitKind) -> usize {
        self.units.push(Unit {
            kind,
            order: usize::MAX,
            waiting: 0,
            dependents: Vec::new(),
            status: Status::Waiting,
            blocked: false,
            leaves: Vec::new(),
        });
        self.units.len() - 1
    }

    fn add_edge(&mut self, from: usize, to: usize) {
        if self.units[from].status == Status::Done || self.units[from].status == Status::Failed {
            if self.units[from].status == Status::Failed {
                self.units[to].blocked = true;
            }
            return;
        }
        self.units[from].dependents.push(to);
        self.units[to].waiting += 1;
    }

    /// Depth-first visit of a task: its inputs' producers first; returns its unit.
    fn visit_task(&mut self, t: TaskId) -> usize {
        if let Some(u) = self.task_unit[t] {
            return u;
        }
        let u = self.new_unit(UnitKind::Task(t));
        self.task_unit[t] = Some(u);
        let mut inputs = self.g.ordering_inputs(t);
        if self.opts.random {
            self.shuffle(&mut inputs);
        }
        for n in inputs {
            if self.g.producer[n].is_none() && self.progress.is_some() {
                self.leaf_buffer.push(self.g.nodes[n].path.clone());
            }
            if let Some(p) = self.g.producer[n] {
                let pu = self.visit_task(p);
                if self.units[pu].order == usize::MAX {
                    // Still being visited: a dependency cycle. As in SCons, `u` waits for it
                    // anyway (so neither is ever built) and it is reported after the build.
                    self.add_pending(pu);
                }
                self.add_edge(pu, u);
            }
        }
        self.units[u].leaves = std::mem::take(&mut self.leaf_buffer);
        self.units[u].order = self.next_order;
        self.next_order += 1;
        u
    }

    /// Fisher-Yates with a xorshift generator seeded from the clock (for `--random`).
    fn shuffle(&mut self, v: &mut [NodeId]) {
        for i in (1..v.len()).rev() {
            let mut x = self.rng;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.rng = x;
            v.swap(i, (x % (i as u64 + 1)) as usize);
        }
    }

    /// Visit a task named again at the top (a goal, or a folder goal's entry). SCons considers
    /// such a node again while it still waits, finding its inputs on a cycle pending once more.
    fn visit_top_task(&mut self, t: TaskId) -> usize {
        let Some(u) = self.task_unit[t] else {
            return self.visit_task(t);
        };
        if !self.pending.is_empty() {
            for n in self.g.ordering_inputs(t) {
                if let Some(pu) = self.g.producer[n].and_then(|p| self.task_unit[p]) {
                    if self.find_cycle(pu).is_some() {
                        self.add_pending(pu);
                    }
                }
            }
        }
        u
    }

    fn add_pending(&mut self, u: usize) {
        if !self.pending.contains(&u) {
            self.pending.push(u);
        }
    }

    /// SCons's cycle search: from `start` through the units waiting for it, back to `start`.
    fn find_cycle(&self, start: usize) -> Option<Vec<usize>> {
        fn walk(s: &Scheduler, stack: &mut Vec<usize>, seen: &mut HashSet<usize>) -> bool {
            let top = *stack.last().unwrap();
            if !seen.insert(top) {
                return false;
            }
            for &d in &s.units[top].dependents {
                stack.push(d);
                if d == stack[0] || walk(s, stack, seen) {
                    return true;
                }
                stack.pop();
            }
            false
        }
        let mut stack = vec![start];
        walk(self, &mut stack, &mut HashSet::default()).then_some(stack)
    }

    /// The cycles through the pending units still unbuilt, as target paths.
    fn cycles(&self) -> Vec<Vec<String>> {
        let name = |u: usize| match self.units[u].kind {
            UnitKind::Task(t) => self.g.nodes[self.g.tasks[t].rec.targets[0]].path.clone(),
            UnitKind::Goal { .. } => String::new(),
        };
        self.pending
            .iter()
            .filter(|&&u| self.units[u].status == Status::Waiting)
            .filter_map(|&u| self.find_cycle(u))
            .map(|c| c.into_iter().map(name).collect())
            .collect()
    }

    fn visit_dir(&mut self, dir: &str, under: &mut Vec<TaskId>, deps: &mut Vec<usize>) {
        let progress = self.progress.is_some();
        let entries = if progress {
            self.g.entries_with_scripts(dir)
        } else {
            self.g.dir_entries(dir)
        };
        for entry in entries {
            let mut built = false;
            if let Some(n) = self.g.lookup(&entry) {
                if let Some(p) = self.g.producer[n] {
                    deps.push(self.visit_top_task(p));
                    under.push(p);
                    built = true;
                }
            }
            if entry != dir && self.g.is_known_dir(&entry) {
                self.visit_dir(&entry, under, deps);
            }
            if progress && !built {
                self.leaf_buffer.push(entry);
            }
        }
    }

    /// `--tree`: a node's children are its declared inputs, what the scanners found, then the
    /// commands' executables.
    fn keep_tree_inputs(&mut self, t: TaskId, inputs: &[NodeId]) {
        let exes = &self.g.tasks[t].rec.implicit;
        let mut children: Vec<NodeId> = inputs
            .iter()
            .copied()
            .filter(|n| !exes.contains(n))
            .collect();
        children.extend(exes.iter().copied().filter(|n| inputs.contains(n)));
        self.task_inputs.insert(t, children);
    }

    /// `--tree`: scan the tasks below `roots` that were not evaluated (the build stopped), as
    /// SCons scans a node to print its children.
    fn scan_for_tree(&mut self, roots: Vec<NodeId>) {
        let mut stack = roots;
        let mut seen = HashSet::default();
        while let Some(n) = stack.pop() {
            let Some(t) = self.g.producer.get(n).copied().flatten() else {
                continue;
            };
            if !seen.insert(t) {
                continue;
            }
            if !self.task_inputs.contains_key(&t) {
                let mut inputs = self.g.declared_inputs(t);
                let scan = self.checker.scan(self.g, t, &|_| true);
                for m in self.g.tasks[t].rec.implicit.iter().chain(&scan.implicit) {
                    if !inputs.contains(m) {
                        inputs.push(*m);
                    }
                }
                self.keep_tree_inputs(t, &inputs);
            }
            stack.extend(self.task_inputs[&t].iter().copied());
        }
    }

    /// `--tree`: unit `u` is done; print the trees of the goals it completes.
    fn print_trees(&mut self, u: usize) {
        let Some(goals) = self.tree_goals.remove(&u) else {
            return;
        };
        let mut roots = Vec::new();
        for &gi in &goals {
            match self.goals[gi].inner() {
                Goal::Node(n) => roots.push(*n),
                Goal::Dir(d) => {
                    let mut dirs = vec![d.clone()];
                    while let Some(d) = dirs.pop() {
                        for e in self.g.entries_with_scripts(&d) {
                            roots.extend(self.g.lookup(&e));
                            if e != d && self.g.is_known_dir(&e) {
                                dirs.push(e);
                            }
                        }
                    }
                }
                Goal::Reflected(_) => {}
            }
        }
        self.scan_for_tree(roots);
        let units = &self.units;
        let task_unit = &self.task_unit;
        let (executed, no_exec) = (&self.executed, self.opts.no_exec);
        // (with -n, what would have been built is not current)
        let current = |t: TaskId| {
            task_unit[t].is_some_and(|tu| units[tu].status == Status::Done)
                && !(no_exec && executed.contains(&t))
        };
        let view = crate::tree::View {
            g: self.g,
            inputs: &self.task_inputs,
            current: &current,
        };
        let mut text = String::new();
        for gi in goals {
            let root = match self.goals[gi].inner() {
                Goal::Node(n) => crate::tree::Item::Node(*n),
                Goal::Dir(d) => crate::tree::Item::Dir(d.clone()),
                Goal::Reflected(_) => continue,
            };
            for opts in &self.opts.tree {
                text.push_str(&view.render(&root, opts));
            }
        }
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(text.as_bytes());
        let _ = o.flush();
    }

    /// With `Progress()`: show `path` as evaluated now.
    fn progress_node(&mut self, path: &str) {
        if let Some(p) = &mut self.progress {
            p.node(path, self.calls);
        }
    }

    /// With `Progress()`: unit `u` is evaluated: first the leaves SCons evaluates before it.
    fn progress_leaves(&mut self, u: usize) {
        if self.progress.is_some() {
            for path in std::mem::take(&mut self.units[u].leaves) {
                self.progress_node(&path);
            }
        }
    }

    /// Task `t` is prepared with `inputs`: kept for `--tree`; with `Progress()`, its inputs
    /// nothing builds (those the scanners found included), then its targets.
    fn progress_task(&mut self, t: TaskId, inputs: &[NodeId]) {
        if !self.opts.tree.is_empty() {
            self.keep_tree_inputs(t, inputs);
        }
        if self.progress.is_none() {
            return;
        }
        for &n in inputs {
            if self.g.producer[n].is_none() {
                let path = self.g.nodes[n].path.clone();
                self.progress_node(&path);
            }
        }
        for n in self.g.tasks[t].rec.targets.clone() {
            let path = self.g.nodes[n].path.clone();
            self.progress_node(&path);
        }
    }

    fn plan(&mut self) {
        for gi in 0..self.goals.len() {
            match self.goals[gi].inner().clone() {
                Goal::Node(n) => match self.g.producer[n] {
                    Some(p) => {
                        let u = self.visit_top_task(p);
                        self.tree_goals.entry(u).or_default().push(gi);
                    }
                    None => {
                        // a node nothing builds: its Depends() are built first
                        let mut deps = Vec::new();
                        for d in self.g.nodes[n].depends().to_vec() {
                            if let Some(p) = self.g.producer[d] {
                                deps.push(self.visit_task(p));
                            }
                        }
                        let u = self.new_unit(UnitKind::Goal {
                            goal: gi,
                            under: Vec::new(),
                        });
                        for du in deps {
                            self.add_edge(du, u);
                        }
                        self.units[u].leaves = std::mem::take(&mut self.leaf_buffer);
                        self.tree_goals.entry(u).or_default().push(gi);
                        self.units[u].order = self.next_order;
                        self.next_order += 1;
                    }
                },
                Goal::Dir(d) => {
                    let mut under = Vec::new();
                    let mut deps = Vec::new();
                    self.visit_dir(&d, &mut under, &mut deps);
                    let u = self.new_unit(UnitKind::Goal { goal: gi, under });
                    for du in deps {
                        self.add_edge(du, u);
                    }
                    self.units[u].leaves = std::mem::take(&mut self.leaf_buffer);
                    self.tree_goals.entry(u).or_default().push(gi);
                    self.units[u].order = self.next_order;
                    self.next_order += 1;
                }
                Goal::Reflected(_) => unreachable!("inner() unwraps reflected goals"),
            }
        }
        for u in 0..self.units.len() {
            if self.units[u].waiting == 0 {
                self.ready.push(Reverse((self.units[u].order, u)));
            }
        }
    }

    /// Can the plan just made serve another build of the same goals? (A plan that met a cycle
    /// or drew lots is made afresh each time.)
    fn plan_reusable(&self) -> bool {
        self.pending.is_empty() && !self.opts.random
    }

    /// Stop starting tasks once the build is interrupted (and pass the interrupt on to the
    /// running children); true when the build is stopping, for whatever reason.
    fn check_interrupt(&mut self, interrupted: &AtomicBool) -> bool {
        self.stop_if_escaped();
        if interrupted.load(Ordering::SeqCst) {
            self.result.interrupted = true;
            self.stop = true;
            for pid in self.children.lock().unwrap().values() {
                unsafe {
                    libc::kill(*pid as i32, libc::SIGINT);
                }
            }
        }
        self.stop
    }

    /// A kept part of the graph met a path outside it (see `Graph::escaped`): start nothing
    /// more (the build starts again on the whole graph once the running tasks end), and judge
    /// no task on the part; true then.
    fn stop_if_escaped(&mut self) -> bool {
        let escaped = self.g.escaped().is_some();
        self.stop |= escaped;
        escaped
    }

    /// Plan (or start from `planned`, the same plan made earlier), then build; the plan is
    /// left in `planned` for the next build with `keep_plan`.
    fn drive(&mut self, interrupted: &AtomicBool, planned: &mut Option<Plan>) {
        let keep = self.opts.keep_plan;
        let given = match keep {
            true => planned.clone(),
            false => planned.take(),
        };
        match given {
            Some(p) => {
                self.units = p.units;
                self.task_unit = p.task_unit;
                self.next_order = p.next_order;
                self.ready = p.ready;
                self.tree_goals = p.tree_goals;
            }
            None => {
                self.plan();
                if keep && self.plan_reusable() {
                    *planned = Some(Plan {
                        units: self.units.clone(),
                        task_unit: self.task_unit.clone(),
                        next_order: self.next_order,
                        ready: self.ready.clone(),
                        tree_goals: self.tree_goals.clone(),
                    });
                }
            }
        }
        self.timing("planned");
        // The planned tasks not known current have their includes scanned ahead, on the
        // other cores, while this thread goes through them in order.
        let judged: Vec<TaskId> = self
            .units
            .iter()
            .filter_map(|u| match u.kind {
                UnitKind::Task(t) if !self.checker.settled.contains(&t) => Some(t),
                _ => None,
            })
            .collect();
        let ahead = crate::prescan::roots(self.g, judged.iter().copied());
        // (a few such tasks have their records and their inputs' stamps read ahead instead)
        let reads = crate::prescan::reads(self.g, &judged);
        let state = self.checker.state;
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            if let Some(roots) = ahead {
                let stop = &stop;
                scope.spawn(move || crate::prescan::run(roots, state, stop));
            }
            if let Some(reads) = reads {
                let stop = &stop;
                scope.spawn(move || crate::prescan::warm(reads, state, stop));
            }
            self.run_planned(interrupted);
            stop.store(true, Ordering::Relaxed);
        });
        self.result.cycles = self.cycles();
        self.note_proven_only();
    }

    /// Start the ready units in order, as many at once as `-j` allows, until all are done.
    fn run_planned(&mut self, interrupted: &AtomicBool) {
        let (tx, rx) = mpsc::channel::<Job>();
        let queue = Arc::new(WorkQueue::default());
        let halt_on_failure = !self.opts.keep_going && !self.opts.ignore_errors;
        let workers: Vec<_> = (0..self.opts.jobs.max(1))
            .map(|_| {
                let (queue, tx, children) =
                    (Arc::clone(&queue), tx.clone(), Arc::clone(&self.children));
                std::thread::spawn(move || {
                    while let Some(work) = queue.take() {
                        let job = work.run(&children, None);
                        if job.result.is_err() && halt_on_failure {
                            queue.halt();
                        }
                        let _ = tx.send(job);
                    }
                })
            })
            .collect();
        // Units handed to the workers: running, or decided on and waiting in the queue.
        let mut handed = 0usize;
        let ahead = usize::from(self.opts.jobs > 1);
        loop {
            self.check_interrupt(interrupted);
            if self.stop {
                queue.halt();
                for work in queue.drain() {
                    self.take_back(work);
                    handed -= 1;
                }
            }
            handed = self.start_ready(handed, self.opts.jobs + ahead, interrupted, &queue);
            if handed == 0 && (self.ready.is_empty() || self.stop) {
                break;
            }
            if handed > 0 {
                match rx.recv_timeout(Duration::from_millis(100)) {
                    Ok(job) => {
                        handed -= 1;
                        self.children.lock().unwrap().remove(&job.unit);
                        for n in self.side_effects(job.unit) {
                            self.busy_side_effects.remove(&n);
                        }
                        for w in std::mem::take(&mut self.waiting_side_effects) {
                            self.ready.push(Reverse((self.units[w].order, w)));
                        }
                        self.finish_job(job);
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
        }
        queue.close();
        for worker in workers {
            let _ = worker.join();
        }
    }

    /// A unit decided on but not started when the build stopped: as if never reached.
    fn take_back(&mut self, work: Work) {
        let u = work.unit;
        if let UnitKind::Task(t) = self.units[u].kind {
            self.executed.remove(&t);
            self.pending_inputs.remove(&t);
        }
        for n in self.side_effects(u) {
            self.busy_side_effects.remove(&n);
        }
        self.units[u].status = Status::Waiting;
    }

    /// Hand ready units in order to the workers while fewer than `most` are handed (`handed`
    /// now); how many are then.
    fn start_ready(
        &mut self,
        mut handed: usize,
        most: usize,
        interrupted: &AtomicBool,
        queue: &WorkQueue,
    ) -> usize {
        // (checked again before each start: a function action run here, on the main
        // thread, may itself have interrupted the build through the SIGINT handler)
        while handed < most && !self.check_interrupt(interrupted) {
            let Some(Reverse((_, u))) = self.ready.pop() else {
                break;
            };
            if self.units[u].status != Status::Waiting {
                continue;
            }
            let side_effects = self.side_effects(u);
            if side_effects
                .iter()
                .any(|n| self.busy_side_effects.contains(n))
            {
                // A task sharing a side effect is running: wait until it ends.
                self.waiting_side_effects.push(u);
                continue;
            }
            if self.evaluate(u, queue) {
                handed += 1;
                self.busy_side_effects.extend(side_effects);
            }
        }
        handed
    }

    /// What the build found: see `BuildResult::proven_only`.
    fn note_proven_only(&mut self) {
        self.result.proven_only = self.executed.is_empty()
            && !self.result.errors
            && self.result.cycles.is_empty()
            && self.units.iter().all(|unit| match unit.kind {
                UnitKind::Goal { .. } => unit.status == Status::Done,
                UnitKind::Task(t) => {
                    let actionless = self.g.tasks[t].details().actions.is_empty();
                    unit.status == Status::Done
                        && (self.checker.settled.contains(&t)
                            || (actionless || self.g.builds_aliases(t)) && !self.g.builds_folder(t))
                }
            });
    }

    /// With `DOCONS_TIMINGS`, say how long the build has taken to get to `what` (once each).
    fn timing(&mut self, what: &str) {
        if let Some(t) = self.timed {
            eprintln!(
                "docons: build: {what} after {:.1} ms",
                t.elapsed().as_secs_f64() * 1e3
            );
            if what != "planned" {
                self.timed = None;
            }
        }
    }

    /// The side effects of unit `u`'s task (none for a goal).
    fn side_effects(&self, u: usize) -> Vec<NodeId> {
        match self.units[u].kind {
            UnitKind::Task(t) => self.g.tasks[t].rec.side_effects.clone(),
            UnitKind::Goal { .. } => Vec::new(),
        }
    }

    /// Was one of these inputs built in this run?
    fn an_input_was_built(&self, inputs: &[NodeId]) -> bool {
        inputs
            .iter()
            .any(|&n| self.g.producer[n].is_some_and(|p| self.executed.contains(&p)))
    }

    /// Is one of task `t`'s targets `AlwaysBuild`?
    fn always_built(&self, t: TaskId) -> bool {
        self.g.tasks[t]
            .rec
            .targets
            .iter()
            .any(|&n| self.g.nodes[n].always_build)
    }

    /// Task `t` (unit `u`) is current: say so for its named targets, and go on.
    fn finish_current(&mut self, u: usize, t: TaskId) {
        for n in self.g.tasks[t].rec.targets.clone() {
            self.up_to_date_message(n);
        }
        self.units[u].status = Status::Done;
        self.release(u);
    }

    fn release(&mut self, u: usize) {
        if let UnitKind::Task(t) = self.units[u].kind {
            // Done tasks that were judged on their inputs are current for the next build of
            // this session; anything else is looked at again.
            if self.units[u].status == Status::Done
                && !self.opts.no_exec
                && !self.opts.question
                && !self.opts.ignore_errors
                && self.checker.inputs_of.contains_key(&t)
                && !self.always_built(t)
            {
                self.checker.settled.insert(t);
            } else {
                self.checker.settled.remove(&t);
            }
        }
        if self.units[u].status == Status::Done && !self.opts.tree.is_empty() {
            self.print_trees(u);
        }
        let failed = self.units[u].status == Status::Failed;
        for d in std::mem::take(&mut self.units[u].dependents) {
            if failed {
                self.units[d].blocked = true;
            }
            self.units[d].waiting -= 1;
            if self.units[d].waiting == 0 && self.units[d].status == Status::Waiting {
                self.ready.push(Reverse((self.units[d].order, d)));
            }
        }
    }

    fn fail(&mut self, u: usize) {
        self.units[u].status = Status::Failed;
        self.result.errors = true;
        if !self.opts.tree.is_empty() {
            // SCons prints the tree of the failed goal, or (when the failure stops the build)
            // of the goal being built.
            let goal_unit = if self.tree_goals.contains_key(&u) || self.opts.keep_going {
                Some(u)
            } else {
                self.tree_goals
                    .iter()
                    .min_by_key(|(_, goals)| goals.first().copied())
                    .map(|(&gu, _)| gu)
            };
            if let Some(gu) = goal_unit {
                self.print_trees(gu);
            }
        }
        if !self.opts.keep_going {
            self.stop = true;
        }
        self.release(u);
    }

    /// A task for `target` failed with `msg`: say so as SCons does, and keep it for
    /// `GetBuildFailures()`.
    fn task_error(&mut self, target: &str, msg: &str) {
        err(&format!("scons: *** [{target}] {msg}"));
        // (as in SCons, the last failure's status is the build's: 2 unless an Exit())
        self.result.exit_status = None;
        let status = msg
            .strip_prefix("Error ")
            .and_then(|c| c.parse().ok())
            .unwrap_or(2);
        self.result.failures.push(Failure {
            node: target.to_owned(),
            errstr: msg.to_owned(),
            status,
        });
    }

    /// After a Python callback failed: was it an `Exit()`? Its status becomes the build's.
    fn explicit_exit(&mut self) -> bool {
        match self.calls.and_then(|c| c.explicit_exit()) {
            Some(code) => {
                self.result.exit_status = Some(code);
                if let Some(f) = self.result.failures.last_mut() {
                    f.status = code;
                }
                true
            }
            None => false,
        }
    }

    fn up_to_date_message(&mut self, n: NodeId) {
        if let Some(printed) = self.goal_nodes.get_mut(&n) {
            // A named file nothing builds, or an alias never given sources (SCons gives it no
            // builder), is "nothing to do" (printed even with -s); a built one is "up to date".
            let source_file = match self.g.producer[n] {
                None => self.g.nodes[n].kind == scons_api::NodeKind::File,
                Some(p) => {
                    let rec = &self.g.tasks[p].rec;
                    self.g.nodes[n].kind == scons_api::NodeKind::Alias
                        && rec.sources.is_empty()
                        && self.g.tasks[p].details().actions.is_empty()
                }
            };
            if !*printed && !self.opts.question && (source_file || !self.opts.silent) {
                *printed = true;
                let path = &self.g.nodes[n].path;
                if source_file {
                    out(&format!("scons: Nothing to be done for `{path}'."));
                } else {
                    out(&format!("scons: `{path}' is up to date."));
                }
            }
        }
    }

    /// Decide a ready unit. Returns true when a job was started.
    fn evaluate(&mut self, u: usize, queue: &WorkQueue) -> bool {
        if self.units[u].blocked {
            self.units[u].status = Status::Failed;
            self.release(u);
            return false;
        }
        self.progress_leaves(u);
        let t = match &self.units[u].kind {
            UnitKind::Goal { goal, under } => {
                let goal = self.goals[*goal].clone();
                let any_executed = under.iter().any(|t| self.executed.contains(t));
                match goal.inner() {
                    Goal::Dir(d) => self.progress_node(d),
                    Goal::Node(n) => {
                        let path = self.g.nodes[*n].path.clone();
                        self.progress_node(&path);
                    }
                    Goal::Reflected(_) => {}
                }
                match goal {
                    Goal::Dir(d) => {
                        if !any_executed && !self.opts.silent && !self.opts.question {
                            out(&format!("scons: `{d}' is up to date."));
                        }
                    }
                    Goal::Node(n) => {
                        self.checker.forget(n);
                        let node = &self.g.nodes[n];
                        if self.g.producer[n].is_none()
                            && node.kind == NodeKind::File
                            && !node.depends().is_empty()
                            && !self.checker.exists(self.g, n)
                        {
                            // SCons judges a goal nothing builds after its children are built
                            let stop = if self.opts.keep_going { "" } else { "  Stop." };
                            err(&format!(
                                "scons: *** Do not know how to make File target `{}' ({}).{stop}",
                                node.path,
                                node.abs.display()
                            ));
                            self.fail(u);
                            return false;
                        }
                        self.up_to_date_message(n)
                    }
                    Goal::Reflected(_) => {}
                }
                self.units[u].status = Status::Done;
                self.release(u);
                return false;
            }
            UnitKind::Task(t) => *t,
        };
        // Known current since the last build (of this session, or proven by the last run), with
        // nothing it uses changed since and nothing it uses built in this run.
        if self.checker.settled.contains(&t) {
            let inputs = self.checker.inputs_of.get(&t).cloned().unwrap_or_default();
            let ran = !self.executed.is_empty();
            let moment = self.executed.len() + self.ended;
            let links_same = !ran || self.checker.links_unchanged(self.g, &inputs, moment);
            if links_same && !self.an_input_was_built(&inputs) {
                self.progress_task(t, &inputs);
                self.finish_current(u, t);
                return false;
            }
            // Judged afresh: what was known of the inputs built in this run may be older
            // than their building (the stats of a proof are taken before the build starts).
            for &n in &inputs {
                if self.g.producer[n].is_some_and(|p| self.executed.contains(&p)) {
                    self.checker.forget(n);
                }
            }
            self.checker.settled.remove(&t);
        }
        // Every source must exist or be built.
        let declared = self.g.declared_inputs(t);
        for &n in &declared {
            let node = &self.g.nodes[n];
            if self.g.producer[n].is_none()
                && node.kind == NodeKind::File
                && !self.checker.exists(self.g, n)
            {
                let target = self.g.nodes[self.g.tasks[t].rec.targets[0]].path.clone();
                let msg = format!(
                    "Source `{}' not found, needed by target `{target}'.",
                    self.g.nodes[n].path
                );
                self.task_error(&target, &msg);
                self.fail(u);
                return false;
            }
        }
        // An alias (or a side effect: a task without actions) is current unless one of its own
        // inputs was just built (SCons judges it by its children's state, not by a stored record).
        if self.g.tasks[t].details().actions.is_empty() {
            self.progress_task(t, &declared);
        }
        let task = &self.g.tasks[t];
        let alias_task = self.g.builds_aliases(t);
        if task.details().actions.is_empty() || alias_task {
            let rebuilt = self.an_input_was_built(&declared);
            // An alias with actions runs them like any task when it is not current.
            let runs = !task.details().actions.is_empty() && (rebuilt || self.always_built(t));
            if !runs {
                if rebuilt {
                    self.executed.insert(t);
                    self.units[u].status = Status::Done;
                    self.release(u);
                } else {
                    self.finish_current(u, t);
                }
                return false;
            }
        }
        // A folder that a task builds is judged as SCons judges a directory: out of date when
        // it does not exist or when something inside it (an input) was just built.
        let task = &self.g.tasks[t];
        let dir_task = self.g.builds_folder(t);
        if dir_task {
            let missing = task
                .rec
                .targets
                .iter()
                .any(|&n| !self.g.nodes[n].abs.is_dir());
            if !missing && !self.an_input_was_built(&declared) && !self.always_built(t) {
                self.finish_current(u, t);
                return false;
            }
        }
        let Some(inputs) = self.gather_inputs(u, t, declared) else {
            return false; // waits for a generated input, or failed
        };
        // Remember what the task is judged on: a later build of this session (watch mode) may
        // take it as current while none of these changed.
        self.checker.inputs_of.insert(t, inputs.nodes.clone());
        self.checker.judged.insert(t);
        self.checker
            .targets_of
            .insert(t, self.g.tasks[t].rec.targets.clone());
        self.progress_task(t, &inputs.nodes);
        let decided = self.decide(t, &inputs);
        let decided = match decided {
            Ok(None) if dir_task => Ok(Some(format!(
                "`{}' is being rebuilt: a file inside it changed",
                self.g.nodes[self.g.tasks[t].rec.targets[0]].path
            ))),
            other => other,
        };
        let reason = match decided {
            // an alias has no record: it runs whenever it got here
            Ok(None) if alias_task => Some(format!(
                "Cannot explain why `{}' is being rebuilt: No previous build information found",
                self.g.nodes[self.g.tasks[t].rec.targets[0]].path
            )),
            Ok(r) => r,
            Err(e) => {
                let target = self.g.nodes[self.g.tasks[t].rec.targets[0]].path.clone();
                self.task_error(&target, &e);
                self.fail(u);
                return false;
            }
        };
        let Some(reason) = reason else {
            self.units[u].status = Status::Done;
            if !self.opts.no_exec && !self.opts.question {
                self.checker.restore_up_to_date(self.g, t, &inputs);
            }
            if self.opts.cache.force {
                cachedir::push(self.g, t, &inputs, &self.opts.cache);
            }
            for n in self.g.tasks[t].rec.targets.clone() {
                self.up_to_date_message(n);
            }
            self.release(u);
            return false;
        };
        self.executed.insert(t);
        self.result.stale = true;
        if self.opts.question {
            self.units[u].status = Status::Done;
            self.release(u);
            return false;
        }
        if self.opts.explain {
            out(&format!("scons: {reason}"));
        }
        if self.nullified.contains(&t) {
            // its actions ran when a target inside the folder needed it
            if !self.opts.no_exec {
                self.record_success(t, &inputs);
            }
            self.units[u].status = Status::Done;
            self.release(u);
            return false;
        }
        if let Err((dir, what)) = self.make_target_folders(t) {
            err(&format!("scons: *** [{dir}] {what}"));
            self.fail(u);
            return false;
        }
        if cachedir::retrieve(self.g, t, &inputs, &self.opts, &mut self.checker) {
            if !self.opts.no_exec {
                self.record_success(t, &inputs);
            }
            self.units[u].status = Status::Done;
            self.release(u);
            return false;
        }
        let task = &self.g.tasks[t];
        if self.opts.no_exec {
            if !self.opts.silent {
                for a in &task.details().actions {
                    if !a.show().is_empty() {
                        out(a.show());
                        if !a.after().is_empty() {
                            out(a.after());
                        }
                    }
                }
            }
            self.units[u].status = Status::Done;
            self.release(u);
            return false;
        }
        // Prepare: forget the old records; the old targets are removed and the folders made
        // just before the commands run.
        let (mut remove, mut folders) = (Vec::new(), Vec::new());
        for &n in &task.rec.targets {
            let node = &self.g.nodes[n];
            self.checker.state.forget_target(&node.path);
            if node.kind == NodeKind::File {
                if !node.precious {
                    remove.push(node.abs.clone());
                }
                if let Some(parent) = node.abs.parent() {
                    folders.push(parent.to_path_buf());
                }
            }
        }
        self.pending_inputs.insert(t, inputs);
        let abs_of = |ids: &[NodeId]| {
            ids.first()
                .map(|&n| self.g.nodes[n].abs.clone())
                .unwrap_or_default()
        };
        let work = Work {
            unit: u,
            actions: task.details().actions.clone(),
            remove,
            folders,
            copy_from: abs_of(&task.rec.sources),
            copy_to: abs_of(&task.rec.targets),
            top: self.g.top.clone(),
            env: task.details().env.clone(),
            cwd: match &task.details().chdir {
                Some(d) => crate::graph::normalize(&self.g.top, std::path::Path::new(d)),
                None => self.g.top.clone(),
            },
            silent: self.opts.silent,
            capture: self.opts.jobs > 1,
        };
        self.units[u].status = Status::Running;
        let has_python = work
            .actions
            .iter()
            .any(|a| matches!(a, ActionRecord::Python { .. }));
        if has_python {
            // The interpreter is not Send: run the whole task here, on the main thread.
            let paths = |ids: &[NodeId]| -> Vec<String> {
                ids.iter().map(|&n| self.g.nodes[n].path.clone()).collect()
            };
            let (targets, sources) = (paths(&task.rec.targets), paths(&task.rec.sources));
            let calls = self.calls;
            let run_python = |id: u64| match calls {
                Some(p) => p.run_action(id, &targets, &sources),
                None => Err("no Python interpreter to run a function action".to_owned()),
            };
            let job = Work {
                capture: false,
                ..work
            }
            .run(&self.children, Some(&run_python));
            self.finish_job(job);
            return false;
        }
        self.timing("a command starts");
        queue.push(work);
        true
    }

    /// SCons's `_createDir` for the file targets of task `t` that do not exist: create each
    /// missing folder above them, top down; a folder that has actions of its own (a task
    /// building it, or `AddPreAction`/`AddPostAction` on it) gets them run first, once a run,
    /// and its task does nothing more later. Under `-n` the actions are only shown.
    /// `Err((folder, message))`: a folder's action failed.
    fn make_target_folders(&mut self, t: TaskId) -> Result<(), (String, String)> {
        let mut missing = Vec::new();
        for &n in &self.g.tasks[t].rec.targets {
            let node = &self.g.nodes[n];
            if node.kind != NodeKind::File || node.abs.symlink_metadata().is_ok() {
                continue;
            }
            let mut chain = Vec::new();
            let mut dir = node.abs.parent();
            while let Some(d) = dir {
                if d.exists() {
                    break;
                }
                chain.push(d.to_path_buf());
                dir = d.parent();
            }
            chain.reverse();
            for d in chain {
                if !missing.contains(&d) {
                    missing.push(d);
                }
            }
        }
        for d in missing {
            let path = crate::graph::top_relative(&self.g.top, &d);
            let Some(dn) = self.g.lookup(&path) else {
                continue;
            };
            if self.g.nodes[dn].kind != NodeKind::Dir || !self.folders_made.insert(dn) {
                continue;
            }
            let builder = self.g.producer[dn].filter(|&p| {
                self.g.builds_folder(p)
                    && !self.nullified.contains(&p)
                    && self.task_unit[p].is_none_or(|pu| self.units[pu].status == Status::Waiting)
            });
            let (before, after, p) = match builder {
                Some(p) => (
                    self.g.tasks[p].details().actions.clone(),
                    Vec::new(),
                    Some(p),
                ),
                None => {
                    let (pre, post) = self.g.nodes[dn].folder_actions();
                    (pre.to_vec(), post.to_vec(), None)
                }
            };
            if before.is_empty() && after.is_empty() {
                continue;
            }
            if let Some(p) = p {
                self.nullified.insert(p);
                self.executed.insert(p);
            }
            let task = p.map(|p| &self.g.tasks[p].rec);
            let details = p.map(|p| self.g.tasks[p].details());
            let env = details.map(|d| d.env.clone()).unwrap_or_default();
            let cwd = match details.and_then(|d| d.chdir.as_ref()) {
                Some(c) => crate::graph::normalize(&self.g.top, std::path::Path::new(c)),
                None => self.g.top.clone(),
            };
            let sources: Vec<String> = task
                .map(|r| {
                    r.sources
                        .iter()
                        .map(|&n| self.g.nodes[n].path.clone())
                        .collect()
                })
                .unwrap_or_default();
            let targets = vec![path.clone()];
            let calls = self.calls;
            let run_python = |id: u64| match calls {
                Some(c) => c.run_action(id, &targets, &sources),
                None => Err("no Python interpreter to run a function action".to_owned()),
            };
            for (i, actions) in [before, after].iter().enumerate() {
                if i == 1 && !self.opts.no_exec {
                    let _ = std::fs::create_dir_all(&d);
                }
                if self.opts.no_exec {
                    if !self.opts.silent {
                        for a in actions {
                            if !a.show().is_empty() {
                                out(a.show());
                                if !a.after().is_empty() {
                                    out(a.after());
                                }
                            }
                        }
                    }
                    continue;
                }
                let top = self.g.top.clone();
                let copy = (std::path::Path::new(""), d.as_path(), top.as_path());
                run_actions(
                    usize::MAX,
                    actions,
                    copy,
                    &env,
                    &cwd,
                    self.opts.silent,
                    false,
                    &self.children,
                    Some(&run_python),
                )
                .map_err(|e| (path.clone(), e))?;
            }
        }
        Ok(())
    }

    /// Record every target of task `t` as built from `inputs`.
    fn record_success(&mut self, t: TaskId, inputs: &TaskInputs) {
        for n in self.g.tasks[t].rec.targets.clone() {
            if self.g.nodes[n].kind == NodeKind::Alias {
                continue; // SCons keeps no record of an alias
            }
            let rec = self.checker.record_for(self.g, t, n, inputs);
            self.checker.state.set_target(&self.g.nodes[n].path, rec);
        }
    }

    /// Make unit `u` wait for the tasks that build `nodes` and are not done; true if it waits.
    fn wait_for(&mut self, u: usize, nodes: &[NodeId]) -> bool {
        let mut waits = false;
        for &n in nodes {
            if let Some(p) = self.g.producer[n] {
                let pu = self.visit_task(p);
                if self.units[pu].status == Status::Waiting
                    || self.units[pu].status == Status::Running
                {
                    self.units[pu].dependents.push(u);
                    self.units[u].waiting += 1;
                    waits = true;
                    // SCons visits a newly found child right away, before the next sibling.
                    let order = self.units[u].order;
                    self.promote(pu, order);
                    if self.units[pu].waiting == 0 && self.units[pu].status == Status::Waiting {
                        self.ready.push(Reverse((self.units[pu].order, pu)));
                    }
                }
            }
        }
        waits
    }

    /// Give waiting unit `u` and the tasks it waits for the priority `order` (when earlier).
    fn promote(&mut self, u: usize, order: usize) {
        if self.units[u].order <= order || self.units[u].status != Status::Waiting {
            return;
        }
        self.units[u].order = order;
        if self.units[u].waiting == 0 {
            self.ready.push(Reverse((order, u)));
        }
        let UnitKind::Task(t) = self.units[u].kind else {
            return;
        };
        for n in self.g.ordering_inputs(t) {
            if let Some(cu) = self.g.producer[n].and_then(|p| self.task_unit[p]) {
                self.promote(cu, order);
            }
        }
    }

    /// Is node `n` ready to be read: a source, or built in this run?
    fn done_fn(&self) -> impl Fn(NodeId) -> bool + '_ {
        move |n: NodeId| match self.g.producer.get(n).copied().flatten() {
            None => true,
            Some(p) => self.task_unit[p]
                .map(|pu| self.units[pu].status == Status::Done)
                .unwrap_or(false),
        }
    }

    /// All inputs of task `t` in SCons's order: the declared ones, the commands' executables,
    /// then what the scanners find (or, with `--implicit-cache`, what was recorded). `None` when
    /// the unit must first wait for a generated input (it is evaluated again later) or failed.
    fn gather_inputs(&mut self, u: usize, t: TaskId, declared: Vec<NodeId>) -> Option<TaskInputs> {
        let rec = &self.g.tasks[t].rec;
        let n_sources = declared
            .iter()
            .take_while(|n| rec.sources.contains(n))
            .count();
        let mut inputs = TaskInputs {
            n_sources,
            n_depends: declared.len() - n_sources,
            nodes: declared,
            records: Vec::new(),
        };
        for &n in &rec.implicit {
            if !inputs.nodes.contains(&n) {
                inputs.nodes.push(n);
            }
        }
        if self.opts.implicit_cache && !self.opts.implicit_deps_changed {
            let first = self.g.nodes[rec.targets[0]].path.clone();
            if let Some(old) = self.checker.state.target(&first) {
                let skip = old.n_sources + old.n_depends;
                let mut cached = inputs.clone();
                let mut unbuilt = Vec::new();
                for r in old.inputs.iter().skip(skip) {
                    let n = self.g.file_node(&r.path);
                    if !cached.nodes.contains(&n) {
                        cached.nodes.push(n);
                        if !self.done_fn()(n) {
                            unbuilt.push(n);
                        }
                    }
                }
                if self.stop_if_escaped() || self.wait_for(u, &unbuilt) {
                    return None;
                }
                cached.records = self.checker.input_records(self.g, &cached.nodes);
                if self.opts.implicit_deps_unchanged || matches!(self.decide(t, &cached), Ok(None))
                {
                    return Some(cached);
                }
            }
        }
        // Scan; a generated file not built yet must come first.
        let scan = {
            let units = &self.units;
            let task_unit = &self.task_unit;
            // Is the task producing a file done? (Takes the task, not the node, so that the
            // scanner may add nodes to the graph meanwhile.)
            let is_done = |p: TaskId| {
                task_unit[p]
                    .map(|pu| units[pu].status == Status::Done)
                    .unwrap_or(false)
            };
            let mut scan: Scan = self.checker.scan(self.g, t, &is_done);
            if let Err(e) = self
                .checker
                .python_scan(self.g, t, &is_done, self.calls, &mut scan)
            {
                scan.error = Some(e);
            }
            scan
        };
        if self.stop_if_escaped() {
            return None;
        }
        if !scan.missing.is_empty() && self.g.warnings.iter().any(|w| w == "dependency") {
            for (name, from) in &scan.missing {
                if self.warned_missing.insert((name.clone(), from.clone())) {
                    warn(&format!(
                        "No dependency generated for file: {name} (included from: {from}) -- file not found"
                    ));
                }
            }
        }
        if let Some(e) = scan.error {
            let target = self.g.nodes[self.g.tasks[t].rec.targets[0]].path.clone();
            self.task_error(&target, &e);
            self.explicit_exit();
            self.fail(u);
            return None;
        }
        if !scan.unbuilt.is_empty() {
            if self.wait_for(u, &scan.unbuilt) {
                return None;
            }
            if self.units[u].blocked {
                self.units[u].status = Status::Failed;
                self.release(u);
                return None;
            }
        }
        for n in scan.implicit {
            if !inputs.nodes.contains(&n) {
                inputs.nodes.push(n);
            }
        }
        inputs.records = self.checker.input_records(self.g, &inputs.nodes);
        Some(inputs)
    }

    fn decide(&mut self, t: TaskId, inputs: &TaskInputs) -> Result<Option<String>, String> {
        self.checker.verdict(self.g, t, inputs, self.calls)
    }

    fn finish_job(&mut self, job: Job) {
        self.ended += 1;
        let u = job.unit;
        let UnitKind::Task(t) = self.units[u].kind else {
            return;
        };
        let targets = self.g.tasks[t].rec.targets.clone();
        match job.result {
            Ok(()) => {
                // What SCons checks once a target is built: a Pseudo() one must not exist;
                // another should (`--warn=target-not-built`).
                let warn_missing = self.g.warnings.iter().any(|w| w == "target-not-built");
                for &n in &targets {
                    let node = &self.g.nodes[n];
                    if node.kind != NodeKind::File && node.kind != NodeKind::Dir {
                        continue;
                    }
                    let exists = node.abs.symlink_metadata().is_ok();
                    if node.pseudo && exists {
                        self.result.fatal =
                            Some(format!("Pseudo target {} must not exist", node.path));
                        self.stop = true;
                        self.units[u].status = Status::Failed;
                        return;
                    }
                    if !node.pseudo && !exists && warn_missing {
                        warn(&format!("Cannot find target {} after building", node.path));
                    }
                }
                let inputs = self.pending_inputs.remove(&t).unwrap_or_default();
                self.record_success(t, &inputs);
                cachedir::push(self.g, t, &inputs, &self.opts.cache);
                self.units[u].status = Status::Done;
                self.release(u);
            }
            Err(what) => {
                let first = self.g.nodes[targets[0]].path.clone();
                self.task_error(&first, &what);
                // What a failed command left is removed (a deliberate difference: SCons keeps
                // it), except after an Exit() the user's function chose to make.
                let keep = self.explicit_exit();
                for &n in &targets {
                    let node = &self.g.nodes[n];
                    if !keep && node.kind == NodeKind::File && !node.precious {
                        let _ = std::fs::remove_file(&node.abs);
                    }
                    self.checker.forget(n);
                }
                if self.opts.ignore_errors {
                    self.units[u].status = Status::Done;
                    self.release(u);
                } else {
                    self.fail(u);
                }
            }
        }
    }
}

/// Run a task's actions in order (in a worker thread, or on the main thread when `python` is
/// given for the task's Python function actions); the first failure ends the task.
#[allow(clippy::too_many_arguments)]
fn run_actions(
    unit: usize,
    actions: &[ActionRecord],
    copy: (&std::path::Path, &std::path::Path, &std::path::Path),
    env: &std::collections::BTreeMap<String, String>,
    cwd: &std::path::Path,
    silent: bool,
    capture: bool,
    children: &Mutex<HashMap<usize, u32>>,
    python: Option<&dyn Fn(u64) -> Result<(), String>>,
) -> Result<(), String> {
    for action in actions {
        if !silent && !action.show().is_empty() {
            out(action.show());
        }
        let (cmd, ignore_errors) = match action {
            ActionRecord::Command {
                cmd, ignore_errors, ..
            } => (cmd, *ignore_errors),
            ActionRecord::Copy { sig, .. } => {
                copy_file(copy.0, copy.1, sig == "duplicate")?;
                continue;
            }
            ActionRecord::Write { text, .. } => {
                write_file(copy.1, text)?;
                continue;
            }
            ActionRecord::Symlink { links, .. } => {
                make_symlinks(copy.2, links)?;
                continue;
            }
            ActionRecord::Python { id, .. } => {
                match python {
                    Some(run) => run(*id)?,
                    None => return Err("Python function action outside the main thread".to_owned()),
                }
                continue;
            }
        };
        let prepared = |mut command: Command, pwd: Option<String>| {
            command.current_dir(cwd).env_clear().envs(env);
            if let Some(pwd) = pwd {
                command.env("PWD", pwd);
            }
            command.stdin(Stdio::null());
            if capture {
                command.stdout(Stdio::piped()).stderr(Stdio::piped());
            }
            command
        };
        // (see command_line: a line the shell would only split into words starts without it)
        let direct = crate::command_line::direct(cmd, env, cwd).and_then(|d| {
            let pwd = crate::command_line::shell_pwd(env, cwd)?;
            let mut command = Command::new(&d.program);
            command.arg0(d.words[0]).args(&d.words[1..]);
            Some(prepared(command, Some(pwd)))
        });
        // (a program that cannot be started directly never ran: the shell tries, and tells)
        let child = match direct.map(|mut c| c.spawn()) {
            Some(Ok(child)) => child,
            _ => {
                // (SCons's $SHELL, `sh`: its messages start with the name it was given)
                let mut shell = Command::new("/bin/sh");
                shell.arg0("sh").arg("-c").arg(cmd);
                prepared(shell, None).spawn().map_err(|e| format!("{e}"))?
            }
        };
        children.lock().unwrap().insert(unit, child.id());
        let output = child.wait_with_output().map_err(|e| format!("{e}"))?;
        let after = (!silent && !action.show().is_empty() && !action.after().is_empty())
            .then(|| action.after());
        if capture {
            let mut o = std::io::stdout().lock();
            let _ = o.write_all(&output.stdout);
            let _ = o.flush();
            drop(o);
            let mut e = std::io::stderr().lock();
            let _ = e.write_all(&output.stderr);
            let _ = e.flush();
        }
        if let Some(after) = after {
            out(after);
        }
        if !output.status.success() && !ignore_errors {
            use std::os::unix::process::ExitStatusExt;
            let code = match (output.status.code(), output.status.signal()) {
                (Some(c), _) => c,
                (None, Some(s)) => -s,
                _ => 1,
            };
            return Err(format!("Error {code}"));
        }
    }
    Ok(())
}

/// Build the goals, starting from what an earlier build learnt of the files (`memo`, which gets
/// what this one learnt): watch mode keeps it from one cycle to the next, forgetting what
/// changed, and `proof` keeps it from one run to the next. The build starts from the plan in
/// `memo` when there is one (see `plan_ahead`), and leaves its plan there with `keep_plan`.
pub fn build_keeping(
    g: &mut Graph,
    state: &State,
    calls: Option<&dyn FrontEndCalls>,
    goals: Vec<Goal>,
    opts: BuildOptions,
    interrupted: &AtomicBool,
    memo: &mut Memo,
) -> BuildResult {
    let mut s = Scheduler::new(g, state, calls, goals, opts);
    let mut planned = memo.plan.take();
    s.checker = Checker::with_memo(state, std::mem::take(memo));
    s.drive(interrupted, &mut planned);
    let result = std::mem::take(&mut s.result);
    *memo = s.checker.into_memo();
    memo.plan = planned;
    result
}

/// The plan of a build of `goals` over `g` (see `Plan`), made before the build itself (while
/// the proof of the last build becomes its memo on another core: the plan does not depend on
/// what is current). `None` when it must be made by the build (a cycle, `--random`).
pub fn plan_ahead(
    g: &mut Graph,
    state: &State,
    calls: Option<&dyn FrontEndCalls>,
    goals: Vec<Goal>,
    opts: BuildOptions,
) -> Option<Plan> {
    if opts.random {
        return None; // (not worth planning: see `plan_reusable`)
    }
    let mut s = Scheduler::new(g, state, calls, goals, opts);
    s.plan();
    if !s.plan_reusable() {
        return None;
    }
    Some(Plan {
        units: s.units,
        task_unit: s.task_unit,
        next_order: s.next_order,
        ready: s.ready,
        tree_goals: s.tree_goals,
    })
}

/// Write a file for a write action, creating its folder.
/// Make each `(link, points_to)` symbolic link, `link` taken from the top folder; an old
/// symbolic link there is replaced (anything else there is an error, as with SCons).
fn make_symlinks(top: &std::path::Path, links: &[(String, String)]) -> Result<(), String> {
    for (link, points_to) in links {
        let path = crate::graph::normalize(top, std::path::Path::new(link));
        if path.is_symlink() {
            let _ = std::fs::remove_file(&path);
        }
        std::os::unix::fs::symlink(points_to, &path)
            .map_err(|e| format!("{}: {}", path.display(), e))?;
    }
    Ok(())
}

fn write_file(to: &std::path::Path, text: &str) -> Result<(), String> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{e}"))?;
    }
    std::fs::write(to, text).map_err(|e| format!("{e}"))
}

/// Copy a file for a copy action. Variant-dir duplication hard-links when possible (as SCons
/// duplicates); `Install` copies the contents, permissions and modification time (as SCons's
/// `shutil.copy2`), so editing the source later leaves the installed file alone.
fn copy_file(from: &std::path::Path, to: &std::path::Path, link: bool) -> Result<(), String> {
    if let Some(parent) = to.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::remove_file(to);
    if from.is_dir() {
        return crate::state::copy_tree(from, to).map_err(|e| format!("{e}"));
    }
    if link && std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to).map_err(|e| format!("{e}"))?;
    if let Ok(mtime) = std::fs::metadata(from).and_then(|m| m.modified()) {
        if let Ok(f) = std::fs::File::options().write(true).open(to) {
            let _ = f.set_modified(mtime);
        }
    }
    Ok(())
}
