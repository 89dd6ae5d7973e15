//! The Go objects templates see besides `.Values`: `.Files`, `.Capabilities` (with
//! `APIVersions`, `KubeVersion`, `TillerVersion`), `.Chart` (`*chart.Metadata`) and
//! `.Release.Time` (a protobuf Timestamp), each with Helm v2's field and method names.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use base64::Engine as _;
use gotmpl::{ElemType, FuncError, Member, Object, Value, expect_args, expect_string};

use super::glob::Glob;
use crate::chartfile::{Maintainer, Metadata};

fn string_list(items: &[String]) -> Value {
    Value::List(
        Rc::new(items.iter().map(Value::string).collect()),
        ElemType::String,
    )
}

/// Go's `strconv.Quote`-style quoting for proto text output.
fn proto_quote(s: &str) -> String {
    gotmpl::fmt::quote(s, false)
}

/// Appends a proto text `key:"value"` field unless the value is empty (proto3 omits defaults).
fn push_text(parts: &mut Vec<String>, key: &str, value: &str) {
    if !value.is_empty() {
        parts.push(format!("{key}:{}", proto_quote(value)));
    }
}

/// `.Files`: the chart's ordinary files (`chartutil.Files`, a `map[string][]byte` with methods).
#[derive(Debug, Clone, Default)]
pub struct Files {
    entries: Rc<BTreeMap<String, Rc<[u8]>>>,
}

