// Child process for the disk-full tests whose failure mode is SIGBUS (a store through a mapping into
// a page that cannot get a block), which would kill the test runner itself. Runs one case in a
// directory on a small file system and prints one JSON line with what it saw; the parent checks that
// and that the process exited normally. Needs the built store (dist/).
//   node diskFullChild.mjs index <dir>       a store with the index: fill the disk under load, free it
//   node diskFullChild.mjs checkpoint <dir>  a new checkpoint flushed after the disk filled up
import { closeSync, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { DefaultMessageStore, messageStoreConfigSpec, StoreCheckpoint } from "../../dist/index.js";
import { configDefaults, parseHost } from "../../../common/dist/index.js";

const [mode, dir] = process.argv.slice(2);
const filler = join(dir, "filler");

/** Write the filler until ENOSPC (1 MiB, then 4 KiB, then 512-byte writes). */
function fill() {
  const fd = openSync(filler, "a");
  try {
    for (const size of [1024 * 1024, 4096, 512]) {
      const chunk = Buffer.alloc(size, 0x5a);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if (err.code !== "ENOSPC") throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

async function until(cond, ms) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

const host = parseHost("127.0.0.1:10911");
const message = (i) => ({
  topic: "FullTopic",
  queueId: 0,
  flag: 0,
  body: Buffer.alloc(100, 97 + (i % 26)),
  // two keys each: the index takes a new entries page every ~100 messages, slots all over the file
  propertiesString: `KEYS\u0001key-${i}\u0002UNIQ_KEY\u0001U${i}`,
  sysFlag: 0,
  bornTimestamp: Date.now(),
  bornHost: host,
  storeHost: host,
  reconsumeTimes: 0,
  preparedTransactionOffset: 0,
});

async function indexCase() {
  const store = new DefaultMessageStore(
    {
      ...configDefaults(messageStoreConfigSpec()),
      storePathRootDir: join(dir, "store"),
      mappedFileSizeCommitLog: 1024 * 1024,
      mappedFileSizeConsumeQueue: 20 * 10_000,
      maxHashSlotNum: 100_000,
      maxIndexNum: 400_000,
    },
    { logger: pino({ level: "silent" }), storeHost: host },
  );
  store.load();
  store.start();
  const acked = [];
  let i = 0;
  for (; i < 200; i++) if ((await store.putMessage(message(i))).status === "PUT_OK") acked.push(i);
  fill();
  let refused = null;
  for (let n = 0; n < 5000 && !refused; n++, i++) {
    const { status } = await store.putMessage(message(i));
    if (status === "PUT_OK") acked.push(i);
    else refused = status;
  }
  const queryable = (k) => store.queryMessage("FullTopic", `key-${k}`, 1, 0, Date.now() + 1000).messages.length === 1;
  const notIndexedWhenRefused = acked.filter((k) => !queryable(k)).length;
  const readable = store.getMessage("FullTopic", 0, 0, 32).status;
  unlinkSync(filler);
  store.checkDiskSpace();
  const indexedAfterFree = await until(() => acked.every(queryable), 10_000);
  const resumed = (await store.putMessage(message(i))).status;
  await store.shutdown();
  return { refused, acked: acked.length, notIndexedWhenRefused, readable, indexedAfterFree, resumed };
}

async function checkpointCase() {
  const checkpoint = new StoreCheckpoint(join(dir, "checkpoint"));
  fill();
  checkpoint.physicMsgTimestamp = Date.now();
  await checkpoint.flush();
  checkpoint.shutdown();
  let openOnFullDisk = "opened";
  try {
    new StoreCheckpoint(join(dir, "checkpoint2")).shutdown();
  } catch (err) {
    openOnFullDisk = err.code;
  }
  return { flushed: true, openOnFullDisk };
}

const result = mode === "index" ? await indexCase() : await checkpointCase();
console.log(JSON.stringify(result));
