// The page's file inputs: CSV files and model files come in through file inputs or a drop on
// the page. The file formats are in lib/model-files.js, downloads in lib/downloads.js.

const isCsv = (file) => /\.(csv|tsv|txt)$/i.test(file.name) || file.type === "text/csv";

/**
 * Wires the CSV and model file inputs and drops on the page: a CSV file goes to onCsv(file),
 * anything else to onModel(files) (a model file, or TF.js's model.json with weights.bin).
 */
export function watchFiles({ csvInput, modelInput, onCsv, onModel }) {
  const take = (input, use) => input.addEventListener("change", () => {
    const files = [...input.files];
    input.value = "";  // choosing the same file again is a new change
    if (files.length) use(files);
  });
  take(csvInput, (files) => onCsv(files[0]));
  take(modelInput, onModel);

  const hasFiles = (event) => event.dataTransfer?.types.includes("Files");
  let depth = 0;  // dragenter/dragleave pairs, counted over the page's elements
  document.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    depth++;
    document.body.classList.add("dropping");
  });
  document.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) document.body.classList.remove("dropping");
  });
  document.addEventListener("dragover", (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    document.body.classList.remove("dropping");
    const files = [...event.dataTransfer.files];
    const csv = files.find(isCsv);
    if (csv) onCsv(csv);
    else if (files.length) onModel(files);
  });
}
