// The "try the draft" page's progress bar, for a large company's simulation run by a worker:
// polls the run until it is finished, then reloads the page, which shows the result.
(function () {
  "use strict";
  const section = document.getElementById("try-progress");
  if (!section) {
    return;
  }
  const bar = section.querySelector(".progress");
  const fill = section.querySelector(".progress-bar");
  const text = document.getElementById("try-progress-text");
  fill.style.width = bar.getAttribute("aria-valuenow") + "%";

  function show(data) {
    bar.setAttribute("aria-valuenow", String(data.percent));
    fill.style.width = data.percent + "%";
    text.textContent = data.total ? text.dataset.scored + " " + data.done + " / " + data.total : text.dataset.waiting;
  }

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
          window.location.reload();
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
