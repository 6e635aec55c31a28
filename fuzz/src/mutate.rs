//! The mutator: a small deterministic PRNG and the byte-level mutations applied to seeds.
//!
//! Promises: the same [`Rng`] state and corpus give the same sequence of inputs on every
//! machine (no clock, no OS randomness), and no input grows past [`MAX_INPUT`] bytes.

/// Largest input the mutator produces, in bytes.
pub const MAX_INPUT: usize = 8 * 1024;

/// SplitMix64: a tiny, well-distributed, seedable generator (enough for choosing mutations).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose whole output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability 1/`n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// Bytes that tend to sit on parser boundaries: separators, line ends, signs, the host
/// interface's escape, digits and the extremes of a byte.
const INTERESTING_BYTES: &[u8] = b"\r\n,:;+-.*#= \t0179AaFfZz\x00\x7f\x80\xff";

/// Multi-byte tokens the formats use, spliced in whole.
const TOKENS: &[&[u8]] = &[
    b"\r\n",
    b"+++AT",
    b"RECVIM,",
    b"RECV,",
    b"DELIVEREDIM,",
    b"SENDEND,",
    b"*END*",
    b"#Begin Data",
    b"99999999999999999999",
    b"-0.000e-99",
    b"NaN",
    b"inf",
    b"\xa5\x01",
    b"\xa5\x10",
    b"\xa5\x05",
    b"[",
    b"]",
    b"=\"",
    b"\"\n",
];

/// One mutated copy of `corpus[pick]`, with 1–4 stacked mutations (splices draw on the
/// whole corpus).
pub fn mutate(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut data = if corpus.is_empty() {
        Vec::new()
    } else {
        corpus[rng.below(corpus.len())].clone()
    };
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        mutate_once(rng, corpus, &mut data);
    }
    data.truncate(MAX_INPUT);
    data
}

fn mutate_once(rng: &mut Rng, corpus: &[Vec<u8>], data: &mut Vec<u8>) {
    let len = data.len();
    match rng.below(11) {
        // flip one bit
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        // overwrite a byte with a random or an interesting one
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = if rng.one_in(2) {
                rng.next_u64() as u8
            } else {
                INTERESTING_BYTES[rng.below(INTERESTING_BYTES.len())]
            };
        }
        // insert random bytes
        2 => {
            let at = rng.below(len + 1);
            let n = 1 + rng.below(16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            data.splice(at..at, bytes);
        }
        // delete a range
        3 if len > 0 => {
            let at = rng.below(len);
            let n = 1 + rng.below((len - at).min(64));
            data.drain(at..at + n);
        }
        // repeat a chunk in place
        4 if len > 0 => {
            let at = rng.below(len);
            let n = 1 + rng.below((len - at).min(256));
            let chunk = data[at..at + n].to_vec();
            let times = 1 + rng.below(8);
            for _ in 0..times {
                data.splice(at..at, chunk.iter().copied());
            }
        }
        // splice: a piece of another corpus entry replaces our tail or is inserted
        5 if !corpus.is_empty() => {
            let other = &corpus[rng.below(corpus.len())];
            if !other.is_empty() {
                let from = rng.below(other.len());
                let n = 1 + rng.below(other.len() - from);
                let piece = &other[from..from + n];
                let at = rng.below(len + 1);
                if rng.one_in(2) {
                    data.truncate(at);
                    data.extend_from_slice(piece);
                } else {
                    data.splice(at..at, piece.iter().copied());
                }
            }
        }
        // truncate
        6 if len > 0 => data.truncate(rng.below(len)),
        // insert a format token
        7 => {
            let at = rng.below(len + 1);
            let token = TOKENS[rng.below(TOKENS.len())];
            data.splice(at..at, token.iter().copied());
        }
        // swap two chunks
        8 if len > 1 => {
            let a = rng.below(len);
            let b = rng.below(len);
            let n = 1 + rng.below((len - a.max(b)).min(32));
            for k in 0..n {
                data.swap(a + k, b + k);
            }
        }
        // add or subtract a small number to an ASCII digit run or a byte
        9 if len > 0 => {
            let i = rng.below(len);
            let delta = rng.below(35) as u8;
            data[i] = if rng.one_in(2) {
                data[i].wrapping_add(delta)
            } else {
                data[i].wrapping_sub(delta)
            };
        }
        // overwrite a chunk with copies of one byte
        _ if len > 0 => {
            let at = rng.below(len);
            let n = 1 + rng.below((len - at).min(32));
            let b = INTERESTING_BYTES[rng.below(INTERESTING_BYTES.len())];
            data[at..at + n].fill(b);
        }
        _ => data.push(rng.next_u64() as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_inputs() {
        let corpus = vec![b"24.8339,  0.97795,   -9.262, 07 Jan 2000\r\n".to_vec()];
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..200)
                .map(|_| mutate(&mut rng, &corpus))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert!(run(7).iter().all(|i| i.len() <= MAX_INPUT));
    }
}
