/**
 * The Weibo error codes the emulator answers with, the English `error` text and HTTP status.
 * WARNING: clients match on these numbers.
 */
export const WEIBO_ERRORS = {
  systemError: { code: 10001, error: "System error", http: 500 },
  paramError: { code: 10008, error: "Param error, see doc for more info.", http: 400 },
  insufficientPermissions: { code: 10014, error: "Insufficient app permissions!", http: 403 },
  missingParameter: {
    code: 10016,
    error: "Miss required parameter (%s), see doc for more info.",
    http: 400,
  },
  domainNotBound: { code: 10017, error: "appkey not bind domain!", http: 400 },
  ipRateLimit: { code: 10022, error: "IP requests out of rate limit!", http: 403 },
  userRateLimit: { code: 10023, error: "User requests out of rate limit!", http: 403 },
  apiRateLimit: { code: 10024, error: "User requests for (%s) out of rate limit!", http: 403 },
  unsupportedImage: {
    code: 20005,
    error: "Unsupported image type, only suport JPG, GIF, PNG!",
    http: 400,
  },
  imageTooLarge: { code: 20006, error: "Image size too large.", http: 400 },
  contentEmpty: { code: 20008, error: "Content is null!", http: 400 },
  textTooLong: {
    code: 20012,
    error: "Text too long, please input text less than 140 characters!",
    http: 400,
  },
  tooFast: { code: 20016, error: "Out of limit!", http: 400 },
  similarContent: { code: 20017, error: "Repeated weibo text!", http: 400 },
  illegalUrl: { code: 20018, error: "Contain illegal website!", http: 400 },
  repeatedContent: { code: 20019, error: "Repeat conetnt!", http: 400 },
  weiboNotExist: { code: 20101, error: "Target weibo does not exist!", http: 400 },
  notYourWeibo: { code: 20102, error: "Not your own weibo!", http: 400 },
  expiredToken: { code: 21327, error: "expired_token", http: 401 },
  invalidAccessToken: { code: 21332, error: "invalid_access_token", http: 401 },
} as const satisfies Record<string, { code: number; error: string; http: number }>;

export type WeiboErrorName = keyof typeof WEIBO_ERRORS;

export interface WeiboErrorBody {
  error: string;
  error_code: number;
  request: string;
}

export class WeiboRefusal extends Error {
  constructor(
    readonly http: number,
    readonly body: WeiboErrorBody,
  ) {
    super(body.error);
  }
}

export function weiboRefuse(name: WeiboErrorName, request: string, detail?: string): never {
  const e = WEIBO_ERRORS[name];
  throw new WeiboRefusal(e.http, {
    error: detail === undefined ? e.error : e.error.replace("%s", detail),
    error_code: e.code,
    request,
  });
}

/** The error for a code injected by the control API. */
export function injected(code: number, request: string, message?: string): WeiboRefusal {
  const known = Object.values(WEIBO_ERRORS).find((e) => e.code === code);
  return new WeiboRefusal(known?.http ?? 400, {
    error: message ?? known?.error ?? "injected error",
    error_code: code,
    request,
  });
}
