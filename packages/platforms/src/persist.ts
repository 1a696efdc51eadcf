import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { type CallRecord } from "./types";
import { type WechatAccountState } from "./wechat/state";
import { type WeiboAccountState } from "./weibo/state";
import { type World } from "./world";

/** What the state file holds: everything but the seeds, which come from configuration each start. */
interface SavedState {
  version: 1;
  wechat: Record<string, Omit<WechatAccountState, "seed">>;
  weibo: Record<string, Omit<WeiboAccountState, "seed">>;
  images: Record<string, { contentType: string; base64: string }>;
  calls: CallRecord[];
  callCounts: World["callCounts"];
  sequence: number;
}

export function saveState(world: World, file: string): void {
  const state: SavedState = {
    version: 1,
    wechat: Object.fromEntries(
      [...world.wechat].map(([id, { seed: _seed, ...rest }]) => [id, rest]),
    ),
    weibo: Object.fromEntries([...world.weibo].map(([id, { seed: _seed, ...rest }]) => [id, rest])),
    images: Object.fromEntries(
      [...world.images].map(([name, img]) => [
        name,
        { contentType: img.contentType, base64: img.data.toString("base64") },
      ]),
    ),
    calls: world.calls,
    callCounts: world.callCounts,
    sequence: world.sequence,
  };
  // Write then rename, so that a crash mid-write never leaves half a file behind.
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}

/** Restores a saved state into the configured accounts; accounts no longer configured are dropped. */
export function loadState(world: World, file: string): void {
  if (!existsSync(file)) return;
  let state: SavedState;
  try {
    state = JSON.parse(readFileSync(file, "utf8")) as SavedState;
  } catch (e) {
    throw new Error(
      `state file ${file}: cannot be read as JSON (${e instanceof Error ? e.message : String(e)}); move it away to start empty`,
    );
  }
  if (state.version !== 1)
    throw new Error(`state file ${file}: version ${String(state.version)} is not 1`);
  for (const [id, saved] of Object.entries(state.wechat)) {
    const account = world.wechat.get(id);
    if (account !== undefined) Object.assign(account, saved, { seed: account.seed });
  }
  for (const [id, saved] of Object.entries(state.weibo)) {
    const account = world.weibo.get(id);
    if (account !== undefined) Object.assign(account, saved, { seed: account.seed });
  }
  for (const [name, img] of Object.entries(state.images))
    world.images.set(name, {
      contentType: img.contentType,
      data: Buffer.from(img.base64, "base64"),
    });
  world.calls = state.calls;
  world.callCounts = state.callCounts;
  world.sequence = state.sequence;
}
