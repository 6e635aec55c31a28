//! [`StreamParser`]: the push / poll / finish driver both host-interface parsers share.
//!
//! A parser is this driver plus a [`Grammar`] that says what the bytes at the front of the
//! buffer are: [`ModemToHost`](super::ModemToHost) (modem output, [`HostParser`](super::HostParser))
//! or [`HostToModem`](super::HostToModem) (host commands, [`CommandParser`](super::CommandParser)).
//! The driver owns everything else: the fixed buffer, the mode, skipping the tail of an
//! overlong line, the counters, and the rule that any split of the input gives the same events.

use core::marker::PhantomData;

use super::buffer::StreamBuf;
use super::error::HostParseError;
use super::scan::{scan, Eol, Scan};
use super::{Mode, DEFAULT_CAPACITY, MIN_CAPACITY};

/// The syntax of one direction of the host interface, for [`StreamParser`].
///
/// Implemented by [`ModemToHost`](super::ModemToHost) and [`HostToModem`](super::HostToModem)
/// only: its hidden items use types outside the public API, so no other crate can implement it.
pub trait Grammar {
    /// What the parser yields; borrows the parser's buffer.
    type Event<'a>;
    /// The counters [`StreamParser::stats`] returns.
    type Stats: From<Counts>;

    /// Where an overlong or rejected line may end early: a known message start.
    #[doc(hidden)]
    const RESYNC: &'static [&'static [u8]];
    /// How lines end.
    #[doc(hidden)]
    const EOL: Eol;
    /// A LF right after an item ending in CR completes that CR LF (and is dropped).
    #[doc(hidden)]
    const LF_AFTER_CR: bool;
    /// Garbage seen in data mode cancels a pending skip of an overlong command-mode line.
    #[doc(hidden)]
    const DATA_GARBAGE_ENDS_DISCARD: bool;

    /// What the bytes `b` at the front of the buffer are. `full`: `b` fills the whole buffer
    /// of `cap` bytes; `eof`: no more bytes will come.
    #[doc(hidden)]
    fn front<'a>(
        b: &'a [u8],
        mode: Mode,
        eof: bool,
        full: bool,
        cap: usize,
    ) -> Out<Self::Event<'a>>;
    /// The event for `bytes` skipped bytes.
    #[doc(hidden)]
    fn garbage<'a>(bytes: usize, error: HostParseError) -> Self::Event<'a>;
    /// What an event counts as.
    #[doc(hidden)]
    fn kind(event: &Self::Event<'_>) -> Kind;
}

/// What to do with the bytes at the front of the buffer.
pub enum Out<E> {
    /// Yield the event, which took this many bytes.
    Event(E, usize),
    /// Drop this many bytes silently (an empty line).
    Skip(usize),
    /// More bytes are needed.
    Wait,
}

/// What an event counts as in [`Counts`].
pub enum Kind {
    /// A message or command.
    Item,
    /// Raw data-mode bytes, this many.
    Raw(usize),
    /// This many bytes skipped, for this reason.
    Garbage(usize, HostParseError),
}

/// The driver's counters; each grammar's [`Grammar::Stats`] is made from them (internal:
/// outside this crate the type cannot be named).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Messages or commands yielded.
    pub items: u64,
    /// Raw data-mode bytes yielded.
    pub raw_bytes: u64,
    /// Bytes skipped as garbage.
    pub garbage_bytes: u64,
    /// Garbage events yielded.
    pub garbage_events: u64,
    /// Empty lines skipped silently.
    pub skipped: u64,
}

/// Sans-IO parser of one direction of the host interface, in the syntax of `G`.
///
/// Feed it byte chunks of any size with [`push`](Self::push) and drain events with
/// [`poll`](Self::poll) (or use [`feed`](Self::feed)); input split at any byte gives the same
/// events as one read. Bytes wait in a fixed `heapless::Vec` of `N` bytes (default
/// [`DEFAULT_CAPACITY`]); a line that would outgrow it is discarded and counted, so memory
/// never grows. Garbage is skipped, reported as an event and counted in
/// [`stats`](Self::stats); parsing resumes at the next line or recognisable message start.
#[derive(Debug, Clone)]
pub struct StreamParser<G: Grammar, const N: usize = DEFAULT_CAPACITY> {
    sb: StreamBuf<N>,
    mode: Mode,
    counts: Counts,
    /// The rest of an overlong command-mode line is still to be skipped.
    discard_line: bool,
    /// The last item ended in CR: a LF right after it completes its CR LF.
    pending_lf: bool,
    grammar: PhantomData<G>,
}

