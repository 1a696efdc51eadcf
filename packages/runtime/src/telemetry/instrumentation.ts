/**
 * Loaded before anything else with `node --import @herald/runtime/instrumentation`
 * (or `--require`), so tracing is in place before the first module that emits spans.
 */
import { startTelemetry } from "./sdk";

startTelemetry();
