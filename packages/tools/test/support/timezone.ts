import { afterAll, beforeAll } from "vitest";

/** The captures were taken on a UTC host: dates print as Java printed them only in UTC. */
export function inCapturedTimezone(): void {
  const before = process.env["TZ"];
  beforeAll(() => {
    process.env["TZ"] = "UTC";
  });
  afterAll(() => {
    if (before === undefined) delete process.env["TZ"];
    else process.env["TZ"] = before;
  });
}
