//! The error type of Tiller's release operations and its mapping to gRPC.
//!
//! Helm v2's Tiller returns plain Go errors, which gRPC sends with status
//! code Unknown and the error text as message; clients print the message and
//! match on some texts, so every variant's text is the message the client
//! sees.

use tonic::Status;

use crate::cluster::ClusterError;
use crate::names::NameError;
use crate::storage::StorageError;

/// A failed release operation.
#[derive(Debug, thiserror::Error)]
pub enum TillerError {
    /// A bad release name.
    #[error(transparent)]
    Name(#[from] NameError),
    /// Storage failed or refused.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Kubernetes failed or refused.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// The chart in the request is unusable.
    #[error(transparent)]
    Chart(#[from] chart::proto::ProtoError),
    /// Any other failure, worded as Helm words it.
    #[error("{0}")]
    Message(String),
}

impl TillerError {
    /// An error with a fixed text.
    pub fn msg(text: impl Into<String>) -> Self {
        TillerError::Message(text.into())
    }
}

impl From<TillerError> for Status {
    fn from(e: TillerError) -> Self {
        Status::unknown(e.to_string())
    }
}
