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

pub fn hash_file(path: &Path) -> std::io::Result<String> {
    Ok(hash_bytes(&std::fs::read(path)?))
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
