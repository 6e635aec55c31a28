//! Where observations go. Each sink is plain blocking code (files, sockets) that the
//! service runs off the async runtime; a sink error is logged and retried, never fatal to
//! the links.

pub mod files;
pub mod jsonl;
pub mod mqtt;
pub mod record_file;

use crate::observation::Observation;

/// A destination for observations.
pub trait Sink: Send {
    /// Short name for logs.
    fn name(&self) -> &str;
    /// Stores a batch; returns once it is durable (or fails).
    fn write(&mut self, batch: &[Observation]) -> std::io::Result<()>;
}
