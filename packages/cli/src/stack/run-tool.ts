import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { StackError } from "./errors";

export interface ToolRun {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Every output line is appended here, for diagnosis. */
  logFile: string;
  /** Called with each line of output (stdout and stderr), e.g. to count downloads. */
  onLine?: (line: string) => void;
}

/** Runs a build tool to completion; on failure the error names the log to read. */
export function runTool(run: ToolRun): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(run.logFile, { flags: "a" });
    const child = spawn(run.command, run.args, {
      cwd: run.cwd,
      env: run.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        log.write(`${line}\n`);
        run.onLine?.(line);
      });
    }
    child.once("error", (error) => {
      log.end();
      reject(new StackError(`could not run ${run.command}: ${error.message}`));
    });
    child.once("close", (code) => {
      log.end(() => {
        if (code === 0) resolve();
        else
          reject(
            new StackError(
              `${run.command} ${run.args[0] ?? ""} failed (exit ${code}); see ${run.logFile}`,
            ),
          );
      });
    });
  });
}
