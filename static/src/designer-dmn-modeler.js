// The designer's decision tables: dmn-js's modeler, bundled by esbuild at `npm ci` (package.json "postinstall") into
// static/build/designer-dmn-modeler.js with domify-csp.js in place of domify, so it runs under the CSP.
import DmnModeler from 'dmn-js/lib/Modeler';

window.DmnJS = DmnModeler;
