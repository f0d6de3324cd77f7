//! Compression formats of binpkg tar streams, detected by magic bytes (never by file
//! extension), with streaming decoders and encoders.

use std::io::{self, Read, Write};

use crate::error::{Error, Result};

/// How many leading bytes [`Compression::detect`] needs to decide (tar's `ustar` magic sits
/// at offset 257).
pub const PROBE_LEN: usize = 263;

/// A compressor used for a binpkg tar stream (Portage's `BINPKG_COMPRESS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// A plain, uncompressed tar.
    None,
    /// gzip (`1f 8b`).
    Gzip,
    /// bzip2 (`BZh1`–`BZh9`).
    Bzip2,
    /// xz (`fd 37 7a 58 5a 00`).
    Xz,
    /// zstd (`28 b5 2f fd`, or legacy frames `22`–`27`).
    Zstd,
    /// lz4 frame (`04 22 4d 18`) or legacy (`02 21 4c 18`).
    Lz4,
    /// lzip (`LZIP`): recognised, not decodable here.
    Lzip,
    /// lzop: recognised, not decodable here.
    Lzop,
}

impl Compression {
    /// Detects the compressor from the first bytes of a stream (give at least
    /// [`PROBE_LEN`] bytes when available). Returns `None` when nothing matches; a plain
    /// tar (`ustar` magic at offset 257) is `Some(Compression::None)`.
    pub fn detect(head: &[u8]) -> Option<Compression> {
        let starts = |m: &[u8]| head.starts_with(m);
        if starts(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.len() >= 4 && starts(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
            Some(Compression::Bzip2)
        } else if starts(&[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) {
            Some(Compression::Xz)
        } else if head.len() >= 4
            && (0x22..=0x28).contains(&head[0])
            && head[1..4] == [0xb5, 0x2f, 0xfd]
        {
            Some(Compression::Zstd)
        } else if starts(&[0x04, 0x22, 0x4d, 0x18]) || starts(&[0x02, 0x21, 0x4c, 0x18]) {
            Some(Compression::Lz4)
        } else if starts(b"LZIP") {
            Some(Compression::Lzip)
        } else if starts(&[0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]) {
            Some(Compression::Lzop)
        } else if head.len() >= 262 && &head[257..262] == b"ustar" {
            Some(Compression::None)
        } else {
            None
        }
    }

    /// The `BINPKG_COMPRESS` name (`zstd`, `bzip2`, ...; `none` for no compression).
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
            Compression::Lz4 => "lz4",
            Compression::Lzip => "lzip",
            Compression::Lzop => "lzop",
        }
    }

    /// Parses a `BINPKG_COMPRESS` name.
    pub fn from_name(name: &str) -> Option<Compression> {
        Some(match name {
            "none" | "" => Compression::None,
            "gzip" => Compression::Gzip,
            "bzip2" => Compression::Bzip2,
            "xz" => Compression::Xz,
            "zstd" => Compression::Zstd,
            "lz4" => Compression::Lz4,
            "lzip" => Compression::Lzip,
            "lzop" => Compression::Lzop,
            _ => return None,
        })
    }

    /// The suffix GPKG appends to `metadata.tar` / `image.tar` (`.zst`, `""` for none).
    pub fn gpkg_suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Bzip2 => ".bz2",
            Compression::Xz => ".xz",
            Compression::Zstd => ".zst",
            Compression::Lz4 => ".lz4",
            Compression::Lzip => ".lz",
            Compression::Lzop => ".lzo",
        }
    }

    /// The compressor named by a GPKG member suffix (the inverse of [`Self::gpkg_suffix`]).
    pub fn from_gpkg_suffix(suffix: &str) -> Option<Compression> {
        [
            Compression::None,
            Compression::Gzip,
            Compression::Bzip2,
            Compression::Xz,
            Compression::Zstd,
            Compression::Lz4,
            Compression::Lzip,
            Compression::Lzop,
        ]
        .into_iter()
        .find(|c| c.gpkg_suffix() == suffix)
    }

    /// Whether this crate can decode and encode the format.
    pub fn is_supported(self) -> bool {
        !matches!(self, Compression::Lzip | Compression::Lzop)
    }

    /// Wraps `reader` in a streaming decoder (bounded memory; zstd allows 2 GiB windows like
    /// Portage's `--long=31`; multi-stream gzip/bzip2/xz are decoded completely).
    pub fn decoder<'a, R: Read + Send + 'a>(self, reader: R) -> Result<Box<dyn Read + Send + 'a>> {
        Ok(match self {
            Compression::None => Box::new(reader),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
            Compression::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(reader)),
            Compression::Zstd => {
                let mut d = zstd::stream::read::Decoder::new(reader)?;
                d.window_log_max(31)?;
                Box::new(d)
            }
            Compression::Lz4 => Box::new(lz4_flex::frame::FrameDecoder::new(reader)),
            Compression::Lzip | Compression::Lzop => {
                return Err(Error::UnknownCompression {
                    magic: self.name().as_bytes().to_vec(),
                });
            }
        })
    }

    /// Wraps `writer` in a streaming encoder; call [`FinishWrite::finish_stream`] at the end.
    pub fn encoder<'a, W: Write + 'a>(self, writer: W) -> Result<Box<dyn FinishWrite + 'a>> {
        Ok(match self {
            Compression::None => Box::new(Plain(writer)),
            Compression::Gzip => Box::new(flate2::write::GzEncoder::new(
                writer,
                flate2::Compression::default(),
            )),
            Compression::Bzip2 => Box::new(bzip2::write::BzEncoder::new(
                writer,
                bzip2::Compression::best(),
            )),
            Compression::Xz => Box::new(xz2::write::XzEncoder::new(writer, 6)),
            Compression::Zstd => Box::new(zstd::stream::write::Encoder::new(writer, 3)?),
            Compression::Lz4 => Box::new(lz4_flex::frame::FrameEncoder::new(writer)),
            Compression::Lzip | Compression::Lzop => {
                return Err(Error::UnknownCompression {
                    magic: self.name().as_bytes().to_vec(),
                });
            }
        })
    }
}

