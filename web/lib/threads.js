// How pages name the core's thread count (nn.threads) in their training status.

/** "2 threads", or "1 thread" (a page that is not cross-origin isolated has only one). */
export function threadsText(threads) {
  return threads > 1 ? `${threads} threads` : "1 thread";
}
