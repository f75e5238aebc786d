//! The node registry's usual lookup done in Rust: `FS._lookup` of a relative name as an Entry or
//! a File (`SCons/Node/FS.py`), working on the registry's own Python objects (its `_nodes` dict,
//! the folders' `entries`, the variant-dir map, the `path_kind` answers of `SCons/_inputs.py`).
//! It gives exactly what the Python code gives, or `None` ("do it in Python") as soon as anything
//! is unusual: a missing parent folder, a node of another class, a folder where a file was
//! looked for, a variant dir whose source is itself in a variant dir. Before it returns `None` it
//! has changed nothing but the `path_kind` answers, which the Python code gives again.
//! Also the graph's record of a node with nothing more than its path and kind (`node_records`).

use crate::native::{join, normpath, stat_kind, KIND_DIR, KIND_FILE, KIND_MISSING};
use rustpython_vm::{
    builtins::{PyDict, PyDictRef, PyList, PyStr, PyTuple, PyType},
    AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine,
};

/// What `FS._native_state()` hands over, once per FS (all objects keep their identity):
/// `(nodes, variant_map, kinds, recording, fs, Entry, File, Dir, top_abspath, top_prefix)`.
struct Registry<'a> {
    nodes: &'a Py<PyDict>,
    variant_map: &'a Py<PyDict>,
    kinds: &'a Py<PyDict>,
    recording: bool,
    fs: &'a PyObjectRef,
    entry_class: &'a Py<PyType>,
    file_class: &'a Py<PyType>,
    dir_class: &'a Py<PyType>,
    top: &'a str,
    top_prefix: &'a str,
}

/// Where a missing path's variant-dir source is, as `FS._entry_src` tells it.
enum Source {
    /// Not inside a variant dir.
    None,
    /// The `path_kind` of the source-dir path (whose node now exists).
    Found(i32),
    /// Leave it to the Python code.
    Fallback,
}

fn unpack<'a>(state: &'a PyTuple, vm: &VirtualMachine) -> Option<Registry<'a>> {
    let [nodes, variant_map, kinds, recording, fs, entry, file, dir, top, prefix] = &state[..]
    else {
        return None;
    };
    let recording = recording
        .downcast_ref::<PyList>()?
        .borrow_vec()
        .first()
        .is_some_and(|r| r.is(&vm.ctx.true_value));
    Some(Registry {
        nodes: nodes.downcast_ref::<PyDict>()?,
        variant_map: variant_map.downcast_ref::<PyDict>()?,
        kinds: kinds.downcast_ref::<PyDict>()?,
        recording,
        fs,
        entry_class: entry.downcast_ref::<PyType>()?,
        file_class: file.downcast_ref::<PyType>()?,
        dir_class: dir.downcast_ref::<PyType>()?,
        top: top.downcast_ref::<PyStr>()?.to_str()?,
        top_prefix: prefix.downcast_ref::<PyStr>()?.to_str()?,
    })
}

/// `_parent_path` of `SCons/Node/FS.py`: `os.path.dirname` of a normalised absolute path.
fn parent_path(abspath: &str) -> &str {
    let head = &abspath[..abspath.rfind('/').map_or(0, |i| i + 1)];
    if head.bytes().all(|b| b == b'/') {
        head
    } else {
        head.trim_end_matches('/')
    }
}

/// A str item of a node's `__dict__`.
fn dict_str(obj: &PyObject, key: &str, vm: &VirtualMachine) -> Option<String> {
    let value = obj.dict()?.get_item_opt(key, vm).ok()??;
    value.downcast_ref::<PyStr>()?.to_str().map(str::to_owned)
}

