// The query page works without this script; with it: Ctrl+Enter (or Cmd+Enter) runs the query,
// examples load into the editor without leaving the page, and the caret goes to a syntax error.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var editor = document.getElementById("query");
  if (!form || !editor) { return; }

  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });

  // Put the caret where the parser stopped.
  var line = parseInt(editor.getAttribute("data-line") || "", 10);
  var column = parseInt(editor.getAttribute("data-column") || "", 10);
  if (line > 0) {
    var lines = editor.value.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { offset += lines[i].length + 1; }
    offset += Math.max(0, (column || 1) - 1);
    editor.focus();
    editor.setSelectionRange(offset, offset);
  }

  var examples = document.querySelectorAll("a.example[data-example]");
  Array.prototype.forEach.call(examples, function (link) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
      event.preventDefault();
      var name = link.getAttribute("data-example");
      fetch("/query/examples/" + encodeURIComponent(name), { headers: { "Accept": "application/sparql-query" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (text) {
          editor.value = text;
          editor.removeAttribute("aria-invalid");
          Array.prototype.forEach.call(examples, function (other) { other.removeAttribute("aria-current"); });
          link.setAttribute("aria-current", "true");
          if (window.history && window.history.replaceState) {
            window.history.replaceState(null, "", "/query?example=" + encodeURIComponent(name));
          }
          editor.focus();
          editor.setSelectionRange(0, 0);
          editor.scrollIntoView({ block: "nearest" });
        })
        .catch(function () { window.location.href = link.href; });
    });
  });
})();
