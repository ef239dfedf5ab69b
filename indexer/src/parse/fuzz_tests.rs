//! Fuzz targets for every parser of untrusted files: front matter, Markdown, text,
//! reStructuredText, HTML, PDF and publiccode.yml. Each is fed format-shaped soup (the format's own tokens
//! among random text) and raw bytes, and must return a normalised document or, for PDF, an
//! error: never panic. `PSPM_FUZZ_CASES` raises the case count (see `crate::fuzzing`).

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::front_matter::split;
use super::{normalise_paragraphs, parse, Format};
use crate::fuzzing::{cases, run};
use crate::practice::PracticeType;

/// Random text made of `tokens` of the format, words, any Unicode and line breaks.
fn soup(tokens: &'static [&'static str]) -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            6 => select(tokens).prop_map(str::to_owned),
            3 => "[a-zA-Z0-9àèéìòù ]{0,10}",
            1 => any::<String>(),
            2 => select(&["\n", "\n\n", " ", "\t", "\r\n", "   "][..]).prop_map(str::to_owned),
        ],
        0..80,
    )
    .prop_map(|parts| parts.concat())
}

/// Bytes of any kind, now and then behind a byte-order mark or in Latin-1's upper half.
fn raw_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..600),
        vec(any::<u8>(), 0..600).prop_map(|bytes| [b"\xEF\xBB\xBF".as_slice(), &bytes].concat()),
        vec(0x80u8..=0xff, 0..200),
    ]
}

