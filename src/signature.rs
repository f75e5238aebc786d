//! Signatures: what a file is now (its stat) and what it holds (a content hash), and the hash of a
//! task's command lines. Content hashes are blake3, written as hex.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// A file's identity on disk, cheap to read: when it is the same as recorded, the recorded
/// content hash is taken to be current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stat {
    pub mtime_ns: i128,
    pub size: u64,
    pub inode: u64,
}

impl Stat {
    pub fn of(path: &Path) -> Option<Stat> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stat::from_metadata(&meta))
    }

    pub fn from_metadata(meta: &std::fs::Metadata) -> Stat {
        Stat {
            mtime_ns: meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
            size: meta.size(),
            inode: meta.ino(),
        }
    }
}

/// The files of one folder, stat'ed with the folder opened once: the kernel then walks one
/// name per file instead of its whole path (a third less time for a tree's worth of files).
pub struct Folder {
    /// Open (`O_PATH`) when the folder could be opened; its files are then all missing.
    fd: Option<std::os::fd::OwnedFd>,
    name: Vec<u8>,
}

impl Folder {
    /// The folder at `dir` (symbolic links followed, as a path walk through it would).
    pub fn open(dir: &Path) -> Folder {
        use std::os::fd::FromRawFd;
        use std::os::unix::ffi::OsStrExt;
        let fd = std::ffi::CString::new(dir.as_os_str().as_bytes())
            .ok()
            .and_then(|c| {
                let flags = libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC;
                let fd = unsafe { libc::open(c.as_ptr(), flags) };
                // (an fd the call just returned is owned by no one else)
                (fd >= 0).then(|| unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) })
            });
        Folder {
            fd,
            name: Vec::new(),
        }
    }

    /// The stat of the file `name` of the folder (a symbolic link followed: `None` when it
    /// dangles), and whether it is a symbolic link, as `symlink_metadata` and `metadata` of
    /// its path would tell.
    pub fn lstat(&mut self, name: &str) -> (Option<Stat>, bool) {
        if !self.name_is(name) {
            return (None, false);
        }
        match self.at(libc::AT_SYMLINK_NOFOLLOW) {
            None => (None, false),
            Some((_, true)) => (self.at(0).map(|(stat, _)| stat), true),
            Some((stat, false)) => (Some(stat), false),
        }
    }

    /// The stat of the path `relative` below the folder (`a/b/c`; symbolic links followed, as
    /// `Stat::of` of the whole path would tell).
    pub fn stat(&mut self, relative: &str) -> Option<Stat> {
        if !self.name_is(relative) {
            return None;
        }
        self.at(0).map(|(stat, _)| stat)
    }

    /// Is the folder open, and `name` a name to ask it about (kept, NUL-terminated, for `at`)?
    fn name_is(&mut self, name: &str) -> bool {
        if self.fd.is_none() || name.contains('\0') {
            return false;
        }
        self.name.clear();
        self.name.extend_from_slice(name.as_bytes());
        self.name.push(0);
        true
    }

    /// `fstatat` of the name kept by `name_is`, with `flags`: the stat, and whether it is a
    /// symbolic link's.
    fn at(&self, flags: i32) -> Option<(Stat, bool)> {
        use std::os::fd::AsRawFd;
        let fd = self.fd.as_ref()?;
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let ptr = self.name.as_ptr() as *const libc::c_char;
        // (a NUL-terminated name, a stat buffer of the right type)
        let ok = unsafe { libc::fstatat(fd.as_raw_fd(), ptr, &mut st, flags) } == 0;
        let stat = Stat {
            mtime_ns: st.st_mtime as i128 * 1_000_000_000 + st.st_mtime_nsec as i128,
            size: st.st_size as u64,
            inode: st.st_ino,
        };
        ok.then_some((stat, st.st_mode & libc::S_IFMT == libc::S_IFLNK))
    }

    /// Was the folder opened?
    pub fn is_open(&self) -> bool {
        self.fd.is_some()
    }
}

/// A file (or folder) modified this close to the moment its stat is taken may be written again
/// within the same clock tick without its stat changing: such a stat does not vouch for what
/// the file holds later (the proof of a build and the verified folders of a kept graph do not
/// trust it).
pub const RACY_NS: i128 = 100_000_000;

/// Nanoseconds since the epoch, now.
pub fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// A stat together with the content hash it was taken with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub stat: Stat,
    pub csig: String,
}

/// The content hash of the file at `path`, read a piece at a time (a large target, say an
/// archive, is not copied whole into memory first).
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok(hasher.finalize().to_hex().to_string())
}

pub fn hash_bytes(data: &[u8]) -> String {
    blake3::hash(data).to_hex().to_string()
}

pub fn hash_str(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex().to_string()
}

/// The signature of a task's actions: what must stay the same for its targets to stay current.
pub fn action_signature<'a>(sigs: impl Iterator<Item = &'a str>) -> String {
    let mut hasher = blake3::Hasher::new();
    for s in sigs {
        hasher.update(s.as_bytes());
        hasher.update(b"\0");
    }
    hasher.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_hashed_piece_by_piece_has_the_hash_of_its_bytes() {
        let path = std::env::temp_dir().join(format!("docons-hash-test-{}", std::process::id()));
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(hash_file(&path).unwrap(), hash_bytes(&bytes));
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_folder_stats_its_files_as_their_paths_would() {
        let dir =
            std::env::temp_dir().join(format!("docons-signature-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("file"), "text").unwrap();
        std::os::unix::fs::symlink("file", dir.join("link")).unwrap();
        std::os::unix::fs::symlink("nowhere", dir.join("dangling")).unwrap();
        let mut folder = Folder::open(&dir);
        let file = Stat::of(&dir.join("file"));
        assert!(file.is_some());
        assert_eq!(folder.lstat("file"), (file, false));
        assert_eq!(folder.lstat("link"), (file, true));
        assert_eq!(folder.lstat("dangling"), (None, true));
        assert_eq!(folder.lstat("missing"), (None, false));
        assert_eq!(folder.lstat("sub"), (Stat::of(&dir.join("sub")), false));
        assert_eq!(
            Folder::open(&dir.join("missing")).lstat("file"),
            (None, false)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
