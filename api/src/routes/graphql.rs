//! The GraphQL endpoint, following the GraphQL-over-HTTP specification.
//!
//! - `POST /graphql` takes `application/json`: a form post from another
//!   site cannot reach it without a CORS preflight. File uploads use the
//!   GraphQL multipart request spec (`multipart/form-data`), accepted only
//!   with `x-csrf-protection: 1` or `apollo-require-preflight: true`, headers
//!   a form cannot send, and limited to `CRM_MAX_UPLOAD_BYTES`.
//! - `GET /graphql` runs queries (never mutations: 405); opened in a browser
//!   it serves the GraphQL IDE.
//! - The response media type follows `Accept`: with
//!   `application/graphql-response+json`, requests that fail before execution
//!   get 400; with `application/json` they get 200, as the spec says.
//! - Document size, aliases, depth and complexity are checked before any
//!   resolver runs; bodies over the limit get 413.
//! - A repeated customer 360 query is answered with the response kept for
//!   it while its views' versions stand (`graphql/responses.rs`).

use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::dataloader::DataLoader;
use async_graphql::parser::types::OperationType;
use futures_util::{FutureExt, StreamExt};
use serde_json::{json, Map, Value};

use crate::auth::gate::{Admission, Refusal};
use crate::auth::ratelimit::Quota;
use crate::auth::sessions::ClientInfo;
use crate::graphql::context::RequestInfo;
use crate::graphql::customers::relations::{PrefetchedRelations, ViewsOfRequest};
use crate::graphql::documents::Refused;
use crate::graphql::loaders::{ContactsLoader, InteractionsLoader, MemberLoader, TimelineLoader};
use crate::graphql::responses::{self, RequestParts};
use crate::graphql::view_queries::answered_by_views;
use crate::startup::AppState;
use crate::tenancy::RequestTx;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// The media type the client accepts for the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Media {
    GraphqlResponseJson,
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponseJson => GRAPHQL_RESPONSE_JSON,
            Media::Json => JSON,
        }
    }

    /// Status of a well-formed request that failed before execution
    /// (syntax, validation, limits).
    fn request_error_status(self) -> StatusCode {
        match self {
            Media::GraphqlResponseJson => StatusCode::BAD_REQUEST,
            Media::Json => StatusCode::OK,
        }
    }
}

/// A GraphQL request as received, before parsing the document.
pub(crate) struct Incoming {
    query: String,
    operation_name: Option<String>,
    variables: Map<String, Value>,
    /// Files of a multipart request, referred to from `variables`.
    uploads: Vec<async_graphql::UploadValue>,
}

/// `GET /graphql`: the IDE for browsers, otherwise a query from the URL.
pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let params = match web::Query::<Map<String, Value>>::from_query(req.query_string()) {
        Ok(params) => params.into_inner(),
        Err(_) => return http_error(StatusCode::BAD_REQUEST, "the query string cannot be parsed"),
    };
    let wants_html = accepts(&req, "text/html");
    if wants_html && !params.contains_key("query") {
        return super::pages::ide();
    }
    let media = match negotiate(&req) {
        Ok(media) => media,
        Err(response) => return response,
    };
    let text = |key: &str| params.get(key).and_then(Value::as_str).map(str::to_owned);
    let Some(query) = text("query") else {
        return http_error(StatusCode::BAD_REQUEST, "the `query` parameter is missing");
    };
    let variables = match text("variables") {
        None => Map::new(),
        Some(raw) => match serde_json::from_str::<Value>(&raw) {
            Ok(Value::Object(map)) => map,
            Ok(Value::Null) => Map::new(),
            _ => return http_error(StatusCode::BAD_REQUEST, "`variables` must be a JSON object"),
        },
    };
    let incoming = Incoming {
        query,
        operation_name: text("operationName"),
        variables,
        uploads: Vec::new(),
    };
    execute(&req, &state, incoming, media, true, None).await
}

