// The replica's HTML: the library grid, the item viewer, the signed-out pages. The grid and the
// viewer load their data through batchexecute from page JS, like the real app.
import type { Library, ReplicaItem } from './library.js';
import { type PageTexts, type SiteChanges, changedWiz, pageTexts, swapKeyFields } from './site-changes.js';
import { dateTexts, escapeHtml, humanSize } from './util.js';

export interface WizData {
  SNlM0e: string;
  FdrFJe: string;
  cfb2h: string;
  eptZe: string;
  oPEP7c: string;
  [k: string]: unknown;
}

const STYLE = `
  html,body{margin:0;height:100%;font-family:Roboto,Arial,sans-serif;background:#fff;color:#202124}
  header{height:56px;display:flex;align-items:center;padding:0 16px;border-bottom:1px solid #dadce0;box-sizing:border-box}
  [role="main"]{position:absolute;top:56px;left:0;right:0;bottom:0;overflow-y:auto;outline:none}
  #canvas{position:relative;width:100%}
  a.tile{position:absolute;left:0;top:0;width:180px;height:180px;display:block;border-radius:2px}
  a.tile:focus{outline:3px solid #1a73e8}
  .stack{position:absolute;inset:0;background:#000;color:#fff}
  c-wiz{display:block;position:absolute;inset:0}
  .bar{position:absolute;top:0;left:0;right:0;height:56px;display:flex;justify-content:flex-end;gap:8px;padding:8px;box-sizing:border-box}
  .bar button{background:#333;color:#fff;border:0;border-radius:18px;padding:8px 12px;cursor:pointer}
  .media{position:absolute;top:64px;left:16px;right:336px;bottom:16px;display:flex;align-items:center;justify-content:center;font-size:28px}
  .media img{position:absolute;inset:0;width:100%;height:100%;object-fit:contain}
  .info{position:absolute;top:56px;right:0;width:320px;bottom:0;background:#fff;color:#202124;padding:16px;box-sizing:border-box;overflow:auto}
  .info div{margin:6px 0}
  [role="menu"]{position:fixed;top:56px;right:16px;background:#fff;color:#202124;box-shadow:0 2px 8px rgba(0,0,0,.4);padding:8px 0;z-index:10}
  [role="menuitem"]{padding:8px 24px;cursor:pointer}
  .processing{position:absolute;bottom:24px;left:0;right:336px;text-align:center;font-size:16px}
`;

function wizScript(wiz: WizData, changes: SiteChanges): string {
  // `<` escaped so no value can close the script element.
  return `<script>window.WIZ_global_data = ${JSON.stringify(changedWiz(changes, wiz)).replace(/</g, '\\u003c')};</script>`;
}

function page(title: string, head: string, body: string): string {
  return `<!doctype html><html lang="en" dir="ltr"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>${head}<style>${STYLE}</style></head><body>${body}</body></html>`;
}

/**
 * The shared batchexecute client of the page scripts (what the real app's own JS does). Under
 * `faults.siteChanged` it reads the changed token key and answer shapes, as Google's updated
 * app would.
 */
const rpcClient = (texts: PageTexts): string => `
  const W = window.WIZ_global_data;
  const AT_KEY = ${JSON.stringify(texts.atKey)};
  const CHANGED_RPCS = ${JSON.stringify(texts.changedRpcs)};
  const swapKeyFields = ${swapKeyFields.toString()};
  const PREFIX = (location.pathname.match(/^\\/u\\/\\d+/) || [''])[0];
  let reqid = Math.floor(Math.random() * 9000) + 1000;
  async function rpc(rpcid, args) {
    reqid += 100000;
    const q = new URLSearchParams({ rpcids: rpcid, 'source-path': location.pathname, 'f.sid': W.FdrFJe, bl: W.cfb2h, hl: 'en', _reqid: String(reqid), rt: 'c' });
    const body = new URLSearchParams({ 'f.req': JSON.stringify([[[rpcid, JSON.stringify(args), null, 'generic']]]), at: W[AT_KEY] });
    const res = await fetch(PREFIX + W.eptZe + 'data/batchexecute?' + q, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body });
    if (res.status === 401) { location.reload(); throw new Error('signed out'); }
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const text = await res.text();
    for (const line of text.split('\\n')) {
      if (line[0] !== '[') continue;
      let chunk; try { chunk = JSON.parse(line); } catch (e) { continue; }
      for (const entry of chunk) {
        if (entry[0] !== 'wrb.fr' || entry[1] !== rpcid || typeof entry[2] !== 'string') continue;
        const payload = JSON.parse(entry[2]);
        return CHANGED_RPCS.includes(rpcid) ? swapKeyFields(payload, 1) : payload;
      }
    }
    throw new Error('no payload for ' + rpcid);
  }
`;

