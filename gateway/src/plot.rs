//! `albatross plot`: a PNG per instrument per day from its daily CSV, like the ERDDAP
//! graphs the users know — one panel per variable against the time of day, the points
//! joined, those flagged suspect (QC 3) or bad (QC 4) marked in orange and red.
//!
//! Drawn in memory with plotters and the embedded DejaVu Sans (no system font is needed),
//! encoded with png, and published atomically ([`crate::durable::replace`]), so a web
//! server never serves half an image. The same CSV gives the same bytes. The image is
//! [`size`]: [`WIDTH`] wide, a [`TITLE_HEIGHT`] title band and a [`PANEL_HEIGHT`] panel per
//! variable with values that day.

use crate::config::Config;
use crate::dailyfiles::{csv, line_of, Day, Series, StationInfo};
use crate::observation::PlatformMeta;
use crate::science::{plotted, Product};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Width of every plot, pixels.
pub const WIDTH: u32 = 1000;
/// Height of the title band, pixels.
pub const TITLE_HEIGHT: u32 = 40;
/// Height of one variable's panel, pixels.
pub const PANEL_HEIGHT: u32 = 220;

/// The font of the plots: DejaVu Sans 2.37 (gateway/assets/fonts/LICENSE).
const FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// Why a plot could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Drawing or encoding failed.
    #[error("plot: {0}")]
    Draw(String),
}

fn draw_err(e: impl std::fmt::Display) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// The size of a plot of `panels` variables: (width, height).
pub fn size(panels: usize) -> (u32, u32) {
    (WIDTH, TITLE_HEIGHT + PANEL_HEIGHT * panels as u32)
}

/// One panel: its label and its points (hour of the day, value, OceanSITES flag).
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The y-axis label (long name and units).
    pub label: String,
    /// The points, in time order.
    pub points: Vec<(f64, f64, u8)>,
}

/// The panels of `product` from the rows of its day CSV at `path`: one per plotted
/// variable that has a value that day.
pub fn panels(product: &Product, path: &Path) -> Result<Vec<Panel>, PlotError> {
    let names = plotted(product);
    let qc: Vec<String> = names.iter().map(|n| format!("{n}_QC")).collect();
    let columns: Vec<&str> = names
        .iter()
        .copied()
        .chain(qc.iter().map(String::as_str))
        .collect();
    let rows = csv::read_columns(path, &columns).map_err(|source| PlotError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut out = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let spec = product.vars.iter().find(|v| v.name == *name);
        let label = spec.map_or((*name).to_owned(), |s| {
            format!("{} ({})", s.long_name, s.units)
        });
        let points: Vec<(f64, f64, u8)> = rows
            .iter()
            .filter_map(|(t, v)| {
                let value = v.get(k).copied().flatten()?;
                let flag = v.get(names.len() + k).copied().flatten().unwrap_or(0.0) as u8;
                let hour = (t.unix_millis().rem_euclid(86_400_000)) as f64 / 3_600_000.0;
                Some((hour, value, flag))
            })
            .collect();
        if !points.is_empty() {
            out.push(Panel { label, points });
        }
    }
    Ok(out)
}

fn register_font() -> Result<(), PlotError> {
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    ok.then_some(())
        .ok_or_else(|| PlotError::Draw("the embedded font is not readable".into()))
}

/// The y range of `points`, with a margin (a constant series gets one around its value).
fn y_range(points: &[(f64, f64, u8)]) -> (f64, f64) {
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.1), hi.max(p.1))
        });
    let pad = if hi > lo {
        (hi - lo) * 0.08
    } else {
        lo.abs().max(1.0) * 0.01
    };
    (lo - pad, hi + pad)
}