/// `POST /graphql` with an `application/json` body, or a GraphQL multipart
/// request (`multipart/form-data` with `operations`, `map` and file parts)
/// that carries a preflight-forcing header.
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let media = match negotiate(&req) {
        Ok(media) => media,
        Err(response) => return response,
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let mut admitted = None;
    let incoming = match essence.as_str() {
        "application/json" => {
            let body = match read_body(&req, payload, state.config.graphql.max_body_bytes).await {
                Ok(body) => body,
                Err(response) => return response,
            };
            match parse_body(&body) {
                Ok(incoming) => incoming,
                Err(message) => return http_error(StatusCode::BAD_REQUEST, message),
            }
        }
        "multipart/form-data" => {
            if !forces_preflight(&req) {
                return http_error(
                    StatusCode::BAD_REQUEST,
                    "a multipart request must carry the header `x-csrf-protection: 1` or \
                     `apollo-require-preflight: true`, so that browsers ask before sending it",
                );
            }
            // The caller is admitted from the headers before any of a large
            // body is read: only members and keys that may upload send one.
            let admission = match admit(&req, &state).await {
                Ok(admission) => admission,
                Err(response) => return response,
            };
            if let Err(response) = may_upload(admission.principal.as_ref()) {
                return response;
            }
            let body = match read_body(&req, payload, state.config.max_upload_bytes).await {
                Ok(body) => body,
                Err(response) => return response,
            };
            admitted = Some(admission);
            match parse_multipart(&content_type, &body, state.config.max_upload_bytes).await {
                Ok(incoming) => incoming,
                Err(message) => return http_error(StatusCode::BAD_REQUEST, message),
            }
        }
        _ => {
            return http_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the request as `Content-Type: application/json` \
                 (or `multipart/form-data` to upload files)",
            )
        }
    };
    execute(&req, &state, incoming, media, false, admitted).await
}

/// Permissions of the mutations that take a file (`importCustomers`).
const UPLOAD_PERMISSIONS: [crate::auth::Permission; 1] = [crate::auth::Permission::CustomersWrite];

/// Refuses an upload from a caller without credentials (401) or without a
/// permission any upload needs (403).
#[allow(clippy::result_large_err)]
fn may_upload(principal: Option<&crate::auth::Principal>) -> Result<(), HttpResponse> {
    match principal {
        None => Err(HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")))
            .content_type(JSON)
            .json(errors_body(
                "file uploads need an access token or API key",
                "UNAUTHENTICATED",
            ))),
        Some(p) if !UPLOAD_PERMISSIONS.iter().any(|needed| p.can(*needed)) => {
            Err(HttpResponse::Forbidden()
                .content_type(JSON)
                .json(errors_body("this caller may not upload files", "FORBIDDEN")))
        }
        Some(_) => Ok(()),
    }
}

/// Whether the request carries a header that a cross-site form cannot send
/// and that makes a browser send a CORS preflight first: the CSRF defence
/// for multipart requests, which plain forms could otherwise send.
fn forces_preflight(req: &HttpRequest) -> bool {
    let header_is = |name: &str, wanted: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
    };
    header_is("x-csrf-protection", "1") || header_is("apollo-require-preflight", "true")
}

/// Reads the whole body, or answers 413 once it passes `limit` bytes.
#[allow(clippy::result_large_err)]
async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, HttpResponse> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Err(http_error(
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
            ));
        };
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Parses a GraphQL multipart request (one operation, files put into its
/// variables as `Upload`s) with async-graphql's implementation of the spec.
async fn parse_multipart(
    content_type: &str,
    body: &[u8],
    limit: usize,
) -> Result<Incoming, String> {
    let options = async_graphql::http::MultipartOptions::default()
        .max_file_size(limit)
        .max_num_files(1);
    let request = async_graphql::http::receive_body(Some(content_type), body, options)
        .await
        .map_err(|e| format!("the multipart request cannot be read: {e}"))?;
    if request.uploads.len() > 1 {
        return Err("send one file per request".into());
    }
    let variables = match request.variables.into_value().into_json() {
        Ok(Value::Object(map)) => map,
        Ok(Value::Null) => Map::new(),
        _ => return Err("`variables` must be an object or null".into()),
    };
    Ok(Incoming {
        query: request.query,
        operation_name: request.operation_name,
        variables,
        uploads: request.uploads,
    })
}

/// `OPTIONS /graphql`: the CORS preflight. Callers authenticate with a bearer
/// token, never cookies, so any origin may call.
pub async fn preflight() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS"))
        .insert_header((
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            "authorization, content-type, accept, x-request-id, x-csrf-protection, apollo-require-preflight",
        ))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
        .finish()
}

