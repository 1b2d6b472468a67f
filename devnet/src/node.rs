//! The node: JSON-RPC over HTTP (hyper 1) in front of a chain that runs on
//! its own thread. Requests from any number of connections are executed one
//! at a time, in arrival order.

use std::{
    convert::Infallible,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::mpsc,
    thread,
};

use http_body_util::{BodyExt, Full, Limited};
use hyper::{
    Method, Request, Response, StatusCode,
    body::{Bytes, Incoming},
    header,
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use crate::{
    accounts::DevAccount,
    chain::{Chain, ChainConfig},
    rpc,
};

/// Port of a Nitro dev node, used by default.
pub const DEFAULT_PORT: u16 = 8547;
/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Stack of the chain thread (nested program calls recurse on it).
const CHAIN_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Settings of a node.
#[derive(Debug, Clone)]
pub struct Config {
    /// Interface to listen on (127.0.0.1 by default).
    pub host: IpAddr,
    /// Port (8547 by default; 0 picks a free one).
    pub port: u16,
    /// The chain.
    pub chain: ChainConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            chain: ChainConfig::default(),
        }
    }
}

/// Why a node could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
    /// The chain could not start (mnemonic, state file).
    #[error(transparent)]
    Chain(#[from] crate::chain::ChainError),
    /// The chain thread stopped unexpectedly.
    #[error("the chain thread stopped: {0}")]
    Stopped(String),
    /// Saving the state file at shutdown failed.
    #[error("cannot save the state file: {0}")]
    Save(String),
}

enum Command {
    Rpc {
        body: Vec<u8>,
        reply: oneshot::Sender<Option<Value>>,
    },
    Shutdown {
        reply: oneshot::Sender<Result<(), String>>,
    },
}

/// Starts nodes.
#[derive(Debug, Clone, Copy)]
pub struct Devnet;

/// A running node. Dropping it stops accepting connections and stops the
/// chain (saving its state file); [`DevnetHandle::shutdown`] does the same
/// and reports errors.
#[derive(Debug)]
pub struct DevnetHandle {
    addr: SocketAddr,
    chain_id: u64,
    accounts: Vec<DevAccount>,
    commands: mpsc::Sender<Command>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    chain: Option<thread::JoinHandle<()>>,
}

impl Devnet {
    /// Starts a node in-process: the chain on its own thread, the HTTP
    /// server on the current tokio runtime.
    ///
    /// # Errors
    /// [`DevnetError::Bind`] if the port is taken, [`DevnetError::Chain`] for
    /// a bad mnemonic or state file.
    pub async fn spawn(config: Config) -> Result<DevnetHandle, DevnetError> {
        let addr = SocketAddr::new(config.host, config.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| DevnetError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| DevnetError::Bind { addr, source })?;

        let (commands, inbox) = mpsc::channel::<Command>();
        let (ready_tx, ready_rx) = oneshot::channel();
        let chain_config = config.chain.clone();
        let chain = thread::Builder::new()
            .name("il-devnet-chain".to_string())
            .stack_size(CHAIN_STACK_BYTES)
            .spawn(move || run_chain(&chain_config, &inbox, ready_tx))
            .map_err(|e| DevnetError::Stopped(e.to_string()))?;
        let (chain_id, accounts) = ready_rx.await.map_err(|_| {
            DevnetError::Stopped("the chain thread exited during start".to_string())
        })??;

        let (stop, stopped) = oneshot::channel();
        let server = tokio::spawn(serve(listener, commands.clone(), stopped));
        tracing::info!(%addr, chain_id, "il-devnet listening");
        Ok(DevnetHandle {
            addr,
            chain_id,
            accounts,
            commands,
            stop: Some(stop),
            server: Some(server),
            chain: Some(chain),
        })
    }
}

