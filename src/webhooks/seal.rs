//! HMAC-SHA256 (RFC 2104), the signature a business checks, its webhook secret, and the
//! server key that seals that secret in the database. The server must sign with the secret,
//! so it cannot keep a hash of it; it keeps it encrypted instead (encrypt-then-MAC, with
//! HMAC-SHA256 as the keystream and as the tag), under a key that is not in the database.

use std::path::Path;

use sha2::{Digest, Sha256};

const BLOCK: usize = 64;
const SEALED_PREFIX: &str = "v1:";
const NONCE_BYTES: usize = 16;
const TAG_BYTES: usize = 32;

/// HMAC-SHA256 of the concatenated `parts` under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// `v1=<hex HMAC-SHA256 of "{timestamp}.{body}" under the secret>`, the value of
/// `X-Odrdesk-Signature`.
pub fn signature(secret: &WebhookSecret, timestamp: i64, body: &[u8]) -> String {
    let stamp = timestamp.to_string();
    let mac = hmac_sha256(secret.as_str().as_bytes(), &[stamp.as_bytes(), b".", body]);
    format!("v1={}", hex::encode(mac))
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    enc: [u8; 32],
    mac: [u8; 32],
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
        Some(ServerKey {
            enc: hmac_sha256(&key, &[b"odrdesk seal: encrypt"]),
            mac: hmac_sha256(&key, &[b"odrdesk seal: authenticate"]),
        })
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

    fn keystream_xor(&self, nonce: &[u8], data: &[u8]) -> Vec<u8> {
        data.chunks(32)
            .enumerate()
            .flat_map(|(i, chunk)| {
                let counter = u32::try_from(i).unwrap_or(u32::MAX).to_be_bytes();
                let pad = hmac_sha256(&self.enc, &[nonce, &counter]);
                chunk
                    .iter()
                    .zip(pad)
                    .map(|(a, b)| a ^ b)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    pub fn seal(&self, secret: &WebhookSecret) -> std::io::Result<String> {
        let nonce = random::<NONCE_BYTES>()?;
        let cipher = self.keystream_xor(&nonce, secret.as_str().as_bytes());
        let tag = hmac_sha256(&self.mac, &[&nonce, &cipher]);
        Ok(format!(
            "{SEALED_PREFIX}{}{}{}",
            hex::encode(nonce),
            hex::encode(&cipher),
            hex::encode(tag)
        ))
    }

    /// `None` when `sealed` was not sealed by this key or was altered.
    pub fn open(&self, sealed: &str) -> Option<WebhookSecret> {
        let raw = hex::decode(sealed.strip_prefix(SEALED_PREFIX)?).ok()?;
        if raw.len() < NONCE_BYTES + TAG_BYTES {
            return None;
        }
        let (nonce, rest) = raw.split_at(NONCE_BYTES);
        let (cipher, tag) = rest.split_at(rest.len() - TAG_BYTES);
        if !same_bytes(&hmac_sha256(&self.mac, &[nonce, cipher]), tag) {
            return None;
        }
        let plain = self.keystream_xor(nonce, cipher);
        String::from_utf8(plain).ok().map(WebhookSecret)
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
