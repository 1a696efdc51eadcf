// Makes a fresh checkout runnable with nothing but Node.js and npm: provisions the
// pnpm version pinned in package.json, installs the workspace when the lockfile
// changed since the last install, then hands the arguments to the herald CLI.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const home = resolve(root, process.env.HERALD_HOME ?? ".herald");

function fail(message) {
  process.stderr.write(`herald: ${message}\n`);
  process.exit(1);
}

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  fail(`Node.js ${process.versions.node} is too old; install Node.js 20.19 or newer.`);
}

const { packageManager } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pnpmVersion = packageManager.replace(/^pnpm@/, "");

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function pnpmBinary() {
  const toolDir = join(home, "tools", `pnpm-${pnpmVersion}`);
  const bin = join(toolDir, "node_modules", ".bin", "pnpm");
  if (existsSync(bin)) return bin;
  process.stderr.write(`herald: installing pnpm ${pnpmVersion} into ${toolDir}\n`);
  mkdirSync(toolDir, { recursive: true });
  const status = run("npm", [
    "install",
    "--prefix",
    toolDir,
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    `pnpm@${pnpmVersion}`,
  ]);
  if (status !== 0 || !existsSync(bin)) {
    fail(
      `installing pnpm ${pnpmVersion} with npm failed; check that the npm registry is reachable.`,
    );
  }
  return bin;
}

const pnpm = pnpmBinary();
const env = { ...process.env, PATH: `${dirname(pnpm)}${delimiter}${process.env.PATH ?? ""}` };

// The stamp records which lockfile the installed node_modules came from.
const lock = readFileSync(join(root, "pnpm-lock.yaml"));
const lockHash = createHash("sha256").update(lock).digest("hex");
const stamp = join(root, "node_modules", ".herald-install-stamp");
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== lockHash) {
  process.stderr.write("herald: installing the workspace's dependencies (pnpm install)\n");
  const status = run(pnpm, ["install", "--frozen-lockfile"], { cwd: root, env });
  if (status !== 0) fail("pnpm install failed; see the output above.");
  writeFileSync(stamp, lockHash);
}

// The CLI runs in one child process with the same terminal. Ctrl-C reaches it directly
// (it then stops what it started), so this process only waits for it to finish.
const cli = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "--conditions=herald-source",
    join(root, "packages/cli/src/main.ts"),
    ...process.argv.slice(2),
  ],
  { cwd: root, env, stdio: "inherit" },
);
process.on("SIGINT", () => {});
for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => cli.kill(signal));
cli.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
