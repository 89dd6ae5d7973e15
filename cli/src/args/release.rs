//! Arguments of the commands that talk to Tiller about releases, with Helm v2.17's flag names,
//! short forms and defaults. Positional arguments are collected as lists so that the commands
//! can report a wrong count with Helm's own messages.

use clap::{Args, Subcommand};

use super::flags::{OutputFormat, TlsArgs, ValuesArgs, parse_output_format};

/// `helm install [CHART]`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The chart: a chart directory or a packaged chart (.tgz)
    #[arg(value_name = "CHART")]
    pub chart: Vec<String>,
    /// Values flags.
    #[command(flatten)]
    pub values: ValuesArgs,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// The release name. If unspecified, it will autogenerate one for you
    #[arg(short = 'n', long, default_value = "")]
    pub name: String,
    /// Namespace to install the release into. Defaults to the current kube config namespace.
    #[arg(long, default_value = "")]
    pub namespace: String,
    /// Simulate an install
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// Prevent hooks from running during install
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Prevent CRD hooks from running, but run other hooks
    #[arg(long = "no-crd-hook")]
    pub no_crd_hook: bool,
    /// Re-use the given name, even if that name is already used. This is unsafe in production
    #[arg(long)]
    pub replace: bool,
    /// Specify template used to name the release
    #[arg(long = "name-template", default_value = "", value_name = "TEMPLATE")]
    pub name_template: String,
    /// Verify the package before installing it
    #[arg(long)]
    pub verify: bool,
    /// Location of public keys used for verification
    #[arg(long, value_name = "PATH")]
    pub keyring: Option<String>,
    /// Specify the exact chart version to install. If this is not specified, the latest version is installed
    #[arg(long, default_value = "")]
    pub version: String,
    /// Time in seconds to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value_t = 300)]
    pub timeout: i64,
    /// If set, will wait until all Pods, PVCs, Services, and minimum number of Pods of a Deployment are in a ready state before marking the release as successful. It will wait for as long as --timeout
    #[arg(long)]
    pub wait: bool,
    /// If set, installation process purges chart on fail, also sets --wait flag
    #[arg(long)]
    pub atomic: bool,
    /// Chart repository url where to locate the requested chart
    #[arg(long, default_value = "")]
    pub repo: String,
    /// Chart repository username
    #[arg(long, default_value = "")]
    pub username: String,
    /// Chart repository password
    #[arg(long, default_value = "")]
    pub password: String,
    /// Verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long = "ca-file", default_value = "")]
    pub ca_file: String,
    /// Identify HTTPS client using this SSL certificate file
    #[arg(long = "cert-file", default_value = "")]
    pub cert_file: String,
    /// Identify HTTPS client using this SSL key file
    #[arg(long = "key-file", default_value = "")]
    pub key_file: String,
    /// Use development versions, too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored.
    #[arg(long)]
    pub devel: bool,
    /// Run helm dependency update before installing the chart
    #[arg(long = "dep-up")]
    pub dep_up: bool,
    /// Render subchart notes along with the parent
    #[arg(long = "render-subchart-notes")]
    pub render_subchart_notes: bool,
    /// Specify a description for the release
    #[arg(long, default_value = "")]
    pub description: String,
    /// Prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = parse_output_format)]
    pub output: OutputFormat,
}