fn run_chain(
    config: &ChainConfig,
    inbox: &mpsc::Receiver<Command>,
    ready: oneshot::Sender<Result<(u64, Vec<DevAccount>), DevnetError>>,
) {
    let mut chain = match Chain::new(config) {
        Ok(c) => c,
        Err(e) => {
            let _ = ready.send(Err(e.into()));
            return;
        }
    };
    if ready
        .send(Ok((chain.chain_id(), chain.dev_accounts().to_vec())))
        .is_err()
    {
        return;
    }
    while let Ok(command) = inbox.recv() {
        match command {
            Command::Rpc { body, reply } => {
                let response = rpc::handle_body(&mut chain, &body);
                let _ = reply.send(response);
            }
            Command::Shutdown { reply } => {
                let _ = reply.send(chain.save());
                return;
            }
        }
    }
    // every handle is gone: save and stop
    if let Err(e) = chain.save() {
        tracing::error!("cannot save the state file: {e}");
    }
}

async fn serve(
    listener: TcpListener,
    commands: mpsc::Sender<Command>,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        continue;
                    }
                };
                let commands = commands.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle_http(req, commands.clone()));
                    if let Err(e) = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                    {
                        tracing::debug!("connection ended: {e}");
                    }
                });
            }
        }
    }
}

fn response(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        header::HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        header::HeaderValue::from_static("POST, OPTIONS"),
    );
    r
}

fn error_body(code: i64, message: &str) -> Vec<u8> {
    json!({ "jsonrpc": "2.0", "id": null, "error": { "code": code, "message": message } })
        .to_string()
        .into_bytes()
}

async fn handle_http(
    req: Request<Incoming>,
    commands: mpsc::Sender<Command>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.method() == Method::OPTIONS {
        return Ok(response(StatusCode::NO_CONTENT, Vec::new()));
    }
    if req.method() != Method::POST {
        return Ok(response(
            StatusCode::METHOD_NOT_ALLOWED,
            error_body(-32600, "JSON-RPC requests are HTTP POSTs"),
        ));
    }
    let body = match Limited::new(req.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes().to_vec(),
        Err(e) => {
            return Ok(response(
                StatusCode::PAYLOAD_TOO_LARGE,
                error_body(-32600, &format!("cannot read the request body: {e}")),
            ));
        }
    };
    let (reply, answer) = oneshot::channel();
    if commands.send(Command::Rpc { body, reply }).is_err() {
        return Ok(response(
            StatusCode::SERVICE_UNAVAILABLE,
            error_body(-32603, "the chain is shutting down"),
        ));
    }
    Ok(match answer.await {
        Ok(Some(v)) => response(StatusCode::OK, v.to_string().into_bytes()),
        Ok(None) => response(StatusCode::OK, Vec::new()),
        Err(_) => response(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_body(-32603, "the chain stopped while handling the request"),
        ),
    })
}

impl DevnetHandle {
    /// `http://host:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address (the real port when 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The pre-funded dev accounts (addresses and keys).
    pub fn dev_accounts(&self) -> &[DevAccount] {
        &self.accounts
    }

    /// Sends a JSON-RPC body to the chain without HTTP; `None` if every
    /// request in it was a notification.
    ///
    /// # Errors
    /// [`DevnetError::Stopped`] if the chain thread is gone.
    pub async fn request(&self, body: &Value) -> Result<Option<Value>, DevnetError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Rpc {
                body: body.to_string().into_bytes(),
                reply,
            })
            .map_err(|_| DevnetError::Stopped("chain thread gone".to_string()))?;
        answer
            .await
            .map_err(|_| DevnetError::Stopped("no reply".to_string()))
    }

    /// Stops accepting connections, saves the state file (if any) and
    /// stops the chain thread.
    ///
    /// # Errors
    /// [`DevnetError::Save`] if the state file cannot be written,
    /// [`DevnetError::Stopped`] if the chain thread had died.
    pub async fn shutdown(mut self) -> Result<(), DevnetError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Shutdown { reply })
            .map_err(|_| DevnetError::Stopped("chain thread gone".to_string()))?;
        let saved = answer
            .await
            .map_err(|_| DevnetError::Stopped("no reply to shutdown".to_string()))?;
        if let Some(chain) = self.chain.take() {
            let _ = tokio::task::spawn_blocking(move || chain.join()).await;
        }
        saved.map_err(DevnetError::Save)
    }
}

impl Drop for DevnetHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if self.chain.is_some() {
            let (reply, _answer) = oneshot::channel();
            let _ = self.commands.send(Command::Shutdown { reply });
        }
    }
}
