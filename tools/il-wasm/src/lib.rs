//! The one Stylus wasm pipeline of the project, used by the deployer, the
//! local chain (`il-devnet`) and the size checks (`il-wasm check`,
//! `scripts/check-wasm.sh`).
//!
//! ```text
//! cargo build --release --target wasm32-unknown-unknown   (raw wasm)
//!   -> prepare()         re-encode canonically, strip custom sections, validate
//!   -> compress()        brotli quality 11, window 22
//!   -> contract_code()   0xEF 0xF0 0x00 | 0x00 (no dictionary) | compressed
//!   -> initcode()        42-byte EVM prelude | version 0x00 | contract code
//! ```
//!
//! Why re-encode: rustc (LLVM 19+) enables the reference-types feature, so a
//! `call_indirect` carries its table index as a padded LEB (`0x80 0x00`)
//! instead of the single zero byte of the MVP encoding. Stylus activation
//! parses without reference types and rejects it ("zero byte expected").
//! cargo-stylus fixes it by printing the module to text and assembling it
//! again; [`prepare`] gets the same canonical bytes by decoding every
//! section and instruction with `wasmparser` and encoding it again with
//! `wasm-encoder`.

use std::io::{Read, Write};

pub mod activation;
pub mod artifacts;
pub mod costs;
pub mod deployer;

use wasm_encoder::reencode::Reencode;
use wasmparser::{Parser, Payload, Validator, WasmFeatures};

/// The three-byte header that marks account code as a Stylus program (EOF-inspired).
pub const STYLUS_PREFIX: [u8; 3] = [0xEF, 0xF0, 0x00];
/// Dictionary byte after [`STYLUS_PREFIX`]: `0x00` = brotli without dictionary.
pub const NO_DICTIONARY: u8 = 0x00;
/// Brotli quality used for Stylus code (maximum; what cargo-stylus uses).
pub const BROTLI_QUALITY: u32 = 11;
/// Brotli window (log2 of the ring buffer size) used for Stylus code.
pub const BROTLI_LGWIN: u32 = 22;
/// Largest decompressed wasm a Stylus chain activates: 128 KiB.
pub const MAX_WASM_SIZE: usize = 128 * 1024;
/// Largest account code (prefix + dictionary byte + brotli) an Arbitrum chain
/// stores without fragmentation: 24 KiB, the EIP-170 limit.
pub const MAX_CODE_SIZE: usize = 24 * 1024;
/// Length of the EVM instructions of the deployment prelude.
pub const PRELUDE_CODE_LEN: usize = 42;
/// Length of the whole prelude: instructions plus the version byte.
pub const PRELUDE_LEN: usize = PRELUDE_CODE_LEN + 1;
/// The version byte cargo-stylus writes after the prelude instructions.
pub const PRELUDE_VERSION: u8 = 0x00;
/// The only import module a Stylus program may link against on chain.
pub const VM_HOOKS: &str = "vm_hooks";
/// The export every Stylus program must provide: `user_entrypoint(len: i32) -> i32`.
pub const ENTRYPOINT: &str = "user_entrypoint";

/// Why a wasm module or Stylus code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WasmError {
    /// The bytes are not a WebAssembly module `wasmparser` can read.
    #[error("malformed wasm: {0}")]
    Malformed(String),
    /// The module parses but uses a feature Stylus activation rejects.
    #[error("not activatable by Stylus: {0}")]
    Unsupported(String),
    /// `wasm-encoder` could not re-encode the module.
    #[error("cannot re-encode wasm: {0}")]
    Reencode(String),
    /// The code does not start with the Stylus header `0xEFF000`.
    #[error("not Stylus code: missing the 0xEFF000 header")]
    NotStylus,
    /// The dictionary byte names a brotli dictionary this pipeline does not know.
    #[error("unsupported brotli dictionary byte 0x{0:02x} (only 0x00, none, is supported)")]
    Dictionary(u8),
    /// The brotli stream is corrupt or truncated.
    #[error("brotli decompression failed: {0}")]
    Decompress(String),
    /// Decompression would exceed the caller's cap.
    #[error("decompressed wasm exceeds {limit} bytes")]
    TooLarge {
        /// The cap in bytes.
        limit: usize,
    },
}

