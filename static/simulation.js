// The simulation run page polls the run's progress and reloads itself once the run has finished.
(function () {
  var box = document.getElementById("simulation-progress");
  if (!box) return;
  var bar = document.getElementById("simulation-bar");
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.working) { window.location.reload(); return; }
        bar.value = data.progress; bar.textContent = data.progress + "%";
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