const MARKDOWN: &[&str] = &[
    "#",
    "# ",
    "## ",
    "####### ",
    "```",
    "~~~",
    "===",
    "---",
    "***",
    "___",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "> ",
    ">> ",
    "[",
    "]",
    "(",
    ")",
    "![",
    "<",
    ">",
    "`",
    "_",
    "*",
    "**",
    "&",
    ";",
    "&amp;",
    "&egrave;",
    "&#",
    "&#x",
    "&#1234567;",
    "\\",
    "\\*",
    "|",
    "|---|",
    ":",
    "]:",
    "http://x.it",
    "<a@b.it>",
    "<http://x.it>",
    "[a](b)",
    "[a][b]",
    "snake_case",
];
const RST: &[&str] = &[
    ".. ",
    "..",
    "::",
    " ::",
    "note",
    "image",
    "only",
    "toctree",
    "admonition",
    "|sub|",
    ".. note::",
    ".. [1]",
    ".. _target:",
    "[1]_",
    "[#]_",
    "]_",
    ":ref:",
    ":doc:`x <y>`",
    ":class: x",
    "`",
    "``",
    "`a <b>`_",
    "<",
    ">",
    "_",
    "*",
    "**",
    "\\",
    "=====",
    "-----",
    "~~~",
    "+---+---+",
    "+===+",
    "| a | b |",
    "=== ===",
    "|",
    "   ",
    "    ",
    "\t",
    "#. ",
    "• ",
    "1. ",
    ":",
    "::\n\n   ",
];
const HTML: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<!--",
    "-->",
    "<!DOCTYPE html>",
    "<script>",
    "</script>",
    "<SCRIPT type=x>",
    "<style>",
    "</style",
    "<svg/>",
    "<template>",
    "<head>",
    "</head>",
    "<title>",
    "</title>",
    "<TITLE>",
    "<h1>",
    "</h1>",
    "<H1 class=a>",
    "<p>",
    "</p>",
    "<br>",
    "<br/>",
    "<div>",
    "<li>",
    "<b>",
    "</b>",
    "&",
    ";",
    "&amp;",
    "&lt;",
    "&#",
    "&#x",
    "&#x1F600;",
    "&#xD800;",
    "&#99999999;",
    "&nbsp;",
    "&agrave;",
    "\"",
    "'",
    "=",
    "é",
];
const FRONT_MATTER: &[&str] = &[
    "---\n",
    "+++\n",
    "\n---",
    "\n+++",
    "title: ",
    "titolo: ",
    "type: ",
    "tipo: guida",
    "year: ",
    "anno: 2020",
    "date: 2019-05-01",
    "tags:",
    "tags: [a, 'b', \"c\"]",
    "- ",
    "-",
    "org: ",
    "lang: en",
    "lingua: xx",
    "licence: ",
    "url: ",
    "id: ",
    "summary: ",
    "title = \"x\"",
    "year = 2021",
    "tags = [\"a\", 1, true]",
    "[table]",
    "x = {",
    "\"\"\"",
    ": ",
    "'",
    "\"",
    "#",
    "2020",
    "12345",
];
/// Whole lines of a valid `publiccode.yml` (mixed in any order, most files are invalid,
/// some valid), and YAML's own tokens.
const PUBLICCODE: &[&str] = &[
    "publiccodeYmlVersion: \"0.4\"\n",
    "publiccodeYmlVersion: 0.2\n",
    "name: Segnalazioni\n",
    "url: \"https://example.org/comune/segnalazioni.git\"\n",
    "landingURL: https://example.org/segnalazioni\n",
    "releaseDate: \"2024-02-29\"\n",
    "releaseDate: 2023-02-29\n",
    "releaseDate: 1970-01-01\n",
    "releaseDate: 0000-01-01\n",
    "categories:\n  - it-development\n  - ",
    "categories: [cms, ",
    "description:\n",
    "description:\n  it:\n    shortDescription: Segnalazioni dei cittadini\n",
    "  it:\n",
    "  en:\n",
    "  en-GB:\n",
    "  de:\n",
    "    shortDescription: ",
    "    localisedName: Segnala\n",
    "    longDescription: |\n      # Titolo\n\n      Testo **lungo** con [link](https://x.it).\n",
    "    longDescription: >\n      ---\n      piegato\n",
    "    features:\n      - Mappa\n      - ",
    "legal:\n  license: EUPL-1.2\n",
    "  mainCopyrightOwner: Comune di Prova\n",
    "  repoOwner: ",
    "organisation:\n  uri: \"urn:x-italian-pa:c_h501\"\n  name: ",
    "organizationUri: urn:x-italian-pa:",
    "it:\n  riuso:\n    codiceIPA: c_a944\n",
    "IT:\n  riuso:\n    codiceIPA: ",
    "maintenance:\n  type: community\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "!!binary ",
    "!!str ",
    "!custom ",
    "? ",
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ", ",
    "'",
    "\"",
    "\\x",
    "|",
    ">",
    "#",
    "~",
    "null",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\t",
    "  ",
];
const TEXT: &[&str] = &["\n", "\n\n", "Titolo", "---\n", "+++\n", "title: x\n", "  "];

/// What every text parser returns: paragraphs separated by one blank line, whitespace
/// collapsed, nothing left to normalise.
fn check_document(format: Format, bytes: &[u8]) -> Result<(), TestCaseError> {
    let parsed = parse(format, bytes)
        .map_err(|error| TestCaseError::fail(format!("{format:?} refused text input: {error}")))?;
    prop_assert_eq!(normalise_paragraphs(&parsed.body), parsed.body.clone());
    if let Some(year) = parsed.front_matter.year {
        prop_assert!((1000..=9999).contains(&year));
    }
    Ok(())
}

#[test]
fn fuzz_front_matter() {
    let strategy = prop_oneof![
        (
            select(&["---\n", "+++\n"][..]),
            soup(FRONT_MATTER),
            soup(TEXT)
        )
            .prop_map(|(fence, block, rest)| format!("{fence}{block}\n{}\n{rest}", fence.trim())),
        soup(FRONT_MATTER),
    ];
    run("front matter", cases(1.0), strategy, |text| {
        let (front_matter, rest) = split(&text);
        prop_assert!(text.ends_with(rest), "the rest is the end of the text");
        if !text.starts_with("---\n") && !text.starts_with("+++\n") {
            prop_assert_eq!(rest, text.as_str());
        }
        for value in [
            &front_matter.title,
            &front_matter.organisation,
            &front_matter.id,
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(!value.is_empty() && value.trim() == value);
        }
        check_document(Format::Markdown, text.as_bytes())
    });
}