impl Registry<'_> {
    fn node(&self, abspath: &str, vm: &VirtualMachine) -> PyResult<Option<PyObjectRef>> {
        self.nodes.get_item_opt(abspath, vm)
    }

    /// The folder node at `abspath` and its `entries` dict, when it exists as a plain Dir.
    fn folder(
        &self,
        abspath: &str,
        vm: &VirtualMachine,
    ) -> PyResult<Option<(PyObjectRef, PyDictRef)>> {
        let Some(d) = self.node(abspath, vm)? else {
            return Ok(None);
        };
        if !d.class().is(self.dir_class) {
            return Ok(None);
        }
        let entries = d
            .dict()
            .and_then(|dict| dict.get_item_opt("entries", vm).ok().flatten())
            .and_then(|e| e.downcast::<PyDict>().ok());
        Ok(entries.map(|e| (d, e)))
    }

    /// `path_kind`: one stat, noted while the scripts run.
    fn path_kind(&self, abspath: &str, vm: &VirtualMachine) -> PyResult<i32> {
        let kind = stat_kind(abspath);
        if self.recording {
            self.kinds
                .set_item(abspath, vm.ctx.new_int(kind).into(), vm)?;
        }
        Ok(kind)
    }

    /// The variant dir holding `abspath` (itself or a folder above): (its path, its source folder's).
    fn variant_of(
        &self,
        abspath: &str,
        vm: &VirtualMachine,
    ) -> PyResult<Option<(String, Option<String>)>> {
        Ok(self.variant_hit(abspath, vm)?.map(|(path, entry)| {
            let src = entry.get(1).and_then(|s| dict_str(s, "abspath", vm));
            (path, src)
        }))
    }

    /// The variant dir holding `abspath` (itself or a folder above): its path and its
    /// `(variant Dir, src Dir, duplicate)` entry.
    fn variant_hit(
        &self,
        abspath: &str,
        vm: &VirtualMachine,
    ) -> PyResult<Option<(String, Vec<PyObjectRef>)>> {
        if self.variant_map.is_empty() {
            return Ok(None);
        }
        let mut p = abspath;
        loop {
            if let Some(hit) = self.variant_map.get_item_opt(p, vm)? {
                let Some(t) = hit.downcast_ref::<PyTuple>() else {
                    return Ok(Some((p.to_owned(), Vec::new())));
                };
                return Ok(Some((p.to_owned(), t.to_vec())));
            }
            let up = parent_path(p);
            if up == p {
                return Ok(None);
            }
            p = up;
        }
    }

    /// A new File/Entry node (as `Base.__init__` makes it), registered in its folder.
    fn make(
        &self,
        class: &Py<PyType>,
        abspath: &str,
        parent: PyObjectRef,
        entries: &Py<PyDict>,
        vm: &VirtualMachine,
    ) -> PyResult<PyObjectRef> {
        let name = &abspath[abspath.rfind('/').map_or(0, |i| i + 1)..];
        let path = if abspath == self.top {
            "."
        } else if let Some(rel) = abspath.strip_prefix(self.top_prefix) {
            rel
        } else {
            abspath
        };
        let dict = vm.ctx.new_dict();
        dict.set_item("fs", self.fs.clone(), vm)?;
        dict.set_item("abspath", vm.ctx.new_str(abspath).into(), vm)?;
        dict.set_item("_dir", parent, vm)?;
        dict.set_item("name", vm.ctx.new_str(name).into(), vm)?;
        dict.set_item("path", vm.ctx.new_str(path).into(), vm)?;
        let node = vm.ctx.new_base_object(class.to_owned(), Some(dict));
        self.nodes.set_item(abspath, node.clone(), vm)?;
        entries.set_item(name, node.clone(), vm)?;
        Ok(node)
    }

    /// `FS._entry_src` for a missing path not in the registry.
    fn entry_src(&self, abspath: &str, vm: &VirtualMachine) -> PyResult<Source> {
        let Some((variant, src)) = self.variant_of(abspath, vm)? else {
            return Ok(Source::None);
        };
        let Some(src) = src else {
            return Ok(Source::Fallback);
        };
        let rel = abspath[variant.len()..].trim_start_matches('/');
        let src_path = if rel.is_empty() {
            src
        } else {
            normpath(&join(&src, &[rel]))
        };
        if self.node(&src_path, vm)?.is_some() {
            return Ok(Source::Found(self.path_kind(&src_path, vm)?));
        }
        let Some((folder, entries)) = self.folder(parent_path(&src_path), vm)? else {
            return Ok(Source::Fallback);
        };
        let here = self.path_kind(&src_path, vm)?;
        if here == KIND_DIR || (here == KIND_MISSING && self.variant_of(&src_path, vm)?.is_some()) {
            return Ok(Source::Fallback);
        }
        let class = if here == KIND_FILE {
            self.file_class
        } else {
            self.entry_class
        };
        self.make(class, &src_path, folder, &entries, vm)?;
        Ok(Source::Found(here))
    }
}

