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
// Folded filter forms (<details data-open-wide>) start open where the screen has room for them.
function openWideDetails() {
  if (window.matchMedia("(min-width: 992px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (box) { box.open = true; });
  }
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", openWideDetails);
} else {
  openWideDetails();
}
