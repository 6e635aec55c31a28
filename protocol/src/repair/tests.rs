extern crate std;
use super::*;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::vec;
use std::vec::Vec;

const MIN: i64 = 60_000;

fn t(ms: i64) -> UtcTime {
    UtcTime(1_700_000_000_000 + ms)
}

fn seqs(r: &RepeatRequest) -> Vec<u16> {
    r.seqs().collect()
}

#[test]
fn gap_is_asked_after_grace_and_cleared_on_arrival() {
    let mut r = Repair::new(RepairConfig::default());
    for s in [10, 11, 14, 15] {
        r.on_frame(1, s, t(0));
    }
    assert_eq!(r.missing(1), 2);
    assert_eq!(r.poll_request(t(9 * MIN)), None, "grace period");
    let req = r.poll_request(t(10 * MIN)).unwrap();
    assert_eq!((req.target, seqs(&req)), (1, vec![12, 13]));
    assert_eq!(
        r.poll_request(t(11 * MIN)),
        None,
        "not asked again before retry_ms"
    );
    r.on_frame(1, 12, t(12 * MIN));
    assert_eq!(r.missing(1), 1);
    let req = r.poll_request(t(41 * MIN)).unwrap();
    assert_eq!(seqs(&req), vec![13]);
    r.on_frame(1, 13, t(42 * MIN));
    assert_eq!(r.missing(1), 0);
    assert_eq!(r.stats().recovered, 2);
    assert_eq!(r.next_deadline(), None);
}

#[test]
fn wrap_and_pacing_and_ranges() {
    let cfg = RepairConfig {
        grace_ms: 0,
        max_frames_per_request: 300,
        ..Default::default()
    };
    let mut r = Repair::new(cfg);
    r.on_frame(2, 4090, t(0));
    r.on_frame(2, 300, t(0)); // 305 missing: 4091..4095, 0..299
    let req = r.poll_request(t(0)).unwrap();
    assert_eq!(req.ranges.len(), 2);
    assert_eq!(
        req.ranges[0],
        RepeatRange {
            start: 4091,
            len: 255
        }
    );
    assert_eq!(
        req.ranges[1],
        RepeatRange {
            start: (4091 + 255) % 4096,
            len: 45
        }
    );
    assert_eq!(r.poll_request(t(MIN - 1)), None, "min interval");
    let req = r.poll_request(t(MIN)).unwrap();
    assert_eq!(seqs(&req).len(), 5, "the rest of the run");
}

#[test]
fn frames_older_than_the_ring_are_given_up() {
    let cfg = RepairConfig {
        grace_ms: 0,
        ..Default::default()
    };
    let mut r = Repair::new(cfg);
    r.on_frame(1, 100, t(0));
    r.on_frame(1, 200, t(0)); // 101..199 missing
    assert_eq!(r.on_ring_oldest(1, 150), 49); // 101..149 gone
    assert_eq!(r.missing(1), 50);
    let req = r.poll_request(t(0)).unwrap();
    assert_eq!(seqs(&req).first(), Some(&150));
    assert_eq!(r.stats().lost, 49);
}

#[test]
fn no_requests_while_link_down_and_backoff_on_failure() {
    let cfg = RepairConfig {
        grace_ms: 0,
        link_timeout_ms: 10 * MIN,
        ..Default::default()
    };
    let mut r = Repair::new(cfg);
    r.on_frame(1, 1, t(0));
    r.on_frame(1, 5, t(0));
    assert!(r.poll_request(t(0)).is_some());
    r.on_request_outcome(false, t(0));
    r.on_request_outcome(false, t(0));
    assert_eq!(r.poll_request(t(MIN)), None, "backing off");
    assert_eq!(
        r.poll_request(t(60 * MIN)),
        None,
        "link down: nothing heard for an hour"
    );
    r.on_frame(1, 6, t(60 * MIN)); // link back
    assert!(
        r.poll_request(t(60 * MIN)).is_some(),
        "asks at once when the link returns"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Whatever arrives, in whatever order, the planner's missing set is the numbers
    /// between the first and the highest that have not arrived (exactly, while no runs had
    /// to merge), and answering every request recovers them all.
    #[test]
    fn missing_set_is_exact(start in 0u16..4096, arrivals in proptest::collection::vec(0u16..1500, 1..400)) {
        let cfg = RepairConfig { grace_ms: 0, min_interval_ms: 0, retry_ms: 0, max_frames_per_request: 2000, ..Default::default() };
        let mut r = Repair::new(cfg);
        let mut got = BTreeSet::new();
        r.on_frame(3, start, t(0));
        got.insert(0u16);
        for a in &arrivals {
            r.on_frame(3, (start + a) % 4096, t(0));
            got.insert(*a);
        }
        let high = *got.iter().max().unwrap();
        let expected: usize = (0..=high).filter(|k| !got.contains(k)).count();
        if arrivals.len() < MAX_GAPS {
            // at most one new run per arrival: no merging, so the set is exact
            prop_assert_eq!(r.missing(3), expected);
        } else {
            // merged runs may name frames already held (asked again, harmlessly)
            prop_assert!(r.missing(3) >= expected);
        }
        // answer every request: everything comes back
        for _ in 0..200 {
            let Some(req) = r.poll_request(t(0)) else { break };
            for s in req.seqs() { r.on_frame(3, s, t(0)); }
        }
        prop_assert_eq!(r.missing(3), 0);
    }
}

#[test]
fn a_frame_after_failures_ends_the_backoff() {
    let cfg = RepairConfig {
        grace_ms: 0,
        retry_ms: 0,
        ..Default::default()
    };
    let mut r = Repair::new(cfg);
    r.on_frame(1, 1, t(0));
    r.on_frame(1, 5, t(0));
    assert!(r.poll_request(t(0)).is_some());
    for _ in 0..8 {
        r.on_request_outcome(false, t(0));
    }
    assert_eq!(r.poll_request(t(10 * MIN)), None, "backing off for hours");
    r.on_frame(1, 6, t(10 * MIN)); // the channel carries frames again
    assert_eq!(
        r.poll_request(t(10 * MIN)),
        None,
        "still paced by the minimum interval"
    );
    assert!(r.poll_request(t(11 * MIN)).is_some());
}
