// Stord bolig: small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("DOMContentLoaded", () => {
  // Send the CSRF token with every htmx request.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) event.detail.headers["X-CSRFToken"] = token.value;
  });
  // Auto-submit selects marked data-autosubmit (filters), keeping a button for no-JS users.
  document.querySelectorAll("select[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.requestSubmit());
  });
  // Confirm destructive buttons.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
});

// Formsets: "add member" clones the empty form template with the next index.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-formset]");
  if (!button) return;
  const prefix = button.dataset.addFormset;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.getElementById("member-template");
  const index = parseInt(total.value, 10);
  const html = template.innerHTML.replaceAll("__prefix__", String(index));
  document.getElementById("member-forms").insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
});
