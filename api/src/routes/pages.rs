//! Pages served by the binary itself: the GraphQL IDE (GraphiQL) and the
//! invitation page, from files built in so they work without reaching any
//! outside site.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

/// The Content-Security-Policy of every page the server serves: scripts and
/// everything else only from this origin (no inline scripts), inline styles
/// allowed (the IDE sets them), never framed by another site.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// A page's response with the headers every page carries.
fn page(body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(body)
}

/// The GraphQL IDE page.
pub fn ide() -> HttpResponse {
    page(include_str!("../../assets/graphiql/index.html"))
}

/// `GET /invitations/accept?token=…`: the page an invitation link opens; it
/// calls `acceptInvitation` with the token from the link.
pub async fn accept_invitation() -> HttpResponse {
    let mut response = page(include_str!("../../assets/pages/accept-invitation.html"));
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// `GET /invitations/accept-invitation.js`: the invitation page's script.
pub async fn accept_invitation_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../assets/pages/accept-invitation.js"))
}

/// `GET /graphql/assets/{file}`: the IDE's scripts and styles.
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    let (body, content_type): (&'static [u8], &str) = match file.as_str() {
        "graphiql.min.js" => (
            include_bytes!("../../assets/graphiql/graphiql.min.js"),
            "text/javascript; charset=utf-8",
        ),
        "graphiql.min.css" => (
            include_bytes!("../../assets/graphiql/graphiql.min.css"),
            "text/css; charset=utf-8",
        ),
        "react.production.min.js" => (
            include_bytes!("../../assets/graphiql/react.production.min.js"),
            "text/javascript; charset=utf-8",
        ),
        "ide.js" => (
            include_bytes!("../../assets/graphiql/ide.js"),
            "text/javascript; charset=utf-8",
        ),
        "react-dom.production.min.js" => (
            include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body)
}
