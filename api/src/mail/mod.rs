//! Outgoing mail: the SMTP client and the TLS it speaks to the relay.

pub mod smtp;
pub mod tls;
