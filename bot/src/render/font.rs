//! A hand-drawn 5×7 bitmap font in a 6×13 cell, embedded so that charts read the same on any
//! machine, with or without system fonts. Covers printable ASCII, the Latin-1 letters used in
//! Italian (and their neighbours), and the typographic marks that catalogues and users type
//! (’ “ ” « » – — … · ° €). Accented letters are composed from a base letter and a mark.
//!
//! A cell is [`LINE`] rows of [`ADVANCE`] columns: two rows for accents on capitals and a gap,
//! seven from cap height to baseline, two for descenders, one of spacing. Bit 5 of a row is the
//! leftmost column; bit 0 is the spacing column, left empty except by dashes meant to join.

/// Columns each character advances.
pub const ADVANCE: u32 = 6;
/// Rows of one line of text.
pub const LINE: u32 = 13;

/// A character's bitmap, one `u8` per row, top to bottom.
pub type Cell = [u8; LINE as usize];

/// Rows a glyph's art describes: cap height to baseline, then the descender.
const GLYPH_ROWS: usize = 9;
/// Where the glyph's first row sits in the cell, below the accent rows of capitals.
const GLYPH_TOP: usize = 3;

type Rows = [u8; GLYPH_ROWS];

/// Parses glyph art: rows separated by `|`, `#` for ink, anything else for paper; missing
/// trailing rows are empty. Malformed art fails the build (index or shift overflow).
const fn art(s: &str) -> Rows {
    let bytes = s.as_bytes();
    let mut rows = [0u8; GLYPH_ROWS];
    let mut row = 0;
    let mut col = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'|' => {
                row += 1;
                col = 0;
            }
            b'#' => {
                rows[row] |= 1 << (5 - col);
                col += 1;
            }
            _ => col += 1,
        }
        i += 1;
    }
    rows
}

