#include "csv.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "config.h"

namespace nnplay {
namespace {

constexpr size_t kMaxValues = 64u << 20;  // 256 MB of float32: more would not fit a page

// Splits CSV text (RFC 4180: quoted fields, "" escapes, CRLF or LF) into rows, calling
// onRow(fields, lineNumber) for each non-empty line.
template <typename OnRow>
void forEachRow(std::string_view text, OnRow onRow) {
  std::vector<std::string> fields;
  std::string field;
  size_t line = 1, rowLine = 1;
  bool quoted = false, fieldStarted = false;
  auto endRow = [&] {
    if (fieldStarted || !field.empty() || !fields.empty()) {
      fields.push_back(field);
      const bool blank = fields.size() == 1 && fields[0].find_first_not_of(" \t") == std::string::npos;
      if (!blank) onRow(fields, rowLine);
    }
    fields.clear();
    field.clear();
    fieldStarted = false;
  };
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && field.find_first_not_of(" \t") == std::string::npos) {
      quoted = true;
      fieldStarted = true;
      field.clear();
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
      fieldStarted = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      endRow();
      rowLine = ++line;
    } else {
      field += c;
    }
  }
  if (quoted) throw ConfigError("line " + std::to_string(rowLine) + ": a quoted field is not closed");
  endRow();
}

std::string trim(const std::string& s) {
  const size_t start = s.find_first_not_of(" \t");
  if (start == std::string::npos) return "";
  return s.substr(start, s.find_last_not_of(" \t") - start + 1);
}

// A finite decimal number, or false. Rejects "", "nan", "inf" and hex floats.
bool parseNumber(const std::string& text, double& value) {
  const std::string s = trim(text);
  if (s.empty() || s.find_first_not_of("0123456789+-.eE") != std::string::npos) return false;
  char* end = nullptr;
  value = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(value);
}

// The label column when the options name none: the last column whose first value is not a
// number (the features must be numbers), else the last column.
int defaultLabelColumn(const std::vector<std::string>& firstRow) {
  double value;
  for (int c = static_cast<int>(firstRow.size()) - 1; c >= 0; --c)
    if (!parseNumber(firstRow[c], value)) return c;
  return static_cast<int>(firstRow.size()) - 1;
}

std::string quote(const std::string& s) {
  return "\"" + (s.size() > 40 ? s.substr(0, 37) + "..." : s) + "\"";
}

}  // namespace

