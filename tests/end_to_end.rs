//! End-to-end tests: replay tests/scenarios/NAME.scn with the `docons` binary and compare the
//! transcript with tests/golden/NAME.txt, recorded from real SCons 4.11.1 by
//! tests/record_goldens.py (which documents the scenario language, the transcript and the
//! normalisation; this file implements the same).  Regenerate the goldens with
//!     python3 tests/record_goldens.py --scons /tmp/scons-ref/bin/scons
//! On a mismatch the test prints a diff and keeps the temp copy and the actual transcript.
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

const DOCONS: &str = env!("CARGO_BIN_EXE_docons");

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        const SCENARIOS: &[&str] = &[$(stringify!($name)),*];
        $( #[test] fn $name() { check_scenario(stringify!($name)); } )*
    };
}

scenarios!(
    add_option,
    command_lines,
    alias_action,
    decider_switch,
    fortran,
    icd_generated,
    scanner_argument,
    explain_deciders,
    explicit_exit,
    climb_local,
    dependency_cycle,
    engine_warnings,
    progress,
    build_failures,
    tree_option,
    user_scanner,
    cachedir,
    implicit_cache,
    help_options,
    alias_default,
    alt_file,
    arguments,
    clean,
    clean_function,
    clone_append,
    compile_error,
    comstr,
    command_options,
    configure,
    configure_variant_action,
    cpp_lib,
    deep_header,
    depends,
    requires_side_effect,
    dry_run,
    export_import,
    glob,
    hello_basic,
    hello_flags,
    help,
    keep_going,
    missing_source,
    override_,
    parse_config,
    part_escape,
    parallel,
    py_error,
    recursive_build,
    sconscript_calls,
    shared_lib,
    site_tools,
    syntax_error,
    targets_lists,
    updir,
    variables,
    variant_alias,
    versioned_lib,
    sigint_handler,
    folder_actions,
);

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Every .scn file must have a #[test] (the `override` scenario is the fn `override_`).
#[test]
fn every_scenario_has_a_test() {
    let mut on_disk: Vec<String> = fs::read_dir(tests_dir().join("scenarios"))
        .unwrap()
        .filter_map(|e| {
            e.unwrap()
                .file_name()
                .to_str()?
                .strip_suffix(".scn")
                .map(String::from)
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = SCENARIOS
        .iter()
        .map(|s| s.trim_end_matches('_').to_string())
        .collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "tests/scenarios/*.scn and the scenarios!() list differ"
    );
}

/// Split a line into words: bare words, or "double quoted" with \n \t \" \\ escapes;
/// a bare word starting with # starts a comment.
fn words(line: &str) -> Vec<String> {
    let c: Vec<char> = line.chars().collect();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < c.len() {
        if c[i].is_whitespace() {
            i += 1;
        } else if c[i] == '"' {
            let mut w = String::new();
            i += 1;
            while c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                    w.push(match c[i] {
                        'n' => '\n',
                        't' => '\t',
                        x => x,
                    });
                } else {
                    w.push(c[i]);
                }
                i += 1;
            }
            out.push(w);
            i += 1;
        } else if c[i] == '#' {
            break;
        } else {
            let j = (i..c.len())
                .find(|&j| c[j].is_whitespace())
                .unwrap_or(c.len());
            out.push(c[i..j].iter().collect());
            i = j;
        }
    }
    out
}

fn quote(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
            .replace('\t', "\\t")
    )
}

fn is_state(name: &str) -> bool {
    name.starts_with(".sconsign") || name.starts_with(".docons")
}

type Snapshot = BTreeMap<String, (u64, i128)>;

/// {relative path: (size, mtime ns)} of the files under top, and its folders as "path/";
/// with_state: also the engine's state files and folders.
fn snapshot(top: &Path, with_state: bool) -> Snapshot {
    fn walk(top: &Path, dir: &Path, with_state: bool, snap: &mut Snapshot) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            let rel = path
                .strip_prefix(top)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if !with_state && is_state(&name) {
                continue;
            }
            let lmeta = fs::symlink_metadata(&path).unwrap();
            if fs::metadata(&path).map(|m| m.is_dir()).unwrap_or(false) {
                snap.insert(rel + "/", (0, 0));
                if lmeta.is_dir() {
                    walk(top, &path, with_state, snap);
                }
            } else {
                let mtime = lmeta
                    .modified()
                    .unwrap()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap();
                snap.insert(rel, (lmeta.len(), mtime.as_nanos() as i128));
            }
        }
    }
    let mut snap = Snapshot::new();
    walk(top, top, with_state, &mut snap);
    snap
}

