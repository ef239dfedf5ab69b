//! `!propose <title>` with the description on the following lines: a new proposal, answered
//! with its card (the card's 👍/👎 reactions are the votes). Editing the `!propose` message
//! updates the proposal while nobody has voted on it.

use super::{Arguments, Command, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::participation::{Proposal, ProposalState};
use crate::domain::votes::phase_refusal;
use crate::domain::{cards, Change, Edited, Effects, Reply, Settings, State};

pub const SPEC: Spec = Spec {
    name: "propose",
    moderator_only: false,
    home: Home::Section,
    usage: Msg::CmdProposeUsage,
    summary: Msg::CmdProposeSummary,
    help: Msg::CmdProposeHelp,
};

/// Share of common words from which two proposals are called similar.
const SIMILARITY: f64 = 0.5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Propose {
    pub title: String,
    pub description: String,
}

impl Propose {
    pub fn parse(args: Arguments<'_>) -> Result<Propose, ParseError> {
        let text = args.required_rest(&SPEC)?;
        Ok(Propose::from_text(text))
    }

    /// Title on the first line, description on the others.
    pub fn from_text(text: &str) -> Propose {
        let (title, description) = text.split_once('\n').unwrap_or((text, ""));
        Propose {
            title: title.trim().to_owned(),
            description: description.trim().to_owned(),
        }
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let author = ctx.message.sender.clone();
        let source = ctx.message.event_id.clone();
        let at = ctx.message.sent_at_ms;
        create(ctx, self, &author, &source, at)
    }
}

/// Creates a proposal by `author` from message `source` (also used by `!promote`).
pub fn create(ctx: &mut Ctx<'_>, text: Propose, author: &str, source: &str, at_ms: i64) -> Outcome {
    let section = ctx.section()?;
    let phase = ctx.phase_of(&section.id);
    if !phase.allows_proposals() {
        return Err(phase_refusal(ctx.catalogue, phase));
    }
    check_lengths(ctx.settings, ctx.catalogue, &text)?;
    let participation = &ctx.state.participation;
    let similar = participation.similar(&section.id, &text.title, &text.description, SIMILARITY);
    let related = cards::related_practices(ctx.practices, &text.title, &text.description);
    let proposal = Proposal {
        number: ctx
            .settings
            .number_hints
            .get(source)
            .copied()
            .unwrap_or_else(|| participation.next_number()),
        section: section.id.clone(),
        room_id: ctx.message.room_id.clone(),
        title: text.title,
        description: text.description,
        author: author.to_owned(),
        organisation: ctx.settings.organisation_of(author),
        state: ProposalState::Open,
        answer: None,
        hidden: None,
        created_ms: at_ms,
        updated_ms: at_ms,
        source_event: source.to_owned(),
        card_event: None,
        redacted: false,
    };
    // The card is the proposal's public face: all of it in the plan's language.
    let catalogue = ctx.plan_catalogue;
    let mut card = vec![ctx.card(&proposal)];
    if !similar.is_empty() {
        let list: Vec<String> = similar.iter().map(|n| format!("#{n}")).collect();
        card.push(catalogue.render(Msg::ProposeSimilar, &[("list", &list.join(", "))]));
    }
    card.extend(cards::related_lines(catalogue, &related));
    ctx.card_for = Some(proposal.number);
    ctx.changes.push(Change::Proposal(proposal));
    Ok(Rendered::lines(card))
}

fn check_lengths(
    settings: &crate::domain::Settings,
    catalogue: &crate::domain::Catalogue,
    text: &Propose,
) -> Result<(), Rendered> {
    let (title_len, description_len) =
        (text.title.chars().count(), text.description.chars().count());
    if title_len == 0
        || title_len > settings.max_title_chars
        || description_len > settings.max_description_chars
    {
        return Err(catalogue.render(
            Msg::ProposeTooLong,
            &[
                ("title_max", &settings.max_title_chars.to_string()),
                (
                    "description_max",
                    &settings.max_description_chars.to_string(),
                ),
                ("title_len", &title_len.to_string()),
                ("description_len", &description_len.to_string()),
            ],
        ));
    }
    Ok(())
}

/// Applies an edit of a `!propose` message. Edits by anyone but the author, and edits of other
/// messages, are not proposals' business and are ignored.
pub fn on_edit(settings: &Settings, state: &State, edit: &Edited) -> Effects {
    let mut effects = Effects::default();
    let participation = &state.participation;
    let Some(proposal) = participation
        .by_event
        .get(&edit.original)
        .and_then(|n| participation.proposals.get(n))
        .filter(|p| p.source_event == edit.original && p.author == edit.sender && !p.redacted)
    else {
        return effects;
    };
    let Some(Ok(Command::Propose(text))) = Command::parse(&edit.new_body) else {
        return effects;
    };
    let catalogue = settings.catalogue();
    let number = proposal.number.to_string();
    let tally = participation.tally(proposal.number).total;
    let default_phase = settings
        .section_of_id(&proposal.section)
        .map(|(_, s)| s.default_phase)
        .unwrap_or_default();
    let phase = participation.phase(&proposal.section, default_phase);
    let outcome = if !tally.is_zero() {
        Err(catalogue.render(Msg::EditHasVotes, &[("number", &number)]))
    } else if !proposal.state.is_live() || !phase.allows_proposals() {
        Err(catalogue.render(Msg::EditClosed, &[("number", &number)]))
    } else {
        check_lengths(settings, catalogue, &text).map(|()| {
            let mut updated = proposal.clone();
            updated.title = text.title;
            updated.description = text.description;
            updated.updated_ms = edit.at_ms;
            let notice = catalogue.render(
                Msg::EditDone,
                &[("number", &number), ("title", &updated.title)],
            );
            effects.changes.push(Change::Proposal(updated));
            notice
        })
    };
    let text = outcome.unwrap_or_else(|refusal| refusal);
    let root = proposal.thread_root().to_owned();
    effects.replies.push(Reply {
        room_id: edit.room_id.clone(),
        in_reply_to: root.clone(),
        thread_root: Some(root),
        mentions: vec![edit.sender.clone()],
        text,
        card_for: None,
        item: None,
        secret_tally: None,
        receipt: None,
    });
    effects
}
