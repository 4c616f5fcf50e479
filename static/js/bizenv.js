// bizenv's only script, loaded by base.html (and the print page). The Content-Security-Policy forbids inline
// handlers, so behaviours live here, declared in the markup by data attributes; without JavaScript, every form
// still works (the confirmation is skipped, a select is saved by its button in <noscript>, the browser's own menu
// prints).

// <button data-confirm="…">: ask before submitting.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// <select data-autosubmit>: submit its form as soon as a choice is made.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});

// <button data-print>: the browser's print dialog (the print page of a practice).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
