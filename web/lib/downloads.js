// Saving files from a page: { name, type, data } (from lib/model-files.js) become downloads.

/** Saves { name, type, data } files as downloads, one each (as TF.js's browserDownloads does). */
export function saveFiles(files) {
  for (const { name, type, data } of files) {
    const url = URL.createObjectURL(new Blob([data], { type }));
    const link = Object.assign(document.createElement("a"), { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
