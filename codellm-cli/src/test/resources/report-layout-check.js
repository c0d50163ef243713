// Layout defects of a rendered report page, from the DOM's bounding boxes (run by ReportPagesBrowserTest
// through WebDriver; returns a list of one-line problems, empty when the page is clean):
// - the page is wider than the window (a table or a pre that overflows),
// - an HTML cell, heading, paragraph or list item whose text overflows its box,
// - an SVG text that sticks out of its chart (cut at the SVG's edge),
// - two SVG texts that overlap ("50.050.0"),
// - an SVG text lying on a curve (a legend over the plot) or half over a bar,
// - a bar (an SVG rect with a tooltip) that is invisible (zero width or height).
const problems = [];
const short = s => (s || '').replace(/\s+/g, ' ').trim().slice(0, 60);
const EPS = 1;
const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > EPS
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > EPS;
const inside = (a, b) => a.left >= b.left - EPS && a.right <= b.right + EPS && a.top >= b.top - EPS && a.bottom <= b.bottom + EPS;

const doc = document.documentElement;
if (doc.scrollWidth > window.innerWidth + EPS) {
  problems.push('page is ' + doc.scrollWidth + ' px wide in a ' + window.innerWidth + ' px window');
}
for (const e of document.querySelectorAll('td, th, h1, h2, h3, p, li, pre, summary')) {
  if (e.closest('svg')) continue;
  if (e.scrollWidth > e.clientWidth + EPS && getComputedStyle(e).overflowX !== 'auto') {
    problems.push('text overflows its ' + e.tagName.toLowerCase() + ' (' + e.scrollWidth + ' > ' + e.clientWidth + ' px): "' + short(e.textContent) + '"');
  }
}

for (const svg of document.querySelectorAll('svg')) {
  const title = short(svg.querySelector('title') ? svg.querySelector('title').textContent : '(untitled)');
  const box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() !== '');
  const boxes = texts.map(t => t.getBoundingClientRect());
  texts.forEach((t, i) => {
    if (!inside(boxes[i], box)) problems.push('chart "' + title + '": text "' + short(t.textContent) + '" is cut at the chart\'s edge');
    for (let j = i + 1; j < texts.length; j++) {
      if (overlap(boxes[i], boxes[j])) {
        problems.push('chart "' + title + '": "' + short(t.textContent) + '" overlaps "' + short(texts[j].textContent) + '"');
      }
    }
  });
  // a text lying on a curve: sample each polyline and look for points under a text
  for (const line of svg.querySelectorAll('polyline, path')) {
    const m = line.getScreenCTM();
    const len = line.getTotalLength();
    const hit = new Set();
    for (let d = 0; d <= len; d += 2) {
      const p = line.getPointAtLength(d).matrixTransform(m);
      boxes.forEach((b, i) => {
        if (p.x > b.left && p.x < b.right && p.y > b.top && p.y < b.bottom) hit.add(i);
      });
    }
    const name = short(line.querySelector('title') ? line.querySelector('title').textContent : 'a curve');
    hit.forEach(i => problems.push('chart "' + title + '": text "' + short(texts[i].textContent) + '" lies on ' + name));
  }
  for (const r of svg.querySelectorAll('rect')) {
    const rb = r.getBoundingClientRect();
    const tip = r.querySelector('title');
    if (tip && (rb.width < 1 || rb.height < 1)) {
      problems.push('chart "' + title + '": bar "' + short(tip.textContent) + '" is invisible (' + rb.width.toFixed(1) + ' x ' + rb.height.toFixed(1) + ' px)');
    }
    const fill = r.getAttribute('fill');
    if (!tip || fill === 'none') continue;
    boxes.forEach((b, i) => {
      if (overlap(b, rb) && !inside(b, rb)) {
        problems.push('chart "' + title + '": text "' + short(texts[i].textContent) + '" lies half over bar "' + short(tip.textContent) + '"');
      }
    });
  }
}
return problems;
