// Stord bolig: small behaviours without inline scripts (the CSP forbids them).
// What only a script fills in (class js-only) is shown only where scripts run (static/css/app.css).
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  // Send the CSRF token with every htmx request.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) event.detail.headers["X-CSRFToken"] = token.value;
  });
  // A part loaded after its page (hx-get) that cannot be loaded says so (its data-load-error), instead of
  // showing "loading" for ever.
  const loadFailed = (event) => {
    const target = event.detail.elt;
    const message = target && target.dataset.loadError;
    if (!message) return;
    const alert = document.createElement("p");
    alert.className = "alert alert-warning mb-0";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    target.replaceChildren(alert);
    target.removeAttribute("aria-busy");
  };
  document.body.addEventListener("htmx:responseError", loadFailed);
  document.body.addEventListener("htmx:sendError", loadFailed);
  // A part whose request was redirected (the session ended: the login page) is not swapped into the page:
  // the page is loaded again, which leads to the login and, after it, back to this page.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const landed = event.detail.xhr.responseURL;
    const asked = new URL(event.detail.requestConfig.path, window.location.href);
    if (landed && new URL(landed).pathname !== asked.pathname) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
  });
  // A form sent back with an error brings its first error into view (a wrong field is also focused), so that
  // an error in a form far down a page (the lease page) is not seen only in the banner at its top.
  const wrong = document.querySelector("main form .is-invalid, main form .alert-danger");
  if (wrong) {
    for (let fold = wrong.closest("details"); fold; fold = fold.parentElement.closest("details")) fold.open = true;
    wrong.scrollIntoView({ block: "center" });
    if (wrong.matches("input, select, textarea")) wrong.focus({ preventScroll: true });
  }
  // Auto-submit selects marked data-autosubmit (filters), keeping a button for no-JS users.
  document.querySelectorAll("select[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.requestSubmit());
  });
});

// Buttons marked data-confirm (an offer, a demand, revoking a consent) ask first. Listening on the document
// also covers buttons in parts loaded later (the shortlist).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
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
