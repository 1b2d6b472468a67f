import { encodeErrorResult } from 'viem';
import { describe, expect, it } from 'vitest';
import { errorsAbi, lensAbi, tokenAbi, vaultAbi } from './abi';
import { type ErrorContext, explainError, explainRevert, revertData } from './errors';

const ctx: ErrorContext = {
  symbol0: 'tWETH',
  decimals0: 18,
  symbol1: 'tUSDC',
  decimals1: 6,
  shareDecimals: 18,
  names: { '0x00000000000000000000000000000000000000aa': 'oracle' },
};

describe('abi', () => {
  it('reads the committed interfaces', () => {
    const names = (abi: typeof vaultAbi) => abi.map((i) => ('name' in i ? i.name : ''));
    expect(names(vaultAbi)).toContain('deposit');
    expect(names(vaultAbi)).toContain('VaultInsufficientShares');
    expect(names(lensAbi)).toContain('accountOf');
    expect(names(lensAbi)).toContain('previewDeposit');
    expect(names(tokenAbi)).toContain('faucet');
    const keys = errorsAbi.map((i) => ('name' in i ? i.name : '') + JSON.stringify('inputs' in i ? i.inputs : []));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('explainRevert', () => {
  it('says a named error in words, with token units', () => {
    const data = encodeErrorResult({
      abi: vaultAbi,
      errorName: 'VaultInsufficientShares',
      args: [1_500_000_000_000_000_000n, 2n * 10n ** 18n],
    });
    expect(explainRevert(data, ctx)).toBe(
      'Deposit refused: it would mint 1.5 shares, fewer than your minimum of 2 shares. ' +
        'The pool moved since the preview; preview again, or allow more slippage. (VaultInsufficientShares)',
    );
    const slip = encodeErrorResult({
      abi: vaultAbi,
      errorName: 'VaultSlippage',
      args: [10n ** 18n, 1_000_000n, 2n * 10n ** 18n, 3_000_000n],
    });
    expect(explainRevert(slip, ctx)).toContain('it would pay 1 tWETH + 1 tUSDC, below your minimums 2 tWETH + 3 tUSDC');
  });
  it('unwraps a failed inner call', () => {
    const inner = encodeErrorResult({ abi: lensAbi, errorName: 'LensInvalidPrice', args: [-5n] });
    const outer = encodeErrorResult({
      abi: vaultAbi,
      errorName: 'VaultCallFailed',
      args: ['0x00000000000000000000000000000000000000AA', inner],
    });
    expect(explainRevert(outer, ctx)).toBe(
      'A call to the oracle failed: The oracle answered -5, not a positive price. (LensInvalidPrice). (VaultCallFailed)',
    );
  });
  it('unwraps a hook refusal through the PoolManager', () => {
    const inner = encodeErrorResult({ abi: errorsAbi, errorName: 'ManagerPriceDeviation', args: [250n, 100n] });
    const outer = encodeErrorResult({
      abi: errorsAbi,
      errorName: 'WrappedError',
      args: ['0x00000000000000000000000000000000000000aa', '0x12345678', inner, '0x'],
    });
    expect(explainRevert(outer, ctx)).toBe(
      "The pool's hook (the oracle) refused: The pool's price is 2.5 % away from the oracle's, more than the " +
        '1 % the vault accepts; wait until arbitrage brings it back. (ManagerPriceDeviation). (WrappedError)',
    );
  });
  it('leaves unknown data undecoded', () => {
    expect(explainRevert('0xdeadbeef', ctx)).toBeUndefined();
  });
});

describe('explainError', () => {
  it('finds revert data deep in a wallet error', () => {
    const data = encodeErrorResult({ abi: vaultAbi, errorName: 'VaultPaused' });
    const err = new Error('outer', { cause: { code: 3, message: 'execution reverted', data } });
    expect(revertData(err)).toBe(data);
    expect(explainError(err, ctx)).toBe('Deposits are paused by the vault owner (withdrawals never are). (VaultPaused)');
  });
  it('says a refusal in the wallet is one', () => {
    const err = new Error('User rejected the request.', { cause: { code: 4001, message: 'rejected' } });
    expect(explainError(err, ctx)).toBe('You rejected the request in your wallet; nothing was sent.');
  });
  it('keeps the first line of anything else', () => {
    expect(explainError(new Error('fetch failed\nstack'), ctx)).toBe('fetch failed');
  });
});
