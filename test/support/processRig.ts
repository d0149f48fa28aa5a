import { type AppProcess, buildApp, startAppProcess } from "./appProcess";
import { type FakeBandwidth, startFakeBandwidth } from "./fakeBandwidth";
import { type FakeSlack, startFakeSlack } from "./fakeSlack";
import { ACCOUNT_ID, APPLICATION_ID, appEnv, SECRETS } from "./harness";

export interface ProcessRig {
  /** The stand-ins every process of this file talks to (set once beforeAll has run). */
  readonly slack: FakeSlack;
  readonly bandwidth: FakeBandwidth;
  /** Starts the compiled app on this database with the rig's environment, plus `extra`. */
  start(databaseUrl: string, extra?: Record<string, string>, args?: string[]): Promise<AppProcess>;
  /** kill -9, and how it exited. */
  kill(app: AppProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills every process still running. */
  killAll(): Promise<void>;
}

/**
 * The set-up of a test that runs the app as production does (compiled, one OS process per
 * instance): builds it and starts both stand-ins before the file's tests, kills every process it
 * started and closes the stand-ins after them. Call it at the top level of a test file.
 */
export function processRig(env: Record<string, string> = {}): ProcessRig {
  let build: ReturnType<typeof buildApp> | undefined;
  let slack: FakeSlack | undefined;
  let bandwidth: FakeBandwidth | undefined;
  const running: AppProcess[] = [];

  beforeAll(async () => {
    build = buildApp();
    slack = await startFakeSlack();
    bandwidth = await startFakeBandwidth({
      accountId: ACCOUNT_ID,
      username: SECRETS.bandwidthUser,
      password: SECRETS.bandwidthPassword,
      applicationId: APPLICATION_ID,
    });
  }, 120_000);

  const rig: ProcessRig = {
    get slack() {
      if (!slack) throw new Error("processRig: the Slack stand-in starts in beforeAll");
      return slack;
    },
    get bandwidth() {
      if (!bandwidth) throw new Error("processRig: the Bandwidth stand-in starts in beforeAll");
      return bandwidth;
    },
    async start(databaseUrl, extra = {}, args = []) {
      if (!build) throw new Error("processRig: the app is built in beforeAll");
      const app = await startAppProcess(
        build.dir,
        { ...appEnv(rig.slack, rig.bandwidth, databaseUrl), LOG_LEVEL: "info", ...env, ...extra },
        30_000,
        args,
      );
      running.push(app);
      return app;
    },
    async kill(app) {
      app.kill("SIGKILL");
      return app.exited;
    },
    async killAll() {
      // Killing one that already exited is harmless: its `exited` has resolved.
      for (const app of running.splice(0)) await rig.kill(app);
    },
  };

  afterAll(async () => {
    await rig.killAll();
    await slack?.close();
    await bandwidth?.close();
    build?.cleanup();
  });
  return rig;
}
