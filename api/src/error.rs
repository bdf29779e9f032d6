//! The error type shared by the domain and auth layers, and its one mapping
//! to the API's error codes.
//!
//! Clients see a stable `extensions.code` from a fixed set and, for
//! validation errors, the offending `field`. Internal details (SQL, driver
//! messages) are logged with the request id and never sent to the client.

use async_graphql::ErrorExtensions;

use crate::i18n::LocalizedError;

/// Everything that can go wrong while serving a request.
///
/// It deliberately does not implement `Display`: the only way to show it to a
/// client is the mapping below, so no error reaches a client without its code.
#[derive(Debug)]
pub enum Error {
    /// No valid credentials were presented.
    Unauthenticated(&'static str),
    /// The caller is known but lacks a permission.
    Forbidden(&'static str),
    /// The record does not exist or is not visible to the caller.
    NotFound(&'static str),
    /// An input value is invalid; `field` names it as the client spelled it.
    Validation { field: String, message: String },
    /// The write conflicts with the current state (stale version, taken key).
    Conflict {
        message: String,
        field: Option<String>,
    },
    /// Too many requests; retry after the given number of seconds.
    RateLimited { retry_after_secs: u64 },
    /// PostgreSQL cannot be reached (restarting, failing over, overloaded):
    /// the request may be sent again shortly.
    Unavailable,
    /// A failure the client cannot fix. The source is logged, never shown.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// A stored value this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown stored {0} `{1}`")]
struct UnknownStoredValue(&'static str, String);

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The same error, with a validation error's field named inside
    /// `prefix` (`stageId` becomes `deal.stageId`), for nested inputs.
    pub fn within(self, prefix: &str) -> Self {
        match self {
            Error::Validation { field, message } => Error::Validation {
                field: format!("{prefix}.{field}"),
                message,
            },
            other => other,
        }
    }

    /// A validation error on `field`.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A conflict, optionally naming the field that conflicts.
    pub fn conflict(message: impl Into<String>, field: Option<&str>) -> Self {
        Error::Conflict {
            message: message.into(),
            field: field.map(str::to_owned),
        }
    }

    /// A value read from the database that this build does not know (an
    /// enumeration's stored name): a server fault, never the caller's.
    pub fn unknown_stored(what: &'static str, value: &str) -> Self {
        Error::internal(UnknownStoredValue(what, value.to_owned()))
    }

    /// Wraps any unexpected failure.
    pub fn internal(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Internal(Box::new(source))
    }

    /// The message shown to clients.
    pub fn message(&self) -> String {
        match self {
            Error::Unauthenticated(message) => (*message).to_owned(),
            Error::Forbidden(permission) => {
                format!("this action needs the `{permission}` permission")
            }
            Error::NotFound(what) => format!("{what} not found"),
            Error::Validation { field, message } => format!("{field}: {message}"),
            Error::Conflict { message, .. } => message.clone(),
            Error::RateLimited { retry_after_secs } => {
                format!("rate limit exceeded; retry in {retry_after_secs} s")
            }
            Error::Unavailable => {
                "the database is unavailable for a moment; try again shortly".to_owned()
            }
            Error::Internal(_) => "internal error".to_owned(),
        }
    }

    /// Whether the failure is the server's, not the request's: a request
    /// that meets it stops rather than reporting it per row or field.
    pub fn is_failure(&self) -> bool {
        matches!(self, Error::Internal(_) | Error::Unavailable)
    }

    /// The HTTP status of a plain (non-GraphQL) response carrying this error.
    pub fn http_status(&self) -> actix_web::http::StatusCode {
        use actix_web::http::StatusCode;
        match self {
            Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Validation { .. } => StatusCode::BAD_REQUEST,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated(_) => "UNAUTHENTICATED",
            Error::Forbidden(_) => "FORBIDDEN",
            Error::NotFound(_) => "NOT_FOUND",
            Error::Validation { .. } => "VALIDATION",
            Error::Conflict { .. } => "CONFLICT",
            Error::RateLimited { .. } => "RATE_LIMITED",
            Error::Unavailable => "UNAVAILABLE",
            Error::Internal(_) => "INTERNAL",
        }
    }
}

/// The API field a unique key protects, by the key's name, for conflicts
/// the database reports (two writes at once that each passed the checks).
const UNIQUE_KEY_FIELDS: &[(&str, &str)] = &[
    ("tenants_slug_key", "tenantSlug"),
    ("users_email_key", "email"),
    ("teams_name_key", "name"),
    ("regions_name_key", "name"),
    ("products_sku_key", "sku"),
    ("price_lists_currency_key", "currency"),
    ("orders_external_id_key", "externalId"),
    ("customers_external_id_key", "externalId"),
    ("custom_field_definitions_key_key", "key"),
    ("pipelines_name_key", "name"),
    ("pipeline_stages_name_key", "name"),
    ("pipeline_stages_position_key", "position"),
];

/// Database failures that are the outcome of concurrent writes, not bugs:
/// the client can reload and try again.
fn concurrent_write(err: &sea_orm::DbErr) -> Option<Error> {
    use sea_orm::{sqlx, DbErr, RuntimeErr};
    let (DbErr::Exec(RuntimeErr::SqlxError(sqlx::Error::Database(db)))
    | DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::Database(db)))) = err
    else {
        return None;
    };
    let code = db.code()?;
    let constraint = db.constraint();
    let conflict = match code.as_ref() {
        // unique_violation
        "23505" => Error::Conflict {
            message: "a record with these values exists already (perhaps written at the same time); reload and try again".into(),
            field: constraint
                .and_then(|c| UNIQUE_KEY_FIELDS.iter().find(|(key, _)| *key == c))
                .map(|(_, field)| (*field).to_owned()),
        },
        // foreign_key_violation
        "23503" => Error::conflict(
            "a record this write refers to was changed or deleted at the same time; reload and try again",
            None,
        ),
        // serialization_failure, deadlock_detected, lock_not_available
        "40001" | "40P01" | "55P03" => Error::conflict(
            "the records were changed by another request at the same time; try again",
            None,
        ),
        _ => return None,
    };
    tracing::info!(sqlstate = %code, constraint, "concurrent write answered CONFLICT");
    Some(conflict)
}

/// Whether `err` says PostgreSQL could not be reached or dropped the
/// connection (a restart, a failover, a full pool), rather than refusing
/// the statement: the client may simply try again.
pub fn database_unreachable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{sqlx, DbErr, RuntimeErr};
    let sqlx_error = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        DbErr::Conn(_) => return true,
        _ => return false,
    };
    match sqlx_error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Protocol(message) => {
            message.contains("unexpected eof") || message.contains("closed")
        }
        // connection_exception (08…), admin_shutdown, crash_shutdown,
        // cannot_connect_now, too_many_connections
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

impl From<sea_orm::DbErr> for Error {
    /// Concurrent-write failures (unique and foreign keys, deadlocks,
    /// serialization failures) become `CONFLICT`; an unreachable database
    /// `UNAVAILABLE`; anything else is internal.
    fn from(err: sea_orm::DbErr) -> Self {
        if database_unreachable(&err) {
            tracing::warn!(error = %err, "postgresql unavailable");
            return Error::Unavailable;
        }
        concurrent_write(&err).unwrap_or_else(|| Error::internal(err))
    }
}

impl From<Error> for async_graphql::Error {
    fn from(err: Error) -> Self {
        if let Error::Internal(source) = &err {
            tracing::error!(error = %source, detail = ?source, "internal error");
        }
        let code = err.code();
        // The parts of the message travel with the error, so that the
        // endpoint can render it in the caller's language.
        let localized = match &err {
            Error::Unauthenticated(m) => LocalizedError::Unauthenticated((*m).to_owned()),
            Error::Forbidden(p) => LocalizedError::Forbidden((*p).to_owned()),
            Error::NotFound(what) => LocalizedError::NotFound((*what).to_owned()),
            Error::Validation { field, message } => LocalizedError::Validation {
                field: field.clone(),
                message: message.clone(),
            },
            Error::Conflict { message, .. } => LocalizedError::Conflict(message.clone()),
            Error::RateLimited { retry_after_secs } => {
                LocalizedError::RateLimited(*retry_after_secs)
            }
            Error::Unavailable => LocalizedError::Unavailable,
            Error::Internal(_) => LocalizedError::Internal,
        };
        let error = async_graphql::Error {
            message: err.message(),
            source: Some(std::sync::Arc::new(localized)),
            extensions: None,
        };
        error.extend_with(|_, ext| {
            ext.set("code", code);
            match &err {
                Error::Validation { field, .. } => ext.set("field", field.as_str()),
                Error::Conflict {
                    field: Some(field), ..
                } => ext.set("field", field.as_str()),
                Error::RateLimited { retry_after_secs } => ext.set("retryAfter", *retry_after_secs),
                Error::Forbidden(permission) => ext.set("permission", *permission),
                _ => {}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_source() {
        let err: async_graphql::Error = Error::internal(std::io::Error::other(
            "relation \"customers\" does not exist",
        ))
        .into();
        assert_eq!(err.message, "internal error");
        let ext = err.extensions.unwrap();
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("INTERNAL"))
        );
    }

    #[test]
    fn validation_errors_name_the_field() {
        let err: async_graphql::Error =
            Error::validation("email", "is not an email address").into();
        let ext = err.extensions.unwrap();
        assert_eq!(ext.get("field"), Some(&async_graphql::Value::from("email")));
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("VALIDATION"))
        );
    }
}
