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
