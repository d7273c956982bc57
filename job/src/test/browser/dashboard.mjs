// Checks a running job on the Flink web dashboard the way a user looks at it: Debian's chromium,
// driven by playwright-core, opens the job's overview (the job graph) and the metrics tab of
// every vertex that carries one of the given custom metrics, adds those metrics as charts, saves
// screenshots and fails unless the graph and every metric name are shown.
//
//   node dashboard.mjs --url http://127.0.0.1:<port> --job <jobId> --out <dir> \
//        [--metric <name> ...] [--timeout <seconds>]
//
// A metric <name> matches every metric id that ends with it (e.g. "sink.recordsWritten" matches
// "0.RawHdf5Sink.sink.recordsWritten"); each must exist on some vertex (asked over REST) and be
// shown on the dashboard. The REST API is only used to find where to look; what is asserted is
// what the browser renders. Exit code 0 = all shown; 1 = something missing; 2 = usage.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function parseArgs(argv) {
  const opts = { metrics: [], timeout: 180 };
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--url': opts.url = next().replace(/\/$/, ''); break;
      case '--job': opts.job = next(); break;
      case '--out': opts.out = next(); break;
      case '--metric': opts.metrics.push(next()); break;
      case '--timeout': opts.timeout = Number(next()); break;
      default: usage(`unknown argument ${argv[i]}`);
    }
  }
  if (!opts.url || !opts.job || !opts.out) usage('--url, --job and --out are required');
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(opts.url)) {
    usage(`--url must be a loopback address, got ${opts.url}`);
  }
  return opts;
}

function usage(message) {
  console.error(`dashboard: ${message}`);
  console.error('usage: node dashboard.mjs --url http://127.0.0.1:<port> --job <jobId> --out <dir> [--metric <name> ...] [--timeout <s>]');
  process.exit(2);
}

