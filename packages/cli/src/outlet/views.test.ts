import type { OutletView } from "./client";
import { connectionOf, formatCredential, formatOutletList, formatOutletStatus } from "./views";

const outlet = (over: Partial<OutletView>): OutletView => ({
  name: "credit-registry",
  channel: "outlet-credit-registry",
  policy: {
    kinds: ["administrative-penalty"],
    audiences: [],
    keepsWithdrawn: false,
    keepsExpired: false,
  },
  registeredAt: "2026-01-01T00:00:00.000Z",
  rotatedAt: null,
  revokedAt: null,
  connected: [],
  inFlight: 0,
  pending: 0,
  backfilling: false,
  lag: 0,
  ...over,
});

describe("outlet views", () => {
  it("say how an outlet is connected", () => {
    const instance = { instanceId: "a", session: "s" };
    expect(connectionOf(outlet({}))).toBe("not connected");
    expect(connectionOf(outlet({ connected: [instance] }))).toBe("connected (1 instance)");
    expect(connectionOf(outlet({ connected: [instance, instance] }))).toBe(
      "connected (2 instances)",
    );
    expect(connectionOf(outlet({ connected: [instance], revokedAt: "2026-01-02T00:00:00Z" }))).toBe(
      "revoked",
    );
  });

  it("list outlets with in flight, pending, backfilling and lag", () => {
    const lines = formatOutletList({
      gateway: "127.0.0.1:50060",
      outlets: [
        outlet({
          connected: [{ instanceId: "a", session: "s" }],
          inFlight: 3,
          pending: 40,
          backfilling: true,
          lag: 120,
        }),
        outlet({
          name: "site",
          channel: "outlet-site",
          policy: { kinds: [], audiences: ["public"], keepsWithdrawn: false, keepsExpired: false },
          lag: null,
        }),
      ],
    });
    expect(lines).toEqual([
      "  outlet           connection              in flight  pending  backfilling  lag  kinds",
      "  credit-registry  connected (1 instance)  3          40       yes          120  administrative-penalty",
      "  site             not connected           0          0        no           ?    all",
      "",
      "lag: messages on herald.items.v1 the outlet has yet to settle; outlets connect to 127.0.0.1:50060",
    ]);
    expect(formatOutletList({ outlets: [] })).toEqual([
      "no outlets yet; `./herald outlet add <name> --kinds …` registers one",
    ]);
  });

  it("add nothing to herald status without live outlets", () => {
    expect(formatOutletStatus({ outlets: [] })).toEqual([]);
    expect(
      formatOutletStatus({ outlets: [outlet({ revokedAt: "2026-01-02T00:00:00Z" })] }),
    ).toEqual([]);
    expect(formatOutletStatus({ outlets: [outlet({ lag: 7 })] })).toEqual([
      "",
      "outlets (from the outlet gateway):",
      "  outlet           channel                 connection     lag",
      "  credit-registry  outlet-credit-registry  not connected  7",
    ]);
  });

  it("print a credential with the variables an outlet reads", () => {
    const lines = formatCredential(
      { ...outlet({}), credential: "secret-credential", gateway: "10.0.0.1:50060" },
      "rotated",
      "127.0.0.1:50060",
    );
    expect(lines).toContain("  secret-credential");
    expect(lines).toContain("  HERALD_GATEWAY=10.0.0.1:50060");
    expect(lines).toContain("  HERALD_OUTLET_TOKEN=secret-credential");
    const older = formatCredential(
      { ...outlet({}), credential: "c" },
      "registered",
      "127.0.0.1:50060",
    );
    expect(older).toContain("  HERALD_GATEWAY=127.0.0.1:50060");
    expect(older).toContain("  audiences        public");
  });
});