/// Printable ASCII, in code order from space to tilde (checked when the table is built).
const ASCII_ART: [(char, &str); 95] = [
    (' ', ""),
    ('!', "..#..|..#..|..#..|..#..|..#..|.....|..#.."),
    ('"', ".#.#.|.#.#.|.#.#."),
    ('#', ".#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#."),
    ('$', "..#..|.####|#.#..|.###.|..#.#|####.|..#.."),
    ('%', "##...|##..#|...#.|..#..|.#...|#..##|...##"),
    ('&', ".##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#"),
    ('\'', "..#..|..#..|..#.."),
    ('(', "...#.|..#..|.#...|.#...|.#...|..#..|...#."),
    (')', ".#...|..#..|...#.|...#.|...#.|..#..|.#..."),
    ('*', ".....|..#..|#.#.#|.###.|#.#.#|..#..|....."),
    ('+', ".....|..#..|..#..|#####|..#..|..#..|....."),
    (',', ".....|.....|.....|.....|.....|.##..|.##..|..#..|.#..."),
    ('-', ".....|.....|.....|.###.|.....|.....|....."),
    ('.', ".....|.....|.....|.....|.....|.##..|.##.."),
    ('/', ".....|....#|...#.|..#..|.#...|#....|....."),
    ('0', ".###.|#...#|#..##|#.#.#|##..#|#...#|.###."),
    ('1', "..#..|.##..|..#..|..#..|..#..|..#..|.###."),
    ('2', ".###.|#...#|....#|...#.|..#..|.#...|#####"),
    ('3', "#####|...#.|..#..|...#.|....#|#...#|.###."),
    ('4', "...#.|..##.|.#.#.|#..#.|#####|...#.|...#."),
    ('5', "#####|#....|####.|....#|....#|#...#|.###."),
    ('6', "..##.|.#...|#....|####.|#...#|#...#|.###."),
    ('7', "#####|....#|...#.|..#..|.#...|.#...|.#..."),
    ('8', ".###.|#...#|#...#|.###.|#...#|#...#|.###."),
    ('9', ".###.|#...#|#...#|.####|....#|...#.|.##.."),
    (':', ".....|.##..|.##..|.....|.##..|.##..|....."),
    (';', ".....|.##..|.##..|.....|.##..|.##..|..#..|.#..."),
    ('<', "...#.|..#..|.#...|#....|.#...|..#..|...#."),
    ('=', ".....|.....|#####|.....|#####|.....|....."),
    ('>', ".#...|..#..|...#.|....#|...#.|..#..|.#..."),
    ('?', ".###.|#...#|....#|...#.|..#..|.....|..#.."),
    ('@', ".###.|#...#|....#|.##.#|#.#.#|#.#.#|.###."),
    ('A', ".###.|#...#|#...#|#####|#...#|#...#|#...#"),
    ('B', "####.|#...#|#...#|####.|#...#|#...#|####."),
    ('C', ".###.|#...#|#....|#....|#....|#...#|.###."),
    ('D', "###..|#..#.|#...#|#...#|#...#|#..#.|###.."),
    ('E', "#####|#....|#....|####.|#....|#....|#####"),
    ('F', "#####|#....|#....|####.|#....|#....|#...."),
    ('G', ".###.|#...#|#....|#.###|#...#|#...#|.####"),
    ('H', "#...#|#...#|#...#|#####|#...#|#...#|#...#"),
    ('I', ".###.|..#..|..#..|..#..|..#..|..#..|.###."),
    ('J', "..###|...#.|...#.|...#.|...#.|#..#.|.##.."),
    ('K', "#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#"),
    ('L', "#....|#....|#....|#....|#....|#....|#####"),
    ('M', "#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#"),
    ('N', "#...#|#...#|##..#|#.#.#|#..##|#...#|#...#"),
    ('O', ".###.|#...#|#...#|#...#|#...#|#...#|.###."),
    ('P', "####.|#...#|#...#|####.|#....|#....|#...."),
    ('Q', ".###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#"),
    ('R', "####.|#...#|#...#|####.|#.#..|#..#.|#...#"),
    ('S', ".####|#....|#....|.###.|....#|....#|####."),
    ('T', "#####|..#..|..#..|..#..|..#..|..#..|..#.."),
    ('U', "#...#|#...#|#...#|#...#|#...#|#...#|.###."),
    ('V', "#...#|#...#|#...#|#...#|#...#|.#.#.|..#.."),
    ('W', "#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#."),
    ('X', "#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#"),
    ('Y', "#...#|#...#|.#.#.|..#..|..#..|..#..|..#.."),
    ('Z', "#####|....#|...#.|..#..|.#...|#....|#####"),
    ('[', ".###.|.#...|.#...|.#...|.#...|.#...|.###."),
    ('\\', ".....|#....|.#...|..#..|...#.|....#|....."),
    (']', ".###.|...#.|...#.|...#.|...#.|...#.|.###."),
    ('^', "..#..|.#.#.|#...#"),
    ('_', ".....|.....|.....|.....|.....|.....|.....|#####"),
    ('`', ".#...|..#.."),
    ('a', ".....|.....|.###.|....#|.####|#...#|.####"),
    ('b', "#....|#....|#.##.|##..#|#...#|#...#|####."),
    ('c', ".....|.....|.###.|#....|#....|#...#|.###."),
    ('d', "....#|....#|.##.#|#..##|#...#|#...#|.####"),
    ('e', ".....|.....|.###.|#...#|#####|#....|.###."),
    ('f', "..##.|.#..#|.#...|###..|.#...|.#...|.#..."),
    ('g', ".....|.....|.####|#...#|#...#|#...#|.####|....#|.###."),
    ('h', "#....|#....|#.##.|##..#|#...#|#...#|#...#"),
    ('i', "..#..|.....|.##..|..#..|..#..|..#..|.###."),
    ('j', "...#.|.....|..##.|...#.|...#.|...#.|...#.|#..#.|.##.."),
    ('k', "#....|#....|#..#.|#.#..|##...|#.#..|#..#."),
    ('l', ".##..|..#..|..#..|..#..|..#..|..#..|.###."),
    ('m', ".....|.....|##.#.|#.#.#|#.#.#|#.#.#|#.#.#"),
    ('n', ".....|.....|#.##.|##..#|#...#|#...#|#...#"),
    ('o', ".....|.....|.###.|#...#|#...#|#...#|.###."),
    ('p', ".....|.....|####.|#...#|#...#|#...#|####.|#....|#...."),
    ('q', ".....|.....|.####|#...#|#...#|#...#|.####|....#|....#"),
    ('r', ".....|.....|#.##.|##..#|#....|#....|#...."),
    ('s', ".....|.....|.###.|#....|.###.|....#|####."),
    ('t', ".#...|.#...|###..|.#...|.#...|.#..#|..##."),
    ('u', ".....|.....|#...#|#...#|#...#|#..##|.##.#"),
    ('v', ".....|.....|#...#|#...#|#...#|.#.#.|..#.."),
    ('w', ".....|.....|#...#|#...#|#.#.#|#.#.#|.#.#."),
    ('x', ".....|.....|#...#|.#.#.|..#..|.#.#.|#...#"),
    ('y', ".....|.....|#...#|#...#|#...#|#...#|.####|....#|.###."),
    ('z', ".....|.....|#####|...#.|..#..|.#...|#####"),
    ('{', "...#.|..#..|..#..|.#...|..#..|..#..|...#."),
    ('|', "..#..|..#..|..#..|..#..|..#..|..#..|..#.."),
    ('}', ".#...|..#..|..#..|...#.|..#..|..#..|.#..."),
    ('~', ".....|.....|.#...|#.#.#|...#.|.....|....."),
];

