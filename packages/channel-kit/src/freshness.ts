/**
 * Whether an account that must be kept updated has posted recently enough.
 * Inspections fail a WeChat or Weibo account after two weeks without an update,
 * so an account is warned of first and then reported. The reconciler and the
 * channel that runs the account both judge with this one function, so an
 * operator reads the same level and the same sentence on every screen.
 */

/** A channel's freshness days: a warning from `warningDays` without a post, a finding from `findingDays`. */
export interface FreshnessRule {
  readonly warningDays: number;
  readonly findingDays: number;
}

export type FreshnessLevel = "ok" | "warning" | "finding";

/** The rule id an operator sees beside the sentence, one per level. */
export type FreshnessCode = `freshness.${FreshnessLevel}`;

/** What the judgement starts from, in ms since the epoch. */
export interface FreshnessInput {
  /** The account's last post; absent when it never posted. */
  readonly lastPostAt?: number | undefined;
  /**
   * From when an account that never posted is counted: when the account came
   * into service (the reconciler: when it first saw the account; the channel:
   * when the account's outlet first started).
   */
  readonly since: number;
}

export interface FreshnessJudgement {
  readonly level: FreshnessLevel;
  readonly code: FreshnessCode;
  /** Whole days since the last post, or since `since` when the account never posted. */
  readonly days: number;
  readonly posted: boolean;
  readonly warningDays: number;
  readonly findingDays: number;
  /** For operators, in Chinese, with the rule id beside it when the level is not ok. */
  readonly message: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Judges an account by `rule` at `now`. Whole days are counted down (a post
 * 13 days and 23 hours ago is 13 days), and a level starts on its day: exactly
 * `warningDays` is a warning, exactly `findingDays` a finding. A rule whose
 * warning is not before its finding never warns. A time in the future (a clock
 * behind another) counts as 0 days.
 */
export function judgeFreshness(
  rule: FreshnessRule,
  input: FreshnessInput,
  now: number,
): FreshnessJudgement {
  checkDays("warningDays", rule.warningDays);
  checkDays("findingDays", rule.findingDays);
  checkTime("now", now);
  checkTime("since", input.since);
  if (input.lastPostAt !== undefined) checkTime("lastPostAt", input.lastPostAt);

  const posted = input.lastPostAt !== undefined;
  const from = input.lastPostAt ?? input.since;
  const days = Math.max(0, Math.floor((now - from) / DAY_MS));
  const level: FreshnessLevel =
    days >= rule.findingDays ? "finding" : days >= rule.warningDays ? "warning" : "ok";
  const code: FreshnessCode = `freshness.${level}`;
  return {
    level,
    code,
    days,
    posted,
    warningDays: rule.warningDays,
    findingDays: rule.findingDays,
    message: sentence(level, code, days, posted, rule.findingDays),
  };
}

function sentence(
  level: FreshnessLevel,
  code: FreshnessCode,
  days: number,
  posted: boolean,
  findingDays: number,
): string {
  const what = posted
    ? days === 0
      ? "今天有发布"
      : `最近一次发布在 ${days} 天前`
    : `接入以来 ${days} 天没有发布过内容`;
  switch (level) {
    case "ok":
      return what;
    case "warning":
      return `${what}，连续 ${findingDays} 天未更新即判定为不合格，还剩 ${findingDays - days} 天（${code}）`;
    case "finding":
      return `${what}，已达 ${findingDays} 天未更新：考核将判定账号长期未更新，请尽快发布（${code}）`;
  }
}

function checkDays(field: keyof FreshnessRule, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `freshness.${field} must be a whole number of days, 0 or more; got ${value}`,
    );
  }
}

function checkTime(field: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`freshness ${field} must be a time in ms since the epoch; got ${value}`);
  }
}
