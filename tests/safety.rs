//! Safety of the state: a failing command, Ctrl-C, a killed docons or a target edited by hand
//! never leave a target that a later run wrongly takes as up to date, and never corrupt the
//! state. (Deliberate differences from SCons, which keeps such targets; see README.)

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Tree {
    dir: PathBuf,
}

impl Tree {
    fn new(name: &str, sconstruct: &str) -> Tree {
        let dir = std::env::temp_dir().join(format!("docons-safety-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("SConstruct"), sconstruct).unwrap();
        fs::write(dir.join("in.txt"), "input\n").unwrap();
        Tree { dir }
    }

    fn docons(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_docons"));
        c.args(args)
            .current_dir(&self.dir)
            .env("DOCONS_CHECK_PROOF", "1");
        c
    }

    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = self.docons(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.code().unwrap_or(-1), text)
    }

    fn read(&self, rel: &str) -> Option<String> {
        fs::read_to_string(self.dir.join(rel)).ok()
    }

    fn wait_for_file(&self, rel: &str) {
        let start = Instant::now();
        while self.read(rel).is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{rel} never appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// `quick.out` is built first; `slow.out` writes half its content, waits, then finishes.
const TWO_STEPS: &str = "\
Command('quick.out', 'in.txt', 'cp $SOURCE $TARGET')\n\
Command('slow.out', 'quick.out', 'echo half > $TARGET; sleep 3; echo whole >> $TARGET')\n\
Default('slow.out')\n";

#[test]
fn a_target_edited_by_hand_is_rebuilt() {
    let t = Tree::new(
        "edited",
        "Command('out.txt', 'in.txt', 'cp $SOURCE $TARGET')\n",
    );
    let (code, _) = t.run(&["-Q"]);
    assert_eq!(code, 0);
    fs::write(t.dir.join("out.txt"), "edited by hand\n").unwrap();
    let (code, out) = t.run(&["-Q"]);
    assert_eq!(code, 0);
    assert!(out.contains("cp in.txt out.txt"), "not rebuilt:\n{out}");
    assert_eq!(t.read("out.txt").as_deref(), Some("input\n"));
    // A mere touch of the target (same content) is not a change.
    let f = fs::File::options()
        .write(true)
        .open(t.dir.join("out.txt"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    let (_, out) = t.run(&["-Q"]);
    assert!(out.contains("is up to date"), "{out}");
}

#[test]
fn a_failed_command_leaves_no_target() {
    let t = Tree::new(
        "failed",
        "Command('out.txt', 'in.txt', 'echo partial > $TARGET; exit 3')\n",
    );
    let (code, out) = t.run(&["-Q"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("scons: *** [out.txt] Error 3"), "{out}");
    assert!(t.read("out.txt").is_none(), "the partial target was kept");
}

#[test]
fn ctrl_c_removes_the_partial_target_and_keeps_finished_work() {
    let t = Tree::new("sigint", TWO_STEPS);
    let mut child = t
        .docons(&["-Q"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    t.wait_for_file("slow.out");
    unsafe {
        libc_kill(child.id() as i32, 2);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2));
    assert!(
        t.read("slow.out").is_none(),
        "a half-written target survived Ctrl-C"
    );
    let (code, out) = t.run(&["-Q"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        !out.contains("cp in.txt quick.out"),
        "finished work was redone:\n{out}"
    );
    assert_eq!(t.read("slow.out").as_deref(), Some("half\nwhole\n"));
}

#[test]
fn a_killed_docons_leaves_nothing_wrongly_up_to_date() {
    let t = Tree::new("sigkill", TWO_STEPS);
    let mut child = t
        .docons(&["-Q"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    t.wait_for_file("slow.out");
    // Give the state store time to make the first target's record durable, then kill.
    std::thread::sleep(Duration::from_millis(1200));
    child.kill().unwrap();
    child.wait().unwrap();
    // The orphaned command may still finish writing: wait until it has.
    std::thread::sleep(Duration::from_secs(3));
    let (code, out) = t.run(&["-Q"]);
    assert_eq!(code, 0, "the state must still open and work:\n{out}");
    assert!(
        out.contains("echo half > slow.out"),
        "the target whose command was killed must be rebuilt:\n{out}"
    );
    assert!(
        !out.contains("cp in.txt quick.out"),
        "finished work was redone:\n{out}"
    );
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn removing_sconsign_dblite_forgets_the_state() {
    let t = Tree::new(
        "forget",
        "Command('out.txt', 'in.txt', 'cp $SOURCE $TARGET')\n",
    );
    assert_eq!(t.run(&["-Q"]).0, 0);
    assert!(t.dir.join(".sconsign.dblite").is_file());
    let (_, out) = t.run(&["-Q"]);
    assert!(out.contains("is up to date"), "{out}");
    fs::remove_file(t.dir.join(".sconsign.dblite")).unwrap();
    // -n neither creates the state nor trusts the old database without its marker.
    let (_, out) = t.run(&["-Q", "-n"]);
    assert!(out.contains("cp in.txt out.txt"), "{out}");
    assert!(!t.dir.join(".sconsign.dblite").exists());
    let (_, out) = t.run(&["-Q"]);
    assert!(
        out.contains("cp in.txt out.txt"),
        "the state was not forgotten:\n{out}"
    );
    let (_, out) = t.run(&["-Q"]);
    assert!(out.contains("is up to date"), "{out}");
}

/// The numbers N of the `src/fN.c` files compiled, in order.
fn compiled(out: &str) -> Vec<usize> {
    let mut n: Vec<usize> = out
        .lines()
        .filter_map(|l| {
            l.strip_prefix("gcc -o src/f")?
                .split('.')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    n.sort();
    n
}

/// With many tasks to scan, includes are read ahead on other threads (src/prescan.rs): the
/// headers found that way are dependencies exactly as when the build scans them itself, through
/// nested includes and the search path.
#[test]
fn headers_scanned_ahead_are_dependencies_like_any_other() {
    let t = Tree::new(
        "prescan",
        "env = Environment(CPPPATH=['inc'])\nenv.StaticLibrary('many', Glob('src/*.c'))\n",
    );
    fs::create_dir_all(t.dir.join("src")).unwrap();
    fs::create_dir_all(t.dir.join("inc")).unwrap();
    fs::write(t.dir.join("inc/a.h"), "#include \"b.h\"\n").unwrap();
    fs::write(t.dir.join("inc/b.h"), "#define B 1\n").unwrap();
    fs::write(t.dir.join("inc/c.h"), "#define C 1\n").unwrap();
    for i in 0..80 {
        let header = if i % 2 == 0 { "<a.h>" } else { "\"c.h\"" };
        let text = format!("#include {header}\nint f{i}(void) {{ return {i}; }}\n");
        fs::write(t.dir.join(format!("src/f{i}.c")), text).unwrap();
    }
    let out = t
        .docons(&["-Q", "-j2"])
        .env("DOCONS_TIMINGS", "1")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(stdout.matches(" -c ").count(), 80, "{stdout}");
    assert!(stderr.contains("files scanned ahead"), "{stderr}");
    // A header reached only through another one, by the even files.
    fs::write(t.dir.join("inc/b.h"), "#define B 2 /* edited */\n").unwrap();
    let (code, out) = t.run(&["-Q", "-j2"]);
    assert_eq!(code, 0, "{out}");
    let rebuilt = compiled(&out);
    assert_eq!(rebuilt, (0..80).step_by(2).collect::<Vec<_>>(), "{out}");
    // The odd files' header, found through the search path (quoted: own folder first).
    fs::write(t.dir.join("inc/c.h"), "#define C 2 /* edited */\n").unwrap();
    let (_, out) = t.run(&["-Q", "-j2"]);
    let rebuilt = compiled(&out);
    assert_eq!(rebuilt, (1..80).step_by(2).collect::<Vec<_>>(), "{out}");
}

/// At -j2 a failure stops the build as SCons stops it: the command running beside it finishes,
/// and nothing starts after it, not even a task docons had already decided on (with `-k`,
/// everything else is built).
#[test]
fn a_failure_at_j2_starts_nothing_more() {
    let t = Tree::new(
        "j2-failure",
        "env = Environment()\n\
         env.Command('a.out', 'in.txt', 'sleep 0.3 && false')\n\
         env.Command('b.out', 'in.txt', 'sleep 1.5 && cp $SOURCE $TARGET')\n\
         env.Command('c.out', 'in.txt', 'cp $SOURCE $TARGET')\n\
         env.Command('d.out', 'in.txt', 'cp $SOURCE $TARGET')\n",
    );
    let (status, out) = t.run(&["-Q", "-j2", "."]);
    assert_eq!(status, 2, "{out}");
    assert!(out.contains("scons: *** [a.out] Error 1"), "{out}");
    assert_eq!(t.read("b.out").as_deref(), Some("input\n"), "{out}");
    assert!(
        t.read("c.out").is_none() && t.read("d.out").is_none(),
        "{out}"
    );
    assert!(!out.contains("c.out"), "{out}");
    let (status, out) = t.run(&["-Q", "-j2", "-k", "."]);
    assert_eq!(status, 2, "{out}");
    for name in ["c.out", "d.out"] {
        assert_eq!(t.read(name).as_deref(), Some("input\n"), "{name}: {out}");
    }
}
