// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.querySelectorAll("form.language select").forEach((select) => {
  select.addEventListener("change", () => select.form.requestSubmit());
});
