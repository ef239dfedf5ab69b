//! Mixed traffic from the people of a section room — votes (👍/👎 reactions on cards and
//! their withdrawal by redaction), comments in the cards' threads, commands and proposals —
//! as fast as their homeserver takes it, with what each person sent kept for the checks.

use std::collections::HashMap;

use crate::bench::futures_join_all;
use crate::{Result, Rng, User};

/// Each of `users` as a [`Person`] with a random source of their own, seeded from `seeds`.
pub fn crowd(users: &[User], seeds: &mut Rng) -> Vec<(Person, Rng)> {
    users
        .iter()
        .map(|user| {
            (
                Person::new(user.clone_session()),
                Rng::seeded(seeds.next_u64()),
            )
        })
        .collect()
}

/// Everyone in `people` takes `each` actions on `cards` at once, as fast as their server
/// takes them; what they did, person by person.
pub async fn all_act(
    people: &mut [(Person, Rng)],
    room: &str,
    cards: &[String],
    mix: Mix,
    each: usize,
) -> Result<Vec<Vec<Act>>> {
    let sent = futures_join_all(people.iter_mut().map(|(person, rng)| async move {
        let mut acts = Vec::with_capacity(each);
        for _ in 0..each {
            acts.push(person.act(room, cards, mix, rng).await?);
        }
        Result::Ok(acts)
    }))
    .await;
    sent.into_iter().collect()
}

/// What a person does next, by weight.
#[derive(Debug, Clone, Copy)]
pub struct Mix {
    pub votes: u64,
    pub comments: u64,
    pub commands: u64,
    pub proposals: u64,
}

/// One action a person took, with the event it sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    Vote(String),
    Withdrawal(String),
    Comment(String),
    /// A command the bot must answer once (`!ping`, `!show`, `!stats`, `!proposals`,
    /// `!search`, `!help`).
    Command(String),
    /// A `!propose` the bot must answer with a card.
    Proposal(String),
}

/// A person sending traffic, who remembers their standing reactions: reacting twice with
/// the same key is refused by the homeserver, so a second time withdraws the first.
pub struct Person {
    pub user: User,
    /// (card index, key) → the standing reaction's event ID.
    standing: HashMap<(usize, &'static str), String>,
    proposals: u64,
}

impl Person {
    pub fn new(user: User) -> Person {
        Person {
            user,
            standing: HashMap::new(),
            proposals: 0,
        }
    }

    /// One action on `cards` (the cards' event IDs, in proposal order), picked by `mix`.
    pub async fn act(
        &mut self,
        room: &str,
        cards: &[String],
        mix: Mix,
        rng: &mut Rng,
    ) -> Result<Act> {
        let total = mix.votes + mix.comments + mix.commands + mix.proposals;
        let pick = rng.between(0, total);
        let (votes, comments, commands) = (
            mix.votes,
            mix.votes + mix.comments,
            mix.votes + mix.comments + mix.commands,
        );
        // With no card yet there is nothing to vote on or comment: someone proposes first.
        if cards.is_empty() || pick >= commands {
            self.proposals += 1;
            let text = format!(
                "!propose Proposta {} di {}\nUna descrizione.",
                self.proposals, self.user.user_id
            );
            return Ok(Act::Proposal(self.user.send_text(room, &text).await?));
        }
        if pick < votes {
            return self.vote(room, cards, rng).await;
        }
        if pick < comments {
            let root = &cards[rng.between(0, cards.len() as u64) as usize];
            let text = format!("Un commento, il numero {}", rng.next_u64() % 10_000);
            return Ok(Act::Comment(
                self.user.send_in_thread(room, root, &text).await?,
            ));
        }
        let text = match rng.between(0, 8) {
            0 | 1 => "!ping".to_owned(),
            2 => "!stats".to_owned(),
            3 => "!proposals".to_owned(),
            4 => "!search dati aperti".to_owned(),
            5 => "!help vote".to_owned(),
            _ => format!("!show {}", rng.between(1, cards.len() as u64 + 1)),
        };
        Ok(Act::Command(self.user.send_text(room, &text).await?))
    }

    /// The reactions this person has standing (sent and not withdrawn).
    pub fn standing(&self) -> usize {
        self.standing.len()
    }

    /// A 👍 or 👎 on a random card, or the withdrawal of the same one standing.
    pub async fn vote(&mut self, room: &str, cards: &[String], rng: &mut Rng) -> Result<Act> {
        let card = rng.between(0, cards.len() as u64) as usize;
        let key = if rng.between(0, 10) < 6 {
            "👍"
        } else {
            "👎"
        };
        if let Some(previous) = self.standing.remove(&(card, key)) {
            self.user.redact(room, &previous).await?;
            return Ok(Act::Withdrawal(previous));
        }
        let reaction = self.user.react(room, &cards[card], key).await?;
        self.standing.insert((card, key), reaction.clone());
        Ok(Act::Vote(reaction))
    }
}
