// What went wrong, in the page's role="alert" paragraph (hidden when nothing did). Renders
// session snapshots; a new message replaces whatever the paragraph showed.

/** A view (render(snapshot)) of the alert in `element`. */
export function alertView(element) {
  let said = null;
  return {
    render({ alert }) {
      if (alert === said) return;
      said = alert;
      element.textContent = alert;
      element.hidden = !alert;
    },
  };
}
