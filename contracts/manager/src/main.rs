//! Prints the contract's Solidity interface (`--features export-abi`).
//! `scripts/export-abi.sh` writes it to `contracts/manager/IManager.sol`.
fn main() {
    print!("{}", il_manager::interface());
}
