//! The text form Helm v2 stores releases in (spec §2.2), shared by the
//! ConfigMap (`data.release`), Secret (`data.release`, as bytes of the text)
//! and SQL (`body`) drivers: the `hapi.release.Release` protobuf, gzipped at
//! best compression, then standard base64 with padding.
//!
//! Decoding accepts both that form and the older one without gzip (records
//! written before Helm compressed them), telling them apart by the gzip magic
//! bytes like Helm does.

use std::io::{Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use prost::Message as _;

use crate::hapi::release::Release;

/// First bytes of a gzip stream using deflate, as Helm checks them.
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Why a stored release could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The stored text is not standard, padded base64.
    #[error("stored release is not valid base64: {0}")]
    Base64(#[from] base64::DecodeError),
    /// The stored text decodes to no bytes at all.
    #[error("stored release is empty")]
    Empty,
    /// The gzip layer could not be written or read back.
    #[error("stored release has a corrupt gzip stream: {0}")]
    Gzip(#[source] std::io::Error),
    /// The (decompressed) bytes are not a `hapi.release.Release` message.
    #[error("stored release is not a valid hapi.release.Release protobuf: {0}")]
    Protobuf(#[from] prost::DecodeError),
}

/// Encodes a release for storage: protobuf, gzip (level 9, Go's
/// `gzip.BestCompression`), standard base64.
pub fn encode_release(release: &Release) -> Result<String, StorageError> {
    let raw = release.encode_to_vec();
    let mut gz = GzEncoder::new(Vec::with_capacity(raw.len() / 2 + 64), Compression::best());
    gz.write_all(&raw).map_err(StorageError::Gzip)?;
    let compressed = gz.finish().map_err(StorageError::Gzip)?;
    Ok(STANDARD.encode(compressed))
}

/// Decodes a stored release: standard base64, then gunzip when the bytes
/// start with the gzip magic (otherwise they are taken as a bare protobuf),
/// then protobuf.
///
/// Line breaks in the text are ignored, as Go's base64 decoder does.
pub fn decode_release(data: &str) -> Result<Release, StorageError> {
    let bytes = if data.contains(['\r', '\n']) {
        let joined: String = data.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        STANDARD.decode(joined)?
    } else {
        STANDARD.decode(data)?
    };
    if bytes.is_empty() {
        // Helm itself would crash here; an empty record is never valid.
        return Err(StorageError::Empty);
    }
    if bytes.starts_with(&GZIP_MAGIC) {
        // Go's gzip reader reads concatenated members, hence MultiGzDecoder.
        let mut raw = Vec::with_capacity(bytes.len() * 4);
        MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut raw)
            .map_err(StorageError::Gzip)?;
        Ok(Release::decode(raw.as_slice())?)
    } else {
        Ok(Release::decode(bytes.as_slice())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hapi::chart::{Chart, Config, Metadata};
    use crate::hapi::release::{Info, Status, status};

    fn sample() -> Release {
        Release {
            name: "happy-panda".to_owned(),
            info: Some(Info {
                status: Some(Status {
                    code: status::Code::Deployed as i32,
                    notes: "hello\n".to_owned(),
                    ..Status::default()
                }),
                first_deployed: Some(prost_types::Timestamp {
                    seconds: 1_700_000_000,
                    nanos: 7,
                }),
                description: "Install complete".to_owned(),
                ..Info::default()
            }),
            chart: Some(Chart {
                metadata: Some(Metadata {
                    name: "demo".to_owned(),
                    version: "0.1.0".to_owned(),
                    ..Metadata::default()
                }),
                values: Some(Config {
                    raw: "a: 1\n".repeat(200),
                    ..Config::default()
                }),
                ..Chart::default()
            }),
            manifest: "kind: ConfigMap\n".repeat(100),
            version: 1,
            namespace: "default".to_owned(),
            ..Release::default()
        }
    }

    #[test]
    fn encoding_is_gzip_with_best_compression_in_padded_base64() {
        let text = encode_release(&sample()).expect("encode");
        let bytes = STANDARD.decode(&text).expect("padded standard base64");
        assert_eq!(&bytes[..3], &GZIP_MAGIC);
        // XFL byte 2 marks "maximum compression" in the gzip header.
        assert_eq!(bytes[8], 2);
        assert!(bytes.len() < sample().encoded_len(), "compression happened");
        assert_eq!(decode_release(&text).expect("decode"), sample());
    }

    #[test]
    fn decodes_bare_protobuf_records() {
        let text = STANDARD.encode(sample().encode_to_vec());
        assert_eq!(decode_release(&text).expect("decode"), sample());
    }

    #[test]
    fn tolerates_line_breaks_like_go() {
        let text = encode_release(&sample()).expect("encode");
        let wrapped: String = text
            .as_bytes()
            .chunks(60)
            .map(|c| format!("{}\r\n", String::from_utf8_lossy(c)))
            .collect();
        assert_eq!(decode_release(&wrapped).expect("decode"), sample());
    }

    #[test]
    fn reads_concatenated_gzip_members() {
        let raw = sample().encode_to_vec();
        let (a, b) = raw.split_at(raw.len() / 2);
        let mut joined = Vec::new();
        for part in [a, b] {
            let mut gz = GzEncoder::new(Vec::new(), Compression::default());
            gz.write_all(part).expect("write");
            joined.extend(gz.finish().expect("finish"));
        }
        let text = STANDARD.encode(joined);
        assert_eq!(decode_release(&text).expect("decode"), sample());
    }

    #[test]
    fn rejects_bad_input_with_clear_errors() {
        let err = decode_release("not base64!").expect_err("bad base64");
        assert!(matches!(err, StorageError::Base64(_)), "{err}");
        assert!(
            err.to_string()
                .starts_with("stored release is not valid base64")
        );

        // Unpadded base64 is refused, as Go's StdEncoding does.
        let text = encode_release(&sample()).expect("encode");
        let unpadded = text.trim_end_matches('=');
        if unpadded.len() != text.len() {
            assert!(matches!(
                decode_release(unpadded),
                Err(StorageError::Base64(_))
            ));
        }

        assert!(matches!(decode_release(""), Err(StorageError::Empty)));

        // Gzip magic followed by garbage.
        let text = STANDARD.encode([0x1f, 0x8b, 0x08, 0, 1, 2, 3]);
        let err = decode_release(&text).expect_err("bad gzip");
        assert!(matches!(err, StorageError::Gzip(_)), "{err}");

        // Truncated gzip stream.
        let mut bytes = STANDARD
            .decode(encode_release(&sample()).expect("encode"))
            .expect("b64");
        bytes.truncate(bytes.len() - 12);
        let err = decode_release(&STANDARD.encode(bytes)).expect_err("truncated gzip");
        assert!(matches!(err, StorageError::Gzip(_)), "{err}");

        // Bytes that are not a protobuf message (field 0 is invalid).
        let err = decode_release(&STANDARD.encode([0x00, 0x01])).expect_err("bad proto");
        assert!(matches!(err, StorageError::Protobuf(_)), "{err}");
        assert!(err.to_string().contains("hapi.release.Release"), "{err}");
    }
}
