//! PDF text through lopdf: the text of every page, the title from the document info. Every
//! stream is decompressed within [`IngestLimits::max_pdf_stream_bytes`] (lopdf's own default
//! is 256 MiB per stream), and pages are read one at a time so that the text stops at
//! [`IngestLimits::max_text_bytes`] instead of growing first.

use lopdf::{DecompressError, Document, Error, LoadOptions};

use super::{normalise_paragraphs, size, text_too_long, ParsedDocument};
use crate::practice::IngestLimits;

pub(crate) fn parse(bytes: &[u8], limits: &IngestLimits) -> Result<ParsedDocument, String> {
    let stream_limit = limits.max_pdf_stream_bytes;
    let options = LoadOptions {
        max_decompressed_size: Some(stream_limit),
        ..LoadOptions::default()
    };
    let explain = |error: Error, what: &str| match error {
        Error::Decompress(DecompressError::MemoryLimitExceeded { .. }) => format!(
            "a PDF stream decompresses to more than the limit of {} (index.max_pdf_stream_mib)",
            size(stream_limit as u64)
        ),
        error => format!("{what}: {error}"),
    };
    let document = Document::load_mem_with_options(bytes, options)
        .map_err(|error| explain(error, "not a readable PDF"))?;
    let page_numbers: Vec<u32> = document.get_pages().keys().copied().collect();
    if page_numbers.is_empty() {
        return Err("PDF has no pages".to_string());
    }
    let mut text = String::new();
    for page in page_numbers {
        let page_text = document
            .extract_text_with_limit(&[page], stream_limit)
            .map_err(|error| explain(error, "cannot extract text from PDF"))?;
        text.push_str(&page_text);
        if text.len() > limits.max_text_bytes {
            return Err(text_too_long(text.len(), limits));
        }
    }
    let body = normalise_paragraphs(&text);
    if body.trim().is_empty() {
        return Err("PDF has no extractable text (scanned images?)".to_string());
    }
    Ok(ParsedDocument {
        title: info_title(&document),
        body,
        front_matter: Default::default(),
    })
}

fn info_title(document: &Document) -> Option<String> {
    let info = document.trailer.get(b"Info").ok()?;
    let (_, info) = document.dereference(info).ok()?;
    let title = info.as_dict().ok()?.get(b"Title").ok()?;
    let title = lopdf::decode_text_string(title).ok()?;
    let title = title.trim();
    (!title.is_empty()).then(|| title.to_string())
}
