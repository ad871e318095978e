//! The files the crate writes for itself (model files, run-cache entries, resume backups): one
//! container format with a SHA-256 checksum over every byte, so a flipped bit is reported on
//! load ("checksum mismatch", naming the file) instead of silently giving wrong weights.
//!
//! Layout: 8 magic bytes, a little-endian `u64` length and a JSON header, then each section as a
//! `u64` length and its bytes, then the SHA-256 of everything before it (32 bytes).

use crate::util::error::{write_atomic, Error, Result};
use sha2::{Digest, Sha256};
use std::path::Path;

const SUM: usize = 32;

/// Write `magic`, `header` and `sections` to `path` atomically, with the checksum trailer.
pub(crate) fn write(path: &Path, magic: &[u8; 8], header: &[u8], sections: &[&[u8]]) -> Result<()> {
    let size = 16 + header.len() + sections.iter().map(|s| 8 + s.len()).sum::<usize>() + SUM;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(magic);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(header);
    for s in sections {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(s);
    }
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    write_atomic(path, &out)
}

/// A container read back: its header and `count` sections.
pub(crate) struct Container {
    pub header: Vec<u8>,
    pub sections: Vec<Vec<u8>>,
}

/// Read a container written by [`write`] with the same `magic` and `count` sections; checks the
/// checksum before anything else, so a corrupt file never reaches the parsers. `what` names
/// the kind of file in errors ("model file", "resume backup").
pub(crate) fn read(path: &Path, magic: &[u8; 8], count: usize, what: &str) -> Result<Container> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse(path, &bytes, magic, count, what)
}

/// [`read`] on bytes already in memory.
pub(crate) fn parse(path: &Path, bytes: &[u8], magic: &[u8; 8], count: usize, what: &str) -> Result<Container> {
    if bytes.len() < 8 || &bytes[..8] != magic {
        return Err(Error::format(path, format!("not a cnn_lab {what} (bad magic bytes)")));
    }
    if bytes.len() < 16 + SUM {
        return Err(Error::format(path, format!("corrupt {what}: truncated ({} bytes)", bytes.len())));
    }
    let (body, sum) = bytes.split_at(bytes.len() - SUM);
    if Sha256::digest(body).as_slice() != sum {
        return Err(Error::format(path, format!("corrupt {what}: checksum mismatch (the file was changed or damaged after it was written)")));
    }
    let mut at = 8;
    let take = |at: &mut usize| -> Result<Vec<u8>> {
        let len = body.get(*at..*at + 8).map(|b| u64::from_le_bytes(b.try_into().unwrap()) as usize);
        match len {
            Some(n) if n <= body.len() - *at - 8 => {
                let s = body[*at + 8..*at + 8 + n].to_vec();
                *at += 8 + n;
                Ok(s)
            }
            _ => Err(Error::format(path, format!("corrupt {what}: a section runs past the end"))),
        }
    };
    let header = take(&mut at)?;
    let sections = (0..count).map(|_| take(&mut at)).collect::<Result<Vec<_>>>()?;
    if at != body.len() {
        return Err(Error::format(path, format!("corrupt {what}: {} unexpected bytes after the last section", body.len() - at)));
    }
    Ok(Container { header, sections })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_flipped_byte_is_caught() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.bin");
        write(&p, b"TESTMAGC", b"{\"a\":1}", &[b"abc", b""]).unwrap();
        let c = read(&p, b"TESTMAGC", 2, "test file").unwrap();
        assert_eq!((c.header.as_slice(), c.sections[0].as_slice(), c.sections[1].len()), (&b"{\"a\":1}"[..], &b"abc"[..], 0));
        let good = std::fs::read(&p).unwrap();
        for i in 8..good.len() {
            let mut b = good.clone();
            b[i] ^= 0x10;
            let e = parse(&p, &b, b"TESTMAGC", 2, "test file").err().expect("flipped byte accepted");
            assert!(e.to_string().contains("checksum mismatch"), "byte {i}: {e}");
        }
        let e = parse(&p, &good[..good.len() - 1], b"TESTMAGC", 2, "test file").err().unwrap();
        assert!(e.to_string().contains("checksum mismatch"), "{e}");
    }
}
