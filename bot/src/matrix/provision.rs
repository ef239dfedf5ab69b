//! Makes the plan real in Matrix, idempotently: one Space, one room per section, with names,
//! topics, stable aliases, Space links, power levels, a server ACL admitting only
//! `bot.allowed_servers`, and join rules per `bot.room_access`. Aliases are the truth: a room
//! is created only when its alias resolves to nothing, so restarts and other instances reuse
//! it. Every start corrects what differs from the config.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use matrix_sdk::ruma::api::client::alias::get_alias;
use matrix_sdk::ruma::api::client::membership::join_room_by_id;
use matrix_sdk::ruma::api::client::room::create_room;
use matrix_sdk::ruma::api::client::room::Visibility;
use matrix_sdk::ruma::api::client::state::{get_state_event_for_key, send_state_event};
use matrix_sdk::ruma::events::StateEventType;
use matrix_sdk::ruma::room::RoomType;
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::{OwnedRoomAliasId, OwnedRoomId};
use pspm_config::{Config, Plan, RoomAccess};
use serde_json::{json, Value};
use tracing::{debug, info};

use super::{Matrix, RequestError};
use crate::domain::MODERATOR_POWER;
use crate::store::Store;

/// The rooms of a provisioned plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRooms {
    pub space: String,
    /// `(section id, room id)` in plan order.
    pub sections: Vec<(String, String)>,
}

/// How long to wait for a room another instance is creating at the same moment (a loaded
/// homeserver takes seconds to create a room with its state).
const RACE_PATIENCE: Duration = Duration::from_secs(30);

struct Target<'a> {
    alias_localpart: String,
    name: &'a str,
    topic: &'a str,
    is_space: bool,
    /// State the room is created with (`type`, content), so that it is never joinable
    /// without its ACL and join rules, not even for a moment.
    initial_state: Vec<(&'static str, Value)>,
}

/// A 404: no such alias, or no such state event.
fn is_not_found(error: &RequestError) -> bool {
    error.status() == Some(404)
}

/// Creates what is missing and corrects what differs; never creates a second room for an alias.
pub async fn provision(
    matrix: &Matrix,
    store: &dyn Store,
    config: &Config,
) -> anyhow::Result<PlanRooms> {
    let plan: &Plan = &config.plan;
    let moderators = &config.bot.moderators;
    let acl = server_acl(&config.bot.allowed_servers, matrix.server_name());
    let space = ensure_room(
        matrix,
        store,
        moderators,
        Target {
            alias_localpart: plan.space_alias_localpart(),
            name: &plan.title,
            topic: &plan.description,
            is_space: true,
            initial_state: vec![("m.room.server_acl", acl.clone())],
        },
    )
    .await?;
    ensure_state(matrix, &space, "m.room.server_acl", "", acl.clone()).await?;
    let via = json!([matrix.server_name()]);
    let rules = join_rules(config.bot.room_access, &space);
    let mut sections = Vec::new();
    for (index, section) in plan.sections.iter().enumerate() {
        let room = ensure_room(
            matrix,
            store,
            moderators,
            Target {
                alias_localpart: plan.section_alias_localpart(section),
                name: &section.title,
                topic: &section.description,
                is_space: false,
                initial_state: vec![
                    ("m.room.server_acl", acl.clone()),
                    ("m.room.join_rules", rules.clone()),
                ],
            },
        )
        .await?;
        ensure_state(matrix, &room, "m.room.server_acl", "", acl.clone()).await?;
        ensure_state(matrix, &room, "m.room.join_rules", "", rules.clone()).await?;
        ensure_state(
            matrix,
            &room,
            "m.space.parent",
            space.as_str(),
            json!({"via": via, "canonical": true}),
        )
        .await?;
        // Last: once the Space lists a section, the section is ready to be joined.
        let order = format!("{index:04}");
        ensure_state(
            matrix,
            &space,
            "m.space.child",
            room.as_str(),
            json!({"via": via, "order": order, "suggested": true}),
        )
        .await?;
        sections.push((section.id.clone(), room.to_string()));
    }
    info!(space = %space, sections = sections.len(), "plan rooms ready");
    Ok(PlanRooms {
        space: space.to_string(),
        sections,
    })
}

