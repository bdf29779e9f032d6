//! Delivers events to webhook endpoints. Every node runs this worker: it
//! claims due attempts of any tenant (each by exactly one node, `FOR UPDATE
//! SKIP LOCKED` with a lease), sends them at most `CRM_WEBHOOK_CONCURRENCY`
//! at a time, signed as Standard Webhooks says, over HTTP/1 with TLS
//! (rustls, `ring`), no proxy and no redirect followed, connecting only to
//! addresses the guard lets through, and records the outcomes in one
//! statement per batch. A failed attempt is retried after the next wait
//! of the schedule (jittered); after the last, the delivery is a dead
//! letter, and an endpoint that failed throughout is disabled.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use rand::Rng;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::config::WebhookConfig;
use crate::domain::webhooks::address_guard::{self, AddressRefused, GuardedResolver};
use crate::domain::webhooks::deliveries::{self, Claimed, DeliveryStatus, Outcome};
use crate::domain::webhooks::{self, signing};

/// How much of an answer's body the log keeps.
const BODY_CHARS: usize = 1000;

/// The HTTP client of webhook deliveries, built once per process.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    config: Arc<WebhookConfig>,
}

/// Why the webhook HTTP client cannot be built.
#[derive(Debug, thiserror::Error)]
#[error("webhook HTTP client: {0}")]
pub struct SenderSetupError(String);