async function rest(opts, path) {
  const response = await fetch(`${opts.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return response.json();
}

// Polls fn() until it returns a truthy value or the deadline passes.
async function poll(what, deadline, fn) {
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

// metric name -> [{ vertex, id }] for the subtask-0 id on each vertex that has it.
async function locateMetrics(opts, vertices, deadline) {
  const found = new Map(opts.metrics.map((m) => [m, []]));
  await poll('the custom metrics over REST', deadline, async () => {
    for (const list of found.values()) list.length = 0;
    for (const vertex of vertices) {
      const ids = (await rest(opts, `/jobs/${opts.job}/vertices/${vertex.id}/metrics`)).map((m) => m.id);
      for (const [name, list] of found) {
        const id = ids.filter((i) => i.startsWith('0.')).find((i) => i === `0.${name}` || i.endsWith(`.${name}`));
        if (id) list.push({ vertex, id });
      }
    }
    return [...found.values()].every((list) => list.length > 0);
  }).catch((e) => {
    const missing = [...found].filter(([, list]) => list.length === 0).map(([name]) => name);
    throw new Error(`${e.message}; not exposed by any vertex: ${missing.join(', ')}`);
  });
  return found;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + opts.timeout * 1000;
  const waitMs = () => Math.max(1000, deadline - Date.now());
  mkdirSync(opts.out, { recursive: true });

  const job = await poll(`job ${opts.job} to be RUNNING`, deadline, async () => {
    const j = await rest(opts, `/jobs/${opts.job}`);
    // A bounded source's vertex may already be FINISHED while the rest runs on.
    return j.state === 'RUNNING' && j.vertices.every((v) => ['RUNNING', 'FINISHED'].includes(v.status)) ? j : null;
  });
  const located = await locateMetrics(opts, job.vertices, deadline);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // playwright-core gives every launch a fresh, temporary --user-data-dir.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const report = { job: opts.job, name: job.name, screenshots: [], vertices: [], metrics: {} };
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });

    // 1. The job graph: one node per vertex, labelled with the vertex name.
    await page.goto(`${opts.url}/#/job/running/${opts.job}/overview`);
    await page.getByText(job.name, { exact: true }).first().waitFor({ timeout: waitMs() });
    for (const vertex of job.vertices) {
      const node = page.locator(`flink-dagre g.node-group[id="${vertex.id}"]`);
      await node.waitFor({ state: 'visible', timeout: waitMs() });
      const label = (await node.locator('.description').innerText()).replace(/\s+/g, ' ').trim();
      if (label !== vertex.name.replace(/\s+/g, ' ').trim()) {
        throw new Error(`graph node ${vertex.id} reads "${label}", expected "${vertex.name}"`);
      }
      report.vertices.push(vertex.name);
    }
    const nodes = await page.locator('flink-dagre g.node-group').count();
    if (nodes !== job.vertices.length) {
      throw new Error(`the graph shows ${nodes} nodes, the job has ${job.vertices.length} vertices`);
    }
    // Busy/backpressure figures arrive with the first metric poll; wait for them for the picture.
    await poll('vertex metrics in the graph', deadline, async () =>
      !(await page.locator('flink-dagre .node-label.metric').allInnerTexts()).some((t) => t.includes('N/A')))
      .catch(() => { /* a picture with N/A is still a picture of the graph */ });
    const graphShot = join(opts.out, 'job-graph.png');
    await page.screenshot({ path: graphShot });
    report.screenshots.push(graphShot);

    // 2. The metrics tab of every vertex carrying a requested metric, each added as a chart.
    const byVertex = new Map();
    for (const [name, list] of located) {
      for (const { vertex, id } of list) {
        if (!byVertex.has(vertex.id)) byVertex.set(vertex.id, { vertex, ids: new Map() });
        byVertex.get(vertex.id).ids.set(id, name);
      }
    }
    let index = 0;
    for (const { vertex, ids } of byVertex.values()) {
      index++;
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.goto(`${opts.url}/#/job/running/${opts.job}/overview/${vertex.id}/metrics`);
      const select = page.locator('flink-job-overview-drawer-chart nz-select');
      await select.waitFor({ state: 'visible', timeout: waitMs() });
      for (const [id, name] of ids) {
        await select.click();
        await page.keyboard.type(id);
        const option = page.locator('nz-option-item', { hasText: id }).first();
        await option.waitFor({ state: 'visible', timeout: waitMs() });
        await option.click();
        const chart = page.locator(`flink-job-chart .title .text[title="${id}"]`);
        await chart.waitFor({ state: 'visible', timeout: waitMs() });
        (report.metrics[name] ||= []).push({ vertex: vertex.name, id });
      }
      // Wide charts show each full metric id; two metric polls that carry every chart's value
      // give each chart a line, not a dot.
      for (const button of await page.locator('flink-job-chart').getByText('Big', { exact: true }).all()) {
        await button.click();
      }
      for (let polls = 0; polls < 2; polls++) {
        await page.waitForResponse((r) => r.url().includes(`/vertices/${vertex.id}/metrics?get=`)
          && [...ids.keys()].every((id) => decodeURIComponent(r.url()).includes(id)), { timeout: waitMs() });
      }
      // The metrics panel scrolls inside a box whose height the user sets by dragging its lower
      // edge; set that height so every chart is in the picture, and make the page tall enough.
      const needed = await page.evaluate(() => {
        const content = document.querySelector('flink-job-overview-drawer .drawer-content');
        const box = content?.closest('div.container');
        if (!content || !box) return null;
        box.style.height = '400px'; // from a small box (a previous vertex may have left it tall) ...
        const height = 400 + content.scrollHeight - content.clientHeight + 40; // ... to what the charts need
        box.style.height = `${height}px`;
        return box.getBoundingClientRect().top + height + 200;
      });
      if (needed) await page.setViewportSize({ width: 1920, height: Math.min(10000, Math.ceil(needed)) });
      const shot = join(opts.out, `metrics-${index}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      report.screenshots.push(shot);
    }
  } finally {
    await browser.close();
  }
  writeFileSync(join(opts.out, 'dashboard.json'), JSON.stringify(report, null, 2));
  console.log(`dashboard: job "${job.name}": graph with ${report.vertices.length} vertices; `
    + `${Object.keys(report.metrics).length} metrics shown; screenshots: ${report.screenshots.join(' ')}`);
}

main().catch((e) => {
  console.error(`dashboard: FAILED: ${e.message}`);
  process.exit(1);
});
