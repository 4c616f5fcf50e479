// bizenv's only script, loaded by base.html. The Content-Security-Policy forbids inline handlers, so the two
// behaviours that were inline live here, declared in the markup by data attributes; without JavaScript, every
// form still works (the confirmation is skipped, a select is saved by its button in <noscript>).

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
