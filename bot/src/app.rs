//! Wires configuration, store, engine and Matrix adapter together.
//!
//! - `essential.rs`: the tasks `pspm run` cannot go on without, and what happens when one ends.
//! - `private.rs`: the data directory (it holds the bot's access token) kept private.
//! - `outbox.rs`: `pspm outbox list|retry|drop`, the dead letters for an operator.
//! - `http.rs`: `/health` and `/metrics`, when `[http] listen` is set.
//! - `admin.rs`: the admin socket, through which the command line reads a running bot's store.
//! - `status.rs`: `pspm status`.
//! - `backup.rs`: `pspm backup` and `pspm restore`.

mod admin;
mod backup;
mod essential;
mod http;
mod import;
mod outbox;
mod private;
mod status;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use chrono::Utc;
use pspm_config::Config;
use pspm_indexer::{Index, IngestLimits, IngestReport, ProgressBar};
use tokio::sync::{watch, Notify};
use tracing::info;

pub use backup::{backup, restore, BackupSummary};
pub use import::Queued;
pub use outbox::{outbox_drop, outbox_list, outbox_retry, DeadLetter, OutboxListing};
pub use status::Status;

use crate::domain::command::search;
use crate::domain::consolidated;
use crate::domain::export::practices::PracticesExport;
use crate::domain::export::{Export, ExportFile, Format, Visibility};
use crate::domain::imports::Imported;
use crate::domain::open_data;
use crate::domain::practice_repository::{SearchOptions, PAGE};
use crate::domain::tracking;
use crate::domain::{Catalogue, Engine, Settings, State};
use crate::matrix::sync::SyncLoop;
use crate::matrix::{self, provision, rebuild, Matrix};
use crate::render::plan::PlanFormat;
use crate::render::report::render_html;
use crate::store::{SledStore, Store, StoreError};

/// The store's folder in `storage.data_dir`.
const STATE: &str = "state";

/// Opens (or creates) the store in the folder `name` of the data directory, both private to
/// the bot's user (the store holds its access token).
fn open_sled(data_dir: &Path, name: &str) -> anyhow::Result<SledStore> {
    try_open_sled(data_dir, name)?.ok_or_else(|| {
        anyhow!(
            "the store in {} is in use by another process (a running bot holds it: stop the bot, or use the chat commands)",
            data_dir.join(name).display()
        )
    })
}

/// [`open_sled`], or `None` when another process holds the store.
fn try_open_sled(data_dir: &Path, name: &str) -> anyhow::Result<Option<SledStore>> {
    let dir = data_dir.join(name);
    private::create_private_dir(data_dir)?;
    private::create_private_dir(&dir)?;
    let store = match SledStore::open(&dir) {
        Ok(store) => store,
        Err(StoreError::Locked(_)) => return Ok(None),
        Err(error) => {
            return Err(anyhow::Error::new(error)
                .context(format!("cannot open the store in {}", dir.display())))
        }
    };
    // sled creates its files as the umask says: only the bot's user may read them.
    private::make_private(&dir)?;
    Ok(Some(store))
}

/// Runs `read` on the bot's store: opened here when no process holds it, else on a copy the
/// running bot sends over the admin socket (the same records: the same output).
fn with_store<T>(
    config: &Config,
    read: impl FnOnce(&dyn Store) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let data_dir = &config.storage.data_dir;
    let (answer, mut copy) = match reach(config, admin::Request::Copy)? {
        Reach::Store(store, _) => return read(&store),
        Reach::Bot(answer, copy) => (answer, copy),
    };
    if let admin::Answer::Error(error) = answer {
        anyhow::bail!("the running bot cannot copy its store: {error}");
    }
    // Beside the store, as private as it is (the copy holds the access token too).
    let scratch = tempfile::Builder::new()
        .prefix("copy-")
        .tempdir_in(data_dir)
        .context("cannot make a folder for the store's copy")?;
    let dir = scratch.path().join(STATE);
    SledStore::restore(&dir, &mut copy).context("cannot read the running bot's store")?;
    let store = SledStore::open(&dir)?;
    read(&store)
}

/// Who answers for the store: the running bot, over its admin socket, with the answer line
/// and the rest of the stream; or, when no bot listens, the store itself, opened here, with
/// the request given back.
enum Reach {
    Bot(
        admin::Answer,
        std::io::BufReader<std::os::unix::net::UnixStream>,
    ),
    Store(SledStore, admin::Request),
}

