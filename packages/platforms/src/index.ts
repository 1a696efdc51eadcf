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
export { MEDIA_LIMITS } from "./wechat/draft-routes";
export { TOKEN_LIFETIME_MS, TOKEN_OVERLAP_MS, FORCE_REFRESH_PER_DAY } from "./wechat/tokens";
export { demoAccounts, readAccountsFile, type PlatformsAccountsFile } from "./accounts-file";
export { weiboLength, WEIBO_MAX_WEIGHT, WEIBO_URL_WEIGHT } from "./weibo/text";
export { WEIBO_DEFAULT_POSTS_PER_HOUR, WEIBO_PIC_MAX_BYTES } from "./weibo/routes";
