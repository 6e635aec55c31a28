//! Which names may become part of a path, a file name or an MQTT topic level, in one place.
//!
//! Platform ids, serial numbers and record types end up in file paths and topics. The
//! configuration is checked with [`is_safe_id`] and [`is_safe_serial`] when it is loaded;
//! every writer checks each part again with [`safe_part`] at the point of use, because
//! serials and record types also come over the links, and nothing read from a link may
//! steer a path or a topic (BRIEF §6). [`safe_part`] is not lossy: a name that is not safe
//! as it is gets an encoded name of its own, never a shared placeholder.

use std::borrow::Cow;

/// The prefix of every name [`safe_part`] had to encode. A name that starts with it is
/// itself encoded, so an encoded name can never be mistaken for a name kept as it is.
pub const ENCODED_PREFIX: &str = "unsafe-";

/// The name [`safe_part`] uses for a missing value (a record without a serial). A value
/// that *is* `unknown` is encoded, so a missing serial and a serial `unknown` stay apart.
pub const MISSING: &str = "unknown";

/// The longest input whose bytes [`safe_part`] writes out in hex (7 + 2 × 28 = 63 ≤ 64).
const MAX_HEX_BYTES: usize = 28;

/// Whether `s` is kept as it is by [`safe_part`]: `[A-Za-z0-9_-]{1,64}`, not starting with
/// [`ENCODED_PREFIX`] and not [`MISSING`].
pub fn is_kept_as_is(s: &str) -> bool {
    is_plain(s.as_bytes()) && !s.starts_with(ENCODED_PREFIX) && s != MISSING
}

/// Whether `s` can be a result of [`safe_part`] (`[A-Za-z0-9_-]{1,64}`): a name that is safe
/// as a file-name part and an MQTT topic level, whether it was kept or encoded.
pub fn is_part(s: &str) -> bool {
    is_plain(s.as_bytes())
}

fn is_plain(s: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
}

/// A safe file-name part and MQTT topic level for `s` (a platform id, record type or
/// serial number, whatever came over a link). Promises:
///
/// - the result is always `[A-Za-z0-9_-]{1,64}`: no `/`, `\`, `.`, `+`, `#`, `$`, NUL or
///   control character, never empty, `.` or `..`, so it can neither leave a directory nor add
///   a topic level or a wildcard;
/// - `s` itself when [`is_kept_as_is`] (so every configured id and every ordinary serial
///   is unchanged);
/// - otherwise [`ENCODED_PREFIX`] followed by the lowercase hex of the bytes of `s` when `s`
///   has at most 28 bytes (reversible: `../` → `unsafe-2e2e2f`), or by `h` and the first 128
///   bits of its SHA-256 in hex for a longer `s`;
/// - two different inputs give two different results (exactly for names kept as they are
///   and for hex-encoded ones, which cannot meet each other or a hashed one; up to a
///   SHA-256 collision between two long names), so different serials never share a file
///   or a topic.
pub fn safe_part(s: &str) -> Cow<'_, str> {
    safe_part_bytes(s.as_bytes())
}

/// [`safe_part`] for raw bytes (a name that is not UTF-8), with the same promises.
pub fn safe_part_bytes(s: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(s) {
        if is_kept_as_is(text) {
            return Cow::Borrowed(text);
        }
    }
    let mut out = String::from(ENCODED_PREFIX);
    if s.len() <= MAX_HEX_BYTES {
        push_hex(&mut out, s);
    } else {
        out.push('h');
        let digest = ring::digest::digest(&ring::digest::SHA256, s);
        push_hex(&mut out, &digest.as_ref()[..16]);
    }
    Cow::Owned(out)
}

/// [`safe_part`] of an optional value: [`MISSING`] for `None`.
pub fn safe_part_or_missing(s: Option<&str>) -> Cow<'_, str> {
    s.map_or(Cow::Borrowed(MISSING), safe_part)
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    use std::fmt::Write;
    for b in bytes {
        // writing into a String cannot fail
        let _ = write!(out, "{b:02x}");
    }
}

