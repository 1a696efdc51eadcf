/**
 * Feeds read by a parser nobody here wrote: Python's feedparser, what many RSS
 * readers are built on. The harness installs it itself, pinned, in a virtual
 * environment under `.herald/tools/` (under `$HERALD_HOME` if set) that every
 * later run reuses; Python 3 and PyPI are all a clean machine needs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./stack-source";

export const FEEDPARSER_VERSION = "6.0.11";
/** feedparser's one dependency, pinned too so a rerun installs the same thing. */
const SGMLLIB_VERSION = "1.0.0";
const INSTALL_TIMEOUT_MS = 5 * 60_000;

/** One text as a reader shows it: `text` is the value for plain text, the decoded characters for HTML. */
export interface FeedField {
  value: string;
  type: string;
  text: string;
  /** The HTML elements the value would render; empty for text. */
  tags: string[];
}

export interface FeedReading {
  /** feedparser's complaint about the document, if it had one (it still parses what it can). */
  bozo: string | null;
  version: string;
  title: FeedField;
  entries: Array<{ title: FeedField; summary: FeedField; link: string }>;
}

function toolsDir(): string {
  return join(process.env.HERALD_HOME ?? join(ROOT, ".herald"), "tools");
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: INSTALL_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    throw new Error(
      `${what} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr.slice(-2000)}`,
    );
  }
}

/**
 * The venv's python, creating the venv first if needed. It is built beside its
 * final place and renamed into it, so concurrent test files never see half an
 * install; the one that loses the race discards its copy.
 */
export function ensureFeedparser(): string {
  const dir = join(toolsDir(), `feedparser-${FEEDPARSER_VERSION}`);
  const python = join(dir, "bin", "python");
  if (existsSync(python)) return python;
  mkdirSync(toolsDir(), { recursive: true });
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  try {
    run(
      "python3",
      ["-m", "venv", building],
      "creating a Python venv for feedparser (on Debian and Ubuntu this needs the package python3-venv)",
    );
    run(
      join(building, "bin", "python"),
      [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        `feedparser==${FEEDPARSER_VERSION}`,
        `sgmllib3k==${SGMLLIB_VERSION}`,
      ],
      `pip install feedparser==${FEEDPARSER_VERSION}`,
    );
    try {
      renameSync(building, dir);
    } catch (error) {
      if (!existsSync(python)) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return python;
}

/** Reads each feed as feedparser does (a JSON feed as JSON Feed 1.1 defines it). */
export function readFeeds(
  feeds: ReadonlyArray<{ format: "rss" | "atom" | "json"; text: string }>,
): FeedReading[] {
  const result = spawnSync(ensureFeedparser(), [join(__dirname, "feed-reader.py")], {
    input: JSON.stringify(feeds),
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
    timeout: 60_000,
    env: { ...process.env, PYTHONIOENCODING: "utf-8" },
  });
  if (result.status !== 0) {
    throw new Error(`feed-reader.py failed: ${result.error?.message ?? result.stderr}`);
  }
  return JSON.parse(result.stdout) as FeedReading[];
}