export function gridPage(wiz: WizData, changes: SiteChanges = new Set()): string {
  const texts = pageTexts(changes);
  const script = `
  (() => {
    ${rpcClient(texts)}
    const dateTexts = ${dateTexts.toString()};
    const main = document.querySelector('[role="main"]');
    const canvas = document.getElementById('canvas');
    const TILE = 180, GAP = 4, STEP = TILE + GAP;
    const items = [];
    let next = null, loading = false, done = false, cols = 1;
    const shown = new Map();
    function toTile(row) {
      const ext = row[row.length - 1] || {};
      const w = row[1][1], h = row[1][2];
      const kind = ext['76647426'] ? 'Video' : 'Photo';
      const orientation = w > h ? 'Landscape' : w < h ? 'Portrait' : 'Square';
      return { key: row[0], label: kind + ' - ' + orientation + ' - ' + dateTexts(row[2], row[4]).label, hue: (row[2] / 3600000) % 360 };
    }
    function layout() {
      cols = Math.max(1, Math.floor((main.clientWidth - GAP) / STEP));
      canvas.style.height = (Math.ceil(items.length / cols) * STEP + GAP) + 'px';
      for (const el of shown.values()) el.remove();
      shown.clear();
      render();
    }
    function place(el, i) {
      el.style.transform = 'translate3d(' + (GAP + (i % cols) * STEP) + 'px, ' + (GAP + Math.floor(i / cols) * STEP) + 'px, 0px)';
    }
    function render() {
      const first = Math.max(0, (Math.floor(main.scrollTop / STEP) - 2) * cols);
      const last = Math.min(items.length, (Math.ceil((main.scrollTop + main.clientHeight) / STEP) + 2) * cols);
      for (const [i, el] of shown) if (i < first || i >= last) { el.remove(); shown.delete(i); }
      for (let i = first; i < last; i++) {
        if (shown.has(i)) continue;
        const it = items[i];
        const a = document.createElement('a');
        a.className = 'tile';
        a.setAttribute('href', ${JSON.stringify(texts.tileHref)} + it.key);
        a.setAttribute('aria-label', it.label);
        a.dataset.index = String(i);
        a.style.background = 'hsl(' + it.hue + ',40%,70%)';
        place(a, i);
        canvas.appendChild(a);
        shown.set(i, a);
      }
    }
    function maybeMore() {
      if (!done && main.scrollTop + main.clientHeight * 3 >= canvas.offsetHeight) loadMore();
    }
    async function loadMore() {
      if (loading || done) return;
      loading = true;
      try {
        const p = await rpc('lcxiM', [next, null, 500, null, 1, 1]);
        for (const row of (p && p[0]) || []) items.push(toTile(row));
        next = (p && p[1]) || null;
        if (!next) { done = true; document.body.dataset.loaded = 'all'; }
        layout();
        loading = false;
        maybeMore();
      } catch (e) {
        // Throttled or failed: the real app backs off and tries again.
        setTimeout(() => { loading = false; loadMore(); }, 1500);
      }
    }
    function focusIndex(i) {
      i = Math.max(0, Math.min(items.length - 1, i));
      const row = Math.floor(i / cols);
      if (row * STEP < main.scrollTop || (row + 1) * STEP > main.scrollTop + main.clientHeight) main.scrollTop = row * STEP;
      render();
      const el = shown.get(i);
      if (el) el.focus();
      maybeMore();
    }
    document.addEventListener('keydown', (e) => {
      const active = document.activeElement;
      const at = active && active.classList && active.classList.contains('tile') ? Number(active.dataset.index) : -1;
      switch (e.key) {
        case 'End': main.scrollTop = main.scrollHeight; break;
        case 'Home': main.scrollTop = 0; break;
        case 'PageDown': main.scrollTop += main.clientHeight * 0.9; break;
        case 'PageUp': main.scrollTop -= main.clientHeight * 0.9; break;
        case 'ArrowRight': focusIndex(at < 0 ? Math.floor(main.scrollTop / STEP) * cols : at + 1); break;
        case 'ArrowLeft': focusIndex(at < 0 ? Math.floor(main.scrollTop / STEP) * cols : at - 1); break;
        case 'ArrowDown': focusIndex(at < 0 ? Math.floor(main.scrollTop / STEP) * cols : at + cols); break;
        case 'ArrowUp': focusIndex(at < 0 ? Math.floor(main.scrollTop / STEP) * cols : at - cols); break;
        default: return;
      }
      e.preventDefault();
      render();
      maybeMore();
    });
    main.addEventListener('scroll', () => { render(); maybeMore(); });
    window.addEventListener('resize', layout);
    loadMore();
  })();`;
  return page('Photos - Google Photos', wizScript(wiz, changes), `<header><span>Google Photos</span></header><div role="main" tabindex="-1"><div id="canvas"></div></div><script>${script}</script>`);
}

