//! The Italian and English catalogues, and rendering of their messages into a plain body and
//! an HTML body. User text passed as an argument is escaped in HTML; catalogue text is trusted
//! but escaped too, except that `backticks` become `<code>`, `**stars**` `<strong>` (dropped
//! from the plain body) and newlines `<br>`.
//!
//! Placeholders: `{name}` is an argument; `{name|one|other}` is the word that agrees with the
//! number in argument `name` ("1 voto", "2 voti"; in Italian and English alike, `one` is for
//! exactly 1 and `other` for every other number, 0 included).

use std::collections::HashMap;
use std::sync::LazyLock;

pub use pspm_config::Language;

mod keys;

pub use keys::Msg;

const IT_SOURCE: &str = include_str!("../../../i18n/it.toml");
const EN_SOURCE: &str = include_str!("../../../i18n/en.toml");

/// One language's templates, parsed once.
pub struct Catalogue {
    language: Language,
    templates: HashMap<String, String>,
}

static IT: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::parse(Language::It, IT_SOURCE));
static EN: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::parse(Language::En, EN_SOURCE));

impl Catalogue {
    pub fn get(language: Language) -> &'static Catalogue {
        match language {
            Language::It => &IT,
            Language::En => &EN,
        }
    }

    fn parse(language: Language, source: &str) -> Catalogue {
        // The catalogues are compiled in and checked by tests, so a broken one is a build
        // defect; an empty catalogue would still render each key's name rather than panic.
        let templates = toml::from_str(source).unwrap_or_default();
        Catalogue {
            language,
            templates,
        }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// How this language writes numbers (`1.234,5` or `1,234.5`).
    pub fn numbers(&self) -> crate::render::Numbers {
        match self.language {
            Language::It => crate::render::Numbers::Italian,
            Language::En => crate::render::Numbers::English,
        }
    }

    /// The raw template of a key; the key's name itself when missing, so nothing panics.
    pub fn template(&self, msg: Msg) -> &str {
        self.templates
            .get(msg.key())
            .map(String::as_str)
            .unwrap_or(msg.key())
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(String::as_str)
    }

    /// Renders a message with named arguments.
    pub fn render(&self, msg: Msg, args: &[(&str, &str)]) -> Rendered {
        render_template(self.template(msg), args)
    }

    /// Renders a message without arguments.
    pub fn text(&self, msg: Msg) -> Rendered {
        self.render(msg, &[])
    }
}

/// A message in both forms a Matrix `m.notice` carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    pub body: String,
    pub html: String,
}

impl Rendered {
    /// Users as Matrix pills: their IDs in the body, links to `matrix.to` in the HTML (which
    /// clients show as mentions).
    pub fn pills(users: &[String]) -> Rendered {
        let html = maud::html! {
            @for (i, user) in users.iter().enumerate() {
                @if i > 0 { ", " }
                a href=(format!("https://matrix.to/#/{user}")) { (user) }
            }
        };
        Rendered {
            body: users.join(", "),
            html: html.into_string(),
        }
    }

    /// This message followed by `other`, a space between.
    pub fn then(mut self, other: Rendered) -> Rendered {
        self.body.push(' ');
        self.body.push_str(&other.body);
        self.html.push(' ');
        self.html.push_str(&other.html);
        self
    }

    /// Joins messages as lines.
    pub fn lines(parts: impl IntoIterator<Item = Rendered>) -> Rendered {
        let mut out = Rendered::default();
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                out.body.push('\n');
                out.html.push_str("<br>");
            }
            out.body.push_str(&part.body);
            out.html.push_str(&part.html);
        }
        out
    }
}

/// Placeholder names in a template, in order of appearance.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let inside = &after[..end];
                names.push(inside.split('|').next().unwrap_or(inside));
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    names
}

fn render_template(template: &str, args: &[(&str, &str)]) -> Rendered {
    let mut body = String::with_capacity(template.len());
    let mut html = String::with_capacity(template.len() + 16);
    let mut in_code = false;
    let mut in_bold = false;
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('{') {
            if let Some(end) = after.find('}') {
                let mut parts = after[..end].split('|');
                let name = parts.next().unwrap_or_default();
                let forms = (parts.next(), parts.next());
                if let Some((_, value)) = args.iter().find(|(arg, _)| *arg == name) {
                    let word = match forms {
                        (Some(one), Some(other)) => plural_form(value, one, other),
                        _ => value,
                    };
                    body.push_str(word);
                    push_escaped(&mut html, word);
                    rest = &after[end + 1..];
                    continue;
                }
            }
        }
        if let Some(after) = rest.strip_prefix("**") {
            html.push_str(if in_bold { "</strong>" } else { "<strong>" });
            in_bold = !in_bold;
            rest = after;
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        rest = chars.as_str();
        match c {
            '`' => {
                body.push('`');
                html.push_str(if in_code { "</code>" } else { "<code>" });
                in_code = !in_code;
            }
            '\n' => {
                body.push('\n');
                html.push_str("<br>");
            }
            _ => {
                body.push(c);
                let mut buffer = [0; 4];
                push_escaped(&mut html, c.encode_utf8(&mut buffer));
            }
        }
    }
    if in_code {
        html.push_str("</code>");
    }
    if in_bold {
        html.push_str("</strong>");
    }
    Rendered { body, html }
}

