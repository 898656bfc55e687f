// Peak resident memory and CPU time of a child process, from /proc (Linux).
import { readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

function sample(pid: number): { rssMb: number; cpuSeconds: number } | null {
  try {
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { rssMb: Number(rss ?? 0) / 1024, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS };
  } catch {
    return null;
  }
}

/** Samples every `everyMs` until stopped; cpu is the share of one core over the window. */
export function watchProcess(pid: number, everyMs = 200): { stop(): { peakRssMb: number; cpuCores: number } } {
  let peak = 0;
  const first = sample(pid);
  const t0 = performance.now();
  const timer = setInterval(() => {
    const s = sample(pid);
    if (s && s.rssMb > peak) peak = s.rssMb;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const last = sample(pid);
      const seconds = (performance.now() - t0) / 1000;
      if (last && last.rssMb > peak) peak = last.rssMb;
      return { peakRssMb: Math.round(peak), cpuCores: first && last ? Number(((last.cpuSeconds - first.cpuSeconds) / seconds).toFixed(2)) : NaN };
    },
  };
}
