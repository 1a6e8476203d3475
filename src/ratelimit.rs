//! Per-address limits on form submissions and sign-ins: a fixed one-minute window per
//! (address, form), shared by both front ends. In memory and per node: enough to slow a
//! script down, not an accounting system.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Above this many tracked keys, expired windows are dropped.
const PRUNE_AT: usize = 10_000;

/// Per (client address, form): when the current window opened and how many it admitted.
type Windows = HashMap<(IpAddr, &'static str), (Instant, u32)>;

pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<Windows>,
}

impl RateLimiter {
    /// `per_minute` 0 means no limit.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one submission; `Err(seconds)` says how long until the window reopens.
    pub fn check(&self, ip: IpAddr, form: &'static str, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > PRUNE_AT {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry((ip, form)).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            let left = WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// The client address: the TCP peer. No proxy header is trusted, since none is configured as
/// trusted; behind a reverse proxy, limit there too.
pub fn client_ip(req: &actix_web::HttpRequest) -> IpAddr {
    req.peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |a| a.ip())
}

/// Counts one submission of `form` from the request's client against the node's limiter
/// (`ODRDESK_RATE_LIMIT`); `Err(seconds)` says how long to wait.
pub fn limit(req: &actix_web::HttpRequest, form: &'static str) -> Result<(), u64> {
    match req.app_data::<actix_web::web::Data<RateLimiter>>() {
        Some(limiter) => limiter.check(client_ip(req), form, Instant::now()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_admits_its_quota_then_reopens() {
        let limiter = RateLimiter::new(2);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        assert!(limiter.check(ip, "complaint", t0).is_ok());
        assert!(limiter.check(ip, "complaint", t0).is_ok());
        let wait = limiter.check(ip, "complaint", t0 + Duration::from_secs(20));
        assert_eq!(wait, Err(40));
        assert!(limiter.check(ip, "login", t0).is_ok(), "forms count apart");
        assert!(
            limiter.check(other, "complaint", t0).is_ok(),
            "addresses count apart"
        );
        assert!(limiter.check(ip, "complaint", t0 + WINDOW).is_ok());
        assert!(RateLimiter::new(0).check(ip, "complaint", t0).is_ok());
    }
}
