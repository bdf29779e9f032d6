//! Stopping without failing a request. On SIGTERM the process first drains:
//! for the drain period (`CRM_SHUTDOWN_DRAIN_SECS`) it keeps serving, but
//! `/readyz` answers 503 `draining` so a load balancer stops sending it work,
//! and every response carries `Connection: close` so clients' kept-alive
//! connections move to other nodes instead of being cut under a request.
//! Then it stops accepting, lets requests in flight finish (up to 5 s) and
//! hands running background work back (`workers`). SIGINT (Ctrl-C) skips the
//! drain.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;

/// Whether this process is draining before it stops.
#[derive(Clone, Debug, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    /// Whether the drain has begun.
    pub fn is_on(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn begin(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Closes each connection after its response once the drain has begun.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let draining = req
        .app_data::<actix_web::web::Data<crate::startup::AppState>>()
        .is_some_and(|state| state.draining.is_on());
    let mut response = next.call(req).await?;
    if draining {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}

/// Stops a running application the way the signals do.
#[derive(Clone)]
pub struct Stopper {
    pub(crate) server: ServerHandle,
    pub(crate) draining: Draining,
    pub(crate) drain: Duration,
}

impl Stopper {
    /// What SIGTERM does: drain, then stop gracefully.
    pub async fn terminate(&self) {
        tracing::info!(
            drain_secs = self.drain.as_secs_f64(),
            "draining, then stopping"
        );
        self.draining.begin();
        tokio::time::sleep(self.drain).await;
        self.server.stop(true).await;
    }

    /// What SIGINT does: stop gracefully at once.
    pub async fn interrupt(&self) {
        tracing::info!("stopping");
        self.server.stop(true).await;
    }
}

/// Waits for SIGTERM or SIGINT and stops the application accordingly.
pub async fn on_signals(stopper: Stopper) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for signals; stop the process with SIGKILL");
        return;
    };
    tokio::select! {
        _ = term.recv() => stopper.terminate().await,
        _ = int.recv() => stopper.interrupt().await,
    }
}
