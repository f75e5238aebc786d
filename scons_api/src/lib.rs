//! scons_api: the SCons front end. It runs SConstruct/SConscript files in an embedded Python
//! (RustPython) against docons's own implementation of the SCons API (the `SCons` package under
//! `python/`, frozen into the binary) and returns the declared graph as plain data (`records`).
//! It knows nothing about running commands.

pub mod records;

use rustpython_vm::{compiler::Mode, Interpreter, Settings};
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
    /// Plain words and options the engine does not know, in order (for `AddOption`).
    pub leftover: Vec<String>,
    /// The names in `options` that the command line set (`SetOption` does not override them).
    pub given_options: Vec<String>,
    pub options: serde_json::Map<String, serde_json::Value>,
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
    __result = ("ok", SCons._docons.read(json.loads(__request)))
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
        let defs = rustpython_stdlib::stdlib_module_defs(&builder.ctx);
        let mut builder = builder
            .add_native_modules(&defs)
            .add_frozen_modules(rustpython_pylib::FROZEN_STDLIB);
        if frontend_dir.is_none() {
            builder = builder.add_frozen_modules(rustpython_vm::py_freeze!(dir = "../python"));
        }
        FrontEnd {
            interpreter: builder.build(),
            frontend_dir,
        }
    }

    /// Run the SConstruct and return the graph it declared.
    pub fn read(&self, request: &ReadRequest) -> Result<BuildGraph, ReadError> {
        let request_json =
            serde_json::to_string(request).map_err(|e| ReadError::Internal(e.to_string()))?;
        let frontend_dir = self.frontend_dir.clone().unwrap_or_default();
        let outcome: Result<(String, String, i32), String> = self.interpreter.enter(|vm| {
            let scope = vm.new_scope_with_builtins();
            let set = |name: &str, value: &str| {
                scope
                    .globals
                    .set_item(name, vm.ctx.new_str(value).into(), vm)
                    .map_err(|_| format!("cannot set {name}"))
            };
            set("__request", &request_json)?;
            set("__report_source", include_str!("report.py"))?;
            set("__frontend_dir", &frontend_dir)?;
            let code = vm
                .compile(DRIVER, Mode::Exec, "<docons>".to_owned())
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
            let part = |i: usize| -> Result<rustpython_vm::PyObjectRef, String> {
                result
                    .get_item(&i, vm)
                    .map_err(|_| format!("result item {i} missing"))
            };
            let kind = part(0)?
                .str(vm)
                .map_err(|_| "bad result".to_owned())?
                .to_string_lossy()
                .into_owned();
            let text = part(1)?
                .str(vm)
                .map_err(|_| "bad result".to_owned())?
                .to_string_lossy()
                .into_owned();
            let status = if kind == "error" {
                part(2)?
                    .try_into_value::<i32>(vm)
                    .map_err(|_| "bad status".to_owned())?
            } else {
                0
            };
            Ok((kind, text, status))
        });
        match outcome {
            Err(e) => Err(ReadError::Internal(e)),
            Ok((kind, text, status)) if kind == "error" => Err(ReadError::Script {
                stderr: text,
                status,
            }),
            Ok((_, json, _)) => BuildGraph::from_json(&json)
                .map_err(|e| ReadError::Internal(format!("front end gave a bad graph: {e}"))),
        }
    }
}

const RUN_ACTION: &str = r#"
import SCons._docons
__result = SCons._docons.run_action(__id)
"#;

impl PythonActions for FrontEnd {
    fn run_python_action(
        &self,
        id: u64,
        _targets: &[String],
        _sources: &[String],
    ) -> Result<(), String> {
        let outcome: Result<(i64, String), String> = self.interpreter.enter(|vm| {
            let scope = vm.new_scope_with_builtins();
            scope
                .globals
                .set_item("__id", vm.ctx.new_int(id).into(), vm)
                .map_err(|_| "cannot set __id".to_owned())?;
            let code = vm
                .compile(RUN_ACTION, Mode::Exec, "<docons action>".to_owned())
                .map_err(|e| format!("docons action driver does not compile: {e}"))?;
            if let Err(exc) = vm.run_code_obj(code, scope.clone()) {
                let mut text = String::new();
                let _ = vm.write_exception(&mut text, &exc);
                return Err(text.trim_end().to_owned());
            }
            let result = scope
                .globals
                .get_item("__result", vm)
                .map_err(|_| "no result".to_owned())?;
            let status = result
                .get_item(&0, vm)
                .and_then(|s| s.try_into_value::<i64>(vm))
                .map_err(|_| "bad action status".to_owned())?;
            let text = result
                .get_item(&1, vm)
                .and_then(|s| s.str(vm))
                .map_err(|_| "bad action result".to_owned())?
                .to_string_lossy()
                .into_owned();
            Ok((status, text))
        });
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
        self.interpreter.enter(|vm| {
            let scope = vm.new_scope_with_builtins();
            for (name, value) in [("__kind", kind), ("__args", args_json)] {
                scope
                    .globals
                    .set_item(name, vm.ctx.new_str(value).into(), vm)
                    .map_err(|_| format!("cannot set {name}"))?;
            }
            let code = vm
                .compile(CALLBACK_DRIVER, Mode::Exec, "<docons>".to_owned())
                .map_err(|e| format!("docons callback does not compile: {e}"))?;
            if let Err(exc) = vm.run_code_obj(code, scope.clone()) {
                let mut text = String::new();
                let _ = vm.write_exception(&mut text, &exc);
                return Err(text);
            }
            let result = scope
                .globals
                .get_item("__result", vm)
                .map_err(|_| "no result".to_owned())?;
            let part = |i: usize| -> Result<String, String> {
                Ok(result
                    .get_item(&i, vm)
                    .map_err(|_| format!("result item {i} missing"))?
                    .str(vm)
                    .map_err(|_| "bad result".to_owned())?
                    .to_string_lossy()
                    .into_owned())
            };
            let kind = part(0)?;
            let text = part(1)?;
            if kind == "ok" {
                Ok(text)
            } else {
                Err(text)
            }
        })
    }
}
