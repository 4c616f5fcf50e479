// bizenv's only script, loaded by base.html. The Content-Security-Policy forbids inline handlers, so the two
// behaviours that were inline live here, declared in the markup by data attributes; without JavaScript, every
// form still works (the confirmation is skipped, a select is saved by its button in <noscript>).

// <button data-confirm="…">: ask before submitting. With data-confirm-requires="<selector>", ask only when every
// field of the form it names is filled in and valid: a submission the server will refuse (saying what is missing)
// is sent without a question.
const blank = (field) => !field.value.trim() || !field.checkValidity();

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (!button) {
    return;
  }
  const required = button.dataset.confirmRequires;
  if (required && [...(button.form || document).querySelectorAll(required)].some(blank)) {
    return;
  }
  if (!window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// <select data-autosubmit>: submit its form as soon as a choice is made.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});
