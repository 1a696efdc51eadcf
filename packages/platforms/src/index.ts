/** herald-platforms: the WeChat and Weibo emulator. */
export { startPlatforms, type Platforms } from "./server";
export type {
  StartPlatformsOptions,
  WechatAccountSeed,
  WeiboAccountSeed,
  WechatApi,
  WechatQuotaApi,
  WeiboApi,
  CallRecord,
} from "./types";
export type {
  PlatformsControl,
  PlatformName,
  FaultSpec,
  NextPublishSpec,
  WechatAccountView,
  WechatArticleView,
  WeiboAccountView,
  WeiboPostView,
  AccountsView,
} from "./control";
export { DEFAULT_WECHAT_QUOTAS } from "./quotas";
export { DRAFT_LIMITS } from "./wechat/content";
export { MEDIA_LIMITS } from "./wechat/routes";
export { TOKEN_LIFETIME_MS, TOKEN_OVERLAP_MS, FORCE_REFRESH_PER_DAY } from "./wechat/tokens";
export { demoAccounts, readAccountsFile, type PlatformsAccountsFile } from "./accounts-file";
