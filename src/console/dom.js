// Building blocks of the console's pages: elements from data (never from HTML strings),
// tables, formatting and small SVG charts.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(element, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), value);
    } else if (key === 'value' && 'value' in element) {
      element.value = value;
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** An HTML element: `h('a', {href: '#/x'}, 'text', otherNode)`. */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** Replaces the children of `element`; like `h`, it leaves out null, undefined and false. */
export function fill(element, ...children) {
  element.replaceChildren();
  return build(element, {}, children);
}

/** An SVG element, like `h`. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Dollars from integer cents: 18050 -> "$180.50". */
export function money(cents) {
  if (cents === null || cents === undefined) return '';
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
}

/** A Unix-milliseconds time as local "YYYY-MM-DD HH:MM:SS". */
export function when(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A status word as a coloured badge. */
export function badge(status) {
  const word = String(status ?? '');
  return h('span', {class: `badge badge-${word.replace(/[^a-z]+/gi, '-').toLowerCase()}`}, word);
}

/**
 * A table from `{columns: [...], rows: [[...], ...]}`, the shape every tabular view of the
 * console (and every report of the API) uses. A cell is text, a number (right-aligned), null
 * (empty) or a ready element.
 */
export function dataTable({columns, rows}, {caption, empty = 'Nothing to show.'} = {}) {
  if (!rows || rows.length === 0) return h('p', {class: 'empty'}, empty);
  const numeric = columns.map((_, i) => rows.some((r) => typeof r[i] === 'number') &&
    rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number'));
  return h('div', {class: 'table-wrap'},
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c, i) =>
        h('th', {scope: 'col', class: numeric[i] ? 'num' : null}, c)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell, i) =>
        h('td', {class: numeric[i] ? 'num' : null}, cellContent(cell))))))));
}

function cellContent(cell) {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Node) return cell;
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

/** A heading plus content, as a labelled section. */
export function section(title, ...content) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', {'aria-labelledby': id}, h('h2', {id}, title), ...content);
}

/** Pretty JSON in a scrollable block. */
export function jsonBlock(value) {
  return h('pre', {class: 'code', tabindex: '0'}, JSON.stringify(value, null, 2));
}

/**
 * A per-minute bar chart of the last hour: messages received, with the errored ones in front.
 * `minutes` is the API's `[[minute, received, sent, errored], ...]` (quiet minutes are absent).
 */
export function hourChart(minutes, {width = 240, height = 48, label}) {
  const now = Math.floor(Date.now() / 60000);
  const byMinute = new Map(minutes.map((m) => [m[0], m]));
  const hour = Array.from({length: 60}, (_, i) => byMinute.get(now - 59 + i) ?? [0, 0, 0, 0]);
  const top = Math.max(1, ...hour.map((m) => Math.max(m[1], m[3])));
  const step = width / 60;
  const bar = (i, value, name) => {
    const tall = value === 0 ? 0 : Math.max(1, (value / top) * (height - 2));
    return s('rect', {
      class: `series-${name}`, x: (i * step + 0.5).toFixed(1), y: (height - 1 - tall).toFixed(1),
      width: (step - 1).toFixed(1), height: tall.toFixed(1),
    });
  };
  return s('svg', {
    class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': label,
  },
  s('title', {}, label),
  s('line', {class: 'axis', x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5}),
  hour.map((m, i) => [m[1] ? bar(i, m[1], 'received') : null, m[3] ? bar(i, m[3], 'errored') : null]));
}

/** The legend of `hourChart`. */
export function chartLegend() {
  return h('p', {class: 'legend'},
    ['received', 'errored'].map((name) => h('span', {class: `key key-${name}`}, `${name} per minute`)));
}

/**
 * Horizontal bars, one per `[label, value]` of `bars` (values of one unit, zero or more), with
 * the value written beside each bar.
 */
export function barChart(bars, {label, width = 480, unit = ''}) {
  const row = 22;
  const labelWidth = 150;
  const top = Math.max(1e-9, ...bars.map(([, value]) => value));
  const height = bars.length * row + 4;
  return s('svg', {
    class: 'chart bars', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label,
  },
  s('title', {}, label),
  bars.map(([name, value], i) => {
    const y = i * row + 2;
    const long = Math.max(0, (value / top) * (width - labelWidth - 90));
    return [
      s('text', {x: 0, y: y + 15, class: 'bar-label'}, String(name).slice(0, 22)),
      s('rect', {class: 'series-received', x: labelWidth, y, width: long.toFixed(1), height: row - 6}),
      s('text', {x: labelWidth + long + 6, y: y + 15, class: 'bar-value'}, `${unit}${value.toLocaleString('en-US')}`),
    ];
  }));
}
