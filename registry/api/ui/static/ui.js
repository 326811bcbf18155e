// Progressive enhancement only: every page reads and works without this script.
// 1. Filters in the catalogue apply on change (the Search button still works without it).
// 2. "/" focuses the search box, as on most catalogues.
(function () {
  "use strict";
  var filters = document.querySelector("form.filters[role=search]");
  if (filters) {
    filters.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () { filters.submit(); });
    });
  }
  document.addEventListener("keydown", function (event) {
    var search = document.getElementById("q");
    var typing = event.target && /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (event.key === "/" && search && !typing) {
      event.preventDefault();
      search.focus();
    }
  });
})();
