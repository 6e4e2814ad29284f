/** `mqadmin updateKvConfig`: put a namespace/key/value into every name server's KV config (Java's UpdateKvConfigCommand). */
import { str, type SubCommand } from "../SubCommand.js";

export const updateKvConfigCommand: SubCommand = {
  name: "updateKvConfig",
  desc: "Create or update KV config.",
  options: [
    ["-s, --namespace <arg>", "set the namespace", true],
    ["-k, --key <arg>", "set the key name", true],
    ["-v, --value <arg>", "set the key value", true],
  ],
  async run(opts, { admin, out }) {
    await admin.putKVConfig(str(opts, "namespace"), str(opts, "key"), str(opts, "value"));
    out("create or update kv config to namespace success.\n");
  },
};
