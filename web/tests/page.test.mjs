// The depositor's page in a real browser (Debian's Chromium, headless,
// driven by playwright-core) against the real chain: `il-demo --keep-running`
// deploys the system on il-devnet, runs a short path and serves the built
// page (web/dist). A test wallet (tests/wallet.mjs) signs with a dev key.
// Run by scripts/web-test.sh (part of scripts/test.sh), which builds
// everything first and says where the binaries are (IL_DEMO_BIN, ...).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { createPublicClient, createWalletClient, http, parseAbi, parseUnits } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { TestWallet } from './wallet.mjs';

const MNEMONIC = 'test test test test test test test test test test test junk';
const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
const depositor = mnemonicToAccount(MNEMONIC, { addressIndex: 5 });
const trader = mnemonicToAccount(MNEMONIC, { addressIndex: 6 });
const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set: run scripts/web-test.sh`);
  return v;
};
// Screenshots go to IL_WEB_SCREENSHOTS (web/docs to refresh the README's) or a temp dir.
const shots = process.env.IL_WEB_SCREENSHOTS || mkdtempSync(join(tmpdir(), 'il-web-shots-'));
mkdirSync(shots, { recursive: true });

const erc20 = parseAbi([
  'function mint(address to, uint256 amount)',
  'function balanceOf(address) view returns (uint256)',
  'function approve(address spender, uint256 value) returns (bool)',
]);
const vaultAbi = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function lockOf(address account) view returns (uint256 shares, uint64 unlockAt)',
]);
const lensAbi = parseAbi([
  'function position() view returns (uint256 sqrtPriceX96, int256 tick, uint256 lpFee, uint256 liquidity, uint256 fees0, uint256 fees1)',
]);
const routerAbi = parseAbi([
  'struct PoolKey { address currency0; address currency1; uint24 fee; int24 tickSpacing; address hooks; }',
  'struct SwapParams { bool zeroForOne; int256 amountSpecified; uint160 sqrtPriceLimitX96; }',
  'struct TestSettings { bool takeClaims; bool settleUsingBurn; }',
  'function swap(PoolKey key, SwapParams params, TestSettings testSettings, bytes hookData) payable returns (int256)',
]);
const oracleAbi = parseAbi([
  'function latestAnswer() view returns (int256)',
  'function setAnswer(int256 answer)',
]);

let demo; // the il-demo process, from its spawn on (stopped by `after` whatever happens)
let demoOut; // its --out directory (removed by `after`)
let browser;
let base; // the page's URL
let network; // { chainId, rpcUrl }
let manifest;
let pub;

function startDemo() {
  demoOut = mkdtempSync(join(tmpdir(), 'il-web-demo-'));
  const child = spawn(
    env('IL_DEMO_BIN'),
    ['--days', '3', '--seed', '5', '--keep-running', '--no-withdrawal', '--out', demoOut, '--web-dir', env('IL_WEB_DIR'),
      '--keeper-bin', env('IL_KEEPER_BIN'), '--wasm-dir', env('IL_WASM_DIR')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  demo = child;
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`il-demo did not come up in 600 s:\n${text}`)), 600_000);
    const onData = (chunk) => {
      text += chunk;
      const url = /web page: (http:\/\/\S+)/.exec(text);
      if (url && text.includes('Ctrl-C stops it')) {
        clearTimeout(timer);
        resolve(url[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => (text += c));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`il-demo exited with ${code} before serving the page:\n${text}`));
    });
  });
}

async function send(account, to, abi, functionName, args) {
  const w = createWalletClient({ account, chain: pub.chain, transport: http(network.rpcUrl) });
  const hash = await w.writeContract({ address: to, abi, functionName, args });
  const r = await pub.waitForTransactionReceipt({ hash });
  assert.equal(r.status, 'success', `${functionName} reverted`);
}

before(async () => {
  // IL_WEB_URL: a page already served by `il-demo --keep-running` (iterating on the page).
  if (process.env.IL_WEB_URL) {
    base = process.env.IL_WEB_URL.replace(/\/?$/, '/');
  } else {
    base = await startDemo();
  }
  network = await (await fetch(`${base}network.json`)).json();
  manifest = await (await fetch(`${base}manifest.json`)).json();
  const chain = {
    id: network.chainId,
    name: 'local',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [network.rpcUrl] } },
  };
  pub = createPublicClient({ chain, transport: http(network.rpcUrl), pollingInterval: 200 });
  const c = manifest.contracts;
  // The depositor gets 20 tWETH and 100,000 tUSDC.
  await send(owner, c.token0, erc20, 'mint', [depositor.address, parseUnits('20', 18)]);
  await send(owner, c.token1, erc20, 'mint', [depositor.address, parseUnits('100000', 6)]);
  await send(owner, c.token0, erc20, 'mint', [trader.address, parseUnits('1000', 18)]);
  await send(owner, c.token1, erc20, 'mint', [trader.address, parseUnits('2000000', 6)]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null && demo.signalCode === null) {
    const exited = new Promise((r) => demo.on('exit', r));
    demo.kill('SIGTERM');
    await exited;
  }
  if (demoOut) rmSync(demoOut, { recursive: true, force: true });
  if (!process.env.IL_WEB_SCREENSHOTS) rmSync(shots, { recursive: true, force: true });
});

/** A fresh page, with a test wallet unless `wallet` is null. */
async function open(wallet) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  if (wallet) await wallet.attach(page);
  await page.goto(base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return page;
}

const text = (page, id) => page.getByTestId(id).textContent();
const noticeText = (page) => page.getByTestId('notice').textContent();

/** Waits until element `testid`'s text matches `pattern`; fails with the text it has. */
async function waitText(page, testid, pattern, timeout = 60_000) {
  try {
    await page.waitForFunction(
      ([id, p]) => new RegExp(p).test(document.querySelector(`[data-testid=${id}]`)?.textContent ?? ''),
      [testid, pattern.source],
      { timeout },
    );
  } catch (e) {
    const now = await page.getByTestId(testid).textContent().catch(() => '(none)');
    throw new Error(`${testid} never matched ${pattern}: it says "${now}" (notice: "${await noticeText(page)}")`, { cause: e });
  }
  return page.getByTestId(testid).textContent();
}

const waitNotice = (page, pattern) => waitText(page, 'notice', pattern);

function newWallet(startChainId) {
  return new TestWallet({ account: depositor, rpcUrl: network.rpcUrl, chainId: network.chainId, startChainId });
}

test('without a wallet the page reads the vault and says a wallet is needed', async () => {
  const page = await open(null);
  assert.match(await text(page, 'vault-price'), /^[\d,]+\.\d\d tUSDC per tWETH$/);
  assert.match(await text(page, 'vault-fee'), /^\d\.\d{2,4} %$/);
  assert.equal(await text(page, 'vault-range'), 'full range');
  assert.match(await noticeText(page), /No browser wallet found/);
  assert.equal(await page.getByTestId('connect').isDisabled(), true);
  await page.getByTestId('amount0').fill('1');
  await page.getByTestId('deposit').click();
  assert.match(await noticeText(page), /No browser wallet found/);
  await page.context().close();
});

test('a deployment that cannot load is said so; one from another site is flagged', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}?manifest=missing.json`);
  assert.match(
    await waitNotice(page, /cannot start/),
    /^The page cannot start: no deployment manifest at missing\.json \(give one with \?manifest=URL\)\.$/,
  );
  // The same chain's manifest, but published by another origin (localhost
  // vs 127.0.0.1): the page works and warns above everything.
  const other = base.replace('127.0.0.1', 'localhost');
  await page.goto(`${other}?manifest=${base}manifest.json&network=${base}network.json`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  assert.match(await text(page, 'warning'), /published by http:\/\/127\.0\.0\.1:\d+, not by the site serving the page/);
  assert.match(await text(page, 'vault-price'), /tUSDC per tWETH$/);
  await page.goto(base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  assert.equal(await page.getByTestId('warning').isHidden(), true);
  await context.close();
});

