/* Knowledge checks: show only the answer fields that fit the chosen kind of item, and ask before
   deleting an item. Without JavaScript every field shows, with labels saying which kind it is for. */
(function () {
  "use strict";

  var FIELDS = {
    single: ["options", "correct_options"],
    multiple: ["options", "correct_options"],
    true_false: ["correct_truth"],
    numeric: ["correct_number", "tolerance"]
  };
  var ALL = ["options", "correct_options", "correct_truth", "correct_number", "tolerance"];

  function container(form, name) {
    var input = form.querySelector("[name='" + name + "']");
    return input ? input.closest(".field") : null;
  }

  function update(form) {
    var kind = form.querySelector("[name='kind']");
    if (!kind) {
      return;
    }
    var wanted = FIELDS[kind.value] || ALL;
    ALL.forEach(function (name) {
      var box = container(form, name);
      if (box) {
        box.hidden = wanted.indexOf(name) === -1;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-item-form]").forEach(function (form) {
      update(form);
      form.addEventListener("change", function (event) {
        if (event.target && event.target.name === "kind") {
          update(form);
        }
      });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  });
})();
