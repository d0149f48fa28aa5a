import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../src/db/embedded";

const ROOT = path.resolve(__dirname, "../..");

/** Compiles the app the way production runs it (tsc → node), into a temporary directory. */
export function buildApp(): { dir: string; cleanup(): void } {
  // Inside the repository, so the compiled code resolves node_modules and prisma/migrations.
  mkdirSync(path.join(ROOT, ".test-build"), { recursive: true });
  const dir = mkdtempSync(path.join(ROOT, ".test-build", "app-"));
  execFileSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", dir],
    {
      cwd: ROOT,
      stdio: "pipe",
    },
  );
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export { freePort };

export interface AppProcess {
  url: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `node <build>/main.js` with this environment and waits until /readyz answers 200. */
export async function startAppProcess(
  buildDir: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
  args: string[] = [],
): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(buildDir, "main.js"), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk) => output.push(String(chunk)));
  child.stderr?.on("data", (chunk) => output.push(String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited early (${child.exitCode}):\n${output.join("")}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`app not ready in ${timeoutMs} ms:\n${output.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, output, exited, kill: (signal = "SIGTERM") => child.kill(signal) };
}
