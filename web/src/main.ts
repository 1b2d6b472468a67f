// The depositor's page: the vault and the connected account from the lens,
// deposit (preview, approve, deposit with a minimum of shares) and withdraw
// (preview, minimum amounts) through any EIP-1193 wallet. Reads go to the
// network's RPC; only signing goes through the wallet. Every refusal, by
// the page or by the chain, is one sentence in the notice line, and a
// refusal by the page sends nothing.
import {
  type Abi,
  type Address,
  type Chain,
  type EIP1193Provider,
  type PublicClient,
  type TransactionReceipt,
  createPublicClient,
  createWalletClient,
  custom,
  decodeEventLog,
  defineChain,
  encodeFunctionData,
  getAddress,
  http,
  numberToHex,
} from 'viem';
import { lensAbi, tokenAbi, vaultAbi } from './abi';
import { type Manifest, type Network, foreignManifest, loadDeployment } from './deployment';
import { type ErrorContext, explainError } from './errors';
import { formatPips, formatRatio, formatUnits, lessBps, parseAmount, parseSlippage } from './units';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

interface Token {
  address: Address;
  symbol: string;
  decimals: number;
}

interface App {
  manifest: Manifest;
  network: Network;
  chain: Chain;
  pub: PublicClient;
  token0: Token;
  token1: Token;
  shareDecimals: number;
  ctx: ErrorContext;
}

let app: App | undefined;
const eth = (window as unknown as { ethereum?: EIP1193Provider }).ethereum;
let account: Address | undefined;
let walletChainId: number | undefined;
let busy = false;

// ---- notice and activity -------------------------------------------------

function notice(kind: 'error' | 'info' | 'ok', text: string) {
  const n = $('notice');
  n.textContent = text;
  n.className = kind;
  n.hidden = false;
}

function clearNotice() {
  const n = $('notice');
  n.hidden = true;
  n.textContent = '';
}

function log(text: string) {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $('log').prepend(li);
}

function fail(err: unknown) {
  notice('error', app ? explainError(err, app.ctx) : String((err as Error)?.message ?? err));
}

// ---- rendering -------------------------------------------------------------

type Row = [label: string, value: string, testid: string, sign?: bigint];

function render(dl: HTMLElement, rows: Row[]) {
  dl.replaceChildren();
  for (const [label, value, testid, sign] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.dataset.testid = testid;
    // Coloured only when the shown figure is not zero.
    if (sign !== undefined && /[1-9]/.test(value)) dd.className = sign < 0n ? 'neg' : 'pos';
    dl.append(dt, dd);
  }
}

const money = (v: bigint) => `${formatUnits(v, app!.token1.decimals, 2, 2)} ${app!.token1.symbol}`;
const signedMoney = (v: bigint) => `${v > 0n ? '+' : ''}${money(v)}`;
const amount = (v: bigint, t: Token) => `${formatUnits(v, t.decimals, 6)} ${t.symbol}`;
const shares = (v: bigint) => `${formatUnits(v, app!.shareDecimals, app!.shareDecimals)} shares`;

const FULL_RANGE_TICK = 887_000n;

