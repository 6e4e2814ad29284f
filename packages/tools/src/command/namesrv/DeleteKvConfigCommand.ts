/** `mqadmin deleteKvConfig`: remove a namespace/key from every name server's KV config (Java's DeleteKvConfigCommand). */
import { str, type SubCommand } from "../SubCommand.js";

export const deleteKvConfigCommand: SubCommand = {
  name: "deleteKvConfig",
  desc: "Delete KV config.",
  options: [
    ["-s, --namespace <arg>", "set the namespace", true],
    ["-k, --key <arg>", "set the key name", true],
  ],
  async run(opts, { admin, out }) {
    await admin.deleteKVConfig(str(opts, "namespace"), str(opts, "key"));
    out("delete kv config from namespace success.\n");
  },
};