/// $TOP for the temp dir; drop traceback frames that are not under $TOP; optionally sort.
fn normalise(text: &[u8], top: &Path, unordered: bool) -> Vec<String> {
    let mut text = String::from_utf8_lossy(text)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let mut tops = vec![
        top.to_string_lossy().into_owned(),
        fs::canonicalize(top)
            .unwrap()
            .to_string_lossy()
            .into_owned(),
    ];
    tops.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for t in tops {
        text = text.replace(&t, "$TOP");
    }
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    let indent = |l: &str| l.len() - l.trim_start().len();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < lines.len() {
        let rest = lines[i].trim_start();
        let frame = rest.strip_prefix("File \"").and_then(|r| {
            let q = r.find('"')?;
            let digit = r[q..]
                .strip_prefix("\", line ")?
                .starts_with(|c: char| c.is_ascii_digit());
            digit.then(|| &r[..q])
        });
        if let Some(file) = frame {
            if !file.starts_with("$TOP") {
                let ind = indent(lines[i]);
                i += 1;
                if i < lines.len() && indent(lines[i]) > ind {
                    i += 1;
                }
                continue;
            }
        }
        out.push(lines[i].to_string());
        i += 1;
    }
    if unordered {
        out.sort();
    }
    out
}

fn bump_mtime(path: &Path) {
    let old = fs::metadata(path).unwrap().modified().unwrap();
    let t = SystemTime::now().max(old + Duration::from_secs(1));
    let f = fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_times(fs::FileTimes::new().set_accessed(t).set_modified(t))
        .unwrap();
}

/// Copy a scenario's tree as the repository has it: without what a build of it left (an
/// example built by hand, as the README's first command does, holds outputs and state that the
/// repository ignores). Outside a git checkout, everything is copied.
fn copy_tree(src: &Path, dst: &Path) {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(src)
        .output()
        .ok()
        .filter(|o| o.status.success());
    let Some(listed) = listed else {
        return copy_all(src, dst);
    };
    for rel in listed.stdout.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let rel = Path::new(std::ffi::OsStr::from_bytes(rel));
        let to = dst.join(rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(src.join(rel), to).unwrap();
    }
}

fn copy_all(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_all(&e.path(), &dst.join(e.file_name()));
        } else {
            fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
}

