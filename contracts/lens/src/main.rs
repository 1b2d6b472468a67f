//! Prints the contract's Solidity interface (`--features export-abi`).
//! `scripts/export-abi.sh` writes it to `contracts/lens/ILens.sol`.
fn main() {
    print!("{}", il_lens::interface());
}
