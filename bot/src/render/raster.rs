//! The chart as a PNG for chat: its SVG ([`super::svg`]) rasterised by resvg, anti-aliased,
//! with text set in the embedded fonts only, at 1.5× for sharp text on dense screens.

use resvg::tiny_skia;
use resvg::usvg;

use super::fonts;
use super::svg::{self, Frame, Svg};
use super::{Chart, Png};

/// Pixels per SVG unit: an 800-unit chart becomes a 1,200-pixel image.
pub const SCALE: f32 = 1.5;

/// What can stop a chart from becoming a PNG; with the SVG built here, a defect.
#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    #[error("the chart's SVG does not parse: {0}")]
    Svg(#[from] usvg::Error),
    #[error("the chart is too large to draw ({0}×{1})")]
    Size(u32, u32),
    #[error("the PNG cannot be written: {0}")]
    Png(#[from] png::EncodingError),
}

/// Draws `chart` for chat and rasterises it.
pub fn render_png(chart: &Chart) -> Result<Png, RasterError> {
    rasterise(&svg::render(chart, Frame::Chat), SCALE)
}

/// Rasterises an SVG at `scale` onto white, as an 8-bit RGB PNG.
pub fn rasterise(svg: &Svg, scale: f32) -> Result<Png, RasterError> {
    let options = usvg::Options {
        fontdb: fonts::DATABASE.clone(),
        font_family: fonts::FAMILY.to_owned(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg.markup, &options)?;
    let width = (tree.size().width() * scale).ceil() as u32;
    let height = (tree.size().height() * scale).ceil() as u32;
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or(RasterError::Size(width, height))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    // Opaque everywhere (white underneath), so premultiplied RGBA is plain RGB plus alpha.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
        .collect();
    let mut bytes = Vec::with_capacity(rgb.len() / 8);
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Flat colours compress well even at the fast level, which keeps large charts quick.
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&rgb)?;
        writer.finish()?;
    }
    Ok(Png {
        bytes,
        width,
        height,
    })
}
