/**
 * A real headless Chromium for integration tests: Debian's `chromium` package, driven
 * by playwright-core. The browser builds `playwright install` downloads do not run on
 * our machines and nothing installed by hand survives to a new one, so the harness
 * installs the package itself when it is missing.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser } from "playwright-core";
import { ROOT } from "./stack-source";

/** Where Debian's `chromium` package puts the browser. */
export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * What Chromium needs on our machines. Without them it keeps trying to reach Google's
 * services through a network that does not let it out, and stalls. Playwright adds
 * some of these itself; they are listed whole so the requirement does not depend on
 * Playwright's defaults. The profile (`--user-data-dir`) is a fresh temporary folder
 * Playwright creates for every launch and deletes on close.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Debian packages the browser tests need: the browser, and fonts so Chinese pages are legible in screenshots. */
const PACKAGES = { browser: "chromium", cjkFonts: "fonts-noto-cjk" } as const;

/** Serialises installs across jest workers and concurrent test runs on the machine, as apt is machine-wide. */
const INSTALL_LOCK = join(tmpdir(), "herald-chromium-install.lock");
const INSTALL_LOCK_WAIT_MS = 20 * 60_000;
/** How long apt waits for another apt or dpkg (unattended upgrades, a developer) to finish. */
const APT_LOCK_WAIT_S = 600;