impl<G: Grammar, const N: usize> Default for StreamParser<G, N> {
    fn default() -> Self {
        Self::new(Mode::Command)
    }
}

impl<G: Grammar, const N: usize> StreamParser<G, N> {
    const CAPACITY_OK: () = assert!(N >= MIN_CAPACITY, "parser buffer too small");

    /// A parser starting in `mode` with an empty buffer.
    pub const fn new(mode: Mode) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::CAPACITY_OK;
        StreamParser {
            sb: StreamBuf::new(),
            mode,
            counts: Counts {
                items: 0,
                raw_bytes: 0,
                garbage_bytes: 0,
                garbage_events: 0,
                skipped: 0,
            },
            discard_line: false,
            pending_lf: false,
            grammar: PhantomData,
        }
    }

    /// How unframed bytes are interpreted from now on (e.g. after `ATO` was answered `OK`).
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Counters since creation.
    pub fn stats(&self) -> G::Stats {
        G::Stats::from(self.counts)
    }

    /// Bytes buffered and not yet turned into events.
    pub fn buffered(&self) -> usize {
        self.sb.pending()
    }

    /// Drops buffered bytes without reporting them (e.g. after the connection was reset).
    pub fn reset(&mut self) {
        self.sb.clear();
        self.discard_line = false;
        self.pending_lf = false;
    }

    /// Buffers as many bytes of `data` as fit and returns how many. Drain events with
    /// [`poll`](Self::poll) until it returns `None` before pushing the rest; a full buffer
    /// always yields an event, so this makes progress.
    pub fn push(&mut self, data: &[u8]) -> usize {
        self.sb.push(data)
    }

    /// The next event from the buffered bytes, or `None` if more bytes are needed.
    pub fn poll(&mut self) -> Option<G::Event<'_>> {
        self.next_event(false)
    }

    /// Like [`poll`](Self::poll) at the end of the stream: an incomplete message or command
    /// left in the buffer is reported as garbage ([`HostParseError::Truncated`]) and held-back
    /// data-mode bytes are released. Call until it returns `None`; the parser can then be
    /// reused.
    pub fn finish(&mut self) -> Option<G::Event<'_>> {
        self.next_event(true)
    }

    /// Pushes all of `data`, calling `on_event` for every event.
    pub fn feed<F: FnMut(G::Event<'_>)>(&mut self, data: &[u8], mut on_event: F) {
        let mut rest = data;
        loop {
            let n = self.push(rest);
            rest = rest.get(n..).unwrap_or(&[]);
            while let Some(ev) = self.poll() {
                on_event(ev);
            }
            if rest.is_empty() {
                break;
            }
        }
    }

    /// Ends the stream (see [`finish`](Self::finish)), calling `on_event` for every event.
    pub fn feed_end<F: FnMut(G::Event<'_>)>(&mut self, mut on_event: F) {
        while let Some(ev) = self.finish() {
            on_event(ev);
        }
    }

    fn next_event(&mut self, eof: bool) -> Option<G::Event<'_>> {
        self.sb.compact();
        let all: &[u8] = &self.sb.buf;
        let mut start = 0;
        loop {
            let b = all.get(start..).unwrap_or(&[]);
            // Full only if these bytes alone fill the buffer: bytes already handed out are
            // freed on the next push, so the decision never depends on read boundaries.
            let full = b.len() >= N;
            if self.pending_lf {
                match b.first() {
                    None if !eof => {
                        self.sb.consumed = start;
                        return None;
                    }
                    Some(b'\n') => {
                        self.pending_lf = false;
                        start += 1;
                        continue;
                    }
                    _ => self.pending_lf = false,
                }
            }
            let out = if self.mode == Mode::Command && self.discard_line {
                let (out, done) = discard_rest::<G>(b, eof, full);
                self.discard_line = !done;
                if done && matches!(out, Out::Skip(0)) {
                    continue;
                }
                out
            } else {
                let out = G::front(b, self.mode, eof, full, N);
                if let Out::Event(ev, _) = &out {
                    self.discard_line =
                        discard_after::<G>(G::kind(ev), self.mode, eof, self.discard_line);
                }
                out
            };
            match out {
                Out::Skip(n) => {
                    self.counts.skipped += 1;
                    start += n;
                }
                Out::Wait => {
                    self.sb.consumed = start;
                    return None;
                }
                Out::Event(ev, n) => {
                    match G::kind(&ev) {
                        Kind::Item => {
                            self.counts.items += 1;
                            self.pending_lf =
                                G::LF_AFTER_CR && b.get(n.wrapping_sub(1)) == Some(&b'\r');
                        }
                        Kind::Raw(len) => self.counts.raw_bytes += len as u64,
                        Kind::Garbage(bytes, _) => {
                            self.counts.garbage_bytes += bytes as u64;
                            self.counts.garbage_events += 1;
                        }
                    }
                    self.sb.consumed = start + n;
                    return Some(ev);
                }
            }
        }
    }
}