async fn ensure_room(
    matrix: &Matrix,
    store: &dyn Store,
    moderators: &[String],
    target: Target<'_>,
) -> anyhow::Result<OwnedRoomId> {
    let alias: OwnedRoomAliasId = format!("#{}:{}", target.alias_localpart, matrix.server_name())
        .try_into()
        .with_context(|| format!("invalid alias for {}", target.alias_localpart))?;
    let room = match resolve(matrix, &alias).await? {
        // Another instance may be creating it right now: Synapse publishes the alias before
        // the room's first events, so the room may not be joinable for a moment.
        Some(room) => {
            join(matrix, &room, RACE_PATIENCE).await?;
            room
        }
        None => match create(matrix, moderators, &target).await {
            Ok(room) => {
                info!(%alias, %room, "created room");
                room
            }
            Err(create_error) => match resolve(matrix, &alias).await? {
                // Another instance created it between our lookup and our create. Synapse
                // publishes the alias before the room's first events, so the room may not be
                // joinable for a moment.
                Some(room) => {
                    join(matrix, &room, RACE_PATIENCE).await?;
                    room
                }
                None => return Err(create_error),
            },
        },
    };
    store.save_room(alias.as_str(), room.as_str())?;
    ensure_state(
        matrix,
        &room,
        "m.room.name",
        "",
        json!({"name": target.name}),
    )
    .await?;
    ensure_state(
        matrix,
        &room,
        "m.room.topic",
        "",
        json!({"topic": target.topic}),
    )
    .await?;
    ensure_power_levels(matrix, &room, moderators).await?;
    Ok(room)
}

async fn resolve(matrix: &Matrix, alias: &OwnedRoomAliasId) -> anyhow::Result<Option<OwnedRoomId>> {
    let request = get_alias::v3::Request::new(alias.clone());
    match matrix
        .send("resolve alias", |client| client.send(request.clone()))
        .await
    {
        Ok(response) => Ok(Some(response.room_id)),
        Err(error) if is_not_found(&error) => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot resolve {alias}")),
    }
}

