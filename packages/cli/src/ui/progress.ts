/**
 * Progress for long steps (downloads, builds, waiting for a server): one
 * rewritten line on a terminal, an occasional plain line when output is a log.
 */
export interface Progress {
  update(text: string): void;
  done(text: string): void;
  fail(text: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function startProgress(label: string, out: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const tty = out.isTTY === true;
  let text = "";
  let frame = 0;
  let lastPlain = 0;
  const elapsed = () => formatDuration(Date.now() - started);
  const render = () => {
    if (tty) {
      out.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label}: ${text} (${elapsed()})`);
    } else if (Date.now() - lastPlain >= 5000) {
      lastPlain = Date.now();
      out.write(`… ${label}: ${text} (${elapsed()})\n`);
    }
  };
  const timer = setInterval(render, tty ? 100 : 1000);
  timer.unref();
  const finish = (mark: string, final: string) => {
    clearInterval(timer);
    out.write(`${tty ? "\r\x1b[2K" : ""}${mark} ${label}: ${final} (${elapsed()})\n`);
  };
  return {
    update(next) {
      text = next;
      render();
    },
    done: (final) => finish("✓", final),
    fail: (final) => finish("✗", final),
  };
}
