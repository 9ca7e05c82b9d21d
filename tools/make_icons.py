#!/usr/bin/env python3
"""Render the app's PNG icons from its SVG, once, with the Chromium the browser tests use:

    .venv/bin/python tools/make_icons.py [--chromium /usr/bin/chromium]

Writes into tutor/static/: icon-192.png and icon-512.png (the rounded favicon.svg, transparent
corners), icon-maskable-512.png (full bleed, the glyph inside the 80 % safe zone that Android's
masks keep) and apple-touch-icon.png (180 px, full bleed: iOS rounds the corners itself and
would paint transparent ones black). The PNGs are committed; run this again only when
favicon.svg changes. Chromium and Playwright are test dependencies, so the app itself needs no
image library. The glyph needs a CJK font (Debian: fonts-wqy-microhei).
"""
from __future__ import annotations

import argparse
import base64
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "tutor" / "static"
BRAND = "#1d6fb8"   # --brand in style.css
FONTS = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"
# The favicon's glyph at 0.75 of its size, centred: it stays inside the maskable safe zone.
FULL_BLEED = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
              f'fill="{BRAND}"/><text x="32" y="43" font-size="27" text-anchor="middle" fill="#fff" '
              f'font-family="{FONTS}" font-weight="700">贸</text></svg>')


def icons() -> list[tuple[str, int, str]]:
    rounded = (STATIC / "favicon.svg").read_text(encoding="utf-8")
    return [("icon-192.png", 192, rounded), ("icon-512.png", 512, rounded),
            ("icon-maskable-512.png", 512, FULL_BLEED), ("apple-touch-icon.png", 180, FULL_BLEED)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        for name, size, svg in icons():
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
            page.set_content(f'<html><body style="margin:0;background:transparent">'
                             f'<img src="data:image/svg+xml;base64,{data}" width="{size}" height="{size}" '
                             f'style="display:block"></body></html>')
            page.wait_for_load_state("load")
            page.screenshot(path=str(STATIC / name), omit_background=True)
            page.close()
            print(f"{name}: {size}×{size}")
        browser.close()


if __name__ == "__main__":
    main()
