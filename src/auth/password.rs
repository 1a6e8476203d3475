//! Password hashing with argon2id, stored as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::domain::FieldError;

/// Shortest password accepted for a new account.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, so a request cannot make hashing arbitrarily expensive.
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Rules for a new password: length only (10 characters up to 1 KiB).
pub fn check_new_password(password: &str) -> Result<(), FieldError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            "password_too_short",
            format!("密码至少需要{MIN_PASSWORD_CHARS}个字符"),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(FieldError::new("password_too_long", "密码过长"));
    }
    Ok(())
}

/// Hashes with argon2id (default parameters) and a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// True when `password` matches the stored PHC string. A malformed stored hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        burn_time();
        return false;
    }
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the time of one verification, so an unknown account answers as slowly as a known one.
pub fn burn_time() {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(hash) = DUMMY.get_or_init(|| hash_password("odrdesk timing equaliser").ok()) {
        let _ = verify_password("not the password", hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password(
            "correct horse battery",
            "not a phc string"
        ));
        assert_ne!(h, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn new_passwords_need_ten_characters() {
        assert!(check_new_password("短密码123").is_err());
        assert!(check_new_password("十个汉字的密码也可以的").is_ok());
        assert!(check_new_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
    }
}