impl Files {
    /// Files from `(path, content)` pairs; a later duplicate replaces an earlier one.
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Files {
        let entries = files
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Rc::from(v)))
            .collect();
        Files {
            entries: Rc::new(entries),
        }
    }

    /// The content of a file, empty if missing (`GetBytes`).
    pub fn get_bytes(&self, name: &str) -> &[u8] {
        self.entries.get(name).map_or(&[], |v| v)
    }

    /// The files whose path matches a glob (`Glob`); an invalid pattern matches everything, as
    /// in Helm (which falls back to `**`).
    pub fn glob(&self, pattern: &str) -> Files {
        let glob = Glob::new(pattern).ok();
        let entries = self
            .entries
            .iter()
            .filter(|(k, _)| glob.as_ref().is_none_or(|g| g.matches(k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Files {
            entries: Rc::new(entries),
        }
    }

    fn by_basename(&self, encode: impl Fn(&[u8]) -> String) -> String {
        let mut m = serde_json::Map::new();
        for (k, v) in self.entries.iter() {
            let base = k.rsplit('/').next().unwrap_or(k).to_owned();
            m.insert(base, serde_json::Value::String(encode(v)));
        }
        goyaml::to_yaml(&serde_json::Value::Object(m))
    }

    /// YAML of basename → content (`AsConfig`).
    pub fn as_config(&self) -> String {
        self.by_basename(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// YAML of basename → base64 content (`AsSecrets`).
    pub fn as_secrets(&self) -> String {
        self.by_basename(|v| base64::engine::general_purpose::STANDARD.encode(v))
    }

    /// The lines of a file (`Lines`); empty when missing.
    pub fn lines(&self, name: &str) -> Vec<String> {
        match self.entries.get(name) {
            None => Vec::new(),
            Some(v) => String::from_utf8_lossy(v)
                .split('\n')
                .map(str::to_owned)
                .collect(),
        }
    }
}

const FILES_METHODS: [&str; 6] = ["Get", "GetBytes", "Glob", "AsConfig", "AsSecrets", "Lines"];

impl Object for Files {
    fn type_name(&self) -> String {
        "chartutil.Files".to_owned()
    }

    fn member(&self, name: &str) -> Member {
        if FILES_METHODS.contains(&name) {
            return Member::Method;
        }
        // A map type: any other name is a key lookup; a missing key is a nil []byte.
        Member::Field(Value::Bytes(Rc::from(self.get_bytes(name))))
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        match name {
            "Get" => {
                expect_args(args, 1, name)?;
                let path = expect_string(args, 0, name)?;
                Ok(Value::string(String::from_utf8_lossy(self.get_bytes(path))))
            }
            "GetBytes" => {
                expect_args(args, 1, name)?;
                let path = expect_string(args, 0, name)?;
                Ok(Value::Bytes(Rc::from(self.get_bytes(path))))
            }
            "Glob" => {
                expect_args(args, 1, name)?;
                let pattern = expect_string(args, 0, name)?;
                Ok(Value::Object(Rc::new(self.glob(pattern))))
            }
            "AsConfig" => {
                expect_args(args, 0, name)?;
                Ok(Value::string(self.as_config()))
            }
            "AsSecrets" => {
                expect_args(args, 0, name)?;
                Ok(Value::string(self.as_secrets()))
            }
            "Lines" => {
                expect_args(args, 1, name)?;
                let path = expect_string(args, 0, name)?;
                Ok(string_list(&self.lines(path)))
            }
            _ => Err(FuncError::new(format!(
                "{name} is not a method of chartutil.Files"
            ))),
        }
    }

    fn go_string(&self) -> String {
        let parts: Vec<String> = self
            .entries
            .iter()
            .map(|(k, v)| {
                let bytes: Vec<String> = v.iter().map(u8::to_string).collect();
                format!("{k}:[{}]", bytes.join(" "))
            })
            .collect();
        format!("map[{}]", parts.join(" "))
    }

    fn truthy(&self) -> bool {
        !self.entries.is_empty()
    }

    fn to_data(&self) -> Option<Value> {
        let m = self
            .entries
            .iter()
            .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
            .collect();
        Some(Value::Map(
            Rc::new(std::cell::RefCell::new(m)),
            ElemType::Any,
        ))
    }
}

/// `.Capabilities.APIVersions` (`chartutil.VersionSet`).
#[derive(Debug, Clone, Default)]
pub struct VersionSet {
    versions: Rc<BTreeSet<String>>,
}

impl VersionSet {
    /// A set of group/version strings.
    pub fn new<S: AsRef<str>>(versions: impl IntoIterator<Item = S>) -> VersionSet {
        VersionSet {
            versions: Rc::new(
                versions
                    .into_iter()
                    .map(|s| s.as_ref().to_owned())
                    .collect(),
            ),
        }
    }

    /// Whether the set holds a version (`Has`).
    pub fn has(&self, v: &str) -> bool {
        self.versions.contains(v)
    }
}

impl Object for VersionSet {
    fn type_name(&self) -> String {
        "chartutil.VersionSet".to_owned()
    }

    fn member(&self, name: &str) -> Member {
        if name == "Has" {
            return Member::Method;
        }
        if self.versions.contains(name) {
            Member::Field(Value::map(BTreeMap::new()))
        } else {
            Member::Field(Value::Nil)
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        if name != "Has" {
            return Err(FuncError::new(format!(
                "{name} is not a method of chartutil.VersionSet"
            )));
        }
        expect_args(args, 1, name)?;
        Ok(Value::Bool(self.has(expect_string(args, 0, name)?)))
    }

    fn go_string(&self) -> String {
        let parts: Vec<String> = self.versions.iter().map(|v| format!("{v}:{{}}")).collect();
        format!("map[{}]", parts.join(" "))
    }

    fn truthy(&self) -> bool {
        !self.versions.is_empty()
    }

    fn to_data(&self) -> Option<Value> {
        let m = self
            .versions
            .iter()
            .map(|v| (v.clone(), Value::map(BTreeMap::new())))
            .collect();
        Some(Value::map(m))
    }
}

/// `.Capabilities.KubeVersion` (`*version.Info` of the Kubernetes API server).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubeVersion {
    /// `Major`, e.g. `1`.
    pub major: String,
    /// `Minor`, e.g. `16`.
    pub minor: String,
    /// `GitVersion`, e.g. `v1.16.15`.
    pub git_version: String,
    /// `GitCommit`.
    pub git_commit: String,
    /// `GitTreeState`.
    pub git_tree_state: String,
    /// `BuildDate`.
    pub build_date: String,
    /// `GoVersion`.
    pub go_version: String,
    /// `Compiler`.
    pub compiler: String,
    /// `Platform`.
    pub platform: String,
}

impl KubeVersion {
    /// A version from its git version (`v1.16.15`): Major and Minor are taken from it.
    pub fn from_git_version(git_version: &str) -> KubeVersion {
        let trimmed = git_version.trim_start_matches('v');
        let mut parts = trimmed.split(['.', '-', '+']);
        KubeVersion {
            major: parts.next().unwrap_or("").to_owned(),
            minor: parts.next().unwrap_or("").to_owned(),
            git_version: git_version.to_owned(),
            compiler: "gc".to_owned(),
            ..KubeVersion::default()
        }
    }

    fn fields(&self) -> [(&'static str, &'static str, &str); 9] {
        [
            ("Major", "major", &self.major),
            ("Minor", "minor", &self.minor),
            ("GitVersion", "gitVersion", &self.git_version),
            ("GitCommit", "gitCommit", &self.git_commit),
            ("GitTreeState", "gitTreeState", &self.git_tree_state),
            ("BuildDate", "buildDate", &self.build_date),
            ("GoVersion", "goVersion", &self.go_version),
            ("Compiler", "compiler", &self.compiler),
            ("Platform", "platform", &self.platform),
        ]
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> String {
        "*version.Info".to_owned()
    }

    fn member(&self, name: &str) -> Member {
        if name == "String" {
            return Member::Method;
        }
        match self.fields().iter().find(|(go, _, _)| *go == name) {
            Some((_, _, v)) => Member::Field(Value::string(v)),
            None => Member::Missing,
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        if name != "String" {
            return Err(FuncError::new(format!(
                "{name} is not a method of *version.Info"
            )));
        }
        expect_args(args, 0, name)?;
        Ok(Value::string(&self.git_version))
    }

    fn go_string(&self) -> String {
        self.git_version.clone()
    }

    fn to_data(&self) -> Option<Value> {
        Some(Value::map(
            self.fields()
                .iter()
                .map(|(_, json, v)| ((*json).to_owned(), Value::string(v)))
                .collect(),
        ))
    }
}

/// `.Capabilities.TillerVersion` (`*version.Version`, a protobuf message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TillerVersion {
    /// `SemVer`, e.g. `v2.17.0`.
    pub sem_ver: String,
    /// `GitCommit`.
    pub git_commit: String,
    /// `GitTreeState`.
    pub git_tree_state: String,
}

impl Object for TillerVersion {
    fn type_name(&self) -> String {
        "*version.Version".to_owned()
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "SemVer" | "GetSemVer" => Member::Field(Value::string(&self.sem_ver)),
            "GitCommit" | "GetGitCommit" => Member::Field(Value::string(&self.git_commit)),
            "GitTreeState" | "GetGitTreeState" => {
                Member::Field(Value::string(&self.git_tree_state))
            }
            _ => Member::Missing,
        }
    }

    fn go_string(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("sem_ver", &self.sem_ver),
            ("git_commit", &self.git_commit),
            ("git_tree_state", &self.git_tree_state),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}:{}", proto_quote(v)));
            }
        }
        parts.join(" ")
    }

    fn to_data(&self) -> Option<Value> {
        let mut m = BTreeMap::new();
        for (k, v) in [
            ("sem_ver", &self.sem_ver),
            ("git_commit", &self.git_commit),
            ("git_tree_state", &self.git_tree_state),
        ] {
            if !v.is_empty() {
                m.insert(k.to_owned(), Value::string(v));
            }
        }
        Some(Value::map(m))
    }
}

/// `.Capabilities`.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    /// `APIVersions`.
    pub api_versions: VersionSet,
    /// `KubeVersion`.
    pub kube_version: KubeVersion,
    /// `TillerVersion`.
    pub tiller_version: TillerVersion,
}

