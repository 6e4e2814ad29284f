/** wipeWritePerm, addWritePerm, getNamesrvConfig, updateKvConfig, deleteKvConfig against Java's captured runs. */
import { describe, expect, it } from "vitest";
import { loadCapture } from "./support/capture.js";
import { capturedAdmin } from "./support/capturedAdmin.js";
import { fakeAdmin, runWith } from "./support/fakeAdmin.js";

const env = { NAMESRV_ADDR: "127.0.0.1:39876" };

describe("name server commands print what Java's mqadmin printed", () => {
  it.each([
    ["wipeWritePerm", ["wipeWritePerm", "-b", "broker-a"]],
    ["addWritePerm", ["addWritePerm", "-b", "broker-a"]],
    ["getNamesrvConfig", ["getNamesrvConfig"]],
    ["updateKvConfig", ["updateKvConfig", "-s", "REF_NS", "-k", "refKey", "-v", "refValue"]],
    ["deleteKvConfig", ["deleteKvConfig", "-s", "REF_NS", "-k", "refKey"]],
  ])("%s", async (name, argv) => {
    const capture = loadCapture(name);
    const r = await runWith(argv, capturedAdmin(capture), {}, env);
    expect(r).toMatchObject({ code: 0, stderr: "", namesrvAddr: "127.0.0.1:39876" });
    expect(r.stdout).toBe(capture.stdout);
  });
});

describe("write perm commands with several name servers", () => {
  it("go to each name server and report a failing one without failing the command", async () => {
    const admin = fakeAdmin({
      namesrvAddrList: () => ["ns1:1", "ns2:1"],
      operateWritePerm: async (ns, brokerName, op) => {
        if (ns === "ns2:1") throw new Error("unreachable");
        return brokerName === "b" && op === "add" ? 7 : -1;
      },
    });
    const r = await runWith(["addWritePerm", "-n", "ns1:1;ns2:1", "-b", "b"], admin);
    expect(r).toMatchObject({ code: 0, namesrvAddr: "ns1:1;ns2:1" });
    expect(r.stdout).toBe(
      "add write perm of broker[b] in name server[ns1:1] OK, 7\nadd write perm of broker[b] in name server[ns2:1] Failed\n",
    );
  });
});
