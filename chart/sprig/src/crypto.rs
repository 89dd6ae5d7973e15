//! Hashes, random tokens, password derivation and X.509 certificates, as Sprig produces them
//! with Go's `crypto/*` packages: same algorithms, key sizes, PEM block types, certificate
//! fields and extension order (Go's `x509.CreateCertificate`), same error texts where a chart
//! can see them.
//!
//! Certificates are signed with RSA (SHA-256, PKCS#1 v1.5), ECDSA P-256 (SHA-256) or Ed25519
//! keys, as Go allows; DSA keys can be generated (`genPrivateKey "dsa"`) but, as in Go, not
//! used in certificates.

use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::NoPadding};
use base64::Engine;
use der::asn1::{BitString, Ia5String, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Tag};
use gotmpl::{FuncError, Member, Object, Value};
use hmac::{Hmac, Mac};
use rand::RngCore;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::signature::{SignatureEncoding, Signer};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate};

use crate::args::{self, Arity::*};
use crate::def;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `hash/adler32.Checksum`.
pub fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

const SEED: &str = "com.lyndir.masterpassword";

fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// Sprig's `derivePassword`: the Master Password algorithm (scrypt N=32768, r=8, p=2).
pub fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2, 64)
        .map_err(|e| e.to_string())
        .and_then(|p| {
            scrypt::scrypt(password.as_bytes(), &salt, &p, &mut key).map_err(|e| e.to_string())
        });
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }
    let mut msg = SEED.as_bytes().to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return "failed to derive password: bad key".into();
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_chars(c);
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}

/// `pem.EncodeToMemory`.
pub fn pem_encode(kind: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// `pem.Decode`: the first block's type and bytes.
pub fn pem_decode(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let kind_end = rest.find("-----")?;
    let kind = rest[..kind_end].to_owned();
    let body_start = rest[kind_end + 5..].trim_start_matches(['\r', '\n']);
    let end_marker = format!("-----END {kind}-----");
    let body_end = body_start.find(&end_marker)?;
    let mut b64 = String::new();
    for line in body_start[..body_end].lines() {
        if line.contains(':') {
            // PEM headers (Proc-Type and the like) are not base64.
            continue;
        }
        b64.push_str(line.trim());
    }
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    Some((kind, der))
}

/// A private key of a kind Sprig can generate.
#[derive(Clone, Debug)]
pub enum PrivateKey {
    /// RSA.
    Rsa(Box<rsa::RsaPrivateKey>),
    /// ECDSA on P-256.
    Ecdsa(p256::SecretKey),
    /// Ed25519.
    Ed25519(Box<ed25519_dalek::SigningKey>),
    /// DSA.
    Dsa(Box<dsa::SigningKey>),
}

/// Minimal DER: an INTEGER from big-endian unsigned bytes.
fn der_uint(out: &mut Vec<u8>, be: &[u8]) {
    let mut v: Vec<u8> = be.iter().copied().skip_while(|b| *b == 0).collect();
    if v.is_empty() || v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    out.push(0x02);
    der_len(out, v.len());
    out.extend_from_slice(&v);
}

fn der_len(out: &mut Vec<u8>, n: usize) {
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
}

/// Go's `x509.MarshalECPrivateKey` for P-256: SEC 1 with the named curve and the public key
/// (Go refuses keys without the curve: "x509: unknown elliptic curve").
fn ec_private_key_der(k: &p256::SecretKey) -> Vec<u8> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let point = k.public_key().to_encoded_point(false);
    let mut body = vec![0x02, 0x01, 0x01, 0x04, 0x20];
    body.extend_from_slice(&k.to_bytes());
    // [0] namedCurve prime256v1
    body.extend_from_slice(&[
        0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07,
    ]);
    let pub_bytes = point.as_bytes();
    let mut bits = vec![0x03];
    der_len(&mut bits, pub_bytes.len() + 1);
    bits.push(0);
    bits.extend_from_slice(pub_bytes);
    body.push(0xA1);
    der_len(&mut body, bits.len());
    body.extend_from_slice(&bits);
    let mut out = vec![0x30];
    der_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// Reads one DER TLV: tag, contents, rest.
fn der_next(b: &[u8]) -> Result<(u8, &[u8], &[u8]), String> {
    let short = || "asn1: syntax error: data truncated".to_owned();
    let (&tag, rest) = b.split_first().ok_or_else(short)?;
    let (&first, mut rest) = rest.split_first().ok_or_else(short)?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return Err("asn1: syntax error: bad length".into());
        }
        let v = rest[..n]
            .iter()
            .fold(0usize, |acc, x| (acc << 8) | usize::from(*x));
        rest = &rest[n..];
        v
    };
    if rest.len() < len {
        return Err(short());
    }
    Ok((tag, &rest[..len], &rest[len..]))
}

