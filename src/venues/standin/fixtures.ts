// What every venue's stand-in fixtures share: the next quarterly delivery after now (the stand-ins' dated futures
// are always in the future), and deterministic names for generated instruments. Each venue's own metadata
// (shaped field for field like its REST answers) is in its folder's fixtures.ts.
import { yymmddUtc } from '../parsing.js';

/** March, June, September, December (UTC months, 0-based). */
const QUARTER_MONTHS = [2, 5, 8, 11];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Futures month codes, January to December (Bybit's inverse futures: BTCUSDZ26 is December 2026). */
const MONTH_CODES = 'FGHJKMNQUVXZ';

/** The last Friday of a UTC month at 08:00 UTC, when Binance, Bybit and OKX deliver their quarterly futures. */
function lastFriday0800(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  const back = (last.getUTCDay() - 5 + 7) % 7;
  return Date.UTC(year, month, last.getUTCDate() - back, 8);
}

/** The first quarterly delivery after `now`: the last Friday of March, June, September or December, 08:00 UTC. */
export function nextQuarterlyDelivery(now: number): number {
  for (let year = new Date(now).getUTCFullYear(); ; year++) {
    for (const month of QUARTER_MONTHS) {
      const t = lastFriday0800(year, month);
      if (t > now) return t;
    }
  }
}

export interface Delivery {
  /** The delivery time, ms. */
  readonly ms: number;
  /** YYMMDD (UTC): OKX BTC-USD-YYMMDD, Binance COIN-M BTCUSD_YYMMDD, and the daemon's symbols BTCUSD_YYMMDD. */
  readonly yymmdd: string;
  /** DDMMMYY: Bybit's linear futures, BTCUSDT-DDMMMYY. */
  readonly bybitLinear: string;
  /** Month code and YY: Bybit's inverse futures, BTCUSD + this. */
  readonly bybitInverse: string;
}

export function deliveryOf(ms: number): Delivery {
  const d = new Date(ms);
  const yy = String(d.getUTCFullYear() % 100).padStart(2, '0');
  return {
    ms,
    yymmdd: yymmddUtc(ms),
    bybitLinear: `${String(d.getUTCDate()).padStart(2, '0')}${MONTHS[d.getUTCMonth()]}${yy}`,
    bybitInverse: `${MONTH_CODES[d.getUTCMonth()]}${yy}`,
  };
}

/**
 * The stand-ins' dated futures deliver at the next quarterly delivery after this process started, so that they are
 * always in the future (a fixed date passes). Computed once: the stand-ins and a test comparing names with them
 * agree even across a delivery.
 */
export const DELIVERY: Delivery = deliveryOf(nextQuarterlyDelivery(Date.now()));

/** Letters for index i: A..Z, AA..ZZ, AAA..; deterministic and unique. */
export function letters(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}
