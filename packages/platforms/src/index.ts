/** herald-platforms: the WeChat and Weibo emulator. */
export {};