/// Sprig's `DSAKeyFormat`: SEQUENCE { version, P, Q, G, Y, X }.
fn parse_dsa(der: &[u8]) -> Result<PrivateKey, String> {
    let (tag, mut body, _) = der_next(der)?;
    if tag != 0x30 {
        return Err("asn1: structure error: not a sequence".into());
    }
    let mut ints = Vec::new();
    while !body.is_empty() {
        let (tag, value, rest) = der_next(body)?;
        if tag != 0x02 {
            return Err("asn1: structure error: not an integer".into());
        }
        ints.push(dsa::BigUint::from_bytes_be(value));
        body = rest;
    }
    let [_, p, q, g, y, x] = <[dsa::BigUint; 6]>::try_from(ints)
        .map_err(|_| "asn1: structure error: wrong number of fields".to_owned())?;
    let bad = |e: dsa::signature::Error| e.to_string();
    let components = dsa::Components::from_components(p, q, g).map_err(bad)?;
    let public = dsa::VerifyingKey::from_components(components, y).map_err(bad)?;
    let key = dsa::SigningKey::from_components(public, x).map_err(bad)?;
    Ok(PrivateKey::Dsa(Box::new(key)))
}

impl PrivateKey {
    fn generate(kind: &str) -> Result<PrivateKey, String> {
        let mut rng = rand_core_06::OsRng;
        match kind {
            "" | "rsa" => rsa::RsaPrivateKey::new(&mut rng, 4096)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(|e| format!("failed to generate private key: {e}")),
            "dsa" => {
                let components = dsa::Components::generate(&mut rng, dsa::KeySize::DSA_2048_256);
                Ok(PrivateKey::Dsa(Box::new(dsa::SigningKey::generate(
                    &mut rng, components,
                ))))
            }
            "ecdsa" => Ok(PrivateKey::Ecdsa(p256::SecretKey::random(&mut rng))),
            "ed25519" => Ok(PrivateKey::Ed25519(Box::new(
                ed25519_dalek::SigningKey::generate(&mut rng),
            ))),
            other => Err(format!("Unknown type {other}")),
        }
    }

