//! Writing charts: `.tgz` archives as `helm package` makes them, unpacked directories, and
//! expanding an archive into a directory (`helm fetch --untar`) without ever writing outside it.
//!
//! Archives follow Helm v2's layout: `<name>/Chart.yaml` re-serialized (keys sorted, empty
//! fields left out), `<name>/values.yaml` as written, templates, other files, then every
//! subchart unpacked under `<name>/charts/<subchart>/`; mode 0755 on every entry; the gzip
//! header carries Helm's extra bytes and the comment `Helm`.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

use crate::load::{self, Limits, LoadError};
use crate::values::{self, Map, Value};
use crate::{Chart, Metadata};

/// The gzip "extra" bytes Helm writes into every package.
const HEADER_EXTRA: &[u8] = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";

/// Errors of saving and expanding.
#[derive(Debug, Error)]
pub enum SaveError {
    /// Chart.yaml has no name.
    #[error("no chart name specified (Chart.yaml)")]
    NoName,
    /// Chart.yaml has no version.
    #[error("no chart version specified (Chart.yaml)")]
    NoVersion,
    /// The archive's Chart.yaml has no usable name.
    #[error("chart name not specified")]
    ExpandNoName,
    /// A name would place a file outside the destination.
    #[error("refusing to write {0:?}: it would land outside the destination directory")]
    UnsafePath(String),
    /// The destination is not a directory.
    #[error("location {0} is not a directory")]
    NotADirectory(String),
    /// A file cannot be written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: io::Error,
    },
    /// The archive cannot be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Chart.yaml cannot be serialized.
    #[error("{0}")]
    Serialize(String),
}

fn io_err(path: &Path, source: io::Error) -> SaveError {
    SaveError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Chart.yaml as Helm writes it into packages: through encoding/json (empty fields omitted) and
/// go-yaml (keys sorted).
pub fn metadata_yaml(m: &Metadata) -> Result<String, SaveError> {
    let mut out = Map::new();
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            out.insert(k.to_owned(), Value::from(v));
        }
    };
    put("name", &m.name);
    put("home", &m.home);
    put("version", &m.version);
    put("description", &m.description);
    put("engine", &m.engine);
    put("icon", &m.icon);
    put("apiVersion", &m.api_version);
    put("condition", &m.condition);
    put("tags", &m.tags);
    put("appVersion", &m.app_version);
    put("tillerVersion", &m.tiller_version);
    put("kubeVersion", &m.kube_version);
    put("type", &m.chart_type);
    let list =
        |items: &[String]| Value::List(items.iter().map(|s| Value::from(s.as_str())).collect());
    if !m.sources.is_empty() {
        out.insert("sources".to_owned(), list(&m.sources));
    }
    if !m.keywords.is_empty() {
        out.insert("keywords".to_owned(), list(&m.keywords));
    }
    if !m.maintainers.is_empty() {
        let items = m
            .maintainers
            .iter()
            .map(|x| {
                let mut e = Map::new();
                for (k, v) in [("name", &x.name), ("email", &x.email), ("url", &x.url)] {
                    if !v.is_empty() {
                        e.insert(k.to_owned(), Value::from(v.as_str()));
                    }
                }
                Value::Map(e)
            })
            .collect();
        out.insert("maintainers".to_owned(), Value::List(items));
    }
    if m.deprecated {
        out.insert("deprecated".to_owned(), Value::Bool(true));
    }
    if !m.annotations.is_empty() {
        let a = m
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        out.insert("annotations".to_owned(), Value::Map(a));
    }
    values::to_yaml(&out).map_err(|e| SaveError::Serialize(e.to_string()))
}

/// Whether a relative `/` path stays inside its root.
fn safe_relative(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && name
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

fn check_name(name: &str) -> Result<(), SaveError> {
    if safe_relative(name) {
        Ok(())
    } else {
        Err(SaveError::UnsafePath(name.to_owned()))
    }
}

fn tar_entry(
    out: &mut tar::Builder<impl io::Write>,
    path: &str,
    data: &[u8],
    mtime: u64,
) -> Result<(), SaveError> {
    check_name(path)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o755);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    out.append_data(&mut header, path, data)
        .map_err(|e| SaveError::Io {
            path: path.to_owned(),
            source: e,
        })
}

