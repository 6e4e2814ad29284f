/** One mqadmin sub-command (Java's tools SubCommand): its name, description, options and what it does. */
import type { MQAdminExt, ToolProducer, ToolProducerConfig } from "./MQAdminExt.js";

export type Out = (text: string) => void;

/** Parsed options by long name: the argument, `true` for a flag, undefined when not given. */
export type Opts = Record<string, string | boolean | undefined>;

/** A request to stop, as the operator's SIGINT/SIGTERM: listening begins when asked for and ends at dispose. */
export interface StopRequest {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** What a sub-command runs with. */
export interface CommandContext {
  admin: MQAdminExt;
  /** stdout and stderr of the tool */
  out: Out;
  err: Out;
  /** A producer of the name servers and group given (sendMessage, clusterRT). */
  newProducer(config: ToolProducerConfig): ToolProducer;
  /** For commands that run until stopped (clusterRT). */
  untilStopped(): StopRequest;
  /** Where files named by a relative path are written (Java: the working directory). */
  workDir: string;
}

export interface SubCommand {
  name: string;
  /** Another name mqadmin finds the command by (Java's commandAlias) */
  alias?: string;
  desc: string;
  /** [flags as commander declares them, description, required] */
  options: [string, string, boolean][];
  /**
   * Long names of options of which exactly one must be given (Java's required OptionGroup, e.g.
   * `-b` or `-c`): none, or two, is refused before anything is sent.
   */
  oneOf?: string[];
  run(opts: Opts, ctx: CommandContext): Promise<void>;
}

/** An option's argument, trimmed as Java's commandLine.getOptionValue(..).trim(); "" when not given. */
export const str = (o: Opts, k: string): string => String(o[k] ?? "").trim();
