//! Access tokens: short-lived JWTs with a pinned algorithm.

use std::time::Duration;

use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use std::collections::HashMap;

use super::Role;
use crate::config::JwtConfig;
use crate::error::{Error, Result};

/// The only algorithm accepted: tokens claiming any other (`none`, RS256, …) are rejected.
const ALGORITHM: Algorithm = Algorithm::HS256;
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECS: u64 = 30;

/// What an access token asserts.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: Uuid,
    tid: Uuid,
    sid: Uuid,
    role: String,
    iat: i64,
    nbf: i64,
    exp: i64,
}

/// What a verified access token proves: a session of a user in a tenant.
/// Whether the session is still live, and the role in force, are checked
/// separately on every request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionClaims {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub session_id: Uuid,
}

/// Issues access tokens with the current key and verifies them with the
/// current or any previous key, chosen by the header's key id.
pub struct TokenKeys {
    key_id: String,
    issuer: String,
    audience: String,
    ttl: Duration,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl TokenKeys {
    /// Keys and validation rules from configuration.
    pub fn new(config: &JwtConfig) -> Self {
        let mut validation = Validation::new(ALGORITHM);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        let mut decoding: HashMap<String, DecodingKey> = config
            .previous_keys
            .iter()
            .map(|(id, secret)| (id.clone(), DecodingKey::from_secret(secret)))
            .collect();
        decoding.insert(
            config.key_id.clone(),
            DecodingKey::from_secret(&config.secret),
        );
        TokenKeys {
            key_id: config.key_id.clone(),
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            ttl: config.access_token_ttl,
            encoding: EncodingKey::from_secret(&config.secret),
            decoding,
            validation,
        }
    }

    /// Lifetime of the tokens this issues.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Signs an access token for a session. The role is informational for
    /// clients; the server reads the role in force from the membership.
    pub fn issue(&self, session: &SessionClaims, role: Role) -> Result<String> {
        self.sign(session, role, &self.encoding)
    }

    /// A token shaped like those of [`TokenKeys::issue`] (same header and
    /// claims) but signed with a random key that is then forgotten, so it
    /// is refused wherever it is presented.
    pub fn issue_unusable(&self, session: &SessionClaims, role: Role) -> Result<String> {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut secret);
        self.sign(session, role, &EncodingKey::from_secret(&secret))
    }

    fn sign(&self, session: &SessionClaims, role: Role, key: &EncodingKey) -> Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: session.user_id,
            tid: session.tenant_id,
            sid: session.session_id,
            role: role.as_str().to_owned(),
            iat: now,
            nbf: now,
            exp: now + self.ttl.as_secs() as i64,
        };
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(self.key_id.clone());
        encode(&header, &claims, key).map_err(Error::internal)
    }

    /// Verifies signature, algorithm, key id, issuer, audience and lifetime,
    /// and returns the caller. Any failure is `UNAUTHENTICATED`, with no
    /// detail about which check failed.
    pub fn verify(&self, token: &str) -> Result<SessionClaims> {
        const INVALID: Error = Error::Unauthenticated("the access token is invalid or expired");
        let header = decode_header(token).map_err(|_| INVALID)?;
        if header.alg != ALGORITHM {
            return Err(INVALID);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.decoding.get(kid))
            .ok_or(INVALID)?;
        let claims = decode::<Claims>(token, key, &self.validation)
            .map_err(|_| INVALID)?
            .claims;
        Ok(SessionClaims {
            user_id: claims.sub,
            tenant_id: claims.tid,
            session_id: claims.sid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn keys(secret: &str, audience: &str) -> TokenKeys {
        keys_with(secret, "k1", Vec::new(), audience)
    }

    fn keys_with(
        secret: &str,
        key_id: &str,
        previous: Vec<(String, Vec<u8>)>,
        audience: &str,
    ) -> TokenKeys {
        TokenKeys::new(&JwtConfig {
            secret: secret.as_bytes().to_vec(),
            key_id: key_id.into(),
            previous_keys: previous,
            issuer: "crm".into(),
            audience: audience.into(),
            access_token_ttl: Duration::from_secs(60),
            refresh_token_ttl: Duration::from_secs(600),
        })
    }

    fn session() -> SessionClaims {
        SessionClaims {
            user_id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            session_id: Uuid::now_v7(),
        }
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn an_issued_token_verifies_to_the_same_caller() {
        let keys = keys(SECRET, "crm-api");
        let who = session();
        assert_eq!(
            keys.verify(&keys.issue(&who, Role::Sales).unwrap())
                .unwrap(),
            who
        );
    }

    #[test]
    fn tokens_of_the_previous_key_stay_valid_after_rotation() {
        let old = keys_with(SECRET, "k1", Vec::new(), "crm-api");
        let token = old.issue(&session(), Role::Sales).unwrap();
        let rotated = keys_with(
            "a brand new secret of enough length!!",
            "k2",
            vec![("k1".into(), SECRET.as_bytes().to_vec())],
            "crm-api",
        );
        assert!(rotated.verify(&token).is_ok());
        let forgotten = keys_with(
            "a brand new secret of enough length!!",
            "k2",
            Vec::new(),
            "crm-api",
        );
        assert!(forgotten.verify(&token).is_err());
    }

    #[test]
    fn tokens_from_another_key_or_audience_are_rejected() {
        let token = keys(SECRET, "crm-api")
            .issue(&session(), Role::Sales)
            .unwrap();
        assert!(keys("another secret that is long enough!!", "crm-api")
            .verify(&token)
            .is_err());
        assert!(keys(SECRET, "other-api").verify(&token).is_err());
    }

    #[test]
    fn unsigned_tokens_are_rejected() {
        let keys = keys(SECRET, "crm-api");
        let token = keys.issue(&session(), Role::Sales).unwrap();
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = token.split('.').nth(1).unwrap();
        let header = engine.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        assert!(keys.verify(&format!("{header}.{payload}.")).is_err());
    }
}