/// The keys of a node's `__dict__` that give its graph record more than its path and kind.
const NODE_EXTRAS: [&str; 6] = [
    "flags",
    "clean",
    "ignore",
    "depends",
    "pre_actions",
    "post_actions",
];

/// `{"path": node.path, "kind": node.kind}` for a file or folder node none of whose `NODE_EXTRAS`
/// holds anything and that has no decider; else None.
pub fn plain_node_record(node: &PyObject, vm: &VirtualMachine) -> PyResult<Option<PyObjectRef>> {
    let none = || Ok(None);
    let Some(dict) = node.dict() else {
        return none();
    };
    for key in NODE_EXTRAS {
        if let Some(v) = dict.get_item_opt(key, vm)? {
            let empty = match (v.downcast_ref::<PyList>(), v.downcast_ref::<PyDict>()) {
                (Some(l), _) => l.borrow_vec().is_empty(),
                (_, Some(d)) => d.is_empty(),
                _ => false,
            };
            if !empty {
                return none();
            }
        }
    }
    if !vm.is_none(&*node.get_attr("decider", vm)?) {
        return none();
    }
    let kind = node.get_attr("kind", vm)?;
    let path = node.get_attr("path", vm)?;
    let plain_kind = kind
        .downcast_ref::<PyStr>()
        .and_then(|k| k.to_str())
        .is_some_and(|k| k == "file" || k == "dir");
    if !plain_kind || path.downcast_ref::<PyStr>().is_none() {
        return none();
    }
    let record = vm.ctx.new_dict();
    record.set_item("path", path, vm)?;
    record.set_item("kind", kind, vm)?;
    Ok(Some(record.into()))
}

/// The node a task reads for `node` (the writer's `map_source` in `SCons/_docons.py`): a file no
/// task builds inside a variant dir with `duplicate=0` stands for its source-dir node, and so on
/// up; `None` when Python must tell (a `duplicate=1` copy, a source node not made yet).
fn mapped_source(
    reg: &Registry,
    node: &PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    let mut node = node.clone();
    for _ in 0..16 {
        if !vm.is_none(&*node.get_attr("task", vm)?) {
            return Ok(Some(node));
        }
        let kind = node.get_attr("kind", vm)?;
        if kind.downcast_ref::<PyStr>().and_then(|k| k.to_str()) != Some("file") {
            return Ok(Some(node));
        }
        let Some(abspath) = dict_str(&node, "abspath", vm) else {
            return Ok(None);
        };
        let Some((variant, hit)) = reg.variant_hit(&abspath, vm)? else {
            return Ok(Some(node));
        };
        let duplicate = hit.get(2).map(|d| d.clone().try_to_bool(vm)).transpose()?;
        let src = hit.get(1).and_then(|s| dict_str(s, "abspath", vm));
        let (Some(false), Some(src)) = (duplicate, src) else {
            return Ok(None);
        };
        let rel = abspath[variant.len()..].trim_start_matches('/');
        let src_path = if rel.is_empty() {
            src
        } else {
            normpath(&join(&src, &[rel]))
        };
        let Some(src_node) = reg.node(&src_path, vm)? else {
            return Ok(None);
        };
        if src_node.is(&node) {
            return Ok(Some(node));
        }
        node = src_node;
    }
    Ok(None)
}

/// A plain task's (target ids, source ids, sources read): see `plain_task_nodes`.
pub type PlainTaskNodes = (Vec<usize>, Vec<usize>, Vec<PyObjectRef>);

