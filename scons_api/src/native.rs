//! `_docons_native`: hot spots of the front end done in Rust (the pure-Python versions are slow
//! under RustPython). `SCons/_native.py` uses them when present (and keeps Python fallbacks, so
//! the front end also runs under CPython).

pub(crate) use _docons_native::module_def;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The engine's "build interrupted" flag, set by its own Ctrl-C handling.
static INTERRUPT_FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Hand the engine's interrupted flag to the front end: calling the Python-visible SIGINT handler
/// (`signal.getsignal(signal.SIGINT)(signal.SIGINT, None)`, as SCons's own tests do from a
/// function action) then stops the build exactly as a Ctrl-C does.
pub fn set_interrupt_flag(flag: Arc<AtomicBool>) {
    let _ = INTERRUPT_FLAG.set(flag);
}

/// What the SIGINT handler does when called from Python: set the engine's flag, or, with no
/// engine listening, deliver a real SIGINT to the process.
fn interrupt() {
    match INTERRUPT_FLAG.get() {
        Some(flag) => flag.store(true, Ordering::SeqCst),
        None => unsafe {
            libc::raise(libc::SIGINT);
        },
    }
}

/// `posixpath.normpath` for a str, exactly (CPython's algorithm).
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let initial = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut comps: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if comp != ".." || (initial == 0 && comps.is_empty()) || comps.last() == Some(&"..") {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let mut out = "/".repeat(initial);
    out.push_str(&comps.join("/"));
    if out.is_empty() {
        ".".to_owned()
    } else {
        out
    }
}

/// `posixpath.join(a, *p)` for strs, exactly.
pub fn join(first: &str, rest: &[&str]) -> String {
    let mut path = first.to_owned();
    for b in rest {
        if b.starts_with('/') {
            path = (*b).to_owned();
        } else if path.is_empty() || path.ends_with('/') {
            path.push_str(b);
        } else {
            path.push('/');
            path.push_str(b);
        }
    }
    path
}

/// What a path is on disk, following symbolic links as `os.stat` does: the one `stat` that answers
/// `os.path.exists`, `isfile` and `isdir` at once.
pub fn stat_kind(path: &str) -> i32 {
    match std::fs::metadata(path) {
        Err(_) => KIND_MISSING,
        Ok(m) if m.is_file() => KIND_FILE,
        Ok(m) if m.is_dir() => KIND_DIR,
        Ok(_) => KIND_OTHER,
    }
}

/// `stat_kind` answers (the same numbers as `SCons/_inputs.py`).
pub const KIND_MISSING: i32 = 0;
pub const KIND_FILE: i32 = 1;
pub const KIND_DIR: i32 = 2;
pub const KIND_OTHER: i32 = 3;

/// `semi_deepcopy` of `_docons_native` (see there).
fn semi_deepcopy(
    obj: rustpython_vm::PyObjectRef,
    fallback: &rustpython_vm::PyObjectRef,
    shared: &rustpython_vm::builtins::PyDict,
    vm: &rustpython_vm::VirtualMachine,
) -> rustpython_vm::PyResult<rustpython_vm::PyObjectRef> {
    use rustpython_vm::builtins::{PyDict, PyList, PyTuple};
    use rustpython_vm::AsObject;
    let types = &vm.ctx.types;
    let class = obj.class();
    if class.is(types.str_type)
        || class.is(types.int_type)
        || class.is(types.float_type)
        || class.is(types.bool_type)
        || vm.is_none(&obj)
        || shared.contains_key(class.as_object(), vm)
    {
        return Ok(obj);
    }
    if class.is(types.dict_type) {
        let d = obj.downcast_ref::<PyDict>().expect("a dict");
        let copy = vm.ctx.new_dict();
        for (k, v) in d.items_vec() {
            copy.set_item(&*k, semi_deepcopy(v, fallback, shared, vm)?, vm)?;
        }
        return Ok(copy.into());
    }
    if class.is(types.list_type) {
        let items = obj
            .downcast_ref::<PyList>()
            .expect("a list")
            .borrow_vec()
            .to_vec();
        let copy = items
            .into_iter()
            .map(|v| semi_deepcopy(v, fallback, shared, vm))
            .collect::<rustpython_vm::PyResult<Vec<_>>>()?;
        return Ok(vm.ctx.new_list(copy).into());
    }
    if class.is(types.tuple_type) {
        let items = obj.downcast_ref::<PyTuple>().expect("a tuple").to_vec();
        let copy = items
            .into_iter()
            .map(|v| semi_deepcopy(v, fallback, shared, vm))
            .collect::<rustpython_vm::PyResult<Vec<_>>>()?;
        return Ok(vm.ctx.new_tuple(copy).into());
    }
    fallback.call((obj,), vm)
}