export interface ViewerNeighbours {
  newer: string | null;
  older: string | null;
}

/**
 * One item's c-wiz: its toolbar, media (a preview image when `preview` gives the item's image
 * URL) and info panel (closed). `key`: the key it is shown under (album-scoped in an album).
 */
export function itemFragment(lib: Library, item: ReplicaItem, hidden: boolean, changes: SiteChanges = new Set(), key: string = item.mediaKey, preview: string | null = null): string {
  const texts = pageTexts(changes);
  const t = dateTexts(item.takenMs, item.tzOffsetMs);
  const size = humanSize(lib.sizeOf(item));
  const loc = item.location;
  const q = loc ? `${Math.round(loc.lat * 1e7) / 1e7},${Math.round(loc.lng * 1e7) / 1e7}` : '';
  const kindText = item.kind === 'video' ? 'Video' : item.kind === 'live' ? 'Photo (Live)' : 'Photo';
  return (
    `<c-wiz data-media-key="${escapeHtml(key)}" data-p="%.@.[null,&quot;${escapeHtml(key)}&quot;]"${hidden ? ' style="display:none" aria-hidden="true"' : ''}` +
    ` data-kind="${item.kind}" data-processing="${item.processing}" data-edited="${item.edited}">` +
    `<div class="bar"><button aria-label="Open info">Info</button><button aria-label="${escapeHtml(texts.moreOptions)}">⋮</button></div>` +
    // The image URL without a size: the page asks for its own box, as the real viewer does.
    `<div class="media" aria-label="${escapeHtml(`${kindText} - ${t.label}`)}">${preview ? `<img alt="" data-preview="${escapeHtml(preview)}">` : ''}${escapeHtml(kindText)}</div>` +
    (item.kind === 'video' && item.processing ? `<div class="processing" role="status">Video is still processing &amp; can be downloaded later</div>` : '') +
    `<div class="info" data-info style="display:none"><h2>Info</h2>` +
    (item.description ? `<div aria-label="Description: ${escapeHtml(item.description)}">${escapeHtml(item.description)}</div>` : `<div aria-label="Description">Add a description</div>`) +
    `<div aria-label="Date taken: ${t.date}">${t.date}</div>` +
    `<div><span aria-label="Time taken: ${t.time}">${t.time}</span> <span>${t.gmt}</span></div>` +
    `<div aria-label="${escapeHtml(texts.infoFilename)} ${escapeHtml(item.fileName)}">${escapeHtml(item.fileName)}</div>` +
    `<div aria-label="File size: ${size}">${size}</div>` +
    `<div>${item.width} × ${item.height}</div>` +
    (loc ? `<div><a href="https://www.google.com/maps?q=loc:${q}" target="_blank" rel="noopener">Map</a></div>` : '') +
    `</div></c-wiz>`
  );
}

/**
 * Where a viewer sits: the library (`/photo/<key>`), an album (`/album/<albumKey>/photo/<key>`),
 * a shared album (`/share/<shareId>/photo/<key>?key=<authKey>`) or the partner's items
 * (`/partner/<actorKey>/photo/<key>`). The page's Download asks VrseUb with this authKey and
 * albumKey, as the facts page says the app does inside shared albums.
 */
export interface ViewerContext {
  /** Path before `/photo/<key>`; '' for the library. */
  base: string;
  authKey: string | null;
  albumKey: string | null;
  /** Query of the replica-internal fragment request (`/_/replica/viewer/<key>?…`) naming the context. */
  fragmentQuery: string;
  /** Keys the item and the stale neighbour are shown under. */
  key: string;
  staleKey: string | null;
}

