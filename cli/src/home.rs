//! `$HELM_HOME`: `--home`, else `$HELM_HOME` (clap reads it), else `~/.helm`.

use std::path::{Path, PathBuf};

/// The Helm home directory.
pub fn helm_home(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit.filter(|p| !p.as_os_str().is_empty()) {
        return p.to_path_buf();
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".helm")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_wins() {
        assert_eq!(helm_home(Some(Path::new("/x"))), PathBuf::from("/x"));
        assert!(helm_home(None).ends_with(".helm"));
    }
}
