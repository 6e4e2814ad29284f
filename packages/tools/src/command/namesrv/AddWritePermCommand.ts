/** `mqadmin addWritePerm -b <brokerName>` (Java's AddWritePermSubCommand). */
import { writePermCommand } from "./writePerm.js";

export const addWritePermCommand = writePermCommand("add", "Add write perm of broker in all name server");
