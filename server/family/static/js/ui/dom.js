// Building the screens without innerHTML: text from the server or a questionnaire is always
// set as text, so nothing a message contains can become markup (and the CSP forbids inline
// script and style anyway).
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let redrawing = false;

/**
 * Runs a redraw of the screen already shown (after a sync) without moving the family's
 * focus: whoever was on a button or link stays on it, not thrown back to the heading.
 */
export async function redrawInPlace(draw) {
  const active = document.activeElement;
  const id = active?.id;
  const href = active?.getAttribute?.("href");
  redrawing = true;
  try {
    await draw();
  } finally {
    redrawing = false;
  }
  const again = (id && document.getElementById(id))
    || (href && (document.querySelector(`main [href="${CSS.escape(href)}"]`)
                 ?? document.querySelector(`[href="${CSS.escape(href)}"]`)));
  if (again && active !== document.body) again.focus({preventScroll: true});
}

/** Replaces a screen's content and moves focus to its heading, for screen readers and keys. */
export function show(container, ...children) {
  container.replaceChildren();
  append(container, children);
  const heading = container.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    if (!redrawing) heading.focus({preventScroll: false});
  }
}