#[test]
fn fuzz_markdown() {
    let strategy = prop_oneof![
        4 => soup(MARKDOWN).prop_map(String::into_bytes),
        1 => raw_bytes(),
    ];
    run("markdown", cases(1.0), strategy, |bytes| {
        check_document(Format::Markdown, &bytes)
    });
}

#[test]
fn fuzz_text() {
    let strategy = prop_oneof![
        4 => soup(TEXT).prop_map(String::into_bytes),
        1 => raw_bytes(),
    ];
    run("text", cases(1.0), strategy, |bytes| {
        check_document(Format::Text, &bytes)
    });
}

#[test]
fn fuzz_restructured_text() {
    let strategy = prop_oneof![
        4 => soup(RST).prop_map(String::into_bytes),
        1 => raw_bytes(),
    ];
    run("reStructuredText", cases(1.0), strategy, |bytes| {
        check_document(Format::ReStructuredText, &bytes)
    });
}

#[test]
fn fuzz_html() {
    let strategy = prop_oneof![
        4 => soup(HTML).prop_map(String::into_bytes),
        1 => raw_bytes(),
    ];
    run("html", cases(1.0), strategy, |bytes| {
        check_document(Format::Html, &bytes)
    });
}

/// A `publiccode.yml` read or refused: refused with a one-line reason, or read as a
/// software practice with a title, some text and tidy values.
fn check_publiccode(bytes: &[u8]) -> Result<(), TestCaseError> {
    let parsed = match parse(Format::PublicCode, bytes) {
        Ok(parsed) => parsed,
        Err(reason) => {
            prop_assert!(
                reason.starts_with("not a valid publiccode.yml: "),
                "{}",
                reason
            );
            prop_assert!(!reason.contains('\n'), "one line: {}", reason);
            return Ok(());
        }
    };
    let front_matter = &parsed.front_matter;
    prop_assert_eq!(front_matter.practice_type, Some(PracticeType::Software));
    prop_assert!(front_matter.language.is_some());
    prop_assert_eq!(&parsed.title, &front_matter.title);
    prop_assert!(!parsed.body.is_empty());
    prop_assert_eq!(normalise_paragraphs(&parsed.body), parsed.body.clone());
    for value in [
        &front_matter.title,
        &front_matter.summary,
        &front_matter.organisation,
        &front_matter.licence,
        &front_matter.source,
    ]
    .into_iter()
    .flatten()
    .chain(&front_matter.tags)
    {
        prop_assert!(!value.is_empty() && value.trim() == value, "{:?}", value);
    }
    if let Some(year) = front_matter.year {
        prop_assert!((0..=9999).contains(&year));
    }
    Ok(())
}

/// A `publiccode.yml` in the standard's order, each part one of a few (valid, odd or
/// left out), now and then followed by a token.
const PUBLICCODE_PARTS: &[&[&str]] = &[
    &[
        "publiccodeYmlVersion: \"0.4\"\n",
        "publiccodeYmlVersion: 0.2\n",
        "",
    ],
    &[
        "name: Segnalazioni\n",
        "name: ' '\n",
        "name: \"Segnala\\tCittà\"\n",
    ],
    &["url: https://example.org/r.git\n", "url:\n"],
    &[
        "landingURL: https://example.org/r\n",
        "landingURL: ''\n",
        "",
    ],
    &[
        "releaseDate: \"2024-02-29\"\n",
        "releaseDate: 2023-02-29\n",
        "releaseDate: 1970-01-01\n",
        "",
    ],
    &[
        "categories:\n  - cms\n  - it-development\n",
        "categories: [a, a, ' b ']\n",
        "",
    ],
    &["description:\n", "description: {}\n"],
    &[
        "  it:\n    shortDescription: Breve\n    longDescription: |\n      # Titolo\n\n      \
         Testo\n    features:\n      - Una\n      - ' '\n",
        "  it: {}\n",
        "",
    ],
    &[
        "  en:\n    shortDescription: Short\n",
        "  en-GB:\n    features: [a]\n",
        "  de:\n    localisedName: Melden\n",
        "",
    ],
    &[
        "legal:\n  license: MIT\n  mainCopyrightOwner: Comune di Prova\n",
        "legal:\n  repoOwner: ' '\n",
        "",
    ],
    &[
        "organisation:\n  uri: urn:x-italian-pa:c_h501\n",
        "it:\n  riuso:\n    codiceIPA: c_a944\n",
        "",
    ],
];

