/**
 * Loaded before anything else with `node --import @herald/runtime/instrumentation`
 * (or `--require`), so tracing is in place before the first module that emits spans.
 */
import { startTelemetry } from "./sdk";

const telemetry = startTelemetry();
// Flush what is buffered when the process ends on its own; services also shut
// telemetry down in their SIGTERM steps.
process.once("beforeExit", () => void telemetry?.shutdown());
