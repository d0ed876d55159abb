// pm2 process file: `npx pm2 start ecosystem.config.cjs` (after `npm ci`, which builds dist/).
// The daemon calls process.send('ready') once Redis is connected and the streams are started (wait_ready).
// On SIGTERM/SIGINT it flushes what it holds (or spools it when Redis is down), then stops the Redis it started
// itself (REDIS_URL unset, README "Redis: managed or your own"), and exits 0 within 10 s, so kill_timeout sits above
// the worst flush plus that stop. For a second instance (restarts without a gap), see README.
module.exports = {
  apps: [
    {
      name: 'liqd',
      script: 'dist/src/main.js',
      // as in package.json's start script (see DAEMON_NODE_ARGS in scripts/lib/daemon.ts)
      node_args: ['--max-semi-space-size=4'],
      cwd: __dirname,
      exec_mode: 'fork',
      instances: 1,
      wait_ready: true,
      listen_timeout: 30_000,
      kill_timeout: 12_000,
      // Signal the daemon only: pm2's default tree kill would also stop the managed redis-server before the final flush.
      treekill: false,
      exp_backoff_restart_delay: 1_000,
      // above what MAX_HELD_EVENTS can hold at its default (about 1.1 GB): a restart there would drop held events
      max_memory_restart: '1500M',
      time: true,
      log_date_format: 'YYYY-MM-DDTHH:mm:ss.SSSZ',
      merge_logs: true,
      env: {
        // as in package.json's start script (see DAEMON_ENV in scripts/lib/daemon.ts)
        MALLOC_ARENA_MAX: '2',
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
      },
    },
  ],
};