impl Object for Capabilities {
    fn type_name(&self) -> String {
        "*chartutil.Capabilities".to_owned()
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "APIVersions" => Member::Field(Value::Object(Rc::new(self.api_versions.clone()))),
            "KubeVersion" => Member::Field(Value::Object(Rc::new(self.kube_version.clone()))),
            "TillerVersion" => Member::Field(Value::Object(Rc::new(self.tiller_version.clone()))),
            _ => Member::Missing,
        }
    }

    fn go_string(&self) -> String {
        format!(
            "&{{{} {} {}}}",
            self.api_versions.go_string(),
            self.kube_version.go_string(),
            self.tiller_version.go_string()
        )
    }
}

/// `.Chart`: Chart.yaml as `*chart.Metadata` (Go field names, e.g. `.Chart.AppVersion`,
/// `.Chart.ApiVersion`), plus the protobuf getters (`GetName`, ...).
#[derive(Debug, Clone)]
pub struct ChartObject {
    meta: Rc<Metadata>,
}

impl ChartObject {
    /// Wraps metadata.
    pub fn new(meta: &Metadata) -> ChartObject {
        ChartObject {
            meta: Rc::new(meta.clone()),
        }
    }

    fn field(&self, name: &str) -> Option<Value> {
        let m = &self.meta;
        let s = |x: &String| Some(Value::string(x));
        match name {
            "Name" => s(&m.name),
            "Home" => s(&m.home),
            "Sources" => Some(string_list(&m.sources)),
            "Version" => s(&m.version),
            "Description" => s(&m.description),
            "Keywords" => Some(string_list(&m.keywords)),
            "Maintainers" => Some(Value::list(
                m.maintainers
                    .iter()
                    .map(|x| Value::Object(Rc::new(MaintainerObject(x.clone()))))
                    .collect(),
            )),
            "Engine" => s(&m.engine),
            "Icon" => s(&m.icon),
            "ApiVersion" => s(&m.api_version),
            "Condition" => s(&m.condition),
            "Tags" => s(&m.tags),
            "AppVersion" => s(&m.app_version),
            "Deprecated" => Some(Value::Bool(m.deprecated)),
            "TillerVersion" => s(&m.tiller_version),
            "Annotations" => Some(Value::Map(
                Rc::new(std::cell::RefCell::new(
                    m.annotations
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::string(v)))
                        .collect(),
                )),
                ElemType::String,
            )),
            "KubeVersion" => s(&m.kube_version),
            _ => None,
        }
    }
}

