// What the playground and its embed do alike to start: build the network of the URL's hash (and
// of every hash navigated to later), and enable Play once it is built.
import { $ } from "../lib/dom.js";

/** Opens the page's hash in the session and follows hash changes; resolves once it is built. */
export function openFromUrl(session) {
  // The hash the user navigated to, from the event: by the time it is handled, a snapshot
  // published meanwhile (every frame while training) may already have put the session's hash
  // back in the address bar.
  window.addEventListener("hashchange", (event) => session.open(new URL(event.newURL).hash));
  return session.open(location.hash).then(() => {
    $("play").disabled = false;
  }, (error) => {
    $("alert").textContent = `The playground could not start: ${error.message}`;
    $("alert").hidden = false;
    throw error;
  });
}
