// The ledger upload page polls its job's progress and reloads itself once the job has finished.
(function () {
  var box = document.getElementById("ledger-progress");
  if (!box) return;
  var bar = document.getElementById("ledger-bar");
  var done = document.getElementById("ledger-done");
  var status = document.getElementById("ledger-status");
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.working) { window.location.reload(); return; }
        if (data.percent !== null) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
        done.textContent = String(data.rows_done);
        status.textContent = data.status_text;
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