    fn rsa2048() -> Result<PrivateKey, String> {
        rsa::RsaPrivateKey::new(&mut rand_core_06::OsRng, 2048)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| format!("error generating rsa key: {e}"))
    }

    /// Sprig's `pemBlockForKey`.
    fn to_pem(&self) -> Result<String, String> {
        let (kind, der) = match self {
            PrivateKey::Rsa(k) => (
                "RSA PRIVATE KEY",
                k.to_pkcs1_der()
                    .map_err(|e| e.to_string())?
                    .as_bytes()
                    .to_vec(),
            ),
            PrivateKey::Ecdsa(k) => ("EC PRIVATE KEY", ec_private_key_der(k)),
            PrivateKey::Ed25519(k) => (
                "PRIVATE KEY",
                k.to_pkcs8_der()
                    .map_err(|e| e.to_string())?
                    .as_bytes()
                    .to_vec(),
            ),
            PrivateKey::Dsa(k) => {
                let vk = k.verifying_key();
                let c = vk.components();
                let mut body = Vec::new();
                der_uint(&mut body, &[0]);
                for n in [c.p(), c.q(), c.g(), vk.y(), k.x()] {
                    der_uint(&mut body, &n.to_bytes_be());
                }
                let mut seq = vec![0x30];
                der_len(&mut seq, body.len());
                seq.extend_from_slice(&body);
                ("DSA PRIVATE KEY", seq)
            }
        };
        Ok(pem_encode(kind, &der))
    }

    /// Sprig's `parsePrivateKeyPEM`.
    fn from_pem(text: &str) -> Result<PrivateKey, String> {
        let (kind, der) = pem_decode(text).ok_or("no PEM data in input")?;
        if kind == "PRIVATE KEY" {
            if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(&der) {
                return Ok(PrivateKey::Rsa(Box::new(k)));
            }
            if let Ok(k) = p256::SecretKey::from_pkcs8_der(&der) {
                return Ok(PrivateKey::Ecdsa(k));
            }
            if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(&der) {
                return Ok(PrivateKey::Ed25519(Box::new(k)));
            }
            return Err("decoding PEM as PKCS#8: x509: failed to parse private key".into());
        }
        let Some(algo) = kind.strip_suffix(" PRIVATE KEY") else {
            return Err(format!("no private key data in PEM block of type {kind}"));
        };
        match algo {
            "RSA" => rsa::RsaPrivateKey::from_pkcs1_der(&der)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(|e| format!("parsing RSA private key from PEM: {e}")),
            "EC" => p256::SecretKey::from_sec1_der(&der)
                .map(PrivateKey::Ecdsa)
                .map_err(|e| {
                    format!("parsing EC private key from PEM: {e} (only P-256 is supported)")
                }),
            "DSA" => parse_dsa(&der).map_err(|e| format!("parsing DSA private key from PEM: {e}")),
            _ => Err(format!("invalid private key type {kind}")),
        }
    }

    fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, String> {
        let der = match self {
            PrivateKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            PrivateKey::Ecdsa(k) => k.public_key().to_public_key_der(),
            PrivateKey::Ed25519(k) => k.verifying_key().to_public_key_der(),
            PrivateKey::Dsa(_) => {
                return Err("x509: unsupported public key type: *dsa.PublicKey".into());
            }
        }
        .map_err(|e| e.to_string())?;
        SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(|e| e.to_string())
    }

    fn signature_algorithm(&self) -> Result<AlgorithmIdentifierOwned, String> {
        Ok(match self {
            PrivateKey::Rsa(_) => AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11"),
                parameters: Some(Any::null()),
            },
            PrivateKey::Ecdsa(_) => AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
                parameters: None,
            },
            PrivateKey::Ed25519(_) => AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("1.3.101.112"),
                parameters: None,
            },
            PrivateKey::Dsa(_) => {
                return Err(
                    "x509: certificate private key does not implement crypto.Signer".into(),
                );
            }
        })
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, String> {
        Ok(match self {
            PrivateKey::Rsa(k) => {
                let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(k.as_ref().clone());
                signer.try_sign(msg).map_err(|e| e.to_string())?.to_vec()
            }
            PrivateKey::Ecdsa(k) => {
                let signer = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature =
                    signer.try_sign(msg).map_err(|e| e.to_string())?;
                sig.to_der().as_bytes().to_vec()
            }
            PrivateKey::Ed25519(k) => k.sign(msg).to_bytes().to_vec(),
            PrivateKey::Dsa(_) => {
                return Err(
                    "x509: certificate private key does not implement crypto.Signer".into(),
                );
            }
        })
    }
}

/// Go's asn1 string choice for a name attribute: PrintableString when possible.
fn directory_string(s: &str) -> Result<Any, String> {
    let printable = s.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\''
                    | b'('
                    | b')'
                    | b'+'
                    | b','
                    | b'-'
                    | b'.'
                    | b'/'
                    | b':'
                    | b'='
                    | b'?'
                    | b'*'
            )
    });
    let tag = if printable {
        Tag::PrintableString
    } else {
        Tag::Utf8String
    };
    Any::new(tag, s.as_bytes()).map_err(|e| e.to_string())
}

fn common_name(cn: &str) -> Result<Name, String> {
    if cn.is_empty() {
        return Ok(RdnSequence(Vec::new()));
    }
    let atv = AttributeTypeAndValue {
        oid: ObjectIdentifier::new_unwrap("2.5.4.3"),
        value: directory_string(cn)?,
    };
    let set = SetOfVec::try_from(vec![atv]).map_err(|e| e.to_string())?;
    Ok(RdnSequence(vec![RelativeDistinguishedName(set)]))
}

