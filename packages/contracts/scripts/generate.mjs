// Generates src/gen from ../../proto with buf and ts-proto (options pinned in
// buf.gen.yaml). With --check it generates into a scratch folder and fails when
// the committed code differs, so nobody edits generated code by hand.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(packageDir, "../..");
const genRel = "packages/contracts/src/gen";
const check = process.argv.includes("--check");

function buf(args) {
  const bin = join(packageDir, "node_modules", ".bin");
  const result = spawnSync("buf", args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

if (!check) {
  rmSync(join(root, genRel), { recursive: true, force: true });
  buf(["generate"]);
  console.log(`generated ${listFiles(join(root, genRel)).length} files into ${genRel}`);
  process.exit(0);
}

const scratch = mkdtempSync(join(tmpdir(), "herald-codegen-"));
try {
  buf(["generate", "-o", scratch]);
  const fresh = join(scratch, genRel);
  const committed = join(root, genRel);
  const freshFiles = listFiles(fresh);
  const committedFiles = listFiles(committed);
  const problems = [];
  for (const f of new Set([...freshFiles, ...committedFiles])) {
    if (!freshFiles.includes(f)) problems.push(`${genRel}/${f} is not generated from proto/`);
    else if (!committedFiles.includes(f)) problems.push(`${genRel}/${f} is missing`);
    else if (!readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f)))) {
      problems.push(`${genRel}/${f} differs from what proto/ generates`);
    }
  }
  if (problems.length > 0) {
    console.error(problems.join("\n"));
    console.error("Generated code is out of date: run `pnpm codegen` and commit the result.");
    process.exit(1);
  }
  console.log(`codegen: ${freshFiles.length} generated files match proto/`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