impl Object for ChartObject {
    fn type_name(&self) -> String {
        "*chart.Metadata".to_owned()
    }

    fn member(&self, name: &str) -> Member {
        if let Some(v) = self.field(name) {
            return Member::Field(v);
        }
        match name.strip_prefix("Get") {
            Some(rest) if self.field(rest).is_some() => Member::Method,
            _ if name == "String" => Member::Method,
            _ => Member::Missing,
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        expect_args(args, 0, name)?;
        if name == "String" {
            return Ok(Value::string(self.go_string()));
        }
        name.strip_prefix("Get")
            .and_then(|rest| self.field(rest))
            .ok_or_else(|| FuncError::new(format!("{name} is not a method of *chart.Metadata")))
    }

    fn go_string(&self) -> String {
        let m = &self.meta;
        let mut parts = Vec::new();
        push_text(&mut parts, "name", &m.name);
        push_text(&mut parts, "home", &m.home);
        for x in &m.sources {
            parts.push(format!("sources:{}", proto_quote(x)));
        }
        push_text(&mut parts, "version", &m.version);
        push_text(&mut parts, "description", &m.description);
        for x in &m.keywords {
            parts.push(format!("keywords:{}", proto_quote(x)));
        }
        for x in &m.maintainers {
            parts.push(format!(
                "maintainers:<{}>",
                MaintainerObject(x.clone()).go_string()
            ));
        }
        push_text(&mut parts, "engine", &m.engine);
        push_text(&mut parts, "icon", &m.icon);
        push_text(&mut parts, "apiVersion", &m.api_version);
        push_text(&mut parts, "condition", &m.condition);
        push_text(&mut parts, "tags", &m.tags);
        push_text(&mut parts, "appVersion", &m.app_version);
        if m.deprecated {
            parts.push("deprecated:true".to_owned());
        }
        push_text(&mut parts, "tillerVersion", &m.tiller_version);
        for (k, v) in &m.annotations {
            parts.push(format!(
                "annotations:<key:{} value:{} >",
                proto_quote(k),
                proto_quote(v)
            ));
        }
        push_text(&mut parts, "kubeVersion", &m.kube_version);
        parts.join(" ")
    }

    fn to_data(&self) -> Option<Value> {
        let m = &self.meta;
        let mut out = BTreeMap::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                out.insert(k.to_owned(), Value::string(v));
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
        if !m.sources.is_empty() {
            out.insert("sources".to_owned(), string_list(&m.sources));
        }
        if !m.keywords.is_empty() {
            out.insert("keywords".to_owned(), string_list(&m.keywords));
        }
        if !m.maintainers.is_empty() {
            let items = m
                .maintainers
                .iter()
                .filter_map(|x| MaintainerObject(x.clone()).to_data())
                .collect();
            out.insert("maintainers".to_owned(), Value::list(items));
        }
        if m.deprecated {
            out.insert("deprecated".to_owned(), Value::Bool(true));
        }
        if !m.annotations.is_empty() {
            let a = m
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), Value::string(v)))
                .collect();
            out.insert("annotations".to_owned(), Value::map(a));
        }
        Some(Value::map(out))
    }
}

