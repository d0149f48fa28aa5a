import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

export { freePort } from "../src/db/embedded";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const children = new Set<ChildProcess>();

/** Kills every child this bench started that is still running (used on abort). */
export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

export interface NodeProcess {
  pid: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Sends SIGTERM, waits up to `timeoutMs`, then SIGKILL. Resolves to how long the stop took (ms). */
  stop(timeoutMs?: number): Promise<number>;
}

/** Starts `node script` with `env`, stdout and stderr appended to `logFile`. */
export function spawnNode(
  script: string,
  env: Record<string, string>,
  logFile: string,
  nodeArgs: string[] = [],
): NodeProcess {
  const fd = openSync(logFile, "a");
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  children.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  return {
    pid: child.pid,
    child,
    exited,
    async stop(timeoutMs = 15_000) {
      const started = Date.now();
      if (child.exitCode !== null || child.signalCode !== null) return 0;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
      return Date.now() - started;
    },
  };
}

/** Polls `url` until it answers 200, the process exits, or `timeoutMs` passes. Returns ms waited. */
export async function waitForHttp200(
  url: string,
  proc: NodeProcess,
  timeoutMs: number,
  since = Date.now(),
): Promise<number> {
  const deadline = since + timeoutMs;
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`process ${proc.pid} exited before ${url} answered 200`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return Date.now() - since;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** VmRSS and VmHWM (peak resident set) of a process, in MB; null once it is gone. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in ms; NaN once it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the command name).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function statFields(pid: string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/**
 * CPU time of the whole machine and of this bench's own process tree (itself, the app, the baseline,
 * PostgreSQL and their reaped children), so a figure can be read against what else was running.
 */
export function cpuSnapshot(): { busyMs: number; oursMs: number; at: number } {
  const [cpu = ""] = readFileSync("/proc/stat", "utf8").split("\n");
  const ticks = cpu.trim().split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const busyMs = (ticks.reduce((a, b) => a + b, 0) - idle) * TICK_MS;
  const parent = new Map<string, string>();
  const cpuOf = new Map<string, number>();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    const fields = statFields(pid);
    if (!fields) continue;
    parent.set(pid, fields[1] ?? "");
    // utime, stime, cutime, cstime
    cpuOf.set(pid, [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0) * TICK_MS);
  }
  const self = String(process.pid);
  let oursMs = 0;
  for (const [pid, ms] of cpuOf) {
    for (let p: string | undefined = pid, hops = 0; p && p !== "0" && hops < 20; p = parent.get(p), hops++) {
      if (p === self) {
        oursMs += ms;
        break;
      }
    }
  }
  return { busyMs, oursMs, at: Date.now() };
}

/** Share of the machine's CPUs (0..1) used by processes outside this bench between two snapshots. */
export function othersShare(
  from: ReturnType<typeof cpuSnapshot>,
  to: ReturnType<typeof cpuSnapshot>,
): number {
  const capacity = (to.at - from.at) * cpus().length;
  return capacity > 0 ? Math.max(0, (to.busyMs - from.busyMs - (to.oursMs - from.oursMs)) / capacity) : 0;
}
