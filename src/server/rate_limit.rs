//! Fixed-window request counters, kept in this process's memory: the public sign-up's (per
//! client address and per store) and the token API's (per API token).
//!
//! Each key (a client address, a store, a token) gets `limit` requests per window of
//! `window_seconds`; the answer carries the `RateLimit-*` fields of the IETF draft
//! "RateLimit header fields for HTTP" and, past the limit, `Retry-After`. Counters are per
//! server process: behind N nodes a client gets up to N × `limit` a window.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hyper::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

/// Past this many keys the table drops the windows that have ended; if it is still full,
/// new client addresses are counted by their store's limit alone, so memory stays bounded
/// whatever the number of addresses an attacker has.
const MAX_KEYS: usize = 100_000;

/// What a counter is keyed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// A client address: IPv4 whole, IPv6 by its /64 (one subscriber's usual allocation).
    Client(IpAddr),
    /// Every client of one store together.
    Store(i64),
    /// One API token, by the first half of its SHA-256 (the token itself is not kept).
    Token([u8; 16]),
}

impl Key {
    /// The key for a peer address.
    pub fn client(addr: IpAddr) -> Key {
        match super::client::canonical(addr) {
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                Key::Client(IpAddr::from(octets))
            }
            v4 => Key::Client(v4),
        }
    }
}

/// A limit: so many requests a window.
#[derive(Clone, Copy, Debug)]
pub struct Quota {
    /// Requests allowed in one window.
    pub limit: u32,
    /// The window's length.
    pub window: Duration,
}

/// The outcome of counting one request against one key.
#[derive(Clone, Copy, Debug)]
pub struct Decision {
    /// Whether the request may go on.
    pub allowed: bool,
    /// The quota it was counted against.
    pub quota: Quota,
    /// Requests left in this window after this one.
    pub remaining: u32,
    /// Time until the window ends.
    pub reset: Duration,
}

impl Decision {
    /// Adds `RateLimit-Limit`, `-Remaining`, `-Reset`, `-Policy` and, when refused,
    /// `Retry-After` to `headers`.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        let reset = self.reset.as_secs() + u64::from(self.reset.subsec_nanos() > 0);
        let reset = reset.max(1);
        let pairs = [
            ("ratelimit-limit", self.quota.limit.to_string()),
            ("ratelimit-remaining", self.remaining.to_string()),
            ("ratelimit-reset", reset.to_string()),
            ("ratelimit-policy", format!("{};w={}", self.quota.limit, self.quota.window.as_secs())),
        ];
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
        if !self.allowed {
            headers.insert(RETRY_AFTER, HeaderValue::from(reset));
        }
    }
}

struct Window {
    started: Instant,
    count: u32,
}

/// The counters of one route.
pub struct RateLimiter {
    per_client: Quota,
    per_store: Quota,
    windows: Mutex<HashMap<Key, Window>>,
}

