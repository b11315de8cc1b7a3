// Process-tree helpers over /proc: CPU seconds of a server and its forked children, liveness, and stop-by-PID.
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100; // getconf CLK_TCK on Linux x86_64/arm64

interface Stat {
  pid: number;
  ppid: number;
  cpuTicks: number;
}

function readStat(pid: number): Stat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

/** The root and every live descendant (postfwd2 forks a cache and preforked policy children). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(s.pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0 && out.length < 10_000) {
    const p = todo.pop() as number;
    if (!alive(p)) continue;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** CPU seconds (user+system) used so far by the live tree under root. */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const p of processTree(root)) ticks += readStat(p)?.cpuTicks ?? 0;
  return ticks / CLK_TCK;
}

/** CPU seconds of one thread of a process (`tid`), or of all its threads when none is given. */
export function threadCpuSeconds(pid: number, tid?: number): number {
  let ticks = 0;
  for (const t of tid === undefined ? readdirSync(`/proc/${pid}/task`) : [String(tid)]) {
    const raw = readFileSync(`/proc/${pid}/task/${t}/stat`, 'latin1');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / CLK_TCK;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !/\) Z /.test(s); // a zombie has exited; only its parent's wait() is left
  } catch {
    return false;
  }
}

/** Signal the root, wait (bounded), then SIGKILL any process of the tree we started that is still there. */
export async function stopTree(root: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
  const tree = processTree(root);
  try {
    process.kill(root, signal);
  } catch {
    /* already gone */
  }
  const until = Date.now() + graceMs;
  while (Date.now() < until && tree.some(alive)) await new Promise((r) => setTimeout(r, 50));
  for (const p of tree) {
    if (!alive(p)) continue;
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* raced with exit */
    }
  }
}

/** Whole-machine CPU seconds from /proc/stat, to see work that is neither server nor generator (softirq, other processes, steal). */
export interface MachineCpu {
  /** user+nice+system: task time, comparable with per-process utime+stime. */
  task: number;
  /** irq+softirq: mostly the loopback TCP stack, charged to no process. */
  irq: number;
  steal: number;
}

export function machineCpu(): MachineCpu {
  const f = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return { task: (user + nice + system) / CLK_TCK, irq: (irq + softirq) / CLK_TCK, steal: steal / CLK_TCK };
}
