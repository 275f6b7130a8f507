// CodeMirror's style-mod under the Content-Security-Policy (style-src 'self'): on a document it writes its rules
// into a <style> element, which the policy blocks. Here a document gets them in a constructed style sheet
// (adoptedStyleSheets, CSSOM, which the policy allows), as style-mod itself does for a shadow root. The bundle uses
// this in place of the `style-mod` package (esbuild --alias in package.json).
import { StyleModule } from '../../node_modules/style-mod/src/style-mod.js';

const original = StyleModule.mount;
const sheets = new WeakMap();  // document → {sheet, modules}

StyleModule.mount = function (root, modules, options) {
  const view = root.defaultView;
  if (!root.head || !root.adoptedStyleSheets || !view || !view.CSSStyleSheet) {
    return original.call(this, root, modules, options);
  }
  let set = sheets.get(root);
  if (!set) {
    set = {sheet: new view.CSSStyleSheet(), modules: []};
    sheets.set(root, set);
  }
  let changed = false;
  (Array.isArray(modules) ? modules : [modules]).forEach((module) => {
    if (module && set.modules.indexOf(module) < 0) {
      set.modules.push(module);
      changed = true;
    }
  });
  if (changed) set.sheet.replaceSync(set.modules.map((module) => module.getRules()).join('\n'));
  if (root.adoptedStyleSheets.indexOf(set.sheet) < 0) root.adoptedStyleSheets = [set.sheet, ...root.adoptedStyleSheets];
};

export { StyleModule };