async function refreshVault() {
  const a = app!;
  const c = a.manifest.contracts;
  const read = (address: Address, abi: Abi, functionName: string, args: unknown[] = []) =>
    a.pub.readContract({ address, abi, functionName, args });
  const [price, position, accounting, supply, pool] = (await Promise.all([
    read(c.lens, lensAbi, 'price'),
    read(c.lens, lensAbi, 'position'),
    read(c.lens, lensAbi, 'accounting'),
    read(c.vault, vaultAbi, 'totalSupply'),
    read(c.vault, vaultAbi, 'pool'),
  ])) as [bigint[], bigint[], bigint[], bigint, [number, Address, bigint, bigint]];
  // The oracle's price is token1 raw per token0 raw: scale to whole tokens.
  const scale = 10n ** BigInt(a.token0.decimals);
  const unscale = 10n ** BigInt(a.token1.decimals);
  const oracle = formatRatio(price[0] * scale, price[1] * unscale, 2);
  const [, tickLower, tickUpper] = [pool[0], pool[2], pool[3]];
  const range =
    tickLower <= -FULL_RANGE_TICK && tickUpper >= FULL_RANGE_TICK ? 'full range' : `ticks ${tickLower} to ${tickUpper}`;
  const [value, hold, pnl, il, fees, hedge] = accounting;
  render($('vault'), [
    ['Network', `${a.network.name} (chain ${a.network.chainId})`, 'vault-network'],
    ['Oracle price', `${oracle} ${a.token1.symbol} per ${a.token0.symbol}`, 'vault-price'],
    ['Pool vs oracle', `${formatUnits(price[3], 2, 2)} % apart`, 'vault-deviation'],
    ['LP fee (set by the hook)', formatPips(position[2]), 'vault-fee'],
    ['Range', range, 'vault-range'],
    ['Value (TVL)', money(value), 'vault-value'],
    ['Held instead', money(hold), 'vault-hold'],
    ['Result vs holding', signedMoney(pnl), 'vault-pnl', pnl],
    ['  impermanent loss', signedMoney(il), 'vault-il', il],
    ['  fee income', signedMoney(fees), 'vault-fees', fees],
    ['  hedge PnL', signedMoney(hedge), 'vault-hedge', hedge],
    ['Shares outstanding', shares(supply), 'vault-supply'],
  ]);
}

let accountShares = 0n;
let balance0 = 0n;
let balance1 = 0n;

async function refreshAccount() {
  const a = app!;
  if (!account) {
    $('account').replaceChildren();
    $('account-hint').hidden = false;
    return;
  }
  const c = a.manifest.contracts;
  const [acc, b0, b1] = (await Promise.all([
    a.pub.readContract({ address: c.lens, abi: lensAbi, functionName: 'accountOf', args: [account] }),
    a.pub.readContract({ address: a.token0.address, abi: tokenAbi, functionName: 'balanceOf', args: [account] }),
    a.pub.readContract({ address: a.token1.address, abi: tokenAbi, functionName: 'balanceOf', args: [account] }),
  ])) as [bigint[], bigint, bigint];
  const [sh, value, hold, pnl, il, fees, hedge] = acc;
  accountShares = sh;
  balance0 = b0;
  balance1 = b1;
  $('account-hint').hidden = true;
  render($('account'), [
    ['Shares', shares(sh), 'account-shares'],
    ['Value', money(value), 'account-value'],
    ['Held instead', money(hold), 'account-hold'],
    ['Result vs holding', signedMoney(pnl), 'account-pnl', pnl],
    ['  impermanent loss', signedMoney(il), 'account-il', il],
    ['  fee income', signedMoney(fees), 'account-fees', fees],
    ['  hedge PnL', signedMoney(hedge), 'account-hedge', hedge],
    [`Wallet ${a.token0.symbol}`, amount(b0, a.token0), 'account-balance0'],
    [`Wallet ${a.token1.symbol}`, amount(b1, a.token1), 'account-balance1'],
  ]);
}

async function refresh() {
  if (!app) return;
  try {
    await refreshVault();
    await refreshAccount();
  } catch (err) {
    fail(err);
  }
}

// ---- wallet ----------------------------------------------------------------

function showWallet() {
  const status = $('wallet-status');
  const sw = $<HTMLButtonElement>('switch');
  if (!eth) {
    status.textContent = 'no browser wallet';
    $<HTMLButtonElement>('connect').disabled = true;
    sw.hidden = true;
    return;
  }
  const want = app?.network.chainId;
  status.textContent = account
    ? `${account.slice(0, 6)}…${account.slice(-4)} on chain ${walletChainId ?? '?'}`
    : 'no wallet connected';
  $<HTMLButtonElement>('connect').hidden = account !== undefined;
  sw.hidden = !(account && want !== undefined && walletChainId !== want);
  if (account && want !== undefined && walletChainId !== want) {
    notice(
      'error',
      `Wrong network: your wallet is on chain ${walletChainId}, this vault is on ${app!.network.name} (chain ${want}). ` +
        'Switch network to use it.',
    );
  }
}

