//! The fixed-capacity input buffer shared by both stream parsers.

use heapless::Vec;

/// Bytes received but not yet turned into events, in a fixed `heapless::Vec`.
///
/// Events borrow from the buffer; the bytes of the last event are dropped lazily (on the next
/// `push` or poll), which is what lets events borrow without copying.
#[derive(Debug, Clone)]
pub(crate) struct StreamBuf<const N: usize> {
    /// The bytes; read directly so an event can borrow them while `consumed` is updated.
    pub(crate) buf: Vec<u8, N>,
    /// Bytes at the front already handed out in an event.
    pub(crate) consumed: usize,
}

impl<const N: usize> StreamBuf<N> {
    pub(crate) const fn new() -> Self {
        StreamBuf {
            buf: Vec::new(),
            consumed: 0,
        }
    }

    /// Drops the bytes handed out in the previous event.
    pub(crate) fn compact(&mut self) {
        let c = self.consumed.min(self.buf.len());
        if c > 0 {
            let len = self.buf.len();
            self.buf.copy_within(c..len, 0);
            self.buf.truncate(len - c);
        }
        self.consumed = 0;
    }

    /// Appends as many bytes of `data` as fit; returns how many.
    pub(crate) fn push(&mut self, data: &[u8]) -> usize {
        self.compact();
        let n = (N - self.buf.len()).min(data.len());
        let part = data.get(..n).unwrap_or(&[]);
        match self.buf.extend_from_slice(part) {
            Ok(()) => n,
            // `n` is at most the free capacity, so this cannot fail.
            Err(_) => 0,
        }
    }

    /// Number of bytes waiting (excluding those already handed out).
    pub(crate) fn pending(&self) -> usize {
        self.buf.len() - self.consumed.min(self.buf.len())
    }

    /// Forgets everything.
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.consumed = 0;
    }
}
