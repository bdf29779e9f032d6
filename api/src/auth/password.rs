//! Password hashing with Argon2id, off the async threads.

use std::sync::OnceLock;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::error::{Error, Result};

/// Whether `password` is one of the most common passwords (compared
/// case-insensitively), which guessing attacks try first.
pub fn is_common(password: &str) -> bool {
    static COMMON: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    let common = COMMON.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .collect()
    });
    common.contains(password.trim().to_lowercase().as_str())
}

/// Hashes `password` with Argon2id and a random salt (PHC string format).
pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(Error::internal)?
}

/// Checks `password` against `stored`. When there is no stored hash (unknown
/// account) a dummy hash is checked instead, so both cases take the same time
/// and the answer does not reveal whether the account exists.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = match stored {
            Some(hash) => hash,
            None => dummy_hash()?.to_owned(),
        };
        let parsed = PasswordHash::new(&stored).map_err(|e| Error::internal(HashError(e)))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
    .map_err(Error::internal)?
}

fn hash_blocking(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::internal(HashError(e)))
}

fn dummy_hash() -> Result<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let hash = hash_blocking("not a password anyone has")?;
    Ok(DUMMY.get_or_init(|| hash))
}

/// The hashing library's error, as a std error.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
struct HashError(argon2::password_hash::Error);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_recognised() {
        assert!(is_common("qwertyuiop"));
        assert!(is_common("Password123"));
        assert!(!is_common("a long passphrase nobody uses"));
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(stored.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong horse battery".into(), Some(stored))
            .await
            .unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }
}
