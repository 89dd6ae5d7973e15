//! `helm version`: the client's and Tiller's versions, in Helm v2's formats.

use std::io::Write;

use anyhow::{Context as _, bail};
use gotmpl::{FuncMap, Map, Templates, Value};
use tonic::Code;

use crate::args::{GlobalArgs, VersionArgs};

/// The Helm version this client is compatible with; Tiller checks it on every call.
pub const SEM_VER: &str = "v2.17.0";

/// The version of this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The semantic version Tiller's compatibility check sees.
    pub sem_ver: String,
    /// The commit this binary was built from, when the build knows it.
    pub git_commit: String,
    /// `clean` or `dirty`.
    pub git_tree_state: String,
}

impl Version {
    /// This client's version.
    pub fn client() -> Version {
        Version {
            sem_ver: SEM_VER.to_owned(),
            git_commit: option_env!("HELM_GIT_COMMIT")
                .unwrap_or_default()
                .to_owned(),
            git_tree_state: option_env!("HELM_GIT_TREE_STATE")
                .unwrap_or("clean")
                .to_owned(),
        }
    }

    /// Helm's `formatVersion`: Go's `%#v` of the version message, or with `--short` the
    /// semantic version plus the abbreviated commit.
    pub fn format(&self, short: bool) -> String {
        if short {
            return match self.git_commit.get(..7) {
                Some(abbrev) => format!("{}+g{abbrev}", self.sem_ver),
                None => self.sem_ver.clone(),
            };
        }
        format!(
            "&version.Version{{SemVer:{:?}, GitCommit:{:?}, GitTreeState:{:?}}}",
            self.sem_ver, self.git_commit, self.git_tree_state
        )
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("SemVer".to_owned(), Value::string(&self.sem_ver));
        m.insert("GitCommit".to_owned(), Value::string(&self.git_commit));
        m.insert(
            "GitTreeState".to_owned(),
            Value::string(&self.git_tree_state),
        );
        Value::map(m)
    }
}

/// Runs `helm version`.
pub fn run(global: &GlobalArgs, args: &VersionArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    // Like Helm v2: no flag means both, `--client`/`--server` narrow it down.
    let (show_client, show_server) = match (args.client, args.server) {
        (false, false) => (true, true),
        (c, s) => (c, s),
    };
    let mut data = Map::new();
    if show_client {
        let client = Version::client();
        if args.template.is_some() {
            data.insert("Client".to_owned(), client.to_value());
        } else {
            writeln!(out, "Client: {}", client.format(args.short))?;
        }
    }
    if show_server {
        let server = server_version(global, args, out)?;
        if args.template.is_some() {
            data.insert("Server".to_owned(), server.to_value());
        } else {
            writeln!(out, "Server: {}", server.format(args.short))?;
        }
    }
    if let Some(text) = &args.template {
        let mut set = Templates::new(FuncMap::new());
        set.parse("version", text)
            .with_context(|| format!("parsing --template {text:?}"))?;
        let rendered = set
            .execute_to_string("version", &Value::map(data))
            .with_context(|| format!("executing --template {text:?}"))?;
        write!(out, "{rendered}")?;
    }
    Ok(())
}

/// Asks Tiller for its version, with Helm v2's two error texts.
fn server_version(
    global: &GlobalArgs,
    args: &VersionArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Version> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    match tiller.version() {
        Ok(res) => {
            let v = res.version.unwrap_or_default();
            Ok(Version {
                sem_ver: v.sem_ver,
                git_commit: v.git_commit,
                git_tree_state: v.git_tree_state,
            })
        }
        Err(err) if err.code() == Some(Code::Unimplemented) => {
            bail!("server is too old to know its version")
        }
        Err(err) => {
            if global.debug {
                writeln!(out, "[debug] {err}")?;
            }
            bail!("cannot connect to Tiller")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_helm_v2() {
        let v = Version {
            sem_ver: "v2.17.0".to_owned(),
            git_commit: "a690bad98af45b015bd3da1a41f6218b1a451dbe".to_owned(),
            git_tree_state: "clean".to_owned(),
        };
        assert_eq!(
            v.format(false),
            r#"&version.Version{SemVer:"v2.17.0", GitCommit:"a690bad98af45b015bd3da1a41f6218b1a451dbe", GitTreeState:"clean"}"#
        );
        assert_eq!(v.format(true), "v2.17.0+ga690bad");
        let unknown = Version {
            git_commit: String::new(),
            ..v
        };
        assert_eq!(unknown.format(true), "v2.17.0");
    }
}
