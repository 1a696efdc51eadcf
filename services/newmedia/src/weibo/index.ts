/** The Weibo pipeline: one publisher per account. */
export { createWeiboPublisher, type WeiboPublisher, type WeiboPublisherOptions } from "./publisher";
export type { OperatorTask } from "./tasks";
export { WeiboRetryableError } from "./calls";
