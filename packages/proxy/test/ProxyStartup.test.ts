import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseProxyArgs, resolveProxyConfig } from "../src/ProxyStartup.js";

const homes: string[] = [];
afterEach(() => {
  while (homes.length) rmSync(homes.pop() as string, { recursive: true, force: true });
});

function home(json?: object): string {
  const dir = mkdtempSync(join(tmpdir(), "proxy-home-"));
  homes.push(dir);
  mkdirSync(join(dir, "conf"));
  if (json) writeFileSync(join(dir, "conf", "rmq-proxy.json"), JSON.stringify(json));
  return dir;
}

describe("mqproxy configuration (Java's ProxyStartup + ConfigurationManager)", () => {
  it("local mode without -bc takes <proxy home>/conf/broker.conf; -bc and rmq-proxy.json's key override it", () => {
    const h = home();
    const env = { ROCKETMQ_HOME: h };
    expect(resolveProxyConfig(parseProxyArgs(["-pm", "local"]), env).brokerConfigPath).toBe(
      join(h, "conf", "broker.conf"),
    );
    expect(resolveProxyConfig(parseProxyArgs(["-pm", "local", "-bc", "/etc/b.conf"]), env).brokerConfigPath).toBe(
      "/etc/b.conf",
    );
    const withKey = home({ brokerConfigPath: "/srv/broker-a.conf", proxyMode: "local" });
    const config = resolveProxyConfig(parseProxyArgs([]), { ROCKETMQ_HOME: withKey });
    expect(config.proxyMode).toBe("LOCAL");
    expect(config.brokerConfigPath).toBe("/srv/broker-a.conf");
  });

  it("RMQ_PROXY_HOME wins over ROCKETMQ_HOME; without either the working directory is the home", () => {
    const proxyHome = home({ grpcServerPort: 18081, namesrvAddr: "127.0.0.1:9876" });
    const rocketmqHome = home({ grpcServerPort: 28081, namesrvAddr: "127.0.0.1:9876" });
    const config = resolveProxyConfig(parseProxyArgs([]), { RMQ_PROXY_HOME: proxyHome, ROCKETMQ_HOME: rocketmqHome });
    expect(config.grpcServerPort).toBe(18081);
    expect(config.brokerConfigPath).toBe(join(proxyHome, "conf", "broker.conf"));
    // no home at all: the working directory (an empty one here, so no conf/rmq-proxy.json is read)
    const cwd = process.cwd();
    process.chdir(home());
    try {
      const config = resolveProxyConfig(parseProxyArgs(["-pm", "local"]), {});
      expect(config.brokerConfigPath).toBe(join("./", "conf", "broker.conf"));
      expect(config.grpcServerPort).toBe(8081);
    } finally {
      process.chdir(cwd);
    }
  });

  it("cluster mode refuses to start without a name server, and a bad key names itself", () => {
    expect(() => resolveProxyConfig(parseProxyArgs([]), { ROCKETMQ_HOME: home() })).toThrow(/namesrvAddr is not set/);
    expect(() =>
      resolveProxyConfig(parseProxyArgs(["-n", "127.0.0.1:9876"]), { ROCKETMQ_HOME: home({ grpcServerPort: "x" }) }),
    ).toThrow(/grpcServerPort/);
  });
});