/** `previewOf`: the item's image URL (its thumbnail URL), which the visible item shows at screen size. */
export function viewerPage(wiz: WizData, lib: Library, item: ReplicaItem, stale: ReplicaItem | null, neighbours: ViewerNeighbours, changes: SiteChanges = new Set(), view?: ViewerContext, previewOf?: (item: ReplicaItem) => string): string {
  const ctx: ViewerContext = view ?? { base: '', authKey: null, albumKey: null, fragmentQuery: '', key: item.mediaKey, staleKey: stale?.mediaKey ?? null };
  const initial = { key: ctx.key, ...neighbours };
  const texts = pageTexts(changes);
  const script = `
  (() => {
    ${rpcClient(texts)}
    const VIEW = ${JSON.stringify({ base: ctx.base, authKey: ctx.authKey, albumKey: ctx.albumKey, fragmentQuery: ctx.fragmentQuery }).replace(/</g, '\\u003c')};
    const MORE_OPTIONS = ${JSON.stringify(texts.moreOptions)};
    const stack = document.querySelector('.stack');
    const nav = new Map();
    let current = ${JSON.stringify(initial.key)};
    nav.set(current, ${JSON.stringify(neighbours)});
    let infoOpen = false;
    let menu = null;
    const sel = (key) => 'c-wiz[data-media-key="' + key + '"]';
    function visible() { return document.querySelector(sel(current)); }
    function applyInfo() { for (const p of document.querySelectorAll('[data-info]')) p.style.display = infoOpen ? '' : 'none'; }
    function closeMenu() { if (menu) { menu.remove(); menu = null; } }
    // The shown item's preview, sized to its box in device pixels (=w…-h…), like the real viewer's.
    function loadPreview(el) {
      const img = el && el.querySelector('img[data-preview]');
      if (!img || img.getAttribute('src')) return;
      const box = img.parentElement.getBoundingClientRect();
      const px = (n) => Math.max(1, Math.round(n * (window.devicePixelRatio || 1)));
      img.src = img.dataset.preview + '=w' + px(box.width) + '-h' + px(box.height) + '-no';
    }
    async function show(key, push) {
      const res = await fetch(PREFIX + '/_/replica/viewer/' + encodeURIComponent(key) + VIEW.fragmentQuery, { credentials: 'include' });
      if (res.status === 401) { location.reload(); return; }
      if (!res.ok) return;
      const data = await res.json();
      let el = document.querySelector(sel(key));
      if (!el) {
        const holder = document.createElement('div');
        holder.innerHTML = data.html;
        el = holder.firstElementChild;
        stack.appendChild(el);
      }
      for (const c of document.querySelectorAll('c-wiz[data-media-key]')) {
        if (c === el) continue;
        c.style.display = 'none';
        c.setAttribute('aria-hidden', 'true');
      }
      el.style.display = '';
      el.removeAttribute('aria-hidden');
      // Keep a couple of stale, hidden c-wiz around like the real app.
      const all = [...document.querySelectorAll('c-wiz[data-media-key]')];
      while (all.length > 3) { const old = all.shift(); if (old !== el) old.remove(); }
      current = key;
      nav.set(key, { newer: data.newer, older: data.older });
      if (push) history.pushState({ key }, '', PREFIX + VIEW.base + '/photo/' + key + location.search);
      closeMenu();
      applyInfo();
      loadPreview(el);
    }
    async function download(variant) {
      const el = visible();
      if (!el || el.dataset.processing === 'true') return; // still processing: nothing starts
      let p;
      try { p = await rpc('VrseUb', [current, null, VIEW.authKey, null, VIEW.albumKey]); } catch (e) { return; }
      const url = variant === 'original' ? p[7] : p[1];
      if (typeof url !== 'string') return;
      const a = document.createElement('a');
      a.href = url;
      a.download = '';
      document.body.appendChild(a);
      a.click();
      a.remove();
    }
    function openMenu(button) {
      closeMenu();
      const el = visible();
      menu = document.createElement('div');
      menu.setAttribute('role', 'menu');
      // A processing video keeps its Download entry; it just starts nothing (download() checks).
      const entry = (label, text, act) => {
        const m = document.createElement('div');
        m.setAttribute('role', 'menuitem');
        m.setAttribute('aria-label', label);
        m.textContent = text;
        m.addEventListener('click', (e) => { e.stopPropagation(); closeMenu(); act(); });
        menu.appendChild(m);
      };
      entry(${JSON.stringify(texts.downloadEntry)}, 'Download', () => download('main'));
      if (el && el.dataset.edited === 'true') entry('Download original', 'Download original', () => download('original'));
      entry('Add to album', 'Add to album', () => {});
      entry('Archive - Shift+A', 'Archive', () => {});
      document.body.appendChild(menu);
    }
    document.addEventListener('click', (e) => {
      const b = e.target.closest && e.target.closest('button');
      if (!b) { closeMenu(); return; }
      if (b.getAttribute('aria-label') === MORE_OPTIONS) { e.stopPropagation(); if (menu) closeMenu(); else openMenu(b); }
      else if (b.getAttribute('aria-label') === 'Open info') { infoOpen = !infoOpen; applyInfo(); }
    });
    // Each arrow press moves one item, even when presses arrive faster than items load:
    // they are applied in order, each from where the previous one landed.
    let steps = Promise.resolve();
    function step(direction) {
      steps = steps.then(() => { const k = (nav.get(current) || {})[direction]; return k ? show(k, true) : undefined; }).catch(() => {});
    }
    document.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'ArrowLeft') { step('newer'); e.preventDefault(); }
      else if (e.key === 'ArrowRight') { step('older'); e.preventDefault(); }
      else if (${texts.shiftD} && e.code === 'KeyD' && e.shiftKey) { download('main'); e.preventDefault(); }
      else if (e.key === 'Escape') { if (menu) closeMenu(); else location.href = PREFIX + (VIEW.base || '/') + location.search; }
    });
    window.addEventListener('popstate', () => {
      const m = location.pathname.match(/\\/photo\\/([^/?#]+)/);
      if (m) show(m[1], false);
    });
    loadPreview(visible());
  })();`;
  const preview = (it: ReplicaItem): string | null => (previewOf ? previewOf(it) : null);
  const stack = itemFragment(lib, item, false, changes, ctx.key, preview(item)) + (stale ? itemFragment(lib, stale, true, changes, ctx.staleKey ?? stale.mediaKey, preview(stale)) : '');
  return page('Photo - Google Photos', wizScript(wiz, changes), `<div class="stack">${stack}</div><script>${script}</script>`);
}

