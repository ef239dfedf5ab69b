//! Fixed samples of every kind of stored record for the golden tests, with the corners of
//! each encoding: empty and absent fields, non-ASCII text, extreme numbers.

use chrono::NaiveDate;
use pspm_config::draft::{fingerprint, Format, Kind, Paragraph};

use crate::domain::amendments::{AmendKind, Amendment, AmendmentState};
use crate::domain::consultation::{Item, ItemComment};
use crate::domain::digest::{Period, Subscription};
use crate::domain::iterations::{Version, VersionText};
use crate::domain::monitoring::{Action, Measurement, Update};
use crate::domain::polls::{Poll, Response};
use crate::domain::secret_ballot::{SecretBallot, SecretPoll, SecretTally};
use crate::domain::{
    Ballot, CardEdit, CardRedaction, Change, CommandReceipt, Comment, FilePost, Language, Notice,
    Phase, PollEndPost, PollPost, PowerLevels, Proposal, ProposalState, Reaction, Rendered, Reply,
    Stance, Tombstone,
};
use crate::store::{OutboxEntry, Outgoing, Session};

fn proposal(state: ProposalState, card_event: Option<&str>) -> Proposal {
    Proposal {
        number: 12,
        section: "dati".into(),
        room_id: "!dati:hs".into(),
        title: "Dati aperti per tutti".into(),
        description: "Più dati, più \"qualità\".".into(),
        author: "@anna:hs".into(),
        organisation: "Comune di Forlì".into(),
        state,
        answer: Some("Sì".into()),
        hidden: None,
        created_ms: 1_700_000_000_000,
        updated_ms: 1_700_000_100_000,
        source_event: "$source".into(),
        card_event: card_event.map(str::to_owned),
        redacted: false,
    }
}

