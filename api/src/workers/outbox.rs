//! Delivers outgoing messages: by SMTP when a relay is configured, printed
//! to standard output in development (`CRM_MAIL_PRINT=1`), and otherwise
//! not at all: without a relay they stay queued (never printed, since they
//! carry secrets such as invitation links) until one is configured, and
//! `/readyz` counts them.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::config::Config;
use crate::domain::outbox::{self, Delivery};
use crate::mail::smtp;
use crate::mail::tls::Relay;

/// How often due messages are looked for.
const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Messages claimed per round.
const BATCH: i32 = 20;

/// Where this process hands messages.
#[derive(Clone)]
pub enum Sink {
    /// The configured SMTP relay.
    Smtp(Relay),
    /// Standard output (development only).
    Print,
    /// Nowhere: messages wait in the queue.
    Hold,
}

impl Sink {
    /// The sink the configuration asks for.
    pub fn from_config(config: &Config) -> Result<Sink, crate::mail::tls::TlsSetupError> {
        Ok(if config.mail.smtp_host.is_some() {
            Sink::Smtp(Relay::new(&config.mail)?)
        } else if config.mail.print {
            Sink::Print
        } else {
            Sink::Hold
        })
    }
}

/// Runs until `stopped` changes.
pub async fn run(
    db: DatabaseConnection,
    config: Arc<Config>,
    sink: Sink,
    mut stopped: watch::Receiver<bool>,
) {
    if matches!(sink, Sink::Hold) {
        tracing::warn!(
            "no mail relay configured (CRM_SMTP_HOST): outgoing messages stay queued; \
             CRM_MAIL_PRINT=1 prints them, for local development only"
        );
        return;
    }
    loop {
        if let Err(err) = deliver_due(&db, &config, &sink).await {
            tracing::warn!(error = ?err, "message delivery round failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            _ = stopped.changed() => return,
        }
    }
}

/// Delivers the messages due now; returns how many were handled.
pub async fn deliver_due(
    db: &DatabaseConnection,
    config: &Config,
    sink: &Sink,
) -> crate::error::Result<usize> {
    if matches!(sink, Sink::Hold) {
        return Ok(0);
    }
    let due = outbox::claim_due(db, BATCH).await?;
    let count = due.len();
    for message in due {
        let delivery = match sink {
            Sink::Smtp(relay) => {
                let mail = smtp::Message {
                    to: message.recipient.clone(),
                    subject: message.subject.clone(),
                    body: message.body.clone(),
                };
                match smtp::send(relay, &config.mail, &mail).await {
                    Ok(()) => Delivery::Sent,
                    Err(err) => Delivery::Failed(err.to_string()),
                }
            }
            Sink::Print => {
                println!(
                    "--- message to {} ---\nSubject: {}\n\n{}\n--- end of message ---",
                    message.recipient, message.subject, message.body
                );
                Delivery::Printed
            }
            Sink::Hold => continue,
        };
        outbox::record_delivery(db, &message, delivery).await?;
    }
    Ok(count)
}
