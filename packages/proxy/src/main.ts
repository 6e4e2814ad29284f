// Process entry of bin/mqproxy.
import { handleClosedStdio } from "@rocketmq-ts/common";
import { main } from "./ProxyStartup.js";

handleClosedStdio("ignore");
void main();