pub fn changes() -> Vec<(&'static str, Change)> {
    vec![
        (
            "power-levels",
            Change::PowerLevels {
                room_id: "!r:hs".into(),
                levels: PowerLevels {
                    users: [("@m:hs".to_owned(), 50), ("@a:hs".to_owned(), 100)].into(),
                    users_default: -1,
                },
            },
        ),
        (
            "bot-joined",
            Change::BotJoined {
                room_id: "!r:hs".into(),
                at_ms: 1_700_000_000_000,
            },
        ),
        (
            "proposal-open",
            Change::Proposal(proposal(ProposalState::Open, Some("$card"))),
        ),
        (
            "proposal-merged",
            Change::Proposal(Proposal {
                hidden: Some("spam".into()),
                answer: None,
                ..proposal(ProposalState::Merged(3), None)
            }),
        ),
        (
            "proposal-redacted",
            Change::Proposal(Proposal {
                title: String::new(),
                description: String::new(),
                redacted: true,
                ..proposal(ProposalState::Open, Some("$card"))
            }),
        ),
        (
            "ballots",
            Change::Ballots {
                number: 7,
                user: "@àèé:hs".into(),
                organisation: "Comune di Forlì".into(),
                ballots: vec![
                    Ballot {
                        stance: Some(Stance::Support),
                        source: 1,
                    },
                    Ballot {
                        stance: Some(Stance::Oppose),
                        source: 2,
                    },
                    Ballot {
                        stance: None,
                        source: u64::MAX,
                    },
                ],
            },
        ),
        (
            "comment",
            Change::Comment(Comment {
                event_id: "$c".into(),
                section: "dati".into(),
                proposal: Some(0),
                author: "@a:hs".into(),
                organisation: "Ente".into(),
                text: "riga 1\nriga 2 ✓".into(),
                at_ms: -5,
                redacted: false,
            }),
        ),
        (
            "comment-redacted",
            Change::Comment(Comment {
                event_id: "$gone".into(),
                section: "dati".into(),
                proposal: Some(12),
                author: "@a:hs".into(),
                organisation: "Ente".into(),
                text: String::new(),
                at_ms: 9,
                redacted: true,
            }),
        ),
        (
            "comment-on-section",
            Change::Comment(Comment {
                event_id: "$d".into(),
                section: "dati".into(),
                proposal: None,
                author: "@a:hs".into(),
                organisation: String::new(),
                text: String::new(),
                at_ms: i64::MAX,
                redacted: false,
            }),
        ),
        (
            "phase",
            Change::Phase {
                section: "dati".into(),
                phase: Phase::Prioritisation,
            },
        ),
        (
            "poll",
            Change::Poll(Poll {
                id: 2,
                section: "dati".into(),
                room_id: "!dati:hs".into(),
                opened_by: "@m:hs".into(),
                opened_ms: 1_700_000_000_000,
                max_selections: 3,
                answers: vec![("a1".into(), 12), ("a2".into(), 7)],
                start_event: Some("$start".into()),
                closed_ms: None,
                closed_by: None,
                closes_ms: None,
                actions: Vec::new(),
            }),
        ),
        (
            "poll-closed",
            Change::Poll(Poll {
                id: 3,
                section: "dati".into(),
                room_id: "!dati:hs".into(),
                opened_by: "@m:hs".into(),
                opened_ms: 1_700_000_000_000,
                max_selections: 1,
                answers: vec![("a1".into(), 12)],
                start_event: Some("$start3".into()),
                closed_ms: Some(1_700_000_500_000),
                closed_by: Some("$close".into()),
                closes_ms: None,
                actions: Vec::new(),
            }),
        ),
        (
            "poll-responses",
            Change::PollResponses {
                poll: 2,
                user: "@u:hs".into(),
                responses: vec![
                    Response {
                        event_id: "$resp".into(),
                        at_ms: 1_700_000_000_001,
                        selections: vec!["a1".into()],
                        spoiled: false,
                        after_close: false,
                    },
                    Response {
                        event_id: "$late".into(),
                        at_ms: -1,
                        selections: Vec::new(),
                        spoiled: true,
                        after_close: true,
                    },
                ],
            },
        ),
        (
            "card-shown",
            Change::CardShown {
                number: 12,
                text: u64::MAX,
            },
        ),
        (
            "told-server-not-allowed",
            Change::ToldServerNotAllowed {
                room_id: "!r:hs".into(),
                server: "evil.example".into(),
            },
        ),
        (
            "action",
            Change::Action(Action {
                code: "A1.2".into(),
                section: "dati".into(),
                objective: Some("O1".into()),
                title: "Catalogo dei dati".into(),
                owner: None,
                owners: vec!["@o:hs".into()],
                start: Some(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()),
                due: NaiveDate::from_ymd_opt(2026, 12, 1),
                weight: 1.0,
                proposal: Some(12),
            }),
        ),
        (
            "action-update",
            Change::ActionUpdate {
                code: "A1.2".into(),
                update: Update {
                    event_id: "$upd".into(),
                    author: "@o:hs".into(),
                    at_ms: 1_700_000_000_002,
                    progress: 40,
                    note: "a metà".into(),
                    origin: None,
                },
            },
        ),
        (
            "measurement",
            Change::Measurement(Measurement {
                event_id: "$meas".into(),
                result: "R1".into(),
                value: 42.5,
                date: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
                note: String::new(),
                author: "@o:hs".into(),
                at_ms: 1_700_000_000_003,
                origin: None,
            }),
        ),
        (
            "reminded",
            Change::Reminded {
                room_id: "!r:hs".into(),
                day: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            },
        ),
        (
            "reply-language",
            Change::ReplyLanguage {
                user: "@ü:hs".into(),
                language: Language::En,
            },
        ),
        (
            "digest",
            Change::Digest {
                user: "@ü:hs".into(),
                subscription: Some(Subscription {
                    period: Period::Weekly,
                    sections: vec!["mobilita".into(), "dati".into()],
                    since_ms: 1_700_000_000_004,
                }),
            },
        ),
        (
            "digest-off",
            Change::Digest {
                user: "@ü:hs".into(),
                subscription: None,
            },
        ),
        (
            "direct-room",
            Change::DirectRoom {
                user: "@ü:hs".into(),
                room_id: "!dm:hs".into(),
            },
        ),
        (
            "digested",
            Change::Digested {
                user: "@ü:hs".into(),
                day: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                at_ms: 1_700_000_000_005,
            },
        ),
        // Open-ended: a start and no due date.
        (
            "action-open-ended",
            Change::Action(Action {
                code: "CAP3.LA07".into(),
                section: "dati".into(),
                objective: None,
                title: "Formazione continua".into(),
                owner: Some("Agenzia".into()),
                owners: Vec::new(),
                start: Some(NaiveDate::from_ymd_opt(2020, 9, 1).unwrap()),
                due: None,
                weight: 0.5,
                proposal: None,
            }),
        ),
        ("secret-poll-open", Change::SecretPoll(secret_poll(false))),
        ("secret-poll-closed", Change::SecretPoll(secret_poll(true))),
        // Closes by itself at a deadline.
        (
            "poll-deadline",
            Change::Poll(Poll {
                id: 5,
                section: "dati".into(),
                room_id: "!dati:hs".into(),
                opened_by: "@m:hs".into(),
                opened_ms: 1_700_000_000_000,
                max_selections: 2,
                answers: vec![("p1".into(), 1), ("p2".into(), 2)],
                start_event: Some("$start5".into()),
                closed_ms: None,
                closed_by: None,
                closes_ms: Some(1_700_086_400_000),
                actions: Vec::new(),
            }),
        ),
        (
            "secret-poll-deadline",
            Change::SecretPoll(SecretPoll {
                closes_ms: Some(1_700_086_400_000),
                ..secret_poll(false)
            }),
        ),
        // A draft paragraph queued for posting, then posted.
        (
            "draft-item-queued",
            Change::DraftItem(Item {
                key: "§2.3".into(),
                iteration: 1,
                section: "dati".into(),
                room_id: "!dati:hs".into(),
                event_id: None,
            }),
        ),
        (
            "draft-item-posted",
            Change::DraftItem(Item {
                key: "action/CAP3.LA07".into(),
                iteration: 1,
                section: "dati".into(),
                room_id: "!dati:hs".into(),
                event_id: Some("$item".into()),
            }),
        ),
        (
            "item-ballots",
            Change::ItemBallots {
                item: "§2.3".into(),
                user: "@ü:hs".into(),
                organisation: "Agenzia".into(),
                ballots: vec![
                    Ballot {
                        stance: Some(Stance::Support),
                        source: 7,
                    },
                    Ballot {
                        stance: Some(Stance::Oppose),
                        source: u64::MAX,
                    },
                ],
            },
        ),
        (
            "item-comment",
            Change::ItemComment(ItemComment {
                event_id: "$c".into(),
                item: "§2.3".into(),
                section: "dati".into(),
                author: "@ü:hs".into(),
                organisation: "Agenzia".into(),
                text: "Quali formati?".into(),
                at_ms: 1_700_000_000_007,
                redacted: false,
            }),
        ),
        // `!prioritise all`: draft actions among the answers.
        (
            "poll-mixed",
            Change::Poll(Poll {
                id: 6,
                section: "dati".into(),
                room_id: "!dati:hs".into(),
                opened_by: "@m:hs".into(),
                opened_ms: 1_700_000_000_000,
                max_selections: 2,
                answers: vec![("p1".into(), 1)],
                start_event: Some("$start6".into()),
                closed_ms: None,
                closed_by: None,
                closes_ms: None,
                actions: vec![("a2".into(), "CAP3.LA07".into())],
            }),
        ),
        (
            "amendment-accepted",
            Change::Amendment(Amendment {
                number: 3,
                section: "dati".into(),
                room_id: "!dati:hs".into(),
                paragraph: "§2.3".into(),
                kind: AmendKind::Replace,
                text: "Le amministrazioni pubblicano tutti i dati".into(),
                base: u64::MAX,
                author: "@ü:hs".into(),
                organisation: "Agenzia".into(),
                created_ms: 1_700_000_000_008,
                source_event: "$amend".into(),
                state: AmendmentState::Accepted,
                answer: Some("Accolto".into()),
                decided_ms: Some(1_700_000_000_009),
            }),
        ),
        // The second iteration's draft: the same paragraph, a new item.
        (
            "draft-item-second-iteration",
            Change::DraftItem(Item {
                key: "§2.3".into(),
                iteration: 2,
                section: "dati".into(),
                room_id: "!dati:hs".into(),
                event_id: Some("$item2".into()),
            }),
        ),
        (
            "iteration-closed",
            Change::IterationClosed(Version {
                number: 1,
                name: "blueprint 2026".into(),
                closed_ms: 1_700_000_000_010,
                closed_by: "@mod:hs".into(),
                sections: [(
                    "dati".to_owned(),
                    VersionText {
                        paragraphs: vec![
                            paragraph(1, Kind::Heading(2), Format::Rst, "Dati\n===="),
                            paragraph(3, Kind::List, Format::Markdown, "- uno\n- due"),
                            paragraph(41, Kind::Paragraph, Format::Text, "Aggiunto con A5."),
                        ],
                        last_number: 41,
                    },
                )]
                .into(),
            }),
        ),
    ]
}

