// Child process for the kill -9 test: writes messages to a store as fast as it can and prints
// "ack <queueOffset> <commitLogOffset>" for every put that returned PUT_OK.
import { pino } from "pino";
import { DefaultMessageStore, messageStoreConfigSpec } from "../../dist/index.js";
import { configDefaults, parseHost } from "../../../common/dist/index.js";

const [root, flushDiskType, warm] = process.argv.slice(2);
const config = {
  ...configDefaults(messageStoreConfigSpec()),
  storePathRootDir: root,
  mappedFileSizeCommitLog: 256 * 1024,
  mappedFileSizeConsumeQueue: 2000,
  maxHashSlotNum: 100,
  maxIndexNum: 400,
  flushDiskType,
  flushIntervalCommitLog: 50,
  warmMapedFileEnable: warm === "warm",
  flushLeastPagesWhenWarmMapedFile: 16,
};
const host = parseHost("127.0.0.1:10911");
const store = new DefaultMessageStore(config, { logger: pino({ level: "silent" }), storeHost: host });
store.load();
store.start();
let i = 0;
for (;;) {
  const body = Buffer.alloc(500 + (i % 700), 97 + (i % 26));
  const res = await store.putMessage({
    topic: "KillTopic",
    queueId: i % 2,
    flag: 0,
    body,
    propertiesString: `KEYS\u0001k-${i}\u0002UNIQ_KEY\u0001U${i}`,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: host,
    storeHost: host,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  });
  if (res.status === "PUT_OK") process.stdout.write(`ack ${i} ${res.appendResult.wroteOffset}\n`);
  i++;
  if (i % 50 === 0) await new Promise((r) => setImmediate(r));
}
