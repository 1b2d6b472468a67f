//! Prints the contract's Solidity interface (`--features export-abi`).
//! `scripts/export-abi.sh` writes it to `contracts/pool/IPool.sol`.
fn main() {
    print!("{}", il_pool::interface());
}
