//! Watch mode: `docons --watch` runs in the background on a small tree; each test saves files the
//! way editors do and checks that exactly one rebuild of exactly the stale targets follows.
//! Every wait is bounded (`WAIT`, generous for a loaded machine) and every background process is
//! stopped by a drop guard, whatever the outcome.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);
const WATCHING: &str = "docons: watching for changes (Ctrl-C to stop)";
const REBUILDING: &str = "docons: rebuilding after changes to ";

/// A scratch tree, removed at the end.
struct Tree {
    dir: PathBuf,
}

impl Tree {
    fn new(name: &str) -> Tree {
        let dir = std::env::temp_dir().join(format!("docons-watch-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Tree { dir }
    }

    /// The C tree most tests use: `app` from main.c and util.c, both including util.h.
    fn c_program(name: &str, sources: &str) -> Tree {
        let t = Tree::new(name);
        t.write(
            "SConstruct",
            &format!("env = Environment()\nenv.Program('app', {sources})\n"),
        );
        t.write(
            "main.c",
            "#include \"util.h\"\nint main(void) { return util(); }\n",
        );
        t.write(
            "util.c",
            "#include \"util.h\"\nint util(void) { return 0; }\n",
        );
        t.write("util.h", "int util(void);\n");
        t
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        fs::write(self.path(rel), text).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// `docons --watch` running in the background, its stdout and stderr gathered in `out`.
struct Watch {
    child: Child,
    out: Arc<Mutex<String>>,
}

fn gather(from: impl Read + Send + 'static, out: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let mut from = from;
        let mut buf = [0u8; 4096];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
    });
}

impl Watch {
    fn start(tree: &Tree, args: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_docons"))
            .arg("--watch")
            .args(args)
            .current_dir(&tree.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = Arc::new(Mutex::new(String::new()));
        gather(child.stdout.take().unwrap(), Arc::clone(&out));
        gather(child.stderr.take().unwrap(), Arc::clone(&out));
        let w = Watch { child, out };
        w.wait_until("the first build", |o| count(o, WATCHING) == 1);
        w
    }

    fn output(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    /// Wait (at most `WAIT`) until `done` holds for the output so far.
    fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let o = self.output();
            if done(&o) {
                return o;
            }
            if start.elapsed() > WAIT {
                panic!("timed out waiting for {what}; output so far:\n{o}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait for cycle `n` (1 = the first rebuild) to end, then make sure no other starts soon.
    fn cycle(&self, n: usize) -> String {
        self.wait_until(&format!("rebuild {n}"), |o| {
            count(o, REBUILDING) >= n && count(o, WATCHING) > n
        });
        std::thread::sleep(Duration::from_millis(700));
        let o = self.output();
        assert_eq!(count(&o, REBUILDING), n, "one rebuild per save:\n{o}");
        assert_eq!(count(&o, WATCHING), n + 1, "{o}");
        o
    }

    fn signal(&self, sig: i32) {
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }

    /// Wait (bounded) for docons to end; its exit status.
    fn wait_exit(&mut self) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.signal(libc::SIGTERM);
            if self.wait_exit().is_none() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }
}

fn count(text: &str, what: &str) -> usize {
    text.matches(what).count()
}

/// The targets of the compiler/linker lines (`-o TARGET`) of rebuild `n` (1-based).
fn rebuilt(output: &str, n: usize) -> Vec<String> {
    let cycle = output.split(REBUILDING).nth(n).unwrap_or("");
    let cycle = cycle.split(WATCHING).next().unwrap_or("");
    let mut targets: Vec<String> = cycle
        .lines()
        .filter_map(|l| l.split(" -o ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    targets.sort();
    targets
}

/// The files a rebuild named as its trigger.
fn trigger(output: &str, n: usize) -> String {
    let cycle = output.split(REBUILDING).nth(n).unwrap_or("");
    cycle.lines().next().unwrap_or("").to_owned()
}

#[test]
fn save_in_place_rebuilds_once_and_ctrl_c_saves_the_state() {
    let tree = Tree::c_program("inplace", "['main.c', 'util.c']");
    let mut w = Watch::start(&tree, &[]);
    assert_eq!(rebuilt(&w.output(), 0), ["app", "main.o", "util.o"]);
    // One write to the file itself (open with O_TRUNC, write, close).
    tree.write(
        "util.c",
        "#include \"util.h\"\nint util(void) { return 1; }\n",
    );
    let o = w.cycle(1);
    assert_eq!(trigger(&o, 1), "util.c");
    assert_eq!(rebuilt(&o, 1), ["app", "util.o"]);
    // A header: both objects, then the program.
    tree.write("util.h", "int util(void);\nint other(void);\n");
    let o = w.cycle(2);
    assert_eq!(trigger(&o, 2), "util.h");
    assert_eq!(rebuilt(&o, 2), ["main.o", "util.o"]);
    // A file nothing depends on starts nothing.
    tree.write("notes.txt", "nothing to build\n");
    std::thread::sleep(Duration::from_millis(500));
    w.cycle(2);
    // Ctrl-C: a clean end, and the state is saved (everything is up to date).
    w.signal(libc::SIGINT);
    let status = w.wait_exit().expect("docons ends on Ctrl-C");
    assert!(status.success(), "{status:?}");
    assert!(w.output().contains("docons: stopped watching"));
    let q = Command::new(env!("CARGO_BIN_EXE_docons"))
        .arg("-q")
        .current_dir(&tree.dir)
        .output()
        .unwrap();
    assert_eq!(q.status.code(), Some(0), "up to date after watch mode");
}

#[test]
fn save_by_rename_over_rebuilds_once() {
    let tree = Tree::c_program("rename", "['main.c', 'util.c']");
    let w = Watch::start(&tree, &[]);
    // Vim-like: a swap file and its `4913` probe, then a temporary file renamed over the
    // original.
    tree.write(".util.c.swp", "swap");
    tree.write("4913", "");
    fs::remove_file(tree.path("4913")).unwrap();
    tree.write(
        ".util.c.new",
        "#include \"util.h\"\nint util(void) { return 2; }\n",
    );
    fs::rename(tree.path(".util.c.new"), tree.path("util.c")).unwrap();
    fs::remove_file(tree.path(".util.c.swp")).unwrap();
    let o = w.cycle(1);
    assert_eq!(trigger(&o, 1), "util.c");
    assert_eq!(rebuilt(&o, 1), ["app", "util.o"]);
}

#[test]
fn save_by_backup_and_rewrite_rebuilds_once() {
    let tree = Tree::c_program("backup", "['main.c', 'util.c']");
    let w = Watch::start(&tree, &[]);
    // Emacs-like: a lock link and an auto-save file, the original renamed to a backup, then the
    // file written anew.
    std::os::unix::fs::symlink("user@host.1234", tree.path(".#main.c")).unwrap();
    tree.write("#main.c#", "autosave");
    fs::rename(tree.path("main.c"), tree.path("main.c~")).unwrap();
    tree.write(
        "main.c",
        "#include \"util.h\"\nint main(void) { return util() + 1; }\n",
    );
    fs::remove_file(tree.path("#main.c#")).unwrap();
    fs::remove_file(tree.path(".#main.c")).unwrap();
    let o = w.cycle(1);
    assert_eq!(trigger(&o, 1), "main.c");
    assert_eq!(rebuilt(&o, 1), ["app", "main.o"]);
}

#[test]
fn new_and_removed_files_of_a_glob_are_noticed() {
    let tree = Tree::c_program("glob", "Glob('*.c')");
    let w = Watch::start(&tree, &[]);
    tree.write("extra.c", "int extra(void) { return 3; }\n");
    let o = w.cycle(1);
    assert_eq!(trigger(&o, 1), "extra.c");
    assert_eq!(rebuilt(&o, 1), ["app", "extra.o"]);
    fs::remove_file(tree.path("extra.c")).unwrap();
    let o = w.cycle(2);
    assert_eq!(trigger(&o, 2), "extra.c");
    assert_eq!(rebuilt(&o, 2), ["app"]);
    // Editing the SConstruct reads the scripts again.
    tree.write(
        "SConstruct",
        "env = Environment(CPPDEFINES=['TWO'])\nenv.Program('app', Glob('*.c'))\n",
    );
    let o = w.cycle(3);
    assert_eq!(trigger(&o, 3), "SConstruct");
    // (The same object code: the program is not linked again.)
    assert_eq!(rebuilt(&o, 3), ["main.o", "util.o"]);
}

#[test]
fn a_save_during_a_build_starts_another_cycle() {
    let tree = Tree::new("during");
    tree.write(
        "SConstruct",
        "Command('out.txt', 'in.txt', 'sleep 1 && cp $SOURCE $TARGET')\n",
    );
    tree.write("in.txt", "one\n");
    let w = Watch::start(&tree, &[]);
    tree.write("in.txt", "two\n");
    w.wait_until("the slow command of the first rebuild", |o| {
        count(o, REBUILDING) == 1 && count(o, "sleep 1 && cp in.txt out.txt") == 2
    });
    tree.write("in.txt", "three\n");
    let o = w.cycle(2);
    assert_eq!(trigger(&o, 2), "in.txt");
    assert_eq!(count(&o, "sleep 1 && cp in.txt out.txt"), 3, "{o}");
    assert_eq!(tree.read("out.txt"), "three\n");
}

#[test]
fn a_change_behind_an_alias_rebuilds_what_depends_on_the_alias() {
    let tree = Tree::new("alias");
    for name in ["SConstruct", "a1.in", "src.in"] {
        let from = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/trees/alias_chain/");
        tree.write(name, &fs::read_to_string(format!("{from}{name}")).unwrap());
    }
    let w = Watch::start(&tree, &["out.txt"]);
    tree.write("a1.in", "one, edited\n");
    let o = w.cycle(1);
    assert_eq!(trigger(&o, 1), "a1.in");
    assert_eq!(count(&o, "cp src.in out.txt"), 2, "{o}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The body of a GET to the server on `port` (None while nothing answers).
fn get(port: u16) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .ok()?;
    let mut reply = String::new();
    s.read_to_string(&mut reply).ok()?;
    reply.split("\r\n\r\n").nth(1).map(|b| b.trim().to_owned())
}

fn wait_for_answer(port: u16, want: &str) {
    let start = Instant::now();
    while start.elapsed() < WAIT {
        if get(port).as_deref() == Some(want) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the server never answered {want:?} (last: {:?})", get(port));
}

fn alive(pid: i32) -> bool {
    unsafe { libc::kill(pid, 0) == 0 }
}

fn wait_gone(pid: i32) {
    let start = Instant::now();
    while alive(pid) {
        assert!(start.elapsed() < WAIT, "process {pid} still running");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The pid the server printed for `version` (`serving VERSION on ... (pid N)`).
fn server_pid(output: &str, version: &str) -> i32 {
    let line = output
        .lines()
        .find(|l| l.starts_with(&format!("[run] serving {version} ")))
        .unwrap_or_else(|| panic!("no [run] line for {version}:\n{output}"));
    line.rsplit("(pid ")
        .next()
        .and_then(|r| r.trim_end_matches(')').parse().ok())
        .unwrap()
}

#[test]
fn run_restarts_the_dev_server_after_each_change() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/dev_server");
    let tree = Tree::new("run");
    for f in ["SConstruct", "server.c"] {
        fs::copy(example.join(f), tree.path(f)).unwrap();
    }
    let port = free_port();
    let cmd = format!("./server {port}");
    let mut w = Watch::start(&tree, &["--run", &cmd, "--run-grace", "2"]);
    let o = w.wait_until("the server", |o| o.contains("[run] serving version 1 "));
    let first = server_pid(&o, "version 1");
    wait_for_answer(port, "version 1");
    // A change: rebuilt, the old server stopped, the new one answering.
    let text = tree.read("server.c");
    tree.write("server.c", &text.replace("\"version 1\"", "\"version 2\""));
    let o = w.wait_until("the new server", |o| o.contains("[run] serving version 2 "));
    assert!(o.contains(&format!("docons: restarting `{cmd}'")), "{o}");
    let second = server_pid(&o, "version 2");
    wait_for_answer(port, "version 2");
    wait_gone(first);
    // A failed build leaves it running.
    let text = tree.read("server.c");
    tree.write(
        "server.c",
        &text.replace("for (;;)", "for (;;) syntax error"),
    );
    let o = w.wait_until("the failed build", |o| o.contains("keeps running"));
    assert!(alive(second), "{o}");
    assert_eq!(get(port).as_deref(), Some("version 2"));
    // docons ends: the server ends with it.
    w.signal(libc::SIGTERM);
    assert!(w.wait_exit().is_some(), "docons ends on SIGTERM");
    wait_gone(second);
}
