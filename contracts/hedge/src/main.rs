//! Prints the contract's Solidity interface (`--features export-abi`).
//! `scripts/export-abi.sh` writes it to `contracts/hedge/IHedge.sol`.
fn main() {
    print!("{}", il_hedge::interface());
}