/// One entry of `.Chart.Maintainers` (`*chart.Maintainer`).
#[derive(Debug, Clone)]
pub struct MaintainerObject(pub Maintainer);

impl Object for MaintainerObject {
    fn type_name(&self) -> String {
        "*chart.Maintainer".to_owned()
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "Name" => Member::Field(Value::string(&self.0.name)),
            "Email" => Member::Field(Value::string(&self.0.email)),
            "Url" => Member::Field(Value::string(&self.0.url)),
            _ => Member::Missing,
        }
    }

    fn go_string(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("name", &self.0.name),
            ("email", &self.0.email),
            ("url", &self.0.url),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}:{}", proto_quote(v)));
            }
        }
        parts.join(" ")
    }

    fn to_data(&self) -> Option<Value> {
        let mut out = BTreeMap::new();
        for (k, v) in [
            ("name", &self.0.name),
            ("email", &self.0.email),
            ("url", &self.0.url),
        ] {
            if !v.is_empty() {
                out.insert(k.to_owned(), Value::string(v));
            }
        }
        Some(Value::map(out))
    }
}

/// `.Release.Time`: a protobuf `Timestamp` with `Seconds` and `Nanos`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// Nanoseconds within the second.
    pub nanos: i32,
}

impl Timestamp {
    /// The current time.
    pub fn now() -> Timestamp {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp {
            seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
        }
    }
}

