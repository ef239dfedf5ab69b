//! Colours shared by the charts and the report: the palette of the Italian Public
//! Administration's design system (Bootstrap Italia). Every colour that carries meaning has
//! at least 4.5:1 contrast on white, so it serves for text as well as for bars (WCAG 2.1 AA);
//! status is also always written out, never told by colour alone.

use super::ActionStatus;

/// The design system's primary blue.
pub const PRIMARY: &str = "#0066cc";
/// The darker blue of the masthead band and the footer.
pub const PRIMARY_DARK: &str = "#004080";
/// Headings.
pub const HEADING: &str = "#17324d";
/// Body text.
pub const INK: &str = "#1a1a1a";
/// Secondary text and axes (5.1:1 on white).
pub const MUTED: &str = "#5d7083";
/// The empty part of a bar; decorative.
pub const TRACK: &str = "#e6e9f2";
/// Rules and grid lines; decorative.
pub const RULE: &str = "#c5c7c9";
pub const BACKGROUND: &str = "#ffffff";

/// The colour of a status (success, primary, warning, danger and neutral of the design
/// system; a teal, told apart from the primary blue, for the open-ended actions under way).
pub fn status_colour(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Done => "#008055",
        ActionStatus::InProgress => PRIMARY,
        ActionStatus::Ongoing => "#00707a",
        ActionStatus::DueSoon => "#a66300",
        ActionStatus::Late => "#cc334d",
        ActionStatus::NotStarted => MUTED,
    }
}

/// Supports and oppositions in the participation chart.
pub const SUPPORT: &str = "#008055";
pub const OPPOSITION: &str = "#cc334d";

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(hex: &str) -> f64 {
        let channel = |at: usize| {
            let value = f64::from(u8::from_str_radix(&hex[at..at + 2], 16).expect("hex")) / 255.0;
            if value <= 0.039_28 {
                value / 12.92
            } else {
                ((value + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn meaningful_colours_pass_aa_for_text_on_white() {
        let mut colours: Vec<&str> = ActionStatus::ALL
            .iter()
            .map(|s| status_colour(*s))
            .collect();
        colours.extend([
            PRIMARY,
            PRIMARY_DARK,
            HEADING,
            INK,
            MUTED,
            SUPPORT,
            OPPOSITION,
        ]);
        for colour in colours {
            let ratio = contrast(colour, BACKGROUND);
            assert!(ratio >= 4.5, "{colour}: {ratio:.2}");
        }
        // White text on the masthead's blues.
        assert!(contrast(BACKGROUND, PRIMARY) >= 4.5);
        assert!(contrast(BACKGROUND, PRIMARY_DARK) >= 4.5);
    }
}
