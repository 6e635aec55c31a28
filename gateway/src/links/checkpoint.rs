//! The link state checkpoint (`<data>/state/<link>.seq`), stored only once the sinks have
//! made durable every observation it covers.
//!
//! The decoder's state after a step covers every observation emitted up to that step. If the
//! file held that state while some of those observations were still in the channel towards
//! the sinks, a SIGKILL would lose them: on restart the decoder would resume *after* them and
//! never ask the line for them again. So each batch sent to the sinks carries a
//! [`oneshot`] sender that the sink task fires once every sink stored the batch, and the link
//! keeps the states it would save, each behind the acknowledgement of the last batch sent
//! before it, and stores the newest acknowledged one.
//!
//! The sink task stores a link's batches in the order it sent them, so an acknowledgement
//! implies every earlier batch is stored too. That keeps the queue bounded without ever
//! blocking the link: when [`MAX_PENDING`] states wait, a new one replaces the newest
//! waiting one (whose acknowledgement it then waits for instead).
//!
//! If the sink task drops a batch without acknowledging it (it panicked, or stopped), the
//! file is never moved again in this run: a restart re-decodes from the last safe state.

use crate::durable;
use crate::observation::Observation;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;
use tracing::warn;

/// States that may wait for an acknowledgement at once (one per batch in flight).
pub const MAX_PENDING: usize = 64;

/// Observations of one link on their way to the sinks.
#[derive(Debug)]
pub struct Batch {
    /// The observations, in order.
    pub observations: Vec<Observation>,
    /// Fired by the sink task once every sink stored the whole batch (never fired when a
    /// sink could not). `None` when the link keeps no checkpoint.
    pub stored: Option<oneshot::Sender<()>>,
}

impl Batch {
    /// Tells the link the batch is stored (by every sink).
    pub fn acknowledge(&mut self) {
        if let Some(tx) = self.stored.take() {
            // the link may have gone (or coalesced this acknowledgement away): nothing to do
            let _ = tx.send(());
        }
    }
}

struct Pending {
    stored: oneshot::Receiver<()>,
    state: String,
}

/// The checkpoint of one link: what the file holds, what may be written, what waits.
pub(super) struct Checkpoints {
    name: Arc<str>,
    path: Option<PathBuf>,
    /// What the file holds.
    saved: Option<String>,
    /// The newest state whose observations are all stored, when it differs from `saved`.
    ready: Option<String>,
    /// States waiting for a batch's acknowledgement, oldest first.
    pending: VecDeque<Pending>,
    /// A batch will never be acknowledged: the file stays where it is.
    broken: bool,
}

impl Checkpoints {
    /// `saved` is what `path` held at start.
    pub(super) fn new(name: Arc<str>, path: Option<PathBuf>, saved: Option<String>) -> Self {
        Checkpoints {
            name,
            path,
            saved,
            ready: None,
            pending: VecDeque::new(),
            broken: false,
        }
    }

    /// Whether this link keeps a checkpoint at all (live links).
    pub(super) fn enabled(&self) -> bool {
        self.path.is_some()
    }

    /// The decoder's state after a step; `stored` is the acknowledgement of the batch that
    /// step sent (`None` when it sent nothing).
    pub(super) fn note(&mut self, state: Option<String>, stored: Option<oneshot::Receiver<()>>) {
        let Some(state) = state.filter(|_| self.enabled() && !self.broken) else {
            return;
        };
        match stored {
            Some(stored) => {
                let entry = Pending { stored, state };
                let full = self.pending.len() >= MAX_PENDING;
                match self.pending.back_mut() {
                    // full: this acknowledgement implies the newest waiting one's
                    Some(back) if full => *back = entry,
                    _ => self.pending.push_back(entry),
                }
            }
            // no new observation: it waits for the same batches as the newest waiting state
            None => match self.pending.back_mut() {
                Some(back) => back.state = state,
                None => self.ready = Some(state),
            },
        }
    }

    /// Takes every acknowledgement that has arrived, without waiting.
    pub(super) fn collect(&mut self) {
        while let Some(front) = self.pending.front_mut() {
            match front.stored.try_recv() {
                Ok(()) => {
                    if let Some(p) = self.pending.pop_front() {
                        self.ready = Some(p.state);
                    }
                }
                Err(oneshot::error::TryRecvError::Empty) => break,
                Err(oneshot::error::TryRecvError::Closed) => {
                    self.give_up();
                    break;
                }
            }
        }
    }

    /// Waits for the oldest waiting acknowledgement (forever when none waits) and takes it.
    /// Cancel-safe: dropped before the acknowledgement, it changes nothing.
    pub(super) async fn next_stored(&mut self) {
        let Some(front) = self.pending.front_mut() else {
            return std::future::pending().await;
        };
        let acked = (&mut front.stored).await.is_ok();
        // the receiver completed: it must not be polled again
        let p = self.pending.pop_front();
        if acked {
            self.ready = p.map(|p| p.state);
        } else {
            self.give_up();
        }
    }

    #[cfg(test)]
    pub(super) fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Whether an acknowledgement is awaited.
    pub(super) fn waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    fn give_up(&mut self) {
        warn!(
            link = %self.name,
            "a batch was not stored by every sink: the link state stays at the last stored one (a restart decodes again from there)"
        );
        self.broken = true;
        self.pending.clear();
        self.ready = None;
    }

    /// Stores the newest acknowledged state if the file does not hold it yet
    /// ([`crate::durable::replace`]: never empty nor torn, durable on return); on failure
    /// it is tried again at the next call.
    pub(super) async fn save(&mut self) {
        let Some(path) = self.path.clone() else {
            return;
        };
        let Some(state) = self.ready.take() else {
            return;
        };
        if Some(&state) == self.saved.as_ref() {
            return;
        }
        let text = state.clone();
        let r = tokio::task::spawn_blocking(move || durable::replace(&path, text.as_bytes())).await;
        match r {
            Ok(Ok(())) => self.saved = Some(state),
            Ok(Err(e)) => {
                warn!(link = %self.name, error = %e, "cannot store the link state");
                self.ready = Some(state);
            }
            Err(e) => {
                warn!(link = %self.name, error = %e, "link state task failed");
                self.ready = Some(state);
            }
        }
    }

    /// At the end of the link: waits until the sinks stored (or dropped) every batch sent,
    /// then stores the newest safe state.
    pub(super) async fn finish(&mut self) {
        while self.waiting() {
            self.next_stored().await;
        }
        self.save().await;
    }
}
