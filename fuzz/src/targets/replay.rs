//! `albatross replay`: a capture through the gateway's live decoders and enrichment
//! (`gateway::offline_replay::replay`), as each kind of link.

use gateway::config::Carries;
use gateway::offline_replay::replay as replay_capture;

/// What the capture's bytes are taken to be, by the input's length (so every kind of link
/// sees mutated captures).
const KINDS: [Carries; 5] = [
    Carries::Modem,
    Carries::Sbe37Ascii,
    Carries::Nortek,
    Carries::Optode,
    Carries::Cstar,
];

/// Replays the input as a capture: an error or records, never a panic.
pub fn replay(data: &[u8]) {
    let carries = KINDS[data.len() % KINDS.len()];
    let _ = replay_capture(data, None, carries, None);
}
