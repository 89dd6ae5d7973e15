//! Regenerates the Rust code of the hapi `.proto` files and checks it against
//! the copy checked in under `src/gen/`.
//!
//! Generation lives here rather than in a build script so that ordinary builds
//! need no `protoc`: this test uses the `protoc` binary shipped inside the
//! `protoc-bin-vendored` crate. After editing a `.proto` file, refresh the
//! checked-in code with
//!
//! ```sh
//! HAPI_PROTO_BLESS=1 cargo test -p helm-proto --test bootstrap
//! ```

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use helm_proto::prost_types::field_descriptor_proto::{Label, Type};
use helm_proto::prost_types::{DescriptorProto, FileDescriptorSet};

/// Every schema file, relative to the crate root. Their imports are resolved
/// against the crate root and the well-known types bundled with protoc.
const PROTOS: &[&str] = &[
    "hapi/chart/chart.proto",
    "hapi/chart/config.proto",
    "hapi/chart/metadata.proto",
    "hapi/chart/template.proto",
    "hapi/release/hook.proto",
    "hapi/release/info.proto",
    "hapi/release/release.proto",
    "hapi/release/status.proto",
    "hapi/release/test_run.proto",
    "hapi/release/test_suite.proto",
    "hapi/rudder/rudder.proto",
    "hapi/services/tiller.proto",
    "hapi/version/version.proto",
];

/// One generated file per protobuf package.
const GENERATED: &[&str] = &[
    "hapi.chart.rs",
    "hapi.release.rs",
    "hapi.services.rudder.rs",
    "hapi.services.tiller.rs",
    "hapi.version.rs",
];

const BLESS_VAR: &str = "HAPI_PROTO_BLESS";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs protoc and the prost/tonic generators into `out_dir`.
fn generate(out_dir: &Path) {
    let root = crate_dir();
    let protoc = protoc_bin_vendored::protoc_bin_path().expect("vendored protoc for this platform");
    let well_known =
        protoc_bin_vendored::include_path().expect("well-known .proto files of vendored protoc");
    let protos: Vec<PathBuf> = PROTOS.iter().map(|p| root.join(p)).collect();
    let includes = vec![root.clone(), well_known];

    // A first protoc pass yields the descriptors the serde attributes are
    // derived from; the second one (inside tonic-prost-build) generates code.
    let descriptors = prost_build::Config::new()
        .protoc_executable(&protoc)
        .load_fds(&protos, &includes)
        .expect("parsing the hapi .proto files");

    let mut config = prost_build::Config::new();
    config.protoc_executable(&protoc);
    add_serde_attributes(&mut config, &descriptors);

    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .build_transport(true)
        .emit_rerun_if_changed(false)
        .out_dir(out_dir)
        .compile_with_config(config, &protos, &includes)
        .expect("generating Rust code from the hapi .proto files");
}

/// Makes every hapi message serialise the way Go's `encoding/json` prints
/// Helm's generated structs (see `src/json.rs`): proto field names as keys,
/// `omitempty` on every field, and Go's encodings for bytes, maps and the
/// well-known types.
fn add_serde_attributes(config: &mut prost_build::Config, descriptors: &FileDescriptorSet) {
    config.message_attribute(".hapi", "#[derive(::serde::Serialize)]");
    for file in &descriptors.file {
        let package = file.package();
        if package != "hapi" && !package.starts_with("hapi.") {
            continue;
        }
        for message in &file.message_type {
            add_field_attributes(config, &format!(".{package}.{}", message.name()), message);
        }
    }
}