/// The wasm feature set of Stylus activation, as close to Nitro's parser as
/// `wasmparser` allows: the MVP (with floats) plus mutable globals,
/// saturating float-to-int, sign extension, multi-value and bulk memory.
/// Reference types (and with them the overlong `call_indirect` table index),
/// SIMD, threads, tail calls, exceptions, memory64, multi-memory, extended
/// const and GC are rejected.
pub fn stylus_features() -> WasmFeatures {
    WasmFeatures::WASM1
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
}

/// Makes a raw rustc wasm activation-ready.
///
/// Domain: any WebAssembly core module (typically
/// `target/wasm32-unknown-unknown/release/<crate>.wasm`). Range: a module
/// with the same types, imports, functions, tables, memories, globals,
/// exports, elements and data, every instruction in its canonical MVP
/// encoding, and no custom sections (names, producers, target_features).
/// Deterministic: the same input gives the same bytes.
///
/// # Errors
/// [`WasmError::Malformed`] if the input does not parse,
/// [`WasmError::Reencode`] if an instruction cannot be re-encoded, and
/// [`WasmError::Unsupported`] if the result still does not validate with
/// [`stylus_features`] (for example it really uses a second table or SIMD).
pub fn prepare(raw_wasm: &[u8]) -> Result<Vec<u8>, WasmError> {
    let mut module = wasm_encoder::Module::new();
    let mut reencoder = StripCustomSections;
    reencoder
        .parse_core_module(&mut module, Parser::new(0), raw_wasm)
        .map_err(|e| match e {
            wasm_encoder::reencode::Error::ParseError(p) => WasmError::Malformed(p.to_string()),
            other => WasmError::Reencode(other.to_string()),
        })?;
    let prepared = module.finish();
    validate(&prepared)?;
    Ok(prepared)
}

/// A round-trip re-encoder that drops every custom section.
struct StripCustomSections;

impl Reencode for StripCustomSections {
    type Error = std::convert::Infallible;

    fn parse_custom_section(
        &mut self,
        _module: &mut wasm_encoder::Module,
        _section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        Ok(())
    }
}

/// Checks that `wasm` parses and validates with the Stylus feature set
/// ([`stylus_features`]). This is the structural part of activation; import
/// and export rules are checked by [`inspect`] users and by the local chain.
///
/// # Errors
/// [`WasmError::Unsupported`] with the validator's message (it names the
/// offending construct and its offset).
pub fn validate(wasm: &[u8]) -> Result<(), WasmError> {
    Validator::new_with_features(stylus_features())
        .validate_all(wasm)
        .map(|_| ())
        .map_err(|e| WasmError::Unsupported(e.to_string()))
}

/// Brotli-compresses `wasm` the way Stylus measures and stores code:
/// quality [`BROTLI_QUALITY`] (11), window [`BROTLI_LGWIN`] (22).
/// Domain: any bytes. Range: a brotli stream; deterministic.
pub fn compress(wasm: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(wasm.len() / 2);
    {
        let mut writer =
            brotli::CompressorWriter::new(&mut out, 4096, BROTLI_QUALITY, BROTLI_LGWIN);
        // Writing into a Vec cannot fail.
        writer
            .write_all(wasm)
            .expect("brotli compression into a Vec is infallible");
        writer
            .flush()
            .expect("brotli compression into a Vec is infallible");
    }
    out
}

/// Decompresses a brotli stream, refusing to produce more than `max_len` bytes.
///
/// # Errors
/// [`WasmError::Decompress`] if the stream is corrupt or truncated,
/// [`WasmError::TooLarge`] if the output would exceed `max_len`.
pub fn decompress(bytes: &[u8], max_len: usize) -> Result<Vec<u8>, WasmError> {
    let mut reader = brotli::Decompressor::new(bytes, 4096);
    let mut out = Vec::new();
    // Read at most max_len + 1 bytes: one more than allowed proves the overflow.
    let cap = u64::try_from(max_len).unwrap_or(u64::MAX).saturating_add(1);
    (&mut reader)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| WasmError::Decompress(e.to_string()))?;
    if out.len() > max_len {
        return Err(WasmError::TooLarge { limit: max_len });
    }
    Ok(out)
}

