//! The committed interface (what the keeper and wallets bind to) must be
//! what the code exports. Run with `--features export-abi`;
//! `scripts/export-abi.sh` regenerates the file.
#![cfg(feature = "export-abi")]

#[test]
fn committed_interface_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/IPlanner.sol");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == il_planner::interface(),
        "{path} differs from the code's interface: run scripts/export-abi.sh and commit the result"
    );
}
