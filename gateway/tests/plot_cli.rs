//! `albatross plot` on the daily files of a recorded day of the acoustic link
//! (`captures/clean-day.cap` through `albatross replay --files-dir`): a PNG per MicroCAT of
//! the expected size, with its series drawn in every panel; exit codes when there is
//! nothing to plot or the configuration is broken.

mod common;

use common::{albatross_at_root, temp_dir};
use gateway::plot::{size, PANEL_HEIGHT, TITLE_HEIGHT, WIDTH};
use std::path::{Path, PathBuf};

/// (width, height, RGB pixels) of a PNG.
fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in std::fs::read_dir(dir).unwrap().flatten() {
        if p.path().is_dir() {
            out.extend(files_under(&p.path(), ext));
        } else if p.path().extension().is_some_and(|e| e == ext) {
            out.push(p.path());
        }
    }
    out.sort();
    out
}

#[test]
fn plots_every_microcat_of_a_recorded_day() {
    let dir = temp_dir("plot-cli");
    let files = dir.join("erddap");
    let out = albatross_at_root(
        &[
            "replay",
            "captures/clean-day.cap",
            "--config",
            "gateway/albatross.example.toml",
            "--files-dir",
        ],
        &[&files],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csvs: Vec<PathBuf> = files_under(&files, "csv")
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("MICROCAT_")
        })
        .collect();
    assert!(!csvs.is_empty());
    // MICROCAT_<serial>_<YYYYMMDD>.csv: the day of the first file
    let stem = csvs[0].file_stem().unwrap().to_string_lossy().into_owned();
    let ymd = stem.rsplit('_').next().unwrap().to_owned();
    let day = format!("{}-{}-{}", &ymd[..4], &ymd[4..6], &ymd[6..]);
    let day_csvs: Vec<&PathBuf> = csvs
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(&format!("_{ymd}.csv")))
        .collect();

    let pngs = dir.join("png");
    let run = |day: &str, config: &str| {
        albatross_at_root(
            &["plot", "--config", config, "--day", day, "--files"],
            &[&files, Path::new("--out"), &pngs],
        )
    };
    let out = run(&day, "gateway/albatross.example.toml");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Vec<PathBuf> = stdout.lines().map(PathBuf::from).collect();
    assert_eq!(
        listed,
        files_under(&pngs, "png"),
        "stdout lists the files written"
    );
    assert_eq!(listed.len(), day_csvs.len(), "{stdout}");
    for csv in &day_csvs {
        let rel = csv.strip_prefix(&files).unwrap().with_extension("png");
        let png = pngs.join(rel);
        assert!(listed.contains(&png), "{} not plotted", png.display());
        let header = std::fs::read_to_string(csv).unwrap();
        let with_oxygen = header
            .lines()
            .skip(1)
            .any(|l| l.split(',').nth(9).is_some_and(|c| !c.is_empty()));
        let panels = if with_oxygen { 4 } else { 3 };
        let (w, h, rgb) = decode(&png);
        assert_eq!((w, h), size(panels), "{}", png.display());
        assert_eq!((w, h), (WIDTH, TITLE_HEIGHT + PANEL_HEIGHT * panels as u32));
        // every panel's plot area holds the series (its colour), not only axes and text
        for k in 0..panels {
            let top = (TITLE_HEIGHT + PANEL_HEIGHT * k as u32) as usize;
            let band = &rgb[top * w as usize * 3..(top + PANEL_HEIGHT as usize) * w as usize * 3];
            let drawn = band.chunks(3).filter(|p| *p == [31, 119, 180]).count();
            assert!(
                drawn > 300,
                "panel {k} of {} has {drawn} series pixels",
                png.display()
            );
        }
    }
    // the same files give the same images
    let first: Vec<Vec<u8>> = listed.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(run(&day, "gateway/albatross.example.toml").status.success());
    let again: Vec<Vec<u8>> = listed.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(first == again);

    // a day without files: nothing to plot, exit 1, said on stderr
    let out = run("1999-01-01", "gateway/albatross.example.toml");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to plot on 19990101"));
    // a broken configuration: exit 2 naming it
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[station]\nsite = 3\n").unwrap();
    let out = run(&day, bad.to_str().unwrap());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
    std::fs::remove_dir_all(&dir).unwrap();
}
