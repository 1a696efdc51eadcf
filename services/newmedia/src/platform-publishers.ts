import type { PublisherFactories } from "./service";
import { createWechatPublisher } from "./wechat";
import { createWeiboPublisher } from "./weibo";

/** The real pipelines: the platforms' HTTP APIs at each account's base URL. */
export const platformPublishers: PublisherFactories = {
  wechat: (options) => createWechatPublisher(options),
  weibo: (options) => createWeiboPublisher(options),
};