/// Asks the running bot first (opening a store a process holds waits for its lock), then
/// opens the store; an error when a process holds it and no bot answers.
fn reach(config: &Config, request: admin::Request) -> anyhow::Result<Reach> {
    let data_dir = &config.storage.data_dir;
    if let Some((answer, rest)) = admin::ask(data_dir, &request)? {
        return Ok(Reach::Bot(answer, rest));
    }
    match try_open_sled(data_dir, STATE)? {
        Some(store) => Ok(Reach::Store(store, request)),
        None => Err(anyhow!(
            "the store in {} is in use by another process, and no bot answers on {}",
            data_dir.join(STATE).display(),
            admin::socket_path(data_dir).display()
        )),
    }
}

/// `pspm status`: from the running bot, or from the store when it is stopped.
pub fn status(config: &Config) -> anyhow::Result<Status> {
    let answer = match reach(config, admin::Request::Status)? {
        Reach::Store(store, _) => {
            let settings = offline_settings(config, &store)?;
            let state = store.load_state()?;
            return Status::gather(&settings, &store, &state, None);
        }
        Reach::Bot(answer, _) => answer,
    };
    match answer {
        admin::Answer::Status(status) => Ok(status),
        admin::Answer::Error(error) => anyhow::bail!("the running bot: {error}"),
        other => anyhow::bail!("the running bot answered {other:?}"),
    }
}

/// `pspm import progress|measurements`: queues the updates' import messages, through the
/// running bot or in the store for its next start. `Err` with every refused update when the
/// plan has no place for some (then nothing is queued).
pub fn import_updates(
    config: &Config,
    source: &str,
    updates: Vec<(String, Imported)>,
) -> anyhow::Result<Result<Queued, Vec<String>>> {
    let request = admin::Request::Import {
        source: source.to_owned(),
        updates,
    };
    let answer = match reach(config, request)? {
        Reach::Store(store, request) => {
            let admin::Request::Import { source, updates } = request else {
                anyhow::bail!("the request given back is not the one sent");
            };
            let settings = offline_settings(config, &store)?;
            let state = store.load_state()?;
            return match import::queue(&settings, &state, &store, &source, updates, None) {
                Ok(queued) => Ok(Ok(queued)),
                Err(import::ImportError::Refused(errors)) => Ok(Err(errors)),
                Err(import::ImportError::Store(error)) => Err(error.into()),
            };
        }
        Reach::Bot(answer, _) => answer,
    };
    match answer {
        admin::Answer::Queued(queued) => Ok(Ok(queued)),
        admin::Answer::Refused(errors) => Ok(Err(errors)),
        admin::Answer::Error(error) => anyhow::bail!("the running bot: {error}"),
        other => anyhow::bail!("the running bot answered {other:?}"),
    }
}

/// Fresh random bytes for secret ballots' secrets, drawn at each start (never stored: a
/// poll's secret is kept with the poll until its close erases it).
pub fn ballot_seed() -> anyhow::Result<[u8; 32]> {
    let mut seed = [0; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow!("no random bytes for secret ballots: {e}"))?;
    Ok(seed)
}

/// Opens (or creates) the bot's store under `storage.data_dir`.
pub fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    Ok(Arc::new(open_sled(&config.storage.data_dir, STATE)?))
}

/// Engine settings without a homeserver: section rooms come from the store's provisioning records.
fn offline_settings(config: &Config, store: &dyn Store) -> anyhow::Result<Settings> {
    let mut sections = Vec::new();
    for section in &config.plan.sections {
        let alias = format!(
            "#{}:{}",
            config.plan.section_alias_localpart(section),
            config.server_name()
        );
        // A section not provisioned yet is still part of the plan (keyed by its alias).
        let room = store.room_for_alias(&alias)?.unwrap_or(alias);
        sections.push((section.id.clone(), room));
    }
    let space_alias = format!(
        "#{}:{}",
        config.plan.space_alias_localpart(),
        config.server_name()
    );
    let space = store.room_for_alias(&space_alias)?;
    // What counts as history only matters to a running bot; reading must not set it.
    Ok(Settings::from_config(
        config,
        0,
        space.as_deref(),
        &sections,
    ))
}

