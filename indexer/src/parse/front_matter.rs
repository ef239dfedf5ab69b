//! Front matter: YAML between `---` lines (a small subset: `key: value`, `key: [a, b]` and
//! `- item` lists, which is what practice files use) or TOML between `+++` lines.

use std::collections::BTreeMap;

use crate::practice::{PracticeLanguage, PracticeType};

/// Metadata a file declares about itself. Unknown keys are ignored; so are values that do
/// not parse (a warning is logged), since one bad key should not lose the document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub id: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub practice_type: Option<PracticeType>,
    pub organisation: Option<String>,
    pub year: Option<i32>,
    pub tags: Vec<String>,
    pub language: Option<PracticeLanguage>,
    pub licence: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    List(Vec<String>),
}

impl Value {
    fn into_text(self) -> String {
        match self {
            Value::Text(text) => text,
            Value::List(items) => items.join(", "),
        }
    }

    fn into_list(self) -> Vec<String> {
        match self {
            Value::Text(text) => text
                .split(',')
                .map(|item| item.trim().to_string())
                .filter(|item| !item.is_empty())
                .collect(),
            Value::List(items) => items,
        }
    }
}

/// Splits leading front matter off `text`: returns the metadata and the rest.
/// Text without front matter comes back whole with empty metadata.
pub(crate) fn split(text: &str) -> (FrontMatter, &str) {
    for (fence, is_toml) in [("---", false), ("+++", true)] {
        let Some(after_open) = text.strip_prefix(fence) else {
            continue;
        };
        let Some(after_open) = after_open.strip_prefix('\n') else {
            continue;
        };
        let closing = format!("\n{fence}");
        let (block, rest) = if let Some(rest) = after_open.strip_prefix(fence) {
            ("", rest)
        } else if let Some(end) = after_open.find(&closing) {
            (&after_open[..end], &after_open[end + closing.len()..])
        } else {
            // An opening fence never closed is content, not metadata.
            return (FrontMatter::default(), text);
        };
        let rest = rest.split_once('\n').map_or("", |(_, rest)| rest);
        let values = if is_toml {
            toml_values(block)
        } else {
            yaml_values(block)
        };
        return (FrontMatter::from_values(values), rest);
    }
    (FrontMatter::default(), text)
}

fn unquote(text: &str) -> String {
    let text = text.trim();
    for quote in ['"', '\''] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            return text[1..text.len() - 1].to_string();
        }
    }
    text.to_string()
}

fn yaml_values(block: &str) -> BTreeMap<String, Value> {
    let mut values = BTreeMap::new();
    let mut open_list: Option<String> = None;
    for line in block.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(item) = trimmed
            .strip_prefix("- ")
            .or(trimmed.strip_prefix('-').filter(|rest| rest.is_empty()))
        {
            if let Some(key) = &open_list {
                if let Some(Value::List(items)) = values.get_mut(key) {
                    let item = unquote(item);
                    if !item.is_empty() {
                        items.push(item);
                    }
                }
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let key = key.trim().to_lowercase();
        let value = value.trim();
        if value.is_empty() {
            values.insert(key.clone(), Value::List(Vec::new()));
            open_list = Some(key);
        } else if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            let items = inner
                .split(',')
                .map(unquote)
                .filter(|item| !item.is_empty())
                .collect();
            values.insert(key, Value::List(items));
            open_list = None;
        } else {
            values.insert(key, Value::Text(unquote(value)));
            open_list = None;
        }
    }
    values
}

fn toml_values(block: &str) -> BTreeMap<String, Value> {
    let table: toml::Table = match block.parse() {
        Ok(table) => table,
        Err(error) => {
            tracing::warn!(%error, "ignoring TOML front matter that does not parse");
            return BTreeMap::new();
        }
    };
    table
        .into_iter()
        .filter_map(|(key, value)| {
            let value = match value {
                toml::Value::Array(items) => {
                    Value::List(items.into_iter().filter_map(toml_scalar).collect())
                }
                other => Value::Text(toml_scalar(other)?),
            };
            Some((key.to_lowercase(), value))
        })
        .collect()
}

fn toml_scalar(value: toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text),
        toml::Value::Integer(number) => Some(number.to_string()),
        toml::Value::Float(number) => Some(number.to_string()),
        toml::Value::Boolean(flag) => Some(flag.to_string()),
        toml::Value::Datetime(datetime) => Some(datetime.to_string()),
        toml::Value::Array(_) | toml::Value::Table(_) => None,
    }
}

