//! A small SMTP client (RFC 5321) for handing messages to a mail relay:
//! EHLO, STARTTLS (RFC 3207) or implicit TLS (RFC 8314), AUTH PLAIN, MAIL
//! FROM, RCPT TO, DATA with dot-stuffing.
//!
//! When TLS is configured, nothing but EHLO and STARTTLS is said before the
//! handshake: a relay that does not offer STARTTLS, or whose certificate
//! does not verify, gets no credentials and no message.

use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::tls::Relay;
use crate::config::{MailConfig, SmtpTls};

/// Longest time one SMTP exchange may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A message to send.
#[derive(Clone, Debug)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Why a message could not be handed over.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("cannot reach the mail relay: {0}")]
    Io(#[from] std::io::Error),
    #[error("the mail relay answered `{0}`")]
    Rejected(String),
    #[error("the mail relay did not answer in time")]
    Timeout,
    #[error("no SMTP host is configured")]
    NotConfigured,
    #[error("invalid address `{0}`")]
    Address(String),
    #[error("the mail relay does not offer STARTTLS, which CRM_SMTP_TLS=starttls requires; nothing was sent")]
    StartTlsUnavailable,
    #[error("the mail relay sent data before the TLS handshake; nothing was sent")]
    Injected,
    #[error("TLS with the mail relay failed: {0}")]
    Tls(String),
}

/// Sends `message` through the configured relay.
pub async fn send(relay: &Relay, config: &MailConfig, message: &Message) -> Result<(), SmtpError> {
    tokio::time::timeout(TIMEOUT, exchange(relay, config, message))
        .await
        .map_err(|_| SmtpError::Timeout)?
}

/// The bare address inside `Name <address>`, or the text itself.
fn bare_address(text: &str) -> Result<String, SmtpError> {
    if text.contains(['\r', '\n']) {
        return Err(SmtpError::Address(text.to_owned()));
    }
    let address = match (text.find('<'), text.rfind('>')) {
        (Some(start), Some(end)) if start < end => &text[start + 1..end],
        _ => text,
    };
    let address = address.trim();
    if address.is_empty() || address.contains(['\r', '\n', '<', '>', ' ']) {
        return Err(SmtpError::Address(text.to_owned()));
    }
    Ok(address.to_owned())
}

/// Connects, protects the connection as configured and delivers.
async fn exchange(relay: &Relay, config: &MailConfig, message: &Message) -> Result<(), SmtpError> {
    let host = config
        .smtp_host
        .as_deref()
        .ok_or(SmtpError::NotConfigured)?;
    let tcp = TcpStream::connect((host, config.smtp_port)).await?;
    match config.smtp_tls {
        SmtpTls::None => {
            let mut conn = BufReader::new(tcp);
            expect(&mut conn, 220).await?;
            command(&mut conn, "EHLO crm.localdomain", 250).await?;
            deliver(&mut conn, config, message).await
        }
        SmtpTls::Implicit => {
            let mut conn = BufReader::new(relay.connect(host, tcp).await?);
            expect(&mut conn, 220).await?;
            command(&mut conn, "EHLO crm.localdomain", 250).await?;
            deliver(&mut conn, config, message).await
        }
        SmtpTls::StartTls => {
            let mut conn = BufReader::new(tcp);
            expect(&mut conn, 220).await?;
            let capabilities = command(&mut conn, "EHLO crm.localdomain", 250).await?;
            if !offers(&capabilities, "STARTTLS") {
                quit(&mut conn).await;
                return Err(SmtpError::StartTlsUnavailable);
            }
            command(&mut conn, "STARTTLS", 220).await?;
            // Anything the relay sent after its 220 would be read as if it
            // came over TLS (CVE-2011-0411): refuse it.
            if !conn.buffer().is_empty() {
                return Err(SmtpError::Injected);
            }
            let mut conn = BufReader::new(relay.connect(host, conn.into_inner()).await?);
            // Capabilities learnt before TLS are forgotten (RFC 3207 4.2).
            command(&mut conn, "EHLO crm.localdomain", 250).await?;
            deliver(&mut conn, config, message).await
        }
    }
}

