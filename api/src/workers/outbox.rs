//! Delivers outgoing messages: by SMTP when a relay is configured, else by
//! printing them (development), with retries and back-off.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::config::Config;
use crate::domain::outbox::{self, Delivery};
use crate::mail::smtp;

/// How often due messages are looked for.
const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Messages claimed per round.
const BATCH: i32 = 20;

/// Runs until `stopped` changes.
pub async fn run(db: DatabaseConnection, config: Arc<Config>, mut stopped: watch::Receiver<bool>) {
    loop {
        if let Err(err) = deliver_due(&db, &config).await {
            tracing::warn!(error = ?err, "message delivery round failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            _ = stopped.changed() => return,
        }
    }
}

/// Delivers the messages due now; returns how many were handled.
pub async fn deliver_due(db: &DatabaseConnection, config: &Config) -> crate::error::Result<usize> {
    let due = outbox::claim_due(db, BATCH).await?;
    let count = due.len();
    for message in due {
        let delivery = if config.mail.smtp_host.is_some() {
            let mail = smtp::Message {
                to: message.recipient.clone(),
                subject: message.subject.clone(),
                body: message.body.clone(),
            };
            match smtp::send(&config.mail, &mail).await {
                Ok(()) => Delivery::Sent,
                Err(err) => Delivery::Failed(err.to_string()),
            }
        } else {
            // Development: no relay configured, so the message goes to the console.
            println!(
                "--- message to {} ---\nSubject: {}\n\n{}\n--- end of message ---",
                message.recipient, message.subject, message.body
            );
            Delivery::Printed
        };
        outbox::record_delivery(db, &message, delivery).await?;
    }
    Ok(count)
}