async function readWallet(request: boolean) {
  if (!eth) return;
  const accounts = (await eth.request({ method: request ? 'eth_requestAccounts' : 'eth_accounts' })) as string[];
  account = accounts.length > 0 ? getAddress(accounts[0]) : undefined;
  walletChainId = Number.parseInt((await eth.request({ method: 'eth_chainId' })) as string, 16);
  showWallet();
  await refresh();
}

async function connect() {
  clearNotice();
  if (!eth) {
    notice('error', 'No browser wallet found: install an EIP-1193 wallet (MetaMask, Rabby, …) to deposit.');
    return;
  }
  try {
    await readWallet(true);
  } catch (err) {
    fail(err);
  }
}

async function switchNetwork() {
  if (!eth || !app) return;
  const n = app.network;
  const chainId = numberToHex(n.chainId);
  clearNotice();
  try {
    try {
      await eth.request({ method: 'wallet_switchEthereumChain', params: [{ chainId }] });
    } catch (err) {
      const code = (err as { code?: number; data?: { originalError?: { code?: number } } }).code;
      const inner = (err as { data?: { originalError?: { code?: number } } }).data?.originalError?.code;
      if (code !== 4902 && inner !== 4902) throw err;
      // The wallet does not know the chain yet: offer to add it.
      await eth.request({
        method: 'wallet_addEthereumChain',
        params: [
          {
            chainId,
            chainName: n.name,
            nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
            rpcUrls: [n.rpcUrl],
            blockExplorerUrls: n.explorer ? [n.explorer] : undefined,
          },
        ],
      });
    }
    await readWallet(false);
  } catch (err) {
    fail(err);
  }
}

/** The connected account on the vault's chain, or a sentence why not. */
function ready(): Address | string {
  if (!app) return 'The deployment did not load.';
  if (!eth) return 'No browser wallet found: install an EIP-1193 wallet (MetaMask, Rabby, …) to deposit.';
  if (!account) return 'Connect a wallet first.';
  if (walletChainId !== app.network.chainId) {
    return `Wrong network: your wallet is on chain ${walletChainId}, this vault is on ${app.network.name} (chain ${app.network.chainId}).`;
  }
  return account;
}

/**
 * Simulates one contract call from the connected account (a call the chain
 * would refuse now is not sent), sends it from the wallet and waits for it;
 * throws the revert.
 */
async function send(label: string, to: Address, abi: Abi, functionName: string, args: unknown[]): Promise<TransactionReceipt> {
  const a = app!;
  const from = account!;
  await a.pub.simulateContract({ address: to, abi, functionName, args, account: from });
  const wallet = createWalletClient({ account: from, chain: a.chain, transport: custom(eth!) });
  notice('info', `${label}: confirm in your wallet…`);
  const hash = await wallet.writeContract({ address: to, abi, functionName, args, account: from, chain: a.chain });
  log(`${label}: sent ${hash}`);
  notice('info', `${label}: waiting for ${hash.slice(0, 10)}…`);
  const receipt = await a.pub.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') {
    // Replay it on the state it ran on to learn the named error.
    const data = encodeFunctionData({ abi, functionName, args });
    await a.pub.call({ account: from, to, data, blockNumber: receipt.blockNumber - 1n });
    throw new Error(`${label} reverted in block ${receipt.blockNumber} (${hash})`);
  }
  log(`${label}: included in block ${receipt.blockNumber}`);
  return receipt;
}

function eventArgs(receipt: TransactionReceipt, eventName: string): Record<string, bigint> | undefined {
  for (const l of receipt.logs) {
    if (l.address.toLowerCase() !== app!.manifest.contracts.vault.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({ abi: vaultAbi, data: l.data, topics: l.topics });
      if (ev.eventName === eventName) return ev.args as unknown as Record<string, bigint>;
    } catch {
      // another event
    }
  }
  return undefined;
}

