//! The signature a business checks (HMAC-SHA256), its webhook secret, and the server key that
//! seals that secret in the database. The server must sign with the secret, so it cannot keep
//! a hash of it; it keeps it encrypted instead (ChaCha20-Poly1305 from `ring`, the library
//! rustls already brings), under a key that is not in the database.

use std::path::Path;

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

const SEALED_PREFIX: &str = "v1:";

pub use crate::secrets::hmac_sha256;

/// `v1=<hex HMAC-SHA256 of "{timestamp}.{body}" under the secret>`, the value of
/// `X-Odrdesk-Signature`.
pub fn signature(secret: &WebhookSecret, timestamp: i64, body: &[u8]) -> String {
    let stamp = timestamp.to_string();
    let mac = hmac_sha256(secret.as_str().as_bytes(), &[stamp.as_bytes(), b".", body]);
    format!("v1={}", hex::encode(mac))
}

fn random<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes)
}

/// A business's signing secret: `whsec_` and 64 hex characters, shown to it once.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

impl WebhookSecret {
    pub fn generate() -> std::io::Result<WebhookSecret> {
        Ok(WebhookSecret(format!(
            "whsec_{}",
            hex::encode(random::<32>()?)
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The key that seals webhook secrets. Every node of one database must hold the same one.
#[derive(Clone)]
pub struct ServerKey {
    key: [u8; 32],
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(***)")
    }
}

impl ServerKey {
    /// From 64 hex characters.
    pub fn from_hex(text: &str) -> Option<ServerKey> {
        let raw = hex::decode(text.trim()).ok()?;
        let key: [u8; 32] = raw.try_into().ok()?;
        Some(ServerKey { key })
    }

    /// The configured key, else the one in `file`, made (readable by its owner only) when
    /// there is none yet.
    pub fn load(configured: Option<&str>, file: &Path) -> anyhow::Result<ServerKey> {
        let text = match configured {
            Some(text) => text.to_owned(),
            None if file.exists() => std::fs::read_to_string(file)?,
            None => {
                let text = hex::encode(random::<32>()?);
                write_private(file, &text)?;
                text
            }
        };
        ServerKey::from_hex(&text)
            .ok_or_else(|| anyhow::anyhow!("the server key must be 64 hex characters"))
    }

    /// `None` only if `ring` refused a 32-byte key, the length ChaCha20-Poly1305 takes.
    fn cipher(&self) -> Option<LessSafeKey> {
        UnboundKey::new(&CHACHA20_POLY1305, &self.key)
            .ok()
            .map(LessSafeKey::new)
    }

    /// `v1:` and the hex of a random nonce, the ciphertext and its tag.
    pub fn seal(&self, secret: &WebhookSecret) -> std::io::Result<String> {
        let nonce = random::<NONCE_LEN>()?;
        let mut data = secret.as_str().as_bytes().to_vec();
        self.cipher()
            .ok_or_else(|| std::io::Error::other("the server key was refused"))?
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .map_err(|_| std::io::Error::other("sealing failed"))?;
        Ok(format!(
            "{SEALED_PREFIX}{}{}",
            hex::encode(nonce),
            hex::encode(data)
        ))
    }

    /// `None` when `sealed` was not sealed by this key or was altered.
    pub fn open(&self, sealed: &str) -> Option<WebhookSecret> {
        let raw = hex::decode(sealed.strip_prefix(SEALED_PREFIX)?).ok()?;
        if raw.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = rest.to_vec();
        let plain = self
            .cipher()?
            .open_in_place(nonce, Aad::empty(), &mut data)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok().map(WebhookSecret)
    }
}

fn write_private(file: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        let mac = hmac_sha256(
            &[0xaa; 131],
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_sealed_secret_opens_only_under_its_key_and_unaltered() {
        let key = ServerKey::from_hex(&"11".repeat(32)).unwrap();
        let other = ServerKey::from_hex(&"22".repeat(32)).unwrap();
        let secret = WebhookSecret::generate().unwrap();
        let sealed = key.seal(&secret).unwrap();
        assert!(!sealed.contains(secret.as_str()));
        assert_ne!(
            sealed,
            key.seal(&secret).unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(key.open(&sealed), Some(secret.clone()));
        assert_eq!(other.open(&sealed), None);
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 40;
        altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(key.open(&String::from_utf8(altered).unwrap()), None);
        assert!(ServerKey::from_hex("abc").is_none());
    }

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        let secret = WebhookSecret("whsec_test".into());
        let sig = signature(&secret, 1_700_000_000, br#"{"a":1}"#);
        let expected = hmac_sha256(b"whsec_test", &[br#"1700000000.{"a":1}"#]);
        assert_eq!(sig, format!("v1={}", hex::encode(expected)));
        assert_ne!(sig, signature(&secret, 1_700_000_001, br#"{"a":1}"#));
    }
}
