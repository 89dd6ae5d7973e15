//! Bad input must give errors, never panics: random and mutated inputs for the `--set` parser,
//! `.helmignore`, Chart.yaml/values decoding and the archive loader (a small deterministic
//! fuzzer, so failures reproduce).

use std::io::Write as _;

use chart::load::{self as loader, Limits, LoadOptions};

/// xorshift64*: deterministic pseudo-random numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_text(rng: &mut Rng, alphabet: &[&str], max: usize) -> String {
    let len = rng.below(max);
    (0..len)
        .map(|_| alphabet[rng.below(alphabet.len())])
        .collect()
}

#[test]
fn strvals_never_panics() {
    let alphabet = [
        "a", "b", "=", ",", ".", "[", "]", "0", "1", "-", "{", "}", "\\", " ", "null", "true", "é",
    ];
    let mut rng = Rng(0x5eed);
    for _ in 0..20_000 {
        let line = random_text(&mut rng, &alphabet, 24);
        let _ = chart::strvals::parse(&line);
        let _ = chart::strvals::parse_string(&line);
        let mut dest = chart::strvals::parse("a.b=1,l[1]=x").unwrap_or_default();
        let _ = chart::strvals::parse_into(&line, &mut dest);
    }
}

#[test]
fn helmignore_and_globs_never_panic() {
    let alphabet = [
        "a", "*", "?", "[", "]", "^", "-", "\\", "/", "!", "#", "{", "}", ",", "é", "\n", " ",
    ];
    let mut rng = Rng(0xfeed);
    for _ in 0..20_000 {
        let rule = random_text(&mut rng, &alphabet, 16);
        let path = random_text(&mut rng, &["a", "b", "/", ".", "é", "-"], 12);
        if let Ok(r) = chart::ignore::Rules::parse(&rule) {
            let _ = r.ignore(&path, rng.below(2) == 0);
        }
        let _ = chart::ignore::glob_match(&rule, &path);
        if let Ok(g) = chart::engine::glob::Glob::new(&rule) {
            let _ = g.matches(&path);
        }
    }
}

#[test]
fn yaml_decoding_never_panics() {
    let alphabet = [
        "a", ":", " ", "\n", "-", "[", "]", "{", "}", "'", "\"", "1", "1.5", "null", "~", "&x",
        "*x", "<<", "!!str", "#", "\t", ",", "?",
    ];
    let mut rng = Rng(0xbeef);
    for _ in 0..5_000 {
        let text = random_text(&mut rng, &alphabet, 40);
        let _ = chart::values::read_values(&text);
        let _ = chart::Metadata::from_yaml(&text);
        let _ = chart::requirements::parse_requirements(&text);
        let _ = chart::requirements::parse_lock(&text);
    }
}

fn sample_archive() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, content) in [
        ("c/Chart.yaml", "name: c\nversion: 1.0.0\n"),
        ("c/values.yaml", "a: 1\nb: [x, y]\n"),
        ("c/templates/t.yaml", "kind: ConfigMap\n"),
        ("c/charts/s/Chart.yaml", "name: s\n"),
        ("c/requirements.yaml", "dependencies:\n- name: s\n"),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_path(name).unwrap();
        header.set_cksum();
        builder.append(&header, content.as_bytes()).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&tar).unwrap();
    enc.finish().unwrap()
}

#[test]
fn archive_loader_never_panics_on_corruption() {
    let good = sample_archive();
    assert!(loader::load_archive(&good).is_ok());
    let opts = LoadOptions {
        limits: Limits {
            max_file_size: 4096,
            max_total_size: 64 * 1024,
            max_archive_depth: 4,
        },
        ..LoadOptions::default()
    };
    let mut rng = Rng(0xcafe);
    for _ in 0..3_000 {
        let mut data = good.clone();
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(data.len());
            data[i] = (rng.next() & 0xff) as u8;
        }
        if rng.below(4) == 0 {
            data.truncate(rng.below(data.len()));
        }
        let _ = loader::load_archive_with(&data, &opts);
    }
    // The same on the decompressed tar stream, which gzip's checksum would otherwise protect.
    let mut tar_bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(good.as_slice()),
        &mut tar_bytes,
    )
    .unwrap();
    for _ in 0..3_000 {
        let mut data = tar_bytes.clone();
        for _ in 0..1 + rng.below(8) {
            let i = rng.below(data.len());
            data[i] = (rng.next() & 0xff) as u8;
        }
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&data).unwrap();
        let _ = loader::load_archive_with(&enc.finish().unwrap(), &opts);
    }
}