/// Whether an EHLO reply lists `keyword` among its capabilities.
fn offers(reply: &[String], keyword: &str) -> bool {
    reply.iter().skip(1).any(|line| {
        line.get(4..)
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|word| word.eq_ignore_ascii_case(keyword))
    })
}

/// AUTH (when configured), MAIL, RCPT, DATA and QUIT on a greeted connection.
async fn deliver<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut BufReader<S>,
    config: &MailConfig,
    message: &Message,
) -> Result<(), SmtpError> {
    let from = bare_address(&config.from)?;
    let to = bare_address(&message.to)?;
    if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
        command(conn, &format!("AUTH PLAIN {token}"), 235).await?;
    }
    command(conn, &format!("MAIL FROM:<{from}>"), 250).await?;
    command(conn, &format!("RCPT TO:<{to}>"), 250).await?;
    command(conn, "DATA", 354).await?;
    let subject = message.subject.replace(['\r', '\n'], " ");
    let date = chrono::Utc::now().to_rfc2822();
    let mut data = format!(
        "From: {}\r\nTo: {}\r\nSubject: {subject}\r\nDate: {date}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        config.from.replace(['\r', '\n'], " "),
        message.to.replace(['\r', '\n'], " "),
    );
    for line in message.body.lines() {
        if line.starts_with('.') {
            data.push('.');
        }
        data.push_str(line);
        data.push_str("\r\n");
    }
    data.push_str(".\r\n");
    conn.write_all(data.as_bytes()).await?;
    conn.flush().await?;
    expect(conn, 250).await?;
    quit(conn).await;
    Ok(())
}

/// Says goodbye; the message is already accepted, so failures do not matter.
async fn quit<S: AsyncRead + AsyncWrite + Unpin>(conn: &mut BufReader<S>) {
    if conn.write_all(b"QUIT\r\n").await.is_ok() {
        let _ = conn.flush().await;
        let _ = expect(conn, 221).await;
    }
    let _ = conn.shutdown().await;
}

/// Sends one command line and checks the reply's code; returns the reply.
async fn command<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut BufReader<S>,
    line: &str,
    code: u16,
) -> Result<Vec<String>, SmtpError> {
    conn.write_all(format!("{line}\r\n").as_bytes()).await?;
    conn.flush().await?;
    expect(conn, code).await
}

/// Reads a (possibly multi-line) reply and checks its code.
async fn expect<S: AsyncRead + Unpin>(
    conn: &mut BufReader<S>,
    code: u16,
) -> Result<Vec<String>, SmtpError> {
    let mut reply = Vec::new();
    loop {
        let mut line = String::new();
        if conn.read_line(&mut line).await? == 0 {
            return Err(SmtpError::Rejected("connection closed".into()));
        }
        let line = line.trim_end().to_owned();
        let got: Option<u16> = line.get(..3).and_then(|c| c.parse().ok());
        if got != Some(code) {
            return Err(SmtpError::Rejected(line.chars().take(200).collect()));
        }
        let last = line.as_bytes().get(3) != Some(&b'-');
        reply.push(line);
        if last {
            return Ok(reply);
        }
        if reply.len() > 100 {
            return Err(SmtpError::Rejected("reply too long".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_taken_from_display_forms() {
        assert_eq!(
            bare_address("CRM <no-reply@acme.example>").unwrap(),
            "no-reply@acme.example"
        );
        assert_eq!(
            bare_address("ann@acme.example").unwrap(),
            "ann@acme.example"
        );
        assert!(bare_address("ann@acme.example\r\nRCPT TO:<x@y>").is_err());
    }

    #[test]
    fn starttls_is_read_from_the_capabilities_only() {
        let reply = |lines: &[&str]| lines.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>();
        assert!(offers(
            &reply(&["250-relay.example", "250-8BITMIME", "250 STARTTLS"]),
            "STARTTLS"
        ));
        assert!(offers(
            &reply(&["250-relay.example", "250-starttls", "250 SIZE 1000"]),
            "STARTTLS"
        ));
        // The greeting line names the host, not a capability.
        assert!(!offers(&reply(&["250 STARTTLS"]), "STARTTLS"));
        assert!(!offers(
            &reply(&["250-relay.example", "250 X-NOSTARTTLS"]),
            "STARTTLS"
        ));
    }
}
