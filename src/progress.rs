//! `Progress()`: what SCons shows as it evaluates each node (a source file, a built target, a
//! folder), in its order: a string (`$TARGET` replaced by the node), a list of strings shown in
//! turn, or a Python function called back with the node; every `interval`-th node, optionally
//! erasing the previous text first. The scheduler says which node is evaluated; this module
//! counts and shows.

use crate::callbacks::FrontEndCalls;
use scons_api::ProgressRecord;
use std::collections::HashSet;
use std::io::Write;

pub struct Progress {
    rec: ProgressRecord,
    count: u64,
    prev: String,
    /// Nodes already shown: SCons evaluates each node once.
    seen: HashSet<String>,
}

impl Progress {
    pub fn new(rec: ProgressRecord) -> Progress {
        Progress {
            rec,
            count: 0,
            prev: String::new(),
            seen: HashSet::new(),
        }
    }

    /// Node `path` is being evaluated (nothing when it already was).
    pub fn node(&mut self, path: &str, calls: Option<&dyn FrontEndCalls>) {
        if !self.seen.insert(path.to_owned()) {
            return;
        }
        self.count += 1;
        if !self.count.is_multiple_of(self.rec.interval.max(1)) {
            return;
        }
        if self.rec.overwrite {
            self.erase_previous();
        }
        match self.rec.kind.as_str() {
            "function" => {
                if let Some(calls) = calls {
                    if let Err(e) = calls.progress(path) {
                        eprintln!("{}", e.trim_end());
                    }
                }
            }
            "list" => {
                if !self.rec.list.is_empty() {
                    let i = (self.count % self.rec.list.len() as u64) as usize;
                    let text = self.rec.list[i].clone();
                    self.write(&text);
                }
            }
            _ => {
                let text = self.rec.text.replace("$TARGET", path);
                self.write(&text);
            }
        }
    }

    fn erase_previous(&mut self) {
        if self.prev.is_empty() {
            return;
        }
        let mut length = self.prev.chars().count();
        if self.prev.ends_with(['\n', '\r']) {
            length -= 1;
        }
        self.write(&format!("{}\r", " ".repeat(length)));
        self.prev.clear();
    }

    fn write(&mut self, text: &str) {
        if self.rec.stderr {
            let mut e = std::io::stderr().lock();
            let _ = e.write_all(text.as_bytes());
            let _ = e.flush();
        } else {
            let mut o = std::io::stdout().lock();
            let _ = o.write_all(text.as_bytes());
            let _ = o.flush();
        }
        self.prev = text.to_owned();
    }
}
