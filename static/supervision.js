// Supervisor pages: "select all" on a case list, the print button of the monthly report.
(function () {
  const all = document.getElementById('check-all');
  if (all) {
    all.addEventListener('change', () => document.querySelectorAll('input[name=case]').forEach((box) => {
      box.checked = all.checked;
    }));
  }
  document.querySelectorAll('button[data-print]').forEach((button) => {
    button.addEventListener('click', () => window.print());
  });
})();
