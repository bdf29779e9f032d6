//! The one typed configuration of the server, read from the environment.
//!
//! This is the only module that reads environment variables. Every setting has
//! a documented default (see README.md) except the secrets and the database
//! URL, which have to be given.

use std::time::Duration;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Signing and validation settings of access tokens.
#[derive(Clone)]
pub struct JwtConfig {
    /// HMAC-SHA256 key; at least 32 bytes.
    pub secret: Vec<u8>,
    /// Key id written to the token header, so keys can be rotated later.
    pub key_id: String,
    pub issuer: String,
    pub audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
}

impl std::fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtConfig")
            .field("secret", &"<redacted>")
            .field("key_id", &self.key_id)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .finish()
    }
}

/// Limits applied to every GraphQL request before any resolver runs.
#[derive(Clone, Debug)]
pub struct GraphqlLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_document_chars: usize,
    pub max_body_bytes: usize,
    pub default_page_size: u64,
    pub max_page_size: u64,
}

/// The whole server configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address the HTTP server binds, `host:port`.
    pub listen: String,
    /// Connection URL as the server's non-owner role.
    pub database_url: String,
    /// Connection URL as the owner role, used by `crm migrate`.
    pub database_owner_url: Option<String>,
    pub database_max_connections: u32,
    pub redis_url: String,
    pub jwt: JwtConfig,
    pub graphql: GraphqlLimits,
    pub log_format: LogFormat,
}

/// A setting that is missing or cannot be parsed.
#[derive(Debug, thiserror::Error)]
#[error("configuration {name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads the configuration through `lookup`, so tests can supply values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get =
            |name: &'static str, default: &str| lookup(name).unwrap_or_else(|| default.into());
        let required = |name: &'static str, hint: &str| {
            lookup(name).ok_or_else(|| ConfigError {
                name,
                reason: format!("is not set; {hint}"),
            })
        };
        let secret = required(
            "CRM_JWT_SECRET",
            "set it to a random string of at least 32 characters (scripts/services.sh generates one)",
        )?;
        if secret.len() < 32 {
            return Err(ConfigError {
                name: "CRM_JWT_SECRET",
                reason: "must be at least 32 characters long".into(),
            });
        }
        let log_format = match get("CRM_LOG_FORMAT", "pretty").as_str() {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError {
                    name: "CRM_LOG_FORMAT",
                    reason: format!("must be `pretty` or `json`, not `{other}`"),
                })
            }
        };
        Ok(Config {
            listen: get("CRM_LISTEN", "127.0.0.1:8080"),
            database_url: required(
                "DATABASE_URL",
                "run scripts/run.sh, or point it at PostgreSQL as the server role",
            )?,
            database_owner_url: lookup("DATABASE_OWNER_URL"),
            database_max_connections: number(&lookup, "CRM_DB_MAX_CONNECTIONS", 20)?,
            redis_url: get("REDIS_URL", "redis://127.0.0.1:56379/"),
            jwt: JwtConfig {
                secret: secret.into_bytes(),
                key_id: get("CRM_JWT_KEY_ID", "k1"),
                issuer: get("CRM_JWT_ISSUER", "crm"),
                audience: get("CRM_JWT_AUDIENCE", "crm-api"),
                access_token_ttl: Duration::from_secs(number(
                    &lookup,
                    "CRM_ACCESS_TOKEN_TTL_SECS",
                    900,
                )?),
                refresh_token_ttl: Duration::from_secs(number(
                    &lookup,
                    "CRM_REFRESH_TOKEN_TTL_SECS",
                    30 * 24 * 3600,
                )?),
            },
            graphql: GraphqlLimits {
                max_depth: number(&lookup, "CRM_GRAPHQL_MAX_DEPTH", 10)?,
                max_complexity: number(&lookup, "CRM_GRAPHQL_MAX_COMPLEXITY", 5000)?,
                max_aliases: number(&lookup, "CRM_GRAPHQL_MAX_ALIASES", 15)?,
                max_document_chars: number(&lookup, "CRM_GRAPHQL_MAX_DOCUMENT_CHARS", 15_000)?,
                max_body_bytes: number(&lookup, "CRM_MAX_BODY_BYTES", 1024 * 1024)?,
                default_page_size: number(&lookup, "CRM_DEFAULT_PAGE_SIZE", 20)?,
                max_page_size: number(&lookup, "CRM_MAX_PAGE_SIZE", 100)?,
            },
            log_format,
        })
    }
}

/// The URL `crm migrate` connects with: `DATABASE_OWNER_URL`, else `DATABASE_URL`.
pub fn migration_database_url() -> Result<String, ConfigError> {
    let get = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    get("DATABASE_OWNER_URL")
        .or_else(|| get("DATABASE_URL"))
        .ok_or(ConfigError {
            name: "DATABASE_OWNER_URL",
            reason: "is not set (nor DATABASE_URL); migrations run as the owner role".into(),
        })
}

/// The log format alone, for commands that need no other setting.
pub fn log_format_from_env() -> LogFormat {
    match std::env::var("CRM_LOG_FORMAT").as_deref() {
        Ok("json") => LogFormat::Json,
        _ => LogFormat::Pretty,
    }
}

fn number<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| ConfigError {
            name,
            reason: format!("`{raw}` is not a valid non-negative number"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_apply_when_only_required_values_are_given() {
        let config = Config::from_lookup(lookup(&[
            ("DATABASE_URL", "postgres://x"),
            ("CRM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ]))
        .unwrap();
        assert_eq!(config.listen, "127.0.0.1:8080");
        assert_eq!(config.graphql.max_depth, 10);
        assert_eq!(config.graphql.max_complexity, 5000);
        assert_eq!(config.jwt.access_token_ttl, Duration::from_secs(900));
    }

    #[test]
    fn a_short_secret_or_bad_number_names_the_variable() {
        let err = Config::from_lookup(lookup(&[
            ("DATABASE_URL", "x"),
            ("CRM_JWT_SECRET", "short"),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "CRM_JWT_SECRET");
        let err = Config::from_lookup(lookup(&[
            ("DATABASE_URL", "x"),
            ("CRM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("CRM_GRAPHQL_MAX_DEPTH", "ten"),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "CRM_GRAPHQL_MAX_DEPTH");
    }
}
