// One bench point: fresh server, closed-loop load, CPU of server / generator / rest of the machine over the measured window.
import { runLoad, type LoadResult } from './load.js';
import { machineCpu, treeCpuSeconds, type MachineCpu } from './proc.js';
import { type RunningServer, type ServerSpec } from './servers/common.js';

export interface Measurement {
  result: LoadResult;
  /** All CPU figures in % of one core over the window. */
  serverCpuPct: number;
  /** Task time of processes that are neither server nor generator (the other engineer's build, a cron job…). */
  otherCpuPct: number;
  /** irq+softirq: the loopback TCP stack, charged to no process. */
  irqCpuPct: number;
  stealPct: number;
}

export interface PointSpec {
  spec: ServerSpec;
  conns: number;
  senders: number;
  warmupMs: number;
  durationMs: number;
  recipientsPerHour: number;
}

/** Lets the runner stop the server under test on Ctrl-C. */
export const live: { server: RunningServer | null } = { server: null };

export class StartFailed extends Error {}

export async function measurePoint(p: PointSpec): Promise<Measurement> {
  let srv: RunningServer;
  try {
    srv = await p.spec.start({ recipientsPerHour: p.recipientsPerHour });
  } catch (e) {
    throw new StartFailed((e as Error).message);
  }
  live.server = srv;
  let cpu0 = 0;
  let cpuS = 0;
  let m0: MachineCpu = machineCpu();
  let dm: MachineCpu = { task: 0, irq: 0, steal: 0 };
  try {
    const result = await runLoad({
      host: '127.0.0.1',
      port: srv.port,
      connections: p.conns,
      senders: p.senders,
      warmupMs: p.warmupMs,
      durationMs: p.durationMs,
      seed: 0x5eed + p.conns * 7 + p.senders,
      onWindow: (edge) => {
        if (edge === 'start') {
          cpu0 = treeCpuSeconds(srv.pid);
          m0 = machineCpu();
        } else {
          cpuS = treeCpuSeconds(srv.pid) - cpu0;
          const m1 = machineCpu();
          dm = { task: m1.task - m0.task, irq: m1.irq - m0.irq, steal: m1.steal - m0.steal };
        }
      },
    });
    const pct = (sec: number): number => (sec / (result.measuredMs / 1000)) * 100;
    const serverCpuPct = pct(cpuS);
    return {
      result,
      serverCpuPct,
      otherCpuPct: Math.max(0, pct(dm.task) - serverCpuPct - result.generatorCpuPct),
      irqCpuPct: pct(dm.irq),
      stealPct: pct(dm.steal),
    };
  } finally {
    await srv.stop();
    live.server = null;
  }
}
