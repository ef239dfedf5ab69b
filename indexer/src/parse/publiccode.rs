//! `publiccode.yml` (or `.yaml`), the metadata file of public software in the Italian reuse
//! catalogue (AgID's guidelines on acquiring and reusing software; the standard is
//! <https://yml.publiccode.tools>): a valid one becomes a `software` practice, its name the
//! title and its descriptions, Italian and English, the body. The metadata it gives goes
//! through [`FrontMatter`], as a Markdown file's front matter does.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{collapse_whitespace, markdown, normalise_paragraphs, FrontMatter, ParsedDocument};
use crate::practice::{PracticeLanguage, PracticeType};

/// The names the file goes by (any case).
const FILE_NAMES: [&str; 2] = ["publiccode.yml", "publiccode.yaml"];

/// Whether a file named `name` is a `publiccode.yml`.
pub(crate) fn is_publiccode(name: &str) -> bool {
    FILE_NAMES
        .iter()
        .any(|known| name.eq_ignore_ascii_case(known))
}

/// The keys read, of every version (0.2's `it.riuso.codiceIPA` to 0.4's `organisation`); the
/// rest of the standard (platforms, maintenance, dependencies, …) is skipped unread, and a
/// key missing here is checked after, so that the reason names it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublicCode {
    publiccode_yml_version: Option<String>,
    name: Option<String>,
    url: Option<String>,
    #[serde(rename = "landingURL")]
    landing_url: Option<String>,
    release_date: Option<String>,
    categories: Option<Vec<String>>,
    /// By language tag (BCP 47: `it`, `en`, `en-GB`, …).
    description: Option<BTreeMap<String, Description>>,
    legal: Option<Legal>,
    /// Since 0.4: the administration that publishes the software.
    organisation: Option<Organisation>,
    /// The development version's name for `organisation.uri`.
    organization_uri: Option<String>,
    /// The Italian extension: `it` up to 0.2, `IT` after.
    #[serde(alias = "IT")]
    it: Option<Italy>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Description {
    localised_name: Option<String>,
    short_description: Option<String>,
    long_description: Option<String>,
    features: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Legal {
    license: Option<String>,
    main_copyright_owner: Option<String>,
    repo_owner: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Organisation {
    uri: Option<String>,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Italy {
    riuso: Option<Riuso>,
}

#[derive(Debug, Deserialize)]
struct Riuso {
    #[serde(rename = "codiceIPA")]
    codice_ipa: Option<String>,
}

/// The `releaseDate` of software never released as a version: the Unix epoch, no year.
const NO_RELEASE: &str = "1970-01-01";

/// How an Italian administration's URI names it by its IPA code (`urn:x-italian-pa:c_h501`).
const ITALIAN_PA_URN: &str = "urn:x-italian-pa:";

/// Reads a `publiccode.yml`; the error says, for a person, why it is not a valid one.
pub(crate) fn parse(text: &str) -> Result<ParsedDocument, String> {
    let file = read(text)?;
    let invalid = |reason: String| format!("not a valid publiccode.yml: {reason}");

    let version = non_empty(file.publiccode_yml_version.as_deref());
    let name = non_empty(file.name.as_deref());
    let url = non_empty(file.url.as_deref());
    let missing: Vec<&str> = [
        ("publiccodeYmlVersion", version.is_none()),
        ("name", name.is_none()),
        ("url", url.is_none()),
    ]
    .into_iter()
    .filter_map(|(key, absent)| absent.then_some(key))
    .collect();
    let (Some(name), Some(url), []) = (name, url, missing.as_slice()) else {
        return Err(invalid(match missing.split_last() {
            Some((key, [])) => format!("the mandatory key {key} is missing"),
            Some((last, first)) => {
                format!(
                    "the mandatory keys {} and {last} are missing",
                    first.join(", ")
                )
            }
            None => "a mandatory key is missing".to_string(),
        }));
    };

    let year =
        match non_empty(file.release_date.as_deref()) {
            Some(date) if date != NO_RELEASE => Some(release_year(&date).ok_or_else(|| {
                invalid(format!("releaseDate {date:?} is not a date (YYYY-MM-DD)"))
            })?),
            _ => None,
        };

    let sections = described(&name, file.description.as_ref());
    if sections.is_empty() {
        return Err(invalid(
            "description has no language with text (it needs one, such as \
             description: it: shortDescription: …)"
                .to_string(),
        ));
    }
    let language = if sections
        .iter()
        .any(|(tag, _, _)| primary_language(tag) == "it")
    {
        PracticeLanguage::It
    } else {
        PracticeLanguage::En
    };
    let summary = sections
        .iter()
        .find_map(|(_, section, _)| non_empty(section.short_description.as_deref()));
    // Each language in turn, so that a search in either finds the software.
    let body = sections
        .iter()
        .map(|(_, _, text)| text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");

    let legal = file.legal.as_ref();
    let organisation = file
        .organisation
        .as_ref()
        .and_then(|organisation| non_empty(organisation.name.as_deref()))
        .or_else(|| legal.and_then(|legal| non_empty(legal.main_copyright_owner.as_deref())))
        .or_else(|| legal.and_then(|legal| non_empty(legal.repo_owner.as_deref())))
        // An administration the file names only by its code is still one to filter by.
        .or_else(|| ipa_code(&file).map(|code| format!("codice IPA {code}")));
    let mut tags: Vec<String> = Vec::new();
    for category in file.categories.iter().flatten() {
        if let Some(category) = non_empty(Some(category)) {
            if !tags.contains(&category) {
                tags.push(category);
            }
        }
    }
    Ok(ParsedDocument {
        title: Some(name.clone()),
        body,
        front_matter: FrontMatter {
            id: None,
            title: Some(name),
            summary,
            practice_type: Some(PracticeType::Software),
            organisation,
            year,
            tags,
            language: Some(language),
            licence: legal.and_then(|legal| non_empty(legal.license.as_deref())),
            // The landing page is for people; `url` may serve only a version-control client.
            source: non_empty(file.landing_url.as_deref()).or(Some(url)),
        },
    })
}

/// Parses the YAML into the keys read; a syntax error or a key of the wrong kind is the
/// reason, with the key's path and the line.
fn read(text: &str) -> Result<PublicCode, String> {
    // Without a snippet: the reason is one line of `index add`'s report.
    let options = serde_saphyr::options! { with_snippet: false };
    let mut path = String::new();
    let file = serde_saphyr::with_deserializer_from_str_with_options(text, options, |yaml| {
        serde_path_to_error::deserialize(yaml).map_err(|error| {
            path = error.path().to_string();
            error.into_inner()
        })
    });
    file.map_err(|error| {
        // The message for people, without the library's advice to programmers.
        let message = error.render_with_formatter(&serde_saphyr::UserMessageFormatter);
        let at = if path.is_empty() || path == "." || path == "?" {
            String::new()
        } else {
            format!("{path}: ")
        };
        // On one line, whatever the keys of the path hold.
        collapse_whitespace(&format!("not a valid publiccode.yml: {at}{message}"))
    })
}

/// The text, trimmed and on one line; `None` when there is none.
fn non_empty(text: Option<&str>) -> Option<String> {
    let text = collapse_whitespace(text?);
    (!text.is_empty()).then_some(text)
}

/// The year of a `YYYY-MM-DD` date that exists (the only form of date the standard allows).
fn release_year(date: &str) -> Option<i32> {
    let well_formed = date.len() == 10
        && date.char_indices().all(|(at, c)| match at {
            4 | 7 => c == '-',
            _ => c.is_ascii_digit(),
        });
    if !well_formed {
        return None;
    }
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(chrono::Datelike::year(&date))
}

/// The language of a BCP 47 tag: its primary subtag (`en` of `en-GB`), in lower case; the
/// first drafts' three-letter `ita` and `eng` are `it` and `en`.
fn primary_language(tag: &str) -> String {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match primary.as_str() {
        "ita" => "it".to_string(),
        "eng" => "en".to_string(),
        _ => primary,
    }
}

/// The descriptions that give some text, each with it: Italian first, then English, then
/// the others in the order of their tags.
fn described<'a>(
    name: &str,
    descriptions: Option<&'a BTreeMap<String, Description>>,
) -> Vec<(&'a str, &'a Description, String)> {
    let mut sections: Vec<(&str, &Description, String)> = descriptions
        .into_iter()
        .flatten()
        .map(|(tag, section)| (tag.as_str(), section, section_text(name, section)))
        .filter(|(_, _, text)| !text.is_empty())
        .collect();
    sections.sort_by_key(|(tag, _, _)| match primary_language(tag).as_str() {
        "it" => 0,
        "en" => 1,
        _ => 2,
    });
    sections
}

/// One language's description as paragraphs: its own name (when it differs), short
/// description, long description (basic Markdown, as text) and features.
fn section_text(name: &str, section: &Description) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    if let Some(localised) = non_empty(section.localised_name.as_deref()) {
        if !localised.eq_ignore_ascii_case(name) {
            paragraphs.push(localised);
        }
    }
    paragraphs.extend(non_empty(section.short_description.as_deref()));
    if let Some(long) = section.long_description.as_deref() {
        paragraphs.push(markdown::plain_text(long));
    }
    let features: Vec<String> = section
        .features
        .iter()
        .flatten()
        .filter_map(|feature| non_empty(Some(feature)))
        .collect();
    if !features.is_empty() {
        paragraphs.push(features.join("; "));
    }
    normalise_paragraphs(&paragraphs.join("\n\n"))
}

/// The administration's code in the IPA index, from 0.2's `it.riuso.codiceIPA` or 0.4's
/// `organisation.uri` (`urn:x-italian-pa:` and the code).
fn ipa_code(file: &PublicCode) -> Option<String> {
    let from_uri = [
        file.organisation
            .as_ref()
            .and_then(|organisation| organisation.uri.as_deref()),
        file.organization_uri.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find_map(|uri| non_empty(uri.trim().strip_prefix(ITALIAN_PA_URN)));
    from_uri.or_else(|| {
        let riuso = file.it.as_ref()?.riuso.as_ref()?;
        non_empty(riuso.codice_ipa.as_deref())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest file that is valid, with `extra` lines after it.
    fn minimal(extra: &str) -> String {
        format!(
            "publiccodeYmlVersion: \"0.4\"\nname: Segnalazioni\n\
             url: \"https://example.org/comune/segnalazioni.git\"\n{extra}"
        )
    }

    const DESCRIPTION_EN: &str =
        "description:\n  en:\n    shortDescription: Reports of broken street lights\n";

    #[test]
    fn the_file_names_it_goes_by() {
        assert!(is_publiccode("publiccode.yml"));
        assert!(is_publiccode("PublicCode.YAML"));
        assert!(!is_publiccode("publiccode.yml.bak"));
        assert!(!is_publiccode("docker-compose.yml"));
    }

    #[test]
    fn mandatory_keys_are_named_when_missing() {
        assert_eq!(
            parse("name: Segnalazioni\n").unwrap_err(),
            "not a valid publiccode.yml: the mandatory keys publiccodeYmlVersion and url are missing"
        );
        assert_eq!(
            parse("publiccodeYmlVersion: '0.2'\nname: ''\nurl: https://x.it\n").unwrap_err(),
            "not a valid publiccode.yml: the mandatory key name is missing"
        );
        // An empty file is a YAML document without keys.
        assert_eq!(
            parse("").unwrap_err(),
            "not a valid publiccode.yml: the mandatory keys publiccodeYmlVersion, name and url \
             are missing"
        );
    }

    #[test]
    fn a_description_in_some_language_is_required() {
        for description in [
            "",
            "description: {}\n",
            "description:\n  it:\n    features: []\n",
        ] {
            assert_eq!(
                parse(&minimal(description)).unwrap_err(),
                "not a valid publiccode.yml: description has no language with text (it needs \
                 one, such as description: it: shortDescription: …)",
                "{description:?}"
            );
        }
    }

    #[test]
    fn release_dates_must_be_real_days() {
        let with_date = |date: &str| minimal(&format!("releaseDate: \"{date}\"\n{DESCRIPTION_EN}"));
        assert_eq!(
            parse(&with_date("2023-02-28")).map(|parsed| parsed.front_matter.year),
            Ok(Some(2023))
        );
        for bad in [
            "2023-02-30",
            "2023-2-8",
            "28/02/2023",
            "soon",
            "+2023-02-28",
        ] {
            assert_eq!(
                parse(&with_date(bad)).unwrap_err(),
                format!(
                    "not a valid publiccode.yml: releaseDate {bad:?} is not a date (YYYY-MM-DD)"
                )
            );
        }
        // Unquoted, YAML would read a timestamp: it is still the text of the date.
        let unquoted = minimal(&format!("releaseDate: 2021-10-01\n{DESCRIPTION_EN}"));
        assert_eq!(
            parse(&unquoted).map(|p| p.front_matter.year),
            Ok(Some(2021))
        );
        assert_eq!(
            parse(&with_date("1970-01-01")).map(|parsed| parsed.front_matter.year),
            Ok(None)
        );
    }

    #[test]
    fn yaml_errors_name_the_key_and_the_line() {
        assert_eq!(
            parse(&minimal(
                "description:\n  it:\n    features:\n      - {a: b}\n"
            ))
            .unwrap_err(),
            "not a valid publiccode.yml: description.it.features[0]: expected string scalar at \
             line 7, column 9"
        );
        let unclosed = parse("name: 'Segnalazioni\n").unwrap_err();
        assert!(
            unclosed.starts_with("not a valid publiccode.yml: "),
            "{unclosed}"
        );
        assert!(unclosed.contains("line 1"), "{unclosed}");
        assert!(!unclosed.contains('\n'), "one line: {unclosed}");
        // Found by the fuzz target: a key holding a line break is in the path.
        assert_eq!(
            parse("\"a\\nb\":\n  x: [1,\n").unwrap_err(),
            "not a valid publiccode.yml: a b.x: unclosed bracket '[' at line 2, column 6"
        );
        let list = parse("- name\n- url\n").unwrap_err();
        assert!(list.starts_with("not a valid publiccode.yml: "), "{list}");
    }

    #[test]
    fn english_only_files_are_english_and_organisations_fall_back_in_order() {
        let parsed = parse(&minimal(&format!(
            "{DESCRIPTION_EN}legal:\n  license: MIT\n  repoOwner: Città di Prova\n"
        )))
        .expect("valid");
        assert_eq!(parsed.front_matter.language, Some(PracticeLanguage::En));
        assert_eq!(
            parsed.front_matter.organisation.as_deref(),
            Some("Città di Prova")
        );
        assert_eq!(parsed.front_matter.licence.as_deref(), Some("MIT"));
        assert_eq!(
            parsed.front_matter.source.as_deref(),
            Some("https://example.org/comune/segnalazioni.git")
        );
        assert_eq!(parsed.body, "Reports of broken street lights");

        let by_code = parse(&minimal(&format!(
            "{DESCRIPTION_EN}organisation:\n  uri: \"urn:x-italian-pa:c_a944\"\n"
        )))
        .expect("valid");
        assert_eq!(
            by_code.front_matter.organisation.as_deref(),
            Some("codice IPA c_a944")
        );
    }

    #[test]
    fn the_publisher_comes_before_the_copyright_owner_and_the_repository_owner() {
        let legal = "legal:\n  license: EUPL-1.2\n  mainCopyrightOwner: Comune di Alfa\n  \
                     repoOwner: Fornitore Beta S.r.l.\n";
        let organisation = |extra: &str| {
            parse(&minimal(&format!("{DESCRIPTION_EN}{extra}")))
                .expect("valid")
                .front_matter
                .organisation
        };
        assert_eq!(
            organisation(&format!(
                "{legal}organisation:\n  name: Unione dei Comuni\n"
            )),
            Some("Unione dei Comuni".to_string())
        );
        assert_eq!(organisation(legal), Some("Comune di Alfa".to_string()));
        assert_eq!(
            organisation("it:\n  riuso:\n    codiceIPA: c_a944\n"),
            Some("codice IPA c_a944".to_string())
        );
        assert_eq!(organisation(""), None);
    }

    #[test]
    fn descriptions_in_italian_come_first_whatever_the_tag() {
        let parsed = parse(&minimal(
            "description:\n  eng:\n    shortDescription: Street lights\n  \
             it-IT:\n    shortDescription: Lampioni\n    localisedName: Segnala\n    \
             features: [Mappa, ' ', Foto]\n  de:\n    shortDescription: Laternen\n",
        ))
        .expect("valid");
        assert_eq!(parsed.front_matter.language, Some(PracticeLanguage::It));
        assert_eq!(parsed.front_matter.summary.as_deref(), Some("Lampioni"));
        assert_eq!(
            parsed.body,
            "Segnala\n\nLampioni\n\nMappa; Foto\n\nStreet lights\n\nLaternen"
        );
    }

    #[test]
    fn long_descriptions_lose_their_markdown_but_keep_their_heading() {
        let parsed = parse(&minimal(
            "description:\n  en:\n    longDescription: |\n      ---\n      ## Street \
             lights\n\n      Report a *broken* lamp [on the map](https://x.it).\n\n      \
             - with a photo\n",
        ))
        .expect("valid");
        assert_eq!(
            parsed.body,
            "Street lights\n\nReport a broken lamp on the map.\n\nwith a photo"
        );
        // No short description: the summary is left to be derived from the body.
        assert_eq!(parsed.front_matter.summary, None);
    }

    #[test]
    fn a_description_of_markup_alone_has_no_text() {
        // Found by the fuzz target: an empty heading is no text.
        let parsed = parse(&minimal(
            "description:\n  it:\n    longDescription: |\n      # \n  en:\n    \
             longDescription: \"**Lamps**\"\n",
        ))
        .expect("valid");
        assert_eq!(parsed.body, "Lamps");
        assert_eq!(parsed.front_matter.language, Some(PracticeLanguage::En));
        assert!(parse(&minimal("description:\n  it:\n    longDescription: '# '\n")).is_err());
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_refused_quickly() {
        let deep = minimal(&format!("x: {}\n", "[".repeat(200_000)));
        assert!(parse(&deep).is_err());
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (from, to) in ('a'..'i').zip('b'..='i') {
            let items = vec![format!("*{from}"); 9].join(", ");
            bomb.push_str(&format!("{to}: &{to} [{items}]\n"));
        }
        bomb.push_str("categories: *i\n");
        assert!(parse(&minimal(&bomb)).is_err());
    }
}
