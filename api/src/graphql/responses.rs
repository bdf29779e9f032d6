//! Whole responses to customer 360 queries, kept per server process.
//!
//! A client that shows a customer asks the same query again and again.
//! When a query reads nothing but 360 views (`view_queries.rs`), its
//! successful response is kept, with the caller it was made for and the
//! Redis versions of the views it read. The next identical request (same
//! credentials, language, media type, document, operation and variables)
//! asks Redis for those versions in the same round trip that admits the
//! caller, and gets the kept bytes only when the caller is admitted as the
//! same principal and every version still stands. Any write that changes a
//! view moves its version on (`customer_view.rs`), so a kept response is
//! never served after a write it does not show; without Redis nothing is
//! served from here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::auth::Principal;

/// How much a process keeps: response bodies, the keys they depend on and
/// a fixed allowance per entry for the rest.
const KEPT_BYTES: usize = 32 << 20;
/// What an entry costs besides its body and dependencies (the principal,
/// the digest, the map's slot).
const ENTRY_OVERHEAD: usize = 256;

/// What identifies a request's response: a digest of everything the
/// response may depend on besides the data.
pub type ResponseKey = [u8; 32];

/// The parts of a request that [`key`] digests.
pub struct RequestParts<'a> {
    pub authorization: &'a str,
    pub accept_language: Option<&'a str>,
    pub media: &'a str,
    pub query: &'a str,
    pub operation_name: Option<&'a str>,
    pub variables: &'a serde_json::Map<String, serde_json::Value>,
}

/// The key of a request's response. Each part is length-prefixed, so no two
/// different requests share the digested text.
pub fn key(parts: &RequestParts<'_>) -> ResponseKey {
    let variables = serde_json::to_string(parts.variables).unwrap_or_default();
    let mut digest = Sha256::new();
    for part in [
        parts.authorization,
        parts.accept_language.unwrap_or("\u{0}"),
        parts.media,
        parts.query,
        parts.operation_name.unwrap_or("\u{0}"),
        &variables,
    ] {
        digest.update((part.len() as u64).to_le_bytes());
        digest.update(part.as_bytes());
    }
    digest.finalize().into()
}

/// A kept response.
pub struct Kept {
    /// Who it was made for.
    pub principal: Principal,
    /// The Redis lifetime (run id) its versions were read in.
    pub lifetime: String,
    /// The Redis keys of the versions it depends on.
    pub keys: Vec<String>,
    /// Their values when it was made, in the same order.
    pub versions: Vec<String>,
    /// The response body.
    pub body: actix_web::web::Bytes,
}

impl Kept {
    /// What keeping it costs, counted against [`KEPT_BYTES`].
    fn weight(&self) -> usize {
        ENTRY_OVERHEAD
            + self.body.len()
            + self.lifetime.len()
            + self
                .keys
                .iter()
                .chain(&self.versions)
                .map(String::len)
                .sum::<usize>()
    }

    /// Whether it answers `principal`, given the Redis lifetime and the
    /// values just read for its `keys`.
    pub fn serves(
        &self,
        principal: &Principal,
        lifetime: Option<&str>,
        read: &[Option<String>],
    ) -> bool {
        *principal == self.principal
            && lifetime == Some(self.lifetime.as_str())
            && read.len() == self.versions.len()
            && self
                .versions
                .iter()
                .zip(read)
                .all(|(kept, now)| now.as_deref() == Some(kept.as_str()))
    }
}

/// The responses this process keeps.
#[derive(Default)]
pub struct Responses {
    kept: Mutex<Store>,
}

#[derive(Default)]
struct Store {
    entries: HashMap<ResponseKey, Arc<Kept>>,
    bytes: usize,
}

impl Responses {
    /// The response kept under `key`, if any (still to be checked with
    /// [`Kept::serves`]).
    pub fn get(&self, key: &ResponseKey) -> Option<Arc<Kept>> {
        self.kept.lock().ok()?.entries.get(key).cloned()
    }

