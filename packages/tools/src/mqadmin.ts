/** `mqadmin <command> [options]` with Java's command names, option letters, usage text and outputs. */
import { Command, type CommanderError } from "commander";
import { readToolsCredentials, type SessionCredentials } from "@rocketmq-ts/acl";
import { defaultNamesrvAddr, LoggerName, namedLogger, rocketmqHome } from "@rocketmq-ts/common";
import { commands, type Out, type SubCommand } from "./commands.js";
import { processRuntime, type MQAdminRuntime } from "./runtime.js";

/** Options every sub-command takes besides -n: per-invocation ACL credentials (ours; Java has none). */
const AK_FLAGS = "--ak <accessKey>";
const SK_FLAGS = "--sk <secretKey>";
const AK_HELP = "ACL access key to sign every request with (and --sk), instead of <ROCKETMQ_HOME>/conf/tools.yml's";
const SK_HELP = "ACL secret key of --ak";

function findCommand(name: string): SubCommand | undefined {
  return commands.find((c) => c.name === name || c.alias === name);
}

/** "-b, --brokerAddr <arg>" of a command's option by long name. */
function flagsOf(command: SubCommand, long: string): string {
  return command.options.find(([flags]) => flags.includes(`--${long} `) || flags.endsWith(`--${long}`))?.[0] ?? long;
}

/**
 * What this invocation signs with: --ak/--sk, else, as Java's mqadmin, the `accessKey` and
 * `secretKey` of `<rocketmq.home.dir or ROCKETMQ_HOME>/conf/tools.yml` when it has both; null
 * signs nothing. A string is the error to print.
 */
function credentialsFor(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  runtime: MQAdminRuntime,
): SessionCredentials | null | string {
  const ak = typeof opts["ak"] === "string" ? opts["ak"].trim() : undefined;
  const sk = typeof opts["sk"] === "string" ? opts["sk"].trim() : undefined;
  if (ak !== undefined || sk !== undefined) {
    if (!ak || !sk) return `error: options '${AK_FLAGS}' and '${SK_FLAGS}' go together, neither empty\n`;
    return { accessKey: ak, secretKey: sk };
  }
  const home = rocketmqHome(env);
  const { credentials, reason } = home ? readToolsCredentials(home) : { credentials: null, reason: undefined };
  if (!credentials && reason && runtime.logger) namedLogger(runtime.logger, LoggerName.COMMON).warn(reason);
  return credentials;
}

function usage(): string {
  const lines = ["The most commonly used mqadmin commands are:"];
  for (const c of commands) lines.push(`   ${c.name.padEnd(20)} ${c.desc}`);
  lines.push("", "See 'mqadmin help <command>' for more information on a specific command.", "");
  return lines.join("\n");
}

/** Run one mqadmin invocation; resolves with the exit code. */
export async function runMqadmin(
  argv: string[],
  out: Out,
  err: Out,
  env: NodeJS.ProcessEnv = process.env,
  runtime: MQAdminRuntime = processRuntime,
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "-h" || name === "--help") {
    out(usage());
    return 0;
  }
  const helpFor = name === "help" ? rest[0] : undefined;
  const command = findCommand(helpFor ?? name);
  if (!command) {
    err(`The sub command ${helpFor ?? name} not exist.\n${usage()}`);
    return 1;
  }
  const program = new Command(`mqadmin ${command.name}`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s), writeErr: (s) => err(s) })
    .option("-n, --namesrvAddr <arg>", "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'");
  for (const [flags, desc, required] of command.options) {
    if (required) program.requiredOption(flags, desc);
    else program.option(flags, desc);
  }
  program.option(AK_FLAGS, AK_HELP).option(SK_FLAGS, SK_HELP);
  if (helpFor) {
    out(program.helpInformation());
    return 0;
  }
  try {
    program.parse(rest, { from: "user" });
  } catch (e) {
    const ce = e as CommanderError;
    return ce.exitCode === 0 ? 0 : 1;
  }
  const opts = program.opts<Record<string, string | boolean | undefined>>();
  if (command.oneOf) {
    const given = command.oneOf.filter((long) => opts[long] !== undefined);
    if (given.length !== 1) {
      const flags = (given.length === 0 ? command.oneOf : given).map((long) => `'${flagsOf(command, long)}'`);
      err(
        given.length === 0
          ? `error: one of the options ${flags.join(", ")} is required\n`
          : `error: option ${flags[0]} cannot be used with option ${flags[1]}\n`,
      );
      return 1;
    }
  }
  const credentials = credentialsFor(opts, env, runtime);
  if (typeof credentials === "string") {
    err(credentials);
    return 1;
  }
  const sessionCredentials = credentials ?? undefined;
  const namesrvAddr = (opts["namesrvAddr"] as string | undefined) ?? defaultNamesrvAddr(env);
  if (!namesrvAddr) {
    err(`${command.name} command failed: No name server address, please set it.\n`);
    return 1;
  }
  let admin: ReturnType<MQAdminRuntime["newAdmin"]>;
  try {
    admin = runtime.newAdmin(namesrvAddr, sessionCredentials);
  } catch (e) {
    // a client TLS setting that cannot be used (-Dtls.enable=true with tls.client.*): one line naming the key
    err(`${command.name} command failed: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    await command.run(opts, {
      admin,
      out,
      err,
      newProducer: (config) => runtime.newProducer(sessionCredentials ? { ...config, sessionCredentials } : config),
      untilStopped: () => runtime.untilStopped(),
      workDir: runtime.workDir(),
    });
    return 0;
  } catch (e) {
    // one line, no stack trace: what failed and why
    err(`${command.name} command failed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await admin.shutdown();
  }
}
