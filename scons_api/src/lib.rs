//! scons_api: the SCons front end. It runs SConstruct/SConscript files in an embedded Python
//! (RustPython) against docons's own implementation of the SCons API (the `SCons` package under
//! `python/`, frozen into the binary) and returns the declared graph as plain data (`records`).
//! It knows nothing about running commands.

pub mod native;
mod node_lookup;
pub mod records;

use rustpython_vm::{
    compiler::Mode, AsObject, Interpreter, PyObject, PyObjectRef, Settings, VirtualMachine,
};
use std::path::PathBuf;

pub use records::*;

/// What the front end needs to know to read the scripts (see FORMAT.md, "request").
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReadRequest {
    pub top: PathBuf,
    pub sconstruct: PathBuf,
    pub launch_dir: PathBuf,
    pub arguments: Vec<(String, String)>,
    pub targets: Vec<String>,
    /// `sys.argv` for the scripts: `[launcher script, command-line words...]`.
    pub argv: Vec<String>,
    /// `sys.executable` for the scripts (the real python3 on `PATH`).
    pub python: Option<PathBuf>,
    /// Plain words and options the engine does not know, in order (for `AddOption`).
    pub leftover: Vec<String>,
    /// The names in `options` that the command line set (`SetOption` does not override them).
    pub given_options: Vec<String>,
    pub options: serde_json::Map<String, serde_json::Value>,
    /// Keep what the scripts print without showing it (it was shown already: a build that
    /// starts again reads the scripts a second time). Not part of what the request is.
    #[serde(skip_serializing_if = "is_false")]
    pub quiet: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Why reading the scripts did not give a graph.
#[derive(Debug)]
pub enum ReadError {
    /// The scripts failed (a Python exception, `Exit()`): print `stderr` as is and exit with `status`.
    Script { stderr: String, status: i32 },
    /// docons itself failed.
    Internal(String),
}

/// The one way the engine reaches Python at build time: run a Python function action (an
/// `ActionRecord::Python` by its `id`) as SCons does, `func(target=[nodes], source=[nodes], env=env)`.
/// The interpreter is not `Send`: callers run these on the thread that made the `FrontEnd`.
pub trait PythonActions {
    /// `Ok(())` on success; `Err(text)` when the function returned nonzero or raised: `text` is what
    /// SCons prints after `scons: *** [target] ` (it may go on with a traceback on more lines).
    fn run_python_action(
        &self,
        id: u64,
        targets: &[String],
        sources: &[String],
    ) -> Result<(), String>;
}

/// Environment variable naming a folder that replaces the frozen `SCons` package (for development:
/// edit the Python files and rerun without rebuilding).
pub const FRONTEND_DIR_VAR: &str = "DOCONS_FRONTEND_DIR";

/// The embedded interpreter with the SCons API loaded.
pub struct FrontEnd {
    interpreter: Interpreter,
    frontend_dir: Option<String>,
}

const DRIVER: &str = r#"
import json, sys
__report = None
try:
    import SCons._docons
    __result = ("ok", SCons._docons.read(json.loads(__request), data=True))
except BaseException as __exc:
    exec(__report_source, globals())
    __result = ("error",) + report(__exc, __frontend_dir)
for __f in (sys.stdout, sys.stderr):
    try:
        __f.flush()
    except Exception:
        pass
"#;

impl FrontEnd {
    pub fn new() -> FrontEnd {
        let frontend_dir = std::env::var(FRONTEND_DIR_VAR)
            .ok()
            .filter(|d| !d.is_empty());
        let mut settings = Settings::default();
        settings.utf8_mode = 1;
        settings.write_bytecode = false;
        settings.install_signal_handlers = false;
        settings.import_site = false;
        settings.argv = vec!["docons".to_owned()];
        if let Some(dir) = &frontend_dir {
            settings.path_list.push(dir.clone());
        }
        let builder = Interpreter::builder(settings);
        let mut defs = rustpython_stdlib::stdlib_module_defs(&builder.ctx);
        defs.push(native::module_def(&builder.ctx));
        let mut builder = builder
            .add_native_modules(&defs)
            .add_frozen_modules(rustpython_pylib::FROZEN_STDLIB);
        if frontend_dir.is_none() {
            builder = builder.add_frozen_modules(rustpython_vm::py_freeze!(dir = "../python"));
        }
        let front = FrontEnd {
            interpreter: builder.build(),
            frontend_dir,
        };
        front.install_sigint_handler();
        front
    }

    /// Give Python code a SIGINT handler to find (`signal.getsignal(signal.SIGINT)`), as SCons
    /// has while it builds, without taking Ctrl-C away from the engine: the interpreter's
    /// `signal.signal` also installs its own OS-level handler, so the process's previous one is
    /// put back right after.
    fn install_sigint_handler(&self) {
        // SAFETY: plain sigaction calls on a zeroed struct, reading then restoring the handler.
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        if unsafe { libc::sigaction(libc::SIGINT, std::ptr::null(), &mut old) } != 0 {
            return;
        }
        let _ = self.interpreter.enter(|vm| {
            let scope = vm.new_scope_with_builtins();
            let code = vm
                .compile(
                    "import signal, _docons_native\n\
                     signal.signal(signal.SIGINT, _docons_native.sigint_handler)\n",
                    Mode::Exec,
                    "<docons>".to_owned(),
                )
                .map_err(|_| ())?;
            vm.run_code_obj(code, scope).map(|_| ()).map_err(|_| ())
        });
        unsafe {
            libc::sigaction(libc::SIGINT, &old, std::ptr::null_mut());
        }
    }

    /// Run a small driver program in the interpreter with string variables set, then hand the
    /// `__result` it leaves to `f`. `Err`: the driver itself failed (its traceback).
    fn with_driver<R>(
        &self,
        source: &str,
        vars: &[(&str, &str)],
        f: impl FnOnce(&rustpython_vm::VirtualMachine, rustpython_vm::PyObjectRef) -> Result<R, String>,
    ) -> Result<R, String> {
        self.interpreter.enter(|vm| {
            let scope = vm.new_scope_with_builtins();
            for (name, value) in vars {
                scope
                    .globals
                    .set_item(*name, vm.ctx.new_str(*value).into(), vm)
                    .map_err(|_| format!("cannot set {name}"))?;
            }
            let code = vm
                .compile(source, Mode::Exec, "<docons>".to_owned())
                .map_err(|e| format!("docons driver does not compile: {e}"))?;
            if let Err(exc) = vm.run_code_obj(code, scope.clone()) {
                let mut text = String::new();
                let _ = vm.write_exception(&mut text, &exc);
                return Err(text);
            }
            let result = scope
                .globals
                .get_item("__result", vm)
                .map_err(|_| "no result".to_owned())?;
            f(vm, result)
        })
    }

    /// `str()` of item `i` of a driver's result tuple.
    fn result_str(
        vm: &rustpython_vm::VirtualMachine,
        result: &rustpython_vm::PyObjectRef,
        i: usize,
    ) -> Result<String, String> {
        Ok(result
            .get_item(&i, vm)
            .map_err(|_| format!("result item {i} missing"))?
            .str(vm)
            .map_err(|_| "bad result".to_owned())?
            .to_string_lossy()
            .into_owned())
    }

    /// Run the SConstruct and return the graph it declared.
    pub fn read(&self, request: &ReadRequest) -> Result<BuildGraph, ReadError> {
        let request_json =
            serde_json::to_string(request).map_err(|e| ReadError::Internal(e.to_string()))?;
        let frontend_dir = self.frontend_dir.clone().unwrap_or_default();
        let vars = [
            ("__request", request_json.as_str()),
            ("__report_source", include_str!("report.py")),
            ("__frontend_dir", frontend_dir.as_str()),
        ];
        let outcome = self.with_driver(DRIVER, &vars, |vm, result| {
            let kind = Self::result_str(vm, &result, 0)?;
            let part = result
                .get_item(&1, vm)
                .map_err(|_| "result item 1 missing".to_owned())?;
            if kind != "error" {
                // The graph as plain Python data: converted here (json.dumps is slow under
                // RustPython).
                return Ok((kind, Err(to_json(&part, vm)?), 0));
            }
            let text = Self::result_str(vm, &result, 1)?;
            let status = result
                .get_item(&2, vm)
                .and_then(|s| s.try_into_value::<i32>(vm))
                .map_err(|_| "bad status".to_owned())?;
            Ok((kind, Ok(text), status))
        });
        match outcome {
            Err(e) => Err(ReadError::Internal(e)),
            Ok((_, Ok(text), status)) => Err(ReadError::Script {
                stderr: text,
                status,
            }),
            Ok((_, Err(mut data), _)) => {
                if let Some(inputs) = data.get_mut("inputs") {
                    expand_kinds(inputs);
                }
                expand_compact_tasks(&mut data).map_err(|e| {
                    ReadError::Internal(format!("front end gave a bad compact task: {e}"))
                })?;
                let mut graph: BuildGraph = serde_json::from_value(data)
                    .map_err(|e| ReadError::Internal(format!("front end gave a bad graph: {e}")))?;
                if let Some(inputs) = &mut graph.inputs {
                    inputs.sort();
                }
                Ok(graph)
            }
        }
    }
}

/// The probes standing for the front end's `path_kind` answers (`inputs.kinds`, {path: kind}, see
/// `SCons/_inputs.py`): one probe per path that implies the others the answer gives (`isfile`
/// true stands for `exists` true and `isdir` false; `isdir` true for `exists` true and `isfile`
/// false; `exists` false for both false), three for something else; the `os.path` probes the
/// scripts made that one of these implies are left out. Done here: under RustPython it is slow.
fn expand_kinds(inputs: &mut serde_json::Value) {
    use serde_json::Value;
    let Some(obj) = inputs.as_object_mut() else {
        return;
    };
    let Some(Value::Object(kinds)) = obj.remove("kinds") else {
        return;
    };
    let mut probes: Vec<Value> = Vec::with_capacity(kinds.len() + 16);
    let mut implied: std::collections::HashSet<(String, &'static str, bool)> =
        std::collections::HashSet::with_capacity(kinds.len() * 3);
    for (path, kind) in kinds {
        let answers: &[(&'static str, bool)] = match kind.as_i64().map(|k| k as i32) {
            Some(native::KIND_MISSING) => &[("exists", false), ("isfile", false), ("isdir", false)],
            Some(native::KIND_FILE) => &[("isfile", true), ("exists", true), ("isdir", false)],
            Some(native::KIND_DIR) => &[("isdir", true), ("exists", true), ("isfile", false)],
            _ => &[("exists", true), ("isfile", false), ("isdir", false)],
        };
        let standing = if kind.as_i64().map(|k| k as i32) == Some(native::KIND_OTHER) {
            answers.len()
        } else {
            1
        };
        for &(predicate, result) in &answers[..standing] {
            probes.push(Value::Array(vec![
                Value::String(path.clone()),
                Value::String(predicate.to_owned()),
                Value::Bool(result),
            ]));
        }
        for &(predicate, result) in answers {
            implied.insert((path.clone(), predicate, result));
        }
    }
    if let Some(Value::Array(asked)) = obj.remove("probes") {
        for probe in asked {
            let key = match probe.as_array().map(|a| a.as_slice()) {
                Some([Value::String(p), Value::String(k), Value::Bool(r)]) => {
                    Some((p.clone(), k.clone(), *r))
                }
                _ => None,
            };
            let covered = key.is_some_and(|(p, k, r)| {
                ["exists", "isfile", "isdir"]
                    .iter()
                    .find(|&&name| name == k)
                    .is_some_and(|&name| implied.contains(&(p, name, r)))
            });
            if !covered {
                probes.push(probe);
            }
        }
    }
    obj.insert("probes".to_owned(), Value::Array(probes));
}

/// The compact task records of `SCons/_docons.py` (`_Writer.plain_task`: `[shape, target ids,
/// source ids, scanner, implicit ids]`, the shapes in `task_shapes`) made whole, as
/// `_expand_task` there does: each command's text is its template with the markers replaced by
/// the paths of the task's targets then sources. Done here: under RustPython it is slow.
fn expand_compact_tasks(data: &mut serde_json::Value) -> Result<(), String> {
    use serde_json::{Map, Value};
    let Some(obj) = data.as_object_mut() else {
        return Ok(());
    };
    let Some(Value::Array(shapes)) = obj.remove("task_shapes") else {
        return Ok(());
    };
    let Some(Value::Array(mut tasks)) = obj.remove("tasks") else {
        return Err("no tasks".to_owned());
    };
    let paths: Vec<Option<&str>> = match obj.get("nodes") {
        Some(Value::Array(nodes)) => nodes
            .iter()
            .map(|n| n.get("path").and_then(Value::as_str))
            .collect(),
        _ => return Err("no nodes".to_owned()),
    };
    let ids = |v: &Value| -> Result<Vec<usize>, String> {
        v.as_array()
            .ok_or("ids")?
            .iter()
            .map(|i| {
                i.as_u64()
                    .map(|i| i as usize)
                    .ok_or_else(|| "id".to_owned())
            })
            .collect()
    };
    for task in tasks.iter_mut() {
        let Value::Array(parts) = task else {
            continue;
        };
        let [shape, targets, sources, scanner, implicit] = &mut parts[..] else {
            return Err("not five parts".to_owned());
        };
        let shape = shape
            .as_u64()
            .and_then(|i| shapes.get(i as usize))
            .ok_or("no such shape")?;
        let mut node_paths: Vec<&str> = Vec::new();
        for id in ids(targets)?.into_iter().chain(ids(sources)?) {
            node_paths.push(paths.get(id).copied().flatten().ok_or("no such node")?);
        }
        let fill = |piece: &Value| -> Result<Value, String> {
            match piece {
                Value::String(_) => Ok(piece.clone()),
                Value::Array(pieces) => {
                    let mut text = String::new();
                    for p in pieces {
                        match p {
                            Value::String(s) => text.push_str(s),
                            _ => text.push_str(
                                p.as_u64()
                                    .and_then(|i| node_paths.get(i as usize))
                                    .ok_or("no such marker")?,
                            ),
                        }
                    }
                    Ok(Value::String(text))
                }
                _ => Err("bad template".to_owned()),
            }
        };
        let mut actions = Vec::new();
        for command in shape
            .get("template")
            .and_then(Value::as_array)
            .ok_or("no template")?
        {
            let Some([cmd, show, sig, ignore]) = command.as_array().map(|c| &c[..]) else {
                return Err("bad command template".to_owned());
            };
            let mut action = Map::new();
            action.insert("kind".to_owned(), Value::from("command"));
            action.insert("cmd".to_owned(), fill(cmd)?);
            action.insert("show".to_owned(), fill(show)?);
            action.insert("sig".to_owned(), fill(sig)?);
            if ignore.as_bool() == Some(true) {
                action.insert("ignore_errors".to_owned(), Value::Bool(true));
            }
            actions.push(Value::Object(action));
        }
        let mut record = match shape.get("record") {
            Some(Value::Object(r)) => r.clone(),
            _ => return Err("no record".to_owned()),
        };
        record.insert("targets".to_owned(), targets.take());
        record.insert("sources".to_owned(), sources.take());
        record.insert("deps".to_owned(), Value::Array(Vec::new()));
        record.insert("actions".to_owned(), Value::Array(actions));
        record.insert("scanner".to_owned(), scanner.take());
        record.insert("chdir".to_owned(), Value::Null);
        record.insert("requires".to_owned(), Value::Array(Vec::new()));
        record.insert("side_effects".to_owned(), Value::Array(Vec::new()));
        record.insert("implicit".to_owned(), implicit.take());
        record.insert("python_scanners".to_owned(), Value::Array(Vec::new()));
        *task = Value::Object(record);
    }
    obj.insert("tasks".to_owned(), Value::Array(tasks));
    Ok(())
}

/// Plain Python data (dict with str keys, list, tuple, str, int, float, bool, None) as JSON;
/// anything else becomes its `str()`, as `_docons._jsonable` does.
fn to_json(obj: &PyObject, vm: &VirtualMachine) -> Result<serde_json::Value, String> {
    use rustpython_vm::builtins::{PyDict, PyFloat, PyInt, PyList, PyStr, PyTuple};
    use serde_json::Value;
    let seq = |items: &[PyObjectRef]| -> Result<Value, String> {
        items
            .iter()
            .map(|o| to_json(o, vm))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array)
    };
    if let Some(s) = obj.downcast_ref::<PyStr>() {
        return Ok(Value::String(s.to_string_lossy().into_owned()));
    }
    if vm.is_none(obj) {
        return Ok(Value::Null);
    }
    if obj.class().is(vm.ctx.types.bool_type) {
        return Ok(Value::Bool(obj.is(&vm.ctx.true_value)));
    }
    if let Some(d) = obj.downcast_ref::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, v) in d.items_vec() {
            let key = match k.downcast_ref::<PyStr>() {
                Some(s) => s.to_string_lossy().into_owned(),
                None => k
                    .str(vm)
                    .map_err(|_| "bad key".to_owned())?
                    .to_string_lossy()
                    .into_owned(),
            };
            map.insert(key, to_json(&v, vm)?);
        }
        return Ok(Value::Object(map));
    }
    if let Some(l) = obj.downcast_ref::<PyList>() {
        let items: Vec<PyObjectRef> = l.borrow_vec().to_vec();
        return seq(&items);
    }
    if let Some(t) = obj.downcast_ref::<PyTuple>() {
        return seq(t.as_slice());
    }
    if let Some(i) = obj.downcast_ref::<PyInt>() {
        let n = i.as_bigint();
        if let Ok(v) = i64::try_from(n) {
            return Ok(Value::from(v));
        }
        if let Ok(v) = u64::try_from(n) {
            return Ok(Value::from(v));
        }
        return Ok(Value::String(n.to_string()));
    }
    if let Some(f) = obj.downcast_ref::<PyFloat>() {
        return Ok(serde_json::Number::from_f64(f.to_f64())
            .map(Value::Number)
            .unwrap_or(Value::Null));
    }
    let s = obj
        .str(vm)
        .map_err(|_| "bad value in the graph".to_owned())?;
    Ok(Value::String(s.to_string_lossy().into_owned()))
}

