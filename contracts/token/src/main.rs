//! Prints the contract's Solidity interface (`--features export-abi`).
//! `scripts/export-abi.sh` writes it to `contracts/token/IToken.sol`.
fn main() {
    print!("{}", il_token::interface());
}
