// codellm web UI: chat and infill against this server's own API, no libraries, no network beyond
// the server. Model output is untrusted: every piece of it is escaped before it becomes HTML, and
// the page's Content-Security-Policy forbids inline scripts and event handlers as a second guard.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { messages: [], busy: null, nCtx: 0, lastContext: 0 };
/** Figures of the last generation, also read by the browser test. */
window.codellmStats = { ttftMs: null, tokens: 0, tokensPerSecond: 0, done: false };

// ---- escaping, markdown, highlighting --------------------------------------------------------

function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const KEYWORDS = {
  python: 'and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None nonlocal not or pass raise return True try while with yield self',
  js: 'async await break case catch class const continue default delete do else export extends false finally for function if import in instanceof let new null return super switch this throw true try typeof undefined var void while yield',
  java: 'abstract boolean break byte case catch char class const continue default do double else enum extends final finally float for if implements import instanceof int interface long new null package private protected public record return short static super switch this throw throws true false try var void while',
  c: 'auto bool break case char const continue default do double else enum extern false float for goto if inline int long nullptr return short signed sizeof static struct switch true typedef union unsigned void volatile while class public private template typename namespace using fn let mut impl pub use mod match func package go defer range',
};
const LANGS = { python: 'python', py: 'python', javascript: 'js', js: 'js', typescript: 'js', ts: 'js', java: 'java', kotlin: 'java',
  c: 'c', cpp: 'c', 'c++': 'c', rust: 'c', rs: 'c', go: 'c', csharp: 'java', cs: 'java', sh: 'python', bash: 'python', shell: 'python' };

/** Code as HTML: each token escaped, then wrapped in a span naming its class. */
function highlight(code, lang) {
  const kind = LANGS[(lang || '').toLowerCase()];
  if (!kind) return escapeHtml(code);
  const hash = kind === 'python';
  const comment = hash ? '#[^\\n]*' : '\\/\\/[^\\n]*|\\/\\*[\\s\\S]*?\\*\\/';
  const strings = (hash ? '"""[\\s\\S]*?"""|\'\'\'[\\s\\S]*?\'\'\'|' : '`(?:\\\\[\\s\\S]|[^`\\\\])*`|') +
      '"(?:\\\\.|[^"\\\\\\n])*"|\'(?:\\\\.|[^\'\\\\\\n])*\'';
  const re = new RegExp('(' + comment + ')|(' + strings + ')|(\\b\\d[\\d_]*(?:\\.\\d+)?(?:[eE][+-]?\\d+)?\\b)|([A-Za-z_][A-Za-z0-9_]*)(?=\\s*\\()|([A-Za-z_][A-Za-z0-9_]*)', 'g');
  const words = new Set(KEYWORDS[kind].split(' '));
  let out = '', last = 0, m;
  while ((m = re.exec(code)) !== null) {
    out += escapeHtml(code.slice(last, m.index));
    const t = escapeHtml(m[0]);
    if (m[1]) out += '<span class="tok-c">' + t + '</span>';
    else if (m[2]) out += '<span class="tok-s">' + t + '</span>';
    else if (m[3]) out += '<span class="tok-n">' + t + '</span>';
    else if (m[4]) out += words.has(m[4]) ? '<span class="tok-k">' + t + '</span>' : '<span class="tok-f">' + t + '</span>';
    else out += words.has(m[5]) ? '<span class="tok-k">' + t + '</span>' : t;
    last = re.lastIndex;
  }
  return out + escapeHtml(code.slice(last));
}

/** Inline markdown on one escaped line: `code`, **bold**, *italic*. Input is already escaped. */
function inline(escaped) {
  return escaped
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>');
}