/// `_Writer.plain_task`'s look at a task's nodes (`SCons/_docons.py`): with `state` its
/// `(registry state, ids, node_objs, plain classes)`, the (target ids, source ids, sources read)
/// of a task whose targets and read sources are all of the plain classes, have paths without a
/// space or tab, and whose targets have no pre/post actions, Depends, Requires or side effects;
/// the ids are given (`_Writer.nid`, targets then sources) only then. Else `None`.
pub fn plain_task_nodes(
    state: &PyTuple,
    targets: &[PyObjectRef],
    sources: &[PyObjectRef],
    vm: &VirtualMachine,
) -> PyResult<Option<PlainTaskNodes>> {
    let [registry, ids, node_objs, plain] = &state[..] else {
        return Ok(None);
    };
    let (Some(registry), Some(ids), Some(node_objs), Some(plain)) = (
        registry.downcast_ref::<PyTuple>(),
        ids.downcast_ref::<PyDict>(),
        node_objs.downcast_ref::<PyList>(),
        plain.downcast_ref::<PyTuple>(),
    ) else {
        return Ok(None);
    };
    let Some(reg) = unpack(registry, vm) else {
        return Ok(None);
    };
    let is_plain = |n: &PyObjectRef| -> bool {
        let class = n.class();
        plain.iter().any(|c| c.is(class))
            && dict_str(n, "path", vm).is_some_and(|p| !p.contains([' ', '\t']))
    };
    for t in targets {
        if !is_plain(t) {
            return Ok(None);
        }
        let Some(dict) = t.dict() else {
            return Ok(None);
        };
        for key in [
            "pre_actions",
            "post_actions",
            "depends",
            "prerequisites",
            "side_effects",
        ] {
            if dict.contains_key(key, vm) {
                return Ok(None);
            }
        }
    }
    let mut read = Vec::with_capacity(sources.len());
    for s in sources {
        let Some(m) = mapped_source(&reg, s, vm)? else {
            return Ok(None);
        };
        if !is_plain(&m) {
            return Ok(None);
        }
        read.push(m);
    }
    let mut nid = |n: &PyObjectRef| -> PyResult<usize> {
        if let Some(i) = ids.get_item_opt(&**n, vm)? {
            return i.try_into_value::<usize>(vm);
        }
        let i = node_objs.borrow_vec().len();
        ids.set_item(&**n, vm.ctx.new_int(i).into(), vm)?;
        node_objs.borrow_vec_mut().push(n.clone());
        Ok(i)
    };
    let target_ids = targets.iter().map(&mut nid).collect::<PyResult<Vec<_>>>()?;
    let source_ids = read.iter().map(&mut nid).collect::<PyResult<Vec<_>>>()?;
    Ok(Some((target_ids, source_ids, read)))
}

/// `fs._lookup(name, directory, File if want_file else Entry)` for a relative `name` (not starting
/// with `#` or `/`), or `None`: see the module's doc.
pub fn lookup(
    state: &PyTuple,
    directory: &PyObject,
    name: &str,
    want_file: bool,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    let Some(reg) = unpack(state, vm) else {
        return Ok(None);
    };
    let Some(base) = dict_str(directory, "abspath", vm) else {
        return Ok(None);
    };
    let abspath = normpath(&join(&base, &[name]));
    if let Some(n) = reg.node(&abspath, vm)? {
        if !want_file || n.class().is(reg.file_class) {
            return Ok(Some(n));
        }
        return Ok(None);
    }
    let up = parent_path(&abspath);
    if up == abspath {
        return Ok(None);
    }
    let Some((parent, entries)) = reg.folder(up, vm)? else {
        return Ok(None);
    };
    let mut class = reg.file_class;
    if !want_file {
        let mut kind = reg.path_kind(&abspath, vm)?;
        if kind == KIND_MISSING {
            match reg.entry_src(&abspath, vm)? {
                Source::None => {}
                Source::Found(k) => kind = k,
                Source::Fallback => return Ok(None),
            }
        }
        if kind == KIND_DIR {
            return Ok(None);
        }
        if kind != KIND_FILE {
            class = reg.entry_class;
        }
    }
    reg.make(class, &abspath, parent, &entries, vm).map(Some)
}

#[cfg(test)]
mod tests {
    use super::parent_path;

    #[test]
    fn parent_path_as_dirname() {
        assert_eq!(parent_path("/a/b"), "/a");
        assert_eq!(parent_path("/a"), "/");
        assert_eq!(parent_path("/"), "/");
        assert_eq!(parent_path("//x"), "//");
    }
}
