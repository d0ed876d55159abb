// Parsers alone: frames per second of each feed's parser over the workload's frames of that feed, against bare
// JSON.parse on the very same frames (the ceiling: every parser starts with one JSON.parse).
import { FEED_NAMES } from '../../src/venues/registry.js';
import { parserFor, type Universe, type Workload } from './workload.js';

export interface ParserFigure {
  parser: string;
  frames: number;
  eventsPerFrame: number;
  framesPerSec: number;
  eventsPerSec: number;
  jsonParseFramesPerSec: number;
  /** framesPerSec ÷ jsonParseFramesPerSec */
  ofJsonParse: number;
  /** Rejections seen while parsing (must be 0: every frame is valid). */
  rejections: number;
}

/** One figure per feed, in registry order. */
const GROUPS = FEED_NAMES.map((venue) => ({ parser: venue, venues: [venue] }));

let sink = 0;

/** Runs `fn` over all texts repeatedly for at least `ms`; returns passes per second × texts. */
function rate(texts: string[], fn: (t: string) => number, ms: number): number {
  const start = performance.now();
  let passes = 0;
  let now = start;
  do {
    for (let i = 0; i < texts.length; i++) sink += fn(texts[i]);
    passes++;
    now = performance.now();
  } while (now - start < ms);
  return (passes * texts.length) / ((now - start) / 1000);
}

export function benchParsers(u: Universe, w: Workload, opts: { msPerRound: number; rounds: number }): ParserFigure[] {
  const out: ParserFigure[] = [];
  const receivedAt = Date.now();
  for (const g of GROUPS) {
    const frames = w.frames.filter((f) => g.venues.includes(f.venue));
    if (frames.length === 0) continue;
    const texts = frames.map((f) => f.text);
    const events = frames.reduce((s, f) => s + f.events, 0);
    const parse = parserFor(u, g.venues[0]);
    let rejections = 0;
    for (const t of texts) {
      const r = parse(t, receivedAt);
      rejections += r.rejections.length + r.missing.length;
    }
    const parseFn = (t: string) => parse(t, receivedAt).events.length;
    const jsonFn = (t: string) => (JSON.parse(t) === null ? 0 : 1);
    // Warm both up, then alternate rounds and keep the best of each (least disturbed by the other processes).
    rate(texts, parseFn, Math.min(200, opts.msPerRound));
    rate(texts, jsonFn, Math.min(200, opts.msPerRound));
    let best = 0;
    let bestJson = 0;
    for (let r = 0; r < opts.rounds; r++) {
      bestJson = Math.max(bestJson, rate(texts, jsonFn, opts.msPerRound));
      best = Math.max(best, rate(texts, parseFn, opts.msPerRound));
    }
    out.push({
      parser: g.parser,
      frames: texts.length,
      eventsPerFrame: events / texts.length,
      framesPerSec: best,
      eventsPerSec: (best * events) / texts.length,
      jsonParseFramesPerSec: bestJson,
      ofJsonParse: best / bestJson,
      rejections,
    });
  }
  if (sink === -1) console.log(sink); // keeps the work observable
  return out;
}
