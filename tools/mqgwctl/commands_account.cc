// `mqgwctl account ...` and `mqgwctl access-key ...`.
#include "command_support.h"

namespace mqgw::ctl {
namespace {

const std::vector<Column> kAccountColumns = {{"AccountId", "AccountId"},
                                             {"AccountName", "AccountName"},
                                             {"Kind", "Kind"},
                                             {"CreateTime", "CreateTime"}};

const std::vector<Column> kAccessKeyColumns = {{"AccessKeyId", "AccessKeyId"},
                                               {"AccountId", "AccountId"},
                                               {"Enabled", "Enabled"},
                                               {"CreateTime", "CreateTime"}};

}  // namespace

void addAccountCommands(CLI::App& app, const CommandContext& ctx) {
  CLI::App* account = addGroup(app, "account", "Accounts (the main account and sub-accounts)");
  const StringField accountId{"--account-id", "AccountId", "Account ID (acc-...)"};
  addStringCommand(*account, "create", "Create a sub-account (CreateAccount)", ctx,
                   "CreateAccount", {{"--name", "AccountName", "Account name"}},
                   [](const Json&) { return objectOutput("Account", "Account.AccountId"); });
  addStringCommand(*account, "list", "List accounts (ListAccounts)", ctx, "ListAccounts", {},
                   [](const Json&) { return listOutput("Accounts", kAccountColumns); });
  addStringCommand(*account, "delete", "Delete a sub-account (DeleteAccount)", ctx,
                   "DeleteAccount", {accountId}, [](const Json& body) {
                     return doneOutput("deleted " + body.value("AccountId", std::string()));
                   });

  CLI::App* key = addGroup(app, "access-key", "AccessKeys of accounts");
  StringField optionalAccount = accountId;
  optionalAccount.required = false;
  optionalAccount.help += " (default: the caller's)";
  addStringCommand(*key, "create", "Create an AccessKey; its secret is shown once (CreateAccessKey)",
                   ctx, "CreateAccessKey", {optionalAccount},
                   [](const Json&) { return objectOutput("AccessKey", "AccessKey.AccessKeyId"); });
  addStringCommand(*key, "list", "List AccessKeys (ListAccessKeys)", ctx, "ListAccessKeys",
                   {optionalAccount},
                   [](const Json&) { return listOutput("AccessKeys", kAccessKeyColumns); });
  addStringCommand(*key, "delete", "Delete an AccessKey (DeleteAccessKey)", ctx,
                   "DeleteAccessKey", {{"--access-key-id", "AccessKeyId", "AccessKey ID (AK...)"}},
                   [](const Json& body) {
                     return doneOutput("deleted " + body.value("AccessKeyId", std::string()));
                   });
}

}  // namespace mqgw::ctl
