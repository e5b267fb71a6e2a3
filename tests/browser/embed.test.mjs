// The embed page (web/embed.html): one playground state, compact, in an <iframe> of another
// site's page — its window.nnplay hooks and ids (docs/API.md), its link to the full playground,
// its layout in frames of every size, a bad hash, and the playground's share dialog that offers
// the <iframe>. No timing assertions: training is driven by step(k) and waited for by epoch.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { EDITED_PLAYGROUND as EDITED, hooks, startBrowser } from "./browser.mjs";

const TIMEOUT = { timeout: 240_000 };
let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

// page or frame: both evaluate in their own window.
const ready = async (target) => {
  await target.waitForFunction(() => window.nnplay?.ready, null, { timeout: 120_000 });
  await target.evaluate(() => window.nnplay.ready);
};
const open = (path) => env.newPage(path, { timeout: 120_000 });

const hashOf = (url) => url.slice(url.indexOf("#"));

test("embed_opens_its_hash_trains_like_the_playground_and_links_to_the_same_network", TIMEOUT, async () => {
  const playground = await open("");
  await hooks(playground, "setState", EDITED);
  const embed = await open(`embed.html${hashOf(await hooks(playground, "shareUrl"))}`);
  assert.deepEqual(await hooks(embed, "state"), await hooks(playground, "state"));
  assert.equal(await embed.getAttribute("#open", "href"), await hooks(playground, "shareUrl"),
    "before training, the link is the state alone");

  // One epoch by the button, one by the key, eight by the hook: the playground's ten, to the bit.
  await embed.click("#step");
  await embed.waitForFunction(() => window.nnplay.metrics().epoch === 1);
  await embed.locator("body").press("s");
  await embed.waitForFunction(() => window.nnplay.metrics().epoch === 2);
  const metrics = await hooks(embed, "step", 8);
  assert.deepEqual(metrics, await hooks(playground, "step", 10));
  assert.equal(await embed.textContent("#epoch"), "10");
  assert.equal(await embed.textContent("#train-loss"), metrics.trainLoss.toFixed(3));
  assert.equal(await embed.textContent("#test-accuracy"), `${(metrics.testAccuracy * 100).toFixed(1)}%`);

  // The link carries the epoch now: the full playground opens on this very network.
  const href = await embed.getAttribute("#open", "href");
  assert.equal(href, await hooks(playground, "shareUrl", { epoch: true }));
  assert.match(href, /&ep=10$/);
  assert.equal(await embed.getAttribute("#open", "target"), "_blank");
  assert.equal(await embed.textContent("#open"), "Open in nnplay");
  const full = await open(hashOf(href));
  assert.deepEqual(await hooks(full, "metrics"), metrics);

  // Play runs and pauses from the button; Reset goes back to epoch 0 and the link to the state alone.
  await embed.click("#play");
  await embed.waitForFunction(() => window.nnplay.metrics().epoch > 10);
  assert.equal(await embed.getAttribute("#play", "aria-pressed"), "true");
  await embed.click("#play");
  await embed.waitForFunction(() => document.getElementById("play").getAttribute("aria-pressed") === "false");
  await embed.click("#reset");
  await embed.waitForFunction(() => window.nnplay.metrics().epoch === 0);
  assert.equal(await embed.getAttribute("#open", "href"), await hooks(playground, "shareUrl"));
  assert.deepEqual([...playground.errors, ...embed.errors, ...full.errors], []);
  await Promise.all([playground, embed, full].map((page) => page.close()));
});

// What a frame shows: its size, its scroll size, the controls that are not wholly inside it,
// the plane's CSS and canvas sizes, and whether the plane's middle pixel is painted.
function frameLayout() {
  const root = document.documentElement;
  const outside = ["heatmap", "play", "step", "reset", "epoch", "train-loss", "test-loss", "train-accuracy",
    "test-accuracy", "open"].filter((id) => {
    const box = document.getElementById(id).getBoundingClientRect();
    return box.left < 0 || box.top < 0 || box.right > root.clientWidth || box.bottom > root.clientHeight;
  });
  const canvas = document.getElementById("heatmap");
  const middle = canvas.getContext("2d").getImageData(canvas.width / 2, canvas.height / 2, 1, 1).data;
  return { client: [root.clientWidth, root.clientHeight], scroll: [root.scrollWidth, root.scrollHeight], outside,
    side: canvas.clientWidth, pixels: canvas.width / devicePixelRatio, painted: middle[3] === 255 };
}

