//! The persistent graph: docons reuses the declared graph of the last run without running the
//! scripts, and every kind of input the scripts read makes the next run read them again.
//! `DOCONS_TIMINGS=1` makes docons say on stderr whether it reused the graph ("graph reused") or
//! ran the scripts ("scripts read").

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Tree {
    dir: PathBuf,
}

impl Tree {
    fn new(name: &str) -> Tree {
        let dir = std::env::temp_dir().join(format!("docons-reuse-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src")).unwrap();
        fs::create_dir_all(dir.join("site_scons")).unwrap();
        let t = Tree { dir };
        t.write(
            "SConstruct",
            "import os, sys\n\
             sys.path.insert(0, Dir('#site_scons').abspath)\n\
             from helper import FLAG\n\
             greeting = os.environ.get('GREETING', 'hello')\n\
             extra = open('config.txt').read().split()\n\
             print('greeting is ' + greeting)\n\
             env = Environment(CPPDEFINES=[FLAG] + extra)\n\
             if os.path.exists('optional.txt'):\n\
             \x20   env.Append(CPPDEFINES=['OPTIONAL'])\n\
             env.Program('app', Glob('src/*.c') + ARGUMENTS.get('more', '').split())\n\
             SConscript('sub/SConscript', exports='env')\n",
        );
        t.write("site_scons/helper.py", "FLAG = 'ONE'\n");
        t.write("config.txt", "A\n");
        t.write("src/main.c", "int main(void) { return 0; }\n");
        t.write("sub/SConscript", "Import('env')\n");
        t
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    /// Run docons; returns (reused the graph?, stdout).
    fn run(&self, args: &[&str], envs: &[(&str, &str)]) -> (bool, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_docons"));
        cmd.args(args)
            .current_dir(&self.dir)
            .env("DOCONS_TIMINGS", "1")
            .env("DOCONS_CHECK_PROOF", "1");
        cmd.env_remove("GREETING");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "docons failed:\n{stdout}\n{stderr}");
        // (a no-op that the proof of the last build answers uses the kept graph without
        // decoding it)
        let reused = stderr.contains("graph reused") || stderr.contains("proof replayed");
        assert!(
            reused || stderr.contains("scripts read"),
            "no timing line in:\n{stderr}"
        );
        (reused, stdout)
    }

