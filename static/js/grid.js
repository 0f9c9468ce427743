// The team grid: Enter moves to the same column one row down (Shift+Enter: up) instead of
// submitting, Tab keeps its usual order; a changed cell is marked until it is saved.
(function () {
  "use strict";
  var grid = document.getElementById("figures-grid");
  if (!grid) return;
  var inputs = Array.prototype.slice.call(grid.querySelectorAll("input[data-column]"));

  function below(input, step) {
    var rows = Array.prototype.slice.call(grid.querySelectorAll("tbody tr"));
    var index = rows.indexOf(input.closest("tr"));
    for (var i = index + step; i >= 0 && i < rows.length; i += step) {
      var target = rows[i].querySelector('input[data-column="' + input.dataset.column + '"]');
      if (target && !target.disabled) return target;
    }
    return null;
  }

  inputs.forEach(function (input) {
    input.defaultValueAtLoad = input.value;
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var target = below(input, event.shiftKey ? -1 : 1);
      if (target) {
        target.focus();
        target.select();
      }
    });
    input.addEventListener("input", function () {
      input.classList.toggle("border-primary", input.value !== input.defaultValueAtLoad);
    });
  });
})();
