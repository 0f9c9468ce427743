// The cycle page's progress bar: polls the cycle's progress until the close is done (the period
// closed, or open again after a close of part of it), then reloads the page so that the summary shows.
(function () {
  "use strict";
  const section = document.getElementById("cycle-progress");
  if (!section) {
    return;
  }
  const bar = section.querySelector(".progress");
  const fill = section.querySelector(".progress-bar");
  const text = document.getElementById("cycle-progress-text");
  const status = document.getElementById("cycle-status");

  function show(data) {
    bar.setAttribute("aria-valuenow", String(data.percent));
    fill.style.width = data.percent + "%";
    status.textContent = data.status_label;
    status.className = "badge status-" + data.status;
    text.textContent = data.total
      ? text.dataset.chunks + " " + data.done + " / " + data.total
      : text.dataset.waiting;
  }

  // The bar's width comes from the progress the page was rendered with (a style attribute would
  // break the Content-Security-Policy; a width set from here is allowed).
  fill.style.width = bar.getAttribute("aria-valuenow") + "%";

  function poll() {
    fetch(section.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.replace(section.dataset.doneUrl);
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }

  poll();
})();
