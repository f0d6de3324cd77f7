//! The XPAK segment (xpak.5, Portage `xpak.py`): reading and writing the
//! `XPAKPACK … XPAKSTOP` block and the 16-byte binpkg trailer.

use std::io::{Read, Seek, SeekFrom};

use crate::error::{Error, Result};
use crate::metadata::{Metadata, validate_key};

/// Opening magic of an XPAK segment.
pub const XPAK_START: &[u8; 8] = b"XPAKPACK";
/// Closing magic of an XPAK segment.
pub const XPAK_END: &[u8; 8] = b"XPAKSTOP";
/// Last four bytes of an XPAK binpkg.
pub const TRAILER_STOP: &[u8; 4] = b"STOP";
/// Length of the binpkg trailer (`XPAKSTOP` + u32 length + `STOP`).
pub const TRAILER_LEN: u64 = 16;
/// Default upper bound on an XPAK segment read from a file (hostile-input limit).
pub const DEFAULT_MAX_XPAK_LEN: u64 = 256 * 1024 * 1024;

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn bad(offset: usize, reason: impl Into<String>) -> Error {
    Error::Xpak {
        offset: offset as u64,
        reason: reason.into(),
    }
}

/// Decodes a complete XPAK segment (`XPAKPACK` through `XPAKSTOP`).
///
/// Strict: lengths must add up exactly, every index entry must be complete, values must
/// lie inside the data block and must not overlap, names must be UTF-8 and safe relative
/// paths, and keys must be unique. Values stay bytes.
pub fn decode(seg: &[u8]) -> Result<Metadata> {
    if seg.len() < 24 {
        return Err(bad(
            0,
            format!("segment of {} bytes is too short", seg.len()),
        ));
    }
    if &seg[..8] != XPAK_START {
        return Err(bad(0, "missing XPAKPACK magic"));
    }
    let index_len = be32(seg, 8) as usize;
    let data_len = be32(seg, 12) as usize;
    let expected = 16usize
        .checked_add(index_len)
        .and_then(|n| n.checked_add(data_len))
        .and_then(|n| n.checked_add(8))
        .ok_or_else(|| bad(8, "index and data lengths overflow"))?;
    if expected != seg.len() {
        return Err(bad(
            8,
            format!(
                "index_len {index_len} + data_len {data_len} + 24 = {expected} but the segment is {} bytes",
                seg.len()
            ),
        ));
    }
    let data_start = 16 + index_len;
    if &seg[data_start + data_len..] != XPAK_END {
        return Err(bad(data_start + data_len, "missing XPAKSTOP magic"));
    }
    let index = &seg[16..data_start];
    let data = &seg[data_start..data_start + data_len];
    let mut meta = Metadata::new();
    let mut ranges: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, entry offset)
    let mut pos = 0usize;
    while pos < index.len() {
        let at = 16 + pos;
        if index.len() - pos < 4 {
            return Err(bad(at, "truncated index entry (name length)"));
        }
        let name_len = be32(index, pos) as usize;
        let need = name_len
            .checked_add(12)
            .ok_or_else(|| bad(at, "name length overflows"))?;
        if index.len() - pos < need {
            return Err(bad(
                at,
                format!(
                    "truncated index entry: needs {need} bytes, {} left",
                    index.len() - pos
                ),
            ));
        }
        let name_bytes = &index[pos + 4..pos + 4 + name_len];
        let name = std::str::from_utf8(name_bytes)
            .map_err(|e| bad(at + 4 + e.valid_up_to(), "entry name is not valid UTF-8"))?;
        validate_key(name).map_err(|r| bad(at + 4, format!("entry name {name:?}: {r}")))?;
        let off = be32(index, pos + 4 + name_len) as usize;
        let len = be32(index, pos + 8 + name_len) as usize;
        let end = off
            .checked_add(len)
            .filter(|&e| e <= data.len())
            .ok_or_else(|| {
                bad(
                    at,
                    format!(
                        "entry {name:?} value [{off}, {off}+{len}) lies outside the {}-byte data block",
                        data.len()
                    ),
                )
            })?;
        if meta.contains(name) {
            return Err(bad(at, format!("duplicate entry {name:?}")));
        }
        if len > 0 {
            ranges.push((off, end, at));
        }
        meta.insert(name, data[off..end].to_vec());
        pos += need;
    }
    ranges.sort_unstable();
    for w in ranges.windows(2) {
        if w[1].0 < w[0].1 {
            return Err(bad(
                w[1].2,
                format!(
                    "value [{}, {}) overlaps value [{}, {})",
                    w[1].0, w[1].1, w[0].0, w[0].1
                ),
            ));
        }
    }
    Ok(meta)
}