// ---- deposit -----------------------------------------------------------------

type DepositPlan = { a0: bigint; a1: bigint; shares: bigint; take0: bigint; take1: bigint; minShares: bigint };

/** Reads the form; a sentence when it cannot be a deposit. */
async function planDeposit(): Promise<DepositPlan | string> {
  const a = app!;
  const t0 = $<HTMLInputElement>('amount0').value;
  const t1 = $<HTMLInputElement>('amount1').value;
  if (t0.trim() === '' && t1.trim() === '') return `Enter an amount of ${a.token0.symbol} or ${a.token1.symbol} to deposit.`;
  const p0 = t0.trim() === '' ? { ok: true as const, value: 0n } : parseAmount(t0, a.token0.decimals, a.token0.symbol);
  if (!p0.ok) return p0.error;
  const p1 = t1.trim() === '' ? { ok: true as const, value: 0n } : parseAmount(t1, a.token1.decimals, a.token1.symbol);
  if (!p1.ok) return p1.error;
  if (p0.value === 0n && p1.value === 0n) return 'Enter an amount above zero.';
  const slip = parseSlippage($<HTMLInputElement>('slippage').value);
  if (!slip.ok) return slip.error;
  const [shares, take0, take1] = (await a.pub.readContract({
    address: a.manifest.contracts.lens,
    abi: lensAbi,
    functionName: 'previewDeposit',
    args: [p0.value, p1.value],
  })) as bigint[];
  if (shares === 0n) {
    return `In proportion to what the vault holds, this deposit mints no share: add both ${a.token0.symbol} and ${a.token1.symbol}.`;
  }
  const minShares = lessBps(shares, slip.bps) > 0n ? lessBps(shares, slip.bps) : 1n;
  return { a0: p0.value, a1: p1.value, shares, take0, take1, minShares };
}

function describeDeposit(p: DepositPlan): string {
  const a = app!;
  return (
    `Would mint ${shares(p.shares)} for ${amount(p.take0, a.token0)} + ${amount(p.take1, a.token1)}; ` +
    `refused below ${shares(p.minShares)}.`
  );
}

/** Writes a plan's description, or why there is none, into `id`. */
async function preview<P>(id: string, plan: () => Promise<P | string>, describe: (p: P) => string) {
  if (!app) return;
  const out = $(id);
  try {
    const p = await plan();
    out.textContent = typeof p === 'string' ? p : describe(p);
  } catch (err) {
    out.textContent = explainError(err, app.ctx);
  }
}

const previewDeposit = () => preview('deposit-preview', planDeposit, describeDeposit);

/**
 * A form's submit handler running `body` once at a time, for the connected
 * account on the vault's chain (else the sentence why, and nothing sent);
 * any failure becomes the notice; the figures are read again after.
 */
function guarded(body: (from: Address, a: App) => Promise<void>): (ev: Event) => Promise<void> {
  return async (ev) => {
    ev.preventDefault();
    if (busy) return;
    clearNotice();
    const who = ready();
    if (!who.startsWith('0x')) return notice('error', who);
    busy = true;
    setButtons();
    try {
      await body(who as Address, app!);
    } catch (err) {
      fail(err);
    } finally {
      busy = false;
      setButtons();
      await refresh();
    }
  };
}

