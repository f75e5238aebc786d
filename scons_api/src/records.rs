//! The declared graph: the plain data the front end hands to the engine (see FORMAT.md).
//! Nothing here knows about Python or about running commands.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Index of a node in `BuildGraph::nodes`.
pub type NodeId = usize;

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct BuildGraph {
    pub nodes: Vec<NodeRecord>,
    pub tasks: Vec<TaskRecord>,
    /// `None` when the scripts never called `Default()`.
    #[serde(default)]
    pub default_targets: Option<Vec<NodeId>>,
    /// `BUILD_TARGETS` after the scripts ran; `None` when no target was named.
    #[serde(default)]
    pub build_targets: Option<Vec<String>>,
    #[serde(default)]
    pub help_text: Option<String>,
    /// With `-h` and no `Help()` call: SCons's option help (built-in and `AddOption` ones).
    #[serde(default)]
    pub option_help: Option<String>,
    #[serde(default)]
    pub options: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub variant_dirs: Vec<VariantDir>,
    /// The status a script gave to `Exit()`: exit with it, build nothing.
    #[serde(default)]
    pub exit: Option<i32>,
    /// What the scripts read (for reusing this graph without running them again).
    #[serde(default)]
    pub inputs: Option<ScriptInputs>,
    /// What the scripts printed while they ran, to replay when the graph is reused.
    #[serde(default)]
    pub stdout: String,
    #[serde(default)]
    pub stderr: String,
    /// The engine's own warnings that are on: `target-not-built`, `dependency`.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// `Progress()`: what to show as each node is evaluated.
    #[serde(default)]
    pub progress: Option<ProgressRecord>,
    /// The SConstruct/SConscript files read (their nodes are folder entries SCons evaluates).
    #[serde(default)]
    pub sconscripts: Vec<String>,
}

/// `Progress(obj, interval, file, overwrite)`, shown for every `interval`-th node evaluated.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProgressRecord {
    /// `"string"` (`text`, with `$TARGET` replaced by the node), `"list"` (the `list` texts in
    /// turn) or `"function"` (the front end's function, called back with the node).
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub list: Vec<String>,
    #[serde(default = "one")]
    pub interval: u64,
    /// Erase the previous text (spaces, then `\r`) before writing.
    #[serde(default)]
    pub overwrite: bool,
    /// Write to stderr (else stdout).
    #[serde(default)]
    pub stderr: bool,
}

fn one() -> u64 {
    1
}

/// Everything the scripts' result may depend on besides the request itself.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ScriptInputs {
    /// Absolute paths of files whose content the scripts read.
    #[serde(default)]
    pub files: Vec<String>,
    /// `[path, predicate, result]` with predicate `exists`, `isfile`, `isdir` or `islink`.
    #[serde(default)]
    pub probes: Vec<(String, String, bool)>,
    /// Absolute paths of folders whose entries the scripts listed.
    #[serde(default)]
    pub listings: Vec<String>,
    /// `[folder, pattern]`: the folder's entries matching the fnmatch pattern were listed (Glob).
    #[serde(default)]
    pub globs: Vec<(String, String)>,
    /// Environment variables looked up (value `None` when unset); `None` when the scripts looked
    /// at the whole environment.
    #[serde(default)]
    pub env: Option<BTreeMap<String, Option<String>>>,
    /// Why the graph cannot be reused (a command ran while reading), if it cannot.
    #[serde(default)]
    pub volatile: Vec<String>,
}