fn ext<T: Encode>(oid: &str, critical: bool, value: &T) -> Result<Extension, String> {
    let der = value.to_der().map_err(|e| e.to_string())?;
    Ok(Extension {
        extn_id: ObjectIdentifier::new_unwrap(oid),
        critical,
        extn_value: OctetString::new(der).map_err(|e| e.to_string())?,
    })
}

fn x509_time(t: SystemTime) -> Result<Time, String> {
    let d = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "certificate validity before 1970".to_owned())?;
    // UTCTime up to 2049, GeneralizedTime after, as RFC 5280 and Go require.
    if d.as_secs() < 2_524_608_000 {
        der::asn1::UtcTime::from_unix_duration(Duration::from_secs(d.as_secs()))
            .map(Time::UtcTime)
            .map_err(|e| e.to_string())
    } else {
        der::asn1::GeneralizedTime::from_unix_duration(Duration::from_secs(d.as_secs()))
            .map(Time::GeneralTime)
            .map_err(|e| e.to_string())
    }
}

/// What a new certificate should say.
struct CertSpec<'a> {
    cn: &'a str,
    ips: Vec<std::net::IpAddr>,
    dns: Vec<String>,
    days: i64,
    is_ca: bool,
}

/// The CA a certificate is signed by: its certificate and key.
struct Issuer {
    cert: Certificate,
    key: PrivateKey,
}

fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// Go's `x509.CreateCertificate` for Sprig's templates, PEM-encoded with the key.
fn create_certificate(
    spec: &CertSpec<'_>,
    key: &PrivateKey,
    issuer: Option<&Issuer>,
) -> Result<Certificate, String> {
    let spki = key
        .public_key_info()
        .map_err(|e| format!("error creating certificate: {e}"))?;
    let signer = issuer.map_or(key, |i| &i.key);
    let sig_alg = signer
        .signature_algorithm()
        .map_err(|e| format!("error creating certificate: {e}"))?;
    let subject = common_name(spec.cn)?;
    let issuer_name = issuer.map_or_else(
        || subject.clone(),
        |i| i.cert.tbs_certificate.subject.clone(),
    );

    let mut serial = [0u8; 17];
    rand::rng().fill_bytes(&mut serial[1..]);
    let first = serial.iter().position(|b| *b != 0).unwrap_or(16);
    let start = if serial[first] & 0x80 != 0 {
        first - 1
    } else {
        first
    };
    let serial = SerialNumber::new(&serial[start..]).map_err(|e| e.to_string())?;

    let now = SystemTime::now();
    let span = Duration::from_secs(spec.days.unsigned_abs().saturating_mul(86_400));
    let not_after = if spec.days >= 0 {
        now.checked_add(span)
    } else {
        now.checked_sub(span)
    }
    .ok_or("certificate validity out of range")?;

    let mut usage = KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment;
    if spec.is_ca {
        usage |= KeyUsages::KeyCertSign;
    }
    let mut exts = vec![
        ext("2.5.29.15", true, &KeyUsage(usage))?,
        ext(
            "2.5.29.37",
            false,
            &ExtendedKeyUsage(vec![
                ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1"),
                ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2"),
            ]),
        )?,
        ext(
            "2.5.29.19",
            true,
            &BasicConstraints {
                ca: spec.is_ca,
                path_len_constraint: None,
            },
        )?,
    ];
    if spec.is_ca {
        let ski = OctetString::new(key_id(&spki)).map_err(|e| e.to_string())?;
        exts.push(ext("2.5.29.14", false, &SubjectKeyIdentifier(ski))?);
    }
    if let Some(parent) = issuer {
        let parent_ski = parent
            .cert
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == ObjectIdentifier::new_unwrap("2.5.29.14"));
        let parent_ski =
            parent_ski.and_then(|e| SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).ok());
        if let Some(ski) = parent_ski {
            let aki = AuthorityKeyIdentifier {
                key_identifier: Some(ski.0),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            };
            exts.push(ext("2.5.29.35", false, &aki)?);
        }
    }
    if !spec.dns.is_empty() || !spec.ips.is_empty() {
        let mut names = Vec::new();
        for d in &spec.dns {
            names.push(GeneralName::DnsName(
                Ia5String::new(d).map_err(|e| format!("x509: {e}"))?,
            ));
        }
        for ip in &spec.ips {
            let bytes = match ip {
                std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
                std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
            };
            names.push(GeneralName::IpAddress(
                OctetString::new(bytes).map_err(|e| e.to_string())?,
            ));
        }
        exts.push(ext("2.5.29.17", false, &SubjectAltName(names))?);
    }

    let tbs = TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: serial,
        signature: sig_alg.clone(),
        issuer: issuer_name,
        validity: Validity {
            not_before: x509_time(now)?,
            not_after: x509_time(not_after)?,
        },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(exts),
    };
    let tbs_der = tbs.to_der().map_err(|e| e.to_string())?;
    let sig = signer
        .sign(&tbs_der)
        .map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sig_alg,
        signature: BitString::from_bytes(&sig).map_err(|e| e.to_string())?,
    })
}

