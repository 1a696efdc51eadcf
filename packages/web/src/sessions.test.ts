import { SessionStore } from "./sessions";

const secret = Buffer.alloc(32, 3);
const t0 = new Date("2026-01-01T00:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

describe("SessionStore", () => {
  it("refuses a short secret", () => {
    expect(() => new SessionStore({ secret: Buffer.alloc(31), ttlMs: 1000 })).toThrow(/32 bytes/);
  });

  it("finds a live session by its cookie value and refuses it once revoked", () => {
    const store = new SessionStore<string>({ secret, ttlMs: 60_000 });
    const session = store.issue("王敏", "token-1", t0);
    expect(session.value).toMatch(/^[\w-]{43}\.[\w-]{43}$/);
    expect(store.find(session.value, later(1000))).toMatchObject({
      name: "王敏",
      credential: "token-1",
    });
    store.revoke(session.value);
    expect(store.find(session.value, later(1000))).toBeUndefined();
  });

  it("refuses expired, forged and tampered values", () => {
    const store = new SessionStore<string>({ secret, ttlMs: 60_000 });
    const { value } = store.issue("a", "t", t0);
    expect(store.find(value, later(60_000))).toBeUndefined();
    const other = new SessionStore<string>({ secret: Buffer.alloc(32, 4), ttlMs: 60_000 });
    expect(other.find(value, t0)).toBeUndefined();
    const [id = ""] = value.split(".");
    expect(store.find(`${id}.AAAA`, t0)).toBeUndefined();
    expect(store.find(`${id}`, t0)).toBeUndefined();
    expect(store.find(undefined, t0)).toBeUndefined();
  });

  it("binds CSRF tokens to one session", () => {
    const store = new SessionStore<string>({ secret, ttlMs: 60_000 });
    const a = store.issue("a", "t", t0);
    const b = store.issue("b", "t", t0);
    expect(store.checkCsrf(a, store.csrfToken(a))).toBe(true);
    expect(store.checkCsrf(a, store.csrfToken(b))).toBe(false);
    expect(store.checkCsrf(a, undefined)).toBe(false);
  });

  it("keeps at most maxSessions, dropping the oldest", () => {
    const store = new SessionStore<string>({ secret, ttlMs: 60_000, maxSessions: 2 });
    const first = store.issue("1", "t", t0);
    store.issue("2", "t", t0);
    store.issue("3", "t", t0);
    expect(store.size).toBe(2);
    expect(store.find(first.value, t0)).toBeUndefined();
  });
});
