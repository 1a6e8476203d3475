//! Unguessable tokens and how they are kept: the tracking token is stored only as a hash; an
//! idempotency record keeps the token sealed under the client's own idempotency key, so a
//! replay can answer with the first response while the database alone reveals nothing.

use sha2::{Digest, Sha256};

use crate::auth::password::{hash_password, verify_password};
use crate::domain::ids::Phone;
use crate::domain::phone_code;
use crate::domain::tracking_code::{CODE_RANDOM_BYTES, TrackingCode};

/// Bytes of a token issued before the short codes (160 bits, sealed as raw bytes).
const LEGACY_TOKEN_BYTES: usize = 20;
/// Marks a sealed short code; a sealed old token is bare hex.
const SEALED_CODE: &str = "b32:";

/// HMAC-SHA256 of the concatenated `parts` under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut context =
        ring::hmac::Context::with_key(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key));
    for p in parts {
        context.update(p);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(context.sign().as_ref());
    out
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// Proof that a caller may see a case without an account: the 查询码
/// (`domain::tracking_code`), 100 random bits, or 160 for codes issued before.
#[derive(Clone, PartialEq, Eq)]
pub struct TrackingToken(TrackingCode);

impl std::fmt::Debug for TrackingToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TrackingToken(***)")
    }
}

impl TrackingToken {
    pub fn generate() -> std::io::Result<TrackingToken> {
        let mut bytes = [0u8; CODE_RANDOM_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(TrackingToken(TrackingCode::from_random(bytes)))
    }

    /// A new code or an old 40-hex token, as typed (`TrackingCode::parse`); anything else
    /// cannot match a case.
    pub fn parse(s: &str) -> Option<TrackingToken> {
        TrackingCode::parse(s).map(TrackingToken)
    }

    /// The canonical text, as hashed.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// As shown to people: `7K2M-9QXD-…`.
    pub fn grouped(&self) -> String {
        self.0.grouped()
    }

    pub fn hash(&self) -> String {
        sha256_hex(&[b"odrdesk tracking token\0", self.as_str().as_bytes()])
    }

    /// Compares against a stored hash in constant time.
    pub fn matches(&self, stored_hash: &str) -> bool {
        same_hash(&self.hash(), stored_hash)
    }
}

fn same_hash(ours: &str, stored: &str) -> bool {
    ours.len() == stored.len()
        && ours
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The code in an acknowledgement's link. Opening the link proves that the submitter's
/// e-mail address reaches whoever filed the case. Shaped like a tracking token, hashed under
/// its own label, so neither secret can stand in for the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailCode(TrackingToken);

impl EmailCode {
    pub fn generate() -> std::io::Result<EmailCode> {
        TrackingToken::generate().map(EmailCode)
    }

    pub fn parse(s: &str) -> Option<EmailCode> {
        TrackingToken::parse(s).map(EmailCode)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn hash(&self) -> String {
        sha256_hex(&[b"odrdesk email code\0", self.0.as_str().as_bytes()])
    }

    pub fn matches(&self, stored_hash: &str) -> bool {
        same_hash(&self.hash(), stored_hash)
    }
}

/// The six-digit SMS code that opens a consumer's cases by phone (`domain::phone_code`). It
/// is kept only as an argon2id hash (random salt) of the number and the code together, so a
/// stored hash neither reveals the code cheaply nor matches under another number.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginCode(String);

impl std::fmt::Debug for LoginCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginCode(***)")
    }
}

impl LoginCode {
    /// Six digits from the operating system's CSPRNG, uniformly.
    pub fn generate() -> std::io::Result<LoginCode> {
        loop {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
            if let Some(code) = phone_code::code_from_random(u32::from_le_bytes(bytes)) {
                return Ok(LoginCode(code));
            }
        }
    }

