//! The program that `--watch --run CMD` keeps running: started through `/bin/sh -c` in a process
//! group of its own once a build succeeded, its output passed through with each line marked
//! `[run] `, and stopped (SIGTERM to the whole group, SIGKILL after the grace period) before it
//! starts again and when docons ends, so that nothing it started stays behind.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RunChild {
    pub cmd: String,
    grace: Duration,
    running: Option<Running>,
    started: bool,
}

struct Running {
    /// The process group: the shell's pid.
    pgid: i32,
    child: Child,
    /// The shell exited (and was said to have).
    exited: bool,
}

/// Pass the lines read from `from` to docons's stdout or stderr, each marked `[run] `.
fn pump(from: impl Read + Send + 'static, to_stderr: bool) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(from);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if line.last() != Some(&b'\n') {
                        line.push(b'\n');
                    }
                    let mut marked = b"[run] ".to_vec();
                    marked.extend_from_slice(&line);
                    if to_stderr {
                        let mut e = std::io::stderr().lock();
                        let _ = e.write_all(&marked);
                        let _ = e.flush();
                    } else {
                        let mut o = std::io::stdout().lock();
                        let _ = o.write_all(&marked);
                        let _ = o.flush();
                    }
                }
            }
        }
    });
}

impl RunChild {
    pub fn new(cmd: &str, grace_seconds: f64) -> RunChild {
        // Orphans of the program (children of its shell once the shell is gone) are handed to
        // docons rather than to init, so that stopping the group can reap them all.
        #[cfg(target_os = "linux")]
        unsafe {
            libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
        RunChild {
            cmd: cmd.to_owned(),
            grace: Duration::from_secs_f64(grace_seconds.max(0.0)),
            running: None,
            started: false,
        }
    }

    /// Was the program ever started?
    pub fn started(&self) -> bool {
        self.started
    }

    /// Is an instance running (its shell has not exited)?
    pub fn is_running(&self) -> bool {
        self.running.as_ref().is_some_and(|r| !r.exited)
    }

    /// Start an instance (any running one is stopped first).
    pub fn start(&mut self) {
        self.stop();
        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg(&self.cmd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        // Should docons die without stopping it, the program gets SIGTERM.
        #[cfg(target_os = "linux")]
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM, 0, 0, 0);
                Ok(())
            });
        }
        match command.spawn() {
            Ok(mut child) => {
                if let Some(o) = child.stdout.take() {
                    pump(o, false);
                }
                if let Some(e) = child.stderr.take() {
                    pump(e, true);
                }
                self.started = true;
                self.running = Some(Running {
                    pgid: child.id() as i32,
                    child,
                    exited: false,
                });
            }
            Err(e) => eprintln!("docons: cannot start `{}': {e}", self.cmd),
        }
    }

    /// Say once that the program ended by itself, if it did.
    pub fn poll(&mut self) {
        let Some(r) = self.running.as_mut() else {
            return;
        };
        if r.exited {
            return;
        }
        if let Ok(Some(status)) = r.child.try_wait() {
            r.exited = true;
            use std::os::unix::process::ExitStatusExt;
            let how = match (status.code(), status.signal()) {
                (Some(c), _) => format!("with status {c}"),
                (None, Some(s)) => format!("on signal {s}"),
                _ => String::from("abnormally"),
            };
            println!("docons: `{}' exited {how}", self.cmd);
        }
    }

    /// Stop the running instance and everything in its process group: SIGTERM, then SIGKILL
    /// once the grace period is over; returns when the group is gone.
    pub fn stop(&mut self) {
        let Some(r) = self.running.take() else {
            return;
        };
        let pgid = r.pgid;
        drop(r.child); // not waited for here: the group is reaped below
        unsafe {
            libc::kill(-pgid, libc::SIGTERM);
        }
        let deadline = Instant::now() + self.grace;
        let mut killed = false;
        loop {
            // Reap what ended in the group: the shell, and the orphans handed to docons.
            unsafe { while libc::waitpid(-pgid, std::ptr::null_mut(), libc::WNOHANG) > 0 {} }
            if unsafe { libc::kill(-pgid, 0) } != 0 {
                break;
            }
            let now = Instant::now();
            if !killed && now >= deadline {
                unsafe {
                    libc::kill(-pgid, libc::SIGKILL);
                }
                killed = true;
            } else if killed && now >= deadline + Duration::from_secs(5) {
                // Unkillable (or not ours to reap): give up waiting.
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for RunChild {
    fn drop(&mut self) {
        self.stop();
    }
}