/// The PNG bytes of a plot titled `title` with `panels` (see [`size`]).
pub fn render_png(title: &str, panels: &[Panel]) -> Result<Vec<u8>, PlotError> {
    register_font()?;
    let (w, h) = size(panels.len());
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let body = root.titled(title, ("sans-serif", 22)).map_err(draw_err)?;
        let areas = body.split_evenly((panels.len().max(1), 1));
        for (panel, area) in panels.iter().zip(areas) {
            let (lo, hi) = y_range(&panel.points);
            let mut chart = ChartBuilder::on(&area)
                .margin(8)
                .margin_right(24)
                .x_label_area_size(28)
                .y_label_area_size(70)
                .build_cartesian_2d(0.0..24.0, lo..hi)
                .map_err(draw_err)?;
            chart
                .configure_mesh()
                .x_labels(13)
                .x_label_formatter(&|x| format!("{:02}:00", *x as u32))
                .y_desc(panel.label.as_str())
                .label_style(("sans-serif", 13))
                .draw()
                .map_err(draw_err)?;
            let line = RGBColor(31, 119, 180);
            chart
                .draw_series(LineSeries::new(
                    panel.points.iter().map(|p| (p.0, p.1)),
                    &line,
                ))
                .map_err(draw_err)?;
            chart
                .draw_series(
                    panel
                        .points
                        .iter()
                        .map(|p| Circle::new((p.0, p.1), 2, line.filled())),
                )
                .map_err(draw_err)?;
            let flagged = panel.points.iter().filter_map(|p| {
                let color = match p.2 {
                    3 => RGBColor(255, 140, 0),
                    4 => RGBColor(214, 39, 40),
                    _ => return None,
                };
                Some(Circle::new((p.0, p.1), 5, color.filled()))
            });
            chart.draw_series(flagged).map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // a MicroCAT day is ~100 kB so, ~1 MB with the fast default
        enc.set_compression(png::Compression::Best);
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = enc.write_header().map_err(draw_err)?;
        writer.write_image_data(&rgb).map_err(draw_err)?;
    }
    Ok(out)
}

/// What [`plot_day`] made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plotted {
    /// The PNG files written.
    pub files: Vec<PathBuf>,
    /// The instruments with no daily file (or nothing to plot) that day.
    pub without_data: Vec<String>,
}

/// Plots `day` of every configured instrument from the daily CSVs under `files_dir`
/// into `out/<platform>/<YYYY>/<SENSOR>_<serial>_<YYYYMMDD>.png` (the daily files' layout).
pub fn plot_day(
    config: &Config,
    files_dir: &Path,
    day: Day,
    out: &Path,
) -> Result<Plotted, PlotError> {
    let station = StationInfo::from(config);
    let mut done = Plotted::default();
    for p in &config.platforms {
        let meta = PlatformMeta::from_config(config, p);
        for series in line_of(&station, &meta) {
            if plotted(series.product).is_empty() {
                continue;
            }
            let csv = series.file_stem(files_dir, day).with_extension("csv");
            let panels = panels(series.product, &csv)?;
            let path = series.file_stem(out, day).with_extension("png");
            if panels.is_empty() {
                done.without_data.push(format!(
                    "{} {} {}",
                    series.platform_id, series.sensor, series.serial
                ));
                continue;
            }
            let png = render_png(&title(&series, day), &panels)?;
            crate::durable::replace(&path, &png).map_err(|source| PlotError::Io {
                path: path.clone(),
                source,
            })?;
            done.files.push(path);
        }
    }
    Ok(done)
}

fn title(series: &Series, day: Day) -> String {
    let (y, m, d) = day.civil();
    format!(
        "{} {} {} at {} m — {y:04}-{m:02}-{d:02} (UTC)",
        series.platform_id, series.product.instrument, series.serial, series.nominal_depth_m
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    fn count(rgb: &[u8], color: [u8; 3]) -> usize {
        rgb.chunks(3).filter(|p| *p == color).count()
    }

    #[test]
    fn flagged_points_are_marked() {
        let points: Vec<(f64, f64, u8)> = (0..48)
            .map(|i| (f64::from(i) / 2.0, 13.0 + f64::from(i % 5) * 0.01, 1))
            .collect();
        let mut panel = Panel {
            label: "Sea Water Temperature (degree_Celsius)".into(),
            points,
        };
        let clean = render_png("t", std::slice::from_ref(&panel)).unwrap();
        panel.points[10].2 = 4;
        panel.points[20].2 = 3;
        let flagged = render_png("t", std::slice::from_ref(&panel)).unwrap();
        let (w, h, rgb) = decode(&clean);
        assert_eq!((w, h), size(1));
        assert_eq!(count(&rgb, [214, 39, 40]), 0);
        assert!(count(&rgb, [31, 119, 180]) > 500, "the series is drawn");
        let (_, _, rgb) = decode(&flagged);
        assert!(count(&rgb, [214, 39, 40]) > 20, "the bad point is marked");
        assert!(
            count(&rgb, [255, 140, 0]) > 20,
            "the suspect point is marked"
        );
        // the same input gives the same bytes
        assert_eq!(render_png("t", &[panel.clone()]).unwrap(), flagged);
    }

    #[test]
    fn ranges_have_room() {
        assert_eq!(y_range(&[(0.0, 5.0, 1)]), (4.95, 5.05));
        let (lo, hi) = y_range(&[(0.0, 1.0, 1), (1.0, 2.0, 1)]);
        assert!(lo < 1.0 && hi > 2.0);
    }
}