/// `helm upgrade [RELEASE] [CHART]`.
#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// The release name and the chart
    #[arg(value_name = "RELEASE CHART")]
    pub args: Vec<String>,
    /// Values flags.
    #[command(flatten)]
    pub values: ValuesArgs,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Simulate an upgrade
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// Performs pods restart for the resource if applicable
    #[arg(long = "recreate-pods")]
    pub recreate_pods: bool,
    /// Force resource update through delete/recreate if needed
    #[arg(long)]
    pub force: bool,
    /// Disable pre/post upgrade hooks. DEPRECATED. Use no-hooks
    #[arg(long = "disable-hooks")]
    pub disable_hooks: bool,
    /// Disable pre/post upgrade hooks
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Verify the provenance of the chart before upgrading
    #[arg(long)]
    pub verify: bool,
    /// Path to the keyring that contains public signing keys
    #[arg(long, value_name = "PATH")]
    pub keyring: Option<String>,
    /// If a release by this name doesn't already exist, run an install
    #[arg(short = 'i', long)]
    pub install: bool,
    /// Namespace to install the release into (only used if --install is set). Defaults to the current kube config namespace
    #[arg(long, default_value = "")]
    pub namespace: String,
    /// Specify the exact chart version to use. If this is not specified, the latest version is used
    #[arg(long, default_value = "")]
    pub version: String,
    /// Time in seconds to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value_t = 300)]
    pub timeout: i64,
    /// When upgrading, reset the values to the ones built into the chart
    #[arg(long = "reset-values")]
    pub reset_values: bool,
    /// When upgrading, reuse the last release's values and merge in any overrides from the command line via --set and -f. If '--reset-values' is specified, this is ignored.
    #[arg(long = "reuse-values")]
    pub reuse_values: bool,
    /// If set, will wait until all Pods, PVCs, Services, and minimum number of Pods of a Deployment are in a ready state before marking the release as successful. It will wait for as long as --timeout
    #[arg(long)]
    pub wait: bool,
    /// If set, upgrade process rolls back changes made in case of failed upgrade, also sets --wait flag
    #[arg(long)]
    pub atomic: bool,
    /// Chart repository url where to locate the requested chart
    #[arg(long, default_value = "")]
    pub repo: String,
    /// Chart repository username
    #[arg(long, default_value = "")]
    pub username: String,
    /// Chart repository password
    #[arg(long, default_value = "")]
    pub password: String,
    /// Verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long = "ca-file", default_value = "")]
    pub ca_file: String,
    /// Identify HTTPS client using this SSL certificate file
    #[arg(long = "cert-file", default_value = "")]
    pub cert_file: String,
    /// Identify HTTPS client using this SSL key file
    #[arg(long = "key-file", default_value = "")]
    pub key_file: String,
    /// Use development versions, too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored.
    #[arg(long)]
    pub devel: bool,
    /// Render subchart notes along with parent
    #[arg(long = "render-subchart-notes")]
    pub render_subchart_notes: bool,
    /// Specify the description to use for the upgrade, rather than the default
    #[arg(long, default_value = "")]
    pub description: String,
    /// Allow deletion of new resources created in this upgrade when upgrade failed
    #[arg(long = "cleanup-on-fail")]
    pub cleanup_on_fail: bool,
    /// Prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = parse_output_format)]
    pub output: OutputFormat,
}

/// `helm rollback [RELEASE] [REVISION]`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The release name and the revision to roll back to
    #[arg(value_name = "RELEASE REVISION")]
    pub args: Vec<String>,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Simulate a rollback
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// Performs pods restart for the resource if applicable
    #[arg(long = "recreate-pods")]
    pub recreate_pods: bool,
    /// Force resource update through delete/recreate if needed
    #[arg(long)]
    pub force: bool,
    /// Prevent hooks from running during rollback
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Time in seconds to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value_t = 300)]
    pub timeout: i64,
    /// If set, will wait until all Pods, PVCs, Services, and minimum number of Pods of a Deployment are in a ready state before marking the release as successful. It will wait for as long as --timeout
    #[arg(long)]
    pub wait: bool,
    /// Specify a description for the release
    #[arg(long, default_value = "")]
    pub description: String,
    /// Allow deletion of new resources created in this rollback when rollback failed
    #[arg(long = "cleanup-on-fail")]
    pub cleanup_on_fail: bool,
}

/// `helm delete [RELEASE...]`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The releases to delete
    #[arg(value_name = "RELEASE_NAME")]
    pub names: Vec<String>,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Simulate a delete
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// Prevent hooks from running during deletion
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Remove the release from the store and make its name free for later use
    #[arg(long)]
    pub purge: bool,
    /// Time in seconds to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value_t = 300)]
    pub timeout: i64,
    /// Specify a description for the release
    #[arg(long, default_value = "")]
    pub description: String,
}

