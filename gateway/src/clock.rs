//! The wall clock: the only place the gateway reads the system time.
//!
//! Everything below the link tasks and the sinks is handed its time (the protocol and the
//! decoders never read a clock), so that replays and tests are deterministic; the few
//! places that need "now" (timestamps of live bytes, spool entries, the writer's receipt
//! time, MQTT metrics) call [`now`].

use protocol::time::UtcTime;
use std::time::{SystemTime, UNIX_EPOCH};

/// The current UTC time, to the millisecond. A system clock set before 1970 reads as the
/// Unix epoch.
pub fn now() -> UtcTime {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    UtcTime::from_unix_millis(ms)
}

/// A seed for non-cryptographic jitter: the nanoseconds of the current time, odd and never
/// 0 (so that two processes, or two links started in the same millisecond, differ).
pub fn jitter_seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0x9E37_79B9, |d| d.as_nanos() as u64)
        | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_time_after_2020_and_odd_seeds() {
        assert!(now() > UtcTime::from_unix_seconds(1_577_836_800));
        assert_eq!(jitter_seed() % 2, 1);
    }
}
