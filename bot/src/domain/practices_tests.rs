//! Practice commands against a real index in RAM: share, moderation, search pages, ratings,
//! related practices on proposal cards.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use pspm_indexer::Index;

use super::practice_repository::{legacy_share_id, share_id};
use super::tests::{at, settings};
use super::*;

const ROOM: &str = "!section:ministry.test";
const MODERATOR: &str = "@mod:ministry.test";
const ALICE: &str = "@alice:agency.test";
const BOB: &str = "@bob:agency.test";

struct Chat {
    engine: Engine,
    index: Arc<Index>,
    sent: usize,
}

impl Chat {
    fn new() -> Chat {
        Chat::in_language(Language::En)
    }

    fn in_language(language: Language) -> Chat {
        let index = Arc::new(Index::in_ram().unwrap());
        let engine =
            Engine::new(settings(language), State::default()).with_practices(index.clone());
        Chat {
            engine,
            index,
            sent: 0,
        }
    }

    /// Sends a message; returns the event id and the one reply's body and mentions.
    fn say(&mut self, sender: &str, body: &str) -> (String, String, Vec<String>) {
        let event_id = format!("$m{}", self.sent);
        let sent = 1_700_000_000_000 + self.sent as i64 * 1000;
        self.sent += 1;
        let effects = self.engine.apply(
            Input::Message(Message {
                event_id: event_id.clone(),
                room_id: ROOM.into(),
                sender: sender.into(),
                sent_at_ms: sent,
                body: body.into(),
                thread_root: None,
                reply_to: None,
                quoted: None,
            }),
            at(sent + 25),
        );
        assert_eq!(effects.replies.len(), 1, "one reply to {body:?}");
        let reply = &effects.replies[0];
        assert_eq!(reply.in_reply_to, event_id);
        (event_id, reply.text.body.clone(), reply.mentions.clone())
    }

    fn reply(&mut self, sender: &str, body: &str) -> String {
        self.say(sender, body).1
    }

    fn add_published(&self, id: &str, title: &str, text: &str) {
        self.index
            .share(Share {
                id: id.into(),
                title: title.into(),
                url_or_text: text.into(),
                practice_type: Some(PracticeType::Guideline),
                tags: vec!["riuso".into()],
                added_by: "@operator:ministry.test".into(),
                added_at: Utc.timestamp_millis_opt(1_600_000_000_000).unwrap(),
            })
            .unwrap();
        self.index.approve(id).unwrap();
    }
}

use super::practice_repository::{Practice, PracticeType, Rating, Share, Status};

#[test]
fn a_shared_practice_waits_for_a_moderator_then_everyone_finds_it() {
    let mut chat = Chat::new();
    let (event, reply, _) = chat.say(
        ALICE,
        "!share Open source reuse kit | Guidance on publishing municipal software as open source under the EUPL licence, with a repository checklist. | guideline | reuse, open source",
    );
    let id = share_id(&event);
    assert!(reply.contains(&id) && reply.contains("waits"), "{reply}");

    // Pending: invisible to participants, listed and searchable for moderators.
    assert!(chat
        .reply(BOB, "!search municipal software")
        .starts_with("No good practice"));
    assert!(chat
        .reply(BOB, &format!("!practice {id}"))
        .contains("No good practice"));
    assert!(chat
        .reply(BOB, &format!("!rate {id} 5"))
        .contains("No good practice"));
    let pending = chat.reply(MODERATOR, "!pending");
    assert!(
        pending.contains(&id) && pending.contains(ALICE),
        "{pending}"
    );
    assert!(chat
        .reply(MODERATOR, "!search municipal software")
        .contains(&id));

    // Only moderators approve; the refusal changes nothing.
    assert!(chat
        .reply(BOB, &format!("!approve {id}"))
        .contains("moderators"));
    assert!(chat
        .reply(BOB, "!search municipal software")
        .starts_with("No good practice"));

    let (_, approved, mentions) = chat.say(MODERATOR, &format!("!approve {id}"));
    assert!(
        approved.contains("published") && approved.contains(ALICE),
        "{approved}"
    );
    assert!(
        mentions.contains(&ALICE.to_owned()),
        "the contributor is told"
    );
    let found = chat.reply(BOB, "!search municipal software");
    assert!(
        found.contains("Open source reuse kit") && found.contains(&id),
        "{found}"
    );
    assert!(chat
        .reply(MODERATOR, "!pending")
        .contains("No good practice"));

    let card = chat.reply(BOB, &format!("!practice {id}"));
    assert!(
        card.contains("Type: guideline") && card.contains("Tags: reuse, open source"),
        "{card}"
    );
    assert!(card.contains("Not rated yet"), "{card}");
}