pub(crate) fn parse_body(body: &[u8]) -> Result<Incoming, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let mut object = match value {
        Value::Object(object) => object,
        Value::Array(_) => {
            return Err("batched requests are not supported: send one operation per request".into())
        }
        _ => return Err("the body must be a JSON object with a `query`".into()),
    };
    let query = match object.remove("query") {
        Some(Value::String(query)) => query,
        None | Some(Value::Null) => return Err("the `query` field is missing".into()),
        Some(_) => return Err("`query` must be a string".into()),
    };
    let operation_name = match object.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err("`operationName` must be a string or null".into()),
    };
    let variables = match object.remove("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => return Err("`variables` must be an object or null".into()),
    };
    match object.remove("extensions") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(_) => return Err("`extensions` must be an object or null".into()),
    }
    Ok(Incoming {
        query,
        operation_name,
        variables,
        uploads: Vec::new(),
    })
}

async fn execute(
    req: &HttpRequest,
    state: &AppState,
    incoming: Incoming,
    media: Media,
    via_get: bool,
    mut admitted: Option<Admission>,
) -> HttpResponse {
    let limits = &state.config.graphql;
    let header_locale = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::i18n::Locale::from_accept_language);
    // Before the caller is known, errors follow `Accept-Language`.
    let early = |message: &str| crate::i18n::translate(message, header_locale.unwrap_or_default());
    // A repeated customer 360 query may be answered with a kept response:
    // its versions are read while the caller is admitted. Only documents
    // that parsed and passed the limits are kept, so the checks below would
    // pass again.
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let response_key = authorization
        .filter(|_| incoming.uploads.is_empty())
        .map(|authorization| {
            responses::key(&RequestParts {
                authorization,
                accept_language: req
                    .headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
                media: media.content_type(),
                query: &incoming.query,
                operation_name: incoming.operation_name.as_deref(),
                variables: &incoming.variables,
            })
        });
    if let (Some(key), Some(kept)) = (
        &response_key,
        response_key
            .as_ref()
            .and_then(|key| state.responses.get(key)),
    ) {
        let admission = match admit_reading(req, state, &kept.keys).await {
            Ok(admission) => admission,
            Err(response) => return response,
        };
        if let Some(principal) = &admission.principal {
            if kept.serves(principal, admission.lifetime.as_deref(), &admission.read) {
                state.metrics.kept_response();
                return respond(
                    StatusCode::OK,
                    kept.body.clone(),
                    media,
                    admission.quota.as_ref(),
                );
            }
        }
        state.responses.forget(key);
        admitted = Some(admission);
    }
    // Every caller is admitted (and counted against its rate limit) before
    // the document is read, so malformed or oversized documents cost
    // anonymous callers their allowance too.
    let admission = match admitted {
        Some(admission) => admission,
        None => match admit(req, state).await {
            Ok(admission) => admission,
            Err(response) => return response,
        },
    };
    let chars = incoming.query.chars().count();
    if chars > limits.max_document_chars {
        return request_error(
            media,
            early(&format!(
                "the document is {chars} characters long; the limit is {}",
                limits.max_document_chars
            )),
        );
    }
    let document = match state.documents.parse(&incoming.query, limits) {
        Ok(document) => document,
        Err(Refused::Syntax(message) | Refused::Limit(message)) => {
            return request_error(media, early(&message))
        }
    };
    if via_get && !is_query(&document, incoming.operation_name.as_deref()) {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .content_type(media.content_type())
            .json(errors_body(
                &early("only queries may be sent with GET; send mutations with POST"),
                "VALIDATION",
            ));
    }
    let Admission {
        mut principal,
        quota,
        ..
    } = admission;
    // The schema is public to partners, not to strangers: introspection
    // needs credentials.
    if principal.is_none() && crate::graphql::limits::uses_introspection(&document) {
        return HttpResponse::Unauthorized()
            .insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer"),
            ))
            .content_type(media.content_type())
            .json(errors_body(
                &early("introspection is available to signed-in members and API keys; send an Authorization header"),
                "UNAUTHENTICATED",
            ));
    }
    // Whether the response may be kept for the next identical request.
    let keepable = response_key.filter(|_| {
        principal
            .as_ref()
            .is_some_and(|p| !crate::domain::visibility::governs(p.role))
            && answered_by_views(
                &document,
                incoming.operation_name.as_deref(),
                &incoming.variables,
                limits,
            )
    });
    if let Some(p) = principal.as_mut() {
        match crate::domain::visibility::restriction_for(&state.db, p).await {
            Ok(restriction) => p.customers = restriction,
            Err(err) if err.is_failure() => return failure(err, media),
            Err(err) => {
                let err: async_graphql::Error = err.into();
                return HttpResponse::build(StatusCode::UNAUTHORIZED)
                    .content_type(JSON)
                    .json(json!({ "errors": [{ "message": err.message, "extensions": { "code": "UNAUTHENTICATED" } }] }));
            }
        }
    }

    let mut request = async_graphql::Request::new(incoming.query)
        .variables(async_graphql::Variables::from_json(Value::Object(
            incoming.variables,
        )))
        .data(state.services.clone());
    if let Some(name) = incoming.operation_name {
        request = request.operation_name(name);
    }
    // The document was parsed for the limits already: execute that parse.
    request.set_parsed_query(document);
    request.uploads = incoming.uploads;
    let read_tx = principal
        .as_ref()
        .map(|p| Arc::new(RequestTx::new(state.db.clone(), p.scope())));
    let views = ViewsOfRequest::default();
    let kept_principal = keepable.and(principal.clone());
    if let (Some(p), Some(tx)) = (&principal, &read_tx) {
        let members = MemberLoader {
            db: state.db.clone(),
            tenant_id: p.tenant_id,
        };
        request = request
            .data(tx.clone())
            // Cached for the request: many records share an owner.
            .data(DataLoader::with_cache(
                members,
                tokio::spawn,
                async_graphql::dataloader::HashMapCache::default(),
            ))
            .data(DataLoader::new(
                ContactsLoader { tx: tx.clone() },
                tokio::spawn,
            ))
            .data(DataLoader::new(
                InteractionsLoader { tx: tx.clone() },
                tokio::spawn,
            ))
            .data(views.clone())
            .data(PrefetchedRelations::default())
            .data(DataLoader::new(
                TimelineLoader { tx: tx.clone() },
                tokio::spawn,
            ));
        request = crate::graphql::sales::loaders::register(request, tx);
        request = crate::graphql::deals::loaders::register(request, tx);
        request = crate::graphql::analytics::loaders::register(request, tx);
        request = crate::graphql::service::loaders::register(request, tx);
        request = crate::graphql::marketing::loaders::register(request, tx);
    }
    let locale = Arc::new(crate::i18n::RequestLocale::new(
        header_locale,
        principal.as_ref().and_then(|p| match p.actor {
            crate::auth::Actor::User { user_id, .. } => Some(user_id),
            crate::auth::Actor::ApiKey { .. } => None,
        }),
        state.db.clone(),
    ));
    request = request.data(locale.clone()).data(RequestInfo {
        principal,
        client: client_info(req, state),
    });

    // A bug that panics must still give the client a clean INTERNAL error.
    let executed = std::panic::AssertUnwindSafe(state.schema.execute(request))
        .catch_unwind()
        .await;
    let mut response = match executed {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("a resolver panicked");
            return HttpResponse::InternalServerError()
                .content_type(media.content_type())
                .json(errors_body("internal error", "INTERNAL"));
        }
    };
    if let Some(tx) = read_tx {
        if let Err(err) = tx.finish().await {
            return failure(err, media);
        }
    }
    // Error messages in the caller's language: codes and fields stay as they are.
    if response
        .errors
        .iter()
        .any(|e| e.source::<crate::i18n::LocalizedError>().is_some())
    {
        let locale = locale.get().await;
        for error in &mut response.errors {
            if let Some(localized) = error.source::<crate::i18n::LocalizedError>() {
                error.message = localized.message(locale);
            }
        }
    }
    let without_errors = response.errors.is_empty();
    // PostgreSQL unreachable: the whole answer is a 503 the client retries,
    // whatever else the response holds.
    if let Some(unavailable) = response.errors.iter().find(|e| {
        e.extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .is_some_and(|code| *code == async_graphql::Value::from("UNAVAILABLE"))
    }) {
        return HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, "1"))
            .content_type(media.content_type())
            .json(errors_body(&unavailable.message, "UNAVAILABLE"));
    }
    let failed_before_execution = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let (status, body) = if failed_before_execution {
        let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
        if let Value::Object(map) = &mut body {
            map.remove("data");
            tag_request_errors(map);
        }
        (media.request_error_status(), serde_json::to_vec(&body))
    } else {
        // Serialised once, straight from the response.
        (StatusCode::OK, serde_json::to_vec(&response))
    };
    let body = match body {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "a response could not be serialised");
            return HttpResponse::InternalServerError()
                .content_type(media.content_type())
                .json(errors_body("internal error", "INTERNAL"));
        }
    };
    let body = web::Bytes::from(body);
    if let (Some(key), Some(principal), true) = (keepable, kept_principal, without_errors) {
        keep(state, key, principal, &views, &body);
    }
    respond(status, body, media, quota.as_ref())
}

