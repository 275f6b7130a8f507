// The designer's decision tables: dmn-js (from the pinned npm package) on one DMN file of the draft; saving stores
// it in the designer's draft like the diagram and lists the lint of the whole draft.
(function () {
  const box = document.getElementById('dmn-editor');
  if (!box || !window.DmnJS) return;
  // dmn-js's own words (When, Then, hit policy…) in the reader's language, from the page.
  // per view: dmn-js passes a view its own additionalModules, not the common ones
  const wordsModule = {additionalModules: [{translate: ['value', CaseflowDesignerPage.translator('dmn-words')]}]};
  const editor = new DmnJS({container: box, drd: wordsModule, decisionTable: wordsModule,
    literalExpression: wordsModule, boxedExpression: wordsModule});
  const status = document.getElementById('save-status');

  function showFindings(findings) {
    box.dataset.errors = String(CaseflowDesignerPage.showFindings(findings));
  }

  function openTable() {
    const table = editor.getViews().find((view) => view.type === 'decisionTable');
    return table ? editor.open(table) : Promise.resolve();
  }

  function save() {
    return editor.saveXML({format: true}).then(({xml}) => fetch(box.dataset.save, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': box.dataset.csrf},
      body: JSON.stringify({file: box.dataset.file, xml: xml}),
    })).then((response) => response.json().then((data) => {
      if (!response.ok) throw new Error(data.message || response.statusText);
      showFindings(data.findings);
      status.textContent = box.dataset.savedText + ' ' + box.dataset.errors;
      box.dataset.saved = String(Number(box.dataset.saved || 0) + 1);
      return data;
    })).catch((error) => { status.textContent = box.dataset.failedText + ' ' + error.message; });
  }

  fetch(box.dataset.src, {credentials: 'same-origin'})
    .then((response) => response.json())
    .then((data) => editor.importXML(data.xml))
    .then(openTable)
    .then(() => { box.dataset.rendered = 'true'; })
    .catch((error) => { box.textContent = String(error); });

  const button = document.getElementById('save-dmn');
  if (button) button.addEventListener('click', save);
  window.caseflowDecisions = {editor: editor, save: save};
})();