/// Account code of a Stylus program: [`STYLUS_PREFIX`], [`NO_DICTIONARY`],
/// then `compress(wasm)`. Pass a [`prepare`]d module.
pub fn contract_code(wasm: &[u8]) -> Vec<u8> {
    let compressed = compress(wasm);
    let mut code = Vec::with_capacity(STYLUS_PREFIX.len() + 1 + compressed.len());
    code.extend_from_slice(&STYLUS_PREFIX);
    code.push(NO_DICTIONARY);
    code.extend_from_slice(&compressed);
    code
}

/// True if `code` starts with the Stylus header [`STYLUS_PREFIX`].
pub fn is_stylus_code(code: &[u8]) -> bool {
    code.starts_with(&STYLUS_PREFIX)
}

/// Inverse of [`contract_code`]: the wasm held by Stylus account code,
/// decompressed with the activation cap [`MAX_WASM_SIZE`].
///
/// # Errors
/// [`WasmError::NotStylus`] without the header, [`WasmError::Dictionary`] for a
/// dictionary byte other than `0x00`, and the errors of [`decompress`].
pub fn parse_contract_code(code: &[u8]) -> Result<Vec<u8>, WasmError> {
    let rest = code
        .strip_prefix(&STYLUS_PREFIX)
        .ok_or(WasmError::NotStylus)?;
    let (&dictionary, compressed) = rest.split_first().ok_or(WasmError::NotStylus)?;
    if dictionary != NO_DICTIONARY {
        return Err(WasmError::Dictionary(dictionary));
    }
    decompress(compressed, MAX_WASM_SIZE)
}

/// EVM init code that deploys `code` unchanged, byte for byte what
/// cargo-stylus sends in a creation transaction:
///
/// ```text
/// 0x7f <len: 32 bytes BE>  PUSH32 len
/// 0x80                     DUP1
/// 0x60 0x2b                PUSH1 43      (prelude + version byte)
/// 0x60 0x00                PUSH1 0
/// 0x39                     CODECOPY      memory[0..len] = initcode[43..43+len]
/// 0x60 0x00                PUSH1 0
/// 0xf3                     RETURN        memory[0..len]
/// 0x00                     version
/// <code>
/// ```
pub fn initcode(code: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(PRELUDE_LEN + code.len());
    out.extend_from_slice(&prelude(code.len()));
    out.extend_from_slice(code);
    out
}

/// The 43 prelude bytes (instructions + version) for code of `len` bytes.
fn prelude(len: usize) -> [u8; PRELUDE_LEN] {
    let mut p = [0u8; PRELUDE_LEN];
    p[0] = 0x7f;
    // usize is at most 64 bits: its big-endian bytes fill the low end of the 32-byte word.
    let len_be = (len as u64).to_be_bytes();
    p[25..33].copy_from_slice(&len_be);
    p[33..].copy_from_slice(&[
        0x80,
        0x60,
        PRELUDE_LEN as u8,
        0x60,
        0x00,
        0x39,
        0x60,
        0x00,
        0xf3,
        PRELUDE_VERSION,
    ]);
    p
}

/// Recognises exactly the shape [`initcode`] produces and returns the code it
/// deploys; `None` for any other EVM init code (a chain that runs Stylus
/// programs only refuses those).
pub fn parse_initcode(data: &[u8]) -> Option<&[u8]> {
    if data.len() < PRELUDE_LEN {
        return None;
    }
    let (head, code) = data.split_at(PRELUDE_LEN);
    let mut word = [0u8; 32];
    word.copy_from_slice(&head[1..33]);
    // The length word must fit a usize and equal the bytes that follow.
    if word[..24].iter().any(|&b| b != 0) {
        return None;
    }
    let mut len_be = [0u8; 8];
    len_be.copy_from_slice(&word[24..]);
    let len = usize::try_from(u64::from_be_bytes(len_be)).ok()?;
    if len != code.len() || head != prelude(len) {
        return None;
    }
    Some(code)
}

