//! The lines docons itself prints while it builds (the build messages, the commands it echoes,
//! "up to date" notices), written here so that a build can be recorded as it prints: the proof
//! of a build that found everything current keeps its transcript, and the next run whose proof
//! holds prints it again instead of walking the graph (see `proof`).

use std::io::Write;
use std::sync::Mutex;

/// One printed line: on stderr (`true`) or stdout, and its text (without the newline).
pub type Line = (bool, String);

static RECORDING: Mutex<Option<Vec<Line>>> = Mutex::new(None);

fn write(to_stderr: bool, line: &str) {
    if to_stderr {
        let mut e = std::io::stderr().lock();
        let _ = writeln!(e, "{line}");
        let _ = e.flush();
    } else {
        let mut o = std::io::stdout().lock();
        let _ = writeln!(o, "{line}");
        let _ = o.flush();
    }
}

fn note(to_stderr: bool, line: &str) {
    if let Ok(mut r) = RECORDING.lock() {
        if let Some(lines) = r.as_mut() {
            lines.push((to_stderr, line.to_owned()));
        }
    }
}

/// Print a line on stdout.
pub fn out(line: &str) {
    note(false, line);
    write(false, line);
}

/// Print a line on stderr.
pub fn err(line: &str) {
    note(true, line);
    write(true, line);
}

/// Start recording what is printed (what was recorded before is dropped).
pub fn record() {
    if let Ok(mut r) = RECORDING.lock() {
        *r = Some(Vec::new());
    }
}

/// Stop recording; what was printed since `record`.
pub fn take() -> Vec<Line> {
    RECORDING
        .lock()
        .ok()
        .and_then(|mut r| r.take())
        .unwrap_or_default()
}

/// Print recorded lines again.
pub fn replay(lines: &[Line]) {
    for (to_stderr, line) in lines {
        write(*to_stderr, line);
    }
}