fn publiccode_in_order() -> impl Strategy<Value = String> {
    let parts: Vec<BoxedStrategy<String>> = PUBLICCODE_PARTS
        .iter()
        .map(|choices| {
            // The first choice is the usual one; a token now and then, so many files stay valid.
            let part = prop_oneof![2 => Just(choices[0]), 1 => select(*choices)];
            let token = prop_oneof![
                20 => Just(String::new()),
                1 => select(PUBLICCODE).prop_map(str::to_owned),
            ];
            (part, token)
                .prop_map(|(part, token)| format!("{part}{token}"))
                .boxed()
        })
        .collect();
    parts.prop_map(|parts| parts.concat())
}

#[test]
fn fuzz_publiccode() {
    let strategy = prop_oneof![
        4 => publiccode_in_order().prop_map(String::into_bytes),
        2 => soup(PUBLICCODE).prop_map(String::into_bytes),
        2 => (publiccode_in_order(), vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4))
            .prop_map(|(text, mutations)| mutate(text.into_bytes(), &mutations)),
        1 => raw_bytes(),
    ];
    run("publiccode.yml", cases(1.0), strategy, |bytes| {
        check_publiccode(&bytes)
    });
}

/// An operand of a content-stream operator.
fn pdf_operand() -> impl Strategy<Value = lopdf::Object> {
    use lopdf::{Object, StringFormat};
    let leaf = prop_oneof![
        any::<i64>().prop_map(Object::Integer),
        any::<f32>().prop_map(Object::Real),
        vec(any::<u8>(), 0..24).prop_map(|bytes| Object::String(bytes, StringFormat::Literal)),
        vec(any::<u8>(), 0..24).prop_map(|bytes| Object::String(bytes, StringFormat::Hexadecimal)),
        "[A-Za-z0-9]{0,6}".prop_map(|name| Object::Name(name.into_bytes())),
        Just(Object::Null),
        any::<bool>().prop_map(Object::Boolean),
    ];
    leaf.prop_recursive(2, 16, 6, |inner| vec(inner, 0..6).prop_map(Object::Array))
}

/// A content-stream operation: text operators mostly, any operator now and then.
fn pdf_operation() -> impl Strategy<Value = lopdf::content::Operation> {
    let operator = prop_oneof![
        8 => select(
            &[
                "BT", "ET", "Tj", "TJ", "'", "\"", "Tf", "Td", "TD", "Tm", "T*", "TL", "Tc",
                "Tw", "Tz", "Ts", "q", "Q", "cm", "Do", "BI", "ID", "EI", "gs",
            ][..]
        )
        .prop_map(str::to_owned),
        1 => "[A-Za-z*'\"]{1,3}",
    ];
    (operator, vec(pdf_operand(), 0..4))
        .prop_map(|(operator, operands)| lopdf::content::Operation::new(&operator, operands))
}

