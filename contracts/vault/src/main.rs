//! Prints the contract's Solidity interface (`--features export-abi`).
//! `scripts/export-abi.sh` writes it to `contracts/vault/IVault.sol`.
fn main() {
    print!("{}", il_vault::interface());
}
