//! Records the size of every segment once an hour, so each day's last
//! count stands for that day (`Segment.sizeHistory`). Safe on every node at
//! once: a count only overwrites the same day's count.

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

/// How often the sizes are counted.
const INTERVAL: Duration = Duration::from_secs(60 * 60);

/// Runs until `stopped` changes: a count at start, then one per interval.
pub async fn run(db: DatabaseConnection, mut stopped: watch::Receiver<bool>) {
    loop {
        if let Err(err) = crate::domain::marketing::segments::record_all_sizes(&db).await {
            tracing::warn!(error = ?err, "counting segment sizes failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(INTERVAL) => {}
            _ = stopped.changed() => return,
        }
    }
}
