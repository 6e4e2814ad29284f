/**
 * `mqadmin clusterRT`: the send round-trip time of every broker, measured with test messages sent to
 * the topic named after the broker, one round per interval until stopped (Java's CLusterSendMsgRTCommand).
 */
import { Message } from "@rocketmq-ts/client";
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
import { formatDate, javaFormat } from "../../format.js";
import { str, type SubCommand } from "../SubCommand.js";

export const clusterSendMsgRTCommand: SubCommand = {
  name: "clusterRT",
  desc: "List All clusters Message Send RT",
  options: [
    ["-a, --amount <arg>", "message amount | default 100", false],
    ["-s, --size <arg>", "message size | default 128 Byte", false],
    ["-c, --cluster <arg>", "cluster name | default display all cluster", false],
    ["-p, --printLog <arg>", "print as tlog | default false", false],
    ["-m, --machineRoom <arg>", "machine room name | default noname", false],
    ["-i, --interval <arg>", "print interval | default 10 seconds", false],
  ],
  async run(opts, { admin, out, newProducer, untilStopped }) {
    const amount = opts["amount"] === undefined ? 100 : Number(str(opts, "amount"));
    const size = opts["size"] === undefined ? 128 : Number(str(opts, "size"));
    const interval = opts["interval"] === undefined ? 10 : Number(str(opts, "interval"));
    const printAsTlog = str(opts, "printLog").toLowerCase() === "true";
    const machineRoom = opts["machineRoom"] === undefined ? "noname" : str(opts, "machineRoom");
    const info = await admin.examineBrokerClusterInfo();
    const clusterNames =
      opts["cluster"] !== undefined ? [str(opts, "cluster")] : javaHashMapOrder([...info.clusterAddrTable.keys()]);
    const producer = newProducer({
      namesrvAddr: admin.namesrvAddrList().join(";"),
      producerGroup: String(Date.now()),
    });
    await producer.start();
    const stop = untilStopped();
    const stopped = (): boolean => stop.signal.aborted;
    try {
      if (!printAsTlog)
        out(
          javaFormat(
            "%-24s  %-24s  %-4s  %-8s  %-8s%n",
            "#Cluster Name",
            "#Broker Name",
            "#RT",
            "#successCount",
            "#failCount",
          ),
        );
      // Java's command runs until it is killed: one round per interval
      while (!stopped()) {
        for (const clusterName of clusterNames) {
          const brokerNames = info.clusterAddrTable.get(clusterName);
          if (!brokerNames) {
            out(javaFormat("cluster [%s] not exist", clusterName));
            break;
          }
          for (const brokerName of javaHashMapOrder(brokerNames)) {
            const body = Buffer.alloc(size, "a");
            let elapsed = 0;
            let successCount = 0;
            let failCount = 0;
            for (let i = 0; i < amount && !stopped(); i++) {
              const start = Date.now();
              try {
                await producer.send(new Message(brokerName, body));
                successCount++;
              } catch {
                failCount++;
              }
              if (i !== 0) elapsed += Date.now() - start;
            }
            const rt = elapsed / (amount - 1);
            if (!printAsTlog) {
              out(
                javaFormat(
                  "%-24s  %-24s  %-8s  %-16s  %-16s%n",
                  clusterName,
                  brokerName,
                  rt.toFixed(2),
                  successCount,
                  failCount,
                ),
              );
            } else {
              out(`${formatDate(Date.now(), false)}|${machineRoom}|${clusterName}|${brokerName}|${Math.round(rt)}\n`);
            }
          }
        }
        for (let waited = 0; waited < interval * 1000 && !stopped(); waited += 100)
          await new Promise((r) => setTimeout(r, 100));
        // with no wait between rounds, still let a stop signal (Ctrl-C, a closed stdout) through
        if (!(interval > 0)) await new Promise((r) => setImmediate(r));
      }
    } finally {
      stop.dispose();
      await producer.shutdown();
    }
  },
};
