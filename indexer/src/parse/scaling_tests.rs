//! Parsing time grows linearly with the input, also for input built to make a scanner look
//! ahead to the end of the file again and again: ten times the input must take about ten
//! times as long (a quadratic scanner takes a hundred). Each case prints its figures (shown
//! with `--nocapture`).

use std::time::{Duration, Instant};

use super::{parse, Format};

/// One parse of `input`, timed.
fn parse_time(format: Format, input: &[u8]) -> Duration {
    let started = Instant::now();
    let parsed = parse(format, input);
    let elapsed = started.elapsed();
    assert!(parsed.is_ok());
    elapsed
}

/// Fails when `make(10 n)` takes more than 40 times as long as `make(n)`: linear time gives
/// about 10 (up to 20 on a busy machine), quadratic time 100 and more (the scanners before
/// these tests took 130 to 360). Each size is timed seven times, alternately, and the best
/// run counts, so that other work on the machine slows neither size alone.
fn assert_linear(case: &str, format: Format, n: usize, make: impl Fn(usize) -> String) {
    let small = make(n);
    let large = make(10 * n);
    let (mut small_time, mut large_time) = (Duration::MAX, Duration::MAX);
    for _ in 0..7 {
        small_time = small_time.min(parse_time(format, small.as_bytes()));
        large_time = large_time.min(parse_time(format, large.as_bytes()));
    }
    let ratio = large_time.as_secs_f64() / small_time.as_secs_f64().max(1e-9);
    eprintln!(
        "{case}: {} bytes in {:.2} ms, {} bytes in {:.2} ms: {ratio:.1}× the time for 10× the input",
        small.len(),
        small_time.as_secs_f64() * 1e3,
        large.len(),
        large_time.as_secs_f64() * 1e3,
    );
    assert!(
        ratio < 40.0,
        "{case}: 10× the input took {ratio:.1}× the time ({small_time:?} → {large_time:?})"
    );
}

#[test]
fn html_time_is_linear_in_skipped_elements() {
    assert_linear("html skipped elements", Format::Html, 300, |n| {
        "<script>var a = 1;</script><p>Testo del paragrafo.</p><style>p{}</style>".repeat(n)
    });
}

#[test]
fn html_time_is_linear_in_ampersands() {
    assert_linear("html ampersands", Format::Html, 3_000, |n| {
        format!("<p>{}</p>", "a & b ".repeat(n))
    });
}

#[test]
fn markdown_time_is_linear_in_unclosed_brackets() {
    assert_linear("markdown brackets", Format::Markdown, 1_000, |n| {
        format!("{}\n", "[a <b ![c](d ".repeat(n))
    });
}

#[test]
fn restructured_text_time_is_linear_in_unclosed_references() {
    assert_linear("rst references", Format::ReStructuredText, 3_000, |n| {
        format!("{}\n", "[a ".repeat(n))
    });
}

/// A valid `publiccode.yml` with `features` and `dependencies` in the lists they name.
fn publiccode(features: &str, dependencies: &str) -> String {
    format!(
        "publiccodeYmlVersion: \"0.4\"\nname: Prova\nurl: https://example.org/prova.git\n\
         description:\n  it:\n    shortDescription: Breve\n    features:\n{features}\
         dependsOn:\n  open:\n{dependencies}"
    )
}

#[test]
fn publiccode_time_is_linear_in_features_and_skipped_keys() {
    assert_linear("publiccode features", Format::PublicCode, 500, |n| {
        publiccode(&"      - Prenotazione degli appuntamenti\n".repeat(n), "")
    });
    assert_linear("publiccode skipped keys", Format::PublicCode, 500, |n| {
        publiccode(
            "",
            &"    - {name: PostgreSQL, versionMin: \"13\", optional: [true]}\n".repeat(n),
        )
    });
}

/// `depth` directives, each nested in the one before, each holding a paragraph.
fn nested_directives(depth: usize, paragraph: &str) -> String {
    (0..depth)
        .map(|level| {
            let indent = "\t".repeat(level);
            format!("{indent}.. note::\n\n{indent}\t{paragraph}\n\n")
        })
        .collect()
}

#[test]
fn restructured_text_time_is_linear_in_nested_directives() {
    // A parser that parses each level's block again reads a paragraph once per level above
    // it: depth times size.
    let paragraph = "testo della nota ".repeat(60);
    assert_linear("rst nested directives", Format::ReStructuredText, 20, |n| {
        nested_directives(n, &paragraph)
    });
}

#[test]
fn deeply_nested_directives_do_not_exhaust_the_stack() {
    // 3,000 levels is 4.5 MB of tabs; a test thread has 2 MB of stack.
    let parsed = parse(
        Format::ReStructuredText,
        nested_directives(3_000, "profondo").as_bytes(),
    )
    .expect("text parses");
    assert_eq!(parsed.body.matches("profondo").count(), 3_000);
}

#[test]
fn deeply_nested_toml_front_matter_and_pdf_arrays_are_refused_or_read() {
    // Recursive-descent parsers of nested values: a stack overflow would abort the ingest.
    let toml = format!("+++\nx = {}\n+++\ntesto\n", "[".repeat(200_000));
    let parsed = parse(Format::Markdown, toml.as_bytes()).expect("text parses");
    assert_eq!(parsed.body, "testo");
    let pdf = format!(
        "%PDF-1.4\n1 0 obj\n{}\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        "[".repeat(200_000)
    );
    assert!(parse(Format::Pdf, pdf.as_bytes()).is_err());
}
