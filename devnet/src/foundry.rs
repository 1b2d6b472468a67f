//! Foundry's `cast` and `anvil`, as `scripts/setup.sh` installs them from npm,
//! for tests and tools that run them beside this chain.
//!
//! npm's `node_modules/.bin/<tool>` is a Node.js launcher that starts the
//! native binary as ITS child: killing the launcher orphans the real node,
//! which then runs (and holds its port) until the machine stops. So every
//! caller here starts the native binary of the platform package
//! (`node_modules/@foundry-rs/<tool>-<os>-<arch>/bin/<tool>`) directly, and
//! [`Anvil`] stops the node when its owner ends: on drop (normal end, panic)
//! and, on Linux, when the owning thread dies (killed test binary, Ctrl-C),
//! through the kernel's parent-death signal.

use std::{
    io,
    net::{SocketAddr, TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// How long [`Anvil::spawn`] waits for the node to accept connections.
pub const ANVIL_START_TIMEOUT: Duration = Duration::from_secs(20);

/// A Foundry tool could not be found or started.
#[derive(Debug, thiserror::Error)]
pub enum FoundryError {
    /// No binary at the resolved path.
    #[error(
        "{tool} not found at {path}: run scripts/setup.sh (it installs Foundry's cast and anvil from npm) or set {var}"
    )]
    Missing {
        /// `cast` or `anvil`.
        tool: String,
        /// Where it was looked for.
        path: String,
        /// The environment variable that overrides the path.
        var: String,
    },
    /// This OS/architecture has no Foundry npm package.
    #[error("Foundry publishes no npm binary for {os}/{arch}: set {var} to a {tool} binary")]
    Platform {
        /// `cast` or `anvil`.
        tool: String,
        /// `std::env::consts::OS`.
        os: &'static str,
        /// `std::env::consts::ARCH`.
        arch: &'static str,
        /// The environment variable that overrides the path.
        var: String,
    },
    /// The process could not be started.
    #[error("cannot start {tool}: {source}")]
    Spawn {
        /// The tool.
        tool: String,
        /// Why.
        source: io::Error,
    },
    /// The node did not accept connections in time.
    #[error("anvil did not accept connections on {addr} within {timeout:?}")]
    NotListening {
        /// Where it should listen.
        addr: SocketAddr,
        /// How long we waited.
        timeout: Duration,
    },
}

/// The npm platform package suffix for this machine (`linux-amd64`, ...).
fn platform() -> Option<&'static str> {
    Some(match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "linux-amd64",
        ("linux", "aarch64") => "linux-arm64",
        ("macos", "x86_64") => "darwin-amd64",
        ("macos", "aarch64") => "darwin-arm64",
        ("windows", "x86_64") => "win32-amd64",
        _ => return None,
    })
}

/// The native binary of Foundry's `tool` (`cast`, `anvil`): `$IL_CAST` /
/// `$IL_ANVIL` when set, else the npm platform package's binary in the
/// repository's `node_modules`.
///
/// # Errors
/// [`FoundryError::Missing`] (naming `scripts/setup.sh`) or
/// [`FoundryError::Platform`].
pub fn tool_path(tool: &str) -> Result<PathBuf, FoundryError> {
    let var = format!("IL_{}", tool.to_uppercase());
    let path = match std::env::var_os(&var) {
        Some(p) => PathBuf::from(p),
        None => {
            let platform = platform().ok_or_else(|| FoundryError::Platform {
                tool: tool.to_owned(),
                os: std::env::consts::OS,
                arch: std::env::consts::ARCH,
                var: var.clone(),
            })?;
            let exe = if cfg!(windows) {
                format!("{tool}.exe")
            } else {
                tool.to_owned()
            };
            crate::artifacts::workspace_root()
                .join("node_modules/@foundry-rs")
                .join(format!("{tool}-{platform}"))
                .join("bin")
                .join(exe)
        }
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(FoundryError::Missing {
            tool: tool.to_owned(),
            path: path.display().to_string(),
            var,
        })
    }
}

