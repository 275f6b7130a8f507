// A text box above a long select hides the options that do not contain what was typed.
(function () {
  function bind(input) {
    if (input.dataset.bound) return;
    input.dataset.bound = "1";
    var select = document.getElementById(input.dataset.filters);
    if (!select) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = needle !== "" && option.value !== "" && !option.selected &&
          option.textContent.toLowerCase().indexOf(needle) === -1;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = Array.prototype.every.call(group.children, function (option) { return option.hidden; });
      });
    });
  }
  function bindAll() { document.querySelectorAll("input.option-filter").forEach(bind); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bindAll); else bindAll();
})();