#[test]
fn search_lines_show_type_organisation_and_year_in_the_readers_language() {
    let described = Practice {
        id: "plan".into(),
        title: "Piano triennale per l'informatica".into(),
        summary: String::new(),
        body: "Il piano descrive la trasformazione digitale dei servizi comunali.".into(),
        practice_type: PracticeType::StrategicPlan,
        organisation: Some("Comune di Roma".into()),
        year: Some(2020),
        tags: Vec::new(),
        language: pspm_indexer::PracticeLanguage::It,
        licence: None,
        source: "test".into(),
        added_by: "@operator:ministry.test".into(),
        added_at: Utc.timestamp_millis_opt(1_600_000_000_000).unwrap(),
        status: Status::Published,
        rating: Rating::default(),
        path: None,
    };
    let silent = Practice {
        id: "kit".into(),
        title: "Kit per il riuso".into(),
        body: "Come pubblicare il software gestionale in riuso.".into(),
        practice_type: PracticeType::Guideline,
        organisation: None,
        year: None,
        ..described.clone()
    };
    for (language, with_metadata, without_metadata) in [
        (
            Language::It,
            "1. Piano triennale per l'informatica — piano strategico · Comune di Roma · 2020 · `plan`",
            "1. Kit per il riuso — linea guida · ente n.d. · anno n.d. · `kit`",
        ),
        (
            Language::En,
            "1. Piano triennale per l'informatica — strategic plan · Comune di Roma · 2020 · `plan`",
            "1. Kit per il riuso — guideline · organisation n/a · year n/a · `kit`",
        ),
    ] {
        let mut chat = Chat::in_language(language);
        chat.index
            .import([described.clone(), silent.clone()])
            .unwrap();
        let reply = chat.reply(ALICE, "!search trasformazione digitale");
        assert_eq!(reply.lines().nth(1), Some(with_metadata), "{reply}");
        let reply = chat.reply(ALICE, "!search software gestionale");
        assert_eq!(reply.lines().nth(1), Some(without_metadata), "{reply}");
        // The card and the moderators' list name the type in the same words.
        let card = chat.reply(ALICE, "!practice kit");
        let type_name = without_metadata.split(" — ").nth(1).unwrap().split(" · ").next().unwrap();
        assert!(card.contains(type_name), "{card}");
    }
}

/// Near matches follow too few exact ones, and the reply says so in the reader's language:
/// with none exact, in the header; with some, in a line saying where they start; and with
/// the query as corrected when a word is nowhere as typed.
#[test]
fn near_matches_are_announced_with_the_corrected_query_in_the_readers_language() {
    for (language, typo_header, did_you_mean, notice) in [
        (
            Language::It,
            "Nessun risultato esatto per «licemze aperte»: risultati simili (1–1 di 1):",
            "Forse cercavi «licenze aperte»?",
            "Solo 1 risultato esatto; dal risultato 2 in poi, risultati simili.",
        ),
        (
            Language::En,
            "No exact match for “licemze aperte”: near matches (1–1 of 1):",
            "Did you mean “licenze aperte”?",
            "Only 1 exact match; from result 2 on, near matches.",
        ),
    ] {
        let mut chat = Chat::in_language(language);
        chat.add_published(
            "licences",
            "Guida alle licenze",
            "Le licenze aperte permettono il riuso del codice sorgente.",
        );
        chat.add_published(
            "rovereto",
            "Esperienza di Rovereto",
            "Il comune di Rovereto ha pubblicato il suo gestionale.",
        );
        chat.add_published(
            "roveredo",
            "Esperienza di Roveredo",
            "Il comune di Roveredo ha riusato quel gestionale.",
        );
        let typo = chat.reply(ALICE, "!search licemze aperte");
        let lines: Vec<&str> = typo.lines().collect();
        assert_eq!(lines[0], typo_header, "{typo}");
        assert_eq!(lines[1], did_you_mean, "{typo}");
        assert!(lines[2].starts_with("1. Guida alle licenze"), "{typo}");
        // A word that is there, in fewer practices than a page: no correction, a notice.
        let rare = chat.reply(ALICE, "!search rovereto");
        let lines: Vec<&str> = rare.lines().collect();
        assert!(lines[0].contains("(1–2 "), "{rare}");
        assert_eq!(lines[1], notice, "{rare}");
        assert!(lines[2].starts_with("1. Esperienza di Rovereto"), "{rare}");
        assert!(
            lines
                .iter()
                .any(|line| line.starts_with("2. Esperienza di Roveredo")),
            "{rare}"
        );
        assert!(
            !rare.contains(did_you_mean.split(' ').next().unwrap()),
            "{rare}"
        );
        // Enough exact matches: neither.
        let exact = chat.reply(ALICE, "!search licenze");
        assert!(
            !exact.contains(notice) && !exact.contains(did_you_mean),
            "{exact}"
        );
    }
}

