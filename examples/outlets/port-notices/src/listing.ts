import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ItemStatus } from "@herald/outlet-sdk";
import type { NoticeStore } from "./store";

const KIND_LABEL = { notice: "通知公告", "policy-document": "政策文件" } as const;
const STATUS_LABEL: Partial<Record<ItemStatus, string>> = {
  [ItemStatus.ITEM_STATUS_PUBLISHED]: "有效",
  [ItemStatus.ITEM_STATUS_RETRACTED]: "已撤回",
  [ItemStatus.ITEM_STATUS_EXPIRED]: "已失效",
};

/** Every value from a delivery is text, never markup. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

export function renderListing(store: NoticeStore): string {
  const notices = store.all();
  const rows = notices.map(
    (n) =>
      `<tr><td>${KIND_LABEL[n.kind]}</td><td>${escapeHtml(n.title)}<br><small>${escapeHtml(n.summary)}</small></td>` +
      `<td>${escapeHtml(n.documentNumber)}</td><td>${escapeHtml(n.issuingOffice)}</td>` +
      `<td>${escapeHtml(n.effectiveAt)}</td><td>${STATUS_LABEL[n.status as ItemStatus] ?? "未知"}</td></tr>`,
  );
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>口岸通关公告</title></head>
<body>
<h1>口岸通关公告</h1>
<p>海关通知公告和政策文件，由 Herald 投递，共 ${notices.length} 条。</p>
<table border="1" cellpadding="4">
<thead><tr><th>类别</th><th>标题</th><th>文号</th><th>发布机关</th><th>生效日期</th><th>状态</th></tr></thead>
<tbody>
${rows.join("\n") || '<tr><td colspan="6">暂无公告</td></tr>'}
</tbody>
</table>
</body>
</html>
`;
}

/**
 * GET / is the listing for traders; GET /api/notices the same notices as JSON,
 * for scripts and tests.
 */
export async function serveListing(
  store: NoticeStore,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const [status, type, body] =
      path === "/"
        ? [200, "text/html; charset=utf-8", renderListing(store)]
        : path === "/api/notices"
          ? [200, "application/json", JSON.stringify({ notices: store.all() })]
          : [404, "text/plain; charset=utf-8", "未找到\n"];
    res.writeHead(status, { "content-type": type });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
