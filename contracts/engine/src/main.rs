//! Prints the contract's Solidity interface (`--features export-abi`).
//! `scripts/export-abi.sh` writes it to `contracts/engine/IEngine.sol`.
fn main() {
    print!("{}", il_engine::interface());
}