/// Joins a room (a no-op when already in it). Refusals are retried for `patience`.
pub(super) async fn join(
    matrix: &Matrix,
    room: &OwnedRoomId,
    patience: Duration,
) -> anyhow::Result<()> {
    let request = join_room_by_id::v3::Request::new(room.clone());
    let started = Instant::now();
    loop {
        match matrix
            .send("join", |client| client.send(request.clone()))
            .await
        {
            Ok(_) => return Ok(()),
            Err(error @ RequestError::Http(_)) if started.elapsed() < patience => {
                debug!(%room, %error, "room not joinable yet");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(error) => return Err(error).with_context(|| format!("cannot join {room}")),
        }
    }
}

async fn create(
    matrix: &Matrix,
    moderators: &[String],
    target: &Target<'_>,
) -> anyhow::Result<OwnedRoomId> {
    let mut request = create_room::v3::Request::new();
    request.room_alias_name = Some(target.alias_localpart.clone());
    request.name = Some(target.name.to_owned());
    if !target.topic.is_empty() {
        request.topic = Some(target.topic.to_owned());
    }
    request.preset = Some(create_room::v3::RoomPreset::PublicChat);
    request.visibility = Visibility::Private;
    request.power_level_content_override = Some(Raw::from_json(serde_json::value::to_raw_value(
        &json!({ "users": wanted_users(moderators) }),
    )?));
    for (kind, content) in &target.initial_state {
        let event = json!({"type": kind, "state_key": "", "content": content});
        request
            .initial_state
            .push(Raw::from_json(serde_json::value::to_raw_value(&event)?));
    }
    if target.is_space {
        let mut creation = create_room::v3::CreationContent::new();
        creation.room_type = Some(RoomType::Space);
        request.creation_content = Some(Raw::new(&creation)?);
    }
    // Not retried on a permanent error: an alias taken meanwhile is resolved by the caller.
    let response = matrix
        .send("create room", |client| client.send(request.clone()))
        .await
        .with_context(|| format!("cannot create the room #{}", target.alias_localpart))?;
    Ok(response.room_id)
}

/// The `m.room.server_acl` content admitting only the allowed servers (and the bot's own,
/// without which the room would shut its own server out). Over federation ACLs match hosts,
/// never ports, so servers told apart by an ACL need hosts of their own; but a homeserver
/// checks the ACL its own user sends against its full name (port included) and refuses one
/// that would deny it, so both forms are listed. IP literals are allowed only when an
/// admitted server is one.
pub fn server_acl(allowed_servers: &[String], own_server: &str) -> Value {
    let names = allowed_servers
        .iter()
        .map(String::as_str)
        .chain([own_server]);
    let hosts: std::collections::BTreeSet<&str> = names
        .clone()
        .map(pspm_config::host_of)
        .chain(names)
        .collect();
    let ip_literals = hosts.iter().any(|host| pspm_config::is_ip_literal(host));
    json!({"allow": hosts, "deny": [], "allow_ip_literals": ip_literals})
}

/// Section rooms' join rules: `restricted` to the Space's members, so joining the Space is
/// the one door, or `public` (to the admitted servers: the ACL still applies).
pub fn join_rules(access: RoomAccess, space: &OwnedRoomId) -> Value {
    match access {
        RoomAccess::Space => json!({
            "join_rule": "restricted",
            "allow": [{"type": "m.room_membership", "room_id": space}],
        }),
        RoomAccess::Public => json!({"join_rule": "public"}),
    }
}

/// Power levels the plan wants: configured moderators at 50. The bot needs no entry: it
/// creates the rooms, so it has 100 (room versions up to 11) or creator power (version 12,
/// which refuses creators in `users`).
fn wanted_users(moderators: &[String]) -> serde_json::Map<String, Value> {
    let mut users = serde_json::Map::new();
    for moderator in moderators {
        users.insert(moderator.clone(), json!(MODERATOR_POWER));
    }
    users
}

/// The current content of a state event, `None` when there is none.
async fn get_state(
    matrix: &Matrix,
    room: &OwnedRoomId,
    kind: &str,
    key: &str,
) -> anyhow::Result<Option<Value>> {
    let request = get_state_event_for_key::v3::Request::new(
        room.clone(),
        StateEventType::from(kind),
        key.to_owned(),
    );
    match matrix
        .send("get state", |client| client.send(request.clone()))
        .await
    {
        Ok(response) => Ok(Some(serde_json::from_str(response.event_or_content.get())?)),
        Err(error) if is_not_found(&error) => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read {kind} in {room}")),
    }
}

async fn put_state(
    matrix: &Matrix,
    room: &OwnedRoomId,
    kind: &str,
    key: &str,
    content: &Value,
) -> anyhow::Result<()> {
    let body = Raw::from_json(serde_json::value::to_raw_value(content)?);
    let request = send_state_event::v3::Request::new_raw(
        room.clone(),
        StateEventType::from(kind),
        key.to_owned(),
        body,
    );
    matrix
        .send("put state", |client| client.send(request.clone()))
        .await
        .with_context(|| format!("cannot set {kind} in {room}"))?;
    Ok(())
}

/// Sets a state event unless every field of `wanted` already has that value.
async fn ensure_state(
    matrix: &Matrix,
    room: &OwnedRoomId,
    kind: &str,
    key: &str,
    wanted: Value,
) -> anyhow::Result<()> {
    let current = get_state(matrix, room, kind, key).await?;
    let up_to_date = current.as_ref().is_some_and(|current| {
        wanted
            .as_object()
            .is_some_and(|fields| fields.iter().all(|(k, v)| current.get(k) == Some(v)))
    });
    if !up_to_date {
        info!(%room, kind, key, "updating room state");
        put_state(matrix, room, kind, key, &wanted).await?;
    }
    Ok(())
}

/// Configured moderators at least 50; others' levels are left alone.
async fn ensure_power_levels(
    matrix: &Matrix,
    room: &OwnedRoomId,
    moderators: &[String],
) -> anyhow::Result<()> {
    let mut content = get_state(matrix, room, "m.room.power_levels", "")
        .await?
        .unwrap_or_else(|| json!({}));
    let Some(object) = content.as_object_mut() else {
        return Ok(());
    };
    let users = object
        .entry("users")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| anyhow!("power levels of {room} have a malformed users map"))?;
    let mut changed = false;
    for (user, level) in wanted_users(moderators) {
        let wanted = level.as_i64().unwrap_or_default();
        let current = users.get(&user).and_then(Value::as_i64).unwrap_or(i64::MIN);
        if current < wanted {
            users.insert(user, level);
            changed = true;
        }
    }
    if changed {
        info!(%room, "updating power levels");
        put_state(matrix, room, "m.room.power_levels", "", &content).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_acl_admits_hosts_without_ports_and_always_the_bot_server() {
        let allowed = ["127.0.0.2:8449".to_owned(), "regione.example".to_owned()];
        let acl = server_acl(&allowed, "127.0.0.1:8448");
        assert_eq!(
            acl,
            json!({"allow": ["127.0.0.1", "127.0.0.1:8448", "127.0.0.2", "127.0.0.2:8449", "regione.example"], "deny": [], "allow_ip_literals": true})
        );
        let named = server_acl(&["mef.gov.it".to_owned()], "mef.gov.it");
        assert_eq!(
            named,
            json!({"allow": ["mef.gov.it"], "deny": [], "allow_ip_literals": false})
        );
    }

    #[test]
    fn section_rooms_open_to_the_space_or_to_everyone_admitted() {
        let space: OwnedRoomId = "!space:mef.gov.it".try_into().expect("room id");
        assert_eq!(
            join_rules(RoomAccess::Space, &space),
            json!({"join_rule": "restricted", "allow": [{"type": "m.room_membership", "room_id": "!space:mef.gov.it"}]})
        );
        assert_eq!(
            join_rules(RoomAccess::Public, &space),
            json!({"join_rule": "public"})
        );
    }
}
