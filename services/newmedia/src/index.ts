/** The newmedia channel. */
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
