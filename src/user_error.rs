//! The binary's plain user error, below both `cli` and `serve` so neither names the other for it.

/// A plain user error raised by the CLI itself (bad flag combination, resource limit).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);
