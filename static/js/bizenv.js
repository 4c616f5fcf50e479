// bizenv's only script, loaded by base.html. The Content-Security-Policy forbids inline handlers, so what the
// pages do in the browser lives here, declared in the markup by data attributes; without JavaScript, every page
// still works (the confirmation is skipped).

// <button data-confirm="…">: ask before submitting.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
