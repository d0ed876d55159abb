// Preloaded into the daemon by `bench --profile <dir>` (NODE_OPTIONS=--import …; --cpu-prof is not allowed in
// NODE_OPTIONS): profiles the whole process and writes <dir>/daemon-<pid>.cpuprofile when it gets SIGTERM.
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = process.env.LIQD_BENCH_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.once('SIGTERM', () => {
    // The main-thread session answers synchronously, before the daemon's own SIGTERM handler runs.
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(path.join(dir, `daemon-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
