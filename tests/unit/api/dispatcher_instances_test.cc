// The dispatcher's envelope (signature, body, unknown action, error shape) and the instance,
// storage, topic and Group ID actions against the fake registry.
#include "api_harness.h"

namespace mqgw::api::testing {
namespace {

TEST_F(ApiTest, EnvelopeErrors) {
  EXPECT_EQ(callError("NoSuchAction", json::object(), 404), "InvalidAction");
  // Not JSON, not an object, empty: 400 InvalidParameter.Body (the signature is fine).
  for (const char* body : {"{", "[1,2]", "\"x\"", ""}) {
    Response r = run(sign("ListInstances", body));
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(json::parse(r.body).value("Code", ""), "InvalidParameter.Body") << body;
  }
  Request get = sign("ListInstances", "{}");
  get.method = "GET";
  EXPECT_EQ(run(get).status, 405);
  Request unsigned_ = sign("ListInstances", "{}");
  unsigned_.headers.erase("x-mqgw-signature");
  Response r = run(unsigned_);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body).value("Code", ""), "MissingSignatureHeader");
  EXPECT_EQ(callError("ListInstances", json::object(), 401, "AKNOBODY"),
            "InvalidAccessKeyId.NotFound");
}

TEST_F(ApiTest, RequestIdsAreFresh) {
  json a = call("ListInstances", json::object());
  json b = call("ListInstances", json::object());
  EXPECT_NE(a["RequestId"], b["RequestId"]);
}

TEST_F(ApiTest, CreateGetListUpdateDeleteInstance) {
  json created = call("CreateInstance", {{"InstanceName", "demo"},
                                          {"NamespaceType", "shared"},
                                          {"Spec", {{"MaxConnections", 5}}}});
  json& i = created["Instance"];
  std::string id = i["InstanceId"];
  EXPECT_EQ(i["InstanceName"], "demo");
  EXPECT_EQ(i["Region"], "local");
  EXPECT_EQ(i["NamespaceType"], "shared");
  EXPECT_EQ(i["Status"], "unbound");
  EXPECT_EQ(i["StorageInstanceId"], "");
  EXPECT_EQ(i["CreateTime"], 1000);
  EXPECT_EQ(i["Spec"]["MaxConnections"], 5);
  EXPECT_EQ(i["Spec"]["MaxMessageSize"], 64 * 1024);  // absent fields take the defaults

  EXPECT_EQ(call("GetInstance", {{"InstanceId", id}})["Instance"]["InstanceId"], id);
  EXPECT_EQ(call("ListInstances", json::object())["Instances"].size(), 1u);

  json updated = call("UpdateInstanceSpec",
                      {{"InstanceId", id}, {"Spec", {{"MaxPublishTps", 7}}}})["Instance"];
  EXPECT_EQ(updated["Spec"]["MaxPublishTps"], 7);
  EXPECT_EQ(updated["Spec"]["MaxConnections"], 5);  // kept

  json deleted = call("DeleteInstance", {{"InstanceId", id}});
  EXPECT_EQ(deleted.size(), 1u);  // RequestId only
  EXPECT_EQ(callError("GetInstance", {{"InstanceId", id}}, 404), "InstanceNotFound");
}

TEST_F(ApiTest, InstanceFieldErrors) {
  EXPECT_EQ(callError("CreateInstance", json::object(), 400), "InvalidParameter.InstanceName");
  EXPECT_EQ(callError("CreateInstance", {{"InstanceName", 5}}, 400),
            "InvalidParameter.InstanceName");
  EXPECT_EQ(callError("CreateInstance", {{"InstanceName", "x"}, {"NamespaceType", "public"}}, 400),
            "InvalidParameter.NamespaceType");
  EXPECT_EQ(callError("CreateInstance", {{"InstanceName", "x"}, {"Spec", 3}}, 400),
            "InvalidParameter.Spec");
  EXPECT_EQ(callError("CreateInstance",
                      {{"InstanceName", "x"}, {"Spec", {{"MaxMessageSize", "big"}}}}, 400),
            "InvalidParameter.Spec.MaxMessageSize");
  EXPECT_EQ(callError("CreateInstance",
                      {{"InstanceName", "x"}, {"Spec", {{"MaxConnections", -1}}}}, 400),
            "InvalidParameter.Spec.MaxConnections");
  EXPECT_EQ(callError("CreateInstance",
                      {{"InstanceName", "x"}, {"Spec", {{"MaxConnections", 1.5}}}}, 400),
            "InvalidParameter.Spec.MaxConnections");
  EXPECT_EQ(callError("GetInstance", {{"InstanceId", true}}, 400), "InvalidParameter.InstanceId");
  EXPECT_EQ(callError("UpdateInstanceSpec", {{"InstanceId", "mqtt-1"}}, 400),
            "InvalidParameter.Spec");
  EXPECT_TRUE(registry.instances.empty());
  // A registry refusal passes through with its status.
  EXPECT_EQ(callError("CreateInstance", {{"InstanceName", "x"}}, 403, "AKSUB"),
            "Forbidden.SubAccount");
}

