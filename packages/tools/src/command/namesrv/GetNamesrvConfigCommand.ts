/** `mqadmin getNamesrvConfig`: the configuration of every name server (Java's GetNamesrvConfigCommand). */
import { printConfig } from "../configLines.js";
import type { SubCommand } from "../SubCommand.js";

export const getNamesrvConfigCommand: SubCommand = {
  name: "getNamesrvConfig",
  desc: "Get configs of name server.",
  options: [],
  async run(_opts, { admin, out }) {
    for (const ns of admin.namesrvAddrList()) printConfig(out, ns, await admin.getNameServerConfig(ns));
  },
};
