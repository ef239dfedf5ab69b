//! Headless Chromium, in which the monitoring test renders the HTML report, and a census of
//! a screenshot's pixels (is anything drawn, and what).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context as _};

use crate::Result;

/// Headless Chromium (`scripts/test` installs Debian's package): `PSPM_CHROMIUM` or
/// `chromium` on the PATH.
pub fn chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("PSPM_CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("chromium"))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| anyhow!("chromium not found: run scripts/test, which installs it"))
}

/// Runs headless Chromium on `url` with `args` (e.g. `--dump-dom`), with the flags that keep
/// it off the network and out of any profile.
pub fn run_chromium(url: &str, args: &[&str]) -> Result<std::process::Output> {
    let profile = tempfile::tempdir()?;
    let output = Command::new(chromium()?)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .context("cannot run chromium")?;
    if !output.status.success() {
        bail!(
            "chromium failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

/// What a screenshot shows, pixel by pixel, against its background (the top-left pixel).
#[derive(Debug, Clone, Copy)]
pub struct Census {
    pub width: u32,
    pub height: u32,
    /// Pixels that differ from the background.
    pub inked: usize,
    /// Dark pixels (luma below 100): text.
    pub dark: usize,
    /// Strongly coloured pixels (channels apart by more than 80): bars and swatches.
    pub coloured: usize,
    /// The last row with any pixel unlike the background: how far down the page goes.
    pub last_inked_row: u32,
}

/// Takes a `width`×`height` screenshot of `url` in headless Chromium into `path` and counts
/// what it shows.
pub fn screenshot(url: &str, path: &Path, width: u32, height: u32) -> Result<Census> {
    run_chromium(
        url,
        &[
            &format!("--screenshot={}", path.display()),
            &format!("--window-size={width},{height}"),
        ],
    )?;
    census(&std::fs::read(path)?)
}

/// Decodes a PNG to 8-bit RGB(A) and counts its pixels against the top-left one.
pub fn census(png_bytes: &[u8]) -> Result<Census> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let mut buffer = vec![0; reader.output_buffer_size().context("PNG too large")?];
    let frame = reader.next_frame(&mut buffer)?;
    let channels = match frame.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Indexed => bail!("an indexed PNG was not expanded"),
    };
    let rgb = |pixel: &[u8]| match channels {
        1 | 2 => [pixel[0]; 3],
        _ => [pixel[0], pixel[1], pixel[2]],
    };
    let pixels = &buffer[..frame.buffer_size()];
    let background = rgb(&pixels[..channels]);
    let mut census = Census {
        width: frame.width,
        height: frame.height,
        inked: 0,
        dark: 0,
        coloured: 0,
        last_inked_row: 0,
    };
    for (index, pixel) in pixels.chunks_exact(channels).enumerate() {
        let [r, g, b] = rgb(pixel);
        if [r, g, b] == background {
            continue;
        }
        census.inked += 1;
        census.last_inked_row = (index / frame.width as usize) as u32;
        let luma = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
        if luma < 100 {
            census.dark += 1;
        }
        if r.max(g).max(b) - r.min(g).min(b) > 80 {
            census.coloured += 1;
        }
    }
    Ok(census)
}
