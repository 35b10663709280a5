/**
 * Starts the map server right away and connects its onboarding app to the chain as soon as the chain is up:
 * with a warm build that is within seconds (one start), on a first run it restarts the server once on the same port.
 */
import { type DevNetwork } from '@poc/devnet/chain';
import type { Logger } from 'pino';
import { startMapper, type StartMapperOptions } from '@poc/mapper';


const WAIT_FOR_CHAIN_MS = 30_000;

export async function startMapperWhenChainIsUp(options: {
  /** The poc-mapper options from its settings; the chain's maker is added once the chain is up. */
  base: StartMapperOptions;
  bridgeApiUrl?: string;
  chainUp: Promise<DevNetwork | null>;
  log: Logger;
}) {
  const start = (network: DevNetwork | null, port: number | undefined) =>
    startMapper({
      ...options.base,
      port,
      bridgeApiUrl: options.bridgeApiUrl,
      chain: network && {
        rpcUrl: network.chain.rpcUrl,
        wsUrl: network.chain.wsUrl,
        maker: network.maker,
        makerName: 'Demo maker',
        airdropSol: 2,
        clusterName: 'local chain',
      },
    });
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), WAIT_FOR_CHAIN_MS).unref());
  const first = await Promise.race([options.chainUp.catch(() => null), timeout]);
  if (first !== 'timeout') return start(first, options.base.port);

  options.log.info('map server starts without the onboarding app; it connects once the chain is up');
  let current = await start(null, options.base.port);
  let stopped = false;
  const switched = options.chainUp
    .then(async (network) => {
      if (!network || stopped) return;
      const port = Number(new URL(current.url).port);
      await current.stop();
      current = await start(network, port);
      options.log.info('onboarding app connected to the chain');
    })
    .catch((error) => options.log.error({ err: error }, 'could not connect the onboarding app to the chain'));
  return {
    get url() {
      return current.url;
    },
    get opsUrl() {
      return current.opsUrl;
    },
    async stop() {
      stopped = true;
      await switched;
      await current.stop();
    },
  };
}
