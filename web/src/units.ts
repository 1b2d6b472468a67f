// Token amounts as people type and read them. Everything on chain is an
// integer of raw units (10^decimals per token); the page never goes through
// floating point for an amount it sends.

export type Parsed = { ok: true; value: bigint } | { ok: false; error: string };

/**
 * Parses `text` typed for `label` (a token symbol) into raw units of a token
 * with `decimals` decimals. Accepts digits with one optional decimal point
 * ("1", "1.5", ".5", "1,234.5" with thousands commas); refuses anything else
 * with a sentence that says why.
 */
export function parseAmount(text: string, decimals: number, label: string): Parsed {
  const t = text.trim();
  if (t === '') return { ok: false, error: `Enter an amount of ${label}.` };
  if (t.startsWith('-')) return { ok: false, error: `The amount of ${label} cannot be negative.` };
  const plain = /^\d{1,3}(,\d{3})+(\.\d*)?$/.test(t) ? t.replaceAll(',', '') : t;
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(plain)) {
    return { ok: false, error: `The amount of ${label} "${t}" is not a number: write it in digits, like 1.25.` };
  }
  const [whole, frac = ''] = plain.split('.');
  if (frac.length > decimals) {
    return {
      ok: false,
      error: `${label} has ${decimals} decimals; "${t}" has ${frac.length} digits after the point.`,
    };
  }
  const value = BigInt((whole || '0') + frac.padEnd(decimals, '0'));
  return { ok: true, value };
}

/** Basis points from a slippage typed in percent, within [0, 50] %. */
export function parseSlippage(text: string): { ok: true; bps: bigint } | { ok: false; error: string } {
  const t = text.trim();
  const p = parseAmount(t, 2, 'slippage');
  if (!p.ok || p.value > 5000n) {
    return { ok: false, error: `Slippage "${t}" must be a percentage from 0 to 50, with at most two decimals.` };
  }
  return { ok: true, bps: p.value };
}

/** `x` less `bps` basis points, rounded down (a minimum to accept). */
export function lessBps(x: bigint, bps: bigint): bigint {
  return (x * (10_000n - bps)) / 10_000n;
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Raw units as a decimal string with thousands separators, at most
 * `maxFrac` decimals (rounded toward zero), trailing zeros dropped down to
 * `minFrac`. Signed values keep their sign.
 */
export function formatUnits(value: bigint, decimals: number, maxFrac = 6, minFrac = 0): string {
  const neg = value < 0n;
  const abs = neg ? -value : value;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  let frac = (abs % base).toString().padStart(decimals, '0').slice(0, Math.min(maxFrac, decimals));
  while (frac.length > minFrac && frac.endsWith('0')) frac = frac.slice(0, -1);
  const text = group(whole.toString()) + (frac ? `.${frac}` : '');
  return neg && /[1-9]/.test(text) ? `-${text}` : text;
}

/** num/den as a decimal with `frac` decimals (rounded toward zero), grouped. */
export function formatRatio(num: bigint, den: bigint, frac: number): string {
  if (den === 0n) return 'n/a';
  const scaled = (num * 10n ** BigInt(frac)) / den;
  return formatUnits(scaled, frac, frac, frac);
}

/** A fee in pips (1,000,000 = 100 %) as a percentage. */
export function formatPips(pips: bigint): string {
  return `${formatUnits(pips, 4, 4, 2)} %`;
}
