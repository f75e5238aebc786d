//! How a command line is started. SCons runs every command through `/bin/sh -c`. A line that
//! holds nothing the shell would interpret (no quotes, escapes, expansions, redirections,
//! operators, globs, comments, assignments, keywords or builtins) is only split at its blanks
//! by the shell, which then looks the program up on `PATH` and replaces itself with it: docons
//! does the same itself and starts the program directly, which spares a shell's start (about
//! a millisecond of CPU) per command. The program sees what it would see under the shell: the
//! same arguments, `argv[0]` as written, and the environment with `PWD` set as the shell sets
//! it. Anything else, and a program that cannot be started so (missing, not executable, a
//! script without `#!`), goes through the shell, which says what it says about it.

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The shell's keywords and builtins (dash's): a line starting with one is the shell's.
const SHELL_WORDS: &[&str] = &[
    ".", ":", "[", "alias", "bg", "break", "case", "cd", "command", "continue", "do", "done",
    "echo", "elif", "else", "esac", "eval", "exec", "exit", "export", "false", "fc", "fg", "fi",
    "for", "getopts", "hash", "if", "in", "jobs", "kill", "local", "printf", "pwd", "read",
    "readonly", "return", "set", "shift", "test", "then", "times", "trap", "true", "type",
    "ulimit", "umask", "unalias", "unset", "until", "wait", "while",
];

/// A command line the shell would only split into words: the program found as the shell
/// would find it, and the words (the first as written).
#[derive(Debug, PartialEq)]
pub struct Direct<'a> {
    pub program: PathBuf,
    pub words: Vec<&'a str>,
}

/// Can `cmd` be started without the shell, and how (`env`: the command's environment, `cwd`:
/// where it runs)? `None`: through the shell.
pub fn direct<'a>(cmd: &'a str, env: &BTreeMap<String, String>, cwd: &Path) -> Option<Direct<'a>> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-_./,:+=@% \t".contains(&b);
    if !cmd.bytes().all(plain) {
        return None;
    }
    let words: Vec<&str> = cmd.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
    let first = *words.first()?;
    if first.contains('=') || SHELL_WORDS.contains(&first) {
        return None;
    }
    let program = if first.contains('/') {
        let p = cwd.join(first);
        executable(&p).then_some(p)?
    } else {
        // (as the shell: the first folder on PATH holding an executable file of that name;
        // an empty or relative entry is left to the shell)
        env.get("PATH")?.split(':').find_map(|dir| {
            if !dir.starts_with('/') {
                return Some(None);
            }
            let p = Path::new(dir).join(first);
            executable(&p).then_some(Some(p))
        })??
    };
    Some(Direct { program, words })
}

/// A regular file (through links) this process may execute.
fn executable(p: &Path) -> bool {
    if !std::fs::metadata(p).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path.
    unsafe { libc::access(c.as_ptr(), libc::X_OK) == 0 }
}

/// The `PWD` the shell would give a program it starts in `cwd` with environment `env`: the
/// inherited one when it names that folder, else the folder's physical path.
pub fn shell_pwd(env: &BTreeMap<String, String>, cwd: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let here = std::fs::metadata(cwd).ok()?;
    if let Some(pwd) = env.get("PWD").filter(|p| p.starts_with('/')) {
        if std::fs::metadata(pwd).is_ok_and(|m| m.dev() == here.dev() && m.ino() == here.ino()) {
            return Some(pwd.clone());
        }
    }
    Some(
        std::fs::canonicalize(cwd)
            .ok()?
            .to_string_lossy()
            .into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> BTreeMap<String, String> {
        BTreeMap::from([("PATH".to_owned(), "/usr/local/bin:/usr/bin:/bin".to_owned())])
    }

    #[test]
    fn plain_lines_start_directly_and_the_shells_own_do_not() {
        let cwd = Path::new("/");
        let d = direct("cat  -n\ta.c", &env(), cwd).expect("a plain line");
        assert!(d.program.ends_with("cat") && d.program.is_absolute());
        assert_eq!(d.words, ["cat", "-n", "a.c"]);
        let d = direct("/bin/cat -o x.o -DX=1 -I. y,z:w+v@u%t", &env(), cwd).unwrap();
        assert_eq!(d.program, Path::new("/bin/cat"));
        assert_eq!(d.words.len(), 6);
        for shells in [
            "cat a > b",
            "cat a | cat",
            "cat a; cat b",
            "cat a && cat b",
            "cat 'a b'",
            "cat \"a\"",
            "cat a\\ b",
            "cat $HOME",
            "cat `x`",
            "cat *.c",
            "cat a?",
            "cat [ab]",
            "cat ~/a",
            "cat a # comment",
            "X=1 cat a",
            "cat a\ncat b",
            "echo hello",
            "cd sub",
            "exit 3",
            "true",
            "",
            "   ",
            "no-such-program-anywhere a",
        ] {
            assert_eq!(direct(shells, &env(), cwd), None, "{shells:?}");
        }
        // no PATH to look in: the shell's default one applies
        assert_eq!(direct("cat a", &BTreeMap::new(), cwd), None);
        // a relative PATH entry before the program is found: the shell knows
        let rel = BTreeMap::from([("PATH".to_owned(), "bin:/bin".to_owned())]);
        assert_eq!(direct("cat a", &rel, cwd), None);
    }

    #[test]
    fn a_file_that_cannot_be_executed_is_skipped_as_the_shell_skips_it() {
        let dir = std::env::temp_dir().join(format!("docons-cmdline-{}", std::process::id()));
        let (first, second) = (dir.join("one"), dir.join("two"));
        std::fs::create_dir_all(&first).unwrap();
        std::fs::create_dir_all(&second).unwrap();
        std::fs::write(first.join("tool"), "not executable").unwrap();
        std::fs::write(second.join("tool"), "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(second.join("tool"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let path = format!("{}:{}", first.display(), second.display());
        let env = BTreeMap::from([("PATH".to_owned(), path)]);
        let d = direct("tool x", &env, Path::new("/")).unwrap();
        assert_eq!(d.program, second.join("tool"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pwd_is_the_folders_physical_path_unless_the_inherited_one_names_it() {
        let cwd = std::env::temp_dir();
        let physical = std::fs::canonicalize(&cwd).unwrap();
        let got = shell_pwd(&BTreeMap::new(), &cwd).unwrap();
        assert_eq!(Path::new(&got), physical);
        let wrong = BTreeMap::from([("PWD".to_owned(), "/".to_owned())]);
        assert_eq!(Path::new(&shell_pwd(&wrong, &cwd).unwrap()), physical);
        let named = BTreeMap::from([("PWD".to_owned(), cwd.display().to_string())]);
        assert_eq!(shell_pwd(&named, &cwd).unwrap(), cwd.display().to_string());
    }
}
