// A test wallet for the browser tests: an EIP-1193 provider injected into
// the page whose requests are answered here, in Node, by a dev key (viem's
// local account) against the local chain. What a user's MetaMask does,
// without the extension: accounts, chain id, switching chains, signing and
// sending transactions; everything else is forwarded to the chain's RPC.
import { createPublicClient, createWalletClient, http, numberToHex } from 'viem';

export class TestWallet {
  /**
   * @param {object} o
   * @param {import('viem').Account} o.account the key that signs
   * @param {string} o.rpcUrl the local chain
   * @param {number} o.chainId the local chain's id
   * @param {number} [o.startChainId] the chain the wallet says it is on at first
   */
  constructor({ account, rpcUrl, chainId, startChainId }) {
    this.account = account;
    this.rpcUrl = rpcUrl;
    this.chainId = chainId;
    this.current = startChainId ?? chainId;
    this.connected = false;
    /** Transactions this wallet sent (hashes), and every method asked of it. */
    this.sent = [];
    this.asked = [];
    /** Called with a transaction request before it is signed (tests front-run here). */
    this.beforeSend = async () => {};
    const chain = {
      id: chainId,
      name: 'local',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    };
    this.pub = createPublicClient({ chain, transport: http(rpcUrl) });
    this.signer = createWalletClient({ account, chain, transport: http(rpcUrl) });
    this.page = undefined;
    this.nextId = 1;
  }

  /** Injects the provider into `page` (before its scripts run). */
  async attach(page) {
    this.page = page;
    await page.exposeFunction('__ilWallet', (method, params) => this.handle(method, params));
    await page.addInitScript(() => {
      const listeners = {};
      window.__ilEmit = (event, value) => (listeners[event] ?? []).forEach((f) => f(value));
      window.ethereum = {
        isIlTestWallet: true,
        async request({ method, params }) {
          const r = await window.__ilWallet(method, params ?? []);
          if (r.error) {
            const e = new Error(r.error.message);
            e.code = r.error.code;
            if (r.error.data !== undefined) e.data = r.error.data;
            throw e;
          }
          return r.result;
        },
        on(event, f) {
          (listeners[event] ??= []).push(f);
        },
        removeListener(event, f) {
          listeners[event] = (listeners[event] ?? []).filter((g) => g !== f);
        },
      };
    });
  }

  async emit(event, value) {
    await this.page?.evaluate(([e, v]) => window.__ilEmit(e, v), [event, value]);
  }

  async handle(method, params) {
    this.asked.push(method);
    try {
      return { result: await this.answer(method, params) };
    } catch (e) {
      return { error: rpcError(e) };
    }
  }

  async answer(method, params) {
    switch (method) {
      case 'eth_requestAccounts':
        this.connected = true;
        return [this.account.address];
      case 'eth_accounts':
        return this.connected ? [this.account.address] : [];
      case 'eth_chainId':
        return numberToHex(this.current);
      case 'wallet_switchEthereumChain': {
        const want = Number.parseInt(params[0].chainId, 16);
        if (want !== this.chainId) throw Object.assign(new Error(`Unrecognized chain ID ${params[0].chainId}`), { code: 4902 });
        this.current = want;
        setTimeout(() => void this.emit('chainChanged', numberToHex(want)), 0);
        return null;
      }
      case 'wallet_addEthereumChain':
        if (Number.parseInt(params[0].chainId, 16) !== this.chainId) throw Object.assign(new Error('unknown chain'), { code: 4902 });
        return null;
      case 'eth_sendTransaction': {
        if (!this.connected) throw Object.assign(new Error('not authorised'), { code: 4100 });
        if (this.current !== this.chainId) throw Object.assign(new Error('wallet on another chain'), { code: 4901 });
        const tx = params[0];
        await this.beforeSend(tx);
        const hash = await this.signer.sendTransaction({
          account: this.account,
          to: tx.to,
          data: tx.data ?? tx.input,
          value: tx.value ? BigInt(tx.value) : undefined,
        });
        this.sent.push(hash);
        return hash;
      }
      default:
        if (this.current !== this.chainId) throw Object.assign(new Error('wallet on another chain'), { code: 4901 });
        return this.forward(method, params);
    }
  }

  async forward(method, params) {
    const r = await fetch(this.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }),
    });
    const body = await r.json();
    if (body.error) throw Object.assign(new Error(body.error.message), body.error);
    return body.result;
  }
}

/** An EIP-1193 error object from whatever viem or the node threw. */
function rpcError(e) {
  for (let x = e; x; x = x.cause) {
    const data = typeof x.data === 'string' ? x.data : typeof x.data?.data === 'string' ? x.data.data : undefined;
    if (data && data.length >= 10) return { code: 3, message: 'execution reverted', data };
  }
  for (let x = e; x; x = x.cause) {
    if (typeof x.code === 'number') return { code: x.code, message: x.shortMessage ?? x.message };
  }
  return { code: -32603, message: e?.shortMessage ?? e?.message ?? String(e) };
}
