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
