use super::*;

fn header(seq: u16) -> Header {
    Header {
        msg_type: MessageType::CtdBatch,
        ack_wanted: true,
        more_fragments: false,
        source: 3,
        fragment_index: 0,
        seq,
    }
}

#[test]
fn round_trip_and_layout() {
    let mut out = [0u8; 16];
    let n = encode_frame(&header(0x123), &[0xAA, 0xBB], &mut out).unwrap();
    assert_eq!(n, 8);
    // version 01, type 0001, ack 1, more 0 -> 0b01_0001_1_0 = 0x46; source 3, frag 0 -> 0x30;
    // seq 0x123, schema 1 -> 0x12 0x31.
    assert_eq!(&out[..4], &[0x46, 0x30, 0x12, 0x31]);
    let f = decode_frame(&out[..n]).unwrap();
    assert_eq!(f.header, header(0x123));
    assert_eq!(f.payload, &[0xAA, 0xBB]);
}

#[test]
fn rejects_each_error() {
    let mut out = [0u8; 16];
    let n = encode_frame(&header(1), &[], &mut out).unwrap();
    assert_eq!(
        decode_frame(&out[..5]),
        Err(FrameError::TooShort { len: 5 })
    );
    assert!(matches!(
        decode_frame(&[0u8; 1025]),
        Err(FrameError::TooLong { len: 1025 })
    ));
    let mut bad = out;
    bad[1] ^= 0x01;
    assert!(matches!(
        decode_frame(&bad[..n]),
        Err(FrameError::BadCrc { .. })
    ));
    // re-CRC a frame with version 2
    let mut v2 = out;
    v2[0] = (v2[0] & 0x3F) | 0x80;
    let crc = crc16(&v2[..4]);
    v2[4..6].copy_from_slice(&crc.to_be_bytes());
    assert_eq!(decode_frame(&v2[..6]), Err(FrameError::BadVersion(2)));
    let mut ty = out;
    ty[0] = (ty[0] & 0xC3) | (0xF << 2);
    let crc = crc16(&ty[..4]);
    ty[4..6].copy_from_slice(&crc.to_be_bytes());
    assert_eq!(decode_frame(&ty[..6]), Err(FrameError::UnknownType(15)));
    let mut sc = out;
    sc[3] = (sc[3] & 0xF0) | 0x7;
    let crc = crc16(&sc[..4]);
    sc[4..6].copy_from_slice(&crc.to_be_bytes());
    assert_eq!(
        decode_frame(&sc[..6]),
        Err(FrameError::SchemaMismatch { got: 7 })
    );
    let mut small = [0u8; 5];
    assert!(matches!(
        encode_frame(&header(1), &[], &mut small),
        Err(FrameError::BufferTooSmall { .. })
    ));
    assert!(matches!(
        encode_frame(&header(4096), &[], &mut out),
        Err(FrameError::FieldOutOfRange { field: "seq" })
    ));
}

#[test]
fn message_seq_wraps() {
    let mut h = header(1);
    h.fragment_index = 3;
    assert_eq!(h.message_seq(), 4094);
    assert_eq!(seq_add(4095, 2), 1);
}