/// Encodes `meta` as an XPAK segment, keys in the stored order, values contiguous.
pub fn encode(meta: &Metadata) -> Vec<u8> {
    let mut index = Vec::new();
    let mut data = Vec::new();
    for (k, v) in meta.iter() {
        index.extend_from_slice(&(k.len() as u32).to_be_bytes());
        index.extend_from_slice(k.as_bytes());
        index.extend_from_slice(&(data.len() as u32).to_be_bytes());
        index.extend_from_slice(&(v.len() as u32).to_be_bytes());
        data.extend_from_slice(v);
    }
    let mut out = Vec::with_capacity(24 + index.len() + data.len());
    out.extend_from_slice(XPAK_START);
    out.extend_from_slice(&(index.len() as u32).to_be_bytes());
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(&index);
    out.extend_from_slice(&data);
    out.extend_from_slice(XPAK_END);
    out
}

/// The length of an encoded segment as the trailer records it (32 bits); a segment too
/// long for that is an error.
pub(crate) fn segment_len(seg: &[u8]) -> Result<u32> {
    u32::try_from(seg.len()).map_err(|_| Error::LimitExceeded {
        entry: "xpak segment".into(),
        what: "xpak length",
        limit: u64::from(u32::MAX),
        actual: seg.len() as u64,
    })
}

/// The 16-byte binpkg trailer for a segment of `xpak_len` bytes.
pub fn trailer(xpak_len: u32) -> [u8; 16] {
    let mut t = [0u8; 16];
    t[..8].copy_from_slice(XPAK_END);
    t[8..12].copy_from_slice(&xpak_len.to_be_bytes());
    t[12..].copy_from_slice(TRAILER_STOP);
    t
}

/// Where the parts of an XPAK binpkg lie in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XpakLayout {
    /// Total file size.
    pub file_len: u64,
    /// Length of the compressed tar stream at the start of the file.
    pub tar_len: u64,
    /// Length of the XPAK segment (from `XPAKPACK` through `XPAKSTOP`).
    pub xpak_len: u64,
}

/// Checks a 16-byte tail (`XPAKSTOP` + u32 + `STOP`) and returns the XPAK length.
pub fn parse_trailer(tail: &[u8]) -> Option<u32> {
    if tail.len() != 16 || &tail[..8] != XPAK_END || &tail[12..] != TRAILER_STOP {
        return None;
    }
    Some(be32(tail, 8))
}

/// Locates the XPAK segment of a binpkg by seeking to its end; does not read the image.
pub fn locate<R: Read + Seek>(file: &mut R) -> Result<XpakLayout> {
    let file_len = file.seek(SeekFrom::End(0))?;
    if file_len < TRAILER_LEN {
        return Err(Error::Xpak {
            offset: 0,
            reason: format!("file of {file_len} bytes is too short for an xpak trailer"),
        });
    }
    let tail_at = file_len - TRAILER_LEN;
    file.seek(SeekFrom::Start(tail_at))?;
    let mut tail = [0u8; 16];
    file.read_exact(&mut tail)?;
    let xpak_len = u64::from(parse_trailer(&tail).ok_or_else(|| Error::Xpak {
        offset: tail_at,
        reason: "missing XPAKSTOP/STOP trailer".into(),
    })?);
    let tar_len = file_len
        .checked_sub(8 + xpak_len)
        .ok_or_else(|| Error::Xpak {
            offset: tail_at + 8,
            reason: format!("xpak length {xpak_len} exceeds the file size {file_len}"),
        })?;
    if xpak_len < 24 {
        return Err(Error::Xpak {
            offset: tail_at + 8,
            reason: format!("xpak length {xpak_len} is below the 24-byte minimum"),
        });
    }
    Ok(XpakLayout {
        file_len,
        tar_len,
        xpak_len,
    })
}

