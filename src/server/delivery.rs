//! The delivery worker: drains the card-link outbox to a webhook.
//!
//! Each link is POSTed as JSON and signed as Stripe signs its webhooks, so a receiver can
//! reuse a Stripe-style check: `Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>">`, with `Delivery-Id` (the same on every attempt, for deduplication) and
//! `Delivery-Attempt`. Delivery is at least once: a row is claimed for a lease before the
//! POST and marked after it, so a worker killed in between leaves the row to be sent again
//! once the lease ends, and never sooner. A refused or failed POST is retried with
//! exponential backoff until the attempts run out, then marked failed. Without a webhook,
//! each link is written to the log and marked sent.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::metrics::{self, Delivery};
use super::store::{Attempt, Claimed, Storage};
use super::AppState;

/// Links claimed at once.
const BATCH: usize = 32;

/// The worker's settings; every field has a flag of `serve`.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where links go; `None` logs them.
    pub webhook: Option<reqwest::Url>,
    /// The signing secret (required with a webhook).
    pub secret: String,
    /// Attempts before a link is marked failed.
    pub max_attempts: u32,
    /// The wait after the first failure; doubled after each further one, up to an hour.
    pub retry_base: Duration,
    /// How long one POST may take.
    pub timeout: Duration,
    /// How often the outbox is read when idle.
    pub poll: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            webhook: None,
            secret: String::new(),
            max_attempts: 8,
            retry_base: Duration::from_secs(2),
            timeout: Duration::from_secs(10),
            poll: Duration::from_millis(250),
        }
    }
}

impl Settings {
    /// How long a claim lasts: longer than a POST may take, so a live worker's attempt is
    /// never claimed a second time.
    fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(1)
    }

    /// The wait before attempt `failed + 1`.
    fn backoff(&self, failed: i64) -> Duration {
        let doublings = u32::try_from(failed.saturating_sub(1)).unwrap_or(u32::MAX).min(20);
        self.retry_base.saturating_mul(1 << doublings).min(Duration::from_secs(3600))
    }
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>`.
pub fn signature(secret: &str, unix_seconds: u64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={unix_seconds},v1={hex}")
}

/// Runs until the process ends.
pub async fn run<S: Storage>(state: Arc<AppState<S>>, settings: Settings) {
    let client = match reqwest::Client::builder().timeout(settings.timeout).build() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "delivery worker: cannot build the HTTP client; links stay queued");
            return;
        }
    };
    let settings = Arc::new(settings);
    loop {
        let claimed = match state.db.claim_deliveries(settings.lease(), BATCH).await {
            Ok(claimed) => claimed,
            Err(e) => {
                tracing::warn!(error = %e, "delivery worker: cannot read the outbox");
                Vec::new()
            }
        };
        let full = claimed.len() == BATCH;
        let mut sends = tokio::task::JoinSet::new();
        for link in claimed {
            let (state, settings, client) = (state.clone(), settings.clone(), client.clone());
            sends.spawn(async move {
                let outcome = attempt(&client, &settings, &link).await;
                if let Err(e) = state.db.finish_delivery(link.id, outcome).await {
                    // The claim ends on its own; the link goes again after the lease.
                    tracing::warn!(error = %e, id = link.id, "delivery worker: cannot record an attempt");
                }
            });
        }
        while sends.join_next().await.is_some() {}
        if !full {
            tokio::time::sleep(settings.poll).await;
        }
    }
}

async fn attempt(client: &reqwest::Client, settings: &Settings, link: &Claimed) -> Attempt {
    let Some(webhook) = &settings.webhook else {
        tracing::info!(id = link.id, link = %link.payload, "card link (no webhook configured)");
        metrics::delivery(Delivery::Logged);
        return Attempt::Sent;
    };
    let body = link.payload.to_string();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let sent = client
        .post(webhook.clone())
        .header("content-type", "application/json")
        .header("signature", signature(&settings.secret, now, body.as_bytes()))
        .header("delivery-id", link.id.to_string())
        .header("delivery-attempt", link.attempt.to_string())
        .body(body)
        .send()
        .await;
    let error = match sent {
        Ok(resp) if resp.status().is_success() => {
            metrics::delivery(Delivery::Sent);
            return Attempt::Sent;
        }
        Ok(resp) => format!("the webhook answered {}", resp.status()),
        Err(e) => format!("the webhook did not answer: {e}"),
    };
    if link.attempt >= i64::from(settings.max_attempts) {
        tracing::warn!(id = link.id, attempts = link.attempt, %error, "card link failed");
        metrics::delivery(Delivery::Failed);
        return Attempt::Failed { error };
    }
    let wait = settings.backoff(link.attempt);
    tracing::info!(id = link.id, attempt = link.attempt, %error, retry_in = ?wait, "card link will be retried");
    metrics::delivery(Delivery::Retried);
    let at = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::try_from(wait).unwrap_or(jiff::SignedDuration::ZERO))
        .unwrap_or_else(|_| jiff::Timestamp::now());
    Attempt::Retry { at: format!("{at:.3}"), error }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_an_hour() {
        let settings = Settings { retry_base: Duration::from_millis(500), ..Settings::default() };
        let waits: Vec<u128> = (1..=4).map(|failed| settings.backoff(failed).as_millis()).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000]);
        assert_eq!(settings.backoff(40), Duration::from_secs(3600));
    }

    #[test]
    fn the_lease_outlasts_a_post() {
        let settings = Settings::default();
        assert!(settings.lease() > settings.timeout);
    }
}
