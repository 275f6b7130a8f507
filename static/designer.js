// The process designer: bpmn-js Modeler on the draft, lint findings as markers on the diagram after every save.
// With the bundle built at `npm ci` (static/build/designer-modeler.js) it has the properties panel with Caseflow's
// properties; their choices come from the server (options.json), the values lint accepts.
(function () {
  const box = document.getElementById('modeler');
  if (!box || !(window.CaseflowModeler || window.BpmnJS)) return;
  const panel = document.getElementById('properties-panel');
  const labels = JSON.parse((document.getElementById('panel-labels') || {}).textContent || '{}');
  const caseflow = {options: {}, labels: labels, locale: document.documentElement.lang.startsWith('zh') ? 'zh' : 'en'};
  // Bilingual names show both lines here (they are what is edited): a smaller font keeps them inside their shapes.
  const textRenderer = {defaultStyle: {fontSize: 10}};
  // bpmn-js's own words (palette, context pad, properties panel) in the reader's language, from the page.
  const additionalModules = [{translate: ['value', CaseflowDesignerPage.translator('modeler-words')]}];
  const modeler = window.CaseflowModeler && panel
    ? CaseflowModeler.create({container: box, propertiesPanel: {parent: panel}, caseflow: caseflow, textRenderer,
      additionalModules})
    : new BpmnJS({container: box, textRenderer, additionalModules});
  const status = document.getElementById('save-status');
  let file = null;
  let marked = [];

  function showFindings(findings) {
    const canvas = modeler.get('canvas');
    const registry = modeler.get('elementRegistry');
    marked.forEach(([id, cls]) => { if (registry.get(id)) canvas.removeMarker(id, cls); });
    marked = [];
    const errors = CaseflowDesignerPage.showFindings(findings, (finding, cls) => {
      if (finding.element && registry.get(finding.element)) {
        canvas.addMarker(finding.element, cls);
        marked.push([finding.element, cls]);
      }
    });
    box.dataset.errors = String(errors);
  }

  function save() {
    return modeler.saveXML({format: true}).then(({xml}) => fetch(box.dataset.save, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': box.dataset.csrf},
      body: JSON.stringify({file: file, xml: xml}),
    })).then((response) => response.json().then((data) => {
      if (!response.ok) throw new Error(data.message || response.statusText);
      showFindings(data.findings);
      status.textContent = box.dataset.savedText + ' ' + box.dataset.errors;
      const state = document.getElementById('draft-state');
      if (state) state.textContent = state.dataset.draftText;
      box.dataset.saved = String(Number(box.dataset.saved || 0) + 1);
      return data;
    })).catch((error) => { status.textContent = box.dataset.failedText + ' ' + error.message; });
  }

  const options = box.dataset.options && window.CaseflowModeler
    ? fetch(box.dataset.options, {credentials: 'same-origin'}).then((response) => response.json())
      .then((data) => { Object.assign(caseflow.options, data); })
    : Promise.resolve();
  options.then(() => fetch(box.dataset.src, {credentials: 'same-origin'}))
    .then((response) => response.json())
    .then((data) => {
      file = data.file;
      return modeler.importXML(data.xml).then(() => {
        modeler.get('canvas').zoom('fit-viewport');
        showFindings(data.findings);
        box.dataset.rendered = 'true';
      });
    })
    .catch((error) => { box.textContent = String(error); });

  const button = document.getElementById('save-draft');
  if (button) button.addEventListener('click', save);
  window.caseflowDesigner = {modeler: modeler, save: save};
})();
