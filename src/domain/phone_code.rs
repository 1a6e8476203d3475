//! The SMS code that lets a consumer see every case filed with their mobile number: its shape
//! (six digits), how long it lives, how many wrong tries it takes, and how often a number and
//! a client address may ask for one. Pure rules; the clock comes in as `now`.

use chrono::{Duration, NaiveDateTime};

/// Digits in a code.
pub const CODE_DIGITS: usize = 6;
/// How long a code is good for.
pub const CODE_TTL_SECS: i64 = 5 * 60;
/// Wrong tries a code takes; the next try finds it dead.
pub const MAX_ATTEMPTS: i32 = 5;
/// How long a session opened by a code lasts.
pub const SESSION_MINUTES: i64 = 30;

/// At most `max` codes within any `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimit {
    pub window_secs: i64,
    pub max: usize,
}

/// Codes per number: one a minute, five an hour, ten a day. Counted from the stored codes, so
/// every node sees the same count.
pub const PER_NUMBER: [SendLimit; 3] = [
    SendLimit {
        window_secs: 60,
        max: 1,
    },
    SendLimit {
        window_secs: 3600,
        max: 5,
    },
    SendLimit {
        window_secs: 86_400,
        max: 10,
    },
];

/// Codes per client address (any numbers): twenty an hour.
pub const PER_ADDRESS: SendLimit = SendLimit {
    window_secs: 3600,
    max: 20,
};

/// Fresh 查询码 per case by phone: three a day, so a session cannot flood the case's log.
pub const REISSUES_PER_CASE: SendLimit = SendLimit {
    window_secs: 86_400,
    max: 3,
};

/// The longest window of `PER_NUMBER`: older codes no longer count and may be deleted.
pub const KEEP_SECS: i64 = 86_400;

/// Seconds until one more code may be sent, given when the earlier ones were sent (any
/// order); `None` when one may be sent at `now`.
pub fn wait_before_sending(
    limits: &[SendLimit],
    sent: &[NaiveDateTime],
    now: NaiveDateTime,
) -> Option<i64> {
    let mut sent: Vec<NaiveDateTime> = sent.iter().copied().filter(|t| *t <= now).collect();
    sent.sort_unstable();
    limits
        .iter()
        .filter_map(|limit| {
            let since = now - Duration::seconds(limit.window_secs);
            let inside: Vec<&NaiveDateTime> = sent.iter().filter(|t| **t > since).collect();
            if inside.len() < limit.max {
                return None;
            }
            // The oldest code that has to leave the window before one more fits.
            let leaving = inside[inside.len() - limit.max];
            Some((*leaving - since).num_seconds().max(1))
        })
        .max()
}

/// A stored code as the checks see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenge {
    pub expires_at: NaiveDateTime,
    pub attempts: i32,
    pub consumed: bool,
}

impl Challenge {
    /// Whether the code may still be tried at `now`: not used, not superseded, not expired
    /// and not worn out by wrong tries.
    pub fn is_live(&self, now: NaiveDateTime) -> bool {
        !self.consumed && now < self.expires_at && self.attempts < MAX_ATTEMPTS
    }
}

/// Reads six digits as a person types them: spaces ignored, full-width digits accepted.
pub fn parse_code(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect();
    (digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// The code made of a random `u32`, uniform when `random` is below `UNIFORM_BELOW` (draw
/// again otherwise).
pub fn code_from_random(random: u32) -> Option<String> {
    (random < UNIFORM_BELOW).then(|| format!("{:06}", random % 1_000_000))
}

/// The largest multiple of a million that fits in a `u32`: values from it up would favour
/// the low codes.
pub const UNIFORM_BELOW: u32 = u32::MAX / 1_000_000 * 1_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(h, m, s)
            .unwrap()
    }

    #[test]
    fn a_number_gets_one_code_a_minute_five_an_hour_ten_a_day() {
        let now = at(12, 0, 0);
        assert_eq!(wait_before_sending(&PER_NUMBER, &[], now), None);
        assert_eq!(
            wait_before_sending(&PER_NUMBER, &[at(11, 59, 30)], now),
            Some(30)
        );
        assert_eq!(
            wait_before_sending(&PER_NUMBER, &[at(11, 59, 0)], now),
            None
        );
        let hour: Vec<_> = (0..5).map(|i| at(11, 10 + i * 10, 0)).collect();
        assert_eq!(
            wait_before_sending(&PER_NUMBER, &hour, now),
            Some(10 * 60),
            "the 11:10 code leaves the hour at 12:10"
        );
        let day: Vec<_> = (0..10).map(|i| at(i, 0, 0)).collect();
        assert_eq!(wait_before_sending(&PER_NUMBER, &day, now), Some(12 * 3600));
    }

    #[test]
    fn a_code_lives_five_minutes_and_five_wrong_tries() {
        let sent = at(12, 0, 0);
        let c = Challenge {
            expires_at: sent + Duration::seconds(CODE_TTL_SECS),
            attempts: 0,
            consumed: false,
        };
        assert!(c.is_live(at(12, 4, 59)));
        assert!(!c.is_live(at(12, 5, 0)));
        assert!(
            Challenge {
                attempts: MAX_ATTEMPTS - 1,
                ..c
            }
            .is_live(sent)
        );
        assert!(
            !Challenge {
                attempts: MAX_ATTEMPTS,
                ..c
            }
            .is_live(sent)
        );
        assert!(
            !Challenge {
                consumed: true,
                ..c
            }
            .is_live(sent)
        );
    }

    #[test]
    fn codes_are_six_digits_drawn_uniformly() {
        assert_eq!(parse_code(" 012 345 ").as_deref(), Some("012345"));
        assert_eq!(parse_code("０１２３４５").as_deref(), Some("012345"));
        assert_eq!(parse_code("12345"), None);
        assert_eq!(parse_code("12345a"), None);
        assert_eq!(code_from_random(7).as_deref(), Some("000007"));
        assert_eq!(code_from_random(UNIFORM_BELOW), None);
        assert_eq!(
            code_from_random(UNIFORM_BELOW - 1).as_deref(),
            Some("999999")
        );
    }
}
