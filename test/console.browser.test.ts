/**
 * The console's pages in a real browser (Debian's chromium, driven by playwright-core) against a real
 * name server, broker and bin/mqconsole: every page loads, a topic created through the UI is seen by
 * mqadmin, a group's offset reset through the UI makes its consumer consume again, and with one of two
 * name servers killed the pages still load (seed 000's first drill). Screenshots of the pages go to
 * test-results/console-screenshots/ (not committed) for a person to look at.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefaultMQProducer, DefaultMQPushConsumer, Message } from "@rocketmq-ts/client";
import {
  freePort,
  ROOT,
  run,
  runTool,
  startLocalCluster,
  until,
  type LocalCluster,
  type Proc,
} from "./support/cluster.js";

const SHOTS = join(ROOT, "test-results", "console-screenshots");
let cluster: LocalCluster;
let spareNamesrv: Proc;
let spareAddr = "";
let mqconsole: Proc;
let browser: Browser;
let page: Page;
let base = "";

/** Load the app afresh on a page (a hash change alone to the same URL would not render it again). */
async function open(hash: string, loaded: string): Promise<void> {
  await page.goto("about:blank");
  await page.goto(`${base}/#/${hash}`);
  await page.waitForSelector(`main[data-loaded="${loaded}"]`, { timeout: 30_000 });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // two name servers the broker registers with: the second is killed below, as a data centre going away
  cluster = await startLocalCluster("", 2);
  spareAddr = cluster.namesrvAddrs[1] as string;
  spareNamesrv = cluster.namesrvs[1] as Proc;
  const port = await freePort();
  mqconsole = run(
    "mqconsole",
    [
      `--server.port=${port}`,
      "--server.address=127.0.0.1",
      `--rocketmq.config.namesrvAddr=${cluster.namesrvAddr};${spareAddr}`,
      "--rocketmq.config.collectIntervalMs=1000",
    ],
    cluster.home,
  );
  await until(() => mqconsole.stdout().includes("mqconsole listening on"), 20_000, "mqconsole start");
  base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("dialog", (d) => void d.accept()); // every mutating action asks first
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await mqconsole?.stop();
  await spareNamesrv?.stop();
  await cluster?.stop();
});

