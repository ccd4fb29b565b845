// Filters a list of municipalities as one types into the search field (by name or CVR). Without JavaScript the field is a plain GET search.
const input = document.querySelector("input[data-filter-list]");
const list = input && document.getElementById(input.dataset.filterList);
const count = document.getElementById("idp-count");
if (input && list) {
  input.addEventListener("input", () => {
    const wanted = input.value.trim().toLocaleLowerCase("da");
    let shown = 0;
    for (const item of list.querySelectorAll("li")) {
      const match = wanted === "" || (item.dataset.name ?? "").toLocaleLowerCase("da").includes(wanted) || (item.dataset.cvr ?? "").includes(wanted);
      item.hidden = !match;
      if (match) shown += 1;
    }
    if (count) count.textContent = `${shown} kommune(r) / municipality(ies)`;
  });
}
