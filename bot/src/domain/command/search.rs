//! `!search <query>`: the 5 most relevant good practices, as one compact reply. `!more` shows
//! the next page of the same search. When fewer than a page match exactly, near matches
//! follow, and the reply says so, with the corrected query ("did you mean …?").

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Catalogue, Msg, Rendered};
use crate::domain::practice_repository::{
    type_name, Hit, LastSearch, SearchOptions, SearchResults, PAGE,
};
use crate::domain::Role;

pub const SPEC: Spec = Spec {
    name: "search",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdSearchUsage,
    summary: Msg::CmdSearchSummary,
    help: Msg::CmdSearchHelp,
};

/// Longest query kept; the rest of a pasted wall of text adds nothing to a search.
const MAX_QUERY_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub query: String,
}

impl Search {
    pub fn parse(args: Arguments<'_>) -> Result<Search, ParseError> {
        let query = args.required_rest(&SPEC)?;
        Ok(Search {
            query: query.chars().take(MAX_QUERY_CHARS).collect(),
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let search = LastSearch {
            query: self.query,
            next_offset: 0,
            include_pending: ctx.role == Role::Moderator,
        };
        show_page(ctx, search)
    }
}

/// Runs `search` from its offset, replies with the page and remembers where the next starts.
pub fn show_page(ctx: &mut Ctx<'_>, search: LastSearch) -> Outcome {
    let repository = ctx.repository()?;
    let options = SearchOptions {
        offset: search.next_offset,
        limit: PAGE,
        include_pending: search.include_pending,
    };
    let results = repository
        .search(&search.query, options)
        .map_err(|e| ctx.repository_error(&e))?;
    let page = render_page(ctx.catalogue, &search.query, search.next_offset, &results);
    let sender = ctx.message.sender.clone();
    let next_offset = results.offset + results.hits.len();
    if next_offset < results.total {
        ctx.searches.insert(
            sender,
            LastSearch {
                next_offset,
                ..search
            },
        );
    } else {
        ctx.searches.remove(&sender);
    }
    Ok(page)
}

/// A page of results as the chat and `pspm index search` show it; `offset` is where the page
/// was asked to start (0 for a new search).
pub fn render_page(
    catalogue: &Catalogue,
    query: &str,
    offset: usize,
    results: &SearchResults,
) -> Rendered {
    if results.hits.is_empty() {
        let msg = if offset == 0 {
            Msg::SearchNone
        } else {
            Msg::MoreEnd
        };
        return catalogue.render(msg, &[("query", query)]);
    }
    let first = results.offset + 1;
    let last = results.offset + results.hits.len();
    // Near matches follow too few exact ones; with none exact, the header says so.
    let near = results
        .near
        .as_ref()
        .filter(|_| results.hits.iter().any(|hit| hit.near));
    let header = match near {
        Some(near) if near.exact == 0 => Msg::SearchNearHeader,
        _ => Msg::SearchHeader,
    };
    let mut lines = vec![catalogue.render(
        header,
        &[
            ("query", query),
            ("first", &first.to_string()),
            ("last", &last.to_string()),
            // Counting stops at a cap: "1–5 of 1000+" says there are more than that.
            (
                "total",
                &if results.total_is_exact {
                    results.total.to_string()
                } else {
                    format!("{}+", results.total)
                },
            ),
        ],
    )];
    if let Some(near) = near {
        if near.exact > 0 {
            lines.push(catalogue.render(
                Msg::SearchNearNotice,
                &[
                    ("exact", &near.exact.to_string()),
                    ("from", &(near.exact + 1).to_string()),
                ],
            ));
        }
        if let Some(suggestion) = near.suggestion(query) {
            lines.push(catalogue.render(Msg::SearchDidYouMean, &[("suggestion", &suggestion)]));
        }
    }
    for (i, hit) in results.hits.iter().enumerate() {
        lines.push(hit_line(catalogue, first + i, hit));
        if !hit.snippet_text.trim().is_empty() {
            lines.push(Rendered {
                body: format!("   {}", hit.snippet_text.trim()),
                html: format!("<em>{}</em>", hit.snippet_html.trim()),
            });
        }
    }
    lines.push(catalogue.text(if last < results.total {
        Msg::SearchMoreHint
    } else {
        Msg::SearchOpenHint
    }));
    Rendered::lines(lines)
}

fn hit_line(catalogue: &Catalogue, n: usize, hit: &Hit) -> Rendered {
    let year = hit.year.map(|year| year.to_string());
    catalogue.render(
        Msg::SearchHit,
        &[
            ("n", &n.to_string()),
            ("title", &hit.title),
            ("type", catalogue.template(type_name(hit.practice_type))),
            (
                "organisation",
                hit.organisation
                    .as_deref()
                    .unwrap_or(catalogue.template(Msg::SearchNoOrganisation)),
            ),
            (
                "year",
                year.as_deref()
                    .unwrap_or(catalogue.template(Msg::SearchNoYear)),
            ),
            ("id", &hit.id),
        ],
    )
}
