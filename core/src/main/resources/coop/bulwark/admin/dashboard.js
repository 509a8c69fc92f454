// Bulwark dashboard: polls the admin API once a second with the operator's token (kept in sessionStorage, this tab
// only) and draws the edge, the selected site's charts (uPlot), the bans, the attack timeline with the selected
// attack's report, and the latest incident reports. No build step, no third-party resource: everything is served by
// the admin server itself. Reports need the token too, so they are fetched here and handed to the browser as Blob
// URLs (a new tab for HTML, a download for JSON) or shown in the page (Markdown).
(() => {
  'use strict';

  const TOKEN_KEY = 'bulwark.admin.token';
  const POLL_MS = 1000;
  const HISTORY = 180; // points kept per site (three minutes at one per second)
  const VERDICTS = ['pass', 'cache_only', 'limit', 'ban', 'reject', 'bulkhead'];
  const REFUSED = ['limit', 'ban', 'reject', 'bulkhead'];
  const COLORS = {
    pass: '#2e8b57', cache_only: '#1f5fbf', limit: '#c77c00', ban: '#b3261e', reject: '#7b3fb5', bulkhead: '#0f7c86',
  };
  const STATE_RANK = { under_attack: 0, suspect: 1, normal: 2 };
  const STATE_TEXT = { under_attack: 'under attack', suspect: 'suspect', normal: 'normal' };
  const TIMELINE_MAX = 20; // attacks drawn on the timeline (the list has every kept report)
  const REPORTS_MAX = 10; // rows in "Latest incident reports"
  const LIVE_REPORT_MS = 5000; // how often the open attack's report is fetched again

  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem(TOKEN_KEY);
  let selected = location.hash.startsWith('#site=') ? decodeURIComponent(location.hash.slice(6)) : null;
  const histories = new Map(); // site name -> {t, rates: {verdict: []}, latency, hitRatio, prev}
  let charts = null; // {site, rps, latency, cache}
  let timer = null;
  let running = false;
  let again = false;
  let lastSites = [];
  let lastAttacks = [];
  let lastDetection = true;
  let selectedAttack = null; // id; null = follow the first listed (the open attack, else the newest)
  let report = null; // {id, at, data} the selected attack's report JSON
  let reportLoading = false;
  let attackChart = null;

  class AuthError extends Error {}

  async function api(method, path, body) {
    const init = { method, headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    let data = null;
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    if (r.status === 401) {
      signOut('The token was not accepted: sign in again.');
      throw new AuthError('token refused');
    }
    if (!r.ok) throw new Error((data && data.error) || 'HTTP ' + r.status);
    return data;
  }

  // ---- sign in / out ----

  function showApp(on) {
    $('login').hidden = on;
    $('app').hidden = !on;
    $('logout').hidden = !on;
  }

  function signOut(message) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(timer);
    showApp(false);
    $('status').textContent = 'Not signed in.';
    $('login-error').textContent = message || '';
    $('token').value = '';
    $('token').focus();
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const candidate = $('token').value.trim();
    if (!candidate) return;
    $('login-button').disabled = true;
    $('login-error').textContent = '';
    try {
      const r = await fetch('/api/status', { headers: { Authorization: 'Bearer ' + candidate }, cache: 'no-store' });
      if (r.ok) {
        token = candidate;
        sessionStorage.setItem(TOKEN_KEY, token);
        $('token').value = '';
        showApp(true);
        refresh();
      } else {
        let msg = 'HTTP ' + r.status;
        try { msg = (await r.json()).error || msg; } catch (e) { /* keep */ }
        $('login-error').textContent = r.status === 401 ? 'Wrong token.' : msg;
      }
    } catch (e) {
      $('login-error').textContent = 'Cannot reach the admin server: ' + e.message;
    } finally {
      $('login-button').disabled = false;
    }
  });

  $('logout').addEventListener('click', () => signOut(''));

  // ---- polling ----

  function refresh() {
    clearTimeout(timer);
    tick();
  }

  async function tick() {
    if (!token) return;
    if (running) { again = true; return; }
    running = true;
    try {
      const [status, sites, bans, attacks, upstream, cluster] = await Promise.all([
        api('GET', '/api/status'), api('GET', '/api/sites'), api('GET', '/api/bans'), api('GET', '/api/attacks'),
        api('GET', '/api/upstream'), api('GET', '/api/cluster'),
      ]);
      record(sites.sites);
      renderStatus(status);
      renderSites(sites.sites);
      renderBans(bans.bans);
      renderUpstream(upstream);
      renderCluster(cluster);
      renderAttacks(attacks.attacks, attacks.detection);
      reportLanguage = pickLanguage(attacks.languages, navigator.languages || [navigator.language]);
      renderReports(attacks.attacks);
      $('error').textContent = '';
    } catch (e) {
      if (!(e instanceof AuthError)) $('error').textContent = 'Update failed: ' + e.message + ' (retrying)';
    } finally {
      running = false;
      if (token) {
        clearTimeout(timer);
        timer = setTimeout(tick, again ? 0 : POLL_MS);
        again = false;
      }
    }
  }

  // ---- history (what the charts draw) ----

  function record(sites) {
    const now = Date.now() / 1000;
    const seen = new Set();
    for (const s of sites) {
      seen.add(s.name);
      let h = histories.get(s.name);
      if (!h) {
        h = { t: [], rates: {}, latency: [], hitRatio: [], prev: null };
        for (const v of VERDICTS) h.rates[v] = [];
        histories.set(s.name, h);
      }
      const lat = s.origin_latency || { count: 0, total_seconds: 0 };
      const c = s.cache || {};
      const hits = (c.hit || 0) + (c.stale || 0);
      const lookups = hits + (c.miss || 0);
      let latency = null;
      let ratio = null;
      if (h.prev) {
        const n = lat.count - h.prev.count;
        if (n > 0) latency = (1000 * (lat.total_seconds - h.prev.seconds)) / n;
        const l = lookups - h.prev.lookups;
        if (l > 0) ratio = (100 * (hits - h.prev.hits)) / l;
      }
      h.prev = { count: lat.count, seconds: lat.total_seconds, hits, lookups };
      h.t.push(now);
      for (const v of VERDICTS) h.rates[v].push((s.rates && s.rates[v]) || 0);
      h.latency.push(latency);
      h.hitRatio.push(ratio);
      if (h.t.length > HISTORY) {
        h.t.shift();
        for (const v of VERDICTS) h.rates[v].shift();
        h.latency.shift();
        h.hitRatio.shift();
      }
    }
    for (const name of [...histories.keys()]) if (!seen.has(name)) histories.delete(name);
  }

  // ---- rendering ----

  const fmtRate = (x) => (x >= 100 ? Math.round(x).toLocaleString('en') : x.toFixed(1));
  const fmtInt = (x) => Number(x).toLocaleString('en');
  const sum = (obj, keys) => keys.reduce((a, k) => a + ((obj && obj[k]) || 0), 0);
  const refusedRate = (s) => sum(s.rates, REFUSED);
  const refusedCount = (s) => sum(s.verdicts, REFUSED);
  const when = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : 'never');

  function duration(seconds) {
    const d = Math.floor(seconds / 86400);
    const h = Math.floor((seconds % 86400) / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    return m + 'm ' + (seconds % 60) + 's';
  }

  function node(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function stateBadge(state) {
    return node('span', STATE_TEXT[state] || state, 'state ' + state);
  }

  function renderStatus(st) {
    const t = st.totals;
    const line = $('status');
    line.replaceChildren();
    const part = (label, value, cls) => {
      const span = node('span', null, cls);
      span.append(node('b', value), ' ' + label);
      return span;
    };
    const parts = [
      part('req/s', fmtRate(t.requests_per_second)),
      part('sites', fmtInt(st.sites)),
      part('under attack', fmtInt(t.sites_under_attack), t.sites_under_attack > 0 ? 'alert' : ''),
      // In a cluster the ban list is the cluster's (every edge holds every ban): say so.
      part(st.cluster ? 'bans (cluster-wide)' : 'bans', fmtInt(t.bans_active)),
    ];
    const k = st.kernel;
    if (k && k.enabled) {
      parts.push(k.active
        ? part('in kernel', fmtInt(k.elements) + ' / ' + fmtInt(k.drops) + ' drops', k.last_error ? 'alert' : '')
        : part('kernel export', 'inactive', 'alert'));
    }
    const u = st.uplink;
    if (u) {
      const util = u.utilisation == null ? '?' : Math.round(u.utilisation * 100) + '%';
      parts.push(part('uplink ' + util, u.state === 'saturated' ? 'SATURATED' : 'ok',
        u.state === 'saturated' ? 'alert' : ''));
    }
    const c = st.cluster;
    if (c) {
      parts.push(c.connected
        ? part('nodes' + (c.stale > 0 ? ' (' + c.stale + ' stale)' : ''), fmtInt(c.nodes), c.stale > 0 ? 'alert' : '')
        : part('cluster: serving alone', 'REDIS UNREACHABLE', 'alert'));
    }
    parts.push(
      part('connections', fmtInt(t.open_connections)),
      part('at origins', fmtInt(t.in_flight)),
      part('up', duration(st.uptime_seconds)),
      part('', 'config gen ' + st.config_generation),
      part('', 'v' + st.version),
    );
    parts.forEach((p, i) => {
      if (i > 0) line.append(' · ');
      line.append(p);
    });
  }

  function sortSites(sites) {
    return [...sites].sort((a, b) =>
      (STATE_RANK[a.state] ?? 3) - (STATE_RANK[b.state] ?? 3)
      || refusedRate(b) - refusedRate(a)
      || b.requests_per_second - a.requests_per_second
      || refusedCount(b) - refusedCount(a)
      || a.name.localeCompare(b.name));
  }

  function renderSites(sites) {
    const sorted = sortSites(sites);
    lastSites = sites;
    if (!selected || !sites.some((s) => s.name === selected)) selected = sorted.length ? sorted[0].name : null;
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.site : undefined;
    const body = $('sites').tBodies[0];
    body.replaceChildren();
    for (const s of sorted) {
      const tr = node('tr');
      tr.dataset.site = s.name;
      tr.tabIndex = 0;
      if (s.name === selected) {
        tr.className = 'selected';
        tr.setAttribute('aria-selected', 'true');
      }
      const name = node('td', null, 'site-name');
      name.append(node('strong', s.name));
      if (s.state_reason) {
        tr.title = 'state ' + (STATE_TEXT[s.state] || s.state) + ': ' + s.state_reason;
        // Visible only when it explains an anomaly: on a phone there is no hover for the tooltip.
        if (s.state !== 'normal') name.append(node('span', reasonText(s.state_reason), 'reason'));
      }
      const state = node('td');
      state.append(stateBadge(s.state));
      const total = sum(s.verdicts, VERDICTS);
      tr.append(
        name, state,
        node('td', fmtRate(s.requests_per_second), 'num rps'),
        node('td', fmtRate(refusedRate(s)), 'num'),
        node('td', fmtInt(total), 'num requests'),
        node('td', fmtInt(refusedCount(s)), 'num hide-narrow'),
        node('td', fmtInt((s.responses && s.responses['5xx']) || 0), 'num hide-narrow'),
        node('td', s.bulkhead ? s.bulkhead.in_flight + ' / ' + s.bulkhead.max_concurrent : '', 'num hide-narrow'),
      );
      body.append(tr);
      if (focused === s.name) tr.focus();
    }
    renderSite(sites.find((s) => s.name === selected));
  }

  /** "detection: under_attack: rate 250 rps ..." → "rate 250 rps ..." (the state is in the badge already). */
  function reasonText(reason) {
    const r = reason.replace(/^detection:\s*/, '');
    return reason.startsWith('detection:') ? 'detected: ' + r.replace(/^(under_attack|suspect|recovering|normal):?\s*/, '')
      : r;
  }

  function pick(name) {
    if (!name || name === selected) return;
    selected = name;
    history.replaceState(null, '', '#site=' + encodeURIComponent(name));
    renderSites(lastSites);
  }

  $('sites').addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr[data-site]');
    if (tr) pick(tr.dataset.site);
  });
  $('sites').addEventListener('keydown', (ev) => {
    const tr = ev.target.closest('tr[data-site]');
    if (tr && (ev.key === 'Enter' || ev.key === ' ')) {
      ev.preventDefault();
      pick(tr.dataset.site);
    }
  });

  function renderSite(s) {
    const section = $('site');
    if (!s) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    section.dataset.site = s.name;
    $('site-title').textContent = s.name;
    $('site-state').replaceChildren(stateBadge(s.state));
    $('attack-on').hidden = s.state === 'under_attack';
    $('attack-off').hidden = s.state === 'normal';
    const c = s.cache || {};
    const facts = [
      s.hosts.join(', '),
      'state ' + (STATE_TEXT[s.state] || s.state) + ' since ' + when(s.state_since)
        + (s.state_reason ? ' (' + s.state_reason + ')' : '')
        + (s.state_expires_at ? ', until ' + when(s.state_expires_at) : ''),
      'configured ' + (STATE_TEXT[s.configured_state] || s.configured_state),
      fmtInt(sum(s.verdicts, VERDICTS)) + ' requests',
      'cache ' + fmtInt(c.hit || 0) + ' hit / ' + fmtInt(c.miss || 0) + ' miss',
      'origin slots ' + s.bulkhead.in_flight + '/' + s.bulkhead.max_concurrent + ', '
        + fmtInt(s.bulkhead.rejected) + ' refused',
    ];
    // Each origin's limit now, shared by every site on it: set by origin_capacity, or learned from its answers.
    for (const o of s.origins || []) {
      facts.push('origin ' + o.address + ' limit ' + o.limit + (o.learned ? ' (learned' : ' (set')
        + (o.base_millis != null ? ', no-load ' + o.base_millis.toFixed(1) + ' ms' : '') + '), '
        + o.in_flight + ' in flight, ' + o.waiting + ' waiting' + (o.up ? '' : ', down'));
    }
    $('site-facts').textContent = facts.join(' · ');
    drawCharts(s.name);
  }

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#444';
  }

  function chartWidth(id) {
    return Math.max(240, $(id).clientWidth || 320);
  }

  function makeChart(id, series, yLabel, range) {
    const axis = { stroke: css('--muted'), grid: { stroke: css('--line'), width: 1 }, ticks: { stroke: css('--line') } };
    const opts = {
      width: chartWidth(id),
      height: 200,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: range ? { range } : { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [axis, Object.assign({ label: yLabel, size: 50 }, axis)],
      series: [{}].concat(series.map((s) => ({
        label: s.label, stroke: s.color, width: 2, dash: s.dash, points: { show: false }, spanGaps: !!s.spanGaps,
        value: (u, v) => (v == null ? '–' : v.toFixed(1)),
      }))),
    };
    const el = $(id);
    el.replaceChildren();
    return new uPlot(opts, [[]].concat(series.map(() => [])), el);
  }

  function drawCharts(name) {
    if (typeof uPlot === 'undefined') return;
    if (!charts || charts.site !== name) {
      if (charts) { charts.rps.destroy(); charts.latency.destroy(); charts.cache.destroy(); }
      charts = {
        site: name,
        rps: makeChart('chart-rps', VERDICTS.map((v) => ({ label: v, color: COLORS[v] })), 'req/s'),
        latency: makeChart('chart-latency', [{ label: 'mean', color: '#1f5fbf', spanGaps: true }], 'ms'),
        cache: makeChart('chart-cache', [{ label: 'hit ratio', color: '#2e8b57', spanGaps: true }], '%', [0, 100]),
      };
    }
    const h = histories.get(name);
    if (!h) return;
    charts.rps.setData([h.t.slice()].concat(VERDICTS.map((v) => h.rates[v].slice())));
    charts.latency.setData([h.t.slice(), h.latency.slice()]);
    charts.cache.setData([h.t.slice(), h.hitRatio.slice()]);
    // Without a cursor over a chart its legend shows the latest values.
    for (const u of [charts.rps, charts.latency, charts.cache]) {
      if (u.cursor.left == null || u.cursor.left < 0) u.setLegend({ idx: h.t.length - 1 });
    }
    $('chart-rps').dataset.points = String(h.t.length);
    $('chart-rps').dataset.peak = String(Math.max(0, ...VERDICTS.flatMap((v) => h.rates[v])));
  }

  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (attackChart) attackChart.setSize({ width: chartWidth('chart-attack'), height: 200 });
      if (!charts) return;
      charts.rps.setSize({ width: chartWidth('chart-rps'), height: 200 });
      charts.latency.setSize({ width: chartWidth('chart-latency'), height: 200 });
      charts.cache.setSize({ width: chartWidth('chart-cache'), height: 200 });
    }, 150);
  });

  async function setState(state) {
    const name = selected;
    if (!name) return;
    const on = $('attack-on');
    const off = $('attack-off');
    on.disabled = off.disabled = true;
    try {
      await api('POST', '/api/sites/' + encodeURIComponent(name) + '/state', { state, reason: 'dashboard' });
      $('error').textContent = '';
    } catch (e) {
      if (!(e instanceof AuthError)) $('error').textContent = 'Could not change ' + name + ': ' + e.message;
    } finally {
      on.disabled = off.disabled = false;
      refresh();
    }
  }

  $('attack-on').addEventListener('click', () => setState('under_attack'));
  $('attack-off').addEventListener('click', () => setState('normal'));

  function renderBans(bans) {
    const body = $('bans').tBodies[0];
    body.replaceChildren();
    $('bans').hidden = bans.length === 0;
    $('bans-empty').hidden = bans.length > 0;
    for (const b of bans) {
      const tr = node('tr');
      tr.dataset.subject = b.subject;
      const button = node('button', 'Unban', 'quiet unban');
      button.type = 'button';
      button.dataset.subject = b.subject;
      button.setAttribute('aria-label', 'Unban ' + b.subject);
      const action = node('td');
      action.append(button);
      tr.append(node('td', b.subject), node('td', b.origin + (b.node ? ' on ' + b.node : '')), node('td', b.reason),
        node('td', when(b.expires_at)),
        node('td', String(b.strikes), 'num'), action);
      body.append(tr);
    }
  }

  // The nodes of the cluster as this edge sees them; hidden on a single box. Bans and state pins are the cluster's.
  function renderCluster(c) {
    $('cluster-card').hidden = !c.enabled;
    if (!c.enabled) return;
    $('cluster-state').textContent = 'this edge: ' + c.node + (c.connected
      ? ' · Redis connected · bans and state pins shared by every node'
      : ' · Redis unreachable since ' + when(c.since) + ': serving on local state');
    const body = $('cluster').tBodies[0];
    body.replaceChildren();
    for (const n of c.nodes) {
      const tr = node('tr');
      const status = n.stale ? 'stale' : n.connected ? 'yes' : 'no';
      tr.append(node('td', n.name + (n.self ? ' (this)' : '')), node('td', n.address), node('td', when(n.last_seen)),
        node('td', n.version), node('td', String(n.config_generation), 'num'),
        node('td', status, status === 'yes' ? '' : 'alert'));
      body.append(tr);
    }
  }

  // What the upstream is told (or, in suggest mode, proposed) to drop; hidden while upstream.mode is off.
  function renderUpstream(u) {
    $('upstream-card').hidden = u.mode === 'off';
    $('upstream-mode').textContent = 'mode ' + u.mode + (u.uplink_saturated ? ' · uplink saturated' : '');
    const body = $('upstream').tBodies[0];
    body.replaceChildren();
    $('upstream').hidden = u.announcements.length === 0;
    $('upstream-empty').hidden = u.announcements.length > 0;
    for (const a of u.announcements) {
      const tr = node('tr');
      const action = node('td');
      const button = a.state === 'suggested'
        ? node('button', 'Apply', 'quiet upstream-apply')
        : node('button', 'Withdraw', 'quiet upstream-withdraw');
      button.type = 'button';
      button.dataset.id = a.id;
      button.dataset.attack = a.attack_id;
      button.setAttribute('aria-label', button.textContent + ' ' + a.match);
      action.append(button);
      const code = node('td');
      code.append(node('code', a.command));
      tr.append(node('td', a.kind), node('td', a.match), node('td', a.state, a.state === 'announced' ? 'alert' : ''),
        node('td', a.reason), node('td', when(a.expires)), code, action);
      body.append(tr);
    }
  }

  $('upstream').addEventListener('click', async (ev) => {
    const button = ev.target.closest('button');
    if (!button) return;
    button.disabled = true;
    try {
      if (button.classList.contains('upstream-apply')) {
        await api('POST', '/api/upstream/apply', { attack_id: button.dataset.attack });
      } else {
        await api('DELETE', '/api/upstream/' + encodeURIComponent(button.dataset.id));
      }
      refresh();
    } catch (e) {
      $('error').textContent = 'Upstream: ' + e.message;
      button.disabled = false;
    }
  });

  $('bans').addEventListener('click', async (ev) => {
    const button = ev.target.closest('button.unban');
    if (!button) return;
    button.disabled = true;
    try {
      await api('DELETE', '/api/bans?subject=' + encodeURIComponent(button.dataset.subject));
      $('error').textContent = '';
    } catch (e) {
      if (!(e instanceof AuthError)) $('error').textContent = 'Could not unban ' + button.dataset.subject + ': ' + e.message;
    } finally {
      refresh();
    }
  });

  // ---- attack timeline ----

  const ms = (iso) => (iso ? Date.parse(iso) : null);
  const pct = (x) => (x == null ? '–' : (100 * x).toFixed(x >= 0.9995 || x < 0.1 ? 2 : 1) + '%');
  const secs = (x) => (x == null ? 'not yet' : x.toFixed(x < 10 ? 1 : 0) + ' s');

  function shortTime(t, now) {
    const iso = new Date(t).toISOString();
    const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
    return (sameDay ? iso.slice(11, 19) : iso.slice(0, 10) + ' ' + iso.slice(11, 16)) + ' UTC';
  }

  function targetsText(targets, max) {
    if (!targets.length) return 'no target named yet';
    const shown = targets.slice(0, max).join(', ');
    return targets.length > max ? shown + ' +' + (targets.length - max) + ' more' : shown;
  }

  const TIMELINE_WINDOW_MS = 24 * 3600 * 1000;

  function renderAttacks(attacks, detection) {
    lastAttacks = attacks;
    lastDetection = detection;
    const now = Date.now();
    const shown = attacks.slice(0, TIMELINE_MAX);
    $('attacks-empty').textContent = detection
      ? 'No attacks recorded.'
      : 'No attacks recorded: detection is off (detection.enabled in the config).';
    $('attacks-empty').hidden = shown.length > 0;
    $('timeline-axis').hidden = shown.length === 0;
    if (selectedAttack && !attacks.some((a) => a.id === selectedAttack)) selectedAttack = null;
    const current = selectedAttack || (shown.length ? shown[0].id : null);

    // The axis covers at most the last day, so a week-old attack does not squash today's into slivers; older
    // ones keep their row (and their time in the label) with a mark at the axis' left edge.
    const oldest = shown.length ? Math.min(...shown.map((a) => ms(a.start))) : now;
    const t0 = Math.max(oldest, now - TIMELINE_WINDOW_MS);
    const span = Math.max(60_000, now - t0);
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.attack : undefined;
    const list = $('timeline');
    list.replaceChildren();
    for (const a of shown) {
      const start = ms(a.start);
      const end = a.status === 'ongoing' || !a.end ? now : ms(a.end);
      const item = node('button', null, 'tl-row ' + a.status + (a.id === current ? ' selected' : ''));
      item.type = 'button';
      item.setAttribute('role', 'listitem');
      item.dataset.attack = a.id;
      item.setAttribute('aria-pressed', String(a.id === current));
      const label = node('span', null, 'tl-label');
      const head = node('span', null, 'tl-head');
      head.append(node('span', a.status === 'ongoing' ? 'ongoing' : 'ended', 'state ' + (a.status === 'ongoing' ? 'under_attack' : 'normal')),
        ' ', node('span', shortTime(start, now), 'tl-when'), ' ', node('span', duration(Math.round((end - start) / 1000)), 'tl-dur'));
      label.append(head, node('span', targetsText(a.targets, 3), 'tl-targets'),
        node('span', 'peak ' + fmtRate(a.peak_rps) + ' req/s', 'tl-peak'));
      const track = node('span', null, 'tl-track');
      const bar = node('span', null, 'tl-bar');
      const from = Math.max(start, t0);
      bar.style.left = (100 * (from - t0)) / span + '%';
      bar.style.width = Math.max(0.8, (100 * Math.max(0, end - from)) / span) + '%';
      track.append(bar);
      item.append(label, track);
      item.setAttribute('aria-label', (a.status === 'ongoing' ? 'Ongoing attack' : 'Attack') + ' ' + a.id + ' on '
        + targetsText(a.targets, 16) + ', started ' + shortTime(start, now));
      list.append(item);
      if (focused === a.id) item.focus();
    }
    $('axis-from').textContent = shortTime(t0, now);
    showAttack(attacks.find((a) => a.id === current) || null);
  }

  $('timeline').addEventListener('click', (ev) => {
    const row = ev.target.closest('button[data-attack]');
    if (!row) return;
    selectedAttack = row.dataset.attack;
    renderAttacks(lastAttacks, lastDetection);
  });

  /** Shows the attack's summary, fetching its report when missing, stale (open attack) or just ended. */
  function showAttack(a) {
    const section = $('attack');
    if (!a) {
      section.hidden = true;
      report = null;
      return;
    }
    section.hidden = false;
    section.dataset.attack = a.id;
    $('attack-title').textContent = a.id;
    $('attack-status').textContent = a.status === 'ongoing' ? 'ongoing' : 'ended';
    $('attack-status').className = 'state ' + (a.status === 'ongoing' ? 'under_attack' : 'normal');
    const actions = $('attack-actions');
    if (actions.dataset.attack !== a.id) {
      actions.replaceChildren(...reportButtons(a.id));
      actions.dataset.attack = a.id;
    }
    const have = report && report.id === a.id;
    const stale = !have
      || (report.data.status === 'ongoing' && (a.status !== 'ongoing' || Date.now() - report.at > LIVE_REPORT_MS));
    if (!have) {
      $('attack-facts').textContent = 'Loading the report…';
      clearReportTables();
    }
    if (stale) loadReport(a.id);
  }

  async function loadReport(id) {
    if (reportLoading) return;
    reportLoading = true;
    try {
      const data = await api('GET', '/api/attacks/' + encodeURIComponent(id));
      if (data && data.id === ($('attack').dataset.attack || null)) {
        report = { id, at: Date.now(), data };
        renderReport(data);
      }
    } catch (e) {
      if (!(e instanceof AuthError)) $('attack-facts').textContent = 'Could not load the report: ' + e.message;
    } finally {
      reportLoading = false;
    }
  }

  function clearReportTables() {
    for (const id of ['attack-targets', 'attack-prefixes', 'attack-mitigations']) $(id).tBodies[0].replaceChildren();
    $('attack-collateral').textContent = '';
  }

  function row(cells) {
    const tr = node('tr');
    for (const [text, cls] of cells) tr.append(node('td', text, cls));
    return tr;
  }

  function renderReport(r) {
    const now = Date.now();
    const start = ms(r.start);
    const end = r.end ? ms(r.end) : ms(r.generated_at) || now;
    const distinct = r.signature ? r.signature.distinct_sources_peak : null;
    $('attack-facts').textContent = [
      'from ' + when(r.start) + (r.end ? ' to ' + when(r.end) : ' (going on)'),
      duration(Math.max(0, Math.round((end - (ms(r.onset) || start)) / 1000))),
      'detected in ' + secs(r.time_to_detect_s),
      'mitigated in ' + secs(r.time_to_mitigate_s),
      'peak ' + fmtRate(r.peak_rps) + ' req/s',
      distinct != null ? 'up to ' + fmtInt(Math.round(distinct)) + ' sources/s' : null,
    ].filter(Boolean).join(' · ');

    const targets = $('attack-targets').tBodies[0];
    targets.replaceChildren(...r.targets.map((t) => row([
      [t.name], [fmtRate(t.peak_rps), 'num'], [fmtRate(t.baseline_rps), 'num'], [fmtInt(t.requests), 'num'],
      [t.mitigated_at ? shortTime(ms(t.mitigated_at), now) : 'no'],
    ])));
    const prefixes = (r.top_prefixes || []).slice(0, 5);
    $('attack-prefixes').tBodies[0].replaceChildren(...prefixes.map((p) => row([
      [p.prefix], [fmtInt(p.count), 'num'], [pct(p.share), 'num'],
    ])));
    $('attack-prefixes').hidden = prefixes.length === 0;
    $('attack-prefixes-empty').hidden = prefixes.length > 0;
    const mitigations = r.mitigations || [];
    const latest = mitigations.slice(-10).reverse();
    $('attack-mitigations').tBodies[0].replaceChildren(...latest.map((m) => row([
      [shortTime(ms(m.at), now)], [m.site || 'edge-wide'], [m.kind], [m.detail, 'wrap'],
    ])));
    if (mitigations.length > latest.length) {
      const more = row([['… and ' + (mitigations.length - latest.length) + ' earlier (see the full report)', 'hint']]);
      more.firstChild.colSpan = 4;
      $('attack-mitigations').tBodies[0].append(more);
    }
    $('attack-mitigations').hidden = latest.length === 0;
    $('attack-mitigations-empty').hidden = latest.length > 0;
    const c = r.collateral;
    $('attack-collateral').textContent = !c || !c.sites
      ? 'No other site.'
      : fmtInt(c.sites) + ' other sites: ' + pct(c.success_share) + ' of their ' + fmtInt(c.requests)
        + ' requests served without error (' + pct(c.success_share_before) + ' before); origins answered in '
        + (c.origin_millis == null ? '–' : c.origin_millis.toFixed(1)) + ' ms ('
        + (c.origin_millis_before == null ? '–' : c.origin_millis_before.toFixed(1)) + ' ms before)'
        + (c.worst && c.worst.length && c.worst[0].success_share < 0.99
          ? '; worst: ' + c.worst.slice(0, 3).map((w) => w.name + ' ' + pct(w.success_share)).join(', ') : '')
        + '.';
    drawAttackChart(r);
  }

  /** The targets' series summed per point: requests/s and requests/s reaching their origin, plus their usual rate. */
  function attackSeries(r) {
    const by = new Map();
    for (const s of (r.timeline && r.timeline.targets) || []) {
      for (let i = 0; i < s.t.length; i++) {
        const p = by.get(s.t[i]) || { rps: 0, origin: null };
        p.rps += s.rps[i] || 0;
        if (s.origin_rps[i] != null) p.origin = (p.origin || 0) + s.origin_rps[i];
        by.set(s.t[i], p);
      }
    }
    const t = [...by.keys()].sort((a, b) => a - b);
    const usual = r.targets.reduce((x, tg) => x + (tg.baseline_rps || 0), 0);
    return [t.map((x) => x / 1000), t.map((x) => by.get(x).rps), t.map((x) => by.get(x).origin), t.map(() => usual)];
  }

  function drawAttackChart(r) {
    if (typeof uPlot === 'undefined') return;
    const data = attackSeries(r);
    if (!attackChart) {
      attackChart = makeChart('chart-attack', [
        { label: 'requests', color: '#b3261e' },
        { label: 'to origin', color: '#1f5fbf', spanGaps: true },
        { label: 'usual', color: '#7a8290', dash: [5, 4] },
      ], 'req/s');
    }
    attackChart.setData(data);
    // Drawn once per report fetch, not every second: show the last point once uPlot has committed the new data.
    setTimeout(() => {
      const u = attackChart;
      if (u && (u.cursor.left == null || u.cursor.left < 0)) u.setLegend({ idx: u.data[0].length - 1 });
    }, 0);
    $('chart-attack').dataset.points = String(data[0].length);
    $('chart-attack').dataset.peak = String(Math.max(0, ...data[1]));
  }

  // ---- incident reports ----

  let reportLanguage = null; // the reports' language: the browser's where the edge writes it, else the edge's first

  /** The first of the browser's languages (es-MX counts as es) the edge writes reports in, else its first. */
  function pickLanguage(offered, preferred) {
    if (!Array.isArray(offered) || offered.length === 0) return null;
    for (const tag of preferred) {
      const primary = String(tag || '').toLowerCase().split('-')[0];
      if (offered.includes(primary)) return primary;
    }
    return offered[0];
  }

  function reportButtons(id) {
    const b = (label, format, cls, aria) => {
      const button = node('button', label, 'quiet report ' + cls);
      button.type = 'button';
      button.dataset.report = id;
      button.dataset.format = format;
      button.setAttribute('aria-label', aria + ' ' + id);
      return button;
    };
    return [b('HTML', 'html', 'open-html', 'Open the HTML report of'), b('Markdown', 'md', 'show-md', 'Show the Markdown report of'),
      b('JSON', 'json', 'download-json', 'Download the JSON report of')];
  }

  function renderReports(attacks) {
    const latest = attacks.slice(0, REPORTS_MAX);
    $('reports').hidden = latest.length === 0;
    $('reports-empty').hidden = latest.length > 0;
    const body = $('reports').tBodies[0];
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.report + '/' + document.activeElement.dataset.format : undefined;
    body.replaceChildren();
    const now = Date.now();
    for (const a of latest) {
      const tr = node('tr');
      tr.dataset.attack = a.id;
      const end = a.status === 'ongoing' || !a.end ? now : ms(a.end);
      const actions = node('td', null, 'actions');
      actions.append(...reportButtons(a.id));
      const id = node('td');
      id.append(node('span', a.id), a.status === 'ongoing' ? node('span', 'ongoing', 'state under_attack') : '');
      tr.append(id, node('td', shortTime(ms(a.start), now)),
        node('td', duration(Math.round((end - ms(a.start)) / 1000)), 'hide-narrow'),
        node('td', targetsText(a.targets, 3)), node('td', fmtRate(a.peak_rps), 'num hide-narrow'), actions);
      body.append(tr);
      if (focused) {
        const again = tr.querySelector('button[data-report="' + CSS.escape(a.id) + '"][data-format="'
          + CSS.escape(focused.split('/').pop()) + '"]');
        if (again && focused.startsWith(a.id + '/')) again.focus();
      }
    }
  }

  /** The report as text, fetched with the token (a plain link cannot send it). */
  async function reportText(id, format) {
    const lang = reportLanguage && format !== 'json' ? '&lang=' + encodeURIComponent(reportLanguage) : '';
    const r = await fetch('/api/attacks/' + encodeURIComponent(id) + '?format=' + format + lang,
      { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
    if (r.status === 401) {
      signOut('The token was not accepted: sign in again.');
      throw new AuthError('token refused');
    }
    if (!r.ok) {
      let msg = 'HTTP ' + r.status;
      try { msg = (await r.json()).error || msg; } catch (e) { /* keep */ }
      throw new Error(msg);
    }
    return r.text();
  }

  function blobUrl(text, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    setTimeout(() => URL.revokeObjectURL(url), 60_000); // long enough for the tab or the download to read it
    return url;
  }

  function download(text, type, name) {
    const a = document.createElement('a');
    a.href = blobUrl(text, type);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
  }

  let shownMarkdown = null; // {id, text}

  async function openReport(id, format, button) {
    button.disabled = true;
    try {
      if (format === 'html') {
        const html = await reportText(id, 'html');
        // The report is self-contained (no script, no external resource); the new tab gets no handle on this one.
        const tab = window.open(blobUrl(html, 'text/html;charset=utf-8'), '_blank');
        if (tab) tab.opener = null;
        else download(html, 'text/html;charset=utf-8', id + '.html'); // pop-ups blocked: save it instead
      } else if (format === 'md') {
        const md = await reportText(id, 'md');
        shownMarkdown = { id, text: md };
        $('report-view-title').textContent = 'Report ' + id + ' (Markdown)';
        $('report-text').textContent = md;
        $('report-view').hidden = false;
        $('report-view').scrollIntoView({ block: 'nearest' });
      } else {
        download(await reportText(id, 'json'), 'application/json', id + '.json');
      }
      $('error').textContent = '';
    } catch (e) {
      if (!(e instanceof AuthError)) $('error').textContent = 'Could not get the report of ' + id + ': ' + e.message;
    } finally {
      button.disabled = false;
    }
  }

  for (const container of ['reports', 'attack-actions']) {
    $(container).addEventListener('click', (ev) => {
      const button = ev.target.closest('button[data-report]');
      if (button) openReport(button.dataset.report, button.dataset.format, button);
    });
  }
  $('report-view-close').addEventListener('click', () => {
    $('report-view').hidden = true;
    shownMarkdown = null;
  });
  $('report-view-download').addEventListener('click', () => {
    if (shownMarkdown) download(shownMarkdown.text, 'text/markdown;charset=utf-8', shownMarkdown.id + '.md');
  });

  window.bulwarkDashboard = { charts: () => charts, attackChart: () => attackChart, histories };

  if (token) {
    showApp(true);
    refresh();
  } else {
    showApp(false);
  }
})();
