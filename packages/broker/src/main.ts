// Process entry of bin/mqbroker (bin/mqshutdown finds the process by this file's path).
import { main } from "./BrokerStartup.js";

void main();
