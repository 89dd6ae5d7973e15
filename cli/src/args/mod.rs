//! Command-line types: the global flags every command shares and one argument struct per
//! command, with Helm v2's names, short forms, defaults and environment variables.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::env;

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
    #[arg(long, global = true, env = env::HELM_DEBUG)]
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
    /// Locally render templates
    Template(Box<TemplateArgs>),
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
    /// Specify values in a YAML file (can specify multiple)
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Namespace to install the release into
    #[arg(long, default_value = "")]
    pub namespace: String,
    /// Set values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Set STRING values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// Set values from respective files specified via the command line (can specify multiple or separate values with commas: key1=path1,key2=path2)
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
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
}
