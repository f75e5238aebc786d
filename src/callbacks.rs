//! Calls from the engine back into the front end, for what only Python can do once the scripts
//! were read: run a Python function action, answer for a `Decider()` function or a user
//! `Scanner()` function, call a `Progress()` function (through `SCons._docons.callback`, see
//! FORMAT.md, "callbacks"). This trait is the engine's one door into the interpreter; it is used
//! from the main thread only.

use crate::state::InputRecord;

pub trait FrontEndCalls {
    /// Run the Python function action `id` (`Err`: what SCons prints after `scons: *** [t] `).
    fn run_action(&self, id: u64, targets: &[String], sources: &[String]) -> Result<(), String>;

    /// Has `dependency` changed for `target`? `prev` is what was recorded for it when the target
    /// was last built (`None`: nothing recorded).
    fn decide(
        &self,
        function: u64,
        dependency: &str,
        target: &str,
        prev: Option<&InputRecord>,
    ) -> Result<bool, String>;

    /// The paths (top-relative or absolute) that scanner `scanner` finds in `node`.
    fn scan(&self, scanner: u64, node: &str) -> Result<Vec<String>, String>;

    /// Call the `Progress()` function with the node `path` (as it is shown).
    fn progress(&self, path: &str) -> Result<(), String>;

    /// The build is over: `GetBuildFailures()` now gives `failures`, and the scripts' atexit
    /// functions run.
    fn build_done(&self, failures: &[crate::scheduler::Failure]);

    /// The status of an `Exit()` raised by the callback that just failed (taken once), which
    /// becomes SCons's exit status.
    fn explicit_exit(&self) -> Option<i32>;
}

impl FrontEndCalls for scons_api::FrontEnd {
    fn run_action(&self, id: u64, targets: &[String], sources: &[String]) -> Result<(), String> {
        use scons_api::PythonActions;
        self.run_python_action(id, targets, sources)
    }

    fn decide(
        &self,
        function: u64,
        dependency: &str,
        target: &str,
        prev: Option<&InputRecord>,
    ) -> Result<bool, String> {
        let prev = prev.map(|p| {
            serde_json::json!({
                "csig": p.csig,
                "timestamp": p.mtime_ns as f64 / 1e9,
                "size": p.size,
            })
        });
        let args = serde_json::json!({
            "function": function, "dependency": dependency, "target": target, "prev": prev,
        });
        let answer = self.call("decide", &args.to_string())?;
        Ok(answer.trim() == "true")
    }

    fn scan(&self, scanner: u64, node: &str) -> Result<Vec<String>, String> {
        let args = serde_json::json!({"scanner": scanner, "node": node});
        let answer = self.call("scan", &args.to_string())?;
        serde_json::from_str(&answer).map_err(|e| format!("bad scanner answer: {e}"))
    }

    fn progress(&self, path: &str) -> Result<(), String> {
        let args = serde_json::json!({ "node": path });
        self.call("progress", &args.to_string()).map(|_| ())
    }

    fn build_done(&self, failures: &[crate::scheduler::Failure]) {
        let args = serde_json::json!({ "failures": failures });
        if let Err(e) = self.call("build_done", &args.to_string()) {
            eprintln!("{}", e.trim_end());
        }
    }

    fn explicit_exit(&self) -> Option<i32> {
        let answer = self.call("explicit_exit", "{}").ok()?;
        let code: Option<i64> = serde_json::from_str(&answer).ok()?;
        code.map(|c| c as i32)
    }
}