/// Whether the tail of a line is still to be skipped after `kind` from the grammar: garbage
/// for an overlong command-mode line means its tail is garbage too.
fn discard_after<G: Grammar>(kind: Kind, mode: Mode, eof: bool, discard: bool) -> bool {
    match kind {
        Kind::Garbage(_, error) if mode == Mode::Command => {
            error == HostParseError::Overlong && !eof
        }
        Kind::Garbage(..) if G::DATA_GARBAGE_ENDS_DISCARD => false,
        _ => discard,
    }
}

/// A garbage event of `n` bytes.
pub(crate) fn garbage<'a, G: Grammar>(n: usize, error: HostParseError) -> Out<G::Event<'a>> {
    Out::Event(G::garbage(n, error), n)
}

/// More bytes are needed: wait, unless the stream ended or the buffer is full.
pub(crate) fn wait_or_flush<'a, G: Grammar>(b: &[u8], eof: bool, full: bool) -> Out<G::Event<'a>> {
    if eof {
        garbage::<G>(b.len(), HostParseError::Truncated)
    } else if full {
        garbage::<G>(b.len(), HostParseError::Overlong)
    } else {
        Out::Wait
    }
}

/// A message at the front of `b` was rejected: skips to the next line end or the next of
/// `keywords` found from index `kw_from`.
pub(crate) fn skip_line<'a, G: Grammar>(
    b: &[u8],
    kw_from: usize,
    keywords: &[&[u8]],
    error: HostParseError,
    eof: bool,
    full: bool,
) -> Out<G::Event<'a>> {
    match scan(b, kw_from, keywords, G::EOL) {
        Some(Scan::LineEnd(i, l)) => garbage::<G>(i + l, error),
        Some(Scan::Keyword(i)) => garbage::<G>(i, error),
        None if eof => garbage::<G>(b.len(), error),
        None if full => garbage::<G>(b.len(), HostParseError::Overlong),
        None => Out::Wait,
    }
}

/// Skips the tail of an overlong line, up to its line end or the next message start.
/// Returns whether the tail is fully skipped (`Skip(0)`: a message starts right here).
fn discard_rest<'a, G: Grammar>(b: &[u8], eof: bool, full: bool) -> (Out<G::Event<'a>>, bool) {
    let overlong = |n| garbage::<G>(n, HostParseError::Overlong);
    match scan(b, 0, G::RESYNC, G::EOL) {
        None if b.is_empty() => (Out::Wait, eof),
        Some(Scan::Keyword(0)) => (Out::Skip(0), true),
        Some(Scan::LineEnd(i, l)) => (overlong(i + l), true),
        Some(Scan::Keyword(i)) => (overlong(i), true),
        None if eof || full => (overlong(b.len()), eof),
        None => (Out::Wait, false),
    }
}
