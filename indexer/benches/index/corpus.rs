//! The benchmark's documents and queries, the same every run (seeded).
//!
//! Documents are runs of 5–20 words copied from the AgID corpus in `tests/data/practices`
//! (real Italian guidelines, so word frequencies and phrases stay real), plus a long tail:
//! real texts name places, people and projects that few other documents name, and the
//! corpus alone (18k words, each copied into thousands of documents) has no rare words. So
//! every document also gets a few made-up proper nouns drawn with Zipf's law from 200,000.
//!
//! Five query classes of [`QUERIES_PER_CLASS`] each: one rare term (a proper noun in 5 to
//! 50 documents: a page of exact matches, and 1 in 2,000 documents at most), one common
//! term (among the corpus's most frequent words), one inflected form (a word with another
//! ending than in the corpus, `amministrazioni` for `amministrazione`, found through the
//! stemmer), two terms (both required) and a two-word phrase. Three more show what PSPM does
//! beyond the bare program: a very rare term (in fewer than 5 documents, so near matches
//! follow the exact ones), a misspelt word (only near matches find it) and a word with a
//! filter.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use chrono::{TimeZone, Utc};
use pspm_indexer::{Practice, PracticeLanguage, PracticeType, Rating, Status, ITALIAN_STOP_WORDS};

use crate::baseline;

pub const DOCUMENTS: usize = 100_000;
pub const QUERIES_PER_CLASS: usize = 40;
/// Made-up proper nouns to draw the long tail from.
const RARE_VOCABULARY: f64 = 200_000.0;
/// Proper nouns per document.
const RARE_PER_DOCUMENT: usize = 3;
/// Documents holding a "rare" query term: at least a page (5), at most 1 in 2,000.
const RARE_DOCUMENTS: std::ops::RangeInclusive<u32> = 5..=50;
/// Documents holding a "very rare" one: fewer than a page, so PSPM adds near matches.
const VERY_RARE_DOCUMENTS: std::ops::RangeInclusive<u32> = 1..=4;

/// Seeded xorshift: the same corpus and queries every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A query class, in the order of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    RareTerm,
    CommonTerm,
    InflectedForm,
    TwoTerms,
    Phrase,
    /// PSPM only: a proper noun in fewer than a page of documents.
    VeryRareTerm,
    /// PSPM only: a word with one letter wrong.
    Typo,
    /// PSPM only: a word and a filter.
    Filtered,
}

impl Class {
    pub const COMPARED: [Class; 5] = [
        Class::RareTerm,
        Class::CommonTerm,
        Class::InflectedForm,
        Class::TwoTerms,
        Class::Phrase,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::RareTerm => "one rare term",
            Class::CommonTerm => "one common term",
            Class::InflectedForm => "one inflected form",
            Class::TwoTerms => "two terms (AND)",
            Class::Phrase => "phrase",
            Class::VeryRareTerm => "one very rare term (near matches follow)",
            Class::Typo => "one misspelt word (near matches)",
            Class::Filtered => "one term and a filter",
        }
    }
}

/// The words of the AgID corpus, lower-cased, in reading order.
pub fn corpus_words() -> Vec<String> {
    let corpus = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/practices"
    ));
    assert!(
        corpus.is_dir(),
        "test corpus missing at {} (it lives in the repository under tests/data/practices)",
        corpus.display()
    );
    let mut files = Vec::new();
    let mut folders = vec![corpus.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("read corpus folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rst") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut words = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("read corpus file");
        words.extend(
            text.split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|word| word.chars().any(char::is_alphabetic))
                .map(str::to_lowercase),
        );
    }
    words
}

const SYLLABLES: [&str; 40] = [
    "ba", "ca", "da", "fe", "go", "la", "li", "ma", "me", "na", "no", "pa", "ri", "ro", "sa", "se",
    "ta", "te", "to", "va", "vi", "zo", "stra", "cor", "mon", "ter", "ven", "gar", "bel", "fio",
    "gna", "lu", "ne", "pi", "qua", "re", "si", "tu", "ze", "del",
];

/// The made-up proper noun of `rank`: three or four syllables, so 6 to 13 letters.
fn rare_word(rank: u64) -> String {
    let mut hash = rank.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5851_f42d;
    let syllables = 3 + (hash % 2) as usize;
    let mut word = String::new();
    for _ in 0..syllables {
        hash = hash.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        word.push_str(SYLLABLES[(hash >> 33) as usize % SYLLABLES.len()]);
    }
    let mut chars = word.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or('X');
    std::iter::once(first).chain(chars).collect()
}