/// Facts about one contract's wasm, as `il-wasm check` prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Bytes of the raw module (as rustc wrote it).
    pub raw_len: usize,
    /// Bytes after [`prepare`].
    pub prepared_len: usize,
    /// Bytes of `compress(prepared)`.
    pub compressed_len: usize,
    /// Bytes of the account code: prefix + dictionary byte + compressed.
    pub code_len: usize,
    /// Every import as `(module, name)`, in module order.
    pub imports: Vec<(String, String)>,
    /// Every export name, in module order.
    pub exports: Vec<String>,
    /// Number of f32/f64 instructions (arithmetic, constants, conversions,
    /// loads and stores of floats).
    pub float_ops: usize,
}

impl Report {
    /// Imports from modules other than [`VM_HOOKS`] (Stylus links nothing else
    /// in production; `console` exists only on debug nodes).
    pub fn foreign_imports(&self) -> Vec<&(String, String)> {
        self.imports.iter().filter(|(m, _)| m != VM_HOOKS).collect()
    }

    /// The `vm_hooks` function names this module imports.
    pub fn hostios(&self) -> Vec<&str> {
        self.imports
            .iter()
            .filter(|(m, _)| m == VM_HOOKS)
            .map(|(_, n)| n.as_str())
            .collect()
    }

    /// True if the module exports [`ENTRYPOINT`].
    pub fn has_entrypoint(&self) -> bool {
        self.exports.iter().any(|e| e == ENTRYPOINT)
    }
}

