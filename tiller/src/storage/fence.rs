//! The fencing hook: a check the [`Storage`](super::Storage) facade runs right
//! before every write, and a chance to stamp metadata on every written record.
//!
//! A lease alone does not stop a paused or partitioned ex-leader from
//! writing; the HA layer implements [`Fence`] on top of its lease (checking
//! that the lease is still held and renewed recently enough) and stamps its
//! epoch and holder on each record through [`Fence::stamp`]. The drivers know
//! nothing about it, so plugging in the lease changes no driver code.
//! Single-replica use takes [`NoFence`].

use std::fmt;

use super::record::RecordMeta;

/// Why a write was refused by the fence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("write refused: {reason}")]
pub struct Fenced {
    reason: String,
}

impl Fenced {
    /// A refusal with a reason (for example "lease lost to tiller-1 at term 7").
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }

    /// The reason given.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Decides whether this process may write release records right now.
pub trait Fence: Send + Sync + fmt::Debug {
    /// Called immediately before each write (create, update, delete,
    /// including history pruning); an error aborts that write.
    fn check(&self) -> Result<(), Fenced>;

    /// Adds metadata (for example a `tiller.sh/term` annotation) to a record
    /// about to be written. The default adds nothing.
    fn stamp(&self, meta: &mut RecordMeta) {
        let _ = meta;
    }
}

/// The fence of a single replica: every write is allowed, nothing is stamped.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFence;

impl Fence for NoFence {
    fn check(&self) -> Result<(), Fenced> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_fence_allows_and_stamps_nothing() {
        assert_eq!(NoFence.check(), Ok(()));
        let mut meta = RecordMeta::default();
        NoFence.stamp(&mut meta);
        assert!(meta.labels.is_empty() && meta.annotations.is_empty());
    }

    #[test]
    fn fenced_error_text() {
        let f = Fenced::new("lease lost");
        assert_eq!(f.reason(), "lease lost");
        assert_eq!(f.to_string(), "write refused: lease lost");
    }
}
