// https://github.com/hyperliquid-dex/node#flags (--write-fills, --batch-by-block: node_fills_by_block/hourly/{date}/{hour})
// https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/nodes/reading-l1-data
// https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions (the fill and FillLiquidation)
// Hyperliquid publishes no market-wide liquidation stream; a node run with fill output writes every fill of every user
// to hourly files, and a liquidated position's fills name their user as `liquidation.liquidatedUser`. This venue is a
// source, not a feed: it tails those files (tail.ts) when HYPERLIQUID_NODE_DATA_DIR is set, and the same parser loads
// past files through `liqd-import hyperliquid DIR` (history.ts).
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { defineVenue } from '../types.js';
import { parseUtcTime } from '../parsing.js';
import { FILLS_DIR } from './files.js';
import { HISTORY_HELP, historyFiles } from './history.js';
import { HYPERLIQUID, parseHyperliquidLine } from './parser.js';
import { FillTail } from './tail.js';

const env = {
  // The node's data directory (~/hl/data); empty: the venue does not run.
  HYPERLIQUID_NODE_DATA_DIR: {
    def: '',
    parse: z
      .string()
      .trim()
      .transform((v) => (v === '~' || v.startsWith('~/') ? path.join(os.homedir(), v.slice(1)) : v)),
  },
  // Where to begin when no position is saved yet; empty: at the end of the newest file.
  HYPERLIQUID_FROM: {
    def: '',
    parse: z
      .string()
      .trim()
      .refine((v) => v === '' || parseUtcTime(v) !== undefined, 'an ISO time with its zone (2025-10-10T00:00Z) or a UTC date (2025-10-10), or empty')
      .transform((v) => (v === '' ? null : parseUtcTime(v)!)),
  },
} as const;

export const hyperliquid = defineVenue({
  exchange: HYPERLIQUID,
  env,
  feeds: [],
  sources: [
    {
      venue: HYPERLIQUID,
      needs: 'HYPERLIQUID_NODE_DATA_DIR',
      enabled: ({ env: e }) => e.HYPERLIQUID_NODE_DATA_DIR !== '',
      start: ({ env: e, cfg }, deps) =>
        new FillTail(
          {
            root: path.join(e.HYPERLIQUID_NODE_DATA_DIR, FILLS_DIR),
            exchange: HYPERLIQUID,
            venue: HYPERLIQUID,
            from: e.HYPERLIQUID_FROM,
            retentionMs: cfg.BUCKET_RETENTION_HOURS * 3_600_000,
            parse: parseHyperliquidLine,
          },
          deps,
        ),
      history: { help: HISTORY_HELP, files: historyFiles, parse: parseHyperliquidLine },
    },
  ],
});