fn add_field_attributes(config: &mut prost_build::Config, path: &str, message: &DescriptorProto) {
    let is_map_entry = |m: &DescriptorProto| m.options.as_ref().is_some_and(|o| o.map_entry());
    let map_entries: BTreeSet<String> = message
        .nested_type
        .iter()
        .filter(|m| is_map_entry(m))
        .map(|m| format!("{path}.{}", m.name()))
        .collect();
    for field in &message.field {
        let repeated = field.label() == Label::Repeated;
        let with = match (field.r#type(), field.type_name()) {
            (Type::Message, ".google.protobuf.Timestamp") if !repeated => Some("timestamp"),
            (Type::Message, ".google.protobuf.Any") if repeated => Some("any_list"),
            (Type::Message, name) if name.starts_with(".google.") => {
                panic!("{path}.{}: no Go JSON form for {name}", field.name())
            }
            (Type::Message, name) if map_entries.contains(name) => Some("sorted_map"),
            (Type::Bytes, _) if !repeated => Some("bytes"),
            (Type::Bytes, _) => panic!("{path}.{}: repeated bytes unsupported", field.name()),
            _ => None,
        };
        let mut serde = format!(
            "rename = \"{}\", skip_serializing_if = \"crate::json::omit\"",
            field.name()
        );
        if let Some(with) = with {
            serde.push_str(&format!(", serialize_with = \"crate::json::{with}\""));
        }
        config.field_attribute(
            format!("{path}.{}", field.name()),
            format!("#[serde({serde})]"),
        );
    }
    for nested in message.nested_type.iter().filter(|m| !is_map_entry(m)) {
        add_field_attributes(config, &format!("{path}.{}", nested.name()), nested);
    }
}

/// Names of the regular files directly inside `dir`.
fn file_names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry"))
        .filter(|entry| entry.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

/// A short report of where two texts first differ, with a few lines of
/// context from each side.
fn describe_difference(name: &str, expected: &str, actual: &str) -> String {
    let want: Vec<&str> = expected.lines().collect();
    let have: Vec<&str> = actual.lines().collect();
    let first = want
        .iter()
        .zip(have.iter())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| want.len().min(have.len()));
    let from = first.saturating_sub(3);
    let mut out = format!(
        "{name}: first difference at line {} (regenerated {} lines, checked in {} lines)\n",
        first + 1,
        want.len(),
        have.len()
    );
    for (i, line) in want.iter().enumerate().skip(from).take(8) {
        out.push_str(&format!("  regenerated {:>5} | {line}\n", i + 1));
    }
    for (i, line) in have.iter().enumerate().skip(from).take(8) {
        out.push_str(&format!("  checked in  {:>5} | {line}\n", i + 1));
    }
    out
}

#[test]
fn generated_code_is_up_to_date() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    generate(tmp.path());

    let produced = file_names(tmp.path());
    let expected: BTreeSet<String> = GENERATED.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        produced, expected,
        "the generator produced a different set of files; update GENERATED and src/lib.rs"
    );

    let gen_dir = crate_dir().join("src/gen");
    let bless = std::env::var_os(BLESS_VAR).is_some_and(|v| v == "1");

    if bless {
        fs::create_dir_all(&gen_dir).expect("creating src/gen");
        for stale in file_names(&gen_dir).difference(&expected) {
            fs::remove_file(gen_dir.join(stale)).expect("removing a stale generated file");
        }
        for name in GENERATED {
            fs::copy(tmp.path().join(name), gen_dir.join(name)).expect("writing src/gen");
        }
        return;
    }

    let mut problems = Vec::new();
    for stale in file_names(&gen_dir).difference(&expected) {
        problems.push(format!("{stale}: checked in but no longer generated"));
    }
    for name in GENERATED {
        let fresh = fs::read_to_string(tmp.path().join(name)).expect("reading generated file");
        match fs::read_to_string(gen_dir.join(name)) {
            Ok(current) if current == fresh => {}
            Ok(current) => problems.push(describe_difference(name, &fresh, &current)),
            Err(e) => problems.push(format!("{name}: missing from src/gen ({e})")),
        }
    }
    assert!(
        problems.is_empty(),
        "src/gen is out of date with the .proto files; rerun with {BLESS_VAR}=1 \
         cargo test -p helm-proto --test bootstrap\n{}",
        problems.join("\n")
    );
}

#[test]
fn difference_report_points_at_the_first_changed_line() {
    let report = describe_difference("x.rs", "a\nb\nc\n", "a\nB\nc\n");
    assert!(
        report.starts_with("x.rs: first difference at line 2"),
        "{report}"
    );
    assert!(report.contains("regenerated     2 | b"), "{report}");
    assert!(report.contains("checked in      2 | B"), "{report}");

    let shorter = describe_difference("y.rs", "a\nb\n", "a\n");
    assert!(
        shorter.starts_with("y.rs: first difference at line 2"),
        "{shorter}"
    );
}
