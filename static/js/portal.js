// Small progressive enhancements; every page works without them.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.classList && el.classList.contains("js-autosubmit") && el.form) {
    el.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
  var printer = event.target.closest ? event.target.closest(".js-print") : null;
  if (printer) {
    event.preventDefault();
    window.print();
  }
  var all = event.target.closest ? event.target.closest(".js-select-all") : null;
  if (all) {
    document.querySelectorAll("input[name='" + all.getAttribute("data-target") + "']").forEach(function (box) {
      box.checked = all.checked;
    });
  }
});
