//! The depositor's web page, served by `il-demo --keep-running`: a tiny
//! static HTTP server (hyper 1) over the built web app (`web/dist`), plus
//! the deployment's `manifest.json` and a `network.json` naming the local
//! chain, both from memory (readable from any origin: they are public).
//!
//! GET and HEAD only, on 127.0.0.1. Paths with a `..` segment, a backslash
//! or a NUL, and anything that resolves outside the directory (symlinks
//! included) or to a directory, are 404.

use std::{
    convert::Infallible,
    net::{Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    sync::Arc,
};

use http_body_util::Full;
use hyper::{
    Method, Request, Response, StatusCode,
    body::{Bytes, Incoming},
    header::{self, HeaderValue},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::TokioIo;
use tokio::{
    net::TcpListener,
    sync::oneshot,
    task::{JoinHandle, JoinSet},
};

/// A running server; [`WebServer::shutdown`] (or dropping it) stops it and
/// closes its open connections.
#[derive(Debug)]
pub struct WebServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// What every connection serves from.
#[derive(Debug)]
struct Site {
    /// Canonical.
    root: PathBuf,
    manifest: Bytes,
    network: Bytes,
}

/// Binds 127.0.0.1:`port` (0: a free port). Separate from
/// [`WebServer::start`] so that a taken port fails before the long run.
pub async fn bind(port: u16) -> Result<TcpListener, String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpListener::bind(addr)
        .await
        .map_err(|err| format!("web page: binding {addr}: {err}"))
}

impl WebServer {
    /// Serves `dir` and the two JSON documents on `listener` until
    /// shut down.
    pub fn start(
        listener: TcpListener,
        dir: &Path,
        manifest_json: Vec<u8>,
        network_json: Vec<u8>,
    ) -> Result<Self, String> {
        let root = dir
            .canonicalize()
            .map_err(|err| format!("web page: {}: {err}", dir.display()))?;
        let addr = listener
            .local_addr()
            .map_err(|err| format!("web page: local address: {err}"))?;
        let site = Arc::new(Site {
            root,
            manifest: Bytes::from(manifest_json),
            network: Bytes::from(network_json),
        });
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(listener, site, stopped));
        Ok(Self {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The bound address (the real port when 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes the open connections and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn serve(listener: TcpListener, site: Arc<Site>, mut stopped: oneshot::Receiver<()>) {
    // dropped at the end of the loop: aborts the connections still open
    // (a browser keeps its connections alive)
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let site = site.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(req, site.clone()));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

fn response(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// The deployment's public JSON, readable from any origin (a page served
/// elsewhere, e.g. `npm run dev` in web/, can use this chain).
fn public_json(body: Bytes) -> Response<Full<Bytes>> {
    let mut r = response(StatusCode::OK, JSON, body);
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

fn not_found() -> Response<Full<Bytes>> {
    response(
        StatusCode::NOT_FOUND,
        TEXT,
        Bytes::from_static(b"404 not found\n"),
    )
}

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";

/// GET and HEAD (hyper sends no body for HEAD, with the GET's length).
async fn handle(
    req: Request<Incoming>,
    site: Arc<Site>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = response(
            StatusCode::METHOD_NOT_ALLOWED,
            TEXT,
            Bytes::from_static(b"405 method not allowed: GET or HEAD\n"),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(r);
    }
    let path = req.uri().path();
    Ok(match path {
        "/manifest.json" => public_json(site.manifest.clone()),
        "/network.json" => public_json(site.network.clone()),
        _ => {
            let path = if path == "/" { "/index.html" } else { path }.to_owned();
            let read = tokio::task::spawn_blocking(move || {
                let file = resolve(&site.root, &path)?;
                let body = std::fs::read(&file).ok()?;
                Some((content_type(&file), body))
            })
            .await
            .ok()
            .flatten();
            match read {
                Some((ty, body)) => response(StatusCode::OK, ty, Bytes::from(body)),
                None => not_found(),
            }
        }
    })
}

/// The file under `root` (canonical) a request path names, if any.
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    // a trailing slash names a directory ("/" is index.html before this)
    if path.contains(['\\', '\0']) || path.ends_with('/') {
        return None;
    }
    let mut file = root.to_path_buf();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s => file.push(s),
        }
    }
    let real = file.canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

fn content_type(file: &Path) -> &'static str {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => JSON,
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => TEXT,
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::TcpStream,
    };

    struct Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Reply {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    /// One raw HTTP/1.1 request on its own connection.
    async fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let req = format!(
            "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        );
        stream.write_all(req.as_bytes()).await.expect("write");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("end of headers");
        let head = String::from_utf8(raw[..split].to_vec()).expect("ascii head");
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        Reply {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    }

    /// A site under a fresh temp dir, and a file just outside it.
    async fn site(name: &str) -> (WebServer, PathBuf) {
        let base = std::env::temp_dir().join(format!("il-demo-web-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let dist = base.join("dist");
        std::fs::create_dir_all(dist.join("assets")).expect("mkdir");
        std::fs::write(dist.join("index.html"), "<!doctype html><p>il-guard</p>\n").expect("write");
        std::fs::write(dist.join("assets/app.js"), "console.log(1);\n").expect("write");
        std::fs::write(base.join("x"), "secret\n").expect("write");
        std::fs::write(base.join("Cargo.toml"), "secret\n").expect("write");
        std::os::unix::fs::symlink(base.join("x"), dist.join("link.txt")).expect("symlink");
        let server = WebServer::start(
            bind(0).await.expect("bind"),
            &dist,
            br#"{"contracts":{}}"#.to_vec(),
            br#"{"chainId":412346}"#.to_vec(),
        )
        .expect("start");
        (server, base)
    }

    #[tokio::test]
    async fn serves_the_page_its_assets_and_the_two_json_documents() {
        let (server, base) = site("ok").await;
        let addr = server.addr();
        assert!(addr.ip().is_loopback() && addr.port() != 0);

        let r = request(addr, "GET", "/").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.body, b"<!doctype html><p>il-guard</p>\n");

        let r = request(addr, "GET", "/index.html?x=1").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"<!doctype html><p>il-guard</p>\n");

        let r = request(addr, "GET", "/assets/app.js?v=2").await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-type"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(r.body, b"console.log(1);\n");

        let r = request(addr, "GET", "/manifest.json").await;
        assert_eq!((r.status, r.header("content-type")), (200, Some(JSON)));
        assert_eq!(r.body, br#"{"contracts":{}}"#);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        let r = request(addr, "GET", "/network.json").await;
        assert_eq!((r.status, r.header("content-type")), (200, Some(JSON)));
        assert_eq!(r.body, br#"{"chainId":412346}"#);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        let r = request(addr, "GET", "/").await;
        assert_eq!(r.header("access-control-allow-origin"), None);

        // HEAD: the GET's headers, no body
        let r = request(addr, "HEAD", "/assets/app.js").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-length"), Some("16"));
        assert!(r.body.is_empty());

        server.shutdown().await;
        assert!(TcpStream::connect(addr).await.is_err(), "still listening");
        let _ = std::fs::remove_dir_all(base);
    }

    #[tokio::test]
    async fn refuses_escapes_directories_missing_files_and_other_methods() {
        let (server, base) = site("refuse").await;
        let addr = server.addr();
        for target in [
            "/../Cargo.toml",
            "/assets/../../x",
            "/assets/../index.html",
            "//x",
            "/assets",
            "/assets/",
            "/missing.js",
            "/assets/app.js/",
            "/%2e%2e/x",
            "/link.txt",
        ] {
            let r = request(addr, "GET", target).await;
            assert_eq!(r.status, 404, "{target}");
            assert_eq!(r.body, b"404 not found\n", "{target}");
            assert_eq!(r.header("content-type"), Some(TEXT), "{target}");
        }
        for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
            let r = request(addr, method, "/").await;
            assert_eq!(r.status, 405, "{method}");
            assert_eq!(r.header("allow"), Some("GET, HEAD"), "{method}");
        }
        server.shutdown().await;
        let _ = std::fs::remove_dir_all(base);
    }

    #[test]
    fn resolve_keeps_to_the_root_and_refuses_odd_bytes() {
        let root = std::env::temp_dir().join(format!("il-demo-web-{}-resolve", std::process::id()));
        std::fs::create_dir_all(root.join("a")).expect("mkdir");
        std::fs::write(root.join("a/b.css"), "b{}").expect("write");
        let root = root.canonicalize().expect("canonical");
        assert_eq!(resolve(&root, "/a/b.css"), Some(root.join("a/b.css")));
        assert_eq!(resolve(&root, "/./a//b.css"), Some(root.join("a/b.css")));
        assert_eq!(resolve(&root, "/a\\b.css"), None);
        assert_eq!(resolve(&root, "/a/b.css\0"), None);
        assert_eq!(resolve(&root, "/a/../a/b.css"), None);
        assert_eq!(resolve(&root, "/a"), None);
        assert_eq!(content_type(Path::new("x.WOFF2")), "font/woff2");
        assert_eq!(
            content_type(Path::new("x.mjs")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x.js.map")), JSON);
        assert_eq!(content_type(Path::new("x")), "application/octet-stream");
        let _ = std::fs::remove_dir_all(root);
    }
}
