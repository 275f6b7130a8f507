// What the designer's pages share: the lint findings list under the editor, and a library's own words (bpmn-js,
// dmn-js) in the reader's language, read from a JSON script the page renders through the app's catalogue.
window.CaseflowDesignerPage = {
  // Replace the list of findings and the error count; `mark(finding, cls)` also marks an element on a diagram.
  // Returns how many findings are errors.
  showFindings(findings, mark) {
    const list = document.getElementById('lint-findings');
    const count = document.getElementById('lint-count');
    list.textContent = '';
    let errors = 0;
    findings.forEach((finding) => {
      if (finding.severity === 'error') errors += 1;
      const cls = 'lint-' + finding.severity;
      if (mark) mark(finding, cls);
      const item = document.createElement('li');
      item.className = cls;
      item.dataset.element = finding.element || '';
      const where = document.createElement('code');
      where.textContent = finding.element || finding.file || '';
      item.append(where, ' ' + finding.message);
      list.append(item);
    });
    count.textContent = String(errors);
    count.classList.toggle('alert', errors > 0);
    return errors;
  },

  // A `translate` service for bpmn-js and dmn-js over the words in the JSON script `id` ({template: text}).
  translator(id) {
    const words = JSON.parse((document.getElementById(id) || {}).textContent || '{}');
    return (template, replacements) => (words[template] || template)
      .replace(/{([^}]+)}/g, (whole, key) => (replacements && key in replacements ? replacements[key] : whole));
  },
};