test('a wallet on another chain is told so, sends nothing, and switches', async () => {
  const wallet = newWallet(1);
  const page = await open(wallet);
  await page.getByTestId('connect').click();
  assert.match(await waitNotice(page, /Wrong network/), /your wallet is on chain 1, this vault is on il-devnet/);
  await page.getByTestId('amount0').fill('1');
  await page.getByTestId('amount1').fill('2000');
  await page.getByTestId('deposit').click();
  assert.match(await noticeText(page), /Wrong network/);
  assert.deepEqual(wallet.sent, []);
  await page.getByTestId('switch').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=switch]').hidden);
  assert.match(await text(page, 'wallet-status'), new RegExp(`on chain ${network.chainId}$`));
  assert.equal(await text(page, 'account-shares'), '0 shares');
  assert.deepEqual(wallet.sent, []);
  await page.context().close();
});

test('bad input is refused on the page and nothing is sent', async () => {
  const wallet = newWallet();
  const page = await open(wallet);
  await page.getByTestId('connect').click();
  await page.getByTestId('account-shares').waitFor();
  const cases = [
    [['abc', ''], /The amount of tWETH "abc" is not a number/],
    [['1.5e3', ''], /is not a number/],
    [['-2', '100'], /cannot be negative/],
    [['0.1', '1.0000001'], /tUSDC has 6 decimals/],
    [['', ''], /Enter an amount of tWETH or tUSDC/],
    [['0', '0'], /above zero/],
    [['25', '100000'], /You have 20 tWETH, less than the 25 tWETH entered/],
  ];
  for (const [[a0, a1], want] of cases) {
    await page.getByTestId('amount0').fill(a0);
    await page.getByTestId('amount1').fill(a1);
    await page.getByTestId('deposit').click();
    assert.match(await waitNotice(page, want), want);
  }
  await page.getByTestId('amount0').fill('1');
  await page.getByTestId('slippage').fill('75');
  await page.getByTestId('deposit').click();
  assert.match(await waitNotice(page, /Slippage "75" must be a percentage from 0 to 50/), /Slippage/);
  await page.getByTestId('shares').fill('1');
  await page.getByTestId('withdraw').click();
  assert.match(await waitNotice(page, /You hold 0 shares, fewer than the 1 shares entered/), /You hold/);
  assert.deepEqual(wallet.sent, []);
  assert.ok(!wallet.asked.includes('eth_sendTransaction'));
  await page.context().close();
});

