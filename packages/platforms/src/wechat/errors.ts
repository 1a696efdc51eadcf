import { requestId } from "../ids";

/**
 * The WeChat return codes the emulator answers with, and the English `errmsg` the platform
 * sends for each (its global return-code table). WARNING: clients match on these numbers.
 */
export const WECHAT_ERRORS = {
  busy: { errcode: -1, errmsg: "system error" },
  invalidCredential: {
    errcode: 40001,
    errmsg: "invalid credential, access_token is invalid or not latest",
  },
  invalidGrantType: { errcode: 40002, errmsg: "invalid grant_type" },
  invalidMediaType: { errcode: 40004, errmsg: "invalid media type" },
  invalidFileType: { errcode: 40005, errmsg: "invalid file type" },
  invalidMediaId: { errcode: 40007, errmsg: "invalid media_id" },
  invalidImageSize: { errcode: 40009, errmsg: "invalid image size" },
  invalidAppId: { errcode: 40013, errmsg: "invalid appid" },
  invalidAccessToken: { errcode: 40014, errmsg: "invalid access_token" },
  invalidSecret: { errcode: 40125, errmsg: "invalid appsecret" },
  missingAccessToken: { errcode: 41001, errmsg: "access_token missing" },
  missingAppId: { errcode: 41002, errmsg: "appid missing" },
  missingSecret: { errcode: 41004, errmsg: "appsecret missing" },
  missingMedia: { errcode: 41005, errmsg: "media data missing" },
  accessTokenExpired: { errcode: 42001, errmsg: "access_token expired" },
  requirePost: { errcode: 43002, errmsg: "require POST method" },
  emptyMedia: { errcode: 44001, errmsg: "empty media data" },
  emptyNews: { errcode: 44003, errmsg: "empty news data" },
  mediaSizeOutOfLimit: { errcode: 45001, errmsg: "media size out of limit" },
  contentSizeOutOfLimit: { errcode: 45002, errmsg: "content size out of limit" },
  titleSizeOutOfLimit: { errcode: 45003, errmsg: "title size out of limit" },
  descriptionSizeOutOfLimit: { errcode: 45004, errmsg: "description size out of limit" },
  articleSizeOutOfLimit: { errcode: 45008, errmsg: "article size out of limit" },
  quotaReached: { errcode: 45009, errmsg: "reach max api daily quota limit" },
  authorSizeOutOfLimit: { errcode: 45110, errmsg: "author size out of limit" },
  dataFormatError: { errcode: 47001, errmsg: "data format error" },
  invalidParameter: { errcode: 47003, errmsg: "argument invalid!" },
  apiUnauthorized: { errcode: 48001, errmsg: "api unauthorized" },
  publishBanned: { errcode: 53500, errmsg: "publish function is banned" },
  invalidPublishId: { errcode: 53502, errmsg: "invalid publish_id" },
  draftNotPassCheck: { errcode: 53503, errmsg: "draft has not passed the publish check" },
  draftMustBeUsedInMp: { errcode: 53504, errmsg: "draft must be used in the mp backend" },
  draftMustBeSavedManually: {
    errcode: 53505,
    errmsg: "draft must be saved manually before publishing",
  },
  invalidArticleId: { errcode: 53600, errmsg: "invalid article_id" },
} as const satisfies Record<string, { errcode: number; errmsg: string }>;

export type WechatErrorName = keyof typeof WECHAT_ERRORS;

export interface WechatErrorBody {
  errcode: number;
  errmsg: string;
}

/** The error body as the platform sends it, with a hint and request id after the message. */
export function wechatError(name: WechatErrorName, hint?: string): WechatErrorBody {
  const { errcode, errmsg } = WECHAT_ERRORS[name];
  return errorBody(errcode, hint === undefined ? errmsg : `${errmsg} hint: [${hint}]`);
}

export function errorBody(errcode: number, errmsg: string): WechatErrorBody {
  return { errcode, errmsg: `${errmsg} rid: ${requestId()}` };
}

/** The message for a code injected by the control API, where the code is one the table knows. */
export function messageForCode(errcode: number): string {
  const known = Object.values(WECHAT_ERRORS).find((e) => e.errcode === errcode);
  return known?.errmsg ?? "injected error";
}

/** A refusal a handler throws; the router turns it into the platform's error body. */
export class WechatRefusal extends Error {
  constructor(readonly body: WechatErrorBody) {
    super(body.errmsg);
  }
}

export function refuse(name: WechatErrorName, hint?: string): never {
  throw new WechatRefusal(wechatError(name, hint));
}
