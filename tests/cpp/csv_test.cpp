// CSV parsing: the header, the default label, classes, regression, quoting, standardization,
// and errors naming line and column.
#include <gtest/gtest.h>

#include "config.h"
#include "csv.h"

namespace nnplay {
namespace {

std::string errorFor(const std::string& text, CsvOptions options = {}) {
  try {
    parseCsv(text, options);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Csv, text_labels_become_classes) {
  const CsvData d = parseCsv("a,b,kind\n1,2,cat\n3,4,dog\n5,6,bird\n7,8,cat\n", {});
  EXPECT_EQ(d.n, 4);
  EXPECT_EQ(d.inputs, 2);
  EXPECT_EQ(d.outputs, 3);
  EXPECT_EQ(d.classes, (std::vector<std::string>{"bird", "cat", "dog"}));
  EXPECT_EQ(d.x, (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(d.y, (std::vector<float>{0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(d.label, "kind");
}

TEST(Csv, default_label_is_the_last_column_whose_first_value_is_text_else_the_last) {
  const CsvData first = parseCsv("kind,a,b\nred,1,2\nblue,3,4\n", {});
  EXPECT_EQ(first.label, "kind");
  EXPECT_EQ(first.x, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(first.classes, (std::vector<std::string>{"blue", "red"}));
  // Only the first data row decides: "nan" is not a number, so b is the label.
  EXPECT_EQ(parseCsv("a,b,c\n1,nan,3\n2,x,4\n", {}).label, "b");
  // Of two text columns the last is the label; the other is then a feature that is not a number.
  EXPECT_EQ(errorFor("id,a,kind\nx1,1,cat\nx2,2,dog\n"),
            "line 2, column 1 (\"id\"): \"x1\" is not a number");
  const CsvData numeric = parseCsv("a,b,price\n1,2,3.5\n4,5,6.25\n", {});
  EXPECT_EQ(numeric.label, "price");
  EXPECT_EQ(numeric.y, (std::vector<float>{3.5f, 6.25f}));
  EXPECT_EQ(parseCsv("a,kind\n1,0\n2,cat\n", {}).label, "kind")
      << "all numeric in the first row: the last column";
}

TEST(Csv, header_lists_every_column_in_file_order) {
  const CsvData d = parseCsv("kind,a,b\nred,1,2\nblue,3,4\n", {});
  EXPECT_EQ(d.header, (std::vector<std::string>{"kind", "a", "b"}));
  EXPECT_EQ(parseCsv(" x , y \n1,2\n3,4\n", {"x", -1, false}).header,
            (std::vector<std::string>{"x", "y"}));
}

TEST(Csv, two_classes_give_one_output_and_labels_can_be_anywhere) {
  const CsvData d =
      parseCsv("diagnosis,radius\r\nmalignant,17.5\r\nbenign,12\r\n", {"diagnosis", -1, false});
  EXPECT_EQ(d.outputs, 1);
  EXPECT_EQ(d.classes, (std::vector<std::string>{"benign", "malignant"}));
  EXPECT_EQ(d.y, (std::vector<float>{1, 0}));
  EXPECT_EQ(d.x, (std::vector<float>{17.5f, 12}));
  EXPECT_EQ(d.columns[0].name, "radius");
}

TEST(Csv, numeric_labels_are_regression_unless_only_zero_and_one) {
  const CsvData regression = parseCsv("x,y\n1,0.5\n2,1.5\n", {});
  EXPECT_TRUE(regression.classes.empty());
  EXPECT_EQ(regression.y, (std::vector<float>{0.5f, 1.5f}));
  const CsvData binary = parseCsv("x,y\n1,0\n2,1\n3,1\n", {});
  EXPECT_EQ(binary.classes, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(binary.y, (std::vector<float>{0, 1, 1}));
}

TEST(Csv, quoted_fields_and_blank_lines) {
  const CsvData d = parseCsv("\"a, the first\",\"b \"\"quoted\"\"\",label\n\n\"1\",2,\"x,y\"\n3,4,z\n\n", {});
  EXPECT_EQ(d.columns[0].name, "a, the first");
  EXPECT_EQ(d.columns[1].name, "b \"quoted\"");
  EXPECT_EQ(d.header, (std::vector<std::string>{"a, the first", "b \"quoted\"", "label"}));
  EXPECT_EQ(d.label, "label");
  EXPECT_EQ(d.classes, (std::vector<std::string>{"x,y", "z"}));
  EXPECT_EQ(d.n, 2);
}

TEST(Csv, standardize_gives_zero_mean_unit_deviation) {
  const CsvData d = parseCsv("a,b,c\n1,10,0\n3,10,1\n5,10,0\n", {"", -1, true});
  EXPECT_DOUBLE_EQ(d.columns[0].mean, 3);
  EXPECT_NEAR(d.columns[0].scale, std::sqrt(8.0 / 3), 1e-12);
  EXPECT_NEAR(d.x[0], -2 / std::sqrt(8.0 / 3), 1e-6);
  EXPECT_EQ(d.x[1], 0.0f) << "a constant column becomes 0";
}

TEST(Csv, errors_name_line_and_column) {
  EXPECT_EQ(errorFor("a,b,c\n1,2,3\n1,x,3\n"), "line 3, column 2 (\"b\"): \"x\" is not a number");
  EXPECT_EQ(errorFor("a,b,c\n1,2,3\n1,2\n"), "line 3: expected 3 columns, got 2");
  // From the second data row on, the label column is fixed: text elsewhere is an error.
  EXPECT_EQ(errorFor("a,b,c\n1,2,3\n1,nan,3\n"),
            "line 3, column 2 (\"b\"): \"nan\" is not a number");
  EXPECT_EQ(errorFor("a,b,c\n1,2,3\n1,,3\n"), "line 3, column 2 (\"b\"): \"\" is not a number");
  EXPECT_EQ(errorFor("a,b\n1,\"2\n"), "line 2: a quoted field is not closed");
  EXPECT_EQ(errorFor(""), "csv: the file is empty");
  EXPECT_EQ(errorFor("a,b\n"), "csv: the file has a header but no data rows");
  EXPECT_EQ(errorFor("a,b\n1,2\n", {"label", -1, false}), "label: no column named \"label\" in the header");
  EXPECT_EQ(errorFor("a,b\n1,2\n", {"", 5, false}),
            "label: column 5 does not exist (the header has 2 columns)");
  EXPECT_EQ(errorFor("a,b\n1,x\n2,x\n"), "label: column \"b\" has only one class, \"x\"");
  EXPECT_EQ(errorFor("a,b\n1,x\n2,\n"), "line 3, column 2 (\"b\"): the label is empty");
}

}  // namespace
}  // namespace nnplay
