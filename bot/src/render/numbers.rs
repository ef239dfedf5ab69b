//! Numbers as each language writes them: Italian `1.234,5`, English `1,234.5`; whole percents
//! rounded half up. Charts, their text alternatives and the report all format through here.

/// Separators of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Numbers {
    /// `1.234,5`
    #[default]
    Italian,
    /// `1,234.5`
    English,
}

impl Numbers {
    fn separators(self) -> (char, char) {
        match self {
            Numbers::Italian => ('.', ','),
            Numbers::English => (',', '.'),
        }
    }

    /// A value with thousands grouped and at most two decimals (none when whole); "–" when
    /// missing or not a number. Italian groups four-digit numbers too (`1.234`), as the
    /// Public Administration's style guides do for tables.
    pub fn value(self, value: Option<f64>) -> String {
        let Some(value) = value.filter(|v| v.is_finite()) else {
            return "–".to_owned();
        };
        // Adding zero turns -0 into 0; rounding to cents first keeps 0.999 from showing "1.00".
        let cents = (value * 100.0).round() + 0.0;
        let negative = cents < 0.0;
        let cents = cents.abs();
        if cents >= 1e17 {
            // Beyond exact integers in f64: plain scientific notation, never a wrong digit.
            return format!("{value:e}");
        }
        let cents = cents as u64;
        let (whole, fraction) = (cents / 100, cents % 100);
        let (group, decimal) = self.separators();
        let digits = whole.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
        if negative {
            out.push('-');
        }
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(group);
            }
            out.push(digit);
        }
        if fraction > 0 {
            out.push(decimal);
            if fraction % 10 == 0 {
                out.push_str(&(fraction / 10).to_string());
            } else {
                out.push_str(&format!("{fraction:02}"));
            }
        }
        out
    }

    /// A count, grouped: `12.345` / `12,345`.
    pub fn count(self, count: impl Into<u64>) -> String {
        // Counts are whole, far below f64's exact range.
        self.value(Some(count.into() as f64))
    }
}

/// 0–100; NaN counts as 0.
pub fn clamp_percent(percent: f64) -> f64 {
    if percent.is_nan() {
        0.0
    } else {
        percent.clamp(0.0, 100.0)
    }
}

/// Whole percent, clamped to 0–100 and rounded half up: `73%`.
pub fn percent_text(percent: f64) -> String {
    format!("{}%", whole_percent(percent))
}

/// The whole number [`percent_text`] shows.
pub fn whole_percent(percent: f64) -> u32 {
    (clamp_percent(percent) + 0.5).floor() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_decimals_follow_the_language() {
        let it = Numbers::Italian;
        let en = Numbers::English;
        for (value, italian, english) in [
            (1234.5, "1.234,5", "1,234.5"),
            (1234.0, "1.234", "1,234"),
            (999.0, "999", "999"),
            (1_234_567.89, "1.234.567,89", "1,234,567.89"),
            (0.05, "0,05", "0.05"),
            (12.5, "12,5", "12.5"),
            (-1500.25, "-1.500,25", "-1,500.25"),
            (-0.0, "0", "0"),
            (0.999, "1", "1"),
            (0.004, "0", "0"),
        ] {
            assert_eq!(it.value(Some(value)), italian, "{value}");
            assert_eq!(en.value(Some(value)), english, "{value}");
        }
        assert_eq!(it.value(None), "–");
        assert_eq!(en.value(Some(f64::NAN)), "–");
        assert_eq!(it.value(Some(f64::INFINITY)), "–");
        assert_eq!(it.count(1_000_000u32), "1.000.000");
        assert_eq!(en.count(1_000_000u32), "1,000,000");
        assert!(it.value(Some(1e300)).contains('e'));
    }

    #[test]
    fn percentages_round_half_up_and_clamp() {
        for (percent, text) in [
            (72.5, "73%"),
            (72.49, "72%"),
            (0.5, "1%"),
            (-5.0, "0%"),
            (250.0, "100%"),
            (f64::NAN, "0%"),
            (f64::INFINITY, "100%"),
        ] {
            assert_eq!(percent_text(percent), text, "{percent}");
        }
    }
}
