import { rmSync } from "node:fs";

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__REPLY_ALL_PG__;
  if (!state) return;
  await state.cluster.destroy();
  rmSync(state.dir, { recursive: true, force: true });
}
