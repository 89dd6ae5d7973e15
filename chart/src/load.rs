//! Loading charts from directories and `.tgz` archives (Helm v2's `chartutil.Load*`).
//!
//! Both sources are reduced to a flat list of files (relative `/` paths and bytes), which
//! [`load_files`] sorts into metadata, values, templates, ordinary files and subcharts.
//! Directory loading applies the top-level `.helmignore`; archive loading drops the first path
//! component. Reading is bounded: every file and the total expanded size are capped
//! ([`Limits`]), archive paths may not escape the chart, and (unless allowed) neither may
//! symlinks of a chart directory.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use thiserror::Error;

use crate::chartfile::{API_VERSION_V1, API_VERSION_V2, Metadata};
use crate::ignore::{HELMIGNORE, IgnoreError, Rules};
use crate::yaml::{self, YamlError};
use crate::{Chart, File};

/// Size caps for loading. The defaults are generous for real charts (the largest public charts
/// are a few MiB expanded) and small enough to stop decompression bombs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest single file, in bytes.
    pub max_file_size: u64,
    /// Largest total of all files read (archives: everything decompressed, nested archives
    /// included), in bytes.
    pub max_total_size: u64,
    /// Deepest nesting of archives inside archives (`charts/x.tgz` inside a `.tgz`).
    pub max_archive_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 20 * 1024 * 1024,
            max_total_size: 200 * 1024 * 1024,
            max_archive_depth: 16,
        }
    }
}

/// Options for loading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Size caps.
    pub limits: Limits,
    /// Accept Helm 3 charts (`apiVersion: v2`). Helm v2 refuses them, and so does the default.
    pub allow_api_v2: bool,
    /// Follow symlinks that point outside the chart directory (Helm does; the default refuses).
    pub allow_external_symlinks: bool,
}

