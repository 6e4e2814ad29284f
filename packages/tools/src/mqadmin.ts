/** `mqadmin <command> [options]` with Java's command names, option letters, usage text and outputs. */
import { Command, type CommanderError } from "commander";
import { defaultNamesrvAddr } from "@rocketmq-ts/common";
import { commands, type Out } from "./commands.js";
import { processRuntime, type MQAdminRuntime } from "./runtime.js";

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
  const command = commands.find((c) => c.name === (helpFor ?? name));
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
  const namesrvAddr = (opts["namesrvAddr"] as string | undefined) ?? defaultNamesrvAddr(env);
  if (!namesrvAddr) {
    err(`${command.name} command failed: No name server address, please set it.\n`);
    return 1;
  }
  const admin = runtime.newAdmin(namesrvAddr);
  try {
    await command.run(opts, {
      admin,
      out,
      err,
      newProducer: (config) => runtime.newProducer(config),
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
