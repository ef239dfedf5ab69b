//! The open-data package's metadata in DCAT-AP_IT, the Italian profile of DCAT-AP that the
//! national catalogue harvests, as JSON-LD: a catalogue, one dataset per exported table (and
//! one for the complete JSON export), each with its file as distribution. Every property the
//! profile makes mandatory is there: catalogue title, description, publisher, modification
//! date and datasets; dataset identifier, title, description, modification date, theme,
//! rights holder, update frequency and distribution; distribution format, access URL and
//! licence; agent identifier and name.
//!
//! Pure: the files' names and sizes and the day are given.

use chrono::NaiveDate;
use pspm_config::Publishing;
use serde_json::{json, Value};

use super::i18n::{Language, Msg};
use super::Settings;

/// The EU vocabularies DCAT-AP_IT uses for themes, frequencies and file types.
const THEMES: &str = "http://publications.europa.eu/resource/authority/data-theme/";
const FREQUENCIES: &str = "http://publications.europa.eu/resource/authority/frequency/";
const FILE_TYPES: &str = "http://publications.europa.eu/resource/authority/file-type/";
/// Government and public sector.
const THEME: &str = "GOVE";

/// One published file: `table` names what it holds (`proposals`, `comments`, …, `export`
/// for the complete JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFile {
    pub table: String,
    pub filename: String,
    pub mimetype: String,
    pub bytes: u64,
}