test('connect, preview, deposit, see shares and the IL line', async () => {
  const wallet = newWallet();
  const page = await open(wallet);
  await page.getByTestId('connect').click();
  await page.getByTestId('account-shares').waitFor();
  await page.getByTestId('amount0').fill('2');
  await page.getByTestId('amount1').fill('20000');
  await waitText(page, 'deposit-preview', /Would mint/);
  const preview = await text(page, 'deposit-preview');
  await page.screenshot({ path: join(shots, 'before-deposit.png'), fullPage: true });
  await page.getByTestId('deposit').click();
  const done = await waitNotice(page, /^Deposited /);
  assert.match(done, /^Deposited [\d.]+ tWETH \+ [\d,.]+ tUSDC for [\d,.]+ shares\.$/);
  // approve tWETH, approve tUSDC, deposit
  assert.equal(wallet.sent.length, 3);
  const onChain = await pub.readContract({
    address: manifest.contracts.vault,
    abi: vaultAbi,
    functionName: 'balanceOf',
    args: [depositor.address],
  });
  assert.ok(onChain > 0n);
  await waitText(page, 'account-shares', /^(?!0 shares$)/);
  const shown = (await text(page, 'account-shares')).replace(/ shares$/, '').replaceAll(',', '');
  assert.equal(parseUnits(shown, 18), onChain, `page shows ${shown}, chain holds ${onChain}`);
  const minted = /Would mint ([\d,.]+) shares/.exec(preview)[1].replaceAll(',', '');
  assert.equal(parseUnits(minted, 18), onChain, 'the deposit minted what the preview said');
  assert.match(await text(page, 'account-il'), /^[-+]?[\d,]+\.\d\d tUSDC$/);
  assert.match(await text(page, 'account-value'), /^[\d,]+\.\d\d tUSDC$/);
  await page.screenshot({ path: join(shots, 'after-deposit.png'), fullPage: true });

  await page.context().close();
});

