// The team grid: Enter moves to the same column one row down (Shift+Enter: up) instead of
// submitting, Tab keeps its usual order; a changed cell is marked until it is saved.
// The cells have no name: on submit, the changed ones go into the one hidden field "changes"
// as JSON, [{employee, column, value, loaded}], so a team of any size is one field, not a
// field per cell (Django refuses more than 1,000).
(function () {
  "use strict";
  var grid = document.getElementById("figures-grid");
  if (!grid) return;
  var inputs = Array.prototype.slice.call(grid.querySelectorAll("input[data-column]"));

  function below(input, step) {
    var rows = Array.prototype.slice.call(grid.querySelectorAll("tbody tr"));
    var index = rows.indexOf(input.closest("tr"));
    var selector = 'input[data-column="' + CSS.escape(input.dataset.column) + '"]';
    for (var i = index + step; i >= 0 && i < rows.length; i += step) {
      var target = rows[i].querySelector(selector);
      if (target && !target.disabled) return target;
    }
    return null;
  }

  function changed(input) {
    return input.value.trim() !== input.dataset.loaded;
  }

  inputs.forEach(function (input) {
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
      input.classList.toggle("border-primary", changed(input));
    });
  });

  grid.addEventListener("submit", function () {
    var changes = inputs.filter(function (input) {
      return !input.disabled && changed(input);
    }).map(function (input) {
      return {
        employee: input.closest("tr").dataset.employee,
        column: input.dataset.column,
        value: input.value.trim(),
        loaded: input.dataset.loaded,
      };
    });
    document.getElementById("figures-changes").value = JSON.stringify(changes);
  });
})();
