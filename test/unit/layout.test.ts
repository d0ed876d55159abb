// The shape of the code, checked: imports point down (core below everything; engine, venues, aggregator beside each
// other; forensic and dashboards read through the aggregator), and no code outside a venue's folder names that venue:
// adding one is its folder and one registry line. Reads the sources as text; comments are left out.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXCHANGE_NAMES, FEED_NAMES } from '../../src/venues/registry.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...files(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** The source without comments (strings kept: a URL's // is not a comment there). */
function code(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Layer of a file under src/: its first directory, or 'app' for the files at the top (config, daemon, log, …). */
const layerOf = (file: string) => {
  const rel = path.relative(path.join(ROOT, 'src'), file).split(path.sep);
  return rel.length === 1 ? 'app' : rel[0];
};

/** What each layer may import from src/ (besides itself). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  engine: ['core', 'log.ts', 'metrics.ts'],
  venues: ['core', 'log.ts', 'metrics.ts', 'config.ts'],
  aggregator: ['core'],
  forensic: ['core', 'aggregator'],
  dashboards: ['core', 'aggregator', 'log.ts', 'config.ts'],
};

describe('layers', () => {
  const sources = files(path.join(ROOT, 'src'));
  it.each(Object.keys(ALLOWED))('%s imports only what lies below it', (layer) => {
    const wrong: string[] = [];
    for (const f of sources.filter((s) => layerOf(s) === layer)) {
      for (const m of code(readFileSync(f, 'utf8')).matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = path.relative(path.join(ROOT, 'src'), path.resolve(path.dirname(f), m[1])).replace(/\.js$/, '.ts');
        const top = target.split(path.sep)[0];
        if (top === layer || ALLOWED[layer].includes(top)) continue;
        // a type-only import of the configuration's shape is no dependency at run time
        if (top === 'config.ts' && /import type/.test(m[0])) continue;
        wrong.push(`${path.relative(ROOT, f)} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('dashboards read Redis only through the aggregator', () => {
    // a type of the client passed in is fine; making or calling one is the aggregator's
    const direct = sources.filter((f) => layerOf(f) === 'dashboards' && /^import (?!type )[^\n]*from 'ioredis'/m.test(code(readFileSync(f, 'utf8'))));
    expect(direct.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});

describe('venues', () => {
  it('are named only in their own folders: no switch on an exchange or feed name elsewhere in src/ or scripts/', () => {
    expect(EXCHANGE_NAMES.length).toBeGreaterThanOrEqual(3);
    const names = [...new Set([...EXCHANGE_NAMES, ...FEED_NAMES])].sort((a, b) => b.length - a.length);
    const found: string[] = [];
    for (const f of [...files(path.join(ROOT, 'src')), ...files(path.join(ROOT, 'scripts'))]) {
      const rel = path.relative(ROOT, f);
      const own = /^src\/venues\/([^/]+)\//.exec(rel)?.[1];
      const text = code(readFileSync(f, 'utf8'));
      for (const name of names) {
        if (own !== undefined && (name === own || name.startsWith(`${own}-`))) continue;
        // a name in a string literal, alone or as the start of a key ('binance', "okx:…", 'bybit-linear')
        const re = new RegExp(`['"\`]${name.replace(/-/g, '\\-')}(?=['"\`:|#_-])`);
        if (re.test(text)) found.push(`${rel}: ${name}`);
      }
    }
    expect(found).toEqual([]);
  });
});