test("embed_fills_an_iframe_of_another_site_and_relayouts_when_the_frame_is_resized", TIMEOUT, async () => {
  const src = new URL("embed.html#v=1&data=spiral&h=8:tanh,8:tanh", env.url).href;
  // Another origin's page (127.0.0.1, not localhost), with no special headers, as a blog would embed it.
  const blog = createServer((request, response) => {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><title>A post</title><h1>A post</h1><iframe src="${src}" width="640" height="400" ` +
      'title="nnplay" style="border:0"></iframe>');
  });
  await new Promise((resolve) => { blog.listen(0, "127.0.0.1", resolve); });
  after(() => new Promise((resolve) => { blog.close(resolve); }));
  const page = await env.browser.newPage({ viewport: { width: 900, height: 700 } });
  await page.goto(`http://127.0.0.1:${blog.address().port}/post.html`);
  const frame = await (await page.waitForSelector("iframe")).contentFrame();
  await ready(frame);
  assert.match(frame.url(), /\/embed\.html#v=1&data=spiral&/, "another site may frame the embed");
  await hooks(frame, "step", 20);

  let previous = 0;
  for (const [width, height] of [[640, 400], [320, 240], [300, 450], [240, 180], [640, 400]]) {
    await page.evaluate(([w, h]) => {
      const iframe = document.querySelector("iframe");
      iframe.width = w;
      iframe.height = h;
    }, [width, height]);
    // Relaid out and redrawn at the new size. The page lays out in a ResizeObserver callback
    // and redraws in the next animation frame; an observer made now is called after the page's
    // (observers are called in the order they were made), so a frame after it the plane is
    // drawn. (Polling the canvas alone could read it before the page's callback had run.)
    await frame.evaluate(([w, h]) => new Promise((resolve) => {
      const root = document.documentElement;
      const observer = new ResizeObserver(() => {
        if (root.clientWidth !== w || root.clientHeight !== h) return;
        observer.disconnect();
        requestAnimationFrame(() => resolve());
      });
      observer.observe(root);
    }), [width, height]);
    const layout = await frame.evaluate(frameLayout);
    const what = `${width}x${height}: ${JSON.stringify(layout)}`;
    assert.deepEqual(layout.scroll, [width, height], `no scrollbars at ${what}`);
    assert.deepEqual(layout.outside, [], `every control inside the frame at ${what}`);
    assert.ok(layout.painted, `the plane is drawn at ${what}`);
    assert.equal(layout.pixels, layout.side, `the plane drawn at its own size at ${what}`);
    assert.ok(layout.side >= Math.min(width, height) / 2, `the plane takes at least half the frame at ${what}`);
    assert.notEqual(layout.side, previous, `the plane changed size with the frame at ${what}`);
    previous = layout.side;
  }
  assert.equal((await hooks(frame, "metrics")).epoch, 20, "resizing does not touch the run");
  await page.close();
});

test("embed_with_a_bad_hash_says_why_and_shows_the_default_playground", TIMEOUT, async () => {
  const defaults = await open("embed.html");
  const bad = await open("embed.html#v=1&data=nonsense&h=8:tanh");
  assert.match(await bad.textContent('[role="alert"]'), /data/);
  assert.equal(await bad.isVisible("#alert"), true);
  assert.deepEqual(await hooks(bad, "state"), await hooks(defaults, "state"));
  assert.deepEqual(await hooks(bad, "step", 3), await hooks(defaults, "step", 3));
  await bad.click("#dismiss");
  assert.equal(await bad.isVisible("#alert"), false);
  assert.deepEqual([...defaults.errors, ...bad.errors], []);
  await Promise.all([defaults.close(), bad.close()]);
});

test("playground_share_dialog_offers_the_iframe_of_its_current_state", TIMEOUT, async () => {
  const playground = await open("");
  await hooks(playground, "setState", EDITED);
  const atFive = await hooks(playground, "step", 5);
  await playground.check("#share-epoch");
  await playground.click("#share");
  const code = await playground.inputValue("#embed-code");
  const [, src] = /^<iframe src="([^"]+)" width="640" height="400" title="[^"]+" style="border:0"><\/iframe>$/.exec(code);
  const url = src.replaceAll("&amp;", "&");
  assert.equal(url, (await hooks(playground, "shareUrl", { epoch: true })).replace(/\/(index\.html)?#/, "/embed.html#"));
  // The snippet follows the state: after more training, Copy gives the new epoch.
  await hooks(playground, "step", 2);
  // The step's own status line first (it may arrive after the hook resolves), then Copy's.
  await playground.waitForFunction(() => document.getElementById("status").textContent.includes("epoch 7"));
  await playground.click("#copy-embed");
  await playground.waitForFunction(() => document.getElementById("embed-code").value.includes("&amp;ep=7\""));
  // The status line says so once the clipboard's promise settles (after the snippet is shown).
  await playground.waitForFunction(() => /<iframe>/.test(document.getElementById("status").textContent));

  const embed = await open(new URL(url).pathname.slice(1) + hashOf(url));
  assert.deepEqual(await hooks(embed, "metrics"), atFive, "the embed trained to the snippet's epoch 5");
  assert.deepEqual([...playground.errors, ...embed.errors], []);
  await Promise.all([playground.close(), embed.close()]);
});
