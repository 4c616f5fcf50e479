// bizenv's only script, loaded by base.html. The Content-Security-Policy forbids inline handlers, so behaviours
// live here, declared in the markup by data attributes; without JavaScript, every form still works (the
// confirmation is skipped, a select is saved by its button in <noscript>, the server refuses files too large).

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

// <input type="file" data-max-bytes="…" data-too-large="…">: files larger together than one request may carry
// would get the 413 page, and what was typed with them would be lost; say so before sending instead.
document.addEventListener("submit", (event) => {
  for (const input of event.target.querySelectorAll("input[type=file][data-max-bytes]")) {
    const total = [...input.files].reduce((sum, file) => sum + file.size, 0);
    if (total > Number(input.dataset.maxBytes)) {
      event.preventDefault();
      input.setCustomValidity(input.dataset.tooLarge);
      input.reportValidity();
      return;
    }
  }
});
document.addEventListener("change", (event) => {
  if (event.target.matches("input[type=file][data-max-bytes]")) {
    event.target.setCustomValidity("");
  }
});
