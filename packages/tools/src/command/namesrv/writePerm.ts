/**
 * wipeWritePerm / addWritePerm: take a broker's write permission away, or give it back, in every name
 * server's route data (Java's WipeWritePermSubCommand and AddWritePermSubCommand print alike).
 */
import { str, type SubCommand } from "../SubCommand.js";

export function writePermCommand(op: "wipe" | "add", desc: string): SubCommand {
  return {
    name: `${op}WritePerm`,
    desc,
    options: [["-b, --brokerName <arg>", "broker name", true]],
    async run(opts, { admin, out }) {
      const brokerName = str(opts, "brokerName");
      for (const ns of admin.namesrvAddrList()) {
        try {
          const count = await admin.operateWritePerm(ns, brokerName, op);
          out(`${op} write perm of broker[${brokerName}] in name server[${ns}] OK, ${count}\n`);
        } catch {
          out(`${op} write perm of broker[${brokerName}] in name server[${ns}] Failed\n`);
        }
      }
    },
  };
}
