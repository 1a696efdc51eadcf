/**
 * The house style of an article on WeChat. The platform drops classes, ids and
 * style sheets, so every rule is an inline `style` attribute on the element it
 * shapes; sizes are in px because the article view ignores rem.
 */

const TEXT = "color:#333333;font-size:16px;line-height:1.75;letter-spacing:0.5px";

export const STYLE = {
  paragraph: `margin:0 0 16px 0;${TEXT};text-align:justify`,
  heading2: "margin:24px 0 12px 0;color:#1a1a1a;font-size:19px;line-height:1.5;font-weight:bold",
  heading3: "margin:20px 0 10px 0;color:#1a1a1a;font-size:17px;line-height:1.5;font-weight:bold",
  heading4: "margin:16px 0 8px 0;color:#333333;font-size:16px;line-height:1.5;font-weight:bold",
  list: `margin:0 0 16px 0;padding-left:24px;${TEXT}`,
  listItem: "margin:0 0 6px 0",
  quote: `margin:0 0 16px 0;padding:8px 12px;border-left:3px solid #b0b0b0;background-color:#f7f7f7;${TEXT};color:#555555`,
  section: "margin:0 0 16px 0",
  caption: "margin:4px 0 16px 0;color:#888888;font-size:13px;line-height:1.5;text-align:center",
  preformatted:
    "margin:0 0 16px 0;padding:8px 12px;background-color:#f7f7f7;color:#333333;font-size:14px;line-height:1.6;white-space:pre-wrap;word-break:break-all;font-family:Menlo,Consolas,monospace",
  code: "font-size:14px;font-family:Menlo,Consolas,monospace;background-color:#f3f3f3;padding:0 2px",
  rule: "margin:24px 0;border-top:1px solid #dddddd;height:0",
  image: "display:block;max-width:100%;height:auto;margin:0 auto 16px auto",
  /** Tables scroll sideways inside their own box so a wide table never squeezes the text. */
  tableScroller: "margin:0 0 16px 0;overflow-x:auto;-webkit-overflow-scrolling:touch",
  table: "border-collapse:collapse;min-width:100%;font-size:14px;line-height:1.6;color:#333333",
  headerCell:
    "border:1px solid #cccccc;padding:6px 8px;background-color:#f2f2f2;font-weight:bold;text-align:left;vertical-align:top",
  cell: "border:1px solid #cccccc;padding:6px 8px;text-align:left;vertical-align:top",
  underline: "text-decoration:underline",
  strike: "text-decoration:line-through",
  superscript: "vertical-align:super;font-size:75%",
  subscript: "vertical-align:sub;font-size:75%",
  linkText: "color:#576b95",
  /** The document number, issuing office and date above the body. */
  meta: "margin:0 0 4px 0;color:#888888;font-size:14px;line-height:1.6",
  metaBlock: "margin:0 0 20px 0;padding-bottom:12px;border-bottom:1px solid #eeeeee",
  /** Attachments and the source link below the body. */
  footer: "margin:24px 0 0 0;padding-top:12px;border-top:1px solid #eeeeee",
  footerLine: "margin:0 0 8px 0;color:#888888;font-size:14px;line-height:1.6;word-break:break-all",
} as const;
