// Progress on stderr, only when stderr is a terminal: one line rewritten in place, at most ~10 times a second.
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): {
  update: (phase: string, done: number, total: number) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  let last = 0;
  let shown = false;
  return {
    update(phase, done, total) {
      const t = Date.now();
      if (t - last < 100 && done < total) return;
      last = t;
      shown = true;
      const pct = total > 0 ? ` ${Math.min(100, Math.floor((done / total) * 100))}%` : '';
      const what = phase === 'log' ? 'entries of liq:events' : phase === 'rollups' ? 'rollup checks' : 'minutes of buckets';
      stream.write(`\r\x1b[2Kliqd-forensic: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${what}${pct}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}
