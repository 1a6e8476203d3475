//! Bearer secrets: session tokens and mini-program API keys. Each is 256 random bits as hex,
//! shown to its holder once and stored only as a SHA-256 hash.

use sha2::{Digest, Sha256};

const SECRET_BYTES: usize = 32;

fn random_hex() -> std::io::Result<String> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(hex::encode(bytes))
}

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident, $domain:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(***)"))
            }
        }

        impl $name {
            pub fn generate() -> std::io::Result<$name> {
                random_hex().map($name)
            }

            /// Accepts exactly the shape `generate` produces; anything else cannot match.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                (s.len() == SECRET_BYTES * 2 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                    .then(|| $name(s.to_ascii_lowercase()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// What the database keeps.
            pub fn hash(&self) -> String {
                let mut h = Sha256::new();
                h.update($domain);
                h.update(self.0.as_bytes());
                hex::encode(h.finalize())
            }
        }
    };
}

secret!(
    /// A signed-in session of a staff user or a WeChat consumer.
    SessionToken,
    b"odrdesk session token\0"
);
secret!(
    /// A key an administrator issues to the WeChat mini-program backend.
    ApiKey,
    b"odrdesk api key\0"
);

secret!(
    /// The random part of an enterprise's API key.
    EnterpriseKeyBody,
    b"odrdesk enterprise api key\0"
);

/// An ODR business's API key: `odk_` and 64 hex characters. The prefix tells it from a
/// session token in the same `Authorization: Bearer` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseKey(EnterpriseKeyBody);

impl EnterpriseKey {
    pub const PREFIX: &'static str = "odk_";

    pub fn generate() -> std::io::Result<EnterpriseKey> {
        EnterpriseKeyBody::generate().map(EnterpriseKey)
    }

    pub fn parse(s: &str) -> Option<EnterpriseKey> {
        let body = s.trim().strip_prefix(Self::PREFIX)?;
        EnterpriseKeyBody::parse(body).map(EnterpriseKey)
    }

    /// As shown to its holder, once.
    pub fn reveal(&self) -> String {
        format!("{}{}", Self::PREFIX, self.0.as_str())
    }

    pub fn hash(&self) -> String {
        self.0.hash()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_hex_and_hashed_per_kind() {
        let a = SessionToken::generate().unwrap();
        let b = SessionToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 64);
        assert_eq!(
            SessionToken::parse(&a.as_str().to_uppercase()),
            Some(a.clone())
        );
        assert!(SessionToken::parse("abc").is_none());
        let k = ApiKey::parse(a.as_str()).unwrap();
        assert_ne!(k.hash(), a.hash());
        assert_eq!(format!("{a:?}"), "SessionToken(***)");
    }

    #[test]
    fn enterprise_keys_carry_their_prefix_and_never_pass_as_sessions() {
        let key = EnterpriseKey::generate().unwrap();
        let shown = key.reveal();
        assert!(shown.starts_with("odk_"));
        assert_eq!(EnterpriseKey::parse(&shown), Some(key.clone()));
        assert!(SessionToken::parse(&shown).is_none());
        assert!(EnterpriseKey::parse(&shown[4..]).is_none());
        assert!(!format!("{key:?}").contains(&shown[4..]));
    }
}
