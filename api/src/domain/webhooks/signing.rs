//! Signing secrets and signatures as the Standard Webhooks specification
//! defines them: a secret is `whsec_` and the base64 of 24 random bytes; a
//! signature is `v1,` and the base64 of HMAC-SHA256 over
//! `{webhook-id}.{webhook-timestamp}.{body}`, several separated by spaces
//! while an old secret still signs.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// What a shown secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing key: the stored form (base64 of its bytes) and the form
/// shown once to the member (`whsec_…`).
pub fn new_secret() -> (String, String) {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    let stored = STANDARD.encode(bytes);
    let shown = format!("{SECRET_PREFIX}{stored}");
    (stored, shown)
}

/// The `v1,` signature of one message with one stored key.
pub fn signature(stored_key: &str, message_id: &str, timestamp: i64, body: &[u8]) -> String {
    let key = STANDARD
        .decode(stored_key)
        .expect("stored webhook keys are base64 written by new_secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header: one signature per key that signs now.
pub fn signature_header(
    stored_keys: &[&str],
    message_id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    stored_keys
        .iter()
        .map(|key| signature(key, message_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's test vectors.
    #[test]
    fn signs_the_specification_example() {
        let key = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn new_secrets_are_shown_with_their_prefix_and_differ() {
        let (stored, shown) = new_secret();
        assert_eq!(shown, format!("whsec_{stored}"));
        assert_eq!(STANDARD.decode(&stored).unwrap().len(), 24);
        assert_ne!(new_secret().0, stored);
        let header = signature_header(&[&stored, &new_secret().0], "id", 1, b"{}");
        assert_eq!(header.split(' ').count(), 2);
        assert!(header.split(' ').all(|s| s.starts_with("v1,")));
    }
}
