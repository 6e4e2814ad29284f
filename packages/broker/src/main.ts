// Process entry of bin/mqbroker (bin/mqshutdown finds the process by this file's path).
import { handleClosedStdio } from "@rocketmq-ts/common";
import { main } from "./BrokerStartup.js";

handleClosedStdio("ignore"); // a closed console (`mqbroker … | head`) never stops the server
void main();
