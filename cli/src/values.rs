//! The user-supplied values of `install`, `upgrade` and `template`: `-f` files (or `-` for
//! standard input), `--set`, `--set-string` and `--set-file`, merged the way Helm v2's client
//! merges them and written as the YAML text it sends to Tiller in `values.raw`.

use std::io::Read;

use anyhow::{Context as _, bail};
use chart::values::{self, Values};

use crate::args::ValuesArgs;

/// The values as YAML, exactly the text Helm v2 sends (`{}\n` when no flag is given).
pub fn raw_values(args: &ValuesArgs) -> anyhow::Result<String> {
    let merged = merged_values(args)?;
    Ok(values::to_yaml(&merged)?)
}

/// The values after the trip through YAML the client and Tiller make, so numbers are float64
/// as templates see them in a real install.
pub fn user_values(args: &ValuesArgs) -> anyhow::Result<Values> {
    let raw = raw_values(args)?;
    values::read_values(&raw).context("reading back the computed values")
}

fn merged_values(args: &ValuesArgs) -> anyhow::Result<Values> {
    let mut files = Vec::new();
    // Each `-f` value may itself list several files separated by commas.
    for spec in &args.values {
        for name in spec.split(',') {
            files.push((name.to_owned(), read_values_source(name)?));
        }
    }
    let file_refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let set: Vec<&str> = args.set.iter().map(String::as_str).collect();
    let set_string: Vec<&str> = args.set_string.iter().map(String::as_str).collect();
    let set_file: Vec<&str> = args.set_file.iter().map(String::as_str).collect();
    let mut read_file = |path: &str| read_values_source(path).map_err(|e| format!("{e:#}"));
    Ok(values::user_values(
        &file_refs,
        &set,
        &set_string,
        &set_file,
        &mut read_file,
    )?)
}

/// Reads a values source: a file, or `-` for standard input.
fn read_values_source(name: &str) -> anyhow::Result<String> {
    if name.trim() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading values from standard input")?;
        return Ok(text);
    }
    if name.contains("://") {
        bail!(
            "not implemented: reading values from a URL ({name}); download the file and pass its path"
        );
    }
    std::fs::read_to_string(name).with_context(|| format!("open {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_send_an_empty_map() {
        assert_eq!(raw_values(&ValuesArgs::default()).unwrap(), "{}\n");
    }

    #[test]
    fn files_then_set_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("v.yaml");
        std::fs::write(&file, "a: 1\nb: {c: x}\n").unwrap();
        let args = ValuesArgs {
            values: vec![file.display().to_string()],
            set: vec!["b.c=y".to_owned()],
            set_string: vec!["n=007".to_owned()],
            ..ValuesArgs::default()
        };
        assert_eq!(
            raw_values(&args).unwrap(),
            "a: 1\nb:\n  c: \"y\"\n\"n\": \"007\"\n"
        );
    }

    #[test]
    fn missing_file_names_it() {
        let args = ValuesArgs {
            values: vec!["/nonexistent/values.yaml".to_owned()],
            ..ValuesArgs::default()
        };
        let err = format!("{:#}", raw_values(&args).unwrap_err());
        assert!(err.contains("/nonexistent/values.yaml"), "{err}");
    }
}