impl ScriptInputs {
    /// Put every list in order (the front end gives them unordered).
    pub fn sort(&mut self) {
        self.files.sort();
        self.files.dedup();
        self.probes.sort();
        self.listings.sort();
        self.globs.sort();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    File,
    Dir,
    Alias,
    Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeRecord {
    pub path: String,
    pub kind: NodeKind,
    #[serde(default)]
    pub precious: bool,
    #[serde(default)]
    pub always_build: bool,
    #[serde(default)]
    pub noclean: bool,
    #[serde(default)]
    pub nocache: bool,
    /// `Pseudo()`: must not exist once built.
    #[serde(default)]
    pub pseudo: bool,
    #[serde(default)]
    pub clean: Vec<NodeId>,
    #[serde(default)]
    pub ignore: Vec<NodeId>,
    /// `node.Decider(...)`: how this node, as a dependency, is judged changed (overrides the
    /// task's decider).
    #[serde(default)]
    pub decider: Option<DeciderRecord>,
    /// `Depends()` of a node that no task builds: built before the node is judged when it is
    /// named as a goal (tasks carry their targets' dependencies in their own `deps`).
    #[serde(default)]
    pub depends: Vec<NodeId>,
    /// `AddPreAction`/`AddPostAction` on a folder that no task builds: run before and after
    /// the engine creates the folder for a target inside it (once a run; never otherwise).
    #[serde(default)]
    pub folder_pre_actions: Vec<ActionRecord>,
    #[serde(default)]
    pub folder_post_actions: Vec<ActionRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskRecord {
    pub targets: Vec<NodeId>,
    #[serde(default)]
    pub sources: Vec<NodeId>,
    #[serde(default)]
    pub deps: Vec<NodeId>,
    #[serde(default)]
    pub actions: Vec<ActionRecord>,
    #[serde(default)]
    pub scanner: Option<ScannerRecord>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub decider: Decider,
    /// `Decider(function)`: a Python decider, called back by id (overrides `decider`).
    #[serde(default)]
    pub decider_function: Option<u64>,
    #[serde(default)]
    pub chdir: Option<String>,
    /// Order-only prerequisites (`Requires`): built first, never make the task stale.
    #[serde(default)]
    pub requires: Vec<NodeId>,
    /// The `SideEffect` nodes of the task's targets: tasks sharing one never run at once.
    #[serde(default)]
    pub side_effects: Vec<NodeId>,
    /// Implicit dependencies known when the scripts were read (`IMPLICIT_COMMAND_DEPENDENCIES`:
    /// the commands' executables).
    #[serde(default)]
    pub implicit: Vec<NodeId>,
    /// Python scanners (`Scanner()`) to run on some of the sources, called back by id.
    #[serde(default)]
    pub python_scanners: Vec<PythonScannerRecord>,
    /// The actions as written, before substitution (`--debug=explain` shows it when the action
    /// changed); empty: the engine uses the command lines.
    #[serde(default)]
    pub action_text: String,
    /// The `CacheDir` folder for this task's targets (absolute), or `null`.
    #[serde(default)]
    pub cache_dir: Option<String>,
}

/// What walking the graph needs of a task: the nodes it links (see `TaskRecord`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskEdges {
    pub targets: Vec<NodeId>,
    pub sources: Vec<NodeId>,
    pub deps: Vec<NodeId>,
    pub requires: Vec<NodeId>,
    pub side_effects: Vec<NodeId>,
    pub implicit: Vec<NodeId>,
}

/// What judging and running a task needs besides its edges (see `TaskRecord`): a kept graph
/// decodes these only for the tasks a build looks at.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TaskDetails {
    pub actions: Vec<ActionRecord>,
    pub scanner: Option<ScannerRecord>,
    pub env: BTreeMap<String, String>,
    pub decider: Decider,
    pub decider_function: Option<u64>,
    pub chdir: Option<String>,
    pub python_scanners: Vec<PythonScannerRecord>,
    pub action_text: String,
    pub cache_dir: Option<String>,
}

impl TaskRecord {
    /// The task's edges and its details, apart.
    pub fn split(self) -> (TaskEdges, TaskDetails) {
        let TaskRecord {
            targets,
            sources,
            deps,
            actions,
            scanner,
            env,
            decider,
            decider_function,
            chdir,
            requires,
            side_effects,
            implicit,
            python_scanners,
            action_text,
            cache_dir,
        } = self;
        (
            TaskEdges {
                targets,
                sources,
                deps,
                requires,
                side_effects,
                implicit,
            },
            TaskDetails {
                actions,
                scanner,
                env,
                decider,
                decider_function,
                chdir,
                python_scanners,
                action_text,
                cache_dir,
            },
        )
    }
}

/// A user scanner (`Scanner(function=...)`) for some of a task's sources.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PythonScannerRecord {
    /// What the front end calls back with.
    pub id: u64,
    /// The sources to scan.
    pub sources: Vec<NodeId>,
    /// Scan what it finds too.
    #[serde(default)]
    pub recursive: bool,
    /// A target scanner: `sources` are the task's own targets, scanned before they are built.
    #[serde(default)]
    pub targets: bool,
}

