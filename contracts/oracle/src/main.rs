//! Prints the contract's Solidity interface (`--features export-abi`).
//! `scripts/export-abi.sh` writes it to `contracts/oracle/IOracle.sol`.
fn main() {
    print!("{}", il_oracle::interface());
}
