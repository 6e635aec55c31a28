//! Which names may become part of a path, a file name or an MQTT topic level, in one place.
//!
//! Platform ids, serial numbers and record types end up in file paths and topics. The
//! configuration is checked with [`is_safe_id`] and [`is_safe_serial`] when it is loaded;
//! every writer checks each part again with [`safe_part`] at the point of use, because
//! serials and record types also come over the links, and nothing read from a link may
//! steer a path or a topic (BRIEF §6).

/// `s` if it is a safe file-name part or topic level (`[A-Za-z0-9_-]{1,64}`: no `/`, no
/// `.`, no wildcard), else `"invalid"`.
pub fn safe_part(s: &str) -> &str {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        s
    } else {
        "invalid"
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
        for bad in ["", "..", "a/b", "a+b", "#", "é", &"x".repeat(65)] {
            assert_eq!(safe_part(bad), "invalid", "{bad}");
        }
        assert!(is_safe_id("emso-ligure-ouest") && !is_safe_id("Upper"));
        assert!(is_safe_serial("SBE37-01") && !is_safe_serial(&"1".repeat(33)));
        assert_eq!(
            underscored("emso-ligure_x.MICROCAT"),
            "emso_ligure_x_MICROCAT"
        );
    }
}
