//! What the scripts see as the running program. SConstruct files that call the build tool again
//! (`'%s %s -C dir' % (sys.executable, sys.argv[0])`) or run helper scripts with `sys.executable`
//! expect a Python interpreter and a script. docons is neither, so the embedded interpreter is
//! told `sys.executable` = the real python3 on `PATH`, and `sys.argv[0]` = a small launcher
//! script that replaces itself with this docons binary. The launcher is kept in the user's cache
//! folder, not in the project: a dry run or a failing read must leave the project untouched.

use std::path::{Path, PathBuf};

/// The folder for launchers: `$XDG_CACHE_HOME/docons`, else `~/.cache/docons`, else the temp
/// folder's `docons-<uid>`.
fn launcher_dir() -> PathBuf {
    let home = |v: &str| {
        std::env::var_os(v)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = home("XDG_CACHE_HOME") {
        return d.join("docons");
    }
    if let Some(d) = home("HOME") {
        return d.join(".cache").join("docons");
    }
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    std::env::temp_dir().join(format!("docons-{uid}"))
}

/// The first `python3` (else `python`) on `PATH`, as SCons's own `sys.executable` would be.
pub fn python() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["python3", "python"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if is_executable(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// The launcher script of this docons binary (one per binary path), written when missing or
/// different. `None` when it cannot be written (the scripts then see the docons binary itself).
pub fn ensure() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // A JSON string literal is also a valid Python string literal.
    let exe_literal = serde_json::to_string(exe.to_str()?).ok()?;
    let text = format!(
        "# Written by docons: sys.argv[0] of the SConstruct files. Runs docons with the\n\
         # arguments given here.\n\
         import os, sys\n\
         exe = {exe_literal}\n\
         os.execv(exe, [exe] + sys.argv[1:])\n"
    );
    let name = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        exe.hash(&mut h);
        format!("launcher-{:016x}.py", h.finish())
    };
    let path = launcher_dir().join(name);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::create_dir_all(path.parent()?).ok()?;
        // (replaced at once, so that a build running it meanwhile never sees half of it)
        crate::state::replace_file(&path, &[text.as_bytes()]).ok()?;
    }
    Some(path)
}