/// A rank drawn with Zipf's law (probability ∝ 1/rank).
fn zipf_rank(rng: &mut Rng) -> u64 {
    RARE_VOCABULARY.powf(rng.unit()) as u64
}

/// The types documents are drawn from: those there were when the README's figures were
/// measured (before `software`), so the corpus, and `type:guideline`'s share, stay the same.
const TYPES: [PracticeType; 5] = [
    PracticeType::StrategicPlan,
    PracticeType::Methodology,
    PracticeType::Guideline,
    PracticeType::Experience,
    PracticeType::Other,
];

const ORGANISATIONS: &[&str] = &[
    "AgID",
    "Comune di Roma",
    "Comune di Milano",
    "Regione Toscana",
    "Regione Lombardia",
    "Ministero dell'Interno",
    "Comune di Bari",
    "Provincia di Trento",
    "INPS",
    "Comune di Torino",
];
const TAGS: &[&str] = &[
    "cloud",
    "dati",
    "open source",
    "riuso",
    "sicurezza",
    "accessibilità",
    "interoperabilità",
    "partecipazione",
    "appalti",
    "formazione",
    "identità digitale",
    "pagamenti",
];

/// Text of `length` corpus words in runs, with the document's proper nouns between runs.
fn text(words: &[String], rng: &mut Rng, length: usize, rare: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(length * 8);
    let mut written = 0;
    while written < length {
        let start = rng.below(words.len());
        let run = 5 + rng.below(15);
        for word in words.iter().skip(start).take(run.min(length - written)) {
            out.push_str(word);
            out.push(' ');
            written += 1;
        }
        if let Some(name) = rare.pop() {
            out.push_str(&name);
            out.push(' ');
        }
        if rng.below(6) == 0 {
            out.push_str(".\n\n");
        }
    }
    out
}

/// The benchmark's documents and, for each proper noun, how many documents hold it.
pub struct Generated {
    pub practices: Vec<Practice>,
    pub rare_documents: HashMap<String, u32>,
}

/// The [`DOCUMENTS`] practices, all Italian, as the bodies are.
pub fn generate(words: &[String]) -> Generated {
    let mut rng = Rng(0x1234_5678);
    let added_at = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    let mut rare_documents: HashMap<String, u32> = HashMap::new();
    let practices = (0..DOCUMENTS)
        .map(|n| {
            let body_words = 150 + rng.below(451);
            let title_words = 3 + rng.below(8);
            let tags = (0..rng.below(4))
                .map(|_| TAGS[rng.below(TAGS.len())].to_string())
                .collect();
            let mut rare: Vec<String> = (0..RARE_PER_DOCUMENT)
                .map(|_| rare_word(zipf_rank(&mut rng)))
                .collect();
            let distinct: HashSet<String> = rare.iter().map(|word| word.to_lowercase()).collect();
            for word in distinct {
                *rare_documents.entry(word).or_default() += 1;
            }
            let title = text(words, &mut rng, title_words, &mut Vec::new());
            Practice {
                id: format!("{n:08x}"),
                title: title.trim().to_string(),
                summary: String::new(),
                body: text(words, &mut rng, body_words, &mut rare),
                practice_type: TYPES[rng.below(TYPES.len())],
                organisation: Some(ORGANISATIONS[rng.below(ORGANISATIONS.len())].to_string()),
                year: Some(2010 + rng.below(16) as i32),
                tags,
                language: PracticeLanguage::It,
                licence: Some(
                    if rng.below(2) == 0 {
                        "CC0 1.0"
                    } else {
                        "CC-BY 4.0"
                    }
                    .to_string(),
                ),
                source: format!("bench:{n}"),
                added_by: "@bench:example.org".to_string(),
                added_at,
                status: Status::Published,
                rating: Rating::default(),
                path: None,
            }
        })
        .collect();
    Generated {
        practices,
        rare_documents,
    }
}

fn is_content_word(word: &str, shortest: usize) -> bool {
    word.chars().count() >= shortest
        && word.chars().all(char::is_alphabetic)
        && !ITALIAN_STOP_WORDS.contains(&word)
}

/// `count` distinct items of `pool`, drawn with `rng`.
fn pick(pool: &[String], count: usize, rng: &mut Rng) -> Vec<String> {
    assert!(pool.len() >= count, "a pool of {} for {count}", pool.len());
    let mut chosen: Vec<String> = Vec::with_capacity(count);
    while chosen.len() < count {
        let candidate = &pool[rng.below(pool.len())];
        if !chosen.contains(candidate) {
            chosen.push(candidate.clone());
        }
    }
    chosen
}

