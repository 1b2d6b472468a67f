//! The JSON-RPC connection: an alloy [`RpcClient`] over HTTP whose transport
//! counts what it sends (HTTP requests and JSON-RPC calls: a batch is one
//! request of several calls), and retries with exponential back-off within
//! a total time budget.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use alloy::rpc::client::{ClientBuilder, RpcClient};
use alloy::rpc::json_rpc::{RequestPacket, ResponsePacket};
use alloy::transports::http::{Http, reqwest};
use alloy::transports::{TransportError, TransportFut};

/// First back-off delay.
const BACKOFF_START: Duration = Duration::from_millis(200);
/// Longest back-off delay.
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// What the transport has sent so far.
#[derive(Debug, Clone, Default)]
pub struct Counter {
    requests: Arc<AtomicU64>,
    calls: Arc<AtomicU64>,
}

/// A reading of a [`Counter`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// HTTP requests (a batch counts once).
    pub requests: u64,
    /// JSON-RPC calls (each call of a batch counts).
    pub calls: u64,
}

impl Counter {
    /// Current totals.
    #[must_use]
    pub fn get(&self) -> Counts {
        Counts {
            requests: self.requests.load(Ordering::Relaxed),
            calls: self.calls.load(Ordering::Relaxed),
        }
    }
}

impl Counts {
    /// `self - earlier`, saturating.
    #[must_use]
    pub fn since(self, earlier: Self) -> Self {
        Self {
            requests: self.requests.saturating_sub(earlier.requests),
            calls: self.calls.saturating_sub(earlier.calls),
        }
    }
}

/// The HTTP transport with counting.
#[derive(Debug, Clone)]
pub struct CountingHttp {
    inner: Http<reqwest::Client>,
    counter: Counter,
}

impl tower::Service<RequestPacket> for CountingHttp {
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: RequestPacket) -> Self::Future {
        self.counter.requests.fetch_add(1, Ordering::Relaxed);
        self.counter.calls.fetch_add(
            u64::try_from(req.len()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        self.inner.call(req)
    }
}

/// An HTTP JSON-RPC client for `url` with a request counter.
#[must_use]
pub fn http_client(url: url::Url) -> (RpcClient, Counter) {
    let counter = Counter::default();
    let http = Http::with_client(
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default(),
        url,
    );
    let is_local = http.guess_local();
    let transport = CountingHttp {
        inner: http,
        counter: counter.clone(),
    };
    (
        ClientBuilder::default().transport(transport, is_local),
        counter,
    )
}

/// The RPC endpoint stayed unreachable for the whole budget.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("RPC unreachable for {what} after {attempts} attempt(s) in {secs} s: {last}")]
pub struct Unreachable {
    /// What was being done.
    pub what: String,
    /// Attempts made.
    pub attempts: u32,
    /// Seconds spent.
    pub secs: u64,
    /// The last transport error.
    pub last: String,
}

/// Either the node answered with an error (not retried: it would answer the
/// same), or the transport failed for the whole budget.
#[derive(Debug, thiserror::Error)]
pub enum RpcFailure {
    /// A JSON-RPC error response, a decode error, a null result.
    #[error("{what}: {source}")]
    Node {
        /// What was being done.
        what: String,
        /// The error.
        source: TransportError,
    },
    /// Transport errors until the budget ran out.
    #[error(transparent)]
    Unreachable(#[from] Unreachable),
}

impl RpcFailure {
    /// The node's error response, when it is one (revert data lives there).
    #[must_use]
    pub fn node_error(&self) -> Option<&TransportError> {
        match self {
            Self::Node { source, .. } => Some(source),
            Self::Unreachable(_) => None,
        }
    }
}

/// Runs `op` until it succeeds, fails with a non-transport error, or
/// `budget` is spent on transport errors (connection refused, timeouts,
/// HTTP 5xx), sleeping 200 ms, 400 ms, ... up to 5 s between attempts.
///
/// # Errors
/// [`RpcFailure::Node`] at once for an error response; [`RpcFailure::Unreachable`]
/// when the budget is spent.
pub async fn with_retry<T, F, Fut>(budget: Duration, what: &str, mut op: F) -> Result<T, RpcFailure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, TransportError>>,
{
    let start = Instant::now();
    let mut delay = BACKOFF_START;
    let mut attempts = 0u32;
    loop {
        attempts = attempts.saturating_add(1);
        match op().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_transport_error() => {
                let elapsed = start.elapsed();
                if elapsed.saturating_add(delay) > budget {
                    return Err(Unreachable {
                        what: what.to_string(),
                        attempts,
                        secs: elapsed.as_secs(),
                        last: e.to_string(),
                    }
                    .into());
                }
                tracing::warn!(what, attempt = attempts, error = %e, "RPC transport error, retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2).min(BACKOFF_MAX);
            }
            Err(source) => {
                return Err(RpcFailure::Node {
                    what: what.to_string(),
                    source,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn retry_gives_up_after_the_budget_and_counts_requests() {
        // Port 9 (discard) on loopback: nothing listens, connection refused.
        let (client, counter) = http_client("http://127.0.0.1:9".parse().unwrap());
        let start = Instant::now();
        let e = with_retry(Duration::from_millis(1_000), "eth_chainId", || {
            client.request_noparams::<alloy::primitives::U64>("eth_chainId")
        })
        .await
        .unwrap_err();
        let RpcFailure::Unreachable(u) = e else {
            panic!("not unreachable: {e}")
        };
        assert!(u.attempts >= 3, "{u:?}");
        assert!(start.elapsed() < Duration::from_secs(3));
        assert_eq!(counter.get().requests, u64::from(u.attempts));
    }
}
