import { readFileSync } from "node:fs";
import { kindName } from "@herald/channel-kit";
import { ItemKind } from "@herald/contracts";
import { z } from "zod";

/**
 * The accounts one newmedia deployment publishes to, read from a JSON file
 * (`NEWMEDIA_ACCOUNTS_FILE`). Credentials are never in this file: each account
 * names the file that holds its secret, so the secrets stay in the deployment's
 * secret store.
 */

/** Kinds an account carries unless it says otherwise: what a customs office posts on its accounts. */
export const DEFAULT_ACCOUNT_KINDS: readonly ItemKind[] = [
  ItemKind.ITEM_KIND_NEWS,
  ItemKind.ITEM_KIND_POLICY_INTERPRETATION,
  ItemKind.ITEM_KIND_NOTICE,
  ItemKind.ITEM_KIND_SERVICE_GUIDE,
];

const accountName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "lower-case letters, digits and hyphens, at most 40");

// The kinds by the name the APIs spell them with ("policy-interpretation").
const kindsByName = new Map(
  Object.values(ItemKind)
    .filter((v): v is ItemKind => typeof v === "number" && v !== ItemKind.ITEM_KIND_UNSPECIFIED)
    .map((v) => [kindName(v), v] as const),
);

const kind = z
  .string()
  .refine((name) => kindsByName.has(name), {
    message: `one of ${[...kindsByName.keys()].join(", ")}`,
  })
  .transform((name) => kindsByName.get(name)!);

const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime({ offset: true });

/**
 * The first publication date an account takes. A date alone starts at midnight in
 * Beijing time, the day the office means; a date-time must say its offset, since
 * a bare one would depend on the host's time zone.
 */
const publishedFrom = z.string().transform((value, ctx) => {
  if (isoDate.safeParse(value).success) return new Date(`${value}T00:00:00+08:00`);
  if (isoDateTime.safeParse(value).success) return new Date(value);
  ctx.addIssue({
    code: "custom",
    message:
      'an ISO date ("2026-12-01", from midnight Beijing time) or a date-time with its offset ("2026-12-01T08:00:00+08:00")',
  });
  return z.NEVER;
});

const policy = {
  /** Kinds the account carries (kebab-case, as the APIs spell them); default {@link DEFAULT_ACCOUNT_KINDS}. */
  kinds: z.array(kind).min(1).optional(),
  /** Categories (the item's `category`, the portal's columns) the account carries; absent means all. */
  categories: z.array(z.string().min(1)).optional(),
  /** Whether internal items go out too; accounts are public, so default false. */
  internal: z.boolean().default(false),
  /** A warning after this many days with no post, and a finding after `freshnessFindingDays`. */
  freshnessWarningDays: z.number().int().min(1).default(10),
  freshnessFindingDays: z.number().int().min(1).default(14),
  /**
   * Items published before this are declined (`published-before`), so an account
   * added today does not post the office's history; absent, the account is owed
   * every item its policy covers.
   */
  publishedFrom: publishedFrom.optional(),
};

export const wechatAccountSchema = z.object({
  account: accountName,
  /** Shown to operators: "海关发布". */
  displayName: z.string().min(1),
  appId: z.string().min(1),
  /** File holding the AppSecret. */
  secretFile: z.string().min(1),
  /** https://api.weixin.qq.com, or the emulator. */
  baseUrl: z.url(),
  /** The article's author line, at most 16 characters. */
  author: z.string().max(16).default(""),
  /**
   * File holding the Token of the account's server configuration (服务器配置). With
   * it the channel takes the platform's PUBLISHJOBFINISH pushes at
   * `/wechat/events/<account>` on its HTTP port and polls less; without it, it polls.
   */
  eventTokenFile: z.string().min(1).optional(),
  /** The cover used when an item has none of its own: a JPEG file of at most 64 KB. */
  defaultCoverFile: z.string().min(1).optional(),
  /** Daily quotas the account has (the platform's defaults for a new account). */
  quotas: z
    .object({
      draftAdd: z.number().int().min(1).default(1_000),
      submit: z.number().int().min(1).default(100),
      get: z.number().int().min(1).default(100),
      delete: z.number().int().min(1).default(10),
    })
    .default({ draftAdd: 1_000, submit: 100, get: 100, delete: 10 }),
  ...policy,
});

export const weiboAccountSchema = z.object({
  account: accountName,
  displayName: z.string().min(1),
  /** The account's user id on Weibo. */
  uid: z.string().min(1),
  /** File holding the OAuth2 access token of the account's user. */
  accessTokenFile: z.string().min(1),
  /** https://api.weibo.com, or the emulator. */
  baseUrl: z.url(),
  /** The app's reviewed safe domains: a post must link into one of them (the portal's host). */
  safeDomains: z.array(z.string().regex(/^[a-z0-9.-]+$/, "a host name")).min(1),
  /** Posts per hour the app may make for this user. */
  postsPerHour: z.number().int().min(1).default(30),
  /** Whether the app may call statuses/destroy/biz (commercial apps only). */
  commercialDelete: z.boolean().default(false),
  ...policy,
});

export const accountsFileSchema = z
  .object({
    /** The portal's public base URL: articles link back to the item's page there. */
    portalBaseUrl: z.url(),
    wechat: z.array(wechatAccountSchema).default([]),
    weibo: z.array(weiboAccountSchema).default([]),
  })
  .superRefine((file, ctx) => {
    for (const platform of ["wechat", "weibo"] as const) {
      const seen = new Set<string>();
      file[platform].forEach((entry, index) => {
        if (seen.has(entry.account)) {
          ctx.addIssue({
            code: "custom",
            path: [platform, index, "account"],
            message: `account "${entry.account}" is listed twice`,
          });
        }
        seen.add(entry.account);
        if (entry.freshnessFindingDays <= entry.freshnessWarningDays) {
          ctx.addIssue({
            code: "custom",
            path: [platform, index, "freshnessFindingDays"],
            message: "must be greater than freshnessWarningDays",
          });
        }
      });
    }
  });

export type WechatAccount = z.infer<typeof wechatAccountSchema>;
export type WeiboAccount = z.infer<typeof weiboAccountSchema>;
export type AccountsFile = z.infer<typeof accountsFileSchema>;

/** The outlet id of an account, as receipts, announcements and audits carry it. */
export function outletId(platform: "wechat" | "weibo", account: string): string {
  return `${platform}:${account}`;
}

/** Reads and checks the accounts file; an error names the file, the field and the rule. */
export function readAccountsFile(path: string): AccountsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: not readable JSON: ${(error as Error).message}`);
  }
  const parsed = accountsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join(".") || "(file)"}: ${issue.message}`,
    );
    throw new Error(`${path}: the newmedia accounts are not valid:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** Reads a secret file: its content without the trailing newline. */
export function readSecret(path: string): string {
  return readFileSync(path, "utf8").trim();
}
