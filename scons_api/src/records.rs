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
    #[serde(default)]
    pub options: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub variant_dirs: Vec<VariantDir>,
    /// The status a script gave to `Exit()`: exit with it, build nothing.
    #[serde(default)]
    pub exit: Option<i32>,
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
    #[serde(default, skip_serializing_if = "is_false")]
    pub precious: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub always_build: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub noclean: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nocache: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clean: Vec<NodeId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<NodeId>,
}

fn is_false(b: &bool) -> bool {
    !*b
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
    #[serde(default)]
    pub chdir: Option<String>,
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
    /// A Python function, run by the front end.
    Python { id: u64, show: String, sig: String },
}

impl ActionRecord {
    pub fn show(&self) -> &str {
        match self {
            ActionRecord::Command { show, .. }
            | ActionRecord::Copy { show, .. }
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
}
