#include "table.h"

#include <gtest/gtest.h>

#include "output.h"

namespace mqgw::ctl {
namespace {

TEST(Table, ColumnsAlignAndEmptyCellsShowDash) {
  Json rows = Json::parse(R"([
    {"InstanceId": "mqtt-aaaaaaaaaaaa", "InstanceName": "demo", "Spec": {"MaxConnections": 1000}},
    {"InstanceId": "mqtt-b", "InstanceName": "", "Spec": {"MaxConnections": 5}}])");
  std::vector<Column> cols = {{"InstanceId", "InstanceId"},
                              {"InstanceName", "InstanceName"},
                              {"MaxConnections", "Spec.MaxConnections"}};
  EXPECT_EQ(renderTable(cols, rows),
            "InstanceId         InstanceName  MaxConnections\n"
            "mqtt-aaaaaaaaaaaa  demo          1000\n"
            "mqtt-b             -             5\n");
}

TEST(Table, EmptyListPrintsTheHeaderOnly) {
  EXPECT_EQ(renderTable({{"A", "A"}, {"B", "B"}}, Json::array()), "A  B\n");
}

TEST(Table, CellTextFormatsTimesListsAndBooleans) {
  EXPECT_EQ(formatTimeMs(1764137000123), "2025-11-26T06:03:20Z");
  EXPECT_EQ(cellText(Json(1764137000123), "CreateTime"), "2025-11-26T06:03:20Z");
  EXPECT_EQ(cellText(Json(1764137000123), "Count"), "1764137000123");
  EXPECT_EQ(cellText(Json::parse(R"(["a/#","b/+"])"), "Resources"), "a/#,b/+");
  EXPECT_EQ(cellText(Json(true), "Enabled"), "true");
  EXPECT_EQ(cellText(Json::parse(R"({"k":"v"})"), "Settings"), R"({"k":"v"})");
}

TEST(Table, KeyValuesKeepOrderAndFlattenObjects) {
  Json obj = Json::parse(R"({"InstanceId": "mqtt-x", "Spec": {"MaxConnections": 10},
                             "Settings": {}, "StorageInstanceId": ""})");
  EXPECT_EQ(renderKeyValues(obj),
            "InstanceId:          mqtt-x\n"
            "Spec.MaxConnections: 10\n"
            "Settings:            {}\n"
            "StorageInstanceId:\n");
}

TEST(Output, ObjectListDoneAndQuiet) {
  Json created = Json::parse(R"({"RequestId": "r1", "Instance": {"InstanceId": "mqtt-x", "Region": "local"}})");
  OutputSpec object{OutputSpec::Shape::Object, "Instance", {}, "Instance.InstanceId", ""};
  EXPECT_EQ(renderResponse(object, created, {}), "InstanceId: mqtt-x\nRegion:     local\n");
  EXPECT_EQ(renderResponse(object, created, {false, true}), "mqtt-x\n");
  EXPECT_EQ(renderResponse(object, created, {true, false}), created.dump(2) + "\n");

  // Fields at the top level (ApplyToken): the whole response without RequestId.
  Json token = Json::parse(R"({"RequestId": "r2", "Token": "tok", "TokenInfo": {"Actions": "R"}})");
  OutputSpec top{OutputSpec::Shape::Object, "", {}, "Token", ""};
  EXPECT_EQ(renderResponse(top, token, {}), "Token:             tok\nTokenInfo.Actions: R\n");
  EXPECT_EQ(renderResponse(top, token, {false, true}), "tok\n");

  Json list = Json::parse(R"({"RequestId": "r3", "Topics": [{"Topic": "t1"}, {"Topic": "t2"}]})");
  OutputSpec table{OutputSpec::Shape::List, "Topics", {{"Topic", "Topic"}}, "", ""};
  EXPECT_EQ(renderResponse(table, list, {}), "Topic\nt1\nt2\n");
  EXPECT_EQ(renderResponse(table, list, {false, true}), "t1\nt2\n");

  OutputSpec done{OutputSpec::Shape::Done, "", {}, "", "deleted mqtt-x"};
  EXPECT_EQ(renderResponse(done, Json::parse(R"({"RequestId": "r4"})"), {}), "deleted mqtt-x\n");
  EXPECT_EQ(renderResponse(done, Json::parse(R"({"RequestId": "r4"})"), {false, true}), "");
}

}  // namespace
}  // namespace mqgw::ctl