describe("the console in a browser", () => {
  it("loads every page; the Cluster page lists the broker", async () => {
    await open("", "dashboard");
    await page.waitForSelector("canvas");
    await shot("dashboard");
    await open("cluster", "cluster");
    const rows = await page.locator("table tbody tr").allInnerTexts();
    expect(rows.some((r) => r.includes("broker-a") && r.includes(cluster.brokerAddr))).toBe(true);
    await shot("cluster");
    await open("topic", "topic");
    await shot("topic");
    await open("consumer", "consumer");
    await shot("consumer");
    await open("producer", "producer");
    await open("message", "message");
    await open("dlq", "dlq");
    await open("ops", "ops");
    expect(await page.locator("table tbody tr").count()).toBe(2);
    await shot("ops");
  }, 60_000);

  it("creates a topic through the UI, and mqadmin sees it", async () => {
    await open("topic", "topic");
    const form = page.locator('form[aria-label="create or update topic"]');
    await form.locator('input[name="topic"]').fill("UiTopic");
    await form.locator('input[name="readQueueNums"]').fill("4");
    await form.locator('input[name="writeQueueNums"]').fill("4");
    await form.locator('button[type="submit"]').click();
    await page.waitForSelector("#toast:not([hidden])");
    expect(await page.locator("#toast").innerText()).toContain("Topic UiTopic written to");
    const list = await runTool("mqadmin", ["topicList", "-n", cluster.namesrvAddr]);
    expect(list.stdout.split("\n")).toContain("UiTopic");
    await page.waitForSelector('main[data-loaded="topic"] td:text-is("UiTopic")');
  }, 60_000);

  it("sends a test message from the Topic page and finds it by key and by time on the Message page", async () => {
    await runTool("mqadmin", ["updateTopic", "-n", cluster.namesrvAddr, "-c", "DefaultCluster", "-t", "UiSendTopic"]);
    await open("topic?search=UiSendTopic&kind=NORMAL", "topic");
    await page
      .locator("tr", { has: page.locator('td:text-is("UiSendTopic")') })
      .locator('button:text-is("Send")')
      .click();
    const form = page.locator('form[aria-label="send message"]');
    await form.locator('input[name="body"]').fill("hello from the browser");
    await form.locator('input[name="keys"]').fill("ui-key-1");
    await form.locator('button[type="submit"]').click();
    await page.waitForSelector("#toast:not([hidden])");
    const sent = await page.locator("#toast").innerText();
    expect(sent).toMatch(/^SEND_OK [0-9A-F]{32}$/);
    const msgId = sent.split(" ")[1] as string;

    await open("message", "message");
    await page.locator('input[name="topic"]').fill("UiSendTopic");
    const byKey = page.locator('form[aria-label="by key"]');
    await byKey.locator('input[name="key"]').fill("ui-key-1");
    // the index is written as the message is dispatched: search until it is found
    const end = Date.now() + 20_000;
    for (;;) {
      await byKey.locator('button[type="submit"]').click();
      await page.waitForTimeout(300);
      if ((await page.locator(`td:text-is("${msgId}")`).count()) > 0) break;
      if (Date.now() > end) throw new Error("the message is not found by key");
    }
    await page
      .locator("tr", { has: page.locator(`td:text-is("${msgId}")`) })
      .locator('button:text-is("Detail")')
      .click();
    await page.waitForSelector("pre.body");
    expect(await page.locator("pre.body").innerText()).toBe("hello from the browser");
    await shot("message-detail");

    await page.locator('form[aria-label="by time"] button[type="submit"]').click();
    await page.waitForSelector(`td:text-is("${msgId}")`);
  }, 60_000);

  it("resets a group's offset through the UI and the consumer consumes again", async () => {
    const topic = "UiResetTopic";
    await runTool("mqadmin", [
      "updateTopic",
      "-n",
      cluster.namesrvAddr,
      "-c",
      "DefaultCluster",
      "-t",
      topic,
      "-r",
      "2",
      "-w",
      "2",
    ]);
    const producer = new DefaultMQProducer({ namesrvAddr: cluster.namesrvAddr, producerGroup: "ui_pg" });
    await producer.start();
    for (let i = 0; i < 5; i++) await producer.send(new Message(topic, Buffer.from(`m${i}`)));
    await producer.shutdown();
    const got: string[] = [];
    const consumer = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "ui_cg",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((msgs) => {
      for (const m of msgs) got.push(m.body.toString());
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    try {
      await until(() => got.length === 5, 30_000, "first consumption");
      // the group shows up once the console has collected it
      const end = Date.now() + 30_000;
      for (;;) {
        await open("consumer?search=ui_cg", "consumer");
        if ((await page.locator('td:text-is("ui_cg")').count()) > 0) break;
        if (Date.now() > end) throw new Error("ui_cg not listed");
        await new Promise((r) => setTimeout(r, 500));
      }
      await page
        .locator("tr", { has: page.locator('td:text-is("ui_cg")') })
        .locator('button:text-is("Detail")')
        .click();
      const form = page.locator('form[aria-label="reset offset"]');
      await form.waitFor();
      await page.locator('button:text-is("Running info")').first().click();
      await page.waitForSelector("pre.running-info");
      expect(await page.locator("pre.running-info").innerText()).toContain('"PROP_CONSUME_TYPE": "CONSUME_PASSIVELY"');
      await form.locator('select[name="topic"]').selectOption(topic);
      // an hour back: before every message (the broker finds the first offset stored after it)
      const back = new Date(Date.now() - 3_600_000);
      const local = new Date(back.getTime() - back.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
      await form.locator('input[name="time"]').fill(local);
      await shot("consumer-detail");
      await form.locator('button[type="submit"]').click();
      await until(() => got.length >= 10, 30_000, "consumption again after the reset");
      expect(got.slice(5).sort()).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    } finally {
      await consumer.shutdown();
    }
  }, 120_000);

  it("lists a group's dead letters on the DLQ page and resends one to the group", async () => {
    const topic = "UiDlqTopic";
    await runTool("mqadmin", ["updateTopic", "-n", cluster.namesrvAddr, "-c", "DefaultCluster", "-t", topic]);
    const seen: string[] = [];
    const consumer = new DefaultMQPushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: "ui_dlq_cg",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((msgs, ctx) => {
      for (const m of msgs) seen.push(`${m.topic}:${m.body.toString()}`);
      if (seen.length > 1) return "CONSUME_SUCCESS";
      ctx.delayLevelWhenNextConsume = -1; // straight to the dead-letter queue
      return "RECONSUME_LATER";
    });
    await consumer.start();
    const producer = new DefaultMQProducer({ namesrvAddr: cluster.namesrvAddr, producerGroup: "ui_dlq_pg" });
    await producer.start();
    try {
      await producer.send(new Message(topic, Buffer.from("dead letter")));
      await until(() => seen.length === 1, 30_000, "first delivery");
      const end = Date.now() + 30_000;
      for (;;) {
        await open("dlq", "dlq");
        if ((await page.locator('td:text-is("%DLQ%ui_dlq_cg")').count()) > 0) break;
        if (Date.now() > end) throw new Error("no DLQ topic listed");
        await page.waitForTimeout(300);
      }
      const row = page.locator("tr", { has: page.locator('td:text-is("%DLQ%ui_dlq_cg")') });
      for (;;) {
        await row.locator('button:text-is("Messages")').click();
        await page.waitForSelector("h3");
        if ((await page.locator('td:text-is("dead letter")').count()) > 0) break;
        if (Date.now() > end) throw new Error("the dead letter is not listed");
        await page.waitForTimeout(300);
      }
      await shot("dlq");
      await page
        .locator("tr", { has: page.locator('td:text-is("dead letter")') })
        .locator('button:text-is("Resend")')
        .click();
      await page.waitForSelector("#toast:not([hidden])");
      expect(await page.locator("#toast").innerText()).toBe("ui_dlq_cg: CR_SUCCESS");
      await until(() => seen.length === 2, 10_000, "the resent message consumed");
      expect(seen[1]).toBe("%DLQ%ui_dlq_cg:dead letter");
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 90_000);

  it("keeps working with one of its two name servers killed", async () => {
    await spareNamesrv.stop();
    for (const [hash, loaded] of [
      ["cluster", "cluster"],
      ["topic", "topic"],
      ["consumer", "consumer"],
      ["ops", "ops"],
    ] as const) {
      await open(hash, loaded);
    }
    const probes = await page.locator("table tbody tr").allInnerTexts();
    expect(probes.find((r) => r.includes(spareAddr))).toContain("no");
    expect(probes.find((r) => r.includes(cluster.namesrvAddr))).toContain("yes");
    await shot("ops-one-namesrv-down");
    await open("cluster", "cluster");
    expect(await page.locator('td:text-is("broker-a")').count()).toBeGreaterThan(0);
  }, 60_000);
});
