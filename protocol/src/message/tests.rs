use super::*;

fn batch() -> CtdBatch {
    let mut samples = heapless::Vec::new();
    samples
        .push(CtdSample {
            slot: 0,
            temperature: Some(132_345),
            conductivity: Some(389_123),
            pressure: Some(502_125),
            oxygen: Some(4_211),
        })
        .unwrap();
    samples
        .push(CtdSample {
            slot: 3,
            temperature: Some(-12),
            conductivity: Some(0),
            pressure: Some(-739),
            oxygen: None,
        })
        .unwrap();
    CtdBatch {
        time: 1_700_000_000,
        samples,
    }
}

#[test]
fn ctd_batch_round_trip() {
    let m = Message::CtdBatch(batch());
    let mut buf = [0u8; MAX_MESSAGE_LEN];
    let n = m.encode(&mut buf).unwrap();
    // 32 + 16 + 2 * 76 bits = 200 bits = 25 bytes
    assert_eq!(n, 25);
    assert_eq!(
        Message::decode(MessageType::CtdBatch, &buf[..n]).unwrap(),
        m
    );
}

#[test]
fn decode_errors_are_typed() {
    let m = Message::CtdBatch(batch());
    let mut buf = [0u8; 64];
    let n = m.encode(&mut buf).unwrap();
    assert_eq!(
        Message::decode(MessageType::CtdBatch, &buf[..n - 2]),
        Err(MessageError::Truncated {
            msg_type: MessageType::CtdBatch
        })
    );
    assert_eq!(
        Message::decode(MessageType::CtdBatch, &buf[..n + 1]),
        Err(MessageError::TrailingBytes {
            msg_type: MessageType::CtdBatch,
            extra: 1
        })
    );

    let sr = [0x31u8];
    assert_eq!(
        Message::decode(MessageType::StatusRequest, &sr),
        Err(MessageError::FieldOutOfRange { field: "payload" })
    );
    let ack = Message::Ack(Ack {
        target: 1,
        through_seq: 5,
    });
    let mut b = [0u8; 4];
    assert_eq!(ack.encode(&mut b), Ok(2));
}

#[test]
fn encode_rejects_out_of_range() {
    let mut b = batch();
    b.samples[0].temperature = Some(474_287);
    let mut buf = [0u8; 64];
    assert_eq!(
        Message::CtdBatch(b).encode(&mut buf),
        Err(MessageError::FieldOutOfRange {
            field: "temperature"
        })
    );
    let mut b = batch();
    b.samples.swap(0, 1);
    assert_eq!(
        Message::CtdBatch(b).encode(&mut buf),
        Err(MessageError::FieldOutOfRange {
            field: "slot order"
        })
    );
    let mut small = [0u8; 10];
    assert!(matches!(
        Message::CtdBatch(batch()).encode(&mut small),
        Err(MessageError::BufferTooSmall { .. })
    ));
}
