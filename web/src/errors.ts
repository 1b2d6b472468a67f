// Why a call failed, in words. A revert carries a named Solidity error
// (the contracts' interfaces list them all); the page decodes it and says
// what it means for the depositor. Wallet refusals and transport failures
// get their own sentences.
import { type Abi, type Hex, decodeErrorResult, isHex } from 'viem';
import { errorsAbi } from './abi';
import { formatUnits } from './units';

/** What the sentences need: token and share units, contract names. */
export interface ErrorContext {
  symbol0: string;
  decimals0: number;
  symbol1: string;
  decimals1: number;
  shareDecimals: number;
  /** Contract name by lower-case address (from the manifest). */
  names: Record<string, string>;
}

/** The revert data carried anywhere in an error's chain of causes. */
export function revertData(err: unknown): Hex | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const key of ['data', 'raw']) {
      const d = o[key];
      if (typeof d === 'string' && isHex(d) && d.length >= 10) return d as Hex;
      if (d && typeof d === 'object') queue.push(d);
    }
    for (const key of ['cause', 'error', 'details']) if (o[key]) queue.push(o[key]);
  }
  return undefined;
}

function when(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toLocaleString();
}

/** A decoded revert in words (`undefined` when the data is no known error). */
export function explainRevert(data: Hex, ctx: ErrorContext, abi: Abi = errorsAbi, depth = 0): string | undefined {
  let decoded;
  try {
    decoded = decodeErrorResult({ abi, data });
  } catch {
    return undefined;
  }
  const args = (decoded.args ?? []) as readonly unknown[];
  const a0 = (v: unknown) => `${formatUnits(v as bigint, ctx.decimals0)} ${ctx.symbol0}`;
  const a1 = (v: unknown) => `${formatUnits(v as bigint, ctx.decimals1)} ${ctx.symbol1}`;
  const sh = (v: unknown) => `${formatUnits(v as bigint, ctx.shareDecimals, ctx.shareDecimals)} shares`;
  const name = decoded.errorName;
  const say = (text: string) => `${text} (${name})`;
  switch (name) {
    case 'VaultInsufficientShares':
      return say(
        `Deposit refused: it would mint ${sh(args[0])}, fewer than your minimum of ${sh(args[1])}. ` +
          'The pool moved since the preview; preview again, or allow more slippage.',
      );
    case 'VaultSlippage':
      return say(
        `Withdrawal refused: it would pay ${a0(args[0])} + ${a1(args[1])}, below your minimums ` +
          `${a0(args[2])} + ${a1(args[3])}. The pool moved since the preview; preview again, or allow more slippage.`,
      );
    case 'VaultDepositCap':
      return say(`Deposit refused: the vault would hold ${a1(args[0])} in value, over its deposit cap of ${a1(args[1])}.`);
    case 'VaultPaused':
      return say('Deposits are paused by the vault owner (withdrawals never are).');
    case 'VaultZeroAmount':
      return say('The amount is zero, or too small to mint or pay anything.');
    case 'VaultExceedsBalance':
      return say(`You hold ${sh(args[0])}, fewer than the ${sh(args[1])} asked for.`);
    case 'VaultLocked':
      return say(
        `These shares were minted while a hedge is open and are locked until ${when(args[0] as bigint)}; try again then.`,
      );
    case 'VaultPoolEmpty':
      return say('The vault has no pool yet (not set up or not initialised).');
    case 'VaultInvalidAddress':
      return say(`The address ${args[0]} cannot be used here.`);
    case 'VaultInsufficientIdle':
      return say('The vault does not hold enough idle tokens for this move.');
    case 'VaultMath':
      return say('The vault refused an amount its books cannot hold (overflow or underflow).');
    case 'VaultCallFailed':
    case 'LensCallFailed': {
      const target = (args[0] as string).toLowerCase();
      const who = ctx.names[target] ?? target;
      const inner = depth < 4 ? explainRevert(args[1] as Hex, ctx, abi, depth + 1) : undefined;
      return say(`A call to the ${who} failed${inner ? `: ${inner}` : ' without a known reason'}.`);
    }
    case 'WrappedError': {
      const target = (args[0] as string).toLowerCase();
      const who = ctx.names[target] ?? target;
      const inner = depth < 4 ? explainRevert(args[2] as Hex, ctx, abi, depth + 1) : undefined;
      return say(`The pool's hook (the ${who}) refused${inner ? `: ${inner}` : ' without a known reason'}.`);
    }
    case 'ManagerPriceDeviation':
      return say(
        `The pool's price is ${formatUnits(args[0] as bigint, 2, 2)} % away from the oracle's, more than the ` +
          `${formatUnits(args[1] as bigint, 2, 2)} % the vault accepts; wait until arbitrage brings it back.`,
      );
    case 'ManagerStalePrice':
      return say(`The oracle's price is stale (last updated ${when(args[0] as bigint)}); wait for the next update.`);
    case 'ManagerPaused':
      return say('The vault manager is paused by its owner.');
    case 'ERC20InsufficientBalance':
      return say(`Your token balance is too small: you hold ${args[1]} raw units, ${args[2]} are needed.`);
    case 'ERC20InsufficientAllowance':
      return say(`The vault may spend only ${args[1]} raw units of your token, ${args[2]} are needed: approve first.`);
    case 'TokenFaucetCooldown':
      return say(`The test-token faucet is cooling down until ${when(args[0] as bigint)}.`);
    case 'TokenFaucetDisabled':
      return say('This token has no faucet.');
    case 'ReentrantCall':
      return say('The vault refused a re-entrant call.');
    case 'LensInvalidPrice':
      return say(`The oracle answered ${args[0]}, not a positive price.`);
    case 'Error':
      return `Reverted: ${args[0]}`;
    case 'Panic':
      return `The contract panicked (code ${args[0]}).`;
    default: {
      const shown = args.map((v) => String(v)).join(', ');
      return `The contract refused: ${name}(${shown}).`;
    }
  }
}

/** Any failure of a wallet request or a call, as one sentence. */
export function explainError(err: unknown, ctx: ErrorContext): string {
  const data = revertData(err);
  if (data) {
    const words = explainRevert(data, ctx);
    if (words) return words;
  }
  const chain: Record<string, unknown>[] = [];
  for (let e: unknown = err; e && typeof e === 'object' && chain.length < 10; e = (e as { cause?: unknown }).cause) {
    chain.push(e as Record<string, unknown>);
  }
  if (chain.some((e) => e.code === 4001 || e.name === 'UserRejectedRequestError')) {
    return 'You rejected the request in your wallet; nothing was sent.';
  }
  if (chain.some((e) => e.code === 4100)) return 'The wallet has not authorised this page: connect first.';
  const short = chain.map((e) => e.shortMessage).find((m) => typeof m === 'string');
  const msg = short ?? (err instanceof Error ? err.message : String(err));
  return String(msg).split('\n')[0];
}
