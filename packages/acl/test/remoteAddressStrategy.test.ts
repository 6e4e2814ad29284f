import { describe, expect, it } from "vitest";
import { AclException, remoteAddressStrategy } from "@rocketmq-ts/acl";

const matches = (entry: string, ip: string): boolean => remoteAddressStrategy(entry).match(ip);

describe("white-address entries (Java's RemoteAddressStrategyFactory)", () => {
  it("blank matches nothing, the wildcards everything", () => {
    expect(matches("", "1.2.3.4")).toBe(false);
    expect(matches("  ", "1.2.3.4")).toBe(false);
    for (const all of ["*", "*.*.*.*", "*:*:*:*:*:*:*:*"]) expect(matches(all, "1.2.3.4")).toBe(true);
  });

  it("one address, IPv4 and IPv6 (compared expanded)", () => {
    expect(matches("127.0.0.1", "127.0.0.1")).toBe(true);
    expect(matches("127.0.0.1", "127.0.0.2")).toBe(false);
    expect(matches("::1", "0:0:0:0:0:0:0:1")).toBe(true);
    expect(matches("fe80::1", "FE80:0:0:0:0:0:0:1")).toBe(true);
  });

  it("ranges: * and a-b in one position, the positions before it fixed", () => {
    expect(matches("192.168.0.*", "192.168.0.77")).toBe(true);
    expect(matches("192.168.0.*", "192.168.1.77")).toBe(false);
    expect(matches("192.168.0.1-100", "192.168.0.100")).toBe(true);
    expect(matches("192.168.0.1-100", "192.168.0.101")).toBe(false);
    expect(matches("192.168.1-10.*", "192.168.5.200")).toBe(true);
    expect(matches("192.168.1-10.*", "192.168.11.1")).toBe(false);
    expect(matches("10.*.*.*", "10.9.8.7")).toBe(true);
    expect(matches("10.*.*.*", "11.9.8.7")).toBe(false);
  });

  it("lists: braces in the last position, or comma-separated addresses", () => {
    expect(matches("192.168.1.{1,2,3}", "192.168.1.2")).toBe(true);
    expect(matches("192.168.1.{1,2,3}", "192.168.1.4")).toBe(false);
    expect(matches("1.1.1.1,2.2.2.2", "2.2.2.2")).toBe(true);
    expect(matches("1.1.1.1,2.2.2.2", "3.3.3.3")).toBe(false);
  });

  it("a malformed entry throws Java's AclException naming it", () => {
    const error = (entry: string): string => {
      try {
        remoteAddressStrategy(entry);
        return "no error";
      } catch (err) {
        expect(err).toBeInstanceOf(AclException);
        return (err as Error).message;
      }
    };
    expect(error("1.2.3")).toBe("Netaddress examine Exception netaddress is 1.2.3");
    expect(error("1.1.1.1,2.2.2")).toBe("Netaddress examine Exception netaddress is 2.2.2");
    expect(error("192.168.0.100-1")).toBe(
      "RangeRemoteAddressStrategy netaddress examine scope Exception start is 100 , end is 1",
    );
    expect(error("192.168.0.1-300")).toMatch(/examine scope Exception start is 1 , end is 300/);
    expect(error("300.168.0.*")).toBe("Netaddress examine scope Exception netaddress is 300.168.0.*");
  });
});