impl Object for Timestamp {
    fn type_name(&self) -> String {
        "*timestamp.Timestamp".to_owned()
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "Seconds" | "GetSeconds" => Member::Field(Value::Int(self.seconds)),
            "Nanos" | "GetNanos" => Member::Field(Value::Int(i64::from(self.nanos))),
            _ => Member::Missing,
        }
    }

    fn go_string(&self) -> String {
        let mut parts = Vec::new();
        if self.seconds != 0 {
            parts.push(format!("seconds:{}", self.seconds));
        }
        if self.nanos != 0 {
            parts.push(format!("nanos:{}", self.nanos));
        }
        parts.join(" ")
    }

    fn to_data(&self) -> Option<Value> {
        let mut out = BTreeMap::new();
        if self.seconds != 0 {
            out.insert("seconds".to_owned(), Value::Int(self.seconds));
        }
        if self.nanos != 0 {
            out.insert("nanos".to_owned(), Value::Int(i64::from(self.nanos)));
        }
        Some(Value::map(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        Files::new([
            ("README.md", &b"readme\n"[..]),
            ("config/a.conf", &b"a=1\nb=2"[..]),
            ("config/sub/b.conf", &b"b"[..]),
        ])
    }

    #[test]
    fn files_methods() {
        let f = files();
        assert_eq!(f.get_bytes("README.md"), b"readme\n");
        assert_eq!(f.get_bytes("nope"), b"");
        assert_eq!(f.lines("config/a.conf"), ["a=1", "b=2"]);
        assert_eq!(f.lines("README.md"), ["readme", ""]);
        assert!(f.lines("nope").is_empty());
        let g = f.glob("config/*");
        assert_eq!(g.entries.keys().collect::<Vec<_>>(), ["config/a.conf"]);
        assert_eq!(f.glob("config/**").entries.len(), 2);
        assert_eq!(
            f.glob("[").entries.len(),
            3,
            "an invalid pattern matches everything"
        );
        assert_eq!(g.as_config(), "a.conf: |-\n  a=1\n  b=2\n");
        assert_eq!(g.as_secrets(), "a.conf: YT0xCmI9Mg==\n");
        assert_eq!(f.glob("none/*").as_config(), "{}\n");
    }

    #[test]
    fn files_as_object() {
        let f = files();
        assert!(matches!(f.member("Get"), Member::Method));
        match f.call("Get", &[Value::string("README.md")]).unwrap() {
            Value::String(s) => assert_eq!(&*s, "readme\n"),
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(f.member("README.md"), Member::Field(Value::Bytes(b)) if &*b == b"readme\n")
        );
        assert!(f.call("Get", &[]).is_err());
        assert!(f.call("Get", &[Value::Float(1.0)]).is_err());
        match f.call("Lines", &[Value::string("config/a.conf")]).unwrap() {
            Value::List(items, ElemType::String) => assert_eq!(items.len(), 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            Files::new([("a", &b"hi"[..])]).go_string(),
            "map[a:[104 105]]"
        );
    }

    #[test]
    fn capabilities() {
        let caps = Capabilities {
            api_versions: VersionSet::new(["v1", "apps/v1"]),
            kube_version: KubeVersion::from_git_version("v1.16.15"),
            tiller_version: TillerVersion {
                sem_ver: "v2.17.0".into(),
                git_commit: "abc".into(),
                git_tree_state: "clean".into(),
            },
        };
        let Member::Field(Value::Object(av)) = caps.member("APIVersions") else {
            panic!()
        };
        assert!(matches!(
            av.call("Has", &[Value::string("apps/v1")]),
            Ok(Value::Bool(true))
        ));
        assert!(matches!(
            av.call("Has", &[Value::string("apps/v2")]),
            Ok(Value::Bool(false))
        ));
        let Member::Field(Value::Object(kv)) = caps.member("KubeVersion") else {
            panic!()
        };
        assert_eq!(kv.go_string(), "v1.16.15");
        assert!(matches!(kv.member("Minor"), Member::Field(Value::String(s)) if &*s == "16"));
        assert!(matches!(kv.member("Nope"), Member::Missing));
        assert_eq!(
            caps.tiller_version.go_string(),
            "sem_ver:\"v2.17.0\" git_commit:\"abc\" git_tree_state:\"clean\""
        );
        assert!(matches!(caps.member("HelmVersion"), Member::Missing));
    }

    #[test]
    fn chart_object_fields() {
        let meta = Metadata {
            name: "x".into(),
            version: "1.0.0".into(),
            app_version: "2".into(),
            api_version: "v1".into(),
            keywords: vec!["k".into()],
            maintainers: vec![Maintainer {
                name: "n".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let c = ChartObject::new(&meta);
        assert!(matches!(c.member("AppVersion"), Member::Field(Value::String(s)) if &*s == "2"));
        assert!(matches!(c.member("ApiVersion"), Member::Field(Value::String(s)) if &*s == "v1"));
        assert!(matches!(c.member("APIVersion"), Member::Missing));
        assert!(matches!(c.member("GetName"), Member::Method));
        assert!(matches!(c.call("GetName", &[]), Ok(Value::String(s)) if &*s == "x"));
        assert_eq!(
            c.go_string(),
            "name:\"x\" version:\"1.0.0\" keywords:\"k\" maintainers:<name:\"n\"> apiVersion:\"v1\" appVersion:\"2\""
        );
        let t = Timestamp {
            seconds: 5,
            nanos: 7,
        };
        assert_eq!(t.go_string(), "seconds:5 nanos:7");
        assert!(matches!(t.member("Seconds"), Member::Field(Value::Int(5))));
    }
}
