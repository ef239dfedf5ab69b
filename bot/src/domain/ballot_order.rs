//! Putting each person's ballots in the room's order. Over federation a ballot can reach the
//! bot after the same person's newer one (their server was slow, or a gap was filled from
//! history later); a person's vote is their latest ballot *in the room*, so when a walk back
//! through the room's history shows the order, the ballots it passed are put in it.

use std::collections::{BTreeMap, HashSet};

use super::participation::{fingerprint, Ballot};
use super::{Change, Effects, RoomOrder, Settings, State};

/// The ballots of each person on each proposal or draft item that `order` shows reactions of,
/// as the room orders them: those cast by events it did not pass and that are not `newer`
/// first (they are older: the walk ended below them), then those it passed in its order, then
/// the newer ones. Ballots are only reordered, never added or removed.
pub fn on_room_order(settings: &Settings, state: &State, order: &RoomOrder) -> Effects {
    let participation = &state.participation;
    let position_of: BTreeMap<u64, usize> = order
        .events
        .iter()
        .enumerate()
        .map(|(position, event)| (fingerprint(&event.event_id), position))
        .collect();
    let newer: HashSet<u64> = order.newer.iter().map(|id| fingerprint(id)).collect();
    let touched: BTreeMap<(u32, &str), ()> = order
        .events
        .iter()
        .filter_map(|event| {
            let target = event.reaction_target.as_deref()?;
            let number = *participation.by_event.get(target)?;
            Some(((number, event.sender.as_str()), ()))
        })
        .collect();
    let mut effects = Effects::default();
    let ordered = |ballots: &[Ballot]| in_order(ballots, &position_of, &newer);
    for (number, user) in touched.into_keys() {
        let ballots = participation.ballots_of(number, user);
        let ordered = ordered(&ballots);
        if ordered != ballots {
            effects.changes.push(Change::Ballots {
                number,
                user: user.to_owned(),
                organisation: settings.organisation_of(user),
                ballots: ordered,
            });
        }
    }
    // The draft's items (paragraphs, actions, amendments) the same way.
    let consultation = &state.consultation;
    let touched_items: BTreeMap<(&str, &str), ()> = order
        .events
        .iter()
        .filter_map(|event| {
            let target = event.reaction_target.as_deref()?;
            let item = consultation.by_event.get(target)?;
            Some(((item.as_str(), event.sender.as_str()), ()))
        })
        .collect();
    for (item, user) in touched_items.into_keys() {
        let ballots = consultation.ballots_of(item, user);
        let ordered = ordered(&ballots);
        if ordered != ballots {
            effects.changes.push(Change::ItemBallots {
                item: item.to_owned(),
                user: user.to_owned(),
                organisation: settings.organisation_of(user),
                ballots: ordered,
            });
        }
    }
    effects
}

/// `ballots` as the room orders them: those cast by events the walk did not pass and that are
/// not `newer` first, then those it passed in its order, then the newer ones.
fn in_order(
    ballots: &[Ballot],
    position_of: &BTreeMap<u64, usize>,
    newer: &HashSet<u64>,
) -> Vec<Ballot> {
    let (mut passed, rest): (Vec<Ballot>, Vec<Ballot>) = ballots
        .iter()
        .partition(|b| position_of.contains_key(&b.source));
    passed.sort_by_key(|b| position_of.get(&b.source));
    let (later, earlier): (Vec<Ballot>, Vec<Ballot>) =
        rest.into_iter().partition(|b| newer.contains(&b.source));
    earlier.into_iter().chain(passed).chain(later).collect()
}