CsvData parseCsv(std::string_view text, const CsvOptions& options) {
  std::vector<std::string> header;
  std::vector<std::vector<double>> features;  // per row
  std::vector<std::string> labels;            // per row, trimmed
  std::vector<size_t> lines;
  int labelColumn = -1;

  forEachRow(text, [&](const std::vector<std::string>& fields, size_t line) {
    if (header.empty()) {
      for (const std::string& f : fields) header.push_back(trim(f));
      if (header.size() < 2)
        throw ConfigError("line 1: expected a header with at least 2 columns, got " +
                          std::to_string(header.size()));
      if (options.labelIndex >= 0) {
        if (options.labelIndex >= static_cast<int>(header.size()))
          throw ConfigError("label: column " + std::to_string(options.labelIndex) +
                            " does not exist (the header has " + std::to_string(header.size()) +
                            " columns)");
        labelColumn = options.labelIndex;
      } else if (!options.label.empty()) {
        const auto it = std::find(header.begin(), header.end(), options.label);
        if (it == header.end())
          throw ConfigError("label: no column named " + quote(options.label) + " in the header");
        labelColumn = static_cast<int>(it - header.begin());
      }  // else the first data row decides
      return;
    }
    if (fields.size() != header.size())
      throw ConfigError("line " + std::to_string(line) + ": expected " +
                        std::to_string(header.size()) + " columns, got " +
                        std::to_string(fields.size()));
    if ((features.size() + 1) * header.size() > kMaxValues)
      throw ConfigError("line " + std::to_string(line) + ": the file has more than " +
                        std::to_string(kMaxValues) + " values, too many for a page");
    if (labelColumn < 0) labelColumn = defaultLabelColumn(fields);
    std::vector<double> row;
    row.reserve(header.size() - 1);
    for (size_t c = 0; c < fields.size(); ++c) {
      if (static_cast<int>(c) == labelColumn) continue;
      double value;
      if (!parseNumber(fields[c], value))
        throw ConfigError("line " + std::to_string(line) + ", column " + std::to_string(c + 1) +
                          " (" + quote(header[c]) + "): " + quote(trim(fields[c])) +
                          " is not a number");
      row.push_back(value);
    }
    features.push_back(std::move(row));
    labels.push_back(trim(fields[labelColumn]));
    lines.push_back(line);
  });
  if (header.empty()) throw ConfigError("csv: the file is empty");
  if (features.empty()) throw ConfigError("csv: the file has a header but no data rows");

  CsvData data;
  data.n = static_cast<int>(features.size());
  data.inputs = static_cast<int>(header.size()) - 1;
  data.label = header[labelColumn];
  data.header = header;

  // The label: class names unless every value is a number other than only 0/1.
  std::vector<double> numeric(labels.size());
  bool allNumbers = true;
  std::set<std::string> distinct;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].empty())
      throw ConfigError("line " + std::to_string(lines[i]) + ", column " +
                        std::to_string(labelColumn + 1) + " (" + quote(data.label) +
                        "): the label is empty");
    allNumbers = allNumbers && parseNumber(labels[i], numeric[i]);
    distinct.insert(labels[i]);
  }
  const bool binaryNumbers =
      allNumbers && std::all_of(numeric.begin(), numeric.end(), [](double v) { return v == 0 || v == 1; });
  if (allNumbers && !binaryNumbers) {
    data.outputs = 1;
    data.y.assign(numeric.begin(), numeric.end());
  } else {
    if (binaryNumbers) distinct = {"0", "1"};
    data.classes.assign(distinct.begin(), distinct.end());
    if (data.classes.size() < 2)
      throw ConfigError("label: column " + quote(data.label) + " has only one class, " +
                        quote(data.classes[0]));
    if (data.classes.size() > 1000)
      throw ConfigError("label: column " + quote(data.label) + " has more than 1000 classes");
    std::map<std::string, int> index;
    for (size_t k = 0; k < data.classes.size(); ++k) index[data.classes[k]] = static_cast<int>(k);
    const bool oneOutput = data.classes.size() == 2;
    data.outputs = oneOutput ? 1 : static_cast<int>(data.classes.size());
    data.y.assign(size_t(data.n) * data.outputs, 0.0f);
    for (size_t i = 0; i < labels.size(); ++i) {
      const int k = binaryNumbers ? static_cast<int>(numeric[i]) : index[labels[i]];
      if (oneOutput) {
        data.y[i] = static_cast<float>(k);
      } else {
        data.y[i * data.outputs + k] = 1.0f;
      }
    }
  }

  for (size_t c = 0, f = 0; c < header.size(); ++c) {
    if (static_cast<int>(c) == labelColumn) continue;
    CsvColumn column{header[c], 0, 1};
    if (options.standardize) {
      double sum = 0, squares = 0;
      for (const auto& row : features) sum += row[f];
      column.mean = sum / data.n;
      for (const auto& row : features) squares += (row[f] - column.mean) * (row[f] - column.mean);
      const double sd = std::sqrt(squares / data.n);
      column.scale = sd > 0 ? sd : 1;  // a constant column stays 0 after centring
    }
    data.columns.push_back(column);
    ++f;
  }
  data.x.resize(size_t(data.n) * data.inputs);
  for (size_t i = 0; i < features.size(); ++i)
    for (int f = 0; f < data.inputs; ++f)
      data.x[i * data.inputs + f] =
          static_cast<float>((features[i][f] - data.columns[f].mean) / data.columns[f].scale);
  return data;
}

}  // namespace nnplay