TEST_F(ApiTest, StorageInstancesAndBinding) {
  std::string instance =
      call("CreateInstance", {{"InstanceName", "demo"}})["Instance"]["InstanceId"];
  json s = call("CreateStorageInstance",
                {{"Name", "store"}, {"Kind", "native"}, {"Settings", {{"dir", "/tmp/x"}}}})
               ["StorageInstance"];
  std::string store = s["StorageInstanceId"];
  EXPECT_EQ(s["Kind"], "native");
  EXPECT_EQ(s["NamespaceType"], "dedicated");
  EXPECT_EQ(s["Settings"]["dir"], "/tmp/x");
  EXPECT_EQ(s["BoundInstanceId"], "");
  EXPECT_EQ(call("ListStorageInstances", json::object())["StorageInstances"].size(), 1u);

  json bind = {{"InstanceId", instance}, {"StorageInstanceId", store}};
  json bound = call("BindStorageInstance", bind);
  EXPECT_EQ(bound["Instance"]["Status"], "ready");
  EXPECT_EQ(bound["Instance"]["StorageInstanceId"], store);
  EXPECT_EQ(call("GetStorageInstance", {{"StorageInstanceId", store}})["StorageInstance"]
                ["BoundInstanceId"],
            instance);
  EXPECT_EQ(callError("BindStorageInstance", bind, 409), "InstanceAlreadyBound");
  call("DeleteStorageInstance", {{"StorageInstanceId", store}});
  EXPECT_TRUE(registry.storages.empty());

  EXPECT_EQ(callError("CreateStorageInstance", {{"Name", "s"}}, 400), "InvalidParameter.Kind");
  EXPECT_EQ(callError("CreateStorageInstance",
                      {{"Name", "s"}, {"Kind", "native"}, {"Settings", {{"a", 1}}}}, 400),
            "InvalidParameter.Settings");
  EXPECT_EQ(callError("BindStorageInstance", {{"InstanceId", instance}}, 400),
            "InvalidParameter.StorageInstanceId");
}

TEST_F(ApiTest, TopicsAndGroups) {
  std::string id = call("CreateInstance", {{"InstanceName", "demo"}})["Instance"]["InstanceId"];
  json t = call("CreateTopic", {{"InstanceId", id},
                                {"Topic", "demo_topic"},
                                {"MessageType", "ordered"},
                                {"Remark", "hi"}})["Topic"];
  EXPECT_EQ(t["Topic"], "demo_topic");
  EXPECT_EQ(t["MessageType"], "ordered");
  EXPECT_EQ(t["Remark"], "hi");
  EXPECT_EQ(t["CreateTime"], 3000);
  EXPECT_EQ(call("ListTopic", {{"InstanceId", id}})["Topics"][0]["MessageType"], "ordered");
  EXPECT_EQ(callError("CreateTopic", {{"InstanceId", id}, {"Topic", "x"}, {"MessageType", "fifo"}},
                      400),
            "InvalidParameter.MessageType");
  EXPECT_EQ(callError("CreateTopic", {{"InstanceId", id}, {"Topic", "xyz"}, {"Remark", 1}}, 400),
            "InvalidParameter.Remark");
  call("DeleteTopic", {{"InstanceId", id}, {"Topic", "demo_topic"}});
  EXPECT_EQ(callError("DeleteTopic", {{"InstanceId", id}, {"Topic", "demo_topic"}}, 404),
            "TopicNotFound");

  json g = call("CreateGroupId", {{"InstanceId", id}, {"GroupId", "GID_demo"}}, 200, "AKSUB");
  EXPECT_EQ(g["Group"]["GroupId"], "GID_demo");
  EXPECT_EQ(g["Group"]["OwnerAccountId"], "acc-sub");  // the caller from the signature
  json groups = call("ListGroupId", {{"InstanceId", id}})["GroupIds"];
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]["InstanceId"], id);
  EXPECT_EQ(callError("CreateGroupId", {{"InstanceId", id}}, 400), "InvalidParameter.GroupId");
  call("DeleteGroupId", {{"InstanceId", id}, {"GroupId", "GID_demo"}});
  EXPECT_TRUE(registry.groups.empty());
}

}  // namespace
}  // namespace mqgw::api::testing
