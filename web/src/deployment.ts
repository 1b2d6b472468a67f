// Which deployment the page talks to: the deployer's manifest (the same
// JSON `il-deploy` writes and the keeper reads) and the network it lives on.
import { type Address, getAddress, isAddress } from 'viem';

/** The contracts of a deployment (manifest `contracts`). */
export interface Contracts {
  token0: Address;
  token1: Address;
  oracle: Address;
  pool_manager: Address;
  hedge: Address;
  engine: Address;
  planner: Address;
  vault: Address;
  vault_ops: Address;
  manager: Address;
  lens: Address;
}

export interface Manifest {
  chain_id: number;
  block: number;
  contracts: Contracts;
}

/** Where the chain is: what the page reads from and asks the wallet to add. */
export interface Network {
  chainId: number;
  name: string;
  rpcUrl: string;
  explorer?: string;
}

/** Public networks the page knows without being told. */
export const KNOWN_NETWORKS: Record<number, Network> = {
  421614: {
    chainId: 421614,
    name: 'Arbitrum Sepolia',
    rpcUrl: 'https://sepolia-rollup.arbitrum.io/rpc',
    explorer: 'https://sepolia.arbiscan.io',
  },
  42161: { chainId: 42161, name: 'Arbitrum One', rpcUrl: 'https://arb1.arbitrum.io/rpc', explorer: 'https://arbiscan.io' },
};

const CONTRACT_KEYS: (keyof Contracts)[] = [
  'token0',
  'token1',
  'oracle',
  'pool_manager',
  'hedge',
  'engine',
  'planner',
  'vault',
  'vault_ops',
  'manager',
  'lens',
];

/** Checks that `json` is a deployment manifest; throws a sentence if not. */
export function checkManifest(json: unknown): Manifest {
  if (!json || typeof json !== 'object') throw new Error('the manifest is not a JSON object');
  const m = json as Record<string, unknown>;
  const chainId = m.chain_id;
  if (typeof chainId !== 'number' || !Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new Error('the manifest has no valid chain_id');
  }
  const c = m.contracts as Record<string, unknown> | undefined;
  if (!c || typeof c !== 'object') throw new Error('the manifest has no contracts');
  const contracts = {} as Contracts;
  for (const key of CONTRACT_KEYS) {
    const a = c[key];
    if (typeof a !== 'string' || !isAddress(a, { strict: false })) {
      throw new Error(`the manifest's contracts.${key} is not an address`);
    }
    contracts[key] = getAddress(a);
  }
  const block = typeof m.block === 'number' ? m.block : 0;
  return { chain_id: chainId, block, contracts };
}

/** Checks a network description (network.json); throws a sentence if not. */
export function checkNetwork(json: unknown): Network {
  const n = (json ?? {}) as Record<string, unknown>;
  if (typeof n.chainId !== 'number' || !Number.isSafeInteger(n.chainId) || n.chainId <= 0) {
    throw new Error('network.json has no valid chainId');
  }
  if (typeof n.rpcUrl !== 'string' || !/^https?:\/\//.test(n.rpcUrl)) {
    throw new Error('network.json has no http(s) rpcUrl');
  }
  const name = typeof n.name === 'string' && n.name ? n.name : `chain ${n.chainId}`;
  const explorer = typeof n.explorer === 'string' ? n.explorer : undefined;
  return { chainId: n.chainId, name, rpcUrl: n.rpcUrl, explorer };
}

/**
 * A warning when the manifest comes from another site than the page: a
 * link can point the page at any contracts, and approving tokens to a
 * stranger's "vault" loses them. `undefined` for a manifest of the page's
 * own origin.
 */
export function foreignManifest(manifestUrl: string, pageHref: string): string | undefined {
  let url: URL;
  try {
    url = new URL(manifestUrl, pageHref);
  } catch {
    return undefined;
  }
  if (url.origin === new URL(pageHref).origin) return undefined;
  return (
    `This page was pointed at a deployment published by ${url.origin}, not by the site serving the page: ` +
    'check the vault address below against one you trust before you approve or deposit anything.'
  );
}

async function fetchJson(url: string): Promise<unknown | undefined> {
  const r = await fetch(url, { cache: 'no-store' });
  if (r.status === 404) return undefined;
  if (!r.ok) throw new Error(`${url} answered HTTP ${r.status}`);
  try {
    return await r.json();
  } catch {
    throw new Error(`${url} is not JSON`);
  }
}

/**
 * The deployment named by the page's address: `?manifest=URL` (default
 * `manifest.json` beside the page), its network from `?network=URL`
 * (default `network.json` beside the page, optional) or the known public
 * networks, with `?rpc=URL` overriding the RPC the page reads from.
 */
export async function loadDeployment(
  search: string,
): Promise<{ manifest: Manifest; network: Network; manifestUrl: string }> {
  const q = new URLSearchParams(search);
  const manifestUrl = q.get('manifest') ?? 'manifest.json';
  let raw: unknown;
  try {
    raw = await fetchJson(manifestUrl);
  } catch (e) {
    throw new Error(`could not load the deployment manifest ${manifestUrl}: ${(e as Error).message}`);
  }
  if (raw === undefined) throw new Error(`no deployment manifest at ${manifestUrl} (give one with ?manifest=URL)`);
  const manifest = checkManifest(raw);
  const networkUrl = q.get('network') ?? 'network.json';
  const described = await fetchJson(networkUrl).catch(() => undefined);
  let network = described !== undefined ? checkNetwork(described) : KNOWN_NETWORKS[manifest.chain_id];
  if (!network) {
    throw new Error(`the manifest's chain ${manifest.chain_id} is not a known network: give its RPC with ?rpc=URL`);
  }
  if (network.chainId !== manifest.chain_id) {
    throw new Error(`the manifest is for chain ${manifest.chain_id} but the network description is for ${network.chainId}`);
  }
  const rpc = q.get('rpc');
  if (rpc) network = { ...network, rpcUrl: rpc };
  return { manifest, network, manifestUrl };
}