const RUN_ACTION: &str = r#"
import SCons._docons
__result = SCons._docons.run_action(int(__id))
"#;

impl PythonActions for FrontEnd {
    fn run_python_action(
        &self,
        id: u64,
        _targets: &[String],
        _sources: &[String],
    ) -> Result<(), String> {
        let id = id.to_string();
        let outcome = self
            .with_driver(RUN_ACTION, &[("__id", &id)], |vm, result| {
                let status = result
                    .get_item(&0, vm)
                    .and_then(|s| s.try_into_value::<i64>(vm))
                    .map_err(|_| "bad action status".to_owned())?;
                Ok((status, FrontEnd::result_str(vm, &result, 1)?))
            })
            .map_err(|e| e.trim_end().to_owned());
        match outcome {
            Ok((0, _)) => Ok(()),
            Ok((_, text)) => Err(text),
            Err(e) => Err(e),
        }
    }
}

impl Default for FrontEnd {
    fn default() -> Self {
        Self::new()
    }
}

const CALLBACK_DRIVER: &str = r#"
import sys
import SCons._docons
import SCons.Errors
try:
    __result = ("ok", SCons._docons.callback(__kind, __args))
except (SCons.Errors.UserError, SCons.Errors.StopError) as __exc:
    __result = ("error", str(__exc))
