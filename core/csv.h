// CSV data for training: a header row, numeric feature columns and one label column whose
// values are class names (text, or only 0 and 1) or real numbers (regression). Unless the
// options name it, the label is the last column whose value in the first data row is not a
// number (the features must be numbers), or the last column when every value there is one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nnplay {

struct CsvColumn {
  std::string name;
  double mean = 0;  // of the raw values; with standardize, x = (raw - mean) / scale
  double scale = 1;
};

struct CsvData {
  std::vector<float> x;  // row-major n x inputs
  std::vector<float> y;  // row-major n x outputs
  int n = 0;
  int inputs = 0;
  int outputs = 0;
  std::string label;                 // the label column's name
  std::vector<std::string> header;   // every column's name, in file order (label included)
  std::vector<std::string> classes;  // empty for regression; 2 classes -> one 0/1 output
  std::vector<CsvColumn> columns;    // the feature columns, in order
};

struct CsvOptions {
  std::string label;    // column name; empty and labelIndex -1: the default rule above
  int labelIndex = -1;  // or a 0-based column index
  bool standardize = false;
};

// Errors (ConfigError) name the line and column: `line 7, column 3 ("texture"): "abc" is not a
// number`, `line 9: expected 31 columns, got 30`.
CsvData parseCsv(std::string_view text, const CsvOptions& options);

}  // namespace nnplay