fn normpath(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

fn exit_text(st: std::process::ExitStatus) -> String {
    format!(
        "exit {}",
        st.code().unwrap_or_else(|| -st.signal().unwrap_or(0))
    )
}

/// Replays one scenario with docons; returns (transcript, temp dir).
fn run_scenario(name: &str) -> (String, PathBuf) {
    let scn =
        fs::read_to_string(tests_dir().join("scenarios").join(format!("{name}.scn"))).unwrap();
    let steps: Vec<Vec<String>> = scn.lines().map(words).filter(|w| !w.is_empty()).collect();
    assert_eq!(
        steps[0][0], "tree",
        "{name}: first step must be `tree NAME`"
    );
    let mut src = tests_dir().join("trees").join(&steps[0][1]);
    if !src.is_dir() {
        src = tests_dir()
            .parent()
            .unwrap()
            .join("examples")
            .join(&steps[0][1]);
    }
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let tmp =
        std::env::temp_dir().join(format!("docons-e2e-{name}-{}-{nanos}", std::process::id()));
    let top = tmp.join("top");
    fs::create_dir(&tmp).unwrap();
    copy_tree(&src, &top);
    let (mut cwd, mut out, mut before) = (
        ".".to_string(),
        vec![format!("# tree {}", steps[0][1])],
        None,
    );
    let p = |rel: &str| top.join(rel);
    let shown = |cwd: &str| {
        if cwd == "." {
            String::new()
        } else {
            format!("(cd {cwd}) ")
        }
    };
    for w in &steps[1..] {
        let (op, args) = (w[0].as_str(), &w[1..]);
        match op {
            "run" | "run-unordered" => {
                before = Some(snapshot(&top, true));
                let r = Command::new(DOCONS)
                    .args(args)
                    .current_dir(p(&cwd))
                    .env_remove("SCONSFLAGS")
                    .env("DOCONS_CHECK_PROOF", "1")
                    .stdin(Stdio::null())
                    .output()
                    .unwrap();
                let uno = op == "run-unordered";
                let sorted = if uno { " (sorted)" } else { "" };
                out.push(format!(
                    "$ {}{}",
                    shown(&cwd),
                    std::iter::once("scons")
                        .chain(args.iter().map(|s| s.as_str()))
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
                out.push(exit_text(r.status));
                out.push(format!("--- stdout{sorted}"));
                out.extend(normalise(&r.stdout, &top, uno));
                out.push(format!("--- stderr{sorted}"));
                out.extend(normalise(&r.stderr, &top, uno));
                out.push("--- files".into());
                out.extend(snapshot(&top, false).into_keys());
                out.push("---".into());
            }
            "exec" => {
                let prog = if args[0].contains('/') {
                    p(&cwd).join(&args[0])
                } else {
                    PathBuf::from(&args[0])
                };
                let r = Command::new(prog)
                    .args(&args[1..])
                    .current_dir(p(&cwd))
                    .env_remove("SCONSFLAGS")
                    .stdin(Stdio::null())
                    .output()
                    .unwrap();
                out.push(format!("$ {}{}", shown(&cwd), args.join(" ")));
                out.push(exit_text(r.status));
                out.push("--- stdout".into());
                out.extend(normalise(&r.stdout, &top, false));
                out.push("---".into());
            }
            "cd" => {
                cwd = normpath(&args[0]);
                out.push(format!("> cd {cwd}"));
            }
            "touch" | "write" | "append" | "replace" | "rm" => {
                let f = p(&args[0]);
                match op {
                    "write" | "append" => {
                        fs::create_dir_all(f.parent().unwrap()).unwrap();
                        let mut s = if op == "append" {
                            fs::read_to_string(&f).unwrap()
                        } else {
                            String::new()
                        };
                        s.push_str(&args[1]);
                        fs::write(&f, s).unwrap();
                    }
                    "replace" => {
                        let s = fs::read_to_string(&f).unwrap();
                        assert!(
                            s.contains(&args[1]),
                            "{name}: replace: {:?} not in {}",
                            args[1],
                            args[0]
                        );
                        fs::write(&f, s.replacen(&args[1], &args[2], 1)).unwrap();
                    }
                    _ => {}
                }
                if op == "rm" {
                    fs::remove_file(&f).unwrap()
                } else {
                    bump_mtime(&f)
                }
                let mut line = format!("> {op} {}", args[0]);
                for a in &args[1..] {
                    line += &format!(" {}", quote(a));
                }
                out.push(line);
            }
            "exists" | "missing" => {
                for a in args {
                    let ok = p(a).exists() == (op == "exists");
                    out.push(format!("{op} {a}: {}", if ok { "ok" } else { "FAILED" }));
                }
            }
            "nostate" => {
                let mut now = snapshot(&top, true);
                let before = before.as_ref().expect("nostate before any run step");
                if !before.contains_key(".sconsign.dblite")
                    && now.get(".sconsign.dblite").is_some_and(|m| m.0 == 0)
                {
                    now.remove(".sconsign.dblite");
                }
                let ok = &now == before;
                if !ok {
                    let changed: Vec<_> = before
                        .keys()
                        .chain(now.keys())
                        .filter(|k| before.get(*k) != now.get(*k))
                        .collect();
                    eprintln!("{name}: nostate: these changed: {changed:?}");
                }
                out.push(format!("nostate: {}", if ok { "ok" } else { "FAILED" }));
            }
            _ => panic!("{name}: unknown step {op:?}"),
        }
    }
    (out.join("\n") + "\n", tmp)
}

/// Line diff (LCS) with 3 lines of context; `-` golden (SCons), `+` actual (docons).
fn diff(expected: &str, actual: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut ops, mut i, mut j) = (Vec::new(), 0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i], i + 1));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i], i + 1));
            i += 1;
        } else {
            ops.push(('+', b[j], i + 1));
            j += 1;
        }
    }
    let near = |k: usize| {
        ops[k.saturating_sub(3)..(k + 4).min(ops.len())]
            .iter()
            .any(|o| o.0 != ' ')
    };
    let (mut s, mut printing, mut step) = (String::new(), false, "(start)");
    for (k, (c, l, n)) in ops.iter().enumerate() {
        if near(k) {
            if !printing {
                s += &format!("@@ golden line {n}, step `{step}`\n");
            }
            s += &format!("{c} {l}\n");
        }
        printing = near(k);
        if *c == ' ' && (l.starts_with("$ ") || l.starts_with("> ")) {
            step = l;
        }
    }
    s
}

/// The one documented difference in error text: docons's embedded Python (RustPython) has its
/// own parser, whose SyntaxError messages are worded differently from CPython's ("invalid
/// syntax" where CPython says "expected ':'"). The file, line, source line and caret still compare.
fn parser_wording(transcript: &str) -> String {
    transcript
        .lines()
        .map(|l| {
            if l.starts_with("SyntaxError: ") {
                "SyntaxError: <message>"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_scenario(name: &str) {
    let name = name.trim_end_matches('_');
    let golden_path = tests_dir().join("golden").join(format!("{name}.txt"));
    let expected = fs::read_to_string(&golden_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; record it with tests/record_goldens.py",
            golden_path.display()
        )
    });
    let (actual, tmp) = run_scenario(name);
    let (expected, actual) = (parser_wording(&expected), parser_wording(&actual));
    if actual == expected {
        let _ = fs::remove_dir_all(&tmp);
        return;
    }
    let actual_path = tmp.join(format!("{name}.actual.txt"));
    fs::write(&actual_path, &actual).unwrap();
    panic!(
        "scenario `{name}` differs from SCons's golden (- golden, + docons):\n{}\ngolden: {}\nactual: {} (the temp tree is kept next to it)",
        diff(&expected, &actual), golden_path.display(), actual_path.display()
    );
}