    /// Keeps `kept` under `key`, replacing what was there and making room by
    /// dropping other responses.
    pub fn keep(&self, key: ResponseKey, kept: Kept) {
        let Ok(mut store) = self.kept.lock() else {
            return;
        };
        let size = kept.weight();
        if size > KEPT_BYTES / 64 {
            return;
        }
        if let Some(old) = store.entries.remove(&key) {
            store.bytes -= old.weight();
        }
        while store.bytes + size > KEPT_BYTES {
            let Some(evicted) = store.entries.keys().next().copied() else {
                break;
            };
            if let Some(old) = store.entries.remove(&evicted) {
                store.bytes -= old.weight();
            }
        }
        store.bytes += size;
        store.entries.insert(key, Arc::new(kept));
    }

    /// Forgets the response under `key` (it no longer stands).
    pub fn forget(&self, key: &ResponseKey) {
        if let Ok(mut store) = self.kept.lock() {
            if let Some(old) = store.entries.remove(key) {
                store.bytes -= old.weight();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(
        authorization: &'a str,
        query: &'a str,
        variables: &'a serde_json::Map<String, serde_json::Value>,
    ) -> RequestParts<'a> {
        RequestParts {
            authorization,
            accept_language: None,
            media: "application/json",
            query,
            operation_name: None,
            variables,
        }
    }

    fn principal(role: crate::auth::Role) -> Principal {
        Principal {
            tenant_id: uuid::Uuid::nil(),
            actor: crate::auth::Actor::User {
                user_id: uuid::Uuid::nil(),
                session_id: uuid::Uuid::nil(),
            },
            role,
            permissions: role.permissions().to_vec(),
            plan: crate::auth::ratelimit::Plan::Free,
            customers: None,
        }
    }

    fn kept(body_bytes: usize) -> Kept {
        Kept {
            principal: principal(crate::auth::Role::Owner),
            lifetime: "run1".into(),
            keys: vec!["crm:{t}:c360:c:version".into()],
            versions: vec!["17".into()],
            body: actix_web::web::Bytes::from(vec![b' '; body_bytes]),
        }
    }

    #[test]
    fn a_kept_response_serves_only_its_principal_at_the_versions_it_read() {
        let response = kept(10);
        let owner = principal(crate::auth::Role::Owner);
        let run = Some("run1");
        assert!(response.serves(&owner, run, &[Some("17".into())]));
        assert!(!response.serves(&owner, run, &[Some("18".into())]));
        assert!(!response.serves(&owner, run, &[None]));
        // Redis did not answer: nothing was read.
        assert!(!response.serves(&owner, None, &[]));
        assert!(!response.serves(
            &principal(crate::auth::Role::Viewer),
            run,
            &[Some("17".into())]
        ));
        // Another Redis lifetime (a restart, perhaps from an older snapshot
        // whose counters read "17" again).
        assert!(!response.serves(&owner, Some("run2"), &[Some("17".into())]));
    }

    #[test]
    fn small_and_large_responses_alike_stay_within_the_budget() {
        for body in [10, 10_000] {
            let responses = Responses::default();
            let entries = KEPT_BYTES / (body + ENTRY_OVERHEAD) + 100;
            for n in 0..entries {
                let mut key = [0u8; 32];
                key[..8].copy_from_slice(&(n as u64).to_le_bytes());
                responses.keep(key, kept(body));
            }
            let store = responses.kept.lock().unwrap();
            assert!(store.bytes <= KEPT_BYTES, "{} bytes kept", store.bytes);
            assert!(store.entries.len() < entries);
            assert_eq!(
                store.bytes,
                store.entries.values().map(|k| k.weight()).sum::<usize>()
            );
        }
    }

    #[test]
    fn keys_differ_with_any_part_and_parts_cannot_run_into_each_other() {
        let none = serde_json::Map::new();
        let mut one = serde_json::Map::new();
        one.insert("id".into(), "a".into());
        let base = key(&parts("Bearer x", "{ a }", &none));
        assert_eq!(base, key(&parts("Bearer x", "{ a }", &none)));
        assert_ne!(base, key(&parts("Bearer y", "{ a }", &none)));
        assert_ne!(base, key(&parts("Bearer x", "{ b }", &none)));
        assert_ne!(base, key(&parts("Bearer x", "{ a }", &one)));
        // Moving text from one part to the next changes the key.
        assert_ne!(
            key(&parts("Bearer x{", " a }", &none)),
            key(&parts("Bearer x", "{ a }", &none))
        );
    }
}
