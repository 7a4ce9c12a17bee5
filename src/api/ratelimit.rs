//! Fixed-window request limits per client (API key, else remote address), with the headers the
//! contract documents. Limits are per node: a multi-node deployment divides them by node count.

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use dashmap::DashMap;

/// Who a request is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    /// A digest of the API key, so no key is kept in memory.
    ApiKey([u8; 32]),
    Address(IpAddr),
    /// Requests without a peer address (in-process calls).
    Local,
}

/// Counters of the current window, one per client.
pub struct RateLimiter {
    limit: u64,
    window: u64,
    counters: DashMap<Client, (u64, u64)>,
    refused: metrics::Counter,
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u64,
    pub remaining: u64,
    /// Unix time at which the window resets.
    pub reset: u64,
    pub allowed: bool,
}

impl RateLimiter {
    /// `limit` requests per `window` seconds; a limit of 0 disables limiting.
    pub fn new(limit: u64, window: u64) -> Self {
        RateLimiter {
            limit,
            window: window.max(1),
            counters: DashMap::new(),
            refused: metrics::counter!(crate::metrics::RATE_LIMITED),
        }
    }

    pub fn enabled(&self) -> bool {
        self.limit > 0
    }

    /// Counts one request of `client`.
    pub fn hit(&self, client: Client) -> Quota {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let window_start = now - now % self.window;
        let count = {
            let mut entry = self
                .counters
                .entry(client.to_owned())
                .or_insert((window_start, 0));
            if entry.0 != window_start {
                *entry = (window_start, 0);
            }
            entry.1 += 1;
            entry.1
        };
        if count == 1 && self.counters.len() > 100_000 {
            self.counters.retain(|_, (start, _)| *start == window_start);
        }
        let allowed = count <= self.limit;
        if !allowed {
            self.refused.increment(1);
        }
        Quota {
            limit: self.limit,
            remaining: self.limit.saturating_sub(count),
            reset: window_start + self.window,
            allowed,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_down_then_refuses() {
        use super::Client;
        let limiter = super::RateLimiter::new(2, 3600);
        let a = Client::ApiKey([1; 32]);
        assert_eq!(limiter.hit(a).remaining, 1);
        assert!(limiter.hit(a).allowed);
        assert!(!limiter.hit(a).allowed);
        assert!(limiter.hit(Client::Local).allowed);
    }
}
