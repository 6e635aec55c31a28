//! Playing a capture (or a raw-archive day) back through a link's decoder.

use super::State;
use crate::pipeline::{LinkDecoder, Output};
use protocol::capture::{CaptureReader, Direction};
use protocol::time::UtcTime;
use std::path::Path;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{info, warn};

/// Feeds every `<` record of `data` (a capture) to `decoder` at its recorded time, running
/// the decoder's timers in between; returns what came out and the number of records read.
/// A malformed record ends the replay with an error after what came before it.
pub fn replay_capture(
    data: &[u8],
    decoder: &mut dyn LinkDecoder,
    out: &mut Output,
) -> Result<u64, protocol::capture::CaptureError> {
    let mut last = UtcTime(0);
    let n = feed_capture(data, decoder, out, &mut last)?;
    decoder.finish(last, out);
    Ok(n)
}

/// [`replay_capture`] without the final [`LinkDecoder::finish`], so that the next capture
/// (the link's next archive day) continues where this one ended, as the live link does
/// across midnight. `last` is the time of the last record fed (left as it was when there is
/// none); the records fed are counted in the result, or, on a malformed record, in `last`
/// only (what came before it has been fed).
pub fn feed_capture(
    data: &[u8],
    decoder: &mut dyn LinkDecoder,
    out: &mut Output,
    last: &mut UtcTime,
) -> Result<u64, protocol::capture::CaptureError> {
    let mut n = 0;
    for record in CaptureReader::new(data)? {
        let record = record?;
        let time = UtcTime(record.unix_ms);
        while let Some(deadline) = decoder.next_deadline().filter(|d| *d <= time) {
            decoder.handle_time(deadline, out);
            if decoder.next_deadline() == Some(deadline) {
                break;
            }
        }
        if record.direction == Direction::FromModem {
            decoder.feed(record.bytes, time, out);
            while decoder.poll_transmit().is_some() {}
        }
        *last = time;
        n += 1;
    }
    Ok(n)
}

/// The replay transport of a link task: plays the file, then ends.
pub(super) async fn run(
    st: &mut State,
    path: &Path,
    paced: bool,
    shutdown: &mut watch::Receiver<bool>,
) {
    let data = match tokio::fs::read(path).await {
        Ok(d) => d,
        Err(e) => {
            return warn!(link = %st.name, file = %path.display(), error = %e, "cannot read capture")
        }
    };
    let reader = match CaptureReader::new(&data) {
        Ok(r) => r,
        Err(e) => {
            return warn!(link = %st.name, file = %path.display(), error = %e, "not a capture")
        }
    };
    let mut previous: Option<i64> = None;
    let mut last = UtcTime(0);
    for record in reader {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                warn!(link = %st.name, file = %path.display(), error = %e, "capture damaged: replay stops here");
                break;
            }
        };
        if paced {
            if let Some(p) = previous {
                let wait = Duration::from_millis((record.unix_ms - p).max(0) as u64);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => return,
                }
            }
        }
        previous = Some(record.unix_ms);
        let time = UtcTime(record.unix_ms);
        if st.decoder.next_deadline().is_some_and(|d| d <= time) && !st.on_time(time).await {
            return;
        }
        if record.direction == Direction::FromModem && !st.on_bytes(record.bytes, time).await {
            return;
        }
        // a replay has nobody to send to
        while st.decoder.poll_transmit().is_some() {}
        last = time;
    }
    let mut out = Output::default();
    st.decoder.finish(last, &mut out);
    st.deliver(out).await;
    info!(link = %st.name, "replay finished: {}", st.decoder.summary());
}