/// `helm list [FILTER]`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// A regular expression the release names must match
    #[arg(value_name = "FILTER")]
    pub filter: Vec<String>,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Output short (quiet) listing format
    #[arg(short = 'q', long)]
    pub short: bool,
    /// Sort by release date
    #[arg(short = 'd', long)]
    pub date: bool,
    /// Reverse the sort order
    #[arg(short = 'r', long)]
    pub reverse: bool,
    /// Maximum number of releases to fetch
    #[arg(short = 'm', long, default_value_t = 256)]
    pub max: i64,
    /// Next release name in the list, used to offset from start value
    #[arg(short = 'o', long, default_value = "")]
    pub offset: String,
    /// Show all releases, not just the ones marked DEPLOYED
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Show deleted releases
    #[arg(long)]
    pub deleted: bool,
    /// Show releases that are currently being deleted
    #[arg(long)]
    pub deleting: bool,
    /// Show deployed releases. If no other is specified, this will be automatically enabled
    #[arg(long)]
    pub deployed: bool,
    /// Show failed releases
    #[arg(long)]
    pub failed: bool,
    /// Show pending releases
    #[arg(long)]
    pub pending: bool,
    /// Show releases within a specific namespace
    #[arg(long, default_value = "")]
    pub namespace: String,
    /// Specifies the max column width of output
    #[arg(long = "col-width", default_value_t = 60)]
    pub col_width: usize,
    /// Output the specified format (json or yaml)
    #[arg(long, default_value = "")]
    pub output: String,
    /// Sort by chart name
    #[arg(short = 'c', long = "chart-name")]
    pub chart_name: bool,
}

/// `helm status RELEASE_NAME`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The release
    #[arg(value_name = "RELEASE_NAME")]
    pub names: Vec<String>,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// If set, display the status of the named release with revision
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub revision: i32,
    /// Prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = parse_output_format)]
    pub output: OutputFormat,
}

/// `helm history RELEASE_NAME`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The release
    #[arg(value_name = "RELEASE_NAME")]
    pub names: Vec<String>,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Maximum number of revisions to include in history
    #[arg(long, default_value_t = 256, allow_negative_numbers = true)]
    pub max: i32,
    /// Specifies the max column width of output
    #[arg(long = "col-width", default_value_t = 60)]
    pub col_width: usize,
    /// Prints the output in the specified format (json|table|yaml)
    #[arg(short = 'o', long, default_value = "table")]
    pub output: String,
}

/// `helm get [RELEASE_NAME]` and its subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GetArgs {
    /// A more specific part of the release.
    #[command(subcommand)]
    pub part: Option<GetPart>,
    /// The release
    #[arg(value_name = "RELEASE_NAME")]
    pub names: Vec<String>,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Get the named release with revision
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub revision: i32,
    /// Go template for formatting the output, eg: {{.Release.Name}}
    #[arg(long, default_value = "")]
    pub template: String,
}

/// `helm get values|manifest|hooks|notes`.
#[derive(Debug, Subcommand)]
pub enum GetPart {
    /// Download the values file for a named release
    Values(GetValuesArgs),
    /// Download the manifest for a named release
    Manifest(GetPartArgs),
    /// Download all hooks for a named release
    Hooks(GetPartArgs),
    /// Displays the notes of the named release
    Notes(GetPartArgs),
}

/// `helm get values RELEASE_NAME`.
#[derive(Debug, Args)]
pub struct GetValuesArgs {
    /// The release
    #[arg(value_name = "RELEASE_NAME")]
    pub names: Vec<String>,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Get the named release with revision
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub revision: i32,
    /// Dump all (computed) values
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Output the specified format (json or yaml)
    #[arg(long, default_value = "yaml")]
    pub output: String,
}

/// `helm get manifest|hooks|notes RELEASE_NAME`.
#[derive(Debug, Args)]
pub struct GetPartArgs {
    /// The release
    #[arg(value_name = "RELEASE_NAME")]
    pub names: Vec<String>,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Get the named release with revision
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub revision: i32,
}

/// `helm test RELEASE`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The release
    #[arg(value_name = "RELEASE")]
    pub names: Vec<String>,
    /// TLS flags.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Time in seconds to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value_t = 300)]
    pub timeout: i64,
    /// Delete test pods upon completion
    #[arg(long)]
    pub cleanup: bool,
    /// Run test pods in parallel
    #[arg(long)]
    pub parallel: bool,
    /// Maximum number of test pods to run in parallel
    #[arg(long, default_value_t = 20)]
    pub max: u32,
    /// Dump the logs from test pods (this runs after all tests are complete, but before any cleanup)
    #[arg(long)]
    pub logs: bool,
}
