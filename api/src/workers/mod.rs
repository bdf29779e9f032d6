//! Background work of a server node: delivering outgoing messages and
//! webhooks, writing API-key usage, running customer value recomputes,
//! counting segment sizes, running due campaign steps and pruning old
//! events. Safe to run on every node at once: messages, webhook attempts
//! and campaign steps are claimed with `FOR UPDATE SKIP LOCKED`, and usage
//! writes only move timestamps forward.

pub mod analytics;
pub mod campaign_steps;
pub mod event_retention;
pub mod outbox;
pub mod segment_sizes;
pub mod webhooks;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::gate::Gate;
use crate::config::Config;

/// The running background tasks.
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Starts the background tasks.
pub fn spawn(
    db: DatabaseConnection,
    cache: crate::cache::Cache,
    gate: Arc<Gate>,
    config: Arc<Config>,
    sink: outbox::Sink,
    sender: webhooks::Sender,
    analytics_wakeup: analytics::Wakeup,
) -> Workers {
    let (stop, stopped) = watch::channel(false);
    let usage = {
        let mut stopped = stopped.clone();
        let gate = gate.clone();
        let interval = config.key_usage_flush_interval;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(interval) => gate.flush_key_usage().await,
                    _ = stopped.changed() => {
                        gate.flush_key_usage().await;
                        return;
                    }
                }
            }
        })
    };
    let steps = tokio::spawn(campaign_steps::run(
        db.clone(),
        cache.clone(),
        config.clone(),
        stopped.clone(),
    ));
    let analytics = tokio::spawn(analytics::run(
        db.clone(),
        cache,
        config.clone(),
        analytics_wakeup,
        stopped.clone(),
    ));
    let sizes = tokio::spawn(segment_sizes::run(db.clone(), stopped.clone()));
    let hooks = tokio::spawn(webhooks::run(db.clone(), sender, stopped.clone()));
    let retention = tokio::spawn(event_retention::run(
        db.clone(),
        config.event_retention,
        stopped.clone(),
    ));
    let delivery = tokio::spawn(outbox::run(db, config, sink, stopped));
    Workers {
        stop,
        tasks: vec![usage, delivery, analytics, sizes, steps, hooks, retention],
    }
}

impl Workers {
    /// Asks the tasks to finish their current step and waits for them.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