/// The form of a word that agrees with `number` (Italian and English: `one` only for 1).
fn plural_form<'a>(number: &str, one: &'a str, other: &'a str) -> &'a str {
    if number.trim().parse::<f64>() == Ok(1.0) {
        one
    } else {
        other
    }
}

/// Escapes text for an HTML `formatted_body`.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// User text into an HTML body with the project's one escaper (maud's: `&`, `<`, `>` and `"`,
/// so it is safe in double-quoted attributes too), its line breaks as `<br>`.
fn push_escaped(out: &mut String, text: &str) {
    use std::fmt::Write as _;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        // Writing into a String cannot fail.
        let _ = maud::Escaper::new(out).write_str(line);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_key_is_in_both_catalogues_with_the_same_placeholders() {
        let it = Catalogue::get(Language::It);
        let en = Catalogue::get(Language::En);
        let expected: BTreeSet<&str> = Msg::ALL.iter().map(|m| m.key()).collect();
        assert_eq!(it.keys().collect::<BTreeSet<_>>(), expected, "it.toml keys");
        assert_eq!(en.keys().collect::<BTreeSet<_>>(), expected, "en.toml keys");
        for &msg in Msg::ALL {
            let (it_t, en_t) = (it.template(msg), en.template(msg));
            assert!(
                !it_t.trim().is_empty() && !en_t.trim().is_empty(),
                "{msg:?} empty"
            );
            let (mut a, mut b) = (placeholders(it_t), placeholders(en_t));
            a.sort();
            b.sort();
            assert_eq!(a, b, "placeholders of {msg:?} differ between it and en");
            assert_eq!(
                it_t.matches('`').count() % 2,
                0,
                "unbalanced backticks in it {msg:?}"
            );
            assert_eq!(
                en_t.matches('`').count() % 2,
                0,
                "unbalanced backticks in en {msg:?}"
            );
        }
    }

    #[test]
    fn user_text_is_escaped_in_html_only() {
        let it = Catalogue::get(Language::It);
        let r = it.render(Msg::UnknownReply, &[("name", "<b>x</b> & \"y\"")]);
        assert!(r.body.contains("«<b>x</b> & \"y\"»"), "{}", r.body);
        assert!(
            r.html.contains("&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<code>!help</code>"), "{}", r.html);
        assert!(!r.html.contains("<b>"));
    }

    #[test]
    fn lines_join_both_forms() {
        let en = Catalogue::get(Language::En);
        let joined = Rendered::lines([en.text(Msg::HelpHeader), en.text(Msg::HelpFooter)]);
        assert_eq!(joined.body.lines().count(), 2);
        assert!(joined.html.contains("<br>"));
    }

    #[test]
    fn plural_forms_agree_with_their_number() {
        let it = Catalogue::get(Language::It);
        let line = |votes: &str| {
            it.render(
                Msg::CloseLine,
                &[
                    ("rank", "1"),
                    ("number", "4"),
                    ("title", "T"),
                    ("votes", votes),
                ],
            )
            .body
        };
        assert!(line("1").ends_with("— 1 voto"), "{}", line("1"));
        assert!(line("0").ends_with("— 0 voti"), "{}", line("0"));
        assert!(line("12").ends_with("— 12 voti"), "{}", line("12"));
        let en = Catalogue::get(Language::En);
        let ready = |proposals: &str, comments: &str| {
            en.render(
                Msg::ExportReady,
                &[
                    ("proposals", proposals),
                    ("comments", comments),
                    ("files", "f"),
                ],
            )
            .body
        };
        assert!(
            ready("1", "2").contains("1 proposal, 2 comments"),
            "{}",
            ready("1", "2")
        );
        assert!(
            ready("3", "1").contains("3 proposals, 1 comment "),
            "{}",
            ready("3", "1")
        );
    }

    #[test]
    fn missing_argument_leaves_the_placeholder_visible() {
        let r = render_template("a {x} b {y}", &[("y", "2")]);
        assert_eq!(r.body, "a {x} b 2");
    }
}
