/*
 * A Wallet Standard wallet for Solana, injected into the page the way a browser extension's content script injects
 * itself (page.addInitScript runs it before the page's own scripts). It holds real Ed25519 keys (WebCrypto) and
 * really signs: signTransaction parses the wire format, signs the message and fills its own signature slot.
 *
 * Configuration comes from window.__standardWalletConfig (an array; one wallet per entry):
 *   { name, chains: ['solana:localnet', …], solana: true|false }
 * Each wallet exposes test controls on window.__standardWallets[name]:
 *   rejectNextConnect / rejectNextSign / modifyNextSign (counters), requests (log), address(),
 *   switchAccount() (a new key, announced with standard:events), disconnectFromWallet() (accounts: [] announced).
 */
(() => {
  const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  const base58 = (bytes) => {
    let n = 0n;
    for (const b of bytes) n = (n << 8n) | BigInt(b);
    let out = '';
    while (n > 0n) {
      out = ALPHABET[Number(n % 58n)] + out;
      n /= 58n;
    }
    for (const b of bytes) {
      if (b !== 0) break;
      out = '1' + out;
    }
    return out;
  };
  const unbase58 = (text) => {
    let n = 0n;
    for (const c of text) n = n * 58n + BigInt(ALPHABET.indexOf(c));
    const out = [];
    while (n > 0n) {
      out.unshift(Number(n & 0xffn));
      n >>= 8n;
    }
    for (const c of text) {
      if (c !== '1') break;
      out.unshift(0);
    }
    return Uint8Array.from(out);
  };
  const readShortVec = (bytes, offset) => {
    let value = 0;
    for (let i = 0; ; i++) {
      const b = bytes[offset + i];
      value |= (b & 0x7f) << (7 * i);
      if (!(b & 0x80)) return [value, i + 1];
    }
  };
  const shortVec = (n) => {
    const out = [];
    do {
      let b = n & 0x7f;
      n >>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const sameBytes = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

  /** A legacy message with one more instruction, ComputeBudget SetComputeUnitPrice, as fee-optimising wallets add. */
  const withPriorityFee = (message) => {
    const computeBudget = unbase58('ComputeBudget111111111111111111111111111111');
    const [keyCount, keyCountSize] = readShortVec(message, 3);
    const keysEnd = 3 + keyCountSize + keyCount * 32;
    const blockhashEnd = keysEnd + 32;
    const [ixCount, ixCountSize] = readShortVec(message, blockhashEnd);
    const data = [3, 0x10, 0x27, 0, 0, 0, 0, 0, 0]; // 10,000 micro-lamports per compute unit
    return Uint8Array.from([
      message[0],
      message[1],
      message[2] + 1, // one more read-only unsigned account, appended last
      ...shortVec(keyCount + 1),
      ...message.subarray(3 + keyCountSize, keysEnd),
      ...computeBudget,
      ...message.subarray(keysEnd, blockhashEnd),
      ...shortVec(ixCount + 1),
      ...message.subarray(blockhashEnd + ixCountSize),
      keyCount, // program index of the new key
      0, // no accounts
      ...shortVec(data.length),
      ...data,
    ]);
  };

  const configs = window.__standardWalletConfig || [];
  window.__standardWallets = window.__standardWallets || {};

  for (const config of configs) {
    const listeners = new Set();
    const emit = (properties) => listeners.forEach((l) => l(properties));
    let key = null; // { privateKey, publicKey: Uint8Array, account }
    let connected = false;
    const control = { rejectNextConnect: 0, rejectNextSign: 0, modifyNextSign: 0, requests: [] };

    const newKey = async () => {
      const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
      const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
      const account = Object.freeze({
        address: base58(publicKey),
        publicKey,
        chains: config.chains.slice(),
        features: config.solana ? ['solana:signTransaction'] : [],
      });
      key = { privateKey: pair.privateKey, publicKey, account };
    };

    const features = {
      'standard:connect': {
        version: '1.0.0',
        connect: async (input) => {
          control.requests.push({ method: 'connect', silent: Boolean(input && input.silent) });
          if (input && input.silent && !connected) return { accounts: [] };
          if (control.rejectNextConnect > 0) {
            control.rejectNextConnect--;
            throw Object.assign(new Error('User rejected the request.'), { code: 4001 });
          }
          if (!key) await newKey();
          connected = true;
          return { accounts: wallet.accounts };
        },
      },
      'standard:disconnect': {
        version: '1.0.0',
        disconnect: async () => {
          control.requests.push({ method: 'disconnect' });
          connected = false;
        },
      },
      'standard:events': {
        version: '1.0.0',
        on: (event, listener) => {
          if (event !== 'change') return () => {};
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
    };
    if (config.solana) {
      features['solana:signTransaction'] = {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy', 0],
        signTransaction: async (...inputs) => {
          const outputs = [];
          for (const input of inputs) {
            control.requests.push({ method: 'signTransaction', chain: input.chain, account: input.account.address });
            if (!connected || !key || input.account.address !== key.account.address) throw new Error('This account is not connected');
            if (input.chain && !config.chains.includes(input.chain)) throw new Error(`Unsupported chain ${input.chain}`);
            if (control.rejectNextSign > 0) {
              control.rejectNextSign--;
              throw Object.assign(new Error('User rejected the request.'), { code: 4001 });
            }
            const tx = input.transaction;
            const [count, countSize] = readShortVec(tx, 0);
            const signatures = [];
            for (let i = 0; i < count; i++) signatures.push(tx.slice(countSize + 64 * i, countSize + 64 * (i + 1)));
            let message = tx.slice(countSize + 64 * count);
            if (message[0] & 0x80) throw new Error('this wallet signs legacy transactions only');
            if (control.modifyNextSign > 0) {
              control.modifyNextSign--;
              message = withPriorityFee(message);
            }
            const [keyCount, keyCountSize] = readShortVec(message, 3);
            let slot = -1;
            for (let i = 0; i < Math.min(message[0], keyCount); i++) {
              const start = 3 + keyCountSize + 32 * i;
              if (sameBytes(message.subarray(start, start + 32), key.publicKey)) slot = i;
            }
            if (slot < 0) throw new Error('this transaction does not need a signature from this account');
            signatures[slot] = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, message));
            outputs.push({ signedTransaction: Uint8Array.from([...shortVec(count), ...signatures.flatMap((s) => [...s]), ...message]) });
          }
          return outputs;
        },
      };
    }

    const wallet = Object.freeze({
      version: '1.0.0',
      name: config.name,
      icon: 'data:image/svg+xml;base64,' + btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4" fill="#ab9ff2"/></svg>'),
      chains: config.chains.slice(),
      get accounts() {
        return connected && key ? [key.account] : [];
      },
      features,
    });

    window.__standardWallets[config.name] = {
      control,
      address: () => (key ? key.account.address : null),
      switchAccount: async () => {
        await newKey();
        emit({ accounts: wallet.accounts });
        return key.account.address;
      },
      disconnectFromWallet: () => {
        connected = false;
        emit({ accounts: [] });
      },
    };

    // The Wallet Standard handshake: announce now (an app already listening registers us) and answer app-ready later.
    const callback = ({ register }) => register(wallet);
    class RegisterWalletEvent extends Event {
      get detail() {
        return callback;
      }
      constructor() {
        super('wallet-standard:register-wallet', { bubbles: false, cancelable: false, composed: false });
      }
    }
    window.dispatchEvent(new RegisterWalletEvent());
    window.addEventListener('wallet-standard:app-ready', (event) => callback(event.detail));
  }
})();
