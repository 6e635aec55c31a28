"""Opens the live dashboard in headless Chromium (Debian's chromium and chromium-driver,
driven by selenium), waits until every instrument panel has data, then until values change
with no page reload, and saves a screenshot.

Usage: check_dashboard.py URL SCREENSHOT.png PANELS

PANELS is how many instrument panels the page must show. Prints one JSON object: the
page's content at the first and at the last look (per panel: id, title, records, latest
values and flags, per canvas the points and the pixels drawn in the series colour and in
the QC 3 / QC 4 colours), the links table, the line-controller cards, and whether the page
was ever reloaded. The screenshot is the 1600 x 1500 window. The Rust test (gateway/tests/dashboard_browser.rs) asserts on it.
"""

import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

url, shot, want_panels = sys.argv[1], sys.argv[2], int(sys.argv[3])

READ = """
const colour = (c, rgb, tol) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - rgb[0]) <= tol && Math.abs(d[i + 1] - rgb[1]) <= tol &&
        Math.abs(d[i + 2] - rgb[2]) <= tol) n++;
  }
  return n;
};
return {
  updates: Number(document.getElementById('updates').textContent),
  conn: document.getElementById('conn').dataset.state,
  marker: window.__albatross_marker || null,
  navigations: performance.getEntriesByType('navigation').length,
  panels: [...document.querySelectorAll('#panels .panel')].map(p => ({
    id: p.dataset.id,
    title: p.querySelector('h3').textContent,
    age: p.querySelector('.age').textContent,
    records: Number(p.dataset.records),
    last: p.dataset.last,
    flagged: Number(p.dataset.flagged),
    latest: [...p.querySelectorAll('.latest div')].map(row =>
      [row.dataset.var, row.querySelector('dd').textContent, Number(row.querySelector('dd').dataset.flag)]),
    canvases: [...p.querySelectorAll('canvas')].map(c => ({
      var: c.dataset.var,
      points: Number(c.dataset.points),
      series_px: colour(c, [31, 119, 180], 40),
      qc3_px: colour(c, [255, 140, 0], 30),
      qc4_px: colour(c, [214, 39, 40], 30),
    })),
  })),
  links: [...document.querySelectorAll('#links tbody tr')].map(tr =>
    [...tr.children].map(td => td.textContent)),
  status: [...document.querySelectorAll('#status .status-card')].map(c => c.textContent),
};
"""


def wait(what, pred, timeout=90):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.25)
    raise SystemExit(f"timed out waiting for {what}")


opts = Options()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1600,1500", "--hide-scrollbars"):
    opts.add_argument(a)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
try:
    driver.set_page_load_timeout(60)
    driver.get(url)
    read = lambda: driver.execute_script(READ)
    wait("the event stream", lambda: read()["conn"] == "live")
    driver.execute_script("window.__albatross_marker = 'loaded once';")
    first = wait(
        f"{want_panels} instrument panels with data",
        lambda: (lambda s: s if len(s["panels"]) == want_panels
                 and all(p["records"] > 0 for p in s["panels"]) else None)(read()),
    )
    before = {p["id"]: (p["records"], p["latest"]) for p in first["panels"]}
    last = wait(
        "values to change on every panel",
        lambda: (lambda s: s if all(
            (p["records"], p["latest"]) != before[p["id"]] for p in s["panels"]) else None)(read()),
    )
    time.sleep(1.5)
    last = read()
    # the window as a user opens it: the links, the line controller, the first panels
    driver.save_screenshot(shot)
    print(json.dumps({"first": first, "last": last}))
finally:
    driver.quit()
