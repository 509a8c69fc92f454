// Bulwark dashboard: polls the admin API once a second with the operator's token (kept in sessionStorage, this tab
// only) and draws the edge, the selected site's charts (uPlot), the bans and the attacks. No build step, no
// third-party resource: everything is served by the admin server itself.
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

  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem(TOKEN_KEY);
  let selected = location.hash.startsWith('#site=') ? decodeURIComponent(location.hash.slice(6)) : null;
  const histories = new Map(); // site name -> {t, rates: {verdict: []}, latency, hitRatio, prev}
  let charts = null; // {site, rps, latency, cache}
  let timer = null;
  let running = false;
  let again = false;
  let lastSites = [];

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
      const [status, sites, bans, attacks] = await Promise.all([
        api('GET', '/api/status'), api('GET', '/api/sites'), api('GET', '/api/bans'), api('GET', '/api/attacks'),
      ]);
      record(sites.sites);
      renderStatus(status);
      renderSites(sites.sites);
      renderBans(bans.bans);
      renderAttacks(attacks.attacks);
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
      part('bans', fmtInt(t.bans_active)),
      part('connections', fmtInt(t.open_connections)),
      part('at origins', fmtInt(t.in_flight)),
      part('up', duration(st.uptime_seconds)),
      part('', 'config gen ' + st.config_generation),
      part('', 'v' + st.version),
    ];
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
      const name = node('td');
      name.append(node('strong', s.name));
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
        label: s.label, stroke: s.color, width: 2, points: { show: false }, spanGaps: !!s.spanGaps,
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
      tr.append(node('td', b.subject), node('td', b.origin), node('td', b.reason), node('td', when(b.expires_at)),
        node('td', String(b.strikes), 'num'), action);
      body.append(tr);
    }
  }

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

  function renderAttacks(attacks) {
    const list = $('attacks');
    list.replaceChildren();
    $('attacks-empty').hidden = attacks.length > 0;
    for (const a of attacks) {
      const li = node('li');
      li.textContent = typeof a === 'string' ? a : JSON.stringify(a);
      list.append(li);
    }
  }

  window.bulwarkDashboard = { charts: () => charts, histories };

  if (token) {
    showApp(true);
    refresh();
  } else {
    showApp(false);
  }
})();