#[test]
fn ratings_keep_each_persons_latest() {
    let mut chat = Chat::new();
    chat.add_published(
        "kit",
        "Reuse kit",
        "How to reuse software between administrations.",
    );
    assert!(chat
        .reply(ALICE, "!rate kit 2")
        .contains("average 2.0/5 over 1 rating."));
    assert!(chat
        .reply(BOB, "!rate kit 5")
        .contains("average 3.5/5 over 2 ratings"));
    assert!(chat
        .reply(ALICE, "!rate kit 4")
        .contains("average 4.5/5 over 2 ratings"));
    assert!(chat
        .reply(ALICE, "!rate kit 6")
        .contains("!rate <id> <1-5>"));
    assert!(chat.reply(ALICE, "!rate kit").contains("!rate <id> <1-5>"));
    assert!(chat
        .reply(ALICE, "!rate nothing 3")
        .contains("No good practice with id"));
    assert!(chat
        .reply(BOB, "!practice kit")
        .contains("Rating: 4.5/5 (2 ratings)"));
}

#[test]
fn declining_tells_the_contributor_why_and_published_practices_cannot_be_declined() {
    let mut chat = Chat::new();
    chat.add_published("kit", "Reuse kit", "How to reuse software.");
    let (event, _, _) = chat.say(BOB, "!share Holiday photos | https://example.org/photos");
    let id = share_id(&event);
    assert!(chat
        .reply(MODERATOR, &format!("!decline {id}"))
        .contains("!decline <id> <reason>"));
    let (_, declined, mentions) = chat.say(MODERATOR, &format!("!decline {id} not a practice"));
    assert!(
        declined.contains("not a practice") && declined.contains(BOB),
        "{declined}"
    );
    assert!(mentions.contains(&BOB.to_owned()));
    assert!(chat
        .reply(MODERATOR, &format!("!approve {id}"))
        .contains("No good practice"));
    assert!(chat
        .reply(MODERATOR, "!decline kit spam")
        .contains("already published"));
    assert!(chat.reply(BOB, "!practice kit").contains("Reuse kit"));
}

#[test]
fn more_pages_through_the_same_users_search() {
    let mut chat = Chat::new();
    for n in 0..12 {
        chat.add_published(
            &format!("p{n:02}"),
            &format!("Interoperability guideline {n}"),
            "Interoperability of public administration services.",
        );
    }
    let first = chat.reply(ALICE, "!search interoperability");
    assert!(
        first.contains("(1–5 of 12)") && first.contains("!more"),
        "{first}"
    );
    assert!(chat.reply(BOB, "!more").contains("No search to continue"));
    assert!(chat.reply(ALICE, "!more").contains("(6–10 of 12)"));
    let last = chat.reply(ALICE, "!more");
    assert!(
        last.contains("(11–12 of 12)") && !last.contains("!more"),
        "{last}"
    );
    assert!(chat.reply(ALICE, "!more").contains("No search to continue"));
}

#[test]
fn bad_share_commands_are_refused_and_store_nothing() {
    let mut chat = Chat::new();
    for bad in [
        "!share",
        "!share only a title",
        "!share | no title",
        "!share Title | text | not-a-type",
        "!share Title | text | guideline | tags | extra",
    ] {
        let reply = chat.reply(ALICE, bad);
        assert!(reply.contains("!share <title>"), "{bad}: {reply}");
    }
    assert!(chat.index.list(true).unwrap().is_empty());
    assert!(chat.reply(ALICE, "!search").contains("!search <text>"));
    assert!(chat
        .reply(ALICE, "!practice a/b")
        .contains("!practice <id>"));
}

#[test]
fn sharing_again_from_the_same_event_changes_nothing() {
    let mut chat = Chat::new();
    let body = "!share Reuse kit | Guidance on software reuse.";
    let (event, first, _) = chat.say(ALICE, body);
    // The same event applied again (a replay after a crash) shares the same practice.
    let effects = chat.engine.apply(
        Input::Message(Message {
            event_id: event.clone(),
            room_id: ROOM.into(),
            sender: ALICE.into(),
            sent_at_ms: 1_700_000_000_000,
            body: body.into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }),
        at(1_700_000_000_025),
    );
    assert_eq!(effects.replies[0].text.body, first);
    assert_eq!(chat.index.list(true).unwrap().len(), 1);
    assert_eq!(chat.index.list(true).unwrap()[0].id, share_id(&event));
}

