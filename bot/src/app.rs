//! Wires configuration, store, engine and Matrix adapter together.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;
use pspm_config::Config;
use tokio::sync::{watch, Notify};
use tracing::{info, warn};

use crate::domain::{Engine, Settings};
use crate::matrix::sync::SyncLoop;
use crate::matrix::{outbox, provision, Matrix};
use crate::store::{SledStore, Store};

/// Opens (or creates) the bot's store under `storage.data_dir`.
pub fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let dir = config.storage.data_dir.join("state");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let store = SledStore::open(&dir)
        .with_context(|| format!("cannot open the store in {}", dir.display()))?;
    Ok(Arc::new(store))
}

/// `pspm provision`: creates or updates the plan's rooms, then returns.
pub async fn provision_only(config: &Config) -> anyhow::Result<provision::PlanRooms> {
    let store = open_store(config)?;
    let matrix = Matrix::connect(config, store.as_ref()).await?;
    provision::provision(&matrix, store.as_ref(), config).await
}

/// `pspm run`: the bot, until SIGINT or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = open_store(&config)?;
    let first_start_ms = store.first_start_ms(Utc::now().timestamp_millis())?;
    let matrix = Matrix::connect(&config, store.as_ref()).await?;
    let rooms = provision::provision(&matrix, store.as_ref(), &config).await?;
    info!(space = %rooms.space, "plan {} is live", config.plan.id);

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    // Entries left by a previous run are sent first.
    wake.notify_one();
    let sender = tokio::spawn(outbox::run(
        matrix.clone(),
        store.clone(),
        wake.clone(),
        shutdown_rx.clone(),
    ));

    let engine = Engine::new(
        Settings::from_config(&config, first_start_ms, &rooms.sections),
        store.load_state()?,
    );
    let sync = SyncLoop {
        matrix,
        store,
        engine,
        allowed_servers: config.bot.allowed_servers.iter().cloned().collect(),
        sync_timeout: Duration::from_secs(config.bot.sync_timeout_secs),
        outbox_wake: wake,
        clock: Utc::now,
    };
    let mut sync_task = tokio::spawn(sync.run(shutdown_rx));

    tokio::select! {
        result = &mut sync_task => {
            let _ = shutdown_tx.send(true);
            let _ = sender.await;
            return result.context("the sync loop panicked")?;
        }
        () = shutdown_signal() => info!("stopping"),
    }
    let _ = shutdown_tx.send(true);
    let sync_result = sync_task.await.context("the sync loop panicked")?;
    match sender.await {
        Ok(Err(error)) => warn!(%error, "the outbox sender stopped with an error"),
        Err(error) => warn!(%error, "the outbox sender panicked"),
        Ok(Ok(())) => {}
    }
    sync_result
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