except BaseException as __exc:
    import traceback
    __result = ("error", "".join(traceback.format_exception_only(type(__exc), __exc)).strip())
for __f in (sys.stdout, sys.stderr):
    try:
        __f.flush()
    except Exception:
        pass
"#;

impl FrontEnd {
    /// Call back into the front end after the scripts were read (a Python decider or scanner):
    /// `SCons._docons.callback(kind, args_json)` returns a JSON string; a Python exception gives
    /// `Err` with its one-line description.
    pub fn call(&self, kind: &str, args_json: &str) -> Result<String, String> {
        let vars = [("__kind", kind), ("__args", args_json)];
        let (status, text) = self.with_driver(CALLBACK_DRIVER, &vars, |vm, result| {
            Ok((
                Self::result_str(vm, &result, 0)?,
                Self::result_str(vm, &result, 1)?,
            ))
        })?;
        if status == "ok" {
            Ok(text)
        } else {
            Err(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_tasks_are_made_whole() {
        let mut data = json!({
            "nodes": [{"path": "b/x.o", "kind": "file"}, {"path": "x.c", "kind": "file"},
                      {"path": "/usr/bin/cc", "kind": "file"}],
            "tasks": [
                [0, [0], [1], {"kind": "C", "path": ["."]}, [2]],
                {"targets": [2], "sources": [], "actions": []},
            ],
            "task_shapes": [{
                "template": [[["cc -o ", 0, " ", 1], ["CC ", 0], "cc", true]],
                "record": {"env": {"PATH": "/bin"}, "decider": "content",
                           "decider_function": null, "cache_dir": null, "action_text": ""},
            }],
        });
        expand_compact_tasks(&mut data).unwrap();
        assert!(data.get("task_shapes").is_none());
        assert_eq!(
            data["tasks"][0],
            json!({"targets": [0], "sources": [1], "deps": [], "scanner": {"kind": "C", "path": ["."]},
                   "actions": [{"kind": "command", "cmd": "cc -o b/x.o x.c", "show": "CC b/x.o",
                                "sig": "cc", "ignore_errors": true}],
                   "chdir": null, "requires": [], "side_effects": [], "implicit": [2],
                   "python_scanners": [], "env": {"PATH": "/bin"}, "decider": "content",
                   "decider_function": null, "cache_dir": null, "action_text": ""})
        );
        assert_eq!(data["tasks"][1]["targets"], json!([2]));
    }

    #[test]
    fn kinds_become_the_probes_that_stand_for_them() {
        let mut inputs = json!({
            "kinds": {"/a": 0, "/b": 1, "/c": 2, "/d": 3},
            "probes": [["/a", "isfile", false], ["/b", "exists", true], ["/b", "islink", false],
                       ["/c", "isdir", false], ["/e", "exists", true]],
        });
        expand_kinds(&mut inputs);
        let mut probes: Vec<(String, String, bool)> =
            serde_json::from_value(inputs["probes"].clone()).unwrap();
        probes.sort();
        let want: Vec<(String, String, bool)> = [
            ("/a", "exists", false),
            ("/b", "isfile", true),
            ("/b", "islink", false),
            ("/c", "isdir", false),
            ("/c", "isdir", true),
            ("/d", "exists", true),
            ("/d", "isdir", false),
            ("/d", "isfile", false),
            ("/e", "exists", true),
        ]
        .iter()
        .map(|(p, k, r)| (p.to_string(), k.to_string(), *r))
        .collect();
        assert_eq!(probes, want);
        assert!(inputs.get("kinds").is_none());
    }
}
