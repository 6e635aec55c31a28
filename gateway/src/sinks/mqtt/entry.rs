//! One spooled record on disk: its byte layout, encoding and checked decoding.
//!
//! ```text
//! magic   u16 LE  0xB5A1
//! len     u32 LE  length of the body
//! crc     u32 LE  CRC-32 (IEEE) of the body
//! body:   id u64 LE | appended_ms u64 LE | record_ms i64 LE (i64::MIN: none)
//!         | topic_len u16 LE | topic (UTF-8) | payload (the record's JSON)
//! ```
//!
//! Decoding never panics: a short read, a wrong magic, an absurd length, a CRC mismatch or
//! a topic that is not UTF-8 all come back as "no valid entry here" ([`Decoded::Invalid`]),
//! which ends a segment (a crash can only leave a torn tail).

use std::io::{self, Read};

const MAGIC: u16 = 0xB5A1;
/// Header bytes before the body.
pub const HEADER: usize = 10;
const FIXED_BODY: usize = 8 + 8 + 8 + 2;
/// Largest body accepted (a record is a few kB; anything bigger is garbage).
pub const MAX_BODY: usize = 16 << 20;

/// A record read back from the spool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Spool id: consecutive, assigned at append.
    pub id: u64,
    /// When it was appended (ms since the Unix epoch), for the "oldest unacked" metric.
    pub appended_ms: u64,
    /// The record's own time (ms since the Unix epoch), if it has one.
    pub record_ms: Option<i64>,
    /// The MQTT topic it goes to.
    pub topic: String,
    /// The payload (the record's JSON).
    pub payload: Vec<u8>,
}

/// A record to append (the spool assigns id and append time).
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    /// The MQTT topic.
    pub topic: &'a str,
    /// The payload.
    pub payload: &'a [u8],
    /// The record's time (ms since the Unix epoch), if any.
    pub record_ms: Option<i64>,
}

/// Outcome of reading one entry.
#[derive(Debug)]
pub enum Decoded {
    /// A whole, checked entry, and its size on disk.
    Entry(Entry, u64),
    /// Clean end of file.
    End,
    /// A torn or corrupt entry: nothing after it in this file is trusted.
    Invalid(&'static str),
}

const fn crc_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static CRC_TABLE: [u32; 256] = crc_table();

/// CRC-32 (IEEE 802.3, as zlib) of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    c ^ 0xFFFF_FFFF
}

/// Appends the encoded entry to `out`; `None` if the topic or payload is too long to store.
pub fn encode(id: u64, appended_ms: u64, e: &NewEntry<'_>, out: &mut Vec<u8>) -> Option<()> {
    let topic_len = u16::try_from(e.topic.len()).ok()?;
    let body_len = FIXED_BODY + e.topic.len() + e.payload.len();
    if body_len > MAX_BODY {
        return None;
    }
    let start = out.len();
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&(body_len as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let body_start = out.len();
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&appended_ms.to_le_bytes());
    out.extend_from_slice(&e.record_ms.unwrap_or(i64::MIN).to_le_bytes());
    out.extend_from_slice(&topic_len.to_le_bytes());
    out.extend_from_slice(e.topic.as_bytes());
    out.extend_from_slice(e.payload);
    let crc = crc32(&out[body_start..]);
    out[start + 6..start + 10].copy_from_slice(&crc.to_le_bytes());
    Some(())
}

/// Reads as many bytes as possible into `buf`; the count read (short only at end of file).
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(at..at + 8) {
        a.copy_from_slice(s);
    }
    u64::from_le_bytes(a)
}

/// Reads the next entry from `r`. I/O errors are returned; everything else is a
/// [`Decoded`] value.
pub fn decode(r: &mut impl Read) -> io::Result<Decoded> {
    let mut head = [0u8; HEADER];
    let n = read_full(r, &mut head)?;
    if n == 0 {
        return Ok(Decoded::End);
    }
    if n < HEADER {
        return Ok(Decoded::Invalid("truncated header"));
    }
    if u16::from_le_bytes([head[0], head[1]]) != MAGIC {
        return Ok(Decoded::Invalid("bad magic"));
    }
    let len = u32::from_le_bytes([head[2], head[3], head[4], head[5]]) as usize;
    let crc = u32::from_le_bytes([head[6], head[7], head[8], head[9]]);
    if !(FIXED_BODY..=MAX_BODY).contains(&len) {
        return Ok(Decoded::Invalid("bad length"));
    }
    let mut body = vec![0u8; len];
    if read_full(r, &mut body)? < len {
        return Ok(Decoded::Invalid("truncated body"));
    }
    if crc32(&body) != crc {
        return Ok(Decoded::Invalid("bad checksum"));
    }
    let id = le_u64(&body, 0);
    let appended_ms = le_u64(&body, 8);
    let record_ms = le_u64(&body, 16) as i64;
    let topic_len = body
        .get(24..26)
        .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    let Some(topic) = body.get(FIXED_BODY..FIXED_BODY + topic_len) else {
        return Ok(Decoded::Invalid("bad topic length"));
    };
    let Ok(topic) = std::str::from_utf8(topic) else {
        return Ok(Decoded::Invalid("topic not UTF-8"));
    };
    let topic = topic.to_owned();
    let payload = body.split_off(FIXED_BODY + topic_len);
    Ok(Decoded::Entry(
        Entry {
            id,
            appended_ms,
            record_ms: (record_ms != i64::MIN).then_some(record_ms),
            topic,
            payload,
        },
        (HEADER + len) as u64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn round_trip() {
        let mut buf = Vec::new();
        let e = NewEntry {
            topic: "emso/s/p/sbe37/1/data",
            payload: b"{\"type\":\"sbe37\"}",
            record_ms: Some(-5),
        };
        encode(7, 99, &e, &mut buf).unwrap();
        let mut r = &buf[..];
        match decode(&mut r).unwrap() {
            Decoded::Entry(got, size) => {
                assert_eq!(size as usize, buf.len());
                assert_eq!(got.id, 7);
                assert_eq!(got.appended_ms, 99);
                assert_eq!(got.record_ms, Some(-5));
                assert_eq!(got.topic, e.topic);
                assert_eq!(got.payload, e.payload);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(decode(&mut r).unwrap(), Decoded::End));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut r = &bytes[..];
            for _ in 0..10 {
                match decode(&mut r) {
                    Ok(Decoded::Entry(..)) => {}
                    _ => break,
                }
            }
        }
    }
}
