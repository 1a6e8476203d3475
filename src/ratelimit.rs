//! Per-address limits on form submissions and sign-ins: a fixed one-minute window per
//! (address, form), shared by both front ends. In memory and per node: enough to slow a
//! script down, not an accounting system.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Below this many tracked keys, nothing is pruned.
const PRUNE_AT: usize = 10_000;
/// The most windows tracked; a new one while full is admitted, or refused by a limiter made
/// with `RateLimiter::refusing_when_full`.
const MAX_TRACKED: usize = 200_000;

/// A table of per-key counters with bounded memory, pruned in amortised steps: stale entries
/// are dropped when the table has doubled since the last prune (and at least `floor` long), so
/// a flood of new keys costs no scan per attempt. Once `cap` live entries are held, a new key
/// is turned away, and a scan is retried only after `cap / 4` of those.
pub struct PrunedTable<K, V> {
    entries: HashMap<K, V>,
    floor: usize,
    cap: usize,
    prune_at: usize,
    turned_away: usize,
    /// Scans so far, for the tests that bound them.
    scans: u64,
}

impl<K: Eq + Hash, V> PrunedTable<K, V> {
    pub fn new(floor: usize, cap: usize) -> PrunedTable<K, V> {
        PrunedTable {
            entries: HashMap::new(),
            floor,
            cap,
            prune_at: floor,
            turned_away: 0,
            scans: 0,
        }
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.entries.get_mut(key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry of `key`, made with `new` if absent and there is room once stale entries
    /// are dropped when due; `None` when the table is full of live entries.
    pub fn entry(
        &mut self,
        key: K,
        is_stale: impl Fn(&V) -> bool,
        new: impl FnOnce() -> V,
    ) -> Option<&mut V> {
        if !self.entries.contains_key(&key) && !self.make_room(is_stale) {
            return None;
        }
        Some(self.entries.entry(key).or_insert_with(new))
    }

    fn make_room(&mut self, is_stale: impl Fn(&V) -> bool) -> bool {
        let full = self.entries.len() >= self.cap;
        if full {
            self.turned_away += 1;
        }
        let retry_full = full && self.turned_away >= self.cap / 4;
        if self.entries.len() >= self.prune_at.max(self.floor) || retry_full {
            self.entries.retain(|_, v| !is_stale(v));
            self.prune_at = self.entries.len().saturating_mul(2);
            self.turned_away = 0;
            self.scans += 1;
        }
        self.entries.len() < self.cap
    }
}

/// Per key (by default a client address and form): when the current window opened and how
/// many it admitted.
type Windows<K> = PrunedTable<K, (Instant, u32)>;

pub struct RateLimiter<K = (IpAddr, &'static str)> {
    per_minute: u32,
    windows: Mutex<Windows<K>>,
    /// A new key while the table is full of live windows is refused rather than admitted.
    refuse_when_full: bool,
}

impl<K: Eq + Hash> RateLimiter<K> {
    /// `per_minute` 0 means no limit.
    pub fn keyed(per_minute: u32) -> RateLimiter<K> {
        RateLimiter {
            per_minute,
            windows: Mutex::new(PrunedTable::new(PRUNE_AT, MAX_TRACKED)),
            refuse_when_full: false,
        }
    }

    /// Like [`RateLimiter::keyed`], but a new key is refused for a window while the table is
    /// full: for limits that guard a secret, where admitting would let a flood through.
    pub fn refusing_when_full(per_minute: u32) -> RateLimiter<K> {
        RateLimiter {
            refuse_when_full: true,
            ..RateLimiter::keyed(per_minute)
        }
    }

    /// Counts one request under `key`; `Err(seconds)` says how long until the window reopens.
    pub fn check_key(&self, key: K, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let expired = |(start, _): &(Instant, u32)| now.duration_since(*start) >= WINDOW;
        let Some(entry) = windows.entry(key, expired, || (now, 0)) else {
            return if self.refuse_when_full {
                Err(WINDOW.as_secs())
            } else {
                Ok(())
            };
        };
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

impl RateLimiter {
    /// Per client address and form; `per_minute` 0 means no limit.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter::keyed(per_minute)
    }

    /// Counts one submission; `Err(seconds)` says how long until the window reopens.
    pub fn check(&self, ip: IpAddr, form: &'static str, now: Instant) -> Result<(), u64> {
        self.check_key((ip, form), now)
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

    #[test]
    fn a_flood_of_new_addresses_costs_a_logarithmic_number_of_scans() {
        let limiter = RateLimiter::new(5);
        let t0 = Instant::now();
        let flood = 150_000u32;
        for n in 0..flood {
            let ip = IpAddr::from(n.to_be_bytes());
            assert!(limiter.check(ip, "complaint", t0).is_ok());
        }
        let windows = limiter.windows.lock().unwrap();
        assert_eq!(windows.len(), flood as usize, "all windows are live");
        // At 10,000, 20,000, 40,000 and 80,000 keys: four scans, not one per attempt.
        assert_eq!(windows.scans, 4);
    }

    #[test]
    fn a_limiter_guarding_a_secret_refuses_new_keys_when_full() {
        let admitting: RateLimiter<u32> = RateLimiter::keyed(5);
        let refusing: RateLimiter<u32> = RateLimiter::refusing_when_full(5);
        let t0 = Instant::now();
        for limiter in [&admitting, &refusing] {
            let mut windows = limiter.windows.lock().unwrap();
            *windows = PrunedTable::new(2, 2);
        }
        for k in 0..2 {
            assert!(admitting.check_key(k, t0).is_ok());
            assert!(refusing.check_key(k, t0).is_ok());
        }
        assert!(
            admitting.check_key(2, t0).is_ok(),
            "the forms' limiter admits"
        );
        assert_eq!(refusing.check_key(2, t0), Err(60));
        assert!(refusing.check_key(0, t0).is_ok(), "a known key counts on");
    }

    #[test]
    fn the_table_stays_bounded_and_forgets_expired_windows() {
        let mut table: PrunedTable<u32, u32> = PrunedTable::new(4, 8);
        for k in 0..8 {
            assert!(table.entry(k, |_| false, || 0).is_some());
        }
        assert!(
            table.entry(8, |_| false, || 0).is_none(),
            "full of live ones"
        );
        assert_eq!(table.len(), 8);
        assert!(
            table.entry(0, |_| false, || 0).is_some(),
            "a known key counts on"
        );
        // Entries gone stale are dropped once a quarter of the cap has been turned away.
        assert!(table.entry(9, |_| true, || 0).is_none());
        assert!(table.entry(10, |_| true, || 0).is_some());
        assert_eq!(table.len(), 1);
    }
}
