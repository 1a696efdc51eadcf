import { runService } from "@herald/runtime";
import { contentEnv } from "./config";
import { startContentService } from "./service";

/** The content service process: config → connections → components → start. */
runService({
  name: "content",
  env: contentEnv,
  start: (config, logger) => startContentService(config, logger),
});