fn paragraph(number: u32, kind: Kind, format: Format, text: &str) -> Paragraph {
    Paragraph {
        number,
        kind,
        format,
        text: text.to_owned(),
        fingerprint: fingerprint(text),
    }
}

/// A secret ballot with two ballots, open, or closed (receipts only).
fn secret_poll(closed: bool) -> SecretPoll {
    let open = SecretPoll {
        id: 4,
        section: "dati".into(),
        room_id: "!section:hs".into(),
        opened_by: "@mod:hs".into(),
        opened_ms: 1_700_000_000_006,
        max_selections: 2,
        options: vec![3, 1, 7],
        secret: Some("5e".repeat(32)),
        ballots: [
            (
                "0a1b".repeat(8),
                SecretBallot {
                    receipt: "a1b2-c3d4-e5f6".into(),
                    choices: vec![3, 7],
                },
            ),
            (
                "ff00".repeat(8),
                SecretBallot {
                    receipt: "0f1e-2d3c-4b5a".into(),
                    choices: vec![1],
                },
            ),
        ]
        .into(),
        closed_ms: None,
        receipts: Default::default(),
        closes_ms: None,
    };
    if closed {
        open.closed(1_700_000_000_007)
    } else {
        open
    }
}

fn rendered(body: &str) -> Rendered {
    Rendered {
        body: body.into(),
        html: format!("<b>{body}</b>"),
    }
}

