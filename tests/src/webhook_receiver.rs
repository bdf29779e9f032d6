//! A local HTTP server that receives webhooks for the tests and the
//! benchmark: it records every request (headers, body, arrival time) and
//! answers as the test tells it (accept, fail with a status, or stall).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

/// How the receiver answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// 200 with a short body.
    Accept,
    /// This status, with a short body.
    Status(u16),
    /// Wait this long, then 200 (longer than the sender's timeout: a timeout).
    Stall(Duration),
}

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook bodies are JSON")
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct State {
    received: Mutex<Vec<Received>>,
    /// Answers to give next, in order; `then` once they are used up.
    script: Mutex<(Vec<Answer>, Option<Answer>)>,
}

/// A running receiver on `127.0.0.1`.
#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:<port>/hook`.
    pub url: String,
    pub port: u16,
    state: Arc<State>,
}

async fn hook(req: HttpRequest, body: web::Bytes, state: web::Data<Arc<State>>) -> HttpResponse {
    let mut headers = HeaderMap::new();
    for (name, value) in req.headers() {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.append(name, value);
        }
    }
    let answer = {
        let mut script = state.script.lock().unwrap();
        if script.0.is_empty() {
            script.1.unwrap_or(Answer::Accept)
        } else {
            script.0.remove(0)
        }
    };
    state.received.lock().unwrap().push(Received {
        headers,
        body: body.to_vec(),
        at: Instant::now(),
    });
    match answer {
        Answer::Accept => HttpResponse::Ok().body("thanks"),
        Answer::Status(code) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap())
                .body(format!("answered {code}"))
        }
        Answer::Stall(wait) => {
            tokio::time::sleep(wait).await;
            HttpResponse::Ok().body("late")
        }
    }
}

impl Receiver {
    /// Starts a receiver that accepts everything.
    pub async fn start() -> Receiver {
        let state = Arc::new(State::default());
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(1 << 20))
                .route("/hook", web::post().to(hook))
        })
        .workers(2)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .expect("bind the receiver");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            port,
            state,
        }
    }

    /// Answers `first` to the next requests in order, then `then`.
    pub fn script(&self, first: Vec<Answer>, then: Answer) {
        *self.state.script.lock().unwrap() = (first, Some(then));
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// Forgets what was received.
    pub fn clear(&self) {
        self.state.received.lock().unwrap().clear();
    }

    /// Waits until `done` holds for what was received (panics after `limit`).
    pub async fn wait_until(
        &self,
        limit: Duration,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            if start.elapsed() > limit {
                panic!(
                    "{what}: not within {limit:?}; received {} requests: {:?}",
                    received.len(),
                    received
                        .iter()
                        .map(|r| String::from_utf8_lossy(&r.body)
                            .chars()
                            .take(200)
                            .collect::<String>())
                        .collect::<Vec<_>>()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