/// Whether `s` is a safe configured id (site, gateway, platform, link) for paths and MQTT
/// topics: `[a-z0-9_-]{1,64}`.
pub fn is_safe_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Whether `s` is a safe configured serial number: `[A-Za-z0-9_-]{1,32}` (it ends up in
/// file names).
pub fn is_safe_serial(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `s` with every character outside `[A-Za-z0-9_]` turned into `_` (an ERDDAP datasetID).
pub fn underscored(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_parts_are_replaced() {
        assert_eq!(safe_part("3725001"), "3725001");
        assert_eq!(safe_part("mii-1_a"), "mii-1_a");
        assert!(matches!(safe_part("3725001"), Cow::Borrowed(_)));
        assert_eq!(safe_part("../"), "unsafe-2e2e2f");
        assert_eq!(safe_part(""), "unsafe-");
        assert_eq!(safe_part("unknown"), "unsafe-756e6b6e6f776e");
        assert_eq!(safe_part_or_missing(None), "unknown");
        assert_eq!(safe_part_bytes(b"\xff\xfe"), "unsafe-fffe");
        for bad in ["", "..", "a/b", "a+b", "#", "é", &"x".repeat(65)] {
            assert!(!is_kept_as_is(bad), "{bad}");
            assert!(safe_part(bad).starts_with(ENCODED_PREFIX), "{bad}");
        }
        assert!(is_safe_id("emso-ligure-ouest") && !is_safe_id("Upper"));
        assert!(is_safe_serial("SBE37-01") && !is_safe_serial(&"1".repeat(33)));
        assert_eq!(
            underscored("emso-ligure_x.MICROCAT"),
            "emso_ligure_x_MICROCAT"
        );
    }

    /// Inputs that must never pass as they are, nor meet one another.
    fn hostile() -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = [
            "",
            ".",
            "..",
            "../",
            "../../etc/passwd",
            "/",
            "/etc",
            "a/b",
            "a\\b",
            "\\..\\",
            "+",
            "#",
            "a+b",
            "a#b",
            "$SYS",
            "a b",
            "a\0b",
            "\0",
            "a\nb",
            "\r",
            "\x1b[2J",
            "é",
            "unknown",
            "unsafe-",
            "unsafe-2e2e",
            "unsafe-h00",
            "invalid",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        v.push("x".repeat(65).into_bytes());
        v.push("x".repeat(10_000).into_bytes());
        v.push(b"\xff\xfe\x00".to_vec());
        v.push(b"a\xc3".to_vec());
        v
    }

    #[test]
    fn hostile_names_are_safe_and_stay_apart() {
        let mut seen = std::collections::BTreeMap::new();
        for h in hostile() {
            let out = safe_part_bytes(&h).into_owned();
            assert!(is_part(&out), "{h:?} -> {out}");
            assert!(
                out != "." && out != ".." && out.len() <= 64,
                "{h:?} -> {out}"
            );
            if let Ok(text) = std::str::from_utf8(&h) {
                assert_eq!(safe_part(text), out);
            }
            if let Some(other) = seen.insert(out.clone(), h.clone()) {
                panic!("{other:?} and {h:?} both became {out}");
            }
        }
        // a safe name and an encoded one never meet: the encoded prefix is itself encoded
        assert_eq!(safe_part("unsafe-2e2e"), "unsafe-756e736166652d32653265");
        assert!(safe_part(&"x".repeat(64)) == "x".repeat(64).as_str());
        assert!(safe_part(&"x".repeat(10_000)).starts_with("unsafe-h"));
    }

    proptest::proptest! {
        #[test]
        fn any_two_different_names_stay_apart(a in proptest::collection::vec(proptest::num::u8::ANY, 0..80),
                                             b in proptest::collection::vec(proptest::num::u8::ANY, 0..80)) {
            let (x, y) = (safe_part_bytes(&a), safe_part_bytes(&b));
            proptest::prop_assert!(is_part(&x) && is_part(&y));
            proptest::prop_assert_eq!(a == b, x == y);
        }

        #[test]
        fn near_names_stay_apart(s in "[A-Za-z0-9_./+#-]{0,70}", c in "[^A-Za-z0-9_-]") {
            let t = format!("{s}{c}");
            proptest::prop_assert_ne!(safe_part(&s), safe_part(&t));
            proptest::prop_assert!(is_part(&safe_part(&t)));
        }
    }
}
