//! The typefaces built into the bot (`bot/fonts/`, open licences): Titillium Web, the
//! Italian Public Administration's typeface, regular and bold; then, for what Titillium
//! lacks, DejaVu Sans (Greek, Cyrillic, Hebrew, Arabic, arrows, signs), Noto Emoji (what
//! titles borrow from chat) and, last, GNU Unifont, which has a glyph for every character of
//! Unicode's first plane and more (Chinese, Japanese, Korean, Thai, Indic scripts…). The rasteriser reads them from here, never from the
//! machine; the report embeds Titillium; and labels are wrapped by the same glyph advances
//! the rasteriser will use.

use std::sync::{Arc, LazyLock};

use resvg::usvg::fontdb;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

pub const REGULAR: &[u8] = include_bytes!("../../fonts/TitilliumWeb-Regular.ttf");
pub const BOLD: &[u8] = include_bytes!("../../fonts/TitilliumWeb-Bold.ttf");
const SIGNS: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
const EMOJI: &[u8] = include_bytes!("../../fonts/NotoEmoji-Regular.ttf");
const EVERY_SCRIPT: &[u8] = include_bytes!("../../fonts/unifont.otf");
const BEYOND_THE_FIRST_PLANE: &[u8] = include_bytes!("../../fonts/unifont_upper.otf");

/// The family name the SVG asks for, as the font names itself.
pub const FAMILY: &str = "Titillium Web";

/// Every embedded face, loaded once for the rasteriser (it falls back from Titillium to a
/// face that has the character, e.g. an emoji). The faces are read in place, not copied.
pub static DATABASE: LazyLock<Arc<fontdb::Database>> = LazyLock::new(|| {
    let mut database = fontdb::Database::new();
    for face in [
        REGULAR,
        BOLD,
        SIGNS,
        EMOJI,
        EVERY_SCRIPT,
        BEYOND_THE_FIRST_PLANE,
    ] {
        database.load_font_source(fontdb::Source::Binary(Arc::new(face)));
    }
    database.set_sans_serif_family(FAMILY);
    Arc::new(database)
});

/// A weight of the typeface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// Advances in em, kept for the characters most labels are made of; others are looked up.
struct Advances {
    latin: Vec<f32>,
    face: &'static [u8],
}

/// Characters whose advance is kept: Basic Latin, Latin-1, Latin Extended-A and B, and the
/// general punctuation block's first part (dashes, quotes, ellipsis).
const KEPT: u32 = 0x250;

impl Advances {
    fn of(face: &'static [u8]) -> Advances {
        let latin = (0..KEPT)
            .map(|code| char::from_u32(code).map_or(0.0, |c| lookup(face, c).unwrap_or(0.5)))
            .collect();
        Advances { latin, face }
    }

    fn em(&self, c: char) -> f32 {
        if let Some(advance) = self.latin.get(c as usize) {
            return *advance;
        }
        lookup(self.face, c)
            .or_else(|| lookup(SIGNS, c))
            .or_else(|| lookup(EMOJI, c))
            .or_else(|| lookup(EVERY_SCRIPT, c))
            .or_else(|| lookup(BEYOND_THE_FIRST_PLANE, c))
            // Nothing has it (unassigned, private use): the rasteriser draws a box this wide.
            .unwrap_or(0.6)
    }
}

/// The advance of `c` in `face`, in em; `None` when the face lacks it.
fn lookup(face: &[u8], c: char) -> Option<f32> {
    let font = FontRef::new(face).ok()?;
    let glyph = font.charmap().map(c)?;
    // At one pixel per em, advances come out in em.
    font.glyph_metrics(Size::new(1.0), LocationRef::default())
        .advance_width(glyph)
}

static REGULAR_ADVANCES: LazyLock<Advances> = LazyLock::new(|| Advances::of(REGULAR));
static BOLD_ADVANCES: LazyLock<Advances> = LazyLock::new(|| Advances::of(BOLD));

/// The width of `text` set at `size` pixels (kerning left out: it only narrows text).
pub fn width(text: &str, size: f32, weight: Weight) -> f32 {
    let advances = match weight {
        Weight::Regular => &*REGULAR_ADVANCES,
        Weight::Bold => &*BOLD_ADVANCES,
    };
    text.chars().map(|c| advances.em(c)).sum::<f32>() * size
}