/// Sprig's `certificate` struct: `.Cert` and `.Key` PEM strings.
#[derive(Debug, Clone)]
pub struct CertObject {
    /// PEM certificate.
    pub cert: String,
    /// PEM private key.
    pub key: String,
}

impl Object for CertObject {
    fn type_name(&self) -> String {
        "sprig.certificate".into()
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "Cert" => Member::Field(Value::string(&self.cert)),
            "Key" => Member::Field(Value::string(&self.key)),
            _ => Member::Missing,
        }
    }

    fn go_string(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn to_data(&self) -> Option<Value> {
        let mut m = gotmpl::Map::new();
        m.insert("Cert".into(), Value::string(&self.cert));
        m.insert("Key".into(), Value::string(&self.key));
        Some(Value::map(m))
    }
}

fn cert_value(cert: &Certificate, key: &PrivateKey) -> Result<Value, FuncError> {
    let der = cert
        .to_der()
        .map_err(|e| FuncError::new(format!("error creating certificate: {e}")))?;
    let key_pem = key
        .to_pem()
        .map_err(|e| FuncError::new(format!("error pem-encoding key: {e}")))?;
    Ok(Value::Object(Rc::new(CertObject {
        cert: pem_encode("CERTIFICATE", &der),
        key: key_pem,
    })))
}

fn ca_arg(v: &Value) -> Result<Issuer, FuncError> {
    let Value::Object(o) = v else {
        return Err(args::wrong_type("sprig.certificate", v));
    };
    if o.type_name() != "sprig.certificate" {
        return Err(args::wrong_type("sprig.certificate", v));
    }
    let field = |n: &str| match o.member(n) {
        Member::Field(Value::String(s)) => s.to_string(),
        _ => String::new(),
    };
    let (cert_pem, key_pem) = (field("Cert"), field("Key"));
    let (_, der) =
        pem_decode(&cert_pem).ok_or_else(|| FuncError::new("unable to decode certificate"))?;
    let cert = Certificate::from_der(&der).map_err(|e| {
        FuncError::new(format!(
            "error parsing certificate: decodedSignerCert.Bytes: {e}"
        ))
    })?;
    let key = PrivateKey::from_pem(&key_pem)
        .map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
    Ok(Issuer { cert, key })
}

fn ips_arg(v: &Value) -> Result<Vec<std::net::IpAddr>, FuncError> {
    args::iface_list(v)?
        .iter()
        .map(|ip| match ip {
            Value::String(s) => s
                .parse()
                .map_err(|_| FuncError::new(format!("error parsing ip: {s}"))),
            other => Err(FuncError::new(format!(
                "error parsing ip: {} is not a string",
                crate::go::format_v(other)
            ))),
        })
        .collect()
}

fn dns_arg(v: &Value) -> Result<Vec<String>, FuncError> {
    args::iface_list(v)?
        .iter()
        .map(|d| match d {
            Value::String(s) => Ok(s.to_string()),
            other => Err(FuncError::new(format!(
                "error processing alternate dns name: {} is not a string",
                crate::go::format_v(other)
            ))),
        })
        .collect()
}

fn key_arg(v: &Value) -> Result<PrivateKey, FuncError> {
    PrivateKey::from_pem(args::string(v)?)
        .map_err(|e| FuncError::new(format!("parsing private key: {e}")))
}

fn make_cert(
    spec: CertSpec<'_>,
    key: PrivateKey,
    issuer: Option<&Issuer>,
) -> Result<Value, FuncError> {
    let cert = create_certificate(&spec, &key, issuer).map_err(FuncError::new)?;
    cert_value(&cert, &key)
}

