//! The flat little-endian encoding of docons's own files (the proof of a build, the kept
//! graph): numbers, length-prefixed strings and sections, written onto a buffer and read back
//! with every bound checked (a damaged file reads as `None`, never as a panic).

use std::ops::Range;

pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A count or length, as u32 (`None`: it does not fit).
pub fn put_len(out: &mut Vec<u8>, n: usize) -> Option<()> {
    put_u32(out, u32::try_from(n).ok()?);
    Some(())
}

/// A string: its length (u32) then its bytes.
pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

/// A section: its length (u64) then its bytes.
pub fn put_section(out: &mut Vec<u8>, section: &[u8]) {
    out.extend_from_slice(&(section.len() as u64).to_le_bytes());
    out.extend_from_slice(section);
}

/// A reader over encoded bytes, from the front.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// Where the next read starts.
    pub fn at(&self) -> usize {
        self.at
    }

    /// Nothing is left to read.
    pub fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }

    /// What is left, not read.
    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.at..]
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let part = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(part)
    }

    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }

    /// A string read in place (checked to be UTF-8).
    pub fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    /// Where the next string is (checked to be UTF-8).
    pub fn str_span(&mut self) -> Option<Range<usize>> {
        let n = self.u32()? as usize;
        let start = self.at;
        std::str::from_utf8(self.take(n)?).ok()?;
        Some(start..self.at)
    }

    /// Where the next section (see `put_section`) is.
    pub fn section(&mut self) -> Option<Range<usize>> {
        let n = usize::try_from(self.u64()?).ok()?;
        let start = self.at;
        self.take(n)?;
        Some(start..self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is written reads back; reading past the end is `None`.
    #[test]
    fn what_is_put_reads_back_and_no_read_passes_the_end() {
        let mut out = Vec::new();
        put_u32(&mut out, 7);
        put_len(&mut out, 9).unwrap();
        put_str(&mut out, "héllo");
        put_section(&mut out, b"abc");
        out.push(5);
        let mut r = Reader::new(&out);
        assert_eq!(r.u32(), Some(7));
        assert_eq!(r.u32(), Some(9));
        let mut again = Reader::new(&out[r.at()..]);
        assert_eq!(r.string().as_deref(), Some("héllo"));
        assert_eq!(again.str(), Some("héllo"));
        let section = r.section().unwrap();
        assert_eq!(&out[section], b"abc");
        assert_eq!(r.rest(), [5]);
        assert_eq!(r.u8(), Some(5));
        assert!(r.is_done());
        assert_eq!(r.u8(), None);
        assert_eq!(r.u64(), None);
        assert!(put_len(&mut Vec::new(), usize::MAX).is_none());
        let mut r = Reader::new(&out[..5]);
        r.u32().unwrap();
        assert_eq!(r.u32(), None, "a number cut short");
    }
}
