// domify under the Content-Security-Policy (style-src 'self'): an HTML snippet's inline style attributes would be
// blocked when parsed, so they are taken out of the markup and set through the CSSOM, which the policy allows.
// The bundle uses this in place of the `domify` package (esbuild --alias in package.json).
import domify from '../../node_modules/domify/index.js';

const STYLE = /\sstyle="([^"]*)"/;

export default function domifyWithoutInlineStyles(html, document) {
  const styles = [];
  let markup = String(html);
  let found = STYLE.exec(markup);
  while (found) {
    styles.push(found[1]);
    markup = markup.slice(0, found.index) + ' data-csp-style="' + (styles.length - 1) + '"' +
      markup.slice(found.index + found[0].length);
    found = STYLE.exec(markup);
  }
  const node = domify(markup, document);
  if (styles.length) {
    const root = node.nodeType === 11 ? node : {querySelectorAll: (s) => [node, ...node.querySelectorAll(s)]};
    Array.from(root.querySelectorAll('[data-csp-style]')).forEach((element) => {
      if (!element.hasAttribute || !element.hasAttribute('data-csp-style')) return;
      element.style.cssText = styles[Number(element.getAttribute('data-csp-style'))];
      element.removeAttribute('data-csp-style');
    });
  }
  return node;
}