pub fn outgoing() -> Vec<(&'static str, Outgoing)> {
    vec![
        (
            "reply",
            Outgoing::Reply(Reply {
                room_id: "!r:hs".into(),
                in_reply_to: "$e".into(),
                thread_root: Some("$root".into()),
                mentions: vec!["@u:hs".into(), "@v:hs".into()],
                text: rendered("Proposta n. 12 ✓"),
                card_for: Some(12),
                item: None,
                secret_tally: None,
                receipt: None,
            }),
        ),
        (
            "notice",
            Outgoing::Notice(Notice {
                item: None,
                mentions: Vec::new(),
                room_id: "!r:hs".into(),
                key: "reminder/2026-03-02/!r:hs".into(),
                text: rendered("Promemoria"),
                tombstone: None,
                secret_tally: None,
            }),
        ),
        (
            "reaction",
            Outgoing::Reaction(Reaction {
                room_id: "!r:hs".into(),
                target: "$card".into(),
                key: "👍".into(),
            }),
        ),
        (
            "file",
            Outgoing::File(FilePost {
                room_id: "!r:hs".into(),
                in_reply_to: "$e".into(),
                filename: "chart.png".into(),
                mimetype: "image/png".into(),
                content: vec![0x89, b'P', b'N', b'G', 0, 255],
                image: Some((640, 480)),
                caption: Some("Dati: 42% complessivo; 1 azione in ritardo: A.1".into()),
            }),
        ),
        (
            "poll",
            Outgoing::Poll(PollPost {
                room_id: "!r:hs".into(),
                poll_id: 2,
                question: "Quali priorità?".into(),
                max_selections: 3,
                answers: vec![("a1".into(), "#12 Dati".into()), ("a2".into(), "#7".into())],
            }),
        ),
        (
            "poll-end",
            Outgoing::PollEnd(PollEndPost {
                room_id: "!r:hs".into(),
                start: "$start".into(),
                text: "1. #12 (3 voti)".into(),
            }),
        ),
        (
            "card-edit",
            Outgoing::CardEdit(CardEdit {
                room_id: "!r:hs".into(),
                card_event: "$card".into(),
                number: 12,
                text: rendered("**#12 Dati aperti** · 👍 3 · 👎 1"),
            }),
        ),
        (
            "notice-tombstone-proposal",
            Outgoing::Notice(Notice {
                item: None,
                mentions: Vec::new(),
                room_id: "!r:hs".into(),
                key: "tombstone.$source".into(),
                text: rendered("Proposta cancellata"),
                tombstone: Some(Tombstone::Proposal {
                    number: 12,
                    source: "$source".into(),
                    card: Some("$card".into()),
                }),
                secret_tally: None,
            }),
        ),
        (
            "notice-tombstone-comment",
            Outgoing::Notice(Notice {
                item: None,
                mentions: Vec::new(),
                room_id: "!r:hs".into(),
                key: "tombstone.$c".into(),
                text: rendered("Commento cancellato"),
                tombstone: Some(Tombstone::Comment {
                    source: "$c".into(),
                    proposal: None,
                }),
                secret_tally: None,
            }),
        ),
        (
            "notice-tombstone-card",
            Outgoing::Notice(Notice {
                item: None,
                mentions: Vec::new(),
                room_id: "!r:hs".into(),
                key: "tombstone.$card".into(),
                text: rendered("Scheda cancellata"),
                tombstone: Some(Tombstone::Card {
                    number: 12,
                    card: "$card".into(),
                }),
                secret_tally: None,
            }),
        ),
        (
            "card-redaction",
            Outgoing::CardRedaction(CardRedaction {
                room_id: "!r:hs".into(),
                card_event: "$card".into(),
            }),
        ),
        ("open-direct", Outgoing::OpenDirect("@ü:hs".into())),
        (
            "notice-mentions",
            Outgoing::Notice(Notice {
                item: None,
                room_id: "!r:hs".into(),
                key: "reminder.!r:hs.2026-03-02".into(),
                text: rendered("Responsabili: @ü:hs"),
                tombstone: None,
                mentions: vec!["@ü:hs".into(), "@o:hs".into()],
                secret_tally: None,
            }),
        ),
        (
            "reply-secret-tally",
            Outgoing::Reply(Reply {
                room_id: "!section:hs".into(),
                in_reply_to: "$close".into(),
                thread_root: None,
                mentions: vec!["@mod:hs".into()],
                text: rendered("Votazione segreta 4 chiusa"),
                card_for: None,
                item: None,
                secret_tally: Some(SecretTally {
                    poll: 4,
                    receipts: secret_poll(true).receipts,
                }),
                receipt: None,
            }),
        ),
        (
            "notice-secret-tally",
            Outgoing::Notice(Notice {
                item: None,
                room_id: "!section:hs".into(),
                key: "poll-deadline-4".into(),
                text: rendered("La votazione segreta 4 si è chiusa da sé"),
                tombstone: None,
                mentions: Vec::new(),
                secret_tally: Some(SecretTally {
                    poll: 4,
                    receipts: secret_poll(true).receipts,
                }),
            }),
        ),
        (
            "notice-item",
            Outgoing::Notice(Notice {
                item: Some("§2.3".into()),
                room_id: "!dati:hs".into(),
                key: "draft/dati/§2.3".into(),
                text: rendered("§3 Le amministrazioni pubblicano i dati"),
                tombstone: None,
                mentions: Vec::new(),
                secret_tally: None,
            }),
        ),
        (
            "reply-amendment-card",
            Outgoing::Reply(Reply {
                room_id: "!dati:hs".into(),
                in_reply_to: "$amend".into(),
                thread_root: None,
                mentions: vec!["@ü:hs".into()],
                text: rendered("A3 sostituisce §2.3"),
                card_for: None,
                item: Some("amendment/A3".into()),
                secret_tally: None,
                receipt: None,
            }),
        ),
        (
            "reply-command-receipt",
            Outgoing::Reply(Reply {
                room_id: "!dati:hs".into(),
                in_reply_to: "$accept".into(),
                thread_root: Some("$card".into()),
                mentions: vec!["@mod:hs".into()],
                text: rendered("A3 accettato"),
                card_for: None,
                item: None,
                secret_tally: None,
                receipt: Some(CommandReceipt {
                    body: "!accept A3".into(),
                    reply_to: Some("$card".into()),
                }),
            }),
        ),
    ]
}

pub fn entry(seq: u64, outgoing: Outgoing) -> OutboxEntry {
    OutboxEntry {
        seq,
        txn_id: format!("pspm-{seq}"),
        outgoing,
    }
}

pub fn session() -> Session {
    Session {
        user_id: "@pspm:hs".into(),
        device_id: "DEVICE".into(),
        access_token: "syt_secret".into(),
    }
}
