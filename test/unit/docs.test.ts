// README's configuration table and .env.example must list every variable the daemon reads, with its real default.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_SCHEMA, loadConfig } from '../../src/config.js';
import { EXCHANGE_NAMES } from '../../src/venues/registry.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const COMMENTED = ['REDIS_URL', 'LIQD_MANAGED_REDIS_PORT'];

describe('configuration docs', () => {
  it.each(Object.entries(ENV_SCHEMA))('%s is in README and .env.example with its default', (name, spec) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| ${name} |`));
    expect(row, `README row for ${name}`).toBeDefined();
    if (name !== 'INSTANCE_ID') expect(row!.split('|')[2].trim()).toBe(spec.def);
    // Commented out where setting the variable, even to its default, changes behaviour: a copied .env must not turn
    // the managed Redis off (REDIS_URL) or move it (the test-only port).
    const prefix = COMMENTED.includes(name) ? '# ' : '';
    const line = example.split('\n').find((l) => l.startsWith(`${prefix}${name}=`));
    expect(line, `.env.example line for ${name}`).toBe(`${prefix}${name}=${spec.def}`);
  });
  it('the defaults parse', () => {
    const cfg = loadConfig({});
    // every registered venue by default (issue 18); a list keeps to those
    expect([...cfg.EXCHANGES].sort()).toEqual([...EXCHANGE_NAMES].sort());
    expect(cfg.EXCHANGES).toHaveLength(14);
    expect(loadConfig({ EXCHANGES: 'binance,bybit,okx' }).EXCHANGES).toEqual(['binance', 'bybit', 'okx']);
    expect(cfg.venues.binance.BINANCE_USDM_WS_URL).toBe('wss://fstream.binance.com/market/stream?streams=!forceOrder@arr');
    expect(cfg.instance).toMatch(/-\d+$/);
  });
});

describe('how the daemon is started', () => {
  it('npm start, pm2 and the scripts and tests that start it give node the same flags', async () => {
    const { DAEMON_ENV, DAEMON_NODE_ARGS } = await import('../../scripts/lib/daemon.js');
    expect(DAEMON_NODE_ARGS.length).toBeGreaterThan(0);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const vars = Object.entries(DAEMON_ENV).map(([k, v]) => `${k}=${v} `).join('');
    // exec: the shell npm runs the script in is replaced by node, so a signal to `npm start` reaches the daemon
    expect(pkg.scripts.start).toBe(`${vars}exec node ${DAEMON_NODE_ARGS.join(' ')} dist/src/main.js`);
    const { createRequire } = await import('node:module');
    const eco = createRequire(import.meta.url)('../../ecosystem.config.cjs') as { apps: Array<{ node_args: string[]; env: Record<string, string> }> };
    expect(eco.apps[0].node_args).toEqual(DAEMON_NODE_ARGS);
    expect(eco.apps[0].env).toMatchObject(DAEMON_ENV);
  });
});
