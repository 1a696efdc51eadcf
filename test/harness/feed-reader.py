"""Reads feeds the way an RSS reader would, for the feed tests.

stdin: a JSON list of {"format": "rss"|"atom"|"json", "text": "..."}.
stdout: a JSON list, one object per feed: {"bozo": str|None, "title": Field,
"entries": [{"title": Field, "summary": Field, "link": str}]}, where a Field is
{"value", "type", "text", "tags"}: `text` is what a reader shows (the value
itself for plain text, the decoded character data for HTML) and `tags` the
elements the value would render.

XML feeds go through feedparser. feedparser 6.0 reads no JSON Feed, so a JSON
feed goes through Python's json module and is read as JSON Feed 1.1 defines it:
title and summary are plain text.
"""

import json
import sys
from html.parser import HTMLParser

import feedparser


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.parts.append(data)


def field(value, detail):
    kind = (detail or {}).get("type", "text/plain")
    if kind in ("text/html", "application/xhtml+xml"):
        parser = _Text()
        parser.feed(value)
        parser.close()
        return {"value": value, "type": kind, "text": "".join(parser.parts), "tags": parser.tags}
    return {"value": value, "type": kind, "text": value, "tags": []}


def read_xml(text):
    parsed = feedparser.parse(text)
    bozo = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    return {
        "bozo": bozo,
        "version": parsed.get("version", ""),
        "title": field(parsed.feed.get("title", ""), parsed.feed.get("title_detail")),
        "entries": [
            {
                "title": field(e.get("title", ""), e.get("title_detail")),
                "summary": field(e.get("summary", ""), e.get("summary_detail")),
                "link": e.get("link", ""),
            }
            for e in parsed.entries
        ],
    }


def read_json(text):
    feed = json.loads(text)
    plain = lambda v: {"value": v, "type": "text/plain", "text": v, "tags": []}
    return {
        "bozo": None,
        "version": feed.get("version", ""),
        "title": plain(feed.get("title", "")),
        "entries": [
            {
                "title": plain(item.get("title", "")),
                "summary": plain(item.get("summary", "")),
                "link": item.get("url", ""),
            }
            for item in feed.get("items", [])
        ],
    }


def main():
    feeds = json.load(sys.stdin)
    out = [read_json(f["text"]) if f["format"] == "json" else read_xml(f["text"]) for f in feeds]
    json.dump(out, sys.stdout, ensure_ascii=False)


main()
