import { describe, expect, it } from "vitest";
import { ApiError } from "./errors";

describe("ApiError.shared", () => {
  it("is one frozen instance per code and message, answering like a fresh one", async () => {
    const a = ApiError.shared("invalid_credentials", "Invalid client credentials.");
    expect(ApiError.shared("invalid_credentials", "Invalid client credentials.")).toBe(a);
    expect(ApiError.shared("invalid_credentials", "Other.")).not.toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a.extra) && Object.isFrozen(a.headers)).toBe(true);
    expect(() => Object.assign(a.headers, { "X-Leak": "1" })).toThrow(TypeError);

    const fresh = new ApiError("invalid_credentials", "Invalid client credentials.");
    const [shared, made] = [a.toResponse({ "X-Request-Id": "r1" }), fresh.toResponse({ "X-Request-Id": "r1" })];
    expect(shared.status).toBe(made.status);
    expect([...shared.headers]).toEqual([...made.headers]);
    expect(await shared.json()).toEqual(await made.json());
  });
});
