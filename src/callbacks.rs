//! Calls from the engine back into the front end, for what only Python can answer once the
//! scripts were read: a `Decider()` function and a user `Scanner()` function. The front end
//! answers through `SCons._docons.callback` (see FORMAT.md, "callbacks").

use crate::state::InputRecord;

pub trait FrontEndCalls {
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
}

impl FrontEndCalls for scons_api::FrontEnd {
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
}