/// A writer that must be finished explicitly to write its trailer.
pub trait FinishWrite: Write {
    /// Flushes the remaining compressed data and the stream trailer.
    fn finish_stream(self: Box<Self>) -> io::Result<()>;
}

struct Plain<W: Write>(W);

impl<W: Write> Write for Plain<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write> FinishWrite for Plain<W> {
    fn finish_stream(mut self: Box<Self>) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write> FinishWrite for flate2::write::GzEncoder<W> {
    fn finish_stream(self: Box<Self>) -> io::Result<()> {
        self.finish()?.flush()
    }
}

impl<W: Write> FinishWrite for bzip2::write::BzEncoder<W> {
    fn finish_stream(self: Box<Self>) -> io::Result<()> {
        self.finish()?.flush()
    }
}

impl<W: Write> FinishWrite for xz2::write::XzEncoder<W> {
    fn finish_stream(self: Box<Self>) -> io::Result<()> {
        self.finish()?.flush()
    }
}

impl<W: Write> FinishWrite for zstd::stream::write::Encoder<'_, W> {
    fn finish_stream(self: Box<Self>) -> io::Result<()> {
        self.finish()?.flush()
    }
}

impl<W: Write> FinishWrite for lz4_flex::frame::FrameEncoder<W> {
    fn finish_stream(self: Box<Self>) -> io::Result<()> {
        self.finish().map_err(io::Error::other)?.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_every_magic() {
        let cases: &[(&[u8], Compression)] = &[
            (&[0x1f, 0x8b, 8], Compression::Gzip),
            (b"BZh1", Compression::Bzip2),
            (b"BZh9", Compression::Bzip2),
            (&[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], Compression::Xz),
            (&[0x28, 0xb5, 0x2f, 0xfd], Compression::Zstd),
            (&[0x22, 0xb5, 0x2f, 0xfd], Compression::Zstd),
            (&[0x04, 0x22, 0x4d, 0x18], Compression::Lz4),
            (&[0x02, 0x21, 0x4c, 0x18], Compression::Lz4),
            (b"LZIP\x01", Compression::Lzip),
            (
                &[0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a],
                Compression::Lzop,
            ),
        ];
        for (magic, want) in cases {
            assert_eq!(Compression::detect(magic), Some(*want), "{magic:02x?}");
        }
        assert_eq!(Compression::detect(b"BZh0"), None);
        assert_eq!(Compression::detect(b"BZhx"), None);
        assert_eq!(Compression::detect(&[0x29, 0xb5, 0x2f, 0xfd]), None);
        assert_eq!(Compression::detect(b""), None);
    }

    #[test]
    fn every_supported_compressor_round_trips_and_is_detected() {
        let data: Vec<u8> = (0..25_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for c in [
            Compression::Gzip,
            Compression::Bzip2,
            Compression::Xz,
            Compression::Zstd,
            Compression::Lz4,
        ] {
            let mut out = Vec::new();
            let mut enc = c.encoder(&mut out).expect("encoder");
            enc.write_all(&data).expect("write");
            enc.finish_stream().expect("finish");
            assert_eq!(Compression::detect(&out), Some(c), "{c:?}");
            let mut back = Vec::new();
            c.decoder(&out[..])
                .expect("decoder")
                .read_to_end(&mut back)
                .expect("read");
            assert_eq!(back, data, "{c:?}");
        }
    }
}