/// Glyphs beyond ASCII that are not a base letter plus a mark.
const EXTRA_ART: [(char, &str); 24] = [
    // The base of ì í î ï: an i without its dot.
    ('ı', ".....|.....|.##..|..#..|..#..|..#..|.###."),
    ('ß', ".##..|#..#.|#..#.|#.#..|#..#.|#...#|#.##."),
    ('ø', ".....|.....|.####|#..##|#.#.#|##..#|####."),
    ('Ø', ".####|#..##|#.#.#|#.#.#|#.#.#|##..#|####."),
    ('«', ".....|.....|..#.#|.#.#.|#.#..|.#.#.|..#.#"),
    ('»', ".....|.....|#.#..|.#.#.|..#.#|.#.#.|#.#.."),
    ('‘', "..#..|.#...|.##..|.##.."),
    ('’', ".##..|.##..|..#..|.#..."),
    ('‚', ".....|.....|.....|.....|.....|.##..|.##..|..#..|.#..."),
    ('“', ".#..#|#..#.|##.##|##.##"),
    ('”', "##.##|##.##|.#..#|#..#."),
    ('„', ".....|.....|.....|.....|.....|##.##|##.##|.#..#|#..#."),
    ('–', ".....|.....|.....|#####"),
    // Six columns wide so that a run of em dashes joins into one rule.
    ('—', ".....|.....|.....|######"),
    ('…', ".....|.....|.....|.....|.....|.....|#.#.#"),
    ('·', ".....|.....|.....|.##..|.##.."),
    ('•', ".....|.....|.###.|.###.|.###."),
    ('°', ".##..|#..#.|#..#.|.##.."),
    ('€', "..###|.#...|####.|.#...|####.|.#...|..###"),
    ('¡', "..#..|.....|..#..|..#..|..#..|..#..|..#.."),
    ('¿', "..#..|.....|..#..|.#...|#....|#...#|.###."),
    ('±', "..#..|..#..|#####|..#..|..#..|.....|#####"),
    ('×', ".....|#...#|.#.#.|..#..|.#.#.|#...#|....."),
    ('÷', ".....|..#..|.....|#####|.....|..#..|....."),
];

#[derive(Clone, Copy)]
enum Mark {
    Grave,
    Acute,
    Circumflex,
    Tilde,
    Diaeresis,
    Cedilla,
}

impl Mark {
    /// Two rows, drawn above the letter (or, for the cedilla, in its descender).
    const fn rows(self) -> [u8; 2] {
        let rows = match self {
            Mark::Grave => art(".#...|..#.."),
            Mark::Acute => art("...#.|..#.."),
            Mark::Circumflex => art("..#..|.#.#."),
            Mark::Tilde => art(".##.#|#.##."),
            Mark::Diaeresis => art(".....|.#.#."),
            Mark::Cedilla => art("..#..|.##.."),
        };
        [rows[0], rows[1]]
    }
}

