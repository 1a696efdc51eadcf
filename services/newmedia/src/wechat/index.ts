/** The WeChat official-account pipeline of the newmedia channel. */
export {
  createWechatPublisher,
  type WechatPublisher,
  type WechatPublisherOptions,
} from "./publisher";
export { WechatQuotaError, WechatRetryableError } from "./errors";
