// Process entry of bin/mqnamesrv (bin/mqshutdown finds the process by this file's path).
import { handleClosedStdio } from "@rocketmq-ts/common";
import { main } from "./NamesrvStartup.js";

handleClosedStdio("ignore"); // a closed console (`mqnamesrv … | head`) never stops the server
void main();