/// The queries of every class.
pub fn queries(words: &[String], generated: &Generated) -> Vec<(Class, Vec<String>)> {
    let mut rng = Rng(0xabcdef);
    let mut analyzer = baseline::italian();
    let mut frequency: HashMap<&str, usize> = HashMap::new();
    for word in words {
        *frequency.entry(word.as_str()).or_default() += 1;
    }
    let vocabulary: HashSet<&str> = frequency.keys().copied().collect();

    let names_in = |documents: &std::ops::RangeInclusive<u32>| {
        let mut names: Vec<String> = generated
            .rare_documents
            .iter()
            .filter(|(_, count)| documents.contains(count))
            .map(|(word, _)| word.clone())
            .collect();
        names.sort();
        names
    };
    let rare = names_in(&RARE_DOCUMENTS);
    let very_rare = names_in(&VERY_RARE_DOCUMENTS);

    let mut by_frequency: Vec<(&str, usize)> = frequency
        .iter()
        .filter(|(word, _)| is_content_word(word, 4))
        .map(|(word, count)| (*word, *count))
        .collect();
    by_frequency.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let common: Vec<String> = by_frequency
        .iter()
        .take(QUERIES_PER_CLASS * 2)
        .map(|(word, _)| word.to_string())
        .collect();

    // Another ending with the same stem, in a form the corpus does not use.
    let mut inflected: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for word in words.iter().filter(|word| is_content_word(word, 7)) {
        let Some(last) = word.chars().last() else {
            continue;
        };
        let stem = baseline::tokens(&mut analyzer, word);
        for ending in ['a', 'e', 'i', 'o'] {
            if ending == last {
                continue;
            }
            let form: String = word[..word.len() - last.len_utf8()]
                .chars()
                .chain(std::iter::once(ending))
                .collect();
            if !vocabulary.contains(form.as_str())
                && baseline::tokens(&mut analyzer, &form) == stem
                && seen.insert(form.clone())
            {
                inflected.push(form);
            }
        }
    }
    inflected.sort();

    let content: Vec<String> = words
        .iter()
        .filter(|word| is_content_word(word, 4))
        .cloned()
        .collect();
    let two_terms: Vec<String> = (0..QUERIES_PER_CLASS)
        .map(|_| {
            format!(
                "{} {}",
                content[rng.below(content.len())],
                content[rng.below(content.len())]
            )
        })
        .collect();
    let pairs: Vec<String> = words
        .windows(2)
        .filter(|pair| is_content_word(&pair[0], 3) && is_content_word(&pair[1], 3))
        .map(|pair| format!("\"{} {}\"", pair[0], pair[1]))
        .collect();
    let long: Vec<String> = content
        .iter()
        .filter(|word| word.chars().count() >= 8)
        .cloned()
        .collect();
    let typos: Vec<String> = pick(&long, QUERIES_PER_CLASS, &mut rng)
        .into_iter()
        .map(|word| {
            let mut chars: Vec<char> = word.chars().collect();
            let at = 2 + rng.below(chars.len() - 3);
            chars[at] = if chars[at] == 'x' { 'y' } else { 'x' };
            chars.into_iter().collect()
        })
        .collect();
    let filters = [
        "type:guideline",
        "year:2015..2020",
        "org:agid",
        "tag:cloud",
        "licence:cc0",
    ];
    let filtered: Vec<String> = pick(&content, QUERIES_PER_CLASS, &mut rng)
        .into_iter()
        .enumerate()
        .map(|(n, word)| format!("{word} {}", filters[n % filters.len()]))
        .collect();
    vec![
        (Class::RareTerm, pick(&rare, QUERIES_PER_CLASS, &mut rng)),
        (
            Class::CommonTerm,
            pick(&common, QUERIES_PER_CLASS, &mut rng),
        ),
        (
            Class::InflectedForm,
            pick(&inflected, QUERIES_PER_CLASS, &mut rng),
        ),
        (Class::TwoTerms, two_terms),
        (Class::Phrase, pick(&pairs, QUERIES_PER_CLASS, &mut rng)),
        (
            Class::VeryRareTerm,
            pick(&very_rare, QUERIES_PER_CLASS, &mut rng),
        ),
        (Class::Typo, typos),
        (Class::Filtered, filtered),
    ]
}
