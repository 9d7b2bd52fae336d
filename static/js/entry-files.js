// Enhancement for file inputs with data-max-bytes: a file over the limit is flagged as soon as
// it is chosen, and the form is not sent (a long upload the server would refuse anyway).
// The message comes translated in data-too-large; without JavaScript the server says the same.
const tooLarge = (input) => Array.from(input.files || []).some((file) => file.size > Number(input.dataset.maxBytes));

function showSize(input) {
  const message = document.getElementById(`${input.id}-size`);
  const over = tooLarge(input);
  input.classList.toggle("is-invalid", over);
  input.setAttribute("aria-invalid", over ? "true" : "false");
  if (message) {
    message.textContent = over ? input.dataset.tooLarge : "";
    message.hidden = !over;
  }
  return over;
}

document.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
  input.addEventListener("change", () => showSize(input));
  input.form?.addEventListener("submit", (event) => {
    if (showSize(input)) {
      event.preventDefault();
      input.focus();
    }
  });
});