const deposit = guarded(async (from, a) => {
  const plan = await planDeposit();
  if (typeof plan === 'string') return notice('error', plan);
  await refreshAccount();
  if (plan.a0 > balance0) {
    return notice('error', `You have ${amount(balance0, a.token0)}, less than the ${amount(plan.a0, a.token0)} entered.`);
  }
  if (plan.a1 > balance1) {
    return notice('error', `You have ${amount(balance1, a.token1)}, less than the ${amount(plan.a1, a.token1)} entered.`);
  }
  $('deposit-preview').textContent = describeDeposit(plan);
  const vault = a.manifest.contracts.vault;
  for (const [t, need] of [
    [a.token0, plan.a0],
    [a.token1, plan.a1],
  ] as [Token, bigint][]) {
    if (need === 0n) continue;
    const allowance = (await a.pub.readContract({
      address: t.address,
      abi: tokenAbi,
      functionName: 'allowance',
      args: [from, vault],
    })) as bigint;
    if (allowance < need) await send(`Approve ${amount(need, t)}`, t.address, tokenAbi, 'approve', [vault, need]);
  }
  const receipt = await send('Deposit', vault, vaultAbi, 'deposit', [plan.a0, plan.a1, plan.minShares, from]);
  const d = eventArgs(receipt, 'Deposit');
  notice(
    'ok',
    d
      ? `Deposited ${amount(d.amount0, a.token0)} + ${amount(d.amount1, a.token1)} for ${shares(d.shares)}.`
      : 'Deposited.',
  );
  $<HTMLInputElement>('amount0').value = '';
  $<HTMLInputElement>('amount1').value = '';
  $('deposit-preview').textContent = '';
});

// ---- withdraw ------------------------------------------------------------------

type WithdrawPlan = { shares: bigint; out0: bigint; out1: bigint; min0: bigint; min1: bigint };

async function planWithdraw(from: Address): Promise<WithdrawPlan | string> {
  const a = app!;
  const p = parseAmount($<HTMLInputElement>('shares').value, a.shareDecimals, 'shares');
  if (!p.ok) return p.error;
  if (p.value === 0n) return 'Enter a number of shares above zero.';
  if (p.value > accountShares) return `You hold ${shares(accountShares)}, fewer than the ${shares(p.value)} entered.`;
  const slip = parseSlippage($<HTMLInputElement>('slippage').value);
  if (!slip.ok) return slip.error;
  const { result } = await a.pub.simulateContract({
    address: a.manifest.contracts.vault,
    abi: vaultAbi,
    functionName: 'withdraw',
    args: [p.value, 0n, 0n, from],
    account: from,
  });
  const [out0, out1] = result as unknown as [bigint, bigint];
  return { shares: p.value, out0, out1, min0: lessBps(out0, slip.bps), min1: lessBps(out1, slip.bps) };
}

function describeWithdraw(p: WithdrawPlan): string {
  const a = app!;
  return (
    `Would pay ${amount(p.out0, a.token0)} + ${amount(p.out1, a.token1)}; ` +
    `refused below ${amount(p.min0, a.token0)} + ${amount(p.min1, a.token1)}.`
  );
}

const previewWithdraw = async () => {
  const from = account;
  if (from) await preview('withdraw-preview', () => planWithdraw(from), describeWithdraw);
};

const withdraw = guarded(async (from, a) => {
  await refreshAccount();
  const plan = await planWithdraw(from);
  if (typeof plan === 'string') return notice('error', plan);
  $('withdraw-preview').textContent = describeWithdraw(plan);
  const vault = a.manifest.contracts.vault;
  const receipt = await send('Withdraw', vault, vaultAbi, 'withdraw', [plan.shares, plan.min0, plan.min1, from]);
  const w = eventArgs(receipt, 'Withdraw');
  notice(
    'ok',
    w
      ? `Withdrew ${shares(w.shares)} for ${amount(w.amount0, a.token0)} + ${amount(w.amount1, a.token1)}` +
          (w.hedgePaid > 0n ? ` and a hedge payout of ${amount(w.hedgePaid, a.token1)}.` : '.')
      : 'Withdrawn.',
  );
  $<HTMLInputElement>('shares').value = '';
  $('withdraw-preview').textContent = '';
});

// ---- start -----------------------------------------------------------------------

function setButtons() {
  for (const id of ['deposit', 'withdraw', 'max']) $<HTMLButtonElement>(id).disabled = busy || !app;
}

function debounce(fn: () => void, ms: number): () => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}