/// `text` broken into lines no wider than `max_width`, at spaces where it can and inside a
/// word only when the word alone is wider. Whitespace runs (newlines included) become one
/// space; nothing is cut. `first_indent` is taken off the first line's width (a bold code
/// before a title).
pub fn wrap(
    text: &str,
    size: f32,
    weight: Weight,
    max_width: f32,
    first_indent: f32,
) -> Vec<String> {
    let space = width(" ", size, weight);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    let room = |lines: &Vec<String>| {
        if lines.is_empty() {
            (max_width - first_indent).max(size)
        } else {
            max_width.max(size)
        }
    };
    for word in text.split_whitespace() {
        let word_width = width(word, size, weight);
        let gap = if line.is_empty() { 0.0 } else { space };
        if line_width + gap + word_width <= room(&lines) {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            line_width += gap + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_width = 0.0;
        }
        if word_width <= room(&lines) {
            line.push_str(word);
            line_width = word_width;
            continue;
        }
        // A word wider than a line (a URL, a code): broken where it reaches the edge.
        for c in word.chars() {
            let c_width = width(c.encode_utf8(&mut [0; 4]), size, weight);
            if line_width + c_width > room(&lines) && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(c);
            line_width += c_width;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_faces_are_titillium_dejavu_and_noto_emoji() {
        let families: Vec<String> = DATABASE
            .faces()
            .flat_map(|face| face.families.iter().map(|(name, _)| name.clone()))
            .collect();
        assert_eq!(
            families.iter().filter(|f| f.as_str() == FAMILY).count(),
            2,
            "{families:?}"
        );
        assert!(families.iter().any(|f| f.contains("Emoji")), "{families:?}");
        assert!(families.iter().any(|f| f == "DejaVu Sans"), "{families:?}");
    }

    #[test]
    fn italian_letters_and_signs_are_in_titillium() {
        let missing: String = "àèéìòùÀÈÉÌÒÙçñüöäß’‘“”«»–—…·°€²³₂≥≤×€£"
            .chars()
            .filter(|c| lookup(REGULAR, *c).is_none() || lookup(BOLD, *c).is_none())
            .collect();
        assert_eq!(missing, "");
        // What Titillium lacks, the fallbacks have.
        for c in "→↗αβжЖשא✓★🚲🌍👍".chars() {
            assert!(
                lookup(REGULAR, c).is_none(),
                "{c:?} is in Titillium after all"
            );
            assert!(
                lookup(SIGNS, c).or_else(|| lookup(EMOJI, c)).is_some(),
                "{c:?} missing"
            );
        }
    }

    #[test]
    fn bold_is_wider_and_width_grows_with_size() {
        let text = "Piano triennale per l'informatica";
        assert!(width(text, 16.0, Weight::Bold) > width(text, 16.0, Weight::Regular));
        let small = width(text, 10.0, Weight::Regular);
        assert!((width(text, 20.0, Weight::Regular) - 2.0 * small).abs() < 0.01);
        assert!(small > 100.0 && small < 250.0, "{small}");
    }

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let text = "Le PA finalizzano la migrazione dei propri servizi verso infrastrutture e \
                    servizi cloud qualificati, secondo la strategia Cloud Italia";
        let lines = wrap(text, 16.0, Weight::Regular, 300.0, 0.0);
        assert!(lines.len() >= 3, "{lines:?}");
        for line in &lines {
            assert!(width(line, 16.0, Weight::Regular) <= 300.0, "{line}");
        }
        assert_eq!(
            lines.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        // The first line leaves room for a code.
        let indented = wrap(text, 16.0, Weight::Regular, 300.0, 120.0);
        assert!(width(&indented[0], 16.0, Weight::Regular) <= 180.0);
    }

    #[test]
    fn a_word_longer_than_a_line_is_broken_not_cut() {
        let word = "x".repeat(300);
        let lines = wrap(&word, 16.0, Weight::Regular, 200.0, 0.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word);
        assert_eq!(
            wrap("", 16.0, Weight::Regular, 200.0, 0.0),
            vec![String::new()]
        );
        assert_eq!(
            wrap("  a \n b ", 16.0, Weight::Regular, 200.0, 0.0),
            vec!["a b"]
        );
    }
}