impl Sender {
    /// A client with the configured timeout and address allowance.
    pub fn new(config: &WebhookConfig) -> Result<Self, SenderSetupError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let tls = rustls::ClientConfig::builder_with_provider(crate::mail::tls::crypto_provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| SenderSetupError(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .dns_resolver(Arc::new(GuardedResolver::new(
                config.allowed_networks.clone(),
            )))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("crm-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SenderSetupError(e.to_string()))?;
        Ok(Sender {
            client,
            config: Arc::new(config.clone()),
        })
    }

    /// Sends one claimed attempt and says what became of it.
    pub async fn attempt(&self, claimed: &Claimed) -> Outcome {
        let attempted_at = Utc::now();
        let timestamp = attempted_at.timestamp();
        let body = claimed.body();
        let message_id = claimed.event_id.to_string();
        let signature = signing::signature_header(
            &claimed.signing_keys(attempted_at),
            &message_id,
            timestamp,
            &body,
        );
        let started = Instant::now();
        let answer = self
            .send(&claimed.url, &message_id, timestamp, &signature, body)
            .await;
        let latency_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let (status_code, response_body, error) = match answer {
            Ok((status, text)) => (Some(i32::from(status)), Some(text), None),
            Err(error) => (None, None, Some(error)),
        };
        let succeeded = status_code.is_some_and(|s| (200..300).contains(&s));
        let error = match (succeeded, error, status_code) {
            (false, None, Some(code)) if (300..400).contains(&code) => {
                Some(format!("answered {code}; redirects are not followed"))
            }
            (_, error, _) => error,
        };
        Outcome {
            tenant_id: claimed.tenant_id,
            delivery_id: claimed.delivery_id,
            endpoint_id: claimed.endpoint_id,
            attempt: claimed.attempt,
            attempted_at,
            succeeded,
            status_code,
            latency_ms,
            response_body,
            error,
            next: next_state(
                succeeded,
                claimed.retries_before(),
                &self.config.retry_schedule,
                attempted_at,
            ),
        }
    }

    /// POSTs the body; the status and the start of the answer, or why
    /// there was none.
    async fn send(
        &self,
        url: &str,
        message_id: &str,
        timestamp: i64,
        signature: &str,
        body: Vec<u8>,
    ) -> Result<(u16, String), String> {
        let url = reqwest::Url::parse(url).map_err(|_| "the URL does not parse".to_owned())?;
        address_guard::check_literal(&url, &self.config.allowed_networks)
            .map_err(|e| e.to_string())?;
        let mut response = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|e| describe(&e, self.config.timeout))?;
        let status = response.status().as_u16();
        let mut text = Vec::new();
        while text.len() < BODY_CHARS * 4 {
            match response.chunk().await {
                Ok(Some(chunk)) => text.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return Err(describe(&e, self.config.timeout)),
            }
        }
        let text: String = String::from_utf8_lossy(&text)
            .chars()
            .take(BODY_CHARS)
            .collect();
        Ok((status, text))
    }
}

/// Why a request got no answer, in words for the delivery log (no
/// secrets: the request's headers are not part of it).
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(refused) = e.downcast_ref::<AddressRefused>() {
            return refused.to_string();
        }
        source = e.source();
    }
    if error.is_timeout() {
        format!("no answer within {} s", timeout.as_secs())
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

/// The delivery's state after an attempt: done, a dead letter once the
/// schedule is spent, else pending until the next wait (± a fifth).
pub fn next_state(
    succeeded: bool,
    retries_before: usize,
    schedule: &[Duration],
    now: DateTime<Utc>,
) -> (DeliveryStatus, Option<DateTime<Utc>>) {
    if succeeded {
        return (DeliveryStatus::Succeeded, None);
    }
    match schedule.get(retries_before) {
        None => (DeliveryStatus::Dead, None),
        Some(wait) => {
            let jitter = rand::thread_rng().gen_range(0.8..1.2);
            let wait = chrono::Duration::from_std(wait.mul_f64(jitter))
                .unwrap_or(chrono::Duration::days(1));
            (DeliveryStatus::Pending, Some(now + wait))
        }
    }
}

/// How long a claimed attempt stays this node's before another may take it.
fn lease(config: &WebhookConfig) -> Duration {
    config.timeout * 6 + Duration::from_secs(60)
}

/// Runs until `stopped` changes.
pub async fn run(db: DatabaseConnection, sender: Sender, mut stopped: watch::Receiver<bool>) {
    loop {
        let busy = match deliver_due(&db, &sender).await {
            Ok(count) => count > 0,
            Err(err) => {
                tracing::warn!(error = ?err, "webhook delivery round failed");
                false
            }
        };
        if *stopped.borrow() {
            return;
        }
        if !busy {
            tokio::select! {
                _ = tokio::time::sleep(sender.config.poll_interval) => {}
                _ = stopped.changed() => return,
            }
        }
    }
}

/// Claims one batch of due attempts, sends them and records the outcomes;
/// returns how many were attempted.
pub async fn deliver_due(db: &DatabaseConnection, sender: &Sender) -> crate::error::Result<usize> {
    let config = &sender.config;
    let claimed = deliveries::claim(db, config.concurrency * 4, lease(config)).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let count = claimed.len();
    let outcomes: Vec<Outcome> = futures_util::stream::iter(claimed)
        .map(|c| {
            let sender = sender.clone();
            async move { sender.attempt(&c).await }
        })
        .buffer_unordered(config.concurrency)
        .collect()
        .await;
    for outcome in outcomes.iter().filter(|o| !o.succeeded) {
        tracing::info!(
            endpoint_id = %outcome.endpoint_id,
            delivery_id = %outcome.delivery_id,
            attempt = outcome.attempt,
            status = outcome.status_code,
            error = outcome.error.as_deref().unwrap_or(""),
            "webhook attempt failed"
        );
    }
    for dead in deliveries::record(db, &outcomes).await? {
        webhooks::disable_if_failing(db, &dead).await?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_with_jitter_then_die() {
        let schedule = [Duration::from_secs(10), Duration::from_secs(100)];
        let now = Utc::now();
        assert_eq!(
            next_state(true, 0, &schedule, now).0,
            DeliveryStatus::Succeeded
        );
        let (status, at) = next_state(false, 1, &schedule, now);
        assert_eq!(status, DeliveryStatus::Pending);
        let wait = (at.unwrap() - now).num_milliseconds();
        assert!((80_000..=120_000).contains(&wait), "{wait}");
        assert_eq!(next_state(false, 2, &schedule, now).0, DeliveryStatus::Dead);
    }
}
