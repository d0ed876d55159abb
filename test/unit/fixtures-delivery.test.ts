// The stand-ins' dated futures (src/venues/standin/fixtures.ts and each venue's fixtures.ts) deliver at the next quarterly delivery after now,
// so that they never pass into the past; the delivery is a pure function of the time it is given, tested here at
// fixed times (no Redis, no daemon, no clock but the one passed in), and the names follow each exchange's spelling.
import { describe, expect, it } from 'vitest';
import { DELIVERY, defaultBinanceCoinm, defaultBybitInverse, defaultBybitLinear, defaultOkxInstruments, deliveryOf, nextQuarterlyDelivery } from '../support/venues.js';

describe('the stand-ins’ dated futures', () => {
  it('deliver at the next quarterly delivery after now: the last Friday of Mar/Jun/Sep/Dec at 08:00 UTC', () => {
    expect(DELIVERY.ms).toBeGreaterThan(Date.now());
    // pure function of the time it is given: fixed times are fine here
    expect(nextQuarterlyDelivery(Date.UTC(2026, 10, 29))).toBe(Date.UTC(2026, 11, 25, 8));
    expect(nextQuarterlyDelivery(Date.UTC(2026, 11, 25, 8))).toBe(Date.UTC(2027, 2, 26, 8)); // strictly after
    expect(nextQuarterlyDelivery(Date.UTC(2026, 11, 25, 7, 59))).toBe(Date.UTC(2026, 11, 25, 8));
    expect(nextQuarterlyDelivery(Date.UTC(2028, 0, 1))).toBe(Date.UTC(2028, 2, 31, 8));
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2040, 0, 1); t += 86_400_000 * 3.7) {
      const d = nextQuarterlyDelivery(t);
      const at = new Date(d);
      expect(d).toBeGreaterThan(t);
      expect(d - t).toBeLessThan(100 * 86_400_000);
      expect([at.getUTCDay(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCMonth() % 3]).toEqual([5, 8, 0, 2]);
      expect(new Date(d + 7 * 86_400_000).getUTCMonth()).not.toBe(at.getUTCMonth()); // the last Friday
    }
  });

  it('are named as each exchange names them', () => {
    expect(deliveryOf(Date.UTC(2026, 11, 25, 8))).toEqual({ ms: Date.UTC(2026, 11, 25, 8), yymmdd: '261225', bybitLinear: '25DEC26', bybitInverse: 'Z26' });
    expect(deliveryOf(Date.UTC(2027, 2, 26, 8))).toMatchObject({ yymmdd: '270326', bybitLinear: '26MAR27', bybitInverse: 'H27' });
    expect(deliveryOf(Date.UTC(2027, 5, 25, 8))).toMatchObject({ yymmdd: '270625', bybitLinear: '25JUN27', bybitInverse: 'M27' });
    expect(deliveryOf(Date.UTC(2027, 8, 24, 8))).toMatchObject({ yymmdd: '270924', bybitLinear: '24SEP27', bybitInverse: 'U27' });
    const names = [
      ...defaultBybitLinear().map((i) => i.symbol),
      ...defaultBybitInverse().map((i) => i.symbol),
      ...defaultOkxInstruments().FUTURES.map((i) => i.instId),
      ...defaultBinanceCoinm().map((i) => i.symbol),
    ];
    expect(names).toEqual(
      expect.arrayContaining([
        `BTCUSDT-${DELIVERY.bybitLinear}`,
        `BTCUSD${DELIVERY.bybitInverse}`,
        `BTC-USD-${DELIVERY.yymmdd}`,
        `ETH-USD-${DELIVERY.yymmdd}`,
        `BTCUSD_${DELIVERY.yymmdd}`,
      ]),
    );
  });
});
