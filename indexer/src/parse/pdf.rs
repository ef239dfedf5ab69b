//! PDF text through lopdf: the text of every page, the title from the document info.

use super::{normalise_paragraphs, ParsedDocument};

pub(crate) fn parse(bytes: &[u8]) -> Result<ParsedDocument, String> {
    let document =
        lopdf::Document::load_mem(bytes).map_err(|error| format!("not a readable PDF: {error}"))?;
    let page_numbers: Vec<u32> = document.get_pages().keys().copied().collect();
    if page_numbers.is_empty() {
        return Err("PDF has no pages".to_string());
    }
    let text = document
        .extract_text(&page_numbers)
        .map_err(|error| format!("cannot extract text from PDF: {error}"))?;
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

fn info_title(document: &lopdf::Document) -> Option<String> {
    let info = document.trailer.get(b"Info").ok()?;
    let (_, info) = document.dereference(info).ok()?;
    let title = info.as_dict().ok()?.get(b"Title").ok()?;
    let title = lopdf::decode_text_string(title).ok()?;
    let title = title.trim();
    (!title.is_empty()).then(|| title.to_string())
}