/// Reads the metadata of an XPAK binpkg from its tail (seek to the end, read the
/// trailer, then the segment); the image is never touched.
pub fn read_tail<R: Read + Seek>(file: &mut R, max_len: u64) -> Result<(Metadata, XpakLayout)> {
    let layout = locate(file)?;
    if layout.xpak_len > max_len {
        return Err(Error::LimitExceeded {
            entry: "xpak segment".into(),
            what: "xpak length",
            limit: max_len,
            actual: layout.xpak_len,
        });
    }
    file.seek(SeekFrom::Start(layout.tar_len))?;
    let mut seg = vec![0u8; layout.xpak_len as usize];
    file.read_exact(&mut seg)?;
    let meta = decode(&seg).map_err(|e| match e {
        Error::Xpak { offset, reason } => Error::Xpak {
            offset: offset + layout.tar_len,
            reason,
        },
        other => other,
    })?;
    Ok((meta, layout))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The xpak.5 example vector (formats.md §5.1).
    const MAN_VECTOR: [u8; 72] = [
        0x58, 0x50, 0x41, 0x4b, 0x50, 0x41, 0x43, 0x4b, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
        0x10, 0x00, 0x00, 0x00, 0x04, 0x66, 0x69, 0x6c, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x66, 0x69, 0x6c, 0x32, 0x00, 0x00, 0x00, 0x08, 0x00,
        0x00, 0x00, 0x08, 0x64, 0x64, 0x44, 0x64, 0x64, 0x44, 0x64, 0x64, 0x6a, 0x6a, 0x4a, 0x6a,
        0x6a, 0x4a, 0x6a, 0x6a, 0x58, 0x50, 0x41, 0x4b, 0x53, 0x54, 0x4f, 0x50,
    ];

    #[test]
    fn man_page_vector_decodes_and_reencodes() {
        let m = decode(&MAN_VECTOR).expect("valid vector");
        assert_eq!(m.keys().collect::<Vec<_>>(), ["fil1", "fil2"]);
        assert_eq!(m.get("fil1"), Some(&b"ddDddDdd"[..]));
        assert_eq!(m.get("fil2"), Some(&b"jjJjjJjj"[..]));
        assert_eq!(encode(&m), MAN_VECTOR);
        assert_eq!(trailer(72)[8..12], [0, 0, 0, 0x48]);
    }

    #[test]
    fn second_vector_from_formats_md() {
        let m: Metadata = [("CATEGORY", &b"app-misc\n"[..]), ("PF", &b"foo-1.0\n"[..])]
            .into_iter()
            .collect();
        let seg = encode(&m);
        assert_eq!(seg.len(), 75);
        assert_eq!(&seg[8..16], &[0, 0, 0, 0x22, 0, 0, 0, 0x11]);
        assert_eq!(
            trailer(seg.len() as u32),
            [
                0x58, 0x50, 0x41, 0x4b, 0x53, 0x54, 0x4f, 0x50, 0, 0, 0, 0x4b, 0x53, 0x54, 0x4f,
                0x50
            ]
        );
    }

    fn expect_xpak_err(seg: &[u8], want_offset: u64, needle: &str) {
        match decode(seg) {
            Err(Error::Xpak { offset, reason }) => {
                assert_eq!(offset, want_offset, "{reason}");
                assert!(reason.contains(needle), "{reason:?} lacks {needle:?}");
            }
            other => panic!("expected an xpak error, got {other:?}"),
        }
    }

    #[test]
    fn hostile_segments_are_rejected_with_offsets() {
        // Value outside the data block: fil2 claims offset 8 len 9 (data is 16 bytes).
        let mut v = MAN_VECTOR;
        v[0x2f] = 9;
        expect_xpak_err(&v, 0x20, "outside");
        // Overlap: fil2 at offset 4.
        let mut v = MAN_VECTOR;
        v[0x2b] = 4;
        expect_xpak_err(&v, 0x20, "overlaps");
        // Truncated index: index_len 30 instead of 32, data_len adjusted to keep sizes.
        let mut v = MAN_VECTOR;
        v[0x0b] = 30;
        v[0x0f] = 18;
        expect_xpak_err(&v, 0x20, "truncated");
        // Inconsistent lengths.
        let mut v = MAN_VECTOR;
        v[0x0f] = 0x11;
        expect_xpak_err(&v, 8, "segment is 72 bytes");
        // Bad name bytes.
        let mut v = MAN_VECTOR;
        v[0x16] = 0xff;
        expect_xpak_err(&v, 0x16, "UTF-8");
        // Name escaping with '..'.
        let mut v = MAN_VECTOR;
        v[0x14..0x18].copy_from_slice(b"../x");
        expect_xpak_err(&v, 0x14, "'..'");
        // Duplicate key.
        let mut v = MAN_VECTOR;
        v[0x27] = b'1';
        expect_xpak_err(&v, 0x20, "duplicate");
        // Missing end magic.
        let mut v = MAN_VECTOR;
        v[71] = b'Q';
        expect_xpak_err(&v, 64, "XPAKSTOP");
    }

    #[test]
    fn tail_reading_checks_the_trailer() {
        let mut file = b"not really a tarball".to_vec();
        file.extend_from_slice(&MAN_VECTOR);
        file.extend_from_slice(&trailer(72)[8..]);
        let (m, layout) =
            read_tail(&mut std::io::Cursor::new(&file), DEFAULT_MAX_XPAK_LEN).expect("reads");
        assert_eq!(layout.tar_len, 20);
        assert_eq!(m.len(), 2);
        // Length larger than the file.
        let mut bad_len = file.clone();
        let n = bad_len.len();
        bad_len[n - 8..n - 4].copy_from_slice(&1000u32.to_be_bytes());
        assert!(read_tail(&mut std::io::Cursor::new(&bad_len), DEFAULT_MAX_XPAK_LEN).is_err());
        // Limit.
        assert!(matches!(
            read_tail(&mut std::io::Cursor::new(&file), 10),
            Err(Error::LimitExceeded { .. })
        ));
        // No trailer.
        assert!(read_tail(&mut std::io::Cursor::new(&file[..n - 1]), 1 << 20).is_err());
    }
}

