import { describe, expect, it } from 'vitest';
import { checkManifest, checkNetwork, foreignManifest } from './deployment';

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;
const contracts = Object.fromEntries(
  ['token0', 'token1', 'oracle', 'pool_manager', 'hedge', 'engine', 'planner', 'vault', 'vault_ops', 'manager', 'lens'].map(
    (k, i) => [k, addr(i + 1)],
  ),
);

describe('checkManifest', () => {
  it('reads what il-deploy writes', () => {
    const m = checkManifest({ chain_id: 412346, block: 41, deployer: addr(99), contracts, pool: {} });
    expect(m.chain_id).toBe(412346);
    expect(m.contracts.lens.toLowerCase()).toBe(addr(11));
  });
  it('refuses a broken one with a sentence', () => {
    expect(() => checkManifest([])).toThrow('no valid chain_id');
    expect(() => checkManifest({ chain_id: 1 })).toThrow('has no contracts');
    expect(() => checkManifest({ chain_id: 1, contracts: { ...contracts, vault: '0x12' } })).toThrow(
      "contracts.vault is not an address",
    );
  });
});

describe('checkNetwork', () => {
  it('needs a chain id and an http RPC', () => {
    expect(checkNetwork({ chainId: 5, rpcUrl: 'http://127.0.0.1:8547' }).name).toBe('chain 5');
    expect(() => checkNetwork({ chainId: 5, rpcUrl: 'ws://x' })).toThrow('rpcUrl');
    expect(() => checkNetwork({ rpcUrl: 'http://x' })).toThrow('chainId');
  });
});

describe('foreignManifest', () => {
  it('warns only for a manifest of another origin', () => {
    const page = 'https://vault.example/app/index.html';
    expect(foreignManifest('manifest.json', page)).toBeUndefined();
    expect(foreignManifest('/deployments/sepolia.json', page)).toBeUndefined();
    expect(foreignManifest('https://vault.example/x.json', page)).toBeUndefined();
    expect(foreignManifest('https://evil.example/manifest.json', page)).toContain('published by https://evil.example');
    expect(foreignManifest('http://vault.example/manifest.json', page)).toContain('http://vault.example');
  });
});
