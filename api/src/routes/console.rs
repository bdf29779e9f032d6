//! The web console: the built single-page app (`web/dist`) served from the
//! directory `CRM_CONSOLE_DIR` names.
//!
//! - `/assets/…`: Vite's content-hashed files, cached for a year.
//! - `/` and any other unknown `GET` that asks for HTML (a client route such
//!   as `/customers/…`): `index.html`, never cached, so a new build is seen
//!   at once.
//! - Everything else: 404.
//!
//! Pages carry a strict Content-Security-Policy: scripts only from this
//! origin, no inline scripts (Ant Design needs inline styles).

use std::path::{Component, Path, PathBuf};

use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::startup::AppState;

/// The policy of every console response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Path prefixes that belong to the API, never to the console.
const API_PREFIXES: &[&str] = &["/graphql", "/export/", "/healthz", "/readyz", "/metrics"];

/// `GET /assets/{file}`: a built, content-hashed file.
pub async fn asset(
    req: HttpRequest,
    file: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    if !reads(req.method()) {
        return method_not_allowed();
    }
    let assets = state.config.console_dir.join("assets");
    let Some(path) = contained(&assets, &file) else {
        return HttpResponse::NotFound().finish();
    };
    match web::block(move || std::fs::read(path)).await {
        Ok(Ok(body)) => HttpResponse::Ok()
            .content_type(content_type(&file))
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
            .body(body),
        _ => HttpResponse::NotFound().finish(),
    }
}

/// Every request no other route took: the console's `index.html` for
/// page loads, 404 for anything else.
pub async fn fallback(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let path = req.path();
    let is_api = API_PREFIXES.iter().any(|p| path.starts_with(p));
    if !reads(req.method()) || is_api || !(path == "/" || accepts_html(&req)) {
        return HttpResponse::NotFound().finish();
    }
    let index = state.config.console_dir.join("index.html");
    match web::block(move || std::fs::read(index)).await {
        Ok(Ok(body)) => page(HttpResponse::Ok(), body),
        _ => page(
            HttpResponse::ServiceUnavailable(),
            NOT_BUILT.replace("{dir}", &html_escape(&state.config.console_dir)),
        ),
    }
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>CRM console not built</title></head><body><h1>The web console is not built</h1>\
<p>No <code>index.html</code> in <code>{dir}</code> (<code>CRM_CONSOLE_DIR</code>). \
Build it with <code>scripts/web.sh build</code> (or <code>npm ci &amp;&amp; npm run build</code> \
in <code>web/</code>). The GraphQL API and its IDE are at <a href=\"/graphql\">/graphql</a>.</p>\
</body></html>";

fn page(
    mut builder: actix_web::HttpResponseBuilder,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    builder
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .insert_header(("Referrer-Policy", "same-origin"))
        .body(body)
}

fn reads(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, "GET, HEAD"))
        .finish()
}

fn accepts_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// `relative` under `root`, or `None` when it is not a plain relative path
/// of normal names (no `..`, no hidden files, no absolute path) or leaves
/// `root` through a link.
pub fn contained(root: &Path, relative: &str) -> Option<PathBuf> {
    if relative.is_empty() || relative.contains(['\\', '\0', '%']) {
        return None;
    }
    let rel = Path::new(relative);
    let plain = rel.components().all(|c| match c {
        Component::Normal(name) => !name.to_string_lossy().starts_with('.'),
        _ => false,
    });
    if !plain {
        return None;
    }
    let root = root.canonicalize().ok()?;
    let full = root.join(rel).canonicalize().ok()?;
    (full.starts_with(&root) && full.is_file()).then_some(full)
}

/// The media type of a built file, by its extension.
pub fn content_type(file: &str) -> &'static str {
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "wasm" => "application/wasm",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn html_escape(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_names_are_contained() {
        let dir = std::env::temp_dir().join(format!("crm-console-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/app.js"), "x").unwrap();
        assert!(contained(&dir, "sub/app.js").is_some());
        for bad in [
            "../etc/passwd",
            "sub/../../x",
            "/etc/passwd",
            ".env",
            "sub/%2e%2e",
            "",
        ] {
            assert!(contained(&dir, bad).is_none(), "{bad}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn built_files_get_their_media_types() {
        assert_eq!(
            content_type("index-Ab12.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("index-Ab12.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("x.woff2"), "font/woff2");
        assert_eq!(content_type("x"), "application/octet-stream");
    }
}
