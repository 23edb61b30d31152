import { z } from 'zod';

import { expecting } from './primitives';

/** The external networks, by their SCALE id (`ExternalNetworkId`). Serai itself is 0. */
export const EXTERNAL_NETWORK_IDS = { bitcoin: 1, ethereum: 2, monero: 3 } as const;
export const NETWORK_IDS = { serai: 0, ...EXTERNAL_NETWORK_IDS } as const;

/** The coins, by their SCALE id (`ExternalCoin`, ids 4..7 since serai#619). Serai's SRI is 0. */
export const EXTERNAL_COIN_IDS = { bitcoin: 4, ether: 5, dai: 6, monero: 7 } as const;
export const COIN_IDS = { serai: 0, ...EXTERNAL_COIN_IDS } as const;

export type ExternalNetwork = keyof typeof EXTERNAL_NETWORK_IDS;
export type Network = keyof typeof NETWORK_IDS;
export type ExternalCoin = keyof typeof EXTERNAL_COIN_IDS;
export type Coin = keyof typeof COIN_IDS;

/** The network each external coin lives on. */
export const COIN_NETWORK: Readonly<Record<ExternalCoin, ExternalNetwork>> = {
  bitcoin: 'bitcoin',
  ether: 'ethereum',
  dai: 'ethereum',
  monero: 'monero',
};

function nameEnum<K extends string>(ids: Readonly<Record<K, number>>, what: string) {
  const names = Object.keys(ids) as [K, ...K[]];
  return z.enum(names, { error: expecting(`expected ${what}: one of ${names.join(', ')}`) });
}

export const externalNetwork = nameEnum(EXTERNAL_NETWORK_IDS, 'an external network');
export const network = nameEnum(NETWORK_IDS, 'a network');
export const externalCoin = nameEnum(EXTERNAL_COIN_IDS, 'an external coin');
export const coin = nameEnum(COIN_IDS, 'a coin');