/// The response to a request that met a server-side failure (`INTERNAL`,
/// or `UNAVAILABLE` with a `Retry-After`), with its status and code.
fn failure(err: crate::error::Error, media: Media) -> HttpResponse {
    let status = err.http_status();
    let code = err.code();
    let unavailable = matches!(err, crate::error::Error::Unavailable);
    let err: async_graphql::Error = err.into();
    let mut response = HttpResponse::build(status);
    if unavailable {
        response.insert_header((header::RETRY_AFTER, "1"));
    }
    response
        .content_type(media.content_type())
        .json(errors_body(&err.message, code))
}

/// Keeps a successful response to a query answered by views alone, with
/// the versions of the views it read.
fn keep(
    state: &AppState,
    key: responses::ResponseKey,
    principal: crate::auth::Principal,
    views: &ViewsOfRequest,
    body: &web::Bytes,
) {
    let Some((lifetime, dependencies)) = views.dependencies(&state.cache, principal.tenant_id)
    else {
        return;
    };
    let (keys, versions) = dependencies.into_iter().unzip();
    state.responses.keep(
        key,
        responses::Kept {
            principal,
            lifetime,
            keys,
            versions,
            body: body.clone(),
        },
    );
}

/// A GraphQL response with its headers.
fn respond(
    status: StatusCode,
    body: web::Bytes,
    media: Media,
    quota: Option<&Quota>,
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if let Some(quota) = quota {
        quota_headers(&mut response, quota);
    }
    response
        .content_type(media.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// Lets the request through the gate, or answers 401 / 429 with a GraphQL
/// error body. No `Authorization` header means an anonymous caller; a header
/// that does not prove a caller is a 401, never silently anonymous.
#[allow(clippy::result_large_err)]
pub(super) async fn admit(req: &HttpRequest, state: &AppState) -> Result<Admission, HttpResponse> {
    admit_reading(req, state, &[]).await
}

/// [`admit`], also reading the Redis keys `keys` in the same round trip.
#[allow(clippy::result_large_err)]
async fn admit_reading(
    req: &HttpRequest,
    state: &AppState,
    keys: &[String],
) -> Result<Admission, HttpResponse> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("invalid"));
    let ip = client_address(req, state).unwrap_or_default();
    match state
        .services
        .gate
        .admit_reading(authorization, &ip, keys)
        .await
    {
        Ok(admission) => Ok(admission),
        Err(Refusal::Unauthenticated) => Err(HttpResponse::Unauthorized()
            .insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            ))
            .content_type(JSON)
            .json(errors_body(
                "the access token or API key is missing, malformed, invalid, expired or revoked",
                "UNAUTHENTICATED",
            ))),
        Err(Refusal::Unavailable) => Err(failure(crate::error::Error::Unavailable, Media::Json)),
        Err(Refusal::RateLimited {
            retry_after_secs,
            quota,
        }) => {
            let mut response = HttpResponse::TooManyRequests();
            quota_headers(&mut response, &quota);
            Err(response
                .insert_header((header::RETRY_AFTER, retry_after_secs.to_string()))
                .content_type(JSON)
                .json(json!({ "errors": [{
                    "message": format!("rate limit exceeded; retry in {retry_after_secs} s"),
                    "extensions": { "code": "RATE_LIMITED", "retryAfter": retry_after_secs },
                }] })))
        }
    }
}