/// A per-node decider: a named one or a Python function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeciderRecord {
    #[serde(default)]
    pub name: Decider,
    #[serde(default)]
    pub function: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ActionRecord {
    /// A shell command line.
    Command {
        cmd: String,
        show: String,
        sig: String,
        /// A `-` prefix: the command's exit status is ignored.
        #[serde(default)]
        ignore_errors: bool,
        /// Printed after the command ran (SCons's `os.chdir(...)` back from a `chdir`), when
        /// `show` was printed.
        #[serde(default)]
        after: String,
    },
    /// Copy the task's first source to its first target (Install, variant-dir duplication).
    Copy { show: String, sig: String },
    /// Write `text` into the task's first target (a `config.h` made by a Configure context).
    Write {
        text: String,
        show: String,
        sig: String,
    },
    /// Make symbolic links (a versioned library's soname and unversioned names): each pair is
    /// the link's path (relative to the top folder, or absolute) and the text it holds (the
    /// path it points to, relative to the link's folder). An existing link is replaced.
    Symlink {
        links: Vec<(String, String)>,
        show: String,
        sig: String,
    },
    /// A Python function, run by the front end.
    Python { id: u64, show: String, sig: String },
}

impl ActionRecord {
    pub fn show(&self) -> &str {
        match self {
            ActionRecord::Command { show, .. }
            | ActionRecord::Copy { show, .. }
            | ActionRecord::Write { show, .. }
            | ActionRecord::Symlink { show, .. }
            | ActionRecord::Python { show, .. } => show,
        }
    }
    /// What prints after the action ran (empty for most).
    pub fn after(&self) -> &str {
        match self {
            ActionRecord::Command { after, .. } => after,
            _ => "",
        }
    }
    pub fn sig(&self) -> &str {
        match self {
            ActionRecord::Command { sig, .. }
            | ActionRecord::Copy { sig, .. }
            | ActionRecord::Write { sig, .. }
            | ActionRecord::Symlink { sig, .. }
            | ActionRecord::Python { sig, .. } => sig,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScannerRecord {
    pub kind: ScannerKind,
    #[serde(default)]
    pub path: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScannerKind {
    C,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Decider {
    #[default]
    #[serde(rename = "content", alias = "MD5")]
    Content,
    #[serde(rename = "timestamp-newer")]
    TimestampNewer,
    #[serde(rename = "timestamp-match")]
    TimestampMatch,
    #[serde(rename = "content-timestamp", alias = "MD5-timestamp")]
    ContentTimestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VariantDir {
    pub variant: String,
    pub src: String,
    #[serde(default)]
    pub duplicate: bool,
}

impl BuildGraph {
    pub fn from_json(text: &str) -> Result<BuildGraph, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Can this graph be used later without running the scripts again? Not when the scripts did
    /// something that cannot be checked afterwards, called `Exit()`, or when the graph refers to
    /// Python callables (they live only in the interpreter that read the scripts).
    pub fn reusable(&self) -> bool {
        let Some(inputs) = &self.inputs else {
            return false;
        };
        inputs.volatile.is_empty() && self.exit.is_none() && !self.needs_interpreter()
    }

    /// Does building this graph call back into Python (function actions, Python deciders,
    /// Python scanners, a Progress function)? Such a graph is only usable by the interpreter
    /// that read the scripts.
    pub fn needs_interpreter(&self) -> bool {
        matches!(&self.progress, Some(p) if p.kind == "function")
            || self.tasks.iter().any(|t| {
                t.decider_function.is_some()
                    || !t.python_scanners.is_empty()
                    || t.actions
                        .iter()
                        .any(|a| matches!(a, ActionRecord::Python { .. }))
            })
            || self
                .nodes
                .iter()
                .any(|n| n.decider.as_ref().is_some_and(|d| d.function.is_some()))
    }
}
