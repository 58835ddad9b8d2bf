// Review boards: reset the add-item form after htmx added the item, and drag an item onto a group.
(function () {
  "use strict";

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-reset-on-success]") && event.detail.successful) {
      var retargeted = event.detail.xhr && event.detail.xhr.getResponseHeader("HX-Retarget");
      if (!retargeted) {
        form.reset();
        var text = form.querySelector("textarea");
        if (text) text.focus();
      }
    }
  });

  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest(".phase-group .item[data-item]");
    if (!item) return;
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.item);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".group.drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var group = dragged && event.target.closest && event.target.closest(".group[data-group]");
    if (!group) return;
    event.preventDefault();
    group.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var group = event.target.closest && event.target.closest(".group[data-group]");
    if (group && !group.contains(event.relatedTarget)) group.classList.remove("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var group = dragged && event.target.closest && event.target.closest(".group[data-group]");
    if (!group || !window.htmx) return;
    event.preventDefault();
    var board = document.getElementById("review-board");
    var url = "/learning/reviews/" + board.dataset.review + "/items/" + dragged.dataset.item + "/move/";
    window.htmx.ajax("POST", url, { target: "#review-board", swap: "outerHTML", values: { group: group.dataset.group } });
  });
})();
