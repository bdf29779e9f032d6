//! A lean HTTP/1.1 client for load generation.
//!
//! The benchmarks run the load generator on the same two cores as the
//! server, Redis and PostgreSQL, so its own cost shows in every latency. This
//! client keeps one connection per simulated client, writes each request in
//! one piece and reads the response by its `Content-Length`: what a browser
//! or an HTTP library does on a kept-alive connection, without the
//! connection pool and header maps around it.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One kept-alive connection to the server.
pub struct Connection {
    stream: TcpStream,
    host: String,
    request: Vec<u8>,
    response: Vec<u8>,
    /// The last response said `Connection: close`.
    closing: bool,
}

impl Connection {
    /// Connects to `address` (`http://host:port`).
    pub async fn open(address: &str) -> io::Result<Connection> {
        let host = address
            .strip_prefix("http://")
            .ok_or_else(|| io::Error::other("only http:// addresses"))?
            .trim_end_matches('/')
            .to_owned();
        let stream = TcpStream::connect(&host).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            host,
            request: Vec::with_capacity(4096),
            response: Vec::with_capacity(16384),
            closing: false,
        })
    }

    /// Posts the JSON `body` to `path` with the bearer `token`; the status and
    /// the whole response body.
    pub async fn post(&mut self, path: &str, token: &str, body: &[u8]) -> io::Result<(u16, &[u8])> {
        self.request.clear();
        self.request.extend_from_slice(
            format!(
                "POST {path} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {token}\r\n\
                 content-type: application/json\r\naccept: application/json\r\n\
                 content-length: {}\r\n\r\n",
                self.host,
                body.len()
            )
            .as_bytes(),
        );
        self.request.extend_from_slice(body);
        self.stream.write_all(&self.request).await?;
        self.response.clear();
        let (status, head, length) = loop {
            if self.stream.read_buf(&mut self.response).await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                ));
            }
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut parsed = httparse::Response::new(&mut headers);
            match parsed.parse(&self.response) {
                Ok(httparse::Status::Complete(head)) => {
                    let length = parsed
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                        .and_then(|h| {
                            std::str::from_utf8(h.value)
                                .ok()?
                                .trim()
                                .parse::<usize>()
                                .ok()
                        })
                        .ok_or_else(|| io::Error::other("a response without content-length"))?;
                    self.closing = parsed.headers.iter().any(|h| {
                        h.name.eq_ignore_ascii_case("connection")
                            && h.value.eq_ignore_ascii_case(b"close")
                    });
                    break (parsed.code.unwrap_or(0), head, length);
                }
                Ok(httparse::Status::Partial) => continue,
                Err(err) => return Err(io::Error::other(err)),
            }
        };
        while self.response.len() < head + length {
            if self.stream.read_buf(&mut self.response).await? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the response was cut short",
                ));
            }
        }
        Ok((status, &self.response[head..head + length]))
    }

    /// Whether another request may be sent on this connection (the server
    /// did not say it closes it).
    pub fn reusable(&self) -> bool {
        !self.closing
    }
}