/// A `/ToUnicode` CMap made of CMap tokens, often broken.
fn to_unicode_cmap() -> impl Strategy<Value = Vec<u8>> {
    vec(
        select(
            &[
                "begincmap",
                "endcmap",
                "1 begincodespacerange",
                "endcodespacerange",
                "<00> <FF>",
                "<0000> <FFFF>",
                "2 beginbfchar",
                "endbfchar",
                "<01> <0041>",
                "<0041> <D83DDE00>",
                "<02> <00E0>",
                "1 beginbfrange",
                "endbfrange",
                "<00> <05> <0041>",
                "<00> <02> [<0041> <0042>]",
                "<FFFF> <0000> <0041>",
                "<",
                ">",
                "[",
                "]",
                "<ZZ>",
                "99999999 beginbfchar",
                " ",
                "\n",
            ][..],
        ),
        0..24,
    )
    .prop_map(|tokens| tokens.join(" ").into_bytes())
}

/// A one-page PDF with random text operations, font encoding and CMap, saved plain or
/// compressed.
fn built_pdf() -> impl Strategy<Value = Vec<u8>> {
    (
        vec(pdf_operation(), 0..16),
        select(
            &[
                "WinAnsiEncoding",
                "MacRomanEncoding",
                "StandardEncoding",
                "Identity-H",
                "PDFDocEncoding",
                "Nonsense",
            ][..],
        ),
        select(&["Type1", "Type0", "TrueType", "Type3"][..]),
        proptest::option::of(to_unicode_cmap()),
        any::<bool>(),
        "[ -~]{0,20}",
    )
        .prop_map(|(operations, encoding, subtype, cmap, compress, title)| {
            make_pdf(operations, encoding, subtype, cmap, compress, &title)
        })
}

fn make_pdf(
    operations: Vec<lopdf::content::Operation>,
    encoding: &str,
    subtype: &str,
    cmap: Option<Vec<u8>>,
    compress: bool,
    title: &str,
) -> Vec<u8> {
    use lopdf::content::Content;
    use lopdf::{dictionary, Document, Object, Stream};

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut font = dictionary! {
        "Type" => "Font",
        "Subtype" => subtype,
        "BaseFont" => "Helvetica",
        "Encoding" => encoding,
    };
    if let Some(cmap) = cmap {
        font.set(
            "ToUnicode",
            doc.add_object(Stream::new(dictionary! {}, cmap)),
        );
    }
    let font_id = doc.add_object(font);
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let content = Content { operations }.encode().unwrap_or_default();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
            "Resources" => resources_id,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info_id = doc.add_object(dictionary! { "Title" => Object::string_literal(title) });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    if compress {
        doc.compress();
    }
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap_or_default();
    bytes
}

/// A change to a file's bytes: flip, cut, insert, delete or repeat a run.
fn mutate(mut bytes: Vec<u8>, mutations: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, kind, value) in mutations {
        if bytes.is_empty() {
            break;
        }
        let at = at % bytes.len();
        match kind % 5 {
            0 => bytes[at] ^= value.max(1),
            1 => bytes.truncate(at),
            2 => bytes.insert(at, value),
            3 => {
                bytes.remove(at);
            }
            _ => {
                let end = (at + usize::from(value)).min(bytes.len());
                let run = bytes[at..end].to_vec();
                bytes.splice(at..at, run);
            }
        }
    }
    bytes
}

#[test]
fn fuzz_pdf() {
    let strategy = prop_oneof![
        3 => built_pdf(),
        4 => (built_pdf(), vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6))
            .prop_map(|(bytes, mutations)| mutate(bytes, &mutations)),
        1 => raw_bytes().prop_map(|bytes| [b"%PDF-1.4\n".as_slice(), &bytes].concat()),
    ];
    run("pdf", cases(1.0), strategy, |bytes| {
        if let Ok(parsed) = parse(Format::Pdf, &bytes) {
            prop_assert!(!parsed.body.trim().is_empty());
            prop_assert_eq!(normalise_paragraphs(&parsed.body), parsed.body);
        }
        Ok(())
    });
}
