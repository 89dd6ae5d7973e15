//! Crypto (in progress).

pub(crate) fn register(_m: &mut crate::FuncMap) {}
