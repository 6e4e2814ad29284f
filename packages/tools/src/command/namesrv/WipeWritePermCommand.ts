/** `mqadmin wipeWritePerm -b <brokerName>` (Java's WipeWritePermSubCommand). */
import { writePermCommand } from "./writePerm.js";

export const wipeWritePermCommand = writePermCommand("wipe", "Wipe write perm of broker in all name server");