/// The JSON-LD context: the prefixes every property and class below is written with.
fn context() -> Value {
    json!({
        "dcat": "http://www.w3.org/ns/dcat#",
        "dct": "http://purl.org/dc/terms/",
        "dcatapit": "http://dati.gov.it/onto/dcatapit#",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "vcard": "http://www.w3.org/2006/vcard/ns#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    })
}

fn titles(table: &str) -> Option<(Msg, Msg)> {
    Some(match table {
        "proposals" => (Msg::PublishTitleProposals, Msg::PublishAboutProposals),
        "comments" => (Msg::PublishTitleComments, Msg::PublishAboutComments),
        "items" => (Msg::PublishTitleItems, Msg::PublishAboutItems),
        "item_comments" => (Msg::PublishTitleItemComments, Msg::PublishAboutItemComments),
        "amendments" => (Msg::PublishTitleAmendments, Msg::PublishAboutAmendments),
        "iterations" => (Msg::PublishTitleIterations, Msg::PublishAboutIterations),
        "objectives" => (Msg::PublishTitleObjectives, Msg::PublishAboutObjectives),
        "results" => (Msg::PublishTitleResults, Msg::PublishAboutResults),
        "measurements" => (Msg::PublishTitleMeasurements, Msg::PublishAboutMeasurements),
        "actions" => (Msg::PublishTitleActions, Msg::PublishAboutActions),
        "progress" => (Msg::PublishTitleProgress, Msg::PublishAboutProgress),
        "export" => (Msg::PublishTitleExport, Msg::PublishAboutExport),
        "practices" => (Msg::PublishTitlePractices, Msg::PublishAboutPractices),
        _ => return None,
    })
}

/// The DCAT-AP_IT catalogue of `files`, published on `today`.
pub fn catalogue(
    settings: &Settings,
    publishing: &Publishing<'_>,
    files: &[PublishedFile],
    today: NaiveDate,
) -> Value {
    let catalogue = settings.catalogue();
    let language = match settings.language {
        Language::It => "it",
        Language::En => "en",
    };
    let text = |value: String| json!({ "@value": value, "@language": language });
    let plan = [("plan", settings.plan_title.as_str())];
    let date = json!({ "@value": today.to_string(), "@type": "xsd:date" });
    let base = &publishing.base_url;
    let agent = json!({
        "@id": format!("{base}#publisher"),
        "@type": ["dcatapit:Agent", "foaf:Agent"],
        "dct:identifier": publishing.publisher_id,
        "foaf:name": publishing.publisher,
    });
    let config = publishing.config;
    let licence = json!({
        "@id": config.licence,
        "@type": ["dcatapit:LicenseDocument", "dct:LicenseDocument"],
        "foaf:name": config.licence_name,
    });
    let contact = config.contact_email.as_ref().map(|mail| {
        json!({
            "@id": format!("{base}#contact"),
            "@type": ["dcatapit:Organization", "vcard:Organization"],
            "vcard:fn": publishing.publisher,
            "vcard:hasEmail": { "@id": format!("mailto:{mail}") },
        })
    });
    // One dataset per table, its files (JSON, CSV) as its distributions, in the files' order.
    let mut tables: Vec<(&str, Vec<&PublishedFile>)> = Vec::new();
    for file in files {
        match tables.iter_mut().find(|(table, _)| *table == file.table) {
            Some((_, same)) => same.push(file),
            None => tables.push((&file.table, vec![file])),
        }
    }
    let distribution = |file: &PublishedFile| {
        let url = format!("{base}{}", file.filename);
        let format = if file.mimetype == "application/json" {
            "JSON"
        } else {
            "CSV"
        };
        json!({
            "@id": format!("{url}#distribution"),
            "@type": ["dcatapit:Distribution", "dcat:Distribution"],
            "dct:title": text(file.filename.clone()),
            "dct:format": { "@id": format!("{FILE_TYPES}{format}") },
            "dcat:mediaType": file.mimetype,
            "dcat:accessURL": { "@id": url },
            "dcat:downloadURL": { "@id": url },
            "dcat:byteSize": { "@value": file.bytes.to_string(), "@type": "xsd:decimal" },
            "dct:license": licence,
            "dct:modified": date,
        })
    };
    let datasets: Vec<Value> = tables
        .into_iter()
        .filter_map(|(table, files)| {
            let (title, about) = titles(table)?;
            let mut dataset = json!({
                "@id": format!("{base}#{table}"),
                "@type": ["dcatapit:Dataset", "dcat:Dataset"],
                "dct:identifier": format!(
                    "{}:pspm-{}-{table}",
                    publishing.publisher_id, settings.plan_id
                ),
                "dct:title": text(catalogue.render(title, &plan).body),
                "dct:description": text(catalogue.render(about, &plan).body),
                "dct:modified": date,
                "dcat:theme": { "@id": format!("{THEMES}{THEME}") },
                "dct:rightsHolder": agent,
                "dct:publisher": agent,
                "dct:accrualPeriodicity": { "@id": format!("{FREQUENCIES}{}", config.frequency) },
                "dct:language": { "@id": language_uri(language) },
                "dcat:distribution": files.into_iter().map(distribution).collect::<Vec<_>>(),
            });
            if let Some(contact) = &contact {
                dataset["dcat:contactPoint"] = contact.clone();
            }
            Some(dataset)
        })
        .collect();
    let mut root = json!({
        "@context": context(),
        "@id": format!("{base}#catalogue"),
        "@type": ["dcatapit:Catalog", "dcat:Catalog"],
        "dct:title": text(catalogue.render(Msg::PublishCatalogueTitle, &plan).body),
        "dct:description": text(catalogue.render(Msg::PublishCatalogueAbout, &plan).body),
        "dct:publisher": agent,
        "dct:modified": date,
        "dct:language": { "@id": language_uri(language) },
        "dcat:themeTaxonomy": { "@id": THEMES.trim_end_matches('/') },
        "dcat:dataset": datasets,
    });
    if let Some(homepage) = &config.homepage {
        root["foaf:homepage"] = json!({ "@id": homepage });
    }
    root
}

/// The EU language authority's URI of a language.
fn language_uri(code: &str) -> String {
    let eu = if code == "it" { "ITA" } else { "ENG" };
    format!("http://publications.europa.eu/resource/authority/language/{eu}")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use pspm_config::PublishConfig;

    use super::*;
    use crate::domain::tests::settings;

    /// Every compact IRI (`prefix:name`) used as a key, a type or an `@id`-less value prefix.
    fn prefixes_used(value: &Value, into: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    if let Some((prefix, _)) = key.split_once(':') {
                        into.insert(prefix.to_owned());
                    }
                    if key == "@type" {
                        let types = inner.as_array().cloned().unwrap_or(vec![inner.clone()]);
                        for t in types {
                            if let Some((prefix, _)) = t.as_str().and_then(|t| t.split_once(':')) {
                                into.insert(prefix.to_owned());
                            }
                        }
                    }
                    if key != "@context" {
                        prefixes_used(inner, into);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| prefixes_used(v, into)),
            _ => {}
        }
    }

    fn has(node: &Value, keys: &[&str]) -> Vec<String> {
        keys.iter()
            .filter(|k| node.get(**k).is_none_or(|v| v.is_null() || v == &json!([])))
            .map(|k| (*k).to_owned())
            .collect()
    }

    #[test]
    fn every_mandatory_dcat_ap_it_property_is_there_and_every_prefix_is_declared() {
        let mut settings = settings(Language::It);
        settings.plan_title = "Piano triennale".into();
        let config = PublishConfig {
            base_url: Some("https://dati.mef.gov.it/pspm".into()),
            publisher: Some("Ministero dell'Economia e delle Finanze".into()),
            publisher_id: Some("m_ef".into()),
            contact_email: Some("dati@mef.gov.it".into()),
            ..PublishConfig::default()
        };
        let publishing = config.require(std::path::Path::new("pspm.toml")).unwrap();
        let files: Vec<PublishedFile> = [
            ("export", "pt-export.json", "application/json"),
            ("proposals", "pt-export.csv", "text/csv"),
            ("actions", "pt-export.actions.csv", "text/csv"),
            ("items", "pt-export.items.csv", "text/csv"),
            ("amendments", "pt-export.amendments.csv", "text/csv"),
            ("iterations", "pt-export.iterations.csv", "text/csv"),
            ("report", "pt-export.md", "text/markdown"),
        ]
        .into_iter()
        .map(|(table, filename, mimetype)| PublishedFile {
            table: table.into(),
            filename: filename.into(),
            mimetype: mimetype.into(),
            bytes: 42,
        })
        .collect();
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let root = catalogue(&settings, &publishing, &files, day);

        let missing = has(
            &root,
            &[
                "dct:title",
                "dct:description",
                "dct:publisher",
                "dct:modified",
                "dcat:dataset",
            ],
        );
        assert!(missing.is_empty(), "catalogue lacks {missing:?}");
        assert_eq!(root["dct:title"]["@value"], "Dati aperti — Piano triennale");
        assert_eq!(root["dct:title"]["@language"], "it");
        let datasets = root["dcat:dataset"].as_array().unwrap();
        assert_eq!(
            datasets.len(),
            6,
            "one per table and the JSON; not the report"
        );
        let titles: Vec<&str> = datasets[3..]
            .iter()
            .filter_map(|d| d["dct:title"]["@value"].as_str())
            .collect();
        assert_eq!(
            titles,
            [
                "Piano triennale — Elementi della bozza e loro voti",
                "Piano triennale — Emendamenti alla bozza",
                "Piano triennale — Iterazioni della consultazione"
            ]
        );
        for dataset in datasets {
            let missing = has(
                dataset,
                &[
                    "dct:identifier",
                    "dct:title",
                    "dct:description",
                    "dct:modified",
                    "dcat:theme",
                    "dct:rightsHolder",
                    "dct:accrualPeriodicity",
                    "dcat:distribution",
                ],
            );
            assert!(missing.is_empty(), "{} lacks {missing:?}", dataset["@id"]);
            assert!(dataset["dct:identifier"]
                .as_str()
                .unwrap()
                .starts_with("m_ef:pspm-pt-"));
            let holder = &dataset["dct:rightsHolder"];
            assert!(has(holder, &["dct:identifier", "foaf:name"]).is_empty());
            assert_eq!(holder["dct:identifier"], "m_ef");
            for distribution in dataset["dcat:distribution"].as_array().unwrap() {
                let missing = has(
                    distribution,
                    &["dct:format", "dcat:accessURL", "dct:license"],
                );
                assert!(missing.is_empty(), "distribution lacks {missing:?}");
                let url = distribution["dcat:accessURL"]["@id"].as_str().unwrap();
                assert!(
                    url.starts_with("https://dati.mef.gov.it/pspm/pt-export"),
                    "{url}"
                );
                assert_eq!(
                    distribution["dct:license"]["@id"],
                    pspm_config::publish::CC_BY_4
                );
            }
            assert_eq!(
                dataset["dcat:contactPoint"]["vcard:hasEmail"]["@id"],
                "mailto:dati@mef.gov.it"
            );
        }
        let actions = datasets
            .iter()
            .find(|d| d["@id"].as_str().unwrap().ends_with("#actions"))
            .unwrap();
        assert_eq!(actions["dct:title"]["@value"], "Piano triennale — Azioni");
        let format = &actions["dcat:distribution"][0]["dct:format"]["@id"];
        assert_eq!(
            format,
            "http://publications.europa.eu/resource/authority/file-type/CSV"
        );

        let mut used = BTreeSet::new();
        prefixes_used(&root, &mut used);
        let declared: BTreeSet<String> = root["@context"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        used.retain(|p| p != "http" && p != "https" && p != "mailto");
        assert!(
            used.is_subset(&declared),
            "undeclared: {:?}",
            used.difference(&declared)
        );
    }
}
