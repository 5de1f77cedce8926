/**
 * The XSS corpus and the check that it rendered inert. Payloads that would reach the network
 * name a `/pwned-…` path, so a request log shows them even where no dialog would open.
 */
import type { Page } from 'playwright-core';

export const XSS_CORPUS = [
  `<img src="/pwned-img" onerror="alert('img-onerror');fetch('/pwned-onerror')">`,
  `[markdown js link](javascript:alert('md-js'))`,
  `[markdown hex entity link](jav&#x61;script:alert('md-hex'))`,
  `[markdown decimal entity link](&#106;avascript:alert('md-dec'))`,
  `[markdown mixed case link](JaVaScRiPt:alert('md-case'))`,
  `[markdown data link](data:text/html,<script>alert('md-data')</script>)`,
  `[markdown vbscript link](vbscript:msgbox('x'))`,
  `[markdown reference link][evil]\n\n[evil]: javascript:alert('md-ref')`,
  `<javascript:alert('autolink')>`,
  `[markdown external link](https://example.invalid/ok "external")`,
  `<a href="javascript:alert('html-js')">html js link</a>`,
  `<a href="jav&#x61;script:alert('hex')">hex entity link</a>`,
  `<a href="&#106;avascript:alert('dec')">decimal entity link</a>`,
  `<a href="java&#9;script:alert('tab')">tab in scheme</a>`,
  `<a href="data:text/html,<script>alert('data')</script>">data link</a>`,
  `<a href="https://example.invalid/ok" onclick="alert('onclick')">html external link</a>`,
  `<svg onload="alert('svg')"><a xlink:href="javascript:alert('svg-a')"><circle r="9"/></a></svg>`,
  `<iframe src="javascript:alert('iframe')"></iframe><iframe srcdoc="<script>alert('srcdoc')</script>"></iframe>`,
  `<form action="/pwned-form"><input name="q" autofocus onfocus="alert('focus')"><button formaction="javascript:alert('formaction')">submit</button></form>`,
  `<button onclick="alert('button')">button</button>`,
  `<style>body{display:none}</style><p style="background:url(/pwned-style)">styled</p>`,
  `<script>alert('script')</script>`,
  `<details open ontoggle="alert('toggle')"><summary>details</summary></details>`,
  `<math><mtext><a href="javascript:alert('math')">math link</a></mtext></math>`,
  `<object data="/pwned-object"></object><embed src="/pwned-embed">`,
  `![remote image](/pwned-markdown-image.png)`,
  `Inline <img src=/pwned-inline onerror=alert('inline')> html and <b onmouseover=alert('b')>bold</b>.`,
].join('\n\n');

/** Elements and attributes that must not exist anywhere in the conversation log. */
const INERT_CHECK = `(() => {
  const bad = [];
  const log = document.getElementById('log');
  const forbidden = new Set(['script','iframe','frame','form','svg','math','button','input','textarea','select',
    'style','img','object','embed','link','meta','base','details','video','audio','source']);
  for (const el of log.querySelectorAll('*')) {
    // The page's own controls (Copy, Open, feedback) carry data-page-control, which sanitised
    // content cannot: the sanitiser drops every data- attribute.
    if (el.closest('[data-page-control]')) continue;
    const tag = el.localName.toLowerCase();
    if (forbidden.has(tag)) bad.push('<' + tag + '>');
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on') || ['style','srcdoc','formaction','action','src','xlink:href'].includes(name)) bad.push(tag + '[' + name + ']');
      if (name === 'href' && !/^(https?:\\/\\/|#)/i.test(a.value)) bad.push(tag + '[href=' + a.value + ']');
    }
  }
  return bad;
})()`;

export async function findLiveMarkup(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(INERT_CHECK);
}

/** Clicks every link and button inside the log (links to other sites open, and are closed). */
export async function clickEverything(page: Page): Promise<number> {
  const targets = page.locator('#log a, #log button, #log [onclick]');
  const count = await targets.count();
  for (let i = 0; i < count; i++) {
    await targets
      .nth(i)
      .click({ timeout: 2_000, noWaitAfter: true })
      .catch(() => undefined);
  }
  await page.waitForTimeout(300);
  for (const other of page.context().pages()) if (other !== page) await other.close();
  return count;
}