/// AES-256-CBC with PKCS#7 padding and a random IV in front, base64-encoded.
pub fn encrypt_aes(password: &str, plain: &str) -> Result<String, String> {
    if plain.is_empty() {
        return Ok(String::new());
    }
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    let mut data = plain.as_bytes().to_vec();
    let pad = 16 - data.len() % 16;
    data.extend(std::iter::repeat_n(pad as u8, pad));
    let mut iv = [0u8; 16];
    rand::rng().fill_bytes(&mut iv);
    let len = data.len();
    let enc = cbc::Encryptor::<aes::Aes256>::new(&key.into(), &iv.into());
    let ct = enc
        .encrypt_padded_mut::<NoPadding>(&mut data, len)
        .map_err(|e| e.to_string())?;
    let mut out = iv.to_vec();
    out.extend_from_slice(ct);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

/// The inverse of [`encrypt_aes`], with Go's failure modes turned into errors.
pub fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, String> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    let data = base64::engine::general_purpose::STANDARD
        .decode(crypt64)
        .map_err(|_| "illegal base64 data in input".to_owned())?;
    if data.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            data.len()
        ));
    }
    let (iv, body) = data.split_at(16);
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let mut buf = body.to_vec();
    let iv: [u8; 16] = iv.try_into().map_err(|_| "bad iv".to_owned())?;
    let dec = cbc::Decryptor::<aes::Aes256>::new(&key.into(), &iv.into());
    let plain = dec
        .decrypt_padded_mut::<NoPadding>(&mut buf)
        .map_err(|e| e.to_string())?;
    let Some(&last) = plain.last() else {
        return Err("runtime error: index out of range [-1]".into());
    };
    let keep = plain.len().checked_sub(usize::from(last)).ok_or_else(|| {
        format!(
            "runtime error: slice bounds out of range [:{}]",
            plain.len() as i64 - i64::from(last)
        )
    })?;
    Ok(String::from_utf8_lossy(&plain[..keep]).into_owned())
}

/// `bcrypt.GenerateFromPassword(input, bcrypt.DefaultCost)` as Sprig reports it.
fn bcrypt_hash(input: &str) -> String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    match bcrypt::hash_with_result(input, 10) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

