//! Command-line types: the global flags every command shares and one argument struct per
//! command, with Helm v2's names, short forms, defaults and environment variables.
//!
//! [`flags`] holds the flag groups several commands flatten in (TLS, values, output format);
//! [`release`] the arguments of the commands that talk to Tiller.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::env;

pub mod flags;
pub mod release;

pub use flags::{OutputFormat, TlsArgs, ValuesArgs};
pub use release::{
    DeleteArgs, GetArgs, GetPart, GetPartArgs, GetValuesArgs, HistoryArgs, InstallArgs, ListArgs,
    RollbackArgs, StatusArgs, TestArgs, UpgradeArgs,
};

/// The Helm v2 command line client.
#[derive(Debug, Parser)]
#[command(
    name = "helm",
    about = "The Kubernetes package manager",
    long_about = "The Kubernetes package manager.\n\nTo begin working with Helm, run the 'helm init' command.",
    disable_version_flag = true
)]
pub struct Cli {
    /// Flags every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Helm v2's global flags.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Enable verbose output
    #[arg(long, global = true, env = env::HELM_DEBUG, value_name = "BOOL",
          value_parser = flags::parse_go_bool, num_args = 0..=1, require_equals = true,
          default_value_t = false, default_missing_value = "true")]
    pub debug: bool,
    /// Location of your Helm config. Overrides $HELM_HOME
    #[arg(long, global = true, env = env::HELM_HOME, value_name = "PATH")]
    pub home: Option<PathBuf>,
    /// Address of Tiller. Overrides $HELM_HOST
    #[arg(long, global = true, env = env::HELM_HOST, value_name = "HOST")]
    pub host: Option<String>,
    /// Name of the kubeconfig context to use
    #[arg(long = "kube-context", global = true, value_name = "CONTEXT")]
    pub kube_context: Option<String>,
    /// Absolute path of the kubeconfig file to be used
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Namespace of Tiller
    #[arg(
        long = "tiller-namespace",
        global = true,
        env = env::TILLER_NAMESPACE,
        default_value = "kube-system",
        value_name = "NAMESPACE"
    )]
    pub tiller_namespace: String,
    /// The duration (in seconds) Helm will wait to establish a connection to Tiller
    #[arg(
        long = "tiller-connection-timeout",
        global = true,
        default_value_t = 300,
        value_name = "SECONDS"
    )]
    pub tiller_connection_timeout: i64,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Given a release name, delete the release from Kubernetes
    #[command(visible_alias = "del")]
    Delete(DeleteArgs),
    /// Download a named release
    Get(GetArgs),
    /// Fetch release history
    #[command(visible_alias = "hist")]
    History(HistoryArgs),
    /// Install a chart archive
    Install(Box<InstallArgs>),
    /// List releases
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Rollback a release to a previous revision
    Rollback(RollbackArgs),
    /// Displays the status of the named release
    Status(StatusArgs),
    /// Locally render templates
    Template(Box<TemplateArgs>),
    /// Test a release
    Test(TestArgs),
    /// Upgrade a release
    Upgrade(Box<UpgradeArgs>),
    /// Print the client/server version information
    Version(VersionArgs),
}

/// `helm template [flags] CHART`.
#[derive(Debug, Args)]
#[command(
    long_about = "Render chart templates locally and display the output.\n\nThis does not require Tiller. However, any values that would normally be\nlooked up or retrieved in-cluster will be faked locally. Additionally, none\nof the server-side testing of chart validity (e.g. whether an API is supported)\nis done.\n\nTo render just one template in a chart, use '-x':\n\n\t$ helm template mychart -x templates/deployment.yaml"
)]
pub struct TemplateArgs {
    /// The chart: a chart directory or a packaged chart (.tgz)
    pub chart: Option<PathBuf>,
    /// Show the computed NOTES.txt file as well
    #[arg(long)]
    pub notes: bool,
    /// Release name
    #[arg(short = 'n', long, default_value = "release-name")]
    pub name: String,
    /// Set .Release.IsUpgrade instead of .Release.IsInstall
    #[arg(long = "is-upgrade")]
    pub is_upgrade: bool,
    /// Only execute the given templates
    #[arg(short = 'x', long = "execute", value_name = "TEMPLATE")]
    pub execute: Vec<String>,
    /// Values flags.
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Namespace to install the release into
    #[arg(long, default_value = "")]
    pub namespace: String,
    /// Specify template used to name the release
    #[arg(long = "name-template", value_name = "TEMPLATE")]
    pub name_template: Option<String>,
    /// Kubernetes version used as Capabilities.KubeVersion.Major/Minor (MAJOR.MINOR, or a full version such as v1.16.15)
    #[arg(long = "kube-version", default_value = "1.14", value_name = "VERSION")]
    pub kube_version: String,
    /// Kubernetes api versions used for Capabilities.APIVersions
    #[arg(short = 'a', long = "api-versions", value_name = "GROUP/VERSION")]
    pub api_versions: Vec<String>,
    /// Writes the executed templates to files in output-dir instead of stdout
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// `helm version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Client version only
    #[arg(short = 'c', long)]
    pub client: bool,
    /// Server version only
    #[arg(short = 's', long)]
    pub server: bool,
    /// Print the version number
    #[arg(long)]
    pub short: bool,
    /// Template for version string format
    #[arg(long, value_name = "TEMPLATE")]
    pub template: Option<String>,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
}