    pub fn parse(typed: &str) -> Option<LoginCode> {
        phone_code::parse_code(typed).map(LoginCode)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn secret(&self, phone: &Phone) -> String {
        format!("odrdesk phone code\0{}\0{}", phone.as_str(), self.0)
    }

    /// What the database keeps for this code sent to `phone`.
    pub fn hash(&self, phone: &Phone) -> std::io::Result<String> {
        hash_password(&self.secret(phone)).map_err(|e| std::io::Error::other(e.to_string()))
    }

    /// Whether this is the code whose hash for `phone` is `stored`.
    pub fn matches(&self, phone: &Phone, stored: &str) -> bool {
        verify_password(&self.secret(phone), stored)
    }
}

/// A client's `Idempotency-Key`: 1–255 visible ASCII characters (a UUID is typical).
#[derive(Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(s: &str) -> Option<IdempotencyKey> {
        (!s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_graphic()))
            .then(|| IdempotencyKey(s.to_owned()))
    }

    pub fn hash(&self) -> String {
        sha256_hex(&[b"odrdesk idempotency key\0", self.0.as_bytes()])
    }

    /// XORs `bytes` (at most 32) with a pad derived from the key.
    fn xor_pad(&self, bytes: &[u8]) -> Vec<u8> {
        let mut h = Sha256::new();
        h.update(b"odrdesk idempotency seal\0");
        h.update(self.0.as_bytes());
        let pad = h.finalize();
        bytes.iter().zip(pad).map(|(a, b)| a ^ b).collect()
    }

    /// XOR with a pad derived from the key; each key seals exactly one token. A short code
    /// is sealed as its text behind a marker, an old token as its 20 bytes, as before.
    pub fn seal(&self, token: &TrackingToken) -> String {
        if token.0.is_legacy() {
            let raw = hex::decode(token.as_str()).unwrap_or_default();
            return hex::encode(self.xor_pad(&raw));
        }
        format!(
            "{SEALED_CODE}{}",
            hex::encode(self.xor_pad(token.as_str().as_bytes()))
        )
    }

    pub fn unseal(&self, sealed: &str) -> Option<TrackingToken> {
        if let Some(code) = sealed.strip_prefix(SEALED_CODE) {
            let plain = self.xor_pad(&hex::decode(code).ok()?);
            return TrackingToken::parse(std::str::from_utf8(&plain).ok()?);
        }
        let raw = hex::decode(sealed).ok()?;
        if raw.len() != LEGACY_TOKEN_BYTES {
            return None;
        }
        TrackingToken::parse(&hex::encode(self.xor_pad(&raw)))
    }
}

/// Fingerprint of a request body, to tell a true retry from a reused key.
pub fn request_hash(body: &[u8]) -> String {
    sha256_hex(&[body])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_verify_only_themselves() {
        let a = TrackingToken::generate().unwrap();
        let b = TrackingToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 20);
        assert_eq!(TrackingToken::parse(&a.grouped()), Some(a.clone()));
        assert!(a.matches(&a.hash()));
        assert!(!b.matches(&a.hash()));
        assert_eq!(
            TrackingToken::parse(&a.as_str().to_uppercase()),
            Some(a.clone())
        );
        assert!(TrackingToken::parse("abc").is_none());
        assert!(TrackingToken::parse(&"g".repeat(40)).is_none());
    }

    #[test]
    fn an_old_token_hashes_and_seals_as_it_did() {
        let old = TrackingToken::parse("3f9a0c1d2e4b5a69788796a5b4c3d2e1f0a9b8c7").unwrap();
        // The hash stored for this token before the short codes.
        assert_eq!(
            old.hash(),
            sha256_hex(&[
                b"odrdesk tracking token\0",
                b"3f9a0c1d2e4b5a69788796a5b4c3d2e1f0a9b8c7"
            ])
        );
        let k = IdempotencyKey::parse("k").unwrap();
        assert_eq!(k.seal(&old).len(), 40);
        assert_eq!(k.unseal(&k.seal(&old)), Some(old));
    }

    #[test]
    fn an_email_code_is_not_a_tracking_token() {
        let code = EmailCode::generate().unwrap();
        let token = TrackingToken::parse(code.as_str()).unwrap();
        assert!(code.matches(&code.hash()));
        assert!(!token.matches(&code.hash()));
        assert!(
            !EmailCode::parse(token.as_str())
                .unwrap()
                .matches(&token.hash())
        );
    }

    #[test]
    fn a_login_code_is_hashed_for_its_number_only() {
        let code = LoginCode::generate().unwrap();
        assert_eq!(code.as_str().len(), 6);
        let phone: Phone = "13800138000".parse().unwrap();
        let other: Phone = "13900139000".parse().unwrap();
        let stored = code.hash(&phone).unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert_ne!(stored, code.hash(&phone).unwrap(), "salted");
        assert!(code.matches(&phone, &stored));
        assert!(!code.matches(&other, &stored));
        let wrong = format!(
            "{:06}",
            (code.as_str().parse::<u32>().unwrap() + 1) % 1_000_000
        );
        assert!(!LoginCode::parse(&wrong).unwrap().matches(&phone, &stored));
    }

    #[test]
    fn sealing_round_trips_only_with_the_same_key() {
        let t = TrackingToken::generate().unwrap();
        let k = IdempotencyKey::parse("0b6f3c1e-7d9a-4c55-9a57-1b2f3e4d5c6b").unwrap();
        let other = IdempotencyKey::parse("another-key").unwrap();
        let sealed = k.seal(&t);
        assert_ne!(sealed, t.as_str());
        assert_eq!(k.unseal(&sealed), Some(t.clone()));
        assert_ne!(other.unseal(&sealed), Some(t));
        assert!(IdempotencyKey::parse("").is_none());
        assert!(IdempotencyKey::parse("has space").is_none());
        assert!(IdempotencyKey::parse(&"x".repeat(256)).is_none());
    }
}
