//! A small deterministic generator for the tests (xorshift64*): the same kill moments and
//! the same floods on every run.

/// xorshift64* state (never 0).
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (> 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// `n` random bytes appended to `out`.
    pub fn bytes(&mut self, n: usize, out: &mut Vec<u8>) {
        out.extend((0..n).map(|_| self.next() as u8));
    }
}
