// bizenv's only script, loaded by base.html (and the print page). The Content-Security-Policy forbids inline
// handlers, so what the pages do in the browser lives here, declared in the markup by data attributes; without
// JavaScript, every page still works (the confirmation is skipped, a list's filters stay unfolded, the browser's
// own menu prints, the server refuses files too large).

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

// <details data-fold open> (a list's filters): on a phone, folded as the page opens unless a filter is set or
// wrong, so that the list comes first; unfolded again when the screen grows wider, where static/css/bizenv.css
// hides the summary that would unfold it. The width is the stylesheet's for a phone.
const phone = window.matchMedia("(max-width: 40rem)");
const folds = document.querySelectorAll("details[data-fold]");
const filtered = [...new URLSearchParams(window.location.search)].some(([name, value]) => name !== "page" && value);
for (const box of folds) {
  if (phone.matches && !filtered && !box.querySelector(".errors")) {
    box.open = false;
  }
}
phone.addEventListener("change", () => {
  if (!phone.matches) {
    folds.forEach((box) => (box.open = true));
  }
});

// <button data-print>: the browser's print dialog (the print page of a practice).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
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