impl RateLimiter {
    /// Counters with these quotas.
    pub fn new(per_client: Quota, per_store: Quota) -> RateLimiter {
        RateLimiter { per_client, per_store, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts one request of `client` to `store`. The request is refused when either
    /// counter is spent; the decision returned is the tighter of the two, so the headers
    /// tell the client what actually limits it. A refused request is not counted.
    pub fn check(&self, client: IpAddr, store: i64) -> Decision {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let client_key = Key::client(client);
        let room_for_client = windows.contains_key(&client_key) || make_room(&mut windows, now, self.window_max());
        let by_store = peek(&windows, Key::Store(store), self.per_store, now);
        let by_client = room_for_client.then(|| peek(&windows, client_key, self.per_client, now));
        let refused = [Some(by_store), by_client].into_iter().flatten().find(|d| !d.allowed);
        if let Some(refused) = refused {
            return refused;
        }
        let store_decision = count(&mut windows, Key::Store(store), self.per_store, now);
        let client_decision = room_for_client.then(|| count(&mut windows, client_key, self.per_client, now));
        match client_decision {
            Some(c) if c.remaining <= store_decision.remaining => c,
            _ => store_decision,
        }
    }

    fn window_max(&self) -> Duration {
        self.per_client.window.max(self.per_store.window)
    }
}

/// The token API's counters: one quota per API token, counted after the token is known
/// to be valid (so the table holds at most one window per issued token).
pub struct TokenLimiter {
    quota: Quota,
    windows: Mutex<HashMap<Key, Window>>,
}

impl TokenLimiter {
    /// Counters with this quota for every token.
    pub fn new(quota: Quota) -> TokenLimiter {
        TokenLimiter { quota, windows: Mutex::new(HashMap::new()) }
    }

    /// The quota each token gets.
    pub fn quota(&self) -> Quota {
        self.quota
    }

    /// Counts one request made with `token`; a refused request is not counted.
    pub fn check(&self, token: &str) -> Decision {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(token.as_bytes());
        let mut half = [0u8; 16];
        half.copy_from_slice(&digest[..16]);
        let key = Key::Token(half);
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if !windows.contains_key(&key) && !make_room(&mut windows, now, self.quota.window) {
            return peek(&windows, key, self.quota, now);
        }
        let decision = peek(&windows, key, self.quota, now);
        if !decision.allowed {
            return decision;
        }
        count(&mut windows, key, self.quota, now)
    }
}

/// Whether a new key fits, after dropping the windows that have ended when the table is full.
fn make_room(windows: &mut HashMap<Key, Window>, now: Instant, longest: Duration) -> bool {
    if windows.len() < MAX_KEYS {
        return true;
    }
    windows.retain(|_, w| now.duration_since(w.started) < longest);
    windows.len() < MAX_KEYS
}

fn current(window: Option<&Window>, quota: Quota, now: Instant) -> (u32, Duration) {
    match window {
        Some(w) if now.duration_since(w.started) < quota.window => {
            (w.count, quota.window - now.duration_since(w.started))
        }
        _ => (0, quota.window),
    }
}

fn peek(windows: &HashMap<Key, Window>, key: Key, quota: Quota, now: Instant) -> Decision {
    let (used, reset) = current(windows.get(&key), quota, now);
    Decision { allowed: used < quota.limit, quota, remaining: quota.limit.saturating_sub(used), reset }
}

fn count(windows: &mut HashMap<Key, Window>, key: Key, quota: Quota, now: Instant) -> Decision {
    let window = windows.entry(key).or_insert(Window { started: now, count: 0 });
    if now.duration_since(window.started) >= quota.window {
        *window = Window { started: now, count: 0 };
    }
    window.count += 1;
    let reset = quota.window.saturating_sub(now.duration_since(window.started));
    Decision { allowed: true, quota, remaining: quota.limit.saturating_sub(window.count), reset }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(limit: u32) -> Quota {
        Quota { limit, window: Duration::from_secs(60) }
    }

    #[test]
    fn each_client_gets_its_own_quota_and_the_store_caps_them_all() {
        let limiter = RateLimiter::new(quota(2), quota(3));
        let a: IpAddr = "10.0.0.1".parse().expect("an address");
        let b: IpAddr = "10.0.0.2".parse().expect("an address");
        assert!(limiter.check(a, 1).allowed);
        let second = limiter.check(a, 1);
        assert!(second.allowed);
        assert_eq!(second.remaining, 0);
        let third = limiter.check(a, 1);
        assert!(!third.allowed, "the client's quota is spent");
        assert!(limiter.check(b, 1).allowed, "another client still has its own");
        assert!(!limiter.check(b, 1).allowed, "but the store's quota of 3 is spent");
        assert!(limiter.check(b, 2).allowed, "another store counts apart");
    }

    #[test]
    fn each_token_gets_its_own_quota() {
        let limiter = TokenLimiter::new(quota(2));
        assert_eq!(limiter.check("cv_a").remaining, 1);
        assert_eq!(limiter.check("cv_a").remaining, 0);
        let refused = limiter.check("cv_a");
        assert!(!refused.allowed);
        assert!(limiter.check("cv_b").allowed, "another token counts apart");
        assert_eq!(limiter.quota().limit, 2);
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let one: IpAddr = "2001:db8:1:2::1".parse().expect("an address");
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("an address");
        assert_eq!(Key::client(one), Key::client(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("an address");
        assert_eq!(Key::client(mapped), Key::Client("192.0.2.7".parse().expect("an address")));
    }

    #[test]
    fn refused_requests_carry_retry_after() {
        let limiter = RateLimiter::new(quota(1), quota(10));
        let client = IpAddr::from([127, 0, 0, 1]);
        limiter.check(client, 1);
        let refused = limiter.check(client, 1);
        let mut headers = HeaderMap::new();
        refused.write_headers(&mut headers);
        assert!(!refused.allowed);
        assert_eq!(headers.get("ratelimit-remaining").and_then(|v| v.to_str().ok()), Some("0"));
        assert_eq!(headers.get("ratelimit-policy").and_then(|v| v.to_str().ok()), Some("1;w=60"));
        let retry: u64 = headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(0);
        assert!((1..=60).contains(&retry), "Retry-After {retry}");
    }
}
