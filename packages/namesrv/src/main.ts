// Process entry of bin/mqnamesrv (bin/mqshutdown finds the process by this file's path).
import { main } from "./NamesrvStartup.js";

void main();
