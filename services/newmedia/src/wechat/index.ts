/** The WeChat official-account pipeline of the newmedia channel. */
export {
  createWechatPublisher,
  type WechatPublisher,
  type PublishJobEvent,
  type WechatPublisherOptions,
} from "./publisher";
export { WechatQuotaError, WechatRetryableError } from "./errors";
