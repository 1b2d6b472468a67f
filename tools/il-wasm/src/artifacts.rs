//! Where tests and tools find the release `.wasm` of the workspace's
//! contracts (built by `scripts/build-contracts.sh`), and the creation code
//! of Uniswap v4-core's contracts (the npm package `@uniswap/v4-core`,
//! which `scripts/setup.sh` installs; BUSL-1.1, never committed).

use std::path::{Path, PathBuf};

/// The wasm file of a contract crate could not be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{file} not found in {searched}: run scripts/build-contracts.sh (with the same CARGO_TARGET_DIR) or set IL_WASM_DIR"
)]
pub struct MissingWasm {
    /// The file name looked for, e.g. `il_probe.wasm`.
    pub file: String,
    /// The directories searched, joined with ", ".
    pub searched: String,
}

/// The directories searched for release wasm, in order:
/// `$IL_WASM_DIR`, `$CARGO_TARGET_DIR/wasm32-unknown-unknown/release`,
/// `<workspace>/target/wasm32-unknown-unknown/release`.
pub fn wasm_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("IL_WASM_DIR") {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        dirs.push(Path::new(&target).join("wasm32-unknown-unknown/release"));
    }
    dirs.push(workspace_root().join("target/wasm32-unknown-unknown/release"));
    dirs
}

/// The workspace root this crate was built in (two levels above
/// `tools/il-wasm`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Path of the release wasm of `crate_name` (dashes or underscores:
/// `il-probe` and `il_probe` both find `il_probe.wasm`) in the first of
/// [`wasm_dirs`] that has it.
///
/// # Errors
/// [`MissingWasm`], whose message names `scripts/build-contracts.sh`.
pub fn find_wasm(crate_name: &str) -> Result<PathBuf, MissingWasm> {
    let file = format!("{}.wasm", crate_name.replace('-', "_"));
    let dirs = wasm_dirs();
    for dir in &dirs {
        let path = dir.join(&file);
        if path.is_file() {
            return Ok(path);
        }
    }
    Err(MissingWasm {
        file,
        searched: dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// Reads `<crate_name>.wasm` (dashes or underscores) from `dir` only.
///
/// # Errors
/// [`MissingWasm`] if it is absent or unreadable.
pub fn read_wasm_in(dir: &Path, crate_name: &str) -> Result<Vec<u8>, MissingWasm> {
    let file = format!("{}.wasm", crate_name.replace('-', "_"));
    let path = dir.join(&file);
    std::fs::read(&path).map_err(|e| MissingWasm {
        file: format!("{file} ({e})"),
        searched: dir.display().to_string(),
    })
}

/// Reads the release wasm of `crate_name` (see [`find_wasm`]).
///
/// # Errors
/// [`MissingWasm`] if it is absent or unreadable.
pub fn read_wasm(crate_name: &str) -> Result<Vec<u8>, MissingWasm> {
    let path = find_wasm(crate_name)?;
    std::fs::read(&path).map_err(|e| MissingWasm {
        file: format!("{} ({e})", path.display()),
        searched: path.display().to_string(),
    })
}

/// The version of `@uniswap/v4-core` the project runs (`scripts/setup.sh`).
pub const V4_CORE_VERSION: &str = "1.0.2";

/// A v4-core build artifact could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{path}: {reason}: run scripts/setup.sh (it installs @uniswap/v4-core@1.0.2 from npm) or set IL_V4_CORE_DIR"
)]
pub struct MissingArtifact {
    /// The file looked for.
    pub path: String,
    /// Why it could not be used.
    pub reason: String,
}

/// `$IL_V4_CORE_DIR`, else `<workspace>/node_modules/@uniswap/v4-core`.
pub fn v4_core_dir() -> PathBuf {
    std::env::var_os("IL_V4_CORE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("node_modules/@uniswap/v4-core"))
}

/// The creation code of v4-core contract `name` (`PoolManager`,
/// `PoolSwapTest`, `PoolModifyLiquidityTest`, `PoolDonateTest`,
/// `TestERC20`, ...): `bytecode.object` of `out/<name>.sol/<name>.json`.
///
/// # Errors
/// [`MissingArtifact`] when the file is absent or not a build artifact.
pub fn v4_core(name: &str) -> Result<Vec<u8>, MissingArtifact> {
    let path = v4_core_dir().join(format!("out/{name}.sol/{name}.json"));
    let fail = |reason: String| MissingArtifact {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
    let hex = json["bytecode"]["object"]
        .as_str()
        .ok_or_else(|| fail("no bytecode.object".into()))?;
    let code = alloy_primitives::hex::decode(hex).map_err(|e| fail(e.to_string()))?;
    if code.is_empty() {
        return Err(fail("empty bytecode".into()));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_wasm_names_the_build_script() {
        let err = find_wasm("no-such-contract-xyz").expect_err("absent");
        assert_eq!(err.file, "no_such_contract_xyz.wasm");
        assert!(err.to_string().contains("scripts/build-contracts.sh"));
        let err = read_wasm_in(Path::new("/nonexistent-dir"), "il-token").expect_err("absent");
        assert!(err.file.starts_with("il_token.wasm"), "{err}");
        assert!(err.to_string().contains("scripts/build-contracts.sh"));
    }

    #[test]
    fn workspace_root_holds_the_workspace_manifest() {
        assert!(workspace_root().join("Cargo.toml").is_file());
        assert!(workspace_root().join("tools/il-wasm").is_dir());
    }
}
