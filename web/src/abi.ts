// The contracts' ABIs, read from the committed Solidity interfaces
// (contracts/*/I*.sol): the same files the keeper binds to and that
// `scripts/test.sh` checks against the contracts' code, so the page cannot
// drift from what is deployed. Each `function`, `error` and `event` line is
// a human-readable ABI item for viem.
import { type Abi, parseAbi } from 'viem';
import engineSol from '../../contracts/engine/IEngine.sol?raw';
import hedgeSol from '../../contracts/hedge/IHedge.sol?raw';
import lensSol from '../../contracts/lens/ILens.sol?raw';
import managerSol from '../../contracts/manager/IManager.sol?raw';
import oracleSol from '../../contracts/oracle/IOracle.sol?raw';
import plannerSol from '../../contracts/planner/IPlanner.sol?raw';
import tokenSol from '../../contracts/token/IToken.sol?raw';
import vaultSol from '../../contracts/vault/IVault.sol?raw';

/** The ABI items of a Solidity interface's source (one item per line). */
export function abiOfInterface(source: string): Abi {
  const items = source
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^(function|error|event) /.test(line))
    .map((line) => line.replace(/;$/, ''));
  if (items.length === 0) throw new Error('no ABI items in the interface source');
  return parseAbi(items);
}

export const vaultAbi = abiOfInterface(vaultSol);
export const lensAbi = abiOfInterface(lensSol);
export const tokenAbi = abiOfInterface(tokenSol);

/**
 * Uniswap v4's `PoolManager` wraps a hook's revert in this (v4-core's
 * `CustomRevert.WrappedError`): the vault's liquidity moves call the pool,
 * whose hook is the manager.
 */
const v4Errors = parseAbi(['error WrappedError(address target, bytes4 selector, bytes reason, bytes details)']);

/** Every error the vault, the lens or anything they call can revert with, once each. */
export const errorsAbi: Abi = (() => {
  const seen = new Set<string>();
  const out = [];
  const others = [managerSol, hedgeSol, oracleSol, engineSol, plannerSol].flatMap((s) => abiOfInterface(s));
  for (const item of [...vaultAbi, ...lensAbi, ...tokenAbi, ...others, ...v4Errors]) {
    if (item.type !== 'error') continue;
    const key = `${item.name}(${item.inputs.map((i) => i.type).join(',')})`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
})();