/// The caller's remaining allowance, as the IETF `RateLimit-*` fields.
pub(super) fn quota_headers(response: &mut actix_web::HttpResponseBuilder, quota: &Quota) {
    response
        .insert_header(("RateLimit-Limit", quota.limit.to_string()))
        .insert_header(("RateLimit-Remaining", quota.remaining.to_string()))
        .insert_header(("RateLimit-Reset", quota.reset_secs.to_string()));
}

/// The client's address, through the proxies the configuration trusts.
pub(super) fn client_address(req: &HttpRequest, state: &AppState) -> Option<String> {
    crate::auth::address::client_ip(
        req.peer_addr().map(|a| a.ip()),
        req.headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok()),
        &state.config.trusted_proxies,
    )
    .map(|ip| ip.to_string())
}

fn client_info(req: &HttpRequest, state: &AppState) -> ClientInfo {
    ClientInfo {
        ip: client_address(req, state),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(256).collect()),
    }
}

/// Picks the response media type from `Accept`, or answers 406.
#[allow(clippy::result_large_err)]
fn negotiate(req: &HttpRequest) -> Result<Media, HttpResponse> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(Media::Json);
    };
    let ranges: Vec<String> = accept
        .split(',')
        .filter(|range| {
            !range.split(';').skip(1).any(|p| {
                matches!(
                    p.trim().replace(' ', "").as_str(),
                    "q=0" | "q=0.0" | "q=0.00" | "q=0.000"
                )
            })
        })
        .map(|range| {
            range
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    if ranges
        .iter()
        .any(|r| r == "application/graphql-response+json")
    {
        Ok(Media::GraphqlResponseJson)
    } else if ranges
        .iter()
        .any(|r| r == "application/json" || r == "application/*" || r == "*/*")
    {
        Ok(Media::Json)
    } else {
        Err(http_error(
            StatusCode::NOT_ACCEPTABLE,
            "accept `application/graphql-response+json` or `application/json`",
        ))
    }
}

fn accepts(req: &HttpRequest, media: &str) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains(media))
}

