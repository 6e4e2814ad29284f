// Remoting benchmark: codec throughput for both header encodings and loopback round trips.
// Usage: node packages/remoting/bench/remoting-bench.mjs [--seconds N]   (needs `npm run build` first)
import {
  createRequest,
  createResponse,
  decodeFramePayload,
  encodeFrame,
  RemotingClient,
  RemotingServer,
} from "../dist/index.js";

const seconds = Number(process.argv[process.argv.indexOf("--seconds") + 1]) || 3;

function sendV2Request(serializeType) {
  // A SEND_MESSAGE_V2 request shaped like the Java producer's (short header keys, 128-byte body).
  return createRequest(310, {
    serializeType,
    extFields: {
      a: "please_rename_unique_group_name",
      b: "TopicTest",
      c: "TBW102",
      d: "4",
      e: "2",
      f: "0",
      g: String(Date.now()),
      h: "0",
      i: "KEYS\u0001OrderID188\u0002UNIQ_KEY\u0001C0A8010A4E2A18B4AAC2774A8F6F0000\u0002WAIT\u0001true\u0002TAGS\u0001TagA",
      j: "0",
      k: "false",
      m: "false",
      n: "broker-a",
    },
    body: Buffer.alloc(128, 65),
  });
}

function codecBench(serializeType) {
  const cmd = sendV2Request(serializeType);
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) {
      const frame = encodeFrame(cmd);
      decodeFramePayload(frame.subarray(4));
    }
    n += 1000;
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return n / elapsed;
}

async function roundTripBench(connections, serializeType, inflightPerConnection) {
  const server = new RemotingServer({ listenPort: 0, bindAddress: "127.0.0.1" });
  server.registerProcessor(310, (req) =>
    createResponse(req, 0, { extFields: { msgId: "0", queueId: "0", queueOffset: "0" } }),
  );
  const port = await server.start();
  const clients = Array.from({ length: connections }, () => new RemotingClient());
  const addr = `127.0.0.1:${port}`;
  await Promise.all(clients.map((c) => c.invokeSync(addr, sendV2Request(serializeType), 3000)));
  let done = 0;
  let running = true;
  const end = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  const loop = async (client) => {
    while (running) {
      await client.invokeAsync(addr, sendV2Request(serializeType), 3000);
      done++;
      if (Date.now() >= end) running = false;
    }
  };
  await Promise.all(clients.flatMap((c) => Array.from({ length: inflightPerConnection }, () => loop(c))));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all(clients.map((c) => c.shutdown()));
  await server.shutdown();
  return done / elapsed;
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
console.log(`remoting benchmark (node ${process.version}, ${seconds}s per figure)`);
for (const type of ["JSON", "ROCKETMQ"]) {
  console.log(`codec ${type.padEnd(8)} encode+decode SEND_MESSAGE_V2 frames/s: ${fmt(codecBench(type))}`);
}
for (const type of ["JSON", "ROCKETMQ"]) {
  for (const conns of [1, 16]) {
    const sequential = await roundTripBench(conns, type, 1);
    const pipelined = await roundTripBench(conns, type, 32);
    console.log(
      `loopback ${type.padEnd(8)} ${String(conns).padStart(2)} connection(s): ${fmt(sequential)} round trips/s (1 in flight each), ${fmt(pipelined)} (32 in flight each)`,
    );
  }
}