/// Registers the hash, random and crypto functions.
pub(crate) fn register(m: &mut crate::FuncMap) {
    use args::string;
    def(m, "sha1sum", Exact(1), |a| {
        Ok(Value::string(hex(&Sha1::digest(string(&a[0])?))))
    });
    def(m, "sha256sum", Exact(1), |a| {
        Ok(Value::string(hex(&Sha256::digest(string(&a[0])?))))
    });
    def(m, "sha512sum", Exact(1), |a| {
        Ok(Value::string(hex(&Sha512::digest(string(&a[0])?))))
    });
    def(m, "adler32sum", Exact(1), |a| {
        Ok(Value::string(
            adler32(string(&a[0])?.as_bytes()).to_string(),
        ))
    });
    def(m, "bcrypt", Exact(1), |a| {
        Ok(Value::string(bcrypt_hash(string(&a[0])?)))
    });
    def(m, "htpasswd", Exact(2), |a| {
        let (user, pass) = (string(&a[0])?, string(&a[1])?);
        if user.contains(':') {
            return Ok(Value::string(format!("invalid username: {user}")));
        }
        Ok(Value::string(format!("{user}:{}", bcrypt_hash(pass))))
    });
    def(m, "randBytes", Exact(1), |a| {
        let n = args::int(&a[0])?;
        let n = usize::try_from(n)
            .map_err(|_| FuncError::new("runtime error: makeslice: len out of range"))?;
        let mut buf = vec![0u8; n];
        rand::rng().fill_bytes(&mut buf);
        Ok(Value::string(
            base64::engine::general_purpose::STANDARD.encode(buf),
        ))
    });
    def(m, "uuidv4", Exact(0), |_| {
        Ok(Value::string(uuid::Uuid::new_v4().to_string()))
    });
    def(m, "derivePassword", Exact(5), |a| {
        let counter = args::uint32(&a[0])?;
        let (kind, pw, user, site) = (
            string(&a[1])?,
            string(&a[2])?,
            string(&a[3])?,
            string(&a[4])?,
        );
        Ok(Value::string(derive_password(
            counter, kind, pw, user, site,
        )))
    });
    def(m, "genPrivateKey", Exact(1), |a| {
        let kind = string(&a[0])?;
        Ok(Value::string(match PrivateKey::generate(kind) {
            Ok(k) => k
                .to_pem()
                .unwrap_or_else(|e| format!("failed to generate private key: {e}")),
            Err(msg) => msg,
        }))
    });
    def(m, "buildCustomCert", Exact(2), |a| {
        let b64 = &base64::engine::general_purpose::STANDARD;
        let cert = b64
            .decode(string(&a[0])?)
            .map_err(|_| FuncError::new("unable to decode base64 certificate"))?;
        let key = b64
            .decode(string(&a[1])?)
            .map_err(|_| FuncError::new("unable to decode base64 private key"))?;
        let cert = String::from_utf8_lossy(&cert).into_owned();
        let key = String::from_utf8_lossy(&key).into_owned();
        let (_, der) =
            pem_decode(&cert).ok_or_else(|| FuncError::new("unable to decode certificate"))?;
        Certificate::from_der(&der).map_err(|e| {
            FuncError::new(format!("error parsing certificate: decodedCert.Bytes: {e}"))
        })?;
        PrivateKey::from_pem(&key)
            .map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
        Ok(Value::Object(Rc::new(CertObject { cert, key })))
    });
    def(m, "genCA", Exact(2), |a| {
        let spec = CertSpec {
            cn: string(&a[0])?,
            ips: vec![],
            dns: vec![],
            days: args::int(&a[1])?,
            is_ca: true,
        };
        make_cert(spec, PrivateKey::rsa2048().map_err(FuncError::new)?, None)
    });
    def(m, "genCAWithKey", Exact(3), |a| {
        let spec = CertSpec {
            cn: string(&a[0])?,
            ips: vec![],
            dns: vec![],
            days: args::int(&a[1])?,
            is_ca: true,
        };
        make_cert(spec, key_arg(&a[2])?, None)
    });
    def(m, "genSelfSignedCert", Exact(4), |a| {
        let spec = CertSpec {
            cn: string(&a[0])?,
            ips: ips_arg(&a[1])?,
            dns: dns_arg(&a[2])?,
            days: args::int(&a[3])?,
            is_ca: false,
        };
        make_cert(spec, PrivateKey::rsa2048().map_err(FuncError::new)?, None)
    });
    def(m, "genSelfSignedCertWithKey", Exact(5), |a| {
        let spec = CertSpec {
            cn: string(&a[0])?,
            ips: ips_arg(&a[1])?,
            dns: dns_arg(&a[2])?,
            days: args::int(&a[3])?,
            is_ca: false,
        };
        make_cert(spec, key_arg(&a[4])?, None)
    });
    def(m, "genSignedCert", Exact(5), |a| {
        let spec = CertSpec {
            cn: string(&a[0])?,
            ips: ips_arg(&a[1])?,
            dns: dns_arg(&a[2])?,
            days: args::int(&a[3])?,
            is_ca: false,
        };
        let issuer = ca_arg(&a[4])?;
        make_cert(
            spec,
            PrivateKey::rsa2048().map_err(FuncError::new)?,
            Some(&issuer),
        )
    });
    def(m, "genSignedCertWithKey", Exact(6), |a| {
        let spec = CertSpec {
            cn: string(&a[0])?,
            ips: ips_arg(&a[1])?,
            dns: dns_arg(&a[2])?,
            days: args::int(&a[3])?,
            is_ca: false,
        };
        let issuer = ca_arg(&a[4])?;
        make_cert(spec, key_arg(&a[5])?, Some(&issuer))
    });
    def(m, "encryptAES", Exact(2), |a| {
        encrypt_aes(string(&a[0])?, string(&a[1])?)
            .map(Value::string)
            .map_err(FuncError::new)
    });
    def(m, "decryptAES", Exact(2), |a| {
        decrypt_aes(string(&a[0])?, string(&a[1])?)
            .map(Value::string)
            .map_err(FuncError::new)
    });
    // Rendering never touches the network. (Helm v2 resolved the name; Helm 3+ returns ""
    // unless --enable-dns.)
    def(m, "getHostByName", Exact(1), |a| {
        string(&a[0])?;
        Err(FuncError::new(
            "not implemented: getHostByName (no DNS lookups while rendering)",
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_is_not_available() {
        let e = crate::functions()["getHostByName"](&[Value::string("localhost")]).unwrap_err();
        assert!(e.message.starts_with("not implemented: getHostByName"));
    }

    #[test]
    fn checksums() {
        assert_eq!(adler32(b"abc"), 38_600_999);
        assert_eq!(adler32(b""), 1);
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn derive_password_matches_sprig() {
        // Sprig's crypto_test.go expectation.
        let cases = [
            (1, "long", "ZedaFaxcZaso9*"),
            (2, "long", "Fovi2@JifpTupx"),
            (1, "maximum", "pf4zS1LjCg&LjhsZ7T2~"),
            (1, "medium", "ZedJuz8$"),
            (1, "basic", "pIS54PLs"),
            (1, "short", "Zed5"),
            (1, "pin", "6685"),
        ];
        for (counter, kind, want) in cases {
            assert_eq!(
                derive_password(counter, kind, "password", "user", "example.com"),
                want
            );
        }
        assert_eq!(
            derive_password(1, "nope", "p", "u", "s"),
            "cannot find password template nope"
        );
    }

    #[test]
    fn aes_round_trip() {
        let enc = encrypt_aes("secretkey", "plaintext").unwrap();
        assert_eq!(decrypt_aes("secretkey", &enc).unwrap(), "plaintext");
        assert_eq!(encrypt_aes("k", "").unwrap(), "");
        assert!(decrypt_aes("k", "AAAA").is_err());
    }

    #[test]
    fn pem_round_trip() {
        let pem = pem_encode("TEST", &[1u8; 100]);
        assert!(pem.starts_with("-----BEGIN TEST-----\n"));
        assert_eq!(pem.lines().nth(1).map(str::len), Some(64));
        assert_eq!(pem_decode(&pem), Some(("TEST".to_owned(), vec![1u8; 100])));
    }

    #[test]
    fn certificates_chain() {
        let ca_key = PrivateKey::Ecdsa(p256::SecretKey::random(&mut rand_core_06::OsRng));
        let ca_spec = CertSpec {
            cn: "my-ca",
            ips: vec![],
            dns: vec![],
            days: 365,
            is_ca: true,
        };
        let ca = create_certificate(&ca_spec, &ca_key, None).unwrap();
        let issuer = Issuer {
            cert: ca.clone(),
            key: ca_key,
        };
        let leaf_key = PrivateKey::Ed25519(Box::new(ed25519_dalek::SigningKey::generate(
            &mut rand_core_06::OsRng,
        )));
        let spec = CertSpec {
            cn: "leaf",
            ips: vec!["10.0.0.1".parse().unwrap()],
            dns: vec!["a.example".into()],
            days: 30,
            is_ca: false,
        };
        let leaf = create_certificate(&spec, &leaf_key, Some(&issuer)).unwrap();
        assert_eq!(leaf.tbs_certificate.issuer, ca.tbs_certificate.subject);
        let der = leaf.to_der().unwrap();
        let back = Certificate::from_der(&der).unwrap();
        let ids: Vec<String> = back
            .tbs_certificate
            .extensions
            .clone()
            .unwrap()
            .iter()
            .map(|e| e.extn_id.to_string())
            .collect();
        assert_eq!(
            ids,
            [
                "2.5.29.15",
                "2.5.29.37",
                "2.5.29.19",
                "2.5.29.35",
                "2.5.29.17"
            ]
        );
        // The CA's key signs the leaf: verify with p256.
        use p256::ecdsa::signature::Verifier;
        let PrivateKey::Ecdsa(k) = &issuer.key else {
            unreachable!()
        };
        let vk = p256::ecdsa::VerifyingKey::from(k.public_key());
        let sig = p256::ecdsa::Signature::from_der(back.signature.raw_bytes()).unwrap();
        vk.verify(&back.tbs_certificate.to_der().unwrap(), &sig)
            .unwrap();
        let pem = issuer.key.to_pem().unwrap();
        assert!(matches!(
            PrivateKey::from_pem(&pem),
            Ok(PrivateKey::Ecdsa(_))
        ));
    }
}
