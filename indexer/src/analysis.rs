//! Text analysis: the Italian and English pipelines, stop words and language detection.
//!
//! Each practice is indexed once, into the fields of its own language (`body_it` or
//! `body_en`), so every token goes through exactly one stemmer and scores are not doubled.
//! A query is analysed with both pipelines and searches both field sets, so a query finds
//! documents of either language.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language as StemLanguage, LowerCaser, RawTokenizer, RemoveLongFilter,
    SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer, TokenizerManager,
};

use crate::practice::PracticeLanguage;

pub(crate) const ITALIAN_ANALYZER: &str = "pspm_it";
pub(crate) const ENGLISH_ANALYZER: &str = "pspm_en";
/// Lower-cased, accent-folded words without stemming: organisation and licence names.
pub(crate) const PLAIN_ANALYZER: &str = "pspm_plain";
/// The whole value as one lower-cased, accent-folded token: tags.
pub(crate) const KEYWORD_ANALYZER: &str = "pspm_keyword";

/// Tokens longer than this are noise (base64, URLs run together) and bloat the dictionary.
const MAX_TOKEN_BYTES: usize = 40;

/// Italian stop words, accent-folded because the filter runs after folding (so `perche`
/// and `perché` are both dropped).
pub const ITALIAN_STOP_WORDS: &[&str] = &[
    "a", "ad", "agli", "ai", "al", "alla", "alle", "allo", "anche", "avere", "c", "che", "chi",
    "ci", "coi", "col", "come", "con", "contro", "cosi", "cui", "d", "da", "dagli", "dai", "dal",
    "dalla", "dalle", "dallo", "degli", "dei", "del", "della", "delle", "dello", "di", "dove", "e",
    "ed", "essere", "gli", "ha", "hanno", "ho", "i", "il", "in", "io", "l", "la", "le", "lei",
    "li", "lo", "loro", "lui", "ma", "mi", "ne", "negli", "nei", "nel", "nella", "nelle", "nello",
    "noi", "non", "nostro", "o", "per", "perche", "piu", "quale", "quando", "quella", "quelle",
    "quelli", "quello", "questa", "queste", "questi", "questo", "se", "si", "sia", "siamo", "sono",
    "sta", "su", "sugli", "sui", "sul", "sulla", "sulle", "sullo", "suo", "tra", "fra", "tu", "un",
    "una", "uno", "voi", "gia", "tutto", "tutti", "ogni", "essa", "esso", "sara", "stato", "stata",
    "stati", "viene", "vengono", "puo", "possono", "deve", "devono", "ancora", "oppure", "ossia",
    "ovvero", "quindi", "pero", "dunque",
];

/// English stop words (Lucene's list plus common function words).
pub const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with", "we", "our", "you", "your", "he", "she", "his",
    "her", "its", "from", "has", "have", "had", "been", "were", "which", "who", "what", "when",
    "where", "how", "can", "should", "would", "could", "may", "must", "do", "does", "did", "so",
    "than", "also", "all", "any", "each", "more", "most", "other", "some", "only", "about", "over",
    "under", "between", "through", "after", "before", "i", "me", "my", "them", "those",
];

fn language_pipeline(stop_words: &[&str], stemmer: StemLanguage) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        // Folding before stemming sends `qualita` and `qualità` through the same stemmer path.
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            stop_words.iter().map(|word| word.to_string()),
        ))
        .filter(Stemmer::new(stemmer))
        .build()
}

pub(crate) fn italian() -> TextAnalyzer {
    language_pipeline(ITALIAN_STOP_WORDS, StemLanguage::Italian)
}

pub(crate) fn english() -> TextAnalyzer {
    language_pipeline(ENGLISH_STOP_WORDS, StemLanguage::English)
}

pub(crate) fn plain() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub(crate) fn keyword() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub(crate) fn register(manager: &TokenizerManager) {
    manager.register(ITALIAN_ANALYZER, italian());
    manager.register(ENGLISH_ANALYZER, english());
    manager.register(PLAIN_ANALYZER, plain());
    manager.register(KEYWORD_ANALYZER, keyword());
}

/// All tokens of `text` with their positions.
pub(crate) fn tokens_with_positions(
    analyzer: &mut TextAnalyzer,
    text: &str,
) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push((token.position, token.text.clone()));
    }
    tokens
}

/// All tokens of `text`, positions dropped.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    tokens_with_positions(analyzer, text)
        .into_iter()
        .map(|(_, text)| text)
        .collect()
}

/// Guesses Italian or English by counting each language's stop words in the first few
/// thousand words; ties go to Italian, the language of the bodies PSPM serves.
pub fn detect_language(text: &str) -> PracticeLanguage {
    let mut italian_hits = 0usize;
    let mut english_hits = 0usize;
    let mut folder = plain();
    let mut stream = folder.token_stream(text);
    let mut seen = 0usize;
    while let Some(token) = stream.next() {
        seen += 1;
        if seen > 5_000 {
            break;
        }
        let word = token.text.as_str();
        // Words in both lists ("a", "in") say nothing about the language.
        let italian = ITALIAN_STOP_WORDS.contains(&word);
        let english = ENGLISH_STOP_WORDS.contains(&word);
        if italian && !english {
            italian_hits += 1;
        } else if english && !italian {
            english_hits += 1;
        }
    }
    if english_hits > italian_hits {
        PracticeLanguage::En
    } else {
        PracticeLanguage::It
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_pipeline_folds_accents_and_stems() {
        let mut analyzer = italian();
        assert_eq!(
            tokens(&mut analyzer, "qualità"),
            tokens(&mut analyzer, "qualita")
        );
        assert_eq!(
            tokens(&mut analyzer, "amministrazioni"),
            tokens(&mut analyzer, "amministrazione")
        );
        assert!(tokens(&mut analyzer, "della perché").is_empty());
    }

    #[test]
    fn english_pipeline_stems_and_drops_stop_words() {
        let mut analyzer = english();
        assert_eq!(tokens(&mut analyzer, "the guidelines"), vec!["guidelin"]);
        assert_eq!(tokens(&mut analyzer, "guideline"), vec!["guidelin"]);
    }

    #[test]
    fn language_detection_tells_italian_from_english() {
        assert_eq!(
            detect_language(
                "Il riuso del software nella pubblica amministrazione e per i cittadini"
            ),
            PracticeLanguage::It
        );
        assert_eq!(
            detect_language("The reuse of software in the public administration and for citizens"),
            PracticeLanguage::En
        );
    }
}
