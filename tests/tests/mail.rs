//! Outgoing mail: queued without a relay (printed only in development),
//! and handed to the relay over TLS (STARTTLS or implicit), never in clear
//! when TLS is required. The relay here is a small SMTP server with a
//! certificate made at test time.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crm_api::config::SmtpTls;
use crm_tests::{TestApp, TestTenant};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const INVITE: &str =
    "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } } }";

/// What one connection to the relay carried.
#[derive(Debug, Default)]
struct Session {
    /// Whether the message (if any) came over TLS.
    tls: bool,
    /// The verbs in the order they came (`EHLO`, `STARTTLS`, `MAIL`, …).
    verbs: Vec<String>,
    auth: Option<String>,
    recipient: Option<String>,
    data: String,
}

/// How the relay protects its connections.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RelayTls {
    /// Offers STARTTLS after EHLO.
    StartTls,
    /// TLS from the first byte.
    Implicit,
    /// No TLS at all.
    Plain,
}

/// A local relay and the CA file that makes its certificate trusted.
struct Relay {
    port: u16,
    ca_file: PathBuf,
    sessions: mpsc::UnboundedReceiver<Session>,
}

impl Relay {
    /// The next finished connection.
    async fn next(&mut self) -> Session {
        tokio::time::timeout(Duration::from_secs(20), self.sessions.recv())
            .await
            .expect("the relay was contacted")
            .expect("relay running")
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Starts a relay for `localhost` with a certificate signed by a CA made now.
async fn relay(mode: RelayTls) -> Relay {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let ca_file = std::env::temp_dir().join(format!("crm-test-ca-{}.pem", uuid::Uuid::new_v4()));
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let server = rustls::ServerConfig::builder_with_provider(crm_api::mail::tls::crypto_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, sessions) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut session = Session::default();
                let stream: Box<dyn Io> = if mode == RelayTls::Implicit {
                    match acceptor.accept(stream).await {
                        Ok(stream) => {
                            session.tls = true;
                            Box::new(stream)
                        }
                        // The client refused the handshake.
                        Err(_) => {
                            let _ = tx.send(session);
                            return;
                        }
                    }
                } else {
                    Box::new(stream)
                };
                serve(BufReader::new(stream), mode, &acceptor, &mut session).await;
                let _ = tx.send(session);
            });
        }
    });
    Relay {
        port,
        ca_file,
        sessions,
    }
}

async fn reply(conn: &mut BufReader<Box<dyn Io>>, text: &[u8]) {
    conn.write_all(text).await.unwrap();
    conn.flush().await.unwrap();
}