test('a deposit whose price moved past the slippage is refused with its named error', async () => {
  const wallet = newWallet();
  const page = await open(wallet);
  await page.getByTestId('connect').click();
  await page.getByTestId('account-shares').waitFor();
  await page.getByTestId('slippage').fill('0');
  await page.getByTestId('amount0').fill('1');
  await page.getByTestId('amount1').fill('50000');
  // The vault takes both tokens in proportion to what it holds, up to the
  // amounts entered: one side limits. Between the page's preview and the
  // deposit the market moves 0.1 % (the oracle, and a trader who swaps the
  // pool there) in the direction that makes the limiting token a larger
  // part of the vault: the same amounts buy a smaller fraction of it, below
  // the minimum (slippage 0).
  const shown = await waitText(page, 'deposit-preview', /Would mint/);
  // tUSDC limits when all 50,000 are taken; else tWETH does.
  const limitedBy0 = !/\+ 50,000 tUSDC;/.test(shown);
  let moved = false;
  wallet.beforeSend = async (tx) => {
    if (moved || tx.to.toLowerCase() !== manifest.contracts.vault.toLowerCase()) return;
    moved = true;
    const c = manifest.contracts;
    const answer = await pub.readContract({ address: c.oracle, abi: oracleAbi, functionName: 'latestAnswer' });
    await send(owner, c.oracle, oracleAbi, 'setAnswer', [(answer * (limitedBy0 ? 999n : 1001n)) / 1000n]);
    const [sqrtPrice] = await pub.readContract({ address: c.lens, abi: lensAbi, functionName: 'position' });
    const limit = (sqrtPrice * (limitedBy0 ? 19_990n : 20_010n)) / 20_000n;
    const [token, amount] = limitedBy0 ? [c.token0, parseUnits('100', 18)] : [c.token1, parseUnits('1000000', 6)];
    await send(trader, token, erc20, 'approve', [c.swap_router, amount]);
    const p = manifest.pool;
    const key = { currency0: p.currency0, currency1: p.currency1, fee: p.fee, tickSpacing: p.tick_spacing, hooks: p.hooks };
    await send(trader, c.swap_router, routerAbi, 'swap', [
      key,
      { zeroForOne: limitedBy0, amountSpecified: -amount, sqrtPriceLimitX96: limit },
      { takeClaims: false, settleUsingBurn: false },
      '0x',
    ]);
  };
  const sharesBefore = await pub.readContract({
    address: manifest.contracts.vault,
    abi: vaultAbi,
    functionName: 'balanceOf',
    args: [depositor.address],
  });
  await page.getByTestId('deposit').click();
  const refused = await waitNotice(page, /VaultInsufficientShares|refused|failed/);
  assert.match(refused, /^Deposit refused: it would mint [\d,.]+ shares, fewer than your minimum of [\d,.]+ shares\..*\(VaultInsufficientShares\)$/);
  assert.ok(moved);
  const held = await pub.readContract({
    address: manifest.contracts.vault,
    abi: vaultAbi,
    functionName: 'balanceOf',
    args: [depositor.address],
  });
  assert.equal(held, sharesBefore, 'no shares were minted');
  await page.context().close();
});

test('withdraw everything with Max', async () => {
  const wallet = newWallet();
  const page = await open(wallet);
  await page.getByTestId('connect').click();
  await page.getByTestId('account-shares').waitFor();
  // Shares minted while a hedge is open are locked for a while: the
  // preview says until when; the chain's clock is then moved past it.
  const [, unlockAt] = await pub.readContract({
    address: manifest.contracts.vault,
    abi: vaultAbi,
    functionName: 'lockOf',
    args: [depositor.address],
  });
  const now = (await pub.getBlock()).timestamp;
  if (unlockAt > now) {
    await page.getByTestId('max').click();
    await waitText(page, 'withdraw-preview', /are locked until .*\(VaultLocked\)$/);
    await pub.request({ method: 'evm_setNextBlockTimestamp', params: [Number(unlockAt) + 1] });
    await pub.request({ method: 'evm_mine', params: [] });
  }
  await page.getByTestId('max').click();
  await waitText(page, 'withdraw-preview', /Would pay/);
  await page.getByTestId('withdraw').click();
  assert.match(await waitNotice(page, /^Withdrew /), /^Withdrew [\d,.]+ shares for [\d.]+ tWETH \+ [\d,.]+ tUSDC/);
  const left = await pub.readContract({
    address: manifest.contracts.vault,
    abi: vaultAbi,
    functionName: 'balanceOf',
    args: [depositor.address],
  });
  assert.equal(left, 0n);
  await waitText(page, 'account-shares', /^0 shares$/);
  assert.equal(wallet.sent.length, 1);
  await page.context().close();
});