/// Prepares and measures a raw wasm, and lists its imports, exports and
/// float instructions.
///
/// # Errors
/// The errors of [`prepare`].
pub fn inspect(raw_wasm: &[u8]) -> Result<Report, WasmError> {
    let prepared = prepare(raw_wasm)?;
    let compressed_len = compress(&prepared).len();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut float_ops = 0usize;
    for payload in Parser::new(0).parse_all(&prepared) {
        match payload.map_err(|e| WasmError::Malformed(e.to_string()))? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| WasmError::Malformed(e.to_string()))?;
                    imports.push((import.module.to_string(), import.name.to_string()));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| WasmError::Malformed(e.to_string()))?;
                    exports.push(export.name.to_string());
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut ops = body
                    .get_operators_reader()
                    .map_err(|e| WasmError::Malformed(e.to_string()))?;
                while !ops.eof() {
                    let op = ops
                        .read()
                        .map_err(|e| WasmError::Malformed(e.to_string()))?;
                    if is_float_op(&op) {
                        float_ops = float_ops.saturating_add(1);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(Report {
        raw_len: raw_wasm.len(),
        prepared_len: prepared.len(),
        compressed_len,
        code_len: compressed_len.saturating_add(STYLUS_PREFIX.len() + 1),
        imports,
        exports,
        float_ops,
    })
}

/// True for an instruction that takes, produces or converts f32/f64 values.
/// `wasmparser` names every such operator with `F32`/`F64` in it
/// (`F64Add`, `F32Const`, `I64TruncSatF64U`, `F32ReinterpretI32`, ...).
fn is_float_op(op: &wasmparser::Operator<'_>) -> bool {
    let name = format!("{op:?}");
    let name = name.split([' ', '{', '(']).next().unwrap_or("");
    name.contains("F32") || name.contains("F64")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module in the binary text of rustc's reference-types output: one
    /// imported hostio, a funcref table, a `call_indirect` whose table index
    /// is the overlong LEB `0x80 0x00`, a name section and a producers section.
    fn rustc_like_module() -> Vec<u8> {
        let mut m = vec![0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        // type section: 0: (i32)->i32, 1: ()->i32
        section(
            &mut m,
            1,
            &[0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f],
        );
        // import section: vm_hooks.msg_reentrant : type 1
        let mut imp = vec![0x01];
        name(&mut imp, "vm_hooks");
        name(&mut imp, "msg_reentrant");
        imp.extend_from_slice(&[0x00, 0x01]);
        section(&mut m, 2, &imp);
        // function section: two functions: 1 of type 0 (entrypoint), 2 of type 1
        section(&mut m, 3, &[0x02, 0x00, 0x01]);
        // table section: one funcref table, min 2 max 2
        section(&mut m, 4, &[0x01, 0x70, 0x01, 0x02, 0x02]);
        // memory section: one memory, min 1
        section(&mut m, 5, &[0x01, 0x00, 0x01]);
        // export section: user_entrypoint (func 1), memory (mem 0)
        let mut exp = vec![0x02];
        name(&mut exp, "user_entrypoint");
        exp.extend_from_slice(&[0x00, 0x01]);
        name(&mut exp, "memory");
        exp.extend_from_slice(&[0x02, 0x00]);
        section(&mut m, 7, &exp);
        // element section: active, table 0, offset i32.const 1, [func 2]
        section(&mut m, 9, &[0x01, 0x00, 0x41, 0x01, 0x0b, 0x01, 0x02]);
        // code section
        // func 1: i32.const 1; call_indirect type 1 table 0x80 0x00; end
        let f1 = [0x00, 0x41, 0x01, 0x11, 0x01, 0x80, 0x00, 0x0b];
        // func 2: call 0 (msg_reentrant); end
        let f2 = [0x00, 0x10, 0x00, 0x0b];
        let mut code = vec![0x02];
        code.push(f1.len() as u8);
        code.extend_from_slice(&f1);
        code.push(f2.len() as u8);
        code.extend_from_slice(&f2);
        section(&mut m, 10, &code);
        // custom sections
        let mut names = Vec::new();
        name(&mut names, "name");
        names.extend_from_slice(&[0x01, 0x04, 0x01, 0x01, 0x01, b'f']);
        section(&mut m, 0, &names);
        let mut producers = Vec::new();
        name(&mut producers, "producers");
        producers.push(0x00);
        section(&mut m, 0, &producers);
        m
    }

    fn section(m: &mut Vec<u8>, id: u8, body: &[u8]) {
        m.push(id);
        m.push(u8::try_from(body.len()).expect("small test section"));
        m.extend_from_slice(body);
    }

    fn name(out: &mut Vec<u8>, s: &str) {
        out.push(u8::try_from(s.len()).expect("short name"));
        out.extend_from_slice(s.as_bytes());
    }

    #[test]
    fn raw_overlong_call_indirect_fails_stylus_validation() {
        let raw = rustc_like_module();
        let err = validate(&raw).expect_err("overlong table index must be rejected");
        assert!(
            matches!(&err, WasmError::Unsupported(m) if m.contains("zero byte expected")),
            "{err}"
        );
    }

    #[test]
    fn prepare_makes_call_indirect_canonical_and_strips_custom_sections() {
        let raw = rustc_like_module();
        let prepared = prepare(&raw).expect("prepare");
        validate(&prepared).expect("prepared module validates");
        // canonical encoding: call_indirect type 1, table byte 0x00
        assert!(prepared.windows(3).any(|w| w == [0x11, 0x01, 0x00]));
        assert!(!prepared.windows(2).any(|w| w == [0x80, 0x00]));
        for payload in Parser::new(0).parse_all(&prepared) {
            assert!(!matches!(
                payload.expect("parses"),
                Payload::CustomSection(_)
            ));
        }
        // idempotent
        assert_eq!(prepare(&prepared).expect("prepare twice"), prepared);
    }

    #[test]
    fn prepare_rejects_malformed_input() {
        assert!(matches!(prepare(b"not wasm"), Err(WasmError::Malformed(_))));
    }

    #[test]
    fn compress_round_trips_and_is_deterministic() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let c1 = compress(&data);
        assert_eq!(c1, compress(&data));
        assert!(c1.len() < data.len());
        assert_eq!(decompress(&c1, data.len()).expect("decompress"), data);
    }

    #[test]
    fn decompress_enforces_the_cap() {
        let data = vec![7u8; 1000];
        let c = compress(&data);
        assert_eq!(decompress(&c, 999), Err(WasmError::TooLarge { limit: 999 }));
        assert!(matches!(
            decompress(&[0xff, 0xff, 0xff], 100),
            Err(WasmError::Decompress(_))
        ));
    }

    #[test]
    fn contract_code_has_header_and_round_trips() {
        let wasm = prepare(&rustc_like_module()).expect("prepare");
        let code = contract_code(&wasm);
        assert_eq!(&code[..4], &[0xEF, 0xF0, 0x00, 0x00]);
        assert!(is_stylus_code(&code));
        assert_eq!(parse_contract_code(&code).expect("parse"), wasm);
        assert_eq!(
            parse_contract_code(&[0x60, 0x00]),
            Err(WasmError::NotStylus)
        );
        let mut dict = code.clone();
        dict[3] = 0x01;
        assert_eq!(parse_contract_code(&dict), Err(WasmError::Dictionary(1)));
    }

    #[test]
    fn initcode_is_cargo_stylus_prelude_byte_for_byte() {
        let code = [0xEF, 0xF0, 0x00, 0x00, 0xAA, 0xBB];
        let init = initcode(&code);
        let mut expected = vec![0x7f];
        expected.extend_from_slice(&[0u8; 31]);
        expected.push(6);
        expected.extend_from_slice(&[0x80, 0x60, 0x2b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3, 0x00]);
        expected.extend_from_slice(&code);
        assert_eq!(init, expected);
        assert_eq!(init.len(), PRELUDE_LEN + code.len());
        assert_eq!(parse_initcode(&init), Some(&code[..]));
    }

    #[test]
    fn parse_initcode_refuses_other_evm_code() {
        let code = [1u8, 2, 3];
        let init = initcode(&code);
        // wrong length word
        let mut bad = init.clone();
        bad[32] = 4;
        assert_eq!(parse_initcode(&bad), None);
        // extra byte after the code
        let mut longer = init.clone();
        longer.push(0);
        assert_eq!(parse_initcode(&longer), None);
        // a different instruction (PUSH1 0x2c)
        let mut other = init.clone();
        other[35] = 0x2c;
        assert_eq!(parse_initcode(&other), None);
        // a Solidity constructor prefix
        assert_eq!(parse_initcode(&[0x60, 0x80, 0x60, 0x40, 0x52]), None);
        assert_eq!(parse_initcode(&[]), None);
        // empty code is a valid prelude
        assert_eq!(parse_initcode(&initcode(&[])), Some(&[][..]));
    }

    #[test]
    fn inspect_lists_imports_exports_and_floats() {
        let report = inspect(&rustc_like_module()).expect("inspect");
        assert_eq!(
            report.imports,
            vec![("vm_hooks".to_string(), "msg_reentrant".to_string())]
        );
        assert_eq!(
            report.exports,
            vec!["user_entrypoint".to_string(), "memory".to_string()]
        );
        assert_eq!(report.float_ops, 0);
        assert!(report.has_entrypoint());
        assert!(report.foreign_imports().is_empty());
        assert_eq!(report.hostios(), vec!["msg_reentrant"]);
        assert_eq!(report.code_len, report.compressed_len + 4);
        assert!(report.prepared_len < report.raw_len);
    }

    #[test]
    fn float_instructions_are_counted() {
        // (func (result i32) f32.const 1.5 i32.trunc_f32_s)
        let mut m = vec![0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        section(&mut m, 1, &[0x01, 0x60, 0x00, 0x01, 0x7f]);
        section(&mut m, 3, &[0x01, 0x00]);
        let body = [0x00, 0x43, 0x00, 0x00, 0xc0, 0x3f, 0xa8, 0x0b];
        let mut code = vec![0x01, body.len() as u8];
        code.extend_from_slice(&body);
        section(&mut m, 10, &code);
        let report = inspect(&m).expect("inspect");
        assert_eq!(report.float_ops, 2);
        assert!(!report.has_entrypoint());
    }
}
