/**
 * The content service: where an item enters Herald. `main.ts` runs it as a
 * process; tests and `herald up` start it in process through this surface.
 */
export { contentEnv } from "./config";
export {
  startContentService,
  type ContentConfig,
  type ContentService,
  type ContentServiceOptions,
} from "./service";
export { hashToken, newToken, type TokenFile } from "./auth/tokens";
export { mayLeave } from "./outbox/relay";
export { KINDS, type Kind } from "./domain/item";
// The validation rules, for benchmarks and tools that check text the way the service does.
export { findPersonalData, maskPersonalData } from "./validation/personal-data";
export { sanitizeBody } from "./validation/html-policy";
