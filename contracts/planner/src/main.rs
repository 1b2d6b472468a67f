//! Prints the contract's Solidity interface (`--features export-abi`).
//! `scripts/export-abi.sh` writes it to `contracts/planner/IPlanner.sol`.
fn main() {
    print!("{}", il_planner::interface());
}
