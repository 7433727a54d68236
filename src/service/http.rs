//! The HTTP endpoint (axum), off unless an address is configured: `GET /healthz` (JSON, 200
//! when the index is loaded and every shard connected, else 503) and `GET /metrics`
//! (Prometheus text format), plus the routes a caller merges in (the admin page, `web/`).

use std::net::SocketAddr;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::net::TcpListener;
use tracing::{info, warn};

use super::{health, metrics};

/// Why the endpoint could not start.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The address is not `host:port`.
    #[error("invalid HTTP listen address {address:?} (expected IP:PORT, e.g. 127.0.0.1:9091)")]
    Address {
        /// What was given.
        address: String,
    },
    /// The address could not be bound (in use, no permission, not local).
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// Parses an `IP:PORT` listen address (port 0 picks a free port).
pub fn parse_address(address: &str) -> Result<SocketAddr, HttpError> {
    address.trim().parse().map_err(|_| HttpError::Address {
        address: address.to_string(),
    })
}

/// The listen address: `SUMMIT_HTTP_ADDR` (when set and not empty) wins over `[http] listen`.
pub fn configured_address(listen: Option<&str>) -> Option<String> {
    std::env::var("SUMMIT_HTTP_ADDR")
        .ok()
        .filter(|a| !a.trim().is_empty())
        .or_else(|| listen.map(str::to_string))
}

/// Binds `address`, logs the bound address (`listening on 127.0.0.1:PORT`) and serves the
/// endpoint on the current runtime until the process ends. Returns the bound address.
pub async fn start(address: &str) -> Result<SocketAddr, HttpError> {
    start_with(address, Router::new()).await
}

/// [`start`] with more routes merged in (the admin page). Handlers can read the client's
/// address (`ConnectInfo<SocketAddr>`).
pub async fn start_with(address: &str, extra: Router) -> Result<SocketAddr, HttpError> {
    let address = parse_address(address)?;
    let listener = TcpListener::bind(address)
        .await
        .map_err(|source| HttpError::Bind { address, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| HttpError::Bind { address, source })?;
    info!(address = %bound, "listening on {bound}");
    tokio::spawn(async move {
        let app = router()
            .merge(extra)
            .into_make_service_with_connect_info::<SocketAddr>();
        if let Err(error) = axum::serve(listener, app).await {
            warn!(%error, "the HTTP endpoint stopped");
        }
    });
    Ok(bound)
}

/// `/healthz` and `/metrics`.
pub fn router() -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
}

async fn healthz() -> Response {
    let report = health::global().report();
    let status = if report.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report)).into_response()
}

async fn metrics_text() -> Response {
    match metrics::handle() {
        Some(handle) => {
            handle.run_upkeep();
            (
                [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                handle.render(),
            )
                .into_response()
        }
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the metrics recorder is not installed\n",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_ip_and_port() {
        assert!(parse_address("127.0.0.1:9091").is_ok());
        assert!(parse_address("[::1]:0").is_ok());
        assert_eq!(
            parse_address("localhost").unwrap_err().to_string(),
            "invalid HTTP listen address \"localhost\" (expected IP:PORT, e.g. 127.0.0.1:9091)"
        );
    }
}
