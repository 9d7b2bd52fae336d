// Enhancement for tables with row checkboxes: a "select all" box in the header.
// Without JavaScript each row is still ticked by hand.
document.querySelectorAll("[data-select-all]").forEach((cell) => {
  const table = cell.closest("table");
  const boxes = () => table.querySelectorAll(`tbody input[type=checkbox][name="${cell.dataset.selectAll}"]`);
  if (!boxes().length) return;
  const all = document.createElement("input");
  all.type = "checkbox";
  all.className = "form-check-input";
  all.setAttribute("aria-label", cell.dataset.label);
  all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
  cell.replaceChildren(all);
});