function progress(line: string): void {
  process.stderr.write(`[chromium] ${line}\n`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `<path> --version` if the browser runs at all, else undefined. */
function chromiumVersion(path: string): string | undefined {
  const result = spawnSync(path, ["--version"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 30_000,
  });
  return result.status === 0 && result.stdout.trim() !== "" ? result.stdout.trim() : undefined;
}

/** Whether fontconfig knows a font with Chinese glyphs. */
function hasCjkFont(): boolean {
  const result = spawnSync("fc-list", [":lang=zh", "family"], {
    encoding: "utf8",
    timeout: 30_000,
  });
  return result.status === 0 && result.stdout.trim() !== "";
}

function manualInstallHelp(why: string): string {
  return (
    `Chromium is needed for browser tests and is missing or broken at ${DEBIAN_CHROMIUM}, and it cannot be installed automatically because ${why}. ` +
    `Install it by hand (on Debian: \`sudo apt-get install -y --no-install-recommends ${PACKAGES.browser} ${PACKAGES.cjkFonts}\`), ` +
    `or use any Chromium or Chrome build, and point HERALD_CHROMIUM at its executable (e.g. HERALD_CHROMIUM=${DEBIAN_CHROMIUM}).`
  );
}

/** Why this process cannot run apt-get, or undefined if it can. */
function whyAptUnavailable(): string | undefined {
  if (process.platform !== "linux") return `this is ${process.platform}, not Debian`;
  if (process.getuid?.() !== 0) return "the tests do not run as root";
  if (spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0)
    return "apt-get is not available";
  return undefined;
}

/** Whether apt's package lists already offer every package (else `apt-get update` is needed first). */
function aptHasCandidates(packages: string[]): boolean {
  const result = spawnSync("apt-cache", ["policy", ...packages], { encoding: "utf8" });
  if (result.status !== 0) return false;
  return packages.every((name) => {
    const match = new RegExp(`^${name}:\\n\\s+Installed: .*\\n\\s+Candidate: (.*)$`, "m").exec(
      result.stdout,
    );
    return match !== null && match[1] !== "(none)";
  });
}

/**
 * Runs apt-get quietly, printing a progress line every 15 s and the tail of its output
 * if it fails. apt waits up to APT_LOCK_WAIT_S for a lock another apt holds; for the
 * locks it does not wait on (the package lists' during `update`), this retries.
 */
async function aptGet(args: string[], label: string): Promise<void> {
  const deadline = Date.now() + APT_LOCK_WAIT_S * 1000;
  for (;;) {
    const { code, tail } = await runAptOnce(args, label);
    if (code === 0) return;
    const lockLine = tail.find((line) => /Could not get lock/.test(line));
    if (lockLine !== undefined && Date.now() < deadline) {
      progress(`apt is busy (${lockLine.trim()}); waiting for it to finish`);
      await sleep(5_000);
      continue;
    }
    throw new Error(
      `\`apt-get ${args.join(" ")}\` failed with exit code ${code}; its last lines:\n${tail.join("\n")}`,
    );
  }
}

function runAptOnce(args: string[], label: string): Promise<{ code: number; tail: string[] }> {
  const started = Date.now();
  const tail: string[] = [];
  let total = 0;
  let fetched = 0;
  let setUp = 0;
  let toldAboutLock = false;
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    const planned = /(\d+) newly installed/.exec(line);
    if (planned?.[1] !== undefined) total = Number(planned[1]);
    if (/^Get:\d+/.test(line)) fetched += 1;
    if (/^Setting up /.test(line)) setUp += 1;
    if (!toldAboutLock && /Waiting for cache lock/.test(line)) {
      toldAboutLock = true;
      progress(`waiting for another apt or dpkg to finish (up to ${APT_LOCK_WAIT_S} s): ${line}`);
    }
  };
  return new Promise((resolvePromise) => {
    const child = spawn(
      "apt-get",
      ["-o", `DPkg::Lock::Timeout=${APT_LOCK_WAIT_S}`, "-o", "Dpkg::Use-Pty=0", ...args],
      {
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    for (const stream of [child.stdout, child.stderr]) {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (pending + chunk).split("\n");
        pending = lines.pop() ?? "";
        lines.forEach(onLine);
      });
      stream.on("end", () => {
        if (pending !== "") onLine(pending);
      });
    }
    const heartbeat = setInterval(() => {
      const counts = total > 0 ? ` (downloaded ${fetched}/${total}, set up ${setUp}/${total})` : "";
      progress(`${label}: ${seconds(Date.now() - started)}${counts}`);
    }, 15_000);
    const finish = (code: number) => {
      clearInterval(heartbeat);
      resolvePromise({ code, tail });
    };
    child.once("error", (error) => {
      tail.push(error.message);
      finish(127);
    });
    child.once("close", (code) => finish(code ?? 1));
  });
}

async function aptInstall(packages: string[], why: string): Promise<void> {
  const started = Date.now();
  progress(`installing Debian's ${packages.join(" and ")} with apt-get: ${why}`);
  const install = ["install", "-y", "--no-install-recommends", ...packages];
  let updated = false;
  if (!aptHasCandidates(packages)) {
    progress("apt's package lists do not offer them yet; running apt-get update first");
    await aptGet(["update"], "apt-get update");
    updated = true;
  }
  try {
    await aptGet(install, "apt-get install");
  } catch (error) {
    // Lists older than the mirror name files it no longer has.
    if (updated) throw error;
    progress("apt-get install failed; refreshing the package lists and trying once more");
    await aptGet(["update"], "apt-get update");
    await aptGet(install, "apt-get install");
  }
  progress(`installed ${packages.join(" and ")} in ${seconds(Date.now() - started)}`);
}

function lockHolder(): number | undefined {
  try {
    const pid = Number(readFileSync(INSTALL_LOCK, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Runs `work` holding INSTALL_LOCK; a lock left by a process that died is taken over. */
async function withInstallLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + INSTALL_LOCK_WAIT_MS;
  let lastNotice = 0;
  for (;;) {
    try {
      const fd = openSync(INSTALL_LOCK, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = lockHolder();
      if (holder === undefined) {
        rmSync(INSTALL_LOCK, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(
          `process ${holder} has been installing Chromium for over ${INSTALL_LOCK_WAIT_MS / 60_000} min (lock ${INSTALL_LOCK})`,
        );
      if (Date.now() - lastNotice > 30_000) {
        lastNotice = Date.now();
        progress(`process ${holder} is installing Chromium; waiting for it (lock ${INSTALL_LOCK})`);
      }
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(INSTALL_LOCK, { force: true });
  }
}

async function provision(): Promise<string> {
  const fromEnv = process.env.HERALD_CHROMIUM;
  if (fromEnv) {
    if (chromiumVersion(fromEnv) === undefined)
      throw new Error(`HERALD_CHROMIUM=${fromEnv} does not run (\`${fromEnv} --version\` failed)`);
    return fromEnv;
  }
  const setupError = process.env.HERALD_CHROMIUM_ERROR;
  if (setupError)
    throw new Error(`Chromium could not be provisioned before the tests: ${setupError}`);

  const missing = (): string[] => [
    ...(chromiumVersion(DEBIAN_CHROMIUM) === undefined ? [PACKAGES.browser] : []),
    ...(hasCjkFont() ? [] : [PACKAGES.cjkFonts]),
  ];
  const absent = missing();
  if (absent.length === 0) return DEBIAN_CHROMIUM;

  const why = whyAptUnavailable();
  if (why !== undefined) {
    if (absent.includes(PACKAGES.browser)) throw new Error(manualInstallHelp(why));
    progress(
      `no font with Chinese glyphs is installed and ${why}, so Chinese text will be illegible in screenshots; install ${PACKAGES.cjkFonts} to fix it`,
    );
    return DEBIAN_CHROMIUM;
  }
  await withInstallLock(async () => {
    // Another process may have installed them while this one waited for the lock.
    const stillMissing = missing();
    if (stillMissing.length === 0) return;
    await aptInstall(
      stillMissing,
      stillMissing.includes(PACKAGES.browser)
        ? `browser tests need it and ${DEBIAN_CHROMIUM} is missing or does not run`
        : "no installed font has Chinese glyphs, so screenshots of Chinese pages would be illegible",
    );
  });
  const version = chromiumVersion(DEBIAN_CHROMIUM);
  if (version === undefined)
    throw new Error(
      `apt-get installed ${PACKAGES.browser}, but \`${DEBIAN_CHROMIUM} --version\` fails`,
    );
  progress(`ready: ${version} at ${DEBIAN_CHROMIUM}`);
  return DEBIAN_CHROMIUM;
}

let provisioned: Promise<string> | undefined;

/**
 * The path of a working Chromium: `HERALD_CHROMIUM` if set, else Debian's package,
 * installed with apt-get (with fonts for Chinese) when it is missing and this process
 * is root. Progress goes to stderr; concurrent callers on the machine wait for one
 * install. Integration global setup calls it once and passes the path to every jest
 * worker in `HERALD_CHROMIUM`, so tests do not spend their own timeout on an install.
 *
 * @throws when Chromium is missing and cannot be installed, saying what to install by hand.
 */
export function ensureChromium(): Promise<string> {
  provisioned ??= provision();
  return provisioned;
}

/**
 * A headless Chromium launched with CHROMIUM_ARGS and a fresh temporary profile that
 * `close()` deletes. Close it in `afterAll`.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await ensureChromium();
  // Loaded here, not at the top: every integration test imports the harness, and
  // only browser tests should pay for loading playwright-core.
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS],
    headless: true,
    chromiumSandbox: false,
  });
}

/**
 * Where a test saves a screenshot or other artifact named `name` (may contain
 * folders): `<HERALD_HOME, default .herald>/test-results/artifacts/<name>` under the
 * repository root, next to the results `herald test` writes. Creates the folders.
 */
export function artifactPath(name: string): string {
  const home = resolve(ROOT, process.env.HERALD_HOME ?? ".herald");
  const artifacts = join(home, "test-results", "artifacts");
  const path = resolve(artifacts, name);
  const inside = relative(artifacts, path);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside))
    throw new Error(`artifact name ${JSON.stringify(name)} must name a file inside ${artifacts}`);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}
