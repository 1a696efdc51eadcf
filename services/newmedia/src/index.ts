/**
 * The newmedia channel: WeChat official accounts and Weibo accounts, each an
 * outlet of the channel `newmedia`, through the platforms' own HTTP APIs. The
 * renderers are pure, so the console can preview exactly what an account shows.
 */
export {
  DEFAULT_ACCOUNT_KINDS,
  accountsFileSchema,
  outletId,
  readAccountsFile,
  type AccountsFile,
  type WechatAccount,
  type WeiboAccount,
} from "./accounts";
export type { AccountView } from "./account-view";
export { newmediaEnv, type NewmediaConfig } from "./config";
export { CHANNEL, accountPolicy } from "./outlets";
export { platformPublishers } from "./platform-publishers";
export type { OperatorTask, Publisher, QuotaUse, TaskPublisher } from "./publisher";
export {
  NewmediaRequestError,
  startNewmedia,
  type NewmediaOptions,
  type NewmediaService,
  type PublisherFactories,
  type PublisherOptions,
} from "./service";
export type { RenderRefusal } from "./render/types";
export {
  WECHAT_LIMITS,
  portalItemUrl,
  rehostImages,
  renderWechatArticle,
  type WechatArticle,
  type WechatRenderSettings,
} from "./render/wechat-article";
export {
  WEIBO_MAX_WEIGHT,
  renderWeiboPost,
  weiboWeight,
  type WeiboPost,
  type WeiboRenderSettings,
} from "./render/weibo-post";
export {
  classifyWechatError,
  classifyWeiboError,
  type PlatformErrorClass,
  type PlatformErrorInfo,
} from "./platform-errors";
