// Exchanges come from the data (bucket fields), never from a list; each gets a stable color from its name.
import { exchangesInFields } from '../core/keys.js';

export { exchangesInFields };

export interface Color {
  /** For blessed tags: {#rrggbb-fg}. */
  readonly hex: string;
  /** For drawille canvases (line charts). */
  readonly rgb: readonly [number, number, number];
}

// Avoids pure red and green, which mean long and short everywhere.
// 12 colors: binance, bybit, okx, kraken, bitget, hyperliquid and deribit all land on different ones.
const PALETTE: readonly Color[] = [
  { hex: '#2dd4bf', rgb: [45, 212, 191] },
  { hex: '#d0d0d0', rgb: [208, 208, 208] },
  { hex: '#8b7cf6', rgb: [139, 124, 246] },
  { hex: '#fcd34d', rgb: [252, 211, 77] },
  { hex: '#f472b6', rgb: [244, 114, 182] },
  { hex: '#f0b90b', rgb: [240, 185, 11] },
  { hex: '#a3e635', rgb: [163, 230, 53] },
  { hex: '#b36cf5', rgb: [179, 108, 245] },
  { hex: '#22d3ee', rgb: [34, 211, 238] },
  { hex: '#4f8ff7', rgb: [79, 143, 247] },
  { hex: '#e879f9', rgb: [232, 121, 249] },
  { hex: '#ff8c00', rgb: [255, 140, 0] },
];

/** FNV-1a 32-bit of the name. */
function hash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The exchange's color: the same name always gets the same color, on every dashboard and every run. */
export function exchangeColor(name: string): Color {
  return PALETTE[hash(name) % PALETTE.length];
}

export const LONG_COLOR: Color = { hex: '#ff5f5f', rgb: [255, 95, 95] };
export const SHORT_COLOR: Color = { hex: '#5fd75f', rgb: [95, 215, 95] };

/** Binance publishes at most one liquidation per symbol per second: its totals are lower bounds. */
export const LOWER_BOUND_EXCHANGES: Readonly<Record<string, string>> = {
  binance: 'binance: lower bound (≤1 liquidation/symbol/s published)',
};
