// The plan builder's small helps. The server stays the authority: it checks every plan with the
// plan-file rules and scores "try it" values with the scoring core; nothing here decides.
(function () {
  "use strict";

  // Show only the settings the chosen method uses.
  function showMethodSettings(form) {
    var method = form.querySelector("[name=method]");
    if (!method) return;
    function update() {
      form.querySelectorAll("[data-for-methods]").forEach(function (box) {
        box.hidden = box.getAttribute("data-for-methods").split(" ").indexOf(method.value) < 0;
      });
    }
    method.addEventListener("change", update);
    update();
  }

  // The running weight total, as you type. Display only: the server checks the sum of 100.
  function showWeightTotal(form) {
    var weight = form.querySelector("[name=weight]");
    var output = document.getElementById("weight-total");
    if (!weight || !output) return;
    var other = Number(output.getAttribute("data-other")) || 0;
    function update() {
      // Full-width digits and point, as a Chinese input method types them, and thousands separators.
      var typed = weight.value.replace(/[\uff10-\uff19\uff0e]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
      }).replace(/,/g, "");
      var own = Number(typed) || 0;
      var total = Math.round((other + own) * 1e6) / 1e6;
      output.textContent = output.getAttribute("data-text").replace("{total}", String(total));
      output.classList.toggle("text-danger", total !== 100);
      output.classList.toggle("text-success", total === 100);
    }
    weight.addEventListener("input", update);
    update();
  }

  // Rows that can be added and removed: the tiers [threshold, points], the formula's inputs.
  function editRows(table) {
    var add = table.parentElement.querySelector(".row-add");
    if (!add) return;
    var body = table.tBodies[0];
    function renumber() {
      Array.prototype.forEach.call(body.rows, function (row, index) {
        var n = " " + (index + 1);
        row.querySelectorAll("input[data-label]").forEach(function (input) {
          input.setAttribute("aria-label", input.getAttribute("data-label") + n);
        });
        var remove = row.querySelector(".row-remove");
        remove.setAttribute("aria-label", table.dataset.labelRemove + n);
        remove.hidden = false;
      });
    }
    add.hidden = false;
    add.addEventListener("click", function () {
      var row = body.rows[body.rows.length - 1].cloneNode(true);
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      body.appendChild(row);
      renumber();
      row.querySelector("input").focus();
    });
    body.addEventListener("click", function (event) {
      var remove = event.target.closest(".row-remove");
      if (!remove) return;
      var row = remove.closest("tr");
      if (body.rows.length > 1) {
        row.remove();
      } else {
        row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      }
      renumber();
      add.focus();
    });
    renumber();
  }

  // "Try it": the server scores the value with the scoring core and says the points.
  function tryIt(form) {
    var output = form.querySelector("output");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
      output.textContent = "…";
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { output.textContent = data.text || data.error; })
        .catch(function () { output.textContent = "?"; });
    });
  }

  // The formula read as the server will read it on saving, as you type (labels or names).
  function checkFormula(form) {
    var formula = form.querySelector("[name=formula]");
    var output = document.getElementById("formula-check");
    if (!formula || !output) return;
    var timer = null;
    function check() {
      fetch(output.getAttribute("data-url"), { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          output.textContent = data.problem || "";
          formula.classList.toggle("is-invalid", Boolean(data.problem));
        })
        .catch(function () { output.textContent = ""; });
    }
    form.addEventListener("input", function (event) {
      if (event.target !== formula && !event.target.closest("table.rows")) return;
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
  }

  var indicatorForm = document.getElementById("indicator-form");
  if (indicatorForm) {
    checkFormula(indicatorForm);
    showMethodSettings(indicatorForm);
    showWeightTotal(indicatorForm);
    indicatorForm.querySelectorAll("table.rows").forEach(editRows);
  }
  document.querySelectorAll("form[data-try]").forEach(tryIt);
})();
