import { homedir } from "node:os";

/**
 * Java system properties as operators pass them to RocketMQ's scripts: `-Dkey=value` words in the
 * JAVA_OPT / JAVA_OPT_EXT environment variables (e.g. `JAVA_OPT_EXT="-Duser.home=/data/rmq"`).
 */
export function systemProperty(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let found: string | undefined;
  for (const variable of ["JAVA_OPT", "JAVA_OPT_EXT"]) {
    for (const word of (env[variable] ?? "").split(/\s+/)) {
      if (word.startsWith(`-D${name}=`)) found = word.slice(name.length + 3);
    }
  }
  return found;
}

/** Java's `user.home`: the -Duser.home override, else the OS home directory. */
export function userHome(env: NodeJS.ProcessEnv = process.env): string {
  return systemProperty("user.home", env) ?? homedir();
}

/** `rocketmq.home.dir` property, else ROCKETMQ_HOME. */
export function rocketmqHome(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return systemProperty("rocketmq.home.dir", env) ?? env["ROCKETMQ_HOME"];
}

/** `rocketmq.namesrv.addr` property, else NAMESRV_ADDR. */
export function defaultNamesrvAddr(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return systemProperty("rocketmq.namesrv.addr", env) ?? env["NAMESRV_ADDR"];
}