/// A chart loading error.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The path cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
    /// A directory without Chart.yaml.
    #[error("no Chart.yaml exists in directory {0:?}")]
    NoChartYaml(String),
    /// The file list has no Chart.yaml.
    #[error("chart metadata (Chart.yaml) missing")]
    MetadataMissing,
    /// Chart.yaml has no name.
    #[error("invalid chart (Chart.yaml): name must not be empty")]
    EmptyName,
    /// Chart.yaml or values.yaml is not valid YAML, or does not have the expected shape.
    #[error("{file}: {}", describe_yaml(.source))]
    Yaml {
        /// The file, relative to the chart root.
        file: String,
        /// The error.
        source: YamlError,
    },
    /// Chart.yaml's apiVersion is not accepted.
    #[error("apiVersion '{0}' is not valid. The value must be \"v1\"")]
    ApiVersion(String),
    /// values.toml is present.
    #[error("values.toml is illegal as of 2.0.0-alpha.2")]
    ValuesToml,
    /// `.helmignore` cannot be parsed.
    #[error(".helmignore: {0}")]
    Ignore(#[from] IgnoreError),
    /// A file of the chart directory is not a regular file.
    #[error("cannot load irregular file {0} as it has file mode type bits set")]
    Irregular(String),
    /// A symlink is broken or loops.
    #[error("error evaluating symlink {path}: {message}")]
    Symlink {
        /// The link.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A symlink points outside the chart directory.
    #[error("symlink {path} points outside the chart directory (to {target})")]
    SymlinkEscapes {
        /// The link.
        path: String,
        /// Where it points.
        target: String,
    },
    /// A file is larger than [`Limits::max_file_size`].
    #[error("file {name} is larger than the limit of {limit} bytes")]
    FileTooLarge {
        /// The file.
        name: String,
        /// The limit.
        limit: u64,
    },
    /// All files together exceed [`Limits::max_total_size`].
    #[error("chart expands to more than the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// Archives nest deeper than [`Limits::max_archive_depth`].
    #[error("chart archives nest deeper than {0} levels")]
    TooDeep(usize),
    /// The file is not a gzip archive.
    #[error("file '{name}' does not appear to be a gzipped archive; got '{content_type}'")]
    NotGzip {
        /// The file.
        name: String,
        /// What it looks like.
        content_type: String,
    },
    /// The file is YAML, not an archive.
    #[error("file '{0}' seems to be a YAML file, but I expected a gzipped archive")]
    YamlNotArchive(String),
    /// The gzip or tar stream is corrupt.
    #[error("invalid chart archive: {0}")]
    Archive(String),
    /// An archive entry has an absolute path.
    #[error("chart illegally contains absolute paths: {0:?}")]
    AbsolutePath(String),
    /// An archive entry is outside the chart directory.
    #[error("chart illegally contains content outside the base directory: {0:?}")]
    OutsideBase(String),
    /// An archive entry refers to a parent directory.
    #[error("chart illegally references parent directory: {0:?}")]
    ParentReference(String),
    /// An archive entry has a drive-letter path.
    #[error("chart contains illegally named files: {0:?}")]
    DrivePath(String),
    /// An archive has Chart.yaml at its root instead of in a directory.
    #[error("chart yaml not in base directory")]
    ChartYamlAtRoot,
    /// An archive entry is a link, device or other non-file.
    #[error("chart archive entry {name:?} is a {kind}, only regular files are allowed")]
    UnsupportedEntry {
        /// The entry.
        name: String,
        /// Its type.
        kind: String,
    },
    /// An archive has no files.
    #[error("no files in chart archive")]
    NoFiles,
    /// `charts/<x>.tgz` is a directory.
    #[error("error unpacking tar in {parent}: expected {expected}, got {got}")]
    TarName {
        /// The parent chart.
        parent: String,
        /// The expected name.
        expected: String,
        /// What was found.
        got: String,
    },
    /// A subchart failed to load.
    #[error("error unpacking {name} in {parent}: {source}")]
    Subchart {
        /// The entry of `charts/`.
        name: String,
        /// The parent chart.
        parent: String,
        /// Why.
        source: Box<LoadError>,
    },
}

fn describe_yaml(e: &YamlError) -> String {
    match (e.line, e.column) {
        (Some(line), Some(col)) if !e.message.contains("line") => {
            format!("line {line}, column {col}: {}", e.message)
        }
        (Some(line), None) if !e.message.contains("line") => format!("line {line}: {}", e.message),
        _ => e.message.clone(),
    }
}

fn io_err(path: &Path, source: io::Error) -> LoadError {
    LoadError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Tracks the bytes read against [`Limits::max_total_size`].
#[derive(Debug)]
struct Budget {
    limits: Limits,
    used: u64,
}

impl Budget {
    fn charge(&mut self, bytes: u64) -> Result<(), LoadError> {
        self.used = self.used.saturating_add(bytes);
        if self.used > self.limits.max_total_size {
            return Err(LoadError::TooLarge {
                limit: self.limits.max_total_size,
            });
        }
        Ok(())
    }
}

/// Loads a chart from a directory or an archive file.
pub fn load(path: &Path) -> Result<Chart, LoadError> {
    load_with(path, &LoadOptions::default())
}

/// [`load`] with options.
pub fn load_with(path: &Path, options: &LoadOptions) -> Result<Chart, LoadError> {
    let meta = fs::metadata(path).map_err(|e| io_err(path, e))?;
    if meta.is_dir() {
        load_dir_with(path, options)
    } else {
        load_file_with(path, options)
    }
}

/// Loads a chart archive file (`.tgz`).
pub fn load_file(path: &Path) -> Result<Chart, LoadError> {
    load_file_with(path, &LoadOptions::default())
}

/// [`load_file`] with options.
pub fn load_file_with(path: &Path, options: &LoadOptions) -> Result<Chart, LoadError> {
    let meta = fs::metadata(path).map_err(|e| io_err(path, e))?;
    if meta.is_dir() {
        return Err(io_err(
            path,
            io::Error::other("cannot load a directory as an archive"),
        ));
    }
    if meta.len() > options.limits.max_total_size {
        return Err(LoadError::TooLarge {
            limit: options.limits.max_total_size,
        });
    }
    let data = fs::read(path).map_err(|e| io_err(path, e))?;
    let name = path.display().to_string();
    ensure_archive(&name, &data)?;
    load_archive_with(&data, options)
}

/// Checks the first bytes for the gzip signature, as Helm's content sniffing does.
fn ensure_archive(name: &str, data: &[u8]) -> Result<(), LoadError> {
    if data.starts_with(&[0x1f, 0x8b, 0x08]) {
        return Ok(());
    }
    if name.ends_with(".yml") || name.ends_with(".yaml") {
        return Err(LoadError::YamlNotArchive(name.to_owned()));
    }
    Err(LoadError::NotGzip {
        name: name.to_owned(),
        content_type: sniff(data).to_owned(),
    })
}

/// A rough `http.DetectContentType` for the error message.
fn sniff(data: &[u8]) -> &'static str {
    let head = &data[..data.len().min(512)];
    if head.starts_with(b"PK\x03\x04") {
        "application/zip"
    } else if head.starts_with(b"BZh") {
        "application/x-bzip2"
    } else if head.is_empty() {
        "text/plain; charset=utf-8"
    } else if head
        .iter()
        .any(|b| matches!(b, 0..=8 | 0x0b | 0x0e..=0x1a | 0x1c..=0x1f))
    {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// Loads a chart from the bytes of a `.tgz`.
pub fn load_archive(data: &[u8]) -> Result<Chart, LoadError> {
    load_archive_with(data, &LoadOptions::default())
}

/// [`load_archive`] with options.
pub fn load_archive_with(data: &[u8], options: &LoadOptions) -> Result<Chart, LoadError> {
    let mut budget = Budget {
        limits: options.limits,
        used: 0,
    };
    load_archive_inner(data, options, &mut budget, 0)
}

/// Loads a chart archive from a reader (read fully, within the limits, first).
pub fn load_archive_reader(reader: impl Read, options: &LoadOptions) -> Result<Chart, LoadError> {
    let mut data = Vec::new();
    reader
        .take(options.limits.max_total_size.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| LoadError::Archive(e.to_string()))?;
    if data.len() as u64 > options.limits.max_total_size {
        return Err(LoadError::TooLarge {
            limit: options.limits.max_total_size,
        });
    }
    load_archive_with(&data, options)
}

fn load_archive_inner(
    data: &[u8],
    options: &LoadOptions,
    budget: &mut Budget,
    depth: usize,
) -> Result<Chart, LoadError> {
    if depth > options.limits.max_archive_depth {
        return Err(LoadError::TooDeep(options.limits.max_archive_depth));
    }
    let files = archive_files(data, budget)?;
    load_files_inner(files, options, budget, depth)
}

static DRIVE_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("^[a-zA-Z]:/").unwrap_or_else(|e| unreachable!("drive regex: {e}"))
});

/// A reader that fails once more than `limit` bytes have come through it, so that a small
/// archive cannot make us decompress gigabytes.
struct Capped<R> {
    inner: R,
    remaining: u64,
    limit: u64,
    /// Set when the cap was hit; the tar reader may wrap our error in its own words.
    tripped: std::rc::Rc<std::cell::Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.remaining {
            self.tripped.set(true);
            return Err(io::Error::other(format!(
                "archive expands to more than the limit of {} bytes",
                self.limit
            )));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Lexically cleans a `/` path like Go's `path.Clean`.
pub(crate) fn clean_path(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// The files of a chart archive, with the first path component removed.
/// The files of a chart archive (first path component removed), read within `limits`.
pub fn archive_file_list(data: &[u8], limits: Limits) -> Result<Vec<File>, LoadError> {
    let mut budget = Budget { limits, used: 0 };
    archive_files(data, &mut budget)
}

fn archive_files(data: &[u8], budget: &mut Budget) -> Result<Vec<File>, LoadError> {
    let limits = budget.limits;
    let remaining = limits.max_total_size.saturating_sub(budget.used);
    let gz = flate2::read::GzDecoder::new(data);
    let tripped = std::rc::Rc::new(std::cell::Cell::new(false));
    let capped = Capped {
        inner: gz,
        remaining,
        limit: limits.max_total_size,
        tripped: tripped.clone(),
    };
    let mut archive = tar::Archive::new(capped);
    let entries = archive
        .entries()
        .map_err(|e| LoadError::Archive(e.to_string()))?;
    let archive_error = |e: &io::Error| {
        if tripped.get() {
            LoadError::TooLarge {
                limit: limits.max_total_size,
            }
        } else {
            LoadError::Archive(e.to_string())
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| archive_error(&e))?;
        let header_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir()
            || kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
        {
            continue;
        }
        if !(kind.is_file() || kind.is_contiguous()) {
            let kind = match kind {
                tar::EntryType::Symlink => "symlink".to_owned(),
                tar::EntryType::Link => "hard link".to_owned(),
                tar::EntryType::Char => "character device".to_owned(),
                tar::EntryType::Block => "block device".to_owned(),
                tar::EntryType::Fifo => "fifo".to_owned(),
                other => format!("entry of type {:?}", other.as_byte() as char),
            };
            return Err(LoadError::UnsupportedEntry {
                name: header_name,
                kind,
            });
        }
        let name = archive_entry_name(&header_name)?;
        let size = entry.header().size().unwrap_or(0);
        if size > limits.max_file_size {
            return Err(LoadError::FileTooLarge {
                name,
                limit: limits.max_file_size,
            });
        }
        let mut buf = Vec::new();
        (&mut entry)
            .take(limits.max_file_size.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|e| archive_error(&e))?;
        if buf.len() as u64 > limits.max_file_size {
            return Err(LoadError::FileTooLarge {
                name,
                limit: limits.max_file_size,
            });
        }
        budget.charge(buf.len() as u64)?;
        files.push(File { name, data: buf });
    }
    if files.is_empty() {
        return Err(LoadError::NoFiles);
    }
    Ok(files)
}

/// Validates an archive entry name and strips its first component.
fn archive_entry_name(header_name: &str) -> Result<String, LoadError> {
    let delimiter = if header_name.contains('\\') {
        '\\'
    } else {
        '/'
    };
    let mut parts = header_name.split(delimiter);
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let joined = rest.join("/");
    if joined.starts_with('/') {
        return Err(LoadError::AbsolutePath(header_name.to_owned()));
    }
    let cleaned = clean_path(&joined);
    if cleaned == "." {
        return Err(LoadError::OutsideBase(header_name.to_owned()));
    }
    if cleaned.starts_with("..") {
        return Err(LoadError::ParentReference(header_name.to_owned()));
    }
    if DRIVE_PATH.is_match(&cleaned) {
        return Err(LoadError::DrivePath(header_name.to_owned()));
    }
    if first == "Chart.yaml" {
        return Err(LoadError::ChartYamlAtRoot);
    }
    // An absolute first component ("/chart/x") is caught here: the rest is fine but the entry
    // was rooted.
    if first.is_empty() && !rest.is_empty() {
        return Err(LoadError::AbsolutePath(header_name.to_owned()));
    }
    Ok(cleaned)
}

/// Loads a chart directory.
pub fn load_dir(path: &Path) -> Result<Chart, LoadError> {
    load_dir_with(path, &LoadOptions::default())
}

/// [`load_dir`] with options.
pub fn load_dir_with(path: &Path, options: &LoadOptions) -> Result<Chart, LoadError> {
    let top = fs::canonicalize(path).map_err(|e| io_err(path, e))?;
    if !top.join("Chart.yaml").exists() {
        return Err(LoadError::NoChartYaml(path.display().to_string()));
    }
    let mut rules = match fs::read(top.join(HELMIGNORE)) {
        Ok(data) => Rules::parse(&String::from_utf8_lossy(&data))?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Rules::empty(),
        Err(e) => return Err(io_err(&top.join(HELMIGNORE), e)),
    };
    rules.add_defaults();
    let mut budget = Budget {
        limits: options.limits,
        used: 0,
    };
    let mut walker = Walker {
        top: top.clone(),
        rules,
        options,
        budget: &mut budget,
        files: Vec::new(),
        stack: vec![top.clone()],
    };
    walker.walk_dir(&top, "")?;
    let files = std::mem::take(&mut walker.files);
    load_files_inner(files, options, &mut budget, 0)
}

struct Walker<'a> {
    top: PathBuf,
    rules: Rules,
    options: &'a LoadOptions,
    budget: &'a mut Budget,
    files: Vec<File>,
    /// Canonical directories being walked, to stop symlink loops.
    stack: Vec<PathBuf>,
}

impl Walker<'_> {
    fn walk_dir(&mut self, dir: &Path, rel: &str) -> Result<(), LoadError> {
        let mut names: Vec<String> = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
            let entry = entry.map_err(|e| io_err(dir, e))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        for name in names {
            let full = dir.join(&name);
            let rel_name = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            self.visit(&full, &rel_name)?;
        }
        Ok(())
    }

    fn visit(&mut self, full: &Path, rel: &str) -> Result<(), LoadError> {
        let lmeta = fs::symlink_metadata(full).map_err(|e| io_err(full, e))?;
        let (target, meta) = if lmeta.file_type().is_symlink() {
            let target = fs::canonicalize(full).map_err(|e| LoadError::Symlink {
                path: full.display().to_string(),
                message: e.to_string(),
            })?;
            if !self.options.allow_external_symlinks && !target.starts_with(&self.top) {
                return Err(LoadError::SymlinkEscapes {
                    path: rel.to_owned(),
                    target: target.display().to_string(),
                });
            }
            let meta = fs::metadata(&target).map_err(|e| io_err(&target, e))?;
            (target, meta)
        } else {
            (full.to_path_buf(), lmeta)
        };
        if meta.is_dir() {
            if self.rules.ignore(rel, true) {
                return Ok(());
            }
            let canonical = fs::canonicalize(&target).map_err(|e| io_err(&target, e))?;
            if self.stack.contains(&canonical) {
                return Err(LoadError::Symlink {
                    path: full.display().to_string(),
                    message: "symlink loop".to_owned(),
                });
            }
            self.stack.push(canonical);
            let result = self.walk_dir(&target, rel);
            self.stack.pop();
            return result;
        }
        if self.rules.ignore(rel, false) {
            return Ok(());
        }
        if !meta.is_file() {
            return Err(LoadError::Irregular(full.display().to_string()));
        }
        let limits = self.budget.limits;
        if meta.len() > limits.max_file_size {
            return Err(LoadError::FileTooLarge {
                name: rel.to_owned(),
                limit: limits.max_file_size,
            });
        }
        let mut data = Vec::new();
        fs::File::open(&target)
            .and_then(|f| {
                f.take(limits.max_file_size.saturating_add(1))
                    .read_to_end(&mut data)
            })
            .map_err(|e| io_err(full, e))?;
        if data.len() as u64 > limits.max_file_size {
            return Err(LoadError::FileTooLarge {
                name: rel.to_owned(),
                limit: limits.max_file_size,
            });
        }
        self.budget.charge(data.len() as u64)?;
        self.files.push(File {
            name: rel.to_owned(),
            data,
        });
        Ok(())
    }
}

/// Builds a chart from a flat file list (paths relative to the chart root), as both loaders do.
pub fn load_files(files: Vec<File>, options: &LoadOptions) -> Result<Chart, LoadError> {
    let mut budget = Budget {
        limits: options.limits,
        used: 0,
    };
    load_files_inner(files, options, &mut budget, 0)
}

fn load_files_inner(
    files: Vec<File>,
    options: &LoadOptions,
    budget: &mut Budget,
    depth: usize,
) -> Result<Chart, LoadError> {
    let mut metadata: Option<Metadata> = None;
    let mut values_raw = String::new();
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();

    for f in files {
        if f.name == "Chart.yaml" {
            let text = String::from_utf8_lossy(&f.data);
            let node = yaml::parse(&text).map_err(|source| LoadError::Yaml {
                file: "Chart.yaml".to_owned(),
                source,
            })?;
            let m = Metadata::from_node(&node).map_err(|source| LoadError::Yaml {
                file: "Chart.yaml".to_owned(),
                source,
            })?;
            let accepted = m.api_version.is_empty()
                || m.api_version == API_VERSION_V1
                || (options.allow_api_v2 && m.api_version == API_VERSION_V2);
            if !accepted {
                return Err(LoadError::ApiVersion(m.api_version));
            }
            metadata = Some(m);
        } else if f.name == "values.toml" {
            return Err(LoadError::ValuesToml);
        } else if f.name == "values.yaml" {
            values_raw = String::from_utf8_lossy(&f.data).into_owned();
        } else if f.name.starts_with("templates/") {
            templates.push(f);
        } else if let Some(rest) = f.name.strip_prefix("charts/") {
            if f.name.ends_with(".prov") && !rest.contains('/') {
                other.push(f);
                continue;
            }
            if rest.starts_with('.') || rest.starts_with('_') {
                continue;
            }
            let (sub, _) = rest.split_once('/').unwrap_or((rest, ""));
            let file = File {
                name: rest.to_owned(),
                data: f.data,
            };
            subcharts.entry(sub.to_owned()).or_default().push(file);
        } else {
            other.push(f);
        }
    }

    let metadata = metadata.ok_or(LoadError::MetadataMissing)?;
    if metadata.name.is_empty() {
        return Err(LoadError::EmptyName);
    }
    let values = if values_raw.is_empty() {
        crate::Values::new()
    } else {
        crate::values::read_values(&values_raw).map_err(|source| LoadError::Yaml {
            file: "values.yaml".to_owned(),
            source,
        })?
    };

    let mut dependencies = Vec::new();
    for (name, files) in subcharts {
        let wrap = |source: LoadError| LoadError::Subchart {
            name: name.clone(),
            parent: metadata.name.clone(),
            source: Box::new(source),
        };
        let sub = if name.ends_with(".tgz") {
            let first = &files[0];
            if first.name != name {
                return Err(LoadError::TarName {
                    parent: metadata.name.clone(),
                    expected: name.clone(),
                    got: first.name.clone(),
                });
            }
            load_archive_inner(&first.data, options, budget, depth + 1).map_err(wrap)?
        } else {
            let inner: Vec<File> = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(File {
                        name: rest.to_owned(),
                        data: f.data,
                    })
                })
                .collect();
            load_files_inner(inner, options, budget, depth).map_err(wrap)?
        };
        dependencies.push(sub);
    }

    Ok(Chart {
        metadata,
        templates,
        values_raw,
        values,
        files: other,
        dependencies,
    })
}
