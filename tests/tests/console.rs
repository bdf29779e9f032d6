//! The web console's files: `index.html` for client routes, long-cached
//! hashed assets, the Content-Security-Policy, and no way out of the
//! console's directory.

use std::path::PathBuf;

use crm_tests::TestApp;
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use reqwest::StatusCode;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
const INDEX: &str = "<!doctype html><title>console</title><script type=module src=/assets/index-abc123.js></script>";

/// A fake built console in a fresh temporary directory, with a secret
/// file next to it that must stay out of reach.
fn fake_console() -> PathBuf {
    let root = std::env::temp_dir().join(format!("crm-console-test-{}", uuid::Uuid::new_v4()));
    let dist = root.join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(dist.join("assets/index-abc123.js"), "console.log(1)").unwrap();
    std::fs::write(dist.join("assets/index-abc123.css"), "body{}").unwrap();
    std::fs::write(root.join("secret.txt"), "top secret").unwrap();
    dist
}

async fn get(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header(ACCEPT, accept)
        .send()
        .await
        .unwrap()
}

fn header(response: &reqwest::Response, name: impl reqwest::header::AsHeaderName) -> &str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test]
async fn client_routes_get_the_index_and_assets_are_cached_for_a_year() {
    let dist = fake_console();
    let dir = dist.clone();
    let app = TestApp::spawn_with(move |c| c.console_dir = dir).await;

    for path in [
        "/",
        "/customers",
        "/customers/0190-abc?tab=timeline",
        "/sign-in",
    ] {
        let page = get(&app, path, "text/html,application/xhtml+xml,*/*;q=0.8").await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&page, CONTENT_TYPE), "text/html; charset=utf-8");
        assert_eq!(header(&page, CACHE_CONTROL), "no-cache");
        assert_eq!(header(&page, "content-security-policy"), CSP);
        assert_eq!(page.text().await.unwrap(), INDEX);
    }

    let js = get(&app, "/assets/index-abc123.js", "*/*").await;
    assert_eq!(js.status(), StatusCode::OK);
    assert_eq!(header(&js, CONTENT_TYPE), "text/javascript; charset=utf-8");
    assert_eq!(
        header(&js, CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(js.text().await.unwrap(), "console.log(1)");
    let css = get(&app, "/assets/index-abc123.css", "text/css").await;
    assert_eq!(header(&css, CONTENT_TYPE), "text/css; charset=utf-8");

    // A missing asset is a 404, not the index; so is a non-HTML request
    // for an unknown path.
    assert_eq!(
        get(&app, "/assets/gone-123.js", "*/*").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/favicon.ico", "image/*").await.status(),
        StatusCode::NOT_FOUND
    );
    // The API keeps its own routes: the IDE, and 404 for unknown API paths.
    let ide = get(&app, "/graphql", "text/html").await;
    assert_eq!(ide.status(), StatusCode::OK);
    assert!(ide
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("graphiql"));
    assert_eq!(
        get(&app, "/graphql/nothing", "text/html").await.status(),
        StatusCode::NOT_FOUND
    );
    // No writes to console paths.
    let post = app
        .client
        .post(format!("{}/assets/index-abc123.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    std::fs::remove_dir_all(dist.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn paths_out_of_the_console_directory_are_refused() {
    let dist = fake_console();
    let dir = dist.clone();
    let app = TestApp::spawn_with(move |c| c.console_dir = dir).await;
    for path in [
        "/assets/../../secret.txt",
        "/assets/..%2F..%2Fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%5C..%5Csecret.txt",
        "/assets/.hidden",
        "/assets//etc/passwd",
    ] {
        // Sent as written (reqwest would normalise `..` segments).
        let url = format!("{}{path}", app.address);
        let response = app
            .client
            .get(reqwest::Url::parse(&url).unwrap_or_else(|_| panic!("{url}")))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(!body.contains("top secret"), "{path} leaked the file");
        assert_ne!(status, StatusCode::OK, "{path}");
    }
    // Raw request line, untouched by any URL normalisation.
    let address = app.address.trim_start_matches("http://").to_owned();
    let raw = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .write_all(
                b"GET /assets/../../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            )
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    })
    .await
    .unwrap();
    assert!(!raw.contains("top secret"), "{raw}");
    assert!(!raw.starts_with("HTTP/1.1 200"), "{raw}");
    std::fs::remove_dir_all(dist.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn without_a_built_console_the_root_says_how_to_build_it() {
    let missing = std::env::temp_dir().join(format!("crm-no-console-{}", uuid::Uuid::new_v4()));
    let app = TestApp::spawn_with(move |c| c.console_dir = missing).await;
    let page = get(&app, "/", "text/html").await;
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&page, "content-security-policy"), CSP);
    let body = page.text().await.unwrap();
    assert!(body.contains("scripts/web.sh build"), "{body}");
}