async function token(pub: PublicClient, address: Address): Promise<Token> {
  const [symbol, decimals] = await Promise.all([
    pub.readContract({ address, abi: tokenAbi, functionName: 'symbol' }) as Promise<string>,
    pub.readContract({ address, abi: tokenAbi, functionName: 'decimals' }) as Promise<number>,
  ]);
  return { address, symbol, decimals: Number(decimals) };
}

async function start() {
  setButtons();
  showWallet();
  $('connect').addEventListener('click', connect);
  $('switch').addEventListener('click', switchNetwork);
  $('deposit-form').addEventListener('submit', deposit);
  $('withdraw-form').addEventListener('submit', withdraw);
  const depositPreview = debounce(previewDeposit, 300);
  const withdrawPreview = debounce(previewWithdraw, 300);
  for (const id of ['amount0', 'amount1']) $(id).addEventListener('input', depositPreview);
  $('shares').addEventListener('input', withdrawPreview);
  $('slippage').addEventListener('input', () => {
    depositPreview();
    withdrawPreview();
  });
  $('max').addEventListener('click', () => {
    if (!app) return;
    $<HTMLInputElement>('shares').value = formatUnits(accountShares, app.shareDecimals, app.shareDecimals).replaceAll(',', '');
    withdrawPreview();
  });
  let manifest: Manifest;
  let network: Network;
  let manifestUrl: string;
  try {
    ({ manifest, network, manifestUrl } = await loadDeployment(window.location.search));
  } catch (err) {
    notice('error', `The page cannot start: ${(err as Error).message}.`);
    return;
  }
  const foreign = foreignManifest(manifestUrl, window.location.href);
  if (foreign) {
    $('warning').textContent = foreign;
    $('warning').hidden = false;
  }
  const chain = defineChain({
    id: network.chainId,
    name: network.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [network.rpcUrl] } },
    blockExplorers: network.explorer ? { default: { name: 'explorer', url: network.explorer } } : undefined,
  });
  const pub = createPublicClient({ chain, transport: http(network.rpcUrl), pollingInterval: 500 }) as PublicClient;
  try {
    const c = manifest.contracts;
    const [token0, token1, shareDecimals] = await Promise.all([
      token(pub, c.token0),
      token(pub, c.token1),
      pub.readContract({ address: c.vault, abi: vaultAbi, functionName: 'decimals' }) as Promise<number>,
    ]);
    const names: Record<string, string> = {};
    for (const [k, v] of Object.entries(c)) names[(v as string).toLowerCase()] = k.replace('_', ' ');
    app = {
      manifest,
      network,
      chain,
      pub,
      token0,
      token1,
      shareDecimals: Number(shareDecimals),
      ctx: {
        symbol0: token0.symbol,
        decimals0: token0.decimals,
        symbol1: token1.symbol,
        decimals1: token1.decimals,
        shareDecimals: Number(shareDecimals),
        names,
      },
    };
  } catch (err) {
    notice('error', `Cannot read the vault on ${network.name} at ${network.rpcUrl}: ${explainError(err, {
      symbol0: 'token0', decimals0: 18, symbol1: 'token1', decimals1: 6, shareDecimals: 18, names: {},
    })}`);
    return;
  }
  $('symbol0').textContent = app.token0.symbol;
  $('symbol1').textContent = app.token1.symbol;
  $('footer').textContent = `vault ${manifest.contracts.vault} · lens ${manifest.contracts.lens} · reading ${network.rpcUrl}`;
  setButtons();
  await refresh();
  if (!eth) {
    notice('info', 'No browser wallet found: the figures are read from the chain; install an EIP-1193 wallet to deposit.');
  } else {
    eth.on?.('accountsChanged', () => void readWallet(false).catch(fail));
    eth.on?.('chainChanged', () => void readWallet(false).catch(fail));
    await readWallet(false).catch(fail);
  }
  setInterval(() => {
    if (!busy) void refresh();
  }, 5000);
  document.body.dataset.ready = 'true';
}

void start();