#[test]
fn share_ids_have_64_bits_and_old_32_bit_ids_still_work() {
    let mut chat = Chat::new();
    let (event, reply, _) = chat.say(ALICE, "!share Reuse kit | Guidance on software reuse.");
    let id = share_id(&event);
    // 64 bits: a 1 % chance of any collision needs about 600 million shares, not 9,300.
    assert_eq!(id.len(), 16, "{id}");
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    assert!(reply.contains(&format!("`{id}`")), "{reply}");
    assert_ne!(share_id("$a"), share_id("$b"));

    // A practice shared before ids grew keeps its 32-bit id: every command still finds it.
    let old_event = "$shared-by-an-earlier-version";
    let old_id = legacy_share_id(old_event);
    assert_eq!(old_id.len(), 8);
    chat.index
        .share(Share {
            id: old_id.clone(),
            title: "Open data kit".into(),
            url_or_text: "How to publish open data.".into(),
            practice_type: None,
            tags: Vec::new(),
            added_by: BOB.into(),
            added_at: at(1_600_000_000_000),
        })
        .unwrap();
    assert!(chat
        .reply(MODERATOR, &format!("!approve {old_id}"))
        .contains("published"));
    assert!(chat
        .reply(ALICE, &format!("!practice {old_id}"))
        .contains("Open data kit"));

    // Its event replayed after the upgrade (a crash before the commit) shares nothing twice.
    let effects = chat.engine.apply(
        Input::Message(Message {
            event_id: old_event.into(),
            room_id: ROOM.into(),
            sender: BOB.into(),
            sent_at_ms: 1_600_000_000_000,
            body: "!share Open data kit | How to publish open data.".into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }),
        at(1_700_000_100_000),
    );
    assert!(
        effects.replies[0]
            .text
            .body
            .contains(&format!("`{old_id}`")),
        "{:?}",
        effects.replies[0].text.body
    );
    assert_eq!(chat.index.list(true).unwrap().len(), 2);
}

#[test]
fn a_new_proposal_card_lists_related_practices_only_when_relevant() {
    let mut chat = Chat::new();
    chat.add_published(
        "reuse",
        "Open source software reuse in public administrations",
        "Public administrations reuse open source software: licences, repositories, maintenance of shared software and communities of administrations.",
    );
    let card = chat.reply(
        ALICE,
        "!propose Reuse open source software across administrations\nShare the software of each administration in a common repository under an open licence.",
    );
    assert!(
        card.contains("Related good practices") && card.contains("(`reuse`)"),
        "{card}"
    );
    let unrelated = chat.reply(ALICE, "!propose Organise a school trip to the seaside\nBuses, lunch and a lifeguard for the children.");
    assert!(!unrelated.contains("Related good practices"), "{unrelated}");
}

#[test]
fn without_a_repository_practice_commands_say_so() {
    let mut engine = Engine::new(settings(Language::It), State::default());
    let effects = engine.apply(
        Input::Message(Message {
            event_id: "$s".into(),
            room_id: ROOM.into(),
            sender: ALICE.into(),
            sent_at_ms: 1_700_000_000_000,
            body: "!search riuso".into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }),
        at(1_700_000_000_025),
    );
    assert!(effects.replies[0].text.body.contains("non è disponibile"));
}

#[test]
fn a_share_deleted_while_pending_is_withdrawn_and_a_published_one_stays() {
    let mut chat = Chat::new();
    let redact = |chat: &mut Chat, sender: &str, event: &str| {
        chat.engine.apply(
            Input::Redaction {
                room_id: ROOM.into(),
                sender: sender.into(),
                redacts: event.into(),
            },
            at(1_800_000_000_000),
        )
    };
    let (pending, _, _) = chat.say(ALICE, "!share Secret kit | A text I regret sharing.");
    let (published, _, _) = chat.say(
        ALICE,
        "!share Reuse kit | Publishing software as open source.",
    );
    chat.say(MODERATOR, &format!("!approve {}", share_id(&published)));

    // Someone else's deletion (where a room allows it) withdraws nothing.
    assert_eq!(redact(&mut chat, BOB, &pending), Effects::default());
    assert!(chat
        .reply(MODERATOR, "!pending")
        .contains(&share_id(&pending)));

    let withdrawn = redact(&mut chat, ALICE, &pending);
    let notice = &withdrawn.notices[0].text.body;
    assert!(
        notice.contains(&share_id(&pending)) && notice.contains("withdrawn"),
        "{notice}"
    );
    assert!(!notice.contains("Secret kit"), "{notice}");
    assert!(chat
        .reply(MODERATOR, "!pending")
        .contains("No good practice"));
    assert!(chat
        .reply(MODERATOR, "!search regret sharing")
        .starts_with("No good practice"));

    assert_eq!(redact(&mut chat, ALICE, &published), Effects::default());
    assert!(chat
        .reply(BOB, "!search open source")
        .contains(&share_id(&published)));
}