    /// Run docons with `args` (and `DOCONS_TIMINGS`); it must succeed. (stdout, stderr)
    fn output(&self, args: &[&str]) -> (String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_docons"))
            .args(args)
            .current_dir(&self.dir)
            .env("DOCONS_TIMINGS", "1")
            .env("DOCONS_CHECK_PROOF", "1")
            .output()
            .unwrap();
        assert!(out.status.success());
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Run the no-op build `args` until the proof of the last build answers it (a proof does
    /// not vouch for a file modified just before its build: see the racy rule); `check` each
    /// output.
    fn until_the_proof_replays(&self, args: &[&str], check: impl Fn(&str)) {
        for _ in 0..10 {
            std::thread::sleep(std::time::Duration::from_millis(150));
            let (out, err) = self.output(args);
            check(&out);
            if err.contains("proof replayed") {
                return;
            }
        }
        panic!("the proof never answered the no-op");
    }

    fn expect_reread(&self, what: &str, args: &[&str], envs: &[(&str, &str)]) -> String {
        let (reused, out) = self.run(args, envs);
        assert!(
            !reused,
            "{what}: the graph was reused but should have been read again"
        );
        let (reused, again) = self.run(args, envs);
        assert!(
            reused,
            "{what}: the run after re-reading did not reuse the graph"
        );
        assert!(
            again.contains("is up to date"),
            "{what}: not a no-op:\n{again}"
        );
        out
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn touch_later(path: &Path) {
    // Make sure a rewrite is seen even on a coarse-mtime file system.
    let t = std::time::SystemTime::now() + std::time::Duration::from_secs(2);
    let f = fs::File::options().write(true).open(path).unwrap();
    f.set_modified(t).unwrap();
}

#[test]
fn every_input_kind_invalidates_the_reused_graph() {
    let t = Tree::new("kinds");
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(!reused);
    assert!(out.contains("greeting is hello"), "{out}");
    assert!(out.contains("-DONE -DA"), "{out}");
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(reused, "a no-op must reuse the graph");
    assert!(
        out.contains("greeting is hello"),
        "the scripts' output is replayed:\n{out}"
    );

    // The SConstruct itself.
    t.write(
        "SConstruct",
        &(fs::read_to_string(t.dir.join("SConstruct")).unwrap() + "# edited\n"),
    );
    touch_later(&t.dir.join("SConstruct"));
    t.expect_reread("SConstruct edit", &["-Q"], &[]);

    // An SConscript.
    t.write("sub/SConscript", "Import('env')\nprint('sub read')\n");
    touch_later(&t.dir.join("sub/SConscript"));
    let out = t.expect_reread("SConscript edit", &["-Q"], &[]);
    assert!(out.contains("sub read"), "{out}");

    // A site_scons module.
    t.write("site_scons/helper.py", "FLAG = 'TWO'\n");
    touch_later(&t.dir.join("site_scons/helper.py"));
    let out = t.expect_reread("site_scons edit", &["-Q"], &[]);
    assert!(out.contains("-DTWO"), "{out}");

    // A data file the SConstruct opened.
    t.write("config.txt", "B\n");
    touch_later(&t.dir.join("config.txt"));
    let out = t.expect_reread("data file edit", &["-Q"], &[]);
    assert!(out.contains("-DB"), "{out}");

    // A new file matching a Glob.
    t.write("src/extra.c", "int extra(void) { return 1; }\n");
    let out = t.expect_reread("new file in a Glob'd folder", &["-Q"], &[]);
    assert!(out.contains("src/extra.c"), "{out}");

    // A path whose existence the scripts checked.
    t.write("optional.txt", "");
    let out = t.expect_reread("existence probe", &["-Q"], &[]);
    assert!(out.contains("-DOPTIONAL"), "{out}");

    // An environment variable the scripts read.
    let out = t.expect_reread("environment variable", &["-Q"], &[("GREETING", "bonjour")]);
    assert!(out.contains("greeting is bonjour"), "{out}");

    // Command-line arguments and options.
    t.write("more/more.c", "int more(void) { return 2; }\n");
    let out = t.expect_reread(
        "ARGUMENTS",
        &["-Q", "more=more/more.c"],
        &[("GREETING", "bonjour")],
    );
    assert!(out.contains("more/more.c"), "{out}");
}

#[test]
fn a_failing_read_is_read_again_once_fixed() {
    let t = Tree::new("fail");
    t.run(&["-Q"], &[]);
    t.write("sub/SConscript", "Import('env')\nundefined_name\n");
    touch_later(&t.dir.join("sub/SConscript"));
    let out = Command::new(env!("CARGO_BIN_EXE_docons"))
        .args(["-Q"])
        .current_dir(&t.dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Fixing the error: the scripts must run again (the failed read changed nothing kept).
    t.write("sub/SConscript", "Import('env')\n# fixed\n");
    touch_later(&t.dir.join("sub/SConscript"));
    let (reused, _) = t.run(&["-Q"], &[]);
    assert!(!reused);
}

#[test]
fn graphs_of_recent_requests_are_all_kept() {
    let t = Tree::new("requests");
    let (reused, _) = t.run(&["-Q"], &[]);
    assert!(!reused);
    let (reused, _) = t.run(&["-Q", "app"], &[]);
    assert!(!reused, "another request reads the scripts once");
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(
        reused,
        "switching back reuses the first request's graph:\n{out}"
    );
    let (reused, out) = t.run(&["-Q", "app"], &[]);
    assert!(reused, "and the second's:\n{out}");
}

/// The proof of the last build (src/proof.rs): a no-op it answers prints the last build's
/// messages without decoding the graph, and every kind of change still gets seen.
#[test]
fn a_no_op_answered_by_the_proof_still_sees_every_change() {
    let t = Tree::new("proof");
    t.write(
        "SConstruct",
        "env = Environment(CPPPATH=['inc1', 'inc2'])\nenv.Program('app', ['src/main.c'])\n",
    );
    t.write("inc2/h.h", "#define N 2\n");
    t.write(
        "src/main.c",
        "#include \"h.h\"\nint main(void) { return N - 2; }\n",
    );
    let compiles = "gcc -o src/main.o -c -Iinc1 -Iinc2 src/main.c";
    // Built, then judged current task by task, then answered by the proof (once the files
    // written just before are old enough to be trusted: see proof.rs's racy rule).
    let settle = |what: &str| {
        let (out, err) = t.output(&["-Q"]);
        assert!(out.contains(compiles), "{what}: not rebuilt:\n{out}");
        let (out, err2) = t.output(&["-Q"]);
        assert_eq!(out, "scons: `.' is up to date.\n", "{what}\n{err}");
        assert!(!err2.contains("proof replayed"), "{what}: {err2}");
        t.until_the_proof_replays(&["-Q"], |out| {
            assert_eq!(out, "scons: `.' is up to date.\n", "{what}");
        });
    };
    settle("first build");
    // A header appears earlier on the search path than the one found.
    t.write("inc1/h.h", "#define N 1\n");
    settle("a header shadowing the one used");
    // The header used is edited (a new size: seen even on a coarse-mtime file system; a file
    // dated in the future is never trusted by the proof until that time has passed).
    t.write("inc1/h.h", "#define N  2\n");
    settle("the header edited");
    // A target removed by hand.
    fs::remove_file(t.dir.join("src/main.o")).unwrap();
    settle("a target removed");
    // The state forgotten.
    fs::remove_file(t.dir.join(".sconsign.dblite")).unwrap();
    settle("the state forgotten");
}

/// After a partial build the next proof copies the entries of the tasks that were not judged
/// again from the last one (src/proof.rs, `encode_reusing`; `DOCONS_CHECK_PROOF` makes docons
/// compare the copy with a proof written afresh), and later changes are all still seen.
#[test]
fn a_proof_copied_from_the_last_one_still_sees_every_change() {
    let t = Tree::new("proof-copy");
    t.write(
        "SConstruct",
        "env = Environment(CPPPATH=['inc'])\nenv.Program('app', ['a.c', 'b.c', 'c.c'])\n",
    );
    t.write("inc/h.h", "#define N 0\n");
    t.write(
        "a.c",
        "int b(void); int c(void);\nint main(void) { return b() + c(); }\n",
    );
    t.write("b.c", "int b(void) { return 0; }\n");
    t.write("c.c", "#include \"h.h\"\nint c(void) { return N; }\n");
    let built = |out: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.split_whitespace().nth(2).map(str::to_owned))
            .collect()
    };
    assert_eq!(built(&t.output(&["-Q"]).0), ["a.o", "b.o", "c.o", "app"]);
    t.until_the_proof_replays(&["-Q"], |out| {
        assert_eq!(out, "scons: `.' is up to date.\n")
    });
    let edits: [(&str, &str, &[&str]); 4] = [
        (
            "a.c",
            "int b(void); int c(void);\nint main(void) { return c() - b(); }\n",
            &["a.o", "app"],
        ),
        ("b.c", "int b(void) { return 1; }\n", &["b.o", "app"]),
        ("inc/h.h", "#define N 3\n", &["c.o", "app"]),
        (
            "a.c",
            "int b(void); int c(void);\nint main(void) { return b() * c(); }\n",
            &["a.o", "app"],
        ),
    ];
    for (file, text, rebuilt) in edits {
        t.write(file, text);
        // (an edit made just before a run is too recent for the proof to trust: its stat
        // could change again within the same clock tick; such a file's tasks are judged again
        // by the next run too)
        std::thread::sleep(std::time::Duration::from_millis(150));
        let (out, err) = t.output(&["-Q"]);
        assert_eq!(built(&out), rebuilt, "{file} edited:\n{out}");
        // (the two tasks not judged again were taken as current on the proof's word)
        assert!(
            err.contains("docons: proof: 2 of 4 tasks copied"),
            "{file}: {err}"
        );
        let (out, _) = t.output(&["-Q"]);
        assert_eq!(out, "scons: `.' is up to date.\n", "after {file}");
    }
    t.until_the_proof_replays(&["-Q"], |out| {
        assert_eq!(out, "scons: `.' is up to date.\n")
    });
}

/// A task that depends on an alias is current only while what the alias stands for is.
#[test]
fn the_proof_follows_aliases_to_what_they_stand_for() {
    let t = Tree::new("proof-alias");
    for name in ["SConstruct", "a1.in", "src.in"] {
        let from = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/trees/alias_chain/");
        t.write(name, &fs::read_to_string(format!("{from}{name}")).unwrap());
    }
    let args = ["-Q", "out.txt"];
    assert_eq!(t.output(&args).0, "cp src.in out.txt\n");
    t.until_the_proof_replays(&args, |out| {
        assert_eq!(out, "scons: `out.txt' is up to date.\n");
    });
    t.write("a1.in", "one, edited\n");
    assert_eq!(
        t.output(&args).0,
        "cp src.in out.txt\n",
        "the alias's source changed"
    );
}

/// The probes of a folder the scripts probed many paths in are answered from its listing, and
/// skipped while the folder is unchanged since they were all found unchanged: a file appearing
/// there must still make the next run read the scripts again.
#[test]
fn a_file_appearing_where_many_paths_were_probed_is_seen() {
    let t = Tree::new("probed-folder");
    t.write(
        "SConstruct",
        "import os\n\
         found = [n for n in range(12) if os.path.exists('d/f%d' % n)]\n\
         print('found %s' % found)\n",
    );
    t.write("d/f1", "one\n");
    // (a folder modified just before is not trusted: let it age)
    std::thread::sleep(std::time::Duration::from_millis(150));
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(!reused);
    assert!(out.contains("found [1]"), "{out}");
    // The run that read the scripts answered their probes again and noted the folders it
    // found unchanged, so the next run need not list them; what it noted must still let a
    // new file there be seen.
    let noted = |t: &Tree| {
        fs::read_dir(t.dir.join(".docons/graphs"))
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".dirs"))
    };
    assert!(noted(&t), "no verified folders noted by the run that read");
    t.write("d/f3", "three\n");
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(
        !reused,
        "a new file where the scripts looked for one, just after a read"
    );
    assert!(out.contains("found [1, 3]"), "{out}");
    fs::remove_file(t.dir.join("d/f3")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(!reused);
    assert!(out.contains("found [1]"), "{out}");
    for _ in 0..3 {
        let (reused, out) = t.run(&["-Q"], &[]);
        assert!(reused, "{out}");
    }
    t.write("d/f7", "seven\n");
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(!reused, "a new file where the scripts looked for one");
    assert!(out.contains("found [1, 7]"), "{out}");
    fs::remove_file(t.dir.join("d/f1")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(!reused, "a file gone where the scripts found one");
    assert!(out.contains("found [7]"), "{out}");
}

#[test]
fn a_folder_appearing_where_the_scripts_probed_is_seen() {
    let t = Tree::new("missing-folder");
    t.write(
        "SConstruct",
        "import os\n\
         found = [n for n in range(12) if os.path.exists('gen/f%d' % n)]\n\
         print('found %s' % found)\n",
    );
    std::thread::sleep(std::time::Duration::from_millis(150));
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(!reused);
    assert!(out.contains("found []"), "{out}");
    for _ in 0..2 {
        let (reused, out) = t.run(&["-Q"], &[]);
        assert!(reused, "{out}");
    }
    fs::create_dir_all(t.dir.join("gen")).unwrap();
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(
        reused,
        "an empty folder where the scripts found none changes no answer: {out}"
    );
    t.write("gen/f4", "four\n");
    let (reused, out) = t.run(&["-Q"], &[]);
    assert!(
        !reused,
        "a new file in a folder that was missing when last checked"
    );
    assert!(out.contains("found [4]"), "{out}");
}

/// Tasks proven current that read a symbolic link to a file another task builds (the link is
/// not declared as depending on it): once that task ran, every one of them is judged again, not
/// only the first to look at the link.
#[test]
fn tasks_reading_a_link_to_a_rebuilt_file_are_all_judged_again() {
    let t = Tree::new("proof-link");
    t.write(
        "SConstruct",
        "env = Environment()\n\
         env.Command('gen.txt', 'src.in', 'cp $SOURCE $TARGET')\n\
         for name in ['out1.txt', 'out2.txt', 'out3.txt']:\n\
         \x20   env.Command(name, 'link.txt', 'cp $SOURCE $TARGET')\n",
    );
    t.write("src.in", "one\n");
    fs::write(t.dir.join("gen.txt"), "one\n").unwrap();
    std::os::unix::fs::symlink("gen.txt", t.dir.join("link.txt")).unwrap();
    let args = ["-Q", "-j1", "."];
    let first = t.output(&args).0;
    assert!(first.contains("cp link.txt out3.txt"), "{first}");
    t.until_the_proof_replays(&args, |out| {
        assert!(out.contains("is up to date"), "{out}");
    });
    t.write("src.in", "two\n");
    touch_later(&t.dir.join("src.in"));
    let (out, err) = t.output(&args);
    assert!(err.contains("proof loaded"), "{err}");
    for name in ["out1.txt", "out2.txt", "out3.txt"] {
        assert!(
            out.contains(&format!("cp link.txt {name}")),
            "{name}:\n{out}"
        );
        assert_eq!(fs::read_to_string(t.dir.join(name)).unwrap(), "two\n");
    }
}

/// A build of one target decodes the details (actions, environment, scanner...) of that
/// target's tasks only, not the whole kept graph's; a kept graph that cannot be read is read
/// again from the scripts, and the build is the same.
#[test]
fn one_target_decodes_only_its_tasks_and_a_damaged_graph_is_read_again() {
    let t = Tree::new("part");
    t.write(
        "SConstruct",
        "env = Environment()\n\
         for name in ['one', 'two']:\n\
         \x20   env.Program(name + '/prog', [name + '/a.c', name + '/b.c', name + '/c.c'])\n",
    );
    for name in ["one", "two"] {
        t.write(&format!("{name}/a.c"), "int main(void) { return 0; }\n");
        t.write(&format!("{name}/b.c"), "int b(void) { return 1; }\n");
        t.write(&format!("{name}/c.c"), "int c(void) { return 2; }\n");
    }
    let decoded = |stderr: &str| -> (usize, usize) {
        let line = stderr
            .lines()
            .find(|l| l.contains("details decoded from the kept graph"))
            .unwrap_or_else(|| panic!("no count of decoded details in:\n{stderr}"));
        let words: Vec<&str> = line.split_whitespace().collect();
        (words[1].parse().unwrap(), words[3].parse().unwrap())
    };
    assert!(!t.run(&["-Q"], &[]).0);
    assert!(!t.run(&["-Q", "one/prog"], &[]).0, "a new request reads");
    assert!(t.run(&["-Q", "one/prog"], &[]).0);
    t.write("one/a.c", "int main(void) { return 3; }\n");
    touch_later(&t.dir.join("one/a.c"));
    let (out, err) = t.output(&["-Q", "one/prog"]);
    assert!(err.contains("graph reused"), "{err}");
    assert!(out.contains("one/a.c") && !out.contains("two/"), "{out}");
    let (done, all) = decoded(&err);
    assert_eq!(
        all, 4,
        "only one program's part of the graph is kept:\n{err}"
    );
    assert!(
        (1..=4).contains(&done),
        "{done} tasks' details decoded for one program of two:\n{err}"
    );
    // Cut the end off every kept graph: the next run reads the scripts, builds, and keeps a
    // whole graph again.
    for entry in fs::read_dir(t.dir.join(".docons/graphs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none() {
            let bytes = fs::read(&path).unwrap();
            fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        }
    }
    t.write("one/b.c", "int b(void) { return 4; }\n");
    touch_later(&t.dir.join("one/b.c"));
    let (out, err) = t.output(&["-Q", "one/prog"]);
    assert!(
        err.contains("the kept graph cannot be read") && err.contains("scripts read"),
        "{err}"
    );
    assert!(out.contains("one/b.c"), "{out}");
    assert!(
        t.run(&["-Q", "one/prog"], &[]).0,
        "a whole graph is kept again"
    );
}

/// A request that names targets keeps only their part of the graph. When an edit makes one of
/// its sources include a file that a task outside the part builds, the part cannot answer for
/// it: the build starts again on the whole graph (its messages printed once), builds that file
/// first, and the request keeps the whole graph from then on.
#[test]
fn a_part_that_cannot_answer_for_an_include_builds_on_the_whole_graph() {
    let t = Tree::new("escape");
    t.write(
        "SConstruct",
        "env = Environment(CPPPATH=['.'])\n\
         env.Command('gen/version.h', 'version.txt', 'cp $SOURCE $TARGET')\n\
         env.Program('one/prog', ['one/a.c', 'one/b.c'])\n\
         env.Program('two/prog', ['two/a.c'])\n",
    );
    t.write("version.txt", "#define VERSION 1\n");
    t.write("one/a.c", "int main(void) { return 0; }\n");
    t.write("one/b.c", "int b(void) { return 1; }\n");
    t.write("two/a.c", "int main(void) { return 0; }\n");
    let args = ["one/prog"];
    assert!(!t.run(&args, &[]).0, "a new request reads the scripts");
    let (_, err) = t.output(&args);
    assert!(err.contains("graph reused"), "{err}");
    assert!(
        err.contains(" of 3 tasks' details decoded"),
        "the part holds one program's 3 tasks of 6:\n{err}"
    );
    t.write("version.txt", "#define VERSION 7\n");
    touch_later(&t.dir.join("version.txt"));
    t.write(
        "one/a.c",
        "#include \"gen/version.h\"\nint main(void) { return VERSION; }\n",
    );
    touch_later(&t.dir.join("one/a.c"));
    let (out, err) = t.output(&args);
    assert!(
        err.contains("does not hold gen/version.h: starting again"),
        "{err}"
    );
    for line in [
        "scons: Reading SConscript files ...",
        "scons: done reading SConscript files.",
        "scons: Building targets ...",
        "scons: done building targets.",
    ] {
        assert_eq!(out.matches(line).count(), 1, "{line}:\n{out}");
    }
    let copy = out.find("cp version.txt gen/version.h").expect(&out);
    let compile = out.find("one/a.c").expect(&out);
    assert!(copy < compile, "the header is built first:\n{out}");
    let status = Command::new(t.dir.join("one/prog")).status().unwrap();
    assert_eq!(status.code(), Some(7), "built with the new header");
    let (reused, out) = t.run(&args, &[]);
    assert!(reused && out.contains("is up to date"), "{out}");
    let (_, err) = t.output(&args);
    assert!(
        !err.contains("starting again"),
        "the whole graph is kept:\n{err}"
    );
    // The scripts read again (an SConstruct edited) still keep the whole graph for it.
    let script = fs::read_to_string(t.dir.join("SConstruct")).unwrap();
    t.write("SConstruct", &format!("{script}# edited\n"));
    touch_later(&t.dir.join("SConstruct"));
    t.write("one/b.c", "int b(void) { return 2; }\n");
    touch_later(&t.dir.join("one/b.c"));
    let (_, err) = t.output(&args);
    assert!(err.contains("scripts read"), "{err}");
    assert!(!err.contains("starting again"), "{err}");
    assert!(err.contains(" of 6 tasks' details decoded"), "{err}");
}
