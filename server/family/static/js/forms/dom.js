// Building elements without innerHTML: every text from a definition goes in as text, never
// as markup, and nothing sets a style attribute (the CSP allows styles only from forms.css).

export function el(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of [].concat(children)) {
    if (child !== undefined && child !== null && child !== false) element.append(child);
  }
  return element;
}

// The text of a definition field in the family's language; a pulled definition holds one
// language, so the fallback to its first text only matters for a document dumped whole.
export function textIn(texts, language) {
  if (!texts || typeof texts !== 'object') return '';
  if (texts[language]) return texts[language];
  const base = String(language || '').split('-')[0];
  return texts[base] || texts.en || Object.values(texts)[0] || '';
}

let counter = 0;

// Ids unique on the page, so two forms (or one rendered twice) never share a label's `for`.
export function uniqueId(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

// The help, hints and mistake a screen reader reads with a control, and whether it is wrong.
export function describeControl(control, ids, invalid) {
  if (ids) control.setAttribute('aria-describedby', ids);
  else control.removeAttribute('aria-describedby');
  if (invalid) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}
