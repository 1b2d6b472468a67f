import { describe, expect, it } from 'vitest';
import { formatPips, formatRatio, formatUnits, lessBps, parseAmount, parseSlippage } from './units';

describe('parseAmount', () => {
  it('reads digits exactly, without floating point', () => {
    expect(parseAmount('1', 18, 'tWETH')).toEqual({ ok: true, value: 10n ** 18n });
    expect(parseAmount(' 0.1 ', 18, 'tWETH')).toEqual({ ok: true, value: 10n ** 17n });
    expect(parseAmount('.5', 6, 'tUSDC')).toEqual({ ok: true, value: 500_000n });
    expect(parseAmount('1,234.5', 6, 'tUSDC')).toEqual({ ok: true, value: 1_234_500_000n });
    expect(parseAmount('18502.123456', 6, 'tUSDC')).toEqual({ ok: true, value: 18_502_123_456n });
    expect(parseAmount('123456789012345678901234567890', 0, 'x')).toEqual({
      ok: true,
      value: 123456789012345678901234567890n,
    });
  });
  it('refuses what is not an amount, saying why', () => {
    const bad = (t: string) => {
      const r = parseAmount(t, 6, 'tUSDC');
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.error;
    };
    expect(bad('')).toBe('Enter an amount of tUSDC.');
    expect(bad('abc')).toContain('is not a number');
    expect(bad('1e6')).toContain('is not a number');
    expect(bad('1.2.3')).toContain('is not a number');
    expect(bad('12,34')).toContain('is not a number');
    expect(bad('0x10')).toContain('is not a number');
    expect(bad('-1')).toBe('The amount of tUSDC cannot be negative.');
    expect(bad('1.1234567')).toBe('tUSDC has 6 decimals; "1.1234567" has 7 digits after the point.');
  });
});

describe('parseSlippage', () => {
  it('takes 0 to 50 percent in basis points', () => {
    expect(parseSlippage('0.5')).toEqual({ ok: true, bps: 50n });
    expect(parseSlippage('0')).toEqual({ ok: true, bps: 0n });
    expect(parseSlippage('50')).toEqual({ ok: true, bps: 5000n });
    expect(parseSlippage('50.01').ok).toBe(false);
    expect(parseSlippage('0.001').ok).toBe(false);
    expect(parseSlippage('x').ok).toBe(false);
  });
  it('lessBps rounds down', () => {
    expect(lessBps(1000n, 50n)).toBe(995n);
    expect(lessBps(999n, 1n)).toBe(998n);
    expect(lessBps(7n, 0n)).toBe(7n);
  });
});

describe('formatting', () => {
  it('groups and truncates', () => {
    expect(formatUnits(1_234_567_891n, 6)).toBe('1,234.567891');
    expect(formatUnits(1_234_567_891n, 6, 2)).toBe('1,234.56');
    expect(formatUnits(10n ** 18n, 18, 4, 2)).toBe('1.00');
    expect(formatUnits(-1_500_000n, 6)).toBe('-1.5');
    expect(formatUnits(-1n, 6, 2)).toBe('0');
    expect(formatUnits(0n, 18)).toBe('0');
  });
  it('prices a ratio and a fee', () => {
    expect(formatRatio(185025n, 100n, 2)).toBe('1,850.25');
    expect(formatRatio(1n, 3n, 4)).toBe('0.3333');
    expect(formatRatio(1n, 0n, 4)).toBe('n/a');
    expect(formatPips(3000n)).toBe('0.30 %');
    expect(formatPips(10000n)).toBe('1.00 %');
    expect(formatPips(500n)).toBe('0.05 %');
  });
});