fn write_contents(
    out: &mut tar::Builder<impl io::Write>,
    c: &Chart,
    prefix: &str,
    mtime: u64,
) -> Result<(), SaveError> {
    check_name(&c.metadata.name)?;
    let base = if prefix.is_empty() {
        c.metadata.name.clone()
    } else {
        format!("{prefix}/{}", c.metadata.name)
    };
    tar_entry(
        out,
        &format!("{base}/Chart.yaml"),
        metadata_yaml(&c.metadata)?.as_bytes(),
        mtime,
    )?;
    if !c.values_raw.is_empty() {
        tar_entry(
            out,
            &format!("{base}/values.yaml"),
            c.values_raw.as_bytes(),
            mtime,
        )?;
    }
    for f in c.templates.iter().chain(&c.files) {
        tar_entry(out, &format!("{base}/{}", f.name), &f.data, mtime)?;
    }
    for dep in &c.dependencies {
        write_contents(out, dep, &format!("{base}/charts"), mtime)?;
    }
    Ok(())
}

/// The bytes of the chart's `.tgz`, as `helm package` writes it.
pub fn archive_bytes(chart: &Chart) -> Result<Vec<u8>, SaveError> {
    if chart.metadata.name.is_empty() {
        return Err(SaveError::NoName);
    }
    if chart.metadata.version.is_empty() {
        return Err(SaveError::NoVersion);
    }
    let mtime = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let gz = flate2::GzBuilder::new()
        .extra(HEADER_EXTRA.to_vec())
        .comment("Helm")
        .write(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(gz);
    write_contents(&mut builder, chart, "", mtime)?;
    let gz = builder.into_inner().map_err(|e| SaveError::Io {
        path: "archive".to_owned(),
        source: e,
    })?;
    gz.finish().map_err(|e| SaveError::Io {
        path: "archive".to_owned(),
        source: e,
    })
}

/// Writes `<out_dir>/<name>-<version>.tgz` and returns its path.
pub fn save(chart: &Chart, out_dir: &Path) -> Result<PathBuf, SaveError> {
    let meta = fs::metadata(out_dir).map_err(|e| io_err(out_dir, e))?;
    if !meta.is_dir() {
        return Err(SaveError::NotADirectory(out_dir.display().to_string()));
    }
    let data = archive_bytes(chart)?;
    let path = out_dir.join(format!(
        "{}-{}.tgz",
        chart.metadata.name, chart.metadata.version
    ));
    fs::write(&path, data).map_err(|e| io_err(&path, e))?;
    Ok(path)
}

/// Creates the directories of `rel` under `root` and writes the file, refusing to follow
/// symlinks on the way (a planted link must not redirect the write).
fn write_under(root: &Path, rel: &str, data: &[u8]) -> Result<(), SaveError> {
    check_name(rel)?;
    let mut current = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        current.push(part);
        if let Ok(meta) = fs::symlink_metadata(&current)
            && meta.file_type().is_symlink()
        {
            return Err(SaveError::UnsafePath(rel.to_owned()));
        }
        if i + 1 < parts.len() {
            match fs::create_dir(&current) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && current.is_dir() => {}
                Err(e) => return Err(io_err(&current, e)),
            }
        }
    }
    let mut f = fs::File::create(&current).map_err(|e| io_err(&current, e))?;
    f.write_all(data).map_err(|e| io_err(&current, e))
}

/// Writes the chart unpacked as `<dest>/<name>/...` (Helm's `SaveDir`); subcharts become
/// archives in `charts/`.
pub fn save_dir(chart: &Chart, dest: &Path) -> Result<PathBuf, SaveError> {
    check_name(&chart.metadata.name)?;
    let root = dest.join(&chart.metadata.name);
    fs::create_dir(&root).map_err(|e| io_err(&root, e))?;
    write_under(
        &root,
        "Chart.yaml",
        metadata_yaml(&chart.metadata)?.as_bytes(),
    )?;
    if !chart.values_raw.is_empty() {
        write_under(&root, "values.yaml", chart.values_raw.as_bytes())?;
    }
    for d in ["templates", "charts", "templates/tests"] {
        fs::create_dir_all(root.join(d)).map_err(|e| io_err(&root.join(d), e))?;
    }
    for f in chart.templates.iter().chain(&chart.files) {
        write_under(&root, &f.name, &f.data)?;
    }
    for dep in &chart.dependencies {
        save(dep, &root.join("charts"))?;
    }
    Ok(root)
}

