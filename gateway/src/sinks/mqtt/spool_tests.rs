use super::*;
use proptest::prelude::*;
use std::fs::OpenOptions;
use std::io::Write;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("albatross-spool-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    d
}

fn put(s: &mut Spool, n: usize, tag: &str) {
    let payloads: Vec<String> = (0..n).map(|i| format!("{{\"n\":\"{tag}{i}\"}}")).collect();
    let entries: Vec<NewEntry<'_>> = payloads
        .iter()
        .map(|p| NewEntry {
            topic: "emso/site/p/sbe37/1/data",
            payload: p.as_bytes(),
            record_ms: Some(1),
        })
        .collect();
    s.append(&entries).unwrap();
}

fn ids(s: &mut Spool) -> Vec<u64> {
    s.read(0, usize::MAX)
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect()
}

fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "spool"))
        .collect();
    v.sort();
    v
}

#[test]
fn append_read_ack_in_windows() {
    let dir = temp("basic");
    let (mut s, rec) = Spool::open(&dir).unwrap();
    assert_eq!(rec, Recovery::default());
    put(&mut s, 10, "a");
    assert_eq!(s.depth(), 10);
    let w = s.read(0, 4).unwrap();
    assert_eq!(w.iter().map(|e| e.id).collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert_eq!(w[2].payload, b"{\"n\":\"a2\"}");
    let w = s.read(4, 4).unwrap();
    assert_eq!(w.iter().map(|e| e.id).collect::<Vec<_>>(), [4, 5, 6, 7]);
    // out-of-order acks: the watermark waits for the gap
    s.ack(1).unwrap();
    s.ack(2).unwrap();
    assert_eq!(s.watermark(), 0);
    assert_eq!(ids(&mut s), [0, 3, 4, 5, 6, 7, 8, 9]);
    s.ack(0).unwrap();
    assert_eq!(s.watermark(), 3);
    s.ack(0).unwrap(); // repeated: ignored
    s.ack(99).unwrap(); // unknown: ignored
    assert_eq!(s.depth(), 7);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reopen_resends_exactly_the_unacked_and_compacts() {
    let dir = temp("reopen");
    {
        let (mut s, _) = Spool::open_with_limit(&dir, 200).unwrap();
        for k in 0..5 {
            put(&mut s, 4, &k.to_string());
        }
        assert!(segment_files(&dir).len() >= 3, "rotated");
        for id in 0..9 {
            s.ack(id).unwrap();
        }
        s.persist().unwrap();
        // no clean close: the process may die here
    }
    let (mut s, rec) = Spool::open_with_limit(&dir, 200).unwrap();
    assert_eq!(rec.unacked, 11);
    assert_eq!(ids(&mut s), (9..20).collect::<Vec<_>>());
    put(&mut s, 2, "x");
    assert_eq!(ids(&mut s), (9..22).collect::<Vec<_>>());
    for id in 9..22 {
        s.ack(id).unwrap();
    }
    assert_eq!(s.depth(), 0);
    // every segment but the active one is gone
    assert_eq!(segment_files(&dir).len(), 1);
    drop(s);
    let (mut s, rec) = Spool::open(&dir).unwrap();
    assert_eq!(rec.unacked, 0);
    assert!(ids(&mut s).is_empty());
    put(&mut s, 1, "y");
    assert_eq!(ids(&mut s), [22]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_torn_tail_is_ignored_and_later_appends_survive() {
    let dir = temp("torn");
    {
        let (mut s, _) = Spool::open(&dir).unwrap();
        put(&mut s, 5, "a");
    }
    let seg = segment_files(&dir).remove(0);
    let len = fs::metadata(&seg).unwrap().len();
    // a crash in the middle of writing the next batch: half an entry
    let mut f = OpenOptions::new().append(true).open(&seg).unwrap();
    let mut more = Vec::new();
    let e = NewEntry {
        topic: "t",
        payload: b"lost",
        record_ms: None,
    };
    crate::sinks::mqtt::entry::encode(5, 0, &e, &mut more).unwrap();
    f.write_all(&more[..more.len() / 2]).unwrap();
    drop(f);
    let (mut s, rec) = Spool::open(&dir).unwrap();
    assert_eq!(rec.torn, 1);
    assert_eq!(rec.unacked, 5);
    put(&mut s, 2, "b");
    let got = s.read(0, 100).unwrap();
    assert_eq!(
        got.iter().map(|e| e.id).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5, 6]
    );
    assert_eq!(got[5].payload, b"{\"n\":\"b0\"}");
    assert!(fs::metadata(&seg).unwrap().len() > len);
    drop(s);
    let (mut s, rec) = Spool::open(&dir).unwrap();
    assert_eq!(rec.unacked, 7);
    assert_eq!(ids(&mut s).len(), 7);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_garbage_watermark_file_only_causes_resends() {
    let dir = temp("badwm");
    {
        let (mut s, _) = Spool::open(&dir).unwrap();
        put(&mut s, 3, "a");
        s.ack(0).unwrap();
        s.persist().unwrap();
    }
    fs::write(dir.join("acked"), b"\xff\xfe garbage").unwrap();
    let (mut s, rec) = Spool::open(&dir).unwrap();
    assert_eq!(rec.unacked, 3);
    assert_eq!(ids(&mut s), [0, 1, 2]);
    fs::remove_dir_all(&dir).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn garbage_segments_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), cut in 0usize..600) {
        let dir = temp(&format!("garbage-{cut}"));
        {
            let (mut s, _) = Spool::open(&dir).unwrap();
            put(&mut s, 3, "a");
        }
        let seg = segment_files(&dir).remove(0);
        let mut data = fs::read(&seg).unwrap();
        data.truncate(cut.min(data.len()));
        data.extend_from_slice(&bytes);
        fs::write(&seg, &data).unwrap();
        fs::write(dir.join("seg-00000000000000000003.spool"), &bytes).unwrap();
        let (mut s, _) = Spool::open(&dir).unwrap();
        let before = s.read(0, 100).unwrap().len();
        put(&mut s, 2, "b");
        let after = s.read(0, 100).unwrap();
        prop_assert_eq!(after.len(), before + 2);
        prop_assert_eq!(&after[after.len() - 1].payload, b"{\"n\":\"b1\"}");
        let _ = fs::remove_dir_all(&dir);
    }
}

/// Live operation: every read catches up with the active segment, then more is appended.
/// The reader stays at the segment's end, the next read returns exactly the new entries,
/// and a read that goes back (after a reconnect) still works.
#[test]
fn reads_that_catch_up_continue_where_they_stopped() {
    let dir = temp("catch-up");
    let (mut s, _) = Spool::open(&dir).unwrap();
    let mut cursor = 0;
    for round in 0..50 {
        put(&mut s, 3, &format!("r{round}-"));
        let w = s.read(cursor, 100).unwrap();
        let got: Vec<u64> = w.iter().map(|e| e.id).collect();
        assert_eq!(got, [cursor, cursor + 1, cursor + 2], "round {round}");
        assert_eq!(w[1].payload, format!("{{\"n\":\"r{round}-1\"}}").as_bytes());
        cursor += 3;
    }
    // going back (everything unacknowledged is re-sent after a reconnect)
    let again: Vec<u64> = s.read(0, 1000).unwrap().iter().map(|e| e.id).collect();
    assert_eq!(again, (0..150).collect::<Vec<u64>>());
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn inspect_reads_what_waits_and_changes_nothing() {
    let dir = temp("inspect");
    assert_eq!(inspect(&dir).unwrap(), Waiting::default());
    assert!(!dir.exists(), "inspect created the spool directory");
    let (mut s, _) = Spool::open_with_limit(&dir, 64).unwrap();
    put(&mut s, 3, "a");
    let first_ms = s.read(0, 1).unwrap()[0].appended_ms;
    std::thread::sleep(Duration::from_millis(5));
    put(&mut s, 3, "b");
    let fourth_ms = s.read(3, 1).unwrap()[0].appended_ms;
    assert_eq!(
        inspect(&dir).unwrap(),
        Waiting {
            depth: 6,
            oldest_appended_ms: Some(first_ms)
        }
    );
    for id in 0..3 {
        s.ack(id).unwrap();
    }
    s.persist().unwrap();
    let before = segment_files(&dir);
    let w = inspect(&dir).unwrap();
    assert_eq!(
        w,
        Waiting {
            depth: 3,
            oldest_appended_ms: Some(fourth_ms)
        }
    );
    assert_eq!(segment_files(&dir), before, "inspect removed a segment");
    for id in 3..6 {
        s.ack(id).unwrap();
    }
    s.persist().unwrap();
    assert_eq!(inspect(&dir).unwrap().depth, 0);
    drop(s);
    // what the open spool reports agrees with what inspect read
    let (s, rec) = Spool::open(&dir).unwrap();
    assert_eq!(rec.unacked, inspect(&dir).unwrap().depth);
    assert_eq!(s.depth(), 0);
}
