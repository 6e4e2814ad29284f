import { join } from "node:path";
import { systemProperty, userHome } from "../systemProperties.js";

/** `~/logs/rocketmqlogs`, or the directory Java's logback would use under an overridden user.home. */
export function defaultLogDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    systemProperty("rocketmq.log.dir", env) ?? env["ROCKETMQ_LOG_DIR"] ?? join(userHome(env), "logs", "rocketmqlogs")
  );
}
