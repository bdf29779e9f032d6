//! A small SMTP client (RFC 5321) for handing messages to a mail relay:
//! EHLO, optional AUTH PLAIN, MAIL FROM, RCPT TO, DATA with dot-stuffing.
//! TLS is left to the relay (run one next to the server, as is usual).

use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::config::MailConfig;

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
}

/// Sends `message` through the configured relay.
pub async fn send(config: &MailConfig, message: &Message) -> Result<(), SmtpError> {
    tokio::time::timeout(TIMEOUT, exchange(config, message))
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

async fn exchange(config: &MailConfig, message: &Message) -> Result<(), SmtpError> {
    let host = config
        .smtp_host
        .as_deref()
        .ok_or(SmtpError::NotConfigured)?;
    let from = bare_address(&config.from)?;
    let to = bare_address(&message.to)?;
    let stream = TcpStream::connect((host, config.smtp_port)).await?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);

    expect(&mut read, 220).await?;
    command(&mut write, &mut read, "EHLO crm.localdomain", 250).await?;
    if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
        command(&mut write, &mut read, &format!("AUTH PLAIN {token}"), 235).await?;
    }
    command(&mut write, &mut read, &format!("MAIL FROM:<{from}>"), 250).await?;
    command(&mut write, &mut read, &format!("RCPT TO:<{to}>"), 250).await?;
    command(&mut write, &mut read, "DATA", 354).await?;
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
    write.write_all(data.as_bytes()).await?;
    expect(&mut read, 250).await?;
    let _ = write.write_all(b"QUIT\r\n").await;
    Ok(())
}

async fn command(
    write: &mut tokio::net::tcp::OwnedWriteHalf,
    read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    line: &str,
    code: u16,
) -> Result<(), SmtpError> {
    write.write_all(format!("{line}\r\n").as_bytes()).await?;
    expect(read, code).await
}

/// Reads a (possibly multi-line) reply and checks its code.
async fn expect(
    read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    code: u16,
) -> Result<(), SmtpError> {
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await? == 0 {
            return Err(SmtpError::Rejected("connection closed".into()));
        }
        let line = line.trim_end();
        let got: Option<u16> = line.get(..3).and_then(|c| c.parse().ok());
        if got != Some(code) {
            return Err(SmtpError::Rejected(line.chars().take(200).collect()));
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
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
}