/// Reads a year from `2020`, `2020-05-01` or similar.
pub(crate) fn parse_year(text: &str) -> Option<i32> {
    let digits: String = text
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.len() != 4 {
        return None;
    }
    digits.parse().ok()
}

impl FrontMatter {
    fn from_values(values: BTreeMap<String, Value>) -> FrontMatter {
        let mut front_matter = FrontMatter::default();
        for (key, value) in values {
            // Italian and American spellings are accepted alongside the canonical keys.
            match key.as_str() {
                "id" => front_matter.id = non_empty(value.into_text()),
                "title" | "titolo" => front_matter.title = non_empty(value.into_text()),
                "summary" | "description" | "descrizione" | "sommario" | "abstract" => {
                    front_matter.summary = non_empty(value.into_text())
                }
                "type" | "tipo" => {
                    let text = value.into_text();
                    match text.parse() {
                        Ok(practice_type) => front_matter.practice_type = Some(practice_type),
                        Err(_) => tracing::warn!(value = %text, "ignoring unknown practice type"),
                    }
                }
                "organisation" | "organization" | "org" | "ente" | "organizzazione" => {
                    front_matter.organisation = non_empty(value.into_text())
                }
                "year" | "anno" | "date" | "data" => {
                    let text = value.into_text();
                    match parse_year(&text) {
                        Some(year) => front_matter.year = Some(year),
                        None => tracing::warn!(value = %text, "ignoring a year that is not one"),
                    }
                }
                "tags" | "tag" | "keywords" | "parole_chiave" | "etichette" => {
                    front_matter.tags = value.into_list()
                }
                "language" | "lang" | "lingua" => {
                    let text = value.into_text();
                    match text.parse() {
                        Ok(language) => front_matter.language = Some(language),
                        Err(_) => tracing::warn!(value = %text, "ignoring unknown language"),
                    }
                }
                "licence" | "license" | "licenza" => {
                    front_matter.licence = non_empty(value.into_text())
                }
                "source" | "url" | "fonte" => front_matter.source = non_empty(value.into_text()),
                _ => {}
            }
        }
        front_matter
    }
}

fn non_empty(text: String) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_subset_reads_scalars_inline_and_block_lists() {
        let text = "---\ntitle: \"Piano triennale\"\ntipo: piano-strategico\nanno: 2021\n\
                    tags:\n  - dati\n  - 'cloud'\norg: Comune di Roma\n\
                    lang: it\nlicense: CC-BY 4.0\nunknown: x\n---\nBody here\n";
        let (front_matter, rest) = split(text);
        assert_eq!(rest, "Body here\n");
        assert_eq!(front_matter.title.as_deref(), Some("Piano triennale"));
        assert_eq!(
            front_matter.practice_type,
            Some(PracticeType::StrategicPlan)
        );
        assert_eq!(front_matter.year, Some(2021));
        assert_eq!(front_matter.tags, vec!["dati", "cloud"]);
        assert_eq!(front_matter.organisation.as_deref(), Some("Comune di Roma"));
        assert_eq!(front_matter.language, Some(PracticeLanguage::It));
        assert_eq!(front_matter.licence.as_deref(), Some("CC-BY 4.0"));
        let (inline, _) = split("---\ntags: [dati, 'open data']\n---\n");
        assert_eq!(inline.tags, vec!["dati", "open data"]);
    }

    #[test]
    fn toml_front_matter_is_read() {
        let text = "+++\ntitle = \"Guide\"\nyear = 2019\ntags = [\"a\", \"b\"]\n+++\nText";
        let (front_matter, rest) = split(text);
        assert_eq!(rest, "Text");
        assert_eq!(front_matter.title.as_deref(), Some("Guide"));
        assert_eq!(front_matter.year, Some(2019));
        assert_eq!(front_matter.tags, vec!["a", "b"]);
    }

    #[test]
    fn unclosed_or_absent_front_matter_leaves_text_alone() {
        let text = "---\ntitle: x\nno closing fence";
        assert_eq!(split(text), (FrontMatter::default(), text));
        assert_eq!(split("# Title"), (FrontMatter::default(), "# Title"));
    }
}