#[rustpython_vm::pymodule]
mod _docons_native {
    use rustpython_vm::{builtins::PyStrRef, function::PosArgs, PyResult, VirtualMachine};

    /// A path argument as UTF-8 (a path with surrogates is refused).
    fn utf8<'a>(path: &'a PyStrRef, vm: &VirtualMachine) -> PyResult<&'a str> {
        path.to_str()
            .ok_or_else(|| vm.new_value_error("surrogates in path"))
    }

    /// normpath(str) -> str, as posixpath.normpath.
    #[pyfunction]
    fn normpath(path: PyStrRef, vm: &VirtualMachine) -> PyResult<String> {
        Ok(super::normpath(utf8(&path, vm)?))
    }

    /// join_norm(base, name) -> str, as posixpath.normpath(posixpath.join(base, name)).
    #[pyfunction]
    fn join_norm(base: PyStrRef, name: PyStrRef, vm: &VirtualMachine) -> PyResult<String> {
        let joined = super::join(utf8(&base, vm)?, &[utf8(&name, vm)?]);
        Ok(super::normpath(&joined))
    }

    /// stat_kind(str) -> int: 0 missing, 1 file, 2 folder, 3 something else (see `stat_kind`).
    #[pyfunction]
    fn stat_kind(path: PyStrRef, vm: &VirtualMachine) -> PyResult<i32> {
        Ok(super::stat_kind(utf8(&path, vm)?))
    }

    /// fs_lookup(state, directory, name, want_file) -> node or None: `FS._lookup` of a relative
    /// name as an Entry (or a File) in Rust when nothing unusual is involved (see `node_lookup`).
    #[pyfunction]
    fn fs_lookup(
        state: rustpython_vm::builtins::PyTupleRef,
        directory: rustpython_vm::PyObjectRef,
        name: PyStrRef,
        want_file: bool,
        vm: &VirtualMachine,
    ) -> PyResult<Option<rustpython_vm::PyObjectRef>> {
        match name.to_str() {
            Some(n) => crate::node_lookup::lookup(&state, &directory, n, want_file, vm),
            None => Ok(None),
        }
    }

    /// splitext(str) -> (root, suffix), as `SCons.Util.splitext`: `os.path.splitext`, except
    /// that an all-digit suffix (a version number, `.1`) is none.
    #[pyfunction]
    fn splitext(path: PyStrRef, vm: &VirtualMachine) -> PyResult<rustpython_vm::PyObjectRef> {
        let whole = || -> PyResult<rustpython_vm::PyObjectRef> {
            Ok(vm
                .ctx
                .new_tuple(vec![path.clone().into(), vm.ctx.new_str("").into()])
                .into())
        };
        let p = utf8(&path, vm)?;
        let Some(dot) = p.rfind('.') else {
            return whole();
        };
        if p.rfind('/').is_some_and(|slash| slash > dot) {
            return whole();
        }
        let tail = &p[dot + 1..];
        let digits = if tail.is_ascii() {
            !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit())
        } else {
            // (str.isdigit knows the other scripts' digits)
            let tail: rustpython_vm::PyObjectRef = vm.ctx.new_str(tail).into();
            vm.call_method(&tail, "isdigit", ())?.try_to_bool(vm)?
        };
        if digits {
            return whole();
        }
        Ok(vm
            .ctx
            .new_tuple(vec![
                vm.ctx.new_str(&p[..dot]).into(),
                vm.ctx.new_str(&p[dot..]).into(),
            ])
            .into())
    }

    /// node_records(nodes, start) -> [record]: the graph's records `{"path", "kind"}` of
    /// `nodes[start:]` up to the first node that has more to say than its path and kind (flags,
    /// Clean, Ignore, Depends, folder actions, a decider of its own; see
    /// `_Writer.node_record` in `SCons/_docons.py`), or that is no file or folder.
    #[pyfunction]
    fn node_records(
        nodes: rustpython_vm::builtins::PyListRef,
        start: usize,
        vm: &VirtualMachine,
    ) -> PyResult<Vec<rustpython_vm::PyObjectRef>> {
        let items: Vec<rustpython_vm::PyObjectRef> =
            nodes.borrow_vec().get(start..).unwrap_or(&[]).to_vec();
        let mut out = Vec::with_capacity(items.len());
        for n in &items {
            match crate::node_lookup::plain_node_record(n, vm)? {
                Some(record) => out.push(record),
                None => break,
            }
        }
        Ok(out)
    }

    /// plain_task_nodes(state, targets, sources) -> (target ids, source ids, sources read) or
    /// None: see `node_lookup::plain_task_nodes`.
    #[pyfunction]
    fn plain_task_nodes(
        state: rustpython_vm::builtins::PyTupleRef,
        targets: rustpython_vm::builtins::PyListRef,
        sources: rustpython_vm::builtins::PyListRef,
        vm: &VirtualMachine,
    ) -> PyResult<rustpython_vm::PyObjectRef> {
        let targets = targets.borrow_vec().to_vec();
        let sources = sources.borrow_vec().to_vec();
        Ok(
            match crate::node_lookup::plain_task_nodes(&state, &targets, &sources, vm)? {
                None => vm.ctx.none(),
                Some((t, s, read)) => {
                    let ids = |v: Vec<usize>| -> rustpython_vm::PyObjectRef {
                        vm.ctx
                            .new_list(v.into_iter().map(|i| vm.ctx.new_int(i).into()).collect())
                            .into()
                    };
                    vm.ctx
                        .new_tuple(vec![ids(t), ids(s), vm.ctx.new_list(read).into()])
                        .into()
                }
            },
        )
    }

    /// semi_deepcopy(obj, fallback, shared) -> copy: `SCons.Util.semi_deepcopy` for the plain
    /// values (dicts, lists and tuples copied; str/int/float/bool/None and the objects whose type
    /// is a key of the dict `shared` kept); anything else is `fallback(obj)`.
    #[pyfunction]
    fn semi_deepcopy(
        obj: rustpython_vm::PyObjectRef,
        fallback: rustpython_vm::PyObjectRef,
        shared: rustpython_vm::builtins::PyDictRef,
        vm: &VirtualMachine,
    ) -> PyResult<rustpython_vm::PyObjectRef> {
        super::semi_deepcopy(obj, &fallback, &shared, vm)
    }

    /// sigint_handler(signum, frame): the SIGINT handler Python code sees; calling it interrupts
    /// the build as a Ctrl-C does (the engine's own handler stays installed in the OS).
    #[pyfunction]
    fn sigint_handler(_args: PosArgs) {
        super::interrupt();
    }

    /// join(str, *str) -> str, as posixpath.join.
    #[pyfunction]
    fn join(first: PyStrRef, rest: PosArgs<PyStrRef>, vm: &VirtualMachine) -> PyResult<String> {
        let rest: Vec<PyStrRef> = rest.into_vec();
        let parts = rest
            .iter()
            .map(|r| utf8(r, vm))
            .collect::<PyResult<Vec<&str>>>()?;
        Ok(super::join(utf8(&first, vm)?, &parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_as_cpython() {
        for (p, want) in [
            ("", "."),
            ("/", "/"),
            ("//", "//"),
            ("///", "/"),
            ("//a/../b", "//b"),
            ("a/./b/../c/", "a/c"),
            ("../a/..", ".."),
            ("../../a", "../../a"),
            ("/../a", "/a"),
            ("a/..", "."),
            ("./", "."),
            ("/tmp/x/../y//z/.", "/tmp/y/z"),
        ] {
            assert_eq!(normpath(p), want, "{p}");
        }
    }

    #[test]
    fn join_as_cpython() {
        assert_eq!(join("a", &["b", "c"]), "a/b/c");
        assert_eq!(join("a/", &["b"]), "a/b");
        assert_eq!(join("a", &["/b", "c"]), "/b/c");
        assert_eq!(join("", &["b"]), "b");
        assert_eq!(join("a", &[""]), "a/");
        assert_eq!(join("a", &[]), "a");
    }
}