/// Unpacks a chart archive into `<dest>/<chart name>/` (Helm's `Expand`), within `limits`,
/// never writing outside `dest`. Returns the chart directory.
pub fn expand(dest: &Path, archive: &[u8], limits: Limits) -> Result<PathBuf, SaveError> {
    let files = load::archive_file_list(archive, limits)?;
    let mut name = String::new();
    for f in &files {
        if f.name == "Chart.yaml" {
            let m = Metadata::from_yaml(&String::from_utf8_lossy(&f.data))
                .map_err(|e| SaveError::Serialize(e.to_string()))?;
            name = m.name;
        }
    }
    if name.is_empty() {
        return Err(SaveError::ExpandNoName);
    }
    if !safe_relative(&name) || name.contains('/') {
        return Err(SaveError::UnsafePath(name));
    }
    let dest_meta = fs::metadata(dest).map_err(|e| io_err(dest, e))?;
    if !dest_meta.is_dir() {
        return Err(SaveError::NotADirectory(dest.display().to_string()));
    }
    let root = dest.join(&name);
    if Path::new(&name)
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(SaveError::UnsafePath(name));
    }
    for f in &files {
        write_under(dest, &format!("{name}/{}", f.name), &f.data)?;
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{File, Maintainer};

    fn chart() -> Chart {
        let sub = Chart {
            metadata: Metadata {
                name: "sub".into(),
                version: "0.1.0".into(),
                ..Default::default()
            },
            templates: vec![File {
                name: "templates/s.yaml".into(),
                data: b"s".to_vec(),
            }],
            values_raw: String::new(),
            values: Map::new(),
            files: vec![],
            dependencies: vec![],
        };
        Chart {
            metadata: Metadata {
                name: "top".into(),
                version: "1.0.0".into(),
                api_version: "v1".into(),
                maintainers: vec![Maintainer {
                    name: "m".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
            templates: vec![File {
                name: "templates/t.yaml".into(),
                data: b"t".to_vec(),
            }],
            values_raw: "a: 1 # comment kept\n".into(),
            values: Map::new(),
            files: vec![File {
                name: "README.md".into(),
                data: b"r".to_vec(),
            }],
            dependencies: vec![sub],
        }
    }

    #[test]
    fn chart_yaml_is_reserialized() {
        assert_eq!(
            metadata_yaml(&chart().metadata).unwrap(),
            "apiVersion: v1\nmaintainers:\n- name: m\nname: top\nversion: 1.0.0\n"
        );
    }

    #[test]
    fn package_round_trip_and_expand() {
        let dir = tempfile::tempdir().unwrap();
        let path = save(&chart(), dir.path()).unwrap();
        assert!(path.ends_with("top-1.0.0.tgz"));
        let data = fs::read(&path).unwrap();
        let files: Vec<String> = load::archive_file_list(&data, Limits::default())
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(
            files,
            [
                "Chart.yaml",
                "values.yaml",
                "templates/t.yaml",
                "README.md",
                "charts/sub/Chart.yaml",
                "charts/sub/templates/s.yaml"
            ]
        );
        let loaded = load::load_archive(&data).unwrap();
        assert_eq!(loaded.values_raw, "a: 1 # comment kept\n");
        assert_eq!(loaded.dependencies[0].metadata.name, "sub");

        let out = tempfile::tempdir().unwrap();
        let root = expand(out.path(), &data, Limits::default()).unwrap();
        assert_eq!(root, out.path().join("top"));
        assert_eq!(
            fs::read_to_string(root.join("templates/t.yaml")).unwrap(),
            "t"
        );
        assert!(crate::load(&root).is_ok());

        let saved = tempfile::tempdir().unwrap();
        let root = save_dir(&loaded, saved.path()).unwrap();
        assert!(root.join("charts/sub-0.1.0.tgz").is_file());
        assert_eq!(crate::load(&root).unwrap().dependencies.len(), 1);
    }

    #[test]
    fn refuses_unsafe_names() {
        let mut c = chart();
        c.files.push(File {
            name: "../escape".into(),
            data: vec![],
        });
        assert!(matches!(archive_bytes(&c), Err(SaveError::UnsafePath(_))));
        let mut c = chart();
        c.metadata.version.clear();
        assert!(matches!(archive_bytes(&c), Err(SaveError::NoVersion)));

        // A symlink planted in the destination is not followed.
        let data = archive_bytes(&chart()).unwrap();
        let out = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(elsewhere.path(), out.path().join("top")).unwrap();
            assert!(matches!(
                expand(out.path(), &data, Limits::default()),
                Err(SaveError::UnsafePath(_))
            ));
            assert!(fs::read_dir(elsewhere.path()).unwrap().next().is_none());
        }
    }
}