/** An album's page (own `/album/<albumKey>`, shared `/share/<shareId>?key=…`): its title and a tile per item, in album order (not virtualized). */
export function albumGridPage(wiz: WizData, title: string, tiles: { href: string; label: string }[], changes: SiteChanges = new Set()): string {
  const links = tiles.map((t, i) => `<a class="tile" href="${escapeHtml(t.href)}" aria-label="${escapeHtml(t.label)}" style="transform: translate3d(${4 + (i % 5) * 184}px, ${4 + Math.floor(i / 5) * 184}px, 0px); background:#ccc"></a>`).join('');
  return page(`${title} - Google Photos`, wizScript(wiz, changes), `<header><h1>${escapeHtml(title)}</h1></header><div role="main" tabindex="-1"><div id="canvas" style="height:${Math.ceil(tiles.length / 5) * 184 + 4}px">${links}</div></div>`);
}

export function notFoundPage(): string {
  return page('Error 404 (Not Found)', '', `<main><h1>404.</h1><p>That’s an error.</p><p>The requested URL was not found on this server.</p></main>`);
}

// ---- the other origin: www.google.com / accounts.google.com stand-ins -----------------------

export function aboutPage(signInUrl: string): string {
  return page('Google Photos: Edit, Organize, Search, and Backup Your Photos', '', `<main><h1>Google Photos</h1><p>The home for your memories.</p><a id="go" href="${escapeHtml(signInUrl)}">Go to Google Photos</a></main>`);
}

export function identifierPage(email: string, nextUrl: string, rejectAutomation: boolean): string {
  const script = `
    document.getElementById('next').addEventListener('click', () => {
      if (${rejectAutomation} && navigator.webdriver) { location.href = '/v3/signin/rejected'; return; }
      location.href = ${JSON.stringify(nextUrl)};
    });`;
  return page('Sign in - Google Accounts', '', `<main><h1>Sign in</h1><p>to continue to Google Photos</p><label>Email or phone <input id="identifierId" type="email" name="identifier" value="${escapeHtml(email)}" autocomplete="username"></label><button id="next" type="button">Next</button></main><script>${script}</script>`);
}

export function passwordPage(email: string, setSidUrl: string): string {
  const script = `document.getElementById('next').addEventListener('click', () => { location.href = ${JSON.stringify(setSidUrl)}; });`;
  return page('Sign in - Google Accounts', '', `<main><h1>Welcome</h1><p>${escapeHtml(email)}</p><label>Enter your password <input type="password" name="Passwd" autocomplete="current-password"></label><button id="next" type="button">Next</button></main><script>${script}</script>`);
}

export function rejectedPage(): string {
  return page('Sign in - Google Accounts', '', `<main><h1>Couldn’t sign you in</h1><p>This browser or app may not be secure. Try using a different browser.</p></main>`);
}
