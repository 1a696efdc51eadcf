import { type WechatAccountSeed, type WechatQuotaApi } from "../types";

/** An access token as the platform keeps it; a superseded token has its expiry brought forward. */
export interface WechatToken {
  token: string;
  /** `cgi-bin/token` and `cgi-bin/stable_token` tokens are kept apart, as the platform does. */
  kind: "token" | "stable";
  issuedAt: number;
  expiresAt: number;
  /** Set when a newer token replaced this one outright (not by expiry): answers 40001, not 42001. */
  revoked?: boolean;
  /** Set when the control API ended it: it then answers 42001 like a token at the end of its life. */
  expiredByControl?: boolean;
}

export interface WechatMaterial {
  mediaId: string;
  type: "thumb" | "image";
  url: string;
  bytes: number;
  createdAt: number;
}

/** One article of a draft or of a published message, as stored after the platform's cleaning. */
export interface WechatArticle {
  title: string;
  author: string;
  digest: string;
  content: string;
  content_source_url: string;
  thumb_media_id: string;
  need_open_comment: number;
  only_fans_can_comment: number;
}

export interface WechatDraft {
  mediaId: string;
  articles: WechatArticle[];
  createdAt: number;
  updatedAt: number;
}

/** The ending a publish job will have: 0 published, 2 originality, 3 failed, 4 refused by review. */
export interface PublishOutcome {
  status: 0 | 2 | 3 | 4;
  /** Why review refused it (kept for the control API; the platform's API carries no reason). */
  reason?: string;
}

export interface PublishJob {
  publishId: string;
  msgDataId: string;
  draftMediaId: string;
  articles: WechatArticle[];
  submittedAt: number;
  finishAt: number;
  outcome: PublishOutcome;
  /** 1 until the job finishes, then the outcome's status. */
  status: 0 | 1 | 2 | 3 | 4;
  articleId?: string;
  /** Whether the PUBLISHJOBFINISH event has been attempted. */
  notified: boolean;
}

export interface PublishedArticle {
  articleId: string;
  publishId: string;
  articles: WechatArticle[];
  urls: string[];
  publishedAt: number;
  updatedAt: number;
  /** Per article (index 0 = the first), whether it was deleted. */
  deleted: boolean[];
}

export interface QuotaUse {
  day: string;
  count: number;
}

/** A fault the control API injected: the next `remaining` calls of an API answer `errcode`. */
export interface InjectedFault {
  errcode: number;
  remaining: number;
  errmsg?: string;
}

export interface WechatAccountState {
  seed: WechatAccountSeed;
  tokens: WechatToken[];
  stableForceRefresh: { day: string; count: number; lastAt: number };
  materials: WechatMaterial[];
  drafts: WechatDraft[];
  jobs: PublishJob[];
  articles: PublishedArticle[];
  quotaUse: Partial<Record<WechatQuotaApi, QuotaUse>>;
  faults: Partial<Record<string, InjectedFault>>;
  /** Endings for the next publish jobs, in order; and how long they stay "publishing". */
  nextPublish: Array<PublishOutcome & { holdMs?: number }>;
  sequence: number;
}

export function newWechatAccount(seed: WechatAccountSeed): WechatAccountState {
  return {
    seed,
    tokens: [],
    stableForceRefresh: { day: "", count: 0, lastAt: 0 },
    materials: [],
    drafts: [],
    jobs: [],
    articles: [],
    quotaUse: {},
    faults: {},
    nextPublish: [],
    sequence: 0,
  };
}
