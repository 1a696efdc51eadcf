"""The registry's public listing: one HTML page in Chinese, and the same as JSON.

  GET /                 双公示信用信息 (every decision held, newest first)
  GET /api/decisions    the same rows as JSON, for scripts and tests
Every value from a delivery is escaped: an item's title is data, not markup.
"""

import json
import threading
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Tuple

from herald.content.v1 import item_state_pb2 as items

from .store import Store

KIND_LABEL = {"licence": "行政许可", "penalty": "行政处罚"}
STATUS_LABEL = {
    items.ITEM_STATUS_PUBLISHED: "有效",
    items.ITEM_STATUS_RETRACTED: "已撤回",
    items.ITEM_STATUS_EXPIRED: "已失效",
}


def render(store: Store) -> str:
    rows = []
    for d in store.all():
        note = f"<br><small>{escape(d.explanation)}</small>" if d.explanation else ""
        rows.append(
            "<tr>"
            f"<td>{escape(KIND_LABEL.get(d.kind, d.kind))}</td>"
            f"<td>{escape(d.decision_number)}</td>"
            f"<td>{escape(d.title)}{note}</td>"
            f"<td>{escape(d.party_name)}<br><small>{escape(d.party_identifier)}</small></td>"
            f"<td>{escape(d.matter)}</td>"
            f"<td>{escape(d.office)}</td>"
            f"<td>{escape(d.decision_date)}</td>"
            f"<td>{escape(STATUS_LABEL.get(d.status, '未知'))}</td>"
            f"<td>{d.version}</td>"
            "</tr>"
        )
    body = "\n".join(rows) or '<tr><td colspan="9">暂无信息</td></tr>'
    return f"""<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>双公示信用信息</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}}th{{background:#f3f3f3}}
th,td:nth-child(1),td:nth-child(7),td:nth-child(8),td:nth-child(9){{white-space:nowrap}}</style></head>
<body>
<h1>双公示信用信息</h1>
<p>行政许可和行政处罚决定，由 Herald 投递，共 {len(rows)} 条。</p>
<table>
<thead><tr><th>类别</th><th>决定文书号</th><th>标题</th><th>行政相对人</th><th>内容</th><th>决定机关</th><th>决定日期</th><th>状态</th><th>版本</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</body>
</html>
"""


def serve(store: Store, host: str, port: int) -> Tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            path = self.path.split("?", 1)[0]
            if path == "/":
                self._send(200, "text/html; charset=utf-8", render(store))
            elif path == "/api/decisions":
                decisions = [d.__dict__ for d in store.all()]
                self._send(200, "application/json", json.dumps({"decisions": decisions}, ensure_ascii=False))
            else:
                self._send(404, "text/plain; charset=utf-8", "未找到\n")

        def _send(self, status: int, content_type: str, text: str) -> None:
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # quiet: the outlet logs what matters
            return

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]