/// `pspm export`: writes the consolidated export from the store, every iteration's rows or
/// only those of `iteration` (a version's name or a number); returns the files written.
/// For CSV, `out` gets the proposals and beside it `<stem>.<table>.csv` each other table
/// (`comments`, `objectives`, `results`, `measurements`, `actions`, `progress`, `items`,
/// `item_comments`, `amendments`, `iterations`).
pub fn export(
    config: &Config,
    format: Format,
    visibility: Visibility,
    iteration: Option<&str>,
    out: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let (settings, state) = with_store(config, |store| {
        Ok((offline_settings(config, store)?, store.load_state()?))
    })?;
    let mut export = Export::build(&settings, &state, visibility, Utc::now());
    if let Some(given) = iteration {
        // Resolved before anything is written: an unknown name writes nothing.
        export = export.of_iteration(iteration_named(&state, given)?);
    }
    let files = export.render(format, settings.catalogue());
    let first_stem = files
        .first()
        .and_then(|f| f.filename.rsplit_once('.'))
        .map(|(stem, _)| stem.to_owned())
        .unwrap_or_default();
    let mut written = Vec::new();
    for (index, file) in files.into_iter().enumerate() {
        let path = if index == 0 {
            out.to_path_buf()
        } else {
            let stem = out.file_stem().unwrap_or_default().to_string_lossy();
            let table = file
                .filename
                .strip_prefix(&first_stem)
                .unwrap_or(&file.filename);
            out.with_file_name(format!("{stem}{table}"))
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, file.content)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// The name of the DCAT-AP_IT metadata file in a published folder.
pub const CATALOGUE_FILE: &str = "dcat-ap_it.jsonld";

/// `pspm publish`: the open-data package in `out_dir`: the public export as JSON and as CSV
/// tables, the published good practices (JSON and CSV), and their DCAT-AP_IT metadata
/// ([`CATALOGUE_FILE`]). Returns the files written.
pub fn publish(config: &Config, out_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let publishing = config.publish.require(&config.path)?;
    let (settings, state) = with_store(config, |store| {
        Ok((offline_settings(config, store)?, store.load_state()?))
    })?;
    let now = Utc::now();
    let export = Export::build(&settings, &state, Visibility::Public, now);
    let mut files: Vec<ExportFile> = [Format::Json, Format::Csv]
        .into_iter()
        .flat_map(|format| export.render(format, settings.catalogue()))
        .collect();
    // The good-practice repository too, when it has published practices.
    let practices = open_index(config)?.list(false)?;
    if !practices.is_empty() {
        let practices = PracticesExport::build(practices, now);
        files.extend([practices.json(), practices.csv()]);
    }
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let mut written = Vec::new();
    let mut published = Vec::new();
    for file in files {
        let path = out_dir.join(&file.filename);
        std::fs::write(&path, &file.content)
            .with_context(|| format!("cannot write {}", path.display()))?;
        published.push(open_data::PublishedFile {
            table: file.table.to_owned(),
            filename: file.filename,
            mimetype: file.mimetype.to_owned(),
            bytes: file.content.len() as u64,
        });
        written.push(path);
    }
    let today = settings.monitoring.today(now);
    let catalogue = open_data::catalogue(&settings, &publishing, &published, today);
    let path = out_dir.join(CATALOGUE_FILE);
    std::fs::write(&path, serde_json::to_string_pretty(&catalogue)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    written.push(path);
    Ok(written)
}

/// `pspm index export`: the published good practices as JSON or CSV in `out`, and, when
/// asked, their DCAT-AP_IT metadata beside it (`<file name>.dcat-ap_it.jsonld`). Works while the
/// bot runs (the index admits readers). Returns the files written.
pub fn index_export(
    config: &Config,
    format: Format,
    out: &Path,
    metadata: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    let publishing = metadata
        .then(|| config.publish.require(&config.path))
        .transpose()?;
    let practices = open_index(config)?.list(false)?;
    let now = Utc::now();
    let export = PracticesExport::build(practices, now);
    let file = match format {
        Format::Json => export.json(),
        Format::Csv => export.csv(),
        Format::Markdown => anyhow::bail!("--format must be json or csv"),
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(out, &file.content)
        .with_context(|| format!("cannot write {}", out.display()))?;
    let mut written = vec![out.to_path_buf()];
    if let Some(publishing) = publishing {
        let store_free_settings = Settings::from_config(config, now.timestamp_millis(), None, &[]);
        let published = [open_data::PublishedFile {
            table: file.table.to_owned(),
            filename: out
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(file.filename),
            mimetype: file.mimetype.to_owned(),
            bytes: file.content.len() as u64,
        }];
        let today = store_free_settings.monitoring.today(now);
        let catalogue = open_data::catalogue(&store_free_settings, &publishing, &published, today);
        let name = out.file_name().unwrap_or_default().to_string_lossy();
        let path = out.with_file_name(format!("{name}.{CATALOGUE_FILE}"));
        std::fs::write(&path, serde_json::to_string_pretty(&catalogue)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `pspm report`: writes the monitoring report as `index.html` in `out_dir`, offline.
pub fn report(config: &Config, out_dir: &Path) -> anyhow::Result<PathBuf> {
    let (settings, state) = with_store(config, |store| {
        Ok((offline_settings(config, store)?, store.load_state()?))
    })?;
    let html = render_html(&tracking::report(&settings, &state, Utc::now()));
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let path = out_dir.join("index.html");
    std::fs::write(&path, html).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// `pspm plan export`: the consolidated plan (its text, objectives, results and actions, and
/// the annex of what changed since the previous version) written to `out` in `format`, as it
/// stands or as iteration `iteration` (a name or a number) closed; works while the bot runs.
pub fn plan_export(
    config: &Config,
    format: PlanFormat,
    out: &Path,
    iteration: Option<&str>,
) -> anyhow::Result<PathBuf> {
    let (settings, state) = with_store(config, |store| {
        Ok((offline_settings(config, store)?, store.load_state()?))
    })?;
    let iteration = match iteration {
        None => state.iterations.current(),
        Some(given) => iteration_named(&state, given)?,
    };
    let plan = consolidated::build(&settings, &state, iteration);
    let bytes = crate::render::plan::render(&plan, format)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(out.to_path_buf())
}

/// The iteration `given` names (a version's name or a number), or an error listing them.
fn iteration_named(state: &State, given: &str) -> anyhow::Result<u32> {
    state.iterations.find(given).ok_or_else(|| {
        let mut known: Vec<String> = state
            .iterations
            .closed
            .iter()
            .map(|v| format!("{} ({})", v.number, v.name))
            .collect();
        known.push(format!("{} (current)", state.iterations.current()));
        anyhow::anyhow!("no iteration {given:?}; there are: {}", known.join(", "))
    })
}

/// `pspm rebuild`: replays the plan rooms' history into a fresh store, then swaps it in (the
/// old store, if any, is kept beside it as `state.before-rebuild-<time>`).
pub async fn rebuild(config: &Config) -> anyhow::Result<rebuild::RebuildSummary> {
    let data_dir = &config.storage.data_dir;
    let current = data_dir.join(STATE);
    let fresh_name = "state.rebuild";
    let fresh_dir = data_dir.join(fresh_name);
    if fresh_dir.exists() {
        std::fs::remove_dir_all(&fresh_dir)?;
    }
    // A lost store is what a rebuild is for: history alone is enough.
    let had_store = current.exists();
    let report = {
        let old = match had_store {
            false => None,
            true => Some(try_open_sled(data_dir, STATE)?.ok_or_else(|| {
                anyhow!(
                    "pspm rebuild needs the bot stopped: a running bot holds the store in {} (stop it, e.g. `systemctl stop pspm`, then rebuild)",
                    current.display()
                )
            })?),
        };
        let fresh: Arc<dyn Store> = Arc::new(open_sled(data_dir, fresh_name)?);
        rebuild::rebuild(config, old.as_ref().map(|s| s as &dyn Store), fresh).await?
    };
    if had_store {
        let kept = config.storage.data_dir.join(format!(
            "state.before-rebuild-{}",
            Utc::now().format("%Y%m%dT%H%M%S%3f")
        ));
        std::fs::rename(&current, &kept)
            .with_context(|| format!("cannot move {} aside", current.display()))?;
    }
    std::fs::rename(&fresh_dir, &current)
        .with_context(|| format!("cannot move the rebuilt store to {}", current.display()))?;
    Ok(report)
}

/// Where the good-practice index lives.
pub fn index_dir(config: &Config) -> PathBuf {
    config.storage.data_dir.join("index")
}

/// Opens (or creates) the good-practice index under `storage.data_dir`. Unlike the store it
/// can be open in the bot and in `pspm index` at once.
pub fn open_index(config: &Config) -> anyhow::Result<Index> {
    // The index may be the first thing in a new data directory (`pspm index add` first).
    private::create_private_dir(&config.storage.data_dir)?;
    let dir = index_dir(config);
    let index = Index::open(&dir)
        .with_context(|| format!("cannot open the good-practice index in {}", dir.display()))?;
    Ok(index.with_ingest_limits(ingest_limits(config)))
}

/// The `[index]` limits, from MiB to bytes.
fn ingest_limits(config: &Config) -> IngestLimits {
    let bytes = |mib: u64| mib.saturating_mul(1024 * 1024);
    let in_memory = |mib: u64| usize::try_from(bytes(mib)).unwrap_or(usize::MAX);
    IngestLimits {
        max_file_bytes: bytes(config.index.max_file_mib),
        max_pdf_stream_bytes: in_memory(config.index.max_pdf_stream_mib),
        max_text_bytes: in_memory(config.index.max_text_mib),
    }
}

/// `pspm index add`: ingests files and folders, drawing progress on a terminal.
pub fn index_add(
    config: &Config,
    paths: &[PathBuf],
    added_by: &str,
) -> anyhow::Result<IngestReport> {
    let index = open_index(config)?;
    let mut bar = ProgressBar::new();
    let report = index.add_paths(paths, added_by, Utc::now(), &mut |progress| {
        bar.update(&progress)
    })?;
    bar.finish();
    Ok(report)
}

/// `pspm index search`: the chat's search, rendered as its plain text.
pub fn index_search(config: &Config, query: &str, include_pending: bool) -> anyhow::Result<String> {
    let index = open_index(config)?;
    let options = SearchOptions {
        offset: 0,
        limit: PAGE,
        include_pending,
    };
    let results = index.search(query, options)?;
    let catalogue = Catalogue::get(config.bot.language);
    Ok(search::render_page(catalogue, query, 0, &results).body)
}

/// `pspm provision`: creates or updates the plan's rooms, then returns.
pub async fn provision_only(config: &Config) -> anyhow::Result<provision::PlanRooms> {
    let store = open_store(config)?;
    let matrix = Matrix::connect(config, store.clone()).await?;
    provision::provision(&matrix, store.as_ref(), config).await
}

/// `pspm run`: the bot, until SIGINT or SIGTERM, or until a task it cannot go on without
/// ends (then with an error, for a supervisor to start it again).
pub async fn run(config: Config) -> anyhow::Result<()> {
    // What the bot writes while it runs (sled's blob files, the index's segments) is born
    // private, not only corrected at the next open.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let store = open_store(&config)?;
    let first_start_ms = store.first_start_ms(Utc::now().timestamp_millis())?;
    let matrix = Matrix::connect(&config, store.clone()).await?;
    matrix.enable_encryption(&config.storage.data_dir).await?;
    let rooms = provision::provision(&matrix, store.as_ref(), &config).await?;
    info!(space = %rooms.space, "plan {} is live", config.plan.id);

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    // Entries left by a previous run are sent first.
    wake.notify_one();
    let mut tasks = essential::Essential::default();
    tasks.spawn(
        "the outbox sender",
        matrix::outbox::run(
            matrix.clone(),
            store.clone(),
            wake.clone(),
            shutdown_rx.clone(),
        ),
    );

    let practices = Arc::new(open_index(&config)?);
    let sync_timeout = Duration::from_secs(config.bot.sync_timeout_secs);
    let mut settings =
        Settings::from_config(&config, first_start_ms, Some(&rooms.space), &rooms.sections);
    settings.ballot_seed = ballot_seed()?;
    let admin = admin::AdminServer {
        store: store.clone(),
        settings: settings.clone(),
        sync_timeout,
        outbox_wake: wake.clone(),
    };
    match admin::bind(&config.storage.data_dir, admin, shutdown_rx.clone()) {
        Ok(server) => tasks.spawn("the admin socket", server),
        // The bot serves its rooms without it; only the command line must wait for a stop.
        Err(error) => tracing::warn!(
            "{error:#}: `pspm export`, `report`, `status` and `backup` need the bot stopped"
        ),
    }
    if let Some(listen) = config.http_listen {
        let endpoints = http::Endpoints {
            store: store.clone(),
            index: practices.clone(),
            sync_timeout,
        };
        let webhook = http::Webhook {
            store: store.clone(),
            settings: Arc::new(settings.clone()),
            sources: Arc::new(config.http_sources.clone()),
            outbox_wake: wake.clone(),
            accepted: Default::default(),
        };
        let server = http::bind(listen, endpoints, webhook, shutdown_rx.clone()).await?;
        tasks.spawn("the HTTP endpoints", server);
    }
    let engine = Engine::new(settings, store.load_state()?).with_practices(practices);
    let sync = SyncLoop {
        matrix,
        store,
        engine,
        allowed_servers: config.bot.allowed_servers.iter().cloned().collect(),
        sync_timeout,
        outbox_wake: wake,
        clock: Utc::now,
        walks: Default::default(),
        walking: None,
        owed: Default::default(),
        invites: Default::default(),
        quotes: Default::default(),
        cards: Default::default(),
        undecrypted: Default::default(),
    };
    tasks.spawn("the sync loop", sync.run(shutdown_rx));
    tasks.run_until(shutdown_signal(), &shutdown_tx).await
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
