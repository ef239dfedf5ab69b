//! HTML to plain text with a small tag scanner: no DOM, script and style skipped, block
//! elements become paragraph breaks, common entities decoded.

use super::{collapse_whitespace, normalise_paragraphs, ParsedDocument};

/// Elements whose content is never text for people.
const SKIPPED_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "head", "title",
];

/// Elements that end a paragraph.
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "dl",
    "figure",
    "figcaption",
    "form",
    "td",
    "th",
    "body",
];

pub(crate) fn parse(text: &str) -> ParsedDocument {
    let mut out = String::with_capacity(text.len() / 2);
    let title_tag = title_element(text);
    let mut first_h1: Option<String> = None;
    let mut h1_text: Option<String> = None;
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        push_text(&rest[..open], &mut out, &mut h1_text);
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(close) = rest.find('>') else {
            // A stray `<` with no tag after it is text.
            push_text(rest, &mut out, &mut h1_text);
            rest = "";
            break;
        };
        let tag = &rest[1..close];
        rest = &rest[close + 1..];
        let is_closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !is_closing && SKIPPED_ELEMENTS.contains(&name.as_str()) && !tag.ends_with('/') {
            let end = find_closing(rest, &name);
            rest = &rest[end..];
            rest = rest.find('>').map_or("", |gt| &rest[gt + 1..]);
            continue;
        }
        if name == "h1" {
            if is_closing {
                if first_h1.is_none() {
                    first_h1 = h1_text.take().map(|text| collapse_whitespace(&text));
                }
                h1_text = None;
            } else if first_h1.is_none() {
                h1_text = Some(String::new());
            }
        }
        if BLOCK_ELEMENTS.contains(&name.as_str()) {
            out.push_str(if name == "br" { "\n" } else { "\n\n" });
        }
    }
    push_text(rest, &mut out, &mut h1_text);
    let title = title_tag
        .filter(|title| !title.is_empty())
        .or(first_h1.filter(|h1| !h1.is_empty()));
    ParsedDocument {
        title,
        body: normalise_paragraphs(&out),
        front_matter: Default::default(),
    }
}

fn push_text(raw: &str, out: &mut String, h1_text: &mut Option<String>) {
    if raw.is_empty() {
        return;
    }
    let decoded = decode_entities(raw);
    // Source newlines are not paragraph breaks in HTML.
    let flowed = decoded.replace('\n', " ");
    if let Some(h1) = h1_text {
        h1.push_str(&flowed);
    }
    out.push_str(&flowed);
}

/// The text of `<title>`, which lives in `<head>` (skipped as body text).
fn title_element(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let content_start = open + lower[open..].find('>')? + 1;
    let content_end = content_start + lower[content_start..].find("</title")?;
    Some(collapse_whitespace(&decode_entities(&strip_tags(
        &text[content_start..content_end],
    ))))
}

/// Byte offset of `</name` in `text` (case-insensitive), or the end of the text. It reads
/// only up to the match, which the caller then skips: each byte is read once, however many
/// elements are skipped (lowercasing the rest of the file per element was quadratic).
fn find_closing(text: &str, name: &str) -> usize {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = text[from..].find("</") {
        let at = from + offset;
        let after = &bytes[at + 2..];
        if after.len() >= name.len() && after[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return at;
        }
        from = at + 2;
    }
    text.len()
}

fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Longest entity name read between `&` and `;` (`#x10FFFF` and `hellip` fit).
const MAX_ENTITY_BYTES: usize = 10;

/// Decodes numeric entities and the named ones Italian and English documents use.
pub(crate) fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Entities are short: looking further for the `;` would read the rest of the text
        // again at every `&`.
        let decoded = rest.as_bytes()[1..]
            .iter()
            .take(MAX_ENTITY_BYTES + 1)
            .position(|&byte| byte == b';')
            .and_then(|semicolon| Some((entity(&rest[1..1 + semicolon])?, semicolon + 2)));
        match decoded {
            Some((c, consumed)) => {
                out.push(c);
                rest = &rest[consumed..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code);
    }
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "agrave" => 'à',
        "aacute" => 'á',
        "egrave" => 'è',
        "eacute" => 'é',
        "igrave" => 'ì',
        "iacute" => 'í',
        "ograve" => 'ò',
        "oacute" => 'ó',
        "ugrave" => 'ù',
        "uacute" => 'ú',
        "Agrave" => 'À',
        "Egrave" => 'È',
        "Eacute" => 'É',
        "Igrave" => 'Ì',
        "Ograve" => 'Ò',
        "Ugrave" => 'Ù',
        "ccedil" => 'ç',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "laquo" => '«',
        "raquo" => '»',
        "hellip" => '…',
        "ndash" => '–',
        "mdash" => '—',
        "euro" => '€',
        "copy" => '©',
        "reg" => '®',
        "deg" => '°',
        "middot" => '·',
        "bull" => '•',
        _ => return None,
    };
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_without_markup_scripts_or_styles() {
        let html = "<html><head><title>Buone pratiche &amp; qualit&agrave;</title>\
                    <style>p{color:red}</style></head><body><h1>Intestazione</h1>\
                    <script>var x = '<p>no</p>';</script><p>Il <b>comune</b> ha\n\
                    pubblicato &laquo;dati&raquo; &#8211; 3 &lt; 4.</p><!-- nascosto -->\
                    <ul><li>uno</li><li>due</li></ul></body></html>";
        let parsed = parse(html);
        assert_eq!(parsed.title.as_deref(), Some("Buone pratiche & qualità"));
        assert_eq!(
            parsed.body,
            "Intestazione\n\nIl comune ha pubblicato «dati» – 3 < 4.\n\nuno\n\ndue"
        );
    }

    #[test]
    fn html_title_falls_back_to_the_first_h1() {
        let parsed = parse("<body><h1>Piano <i>2024</i></h1><p>Testo</p><h1>Altro</h1></body>");
        assert_eq!(parsed.title.as_deref(), Some("Piano 2024"));
    }

    #[test]
    fn unknown_or_broken_entities_stay_as_text() {
        assert_eq!(
            decode_entities("a &foo; b & c &#xZZ;"),
            "a &foo; b & c &#xZZ;"
        );
    }
}