/// Replaces the metadata of the XPAK binpkg at `path` (Portage's `recompose_mem`): the
/// tar stream is kept byte for byte and a new segment and trailer follow it. The result
/// is written to a temporary file and renamed over `path`, so hard links to the old
/// file keep the old content and a failure leaves the file intact.
pub fn rewrite_metadata(path: &std::path::Path, meta: &Metadata) -> Result<()> {
    use std::io::Write;
    let in_file = |e: Error| e.in_file(path);
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let layout = locate(&mut file).map_err(in_file)?;
    let seg = encode(meta);
    let len = segment_len(&seg)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp.xpak.")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io(path, e))?;
    let copied = std::io::copy(
        &mut Read::by_ref(&mut file).take(layout.tar_len),
        tmp.as_file_mut(),
    )
    .map_err(|e| Error::io(path, e))?;
    if copied != layout.tar_len {
        return Err(Error::Xpak {
            offset: copied,
            reason: "file shrank while being rewritten".into(),
        }
        .in_file(path));
    }
    let out = tmp.as_file_mut();
    out.write_all(&seg)
        .and_then(|_| out.write_all(&trailer(len)[8..]))
        .and_then(|_| out.sync_all())
        .map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod rewrite_tests {
    use super::*;

    #[test]
    fn rewriting_keeps_the_tar_stream_and_replaces_the_metadata() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("foo-1.0-1.xpak");
        let tar_part = b"pretend compressed tar stream".to_vec();
        let old: Metadata = [("CATEGORY", &b"app-misc\n"[..]), ("PF", b"foo-1.0\n")]
            .into_iter()
            .collect();
        let mut bytes = tar_part.clone();
        let seg = encode(&old);
        bytes.extend_from_slice(&seg);
        bytes.extend_from_slice(&trailer(seg.len() as u32)[8..]);
        std::fs::write(&path, &bytes).expect("write");
        let link = dir.path().join("hardlink.xpak");
        std::fs::hard_link(&path, &link).expect("link");
        let mut new = old.clone();
        new.insert("BUILD_ID", b"7\n".to_vec());
        rewrite_metadata(&path, &new).expect("rewrite");
        let mut f = std::fs::File::open(&path).expect("open");
        let (meta, layout) = read_tail(&mut f, DEFAULT_MAX_XPAK_LEN).expect("read");
        assert_eq!(meta, new);
        assert_eq!(layout.tar_len, tar_part.len() as u64);
        assert_eq!(
            &std::fs::read(&path).expect("read")[..tar_part.len()],
            &tar_part[..]
        );
        // The hard link still has the old content.
        assert_eq!(std::fs::read(&link).expect("read link"), bytes);
    }
}
