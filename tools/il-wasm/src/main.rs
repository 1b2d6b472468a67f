//! `il-wasm`: the project's Stylus wasm pipeline on the command line.
//!
//! `il-wasm check [--max-compressed N] FILE.wasm...` prints, per contract, the
//! raw, prepared and brotli sizes and the `vm_hooks` it imports, and exits
//! non-zero if any contract uses a float instruction, imports from a module
//! other than `vm_hooks`, lacks the `user_entrypoint` export, or has deployed
//! code larger than the limit. With each contract it prints what Nitro
//! would charge: activation gas, the gas a call pays to start the program
//! (uncached and cached) and the asm size the data fee is priced on
//! (`il_wasm::costs`).

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "il-wasm",
    version,
    about = "Stylus wasm pipeline: check, prepare, initcode"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check release wasm files: sizes, hostios, floats, foreign imports, entrypoint.
    Check {
        /// Limit, in bytes, on the deployed code (0xEFF000 + dictionary byte + brotli);
        /// 24576 is Arbitrum's default maximum code size.
        #[arg(long, default_value_t = il_wasm::MAX_CODE_SIZE, env = "IL_WASM_MAX_COMPRESSED")]
        max_compressed: usize,
        /// Raw wasm files (`target/wasm32-unknown-unknown/release/<crate>.wasm`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write the activation-ready (re-encoded, stripped) wasm.
    Prepare {
        /// Raw wasm input.
        input: PathBuf,
        /// Output path.
        output: PathBuf,
    },
    /// Print the creation-transaction data (prelude + contract code) as 0x-hex.
    Initcode {
        /// Raw wasm input.
        input: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("il-wasm: {message}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Check {
            max_compressed,
            files,
        } => check(max_compressed, &files),
        Command::Prepare { input, output } => {
            let prepared = il_wasm::prepare(&read(&input)?)
                .map_err(|e| format!("{}: {e}", input.display()))?;
            std::fs::write(&output, prepared)
                .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Initcode { input } => {
            let prepared = il_wasm::prepare(&read(&input)?)
                .map_err(|e| format!("{}: {e}", input.display()))?;
            let init = il_wasm::initcode(&il_wasm::contract_code(&prepared));
            let hex: String = init.iter().map(|b| format!("{b:02x}")).collect();
            println!("0x{hex}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(max_code: usize, files: &[PathBuf]) -> Result<ExitCode, String> {
    let mut failures = Vec::new();
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>8} {:>9}  hostios",
        "contract", "raw B", "prepared", "brotli B", "KiB", "code B"
    );
    for path in files {
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let raw = read(path)?;
        let report = match il_wasm::inspect(&raw) {
            Ok(r) => r,
            Err(e) => {
                println!("{label:<28} not activatable: {e}");
                failures.push(format!("{label}: {e}"));
                continue;
            }
        };
        let hostios = report.hostios();
        println!(
            "{:<28} {:>9} {:>9} {:>9} {:>8.2} {:>9}  {}",
            label,
            report.raw_len,
            report.prepared_len,
            report.compressed_len,
            report.compressed_len as f64 / 1024.0,
            report.code_len,
            hostios.len()
        );
        println!("    vm_hooks: {}", hostios.join(", "));
        if report.float_ops > 0 {
            failures.push(format!(
                "{label}: {} f32/f64 instructions",
                report.float_ops
            ));
        }
        for (module, name) in report.foreign_imports() {
            failures.push(format!(
                "{label}: import {module}::{name} is outside vm_hooks"
            ));
        }
        // Nitro's structural rules on the prepared module: today's chains
        // (a failure), and ArbOS 60's (a note: multi-value types go).
        match il_wasm::prepare(&raw) {
            Ok(prepared) => {
                let today = il_wasm::activation::Rules::default();
                if let Err(e) = il_wasm::activation::check(&prepared, &today) {
                    failures.push(format!("{label}: Nitro would refuse it: {e}"));
                }
                match il_wasm::costs::nitro_costs(&prepared) {
                    Ok(c) => println!(
                        "    Nitro: activation {} gas, call {} gas uncached / {} cached, asm {} KiB",
                        c.activation_gas(),
                        c.uncached_call_gas(),
                        c.cached_gas(),
                        c.asm_size() / 1024
                    ),
                    Err(e) => failures.push(format!("{label}: Nitro would refuse it: {e}")),
                }
                let next = il_wasm::activation::Rules {
                    arbos_version: il_wasm::activation::ARBOS_NO_MULTI_VALUE,
                    ..today
                };
                if let Err(e) = il_wasm::activation::check(&prepared, &next) {
                    println!(
                        "    note: ArbOS {} would refuse it: {e}",
                        next.arbos_version
                    );
                }
            }
            Err(e) => failures.push(format!("{label}: {e}")),
        }
        if !report.has_entrypoint() {
            failures.push(format!("{label}: no `{}` export", il_wasm::ENTRYPOINT));
        }
        if report.code_len > max_code {
            failures.push(format!(
                "{label}: deployed code is {} bytes, over the {max_code}-byte limit",
                report.code_len
            ));
        }
    }
    if failures.is_empty() {
        println!("il-wasm check: {} contract(s) OK", files.len());
        Ok(ExitCode::SUCCESS)
    } else {
        for f in &failures {
            eprintln!("FAIL {f}");
        }
        Ok(ExitCode::FAILURE)
    }
}
