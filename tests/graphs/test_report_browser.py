"""report.html opens in a real browser: headless Chromium renders it to a screenshot, and
every image in it decodes (naturalWidth > 0, at the PNG's own size) with no page error."""
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import graphs_support
from graphs_support import FIXTURE, png_size, temp_dir

import offload_graphs as og

CHROMIUM = "/usr/bin/chromium"
# Runs first in <head>: records load errors of any element (capture phase) and script errors;
# on `load`, writes what every <img> decoded to into the DOM for --dump-dom to show.
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  var t = e.target;
  window.__errors.push(t && t.tagName ? 'failed to load <' + t.tagName + '>' : String(e.message));
}, true);
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var out = document.createElement('pre');
  out.id = '__check';
  out.textContent = JSON.stringify({
    images: imgs.map(function (i) {
      return {alt: i.alt, complete: i.complete, w: i.naturalWidth, h: i.naturalHeight};
    }),
    errors: window.__errors,
    bodyHeight: document.body.scrollHeight
  });
  document.body.appendChild(out);
});
</script>"""


def chromium(args, profile, timeout=90):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--mute-audio", f"--user-data-dir={profile}"]
    # A private HOME and no session bus: nothing of the user's profile is read or written.
    env = {**os.environ, "HOME": str(profile), "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    return subprocess.run([CHROMIUM] + flags + args, capture_output=True, text=True,
                          timeout=timeout, env=env)


@unittest.skipUnless(os.access(CHROMIUM, os.X_OK), "chromium not installed (make deps)")
class ReportInBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # One render for both tests: chromium is the slow part, not worth doing twice.
        cls.tmp = Path(tempfile.mkdtemp(prefix="graphs-browser-"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        run = cls.tmp / "run"
        shutil.copytree(FIXTURE, run, ignore=shutil.ignore_patterns("README*", "*.png", "*.html"))
        cls.report, _ = og.render(og.load(run))

    def rendered(self):
        return self.report.parent, self.report

    def test_screenshot_renders(self):
        run, report = self.rendered()
        tmp = temp_dir(self)
        shot = tmp / "report.png"
        p = chromium([f"--screenshot={shot}", "--window-size=1280,3000",
                      "--hide-scrollbars", report.as_uri()], tmp / "profile")
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertTrue(shot.is_file(), p.stderr[-3000:])
        self.assertEqual(png_size(shot), (1280, 3000))
        # A page that failed to render is one flat colour; ours has text, tables and plots.
        import matplotlib.image
        pixels = matplotlib.image.imread(str(shot))
        self.assertGreater(float(pixels[..., :3].std()), 0.05, "screenshot looks blank")
        if os.environ.get("GRAPHS_KEEP_SCREENSHOT"):  # for a person to look at it
            shutil.copy(shot, os.environ["GRAPHS_KEEP_SCREENSHOT"])

    def test_every_image_loads_and_no_page_error(self):
        run, report = self.rendered()
        tmp = temp_dir(self)
        page = report.read_text()
        self.assertEqual(page.count("<head>"), 1)
        check = run / "check.html"  # beside the report: same relative paths, if any
        check.write_text(page.replace("<head>", "<head>" + PROBE, 1))
        p = chromium(["--dump-dom", "--run-all-compositor-stages-before-draw",
                      "--virtual-time-budget=10000", "--window-size=1280,1000",
                      check.as_uri()], tmp / "profile")
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        m = re.search(r'<pre id="__check">(.*?)</pre>', p.stdout, re.S)
        self.assertIsNotNone(m, "the page never reached `load`: " + p.stderr[-2000:])
        result = json.loads(html.unescape(m.group(1)))
        self.assertEqual(result["errors"], [])
        images = result["images"]
        drawn = [name for name in og.PLOT_NAMES  # fixture: w2, no load levels
                 if name not in graphs_support.not_drawn_for_old_folders()]
        self.assertEqual(len(images), len(drawn))
        for img, name in zip(images, drawn):
            self.assertTrue(img["complete"], img)
            self.assertGreater(img["w"], 0, f"{img['alt']} did not load")
            self.assertEqual((img["w"], img["h"]), png_size(run / f"{name}.png"), img["alt"])
        self.assertGreater(result["bodyHeight"], 2000)


if __name__ == "__main__":
    if not os.access(CHROMIUM, os.X_OK):
        print(f"SKIP: {CHROMIUM} not installed (make deps installs chromium)")
        raise SystemExit(77)  # CTest's SKIP_RETURN_CODE
    graphs_support.main()