/** Markdown to HTML. Text is escaped first; only the renderer's own tags are ever added. */
function markdown(text) {
  const parts = text.split(/```/);
  let html = '';
  parts.forEach((part, i) => {
    if (i % 2 === 1) { // a fenced code block (possibly still streaming, unclosed)
      const nl = part.indexOf('\n');
      const lang = nl >= 0 ? part.slice(0, nl).trim() : '';
      const code = nl >= 0 ? part.slice(nl + 1) : part;
      html += '<div class="codeblock">' + (lang ? '<span class="lang">' + escapeHtml(lang) + '</span>' : '') +
          '<button class="copy" type="button">Copy</button><pre><code>' + highlight(code.replace(/\n$/, ''), lang) + '</code></pre></div>';
      return;
    }
    let list = false;
    for (const raw of part.split('\n')) {
      const line = escapeHtml(raw);
      const item = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(line);
      if (item) {
        if (!list) { html += '<ul>'; list = true; }
        html += '<li>' + inline(item[1]) + '</li>';
        continue;
      }
      if (list) { html += '</ul>'; list = false; }
      const h = /^(#{1,3})\s+(.*)$/.exec(line);
      if (h) html += '<h' + h[1].length + '>' + inline(h[2]) + '</h' + h[1].length + '>';
      else if (line.trim()) html += '<p>' + inline(line) + '</p>';
    }
    if (list) html += '</ul>';
  });
  return html;
}

function addCopyButtons(el) {
  for (const b of el.querySelectorAll('button.copy')) {
    b.addEventListener('click', () => {
      const code = b.parentElement.querySelector('code').textContent;
      const done = () => { b.textContent = 'Copied'; setTimeout(() => { b.textContent = 'Copy'; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(code).then(done, () => fallbackCopy(code, done));
      else fallbackCopy(code, done);
    });
  }
}

function fallbackCopy(text, done) {
  const t = document.createElement('textarea');
  t.value = text;
  document.body.appendChild(t);
  t.select();
  try { document.execCommand('copy'); done(); } finally { t.remove(); }
}

// ---- talking to the server -------------------------------------------------------------------

function headers() {
  const h = { 'Content-Type': 'application/json' };
  const key = $('api-key').value.trim();
  if (key) h.Authorization = 'Bearer ' + key;
  return h;
}

function sampling() {
  const s = { temperature: Number($('temperature').value), top_p: Number($('top-p').value), top_k: Number($('top-k').value) };
  if ($('seed').value !== '') s.seed = Number($('seed').value);
  return s;
}

/** POSTs and calls onEvent with each server-sent event's JSON until the stream ends. */
async function stream(path, body, signal, onEvent) {
  const res = await fetch(path, { method: 'POST', headers: headers(), body: JSON.stringify(body), signal });
  if (!res.ok) {
    let msg = res.status + ' ' + res.statusText;
    try { const j = await res.json(); msg = (j.error && (j.error.message || j.error)) || msg; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (data === '[DONE]') return;
        const j = JSON.parse(data);
        if (j.error) throw new Error(j.error.message || String(j.error));
        onEvent(j);
      }
    }
  }
}

/** Live figures: tokens per second since the first token, time to it, context in use. */
function meter() {
  const t0 = performance.now();
  let first = 0, tokens = 0;
  window.codellmStats = { ttftMs: null, tokens: 0, tokensPerSecond: 0, done: false };
  const show = () => {
    const secs = first ? (performance.now() - first) / 1000 : 0;
    const rate = tokens > 1 && secs > 0 ? (tokens - 1) / secs : 0;
    Object.assign(window.codellmStats, { tokens, tokensPerSecond: rate });
    $('stat-speed').textContent = rate ? rate.toFixed(1) + ' tok/s' : '– tok/s';
    if (first) $('stat-ttft').textContent = 'first token ' + Math.round(first - t0) + ' ms';
  };
  return {
    token() {
      tokens++;
      if (!first) { first = performance.now(); window.codellmStats.ttftMs = first - t0; }
      show();
      context(state.lastContext + tokens);
    },
    end(usage) {
      show();
      if (usage) { state.lastContext = usage.total_tokens; context(usage.total_tokens); }
      window.codellmStats.done = true;
    },
  };
}

function context(used) {
  $('stat-context').textContent = state.nCtx ? 'context ' + used + ' / ' + state.nCtx + ' (' + Math.round(100 * used / state.nCtx) + ' %)' : 'context ' + used;
}

// ---- chat --------------------------------------------------------------------------------------

function bubble(role, text) {
  const el = document.createElement('div');
  el.className = 'msg ' + role;
  if (role === 'user') el.textContent = text;
  else { el.innerHTML = markdown(text); addCopyButtons(el); }
  $('messages').appendChild(el);
  el.scrollIntoView({ block: 'end' });
  return el;
}

function setBusy(controller, stopButton, goButton) {
  state.busy = controller;
  $(stopButton).disabled = !controller;
  $(goButton).disabled = !!controller;
}

async function send(ev) {
  if (ev) ev.preventDefault();
  const text = $('message').value.trim();
  if (!text || state.busy) return;
  $('message').value = '';
  state.messages.push({ role: 'user', content: text });
  bubble('user', text);
  const out = bubble('assistant', '');
  const controller = new AbortController();
  setBusy(controller, 'stop', 'send');
  const system = $('system').value.trim();
  const messages = (system ? [{ role: 'system', content: system }] : []).concat(state.messages);
  const body = Object.assign({ messages, stream: true, stream_options: { include_usage: true }, max_tokens: Number($('max-tokens').value) }, sampling());
  const m = meter();
  let answer = '', usage = null, pending = 0;
  const render = () => { pending = 0; out.innerHTML = markdown(answer); addCopyButtons(out); out.scrollIntoView({ block: 'end' }); };
  // the last render is done now, not by a frame still scheduled (which would wipe a note added after it)
  const finalRender = () => { if (pending) cancelAnimationFrame(pending); render(); };
  try {
    await stream('/v1/chat/completions', body, controller.signal, (chunk) => {
      if (chunk.usage) usage = chunk.usage;
      for (const c of chunk.choices || []) {
        const d = c.delta && c.delta.content;
        if (d) {
          answer += d;
          m.token();
          if (!pending) pending = requestAnimationFrame(render);
        }
      }
    });
    finalRender();
  } catch (e) {
    finalRender();
    if (e.name === 'AbortError') {
      const note = document.createElement('div');
      note.className = 'note';
      note.textContent = '(stopped)';
      out.appendChild(note);
    } else {
      out.classList.add('error');
      out.textContent = 'Error: ' + e.message;
    }
  } finally {
    m.end(usage);
    if (answer) state.messages.push({ role: 'assistant', content: answer });
    setBusy(null, 'stop', 'send');
  }
}

// ---- infill ------------------------------------------------------------------------------------

async function infill() {
  if (state.busy) return;
  const prefix = $('prefix').value, suffix = $('suffix').value;
  const out = $('infill-output');
  out.querySelector('.prefix').textContent = prefix;
  out.querySelector('.suffix').textContent = suffix;
  const middle = out.querySelector('.middle');
  middle.textContent = '';
  $('infill-note').textContent = '';
  const controller = new AbortController();
  setBusy(controller, 'infill-stop', 'infill-run');
  const m = meter();
  try {
    await stream('/infill', Object.assign({ input_prefix: prefix, input_suffix: suffix, stream: true, n_predict: Number($('max-tokens').value) }, sampling()),
        controller.signal, (ev) => {
          if (ev.content) { middle.textContent += ev.content; m.token(); }
          if (ev.stop && ev.tokens_evaluated) m.end({ total_tokens: ev.tokens_evaluated + ev.tokens_predicted });
        });
  } catch (e) {
    $('infill-note').textContent = e.name === 'AbortError' ? '(stopped)' : 'Error: ' + e.message;
  } finally {
    m.end(null);
    setBusy(null, 'infill-stop', 'infill-run');
  }
}

// ---- wiring --------------------------------------------------------------------------------------

function tab(name) {
  $('chat-view').hidden = name !== 'chat';
  $('infill-view').hidden = name !== 'infill';
  $('tab-chat').classList.toggle('active', name === 'chat');
  $('tab-infill').classList.toggle('active', name === 'infill');
}

async function props() {
  try {
    const res = await fetch('/props', { headers: headers() });
    if (!res.ok) return;
    const p = await res.json();
    state.nCtx = p.default_generation_settings.n_ctx;
    $('model-name').textContent = p.default_generation_settings.model + ' · ' + state.nCtx + ' tokens context' + (p.supports_infill ? '' : ' · no infill');
    if (!p.supports_infill) $('infill-note').textContent = 'This model has no fill-in-the-middle tokens.';
    context(0);
  } catch (e) { /* the server answers chats without /props */ }
}

for (const id of ['system', 'temperature', 'top-p', 'top-k', 'max-tokens', 'seed', 'api-key']) {
  const saved = localStorage.getItem('codellm.' + id);
  if (saved !== null) $(id).value = saved;
  $(id).addEventListener('change', () => { localStorage.setItem('codellm.' + id, $(id).value); if (id === 'api-key') props(); });
}
$('composer').addEventListener('submit', send);
$('message').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) send(e); });
$('stop').addEventListener('click', () => state.busy && state.busy.abort());
$('infill-stop').addEventListener('click', () => state.busy && state.busy.abort());
$('infill-run').addEventListener('click', infill);
$('tab-chat').addEventListener('click', () => tab('chat'));
$('tab-infill').addEventListener('click', () => tab('infill'));
$('clear').addEventListener('click', () => { state.messages = []; state.lastContext = 0; $('messages').textContent = ''; context(0); });
props();
