/**
 * A throwaway self-signed certificate, as Netty's `SelfSignedCertificate` gives a 4.9.8 server in
 * TLS test mode (`tls.test.mode.enable`, on by default): a key made at start and an X.509 v3
 * certificate for `CN=localhost` signed by it, valid from a day ago to 9999-12-31 (RFC 5280's "no
 * expiry"). Clients in test mode trust any server, so nobody checks it; it only lets a TLS session
 * start without the operator providing keys. Netty makes an RSA 2048 key; this is an ECDSA P-256 one
 * (every server start makes one: about 1 ms against some 200 ms for RSA; JDK 8 and Node take both).
 * Node has no API that makes certificates, so this writes the few DER structures it needs.
 */
import { generateKeyPair, randomBytes, sign, type KeyObject } from "node:crypto";

export interface SelfSignedCertificate {
  /** PKCS#8 PEM. */
  key: string;
  /** X.509 PEM. */
  cert: string;
}

export async function selfSignedCertificate(commonName = "localhost"): Promise<SelfSignedCertificate> {
  const { publicKey, privateKey } = await new Promise<{ publicKey: KeyObject; privateKey: KeyObject }>(
    (resolve, reject) =>
      generateKeyPair("ec", { namedCurve: "P-256" }, (err, pub, priv) =>
        err ? reject(err) : resolve({ publicKey: pub, privateKey: priv }),
      ),
  );
  const ecdsaWithSha256 = sequence(oid([1, 2, 840, 10045, 4, 3, 2]));
  const name = sequence(set(sequence(oid([2, 5, 4, 3]), utf8String(commonName))));
  const serial = randomBytes(8);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01; // positive, and no leading zero byte
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ecdsaWithSha256,
    name,
    sequence(time(new Date(Date.now() - 86_400_000)), time(new Date(Date.UTC(9999, 11, 31, 23, 59, 59)))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbs, privateKey); // DER (r, s), as X.509 wants it
  const der = sequence(tbs, ecdsaWithSha256, bitString(signature));
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    cert: pem("CERTIFICATE", der),
  };
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

// DER: tag, length, contents

function tlv(tag: number, contents: Buffer): Buffer {
  const n = contents.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, contents]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

function explicit(tagNumber: number, item: Buffer): Buffer {
  return tlv(0xa0 | tagNumber, item);
}

/** A non-negative integer given as big-endian bytes (a leading 0 is added when the top bit is set). */
function integer(bytes: Buffer): Buffer {
  return tlv(0x02, (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function bitString(bytes: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
}

function utf8String(s: string): Buffer {
  return tlv(0x0c, Buffer.from(s, "utf8"));
}

function oid(arcs: readonly number[]): Buffer {
  const [first = 0, second = 0, ...rest] = arcs;
  const out = [40 * first + second];
  for (const arc of rest) {
    const base128: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      base128.unshift((v % 128) | (base128.length ? 0x80 : 0));
      if (v < 128) break;
    }
    out.push(...base128);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-01-02T03:04:05.678Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z"; // 20260102030405Z
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(digits.slice(2), "ascii"))
    : tlv(0x18, Buffer.from(digits, "ascii"));
}