/// A `Command` for `tool`'s native binary that cannot outlive the calling
/// thread on Linux (parent-death signal).
///
/// # Errors
/// As [`tool_path`].
pub fn command(tool: &str) -> Result<Command, FoundryError> {
    let mut cmd = Command::new(tool_path(tool)?);
    die_with_parent(&mut cmd);
    Ok(cmd)
}

#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec and only makes
    // the async-signal-safe `prctl` call. PR_SET_PDEATHSIG sends SIGKILL to
    // the child when the thread that forked it exits, so a test binary killed
    // mid-run (or a panic that aborts) takes its node with it.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_cmd: &mut Command) {
    // No parent-death signal elsewhere: `Anvil`'s drop still stops the node.
}

/// An anvil node on a free loopback port, stopped (killed and reaped) when
/// dropped. Start it on the thread that owns it for the node's whole life
/// (a test's thread): on Linux the node is killed when that thread exits.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    addr: SocketAddr,
}

impl Anvil {
    /// Starts the native anvil with `args` (e.g. `["--hardfork", "cancun"]`)
    /// plus `--port <free port> --silent`, and waits until it accepts
    /// connections (at most [`ANVIL_START_TIMEOUT`]).
    ///
    /// # Errors
    /// [`FoundryError`]: missing binary, failed start, or no listener in time
    /// (the process is stopped before returning).
    pub fn spawn(args: &[&str]) -> Result<Self, FoundryError> {
        let port = free_port().map_err(|source| FoundryError::Spawn {
            tool: "anvil".into(),
            source,
        })?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let child = command("anvil")?
            .args(args)
            .args(["--port", &port.to_string(), "--silent"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| FoundryError::Spawn {
                tool: "anvil".into(),
                source,
            })?;
        let mut node = Self { child, addr };
        let started = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            let exited = node.child.try_wait().ok().flatten().is_some();
            if exited || started.elapsed() > ANVIL_START_TIMEOUT {
                return Err(FoundryError::NotListening {
                    addr,
                    timeout: ANVIL_START_TIMEOUT,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(node)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The process id of the node (the native binary itself).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        // `kill` fails only if the process already exited; `wait` reaps it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_path_names_the_setup_script_when_missing() {
        let err = tool_path("nosuchtool").unwrap_err().to_string();
        assert!(err.contains("scripts/setup.sh"), "{err}");
        assert!(err.contains("IL_NOSUCHTOOL"), "{err}");
    }

    #[test]
    fn tools_resolve_to_native_binaries_not_the_npm_launcher() {
        for tool in ["cast", "anvil"] {
            let path = tool_path(tool).expect("scripts/setup.sh installed Foundry");
            let head = std::fs::read(&path).expect("readable binary");
            assert!(
                !head.starts_with(b"#!"),
                "{} is a script launcher, not the native {tool}",
                path.display()
            );
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dropped_anvil_leaves_no_process() {
        let node = Anvil::spawn(&[]).expect("anvil starts");
        let pid = node.pid();
        assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
        drop(node);
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "anvil {pid} still running after drop"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn anvil_dies_with_the_thread_that_started_it() {
        let (tx, rx) = std::sync::mpsc::channel();
        let owner = std::thread::spawn(move || {
            let node = Anvil::spawn(&[]).expect("anvil starts");
            tx.send(node.pid()).unwrap();
            // the thread ends without running drop: as if killed
            std::mem::forget(node);
        });
        let pid = rx.recv().unwrap();
        owner.join().unwrap();
        let gone = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            // killed by the parent-death signal: a zombie until reaped, so
            // look at its state rather than its existence
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map_or(true, |s| s.split_whitespace().nth(2) == Some("Z"))
        });
        let pid = libc::pid_t::try_from(pid).expect("a pid fits pid_t");
        // SAFETY: kill and waitpid on our own child's pid (a no-op kill when
        // it is already dead), with a valid status pointer: stops it if the
        // assertion below fails, and reaps the zombie either way.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
        }
        assert!(gone, "anvil {pid} outlived the thread that started it");
    }
}
