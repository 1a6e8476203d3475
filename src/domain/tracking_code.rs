//! The 查询码: what a consumer holds to follow a case without an account, and how many wrong
//! ones a case takes before it stops answering for a while.
//!
//! New codes are 20 Crockford base32 characters (100 random bits), shown in groups of four
//! (`7K2M-9QXD-…`) so they can be copied by hand and read aloud. Codes issued before are
//! 40 hex characters (160 bits) and keep working. A code is hashed in its canonical form (the
//! 20 characters upper-case without hyphens, or the 40 hex digits lower-case), so the hashes
//! stored for old codes still match.

use chrono::{DateTime, Duration, Utc};

/// Crockford's base32 alphabet: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a new code.
pub const CODE_CHARS: usize = 20;
/// Random bits in a new code.
pub const CODE_BITS: u32 = 100;
/// Random bytes a new code is made from (the last four bits are not used).
pub const CODE_RANDOM_BYTES: usize = 13;
/// Hex digits in a code issued before (160 bits).
const LEGACY_HEX_CHARS: usize = 40;
const GROUP: usize = 4;

/// A well-formed 查询码, new or old. Its text never shows in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct TrackingCode(String);

impl std::fmt::Debug for TrackingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TrackingCode(***)")
    }
}

impl TrackingCode {
    /// The code made of the first 100 bits of `random`.
    pub fn from_random(random: [u8; CODE_RANDOM_BYTES]) -> TrackingCode {
        let bits = random
            .iter()
            .fold(0u128, |acc, b| (acc << 8) | u128::from(*b))
            >> (CODE_RANDOM_BYTES * 8 - CODE_BITS as usize);
        TrackingCode(encode(bits, CODE_CHARS))
    }

    /// Reads a code as a person may type it: any case, hyphens and spaces anywhere, and
    /// Crockford's I and L for 1, O for 0. An old 40-hex code is accepted as it was issued.
    pub fn parse(typed: &str) -> Option<TrackingCode> {
        let compact: String = typed
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}'))
            .collect();
        if compact.len() == LEGACY_HEX_CHARS && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(TrackingCode(compact.to_ascii_lowercase()));
        }
        canonical(&compact, CODE_CHARS).map(TrackingCode)
    }

    /// The canonical text: what is hashed and sealed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a 40-hex code issued before the short codes.
    pub fn is_legacy(&self) -> bool {
        self.0.len() == LEGACY_HEX_CHARS
    }

    /// The code as shown to people: groups of four joined by hyphens.
    pub fn grouped(&self) -> String {
        grouped(&self.0)
    }
}

/// The low `chars * 5` bits of `bits` in Crockford's base32, most significant first.
pub(super) fn encode(bits: u128, chars: usize) -> String {
    (0..chars)
        .rev()
        .map(|i| char::from(ALPHABET[((bits >> (i * 5)) & 0x1f) as usize]))
        .collect()
}

/// A typed Crockford base32 code of exactly `chars` characters in canonical form: any case,
/// hyphens and spaces dropped, I and L read as 1, O as 0.
pub(super) fn canonical(typed: &str, chars: usize) -> Option<String> {
    let canonical: Option<String> = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}'))
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => Some('1'),
            'O' => Some('0'),
            c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => Some(c),
            _ => None,
        })
        .collect();
    canonical.filter(|c| c.len() == chars)
}

/// Groups of four joined by hyphens, as codes are shown to people.
pub(super) fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(GROUP)
        .map(|g| String::from_utf8_lossy(g).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Wrong codes one case number takes in a window before every code for it is refused until
/// the window ends, the right one too: otherwise the limit would not limit guessing.
pub const FAILURES_PER_WINDOW: u32 = 10;
/// The window, counted from the first wrong code.
pub const WINDOW_MINUTES: i64 = 60;

/// The wrong codes tried on one case in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongCodes {
    pub since: DateTime<Utc>,
    pub failures: u32,
}

impl WrongCodes {
    fn window_end(&self) -> DateTime<Utc> {
        self.since + Duration::minutes(WINDOW_MINUTES)
    }

    /// Whether the window is over at `now` (the entry may then be dropped).
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        now >= self.window_end()
    }

    /// Seconds until a code is checked again, if codes are refused at `now`.
    pub fn wait(&self, now: DateTime<Utc>) -> Option<u64> {
        if self.failures < FAILURES_PER_WINDOW || self.is_stale(now) {
            return None;
        }
        u64::try_from((self.window_end() - now).num_seconds().max(1)).ok()
    }

    /// After one more wrong code at `now` (`previous` is the entry so far, if any).
    pub fn after_failure(previous: Option<WrongCodes>, now: DateTime<Utc>) -> WrongCodes {
        match previous.filter(|w| !w.is_stale(now)) {
            Some(w) => WrongCodes {
                failures: w.failures.saturating_add(1),
                ..w
            },
            None => WrongCodes {
                since: now,
                failures: 1,
            },
        }
    }
}

#[cfg(test)]
#[path = "tracking_code_tests.rs"]
mod tests;
