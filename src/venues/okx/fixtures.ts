// OKX instruments for the stand-in, shaped field for field like GET /api/v5/public/instruments's `data[]`.
import { DELIVERY } from '../standin/fixtures.js';

/** One element of OKX's `data[]` from GET /api/v5/public/instruments. */
export interface OkxInstrument {
  instId: string;
  instType: string; // SWAP | FUTURES
  ctType: string; // linear | inverse
  ctVal: string;
  ctValCcy: string;
  state: string; // live | suspend | preopen | test
  [field: string]: unknown;
}

const DELIVERY_MS = String(DELIVERY.ms);

interface OkxSpec {
  instId: string;
  instType: 'SWAP' | 'FUTURES';
  ctType: 'linear' | 'inverse';
  ctVal: string;
  tickSz: string;
  lotSz: string;
  expTime?: string;
}

export function okxInstrument(s: OkxSpec): OkxInstrument {
  const [base, quote] = s.instId.split('-');
  const family = `${base}-${quote}`;
  const linear = s.ctType === 'linear';
  return {
    alias: s.instType === 'FUTURES' ? 'quarter' : '',
    baseCcy: '',
    category: '1',
    ctMult: '1',
    ctType: s.ctType,
    ctVal: s.ctVal,
    ctValCcy: linear ? base : quote,
    expTime: s.expTime ?? '',
    instFamily: family,
    instId: s.instId,
    instType: s.instType,
    lever: '100',
    listTime: '1606468572000',
    lotSz: s.lotSz,
    maxIcebergSz: '100000000.0000000000000000',
    maxLmtAmt: '20000000',
    maxLmtSz: '100000000',
    maxMktAmt: '',
    maxMktSz: '12000',
    maxStopSz: '12000',
    maxTriggerSz: '100000000.0000000000000000',
    maxTwapSz: '100000000.0000000000000000',
    minSz: s.lotSz,
    optType: '',
    quoteCcy: '',
    settleCcy: linear ? quote : base,
    state: 'live',
    ruleType: 'normal',
    stk: '',
    tickSz: s.tickSz,
    uly: family,
  };
}

export function defaultOkxInstruments(): { SWAP: OkxInstrument[]; FUTURES: OkxInstrument[] } {
  return {
    SWAP: [
      okxInstrument({ instId: 'BTC-USDT-SWAP', instType: 'SWAP', ctType: 'linear', ctVal: '0.01', tickSz: '0.1', lotSz: '0.01' }),
      okxInstrument({ instId: 'ETH-USDT-SWAP', instType: 'SWAP', ctType: 'linear', ctVal: '0.1', tickSz: '0.01', lotSz: '0.01' }),
      okxInstrument({ instId: 'SOL-USDT-SWAP', instType: 'SWAP', ctType: 'linear', ctVal: '1', tickSz: '0.01', lotSz: '0.01' }),
      okxInstrument({ instId: 'BTC-USD-SWAP', instType: 'SWAP', ctType: 'inverse', ctVal: '100', tickSz: '0.1', lotSz: '1' }),
      okxInstrument({ instId: 'ETH-USD-SWAP', instType: 'SWAP', ctType: 'inverse', ctVal: '10', tickSz: '0.01', lotSz: '1' }),
    ],
    FUTURES: [
      okxInstrument({ instId: `BTC-USD-${DELIVERY.yymmdd}`, instType: 'FUTURES', ctType: 'inverse', ctVal: '100', tickSz: '0.1', lotSz: '1', expTime: DELIVERY_MS }),
      okxInstrument({ instId: `ETH-USD-${DELIVERY.yymmdd}`, instType: 'FUTURES', ctType: 'inverse', ctVal: '10', tickSz: '0.01', lotSz: '1', expTime: DELIVERY_MS }),
    ],
  };
}

