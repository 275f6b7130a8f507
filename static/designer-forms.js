// The designer's forms editor: the form's JSON, previewed as the task page renders it (the server renders it with
// the task form's own macro) a moment after each keystroke; an invalid form shows the server's message instead.
(function () {
  const area = document.getElementById('form-json');
  if (!area) return;
  const preview = document.getElementById('form-preview');
  const problem = document.getElementById('form-error');
  const status = document.getElementById('save-status');
  let timer = null;
  let asked = 0;

  function locale() {
    const checked = document.querySelector('input[name="preview-locale"]:checked');
    return checked ? checked.value : 'zh';
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': area.dataset.csrf},
      body: JSON.stringify(body),
    }).then((response) => response.json().then((data) => ({ok: response.ok, data: data})));
  }

  function refresh() {
    const number = ++asked;
    preview.classList.add('stale');
    return post(area.dataset.preview, {key: area.dataset.key, text: area.value, locale: locale()})
      .then(({ok, data}) => {
        if (number !== asked) return;  // a later keystroke asked again
        preview.classList.remove('stale');
        problem.hidden = ok;
        problem.textContent = ok ? '' : data.message;
        if (ok) preview.innerHTML = data.html;
        area.setAttribute('aria-invalid', ok ? 'false' : 'true');
        preview.dataset.version = String(number);
      });
  }

  function save() {
    return post(area.dataset.save, {text: area.value}).then(({ok, data}) => {
      if (!ok) { status.textContent = area.dataset.failedText + ' ' + data.message; return; }
      const errors = CaseflowDesignerPage.showFindings(data.findings);
      status.textContent = area.dataset.savedText + ' ' + errors;
      area.dataset.saved = String(Number(area.dataset.saved || 0) + 1);
    }).catch((error) => { status.textContent = area.dataset.failedText + ' ' + error.message; });
  }

  preview.addEventListener('submit', (event) => event.preventDefault());  // a preview submits nothing
  area.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  document.querySelectorAll('input[name="preview-locale"]').forEach((radio) => radio.addEventListener('change', refresh));
  const button = document.getElementById('save-form');
  if (button) button.addEventListener('click', save);
  refresh();
})();