/// Whether the operation that will run is a query (unknown names count as
/// queries here; execution then reports them).
fn is_query(
    document: &async_graphql::parser::types::ExecutableDocument,
    name: Option<&str>,
) -> bool {
    crate::graphql::documents::operation(document, name)
        .is_none_or(|op| op.ty == OperationType::Query)
}

/// Adds `extensions.code = VALIDATION` to errors raised before execution.
fn tag_request_errors(body: &mut Map<String, Value>) {
    if let Some(Value::Array(errors)) = body.get_mut("errors") {
        for error in errors.iter_mut().filter_map(Value::as_object_mut) {
            let extensions = error
                .entry("extensions")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(ext) = extensions {
                ext.entry("code")
                    .or_insert_with(|| Value::from("VALIDATION"));
            }
        }
    }
}

pub(super) fn errors_body(message: &str, code: &str) -> Value {
    json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
}

fn request_error(media: Media, message: String) -> HttpResponse {
    HttpResponse::build(media.request_error_status())
        .content_type(media.content_type())
        .json(errors_body(&message, "VALIDATION"))
}

fn http_error(status: StatusCode, message: impl AsRef<str>) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(JSON)
        .json(errors_body(message.as_ref(), "VALIDATION"))
}

fn too_large(limit: usize) -> HttpResponse {
    http_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the request body is larger than the server's limit of {limit} bytes; send less per request (split a large importOrders into several calls, keeping each order's rows in the same call)"
        ),
    )
}
