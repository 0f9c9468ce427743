// The team's grid of reviews: Enter in a rating moves to the same column one row down
// (Shift+Enter: up), in a comment it breaks the line; a changed cell is marked until it is saved.
// The cells have no name: on submit, the changed ones go into the one hidden field "changes"
// as JSON, [{employee, column, value, loaded}], as the figures grid does (static/js/grid.js).
(function () {
  "use strict";
  var grid = document.getElementById("review-grid");
  if (!grid) return;
  var cells = Array.prototype.slice.call(grid.querySelectorAll("[data-column]"));

  function below(cell, step) {
    var rows = Array.prototype.slice.call(grid.querySelectorAll("tbody tr"));
    var index = rows.indexOf(cell.closest("tr"));
    var selector = '[data-column="' + CSS.escape(cell.dataset.column) + '"]';
    for (var i = index + step; i >= 0 && i < rows.length; i += step) {
      var target = rows[i].querySelector(selector);
      if (target && !target.disabled) return target;
    }
    return null;
  }

  function changed(cell) {
    return cell.value.trim() !== cell.dataset.loaded.trim();
  }

  cells.forEach(function (cell) {
    cell.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || cell.tagName === "TEXTAREA") return;
      event.preventDefault();
      var target = below(cell, event.shiftKey ? -1 : 1);
      if (target) {
        target.focus();
        target.select();
      }
    });
    cell.addEventListener("input", function () {
      cell.classList.toggle("border-primary", changed(cell));
    });
  });

  grid.addEventListener("submit", function () {
    var changes = cells.filter(function (cell) {
      return !cell.disabled && changed(cell);
    }).map(function (cell) {
      return {
        employee: cell.closest("tr").dataset.employee,
        column: cell.dataset.column,
        value: cell.value.trim(),
        loaded: cell.dataset.loaded,
      };
    });
    document.getElementById("review-grid-changes").value = JSON.stringify(changes);
  });
})();