/// Latin-1 letters as base letter plus mark.
const COMPOSED: [(char, char, Mark); 51] = [
    ('À', 'A', Mark::Grave),
    ('Á', 'A', Mark::Acute),
    ('Â', 'A', Mark::Circumflex),
    ('Ã', 'A', Mark::Tilde),
    ('Ä', 'A', Mark::Diaeresis),
    ('Ç', 'C', Mark::Cedilla),
    ('È', 'E', Mark::Grave),
    ('É', 'E', Mark::Acute),
    ('Ê', 'E', Mark::Circumflex),
    ('Ë', 'E', Mark::Diaeresis),
    ('Ì', 'I', Mark::Grave),
    ('Í', 'I', Mark::Acute),
    ('Î', 'I', Mark::Circumflex),
    ('Ï', 'I', Mark::Diaeresis),
    ('Ñ', 'N', Mark::Tilde),
    ('Ò', 'O', Mark::Grave),
    ('Ó', 'O', Mark::Acute),
    ('Ô', 'O', Mark::Circumflex),
    ('Õ', 'O', Mark::Tilde),
    ('Ö', 'O', Mark::Diaeresis),
    ('Ù', 'U', Mark::Grave),
    ('Ú', 'U', Mark::Acute),
    ('Û', 'U', Mark::Circumflex),
    ('Ü', 'U', Mark::Diaeresis),
    ('Ý', 'Y', Mark::Acute),
    ('à', 'a', Mark::Grave),
    ('á', 'a', Mark::Acute),
    ('â', 'a', Mark::Circumflex),
    ('ã', 'a', Mark::Tilde),
    ('ä', 'a', Mark::Diaeresis),
    ('ç', 'c', Mark::Cedilla),
    ('è', 'e', Mark::Grave),
    ('é', 'e', Mark::Acute),
    ('ê', 'e', Mark::Circumflex),
    ('ë', 'e', Mark::Diaeresis),
    ('ì', 'ı', Mark::Grave),
    ('í', 'ı', Mark::Acute),
    ('î', 'ı', Mark::Circumflex),
    ('ï', 'ı', Mark::Diaeresis),
    ('ñ', 'n', Mark::Tilde),
    ('ò', 'o', Mark::Grave),
    ('ó', 'o', Mark::Acute),
    ('ô', 'o', Mark::Circumflex),
    ('õ', 'o', Mark::Tilde),
    ('ö', 'o', Mark::Diaeresis),
    ('ù', 'u', Mark::Grave),
    ('ú', 'u', Mark::Acute),
    ('û', 'u', Mark::Circumflex),
    ('ü', 'u', Mark::Diaeresis),
    ('ý', 'y', Mark::Acute),
    ('ÿ', 'y', Mark::Diaeresis),
];

/// Variants that are drawn like a character already in the font.
const ALIASES: [(char, char); 7] = [
    ('\u{2032}', '\''), // prime
    ('\u{2033}', '"'),  // double prime
    ('\u{2010}', '-'),  // hyphen
    ('\u{2011}', '-'),  // non-breaking hyphen
    ('\u{2212}', '-'),  // minus sign
    ('\u{2044}', '/'),  // fraction slash
    ('\u{02BC}', '’'),  // modifier apostrophe, as some keyboards type it
];

const fn place(rows: Rows) -> Cell {
    let mut cell = [0u8; LINE as usize];
    let mut i = 0;
    while i < GLYPH_ROWS {
        cell[GLYPH_TOP + i] = rows[i];
        i += 1;
    }
    cell
}

const ASCII: [Cell; 95] = {
    let mut cells = [[0u8; LINE as usize]; 95];
    let mut i = 0;
    while i < cells.len() {
        let (c, glyph) = ASCII_ART[i];
        assert!(
            c as u32 == 0x20 + i as u32,
            "ASCII_ART must be in code order"
        );
        cells[i] = place(art(glyph));
        i += 1;
    }
    cells
};

const EXTRA: [(char, Cell); EXTRA_ART.len()] = {
    let mut cells = [(' ', [0u8; LINE as usize]); EXTRA_ART.len()];
    let mut i = 0;
    while i < cells.len() {
        cells[i] = (EXTRA_ART[i].0, place(art(EXTRA_ART[i].1)));
        i += 1;
    }
    cells
};

/// The bitmap of `c`, or `None` when the font has no glyph for it (the caller then draws
/// [`REPLACEMENT`], so a missing glyph is visible rather than silently dropped).
pub fn cell(c: char) -> Option<Cell> {
    if c.is_whitespace() {
        return Some([0; LINE as usize]);
    }
    let code = u32::from(c);
    if (0x20..0x7f).contains(&code) {
        return ASCII.get((code - 0x20) as usize).copied();
    }
    if let Some((_, cell)) = EXTRA.iter().find(|(glyph, _)| *glyph == c) {
        return Some(*cell);
    }
    if let Some(&(_, like)) = ALIASES.iter().find(|(alias, _)| *alias == c) {
        return cell(like);
    }
    let &(_, base, mark) = COMPOSED.iter().find(|(letter, _, _)| *letter == c)?;
    let mut composed = cell(base)?;
    let top = match mark {
        Mark::Cedilla => GLYPH_TOP + 7,
        // Capitals fill the glyph's top rows, so their marks go in the rows above.
        _ if base.is_uppercase() => 0,
        // Lowercase marks sit in the ascender space, one row clear of the x-height.
        _ => GLYPH_TOP - 1,
    };
    let [first, second] = mark.rows();
    composed[top] |= first;
    composed[top + 1] |= second;
    Some(composed)
}

/// A tall hollow box, drawn for characters the font lacks.
pub const REPLACEMENT: Cell = {
    let mut cell = [0b100010u8; LINE as usize];
    cell[0] = 0;
    cell[1] = 0;
    cell[2] = 0b111110;
    cell[LINE as usize - 1] = 0b111110;
    cell
};