/// Speaks enough SMTP to take one message.
async fn serve(
    mut conn: BufReader<Box<dyn Io>>,
    mode: RelayTls,
    acceptor: &tokio_rustls::TlsAcceptor,
    session: &mut Session,
) {
    reply(&mut conn, b"220 relay ready\r\n").await;
    let mut in_data = false;
    loop {
        let mut line = String::new();
        match conn.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if in_data {
            if line == ".\r\n" {
                in_data = false;
                reply(&mut conn, b"250 queued\r\n").await;
            } else {
                session.data.push_str(&line);
            }
            continue;
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        session.verbs.push(verb.clone());
        match verb.as_str() {
            "EHLO" if mode == RelayTls::StartTls && !session.tls => {
                reply(&mut conn, b"250-relay\r\n250-STARTTLS\r\n250 8BITMIME\r\n").await
            }
            "EHLO" => {
                reply(
                    &mut conn,
                    b"250-relay\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n",
                )
                .await
            }
            "STARTTLS" if mode == RelayTls::StartTls && !session.tls => {
                reply(&mut conn, b"220 go ahead\r\n").await;
                let plain = conn.into_inner();
                match acceptor.accept(plain).await {
                    Ok(upgraded) => conn = BufReader::new(Box::new(upgraded)),
                    // The client refused the handshake (an untrusted certificate).
                    Err(_) => return,
                }
                session.tls = true;
            }
            "AUTH" => {
                session.auth = Some(line.trim().to_owned());
                reply(&mut conn, b"235 welcome\r\n").await;
            }
            "MAIL" => reply(&mut conn, b"250 ok\r\n").await,
            "RCPT" => {
                session.recipient = Some(line.trim().to_owned());
                reply(&mut conn, b"250 ok\r\n").await;
            }
            "DATA" => {
                in_data = true;
                reply(&mut conn, b"354 go ahead\r\n").await;
            }
            "QUIT" => {
                reply(&mut conn, b"221 bye\r\n").await;
                return;
            }
            _ => reply(&mut conn, b"502 not implemented\r\n").await,
        }
    }
}

/// A server whose mail goes to `relay` with `tls`, trusting the relay's CA.
async fn app_with_relay(relay: &Relay, tls: SmtpTls) -> TestApp {
    let (port, ca_file) = (relay.port, relay.ca_file.clone());
    TestApp::spawn_with(move |c| {
        c.mail.smtp_host = Some("localhost".into());
        c.mail.smtp_port = port;
        c.mail.smtp_tls = tls;
        c.mail.smtp_ca_file = Some(ca_file);
        c.mail.smtp_username = Some("crm".into());
        c.mail.smtp_password = Some("relay secret".into());
        c.public_url = "https://crm.example".into();
    })
    .await
}

async fn invite(app: &TestApp, owner: &TestTenant, email: &str) {
    let body = app
        .gql_as(
            owner,
            INVITE,
            json!({ "input": { "email": email, "role": "SERVICE" } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

/// The outgoing messages of `owner`'s workspace (status, attempts, error).
async fn messages(app: &TestApp, owner: &TestTenant) -> Vec<Value> {
    let body = app
        .gql_as(
            owner,
            "{ outboundMessages { edges { node { recipient status attempts lastError } } } }",
            json!({}),
        )
        .await;
    body["data"]["outboundMessages"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("outboundMessages failed: {body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn readyz(app: &TestApp) -> Value {
    app.client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn assert_invitation_over_tls(session: &Session) {
    assert!(session.tls, "the message came in clear: {session:?}");
    assert_eq!(
        session.recipient.as_deref(),
        Some("RCPT TO:<new@acme.example>")
    );
    assert!(
        session
            .data
            .contains("https://crm.example/invitations/accept?token=crm_inv_"),
        "{}",
        session.data
    );
}

#[tokio::test]
async fn without_a_relay_messages_stay_queued_and_readyz_says_so() {
    let app = TestApp::spawn().await;
    let acme = app.sign_up("acme").await;
    invite(&app, &acme, "new@acme.example").await;
    // Several delivery rounds (every 2 s) pass.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let queued = messages(&app, &acme).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["status"], "pending", "{queued:?}");
    assert_eq!(queued[0]["attempts"], 0, "{queued:?}");
    let ready = readyz(&app).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    assert_eq!(ready["mail"]["relay"], false, "{ready}");
    assert_eq!(ready["mail"]["waiting"], 1, "{ready}");
    assert_eq!(
        ready["mail"]["status"], "no relay configured, 1 message waiting",
        "{ready}"
    );
}

#[tokio::test]
async fn development_mode_prints_messages() {
    let app = TestApp::spawn_with(|c| c.mail.print = true).await;
    let acme = app.sign_up("acme").await;
    invite(&app, &acme, "new@acme.example").await;
    let mut status = Value::Null;
    for _ in 0..50 {
        status = messages(&app, &acme).await[0]["status"].clone();
        if status == "printed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "printed");
    assert_eq!(readyz(&app).await["mail"]["relay"], false);
}

#[tokio::test]
async fn invitations_travel_over_starttls_with_credentials_inside_tls() {
    let mut relay = relay(RelayTls::StartTls).await;
    let app = app_with_relay(&relay, SmtpTls::StartTls).await;
    let acme = app.sign_up("acme").await;
    invite(&app, &acme, "new@acme.example").await;
    let session = relay.next().await;
    assert_invitation_over_tls(&session);
    let starttls = session.verbs.iter().position(|v| v == "STARTTLS");
    let auth = session.verbs.iter().position(|v| v == "AUTH");
    assert!(
        starttls.is_some() && starttls < auth,
        "credentials only after the upgrade: {:?}",
        session.verbs
    );
    // AUTH PLAIN carries "\0user\0password".
    use base64::Engine;
    let token = base64::engine::general_purpose::STANDARD.encode("\0crm\0relay secret");
    assert_eq!(
        session.auth.as_deref(),
        Some(format!("AUTH PLAIN {token}").as_str())
    );
    let mut status = Value::Null;
    for _ in 0..50 {
        status = messages(&app, &acme).await[0]["status"].clone();
        if status == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "sent");
    let ready = readyz(&app).await;
    assert_eq!(ready["mail"]["relay"], true, "{ready}");
}

#[tokio::test]
async fn invitations_travel_over_implicit_tls() {
    let mut relay = relay(RelayTls::Implicit).await;
    let app = app_with_relay(&relay, SmtpTls::Implicit).await;
    let acme = app.sign_up("acme").await;
    invite(&app, &acme, "new@acme.example").await;
    let session = relay.next().await;
    assert_invitation_over_tls(&session);
    assert!(session.auth.is_some());
}

#[tokio::test]
async fn a_relay_without_starttls_is_refused_and_the_message_stays_queued() {
    let mut relay = relay(RelayTls::Plain).await;
    let app = app_with_relay(&relay, SmtpTls::StartTls).await;
    let acme = app.sign_up("acme").await;
    invite(&app, &acme, "new@acme.example").await;
    let session = relay.next().await;
    for verb in ["AUTH", "MAIL", "RCPT", "DATA"] {
        assert!(
            !session.verbs.iter().any(|v| v == verb),
            "{verb} was sent in clear: {:?}",
            session.verbs
        );
    }
    assert!(session.data.is_empty());
    let mut queued = Vec::new();
    for _ in 0..50 {
        queued = messages(&app, &acme).await;
        if !queued[0]["lastError"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(queued[0]["status"], "pending", "{queued:?}");
    let error = queued[0]["lastError"].as_str().unwrap_or_default();
    assert!(error.contains("STARTTLS"), "{queued:?}");
}

#[tokio::test]
async fn a_relay_with_an_untrusted_certificate_is_refused() {
    let mut relay = relay(RelayTls::StartTls).await;
    let port = relay.port;
    // No CA file: the built-in roots do not know the relay's authority.
    let app = TestApp::spawn_with(move |c| {
        c.mail.smtp_host = Some("localhost".into());
        c.mail.smtp_port = port;
        c.mail.smtp_tls = SmtpTls::StartTls;
    })
    .await;
    let acme = app.sign_up("acme").await;
    invite(&app, &acme, "new@acme.example").await;
    let session = relay.next().await;
    assert!(!session.tls, "{session:?}");
    assert!(!session.verbs.iter().any(|v| v == "MAIL"), "{session:?}");
    let mut queued = Vec::new();
    for _ in 0..50 {
        queued = messages(&app, &acme).await;
        if !queued[0]["lastError"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(queued[0]["status"], "pending", "{queued:?}");
    let error = queued[0]["lastError"].as_str().unwrap_or_default();
    assert!(error.contains("TLS"), "{queued:?}");
}
